"""The call engine: runs a call through a flow on a `transitions` state machine.

A call is an append-only log of events (`CallState`); everything else — the current step, the
lead card, criteria levels, role, tags, whether an objection is open or the call is over — is
derived by replaying the log (`replay`). Every action is a pure method of `Engine` that returns
the new events to persist, the new state and the screen to show; an action that is not possible
now raises `ActionRejected` and changes nothing.

Machine use. Each flow version gets one `Machine` (built once, cached by `engine_for`) with
`model=None` and no auto transitions: states are the flow's steps and outcomes, one trigger per
(step, answer) and one per typed input. Conditional branches are transitions guarded by the
project's own callables (`Guard`, a closure over a compiled `scoring.conditions.Condition`), so
no author-written string ever reaches `transitions`, which would import a dotted string. To move
a call the engine triggers the event on a throw-away `_Cursor` that is never bound to the machine
(`Event.trigger(cursor, facts=...)`): binding a model would copy every trigger onto it and
`remove_model` would scan the model list, on every answer. `benchmarks/bench_engine.py` measures
both on a shipped flow: about 8 µs unbound against 250-450 µs bound (30-60x), and a whole answer
(move, screen and assessment) at 45-65 µs on a shared machine, about 3x the raw `assess` call it
includes. The unbound trigger also cannot leak a model: the machine's model list stays empty.

Objections, notes, "no fitting answer", back and finish are not machine transitions: they do not
move the call between steps (back restores the snapshot taken before the undone move).

An answer that leads to an outcome does not end the call: the screen shows the outcome reached
and offers to finish with it, so the hunter can still go back or handle an objection first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, cast, get_args

from transitions import Machine

from scoring.conditions import Condition, Value, parse_condition
from scoring.model import (
    Assessment,
    BantStatus,
    FactValue,
    KnockoutHit,
    LeadFacts,
    assess,
    whole_points,
)
from scoring.spec import BantDimension, ContactRole
from scripts.inputs import Invalid, Parsed, Unknown, parse_input
from scripts.schema import (
    BUILTIN_PLACEHOLDERS,
    Answer,
    Branch,
    Effects,
    FieldType,
    Flow,
    Next,
    OutcomeKind,
    Step,
)

JSON: TypeAlias = str | int | float | bool | list["JSON"] | dict[str, "JSON"] | None

EventKind = Literal[
    "card", "answer", "input", "unknown", "objection", "resume", "note", "nofit", "back", "finish"
]
EVENT_KINDS: frozenset[str] = frozenset(get_args(EventKind))

MOVE_KINDS = frozenset({"answer", "input", "unknown"})
"""Events that move the call to another step; `back` undoes the latest of them."""

RejectReason = Literal[
    "flow_mismatch",
    "not_started",
    "already_started",
    "finished",
    "unknown_answer",
    "no_input",
    "not_skippable",
    "no_route",
    "at_start",
    "unknown_objection",
    "no_objection_open",
    "unknown_outcome",
    "unknown_field",
    "bad_value",
    "empty_text",
]

BANT_ORDER: tuple[BantDimension, ...] = ("budget", "authority", "need", "timeline")
READY_BANT: frozenset[BantStatus] = frozenset({"confirmed", "partial"})
MISSING_MARK = "«{}»"
"""A placeholder with no value is shown as its field title in guillemets, never an error."""

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_NO_FACTS: Mapping[str, Value] = MappingProxyType({})


class ActionRejected(Exception):
    """An action that is not possible in the call's current state; nothing was changed."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: RejectReason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a call's append-only log."""

    kind: EventKind
    step: str
    payload: Mapping[str, JSON]
    at: str
    """ISO 8601 time the action was taken."""

    def to_json(self) -> dict[str, JSON]:
        """A JSON-ready dict (the bot stores it; `from_json` reads it back)."""
        return {"kind": self.kind, "step": self.step, "payload": dict(self.payload), "at": self.at}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        """Rebuild an event stored with `to_json`."""
        kind = data["kind"]
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        payload = data.get("payload") or {}
        if not isinstance(payload, Mapping):
            raise ValueError("event payload must be an object")
        return cls(cast(EventKind, kind), str(data["step"]), dict(payload), str(data["at"]))


@dataclass(frozen=True, slots=True)
class _Frame:
    """One active move: the snapshot before it, and the non-move events that followed it."""

    before: Snapshot
    event_index: int
    after: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything derived from a call's events at one point."""

    step: str
    """The current step id, or the id of the outcome the last answer led to."""
    fields: Mapping[str, FactValue] = field(default_factory=dict)
    displays: Mapping[str, str] = field(default_factory=dict)
    """Field id -> how its value is shown ("1,5 млн ₽", an option's label...)."""
    unknown_fields: frozenset[str] = frozenset()
    levels: Mapping[str, str] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    role: ContactRole | None = None
    importance: Mapping[str, int] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    """Placeholders that are not lead fields: hunter_name, our_company."""
    started_at: str = ""
    objection: str | None = None
    """The objection being handled, if any."""
    finished: str | None = None
    """The outcome the call was finished with."""
    finish_reason: str | None = None
    callback_at: str | None = None
    notes: tuple[str, ...] = ()
    no_fit: tuple[tuple[str, str], ...] = ()
    """(step, text) the hunter typed when no answer fitted; kept for the script author."""
    moves: _Frame | None = None
    depth: int = 0
    """How many moves are in effect (back undoes the latest)."""
    seq: int = 0
    """How many events were replayed."""

    @property
    def path(self) -> tuple[str, ...]:
        """The steps passed through to get here, oldest first (what back walks along)."""
        steps: list[str] = []
        frame = self.moves
        while frame is not None:
            steps.append(frame.before.step)
            frame = frame.before.moves
        return tuple(reversed(steps))

    def facts(self, open_criteria: frozenset[str] = frozenset()) -> LeadFacts:
        """What the scoring model is told about the lead (`open_criteria`: see `LeadFacts`)."""
        return LeadFacts(
            fields=self.fields,
            unknown_fields=self.unknown_fields,
            levels=self.levels,
            role=self.role,
            tags=self.tags,
            importance=self.importance,
            finished=self.finished is not None,
            open_criteria=open_criteria,
        )


@dataclass(frozen=True)
class CallState:
    """A call as stored: which flow version it runs, and its events."""

    flow_id: str
    flow_version: int
    events: tuple[Event, ...] = ()
    _snapshot: Snapshot | None = field(default=None, init=False, compare=False, repr=False)
    """The replay of `events`, kept so the next action costs one event, not the whole log."""

    @property
    def seq(self) -> int:
        """Number of events so far (a stale button press carries an older number)."""
        return len(self.events)


@dataclass(frozen=True, slots=True)
class InputView:
    """The typed answer a step expects."""

    field: str
    type: FieldType
    title: str
    example: str | None
    skippable: bool
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ObjectionView:
    """An objection being handled: what the client said and the rebuttal to read."""

    id: str
    label: str
    say: str


@dataclass(frozen=True, slots=True)
class OutcomeView:
    """An outcome the call can be finished with."""

    id: str
    kind: OutcomeKind
    title: str
    say: str | None = None


@dataclass(frozen=True, slots=True)
class FinishedView:
    """How the call ended."""

    outcome: OutcomeView
    reason: str | None
    callback_at: str | None


@dataclass(frozen=True, slots=True)
class Screen:
    """What the hunter is shown now; the bot renders it as HTML, the console as text."""

    flow_id: str
    flow_version: int
    flow_title: str
    language: str
    step: str
    say: str | None
    ask: str | None
    hint: str | None
    answers: tuple[tuple[str, str], ...]
    columns: int
    input: InputView | None
    objections: tuple[tuple[str, str], ...]
    outcomes: tuple[OutcomeView, ...]
    objection_open: ObjectionView | None
    finished: FinishedView | None
    reached_outcome: OutcomeView | None
    """The last answer led to this outcome; the hunter is offered to finish with it."""
    assessment: Assessment
    knockouts: tuple[KnockoutHit, ...]
    """Failed minimum criteria, each with its exit line (placeholders filled)."""
    disqualify_outcome: OutcomeView | None
    """The outcome offered when a knock-out fired."""
    handoff_ready: bool
    """A hot lead with all of BANT confirmed or partial: offer to hand it to managers now."""
    lead: tuple[tuple[str, str], ...]
    """The lead card so far: field title -> value as shown."""
    seq: int
    can_back: bool
    step_number: int
    path_length_estimate: int


@dataclass(frozen=True, slots=True)
class Result:
    """What an action produced: the new state, the events to persist, the screen to show."""

    state: CallState
    events: tuple[Event, ...]
    """The new events, in order; empty when nothing changed (a typed answer to re-ask)."""
    screen: Screen
    reask: str | None = None
    """Why a typed answer was not understood; the same question is asked again."""


@dataclass(frozen=True, slots=True)
class Edge:
    """One way out of a step: an answer button or a typed input, maybe behind a condition."""

    source: str
    dest: str
    trigger: str
    kind: Literal["answer", "input"]
    label: str
    answer: Answer | None
    """The button (None for a typed input)."""
    field: str | None
    """The field a typed input fills."""
    when: str | None
    """The branch condition that must hold."""
    unless: tuple[str, ...]
    """Conditions of earlier branches that must not hold (branches are tried in order)."""


def answer_trigger(step: str, answer_id: str) -> str:
    """The machine trigger of one answer button of one step."""
    return f"{step}:{answer_id}"


def input_trigger(step: str) -> str:
    """The machine trigger of a step's typed input (and of its "does not know" button)."""
    return f"{step}:="


def _branches(target: Next) -> tuple[Branch, ...]:
    if isinstance(target, str):
        return (Branch(goto=target),)
    return target


def flow_edges(flow: Flow) -> tuple[Edge, ...]:
    """Every transition of a flow, in the order the engine tries them."""
    edges: list[Edge] = []
    for step_id, step in flow.steps.items():
        for answer in step.answers:
            target = answer.next if answer.next is not None else step.next
            if target is None:
                continue
            edges.extend(
                _edges_of(step_id, answer_trigger(step_id, answer.id), target, answer=answer)
            )
        if step.input is not None and step.next is not None:
            edges.extend(
                _edges_of(step_id, input_trigger(step_id), step.next, input_field=step.input.field)
            )
    return tuple(edges)


def _edges_of(
    source: str,
    trigger: str,
    target: Next,
    *,
    answer: Answer | None = None,
    input_field: str | None = None,
) -> list[Edge]:
    edges: list[Edge] = []
    earlier: list[str] = []
    for branch in _branches(target):
        edges.append(
            Edge(
                source=source,
                dest=branch.goto,
                trigger=trigger,
                kind="answer" if answer is not None else "input",
                label=answer.label if answer is not None else f"[{input_field}]",
                answer=answer,
                field=input_field,
                when=branch.when,
                unless=tuple(earlier),
            )
        )
        if branch.when is None:
            break  # a branch without a condition always matches: later ones are dead
        earlier.append(branch.when)
    return edges


class Guard:
    """A transition condition: a compiled author condition evaluated on the call's facts."""

    __slots__ = ("__name__", "condition")

    def __init__(self, condition: Condition, source: str) -> None:
        self.condition = condition
        self.__name__ = source  # shown by transitions' diagrams as the branch condition

    def __call__(self, event_data: Any) -> bool:
        facts: Mapping[str, Any] = event_data.kwargs["facts"]
        return bool(self.condition.evaluate(facts))


class _Cursor:
    """The light, never-bound model a transition is triggered on."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def machine_definition(
    flow: Flow, label: Callable[[Edge], str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """States and transitions of a flow as `transitions` takes them (guards are own callables).

    With `label`, each transition also carries the text a diagram shows on it.
    """
    states = [*flow.steps, *flow.outcomes]
    guards: dict[str, Guard] = {}
    transitions: list[dict[str, Any]] = []
    for edge in flow_edges(flow):
        spec: dict[str, Any] = {
            "trigger": edge.trigger,
            "source": edge.source,
            "dest": edge.dest,
        }
        if label is not None:
            spec["label"] = label(edge)
        if edge.when is not None:
            if edge.when not in guards:
                guards[edge.when] = Guard(parse_condition(edge.when), edge.when)
            spec["conditions"] = [guards[edge.when]]
        transitions.append(spec)
    return states, transitions


_OTHER_CURRENCY: dict[str, str] = {
    "ru": "«{title}» записывается в {expected}, а сумма названа в {found}. "
    "Пересчитайте в {expected} и введите ещё раз.",
    "en": "“{title}” is kept in {expected}, and this amount is in {found}. "
    "Convert it to {expected} and type it again.",
}

_BUILTIN_TITLES: dict[str, dict[str, str]] = {
    "ru": {"hunter_name": "ваше имя", "our_company": "наша компания", "today": "дата"},
    "en": {"hunter_name": "your name", "our_company": "our company", "today": "date"},
}


def _fill(
    text: str | None, values: Mapping[str, str], titles: Mapping[str, str], language: str = "ru"
) -> str | None:
    if text is None or "{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value:
            return value
        return MISSING_MARK.format(titles.get(name) or _BUILTIN_TITLES[language].get(name, name))

    return _PLACEHOLDER.sub(one, text)


def _effect_changes(
    snapshot: Snapshot, effects: Effects, display: Callable[[str, FactValue], str]
) -> dict[str, Any]:
    """The snapshot fields an answer or objection changes, and their new values."""
    changes: dict[str, Any] = {}
    if effects.set:
        changes["fields"] = {**snapshot.fields, **effects.set}
        changes["displays"] = {
            **snapshot.displays,
            **{name: display(name, value) for name, value in effects.set.items()},
        }
        if not snapshot.unknown_fields.isdisjoint(effects.set):
            changes["unknown_fields"] = snapshot.unknown_fields.difference(effects.set)
    if effects.score:
        changes["levels"] = {**snapshot.levels, **effects.score}
    if effects.tags:
        changes["tags"] = snapshot.tags | frozenset(effects.tags)
    if effects.role is not None:
        changes["role"] = effects.role
    if effects.importance:
        changes["importance"] = {**snapshot.importance, **effects.importance}
    return changes


def _show(value: FactValue) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _replace(snapshot: Snapshot, **changes: Any) -> Snapshot:
    # dataclasses.replace re-runs __init__ with every field; this is the hot path of each answer
    values = {name: getattr(snapshot, name) for name in Snapshot.__dataclass_fields__}
    values.update(changes)
    return Snapshot(**values)


class Engine:
    """Runs calls on one flow version; build it once with `engine_for`."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        states, transitions = machine_definition(flow)
        self.machine = Machine(
            model=None,
            states=states,
            transitions=transitions,
            initial=flow.start,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        # Most answers lead straight on; only triggers with branch conditions read the facts.
        self._guarded = frozenset(
            transition["trigger"] for transition in transitions if "conditions" in transition
        )
        self._titles = {name: spec.title for name, spec in flow.fields.items()}
        self._option_labels = {
            name: dict(spec.options) for name, spec in flow.fields.items() if spec.options
        }
        self._distance = _distance_to_outcome(flow)
        self._open_criteria = open_criteria(flow)
        self._step_views = {
            step_id: _step_view(flow, step) for step_id, step in flow.steps.items()
        }
        self._outcome_views = tuple(
            OutcomeView(outcome_id, outcome.kind, outcome.title, outcome.say)
            for outcome_id, outcome in flow.outcomes.items()
        )
        self._objection_buttons = tuple(
            (objection_id, objection.label) for objection_id, objection in flow.objections.items()
        )

    # ----- the log -----

    def snapshot(self, state: CallState) -> Snapshot:
        """The derived state of a call (cached on the state object)."""
        self._check_flow(state)
        cached = state._snapshot
        if cached is None or cached.seq != len(state.events):
            cached = self.replay(state.events)
            object.__setattr__(state, "_snapshot", cached)
        return cached

    def replay(self, events: Iterable[Event]) -> Snapshot:
        """Derive the call's state from its whole log."""
        snapshot: Snapshot | None = None
        for event in events:
            snapshot = self.apply(snapshot, event)
        if snapshot is None:
            raise ActionRejected("not_started")
        return snapshot

    def apply(self, snapshot: Snapshot | None, event: Event) -> Snapshot:
        """The state after one more event (replay is this, folded over the log)."""
        if snapshot is None:
            if event.kind != "card":
                raise ValueError("a call log starts with a card event")
            return self._apply_card(event)
        seq = snapshot.seq + 1
        kind = event.kind
        if kind in MOVE_KINDS:
            return self._apply_move(snapshot, event, seq)
        if kind == "back":
            return self._apply_back(snapshot, seq)
        moved = self._apply_other(snapshot, event, seq)
        if moved.moves is not None:
            frame = moved.moves
            moved = _replace(
                moved, moves=_Frame(frame.before, frame.event_index, (*frame.after, event))
            )
        return moved

    def _apply_card(self, event: Event) -> Snapshot:
        fields_raw = event.payload.get("fields") or {}
        context_raw = event.payload.get("context") or {}
        fields: dict[str, FactValue] = {}
        if isinstance(fields_raw, dict):
            for name, value in fields_raw.items():
                if isinstance(value, bool | int | float | str):
                    fields[name] = value
        context = (
            {name: str(value) for name, value in context_raw.items()}
            if isinstance(context_raw, dict)
            else {}
        )
        displays = {name: self._display(name, value) for name, value in fields.items()}
        return Snapshot(
            step=self.flow.start,
            fields=fields,
            displays=displays,
            context=context,
            started_at=event.at,
            seq=1,
        )

    def _apply_move(self, snapshot: Snapshot, event: Event, seq: int) -> Snapshot:
        payload = event.payload
        if event.kind == "answer":
            answer = self._answer(snapshot.step, str(payload.get("answer")))
            if answer is None:
                raise ValueError(
                    f"answer {payload.get('answer')!r} is not on step {snapshot.step}"
                )
            changes = _effect_changes(snapshot, answer, self._display)
            trigger = answer_trigger(snapshot.step, answer.id)
        else:
            name = str(payload.get("field"))
            fields = dict(snapshot.fields)
            displays = dict(snapshot.displays)
            if event.kind == "input":
                value = payload.get("value")
                if not isinstance(value, bool | int | float | str):
                    raise ValueError(f"input event without a value for {name}")
                fields[name] = value
                displays[name] = str(payload.get("display") or value)
                unknown = snapshot.unknown_fields - {name}
            else:
                fields.pop(name, None)
                displays.pop(name, None)
                unknown = snapshot.unknown_fields | {name}
            changes = {"fields": fields, "displays": displays, "unknown_fields": unknown}
            trigger = input_trigger(snapshot.step)
        seen: Mapping[str, Value] = _NO_FACTS
        if trigger in self._guarded:
            seen = branch_facts(
                changes.get("fields", snapshot.fields),
                changes.get("role", snapshot.role),
                changes.get("tags", snapshot.tags),
            )
        cursor = _Cursor(snapshot.step)
        if not self.machine.events[trigger].trigger(cursor, facts=seen):
            raise ActionRejected("no_route", f"no branch of {trigger} matches")
        return _replace(
            snapshot,
            **changes,
            step=cursor.state,
            objection=None,
            moves=_Frame(snapshot, seq - 1),
            depth=snapshot.depth + 1,
            seq=seq,
        )

    def _apply_back(self, snapshot: Snapshot, seq: int) -> Snapshot:
        frame = snapshot.moves
        if frame is None:
            raise ValueError("back with no move to undo")
        restored = frame.before
        for later in frame.after:
            restored = self.apply(restored, later)
        # notes typed after the undone answer stay: they are about the call, not the answer
        return _replace(restored, seq=seq, objection=None)

    def _apply_other(self, snapshot: Snapshot, event: Event, seq: int) -> Snapshot:
        payload = event.payload
        kind = event.kind
        if kind == "objection":
            objection_id = str(payload.get("objection"))
            objection = self.flow.objections.get(objection_id)
            if objection is None:
                raise ValueError(f"unknown objection {objection_id!r}")
            changes = _effect_changes(snapshot, objection, self._display)
            return _replace(snapshot, **changes, objection=objection_id, seq=seq)
        if kind == "resume":
            return _replace(snapshot, objection=None, seq=seq)
        if kind == "note":
            return _replace(snapshot, notes=(*snapshot.notes, str(payload.get("text"))), seq=seq)
        if kind == "nofit":
            entry = (event.step, str(payload.get("text")))
            return _replace(snapshot, no_fit=(*snapshot.no_fit, entry), seq=seq)
        if kind == "finish":
            reason = payload.get("reason")
            callback_at = payload.get("callback_at")
            return _replace(
                snapshot,
                finished=str(payload.get("outcome")),
                finish_reason=None if reason is None else str(reason),
                callback_at=None if callback_at is None else str(callback_at),
                objection=None,
                seq=seq,
            )
        raise ValueError(f"a call log cannot hold a second {kind!r} event")

    # ----- actions -----

    def start(self, card: Mapping[str, FactValue] | None = None, *, now: datetime) -> Result:
        """Open a call with the lead-card values typed first (and hunter_name / our_company)."""
        fields: dict[str, JSON] = {}
        context: dict[str, JSON] = {}
        for name, value in (card or {}).items():
            if name in BUILTIN_PLACEHOLDERS and name not in self.flow.fields:
                context[name] = str(value)
            elif name in self.flow.fields:
                if not isinstance(value, bool | int | float | str):
                    raise ActionRejected("bad_value", name)
                fields[name] = value
            else:
                raise ActionRejected("unknown_field", name)
        event = Event("card", self.flow.start, {"fields": fields, "context": context}, _iso(now))
        return self._commit(CallState(self.flow.id, self.flow.version), None, (event,))

    def answer(self, state: CallState, answer_id: str, *, now: datetime) -> Result:
        """The client's answer is one of the step's buttons."""
        snapshot = self._live(state)
        answer = self._answer(snapshot.step, answer_id)
        if answer is None:
            raise ActionRejected("unknown_answer", answer_id)
        event = Event("answer", snapshot.step, {"answer": answer_id}, _iso(now))
        return self._move(state, snapshot, event)

    def submit(self, state: CallState, text: str, *, now: datetime, region: str = "RU") -> Result:
        """The hunter typed what the client said; parse it by the field's type."""
        snapshot = self._live(state)
        step = self.flow.steps.get(snapshot.step)
        if step is None or step.input is None:
            raise ActionRejected("no_input", snapshot.step)
        name = step.input.field
        spec = self.flow.fields[name]
        parsed = parse_input(
            spec.type,
            text,
            now=now,
            language=self.flow.language,
            currency=spec.currency,
            options=spec.options,
            region=region,
        )
        at = _iso(now)
        if isinstance(parsed, Parsed) and parsed.currency not in (None, spec.currency):
            # Conditions and the deal value read the number in the field's currency; there is
            # no exchange rate here, so an amount in another one is asked again, not guessed.
            message = _OTHER_CURRENCY[self.flow.language].format(
                title=spec.title, expected=spec.currency, found=parsed.currency
            )
            parsed = Invalid(message)
        if isinstance(parsed, Invalid):
            return Result(state, (), self._screen(snapshot), reask=parsed.message)
        if isinstance(parsed, Unknown):
            payload: dict[str, JSON] = {"field": name, "text": text, "display": parsed.display}
            return self._move(state, snapshot, Event("unknown", snapshot.step, payload, at))
        assert isinstance(parsed, Parsed)  # noqa: S101 - the three results are exhaustive
        payload = {
            "field": name,
            "text": text,
            "value": parsed.value,
            "display": parsed.display,
        }
        if parsed.currency:
            payload["currency"] = parsed.currency
        if parsed.at:
            payload["moment"] = parsed.at
        return self._move(state, snapshot, Event("input", snapshot.step, payload, at))

    def dont_know(self, state: CallState, *, now: datetime) -> Result:
        """The client does not know the answer to the typed question (recorded as unknown)."""
        snapshot = self._live(state)
        step = self.flow.steps.get(snapshot.step)
        if step is None or step.input is None:
            raise ActionRejected("no_input", snapshot.step)
        if not step.input.skippable:
            raise ActionRejected("not_skippable", snapshot.step)
        event = Event("unknown", snapshot.step, {"field": step.input.field}, _iso(now))
        return self._move(state, snapshot, event)

    def back(self, state: CallState, *, now: datetime) -> Result:
        """Undo the last answer and everything it recorded."""
        snapshot = self._live(state)
        if snapshot.moves is None:
            raise ActionRejected("at_start")
        undo = Event("back", snapshot.step, {"undo": snapshot.moves.event_index}, _iso(now))
        return self._commit(state, snapshot, (*self._close_objection(snapshot, _iso(now)), undo))

    def raise_objection(self, state: CallState, objection_id: str, *, now: datetime) -> Result:
        """The client objects; show the rebuttal, the call stays on its step."""
        snapshot = self._live(state)
        if objection_id not in self.flow.objections:
            raise ActionRejected("unknown_objection", objection_id)
        event = Event("objection", snapshot.step, {"objection": objection_id}, _iso(now))
        return self._commit(state, snapshot, (*self._close_objection(snapshot, _iso(now)), event))

    def resume(self, state: CallState, *, now: datetime) -> Result:
        """Back from an objection to the step where it was raised."""
        snapshot = self._live(state)
        if snapshot.objection is None:
            raise ActionRejected("no_objection_open")
        return self._commit(state, snapshot, self._close_objection(snapshot, _iso(now)))

    def note(self, state: CallState, text: str, *, now: datetime) -> Result:
        """A free-text note on the lead; allowed after the call is finished too."""
        snapshot = self.snapshot(state)
        if not text.strip():
            raise ActionRejected("empty_text")
        event = Event("note", snapshot.step, {"text": text.strip()}, _iso(now))
        return self._commit(state, snapshot, (event,))

    def no_fit(self, state: CallState, text: str, *, now: datetime) -> Result:
        """What the client said when no answer fits: kept for the author, the call stays put."""
        snapshot = self._live(state)
        if not text.strip():
            raise ActionRejected("empty_text")
        event = Event("nofit", snapshot.step, {"text": text.strip()}, _iso(now))
        return self._commit(state, snapshot, (event,))

    def finish(
        self,
        state: CallState,
        outcome_id: str,
        *,
        now: datetime,
        reason: str | None = None,
        callback_at: datetime | str | None = None,
    ) -> Result:
        """End the call with an outcome (any outcome: the client may hang up at any step)."""
        snapshot = self._live(state)
        outcome = self.flow.outcomes.get(outcome_id)
        if outcome is None:
            raise ActionRejected("unknown_outcome", outcome_id)
        payload: dict[str, JSON] = {"outcome": outcome_id}
        if reason is not None or outcome.reason is not None:
            payload["reason"] = reason if reason is not None else outcome.reason
        if callback_at is not None:
            payload["callback_at"] = (
                callback_at if isinstance(callback_at, str) else callback_at.isoformat()
            )
        event = Event("finish", snapshot.step, payload, _iso(now))
        return self._commit(state, snapshot, (event,))

    def screen(self, state: CallState) -> Screen:
        """What to show for a call as it is now."""
        return self._screen(self.snapshot(state))

    # ----- helpers -----

    def _check_flow(self, state: CallState) -> None:
        if (state.flow_id, state.flow_version) != self.flow.key:
            raise ActionRejected(
                "flow_mismatch", f"{state.flow_id} v{state.flow_version} is not {self.flow.key}"
            )

    def _live(self, state: CallState) -> Snapshot:
        snapshot = self.snapshot(state)
        if snapshot.finished is not None:
            raise ActionRejected("finished")
        return snapshot

    def _answer(self, step_id: str, answer_id: str) -> Answer | None:
        step = self.flow.steps.get(step_id)
        if step is None:
            return None
        for answer in step.answers:
            if answer.id == answer_id:
                return answer
        return None

    def _close_objection(self, snapshot: Snapshot, at: str) -> tuple[Event, ...]:
        # any step action ends the objection being handled, recorded so replay sees it closed
        if snapshot.objection is None:
            return ()
        return (Event("resume", snapshot.step, {"objection": snapshot.objection}, at),)

    def _move(self, state: CallState, snapshot: Snapshot, event: Event) -> Result:
        return self._commit(state, snapshot, (*self._close_objection(snapshot, event.at), event))

    def _commit(
        self, state: CallState, snapshot: Snapshot | None, events: tuple[Event, ...]
    ) -> Result:
        for event in events:
            snapshot = self.apply(snapshot, event)
        assert snapshot is not None  # noqa: S101 - every action adds at least one event
        new_state = CallState(state.flow_id, state.flow_version, (*state.events, *events))
        object.__setattr__(new_state, "_snapshot", snapshot)
        return Result(new_state, events, self._screen(snapshot))

    def _display(self, name: str, value: FactValue) -> str:
        labels = self._option_labels.get(name)
        if labels is not None and isinstance(value, str) and value in labels:
            return labels[value]
        return _show(value)

    def fill(self, snapshot: Snapshot, text: str) -> str:
        """An author's line with its `{placeholders}` filled as the call's screen shows them."""
        return _fill(text, self._placeholders(snapshot), self._titles, self.flow.language) or ""

    def _placeholders(self, snapshot: Snapshot) -> dict[str, str]:
        values = dict(snapshot.displays)
        values.setdefault(
            "our_company", snapshot.context.get("our_company", self.flow.our_company)
        )
        values.setdefault("hunter_name", snapshot.context.get("hunter_name", ""))
        values.setdefault("today", _today(snapshot.started_at, self.flow.language))
        return values

    def _screen(self, snapshot: Snapshot) -> Screen:
        flow = self.flow
        values = self._placeholders(snapshot)
        titles = self._titles

        def fill(text: str | None) -> str | None:
            return _fill(text, values, titles, flow.language)

        facts = snapshot.facts(self._open_criteria.get(snapshot.step, frozenset()))
        assessment = assess(flow.scoring, facts, language=flow.language)
        step: Step | None = flow.steps.get(snapshot.step)
        reached: OutcomeView | None = None
        finished: FinishedView | None = None
        if snapshot.finished is not None:
            outcome = flow.outcomes[snapshot.finished]
            finished = FinishedView(
                OutcomeView(snapshot.finished, outcome.kind, outcome.title, fill(outcome.say)),
                snapshot.finish_reason,
                snapshot.callback_at,
            )
        elif step is None:
            outcome = flow.outcomes[snapshot.step]
            reached = OutcomeView(snapshot.step, outcome.kind, outcome.title, fill(outcome.say))
        objection_open: ObjectionView | None = None
        if snapshot.objection is not None:
            objection = flow.objections[snapshot.objection]
            objection_open = ObjectionView(
                snapshot.objection, objection.label, fill(objection.say) or ""
            )
        knockouts = tuple(
            KnockoutHit(hit.reason, hit.title, fill(hit.say) or "") for hit in assessment.knockouts
        )
        live = finished is None
        answers, input_view = (
            self._step_views.get(snapshot.step, ((), None)) if live else ((), None)
        )
        say = step.say if step is not None else None
        distance = self._distance.get(snapshot.step, 0)
        return Screen(
            flow_id=flow.id,
            flow_version=flow.version,
            flow_title=flow.title,
            language=flow.language,
            step=snapshot.step,
            say=fill(say) if step is not None else None,
            ask=fill(step.ask) if step is not None else None,
            hint=fill(step.hint) if step is not None else None,
            answers=answers,
            columns=step.columns if step is not None else 1,
            input=input_view,
            objections=self._objection_buttons if live else (),
            outcomes=self._outcome_views if live else (),
            objection_open=objection_open,
            finished=finished,
            reached_outcome=reached,
            assessment=assessment,
            knockouts=knockouts,
            disqualify_outcome=self._disqualify_outcome(knockouts) if live else None,
            handoff_ready=live
            and not knockouts
            and assessment.temperature == "hot"
            and all(assessment.bant.get(dim) in READY_BANT for dim in BANT_ORDER),
            # In the flow's own field order: stored logs may come back with their keys sorted.
            lead=tuple(
                (titles[name], snapshot.displays[name])
                for name in flow.fields
                if name in snapshot.displays
            ),
            seq=snapshot.seq,
            can_back=live and snapshot.moves is not None,
            step_number=snapshot.depth + 1,
            path_length_estimate=snapshot.depth + distance,
        )

    def _disqualify_outcome(self, knockouts: tuple[KnockoutHit, ...]) -> OutcomeView | None:
        if not knockouts:
            return None
        disqualified = [view for view in self._outcome_views if view.kind == "disqualified"]
        reasons = {hit.reason for hit in knockouts}
        for view in disqualified:
            if self.flow.outcomes[view.id].reason in reasons:
                return view
        return disqualified[0] if disqualified else None


def _step_view(flow: Flow, step: Step) -> tuple[tuple[tuple[str, str], ...], InputView | None]:
    """The parts of a step's screen that never change: its buttons and its typed input."""
    answers = tuple((answer.id, answer.label) for answer in step.answers)
    if step.input is None:
        return answers, None
    spec = flow.fields[step.input.field]
    return answers, InputView(
        step.input.field,
        spec.type,
        spec.title,
        step.input.example or spec.example,
        step.input.skippable,
        tuple(spec.options.items()),
    )


def condition_facts(snapshot: Snapshot) -> dict[str, Value]:
    """What a branch condition sees: the lead's fields, plus `role` and `tags` (unless fields)."""
    return branch_facts(snapshot.fields, snapshot.role, snapshot.tags)


def branch_facts(
    fields: Mapping[str, FactValue], role: ContactRole | None, tags: frozenset[str]
) -> dict[str, Value]:
    """The facts a branch condition is evaluated on, from what a call has recorded."""
    facts: dict[str, Value] = dict(fields)
    if role is not None:
        facts.setdefault("role", role)
    facts.setdefault("tags", tags)
    return facts


def _distance_to_outcome(flow: Flow) -> dict[str, int]:
    """Fewest steps from each state to a qualified outcome, else to any outcome (0 at one).

    The progress hint counts towards the call's goal: a short exit (wrong number, "call back")
    exists from nearly every step and would make every call look almost over.
    """
    qualified = [name for name, outcome in flow.outcomes.items() if outcome.kind == "qualified"]
    distance = moves_to(flow, qualified)
    for name, steps in moves_to(flow, flow.outcomes).items():
        distance.setdefault(name, steps)
    return distance


def open_criteria(flow: Flow) -> dict[str, frozenset[str]]:
    """Per state, the criteria the rest of a call from there may still score again.

    A criterion is open when an answer of a step still ahead (the current step included) scores
    it, or sets a field, the role or tags its rules read, or a step ahead asks for such a field;
    whatever an objection changes is open at every step, since one can be raised any time. The
    score line's "up to" must cover these: at the gatekeeper the authority criterion is "no", yet
    the decision-maker may come to the phone two steps later.

    A move back to an earlier step (a new contact asked the same questions again) does not count
    as ahead: with it, every step before the loop would have the whole flow ahead and "up to"
    would read 100 until the end. A call that does go round a loop may see its range widen.
    """
    readers: dict[str, set[str]] = {}
    for criterion_id, criterion in flow.scoring.criteria.items():
        for rule in criterion.rules:
            if rule.when is not None:
                for name in parse_condition(rule.when).identifiers():
                    readers.setdefault(name, set()).add(criterion_id)

    def scored_by(effects: Effects) -> set[str]:
        facts = set(effects.set)
        if effects.role is not None:
            facts.add("role")
        if effects.tags:
            facts.add("tags")
        return set(effects.score).union(*(readers.get(name, ()) for name in facts))

    anytime = set().union(*(scored_by(objection) for objection in flow.objections.values()))
    ahead: dict[str, set[str]] = {state: set(anytime) for state in (*flow.steps, *flow.outcomes)}
    for step_id, step in flow.steps.items():
        for answer in step.answers:
            ahead[step_id] |= scored_by(answer)
        if step.input is not None:
            ahead[step_id] |= readers.get(step.input.field, set())
    following = forward_moves(flow)
    for state in reversed(_topological(following, list(ahead))):
        for dest in following.get(state, ()):
            ahead[state] |= ahead[dest]
    return {state: frozenset(found) for state, found in ahead.items()}


def forward_moves(flow: Flow) -> dict[str, list[str]]:
    """The moves between states but those that go back up the script to close a loop.

    A depth-first walk from the start, taking answers in the order written, meets every loop;
    the move that returns to a step still on the walk's path is the loop's way back. Without
    those moves no cycle remains.
    """
    following: dict[str, list[str]] = {}
    for edge in flow_edges(flow):
        dests = following.setdefault(edge.source, [])
        if edge.dest not in dests:
            dests.append(edge.dest)
    forward: dict[str, list[str]] = {}
    done: set[str] = set()
    for root in [flow.start, *flow.steps]:
        if root in done:
            continue
        path = {root}
        work = [(root, iter(following.get(root, ())))]
        while work:
            state, pending = work[-1]
            dest = next(pending, None)
            if dest is None:
                work.pop()
                path.discard(state)
                done.add(state)
            elif dest not in path:
                forward.setdefault(state, []).append(dest)
                if dest not in done:
                    path.add(dest)
                    work.append((dest, iter(following.get(dest, ()))))
    return forward


def _topological(following: Mapping[str, list[str]], states: list[str]) -> list[str]:
    """The states of an acyclic graph, each before every state it leads to (Kahn's algorithm)."""
    entering = dict.fromkeys(states, 0)
    for dests in following.values():
        for dest in dests:
            entering[dest] += 1
    ready = [state for state in states if entering[state] == 0]
    order: list[str] = []
    while ready:
        state = ready.pop()
        order.append(state)
        for dest in following.get(state, ()):
            entering[dest] -= 1
            if entering[dest] == 0:
                ready.append(dest)
    return order


def moves_to(flow: Flow, targets: Iterable[str]) -> dict[str, int]:
    """Fewest moves from each state to one of `targets` (0 at a target); absent: none reachable."""
    incoming: dict[str, set[str]] = {}
    for edge in flow_edges(flow):
        incoming.setdefault(edge.dest, set()).add(edge.source)
    frontier = list(targets)
    distance = dict.fromkeys(frontier, 0)
    while frontier:
        following: list[str] = []
        for state in frontier:
            for source in incoming.get(state, ()):
                if source not in distance:
                    distance[source] = distance[state] + 1
                    following.append(source)
        frontier = following
    return distance


def _iso(now: datetime) -> str:
    return now.isoformat()


@functools.lru_cache(maxsize=1024)
def _today(started_at: str, language: str) -> str:
    try:
        day = datetime.fromisoformat(started_at).date()
    except ValueError:
        return ""
    return day.strftime("%d.%m.%Y") if language == "ru" else day.isoformat()


_ENGINES: dict[tuple[str, int], tuple[Engine, Flow]] = {}
"""Per flow version: its engine and the flow object last asked about."""


def engine_for(flow: Flow) -> Engine:
    """The engine of a flow version, built once and reused by every call on it."""
    cached = _ENGINES.get(flow.key)
    if cached is not None and cached[1] is flow:
        return cached[0]
    # A deep comparison of two flows costs as much as a whole answer: it is made once per
    # flow object (a reload of the same file), not on every call.
    engine = Engine(flow) if cached is None or cached[0].flow != flow else cached[0]
    _ENGINES[flow.key] = (engine, flow)
    return engine


def replay(flow: Flow, events: Iterable[Event]) -> Snapshot:
    """Derive a call's state from its events."""
    return engine_for(flow).replay(events)


# ----- the live score line (shared by the console and the bot) -----

_TEMPERATURE: dict[str, dict[str, str]] = {
    "ru": {"hot": "🔥 горячий", "warm": "🌤 тёплый", "cold": "❄️ холодный"},
    "en": {"hot": "🔥 hot", "warm": "🌤 warm", "cold": "❄️ cold"},
}
_BANT_MARK: dict[str, str] = {"confirmed": "✅", "partial": "☑️", "unknown": "❔", "negative": "❌"}
_ROLE: dict[str, dict[str | None, str]] = {
    "ru": {
        "dm": "ЛПР ✅",
        "influencer": "ЛВПР",
        "committee": "закупочная группа",
        "gatekeeper": "секретарь",
        None: "ЛПР ❔",
    },
    "en": {
        "dm": "decision-maker ✅",
        "influencer": "influencer",
        "committee": "buying group",
        "gatekeeper": "gatekeeper",
        None: "decision-maker ❔",
    },
}
_UP_TO = {"ru": "до", "en": "up to"}
_KNOCKED_OUT = {"ru": "⛔ стоп-фактор", "en": "⛔ knock-out"}


def score_line(assessment: Assessment, language: str = "ru") -> str:
    """The live score at a glance: 62/100 (до 88) · 🔥 горячий · BANT ✅✅❔❔ · ЛПР ✅."""
    lang = language if language in _TEMPERATURE else "ru"
    score = whole_points(assessment.score)
    top = whole_points(assessment.score_max)
    parts = [f"{score}/100" + (f" ({_UP_TO[lang]} {top})" if top > score else "")]
    parts.append(_TEMPERATURE[lang][assessment.temperature])
    parts.append(f"BANT {bant_marks(assessment.bant)}")
    parts.append(_ROLE[lang][assessment.contact_role])
    if assessment.knockouts:
        parts.append(_KNOCKED_OUT[lang])
    return " · ".join(parts)


def bant_marks(statuses: Mapping[BantDimension, BantStatus]) -> str:
    """The four BANT statuses as marks in B-A-N-T order."""
    return "".join(_BANT_MARK[statuses.get(dim, "unknown")] for dim in BANT_ORDER)
