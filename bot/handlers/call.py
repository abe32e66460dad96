"""Presses on the call screen: answers, controls, objections, pause, resume and finish.

Every press is checked against the database (whose call, which event count it was drawn at)
and answered before the screen is redrawn; the change itself is committed before anything is
shown, so what the hunter sees next is always what is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery

from bot.call_screen import CALLBACK_PRESETS, Panel, qualified_outcome, render_summary
from bot.callbacks import AnswerCb, CallAction, CallCb, ResumeCallCb
from bot.calls import HANDOFF_REASON, CallRefused, CallView, Intent, Refusal
from bot.domain import CallStatus, Role
from bot.filters import DataIs, HasRole, PressOf, PrivateChat
from bot.handlers.call_common import (
    CallDesk,
    OnCall,
    install_call_desk,
    on_not_a_hunter_press,
    pressed_message_id,
)
from bot.handlers.call_text import finish_callback
from bot.telegram import fit_message
from scripts.engine import EventKind
from scripts.schema import Outcome

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


async def on_answer(callback: CallbackQuery, callback_data: AnswerCb, desk: CallDesk) -> None:
    """One of the step's answer buttons."""
    intent = Intent("answer", arg=callback_data.answer)
    await _change(callback, desk, callback_data.call_id, callback_data.seq, intent)


async def on_change(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """Back, an objection, back to the question, "client does not know", a choice option."""
    intent = Intent(_CHANGES[callback_data.action], arg=callback_data.arg or None)
    await _change(callback, desk, callback_data.call_id, callback_data.seq, intent)


async def on_panel(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """The objections list, the outcomes list, or back to the step (cancel)."""
    call_id, hunter_id = callback_data.call_id, desk.account.id
    if callback_data.action is CallAction.SHOW:
        work = desk.calls.view(call_id, hunter_id)
    else:
        work = desk.calls.check_press(call_id, hunter_id, seq=callback_data.seq)
    view = await desk.attempt(callback, work, resync=call_id)
    if view is None:
        return
    await callback.answer()
    if await desk.current_call_id() == call_id:
        # Cancel from a prompt: typed text answers the call again (or nothing, once it is over).
        if view.call.status is CallStatus.OPEN:
            await desk.enter(call_id)
        else:
            await desk.state.clear()
    panel = _PANELS[callback_data.action]
    await desk.show(view, panel, message_id=pressed_message_id(callback))


async def on_prompt(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """Note or "no fitting answer": the next typed message is taken as its text."""
    panel, typing = _PROMPTS[callback_data.action]
    call_id = callback_data.call_id
    work = _prompt_view(desk, call_id, callback_data.seq, typing)
    view = await desk.attempt(callback, work, resync=call_id)
    if view is None:
        return
    await callback.answer()
    await desk.state.set_state(typing)
    await desk.state.set_data({"call_id": call_id})
    await desk.show(view, panel, message_id=pressed_message_id(callback))


async def _prompt_view(desk: CallDesk, call_id: int, seq: int, typing: State) -> CallView:
    """The call a prompt is for; a note may follow the finished call from its summary."""
    view = await desk.calls.view(call_id, desk.account.id)
    if typing is OnCall.note and view.call.status is CallStatus.FINISHED:
        return view
    return await desk.calls.check_press(call_id, desk.account.id, seq=seq)


async def on_finish(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """Finish with an outcome; a callback first asks when, a knock-out gives the reason."""
    call_id, outcome_id = callback_data.call_id, callback_data.arg
    intent = Intent("finish", arg=outcome_id)
    work = desk.calls.check_press(call_id, desk.account.id, seq=callback_data.seq, intent=intent)
    view = await desk.attempt(callback, work, resync=call_id)
    if view is None:
        return
    outcome = view.flow.outcomes.get(outcome_id)
    if outcome is None:
        await desk.refuse(callback, CallRefused(Refusal.FORGED, "unknown outcome"))
        return
    if outcome.kind == "callback":
        await _ask_callback_time(callback, desk, view, outcome_id)
        return
    intent = Intent("finish", arg=outcome_id, reason=_knockout_reason(view, outcome))
    await _finish(callback, callback_data, desk, intent, "call-finished-toast")


async def _ask_callback_time(
    callback: CallbackQuery, desk: CallDesk, view: CallView, outcome_id: str
) -> None:
    """A callback outcome finishes once the hunter says when (typed, or a quick choice)."""
    await callback.answer()
    await desk.state.set_state(OnCall.callback_time)
    asked = {"call_id": view.call.id, "seq": view.state.seq, "outcome": outcome_id}
    await desk.state.set_data(asked)
    await desk.show(view, Panel.CALLBACK_TIME, message_id=pressed_message_id(callback))


def _knockout_reason(view: CallView, outcome: Outcome) -> str | None:
    """Why a knocked-out lead is disqualified: the outcome's own reason if it was hit."""
    reasons = [hit.reason for hit in view.screen.knockouts]
    if outcome.kind != "disqualified" or not reasons:
        return None
    return outcome.reason if outcome.reason in reasons else reasons[0]


async def on_handoff(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """A hot lead with BANT complete goes to the managers now: the call finishes qualified."""
    view = await desk.attempt(callback, desk.calls.view(callback_data.call_id, desk.account.id))
    if view is None:
        return
    outcome = qualified_outcome(view.flow)
    # An older screen is refused (or recognised as a double tap) by the sequence check.
    offered = callback_data.seq != view.state.seq or view.screen.handoff_ready
    if outcome is None or not offered:
        await desk.refuse(callback, CallRefused(Refusal.FORGED, "no handoff offered"))
        return
    intent = Intent("finish", arg=outcome, reason=HANDOFF_REASON)
    await _finish(callback, callback_data, desk, intent, "call-handoff-toast")


async def on_callback_preset(
    callback: CallbackQuery, callback_data: CallCb, desk: CallDesk
) -> None:
    """A quick callback time ("tomorrow at 10:00")."""
    data = await desk.state.get_data()
    if data.get("call_id") != callback_data.call_id or callback_data.arg not in CALLBACK_PRESETS:
        await desk.refuse(callback, CallRefused(Refusal.CLOSED))
        return
    text = desk.t.plain(f"call-callback-{callback_data.arg}")
    try:
        view, problem = await finish_callback(desk, data, text)
    except CallRefused as refused:
        await desk.refuse(callback, refused)
        return
    if view is None:
        await callback.answer(problem)
        return
    await callback.answer(desk.t.plain("call-finished-toast"))
    await desk.state.clear()
    await desk.show(view, message_id=pressed_message_id(callback))


async def on_pause(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """Put the call aside; /resume brings it back where it was."""
    call_id = callback_data.call_id
    work = desk.calls.pause(call_id, desk.account.id, seq=callback_data.seq)
    view = await desk.attempt(callback, work, resync=call_id)
    if view is None:
        return
    await callback.answer(desk.t.plain("call-paused-toast"))
    await desk.leave(call_id)
    await desk.show(view, message_id=pressed_message_id(callback))


async def on_resume_call(
    callback: CallbackQuery, callback_data: ResumeCallCb, desk: CallDesk
) -> None:
    """Continue an unfinished call where it was: in the paused screen itself, else anew."""
    view = await desk.attempt(callback, desk.calls.reopen(callback_data.call_id, desk.account.id))
    if view is None:
        return
    await callback.answer()
    await desk.enter(view.call.id)
    pressed = pressed_message_id(callback)
    if pressed is not None and pressed == view.call.screen_message_id:
        await desk.show(view, message_id=pressed)
    else:
        await desk.show(view, fresh=True)


async def on_summary(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """The summary card of a finished call, as a new message."""
    view = await desk.attempt(callback, desk.calls.view(callback_data.call_id, desk.account.id))
    if view is None:
        return
    await callback.answer()
    text, keyboard = render_summary(view, desk.t)
    await desk.bot.send_message(view.call.chat_id, fit_message(text), reply_markup=keyboard)


async def on_again(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """Call the same lead again (a callback is due): a new call with the same card.

    A second tap right after the first reopens the call the first one opened.
    """
    hunter = desk.account
    data = await desk.state.get_data()
    opened = data.get("call_id")
    if data.get("again_from") == callback_data.call_id and isinstance(opened, int):
        work, toast = desk.calls.reopen(opened, hunter.id), "call-recorded-alert"
    else:
        chat_id = callback.message.chat.id if callback.message else hunter.id
        work, toast = (
            desk.calls.open_again(
                callback_data.call_id, hunter.id, chat_id=chat_id, hunter_name=hunter.name
            ),
            None,
        )
    view = await desk.attempt(callback, work)
    if view is None:
        return
    await callback.answer(desk.t.plain(toast) if toast else None)
    await desk.enter(view.call.id, again_from=callback_data.call_id)
    await desk.show(view, fresh=True)


async def _change(
    callback: CallbackQuery,
    desk: CallDesk,
    call_id: int,
    seq: int,
    intent: Intent,
    *,
    toast: str | None = None,
) -> CallView | None:
    """Apply a press, answer it (before the slower redraw), then redraw; None if refused."""
    work = desk.calls.apply(call_id, callback.from_user.id, intent, seq=seq)
    view = await desk.attempt(callback, work, resync=call_id)
    if view is None:
        return None
    await callback.answer(desk.t.plain(toast) if toast else None)
    if view.call.status is CallStatus.OPEN and await desk.current_call_id() != call_id:
        # The hunter went to the menu or began another call, then came back to this screen:
        # what they type next answers the question they are now looking at.
        await desk.enter(call_id)
    await desk.show(view, message_id=pressed_message_id(callback))
    return view


async def _finish(
    callback: CallbackQuery, callback_data: CallCb, desk: CallDesk, intent: Intent, toast: str
) -> None:
    """Finish the pressed call (its screen shows the summary); typed text stops going to it."""
    call_id = callback_data.call_id
    view = await _change(callback, desk, call_id, callback_data.seq, intent, toast=toast)
    if view is not None:
        await desk.leave(call_id)


_CONTROLS: dict[CallAction, Callable[[CallbackQuery, CallCb, CallDesk], Awaitable[None]]] = {
    **dict.fromkeys(_CHANGES, on_change),
    **dict.fromkeys(_PANELS, on_panel),
    **dict.fromkeys(_PROMPTS, on_prompt),
    CallAction.FINISH: on_finish,
    CallAction.HANDOFF: on_handoff,
    CallAction.CALLBACK_TIME: on_callback_preset,
    CallAction.PAUSE: on_pause,
    CallAction.SUMMARY: on_summary,
    CallAction.AGAIN: on_again,
}
"""The handler of every control on the call screen, by what it does."""


async def on_control(callback: CallbackQuery, callback_data: CallCb, desk: CallDesk) -> None:
    """A control on the call screen (anything but an answer button), by what it does."""
    await _CONTROLS[callback_data.action](callback, callback_data, desk)


def create_router() -> Router:
    """Presses on the call screen, in private chats; hunters only.

    A press is unpacked once, by the router's filter; answers, the other controls and "continue
    this call" are one handler each, and what a control does is looked up in `_CONTROLS`.
    """
    router = Router(name="call")
    router.callback_query.filter(PressOf(AnswerCb, CallCb, ResumeCallCb), PrivateChat())
    install_call_desk(router)
    hunter = HasRole(Role.HUNTER)
    press = router.callback_query.register
    press(on_answer, DataIs(AnswerCb), hunter)
    press(on_control, DataIs(CallCb), hunter)
    press(on_resume_call, DataIs(ResumeCallCb), hunter)
    press(on_not_a_hunter_press)
    return router
