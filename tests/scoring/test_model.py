"""The qualification model: levels, score and range, knock-outs, BANT, probability, temperature,
class and routing, deal value, and the explanation a manager reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from scoring.model import (
    BUILTIN_FACT_TYPES,
    BUILTIN_FACTS_BY_PART,
    Assessment,
    LeadFacts,
    assess,
    rounded_half_up,
    whole_points,
)
from scoring.spec import ScoringSpec

# Weights add up to 100, so each criterion's weight is its share of the score in points.
THREE_CRITERIA: dict[str, Any] = {
    "criteria": {
        "budget": {"title": "Бюджет", "weight": 50, "bant": "budget"},
        "need": {"title": "Потребность", "weight": 30, "bant": "need"},
        "timeline": {"title": "Сроки", "weight": 20, "bant": "timeline"},
    }
}


def spec_of(section: Mapping[str, Any]) -> ScoringSpec:
    """A scoring section as an author writes it in a flow file."""
    return ScoringSpec.model_validate(section)


def with_section(**parts: Any) -> ScoringSpec:
    """The three-criteria section with more parts (knock-outs, classes...)."""
    return spec_of({**THREE_CRITERIA, **parts})


def one_criterion(points: float) -> ScoringSpec:
    """A section whose score is exactly `points` x 100 once its only criterion is at `fit`."""
    return spec_of(
        {
            "criteria": {
                "fit": {"title": "Fit", "weight": 1, "levels": {"fit": points, "unknown": 0}}
            }
        }
    )


# --- criteria levels and the score ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "score", "score_min", "score_max"),
    [
        # Nothing asked: every criterion at its unknown points (0.1) in the score.
        ({}, 10, 0, 100),
        ({"budget": "yes"}, 50 + 3 + 2, 50, 100),
        ({"budget": "yes", "need": "partial", "timeline": "no"}, 65, 65, 65),
        ({"budget": "partial", "need": "yes"}, 25 + 30 + 2, 55, 75),
        # Unknown is its own answer: above "no", far below "partial".
        ({"budget": "unknown", "need": "yes", "timeline": "yes"}, 5 + 30 + 20, 55, 55),
        ({"budget": "no", "need": "yes", "timeline": "yes"}, 50, 50, 50),
    ],
)
def test_score_and_range_from_awarded_levels(
    levels: dict[str, str], score: float, score_min: float, score_max: float
) -> None:
    result = assess(spec_of(THREE_CRITERIA), LeadFacts(levels=levels))
    assert (result.score, result.score_min, result.score_max) == pytest.approx(
        (score, score_min, score_max)
    )


@pytest.mark.parametrize(
    ("open_criteria", "finished", "score_min", "score_max"),
    [
        # budget "no" 0 + need "yes" 30 + timeline unasked: 0 to 20 (2 in the score)
        (frozenset(), False, 30, 50),
        # a later answer may still score the budget again: 0 to 50 for it
        (frozenset({"budget"}), False, 30, 100),
        # the call is over: nothing is open, the unasked timeline is unknown (2)
        (frozenset({"budget"}), True, 32, 32),
    ],
)
def test_a_criterion_open_to_later_answers_keeps_its_whole_range(
    open_criteria: frozenset[str], finished: bool, score_min: float, score_max: float
) -> None:
    facts = LeadFacts(
        levels={"budget": "no", "need": "yes"}, open_criteria=open_criteria, finished=finished
    )
    result = assess(spec_of(THREE_CRITERIA), facts)
    assert result.score == pytest.approx(32)
    assert (result.score_min, result.score_max) == pytest.approx((score_min, score_max))


def test_declared_levels_replace_the_defaults() -> None:
    spec = spec_of(
        {
            "criteria": {
                "size": {
                    "title": "Размер",
                    "weight": 2,
                    "levels": {"big": 1.0, "mid": 0.6, "small": 0.2, "unknown": 0.05},
                },
                "need": {"title": "Потребность", "weight": 2},
            }
        }
    )
    # size mid: 2 x 0.6; need unasked counts at unknown 0.1 -> (1.2 + 0.2) / 4 x 100 = 35.
    result = assess(spec, LeadFacts(levels={"size": "mid"}))
    assert result.score == pytest.approx(35)
    # Range: need from 0 (no) to 1 (yes) -> (1.2 + 0) / 4 and (1.2 + 2) / 4.
    assert (result.score_min, result.score_max) == pytest.approx((30, 80))


def test_a_level_the_criterion_does_not_declare_is_refused() -> None:
    with pytest.raises(ValueError, match="criterion 'need' has no level 'maybe'"):
        assess(spec_of(THREE_CRITERIA), LeadFacts(levels={"need": "maybe"}))


def test_no_criteria_scores_zero() -> None:
    result = assess(ScoringSpec(), LeadFacts())
    assert (result.score, result.score_min, result.score_max) == (0, 0, 0)
    assert result.criteria == ()
    assert result.routing.lead_class == "c"


# --- rules, unknown and unasked ------------------------------------------------------------------

RULED = spec_of(
    {
        "criteria": {
            "budget": {
                "title": "Бюджет",
                "weight": 1,
                "rules": [
                    {"if": "budget >= 1m", "level": "yes"},
                    {"if": "budget >= 300k", "level": "partial"},
                    {"if": "budget < 300k", "level": "no"},
                ],
            },
            "authority": {
                "title": "Полномочия",
                "weight": 1,
                "rules": [
                    {"if": "role == dm", "level": "yes"},
                    {"if": "tags contains committee", "level": "partial"},
                ],
            },
        }
    }
)


@pytest.mark.parametrize(
    ("facts", "budget_level", "authority_level"),
    [
        (LeadFacts(fields={"budget": 1_500_000}), "yes", None),
        (LeadFacts(fields={"budget": 1_000_000}), "yes", None),
        (LeadFacts(fields={"budget": 999_999}), "partial", None),
        (LeadFacts(fields={"budget": 10}), "no", None),
        (LeadFacts(role="dm"), None, "yes"),
        (LeadFacts(tags=frozenset({"committee"})), None, "partial"),
        # No rule matches the influencer: still unasked.
        (LeadFacts(role="influencer"), None, None),
        # An awarded level wins over what the rules say.
        (LeadFacts(fields={"budget": 2_000_000}, levels={"budget": "no"}), "no", None),
        # Asked and not known: unknown, its own level; a field nobody reads changes nothing.
        (LeadFacts(unknown_fields=frozenset({"budget"})), "unknown", None),
        (LeadFacts(unknown_fields=frozenset({"employees"})), None, None),
        # A rule that matches beats the unknown mark (the answer came later).
        (
            LeadFacts(fields={"budget": 500_000}, unknown_fields=frozenset({"budget"})),
            "partial",
            None,
        ),
        # The call is over: whatever was never asked counts as unknown.
        (LeadFacts(role="influencer", finished=True), "unknown", "unknown"),
    ],
)
def test_levels_from_rules(
    facts: LeadFacts, budget_level: str | None, authority_level: str | None
) -> None:
    budget, authority = assess(RULED, facts).criteria
    assert (budget.level, authority.level) == (budget_level, authority_level)


def test_a_rule_without_condition_always_matches() -> None:
    spec = spec_of(
        {
            "criteria": {
                "fit": {
                    "title": "Fit",
                    "weight": 1,
                    "rules": [{"if": "employees >= 50", "level": "yes"}, {"level": "partial"}],
                }
            }
        }
    )
    assert assess(spec, LeadFacts()).criteria[0].level == "partial"
    assert assess(spec, LeadFacts(fields={"employees": 80})).criteria[0].level == "yes"


@pytest.mark.parametrize(
    ("facts", "level", "score", "unasked"),
    [
        # Unasked: counted at its unknown points now, listed as still to ask.
        (LeadFacts(), None, 10, ("Бюджет",)),
        (LeadFacts(unknown_fields=frozenset({"budget"})), "unknown", 10, ()),
        (LeadFacts(finished=True), "unknown", 10, ()),
    ],
)
def test_unknown_and_unasked_score_alike_but_only_unasked_is_open(
    facts: LeadFacts, level: str | None, score: float, unasked: tuple[str, ...]
) -> None:
    spec = spec_of({"criteria": {"budget": RULED.criteria["budget"].model_dump(by_alias=True)}})
    result = assess(spec, facts)
    assert result.criteria[0].level == level
    assert result.score == pytest.approx(score)
    assert result.unasked == unasked
    # Only an unasked criterion leaves the score open.
    assert (result.score_min, result.score_max) == pytest.approx(
        (0, 100) if level is None else (score, score)
    )


# --- knock-outs ----------------------------------------------------------------------------------

KNOCKOUTS = [
    {
        "if": "employees < 10",
        "reason": "too_small",
        "title": "Меньше 10 сотрудников",
        "say": "Спасибо, мы работаем с компаниями от 10 человек.",
    },
    {
        "if": "tags contains no_need",
        "reason": "no_need",
        "title": "Нет потребности",
        "say": "Понял, не отнимаю время.",
    },
]


@pytest.mark.parametrize(
    ("facts", "reasons"),
    [
        (LeadFacts(fields={"employees": 9}), ("too_small",)),
        (LeadFacts(fields={"employees": 10}), ()),
        (LeadFacts(), ()),
        (LeadFacts(tags=frozenset({"no_need"})), ("no_need",)),
        (
            LeadFacts(fields={"employees": 3}, tags=frozenset({"no_need"})),
            ("too_small", "no_need"),
        ),
    ],
)
def test_knockouts_fire_on_their_conditions(facts: LeadFacts, reasons: tuple[str, ...]) -> None:
    result = assess(with_section(knockouts=KNOCKOUTS), facts)
    assert tuple(hit.reason for hit in result.knockouts) == reasons
    assert result.disqualified == bool(reasons)


def test_a_knockout_disqualifies_a_perfect_lead() -> None:
    spec = with_section(
        knockouts=KNOCKOUTS,
        temperature=[{"if": "score >= 90", "level": "hot"}],
        classes=[{"id": "a", "title": "A", "if": "score >= 90", "alert": True}],
        deal_value={"field": "budget"},
    )
    facts = LeadFacts(
        fields={"employees": 5, "budget": 2_000_000},
        levels={"budget": "yes", "need": "yes", "timeline": "yes"},
        role="dm",
    )
    result = assess(spec, facts)
    assert result.score == pytest.approx(100)
    assert result.knockouts[0].say == "Спасибо, мы работаем с компаниями от 10 человек."
    assert result.routing.lead_class == "disqualified"
    assert result.routing.title == "Дисквалифицирован"
    assert result.routing.alert is False
    assert result.temperature == "cold"
    # Nobody will work a disqualified lead, so it ranks last whatever its volume.
    assert (result.volume, result.expected_value) == (2_000_000, 0)
    assert result.reasons_against[0] == "Стоп-фактор: Меньше 10 сотрудников"


def test_a_knockout_may_read_the_score() -> None:
    spec = with_section(
        knockouts=[
            {"if": "score < 20", "reason": "weak", "title": "Слабый лид", "say": "Спасибо!"}
        ]
    )
    assert assess(spec, LeadFacts()).disqualified  # 10 points with nothing asked
    assert not assess(spec, LeadFacts(levels={"budget": "yes"})).disqualified


# --- BANT ----------------------------------------------------------------------------------------

BANT_SPEC = spec_of(
    {
        "criteria": {
            "budget_size": {"title": "Сумма", "weight": 30, "bant": "budget"},
            "budget_approved": {"title": "Утверждён", "weight": 10, "bant": "budget"},
            "authority": {
                "title": "ЛПР",
                "weight": 10,
                "bant": "authority",
                "levels": {"yes": 1, "mostly": 0.75, "somewhat": 0.7, "no": 0, "unknown": 0.1},
            },
            "need": {"title": "Потребность", "weight": 10, "bant": "need"},
            "urgency": {"title": "Срочность", "weight": 10},
        }
    }
)


@pytest.mark.parametrize(
    ("levels", "budget", "authority", "need"),
    [
        ({}, "unknown", "unknown", "unknown"),
        # Weighted mean of the answered criteria: (30 x 1 + 10 x 0) / 40 = 0.75.
        ({"budget_size": "yes", "budget_approved": "no"}, "confirmed", "unknown", "unknown"),
        # (30 x 0 + 10 x 1) / 40 = 0.25.
        ({"budget_size": "no", "budget_approved": "yes"}, "partial", "unknown", "unknown"),
        ({"budget_size": "no", "budget_approved": "no"}, "negative", "unknown", "unknown"),
        # An unknown answer says nothing about the dimension; the answered one decides.
        ({"budget_size": "unknown", "budget_approved": "no"}, "negative", "unknown", "unknown"),
        ({"budget_size": "unknown"}, "unknown", "unknown", "unknown"),
        ({"authority": "mostly"}, "unknown", "confirmed", "unknown"),
        ({"authority": "somewhat"}, "unknown", "partial", "unknown"),
        ({"need": "partial"}, "unknown", "unknown", "partial"),
        ({"need": "yes", "urgency": "yes"}, "unknown", "unknown", "confirmed"),
    ],
)
def test_bant_status_per_dimension(
    levels: dict[str, str], budget: str, authority: str, need: str
) -> None:
    result = assess(BANT_SPEC, LeadFacts(levels=levels))
    # No criterion covers the timeline in this flow: it stays unknown.
    assert result.bant == {
        "budget": budget,
        "authority": authority,
        "need": need,
        "timeline": "unknown",
    }


@pytest.mark.parametrize("role", ["dm", "influencer", "committee", "gatekeeper", None])
def test_contact_role_is_reported_as_given(role: Any) -> None:
    assert assess(BANT_SPEC, LeadFacts(role=role)).contact_role == role


# --- deal probability ----------------------------------------------------------------------------

VENDOR = {
    "price": {"title": "Цена", "ours": 3},
    "delivery": {"title": "Сроки поставки", "ours": 5},
    "quality": {"title": "Качество", "ours": 4},
}


@pytest.mark.parametrize(
    ("importance", "probability", "rated"),
    [
        # (5x3 + 2x5 + 3x4) / ((5 + 2 + 3) x 5) = 37 / 50; quality not rated counts as 3.
        ({"price": 5, "delivery": 2}, 37 / 50, 2),
        # Nothing rated: (3x3 + 3x5 + 3x4) / (9 x 5) = 36 / 45, our strengths alone.
        ({}, 36 / 45, 0),
        # (1x3 + 5x5 + 1x4) / (7 x 5) = 32 / 35.
        ({"price": 1, "delivery": 5, "quality": 1}, 32 / 35, 3),
        # Out of the 1-5 scale: clamped to (5x3 + 1x5 + 3x4) / (9 x 5) = 32 / 45.
        ({"price": 9, "delivery": 0}, 32 / 45, 2),
        # A criterion the flow does not declare is ignored.
        ({"support": 5}, 36 / 45, 0),
    ],
)
def test_probability_is_importance_times_our_match(
    importance: dict[str, int], probability: float, rated: int
) -> None:
    result = assess(with_section(vendor=VENDOR), LeadFacts(importance=importance))
    assert result.probability == pytest.approx(probability)
    assert result.priorities_rated == rated


def test_no_vendor_criteria_means_no_probability() -> None:
    spec = with_section(classes=[{"id": "likely", "title": "L", "if": "probability >= 0"}])
    result = assess(spec, LeadFacts(importance={"price": 5}))
    assert result.probability is None
    # Absent, so even "probability >= 0" does not hold.
    assert result.routing.lead_class == "unclassified"


# --- temperature ---------------------------------------------------------------------------------

TEMPERATURE = [
    {"if": "timeline <= 14d and score >= 60", "level": "hot"},
    {"if": "tags contains urgent", "level": "hot"},
    {"if": "score >= 45", "level": "warm"},
]


@pytest.mark.parametrize(
    ("facts", "temperature"),
    [
        # 50 + 30 + 2 = 82 points and a start within two weeks.
        (LeadFacts(fields={"timeline": 14}, levels={"budget": "yes", "need": "yes"}), "hot"),
        (LeadFacts(fields={"timeline": 15}, levels={"budget": "yes", "need": "yes"}), "warm"),
        (LeadFacts(tags=frozenset({"urgent"})), "hot"),
        (LeadFacts(levels={"budget": "yes"}), "warm"),  # 55 points
        # 5 + 30 + 2 = 37 points and no rule matches: cold.
        (LeadFacts(levels={"budget": "unknown", "need": "yes"}), "cold"),
    ],
)
def test_first_matching_temperature_rule(facts: LeadFacts, temperature: str) -> None:
    assert assess(with_section(temperature=TEMPERATURE), facts).temperature == temperature


@pytest.mark.parametrize(
    ("points", "timeline", "temperature"),
    [
        (0.70, 30, "hot"),
        # "через месяц" said on 1 July is 31 days away: still within a month.
        (0.70, 31, "hot"),
        (0.70, 32, "warm"),
        (0.69, 30, "warm"),
        (0.90, None, "warm"),
        (0.40, 10, "warm"),
        (0.39, 10, "cold"),
        (0.0, None, "cold"),
    ],
)
def test_default_temperature_without_rules(
    points: float, timeline: int | None, temperature: str
) -> None:
    fields = {} if timeline is None else {"timeline": timeline}
    facts = LeadFacts(fields=fields, levels={"fit": "fit"})
    assert assess(one_criterion(points), facts).temperature == temperature


# --- what conditions can see ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        ("employees >= 100", True),
        ("industry == food", True),
        ("role == dm", True),
        ("tags contains urgent", True),
        ("tags contains tender", False),
        # 50 + 30 x 0.5 + 20 x 0.1 (timeline unasked) = 67; from 65 to 85 with the timeline open.
        ("score > 66.9 and score < 67.1", True),
        ("score > 67.1", False),
        ("score_min > 64.9 and score_min < 65.1 and score_max > 84.9 and score_max < 85.1", True),
        ("crit.budget == yes", True),
        ("crit.need == partial", True),
        ("crit.timeline is set", False),
        ("temperature == warm", True),
        # Nothing rated: 36 / 45 = 80 %.
        ("probability > 79.9 and probability < 80.1", True),
        ("knocked_out", False),
        ("not knocked_out", True),
        ("budget is set", False),
    ],
)
def test_class_conditions_see_the_facts_namespace(condition: str, matches: bool) -> None:
    spec = with_section(
        vendor=VENDOR,
        temperature=[{"if": "score >= 60", "level": "warm"}],
        classes=[{"id": "hit", "title": "Hit", "if": condition}, {"id": "miss", "title": "Miss"}],
    )
    facts = LeadFacts(
        fields={"employees": 120, "industry": "food"},
        levels={"budget": "yes", "need": "partial"},
        role="dm",
        tags=frozenset({"urgent"}),
    )
    result = assess(spec, facts)
    assert result.score == pytest.approx(67)
    assert result.routing.lead_class == ("hit" if matches else "miss")


def section_testing(part: str, condition: str) -> ScoringSpec:
    """A section whose `part` holds `condition`, so its effect shows whether the condition held."""
    budget = {"title": "Бюджет", "weight": 1}
    section: dict[str, Any] = {"criteria": {"budget": budget}, "vendor": VENDOR}
    if part == "rules":
        budget["rules"] = [{"if": condition, "level": "yes"}]
    elif part == "knockouts":
        section["knockouts"] = [{"if": condition, "reason": "hit", "title": "Hit", "say": "!"}]
    elif part == "temperature":
        section["temperature"] = [{"if": condition, "level": "hot"}]
    elif part == "classes":
        section["classes"] = [{"id": "hit", "title": "Hit", "if": condition}]
    else:
        section["deal_value"] = {"bands": [{"if": condition, "value": 1}]}
    return spec_of(section)


def condition_held(part: str, result: Assessment) -> bool:
    """Whether the condition placed by `section_testing` held, judged from the assessment."""
    return {
        "rules": result.criteria[0].level == "yes",
        "knockouts": result.disqualified,
        "temperature": result.temperature == "hot",
        "classes": result.routing.lead_class == "hit",
        "deal_value": result.volume == 1,
    }[part]


@pytest.mark.parametrize("part", sorted(BUILTIN_FACTS_BY_PART))
@pytest.mark.parametrize("name", [*sorted(BUILTIN_FACT_TYPES), "crit.budget"])
def test_each_part_of_the_section_sees_the_documented_facts(part: str, name: str) -> None:
    spec = section_testing(part, f"{name} is set")
    result = assess(spec, LeadFacts(levels={} if part == "rules" else {"budget": "no"}, role="dm"))
    visible = name in BUILTIN_FACTS_BY_PART[part] or (name == "crit.budget" and part != "rules")
    assert condition_held(part, result) == visible


def test_knocked_out_is_true_for_the_disqualified() -> None:
    spec = with_section(
        knockouts=KNOCKOUTS,
        temperature=[{"if": "knocked_out", "level": "hot"}],
    )
    # The knock-out wins: the rule cannot warm a disqualified lead up.
    assert assess(spec, LeadFacts(fields={"employees": 1})).temperature == "cold"


def test_a_builtin_fact_wins_over_a_field_of_the_same_name() -> None:
    spec = with_section(
        classes=[{"id": "low", "title": "L", "if": "score < 50"}, {"id": "x", "title": "X"}]
    )
    result = assess(spec, LeadFacts(fields={"score": 99}))
    assert result.routing.lead_class == "low"


# --- classes and routing -------------------------------------------------------------------------

CLASSES = [
    {
        "id": "a",
        "title": "A — горячий",
        "if": "temperature == hot and role in [dm, committee]",
        "alert": True,
        "sla_minutes": 15,
        "strategy": "Звонок сегодня",
        "next_step": "Назначить встречу",
    },
    {"id": "b", "title": "B — тёплый", "if": "score >= 45", "alert": True, "sla_minutes": 240},
    {"id": "c", "title": "C — холодный", "if": "score >= 20"},
]


@pytest.mark.parametrize(
    ("facts", "lead_class", "alert", "sla"),
    [
        (
            LeadFacts(
                levels={"budget": "yes", "need": "yes"}, tags=frozenset({"urgent"}), role="dm"
            ),
            "a",
            True,
            15,
        ),
        # Hot but an influencer: the first rule misses, the second takes it.
        (
            LeadFacts(levels={"budget": "yes"}, tags=frozenset({"urgent"}), role="influencer"),
            "b",
            True,
            240,
        ),
        (LeadFacts(levels={"need": "yes"}), "c", False, None),
        (LeadFacts(), "unclassified", False, None),
    ],
)
def test_first_matching_class_routes_the_lead(
    facts: LeadFacts, lead_class: str, alert: bool, sla: int | None
) -> None:
    spec = with_section(temperature=TEMPERATURE, classes=CLASSES)
    routing = assess(spec, facts).routing
    assert (routing.lead_class, routing.alert, routing.sla_minutes) == (lead_class, alert, sla)


def test_a_class_carries_the_authors_routing() -> None:
    spec = with_section(temperature=TEMPERATURE, classes=CLASSES)
    facts = LeadFacts(levels={"budget": "yes"}, tags=frozenset({"urgent"}), role="dm")
    routing = assess(spec, facts).routing
    assert (routing.title, routing.strategy, routing.next_step) == (
        "A — горячий",
        "Звонок сегодня",
        "Назначить встречу",
    )


@pytest.mark.parametrize(
    ("points", "language", "lead_class", "title", "alert", "sla"),
    [
        (0.8, "ru", "a", "A — горячий", True, 15),
        (0.5, "ru", "b", "B — тёплый", False, None),
        (0.2, "ru", "c", "C — холодный", False, None),
        (0.8, "en", "a", "A — hot", True, 15),
        (0.2, "en", "c", "C — cold", False, None),
    ],
)
def test_default_classes_follow_the_temperature(
    points: float, language: str, lead_class: str, title: str, alert: bool, sla: int | None
) -> None:
    facts = LeadFacts(fields={"timeline": 7}, levels={"fit": "fit"})
    routing = assess(one_criterion(points), facts, language=language).routing
    assert (routing.lead_class, routing.title, routing.alert, routing.sla_minutes) == (
        lead_class,
        title,
        alert,
        sla,
    )


def test_disqualified_routing_speaks_english_too() -> None:
    result = assess(
        with_section(knockouts=KNOCKOUTS), LeadFacts(fields={"employees": 2}), language="en"
    )
    assert (result.routing.title, result.reasons_against[0]) == (
        "Disqualified",
        "Knock-out: Меньше 10 сотрудников",
    )


# --- deal value ----------------------------------------------------------------------------------

DEAL_VALUE = {
    "field": "budget",
    "currency": "EUR",
    "bands": [
        {"if": "employees >= 500", "value": 3_000_000},
        {"if": "employees >= 100", "value": 1_200_000},
        {"value": 300_000},
    ],
}


@pytest.mark.parametrize(
    ("fields", "volume"),
    [
        ({"budget": 800_000, "employees": 1000}, 800_000),
        ({"budget": 0}, 0),
        ({"employees": 1000}, 3_000_000),
        ({"employees": 100}, 1_200_000),
        ({"employees": 99}, 300_000),
        ({}, 300_000),
        # A budget that is not an amount of money falls back to the bands.
        ({"budget": "много", "employees": 150}, 1_200_000),
    ],
)
def test_volume_from_the_budget_answer_else_the_size_band(
    fields: dict[str, Any], volume: float
) -> None:
    result = assess(with_section(vendor=VENDOR, deal_value=DEAL_VALUE), LeadFacts(fields=fields))
    assert result.volume == volume
    assert result.currency == "EUR"
    # Nothing rated: probability 36 / 45 = 0.8.
    assert result.expected_value == pytest.approx(volume * 0.8)


def test_expected_value_uses_the_score_when_there_is_no_probability() -> None:
    spec = with_section(deal_value={"field": "budget"})
    result = assess(spec, LeadFacts(fields={"budget": 1_000_000}, levels={"budget": "yes"}))
    # 55 points -> 1 000 000 x 0.55.
    assert result.expected_value == pytest.approx(550_000)


def test_no_deal_value_section_means_no_volume() -> None:
    result = assess(spec_of(THREE_CRITERIA), LeadFacts(fields={"budget": 1_000_000}))
    assert (result.volume, result.expected_value, result.currency) == (None, None, "RUB")


def test_bands_without_a_match_give_no_volume() -> None:
    spec = with_section(deal_value={"bands": [{"if": "employees >= 100", "value": 1}]})
    assert assess(spec, LeadFacts(fields={"employees": 10})).volume is None


# --- the explanation -----------------------------------------------------------------------------


def test_criteria_lines_add_up_to_the_score() -> None:
    result = assess(spec_of(THREE_CRITERIA), LeadFacts(levels={"budget": "partial"}))
    assert [(c.id, c.title, c.weight, c.level) for c in result.criteria] == [
        ("budget", "Бюджет", 50, "partial"),
        ("need", "Потребность", 30, None),
        ("timeline", "Сроки", 20, None),
    ]
    # Unasked criteria contribute their unknown points (0.1 of their weight) for now.
    assert [c.contribution for c in result.criteria] == pytest.approx([25, 3, 2])
    assert [c.max_contribution for c in result.criteria] == pytest.approx([50, 30, 20])
    assert sum(c.contribution for c in result.criteria) == pytest.approx(result.score)
    assert result.unasked == ("Потребность", "Сроки")


@pytest.mark.parametrize(
    ("facts", "language", "reasons_for", "reasons_against"),
    [
        (
            LeadFacts(
                levels={"budget": "yes", "need": "partial", "timeline": "unknown"}, role="dm"
            ),
            "ru",
            ("Бюджет: да (+50)", "ЛПР на связи", "Потребность: частично (+15)"),
            ("Сроки: не знает (−18)",),
        ),
        (
            LeadFacts(
                fields={"timeline": 10},
                levels={"budget": "yes", "need": "yes", "timeline": "yes"},
                role="dm",
            ),
            "ru",
            ("Бюджет: да (+50)", "ЛПР на связи", "Готовы начать в течение месяца"),
            (),
        ),
        (
            # Unknown answers come before low levels, each sorted by the points they lose.
            LeadFacts(levels={"budget": "no", "need": "unknown", "timeline": "unknown"}),
            "ru",
            (),
            ("Потребность: не знает (−27)", "Сроки: не знает (−18)", "Бюджет: нет (−50)"),
        ),
        (
            LeadFacts(levels={"budget": "unknown", "need": "yes"}, role="dm"),
            "en",
            ("Need: yes (+30)", "Decision-maker on the line"),
            ("Budget: does not know (−45)",),
        ),
    ],
)
def test_reasons_for_and_against(
    facts: LeadFacts,
    language: str,
    reasons_for: tuple[str, ...],
    reasons_against: tuple[str, ...],
) -> None:
    spec = THREE_CRITERIA_EN if language == "en" else spec_of(THREE_CRITERIA)
    result = assess(spec, facts, language=language)
    assert (result.reasons_for, result.reasons_against) == (reasons_for, reasons_against)


@pytest.mark.parametrize(("timeline", "named"), [(31, True), (32, False)])
def test_a_start_within_a_month_is_a_reason_for(timeline: int, named: bool) -> None:
    facts = LeadFacts(fields={"timeline": timeline}, levels={"budget": "yes"})
    reasons = assess(spec_of(THREE_CRITERIA), facts).reasons_for
    assert ("Готовы начать в течение месяца" in reasons) is named


THREE_CRITERIA_EN = spec_of(
    {
        "criteria": {
            "budget": {"title": "Budget", "weight": 50},
            "need": {"title": "Need", "weight": 30},
            "timeline": {"title": "Timeline", "weight": 20},
        }
    }
)


def test_fractional_points_use_a_decimal_comma_in_russian() -> None:
    spec = spec_of(
        {
            "criteria": {
                "need": {"title": "Потребность", "weight": 1},
                "x": {"title": "X", "weight": 3},
            }
        }
    )
    facts = LeadFacts(levels={"need": "partial", "x": "no"})
    # need: 1/4 of the score x 0.5 = 12.5 points.
    assert assess(spec, facts).reasons_for == ("Потребность: частично (+12,5)",)
    assert assess(spec, facts, language="en").reasons_for == ("Потребность: partly (+12.5)",)


def test_points_in_a_reason_round_half_up() -> None:
    spec = spec_of(
        {
            "criteria": {
                "need": {"title": "Потребность", "weight": 9},
                "x": {"title": "X", "weight": 31},
            }
        }
    )
    # need: 9/40 of the score = 22.5 points x 0.5 = 11.25, shown to one decimal as 11,3.
    facts = LeadFacts(levels={"need": "partial", "x": "no"})
    assert assess(spec, facts).reasons_for == ("Потребность: частично (+11,3)",)


@pytest.mark.parametrize(
    ("value", "whole"),
    [
        (10.5, 11),
        (12.5, 13),
        # 5 + 2 + 2 + 1.5 + 1 + 0.5 + 0.5 added up in floats: 12.5 on paper.
        (12.499999999999998, 13),
        (12.49, 12),
        (0.5, 1),
        (99.5, 100),
        (0, 0),
        (100, 100),
    ],
)
def test_whole_points_round_halves_up(value: float, whole: int) -> None:
    assert whole_points(value) == whole


@pytest.mark.parametrize(
    ("value", "digits", "rounded"),
    [(2.25, 1, 2.3), (2.35, 1, 2.4), (2.24, 1, 2.2), (0.125, 2, 0.13), (7.0, 1, 7.0)],
)
def test_rounded_half_up_to_decimals(value: float, digits: int, rounded: float) -> None:
    assert rounded_half_up(value, digits) == pytest.approx(rounded)


def test_a_custom_level_is_shown_by_its_name() -> None:
    spec = spec_of(
        {
            "criteria": {
                "size": {"title": "Размер", "weight": 1, "levels": {"very_big": 1, "unknown": 0}}
            }
        }
    )
    assert assess(spec, LeadFacts(levels={"size": "very_big"})).reasons_for == (
        "Размер: very big (+100)",
    )


def test_at_most_three_reasons_each_way() -> None:
    spec = with_section(
        knockouts=[
            *KNOCKOUTS,
            {"if": "employees < 5", "reason": "tiny", "title": "Крошечная", "say": "!"},
        ]
    )
    facts = LeadFacts(
        fields={"employees": 1, "timeline": 5},
        levels={"budget": "yes", "need": "yes", "timeline": "no"},
        tags=frozenset({"no_need"}),
        role="dm",
    )
    result = assess(spec, facts)
    assert result.reasons_for == (
        "Бюджет: да (+50)",
        "ЛПР на связи",
        "Готовы начать в течение месяца",
    )
    assert result.reasons_against == (
        "Стоп-фактор: Меньше 10 сотрудников",
        "Стоп-фактор: Нет потребности",
        "Стоп-фактор: Крошечная",
    )


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        assess(spec_of(THREE_CRITERIA), LeadFacts(), language="de")


# --- prepared once per spec ----------------------------------------------------------------------


def test_each_spec_object_is_scored_by_its_own_weights() -> None:
    # Specs are made and dropped in turn, so a new one often gets a dead one's id (CPython frees
    # them at once): the prepared form must never outlive its spec.
    for weight in range(1, 40):
        spec = spec_of(
            {
                "criteria": {
                    "a": {"title": "A", "weight": weight},
                    "b": {"title": "B", "weight": 40 - weight},
                }
            }
        )
        result = assess(spec, LeadFacts(levels={"a": "yes", "b": "no"}))
        assert result.score == pytest.approx(weight / 40 * 100)
        del spec, result


def test_the_same_facts_give_an_equal_assessment() -> None:
    spec = with_section(knockouts=KNOCKOUTS, vendor=VENDOR, classes=CLASSES, deal_value=DEAL_VALUE)
    facts = LeadFacts(fields={"employees": 200}, levels={"budget": "yes"}, role="dm")
    first: Assessment = assess(spec, facts)
    assert assess(spec.model_copy(deep=True), facts) == first
