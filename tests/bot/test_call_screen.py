"""The call screen as the hunter sees it: one message edited in place, the line to say, the
question, the live score, answers and controls; back, objections, typed answers and re-asks,
notes, "no fitting answer", pause and resume, edited and forwarded messages."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.db import Database
from tests.bot.conftest import HUNTER
from tests.bot.harness import Conversation, World
from tests.bot.test_call_outcomes import CARDS, RU_COLD, play, tap, typed

CONTROLS = [
    ["◀️ Назад", "💬 Возражение"],
    ["📝 Заметка", "✍️ Нет подходящего ответа"],
    ["⏸ Пауза", "🏁 Завершить"],
]
TO_BUDGET = (
    tap("Соединяет"),
    tap("Да, слушаю"),
    tap("Пищевое"),
    typed("250"),
    tap("Один постоянный"),
    tap("Срывают сроки"),
)


async def start_call(world: World, *, card: tuple[Any, ...] = CARDS[RU_COLD]) -> Conversation:
    conv = world.conversation(HUNTER)
    await conv.send("/call")
    await play(conv, card)
    return conv


async def events(db: Database) -> list[tuple[Any, ...]]:
    async with db.connection.execute(
        "SELECT seq, kind, step, payload FROM call_events ORDER BY call_id, seq"
    ) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


def screen_messages(conv: Conversation) -> set[int]:
    return {m.message_id for m in conv.messages if "шаг" in m.text}


async def test_the_screen_shows_the_line_the_question_the_hint_the_score_and_controls(
    world: World,
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")

    assert conv.last_message.html == (
        "<b>ООО «Северный хлеб»</b> · шаг 2/12\n\n"
        "<blockquote>Добрый день! Иван Петров, «ПромУпак». Возим стретч-плёнку и гофрокороба"
        " производствам со своего склада, отгрузка за 24 часа. Звоню понять, можем ли быть"
        " полезны ООО «Северный хлеб».</blockquote>\n\n"
        "<b>Вы отвечаете за закупку упаковки? Удобно две минуты?</b>\n\n"
        "<i>Не продавайте с порога. Цель звонка — понять, есть ли потребность, и назначить"
        " встречу.</i>\n\n"
        "📊 13/100 (до 100) · ❄️ холодный · BANT ❔❔❔❔ · ЛПР ❔"
    )
    assert conv.buttons == [
        ["Да, слушаю"],
        ["Сейчас неудобно"],
        ["Это не ко мне"],
        ["Отказ, кладёт трубку"],
        *CONTROLS,
    ]


async def test_every_step_edits_the_one_screen_message_and_stores_its_id(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)
    await conv.send("1,5 млн")

    assert len(screen_messages(conv)) == 1
    async with db.connection.execute("SELECT screen_message_id FROM calls") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] == screen_messages(conv).pop()
    assert conv.last_text.startswith("ООО «Северный хлеб» · шаг 8/12")


async def test_a_company_name_with_markup_is_shown_literally_everywhere(
    world: World,
) -> None:
    hostile = "<b>ACME & Sons</b> <script>"
    card = (tap(RU_COLD), typed(hostile), typed("Ирина"), typed("+7 495 123-45-67"))
    conv = await start_call(world, card=(*card, tap("⏭ Пропустить")))
    await conv.tap("Соединяет")

    screen = conv.last_message
    assert screen.text.startswith(f"{hostile} · шаг 2/12")
    assert f"можем ли быть полезны {hostile}." in screen.text
    assert "&lt;b&gt;ACME &amp; Sons&lt;/b&gt; &lt;script&gt;" in screen.html

    await conv.tap("Отказ, кладёт трубку")
    await conv.tap("🏁 Завершить: Отказ от разговора")
    assert conv.last_text.splitlines()[1] == hostile
    await conv.send("/calls")
    assert f"#1 · {hostile} · завершён: Отказ от разговора" in conv.last_text


async def test_a_typed_answer_not_understood_is_asked_again_and_the_screen_stays(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)
    screen_before = conv.last_message
    logged = await events(db)

    await conv.send("много")

    assert conv.last_text == (
        "⚠️ Не понял сумму. Введите, например: «1,5 млн», «200k» или «300 000 ₽»."
    )
    assert await events(db) == logged
    current = world.session.messages[(HUNTER, screen_before.message_id)]
    assert current.html == screen_before.html

    await conv.send("1,5 млн")
    assert conv.last_text.startswith("ООО «Северный хлеб» · шаг 8/12")
    assert "Если решите попробовать нового поставщика" in conv.last_text
    assert (await events(db))[-1][1:3] == ("input", "budget")


async def test_client_does_not_know_is_recorded_as_unknown(world: World, db: Database) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)

    await conv.tap("🤷 Клиент не знает")

    assert (await events(db))[-1][1:4] == ("unknown", "budget", '{"field":"budget"}')
    assert "BANT ❔❔✅❔" in conv.last_text


async def test_free_text_on_a_step_answered_with_buttons_is_a_hint_not_an_answer(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    logged = await events(db)

    await conv.send("Соединяет")

    assert conv.last_text.startswith("На этом шаге ответ выбирается кнопкой")
    assert await events(db) == logged


async def test_back_returns_to_the_previous_question_and_is_an_event(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")
    await conv.tap("Да, слушаю")

    await conv.tap("◀️ Назад")

    assert "Вы отвечаете за закупку упаковки?" in conv.last_text
    assert "шаг 2/12" in conv.last_text
    assert [e[1] for e in await events(db)] == ["card", "answer", "answer", "back"]
    await conv.tap("Сейчас неудобно")
    assert "Итог: Перезвонить в согласованное время" in conv.last_text


async def test_the_first_step_offers_no_back(world: World) -> None:
    conv = await start_call(world)

    assert ["◀️ Назад", "💬 Возражение"] not in conv.buttons
    assert ["💬 Возражение"] in conv.buttons


async def test_an_objection_shows_its_rebuttal_and_returns_to_the_same_step(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")
    question = conv.last_text

    await conv.tap("💬 Возражение")
    assert conv.last_text.endswith(
        "💬 Что возражает клиент?\n\n📊 13/100 (до 100) · ❄️ холодный · BANT ❔❔❔❔ · ЛПР ❔"
    )
    assert conv.buttons[-1] == ["✖️ Отмена"]
    await conv.tap("Дорого")

    assert "💬 Возражение: Дорого" in conv.last_text
    assert "А дорого в сравнении с чем?" in conv.last_text
    assert conv.buttons[0] == ["↩️ Вернуться к вопросу"]

    await conv.tap("↩️ Вернуться к вопросу")
    assert conv.last_text == question
    assert [e[1] for e in await events(db)][-2:] == ["objection", "resume"]


async def test_cancel_on_the_objections_list_changes_nothing(world: World, db: Database) -> None:
    conv = await start_call(world)
    question = conv.last_text
    logged = await events(db)

    await conv.tap("💬 Возражение")
    await conv.tap("✖️ Отмена")

    assert conv.last_text == question
    assert await events(db) == logged


@pytest.mark.parametrize(
    ("button", "saved", "kind"),
    [
        ("📝 Заметка", "📝 Заметка сохранена.", "note"),
        (
            "✍️ Нет подходящего ответа",
            "✍️ Записал для автора скрипта. Звонок на том же шаге.",
            "nofit",
        ),
    ],
)
async def test_typed_notes_are_stored_verbatim_and_the_call_stays_on_its_step(
    world: World, db: Database, button: str, saved: str, kind: str
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")
    question = conv.last_text
    text = "'); DROP TABLE calls;--"

    await conv.tap(button)
    assert "одним сообщением" in conv.last_text or "Напишите его словами" in conv.last_text
    await conv.send(text)

    shown = [m.text for m in conv.messages]
    assert saved in shown
    assert conv.last_text == question
    assert (await events(db))[-1][1:4] == (kind, "dm_intro", '{"text":"\'); DROP TABLE calls;--"}')
    async with db.connection.execute("SELECT COUNT(*) FROM calls") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] == 1


async def test_a_4000_character_note_fits_every_message_and_is_kept_whole(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    note = ("Клиент просит перезвонить после планёрки, ЛПР — Ирина. " * 80)[:4000]

    await conv.tap("📝 Заметка")
    await conv.send(note)
    await conv.tap("Не берут трубку")
    await conv.tap("🏁 Завершить: Не дозвонились")

    async with db.connection.execute("SELECT text FROM notes") as cursor:
        stored = [row[0] for row in await cursor.fetchall()]
    assert stored == [note.strip()]
    assert conv.last_text.startswith("🏁 Звонок завершён: Не дозвонились")
    assert conv.last_text.endswith("…")
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in conv.messages)


async def test_an_edited_message_is_not_taken_as_an_answer(world: World, db: Database) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)
    await conv.send("много")
    logged = await events(db)

    await conv.send_edited("1,5 млн")

    assert conv.last_text == "Правка не учтена — отправьте ответ заново."
    assert await events(db) == logged


async def test_forwarded_messages_are_never_taken_as_answers(world: World, db: Database) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)
    logged = await events(db)

    await asyncio.gather(*(conv.send_forwarded(t) for t in ("1,5 млн", "300 тыс", "2 млн")))

    assert [m.text for m in conv.messages[-3:]] == [
        "Пересланное сообщение не принято как ответ — напишите ответ сами."
    ] * 3
    assert await events(db) == logged


async def test_pause_keeps_the_call_and_resume_reopens_it_where_it_was(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await conv.tap("Соединяет")
    question = conv.last_text
    old_screen = conv.last_message.message_id

    await conv.tap("⏸ Пауза")
    assert "⏸ Звонок на паузе." in conv.last_text
    assert conv.buttons == [["▶️ Продолжить"]]
    async with db.connection.execute("SELECT status FROM calls") as cursor:
        assert [tuple(r) for r in await cursor.fetchall()] == [("paused",)]
    await conv.send("Да, слушаю")
    assert conv.last_text == "⏸ Звонок на паузе. Продолжить — /resume."

    await conv.send("/resume")
    assert conv.buttons[0] == ["▶️ #1 ООО «Северный хлеб»"]
    await conv.tap("▶️ #1 ООО «Северный хлеб»")

    assert conv.last_text == question
    assert conv.last_message.message_id != old_screen
    assert world.session.messages[(HUNTER, old_screen)].reply_markup is None
    async with db.connection.execute("SELECT status, screen_message_id FROM calls") as cursor:
        assert [tuple(r) for r in await cursor.fetchall()] == [
            ("open", conv.last_message.message_id)
        ]
    await conv.tap("Да, слушаю")
    assert "что вы производите" in conv.last_text


async def test_a_hot_lead_can_be_handed_to_managers_before_the_end(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)
    await conv.send("1,5 млн")
    await conv.tap("Решаю сам")
    await conv.send("через месяц")
    await conv.tap("Теряем деньги уже сейчас")

    assert "🚀 Лид горячий и BANT собран" in conv.last_text
    assert conv.buttons[0] == ["🚀 Передать менеджерам сейчас"]
    queries = await asyncio.gather(
        conv.tap("🚀 Передать менеджерам сейчас"), conv.tap("🚀 Передать менеджерам сейчас")
    )

    answers = sorted(str(conv.answer_for(query).get("text")) for query in queries)
    assert answers == ["Лид передан менеджерам", "Уже записано"]
    lines = conv.last_text.splitlines()
    assert lines[0] == "🏁 Звонок завершён: Квалифицирован: встреча или тест"
    assert "🚀 Передан менеджерам, не дожидаясь конца скрипта." in lines
    assert "🔥 Лид #L-1 передан менеджерам." in lines
    async with db.connection.execute(
        "SELECT l.id, l.temperature, l.lead_class, o.kind, o.payload FROM leads l"
        " JOIN outbox o ON o.lead_id = l.id"
    ) as cursor:
        rows = [tuple(r) for r in await cursor.fetchall()]
    assert rows == [(1, "hot", "a", "alert", '{"call_id":1,"handoff":true}')]


async def test_the_lead_card_stored_with_the_lead_is_the_summary(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await play(conv, TO_BUDGET)
    await conv.send("1,5 млн")
    await conv.tap("🏁 Завершить")
    await conv.tap("Квалифицирован: встреча или тест")

    async with db.connection.execute("SELECT card FROM leads") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    card = json.loads(row[0])
    assert (card["company"], card["phone"], card["outcome"]) == (
        "ООО «Северный хлеб»",
        "+74951234567",
        "qualified",
    )
    assert card["bant"][0] == {
        "dimension": "budget",
        "status": "confirmed",
        "answer": "1 500 000 ₽",
    }


async def test_continue_on_the_paused_screen_reopens_it_in_place(world: World) -> None:
    conv = await start_call(world)
    question = conv.last_text
    screen_id = conv.last_message.message_id

    await conv.tap("⏸ Пауза")
    await conv.tap("▶️ Продолжить")

    assert world.session.messages[(HUNTER, screen_id)].text == question
    assert screen_messages(conv) == {screen_id}


async def test_a_note_after_the_call_goes_on_the_summary_and_cancel_stops_typing(
    world: World, db: Database
) -> None:
    conv = await start_call(world)
    await conv.tap("Не берут трубку")
    await conv.tap("🏁 Завершить: Не дозвонились")

    await conv.tap("📝 Заметка")
    await conv.send("Перезвонить в среду")
    assert "📝 Перезвонить в среду" in conv.last_text.splitlines()
    await conv.tap("📝 Заметка")
    await conv.tap("✖️ Отмена")
    await conv.send("это уже не заметка")

    assert conv.last_text.startswith("Не понял сообщение")
    async with db.connection.execute("SELECT text FROM notes") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["Перезвонить в среду"]


async def test_a_new_call_from_the_summary_keeps_the_summary(world: World) -> None:
    conv = await start_call(world)
    await conv.tap("Не берут трубку")
    await conv.tap("🏁 Завершить: Не дозвонились")
    summary = conv.last_message

    await conv.tap("📞 Новый звонок")

    assert world.session.messages[(HUNTER, summary.message_id)].html == summary.html
    assert conv.last_message.message_id != summary.message_id
    assert conv.last_text == "Новый звонок\nВыберите скрипт:"
