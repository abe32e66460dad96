"""Managers at work: lead cards in the group (claim, pass, reject, outcomes), lists, `/lead N`.

Card buttons work wherever a card is shown: the managers' group, a digest, a private copy.
Every press is checked against the database (callback data is not signed), and every path
answers the press. Only managers act on leads and admins may read them; anyone else is refused
with a short answer, and posts on behalf of a chat never reach here at all (the access
middleware refuses them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    TelegramObject,
)

from bot.alerts import (
    colleagues_keyboard,
    lead_title,
    lost_keyboard,
    redrawn,
    reject_keyboard,
    render_alert,
    render_details,
    render_record,
)
from bot.callbacks import LeadAction, LeadCb, LeadsListCb, MenuAction, MenuCb
from bot.calls import CallService
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, LeadStatus, Role
from bot.filters import DataIs, HasRole, PressOf, PrivateChat
from bot.handlers.desks import install_desk
from bot.i18n import I18n, Translator
from bot.keyboards import home_keyboard
from bot.leads import (
    LEAD_READERS,
    ActionResult,
    LeadEventsRepo,
    LeadFilter,
    LeadMessagesRepo,
    LeadView,
    LostReason,
    Refusal,
    RejectReason,
    ShiftsRepo,
    claim_lead,
    known_names,
    list_leads,
    load_view,
    managers,
    mark_in_progress,
    mark_lost,
    mark_won,
    may_act,
    names_on_shift,
    pass_lead,
    reject_lead,
    set_shift,
)
from bot.render import (
    CURRENCY_SIGNS,
    TEMPERATURE_EMOJI,
    TITLE_LIMIT,
    clip,
    format_money,
    reader_i18n,
    when,
)
from bot.repositories import CallsRepo
from bot.telegram import fit_message, is_not_modified, safe_edit, show
from scripts.inputs import Invalid, Parsed, parse_input

logger = logging.getLogger(__name__)

AMOUNT_DESTINY = "managers"
"""The FSM namespace of "type the won amount", apart from the call screen's own states."""
AMOUNT_STATE = "awaiting_amount"
_LEAD_NUMBER = re.compile(r"^#?\s*(?:[LlЛл]-?)?(\d{1,12})$")
_CANCEL_WORDS = frozenset({"/cancel", "отмена", "cancel"})
_USER_ID = re.compile(r"[0-9]{1,19}")
_LARGEST_ID = 2**63 - 1
"""SQLite's largest integer: a longer id cannot name anyone and must not reach a query."""
_CENTS = Decimal("0.01")
_NAME_IN_ALERT = 40


@dataclass(frozen=True, slots=True)
class LeadDesk:
    """What a press on a lead needs besides the press: the database and every card to redraw."""

    bot: Bot
    db: Database
    clock: Clock
    translator: Translator
    settings: Settings

    async def i18n_for(self, chat_id: int) -> I18n:
        """The language of a chat: the team's for groups, the person's for private chats."""
        return await reader_i18n(
            self.db.connection, self.translator, chat_id, team_locale=self.settings.LOCALE
        )

    async def refresh(self, lead_id: int, *, pressed: Message | None = None) -> None:
        """Redraw every message that shows the lead: cards, digests, and the pressed message."""
        shown = await LeadMessagesRepo(self.db.connection).for_lead(lead_id)
        targets = {(m.chat_id, m.message_id): m.kind for m in shown}
        if pressed is not None:
            targets.setdefault((pressed.chat.id, pressed.message_id), "card")
        screens = await redrawn(
            self.db.connection,
            lead_id,
            [(chat_id, message_id, kind) for (chat_id, message_id), kind in targets.items()],
            self.i18n_for,
            self.settings.zone,
        )
        for chat_id, message_id, rendered in screens:
            await self._redraw(chat_id, message_id, rendered.text, rendered.keyboard)

    async def send_card(
        self, chat_id: int, view: LeadView, t: I18n, *, header: str = "", reply_to: int = 0
    ) -> bool:
        """The card with its buttons, remembered so it is redrawn; False if the chat is shut."""
        sent = await self.post_card(chat_id, view, t, header=header, reply_to=reply_to)
        if sent is None:
            return False
        await self.remember(view.lead.id, sent)
        return True

    async def post_card(
        self, chat_id: int, view: LeadView, t: I18n, *, header: str = "", reply_to: int = 0
    ) -> Message | None:
        """The card with its buttons, not yet remembered; None if the chat is shut."""
        rendered = render_alert(view, t, self.settings.zone)
        text = f"{header}\n\n{rendered.text}" if header else rendered.text
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        try:
            return await self.bot.send_message(
                chat_id=chat_id,
                text=fit_message(text),
                reply_markup=rendered.keyboard,
                reply_parameters=reply if reply_to else None,
            )
        except TelegramAPIError as e:
            logger.info("Could not send lead %s to chat %s: %s", view.lead.id, chat_id, e)
            return None

    async def remember(self, lead_id: int, sent: Message) -> None:
        """Note a sent card so every later change to the lead redraws it."""
        async with self.db.transaction() as conn:
            await LeadMessagesRepo(conn).add(
                lead_id, sent.chat.id, sent.message_id, "card", now=self.clock.now()
            )

    async def withdraw(self, sent: Message) -> None:
        """Delete a card that turned out not to stand (best effort: it may be gone already)."""
        try:
            await self.bot.delete_message(chat_id=sent.chat.id, message_id=sent.message_id)
        except TelegramAPIError as e:
            logger.info("Card %s in chat %s not withdrawn: %s", sent.message_id, sent.chat.id, e)

    async def send_all(self, chat_id: int, texts: list[str], *, reply_to: int = 0) -> bool:
        """Send the messages in order; False if the chat cannot be written to."""
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        try:
            for index, text in enumerate(texts):
                first_reply = reply if reply_to and index == 0 else None
                await self.bot.send_message(
                    chat_id=chat_id, text=text, reply_parameters=first_reply
                )
        except TelegramAPIError as e:
            logger.info("Could not write to chat %s: %s", chat_id, e)
            return False
        return True

    async def _redraw(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await self.bot.edit_message_text(
                text=fit_message(text),
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=keyboard,
            )
        except TelegramAPIError as e:
            # A card that cannot be redrawn (deleted, chat gone, flood control) is not worth
            # failing the press: the database already holds the change.
            if not is_not_modified(e):
                logger.info("Lead message %s in chat %s not updated: %s", message_id, chat_id, e)


# --- refusals ------------------------------------------------------------------------------------


def refusal_text(result: ActionResult, t: I18n) -> str:
    """What the presser is told when nothing was done."""
    refusal = result.refusal
    view = result.view
    if refusal is Refusal.TAKEN and view is not None:
        return t.plain("mgr-refused-taken-by", name=view.owner_name or "—")
    if refusal is Refusal.NOT_OWNER and view is not None:
        return t.plain("mgr-refused-owned-by", name=view.owner_name or "—")
    if refusal is Refusal.CLOSED and view is not None:
        return t.plain(
            "mgr-refused-closed-as", status=t.plain(f"lead-status-{view.lead.status.value}")
        )
    return t.plain(f"mgr-refused-{(refusal or Refusal.NOT_FOUND).value}")


async def _refuse(callback: CallbackQuery, result: ActionResult, t: I18n) -> None:
    await callback.answer(refusal_text(result, t), show_alert=True)


async def _refuse_forged(callback: CallbackQuery, t: I18n) -> None:
    """Data no card ever offered (a reason or a colleague not on the list): refused, logged."""
    logger.warning("Rejected a forged lead press from user %s", callback.from_user.id)
    await callback.answer(t.plain("button-expired-alert"))


async def on_not_a_manager_press(callback: CallbackQuery, t: I18n) -> None:
    """A lead button pressed by someone who may not act on (or read) leads."""
    logger.info("Lead press refused: user %s is not a manager", callback.from_user.id)
    await _refuse(callback, ActionResult(None, Refusal.NOT_MANAGER), t)


async def on_readers_only(message: Message, t: I18n) -> None:
    """/leads or /lead from someone who is neither a manager nor an admin."""
    await message.answer(t("mgr-only-managers"))


async def on_managers_only(message: Message, t: I18n) -> None:
    """/shift from someone who is not a manager."""
    await message.answer(t("mgr-shift-managers-only"))


# --- card buttons --------------------------------------------------------------------------------

LeadChange = Callable[[Database, LeadCb, Account, datetime], Awaitable[ActionResult | None]]
"""A use case behind a card button; None when the button's data names nothing valid."""
_Reason = TypeVar("_Reason", LostReason, RejectReason)


def _reason(kind: type[_Reason], value: str) -> _Reason | None:
    try:
        return kind(value)
    except ValueError:
        return None


async def _claim(db: Database, data: LeadCb, actor: Account, now: datetime) -> ActionResult:
    return await claim_lead(db, data.lead_id, actor, now=now)


async def _in_progress(db: Database, data: LeadCb, actor: Account, now: datetime) -> ActionResult:
    return await mark_in_progress(db, data.lead_id, actor, now=now)


async def _not_a_target(
    db: Database, data: LeadCb, actor: Account, now: datetime
) -> ActionResult | None:
    reason = _reason(RejectReason, data.arg)
    return None if reason is None else await reject_lead(db, data.lead_id, actor, reason, now=now)


async def _lost(db: Database, data: LeadCb, actor: Account, now: datetime) -> ActionResult | None:
    reason = _reason(LostReason, data.arg)
    return None if reason is None else await mark_lost(db, data.lead_id, actor, reason, now=now)


_CHANGES: dict[LeadAction, tuple[LeadChange, str]] = {
    LeadAction.CLAIM: (_claim, "mgr-claimed-alert"),
    LeadAction.PROGRESS: (_in_progress, "mgr-progress-alert"),
    LeadAction.REJECT_AS: (_not_a_target, "mgr-rejected-alert"),
    LeadAction.LOST_AS: (_lost, "mgr-lost-alert"),
}


async def on_change(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """✋ Беру (the first press wins), 🔄 В работе, a reason for 🚫 Не целевой or ❌ Проиграли."""
    change, toast = _CHANGES[callback_data.action]
    result = await change(desk.db, callback_data, account, desk.clock.now())
    if result is None:
        await _refuse_forged(callback, t)
        return
    if not result.done:
        await _refuse(callback, result, t)
        return
    await callback.answer(t.plain(toast, ref=f"#L-{callback_data.lead_id}"))
    await desk.refresh(callback_data.lead_id, pressed=_message(callback))


async def on_picker(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """↪️ Передать, 🚫 Не целевой, ❌ Проиграли: the card's buttons become the choices."""
    action, lead_id = callback_data.action, callback_data.lead_id
    result = await may_act(desk.db, lead_id, account, allow_new=action is not LeadAction.LOST)
    if not result.done:
        await _refuse(callback, result, t)
        return
    if action is LeadAction.REJECT:
        keyboard, hint = reject_keyboard(lead_id, t), "mgr-pick-reason"
    elif action is LeadAction.LOST:
        keyboard, hint = lost_keyboard(lead_id, t), "mgr-pick-reason"
    else:
        colleagues = [m for m in await managers(desk.db.connection) if m.id != account.id]
        if not colleagues:
            await callback.answer(t.plain("mgr-no-colleagues"), show_alert=True)
            return
        keyboard, hint = colleagues_keyboard(lead_id, colleagues, t), "mgr-pick-colleague"
    await _set_keyboard(callback, keyboard)
    await callback.answer(t.plain(hint))


async def on_hand_to(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """A colleague picked: they get the card privately first, and only then is the lead theirs.

    A colleague the bot cannot write to (never started it, or blocked it) would own a lead they
    never heard of while its SLA stops counting, so that hand-over does not happen at all.
    """
    colleague_id = _user_id(callback_data.arg)
    if colleague_id is None:
        await _refuse_forged(callback, t)
        return
    lead_id = callback_data.lead_id
    check = await may_act(desk.db, lead_id, account, allow_new=True)
    colleague = await _colleague(desk, account, colleague_id)
    if not check.done or check.view is None or colleague is None:
        refusal = check.refusal if not check.done else Refusal.BAD_COLLEAGUE
        await _refuse(callback, ActionResult(check.view, refusal), t)
        return
    sent = await _card_for_colleague(desk, check.view, account, colleague)
    if sent is None:
        # An alert holds 200 characters; a long name must not cost the explanation.
        name = clip(colleague.name or str(colleague.id), _NAME_IN_ALERT)
        await callback.answer(t.plain("mgr-pass-undeliverable", name=name), show_alert=True)
        await desk.refresh(lead_id, pressed=_message(callback))
        return
    result = await pass_lead(desk.db, lead_id, account, colleague_id, now=desk.clock.now())
    if not result.done or result.view is None:
        # Someone acted on the lead while the card was on its way: it is not the colleague's.
        await desk.withdraw(sent)
        await _refuse(callback, result, t)
        await desk.refresh(lead_id, pressed=_message(callback))
        return
    await callback.answer(t.plain("mgr-passed-alert", name=result.view.owner_name or "—"))
    await desk.refresh(lead_id, pressed=_message(callback))
    # Remembered after the redraw, so the colleague's card keeps its "passed to you" header.
    await desk.remember(lead_id, sent)


def _user_id(text: str) -> int | None:
    """A Telegram user id from callback data: ASCII digits only, small enough for SQLite."""
    if _USER_ID.fullmatch(text) is None:
        return None
    number = int(text)
    return number if number <= _LARGEST_ID else None


async def _colleague(desk: LeadDesk, account: Account, colleague_id: int) -> Account | None:
    """The manager a lead may be passed to, or None (oneself, or not a manager)."""
    if colleague_id == account.id:
        return None
    return next((m for m in await managers(desk.db.connection) if m.id == colleague_id), None)


async def _card_for_colleague(
    desk: LeadDesk, view: LeadView, passer: Account, colleague: Account
) -> Message | None:
    """The card as it stands once the colleague owns the lead, sent to them privately."""
    now = desk.clock.now()
    lead = view.lead
    if lead.status is LeadStatus.NEW:
        lead = replace(lead, status=LeadStatus.CLAIMED, owner_id=colleague.id, claimed_at=now)
    else:
        lead = replace(lead, owner_id=colleague.id)
    handed = replace(view, lead=lead, owner_name=colleague.name or str(colleague.id))
    their_t = await desk.i18n_for(colleague.id)
    header = their_t("mgr-passed-to-you", name=passer.name, ref=lead.reference)
    return await desk.post_card(colleague.id, handed, their_t, header=header)


async def on_back(callback: CallbackQuery, callback_data: LeadCb, desk: LeadDesk, t: I18n) -> None:
    """⬅️ Назад from a picker: the card's own buttons again."""
    view = await load_view(desk.db.connection, callback_data.lead_id)
    if view is None:
        await _refuse(callback, ActionResult(None, Refusal.NOT_FOUND), t)
        return
    await _set_keyboard(callback, render_alert(view, t, desk.settings.zone).keyboard)
    await callback.answer()


async def on_details(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """ℹ️ Подробнее: every answer, privately; as a reply to the card if that is impossible."""
    view = await _pressed_lead(callback, callback_data, desk, t)
    if view is None:
        return
    private = render_details(view, await desk.i18n_for(account.id))
    if await desk.send_all(account.id, private):
        in_private = _chat_id(callback) == account.id
        await callback.answer(None if in_private else t.plain("mgr-sent-privately"))
        return
    message = _message(callback)
    if message is None:
        await callback.answer(t.plain("mgr-open-private-chat"), show_alert=True)
        return
    await desk.send_all(message.chat.id, render_details(view, t), reply_to=message.message_id)
    await callback.answer()


async def on_open(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """A lead's button in a digest: its full card, privately (or in the chat if impossible)."""
    view = await _pressed_lead(callback, callback_data, desk, t)
    if view is None:
        return
    if await desk.send_card(account.id, view, await desk.i18n_for(account.id)):
        await callback.answer(t.plain("mgr-sent-privately"))
        return
    message = _message(callback)
    if message is None:
        await callback.answer(t.plain("mgr-open-private-chat"), show_alert=True)
        return
    if not await desk.send_card(message.chat.id, view, t, reply_to=message.message_id):
        await callback.answer(t.plain("error-generic-alert"), show_alert=True)
        return
    await callback.answer()


async def _pressed_lead(
    callback: CallbackQuery, callback_data: LeadCb, desk: LeadDesk, t: I18n
) -> LeadView | None:
    """The lead a button names; None once a press for a lead that is gone is answered."""
    view = await load_view(desk.db.connection, callback_data.lead_id)
    if view is None:
        await _refuse(callback, ActionResult(None, Refusal.NOT_FOUND), t)
    return view


async def _set_keyboard(callback: CallbackQuery, keyboard: InlineKeyboardMarkup | None) -> None:
    message = _message(callback)
    if message is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=keyboard)
    except TelegramAPIError as e:
        if not is_not_modified(e):
            raise


def _message(callback: CallbackQuery) -> Message | None:
    return callback.message if isinstance(callback.message, Message) else None


def _chat_id(callback: CallbackQuery) -> int | None:
    message = _message(callback)
    return message.chat.id if message is not None else None


# --- the won amount, typed privately -------------------------------------------------------------


def _amount_context(state: FSMContext, bot: Bot, user_id: int) -> FSMContext:
    key = StorageKey(bot_id=bot.id, chat_id=user_id, user_id=user_id, destiny=AMOUNT_DESTINY)
    return FSMContext(storage=state.storage, key=key)


async def on_won(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    desk: LeadDesk,
    state: FSMContext,
    t: I18n,
) -> None:
    """🏆 Выиграли: ask the owner for the amount in their private chat."""
    result = await may_act(desk.db, callback_data.lead_id, account, allow_new=False)
    if not result.done or result.view is None:
        await _refuse(callback, result, t)
        return
    # Waiting for the amount starts before the question is sent: a quick reply to it arrives
    # from another chat, which nothing orders after this press.
    context = _amount_context(state, desk.bot, account.id)
    await context.set_state(AMOUNT_STATE)
    await context.set_data({"lead_id": callback_data.lead_id})
    their_t = await desk.i18n_for(account.id)
    prompt = their_t("mgr-amount-prompt", ref=result.view.lead.reference)
    if not await desk.send_all(account.id, [prompt]):
        await context.clear()
        await callback.answer(t.plain("mgr-open-private-chat"), show_alert=True)
        return
    await callback.answer(t.plain("mgr-amount-asked"))


class AwaitingAmount(Filter):
    """A manager's private text while a won amount is awaited (commands other than /cancel
    pass by); gives the handler `amount_lead`."""

    async def __call__(
        self, event: TelegramObject, bot: Bot, state: FSMContext
    ) -> bool | dict[str, int]:
        if not isinstance(event, Message) or event.chat.type != "private" or event.text is None:
            return False
        text = event.text.strip()
        if text.startswith("/") and text.lower() not in _CANCEL_WORDS:
            return False
        context = _amount_context(state, bot, event.chat.id)
        if await context.get_state() != AMOUNT_STATE:
            return False
        lead_id = (await context.get_data()).get("lead_id")
        return {"amount_lead": lead_id} if isinstance(lead_id, int) else False


async def on_amount(
    message: Message,
    amount_lead: int,
    account: Account,
    desk: LeadDesk,
    state: FSMContext,
    t: I18n,
) -> None:
    """The owner typed the won amount: "1,5 млн", "200k", "300 000 ₽"."""
    context = _amount_context(state, desk.bot, message.chat.id)
    text = (message.text or "").strip()
    if text.lower() in _CANCEL_WORDS:
        await context.clear()
        await message.answer(t("mgr-amount-cancelled"))
        return
    amount = await _parse_amount(text, amount_lead, desk, t)
    if isinstance(amount, str):
        await message.answer(t("mgr-amount-invalid", problem=amount))
        return
    result = await mark_won(desk.db, amount_lead, account, amount, now=desk.clock.now())
    await context.clear()
    if not result.done or result.view is None:
        await message.answer(t("mgr-amount-refused", reason=refusal_text(result, t)))
        return
    shown = format_money(amount, result.view.lead.currency, t.locale)
    await message.answer(t("mgr-won-done", ref=result.view.lead.reference, amount=shown))
    await desk.refresh(amount_lead)


async def _parse_amount(text: str, lead_id: int, desk: LeadDesk, t: I18n) -> Decimal | str:
    """A positive amount in the lead's currency (to the cent), or why the text is not one."""
    view = await load_view(desk.db.connection, lead_id)
    currency = (view.lead.currency if view is not None else "RUB").upper()
    now = desk.clock.now()
    parsed = parse_input("money", text, now=now, language=t.locale, currency=currency)
    if isinstance(parsed, Invalid):
        return parsed.message
    if not isinstance(parsed, Parsed):
        return t.plain("mgr-amount-unknown")
    if parsed.currency is not None and parsed.currency.upper() != currency:
        # Amounts are stored without a currency of their own: 100 $ on a rouble lead is not 100 ₽.
        return t.plain("mgr-amount-currency", sign=CURRENCY_SIGNS.get(currency, currency))
    amount = Decimal(str(parsed.value)).quantize(_CENTS)
    return amount if amount > 0 else t.plain("mgr-amount-positive")


# --- lists and the full record -------------------------------------------------------------------


async def leads_screen(
    desk: LeadDesk, account: Account, t: I18n, which: LeadFilter
) -> tuple[str, InlineKeyboardMarkup]:
    """A `/leads` list with its filter buttons."""
    zone = desk.settings.zone
    views = await list_leads(
        desk.db.connection, which, viewer_id=account.id, now=desk.clock.now(), zone=zone
    )
    lines = [t("mgr-list-title", filter=t.plain(f"mgr-filter-{which.value}"), count=views.total)]
    for view in views:
        lead = view.lead
        status = t.plain(f"lead-status-{lead.status.value}")
        lines.append(
            t(
                "mgr-list-line",
                emoji=TEMPERATURE_EMOJI.get(lead.temperature, "•"),
                id=str(lead.id),
                title=clip(lead_title(view, t), TITLE_LIMIT),
                who=t.plain("mgr-list-owner", name=view.owner_name) if view.owner_name else status,
                when=when(lead.created_at, zone, t.locale),
            )
        )
    if views.more:
        lines.append(t("mgr-list-more", count=views.more))
    lines.append(t("mgr-list-hint" if views else "mgr-list-empty"))
    return "\n".join(lines), _filters_keyboard(which, t)


def _filters_keyboard(active: LeadFilter, t: I18n) -> InlineKeyboardMarkup:
    def button(which: LeadFilter) -> InlineKeyboardButton:
        label = t.plain(f"mgr-filter-{which.value}")
        return InlineKeyboardButton(
            text=f"• {label}" if which is active else label,
            callback_data=LeadsListCb(which=which.value).pack(),
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(LeadFilter.OPEN), button(LeadFilter.MINE), button(LeadFilter.HOT)],
            [button(LeadFilter.TODAY), button(LeadFilter.WEEK)],
        ]
    )


_FILTER_WORDS: dict[str, LeadFilter] = {
    **{which.value: which for which in LeadFilter},
    "my": LeadFilter.MINE,
    "открытые": LeadFilter.OPEN,
    "мои": LeadFilter.MINE,
    "горячие": LeadFilter.HOT,
    "сегодня": LeadFilter.TODAY,
    "неделя": LeadFilter.WEEK,
}


async def cmd_leads(
    message: Message, command: CommandObject, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """/leads [open|mine|hot|today|week]: a list of leads, with filter buttons."""
    argument = (command.args or "").strip().lower()
    which = _FILTER_WORDS.get(argument or LeadFilter.OPEN.value)
    if which is None:
        await message.answer(t("mgr-leads-usage"))
        return
    text, keyboard = await leads_screen(desk, account, t, which)
    await message.answer(fit_message(text), reply_markup=keyboard)


async def on_leads_filter(
    callback: CallbackQuery,
    callback_data: LeadsListCb,
    account: Account,
    desk: LeadDesk,
    t: I18n,
) -> None:
    """A filter button under /leads."""
    if callback_data.which not in set(LeadFilter):
        await _refuse_forged(callback, t)
        return
    text, keyboard = await leads_screen(desk, account, t, LeadFilter(callback_data.which))
    message = _message(callback)
    if message is not None:
        await safe_edit(message, text, reply_markup=keyboard)
    await callback.answer()


async def on_my_leads(callback: CallbackQuery, account: Account, desk: LeadDesk, t: I18n) -> None:
    """Menu: my leads (the /leads list on the "mine" filter), with the way home."""
    text, keyboard = await leads_screen(desk, account, t, LeadFilter.MINE)
    rows = [*keyboard.inline_keyboard, *home_keyboard(t).inline_keyboard]
    await show(callback, text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


async def cmd_lead(
    message: Message, command: CommandObject, desk: LeadDesk, calls: CallService, t: I18n
) -> None:
    """/lead 123: the card with every answer, notes, the call's timeline and the history."""
    match = _LEAD_NUMBER.match((command.args or "").strip())
    if match is None:
        await message.answer(t("mgr-lead-usage"))
        return
    view = await load_view(desk.db.connection, int(match.group(1)))
    if view is None:
        await message.answer(t("mgr-lead-missing", ref=f"#L-{match.group(1)}"))
        return
    await desk.send_card(message.chat.id, view, t)
    await desk.send_all(message.chat.id, await _record(view, desk, calls, t))


async def _record(view: LeadView, desk: LeadDesk, calls: CallService, t: I18n) -> list[str]:
    conn = desk.db.connection
    lead_events = await LeadEventsRepo(conn).list_for_lead(view.lead.id)
    people = {e.actor_id for e in lead_events if e.actor_id is not None}
    people |= {to for e in lead_events if isinstance(to := e.payload.get("to"), int)}
    return render_record(
        view,
        t,
        desk.settings.zone,
        flow=calls.flow(view.lead.flow_id, view.lead.flow_version),
        call_events=await CallsRepo(conn).list_events(view.lead.call_id),
        lead_events=lead_events,
        names=await known_names(conn, people),
    )


_SHIFT_WORDS = {"on": True, "вкл": True, "start": True, "off": False, "выкл": False, "stop": False}


async def cmd_shift(
    message: Message, command: CommandObject, account: Account, desk: LeadDesk, t: I18n
) -> None:
    """/shift on|off: take part in round-robin assignment of new leads, or stop."""
    argument = (command.args or "").strip().lower()
    if argument and argument not in _SHIFT_WORDS:
        await message.answer(t("mgr-shift-usage"))
        return
    if argument:
        starts = _SHIFT_WORDS[argument]
        await set_shift(desk.db, account, starts, now=desk.clock.now())
        key = "mgr-shift-started" if starts else "mgr-shift-ended"
    elif account.id in await ShiftsRepo(desk.db.connection).on_shift():
        key = "mgr-shift-status-on"
    else:
        key = "mgr-shift-status-off"
    names = ", ".join(await names_on_shift(desk.db.connection)) or t.plain("mgr-shift-nobody")
    await message.answer(t(key, names=names))


def create_router() -> Router:
    """Lead cards (any chat), lists and records (managers and admins), shifts (managers)."""
    router = Router(name="manager")
    install_desk(
        router,
        lambda data: LeadDesk(
            data["bot"], data["db"], data["clock"], data["translator"], data["settings"]
        ),
    )
    manager, reader = HasRole(Role.MANAGER), HasRole(*LEAD_READERS)
    cards = router.callback_query
    cards.filter(PressOf(LeadCb, LeadsListCb, MenuCb))
    cards.register(on_change, DataIs(LeadCb, *_CHANGES), manager)
    pickers = (LeadAction.HAND_OVER, LeadAction.REJECT, LeadAction.LOST)
    cards.register(on_picker, DataIs(LeadCb, *pickers), manager)
    cards.register(on_hand_to, DataIs(LeadCb, LeadAction.HAND_TO), manager)
    cards.register(on_won, DataIs(LeadCb, LeadAction.WON), manager)
    cards.register(on_back, DataIs(LeadCb, LeadAction.BACK), reader)
    cards.register(on_details, DataIs(LeadCb, LeadAction.DETAILS), reader)
    cards.register(on_open, DataIs(LeadCb, LeadAction.OPEN), reader)
    cards.register(on_leads_filter, DataIs(LeadsListCb), reader)
    my_leads = DataIs(MenuCb, MenuAction.MY_LEADS)
    cards.register(on_my_leads, my_leads, PrivateChat(), manager)
    cards.register(on_not_a_manager_press, DataIs(LeadCb))
    cards.register(on_not_a_manager_press, DataIs(LeadsListCb))
    router.message.register(on_amount, manager, AwaitingAmount())
    router.message.register(cmd_leads, Command("leads"), reader)
    router.message.register(cmd_lead, Command("lead"), reader)
    router.message.register(cmd_shift, Command("shift"), manager)
    router.message.register(on_readers_only, Command("leads", "lead"))
    router.message.register(on_managers_only, Command("shift"))
    return router
