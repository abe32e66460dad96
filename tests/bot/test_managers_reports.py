"""Reports: the CSV export (escaping, BOM, ranges), statistics with a chart, the weekly digest."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import reports
from bot.app import Flows
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, Lead, Role
from bot.i18n import Translator
from bot.leads import StateRepo, claim_lead, mark_in_progress, mark_won
from bot.main import run
from bot.outbox import OutboxRelay
from bot.reports import (
    DIGEST_KEY,
    Cell,
    Period,
    chart_png,
    compute_stats,
    csv_bytes,
    escape_cell,
    next_digest_time,
    parse_period,
    post_weekly_digest_if_due,
)
from bot.repositories import CallsRepo
from scripts.summary import CallSummary
from tests.bot.conftest import ADMIN, HUNTER, MANAGER
from tests.bot.harness import FakeSleep, World, create_lead, qualified_summary
from tests.conftest import ROOT

GROUP = -1001234567890
MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-2+3", "'-2+3"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("+7 495 123-45-67 =1+1", "'+7 495 123-45-67 =1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-A1", "'-A1"),
        ("-", "'-"),
        ("+", "'+"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("+7\n=1+1", "'+7\n=1+1"),
        # A phone or a plain number holds no name a formula could call: left as it is.
        ("+7 495 123-45-67", "+7 495 123-45-67"),
        ("+7 (916) 123-45-67", "+7 (916) 123-45-67"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("-5", "-5"),
        ("-5,5", "-5,5"),
        ("<b>ACME & Sons</b>", "<b>ACME & Sons</b>"),
        ("ООО «Ромашка»", "ООО «Ромашка»"),
        (-5, -5),
        (1.5, 1.5),
        (None, None),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(value: Any, cell: Any) -> None:
    assert escape_cell(value) == cell


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        # Russian Excel splits lines on ";" and reads "1,5" as a number ("1.5" may become a date).
        (
            "ru",
            "Лид;Заметки;Сумма;Скоринг;Доля;Пусто\r\n"
            '#L-1;"строка 1\nс ""кавычками""; и точкой с запятой";1500000,50;87,5;0,25;\r\n',
        ),
        (
            "en",
            "Лид,Заметки,Сумма,Скоринг,Доля,Пусто\r\n"
            '#L-1,"строка 1\nс ""кавычками""; и точкой с запятой",1500000.50,87.5,0.25,\r\n',
        ),
    ],
)
def test_csv_has_a_bom_and_the_locales_separator_decimal_mark_and_quotes(
    locale: str, text: str
) -> None:
    header = ["Лид", "Заметки", "Сумма", "Скоринг", "Доля", "Пусто"]
    row: list[Cell] = ["#L-1", 'строка 1\nс "кавычками"; и точкой с запятой']
    row += [Decimal("1500000.50"), 87.5, 0.25, None]
    data = csv_bytes(header, [row], locale=locale)

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == text


def test_csv_escapes_formulas_in_both_locales() -> None:
    rows: list[list[Cell]] = [["=1+1", "+7 916 123-45-67", 7]]

    assert csv_bytes(["A", "B", "C"], rows, locale="ru").decode("utf-8-sig") == (
        "A;B;C\r\n'=1+1;+7 916 123-45-67;7\r\n"
    )
    assert csv_bytes(["A", "B", "C"], rows, locale="en").decode("utf-8-sig") == (
        "A,B,C\r\n'=1+1,+7 916 123-45-67,7\r\n"
    )


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("", Period()),
        (
            "2026-11-01 2026-11-30",
            Period(datetime(2026, 11, 1, tzinfo=MSK), datetime(2026, 12, 1, tzinfo=MSK)),
        ),
        (
            "01.11.2026",
            Period(datetime(2026, 11, 1, tzinfo=MSK), datetime(2026, 11, 2, tzinfo=MSK)),
        ),
        ("2026-11-30 2026-11-01", None),
        ("2026-02-30", None),
        ("вчера", None),
        ("2026-11-01 2026-11-02 2026-11-03", None),
    ],
)
def test_periods_are_whole_local_days(text: str, period: Period | None) -> None:
    assert parse_period(text, MSK) == period


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 12:00 in Moscow: this week's 10:00 has passed, so next Monday.
        (datetime(2025, 3, 3, 9, 0, tzinfo=UTC), datetime(2025, 3, 10, 10, 0, tzinfo=MSK)),
        (datetime(2025, 3, 3, 6, 59, tzinfo=UTC), datetime(2025, 3, 3, 10, 0, tzinfo=MSK)),
        (datetime(2025, 3, 9, 20, 0, tzinfo=UTC), datetime(2025, 3, 10, 10, 0, tzinfo=MSK)),
    ],
)
def test_the_weekly_digest_runs_on_monday_mornings(now: datetime, expected: datetime) -> None:
    assert next_digest_time(now, MSK) == expected


@pytest.fixture
def summary(flows: Flows) -> CallSummary:
    return qualified_summary(
        flows[("b2b_cold_call_ru", 1)],
        card={"company": "<b>ACME & Sons</b>", "contact_name": "=cmd|' /C calc'!A0"},
        note="@SUM(1+1) & <script>",
    )


def manager_account() -> Account:
    return Account(
        MANAGER, "Ольга Кузнецова", None, None, frozenset({Role.MANAGER}), datetime.now(UTC)
    )


async def won_lead(db: Database, clock: FakeClock, summary: CallSummary) -> Lead:
    lead = await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    clock.advance(timedelta(minutes=4))
    await claim_lead(db, lead.id, manager_account(), now=clock.now())
    clock.advance(timedelta(minutes=6))
    await mark_in_progress(db, lead.id, manager_account(), now=clock.now())
    clock.advance(timedelta(days=2))
    await mark_won(db, lead.id, manager_account(), Decimal("1500000"), now=clock.now())
    return lead


def read_csv(data: bytes, delimiter: str = ";") -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = io.StringIO(data.decode("utf-8-sig"), newline="")
    return list(csv.DictReader(text, delimiter=delimiter))


async def test_export_sends_a_csv_with_answers_scores_outcomes_and_escaped_cells(
    world: World, db: Database, clock: FakeClock, summary: CallSummary
) -> None:
    lead = await won_lead(db, clock, summary)
    manager = world.conversation(MANAGER, "Ольга", "Кузнецова")

    await manager.send("/export")

    [upload] = world.session.uploads("sendDocument")
    [row] = read_csv(upload)
    assert row["Лид"] == f"#L-{lead.id}"
    assert row["Компания"] == "<b>ACME & Sons</b>"
    assert row["Контакт"] == "'=cmd|' /C calc'!A0"
    assert row["Телефон"] == "+7 495 123-45-67"
    assert row["Заметки"] == "'@SUM(1+1) & <script>"
    assert row["Статус"] == "выигран"
    assert row["Сумма сделки"] == "1500000"
    assert row["Ожидаемая сумма"] == "1237500"
    assert row["Менеджер"] == "Ольга Кузнецова"
    assert row["Скоринг"] == "100,0"
    assert row["Источник"] == "Холодная база"
    assert row["BANT: бюджет"] == "подтверждено: 1 500 000 ₽"
    assert (row["Температура"], row["Класс"], row["Роль контакта"]) == (
        "горячий",
        "A — горячий ЛПР",
        "ЛПР",
    )
    assert summary.probability == pytest.approx(0.825)
    assert row["Вероятность, %"] == "83"  # 82.5 rounds half up
    assert row["Скрипт"] == "Холодный звонок: упаковка для производств"
    assert row["Создан"] == "2025-03-03 12:00"
    assert row["Первый контакт"] == "2025-03-03 12:10"
    assert (
        "Сколько у вас примерно уходит на упаковку в год? Хотя бы порядок. — 1 500 000 ₽"
        in (row["Ответы"])
    )
    document = world.session.calls("sendDocument")[0]
    assert document["caption"] == "📤 Лиды — за всё время: 1 шт. Файл открывается в Excel."
    assert manager.last_text == "📤 Лиды — за всё время: 1 шт. Файл открывается в Excel."


async def test_export_takes_a_date_range_in_local_days(
    world: World, db: Database, clock: FakeClock, summary: CallSummary
) -> None:
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    clock.advance(timedelta(days=1))
    second = await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    admin = world.conversation(ADMIN, "Анна", "Админ")

    await admin.send("/export 2025-03-04 2025-03-04")

    [upload] = world.session.uploads("sendDocument")
    assert [row["Лид"] for row in read_csv(upload)] == [f"#L-{second.id}"]
    document = world.session.calls("sendDocument")[0]
    assert document["document"].startswith("attach://")
    assert world.session.requests[-1].files  # the file was uploaded, not referenced
    await admin.send("/export 2025-03-40")
    assert admin.last_text.startswith("Формат: /export или /export 2026-11-01 2026-11-30")


async def test_hunters_get_no_export(world: World) -> None:
    hunter = world.conversation(HUNTER)

    await hunter.send("/export")

    assert hunter.last_text == "Эта команда для менеджеров и администраторов."
    assert world.session.calls("sendDocument") == []


async def test_the_export_command_writes_a_file_without_a_bot_token(
    world: World,
    db: Database,
    clock: FakeClock,
    summary: CallSummary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = await won_lead(db, clock, summary)
    monkeypatch.setenv("DATABASE_PATH", str(db.path))
    monkeypatch.setenv("SCRIPTS_DIR", str(ROOT / "scripts" / "flows"))
    out = tmp_path / "leads.csv"

    # A command of its own: it runs its own event loop, so off this test's loop.
    code = await asyncio.to_thread(
        run, ["export", "--from", "2025-03-01", "--to", "2025-03-31", "--out", str(out)]
    )

    assert code == 0
    [row] = read_csv(out.read_bytes())
    assert (row["Лид"], row["Компания"], row["Источник"]) == (
        f"#L-{lead.id}",
        "<b>ACME & Sons</b>",
        "Холодная база",
    )
    empty = tmp_path / "april.csv"
    assert (
        await asyncio.to_thread(run, ["export", "--from", "2025-04-01", "--out", str(empty)]) == 0
    )
    assert read_csv(empty.read_bytes()) == []


async def test_stats_show_the_funnel_timings_and_breakdowns_with_a_chart(
    world: World, db: Database, clock: FakeClock, summary: CallSummary
) -> None:
    await won_lead(db, clock, summary)
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    async with db.transaction() as conn:
        await CallsRepo(conn).create(
            hunter_id=HUNTER,
            flow_id="b2b_cold_call_ru",
            flow_version=1,
            chat_id=HUNTER,
            now=clock.now(),
            card={"lead_source": "website"},
        )
    manager = world.conversation(MANAGER, "Ольга", "Кузнецова")

    await manager.send("/stats 2025-03-01 2025-03-31")

    text = next(m.text for m in manager.messages if m.text.startswith("📈"))
    assert text.splitlines()[:10] == [
        "📈 Статистика · 01.03.2025–31.03.2025",
        "",
        "Воронка",
        "📞 Звонков: 3",
        "✅ Квалифицировано: 2 (67%)",
        "✋ Взято: 1 (50%)",
        "🏆 Выиграно: 1 (100%) на 1 500 000 ₽",
        "",
        "⏱ Медиана до взятия: 4 мин",
        "☎️ Медиана до первого контакта: 10 мин",
    ]
    assert (
        "По источникам (звонки / лиды / выиграно)\n• Холодная база: 2 / 2 / 1\n• Сайт: 1 / 0 / 0"
        in (text)
    )
    assert (
        "По версиям скриптов (звонки / лиды / выиграно)\n"
        "• Холодный звонок: упаковка для производств v1: 3 / 2 / 1" in text
    )
    [png] = world.session.uploads("sendPhoto")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert manager.last_text == "📊 Воронка и хантеры · 01.03.2025–31.03.2025"


async def test_stats_without_dates_cover_the_30_days_up_to_today(
    world: World, db: Database, clock: FakeClock, summary: CallSummary
) -> None:
    await won_lead(db, clock, summary)
    admin = world.conversation(ADMIN, "Анна", "Админ")

    await admin.send("/stats")

    text = next(m.text for m in admin.messages if m.text.startswith("📈"))
    assert text.startswith("📈 Статистика · 04.02.2025–05.03.2025\n")
    assert admin.last_text == "📊 Воронка и хантеры · 04.02.2025–05.03.2025"


async def test_the_chart_is_drawn_off_the_event_loop(
    world: World,
    db: Database,
    clock: FakeClock,
    summary: CallSummary,
    translator: Translator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await won_lead(db, clock, summary)
    stats = await compute_stats(db.connection, Period())
    threads: list[str] = []
    draw = reports.render_chart

    def spy(*args: Any) -> bytes:
        threads.append(threading.current_thread().name)
        return draw(*args)

    monkeypatch.setattr(reports, "render_chart", spy)

    png = await chart_png(stats, translator.bind("ru"))

    assert png.startswith(b"\x89PNG")
    assert len(threads) == 1
    assert threads[0] != threading.main_thread().name


async def test_the_weekly_digest_is_posted_once_when_due_and_survives_restarts(
    world: World,
    db: Database,
    clock: FakeClock,
    summary: CallSummary,
    translator: Translator,
    settings: Settings,
) -> None:
    await won_lead(db, clock, summary)
    relay = OutboxRelay(
        bot=world.bot,
        db=db,
        clock=clock,
        translator=translator,
        settings=settings,
        sleep=FakeSleep(clock),
    )

    async def tick() -> bool:
        return await post_weekly_digest_if_due(
            relay=relay, db=db, clock=clock, settings=settings, translator=translator
        )

    assert await tick() is False  # the first run only schedules
    assert await StateRepo(db.connection).get(DIGEST_KEY) == "2025-03-10T07:00:00.000000+00:00"
    clock.set(datetime(2025, 3, 10, 6, 59, tzinfo=UTC))
    assert await tick() is False
    clock.set(datetime(2025, 3, 10, 7, 0, tzinfo=UTC))

    assert await tick() is True
    assert await tick() is False

    digest = [p for p in world.session.calls("sendMessage") if p["chat_id"] == GROUP]
    assert len(digest) == 1
    assert digest[0]["text"].startswith("🗓 <b>Итоги недели</b> · 03.03.2025–09.03.2025")
    assert "🏆 Выиграно: 1 (100%) на 1 500 000 ₽" in digest[0]["text"]
    assert len(world.session.uploads("sendPhoto")) == 1
    assert await StateRepo(db.connection).get(DIGEST_KEY) == "2025-03-17T07:00:00.000000+00:00"
    assert date(2025, 3, 17).weekday() == 0


@pytest.mark.parametrize(
    ("locale", "amounts", "text"),
    [
        ("ru", (), "0 ₽"),
        ("ru", (("RUB", Decimal("1500000")),), "1 500 000 ₽"),
        ("ru", (("RUB", Decimal("1500000")), ("USD", Decimal(1000))), "1 500 000 ₽ и 1 000 $"),
        (
            "ru",
            (("EUR", Decimal("2500.5")), ("RUB", Decimal(300)), ("USD", Decimal(7))),
            "2 500,50 €, 300 ₽ и 7 $",
        ),
        ("en", (("RUB", Decimal("1500000")), ("USD", Decimal(1000))), "1,500,000 ₽ and $1,000"),
    ],
)
def test_sums_in_several_currencies_are_never_added_together(
    translator: Translator, locale: str, amounts: reports.Amounts, text: str
) -> None:
    assert reports.amounts_text(amounts, translator.bind(locale)) == text


async def test_stats_show_one_won_sum_per_currency_and_hunters_by_name(
    world: World, db: Database, clock: FakeClock, flows: Flows, summary: CallSummary
) -> None:
    await won_lead(db, clock, summary)
    in_dollars = qualified_summary(flows[("b2b_cold_call_ru", 1)], currency="USD")
    lead = await create_lead(db, clock.now(), in_dollars, hunter_id=HUNTER, alert_chat_id=GROUP)
    await claim_lead(db, lead.id, manager_account(), now=clock.now())
    await mark_won(db, lead.id, manager_account(), Decimal(1000), now=clock.now())
    manager = world.conversation(MANAGER, "Ольга", "Кузнецова")

    await manager.send("/stats 2025-03-01 2025-03-31")

    text = next(m.text for m in manager.messages if m.text.startswith("📈"))
    assert "🏆 Выиграно: 2 (100%) на 1 500 000 ₽ и 1 000 $\n" in text
    # The hunter never wrote to the bot: the name the call kept, as on the card and in the CSV.
    assert "По хантерам (звонки / лиды / выиграно)\n• Олег: 2 / 2 / 2\n" in text


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ("8 (916) 123-45-67", "+7 916 123-45-67"),
        ("+7 495 123-45-67", "+7 495 123-45-67"),
        ("+74951234567", "+7 495 123-45-67"),
        ("звонить через секретаря", "звонить через секретаря"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ],
)
async def test_the_export_gives_phones_in_international_format(
    world: World,
    db: Database,
    clock: FakeClock,
    flows: Flows,
    translator: Translator,
    typed: str,
    cell: str,
) -> None:
    summary = qualified_summary(flows[("b2b_cold_call_ru", 1)], phone=typed)
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)

    data, _ = await reports.export_leads(
        db.connection, Period(), t=translator.bind("ru"), zone=MSK
    )

    [row] = read_csv(data)
    assert row["Телефон"] == cell


async def test_an_english_export_keeps_commas_and_decimal_points(
    world: World, db: Database, clock: FakeClock, translator: Translator, summary: CallSummary
) -> None:
    await won_lead(db, clock, summary)

    data, count = await reports.export_leads(
        db.connection, Period(), t=translator.bind("en"), zone=MSK
    )

    assert count == 1
    assert data.decode("utf-8-sig").splitlines()[0].startswith("Lead,Created,Status,")
    [row] = read_csv(data, delimiter=",")
    assert (row["Score"], row["Deal amount"], row["Phone"]) == (
        "100.0",
        "1500000",
        "+7 495 123-45-67",
    )
