"""Process lifecycle: updates being handled and background loops, drained on shutdown.

In polling mode aiogram hands each update to a task and, on SIGTERM, neither waits for those
tasks nor for anything else we run; an answer being saved would be lost. These helpers let
`main` wait for both before it closes the database.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

try:
    import uvloop
except ImportError:  # pragma: no cover - Windows and other Pythons run on asyncio's own loop
    uvloop = None  # type: ignore[assignment]

T = TypeVar("T")

logger = logging.getLogger(__name__)

YOUNG_COLLECTION_EVERY = 5_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""


class InFlightUpdates:
    """Counts updates being handled, to wait until none are left."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.highest_update_id: int | None = None

    @property
    def count(self) -> int:
        """How many updates are being handled right now."""
        return self._count

    @contextmanager
    def track(self, update_id: int) -> Iterator[None]:
        """Mark one update as being handled for the duration of the block."""
        self._count += 1
        self._idle.clear()
        if self.highest_update_id is None or update_id > self.highest_update_id:
            self.highest_update_id = update_id
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def wait_idle(self, grace_seconds: float) -> bool:
        """Wait until no update is being handled; False if the grace period ran out first."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        except TimeoutError:
            return False
        return True


BackgroundLoop = Callable[[asyncio.Event], Awaitable[None]]
"""A coroutine function that runs until the event it receives is set."""


class BackgroundTasks:
    """Loops that run beside polling (reminders, the outbox relay) and stop together."""

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, loop: BackgroundLoop) -> None:
        """Run `loop(stopping)` as a task named `name`."""
        if name in self._tasks:
            raise ValueError(f"a background task named {name!r} is already running")
        self._tasks[name] = asyncio.create_task(self._guard(name, loop), name=name)

    async def _guard(self, name: str, loop: BackgroundLoop) -> None:
        try:
            await loop(self.stopping)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A crashed loop must be loud but must not take polling down with it.
            logger.exception("Background task %s crashed", name)

    async def stop(self, grace_seconds: float) -> None:
        """Ask every loop to finish, wait up to `grace_seconds`, then cancel the rest."""
        self.stopping.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks.values(), timeout=grace_seconds)
        for task in pending:
            logger.warning("Background task %s did not stop in time; cancelling", task.get_name())
            task.cancel()
        for task in pending:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


def settle_heap() -> None:
    """Tune the garbage collector for serving, once start-up has loaded everything it keeps.

    What start-up built (flows, engines, translations, pydantic schemas) lives as long as the
    process: frozen, full collections no longer walk it, which otherwise pauses the loop for
    hundreds of milliseconds. A press allocates thousands of short-lived objects that
    reference counting frees at once; collecting the young generation every 700 allocations
    mostly re-walks live ones. Every 5,000 costs a third of the collector's time per press
    (measured with 50 hunters), and a collection still pauses for milliseconds, not tens.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to the end on the loop the bot serves on: uvloop where it is installed.

    Each press is a handful of thread hops and socket reads; uvloop's C event loop does that
    bookkeeping for less CPU than asyncio's own.
    """
    factory = uvloop.new_event_loop if uvloop is not None else None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
