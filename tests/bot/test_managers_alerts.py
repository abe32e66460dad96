"""Lead alerts in the managers' chat: the card, claiming it, and who may press what."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties

from bot.app import Flows, create_dispatcher, seed_roles
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.domain import Lead, LeadStatus
from bot.i18n import Translator
from bot.outbox import OutboxRelay
from scripts.summary import CallSummary
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, STRANGER, SettingsFactory
from tests.bot.harness import (
    TEST_TOKEN,
    FakeSleep,
    RecordingSession,
    World,
    create_lead,
    drain_outbox,
    qualified_summary,
    stored,
)

GROUP = -1001234567890
SECOND_MANAGER = 2003
CARD_BUTTONS = [["✋ Беру", "↪️ Передать коллеге"], ["🚫 Не целевой", "ℹ️ Подробнее"]]
OWNED_BUTTONS = [
    ["🔄 В работе", "🏆 Выиграли", "❌ Проиграли"],
    ["↪️ Передать коллеге", "ℹ️ Подробнее"],
]


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    """Two managers, so there is someone to race and to pass leads to."""
    return make_settings(MANAGER_IDS=f"{MANAGER},{SECOND_MANAGER}")


@pytest.fixture
def ru_flow(flows: Flows) -> Any:
    return flows[("b2b_cold_call_ru", 1)]


@pytest.fixture
def relay(
    world: World,
    db: Database,
    clock: FakeClock,
    translator: Translator,
    settings: Settings,
    sleep: FakeSleep,
) -> OutboxRelay:
    return OutboxRelay(
        bot=world.bot,
        db=db,
        clock=clock,
        translator=translator,
        settings=settings,
        sleep=sleep,
        draw=lambda: 0.5,
    )


async def alerted_lead(
    world: World,
    db: Database,
    relay: OutboxRelay,
    sleep: FakeSleep,
    summary: CallSummary,
) -> Lead:
    lead = await create_lead(db, world.clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    return lead


async def test_a_qualified_lead_arrives_as_a_card_with_everything_a_manager_needs(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    summary = qualified_summary(ru_flow)
    # The model's figures and reasons are the scoring's business; the card must carry them.
    assert summary.probability is not None
    assert summary.expected_value is not None
    # 82.5% reads as 83% (halves round up); 1 500 000 ₽ budget x 0.825 = 1 237 500 ₽.
    assert summary.probability == pytest.approx(0.825)
    percent, expected_value = 83, "1 237 500"

    lead = await alerted_lead(world, db, relay, sleep, summary)

    [card] = world.chat(GROUP)
    assert card.text.startswith(f"🔥 Новый лид #L-{lead.id} · горячий\n")
    for expected in (
        "🏢 ООО «Северный хлеб»",
        "👤 Ирина Соколова · ЛПР",
        "📞 +74951234567",
        f"📊 100/100 · класс A — горячий ЛПР · вероятность {percent}%"
        f" · ожидаемая сумма {expected_value} ₽",
        "✅ Бюджет: 1 500 000 ₽",
        "✅ Полномочия: Решаю сам",
        "✅ Потребность: Срывают сроки",
        "✅ Сроки: через 1 мес. (≈ 03.04.2025)",
        "👍 За: " + "; ".join(summary.reasons_for[:3]),
        "➡️ Следующий шаг: Позвонить в течение 15 минут, подтвердить дату выезда технолога.",
        "• Перезвонить после 15:00, секретарь Марина",
        "🎧 Олег · 📜 Холодный звонок: упаковка для производств v1 · 🕒 03.03.2025 12:00 MSK",
        "⏳ Взять в течение 15 мин",
    ):
        assert expected in card.text, expected
    assert "досрочно" not in card.text
    assert card.buttons == CARD_BUTTONS


async def test_the_card_gives_the_reasons_against_too(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    summary = qualified_summary(ru_flow, reasons_against=("Договор с поставщиком до осени",))

    await alerted_lead(world, db, relay, sleep, summary)

    [card] = world.chat(GROUP)
    assert "👎 Против: Договор с поставщиком до осени" in card.text.splitlines()


async def test_the_hunters_own_call_ends_in_an_alert_in_the_managers_chat(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep
) -> None:
    hunter = world.conversation(HUNTER, "Анна", "Смирнова")
    await hunter.send("/call")
    for label in ("Холодный звонок: упаковка для производств",):
        await hunter.click(label)
    for text in ("ООО «Северный хлеб»", "Ирина Соколова", "+7 495 123-45-67"):
        await hunter.send(text)
    for step in (
        ("click", "Холодная база"),
        ("click", "Соединяет"),
        ("click", "Да, слушаю"),
        ("click", "Пищевое"),
        ("send", "250"),
        ("click", "Один постоянный"),
        ("click", "Срывают сроки"),
        ("send", "1,5 млн"),
        ("click", "Решаю сам"),
        ("send", "через месяц"),
        ("click", "Теряем деньги уже сейчас"),
        ("click", "Сроки поставки"),
        ("click", "Встреча назначена"),
        ("click", "Завершить"),
    ):
        action, text = step
        if action == "click":
            await hunter.click(text)
        else:
            await hunter.send(text)
    assert world.chat(GROUP) == []  # the call only queued the alert; the relay delivers it

    await drain_outbox(relay, sleep, db)

    [card] = world.chat(GROUP)
    assert card.text.startswith("🔥 Новый лид #L-1 · горячий")
    assert "🏢 ООО «Северный хлеб»" in card.text
    assert "🎧 Анна Смирнова · 📜" in card.text
    assert card.buttons == CARD_BUTTONS
    manager = world.conversation(MANAGER, "Ольга", "Кузнецова")
    await manager.send("/lead 1")
    record = "\n".join(m.text for m in manager.messages)
    assert "Ход звонка\n03.03 12:00:00 · Добрый день!" in record
    assert (
        "03.03 12:00:00 · Если решите попробовать нового поставщика — кто ещё участву… · Решаю сам"
        in record
    )
    assert (
        "03.03 12:00:00 · Сколько у вас примерно уходит на упаковку в год? Хотя бы по… · "
        "1 500 000 ₽" in record
    )
    assert "03.03 12:00:00 · итог звонка: Квалифицирован: встреча или тест" in record


async def test_a_lead_handed_over_early_says_so(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    summary = qualified_summary(ru_flow, outcome_reason="handoff")

    await alerted_lead(world, db, relay, sleep, summary)

    [card] = world.chat(GROUP)
    assert "🚀 Хантер передал лид досрочно, не дожидаясь конца скрипта: звоните сейчас." in (
        card.text
    )


async def test_company_names_and_answers_are_shown_literally(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    summary = qualified_summary(
        ru_flow,
        card={"company": "<b>ACME & Sons</b> <script>"},
        note="<i>не</i> звонить до 10 & после 18",
    )

    await alerted_lead(world, db, relay, sleep, summary)

    [card] = world.chat(GROUP)
    assert "🏢 <b>ACME & Sons</b> <script>" in card.text
    assert "• <i>не</i> звонить до 10 & после 18" in card.text
    assert "&lt;b&gt;ACME &amp; Sons&lt;/b&gt;" in card.html


@pytest.mark.parametrize(
    ("note_length", "cut"),
    [(100, False), (3500, True), (20000, True)],
)
async def test_a_card_never_exceeds_telegram_limit_and_says_when_text_was_cut(
    world: World,
    db: Database,
    relay: OutboxRelay,
    sleep: FakeSleep,
    ru_flow: Any,
    note_length: int,
    cut: bool,
) -> None:
    note = ("Клиент 🔥 просил " * 2000)[:note_length]

    await alerted_lead(world, db, relay, sleep, qualified_summary(ru_flow, note=note))

    [card] = world.chat(GROUP)
    assert len(card.text.encode("utf-16-le")) // 2 <= 4096
    assert ("полностью в «Подробнее»" in card.text) is cut
    assert card.buttons == CARD_BUTTONS


async def test_the_first_press_claims_the_card_shows_who_and_when(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    lead = await alerted_lead(world, db, relay, sleep, qualified_summary(ru_flow))
    olga = world.group_conversation(MANAGER, GROUP, "Ольга", "Кузнецова")
    world.clock.advance(timedelta(minutes=4))

    query = await olga.click("Беру")

    assert olga.answer_for(query)["text"] == f"✅ Лид #L-{lead.id} ваш"
    card = olga.last_message
    assert "✋ Взял Ольга Кузнецова · 03.03 12:04" in card.text
    assert "⏳ Взять в течение" not in card.text
    assert card.buttons == OWNED_BUTTONS
    saved = await stored(db, lead.id)
    assert (saved.status, saved.owner_id) == (LeadStatus.CLAIMED, MANAGER)


async def test_two_managers_pressing_at_once_get_one_owner_and_the_other_is_told_who(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    lead = await alerted_lead(world, db, relay, sleep, qualified_summary(ru_flow))
    olga = world.group_conversation(MANAGER, GROUP, "Ольга", "Кузнецова")
    pavel = world.group_conversation(SECOND_MANAGER, GROUP, "Павел", "Орлов")
    [card] = world.chat(GROUP)
    claim = card.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]

    olga_query, pavel_query = await asyncio.gather(
        olga.press(card, claim), pavel.press(card, claim)
    )

    saved = await stored(db, lead.id)
    answers = {
        MANAGER: olga.answer_for(olga_query)["text"],
        SECOND_MANAGER: pavel.answer_for(pavel_query)["text"],
    }
    assert saved.owner_id in (MANAGER, SECOND_MANAGER)
    loser = SECOND_MANAGER if saved.owner_id == MANAGER else MANAGER
    owner_name = "Ольга Кузнецова" if saved.owner_id == MANAGER else "Павел Орлов"
    assert answers[saved.owner_id] == f"✅ Лид #L-{lead.id} ваш"
    assert answers[loser] == f"Уже взял {owner_name}"
    assert f"✋ Взял {owner_name}" in world.session.messages[(GROUP, card.message_id)].text
    async with db.connection.execute(
        "SELECT COUNT(*) FROM lead_events WHERE kind = 'claimed'"
    ) as cursor:
        assert (await cursor.fetchone())[0] == 1  # type: ignore[index]


async def test_a_later_press_by_anyone_is_told_who_took_it(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    await alerted_lead(world, db, relay, sleep, qualified_summary(ru_flow))
    olga = world.group_conversation(MANAGER, GROUP, "Ольга", "Кузнецова")
    pavel = world.group_conversation(SECOND_MANAGER, GROUP, "Павел", "Орлов")
    [card] = world.chat(GROUP)
    claim = card.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    await olga.press(card, claim)

    again = await olga.press(card, claim)
    late = await pavel.press(card, claim)

    assert olga.answer_for(again)["text"] == "Этот лид уже ваш"
    assert pavel.answer_for(late) == {
        "callback_query_id": late,
        "text": "Уже взял Ольга Кузнецова",
        "show_alert": True,
    }


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        (HUNTER, "Брать лиды и отмечать итоги могут только менеджеры"),
        (ADMIN, "Брать лиды и отмечать итоги могут только менеджеры"),
        (STRANGER, f"Нет доступа. Ваш Telegram ID: {STRANGER} — передайте его администратору."),
    ],
)
async def test_people_who_are_not_managers_cannot_claim(
    world: World,
    db: Database,
    relay: OutboxRelay,
    sleep: FakeSleep,
    ru_flow: Any,
    user_id: int,
    expected: str,
) -> None:
    lead = await alerted_lead(world, db, relay, sleep, qualified_summary(ru_flow))
    someone = world.group_conversation(user_id, GROUP, "Кто-то")

    query = await someone.click("Беру")

    assert someone.answer_for(query)["text"] == expected
    assert (await stored(db, lead.id)).status is LeadStatus.NEW
    assert world.chat(GROUP)[-1].buttons == CARD_BUTTONS


async def test_a_command_sent_on_behalf_of_the_chat_is_refused(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, ru_flow: Any
) -> None:
    await alerted_lead(world, db, relay, sleep, qualified_summary(ru_flow))
    anonymous_admin = world.group_conversation(MANAGER, GROUP, "Group")

    await anonymous_admin.send(
        "/leads", sender_chat={"id": GROUP, "type": "supergroup", "title": "Менеджеры"}
    )

    assert anonymous_admin.last_text.startswith("Пишите от своего имени")
    assert "Лиды:" not in anonymous_admin.last_text


async def test_the_card_is_in_english_when_the_team_speaks_english(
    make_settings: SettingsFactory,
    db: Database,
    clock: FakeClock,
    translator: Translator,
    flows: Flows,
) -> None:
    settings = make_settings(LOCALE="en")
    await seed_roles(db, settings, clock)
    session = RecordingSession(clock)
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    sleep = FakeSleep(clock)
    relay = OutboxRelay(
        bot=bot, db=db, clock=clock, translator=translator, settings=settings, sleep=sleep
    )
    dispatcher = create_dispatcher(
        settings, db=db, clock=clock, flows=flows, translator=translator
    )
    world = World(dispatcher=dispatcher, bot=bot, session=session, clock=clock)
    summary = qualified_summary(flows[("b2b_cold_call_ru", 1)])

    lead = await alerted_lead(world, db, relay, sleep, summary)

    [card] = world.chat(GROUP)
    assert card.text.startswith(f"🔥 New lead #L-{lead.id} · hot")
    assert "👤 Ирина Соколова · decision-maker" in card.text
    assert card.text.splitlines()[-2].endswith("🕒 2025-03-03 12:00 MSK")
    assert card.buttons == [
        ["✋ I'll take it", "↪️ Pass to a colleague"],
        ["🚫 Not a target", "ℹ️ Details"],
    ]
    await dispatcher.storage.close()
    await bot.session.close()


@pytest.mark.parametrize(
    ("rated", "shown"),
    [(0, "вероятность ≈83% (приоритеты клиента не выяснены)"), (2, "вероятность 83%")],
)
async def test_a_probability_without_the_client_s_priorities_is_marked_as_a_prior(
    world: World,
    db: Database,
    relay: OutboxRelay,
    sleep: FakeSleep,
    ru_flow: Any,
    rated: int,
    shown: str,
) -> None:
    summary = qualified_summary(ru_flow, priorities_rated=rated)
    assert summary.probability == pytest.approx(0.825)

    await alerted_lead(world, db, relay, sleep, summary)

    [card] = world.chat(GROUP)
    [score_line] = [line for line in card.text.splitlines() if line.startswith("📊")]
    assert shown in score_line
    assert ("≈" in score_line) is (rated == 0)
