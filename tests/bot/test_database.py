"""The SQLite layer: migrations, pragmas, serialized write transactions, clean failures."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.db import (
    Absent,
    Database,
    DatabaseOpenError,
    DatabaseStats,
    Migration,
    ReadCache,
    bundled_migrations,
    split_statements,
)

EXPECTED_TABLES = {
    "users",
    "user_roles",
    "calls",
    "call_events",
    "leads",
    "notes",
    "reminders",
    "outbox",
    "fsm",
}


async def _tables(db: Database) -> set[str]:
    async with db.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as c:
        return {row[0] for row in await c.fetchall()}


async def _scalar(db: Database, sql: str) -> object:
    async with db.connection.execute(sql) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return row[0]


async def test_a_fresh_file_gets_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "bot.sqlite3"

    async with await Database.open(path) as db:
        assert path.exists()
        migrations = bundled_migrations()
        assert migrations
        assert await db.schema_version() == migrations[-1].version
        assert await _tables(db) >= EXPECTED_TABLES


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path) as db, db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'Ann', 't', 't')"
        )

    async with await Database.open(path) as db:
        assert await db.schema_version() == len(bundled_migrations())
        assert await _scalar(db, "SELECT name FROM users WHERE id = 1") == "Ann"


async def test_an_older_database_is_upgraded_in_order(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = Migration(1, "first", "CREATE TABLE a (x INTEGER);")
    second = Migration(
        2, "second", "ALTER TABLE a ADD COLUMN y TEXT; INSERT INTO a VALUES (1, 'y');"
    )
    async with await Database.open(path, migrations=(first,)) as db:
        assert await db.schema_version() == 1

    async with await Database.open(path, migrations=(first, second)) as db:
        assert await db.schema_version() == 2
        assert await _scalar(db, "SELECT y FROM a") == "y"


async def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    broken = Migration(2, "broken", "CREATE TABLE b (x INTEGER);\nINSERT INTO missing VALUES (1);")

    with pytest.raises(DatabaseOpenError, match="no such table: missing"):
        await Database.open(path, migrations=(good, broken))

    async with await Database.open(path, migrations=(good,)) as db:
        assert await db.schema_version() == 1
        assert "b" not in await _tables(db)


async def test_a_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with await Database.open(path):
        pass

    with pytest.raises(DatabaseOpenError, match="newer than this bot knows"):
        await Database.open(path, migrations=())


async def test_pragmas_on_the_application_connection(db: Database) -> None:
    assert await _scalar(db, "PRAGMA journal_mode") == "wal"
    assert await _scalar(db, "PRAGMA synchronous") == 2  # FULL
    assert await _scalar(db, "PRAGMA foreign_keys") == 1
    assert await _scalar(db, "PRAGMA busy_timeout") == 5000


@pytest.mark.parametrize(
    ("make_path", "expected"),
    [
        (lambda tmp: tmp / "a-file" / "bot.sqlite3", "a-file is a file"),
        (lambda tmp: tmp / "a-file" / "deeper" / "bot.sqlite3", "a-file is a file"),
        (lambda tmp: tmp, "it is a folder"),
    ],
)
async def test_an_unusable_path_fails_with_a_clear_error(
    tmp_path: Path, make_path: object, expected: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    path = make_path(tmp_path)  # type: ignore[operator]

    with pytest.raises(DatabaseOpenError, match=expected):
        await Database.open(path)


async def test_twenty_concurrent_write_transactions_all_commit(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'H', 't', 't')"
        )
        await conn.execute(
            "INSERT INTO calls (id, hunter_id, flow_id, flow_version, chat_id, started_at,"
            " updated_at) VALUES (1, 1, 'f', 1, 1, 't', 't')"
        )

    async def answer(n: int) -> None:
        async with db.transaction() as conn:
            # Read, yield to the other tasks, then write: the pattern that broke atomicity
            # on a shared connection without the lock.
            async with conn.execute("SELECT COALESCE(MAX(seq), 0) FROM call_events") as cursor:
                row = await cursor.fetchone()
            assert row is not None
            await asyncio.sleep(0)
            await conn.execute(
                "INSERT INTO call_events (call_id, seq, kind, payload, created_at)"
                " VALUES (1, ?, 'answer', ?, 't')",
                (row[0] + 1, f'{{"n": {n}}}'),
            )

    results = await asyncio.gather(*(answer(n) for n in range(20)), return_exceptions=True)

    assert [r for r in results if r is not None] == []
    assert await _scalar(db, "SELECT COUNT(*) FROM call_events") == 20
    assert await _scalar(db, "SELECT MAX(seq) FROM call_events") == 20


async def test_an_exception_rolls_the_whole_transaction_back(db: Database) -> None:
    async def failing_use_case() -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'A', 't', 't')"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing_use_case()

    assert await _scalar(db, "SELECT COUNT(*) FROM users") == 0
    assert not db.connection.in_transaction


async def test_a_nested_transaction_is_a_savepoint(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'outer', 't', 't')"
        )
        with pytest.raises(KeyError):
            await _insert_then_fail(db)

    async with db.connection.execute("SELECT name FROM users ORDER BY id") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["outer"]


async def _insert_then_fail(db: Database) -> None:
    async with db.transaction() as inner:
        await inner.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (2, 'inner', 't', 't')"
        )
        raise KeyError("inner fails")


async def test_a_cancelled_transaction_does_not_poison_the_next(db: Database) -> None:
    entered = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'x', 't', 't')"
            )
            entered.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_writer())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (2, 'y', 't', 't')"
        )
    async with db.connection.execute("SELECT id FROM users") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [2]


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO user_roles (user_id, role, granted_at) VALUES (404, 'hunter', 't')"
            )


async def test_close_is_idempotent_and_final(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    await db.close()
    await db.close()

    with pytest.raises(RuntimeError, match="closed"):
        _ = db.connection


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "CREATE TABLE a (x);\nCREATE TABLE b (y);",
            ["CREATE TABLE a (x);", "CREATE TABLE b (y);"],
        ),
        (
            "-- a comment\nCREATE TABLE a (x); -- trailing\n-- end\n",
            ["-- a comment\nCREATE TABLE a (x);"],
        ),
        (
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 1;\n  SELECT 1;\nEND;",
            ["CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 1;\n  SELECT 1;\nEND;"],
        ),
    ],
)
def test_migration_scripts_split_into_whole_statements(script: str, expected: list[str]) -> None:
    assert split_statements(script) == expected


def test_an_unterminated_statement_is_reported() -> None:
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        split_statements("CREATE TABLE a (x)")


# ----- units of work: group commit on the writer, snapshots on the reader -----


def _add_user(user_id: int, name: str = "u") -> Callable[[sqlite3.Connection], int]:
    def work(conn: sqlite3.Connection) -> int:
        conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (?, ?, 't', 't')",
            (user_id, name),
        )
        return user_id

    return work


def _add_user_then_fail(user_id: int) -> Callable[[sqlite3.Connection], int]:
    def work(conn: sqlite3.Connection) -> int:
        _add_user(user_id)(conn)
        raise LookupError(f"unit {user_id} fails after writing")

    return work


def _orphan_role(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO user_roles (user_id, role, granted_at) VALUES (404, 'hunter', 't')")


def _orphan_role_checked_at_commit(conn: sqlite3.Connection) -> None:
    # Deferred, the foreign key fails the COMMIT of the whole group, not this statement.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    _orphan_role(conn)


def _end_the_transaction(conn: sqlite3.Connection) -> None:
    conn.execute("ROLLBACK")


async def _user_ids(db: Database) -> list[int]:
    async with db.connection.execute("SELECT id FROM users ORDER BY id") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_units_queued_together_commit_in_one_transaction(db: Database) -> None:
    results = await asyncio.gather(*(db.write(_add_user(n)) for n in range(1, 21)))

    assert results == list(range(1, 21))
    assert await _user_ids(db) == list(range(1, 21))
    assert db.stats == DatabaseStats(units=20, commits=1)


@pytest.mark.parametrize(
    ("poison", "error", "commits"),
    [
        (_add_user_then_fail(5), "unit 5 fails after writing", 1),
        (_orphan_role, "FOREIGN KEY constraint failed", 1),
        # The shared COMMIT fails: every unit runs again alone, only the poison one fails.
        (_orphan_role_checked_at_commit, "FOREIGN KEY constraint failed", 4),
        # The unit ends the group's transaction itself: the group is redone unit by unit.
        (_end_the_transaction, "cannot commit - no transaction is active", 4),
    ],
)
async def test_a_failing_unit_takes_nothing_of_its_group_with_it(
    db: Database, poison: Callable[[sqlite3.Connection], object], error: str, commits: int
) -> None:
    units = [_add_user(1), _add_user(2), poison, _add_user(3), _add_user(4)]

    results = await asyncio.gather(*(db.write(unit) for unit in units), return_exceptions=True)

    assert [r if isinstance(r, int) else str(r) for r in results] == [1, 2, error, 3, 4]
    assert await _user_ids(db) == [1, 2, 3, 4]
    assert db.stats == DatabaseStats(units=5, commits=commits)


async def test_the_next_group_after_a_failed_one_commits(db: Database) -> None:
    await asyncio.gather(
        db.write(_add_user(1)), db.write(_orphan_role_checked_at_commit), return_exceptions=True
    )

    await asyncio.gather(db.write(_add_user(2)), db.write(_add_user(3)))

    assert await _user_ids(db) == [1, 2, 3]


async def test_write_inside_a_transaction_is_refused_instead_of_waiting_forever(
    db: Database,
) -> None:
    async with db.transaction():
        with pytest.raises(RuntimeError, match="inside transaction"):
            await db.write(_add_user(1))


async def test_writes_wait_for_a_running_transaction(db: Database) -> None:
    async with db.transaction() as conn:
        queued = asyncio.create_task(db.write(_add_user(2)))
        await asyncio.sleep(0.05)
        assert not queued.done()
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'tx', 't', 't')"
        )

    assert await queued == 2
    assert await _user_ids(db) == [1, 2]


async def test_a_transaction_waits_for_a_read_left_open_on_the_shared_connection(
    db: Database,
) -> None:
    await asyncio.gather(db.write(_add_user(1)), db.write(_add_user(2)))
    cursor = await db.connection.execute("SELECT id FROM users ORDER BY id")
    assert tuple(await cursor.fetchone() or ()) == (1,)  # row 2 still to come: the read is open
    await db.write(_add_user(3))  # committed by the writer after that read began

    async def finish_reading() -> None:
        await asyncio.sleep(0.02)
        await cursor.close()

    reader = asyncio.create_task(finish_reading())
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (4, 'tx', 't', 't')"
        )
    await reader

    assert await _user_ids(db) == [1, 2, 3, 4]


async def test_a_cancelled_caller_whose_unit_has_not_run_writes_nothing(db: Database) -> None:
    async with db.transaction():
        queued = asyncio.create_task(db.write(_add_user(1)))
        await asyncio.sleep(0)
        queued.cancel()
    kept = await db.write(_add_user(2))

    assert queued.cancelled()
    assert kept == 2
    assert await _user_ids(db) == [2]


async def test_close_commits_the_queued_writes_first(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    writes = [asyncio.create_task(db.write(_add_user(n))) for n in range(1, 4)]
    await asyncio.sleep(0)

    await db.close()

    assert [await write for write in writes] == [1, 2, 3]
    with pytest.raises(RuntimeError, match="closed"):
        await db.write(_add_user(4))
    async with await Database.open(path) as reopened:
        assert await _user_ids(reopened) == [1, 2, 3]


async def test_reads_see_committed_rows_only(db: Database) -> None:
    def names(conn: sqlite3.Connection) -> list[str]:
        return [row["name"] for row in conn.execute("SELECT name FROM users ORDER BY id")]

    await db.write(_add_user(1, "committed"))
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, name, created_at, updated_at) VALUES (2, 'pending', 't', 't')"
        )
        assert await db.read(names) == ["committed"]

    assert await db.read(names) == ["committed", "pending"]
    assert db.stats.reads == 2


async def test_the_reader_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.read(_add_user(1))

    assert await _user_ids(db) == []


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("synchronous", 2), ("foreign_keys", 1), ("busy_timeout", 5000), ("journal_mode", "wal")],
)
async def test_pragmas_on_the_writer_and_the_reader(
    db: Database, pragma: str, expected: object
) -> None:
    def value(conn: sqlite3.Connection) -> object:
        return conn.execute(f"PRAGMA {pragma}").fetchone()[0]

    assert await db.write(value) == expected
    assert await db.read(value) == expected


# ----- the read cache -----


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _cache(max_size: int = 3, ttl: float = 60.0) -> tuple[ReadCache[int, str], FakeMonotonic]:
    clock = FakeMonotonic()
    return ReadCache(max_size=max_size, ttl_seconds=ttl, monotonic=clock), clock


def test_a_value_read_is_kept_until_it_expires() -> None:
    cache, clock = _cache(ttl=60.0)
    cache.offer(1, "ann", cache.ticket())

    clock.now = 59.9
    assert cache.get(1) == "ann"
    clock.now = 60.0
    assert isinstance(cache.get(1), Absent)


def test_the_least_recently_used_goes_first() -> None:
    cache, _ = _cache(max_size=2)
    cache.offer(1, "a", cache.ticket())
    cache.offer(2, "b", cache.ticket())
    assert cache.get(1) == "a"

    cache.offer(3, "c", cache.ticket())

    assert [cache.get(key) for key in (1, 3)] == ["a", "c"]
    assert isinstance(cache.get(2), Absent)
    assert len(cache) == 2


def test_a_read_that_raced_an_invalidation_is_not_kept() -> None:
    cache, _ = _cache()
    ticket = cache.ticket()
    cache.invalidate(2)  # any key: the read of key 1 may have raced the same transaction

    cache.offer(1, "old", ticket)

    assert isinstance(cache.get(1), Absent)


def test_nothing_is_kept_while_a_change_waits_for_its_commit() -> None:
    cache, _ = _cache()
    cache.offer(1, "before", cache.ticket())
    cache.invalidate(1)
    cache.hold()

    cache.offer(1, "uncommitted or stale", cache.ticket())
    assert isinstance(cache.get(1), Absent)

    cache.release(1)
    cache.offer(1, "after", cache.ticket())
    assert cache.get(1) == "after"
