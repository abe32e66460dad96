"""Typed text during a call: typed answers, notes, the client's words, the callback time.

What typed text means depends on the conversation state (answering, a note, "no fitting
answer", a callback time); which call it belongs to is in the state's data, where the call
stands is in the database. A caption counts as typed text. Forwarded and edited messages are
never taken as answers; voice messages, stickers and pictures without a caption are answered
with a request for text, and the call stays where it was.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiogram import Router
from aiogram.filters import Filter, StateFilter
from aiogram.types import Message

from bot.calls import CallRefused, CallView, Intent, Refusal
from bot.domain import CallStatus, Role
from bot.filters import HasRole, PrivateChat
from bot.handlers.call_common import (
    CALL_STATES,
    CallDesk,
    CardEntry,
    Forwarded,
    OnCall,
    TypedText,
    install_call_desk,
    log_refusal,
)
from bot.i18n import I18n
from bot.render import clip
from bot.telegram import fit_message
from scripts.engine import EventKind
from scripts.inputs import Invalid, Parsed, names_time_of_day, parse_input
from scripts.summary import CallSummary

# A reminder's text is one line; both limits keep it far below what a translation accepts.
_REMINDER_DETAILS_LIMIT = 300
_REMINDER_COMPANY_LIMIT = 80

_SIDE_NOTES: dict[str, tuple[EventKind, str]] = {
    OnCall.note.state or "": ("note", "call-note-saved"),
    OnCall.no_fit.state or "": ("nofit", "call-nofit-saved"),
}
"""Typed text that goes beside the call, by state: the event it makes and its confirmation."""

_NOTICES = {
    Refusal.EMPTY: "call-empty-alert",
    Refusal.NO_ROUTE: "call-no-route-alert",
    Refusal.PAUSED: "call-paused-typed",
    Refusal.RECORDED: "call-recorded-alert",
    Refusal.NO_INPUT: "call-use-buttons",
}
"""Refusals of typed text that leave the hunter typing into the call, with what they are told."""
_ENDINGS = {Refusal.FINISHED: "call-finished-notice", Refusal.FLOW_GONE: "call-flow-gone"}
"""Refusals that end typing into the call; any other one is told `call-not-available`."""


async def on_typed_answer(message: Message, text: str, desk: CallDesk) -> None:
    """Typed text on the call: the answer to a typed question, parsed by the field's type."""
    view = await _apply(message, desk, Intent("input", text=text))
    if view is None:
        return
    if view.reask is not None:
        await message.answer(fit_message(desk.t("call-reask", problem=view.reask)))
        return
    await desk.show(view)


async def on_side_note(message: Message, text: str, raw_state: str, desk: CallDesk) -> None:
    """A note (kept on the call and the lead card), or what the client said when no answer
    fitted (kept for the script author); the call stays where it was."""
    kind, saved = _SIDE_NOTES[raw_state]
    view = await _apply(message, desk, Intent(kind, text=text))
    if view is None:
        return
    await message.answer(desk.t(saved))
    if view.call.status is CallStatus.FINISHED:
        await desk.state.clear()
    else:
        await desk.enter(view.call.id)
    await desk.show(view)


async def on_callback_text(message: Message, text: str, desk: CallDesk) -> None:
    """The callback time, typed: parsed as a date; the reminder is scheduled with the finish."""
    try:
        view, problem = await finish_callback(desk, await desk.state.get_data(), text)
    except CallRefused as refused:
        await _explain(message, desk, refused)
        return
    if view is None:
        await message.answer(fit_message(desk.t("call-reask", problem=problem)))
        return
    await desk.state.clear()
    await desk.show(view)


class _Untyped(Filter):
    """A message with nothing typed in it: a voice message, a sticker, a picture or a file
    without a caption. A captioned command ("/resume" under a photo) is left to its handler."""

    async def __call__(self, message: Message) -> bool:
        return message.text is None and not (message.caption or "").startswith("/")


async def on_untyped(message: Message, t: I18n) -> None:
    """Nothing to read on a call, a prompt or the lead card: ask for text, change nothing."""
    await message.answer(t("call-text-only"))


async def on_forwarded(message: Message, t: I18n) -> None:
    """Forwarded messages are someone else's words: never an answer."""
    await message.answer(t("call-forwarded-ignored"))


async def on_edited(message: Message, t: I18n) -> None:
    """An edited message is not re-read as an answer: what was recorded stays."""
    await message.answer(t("call-edited-ignored"))


async def finish_callback(
    desk: CallDesk, data: Mapping[str, object], text: str
) -> tuple[CallView | None, str]:
    """Finish with the callback outcome at the typed time; (None, why) if the time is unclear."""
    call_id, seq, outcome = data.get("call_id"), data.get("seq"), data.get("outcome")
    if not isinstance(call_id, int) or not isinstance(seq, int) or not isinstance(outcome, str):
        raise CallRefused(Refusal.CLOSED, "no callback asked")
    t = desk.t
    parsed = parse_input("date", text, now=desk.calls.now(), language=t.locale)
    if isinstance(parsed, Invalid):
        return None, parsed.message
    if not isinstance(parsed, Parsed) or not isinstance(parsed.value, str):
        return None, t.plain("call-callback-unclear")
    if not names_time_of_day(text):
        # A day alone ("завтра") would book the callback at an hour nobody agreed to.
        return None, t.plain("call-callback-need-time")
    intent = Intent("finish", arg=outcome, callback_at=parsed.value)
    view = await desk.calls.apply(
        call_id, desk.account.id, intent, seq=seq, reminder_text=lambda s: _reminder_text(s, t)
    )
    return view, ""


def _reminder_text(summary: CallSummary, t: I18n) -> str:
    details = "; ".join(part for part in (summary.outcome_title, *summary.notes) if part)
    return t.plain(
        "call-reminder-text",
        company=clip(summary.company or t.plain("call-untitled"), _REMINDER_COMPANY_LIMIT),
        phone=summary.phone or "—",
        details=clip(details, _REMINDER_DETAILS_LIMIT) or "—",
    )


async def _apply(message: Message, desk: CallDesk, intent: Intent) -> CallView | None:
    """Typed text applied to the call it belongs to; None once a refusal is explained."""
    call_id = await desk.current_call_id()
    if call_id is None:
        await desk.state.clear()
        await message.answer(desk.t("unknown-message"))
        return None
    try:
        return await desk.calls.apply(call_id, desk.account.id, intent, seq=None)
    except CallRefused as refused:
        await _explain(message, desk, refused)
        return None


async def _explain(message: Message, desk: CallDesk, refused: CallRefused) -> None:
    """Tell the hunter why typed text changed nothing; stop typing into a call that is gone."""
    log_refusal(desk.account.id, refused)
    notice = _NOTICES.get(refused.refusal)
    if notice is None:
        await desk.state.clear()
        notice = _ENDINGS.get(refused.refusal, "call-not-available")
    await message.answer(desk.t(notice))


def create_router() -> Router:
    """Typed text on a call, in private chats; hunters only.

    Included after `call_start`, so messages without text while the lead card is typed are
    answered here too.
    """
    router = Router(name="call_text")
    router.message.filter(PrivateChat())
    router.edited_message.filter(PrivateChat())
    install_call_desk(router)
    hunter = HasRole(Role.HUNTER)
    typed = router.message.register
    typed(on_forwarded, StateFilter(*CALL_STATES), Forwarded(), hunter)
    typed(on_typed_answer, StateFilter(OnCall.answering), TypedText(), hunter)
    typed(on_side_note, StateFilter(OnCall.note, OnCall.no_fit), TypedText(), hunter)
    typed(on_callback_text, StateFilter(OnCall.callback_time), TypedText(), hunter)
    typed(on_untyped, StateFilter(*CALL_STATES, CardEntry.field), _Untyped(), hunter)
    router.edited_message.register(on_edited, hunter)
    return router
