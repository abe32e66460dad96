"""Free-text answers typed during a call become typed values, or a re-ask with examples."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.inputs import (
    EXAMPLES,
    FIELD_TYPES,
    TEXT_MAX_LENGTH,
    FieldType,
    Invalid,
    Parsed,
    ParseResult,
    Unknown,
    names_time_of_day,
    parse_input,
)

MSK = ZoneInfo("Europe/Moscow")
# A Friday afternoon; seconds are deliberately not zero.
NOW = datetime(2026, 11, 27, 14, 30, 27, tzinfo=MSK)
ROOT = Path(__file__).resolve().parents[2]

MONEY_EXAMPLES_RU = "«1,5 млн», «200k» или «300 000 ₽»"
MONEY_REASK_RU = f"Не понял сумму. Введите, например: {MONEY_EXAMPLES_RU}."
DATE_EXAMPLES_RU = "«завтра 15:00», «в понедельник 10:00» или «28.11 11:30»"
PERIOD_EXAMPLES_RU = "«через 2 месяца», «в 3 квартале» или «сейчас»"


def parse(kind: FieldType, text: str, **kwargs: object) -> ParseResult:
    kwargs.setdefault("now", NOW)
    return parse_input(kind, text, **kwargs)  # type: ignore[arg-type]


def parsed(kind: FieldType, text: str, **kwargs: object) -> Parsed:
    result = parse(kind, text, **kwargs)
    assert isinstance(result, Parsed), f"{text!r} -> {result}"
    return result


def invalid(kind: FieldType, text: str, **kwargs: object) -> str:
    result = parse(kind, text, **kwargs)
    assert isinstance(result, Invalid), f"{text!r} -> {result}"
    return result.message


# --------------------------------------------------------------------------------------------
# money
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "currency", "display"),
    [
        ("1,5 млн", 1_500_000, "RUB", "1 500 000 ₽"),
        ("1.5 млн", 1_500_000, "RUB", "1 500 000 ₽"),
        ("1,5 млн руб", 1_500_000, "RUB", "1 500 000 ₽"),
        ("200k", 200_000, "RUB", "200 000 ₽"),
        ("200к", 200_000, "RUB", "200 000 ₽"),
        ("200 тыс", 200_000, "RUB", "200 000 ₽"),
        ("200 тыс.", 200_000, "RUB", "200 000 ₽"),
        ("300 000 ₽", 300_000, "RUB", "300 000 ₽"),
        ("300000 руб.", 300_000, "RUB", "300 000 ₽"),
        ("$20k", 20_000, "USD", "20 000 $"),
        ("20 000 $", 20_000, "USD", "20 000 $"),
        ("€5k", 5_000, "EUR", "5 000 €"),
        ("5 тыс евро", 5_000, "EUR", "5 000 €"),
        ("2 млрд", 2_000_000_000, "RUB", "2 000 000 000 ₽"),
        ("1.2m", 1_200_000, "RUB", "1 200 000 ₽"),
        ("1 500 000", 1_500_000, "RUB", "1 500 000 ₽"),
        ("полтора миллиона", 1_500_000, "RUB", "1 500 000 ₽"),
        ("полмиллиона", 500_000, "RUB", "500 000 ₽"),
        ("two million", 2_000_000, "RUB", "2 000 000 ₽"),
        ("миллион", 1_000_000, "RUB", "1 000 000 ₽"),
        ("0", 0, "RUB", "0 ₽"),
        ("нет бюджета", 0, "RUB", "0 ₽"),
        ("No budget", 0, "RUB", "0 ₽"),
        ("500 т.р.", 500_000, "RUB", "500 000 ₽"),
        ("1.5kk", 1_500_000, "RUB", "1 500 000 ₽"),
        ("1,500", 1_500, "RUB", "1 500 ₽"),
        ("1.500.000", 1_500_000, "RUB", "1 500 000 ₽"),
        ("1,250,000.50", 1_250_000.5, "RUB", "1 250 000,50 ₽"),
        ("1 500,50", 1_500.5, "RUB", "1 500,50 ₽"),
        ("около 2 млн", 2_000_000, "RUB", "2 000 000 ₽"),
        ("бюджет примерно 700к", 700_000, "RUB", "700 000 ₽"),
        ("до 1 млн", 1_000_000, "RUB", "1 000 000 ₽"),
        ("2 млн+", 2_000_000, "RUB", "2 000 000 ₽"),
        ("  1,5\u00a0МЛН  ", 1_500_000, "RUB", "1 500 000 ₽"),
        ("a million dollars", 1_000_000, "USD", "1 000 000 $"),
        ("300-500 тыс", 400_000, "RUB", "≈ 400 000 ₽ (300 000–500 000)"),
        ("от 300 до 500 тыс", 400_000, "RUB", "≈ 400 000 ₽ (300 000–500 000)"),
        ("$10-20k", 15_000, "USD", "≈ 15 000 $ (10 000–20 000)"),
        ("1-2 млн", 1_500_000, "RUB", "≈ 1 500 000 ₽ (1 000 000–2 000 000)"),
    ],
)
def test_money_is_parsed(text: str, value: float, currency: str, display: str) -> None:
    result = parsed("money", text)
    assert (result.value, result.currency, result.display) == (value, currency, display)
    assert type(result.value) is type(value)


def test_money_has_no_float_artefacts() -> None:
    # 1.1 * 10**6 in binary floating point is 1100000.0000000002.
    assert parsed("money", "1.1 млн").value == 1_100_000
    assert parsed("money", "0,3 млн").value == 300_000
    assert parsed("money", "12,34 $").value == 12.34


@pytest.mark.parametrize(
    ("text", "currency", "display"),
    [
        ("$20k", "USD", "$20,000"),
        ("1,5 млн", "RUB", "1,500,000 ₽"),
        ("€5k", "EUR", "€5,000"),
        ("300-500 тыс", "RUB", "≈ 400,000 ₽ (300,000–500,000)"),
        ("1 500,50", "RUB", "1,500.50 ₽"),
    ],
)
def test_money_display_in_english(text: str, currency: str, display: str) -> None:
    result = parsed("money", text, language="en")
    assert (result.currency, result.display) == (currency, display)


def test_money_falls_back_to_the_field_currency_only_when_none_is_typed() -> None:
    assert parsed("money", "200k", currency="usd").currency == "USD"
    assert parsed("money", "200k", currency="USD").display == "200 000 $"
    assert parsed("money", "5 тыс евро", currency="USD").currency == "EUR"
    assert parsed("money", "70 000", currency="CHF").display == "70 000 CHF"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("много", MONEY_REASK_RU),
        ("", MONEY_REASK_RU),
        ("   ", MONEY_REASK_RU),
        ("k", MONEY_REASK_RU),
        ("два", MONEY_REASK_RU),
        ("200 000 рублей в месяц", MONEY_REASK_RU),
        ("1,5 млн 200к", MONEY_REASK_RU),
        (
            "-500",
            f"Сумма не может быть отрицательной. Введите, например: {MONEY_EXAMPLES_RU}.",
        ),
        (
            "минус 2 млн",
            f"Сумма не может быть отрицательной. Введите, например: {MONEY_EXAMPLES_RU}.",
        ),
        (
            "$20k руб",
            f"В ответе две разные валюты. Введите одну сумму, например: {MONEY_EXAMPLES_RU}.",
        ),
        ("не знаю, может 200 тыс", MONEY_REASK_RU),
        ("9" * 30, MONEY_REASK_RU),
    ],
)
def test_money_reasks_with_examples(text: str, message: str) -> None:
    assert invalid("money", text) == message


def test_money_reask_in_english() -> None:
    assert invalid("money", "lots", language="en") == (
        "Didn't get the amount. Type, for example: “1.5m”, “200k” or “$300,000”."
    )


@pytest.mark.parametrize(
    "text", ["бюджет не определён", "пока не знаем", "не знаю", "Unknown", "TBD", "не говорят"]
)
def test_money_the_client_does_not_know(text: str) -> None:
    assert parse("money", text) == Unknown("неизвестно")
    assert parse("money", text, language="en") == Unknown("unknown")


# --------------------------------------------------------------------------------------------
# number
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "display"),
    [
        ("120", 120, "120"),
        ("1 200", 1200, "1 200"),
        ("1,5", 1.5, "1,5"),
        ("1.5", 1.5, "1,5"),
        ("~50", 50, "50"),
        ("≈ 50", 50, "50"),
        ("около 300 человек", 300, "300"),
        ("примерно 40 сотрудников в офисе", 40, "40"),
        ("50 employees", 50, "50"),
        ("5 тыс сотрудников", 5000, "5 000"),
        ("2k", 2000, "2 000"),
        ("15%", 15, "15"),
        ("0", 0, "0"),
        # A range is its midpoint: the unbiased estimate, see _parse_quantity.
        ("50-100", 75, "≈ 75 (50–100)"),
        ("50 – 100 человек", 75, "≈ 75 (50–100)"),
        ("от 10 до 20", 15, "≈ 15 (10–20)"),
        ("10-15", 12.5, "≈ 12,5 (10–15)"),
    ],
)
def test_number_is_parsed(text: str, value: float, display: str) -> None:
    result = parsed("number", text)
    assert (result.value, result.display) == (value, display)
    assert type(result.value) is type(value)


def test_number_display_in_english() -> None:
    assert parsed("number", "1 200", language="en").display == "1,200"
    assert parsed("number", "1,5", language="en").display == "1.5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("два", "Не понял число. Введите, например: «120», «1 200» или «около 50»."),
        ("много", "Не понял число. Введите, например: «120», «1 200» или «около 50»."),
        ("", "Не понял число. Введите, например: «120», «1 200» или «около 50»."),
        (
            "300 человек и 20 филиалов",
            "Не понял число. Введите, например: «120», «1 200» или «около 50».",
        ),
        (
            "-5",
            "Число не может быть отрицательным. Введите, например: «120», «1 200» или «около 50».",
        ),
    ],
)
def test_number_reasks_with_examples(text: str, message: str) -> None:
    assert invalid("number", text) == message


@pytest.mark.parametrize("text", ["не знаю", "неизвестно", "not sure"])
def test_number_the_client_does_not_know(text: str) -> None:
    assert isinstance(parse("number", text), Unknown)


# --------------------------------------------------------------------------------------------
# phone
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "display"),
    [
        ("+7 (495) 123-45-67", "+74951234567", "+7 495 123-45-67"),
        ("8 495 123 45 67", "+74951234567", "+7 495 123-45-67"),
        ("84951234567", "+74951234567", "+7 495 123-45-67"),
        ("+1 650 253 0000", "+16502530000", "+1 650-253-0000"),
        ("9161234567", "+79161234567", "+7 916 123-45-67"),
        ("8 (916) 123-45-67", "+79161234567", "+7 916 123-45-67"),
        ("+7 495 123-45-67 доб. 123", "+74951234567", "+7 495 123-45-67 доб. 123"),
    ],
)
def test_phone_is_e164(text: str, value: str, display: str) -> None:
    result = parsed("phone", text)
    assert (result.value, result.display) == (value, display)


def test_phone_extension_is_kept_for_display_only() -> None:
    result = parsed("phone", "+7 495 123-45-67 ext. 12", language="en")
    assert (result.value, result.display) == ("+74951234567", "+7 495 123-45-67 ext. 12")


def test_phone_uses_the_region_for_national_numbers() -> None:
    assert parsed("phone", "(650) 253-0000", region="US").value == "+16502530000"


@pytest.mark.parametrize("text", ["123", "abc", "", "+7 495 123 45 6", "8 800"])
def test_phone_reasks_with_examples(text: str) -> None:
    assert invalid("phone", text) == (
        "Не понял телефон. Введите, например: «+7 495 123-45-67» или «8 916 123 45 67»."
    )


# --------------------------------------------------------------------------------------------
# email
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Lowercased whole, local part included: one spelling per client for deduplication.
        ("Ivan@Example.COM", "ivan@example.com"),
        ("  Ivan.Petrov+crm@Mail.Ru ", "ivan.petrov+crm@mail.ru"),
        ("mailto:Petr@Mail.ru", "petr@mail.ru"),
        ("<a@b.ru>", "a@b.ru"),
        ("иван@пример.рф", "иван@пример.рф"),
    ],
)
def test_email_is_normalized(text: str, value: str) -> None:
    result = parsed("email", text)
    assert (result.value, result.display) == (value, value)


@pytest.mark.parametrize("text", ["ivan@", "ivan", "", "ivan@localhost", "a b@c.ru", "@mail.ru"])
def test_email_reasks_with_examples(text: str) -> None:
    assert invalid("email", text) == "Не понял e-mail. Введите, например: «ivan@company.ru»."


# --------------------------------------------------------------------------------------------
# date (callbacks); NOW is Friday 27.11.2026 14:30 Moscow time
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("завтра 15:00", "2026-11-28T15:00:00+03:00"),
        ("завтра в 15:00", "2026-11-28T15:00:00+03:00"),
        ("в 15:00 завтра", "2026-11-28T15:00:00+03:00"),
        ("Завтра в 15", "2026-11-28T15:00:00+03:00"),
        ("завтра в 3", "2026-11-28T15:00:00+03:00"),
        ("завтра в 10.30", "2026-11-28T10:30:00+03:00"),
        ("послезавтра", "2026-11-29T10:00:00+03:00"),
        ("в понедельник 10:00", "2026-11-30T10:00:00+03:00"),
        ("пн 10:00", "2026-11-30T10:00:00+03:00"),
        ("в среду в 14", "2026-12-02T14:00:00+03:00"),
        ("в пятницу", "2026-12-04T10:00:00+03:00"),
        ("в пятницу в полдень", "2026-12-04T12:00:00+03:00"),
        ("в следующий понедельник", "2026-11-30T10:00:00+03:00"),
        ("28.11", "2026-11-28T10:00:00+03:00"),
        ("28.11.2026 10:30", "2026-11-28T10:30:00+03:00"),
        ("28.11.26 в 10", "2026-11-28T10:00:00+03:00"),
        ("2026-12-01 10:00", "2026-12-01T10:00:00+03:00"),
        ("15.01", "2027-01-15T10:00:00+03:00"),
        ("в 10.12", "2026-12-10T10:00:00+03:00"),
        ("28 ноября 15:00", "2026-11-28T15:00:00+03:00"),
        ("1 декабря в 11:30", "2026-12-01T11:30:00+03:00"),
        ("к 15 декабря", "2026-12-15T10:00:00+03:00"),
        ("через 2 часа", "2026-11-27T16:30:00+03:00"),
        ("через полчаса", "2026-11-27T15:00:00+03:00"),
        ("через полтора часа", "2026-11-27T16:00:00+03:00"),
        ("через 2 дня в 15:00", "2026-11-29T15:00:00+03:00"),
        ("через неделю", "2026-12-04T10:00:00+03:00"),
        ("в 9 утра", "2026-11-28T09:00:00+03:00"),
        ("в 7 вечера", "2026-11-27T19:00:00+03:00"),
        ("в 3 часа дня", "2026-11-27T15:00:00+03:00"),
        ("в 06:00", "2026-11-28T06:00:00+03:00"),
        ("завтра утром", "2026-11-28T10:00:00+03:00"),
        ("завтра вечером", "2026-11-28T18:00:00+03:00"),
        ("сегодня 17:00", "2026-11-27T17:00:00+03:00"),
        ("перезвонить завтра в 11", "2026-11-28T11:00:00+03:00"),
        # A time alone is its next occurrence.
        ("15:00", "2026-11-27T15:00:00+03:00"),
        ("в 10", "2026-11-28T10:00:00+03:00"),
        ("tomorrow 3pm", "2026-11-28T15:00:00+03:00"),
        ("tomorrow afternoon", "2026-11-28T14:00:00+03:00"),
        ("in 2 days", "2026-11-29T10:00:00+03:00"),
        ("in an hour", "2026-11-27T15:30:00+03:00"),
        ("next monday 10am", "2026-11-30T10:00:00+03:00"),
        ("this friday 4pm", "2026-11-27T16:00:00+03:00"),
        ("december 1st 2pm", "2026-12-01T14:00:00+03:00"),
        ("12pm", "2026-11-28T12:00:00+03:00"),
    ],
)
def test_date_is_an_aware_iso_datetime(text: str, value: str) -> None:
    result = parsed("date", text)
    assert result.value == value
    moment = datetime.fromisoformat(value)
    assert result.display == f"{moment:%d.%m.%Y %H:%M}"


def test_date_display_in_english() -> None:
    result = parsed("date", "tomorrow 3pm", language="en")
    assert result.display == "2026-11-28 15:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "27.11 10:00",
            f"Это время уже прошло. Введите время в будущем, например: {DATE_EXAMPLES_RU}.",
        ),
        ("26.11", f"Это время уже прошло. Введите время в будущем, например: {DATE_EXAMPLES_RU}."),
        ("вчера", f"Это время уже прошло. Введите время в будущем, например: {DATE_EXAMPLES_RU}."),
        (
            "сегодня 9:00",
            f"Это время уже прошло. Введите время в будущем, например: {DATE_EXAMPLES_RU}.",
        ),
        (
            "сегодня",
            "Добавьте время: на сегодня без времени непонятно, когда звонить. "
            "Например: «сегодня 17:00».",
        ),
        ("hello", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("5", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("25:00", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("13pm", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("31.02", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("ноябрь", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("28.11.2062", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
        ("через 100000 лет", f"Не понял дату и время. Введите, например: {DATE_EXAMPLES_RU}."),
    ],
)
def test_date_reasks(text: str, message: str) -> None:
    assert invalid("date", text) == message


def test_date_past_reask_in_english() -> None:
    assert invalid("date", "yesterday", language="en") == (
        "That time has already passed. Type a future time, for example: "
        "“tomorrow 3pm”, “next monday 10am” or “28.11 11:30”."
    )


def test_date_carries_the_offset_of_the_teams_timezone() -> None:
    now = datetime(2026, 11, 27, 14, 30, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    assert parsed("date", "завтра 15:00", now=now).value == "2026-11-28T15:00:00+05:00"


def test_date_takes_the_offset_of_the_target_day_across_dst() -> None:
    # Berlin moves to summer time on 29.03.2026.
    now = datetime(2026, 3, 27, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert parsed("date", "30.03 10:00", now=now).value == "2026-03-30T10:00:00+02:00"


def test_date_works_with_pytz_zones() -> None:
    pytz = pytest.importorskip("pytz")
    berlin = pytz.timezone("Europe/Berlin")
    now = berlin.localize(datetime(2026, 3, 27, 12, 0))
    assert parsed("date", "30.03 10:00", now=now).value == "2026-03-30T10:00:00+02:00"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 декабря 15:00", "2031-12-01T15:00:00+03:00"),
        ("15 мая", "2031-05-15T10:00:00+03:00"),
        ("1 марта", "2032-03-01T10:00:00+03:00"),
        ("завтра 9:30", "2031-05-11T09:30:00+03:00"),
    ],
)
def test_date_depends_on_now_only(text: str, value: str) -> None:
    now = datetime(2031, 5, 10, 12, 0, tzinfo=MSK)
    assert parsed("date", text, now=now).value == value
    assert parse("date", text, now=now) == parse("date", text, now=now)


def test_date_just_behind_today_is_past_not_next_year() -> None:
    now = datetime(2031, 5, 10, 12, 0, tzinfo=MSK)
    assert invalid("date", "5 мая", now=now).startswith("Это время уже прошло.")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("завтра в 15:00", True),
        ("в 15:00", True),
        ("15:00", True),
        ("через 2 часа", True),
        ("через полчаса", True),
        ("in an hour", True),
        ("завтра утром", True),
        ("в пятницу в полдень", True),
        ("через 2 дня в 15:00", True),
        ("перезвонить завтра в 11", True),
        ("tomorrow 3pm", True),
        ("завтра", False),
        ("Завтра!", False),
        ("послезавтра", False),
        ("в пятницу", False),
        ("через неделю", False),
        ("in 2 days", False),
        ("28.11", False),
        ("в 10.12", False),
        ("tomorrow", False),
        ("hello", False),
        ("25:00", False),
        ("", False),
    ],
)
def test_names_time_of_day_tells_a_day_alone_from_a_day_and_time(text: str, named: bool) -> None:
    assert names_time_of_day(text) is named


@pytest.mark.parametrize("text", ["завтра", "в пятницу", "через неделю", "28.11"])
def test_a_day_alone_still_parses_to_the_default_callback_time(text: str) -> None:
    assert str(parsed("date", text).value).endswith("T10:00:00+03:00")


# --------------------------------------------------------------------------------------------
# period (purchase timeline); NOW is Friday 27.11.2026
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "at", "display"),
    [
        ("через 2 месяца", 61, "2027-01-27", "через 2 мес. (≈ 27.01.2027)"),
        ("через 2 недели", 14, "2026-12-11", "через 2 нед. (≈ 11.12.2026)"),
        ("через пару недель", 14, "2026-12-11", "через 2 нед. (≈ 11.12.2026)"),
        ("2 месяца", 61, "2027-01-27", "через 2 мес. (≈ 27.01.2027)"),
        ("через 2-3 месяца", 77, "2027-02-12", "через 3 мес. (≈ 12.02.2027)"),
        ("через полгода", 181, "2027-05-27", "через 6 мес. (≈ 27.05.2027)"),
        ("через год", 365, "2027-11-27", "через 1 г. (≈ 27.11.2027)"),
        ("через 1,5 года", 547, "2028-05-27", "через 1,5 г. (≈ 27.05.2028)"),
        ("через 3 квартала", 273, "2027-08-27", "через 9 мес. (≈ 27.08.2027)"),
        ("в течение месяца", 30, "2026-12-27", "через 1 мес. (≈ 27.12.2026)"),
        ("до конца года", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("в конце года", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("в этом году", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("в следующем году", 35, "2027-01-01", "через 1 мес. (≈ 01.01.2027)"),
        ("в следующем квартале", 35, "2027-01-01", "через 1 мес. (≈ 01.01.2027)"),
        ("на следующей неделе", 3, "2026-11-30", "через 3 дн. (≈ 30.11.2026)"),
        ("на этой неделе", 2, "2026-11-29", "через 2 дн. (≈ 29.11.2026)"),
        ("до конца месяца", 3, "2026-11-30", "через 3 дн. (≈ 30.11.2026)"),
        ("Q3", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("3 квартал", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("в 3 квартале", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("III квартал", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("в третьем квартале", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("Q3'27", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("q1 2027", 35, "2027-01-01", "через 1 мес. (≈ 01.01.2027)"),
        # The current quarter counts to its end (a deadline), not to its start.
        ("Q4", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("this quarter", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("H2", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("во 2 полугодии 2027", 216, "2027-07-01", "через 7 мес. (≈ 01.07.2027)"),
        ("в марте", 94, "2027-03-01", "через 3 мес. (≈ 01.03.2027)"),
        ("в декабре", 4, "2026-12-01", "через 4 дн. (≈ 01.12.2026)"),
        ("в ноябре", 3, "2026-11-30", "через 3 дн. (≈ 30.11.2026)"),
        ("в 2027 году", 35, "2027-01-01", "через 1 мес. (≈ 01.01.2027)"),
        ("летом", 186, "2027-06-01", "через 6 мес. (≈ 01.06.2027)"),
        ("к 15 декабря", 18, "2026-12-15", "через 3 нед. (≈ 15.12.2026)"),
        ("1 марта", 94, "2027-03-01", "через 3 мес. (≈ 01.03.2027)"),
        ("15.12", 18, "2026-12-15", "через 3 нед. (≈ 15.12.2026)"),
        ("in 3 months", 92, "2027-02-27", "через 3 мес. (≈ 27.02.2027)"),
        ("next month", 4, "2026-12-01", "через 4 дн. (≈ 01.12.2026)"),
        ("next year", 35, "2027-01-01", "через 1 мес. (≈ 01.01.2027)"),
        ("by the end of the year", 34, "2026-12-31", "через 1 мес. (≈ 31.12.2026)"),
        ("сейчас", 0, "2026-11-27", "сейчас"),
        ("срочно", 0, "2026-11-27", "сейчас"),
        ("уже", 0, "2026-11-27", "сейчас"),
        ("уже ищем", 0, "2026-11-27", "сейчас"),
        ("вчера", 0, "2026-11-27", "сейчас"),
        ("now", 0, "2026-11-27", "сейчас"),
        ("ASAP", 0, "2026-11-27", "сейчас"),
    ],
)
def test_period_is_days_until_the_moment(text: str, days: int, at: str, display: str) -> None:
    result = parsed("period", text)
    assert (result.value, result.at, result.display) == (days, at, display)


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("через 2 месяца", "in 2 months (≈ 2027-01-27)"),
        ("in 1 week", "in 7 days (≈ 2026-12-04)"),
        ("через год", "in 1 year (≈ 2027-11-27)"),
        ("ASAP", "now"),
    ],
)
def test_period_display_in_english(text: str, display: str) -> None:
    assert parsed("period", text, language="en").display == display


@pytest.mark.parametrize(
    "text",
    ["не знаем", "не определились", "unknown", "пока не знаем", "don't know", "сроки не ясны"],
)
def test_period_the_client_does_not_know(text: str) -> None:
    assert parse("period", text) == Unknown("неизвестно")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("не срочно", f"Не понял срок. Введите, например: {PERIOD_EXAMPLES_RU}."),
        ("уже не актуально", f"Не понял срок. Введите, например: {PERIOD_EXAMPLES_RU}."),
        ("когда-нибудь", f"Не понял срок. Введите, например: {PERIOD_EXAMPLES_RU}."),
        ("", f"Не понял срок. Введите, например: {PERIOD_EXAMPLES_RU}."),
        ("через 5000 лет", f"Не понял срок. Введите, например: {PERIOD_EXAMPLES_RU}."),
        (
            "Q3 2026",
            f"Этот срок уже прошёл. Введите срок в будущем, например: {PERIOD_EXAMPLES_RU}.",
        ),
        (
            "в 2025 году",
            f"Этот срок уже прошёл. Введите срок в будущем, например: {PERIOD_EXAMPLES_RU}.",
        ),
    ],
)
def test_period_reasks(text: str, message: str) -> None:
    assert invalid("period", text) == message


def test_period_in_summer_counts_next_summer_from_its_start() -> None:
    now = datetime(2027, 7, 10, 12, 0, tzinfo=MSK)
    assert parsed("period", "летом", now=now).at == "2027-08-31"
    assert parsed("period", "next summer", now=now).at == "2028-06-01"


# --------------------------------------------------------------------------------------------
# text and choice
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("  Закупают раз в квартал  ", "Закупают раз в квартал"),
        ("ООО  «Ромашка»\t\tи   партнёры", "ООО «Ромашка» и партнёры"),
        ("Первое\r\n  второе  \n\nтретье", "Первое\nвторое\n\nтретье"),
        ("x" * TEXT_MAX_LENGTH, "x" * TEXT_MAX_LENGTH),
    ],
)
def test_text_is_trimmed_and_otherwise_kept(text: str, value: str) -> None:
    result = parsed("text", text)
    assert (result.value, result.display) == (value, value)


def test_text_reasks_when_empty_or_too_long() -> None:
    assert invalid("text", " \n\t ").startswith("Пустой ответ. Введите текст, например: «")
    assert invalid("text", "x" * (TEXT_MAX_LENGTH + 1)) == (
        "Слишком длинный текст: 1001 символов, можно не больше 1000. "
        "Оставьте главное, например: «Закупают раз в квартал, сроки поставки не устраивают»."
    )


OPTIONS = {"dm": "ЛПР", "gatekeeper": "Секретарь", "other": "Другой сотрудник"}


@pytest.mark.parametrize(
    ("text", "value", "display"),
    [
        ("dm", "dm", "ЛПР"),
        ("GATEKEEPER", "gatekeeper", "Секретарь"),
        ("лпр", "dm", "ЛПР"),
        ("  другой   сотрудник. ", "other", "Другой сотрудник"),
        ("«Секретарь»", "gatekeeper", "Секретарь"),
        ("2", "gatekeeper", "Секретарь"),
        ("3)", "other", "Другой сотрудник"),
    ],
)
def test_choice_by_id_label_or_number(text: str, value: str, display: str) -> None:
    result = parsed("choice", text, options=OPTIONS)
    assert (result.value, result.display) == (value, display)


def test_choice_prefers_ids_over_labels_and_positions() -> None:
    options = {"1": "Нет", "yes": "1"}
    assert parsed("choice", "1", options=options).value == "1"
    assert parsed("choice", "yes", options=options).value == "yes"


@pytest.mark.parametrize("text", ["4", "0", "секретарша", ""])
def test_choice_reasks_listing_the_options(text: str) -> None:
    assert invalid("choice", text, options=OPTIONS) == (
        "Не понял вариант. Ответьте номером или названием: "
        "1) ЛПР; 2) Секретарь; 3) Другой сотрудник."
    )
    assert invalid("choice", text, options=OPTIONS, language="en") == (
        "Didn't get the option. Reply with its number or name: "
        "1) ЛПР; 2) Секретарь; 3) Другой сотрудник."
    )


def test_choice_reask_lists_at_most_ten_options() -> None:
    options = {f"o{i}": f"Вариант {i}" for i in range(1, 13)}
    message = invalid("choice", "?", options=options)
    assert "10) Вариант 10; …" in message
    assert "Вариант 11" not in message


# --------------------------------------------------------------------------------------------
# the contract around the parsers
# --------------------------------------------------------------------------------------------


def test_language_falls_back_to_russian_and_accepts_regional_tags() -> None:
    assert invalid("money", "много", language="de") == MONEY_REASK_RU
    assert invalid("money", "много", language="en-US").startswith("Didn't get the amount.")
    assert invalid("money", "много", language="EN_gb").startswith("Didn't get the amount.")


def test_examples_cover_every_field_type_in_both_languages() -> None:
    assert set(EXAMPLES) == set(FIELD_TYPES)
    for kind in FIELD_TYPES:
        assert set(EXAMPLES[kind]) == {"ru", "en"}
    with pytest.raises(TypeError):
        EXAMPLES["money"]["ru"] = "x"  # type: ignore[index]


@pytest.mark.parametrize("kind", [k for k in FIELD_TYPES if k not in ("text", "choice")])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_reask_names_examples(kind: FieldType, language: str) -> None:
    message = invalid(kind, "###", language=language)
    assert message.endswith(f"{EXAMPLES[kind][language]}.")


def test_misuse_by_the_caller_raises() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_input("date", "завтра", now=datetime(2026, 11, 27, 14, 30))
    with pytest.raises(ValueError, match="unknown field type"):
        parse_input("colour", "red", now=NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs options"):
        parse_input("choice", "1", now=NOW)


def test_results_are_frozen() -> None:
    result = parsed("money", "200k")
    with pytest.raises(AttributeError):
        result.value = 1  # type: ignore[misc]


def test_the_module_stays_framework_free_and_loads_dateparser_lazily() -> None:
    code = (
        "import sys, scripts.inputs; "
        "bad = sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('aiogram', 'aiosqlite', 'bot', 'dateparser')); "
        "print(bad)"
    )
    out = subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


TOKENS = [
    "завтра", "в", "15:00", "1,5", "млн", "$", "-", "через", "2", "месяца", "q3", "k", "тыс",
    ".", ",", "не", "знаю", "28.11", "pm", "до", "конца", "года", "€", "полтора", "next",
    "monday", "квартал", "~", "0", "31", "99", "утра", "@", "+7", "::", "…", "2026",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(FIELD_TYPES),
    text=st.one_of(
        st.text(max_size=60),
        st.lists(st.sampled_from(TOKENS), max_size=6).map(" ".join),
        st.lists(st.sampled_from(TOKENS), max_size=6).map("".join),
    ),
    language=st.sampled_from(["ru", "en", "xx"]),
)
def test_never_raises_and_values_are_json(kind: FieldType, text: str, language: str) -> None:
    result = parse_input(kind, text, now=NOW, language=language, options=OPTIONS)
    assert isinstance(result, Parsed | Invalid | Unknown)
    if isinstance(result, Parsed):
        json.dumps(result.value)
        assert result.display
        if kind == "period":
            assert isinstance(result.value, int)
            assert result.value >= 0
        if kind == "date":
            assert datetime.fromisoformat(str(result.value)) >= NOW.replace(second=0)
    elif isinstance(result, Invalid):
        assert result.message
