"""The call engine: a call is its events; each action moves it or is rejected untouched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.engine import (
    MOVE_KINDS,
    ActionRejected,
    CallState,
    Engine,
    Event,
    Result,
    Screen,
    condition_facts,
    engine_for,
    forward_moves,
    open_criteria,
    replay,
)
from scripts.loader import load_flow
from scripts.schema import Flow

NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)

FLOW_YAML = """
format: 1
id: demo
version: 3
title: "Демо: упаковка"
language: ru
our_company: "Ромашка"
start: intro
fields:
  company: {type: text, title: "Компания", card: true}
  contact: {type: text, title: "Контакт", card: true}
  budget: {type: money, title: "Бюджет", currency: RUB}
  size: {type: choice, title: "Размер", options: {small: "Малый бизнес", big: "Крупный"}}
  employees: {type: number, title: "Сотрудников"}
steps:
  intro:
    say: "Добрый день, {contact}! Это {hunter_name}, «{our_company}». Звоню в {company}."
    hint: "Сегодня {today}"
    answers:
      - {id: dm, label: "ЛПР на связи", role: dm, score: {authority: "yes"}, next: need}
      - {id: gk, label: "Секретарь", role: gatekeeper, score: {authority: "no"}, next: callback}
  need:
    ask: "Есть потребность в упаковке?"
    columns: 2
    answers:
      - id: "yes"
        label: "Да"
        score: {need: "yes"}
        tags: [pain]
        set: {size: big}
        importance: {price: 4}
      - {id: "no", label: "Нет", score: {need: "no"}, next: lost}
    next: budget
  budget:
    ask: "Какой бюджет в год?"
    input: {field: budget, example: "1,5 млн"}
    next:
      - {if: "budget >= 500000", goto: staff}
      - {goto: small}
  small:
    say: "Небольшой объём — пришлю прайс."
    answers:
      - {id: ok, label: "Ок", next: nurture}
  staff:
    ask: "Сколько у вас сотрудников?"
    input: {field: employees, skippable: false}
    next: timeline
  timeline:
    ask: "Когда планируете начать?"
    answers:
      - {id: now, label: "Сейчас", score: {timeline: "yes"}, next: won}
      - {id: later, label: "Позже", score: {timeline: partial}, next: nurture}
objections:
  expensive:
    label: "Дорого"
    say: "Дорого в сравнении с чем, {contact}?"
    tags: [price_sensitive]
  busy: {label: "Некогда", say: "Две минуты."}
outcomes:
  won: {kind: qualified, title: "Квалифицирован", say: "Спасибо, {contact}!"}
  nurture: {kind: nurture, title: "Прогрев"}
  callback: {kind: callback, title: "Перезвонить"}
  lost: {kind: disqualified, title: "Нет потребности", reason: no_need}
  tiny: {kind: disqualified, title: "Слишком мал", reason: too_small}
scoring:
  criteria:
    budget:
      title: "Бюджет"
      weight: 30
      bant: budget
      rules:
        - {if: "budget >= 1000000", level: "yes"}
        - {if: "budget >= 300000", level: partial}
        - {if: "budget < 300000", level: "no"}
    authority: {title: "ЛПР", weight: 30, bant: authority}
    need: {title: "Потребность", weight: 20, bant: need}
    timeline: {title: "Сроки", weight: 20, bant: timeline}
  knockouts:
    - if: "employees < 10"
      reason: too_small
      title: "Меньше 10 человек"
      say: "Спасибо, {contact}, мы вам не подойдём."
  vendor:
    price: {title: "Цена", ours: 3}
  temperature:
    - {if: "score >= 70", level: hot}
    - {if: "score >= 40", level: warm}
    - {level: cold}
"""

CARD = {"company": "ООО «Вектор»", "contact": "Ирина", "hunter_name": "Олег"}


SCENARIOS: list[list[tuple[str, ...]]] = [
    [
        ("answer", "dm"),
        ("answer", "yes"),
        ("submit", "2 млн"),
        ("submit", "25"),
        ("answer", "now"),
    ],
    [("answer", "dm"), ("raise_objection", "expensive"), ("answer", "no"), ("back",), ("back",)],
    [
        ("answer", "dm"),
        ("answer", "yes"),
        ("dont_know",),
        ("note", "перезвонить"),
        ("back",),
        ("submit", "800000"),
        ("raise_objection", "busy"),
        ("resume",),
        ("finish", "callback"),
    ],
]


def make_flow(text: str = FLOW_YAML) -> Flow:
    return Flow.model_validate(yaml.safe_load(text))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(make_flow())


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def run(engine: Engine, *actions: tuple[str, ...]) -> Result:
    """Start a call with CARD and apply actions like ("answer", "dm"), ("submit", "600000")."""
    result = engine.start(CARD, now=NOW)
    for minute, (action, *args) in enumerate(actions, start=1):
        method = getattr(engine, action)
        result = method(result.state, *args, now=later(minute))
    return result


def kinds(result: Result) -> list[str]:
    return [event.kind for event in result.state.events]


# ----- starting and answering -----


def test_start_shows_the_first_line_with_placeholders_filled(engine: Engine) -> None:
    screen = engine.start(CARD, now=NOW).screen
    assert screen.step == "intro"
    assert screen.say == "Добрый день, Ирина! Это Олег, «Ромашка». Звоню в ООО «Вектор»."
    assert screen.hint == "Сегодня 14.03.2025"
    assert screen.answers == (("dm", "ЛПР на связи"), ("gk", "Секретарь"))
    assert screen.objections == (("expensive", "Дорого"), ("busy", "Некогда"))
    assert [o.id for o in screen.outcomes] == ["won", "nurture", "callback", "lost", "tiny"]
    assert (screen.seq, screen.can_back, screen.step_number) == (1, False, 1)
    assert screen.flow_title == "Демо: упаковка"
    assert ("Компания", "ООО «Вектор»") in screen.lead


def test_a_missing_placeholder_stays_visible_as_the_field_title(engine: Engine) -> None:
    screen = engine.start({"company": "Вектор"}, now=NOW).screen
    assert screen.say == "Добрый день, «Контакт»! Это «ваше имя», «Ромашка». Звоню в Вектор."


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        ({"revenue": 10}, "unknown_field"),
        ({"company": ["a", "b"]}, "bad_value"),
    ],
)
def test_start_rejects_a_card_it_cannot_hold(
    engine: Engine, card: dict[str, object], reason: str
) -> None:
    with pytest.raises(ActionRejected) as rejected:
        engine.start(card, now=NOW)  # type: ignore[arg-type]
    assert rejected.value.reason == reason


def test_an_answer_moves_the_call_and_records_its_effects(engine: Engine) -> None:
    result = run(engine, ("answer", "dm"), ("answer", "yes"))
    snapshot = engine.snapshot(result.state)
    assert result.screen.step == "budget"
    assert result.screen.ask == "Какой бюджет в год?"
    assert snapshot.role == "dm"
    assert dict(snapshot.levels) == {"authority": "yes", "need": "yes"}
    assert snapshot.tags == {"pain"}
    assert dict(snapshot.fields)["size"] == "big"
    assert ("Размер", "Крупный") in result.screen.lead
    assert dict(snapshot.importance) == {"price": 4}
    assert [(e.kind, e.step, dict(e.payload)) for e in result.events] == [
        ("answer", "need", {"answer": "yes"})
    ]


def test_the_step_screen_offers_its_typed_input(engine: Engine) -> None:
    screen = run(engine, ("answer", "dm"), ("answer", "yes")).screen
    assert screen.answers == ()
    assert screen.input is not None
    assert (screen.input.field, screen.input.type, screen.input.title) == (
        "budget",
        "money",
        "Бюджет",
    )
    assert (screen.input.example, screen.input.skippable) == ("1,5 млн", True)


@pytest.mark.parametrize(
    ("typed", "step"),
    [("600000", "staff"), ("500000", "staff"), ("1,5 млн", "staff"), ("120000", "small")],
)
def test_a_typed_budget_takes_the_branch_its_condition_selects(
    engine: Engine, typed: str, step: str
) -> None:
    result = run(engine, ("answer", "dm"), ("answer", "yes"), ("submit", typed))
    assert result.screen.step == step
    assert result.reask is None
    (event,) = result.events
    assert (event.kind, event.payload["field"], event.payload["text"]) == (
        "input",
        "budget",
        typed,
    )


def test_a_typed_value_lands_on_the_lead_card_as_displayed(engine: Engine) -> None:
    result = run(engine, ("answer", "dm"), ("answer", "yes"), ("submit", "1,5 млн"))
    snapshot = engine.snapshot(result.state)
    assert snapshot.fields["budget"] == 1_500_000
    shown = dict(result.screen.lead)["Бюджет"]
    assert shown == result.events[0].payload["display"]
    assert "1" in shown


def test_an_input_nobody_understands_is_asked_again_and_nothing_changes(engine: Engine) -> None:
    before = run(engine, ("answer", "dm"), ("answer", "yes"))
    result = engine.submit(before.state, "когда-нибудь потом", now=later(9))
    assert result.events == ()
    assert result.state is before.state
    assert result.reask
    assert result.screen == before.screen


@pytest.mark.parametrize("text", ["$20k", "15 000 €"])
def test_an_amount_in_another_currency_is_asked_again_not_taken_as_roubles(
    engine: Engine, text: str
) -> None:
    before = run(engine, ("answer", "dm"), ("answer", "yes"))
    result = engine.submit(before.state, text, now=later(9))
    assert result.events == ()
    found = "USD" if text.startswith("$") else "EUR"
    assert result.reask == (
        f"«Бюджет» записывается в RUB, а сумма названа в {found}. "
        "Пересчитайте в RUB и введите ещё раз."
    )
    assert engine.submit(before.state, "300 000 ₽", now=later(10)).screen.step == "small"


def test_client_does_not_know_is_recorded_as_unknown_and_takes_the_fallback(
    engine: Engine,
) -> None:
    result = run(engine, ("answer", "dm"), ("answer", "yes"), ("dont_know",))
    snapshot = engine.snapshot(result.state)
    assert result.screen.step == "small"
    assert snapshot.unknown_fields == {"budget"}
    assert "budget" not in snapshot.fields
    assert [(e.kind, dict(e.payload)) for e in result.events] == [("unknown", {"field": "budget"})]


def test_an_answer_leading_to_an_outcome_offers_it_without_finishing(engine: Engine) -> None:
    screen = run(engine, ("answer", "gk")).screen
    assert screen.finished is None
    assert screen.reached_outcome is not None
    assert (screen.reached_outcome.id, screen.reached_outcome.kind) == ("callback", "callback")
    assert screen.answers == ()
    assert screen.can_back


def test_finish_ends_the_call_with_the_outcome_and_its_line(engine: Engine) -> None:
    result = run(
        engine,
        ("answer", "dm"),
        ("answer", "yes"),
        ("submit", "2 млн"),
        ("submit", "50"),
        ("answer", "now"),
        ("finish", "won"),
    )
    screen = result.screen
    assert screen.finished is not None
    assert (screen.finished.outcome.id, screen.finished.outcome.say) == ("won", "Спасибо, Ирина!")
    assert (screen.answers, screen.objections, screen.outcomes, screen.can_back) == (
        (),
        (),
        (),
        False,
    )
    assert engine.snapshot(result.state).facts().finished


def test_finish_records_a_callback_time_and_the_outcome_reason(engine: Engine) -> None:
    start = engine.start(CARD, now=NOW)
    callback = engine.finish(start.state, "callback", now=later(1), callback_at=later(60 * 24))
    assert callback.events[0].payload == {
        "outcome": "callback",
        "callback_at": "2025-03-15T10:00:00+00:00",
    }
    assert callback.screen.finished is not None
    assert callback.screen.finished.callback_at == "2025-03-15T10:00:00+00:00"
    lost = engine.finish(start.state, "lost", now=later(1))
    assert lost.events[0].payload == {"outcome": "lost", "reason": "no_need"}


# ----- back -----


def test_back_undoes_answers_one_by_one_to_the_first_step(engine: Engine) -> None:
    results = [engine.start(CARD, now=NOW)]
    for minute, (action, *args) in enumerate(SCENARIOS[0][:4], start=1):
        results.append(getattr(engine, action)(results[-1].state, *args, now=later(minute)))
    result = results[-1]
    assert result.screen.step == "timeline"
    for expected in reversed(results[:-1]):
        result = engine.back(result.state, now=later(30))
        now_snapshot = engine.snapshot(result.state)
        then_snapshot = engine.snapshot(expected.state)
        assert result.screen.step == expected.screen.step
        assert dict(now_snapshot.fields) == dict(then_snapshot.fields)
        assert dict(now_snapshot.levels) == dict(then_snapshot.levels)
        assert (now_snapshot.tags, now_snapshot.role) == (then_snapshot.tags, then_snapshot.role)
        assert dict(now_snapshot.importance) == dict(then_snapshot.importance)
        assert now_snapshot.unknown_fields == then_snapshot.unknown_fields
        assert result.screen.assessment == expected.screen.assessment
        assert result.screen.answers == expected.screen.answers
        assert result.screen.lead == expected.screen.lead
    assert not result.screen.can_back
    with pytest.raises(ActionRejected) as rejected:
        engine.back(result.state, now=later(31))
    assert rejected.value.reason == "at_start"


def test_back_is_an_event_and_the_log_keeps_the_undone_answer(engine: Engine) -> None:
    result = run(engine, ("answer", "dm"), ("answer", "no"), ("back",))
    assert kinds(result) == ["card", "answer", "answer", "back"]
    assert result.events[0].payload == {"undo": 2}
    assert result.screen.step == "need"
    assert result.screen.seq == 4
    again = engine.answer(result.state, "yes", now=later(9))
    assert again.screen.step == "budget"


def test_back_after_an_objection_keeps_what_the_objection_recorded(engine: Engine) -> None:
    result = run(
        engine, ("answer", "dm"), ("raise_objection", "expensive"), ("resume",), ("back",)
    )
    snapshot = engine.snapshot(result.state)
    assert result.screen.step == "intro"
    assert snapshot.role is None
    assert snapshot.tags == {"price_sensitive"}


def test_back_with_an_objection_open_closes_it_first(engine: Engine) -> None:
    result = run(engine, ("answer", "dm"), ("raise_objection", "busy"), ("back",))
    assert [e.kind for e in result.events] == ["resume", "back"]
    assert result.screen.objection_open is None
    assert result.screen.step == "intro"


# ----- objections, notes, no fitting answer -----


def test_an_objection_shows_its_rebuttal_and_resume_returns_to_the_same_step(
    engine: Engine,
) -> None:
    raised = run(engine, ("answer", "dm"), ("raise_objection", "expensive"))
    assert raised.screen.step == "need"
    assert raised.screen.objection_open is not None
    assert raised.screen.objection_open.say == "Дорого в сравнении с чем, Ирина?"
    assert raised.screen.objection_open.label == "Дорого"
    assert "price_sensitive" in engine.snapshot(raised.state).tags
    resumed = engine.resume(raised.state, now=later(5))
    assert resumed.screen.objection_open is None
    assert resumed.screen.step == "need"
    assert resumed.screen.answers == raised.screen.answers
    assert resumed.events[0].payload == {"objection": "expensive"}


def test_answering_while_an_objection_is_open_closes_it_first(engine: Engine) -> None:
    result = run(engine, ("answer", "dm"), ("raise_objection", "busy"), ("answer", "yes"))
    assert [e.kind for e in result.events] == ["resume", "answer"]
    assert result.screen.objection_open is None
    assert result.screen.step == "budget"


@pytest.mark.parametrize(("action", "kind"), [("note", "note"), ("no_fit", "nofit")])
def test_notes_and_no_fitting_answer_do_not_move_the_call(
    engine: Engine, action: str, kind: str
) -> None:
    before = run(engine, ("answer", "dm"))
    result = getattr(engine, action)(before.state, "  Просит звонить после 15:00 ", now=later(3))
    assert result.screen.step == before.screen.step == "need"
    assert result.screen.answers == before.screen.answers
    assert [(e.kind, e.step, dict(e.payload)) for e in result.events] == [
        (kind, "need", {"text": "Просит звонить после 15:00"})
    ]
    assert result.screen.seq == before.screen.seq + 1


def test_no_fit_texts_are_kept_for_the_author_with_their_step(engine: Engine) -> None:
    result = run(engine, ("answer", "dm"), ("no_fit", "У нас свой цех упаковки"))
    assert engine.snapshot(result.state).no_fit == (("need", "У нас свой цех упаковки"),)


def test_a_note_after_the_call_is_finished_is_still_kept(engine: Engine) -> None:
    result = run(engine, ("finish", "callback"), ("note", "Перезвонить в 15:00"))
    assert engine.snapshot(result.state).notes == ("Перезвонить в 15:00",)


# ----- rejected actions -----


@pytest.mark.parametrize(
    ("actions", "forged", "reason"),
    [
        ([], ("answer", "yes"), "unknown_answer"),
        ([("answer", "dm")], ("answer", "dm"), "unknown_answer"),
        ([("answer", "gk")], ("answer", "dm"), "unknown_answer"),
        ([], ("submit", "100"), "no_input"),
        ([], ("dont_know",), "no_input"),
        ([], ("back",), "at_start"),
        ([], ("resume",), "no_objection_open"),
        ([], ("raise_objection", "weather"), "unknown_objection"),
        ([], ("finish", "celebrate"), "unknown_outcome"),
        ([], ("note", "   "), "empty_text"),
        ([], ("no_fit", ""), "empty_text"),
        (
            [("answer", "dm"), ("answer", "yes"), ("submit", "900000")],
            ("dont_know",),
            "not_skippable",
        ),
        ([("finish", "nurture")], ("answer", "dm"), "finished"),
        ([("finish", "nurture")], ("back",), "finished"),
        ([("finish", "nurture")], ("raise_objection", "busy"), "finished"),
        ([("finish", "nurture")], ("finish", "won"), "finished"),
        ([("finish", "nurture")], ("no_fit", "текст"), "finished"),
    ],
)
def test_an_impossible_action_is_rejected_and_changes_nothing(
    engine: Engine, actions: list[tuple[str, ...]], forged: tuple[str, ...], reason: str
) -> None:
    before = run(engine, *actions)
    events_before = before.state.events
    action, *args = forged
    with pytest.raises(ActionRejected) as rejected:
        getattr(engine, action)(before.state, *args, now=later(50))
    assert rejected.value.reason == reason
    assert before.state.events == events_before
    assert engine.screen(before.state) == before.screen


def test_a_call_of_another_flow_version_is_rejected(engine: Engine) -> None:
    other = CallState("demo", 2, engine.start(CARD, now=NOW).state.events)
    with pytest.raises(ActionRejected) as rejected:
        engine.answer(other, "dm", now=NOW)
    assert rejected.value.reason == "flow_mismatch"


# ----- the log -----


@pytest.mark.parametrize("actions", SCENARIOS)
def test_events_survive_json_and_replay_to_the_same_state(
    engine: Engine, actions: list[tuple[str, ...]]
) -> None:
    result = run(engine, *actions)
    stored = json.dumps([event.to_json() for event in result.state.events], ensure_ascii=False)
    loaded = tuple(Event.from_json(item) for item in json.loads(stored))
    assert loaded == result.state.events
    assert replay(engine.flow, loaded) == engine.snapshot(result.state)
    fresh = CallState("demo", 3, loaded)
    assert engine.screen(fresh) == result.screen


def test_each_action_returns_exactly_the_events_it_appended(engine: Engine) -> None:
    result = engine.start(CARD, now=NOW)
    log = list(result.events)
    for action, *args in SCENARIOS[2]:
        result = getattr(engine, action)(result.state, *args, now=later(1))
        log.extend(result.events)
    assert tuple(log) == result.state.events


def possible_actions(screen: Screen) -> list[tuple[str, ...]]:
    """Every action the call screen offers now, with the values a client might give."""
    actions: list[tuple[str, ...]] = [("answer", answer_id) for answer_id, _ in screen.answers]
    if screen.input is not None:
        actions += [("submit", text) for text in ("300000", "2 млн", "15", "абв")]
        if screen.input.skippable:
            actions.append(("dont_know",))
    actions += [("raise_objection", objection_id) for objection_id, _ in screen.objections]
    actions += [("back",), ("resume",), ("note", "заметка"), ("no_fit", "другое")]
    actions += [("finish", outcome.id) for outcome in screen.outcomes]
    return actions


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_replaying_any_log_gives_the_state_built_action_by_action(data: st.DataObject) -> None:
    engine = engine_for(make_flow())
    result = engine.start(CARD, now=NOW)
    for _ in range(data.draw(st.integers(min_value=0, max_value=25))):
        if result.screen.finished is not None:
            break
        action, *args = data.draw(st.sampled_from(possible_actions(result.screen)))
        try:
            result = getattr(engine, action)(result.state, *args, now=NOW)
        except ActionRejected:
            continue
    assert engine.replay(result.state.events) == engine.snapshot(result.state)
    undone = sum(1 for e in result.state.events if e.kind == "back")
    moves = sum(1 for e in result.state.events if e.kind in MOVE_KINDS)
    assert engine.snapshot(result.state).depth == moves - undone


def shown(engine: Engine, result: Result) -> tuple[object, ...]:
    """What the hunter sees of a call (but an objection being handled), and what it recorded."""
    screen = result.screen
    facts = engine.snapshot(result.state).facts()
    return (
        dict(facts.fields),
        dict(facts.levels),
        facts.unknown_fields,
        facts.tags,
        facts.role,
        dict(facts.importance),
        screen.step,
        screen.say,
        screen.ask,
        screen.answers,
        screen.input,
        screen.lead,
        screen.assessment,
        screen.knockouts,
        screen.step_number,
        screen.can_back,
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_back_right_after_any_answer_restores_exactly_what_was_shown(data: st.DataObject) -> None:
    engine = engine_for(make_flow())
    result = engine.start(CARD, now=NOW)
    for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
        if result.screen.finished is not None or result.screen.reached_outcome is not None:
            break
        action, *args = data.draw(st.sampled_from(possible_actions(result.screen)))
        before = result
        try:
            result = getattr(engine, action)(result.state, *args, now=NOW)
        except ActionRejected:
            continue
        if result.events and result.events[-1].kind in MOVE_KINDS:
            # An objection open before the answer stays closed: back undoes the answer only.
            assert shown(engine, engine.back(result.state, now=NOW)) == shown(engine, before)


def test_forward_moves_leave_out_only_the_way_back_of_a_loop() -> None:
    flow = load_flow(Path(__file__).resolve().parents[2] / "scripts/flows/b2b_cold_call_ru.yaml")
    forward = forward_moves(flow)
    # "Переводит на него" goes back to the decision-maker's introduction: the loop's way back.
    assert forward["referral"] == ["callback_dm", "wrong_contact"]
    # Agreeing to a comparison joins the budget question from the side: not a loop.
    assert forward["no_pain"] == ["budget", "nurture"]
    assert forward["gk_who"] == ["dm_intro", "gk_absent", "gk_email", "refused"]


def test_open_criteria_are_those_the_steps_ahead_can_still_score(engine: Engine) -> None:
    opened = open_criteria(engine.flow)
    # intro scores authority; need, budget (by the typed amount) and timeline lie ahead
    assert opened["intro"] == {"authority", "need", "budget", "timeline"}
    assert opened["staff"] == {"timeline"}
    assert opened["won"] == frozenset()


# ----- machine and cache -----


def test_engine_for_builds_each_flow_version_once() -> None:
    flow = make_flow()
    assert engine_for(flow) is engine_for(flow)
    assert engine_for(flow) is engine_for(make_flow())
    bumped = make_flow(FLOW_YAML.replace("version: 3", "version: 4"))
    assert engine_for(bumped) is not engine_for(flow)
    assert engine_for(bumped).flow.version == 4


def test_the_machine_never_holds_a_call(engine: Engine) -> None:
    for _ in range(20):
        run(engine, ("answer", "dm"), ("answer", "yes"), ("submit", "2 млн"), ("back",))
    assert engine.machine.models == []
    assert engine.machine.get_triggers("budget") == ["budget:="]


def test_branch_conditions_see_role_and_tags_besides_fields(engine: Engine) -> None:
    snapshot = engine.snapshot(run(engine, ("answer", "dm"), ("answer", "yes")).state)
    facts = condition_facts(snapshot)
    assert facts["role"] == "dm"
    assert facts["tags"] == frozenset({"pain"})
    assert facts["company"] == "ООО «Вектор»"


def test_progress_counts_steps_taken_and_estimates_the_rest(engine: Engine) -> None:
    first = run(engine).screen
    assert (first.step_number, first.path_length_estimate) == (1, 5)
    third = run(engine, ("answer", "dm"), ("answer", "yes")).screen
    assert (third.step_number, third.path_length_estimate) == (3, 5)


# ----- scoring on the screen -----


def test_the_score_grows_with_answers_and_back_restores_it(engine: Engine) -> None:
    start = run(engine)
    answered = run(engine, ("answer", "dm"), ("answer", "yes"))
    assert answered.screen.assessment.score > start.screen.assessment.score
    assert answered.screen.assessment.contact_role == "dm"
    undone = engine.back(engine.back(answered.state, now=later(9)).state, now=later(10))
    assert undone.screen.assessment == start.screen.assessment


def test_a_knockout_is_shown_at_once_with_its_exit_line_and_outcome(engine: Engine) -> None:
    result = run(
        engine, ("answer", "dm"), ("answer", "yes"), ("submit", "900000"), ("submit", "5")
    )
    assert [(hit.reason, hit.say) for hit in result.screen.knockouts] == [
        ("too_small", "Спасибо, Ирина, мы вам не подойдём.")
    ]
    assert result.screen.disqualify_outcome is not None
    assert result.screen.disqualify_outcome.id == "tiny"
    assert not result.screen.handoff_ready


def test_a_hot_lead_with_bant_covered_is_ready_for_handoff(engine: Engine) -> None:
    result = run(
        engine, ("answer", "dm"), ("answer", "yes"), ("submit", "2 млн"), ("submit", "80")
    )
    assert not result.screen.handoff_ready  # timeline still unknown
    ready = engine.answer(result.state, "now", now=later(9))
    assert ready.screen.assessment.temperature == "hot"
    assert dict(ready.screen.assessment.bant) == {
        "budget": "confirmed",
        "authority": "confirmed",
        "need": "confirmed",
        "timeline": "confirmed",
    }
    assert ready.screen.handoff_ready
