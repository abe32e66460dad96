"""Typed callback data. Prefixes are short because Telegram allows 64 bytes in all.

Callback data is not signed: a client can send anything, so handlers re-check every press
against the database (whose call it is, whether the step is still current).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH, CallbackData
from pydantic import Field

from scripts.telegram_limits import MAX_CALL_ID, MAX_EVENT_SEQ

# Bounded so that forged numbers are refused when unpacked (the catch-all answers them) instead
# of reaching SQLite, whose integers end at 2**63 - 1.
CallId = Annotated[int, Field(ge=0, le=MAX_CALL_ID)]
EventSeq = Annotated[int, Field(ge=0, le=MAX_EVENT_SEQ)]
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]
Position = Annotated[int, Field(ge=0, le=MAX_EVENT_SEQ)]


class MenuAction(StrEnum):
    """Entries of the main menu."""

    HOME = "home"
    NEW_CALL = "new"
    RESUME = "resume"
    MY_CALLS = "calls"
    CALLBACKS = "cb"
    MY_LEADS = "leads"
    TEAM = "team"


class MenuCb(CallbackData, prefix="m"):
    """A main-menu button."""

    action: MenuAction


class ResumeCallCb(CallbackData, prefix="rc"):
    """Continue the given unfinished call (the call screen handles it)."""

    call_id: CallId


class AnswerCb(CallbackData, prefix="a"):
    """An answer button on the call screen, packed exactly as `answer_callback_data` writes it.

    `seq` is the number of events the screen was drawn at: a press with an older number is a
    double tap or a press on an old screen, and changes nothing.
    """

    call_id: CallId
    seq: EventSeq
    answer: str


class CallAction(StrEnum):
    """What a call-screen control does; short codes keep the data within 64 bytes."""

    SHOW = "s"
    BACK = "b"
    OBJECTIONS = "o"
    OBJECTION = "oo"
    RESUME = "r"
    NOTE = "n"
    NO_FIT = "nf"
    PAUSE = "p"
    FINISH_MENU = "f"
    FINISH = "fo"
    DONT_KNOW = "k"
    OPTION = "io"
    HANDOFF = "h"
    CALLBACK_TIME = "ct"
    SUMMARY = "sum"
    AGAIN = "ag"


class CallCb(CallbackData, prefix="c"):
    """A control on the call screen: the call, the event count it was drawn at, the action.

    `arg` is an objection id, an outcome id or an option number; ids in flows are short ASCII,
    so the longest packs to 53 bytes.
    """

    call_id: CallId
    seq: EventSeq
    action: CallAction
    arg: str = ""


def pack_call(call_id: int, seq: int, action: CallAction, arg: str = "") -> str:
    """`CallCb(call_id=..., seq=..., action=..., arg=...).pack()`, without building the model.

    A call screen carries a dozen controls and is redrawn on every press; the text is the same,
    and so are the refusals (a separator in `arg`, more than 64 bytes).
    """
    separator = CallCb.__separator__
    if separator in arg:
        raise ValueError(f"Separator symbol {separator!r} can not be used in value arg={arg!r}")
    data = separator.join((CallCb.__prefix__, f"{call_id:d}", f"{seq:d}", action.value, arg))
    if len(data.encode()) > MAX_CALLBACK_LENGTH:
        raise ValueError(f"Resulted callback data is too long! {data!r}")
    return data


class FlowCb(CallbackData, prefix="fl"):
    """Pick the call script (flow) for a new call."""

    flow_id: str
    version: RowId


class CardAction(StrEnum):
    """Buttons while the lead card is being filled in."""

    OPTION = "o"
    SKIP = "s"
    CANCEL = "x"


class CardCb(CallbackData, prefix="cd"):
    """A lead-card button; `field` is the position of the field being asked (stale if moved on)."""

    field: Position
    action: CardAction
    option: Position = 0


class LeadAction(StrEnum):
    """What a button on a lead card (or a digest) does."""

    CLAIM = "c"
    HAND_OVER = "p"
    HAND_TO = "pt"
    REJECT = "r"
    REJECT_AS = "ra"
    DETAILS = "d"
    PROGRESS = "ip"
    WON = "w"
    LOST = "l"
    LOST_AS = "la"
    BACK = "b"
    OPEN = "o"


class LeadCb(CallbackData, prefix="ld"):
    """A press on a lead card: the lead and, for pickers, the chosen colleague or reason."""

    action: LeadAction
    lead_id: RowId
    arg: str = ""


class LeadsListCb(CallbackData, prefix="ll"):
    """A filter button under `/leads` (open, mine, hot, today, week)."""

    which: str
