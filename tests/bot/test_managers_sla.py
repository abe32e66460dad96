"""SLA: a reminder in the managers' chat when nobody claims a lead, admins told at twice it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import Flows
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.i18n import Translator
from bot.leads import SlaMarks, queue_sla_marks, run_sla_watch
from bot.outbox import OutboxRelay
from scripts.summary import CallSummary
from tests.bot.conftest import ADMIN, HUNTER, MANAGER
from tests.bot.harness import FakeSleep, World, create_lead, drain_outbox, qualified_summary

GROUP = -1001234567890


@pytest.fixture
def hot(flows: Flows) -> CallSummary:
    """Class A: claim within 15 minutes."""
    return qualified_summary(flows[("b2b_cold_call_ru", 1)])


def sent_to(world: World, chat_id: int) -> list[str]:
    """The texts of the messages sent (not edits) to a chat."""
    return [p["text"] for p in world.session.calls("sendMessage") if p["chat_id"] == chat_id]


async def check(db: Database, clock: FakeClock) -> SlaMarks:
    return await queue_sla_marks(db, now=clock.now(), chat_id=GROUP)


async def test_an_unclaimed_lead_is_reminded_at_its_sla_and_escalated_at_twice_it(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
    translator: Translator,
    settings: Settings,
) -> None:
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    [card] = world.chat(GROUP)
    created = lead.created_at

    clock.set(created + timedelta(minutes=14, seconds=59))
    assert await check(db, clock) == SlaMarks()

    clock.set(created + timedelta(minutes=15))
    assert await check(db, clock) == SlaMarks(reminders=(lead.id,))
    await drain_outbox(relay, sleep, db)
    reminder = world.chat(GROUP)[-1]
    assert reminder.text == (
        f"⏰ #L-{lead.id} · ООО «Северный хлеб» ждёт уже 15 мин (SLA 15 мин) — никто не взял.\n"
        "Кто возьмёт? Жмите «✋ Беру» в карточке."
    )
    reply = world.session.calls("sendMessage")[-1]["reply_parameters"]
    assert reply["message_id"] == card.message_id
    assert world.chat(ADMIN) == []

    clock.set(created + timedelta(minutes=29))
    assert await check(db, clock) == SlaMarks()
    clock.set(created + timedelta(minutes=30))
    assert await check(db, clock) == SlaMarks(escalations=(lead.id,))
    await drain_outbox(relay, sleep, db)
    [escalation] = world.chat(ADMIN)
    assert escalation.text == (
        f"⚠️ Лид #L-{lead.id} не взят уже 30 мин — вдвое дольше SLA (15 мин).\n"
        f"ООО «Северный хлеб». Карточка: /lead {lead.id}"
    )

    # A restart: a new relay and new checks find the marks stored and repeat nothing.
    clock.advance(timedelta(hours=2))
    assert await check(db, clock) == SlaMarks()
    restarted = OutboxRelay(
        bot=world.bot, db=db, clock=clock, translator=translator, settings=settings, sleep=sleep
    )
    await drain_outbox(restarted, sleep, db)
    assert len(sent_to(world, GROUP)) == 2
    assert len(sent_to(world, ADMIN)) == 1


async def test_a_lead_claimed_in_time_is_never_reminded(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
) -> None:
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    manager = world.group_conversation(MANAGER, GROUP, "Ольга")
    clock.advance(timedelta(minutes=10))
    await manager.click("Беру")

    clock.set(lead.created_at + timedelta(hours=1))

    assert await check(db, clock) == SlaMarks()
    await drain_outbox(relay, sleep, db)
    assert len(sent_to(world, GROUP)) == 1


async def test_a_reminder_queued_before_the_claim_is_not_sent_after_it(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
) -> None:
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    clock.set(lead.created_at + timedelta(minutes=31))
    assert await check(db, clock) == SlaMarks(reminders=(lead.id,), escalations=(lead.id,))

    await world.group_conversation(MANAGER, GROUP, "Ольга").click("Беру")
    await drain_outbox(relay, sleep, db)

    [card] = sent_to(world, GROUP)
    assert card.startswith(f"🔥 <b>Новый лид #L-{lead.id}</b>")
    assert sent_to(world, ADMIN) == []
    async with db.connection.execute("SELECT status FROM outbox ORDER BY id") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["sent", "sent", "sent"]


async def test_a_lead_without_an_alert_is_not_chased(
    world: World, db: Database, clock: FakeClock, hot: CallSummary
) -> None:
    await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=None)

    clock.advance(timedelta(days=3))

    assert await check(db, clock) == SlaMarks()


async def test_the_sla_loop_runs_on_the_clock_until_stopped(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
    settings: Settings,
) -> None:
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    stopping = asyncio.Event()
    task = asyncio.create_task(
        run_sla_watch(stopping, db=db, clock=clock, settings=settings, interval_seconds=0.01)
    )
    clock.advance(timedelta(minutes=16))

    async with asyncio.timeout(5):
        while True:
            async with db.connection.execute(
                "SELECT kind FROM outbox WHERE lead_id = ? ORDER BY id", (lead.id,)
            ) as cursor:
                kinds = [row[0] for row in await cursor.fetchall()]
            if "sla_reminder" in kinds:
                break
            await asyncio.sleep(0.01)
    stopping.set()
    await asyncio.wait_for(task, 5)

    assert kinds == ["alert", "sla_reminder"]
