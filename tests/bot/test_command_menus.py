"""The command menus Telegram shows: everyone's by language, each manager's and admin's own, and
the managers' group's."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommandScopeChat

from bot.app import seed_roles, set_bot_commands
from bot.clock import FakeClock
from bot.db import Database
from bot.i18n import Translator
from bot.repositories import UsersRepo
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, SettingsFactory
from tests.bot.harness import TEST_TOKEN, RecordingSession

HEAD_OF_SALES = 4004  # a manager and an admin at once
GROUP = -1001234567890

HUNTER_MENU = [
    ("start", "Главное меню"),
    ("call", "Новый звонок"),
    ("resume", "Продолжить звонок"),
    ("calls", "Мои звонки"),
    ("help", "Справка"),
]
MANAGER_MENU = [
    ("start", "Главное меню"),
    ("leads", "Лиды: открытые, мои, горячие, по дате"),
    ("lead", "Полная карточка лида: /lead 123"),
    ("shift", "На смене: /shift on или /shift off"),
    ("stats", "Воронка, хантеры, источники, скрипты"),
    ("nofit", "Ответы клиентов, которых нет в скрипте"),
    ("export", "Выгрузка лидов в CSV"),
    ("help", "Справка"),
]


def menu(params: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["command"], c["description"]) for c in params["commands"]]


def chat_menus(session: RecordingSession) -> dict[int, list[tuple[str, str]]]:
    return {
        params["scope"]["chat_id"]: menu(params)
        for params in session.calls("setMyCommands")
        if params["scope"]["type"] == "chat"
    }


@pytest.fixture
async def published(
    make_settings: SettingsFactory, db: Database, clock: FakeClock, translator: Translator
) -> RecordingSession:
    settings = make_settings(
        MANAGER_IDS=f"{MANAGER},{HEAD_OF_SALES}", ADMIN_IDS=f"{ADMIN},{HEAD_OF_SALES}"
    )
    await seed_roles(db, settings, clock)
    async with db.transaction() as conn:
        await UsersRepo(conn).set_language(ADMIN, "en", now=clock.now())
    session = RecordingSession(clock)
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    await set_bot_commands(bot, translator, db=db, manager_chat_id=GROUP)
    await bot.session.close()
    return session


async def test_private_chats_show_the_hunters_menu_in_each_language(
    published: RecordingSession,
) -> None:
    everyone = {
        params.get("language_code"): menu(params)
        for params in published.calls("setMyCommands")
        if params["scope"]["type"] == "all_private_chats"
    }
    assert set(everyone) == {None, "ru", "en"}
    assert everyone[None] == everyone["ru"] == HUNTER_MENU
    assert [name for name, _ in everyone["en"]] == [name for name, _ in HUNTER_MENU]
    assert everyone["en"][1] == ("call", "New call")


async def test_managers_and_admins_get_a_menu_of_their_own_in_their_language(
    published: RecordingSession,
) -> None:
    menus = chat_menus(published)
    assert HUNTER not in menus  # the hunters' menu is everyone's default
    assert menus[MANAGER] == MANAGER_MENU
    assert menus[ADMIN] == [
        ("start", "Main menu"),
        ("stats", "Funnel, hunters, sources, scripts"),
        ("nofit", "Client answers the script lacks"),
        ("export", "Export leads to CSV"),
        ("status", "Alert delivery: queue and failures"),
        ("help", "Help"),
    ]
    assert [name for name, _ in menus[HEAD_OF_SALES]] == [
        "start",
        "leads",
        "lead",
        "shift",
        "stats",
        "nofit",
        "export",
        "status",
        "help",
    ]


async def test_the_managers_group_shows_the_lead_commands(published: RecordingSession) -> None:
    assert chat_menus(published)[GROUP] == [
        item for item in MANAGER_MENU if item[0] not in {"start", "help", "nofit"}
    ]


class NeverOpened(RecordingSession):
    """Telegram as it answers for a person who never opened a chat with the bot."""

    def __init__(self, clock: FakeClock, stranger_chat: int) -> None:
        super().__init__(clock)
        self._stranger_chat = stranger_chat

    async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        scope = getattr(method, "scope", None)
        if isinstance(scope, BotCommandScopeChat) and scope.chat_id == self._stranger_chat:
            raise TelegramBadRequest(method=method, message="Bad Request: chat not found")
        return await super().make_request(bot, method, timeout)


async def test_a_person_without_a_chat_yet_does_not_stop_the_others_menus(
    settings: Any, db: Database, clock: FakeClock, translator: Translator
) -> None:
    await seed_roles(db, settings, clock)
    session = NeverOpened(clock, stranger_chat=MANAGER)
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    await set_bot_commands(bot, translator, db=db, manager_chat_id=GROUP)
    await bot.session.close()
    assert sorted(chat_menus(session)) == sorted([ADMIN, GROUP])
