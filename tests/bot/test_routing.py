"""Which handler answers a press: every button kind reaches its owner, anything else the catch-all.

Routers skip presses by the prefix of their callback data and unpack it once; these tests pin
down what a person is told for each kind of press, so a press can never fall through to the
wrong router, to the catch-all, or to the error apology.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.callbacks import (
    AnswerCb,
    CallAction,
    CallCb,
    CardAction,
    CardCb,
    FlowCb,
    LeadAction,
    LeadCb,
    LeadsListCb,
    MenuAction,
    MenuCb,
    ResumeCallCb,
)
from bot.filters import DataIs, PressOf
from bot.leads import LostReason, RejectReason
from tests.bot.conftest import ADMIN, HUNTER, MANAGER
from tests.bot.harness import Conversation, ShownMessage, World

EXPIRED = "Эта кнопка больше не активна"
FORGED_CALL = "Эта кнопка недействительна"
HUNTERS_ONLY = "Звонки ведут только хантеры"
NO_SUCH_LEAD = "Такого лида нет"
MANAGERS_ONLY = "Брать лиды и отмечать итоги могут только менеджеры"
GROUP = -1001234567890
MISSING = 999
HELP = "Как пользоваться ботом"


async def in_private(world: World, user_id: int) -> Conversation:
    conv = world.conversation(user_id)
    await conv.send("/start")
    return conv


async def answer_to(conv: Conversation, data: str) -> dict[str, Any]:
    query = await conv.press(conv.last_message, data)
    conv.assert_answered()
    answer = conv.answer_for(query)
    return {"text": answer.get("text"), "alert": answer.get("show_alert", False)}


def call_control(action: CallAction) -> str:
    return CallCb(call_id=MISSING, seq=1, action=action).pack()


@pytest.mark.parametrize(
    ("data", "told"),
    [
        *(
            (call_control(action), "Этот вопрос уже закрыт")
            if action is CallAction.CALLBACK_TIME
            else (call_control(action), FORGED_CALL)
            for action in CallAction
        ),
        (AnswerCb(call_id=MISSING, seq=1, answer="who").pack(), FORGED_CALL),
        (ResumeCallCb(call_id=MISSING).pack(), FORGED_CALL),
    ],
)
async def test_every_call_screen_press_on_a_call_that_is_not_theirs_is_refused_by_the_screen(
    world: World, data: str, told: str
) -> None:
    hunter = await in_private(world, HUNTER)

    assert await answer_to(hunter, data) == {"text": told, "alert": False}


@pytest.mark.parametrize(
    "data",
    [
        AnswerCb(call_id=1, seq=1, answer="who").pack(),
        CallCb(call_id=1, seq=1, action=CallAction.PAUSE).pack(),
        ResumeCallCb(call_id=1).pack(),
        MenuCb(action=MenuAction.NEW_CALL).pack(),
        FlowCb(flow_id="b2b_cold_call_ru", version=1).pack(),
        CardCb(field=0, action=CardAction.CANCEL).pack(),
        CardCb(field=0, action=CardAction.OPTION, option=1).pack(),
    ],
)
async def test_call_buttons_pressed_by_a_manager_are_refused_as_for_hunters_only(
    world: World, data: str
) -> None:
    manager = await in_private(world, MANAGER)

    assert await answer_to(manager, data) == {"text": HUNTERS_ONLY, "alert": True}


def lead_press(action: LeadAction) -> str:
    args = {
        LeadAction.HAND_TO: str(ADMIN),
        LeadAction.REJECT_AS: next(iter(RejectReason)).value,
        LeadAction.LOST_AS: next(iter(LostReason)).value,
    }
    return LeadCb(action=action, lead_id=MISSING, arg=args.get(action, "")).pack()


READING = {LeadAction.BACK, LeadAction.DETAILS, LeadAction.OPEN}


@pytest.mark.parametrize(
    ("user_id", "action", "told"),
    [
        *((MANAGER, action, NO_SUCH_LEAD) for action in LeadAction),
        *(
            (ADMIN, action, NO_SUCH_LEAD if action in READING else MANAGERS_ONLY)
            for action in LeadAction
        ),
        *((HUNTER, action, MANAGERS_ONLY) for action in LeadAction),
    ],
)
async def test_every_lead_card_button_is_answered_by_its_own_handler_or_refused_by_role(
    world: World, user_id: int, action: LeadAction, told: str
) -> None:
    person = await in_private(world, user_id)

    assert await answer_to(person, lead_press(action)) == {"text": told, "alert": True}


@pytest.mark.parametrize(
    ("user_id", "data", "shown", "told"),
    [
        (MANAGER, LeadsListCb(which="hot").pack(), "Лиды: 🔥 Горячие", None),
        (HUNTER, LeadsListCb(which="hot").pack(), HELP, MANAGERS_ONLY),
        (MANAGER, LeadsListCb(which="forged").pack(), HELP, EXPIRED),
        (HUNTER, MenuCb(action=MenuAction.MY_CALLS).pack(), "Звонков пока нет.", None),
        (MANAGER, MenuCb(action=MenuAction.MY_LEADS).pack(), "Лиды: Мои", None),
        (ADMIN, MenuCb(action=MenuAction.TEAM).pack(), "Команда", None),
        (MANAGER, MenuCb(action=MenuAction.HOME).pack(), "Здравствуйте, Иван Петров!", None),
        (HUNTER, MenuCb(action=MenuAction.TEAM).pack(), HELP, EXPIRED),
        (ADMIN, MenuCb(action=MenuAction.MY_LEADS).pack(), HELP, EXPIRED),
    ],
)
async def test_menu_and_list_buttons_reach_the_router_that_owns_them(
    world: World, user_id: int, data: str, shown: str, told: str | None
) -> None:
    person = world.conversation(user_id)
    await person.send("/help")
    menu = person.last_message

    answer = await answer_to(person, data)

    assert answer["text"] == told
    assert person.last_message.message_id == menu.message_id
    assert person.last_message.text.startswith(shown)


@pytest.mark.parametrize(
    "data",
    [
        "stale",
        "gone:42",
        "a:1:1",  # an answer press missing a part
        "c:1:1:zz",  # a control the screen never had
        "c:x:1:b",  # a call id that is not a number
        "rc:",
        "m:nowhere",
        "fl:b2b_cold_call_ru",
        "cd:0:zz:0",
        "ld:zz:1:",
        "ll:hot:extra",
    ],
)
@pytest.mark.parametrize("user_id", [HUNTER, MANAGER])
async def test_data_nobody_takes_is_answered_by_the_catch_all(
    world: World, user_id: int, data: str
) -> None:
    person = await in_private(world, user_id)

    assert await answer_to(person, data) == {"text": EXPIRED, "alert": False}


@pytest.mark.parametrize(
    "data",
    [
        AnswerCb(call_id=1, seq=1, answer="who").pack(),
        MenuCb(action=MenuAction.HOME).pack(),
        MenuCb(action=MenuAction.NEW_CALL).pack(),
    ],
)
async def test_private_buttons_pressed_in_the_managers_group_are_answered_by_the_catch_all(
    world: World, data: str
) -> None:
    hunter = world.group_conversation(HUNTER, GROUP)
    shown = ShownMessage(chat_id=GROUP, message_id=1, html=".", text=".", reply_markup=None)

    query = await hunter.press(shown, data)

    assert hunter.answer_for(query).get("text") == EXPIRED


def press_of(data: str | None) -> CallbackQuery:
    user = User(id=HUNTER, is_bot=False, first_name="Иван")
    chat = Chat(id=HUNTER, type="private")
    message = Message.model_validate({"message_id": 1, "date": 0, "chat": chat, "text": "."})
    return CallbackQuery(id="q", from_user=user, chat_instance="ci", data=data, message=message)


@pytest.mark.parametrize(
    ("data", "unpacked"),
    [
        ("a:7:3:who", AnswerCb(call_id=7, seq=3, answer="who")),
        ("c:7:3:b:", CallCb(call_id=7, seq=3, action=CallAction.BACK)),
        ("c:7:3:zz:", None),
        ("a:7:3", None),
        ("rc:7", None),
        ("ac:7:3:who", None),
        ("", None),
        (None, None),
    ],
)
async def test_press_of_unpacks_only_its_own_kinds(
    data: str | None, unpacked: CallbackData | None
) -> None:
    result = await PressOf(AnswerCb, CallCb)(press_of(data))

    assert result == ({"callback_data": unpacked} if unpacked else False)


@pytest.mark.parametrize(
    ("check", "data", "passes"),
    [
        (DataIs(CallCb), CallCb(call_id=1, seq=1, action=CallAction.PAUSE), True),
        (
            DataIs(CallCb, CallAction.PAUSE),
            CallCb(call_id=1, seq=1, action=CallAction.PAUSE),
            True,
        ),
        (
            DataIs(CallCb, CallAction.BACK),
            CallCb(call_id=1, seq=1, action=CallAction.PAUSE),
            False,
        ),
        (DataIs(CallCb), AnswerCb(call_id=1, seq=1, answer="who"), False),
        (DataIs(CallCb), None, False),
    ],
)
async def test_data_is_tells_kinds_and_actions_apart(
    check: DataIs, data: CallbackData | None, passes: bool
) -> None:
    assert await check(press_of("x"), callback_data=data) is passes


@pytest.mark.parametrize(
    ("build", "problem"),
    [
        (lambda: PressOf(), "name at least one kind of callback data"),
        (lambda: PressOf(CallCb, CallCb), "the kinds must have different prefixes"),
        (lambda: DataIs(ResumeCallCb, CallAction.BACK), "ResumeCallCb has no action"),
    ],
)
def test_filters_refuse_a_meaningless_setup(build: Callable[[], object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        build()
