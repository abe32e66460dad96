"""Every path through a flow, from the start to each outcome, with the score it can reach.

A path is a sequence of steps and the answers taken between them; a step is never visited twice
on one path (a move back to a step passed is cut and reported as a loop), and enumeration stops
at a cap, shortest paths first. Answers of one step that record exactly the same thing and lead
to the same place are one edge ("Да / Конечно"). Which outcomes are reachable, and with what
scores and temperatures, is found by a separate search over calls rather than paths, so it is
complete whatever the cap.

Typed inputs make a range. Every condition of the flow is read for the thresholds it compares a
field with (`budget >= 500000`, `timeline <= 30d`), and each typed field is tried with one value
per distinct outcome of those comparisons, plus "the client does not know". Branch conditions
prune the values that cannot take a path; criteria never asked on a path count as unknown when
the call ends, as they do in a real call. The score range of a path is the lowest and highest
score over the values that can take it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

from scoring.conditions import Comparison, Condition, Duration, Value, parse_condition
from scoring.model import Assessment, FactValue, LeadFacts, assess
from scoring.spec import ContactRole, Temperature
from scripts.engine import Edge, flow_edges
from scripts.schema import Answer, FieldSpec, Flow

DEFAULT_LIMIT: Final = 10_000
_NUMERIC = frozenset({"number", "money", "period"})
_UNKNOWN: Final = object()
"""A typed field the client did not know."""


@dataclass(frozen=True, slots=True)
class PathStep:
    """One move on a path: from a step, by an answer (or a typed value), to the next state."""

    source: str
    dest: str
    label: str
    condition: str | None = None
    otherwise: bool = False


@dataclass(frozen=True, slots=True)
class FlowPath:
    """One way from the start to an outcome, and what the lead can score on it."""

    outcome: str
    moves: tuple[PathStep, ...]
    score_min: float
    score_max: float
    temperatures: frozenset[Temperature]
    knockouts: frozenset[str]
    """Reasons of knock-outs that fire on some value taking this path."""

    @property
    def steps(self) -> tuple[str, ...]:
        """The steps passed, start first, then the outcome."""
        return (*(move.source for move in self.moves), self.outcome)


@dataclass(frozen=True, slots=True)
class PathReport:
    """All paths found, grouped by outcome, and what they say about the flow."""

    flow: Flow
    paths: tuple[FlowPath, ...]
    limit: int
    truncated: bool
    loops: frozenset[tuple[str, str]]
    """(step, earlier step) moves that were cut because they come back to a step passed."""
    outcomes: Mapping[str, OutcomeSummary]
    """Every outcome a call can reach (found without the cap), with its score range."""
    by_outcome: Mapping[str, tuple[FlowPath, ...]] = field(default_factory=dict)

    @property
    def reachable(self) -> tuple[str, ...]:
        """Outcomes some call can end at."""
        return tuple(outcome for outcome in self.flow.outcomes if outcome in self.outcomes)

    @property
    def unreachable(self) -> tuple[str, ...]:
        """Outcomes no call can end at."""
        return tuple(outcome for outcome in self.flow.outcomes if outcome not in self.outcomes)

    @property
    def hot_reachable(self) -> bool:
        """Whether any call through the flow can end with a hot lead."""
        return any("hot" in summary.temperatures for summary in self.outcomes.values())


@dataclass(frozen=True, slots=True)
class OutcomeSummary:
    """What the leads that end at one outcome can score, over every way of getting there."""

    outcome: str
    score_min: float
    score_max: float
    temperatures: frozenset[Temperature]
    knockouts: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a call has recorded at one point of a path (hashable, so assessments are shared)."""

    fields: tuple[tuple[str, FactValue], ...] = ()
    unknown: frozenset[str] = frozenset()
    levels: tuple[tuple[str, str], ...] = ()
    tags: frozenset[str] = frozenset()
    role: ContactRole | None = None
    importance: tuple[tuple[str, int], ...] = ()

    def for_conditions(self) -> dict[str, Value]:
        facts: dict[str, Value] = dict(self.fields)
        if self.role is not None:
            facts.setdefault("role", self.role)
        facts.setdefault("tags", self.tags)
        return facts

    def lead(self) -> LeadFacts:
        return LeadFacts(
            fields=dict(self.fields),
            unknown_fields=self.unknown,
            levels=dict(self.levels),
            role=self.role,
            tags=self.tags,
            importance=dict(self.importance),
            finished=True,
        )

    def typed(self, name: str, value: object) -> _Facts:
        fields = {key: val for key, val in self.fields if key != name}
        unknown = self.unknown | {name}
        if isinstance(value, bool | int | float | str):
            fields[name] = value
            unknown = self.unknown - {name}
        return _Facts(_sorted(fields), unknown, self.levels, self.tags, self.role, self.importance)

    def answered(self, answer: Answer) -> _Facts:
        fields = {**dict(self.fields), **answer.set} if answer.set else None
        return _Facts(
            _sorted(fields) if fields is not None else self.fields,
            self.unknown.difference(answer.set) if answer.set else self.unknown,
            _sorted({**dict(self.levels), **answer.score}) if answer.score else self.levels,
            self.tags | frozenset(answer.tags),
            answer.role if answer.role is not None else self.role,
            (
                _sorted({**dict(self.importance), **answer.importance})
                if answer.importance
                else self.importance
            ),
        )


_V = TypeVar("_V")


def _sorted(mapping: Mapping[str, _V]) -> tuple[tuple[str, _V], ...]:
    return tuple(sorted(mapping.items()))


@dataclass(frozen=True, slots=True)
class _Exit:
    """A group of answers (or a typed input) of one step and its branches, tried in order."""

    label: str
    answer: Answer | None
    field: str | None
    branches: tuple[Edge, ...]


_Compile = Callable[[str], Condition]


class _Explorer:
    def __init__(self, flow: Flow, limit: int) -> None:
        self.flow = flow
        self.limit = limit
        self.paths: list[FlowPath] = []
        self.truncated = False
        self.loops: set[tuple[str, str]] = set()
        self._to_end: dict[str, int] = {}
        self._conditions: dict[str, Condition] = {}
        self._assessments: dict[_Facts, Assessment] = {}
        # paths are listed by growing length, so the same prefixes are followed again and again
        self._followed: dict[tuple[int, tuple[_Facts, ...]], list[tuple[Edge, list[_Facts]]]] = {}
        self._exits = self._group_exits()
        self._values = {
            name: _candidates(spec, _comparisons_of(flow, name, self._condition))
            for name, spec in flow.fields.items()
        }
        self._relevance = _Relevance(flow, _all_conditions(flow), self._condition)

    def _condition(self, text: str) -> Condition:
        condition = self._conditions.get(text)
        if condition is None:
            condition = self._conditions[text] = parse_condition(text)
        return condition

    def _group_exits(self) -> dict[str, list[_Exit]]:
        by_trigger: dict[str, list[Edge]] = {}
        for edge in flow_edges(self.flow):
            by_trigger.setdefault(edge.trigger, []).append(edge)
        exits: dict[str, list[_Exit]] = {}
        seen: dict[tuple[object, ...], _Exit] = {}
        for edges in by_trigger.values():
            first = edges[0]
            if first.answer is not None:
                answer = first.answer
                key = (
                    first.source,
                    tuple(sorted(answer.set.items())),
                    tuple(sorted(answer.score.items())),
                    tuple(sorted(answer.tags)),
                    answer.role,
                    tuple(sorted(answer.importance.items())),
                    tuple((e.dest, e.when) for e in edges),
                )
                twin = seen.get(key)
                if twin is not None:
                    merged = _Exit(f"{twin.label} / {answer.label}", answer, None, twin.branches)
                    step_exits = exits[first.source]
                    step_exits[step_exits.index(twin)] = merged
                    seen[key] = merged
                    continue
                exit_ = _Exit(answer.label, answer, None, tuple(edges))
                seen[key] = exit_
            else:
                spec = self.flow.fields.get(first.field or "")
                title = spec.title if spec is not None else first.field
                exit_ = _Exit(f"✍ {title}", None, first.field, tuple(edges))
            exits.setdefault(first.source, []).append(exit_)
        return exits

    def starts(self) -> list[_Facts]:
        """The lead card as typed at the start: one variant per value conditions tell apart."""
        start = [_Facts()]
        for name, spec in self.flow.fields.items():
            values = self._values[name]
            if spec.card and name in self._relevance.fields:
                start = _dedupe(
                    self._relevance.project(facts.typed(name, value))
                    for facts in start
                    for value in values
                )
        return start

    def follow(
        self, exit_: _Exit, facts_list: Iterable[_Facts]
    ) -> Iterator[tuple[Edge, list[_Facts]]]:
        """Where these calls go by this exit: each branch taken and the calls taking it."""
        key = (id(exit_), tuple(facts_list))
        known = self._followed.get(key)
        if known is None:
            known = self._followed[key] = list(self._follow(exit_, key[1]))
        return iter(known)

    def _follow(
        self, exit_: _Exit, facts_list: Iterable[_Facts]
    ) -> Iterator[tuple[Edge, list[_Facts]]]:
        relevance = self._relevance
        if exit_.answer is not None:
            answer = exit_.answer
            moved = _dedupe(relevance.project(facts.answered(answer)) for facts in facts_list)
        else:
            name = exit_.field or ""
            values = self._values.get(name, (_UNKNOWN,))
            moved = _dedupe(
                relevance.project(facts.typed(name, value))
                for facts in facts_list
                for value in values
            )
        routed: dict[int, list[_Facts]] = {}
        for facts in moved:
            seen = facts.for_conditions()
            for index, edge in enumerate(exit_.branches):
                if edge.when is None or self._condition(edge.when).evaluate(seen):
                    routed.setdefault(index, []).append(facts)
                    break
        for index, edge in enumerate(exit_.branches):
            if index in routed:
                yield edge, routed[index]

    def outcomes(self) -> dict[str, OutcomeSummary]:
        """Every outcome some call reaches, searching calls (not paths) so no cap is needed."""
        seen: set[tuple[str, _Facts]] = set()
        stack = [(self.flow.start, facts) for facts in self.starts()]
        ends: dict[str, list[Assessment]] = {}
        while stack:
            state, facts = stack.pop()
            if (state, facts) in seen:
                continue
            seen.add((state, facts))
            if state in self.flow.outcomes:
                ends.setdefault(state, []).append(self.assess(facts))
                continue
            for exit_ in self._exits.get(state, ()):
                for edge, routed in self._follow(exit_, (facts,)):
                    stack.extend((edge.dest, moved) for moved in routed)
        return {
            outcome: OutcomeSummary(outcome, *_ranges(assessments))
            for outcome, assessments in ends.items()
        }

    def enumerate(self) -> None:
        """Paths by length, shortest first, until the cap: each outcome's short paths show."""
        start = self.starts()
        self._to_end = self._moves_to_end()
        for length in range(1, len(self.flow.steps) + 1):
            longer = self._walk(self.flow.start, (), frozenset({self.flow.start}), start, length)
            if self.truncated or not longer:
                return

    def _moves_to_end(self) -> dict[str, int]:
        """Fewest moves from each state to some outcome."""
        incoming: dict[str, set[str]] = {}
        for source, exits in self._exits.items():
            for exit_ in exits:
                for edge in exit_.branches:
                    incoming.setdefault(edge.dest, set()).add(source)
        distance = dict.fromkeys(self.flow.outcomes, 0)
        frontier = list(self.flow.outcomes)
        while frontier:
            following = []
            for state in frontier:
                for source in incoming.get(state, ()):
                    if source not in distance:
                        distance[source] = distance[state] + 1
                        following.append(source)
            frontier = following
        return distance

    def _walk(
        self,
        state: str,
        moves: tuple[PathStep, ...],
        visited: frozenset[str],
        facts_list: list[_Facts],
        length: int,
    ) -> bool:
        """Record the paths of exactly `length` moves from here; True if longer ones may exist."""
        longer = False
        depth = len(moves) + 1
        steps_left = len(self.flow.steps) - len(visited)
        for exit_ in self._exits.get(state, ()):
            for edge, routed in self.follow(exit_, facts_list):
                if self.truncated:
                    return True
                dest = edge.dest
                if dest in visited:
                    self.loops.add((state, dest))
                    continue
                move = PathStep(
                    state, dest, exit_.label, edge.when, edge.when is None and bool(edge.unless)
                )
                if dest in self.flow.outcomes:
                    if depth == length:
                        self._record(dest, (*moves, move), routed)
                elif depth + self._to_end.get(dest, length) > length:
                    longer = True  # cannot end within this length: the next round takes it
                elif depth + steps_left >= length:  # else too short to be this long
                    longer |= self._walk(dest, (*moves, move), visited | {dest}, routed, length)
        return longer

    def _record(self, outcome: str, moves: tuple[PathStep, ...], facts_list: list[_Facts]) -> None:
        if len(self.paths) >= self.limit:
            self.truncated = True
            return
        score_min, score_max, temperatures, knockouts = _ranges(
            [self.assess(facts) for facts in facts_list]
        )
        self.paths.append(FlowPath(outcome, moves, score_min, score_max, temperatures, knockouts))

    def assess(self, facts: _Facts) -> Assessment:
        known = self._assessments.get(facts)
        if known is None:
            known = assess(self.flow.scoring, facts.lead(), language=self.flow.language)
            self._assessments[facts] = known
        return known


def _ranges(
    assessments: list[Assessment],
) -> tuple[float, float, frozenset[Temperature], frozenset[str]]:
    return (
        min(a.score for a in assessments),
        max(a.score for a in assessments),
        frozenset(a.temperature for a in assessments),
        frozenset(hit.reason for a in assessments for hit in a.knockouts),
    )


class _Relevance:
    """The part of a call's facts that any condition or the score can depend on.

    Everything else (a tag no rule mentions, a field nothing compares) is dropped while
    exploring, so calls that differ only in such details are explored and assessed once: that
    is what keeps the search finite and fast.
    """

    def __init__(self, flow: Flow, texts: Iterable[str], compile_condition: _Compile) -> None:
        comparisons = [c for text in texts for c in compile_condition(text).comparisons()]
        names = {c.identifier for c in comparisons}
        self.fields = frozenset(names & flow.fields.keys())
        tag_tests = [c for c in comparisons if c.identifier == "tags"]
        self.all_tags = any(c.op not in {"contains", "in", "not in", "=="} for c in tag_tests)
        self.tags = frozenset(text for c in tag_tests for text in _literal_texts(c))
        self.importance = bool(names & {"probability", "expected_value"})

    def project(self, facts: _Facts) -> _Facts:
        return _Facts(
            tuple(item for item in facts.fields if item[0] in self.fields),
            facts.unknown & self.fields,
            facts.levels,
            facts.tags if self.all_tags else facts.tags & self.tags,
            facts.role,
            facts.importance if self.importance else (),
        )


def _dedupe(items: Iterable[_Facts]) -> list[_Facts]:
    return list(dict.fromkeys(items))


def _all_conditions(flow: Flow) -> Iterator[str]:
    for step in flow.steps.values():
        for target in [step.next, *(answer.next for answer in step.answers)]:
            if isinstance(target, tuple):
                yield from (branch.when for branch in target if branch.when is not None)
    scoring = flow.scoring
    for criterion in scoring.criteria.values():
        yield from (rule.when for rule in criterion.rules if rule.when is not None)
    yield from (knockout.when for knockout in scoring.knockouts)
    yield from (rule.when for rule in scoring.temperature if rule.when is not None)
    yield from (lead_class.when for lead_class in scoring.classes if lead_class.when is not None)
    if scoring.deal_value is not None:
        yield from (band.when for band in scoring.deal_value.bands if band.when is not None)


def _comparisons_of(flow: Flow, name: str, compile_condition: _Compile) -> list[Condition]:
    """Each comparison on one field anywhere in the flow, as a condition of its own."""
    found: dict[str, Condition] = {}
    for text in _all_conditions(flow):
        for comparison in compile_condition(text).comparisons():
            if comparison.identifier == name:
                rendered = str(comparison)
                found.setdefault(rendered, compile_condition(rendered))
    return list(found.values())


def _candidates(spec: FieldSpec, comparisons: list[Condition]) -> tuple[object, ...]:
    """One value per distinct answer the field's comparisons can give, and "does not know"."""
    raw: list[FactValue]
    if spec.type in _NUMERIC:
        thresholds = sorted({number for c in comparisons for number in _numbers(c)})
        points: set[float] = set()  # float(int) keeps is_integer() available
        for low, high in itertools.pairwise(thresholds):
            points.add((low + high) / 2)
        for threshold in thresholds:
            points.update({threshold - 1.0, float(threshold), threshold + 1.0})
        points.add(thresholds[-1] * 2.0 + 1 if thresholds else 1.0)
        raw = [int(p) if p.is_integer() else p for p in sorted(points) if p >= 0]
    elif spec.type == "choice":
        raw = list(spec.options)
    else:
        raw = [*(text for c in comparisons for text in _texts(c)), "—"]
    kept: dict[tuple[bool, ...], FactValue] = {}
    for value in raw:
        signature = tuple(c.evaluate({_name(c): value}) for c in comparisons)
        kept.setdefault(signature, value)
    values: list[object] = list(kept.values())
    if spec.type in _NUMERIC or not spec.card:
        values.append(_UNKNOWN)
    return tuple(values)


def _name(condition: Condition) -> str:
    return next(iter(condition.identifiers()))


def _numbers(condition: Condition) -> Iterator[float]:
    for comparison in condition.comparisons():
        yield from (n for n in _literal_numbers(comparison))


def _literal_numbers(comparison: Comparison) -> Iterator[float]:
    values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
    for value in values:
        if isinstance(value, Duration):
            yield value.days
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield value


def _texts(condition: Condition) -> Iterator[str]:
    for comparison in condition.comparisons():
        yield from _literal_texts(comparison)


def _literal_texts(comparison: Comparison) -> Iterator[str]:
    values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
    yield from (value for value in values if isinstance(value, str))


def enumerate_paths(flow: Flow, *, limit: int = DEFAULT_LIMIT) -> PathReport:
    """Every path from the start to each outcome (at most `limit`), with its score range."""
    explorer = _Explorer(flow, limit)
    explorer.enumerate()
    by_outcome: dict[str, list[FlowPath]] = {}
    for path in explorer.paths:
        by_outcome.setdefault(path.outcome, []).append(path)
    return PathReport(
        flow=flow,
        paths=tuple(explorer.paths),
        limit=limit,
        truncated=explorer.truncated,
        loops=frozenset(explorer.loops),
        outcomes=explorer.outcomes(),
        by_outcome={outcome: tuple(paths) for outcome, paths in by_outcome.items()},
    )
