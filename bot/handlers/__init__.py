"""Routers by area. `get_routers()` builds fresh ones (a router joins one dispatcher only).

Order matters: the first router whose filters match handles the update. Every router that takes
presses filters them by callback-data prefix first, so a press skips the routers that cannot
take it; the call screen, which takes most presses, is consulted first. `fallback` must come
after every router that handles updates, it answers every press nobody else took. `errors` holds
only the error handler (aiogram propagates failures on their own), so it goes last, where an
update reaches it only when nobody took it.
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
        call.create_router(),
        common.create_router(),
        call_start.create_router(),
        call_text.create_router(),
        hunter.create_router(),
        manager.create_router(),
        admin.create_router(),
        fallback.create_router(),
        errors.create_router(),
    ]
