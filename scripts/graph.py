"""Diagrams of a flow for its authors: Mermaid (via transitions' diagram support) and Graphviz dot.

Both show every step and outcome and every transition labelled with the answer that takes it;
a conditional branch carries its condition, the fallback branch after conditions says so.
Neither needs Graphviz installed: the Mermaid text comes from transitions' mermaid engine and
the dot text is written directly.
"""

from __future__ import annotations

from typing import Any, Literal

from transitions import State
from transitions.extensions.diagrams import GraphMachine

from scripts.engine import Edge, flow_edges, machine_definition
from scripts.schema import Flow, OutcomeKind

GraphFormat = Literal["mermaid", "dot"]

OUTCOME_MARK: dict[OutcomeKind, str] = {
    "qualified": "✅",
    "nurture": "🌱",
    "disqualified": "⛔",
    "callback": "📞",
    "wrong_contact": "❓",
    "no_answer": "🔕",
    "refused": "✋",
}
_OUTCOME_COLOUR: dict[OutcomeKind, str] = {
    "qualified": "palegreen",
    "nurture": "lightyellow",
    "disqualified": "mistyrose",
    "callback": "lightblue",
    "wrong_contact": "lightgrey",
    "no_answer": "lightgrey",
    "refused": "mistyrose",
}
_OTHERWISE = {"ru": "иначе", "en": "otherwise"}


class _LabelledState(State):
    """A state that carries a display label for the diagram."""

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label


class _DiagramMachine(GraphMachine):
    state_cls = _LabelledState


def edge_label(flow: Flow, edge: Edge) -> str:
    """A transition's label: the answer's text or the typed field, and the fallback mark."""
    if edge.answer is not None:
        label = edge.answer.label
    else:
        spec = flow.fields.get(edge.field or "")
        label = f"✍ {spec.title if spec is not None else edge.field}"
    if edge.when is None and edge.unless:
        label += f" ({_OTHERWISE.get(flow.language, 'otherwise')})"
    return _clean(label)


def state_label(flow: Flow, state: str) -> str:
    """How a step or outcome is named on the diagram."""
    outcome = flow.outcomes.get(state)
    if outcome is None:
        return state
    return _clean(f"{OUTCOME_MARK[outcome.kind]} {outcome.title}")


def _clean(text: str) -> str:
    # Mermaid ends a statement at a newline or ';' and a state title at a double quote
    return " ".join(text.split()).replace('"', "'").replace(";", ",")


def mermaid(flow: Flow) -> str:
    """A Mermaid state diagram of the flow."""
    names, transitions = machine_definition(flow, label=lambda edge: edge_label(flow, edge))
    machine = _DiagramMachine(
        model=None,
        states=[{"name": name, "label": state_label(flow, name)} for name in names],
        transitions=transitions,
        initial=flow.start,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        # transitions writes the title line verbatim into Mermaid's front matter, which is YAML
        title=f"title: {_quoted(f'{flow.title} (v{flow.version})')}",
    )
    text = str(machine.graph_cls(machine).get_graph().draw(None))
    lines = [text.rstrip("\n")]
    lines += [f"  {outcome} --> [*]" for outcome in flow.outcomes]
    if flow.objections:
        labels = ", ".join(_clean(objection.label) for objection in flow.objections.values())
        lines.append(f"  %% objections (from any step, back to it): {labels}")
    return "\n".join(lines) + "\n"


def dot(flow: Flow) -> str:
    """A Graphviz dot digraph of the flow."""
    lines = [
        f"digraph {_quoted(flow.id)} {{",
        f"  label={_quoted(f'{flow.title} (v{flow.version})')};",
        "  labelloc=t;",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded"];',
        '  "__start" [shape=point, label=""];',
    ]
    for name, step in flow.steps.items():
        text = step.ask or step.say or ""
        short = text if len(text) <= 60 else text[:59] + "…"
        lines.append(f"  {_quoted(name)} [label={_quoted(f'{name}: {_clean(short)}')}];")
    for name, outcome in flow.outcomes.items():
        colour = _OUTCOME_COLOUR[outcome.kind]
        lines.append(
            f"  {_quoted(name)} [label={_quoted(state_label(flow, name))}, shape=box, "
            f'style="rounded,filled,bold", fillcolor={colour}];'
        )
    lines.append(f'  "__start" -> {_quoted(flow.start)};')
    for edge in flow_edges(flow):
        label = edge_label(flow, edge)
        if edge.when is not None:
            label += f" [{edge.when}]"
        style = ", style=dashed" if edge.kind == "input" else ""
        lines.append(
            f"  {_quoted(edge.source)} -> {_quoted(edge.dest)} [label={_quoted(label)}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def render(flow: Flow, fmt: GraphFormat = "mermaid") -> str:
    """The flow's diagram in the asked format."""
    return mermaid(flow) if fmt == "mermaid" else dot(flow)
