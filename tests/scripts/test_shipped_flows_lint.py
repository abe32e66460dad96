"""Every flow shipped in scripts/flows/ loads and lints clean, so a broken edit fails CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.lint import lint_file
from scripts.loader import FLOW_SUFFIXES, load_flow, load_flows

FLOWS_DIR = Path(__file__).resolve().parents[2] / "scripts" / "flows"
SHIPPED = sorted(path for path in FLOWS_DIR.iterdir() if path.suffix in FLOW_SUFFIXES)


def test_flows_are_shipped() -> None:
    assert SHIPPED, f"no flow files in {FLOWS_DIR}"


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_shipped_flow_has_no_lint_errors(path: Path) -> None:
    errors = [str(d) for d in lint_file(path) if d.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_shipped_flow_loads(path: Path) -> None:
    flow = load_flow(path)
    assert flow.start in flow.steps


def test_shipped_flows_load_together_with_distinct_versions() -> None:
    assert len(load_flows(FLOWS_DIR)) == len(SHIPPED)
