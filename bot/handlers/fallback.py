"""Last resort: every press nobody handled is answered, so no button keeps spinning."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.db import Database
from bot.domain import Account, CallStatus, Role
from bot.filters import PrivateChat
from bot.i18n import I18n
from bot.repositories import CallsRepo

logger = logging.getLogger(__name__)


async def on_unhandled_press(callback: CallbackQuery, t: I18n) -> None:
    """A stale, double or forged press: say the button is no longer active."""
    logger.info("Unhandled press from %s: %r", callback.from_user.id, callback.data)
    await callback.answer(t.plain("button-expired-alert"))


async def on_unhandled_message(message: Message, t: I18n, account: Account, db: Database) -> None:
    """A private message nobody expected: point to /resume if the hunter's call is paused,
    else to the menu and help."""
    if await _call_paused(account, db):
        await message.answer(t("call-paused-typed"))
        return
    await message.answer(t("unknown-message"))


async def _call_paused(account: Account, db: Database) -> bool:
    """Whether the hunter's latest unfinished call is paused: what they type has nowhere to go
    until they resume it."""
    if Role.HUNTER not in account.roles:
        return False
    latest = await CallsRepo(db.connection).list_open_for_hunter(account.id, limit=1)
    return bool(latest) and latest[0].status is CallStatus.PAUSED


def create_router() -> Router:
    """Catch-alls; must be included after every other router."""
    router = Router(name="fallback")
    router.callback_query.register(on_unhandled_press)
    router.message.register(on_unhandled_message, PrivateChat())
    return router
