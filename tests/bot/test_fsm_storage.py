"""aiogram FSM state in SQLite: survives a restart, JSON only, one row per conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.db import Database
from bot.storage import SQLiteStorage


class Note(StatesGroup):
    text = State()


KEY = StorageKey(bot_id=1, chat_id=1001, user_id=1001)


async def _rows(db: Database) -> int:
    async with db.connection.execute("SELECT COUNT(*) FROM fsm") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_state_and_data_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db:
        storage = SQLiteStorage(db)
        await storage.set_state(KEY, Note.text)
        await storage.set_data(
            KEY, {"call_id": 7, "draft": "Перезвонить «Ромашке» & Co", "tags": ["a"]}
        )

    async with await Database.open(path) as db:
        storage = SQLiteStorage(db)
        assert await storage.get_state(KEY) == "Note:text"
        assert await storage.get_data(KEY) == {
            "call_id": 7,
            "draft": "Перезвонить «Ромашке» & Co",
            "tags": ["a"],
        }


async def test_update_data_merges(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_data(KEY, {"a": 1, "b": 2})

    merged = await storage.update_data(KEY, {"b": 3, "c": 4})

    assert merged == {"a": 1, "b": 3, "c": 4}
    assert await storage.get_data(KEY) == merged


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=1, chat_id=1001, user_id=1002),
        StorageKey(bot_id=1, chat_id=-100, user_id=1001),
        StorageKey(bot_id=1, chat_id=1001, user_id=1001, thread_id=5),
        StorageKey(bot_id=1, chat_id=1001, user_id=1001, destiny="dialog"),
        StorageKey(bot_id=2, chat_id=1001, user_id=1001),
    ],
)
async def test_keys_do_not_share_state(db: Database, other: StorageKey) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, "mine")
    await storage.set_data(KEY, {"mine": True})

    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}


async def test_clearing_leaves_no_row(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, Note.text)
    await storage.set_data(KEY, {"x": 1})

    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})

    assert await _rows(db) == 0
    assert await storage.get_state(KEY) is None


async def test_only_json_is_stored(db: Database) -> None:
    storage = SQLiteStorage(db)

    with pytest.raises(TypeError, match="not JSON serializable"):
        await storage.set_data(KEY, {"obj": object()})

    assert await _rows(db) == 0
