"""A hunter's call through the real bot process over HTTP: a whole call from /start to the
summary, and calls that survive a restart (SIGTERM) and a crash (SIGKILL) mid-way.

The fake Bot API rejects anything Telegram would (bad HTML, texts over 4096 characters,
callback data over 64 bytes), and the fixture fails the test on any rejection.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    HUNTER,
    MANAGERS_CHAT,
    STARTUP_SECONDS,
    BotProcess,
    bot_environment,
)
from tests.e2e.fake_api import ChatMessage, FakeBotAPI, Fault, Request
from tests.e2e.telegram_api import iter_buttons, user_json

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 15.0
RU_COLD = "Холодный звонок: упаковка для производств"


class Hunter:
    """A hunter in their private chat with the bot, waiting for each reply like a person."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self.user = user_json(HUNTER, "Анна", "Смирнова")

    @property
    def screen(self) -> ChatMessage:
        """The latest call screen in the chat (edits applied)."""
        screens = [m for m in self.api.messages(HUNTER) if m.from_bot and "· шаг" in m.text]
        assert screens, "no call screen in the chat"
        return screens[-1]

    @property
    def last(self) -> ChatMessage:
        """The message the bot sent or edited last (the call screen is edited in place)."""
        for request in reversed(self.api.requests):
            if not _shows_in(request, HUNTER):
                continue
            if request.method == "sendMessage":
                break
            edited = request.params["message_id"]
            return next(m for m in self.api.messages(HUNTER) if m.message_id == edited)
        return self.api.last_bot_message(HUNTER)

    async def send(self, text: str) -> None:
        """Type a message and wait for the bot to send or edit something in reply."""
        after = len(self.api.requests)
        await self.api.user_sends(self.user, text)
        await self._until(lambda r: _shows_in(r, HUNTER), after)

    async def tap(self, label: str, *, on: ChatMessage | None = None) -> str:
        """Press the button labelled exactly `label`; returns the answer the press got."""
        shown, data = self._button(label, on)
        after = len(self.api.requests)
        query = await self.api.press(self.user, shown, data)
        answer = await self._until(
            lambda r: r.method == "answerCallbackQuery" and r.params["callback_query_id"] == query,
            after,
        )
        # The screen is redrawn after the answer; give the bot the time to do it.
        await self._until(lambda r: _shows_in(r, HUNTER), after, required=False)
        return str(answer.params.get("text") or "")

    def _button(self, label: str, on: ChatMessage | None) -> tuple[ChatMessage, str]:
        candidates = [on] if on is not None else reversed(self.api.messages(HUNTER))
        for shown in candidates:
            for button in iter_buttons(shown.reply_markup):
                if button["text"] == label:
                    return shown, str(button["callback_data"])
        raise AssertionError(f"no button {label!r}; screen: {self.last.text!r}")

    async def _until(
        self, found: Callable[[Request], bool], after: int, *, required: bool = True
    ) -> Request:
        deadline = time.monotonic() + (WAIT_SECONDS if required else 2.0)
        while time.monotonic() < deadline:
            match = next((r for r in self.api.requests[after:] if found(r)), None)
            if match is not None and match.status != 0:
                return match
            await asyncio.sleep(0.02)
        if required:
            raise AssertionError(f"the bot did not answer; last: {self.last.text!r}")
        return Request("none", {})


def _shows_in(request: Request, chat_id: int) -> bool:
    return (
        request.method in {"sendMessage", "editMessageText"}
        and request.params.get("chat_id") == chat_id
        and request.status == 200
    )


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


@asynccontextmanager
async def bot_process(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """Another start of the bot on the same database; stopped at the end."""
    polls = len(api.calls("getUpdates"))
    bot = await BotProcess.start(bot_environment(api.url, tmp_path / "data"), tmp_path)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(api.calls("getUpdates")) <= polls:
            if time.monotonic() > deadline or bot.process.returncode is not None:
                raise AssertionError(f"the bot did not start polling:\n{bot.output}")
            await asyncio.sleep(0.05)
        yield bot
    finally:
        if bot.process.returncode is None:
            await bot.terminate()


CARD = ("ООО «Северный хлеб»", "Ирина Соколова", "+7 495 123-45-67")


async def open_call(hunter: Hunter) -> None:
    await hunter.send("/start")
    await hunter.tap("📞 Новый звонок")
    await hunter.tap(RU_COLD)
    for value in CARD:
        await hunter.send(value)
    await hunter.tap("Холодная база")


async def test_a_whole_call_from_start_to_the_summary(
    fake_api: FakeBotAPI, running_bot: BotProcess, tmp_path: Path
) -> None:
    hunter = Hunter(fake_api)

    await open_call(hunter)
    assert hunter.screen.text.startswith("ООО «Северный хлеб» · шаг 1/12")
    for label in ("Соединяет", "Да, слушаю", "Пищевое"):
        await hunter.tap(label)
    await hunter.send("много")
    assert hunter.last.text.startswith("⚠️ Не понял число.")
    await hunter.send("250")
    await hunter.tap("Один постоянный")
    await hunter.tap("Срывают сроки")
    await hunter.send("1,5 млн")
    await hunter.tap("Решаю сам")
    await hunter.send("через месяц")
    await hunter.tap("Теряем деньги уже сейчас")
    await hunter.tap("Сроки поставки")
    await hunter.tap("Встреча назначена")
    answer = await hunter.tap("🏁 Завершить: Квалифицирован: встреча или тест")

    assert answer == "Звонок завершён"
    summary = hunter.last.text.splitlines()
    assert summary[:2] == [
        "🏁 Звонок завершён: Квалифицирован: встреча или тест",
        "ООО «Северный хлеб»",
    ]
    assert "📊 100/100 · 🔥 горячий · BANT ✅✅✅✅ · ЛПР ✅" in summary
    assert "🔥 Лид #L-1 передан менеджерам." in summary
    database = tmp_path / "data" / "qualibot.sqlite3"
    assert rows(database, "SELECT status, outcome FROM calls") == [("finished", "qualified")]
    assert rows(database, "SELECT lead_id, kind, chat_id FROM outbox") == [
        (1, "alert", MANAGERS_CHAT)
    ]
    screens = {m.message_id for m in fake_api.messages(HUNTER) if m.from_bot and "шаг" in m.html}
    assert len(screens) <= 1, "the call screen is one message edited in place"
    assert fake_api.rejections == []


async def test_a_restart_mid_call_continues_where_it_was(
    fake_api: FakeBotAPI, running_bot: BotProcess, tmp_path: Path
) -> None:
    hunter = Hunter(fake_api)
    database = tmp_path / "data" / "qualibot.sqlite3"
    await open_call(hunter)
    for label in ("Соединяет", "Да, слушаю", "Пищевое"):
        await hunter.tap(label)

    assert await running_bot.terminate() == 0
    async with bot_process(fake_api, tmp_path):
        assert "А сколько у вас примерно человек" in hunter.screen.text
        await hunter.send("250")  # typed: the conversation state survived too
        await hunter.tap("Один постоянный")

        assert "Что в нынешних поставках хотелось бы улучшить" in hunter.screen.text
    assert rows(database, "SELECT seq, kind, step FROM call_events") == [
        (1, "card", "gatekeeper"),
        (2, "answer", "gatekeeper"),
        (3, "answer", "dm_intro"),
        (4, "answer", "industry"),
        (5, "input", "employees"),
        (6, "answer", "situation"),
    ]


async def test_a_crash_mid_call_loses_no_answer_and_the_next_press_shows_the_current_question(
    fake_api: FakeBotAPI, running_bot: BotProcess, tmp_path: Path
) -> None:
    hunter = Hunter(fake_api)
    database = tmp_path / "data" / "qualibot.sqlite3"
    await open_call(hunter)
    await hunter.tap("Соединяет")
    old_screen = hunter.screen
    # The answer is saved and the press answered, then the bot dies while redrawing.
    fake_api.inject(
        Fault(status=502, description="Bad Gateway", delay_seconds=5),
        method="editMessageText",
        chat_id=HUNTER,
    )
    pressed_at = len(fake_api.requests)
    answer = await hunter.tap("Да, слушаю")
    assert answer == ""
    # The next poll confirms the press, so the restarted bot is not handed it again.
    await fake_api.wait_for("getUpdates", after=pressed_at)
    running_bot.process.kill()
    await running_bot.process.wait()
    await running_bot.terminate()

    assert rows(database, "SELECT seq, kind, step FROM call_events")[-1] == (
        3,
        "answer",
        "dm_intro",
    )
    assert "Вы отвечаете за закупку упаковки?" in hunter.screen.text  # the redraw never came
    async with bot_process(fake_api, tmp_path):
        answer = await hunter.tap("Да, слушаю", on=old_screen)
        assert answer == "Уже записано"
        assert "что вы производите" in hunter.screen.text
        await hunter.tap("Пищевое")
        await hunter.send("250")

        assert "Как сейчас закупаете упаковку" in hunter.screen.text
    assert [row[1] for row in rows(database, "SELECT seq, kind FROM call_events")] == [
        "card",
        "answer",
        "answer",
        "answer",
        "input",
    ]
