"""The error handler: log with the update id, apologise to the person, answer the press."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import I18n, Translator

logger = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, translator: Translator, t: I18n | None = None) -> None:
    """Log the failure and tell the person something went wrong (never leave a press spinning)."""
    update = event.update
    user = update.callback_query.from_user if update.callback_query else None
    if update.message and update.message.from_user:
        user = update.message.from_user
    logger.error(
        "Update %s from user %s failed: %s",
        update.update_id,
        user.id if user else None,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    if t is None:
        t = translator.bind(translator.pick_locale(None, user.language_code if user else None))
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t.plain("error-generic-alert"), show_alert=True)
        elif update.message is not None:
            await update.message.answer(t("error-generic"))
    except TelegramAPIError as e:
        # The press may already have been answered, or the chat may be gone.
        logger.warning("Could not apologise for update %s: %s", update.update_id, e)


def create_router() -> Router:
    """The router holding the error handler."""
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
