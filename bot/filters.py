"""Filters for routers and handlers. All async: aiogram runs synchronous filters in a thread."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject

from bot.domain import Role


class HasRole(Filter):
    """Passes when the person holds any of the roles (resolved by the access middleware)."""

    def __init__(self, *roles: Role) -> None:
        if not roles:
            raise ValueError("name at least one role")
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, roles: frozenset[Role] = frozenset()) -> bool:
        return bool(self.roles & roles)

    def __str__(self) -> str:
        return f"HasRole({', '.join(sorted(self.roles))})"


class PrivateChat(Filter):
    """Passes for messages and button presses in a private chat with the bot."""

    async def __call__(self, event: TelegramObject, **_: Any) -> bool:
        chat: Chat | None = None
        if isinstance(event, Message):
            chat = event.chat
        elif isinstance(event, CallbackQuery) and event.message is not None:
            chat = event.message.chat
        return chat is not None and chat.type == "private"
