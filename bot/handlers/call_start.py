"""Opening a call: /call or the menu, the script to use, then the lead card field by field.

The card is kept in the FSM (SQLite) while it is typed, so a restart does not lose it; the call
row and its first event are written together once the card is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import CardAction, CardCb, FlowCb, MenuAction, MenuCb
from bot.domain import Account, Role
from bot.filters import DataIs, HasRole, PressOf, PrivateChat
from bot.handlers.call_common import (
    CallDesk,
    CardEntry,
    Forwarded,
    TypedText,
    install_call_desk,
    on_not_a_hunter_press,
    pressed_in,
)
from bot.i18n import I18n
from bot.render import phone_region
from bot.telegram import edit_or_send, escape, fit_message
from scoring.model import FactValue
from scripts.inputs import Invalid, Parsed, field_examples, parse_input
from scripts.schema import FieldSpec, Flow

_OPTION_COLUMNS = 2


def card_fields(flow: Flow) -> list[tuple[str, FieldSpec]]:
    """The fields asked before the call opens, in the flow's order."""
    return [(name, spec) for name, spec in flow.fields.items() if spec.card]


async def cmd_call(message: Message, desk: CallDesk) -> None:
    """/call: choose the script (when there are several), then the lead card."""
    await _new_call(desk, message.chat.id)


async def on_new_call(callback: CallbackQuery, desk: CallDesk) -> None:
    """New call from the menu, a summary or a reminder: in a new message, the pressed one stays."""
    await callback.answer()
    chat_id, _ = pressed_in(callback)
    await _new_call(desk, chat_id)


async def on_pick_flow(callback: CallbackQuery, callback_data: FlowCb, desk: CallDesk) -> None:
    """A script was chosen: ask the lead card in the same message."""
    flow = desk.calls.flow(callback_data.flow_id, callback_data.version)
    if flow is None:
        await callback.answer(desk.t.plain("button-expired-alert"))
        return
    await callback.answer()
    await desk.state.set_state(CardEntry.field)
    await _advance(desk, _Card(flow, {}), *pressed_in(callback), move=False)


async def on_card_text(message: Message, text: str, desk: CallDesk) -> None:
    """A typed lead-card value: parsed by the field's type, asked again if not understood."""
    card = await _Card.load(desk)
    if card is None:
        await desk.state.clear()
        await message.answer(desk.t("call-card-cancelled"))
        return
    problem = card.take(text, now=desk.calls.now())
    if problem is not None:
        reask = desk.t("call-reask", problem=problem or card.required_reask(desk.t))
        await message.answer(fit_message(reask))
        return
    await _advance(desk, card, message.chat.id, None)


async def on_card_button(callback: CallbackQuery, callback_data: CardCb, desk: CallDesk) -> None:
    """Skip a field or tap one of its choices."""
    card = await _pressed_card(callback, callback_data, desk)
    if card is None:
        return
    if callback_data.action is CardAction.SKIP and card.field[1].required:
        await callback.answer(desk.t.plain("call-card-required-alert"))
        return
    if callback_data.action is CardAction.OPTION and not card.choose(callback_data.option):
        await callback.answer(desk.t.plain("call-forged-alert"))
        return
    await callback.answer()
    await _advance(desk, card, *pressed_in(callback))


async def on_card_cancel(callback: CallbackQuery, callback_data: CardCb, desk: CallDesk) -> None:
    """Cancel the call before it starts: the card typed so far is dropped."""
    if await _pressed_card(callback, callback_data, desk) is None:
        return
    await desk.state.clear()
    await callback.answer()
    chat_id, message_id = pressed_in(callback)
    await edit_or_send(desk.bot, chat_id, message_id, desk.t("call-card-cancelled"))


async def _pressed_card(callback: CallbackQuery, data: CardCb, desk: CallDesk) -> _Card | None:
    """The card being typed if the press is for its current field; else the press is stale."""
    card = await _Card.load(desk)
    if card is None or data.field != card.index:
        await callback.answer(desk.t.plain("call-card-expired-alert"))
        return None
    return card


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
    async def load(cls, desk: CallDesk) -> _Card | None:
        """The card in the conversation state, unless there is none (or it is complete)."""
        data = await desk.state.get_data()
        flow = desk.calls.flow(str(data.get("flow_id")), int(data.get("version", 0)))
        if flow is None:
            return None
        card = cls(flow, data)
        return card if card.index < len(card.fields) else None

    @property
    def field(self) -> tuple[str, FieldSpec]:
        """The field being asked: its id and spec."""
        return self.fields[self.index]

    def take(self, text: str, *, now: datetime) -> str | None:
        """Keep the typed value; else why not ("" for a required field left unanswered)."""
        name, spec = self.field
        parsed = parse_input(
            spec.type,
            text,
            now=now,
            language=self.flow.language,
            currency=spec.currency,
            options=spec.options,
            region=phone_region(self.flow.language),
            example=spec.example,
        )
        if isinstance(parsed, Invalid):
            return parsed.message
        if isinstance(parsed, Parsed):
            self.values[name], self.shown[name] = parsed.value, parsed.display
            return None
        return "" if spec.required else None

    def required_reask(self, t: I18n) -> str:
        """Why a required field is asked again, with what to type (its own example first)."""
        spec = self.field[1]
        examples = field_examples(spec.type, t.locale, spec.example)
        return t.plain("call-card-required-reask", examples=examples)

    def choose(self, option: int) -> bool:
        """Keep the tapped choice; False if the field has no such option."""
        name, spec = self.field
        options = list(spec.options.items())
        if not 0 <= option < len(options):
            return False
        self.values[name], self.shown[name] = options[option]
        return True

    def data(self) -> dict[str, Any]:
        """What the conversation state keeps of the card."""
        return {
            "flow_id": self.flow.id,
            "version": self.flow.version,
            "index": self.index,
            "values": self.values,
            "shown": self.shown,
        }

    def prompt(self, t: I18n) -> tuple[str, InlineKeyboardMarkup]:
        """The card so far and the next field's question, with its choices and controls."""
        spec = self.field[1]
        number, total = str(self.index + 1), str(len(self.fields))
        lines = [t("call-card-title", flow=self.flow.title, number=number, total=total)]
        lines += [
            f"✓ {escape(self.flow.fields[name].title)}: {escape(shown)}"
            for name, shown in self.shown.items()
        ]
        lines.append(
            t("call-card-ask-choice" if spec.options else "call-card-ask", field=spec.title)
        )
        if spec.example:
            lines.append(t("call-card-example", example=spec.example))
        if not spec.required:
            lines.append(t("call-card-optional"))
        return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=self._keyboard(t))

    def _keyboard(self, t: I18n) -> list[list[InlineKeyboardButton]]:
        spec = self.field[1]
        choices = [
            self._button(label, CardAction.OPTION, number)
            for number, label in enumerate(spec.options.values())
        ]
        rows = [choices[i : i + _OPTION_COLUMNS] for i in range(0, len(choices), _OPTION_COLUMNS)]
        controls = [self._button(t.plain("call-card-cancel-button"), CardAction.CANCEL)]
        if not spec.required:
            controls.insert(0, self._button(t.plain("call-card-skip-button"), CardAction.SKIP))
        return [*rows, controls]

    def _button(self, label: str, action: CardAction, option: int = 0) -> InlineKeyboardButton:
        data = CardCb(field=self.index, action=action, option=option)
        return InlineKeyboardButton(text=label, callback_data=data.pack())


async def _new_call(desk: CallDesk, chat_id: int) -> None:
    """Offer the scripts (the hunter's language first), or go to the card of the only one."""
    flows = sorted(desk.calls.newest_flows(), key=lambda flow: flow.language != desk.t.locale)
    if not flows:
        await desk.bot.send_message(chat_id, desk.t("call-no-flows"))
        return
    if len(flows) == 1:
        await desk.state.set_state(CardEntry.field)
        await _advance(desk, _Card(flows[0], {}), chat_id, None, move=False)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=flow.title, callback_data=FlowCb(flow_id=flow.id, version=flow.version).pack()
            )
        ]
        for flow in flows
    ]
    await desk.bot.send_message(
        chat_id, desk.t("call-pick-flow"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def _advance(
    desk: CallDesk, card: _Card, chat_id: int, message_id: int | None, *, move: bool = True
) -> None:
    """Ask the next card field, or open the call once the card is complete."""
    if move:
        card.index += 1
    if card.index < len(card.fields):
        await desk.state.set_data(card.data())
        text, keyboard = card.prompt(desk.t)
        await edit_or_send(desk.bot, chat_id, message_id, text, reply_markup=keyboard)
        return
    hunter = desk.account
    view = await desk.calls.open(
        hunter_id=hunter.id,
        chat_id=chat_id,
        flow=card.flow,
        card=card.values,
        hunter_name=hunter.name,
    )
    await desk.enter(view.call.id)
    await desk.show(view, message_id=message_id, fresh=message_id is None)


def create_router() -> Router:
    """Opening calls, in private chats; hunters only."""
    router = Router(name="call_start")
    router.message.filter(PrivateChat())
    router.callback_query.filter(PressOf(MenuCb, FlowCb, CardCb), PrivateChat())
    install_call_desk(router)
    hunter = HasRole(Role.HUNTER)
    router.message.register(cmd_call, Command("call"), hunter)
    new_call = DataIs(MenuCb, MenuAction.NEW_CALL)
    press = router.callback_query.register
    press(on_new_call, new_call, hunter)
    press(on_pick_flow, DataIs(FlowCb), hunter)
    press(on_card_cancel, DataIs(CardCb, CardAction.CANCEL), hunter)
    press(on_card_button, DataIs(CardCb), hunter)
    router.message.register(on_card_forwarded, StateFilter(CardEntry.field), Forwarded(), hunter)
    router.message.register(on_card_text, StateFilter(CardEntry.field), TypedText(), hunter)
    router.message.register(on_not_a_hunter, Command("call"))
    for kind in (new_call, DataIs(FlowCb), DataIs(CardCb)):
        press(on_not_a_hunter_press, kind)
    return router
