"""Helpers every handler uses to stay within Telegram's rules: escaping, length, edits."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
"""Telegram's limit for a message text, counted after entity parsing."""
CALLBACK_DATA_LIMIT = 64
"""Telegram's limit for callback data, in bytes."""
TRUNCATION_MARKER = "…"

_NOT_MODIFIED = "message is not modified"
# Messages that can no longer be edited; the caller sends a fresh one instead.
_NOT_EDITABLE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)


def is_not_modified(error: TelegramAPIError) -> bool:
    """Whether Telegram refused an edit only because nothing would change (harmless)."""
    return isinstance(error, TelegramBadRequest) and _NOT_MODIFIED in error.message.lower()


def escape(text: str) -> str:
    """Escape user- or author-supplied text for Telegram HTML."""
    return html.escape(text)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    visible: str  # what the token shows once Telegram parses it
    tag: str | None = None
    closing: bool = False


_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>|&(#x[0-9a-fA-F]+|#\d+|\w+);|.", re.DOTALL)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        whole = match.group(0)
        if match.group(2):
            tokens.append(_Token(whole, "", tag=match.group(2).lower(), closing=bool(match[1])))
        elif match.group(3):
            tokens.append(_Token(whole, html.unescape(whole)))
        else:
            tokens.append(_Token(whole, whole))
    return tokens


def visible_length(text: str) -> int:
    """The length Telegram checks: visible characters in UTF-16 units, tags not counted."""
    return sum(_utf16_len(token.visible) for token in _tokens(text))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_message(text: str, limit: int = MESSAGE_LIMIT, marker: str = TRUNCATION_MARKER) -> str:
    """The HTML text unchanged if it fits, else cut to fit with `marker` at the end.

    The cut never splits a tag, an entity or a character, and tags left open are closed, so
    the result is still valid Telegram HTML. Lengths count UTF-16 units (emoji count twice),
    the stricter of Telegram's ways to count.
    """
    if _utf16_len(text) <= limit:
        return text  # tags and entities only shrink when parsed: it fits, no need to parse
    tokens = _tokens(text)
    if sum(_utf16_len(token.visible) for token in tokens) <= limit:
        return text
    budget = limit - _utf16_len(marker)
    if budget < 0:
        raise ValueError("the marker alone exceeds the limit")
    kept: list[_Token] = []
    used = 0
    for token in tokens:
        size = _utf16_len(token.visible)
        if used + size > budget:
            break
        kept.append(token)
        used += size
    kept = _prefer_word_boundary(kept)
    open_tags: list[tuple[str, int]] = []  # tag name and its index in `kept`
    for index, token in enumerate(kept):
        if token.tag is None:
            continue
        if token.closing:
            if open_tags and open_tags[-1][0] == token.tag:
                open_tags.pop()
        else:
            open_tags.append((token.tag, index))
    # A tag opened right before the cut would close empty; drop it instead.
    while open_tags and all(not t.visible for t in kept[open_tags[-1][1] :]):
        del kept[open_tags[-1][1] :]
        open_tags.pop()
    result = "".join(token.text for token in kept).rstrip()
    closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
    return result + escape(marker) + closing


def _prefer_word_boundary(kept: list[_Token], window: int = 80) -> list[_Token]:
    """Move the cut back to the last whitespace within `window` tokens, if there is one."""
    for back in range(1, min(window, len(kept)) + 1):
        token = kept[-back]
        if token.tag is None and token.visible.isspace():
            return kept[: len(kept) - back + 1]
    return kept


async def safe_edit(
    message: Message,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | bool:
    """Edit a message's text; editing to identical content is quietly a no-op."""
    try:
        return await message.edit_text(fit_message(text), reply_markup=reply_markup)
    except TelegramBadRequest as e:
        if is_not_modified(e):
            return message
        raise


async def edit_or_send(
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Show `text` in the given message, or in a new one if it cannot be edited; its id."""
    text = fit_message(text)
    if message_id is not None:
        try:
            await bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
            )
        except TelegramBadRequest as e:
            description = e.message.lower()
            if is_not_modified(e):
                return message_id
            if not any(reason in description for reason in _NOT_EDITABLE):
                raise
            logger.info(
                "Message %s in chat %s cannot be edited; sending anew", message_id, chat_id
            )
        else:
            return message_id
    sent = await bot.send_message(chat_id=chat_id, text=text, reply_markup=reply_markup)
    return sent.message_id


async def show(
    callback: CallbackQuery,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Show a screen in place of the pressed message (or anew if that one is gone)."""
    if isinstance(callback.message, Message):
        await safe_edit(callback.message, text, reply_markup=reply_markup)
        return
    if callback.bot is None:  # pragma: no cover - updates fed through a dispatcher carry a bot
        raise RuntimeError("the callback query is not bound to a bot")
    await callback.bot.send_message(
        chat_id=callback.from_user.id, text=fit_message(text), reply_markup=reply_markup
    )
