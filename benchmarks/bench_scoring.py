"""How long `assess` takes for a 50-criterion call, against a baseline timed in the same run.

Run: `.venv/bin/python -m benchmarks.bench_scoring`. Figures are printed, never asserted: the
machine is shared, so only ratios against the same-run baseline compare between runs.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from scoring.model import LeadFacts, assess
from scoring.spec import ScoringSpec

CRITERIA = 50
TARGET_MICROSECONDS = 50.0
SAMPLES = 41
CALLS_PER_SAMPLE = 500
COLD_SAMPLES = 15
BANT = ("budget", "authority", "need", "timeline")


def generated_spec(seed: int, *, variant: int = 0) -> ScoringSpec:
    """A 50-criterion scoring section like a long flow; `variant` makes condition texts new."""
    rng = random.Random(seed)
    criteria: dict[str, object] = {}
    for index in range(CRITERIA):
        criterion: dict[str, object] = {
            "title": f"Criterion {index}",
            "weight": rng.randint(1, 30),
        }
        if index < len(BANT) * 2:
            criterion["bant"] = BANT[index % len(BANT)]
        if index % 5 == 0:
            # Every fifth criterion derives its level from a typed answer, the rest from buttons.
            limit = 1000 + variant
            criterion["rules"] = [
                {"if": f"f{index} >= {limit * 10}", "level": "yes"},
                {"if": f"f{index} >= {limit}", "level": "partial"},
                {"if": f"f{index} < {limit}", "level": "no"},
            ]
        criteria[f"c{index:02d}"] = criterion
    return ScoringSpec.model_validate(
        {
            "criteria": criteria,
            "knockouts": [
                {
                    "if": f"f0 < {10 + variant}",
                    "reason": "too_small",
                    "title": "Small",
                    "say": "Bye",
                },
                {
                    "if": "tags contains no_need",
                    "reason": "no_need",
                    "title": "No need",
                    "say": "Bye",
                },
                {
                    "if": "role == gatekeeper and score < 10",
                    "reason": "stuck",
                    "title": "Stuck",
                    "say": "Bye",
                },
            ],
            "vendor": {
                f"v{index}": {"title": f"Vendor {index}", "ours": 1 + index % 5}
                for index in range(5)
            },
            "temperature": [
                {"if": f"timeline <= {30 + variant}d and score >= 70", "level": "hot"},
                {"if": "tags contains urgent and score >= 80", "level": "hot"},
                {"if": "score >= 45", "level": "warm"},
                {"level": "cold"},
            ],
            "classes": [
                {
                    "id": "a",
                    "title": "A",
                    "if": "score >= 70 and role in [dm, committee]",
                    "alert": True,
                    "sla_minutes": 15,
                },
                {"id": "b", "title": "B", "if": "temperature == warm and probability >= 50"},
                {"id": "c", "title": "C", "if": "score >= 30"},
                {"id": "nurture", "title": "Nurture"},
            ],
            "deal_value": {
                "field": "budget",
                "bands": [{"if": "f5 >= 5000", "value": 3_000_000}, {"value": 300_000}],
            },
        }
    )


def mid_call_facts(seed: int) -> LeadFacts:
    """Facts from the middle of a long call: most criteria answered, a few unknown or unasked."""
    rng = random.Random(seed)
    levels = {
        f"c{index:02d}": rng.choice(["yes", "partial", "no", "unknown"])
        for index in range(CRITERIA)
        if index % 5 != 0 and rng.random() < 0.8
    }
    fields = {f"f{index}": rng.randint(100, 20_000) for index in range(0, CRITERIA, 5)}
    fields["timeline"] = 21
    return LeadFacts(
        fields=fields,
        unknown_fields=frozenset({"f45"}),
        levels=levels,
        role="dm",
        tags=frozenset({"urgent", "has_supplier"}),
        importance={"v0": 5, "v2": 2},
    )


def batch_microseconds(call: Callable[[], object]) -> float:
    """The mean time of one call over a batch, in microseconds."""
    started = time.perf_counter_ns()
    for _ in range(CALLS_PER_SAMPLE):
        call()
    return (time.perf_counter_ns() - started) / CALLS_PER_SAMPLE / 1000


def main() -> None:
    """Print the per-call cost of `assess`, the baseline, and the first-call cost."""
    spec = generated_spec(7)
    facts = mid_call_facts(7)
    weights = [criterion.weight for criterion in spec.criteria.values()]

    def baseline() -> float:
        total = 0.0
        for weight in weights:
            total += weight
        return total

    assessment = assess(spec, facts)
    assert len(assessment.criteria) == CRITERIA

    # Baseline and assess batches alternate, so a load spike on the shared machine hits both
    # and the per-sample ratio stays meaningful.
    warm_samples, base_samples, ratios = [], [], []
    for _ in range(SAMPLES):
        base_sample = batch_microseconds(baseline)
        warm_sample = batch_microseconds(lambda: assess(spec, facts))
        base_samples.append(base_sample)
        warm_samples.append(warm_sample)
        ratios.append(warm_sample / base_sample)
    warm, base = statistics.median(warm_samples), statistics.median(base_samples)
    best, ratio = min(warm_samples), statistics.median(ratios)

    # A new spec object with condition texts never seen before: parsing and preparing included.
    cold_timings = []
    for variant in range(1, COLD_SAMPLES + 1):
        fresh = generated_spec(7, variant=variant)
        started = time.perf_counter_ns()
        assess(fresh, facts)
        cold_timings.append((time.perf_counter_ns() - started) / 1000)
    cold = statistics.median(cold_timings)

    print(f"assess, {CRITERIA} criteria, mid-call facts ({SAMPLES} x {CALLS_PER_SAMPLE} calls)")
    print(
        f"  warm call:  {warm:8.1f} µs median, {best:.1f} µs best = "
        f"{warm / TARGET_MICROSECONDS:.2f} of the {TARGET_MICROSECONDS:.0f} µs target"
    )
    print(
        f"  baseline:   {base:8.2f} µs  (plain loop summing {CRITERIA} weights); "
        f"assess = {ratio:.1f}x baseline (median of the per-sample ratios)"
    )
    print(
        f"  first call: {cold:8.1f} µs  (new spec, conditions parsed and prepared; median of "
        f"{COLD_SAMPLES}) = {cold / warm:.0f}x a warm call"
    )


if __name__ == "__main__":
    main()
