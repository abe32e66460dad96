"""SQLite persistence: one aiosqlite connection, numbered migrations, serialized writes.

Writes go through `Database.transaction()`: an asyncio lock around `BEGIN IMMEDIATE ... COMMIT`.
Without the lock, concurrent tasks interleave statements on the shared connection and one task's
COMMIT or ROLLBACK would end another task's transaction. Reads outside a transaction are allowed;
because the connection is shared they can see a running transaction's uncommitted rows, so a
read that decides a write belongs inside the transaction.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class DatabaseOpenError(Exception):
    """The database file cannot be created, opened or migrated; the message says why."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema change shipped in `bot/migrations/`."""

    version: int
    name: str
    sql: str


def bundled_migrations() -> tuple[Migration, ...]:
    """The migrations shipped with the bot, in order; numbering gaps are a packaging error."""
    found = []
    for entry in resources.files("bot.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {expected:04d} is missing before {migration.name}")
    return tuple(found)


def split_statements(script: str) -> list[str]:
    """Split an SQL script into complete statements (triggers included) using SQLite's parser."""
    statements: list[str] = []
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            statements.append(script[start : end + 1].strip())
            start = end + 1
    leftover = re.sub(r"--[^\n]*|/\*.*?\*/", "", script[start:], flags=re.DOTALL).strip()
    if leftover:
        raise ValueError(f"incomplete SQL statement at the end of a migration: {leftover[:80]!r}")
    return statements


def to_db_time(moment: datetime) -> str:
    """An aware datetime as fixed-width UTC text, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    """The inverse of `to_db_time`."""
    return datetime.fromisoformat(text)


def optional_time(text: str | None) -> datetime | None:
    """`from_db_time` for nullable columns."""
    return None if text is None else from_db_time(text)


def to_json(value: Mapping[str, Any]) -> str:
    """Compact, stable JSON text for the JSON columns (non-ASCII kept readable)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def from_json(text: str) -> dict[str, Any]:
    """A JSON column back as a dict."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a JSON column holds an object")
    return value


class Database:
    """The application's single SQLite connection and its write lock."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        self.path = path
        self._write_lock = asyncio.Lock()
        # The task that holds the write lock, so a nested `transaction()` in the same task
        # becomes a savepoint instead of waiting for itself forever.
        self._owner: ContextVar[asyncio.Task[Any] | None] = ContextVar(
            f"db_tx_owner_{id(self)}", default=None
        )
        self._depth = 0
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        migrations: tuple[Migration, ...] | None = None,
    ) -> Database:
        """Create the file (and its folder) if needed, set the pragmas and apply migrations."""
        path = Path(path)
        for folder in (path.parent, *path.parent.parents):
            if folder.exists() and not folder.is_dir():
                raise DatabaseOpenError(f"cannot create the database {path}: {folder} is a file")
        if path.is_dir():
            raise DatabaseOpenError(f"cannot create the database {path}: it is a folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseOpenError(
                f"cannot create the folder for the database {path}: {e.strerror or e}"
            ) from e
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as e:
            raise DatabaseOpenError(f"cannot open the database {path}: {e}") from e
        connection.row_factory = sqlite3.Row
        db = cls(connection, path)
        try:
            await db._configure()
            await db.migrate(bundled_migrations() if migrations is None else migrations)
        except BaseException as e:
            await db.close()
            if isinstance(e, sqlite3.Error):
                raise DatabaseOpenError(f"cannot use the database {path}: {e}") from e
            raise
        return db

    async def _configure(self) -> None:
        conn = self._connection
        # WAL lets readers (the CLI, backups) work beside the bot; FULL syncs the WAL on every
        # commit so a committed answer survives power loss (measured cost is small).
        async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
            row = await cursor.fetchone()
        if row is None or str(row[0]).lower() != "wal":
            raise DatabaseOpenError(f"cannot switch {self.path} to WAL journal mode")
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")

    @property
    def connection(self) -> aiosqlite.Connection:
        """The shared connection, for reads outside a transaction."""
        if self._closed:
            raise RuntimeError("the database is closed")
        return self._connection

    async def schema_version(self) -> int:
        """The number of the last applied migration (`PRAGMA user_version`)."""
        async with self.connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, migrations: tuple[Migration, ...]) -> int:
        """Apply the migrations newer than the file's version, each in its own transaction."""
        known = migrations[-1].version if migrations else 0
        current = await self.schema_version()
        if current > known:
            raise DatabaseOpenError(
                f"the database {self.path} is at schema version {current}, newer than this "
                f"bot knows ({known}); upgrade the bot"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            async with self.transaction() as conn:
                # Re-read under the write lock: another process may have migrated meanwhile.
                async with conn.execute("PRAGMA user_version") as cursor:
                    row = await cursor.fetchone()
                if row is not None and int(row[0]) >= migration.version:
                    continue
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                # PRAGMA takes no parameters; the version is an int from our own file name.
                await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            logger.info("Applied migration %04d_%s", migration.version, migration.name)
            current = migration.version
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: commits when the block ends, rolls back if it raises."""
        task = asyncio.current_task()
        if task is not None and self._owner.get() is task and self._write_lock.locked():
            async with self._savepoint() as conn:
                yield conn
            return
        async with self._write_lock:
            token = self._owner.set(task)
            conn = self.connection
            try:
                if conn.in_transaction:
                    # A cancelled task can leave its ROLLBACK unfinished; never build on it.
                    logger.warning("Rolling back a transaction left open by a cancelled task")
                    await conn.execute("ROLLBACK")
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    await self._rollback_quietly()
                    raise
                try:
                    await conn.execute("COMMIT")
                except BaseException:
                    await self._rollback_quietly()
                    raise
            finally:
                self._owner.reset(token)

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = self.connection
        self._depth += 1
        name = f"nested_{self._depth:d}"
        try:
            await conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                await conn.execute(f"ROLLBACK TO {name}")
                await conn.execute(f"RELEASE {name}")
                raise
            await conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    async def _rollback_quietly(self) -> None:
        conn = self._connection
        if not conn.in_transaction:
            return
        try:
            await conn.execute("ROLLBACK")
        except sqlite3.Error:
            logger.exception("ROLLBACK failed")

    async def close(self) -> None:
        """Close the connection (idempotent); waits for a running transaction to finish."""
        if self._closed:
            return
        async with self._write_lock:
            self._closed = True
            await self._connection.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
