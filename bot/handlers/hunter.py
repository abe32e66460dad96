"""The hunter's menu: the latest calls, unfinished calls, callbacks due."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import CallAction, CallCb, MenuAction, MenuCb, ResumeCallCb
from bot.calls import CallService
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, Call, CallStatus, Role
from bot.filters import HasRole, PrivateChat
from bot.i18n import Html, I18n
from bot.keyboards import home_keyboard
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
                when=when(call.started_at, settings.zone),
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


async def unfinished_calls_screen(db: Database, account: Account, t: I18n) -> Screen:
    """The hunter's open and paused calls, one button each to continue."""
    calls = await CallsRepo(db.connection).list_open_for_hunter(account.id, limit=10)
    if not calls:
        return t("resume-empty"), home_keyboard(t)
    rows = [
        [
            InlineKeyboardButton(
                text=t.plain("resume-button", id=str(call.id), title=card_title(call.card, t)),
                callback_data=ResumeCallCb(call_id=call.id).pack(),
            )
        ]
        for call in calls
    ]
    rows += home_keyboard(t).inline_keyboard
    return t("resume-title"), InlineKeyboardMarkup(inline_keyboard=rows)


async def callbacks_screen(db: Database, account: Account, t: I18n, settings: Settings) -> Screen:
    """The callbacks the hunter has scheduled, soonest first."""
    reminders = await RemindersRepo(db.connection).pending_for_user(account.id)
    if not reminders:
        return t("callbacks-empty"), home_keyboard(t)
    lines = [t("callbacks-title")]
    lines += [
        t("callbacks-line", when=when(reminder.due_at, settings.zone), text=reminder.text)
        for reminder in reminders
    ]
    return "\n".join(lines), home_keyboard(t)


async def cmd_calls(
    message: Message,
    db: Database,
    account: Account,
    t: I18n,
    settings: Settings,
    calls: CallService,
) -> None:
    """/calls: the latest calls."""
    text, keyboard = await my_calls_screen(db, account, t, settings, calls)
    await message.answer(text, reply_markup=keyboard)


async def cmd_resume(message: Message, db: Database, account: Account, t: I18n) -> None:
    """/resume: pick an unfinished call."""
    text, keyboard = await unfinished_calls_screen(db, account, t)
    await message.answer(text, reply_markup=keyboard)


async def on_my_calls(
    callback: CallbackQuery,
    db: Database,
    account: Account,
    t: I18n,
    settings: Settings,
    calls: CallService,
) -> None:
    """Menu: my calls."""
    text, keyboard = await my_calls_screen(db, account, t, settings, calls)
    await show(callback, text, reply_markup=keyboard)
    await callback.answer()


async def on_resume(callback: CallbackQuery, db: Database, account: Account, t: I18n) -> None:
    """Menu: continue a call."""
    text, keyboard = await unfinished_calls_screen(db, account, t)
    await show(callback, text, reply_markup=keyboard)
    await callback.answer()


async def on_callbacks(
    callback: CallbackQuery, db: Database, account: Account, t: I18n, settings: Settings
) -> None:
    """Menu: callbacks due."""
    text, keyboard = await callbacks_screen(db, account, t, settings)
    await show(callback, text, reply_markup=keyboard)
    await callback.answer()


def create_router() -> Router:
    """Hunters' menu entries, in private chats.

    The call routers, included before this one, handle /call, `MenuAction.NEW_CALL` and
    `ResumeCallCb`.
    """
    router = Router(name="hunter")
    for observer in (router.message, router.callback_query):
        observer.filter(PrivateChat())
        observer.filter(HasRole(Role.HUNTER))
    router.message.register(cmd_calls, Command("calls"))
    router.message.register(cmd_resume, Command("resume"))
    router.callback_query.register(on_my_calls, MenuCb.filter(F.action == MenuAction.MY_CALLS))
    router.callback_query.register(on_resume, MenuCb.filter(F.action == MenuAction.RESUME))
    router.callback_query.register(on_callbacks, MenuCb.filter(F.action == MenuAction.CALLBACKS))
    return router
