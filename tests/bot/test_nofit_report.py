"""`/nofit`: what clients said that the script had no answer for, as managers and admins read it.

Hunters press "no fitting answer" on real calls and type the client's words; then a manager or
an admin asks for the report and reads it grouped by script version and step, most frequent
steps first, with a CSV file when the message cannot hold everything.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.repositories import CallsRepo
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, SettingsFactory
from tests.bot.harness import Conversation, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play

SECOND_HUNTER = 1002
NO_FIT = "✍️ Нет подходящего ответа"
SAVED = "✍️ Записал для автора скрипта. Звонок на том же шаге."
LAST_30_DAYS = "02.02.2025–03.03.2025"
"""The fixed clock's Monday 3 March 2025 and the 29 days before it."""
READERS = pytest.mark.parametrize(
    ("reader", "name"), [(ADMIN, "Анна"), (MANAGER, "Ольга")], ids=["admin", "manager"]
)


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    """Two hunters, so the report shows whose words are whose."""
    return make_settings(HUNTER_IDS=f"{HUNTER},{SECOND_HUNTER}")


async def on_a_call(world: World, hunter: int, first: str, last: str) -> Conversation:
    """A hunter starts the Russian cold call and fills the lead card: the gatekeeper step."""
    conv = world.conversation(hunter, first, last)
    await conv.send("/call")
    await play(conv, CARDS[RU_COLD])
    return conv


async def no_fit(conv: Conversation, words: str) -> None:
    """The hunter presses "no fitting answer" and types what the client said."""
    await conv.tap(NO_FIT)
    await conv.send(words)
    assert SAVED in [m.text for m in conv.messages[-2:]]


async def an_old_version_call(db: Database, at: datetime, step: str, words: str) -> None:
    """A call on version 2 of the cold call, which is no longer loaded, with one text."""
    async with db.transaction() as conn:
        calls = CallsRepo(conn)
        call = await calls.create(
            hunter_id=HUNTER, flow_id="b2b_cold_call_ru", flow_version=2, chat_id=HUNTER, now=at
        )
        await calls.append_event(call.id, 1, "nofit", step, {"text": words}, now=at)
        await calls.finish(call.id, outcome="no_answer", reason=None, now=at)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    # The team speaks Russian: Russian Excel's list separator is ";".
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


@READERS
async def test_readers_see_what_clients_said_by_script_and_step_most_frequent_first(
    world: World, db: Database, clock: FakeClock, reader: int, name: str
) -> None:
    ivan = await on_a_call(world, HUNTER, "Иван", "Петров")
    await no_fit(ivan, "А вы по какому вопросу? У нас всё через <b>тендер</b> & площадку")
    await ivan.tap("Соединяет")
    clock.advance(timedelta(minutes=5))
    await no_fit(ivan, "Мы уже работаем с «Упак-Сервис», довольны")
    clock.advance(timedelta(hours=1))
    maria = await on_a_call(world, SECOND_HUNTER, "Мария", "Орлова")
    await maria.tap("Соединяет")
    await no_fit(maria, "Пришлите КП на почту, посмотрим")
    await an_old_version_call(
        db, datetime(2025, 2, 28, 7, 30, tzinfo=UTC), "budget_check", "Бюджет режут каждый год"
    )
    person = world.conversation(reader, name, None)

    await person.send("/nofit")

    assert person.last_text == (
        f"✍️ Нет подходящего ответа · {LAST_30_DAYS}\n"
        "Что говорили клиенты, когда в скрипте не нашлось ответа. Записей: 4\n"
        "\n"
        "📜 Холодный звонок: упаковка для производств v1\n"
        "❓ Вы отвечаете за закупку упаковки? Удобно две минуты? — 2\n"
        "• 03.03 13:05 · Мария Орлова: «Пришлите КП на почту, посмотрим»\n"
        "• 03.03 12:05 · Иван Петров: «Мы уже работаем с «Упак-Сервис», довольны»\n"
        "❓ Добрый день! {hunter_name}, компания «{our_company}», поставляем упаковку для"
        " производств… — 1\n"
        "• 03.03 12:00 · Иван Петров: «А вы по какому вопросу? У нас всё через <b>тендер</b>"
        " & площадку»\n"
        "\n"
        "📜 Холодный звонок: упаковка для производств v2\n"
        "❓ budget_check — 1\n"
        "• 28.02 10:30 · Иван Петров: «Бюджет режут каждый год»"
    )
    assert "через &lt;b&gt;тендер&lt;/b&gt; &amp; площадку" in person.last_message.html
    assert world.session.calls("sendDocument") == []


async def test_the_report_speaks_the_readers_language(world: World) -> None:
    ivan = await on_a_call(world, HUNTER, "Иван", "Петров")
    await no_fit(ivan, "Перезвоните после Нового года")
    admin = world.conversation(ADMIN, "Anna", None, language_code="en")

    await admin.send("/nofit 2025-03-03")

    assert admin.last_text == (
        "✍️ No fitting answer · 2025-03-03–2025-03-03\n"
        "What clients said when the script had no answer for it. Entries: 1\n"
        "\n"
        "📜 Холодный звонок: упаковка для производств v1\n"
        "❓ Добрый день! {hunter_name}, компания «{our_company}», поставляем упаковку для"
        " производств… — 1\n"
        "• 03-03 12:00 · Иван Петров: “Перезвоните после Нового года”"
    )


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/nofit", f"✍️ За {LAST_30_DAYS} записей «Нет подходящего ответа» пока нет."),
        (
            "/nofit 2025-03-04 2025-03-10",
            "✍️ За 04.03.2025–10.03.2025 записей «Нет подходящего ответа» пока нет.",
        ),
        (
            "/nofit 2025-01-01",
            "✍️ За 01.01.2025–01.01.2025 записей «Нет подходящего ответа» пока нет.",
        ),
        (
            "/nofit вчера",
            "Формат: /nofit или /nofit 2026-11-01 2026-11-30 (обе даты включительно)."
            " Без дат — последние 30 дней.",
        ),
    ],
)
async def test_a_period_without_texts_says_so_in_one_line(
    world: World, db: Database, command: str, answer: str
) -> None:
    await an_old_version_call(db, datetime(2025, 1, 15, 9, 0, tzinfo=UTC), "budget", "Дорого")
    manager = world.conversation(MANAGER, "Ольга", None)

    await manager.send(command)

    assert manager.last_text == answer
    assert world.session.calls("sendDocument") == []


async def test_a_period_picks_the_texts_typed_on_its_local_days(
    world: World, db: Database
) -> None:
    await world.conversation(HUNTER, "Иван", "Петров").send("/start")
    # Moscow is three hours ahead of UTC: 21:30 UTC on the 15th is half past midnight on the 16th.
    await an_old_version_call(db, datetime(2025, 1, 15, 21, 30, tzinfo=UTC), "budget", "Дорого")
    await an_old_version_call(db, datetime(2025, 1, 15, 20, 59, tzinfo=UTC), "budget", "Рано")
    await an_old_version_call(db, datetime(2025, 1, 16, 21, 0, tzinfo=UTC), "budget", "Поздно")
    manager = world.conversation(MANAGER, "Ольга", None)

    await manager.send("/nofit 16.01.2025")

    assert manager.last_text.splitlines()[2:] == [
        "",
        "📜 Холодный звонок: упаковка для производств v2",
        "❓ budget — 1",
        "• 16.01 00:30 · Иван Петров: «Дорого»",
    ]


async def test_hunters_are_refused_as_for_the_export(world: World) -> None:
    ivan = await on_a_call(world, HUNTER, "Иван", "Петров")
    await no_fit(ivan, "Нам ничего не нужно")

    await ivan.send("/nofit")

    assert ivan.last_text == "Эта команда для менеджеров и администраторов."
    assert world.session.calls("sendDocument") == []


async def test_a_long_list_is_cut_to_one_message_and_comes_whole_as_a_csv_file(
    world: World, clock: FakeClock
) -> None:
    ivan = await on_a_call(world, HUNTER, "Иван", "Петров")
    said = [
        f"Возражение номер {number}: у нас склад на другом конце города, возите туда?"
        for number in range(1, 61)
    ]
    said[0] = '=HYPERLINK("http://evil") — сказал, что так у них в таблице'
    for words in said:
        await no_fit(ivan, words)
        clock.advance(timedelta(minutes=1))
    admin = world.conversation(ADMIN, "Анна", None)

    await admin.send("/nofit")

    [report] = [m for m in admin.messages if m.text.startswith("✍️ Нет подходящего ответа")]
    entries = [line for line in report.text.splitlines() if line.startswith("• ")]
    assert 20 < len(entries) < 60
    assert len(report.text) <= 4096
    assert report.text.endswith(
        f"\n\n… и ещё {60 - len(entries)} — все записи полностью в файле CSV."
    )
    assert entries[0] == (
        "• 03.03 12:59 · Иван Петров: «Возражение номер 60: у нас склад на другом конце"
        " города, возите туда?»"
    )
    [document] = world.session.calls("sendDocument")
    assert document["caption"] == (
        f"📎 «Нет подходящего ответа» — {LAST_30_DAYS}: 60 шт. Файл открывается в Excel."
    )
    [request] = [r for r in world.session.requests if r.method == "sendDocument"]
    [upload] = request.files.values()
    assert upload.filename == "nofit_2025-02-02_2025-03-03.csv"
    rows = read_csv(upload.data)
    assert rows[0] == [
        "Дата",
        "Скрипт",
        "Версия скрипта",
        "Шаг",
        "Вопрос шага",
        "Хантер",
        "Что сказал клиент",
    ]
    assert len(rows) == 61
    question = rows[1][4]
    assert question.startswith("Добрый день! {hunter_name}, компания «{our_company}»")
    assert rows[1][:4] == ["2025-03-03 12:59", RU_COLD, "1", "gatekeeper"]
    assert rows[1][5:] == ["Иван Петров", said[59]]
    assert rows[60][0] == "2025-03-03 12:00"
    assert rows[60][6] == "'" + said[0]


async def test_a_text_too_long_for_the_message_is_clipped_there_and_whole_in_the_file(
    world: World,
) -> None:
    ivan = await on_a_call(world, HUNTER, "Иван", "Петров")
    words = ("Клиент долго рассказывал про тендерные процедуры холдинга. " * 60)[:3900]
    await no_fit(ivan, words)
    manager = world.conversation(MANAGER, "Ольга", None)

    await manager.send("/nofit")

    [report] = [m for m in manager.messages if m.text.startswith("✍️ Нет подходящего ответа")]
    last_line = report.text.splitlines()[-1]
    assert last_line.startswith("• 03.03 12:00 · Иван Петров: «Клиент долго рассказывал")
    assert last_line.endswith("…»")
    assert len(last_line) < 400
    [upload] = world.session.uploads("sendDocument")
    assert read_csv(upload)[1][6] == words.strip()


@pytest.mark.parametrize(
    ("person", "lines"),
    [(HUNTER, 0), (MANAGER, 1), (ADMIN, 1)],
    ids=["hunter", "manager", "admin"],
)
async def test_help_names_the_command_to_managers_and_admins(
    world: World, person: int, lines: int
) -> None:
    conv = world.conversation(person)

    await conv.send("/help")

    explained = [line for line in conv.last_text.splitlines() if line.startswith("/nofit — ")]
    assert (
        explained
        == [
            "/nofit — что говорили клиенты, когда в скрипте не нашлось ответа"
            " (за 30 дней или за период: /nofit 2026-11-01 2026-11-30)."
        ]
        * lines
    )
