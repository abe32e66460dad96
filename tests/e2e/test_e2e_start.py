"""The real bot process over HTTP: greeting, refusal, menus, clean shutdown, startup errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    E2E_TOKEN,
    HUNTER,
    BotProcess,
    bot_environment,
)
from tests.e2e.fake_api import FakeBotAPI, Fault
from tests.e2e.telegram_api import user_json

pytestmark = pytest.mark.e2e

STRANGER = 555000999


async def test_a_hunter_is_greeted_a_stranger_refused_and_sigterm_stops_cleanly(
    fake_api: FakeBotAPI, running_bot: BotProcess, tmp_path: Path
) -> None:
    hunter = user_json(HUNTER, "Анна", "Смирнова")
    stranger = user_json(STRANGER, "Kim", None, language_code="en")

    # The command menu is published in both languages before polling starts.
    languages = {r.params.get("language_code") for r in fake_api.calls("setMyCommands")}
    assert languages == {None, "ru", "en"}

    await fake_api.user_sends(hunter, "/start")
    await fake_api.wait_for("sendMessage", lambda r: r.params["chat_id"] == HUNTER)
    greeting = fake_api.last_bot_message(HUNTER)
    assert greeting.text.startswith("Здравствуйте, Анна Смирнова!")
    assert "Вы — хантер" in greeting.text
    assert greeting.buttons == [
        ["📞 Новый звонок", "▶️ Продолжить звонок"],
        ["📋 Мои звонки", "⏰ Перезвоны"],
    ]

    query_id = await fake_api.user_presses(hunter, "Мои звонки")
    await fake_api.wait_for(
        "answerCallbackQuery", lambda r: r.params["callback_query_id"] == query_id
    )
    assert fake_api.last_bot_message(HUNTER).text == "Звонков пока нет. Новый звонок — /call."

    await fake_api.user_sends(stranger, "/start")
    await fake_api.wait_for("sendMessage", lambda r: r.params["chat_id"] == STRANGER)
    assert fake_api.last_bot_message(STRANGER).text == (
        "Sorry, you don't have access to this bot.\n"
        f"To get access, send your Telegram ID to an administrator: {STRANGER}"
    )

    exit_code = await running_bot.terminate()

    output = running_bot.output
    assert exit_code == 0, output
    assert "Traceback" not in output
    assert E2E_TOKEN.split(":")[1] not in output
    # The handled updates were confirmed, so a restart does not answer them again.
    last_poll = fake_api.calls("getUpdates")[-1]
    assert last_poll.params.get("offset") == 4
    with sqlite3.connect(tmp_path / "data" / "qualibot.sqlite3") as conn:
        (strangers,) = conn.execute(
            "SELECT COUNT(*) FROM users WHERE id = ?", (STRANGER,)
        ).fetchone()
    assert strangers == 0


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # Each start costs seconds of imports; settings parsing has its own unit tests.
        ({"BOT_TOKEN": "12345:tooshort"}, "BOT_TOKEN does not look like a bot token"),
        ({"SCRIPTS_DIR": "/nonexistent/flows"}, "SCRIPTS_DIR /nonexistent/flows is not a folder"),
        ({"DATABASE_PATH": "{workdir}/taken/db.sqlite3"}, "taken is a file"),
    ],
)
async def test_a_startup_problem_exits_with_one_line_and_code_2(
    tmp_path: Path, overrides: dict[str, str], expected: str
) -> None:
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    overrides = {key: value.format(workdir=tmp_path) for key, value in overrides.items()}
    env = bot_environment("http://127.0.0.1:9", tmp_path / "data", **overrides)

    bot = await BotProcess.start(env, tmp_path)
    exit_code = await bot.wait(timeout=30)

    lines = bot.output.strip().splitlines()
    assert exit_code == 2, bot.output
    assert len(lines) == 1, bot.output
    assert lines[0].startswith("qualibot: ")
    assert expected in lines[0]
    assert "tooshort" not in lines[0]


async def test_sigterm_waits_for_an_answer_in_flight(
    fake_api: FakeBotAPI, running_bot: BotProcess
) -> None:
    hunter = user_json(HUNTER, "Анна", "Смирнова")
    fake_api.inject(Fault.slow(2.0), method="sendMessage", chat_id=HUNTER)

    await fake_api.user_sends(hunter, "/start")
    await fake_api.wait_for("sendMessage", lambda r: r.params["chat_id"] == HUNTER)
    exit_code = await running_bot.terminate()

    output = running_bot.output
    assert exit_code == 0, output
    assert output.index("Received SIGTERM") < output.index("Update id=1 is handled"), output
    assert output.index("Update id=1 is handled") < output.index("Stopped"), output
    assert fake_api.last_bot_message(HUNTER).text.startswith("Здравствуйте, Анна Смирнова!")
