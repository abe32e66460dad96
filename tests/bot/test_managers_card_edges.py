"""Lead-card actions at their edges: amounts in another currency, a colleague the bot cannot
reach, forged colleague ids, and `/leads` with a filter word."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import TelegramMethod

from bot.app import Flows
from bot.config import Settings
from bot.db import Database
from bot.domain import Lead, LeadStatus
from bot.leads import LeadEventsRepo, claim_lead
from bot.outbox import OutboxRelay
from bot.repositories import UsersRepo
from tests.bot.conftest import HUNTER, MANAGER, SettingsFactory
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
IRINA = 2004
LeadMaker = Callable[..., Awaitable[Lead]]


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(MANAGER_IDS=f"{MANAGER},{PAVEL},{IRINA}")


@pytest.fixture
def make_lead(
    world: World, db: Database, relay: OutboxRelay, sleep: FakeSleep, flows: Flows
) -> LeadMaker:
    """A lead alerted to the managers' chat (hot, in roubles, unless told otherwise)."""

    async def make(**changes: Any) -> Lead:
        summary = qualified_summary(flows[("b2b_cold_call_ru", 1)], **changes)
        created = await create_lead(
            db, world.clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP
        )
        await drain_outbox(relay, sleep, db)
        return created

    return make


def card_of(world: World, lead: Lead) -> Any:
    """The lead's alert in the managers' chat as it stands now."""
    first = next(m for m in world.chat(GROUP) if f"#L-{lead.id}" in m.text)
    return world.session.messages[(GROUP, first.message_id)]


# --- the won amount ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead_currency", "typed", "reply"),
    [
        ("RUB", "100 $", "Сумма в валюте лида (₽): например, «1,5 млн» или «200k»."),
        ("RUB", "100 EUR", "Сумма в валюте лида (₽): например, «1,5 млн» или «200k»."),
        ("USD", "300 000 ₽", "Сумма в валюте лида ($): например, «1,5 млн» или «200k»."),
        ("RUB", "0", "Сумма сделки должна быть больше нуля: например, «1,5 млн» или «200k»."),
        ("RUB", "0,001", "Сумма сделки должна быть больше нуля: например, «1,5 млн» или «200k»."),
    ],
)
async def test_an_amount_in_another_currency_or_not_above_zero_is_asked_again(
    world: World,
    db: Database,
    make_lead: LeadMaker,
    olga: Conversation,
    olga_private: Conversation,
    lead_currency: str,
    typed: str,
    reply: str,
) -> None:
    lead = await make_lead(currency=lead_currency)
    await olga_private.send("/start")
    await olga.click("Беру")
    await olga.click("Выиграли")

    await olga_private.send(typed)

    assert olga_private.last_text == f"{reply}\nОтмена — /cancel."
    saved = await stored(db, lead.id)
    assert (saved.status, saved.outcome_amount) == (LeadStatus.CLAIMED, None)
    assert "🏆" not in card_of(world, lead).text

    # Still waiting for the amount: a good one is taken.
    await olga_private.send("200k")
    saved = await stored(db, lead.id)
    assert (saved.status, saved.outcome_amount) == (LeadStatus.WON, Decimal("200000"))


@pytest.mark.parametrize(
    ("lead_currency", "typed", "shown"),
    [
        ("USD", "$25,000", "25 000 $"),
        ("USD", "200k", "200 000 $"),
        ("RUB", "0,01", "0,01 ₽"),
        ("RUB", "100 руб", "100 ₽"),
    ],
)
async def test_an_amount_in_the_lead_currency_is_taken(
    db: Database,
    make_lead: LeadMaker,
    olga: Conversation,
    olga_private: Conversation,
    lead_currency: str,
    typed: str,
    shown: str,
) -> None:
    lead = await make_lead(currency=lead_currency)
    await olga_private.send("/start")
    await olga.click("Беру")
    await olga.click("Выиграли")

    await olga_private.send(typed)

    assert olga_private.last_text == f"🏆 Лид #L-{lead.id} выигран: {shown}. Поздравляем!"
    assert (await stored(db, lead.id)).status is LeadStatus.WON


async def test_the_currency_question_speaks_the_manager_language(
    world: World, make_lead: LeadMaker, olga: Conversation
) -> None:
    await make_lead()
    english = world.conversation(MANAGER, "Olga", "Kuznetsova", language_code="en")
    await english.send("/start")
    await olga.click("Беру")
    await olga.click("Выиграли")

    await english.send("100 $")

    assert english.last_text == (
        "An amount in the lead's currency (₽): e.g. “1.5m” or “200k”.\nCancel — /cancel."
    )


# --- passing to a colleague the bot cannot write to ---------------------------------------------

UNREACHABLE = [
    (400, "Bad Request: chat not found"),
    (403, "Forbidden: bot can't initiate conversation with a user"),
    (403, "Forbidden: bot was blocked by the user"),
]


@pytest.mark.parametrize(("code", "description"), UNREACHABLE)
async def test_a_claimed_lead_stays_with_its_owner_when_the_colleague_cannot_be_reached(
    world: World,
    db: Database,
    make_lead: LeadMaker,
    olga: Conversation,
    code: int,
    description: str,
) -> None:
    lead = await make_lead()
    await olga.click("Беру")
    await olga.click("Передать коллеге")
    world.session.fail_next("sendMessage", error_code=code, description=description)

    query = await olga.click("2003")

    assert olga.answer_for(query) == {
        "callback_query_id": query,
        "text": "Лид не передан: 2003 не получил(а) карточку — ещё не писал(а) боту или"
        " Telegram не ответил. Попросите нажать /start у бота и передайте снова",
        "show_alert": True,
    }
    saved = await stored(db, lead.id)
    assert (saved.status, saved.owner_id) == (LeadStatus.CLAIMED, MANAGER)
    kinds = [e.kind.value for e in await LeadEventsRepo(db.connection).list_for_lead(lead.id)]
    assert "passed" not in kinds
    card = card_of(world, lead)
    assert "✋ Взял Ольга Кузнецова" in card.text
    assert card.buttons == [
        ["🔄 В работе", "🏆 Выиграли", "❌ Проиграли"],
        ["↪️ Передать коллеге", "ℹ️ Подробнее"],
    ]
    assert world.chat(PAVEL) == []


async def test_an_unclaimed_lead_stays_unclaimed_and_under_its_sla_when_the_pass_fails(
    world: World, db: Database, make_lead: LeadMaker, olga: Conversation
) -> None:
    lead = await make_lead()
    pavel = world.conversation(PAVEL, "Павел", "Орлов")
    await pavel.send("/start")  # known by name, yet he has blocked the bot since
    await olga.click("Передать коллеге")
    world.session.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )

    query = await olga.click("Павел Орлов")

    assert olga.answer_for(query)["text"].startswith(
        "Лид не передан: Павел Орлов не получил(а) карточку"
    )
    saved = await stored(db, lead.id)
    assert (saved.status, saved.owner_id, saved.claimed_at) == (LeadStatus.NEW, None, None)
    assert card_of(world, lead).buttons == [
        ["✋ Беру", "↪️ Передать коллеге"],
        ["🚫 Не целевой", "ℹ️ Подробнее"],
    ]
    assert [m.text for m in pavel.messages if f"#L-{lead.id}" in m.text] == []

    # Once he can be written to, the same pass goes through.
    await olga.click("Передать коллеге")
    query = await olga.click("Павел Орлов")
    assert olga.answer_for(query)["text"] == "Лид передан: Павел Орлов"
    assert (await stored(db, lead.id)).owner_id == PAVEL
    assert pavel.last_text.startswith(f"↪️ Ольга Кузнецова передал(а) вам лид #L-{lead.id}\n\n")
    assert "✋ Взял Павел Орлов" in pavel.last_text


async def test_a_card_sent_to_a_colleague_is_withdrawn_when_someone_took_the_lead_meanwhile(
    world: World,
    db: Database,
    make_lead: LeadMaker,
    olga: Conversation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = await make_lead()
    await world.conversation(PAVEL, "Павел", "Орлов").send("/start")
    await world.conversation(IRINA, "Ирина", "Белова").send("/start")
    await olga.click("Передать коллеге")
    irina = await UsersRepo(db.connection).get(IRINA)
    assert irina is not None
    session = world.session
    deliver = session.make_request

    async def irina_claims_while_the_card_travels(
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature BaseSession defines
    ) -> Any:
        sent = await deliver(bot, method, timeout)
        if method.__api_method__ == "sendMessage" and getattr(method, "chat_id", None) == PAVEL:
            await claim_lead(db, lead.id, irina, now=world.clock.now())
        return sent

    monkeypatch.setattr(session, "make_request", irina_claims_while_the_card_travels)

    query = await olga.click("Павел Орлов")

    assert olga.answer_for(query)["text"] == "Это лид Ирина Белова: действовать может только он"
    assert (await stored(db, lead.id)).owner_id == IRINA
    handed = [m for m in world.chat(PAVEL) if f"#L-{lead.id}" in m.text]
    assert len(handed) == 1
    assert (PAVEL, handed[0].message_id) not in session.messages  # deleted again
    assert "✋ Взял Ирина Белова" in card_of(world, lead).text


# --- forged colleague ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "colleague",
    ["99999999999999999999", "9223372036854775808", "²", "١٢", "12a", " 2003", "-2003", "+2003"],
)
async def test_a_forged_colleague_id_is_refused_without_an_error(
    world: World, db: Database, make_lead: LeadMaker, olga: Conversation, colleague: str
) -> None:
    lead = await make_lead()
    card = world.chat(GROUP)[0]

    query = await olga.press(card, f"ld:pt:{lead.id}:{colleague}")

    assert olga.answer_for(query)["text"] == "Эта кнопка больше не активна"
    saved = await stored(db, lead.id)
    assert (saved.status, saved.owner_id) == (LeadStatus.NEW, None)


@pytest.mark.parametrize(
    ("colleague", "why"),
    [
        (str(MANAGER), "Этому человеку лид передать нельзя"),  # oneself
        (str(HUNTER), "Этому человеку лид передать нельзя"),  # not a manager
        ("0", "Этому человеку лид передать нельзя"),
    ],
)
async def test_passing_to_someone_who_is_not_a_colleague_is_refused(
    world: World, db: Database, make_lead: LeadMaker, olga: Conversation, colleague: str, why: str
) -> None:
    lead = await make_lead()
    card = world.chat(GROUP)[0]

    query = await olga.press(card, f"ld:pt:{lead.id}:{colleague}")

    assert olga.answer_for(query)["text"] == why
    assert (await stored(db, lead.id)).owner_id is None
    assert world.session.calls("sendMessage")[-1]["chat_id"] == GROUP  # nobody was written to


# --- /leads with a filter word -------------------------------------------------------------------


@pytest.fixture
async def three_leads(
    world: World, db: Database, make_lead: LeadMaker, olga: Conversation
) -> dict[str, Lead]:
    """Last week's cold lead, today's hot lead Olga took, and today's warm one."""
    old_cold = await make_lead(temperature="cold")
    world.clock.advance(timedelta(days=3))
    mine = await make_lead()
    claimed = await olga.press(card_of(world, mine), f"ld:c:{mine.id}:")
    assert olga.answer_for(claimed)["text"] == f"✅ Лид #L-{mine.id} ваш"
    warm = await make_lead(temperature="warm")
    return {"old_cold": old_cold, "mine": mine, "warm": warm}


@pytest.mark.parametrize(
    ("command", "title", "shown"),
    [
        ("/leads", "Открытые", {"old_cold", "mine", "warm"}),
        ("/leads open", "Открытые", {"old_cold", "mine", "warm"}),
        ("/leads mine", "Мои", {"mine"}),
        ("/leads Мои", "Мои", {"mine"}),
        ("/leads my", "Мои", {"mine"}),
        ("/leads hot", "🔥 Горячие", {"mine"}),
        ("/leads ГОРЯЧИЕ", "🔥 Горячие", {"mine"}),
        ("/leads today", "Сегодня", {"mine", "warm"}),
        ("/leads сегодня", "Сегодня", {"mine", "warm"}),
        ("/leads week", "Неделя", {"old_cold", "mine", "warm"}),
        ("/leads неделя", "Неделя", {"old_cold", "mine", "warm"}),
    ],
)
async def test_leads_with_a_filter_word_opens_that_filter(
    three_leads: dict[str, Lead],
    olga_private: Conversation,
    command: str,
    title: str,
    shown: set[str],
) -> None:
    await olga_private.send(command)

    text = olga_private.last_text
    assert text.startswith(f"Лиды: {title} (")
    listed = {name for name, lead in three_leads.items() if f"#L-{lead.id} ·" in text}
    assert listed == shown
    assert f"• {title}" in [label for row in olga_private.buttons for label in row]


@pytest.mark.parametrize("argument", ["2025-03-03", "all", "мой лид"])
async def test_leads_with_an_unknown_word_gets_the_usage(
    olga_private: Conversation, make_lead: LeadMaker, argument: str
) -> None:
    await make_lead()

    await olga_private.send(f"/leads {argument}")

    assert olga_private.last_text == (
        "Формат: /leads, /leads mine (мои), /leads hot (горячие), /leads today (сегодня) "
        "или /leads week (неделя)."
    )
