"""The outbox relay: delivers what committed with a lead (alerts, reminders, reports) to Telegram.

One task sends everything, in priority order (hot alerts first, then by age), paced per chat
by token buckets under Telegram's limits: about 20 messages a minute to a group and one a
second to a private chat, 30 a second in all. Failures are handled per kind:

- 429 `retry_after` N: nothing more goes to that chat for N seconds (the rows' next attempt
  is moved in the database too, so a restart does not break the promise);
- 5xx, network errors: retried with capped exponential backoff and jitter, dead after K tries;
- 403 (the bot was removed or blocked): dead after one try;
- 400 with `migrate_to_chat_id`: the new id is stored and used from then on, then resent;
- any other 400: dead (retrying the same request cannot help).
Dead alerts, round-robin private copies and escalations are reported to the admins (through
the outbox too); an assignee who cannot be reached loses the assignment.

A burst that would wait more than `digest_after_seconds` for the group's limit is sent as one
digest message listing every lead, with a button per lead, instead of trickling out for
minutes; hot leads take the tokens at hand first.

Delivery is at least once. A row is marked sent only after Telegram accepted the message; if
the process dies between the two, the message is sent again after the restart (a duplicate
carrying the same `#L-123` reference). The unique (lead, kind) key means a lead is never
alerted twice otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiosqlite
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardMarkup, ReplyParameters

from bot.alerts import (
    DIGEST_MAX_LEADS,
    Rendered,
    lead_title,
    redrawn,
    render_alert,
    render_digest,
)
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, from_db_time, to_db_time
from bot.domain import LeadStatus, OutboxMessage, OutboxStatus, Role
from bot.i18n import I18n, Translator
from bot.leads import (
    ASSIGNMENT,
    DEAD_REPORT,
    SLA_ESCALATION,
    SLA_REMINDER,
    LeadExtrasRepo,
    LeadMessagesRepo,
    LeadView,
    StateRepo,
    assign_next_on_shift,
    known_names,
    load_view,
)
from bot.render import reader_i18n
from bot.repositories import ALERT, OutboxRepo, UsersRepo
from bot.telegram import fit_message

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
"""Waits the given seconds; tests pass one that moves a fake clock instead."""
RandomSource = Callable[[], float]
"""A number in [0, 1) for the jitter; tests pass a fixed one."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RelayPolicy:
    """Limits and retry rules of the relay."""

    group_per_minute: int = 20
    """At most this many messages to one group in any 60 seconds (Telegram's limit)."""
    group_burst: int = 3
    private_per_second: float = 1.0
    global_per_second: float = 25.0
    global_burst: int = 5
    max_attempts: int = 5
    """Transient failures (5xx, network) are tried this many times before the row is dead."""
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 300.0
    digest_after_seconds: float = 20.0
    """A burst that would wait longer than this for the group's limit is sent as a digest."""
    poll_seconds: float = 1.0
    """How often the relay looks for new rows when nothing is waiting."""
    backlog_alarm: timedelta = timedelta(minutes=10)
    """A row pending longer than this is logged at ERROR and shown in /status."""
    alarm_every: timedelta = timedelta(minutes=5)
    send_timeout_seconds: int = 20

    def backoff(self, attempts: int, draw: float) -> float:
        """Seconds before the next try after `attempts` failures: capped, doubled, jittered."""
        doubled = self.backoff_base_seconds * float(2 ** max(attempts - 1, 0))
        ceiling = min(self.backoff_cap_seconds, doubled)
        # "Equal jitter": never sooner than half the step, so retries still back off.
        return ceiling / 2 + ceiling / 2 * draw


class TokenBucket:
    """Allows `burst` sends at once and `per_second` on average after that."""

    def __init__(self, burst: float, per_second: float, now: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._tokens = burst
        self._updated = now

    def available(self, now: float) -> float:
        """Tokens that can be spent now (fractional)."""
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.burst, self._tokens + elapsed * self.per_second)
        self._updated = max(self._updated, now)
        return self._tokens

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is)."""
        missing = 1.0 - self.available(now)
        return 0.0 if missing <= 1e-9 else missing / self.per_second

    def take(self, now: float) -> None:
        """Spend a token (the caller checked `wait_time` first)."""
        self._tokens = self.available(now) - 1.0

    def empty(self, now: float) -> None:
        """Spend everything (after a 429: Telegram's count is ahead of ours)."""
        self.available(now)
        self._tokens = min(self._tokens, 0.0)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message the relay is about to send for one or more outbox rows."""

    rows: tuple[OutboxMessage, ...]
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    reply_to: int | None = None
    shows: str | None = None
    """'card' or 'digest': the message shows these rows' leads and is updated with them."""


@dataclass
class _Blocked:
    until: float = 0.0


@dataclass(frozen=True, slots=True)
class BacklogReport:
    """The outbox at a glance, for `/status` and the backlog alarm."""

    pending: int
    oldest_pending_at: datetime | None
    dead: int
    recent_dead: tuple[tuple[int, str, str], ...] = ()
    """(lead id, kind, last error) of the latest dead rows."""

    def oldest_age(self, now: datetime) -> timedelta | None:
        """How long the oldest pending row has waited."""
        return None if self.oldest_pending_at is None else now - self.oldest_pending_at


async def backlog_report(conn: aiosqlite.Connection, *, dead_limit: int = 5) -> BacklogReport:
    """Pending count, the oldest pending row's time, and the dead rows."""
    async with conn.execute(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = ?",
        (OutboxStatus.PENDING.value,),
    ) as cursor:
        pending = await cursor.fetchone()
    async with conn.execute(
        "SELECT COUNT(*) AS n FROM outbox WHERE status = ?", (OutboxStatus.DEAD.value,)
    ) as cursor:
        dead = await cursor.fetchone()
    async with conn.execute(
        "SELECT lead_id, kind, COALESCE(last_error, '') AS error FROM outbox WHERE status = ?"
        " ORDER BY id DESC LIMIT ?",
        (OutboxStatus.DEAD.value, dead_limit),
    ) as cursor:
        recent = await cursor.fetchall()
    return BacklogReport(
        pending=int(pending["n"]) if pending else 0,
        oldest_pending_at=from_db_time(pending["oldest"])
        if pending and pending["oldest"]
        else None,
        dead=int(dead["n"]) if dead else 0,
        recent_dead=tuple((row["lead_id"], row["kind"], row["error"]) for row in recent),
    )


async def due_rows(
    conn: aiosqlite.Connection, now: datetime, *, limit: int
) -> list[tuple[OutboxMessage, bool]]:
    """Pending rows whose time has come, each with whether its lead is hot: hot alerts first."""
    async with conn.execute(
        "SELECT o.id, l.temperature FROM outbox o JOIN leads l ON l.id = o.lead_id"
        " WHERE o.status = ? AND o.next_attempt_at <= ?"
        " ORDER BY CASE WHEN o.kind = ? AND l.temperature = 'hot' THEN 0 ELSE 1 END,"
        " o.created_at, o.id LIMIT ?",
        (OutboxStatus.PENDING.value, to_db_time(now), ALERT, limit),
    ) as cursor:
        found = [(row["id"], row["temperature"] == "hot") for row in await cursor.fetchall()]
    repo = OutboxRepo(conn)
    rows = []
    for row_id, hot in found:
        row = await repo.get(row_id)
        if row is not None:
            rows.append((row, hot))
    return rows


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; people have positive ones."""
    return chat_id < 0


class OutboxRelay:
    """Sends pending outbox rows until stopped; one instance, one task."""

    def __init__(
        self,
        *,
        bot: Bot,
        db: Database,
        clock: Clock,
        translator: Translator,
        settings: Settings,
        policy: RelayPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        draw: RandomSource = random.random,
    ) -> None:
        self._bot = bot
        self._db = db
        self._clock = clock
        self._translator = translator
        self._settings = settings
        self.policy = policy or RelayPolicy()
        self._sleep = sleep
        self._draw = draw
        now = self._seconds()
        self._global = TokenBucket(self.policy.global_burst, self.policy.global_per_second, now)
        self._buckets: dict[int, TokenBucket] = {}
        self._blocked: dict[int, _Blocked] = {}
        self._last_alarm: datetime | None = None
        self._hot_leads: set[int] = set()

    @property
    def bot(self) -> Bot:
        """The bot the relay sends with."""
        return self._bot

    # --- time and pacing ----------------------------------------------------------------------

    def _seconds(self) -> float:
        return self._clock.now().timestamp()

    def _bucket(self, chat_id: int) -> TokenBucket:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            policy = self.policy
            if is_group(chat_id):
                # burst + rate x 60 s <= the per-minute limit, in any window of a minute.
                rate = max(policy.group_per_minute - policy.group_burst, 1) / 60.0
                bucket = TokenBucket(policy.group_burst, rate, self._seconds())
            else:
                bucket = TokenBucket(1, policy.private_per_second, self._seconds())
            self._buckets[chat_id] = bucket
        return bucket

    def _wait_for(self, chat_id: int) -> float:
        """Seconds before the next send to the chat is allowed."""
        now = self._seconds()
        blocked = self._blocked.get(chat_id, _Blocked()).until - now
        return max(blocked, self._bucket(chat_id).wait_time(now), self._global.wait_time(now), 0.0)

    def _spend(self, chat_id: int) -> None:
        now = self._seconds()
        self._bucket(chat_id).take(now)
        self._global.take(now)

    def _block(self, chat_id: int, seconds: float) -> None:
        now = self._seconds()
        self._blocked.setdefault(chat_id, _Blocked()).until = now + seconds
        self._bucket(chat_id).empty(now)

    def blocked_for(self, chat_id: int) -> float:
        """Seconds the chat is still closed by Telegram's flood control (0 if open)."""
        return max(0.0, self._blocked.get(chat_id, _Blocked()).until - self._seconds())

    async def send_paced(self, chat_id: int, send: Callable[[int], Awaitable[T]]) -> T:
        """Run `send(chat_id)` for a message outside the outbox, within the same limits.

        The chat id is resolved through recorded migrations; a 429 closes the chat for the
        relay too, and a migration is recorded, before the error reaches the caller.
        """
        chat_id = await StateRepo(self._db.connection).resolve_chat(chat_id)
        while (wait := self._wait_for(chat_id)) > 0:
            await self._sleep(wait)
        self._spend(chat_id)
        try:
            return await send(chat_id)
        except TelegramRetryAfter as e:
            self._block(chat_id, e.retry_after)
            raise
        except TelegramMigrateToChat as e:
            await self._migrate(chat_id, e.migrate_to_chat_id)
            raise

    # --- the loop -----------------------------------------------------------------------------

    async def run(self, stopping: asyncio.Event) -> None:
        """Deliver until `stopping` is set; a failed round is logged and the next one runs."""
        logger.info("Outbox relay started")
        while not stopping.is_set():
            try:
                delay = await self.deliver_due()
            except Exception:
                logger.exception("Outbox round failed")
                delay = self.policy.poll_seconds
            await self._pause(stopping, min(max(delay, 0.05), self.policy.poll_seconds))
        logger.info("Outbox relay stopped")

    async def _pause(self, stopping: asyncio.Event, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(stopping.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def deliver_due(self) -> float:
        """Send what the limits allow now; returns seconds until it is worth looking again."""
        now = self._clock.now()
        await self._check_backlog(now)
        rows = await due_rows(self._db.connection, now, limit=200)
        if not rows:
            return self.policy.poll_seconds
        self._hot_leads = {row.lead_id for row, hot in rows if hot}
        by_chat: dict[int, list[OutboxMessage]] = {}
        resolve = StateRepo(self._db.connection).resolve_chat
        for row, _ in rows:
            chat_id = await resolve(row.chat_id)
            if chat_id != row.chat_id:
                await self._retarget(row.chat_id, chat_id)
            by_chat.setdefault(chat_id, []).append(row)
        wait = self.policy.poll_seconds
        for chat_id, chat_rows in by_chat.items():
            wait = min(wait, await self._serve_chat(chat_id, chat_rows))
        return wait

    async def _serve_chat(self, chat_id: int, rows: list[OutboxMessage]) -> float:
        pending = list(rows)
        while pending:
            wait = self._wait_for(chat_id)
            if wait > 0:
                return wait
            batch = self._next_batch(chat_id, pending)
            pending = [row for row in pending if row not in batch]
            self._spend(chat_id)
            imposed = await self._deliver(chat_id, batch)
            if imposed is not None:
                return imposed
        return self.policy.poll_seconds

    def _next_batch(self, chat_id: int, pending: list[OutboxMessage]) -> list[OutboxMessage]:
        """The next row alone, or a digest of the alerts when sending them one by one is slow."""
        alerts = [row for row in pending if row.kind == ALERT]
        if not is_group(chat_id) or len(alerts) < 2:
            return [pending[0]]
        bucket = self._bucket(chat_id)
        tokens = bucket.available(self._seconds())
        one_by_one = max(0.0, len(alerts) - tokens) / bucket.per_second
        if one_by_one <= self.policy.digest_after_seconds:
            return [pending[0]]
        first = pending[0]
        # Hot leads take the tokens at hand as full cards; one token stays for the digest.
        if first.kind == ALERT and first.lead_id in self._hot_leads and tokens >= 2:
            return [first]
        return alerts[:DIGEST_MAX_LEADS]

    # --- one delivery -------------------------------------------------------------------------

    async def _deliver(self, chat_id: int, batch: list[OutboxMessage]) -> float | None:
        """Send one message for `batch`; returns seconds the chat must now wait, if any."""
        try:
            delivery = await self._prepare(chat_id, batch)
        except Exception:
            logger.exception("Could not prepare outbox rows %s", [row.id for row in batch])
            await self._transient(batch, "could not render the message")
            return None
        if delivery is None:
            return None
        try:
            message_id = await self._send(chat_id, delivery)
        except TelegramRetryAfter as e:
            logger.warning("Chat %s: flood control, retry after %s s", chat_id, e.retry_after)
            self._block(chat_id, e.retry_after)
            await self._defer_chat(chat_id, e.retry_after)
            return float(e.retry_after)
        except TelegramMigrateToChat as e:
            logger.warning("Chat %s moved to %s; resending there", chat_id, e.migrate_to_chat_id)
            await self._migrate(chat_id, e.migrate_to_chat_id)
            return 0.0
        except (TelegramForbiddenError, TelegramBadRequest, TelegramNotFound) as e:
            logger.error(
                "Outbox rows %s to chat %s undeliverable: %s",
                [row.id for row in batch],
                chat_id,
                e.message,
            )
            await self._dead(batch, e.message)
            return None
        except TelegramUnauthorizedError as e:
            # Not the row's fault: keep it, and try later without counting an attempt.
            logger.error("Telegram rejected the bot token while sending: %s", e.message)
            await self._defer(batch, 60.0, count=False, error=e.message)
            return None
        except (TelegramAPIError, OSError, TimeoutError) as e:
            logger.warning("Outbox rows %s: transient failure: %s", [r.id for r in batch], e)
            await self._transient(batch, str(e))
            return None
        await self._mark_sent(chat_id, delivery, message_id)
        return None

    async def _send(self, chat_id: int, delivery: Delivery) -> int:
        reply = (
            ReplyParameters(message_id=delivery.reply_to, allow_sending_without_reply=True)
            if delivery.reply_to is not None
            else None
        )
        message = await self._bot.send_message(
            chat_id=chat_id,
            text=fit_message(delivery.text),
            reply_markup=delivery.keyboard,
            reply_parameters=reply,
            request_timeout=self.policy.send_timeout_seconds,
        )
        return message.message_id

    async def _prepare(self, chat_id: int, batch: list[OutboxMessage]) -> Delivery | None:
        """What to send for the batch, or None after marking rows that need no message."""
        if len(batch) > 1:
            return await self._prepare_digest(chat_id, batch)
        row = batch[0]
        kind = row.kind.partition(":")[0]
        if kind == ALERT:
            return await self._prepare_alert(chat_id, row)
        if kind not in _NOTICES:
            logger.error("Outbox row %s has an unknown kind %r", row.id, row.kind)
            await self._dead([row], f"unknown kind {row.kind}")
            return None
        view = await load_view(self._db.connection, row.lead_id)
        if view is None:
            await self._dead([row], "the lead no longer exists")
            return None
        if kind != DEAD_REPORT and view.lead.status is not LeadStatus.NEW:
            await self._skip(row)  # claimed meanwhile: nobody needs chasing or assigning
            return None
        return await _NOTICES[kind](self, chat_id, row, view, await self._t(chat_id))

    async def _sla_reminder(
        self, chat_id: int, row: OutboxMessage, view: LeadView, t: I18n
    ) -> Delivery:
        """In the managers' chat, as a reply to the lead's card (or the digest it came in)."""
        shown = await LeadMessagesRepo(self._db.connection).latest_in_chat(row.lead_id, chat_id)
        if shown is None:
            key = "mgr-sla-reminder-open"
        else:
            key = "mgr-sla-reminder" if shown.kind == "card" else "mgr-sla-reminder-digest"
        waited = await self._waited(view)
        return Delivery(
            (row,),
            _waiting_text(key, view, t, waited),
            reply_to=None if shown is None else shown.message_id,
        )

    async def _escalation(
        self, chat_id: int, row: OutboxMessage, view: LeadView, t: I18n
    ) -> Delivery:
        waited = await self._waited(view)
        return Delivery((row,), _waiting_text("mgr-sla-escalation", view, t, waited))

    async def _assignment(
        self, chat_id: int, row: OutboxMessage, view: LeadView, t: I18n
    ) -> Delivery:
        """The round-robin assignee's own copy of the card, live like the group's."""
        rendered = render_alert(view, t, self._settings.zone)
        text = t("mgr-assigned-to-you") + "\n\n" + rendered.text
        return Delivery((row,), text, rendered.keyboard, shows="card")

    async def _dead_report(
        self, chat_id: int, row: OutboxMessage, view: LeadView, t: I18n
    ) -> Delivery:
        person = row.payload.get("chat_id")
        names = await known_names(
            self._db.connection, [person if isinstance(person, int) else None]
        )
        return Delivery((row,), _dead_report_text(view, t, row.payload, names))

    async def _prepare_alert(self, chat_id: int, row: OutboxMessage) -> Delivery | None:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            # Round-robin happens when the alert goes out: the lead was created by the call
            # screen, which knows nothing of shifts.
            await assign_next_on_shift(conn, row.lead_id, now=now)
            view = await load_view(conn, row.lead_id)
        if view is None:
            await self._dead([row], "the lead no longer exists")
            return None
        rendered = render_alert(view, await self._t(chat_id), self._settings.zone)
        return Delivery((row,), rendered.text, rendered.keyboard, shows="card")

    async def _prepare_digest(self, chat_id: int, batch: list[OutboxMessage]) -> Delivery:
        views: list[LeadView] = []
        now = self._clock.now()
        for row in batch:
            async with self._db.transaction() as conn:
                await assign_next_on_shift(conn, row.lead_id, now=now)
                view = await load_view(conn, row.lead_id)
            if view is not None:
                views.append(view)
        rendered = render_digest(views, await self._t(chat_id))
        logger.info("Chat %s: %d alerts sent as one digest", chat_id, len(batch))
        return Delivery(tuple(batch), rendered.text, rendered.keyboard, shows="digest")

    async def _t(self, chat_id: int) -> I18n:
        return await reader_i18n(
            self._db.connection, self._translator, chat_id, team_locale=self._settings.LOCALE
        )

    async def _waited(self, view: LeadView) -> int:
        """Minutes since the managers got the lead's alert (the SLA's start)."""
        alert = await OutboxRepo(self._db.connection).of_lead(view.lead.id, ALERT)
        since = alert.sent_at if alert is not None and alert.sent_at else view.lead.created_at
        return max(0, int((self._clock.now() - since).total_seconds() // 60))

    # --- bookkeeping --------------------------------------------------------------------------

    async def _mark_sent(self, chat_id: int, delivery: Delivery, message_id: int) -> None:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            outbox = OutboxRepo(conn)
            shown = LeadMessagesRepo(conn)
            for row in delivery.rows:
                await outbox.mark_sent(row.id, message_id=message_id, now=now)
                if delivery.shows is not None:
                    await shown.add(row.lead_id, chat_id, message_id, delivery.shows, now=now)

    async def _skip(self, row: OutboxMessage) -> None:
        """A reminder that is no longer needed (the lead was claimed meanwhile)."""
        async with self._db.transaction() as conn:
            await OutboxRepo(conn).mark_sent(row.id, message_id=None, now=self._clock.now())

    async def _transient(self, batch: Sequence[OutboxMessage], error: str) -> None:
        give_up = [row for row in batch if row.attempts + 1 >= self.policy.max_attempts]
        retry = [row for row in batch if row not in give_up]
        if give_up:
            await self._dead(give_up, f"gave up after {self.policy.max_attempts} tries: {error}")
        for row in retry:
            delay = self.policy.backoff(row.attempts + 1, self._draw())
            await self._defer([row], delay, count=True, error=error)

    async def _defer(
        self, batch: Sequence[OutboxMessage], seconds: float, *, count: bool, error: str
    ) -> None:
        retry_at = self._clock.now() + timedelta(seconds=seconds)
        async with self._db.transaction() as conn:
            for row in batch:
                if count:
                    await OutboxRepo(conn).mark_failed(row.id, error=error, retry_at=retry_at)
                else:
                    await conn.execute(
                        "UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ?",
                        (to_db_time(retry_at), error[:500], row.id),
                    )

    async def _defer_chat(self, chat_id: int, seconds: float) -> None:
        """Move every pending row of the chat past Telegram's retry_after (survives restarts)."""
        until = to_db_time(self._clock.now() + timedelta(seconds=seconds))
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET next_attempt_at = ?, last_error = ?"
                " WHERE chat_id = ? AND status = ? AND next_attempt_at < ?",
                (
                    until,
                    f"flood control: retry after {seconds:g} s",
                    chat_id,
                    OutboxStatus.PENDING.value,
                    until,
                ),
            )

    async def _dead(self, batch: Sequence[OutboxMessage], error: str) -> None:
        """Give up on the rows; admins hear about every alert or private copy that never arrives.

        A round-robin assignee who cannot be reached loses the assignment, so the lead waits in
        the group as anyone's again instead of being promised to someone who never saw it.
        """
        now = self._clock.now()
        withdrawn: list[int] = []
        async with self._db.transaction() as conn:
            outbox = OutboxRepo(conn)
            admins = await UsersRepo(conn).list_by_role(Role.ADMIN)
            for row in batch:
                await outbox.mark_dead(row.id, error=error)
                kind = row.kind.partition(":")[0]
                if kind not in _REPORTED_WHEN_DEAD:
                    continue  # a report about a report would never end
                if kind == ASSIGNMENT and await LeadExtrasRepo(conn).unassign(
                    row.lead_id, row.chat_id, now=now
                ):
                    withdrawn.append(row.lead_id)
                payload = {"error": error[:300], "chat_id": row.chat_id, "kind": kind}
                for admin in admins:
                    if admin.id == row.chat_id:
                        continue  # the admin who could not be reached
                    # An alert's report keeps its short key; the others name the row they follow.
                    report = f"{DEAD_REPORT}:{admin.id}"
                    if kind != ALERT:
                        report = f"{report}:{row.kind}"
                    await outbox.enqueue(row.lead_id, report, admin.id, payload, now=now)
        for lead_id in withdrawn:
            await self._redraw(lead_id)

    async def _redraw(self, lead_id: int) -> None:
        """Edit the messages showing the lead to how it stands now (best effort)."""
        conn = self._db.connection
        shown = await LeadMessagesRepo(conn).for_lead(lead_id)
        targets = [(message.chat_id, message.message_id, message.kind) for message in shown]
        for chat_id, message_id, rendered in await redrawn(
            conn, lead_id, targets, self._t, self._settings.zone
        ):
            try:
                await self.send_paced(chat_id, self._editor(message_id, rendered))
            except (TelegramAPIError, OSError, TimeoutError) as e:
                logger.info("Lead %s: message %s not redrawn: %s", lead_id, message_id, e)

    def _editor(self, message_id: int, rendered: Rendered) -> Callable[[int], Awaitable[Any]]:
        """Edits one message to `rendered` in the chat it is given (its current id)."""

        async def edit(chat_id: int) -> Any:
            return await self._bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=fit_message(rendered.text),
                reply_markup=rendered.keyboard,
            )

        return edit

    async def _migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self._db.transaction() as conn:
            await StateRepo(conn).record_migration(old_chat_id, new_chat_id, now=self._clock.now())
            moved = await OutboxRepo(conn).retarget_chat(old_chat_id, new_chat_id)
        logger.warning(
            "Chat %s was upgraded to %s; %d pending deliveries moved",
            old_chat_id,
            new_chat_id,
            moved,
        )

    async def _retarget(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self._db.transaction() as conn:
            await OutboxRepo(conn).retarget_chat(old_chat_id, new_chat_id)

    async def _check_backlog(self, now: datetime) -> None:
        if self._last_alarm is not None and now - self._last_alarm < self.policy.alarm_every:
            return
        report = await backlog_report(self._db.connection, dead_limit=0)
        age = report.oldest_age(now)
        if age is not None and age > self.policy.backlog_alarm:
            self._last_alarm = now
            logger.error(
                "Outbox backlog: %d pending, the oldest waiting %d min",
                report.pending,
                int(age.total_seconds() // 60),
            )


_Notice = Callable[[OutboxRelay, int, OutboxMessage, LeadView, I18n], Awaitable[Delivery]]
"""Builds the message of one row for its (current) chat."""
_NOTICES: dict[str, _Notice] = {
    SLA_REMINDER: OutboxRelay._sla_reminder,
    SLA_ESCALATION: OutboxRelay._escalation,
    ASSIGNMENT: OutboxRelay._assignment,
    DEAD_REPORT: OutboxRelay._dead_report,
}
"""Outbox rows other than alerts, by kind: the message each one becomes."""


def _waiting_text(key: str, view: LeadView, t: I18n, waited: int) -> str:
    """A lead nobody claimed: its reference, company, how long it waited against its SLA."""
    return t(
        key,
        ref=view.lead.reference,
        company=lead_title(view, t),
        minutes=str(waited),
        sla=str(view.sla_minutes or 0),
        id=str(view.lead.id),
    )


_REPORTED_WHEN_DEAD = frozenset({ALERT, ASSIGNMENT, SLA_ESCALATION})
"""Row kinds whose loss admins are told about: the lead would otherwise wait unseen."""
_DEAD_REPORT_KEYS = {
    ASSIGNMENT: "mgr-dead-report-assign",
    SLA_ESCALATION: "mgr-dead-report-escalation",
}


def _dead_report_text(
    view: LeadView, t: I18n, payload: Mapping[str, Any], names: Mapping[int, str]
) -> str:
    error = payload.get("error", "")
    person = payload.get("chat_id")
    return t(
        _DEAD_REPORT_KEYS.get(str(payload.get("kind", ALERT)), "mgr-dead-report"),
        ref=view.lead.reference,
        company=lead_title(view, t),
        error=str(error) or "—",
        id=str(view.lead.id),
        name=names.get(person, str(person)) if isinstance(person, int) else "—",
    )
