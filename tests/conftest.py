"""Test-wide setup."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Test folders mirror package names (tests/bot, tests/scripts). Unless the project root is on
# sys.path, `import bot` would find the test folder as a namespace package when pytest is
# started as a script rather than with `python -m pytest`.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
