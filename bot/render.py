"""Formatting shared by every screen: times, money, phones, temperatures, BANT, lead titles.

Texts themselves come from the translations; these helpers turn values into the words and
signs the translations receive, so a hunter's summary and a manager's card say things alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
import phonenumbers

from bot.i18n import I18n, Translator
from bot.repositories import UsersRepo
from scripts.summary import CallSummary

TEMPERATURE_EMOJI = {"hot": "🔥", "warm": "🌤", "cold": "❄️"}
BANT_MARKS = {"confirmed": "✅", "partial": "☑️", "unknown": "❔", "negative": "❌"}
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£"}
PHONE_REGIONS = {"ru": "RU", "en": "GB"}
"""Where a phone typed without a country code is assumed to be, by the flow's language."""

# Card fields that name the lead best, in order of preference; flows choose their field ids,
# these are the conventional ones.
_TITLE_FIELDS = ("company", "company_name", "organization", "contact", "name")
TITLE_LIMIT = 40
"""How much of a company name a list line or a button shows."""


_DAY = {"ru": "%d.%m.%Y", "en": "%Y-%m-%d"}
_SHORT_DAY = {"ru": "%d.%m", "en": "%m-%d"}
"""Dates as each language writes them; English follows the ISO order the engine uses."""


def when(moment: datetime, zone: ZoneInfo, locale: str, *, seconds: bool = False) -> str:
    """A short local date and time for lists and status lines: 03.03 12:00, 03-03 12:00."""
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return moment.astimezone(zone).strftime(f"{_SHORT_DAY.get(locale, _SHORT_DAY['ru'])} {clock}")


def local_time(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    """A full local date and time with the zone: 03.03.2025 12:00 MSK, 2025-03-03 12:00 MSK."""
    local = moment.astimezone(zone)
    return f"{local.strftime(day_format(locale))} {local:%H:%M} {local.tzname() or ''}".rstrip()


def day_format(locale: str) -> str:
    """The strftime format of a full date in the language."""
    return _DAY.get(locale, _DAY["ru"])


def format_money(amount: Decimal | float | int, currency: str, locale: str) -> str:
    """An amount grouped by thousands with the currency sign: 1 500 000 ₽, $25,000."""
    value = Decimal(str(amount))
    whole = value == value.to_integral_value()
    digits = f"{value:,.0f}" if whole else f"{value:,.2f}"
    sign = CURRENCY_SIGNS.get(currency.upper(), currency.upper())
    if locale == "ru":
        return digits.replace(",", " ").replace(".", ",") + f" {sign}"
    return f"{sign}{digits}" if len(sign) == 1 and sign != "₽" else f"{digits} {sign}"


def phone_region(language: str) -> str:
    """The country a flow's phones default to (its language's usual one)."""
    return PHONE_REGIONS.get(language, "RU")


def e164(phone: str | None, language: str) -> str | None:
    """The phone in international format (+74951234567), which Telegram makes tappable."""
    if not phone:
        return None
    try:
        parsed = phonenumbers.parse(phone, phone_region(language))
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_possible_number(parsed):
        return phone
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def card_title(card: Mapping[str, Any], t: I18n) -> str:
    """What to call a call or a lead in a list: its company, else its contact."""
    for field in _TITLE_FIELDS:
        value = card.get(field)
        if isinstance(value, str) and value.strip():
            return clip(value, TITLE_LIMIT)
    return t.plain("call-untitled")


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters: whitespace collapsed, an ellipsis if cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def bant_lines(summary: CallSummary, t: I18n, cut: Callable[[str], str] = str) -> list[str]:
    """BANT, one line a dimension with its mark and what the client said: ✅ Бюджет: 1,5 млн."""
    lines = [t("bant-title")]
    for line in summary.bant:
        mark = BANT_MARKS.get(line.status, "❔")
        name = t.plain(f"bant-{line.dimension}")
        if line.answer:
            lines.append(t("bant-line", mark=mark, name=name, answer=cut(line.answer)))
        else:
            lines.append(t("bant-unknown", mark=mark, name=name))
    return lines


async def reader_i18n(
    conn: aiosqlite.Connection, translator: Translator, chat_id: int, *, team_locale: str
) -> I18n:
    """The language a chat is written to in: the team's in groups, the person's in private."""
    if chat_id < 0:
        return translator.bind(team_locale)
    account = await UsersRepo(conn).get(chat_id)
    return translator.bind(translator.pick_locale(account.language if account else None, None))
