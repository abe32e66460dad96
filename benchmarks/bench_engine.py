"""What one answer costs the call engine on a shipped flow, against same-run baselines.

Run: `.venv/bin/python -m benchmarks.bench_engine`. Figures are printed, never asserted (the
machine is shared, so only ratios against the same-run baselines compare between runs); the
one assert is the leak check: after 10,000 answers the flow's machine holds no model.

Measured:
- an answer as the bot makes it (`Engine.answer`: the transition, the new snapshot, the screen
  with its assessment) and the move alone (`Engine.apply` of one answer event);
- baselines: a bare dict lookup of the next step, and the raw `assess` call the screen makes;
- the two ways to trigger the shared machine: binding a light model per answer
  (`add_model` / trigger / `remove_model`) against triggering the event on an unbound object;
- replaying a whole call log (what the bot does after loading a call from the database).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scoring.model import assess
from scripts.engine import (
    ActionRejected,
    CallState,
    Engine,
    Event,
    Result,
    answer_trigger,
    condition_facts,
    engine_for,
)
from scripts.loader import load_flow

FLOW = Path(__file__).resolve().parents[1] / "scripts" / "flows" / "b2b_cold_call_ru.yaml"
TARGET_MICROSECONDS = 100.0
SAMPLES = 31
LEAK_ANSWERS = 10_000
NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
CARD = {"company": "ООО «Северный хлеб»", "contact_name": "Ирина", "hunter_name": "Олег"}
CALL: list[tuple[str, str]] = [
    ("answer", "connect"),
    ("answer", "yes_me"),
    ("answer", "food"),
    ("submit", "120"),
    ("answer", "several"),
    ("answer", "delays"),
    ("submit", "1,5 млн"),
    ("answer", "self"),
    ("submit", "через месяц"),
    ("answer", "losing"),
    ("answer", "delivery"),
    ("answer", "meeting"),
]


def sample_microseconds(action: Callable[[], object], repeats: int) -> float:
    """The mean time of one call over `repeats` calls, in microseconds."""
    started = time.perf_counter()
    for _ in range(repeats):
        action()
    return (time.perf_counter() - started) / repeats * 1e6


def median_microseconds(action: Callable[[], object], repeats: int) -> float:
    """Median over samples of the time per call, in microseconds."""
    return statistics.median(sample_microseconds(action, repeats) for _ in range(SAMPLES))


def play(engine: Engine) -> list[Result]:
    """The scripted call, one result per action (the first is the start)."""
    results = [engine.start(CARD, now=NOW)]
    for action, argument in CALL:
        results.append(getattr(engine, action)(results[-1].state, argument, now=NOW))
    return results


def main() -> None:
    """Print the figures."""
    flow = load_flow(FLOW)
    engine = engine_for(flow)
    results = play(engine)
    presses = [
        (before.state, argument)
        for before, (action, argument) in zip(results[:-1], CALL, strict=True)
        if action == "answer"
    ]
    snapshots = [engine.snapshot(state) for state, _ in presses]
    events = [
        Event("answer", snapshot.step, {"answer": answer_id}, NOW.isoformat())
        for snapshot, (_, answer_id) in zip(snapshots, presses, strict=True)
    ]
    rounds = 200

    def answer_all() -> None:
        for state, answer_id in presses:
            engine.answer(state, answer_id, now=NOW)

    def apply_all() -> None:
        for snapshot, event in zip(snapshots, events, strict=True):
            engine.apply(snapshot, event)

    table = {(s.step, e.payload["answer"]): "next" for s, e in zip(snapshots, events, strict=True)}
    keys = list(table)

    def lookup_all() -> None:
        for key in keys:
            table.get(key)

    facts = [snapshot.facts() for snapshot in snapshots]

    def assess_all() -> None:
        for fact in facts:
            assess(flow.scoring, fact, language=flow.language)

    machine = engine.machine
    triggers = [
        (snapshot.step, answer_trigger(snapshot.step, str(event.payload["answer"])))
        for snapshot, event in zip(snapshots, events, strict=True)
    ]
    seen = [condition_facts(snapshot) for snapshot in snapshots]

    class Light:
        def __init__(self, state: str) -> None:
            self.state = state

    def bound_all() -> None:
        for (step, trigger), facts_seen in zip(triggers, seen, strict=True):
            model: Any = Light(step)
            machine.add_model(model, initial=step)
            model.trigger(trigger, facts=facts_seen)
            machine.remove_model(model)

    def unbound_all() -> None:
        for (step, trigger), facts_seen in zip(triggers, seen, strict=True):
            machine.events[trigger].trigger(Light(step), facts=facts_seen)

    log = results[-1].state.events

    def replay_log() -> None:
        engine.replay(log)

    per = len(presses)
    # Answers and the raw assessments they include alternate, sample by sample, so a load spike
    # on the shared machine hits both and the per-sample ratio stays meaningful.
    answers, assessments, ratios = [], [], []
    for _ in range(SAMPLES):
        answers.append(sample_microseconds(answer_all, rounds // 10) / per)
        assessments.append(sample_microseconds(assess_all, rounds // 10) / per)
        ratios.append(answers[-1] / assessments[-1])
    answer, best = statistics.median(answers), min(answers)
    raw_assess, ratio = statistics.median(assessments), statistics.median(ratios)
    move = median_microseconds(apply_all, rounds) / per
    lookup = median_microseconds(lookup_all, rounds * 10) / per
    bound = median_microseconds(bound_all, rounds // 4) / per
    unbound = median_microseconds(unbound_all, rounds) / per
    replay = median_microseconds(replay_log, rounds // 4)

    print(
        f"flow {flow.id} v{flow.version}: {len(flow.steps)} steps, {len(machine.events)} triggers"
    )
    print(
        f"answer, move+screen+assess: {answer:8.1f} µs median, {best:.1f} µs best "
        f"(target < {TARGET_MICROSECONDS:.0f})"
    )
    print(f"  move alone (apply):       {move:8.1f} µs")
    print(f"  baseline raw assess:      {raw_assess:8.1f} µs  answer/assess {ratio:.1f}x")
    print(f"  baseline dict lookup:     {lookup:8.3f} µs  move/lookup {move / lookup:.0f}x")
    print(f"trigger, bound per answer:  {bound:8.1f} µs")
    print(f"trigger, unbound object:    {unbound:8.1f} µs  bound/unbound {bound / unbound:.0f}x")
    print(f"replay of {len(log)} events:       {replay:8.1f} µs")

    state: CallState = results[0].state
    answered = 0
    while answered < LEAK_ANSWERS:
        for action, argument in CALL:
            try:
                state = getattr(engine, action)(state, argument, now=NOW).state
            except ActionRejected:
                break
            answered += 1
        state = results[0].state
    assert machine.models == [], machine.models
    assert engine_for(flow) is engine
    print(f"after {answered} answers: machine.models = {machine.models} (no model kept)")


if __name__ == "__main__":
    main()
