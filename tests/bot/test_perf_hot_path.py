"""The answer path's round trips and caches: what each press costs the database, and that the
kept copies (accounts, conversation state, replayed calls) never show anything but the truth."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.clock import FakeClock
from bot.db import Database
from bot.domain import Role
from bot.repositories import UsersRepo
from bot.storage import SQLiteStorage
from tests.bot.conftest import ADMIN, HUNTER, STRANGER
from tests.bot.harness import Conversation, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play

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
