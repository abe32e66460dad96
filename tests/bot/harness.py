"""Conversation tests through the real Dispatcher, with a Bot API session of our own.

`RecordingSession` answers the Bot API methods the bot uses with plausible results, checks each
request against Telegram's rules and fails loudly on anything else. `Conversation` reads like a
user story: `await conv.send("/start")`, `await conv.click("Новый звонок")`, `conv.last_text`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update

from bot.clock import FakeClock
from bot.db import Database
from bot.domain import Lead, NewLead
from bot.outbox import OutboxRelay
from bot.repositories import CallsRepo, LeadsRepo
from scripts.engine import engine_for
from scripts.schema import Flow
from scripts.summary import CallSummary, summarize
from tests.e2e.telegram_api import (
    TelegramRejects,
    callback_query_json,
    check_request,
    group_chat_json,
    iter_buttons,
    message_json,
    private_chat_json,
    user_json,
    visible_text,
)

BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Qualibot", "username": "qualibot_test"}
TEST_TOKEN = "123456:TEST-token-for-offline-tests-only"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)


class UnexpectedRequest(AssertionError):
    """The bot called a Bot API method the test double does not know."""


@dataclass
class Request:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)
    """Uploaded files by attachment name (`BufferedInputFile`s: `.data` holds the bytes)."""


@dataclass
class ShownMessage:
    """A message as the person sees it in the chat."""

    chat_id: int
    message_id: int
    html: str
    text: str
    reply_markup: dict[str, Any] | None
    from_bot: bool = True

    @property
    def buttons(self) -> list[list[str]]:
        """Button labels, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    def as_json(self, date: int) -> dict[str, Any]:
        """The Message object Telegram would send for it."""
        chat = {"id": self.chat_id, "type": "private" if self.chat_id > 0 else "supergroup"}
        if self.chat_id > 0:
            chat["first_name"] = "Chat"
        else:
            chat["title"] = "Group"
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": date,
            "chat": chat,
            "text": self.text,
        }
        if self.from_bot:
            message["from"] = BOT_USER
        if self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


@dataclass
class _Fault:
    method: str
    error_code: int
    description: str
    parameters: dict[str, Any] | None
    network: bool = False
    """The connection breaks instead of Telegram answering."""


class RecordingSession(BaseSession):
    """A Bot API that lives in memory: records requests, answers plausibly, rejects the rest."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self._clock = clock
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self.messages: dict[tuple[int, int], ShownMessage] = {}
        self.history: list[ShownMessage] = []  # every send and edit, in order
        self._message_ids = itertools.count(1000)
        self._faults: list[_Fault] = []
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda _: BOT_USER,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "answerCallbackQuery": lambda _: True,
            "setMyCommands": lambda _: True,
            "deleteMyCommands": lambda _: True,
            "deleteWebhook": lambda _: True,
            "deleteMessage": self._delete_message,
            "getUpdates": lambda _: [],
            "sendChatAction": lambda _: True,
            "sendDocument": self._send_file,
            "sendPhoto": self._send_file,
        }

    def next_message_id(self) -> int:
        """A fresh message id (shared by the bot's and the person's messages)."""
        return next(self._message_ids)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 400,
        description: str = "Bad Request",
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Make the next call of `method` fail as Telegram would."""
        self._faults.append(_Fault(method, error_code, description, parameters))

    def drop_next(self, method: str) -> None:
        """Make the next call of `method` fail with a dropped connection."""
        self._faults.append(_Fault(method, 0, "", None, network=True))

    def uploads(self, method: str) -> list[bytes]:
        """The bytes of every file uploaded with `method` (sendDocument, sendPhoto), in order."""
        return [
            file.data
            for request in self.requests
            if request.method == method
            for file in request.files.values()
        ]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of `method`, in order."""
        return [request.params for request in self.requests if request.method == method]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature BaseSession defines
    ) -> TelegramType:
        name = method.__api_method__
        files: dict[str, Any] = {}
        params = {
            key: prepared
            for key, value in method.model_dump(warnings=False).items()
            if (prepared := self.prepare_value(value, bot=bot, files=files, _dumps_json=False))
            is not None
        }
        self.requests.append(Request(name, params, files))
        fault = next((f for f in self._faults if f.method == name), None)
        if fault is not None:
            self._faults.remove(fault)
            if fault.network:
                raise TelegramNetworkError(method=method, message="connection dropped (test)")
            return self._respond(
                bot, method, fault.error_code, fault.description, fault.parameters
            )
        try:
            check_request(name, params)
        except TelegramRejects as e:
            self.problems.append(f"{name} rejected: {e}: {params!r}"[:2000])
            return self._respond(bot, method, 400, f"Bad Request: {e}", None)
        handler = self._handlers.get(name)
        if handler is None:
            self.problems.append(f"unexpected Bot API method {name}")
            raise UnexpectedRequest(f"the test Bot API does not know {name}")
        try:
            result = handler(params)
        except _NotModified:
            return self._respond(bot, method, 400, NOT_MODIFIED, None)
        return self.check_response(
            bot, method, 200, json.dumps({"ok": True, "result": result})
        ).result  # type: ignore[return-value]

    def _respond(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        code: int,
        description: str,
        parameters: dict[str, Any] | None,
    ) -> TelegramType:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.check_response(bot, method, code, json.dumps(body))
        raise AssertionError("check_response accepted an error")  # pragma: no cover

    def _date(self) -> int:
        return int(self._clock.now().timestamp())

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        shown = ShownMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(),
            html=params["text"],
            text=visible_text(params["text"], params.get("parse_mode")),
            reply_markup=params.get("reply_markup"),
        )
        self.messages[(chat_id, shown.message_id)] = shown
        self.history.append(shown)
        return shown.as_json(self._date())

    def _send_file(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        caption = params.get("caption") or ""
        shown = ShownMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(),
            html=caption,
            text=visible_text(caption, params.get("parse_mode")) if caption else "",
            reply_markup=params.get("reply_markup"),
        )
        self.messages[(chat_id, shown.message_id)] = shown
        self.history.append(shown)
        return shown.as_json(self._date())

    def _existing(self, params: dict[str, Any]) -> ShownMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            self.problems.append(f"edit of an unknown message {key}")
            raise UnexpectedRequest(f"message {key} was never sent")
        return self.messages[key]

    def _edit_text(self, params: dict[str, Any]) -> dict[str, Any]:
        old = self._existing(params)
        new = ShownMessage(
            chat_id=old.chat_id,
            message_id=old.message_id,
            html=params["text"],
            text=visible_text(params["text"], params.get("parse_mode")),
            reply_markup=params.get("reply_markup"),
        )
        self._store_edit(old, new)
        return new.as_json(self._date())

    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        old = self._existing(params)
        new = ShownMessage(
            old.chat_id, old.message_id, old.html, old.text, params.get("reply_markup")
        )
        self._store_edit(old, new)
        return new.as_json(self._date())

    def _store_edit(self, old: ShownMessage, new: ShownMessage) -> None:
        if (old.html, old.reply_markup) == (new.html, new.reply_markup):
            # Telegram refuses an edit to identical content; the bot must avoid or swallow it.
            raise _NotModified
        self.messages[(old.chat_id, old.message_id)] = new
        self.history.append(new)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(  # type: ignore[override]
        self, url: str, *args: Any, **kwargs: Any
    ) -> Iterator[bytes]:
        raise UnexpectedRequest("downloads are not expected in conversation tests")


class _NotModified(Exception):
    pass


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    """One bot and its dispatcher, shared by the conversations of a test."""

    dispatcher: Dispatcher
    bot: Bot
    session: RecordingSession
    clock: FakeClock
    update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    errors: _ErrorLog = field(default_factory=_ErrorLog)

    def conversation(
        self,
        user_id: int,
        first_name: str = "Иван",
        last_name: str | None = "Петров",
        *,
        language_code: str | None = "ru",
        username: str | None = None,
    ) -> Conversation:
        """A person writing to the bot in a private chat."""
        user = user_json(
            user_id, first_name, last_name, language_code=language_code, username=username
        )
        return Conversation(self, user, private_chat_json(user))

    def group_conversation(
        self, user_id: int, chat_id: int, first_name: str = "Ольга", last_name: str | None = None
    ) -> Conversation:
        """A person writing in a group, such as the managers' chat."""
        return Conversation(
            self, user_json(user_id, first_name, last_name), group_chat_json(chat_id)
        )

    def chat(self, chat_id: int) -> list[ShownMessage]:
        """Everything the bot sent or edited in a chat, in order (e.g. alerts to managers)."""
        return [m for m in self.session.history if m.chat_id == chat_id]

    async def feed(self, update: dict[str, Any]) -> Any:
        """Feed one update through the real dispatcher; fail on any protocol problem or error."""
        update = {"update_id": next(self.update_ids), **update}
        parsed = Update.model_validate(update, context={"bot": self.bot})
        logger = logging.getLogger()
        logger.addHandler(self.errors)
        try:
            result = await self.dispatcher.feed_update(self.bot, parsed)
        finally:
            logger.removeHandler(self.errors)
        if self.session.problems:
            raise AssertionError("Bot API misuse: " + "; ".join(self.session.problems))
        if self.errors.records and not getattr(self, "_errors_expected", False):
            record = self.errors.records[0]
            raise AssertionError(f"a handler failed: {record.getMessage()}") from (
                record.exc_info[1] if record.exc_info else None
            )
        return result

    @contextmanager
    def expecting_errors(self) -> Iterator[list[logging.LogRecord]]:
        """Let handler errors happen (to test the error path); yields the logged records."""
        self._errors_expected = True
        try:
            yield self.errors.records
        finally:
            self._errors_expected = False
            self.errors.records.clear()


class Conversation:
    """One person in one chat, talking to the bot."""

    def __init__(self, world: World, user: dict[str, Any], chat: dict[str, Any]) -> None:
        self.world = world
        self.user = user
        self.chat = chat
        self.callback_ids: list[str] = []

    @property
    def session(self) -> RecordingSession:
        """The Bot API double."""
        return self.world.session

    @property
    def user_id(self) -> int:
        """The person's Telegram id."""
        return int(self.user["id"])

    def _date(self) -> int:
        return int(self.world.clock.now().timestamp())

    async def send(self, text: str, *, sender_chat: dict[str, Any] | None = None) -> Any:
        """The person sends a text message (a /command gets its entity, as in Telegram)."""
        message = message_json(
            message_id=self.session.next_message_id(),
            date=self._date(),
            chat=self.chat,
            from_user=self.user,
            text=text,
            sender_chat=sender_chat,
        )
        return await self.world.feed({"message": message})

    def _find_button(self, label: str) -> tuple[ShownMessage, dict[str, Any]]:
        for shown in reversed(self._shown_here()):
            current = self.session.messages.get((shown.chat_id, shown.message_id))
            if current is None:
                continue
            for button in iter_buttons(current.reply_markup):
                if label in button["text"]:
                    return current, dict(button)
        raise AssertionError(f"no button {label!r} in the chat; buttons now: {self.buttons}")

    async def click(self, label: str) -> str:
        """Press the button whose label contains `label` on the latest message that has it."""
        shown, button = self._find_button(label)
        return await self.press(shown, button["callback_data"])

    def find_exact(self, label: str) -> tuple[ShownMessage, str]:
        """The latest message with a button labelled exactly `label`, and that button's data."""
        for shown in reversed(self._shown_here()):
            current = self.session.messages.get((shown.chat_id, shown.message_id))
            if current is None:
                continue
            for button in iter_buttons(current.reply_markup):
                if button["text"] == label:
                    return current, str(button["callback_data"])
        raise AssertionError(f"no button {label!r} in the chat; buttons now: {self.buttons}")

    async def tap(self, label: str) -> str:
        """Press the button labelled exactly `label` (`click` matches a part of the label)."""
        shown, data = self.find_exact(label)
        return await self.press(shown, data)

    async def send_forwarded(self, text: str) -> Any:
        """The person forwards someone else's message to the bot."""
        message = message_json(
            message_id=self.session.next_message_id(),
            date=self._date(),
            chat=self.chat,
            from_user=self.user,
            text=text,
        )
        message["forward_origin"] = {
            "type": "hidden_user",
            "date": self._date(),
            "sender_user_name": "Клиент",
        }
        return await self.world.feed({"message": message})

    async def send_edited(self, text: str) -> Any:
        """The person edits one of their earlier messages to `text`."""
        message = message_json(
            message_id=self.session.next_message_id(),
            date=self._date(),
            chat=self.chat,
            from_user=self.user,
            text=text,
        )
        message["edit_date"] = self._date()
        return await self.world.feed({"edited_message": message})

    async def press(self, shown: ShownMessage, data: str) -> str:
        """Press a button with arbitrary callback data (forged, stale...); returns the query id."""
        query_id = f"q{next(self.world.query_ids)}"
        self.callback_ids.append(query_id)
        query = callback_query_json(
            query_id=query_id,
            from_user=self.user,
            message=shown.as_json(self._date()),
            data=data,
        )
        await self.world.feed({"callback_query": query})
        return query_id

    def _shown_here(self) -> list[ShownMessage]:
        return [m for m in self.session.history if m.chat_id == self.chat["id"]]

    @property
    def last_message(self) -> ShownMessage:
        """The message the bot sent or edited last in this chat."""
        shown = self._shown_here()
        if not shown:
            raise AssertionError("the bot has not written to this chat")
        return shown[-1]

    @property
    def last_text(self) -> str:
        """What the person reads in the latest message (HTML rendered to plain text)."""
        return self.last_message.text

    @property
    def buttons(self) -> list[list[str]]:
        """Button labels of the latest message, row by row."""
        shown = self._shown_here()
        return shown[-1].buttons if shown else []

    @property
    def messages(self) -> list[ShownMessage]:
        """Everything the bot sent or edited in this chat, in order."""
        return self._shown_here()

    def answer_for(self, query_id: str) -> dict[str, Any]:
        """The answerCallbackQuery parameters for one press."""
        answers = [
            p
            for p in self.session.calls("answerCallbackQuery")
            if p["callback_query_id"] == query_id
        ]
        if len(answers) != 1:
            raise AssertionError(f"press {query_id} was answered {len(answers)} times")
        return answers[0]

    def assert_answered(self) -> None:
        """Every press in this conversation got exactly one answerCallbackQuery."""
        for query_id in self.callback_ids:
            self.answer_for(query_id)


# --- The managers' side: leads as a qualified call leaves them, and a relay on a fake clock ---

QUALIFIED_CARD: dict[str, Any] = {
    "company": "ООО «Северный хлеб»",
    "contact_name": "Ирина Соколова",
    "phone": "+7 495 123-45-67",
    "lead_source": "cold_base",
    "hunter_name": "Олег",
}
QUALIFIED_MOVES: tuple[tuple[str, str], ...] = (
    ("tap", "Соединяет"),
    ("tap", "Да, слушаю"),
    ("tap", "Пищевое"),
    ("type", "250"),
    ("tap", "Один постоянный"),
    ("tap", "Срывают сроки"),
    ("type", "1,5 млн"),
    ("tap", "Решаю сам"),
    ("type", "через месяц"),
    ("tap", "Теряем деньги уже сейчас"),
    ("tap", "Сроки поставки"),
    ("tap", "Встреча назначена"),
)
"""The Russian cold call to a hot class-A lead: ЛПР, 1,5 млн, in a month (SLA 15 minutes)."""


def qualified_summary(
    flow: Flow,
    *,
    card: dict[str, Any] | None = None,
    note: str | None = "Перезвонить после 15:00, секретарь Марина",
    **changes: Any,
) -> CallSummary:
    """The summary of a qualified call run through `flow` by the engine, with `changes`."""
    engine = engine_for(flow)
    now = datetime(2025, 3, 3, 8, 50, tzinfo=UTC)
    result = engine.start({**QUALIFIED_CARD, **(card or {})}, now=now)
    for action, text in QUALIFIED_MOVES:
        if action == "tap":
            by_label = {label: answer_id for answer_id, label in result.screen.answers}
            result = engine.answer(result.state, by_label[text], now=now)
        else:
            result = engine.submit(result.state, text, now=now)
    if note:
        result = engine.note(result.state, note, now=now)
    reached = result.screen.reached_outcome
    if reached is None:
        raise AssertionError("the qualified path no longer reaches an outcome")
    result = engine.finish(result.state, reached.id, now=now)
    return dataclasses.replace(summarize(engine, result.state), **changes)


async def create_lead(
    db: Database,
    now: datetime,
    summary: CallSummary,
    *,
    hunter_id: int,
    alert_chat_id: int | None,
) -> Lead:
    """A finished call and its lead with the alert queued, in one transaction (as calls do)."""
    async with db.transaction() as conn:
        call = await CallsRepo(conn).create(
            hunter_id=hunter_id,
            flow_id=summary.flow_id,
            flow_version=summary.flow_version,
            chat_id=hunter_id,
            now=now,
            card={"company": summary.company, "lead_source": "cold_base"},
        )
        await CallsRepo(conn).finish(call.id, outcome="qualified", reason=None, now=now)
        return await LeadsRepo(conn).create(
            NewLead(
                call_id=call.id,
                hunter_id=hunter_id,
                flow_id=summary.flow_id,
                flow_version=summary.flow_version,
                score=summary.score,
                temperature=summary.temperature,
                lead_class=summary.lead_class,
                probability=summary.probability,
                expected_value=summary.expected_value,
                currency=summary.currency,
                card=summary.to_json(),
            ),
            now=now,
            alert_chat_id=alert_chat_id,
            alert_payload={"call_id": call.id} if alert_chat_id is not None else None,
        )


class FakeSleep:
    """A sleep that moves the fake clock instead of waiting; remembers every wait."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=max(seconds, 0.0)))
        await asyncio.sleep(0)


async def drain_outbox(
    relay: OutboxRelay, sleep: FakeSleep, db: Database, *, limit_seconds: float = 3600.0
) -> None:
    """Run the relay on the fake clock until nothing is pending (or the time limit passes)."""
    started = sleep.clock.now()
    while True:
        delay = await relay.deliver_due()
        async with db.connection.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] == 0:
            return
        if (sleep.clock.now() - started).total_seconds() > limit_seconds:
            return
        await sleep(max(delay, 0.05))


async def stored(db: Database, lead_id: int) -> Lead:
    """The lead as the database holds it now."""
    return await LeadsRepo(db.connection).require(lead_id)
