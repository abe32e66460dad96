"""How long loading and linting a 1,000-step flow takes, against a YAML baseline in the same run.

Run: `.venv/bin/python -m benchmarks.bench_lint`. Figures are printed, never asserted: the
machine is shared, so only ratios against the same-run baseline compare between runs. Each
sample uses freshly numbered conditions, so no cache from an earlier sample makes it cheaper.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import yaml

from scripts.lint import lint_text
from scripts.loader import load_flow_text

STEPS = 1000
TARGET_SECONDS = 1.0
SAMPLES = 7

FIELDS = """\
fields:
  company: {type: text, title: Company, card: true}
  phone: {type: phone, title: Phone, card: true}
  email: {type: email, title: Email, card: true}
  budget: {type: money, title: Budget}
  employees: {type: number, title: Employees}
  timeline: {type: period, title: Timeline}
  industry:
    type: choice
    title: Industry
    options: {food: Food, chemicals: Chemicals, logistics: Logistics, retail: Retail}
"""

SCORING = """\
scoring:
  criteria:
    budget:
      title: Budget
      weight: 25
      bant: budget
      rules:
        - {{if: "budget >= {big}", level: "yes"}}
        - {{if: "budget >= {small}", level: partial}}
        - {{if: "budget < {small}", level: "no"}}
    authority:
      title: Authority
      weight: 20
      bant: authority
      rules:
        - {{if: "role == dm", level: "yes"}}
        - {{if: "role in [influencer, committee]", level: partial}}
    need: {{title: Need, weight: 20, bant: need}}
    timeline:
      title: Timeline
      weight: 15
      bant: timeline
      rules:
        - {{if: "timeline <= 30d", level: "yes"}}
        - {{if: "timeline <= 90d", level: partial}}
    size:
      title: Size
      weight: 10
      profile: company_size
      rules:
        - {{if: "employees >= 200", level: "yes"}}
        - {{if: "employees >= 50", level: partial}}
    urgency: {{title: Urgency, weight: 10}}
  knockouts:
    - {{if: "employees < 10", reason: too_small, title: Too small, say: "Thank you!"}}
  vendor:
    price: {{title: Price, ours: 3}}
    delivery: {{title: Delivery, ours: 5}}
  temperature:
    - {{if: "score >= 70 and timeline <= 30d", level: hot}}
    - {{if: "score >= 45", level: warm}}
    - {{level: cold}}
  classes:
    - {{id: a, title: A, if: "score >= 70 and role in [dm, committee]", alert: true}}
    - {{id: b, title: B, if: "score >= 45"}}
    - {{id: c, title: C}}
"""

OUTCOMES = """\
objections:
  price:
    label: Too expensive
    say: "I understand. Let us count what the current supplier costs you per pallet."
    tags: [price_sensitive]
    importance: {price: 5}
outcomes:
  qualified: {kind: qualified, title: Qualified}
  nurture: {kind: nurture, title: Nurture}
  callback: {kind: callback, title: Call back}
  lost: {kind: disqualified, title: Not a fit, reason: no_need}
"""


def generated_flow(steps: int, variant: int) -> str:
    """A long cold-call flow: typed and one-tap steps, scores, tags, conditional branches."""
    rng = random.Random(variant)
    lines = [
        "format: 1",
        "id: generated",
        "version: 1",
        "title: Generated cold call",
        "language: en",
        "start: s0000",
        FIELDS.rstrip(),
        "steps:",
    ]
    for index in range(steps):
        name = f"s{index:04d}"
        ahead = f"s{index + 1:04d}" if index + 1 < steps else "qualified"
        skip = f"s{index + 2:04d}" if index + 2 < steps else "nurture"
        lines += [
            f"  {name}:",
            f'    say: "Step {index}: a line about {{company}} the hunter reads aloud, '
            'short enough to say in one breath."',
            f'    hint: "Listen for pain; note the exact words of the client at step {index}."',
        ]
        if index % 5 == 4:
            field = ("budget", "employees", "timeline")[index % 3]
            threshold = {"budget": f"{variant * 1000 + index}k", "employees": str(index + 20)}
            limit = threshold.get(field, f"{index % 90 + 10}d")
            operator = "<=" if field == "timeline" else ">="
            lines += [
                f"    ask: What is your {field}?",
                f"    input: {{field: {field}}}",
                "    next:",
                f'      - {{if: "{field} {operator} {limit} and role == dm", goto: {ahead}}}',
                f'      - {{if: "tags contains pain_{index % 7}", goto: {skip}}}',
                "      - {goto: " + ahead + "}",
            ]
            continue
        lines += [f"    ask: Question {index} to the client?", "    answers:"]
        for answer in range(rng.choice((3, 4))):
            level = ("yes", "partial", "no", "unknown")[answer]
            criterion = ("need", "urgency")[index % 2]
            target = skip if answer == 1 else ahead
            if answer == 3:
                target = ("callback", "lost")[index % 2]
            lines.append(
                f"      - {{id: a{answer}, label: Answer {answer} of {index}, "
                f'score: {{{criterion}: "{level}"}}, tags: [pain_{(index + answer) % 7}], '
                f"next: {target}}}"
            )
        if index % 3 == 0:
            lines.append(
                "      - {id: set_food, label: Food maker, set: {industry: food}, "
                f"next: {ahead}}}"
            )
    lines.append(OUTCOMES.rstrip())
    lines.append(SCORING.format(big=1_000_000 + variant, small=300_000 + variant).rstrip())
    return "\n".join(lines) + "\n"


def median_seconds(run: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    """Median wall time and median CPU time of `run` over the texts, one call each."""
    wall, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.process_time()
        run(text)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    """Print the load+lint figure against the target and the same-run YAML baselines."""
    texts = [generated_flow(STEPS, variant) for variant in range(1, SAMPLES + 1)]
    problems = lint_text(texts[0], "generated.yaml")
    assert not problems, "\n".join(map(str, problems[:5]))  # the flow must be realistic: clean
    flow = load_flow_text(texts[0])
    answers = sum(len(step.answers) for step in flow.steps.values())
    branches = sum(isinstance(step.next, tuple) for step in flow.steps.values())
    size_kb = len(texts[0].encode("utf-8")) / 1024

    # The first text was loaded above; it goes last so every timed call parses new conditions.
    checked, checked_cpu = median_seconds(load_flow_text, texts[1:] + texts[:1])
    safe_load, _ = median_seconds(yaml.safe_load, texts)
    c_load, _ = median_seconds(lambda text: yaml.load(text, Loader=yaml.CSafeLoader), texts)

    print(
        f"flow: {len(flow.steps)} steps, {answers} answers, {branches} branching steps, "
        f"{size_kb:.0f} KB of YAML"
    )
    print(
        f"load + lint, median of {SAMPLES}: {checked:.3f} s wall, {checked_cpu:.3f} s CPU "
        f"(target {TARGET_SECONDS:.0f} s: {checked / TARGET_SECONDS:.0%} of it)"
    )
    print(
        f"baseline yaml.safe_load:   {safe_load:.3f} s (load + lint is {checked / safe_load:.2f}x)"
    )
    print(f"baseline yaml CSafeLoader: {c_load:.3f} s (load + lint is {checked / c_load:.2f}x)")


if __name__ == "__main__":
    main()
