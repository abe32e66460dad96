"""aiogram FSM storage on the `fsm` table, so conversation state survives a restart.

Data is stored as JSON, never pickle: a database file must not be able to run code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.clock import Clock, SystemClock
from bot.db import Database, from_json, to_db_time, to_json

_KEY_WHERE = (
    "bot_id = ? AND chat_id = ? AND user_id = ? AND thread_id = ?"
    " AND business_connection_id = ? AND destiny = ?"
)


def _key(key: StorageKey) -> tuple[int, int, int, int, str, str]:
    # NULL cannot be part of the primary key, so absent parts get neutral values.
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


class SQLiteStorage(BaseStorage):
    """FSM state and data per (bot, chat, user, thread, business connection, destiny)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Replace the state, keeping the data."""
        value = state.state if isinstance(state, State) else state
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO fsm (bot_id, chat_id, user_id, thread_id, business_connection_id,"
                " destiny, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (bot_id, chat_id, user_id, thread_id, business_connection_id,"
                " destiny) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                (*_key(key), value, to_db_time(self._clock.now())),
            )
            await self._drop_if_empty(key)

    async def get_state(self, key: StorageKey) -> str | None:
        """The current state name, or None."""
        async with self._db.connection.execute(
            f"SELECT state FROM fsm WHERE {_KEY_WHERE}",  # noqa: S608 - constant text
            _key(key),
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the data (must be JSON-serializable), keeping the state."""
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = to_json(data)
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO fsm (bot_id, chat_id, user_id, thread_id, business_connection_id,"
                " destiny, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (bot_id, chat_id, user_id, thread_id, business_connection_id,"
                " destiny) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (*_key(key), encoded, to_db_time(self._clock.now())),
            )
            await self._drop_if_empty(key)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """A copy of the data (empty when nothing is stored)."""
        async with self._db.connection.execute(
            f"SELECT data FROM fsm WHERE {_KEY_WHERE}",  # noqa: S608 - constant text
            _key(key),
        ) as cursor:
            row = await cursor.fetchone()
        return {} if row is None else from_json(row[0])

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `data` into the stored data in one transaction (no lost concurrent update)."""
        async with self._db.transaction():
            current = await self.get_data(key)
            current.update(data)
            await self.set_data(key, current)
        return current.copy()

    async def _drop_if_empty(self, key: StorageKey) -> None:
        # A cleared conversation leaves no row behind, so the table only holds live state.
        await self._db.connection.execute(
            f"DELETE FROM fsm WHERE {_KEY_WHERE} AND state IS NULL AND data = '{{}}'",  # noqa: S608
            _key(key),
        )

    async def close(self) -> None:
        """Nothing to do: the Database belongs to the application, which closes it last."""
