"""After the claim: outcomes, passing to a colleague, rejecting, details, lists and records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.app import Flows
from bot.config import Settings
from bot.db import Database
from bot.domain import Lead, LeadStatus
from bot.leads import LeadExtrasRepo
from bot.outbox import OutboxRelay
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, SettingsFactory
from tests.bot.harness import (
    Conversation,
    FakeSleep,
    World,
    create_lead,
    drain_outbox,
    qualified_summary,
    stored,
)

GROUP = -1001234567890
PAVEL = 2003


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(MANAGER_IDS=f"{MANAGER},{PAVEL}")


@pytest.fixture
async def lead(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, flows: Flows
) -> Lead:
    """A hot lead alerted to the managers' chat."""
    summary = qualified_summary(flows[("b2b_cold_call_ru", 1)])
    created = await create_lead(
        db, world.clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP
    )
    await drain_outbox(relay, sleep, db)
    return created


def card_text(world: World, lead_message: Any) -> str:
    return world.session.messages[(GROUP, lead_message.message_id)].text


@pytest.mark.parametrize(
    ("typed", "amount", "shown"),
    [
        ("1,5 млн", Decimal("1500000"), "1 500 000 ₽"),
        ("200k", Decimal("200000"), "200 000 ₽"),
        ("300 000 ₽", Decimal("300000"), "300 000 ₽"),
    ],
)
async def test_won_with_an_amount_typed_privately_is_stored_and_shown_on_the_card(
    world: World,
    db: Database,
    lead: Lead,
    olga: Conversation,
    olga_private: Conversation,
    typed: str,
    amount: Decimal,
    shown: str,
) -> None:
    await olga.click("Беру")
    query = await olga.click("Выиграли")

    assert olga.answer_for(query)["text"] == "Введите сумму в личном чате с ботом"
    assert olga_private.last_text.startswith(f"🏆 Сделка по лиду #L-{lead.id}\nКакая сумма?")
    await olga_private.send(typed)

    saved = await stored(db, lead.id)
    assert (saved.status, saved.outcome_amount) == (LeadStatus.WON, amount)
    assert olga_private.last_text == f"🏆 Лид #L-{lead.id} выигран: {shown}. Поздравляем!"
    card = world.chat(GROUP)[0]
    assert f"🏆 Выигран · {shown} · Ольга Кузнецова" in card_text(world, card)
    assert world.session.messages[(GROUP, card.message_id)].buttons == [["ℹ️ Подробнее"]]
    await olga_private.send(f"/lead {lead.id}")
    assert f"Ольга Кузнецова · выигран: {shown}" in olga_private.last_text


async def test_an_amount_that_is_not_money_is_asked_again(
    db: Database, lead: Lead, olga: Conversation, olga_private: Conversation
) -> None:
    await olga.click("Беру")
    await olga.click("Выиграли")

    await olga_private.send("много")

    assert olga_private.last_text.startswith("Не понял сумму.")
    assert (await stored(db, lead.id)).status is LeadStatus.CLAIMED
    await olga_private.send("2 млн")
    assert (await stored(db, lead.id)).outcome_amount == Decimal("2000000")


async def test_the_amount_prompt_can_be_cancelled(
    db: Database, lead: Lead, olga: Conversation, olga_private: Conversation
) -> None:
    await olga.click("Беру")
    await olga.click("Выиграли")

    await olga_private.send("/cancel")

    assert olga_private.last_text == "Хорошо, сумму не записываю."
    assert (await stored(db, lead.id)).status is LeadStatus.CLAIMED


@pytest.mark.parametrize(
    ("label", "reason", "shown"),
    [
        ("дорого", "expensive", "дорого"),
        ("выбрали конкурента", "competitor", "выбрали конкурента"),
        ("нет бюджета", "no_budget", "нет бюджета"),
        ("не отвечает", "no_answer", "не отвечает"),
        ("отложили", "postponed", "отложили"),
        ("другое", "other", "другое"),
    ],
)
async def test_lost_with_a_reason_from_the_list(
    world: World,
    db: Database,
    lead: Lead,
    olga: Conversation,
    label: str,
    reason: str,
    shown: str,
) -> None:
    await olga.click("Беру")
    await olga.click("Проиграли")
    assert olga.last_message.buttons == [
        ["дорого", "выбрали конкурента"],
        ["нет бюджета", "не отвечает"],
        ["отложили", "другое"],
        ["⬅️ Назад"],
    ]

    await olga.click(label)

    saved = await stored(db, lead.id)
    assert (saved.status, saved.outcome_reason) == (LeadStatus.LOST, reason)
    assert f"❌ Проигран · {shown} · Ольга Кузнецова" in olga.last_text


async def test_in_progress_records_the_first_contact_once(
    world: World, db: Database, lead: Lead, olga: Conversation
) -> None:
    await olga.click("Беру")
    world.clock.advance(timedelta(minutes=20))

    await olga.click("В работе")

    assert "🔄 В работе у Ольга Кузнецова" in olga.last_text
    assert olga.last_message.buttons == [
        ["🏆 Выиграли", "❌ Проиграли"],
        ["↪️ Передать коллеге", "ℹ️ Подробнее"],
    ]
    _, first_contact = await LeadExtrasRepo(db.connection).extras(lead.id)
    assert first_contact == world.clock.now()
    assert (await stored(db, lead.id)).status is LeadStatus.IN_PROGRESS


async def test_only_the_owner_marks_the_outcome(
    world: World, db: Database, lead: Lead, olga: Conversation
) -> None:
    pavel = world.group_conversation(PAVEL, GROUP, "Павел", "Орлов")
    await olga.click("Беру")

    query = await pavel.click("Проиграли")

    assert pavel.answer_for(query)["text"] == (
        "Это лид Ольга Кузнецова: действовать может только он"
    )
    assert (await stored(db, lead.id)).status is LeadStatus.CLAIMED


async def test_passing_to_a_colleague_makes_them_the_owner_and_sends_them_the_card(
    world: World, db: Database, lead: Lead, olga: Conversation
) -> None:
    pavel_private = world.conversation(PAVEL, "Павел", "Орлов")
    await pavel_private.send("/start")  # Павел has written to the bot, so it can write back
    await olga.click("Беру")

    await olga.click("Передать коллеге")
    assert olga.last_message.buttons == [["↪️ Павел Орлов"], ["⬅️ Назад"]]
    query = await olga.click("Павел Орлов")

    assert olga.answer_for(query)["text"] == "Лид передан: Павел Орлов"
    assert (await stored(db, lead.id)).owner_id == PAVEL
    assert "✋ Взял Павел Орлов" in card_text(world, world.chat(GROUP)[0])
    assert pavel_private.last_text.startswith(
        f"↪️ Ольга Кузнецова передал(а) вам лид #L-{lead.id}\n\n🔥 Лид #L-{lead.id} · горячий\n"
    )
    assert pavel_private.buttons[0] == ["🔄 В работе", "🏆 Выиграли", "❌ Проиграли"]

    # The private copy is a live card too: marking the outcome there updates the group's card.
    await pavel_private.click("В работе")
    assert "🔄 В работе у Павел Орлов" in card_text(world, world.chat(GROUP)[0])


async def test_not_a_target_lead_closes_it_with_the_reason(
    world: World, db: Database, lead: Lead, olga: Conversation
) -> None:
    await olga.click("Не целевой")
    assert olga.last_message.buttons == [
        ["не наш профиль", "нет потребности"],
        ["дубль", "неверный контакт"],
        ["другое"],
        ["⬅️ Назад"],
    ]

    await olga.click("дубль")

    saved = await stored(db, lead.id)
    assert (saved.status, saved.outcome_reason) == (LeadStatus.REJECTED, "duplicate")
    assert "🚫 Не целевой · дубль" in olga.last_text
    assert olga.last_message.buttons == [["ℹ️ Подробнее"]]


async def test_back_from_a_picker_restores_the_card_buttons(
    lead: Lead, olga: Conversation
) -> None:
    await olga.click("Не целевой")

    await olga.click("Назад")

    assert olga.last_message.buttons == [
        ["✋ Беру", "↪️ Передать коллеге"],
        ["🚫 Не целевой", "ℹ️ Подробнее"],
    ]


async def test_details_come_privately_with_every_answer(
    world: World, lead: Lead, olga: Conversation, olga_private: Conversation
) -> None:
    query = await olga.click("Подробнее")

    assert olga.answer_for(query)["text"] == "Отправил вам в личку"
    details = olga_private.last_text
    assert details.startswith(f"ℹ️ #L-{lead.id} · ООО «Северный хлеб»")
    for expected in (
        "• Сотрудников: 250",
        "❓ Вы отвечаете за закупку упаковки? Удобно две минуты?\n➜ Да, слушаю",
        "➜ 1 500 000 ₽",
        "• Бюджет: закупки в год: да — 25 из 25",
        "📝 Заметки хантера\n• Перезвонить после 15:00, секретарь Марина",
    ):
        assert expected in details, expected


async def test_details_are_a_reply_in_the_chat_when_the_manager_never_wrote_to_the_bot(
    world: World, lead: Lead, olga: Conversation
) -> None:
    world.session.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot can't initiate conversation"
    )

    await olga.click("Подробнее")

    reply = world.session.calls("sendMessage")[-1]
    assert reply["chat_id"] == GROUP
    assert reply["reply_parameters"]["message_id"] == world.chat(GROUP)[0].message_id
    assert olga.last_text.startswith(f"ℹ️ #L-{lead.id}")


async def test_leads_lists_filter_by_open_mine_and_hot(
    world: World, db: Database, lead: Lead, relay: OutboxRelay, sleep: FakeSleep, flows: Flows
) -> None:
    warm = qualified_summary(
        flows[("b2b_cold_call_ru", 1)], card={"company": "ИП Тёплый"}, temperature="warm"
    )
    second = await create_lead(db, world.clock.now(), warm, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    olga_private = world.conversation(MANAGER, "Ольга", "Кузнецова")
    olga = world.group_conversation(MANAGER, GROUP, "Ольга", "Кузнецова")
    await olga.press(world.chat(GROUP)[0], f"ld:c:{lead.id}:")

    await olga_private.send("/leads")
    assert olga_private.last_text == (
        "Лиды: Открытые (2)\n"
        f"🌤 #L-{second.id} · ИП Тёплый · новый · 03.03 12:00\n"
        f"🔥 #L-{lead.id} · ООО «Северный хлеб» · у Ольга Кузнецова · 03.03 12:00\n"
        "Карточка лида со всеми ответами — /lead и номер, например /lead 12."
    )
    assert olga_private.buttons == [
        ["• Открытые", "Мои", "🔥 Горячие"],
        ["Сегодня", "Неделя"],
    ]
    await olga_private.click("Мои")
    assert olga_private.last_text.splitlines()[:2] == [
        "Лиды: Мои (1)",
        f"🔥 #L-{lead.id} · ООО «Северный хлеб» · у Ольга Кузнецова · 03.03 12:00",
    ]
    await olga_private.click("Горячие")
    assert olga_private.last_text.startswith("Лиды: 🔥 Горячие (1)")


async def test_lead_record_has_the_card_answers_call_timeline_and_history(
    world: World, db: Database, lead: Lead, olga: Conversation
) -> None:
    await olga.click("Беру")
    admin = world.conversation(ADMIN, "Анна", "Админ")

    await admin.send(f"/lead {lead.id}")

    texts = [m.text for m in admin.messages]
    assert texts[0].startswith(f"🔥 Лид #L-{lead.id} · горячий\n")
    assert "✋ Взял Ольга Кузнецова" in texts[0]
    whole = "\n".join(texts)
    assert "Ответы клиента" in whole
    assert "Ход звонка" in whole
    assert "История лида\n03.03 12:00 · Ольга Кузнецова · взял лид" in whole


@pytest.mark.parametrize(
    ("argument", "expected"),
    [("", "Укажите номер лида: /lead 12"), ("999", "Лида #L-999 нет."), ("abc", "Укажите")],
)
async def test_lead_command_explains_a_bad_number(
    world: World, lead: Lead, argument: str, expected: str
) -> None:
    manager = world.conversation(MANAGER, "Ольга", "Кузнецова")

    await manager.send(f"/lead {argument}".strip())

    assert manager.last_text.startswith(expected)


async def test_hunters_cannot_list_leads(world: World, lead: Lead) -> None:
    hunter = world.conversation(HUNTER)

    await hunter.send("/leads")

    assert hunter.last_text == "Эта команда для менеджеров и администраторов."


async def test_round_robin_assigns_new_leads_to_managers_on_shift_in_turn(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, flows: Flows
) -> None:
    olga_private = world.conversation(MANAGER, "Ольга", "Кузнецова")
    pavel_private = world.conversation(PAVEL, "Павел", "Орлов")
    await olga_private.send("/shift on")
    assert olga_private.last_text.startswith("✅ Вы на смене")
    await pavel_private.send("/shift on")
    assert pavel_private.last_text.endswith("На смене: Ольга Кузнецова, Павел Орлов")
    summary = qualified_summary(flows[("b2b_cold_call_ru", 1)])

    leads = []
    for _ in range(3):
        leads.append(
            await create_lead(
                db, world.clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP
            )
        )
        await drain_outbox(relay, sleep, db)

    assignees = [(await LeadExtrasRepo(db.connection).extras(x.id))[0] for x in leads]
    assert assignees == [MANAGER, PAVEL, MANAGER]
    assert "👉 По очереди назначен: Ольга Кузнецова" in world.chat(GROUP)[0].text
    private = [m.text for m in olga_private.messages if "Вам назначен новый лид" in m.text]
    assert len(private) == 2
    await pavel_private.send("/shift off")
    extra = await create_lead(
        db, world.clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP
    )
    await drain_outbox(relay, sleep, db)
    assert (await LeadExtrasRepo(db.connection).extras(extra.id))[0] == MANAGER


@pytest.mark.parametrize(
    ("user_id", "command", "expected"),
    [
        (MANAGER, "/shift", "Вы не на смене. Начать — /shift on.\nНа смене: никого"),
        (MANAGER, "/shift maybe", "/shift on — начать смену, /shift off — закончить."),
        (HUNTER, "/shift on", "Смены — для менеджеров."),
        (ADMIN, "/shift on", "Смены — для менеджеров."),
    ],
)
async def test_shift_tells_its_status_its_usage_and_who_may_use_it(
    world: World, user_id: int, command: str, expected: str
) -> None:
    person = world.conversation(user_id, "Ольга", "Кузнецова")

    await person.send(command)

    assert person.last_text == expected


async def test_commands_still_work_while_an_amount_is_awaited(
    lead: Lead, olga: Conversation, olga_private: Conversation, db: Database
) -> None:
    await olga.click("Беру")
    await olga.click("Выиграли")

    await olga_private.send("/leads")

    assert olga_private.last_text.startswith("Лиды: Открытые (1)")
    await olga_private.send("2 млн")
    assert (await stored(db, lead.id)).outcome_amount == Decimal("2000000")


async def test_won_from_someone_who_never_wrote_to_the_bot_asks_them_to_and_waits_for_nothing(
    world: World, lead: Lead, olga: Conversation, olga_private: Conversation, db: Database
) -> None:
    await olga.click("Беру")
    world.session.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot can't initiate conversation"
    )

    query = await olga.click("Выиграли")

    answer = olga.answer_for(query)
    assert answer["text"] == "Откройте личный чат с ботом (/start) и нажмите ещё раз"
    assert answer["show_alert"] is True
    await olga_private.send("2 млн")
    assert olga_private.last_text.startswith("Не понял сообщение")
    assert (await stored(db, lead.id)).status is LeadStatus.CLAIMED


@pytest.mark.parametrize("data", ["ld:la:{id}:bribe", "ld:ra:{id}:", "ld:pt:{id}:nobody"])
async def test_a_forged_reason_or_colleague_is_refused_logged_and_changes_nothing(
    world: World,
    db: Database,
    lead: Lead,
    olga: Conversation,
    caplog: pytest.LogCaptureFixture,
    data: str,
) -> None:
    await olga.click("Беру")

    query = await olga.press(world.chat(GROUP)[0], data.format(id=lead.id))

    assert olga.answer_for(query)["text"] == "Эта кнопка больше не активна"
    assert f"Rejected a forged lead press from user {MANAGER}" in caplog.text
    assert (await stored(db, lead.id)).status is LeadStatus.CLAIMED
