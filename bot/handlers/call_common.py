"""What the call handlers share: conversation states, text filters, showing the call screen.

The FSM only remembers what the hunter is typing into (a lead-card field, an answer, a note)
and which call; where the call stands always comes from its events in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.call_screen import Panel, render_call
from bot.calls import CallRefused, CallService, CallView, Refusal
from bot.domain import Account
from bot.handlers.desks import install_desk
from bot.i18n import I18n
from bot.telegram import edit_or_send

logger = logging.getLogger(__name__)


class CardEntry(StatesGroup):
    """The lead card is being filled in before the call opens."""

    field = State()


class OnCall(StatesGroup):
    """A call is on the screen; what typed text means depends on the state."""

    answering = State()
    note = State()
    no_fit = State()
    callback_time = State()


CALL_STATES = (OnCall.answering, OnCall.note, OnCall.no_fit, OnCall.callback_time)


class TypedText(Filter):
    """A text message, the caption of a photo or a file, or a shared contact's phone number,
    that is not a command; the handler receives it as `text`.

    A caption is what the hunter typed with the picture ("Секретарь Марина, перезвонить после
    15" under a photo of a business card): dropping it would lose the words they meant to send.
    A contact shared from the phone's address book is the quickest way, one-handed, to give the
    lead's number.
    """

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        text = message.text if message.text is not None else message.caption
        if text is None and message.contact is not None:
            text = message.contact.phone_number
        if text is None or text.startswith("/"):
            return False
        return {"text": text}


class Forwarded(Filter):
    """A forwarded message: someone else's words, never taken as the hunter's answer."""

    async def __call__(self, message: Message) -> bool:
        return message.forward_origin is not None


_ALERT_KEYS = {
    Refusal.NOT_FOUND: "call-forged-alert",
    Refusal.NOT_YOURS: "call-forged-alert",
    Refusal.FORGED: "call-forged-alert",
    Refusal.RECORDED: "call-recorded-alert",
    Refusal.CLOSED: "call-closed-alert",
    Refusal.FINISHED: "call-finished-alert",
    Refusal.PAUSED: "call-paused-alert",
    Refusal.FLOW_GONE: "call-flow-gone-alert",
    Refusal.NO_INPUT: "call-forged-alert",
    Refusal.EMPTY: "call-empty-alert",
    Refusal.NO_ROUTE: "call-no-route-alert",
}


def log_refusal(user_id: int, refused: CallRefused) -> None:
    """Forged requests at WARNING with the user id; ids only, never names or phones."""
    if refused.suspicious:
        logger.warning("Rejected a forged request from user %s: %s", user_id, refused)
    elif refused.refusal is Refusal.NO_ROUTE:
        logger.warning("No branch matched for user %s: %s", user_id, refused)


@dataclass(frozen=True, slots=True)
class CallDesk:
    """What the call handlers work with for one update: the hunter, their conversation state,
    the call use cases, the bot that draws the screen, and the hunter's language."""

    account: Account
    bot: Bot
    calls: CallService
    state: FSMContext
    t: I18n

    async def attempt(
        self, callback: CallbackQuery, work: Awaitable[CallView], *, resync: int | None = None
    ) -> CallView | None:
        """The call after `work`; None once a refused press is answered (see `refuse`)."""
        try:
            return await work
        except CallRefused as refused:
            await self.refuse(callback, refused, resync=resync)
            return None

    async def refuse(
        self, callback: CallbackQuery, refused: CallRefused, *, resync: int | None = None
    ) -> None:
        """Answer a press that changed nothing, saying why; resync the screen of call `resync`.

        A press on the call's own screen message that is out of date means the screen missed
        an update (the bot stopped between saving an answer and redrawing): it is redrawn, so
        the hunter sees the current question again.
        """
        log_refusal(callback.from_user.id, refused)
        await callback.answer(self.t.plain(_ALERT_KEYS[refused.refusal]))
        if resync is None or refused.refusal not in (Refusal.RECORDED, Refusal.CLOSED):
            return
        pressed = pressed_message_id(callback)
        try:
            view = await self.calls.view(resync, callback.from_user.id)
        except CallRefused:
            return
        if pressed is not None and view.call.screen_message_id == pressed:
            await self.show(view, message_id=pressed)

    async def show(
        self,
        view: CallView,
        panel: Panel = Panel.STEP,
        *,
        message_id: int | None = None,
        fresh: bool = False,
    ) -> int:
        """Draw the call screen in `message_id` (default: the call's screen message) or anew.

        The message that shows the screen is remembered on the call, so typed answers edit it;
        a screen moved to a fresh message leaves the old one without buttons.
        """
        call = view.call
        text, markup = render_call(view, self.t, panel)
        if fresh and call.screen_message_id is not None:
            await _drop_buttons(self.bot, call.chat_id, call.screen_message_id)
        target = None if fresh else (message_id or call.screen_message_id)
        shown = await edit_or_send(self.bot, call.chat_id, target, text, reply_markup=markup)
        if shown != call.screen_message_id:
            await self.calls.set_screen_message(call.id, chat_id=call.chat_id, message_id=shown)
        return shown

    async def enter(self, call_id: int, *, again_from: int | None = None) -> None:
        """Typed text now answers this call (`again_from`: the earlier call to the same lead)."""
        await self.state.set_state(OnCall.answering)
        data: dict[str, int] = {"call_id": call_id}
        if again_from is not None:
            data["again_from"] = again_from
        await self.state.set_data(data)

    async def leave(self, call_id: int) -> None:
        """Typed text no longer goes to this call (it is paused or over)."""
        if await self.current_call_id() == call_id:
            await self.state.clear()

    async def current_call_id(self) -> int | None:
        """The call typed text belongs to, if any."""
        value = (await self.state.get_data()).get("call_id")
        return value if isinstance(value, int) else None


def install_call_desk(router: Router) -> None:
    """Give the router's handlers their `desk: CallDesk`."""
    install_desk(
        router,
        lambda data: CallDesk(
            data["account"], data["bot"], data["calls"], data["state"], data["t"]
        ),
    )


async def on_not_a_hunter_press(callback: CallbackQuery, t: I18n) -> None:
    """A call button pressed by someone without the hunter role: no screen ever offered it."""
    logger.warning(
        "Rejected a call press from user %s without the hunter role", callback.from_user.id
    )
    await callback.answer(t.plain("call-hunters-only-alert"), show_alert=True)


def pressed_in(callback: CallbackQuery) -> tuple[int, int | None]:
    """The chat and the message whose button was pressed (the person's chat if it is gone)."""
    if callback.message is None:
        return callback.from_user.id, None
    return callback.message.chat.id, callback.message.message_id


def pressed_message_id(callback: CallbackQuery) -> int | None:
    """The id of the message whose button was pressed."""
    return callback.message.message_id if callback.message is not None else None


async def _drop_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except TelegramBadRequest as e:
        # Already without buttons, deleted or too old: nothing left to press there anyway.
        logger.debug("Could not clear the old call screen %s: %s", message_id, e.message)
