"""The hunter's call as use cases over the database: open, answer, pause, finish.

Each use case is one transaction: load the call row and its events, replay them on the flow's
engine (`CallState`), check the press is for the screen the call is on now, apply one engine
action, append the new events and update the call row (and, on finish, the lead with its alert
and the callback reminder). The current step is never remembered anywhere else: it is derived
from the events every time, so a restart, a double tap or an old message cannot move a call
twice or from the wrong place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, cast
from zoneinfo import ZoneInfo

import aiosqlite

from bot.clock import Clock
from bot.db import Database
from bot.domain import Call, CallEvent, CallStatus, Lead, NewLead, Reminder
from bot.repositories import (
    CallsRepo,
    LeadAlreadyExists,
    LeadsRepo,
    NotesRepo,
    RemindersRepo,
    StaleSequence,
)
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
    ) -> None:
        self._db = db
        self._flows = flows
        self._clock = clock
        self._zone = zone
        self._manager_chat_id = manager_chat_id

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
        engine = engine_for(flow)
        now = self.now()
        result = engine.start({**card, "hunter_name": hunter_name}, now=now)
        displays = dict(engine.snapshot(result.state).displays)
        async with self._db.transaction() as conn:
            calls = CallsRepo(conn)
            call = await calls.create(
                hunter_id=hunter_id,
                flow_id=flow.id,
                flow_version=flow.version,
                chat_id=chat_id,
                now=now,
                card=displays,
            )
            await self._append(calls, call.id, 0, result.events, now)
        return CallView(call, engine, result.state, result.screen)

    async def open_again(
        self, call_id: int, hunter_id: int, *, chat_id: int, hunter_name: str
    ) -> CallView:
        """A new call to the same lead (a callback due): its card, the flow's newest version."""
        async with self._db.transaction() as conn:
            call, engine, state = await self._load(CallsRepo(conn), call_id, hunter_id)
            await RemindersRepo(conn).cancel_for_call(call_id)
        newest = next((f for f in self.newest_flows() if f.id == call.flow_id), engine.flow)
        card_fields = state.events[0].payload.get("fields") if state.events else None
        card = {
            name: value
            for name, value in (card_fields if isinstance(card_fields, dict) else {}).items()
            if name in newest.fields and isinstance(value, bool | int | float | str)
        }
        return await self.open(
            hunter_id=hunter_id, chat_id=chat_id, flow=newest, card=card, hunter_name=hunter_name
        )

    async def view(self, call_id: int, hunter_id: int) -> CallView:
        """The call as it stands (a read; nothing changes)."""
        call, engine, state = await self._load(CallsRepo(self._db.connection), call_id, hunter_id)
        lead = None
        if call.status is CallStatus.FINISHED:
            lead = await LeadsRepo(self._db.connection).get_by_call(call_id)
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
        # Read and decide before taking the write lock: the lock is then held only for the
        # writes, so other hunters' reads queued on the connection do not stretch it. The
        # first append only succeeds if the log is still what was read, so a race can refuse
        # an action but never apply it twice or on top of a changed log.
        call, engine, state = await self._load(CallsRepo(self._db.connection), call_id, hunter_id)
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
        async with self._db.transaction() as conn:
            calls = CallsRepo(conn)
            await self._append(calls, call_id, state.seq, result.events, now)
            if intent.kind == "note":
                await NotesRepo(conn).add(call_id, hunter_id, intent.text or "", now=now)
            if displays != dict(call.card):
                await calls.set_card(call_id, displays, now=now)
                call = replace(call, card=displays)
            if call.status is CallStatus.FINISHED or result.screen.finished is None:
                return CallView(call, engine, result.state, result.screen)
            return await self._finish(
                conn, call, engine, result, now=now, reminder_text=reminder_text
            )

    async def pause(self, call_id: int, hunter_id: int, *, seq: int) -> CallView:
        """Put the call aside (still open for /resume); nothing of the call itself changes."""
        async with self._db.transaction() as conn:
            calls = CallsRepo(conn)
            call, engine, state = await self._load(calls, call_id, hunter_id)
            if call.status is CallStatus.FINISHED:
                raise CallRefused(Refusal.FINISHED)
            if call.status is CallStatus.PAUSED:
                raise CallRefused(Refusal.RECORDED)
            if seq != state.seq:
                raise CallRefused(Refusal.FORGED if seq > state.seq else Refusal.CLOSED)
            await calls.set_status(call_id, CallStatus.PAUSED, now=self.now())
        return CallView(
            replace(call, status=CallStatus.PAUSED), engine, state, engine.screen(state)
        )

    async def reopen(self, call_id: int, hunter_id: int) -> CallView:
        """Continue a paused or open call where it was."""
        async with self._db.transaction() as conn:
            calls = CallsRepo(conn)
            call, engine, state = await self._load(calls, call_id, hunter_id)
            if call.status is CallStatus.FINISHED:
                raise CallRefused(Refusal.FINISHED)
            if call.status is CallStatus.PAUSED:
                await calls.set_status(call_id, CallStatus.OPEN, now=self.now())
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
        async with self._db.transaction() as conn:
            await CallsRepo(conn).set_screen_message(
                call_id, chat_id=chat_id, message_id=message_id, now=self.now()
            )

    # ----- inside a transaction -----

    async def _load(
        self, calls: CallsRepo, call_id: int, hunter_id: int
    ) -> tuple[Call, Engine, CallState]:
        call = await calls.get(call_id)
        if call is None:
            raise CallRefused(Refusal.NOT_FOUND, f"call {call_id}")
        if call.hunter_id != hunter_id:
            raise CallRefused(Refusal.NOT_YOURS, f"call {call_id}")
        flow = self._flows.get((call.flow_id, call.flow_version))
        if flow is None:
            raise CallRefused(Refusal.FLOW_GONE, f"{call.flow_id} v{call.flow_version}")
        engine = engine_for(flow)
        events = tuple(self._event(stored) for stored in await calls.list_events(call_id))
        return call, engine, CallState(flow.id, flow.version, events)

    def _event(self, stored: CallEvent) -> Event:
        return Event(
            cast(EventKind, stored.kind),
            stored.step or "",
            cast(Mapping[str, JSON], stored.payload),
            stored.created_at.astimezone(self._zone).isoformat(),
        )

    @staticmethod
    async def _append(
        calls: CallsRepo, call_id: int, seq: int, events: Sequence[Event], now: datetime
    ) -> None:
        for offset, event in enumerate(events, start=1):
            try:
                await calls.append_event(
                    call_id, seq + offset, event.kind, event.step, event.payload, now=now
                )
            except StaleSequence as e:
                raise CallRefused(Refusal.RECORDED, str(e)) from e

    async def _finish(
        self,
        conn: aiosqlite.Connection,
        call: Call,
        engine: Engine,
        result: Result,
        *,
        now: datetime,
        reminder_text: ReminderText | None,
    ) -> CallView:
        finished = result.screen.finished
        assert finished is not None  # noqa: S101 - the caller checked
        calls = CallsRepo(conn)
        await calls.finish(call.id, outcome=finished.outcome.id, reason=finished.reason, now=now)
        summary = summarize(engine, result.state)
        lead = None
        if finished.outcome.kind in LEAD_KINDS:
            lead = await self._create_lead(
                LeadsRepo(conn), call, summary, alert=finished.outcome.kind == "qualified", now=now
            )
        reminder = None
        if finished.outcome.kind == "callback" and finished.callback_at:
            reminder = await RemindersRepo(conn).add(
                user_id=call.hunter_id,
                chat_id=call.chat_id,
                due_at=datetime.fromisoformat(finished.callback_at),
                text=reminder_text(summary) if reminder_text else (summary.company or ""),
                now=now,
                call_id=call.id,
            )
        return CallView(
            await calls.require(call.id),
            engine,
            result.state,
            result.screen,
            lead=lead,
            reminder=reminder,
        )

    async def _create_lead(
        self, leads: LeadsRepo, call: Call, summary: CallSummary, *, alert: bool, now: datetime
    ) -> Lead:
        payload: dict[str, Any] = {
            "call_id": call.id,
            "handoff": summary.outcome_reason == HANDOFF_REASON,
        }
        try:
            return await leads.create(
                NewLead(
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
                ),
                now=now,
                alert_chat_id=self._manager_chat_id if alert else None,
                alert_payload=payload if alert else None,
            )
        except LeadAlreadyExists as e:
            # A replayed finish: the lead and its single alert already exist.
            logger.info("Call %s already has lead %s", call.id, e.lead_id)
            return await leads.require(e.lead_id)


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
