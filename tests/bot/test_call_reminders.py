"""A callback: the time typed or tapped, the reminder at that time with a way back to the lead;
the hunter's lists of calls with their outcomes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties

from bot.app import Flows, create_dispatcher
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.i18n import Translator
from bot.reminders import deliver_due_reminders
from tests.bot.conftest import HUNTER
from tests.bot.harness import TEST_TOKEN, Conversation, RecordingSession, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play, tap

TO_CALLBACK = (
    tap("Соединяет"),
    tap("Сейчас неудобно"),
    tap("🏁 Завершить: Перезвонить в согласованное время"),
)


async def table(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.connection.execute(sql) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def asked_for_a_callback_time(world: World) -> Conversation:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await play(conv, (*CARDS[RU_COLD], *TO_CALLBACK))
    return conv


async def test_the_callback_time_is_asked_with_quick_choices(world: World) -> None:
    conv = await asked_for_a_callback_time(world)

    assert conv.last_text.endswith(
        "⏰ Когда перезвонить? Напишите, например, «завтра в 15:00» — или выберите ниже."
    )
    assert conv.buttons == [
        ["Через час", "Завтра в 10:00", "Завтра в 15:00"],
        ["✖️ Отмена"],
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("когда-нибудь", "⚠️ Не понял дату и время."),
        ("вчера в 15:00", "⚠️ Это время уже прошло"),
    ],
)
async def test_an_unclear_or_past_time_is_asked_again(
    world: World, db: Database, text: str, problem: str
) -> None:
    conv = await asked_for_a_callback_time(world)

    await conv.send(text)

    assert conv.last_text.startswith(problem), conv.last_text
    assert await table(db, "SELECT status FROM calls") == [("open",)]
    assert await table(db, "SELECT id FROM reminders") == []


async def test_cancel_returns_to_the_call_without_finishing(world: World, db: Database) -> None:
    conv = await asked_for_a_callback_time(world)

    await conv.tap("✖️ Отмена")

    assert "🏁 Итог: Перезвонить в согласованное время" in conv.last_text
    assert await table(db, "SELECT status FROM calls") == [("open",)]


async def test_a_due_callback_reminds_the_hunter_and_leads_back_to_the_lead(
    world: World, db: Database, clock: FakeClock
) -> None:
    conv = await asked_for_a_callback_time(world)
    await conv.send("завтра в 15:00")
    translator = world.dispatcher["translator"]

    assert await deliver_due_reminders(world.bot, db, clock, translator) == 0
    clock.set(datetime(2025, 3, 4, 12, 0, tzinfo=UTC))
    assert await deliver_due_reminders(world.bot, db, clock, translator) == 1

    assert conv.last_text == (
        "⏰ Перезвонить: ООО «Северный хлеб», +74951234567 — Перезвонить в согласованное время"
    )
    assert conv.buttons == [["📞 Позвонить снова", "📋 Итоги звонка"]]

    await conv.tap("📋 Итоги звонка")
    assert conv.last_text.splitlines()[0] == (
        "🏁 Звонок завершён: Перезвонить в согласованное время"
    )
    assert "⏰ Перезвонить: 04.03.2025 15:00" in conv.last_text

    await conv.tap("📞 Позвонить снова")
    assert conv.last_text.startswith("ООО «Северный хлеб» · шаг 1/12")
    calls = await table(db, "SELECT id, status, card FROM calls ORDER BY id")
    assert [row[:2] for row in calls] == [(1, "finished"), (2, "open")]
    assert calls[0][2] == calls[1][2]
    await conv.tap("Соединяет")
    assert await table(db, "SELECT call_id, seq, kind FROM call_events WHERE call_id = 2") == [
        (2, 1, "card"),
        (2, 2, "answer"),
    ]


async def test_calling_again_before_the_reminder_cancels_it(
    world: World, db: Database, clock: FakeClock
) -> None:
    conv = await asked_for_a_callback_time(world)
    await conv.tap("Через час")
    assert await table(db, "SELECT due_at, status FROM reminders") == [
        ("2025-03-03T10:00:00.000000+00:00", "pending")
    ]

    assert conv.buttons[0] == ["📝 Заметка", "📞 Позвонить снова"]

    await conv.tap("📞 Позвонить снова")
    clock.advance(timedelta(hours=2))

    assert await table(db, "SELECT status FROM reminders") == [("cancelled",)]
    assert await deliver_due_reminders(world.bot, db, clock, world.dispatcher["translator"]) == 0


async def test_my_calls_lists_outcomes_and_opens_summaries_or_unfinished_calls(
    world: World,
) -> None:
    conv = await asked_for_a_callback_time(world)
    await conv.send("завтра в 15:00")
    await conv.send("/call")
    await conv.tap(RU_COLD)
    await play(conv, CARDS[RU_COLD][1:])

    await conv.send("/calls")

    assert conv.last_text.splitlines() == [
        "Мои звонки",
        "#2 · ООО «Северный хлеб» · идёт · 03.03 12:00",
        "#1 · ООО «Северный хлеб» · завершён: Перезвонить в согласованное время · 03.03 12:00",
    ]
    assert conv.buttons == [
        ["▶️ #2 ООО «Северный хлеб»"],
        ["📋 #1 ООО «Северный хлеб»"],
        ["⬅️ В меню"],
    ]
    await conv.tap("▶️ #2 ООО «Северный хлеб»")
    assert conv.last_text.startswith("ООО «Северный хлеб» · шаг 1/12")


async def test_a_double_tap_on_call_again_opens_one_call(world: World, db: Database) -> None:
    conv = await asked_for_a_callback_time(world)
    await conv.send("завтра в 15:00")

    first, second = await asyncio.gather(
        conv.tap("📞 Позвонить снова"), conv.tap("📞 Позвонить снова")
    )

    assert await table(db, "SELECT id, status FROM calls ORDER BY id") == [
        (1, "finished"),
        (2, "open"),
    ]
    answers = sorted(str(conv.answer_for(q).get("text")) for q in (first, second))
    assert answers == ["None", "Уже записано"]
    assert conv.last_text.startswith("ООО «Северный хлеб» · шаг 1/12")


async def test_a_callback_survives_a_restart_and_its_buttons_still_work(
    world: World,
    db: Database,
    clock: FakeClock,
    settings: Settings,
    flows: Flows,
    translator: Translator,
) -> None:
    conv = await asked_for_a_callback_time(world)
    await conv.send("завтра в 15:00")
    await world.dispatcher.storage.close()

    # A new process: its own connection, dispatcher and bot over the same database file.
    restarted = await Database.open(db.path)
    try:
        session = RecordingSession(clock)
        bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        dispatcher = create_dispatcher(
            settings, db=restarted, clock=clock, flows=flows, translator=translator
        )
        after = World(dispatcher=dispatcher, bot=bot, session=session, clock=clock)
        clock.set(datetime(2025, 3, 4, 12, 0, tzinfo=UTC))

        assert await deliver_due_reminders(bot, restarted, clock, translator) == 1

        hunter = after.conversation(HUNTER)
        assert hunter.last_text.startswith("⏰ Перезвонить: ООО «Северный хлеб»")
        await hunter.tap("📞 Позвонить снова")
        assert hunter.last_text.startswith("ООО «Северный хлеб» · шаг 1/12")
        await dispatcher.storage.close()
    finally:
        await restarted.close()
