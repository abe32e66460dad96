"""The qualification model: from a flow's scoring section and a call's facts, an assessment.

Pure, deterministic and typed; called after every answer, so it is kept cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from scoring.spec import BantDimension, ContactRole, ScoringSpec, Temperature

FactValue = str | int | float | bool
BantStatus = Literal["confirmed", "partial", "unknown", "negative"]


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """What the call has established so far about the lead."""

    fields: Mapping[str, FactValue] = field(default_factory=dict)
    unknown_fields: frozenset[str] = frozenset()
    """Fields the client was asked about and did not know (their criteria score as unknown)."""
    levels: Mapping[str, str] = field(default_factory=dict)
    """Criterion id -> level id awarded by answers and objections."""
    role: ContactRole | None = None
    tags: frozenset[str] = frozenset()
    importance: Mapping[str, int] = field(default_factory=dict)
    """Vendor-selection criterion id -> how much this client weighs it (1-5)."""
    finished: bool = False
    """The call is over: whatever was never asked now counts as unknown."""


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One line of the explanation: a criterion, the answer given and what it contributed."""

    id: str
    title: str
    weight: float
    level: str | None
    """None while the criterion is still unasked."""
    contribution: float
    """Points of the 0-100 score this criterion contributes; the contributions sum to the score."""
    max_contribution: float


@dataclass(frozen=True, slots=True)
class KnockoutHit:
    """A minimum criterion the lead failed."""

    reason: str
    title: str
    say: str


@dataclass(frozen=True, slots=True)
class Routing:
    """How managers handle the lead's class."""

    lead_class: str
    title: str
    alert: bool
    sla_minutes: int | None
    strategy: str
    next_step: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the hunter and the managers are shown about how good a lead is, and why."""

    score: float
    score_min: float
    score_max: float
    bant: Mapping[BantDimension, BantStatus]
    contact_role: ContactRole | None
    knockouts: tuple[KnockoutHit, ...]
    temperature: Temperature
    routing: Routing
    probability: float | None
    """Deal probability 0-1 from the client's priorities × our match; None with no vendor data."""
    volume: float | None
    expected_value: float | None
    currency: str
    criteria: tuple[CriterionResult, ...]
    reasons_for: tuple[str, ...]
    reasons_against: tuple[str, ...]
    unasked: tuple[str, ...]

    @property
    def disqualified(self) -> bool:
        """Whether a knock-out fired."""
        return bool(self.knockouts)


def assess(spec: ScoringSpec, facts: LeadFacts, *, language: str = "ru") -> Assessment:
    """Score a lead from the flow's scoring section and the call's facts."""
    raise NotImplementedError
