"""Every flow shipped in scripts/flows/ loads and lints clean, so a broken edit fails CI.

The example in the README, which authors copy first, lints clean too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.lint import lint_file, lint_text
from scripts.loader import FLOW_SUFFIXES, load_flow, load_flows

FLOWS_DIR = Path(__file__).resolve().parents[2] / "scripts" / "flows"
SHIPPED = sorted(path for path in FLOWS_DIR.iterdir() if path.suffix in FLOW_SUFFIXES)


README = FLOWS_DIR.parents[1] / "README.md"


def test_the_three_calls_are_shipped() -> None:
    shipped = {(flow.id, flow.language) for flow in load_flows(FLOWS_DIR).values()}
    assert {
        ("b2b_cold_call_ru", "ru"),
        ("inbound_lead_ru", "ru"),
        ("b2b_cold_call_en", "en"),
    } <= shipped


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_shipped_flow_lints_clean(path: Path) -> None:
    # Warnings too: a shipped flow is the example authors learn from.
    assert [str(d) for d in lint_file(path)] == []


def test_the_readme_example_lints_clean() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("```yaml\n") + len("```yaml\n")
    example = text[start : text.index("```", start)]
    assert "steps:" in example
    assert [str(d) for d in lint_text(example, "README.md")] == []


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_shipped_flow_loads(path: Path) -> None:
    flow = load_flow(path)
    assert flow.start in flow.steps


def test_shipped_flows_load_together_with_distinct_versions() -> None:
    assert len(load_flows(FLOWS_DIR)) == len(SHIPPED)
