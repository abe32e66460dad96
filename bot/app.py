"""The composition root shared by `python -m bot` and the tests.

Dependencies reach handlers as dispatcher workflow data, by parameter name: `db`, `clock`,
`settings`, `translator`, `flows`, `in_flight`, `calls` (the call use cases); the middleware
adds `account`, `roles`, `locale` and `t` for each update.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetUpdates,
    SendMessage,
)
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)

from bot.calls import CallService
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain import Role
from bot.handlers import get_routers
from bot.i18n import Translator
from bot.lifecycle import InFlightUpdates
from bot.middlewares import SenderMiddleware
from bot.repositories import UsersRepo
from bot.storage import PersonIsolation, SQLiteStorage
from scripts.schema import Flow

logger = logging.getLogger(__name__)

Flows = Mapping[tuple[str, int], Flow]
"""Loaded call scripts by (flow id, version); a call keeps the version it started on."""

BOT_COMMANDS = ("start", "call", "resume", "calls", "help")
"""The menu of every private chat (the hunters'), each command described by `command-<name>`."""
ROLE_COMMANDS: Mapping[Role, tuple[str, ...]] = {
    Role.HUNTER: ("call", "resume", "calls"),
    Role.MANAGER: ("leads", "lead", "shift", "stats", "nofit", "export"),
    Role.ADMIN: ("status", "stats", "nofit", "export"),
}
"""What each role adds to /start and /help in the person's own menu."""
MENU_ORDER = (
    "start",
    "call",
    "resume",
    "calls",
    "leads",
    "lead",
    "shift",
    "stats",
    "nofit",
    "export",
    "status",
    "help",
)
"""Every command a menu can show, in the order menus list them."""
GROUP_COMMANDS = ("leads", "lead", "shift", "stats", "export")
"""The menu of the managers' group chat."""

# aiogram parses every Bot API reply as `Response[<result type>]`, a pydantic generic class that
# pydantic caches only weakly: once collected it is rebuilt, about 4 ms per request. Holding the
# result types of the methods used on every update keeps them built.
_RESPONSE_TYPES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        AnswerCallbackQuery,
        EditMessageReplyMarkup,
        EditMessageText,
        GetUpdates,
        SendMessage,
    )
)


class TrackingDispatcher(Dispatcher):
    """A Dispatcher that counts the updates it is handling, so shutdown can wait for them.

    Counting starts in `feed_update`, before the FSM middleware: an update queued behind
    another of the same person's (event isolation) is in flight too.
    """

    def __init__(self, *, in_flight: InFlightUpdates, **kwargs: Any) -> None:
        super().__init__(in_flight=in_flight, **kwargs)
        self.in_flight = in_flight

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        """Handle one update, counted as in flight until it is done."""
        with self.in_flight.track(update.update_id):
            return await super().feed_update(bot, update, **kwargs)


def create_dispatcher(
    settings: Settings,
    *,
    db: Database,
    clock: Clock,
    flows: Flows | None = None,
    translator: Translator | None = None,
    in_flight: InFlightUpdates | None = None,
) -> TrackingDispatcher:
    """A dispatcher with storage, middlewares and every router, ready to feed updates."""
    translator = translator or Translator.from_directory(default_locale=settings.LOCALE)
    dispatcher = TrackingDispatcher(
        in_flight=in_flight or InFlightUpdates(),
        storage=SQLiteStorage(db, clock),
        # One person's updates are handled one at a time: a double tap cannot advance twice.
        events_isolation=PersonIsolation(),
        db=db,
        clock=clock,
        settings=settings,
        translator=translator,
        flows=flows or {},
        calls=CallService(
            db,
            flows or {},
            clock,
            zone=settings.zone,
            manager_chat_id=settings.MANAGER_CHAT_ID,
        ),
    )
    dispatcher.update.outer_middleware(SenderMiddleware(db, translator, clock))
    dispatcher.include_routers(*get_routers())
    return dispatcher


def configured_roles(settings: Settings) -> dict[Role, frozenset[int]]:
    """The role lists from the configuration."""
    return {
        Role.ADMIN: settings.ADMIN_IDS,
        Role.HUNTER: settings.HUNTER_IDS,
        Role.MANAGER: settings.MANAGER_IDS,
    }


async def seed_roles(db: Database, settings: Settings, clock: Clock) -> None:
    """Grant the roles the configuration lists (and revoke ones it no longer lists)."""
    async with db.transaction() as conn:
        await UsersRepo(conn).sync_configured_roles(configured_roles(settings), now=clock.now())


async def set_bot_commands(
    bot: Bot, translator: Translator, *, db: Database, manager_chat_id: int | None = None
) -> None:
    """Publish the command menus: private chats per language, then each manager's and admin's
    own (in their language), then the managers' group.

    A person who never opened a chat with the bot cannot be given a menu yet; the others still
    get theirs.
    """
    scope = BotCommandScopeAllPrivateChats()
    default = translator.bind(translator.default_locale)
    await bot.set_my_commands(_commands(default.plain, BOT_COMMANDS), scope=scope)
    for locale in translator.locales:
        t = translator.bind(locale)
        await bot.set_my_commands(
            _commands(t.plain, BOT_COMMANDS), scope=scope, language_code=locale
        )
    users = UsersRepo(db.connection)
    people = {
        account.id: account
        for role in (Role.MANAGER, Role.ADMIN)
        for account in await users.list_by_role(role)
    }
    for account in people.values():
        names = menu_for(account.roles)
        t = translator.bind(translator.pick_locale(account.language, None))
        await _set_chat_menu(bot, account.id, _commands(t.plain, names))
    if manager_chat_id is not None:
        await _set_chat_menu(bot, manager_chat_id, _commands(default.plain, GROUP_COMMANDS))


def menu_for(roles: Iterable[Role]) -> tuple[str, ...]:
    """The commands a person with these roles sees in their private chat."""
    wanted = {"start", "help"}
    for role in roles:
        wanted.update(ROLE_COMMANDS.get(role, ()))
    return tuple(name for name in MENU_ORDER if name in wanted)


async def _set_chat_menu(bot: Bot, chat_id: int, commands: list[BotCommand]) -> None:
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
    except (TelegramBadRequest, TelegramForbiddenError) as e:
        logger.info("No command menu for chat %s yet: %s", chat_id, e.message)


def _commands(describe: Callable[[str], str], names: Sequence[str]) -> list[BotCommand]:
    return [BotCommand(command=name, description=describe(f"command-{name}")) for name in names]
