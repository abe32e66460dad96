"""The outbox relay under Telegram's limits and failures, on a fake clock (no real waiting)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.app import Flows
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.domain import LeadStatus, OutboxStatus
from bot.i18n import Translator
from bot.leads import StateRepo
from bot.outbox import OutboxRelay, RelayPolicy, TokenBucket
from bot.repositories import ALERT, LeadAlreadyExists, LeadsRepo, OutboxRepo
from scripts.summary import CallSummary
from tests.bot.conftest import ADMIN, HUNTER, MANAGER
from tests.bot.harness import (
    FakeSleep,
    World,
    create_lead,
    drain_outbox,
    qualified_summary,
)

GROUP = -1001234567890
SUPERGROUP = -1009999999999


@dataclass(frozen=True)
class Sent:
    """One Bot API call as the relay made it, at fake-clock time."""

    at: datetime
    method: str
    chat_id: int | None
    ok: bool


@pytest.fixture
def sends(world: World, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    """Every Bot API call with the fake-clock time it was made at, and whether it succeeded."""
    log: list[Sent] = []
    original: Callable[..., Awaitable[Any]] = world.session.make_request

    async def timed(bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        name = method.__api_method__
        chat = getattr(method, "chat_id", None)
        at = clock.now()
        try:
            result = await original(bot, method, timeout)
        except Exception:
            log.append(Sent(at, name, chat, ok=False))
            raise
        log.append(Sent(at, name, chat, ok=True))
        return result

    monkeypatch.setattr(world.session, "make_request", timed)
    return log


RelayFactory = Callable[[], OutboxRelay]


@pytest.fixture
def new_relay(
    world: World,
    db: Database,
    clock: FakeClock,
    translator: Translator,
    settings: Settings,
    sleep: FakeSleep,
) -> RelayFactory:
    """A fresh relay each call: a restart of the process keeps only the database."""

    def make() -> OutboxRelay:
        return OutboxRelay(
            bot=world.bot,
            db=db,
            clock=clock,
            translator=translator,
            settings=settings,
            sleep=sleep,
            draw=lambda: 0.5,
        )

    return make


@pytest.fixture
def summary(flows: Flows) -> CallSummary:
    return qualified_summary(flows[("b2b_cold_call_ru", 1)])


async def rows(db: Database) -> list[Any]:
    async with db.connection.execute("SELECT * FROM outbox ORDER BY id") as cursor:
        return list(await cursor.fetchall())


def to_chat(sends: list[Sent], chat_id: int, *, ok: bool | None = None) -> list[Sent]:
    return [
        s
        for s in sends
        if s.method == "sendMessage" and s.chat_id == chat_id and (ok is None or s.ok == ok)
    ]


# --- pacing arithmetic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "elapsed", "wait"),
    [
        (0, 0.0, 0.0),  # a full bucket
        (3, 0.0, 60 / 17),  # empty: one token takes 60/17 s at 17 a minute
        (3, 1.0, 60 / 17 - 1.0),
        (3, 60.0, 0.0),
        (2, 0.0, 0.0),
    ],
)
def test_a_group_bucket_allows_a_burst_then_paces(spent: int, elapsed: float, wait: float) -> None:
    bucket = TokenBucket(3, 17 / 60, now=0.0)
    for _ in range(spent):
        bucket.take(0.0)

    assert bucket.wait_time(elapsed) == pytest.approx(wait)


@pytest.mark.parametrize(
    ("attempts", "draw", "seconds"),
    [(1, 0.0, 1.0), (1, 0.5, 1.5), (1, 1.0, 2.0), (2, 0.5, 3.0), (3, 0.5, 6.0), (12, 0.5, 225.0)],
)
def test_retries_back_off_exponentially_with_jitter_and_a_cap(
    attempts: int, draw: float, seconds: float
) -> None:
    assert RelayPolicy().backoff(attempts, draw) == pytest.approx(seconds)


# --- delivery -----------------------------------------------------------------------------------


async def test_flood_control_delays_the_next_attempt_and_every_send_to_that_chat(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    sends: list[Sent],
) -> None:
    for _ in range(2):
        await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 7",
        parameters={"retry_after": 7},
    )

    await drain_outbox(new_relay(), sleep, db)

    tries = to_chat(sends, GROUP)
    assert [s.ok for s in tries] == [False, True, True]
    assert all(s.at - tries[0].at >= timedelta(seconds=7) for s in tries[1:])
    assert [r["status"] for r in await rows(db)] == ["sent", "sent"]
    assert [m.text.split("\n")[0] for m in world.chat(GROUP)] == [
        "🔥 Новый лид #L-1 · горячий",
        "🔥 Новый лид #L-2 · горячий",
    ]


async def test_server_errors_are_retried_with_backoff_then_sent(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    sends: list[Sent],
) -> None:
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    for _ in range(3):
        world.session.fail_next("sendMessage", error_code=500, description="Internal Server Error")

    await drain_outbox(new_relay(), sleep, db)

    tries = to_chat(sends, GROUP)
    assert [s.ok for s in tries] == [False, False, False, True]
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(tries)]
    assert [gap >= minimum for gap, minimum in zip(gaps, [1.5, 3.0, 6.0], strict=True)] == [
        True
    ] * 3
    [row] = await rows(db)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 4, None)
    assert len(world.chat(GROUP)) == 1


async def test_a_dropped_connection_is_retried(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    sends: list[Sent],
) -> None:
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.drop_next("sendMessage")

    await drain_outbox(new_relay(), sleep, db)

    assert [s.ok for s in to_chat(sends, GROUP)] == [False, True]
    assert len(world.chat(GROUP)) == 1


async def test_after_k_failures_the_alert_is_dead_and_admins_are_told(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    sends: list[Sent],
) -> None:
    lead = await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    for _ in range(RelayPolicy().max_attempts):
        world.session.fail_next("sendMessage", error_code=502, description="Bad Gateway")

    await drain_outbox(new_relay(), sleep, db)

    assert len(to_chat(sends, GROUP)) == RelayPolicy().max_attempts
    alert, report = await rows(db)
    assert (alert["status"], alert["attempts"]) == ("dead", 5)
    assert report["kind"] == f"dead_report:{ADMIN}"
    [told] = world.chat(ADMIN)
    assert told.text.startswith(f"🚨 Алерт #L-{lead.id} не доставлен в чат менеджеров")
    assert "Bad Gateway" in told.text


async def test_a_chat_the_bot_was_removed_from_is_dead_after_one_try(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    sends: list[Sent],
) -> None:
    lead = await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was kicked from the group chat"
    )

    await drain_outbox(new_relay(), sleep, db)

    assert len(to_chat(sends, GROUP)) == 1
    alert = (await rows(db))[0]
    assert (alert["status"], alert["attempts"]) == ("dead", 1)
    assert (await LeadsRepo(db.connection).require(lead.id)).status is LeadStatus.NEW
    [told] = world.chat(ADMIN)
    assert "bot was kicked from the group chat" in told.text
    # The hunter's side never waited on any of this.
    hunter = world.conversation(HUNTER)
    await hunter.send("/start")
    assert hunter.last_text.startswith("Здравствуйте")


async def test_a_group_upgraded_to_a_supergroup_gets_the_alert_at_its_new_id_from_then_on(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    sends: list[Sent],
) -> None:
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.fail_next(
        "sendMessage",
        description="Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": SUPERGROUP},
    )
    relay = new_relay()

    await drain_outbox(relay, sleep, db)
    # The call screen still queues alerts for the configured (old) id; they go to the new one.
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(new_relay(), sleep, db)

    assert [s.ok for s in to_chat(sends, GROUP)] == [False]
    assert len(to_chat(sends, SUPERGROUP, ok=True)) == 2
    assert await StateRepo(db.connection).resolve_chat(GROUP) == SUPERGROUP
    admin = world.conversation(ADMIN, "Анна", "Админ")
    await admin.send("/status")
    assert f"Чат менеджеров: {SUPERGROUP} (группа стала супергруппой, прежний id {GROUP})" in (
        admin.last_text
    )


async def test_a_burst_of_30_leads_is_paced_and_digested_with_hot_leads_first(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    flows: Flows,
    sends: list[Sent],
) -> None:
    flow = flows[("b2b_cold_call_ru", 1)]
    temperatures = ["warm", "cold", "hot"] * 10
    created = []
    for index, temperature in enumerate(temperatures):
        company = f"Компания {index + 1}"
        summary = qualified_summary(flow, card={"company": company}, temperature=temperature)
        created.append(
            await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
        )
    started = clock.now()

    await drain_outbox(new_relay(), sleep, db)

    group_sends = to_chat(sends, GROUP)
    assert all(s.ok for s in group_sends)
    for first in group_sends:  # never more than 20 in any minute
        window = [s for s in group_sends if first.at <= s.at < first.at + timedelta(minutes=1)]
        assert len(window) <= 20
    shown = "\n".join(m.text for m in world.chat(GROUP))
    assert all(f"#L-{lead.id}" in shown for lead in created)
    assert len(world.chat(GROUP)) < 10  # a digest, not 30 messages over a minute and a half
    assert max(s.at for s in group_sends) - started < timedelta(seconds=30)
    hot = [lead.id for lead, t in zip(created, temperatures, strict=True) if t == "hot"]
    first_card = world.chat(GROUP)[0]
    assert first_card.text.startswith(f"🔥 Новый лид #L-{hot[0]}")
    digest = next(m for m in world.chat(GROUP) if "новых лидов" in m.text)
    lines = digest.text.splitlines()
    heat = [line[0] for line in lines[1:-1]]
    assert heat == sorted(heat, key="🔥🌤❄".index)
    assert len(digest.buttons[0]) == 3
    assert [r["status"] for r in await rows(db)] == ["sent"] * 30


async def test_a_digest_button_sends_that_lead_card_privately(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    flows: Flows,
) -> None:
    flow = flows[("b2b_cold_call_ru", 1)]
    for index in range(12):
        summary = qualified_summary(flow, card={"company": f"Фирма {index}"}, temperature="warm")
        await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    await drain_outbox(new_relay(), sleep, db)
    digest = next(m for m in world.chat(GROUP) if "новых лидов" in m.text)
    manager = world.group_conversation(MANAGER, GROUP, "Ольга", "Кузнецова")
    private = world.conversation(MANAGER, "Ольга", "Кузнецова")
    label = digest.buttons[0][0]
    lead_id = int(label.split("#L-")[1])

    query = await manager.press(digest, f"ld:o:{lead_id}:")
    assert manager.answer_for(query)["text"] == "Отправил вам в личку"
    assert private.last_text.startswith(f"🌤 Новый лид #L-{lead_id}")

    await private.click("Беру")

    line = next(
        x
        for x in world.session.messages[(GROUP, digest.message_id)].text.splitlines()
        if f"#L-{lead_id} " in x
    )
    assert line.endswith("✋ взял Ольга Кузнецова")


async def test_pending_alerts_are_sent_after_a_restart_each_once(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
) -> None:
    for _ in range(3):
        await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    # The process died before its relay ran; the next one finds the rows in the database.

    await drain_outbox(new_relay(), sleep, db)
    await drain_outbox(new_relay(), sleep, db)

    firsts = [m.text.split("\n")[0] for m in world.chat(GROUP)]
    assert firsts == [f"🔥 Новый лид #L-{i} · горячий" for i in (1, 2, 3)]


async def test_a_crash_between_send_and_mark_sends_again_with_the_same_reference(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    crashing = new_relay()

    async def crash(*_: Any) -> None:
        raise RuntimeError("killed after send")

    monkeypatch.setattr(crashing, "_mark_sent", crash)
    with pytest.raises(RuntimeError):
        await crashing.deliver_due()

    await drain_outbox(new_relay(), sleep, db)
    await drain_outbox(new_relay(), sleep, db)

    firsts = [m.text.split("\n")[0] for m in world.chat(GROUP)]
    assert firsts == ["🔥 Новый лид #L-1 · горячий"] * 2  # at least once: a visible duplicate


async def test_the_same_lead_qualified_twice_has_one_alert(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
) -> None:
    lead = await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    async with db.transaction() as conn:
        again = await OutboxRepo(conn).enqueue(lead.id, ALERT, GROUP, {}, now=clock.now())
        with pytest.raises(LeadAlreadyExists):
            await LeadsRepo(conn).create(
                _new_lead_like(lead), now=clock.now(), alert_chat_id=GROUP
            )

    await drain_outbox(new_relay(), sleep, db)

    assert len(await rows(db)) == 1
    assert again.id == (await rows(db))[0]["id"]
    assert len(world.chat(GROUP)) == 1


def _new_lead_like(lead: Any) -> Any:
    from bot.domain import NewLead

    return NewLead(
        call_id=lead.call_id,
        hunter_id=lead.hunter_id,
        flow_id=lead.flow_id,
        flow_version=lead.flow_version,
        score=lead.score,
        temperature=lead.temperature,
        lead_class=lead.lead_class,
        probability=lead.probability,
        expected_value=lead.expected_value,
        currency=lead.currency,
        card=lead.card,
    )


async def test_a_backlog_older_than_ten_minutes_is_logged_and_shown_in_status(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1200",
        parameters={"retry_after": 1200},
    )
    relay = new_relay()
    await relay.deliver_due()
    clock.advance(timedelta(minutes=11))

    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        await relay.deliver_due()

    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "Outbox backlog: 1 pending, the oldest waiting 11 min"
    ]
    admin = world.conversation(ADMIN, "Анна", "Админ")
    await admin.send("/status")
    assert "🔴 Ждут отправки: 1, самое старое — 11 мин: доставка застряла" in admin.last_text
    assert (await rows(db))[0]["status"] == OutboxStatus.PENDING.value


async def test_status_is_for_admins_and_lists_dead_deliveries(
    world: World,
    db: Database,
    clock: FakeClock,
    sleep: FakeSleep,
    new_relay: RelayFactory,
    summary: CallSummary,
) -> None:
    lead = await create_lead(db, clock.now(), summary, hunter_id=HUNTER, alert_chat_id=GROUP)
    world.session.fail_next("sendMessage", error_code=403, description="Forbidden: bot was kicked")
    await drain_outbox(new_relay(), sleep, db)
    manager = world.conversation(MANAGER)
    admin = world.conversation(ADMIN, "Анна", "Админ")

    await manager.send("/status")
    await admin.send("/status")

    assert manager.last_text == "Эта команда для администраторов."
    assert admin.last_text.splitlines()[:5] == [
        "🩺 Состояние доставки",
        f"Чат менеджеров: {GROUP}",
        "✅ Очередь пуста",
        "🚨 Не доставлено: 1",
        f"• #L-{lead.id} · алерт в чат менеджеров · Forbidden: bot was kicked",
    ]
