"""Startup pieces of `python -m bot`: call scripts, the one-line exit, a token-free log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import cast

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.methods import GetMe

from bot.main import RedactingFormatter, StartupError, load_flows_or_exit, wait_for_telegram
from tests.conftest import ROOT


def test_the_shipped_call_scripts_load() -> None:
    flows = load_flows_or_exit(ROOT / "scripts" / "flows")

    assert flows
    assert all(isinstance(key, tuple) and len(key) == 2 for key in flows)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "no call scripts (*.yaml) in"),
        ({"broken.yaml": "format: 1\nid: [unclosed\n"}, "invalid call script:"),
        ({"bad.yaml": "format: 1\nid: x\n"}, "invalid call script:"),
    ],
)
def test_unusable_call_scripts_stop_the_bot_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    expected: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    with pytest.raises(SystemExit) as caught:
        load_flows_or_exit(tmp_path)

    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert err.count("\n") == 1
    assert err.startswith("qualibot: ")
    assert expected in err


def test_a_missing_scripts_folder_names_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        load_flows_or_exit(tmp_path / "nope")

    assert "SCRIPTS_DIR" in capsys.readouterr().err


def test_the_token_is_redacted_from_log_lines_and_tracebacks() -> None:
    token = "123456:AAE-secret-part-of-the-token-xyz"
    formatter = RedactingFormatter("%(levelname)s %(message)s", token)
    try:
        raise OSError(f"cannot reach https://api.telegram.org/bot{token}/getMe")
    except OSError:
        record = logging.LogRecord(
            "aiogram", logging.ERROR, __file__, 1, "Failed: %s", (f"/bot{token}/x",), None
        )
        record.exc_info = sys.exc_info()

    line = formatter.format(record)

    assert token not in line
    assert "/bot<BOT_TOKEN>/x" in line
    assert "bot<BOT_TOKEN>/getMe" in line


class FakeBotAPI:
    """A Bot API that is unreachable for the first `outages` calls, then answers."""

    def __init__(self, outages: int, *, unauthorized: bool = False) -> None:
        self.outages = outages
        self.unauthorized = unauthorized
        self.calls = 0

    async def get_me(self) -> str:
        self.calls += 1
        if self.unauthorized:
            raise TelegramUnauthorizedError(method=GetMe(), message="Unauthorized")
        if self.calls <= self.outages:
            raise TelegramNetworkError(method=GetMe(), message="Cannot connect to host")
        return "me"


async def test_the_bot_waits_for_an_unreachable_bot_api_with_growing_pauses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = FakeBotAPI(outages=3)
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    with caplog.at_level(logging.WARNING):
        await wait_for_telegram(cast(Bot, api), sleep=sleep)

    assert (api.calls, pauses) == (4, [1.0, 2.0, 4.0])
    assert "Bot API not reachable" in caplog.text


async def test_a_rejected_token_stops_the_wait_with_one_line() -> None:
    with pytest.raises(StartupError, match="Telegram rejected BOT_TOKEN"):
        await wait_for_telegram(cast(Bot, FakeBotAPI(0, unauthorized=True)))
