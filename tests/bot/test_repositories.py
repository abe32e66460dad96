"""Repositories on real SQL: what each use case writes and reads back."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.domain import CallStatus, LeadStatus, NewLead, OutboxStatus, ReminderStatus, Role
from bot.repositories import (
    ALERT,
    CallsRepo,
    LeadAlreadyExists,
    LeadsRepo,
    NotesRepo,
    OutboxRepo,
    RemindersRepo,
    StaleSequence,
    UsersRepo,
)

HUNTER = 501
MANAGER = 502


@pytest.fixture
async def call_id(db: Database, clock: FakeClock) -> int:
    async with db.transaction() as conn:
        await UsersRepo(conn).upsert(HUNTER, name="Hunter", username=None, now=clock.now())
        await UsersRepo(conn).upsert(MANAGER, name="Manager", username=None, now=clock.now())
        call = await CallsRepo(conn).create(
            hunter_id=HUNTER, flow_id="b2b", flow_version=3, chat_id=HUNTER, now=clock.now()
        )
    return call.id


def _new_lead(call_id: int, company: str = "ACME") -> NewLead:
    return NewLead(
        call_id=call_id,
        hunter_id=HUNTER,
        flow_id="b2b",
        flow_version=3,
        score=82.5,
        temperature="hot",
        lead_class="A",
        probability=0.4,
        expected_value=600000.0,
        currency="RUB",
        card={"company": company, "budget": 1500000},
    )


async def test_a_call_opens_with_its_flow_version(
    db: Database, clock: FakeClock, call_id: int
) -> None:
    call = await CallsRepo(db.connection).require(call_id)

    assert (call.hunter_id, call.flow_id, call.flow_version) == (HUNTER, "b2b", 3)
    assert call.status is CallStatus.OPEN
    assert call.started_at == call.updated_at == clock.now()
    assert call.finished_at is None
    assert dict(call.card) == {}


async def test_events_append_in_sequence(db: Database, clock: FakeClock, call_id: int) -> None:
    async with db.transaction() as conn:
        calls = CallsRepo(conn)
        await calls.append_event(
            call_id, 1, "answer", "gatekeeper", {"answer": "connect"}, now=clock.now()
        )
        clock.advance(timedelta(seconds=5))
        await calls.append_event(
            call_id, 2, "input", "budget", {"value": 1500000}, now=clock.now()
        )

    events = await CallsRepo(db.connection).list_events(call_id)

    assert [(e.seq, e.kind, e.step, dict(e.payload)) for e in events] == [
        (1, "answer", "gatekeeper", {"answer": "connect"}),
        (2, "input", "budget", {"value": 1500000}),
    ]
    assert (await CallsRepo(db.connection).require(call_id)).updated_at == clock.now()


@pytest.mark.parametrize(("stale_seq", "current"), [(1, 1), (3, 1), (0, 1)])
async def test_an_event_that_is_not_next_is_stale(
    db: Database, clock: FakeClock, call_id: int, stale_seq: int, current: int
) -> None:
    async with db.transaction() as conn:
        await CallsRepo(conn).append_event(call_id, 1, "answer", "a", {}, now=clock.now())

    with pytest.raises(StaleSequence) as caught:
        async with db.transaction() as conn:
            await CallsRepo(conn).append_event(
                call_id, stale_seq, "answer", "a", {}, now=clock.now()
            )

    assert caught.value.current_seq == current
    assert len(await CallsRepo(db.connection).list_events(call_id)) == 1


async def test_a_double_tap_appends_once(db: Database, clock: FakeClock, call_id: int) -> None:
    """Two presses drawn at the same sequence number: the second finds it taken."""
    outcomes = []
    for _ in range(2):
        try:
            async with db.transaction() as conn:
                await CallsRepo(conn).append_event(
                    call_id, 1, "answer", "a", {"answer": "yes"}, now=clock.now()
                )
            outcomes.append("advanced")
        except StaleSequence:
            outcomes.append("already recorded")

    assert outcomes == ["advanced", "already recorded"]


async def test_call_lifecycle_and_lists(db: Database, clock: FakeClock, call_id: int) -> None:
    async with db.transaction() as conn:
        calls = CallsRepo(conn)
        other = await calls.create(
            hunter_id=HUNTER, flow_id="b2b", flow_version=3, chat_id=HUNTER, now=clock.now()
        )
        await calls.set_card(call_id, {"company": "ACME"}, now=clock.now())
        await calls.set_screen_message(call_id, chat_id=HUNTER, message_id=77, now=clock.now())
        await calls.set_status(call_id, CallStatus.PAUSED, now=clock.now())
        clock.advance(timedelta(minutes=1))
        await calls.finish(other.id, outcome="callback", reason="busy", now=clock.now())

    calls = CallsRepo(db.connection)
    paused = await calls.require(call_id)
    finished = await calls.require(other.id)
    assert (paused.status, paused.screen_message_id) == (CallStatus.PAUSED, 77)
    assert dict(paused.card) == {"company": "ACME"}
    assert (finished.status, finished.outcome, finished.outcome_reason) == (
        CallStatus.FINISHED,
        "callback",
        "busy",
    )
    assert finished.finished_at == clock.now()
    assert [c.id for c in await calls.list_open_for_hunter(HUNTER)] == [call_id]
    assert {c.id for c in await calls.list_recent_for_hunter(HUNTER)} == {call_id, other.id}


async def test_free_text_is_stored_verbatim(db: Database, clock: FakeClock, call_id: int) -> None:
    hostile = "'); DROP TABLE calls;-- <b>ACME & Sons</b>"
    async with db.transaction() as conn:
        await NotesRepo(conn).add(call_id, HUNTER, hostile, now=clock.now())
        await CallsRepo(conn).append_event(
            call_id, 1, "input", "company", {"text": hostile}, now=clock.now()
        )

    assert [n.text for n in await NotesRepo(db.connection).list_for_call(call_id)] == [hostile]
    events = await CallsRepo(db.connection).list_events(call_id)
    assert events[0].payload["text"] == hostile


async def test_a_lead_and_its_alert_commit_together(
    db: Database, clock: FakeClock, call_id: int
) -> None:
    async with db.transaction() as conn:
        lead = await LeadsRepo(conn).create(
            _new_lead(call_id), now=clock.now(), alert_chat_id=-100500, alert_payload={"v": 1}
        )

    pending = await OutboxRepo(db.connection).next_pending(clock.now())
    assert lead.reference == f"#L-{lead.id}"
    assert lead.status is LeadStatus.NEW
    assert [(m.lead_id, m.kind, m.chat_id, dict(m.payload)) for m in pending] == [
        (lead.id, ALERT, -100500, {"v": 1})
    ]


async def test_a_failed_qualification_leaves_neither_lead_nor_alert(
    db: Database, clock: FakeClock, call_id: int
) -> None:
    async def qualify_then_fail() -> None:
        async with db.transaction() as conn:
            await LeadsRepo(conn).create(
                _new_lead(call_id), now=clock.now(), alert_chat_id=-100500
            )
            raise RuntimeError("rendering the alert failed")

    with pytest.raises(RuntimeError, match="rendering"):
        await qualify_then_fail()

    assert await LeadsRepo(db.connection).get_by_call(call_id) is None
    assert await OutboxRepo(db.connection).next_pending(clock.now()) == []


async def test_a_call_qualifies_once(db: Database, clock: FakeClock, call_id: int) -> None:
    async with db.transaction() as conn:
        first = await LeadsRepo(conn).create(_new_lead(call_id), now=clock.now(), alert_chat_id=-1)

    with pytest.raises(LeadAlreadyExists) as caught:
        async with db.transaction() as conn:
            await LeadsRepo(conn).create(_new_lead(call_id), now=clock.now(), alert_chat_id=-1)

    assert caught.value.lead_id == first.id
    assert len(await OutboxRepo(db.connection).next_pending(clock.now())) == 1


async def test_the_first_claim_wins(db: Database, clock: FakeClock, call_id: int) -> None:
    async with db.transaction() as conn:
        lead = await LeadsRepo(conn).create(
            _new_lead(call_id), now=clock.now(), alert_chat_id=None
        )
        await UsersRepo(conn).upsert(503, name="Late", username=None, now=clock.now())

    async with db.transaction() as conn:
        first = await LeadsRepo(conn).claim(lead.id, MANAGER, now=clock.now())
        second = await LeadsRepo(conn).claim(lead.id, 503, now=clock.now())

    claimed = await LeadsRepo(db.connection).require(lead.id)
    assert (first, second) == (True, False)
    assert (claimed.status, claimed.owner_id) == (LeadStatus.CLAIMED, MANAGER)
    assert [mine.id for mine in await LeadsRepo(db.connection).list_for_owner(MANAGER)] == [
        lead.id
    ]


async def test_a_won_amount_is_exact(db: Database, clock: FakeClock, call_id: int) -> None:
    async with db.transaction() as conn:
        lead = await LeadsRepo(conn).create(
            _new_lead(call_id), now=clock.now(), alert_chat_id=None
        )
        await LeadsRepo(conn).record_outcome(
            lead.id, LeadStatus.WON, amount=Decimal("1234567.89"), reason=None, now=clock.now()
        )

    won = await LeadsRepo(db.connection).require(lead.id)
    assert (won.status, won.outcome_amount) == (LeadStatus.WON, Decimal("1234567.89"))


async def test_outbox_enqueue_is_idempotent_and_tracks_delivery(
    db: Database, clock: FakeClock, call_id: int
) -> None:
    async with db.transaction() as conn:
        lead = await LeadsRepo(conn).create(_new_lead(call_id), now=clock.now(), alert_chat_id=-7)
        again = await OutboxRepo(conn).enqueue(
            lead.id, ALERT, -7, {"other": True}, now=clock.now()
        )
    outbox = OutboxRepo(db.connection)
    (message,) = await outbox.next_pending(clock.now())
    assert (again.id, dict(again.payload)) == (message.id, {})

    async with db.transaction() as conn:
        await OutboxRepo(conn).mark_failed(
            message.id, error="429", retry_at=clock.now() + timedelta(seconds=30)
        )
    assert await outbox.next_pending(clock.now()) == []
    assert len(await outbox.next_pending(clock.now() + timedelta(seconds=30))) == 1

    async with db.transaction() as conn:
        assert await OutboxRepo(conn).retarget_chat(-7, -1009) == 1
        await OutboxRepo(conn).mark_sent(message.id, message_id=555, now=clock.now())
    sent = await outbox.get(message.id)
    assert sent is not None
    assert (sent.status, sent.chat_id, sent.message_id, sent.attempts) == (
        OutboxStatus.SENT,
        -1009,
        555,
        2,
    )


async def test_reminders_come_due_and_are_marked(
    db: Database, clock: FakeClock, call_id: int
) -> None:
    async with db.transaction() as conn:
        reminders = RemindersRepo(conn)
        soon = await reminders.add(
            user_id=HUNTER,
            chat_id=HUNTER,
            due_at=clock.now() + timedelta(minutes=5),
            text="ACME",
            now=clock.now(),
            call_id=call_id,
        )
        later = await reminders.add(
            user_id=HUNTER,
            chat_id=HUNTER,
            due_at=clock.now() + timedelta(hours=2),
            text="Globex",
            now=clock.now(),
        )

    repo = RemindersRepo(db.connection)
    assert await repo.due(clock.now()) == []
    assert [r.id for r in await repo.due(clock.now() + timedelta(minutes=5))] == [soon.id]
    assert [r.id for r in await repo.pending_for_user(HUNTER)] == [soon.id, later.id]

    async with db.transaction() as conn:
        await RemindersRepo(conn).mark_sent(soon.id, now=clock.now())
        await RemindersRepo(conn).record_failure(
            later.id, "Forbidden: bot was blocked", give_up=True
        )

    assert await repo.due(clock.now() + timedelta(days=1)) == []
    sent, failed = await repo.get(soon.id), await repo.get(later.id)
    assert sent is not None
    assert failed is not None
    assert (sent.status, failed.status) == (ReminderStatus.SENT, ReminderStatus.FAILED)


async def test_configured_roles_follow_the_configuration(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as conn:
        users = UsersRepo(conn)
        await users.sync_configured_roles(
            {Role.HUNTER: frozenset({1, 2}), Role.ADMIN: frozenset({9})}, now=clock.now()
        )
        await users.grant(3, Role.HUNTER, granted_by=9, now=clock.now())
    async with db.transaction() as conn:
        await UsersRepo(conn).sync_configured_roles(
            {Role.HUNTER: frozenset({2}), Role.ADMIN: frozenset({9})}, now=clock.now()
        )

    users = UsersRepo(db.connection)
    assert [a.id for a in await users.list_by_role(Role.HUNTER)] == [2, 3]
    assert await users.roles(1) == frozenset()
    assert await users.roles(9) == frozenset({Role.ADMIN})


async def test_roles_are_a_closed_set(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as conn:
        await UsersRepo(conn).ensure(1, now=clock.now())
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO user_roles (user_id, role, granted_at) VALUES (1, 'root', 't')"
            )
