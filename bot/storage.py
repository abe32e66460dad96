"""aiogram FSM storage on the `fsm` table, so conversation state survives a restart.

Data is stored as JSON, never pickle: a database file must not be able to run code.

aiogram reads the state of every update's sender before any handler runs, so rows are kept in
a bounded in-process copy that every write here goes through (the table has no other writer).
A write that changes nothing is skipped; one that changes something is committed durably
(a group commit, one hop to the writer) before it returns.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from functools import partial
from types import TracebackType
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StateType, StorageKey

from bot.clock import Clock, SystemClock
from bot.db import Database, Work, from_json, to_db_time, to_json

CACHE_SIZE = 10_000
"""Conversations kept in memory; beyond that the least recently used are read again."""

_KEY_WHERE = (
    "bot_id = ? AND chat_id = ? AND user_id = ? AND thread_id = ?"
    " AND business_connection_id = ? AND destiny = ?"
)
_EMPTY = "{}"

Key = tuple[int, int, int, int, str, str]
Row = tuple[str | None, str]
"""A conversation as stored: the state name (or None) and the data as JSON text."""

_NOTHING: Row = (None, _EMPTY)


def _key(key: StorageKey) -> Key:
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

    def __init__(
        self, db: Database, clock: Clock | None = None, *, cache_size: int = CACHE_SIZE
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._rows: OrderedDict[Key, Row] = OrderedDict()
        self._cache_size = cache_size
        self._writes = 0

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Replace the state, keeping the data."""
        value = state.state if isinstance(state, State) else state
        k = _key(key)
        kept = self._rows.get(k)
        if kept is not None and kept[0] == value:
            return
        await self._write(k, partial(_write_state, k, value, self._now()))

    async def get_state(self, key: StorageKey) -> str | None:
        """The current state name, or None."""
        return (await self._row(_key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the data (must be JSON-serializable), keeping the state."""
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = to_json(data)
        k = _key(key)
        kept = self._rows.get(k)
        if kept is not None and kept[1] == encoded:
            return
        await self._write(k, partial(_write_data, k, encoded, self._now()))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """A copy of the data (empty when nothing is stored)."""
        return from_json((await self._row(_key(key)))[1])

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `data` into the stored data in one transaction (no lost concurrent update)."""
        to_json(data)  # refuse what JSON cannot hold before anything is written
        k = _key(key)
        row = await self._write(k, partial(_merge_data, k, dict(data), self._now()))
        return from_json(row[1])

    async def close(self) -> None:
        """Nothing to do: the Database belongs to the application, which closes it last."""

    async def _row(self, k: Key) -> Row:
        kept = self._rows.get(k)
        if kept is not None:
            self._rows.move_to_end(k)
            return kept
        writes = self._writes
        row = await self._db.read(partial(_read_row, k))
        if writes == self._writes:
            # No write finished meanwhile, so what was read is still the stored row.
            self._keep(k, row)
        return row

    async def _write(self, k: Key, work: Work[Row]) -> Row:
        row = await self._db.write(work)
        # Writes commit and come back in the order they were asked for, so the last one kept
        # is the last one stored.
        self._writes += 1
        self._keep(k, row)
        return row

    def _keep(self, k: Key, row: Row) -> None:
        self._rows[k] = row
        self._rows.move_to_end(k)
        if len(self._rows) > self._cache_size:
            self._rows.popitem(last=False)

    def _now(self) -> str:
        return to_db_time(self._clock.now())


# ----- units of work, run on the database's own threads -----


def _read_row(k: Key, conn: sqlite3.Connection) -> Row:
    found = conn.execute(
        f"SELECT state, data FROM fsm WHERE {_KEY_WHERE}",  # noqa: S608 - constant text
        k,
    ).fetchone()
    return _NOTHING if found is None else (found[0], found[1])


def _write_state(k: Key, state: str | None, now: str, conn: sqlite3.Connection) -> Row:
    conn.execute(
        "INSERT INTO fsm (bot_id, chat_id, user_id, thread_id, business_connection_id,"
        " destiny, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (bot_id, chat_id, user_id, thread_id, business_connection_id,"
        " destiny) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        (*k, state, now),
    )
    return _settle(k, conn)


def _write_data(k: Key, encoded: str, now: str, conn: sqlite3.Connection) -> Row:
    conn.execute(
        "INSERT INTO fsm (bot_id, chat_id, user_id, thread_id, business_connection_id,"
        " destiny, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (bot_id, chat_id, user_id, thread_id, business_connection_id,"
        " destiny) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (*k, encoded, now),
    )
    return _settle(k, conn)


def _merge_data(k: Key, data: dict[str, Any], now: str, conn: sqlite3.Connection) -> Row:
    merged = from_json(_read_row(k, conn)[1])
    merged.update(data)
    return _write_data(k, to_json(merged), now, conn)


def _settle(k: Key, conn: sqlite3.Connection) -> Row:
    # A cleared conversation leaves no row behind, so the table only holds live state.
    conn.execute(
        f"DELETE FROM fsm WHERE {_KEY_WHERE} AND state IS NULL AND data = '{_EMPTY}'",  # noqa: S608
        k,
    )
    return _read_row(k, conn)


class PersonIsolation(BaseEventIsolation):
    """One person's updates are handled one at a time (a double tap cannot advance twice).

    Like aiogram's `SimpleEventIsolation`, but a person's lock exists only while an update of
    theirs is handled or waiting: that one keeps a lock for everyone who ever wrote, so its
    memory grows with every stranger.
    """

    def __init__(self) -> None:
        self._turns: dict[Hashable, _Turn] = {}

    # aiogram declares `lock` as a generator-based context manager; it only ever enters it with
    # `async with`, which a plain class serves without a generator per update.
    def lock(self, key: StorageKey) -> _Turn:  # type: ignore[override]
        """The person's turn, entered with `async with`."""
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn(self._turns, key)
        turn.users += 1
        return turn

    @property
    def people(self) -> int:
        """How many people have an update being handled or waiting now."""
        return len(self._turns)

    async def close(self) -> None:
        """Nothing to release: turns end with their updates."""


class _Turn:
    """An asyncio lock shared by one person's updates, dropped when the last one is done."""

    __slots__ = ("_key", "_lock", "_turns", "users")

    def __init__(self, turns: dict[Hashable, _Turn], key: Hashable) -> None:
        self._turns = turns
        self._key = key
        self._lock = asyncio.Lock()
        self.users = 0

    async def __aenter__(self) -> None:
        try:
            await self._lock.acquire()
        except BaseException:
            self._leave()  # cancelled while waiting: this update never got its turn
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lock.release()
        self._leave()

    def _leave(self) -> None:
        self.users -= 1
        if self.users == 0:
            del self._turns[self._key]
