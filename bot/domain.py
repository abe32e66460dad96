"""The bot's persistent domain objects: what repositories return instead of database rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """What a person may do with the bot; checked by numeric Telegram id, never by username."""

    HUNTER = "hunter"
    MANAGER = "manager"
    ADMIN = "admin"


class CallStatus(StrEnum):
    """Where a call stands: open (on the line), paused (to resume later), finished."""

    OPEN = "open"
    PAUSED = "paused"
    FINISHED = "finished"


class LeadStatus(StrEnum):
    """A lead's life in the managers' hands."""

    NEW = "new"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    WON = "won"
    LOST = "lost"
    REJECTED = "rejected"


class ReminderStatus(StrEnum):
    """Whether a reminder still has to be delivered."""

    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Account:
    """A person known to the bot, with the roles that let them in."""

    id: int
    name: str
    username: str | None
    language: str | None
    """The language chosen in the bot; None follows the Telegram client."""
    roles: frozenset[Role]
    created_at: datetime

    def has(self, role: Role) -> bool:
        """Whether the person holds `role`."""
        return role in self.roles


@dataclass(frozen=True, slots=True)
class Call:
    """One cold call run through a flow by a hunter."""

    id: int
    hunter_id: int
    flow_id: str
    flow_version: int
    status: CallStatus
    outcome: str | None
    outcome_reason: str | None
    card: Mapping[str, Any]
    """Lead-card fields collected so far, a projection of the call's events."""
    chat_id: int
    screen_message_id: int | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One appended fact of a call: an answer, a typed value, an objection, a step back..."""

    call_id: int
    seq: int
    kind: str
    step: str | None
    payload: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewLead:
    """What a qualified call hands over to become a lead."""

    call_id: int
    hunter_id: int
    flow_id: str
    flow_version: int
    score: float
    temperature: str
    lead_class: str
    probability: float | None
    expected_value: float | None
    currency: str
    card: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Lead:
    """A qualified lead; its id is the visible reference `#L-<id>`."""

    id: int
    call_id: int
    hunter_id: int
    flow_id: str
    flow_version: int
    score: float
    temperature: str
    lead_class: str
    probability: float | None
    expected_value: float | None
    currency: str
    card: Mapping[str, Any]
    status: LeadStatus
    owner_id: int | None
    claimed_at: datetime | None
    outcome_amount: Decimal | None
    outcome_reason: str | None
    outcome_at: datetime | None
    created_at: datetime

    @property
    def reference(self) -> str:
        """The reference people quote and duplicates are recognised by."""
        return f"#L-{self.id}"


@dataclass(frozen=True, slots=True)
class Note:
    """A hunter's free-text note on a call."""

    id: int
    call_id: int
    author_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Reminder:
    """A message the bot sends a person at a given time (a callback to make)."""

    id: int
    user_id: int
    chat_id: int
    call_id: int | None
    due_at: datetime
    text: str
    status: ReminderStatus
    attempts: int
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A delivery that committed with its lead and waits for the relay to send it."""

    id: int
    lead_id: int
    kind: str
    chat_id: int
    payload: Mapping[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: int | None
    created_at: datetime
    sent_at: datetime | None
