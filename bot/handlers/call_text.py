"""Typed text during a call: typed answers, notes, the client's words, the callback time.

What typed text means depends on the conversation state (answering, a note, "no fitting
answer", a callback time); which call it belongs to is in the state's data, where the call
stands is in the database. Forwarded and edited messages are never taken as answers.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.calls import CallRefused, CallService, CallView, Intent, Refusal
from bot.domain import Account, CallStatus, Role
from bot.filters import HasRole, PrivateChat
from bot.handlers.call_common import (
    CALL_STATES,
    Forwarded,
    OnCall,
    TypedText,
    current_call_id,
    enter_call,
    log_refusal,
    show_call,
)
from bot.i18n import I18n
from bot.telegram import fit_message
from scripts.engine import EventKind
from scripts.inputs import Invalid, Parsed, parse_input
from scripts.summary import CallSummary

# A reminder's text is one line; both limits keep it far below what a translation accepts.
_REMINDER_DETAILS_LIMIT = 300
_REMINDER_COMPANY_LIMIT = 80


async def on_typed_answer(
    message: Message,
    text: str,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Typed text on the call: the answer to a typed question, parsed by the field's type."""
    call_id = await current_call_id(state)
    if call_id is None:
        await state.clear()
        await message.answer(t("unknown-message"))
        return
    try:
        view = await calls.apply(call_id, account.id, Intent("input", text=text), seq=None)
    except CallRefused as refused:
        await _explain(message, state, t, account, refused)
        return
    if view.reask is not None:
        await message.answer(fit_message(t("call-reask", problem=view.reask)))
        return
    await show_call(bot, calls, view, t)


async def on_note_text(
    message: Message,
    text: str,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """The note's text: kept on the call (and the lead card), the call stays where it was."""
    await _typed_side_note(message, text, "note", "call-note-saved", bot, state, calls, t, account)


async def on_no_fit_text(
    message: Message,
    text: str,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """What the client said when no answer fitted: kept for the script author."""
    await _typed_side_note(
        message, text, "nofit", "call-nofit-saved", bot, state, calls, t, account
    )


async def on_callback_text(
    message: Message,
    text: str,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """The callback time, typed: parsed as a date; the reminder is scheduled with the finish."""
    data = await state.get_data()
    try:
        view, problem = await finish_callback(calls, t, account, data, text)
    except CallRefused as refused:
        await _explain(message, state, t, account, refused)
        return
    if view is None:
        await message.answer(fit_message(t("call-reask", problem=problem)))
        return
    await state.clear()
    await show_call(bot, calls, view, t)


async def on_forwarded(message: Message, t: I18n) -> None:
    """Forwarded messages are someone else's words: never an answer."""
    await message.answer(t("call-forwarded-ignored"))


async def on_edited(message: Message, t: I18n) -> None:
    """An edited message is not re-read as an answer: what was recorded stays."""
    await message.answer(t("call-edited-ignored"))


# ----- helpers -----


async def _typed_side_note(
    message: Message,
    text: str,
    kind: EventKind,
    saved_key: str,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    call_id = await current_call_id(state)
    if call_id is None:
        await state.clear()
        await message.answer(t("unknown-message"))
        return
    intent = Intent(kind, text=text)
    try:
        view = await calls.apply(call_id, account.id, intent, seq=None)
    except CallRefused as refused:
        await _explain(message, state, t, account, refused)
        return
    await message.answer(t(saved_key))
    if view.call.status is CallStatus.FINISHED:
        await state.clear()
    else:
        await enter_call(state, call_id)
    await show_call(bot, calls, view, t)


async def finish_callback(
    calls: CallService, t: I18n, account: Account, data: dict[str, object], text: str
) -> tuple[CallView | None, str]:
    """Finish with the callback outcome at the typed time; (None, why) if the time is unclear."""
    call_id, seq, outcome = data.get("call_id"), data.get("seq"), data.get("outcome")
    if not isinstance(call_id, int) or not isinstance(seq, int) or not isinstance(outcome, str):
        raise CallRefused(Refusal.CLOSED, "no callback asked")
    parsed = parse_input("date", text, now=calls.now(), language=t.locale)
    if isinstance(parsed, Invalid):
        return None, parsed.message
    if not isinstance(parsed, Parsed) or not isinstance(parsed.value, str):
        return None, t.plain("call-callback-unclear")
    intent = Intent("finish", arg=outcome, callback_at=parsed.value)
    view = await calls.apply(
        call_id, account.id, intent, seq=seq, reminder_text=lambda s: _reminder_text(s, t)
    )
    return view, ""


def _reminder_text(summary: CallSummary, t: I18n) -> str:
    details = _clip(
        "; ".join(part for part in (summary.outcome_title, *summary.notes) if part),
        _REMINDER_DETAILS_LIMIT,
    )
    return t.plain(
        "call-reminder-text",
        company=_clip(summary.company or t.plain("call-untitled"), _REMINDER_COMPANY_LIMIT),
        phone=summary.phone or "—",
        details=details or "—",
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _explain(
    message: Message, state: FSMContext, t: I18n, account: Account, refused: CallRefused
) -> None:
    """Tell the hunter why typed text changed nothing."""
    log_refusal(account.id, refused)
    refusal = refused.refusal
    if refusal is Refusal.NO_INPUT:
        await message.answer(t("call-use-buttons"))
        return
    if refusal in (Refusal.EMPTY, Refusal.NO_ROUTE, Refusal.PAUSED, Refusal.RECORDED):
        key = {
            Refusal.EMPTY: "call-empty-alert",
            Refusal.NO_ROUTE: "call-no-route-alert",
            Refusal.PAUSED: "call-paused-alert",
            Refusal.RECORDED: "call-recorded-alert",
        }[refusal]
        await message.answer(t(key))
        return
    await state.clear()
    key = {
        Refusal.FINISHED: "call-finished-notice",
        Refusal.FLOW_GONE: "call-flow-gone",
    }.get(refusal, "call-not-available")
    await message.answer(t(key))


def create_router() -> Router:
    """Typed text on a call, in private chats; hunters only."""
    router = Router(name="call_text")
    router.message.filter(PrivateChat())
    router.edited_message.filter(PrivateChat())
    hunter = HasRole(Role.HUNTER)
    typed = router.message.register
    typed(on_forwarded, StateFilter(*CALL_STATES), Forwarded(), hunter)
    typed(on_typed_answer, StateFilter(OnCall.answering), TypedText(), hunter)
    typed(on_note_text, StateFilter(OnCall.note), TypedText(), hunter)
    typed(on_no_fit_text, StateFilter(OnCall.no_fit), TypedText(), hunter)
    typed(on_callback_text, StateFilter(OnCall.callback_time), TypedText(), hunter)
    router.edited_message.register(on_edited, hunter)
    return router
