"""Flow diagrams: every state and transition drawn, author text never breaks the syntax."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scripts.engine import flow_edges
from scripts.graph import dot, edge_label, mermaid, render
from scripts.loader import load_flow
from scripts.schema import Flow

FLOWS = sorted((Path(__file__).resolve().parents[2] / "scripts" / "flows").glob("*.yaml"))

TRICKY_YAML = """
format: 1
id: tricky
version: 1
title: 'Кавычки "двойные"; и точка с запятой'
language: en
start: ask
steps:
  ask:
    ask: 'He said "maybe"; then left'
    answers:
      - {id: quote, label: 'Said "yes"; signed', next: done}
      - {id: slash, label: 'Back\\slash', next: done}
objections:
  busy: {label: "Busy; call later", say: "Two minutes."}
outcomes:
  done: {kind: qualified, title: 'Done "for real"'}
"""


def tricky() -> Flow:
    return Flow.model_validate(yaml.safe_load(TRICKY_YAML))


@pytest.mark.parametrize("path", FLOWS, ids=lambda path: path.name)
@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_every_shipped_flow_draws_every_state_and_transition(path: Path, fmt: str) -> None:
    flow = load_flow(path)
    text = render(flow, "mermaid" if fmt == "mermaid" else "dot")
    for state in [*flow.steps, *flow.outcomes]:
        assert re.search(rf'(as {state}$|^\s*"{state}" \[)', text, re.MULTILINE), state
    for edge in flow_edges(flow):
        label = re.escape(edge_label(flow, edge))
        if fmt == "mermaid":
            pattern = rf"^\s*{edge.source} --> {edge.dest}: .*{label}"
        else:
            pattern = rf'^\s*"{edge.source}" -> "{edge.dest}" \[label="{label}'
        assert re.search(pattern, text, re.MULTILINE), (edge.source, edge.dest)


def test_mermaid_keeps_author_quotes_and_semicolons_out_of_its_syntax() -> None:
    text = mermaid(tricky())
    assert "state \"✅ Done 'for real'\" as done" in text
    assert "ask --> done: Said 'yes', signed | Back\\slash" in text
    assert 'title: "Кавычки \\"двойные\\"; и точка с запятой (v1)"' in text
    assert "%% objections (from any step, back to it): Busy, call later" in text
    assert "done --> [*]" in text


def test_dot_escapes_quotes_and_backslashes_in_labels() -> None:
    text = dot(tricky())
    assert '"ask" -> "done" [label="Said \'yes\', signed"];' in text
    assert '"ask" -> "done" [label="Back\\\\slash"];' in text
    assert 'label="Кавычки \\"двойные\\"; и точка с запятой (v1)";' in text
    assert '"done" [label="✅ Done \'for real\'", shape=box' in text
