"""Telegram's limits a call screen lives within, and how an answer press is encoded.

The linter checks every flow against these numbers before a call starts, and the bot builds its
keyboards with the same encoder, so a flow that lints clean cannot produce a rejected button.
"""

from __future__ import annotations

from typing import Final

MAX_CALLBACK_BYTES: Final = 64
"""Telegram accepts 1-64 bytes of callback data per button."""

MAX_MESSAGE_CHARS: Final = 4096
"""A message's text after entity parsing."""

MAX_BUTTONS_PER_ROW: Final = 8
MAX_BUTTONS_PER_KEYBOARD: Final = 100
MAX_BUTTON_LABEL_CHARS: Final = 64
"""Longer labels are accepted but cut off on phones; the linter warns about them."""

CALL_CONTROLS: Final = ("back", "objection", "note", "no_fitting_answer", "pause", "finish")
"""Buttons every call step shows besides the flow's own answers."""

SCREEN_ALLOWANCE_CHARS: Final = 600
"""Characters the call screen adds around a step's own texts.

The screen shows the step's say, ask and hint plus a header (flow title, step progress), the live
score line (score, temperature, BANT marks) and placeholders expanded to what the lead card holds
(a company name, a contact's name). The estimate of a step's screen is say + ask + hint, plus the
longest knock-out title and line (shown above the step when one fires), plus this allowance; it
is a generous budget rather than a measurement, so the linter errs on the side of warning early.
"""

MAX_CALL_ID: Final = 9_999_999_999
"""Call ids take at most 10 digits in callback data."""

MAX_EVENT_SEQ: Final = 99_999
"""Event sequence numbers within a call take at most 5 digits."""

ANSWER_CALLBACK_TEMPLATE: Final = "a:{call_id}:{seq}:{answer_id}"
"""An answer press: the call, the event it answers (stale presses are detected) and the answer."""


def answer_callback_data(call_id: int, seq: int, answer_id: str) -> str:
    """The callback data of an answer button, as the bot sends it and the linter measures it."""
    if not 0 <= call_id <= MAX_CALL_ID:
        raise ValueError(f"call id {call_id} does not fit in 10 digits")
    if not 0 <= seq <= MAX_EVENT_SEQ:
        raise ValueError(f"event sequence {seq} does not fit in 5 digits")
    return ANSWER_CALLBACK_TEMPLATE.format(call_id=call_id, seq=seq, answer_id=answer_id)


def longest_answer_callback_bytes(answer_id: str) -> int:
    """Bytes the answer's callback data takes in the longest call and the latest event."""
    return len(answer_callback_data(MAX_CALL_ID, MAX_EVENT_SEQ, answer_id).encode("utf-8"))
