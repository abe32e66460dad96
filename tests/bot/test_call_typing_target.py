"""Typed text answers the call whose screen the hunter pressed last, even after they went to the
menu or began another call in between."""

from __future__ import annotations

import json

import pytest

from bot.db import Database
from tests.bot.conftest import HUNTER
from tests.bot.harness import Conversation, ShownMessage, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play, tap

EMPLOYEES_QUESTION = "сколько у вас примерно человек на производстве и складе?"
EMPLOYEES_OF_B = "300"


async def call_at_industry(conv: Conversation) -> ShownMessage:
    """A call on the first script, asked the client's industry; its screen message."""
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD])
    await play(conv, (tap("Соединяет"), tap("Да, слушаю")))
    return conv.last_message


async def press_on(world: World, conv: Conversation, screen: ShownMessage, label: str) -> None:
    """Press a button on that exact message, as it stands now."""
    current = world.session.messages[(conv.user_id, screen.message_id)]
    data = next(
        button["callback_data"]
        for row in current.reply_markup["inline_keyboard"]
        for button in row
        if button["text"] == label
    )
    await conv.press(current, data)


async def typed_answers(db: Database, call_id: int) -> list[tuple[str, object]]:
    """The typed answers stored on a call: (field, value) in order."""
    async with db.connection.execute(
        "SELECT payload FROM call_events WHERE call_id = ? AND kind = 'input' ORDER BY seq",
        (call_id,),
    ) as cursor:
        payloads = [json.loads(row[0]) for row in await cursor.fetchall()]
    return [(payload["field"], payload["value"]) for payload in payloads]


async def call_ids(db: Database) -> list[int]:
    async with db.connection.execute("SELECT id FROM calls ORDER BY id") as cursor:
        return [row[0] for row in await cursor.fetchall()]


@pytest.mark.parametrize(
    "detour",
    [
        pytest.param(("/start",), id="main menu"),
        pytest.param(("/call", RU_COLD), id="a new call's lead card"),
        pytest.param(("/call", RU_COLD, "✖️ Отменить звонок"), id="a new call cancelled"),
    ],
)
async def test_text_typed_after_coming_back_to_a_call_answers_that_call(
    world: World, db: Database, detour: tuple[str, ...]
) -> None:
    conv = world.conversation(HUNTER)
    screen = await call_at_industry(conv)
    for step in detour:
        await (conv.send(step) if step.startswith("/") else conv.tap(step))

    await press_on(world, conv, screen, "Пищевое")
    assert EMPLOYEES_QUESTION in conv.last_text
    await conv.send("250")

    [call_a] = await call_ids(db)
    assert await typed_answers(db, call_a) == [("employees", 250)]
    shown = world.session.messages[(HUNTER, screen.message_id)]
    assert EMPLOYEES_QUESTION not in shown.text  # the screen moved on to the next question


async def test_text_goes_to_the_pressed_call_not_the_call_begun_last(
    world: World, db: Database
) -> None:
    conv = world.conversation(HUNTER)
    screen_a = await call_at_industry(conv)
    await call_at_industry(conv)  # call B, now the newest
    await press_on(world, conv, screen_a, "Химия, косметика")
    assert EMPLOYEES_QUESTION in world.session.messages[(HUNTER, screen_a.message_id)].text

    await conv.send(EMPLOYEES_OF_B)

    call_a, call_b = await call_ids(db)
    assert await typed_answers(db, call_a) == [("employees", 300)]
    assert await typed_answers(db, call_b) == []
