"""Opening a call: /call or the menu, the script to use, then the lead card field by field.

The card is kept in the FSM (SQLite) while it is typed, so a restart does not lose it; the call
row and its first event are written together once the card is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import CardAction, CardCb, FlowCb, MenuAction, MenuCb
from bot.calls import CallService
from bot.domain import Account, Role
from bot.filters import HasRole, PrivateChat
from bot.handlers.call_common import (
    CardEntry,
    Forwarded,
    TypedText,
    enter_call,
    on_not_a_hunter_press,
    show_call,
)
from bot.i18n import I18n
from bot.render import phone_region
from bot.telegram import edit_or_send, escape, fit_message
from scoring.model import FactValue
from scripts.inputs import Invalid, Parsed, parse_input
from scripts.schema import FieldSpec, Flow

_OPTION_COLUMNS = 2


def card_fields(flow: Flow) -> list[tuple[str, FieldSpec]]:
    """The fields asked before the call opens, in the flow's order."""
    return [(name, spec) for name, spec in flow.fields.items() if spec.card]


async def cmd_call(
    message: Message, bot: Bot, state: FSMContext, calls: CallService, t: I18n, account: Account
) -> None:
    """/call: choose the script (when there are several), then the lead card."""
    await _new_call(bot, message.chat.id, None, state, calls, t, account)


async def on_new_call(
    callback: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """New call from the menu, a summary or a reminder: in a new message, the pressed one stays."""
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    await _new_call(bot, chat_id, None, state, calls, t, account)


async def on_pick_flow(
    callback: CallbackQuery,
    callback_data: FlowCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """A script was chosen: ask the lead card."""
    flow = calls.flow(callback_data.flow_id, callback_data.version)
    if flow is None:
        await callback.answer(t.plain("button-expired-alert"))
        return
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    message_id = callback.message.message_id if callback.message else None
    await _begin_card(bot, chat_id, message_id, state, calls, t, account, flow)


async def on_card_text(
    message: Message,
    text: str,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """A typed lead-card value: parsed by the field's type, asked again if not understood."""
    card = await _Card.load(state, calls)
    if card is None:
        await state.clear()
        await message.answer(t("call-card-cancelled"))
        return
    name, spec = card.field
    parsed = parse_input(
        spec.type,
        text,
        now=calls.now(),
        language=card.flow.language,
        currency=spec.currency,
        options=spec.options,
        region=phone_region(card.flow.language),
    )
    if isinstance(parsed, Invalid) or (not isinstance(parsed, Parsed) and spec.required):
        problem = (
            parsed.message if isinstance(parsed, Invalid) else t.plain("call-card-required-alert")
        )
        await message.answer(fit_message(t("call-reask", problem=problem)))
        return
    if isinstance(parsed, Parsed):
        card.set(name, parsed.value, parsed.display)
    await _advance(bot, message.chat.id, None, state, calls, t, account, card)


async def on_card_button(
    callback: CallbackQuery,
    callback_data: CardCb,
    bot: Bot,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    """Skip a field, tap a choice, or cancel the call before it starts."""
    card = await _Card.load(state, calls)
    if card is None or callback_data.field != card.index:
        await callback.answer(t.plain("call-card-expired-alert"))
        return
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    message_id = callback.message.message_id if callback.message else None
    name, spec = card.field
    if callback_data.action is CardAction.CANCEL:
        await state.clear()
        await callback.answer()
        await edit_or_send(bot, chat_id, message_id, t("call-card-cancelled"))
        return
    if callback_data.action is CardAction.SKIP:
        if spec.required:
            await callback.answer(t.plain("call-card-required-alert"))
            return
    else:
        options = list(spec.options.items())
        if not 0 <= callback_data.option < len(options):
            await callback.answer(t.plain("call-forged-alert"))
            return
        option_id, label = options[callback_data.option]
        card.set(name, option_id, label)
    await callback.answer()
    await _advance(bot, chat_id, message_id, state, calls, t, account, card)


async def on_card_forwarded(message: Message, t: I18n) -> None:
    """A forwarded message while the card is typed: not the hunter's own value."""
    await message.answer(t("call-forwarded-ignored"))


async def on_not_a_hunter(message: Message, t: I18n, account: Account) -> None:
    """/call from someone without the hunter role."""
    await message.answer(t("call-hunters-only", user_id=str(account.id)))


# ----- the card -----


class _Card:
    """The lead card being typed, as kept in the FSM data."""

    def __init__(self, flow: Flow, data: Mapping[str, Any]) -> None:
        self.flow = flow
        self.fields = card_fields(flow)
        self.index = int(data.get("index", 0))
        self.values: dict[str, FactValue] = dict(data.get("values", {}))
        self.shown: dict[str, str] = dict(data.get("shown", {}))

    @classmethod
    async def load(cls, state: FSMContext, calls: CallService) -> _Card | None:
        data = await state.get_data()
        flow = calls.flow(str(data.get("flow_id")), int(data.get("version", 0)))
        if flow is None:
            return None
        card = cls(flow, data)
        return card if card.index < len(card.fields) else None

    @property
    def field(self) -> tuple[str, FieldSpec]:
        return self.fields[self.index]

    def set(self, name: str, value: FactValue, shown: str) -> None:
        self.values[name] = value
        self.shown[name] = shown

    def data(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow.id,
            "version": self.flow.version,
            "index": self.index,
            "values": self.values,
            "shown": self.shown,
        }

    def prompt(self, t: I18n) -> tuple[str, InlineKeyboardMarkup]:
        spec = self.field[1]
        lines = [
            t(
                "call-card-title",
                flow=self.flow.title,
                number=str(self.index + 1),
                total=str(len(self.fields)),
            )
        ]
        lines += [
            f"✓ {escape(self.flow.fields[name].title)}: {escape(shown)}"
            for name, shown in self.shown.items()
        ]
        ask = "call-card-ask-choice" if spec.options else "call-card-ask"
        lines.append(t(ask, field=spec.title))
        if spec.example:
            lines.append(t("call-card-example", example=spec.example))
        if not spec.required:
            lines.append(t("call-card-optional"))
        buttons = [
            InlineKeyboardButton(
                text=label,
                callback_data=CardCb(
                    field=self.index, action=CardAction.OPTION, option=number
                ).pack(),
            )
            for number, label in enumerate(spec.options.values())
        ]
        rows = [buttons[i : i + _OPTION_COLUMNS] for i in range(0, len(buttons), _OPTION_COLUMNS)]
        last = []
        if not spec.required:
            last.append(self._button(t, "call-card-skip-button", CardAction.SKIP))
        last.append(self._button(t, "call-card-cancel-button", CardAction.CANCEL))
        rows.append(last)
        return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)

    def _button(self, t: I18n, key: str, action: CardAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=t.plain(key), callback_data=CardCb(field=self.index, action=action).pack()
        )


async def _new_call(
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
) -> None:
    # The hunter's own language first; otherwise in the order the catalogue gives.
    flows = sorted(calls.newest_flows(), key=lambda flow: flow.language != t.locale)
    if not flows:
        await edit_or_send(bot, chat_id, message_id, t("call-no-flows"))
        return
    if len(flows) == 1:
        await _begin_card(bot, chat_id, message_id, state, calls, t, account, flows[0])
        return
    rows = [
        [
            InlineKeyboardButton(
                text=flow.title,
                callback_data=FlowCb(flow_id=flow.id, version=flow.version).pack(),
            )
        ]
        for flow in flows
    ]
    await edit_or_send(
        bot,
        chat_id,
        message_id,
        t("call-pick-flow"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def _begin_card(
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
    flow: Flow,
) -> None:
    card = _Card(flow, {})
    await state.set_state(CardEntry.field)
    await _advance(bot, chat_id, message_id, state, calls, t, account, card, move=False)


async def _advance(
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    state: FSMContext,
    calls: CallService,
    t: I18n,
    account: Account,
    card: _Card,
    *,
    move: bool = True,
) -> None:
    """Ask the next card field, or open the call once the card is complete."""
    if move:
        card.index += 1
    if card.index < len(card.fields):
        await state.set_data(card.data())
        text, keyboard = card.prompt(t)
        await edit_or_send(bot, chat_id, message_id, text, reply_markup=keyboard)
        return
    view = await calls.open(
        hunter_id=account.id,
        chat_id=chat_id,
        flow=card.flow,
        card=card.values,
        hunter_name=account.name,
    )
    await enter_call(state, view.call.id)
    await show_call(bot, calls, view, t, message_id=message_id, fresh=message_id is None)


def create_router() -> Router:
    """Opening calls, in private chats; hunters only."""
    router = Router(name="call_start")
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())
    hunter = HasRole(Role.HUNTER)
    router.message.register(cmd_call, Command("call"), hunter)
    router.callback_query.register(
        on_new_call, MenuCb.filter(F.action == MenuAction.NEW_CALL), hunter
    )
    router.callback_query.register(on_pick_flow, FlowCb.filter(), hunter)
    router.callback_query.register(on_card_button, CardCb.filter(), hunter)
    router.message.register(on_card_forwarded, StateFilter(CardEntry.field), Forwarded(), hunter)
    router.message.register(on_card_text, StateFilter(CardEntry.field), TypedText(), hunter)
    router.message.register(on_not_a_hunter, Command("call"))
    router.callback_query.register(
        on_not_a_hunter_press, MenuCb.filter(F.action == MenuAction.NEW_CALL)
    )
    router.callback_query.register(on_not_a_hunter_press, FlowCb.filter())
    router.callback_query.register(on_not_a_hunter_press, CardCb.filter())
    return router
