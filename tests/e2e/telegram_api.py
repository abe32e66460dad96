"""What the Telegram Bot API accepts and sends, for the fakes in tests.

Written from Telegram's documentation, independently of the bot's own helpers, so a bug in the
bot's escaping or truncation is caught here rather than agreed with.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64
BUTTONS_PER_ROW = 8
BUTTONS_TOTAL = 100

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TAG = re.compile(
    r"<(?P<closing>/)?(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITY = re.compile(r"&(?:(?P<named>[a-zA-Z]+)|#(?P<dec>\d+)|#x(?P<hex>[0-9a-fA-F]+));")


class TelegramRejects(ValueError):
    """What Telegram would answer with 400 Bad Request; the message is its description."""


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of a Telegram-HTML string; raises TelegramRejects like the API does."""
    visible: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                raise TelegramRejects(
                    f"can't parse entities: unexpected '<' at byte offset {position}"
                )
            _check_tag(match, stack, position)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                raise TelegramRejects(
                    f"can't parse entities: unescaped '&' at byte offset {position}"
                )
            if match["named"] is not None:
                if match["named"] not in NAMED_ENTITIES:
                    raise TelegramRejects(
                        f"can't parse entities: unsupported entity &{match['named']};"
                    )
                visible.append(NAMED_ENTITIES[match["named"]])
            else:
                visible.append(html.unescape(match.group(0)))
            position = match.end()
        elif char == ">":
            raise TelegramRejects(f"can't parse entities: unescaped '>' at byte offset {position}")
        else:
            visible.append(char)
            position += 1
    if stack:
        raise TelegramRejects(
            f"can't parse entities: can't find end tag corresponding to {stack[-1]}"
        )
    return "".join(visible)


def _check_tag(match: re.Match[str], stack: list[str], position: int) -> None:
    name = match["name"].lower()
    if name not in ALLOWED_TAGS:
        raise TelegramRejects(f'can\'t parse entities: unsupported start tag "{name}"')
    if match["closing"]:
        if not stack or stack[-1] != name:
            raise TelegramRejects(
                f"can't parse entities: unmatched end tag at byte offset {position}, expected \""
                f'{stack[-1] if stack else ""}", found "{name}"'
            )
        stack.pop()
        return
    attrs = {
        m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
        for m in _ATTR.finditer(match["attrs"])
    }
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise TelegramRejects('can\'t parse entities: unsupported start tag "span"')
    if name == "a" and not attrs.get("href"):
        raise TelegramRejects("can't parse entities: a tag without href")
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise TelegramRejects("can't parse entities: tg-emoji without emoji-id")
    stack.append(name)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the person sees for a text sent with `parse_mode`."""
    return parse_html(text) if parse_mode == "HTML" else text


def check_text(text: Any, parse_mode: str | None, limit: int, what: str = "message") -> str:
    """Validate a message text or caption; returns its visible text."""
    if not isinstance(text, str):
        raise TelegramRejects(f"{what} text is empty")
    visible = visible_text(text, parse_mode)
    if not visible.strip():
        raise TelegramRejects(f"{what} text is empty")
    if utf16_length(visible) > limit:
        raise TelegramRejects(f"{what} is too long")
    return visible


def iter_buttons(markup: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    """Every inline button of a reply markup."""
    for row in (markup or {}).get("inline_keyboard", []):
        yield from row


def check_markup(markup: Any) -> None:
    """Validate an inline keyboard the way Telegram does."""
    if markup is None:
        return
    if not isinstance(markup, Mapping) or "inline_keyboard" not in markup:
        return  # reply keyboards and removals are not used by the bot; nothing to check
    rows = markup["inline_keyboard"]
    total = 0
    for row in rows:
        if len(row) > BUTTONS_PER_ROW:
            raise TelegramRejects("BUTTONS_TOO_MUCH: too many buttons in a row")
        for button in row:
            total += 1
            if not str(button.get("text", "")).strip():
                raise TelegramRejects("BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise TelegramRejects("BUTTON_DATA_INVALID")
            kinds = {"callback_data", "url", "switch_inline_query", "web_app", "copy_text"}
            if not kinds & set(button):
                raise TelegramRejects("BUTTON_TYPE_INVALID")
    if total > BUTTONS_TOTAL:
        raise TelegramRejects("REPLY_MARKUP_TOO_LONG")


_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


def check_request(method: str, params: Mapping[str, Any]) -> None:
    """Raise TelegramRejects if Telegram would refuse this request."""
    parse_mode = params.get("parse_mode")
    if method in {"sendMessage", "editMessageText"}:
        check_text(params.get("text"), parse_mode, MESSAGE_LIMIT)
    if method in {"sendDocument", "sendPhoto"} and params.get("caption") is not None:
        check_text(params["caption"], parse_mode, CAPTION_LIMIT, what="caption")
    if method == "answerCallbackQuery":
        if not params.get("callback_query_id"):
            raise TelegramRejects(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_LIMIT:
            raise TelegramRejects("MESSAGE_TOO_LONG")
    if method == "setMyCommands":
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise TelegramRejects("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise TelegramRejects("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise TelegramRejects("BOT_COMMAND_DESCRIPTION_INVALID")
    check_markup(params.get("reply_markup"))


# --- What Telegram sends: users, chats and updates as JSON-like dicts ---------------------------


def user_json(
    user_id: int,
    first_name: str = "Иван",
    last_name: str | None = "Петров",
    *,
    language_code: str | None = "ru",
    username: str | None = None,
) -> dict[str, Any]:
    """A Telegram User object."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if language_code:
        user["language_code"] = language_code
    if username:
        user["username"] = username
    return user


def private_chat_json(user: Mapping[str, Any]) -> dict[str, Any]:
    """The private chat between a user and the bot."""
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "last_name" in user:
        chat["last_name"] = user["last_name"]
    return chat


def group_chat_json(chat_id: int, title: str = "Менеджеры") -> dict[str, Any]:
    """A supergroup such as the managers' chat."""
    return {"id": chat_id, "type": "supergroup", "title": title}


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram attaches to a message starting with /command."""
    match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_length(match.group(0))}]


def message_json(
    *,
    message_id: int,
    date: int,
    chat: Mapping[str, Any],
    from_user: Mapping[str, Any] | None,
    text: str,
    sender_chat: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An incoming text message."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": date,
        "chat": dict(chat),
        "text": text,
    }
    if from_user is not None:
        message["from"] = dict(from_user)
    if sender_chat is not None:
        message["sender_chat"] = dict(sender_chat)
    entities = command_entities(text)
    if entities:
        message["entities"] = entities
    return message


def callback_query_json(
    *,
    query_id: str,
    from_user: Mapping[str, Any],
    message: Mapping[str, Any],
    data: str,
) -> dict[str, Any]:
    """A press on an inline button of `message`."""
    return {
        "id": query_id,
        "from": dict(from_user),
        "message": dict(message),
        "chat_instance": f"ci-{message['chat']['id']}",
        "data": data,
    }
