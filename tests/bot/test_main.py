"""Startup pieces of `python -m bot`: call scripts, the one-line exit, a token-free log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot.main import RedactingFormatter, load_flows_or_exit
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
