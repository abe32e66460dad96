"""Due reminders reach the person once; undeliverable ones stop being retried."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.db import Database
from bot.domain import ReminderStatus
from bot.reminders import deliver_due_reminders
from bot.repositories import RemindersRepo
from tests.bot.conftest import HUNTER
from tests.bot.harness import World


async def _add(db: Database, clock: FakeClock, minutes: int, text: str) -> int:
    async with db.transaction() as conn:
        reminder = await RemindersRepo(conn).add(
            user_id=HUNTER,
            chat_id=HUNTER,
            due_at=clock.now() + timedelta(minutes=minutes),
            text=text,
            now=clock.now(),
        )
    return reminder.id


async def test_a_due_reminder_is_sent_once(world: World, db: Database, clock: FakeClock) -> None:
    await _add(db, clock, 10, "ООО «Ромашка» <b>&</b>, Иван")
    conv = world.conversation(HUNTER)
    translator = world.dispatcher["translator"]

    assert await deliver_due_reminders(world.bot, db, clock, translator) == 0
    clock.advance(timedelta(minutes=10))
    assert await deliver_due_reminders(world.bot, db, clock, translator) == 1
    assert await deliver_due_reminders(world.bot, db, clock, translator) == 0

    assert conv.last_text == "⏰ Пора перезвонить\nООО «Ромашка» <b>&</b>, Иван"
    assert len(world.session.calls("sendMessage")) == 1


async def test_a_blocked_person_is_not_retried(
    world: World, db: Database, clock: FakeClock
) -> None:
    reminder_id = await _add(db, clock, 0, "ACME")
    world.session.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )

    delivered = await deliver_due_reminders(world.bot, db, clock, world.dispatcher["translator"])

    reminder = await RemindersRepo(db.connection).get(reminder_id)
    assert delivered == 0
    assert reminder is not None
    assert reminder.status is ReminderStatus.FAILED


async def test_a_server_error_is_retried_later(
    world: World, db: Database, clock: FakeClock
) -> None:
    reminder_id = await _add(db, clock, 0, "ACME")
    world.session.fail_next("sendMessage", error_code=502, description="Bad Gateway")
    translator = world.dispatcher["translator"]

    assert await deliver_due_reminders(world.bot, db, clock, translator) == 0
    assert await deliver_due_reminders(world.bot, db, clock, translator) == 1

    reminder = await RemindersRepo(db.connection).get(reminder_id)
    assert reminder is not None
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 2)
