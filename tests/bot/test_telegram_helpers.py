"""Staying inside Telegram's rules: message length, HTML that still parses, quiet no-op edits."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest

from bot.clock import FakeClock
from bot.telegram import edit_or_send, escape, fit_message, safe_edit, visible_length
from tests.bot.harness import TEST_TOKEN, RecordingSession
from tests.e2e.telegram_api import parse_html, utf16_length

CYRILLIC = "Щ"  # one UTF-16 unit
EMOJI = "🔥"  # two UTF-16 units


def _text_of_length(units: int, filler: str) -> str:
    width = utf16_length(filler)
    return filler * (units // width) + "ж" * (units % width)


@pytest.mark.parametrize("filler", [CYRILLIC, EMOJI, "ab "])
@pytest.mark.parametrize("units", [4095, 4096])
def test_a_text_that_fits_is_left_exactly_as_is(filler: str, units: int) -> None:
    text = _text_of_length(units, filler)

    assert fit_message(text) == text


@pytest.mark.parametrize("filler", [CYRILLIC, EMOJI, "слово "])
@pytest.mark.parametrize("units", [4097, 4098, 10000])
def test_a_longer_text_is_cut_to_fit_with_a_marker(filler: str, units: int) -> None:
    text = _text_of_length(units, filler)

    fitted = fit_message(text)

    visible = parse_html(fitted)
    assert utf16_length(visible) <= 4096
    assert visible.endswith("…")
    assert utf16_length(visible) >= 4096 - 90, "the cut keeps almost everything"
    assert text.startswith(visible[:-1].rstrip())


@pytest.mark.parametrize(
    "unit",
    [
        "<b>Жирный ACME &amp; Sons</b> ",
        '<a href="https://example.com/?a=1&amp;b=2">ссылка</a> &lt;script&gt; ',
        "<i>курсив <u>и подчёркнутый 🔥</u></i>\n",
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
        "<blockquote>Цитата &quot;клиента&quot;</blockquote>",
    ],
)
def test_a_cut_never_breaks_tags_or_entities(unit: str) -> None:
    text = unit * 1000

    fitted = fit_message(text)

    visible = parse_html(fitted)  # raises like Telegram if a tag or entity were broken
    assert utf16_length(visible) <= 4096
    assert visible.endswith("…")


def test_every_cut_position_stays_valid_html() -> None:
    text = "<b>АБВ</b> <i>🔥&amp;x</i> " * 3
    for limit in range(1, visible_length(text) + 2):
        fitted = fit_message(text, limit=limit)
        assert utf16_length(parse_html(fitted)) <= limit, (limit, fitted)


def test_visible_length_counts_what_telegram_counts() -> None:
    assert visible_length("<b>Щ&amp;🔥</b>") == 4


def test_escape_makes_any_input_literal() -> None:
    hostile = "<b>ACME & Sons</b> <script>alert(1)</script>"

    assert parse_html(escape(hostile)) == hostile


@pytest.fixture
async def bot(clock: FakeClock) -> Bot:
    return Bot(
        TEST_TOKEN,
        session=RecordingSession(clock),
        default=DefaultBotProperties(parse_mode="HTML"),
    )


async def test_an_identical_edit_is_quietly_ignored(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    sent = await bot.send_message(chat_id=1, text="<b>Шаг 2</b>")
    session.fail_next("editMessageText", description="Bad Request: message is not modified")

    result = await safe_edit(sent, "<b>Шаг 2</b>")

    assert result is sent


async def test_other_edit_errors_still_raise(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    sent = await bot.send_message(chat_id=1, text="x")
    session.fail_next("editMessageText", description="Bad Request: chat not found")

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await safe_edit(sent, "y")


@pytest.mark.parametrize(
    ("fault", "expect_new_message"),
    [
        (None, False),
        ("Bad Request: message is not modified", False),
        ("Bad Request: message to edit not found", True),
        ("Bad Request: message can't be edited", True),
    ],
)
async def test_edit_or_send_keeps_one_screen(
    bot: Bot, fault: str | None, expect_new_message: bool
) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    sent = await bot.send_message(chat_id=1, text="старый экран")
    if fault:
        session.fail_next("editMessageText", description=fault)

    message_id = await edit_or_send(bot, 1, sent.message_id, "новый экран")

    assert (message_id != sent.message_id) is expect_new_message
    assert len(session.calls("sendMessage")) == (2 if expect_new_message else 1)
