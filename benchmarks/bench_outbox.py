"""The managers' side's own costs: rendering a card, relay bookkeeping per alert, a claim race.

Run: `.venv/bin/python -m benchmarks.bench_outbox`. Telegram is replaced by an in-memory
session that answers at once and pacing is switched off, so the figures are the bot's own
cost (rendering, SQLite with synchronous=FULL, edits) per alert, not Telegram's limits.
Figures are printed, never asserted: the machine is shared.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.alerts import render_alert
from bot.app import seed_roles
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, NewLead, Role
from bot.i18n import Translator
from bot.leads import claim_lead, load_view
from bot.outbox import OutboxRelay, RelayPolicy
from bot.repositories import CallsRepo, LeadsRepo, UsersRepo
from scripts.engine import engine_for
from scripts.loader import load_flows
from scripts.summary import CallSummary, summarize

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-for-offline-use-only"  # noqa: S105 - a fake, never sent anywhere
GROUP = -1001234567890
ALERTS = 300
RACERS = 20
UNPACED = RelayPolicy(
    group_per_minute=10**9, group_burst=10**6, global_per_second=1e9, global_burst=10**6
)


class NullSession(BaseSession):
    """A Bot API that accepts everything at once."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = 0

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature BaseSession defines
    ) -> TelegramType:
        self._ids += 1
        chat = {"id": GROUP, "type": "supergroup", "title": "Group"}
        result: Any = {"message_id": self._ids, "date": 0, "chat": chat, "text": "x"}
        if method.__api_method__ not in {"sendMessage", "editMessageText"}:
            result = True
        return self.check_response(
            bot, method, 200, self.json_dumps({"ok": True, "result": result})
        ).result  # type: ignore[return-value]

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        raise NotImplementedError


def summary() -> CallSummary:
    """A real qualified call's summary from the shipped Russian cold-call flow."""
    flow = load_flows(ROOT / "scripts" / "flows")[("b2b_cold_call_ru", 1)]
    engine = engine_for(flow)
    now = datetime(2025, 3, 3, 9, tzinfo=UTC)
    card = {"company": "ООО «Северный хлеб»", "contact_name": "Ирина", "phone": "+74951234567"}
    result = engine.start(card, now=now)
    for kind, text in (
        ("tap", "Соединяет"),
        ("tap", "Да, слушаю"),
        ("tap", "Пищевое"),
        ("type", "250"),
        ("tap", "Один постоянный"),
        ("tap", "Срывают сроки"),
        ("type", "1,5 млн"),
        ("tap", "Решаю сам"),
        ("type", "через месяц"),
        ("tap", "Теряем деньги уже сейчас"),
        ("tap", "Сроки поставки"),
        ("tap", "Встреча назначена"),
    ):
        if kind == "tap":
            labels = {label: answer for answer, label in result.screen.answers}
            result = engine.answer(result.state, labels[text], now=now)
        else:
            result = engine.submit(result.state, text, now=now)
    reached = result.screen.reached_outcome
    assert reached is not None
    return summarize(engine, engine.finish(result.state, reached.id, now=now).state)


async def add_leads(db: Database, clock: FakeClock, card: CallSummary, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        async with db.transaction() as conn:
            call = await CallsRepo(conn).create(
                hunter_id=1001, flow_id=card.flow_id, flow_version=1, chat_id=1001, now=clock.now()
            )
            lead = await LeadsRepo(conn).create(
                NewLead(
                    call.id,
                    1001,
                    card.flow_id,
                    1,
                    card.score,
                    card.temperature,
                    card.lead_class,
                    card.probability,
                    card.expected_value,
                    card.currency,
                    card.to_json(),
                ),
                now=clock.now(),
                alert_chat_id=GROUP,
            )
            ids.append(lead.id)
    return ids


async def main() -> None:
    translator = Translator.from_directory()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        BOT_TOKEN=TOKEN,
        HUNTER_IDS="1001",
        MANAGER_IDS="2001",
        MANAGER_CHAT_ID=str(GROUP),
    )
    card = summary()
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        clock = FakeClock()
        await seed_roles(db, settings, clock)
        async with db.transaction() as conn:
            for manager in range(2001, 2001 + RACERS):
                await UsersRepo(conn).grant(
                    manager, Role.MANAGER, granted_by=None, now=clock.now()
                )
        bot = Bot(TOKEN, session=NullSession(), default=DefaultBotProperties(parse_mode="HTML"))

        [lead_id] = await add_leads(db, clock, card, 1)
        view = await load_view(db.connection, lead_id)
        assert view is not None
        t = translator.bind("ru")
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            render_alert(view, t, settings.zone)
            samples.append(time.perf_counter() - started)
        print(f"render a card: median {statistics.median(samples) * 1e6:.0f} µs")

        await add_leads(db, clock, card, ALERTS - 1)
        relay = OutboxRelay(
            bot=bot, db=db, clock=clock, translator=translator, settings=settings, policy=UNPACED
        )
        started = time.perf_counter()
        await relay.deliver_due()
        await relay.deliver_due()
        elapsed = time.perf_counter() - started
        async with db.connection.execute("SELECT COUNT(*) FROM outbox WHERE status='sent'") as c:
            row = await c.fetchone()
        sent = row[0] if row else 0
        print(
            f"relay: {sent} alerts rendered, sent and marked in {elapsed:.2f} s"
            f" = {sent / elapsed:.0f} alerts/s ({elapsed / sent * 1e3:.1f} ms each)"
        )

        [race] = await add_leads(db, clock, card, 1)
        managers = [
            Account(i, f"M{i}", None, None, frozenset({Role.MANAGER}), clock.now())
            for i in range(2001, 2001 + RACERS)
        ]
        started = time.perf_counter()
        results = await asyncio.gather(
            *(claim_lead(db, race, m, now=clock.now()) for m in managers)
        )
        elapsed = time.perf_counter() - started
        winners = sum(result.done for result in results)
        print(
            f"claim race: {RACERS} managers at once -> {winners} owner,"
            f" all answered in {elapsed * 1e3:.0f} ms"
        )
        await bot.session.close()
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
