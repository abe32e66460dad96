"""The managers' side at volume: lists show their true total, SLA marks reach new leads behind
hundreds of stale ones, the SLA counts from delivery, and a private copy that dies is reported."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.app import Flows
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database, to_db_time
from bot.domain import Lead, Role
from bot.leads import LeadExtrasRepo, SlaMarks, queue_sla_marks
from bot.outbox import OutboxRelay
from bot.repositories import LeadsRepo, UsersRepo
from scripts.summary import CallSummary
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, SettingsFactory
from tests.bot.harness import FakeSleep, World, create_lead, drain_outbox, qualified_summary

GROUP = -1001234567890
PAVEL = 2003


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(MANAGER_IDS=f"{MANAGER},{PAVEL}")


@pytest.fixture
def hot(flows: Flows) -> CallSummary:
    """Class A: claim within 15 minutes."""
    return qualified_summary(flows[("b2b_cold_call_ru", 1)])


async def check(db: Database, clock: FakeClock) -> SlaMarks:
    return await queue_sla_marks(db, now=clock.now(), chat_id=GROUP)


async def clone_stale_leads(
    db: Database, model: Lead, count: int, *, alerted_at: datetime, marked: bool
) -> list[int]:
    """`count` copies of a lead (each with its own call), alerted long ago; `marked`: already
    reminded and escalated. Written in bulk, as a busy team's backlog would be."""
    async with db.transaction() as conn:

        async def columns(table: str, *skip: str) -> str:
            async with conn.execute(f"PRAGMA table_info({table})") as cursor:
                names = [row[1] for row in await cursor.fetchall()]
            return ", ".join(name for name in names if name not in skip)

        call_columns = await columns("calls", "id")
        lead_columns = await columns("leads", "id", "call_id")
        at = to_db_time(alerted_at)
        kinds = ["alert"] + (["sla_reminder", f"sla_escalation:{ADMIN}"] if marked else [])
        ids = []
        for _ in range(count):
            call = await conn.execute(
                f"INSERT INTO calls ({call_columns}) SELECT {call_columns} FROM calls"  # noqa: S608
                " WHERE id = ?",
                (model.call_id,),
            )
            lead = await conn.execute(
                f"INSERT INTO leads (call_id, {lead_columns}) SELECT ?, {lead_columns}"  # noqa: S608
                " FROM leads WHERE id = ?",
                (call.lastrowid, model.id),
            )
            assert lead.lastrowid is not None
            ids.append(lead.lastrowid)
            await conn.executemany(
                "INSERT INTO outbox (lead_id, kind, chat_id, status, next_attempt_at,"
                " created_at, sent_at) VALUES (?, ?, ?, 'sent', ?, ?, ?)",
                [(lead.lastrowid, kind, GROUP, at, at, at) for kind in kinds],
            )
    return ids


# --- /leads counts everything it matches ---------------------------------------------------------


@pytest.mark.parametrize(
    ("leads", "title", "lines", "more"),
    [
        (3, "Лиды: Открытые (3)", 3, None),
        (20, "Лиды: Открытые (20)", 20, None),
        (25, "Лиды: Открытые (25)", 20, "… и ещё 5 — полный список: /export"),
    ],
)
async def test_the_lead_list_title_counts_every_open_lead_and_says_how_many_are_left_out(
    world: World,
    db: Database,
    clock: FakeClock,
    hot: CallSummary,
    leads: int,
    title: str,
    lines: int,
    more: str | None,
) -> None:
    created = []
    for _ in range(leads):
        created.append(
            await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
        )
        clock.advance(timedelta(minutes=1))
    olga = world.conversation(MANAGER, "Ольга", "Кузнецова")

    await olga.send("/leads")

    shown = olga.last_text.splitlines()
    assert shown[0] == title
    listed = [line for line in shown if "#L-" in line]
    assert len(listed) == lines
    assert f"#L-{created[-1].id} " in listed[0]  # the newest first
    assert (more in shown) if more else not any(line.startswith("…") for line in shown)


# --- SLA at volume -------------------------------------------------------------------------------


async def test_a_new_lead_is_reminded_and_escalated_behind_600_stale_ones(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
) -> None:
    model = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=None)
    await clone_stale_leads(
        db, model, 600, alerted_at=clock.now() - timedelta(hours=3), marked=True
    )
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)

    waiting = await LeadExtrasRepo(db.connection).awaiting_sla_marks(
        reminders=True, escalations=True
    )
    assert [w.lead_id for w in waiting] == [lead.id]
    clock.set(lead.created_at + timedelta(minutes=15))
    assert await check(db, clock) == SlaMarks(reminders=(lead.id,))
    clock.set(lead.created_at + timedelta(minutes=30))
    assert await check(db, clock) == SlaMarks(escalations=(lead.id,))
    await drain_outbox(relay, sleep, db)
    assert [m.text.splitlines()[0] for m in world.chat(ADMIN)] == [
        f"⚠️ Лид #L-{lead.id} не взят уже 30 мин — вдвое дольше SLA (15 мин)."
    ]


async def test_600_leads_nobody_chased_yet_are_all_marked_in_one_check(
    db: Database, clock: FakeClock, relay: OutboxRelay, sleep: FakeSleep, hot: CallSummary
) -> None:
    model = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=None)
    stale = await clone_stale_leads(
        db, model, 600, alerted_at=clock.now() - timedelta(hours=3), marked=False
    )
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    clock.set(lead.created_at + timedelta(minutes=15))

    marks = await check(db, clock)

    assert marks.reminders == (*stale, lead.id)
    assert marks.escalations == tuple(stale)
    clock.advance(timedelta(minutes=1))
    assert await check(db, clock) == SlaMarks()


# --- the SLA starts when the alert is delivered --------------------------------------------------


async def test_a_lead_held_back_by_flood_control_is_reminded_sla_after_its_delivery(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
) -> None:
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1200",
        parameters={"retry_after": 1200},
    )
    await relay.deliver_due()

    clock.set(lead.created_at + timedelta(minutes=16))
    assert await check(db, clock) == SlaMarks()  # nobody has seen the lead yet

    clock.set(lead.created_at + timedelta(minutes=20))
    await drain_outbox(relay, sleep, db)
    assert len(world.chat(GROUP)) == 1
    delivered = clock.now()
    clock.set(delivered + timedelta(minutes=14, seconds=59))
    assert await check(db, clock) == SlaMarks()
    clock.set(delivered + timedelta(minutes=15))
    assert await check(db, clock) == SlaMarks(reminders=(lead.id,))
    await drain_outbox(relay, sleep, db)
    assert world.chat(GROUP)[-1].text.splitlines()[0] == (
        f"⏰ #L-{lead.id} · ООО «Северный хлеб» ждёт уже 15 мин (SLA 15 мин) — никто не взял."
    )


async def test_a_lead_that_came_in_a_digest_is_reminded_to_open_it_from_the_digest(
    world: World,
    db: Database,
    clock: FakeClock,
    relay: OutboxRelay,
    sleep: FakeSleep,
    hot: CallSummary,
) -> None:
    leads = [
        await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
        for _ in range(10)
    ]
    await drain_outbox(relay, sleep, db)
    digest = next(m for m in world.chat(GROUP) if "новых лидов" in m.text)
    in_digest = next(lead for lead in leads if f"#L-{lead.id} " in digest.text)
    others = [lead.id for lead in leads if lead is not in_digest]
    async with db.transaction() as conn:
        for other in others:
            assert await LeadsRepo(conn).claim(other, MANAGER, now=clock.now())
    clock.advance(timedelta(minutes=16))

    assert await check(db, clock) == SlaMarks(reminders=(in_digest.id,))
    await drain_outbox(relay, sleep, db)

    reminder = world.chat(GROUP)[-1]
    assert reminder.text == (
        f"⏰ #L-{in_digest.id} · ООО «Северный хлеб» ждёт уже 16 мин (SLA 15 мин) — никто не взял."
        f"\nЛид пришёл в сводке: откройте его кнопкой в сводке или командой /lead {in_digest.id}"
        " и жмите «✋ Беру»."
    )
    reply = world.session.calls("sendMessage")[-1]["reply_parameters"]
    assert reply["message_id"] == digest.message_id


# --- a private copy that never arrives -----------------------------------------------------------


async def test_a_dead_private_copy_is_reported_and_the_lead_is_anyones_again(
    world: World,
    db: Database,
    relay: OutboxRelay,
    sleep: FakeSleep,
    clock: FakeClock,
    hot: CallSummary,
) -> None:
    olga = world.conversation(MANAGER, "Ольга", "Кузнецова")
    await olga.send("/shift on")
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await relay.deliver_due()
    [card] = world.chat(GROUP)
    assert "По очереди назначен: Ольга Кузнецова" in card.text
    world.session.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )

    await drain_outbox(relay, sleep, db)

    [report] = world.chat(ADMIN)
    assert report.text == (
        f"🚨 Лид #L-{lead.id} не дошёл до Ольга Кузнецова (назначен по очереди смены):"
        " Forbidden: bot was blocked by the user\n"
        "Назначение снято, лид снова ждёт в чате менеджеров (ООО «Северный хлеб»):"
        f" /lead {lead.id}"
    )
    assigned_to, _ = await LeadExtrasRepo(db.connection).extras(lead.id)
    assert assigned_to is None
    redrawn = world.chat(GROUP)[-1]  # the card, edited in place
    assert redrawn.message_id == card.message_id
    assert redrawn.text.endswith("⏳ Взять в течение 15 мин")


async def test_an_escalation_that_dies_is_reported_to_the_other_admins(
    world: World,
    db: Database,
    relay: OutboxRelay,
    sleep: FakeSleep,
    clock: FakeClock,
    hot: CallSummary,
    make_settings: SettingsFactory,
) -> None:
    other_admin = 4005
    await world.conversation(other_admin, "Ирина").send("/start")
    async with db.transaction() as conn:
        await UsersRepo(conn).grant(other_admin, Role.ADMIN, granted_by=None, now=clock.now())
    lead = await create_lead(db, clock.now(), hot, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(relay, sleep, db)
    clock.advance(timedelta(minutes=30))
    # Without a managers' chat only the escalations are queued, the first admin's first.
    assert await queue_sla_marks(db, now=clock.now(), chat_id=None) == SlaMarks(
        escalations=(lead.id,)
    )
    world.session.fail_next("sendMessage", error_code=403, description="Forbidden: blocked")

    await drain_outbox(relay, sleep, db)

    texts = [m.text.splitlines()[0] for m in world.chat(other_admin)]
    assert f"🚨 Напоминание о лиде #L-{lead.id} не дошло до {ADMIN}: Forbidden: blocked" in texts
