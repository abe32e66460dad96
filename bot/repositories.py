"""Narrow repositories over one connection: parameterized SQL in, domain objects out.

Repositories never begin, commit or roll back: the caller owns the transaction
(`async with db.transaction() as conn: CallsRepo(conn)...`), so one use case is one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from typing import Any

import aiosqlite

from bot.db import Absent, Database, from_db_time, from_json, optional_time, to_db_time, to_json
from bot.domain import (
    Account,
    Call,
    CallEvent,
    CallStatus,
    Lead,
    LeadStatus,
    NewLead,
    Note,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    ReminderStatus,
    Role,
)

Row = sqlite3.Row

ALERT = "alert"
"""The outbox kind of a lead's alert to the managers' chat."""


class StaleSequence(Exception):
    """An event was appended with a sequence number that is no longer next (a double tap)."""

    def __init__(self, call_id: int, expected_seq: int, current_seq: int) -> None:
        super().__init__(
            f"call {call_id}: event {expected_seq} is stale, the log is at {current_seq}"
        )
        self.call_id = call_id
        self.expected_seq = expected_seq
        self.current_seq = current_seq


class LeadAlreadyExists(Exception):
    """The call already produced a lead; a call qualifies once."""

    def __init__(self, call_id: int, lead_id: int) -> None:
        super().__init__(f"call {call_id} already has lead #L-{lead_id}")
        self.call_id = call_id
        self.lead_id = lead_id


class NotFound(LookupError):
    """A row the caller relied on does not exist."""


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


class _Repo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            row: Row | None = await cursor.fetchone()
        return row

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            rows = await cursor.fetchall()
        return list(rows)

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute a write; returns the number of rows changed."""
        async with self._conn.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            row_id = cursor.lastrowid
        if row_id is None:  # pragma: no cover - sqlite always reports it for INSERT
            raise RuntimeError("INSERT did not report a row id")
        return row_id


class UsersRepo(_Repo):
    """People and their roles.

    Every update reads its sender's account, so accounts are kept in the Database's
    `accounts` cache; each method here that changes a person drops them from it (again when
    the transaction ends), so a revoked role takes effect on the very next update. Change
    people and roles through this class, not with SQL of your own.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn)
        self._db = Database.of(conn)

    async def get(self, user_id: int) -> Account | None:
        """The account with its roles, or None for someone the bot has never been told about."""
        cache = self._db.accounts if self._db is not None else None
        ticket = 0
        if cache is not None:
            kept = cache.get(user_id)
            if not isinstance(kept, Absent):
                return kept
            ticket = cache.ticket()
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        account = None if row is None else self._account(row, await self.roles(user_id))
        if cache is not None:
            cache.offer(user_id, account, ticket)
        return account

    def _changed(self, user_id: int) -> None:
        if self._db is not None:
            self._db.changed(self._db.accounts, user_id)

    async def roles(self, user_id: int) -> frozenset[Role]:
        """The person's roles (empty for strangers)."""
        rows = await self._all("SELECT role FROM user_roles WHERE user_id = ?", (user_id,))
        return frozenset(Role(row["role"]) for row in rows)

    async def upsert(
        self, user_id: int, *, name: str, username: str | None, now: datetime
    ) -> None:
        """Create the person or refresh the name Telegram shows (the chosen language stays)."""
        await self._run(
            "INSERT INTO users (id, name, username, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
            " username = excluded.username, updated_at = excluded.updated_at",
            (user_id, name, username, to_db_time(now), to_db_time(now)),
        )
        self._changed(user_id)

    async def ensure(self, user_id: int, *, now: datetime) -> None:
        """Make sure a row exists (for ids known from configuration before they write)."""
        await self._run(
            "INSERT INTO users (id, created_at, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (user_id, to_db_time(now), to_db_time(now)),
        )
        self._changed(user_id)

    async def set_language(self, user_id: int, language: str | None, *, now: datetime) -> None:
        """Remember the person's chosen language (None: follow the Telegram client)."""
        await self._run(
            "UPDATE users SET language = ?, updated_at = ? WHERE id = ?",
            (language, to_db_time(now), user_id),
        )
        self._changed(user_id)

    async def grant(
        self, user_id: int, role: Role, *, granted_by: int | None, now: datetime
    ) -> bool:
        """Give a role (None as granter: the configuration); False if it was already held."""
        await self.ensure(user_id, now=now)
        changed = await self._run(
            "INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, role) DO NOTHING",
            (user_id, role.value, granted_by, to_db_time(now)),
        )
        self._changed(user_id)
        return changed > 0

    async def revoke(self, user_id: int, role: Role) -> bool:
        """Take a role away; False if it was not held."""
        changed = await self._run(
            "DELETE FROM user_roles WHERE user_id = ? AND role = ?", (user_id, role.value)
        )
        self._changed(user_id)
        return changed > 0

    async def list_by_role(self, role: Role) -> list[Account]:
        """Everyone holding `role`, by name."""
        rows = await self._all(
            "SELECT u.* FROM users u JOIN user_roles r ON r.user_id = u.id"
            " WHERE r.role = ? ORDER BY u.name, u.id",
            (role.value,),
        )
        return [self._account(row, await self.roles(row["id"])) for row in rows]

    async def sync_configured_roles(
        self, configured: Mapping[Role, frozenset[int]], *, now: datetime
    ) -> None:
        """Make configuration-granted roles match the configuration; roles granted in the bot stay.

        Removing an id from HUNTER_IDS must take the role away on the next start, but a role an
        admin granted in the bot has `granted_by` set and is not the configuration's to revoke.
        """
        for role, ids in configured.items():
            for user_id in sorted(ids):
                await self.grant(user_id, role, granted_by=None, now=now)
            rows = await self._all(
                "SELECT user_id FROM user_roles WHERE role = ? AND granted_by IS NULL",
                (role.value,),
            )
            for row in rows:
                if row["user_id"] not in ids:
                    await self.revoke(row["user_id"], role)

    @staticmethod
    def _account(row: Row, roles: frozenset[Role]) -> Account:
        return Account(
            id=row["id"],
            name=row["name"],
            username=row["username"],
            language=row["language"],
            roles=roles,
            created_at=from_db_time(row["created_at"]),
        )


_CALL = "SELECT * FROM calls WHERE id = ?"
_CREATE_CALL = (
    "INSERT INTO calls (hunter_id, flow_id, flow_version, status, card, chat_id,"
    " started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# The guard makes a stale sequence number insert nothing: of two taps on one screen, one wins.
_APPEND_EVENT = (
    "INSERT INTO call_events (call_id, seq, kind, step, payload, created_at)"
    " SELECT ?, ?, ?, ?, ?, ?"
    " WHERE (SELECT COALESCE(MAX(seq), 0) FROM call_events WHERE call_id = ?) = ?"
)
_LAST_SEQ = "SELECT COALESCE(MAX(seq), 0) AS seq FROM call_events WHERE call_id = ?"
_EVENTS_AFTER = "SELECT * FROM call_events WHERE call_id = ? AND seq > ? ORDER BY seq"
_NO_FIT = (
    "SELECT e.call_id, e.seq, e.step, e.payload, e.created_at, c.flow_id, c.flow_version,"
    " c.hunter_id, COALESCE(u.name, '') AS hunter_name FROM call_events e"
    " JOIN calls c ON c.id = e.call_id LEFT JOIN users u ON u.id = c.hunter_id"
    " WHERE e.kind = 'nofit' AND e.created_at >= ? AND e.created_at < ?"
    " ORDER BY e.created_at, e.call_id, e.seq"
)
# Stand-ins for an open side of a time range; every stored time sorts between them.
_BEFORE_ALL_TIMES = ""
_AFTER_ALL_TIMES = "\uffff"
_FINISH_CALL = "status = ?, outcome = ?, outcome_reason = ?, finished_at = ?"
_REOPEN_CALL = "status = ?, finished_at = NULL, outcome = NULL, outcome_reason = NULL"
_SCREEN_MESSAGE = "chat_id = ?, screen_message_id = ?"


def _is_duplicate_key(error: sqlite3.IntegrityError) -> bool:
    return "UNIQUE" in str(error) or "PRIMARY KEY" in str(error)


def _new_call_params(
    hunter_id: int,
    flow_id: str,
    flow_version: int,
    chat_id: int,
    now: datetime,
    card: Mapping[str, Any] | None,
) -> tuple[Any, ...]:
    return (
        hunter_id,
        flow_id,
        flow_version,
        CallStatus.OPEN.value,
        to_json(card or {}),
        chat_id,
        to_db_time(now),
        to_db_time(now),
    )


def _event_params(
    call_id: int, seq: int, kind: str, step: str | None, payload: Mapping[str, Any], at: str
) -> tuple[Any, ...]:
    return (call_id, seq, kind, step, to_json(payload), at, call_id, seq - 1)


def _call_event(row: Row) -> CallEvent:
    return CallEvent(
        call_id=row["call_id"],
        seq=row["seq"],
        kind=row["kind"],
        step=row["step"],
        payload=_frozen(from_json(row["payload"])),
        created_at=from_db_time(row["created_at"]),
    )


@dataclass(frozen=True, slots=True)
class NoFitText:
    """What a client said on a step when none of the script's answers fitted."""

    call_id: int
    seq: int
    flow_id: str
    flow_version: int
    step: str | None
    text: str
    hunter_id: int
    hunter_name: str
    """Empty when the hunter never told Telegram a name."""
    created_at: datetime


class CallsRepo(_Repo):
    """Calls and their append-only event logs."""

    async def create(
        self,
        *,
        hunter_id: int,
        flow_id: str,
        flow_version: int,
        chat_id: int,
        now: datetime,
        card: Mapping[str, Any] | None = None,
    ) -> Call:
        """Open a new call for the hunter on a given flow version."""
        call_id = await self._insert(
            _CREATE_CALL, _new_call_params(hunter_id, flow_id, flow_version, chat_id, now, card)
        )
        return await self.require(call_id)

    async def get(self, call_id: int) -> Call | None:
        """The call, or None."""
        row = await self._one(_CALL, (call_id,))
        return None if row is None else self._call(row)

    async def require(self, call_id: int) -> Call:
        """The call; raises NotFound if it does not exist."""
        call = await self.get(call_id)
        if call is None:
            raise NotFound(f"call {call_id}")
        return call

    async def list_open_for_hunter(self, hunter_id: int, *, limit: int = 20) -> list[Call]:
        """The hunter's unfinished calls (open or paused), most recently touched first."""
        rows = await self._all(
            "SELECT * FROM calls WHERE hunter_id = ? AND status IN (?, ?)"
            " ORDER BY updated_at DESC, id DESC LIMIT ?",
            (hunter_id, CallStatus.OPEN.value, CallStatus.PAUSED.value, limit),
        )
        return [self._call(row) for row in rows]

    async def list_recent_for_hunter(self, hunter_id: int, *, limit: int = 10) -> list[Call]:
        """The hunter's latest calls of any status, newest first."""
        rows = await self._all(
            "SELECT * FROM calls WHERE hunter_id = ? ORDER BY started_at DESC, id DESC LIMIT ?",
            (hunter_id, limit),
        )
        return [self._call(row) for row in rows]

    async def set_status(self, call_id: int, status: CallStatus, *, now: datetime) -> None:
        """Pause or reopen a call; finishing goes through `finish` (it needs an outcome)."""
        if status is CallStatus.FINISHED:
            raise ValueError("use finish() to end a call")
        await self._update(call_id, _REOPEN_CALL, (status.value,), now)

    async def finish(
        self, call_id: int, *, outcome: str, reason: str | None, now: datetime
    ) -> None:
        """End the call with its outcome (qualified, nurture, callback...)."""
        await self._update(
            call_id,
            _FINISH_CALL,
            (CallStatus.FINISHED.value, outcome, reason, to_db_time(now)),
            now,
        )

    async def set_card(self, call_id: int, card: Mapping[str, Any], *, now: datetime) -> None:
        """Store the lead-card projection derived from the events."""
        await self._update(call_id, "card = ?", (to_json(card),), now)

    async def set_screen_message(
        self, call_id: int, *, chat_id: int, message_id: int | None, now: datetime
    ) -> None:
        """Remember which message shows the call screen, so it is edited rather than resent."""
        await self._update(call_id, _SCREEN_MESSAGE, (chat_id, message_id), now)

    async def _update(
        self, call_id: int, assignments: str, params: tuple[Any, ...], now: datetime
    ) -> None:
        # `assignments` is always a literal from this class, never input.
        changed = await self._run(
            f"UPDATE calls SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608
            (*params, to_db_time(now), call_id),
        )
        if not changed:
            raise NotFound(f"call {call_id}")

    async def last_seq(self, call_id: int) -> int:
        """The sequence number of the call's latest event (0 before the first)."""
        row = await self._one(_LAST_SEQ, (call_id,))
        return int(row["seq"]) if row else 0

    async def append_event(
        self,
        call_id: int,
        expected_seq: int,
        kind: str,
        step: str | None,
        payload: Mapping[str, Any],
        *,
        now: datetime,
    ) -> CallEvent:
        """Append the event numbered `expected_seq`; raises StaleSequence unless it is next.

        Buttons carry the sequence number they were drawn at, so of two taps on the same
        screen exactly one appends and the other fails here, whatever order they arrive in.
        """
        created_at = to_db_time(now)
        try:
            changed = await self._run(
                _APPEND_EVENT,
                _event_params(call_id, expected_seq, kind, step, payload, created_at),
            )
        except sqlite3.IntegrityError as e:
            # The primary key is the last line of defence should the guard above ever race.
            if not _is_duplicate_key(e):
                raise
            changed = 0
        if not changed:
            raise StaleSequence(call_id, expected_seq, await self.last_seq(call_id))
        await self._run("UPDATE calls SET updated_at = ? WHERE id = ?", (created_at, call_id))
        return CallEvent(
            call_id, expected_seq, kind, step, _frozen(payload), from_db_time(created_at)
        )

    async def list_events(self, call_id: int) -> list[CallEvent]:
        """The call's event log in order."""
        rows = await self._all(_EVENTS_AFTER, (call_id, 0))
        return [_call_event(row) for row in rows]

    async def list_no_fit(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[NoFitText]:
        """Every "no fitting answer" text typed in [since, until), oldest first."""
        start = to_db_time(since) if since is not None else _BEFORE_ALL_TIMES
        end = to_db_time(until) if until is not None else _AFTER_ALL_TIMES
        rows = await self._all(_NO_FIT, (start, end))
        return [
            NoFitText(
                call_id=row["call_id"],
                seq=row["seq"],
                flow_id=row["flow_id"],
                flow_version=row["flow_version"],
                step=row["step"],
                text=str(from_json(row["payload"]).get("text", "")),
                hunter_id=row["hunter_id"],
                hunter_name=row["hunter_name"],
                created_at=from_db_time(row["created_at"]),
            )
            for row in rows
        ]

    @staticmethod
    def _call(row: Row) -> Call:
        return Call(
            id=row["id"],
            hunter_id=row["hunter_id"],
            flow_id=row["flow_id"],
            flow_version=row["flow_version"],
            status=CallStatus(row["status"]),
            outcome=row["outcome"],
            outcome_reason=row["outcome_reason"],
            card=_frozen(from_json(row["card"])),
            chat_id=row["chat_id"],
            screen_message_id=row["screen_message_id"],
            started_at=from_db_time(row["started_at"]),
            updated_at=from_db_time(row["updated_at"]),
            finished_at=optional_time(row["finished_at"]),
        )


_MINOR_UNITS = Decimal(100)


def _to_minor(amount: Decimal | None) -> int | None:
    if amount is None:
        return None
    return int((amount * _MINOR_UNITS).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _from_minor(minor: int | None) -> Decimal | None:
    return None if minor is None else Decimal(minor) / _MINOR_UNITS


_LEAD = "SELECT * FROM leads WHERE id = ?"
_LEAD_OF_CALL = "SELECT * FROM leads WHERE call_id = ?"
_CREATE_LEAD = (
    "INSERT INTO leads (call_id, hunter_id, flow_id, flow_version, score, temperature,"
    " lead_class, probability, expected_value, currency, card, status, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ENQUEUE = (
    "INSERT INTO outbox (lead_id, kind, chat_id, payload, status, next_attempt_at,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id, kind) DO NOTHING"
)
_OUTBOX_OF_LEAD = "SELECT * FROM outbox WHERE lead_id = ? AND kind = ?"
_ADD_NOTE = "INSERT INTO notes (call_id, author_id, text, created_at) VALUES (?, ?, ?, ?)"
_REMINDER = "SELECT * FROM reminders WHERE id = ?"
_ADD_REMINDER = (
    "INSERT INTO reminders (user_id, chat_id, call_id, due_at, text, status, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)

_CANCEL_REMINDERS = "UPDATE reminders SET status = ? WHERE call_id = ? AND status = ?"


def _cancel_reminders_params(call_id: int) -> tuple[Any, ...]:
    return (ReminderStatus.CANCELLED.value, call_id, ReminderStatus.PENDING.value)


def _new_lead_params(lead: NewLead, now: datetime) -> tuple[Any, ...]:
    return (
        lead.call_id,
        lead.hunter_id,
        lead.flow_id,
        lead.flow_version,
        lead.score,
        lead.temperature,
        lead.lead_class,
        lead.probability,
        lead.expected_value,
        lead.currency,
        to_json(lead.card),
        LeadStatus.NEW.value,
        to_db_time(now),
        to_db_time(now),
    )


def _enqueue_params(
    lead_id: int, kind: str, chat_id: int, payload: Mapping[str, Any], now: datetime
) -> tuple[Any, ...]:
    return (
        lead_id,
        kind,
        chat_id,
        to_json(payload),
        OutboxStatus.PENDING.value,
        to_db_time(now),
        to_db_time(now),
    )


def _reminder_params(
    user_id: int, chat_id: int, call_id: int | None, due_at: datetime, text: str, now: datetime
) -> tuple[Any, ...]:
    return (
        user_id,
        chat_id,
        call_id,
        to_db_time(due_at),
        text,
        ReminderStatus.PENDING.value,
        to_db_time(now),
    )


class LeadsRepo(_Repo):
    """Qualified leads and what managers do with them."""

    async def create(
        self,
        lead: NewLead,
        *,
        now: datetime,
        alert_chat_id: int | None,
        alert_payload: Mapping[str, Any] | None = None,
    ) -> Lead:
        """Record the lead and, with a managers' chat, its alert in the outbox, atomically.

        Both rows go through the caller's transaction: either the lead exists and its alert
        will be delivered, or neither happened.
        """
        existing = await self.get_by_call(lead.call_id)
        if existing is not None:
            raise LeadAlreadyExists(lead.call_id, existing.id)
        lead_id = await self._insert(_CREATE_LEAD, _new_lead_params(lead, now))
        if alert_chat_id is not None:
            await OutboxRepo(self._conn).enqueue(
                lead_id, ALERT, alert_chat_id, alert_payload or {}, now=now
            )
        return await self.require(lead_id)

    async def get(self, lead_id: int) -> Lead | None:
        """The lead, or None."""
        row = await self._one(_LEAD, (lead_id,))
        return None if row is None else self._lead(row)

    async def require(self, lead_id: int) -> Lead:
        """The lead; raises NotFound if it does not exist."""
        lead = await self.get(lead_id)
        if lead is None:
            raise NotFound(f"lead {lead_id}")
        return lead

    async def get_by_call(self, call_id: int) -> Lead | None:
        """The lead a call produced, if any."""
        row = await self._one(_LEAD_OF_CALL, (call_id,))
        return None if row is None else self._lead(row)

    async def claim(self, lead_id: int, manager_id: int, *, now: datetime) -> bool:
        """Take an unclaimed lead; False if someone else was first (the first tap wins)."""
        changed = await self._run(
            "UPDATE leads SET status = ?, owner_id = ?, claimed_at = ?, updated_at = ?"
            " WHERE id = ? AND status = ?",
            (
                LeadStatus.CLAIMED.value,
                manager_id,
                to_db_time(now),
                to_db_time(now),
                lead_id,
                LeadStatus.NEW.value,
            ),
        )
        return changed > 0

    async def set_status(self, lead_id: int, status: LeadStatus, *, now: datetime) -> None:
        """Move the lead along (in progress, rejected...)."""
        changed = await self._run(
            "UPDATE leads SET status = ?, updated_at = ? WHERE id = ?",
            (status.value, to_db_time(now), lead_id),
        )
        if not changed:
            raise NotFound(f"lead {lead_id}")

    async def record_outcome(
        self,
        lead_id: int,
        status: LeadStatus,
        *,
        amount: Decimal | None,
        reason: str | None,
        now: datetime,
    ) -> None:
        """Close the lead as won (with the amount) or lost/rejected (with a reason)."""
        if status not in (LeadStatus.WON, LeadStatus.LOST, LeadStatus.REJECTED):
            raise ValueError(f"{status} is not an outcome")
        changed = await self._run(
            "UPDATE leads SET status = ?, outcome_amount_minor = ?, outcome_reason = ?,"
            " outcome_at = ?, updated_at = ? WHERE id = ?",
            (status.value, _to_minor(amount), reason, to_db_time(now), to_db_time(now), lead_id),
        )
        if not changed:
            raise NotFound(f"lead {lead_id}")

    async def list_for_owner(
        self, owner_id: int, *, statuses: Iterable[LeadStatus] | None = None, limit: int = 20
    ) -> list[Lead]:
        """The manager's leads, newest first, optionally only in some statuses."""
        wanted = [s.value for s in (statuses or LeadStatus)]
        marks = ", ".join("?" for _ in wanted)
        rows = await self._all(
            f"SELECT * FROM leads WHERE owner_id = ? AND status IN ({marks})"  # noqa: S608
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (owner_id, *wanted, limit),
        )
        return [self._lead(row) for row in rows]

    @staticmethod
    def _lead(row: Row) -> Lead:
        return Lead(
            id=row["id"],
            call_id=row["call_id"],
            hunter_id=row["hunter_id"],
            flow_id=row["flow_id"],
            flow_version=row["flow_version"],
            score=row["score"],
            temperature=row["temperature"],
            lead_class=row["lead_class"],
            probability=row["probability"],
            expected_value=row["expected_value"],
            currency=row["currency"],
            card=_frozen(from_json(row["card"])),
            status=LeadStatus(row["status"]),
            owner_id=row["owner_id"],
            claimed_at=optional_time(row["claimed_at"]),
            outcome_amount=_from_minor(row["outcome_amount_minor"]),
            outcome_reason=row["outcome_reason"],
            outcome_at=optional_time(row["outcome_at"]),
            created_at=from_db_time(row["created_at"]),
        )


class NotesRepo(_Repo):
    """Free-text notes on calls."""

    async def add(self, call_id: int, author_id: int, text: str, *, now: datetime) -> Note:
        """Attach a note to the call."""
        note_id = await self._insert(_ADD_NOTE, (call_id, author_id, text, to_db_time(now)))
        return Note(note_id, call_id, author_id, text, from_db_time(to_db_time(now)))

    async def list_for_call(self, call_id: int) -> list[Note]:
        """The call's notes, oldest first."""
        rows = await self._all("SELECT * FROM notes WHERE call_id = ? ORDER BY id", (call_id,))
        return [
            Note(r["id"], r["call_id"], r["author_id"], r["text"], from_db_time(r["created_at"]))
            for r in rows
        ]


class RemindersRepo(_Repo):
    """Reminders the bot sends at a due time (callbacks to make)."""

    async def add(
        self,
        *,
        user_id: int,
        chat_id: int,
        due_at: datetime,
        text: str,
        now: datetime,
        call_id: int | None = None,
    ) -> Reminder:
        """Schedule a reminder."""
        reminder_id = await self._insert(
            _ADD_REMINDER, _reminder_params(user_id, chat_id, call_id, due_at, text, now)
        )
        reminder = await self.get(reminder_id)
        if reminder is None:  # pragma: no cover - just inserted in this transaction
            raise NotFound(f"reminder {reminder_id}")
        return reminder

    async def get(self, reminder_id: int) -> Reminder | None:
        """The reminder, or None."""
        row = await self._one(_REMINDER, (reminder_id,))
        return None if row is None else self._reminder(row)

    async def due(self, now: datetime, *, limit: int = 50) -> list[Reminder]:
        """Pending reminders whose time has come, oldest first."""
        rows = await self._all(
            "SELECT * FROM reminders WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (ReminderStatus.PENDING.value, to_db_time(now), limit),
        )
        return [self._reminder(row) for row in rows]

    async def pending_for_user(self, user_id: int, *, limit: int = 20) -> list[Reminder]:
        """The person's reminders still to come (or overdue), soonest first."""
        rows = await self._all(
            "SELECT * FROM reminders WHERE user_id = ? AND status = ? ORDER BY due_at, id LIMIT ?",
            (user_id, ReminderStatus.PENDING.value, limit),
        )
        return [self._reminder(row) for row in rows]

    async def mark_sent(self, reminder_id: int, *, now: datetime) -> None:
        """The reminder reached the person."""
        await self._run(
            "UPDATE reminders SET status = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?",
            (ReminderStatus.SENT.value, to_db_time(now), reminder_id),
        )

    async def record_failure(self, reminder_id: int, error: str, *, give_up: bool) -> None:
        """A delivery attempt failed; with `give_up` it will not be retried."""
        status = ReminderStatus.FAILED if give_up else ReminderStatus.PENDING
        await self._run(
            "UPDATE reminders SET status = ?, attempts = attempts + 1, last_error = ?"
            " WHERE id = ?",
            (status.value, error[:500], reminder_id),
        )

    async def cancel_for_call(self, call_id: int) -> int:
        """Cancel the call's pending reminders (the callback happened); returns how many."""
        return await self._run(_CANCEL_REMINDERS, _cancel_reminders_params(call_id))

    @staticmethod
    def _reminder(row: Row) -> Reminder:
        return Reminder(
            id=row["id"],
            user_id=row["user_id"],
            chat_id=row["chat_id"],
            call_id=row["call_id"],
            due_at=from_db_time(row["due_at"]),
            text=row["text"],
            status=ReminderStatus(row["status"]),
            attempts=row["attempts"],
            sent_at=optional_time(row["sent_at"]),
        )


class OutboxRepo(_Repo):
    """Deliveries that committed with their lead and wait to be sent."""

    async def enqueue(
        self,
        lead_id: int,
        kind: str,
        chat_id: int,
        payload: Mapping[str, Any],
        *,
        now: datetime,
    ) -> OutboxMessage:
        """Queue a delivery; idempotent per (lead, kind): a replay returns the existing row."""
        await self._run(_ENQUEUE, _enqueue_params(lead_id, kind, chat_id, payload, now))
        row = await self._one(_OUTBOX_OF_LEAD, (lead_id, kind))
        if row is None:  # pragma: no cover - inserted or already there
            raise NotFound(f"outbox {lead_id}/{kind}")
        return self._message(row)

    async def get(self, message_id: int) -> OutboxMessage | None:
        """The outbox row, or None."""
        row = await self._one("SELECT * FROM outbox WHERE id = ?", (message_id,))
        return None if row is None else self._message(row)

    async def of_lead(self, lead_id: int, kind: str) -> OutboxMessage | None:
        """The lead's delivery of that kind (its alert, a reminder), or None."""
        row = await self._one(_OUTBOX_OF_LEAD, (lead_id, kind))
        return None if row is None else self._message(row)

    async def next_pending(self, now: datetime, *, limit: int = 10) -> list[OutboxMessage]:
        """Pending deliveries whose next attempt is due, oldest first."""
        rows = await self._all(
            "SELECT * FROM outbox WHERE status = ? AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, id LIMIT ?",
            (OutboxStatus.PENDING.value, to_db_time(now), limit),
        )
        return [self._message(row) for row in rows]

    async def pending_since(self, moment: datetime) -> list[OutboxMessage]:
        """Deliveries still pending that were queued before `moment` (stuck ones)."""
        rows = await self._all(
            "SELECT * FROM outbox WHERE status = ? AND created_at < ? ORDER BY id",
            (OutboxStatus.PENDING.value, to_db_time(moment)),
        )
        return [self._message(row) for row in rows]

    async def mark_sent(self, outbox_id: int, *, message_id: int | None, now: datetime) -> None:
        """Delivered; remembers the Telegram message id for later edits."""
        await self._run(
            "UPDATE outbox SET status = ?, message_id = ?, sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE id = ?",
            (OutboxStatus.SENT.value, message_id, to_db_time(now), outbox_id),
        )

    async def mark_failed(self, outbox_id: int, *, error: str, retry_at: datetime) -> None:
        """A retryable failure: try again no sooner than `retry_at`."""
        await self._run(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
            " WHERE id = ?",
            (error[:500], to_db_time(retry_at), outbox_id),
        )

    async def mark_dead(self, outbox_id: int, *, error: str) -> None:
        """Give up on the delivery (chat gone, too many failures)."""
        await self._run(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
            (OutboxStatus.DEAD.value, error[:500], outbox_id),
        )

    async def retarget_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Point pending deliveries at a chat's new id (a group upgraded to a supergroup)."""
        return await self._run(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = ?",
            (new_chat_id, old_chat_id, OutboxStatus.PENDING.value),
        )

    @staticmethod
    def _message(row: Row) -> OutboxMessage:
        return OutboxMessage(
            id=row["id"],
            lead_id=row["lead_id"],
            kind=row["kind"],
            chat_id=row["chat_id"],
            payload=_frozen(from_json(row["payload"])),
            status=OutboxStatus(row["status"]),
            attempts=row["attempts"],
            next_attempt_at=from_db_time(row["next_attempt_at"]),
            last_error=row["last_error"],
            message_id=row["message_id"],
            created_at=from_db_time(row["created_at"]),
            sent_at=optional_time(row["sent_at"]),
        )


class CallRecords:
    """A call's rows over a plain sqlite3 connection, for units of work on the database threads.

    `CallService` sends a whole use case to `Database.read` or `Database.write` as one function,
    one hop to the database's thread instead of one per statement. The statements and the rows
    returned are the async repositories' own.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, call_id: int) -> Call | None:
        """The call, or None."""
        row = self._conn.execute(_CALL, (call_id,)).fetchone()
        return None if row is None else CallsRepo._call(row)

    def require(self, call_id: int) -> Call:
        """The call; raises NotFound if it does not exist."""
        call = self.get(call_id)
        if call is None:
            raise NotFound(f"call {call_id}")
        return call

    def last_seq(self, call_id: int) -> int:
        """The sequence number of the call's latest event (0 before the first)."""
        row = self._conn.execute(_LAST_SEQ, (call_id,)).fetchone()
        return int(row["seq"]) if row else 0

    def events_after(self, call_id: int, seq: int) -> list[CallEvent]:
        """The call's events numbered after `seq`, in order."""
        rows = self._conn.execute(_EVENTS_AFTER, (call_id, seq)).fetchall()
        return [_call_event(row) for row in rows]

    def create(
        self,
        *,
        hunter_id: int,
        flow_id: str,
        flow_version: int,
        chat_id: int,
        now: datetime,
        card: Mapping[str, Any] | None = None,
    ) -> Call:
        """Open a new call for the hunter on a given flow version."""
        params = _new_call_params(hunter_id, flow_id, flow_version, chat_id, now, card)
        call_id = self._conn.execute(_CREATE_CALL, params).lastrowid
        if call_id is None:  # pragma: no cover - sqlite always reports it for INSERT
            raise RuntimeError("INSERT did not report a row id")
        return self.require(call_id)

    def append(
        self,
        call_id: int,
        first_seq: int,
        events: Iterable[tuple[str, str | None, Mapping[str, Any]]],
        *,
        now: datetime,
        card: Mapping[str, Any] | None = None,
    ) -> None:
        """Append (kind, step, payload) events numbered from `first_seq`, and the new card.

        Raises StaleSequence, having appended nothing the caller keeps, unless `first_seq` is
        the next number in the log (see `CallsRepo.append_event`).
        """
        at = to_db_time(now)
        seq = first_seq
        for kind, step, payload in events:
            try:
                changed = self._conn.execute(
                    _APPEND_EVENT, _event_params(call_id, seq, kind, step, payload, at)
                ).rowcount
            except sqlite3.IntegrityError as e:
                if not _is_duplicate_key(e):
                    raise
                changed = 0
            if not changed:
                raise StaleSequence(call_id, seq, self.last_seq(call_id))
            seq += 1
        if card is None:
            self._update(call_id, "", (), at)
        else:
            self._update(call_id, "card = ?, ", (to_json(card),), at)

    def set_status(self, call_id: int, status: CallStatus, *, now: datetime) -> None:
        """Pause or reopen a call; finishing goes through `finish` (it needs an outcome)."""
        if status is CallStatus.FINISHED:
            raise ValueError("use finish() to end a call")
        self._update(call_id, _REOPEN_CALL + ", ", (status.value,), to_db_time(now))

    def finish(self, call_id: int, *, outcome: str, reason: str | None, now: datetime) -> None:
        """End the call with its outcome."""
        at = to_db_time(now)
        finished = (CallStatus.FINISHED.value, outcome, reason, at)
        self._update(call_id, _FINISH_CALL + ", ", finished, at)

    def set_screen_message(
        self, call_id: int, *, chat_id: int, message_id: int | None, now: datetime
    ) -> None:
        """Remember which message shows the call screen."""
        self._update(call_id, _SCREEN_MESSAGE + ", ", (chat_id, message_id), to_db_time(now))

    def add_note(self, call_id: int, author_id: int, text: str, *, now: datetime) -> None:
        """Attach a note to the call."""
        self._conn.execute(_ADD_NOTE, (call_id, author_id, text, to_db_time(now)))

    def lead(self, call_id: int) -> Lead | None:
        """The lead the call produced, if any."""
        row = self._conn.execute(_LEAD_OF_CALL, (call_id,)).fetchone()
        return None if row is None else LeadsRepo._lead(row)

    def create_lead(
        self,
        lead: NewLead,
        *,
        now: datetime,
        alert_chat_id: int | None,
        alert_payload: Mapping[str, Any] | None = None,
    ) -> Lead:
        """The lead and, with a managers' chat, its alert (see `LeadsRepo.create`)."""
        existing = self.lead(lead.call_id)
        if existing is not None:
            raise LeadAlreadyExists(lead.call_id, existing.id)
        lead_id = self._conn.execute(_CREATE_LEAD, _new_lead_params(lead, now)).lastrowid
        if lead_id is None:  # pragma: no cover - sqlite always reports it for INSERT
            raise RuntimeError("INSERT did not report a row id")
        if alert_chat_id is not None:
            self._conn.execute(
                _ENQUEUE, _enqueue_params(lead_id, ALERT, alert_chat_id, alert_payload or {}, now)
            )
        row = self._conn.execute(_LEAD, (lead_id,)).fetchone()
        return LeadsRepo._lead(row)

    def add_reminder(
        self,
        *,
        user_id: int,
        chat_id: int,
        due_at: datetime,
        text: str,
        now: datetime,
        call_id: int | None = None,
    ) -> Reminder:
        """Schedule a reminder."""
        params = _reminder_params(user_id, chat_id, call_id, due_at, text, now)
        reminder_id = self._conn.execute(_ADD_REMINDER, params).lastrowid
        row = self._conn.execute(_REMINDER, (reminder_id,)).fetchone()
        return RemindersRepo._reminder(row)

    def cancel_reminders(self, call_id: int) -> int:
        """Cancel the call's pending reminders (the callback happened); returns how many."""
        return self._conn.execute(_CANCEL_REMINDERS, _cancel_reminders_params(call_id)).rowcount

    def _update(self, call_id: int, assignments: str, params: tuple[Any, ...], at: str) -> None:
        # `assignments` ("column = ?, " each) is always a literal from this class, never input.
        changed = self._conn.execute(
            f"UPDATE calls SET {assignments}updated_at = ? WHERE id = ?",  # noqa: S608
            (*params, at, call_id),
        ).rowcount
        if not changed:
            raise NotFound(f"call {call_id}")
