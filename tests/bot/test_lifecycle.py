"""Shutdown waits for updates in flight and stops background loops; the heap is settled."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
from aiogram.filters import Command
from aiogram.types import Message

from bot.lifecycle import (
    YOUNG_COLLECTION_EVERY,
    BackgroundTasks,
    InFlightUpdates,
    run_event_loop,
    settle_heap,
)
from tests.bot.conftest import HUNTER
from tests.bot.harness import World


async def test_waiting_for_idle_returns_when_the_last_update_finishes() -> None:
    in_flight = InFlightUpdates()
    release = asyncio.Event()

    async def handle(update_id: int) -> None:
        with in_flight.track(update_id):
            await release.wait()

    tasks = [asyncio.create_task(handle(n)) for n in (7, 9, 8)]
    await asyncio.sleep(0)
    assert (in_flight.count, in_flight.highest_update_id) == (3, 9)
    assert await in_flight.wait_idle(0.01) is False

    release.set()
    assert await in_flight.wait_idle(1) is True
    await asyncio.gather(*tasks)
    assert in_flight.count == 0


async def test_background_loops_stop_when_asked_and_stragglers_are_cancelled() -> None:
    background = BackgroundTasks()
    stopped_cleanly = []

    async def polite(stopping: asyncio.Event) -> None:
        await stopping.wait()
        stopped_cleanly.append("polite")

    async def stubborn(stopping: asyncio.Event) -> None:
        await asyncio.sleep(60)

    background.start("polite", polite)
    background.start("stubborn", stubborn)
    await asyncio.sleep(0)

    await background.stop(0.05)

    assert stopped_cleanly == ["polite"]


async def test_a_crashing_loop_is_logged_and_the_others_keep_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = BackgroundTasks()
    ticks = []

    async def steady(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            ticks.append(1)
            await asyncio.sleep(0.001)

    async def crash(stopping: asyncio.Event) -> None:
        raise RuntimeError("boom")

    background.start("crash", crash)
    background.start("steady", steady)
    await asyncio.sleep(0.02)
    ticks_after_crash = len(ticks)
    await asyncio.sleep(0.02)

    await background.stop(0.05)

    assert len(ticks) > ticks_after_crash > 0
    assert "Background task crash crashed" in caplog.text


async def test_an_update_queued_behind_the_same_persons_update_counts_as_in_flight(
    world: World,
) -> None:
    """A double tap at shutdown: the second update waits for the first and must not be lost."""
    release = asyncio.Event()
    handled = []

    async def slow(message: Message) -> None:
        await release.wait()
        handled.append(message.message_id)

    world.dispatcher.message.register(slow, Command("slow"))
    conv = world.conversation(HUNTER)
    in_flight = world.dispatcher["in_flight"]

    first = asyncio.create_task(conv.send("/slow"))
    second = asyncio.create_task(conv.send("/slow"))
    await asyncio.sleep(0.05)

    assert in_flight.count == 2
    assert await in_flight.wait_idle(0.01) is False
    release.set()
    assert await in_flight.wait_idle(5) is True
    await asyncio.gather(first, second)
    assert len(handled) == 2


@pytest.fixture
def collector() -> Iterator[None]:
    """The garbage collector's settings restored after the test."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector")
def test_settling_the_heap_freezes_start_up_objects_and_collects_young_ones_less_often() -> None:
    kept_from_start_up = [object() for _ in range(1000)]
    gc.unfreeze()
    settle_heap()
    assert gc.get_freeze_count() >= len(kept_from_start_up)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY > 700


def test_the_bot_serves_on_uvloop() -> None:
    async def running_loop() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_event_loop(running_loop()).split(".")[0] == "uvloop"
