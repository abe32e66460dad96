"""Hunters pressing call buttons through the real Dispatcher, each answer committed durably.

Run: `.venv/bin/python -m benchmarks.bench_bot` (options: `--hunters`, `--calls`, `--rounds`,
`--open-calls`, `--dir`). Figures are printed, never asserted: the machine is shared, so each
round measures the raw rate of durable SQLite commits (WAL, synchronous=FULL, one small insert
per transaction) on the same disk right before the answers it is compared with; the summary
gives the median and the best of the rounds (a ratio is the median of the rounds' ratios).

What is measured:
- answers/s and per-press latency (p50, p99), one hunter alone and many hunters at once, each
  pressing the buttons of a whole call (13 answers to a qualified lead, then finish) and waiting
  for each screen like a person. Every answer is committed durably (synchronous=FULL) before its
  screen moves; presses of different hunters may share a commit (group commit), so the answers
  per commit are printed too. The Bot API is an in-memory session that serializes each request
  as the real one does and parses Telegram's kind of reply (the message with its keyboard) as
  aiogram parses it; only the network is left out, so the figures are the bot's own cost;
- the framework floor: a press no handler takes, answered by the catch-all (no write);
- the ceiling of aiogram itself: a bare Dispatcher with one handler that answers the press and
  edits the message to the very screen the bot last drew (no database, no engine, no
  rendering). No bot on aiogram can press faster on this machine, whatever its own code does;
- the resident memory added by 10,000 open calls: created in the database, then each one
  pressed through the same code path; call state lives in SQLite, so it should stay flat.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Update

from bot.app import create_dispatcher, seed_roles
from bot.bot_api import JsonSession
from bot.callbacks import CallAction, CallCb
from bot.calls import CallService, Intent
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database, DatabaseStats
from bot.lifecycle import run_event_loop, settle_heap
from bot.repositories import CallsRepo
from scripts.engine import engine_for
from scripts.loader import load_flows
from scripts.telegram_limits import answer_callback_data

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-for-offline-runs-only"  # noqa: S105 - a fake, offline only
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Qualibot", "username": "qualibot_bench"}
FLOW_KEY = ("b2b_cold_call_ru", 1)
FIRST_HUNTER = 700_000
RAW_COMMITS = 2000
TARGET_RATIO = 0.70
TARGET_P99_MS = 10.0
TARGET_MEMORY_MB = 30.0

CARD = {
    "company": "ООО «Северный хлеб»",
    "contact_name": "Ирина Соколова",
    "phone": "+74951234567",
    "lead_source": "cold_base",
}
# A whole call by buttons alone: typed questions are answered "client does not know".
PRESSES: tuple[tuple[str, str], ...] = (
    ("answer", "who"),
    ("answer", "connect"),
    ("answer", "yes_me"),
    ("answer", "food"),
    ("dont_know", ""),
    ("answer", "one"),
    ("answer", "delays"),
    ("dont_know", ""),
    ("answer", "self"),
    ("dont_know", ""),
    ("answer", "losing"),
    ("answer", "delivery"),
    ("answer", "meeting"),
    ("finish", "qualified"),
)


class NullSession(JsonSession):
    """The Bot API in memory: requests serialized as `python -m bot` sends them, replies parsed
    as it parses Telegram's; only the network is left out.

    A sent or edited message comes back whole, with its text and keyboard, as Telegram returns
    it. Making that reply is the fake server's work done in this process, a small extra cost.
    """

    def __init__(self) -> None:
        super().__init__()
        self._message_ids = itertools.count(10_000)
        self.last_screen: EditMessageText | None = None
        """The last message edit asked for: the screen a press redrew."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature BaseSession defines
    ) -> TelegramType:
        # The request body, as the bot's session makes it (multipart only for an upload).
        if self.request_body(bot, method) is None:
            self.build_form_data(bot, method)
        result: Any = True
        if isinstance(method, EditMessageText | SendMessage):
            if isinstance(method, EditMessageText):
                self.last_screen = method
            message_id = getattr(method, "message_id", None) or next(self._message_ids)
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": method.chat_id, "type": "private", "first_name": "Hunter"},
                "from": BOT_USER,
                "text": method.text,
            }
            if isinstance(method.reply_markup, InlineKeyboardMarkup):
                result["reply_markup"] = method.reply_markup.model_dump(exclude_none=True)
        body = json.dumps({"ok": True, "result": result}, ensure_ascii=False)
        return self.check_response(bot, method, 200, body).result  # type: ignore[return-value]

    async def close(self) -> None:
        """Nothing to close: no connection was ever made."""


@dataclass
class Bench:
    """One bot over one database, with hunters and their calls."""

    db: Database
    bot: Bot
    dispatcher: Any
    calls: CallService
    update_ids: itertools.count[int]

    def press(self, hunter: int, message_id: int, data: str) -> Update:
        """The update Telegram sends for a press on the call screen."""
        user = {"id": hunter, "is_bot": False, "first_name": "Hunter", "language_code": "ru"}
        chat = {"id": hunter, "type": "private", "first_name": "Hunter"}
        update = {
            "update_id": next(self.update_ids),
            "callback_query": {
                "id": f"q{hunter}-{message_id}-{data}",
                "from": user,
                "chat_instance": f"ci{hunter}",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": chat,
                    "from": BOT_USER,
                    "text": "screen",
                },
            },
        }
        return Update.model_validate(update, context={"bot": self.bot})


def press_data(call_id: int, seq: int, kind: str, arg: str) -> str:
    """The callback data the call screen would carry for this press."""
    if kind == "answer":
        return answer_callback_data(call_id, seq, arg)
    action = CallAction.DONT_KNOW if kind == "dont_know" else CallAction.FINISH
    return CallCb(call_id=call_id, seq=seq, action=action, arg=arg).pack()


async def open_bench(folder: Path, hunters: int) -> Bench:
    """The bot as `python -m bot` composes it, over a fresh database in `folder`."""
    ids = ",".join(str(FIRST_HUNTER + n) for n in range(hunters))
    settings = Settings(
        _env_file=None, BOT_TOKEN=TOKEN, HUNTER_IDS=ids, MANAGER_CHAT_ID="-1001234567890"
    )
    clock = SystemClock()
    db = await Database.open(folder / "bench.sqlite3")
    await seed_roles(db, settings, clock)
    flows = load_flows(ROOT / "scripts" / "flows")
    bot = Bot(TOKEN, session=NullSession(), default=DefaultBotProperties(parse_mode="HTML"))
    dispatcher = create_dispatcher(settings, db=db, clock=clock, flows=flows)
    settle_heap()  # as `python -m bot` does once started
    return Bench(db, bot, dispatcher, dispatcher["calls"], itertools.count(1))


async def create_calls(bench: Bench, hunters: Sequence[int], per_hunter: int) -> list[int]:
    """Open calls in bulk (one transaction): the card typed, the screen message known."""
    flow = bench.calls.flow(*FLOW_KEY)
    assert flow is not None
    engine = engine_for(flow)
    now = datetime.now(UTC)
    started = engine.start({**CARD, "hunter_name": "Hunter"}, now=now)
    (card_event,) = started.events
    call_ids = []
    async with bench.db.transaction() as conn:
        repo = CallsRepo(conn)
        for hunter in hunters:
            for _ in range(per_hunter):
                call = await repo.create(
                    hunter_id=hunter,
                    flow_id=flow.id,
                    flow_version=flow.version,
                    chat_id=hunter,
                    now=now,
                    card=CARD,
                )
                await repo.append_event(
                    call.id, 1, card_event.kind, card_event.step, card_event.payload, now=now
                )
                await repo.set_screen_message(call.id, chat_id=hunter, message_id=call.id, now=now)
                call_ids.append(call.id)
    return call_ids


async def run_hunter(
    bench: Bench, hunter: int, call_ids: Sequence[int], latencies: list[float]
) -> None:
    """One hunter works through their calls, one press at a time, waiting for each screen."""
    for call_id in call_ids:
        for seq, (kind, arg) in enumerate(PRESSES, start=1):
            began = time.perf_counter()
            update = bench.press(hunter, call_id, press_data(call_id, seq, kind, arg))
            await bench.dispatcher.feed_update(bench.bot, update)
            latencies.append(time.perf_counter() - began)


def raw_commit_rate(folder: Path, commits: int = RAW_COMMITS) -> float:
    """Durable commits per second on this disk: WAL, synchronous=FULL, one insert each."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        began = time.perf_counter()
        for n in range(commits):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (payload) VALUES (?)", (f"answer {n}",))
            conn.execute("COMMIT")
        return commits / (time.perf_counter() - began)
    finally:
        conn.close()


def resident_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True)
class Sample:
    """Answers through the Dispatcher: the rate, each press's latency, the writes behind them."""

    rate: float
    latencies: Sequence[float]
    writes: DatabaseStats
    cpu_ms: float
    """CPU time of the whole process (every thread) per answer, in milliseconds."""
    loop_ms: float
    """The event loop's share of `cpu_ms`; the rest is the database's threads."""

    @property
    def answers_per_commit(self) -> float:
        """How many units of work (answers, mostly) each durable commit carried."""
        return self.writes.units / max(1, self.writes.commits)

    def ms(self, fraction: float) -> float:
        """A latency percentile in milliseconds."""
        return percentile(self.latencies, fraction) * 1000


async def measure_answers(folder: Path, hunters: int, calls_each: int) -> Sample:
    """Answers per second and per-press latencies, `hunters` pressing at once."""
    bench = await open_bench(folder, hunters)
    try:
        people = [FIRST_HUNTER + n for n in range(hunters)]
        call_ids = await create_calls(bench, people, calls_each)
        by_hunter = [call_ids[n * calls_each : (n + 1) * calls_each] for n in range(hunters)]
        # One warm-up call per hunter is not counted: imports, caches, the first engine.
        warm = await create_calls(bench, people, 1)
        await asyncio.gather(
            *(run_hunter(bench, h, [c], []) for h, c in zip(people, warm, strict=True))
        )
        latencies: list[float] = []
        before = replace(bench.db.stats)
        began, cpu_began, loop_began = time.perf_counter(), time.process_time(), time.thread_time()
        await asyncio.gather(
            *(
                run_hunter(bench, h, ids, latencies)
                for h, ids in zip(people, by_hunter, strict=True)
            )
        )
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        loop = time.thread_time() - loop_began
        after = bench.db.stats
        async with bench.db.connection.execute("SELECT COUNT(*) FROM leads") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        assert row[0] == hunters * (calls_each + 1), "every call ends qualified"
        writes = DatabaseStats(
            reads=after.reads - before.reads,
            units=after.units - before.units,
            commits=after.commits - before.commits,
        )
        per_answer = 1000 / len(latencies)
        return Sample(
            len(latencies) / elapsed, latencies, writes, cpu * per_answer, loop * per_answer
        )
    finally:
        await bench.bot.session.close()
        await bench.db.close()


async def measure_use_case(folder: Path, hunters: int, calls_each: int) -> float:
    """Answers/s of the answer use case alone (CallService.apply): no Dispatcher, no screen.

    The same presses, reads and durable group commits as through the bot, without aiogram,
    rendering or the Bot API: what the persistence path itself can carry.
    """
    bench = await open_bench(folder, hunters)
    try:
        people = [FIRST_HUNTER + n for n in range(hunters)]
        call_ids = await create_calls(bench, people, calls_each)

        async def work(hunter: int, calls: Sequence[int]) -> None:
            for call_id in calls:
                for seq, (kind, arg) in enumerate(PRESSES, start=1):
                    await bench.calls.apply(call_id, hunter, _intent(kind, arg), seq=seq)

        began = time.perf_counter()
        await asyncio.gather(
            *(
                work(hunter, call_ids[n * calls_each : (n + 1) * calls_each])
                for n, hunter in enumerate(people)
            )
        )
        return len(call_ids) * len(PRESSES) / (time.perf_counter() - began)
    finally:
        await bench.bot.session.close()
        await bench.db.close()


def _intent(kind: str, arg: str) -> Intent:
    if kind == "answer":
        return Intent("answer", arg=arg)
    return Intent("unknown") if kind == "dont_know" else Intent("finish", arg=arg)


async def measure_floor(folder: Path, presses: int) -> tuple[float, list[float]]:
    """The framework's own cost: presses answered by the catch-all, no database write."""
    bench = await open_bench(folder, 1)
    try:
        latencies = []
        began = time.perf_counter()
        for _ in range(presses):
            start = time.perf_counter()
            await bench.dispatcher.feed_update(bench.bot, bench.press(FIRST_HUNTER, 1, "stale"))
            latencies.append(time.perf_counter() - start)
        return presses / (time.perf_counter() - began), latencies
    finally:
        await bench.bot.session.close()
        await bench.db.close()


async def measure_aiogram_alone(folder: Path, presses: int) -> float:
    """Presses/s of a bare aiogram Dispatcher that answers and redraws the bot's own screen.

    The screen (text and keyboard) is the one the bot drew for a press in the middle of a call;
    the handler sends it as is, so the Bot API work is the same as the bot's and everything
    the bot adds (database, engine, rendering, its middlewares and routers) is left out.
    """
    bench = await open_bench(folder, 1)
    try:
        (call_id,) = await create_calls(bench, [FIRST_HUNTER], 1)
        for seq, (kind, arg) in enumerate(PRESSES[:4], start=1):
            data = press_data(call_id, seq, kind, arg)
            await bench.dispatcher.feed_update(bench.bot, bench.press(FIRST_HUNTER, call_id, data))
        session = bench.bot.session
        assert isinstance(session, NullSession)
        screen = session.last_screen
        assert screen is not None
        assert isinstance(screen.reply_markup, InlineKeyboardMarkup)
        text, markup = screen.text, screen.reply_markup
        router = Router()

        @router.callback_query()
        async def redraw(callback: CallbackQuery, bot: Bot) -> None:
            await callback.answer()
            await bot.edit_message_text(
                text=text, chat_id=FIRST_HUNTER, message_id=call_id, reply_markup=markup
            )

        bare = Dispatcher()
        bare.include_router(router)
        data = press_data(call_id, 5, *PRESSES[4])
        began = time.perf_counter()
        for _ in range(presses):
            await bare.feed_update(bench.bot, bench.press(FIRST_HUNTER, call_id, data))
        return presses / (time.perf_counter() - began)
    finally:
        await bench.bot.session.close()
        await bench.db.close()


async def measure_memory(folder: Path, open_calls: int, hunters: int) -> tuple[float, float]:
    """RSS before and after pressing a button on each of `open_calls` calls."""
    bench = await open_bench(folder, hunters)
    try:
        people = [FIRST_HUNTER + n for n in range(hunters)]
        call_ids = await create_calls(bench, people, open_calls // hunters)
        warm = await create_calls(bench, people[:1], 1)
        await run_hunter(bench, people[0], warm, [])
        gc.collect()
        before = resident_mb()
        per = open_calls // hunters

        async def touch(hunter: int, ids: Sequence[int]) -> None:
            for call_id in ids:
                data = press_data(call_id, 1, *PRESSES[0])
                await bench.dispatcher.feed_update(bench.bot, bench.press(hunter, call_id, data))

        await asyncio.gather(
            *(touch(h, call_ids[n * per : (n + 1) * per]) for n, h in enumerate(people))
        )
        gc.collect()
        return before, resident_mb()
    finally:
        await bench.bot.session.close()
        await bench.db.close()


@dataclass(frozen=True)
class Round:
    """One round: the disk's raw durable commit rate, then answers alone and together."""

    raw: float
    alone: Sample
    together: Sample
    use_case: float
    """Answers/s of CallService.apply alone, as many hunters at once."""
    aiogram: float
    """Presses/s of a bare aiogram Dispatcher redrawing the same screen: aiogram's ceiling."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hunters", type=int, default=50, help="hunters pressing at once")
    parser.add_argument("--calls", type=int, default=4, help="calls per hunter")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of raw commits + answers")
    parser.add_argument("--open-calls", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="where the databases go")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory(prefix="bench-bot-", dir=args.dir) as tmp:
        folder = Path(tmp)
        floor, floor_latencies = run_event_loop(measure_floor(folder / "floor", 1000))
        for n in range(args.rounds):
            raw = raw_commit_rate(folder / f"raw-{n}")
            alone = run_event_loop(measure_answers(folder / f"alone-{n}", 1, args.calls * 10))
            together = run_event_loop(
                measure_answers(folder / f"together-{n}", args.hunters, args.calls)
            )
            use_case = run_event_loop(
                measure_use_case(folder / f"use-case-{n}", args.hunters, args.calls)
            )
            aiogram = run_event_loop(measure_aiogram_alone(folder / f"aiogram-{n}", 2000))
            rounds.append(Round(raw, alone, together, use_case, aiogram))
            print(
                f"round {n + 1}: raw {raw:,.0f} commits/s | 1 hunter {alone.rate:,.0f}/s,"
                f" p50 {alone.ms(0.5):.2f} ms, p99 {alone.ms(0.99):.2f} ms"
                f" | {args.hunters} hunters {together.rate:,.0f}/s,"
                f" p50 {together.ms(0.5):.1f} ms, p99 {together.ms(0.99):.1f} ms,"
                f" {together.cpu_ms:.2f} ms CPU each ({together.loop_ms:.2f} on the loop),"
                f" {together.answers_per_commit:.1f} units per commit"
                f" | use case alone {use_case:,.0f}/s | aiogram alone {aiogram:,.0f}/s",
                flush=True,
            )
        before, after = run_event_loop(
            measure_memory(folder / "memory", args.open_calls, args.hunters)
        )
    _report(args, rounds, floor, floor_latencies, before, after)


def _report(
    args: argparse.Namespace,
    rounds: Sequence[Round],
    floor: float,
    floor_latencies: Sequence[float],
    before: float,
    after: float,
) -> None:
    raw = [r.raw for r in rounds]
    alone = [r.alone.rate for r in rounds]
    together = [r.together.rate for r in rounds]
    alone_ratio = [r.alone.rate / r.raw for r in rounds]
    together_ratio = [r.together.rate / r.raw for r in rounds]
    alone_p99 = [r.alone.ms(0.99) for r in rounds]
    median_p99 = statistics.median(alone_p99)
    median_ratio = statistics.median(together_ratio)
    per_commit = statistics.median(r.together.answers_per_commit for r in rounds)
    print(f"disk: {args.dir.resolve()}; {len(rounds)} rounds, median (best)")
    print(
        f"raw durable commits (WAL, synchronous=FULL, 1 insert/tx):"
        f" {statistics.median(raw):,.0f}/s ({max(raw):,.0f}/s)"
    )
    print(
        f"framework floor (a press answered by the catch-all, no write): {floor:,.0f}/s,"
        f" p50 {_ms(floor_latencies, 0.5)}"
    )
    print(
        f"one hunter, each answer committed then redrawn: {statistics.median(alone):,.0f}"
        f" answers/s ({max(alone):,.0f}), {statistics.median(alone_ratio):.0%} of raw"
        f" ({max(alone_ratio):.0%}); p50 {statistics.median(r.alone.ms(0.5) for r in rounds):.2f}"
        f" ms, p99 {median_p99:.2f} ms ({min(alone_p99):.2f} ms)"
    )
    print(
        f"{args.hunters} hunters at once: {statistics.median(together):,.0f} answers/s"
        f" ({max(together):,.0f}), {median_ratio:.0%} of raw ({max(together_ratio):.0%});"
        f" p50 {statistics.median(r.together.ms(0.5) for r in rounds):.1f} ms,"
        f" p99 {statistics.median(r.together.ms(0.99) for r in rounds):.1f} ms (queueing"
        f" included); {per_commit:.1f} units of work per durable commit;"
        f" {statistics.median(r.together.cpu_ms for r in rounds):.2f} ms of CPU per answer,"
        f" {statistics.median(r.together.loop_ms for r in rounds):.2f} ms of it on the event loop"
        f" (a raw commit: {1000 / statistics.median(raw):.2f} ms)"
    )
    use_case = [r.use_case for r in rounds]
    use_case_ratio = [r.use_case / r.raw for r in rounds]
    print(
        f"the answer use case alone (CallService.apply, {args.hunters} hunters, no Dispatcher,"
        f" no screen): {statistics.median(use_case):,.0f} answers/s ({max(use_case):,.0f}),"
        f" {statistics.median(use_case_ratio):.0%} of raw ({max(use_case_ratio):.0%})"
    )
    aiogram = [r.aiogram for r in rounds]
    aiogram_ratio = [r.aiogram / r.raw for r in rounds]
    print(
        f"aiogram alone (bare Dispatcher, one handler: answer the press, redraw the same screen;"
        f" no database, engine or rendering): {statistics.median(aiogram):,.0f} presses/s"
        f" ({max(aiogram):,.0f}), {statistics.median(aiogram_ratio):.0%} of raw"
        f" ({max(aiogram_ratio):.0%}): the ceiling of any bot on aiogram here"
    )
    added = after - before
    print("targets:")
    print(
        f"  answers/s >= {TARGET_RATIO:.0%} of raw durable commits ({args.hunters} hunters):"
        f" {median_ratio:.0%} -> {'met' if median_ratio >= TARGET_RATIO else 'MISSED'}"
    )
    print(
        f"  p99 < {TARGET_P99_MS:g} ms (one hunter): {median_p99:.2f} ms"
        f" -> {'met' if median_p99 < TARGET_P99_MS else 'MISSED'}"
    )
    print(
        f"  {args.open_calls:,} open calls add < {TARGET_MEMORY_MB:g} MB RSS:"
        f" {before:.1f} -> {after:.1f} MB, +{added:.1f} MB"
        f" -> {'met' if added < TARGET_MEMORY_MB else 'MISSED'}"
    )


def _ms(latencies: Sequence[float], fraction: float) -> str:
    return f"{percentile(latencies, fraction) * 1000:.2f} ms"


if __name__ == "__main__":
    main()
