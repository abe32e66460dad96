"""The composition root shared by `python -m bot` and the tests.

Dependencies reach handlers as dispatcher workflow data, by parameter name: `db`, `clock`,
`settings`, `translator`, `flows`, `in_flight`, `calls` (the call use cases); the middleware
adds `account`, `roles`, `locale` and `t` for each update.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetUpdates,
    SendMessage,
)
from aiogram.methods.base import Response
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, Update

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

Flows = Mapping[tuple[str, int], Flow]
"""Loaded call scripts by (flow id, version); a call keeps the version it started on."""

BOT_COMMANDS = ("start", "call", "resume", "calls", "help")
"""The commands shown in Telegram's menu, each described by the `command-<name>` translation."""

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


async def set_bot_commands(bot: Bot, translator: Translator) -> None:
    """Publish the command menu in private chats, per language, default first."""
    scope = BotCommandScopeAllPrivateChats()
    default = translator.bind(translator.default_locale)
    await bot.set_my_commands(_commands(default.plain), scope=scope)
    for locale in translator.locales:
        t = translator.bind(locale)
        await bot.set_my_commands(_commands(t.plain), scope=scope, language_code=locale)


def _commands(describe: Callable[[str], str]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=describe(f"command-{name}")) for name in BOT_COMMANDS
    ]
