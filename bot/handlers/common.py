"""/start, /help and the main menu, for everyone with a role."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import MenuAction, MenuCb
from bot.domain import Account, Role
from bot.filters import DataIs, PressOf, PrivateChat
from bot.i18n import I18n
from bot.keyboards import main_menu
from bot.telegram import show

_ROLE_LINES = (
    (Role.HUNTER, "start-role-hunter"),
    (Role.MANAGER, "start-role-manager"),
    (Role.ADMIN, "start-role-admin"),
)
_ROLE_HELP = (
    (frozenset({Role.HUNTER}), "help-hunter"),
    (frozenset({Role.MANAGER}), "help-manager"),
    (frozenset({Role.MANAGER, Role.ADMIN}), "help-reports"),
    (frozenset({Role.ADMIN}), "help-admin"),
)
"""Help sections and who reads them: a section shows once for anyone holding one of its roles."""


def greeting(t: I18n, account: Account) -> str:
    """The main menu text: hello, what each of the person's roles does here."""
    lines = [t("start-greeting", name=account.name or str(account.id))]
    lines += [t(key) for role, key in _ROLE_LINES if role in account.roles]
    lines.append(t("start-choose"))
    return "\n\n".join(lines)


def help_text(t: I18n, account: Account) -> str:
    """Help for the person's roles, with their Telegram id (admins grant access by it)."""
    parts = [t("help-title")]
    parts += [t(key) for roles, key in _ROLE_HELP if roles & account.roles]
    parts.append(t("help-footer", user_id=str(account.id)))
    return "\n\n".join(parts)


async def cmd_start(
    message: Message, t: I18n, account: Account, state: FSMContext, raw_state: str | None
) -> None:
    """Greet and show the main menu; /start also abandons any half-typed input."""
    if raw_state is not None:
        await state.clear()
    await message.answer(greeting(t, account), reply_markup=main_menu(t, account.roles))


async def cmd_help(message: Message, t: I18n, account: Account) -> None:
    """Explain the bot for the person's roles."""
    await message.answer(help_text(t, account), reply_markup=main_menu(t, account.roles))


async def on_home(callback: CallbackQuery, t: I18n, account: Account) -> None:
    """Back to the main menu in the same message."""
    await show(callback, greeting(t, account), reply_markup=main_menu(t, account.roles))
    await callback.answer()


def create_router() -> Router:
    """Commands and menu entries every role shares, in private chats."""
    router = Router(name="common")
    router.message.filter(PrivateChat())
    router.callback_query.filter(PressOf(MenuCb), PrivateChat())
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.callback_query.register(on_home, DataIs(MenuCb, MenuAction.HOME))
    return router
