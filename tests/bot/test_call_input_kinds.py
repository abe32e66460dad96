"""What else than plain text reaches a call: captions, voice messages, stickers, pictures and
files, text while the call is paused, and a callback day typed without a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.db import Database
from tests.bot.conftest import HUNTER
from tests.bot.harness import Conversation, ShownMessage, World
from tests.bot.test_call_outcomes import CARDS, EN_COLD, RU_COLD, Move, play, tap, typed
from tests.e2e.telegram_api import message_json

TEXT_ONLY_RU = (
    "Пришлите ответ текстом — голосовые, стикеры, фото и файлы без подписи бот не разбирает."
)
TEXT_ONLY_EN = (
    "Please send the answer as text — the bot does not read voice messages, stickers, photos "
    "or files without a caption."
)
PAUSED_RU = "⏸ Звонок на паузе. Продолжить — /resume."
UNKNOWN_RU = "Не понял сообщение. Главное меню — /start, справка — /help."
NEED_TIME_RU = "⚠️ Во сколько перезвонить? Например: «завтра в 15:00»."
NEED_TIME_EN = '⚠️ What time should I call back? For example: "tomorrow 3pm".'
CALLBACK_PRESETS_RU = [["Через час", "Завтра в 10:00", "Завтра в 15:00"], ["✖️ Отмена"]]

EMPLOYEES_QUESTION = "сколько у вас примерно человек на производстве и складе?"
TO_EMPLOYEES = (tap("Соединяет"), tap("Да, слушаю"), tap("Пищевое"))
TO_CALLBACK_RU = (
    tap("Соединяет"),
    tap("Сейчас неудобно"),
    tap("🏁 Завершить: Перезвонить в согласованное время"),
)
TO_CALLBACK_EN = (
    tap("Puts me through"),
    tap("Bad time"),
    tap("🏁 Finish: Call back at the agreed time"),
)
# The fixed clock is Monday 3 March 2025, 12:00 in Moscow (09:00 UTC).
TODAY_15_MSK = "2025-03-03T12:00:00.000000+00:00"
TOMORROW_10_MSK = "2025-03-04T07:00:00.000000+00:00"
TOMORROW_15_MSK = "2025-03-04T12:00:00.000000+00:00"
IN_TWO_HOURS = "2025-03-03T11:00:00.000000+00:00"
TYPED_ANSWERS = (
    "SELECT json_extract(payload, '$.field'), json_extract(payload, '$.value')"
    " FROM call_events WHERE kind = 'input' ORDER BY call_id, seq"
)

ATTACHMENTS: dict[str, dict[str, Any]] = {
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}},
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "us1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]},
    "document": {
        "document": {"file_id": "d1", "file_unique_id": "ud1", "file_name": "визитка.pdf"}
    },
}
"""What a message carries instead of text, as the Bot API sends it."""


async def send_attachment(
    world: World, conv: Conversation, kind: str, caption: str | None = None
) -> None:
    """The person sends a voice message, a sticker, a photo or a file, maybe with a caption."""
    message = message_json(
        message_id=world.session.next_message_id(),
        date=int(world.clock.now().timestamp()),
        chat=conv.chat,
        from_user=conv.user,
        text="",
    )
    del message["text"]
    message.update(ATTACHMENTS[kind])
    if caption is not None:
        message["caption"] = caption
    await world.feed({"message": message})


async def table(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.connection.execute(sql) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def stored(db: Database) -> list[list[tuple[Any, ...]]]:
    """Everything a call writes: its row, its events, notes, reminders, leads."""
    return [
        await table(db, "SELECT id, status, outcome FROM calls ORDER BY id"),
        await table(
            db, "SELECT call_id, seq, kind, payload FROM call_events ORDER BY call_id, seq"
        ),
        await table(db, "SELECT id FROM reminders"),
        await table(db, "SELECT id FROM leads"),
    ]


async def on_call(world: World, moves: tuple[Move, ...], *, language: str = "ru") -> Conversation:
    """A hunter who opened a call on the first script (the card typed) and made `moves`."""
    conv = world.conversation(HUNTER, language_code=language)
    await conv.send("/call")
    await play(conv, (*CARDS[EN_COLD if language == "en" else RU_COLD], *moves))
    return conv


def screen_now(world: World, screen: ShownMessage) -> tuple[str, list[list[str]]]:
    """What a message shows now: its text and buttons."""
    current = world.session.messages[(screen.chat_id, screen.message_id)]
    return current.text, current.buttons


# ----- captions are typed text -----


async def test_a_photo_caption_at_the_note_prompt_is_saved_as_the_note(
    world: World, db: Database
) -> None:
    conv = await on_call(world, (tap("Соединяет"), tap("📝 Заметка")))

    await send_attachment(world, conv, "photo", "Секретарь Марина, перезвонить после 15")

    assert "📝 Заметка сохранена." in [m.text for m in conv.messages[-2:]]
    assert await table(db, "SELECT text FROM notes") == [
        ("Секретарь Марина, перезвонить после 15",)
    ]
    assert "ООО «Северный хлеб» · шаг 2/12" in conv.last_text  # back on the call's step


@pytest.mark.parametrize("kind", ["photo", "document"])
async def test_a_caption_answers_a_typed_question(world: World, db: Database, kind: str) -> None:
    conv = await on_call(world, TO_EMPLOYEES)
    assert EMPLOYEES_QUESTION in conv.last_text

    await send_attachment(world, conv, kind, "250")

    assert await table(db, TYPED_ANSWERS) == [("employees", 250)]
    assert "Как сейчас закупаете упаковку" in conv.last_text


async def test_a_caption_that_is_not_understood_is_asked_again_like_text(
    world: World, db: Database
) -> None:
    conv = await on_call(world, TO_EMPLOYEES)
    before = await stored(db)

    await send_attachment(world, conv, "photo", "много")

    assert conv.last_text.startswith("⚠️ Не понял число.")
    assert await stored(db) == before


async def test_a_caption_fills_the_lead_card(world: World) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap(RU_COLD)

    await send_attachment(world, conv, "photo", "ООО «Северный хлеб»")

    assert "✓ Компания: ООО «Северный хлеб»" in conv.last_text


@pytest.mark.parametrize(
    ("caption", "reminder"),
    [
        pytest.param("завтра в 15:00", [(TOMORROW_15_MSK,)], id="day and time"),
        pytest.param("завтра", [], id="day alone"),
    ],
)
async def test_a_caption_gives_the_callback_time(
    world: World, db: Database, caption: str, reminder: list[tuple[str]]
) -> None:
    conv = await on_call(world, TO_CALLBACK_RU)

    await send_attachment(world, conv, "photo", caption)

    assert await table(db, "SELECT due_at FROM reminders") == reminder
    if not reminder:
        assert conv.last_text == NEED_TIME_RU


# ----- nothing typed: asked for text, the call stays where it was -----

PROMPTS: dict[str, tuple[Move, ...]] = {
    "typed question": TO_EMPLOYEES,
    "button question": (tap("Соединяет"),),
    "note prompt": (tap("Соединяет"), tap("📝 Заметка")),
    "no fitting answer prompt": (tap("Соединяет"), tap("✍️ Нет подходящего ответа")),
    "callback time": TO_CALLBACK_RU,
}


@pytest.mark.parametrize("kind", list(ATTACHMENTS))
@pytest.mark.parametrize("where", list(PROMPTS))
async def test_a_message_without_text_on_a_call_is_asked_for_as_text(
    world: World, db: Database, where: str, kind: str
) -> None:
    conv = await on_call(world, PROMPTS[where])
    screen = conv.last_message
    before = await stored(db)

    await send_attachment(world, conv, kind)

    assert conv.last_text == TEXT_ONLY_RU
    assert screen_now(world, screen) == (screen.text, screen.buttons)
    assert await stored(db) == before


TYPED_AFTERWARDS: dict[str, tuple[str, str]] = {
    "typed question": ("250", "Как сейчас закупаете упаковку"),
    "note prompt": ("Секретарь Марина", "📝 Заметка сохранена."),
    "no fitting answer prompt": ("Работаем с Китаем", "✍️ Записал для автора скрипта."),
    "callback time": ("завтра в 15:00", "🏁 Звонок завершён"),
}


@pytest.mark.parametrize("where", list(TYPED_AFTERWARDS))
async def test_text_after_a_voice_message_is_taken_where_the_call_was(
    world: World, where: str
) -> None:
    conv = await on_call(world, PROMPTS[where])
    await send_attachment(world, conv, "voice")

    text, expected = TYPED_AFTERWARDS[where]
    await conv.send(text)

    assert any(expected in m.text for m in conv.messages[-2:]), conv.last_text


async def test_a_message_without_text_on_the_lead_card_keeps_the_card(world: World) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap(RU_COLD)
    card = conv.last_message

    await send_attachment(world, conv, "voice")

    assert conv.last_text == TEXT_ONLY_RU
    assert screen_now(world, card) == (card.text, card.buttons)
    await conv.send("ООО «Северный хлеб»")
    assert "✓ Компания: ООО «Северный хлеб»" in conv.last_text


async def test_the_request_for_text_is_in_the_hunters_language(world: World) -> None:
    conv = await on_call(world, (tap("Puts me through"),), language="en")

    await send_attachment(world, conv, "sticker")

    assert conv.last_text == TEXT_ONLY_EN


async def test_a_captioned_command_is_still_the_command(world: World) -> None:
    conv = await on_call(world, (tap("Соединяет"), tap("📝 Заметка")))

    await send_attachment(world, conv, "photo", "/resume")

    assert conv.last_text.startswith("Незавершённые звонки")


# ----- a paused call -----

Send = Callable[[World, Conversation], Awaitable[None]]


async def _send_number(world: World, conv: Conversation) -> None:
    await conv.send("250")


async def _send_voice(world: World, conv: Conversation) -> None:
    await send_attachment(world, conv, "voice")


@pytest.mark.parametrize("send", [_send_number, _send_voice], ids=["text", "voice"])
async def test_a_message_to_a_paused_call_points_to_resume(
    world: World, db: Database, send: Send
) -> None:
    conv = await on_call(world, (*TO_EMPLOYEES, tap("⏸ Пауза")))
    before = await stored(db)

    await send(world, conv)

    assert conv.last_text == PAUSED_RU
    assert await stored(db) == before
    await conv.send("/resume")
    await conv.click("#1")
    await conv.send("250")
    assert await table(db, TYPED_ANSWERS) == [("employees", 250)]


async def test_without_a_paused_call_text_gets_the_menu_hint(world: World) -> None:
    conv = await on_call(world, (*TO_EMPLOYEES, tap("⏸ Пауза")))
    await conv.send("/resume")
    await conv.click("#1")
    await play(conv, (tap("🏁 Завершить"), tap("Отказ от разговора")))

    await conv.send("250")

    assert conv.last_text == UNKNOWN_RU


# ----- a callback day without a time -----


@pytest.mark.parametrize("text", ["завтра", "послезавтра", "в пятницу", "через неделю", "05.03"])
async def test_a_callback_day_without_a_time_is_asked_again(
    world: World, db: Database, text: str
) -> None:
    conv = await on_call(world, TO_CALLBACK_RU)
    screen = conv.last_message
    before = await stored(db)

    await conv.send(text)

    assert conv.last_text == NEED_TIME_RU
    assert screen_now(world, screen)[1] == CALLBACK_PRESETS_RU
    assert await stored(db) == before


async def test_a_callback_day_without_a_time_is_asked_again_in_english(world: World) -> None:
    conv = await on_call(world, TO_CALLBACK_EN, language="en")

    await conv.send("tomorrow")

    assert conv.last_text == NEED_TIME_EN


@pytest.mark.parametrize(
    ("then", "due_at"),
    [
        pytest.param(typed("в 15:00"), TODAY_15_MSK, id="a time today"),
        pytest.param(typed("в 10:00"), TOMORROW_10_MSK, id="a time already past today"),
        pytest.param(typed("завтра в 15:00"), TOMORROW_15_MSK, id="a day and time"),
        pytest.param(typed("через 2 часа"), IN_TWO_HOURS, id="in hours"),
        pytest.param(tap("Завтра в 10:00"), TOMORROW_10_MSK, id="a quick choice"),
    ],
)
async def test_after_the_reask_a_time_finishes_the_call(
    world: World, db: Database, then: Move, due_at: str
) -> None:
    conv = await on_call(world, TO_CALLBACK_RU)
    await conv.send("завтра")

    await play(conv, (then,))

    assert await table(db, "SELECT status, outcome FROM calls") == [("finished", "callback")]
    assert await table(db, "SELECT due_at FROM reminders") == [(due_at,)]
    assert "🏁 Звонок завершён: Перезвонить в согласованное время" in conv.last_text


async def test_a_contact_shared_at_the_phone_field_gives_the_lead_s_number(
    world: World, db: Database
) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD][:3])  # the script, the company and the contact's name
    assert "Телефон" in conv.last_text
    message = message_json(
        message_id=world.session.next_message_id(),
        date=int(world.clock.now().timestamp()),
        chat=conv.chat,
        from_user=conv.user,
        text="",
    )
    del message["text"]
    message["contact"] = {"phone_number": "+74951234567", "first_name": "Ирина"}

    await world.feed({"message": message})

    assert "✓ Телефон: +7 495 123-45-67" in conv.last_text.splitlines()
