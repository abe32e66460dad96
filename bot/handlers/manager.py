"""Managers at work: lead cards in the group (claim, pass, reject, outcomes), lists, `/lead N`.

Card buttons work wherever a card is shown: the managers' group, a digest, a private copy.
Every press is checked against the database (callback data is not signed), and every path
answers the press. Only managers act on leads; a hunter or an admin without the manager role
is refused with a short answer, and posts on behalf of a chat never reach here at all (the
access middleware refuses them).
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
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
    reject_keyboard,
    render_alert,
    render_details,
    render_digest,
    render_record,
)
from bot.callbacks import LeadAction, LeadCb, LeadsListCb, MenuAction, MenuCb
from bot.calls import CallService
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, Role
from bot.filters import HasRole, PrivateChat
from bot.i18n import I18n, Translator
from bot.keyboards import home_keyboard
from bot.leads import (
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
    list_leads,
    load_view,
    managers,
    mark_in_progress,
    mark_lost,
    mark_won,
    may_close,
    pass_lead,
    permission,
    reject_lead,
    set_shift,
)
from bot.render import TEMPERATURE_EMOJI, TITLE_LIMIT, clip, format_money, when
from bot.repositories import CallsRepo, UsersRepo
from bot.telegram import fit_message
from scripts.inputs import Invalid, Parsed, parse_input

logger = logging.getLogger(__name__)

AMOUNT_DESTINY = "managers"
"""The FSM namespace of "type the won amount", apart from the call screen's own states."""
AMOUNT_STATE = "awaiting_amount"
_LEAD_NUMBER = re.compile(r"^#?\s*(?:[LlЛл]-?)?(\d{1,12})$")


# --- showing a lead everywhere it is visible -----------------------------------------------------


def _group_t(translator: Translator, settings: Settings) -> I18n:
    return translator.bind(settings.LOCALE)


async def _t_for_chat(
    chat_id: int, db: Database, translator: Translator, settings: Settings
) -> I18n:
    if chat_id < 0:
        return _group_t(translator, settings)
    account = await UsersRepo(db.connection).get(chat_id)
    return translator.bind(translator.pick_locale(account.language if account else None, None))


async def refresh_lead(
    bot: Bot,
    db: Database,
    translator: Translator,
    settings: Settings,
    lead_id: int,
    *,
    pressed: Message | None = None,
) -> None:
    """Redraw every message that shows the lead: cards, digests, and the pressed message."""
    shown = await LeadMessagesRepo(db.connection).for_lead(lead_id)
    targets = {(m.chat_id, m.message_id): m.kind for m in shown}
    if pressed is not None:
        targets.setdefault((pressed.chat.id, pressed.message_id), "card")
    for (chat_id, message_id), kind in targets.items():
        t = await _t_for_chat(chat_id, db, translator, settings)
        if kind == "digest":
            ids = await LeadMessagesRepo(db.connection).in_message(chat_id, message_id)
            views = [v for i in ids if (v := await load_view(db.connection, i)) is not None]
            rendered = render_digest(views, t)
        else:
            view = await load_view(db.connection, lead_id)
            if view is None:
                return
            rendered = render_alert(view, t, settings.zone)
        await _edit(bot, chat_id, message_id, rendered.text, rendered.keyboard)


async def _edit(
    bot: Bot, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    try:
        await bot.edit_message_text(
            text=fit_message(text), chat_id=chat_id, message_id=message_id, reply_markup=keyboard
        )
    except TelegramBadRequest as e:
        if "not modified" not in e.message.lower():
            logger.info("Lead message %s in chat %s not updated: %s", message_id, chat_id, e)
    except TelegramAPIError as e:
        # A card that cannot be redrawn (chat gone, flood control) is not worth failing the press.
        logger.warning("Lead message %s in chat %s not updated: %s", message_id, chat_id, e)


async def _set_keyboard(callback: CallbackQuery, keyboard: InlineKeyboardMarkup) -> None:
    if not isinstance(callback.message, Message):
        return
    try:
        await callback.message.edit_reply_markup(reply_markup=keyboard)
    except TelegramBadRequest as e:
        if "not modified" not in e.message.lower():
            raise


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
    if result.refusal is Refusal.NOT_MANAGER:
        logger.info("Lead press refused: user %s is not a manager", callback.from_user.id)
    await callback.answer(refusal_text(result, t), show_alert=True)


# --- card buttons --------------------------------------------------------------------------------


async def on_claim(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    clock: Clock,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """✋ Беру: the first press wins; the card shows who took it and when."""
    result = await claim_lead(db, callback_data.lead_id, account, now=clock.now())
    if not result.done:
        await _refuse(callback, result, t)
        return
    await callback.answer(t.plain("mgr-claimed-alert", ref=f"#L-{callback_data.lead_id}"))
    await refresh_lead(
        bot, db, translator, settings, callback_data.lead_id, pressed=_message(callback)
    )


async def on_hand_over(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, db: Database, t: I18n
) -> None:
    """↪️ Передать коллеге: show the colleagues to pick from."""
    result = await _may(db, callback_data.lead_id, account)
    if not result.done:
        await _refuse(callback, result, t)
        return
    colleagues = [m for m in await managers(db.connection) if m.id != account.id]
    if not colleagues:
        await callback.answer(t.plain("mgr-no-colleagues"), show_alert=True)
        return
    await _set_keyboard(callback, colleagues_keyboard(callback_data.lead_id, colleagues, t))
    await callback.answer(t.plain("mgr-pick-colleague"))


async def on_hand_to(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    clock: Clock,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """A colleague picked: the lead is theirs, and they get the card privately."""
    if not callback_data.arg.isdigit():
        await callback.answer(t.plain("button-expired-alert"))
        return
    colleague_id = int(callback_data.arg)
    result = await pass_lead(db, callback_data.lead_id, account, colleague_id, now=clock.now())
    if not result.done or result.view is None:
        await _refuse(callback, result, t)
        return
    view = result.view
    await callback.answer(t.plain("mgr-passed-alert", name=view.owner_name or "—"))
    await refresh_lead(
        bot, db, translator, settings, callback_data.lead_id, pressed=_message(callback)
    )
    colleague_t = await _t_for_chat(colleague_id, db, translator, settings)
    header = colleague_t("mgr-passed-to-you", name=account.name, ref=view.lead.reference)
    await _send_card_privately(
        bot, db, clock, settings, colleague_id, view, colleague_t, header=header
    )


async def on_reject(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, db: Database, t: I18n
) -> None:
    """🚫 Не целевой: show the reasons."""
    result = await _may(db, callback_data.lead_id, account)
    if not result.done:
        await _refuse(callback, result, t)
        return
    await _set_keyboard(callback, reject_keyboard(callback_data.lead_id, t))
    await callback.answer(t.plain("mgr-pick-reason"))


async def on_reject_as(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    clock: Clock,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """A rejection reason picked: the lead is closed as not a target lead."""
    reason = _enum(RejectReason, callback_data.arg)
    if reason is None:
        await callback.answer(t.plain("button-expired-alert"))
        return
    result = await reject_lead(db, callback_data.lead_id, account, reason, now=clock.now())
    if not result.done:
        await _refuse(callback, result, t)
        return
    await callback.answer(t.plain("mgr-rejected-alert"))
    await refresh_lead(
        bot, db, translator, settings, callback_data.lead_id, pressed=_message(callback)
    )


async def on_progress(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    clock: Clock,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """🔄 В работе: the owner has made contact."""
    result = await mark_in_progress(db, callback_data.lead_id, account, now=clock.now())
    if not result.done:
        await _refuse(callback, result, t)
        return
    await callback.answer(t.plain("mgr-progress-alert"))
    await refresh_lead(
        bot, db, translator, settings, callback_data.lead_id, pressed=_message(callback)
    )


async def on_lost(
    callback: CallbackQuery, callback_data: LeadCb, account: Account, db: Database, t: I18n
) -> None:
    """❌ Проиграли: show the reasons."""
    result = await may_close(db, callback_data.lead_id, account)
    if not result.done:
        await _refuse(callback, result, t)
        return
    await _set_keyboard(callback, lost_keyboard(callback_data.lead_id, t))
    await callback.answer(t.plain("mgr-pick-reason"))


async def on_lost_as(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    clock: Clock,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """A lost reason picked: the deal is closed as lost."""
    reason = _enum(LostReason, callback_data.arg)
    if reason is None:
        await callback.answer(t.plain("button-expired-alert"))
        return
    result = await mark_lost(db, callback_data.lead_id, account, reason, now=clock.now())
    if not result.done:
        await _refuse(callback, result, t)
        return
    await callback.answer(t.plain("mgr-lost-alert"))
    await refresh_lead(
        bot, db, translator, settings, callback_data.lead_id, pressed=_message(callback)
    )


async def on_won(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    state: FSMContext,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """🏆 Выиграли: ask the owner for the amount in their private chat."""
    result = await may_close(db, callback_data.lead_id, account)
    if not result.done or result.view is None:
        await _refuse(callback, result, t)
        return
    private_t = await _t_for_chat(account.id, db, translator, settings)
    try:
        await bot.send_message(
            chat_id=account.id,
            text=private_t("mgr-amount-prompt", ref=result.view.lead.reference),
        )
    except TelegramAPIError as e:
        logger.info("Cannot ask user %s privately for an amount: %s", account.id, e)
        await callback.answer(t.plain("mgr-open-private-chat"), show_alert=True)
        return
    await _amount_context(state, bot, account.id).set_state(AMOUNT_STATE)
    await _amount_context(state, bot, account.id).set_data({"lead_id": callback_data.lead_id})
    await callback.answer(t.plain("mgr-amount-asked"))


async def on_details(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """ℹ️ Подробнее: every answer, privately; as a reply to the card if that is impossible."""
    if not _may_read(account):
        await _refuse(callback, ActionResult(None, Refusal.NOT_MANAGER), t)
        return
    view = await load_view(db.connection, callback_data.lead_id)
    if view is None:
        await callback.answer(t.plain("mgr-refused-not_found"), show_alert=True)
        return
    private_t = await _t_for_chat(account.id, db, translator, settings)
    if await _send_all(bot, account.id, render_details(view, private_t)):
        in_private = _chat_id(callback) == account.id
        await callback.answer(None if in_private else t.plain("mgr-sent-privately"))
        return
    message = _message(callback)
    if message is None:
        await callback.answer(t.plain("mgr-open-private-chat"), show_alert=True)
        return
    reply = ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
    await _send_all(bot, message.chat.id, render_details(view, t), reply=reply)
    await callback.answer()


async def on_open(
    callback: CallbackQuery,
    callback_data: LeadCb,
    account: Account,
    db: Database,
    clock: Clock,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """A lead's button in a digest: its full card, privately (or in the chat if impossible)."""
    if not _may_read(account):
        await _refuse(callback, ActionResult(None, Refusal.NOT_MANAGER), t)
        return
    view = await load_view(db.connection, callback_data.lead_id)
    if view is None:
        await callback.answer(t.plain("mgr-refused-not_found"), show_alert=True)
        return
    private_t = await _t_for_chat(account.id, db, translator, settings)
    if await _send_card_privately(bot, db, clock, settings, account.id, view, private_t):
        await callback.answer(t.plain("mgr-sent-privately"))
        return
    message = _message(callback)
    if message is None:
        await callback.answer(t.plain("mgr-open-private-chat"), show_alert=True)
        return
    rendered = render_alert(view, t, settings.zone)
    try:
        sent = await bot.send_message(
            chat_id=message.chat.id,
            text=rendered.text,
            reply_markup=rendered.keyboard,
            reply_parameters=ReplyParameters(
                message_id=message.message_id, allow_sending_without_reply=True
            ),
        )
    except TelegramAPIError as e:
        logger.warning("Could not show lead %s in chat %s: %s", view.lead.id, message.chat.id, e)
        await callback.answer(t.plain("error-generic-alert"), show_alert=True)
        return
    await _remember_card(db, clock, view.lead.id, sent)
    await callback.answer()


async def on_back(
    callback: CallbackQuery, callback_data: LeadCb, db: Database, t: I18n, settings: Settings
) -> None:
    """⬅️ Назад from a picker: the card's own buttons again."""
    view = await load_view(db.connection, callback_data.lead_id)
    if view is None:
        await callback.answer(t.plain("mgr-refused-not_found"), show_alert=True)
        return
    await _set_keyboard(callback, render_alert(view, t, settings.zone).keyboard or _no_buttons())
    await callback.answer()


def _no_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[])


async def _may(db: Database, lead_id: int, account: Account) -> ActionResult:
    """Whether the presser may open a picker for the lead (checked again on the final press)."""
    if not account.has(Role.MANAGER):
        return ActionResult(None, Refusal.NOT_MANAGER)
    view = await load_view(db.connection, lead_id)
    return ActionResult(view, permission(view, account, allow_new=True))


def _may_read(account: Account) -> bool:
    return account.has(Role.MANAGER) or account.has(Role.ADMIN)


def _message(callback: CallbackQuery) -> Message | None:
    return callback.message if isinstance(callback.message, Message) else None


def _chat_id(callback: CallbackQuery) -> int | None:
    message = _message(callback)
    return message.chat.id if message is not None else None


_Reason = TypeVar("_Reason", LostReason, RejectReason)


def _enum(kind: type[_Reason], value: str) -> _Reason | None:
    try:
        return kind(value)
    except ValueError:
        return None


async def _send_all(
    bot: Bot, chat_id: int, texts: list[str], *, reply: ReplyParameters | None = None
) -> bool:
    """Send the messages in order; False if the chat cannot be written to."""
    try:
        for index, text in enumerate(texts):
            await bot.send_message(
                chat_id=chat_id, text=text, reply_parameters=reply if index == 0 else None
            )
    except TelegramAPIError as e:
        logger.info("Could not write to chat %s: %s", chat_id, e)
        return False
    return True


async def _send_card_privately(
    bot: Bot,
    db: Database,
    clock: Clock,
    settings: Settings,
    user_id: int,
    view: LeadView,
    t: I18n,
    *,
    header: str | None = None,
) -> bool:
    """The card with its buttons in the person's private chat; False if they never wrote."""
    rendered = render_alert(view, t, settings.zone)
    text = f"{header}\n\n{rendered.text}" if header else rendered.text
    try:
        sent = await bot.send_message(
            chat_id=user_id, text=fit_message(text), reply_markup=rendered.keyboard
        )
    except TelegramAPIError as e:
        logger.info("Could not send lead %s to user %s: %s", view.lead.id, user_id, e)
        return False
    await _remember_card(db, clock, view.lead.id, sent)
    return True


async def _remember_card(db: Database, clock: Clock, lead_id: int, sent: Message) -> None:
    async with db.transaction() as conn:
        await LeadMessagesRepo(conn).add(
            lead_id, sent.chat.id, sent.message_id, "card", now=clock.now()
        )


# --- the won amount, typed privately -------------------------------------------------------------


def _amount_context(state: FSMContext, bot: Bot, user_id: int) -> FSMContext:
    key = StorageKey(bot_id=bot.id, chat_id=user_id, user_id=user_id, destiny=AMOUNT_DESTINY)
    return FSMContext(storage=state.storage, key=key)


class AwaitingAmount(Filter):
    """Passes for a manager's private text while a won amount is awaited; gives `amount_lead`."""

    async def __call__(
        self, event: TelegramObject, bot: Bot, state: FSMContext
    ) -> bool | dict[str, int]:
        if not isinstance(event, Message) or event.chat.type != "private" or event.text is None:
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
    db: Database,
    clock: Clock,
    state: FSMContext,
    translator: Translator,
    settings: Settings,
    t: I18n,
    bot: Bot,
) -> None:
    """The owner typed the won amount: "1,5 млн", "200k", "300 000 ₽"."""
    context = _amount_context(state, bot, message.chat.id)
    text = (message.text or "").strip()
    if text.lower() in {"/cancel", "отмена", "cancel"}:
        await context.clear()
        await message.answer(t("mgr-amount-cancelled"))
        return
    view = await load_view(db.connection, amount_lead)
    currency = view.lead.currency if view is not None else "RUB"
    parsed = parse_input("money", text, now=clock.now(), language=t.locale, currency=currency)
    if not isinstance(parsed, Parsed):
        problem = parsed.message if isinstance(parsed, Invalid) else t.plain("mgr-amount-unknown")
        await message.answer(t("mgr-amount-invalid", problem=problem))
        return
    amount = Decimal(str(parsed.value))
    result = await mark_won(db, amount_lead, account, amount, now=clock.now())
    await context.clear()
    if not result.done or result.view is None:
        await message.answer(t("mgr-amount-refused", reason=refusal_text(result, t)))
        return
    shown = format_money(amount, result.view.lead.currency, t.locale)
    await message.answer(t("mgr-won-done", ref=result.view.lead.reference, amount=shown))
    await refresh_lead(bot, db, translator, settings, amount_lead)


# --- lists and the full record -------------------------------------------------------------------


async def leads_screen(
    db: Database, account: Account, t: I18n, settings: Settings, clock: Clock, which: LeadFilter
) -> tuple[str, InlineKeyboardMarkup]:
    """A `/leads` list with its filter buttons."""
    views = await list_leads(
        db.connection, which, viewer_id=account.id, now=clock.now(), zone=settings.zone
    )
    lines = [t("mgr-list-title", filter=t.plain(f"mgr-filter-{which.value}"), count=len(views))]
    for view in views:
        lead = view.lead
        who = (
            t.plain("mgr-list-owner", name=view.owner_name)
            if view.owner_name
            else t.plain(f"lead-status-{lead.status.value}")
        )
        lines.append(
            t(
                "mgr-list-line",
                emoji=TEMPERATURE_EMOJI.get(lead.temperature, "•"),
                id=str(lead.id),
                title=clip(lead_title(view, t), TITLE_LIMIT),
                status=t.plain(f"lead-status-{lead.status.value}"),
                who=who,
                when=when(lead.created_at, settings.zone),
            )
        )
    if not views:
        lines.append(t("mgr-list-empty"))
    else:
        lines.append(t("mgr-list-hint"))
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


async def cmd_leads(
    message: Message, account: Account, db: Database, t: I18n, settings: Settings, clock: Clock
) -> None:
    """/leads: open leads, with filters."""
    if not _may_read(account):
        await message.answer(t("mgr-only-managers"))
        return
    text, keyboard = await leads_screen(db, account, t, settings, clock, LeadFilter.OPEN)
    await message.answer(text, reply_markup=keyboard)


async def on_leads_filter(
    callback: CallbackQuery,
    callback_data: LeadsListCb,
    account: Account,
    db: Database,
    t: I18n,
    settings: Settings,
    clock: Clock,
) -> None:
    """A filter button under /leads."""
    which = LeadFilter(callback_data.which) if callback_data.which in set(LeadFilter) else None
    if not _may_read(account) or which is None:
        await callback.answer(t.plain("mgr-refused-not_manager"), show_alert=True)
        return
    text, keyboard = await leads_screen(db, account, t, settings, clock, which)
    message = _message(callback)
    if message is not None:
        try:
            await message.edit_text(fit_message(text), reply_markup=keyboard)
        except TelegramBadRequest as e:
            if "not modified" not in e.message.lower():
                raise
    await callback.answer()


async def on_my_leads(
    callback: CallbackQuery,
    account: Account,
    db: Database,
    t: I18n,
    settings: Settings,
    clock: Clock,
) -> None:
    """Menu: my leads (the /leads list on the "mine" filter)."""
    text, keyboard = await leads_screen(db, account, t, settings, clock, LeadFilter.MINE)
    rows = [*keyboard.inline_keyboard, *home_keyboard(t).inline_keyboard]
    message = _message(callback)
    if message is not None:
        try:
            await message.edit_text(
                fit_message(text), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
            )
        except TelegramBadRequest as e:
            if "not modified" not in e.message.lower():
                raise
    await callback.answer()


async def cmd_lead(
    message: Message,
    command: CommandObject,
    account: Account,
    db: Database,
    clock: Clock,
    t: I18n,
    settings: Settings,
    calls: CallService,
) -> None:
    """/lead 123: the card with every answer, notes, the call's timeline and the history."""
    if not _may_read(account):
        await message.answer(t("mgr-only-managers"))
        return
    match = _LEAD_NUMBER.match((command.args or "").strip())
    if match is None:
        await message.answer(t("mgr-lead-usage"))
        return
    view = await load_view(db.connection, int(match.group(1)))
    if view is None:
        await message.answer(t("mgr-lead-missing", ref=f"#L-{match.group(1)}"))
        return
    call_events = await CallsRepo(db.connection).list_events(view.lead.call_id)
    lead_events = await LeadEventsRepo(db.connection).list_for_lead(view.lead.id)
    actors = {e.actor_id for e in lead_events if e.actor_id is not None}
    actors |= {int(e.payload["to"]) for e in lead_events if isinstance(e.payload.get("to"), int)}
    names = {}
    for user_id in actors:
        person = await UsersRepo(db.connection).get(user_id)
        names[user_id] = person.name if person is not None and person.name else str(user_id)
    rendered = render_alert(view, t, settings.zone)
    sent = await message.answer(rendered.text, reply_markup=rendered.keyboard)
    await _remember_card(db, clock, view.lead.id, sent)
    record = render_record(
        view,
        t,
        settings.zone,
        flow=calls.flow(view.lead.flow_id, view.lead.flow_version),
        call_events=call_events,
        lead_events=lead_events,
        names=names,
    )
    for text in record:
        await message.answer(text)


async def cmd_shift(
    message: Message, command: CommandObject, account: Account, db: Database, clock: Clock, t: I18n
) -> None:
    """/shift on|off: take part in round-robin assignment of new leads, or stop."""
    if not account.has(Role.MANAGER):
        await message.answer(t("mgr-shift-managers-only"))
        return
    argument = (command.args or "").strip().lower()
    if argument in {"on", "вкл", "start"}:
        on_shift = await set_shift(db, account, True, now=clock.now())
        key = "mgr-shift-started"
    elif argument in {"off", "выкл", "stop"}:
        on_shift = await set_shift(db, account, False, now=clock.now())
        key = "mgr-shift-ended"
    elif not argument:
        on_shift = await ShiftsRepo(db.connection).on_shift()
        key = "mgr-shift-status-on" if account.id in on_shift else "mgr-shift-status-off"
    else:
        await message.answer(t("mgr-shift-usage"))
        return
    users = UsersRepo(db.connection)
    people = [await users.get(user_id) for user_id in on_shift]
    names = ", ".join(p.name or str(p.id) for p in people if p is not None)
    await message.answer(t(key, names=names or t.plain("mgr-shift-nobody")))


def create_router() -> Router:
    """Lead cards (any chat), lists and records (managers and admins), shifts (managers)."""
    router = Router(name="manager")
    cards = router.callback_query
    cards.register(on_claim, LeadCb.filter(F.action == LeadAction.CLAIM))
    cards.register(on_hand_over, LeadCb.filter(F.action == LeadAction.HAND_OVER))
    cards.register(on_hand_to, LeadCb.filter(F.action == LeadAction.HAND_TO))
    cards.register(on_reject, LeadCb.filter(F.action == LeadAction.REJECT))
    cards.register(on_reject_as, LeadCb.filter(F.action == LeadAction.REJECT_AS))
    cards.register(on_progress, LeadCb.filter(F.action == LeadAction.PROGRESS))
    cards.register(on_won, LeadCb.filter(F.action == LeadAction.WON))
    cards.register(on_lost, LeadCb.filter(F.action == LeadAction.LOST))
    cards.register(on_lost_as, LeadCb.filter(F.action == LeadAction.LOST_AS))
    cards.register(on_details, LeadCb.filter(F.action == LeadAction.DETAILS))
    cards.register(on_open, LeadCb.filter(F.action == LeadAction.OPEN))
    cards.register(on_back, LeadCb.filter(F.action == LeadAction.BACK))
    cards.register(on_leads_filter, LeadsListCb.filter())
    cards.register(
        on_my_leads,
        MenuCb.filter(F.action == MenuAction.MY_LEADS),
        PrivateChat(),
        HasRole(Role.MANAGER),
    )
    router.message.register(on_amount, HasRole(Role.MANAGER), AwaitingAmount())
    router.message.register(cmd_leads, Command("leads"))
    router.message.register(cmd_lead, Command("lead"))
    router.message.register(cmd_shift, Command("shift"))
    return router
