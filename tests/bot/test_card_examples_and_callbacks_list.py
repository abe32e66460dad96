"""The lead card asks again with the field's own example; the callbacks list calls leads again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH

from bot.app import Flows
from bot.db import Database
from bot.repositories import RemindersRepo
from tests.bot.conftest import HUNTER
from tests.bot.harness import Conversation, World
from tests.bot.test_call_outcomes import (
    CARDS,
    EN_COLD,
    RU_COLD,
    RU_INBOUND,
    Move,
    play,
    tap,
    typed,
)

HEADCOUNT = "Опрос: численность"
LONG_COMPANY = "Производственно-торговая компания «Северный хлеб и выпечка»"
LONG_COMPANY_CUT = "Производственно-торговая компания «Севе…"
CALLBACK_LINE = "+74951234567 — Перезвонить в согласованное время"
TO_CALLBACK = (
    tap("Соединяет"),
    tap("Сейчас неудобно"),
    tap("🏁 Завершить: Перезвонить в согласованное время"),
)


@pytest.fixture
def flows(flows: Flows) -> Flows:
    """The shipped scripts plus one whose card has fields without examples and required counts.

    Its card asks a company with no example, then two required headcounts, with and without one.
    """
    base = flows[("inbound_lead_ru", 1)]
    company, users = base.fields["company"], base.fields["users"]
    card = {
        "company": company.model_copy(update={"example": None}),
        "users": users.model_copy(update={"card": True, "required": True, "example": "12"}),
        "staff": users.model_copy(
            update={"card": True, "required": True, "example": None, "title": "Сотрудников"}
        ),
    }
    others = {
        name: spec.model_copy(update={"card": False})
        for name, spec in base.fields.items()
        if name not in card
    }
    survey = base.model_copy(
        update={"id": "headcount_ru", "title": HEADCOUNT, "fields": {**card, **others}}
    )
    return {**flows, ("headcount_ru", 1): survey}


async def table(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.connection.execute(sql) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


# ----- the lead card -----


@pytest.mark.parametrize(
    ("language", "moves", "text", "reask", "next_prompt"),
    [
        (
            "ru",
            (tap(RU_COLD),),
            "   ",
            "⚠️ Пустой ответ. Введите текст, например: «ООО «Северный хлеб»».",
            "Напишите: Компания",
        ),
        (
            "en",
            (tap(EN_COLD),),
            "   ",
            "⚠️ The answer is empty. Type some text, for example: “Harbor Foods Ltd”.",
            "Company? Type it in.",
        ),
        (
            "ru",
            (tap(RU_INBOUND), typed("ООО «ТехноСнаб»"), tap("⏭ Пропустить")),
            "позвоните мне",
            "⚠️ Не понял телефон. Введите, например: «+7 916 555-12-34».",
            "Напишите: Телефон",
        ),
        (
            "en",
            (tap(EN_COLD), typed("Harbor Foods Ltd"), tap("⏭ Skip")),
            "call me",
            "⚠️ Didn't get the phone number. Type, for example: “+44 20 7946 0018”.",
            "Phone",
        ),
        (
            "ru",
            (tap(HEADCOUNT),),
            " ",
            "⚠️ Пустой ответ. Введите текст, например: "
            "«Закупают раз в квартал, сроки поставки не устраивают».",
            "Напишите: Компания",
        ),
    ],
)
async def test_a_card_value_not_understood_is_asked_again_with_the_fields_own_example(
    world: World,
    language: str,
    moves: tuple[Move, ...],
    text: str,
    reask: str,
    next_prompt: str,
) -> None:
    conv = world.conversation(HUNTER, language_code=language)
    await conv.send("/call")
    await play(conv, moves)
    prompt = conv.last_text

    await conv.send(text)

    assert conv.last_text == reask
    assert next_prompt in prompt
    assert conv.messages[-2].text == prompt  # the card still waits for the same field


@pytest.mark.parametrize(
    ("language", "with_example", "without_example"),
    [
        (
            "ru",
            "⚠️ Это поле обязательно. Введите, например: «12».",
            "⚠️ Это поле обязательно. Введите, например: «120», «1 200» или «около 50».",
        ),
        (
            "en",
            "⚠️ This field is required. Type, for example: “12”.",
            "⚠️ This field is required. Type, for example: “120”, “1,200” or “about 50”.",
        ),
    ],
)
async def test_a_required_field_answered_with_dont_know_is_asked_again_with_an_example(
    world: World, language: str, with_example: str, without_example: str
) -> None:
    conv = world.conversation(HUNTER, language_code=language)
    await conv.send("/call")
    await conv.tap(HEADCOUNT)
    await conv.send("ООО «Ромашка»")

    await conv.send("пока не знаем")
    assert conv.last_text == with_example
    await conv.send("12")
    assert "✓ Пользователей CRM: 12" in conv.last_text
    await conv.send("не знаем")
    assert conv.last_text == without_example


# ----- the callbacks list -----


async def scheduled_callback(conv: Conversation, company: str, when: Move) -> None:
    """A cold call to `company` finished with a callback at `when`."""
    await conv.send("/call")
    await play(conv, (tap(RU_COLD), typed(company), *CARDS[RU_COLD][2:], *TO_CALLBACK, when))


async def test_each_callback_has_a_button_that_calls_its_lead_again(
    world: World, db: Database
) -> None:
    conv = world.conversation(HUNTER)
    await scheduled_callback(conv, "ООО «Северный хлеб»", tap("Через час"))
    await scheduled_callback(conv, LONG_COMPANY, typed("завтра в 15:00"))
    await conv.send("/start")

    await conv.tap("⏰ Перезвоны")

    assert conv.last_text.splitlines() == [
        "Перезвоны",
        f"03.03 13:00 — ООО «Северный хлеб», {CALLBACK_LINE}",
        f"04.03 15:00 — {LONG_COMPANY}, {CALLBACK_LINE}",
    ]
    # Today's callback shows its time alone, another day's its date too; long names are cut.
    later = f"📞 04.03 15:00 {LONG_COMPANY_CUT}"
    assert conv.buttons == [["📞 13:00 ООО «Северный хлеб»"], [later], ["⬅️ В меню"]]
    for label in ("📞 13:00 ООО «Северный хлеб»", later):
        _, data = conv.find_exact(label)
        assert len(data.encode()) <= MAX_CALLBACK_LENGTH

    await conv.tap(later)

    assert conv.last_text.startswith(f"{LONG_COMPANY_CUT} · шаг 1/12")
    calls = await table(db, "SELECT id, status, card FROM calls ORDER BY id")
    assert [row[:2] for row in calls] == [(1, "finished"), (2, "finished"), (3, "open")]
    assert calls[2][2] == calls[1][2]
    assert await table(db, "SELECT call_id, status FROM reminders ORDER BY id") == [
        (1, "pending"),
        (2, "cancelled"),
    ]


async def test_a_reminder_without_a_call_is_listed_without_a_button(
    world: World, db: Database
) -> None:
    conv = world.conversation(HUNTER)
    await scheduled_callback(conv, "ООО «Северный хлеб»", typed("завтра в 15:00"))
    async with db.transaction() as conn:
        await RemindersRepo(conn).add(
            user_id=HUNTER,
            chat_id=HUNTER,
            due_at=datetime(2025, 3, 3, 14, 0, tzinfo=UTC),
            text="Отправить КП",
            now=datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
        )

    await conv.send("/start")
    await conv.tap("⏰ Перезвоны")

    assert conv.last_text.splitlines()[1:] == [
        "03.03 17:00 — Отправить КП",
        f"04.03 15:00 — ООО «Северный хлеб», {CALLBACK_LINE}",
    ]
    assert conv.buttons == [["📞 04.03 15:00 ООО «Северный хлеб»"], ["⬅️ В меню"]]
