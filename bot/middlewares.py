"""The outer middleware on every update: the sender's account, their language, access.

Handlers downstream receive `account: Account`, `roles: frozenset[Role]`, `locale: str` and
`t: I18n` besides the dispatcher's workflow data (`db`, `clock`, `settings`, `translator`...).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.clock import Clock
from bot.db import Database
from bot.domain import Account
from bot.i18n import Translator
from bot.repositories import UsersRepo

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def _on_behalf_of_chat(event: TelegramObject) -> bool:
    """A message posted as a chat or channel (anonymous admin, linked channel), not a person."""
    if isinstance(event, Update):
        event = event.message or event.edited_message or event
    return isinstance(event, Message) and event.sender_chat is not None


class SenderMiddleware(BaseMiddleware):
    """Who sent the update, in which language to answer, and whether to serve them at all.

    In order: the sender is looked up by numeric id (`account`, or None, and `roles`); the
    language is picked (chosen in the bot, else the Telegram client's, else the default:
    `locale` and `t`); then only people with a role are let in, everyone else is refused
    politely and leaves no trace.

    Nothing is written for a refused person: no user row, no FSM state. Anonymous posts on
    behalf of a chat never count as the admin behind them. One middleware rather than three:
    aiogram wraps every outer middleware anew for each update.
    """

    def __init__(self, db: Database, translator: Translator, clock: Clock) -> None:
        self._db = db
        self._translator = translator
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        on_behalf_of_chat = _on_behalf_of_chat(event)
        account: Account | None = None
        if user is not None and not on_behalf_of_chat:
            account = await UsersRepo(self._db.connection).get(user.id)
        data["account"] = account
        data["roles"] = account.roles if account else frozenset()
        locale = self._translator.pick_locale(
            account.language if account else None,
            user.language_code if user else None,
        )
        data["locale"] = locale
        data["t"] = t = self._translator.bind(locale)
        inner = event.event if isinstance(event, Update) else event
        if user is None:
            return None  # channel posts, polls: nobody to serve
        if _group_chatter(inner) and (on_behalf_of_chat or not (account and account.roles)):
            return None  # people talking in the managers' group: a refusal each time is spam
        if on_behalf_of_chat:
            await _refuse(inner, t("access-anonymous"), t.plain("access-anonymous-alert"))
            return None
        if account is None or not account.roles:
            logger.info("Refused user %s: no role", user.id)
            user_id = str(user.id)
            await _refuse(
                inner,
                t("access-denied", user_id=user_id),
                t.plain("access-denied-alert", user_id=user_id),
            )
            return None
        data["account"] = await self._keep_current(account, user, locale)
        return await handler(event, data)

    async def _keep_current(self, account: Account, user: User, locale: str) -> Account:
        """The account with the name Telegram shows now and the language the person uses."""
        if account.name != user.full_name or account.username != user.username:
            # Names change in Telegram; keep ours current for lists and alerts.
            async with self._db.transaction() as conn:
                await UsersRepo(conn).upsert(
                    user.id, name=user.full_name, username=user.username, now=self._clock.now()
                )
            account = replace(account, name=user.full_name, username=user.username)
        if account.language is None and locale == _client_language(user):
            # Reminders and private cards are sent with no update to read the client's language
            # from, so the language the person uses is remembered for them.
            async with self._db.transaction() as conn:
                await UsersRepo(conn).set_language(user.id, locale, now=self._clock.now())
            account = replace(account, language=locale)
        return account


def _client_language(user: User) -> str | None:
    """The primary language of the person's Telegram client ("en" for "en-GB")."""
    return (user.language_code or "").split("-")[0].lower() or None


def _group_chatter(event: TelegramObject) -> bool:
    """A plain message in a group, not addressed to the bot as a command."""
    if not isinstance(event, Message) or event.chat.type == "private":
        return False
    return not (event.text or event.caption or "").startswith("/")


async def _refuse(event: TelegramObject, text: str, alert: str) -> None:
    try:
        if isinstance(event, CallbackQuery):
            await event.answer(alert, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text)
    except TelegramAPIError as e:
        logger.warning("Could not deliver a refusal: %s", e)
