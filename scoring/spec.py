"""The scoring section of a flow: what an author declares about how leads are qualified.

These models are data only. `scoring.model` computes an assessment from them and a call's facts;
the flow loader validates them (unknown keys, references, condition syntax) with file:line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]

BantDimension = Literal["budget", "authority", "need", "timeline"]
ProfileDimension = Literal["company_size", "industry", "turnover", "deal_frequency"]
Temperature = Literal["hot", "warm", "cold"]
ContactRole = Literal["dm", "influencer", "committee", "gatekeeper"]
"""Who the contact is: ЛПР (decision-maker), ЛВПР (influencer), buying group, gatekeeper."""

UNKNOWN = "unknown"
"""The level every criterion has for "asked, but the client does not know / would not say".

In real B2B sales data an unknown budget wins far less often than either a yes or a no, so
unknown is a level with its own points, never a neutral gap.
"""

DEFAULT_LEVELS: dict[str, float] = {"yes": 1.0, "partial": 0.5, "no": 0.0, UNKNOWN: 0.1}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LevelRule(_Strict):
    """Derive a criterion's level from facts collected so far (typed fields, role, tags)."""

    when: str | None = Field(default=None, alias="if")
    level: str


class Criterion(_Strict):
    """One qualification criterion: its weight and the match levels an answer can award."""

    title: str
    weight: float = Field(gt=0, le=1000)
    bant: BantDimension | None = None
    profile: ProfileDimension | None = None
    levels: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_LEVELS))
    rules: tuple[LevelRule, ...] = ()

    @field_validator("levels")
    @classmethod
    def _levels_are_fractions(cls, levels: dict[str, float]) -> dict[str, float]:
        if UNKNOWN not in levels:
            raise ValueError(f"levels must include '{UNKNOWN}' (an unknown answer is not neutral)")
        for name, points in levels.items():
            if not 0.0 <= points <= 1.0:
                raise ValueError(f"level '{name}' is {points}; levels are fractions from 0 to 1")
        return levels

    @model_validator(mode="after")
    def _one_dimension(self) -> Criterion:
        if self.bant is not None and self.profile is not None:
            raise ValueError("a criterion is either a BANT or a profile dimension, not both")
        return self


class Knockout(_Strict):
    """A minimum criterion: when its condition holds the lead is out, whatever its score."""

    when: str = Field(alias="if")
    reason: Identifier
    title: str
    say: str


class VendorCriterion(_Strict):
    """What a client weighs when choosing a supplier, and how strong we are on it (1-5)."""

    title: str
    ours: int = Field(ge=1, le=5)


class TemperatureRule(_Strict):
    """The first matching rule sets the temperature; a rule without a condition always matches."""

    when: str | None = Field(default=None, alias="if")
    level: Temperature


class LeadClass(_Strict):
    """A class of lead (A/B/C, nurture...) with how managers handle it."""

    id: Identifier
    title: str
    when: str | None = Field(default=None, alias="if")
    alert: bool = False
    sla_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 14)
    strategy: str = ""
    next_step: str = ""


class ValueBand(_Strict):
    """A forecast deal volume for leads matching a condition (used when no budget was named)."""

    when: str | None = Field(default=None, alias="if")
    value: float = Field(ge=0)


class DealValue(_Strict):
    """How the forecast volume of a deal is found: the budget answer first, else size bands."""

    field: Identifier | None = None
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    bands: tuple[ValueBand, ...] = ()


class ScoringSpec(_Strict):
    """The whole scoring section of a flow."""

    criteria: dict[Identifier, Criterion] = Field(default_factory=dict)
    knockouts: tuple[Knockout, ...] = ()
    vendor: dict[Identifier, VendorCriterion] = Field(default_factory=dict)
    temperature: tuple[TemperatureRule, ...] = ()
    classes: tuple[LeadClass, ...] = ()
    deal_value: DealValue | None = None
