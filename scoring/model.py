"""The qualification model: from a flow's scoring section and a call's facts, an assessment.

Pure, deterministic and typed; called after every answer, so it is kept cheap: everything that
depends only on the scoring section (parsed conditions, each criterion's result per level, the
routing of each class) is prepared once per `ScoringSpec` object and reused while it lives.

How a lead is scored:

- A criterion's level is the one an answer or objection awarded (`LeadFacts.levels`, which wins);
  else the first of its `rules` whose condition holds; else `unknown` when the client was asked a
  field those rules read and did not know it (`LeadFacts.unknown_fields`); else it is unasked.
  Once the call is finished, an unasked criterion counts as `unknown`.
- Score = sum(weight x points) / sum(weight) x 100, where an unasked criterion counts with its
  `unknown` points; `score_min` / `score_max` put every unasked criterion at its lowest / highest
  level, and so every criterion the rest of the call may still score again
  (`LeadFacts.open_criteria`: a later answer of the flow, or an objection, can change it). Each
  criterion's contribution is its term of that sum, so the contributions add up to the score;
  nothing is rounded here (the display rounds).
- A knock-out that holds disqualifies the lead whatever the score: class `disqualified`, no
  alert, temperature `cold`.
- BANT status per dimension, from the weighted mean points of the dimension's answered criteria
  (levels other than `unknown`): >= 0.75 confirmed, > 0 partial, 0 negative; no answered
  criterion (only unknown or unasked ones, or none at all) -> unknown.
- Deal probability (0-1) = sum(importance x ours) / sum(importance x 5) over the vendor criteria.
  A criterion the client did not rate counts with importance 3, the middle of the 1-5 scale: the
  methodology's neutral prior, so our strength there weighs as an average priority would. With
  none rated the figure is our strengths alone; `priorities_rated` says so, and cards show it.
  Importances are clamped to 1-5. No vendor criteria in the flow -> None.
- Temperature: the first matching `temperature` rule; none matches -> cold. A flow without
  temperature rules gets `DEFAULT_TEMPERATURE`: hot when `timeline <= 31d and score >= 70`, warm
  when `score >= 40`, else cold (a `timeline` period field holds days; 31 because "in a month"
  is 28 to 31 days depending on the date).
- Class: a knock-out wins over everything; else the first matching class; declared classes of
  which none matches -> `unclassified` (no alert). A flow without classes gets `DEFAULT_CLASSES`:
  A for hot leads (alert, 15-minute SLA), B for warm, C for cold.
- Deal value: the volume is the money named in the `deal_value.field` answer when there is one,
  else the value of the first matching size band. Expected value = volume x probability, used to
  rank leads; a flow without vendor criteria has no probability, so the score (as a fraction) is
  the win chance instead, and leads of that flow still rank. A disqualified lead's expected value
  is 0: nobody will work it.

Condition facts: the identifiers a condition in the scoring section may use, built once per call
into one mapping (the linter checks conditions against the same names, `BUILTIN_FACT_TYPES` and
`CRITERION_FACT_PREFIX`):

=================  ==========================================================================
every field        its value (money and numbers as numbers, a period as days, a choice as its
                   option id); absent until answered
``role``           the contact's role: dm, influencer, committee, gatekeeper; absent until known
``tags``           the call's tags, a set: ``tags contains urgent``
``score``          the score 0-100; also ``score_min`` and ``score_max``
``crit.<id>``      the level id of each criterion that has one: ``crit.budget == yes``
``knocked_out``    true when a knock-out holds
``probability``    deal probability in percent, 0-100; absent when the flow has no vendor criteria
``temperature``    hot, warm or cold
=================  ==========================================================================

Each part of the scoring section sees the facts known by the time it is evaluated: level rules
see the fields, ``role`` and ``tags`` (the score is made of them); knock-outs also see the score
and ``crit.<id>``; temperature rules also ``knocked_out`` and ``probability``; class rules and
deal-value bands see everything. The built-in names win over a field of the same name.
"""

from __future__ import annotations

import math
import operator
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypeVar, get_args

from scoring.conditions import Condition, Value, parse_condition
from scoring.spec import (
    UNKNOWN,
    BantDimension,
    ContactRole,
    Criterion,
    ScoringSpec,
    Temperature,
)

FactValue = str | int | float | bool
BantStatus = Literal["confirmed", "partial", "unknown", "negative"]

_Outcome = TypeVar("_Outcome")

BANT_DIMENSIONS: Final[tuple[BantDimension, ...]] = get_args(BantDimension)
CONFIRMED_POINTS: Final = 0.75
"""Mean points from which a BANT dimension counts as confirmed."""
FAVOURABLE_POINTS: Final = 0.5
"""Points from which a level is a reason for the lead, and below which a reason against."""
SHORT_TIMELINE: Final = "timeline <= 31d"
"""When the lead is ready to start within a month: a reason for, and part of the default hot rule.

A typed "через месяц" is 28 to 31 days from the call depending on the date, so the bound is the
longest month: with 30 days, "in a month" said on 1 July would miss it.
"""
DEFAULT_TEMPERATURE: Final[tuple[tuple[str, Temperature], ...]] = (
    (f"{SHORT_TIMELINE} and score >= 70", "hot"),
    ("score >= 40", "warm"),
)
"""Temperature rules for a flow that declares none; a lead matching neither is cold."""
DEFAULT_IMPORTANCE: Final = 3
"""Importance of a vendor criterion the client did not rate: the middle of the 1-5 scale."""

CRITERION_FACT_PREFIX: Final = "crit."
"""`crit.<criterion id>` holds the criterion's level id in conditions."""
BUILTIN_FACT_TYPES: Final[Mapping[str, str]] = {
    "role": "role",
    "tags": "tags",
    "score": "number",
    "score_min": "number",
    "score_max": "number",
    "knocked_out": "bool",
    "probability": "number",
    "temperature": "choice",
}
"""Facts every condition may use besides the flow's fields, with their types for `check_types`."""
_SCORED: Final = frozenset({"score", "score_min", "score_max"})
BUILTIN_FACTS_BY_PART: Final[Mapping[str, frozenset[str]]] = {
    "rules": frozenset({"role", "tags"}),
    "knockouts": frozenset({"role", "tags"}) | _SCORED,
    "temperature": frozenset({"role", "tags", "knocked_out", "probability"}) | _SCORED,
    "classes": frozenset(BUILTIN_FACT_TYPES),
    "deal_value": frozenset(BUILTIN_FACT_TYPES),
}
"""The built-in facts each part of the scoring section sees (`crit.<id>` from knock-outs on)."""


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
    open_criteria: frozenset[str] = frozenset()
    """Criteria the rest of the call may still score again (a later answer or an objection), so
    the range keeps their lowest and highest level even though they have one now. The model does
    not know the flow; the engine does, and says which. Ignored once the call is finished."""


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
    priorities_rated: int
    """How many vendor criteria the client rated; 0: `probability` rests on the neutral prior."""
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


# --- texts -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Texts:
    level_names: Mapping[str, str]
    knockout: str
    dm_reached: str
    short_timeline: str
    decimal_point: str
    disqualified: Routing
    unclassified: Routing
    default_classes: Mapping[Temperature, Routing]


_TEXTS: Final[Mapping[str, _Texts]] = {
    "ru": _Texts(
        level_names={"yes": "да", "partial": "частично", "no": "нет", UNKNOWN: "не знает"},
        knockout="Стоп-фактор: {title}",
        dm_reached="ЛПР на связи",
        short_timeline="Готовы начать в течение месяца",
        decimal_point=",",
        disqualified=Routing(
            "disqualified",
            "Дисквалифицирован",
            alert=False,
            sla_minutes=None,
            strategy="Менеджерам не передаётся.",
            next_step="Вежливо завершить разговор.",
        ),
        unclassified=Routing("unclassified", "Без класса", False, None, "", ""),
        default_classes={
            "hot": Routing(
                "a",
                "A — горячий",
                alert=True,
                sla_minutes=15,
                strategy="Горячий лид: менеджер связывается сегодня.",
                next_step="Позвонить в течение 15 минут и назначить встречу.",
            ),
            "warm": Routing(
                "b",
                "B — тёплый",
                alert=False,
                sla_minutes=None,
                strategy="Интерес есть, но не всё ясно: прогрев материалами и повторный звонок.",
                next_step="Отправить КП и перезвонить через неделю.",
            ),
            "cold": Routing(
                "c",
                "C — холодный",
                alert=False,
                sla_minutes=None,
                strategy="Интереса пока нет: долгий прогрев рассылкой.",
                next_step="Добавить в рассылку и вернуться через квартал.",
            ),
        },
    ),
    "en": _Texts(
        level_names={"yes": "yes", "partial": "partly", "no": "no", UNKNOWN: "does not know"},
        knockout="Knock-out: {title}",
        dm_reached="Decision-maker on the line",
        short_timeline="Ready to start within a month",
        decimal_point=".",
        disqualified=Routing(
            "disqualified",
            "Disqualified",
            alert=False,
            sla_minutes=None,
            strategy="Not passed to managers.",
            next_step="Close the call politely.",
        ),
        unclassified=Routing("unclassified", "Unclassified", False, None, "", ""),
        default_classes={
            "hot": Routing(
                "a",
                "A — hot",
                alert=True,
                sla_minutes=15,
                strategy="A hot lead: a manager gets in touch today.",
                next_step="Call within 15 minutes and book a meeting.",
            ),
            "warm": Routing(
                "b",
                "B — warm",
                alert=False,
                sla_minutes=None,
                strategy="Interested, but not everything is clear: nurture and call again.",
                next_step="Send a proposal and call back in a week.",
            ),
            "cold": Routing(
                "c",
                "C — cold",
                alert=False,
                sla_minutes=None,
                strategy="No interest yet: long-term nurturing by newsletter.",
                next_step="Add to the newsletter and come back next quarter.",
            ),
        },
    ),
}
DEFAULT_CLASSES: Final[Mapping[str, Mapping[Temperature, Routing]]] = {
    language: texts.default_classes for language, texts in _TEXTS.items()
}
"""Per language, the class of a lead by its temperature for a flow that declares no classes."""


def _texts(language: str) -> _Texts:
    try:
        return _TEXTS[language]
    except KeyError:
        raise ValueError(
            f"unsupported language {language!r}: use one of {sorted(_TEXTS)}"
        ) from None


def rounded_half_up(value: float, digits: int = 0) -> float:
    """`value` rounded to `digits` decimals the way people round: halves go up (10.5 -> 11)."""
    # round() rounds halves to even (10.5 -> 10, 12.5 -> 12), which reads as a mistake on a
    # score. Going through six decimals first absorbs the float error of a sum such as
    # 12.499999999999998, which is 12.5 on paper.
    scale = 10.0**digits
    return math.floor(round(value * scale, 6) + 0.5) / scale


def whole_points(value: float) -> int:
    """A score (or a percentage) in whole points, as the hunter and the managers read it."""
    return int(rounded_half_up(value))


def _points_text(points: float, texts: _Texts) -> str:
    rounded = rounded_half_up(points, 1)
    text = str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"
    return text.replace(".", texts.decimal_point)


# --- the scoring section, prepared once ------------------------------------------------------

_UNKNOWN_FIRST: Final = 1000.0
"""Added to an unknown answer's rank: more than any level can lose, so unknowns come first."""


@dataclass(frozen=True, slots=True)
class _Award:
    """A criterion at one level (or unasked): everything a call needs from it, prepared."""

    result: CriterionResult
    contribution: float
    low: float
    """The contribution to `score_min`: the lowest level while unasked, else the contribution."""
    high: float
    """The contribution to `score_max`."""
    unasked: str | None
    """The criterion's title while it is unasked (listed as still to ask), else None."""
    fact: tuple[str, str] | None
    """`crit.<id>` and the level, for conditions; None while unasked."""
    bant: tuple[BantDimension, float, float] | None
    """The BANT dimension with the criterion's weight and weight x points; None while unasked,
    for an unknown answer (it says nothing about the dimension) or outside BANT."""
    side: int
    """1: a reason for the lead, -1: a reason against, 0: neither."""
    rank: float
    """Sort key among reasons of the same side: the strongest first."""
    finished: _Award | None
    """While unasked: the criterion at `unknown`, which it counts as once the call is over."""
    reason: Mapping[str, str]
    """Language -> the reason as a manager reads it."""


@dataclass(frozen=True, slots=True)
class _CompiledCriterion:
    id: str
    awards: Mapping[str | None, _Award]
    """Level id (None: unasked) -> the criterion at that level."""
    rules: tuple[tuple[Condition | None, str], ...]
    rule_fields: frozenset[str]

    def level_from_rules(
        self, facts: Mapping[str, Value], unknown_fields: frozenset[str]
    ) -> str | None:
        """The level the first matching rule gives; unknown if a field it reads was unknown."""
        for condition, level in self.rules:
            if condition is None or condition.evaluate(facts):
                return level
        if not self.rule_fields.isdisjoint(unknown_fields):
            return UNKNOWN
        return None


@dataclass(frozen=True, slots=True)
class _CompiledSpec:
    awards: tuple[tuple[str, Mapping[str | None, _Award]], ...]
    """Each criterion's id with its prepared levels."""
    bant_positions: tuple[int, ...]
    """Where the BANT criteria are among `criteria`."""
    with_rules: tuple[tuple[int, _CompiledCriterion], ...]
    """The criteria that derive their level from rules, with their positions."""
    levels_in_conditions: bool
    """Whether any condition reads `crit.<id>` (else those facts are not built)."""
    knockouts: tuple[tuple[Condition, KnockoutHit], ...]
    vendor: tuple[tuple[str, int], ...]
    temperature: tuple[tuple[Condition | None, Temperature], ...]
    classes: tuple[tuple[Condition | None, Routing], ...] | None
    """None: the flow declares no classes, the default set applies."""
    volume_field: str | None
    bands: tuple[tuple[Condition | None, float], ...]
    currency: str


def _condition(text: str | None) -> Condition | None:
    return None if text is None else parse_condition(text)


def _compile_criterion(
    criterion_id: str, criterion: Criterion, share: float
) -> _CompiledCriterion:
    """Prepare a criterion; `share` is its weight as points of the 0-100 score."""
    rules = tuple((_condition(rule.when), rule.level) for rule in criterion.rules)
    for _, level in rules:
        if level not in criterion.levels:
            raise ValueError(
                f"criterion '{criterion_id}': a rule awards undeclared level '{level}'"
            )
    rule_fields = frozenset(
        name for condition, _ in rules if condition is not None for name in condition.identifiers()
    )
    top = max(criterion.levels.values())
    awards: dict[str | None, _Award] = {
        level: _award(criterion_id, criterion, level, points, share, top)
        for level, points in criterion.levels.items()
    }
    unknown = awards[UNKNOWN].contribution
    awards[None] = _Award(
        result=CriterionResult(
            criterion_id, criterion.title, criterion.weight, None, unknown, share * top
        ),
        contribution=unknown,
        low=share * min(criterion.levels.values()),
        high=share * top,
        unasked=criterion.title,
        fact=None,
        bant=None,
        side=0,
        rank=0.0,
        reason={},
        finished=awards[UNKNOWN],
    )
    return _CompiledCriterion(criterion_id, awards, rules, rule_fields)


def _award(
    criterion_id: str, criterion: Criterion, level: str, points: float, share: float, top: float
) -> _Award:
    contribution, best = share * points, share * top
    side, sign, shown = 0, "", 0.0
    if points >= FAVOURABLE_POINTS and level != UNKNOWN and contribution > 0:
        side, sign, shown = 1, "+", contribution
    elif (points < FAVOURABLE_POINTS or level == UNKNOWN) and best > contribution:
        side, sign, shown = -1, "−", best - contribution
    reason = {}
    for language, texts in _TEXTS.items():
        name = texts.level_names.get(level, level.replace("_", " "))
        reason[language] = f"{criterion.title}: {name} ({sign}{_points_text(shown, texts)})"
    bant = None
    if criterion.bant is not None and level != UNKNOWN:
        bant = (criterion.bant, criterion.weight, criterion.weight * points)
    return _Award(
        result=CriterionResult(
            criterion_id, criterion.title, criterion.weight, level, contribution, best
        ),
        contribution=contribution,
        low=contribution,
        high=contribution,
        unasked=None,
        fact=(CRITERION_FACT_PREFIX + criterion_id, level),
        bant=bant,
        side=side,
        # The more points a level gains or loses, the earlier it is shown; an unknown answer is
        # the strongest warning sign in sales data, so it goes before every low level.
        rank=-shown - (_UNKNOWN_FIRST if level == UNKNOWN else 0.0),
        reason=reason,
        finished=None,
    )


def _compile(spec: ScoringSpec) -> _CompiledSpec:
    total_weight = math.fsum(criterion.weight for criterion in spec.criteria.values())
    criteria = tuple(
        _compile_criterion(criterion_id, criterion, criterion.weight / total_weight * 100)
        for criterion_id, criterion in spec.criteria.items()
    )
    temperature = tuple((_condition(rule.when), rule.level) for rule in spec.temperature) or tuple(
        (parse_condition(text), level) for text, level in DEFAULT_TEMPERATURE
    )
    classes = tuple(
        (
            _condition(lead_class.when),
            Routing(
                lead_class.id,
                lead_class.title,
                lead_class.alert,
                lead_class.sla_minutes,
                lead_class.strategy,
                lead_class.next_step,
            ),
        )
        for lead_class in spec.classes
    )
    deal_value = spec.deal_value
    knockouts = tuple(
        (
            parse_condition(knockout.when),
            KnockoutHit(knockout.reason, knockout.title, knockout.say),
        )
        for knockout in spec.knockouts
    )
    bands = (
        tuple((_condition(band.when), band.value) for band in deal_value.bands)
        if deal_value
        else ()
    )
    conditions = [
        condition
        for rules in (knockouts, temperature, classes, bands)
        for condition, _ in rules
        if condition is not None
    ]
    return _CompiledSpec(
        awards=tuple((criterion.id, criterion.awards) for criterion in criteria),
        bant_positions=tuple(
            position
            for position, criterion_id in enumerate(spec.criteria)
            if spec.criteria[criterion_id].bant is not None
        ),
        with_rules=tuple(
            (position, criterion) for position, criterion in enumerate(criteria) if criterion.rules
        ),
        levels_in_conditions=any(
            name.startswith(CRITERION_FACT_PREFIX)
            for condition in conditions
            for name in condition.identifiers()
        ),
        knockouts=knockouts,
        vendor=tuple((vendor_id, vendor.ours) for vendor_id, vendor in spec.vendor.items()),
        temperature=temperature,
        classes=classes or None,
        volume_field=deal_value.field if deal_value else None,
        bands=bands,
        currency=deal_value.currency if deal_value else "RUB",
    )


# A ScoringSpec holds dicts, so it is not hashable: the prepared form is cached by the object's
# id and dropped when the object dies (a weak reference), so a reused id never sees stale data.
_PREPARED: dict[int, tuple[weakref.ref[ScoringSpec], _CompiledSpec]] = {}


def _prepared(spec: ScoringSpec) -> _CompiledSpec:
    key = id(spec)
    entry = _PREPARED.get(key)
    if entry is not None and entry[0]() is spec:
        return entry[1]
    compiled = _compile(spec)

    def forget(ref: weakref.ref[ScoringSpec]) -> None:
        current = _PREPARED.get(key)
        if current is not None and current[0] is ref:
            del _PREPARED[key]

    _PREPARED[key] = (weakref.ref(spec, forget), compiled)
    return compiled


# --- assessing a lead ------------------------------------------------------------------------


def _bant(
    answered: list[tuple[BantDimension, float, float] | None],
) -> dict[BantDimension, BantStatus]:
    """Each BANT dimension's status from its criteria that have a level other than unknown."""
    weights: dict[BantDimension, float] = {}
    points: dict[BantDimension, float] = {}
    for entry in answered:
        if entry is None:
            continue
        dimension, weight, weighted = entry
        weights[dimension] = weights.get(dimension, 0.0) + weight
        points[dimension] = points.get(dimension, 0.0) + weighted
    statuses: dict[BantDimension, BantStatus] = dict.fromkeys(BANT_DIMENSIONS, "unknown")
    for dimension, weight in weights.items():
        mean = points[dimension] / weight
        statuses[dimension] = (
            "confirmed" if mean >= CONFIRMED_POINTS else "partial" if mean > 0 else "negative"
        )
    return statuses


def _probability(compiled: _CompiledSpec, importance: Mapping[str, int]) -> float | None:
    if not compiled.vendor:
        return None
    ours_total = importance_total = 0
    for vendor_id, ours in compiled.vendor:
        weight = importance.get(vendor_id, DEFAULT_IMPORTANCE)
        weight = 1 if weight < 1 else 5 if weight > 5 else weight
        ours_total += weight * ours
        importance_total += weight
    # The best a supplier can be is 5 on every criterion.
    return ours_total / (importance_total * 5)


def _volume(compiled: _CompiledSpec, facts: Mapping[str, Value]) -> float | None:
    if compiled.volume_field is not None:
        named = facts.get(compiled.volume_field)
        if isinstance(named, int | float) and not isinstance(named, bool) and named >= 0:
            return float(named)
    for condition, value in compiled.bands:
        if condition is None or condition.evaluate(facts):
            return value
    return None


def _first_match(
    rules: tuple[tuple[Condition | None, _Outcome], ...], facts: Mapping[str, Value]
) -> _Outcome | None:
    for condition, outcome in rules:
        if condition is None or condition.evaluate(facts):
            return outcome
    return None


_SHORT_TIMELINE: Final = parse_condition(SHORT_TIMELINE)
_RANK: Final = operator.attrgetter("rank")


def _reasons_for(
    favourable: list[_Award], known: Mapping[str, Value], texts: _Texts, language: str
) -> tuple[str, ...]:
    favourable.sort(key=_RANK)
    lines = [award.reason[language] for award in favourable[:3]]
    # The strongest answer leads; then what a closer asks first: is the decision-maker on the
    # line, and do they want to start soon.
    facts = [texts.dm_reached] if known.get("role") == "dm" else []
    if _SHORT_TIMELINE.evaluate(known):
        facts.append(texts.short_timeline)
    return tuple((lines[:1] + facts + lines[1:])[:3])


def _reasons_against(
    weak: list[_Award], hits: tuple[KnockoutHit, ...], texts: _Texts, language: str
) -> tuple[str, ...]:
    lines = [texts.knockout.format(title=hit.title) for hit in hits[:3]]
    if len(lines) < 3:
        weak.sort(key=_RANK)
        lines.extend(award.reason[language] for award in weak[: 3 - len(lines)])
    return tuple(lines)


def _undeclared_level(compiled: _CompiledSpec, awarded: Mapping[str, str]) -> ValueError:
    for criterion_id, awards in compiled.awards:
        level = awarded.get(criterion_id)
        if level not in awards:
            return ValueError(f"criterion '{criterion_id}' has no level '{level}'")
    return ValueError("a level is not declared by its criterion")


def assess(spec: ScoringSpec, facts: LeadFacts, *, language: str = "ru") -> Assessment:
    """Score a lead from the flow's scoring section and the call's facts."""
    texts = _texts(language)
    compiled = _prepared(spec)
    known: dict[str, Value] = dict(facts.fields)
    known["role"] = facts.role
    known["tags"] = facts.tags

    # Comprehensions over records prepared per level: cheaper than one loop full of branches.
    awarded = facts.levels.get
    try:
        chosen = [awards[awarded(criterion_id)] for criterion_id, awards in compiled.awards]
    except KeyError:
        raise _undeclared_level(compiled, facts.levels) from None
    for position, criterion in compiled.with_rules:
        if chosen[position].unasked is not None:
            level = criterion.level_from_rules(known, facts.unknown_fields)
            if level is not None:
                chosen[position] = criterion.awards[level]
    if facts.finished:
        chosen = [award.finished or award for award in chosen]

    score = min(sum([award.contribution for award in chosen]), 100.0)
    lows = [award.low for award in chosen]
    highs = [award.high for award in chosen]
    if facts.open_criteria and not facts.finished:
        for position, (criterion_id, awards) in enumerate(compiled.awards):
            if criterion_id in facts.open_criteria:
                lows[position], highs[position] = awards[None].low, awards[None].high
    # Each criterion's low <= contribution <= high, so this only guards the last ulp of rounding.
    score_min = min(sum(lows), score)
    score_max = max(min(sum(highs), 100.0), score)

    if compiled.levels_in_conditions:
        known.update([award.fact for award in chosen if award.fact is not None])
    known["score"] = score
    known["score_min"] = score_min
    known["score_max"] = score_max
    hits = tuple(hit for condition, hit in compiled.knockouts if condition.evaluate(known))
    knocked_out = bool(hits)
    known["knocked_out"] = knocked_out
    probability = _probability(compiled, facts.importance)
    known["probability"] = None if probability is None else probability * 100

    temperature: Temperature = "cold"
    if not knocked_out:
        temperature = _first_match(compiled.temperature, known) or "cold"
    known["temperature"] = temperature

    if knocked_out:
        routing = texts.disqualified
    elif compiled.classes is None:
        routing = texts.default_classes[temperature]
    else:
        routing = _first_match(compiled.classes, known) or texts.unclassified

    volume = _volume(compiled, known)
    expected_value: float | None = None
    if volume is not None:
        chance = score / 100 if probability is None else probability
        expected_value = 0.0 if knocked_out else volume * chance

    return Assessment(
        score=score,
        score_min=score_min,
        score_max=score_max,
        bant=_bant([chosen[position].bant for position in compiled.bant_positions]),
        contact_role=facts.role,
        knockouts=hits,
        temperature=temperature,
        routing=routing,
        probability=probability,
        priorities_rated=sum(
            1 for vendor_id, _ in compiled.vendor if vendor_id in facts.importance
        ),
        volume=volume,
        expected_value=expected_value,
        currency=compiled.currency,
        criteria=tuple([award.result for award in chosen]),
        reasons_for=_reasons_for(
            [award for award in chosen if award.side > 0], known, texts, language
        ),
        reasons_against=_reasons_against(
            [award for award in chosen if award.side < 0], hits, texts, language
        ),
        unasked=tuple([award.unasked for award in chosen if award.unasked is not None]),
    )
