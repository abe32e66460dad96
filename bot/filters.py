"""Filters for routers and handlers. All async: aiogram runs synchronous filters in a thread."""

from __future__ import annotations

from enum import Enum
from typing import Any

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
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


class PressOf(Filter):
    """Passes for a press whose data is one of the kinds: told apart by prefix, unpacked once.

    Meant for a router's `callback_query`: any other press skips the router after one string
    split, and the router's handlers get the data as `callback_data` (told apart by `DataIs`)
    instead of each unpacking it again. Data that does not unpack (forged, or from an older
    kind of button) fails here, as `SomeCb.filter()` would.
    """

    def __init__(self, *kinds: type[CallbackData]) -> None:
        if not kinds:
            raise ValueError("name at least one kind of callback data")
        separators = {kind.__separator__ for kind in kinds}
        if len(separators) != 1:
            raise ValueError("the kinds must share one separator")
        (self._separator,) = separators
        self._kinds = {kind.__prefix__: kind for kind in kinds}
        if len(self._kinds) != len(kinds):
            raise ValueError("the kinds must have different prefixes")

    async def __call__(self, callback: CallbackQuery) -> bool | dict[str, CallbackData]:
        data = callback.data
        if not data:
            return False
        kind = self._kinds.get(data.partition(self._separator)[0])
        if kind is None:
            return False
        try:
            return {"callback_data": kind.unpack(data)}
        except (TypeError, ValueError):
            return False

    def __str__(self) -> str:
        return f"PressOf({', '.join(kind.__name__ for kind in self._kinds.values())})"


class DataIs(Filter):
    """Passes when the press's `callback_data` (see `PressOf`) is a `kind`, and if any actions
    are named, its `action` is one of them."""

    def __init__(self, kind: type[CallbackData], *actions: Enum) -> None:
        if actions and "action" not in kind.model_fields:
            raise ValueError(f"{kind.__name__} has no action")
        self._kind = kind
        self._actions = frozenset(actions)

    async def __call__(
        self, callback: CallbackQuery, callback_data: CallbackData | None = None
    ) -> bool:
        if not isinstance(callback_data, self._kind):
            return False
        return not self._actions or getattr(callback_data, "action", None) in self._actions

    def __str__(self) -> str:
        actions = ", ".join(sorted(str(action) for action in self._actions))
        return f"DataIs({self._kind.__name__}{', ' if actions else ''}{actions})"
