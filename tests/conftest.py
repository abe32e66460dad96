"""Test-wide setup.

pytest imports tests by path (importlib mode) with the project root on sys.path (see
`[tool.pytest.ini_options]`), so `bot`, `scripts` and `scoring` are always the packages, never
the test folders of the same names.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project root, for tests that run the bot or read shipped files."""
