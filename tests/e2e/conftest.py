"""End-to-end fixtures: the fake Bot API on 127.0.0.1 and the real `python -m bot` against it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.e2e.fake_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
E2E_TOKEN = "7000000001:E2E-fake-token-never-valid-anywhere"
HUNTER = 111001
MANAGER = 111002
ADMIN = 111003
MANAGERS_CHAT = -1001000000001
STARTUP_SECONDS = 45.0
SHUTDOWN_SECONDS = 30.0


def bot_environment(api_url: str, data_dir: Path, **overrides: str) -> dict[str, str]:
    """A clean environment for the bot process: nothing inherited but PATH and locale."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "BOT_TOKEN": E2E_TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_PATH": str(data_dir / "qualibot.sqlite3"),
        "SCRIPTS_DIR": str(ROOT / "scripts" / "flows"),
        "HUNTER_IDS": str(HUNTER),
        "MANAGER_IDS": str(MANAGER),
        "ADMIN_IDS": str(ADMIN),
        "MANAGER_CHAT_ID": str(MANAGERS_CHAT),
        "LOCALE": "ru",
        "TIMEZONE": "Europe/Moscow",
    }
    env.update(overrides)
    return env


@dataclass
class BotProcess:
    """The bot running as a child process, its output in files."""

    process: asyncio.subprocess.Process
    log_path: Path
    _log: IO[bytes]

    @classmethod
    async def start(cls, env: Mapping[str, str], workdir: Path) -> BotProcess:
        """Start `python -m bot` in `workdir` (so no developer .env is read)."""
        log_path = workdir / "bot.log"
        log = log_path.open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(process, log_path, log)

    @property
    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def terminate(self, timeout: float = SHUTDOWN_SECONDS) -> int:  # noqa: ASYNC109
        """SIGTERM, then wait; SIGKILL if it does not exit in time. Returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                return await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(
                f"the bot ignored SIGTERM for {timeout} s:\n{self.output}"
            ) from None
        finally:
            self._log.close()

    async def wait(self, timeout: float) -> int:  # noqa: ASYNC109
        """Wait for the process to exit by itself."""
        try:
            async with asyncio.timeout(timeout):
                return await self.process.wait()
        finally:
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
            self._log.close()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API; the test fails if the bot sent anything Telegram would reject."""
    api = FakeBotAPI(E2E_TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
    assert api.rejections == [], "Telegram would have rejected: " + "; ".join(api.rejections)


@pytest.fixture
async def running_bot(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The real bot, polling the fake API; always stopped (killed if need be) at the end."""
    bot = await BotProcess.start(bot_environment(fake_api.url, tmp_path / "data"), tmp_path)
    try:
        try:
            await fake_api.wait_for("getUpdates", timeout=STARTUP_SECONDS)
        except TimeoutError:
            raise AssertionError(f"the bot did not start polling:\n{bot.output}") from None
        yield bot
    finally:
        if bot.process.returncode is None:
            await bot.terminate()
