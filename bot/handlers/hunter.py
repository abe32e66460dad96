"""The hunter's menu: calls lists, callbacks due, and the entry points of the call screen."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import MenuAction, MenuCb, ResumeCallCb
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, Role
from bot.filters import HasRole, PrivateChat
from bot.i18n import I18n
from bot.keyboards import home_keyboard
from bot.render import card_title, when
from bot.repositories import CallsRepo, RemindersRepo
from bot.telegram import show

Screen = tuple[str, InlineKeyboardMarkup]


async def my_calls_screen(db: Database, account: Account, t: I18n, settings: Settings) -> Screen:
    """The hunter's latest calls with their status."""
    calls = await CallsRepo(db.connection).list_recent_for_hunter(account.id, limit=10)
    if not calls:
        return t("calls-empty"), home_keyboard(t)
    lines = [t("calls-title")]
    lines += [
        t(
            "calls-line",
            id=str(call.id),
            title=card_title(call.card, t),
            status=t(f"call-status-{call.status.value}"),
            when=when(call.started_at, settings.zone),
        )
        for call in calls
    ]
    return "\n".join(lines), home_keyboard(t)


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
    message: Message, db: Database, account: Account, t: I18n, settings: Settings
) -> None:
    """/calls: the latest calls."""
    text, keyboard = await my_calls_screen(db, account, t, settings)
    await message.answer(text, reply_markup=keyboard)


async def cmd_resume(message: Message, db: Database, account: Account, t: I18n) -> None:
    """/resume: pick an unfinished call."""
    text, keyboard = await unfinished_calls_screen(db, account, t)
    await message.answer(text, reply_markup=keyboard)


async def on_my_calls(
    callback: CallbackQuery, db: Database, account: Account, t: I18n, settings: Settings
) -> None:
    """Menu: my calls."""
    text, keyboard = await my_calls_screen(db, account, t, settings)
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


async def cmd_call_unavailable(message: Message, t: I18n) -> None:
    """/call until the call screen is plugged in."""
    await message.answer(t("call-screen-unavailable-alert"))


async def on_call_unavailable(callback: CallbackQuery, t: I18n) -> None:
    """New call / continue this call, until the call screen is plugged in."""
    await callback.answer(t.plain("call-screen-unavailable-alert"), show_alert=True)


def create_router() -> Router:
    """Hunters' menu entries, in private chats.

    The call screen router, included before this one, takes over /call, `MenuAction.NEW_CALL`
    and `ResumeCallCb`; the placeholders here only answer until it exists.
    """
    router = Router(name="hunter")
    for observer in (router.message, router.callback_query):
        observer.filter(PrivateChat())
        observer.filter(HasRole(Role.HUNTER))
    router.message.register(cmd_calls, Command("calls"))
    router.message.register(cmd_resume, Command("resume"))
    router.message.register(cmd_call_unavailable, Command("call"))
    router.callback_query.register(on_my_calls, MenuCb.filter(F.action == MenuAction.MY_CALLS))
    router.callback_query.register(on_resume, MenuCb.filter(F.action == MenuAction.RESUME))
    router.callback_query.register(on_callbacks, MenuCb.filter(F.action == MenuAction.CALLBACKS))
    router.callback_query.register(
        on_call_unavailable, MenuCb.filter(F.action == MenuAction.NEW_CALL)
    )
    router.callback_query.register(on_call_unavailable, ResumeCallCb.filter())
    return router
