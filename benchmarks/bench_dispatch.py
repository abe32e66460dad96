"""What the Dispatcher itself costs per update, against a bare aiogram Dispatcher in the same run.

Run: `.venv/bin/python -m benchmarks.bench_dispatch` (options: `--rounds`, `--updates`,
`--answers`). Figures are printed, never asserted: the machine is shared, so every round
measures the bare Dispatcher (one handler that answers every press) right before the bot, and
the ratios are the median of the rounds' ratios.

The cost is the event loop's own CPU time per update (`time.thread_time` of the loop's thread):
waits for SQLite's thread and for the disk are not counted, only what every other person's
update queues behind. The Bot API is an in-memory session that answers at once without
serializing anything, so both dispatchers pay the same for the answer itself.

Updates measured, each as a hunter sends it:
- a stale press nobody handles, answered by the catch-all (the framework floor);
- a stranger's press, refused with their id;
- a quick callback time pressed when no callback time is asked any more: the call screen's
  handler refuses it from the conversation state alone, so this is dispatch to a call handler;
- a double tap on the call screen: the answer was already recorded, nothing is redrawn;
- "back to the menu": the main menu drawn in the pressed message;
- an answer that moves the call: committed, then the screen redrawn (dispatch, the call use case
  and rendering together).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import logging
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from bot.app import create_dispatcher, seed_roles
from bot.callbacks import CallAction, MenuAction, MenuCb, pack_call
from bot.calls import CallService, Intent
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from scripts.loader import load_flows
from scripts.telegram_limits import answer_callback_data

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-for-offline-runs-only"  # noqa: S105 - a fake, offline only
HUNTER = 700_000
STRANGER = 700_999
OLD_SCREEN = 1_000_000
"""A message that no longer shows any call screen."""
FLOW_KEY = ("b2b_cold_call_ru", 1)
CARD = {"company": "ООО «Северный хлеб»", "phone": "+74951234567", "lead_source": "cold_base"}
_UPDATE_IDS = itertools.count(1)
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Qualibot", "username": "qualibot_bench"}


class InstantSession(BaseSession):
    """A Bot API in memory that answers at once: True, or the message that was sent or edited."""

    def __init__(self) -> None:
        super().__init__()
        self._message_ids = itertools.count(10_000)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature BaseSession defines
    ) -> TelegramType:
        if isinstance(method, SendMessage | EditMessageText):
            chat_id = int(method.chat_id or 0)
            return Message(  # type: ignore[return-value]
                message_id=getattr(method, "message_id", None) or next(self._message_ids),
                date=datetime.fromtimestamp(0, UTC),
                chat=Chat(id=chat_id, type="private"),
                from_user=User.model_validate(BOT_USER),
                text=method.text,
            )
        return True  # type: ignore[return-value]

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(  # type: ignore[override]
        self, url: str, *args: Any, **kwargs: Any
    ) -> AsyncIterator[bytes]:
        raise NotImplementedError("no downloads in the benchmark")


def press(bot: Bot, user_id: int, data: str, *, message_id: int = 1) -> Update:
    """The update Telegram sends when `user_id` presses a button carrying `data`."""
    user = {"id": user_id, "is_bot": False, "first_name": "Hunter", "language_code": "ru"}
    chat = {"id": user_id, "type": "private", "first_name": "Hunter"}
    message = {"message_id": message_id, "date": 0, "chat": chat, "from": BOT_USER, "text": "."}
    query = {
        "id": f"q{user_id}-{message_id}",
        "from": user,
        "chat_instance": f"ci{user_id}",
        "data": data,
        "message": message,
    }
    # Update ids must differ as Telegram's do: aiogram caches an update's type by its id.
    update = {"update_id": next(_UPDATE_IDS), "callback_query": query}
    # Validated with the bot in the context, so `callback.answer()` knows which bot to use.
    return Update.model_validate(update, context={"bot": bot})


async def loop_cpu_per_update(
    dispatcher: Dispatcher, bot: Bot, updates: Sequence[Update], chunk: int
) -> float:
    """Microseconds of the event loop's CPU per update, in the least disturbed `chunk` of them.

    Other processes on a shared machine inflate a thread's CPU time too (a busy core's caches,
    a virtual CPU's stolen time), so the cheapest chunk is the one closest to the true cost.
    """
    # Collections triggered by earlier kinds' garbage would be charged to this one.
    gc.collect()
    best = float("inf")
    for start in range(0, len(updates), chunk):
        part = updates[start : start + chunk]
        began = time.thread_time()
        for update in part:
            await dispatcher.feed_update(bot, update)
        best = min(best, (time.thread_time() - began) / len(part))
    return best * 1e6


def bare_dispatcher() -> Dispatcher:
    """aiogram as it comes, with one handler that answers every press."""
    dispatcher = Dispatcher()

    async def on_press(callback: CallbackQuery) -> None:
        await callback.answer()

    dispatcher.callback_query.register(on_press)
    return dispatcher


@dataclass
class Bench:
    """The bot as `python -m bot` composes it, over a fresh database."""

    db: Database
    bot: Bot
    dispatcher: Dispatcher
    calls: CallService

    @classmethod
    async def open(cls, folder: Path) -> Bench:
        """The bot with one hunter, over a database in `folder`."""
        settings = Settings(_env_file=None, BOT_TOKEN=TOKEN, HUNTER_IDS=str(HUNTER))
        clock = SystemClock()
        db = await Database.open(folder / "dispatch.sqlite3")
        await seed_roles(db, settings, clock)
        flows = load_flows(ROOT / "scripts" / "flows")
        bot = Bot(TOKEN, session=InstantSession(), default=DefaultBotProperties(parse_mode="HTML"))
        dispatcher = create_dispatcher(settings, db=db, clock=clock, flows=flows)
        return cls(db, bot, dispatcher, dispatcher["calls"])

    async def close(self) -> None:
        """Release the database."""
        await self.bot.session.close()
        await self.db.close()

    async def open_calls(self, count: int) -> list[tuple[int, str]]:
        """Calls on their first step, each shown in the message numbered like the call, with
        the first answer it offers."""
        flow = self.calls.flow(*FLOW_KEY)
        assert flow is not None
        opened = []
        for _ in range(count):
            view = await self.calls.open(
                hunter_id=HUNTER, chat_id=HUNTER, flow=flow, card=CARD, hunter_name="Hunter"
            )
            call_id = view.call.id
            await self.calls.set_screen_message(call_id, chat_id=HUNTER, message_id=call_id)
            opened.append((call_id, view.screen.answers[0][0]))
        return opened

    async def answers(self, count: int) -> list[Update]:
        """Presses of each new call's first answer on its screen, as drawn at its first event."""
        return [
            press(self.bot, HUNTER, answer_callback_data(call_id, 1, answer), message_id=call_id)
            for call_id, answer in await self.open_calls(count)
        ]

    async def double_taps(self, count: int) -> list[Update]:
        """Second presses of an answer already recorded, on a message that is not the screen."""
        (call_id, answer), *_ = await self.open_calls(1)
        await self.calls.apply(call_id, HUNTER, Intent("answer", arg=answer), seq=1)
        data = answer_callback_data(call_id, 1, answer)
        return [press(self.bot, HUNTER, data, message_id=OLD_SCREEN) for _ in range(count)]


Kind = tuple[str, Callable[[Bench, int], Any]]


async def _same(bench: Bench, count: int, user_id: int, data: str) -> list[Update]:
    return [press(bench.bot, user_id, data) for _ in range(count)]


KINDS: tuple[Kind, ...] = (
    ("stale press, answered by the catch-all", lambda b, n: _same(b, n, HUNTER, "stale")),
    ("stranger's press, refused with their id", lambda b, n: _same(b, n, STRANGER, "stale")),
    (
        "late quick callback time (refused, no database)",
        lambda b, n: _same(b, n, HUNTER, pack_call(1, 1, CallAction.CALLBACK_TIME, "in-hour")),
    ),
    ("double tap on the call screen (refused)", lambda b, n: b.double_taps(n)),
    (
        "back to the menu (message edited)",
        lambda b, n: _same(b, n, HUNTER, MenuCb(action=MenuAction.HOME).pack()),
    ),
    ("an answer that moves the call (+commit, redraw)", lambda b, n: b.answers(n)),
)
ANSWER_KIND = KINDS[-1][0]
CHUNK = 100
ANSWER_CHUNK = 20


async def measure_round(folder: Path, updates: int, answers: int) -> dict[str, float]:
    """One round: the bare Dispatcher, then each kind of update through the bot."""
    bench = await Bench.open(folder)
    try:
        bare = bare_dispatcher()
        await loop_cpu_per_update(bare, bench.bot, await _same(bench, 200, HUNTER, "x"), CHUNK)
        warm = await _same(bench, 200, HUNTER, "stale")
        await loop_cpu_per_update(bench.dispatcher, bench.bot, warm, CHUNK)
        costs = {}
        for name, build in (("bare", None), *KINDS):
            if build is None:
                batch = await _same(bench, updates, HUNTER, "stale")
                costs[name] = await loop_cpu_per_update(bare, bench.bot, batch, CHUNK)
                continue
            count, chunk = (answers, ANSWER_CHUNK) if name == ANSWER_KIND else (updates, CHUNK)
            batch = await build(bench, count)
            costs[name] = await loop_cpu_per_update(bench.dispatcher, bench.bot, batch, chunk)
        return costs
    finally:
        await bench.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the rounds and print the cost of each kind of update, also as a ratio to bare."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--updates", type=int, default=2000, help="updates per kind and round")
    parser.add_argument("--answers", type=int, default=300, help="answer presses per round")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="where the databases go")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-", dir=args.dir) as tmp:
        for n in range(args.rounds):
            folder = Path(tmp) / f"round-{n}"
            measured = asyncio.run(measure_round(folder, args.updates, args.answers))
            rounds.append(measured)
            shown = ", ".join(f"{cost:,.0f}" for cost in measured.values())
            print(f"round {n + 1}: {shown} µs", flush=True)
    print(f"event-loop CPU per update, median of {len(rounds)} rounds (best), ratio to bare:")
    for name in rounds[0]:
        costs = [r[name] for r in rounds]
        ratio = statistics.median(r[name] / r["bare"] for r in rounds)
        label = "bare aiogram, one handler answering" if name == "bare" else name
        print(
            f"  {label:<50} {statistics.median(costs):>7,.0f} µs ({min(costs):,.0f})  x{ratio:.1f}"
        )


if __name__ == "__main__":
    main()
