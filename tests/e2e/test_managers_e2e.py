"""The real bot against the fake Bot API: alerts to the managers' chat, claims, faults, restarts.

Leads are committed to the bot's database by this test process, exactly as a finished call
commits them (lead and outbox row in one transaction); the running bot's relay finds and
delivers them. Times are real: pacing and retry delays are measured on the fake API's clock.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database
from bot.domain import Lead
from scripts.loader import load_flows
from scripts.summary import CallSummary
from tests.bot.harness import create_lead, qualified_summary
from tests.e2e.conftest import (
    ADMIN,
    HUNTER,
    MANAGER,
    MANAGERS_CHAT,
    ROOT,
    STARTUP_SECONDS,
    BotProcess,
    bot_environment,
)
from tests.e2e.fake_api import FakeBotAPI, Fault, Request
from tests.e2e.telegram_api import user_json

pytestmark = pytest.mark.e2e

SECOND_MANAGER = 111004
SUPERGROUP = -1002000000002
OLGA = user_json(MANAGER, "Ольга", "Кузнецова")
PAVEL = user_json(SECOND_MANAGER, "Павел", "Орлов")


@pytest.fixture(scope="module")
def summary() -> CallSummary:
    flows = load_flows(ROOT / "scripts" / "flows")
    return qualified_summary(flows[("b2b_cold_call_ru", 1)])


class Team:
    """The bot process, its database (as a second writer) and the fake API."""

    def __init__(self, api: FakeBotAPI, workdir: Path) -> None:
        self.api = api
        self.workdir = workdir
        self.env = bot_environment(
            api.url, workdir / "data", MANAGER_IDS=f"{MANAGER},{SECOND_MANAGER}"
        )
        self.bot: BotProcess | None = None

    @property
    def db_path(self) -> Path:
        return self.workdir / "data" / "qualibot.sqlite3"

    async def start(self) -> BotProcess:
        polls = len(self.api.calls("getUpdates"))
        self.bot = await BotProcess.start(self.env, self.workdir)
        try:
            await self.api.wait_for(
                "getUpdates", after=self._index(polls), timeout=STARTUP_SECONDS
            )
        except TimeoutError:
            raise AssertionError(f"the bot did not start:\n{self.bot.output}") from None
        return self.bot

    def _index(self, polls: int) -> int:
        seen = 0
        for index, request in enumerate(self.api.requests):
            if request.method == "getUpdates":
                seen += 1
                if seen > polls:
                    return index
        return len(self.api.requests)

    async def stop(self) -> str:
        assert self.bot is not None
        code = await self.bot.terminate()
        output = self.bot.output
        assert code == 0, output
        assert "Traceback" not in output, output
        return output

    async def leads(self, summaries: list[CallSummary]) -> list[Lead]:
        """Commit leads with their alerts, as finished calls do, in one transaction each."""
        created = []
        async with await Database.open(self.db_path) as db:
            for item in summaries:
                created.append(
                    await create_lead(
                        db,
                        datetime.now(UTC),
                        item,
                        hunter_id=HUNTER,
                        alert_chat_id=MANAGERS_CHAT,
                    )
                )
        return created

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as conn:
            return list(conn.execute(sql, params))

    def sends(self, chat_id: int) -> list[Request]:
        return [r for r in self.api.calls("sendMessage") if r.params.get("chat_id") == chat_id]


@pytest.fixture
async def team(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Team]:
    crew = Team(fake_api, tmp_path)
    try:
        yield crew
    finally:
        if crew.bot is not None and crew.bot.process.returncode is None:
            await crew.bot.terminate()


async def wait_until(condition: Any, timeout: float = 20.0, what: str = "") -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.05)


async def test_an_alert_arrives_one_claim_wins_and_the_owner_marks_the_deal_won(
    team: Team, summary: CallSummary
) -> None:
    api = team.api
    await team.start()
    [lead] = await team.leads([summary])

    await api.wait_for("sendMessage", lambda r: r.params["chat_id"] == MANAGERS_CHAT)
    card = api.last_bot_message(MANAGERS_CHAT)
    assert card.text.startswith(f"🔥 Новый лид #L-{lead.id} · горячий")
    for expected in ("ООО «Северный хлеб»", "📞 +74951234567", "✅ Полномочия: Решаю сам"):
        assert expected in card.text
    assert card.buttons == [["✋ Беру", "↪️ Передать коллеге"], ["🚫 Не целевой", "ℹ️ Подробнее"]]

    claim = card.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    queries = {
        MANAGER: await api.press(OLGA, card, claim),
        SECOND_MANAGER: await api.press(PAVEL, card, claim),
    }
    answers = {}
    for user_id, query in queries.items():
        answered = await api.wait_for(
            "answerCallbackQuery", lambda r, q=query: r.params["callback_query_id"] == q
        )
        answers[user_id] = answered.params.get("text")
    [(owner,)] = team.rows("SELECT owner_id FROM leads WHERE id = ?", (lead.id,))
    loser = SECOND_MANAGER if owner == MANAGER else MANAGER
    owner_name = "Ольга Кузнецова" if owner == MANAGER else "Павел Орлов"
    assert answers[owner] == f"✅ Лид #L-{lead.id} ваш"
    assert answers[loser] == f"Уже взял {owner_name}"
    await wait_until(lambda: f"✋ Взял {owner_name}" in api.messages(MANAGERS_CHAT)[0].text)

    winner = OLGA if owner == MANAGER else PAVEL
    await api.user_presses(winner, "Выиграли", chat_id=MANAGERS_CHAT)
    await api.wait_for("sendMessage", lambda r: r.params["chat_id"] == owner)
    await api.user_sends(winner, "1,5 млн")
    await api.wait_for(
        "sendMessage", lambda r: r.params["chat_id"] == owner and "выигран" in r.params["text"]
    )
    assert team.rows(
        "SELECT status, outcome_amount_minor FROM leads WHERE id = ?", (lead.id,)
    ) == [("won", 150_000_000)]
    await wait_until(lambda: "🏆 Выигран · 1 500 000 ₽" in api.messages(MANAGERS_CHAT)[0].text)
    await team.stop()


async def test_flood_control_server_errors_and_a_dropped_connection_are_survived(
    team: Team, summary: CallSummary
) -> None:
    api = team.api
    api.inject(Fault.retry_after(3), method="sendMessage", chat_id=MANAGERS_CHAT)
    api.inject(Fault.server_error(), method="sendMessage", chat_id=MANAGERS_CHAT, times=2)
    api.inject(Fault.drop(), method="sendMessage", chat_id=MANAGERS_CHAT)
    await team.start()

    leads = await team.leads([summary, summary])
    await wait_until(lambda: sum(r.status == 200 for r in team.sends(MANAGERS_CHAT)) == 2)

    tries = team.sends(MANAGERS_CHAT)
    assert [r.status for r in tries] == [429, 500, 500, 0, 200, 200]
    # Nothing went to the chat within retry_after of the 429.
    assert tries[1].at - tries[0].at >= 3.0
    assert tries[2].at > tries[1].at
    texts = [m.text.split("\n")[0] for m in api.messages(MANAGERS_CHAT)]
    assert sorted(texts) == sorted(f"🔥 Новый лид #L-{lead.id} · горячий" for lead in leads)
    sent = [("sent",), ("sent",)]
    await wait_until(lambda: team.rows("SELECT status FROM outbox ORDER BY id") == sent)
    await team.stop()


async def test_a_chat_the_bot_was_removed_from_is_dead_after_one_try_and_admins_are_told(
    team: Team, summary: CallSummary
) -> None:
    api = team.api
    api.inject(Fault.forbidden(), method="sendMessage", chat_id=MANAGERS_CHAT)
    await team.start()

    [lead] = await team.leads([summary])
    report = await api.wait_for("sendMessage", lambda r: r.params["chat_id"] == ADMIN)
    hunter = user_json(HUNTER, "Анна", "Смирнова")
    asked = time.monotonic()
    await api.user_sends(hunter, "/start")
    await api.wait_for("sendMessage", lambda r: r.params["chat_id"] == HUNTER)

    assert time.monotonic() - asked < 5
    assert f"Алерт #L-{lead.id} не доставлен" in report.params["text"]
    assert [r.status for r in team.sends(MANAGERS_CHAT)] == [403]
    await wait_until(
        lambda: (
            team.rows("SELECT status, attempts FROM outbox WHERE kind = 'alert'") == [("dead", 1)]
        )
    )
    assert team.rows("SELECT status FROM leads") == [("new",)]
    output = await team.stop()
    assert "undeliverable" in output


async def test_a_group_upgraded_to_a_supergroup_is_followed_to_its_new_id(
    team: Team, summary: CallSummary
) -> None:
    api = team.api
    api.inject(Fault.migrate(SUPERGROUP), method="sendMessage", chat_id=MANAGERS_CHAT)
    await team.start()

    await team.leads([summary])
    await api.wait_for("sendMessage", lambda r: r.params["chat_id"] == SUPERGROUP)
    await team.leads([summary])
    await wait_until(lambda: len(team.sends(SUPERGROUP)) == 2)

    assert [r.status for r in team.sends(MANAGERS_CHAT)] == [400]
    assert team.rows("SELECT old_chat_id, new_chat_id FROM chat_migrations") == [
        (MANAGERS_CHAT, SUPERGROUP)
    ]
    await team.stop()


async def test_a_burst_of_30_leads_is_delivered_within_the_group_limit_hot_first(
    team: Team, summary: CallSummary
) -> None:
    api = team.api
    await team.start()
    temperatures = ["warm", "cold", "hot"] * 10
    summaries = [
        dataclasses.replace(summary, company=f"Компания {i + 1}", temperature=t)
        for i, t in enumerate(temperatures)
    ]

    leads = await team.leads(summaries)
    refs = [f"#L-{lead.id}" for lead in leads]
    await wait_until(
        lambda: all(
            any(ref + " " in m.text or m.text.endswith(ref) for m in api.messages(MANAGERS_CHAT))
            for ref in refs
        ),
        timeout=60,
        what="all 30 references in the managers' chat",
    )

    sends = team.sends(MANAGERS_CHAT)
    assert all(r.status == 200 for r in sends)  # never a 429 from Telegram
    for first in sends:
        assert sum(first.at <= r.at < first.at + 60 for r in sends) <= 20
    first_text = api.messages(MANAGERS_CHAT)[0].text
    hot_refs = [ref for ref, t in zip(refs, temperatures, strict=True) if t == "hot"]
    assert any(first_text.startswith(f"🔥 Новый лид {ref} ") for ref in hot_refs), first_text
    await wait_until(
        lambda: team.rows("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == [(30,)]
    )
    await team.stop()


async def test_pending_alerts_survive_a_restart_without_duplicates(
    team: Team, summary: CallSummary
) -> None:
    api = team.api
    await team.start()
    [first] = await team.leads([summary])
    await api.wait_for("sendMessage", lambda r: r.params["chat_id"] == MANAGERS_CHAT)
    await team.stop()

    # Leads committed while the bot is down (a crash after commit, before any send).
    later = await team.leads([summary, summary])
    await team.start()
    await wait_until(lambda: len(team.sends(MANAGERS_CHAT)) == 3)
    await asyncio.sleep(2.5)  # a couple more relay rounds: nothing is sent twice

    firsts = [m.text.split("\n")[0] for m in api.messages(MANAGERS_CHAT)]
    assert firsts == [f"🔥 Новый лид #L-{lead.id} · горячий" for lead in [first, *later]]

    # A second process (the export command) reads the same database while the bot runs.
    export = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "export",
        cwd=team.workdir,
        env=team.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(export.communicate(), 60)
    assert export.returncode == 0, err.decode()
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows] == ["Лид", "#L-1", "#L-2", "#L-3"]
    await team.stop()


async def test_an_export_is_uploaded_as_a_file(team: Team, summary: CallSummary) -> None:
    await team.start()
    await team.leads([summary])

    await team.api.user_sends(OLGA, "/export")
    upload = await team.api.wait_for("sendDocument", lambda r: r.params["chat_id"] == MANAGER)

    # Multipart: the document names the part that holds the file.
    part = upload.params["document"].removeprefix("attach://")
    assert upload.params[part] == "<file>"
    assert upload.params["caption"].startswith("📤 Лиды — ")
    assert ": 1 шт." in upload.params["caption"]
    await team.stop()
