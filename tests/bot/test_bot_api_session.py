"""Bot API requests as one JSON body: the same parameters aiogram's multipart form carries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.bot_api import JsonSession
from tests.bot.harness import TEST_TOKEN

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [
            InlineKeyboardButton(text="Соединяет", callback_data="a:1:2:connect"),
            InlineKeyboardButton(text="Сайт", url="https://example.com/?a=1&b=<2>"),
        ],
        [InlineKeyboardButton(text="◀️ Назад", callback_data="c:1:2:b:")],
    ]
)


def form_params(session: JsonSession, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
    """What aiogram's multipart form carries for `method`, each field decoded."""
    form = session.build_form_data(bot, method)
    params = {}
    for options, _, value in form._fields:  # the form's parts as aiohttp keeps them
        text = str(value)
        try:
            params[options["name"]] = json.loads(text)
        except ValueError:
            params[options["name"]] = text
    return params


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(chat_id=1001, text="<b>ООО «Ромашка»</b> & Co", reply_markup=KEYBOARD),
        EditMessageText(chat_id=1001, message_id=77, text="шаг 3/9", reply_markup=KEYBOARD),
        EditMessageReplyMarkup(chat_id=1001, message_id=77),
        AnswerCallbackQuery(callback_query_id="q1", text="Эта кнопка больше не активна"),
        AnswerCallbackQuery(callback_query_id="q2"),
    ],
    ids=lambda method: type(method).__name__,
)
async def test_the_json_body_carries_what_the_multipart_form_did(
    method: TelegramMethod[Any],
) -> None:
    session = JsonSession()
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    body = session.request_body(bot, method)
    await session.close()

    assert body is not None
    sent = json.loads(body)
    assert {key: value for key, value in sent.items() if value} == form_params(
        session, bot, method
    )
    if isinstance(method, SendMessage | EditMessageText):
        assert sent["parse_mode"] == "HTML"  # the bot's default is resolved, as in the form


async def test_a_file_upload_still_goes_as_multipart() -> None:
    session = JsonSession()
    bot = Bot(TEST_TOKEN, session=session)
    upload = SendDocument(
        chat_id=1001, document=BufferedInputFile(b"a;b\r\n", filename="leads.csv")
    )

    assert session.request_body(bot, upload) is None
    await session.close()
