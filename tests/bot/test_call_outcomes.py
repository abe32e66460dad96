"""A whole cold call in Telegram on each shipped script, to each kind of outcome it has.

Each scenario is what a hunter does: /call, the script, the lead card, the buttons and typed
answers, the finish; then what they see (the summary card) and what is stored (the call row,
the lead with its alert, the callback reminder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.db import Database
from tests.bot.conftest import HUNTER
from tests.bot.harness import Conversation, World

Move = tuple[str, str]


def tap(label: str) -> Move:
    return ("tap", label)


def typed(text: str) -> Move:
    return ("type", text)


async def play(conv: Conversation, moves: tuple[Move, ...]) -> None:
    for action, text in moves:
        if action == "tap":
            await conv.tap(text)
        else:
            await conv.send(text)


RU_COLD = "Холодный звонок: упаковка для производств"
RU_INBOUND = "Входящая заявка: демо CRM"
EN_COLD = "Cold call: HR and payroll platform"

CARDS: dict[str, tuple[Move, ...]] = {
    RU_COLD: (
        tap(RU_COLD),
        typed("ООО «Северный хлеб»"),
        typed("Ирина Соколова"),
        typed("+7 495 123-45-67"),
        tap("Холодная база"),
    ),
    RU_INBOUND: (
        tap(RU_INBOUND),
        typed("ООО «ТехноСнаб»"),
        tap("⏭ Пропустить"),
        typed("8 916 555 12 34"),
        tap("Форма на сайте"),
    ),
    EN_COLD: (
        tap(EN_COLD),
        typed("Harbor Foods Ltd"),
        typed("Sarah Collins"),
        typed("+44 20 7946 0018"),
        tap("Trade show"),
    ),
}
LOCALES = {RU_COLD: "ru", RU_INBOUND: "ru", EN_COLD: "en"}
COMPANIES = {
    RU_COLD: "ООО «Северный хлеб»",
    RU_INBOUND: "ООО «ТехноСнаб»",
    EN_COLD: "Harbor Foods Ltd",
}

TOMORROW_15_MSK = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
"""The fixed clock is Monday 3 March 2025, 12:00 in Moscow; "завтра в 15:00" is this moment."""


@dataclass(frozen=True)
class Scenario:
    key: str
    flow: str
    moves: tuple[Move, ...]
    outcome: str
    title: str
    lead: str | None = None
    """None: no lead; "alert": a lead and its alert; "quiet": a lead without an alert."""
    reminder_at: datetime | None = None
    shows: str = ""
    """A line the summary card must hold (the reason, the callback time)."""


RU_DM_FOOD = (tap("Соединяет"), tap("Да, слушаю"), tap("Пищевое"))
IN_START = (tap("Да, удобно"),)
EN_DM = (tap("Puts me through"), tap("Yes, go ahead"))

SCENARIOS = [
    Scenario(
        "ru-cold-qualified",
        RU_COLD,
        (
            *RU_DM_FOOD,
            typed("250"),
            tap("Один постоянный"),
            tap("Срывают сроки"),
            typed("1,5 млн"),
            tap("Решаю сам"),
            typed("через месяц"),
            tap("Теряем деньги уже сейчас"),
            tap("Сроки поставки"),
            tap("Встреча назначена"),
            tap("🏁 Завершить: Квалифицирован: встреча или тест"),
        ),
        outcome="qualified",
        title="🏁 Звонок завершён: Квалифицирован: встреча или тест",
        lead="alert",
        shows="🏷 Класс: A — горячий ЛПР",
    ),
    Scenario(
        "ru-cold-nurture",
        RU_COLD,
        (
            *RU_DM_FOOD,
            typed("250"),
            tap("Один постоянный"),
            tap("Всё устраивает"),
            tap("Нет, не нужно"),
            tap("🏁 Завершить: Прогрев: интерес есть, но не сейчас"),
        ),
        outcome="nurture",
        title="🏁 Звонок завершён: Прогрев: интерес есть, но не сейчас",
        lead="quiet",
    ),
    Scenario(
        "ru-cold-knockout",
        RU_COLD,
        (*RU_DM_FOOD, typed("12"), tap("⛔ Завершить: не подходит")),
        outcome="dq_small",
        title="🏁 Звонок завершён: Слишком маленькая компания",
        shows="⛔ Причина: Меньше 20 сотрудников",
    ),
    Scenario(
        "ru-cold-callback",
        RU_COLD,
        (
            tap("Соединяет"),
            tap("Сейчас неудобно"),
            tap("🏁 Завершить: Перезвонить в согласованное время"),
            typed("завтра в 15:00"),
        ),
        outcome="callback",
        title="🏁 Звонок завершён: Перезвонить в согласованное время",
        reminder_at=TOMORROW_15_MSK,
        shows="⏰ Перезвонить: 04.03.2025 15:00",
    ),
    Scenario(
        "ru-cold-refused",
        RU_COLD,
        (
            tap("«Кто вас интересует?»"),
            tap("«Нам ничего не нужно»"),
            tap("🏁 Завершить: Отказ от разговора"),
        ),
        outcome="refused",
        title="🏁 Звонок завершён: Отказ от разговора",
    ),
    Scenario(
        "ru-cold-no-answer",
        RU_COLD,
        (tap("Не берут трубку"), tap("🏁 Завершить: Не дозвонились")),
        outcome="no_answer",
        title="🏁 Звонок завершён: Не дозвонились",
    ),
    Scenario(
        "ru-cold-wrong-contact",
        RU_COLD,
        (tap("Не та компания / номер"), tap("🏁 Завершить: Неверный контакт")),
        outcome="wrong_contact",
        title="🏁 Звонок завершён: Неверный контакт",
    ),
    Scenario(
        "ru-inbound-qualified",
        RU_INBOUND,
        (
            *IN_START,
            tap("Теряются заявки"),
            tap("Excel, таблицы"),
            typed("12"),
            typed("600 тыс"),
            tap("Решаю сам"),
            typed("через месяц"),
            tap("Теряем сделки уже сейчас"),
            tap("Простота"),
            tap("Демо назначено"),
            tap("🏁 Завершить: Квалифицирован: демо назначено"),
        ),
        outcome="qualified",
        title="🏁 Звонок завершён: Квалифицирован: демо назначено",
        lead="alert",
    ),
    Scenario(
        "ru-inbound-nurture",
        RU_INBOUND,
        (
            *IN_START,
            tap("Просто присматриваемся"),
            tap("Excel, таблицы"),
            typed("4"),
            typed("50 тыс"),
            tap("Да, попробуем «Старт»"),
            tap("🏁 Завершить: Прогрев: интерес есть, не сейчас"),
        ),
        outcome="nurture",
        title="🏁 Звонок завершён: Прогрев: интерес есть, не сейчас",
        lead="quiet",
    ),
    Scenario(
        "ru-inbound-knockout",
        RU_INBOUND,
        (
            *IN_START,
            tap("Нет контроля менеджеров"),
            tap("Нигде"),
            typed("2"),
            tap("⛔ Завершить: не подходит"),
        ),
        outcome="dq_small",
        title="🏁 Звонок завершён: Меньше трёх пользователей",
        shows="⛔ Причина: Меньше трёх пользователей",
    ),
    Scenario(
        "ru-inbound-callback",
        RU_INBOUND,
        (
            tap("Сейчас неудобно"),
            tap("🏁 Завершить: Перезвонить в согласованное время"),
            tap("Завтра в 15:00"),
        ),
        outcome="callback",
        title="🏁 Звонок завершён: Перезвонить в согласованное время",
        reminder_at=TOMORROW_15_MSK,
        shows="⏰ Перезвонить: 04.03.2025 15:00",
    ),
    Scenario(
        "ru-inbound-refused-from-the-menu",
        RU_INBOUND,
        (tap("🏁 Завершить"), tap("Отказ")),
        outcome="refused",
        title="🏁 Звонок завершён: Отказ",
    ),
    Scenario(
        "ru-inbound-no-answer",
        RU_INBOUND,
        (tap("Не берут трубку"), tap("🏁 Завершить: Не дозвонились")),
        outcome="no_answer",
        title="🏁 Звонок завершён: Не дозвонились",
    ),
    Scenario(
        "ru-inbound-wrong-contact",
        RU_INBOUND,
        (tap("Заявку не оставлял"), tap("🏁 Завершить: Неверный контакт")),
        outcome="wrong_contact",
        title="🏁 Звонок завершён: Неверный контакт",
    ),
    Scenario(
        "en-cold-qualified",
        EN_COLD,
        (
            *EN_DM,
            typed("350"),
            tap("Spreadsheets"),
            tap("Payroll errors"),
            typed("$40k"),
            tap("I decide"),
            typed("next month"),
            tap("It's costing us already"),
            tap("Support"),
            tap("Demo booked"),
            tap("🏁 Finish: Qualified: demo or pilot booked"),
        ),
        outcome="qualified",
        title="🏁 Call finished: Qualified: demo or pilot booked",
        lead="alert",
        shows="🏷 Class: A — hot decision-maker",
    ),
    Scenario(
        "en-cold-nurture",
        EN_COLD,
        (
            *EN_DM,
            typed("300"),
            tap("Spreadsheets"),
            tap("It all works fine"),
            tap("No, thanks"),
            tap("🏁 Finish: Nurture: interested, not now"),
        ),
        outcome="nurture",
        title="🏁 Call finished: Nurture: interested, not now",
        lead="quiet",
    ),
    Scenario(
        "en-cold-knockout",
        EN_COLD,
        (*EN_DM, typed("30"), tap("⛔ Finish: not a fit")),
        outcome="dq_small",
        title="🏁 Call finished: Under 50 employees",
        shows="⛔ Reason: Under 50 employees",
    ),
    Scenario(
        "en-cold-callback",
        EN_COLD,
        (
            tap("Puts me through"),
            tap("Bad time"),
            tap("🏁 Finish: Call back at the agreed time"),
            typed("tomorrow 3pm"),
        ),
        outcome="callback",
        title="🏁 Call finished: Call back at the agreed time",
        reminder_at=TOMORROW_15_MSK,
        shows="⏰ Call back: 2025-03-04 15:00",
    ),
    Scenario(
        "en-cold-refused",
        EN_COLD,
        (
            tap('"What\'s it about?"'),
            tap('"We\'re not interested"'),
            tap("🏁 Finish: Refused to talk"),
        ),
        outcome="refused",
        title="🏁 Call finished: Refused to talk",
    ),
    Scenario(
        "en-cold-no-answer",
        EN_COLD,
        (tap("No answer / voicemail"), tap("🏁 Finish: No answer")),
        outcome="no_answer",
        title="🏁 Call finished: No answer",
    ),
    Scenario(
        "en-cold-wrong-contact",
        EN_COLD,
        (tap("Wrong company / number"), tap("🏁 Finish: Wrong contact")),
        outcome="wrong_contact",
        title="🏁 Call finished: Wrong contact",
    ),
]


async def rows(db: Database, sql: str, *params: object) -> list[tuple[object, ...]]:
    async with db.connection.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
async def test_a_call_runs_from_the_card_to_its_outcome(
    world: World, db: Database, scenario: Scenario
) -> None:
    conv = world.conversation(HUNTER, language_code=LOCALES[scenario.flow])

    await conv.send("/call")
    await play(conv, CARDS[scenario.flow])
    await play(conv, scenario.moves)

    summary = conv.last_text.splitlines()
    assert summary[0] == scenario.title
    assert summary[1] == COMPANIES[scenario.flow]
    assert not scenario.shows or scenario.shows in summary
    # A disqualified lead has no deal to expect: no probability, no expected value.
    deal_lines = [line for line in summary if line.startswith(("🎯", "💰"))]
    assert (deal_lines == []) is scenario.outcome.startswith("dq_")
    calls = await rows(db, "SELECT status, outcome, hunter_id, screen_message_id FROM calls")
    assert calls == [("finished", scenario.outcome, HUNTER, conv.last_message.message_id)]
    leads = await rows(db, "SELECT id, call_id FROM leads")
    alerts = await rows(db, "SELECT lead_id, kind, chat_id, status FROM outbox")
    if scenario.lead is None:
        assert (leads, alerts) == ([], [])
    else:
        assert len(leads) == 1
        lead_id = leads[0][0]
        expected = (
            [(lead_id, "alert", -1001234567890, "pending")] if scenario.lead == "alert" else []
        )
        assert alerts == expected
        lead_lines = {
            ("ru", "alert"): f"🔥 Лид #L-{lead_id} передан менеджерам.",
            ("ru", "quiet"): f"🌱 Лид #L-{lead_id} сохранён для прогрева.",
            ("en", "alert"): f"🔥 Lead #L-{lead_id} handed to the managers.",
            ("en", "quiet"): f"🌱 Lead #L-{lead_id} saved for nurturing.",
        }
        assert lead_lines[LOCALES[scenario.flow], scenario.lead] in summary
    reminders = await rows(db, "SELECT user_id, chat_id, due_at, status FROM reminders")
    if scenario.reminder_at is None:
        assert reminders == []
    else:
        assert reminders == [
            (HUNTER, HUNTER, scenario.reminder_at.isoformat(timespec="microseconds"), "pending")
        ]
    conv.assert_answered()


@pytest.mark.parametrize(
    ("moves", "kept", "dropped"),
    [
        pytest.param(
            (
                tap("Соединяет"),
                tap("Сейчас неудобно"),
                tap("🏁 Завершить: Перезвонить в согласованное время"),
                typed("завтра в 15:00"),
            ),
            ("🏷 Класс:", "⏰ Перезвонить: 04.03.2025 15:00"),
            ("➡️",),
            id="a callback is the next step",
        ),
        pytest.param(
            (*RU_DM_FOOD, tap("🏁 Завершить"), tap("Слишком маленькая компания")),
            ("⛔ Причина: Слишком маленькая компания",),
            ("🏷 Класс:", "➡️"),
            id="disqualified by the hunter, no knock-out",
        ),
        pytest.param(
            (*RU_DM_FOOD, typed("12"), tap("⛔ Завершить: не подходит")),
            ("🏷 Класс: Дисквалифицирован", "⛔ Причина: Меньше 20 сотрудников"),
            ("➡️",),
            id="knocked out",
        ),
        pytest.param(
            SCENARIOS[1].moves,
            ("🏷 Класс:", "➡️ Следующий шаг:"),
            (),
            id="nurture keeps the class's next step",
        ),
    ],
)
async def test_the_summary_follows_the_hunter_s_decision_over_the_model_s_class(
    world: World, moves: tuple[Move, ...], kept: tuple[str, ...], dropped: tuple[str, ...]
) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD])
    await play(conv, moves)

    summary = conv.last_text.splitlines()
    assert summary[0].startswith("🏁 Звонок завершён")
    for start in kept:
        assert any(line.startswith(start) for line in summary), (start, summary)
    for start in dropped:
        assert not any(line.startswith(start) for line in summary), (start, summary)


@pytest.mark.parametrize(
    ("moves", "probability"),
    [
        pytest.param(
            SCENARIOS[0].moves,
            "🎯 Вероятность сделки: 83%",
            id="priorities asked",
        ),
        pytest.param(
            (
                tap("Соединяет"),
                tap("Сейчас неудобно"),
                tap("🏁 Завершить: Перезвонить в согласованное время"),
                typed("завтра в 15:00"),
            ),
            "🎯 Вероятность сделки: ≈80% — по нашим сильным сторонам,"
            " приоритеты клиента не выяснены",
            id="nothing asked",
        ),
    ],
)
async def test_a_probability_without_the_client_s_priorities_reads_as_a_prior(
    world: World, moves: tuple[Move, ...], probability: str
) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD])
    await play(conv, moves)

    assert probability in conv.last_text.splitlines()
