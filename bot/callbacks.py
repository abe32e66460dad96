"""Typed callback data. Prefixes are short because Telegram allows 64 bytes in all.

Callback data is not signed: a client can send anything, so handlers re-check every press
against the database (whose call it is, whether the step is still current).
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MenuAction(StrEnum):
    """Entries of the main menu."""

    HOME = "home"
    NEW_CALL = "new"
    RESUME = "resume"
    MY_CALLS = "calls"
    CALLBACKS = "cb"
    MY_LEADS = "leads"
    TEAM = "team"


class MenuCb(CallbackData, prefix="m"):
    """A main-menu button."""

    action: MenuAction


class ResumeCallCb(CallbackData, prefix="rc"):
    """Continue the given unfinished call (the call screen handles it)."""

    call_id: int
