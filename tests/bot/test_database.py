"""The SQLite layer: migrations, pragmas, serialized write transactions, clean failures."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, DatabaseOpenError, Migration, bundled_migrations, split_statements

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
