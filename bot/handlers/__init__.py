"""Routers by area. `get_routers()` builds fresh ones (a router joins one dispatcher only).

Order matters: the first router whose filters match handles the update. The call screen and the
managers' alert handlers slot in before the role menus; `fallback` must stay last, it answers
every press nobody else took.
"""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    admin,
    call,
    call_start,
    call_text,
    common,
    errors,
    fallback,
    hunter,
    manager,
)


def get_routers() -> list[Router]:
    """All routers in the order they are consulted."""
    return [
        errors.create_router(),
        common.create_router(),
        call_start.create_router(),
        call.create_router(),
        call_text.create_router(),
        hunter.create_router(),
        manager.create_router(),
        admin.create_router(),
        fallback.create_router(),
    ]
