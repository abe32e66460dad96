"""The summary of a call: the lead card a hunter sees at the end and managers get in an alert.

It is derived from the call's events like everything else, and serialises to plain JSON so the
bot can store it with the lead: an alert, a lead list or an export never needs the flow file the
call ran on (which may have been edited since).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scoring.conditions import parse_condition
from scoring.model import Assessment
from scripts.engine import BANT_ORDER, CallState, Engine, Event, Snapshot
from scripts.schema import Flow

PHONE_TYPE = "phone"
EMAIL_TYPE = "email"
COMPANY_FIELDS = ("company", "company_name", "organization")
CONTACT_FIELDS = ("contact_name", "contact", "name")


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One question of the call and what the client answered."""

    step: str
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class BantLine:
    """One BANT dimension: its status and the client's actual words behind it."""

    dimension: str
    status: str
    answer: str | None


@dataclass(frozen=True, slots=True)
class CriterionLine:
    """One criterion's part in the score, for the "why" of a card."""

    title: str
    level: str | None
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class CallSummary:
    """Everything known about a lead when its call was summarised (JSON-serialisable)."""

    flow_id: str
    flow_version: int
    flow_title: str
    language: str
    company: str | None
    contact: str | None
    phone: str | None
    email: str | None
    lead: tuple[tuple[str, str], ...]
    """Every lead-card field collected: title -> value as shown."""
    outcome: str | None
    outcome_kind: str | None
    outcome_title: str | None
    outcome_reason: str | None
    callback_at: str | None
    score: float
    score_min: float
    score_max: float
    temperature: str
    lead_class: str
    class_title: str
    alert: bool
    sla_minutes: int | None
    strategy: str
    next_step: str
    probability: float | None
    volume: float | None
    expected_value: float | None
    currency: str
    contact_role: str | None
    bant: tuple[BantLine, ...]
    knockouts: tuple[str, ...]
    reasons_for: tuple[str, ...]
    reasons_against: tuple[str, ...]
    unasked: tuple[str, ...]
    criteria: tuple[CriterionLine, ...]
    answers: tuple[AnswerLine, ...]
    notes: tuple[str, ...]
    hunter_name: str | None
    priorities_rated: int | None = None
    """How many of the client's priorities were asked (None: summarised before this was kept);
    0 means the probability is our strengths alone."""

    def to_json(self) -> dict[str, Any]:
        """A plain dict for storage; `from_json` reads it back."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallSummary:
        """Rebuild a summary stored with `to_json`."""
        values = dict(data)
        values["lead"] = tuple(tuple(pair) for pair in values.get("lead", ()))
        values["bant"] = tuple(BantLine(**line) for line in values.get("bant", ()))
        values["criteria"] = tuple(CriterionLine(**line) for line in values.get("criteria", ()))
        values["answers"] = tuple(AnswerLine(**line) for line in values.get("answers", ()))
        for name in ("knockouts", "reasons_for", "reasons_against", "unasked", "notes"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


def summarize(engine: Engine, state: CallState) -> CallSummary:
    """The lead card of a call as it stands (finished or not)."""
    flow = engine.flow
    snapshot = engine.snapshot(state)
    screen = engine.screen(state)
    assessment = screen.assessment
    answers = _answer_lines(engine, _moves_in_effect(snapshot, state.events), snapshot)
    finished = screen.finished
    outcome = finished.outcome if finished is not None else None
    routing = assessment.routing
    return CallSummary(
        flow_id=flow.id,
        flow_version=flow.version,
        flow_title=flow.title,
        language=flow.language,
        company=_first_display(snapshot, COMPANY_FIELDS),
        contact=_first_display(snapshot, CONTACT_FIELDS),
        phone=_display_of_type(flow, snapshot, PHONE_TYPE),
        email=_display_of_type(flow, snapshot, EMAIL_TYPE),
        lead=screen.lead,
        outcome=outcome.id if outcome is not None else None,
        outcome_kind=outcome.kind if outcome is not None else None,
        outcome_title=outcome.title if outcome is not None else None,
        outcome_reason=finished.reason if finished is not None else None,
        callback_at=finished.callback_at if finished is not None else None,
        score=assessment.score,
        score_min=assessment.score_min,
        score_max=assessment.score_max,
        temperature=assessment.temperature,
        lead_class=routing.lead_class,
        class_title=routing.title,
        alert=routing.alert,
        sla_minutes=routing.sla_minutes,
        strategy=routing.strategy,
        next_step=routing.next_step,
        probability=assessment.probability,
        priorities_rated=assessment.priorities_rated,
        volume=assessment.volume,
        expected_value=assessment.expected_value,
        currency=assessment.currency,
        contact_role=assessment.contact_role,
        bant=_bant_lines(flow, assessment, answers),
        knockouts=tuple(hit.title for hit in assessment.knockouts),
        reasons_for=assessment.reasons_for,
        reasons_against=assessment.reasons_against,
        unasked=assessment.unasked,
        criteria=tuple(
            CriterionLine(item.title, item.level, item.weight, item.contribution)
            for item in assessment.criteria
        ),
        answers=tuple(line for line, _ in answers),
        notes=snapshot.notes,
        hunter_name=snapshot.context.get("hunter_name") or None,
    )


_Sourced = tuple[AnswerLine, frozenset[str]]
"""An answer line and the criteria and fields it set (to find the words behind a BANT status)."""


def _moves_in_effect(snapshot: Snapshot, events: Sequence[Event]) -> list[Event]:
    """The answer and input events that still count (not undone by back), oldest first."""
    moves: list[Event] = []
    frame = snapshot.moves
    while frame is not None:
        moves.append(events[frame.event_index])
        frame = frame.before.moves
    moves.reverse()
    return moves


def _answer_lines(engine: Engine, moves: list[Event], snapshot: Snapshot) -> list[_Sourced]:
    flow = engine.flow
    lines: list[_Sourced] = []
    for event in moves:
        step = flow.steps.get(event.step)
        if step is None:
            continue
        question = engine.fill(snapshot, step.ask or step.say or event.step)
        if event.kind == "answer":
            answer_id = event.payload.get("answer")
            answer = next((a for a in step.answers if a.id == answer_id), None)
            if answer is None:
                continue
            touched = (
                frozenset(answer.score)
                | {f"crit.{criterion}" for criterion in answer.score}
                | frozenset(answer.set)
            )
            if answer.role is not None:
                touched |= {"role"}
            if answer.tags:
                touched |= {"tags"}
            lines.append((AnswerLine(event.step, question, answer.label), touched))
        elif step.input is not None:
            name = step.input.field
            shown = (
                str(event.payload.get("display") or event.payload.get("value"))
                if event.kind == "input"
                else _UNKNOWN[flow.language]
            )
            lines.append((AnswerLine(event.step, question, shown), frozenset({name})))
    return lines


_UNKNOWN = {"ru": "не знает", "en": "does not know"}


def _bant_lines(
    flow: Flow, assessment: Assessment, answers: list[_Sourced]
) -> tuple[BantLine, ...]:
    lines = []
    for dimension in BANT_ORDER:
        sources: set[str] = set()
        for criterion_id, criterion in flow.scoring.criteria.items():
            if criterion.bant != dimension:
                continue
            sources.add(criterion_id)
            for rule in criterion.rules:
                if rule.when is not None:
                    sources.update(_identifiers(rule.when))
        said = [line.answer for line, touched in answers if touched & sources]
        lines.append(
            BantLine(dimension, assessment.bant.get(dimension, "unknown"), "; ".join(said) or None)
        )
    return tuple(lines)


def _identifiers(condition: str) -> frozenset[str]:
    return parse_condition(condition).identifiers()


def _first_display(snapshot: Snapshot, names: Sequence[str]) -> str | None:
    for name in names:
        shown = snapshot.displays.get(name)
        if shown:
            return shown
    return None


def _display_of_type(flow: Flow, snapshot: Snapshot, kind: str) -> str | None:
    for name, spec in flow.fields.items():
        if spec.type == kind and snapshot.displays.get(name):
            return snapshot.displays[name]
    return None
