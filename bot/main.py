"""`python -m bot`: configuration, database, call scripts, then long polling until SIGTERM.

Startup problems the operator must fix (configuration, database path, call scripts) end the
process with one line on stderr and exit code 2. Shutdown waits for updates being handled and
for background loops before it closes the database.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import NoReturn

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)

from bot.app import Flows, create_dispatcher, seed_roles, set_bot_commands
from bot.bot_api import JsonSession
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.db import Database, DatabaseOpenError
from bot.i18n import Translator
from bot.leads import run_sla_watch
from bot.lifecycle import BackgroundTasks, InFlightUpdates, run_event_loop, settle_heap
from bot.outbox import OutboxRelay
from bot.reminders import run_reminders
from bot.reports import Labels, export_command, run_weekly_digest
from scripts.loader import FlowError, load_flows

logger = logging.getLogger("bot")

EXIT_USAGE = 2
SHUTDOWN_GRACE_SECONDS = 25.0
"""How long shutdown waits for handlers in flight; below the usual 30 s before SIGKILL."""


class StartupError(Exception):
    """Something the operator must fix before the bot can start; one line."""


class RedactingFormatter(logging.Formatter):
    """Removes the bot token from every log line: it appears in Bot API URLs in errors."""

    def __init__(self, fmt: str, secret: str | None) -> None:
        super().__init__(fmt)
        self._secret = secret

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record with the token replaced."""
        text = super().format(record)
        if self._secret:
            text = text.replace(self._secret, "<BOT_TOKEN>")
        return text


def configure_logging(secret: str | None = None, level: int = logging.INFO) -> None:
    """Log to stderr with the token redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secret)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def fail(message: str) -> NoReturn:
    """Exit with one line on stderr saying what to fix."""
    sys.stderr.write("qualibot: " + " ".join(message.split()) + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_USAGE)


def load_flows_or_exit(directory: Path) -> Flows:
    """Load and lint every call script in `directory`, or exit naming the first problem."""
    if not directory.is_dir():
        fail(f"SCRIPTS_DIR {directory} is not a folder: point it at the call scripts (flows)")
    try:
        flows = load_flows(directory)
    except FlowError as e:
        if not e.diagnostics:
            fail(f"invalid call scripts in {directory}")
        more = len(e.diagnostics) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        fail(f"invalid call script: {e.diagnostics[0]}{suffix}")
    except OSError as e:
        fail(f"cannot read call scripts in {directory}: {e.strerror or e}")
    if not flows:
        fail(f"no call scripts (*.yaml) in {directory}: set SCRIPTS_DIR to the flows folder")
    return flows


def create_bot(settings: Settings) -> Bot:
    """The Bot, talking HTML, to Telegram or to the configured Bot API server."""
    session = (
        JsonSession(api=TelegramAPIServer.from_base(settings.TELEGRAM_API_URL))
        if settings.TELEGRAM_API_URL
        else JsonSession()
    )
    return Bot(
        token=settings.BOT_TOKEN.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


async def serve(settings: Settings, flows: Flows) -> None:
    """Run the bot until a stop signal, then drain and close everything in order."""
    clock = SystemClock()
    try:
        db = await Database.open(settings.DATABASE_PATH)
    except DatabaseOpenError as e:
        raise StartupError(f"{e}; set DATABASE_PATH to a writable file") from e
    try:
        logger.info("Loaded %d call script(s) from %s", len(flows), settings.SCRIPTS_DIR)
        await seed_roles(db, settings, clock)
        translator = Translator.from_directory(default_locale=settings.LOCALE)
        in_flight = InFlightUpdates()
        dispatcher = create_dispatcher(
            settings, db=db, clock=clock, flows=flows, translator=translator, in_flight=in_flight
        )
        bot = create_bot(settings)
        background = BackgroundTasks()
        try:
            await wait_for_telegram(bot)
            await _register_commands(bot, translator, db, settings.MANAGER_CHAT_ID)
            background.start(
                "reminders",
                partial(run_reminders, bot=bot, db=db, clock=clock, translator=translator),
            )
            relay = OutboxRelay(
                bot=bot, db=db, clock=clock, translator=translator, settings=settings
            )
            background.start("outbox", relay.run)
            background.start("sla", partial(run_sla_watch, db=db, clock=clock, settings=settings))
            background.start(
                "weekly-digest",
                partial(
                    run_weekly_digest,
                    relay=relay,
                    db=db,
                    clock=clock,
                    settings=settings,
                    translator=translator,
                    labels=Labels.of(flows.values(), settings.LOCALE),
                ),
            )
            settle_heap()
            # Handlers run as tasks so one slow update does not hold up everyone else;
            # aiogram neither waits for them nor closes our loops, hence the drain below.
            await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        finally:
            drained = await in_flight.wait_idle(SHUTDOWN_GRACE_SECONDS)
            if not drained:
                logger.error("Stopped waiting for %d update(s) still in flight", in_flight.count)
            await background.stop(SHUTDOWN_GRACE_SECONDS)
            if drained:
                await _confirm_handled_updates(bot, in_flight)
            await bot.session.close()
    finally:
        await db.close()
        logger.info("Stopped")


async def wait_for_telegram(
    bot: Bot,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_delay: float = 60.0,
) -> None:
    """Wait until the Bot API answers: at boot the network may come up after the bot does.

    Polling retries on its own once started, but aiogram asks `getMe` first and gives up at
    once; a 401 is a wrong token and stops the start with one line.
    """
    delay = 1.0
    while True:
        try:
            await bot.get_me()
            return
        except TelegramUnauthorizedError as e:
            raise StartupError("Telegram rejected BOT_TOKEN (401 Unauthorized): check it") from e
        except TelegramNetworkError as e:
            logger.warning("Bot API not reachable (%s); retrying in %.0f s", e, delay)
        await sleep(delay)
        delay = min(delay * 2, max_delay)


async def _register_commands(
    bot: Bot, translator: Translator, db: Database, manager_chat_id: int | None
) -> None:
    try:
        await set_bot_commands(bot, translator, db=db, manager_chat_id=manager_chat_id)
    except TelegramUnauthorizedError as e:
        raise StartupError("Telegram rejected BOT_TOKEN (401 Unauthorized): check it") from e
    except (TelegramAPIError, OSError, TimeoutError) as e:
        # The command menu is a convenience; polling retries the connection on its own.
        logger.warning("Could not publish the command menu: %s", e)


async def _confirm_handled_updates(bot: Bot, in_flight: InFlightUpdates) -> None:
    """Tell Telegram the handled updates are done, so a restart does not replay them.

    Polling confirms an update only with the next getUpdates call, which never comes after a
    stop. Asking for the next one with `offset` confirms everything before it; the update it
    may return stays unconfirmed and is delivered again after the restart.
    """
    if in_flight.highest_update_id is None:
        return
    try:
        await bot.get_updates(
            offset=in_flight.highest_update_id + 1, limit=1, timeout=0, request_timeout=5
        )
    except (TelegramAPIError, OSError, TimeoutError) as e:
        logger.warning("Could not confirm the last updates: %s", e)


def run(argv: Sequence[str] | None = None) -> int:
    """The entry point of `python -m bot` (and `python -m bot export ...`); the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["export"]:
        return export_command(args[1:])
    if args:
        fail(f"unknown command {args[0][:32]!r}: use `python -m bot` or `python -m bot export`")
    configure_logging()
    try:
        settings = load_settings()
    except ConfigError as e:
        fail(str(e))
    configure_logging(secret=settings.BOT_TOKEN.get_secret_value())
    flows = load_flows_or_exit(settings.SCRIPTS_DIR)
    try:
        run_event_loop(serve(settings, flows))
    except StartupError as e:
        fail(str(e))
    except TelegramUnauthorizedError:
        fail("Telegram rejected BOT_TOKEN (401 Unauthorized): check it")
    return 0
