"""Inline keyboards shared across handlers, and buttons built without re-validation."""

from __future__ import annotations

from typing import Any, TypeVar

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuAction, MenuCb
from bot.domain import Role
from bot.i18n import I18n

_Model = TypeVar("_Model", bound=TelegramObject)
_new = object.__new__
_set = object.__setattr__

_BUTTON = InlineKeyboardButton(text="", callback_data="")
_MARKUP = InlineKeyboardMarkup(inline_keyboard=[])


def _trusted(prototype: _Model, values: dict[str, Any]) -> _Model:
    """A model of the prototype's class with exactly `values` set, as if validated from them.

    This fills the instance as pydantic's own `model_copy` does, without its generic copying:
    the call screen builds a dozen buttons on every press, and validating each (or copying a
    validated one) was most of the time it took to draw. A test holds the result equal to the
    validated model, field for field and in the JSON sent to the Bot API.
    """
    model = _new(type(prototype))
    fields = prototype.__dict__.copy()
    fields.update(values)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_extra__", {})  # Telegram objects allow extra fields; none here
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_private__", {"_bot": None})  # bound to no bot, as when validated
    return model


def callback_button(text: str, callback_data: str) -> InlineKeyboardButton:
    """`InlineKeyboardButton(text=..., callback_data=...)` from strings the bot itself made."""
    return _trusted(_BUTTON, {"text": text, "callback_data": callback_data})


def inline_markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """`InlineKeyboardMarkup(inline_keyboard=rows)`, taking `rows` over rather than copying it."""
    return _trusted(_MARKUP, {"inline_keyboard": rows})


MENU_DATA = {action: MenuCb(action=action).pack() for action in MenuAction}
"""The callback data of each main-menu entry (it never changes)."""


def _menu_button(t: I18n, key: str, action: MenuAction) -> InlineKeyboardButton:
    return callback_button(t.plain(key), MENU_DATA[action])


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
    return inline_markup([[_menu_button(t, "menu-home", MenuAction.HOME)]])
