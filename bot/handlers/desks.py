"""Per-update helpers handed to a router's handlers as `desk` (see `install_desk`).

A desk bundles what a router's handlers work with (the bot, the database or the call use
cases, the person, their language), so a handler names one parameter instead of six.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import TelegramObject

DeskBuilder = Callable[[dict[str, Any]], object]
"""Builds a desk from the update's data (the dispatcher's workflow data and the middlewares')."""


class _DeskMiddleware(BaseMiddleware):
    def __init__(self, build: DeskBuilder) -> None:
        self._build = build

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["desk"] = self._build(data)
        return await handler(event, data)


def install_desk(router: Router, build: DeskBuilder) -> None:
    """Give the router's handlers a `desk`, built only for updates one of them handles."""
    for observer in (router.message, router.edited_message, router.callback_query):
        observer.middleware(_DeskMiddleware(build))
