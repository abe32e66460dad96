"""The call-script (flow) format: pydantic models for `scripts/flows/*.yaml`.

A flow is data: the lead-card fields it collects, steps with the hunter's lines and the answers,
global objections, terminal outcomes and the scoring section. Cross-references (targets, fields,
criteria, conditions) are checked by `scripts.lint`, which reports every problem with file:line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.spec import ContactRole, Identifier, ScoringSpec

FORMAT_VERSION = 1

FieldType = Literal["text", "phone", "email", "number", "money", "date", "period", "choice"]
OutcomeKind = Literal[
    "qualified", "nurture", "disqualified", "callback", "wrong_contact", "no_answer", "refused"
]
Language = Literal["ru", "en"]
ScalarValue = str | int | float | bool

# Ids travel in Telegram callback data (at most 64 bytes), so they are short ASCII.
StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
AnswerId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=24)]

BUILTIN_PLACEHOLDERS = frozenset({"hunter_name", "our_company", "today"})
"""Placeholders every line may use besides the flow's own fields."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FieldSpec(_Strict):
    """A lead-card field the flow collects, typed so typed answers are parsed and checked."""

    type: FieldType
    title: str
    required: bool = False
    card: bool = False
    """Asked when the call opens (company, contact, phone...), before the first step."""
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    options: dict[Identifier, str] = Field(default_factory=dict)
    example: str | None = None

    @model_validator(mode="after")
    def _options_only_for_choice(self) -> FieldSpec:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice field needs options")
        if self.type != "choice" and self.options:
            raise ValueError(f"options are only for choice fields, not {self.type}")
        return self


class Branch(_Strict):
    """One conditional exit of a step: go to `goto` when `if` holds (no `if`: the default)."""

    when: str | None = Field(default=None, alias="if")
    goto: StepId


Next = StepId | tuple[Branch, ...]
"""Where an answer leads: a step or outcome id, or conditional branches tried in order."""


class Effects(_Strict):
    """What an answer or an objection records about the lead."""

    set: dict[Identifier, ScalarValue] = Field(default_factory=dict)
    score: dict[Identifier, str] = Field(default_factory=dict)
    """Criterion id -> the match level this answer awards."""
    tags: tuple[Identifier, ...] = ()
    role: ContactRole | None = None
    importance: dict[Identifier, int] = Field(default_factory=dict)
    """Vendor-selection criterion id -> how much this client weighs it (1-5)."""


class Answer(Effects):
    """A one-tap answer button."""

    id: AnswerId
    label: str = Field(min_length=1)
    next: Next | None = None
    """Missing: the step's own `next`."""


class Input(_Strict):
    """A typed answer: the hunter types what the client said; it is parsed as the field's type."""

    field: Identifier
    example: str | None = None
    skippable: bool = True
    """Offer a "client does not know" button, recorded as unknown (never as neutral)."""


class Step(_Strict):
    """One screen of the call: what to say, what to ask, and how the client can answer."""

    say: str | None = None
    ask: str | None = None
    hint: str | None = None
    answers: tuple[Answer, ...] = ()
    input: Input | None = None
    next: Next | None = None
    columns: int = Field(default=1, ge=1, le=8)
    """Answer buttons per keyboard row."""

    @model_validator(mode="after")
    def _answers_or_input(self) -> Step:
        if not self.answers and self.input is None:
            raise ValueError("a step needs answers or an input")
        if self.say is None and self.ask is None:
            raise ValueError("a step needs a line to say or a question to ask")
        if self.input is not None and self.next is None:
            raise ValueError("a step with an input needs `next`")
        if self.answers and self.next is None and any(a.next is None for a in self.answers):
            missing = next(a.id for a in self.answers if a.next is None)
            raise ValueError(
                f"answer '{missing}' has no `next` and the step has no default `next`"
            )
        return self


class Objection(Effects):
    """A client's objection that can be raised at any step; the call returns to that step."""

    label: str = Field(min_length=1)
    say: str = Field(min_length=1)


class Outcome(_Strict):
    """A terminal state of the call."""

    kind: OutcomeKind
    title: str
    say: str | None = None
    reason: Identifier | None = None

    @model_validator(mode="after")
    def _reason_for_disqualified(self) -> Outcome:
        if self.kind == "disqualified" and self.reason is None:
            raise ValueError("a disqualified outcome needs a `reason`")
        return self


class Flow(_Strict):
    """A whole call script."""

    format: Literal[1]
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
    version: int = Field(ge=1)
    title: str
    language: Language
    our_company: str = ""
    description: str = ""
    start: StepId
    fields: dict[Identifier, FieldSpec] = Field(default_factory=dict)
    steps: dict[StepId, Step]
    objections: dict[AnswerId, Objection] = Field(default_factory=dict)
    outcomes: dict[StepId, Outcome]
    scoring: ScoringSpec = Field(default_factory=ScoringSpec)

    @property
    def key(self) -> tuple[str, int]:
        """The flow's identity: calls keep the version they started on."""
        return (self.id, self.version)
