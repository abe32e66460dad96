"""The hunter's call as use cases over the database: open, answer, pause, finish.

Each use case reads the call row and its events (one hop to the read connection), replays them
on the flow's engine (`CallState`), checks the press is for the screen the call is on now,
applies one engine action, then commits one unit of work (one hop to the group-commit writer):
append the new events, update the call row (and, on finish, the lead with its alert and the
callback reminder). The first append only succeeds if the log is still what was read, so a race
can refuse an action but never apply it twice or on top of a changed log. The current step is
never trusted from anywhere else: it is derived from the events, so a restart, a double tap or
an old message cannot move a call twice or from the wrong place.

The log is append-only, so a replayed call is kept in a small in-process cache and extended by
the events stored after it: a press then costs one read of the call row and of the events it
has not seen (usually none), not a replay of the whole log.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db import Database
from bot.domain import Call, CallEvent, CallStatus, Lead, NewLead, Reminder
from bot.repositories import CallRecords, LeadAlreadyExists, StaleSequence
from scoring.model import FactValue
from scripts.engine import (
    JSON,
    ActionRejected,
    CallState,
    Engine,
    Event,
    EventKind,
    Result,
    Screen,
    engine_for,
)
from scripts.schema import Flow
from scripts.summary import CallSummary, summarize

logger = logging.getLogger(__name__)

FlowCatalog = Mapping[tuple[str, int], Flow]
"""Loaded call scripts by (flow id, version)."""

HANDOFF_REASON = "handoff"
"""The finish reason of a hot lead handed to managers before the script's end."""

LEAD_KINDS = frozenset({"qualified", "nurture"})
"""Outcomes that leave a lead for managers; only qualified ones alert the managers' chat."""

CALL_CACHE_SIZE = 512
"""Replayed calls kept in memory; a hunter works one call at a time, so this covers a team."""


class Refusal(StrEnum):
    """Why a press or a typed answer changed nothing."""

    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    FORGED = "forged"
    """Data no screen ever offered: a future event number, an answer not on the step."""
    RECORDED = "recorded"
    """A double tap: the same action was already recorded."""
    CLOSED = "closed"
    """A press on a screen the call has moved past."""
    FINISHED = "finished"
    PAUSED = "paused"
    FLOW_GONE = "flow_gone"
    """The call's flow version is no longer loaded."""
    NO_INPUT = "no_input"
    """Typed text on a step answered with buttons."""
    EMPTY = "empty"
    NO_ROUTE = "no_route"
    """None of the step's branches matched: a flow defect the linter could not rule out."""


SUSPICIOUS = frozenset({Refusal.NOT_FOUND, Refusal.NOT_YOURS, Refusal.FORGED})
"""Refusals no honest client produces: logged at WARNING with the user id."""

_REFUSAL_OF_REJECTION: Mapping[str, Refusal] = {
    "finished": Refusal.FINISHED,
    "no_input": Refusal.NO_INPUT,
    "empty_text": Refusal.EMPTY,
    "no_route": Refusal.NO_ROUTE,
}


class CallRefused(Exception):
    """The action was not applied; `refusal` says why (nothing was written)."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal
        self.detail = detail

    @property
    def suspicious(self) -> bool:
        """Whether only a forged request can cause this refusal."""
        return self.refusal in SUSPICIOUS


@dataclass(frozen=True, slots=True)
class Intent:
    """One thing the hunter asks of a call, as the engine action and the event it appends."""

    kind: EventKind
    arg: str | None = None
    """The answer, objection or outcome id."""
    text: str | None = None
    """Typed text: an answer, a note, what the client said."""
    reason: str | None = None
    callback_at: str | None = None

    def apply(self, engine: Engine, state: CallState, now: datetime) -> Result:
        """Run the engine action; raises ActionRejected when it is not possible now."""
        kind = self.kind
        if kind == "answer":
            return engine.answer(state, self.arg or "", now=now)
        if kind == "input":
            if self.arg is not None:
                return engine.submit(state, _option(engine, state, self.arg), now=now)
            return engine.submit(state, self.text or "", now=now)
        if kind == "unknown":
            return engine.dont_know(state, now=now)
        if kind == "back":
            return engine.back(state, now=now)
        if kind == "objection":
            return engine.raise_objection(state, self.arg or "", now=now)
        if kind == "resume":
            return engine.resume(state, now=now)
        if kind == "note":
            return engine.note(state, self.text or "", now=now)
        if kind == "nofit":
            return engine.no_fit(state, self.text or "", now=now)
        if kind == "finish":
            return engine.finish(
                state,
                self.arg or "",
                now=now,
                reason=self.reason,
                callback_at=self.callback_at,
            )
        raise ActionRejected("not_started", f"{kind} is not an action")

    def already_in(self, later: Sequence[Event]) -> bool:
        """Whether the events appended since the pressed screen are exactly this action.

        That is a double tap (answered "already recorded"); anything else appended means the
        press comes from a screen the call has moved past ("this question is closed").
        """
        events = [e for e in later if e.kind != "resume"] if self.kind != "resume" else later
        if len(events) != 1:
            return False
        event = events[0]
        if event.kind != self.kind:
            return False
        key = {"answer": "answer", "objection": "objection", "finish": "outcome"}.get(self.kind)
        if key is not None:
            return event.payload.get(key) == self.arg
        if self.kind == "input" and self.arg is None:
            return event.payload.get("value") == self.text
        return True


@dataclass(frozen=True, slots=True)
class CallView:
    """A call as it stands after a use case: its row, engine, replayed state and screen."""

    call: Call
    engine: Engine
    state: CallState
    screen: Screen
    reask: str | None = None
    """Why a typed answer was not understood (nothing was recorded)."""
    lead: Lead | None = None
    reminder: Reminder | None = None

    @property
    def flow(self) -> Flow:
        """The flow version the call runs on."""
        return self.engine.flow

    @property
    def displays(self) -> Mapping[str, str]:
        """Lead-card values as shown, by field id."""
        return self.engine.snapshot(self.state).displays

    def summary(self) -> CallSummary:
        """The lead card of the call as it stands."""
        return summarize(self.engine, self.state)


ReminderText = Callable[[CallSummary], str]
"""Builds the text of a callback reminder from the finished call's summary."""


class CallService:
    """The call use cases; one instance per dispatcher, state lives in the database."""

    def __init__(
        self,
        db: Database,
        flows: FlowCatalog,
        clock: Clock,
        *,
        zone: ZoneInfo,
        manager_chat_id: int | None,
        cache_size: int = CALL_CACHE_SIZE,
    ) -> None:
        self._db = db
        self._flows = flows
        self._clock = clock
        self._zone = zone
        self._manager_chat_id = manager_chat_id
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        self._cache_size = cache_size

    def now(self) -> datetime:
        """The current time in the team's time zone ("tomorrow at 3pm" is local)."""
        return self._clock.now().astimezone(self._zone)

    def newest_flows(self) -> list[Flow]:
        """The flows a new call can use: the newest loaded version of each, by title."""
        newest: dict[str, Flow] = {}
        for flow in self._flows.values():
            if flow.id not in newest or flow.version > newest[flow.id].version:
                newest[flow.id] = flow
        return sorted(newest.values(), key=lambda flow: (flow.title.casefold(), flow.id))

    def flow(self, flow_id: str, version: int) -> Flow | None:
        """A loaded flow version, or None."""
        return self._flows.get((flow_id, version))

    async def open(
        self,
        *,
        hunter_id: int,
        chat_id: int,
        flow: Flow,
        card: Mapping[str, FactValue],
        hunter_name: str,
    ) -> CallView:
        """Start a call with the lead card typed in; the call row and its first event commit."""
        return await self._open(
            hunter_id=hunter_id, chat_id=chat_id, flow=flow, card=card, hunter_name=hunter_name
        )

    async def open_again(
        self, call_id: int, hunter_id: int, *, chat_id: int, hunter_name: str
    ) -> CallView:
        """A new call to the same lead (a callback due): its card, the flow's newest version.

        The earlier call's pending reminders are cancelled in the same transaction.
        """
        call, engine, state, _ = await self._read(call_id, hunter_id)
        newest = next((f for f in self.newest_flows() if f.id == call.flow_id), engine.flow)
        card_fields = state.events[0].payload.get("fields") if state.events else None
        card = {
            name: value
            for name, value in (card_fields if isinstance(card_fields, dict) else {}).items()
            if name in newest.fields and isinstance(value, bool | int | float | str)
        }
        return await self._open(
            hunter_id=hunter_id,
            chat_id=chat_id,
            flow=newest,
            card=card,
            hunter_name=hunter_name,
            instead_of=call_id,
        )

    async def view(self, call_id: int, hunter_id: int) -> CallView:
        """The call as it stands (a read; nothing changes)."""
        call, engine, state, lead = await self._read(call_id, hunter_id, with_lead=True)
        return CallView(call, engine, state, engine.screen(state), lead=lead)

    async def apply(
        self,
        call_id: int,
        hunter_id: int,
        intent: Intent,
        *,
        seq: int | None,
        reminder_text: ReminderText | None = None,
    ) -> CallView:
        """Apply one action in one transaction; `seq` is the event count the press was drawn at.

        Typed text carries no `seq` (it answers whatever step the call is on). Raises
        CallRefused, having written nothing, when the action does not apply.
        """
        now = self.now()
        call, engine, state, _ = await self._read(call_id, hunter_id)
        if seq is not None:
            _check_seq(state, seq, intent)
        if call.status is CallStatus.FINISHED and intent.kind != "note":
            raise CallRefused(Refusal.FINISHED)
        if call.status is CallStatus.PAUSED:
            raise CallRefused(Refusal.PAUSED)
        try:
            result = intent.apply(engine, state, now)
        except ActionRejected as e:
            refusal = _REFUSAL_OF_REJECTION.get(e.reason, Refusal.FORGED)
            raise CallRefused(refusal, e.reason) from e
        if result.reask is not None or not result.events:
            return CallView(call, engine, state, result.screen, reask=result.reask)
        displays = dict(engine.snapshot(result.state).displays)
        card_changed = displays != dict(call.card)
        closing = None
        if call.status is not CallStatus.FINISHED and result.screen.finished is not None:
            closing = self._closing(call, engine, result, reminder_text)
        change = _Change(
            call_id=call_id,
            hunter_id=hunter_id,
            first_seq=state.seq + 1,
            events=tuple((event.kind, event.step, event.payload) for event in result.events),
            note=intent.text or "" if intent.kind == "note" else None,
            card=displays if card_changed else None,
            closing=closing,
            now=now,
        )
        try:
            recorded = await self._db.write(partial(_record, change))
        except StaleSequence as e:
            self._kept.pop(call_id, None)
            raise CallRefused(Refusal.RECORDED, str(e)) from e
        except BaseException:
            self._kept.pop(call_id, None)
            raise
        self._keep(call, result.state)
        if recorded.call is not None:
            call = recorded.call
        elif card_changed:
            call = replace(call, card=displays)
        return CallView(
            call,
            engine,
            result.state,
            result.screen,
            lead=recorded.lead,
            reminder=recorded.reminder,
        )

    async def pause(self, call_id: int, hunter_id: int, *, seq: int) -> CallView:
        """Put the call aside (still open for /resume); nothing of the call itself changes."""
        call, engine, state, _ = await self._read(call_id, hunter_id)
        _check_pausable(call.status, state.seq, seq)
        await self._db.write(partial(_pause, call_id, seq, self.now()))
        return CallView(
            replace(call, status=CallStatus.PAUSED), engine, state, engine.screen(state)
        )

    async def reopen(self, call_id: int, hunter_id: int) -> CallView:
        """Continue a paused or open call where it was."""
        call, engine, state, _ = await self._read(call_id, hunter_id)
        if call.status is CallStatus.FINISHED:
            raise CallRefused(Refusal.FINISHED)
        if call.status is CallStatus.PAUSED:
            await self._db.write(partial(_reopen, call_id, self.now()))
            call = replace(call, status=CallStatus.OPEN)
        return CallView(call, engine, state, engine.screen(state))

    async def check_press(
        self, call_id: int, hunter_id: int, *, seq: int, intent: Intent | None = None
    ) -> CallView:
        """The live call a press is about, checked as `apply` would check it; changes nothing.

        For presses that open a menu or a prompt, or that need the screen before they act.
        """
        view = await self.view(call_id, hunter_id)
        _check_seq(view.state, seq, intent)
        if view.call.status is CallStatus.FINISHED:
            raise CallRefused(Refusal.FINISHED)
        if view.call.status is CallStatus.PAUSED:
            raise CallRefused(Refusal.PAUSED)
        return view

    async def set_screen_message(self, call_id: int, *, chat_id: int, message_id: int) -> None:
        """Remember the message that now shows the call screen."""
        await self._db.write(
            partial(_set_screen_message, call_id, chat_id, message_id, self.now())
        )

    # ----- helpers -----

    async def _open(
        self,
        *,
        hunter_id: int,
        chat_id: int,
        flow: Flow,
        card: Mapping[str, FactValue],
        hunter_name: str,
        instead_of: int | None = None,
    ) -> CallView:
        engine = engine_for(flow)
        now = self.now()
        result = engine.start({**card, "hunter_name": hunter_name}, now=now)
        opening = _Opening(
            hunter_id=hunter_id,
            flow_id=flow.id,
            flow_version=flow.version,
            chat_id=chat_id,
            card=dict(engine.snapshot(result.state).displays),
            events=tuple((event.kind, event.step, event.payload) for event in result.events),
            now=now,
            instead_of=instead_of,
        )
        call, stored = await self._db.write(partial(_open_call, opening))
        # Kept as a replay of the stored log would read it: the card's fields come back from
        # JSON in key order, and the lead card lists them in that order from now on.
        self._keep(call, CallState(flow.id, flow.version, tuple(map(self._event, stored))))
        return CallView(call, engine, result.state, result.screen)

    async def _read(
        self, call_id: int, hunter_id: int, *, with_lead: bool = False
    ) -> tuple[Call, Engine, CallState, Lead | None]:
        """The call, its engine and its replayed state (the kept replay when still current)."""
        kept = self._kept.get(call_id)
        after = kept.state.seq if kept is not None else 0
        found = await self._db.read(partial(_read_call, call_id, after, with_lead))
        call = found.call
        if call is None:
            raise CallRefused(Refusal.NOT_FOUND, f"call {call_id}")
        if call.hunter_id != hunter_id:
            raise CallRefused(Refusal.NOT_YOURS, f"call {call_id}")
        flow = self._flows.get((call.flow_id, call.flow_version))
        if flow is None:
            raise CallRefused(Refusal.FLOW_GONE, f"{call.flow_id} v{call.flow_version}")
        engine = engine_for(flow)
        if kept is not None and not kept.extends(call, found.last_seq):
            # Not this call's log any more (the row was replaced): read it all again.
            self._kept.pop(call_id, None)
            return await self._read(call_id, hunter_id, with_lead=with_lead)
        events = tuple(self._event(stored) for stored in found.events)
        if kept is not None and not events:
            state = kept.state
        else:
            before = kept.state.events if kept is not None else ()
            state = CallState(flow.id, flow.version, (*before, *events))
        self._keep(call, state)
        return call, engine, state, found.lead

    def _keep(self, call: Call, state: CallState) -> None:
        kept = self._kept.get(call.id)
        if kept is not None and kept.started_at == call.started_at and kept.state.seq > state.seq:
            return  # a read that started before a later write finished: keep the longer log
        self._kept[call.id] = _Kept(call.started_at, state)
        self._kept.move_to_end(call.id)
        if len(self._kept) > self._cache_size:
            self._kept.popitem(last=False)

    def _event(self, stored: CallEvent) -> Event:
        return Event(
            cast(EventKind, stored.kind),
            stored.step or "",
            cast(Mapping[str, JSON], stored.payload),
            stored.created_at.astimezone(self._zone).isoformat(),
        )

    def _closing(
        self, call: Call, engine: Engine, result: Result, reminder_text: ReminderText | None
    ) -> _Closing:
        """What finishing the call writes besides its events: the lead, the alert, a reminder."""
        finished = result.screen.finished
        assert finished is not None  # noqa: S101 - the caller checked
        summary = summarize(engine, result.state)
        kind = finished.outcome.kind
        lead = None
        alert = kind == "qualified"
        if kind in LEAD_KINDS:
            lead = NewLead(
                call_id=call.id,
                hunter_id=call.hunter_id,
                flow_id=call.flow_id,
                flow_version=call.flow_version,
                score=summary.score,
                temperature=summary.temperature,
                lead_class=summary.lead_class,
                probability=summary.probability,
                expected_value=summary.expected_value,
                currency=summary.currency,
                card=summary.to_json(),
            )
        reminder = None
        if kind == "callback" and finished.callback_at:
            text = reminder_text(summary) if reminder_text else (summary.company or "")
            reminder = (datetime.fromisoformat(finished.callback_at), text)
        payload: dict[str, Any] = {
            "call_id": call.id,
            "handoff": summary.outcome_reason == HANDOFF_REASON,
        }
        return _Closing(
            outcome=finished.outcome.id,
            reason=finished.reason,
            lead=lead,
            alert_chat_id=self._manager_chat_id if alert and lead is not None else None,
            alert_payload=payload,
            reminder=reminder,
            chat_id=call.chat_id,
        )


# ----- units of work, run on the database's threads (plain sqlite3, no awaiting) -----

EventRow = tuple[str, str | None, Mapping[str, Any]]
"""An event as stored: kind, step, payload."""


@dataclass(frozen=True, slots=True)
class _Kept:
    """A call's replayed log, kept between presses; `started_at` tells a replaced row apart."""

    started_at: datetime
    state: CallState

    def extends(self, call: Call, last_seq: int) -> bool:
        """Whether the stored log still starts with this one."""
        return self.started_at == call.started_at and last_seq >= self.state.seq


@dataclass(frozen=True, slots=True)
class _Found:
    call: Call | None
    last_seq: int = 0
    events: Sequence[CallEvent] = ()
    lead: Lead | None = None


def _read_call(call_id: int, after: int, with_lead: bool, conn: sqlite3.Connection) -> _Found:
    records = CallRecords(conn)
    call = records.get(call_id)
    if call is None:
        return _Found(None)
    events = records.events_after(call_id, after)
    last_seq = events[-1].seq if events else records.last_seq(call_id)
    lead = records.lead(call_id) if with_lead and call.status is CallStatus.FINISHED else None
    return _Found(call, last_seq, events, lead)


@dataclass(frozen=True, slots=True)
class _Opening:
    hunter_id: int
    flow_id: str
    flow_version: int
    chat_id: int
    card: Mapping[str, Any]
    events: Sequence[EventRow]
    now: datetime
    instead_of: int | None
    """The earlier call to the same lead, whose pending reminders the new call cancels."""


def _open_call(opening: _Opening, conn: sqlite3.Connection) -> tuple[Call, list[CallEvent]]:
    records = CallRecords(conn)
    if opening.instead_of is not None:
        records.cancel_reminders(opening.instead_of)
    call = records.create(
        hunter_id=opening.hunter_id,
        flow_id=opening.flow_id,
        flow_version=opening.flow_version,
        chat_id=opening.chat_id,
        now=opening.now,
        card=opening.card,
    )
    records.append(call.id, 1, opening.events, now=opening.now)
    return call, records.events_after(call.id, 0)


@dataclass(frozen=True, slots=True)
class _Closing:
    outcome: str
    reason: str | None
    lead: NewLead | None
    alert_chat_id: int | None
    alert_payload: Mapping[str, Any]
    reminder: tuple[datetime, str] | None
    """When to call back, and the reminder's text."""
    chat_id: int


@dataclass(frozen=True, slots=True)
class _Change:
    call_id: int
    hunter_id: int
    first_seq: int
    events: Sequence[EventRow]
    note: str | None
    card: Mapping[str, Any] | None
    """The new lead-card projection, when it changed."""
    closing: _Closing | None
    now: datetime


@dataclass(frozen=True, slots=True)
class _Recorded:
    call: Call | None = None
    """The call row as it was finished (None when the call goes on)."""
    lead: Lead | None = None
    reminder: Reminder | None = None


def _record(change: _Change, conn: sqlite3.Connection) -> _Recorded:
    records = CallRecords(conn)
    call_id = change.call_id
    records.append(call_id, change.first_seq, change.events, now=change.now, card=change.card)
    if change.note is not None:
        records.add_note(call_id, change.hunter_id, change.note, now=change.now)
    closing = change.closing
    if closing is None:
        return _Recorded()
    records.finish(call_id, outcome=closing.outcome, reason=closing.reason, now=change.now)
    lead = None
    if closing.lead is not None:
        try:
            lead = records.create_lead(
                closing.lead,
                now=change.now,
                alert_chat_id=closing.alert_chat_id,
                alert_payload=closing.alert_payload,
            )
        except LeadAlreadyExists as e:
            # A replayed finish: the lead and its single alert already exist.
            logger.info("Call %s already has lead %s", call_id, e.lead_id)
            lead = records.lead(call_id)
    reminder = None
    if closing.reminder is not None:
        due_at, text = closing.reminder
        reminder = records.add_reminder(
            user_id=change.hunter_id,
            chat_id=closing.chat_id,
            due_at=due_at,
            text=text,
            now=change.now,
            call_id=call_id,
        )
    return _Recorded(records.require(call_id), lead, reminder)


def _pause(call_id: int, seq: int, now: datetime, conn: sqlite3.Connection) -> None:
    records = CallRecords(conn)
    call = records.require(call_id)
    # Decided again inside the transaction: the read before it may be out of date.
    _check_pausable(call.status, records.last_seq(call_id), seq)
    records.set_status(call_id, CallStatus.PAUSED, now=now)


def _reopen(call_id: int, now: datetime, conn: sqlite3.Connection) -> None:
    records = CallRecords(conn)
    status = records.require(call_id).status
    if status is CallStatus.FINISHED:
        raise CallRefused(Refusal.FINISHED)
    if status is CallStatus.PAUSED:
        records.set_status(call_id, CallStatus.OPEN, now=now)


def _set_screen_message(
    call_id: int, chat_id: int, message_id: int, now: datetime, conn: sqlite3.Connection
) -> None:
    CallRecords(conn).set_screen_message(call_id, chat_id=chat_id, message_id=message_id, now=now)


def _check_pausable(status: CallStatus, log_seq: int, seq: int) -> None:
    if status is CallStatus.FINISHED:
        raise CallRefused(Refusal.FINISHED)
    if status is CallStatus.PAUSED:
        raise CallRefused(Refusal.RECORDED)
    if seq != log_seq:
        raise CallRefused(Refusal.FORGED if seq > log_seq else Refusal.CLOSED)


def _option(engine: Engine, state: CallState, number: str) -> str:
    """The id of the typed question's choice option shown as button `number`."""
    shown = engine.screen(state).input
    options = shown.options if shown is not None else ()
    if not number.isdigit() or int(number) >= len(options):
        raise ActionRejected("unknown_answer", f"option {number}")
    return options[int(number)][0]


def _check_seq(state: CallState, seq: int, intent: Intent | None) -> None:
    if seq > state.seq:
        raise CallRefused(Refusal.FORGED, f"event {seq} is ahead of the log at {state.seq}")
    if seq < state.seq:
        recorded = intent is not None and intent.already_in(state.events[seq:])
        raise CallRefused(Refusal.RECORDED if recorded else Refusal.CLOSED)
