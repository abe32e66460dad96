"""A fake Telegram Bot API on 127.0.0.1 for end-to-end tests of the real `python -m bot`.

It serves the methods the bot uses, records every request, and answers like Telegram: a text
that is not valid Telegram HTML, too long, or a keyboard over the limits gets a 400 and is
listed in `rejections` (the fixtures fail the test on any). Tests feed updates through
`user_sends` / `user_presses`, which the bot receives by long polling, and can inject faults:
`api.inject(Fault.retry_after(3), method="sendMessage", chat_id=-100...)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.e2e.telegram_api import (
    TelegramRejects,
    callback_query_json,
    check_request,
    iter_buttons,
    message_json,
    private_chat_json,
    visible_text,
)

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Qualibot",
    "username": "qualibot_e2e_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"}


class ApiError(Exception):
    """A 400 that Telegram gives in normal operation (not a misuse the test should fail on)."""


@dataclass
class Request:
    """One HTTP call the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    """How a request fails instead of succeeding."""

    status: int = 500
    description: str = "Internal Server Error"
    parameters: dict[str, Any] | None = None
    drop_connection: bool = False
    delay_seconds: float = 0.0
    """With a delay and status 200 the request succeeds, late (a slow network)."""

    @classmethod
    def retry_after(cls, seconds: int) -> Fault:
        """Flood control: 429 with retry_after."""
        return cls(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def server_error(cls) -> Fault:
        """A 500 from Telegram."""
        return cls(500, "Internal Server Error")

    @classmethod
    def forbidden(cls) -> Fault:
        """The bot was removed from the chat or blocked."""
        return cls(403, "Forbidden: bot was kicked from the supergroup chat")

    @classmethod
    def migrate(cls, new_chat_id: int) -> Fault:
        """The group became a supergroup with a new id."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """The request succeeds after `seconds`."""
        return cls(status=200, description="", delay_seconds=seconds)

    @classmethod
    def drop(cls) -> Fault:
        """The connection closes without an answer."""
        return cls(drop_connection=True)


@dataclass
class _Injected:
    fault: Fault
    method: str
    chat_id: int | None
    remaining: int


@dataclass
class ChatMessage:
    """A message as it stands in a chat (after any edits)."""

    chat_id: int
    message_id: int
    text: str
    html: str
    reply_markup: dict[str, Any] | None
    from_bot: bool

    @property
    def buttons(self) -> list[list[str]]:
        """Button labels, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    def as_json(self, date: int) -> dict[str, Any]:
        """The Message object Telegram would send."""
        chat: dict[str, Any] = {"id": self.chat_id}
        chat.update(
            {"type": "private", "first_name": "Chat"}
            if self.chat_id > 0
            else {"type": "supergroup", "title": "Group"}
        )
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": date,
            "chat": chat,
            "text": self.text,
        }
        if self.from_bot:
            message["from"] = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
        if self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


class FakeBotAPI:
    """The Bot API over HTTP on a random loopback port."""

    def __init__(self, token: str, *, poll_cap_seconds: float = 0.5) -> None:
        self.token = token
        self.poll_cap_seconds = poll_cap_seconds
        self.requests: list[Request] = []
        self.rejections: list[str] = []
        self.chats: dict[int, list[ChatMessage]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._faults: list[_Injected] = []
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda _: BOT_USER,
            "deleteWebhook": lambda _: True,
            "setMyCommands": lambda _: True,
            "deleteMyCommands": lambda _: True,
            "answerCallbackQuery": lambda _: True,
            "sendChatAction": lambda _: True,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "sendDocument": self._send_file,
            "sendPhoto": self._send_file,
        }

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on 127.0.0.1 at a free port; returns the base URL for TELEGRAM_API_URL."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop serving (pending long polls end)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what people do -------------------------------------------------------------------------

    def _now(self) -> int:
        return int(time.time())

    async def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        await self._notify()
        return update_id

    async def user_sends(
        self,
        user: Mapping[str, Any],
        text: str,
        *,
        chat: Mapping[str, Any] | None = None,
        sender_chat: Mapping[str, Any] | None = None,
    ) -> int:
        """A person sends a text (in their private chat unless `chat` is given)."""
        chat = chat or private_chat_json(user)
        message = message_json(
            message_id=next(self._message_ids),
            date=self._now(),
            chat=chat,
            from_user=user,
            text=text,
            sender_chat=sender_chat,
        )
        self.chats.setdefault(int(chat["id"]), []).append(
            ChatMessage(int(chat["id"]), message["message_id"], text, text, None, from_bot=False)
        )
        return await self.push_update({"message": message})

    async def user_presses(
        self, user: Mapping[str, Any], label: str, chat_id: int | None = None
    ) -> str:
        """A person presses the button labelled `label` on the latest message that has it."""
        chat_id = int(user["id"]) if chat_id is None else chat_id
        for shown in reversed(self.chats.get(chat_id, [])):
            for button in iter_buttons(shown.reply_markup):
                if label in button["text"]:
                    return await self.press(user, shown, button["callback_data"])
        raise AssertionError(f"no button {label!r} in chat {chat_id}")

    async def press(self, user: Mapping[str, Any], shown: ChatMessage, data: str) -> str:
        """A press with the given callback data on `shown`; returns the query id."""
        query_id = f"e2e-{next(self._query_ids)}"
        query = callback_query_json(
            query_id=query_id, from_user=user, message=shown.as_json(self._now()), data=data
        )
        await self.push_update({"callback_query": query})
        return query_id

    # --- what tests observe ---------------------------------------------------------------------

    def calls(self, method: str) -> list[Request]:
        """Successful and failed calls of `method`, in order."""
        return [r for r in self.requests if r.method == method]

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """The chat as it stands: every message, edits applied."""
        return list(self.chats.get(chat_id, []))

    def last_bot_message(self, chat_id: int) -> ChatMessage:
        """The latest message from the bot in the chat."""
        from_bot = [m for m in self.chats.get(chat_id, []) if m.from_bot]
        if not from_bot:
            raise AssertionError(f"the bot has not written to chat {chat_id}")
        return from_bot[-1]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Request], bool] = lambda _: True,
        *,
        after: int = 0,
        timeout: float = 15.0,  # noqa: ASYNC109 - a deadline for the whole search, not one call
    ) -> Request:
        """The first request of `method` (from index `after`) matching `predicate`."""

        def find() -> Request | None:
            return next(
                (r for r in self.requests[after:] if r.method == method and predicate(r)), None
            )

        async with asyncio.timeout(timeout):
            async with self._changed:
                while (found := find()) is None:
                    await self._changed.wait()
        return found

    def inject(
        self, fault: Fault, *, method: str, chat_id: int | None = None, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail with `fault`."""
        self._faults.append(_Injected(fault, method, chat_id, times))

    # --- the HTTP side --------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _read_params(request)
        record = Request(method, params)
        self.requests.append(record)
        try:
            if request.match_info["token"] != self.token:
                return self._error(record, 401, "Unauthorized")
            fault = self._take_fault(method, params)
            if fault is not None and fault.delay_seconds:
                await asyncio.sleep(fault.delay_seconds)
            if fault is not None and fault.status != 200:
                if fault.drop_connection:
                    record.status = 0
                    if request.transport is not None:
                        request.transport.close()
                    return web.Response(status=500)
                return self._error(record, fault.status, fault.description, fault.parameters)
            if method == "getUpdates":
                return self._ok(await self._get_updates(params))
            handler = self._methods.get(method)
            if handler is None:
                self.rejections.append(f"unexpected Bot API method {method}")
                return self._error(record, 404, "Not Found: method not found")
            try:
                check_request(method, params)
                return self._ok(handler(params))
            except ApiError as e:
                return self._error(record, 400, f"Bad Request: {e}")
            except TelegramRejects as e:
                self.rejections.append(
                    f"{method}: {e}: {json.dumps(params, ensure_ascii=False)[:500]}"
                )
                return self._error(record, 400, f"Bad Request: {e}")
        finally:
            await self._notify()

    def _take_fault(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        for injected in self._faults:
            if injected.method != method:
                continue
            if injected.chat_id is not None and params.get("chat_id") != injected.chat_id:
                continue
            injected.remaining -= 1
            if injected.remaining <= 0:
                self._faults.remove(injected)
            return injected.fault
        return None

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(
        record: Request, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> web.Response:
        record.status = status
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    async def _get_updates(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        # An offset confirms every earlier update, as in Telegram.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        wait = min(float(params.get("timeout") or 0), self.poll_cap_seconds)
        if not self._updates and wait > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)
        return self._updates[:limit]

    def _store(self, shown: ChatMessage) -> dict[str, Any]:
        self.chats.setdefault(shown.chat_id, []).append(shown)
        return shown.as_json(self._now())

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store(
            ChatMessage(
                chat_id=params["chat_id"],
                message_id=next(self._message_ids),
                text=visible_text(params["text"], params.get("parse_mode")),
                html=params["text"],
                reply_markup=params.get("reply_markup"),
                from_bot=True,
            )
        )

    def _send_file(self, params: dict[str, Any]) -> dict[str, Any]:
        caption = params.get("caption") or ""
        return self._store(
            ChatMessage(
                chat_id=params["chat_id"],
                message_id=next(self._message_ids),
                text=visible_text(caption, params.get("parse_mode")) if caption else "",
                html=caption,
                reply_markup=params.get("reply_markup"),
                from_bot=True,
            )
        )

    def _find(self, params: Mapping[str, Any]) -> ChatMessage:
        for shown in self.chats.get(params["chat_id"], []):
            if shown.message_id == params["message_id"]:
                return shown
        raise ApiError("message to edit not found")

    def _edit_text(self, params: dict[str, Any]) -> dict[str, Any]:
        shown = self._find(params)
        html, markup = params["text"], params.get("reply_markup")
        if (shown.html, shown.reply_markup) == (html, markup):
            raise ApiError("message is not modified")
        shown.html, shown.reply_markup = html, markup
        shown.text = visible_text(html, params.get("parse_mode"))
        return shown.as_json(self._now())

    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        shown = self._find(params)
        markup = params.get("reply_markup")
        if shown.reply_markup == markup:
            raise ApiError("message is not modified")
        shown.reply_markup = markup
        return shown.as_json(self._now())


async def _read_params(request: web.Request) -> dict[str, Any]:
    """The request's parameters, JSON-encoded values decoded and ids as ints."""
    if request.content_type == "application/json":
        raw: Mapping[str, Any] = await request.json()
    else:
        form = await request.post()
        raw = {key: value for key, value in form.items() if isinstance(value, str)}
        raw |= {key: "<file>" for key, value in form.items() if not isinstance(value, str)}
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if key in _INT_PARAMS and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        params[key] = value
    return params
