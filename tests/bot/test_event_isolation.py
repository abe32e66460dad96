"""One person's updates one at a time, and no lock left behind once they are handled."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.storage import PersonIsolation


def person(user_id: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=user_id, user_id=user_id)


async def handle(
    isolation: PersonIsolation, user_id: int, log: list[str], name: str, hold: asyncio.Event
) -> None:
    async with isolation.lock(person(user_id)):
        log.append(f"{name} in")
        await hold.wait()
        log.append(f"{name} out")


async def test_a_persons_second_update_waits_for_the_first() -> None:
    isolation = PersonIsolation()
    log: list[str] = []
    first_done, second_done = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(handle(isolation, 7, log, "first", first_done))
    second = asyncio.create_task(handle(isolation, 7, log, "second", second_done))
    await asyncio.sleep(0.01)
    assert log == ["first in"]
    first_done.set()
    second_done.set()
    await asyncio.gather(first, second)
    assert log == ["first in", "first out", "second in", "second out"]
    assert isolation.people == 0


async def test_different_people_do_not_wait_for_each_other() -> None:
    isolation = PersonIsolation()
    log: list[str] = []
    release = asyncio.Event()
    tasks = [asyncio.create_task(handle(isolation, uid, log, str(uid), release)) for uid in (1, 2)]
    await asyncio.sleep(0.01)
    assert sorted(log) == ["1 in", "2 in"]
    assert isolation.people == 2
    release.set()
    await asyncio.gather(*tasks)
    assert isolation.people == 0


async def test_thousands_of_people_leave_no_locks_behind() -> None:
    isolation = PersonIsolation()
    done = asyncio.Event()
    done.set()
    for uid in range(5000):
        await handle(isolation, uid, [], "update", done)
    assert isolation.people == 0


@pytest.mark.parametrize("cancelled", ["waiting", "holding"])
async def test_a_cancelled_update_gives_up_its_turn(cancelled: str) -> None:
    isolation = PersonIsolation()
    log: list[str] = []
    first_done, second_done, third_done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(handle(isolation, 7, log, "first", first_done))
    second = asyncio.create_task(handle(isolation, 7, log, "second", second_done))
    await asyncio.sleep(0.01)
    (second if cancelled == "waiting" else first).cancel()
    await asyncio.sleep(0.01)
    third_done.set()
    second_done.set()
    first_done.set()
    await asyncio.gather(first, second, return_exceptions=True)
    await handle(isolation, 7, log, "third", third_done)
    assert log[-2:] == ["third in", "third out"]
    assert ("second in" in log) is (cancelled == "holding")
    assert isolation.people == 0
