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
  level. Each criterion's contribution is its term of that sum, so the contributions add up to the
  score; nothing is rounded here (the display rounds).
- A knock-out that holds disqualifies the lead whatever the score: class `disqualified`, no
  alert, temperature `cold`.
- BANT status per dimension, from the weighted mean points of the dimension's answered criteria
  (levels other than `unknown`): >= 0.75 confirmed, > 0 partial, 0 negative; no answered
  criterion (only unknown or unasked ones, or none at all) -> unknown.
- Deal probability (0-1) = sum(importance x ours) / sum(importance x 5) over the vendor criteria.
  A criterion the client did not rate counts with importance 3, the middle of the 1-5 scale: the
  methodology's neutral prior, so our strength there weighs as an average priority would.
  Importances are clamped to 1-5. No vendor criteria in the flow -> None.
- Temperature: the first matching `temperature` rule; none matches -> cold. A flow without
  temperature rules gets `DEFAULT_TEMPERATURE`: hot when `timeline <= 30d and score >= 70`, warm
  when `score >= 40`, else cold (a `timeline` period field holds days).
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
SHORT_TIMELINE: Final = "timeline <= 30d"
"""When the lead is ready to start soon: a reason for, and part of the default hot rule."""
DEFAULT_TEMPERATURE: Final[tuple[tuple[str, Temperature], ...]] = (
    (f"{SHORT_TIMELINE} and score >= 70", "hot"),
    ("score >= 40", "warm"),
)
"""Temperature rules for a flow that declares none; a lead matching neither is cold."""
UNIMPORTANT_DEFAULT: Final = 3
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
        short_timeline="Готовы начать в течение 30 дней",
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
                strategy="Потребность, бюджет и сроки есть: менеджер связывается сегодня.",
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
        short_timeline="Ready to start within 30 days",
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
                strategy="Need, budget and timeline are there: a manager calls today.",
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


def _points_text(points: float, texts: _Texts) -> str:
    rounded = round(points, 1)
    text = str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"
    return text.replace(".", texts.decimal_point)


# --- the scoring section, prepared once ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CompiledCriterion:
    id: str
    title: str
    fact_key: str
    weight: float
    bant: BantDimension | None
    points: Mapping[str, float]
    rules: tuple[tuple[Condition | None, str], ...]
    rule_fields: frozenset[str]
    results: Mapping[str, CriterionResult]
    """Level id -> this criterion's line of the explanation at that level."""
    unasked: CriterionResult
    min_contribution: float
    max_contribution: float

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
    criteria: tuple[_CompiledCriterion, ...]
    bant: tuple[tuple[BantDimension, tuple[int, ...]], ...]
    """Each BANT dimension with the positions of its criteria."""
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
    results = {
        level: CriterionResult(
            criterion_id, criterion.title, criterion.weight, level, share * points, share * top
        )
        for level, points in criterion.levels.items()
    }
    return _CompiledCriterion(
        id=criterion_id,
        title=criterion.title,
        fact_key=CRITERION_FACT_PREFIX + criterion_id,
        weight=criterion.weight,
        bant=criterion.bant,
        points=dict(criterion.levels),
        rules=rules,
        rule_fields=rule_fields,
        results=results,
        unasked=CriterionResult(
            criterion_id,
            criterion.title,
            criterion.weight,
            None,
            results[UNKNOWN].contribution,
            share * top,
        ),
        min_contribution=share * min(criterion.levels.values()),
        max_contribution=share * top,
    )


def _compile(spec: ScoringSpec) -> _CompiledSpec:
    total_weight = math.fsum(criterion.weight for criterion in spec.criteria.values())
    criteria = tuple(
        _compile_criterion(criterion_id, criterion, criterion.weight / total_weight * 100)
        for criterion_id, criterion in spec.criteria.items()
    )
    bant = tuple(
        (dimension, positions)
        for dimension in BANT_DIMENSIONS
        if (positions := tuple(i for i, c in enumerate(criteria) if c.bant == dimension))
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
    return _CompiledSpec(
        criteria=criteria,
        bant=bant,
        knockouts=tuple(
            (
                parse_condition(knockout.when),
                KnockoutHit(knockout.reason, knockout.title, knockout.say),
            )
            for knockout in spec.knockouts
        ),
        vendor=tuple((vendor_id, vendor.ours) for vendor_id, vendor in spec.vendor.items()),
        temperature=temperature,
        classes=classes or None,
        volume_field=deal_value.field if deal_value else None,
        bands=tuple((_condition(band.when), band.value) for band in deal_value.bands)
        if deal_value
        else (),
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


def _bant_status(
    compiled: _CompiledSpec, results: list[CriterionResult]
) -> dict[BantDimension, BantStatus]:
    statuses: dict[BantDimension, BantStatus] = dict.fromkeys(BANT_DIMENSIONS, "unknown")
    for dimension, positions in compiled.bant:
        weighted = weights = 0.0
        for position in positions:
            level = results[position].level
            if level is None or level == UNKNOWN:
                continue
            criterion = compiled.criteria[position]
            weighted += criterion.weight * criterion.points[level]
            weights += criterion.weight
        if weights:
            mean = weighted / weights
            statuses[dimension] = (
                "confirmed" if mean >= CONFIRMED_POINTS else "partial" if mean > 0 else "negative"
            )
    return statuses


def _probability(compiled: _CompiledSpec, importance: Mapping[str, int]) -> float | None:
    if not compiled.vendor:
        return None
    ours_total = best_total = 0
    for vendor_id, ours in compiled.vendor:
        weight = min(5, max(1, importance.get(vendor_id, UNIMPORTANT_DEFAULT)))
        ours_total += weight * ours
        best_total += weight * 5
    return ours_total / best_total


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


def _criterion_reason(result: CriterionResult, sign: str, points: float, texts: _Texts) -> str:
    level = result.level or UNKNOWN
    name = texts.level_names.get(level, level.replace("_", " "))
    return f"{result.title}: {name} ({sign}{_points_text(points, texts)})"


def _reasons_for(
    compiled: _CompiledSpec,
    results: list[CriterionResult],
    known: Mapping[str, Value],
    texts: _Texts,
) -> tuple[str, ...]:
    favourable = [
        result
        for criterion, result in zip(compiled.criteria, results, strict=True)
        if result.level is not None
        and result.contribution > 0
        and criterion.points[result.level] >= FAVOURABLE_POINTS
    ]
    favourable.sort(key=lambda result: -result.contribution)
    lines = [_criterion_reason(result, "+", result.contribution, texts) for result in favourable]
    # The strongest answer leads; then what a closer asks first: is the decision-maker on the
    # line, and do they want to start soon.
    facts = [texts.dm_reached] if known.get("role") == "dm" else []
    if _SHORT_TIMELINE.evaluate(known):
        facts.append(texts.short_timeline)
    return tuple((lines[:1] + facts + lines[1:])[:3])


def _reasons_against(
    compiled: _CompiledSpec,
    results: list[CriterionResult],
    hits: tuple[KnockoutHit, ...],
    texts: _Texts,
) -> tuple[str, ...]:
    lines = [texts.knockout.format(title=hit.title) for hit in hits[:3]]
    if len(lines) < 3:
        weak = [
            result
            for criterion, result in zip(compiled.criteria, results, strict=True)
            if result.level is not None
            and result.max_contribution > result.contribution
            and (result.level == UNKNOWN or criterion.points[result.level] < FAVOURABLE_POINTS)
        ]
        # An unknown answer is the strongest warning sign in sales data, so it comes first.
        weak.sort(key=lambda r: (r.level != UNKNOWN, r.contribution - r.max_contribution))
        lines.extend(
            _criterion_reason(result, "−", result.max_contribution - result.contribution, texts)
            for result in weak[: 3 - len(lines)]
        )
    return tuple(lines)


def assess(spec: ScoringSpec, facts: LeadFacts, *, language: str = "ru") -> Assessment:
    """Score a lead from the flow's scoring section and the call's facts."""
    texts = _texts(language)
    compiled = _prepared(spec)
    known: dict[str, Value] = dict(facts.fields)
    known["role"] = facts.role
    known["tags"] = facts.tags

    awarded = facts.levels
    unknown_fields = facts.unknown_fields
    finished = facts.finished
    results: list[CriterionResult] = []
    levels: list[tuple[str, str]] = []
    unasked: list[str] = []
    score = score_min = score_max = 0.0
    for criterion in compiled.criteria:
        level = awarded.get(criterion.id)
        if level is None:
            if criterion.rules:
                level = criterion.level_from_rules(known, unknown_fields)
            if level is None and finished:
                level = UNKNOWN
        if level is None:
            result = criterion.unasked
            score_min += criterion.min_contribution
            score_max += criterion.max_contribution
            unasked.append(criterion.title)
        else:
            found = criterion.results.get(level)
            if found is None:
                raise ValueError(f"criterion '{criterion.id}' has no level '{level}'")
            result = found
            score_min += result.contribution
            score_max += result.contribution
            levels.append((criterion.fact_key, level))
        score += result.contribution
        results.append(result)
    # Rounding of the sums can overshoot 100 by an ulp; the contributions stay exact.
    score, score_min, score_max = min(score, 100.0), min(score_min, 100.0), min(score_max, 100.0)

    known.update(levels)
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
        bant=_bant_status(compiled, results),
        contact_role=facts.role,
        knockouts=hits,
        temperature=temperature,
        routing=routing,
        probability=probability,
        volume=volume,
        expected_value=expected_value,
        currency=compiled.currency,
        criteria=tuple(results),
        reasons_for=_reasons_for(compiled, results, known, texts),
        reasons_against=_reasons_against(compiled, results, hits, texts),
        unasked=tuple(unasked),
    )
