"""Last resort: every press nobody handled is answered, so no button keeps spinning."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.filters import PrivateChat
from bot.i18n import I18n

logger = logging.getLogger(__name__)


async def on_unhandled_press(callback: CallbackQuery, t: I18n) -> None:
    """A stale, double or forged press: say the button is no longer active."""
    logger.info("Unhandled press from %s: %r", callback.from_user.id, callback.data)
    await callback.answer(t.plain("button-expired-alert"))


async def on_unhandled_message(message: Message, t: I18n) -> None:
    """A private message nobody expected: point to the menu and help."""
    await message.answer(t("unknown-message"))


def create_router() -> Router:
    """Catch-alls; must be included after every other router."""
    router = Router(name="fallback")
    router.callback_query.register(on_unhandled_press)
    router.message.register(on_unhandled_message, PrivateChat())
    return router
