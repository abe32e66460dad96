"""Inline keyboards shared across handlers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuAction, MenuCb
from bot.domain import Role
from bot.i18n import I18n


def _menu_button(t: I18n, key: str, action: MenuAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=t.plain(key), callback_data=MenuCb(action=action).pack())


def main_menu(t: I18n, roles: frozenset[Role]) -> InlineKeyboardMarkup:
    """The main actions for the person's roles, two to a row."""
    builder = InlineKeyboardBuilder()
    if Role.HUNTER in roles:
        builder.row(
            _menu_button(t, "menu-new-call", MenuAction.NEW_CALL),
            _menu_button(t, "menu-resume", MenuAction.RESUME),
        )
        builder.row(
            _menu_button(t, "menu-my-calls", MenuAction.MY_CALLS),
            _menu_button(t, "menu-callbacks", MenuAction.CALLBACKS),
        )
    extra = []
    if Role.MANAGER in roles:
        extra.append(_menu_button(t, "menu-my-leads", MenuAction.MY_LEADS))
    if Role.ADMIN in roles:
        extra.append(_menu_button(t, "menu-team", MenuAction.TEAM))
    if extra:
        builder.row(*extra)
    return builder.as_markup()


def home_keyboard(t: I18n) -> InlineKeyboardMarkup:
    """A single button back to the main menu."""
    return InlineKeyboardMarkup(inline_keyboard=[[_menu_button(t, "menu-home", MenuAction.HOME)]])
