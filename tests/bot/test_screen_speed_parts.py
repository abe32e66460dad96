"""The short cuts the call screen takes on every press send exactly what aiogram's own way would:
the packed callback data, the buttons built without validation, whole rendered screens."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import Flows
from bot.call_screen import Panel, render_call
from bot.callbacks import AnswerCb, CallAction, CallCb, pack_call
from bot.calls import CallView
from bot.clock import FakeClock
from bot.domain import Call, CallStatus
from bot.i18n import Translator
from bot.keyboards import callback_button, inline_markup
from scripts.engine import CallState, Engine, Result, engine_for
from tests.bot.harness import TEST_TOKEN, RecordingSession

NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)
FLOW_KEY = ("b2b_cold_call_ru", 1)
CARD = {"company": "ООО «Северный хлеб» & <Ко>", "contact_name": "Ирина Соколова"}

AWKWARD_ARGS = ["", "0", "12", "qualified", "ид-возражения", "a b", "x" * 20, "я" * 20, "a:b", ":"]
CALL_IDS = [0, 7, 9_999_999_999]
SEQS = [0, 1, 99_999]


def _packed_by_aiogram(call_id: int, seq: int, action: CallAction, arg: str) -> str:
    try:
        return CallCb(call_id=call_id, seq=seq, action=action, arg=arg).pack()
    except ValueError:
        return "ValueError"


def _packed_fast(call_id: int, seq: int, action: CallAction, arg: str) -> str:
    try:
        return pack_call(call_id, seq, action, arg)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("action", list(CallAction))
@pytest.mark.parametrize("arg", AWKWARD_ARGS)
def test_call_data_is_packed_as_aiogram_packs_it(action: CallAction, arg: str) -> None:
    packed = [_packed_fast(c, s, action, arg) for c in CALL_IDS for s in SEQS]

    assert packed == [_packed_by_aiogram(c, s, action, arg) for c in CALL_IDS for s in SEQS]


@pytest.mark.parametrize(
    ("arg", "refused"),
    [
        ("a:b", True),  # the separator would shift every field after it
        ("x" * 41, False),  # 64 bytes exactly with the longest ids and action
        ("x" * 42, True),
        ("я" * 20, False),  # bytes are counted, not characters
        ("я" * 21, True),
    ],
)
def test_call_data_that_telegram_or_unpacking_would_break_is_refused(
    arg: str, refused: bool
) -> None:
    call_id, seq, action = 9_999_999_999, 99_999, CallAction.SUMMARY

    if refused:
        with pytest.raises(ValueError, match=r"Separator|too long"):
            pack_call(call_id, seq, action, arg)
    else:
        data = pack_call(call_id, seq, action, arg)
        assert CallCb.unpack(data) == CallCb(call_id=call_id, seq=seq, action=action, arg=arg)


def _sent(markup: InlineKeyboardMarkup) -> Any:
    """The reply_markup field as aiogram writes it into the request to the Bot API."""
    return RecordingSession(FakeClock()).prepare_value(markup, bot=Bot(TEST_TOKEN), files={})


def _validated(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The same keyboard built the ordinary way, every button validated by pydantic."""
    rows = [
        [
            InlineKeyboardButton(text=button.text, callback_data=button.callback_data)
            for button in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _fields_set(markup: InlineKeyboardMarkup) -> list[Any]:
    return [
        sorted(markup.model_fields_set),
        [[sorted(button.model_fields_set) for button in row] for row in markup.inline_keyboard],
    ]


def test_a_trusted_button_is_the_validated_one() -> None:
    fast = inline_markup([[callback_button("📝 Заметка & <b>", "c:1:2:n:")]])
    slow = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="📝 Заметка & <b>", callback_data="c:1:2:n:")]]
    )

    assert fast == slow
    assert (
        _fields_set(fast)
        == _fields_set(slow)
        == [["inline_keyboard"], [[["callback_data", "text"]]]]
    )
    assert fast.model_dump(exclude_none=True) == {
        "inline_keyboard": [[{"text": "📝 Заметка & <b>", "callback_data": "c:1:2:n:"}]]
    }
    assert fast.model_dump_json() == slow.model_dump_json()
    assert _sent(fast) == _sent(slow)
    assert fast.inline_keyboard[0][0].bot is None


def test_trusted_buttons_are_independent_of_each_other() -> None:
    first, second = callback_button("one", "c:1"), callback_button("two", "c:2")

    first.text = "changed"

    assert (first.text, second.text, callback_button("three", "c:3").text) == (
        "changed",
        "two",
        "three",
    )


Step = tuple[str, str]
"""An engine action on the way to a screen: ("answer", id), ("typed", text), ("objection", id)."""

WHO = ("answer", "who")
TO_EMPLOYEES: tuple[Step, ...] = (
    WHO,
    ("answer", "connect"),
    ("answer", "yes_me"),
    ("answer", "food"),
)
HOT: tuple[Step, ...] = (
    *TO_EMPLOYEES,
    ("typed", "250"),
    ("answer", "one"),
    ("answer", "delays"),
    ("typed", "2 млн"),
    ("answer", "self"),
    ("typed", "2 недели"),
)


def _play(engine: Engine, steps: tuple[Step, ...]) -> Result:
    result = engine.start(CARD, now=NOW)
    for kind, arg in steps:
        state: CallState = result.state
        if kind == "answer":
            result = engine.answer(state, arg, now=NOW)
        elif kind == "typed":
            result = engine.submit(state, arg, now=NOW)
        elif kind == "objection":
            result = engine.raise_objection(state, arg, now=NOW)
        else:
            result = engine.finish(state, arg, now=NOW, callback_at="2025-03-04T10:00:00+03:00")
    return result


def _view(flows: Flows, steps: tuple[Step, ...], status: CallStatus) -> CallView:
    flow = flows[FLOW_KEY]
    engine = engine_for(flow)
    result = _play(engine, steps)
    call = Call(
        id=1_234_567,
        hunter_id=1,
        flow_id=flow.id,
        flow_version=flow.version,
        status=CallStatus.OPEN,
        outcome=None,
        outcome_reason=None,
        card=CARD,
        chat_id=1,
        screen_message_id=5,
        started_at=NOW,
        updated_at=NOW,
        finished_at=None,
    )
    return CallView(replace(call, status=status), engine, result.state, result.screen)


SCREENS: dict[str, tuple[tuple[Step, ...], CallStatus, Panel]] = {
    "first step": ((), CallStatus.OPEN, Panel.STEP),
    "back offered": ((WHO,), CallStatus.OPEN, Panel.STEP),
    "objections": ((WHO,), CallStatus.OPEN, Panel.OBJECTIONS),
    "objection open": ((WHO, ("objection", "no_budget")), CallStatus.OPEN, Panel.STEP),
    "outcomes": ((WHO,), CallStatus.OPEN, Panel.FINISH),
    "note": ((WHO,), CallStatus.OPEN, Panel.NOTE),
    "no fitting answer": ((WHO,), CallStatus.OPEN, Panel.NO_FIT),
    "callback time": ((WHO,), CallStatus.OPEN, Panel.CALLBACK_TIME),
    "paused": ((WHO,), CallStatus.PAUSED, Panel.STEP),
    "typed answer": (TO_EMPLOYEES, CallStatus.OPEN, Panel.STEP),
    "knock-out": ((*TO_EMPLOYEES[:3], ("answer", "services")), CallStatus.OPEN, Panel.STEP),
    "handoff": (HOT, CallStatus.OPEN, Panel.STEP),
    "summary": ((WHO, ("finish", "callback")), CallStatus.FINISHED, Panel.STEP),
}


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("name", list(SCREENS))
def test_a_rendered_screen_sends_what_validated_buttons_would(
    flows: Flows, translator: Translator, name: str, locale: str
) -> None:
    steps, status, panel = SCREENS[name]
    _, markup = render_call(_view(flows, steps, status), translator.bind(locale), panel)
    reference = _validated(markup)

    assert markup == reference
    assert _fields_set(markup) == _fields_set(reference)
    assert markup.model_dump(exclude_none=True) == reference.model_dump(exclude_none=True)
    assert _sent(markup) == _sent(reference)


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_call_button_unpacks_and_packs_back_to_its_data(
    flows: Flows, translator: Translator, name: str
) -> None:
    steps, status, panel = SCREENS[name]
    _, markup = render_call(_view(flows, steps, status), translator.bind("ru"), panel)
    data = [button.callback_data or "" for row in markup.inline_keyboard for button in row]
    repacked = [
        CallCb.unpack(value).pack()
        if value.startswith("c:")
        else AnswerCb.unpack(value).pack()
        if value.startswith("a:")
        else value
        for value in data
    ]

    assert data
    assert repacked == data
