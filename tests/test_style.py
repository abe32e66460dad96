"""Style is part of the build: ruff (lint and format) and strict mypy must pass on every change."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
    "mypy --strict": [sys.executable, "-m", "mypy", "scripts", "scoring", "bot"],
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_style_check_passes(name: str) -> None:
    done = subprocess.run(  # noqa: S603 - fixed argument lists, no user input
        CHECKS[name], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}{done.stderr}"
