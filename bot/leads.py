"""What managers do with a lead: claim, pass, reject, mark the outcome; SLA marks; shifts.

Every use case is one write transaction that re-reads the lead first: callback data is not
signed and two managers press at the same moment, so the database decides who may do what.
Refusals are values (`Refusal`), not exceptions: the handler turns them into a short answer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, from_db_time, from_json, optional_time, to_db_time, to_json
from bot.domain import Account, Lead, LeadStatus, OutboxStatus, Role
from bot.repositories import ALERT, LeadsRepo, OutboxRepo, UsersRepo
from scripts.summary import CallSummary

logger = logging.getLogger(__name__)

OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CLAIMED, LeadStatus.IN_PROGRESS)
"""Leads someone still has to work on."""
OWNED_STATUSES = (LeadStatus.CLAIMED, LeadStatus.IN_PROGRESS)
"""Leads with an owner who has not closed them yet."""
CLOSED_STATUSES = (LeadStatus.WON, LeadStatus.LOST, LeadStatus.REJECTED)
LEAD_READERS = (Role.MANAGER, Role.ADMIN)
"""Who may read leads (lists, cards, details, reports); acting on them is for managers."""

SLA_REMINDER = "sla_reminder"
"""Outbox kind: the managers' chat is reminded that a lead waits past its SLA."""
SLA_ESCALATION = "sla_escalation"
"""Outbox kind prefix (`sla_escalation:<admin id>`): an admin is told at twice the SLA."""
ASSIGNMENT = "assign"
"""Outbox kind: the round-robin assignee gets the card privately."""
DEAD_REPORT = "dead_report"
"""Outbox kind prefix (`dead_report:<admin id>`): an admin learns an alert was not delivered."""


class LostReason(StrEnum):
    """Why a deal was lost; the list managers pick from."""

    EXPENSIVE = "expensive"
    COMPETITOR = "competitor"
    NO_BUDGET = "no_budget"
    NO_ANSWER = "no_answer"
    POSTPONED = "postponed"
    OTHER = "other"


class RejectReason(StrEnum):
    """Why a lead is not a target lead at all."""

    NOT_OUR_PROFILE = "profile"
    NO_NEED = "no_need"
    DUPLICATE = "duplicate"
    WRONG_CONTACT = "contact"
    OTHER = "other"


class LeadEventKind(StrEnum):
    """What happened to a lead in the managers' hands."""

    CLAIMED = "claimed"
    PASSED = "passed"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    WON = "won"
    LOST = "lost"
    ASSIGNED = "assigned"


class Refusal(StrEnum):
    """Why an action on a lead was not done."""

    NOT_MANAGER = "not_manager"
    NOT_FOUND = "not_found"
    TAKEN = "taken"
    ALREADY_YOURS = "already_yours"
    NOT_OWNER = "not_owner"
    CLOSED = "closed"
    NOT_CLAIMED = "not_claimed"
    BAD_COLLEAGUE = "bad_colleague"


@dataclass(frozen=True, slots=True)
class LeadEvent:
    """One thing a manager (or the bot) did with a lead."""

    lead_id: int
    kind: LeadEventKind
    actor_id: int | None
    payload: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LeadMessage:
    """A message that shows a lead: its card, or a digest line."""

    lead_id: int
    chat_id: int
    message_id: int
    kind: str


@dataclass(frozen=True, slots=True)
class SlaWait:
    """A lead waiting for a manager: since its alert was delivered, against its SLA."""

    lead_id: int
    alerted_at: datetime
    sla_minutes: int


@dataclass(frozen=True, slots=True)
class LeadView:
    """A lead with everything its card shows: the summary and the people's names."""

    lead: Lead
    summary: CallSummary | None
    hunter_name: str
    owner_name: str | None
    assignee_name: str | None
    first_contact_at: datetime | None

    @property
    def sla_minutes(self) -> int | None:
        """Minutes within which the lead should be claimed (from its class), if any."""
        return self.summary.sla_minutes if self.summary else None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What came of a press: the lead as it now stands, or why nothing was done."""

    view: LeadView | None
    refusal: Refusal | None = None

    @property
    def done(self) -> bool:
        """Whether the action took effect."""
        return self.refusal is None


def summary_of(lead: Lead) -> CallSummary | None:
    """The call summary stored as the lead's card, or None if the card is not one."""
    try:
        return CallSummary.from_json(lead.card)
    except (TypeError, ValueError, KeyError):
        logger.warning("Lead %s has a card that is not a call summary", lead.id)
        return None


class _Sql:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def _row(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
        return row

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount


class LeadEventsRepo(_Sql):
    """The managers' actions on leads, append-only."""

    async def add(
        self,
        lead_id: int,
        kind: LeadEventKind,
        *,
        actor_id: int | None,
        now: datetime,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Record one action."""
        await self._run(
            "INSERT INTO lead_events (lead_id, kind, actor_id, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (lead_id, kind.value, actor_id, to_json(payload or {}), to_db_time(now)),
        )

    async def list_for_lead(self, lead_id: int) -> list[LeadEvent]:
        """The lead's actions, oldest first."""
        rows = await self._rows(
            "SELECT * FROM lead_events WHERE lead_id = ? ORDER BY id", (lead_id,)
        )
        return [
            LeadEvent(
                lead_id=row["lead_id"],
                kind=LeadEventKind(row["kind"]),
                actor_id=row["actor_id"],
                payload=from_json(row["payload"]),
                created_at=from_db_time(row["created_at"]),
            )
            for row in rows
        ]


class LeadMessagesRepo(_Sql):
    """Which messages show which lead."""

    async def add(
        self, lead_id: int, chat_id: int, message_id: int, kind: str, *, now: datetime
    ) -> None:
        """Remember that a message shows the lead."""
        await self._run(
            "INSERT INTO lead_messages (lead_id, chat_id, message_id, kind, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (lead_id, chat_id, message_id, kind, to_db_time(now)),
        )

    async def for_lead(self, lead_id: int) -> list[LeadMessage]:
        """Every message showing the lead, oldest first."""
        rows = await self._rows(
            "SELECT * FROM lead_messages WHERE lead_id = ? ORDER BY created_at, message_id",
            (lead_id,),
        )
        return [self._message(row) for row in rows]

    async def in_message(self, chat_id: int, message_id: int) -> list[int]:
        """The leads a message shows (one for a card, several for a digest), in id order."""
        rows = await self._rows(
            "SELECT lead_id FROM lead_messages WHERE chat_id = ? AND message_id = ?"
            " ORDER BY lead_id",
            (chat_id, message_id),
        )
        return [row["lead_id"] for row in rows]

    async def card_in_chat(self, lead_id: int, chat_id: int) -> int | None:
        """The id of the lead's card in a chat, if one was posted there."""
        row = await self._row(
            "SELECT message_id FROM lead_messages WHERE lead_id = ? AND chat_id = ?"
            " AND kind = 'card' ORDER BY created_at DESC LIMIT 1",
            (lead_id, chat_id),
        )
        return None if row is None else int(row["message_id"])

    async def latest_in_chat(self, lead_id: int, chat_id: int) -> LeadMessage | None:
        """The latest message showing the lead in a chat (its card or a digest), if any."""
        row = await self._row(
            "SELECT * FROM lead_messages WHERE lead_id = ? AND chat_id = ?"
            " ORDER BY created_at DESC, message_id DESC LIMIT 1",
            (lead_id, chat_id),
        )
        return None if row is None else self._message(row)

    @staticmethod
    def _message(row: sqlite3.Row) -> LeadMessage:
        return LeadMessage(row["lead_id"], row["chat_id"], row["message_id"], row["kind"])


class ShiftsRepo(_Sql):
    """Who is on shift for round-robin assignment."""

    async def set(self, manager_id: int, on_shift: bool, *, now: datetime) -> None:
        """Start or end the manager's shift."""
        await self._run(
            "INSERT INTO shifts (manager_id, on_shift, changed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (manager_id) DO UPDATE SET on_shift = excluded.on_shift,"
            " changed_at = excluded.changed_at",
            (manager_id, int(on_shift), to_db_time(now)),
        )

    async def on_shift(self) -> list[int]:
        """The managers on shift who still hold the manager role, by id."""
        rows = await self._rows(
            "SELECT s.manager_id FROM shifts s JOIN user_roles r"
            " ON r.user_id = s.manager_id AND r.role = ?"
            " WHERE s.on_shift = 1 ORDER BY s.manager_id",
            (Role.MANAGER.value,),
        )
        return [row["manager_id"] for row in rows]


class StateRepo(_Sql):
    """Facts the bot learns at run time: chat migrations and small named values."""

    async def get(self, key: str) -> str | None:
        """A stored value, or None."""
        row = await self._row("SELECT value FROM bot_state WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    async def put(self, key: str, value: str, *, now: datetime) -> None:
        """Store a value under `key`."""
        await self._run(
            "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            (key, value, to_db_time(now)),
        )

    async def record_migration(self, old_chat_id: int, new_chat_id: int, *, now: datetime) -> None:
        """Remember that a chat moved to a new id (a group became a supergroup)."""
        await self._run(
            "INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (old_chat_id) DO UPDATE SET new_chat_id = excluded.new_chat_id,"
            " migrated_at = excluded.migrated_at",
            (old_chat_id, new_chat_id, to_db_time(now)),
        )

    async def resolve_chat(self, chat_id: int) -> int:
        """The chat's current id, following migrations (a chain, in theory, never a loop)."""
        seen = {chat_id}
        while True:
            row = await self._row(
                "SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", (chat_id,)
            )
            if row is None or row["new_chat_id"] in seen:
                return chat_id
            chat_id = int(row["new_chat_id"])
            seen.add(chat_id)


_SLA_OF_CARD = "CASE WHEN json_valid(l.card) THEN json_extract(l.card, '$.sla_minutes') END"
"""The lead's SLA in minutes, read from its stored call summary (NULL when there is none)."""


class LeadExtrasRepo(_Sql):
    """Lead columns the managers' side added: assignment and first contact."""

    async def extras(self, lead_id: int) -> tuple[int | None, datetime | None]:
        """The round-robin assignee and the time of the owner's first contact."""
        row = await self._row(
            "SELECT assigned_to, first_contact_at FROM leads WHERE id = ?", (lead_id,)
        )
        if row is None:
            return None, None
        return row["assigned_to"], optional_time(row["first_contact_at"])

    async def assign(self, lead_id: int, manager_id: int, *, now: datetime) -> bool:
        """Suggest the lead to a manager; False if it already has an assignee."""
        changed = await self._run(
            "UPDATE leads SET assigned_to = ?, updated_at = ?"
            " WHERE id = ? AND assigned_to IS NULL",
            (manager_id, to_db_time(now), lead_id),
        )
        return changed > 0

    async def first_contact(self, lead_id: int, *, now: datetime) -> None:
        """Remember when the owner first reported contact (kept if already set)."""
        await self._run(
            "UPDATE leads SET first_contact_at = ? WHERE id = ? AND first_contact_at IS NULL",
            (to_db_time(now), lead_id),
        )

    async def transfer(self, lead: Lead, to_manager: int, *, now: datetime) -> bool:
        """Hand the lead to a colleague: the owner passes it, or anyone passes a new one."""
        if lead.status is LeadStatus.NEW:
            changed = await self._run(
                "UPDATE leads SET status = ?, owner_id = ?, claimed_at = ?, updated_at = ?"
                " WHERE id = ? AND status = ?",
                (
                    LeadStatus.CLAIMED.value,
                    to_manager,
                    to_db_time(now),
                    to_db_time(now),
                    lead.id,
                    LeadStatus.NEW.value,
                ),
            )
        else:
            changed = await self._run(
                "UPDATE leads SET owner_id = ?, updated_at = ? WHERE id = ? AND owner_id = ?",
                (to_manager, to_db_time(now), lead.id, lead.owner_id),
            )
        return changed > 0

    async def awaiting_sla_marks(self, *, reminders: bool, escalations: bool) -> list[SlaWait]:
        """New leads whose alert was delivered and that still lack a mark they could get.

        A lead drops out once its reminder (if `reminders`) and an escalation (if `escalations`)
        are queued, and leads without an SLA never enter, so stale leads piling up cannot
        crowd out new ones.
        """
        rows = await self._rows(
            f"SELECT l.id, o.sent_at, {_SLA_OF_CARD} AS minutes FROM leads l"  # noqa: S608
            " JOIN outbox o ON o.lead_id = l.id AND o.kind = ? AND o.status = ?"
            f" WHERE l.status = ? AND {_SLA_OF_CARD} > 0 AND ("
            " (? AND NOT EXISTS (SELECT 1 FROM outbox r WHERE r.lead_id = l.id AND r.kind = ?))"
            " OR (? AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.lead_id = l.id"
            " AND e.kind > ? AND e.kind < ?)))"
            " ORDER BY o.sent_at, l.id",
            (
                ALERT,
                OutboxStatus.SENT.value,
                LeadStatus.NEW.value,
                int(reminders),
                SLA_REMINDER,
                int(escalations),
                f"{SLA_ESCALATION}:",
                f"{SLA_ESCALATION};",  # ';' follows ':', so the range is the "kind:" prefix
            ),
        )
        return [
            SlaWait(row["id"], from_db_time(row["sent_at"]), int(row["minutes"])) for row in rows
        ]

    async def unassign(self, lead_id: int, manager_id: int, *, now: datetime) -> bool:
        """Take back a round-robin suggestion from a manager; False if it was not theirs."""
        changed = await self._run(
            "UPDATE leads SET assigned_to = NULL, updated_at = ?"
            " WHERE id = ? AND assigned_to = ? AND status = ?",
            (to_db_time(now), lead_id, manager_id, LeadStatus.NEW.value),
        )
        return changed > 0

    async def ids_with_status(
        self, statuses: Sequence[LeadStatus], *, limit: int = 500
    ) -> list[int]:
        """Lead ids in the given statuses, oldest first."""
        marks = ", ".join("?" for _ in statuses)
        rows = await self._rows(
            f"SELECT id FROM leads WHERE status IN ({marks}) ORDER BY id LIMIT ?",  # noqa: S608
            (*(s.value for s in statuses), limit),
        )
        return [row["id"] for row in rows]


class LeadPage(list[LeadView]):
    """The leads a list shows (the newest), knowing how many match in all."""

    def __init__(self, views: Iterable[LeadView], *, total: int) -> None:
        super().__init__(views)
        self.total = total

    @property
    def more(self) -> int:
        """How many matching leads the list leaves out."""
        return max(0, self.total - len(self))


class LeadFilter(StrEnum):
    """The lists `/leads` offers."""

    OPEN = "open"
    MINE = "mine"
    HOT = "hot"
    TODAY = "today"
    WEEK = "week"


async def list_leads(
    conn: aiosqlite.Connection,
    which: LeadFilter,
    *,
    viewer_id: int,
    now: datetime,
    zone: ZoneInfo,
    limit: int = 20,
) -> LeadPage:
    """The newest `limit` leads a `/leads` filter shows, and how many match in all."""
    open_marks = ", ".join("?" for _ in OPEN_STATUSES)
    open_values = [s.value for s in OPEN_STATUSES]
    where: str
    params: list[Any]
    if which is LeadFilter.OPEN:
        where, params = f"status IN ({open_marks})", open_values
    elif which is LeadFilter.MINE:
        where, params = "owner_id = ?", [viewer_id]
    elif which is LeadFilter.HOT:
        where, params = f"temperature = 'hot' AND status IN ({open_marks})", open_values
    else:
        local_midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        since = local_midnight if which is LeadFilter.TODAY else local_midnight - timedelta(6)
        where, params = "created_at >= ?", [to_db_time(since)]
    async with conn.execute(
        f"SELECT id FROM leads WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ?",  # noqa: S608
        (*params, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    async with conn.execute(f"SELECT COUNT(*) FROM leads WHERE {where}", params) as cursor:  # noqa: S608
        counted = await cursor.fetchone()
    views = [await load_view(conn, row["id"]) for row in rows]
    shown = [view for view in views if view is not None]
    return LeadPage(shown, total=max(int(counted[0]) if counted else 0, len(shown)))


async def load_view(conn: aiosqlite.Connection, lead_id: int) -> LeadView | None:
    """The lead and the names its card shows, or None if there is no such lead."""
    lead = await LeadsRepo(conn).get(lead_id)
    if lead is None:
        return None
    summary = summary_of(lead)
    assigned_to, first_contact_at = await LeadExtrasRepo(conn).extras(lead_id)
    names = await known_names(conn, [lead.hunter_id, lead.owner_id, assigned_to])
    hunter_name = names.get(lead.hunter_id) or (summary.hunter_name if summary else None)
    return LeadView(
        lead=lead,
        summary=summary,
        hunter_name=hunter_name or str(lead.hunter_id),
        owner_name=_name_or_id(names, lead.owner_id),
        assignee_name=_name_or_id(names, assigned_to),
        first_contact_at=first_contact_at,
    )


def _name_or_id(names: Mapping[int, str], user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return names.get(user_id) or str(user_id)


async def known_names(conn: aiosqlite.Connection, ids: Iterable[int | None]) -> dict[int, str]:
    """The names of the people who have one (they wrote to the bot), by id."""
    users = UsersRepo(conn)
    names: dict[int, str] = {}
    for user_id in {i for i in ids if i is not None}:
        account = await users.get(user_id)
        if account is not None and account.name:
            names[user_id] = account.name
    return names


# --- use cases ---------------------------------------------------------------------------------


async def claim_lead(db: Database, lead_id: int, actor: Account, *, now: datetime) -> ActionResult:
    """Take the lead: the first manager to press wins, everyone after learns who took it."""
    if not actor.has(Role.MANAGER):
        return ActionResult(None, Refusal.NOT_MANAGER)
    async with db.transaction() as conn:
        if await LeadsRepo(conn).claim(lead_id, actor.id, now=now):
            await LeadEventsRepo(conn).add(
                lead_id, LeadEventKind.CLAIMED, actor_id=actor.id, now=now
            )
            return ActionResult(await load_view(conn, lead_id))
        view = await load_view(conn, lead_id)
    if view is None:
        return ActionResult(None, Refusal.NOT_FOUND)
    if view.lead.owner_id == actor.id:
        return ActionResult(view, Refusal.ALREADY_YOURS)
    if view.lead.status in CLOSED_STATUSES and view.lead.owner_id is None:
        return ActionResult(view, Refusal.CLOSED)
    return ActionResult(view, Refusal.TAKEN)


async def pass_lead(
    db: Database, lead_id: int, actor: Account, colleague_id: int, *, now: datetime
) -> ActionResult:
    """Hand the lead to a colleague: the owner may, and anyone may pass an unclaimed one."""

    async def hand_over(conn: aiosqlite.Connection, lead: Lead) -> Refusal | None:
        colleague = await UsersRepo(conn).get(colleague_id)
        if colleague is None or not colleague.has(Role.MANAGER) or colleague_id == actor.id:
            return Refusal.BAD_COLLEAGUE
        if not await LeadExtrasRepo(conn).transfer(lead, colleague_id, now=now):
            return Refusal.TAKEN
        payload = {"from": lead.owner_id, "to": colleague_id}
        await LeadEventsRepo(conn).add(
            lead_id, LeadEventKind.PASSED, actor_id=actor.id, now=now, payload=payload
        )
        return None

    return await _act(db, lead_id, actor, allow_new=True, change=hand_over)


async def reject_lead(
    db: Database, lead_id: int, actor: Account, reason: RejectReason, *, now: datetime
) -> ActionResult:
    """Close the lead as not a target lead, with the reason."""
    return await _act(
        db,
        lead_id,
        actor,
        allow_new=True,
        change=_outcome(LeadStatus.REJECTED, actor, now, reason=reason.value),
    )


async def mark_in_progress(
    db: Database, lead_id: int, actor: Account, *, now: datetime
) -> ActionResult:
    """The owner is working the lead (the first such mark is the first contact)."""

    async def start(conn: aiosqlite.Connection, lead: Lead) -> Refusal | None:
        await LeadsRepo(conn).set_status(lead.id, LeadStatus.IN_PROGRESS, now=now)
        await LeadExtrasRepo(conn).first_contact(lead.id, now=now)
        await LeadEventsRepo(conn).add(
            lead.id, LeadEventKind.IN_PROGRESS, actor_id=actor.id, now=now
        )
        return None

    return await _act(db, lead_id, actor, allow_new=False, change=start)


async def mark_won(
    db: Database, lead_id: int, actor: Account, amount: Decimal, *, now: datetime
) -> ActionResult:
    """The owner closed the deal for `amount` (in the lead's currency)."""
    change = _outcome(LeadStatus.WON, actor, now, amount=amount)
    return await _act(db, lead_id, actor, allow_new=False, change=change)


async def mark_lost(
    db: Database, lead_id: int, actor: Account, reason: LostReason, *, now: datetime
) -> ActionResult:
    """The owner lost the deal, for a reason from the list."""
    change = _outcome(LeadStatus.LOST, actor, now, reason=reason.value)
    return await _act(db, lead_id, actor, allow_new=False, change=change)


async def may_act(db: Database, lead_id: int, actor: Account, *, allow_new: bool) -> ActionResult:
    """Whether `actor` may act on the lead now (asked before showing a picker or a prompt)."""
    if not actor.has(Role.MANAGER):
        return ActionResult(None, Refusal.NOT_MANAGER)
    view = await load_view(db.connection, lead_id)
    return ActionResult(view, permission(view, actor, allow_new=allow_new))


_Change = Callable[[aiosqlite.Connection, Lead], Awaitable[Refusal | None]]
"""A change to a lead inside the use case's transaction; it refuses before writing anything."""


async def _act(
    db: Database, lead_id: int, actor: Account, *, allow_new: bool, change: _Change
) -> ActionResult:
    """One manager's action in one transaction: re-read the lead, check, change, re-read."""
    if not actor.has(Role.MANAGER):
        return ActionResult(None, Refusal.NOT_MANAGER)
    async with db.transaction() as conn:
        view = await load_view(conn, lead_id)
        refusal = permission(view, actor, allow_new=allow_new)
        if view is None or refusal is not None:
            return ActionResult(view, refusal)
        refusal = await change(conn, view.lead)
        if refusal is not None:
            return ActionResult(view, refusal)
        return ActionResult(await load_view(conn, lead_id))


def _outcome(
    status: LeadStatus,
    actor: Account,
    now: datetime,
    *,
    amount: Decimal | None = None,
    reason: str | None = None,
) -> _Change:
    """Closing the lead as won, lost or not a target (the owner's first contact, if not yet)."""

    async def close(conn: aiosqlite.Connection, lead: Lead) -> Refusal | None:
        await LeadsRepo(conn).record_outcome(
            lead.id, status, amount=amount, reason=reason, now=now
        )
        if status is not LeadStatus.REJECTED:
            await LeadExtrasRepo(conn).first_contact(lead.id, now=now)
        payload: dict[str, Any] = {"reason": reason} if reason else {"amount": str(amount)}
        await LeadEventsRepo(conn).add(
            lead.id, LeadEventKind(status.value), actor_id=actor.id, now=now, payload=payload
        )
        return None

    return close


def permission(view: LeadView | None, actor: Account, *, allow_new: bool) -> Refusal | None:
    """Owner-only actions on owned leads; `allow_new` lets any manager act on an unclaimed one."""
    if view is None:
        return Refusal.NOT_FOUND
    lead = view.lead
    if lead.status in CLOSED_STATUSES:
        return Refusal.CLOSED
    if lead.status is LeadStatus.NEW:
        return None if allow_new else Refusal.NOT_CLAIMED
    if lead.owner_id != actor.id:
        return Refusal.NOT_OWNER
    return None


# --- SLA, shifts, round-robin ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlaMarks:
    """What one SLA check queued: reminders in the managers' chat and escalations to admins."""

    reminders: tuple[int, ...] = ()
    escalations: tuple[int, ...] = ()


async def queue_sla_marks(db: Database, *, now: datetime, chat_id: int | None) -> SlaMarks:
    """Queue a reminder for each unclaimed lead past its SLA and tell admins at twice the SLA.

    The SLA counts from the alert's delivery: a lead held back by flood control is not late.
    The marks are outbox rows, unique per lead and kind, so a check repeated after a restart
    finds them and queues nothing twice.
    """
    reminders: list[int] = []
    escalations: list[int] = []
    async with db.transaction() as conn:
        admins = [account.id for account in await UsersRepo(conn).list_by_role(Role.ADMIN)]
        outbox = OutboxRepo(conn)
        waiting = await LeadExtrasRepo(conn).awaiting_sla_marks(
            reminders=chat_id is not None, escalations=bool(admins)
        )
        for lead in waiting:
            # The clock starts when the managers could see the lead, not when it was queued.
            waited = now - lead.alerted_at
            sla = timedelta(minutes=lead.sla_minutes)
            if waited >= sla and chat_id is not None:
                row = await outbox.enqueue(lead.lead_id, SLA_REMINDER, chat_id, {}, now=now)
                if row.created_at == now:
                    reminders.append(lead.lead_id)
            if waited >= 2 * sla:
                for admin_id in admins:
                    kind = f"{SLA_ESCALATION}:{admin_id}"
                    row = await outbox.enqueue(lead.lead_id, kind, admin_id, {}, now=now)
                    if row.created_at == now and lead.lead_id not in escalations:
                        escalations.append(lead.lead_id)
    return SlaMarks(tuple(reminders), tuple(escalations))


async def set_shift(db: Database, manager: Account, on_shift: bool, *, now: datetime) -> list[int]:
    """Start or end the manager's shift; returns who is on shift now."""
    async with db.transaction() as conn:
        shifts = ShiftsRepo(conn)
        await shifts.set(manager.id, on_shift, now=now)
        return await shifts.on_shift()


ROUND_ROBIN_KEY = "round_robin_last"


async def assign_next_on_shift(
    conn: aiosqlite.Connection, lead_id: int, *, now: datetime
) -> int | None:
    """Assign a new lead to the next manager on shift (rotating) and queue their private copy.

    Runs inside the caller's transaction. Returns the assignee, or None when nobody is on shift
    or the lead already has one (so a retried delivery does not assign twice).
    """
    lead = await LeadsRepo(conn).get(lead_id)
    if lead is None or lead.status is not LeadStatus.NEW:
        return None
    extras = LeadExtrasRepo(conn)
    assigned_to, _ = await extras.extras(lead_id)
    if assigned_to is not None:
        return None
    on_shift = await ShiftsRepo(conn).on_shift()
    if not on_shift:
        return None
    state = StateRepo(conn)
    last = await state.get(ROUND_ROBIN_KEY)
    last_id = int(last) if last is not None and last.lstrip("-").isdigit() else None
    after = [manager for manager in on_shift if last_id is None or manager > last_id]
    chosen = (after or on_shift)[0]
    if not await extras.assign(lead_id, chosen, now=now):
        return None
    await state.put(ROUND_ROBIN_KEY, str(chosen), now=now)
    await LeadEventsRepo(conn).add(
        lead_id, LeadEventKind.ASSIGNED, actor_id=None, now=now, payload={"to": chosen}
    )
    await OutboxRepo(conn).enqueue(lead_id, ASSIGNMENT, chosen, {}, now=now)
    return chosen


async def run_sla_watch(
    stopping: asyncio.Event,
    *,
    db: Database,
    clock: Clock,
    settings: Settings,
    interval_seconds: float = 30.0,
) -> None:
    """Queue SLA reminders and escalations every `interval_seconds` until stopped."""
    while not stopping.is_set():
        try:
            marks = await queue_sla_marks(db, now=clock.now(), chat_id=settings.MANAGER_CHAT_ID)
            if marks.reminders or marks.escalations:
                logger.info(
                    "SLA: reminders for %s, escalations for %s", marks.reminders, marks.escalations
                )
        except Exception:
            logger.exception("SLA check failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval_seconds)


async def names_on_shift(conn: aiosqlite.Connection) -> list[str]:
    """The names of the managers on shift (their ids if they never wrote to the bot)."""
    users = UsersRepo(conn)
    people = [await users.get(manager_id) for manager_id in await ShiftsRepo(conn).on_shift()]
    return [person.name or str(person.id) for person in people if person is not None]


async def managers(conn: aiosqlite.Connection) -> list[Account]:
    """Everyone with the manager role, by name."""
    return await UsersRepo(conn).list_by_role(Role.MANAGER)
