"""The call screen: answer buttons, controls, typed answers, notes, pause, resume and finish.

Every press is checked against the database (whose call, which event count it was drawn at)
and answered before the screen is redrawn; the change itself is committed before anything is
shown, so what the hunter sees next is always what is stored.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.call_screen import CALLBACK_PRESETS, Panel, qualified_outcome, render_summary
from bot.callbacks import AnswerCb, CallAction, CallCb, ResumeCallCb
from bot.calls import HANDOFF_REASON, CallRefused, CallService, CallView, Intent, Refusal
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
    pressed_message_id,
    refuse_press,
    show_call,
)
from bot.i18n import I18n
from bot.telegram import fit_message
from scripts.engine import EventKind
from scripts.inputs import Invalid, Parsed, parse_input
from scripts.summary import CallSummary

logger = logging.getLogger(__name__)

# A reminder's text is one line; both limits keep it far below what a translation accepts.
_REMINDER_DETAILS_LIMIT = 300
_REMINDER_COMPANY_LIMIT = 80

_CHANGES: dict[CallAction, EventKind] = {
    CallAction.BACK: "back",
    CallAction.RESUME: "resume",
    CallAction.DONT_KNOW: "unknown",
    CallAction.OBJECTION: "objection",
    CallAction.OPTION: "input",
}
_PANELS = {
    CallAction.SHOW: Panel.STEP,
    CallAction.OBJECTIONS: Panel.OBJECTIONS,
    CallAction.FINISH_MENU: Panel.FINISH,
}
_PROMPTS = {
    CallAction.NOTE: (Panel.NOTE, OnCall.note),
    CallAction.NO_FIT: (Panel.NO_FIT, OnCall.no_fit),
}


async def on_answer(
    callback: CallbackQuery, callback_data: AnswerCb, bot: Bot, calls: CallService, t: I18n
) -> None:
    """One of the step's answer buttons."""
    intent = Intent("answer", arg=callback_data.answer)
    await _change(callback, bot, calls, t, callback_data.call_id, callback_data.seq, intent)


async def on_change(
    callback: CallbackQuery, callback_data: CallCb, bot: Bot, calls: CallService, t: I18n
) -> None:
    """Back, an objection, back to the question, "client does not know", a choice option."""
    intent = Intent(_CHANGES[callback_data.action], arg=callback_data.arg or None)
    await _change(callback, bot, calls, t, callback_data.call_id, callback_data.seq, intent)


async def on_panel(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """The objections list, the outcomes list, or back to the step (cancel)."""
    try:
        if callback_data.action is CallAction.SHOW:
            view = await calls.view(callback_data.call_id, account.id)
        else:
            view = await calls.check_press(
                callback_data.call_id, account.id, seq=callback_data.seq
            )
    except CallRefused as refused:
        await refuse_press(
            callback, t, refused, bot=bot, calls=calls, call_id=callback_data.call_id
        )
        return
    await callback.answer()
    if await current_call_id(state) == view.call.id:
        # Cancel from a prompt: typed text answers the call again (or nothing, once it is over).
        if view.call.status is CallStatus.OPEN:
            await enter_call(state, view.call.id)
        else:
            await state.clear()
    panel = _PANELS[callback_data.action]
    await show_call(bot, calls, view, t, panel, message_id=pressed_message_id(callback))


async def on_prompt(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Note or "no fitting answer": the next typed message is taken as its text."""
    panel, typing = _PROMPTS[callback_data.action]
    try:
        view = await calls.view(callback_data.call_id, account.id)
        if typing is not OnCall.note or view.call.status is not CallStatus.FINISHED:
            view = await calls.check_press(
                callback_data.call_id, account.id, seq=callback_data.seq
            )
    except CallRefused as refused:
        await refuse_press(
            callback, t, refused, bot=bot, calls=calls, call_id=callback_data.call_id
        )
        return
    await callback.answer()
    await state.set_state(typing)
    await state.set_data({"call_id": view.call.id})
    await show_call(bot, calls, view, t, panel, message_id=pressed_message_id(callback))


async def on_finish(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Finish with an outcome; a callback first asks when, a knock-out gives the reason."""
    intent = Intent("finish", arg=callback_data.arg)
    try:
        view = await calls.check_press(
            callback_data.call_id, account.id, seq=callback_data.seq, intent=intent
        )
    except CallRefused as refused:
        await refuse_press(
            callback, t, refused, bot=bot, calls=calls, call_id=callback_data.call_id
        )
        return
    outcome = view.flow.outcomes.get(callback_data.arg)
    if outcome is None:
        await refuse_press(callback, t, CallRefused(Refusal.FORGED, "unknown outcome"))
        return
    if outcome.kind == "callback":
        await callback.answer()
        await state.set_state(OnCall.callback_time)
        await state.set_data(
            {"call_id": view.call.id, "seq": view.state.seq, "outcome": callback_data.arg}
        )
        message_id = pressed_message_id(callback)
        await show_call(bot, calls, view, t, Panel.CALLBACK_TIME, message_id=message_id)
        return
    reasons = [hit.reason for hit in view.screen.knockouts]
    reason = None
    if outcome.kind == "disqualified" and reasons:
        reason = outcome.reason if outcome.reason in reasons else reasons[0]
    intent = Intent("finish", arg=callback_data.arg, reason=reason)
    done = await _change(
        callback,
        bot,
        calls,
        t,
        view.call.id,
        callback_data.seq,
        intent,
        toast="call-finished-toast",
    )
    if done is not None:
        await _leave_call(state, view.call.id)


async def on_handoff(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """A hot lead with BANT complete goes to the managers now: the call finishes qualified."""
    try:
        view = await calls.check_press(callback_data.call_id, account.id, seq=callback_data.seq)
    except CallRefused as refused:
        await refuse_press(
            callback, t, refused, bot=bot, calls=calls, call_id=callback_data.call_id
        )
        return
    outcome = qualified_outcome(view.screen)
    if outcome is None or not view.screen.handoff_ready:
        await refuse_press(callback, t, CallRefused(Refusal.FORGED, "no handoff offered"))
        return
    intent = Intent("finish", arg=outcome, reason=HANDOFF_REASON)
    done = await _change(
        callback,
        bot,
        calls,
        t,
        view.call.id,
        callback_data.seq,
        intent,
        toast="call-handoff-toast",
    )
    if done is not None:
        await _leave_call(state, view.call.id)


async def on_callback_preset(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """A quick callback time ("tomorrow at 10:00")."""
    data = await state.get_data()
    if data.get("call_id") != callback_data.call_id or callback_data.arg not in CALLBACK_PRESETS:
        await refuse_press(callback, t, CallRefused(Refusal.CLOSED))
        return
    text = t.plain(f"call-callback-{callback_data.arg}")
    try:
        view, problem = await _finish_callback(calls, t, account, data, text)
    except CallRefused as refused:
        await refuse_press(callback, t, refused)
        return
    if view is None:
        await callback.answer(problem)
        return
    await callback.answer(t.plain("call-finished-toast"))
    await state.clear()
    await show_call(bot, calls, view, t, message_id=pressed_message_id(callback))


async def on_pause(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Put the call aside; /resume brings it back where it was."""
    try:
        view = await calls.pause(callback_data.call_id, account.id, seq=callback_data.seq)
    except CallRefused as refused:
        await refuse_press(
            callback, t, refused, bot=bot, calls=calls, call_id=callback_data.call_id
        )
        return
    await callback.answer(t.plain("call-paused-toast"))
    await _leave_call(state, view.call.id)
    await show_call(bot, calls, view, t, message_id=pressed_message_id(callback))


async def on_resume_call(
    callback: CallbackQuery,
    callback_data: ResumeCallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Continue an unfinished call: its screen in a fresh message, where it was."""
    try:
        view = await calls.reopen(callback_data.call_id, account.id)
    except CallRefused as refused:
        await refuse_press(callback, t, refused)
        return
    await callback.answer()
    await enter_call(state, view.call.id)
    pressed = pressed_message_id(callback)
    if pressed is not None and pressed == view.call.screen_message_id:
        await show_call(bot, calls, view, t, message_id=pressed)  # the paused screen itself
    else:
        await show_call(bot, calls, view, t, fresh=True)


async def on_summary(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """The summary card of a finished call, as a new message."""
    try:
        view = await calls.view(callback_data.call_id, account.id)
    except CallRefused as refused:
        await refuse_press(callback, t, refused)
        return
    await callback.answer()
    text, keyboard = render_summary(view, t)
    await bot.send_message(view.call.chat_id, fit_message(text), reply_markup=keyboard)


async def on_again(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Call the same lead again (a callback is due): a new call with the same card."""
    chat_id = callback.message.chat.id if callback.message else account.id
    try:
        view = await calls.open_again(
            callback_data.call_id, account.id, chat_id=chat_id, hunter_name=account.name
        )
    except CallRefused as refused:
        await refuse_press(callback, t, refused)
        return
    await callback.answer()
    await enter_call(state, view.call.id)
    await show_call(bot, calls, view, t, fresh=True)


# ----- typed text -----


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
        view, problem = await _finish_callback(calls, t, account, data, text)
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


async def on_not_a_hunter_press(callback: CallbackQuery, t: I18n) -> None:
    """A call button pressed by someone without the hunter role: no screen ever offered it."""
    logger.warning(
        "Rejected a call press from user %s without the hunter role", callback.from_user.id
    )
    await callback.answer(t.plain("call-hunters-only-alert"), show_alert=True)


# ----- helpers -----


async def _change(
    callback: CallbackQuery,
    bot: Bot,
    calls: CallService,
    t: I18n,
    call_id: int,
    seq: int,
    intent: Intent,
    *,
    toast: str | None = None,
) -> CallView | None:
    """Apply a press, answer it (before the slower redraw), then redraw; None if refused."""
    try:
        view = await calls.apply(call_id, callback.from_user.id, intent, seq=seq)
    except CallRefused as refused:
        await refuse_press(callback, t, refused, bot=bot, calls=calls, call_id=call_id)
        return None
    await callback.answer(t.plain(toast) if toast else None)
    await show_call(bot, calls, view, t, message_id=pressed_message_id(callback))
    return view


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


async def _finish_callback(
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


async def _leave_call(state: FSMContext, call_id: int) -> None:
    """Typed text no longer goes to this call (it is paused or over)."""
    if await current_call_id(state) == call_id:
        await state.clear()


def create_router() -> Router:
    """The call screen, in private chats; hunters only."""
    router = Router(name="call")
    for observer in (router.message, router.callback_query, router.edited_message):
        observer.filter(PrivateChat())
    hunter = HasRole(Role.HUNTER)
    press = router.callback_query.register
    press(on_answer, AnswerCb.filter(), hunter)
    press(on_change, CallCb.filter(F.action.in_(set(_CHANGES))), hunter)
    press(on_panel, CallCb.filter(F.action.in_(set(_PANELS))), hunter)
    press(on_prompt, CallCb.filter(F.action.in_(set(_PROMPTS))), hunter)
    press(on_finish, CallCb.filter(F.action == CallAction.FINISH), hunter)
    press(on_handoff, CallCb.filter(F.action == CallAction.HANDOFF), hunter)
    press(on_callback_preset, CallCb.filter(F.action == CallAction.CALLBACK_TIME), hunter)
    press(on_pause, CallCb.filter(F.action == CallAction.PAUSE), hunter)
    press(on_summary, CallCb.filter(F.action == CallAction.SUMMARY), hunter)
    press(on_again, CallCb.filter(F.action == CallAction.AGAIN), hunter)
    press(on_resume_call, ResumeCallCb.filter(), hunter)
    for data in (AnswerCb, CallCb, ResumeCallCb):
        press(on_not_a_hunter_press, data.filter())
    typed = router.message.register
    typed(on_forwarded, StateFilter(*CALL_STATES), Forwarded(), hunter)
    typed(on_typed_answer, StateFilter(OnCall.answering), TypedText(), hunter)
    typed(on_note_text, StateFilter(OnCall.note), TypedText(), hunter)
    typed(on_no_fit_text, StateFilter(OnCall.no_fit), TypedText(), hunter)
    typed(on_callback_text, StateFilter(OnCall.callback_time), TypedText(), hunter)
    router.edited_message.register(on_edited, hunter)
    return router
