"""Delivers due reminders (callbacks to make) while the bot runs.

A callback scheduled at the end of a call comes with buttons to call the lead again (a new call
with the same card) or to review the call's summary.

A reminder is marked sent only after Telegram accepted it, so a crash in between sends it again
on restart: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallAction, CallCb
from bot.clock import Clock
from bot.db import Database
from bot.domain import Reminder
from bot.i18n import I18n, Translator
from bot.render import reader_i18n
from bot.repositories import RemindersRepo
from bot.telegram import fit_message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
"""Transient failures (network, 5xx) are retried on later rounds up to this many times."""


async def deliver_due_reminders(
    bot: Bot, db: Database, clock: Clock, translator: Translator
) -> int:
    """Send every reminder that is due now; returns how many were delivered."""
    delivered = 0
    for reminder in await RemindersRepo(db.connection).due(clock.now()):
        try:
            await _send(bot, db, translator, reminder)
        except TelegramRetryAfter as e:
            # Telegram asks us to slow down: leave the rest for a later round.
            logger.warning("Reminders paused for %s s by Telegram flood control", e.retry_after)
            await asyncio.sleep(e.retry_after)
            break
        except (TelegramForbiddenError, TelegramBadRequest, TelegramNotFound) as e:
            # Blocked by the person or the chat is gone: retrying cannot help.
            logger.warning("Reminder %s undeliverable: %s", reminder.id, e.message)
            async with db.transaction() as conn:
                await RemindersRepo(conn).record_failure(reminder.id, e.message, give_up=True)
        except (TelegramAPIError, OSError, TimeoutError) as e:
            give_up = reminder.attempts + 1 >= MAX_ATTEMPTS
            logger.warning("Reminder %s failed (%s); give up: %s", reminder.id, e, give_up)
            async with db.transaction() as conn:
                await RemindersRepo(conn).record_failure(reminder.id, str(e), give_up=give_up)
        else:
            async with db.transaction() as conn:
                await RemindersRepo(conn).mark_sent(reminder.id, now=clock.now())
            delivered += 1
    return delivered


async def _send(bot: Bot, db: Database, translator: Translator, reminder: Reminder) -> None:
    t = await reader_i18n(
        db.connection, translator, reminder.user_id, team_locale=translator.default_locale
    )
    if reminder.call_id is None:
        await bot.send_message(
            chat_id=reminder.chat_id, text=fit_message(t("reminder-due", text=reminder.text))
        )
        return
    await bot.send_message(
        chat_id=reminder.chat_id,
        text=fit_message(t("call-reminder-due", text=reminder.text)),
        reply_markup=callback_keyboard(t, reminder.call_id),
    )


def callback_keyboard(t: I18n, call_id: int) -> InlineKeyboardMarkup:
    """A callback that is due: call the lead again with the same card, or review the call."""
    again = CallCb(call_id=call_id, seq=0, action=CallAction.AGAIN).pack()
    summary = CallCb(call_id=call_id, seq=0, action=CallAction.SUMMARY).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t.plain("call-again-button"), callback_data=again),
                InlineKeyboardButton(text=t.plain("call-summary-button"), callback_data=summary),
            ]
        ]
    )


async def run_reminders(
    stopping: asyncio.Event,
    *,
    bot: Bot,
    db: Database,
    clock: Clock,
    translator: Translator,
    interval_seconds: float = 15.0,
) -> None:
    """Deliver due reminders every `interval_seconds` until `stopping` is set."""
    while not stopping.is_set():
        try:
            await deliver_due_reminders(bot, db, clock, translator)
        except Exception:
            logger.exception("Reminder round failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval_seconds)
