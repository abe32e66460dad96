"""Opening a call: the script to use (the newest version of each), the lead card typed or
tapped, re-asked when not understood, optional fields skipped, and cancelled."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import Flows
from bot.callbacks import CardAction, CardCb
from bot.db import Database
from tests.bot.conftest import HUNTER
from tests.bot.harness import World
from tests.bot.test_call_outcomes import RU_COLD, RU_INBOUND

RU_COLD_V2 = "Холодный звонок: упаковка (весна)"


@pytest.fixture
def flows(flows: Flows) -> Flows:
    """The shipped scripts plus a second version of the Russian cold call."""
    first = flows[("b2b_cold_call_ru", 1)]
    return {
        **flows,
        ("b2b_cold_call_ru", 2): first.model_copy(update={"version": 2, "title": RU_COLD_V2}),
    }


async def table(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.connection.execute(sql) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def test_new_call_offers_the_newest_version_of_each_script(world: World) -> None:
    conv = world.conversation(HUNTER)

    await conv.send("/start")
    await conv.click("Новый звонок")

    assert conv.last_text == "Новый звонок\nВыберите скрипт:"
    assert conv.buttons == [
        ["Входящая заявка: демо CRM"],
        [RU_COLD_V2],
        ["Cold call: HR and payroll platform"],
    ]
    assert RU_COLD not in str(conv.buttons)


async def test_scripts_in_the_hunters_language_come_first(world: World) -> None:
    conv = world.conversation(HUNTER, language_code="en")

    await conv.send("/call")

    assert conv.last_text == "New call\nChoose the script:"
    assert conv.buttons[0] == ["Cold call: HR and payroll platform"]


async def test_the_card_is_typed_and_tapped_field_by_field_then_the_call_opens(
    world: World, db: Database
) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap(RU_COLD_V2)

    assert conv.last_text == (
        f"{RU_COLD_V2} · карточка лида 1/4\nНапишите: Компания\nНапример: ООО «Северный хлеб»"
    )
    assert conv.buttons == [["✖️ Отменить звонок"]]
    await conv.send("ООО «Ромашка»")
    assert conv.buttons == [["⏭ Пропустить", "✖️ Отменить звонок"]]
    await conv.tap("⏭ Пропустить")
    assert "Напишите: Телефон" in conv.last_text
    await conv.send("позвоните мне")
    assert conv.last_text == "⚠️ Не понял телефон. Введите, например: «+7 495 123-45-67»."
    await conv.send("8 (495) 123-45-67")
    assert conv.last_text.splitlines()[1:4] == [
        "✓ Компания: ООО «Ромашка»",
        "✓ Телефон: +7 495 123-45-67",
        "Выберите или напишите: Источник",
    ]
    await conv.send("2")

    assert conv.last_text.startswith("ООО «Ромашка» · шаг 1/12")
    calls = await table(db, "SELECT id, flow_id, flow_version, status, card FROM calls")
    assert calls == [
        (
            1,
            "b2b_cold_call_ru",
            2,
            "open",
            '{"company":"ООО «Ромашка»","lead_source":"Сайт","phone":"+74951234567"}',
        )
    ]
    first_event = await table(db, "SELECT seq, kind, payload FROM call_events")
    assert first_event == [
        (
            1,
            "card",
            '{"context":{"hunter_name":"Иван Петров"},"fields":{"company":"ООО «Ромашка»",'
            '"lead_source":"website","phone":"+74951234567"}}',
        )
    ]
    assert "Иван Петров, компания «ПромУпак»" in conv.last_text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("020 7946 0018", "+44 20 7946 0018"), ("+7 495 123-45-67", "+7 495 123-45-67")],
)
async def test_a_phone_without_a_country_code_is_taken_as_the_scripts_country(
    world: World, db: Database, typed: str, shown: str
) -> None:
    conv = world.conversation(HUNTER, language_code="en")
    await conv.send("/call")
    await conv.tap("Cold call: HR and payroll platform")
    assert conv.last_text.splitlines()[1] == "Company? Type it in."
    await conv.send("Harbor Foods Ltd")
    await conv.tap("⏭ Skip")

    await conv.send(typed)

    assert f"✓ Phone: {shown}" in conv.last_text


async def test_a_required_field_cannot_be_skipped(world: World) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap("Входящая заявка: демо CRM")
    await conv.send("ООО «ТехноСнаб»")
    await conv.tap("⏭ Пропустить")
    shown, _ = conv.find_exact("✖️ Отменить звонок")

    # The phone is required: its prompt offers no skip, and a forged skip is refused.
    assert conv.buttons == [["✖️ Отменить звонок"]]
    query = await conv.press(shown, CardCb(field=2, action=CardAction.SKIP).pack())
    assert conv.answer_for(query)["text"] == "Это поле обязательно"
    assert "Напишите: Телефон" in conv.last_text


async def test_an_old_card_button_is_answered_and_changes_nothing(world: World) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap(RU_COLD_V2)
    await conv.send("ООО «Ромашка»")
    old, data = conv.find_exact("⏭ Пропустить")
    await conv.tap("⏭ Пропустить")
    prompt = conv.last_text

    query = await conv.press(old, data)

    assert conv.answer_for(query)["text"] == "Карточка уже заполнена дальше"
    assert conv.last_text == prompt


async def test_cancel_leaves_no_call(world: World, db: Database) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap(RU_INBOUND)
    await conv.send("ООО «ТехноСнаб»")

    await conv.tap("✖️ Отменить звонок")

    assert conv.last_text == "Звонок отменён. Главное меню — /start."
    assert await table(db, "SELECT id FROM calls") == []
    assert await table(db, "SELECT state FROM fsm") == []
    await conv.send("ещё текст")
    assert conv.last_text.startswith("Не понял сообщение")


async def test_start_abandons_a_half_typed_card(world: World, db: Database) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await conv.tap(RU_INBOUND)

    await conv.send("/start")

    assert conv.last_text.startswith("Здравствуйте, Иван Петров!")
    assert await table(db, "SELECT state FROM fsm") == []
