"""SQLite persistence: numbered migrations, serialized writes, group commits, read caches.

Three connections to one WAL file, each used from one thread:
- the aiosqlite connection (`Database.connection`, `Database.transaction()`): an asyncio lock
  around `BEGIN IMMEDIATE ... COMMIT`. Without the lock, concurrent tasks interleave statements
  on the shared connection and one task's COMMIT or ROLLBACK would end another task's
  transaction. Reads outside a transaction are allowed; because the connection is shared they
  can see a running transaction's uncommitted rows, so a read that decides a write belongs
  inside the transaction.
- the writer (`Database.write(work)`): a whole unit of work, a plain function over a sqlite3
  connection, runs on the writer's thread in one hop. Units queued while a commit is on disk
  share the next transaction (group commit), each in its own savepoint, so a failing unit
  leaves the others intact, and each caller resumes only once its unit is durably committed.
- the reader (`Database.read(work)`): read-only, one consistent snapshot per unit of work, never
  queued behind a commit; it sees only committed rows, which includes a caller's own committed
  writes.
The writer and `transaction()` share the write lock, so the process never races itself for
SQLite's write lock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from queue import SimpleQueue
from typing import Any, Generic, TypeVar

import aiosqlite

from bot.domain import Account

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
MAX_GROUP = 128
"""Units of work committed together at most; bounds how long one group holds the write lock."""

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Work = Callable[[sqlite3.Connection], T]
"""A unit of work: plain sqlite3 calls on the connection it is given, no awaiting inside."""
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


class Absent:
    """What `ReadCache.get` returns for a key it does not hold (None is a value worth keeping)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


class ReadCache(Generic[K, V]):
    """A bounded, expiring copy of values read from the database, kept coherent by its writers.

    The database stays the truth. A reader takes a `ticket()` before it reads and `offer`s what it
    read with it; the value is kept only if nothing was invalidated meanwhile and no change is
    waiting for its transaction to end, so a read that raced a write is never kept. Writers call
    `Database.changed(cache, key)`. Entries expire after `ttl_seconds` as a net for edits made
    outside the bot (a person with the sqlite3 shell); the least recently used go first beyond
    `max_size`.
    """

    def __init__(
        self,
        *,
        max_size: int,
        ttl_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._max_size = max_size
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._generation = 0
        self._pending = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | Absent:
        """The value kept for `key`, or ABSENT."""
        entry = self._entries.get(key)
        if entry is None:
            return ABSENT
        expires, value = entry
        if self._monotonic() >= expires:
            del self._entries[key]
            return ABSENT
        self._entries.move_to_end(key)
        return value

    def ticket(self) -> int:
        """Take before reading the value to `offer`."""
        return self._generation

    def offer(self, key: K, value: V, ticket: int) -> None:
        """Keep a value read after `ticket` was taken, unless a change may have raced the read."""
        if ticket != self._generation or self._pending:
            return
        self._entries[key] = (self._monotonic() + self._ttl, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self._max_size:
            self._entries.popitem(last=False)

    def invalidate(self, key: K) -> None:
        """Forget `key`; reads already under way are not kept either."""
        self._generation += 1
        self._entries.pop(key, None)

    def hold(self) -> None:
        """A change is written but not committed: keep nothing new until `release`."""
        self._pending += 1

    def release(self, key: K) -> None:
        """The change held for `key` is committed or rolled back."""
        self._pending -= 1
        self.invalidate(key)

    def clear(self) -> None:
        """Forget everything."""
        self._generation += 1
        self._entries.clear()


ACCOUNT_CACHE_SIZE = 4096
ACCOUNT_CACHE_TTL_SECONDS = 60.0


@dataclass(slots=True)
class DatabaseStats:
    """Units of work run so far: reads, writes, and the transactions that committed the writes.

    With group commit `commits` grows slower than `units`; benchmarks and tests read these.
    """

    reads: int = 0
    units: int = 0
    commits: int = 0


@dataclass(frozen=True, slots=True)
class _Outcome:
    value: Any = None
    error: Exception | None = None


@dataclass(slots=True)
class _Unit:
    work: Work[Any]
    future: asyncio.Future[Any]


class _Lane:
    """One sqlite3 connection used only from a thread of its own; each `run` is one hop there.

    A plain queue and `call_soon_threadsafe`, as aiosqlite does: no executor futures to build
    and chain on every hop.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: SimpleQueue[_Job | None] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None

    async def open(self, path: Path, *, read_only: bool) -> None:
        self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
        self._thread.start()
        self._conn = await self._call(partial(_connect, path, read_only))

    async def run(self, work: Work[T]) -> T:
        conn = self._conn
        if conn is None:
            raise RuntimeError("the database is closed")
        return await self._call(partial(work, conn))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._call(conn.close)
        if self._thread is not None:
            self._jobs.put(None)
            self._thread = None

    async def _call(self, job: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((job, future, loop))
        return await future

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, future, loop = job
            try:
                result = function()
            except BaseException as e:
                loop.call_soon_threadsafe(_fail, future, e)
            else:
                loop.call_soon_threadsafe(_resolve, future, result)


_Job = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]


def _resolve(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    # The same durability as the main connection: a commit is on disk before it returns.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    return conn


def _in_snapshot(work: Work[T], conn: sqlite3.Connection) -> T:
    conn.execute("BEGIN")
    try:
        return work(conn)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing to keep: the connection is read-only


def _commit_group(
    works: Sequence[Work[Any]], conn: sqlite3.Connection
) -> tuple[list[_Outcome], int]:
    """Run the units in one transaction, each in a savepoint; outcomes and the commits made."""
    if conn.in_transaction:
        # A unit that raised something other than an Exception left its group open.
        _rollback_quietly(conn)
    if len(works) == 1:
        return [_alone(works[0], conn)], 1
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as e:
        return [_Outcome(error=e)] * len(works), 0
    outcomes = []
    for work in works:
        outcome = _in_savepoint(work, conn)
        if outcome is None:
            # SQLite gave up the whole transaction (an I/O error, a full disk): nothing of the
            # group is committed, so each unit is tried again on its own.
            return _one_by_one(works, conn)
        outcomes.append(outcome)
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        logger.warning(
            "A group commit of %d units failed (%s); committing them one by one", len(works), e
        )
        return _one_by_one(works, conn)
    return outcomes, 1


def _in_savepoint(work: Work[Any], conn: sqlite3.Connection) -> _Outcome | None:
    """The unit's outcome inside the group; None when the group's transaction is lost."""
    try:
        conn.execute("SAVEPOINT unit")
    except sqlite3.Error:
        return None
    try:
        value = work(conn)
    except Exception as e:
        if not conn.in_transaction:
            return None
        try:
            conn.execute("ROLLBACK TO unit")
            conn.execute("RELEASE unit")
        except sqlite3.Error:
            return None
        return _Outcome(error=e)
    try:
        conn.execute("RELEASE unit")
    except sqlite3.Error:
        return None
    return _Outcome(value=value)


def _one_by_one(
    works: Sequence[Work[Any]], conn: sqlite3.Connection
) -> tuple[list[_Outcome], int]:
    _rollback_quietly(conn)
    outcomes = [_alone(work, conn) for work in works]
    return outcomes, sum(1 for outcome in outcomes if outcome.error is None)


def _alone(work: Work[Any], conn: sqlite3.Connection) -> _Outcome:
    try:
        conn.execute("BEGIN IMMEDIATE")
        value = work(conn)
        conn.execute("COMMIT")
    except Exception as e:
        _rollback_quietly(conn)
        return _Outcome(error=e)
    return _Outcome(value=value)


def _rollback_quietly(conn: sqlite3.Connection) -> None:
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        logger.exception("ROLLBACK failed")


def _settle(future: asyncio.Future[Any], outcome: _Outcome) -> None:
    if future.done():
        return  # the caller was cancelled; a committed unit stays committed
    if outcome.error is not None:
        future.set_exception(outcome.error)
    else:
        future.set_result(outcome.value)


_DATABASES: weakref.WeakValueDictionary[int, Database] = weakref.WeakValueDictionary()


class Database:
    """The application's SQLite connections, its write lock and its read caches."""

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
        self._closing = False
        self._writer = _Lane("db-writer")
        self._reader = _Lane("db-reader")
        self._units: list[_Unit] = []
        self._flusher: asyncio.Task[None] | None = None
        self._on_transaction_end: list[Callable[[], None]] = []
        self.stats = DatabaseStats()
        self.accounts: ReadCache[int, Account | None] = ReadCache(
            max_size=ACCOUNT_CACHE_SIZE, ttl_seconds=ACCOUNT_CACHE_TTL_SECONDS
        )
        """People and their roles by user id, as `UsersRepo.get` read them."""
        _DATABASES[id(connection)] = self

    @staticmethod
    def of(connection: aiosqlite.Connection) -> Database | None:
        """The open Database whose shared connection this is (repositories find caches so)."""
        db = _DATABASES.get(id(connection))
        return db if db is not None and db._connection is connection else None

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
            await db._writer.open(path, read_only=False)
            await db._reader.open(path, read_only=True)
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
        if self._owns_transaction():
            async with self._savepoint() as conn:
                yield conn
            return
        async with self._write_lock:
            token = self._owner.set(asyncio.current_task())
            conn = self.connection
            try:
                if conn.in_transaction:
                    # A cancelled task can leave its ROLLBACK unfinished; never build on it.
                    logger.warning("Rolling back a transaction left open by a cancelled task")
                    await conn.execute("ROLLBACK")
                await self._begin_immediate(conn)
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
                self._transaction_ended()

    async def _begin_immediate(self, conn: aiosqlite.Connection) -> None:
        """BEGIN IMMEDIATE, waiting out reads of other tasks left open on the shared connection.

        A read whose statement is not finished yet (a cursor between fetch and close) holds its
        snapshot; once the writer has committed after it, SQLite refuses to start a write on
        that connection (SQLITE_BUSY_SNAPSHOT) without calling the busy handler. The read ends
        as soon as its task runs again, so the begin is retried until the busy timeout.
        """
        loop = asyncio.get_running_loop()
        give_up = loop.time() + BUSY_TIMEOUT_MS / 1000
        pause = 0.0005
        while True:
            try:
                await conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                stale = getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY_SNAPSHOT
                if not stale or loop.time() >= give_up:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def write(self, work: Work[T]) -> T:
        """Run `work` in a write transaction; returns its result once durably committed.

        Units queued while a group is being committed share the next transaction (group
        commit), each in a savepoint of its own: an exception from `work` rolls back only its
        own changes and is raised here, the other units commit. Should the shared COMMIT fail,
        each unit runs again in a transaction of its own, so `work` must depend only on its
        arguments and the database; only a committed run's result is returned.
        """
        if self._closing:
            raise RuntimeError("the database is closed")
        if self._owns_transaction():
            raise RuntimeError("Database.write() inside transaction() would wait for itself")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._units.append(_Unit(work, future))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="db-group-commit")
        return await future

    async def read(self, work: Work[T]) -> T:
        """Run `work` on the read-only connection, in one snapshot of committed data."""
        if self._closing:
            raise RuntimeError("the database is closed")
        self.stats.reads += 1
        return await self._reader.run(partial(_in_snapshot, work))

    def changed(self, cache: ReadCache[K, Any], key: K) -> None:
        """A write changed what `cache` holds for `key`: forget it now and when it commits."""
        cache.invalidate(key)
        if self._write_lock.locked() and self._connection.in_transaction:
            # Until the transaction ends, another connection still reads the old value.
            cache.hold()
            self._on_transaction_end.append(partial(cache.release, key))

    async def _flush(self) -> None:
        """Commit queued units in groups until none are left."""
        try:
            while self._units:
                async with self._write_lock:
                    units = [unit for unit in self._units[:MAX_GROUP] if not unit.future.done()]
                    del self._units[:MAX_GROUP]
                    if not units:
                        continue
                    works = [unit.work for unit in units]
                    try:
                        outcomes, commits = await self._writer.run(partial(_commit_group, works))
                    except Exception as e:
                        outcomes, commits = [_Outcome(error=e)] * len(units), 0
                    except BaseException as e:
                        # Cancelled (the loop is shutting down) or worse: nobody may be left
                        # waiting forever, whether or not the group reached the disk.
                        stopped = RuntimeError("the database writer was stopped")
                        stopped.__cause__ = e
                        for unit in (*units, *self._units):
                            _settle(unit.future, _Outcome(error=stopped))
                        self._units.clear()
                        raise
                    self.stats.units += len(units)
                    self.stats.commits += commits
                for unit, outcome in zip(units, outcomes, strict=True):
                    _settle(unit.future, outcome)
        finally:
            self._flusher = None

    def _owns_transaction(self) -> bool:
        task = asyncio.current_task()
        return task is not None and self._owner.get() is task and self._write_lock.locked()

    def _transaction_ended(self) -> None:
        callbacks, self._on_transaction_end = self._on_transaction_end, []
        for callback in callbacks:
            callback()

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
        """Close the connections (idempotent); queued writes and a running transaction finish."""
        if self._closed:
            return
        self._closing = True
        while self._flusher is not None:
            await asyncio.wait({self._flusher})
        async with self._write_lock:
            if self._closed:
                return
            self._closed = True
            await self._connection.close()
            await self._writer.close()
            await self._reader.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
