"""The hunter's menu: the latest calls, unfinished calls, callbacks due."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import CallAction, CallCb, MenuAction, MenuCb, ResumeCallCb, pack_call
from bot.calls import CallService
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, Call, CallStatus, Reminder, Role
from bot.filters import DataIs, HasRole, PressOf, PrivateChat
from bot.i18n import Html, I18n
from bot.keyboards import callback_button, home_keyboard, inline_markup
from bot.render import card_title, when
from bot.repositories import CallsRepo, RemindersRepo
from bot.telegram import show

Screen = tuple[str, InlineKeyboardMarkup]


async def my_calls_screen(
    db: Database, account: Account, t: I18n, settings: Settings, calls: CallService
) -> Screen:
    """The hunter's latest calls with their outcomes; a button each to continue or review."""
    recent = await CallsRepo(db.connection).list_recent_for_hunter(account.id, limit=10)
    if not recent:
        return t("calls-empty"), home_keyboard(t)
    lines = [t("calls-title")]
    rows = []
    for call in recent:
        title = card_title(call.card, t)
        lines.append(
            t(
                "call-list-line",
                id=str(call.id),
                title=title,
                status=Html(_status(call, t, calls)),
                when=when(call.started_at, settings.zone, t.locale),
            )
        )
        if call.status is CallStatus.FINISHED:
            data = CallCb(call_id=call.id, seq=0, action=CallAction.SUMMARY).pack()
            key = "call-list-summary-button"
        else:
            data = ResumeCallCb(call_id=call.id).pack()
            key = "call-list-open-button"
        rows.append(
            [
                InlineKeyboardButton(
                    text=t.plain(key, id=str(call.id), title=title), callback_data=data
                )
            ]
        )
    rows += home_keyboard(t).inline_keyboard
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _status(call: Call, t: I18n, calls: CallService) -> str:
    status = t(f"call-status-{call.status.value}")
    if call.outcome is None:
        return status
    flow = calls.flow(call.flow_id, call.flow_version)
    outcome = flow.outcomes.get(call.outcome) if flow is not None else None
    return t(
        "call-list-outcome",
        status=Html(status),
        outcome=outcome.title if outcome else call.outcome,
    )


async def unfinished_calls_screen(
    db: Database, account: Account, t: I18n, settings: Settings, calls: CallService
) -> Screen:
    """The hunter's open and paused calls, one button each to continue."""
    unfinished = await CallsRepo(db.connection).list_open_for_hunter(account.id, limit=10)
    if not unfinished:
        return t("resume-empty"), home_keyboard(t)
    rows = [
        [
            InlineKeyboardButton(
                text=t.plain("resume-button", id=str(call.id), title=card_title(call.card, t)),
                callback_data=ResumeCallCb(call_id=call.id).pack(),
            )
        ]
        for call in unfinished
    ]
    rows += home_keyboard(t).inline_keyboard
    return t("resume-title"), InlineKeyboardMarkup(inline_keyboard=rows)


async def callbacks_screen(
    db: Database, account: Account, t: I18n, settings: Settings, calls: CallService
) -> Screen:
    """The callbacks the hunter has scheduled, soonest first; a button each to call again."""
    reminders = await RemindersRepo(db.connection).pending_for_user(account.id)
    if not reminders:
        return t("callbacks-empty"), home_keyboard(t)
    lines = [t("callbacks-title")]
    lines += [
        t(
            "callbacks-line",
            when=when(reminder.due_at, settings.zone, t.locale),
            text=reminder.text,
        )
        for reminder in reminders
    ]
    today = calls.now().astimezone(settings.zone).date()
    rows = await _call_again_rows(db, reminders, t, settings.zone, today)
    rows += home_keyboard(t).inline_keyboard
    return "\n".join(lines), inline_markup(rows)


async def _call_again_rows(
    db: Database, reminders: list[Reminder], t: I18n, zone: ZoneInfo, today: date
) -> list[list[InlineKeyboardButton]]:
    """A "call again" button per callback that has a call to repeat, labelled with its lead."""
    repo = CallsRepo(db.connection)
    rows = []
    for reminder in reminders:
        call = await repo.get(reminder.call_id) if reminder.call_id is not None else None
        if call is None:
            continue
        label = t.plain(
            "callbacks-button",
            when=_due(reminder.due_at, today, zone, t.locale),
            title=card_title(call.card, t),
        )
        rows.append([callback_button(label, pack_call(call.id, 0, CallAction.AGAIN))])
    return rows


def _due(moment: datetime, today: date, zone: ZoneInfo, locale: str) -> str:
    """The time alone for a callback due today; with its day otherwise, so no day is mistaken."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M}" if local.date() == today else when(moment, zone, locale)


ScreenBuilder = Callable[[Database, Account, I18n, Settings, CallService], Awaitable[Screen]]
_SCREENS: dict[MenuAction, ScreenBuilder] = {
    MenuAction.MY_CALLS: my_calls_screen,
    MenuAction.RESUME: unfinished_calls_screen,
    MenuAction.CALLBACKS: callbacks_screen,
}
"""The hunter's lists by menu entry; /calls and /resume are named like their entries."""


async def cmd_list(
    message: Message,
    command: CommandObject,
    db: Database,
    account: Account,
    t: I18n,
    settings: Settings,
    calls: CallService,
) -> None:
    """/calls: the latest calls; /resume: pick an unfinished call."""
    build = _SCREENS[MenuAction(command.command)]
    text, keyboard = await build(db, account, t, settings, calls)
    await message.answer(text, reply_markup=keyboard)


async def on_list(
    callback: CallbackQuery,
    callback_data: MenuCb,
    db: Database,
    account: Account,
    t: I18n,
    settings: Settings,
    calls: CallService,
) -> None:
    """Menu: my calls, continue a call, callbacks due; in place of the menu."""
    build = _SCREENS[callback_data.action]
    text, keyboard = await build(db, account, t, settings, calls)
    await show(callback, text, reply_markup=keyboard)
    await callback.answer()


def create_router() -> Router:
    """Hunters' menu entries, in private chats.

    The call routers, included before this one, handle /call, `MenuAction.NEW_CALL` and
    `ResumeCallCb`.
    """
    router = Router(name="hunter")
    router.message.filter(PrivateChat(), HasRole(Role.HUNTER))
    router.callback_query.filter(PressOf(MenuCb), PrivateChat(), HasRole(Role.HUNTER))
    router.message.register(cmd_list, Command("calls", "resume"))
    router.callback_query.register(on_list, DataIs(MenuCb, *_SCREENS))
    return router
