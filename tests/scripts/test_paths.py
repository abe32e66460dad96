"""Path enumeration: every way to each outcome, loops cut, a cap, and the score each can reach."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from scripts import paths
from scripts.cli import format_paths
from scripts.loader import load_flow
from scripts.paths import Choice, PathReport, enumerate_paths
from scripts.schema import Flow

LOOP_YAML = """
format: 1
id: loop
version: 1
title: "Петля"
language: ru
start: hello
fields:
  budget: {type: money, title: "Бюджет"}
steps:
  hello:
    say: "Здравствуйте!"
    answers:
      - {id: dm, label: "ЛПР", role: dm, score: {authority: "yes"}, next: budget}
      - {id: later, label: "Позже", next: callback}
      - {id: busy, label: "Занят", next: callback}
  budget:
    ask: "Какой бюджет?"
    input: {field: budget}
    next:
      - {if: "budget >= 500000", goto: close}
      - {goto: again}
  again:
    ask: "Уточним ещё раз?"
    answers:
      - {id: retry, label: "Заново", next: budget}
      - {id: stop, label: "Хватит", next: nurture}
  close:
    ask: "Встречаемся?"
    answers:
      - {id: "yes", label: "Да", score: {need: "yes"}, next: won}
      - {id: "no", label: "Нет", next: nurture}
outcomes:
  won: {kind: qualified, title: "Квалифицирован"}
  nurture: {kind: nurture, title: "Прогрев"}
  callback: {kind: callback, title: "Перезвонить"}
  lost: {kind: disqualified, title: "Отказ", reason: no_need}
scoring:
  criteria:
    budget:
      title: "Бюджет"
      weight: 40
      bant: budget
      rules:
        - {if: "budget >= 1000000", level: "yes"}
        - {if: "budget >= 500000", level: partial}
        - {if: "budget < 500000", level: "no"}
    authority: {title: "ЛПР", weight: 30, bant: authority}
    need: {title: "Потребность", weight: 30, bant: need}
  temperature:
    - {if: "score >= 80", level: hot}
    - {if: "score >= 40", level: warm}
    - {level: cold}
"""


def loop_flow() -> Flow:
    return Flow.model_validate(yaml.safe_load(LOOP_YAML))


def described(flow: Flow, limit: int = 10_000) -> list[tuple[str, str, float, float]]:
    report = enumerate_paths(flow, limit=limit)
    return [
        (
            " → ".join(f"{m.source}[{m.label}]" for m in path.moves),
            path.outcome,
            path.score_min,
            path.score_max,
        )
        for path in report.paths
    ]


def test_every_simple_path_to_each_outcome_is_listed_shortest_first() -> None:
    rows = [(moves, outcome) for moves, outcome, _, _ in described(loop_flow())]
    assert rows == [
        ("hello[Позже / Занят]", "callback"),
        ("hello[ЛПР] → budget[✍ Бюджет] → close[Да]", "won"),
        ("hello[ЛПР] → budget[✍ Бюджет] → close[Нет]", "nurture"),
        ("hello[ЛПР] → budget[✍ Бюджет] → again[Хватит]", "nurture"),
    ]


def test_a_loop_back_to_a_passed_step_is_cut_and_reported() -> None:
    report = enumerate_paths(loop_flow())
    assert report.loops == {("again", "budget")}
    assert not report.truncated


def test_branch_moves_carry_their_condition_or_the_fallback_mark() -> None:
    report = enumerate_paths(loop_flow())
    typed = [path.moves[1] for path in report.paths if len(path.moves) == 3]
    assert [(m.dest, m.choices) for m in typed] == [
        ("close", (Choice("✍ Бюджет", "budget >= 500000"),)),
        ("close", (Choice("✍ Бюджет", "budget >= 500000"),)),
        ("again", (Choice("✍ Бюджет", None, otherwise=True),)),
    ]


def test_score_ranges_follow_levels_on_the_path_and_typed_values() -> None:
    scores = {
        (moves, outcome): (low, high) for moves, outcome, low, high in described(loop_flow())
    }
    # ЛПР yes (30) + need yes (30) + a budget of at least 500k: partial (20) or yes (40)
    assert scores[("hello[ЛПР] → budget[✍ Бюджет] → close[Да]", "won")] == (80, 100)
    # nothing asked: each criterion is unknown at the end, 0.1 of its weight
    assert scores[("hello[Позже / Занят]", "callback")] == (10, 10)
    # below 500k (no: 0) or not known (4), ЛПР 30, need never asked (3)
    assert scores[("hello[ЛПР] → budget[✍ Бюджет] → again[Хватит]", "nurture")] == (33, 37)


def test_reachable_outcomes_and_a_hot_lead_are_reported() -> None:
    report = enumerate_paths(loop_flow())
    assert report.reachable == ("won", "nurture", "callback")
    assert report.unreachable == ("lost",)
    assert report.hot_reachable
    assert report.outcomes["won"].temperatures == {"hot"}
    assert "hot" not in report.outcomes["callback"].temperatures


def test_a_flow_where_no_path_can_get_hot_says_so() -> None:
    flow = loop_flow()
    cooled = Flow.model_validate(
        yaml.safe_load(LOOP_YAML.replace('if: "score >= 80"', 'if: "score >= 101"'))
    )
    assert enumerate_paths(flow).hot_reachable
    assert not enumerate_paths(cooled).hot_reachable


def wide_flow(steps: int, answers: int) -> Flow:
    """A chain of steps, each with several answers that record different things."""
    chain = {}
    for index in range(steps):
        following = f"s{index + 1}" if index + 1 < steps else "done"
        chain[f"s{index}"] = {
            "ask": f"Вопрос {index}?",
            "answers": [
                {"id": f"a{n}", "label": f"Ответ {n}", "tags": [f"t{index}_{n}"]}
                for n in range(answers)
            ],
            "next": following,
        }
    return flow_of(chain)


def lattice_flow(layers: int, width: int) -> Flow:
    """Layers of `width` steps; every step has one answer to each step of the next layer."""
    steps = {}
    for layer in range(layers):
        for column in range(width):
            following = [
                f"s{layer + 1}_{target}" if layer + 1 < layers else "done"
                for target in range(width)
            ]
            steps[f"s{layer}_{column}"] = {
                "ask": f"Вопрос {layer}.{column}?",
                "answers": [
                    {"id": f"to{n}", "label": f"Дальше {n}", "next": target}
                    for n, target in enumerate(dict.fromkeys(following))
                ],
            }
    return flow_of(steps, start="s0_0")


def flow_of(steps: Mapping[str, object], start: str = "s0") -> Flow:
    return Flow.model_validate(
        {
            "format": 1,
            "id": "wide",
            "version": 1,
            "title": "Широкий",
            "language": "ru",
            "start": start,
            "steps": steps,
            "outcomes": {"done": {"kind": "qualified", "title": "Готово"}},
        }
    )


def test_answers_leading_to_the_same_step_make_one_route_listing_them_all() -> None:
    report = enumerate_paths(wide_flow(steps=6, answers=3))
    assert len(report.paths) == 1
    (route,) = report.paths
    assert route.steps == ("s0", "s1", "s2", "s3", "s4", "s5", "done")
    assert {move.label for move in route.moves} == {"Ответ 0 / Ответ 1 / Ответ 2"}


def test_routes_through_different_steps_are_listed_apart() -> None:
    # The first layer has one step (the start); each of the 6 moves after it picks one of 3.
    report = enumerate_paths(lattice_flow(layers=7, width=3))
    assert (len(report.paths), report.truncated) == (3**6, False)
    assert len({path.steps for path in report.paths}) == 3**6


def test_enumeration_stops_at_the_cap_and_says_so() -> None:
    capped = enumerate_paths(lattice_flow(layers=7, width=3), limit=100)
    assert (len(capped.paths), capped.truncated, capped.limit) == (100, True, 100)
    assert capped.reachable == ("done",)


def test_a_huge_flow_is_bounded_by_the_cap() -> None:
    report = enumerate_paths(lattice_flow(layers=30, width=4), limit=50)
    assert len(report.paths) == 50
    assert report.truncated
    assert all(len(path.moves) == 30 for path in report.paths)


FLOWS = Path(__file__).resolve().parents[2] / "scripts" / "flows"
SHIPPED = sorted(path.stem for path in FLOWS.glob("*.yaml"))


@functools.cache
def shipped_report(name: str) -> PathReport:
    return enumerate_paths(load_flow(FLOWS / f"{name}.yaml"))


@pytest.mark.parametrize("name", SHIPPED)
def test_every_outcome_of_a_shipped_flow_is_reached_by_listed_routes(name: str) -> None:
    report = shipped_report(name)
    flow = report.flow
    assert not report.truncated
    assert report.unreachable == ()
    assert report.hot_reachable
    assert set(report.by_outcome) == set(flow.outcomes)
    for route in report.paths:
        assert route.steps[0] == flow.start
        assert len(set(route.steps)) == len(route.steps)
        summary = report.outcomes[route.outcome]
        assert summary.score_min <= route.score_min <= route.score_max <= summary.score_max


@pytest.mark.parametrize(
    ("steps", "score"),
    [
        # Weights budget 25, authority 20, need 20, timeline 15, urgency 10, size 5, industry 5;
        # unknown is 0.1 (budget 0.2). Nothing asked: 5 + 2 + 2 + 1.5 + 1 + 0.5 + 0.5.
        (("gatekeeper", "dm_intro", "callback"), 12.5),
        # Services: industry no (0), the rest unknown: 5 + 2 + 2 + 1.5 + 1 + 0.5.
        (("gatekeeper", "dm_intro", "industry", "dq_industry"), 12),
        # The gatekeeper asked who: authority no (0) as well.
        (("gatekeeper", "gk_who", "dm_intro", "industry", "dq_industry"), 10),
    ],
)
def test_a_short_route_of_the_russian_cold_call_scores_as_worked_out(
    steps: tuple[str, ...], score: float
) -> None:
    report = shipped_report("b2b_cold_call_ru")
    (route,) = [route for route in report.paths if route.steps == steps]
    assert (route.score_min, route.score_max) == pytest.approx((score, score))


def test_a_temperature_on_the_deal_probability_sees_the_priorities_recorded() -> None:
    section = yaml.safe_load(LOOP_YAML)
    section["steps"]["close"]["answers"][0]["importance"] = {"price": 5, "delivery": 1}
    section["scoring"]["vendor"] = {
        "price": {"title": "Цена", "ours": 5},
        "delivery": {"title": "Сроки", "ours": 1},
    }
    section["scoring"]["temperature"] = [{"if": "probability >= 80", "level": "hot"}]
    section["scoring"]["temperature"].append({"level": "cold"})
    report = enumerate_paths(Flow.model_validate(section))
    # Unrated, both weigh 3: (3x5 + 3x1) / (6 x 5) = 60%. "Да" rates price 5, delivery 1:
    # (5x5 + 1x1) / (6 x 5) = 87%, hot.
    assert report.outcomes["won"].temperatures == {"hot"}
    assert report.outcomes["nurture"].temperatures == {"cold"}


def test_a_search_that_hits_its_limit_says_so_and_claims_nothing_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paths, "SEARCH_LIMIT", 300)
    report = enumerate_paths(load_flow(FLOWS / "b2b_cold_call_ru.yaml"))
    assert not report.complete
    assert report.truncated
    # What the routes reached is part of the outcomes found.
    for route in report.paths:
        summary = report.outcomes[route.outcome]
        assert summary.score_min <= route.score_min <= route.score_max <= summary.score_max
    text = format_paths(report, "ru")
    assert f"Исходы: найдены {len(report.reachable)} из 10" in text
    assert "Перебор звонков остановлен на пределе" in text
    assert "Недостижимы" not in text
    assert "Перебор путей остановлен на пределе" in text
