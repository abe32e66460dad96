"""Path enumeration: every way to each outcome, loops cut, a cap, and the score each can reach."""

from __future__ import annotations

import yaml

from scripts.paths import enumerate_paths
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
    assert [(m.dest, m.condition, m.otherwise) for m in typed] == [
        ("close", "budget >= 500000", False),
        ("close", "budget >= 500000", False),
        ("again", None, True),
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
    return Flow.model_validate(
        {
            "format": 1,
            "id": "wide",
            "version": 1,
            "title": "Широкий",
            "language": "ru",
            "start": "s0",
            "steps": chain,
            "outcomes": {"done": {"kind": "qualified", "title": "Готово"}},
        }
    )


def test_enumeration_stops_at_the_cap_and_says_so() -> None:
    flow = wide_flow(steps=6, answers=3)
    full = enumerate_paths(flow)
    assert (len(full.paths), full.truncated) == (3**6, False)
    capped = enumerate_paths(flow, limit=100)
    assert (len(capped.paths), capped.truncated, capped.limit) == (100, True, 100)
    assert capped.reachable == ("done",)


def test_a_huge_flow_is_bounded_by_the_cap() -> None:
    report = enumerate_paths(wide_flow(steps=30, answers=4), limit=50)
    assert len(report.paths) == 50
    assert report.truncated
    assert all(len(path.moves) == 30 for path in report.paths)
