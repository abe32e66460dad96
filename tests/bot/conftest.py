"""Fixtures for the bot's tests: a temporary database, a fixed clock and a world to talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties

from bot.app import Flows, create_dispatcher, seed_roles
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.i18n import Translator
from bot.outbox import OutboxRelay
from scripts.loader import load_flows
from tests.bot.harness import TEST_TOKEN, Conversation, FakeSleep, RecordingSession, World
from tests.conftest import ROOT

HUNTER = 1001
MANAGER = 2002
ADMIN = 3003
STRANGER = 9009
MANAGERS_GROUP = -1001234567890

SettingsFactory = Callable[..., Settings]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the developer's environment or a .env file."""
    for key in Settings.model_fields:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def make_settings() -> SettingsFactory:
    """Settings for tests; keyword arguments override the defaults."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "BOT_TOKEN": TEST_TOKEN,
            "HUNTER_IDS": str(HUNTER),
            "MANAGER_IDS": str(MANAGER),
            "ADMIN_IDS": str(ADMIN),
            "MANAGER_CHAT_ID": str(MANAGERS_GROUP),
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    """The default test settings: one hunter, one manager, one admin."""
    return make_settings()


@pytest.fixture
def clock() -> FakeClock:
    """A clock fixed at 2025-03-03 09:00 UTC."""
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database in a temporary file."""
    database = await Database.open(tmp_path / "data" / "bot.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def translator() -> Translator:
    """Translations that raise on a missing key or argument."""
    return Translator.from_directory(strict=True)


@pytest.fixture(scope="session")
def flows() -> Flows:
    """The call scripts shipped in scripts/flows."""
    return load_flows(ROOT / "scripts" / "flows")


@pytest.fixture
async def world(
    settings: Settings, db: Database, clock: FakeClock, translator: Translator, flows: Flows
) -> AsyncIterator[World]:
    """The real dispatcher over the test database, talking to an in-memory Bot API."""
    await seed_roles(db, settings, clock)
    session = RecordingSession(clock)
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    dispatcher = create_dispatcher(
        settings, db=db, clock=clock, flows=flows, translator=translator
    )
    yield World(dispatcher=dispatcher, bot=bot, session=session, clock=clock)
    await dispatcher.storage.close()
    await bot.session.close()


@pytest.fixture
def sleep(clock: FakeClock) -> FakeSleep:
    """Waits that only move the fixed clock forward."""
    return FakeSleep(clock)


@pytest.fixture
def relay(
    world: World,
    db: Database,
    clock: FakeClock,
    translator: Translator,
    settings: Settings,
    sleep: FakeSleep,
) -> OutboxRelay:
    """The alert relay of the world's bot, waiting on the fixed clock."""
    return OutboxRelay(
        bot=world.bot, db=db, clock=clock, translator=translator, settings=settings, sleep=sleep
    )


@pytest.fixture
def olga(world: World) -> Conversation:
    """A manager writing in the managers' group."""
    return world.group_conversation(MANAGER, MANAGERS_GROUP, "Ольга", "Кузнецова")


@pytest.fixture
def olga_private(world: World) -> Conversation:
    """The same manager in her private chat with the bot."""
    return world.conversation(MANAGER, "Ольга", "Кузнецова")
