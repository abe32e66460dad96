"""The answer path's round trips and caches: what each press costs the database, and that the
kept copies (accounts, conversation state, replayed calls) never show anything but the truth."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.calls import CallService
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database, DatabaseStats
from bot.domain import Role
from bot.repositories import CallsRepo, UsersRepo
from bot.storage import SQLiteStorage
from tests.bot.conftest import ADMIN, HUNTER, STRANGER
from tests.bot.harness import Conversation, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play, tap, typed

KEY = StorageKey(bot_id=1, chat_id=HUNTER, user_id=HUNTER)
DENIED = (
    "Извините, у вас нет доступа к этому боту.\n"
    "Чтобы получить доступ, передайте администратору ваш Telegram ID: {user_id}"
)


@pytest.fixture
async def statements(db: Database) -> list[str]:
    """Every statement run on the shared aiosqlite connection from now on."""
    seen: list[str] = []
    await db.connection.set_trace_callback(seen.append)
    return seen


async def start_call(world: World, user_id: int = HUNTER) -> Conversation:
    conv = world.conversation(user_id)
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD])
    return conv


def spent(db: Database, before: DatabaseStats) -> DatabaseStats:
    """The units of work run since `before` was copied."""
    now = db.stats
    return DatabaseStats(
        reads=now.reads - before.reads,
        units=now.units - before.units,
        commits=now.commits - before.commits,
    )


@pytest.mark.parametrize(
    ("earlier", "press"),
    [
        ((), "Соединяет"),
        ((), "«Его нет на месте»"),
        ((tap("Соединяет"),), "◀️ Назад"),
        ((tap("Соединяет"), tap("Да, слушаю"), tap("Пищевое")), "🤷 Клиент не знает"),
    ],
)
async def test_a_press_that_moves_the_call_costs_one_read_and_one_commit(
    world: World,
    db: Database,
    statements: list[str],
    earlier: tuple[tuple[str, str], ...],
    press: str,
) -> None:
    conv = await start_call(world)
    await play(conv, earlier)
    before = replace(db.stats)
    statements.clear()

    await conv.tap(press)

    assert spent(db, before) == DatabaseStats(reads=1, units=1, commits=1)
    assert statements == []  # accounts and conversation state came from memory


async def test_a_double_tap_costs_reads_only(world: World, db: Database) -> None:
    conv = await start_call(world)
    old_screen, data = conv.find_exact("Соединяет")
    await conv.press(old_screen, data)
    before = replace(db.stats)

    query = await conv.press(old_screen, data)

    assert conv.answer_for(query)["text"] == "Уже записано"
    assert spent(db, before).units == 0


async def test_a_revoked_role_takes_effect_on_the_very_next_update(
    world: World, db: Database, clock: FakeClock
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")

    async with db.transaction() as conn:
        await UsersRepo(conn).revoke(HUNTER, Role.HUNTER)
    query = await conv.tap("Да, слушаю")

    assert conv.answer_for(query)["text"] == (
        f"Нет доступа. Ваш Telegram ID: {HUNTER} — передайте его администратору."
    )
    async with db.connection.execute("SELECT kind FROM call_events ORDER BY seq") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["card", "answer"]


async def test_a_granted_role_takes_effect_on_the_very_next_update(
    world: World, db: Database, clock: FakeClock
) -> None:
    stranger = world.conversation(STRANGER, "Новенький", None)
    await stranger.send("/start")
    assert stranger.last_text == DENIED.format(user_id=STRANGER)

    async with db.transaction() as conn:
        await UsersRepo(conn).grant(STRANGER, Role.HUNTER, granted_by=ADMIN, now=clock.now())
    await stranger.send("/start")

    assert stranger.last_text != DENIED.format(user_id=STRANGER)
    assert "📞 Новый звонок" in [label for row in stranger.buttons for label in row]


async def test_a_role_revoked_in_a_transaction_that_rolls_back_is_kept(
    world: World, db: Database
) -> None:
    conv = await start_call(world)

    with pytest.raises(LookupError):
        await _revoke_then_fail(db)
    query = await conv.tap("Соединяет")

    assert conv.answer_for(query).get("text") is None
    assert "Вы отвечаете за закупку упаковки?" in conv.last_text


async def _revoke_then_fail(db: Database) -> None:
    async with db.transaction() as conn:
        await UsersRepo(conn).revoke(HUNTER, Role.HUNTER)
        raise LookupError("the admin's use case fails after the revoke")


async def test_an_account_is_read_once_for_many_updates(
    world: World, db: Database, statements: list[str]
) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/start")  # read, and the name Telegram shows is stored (read again)
    await conv.send("/start")
    statements.clear()

    for _ in range(4):
        await conv.send("/start")

    assert [sql for sql in statements if "FROM users" in sql] == []


async def test_the_kept_replay_is_the_replay_of_the_stored_log(
    world: World, db: Database, clock: FakeClock, settings: Settings
) -> None:
    conv = await start_call(world)
    await play(
        conv,
        (
            tap("Соединяет"),
            tap("Да, слушаю"),
            tap("💬 Возражение"),
            tap("Дорого"),
            tap("↩️ Вернуться к вопросу"),
            tap("Пищевое"),
            typed("250"),
            tap("◀️ Назад"),
            typed("300"),
        ),
    )
    kept: CallService = world.dispatcher["calls"]
    fresh = CallService(
        db, kept._flows, clock, zone=settings.zone, manager_chat_id=settings.MANAGER_CHAT_ID
    )

    mine, stored = await kept.view(1, HUNTER), await fresh.view(1, HUNTER)

    assert mine.state.events == stored.state.events
    assert mine.screen == stored.screen
    assert mine.call == stored.call


async def test_events_stored_behind_the_kept_replay_are_read_and_used(
    world: World, db: Database, clock: FakeClock
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")
    calls: CallService = world.dispatcher["calls"]
    seq = (await calls.view(1, HUNTER)).state.seq

    async with db.transaction() as conn:
        await CallsRepo(conn).append_event(
            1, seq + 1, "answer", "decision_maker", {"answer": "yes_me"}, now=clock.now()
        )
    view = await calls.view(1, HUNTER)

    assert view.state.seq == seq + 1
    assert view.screen.step == "industry"


@pytest.mark.parametrize(
    ("writes", "units"),
    [
        ((("answering", {"call_id": 1}),), 2),
        ((("answering", {"call_id": 1}), ("answering", {"call_id": 1})), 2),
        ((("answering", {"call_id": 1}), ("answering", {"call_id": 2})), 3),
        (((None, {}),), 0),
    ],
)
async def test_conversation_writes_that_change_nothing_are_skipped(
    db: Database, writes: tuple[tuple[str | None, dict[str, int]], ...], units: int
) -> None:
    storage = SQLiteStorage(db)
    await storage.get_state(KEY)

    for state, data in writes:
        await storage.set_state(KEY, state)
        await storage.set_data(KEY, data)

    assert db.stats.units == units
    restarted = SQLiteStorage(db)
    assert (await restarted.get_state(KEY), await restarted.get_data(KEY)) == writes[-1]


async def test_conversation_state_is_read_from_the_database_once(db: Database) -> None:
    storage = SQLiteStorage(db)

    for _ in range(5):
        assert await storage.get_state(KEY) is None
        assert await storage.get_data(KEY) == {}

    assert db.stats.reads == 1


async def test_conversation_data_handed_out_is_a_copy(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_data(KEY, {"call_id": 1})

    (await storage.get_data(KEY))["call_id"] = 2

    assert await storage.get_data(KEY) == {"call_id": 1}
