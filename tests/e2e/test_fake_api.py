"""The fake Bot API itself: it must refuse what Telegram refuses, or e2e tests prove nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tests.e2e.conftest import E2E_TOKEN
from tests.e2e.fake_api import FakeBotAPI, Fault
from tests.e2e.telegram_api import user_json

pytestmark = pytest.mark.e2e


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI(E2E_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    client = Bot(E2E_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    try:
        yield client
    finally:
        await client.session.close()


def _keyboard(rows: int, per_row: int, data: str = "x") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=f"{r}-{c}", callback_data=data) for c in range(per_row)]
            for r in range(rows)
        ]
    )


async def test_valid_html_is_delivered_and_recorded(api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(
        1, "<b>ACME &amp; Sons</b> &lt;3 <i>🔥</i>", reply_markup=_keyboard(1, 8)
    )

    shown = api.last_bot_message(1)
    assert shown.text == "ACME & Sons <3 🔥"
    assert len(shown.buttons[0]) == 8
    assert api.rejections == []


@pytest.mark.parametrize(
    ("text", "markup", "description"),
    [
        ("<script>x</script>", None, 'unsupported start tag "script"'),
        ("<b>unclosed", None, "can't find end tag"),
        ("ACME & Sons", None, "unescaped '&'"),
        ("&nbsp;", None, "unsupported entity"),
        ('<span class="x">a</span>', None, 'unsupported start tag "span"'),
        ("Щ" * 4097, None, "message is too long"),
        ("🔥" * 2049, None, "message is too long"),
        ("   ", None, "text is empty"),
        ("ok", _keyboard(1, 9), "BUTTONS_TOO_MUCH"),
        ("ok", _keyboard(21, 5), "REPLY_MARKUP_TOO_LONG"),
        ("ok", _keyboard(1, 1, data="я" * 33), "BUTTON_DATA_INVALID"),
    ],
)
async def test_what_telegram_refuses_is_refused_and_reported(
    api: FakeBotAPI, bot: Bot, text: str, markup: InlineKeyboardMarkup | None, description: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=description):
        await bot.send_message(1, text, reply_markup=markup)

    assert len(api.rejections) == 1
    api.rejections.clear()


async def test_the_limits_themselves_are_accepted(api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(1, "Щ" * 4096, reply_markup=_keyboard(20, 5, data="я" * 32))

    assert api.rejections == []


async def test_a_wrong_token_is_unauthorized(api: FakeBotAPI) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    stranger = Bot("42:" + "A" * 35, session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await session.close()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.retry_after(7), TelegramRetryAfter),
        (Fault.server_error(), TelegramServerError),
        (Fault.forbidden(), TelegramForbiddenError),
        (Fault.migrate(-1009), TelegramMigrateToChat),
        (Fault.drop(), TelegramNetworkError),
    ],
)
async def test_injected_faults_reach_the_client_once(
    api: FakeBotAPI, bot: Bot, fault: Fault, error: type[Exception]
) -> None:
    api.inject(fault, method="sendMessage", chat_id=-100)

    await bot.send_message(-200, "other chats are unaffected")
    with pytest.raises(error) as caught:
        await bot.send_message(-100, "alert")
    await bot.send_message(-100, "the next try succeeds")

    if isinstance(caught.value, TelegramRetryAfter):
        assert caught.value.retry_after == 7
    if isinstance(caught.value, TelegramMigrateToChat):
        assert caught.value.migrate_to_chat_id == -1009
    assert [m.text for m in api.messages(-100)] == ["the next try succeeds"]


async def test_updates_are_long_polled_and_confirmed_by_offset(api: FakeBotAPI, bot: Bot) -> None:
    await api.user_sends(user_json(5), "/start")
    await api.user_sends(user_json(5), "/help")

    first = await bot.get_updates(timeout=1)
    again = await bot.get_updates(timeout=1)
    after = await bot.get_updates(offset=first[-1].update_id + 1, timeout=1)

    assert [u.message.text for u in first if u.message] == ["/start", "/help"]
    assert [u.update_id for u in again] == [u.update_id for u in first], "unconfirmed: resent"
    assert after == []


async def test_identical_edits_are_refused_like_telegram_without_failing_the_test(
    api: FakeBotAPI, bot: Bot
) -> None:
    sent = await bot.send_message(1, "screen")

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("screen", chat_id=1, message_id=sent.message_id)

    assert api.rejections == []
