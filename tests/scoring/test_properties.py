"""Properties of the qualification model that hold for every scoring section and every call."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.model import LeadFacts, assess
from scoring.spec import UNKNOWN, ScoringSpec

FRACTIONS = st.one_of(
    st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0]),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
)
WEIGHTS = st.one_of(
    st.integers(min_value=1, max_value=100),
    st.floats(min_value=0.001, max_value=1000.0, allow_nan=False),
)
LEVEL_IDS = ("yes", "partial", "no", "big", "small")
DIMENSIONS = (None, "budget", "authority", "need", "timeline")
ROLES = (None, "dm", "influencer", "committee", "gatekeeper")
TAGS = ("urgent", "tender", "no_need")


@st.composite
def criterion_sections(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """One criterion as an author may write it; some derive their level from a field `x<i>`."""
    levels = {UNKNOWN: draw(FRACTIONS)}
    for level in draw(st.lists(st.sampled_from(LEVEL_IDS), min_size=1, max_size=4, unique=True)):
        levels[level] = draw(FRACTIONS)
    section: dict[str, Any] = {
        "title": f"Criterion {index}",
        "weight": draw(WEIGHTS),
        "levels": levels,
        "bant": draw(st.sampled_from(DIMENSIONS)),
    }
    if draw(st.booleans()):
        thresholds = sorted(draw(st.lists(st.integers(0, 1000), min_size=1, max_size=3)))
        section["rules"] = [
            {"if": f"x{index} >= {threshold}", "level": draw(st.sampled_from(sorted(levels)))}
            for threshold in reversed(thresholds)
        ]
    return section


@st.composite
def specs(draw: st.DrawFn) -> ScoringSpec:
    """A scoring section with criteria, maybe knock-outs, vendor criteria, rules and classes."""
    count = draw(st.integers(min_value=1, max_value=8))
    section: dict[str, Any] = {
        "criteria": {f"c{index}": draw(criterion_sections(index)) for index in range(count)}
    }
    if draw(st.booleans()):
        section["knockouts"] = [
            {"if": "tags contains no_need", "reason": "no_need", "title": "No need", "say": "Bye"}
        ]
    if draw(st.booleans()):
        section["vendor"] = {
            f"v{index}": {"title": f"Vendor {index}", "ours": draw(st.integers(1, 5))}
            for index in range(draw(st.integers(1, 4)))
        }
    if draw(st.booleans()):
        section["temperature"] = [
            {"if": "score >= 60 and role == dm", "level": "hot"},
            {"if": "score_max >= 50", "level": "warm"},
        ]
    if draw(st.booleans()):
        section["classes"] = [
            {"id": "a", "title": "A", "if": "temperature == hot", "alert": True},
            {"id": "b", "title": "B", "if": "crit.c0 is set and score >= 30"},
        ]
    return ScoringSpec.model_validate(section)


@st.composite
def calls(draw: st.DrawFn) -> tuple[ScoringSpec, LeadFacts]:
    """A scoring section and facts a call may have established under it."""
    spec = draw(specs())
    levels = {
        criterion_id: draw(st.sampled_from(sorted(criterion.levels)))
        for criterion_id, criterion in spec.criteria.items()
        if draw(st.booleans())
    }
    inputs = [f"x{index}" for index in range(len(spec.criteria))]
    fields = {name: draw(st.integers(0, 1000)) for name in inputs if draw(st.booleans())}
    facts = LeadFacts(
        fields=fields,
        unknown_fields=frozenset(
            name for name in inputs if name not in fields and draw(st.booleans())
        ),
        levels=levels,
        role=draw(st.sampled_from(ROLES)),
        tags=frozenset(draw(st.lists(st.sampled_from(TAGS), unique=True))),
        importance={
            f"v{index}": draw(st.integers(1, 5)) for index in range(draw(st.integers(0, 4)))
        },
        finished=draw(st.booleans()),
    )
    return spec, facts


@given(calls())
def test_score_lies_within_its_range_within_0_to_100(call: tuple[ScoringSpec, LeadFacts]) -> None:
    result = assess(*call)
    assert 0 <= result.score_min <= result.score <= result.score_max <= 100


@given(calls())
def test_contributions_add_up_to_the_score(call: tuple[ScoringSpec, LeadFacts]) -> None:
    result = assess(*call)
    assert sum(line.contribution for line in result.criteria) == pytest.approx(
        result.score, abs=1e-9
    )
    assert all(0 <= line.contribution <= line.max_contribution for line in result.criteria)


@given(calls(), st.data())
def test_answering_an_unasked_criterion_never_widens_the_range(
    call: tuple[ScoringSpec, LeadFacts], data: st.DataObject
) -> None:
    spec, facts = call
    before = assess(spec, facts)
    open_ids = [line.id for line in before.criteria if line.level is None]
    if not open_ids:
        return
    criterion_id = data.draw(st.sampled_from(open_ids))
    level = data.draw(st.sampled_from(sorted(spec.criteria[criterion_id].levels)))
    after = assess(spec, dataclasses.replace(facts, levels={**facts.levels, criterion_id: level}))
    assert before.score_min <= after.score_min <= after.score_max <= before.score_max
    assert len(after.unasked) == len(before.unasked) - 1


@given(calls())
def test_finishing_the_call_never_widens_the_range(call: tuple[ScoringSpec, LeadFacts]) -> None:
    spec, facts = call
    before = assess(spec, facts)
    after = assess(spec, dataclasses.replace(facts, finished=True))
    assert before.score_min <= after.score_min <= after.score_max <= before.score_max
    # Nothing is open any more.
    assert after.score_min == after.score_max
    assert after.unasked == ()


@given(calls())
def test_a_knockout_always_disqualifies(call: tuple[ScoringSpec, LeadFacts]) -> None:
    spec, facts = call
    knockout = {"if": "stop", "reason": "stop", "title": "Стоп", "say": "Всего доброго!"}
    section = spec.model_dump(by_alias=True)
    section["knockouts"] = [*section["knockouts"], knockout]
    facts = dataclasses.replace(facts, fields={**facts.fields, "stop": True})
    result = assess(ScoringSpec.model_validate(section), facts)
    assert result.disqualified
    assert "stop" in [hit.reason for hit in result.knockouts]
    assert (result.routing.lead_class, result.routing.alert, result.temperature) == (
        "disqualified",
        False,
        "cold",
    )


@given(calls())
def test_the_same_facts_give_the_same_assessment(call: tuple[ScoringSpec, LeadFacts]) -> None:
    spec, facts = call
    first = assess(spec, facts)
    assert assess(spec, facts) == first
    # A copy of the section is prepared afresh and still agrees.
    assert assess(spec.model_copy(deep=True), facts) == first


@given(calls())
def test_undoing_the_last_answer_restores_the_previous_assessment(
    call: tuple[ScoringSpec, LeadFacts],
) -> None:
    spec, facts = call
    if not facts.levels:
        return
    *earlier, _last = facts.levels.items()
    fewer = dataclasses.replace(facts, levels=dict(earlier))
    before_last = assess(spec, fewer)
    assess(spec, facts)
    # Undo is a recompute from fewer facts: nothing of the later answer lingers.
    assert assess(spec, fewer) == before_last
    assert assess(spec.model_copy(deep=True), fewer) == before_last


@given(calls())
def test_the_range_is_what_the_open_criteria_can_still_reach(
    call: tuple[ScoringSpec, LeadFacts],
) -> None:
    spec, facts = call
    result = assess(spec, facts)
    open_ids = [line.id for line in result.criteria if line.level is None]

    def answered(pick: Any) -> float:
        levels = dict(facts.levels)
        for criterion_id in open_ids:
            points = spec.criteria[criterion_id].levels
            levels[criterion_id] = pick(points, key=points.__getitem__)
        return assess(spec, dataclasses.replace(facts, levels=levels)).score

    assert (result.score_min, result.score_max) == pytest.approx(
        (answered(min), answered(max)), abs=1e-9
    )


@given(calls(), st.data())
def test_rescoring_an_open_criterion_stays_within_the_range(
    call: tuple[ScoringSpec, LeadFacts], data: st.DataObject
) -> None:
    spec, facts = call
    criterion_id = data.draw(st.sampled_from(sorted(spec.criteria)))
    facts = dataclasses.replace(facts, finished=False, open_criteria=frozenset({criterion_id}))
    before = assess(spec, facts)
    level = data.draw(st.sampled_from(sorted(spec.criteria[criterion_id].levels)))
    after = assess(spec, dataclasses.replace(facts, levels={**facts.levels, criterion_id: level}))
    assert before.score_min - 1e-9 <= after.score <= before.score_max + 1e-9
