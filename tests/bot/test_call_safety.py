"""Presses that must not move a call: double taps, old screens, forged data, other people;
a failing database; concurrent hunters; the lead created once whatever happens."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

import pytest

from bot.callbacks import AnswerCb, CallAction, CallCb
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.domain import NewLead
from bot.repositories import CallRecords, LeadsRepo
from scripts.telegram_limits import MAX_CALL_ID, MAX_EVENT_SEQ, answer_callback_data
from tests.bot.conftest import HUNTER, MANAGER, STRANGER, SettingsFactory
from tests.bot.harness import Conversation, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play, tap, typed

OTHER_HUNTERS = tuple(range(5001, 5020))


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    """Twenty hunters, so concurrent calls by different people can be tested."""
    return make_settings(HUNTER_IDS=",".join(map(str, (HUNTER, *OTHER_HUNTERS))))


async def start_call(world: World, user_id: int = HUNTER) -> Conversation:
    conv = world.conversation(user_id)
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD])
    return conv


async def table(db: Database, sql: str, *params: object) -> list[tuple[Any, ...]]:
    async with db.connection.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def moves(db: Database, call_id: int = 1) -> list[tuple[Any, ...]]:
    return await table(
        db, "SELECT seq, kind, step FROM call_events WHERE call_id = ? AND seq > 1", call_id
    )


def alert_texts(conv: Conversation, *queries: str) -> list[str | None]:
    return [conv.answer_for(query).get("text") for query in queries]


async def test_a_double_tap_in_one_burst_advances_once(world: World, db: Database) -> None:
    conv = await start_call(world)

    first, second = await asyncio.gather(conv.tap("Соединяет"), conv.tap("Соединяет"))

    assert await moves(db) == [(2, "answer", "gatekeeper")]
    assert sorted(alert_texts(conv, first, second), key=str) == [None, "Уже записано"]
    assert "Вы отвечаете за закупку упаковки?" in conv.last_text


async def test_ten_presses_on_one_button_count_once_and_others_are_unaffected(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    other = await start_call(world, OTHER_HUNTERS[0])

    queries = await asyncio.gather(
        *(conv.tap("Соединяет") for _ in range(10)), other.tap("«Его нет на месте»")
    )

    assert await moves(db, 1) == [(2, "answer", "gatekeeper")]
    assert await moves(db, 2) == [(2, "answer", "gatekeeper")]
    assert sorted(alert_texts(conv, *queries[:10]), key=str) == [None] + ["Уже записано"] * 9
    assert alert_texts(other, queries[10]) == [None]
    assert "Когда его лучше застать?" in other.last_text


async def test_twenty_hunters_answering_at_once_all_succeed(world: World, db: Database) -> None:
    hunters = [await start_call(world, user_id) for user_id in (HUNTER, *OTHER_HUNTERS)]

    queries = await asyncio.gather(*(conv.tap("Соединяет") for conv in hunters))

    assert [alert_texts(conv, q) for conv, q in zip(hunters, queries, strict=True)] == [
        [None]
    ] * 20
    rows = await table(db, "SELECT call_id, seq, kind FROM call_events WHERE seq > 1")
    assert sorted(rows) == [(call_id, 2, "answer") for call_id in range(1, 21)]


async def test_a_press_on_an_old_question_is_closed_and_changes_nothing(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    old_screen, old_data = conv.find_exact("Не берут трубку")
    await conv.tap("Соединяет")
    await conv.tap("Да, слушаю")
    screen = conv.last_message.html
    logged = await moves(db)

    query = await conv.press(old_screen, old_data)

    assert alert_texts(conv, query) == ["Этот вопрос уже закрыт"]
    assert await moves(db) == logged
    assert conv.last_message.html == screen


async def test_the_same_answer_pressed_on_a_screen_two_steps_back_is_closed_too(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    old_screen, old_data = conv.find_exact("Соединяет")
    await conv.tap("Соединяет")
    await conv.tap("Да, слушаю")

    query = await conv.press(old_screen, old_data)

    assert alert_texts(conv, query) == ["Этот вопрос уже закрыт"]
    assert len(await moves(db)) == 2


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("another hunter's call", answer_callback_data(2, 1, "connect")),
        ("a call that does not exist", answer_callback_data(999, 1, "connect")),
        ("an answer not on the step", answer_callback_data(1, 1, "bribe")),
        ("a future event", answer_callback_data(1, 7, "connect")),
        (
            "an outcome not in the flow",
            CallCb(call_id=1, seq=1, action=CallAction.FINISH, arg="won").pack(),
        ),
        (
            "an objection not in the flow",
            CallCb(call_id=1, seq=1, action=CallAction.OBJECTION, arg="x").pack(),
        ),
        ("back at the first step", CallCb(call_id=1, seq=1, action=CallAction.BACK).pack()),
        ("a handoff never offered", CallCb(call_id=1, seq=1, action=CallAction.HANDOFF).pack()),
        (
            "an option on a step without one",
            CallCb(call_id=1, seq=1, action=CallAction.OPTION, arg="3").pack(),
        ),
    ],
)
async def test_forged_presses_are_rejected_answered_and_logged_with_the_user_id(
    world: World, db: Database, caplog: pytest.LogCaptureFixture, case: str, data: str
) -> None:
    conv = await start_call(world)
    await start_call(world, OTHER_HUNTERS[0])
    screen = conv.last_message
    before = await table(db, "SELECT call_id, seq FROM call_events")

    with caplog.at_level(logging.WARNING):
        query = await conv.press(screen, data)

    assert alert_texts(conv, query) == ["Эта кнопка недействительна"], case
    assert await table(db, "SELECT call_id, seq FROM call_events") == before
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"user {HUNTER}" in message for message in warnings), warnings
    assert world.session.messages[(HUNTER, screen.message_id)].html == screen.html


async def test_no_phone_or_name_is_logged_at_info_during_a_call(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        conv = await start_call(world)
        await conv.tap("Соединяет")
        await conv.tap("📝 Заметка")
        await conv.send("ЛПР Ирина, мобильный +7 916 000-00-00")
        await conv.tap("Отказ, кладёт трубку")
        await conv.tap("🏁 Завершить: Отказ от разговора")

    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for private in ("Ирина", "495", "916", "Северный", "Иван"):
        assert private not in logged


async def test_text_and_a_button_for_the_same_step_count_once(world: World, db: Database) -> None:
    conv = await start_call(world)
    await play(conv, (tap("Соединяет"), tap("Да, слушаю"), tap("Пищевое")))

    _, query = await asyncio.gather(conv.send("250"), conv.tap("🤷 Клиент не знает"))

    assert alert_texts(conv, query) == ["Этот вопрос уже закрыт"]
    assert (await moves(db))[-1] == (5, "input", "employees")
    assert "Как сейчас закупаете упаковку" in conv.last_text


async def test_a_button_then_text_for_the_same_step_takes_the_button_only(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await play(conv, (tap("Соединяет"), tap("Да, слушаю"), tap("Пищевое")))

    query, _ = await asyncio.gather(conv.tap("🤷 Клиент не знает"), conv.send("250"))

    assert alert_texts(conv, query) == [None]
    assert (await moves(db))[-1] == (5, "unknown", "employees")
    assert conv.last_text.startswith("На этом шаге ответ выбирается кнопкой")


async def test_a_database_error_shows_an_error_and_the_call_does_not_advance(
    world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    conv = await start_call(world)
    screen = conv.last_message.html

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(CallRecords, "append", failing)
    with world.expecting_errors() as errors:
        query = await conv.tap("Соединяет")
        assert [r.getMessage() for r in errors] == [
            f"Update {world.dispatcher.in_flight.highest_update_id} from user {HUNTER} failed:"
            " OperationalError"
        ]
    monkeypatch.undo()

    assert conv.answer_for(query) == {
        "callback_query_id": query,
        "text": "Что-то пошло не так, попробуйте ещё раз",
        "show_alert": True,
    }
    assert await moves(db) == []
    assert conv.last_message.html == screen
    await conv.tap("Соединяет")
    assert await moves(db) == [(2, "answer", "gatekeeper")]


async def test_a_manager_without_the_hunter_role_cannot_open_a_call(
    world: World, db: Database
) -> None:
    manager = world.conversation(MANAGER, "Ольга", None)

    await manager.send("/call")
    assert manager.last_text.startswith("Звонки ведут хантеры.")
    query = await manager.press(
        manager.last_message, CallCb(call_id=1, seq=1, action=CallAction.FINISH_MENU).pack()
    )

    assert alert_texts(manager, query) == ["Звонки ведут только хантеры"]
    assert await table(db, "SELECT id FROM calls") == []
    assert await table(db, "SELECT state FROM fsm") == []


async def test_a_stranger_gets_the_refusal_and_leaves_no_row(world: World, db: Database) -> None:
    stranger = world.conversation(STRANGER, "Кто-то", None)
    users = await table(db, "SELECT id FROM users")

    await stranger.send("/call")
    query = await stranger.press(stranger.last_message, answer_callback_data(1, 1, "connect"))

    assert stranger.last_text.startswith("Извините, у вас нет доступа к этому боту.")
    assert alert_texts(stranger, query)[0].startswith("Нет доступа.")  # type: ignore[union-attr]
    assert await table(db, "SELECT id FROM users") == users
    assert await table(db, "SELECT id FROM calls") == []
    assert await table(db, "SELECT state FROM fsm") == []


async def test_a_double_tap_on_finish_creates_one_lead_and_one_alert(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await play(conv, (tap("Соединяет"), tap("Да, слушаю"), tap("Пищевое"), typed("250")))
    await conv.tap("🏁 Завершить")

    queries = await asyncio.gather(
        conv.tap("Квалифицирован: встреча или тест"), conv.tap("Квалифицирован: встреча или тест")
    )

    assert sorted(alert_texts(conv, *queries), key=str) == ["Звонок завершён", "Уже записано"]
    assert await table(db, "SELECT id, call_id FROM leads") == [(1, 1)]
    assert await table(db, "SELECT lead_id, kind FROM outbox") == [(1, "alert")]
    assert await table(db, "SELECT COUNT(*) FROM call_events WHERE kind = 'finish'") == [(1,)]


async def test_a_call_that_already_has_a_lead_finishes_with_that_lead(
    world: World, db: Database, clock: FakeClock
) -> None:
    conv = await start_call(world)
    async with db.transaction() as conn:
        await LeadsRepo(conn).create(
            NewLead(1, HUNTER, "b2b_cold_call_ru", 1, 12.5, "cold", "c", None, None, "RUB", {}),
            now=clock.now(),
            alert_chat_id=None,
        )

    await conv.tap("🏁 Завершить")
    await conv.tap("Квалифицирован: встреча или тест")

    assert "🔥 Лид #L-1 передан менеджерам." in conv.last_text
    assert await table(db, "SELECT id FROM leads") == [(1,)]
    assert await table(db, "SELECT status, outcome FROM calls") == [("finished", "qualified")]


def test_call_buttons_fit_telegram_s_64_bytes_in_the_longest_call() -> None:
    longest_answer = answer_callback_data(MAX_CALL_ID, MAX_EVENT_SEQ, "a" * 24)
    longest_control = CallCb(
        call_id=MAX_CALL_ID, seq=MAX_EVENT_SEQ, action=CallAction.CALLBACK_TIME, arg="a" * 32
    ).pack()

    assert AnswerCb(call_id=MAX_CALL_ID, seq=MAX_EVENT_SEQ, answer="a" * 24).pack() == (
        longest_answer
    )
    assert len(longest_answer.encode()) <= 64
    assert len(longest_control.encode()) <= 64


async def test_a_screen_that_missed_its_update_is_redrawn_on_the_next_press(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    screen = conv.last_message
    world.session.fail_next("editMessageText", error_code=500, description="Internal Server Error")
    with world.expecting_errors():
        await conv.tap("Соединяет")  # saved, but the screen was not redrawn
    assert world.session.messages[(HUNTER, screen.message_id)].html == screen.html

    query = await conv.tap("Соединяет")

    assert alert_texts(conv, query) == ["Уже записано"]
    assert await moves(db) == [(2, "answer", "gatekeeper")]
    current = world.session.messages[(HUNTER, screen.message_id)]
    assert "Вы отвечаете за закупку упаковки?" in current.text


HUGE = "9" * 20  # beyond SQLite's integers


@pytest.mark.parametrize(
    "data",
    [
        f"a:{HUGE}:2:connect",
        f"c:{HUGE}:2:b:",
        f"c:1:{HUGE}:b:",
        f"rc:{HUGE}",
        f"ld:c:{HUGE}:",
        f"cd:{HUGE}:o:0",
        "c:-1:2:b:",
    ],
)
async def test_forged_numbers_out_of_range_are_answered_as_an_inactive_button(
    world: World, db: Database, data: str
) -> None:
    conv = await start_call(world)
    screen = conv.last_message
    before = await table(db, "SELECT call_id, seq FROM call_events")

    query = await conv.press(screen, data)  # the world fails the test on any logged error

    assert alert_texts(conv, query) == ["Эта кнопка больше не активна"]
    assert await table(db, "SELECT call_id, seq FROM call_events") == before
