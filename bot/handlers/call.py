"""Presses on the call screen: answers, controls, objections, pause, resume and finish.

Every press is checked against the database (whose call, which event count it was drawn at)
and answered before the screen is redrawn; the change itself is committed before anything is
shown, so what the hunter sees next is always what is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery

from bot.call_screen import CALLBACK_PRESETS, Panel, qualified_outcome, render_summary
from bot.callbacks import AnswerCb, CallAction, CallCb, ResumeCallCb
from bot.calls import HANDOFF_REASON, CallRefused, CallService, CallView, Intent, Refusal
from bot.domain import Account, CallStatus, Role
from bot.filters import HasRole, PrivateChat
from bot.handlers.call_common import (
    OnCall,
    current_call_id,
    enter_call,
    on_not_a_hunter_press,
    pressed_message_id,
    refuse_press,
    show_call,
)
from bot.handlers.call_text import finish_callback
from bot.i18n import I18n
from bot.telegram import fit_message
from scripts.engine import EventKind
from scripts.schema import Outcome

logger = logging.getLogger(__name__)

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
    call_id = callback_data.call_id
    if callback_data.action is CallAction.SHOW:
        work = calls.view(call_id, account.id)
    else:
        work = calls.check_press(call_id, account.id, seq=callback_data.seq)
    view = await _attempt(callback, t, work, bot=bot, calls=calls, call_id=call_id)
    if view is None:
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
    call_id = callback_data.call_id
    work = _prompt_view(calls, call_id, account.id, callback_data.seq, typing)
    view = await _attempt(callback, t, work, bot=bot, calls=calls, call_id=call_id)
    if view is None:
        return
    await callback.answer()
    await state.set_state(typing)
    await state.set_data({"call_id": view.call.id})
    await show_call(bot, calls, view, t, panel, message_id=pressed_message_id(callback))


async def _prompt_view(
    calls: CallService, call_id: int, hunter_id: int, seq: int, typing: State
) -> CallView:
    """The call a prompt is for; a note may follow the finished call from its summary."""
    view = await calls.view(call_id, hunter_id)
    if typing is OnCall.note and view.call.status is CallStatus.FINISHED:
        return view
    return await calls.check_press(call_id, hunter_id, seq=seq)


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
    call_id, outcome_id = callback_data.call_id, callback_data.arg
    intent = Intent("finish", arg=outcome_id)
    work = calls.check_press(call_id, account.id, seq=callback_data.seq, intent=intent)
    view = await _attempt(callback, t, work, bot=bot, calls=calls, call_id=call_id)
    if view is None:
        return
    outcome = view.flow.outcomes.get(outcome_id)
    if outcome is None:
        await refuse_press(callback, t, CallRefused(Refusal.FORGED, "unknown outcome"))
        return
    if outcome.kind == "callback":
        await callback.answer()
        await state.set_state(OnCall.callback_time)
        await state.set_data({"call_id": call_id, "seq": view.state.seq, "outcome": outcome_id})
        message_id = pressed_message_id(callback)
        await show_call(bot, calls, view, t, Panel.CALLBACK_TIME, message_id=message_id)
        return
    intent = Intent("finish", arg=outcome_id, reason=_knockout_reason(view, outcome))
    await _finish(callback, callback_data, bot, state, calls, t, intent, "call-finished-toast")


def _knockout_reason(view: CallView, outcome: Outcome) -> str | None:
    """Why a knocked-out lead is disqualified: the outcome's own reason if it was hit."""
    reasons = [hit.reason for hit in view.screen.knockouts]
    if outcome.kind != "disqualified" or not reasons:
        return None
    return outcome.reason if outcome.reason in reasons else reasons[0]


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
    view = await _attempt(callback, t, calls.view(callback_data.call_id, account.id))
    if view is None:
        return
    outcome = qualified_outcome(view.flow)
    # An older screen is refused (or recognised as a double tap) by the sequence check.
    offered = callback_data.seq != view.state.seq or view.screen.handoff_ready
    if outcome is None or not offered:
        await refuse_press(callback, t, CallRefused(Refusal.FORGED, "no handoff offered"))
        return
    intent = Intent("finish", arg=outcome, reason=HANDOFF_REASON)
    await _finish(callback, callback_data, bot, state, calls, t, intent, "call-handoff-toast")


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
        view, problem = await finish_callback(calls, t, account, data, text)
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
    call_id = callback_data.call_id
    work = calls.pause(call_id, account.id, seq=callback_data.seq)
    view = await _attempt(callback, t, work, bot=bot, calls=calls, call_id=call_id)
    if view is None:
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
    """Continue an unfinished call where it was: in the paused screen itself, else anew."""
    view = await _attempt(callback, t, calls.reopen(callback_data.call_id, account.id))
    if view is None:
        return
    await callback.answer()
    await enter_call(state, view.call.id)
    pressed = pressed_message_id(callback)
    if pressed is not None and pressed == view.call.screen_message_id:
        await show_call(bot, calls, view, t, message_id=pressed)
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
    view = await _attempt(callback, t, calls.view(callback_data.call_id, account.id))
    if view is None:
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
    """Call the same lead again (a callback is due): a new call with the same card.

    A second tap right after the first reopens the call the first one opened.
    """
    chat_id = callback.message.chat.id if callback.message else account.id
    data = await state.get_data()
    opened = data.get("call_id")
    if data.get("again_from") == callback_data.call_id and isinstance(opened, int):
        work, toast = calls.reopen(opened, account.id), "call-recorded-alert"
    else:
        work, toast = (
            calls.open_again(
                callback_data.call_id, account.id, chat_id=chat_id, hunter_name=account.name
            ),
            None,
        )
    view = await _attempt(callback, t, work)
    if view is None:
        return
    await callback.answer(t.plain(toast) if toast else None)
    await enter_call(state, view.call.id, again_from=callback_data.call_id)
    await show_call(bot, calls, view, t, fresh=True)


# ----- helpers -----


async def _attempt(
    callback: CallbackQuery,
    t: I18n,
    work: Awaitable[CallView],
    *,
    bot: Bot | None = None,
    calls: CallService | None = None,
    call_id: int | None = None,
) -> CallView | None:
    """The call after `work`; None once a refused press is answered (and its screen resynced)."""
    try:
        return await work
    except CallRefused as refused:
        await refuse_press(callback, t, refused, bot=bot, calls=calls, call_id=call_id)
        return None


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
    work = calls.apply(call_id, callback.from_user.id, intent, seq=seq)
    view = await _attempt(callback, t, work, bot=bot, calls=calls, call_id=call_id)
    if view is None:
        return None
    await callback.answer(t.plain(toast) if toast else None)
    await show_call(bot, calls, view, t, message_id=pressed_message_id(callback))
    return view


async def _finish(
    callback: CallbackQuery,
    callback_data: CallCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    intent: Intent,
    toast: str,
) -> None:
    """Finish the pressed call (its screen shows the summary); typed text stops going to it."""
    call_id, seq = callback_data.call_id, callback_data.seq
    if await _change(callback, bot, calls, t, call_id, seq, intent, toast=toast) is not None:
        await _leave_call(state, call_id)


async def _leave_call(state: FSMContext, call_id: int) -> None:
    """Typed text no longer goes to this call (it is paused or over)."""
    if await current_call_id(state) == call_id:
        await state.clear()


def create_router() -> Router:
    """Presses on the call screen, in private chats; hunters only."""
    router = Router(name="call")
    router.callback_query.filter(PrivateChat())
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
    return router
