"""`python -m scripts`: the script authors' console (lint, graph, play, paths)."""

from __future__ import annotations

import sys

from scripts.cli import main

if __name__ == "__main__":
    sys.exit(main())
