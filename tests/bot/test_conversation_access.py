"""Who gets in: strangers and anonymous posts are refused politely and leave no trace."""

from __future__ import annotations

import pytest

from bot.callbacks import MenuAction, MenuCb
from bot.db import Database
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, STRANGER
from tests.bot.harness import ShownMessage, World
from tests.e2e.telegram_api import group_chat_json

ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


async def _count(db: Database, table: str) -> int:
    async with db.connection.execute(f"SELECT COUNT(*) FROM {table}") as cursor:  # noqa: S608
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("text", ["/start", "/help", "/call", "привет", "/calls"])
async def test_a_stranger_is_refused_with_their_id_and_nothing_is_stored(
    world: World, db: Database, text: str
) -> None:
    users_before = await _count(db, "users")
    conv = world.conversation(STRANGER, "Незнакомец", None)

    await conv.send(text)

    assert conv.last_text == (
        "Извините, у вас нет доступа к этому боту.\n"
        f"Чтобы получить доступ, передайте администратору ваш Telegram ID: {STRANGER}"
    )
    assert conv.buttons == []
    assert await _count(db, "users") == users_before
    assert await _count(db, "fsm") == 0


async def test_a_stranger_pressing_a_button_gets_an_answered_refusal(
    world: World, db: Database
) -> None:
    conv = world.conversation(STRANGER, language_code="en")
    old_menu = ShownMessage(
        STRANGER,
        1,
        "menu",
        "menu",
        {"inline_keyboard": [[{"text": "x", "callback_data": "m:new"}]]},
    )

    query_id = await conv.press(old_menu, MenuCb(action=MenuAction.NEW_CALL).pack())

    answer = conv.answer_for(query_id)
    assert (
        answer["text"] == f"No access. Your Telegram ID: {STRANGER} — send it to an administrator."
    )
    assert answer["show_alert"] is True
    assert world.session.calls("sendMessage") == []
    assert await _count(db, "users") == 3  # only the configured people


async def test_a_message_on_behalf_of_a_chat_never_counts_as_its_admin(
    world: World, db: Database
) -> None:
    managers_chat = group_chat_json(-1001234567890)
    conv = world.conversation(ADMIN)
    conv.chat = managers_chat
    conv.user = ANONYMOUS_ADMIN

    await conv.send("/start", sender_chat=managers_chat)

    assert conv.last_text.startswith("Пишите от своего имени")
    assert await _count(db, "users") == 3


async def test_a_known_person_posting_as_the_chat_is_refused_too(world: World) -> None:
    managers_chat = group_chat_json(-1001234567890)
    conv = world.conversation(MANAGER)
    conv.chat = managers_chat

    await conv.send("/start", sender_chat=managers_chat)

    assert conv.last_text.startswith("Пишите от своего имени")


async def test_a_stale_button_is_answered_not_left_spinning(world: World) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/start")

    query_id = await conv.press(conv.last_message, "gone:42")

    assert conv.answer_for(query_id)["text"] == "Эта кнопка больше не активна"
    conv.assert_answered()


async def test_a_button_of_another_role_is_answered_as_inactive(world: World) -> None:
    conv = world.conversation(MANAGER)
    await conv.send("/start")

    query_id = await conv.press(conv.last_message, MenuCb(action=MenuAction.MY_CALLS).pack())

    assert conv.answer_for(query_id)["text"] == "Эта кнопка больше не активна"


async def test_an_unexpected_private_message_points_to_the_menu(world: World) -> None:
    conv = world.conversation(HUNTER)

    await conv.send("что делать?")

    assert conv.last_text == "Не понял сообщение. Главное меню — /start, справка — /help."


async def test_a_failing_handler_apologises_and_answers_the_press(
    world: World, db: Database
) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/start")
    await db.connection.execute("DROP TABLE reminders")  # the database fails under the handler

    with world.expecting_errors() as errors:
        query_id = await conv.click("Перезвоны")
        assert errors[0].getMessage().startswith("Update ")
        assert errors[0].exc_info is not None

    answer = conv.answer_for(query_id)
    assert answer["text"] == "Что-то пошло не так, попробуйте ещё раз"
    assert answer["show_alert"] is True


async def test_a_failing_command_gets_an_apology_message(world: World, db: Database) -> None:
    conv = world.conversation(HUNTER)
    await db.connection.execute("DROP TABLE call_events")
    await db.connection.execute("DROP TABLE notes")
    await db.connection.execute("DROP TABLE reminders")
    await db.connection.execute("DROP TABLE leads")
    await db.connection.execute("DROP TABLE calls")

    with world.expecting_errors():
        await conv.send("/calls")

    assert conv.last_text.startswith("😔 Что-то пошло не так")


async def test_a_manager_in_the_managers_chat_is_let_through_quietly(world: World) -> None:
    """Group chats have no menu: known people's messages there get no reply and no refusal."""
    conv = world.group_conversation(MANAGER, -1001234567890)

    await conv.send("/start")

    assert world.chat(-1001234567890) == []


async def test_a_strangers_edited_message_is_refused_and_leaves_no_trace(
    world: World, db: Database
) -> None:
    conv = world.conversation(STRANGER, "Незнакомец", None, language_code="en")

    await conv.send_edited("/start")

    assert conv.last_text == (
        "Sorry, you don't have access to this bot.\n"
        f"To get access, send your Telegram ID to an administrator: {STRANGER}"
    )
    assert (await _count(db, "users"), await _count(db, "fsm")) == (3, 0)


async def test_a_strangers_command_in_the_managers_chat_is_refused_with_their_id(
    world: World, db: Database
) -> None:
    conv = world.group_conversation(STRANGER, -1001234567890, "Незнакомец")

    await conv.send("/leads")

    assert conv.last_text.endswith(f"передайте администратору ваш Telegram ID: {STRANGER}")
    assert (await _count(db, "users"), await _count(db, "fsm")) == (3, 0)


async def test_strangers_chatting_in_the_managers_chat_get_no_reply_each_time(
    world: World, db: Database
) -> None:
    conv = world.group_conversation(STRANGER, -1001234567890, "Незнакомец")

    await conv.send("Коллеги, кто взял лид по упаковке?")
    await conv.send("/leads")

    refusals = [m for m in world.chat(-1001234567890) if "Telegram ID" in m.text]
    assert len(refusals) == 1  # only the command was answered, the chatter left alone
    assert (await _count(db, "users"), await _count(db, "fsm")) == (3, 0)


@pytest.mark.parametrize(("client", "remembered"), [("en-GB", "en"), ("ru", "ru"), ("de", None)])
async def test_the_language_a_person_uses_is_remembered_for_messages_sent_later(
    world: World, db: Database, client: str, remembered: str | None
) -> None:
    conv = world.conversation(HUNTER, language_code=client)

    await conv.send("/start")

    async with db.connection.execute("SELECT language FROM users WHERE id = ?", (HUNTER,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    assert row[0] == remembered
