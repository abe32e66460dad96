"""Small rendering helpers for message texts (HTML is produced by the translations)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import I18n

# Card fields that name the lead best, in order of preference; flows choose their field ids,
# these are the conventional ones.
_TITLE_FIELDS = ("company", "company_name", "organization", "contact", "name")
_TITLE_LIMIT = 40


def when(moment: datetime, zone: ZoneInfo) -> str:
    """A short local date and time for lists: 03.03 12:00."""
    return moment.astimezone(zone).strftime("%d.%m %H:%M")


def card_title(card: Mapping[str, Any], t: I18n) -> str:
    """What to call a call or a lead in a list: its company, else its contact."""
    for field in _TITLE_FIELDS:
        value = card.get(field)
        if isinstance(value, str) and value.strip():
            title = " ".join(value.split())
            return title if len(title) <= _TITLE_LIMIT else title[: _TITLE_LIMIT - 1] + "…"
    return t.plain("call-untitled")
