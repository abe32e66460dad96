"""Every route through a flow, from the start to each outcome, with the score it can reach.

A route is a sequence of steps. Each move on it lists every answer (or the typed input) that
takes it, with the branch condition it needs: "Пищевое / Химия / Склад" all leading to the next
question make one route, not three, so an author reads how a call can go rather than every
combination of taps. A step is never visited twice on one route (a move back to a step passed is
cut and reported as a loop), and enumeration stops at a cap, shortest routes first. Which
outcomes are reachable, and with what scores and temperatures, is found by a separate search over
calls rather than routes, so it is complete whatever the cap.

Typed inputs make a range. Every condition of the flow is read for the thresholds it compares a
field with (`budget >= 500000`, `timeline <= 31d`), and each typed field is tried with one value
per distinct outcome of those comparisons, plus "the client does not know". Branch conditions
prune the values that cannot take a route; criteria never asked on a route count as unknown when
the call ends, as they do in a real call. The score range of a route is the lowest and highest
score over every call that takes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

from scoring.conditions import Comparison, Condition, Duration, Value, parse_condition
from scoring.model import Assessment, FactValue, LeadFacts, assess
from scoring.spec import ContactRole, Temperature
from scripts.engine import Edge, branch_facts, flow_edges, moves_to
from scripts.schema import Answer, FieldSpec, Flow

DEFAULT_LIMIT: Final = 10_000
SEARCH_LIMIT: Final = 400_000
"""Calls followed by one move, per search (routes, then outcomes). A flow whose typed answers
multiply the calls without end (a threshold of its own at every question) is searched for a few
seconds and reported as incomplete rather than searched for hours; a shipped flow takes a
quarter of it at most."""
_ASSESS_WORK: Final = 5
"""Scoring a call costs about five times following it by one move."""
_NUMERIC = frozenset({"number", "money", "period"})
_UNKNOWN: Final = object()
"""A typed field the client did not know."""


@dataclass(frozen=True, slots=True)
class Choice:
    """An answer (or the typed input) that takes a move, and the branch condition it needs."""

    label: str
    condition: str | None = None
    otherwise: bool = False
    """Taken when the conditions of the branches before it do not hold."""


@dataclass(frozen=True, slots=True)
class PathStep:
    """One move of a route: from a step to the next state, by any of its choices."""

    source: str
    dest: str
    choices: tuple[Choice, ...]

    @property
    def label(self) -> str:
        """The choices' labels, as the hunter sees the buttons: "Да / Конечно"."""
        return " / ".join(choice.label for choice in self.choices)


@dataclass(frozen=True, slots=True)
class FlowPath:
    """One route from the start to an outcome, and what the lead can score on it."""

    outcome: str
    moves: tuple[PathStep, ...]
    score_min: float
    score_max: float
    temperatures: frozenset[Temperature]
    knockouts: frozenset[str]
    """Reasons of knock-outs that fire on some call taking this route."""

    @property
    def steps(self) -> tuple[str, ...]:
        """The steps passed, start first, then the outcome."""
        return (*(move.source for move in self.moves), self.outcome)


@dataclass(frozen=True, slots=True)
class OutcomeSummary:
    """What the leads that end at one outcome can score, over every way of getting there."""

    outcome: str
    score_min: float
    score_max: float
    temperatures: frozenset[Temperature]
    knockouts: frozenset[str]


@dataclass(frozen=True, slots=True)
class PathReport:
    """All routes found, grouped by outcome, and what they say about the flow."""

    flow: Flow
    paths: tuple[FlowPath, ...]
    limit: int
    truncated: bool
    loops: frozenset[tuple[str, str]]
    """(step, earlier step) moves that were cut because they come back to a step passed."""
    outcomes: Mapping[str, OutcomeSummary]
    """Every outcome a call can reach (found without the cap), with its score range."""
    by_outcome: Mapping[str, tuple[FlowPath, ...]] = field(default_factory=dict)
    complete: bool = True
    """False when the search over calls stopped at `SEARCH_LIMIT`: then `outcomes` and
    `hot_reachable` are what was found, and `unreachable` lists outcomes not found."""

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
class _Facts:
    """What a call has recorded at one point of a route (hashable, so assessments are shared)."""

    fields: tuple[tuple[str, FactValue], ...] = ()
    unknown: frozenset[str] = frozenset()
    levels: tuple[tuple[str, str], ...] = ()
    tags: frozenset[str] = frozenset()
    role: ContactRole | None = None
    importance: tuple[tuple[str, int], ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Facts are looked up in sets and caches hundreds of thousands of times; tuples do not
        # keep their hash, so it is computed once here.
        identity = (self.fields, self.unknown, self.levels, self.tags, self.role, self.importance)
        object.__setattr__(self, "_hash", hash(identity))

    def __hash__(self) -> int:
        return self._hash

    def for_conditions(self) -> dict[str, Value]:
        return branch_facts(dict(self.fields), self.role, self.tags)

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


_V = TypeVar("_V")


def _merged(
    items: tuple[tuple[str, _V], ...], updates: tuple[tuple[str, _V], ...]
) -> tuple[tuple[str, _V], ...]:
    """Sorted (key, value) pairs with `updates` written over `items`."""
    return tuple(sorted({**dict(items), **dict(updates)}.items()))


@dataclass(frozen=True, slots=True)
class _Exit:
    """An answer (or a typed input) of one step and its branches, tried in order."""

    label: str
    answer: Answer | None
    field: str | None
    branches: tuple[Edge, ...]


@dataclass(frozen=True, slots=True)
class _Move:
    """Where calls go from a step: one destination, every choice taking it, the calls that do."""

    dest: str
    choices: tuple[Choice, ...]
    facts: tuple[_Facts, ...]


_Compile = Callable[[str], Condition]
_Effect = tuple[
    tuple[tuple[str, FactValue], ...],
    tuple[tuple[str, str], ...],
    frozenset[str],
    tuple[tuple[str, int], ...],
]
"""What an answer records that matters: fields, levels, tags and importance."""


class _Explorer:
    def __init__(self, flow: Flow, limit: int) -> None:
        self.flow = flow
        self.limit = limit
        self.paths: list[FlowPath] = []
        self.truncated = False
        self.complete = True
        self.work = 0  # calls followed by one move in the current search, up to SEARCH_LIMIT
        self.loops: set[tuple[str, str]] = set()
        self._to_end: dict[str, int] = {}
        self._conditions: dict[str, Condition] = {}
        self._assessments: dict[_Facts, Assessment] = {}
        # Routes are listed by growing length, so the same prefixes are followed again and again,
        # and a call's next facts by one exit are the same on every route it is on.
        self._moves: dict[tuple[str, tuple[_Facts, ...]], list[_Move]] = {}
        self._taken: dict[tuple[int, _Facts], tuple[tuple[int, _Facts], ...]] = {}
        self._exits = self._exits_by_step()
        comparisons = {name: _comparisons_of(flow, name, self._condition) for name in flow.fields}
        self._values = {
            name: _candidates(spec, comparisons[name]) for name, spec in flow.fields.items()
        }
        self._relevance = _Relevance(flow, _conditions_read(flow), comparisons, self._condition)

    def _condition(self, text: str) -> Condition:
        condition = self._conditions.get(text)
        if condition is None:
            condition = self._conditions[text] = parse_condition(text)
        return condition

    def _exits_by_step(self) -> dict[str, list[_Exit]]:
        by_trigger: dict[str, list[Edge]] = {}
        for edge in flow_edges(self.flow):
            by_trigger.setdefault(edge.trigger, []).append(edge)
        exits: dict[str, list[_Exit]] = {}
        for edges in by_trigger.values():
            first = edges[0]
            if first.answer is not None:
                exit_ = _Exit(first.answer.label, first.answer, None, tuple(edges))
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
                    self._relevance.typed(facts, name, value)
                    for facts in start
                    for value in values
                )
        return start

    def moves(self, state: str, facts_list: tuple[_Facts, ...]) -> list[_Move]:
        """Where these calls go from a step, one move per destination, in the flow's order."""
        key = (state, facts_list)
        known = self._moves.get(key)
        if known is None:
            known = self._moves[key] = self._group_moves(state, facts_list)
        return known

    def _group_moves(self, state: str, facts_list: tuple[_Facts, ...]) -> list[_Move]:
        choices: dict[str, list[Choice]] = {}
        reached: dict[str, list[_Facts]] = {}
        for exit_ in self._exits.get(state, ()):
            for edge, routed in self._follow(exit_, facts_list):
                otherwise = edge.when is None and bool(edge.unless)
                choices.setdefault(edge.dest, []).append(Choice(exit_.label, edge.when, otherwise))
                reached.setdefault(edge.dest, []).extend(routed)
        return [
            _Move(dest, tuple(choices[dest]), tuple(_dedupe(facts)))
            for dest, facts in reached.items()
        ]

    def _follow(
        self, exit_: _Exit, facts_list: Iterable[_Facts]
    ) -> Iterator[tuple[Edge, list[_Facts]]]:
        """Where these calls go by this exit: each branch taken and the calls taking it."""
        routed: dict[int, list[_Facts]] = {}
        for facts in facts_list:
            for index, moved in self._take(exit_, facts):
                routed.setdefault(index, []).append(moved)
        for index, edge in enumerate(exit_.branches):
            if index in routed:
                yield edge, _dedupe(routed[index])

    def _take(self, exit_: _Exit, facts: _Facts) -> tuple[tuple[int, _Facts], ...]:
        """The facts of one call after this exit, each with the index of the branch it takes."""
        self.work += 1
        key = (id(exit_), facts)
        known = self._taken.get(key)
        if known is not None:
            return known
        relevance = self._relevance
        if exit_.answer is not None:
            moved = [relevance.answered(facts, exit_.answer)]
        else:
            name = exit_.field or ""
            values = self._values.get(name, (_UNKNOWN,))
            moved = _dedupe(relevance.typed(facts, name, value) for value in values)
        self.work += len(moved)  # a typed answer tries a value per threshold: each counts
        taken: list[tuple[int, _Facts]] = []
        for after in moved:
            seen = after.for_conditions()
            for index, edge in enumerate(exit_.branches):
                if edge.when is None or self._condition(edge.when).evaluate(seen):
                    taken.append((index, after))
                    break
        known = self._taken[key] = tuple(taken)
        return known

    def outcomes(self) -> dict[str, OutcomeSummary]:
        """Every outcome some call reaches, searching calls (not routes) so no cap is needed."""
        seen: set[tuple[str, _Facts]] = set()
        stack = [(self.flow.start, facts) for facts in self.starts()]
        ends: dict[str, list[Assessment]] = {}
        self.work = 0
        while stack:
            if self.work > SEARCH_LIMIT:
                self.complete = False
                break
            state, facts = stack.pop()
            if (state, facts) in seen:
                continue
            seen.add((state, facts))
            if state in self.flow.outcomes:
                ends.setdefault(state, []).append(self.assess(facts))
                continue
            for exit_ in self._exits.get(state, ()):
                stack.extend(
                    (exit_.branches[index].dest, moved)
                    for index, moved in self._take(exit_, facts)
                )
        return {
            outcome: OutcomeSummary(outcome, *_ranges(assessments))
            for outcome, assessments in ends.items()
        }

    def enumerate(self) -> None:
        """Routes by length, shortest first, until the cap: each outcome's short routes show."""
        start = tuple(self.starts())
        self._to_end = moves_to(self.flow, self.flow.outcomes)
        self.work = 0
        for length in range(1, len(self.flow.steps) + 1):
            longer = self._walk(self.flow.start, (), frozenset({self.flow.start}), start, length)
            if self.truncated or not longer:
                return

    def _walk(
        self,
        state: str,
        moves: tuple[PathStep, ...],
        visited: frozenset[str],
        facts_list: tuple[_Facts, ...],
        length: int,
    ) -> bool:
        """Record the routes of exactly `length` moves from here; True if longer ones may exist."""
        longer = False
        depth = len(moves) + 1
        steps_left = len(self.flow.steps) - len(visited)
        for move in self.moves(state, facts_list):
            if self.work > SEARCH_LIMIT:
                self.truncated = True
            if self.truncated:
                return True
            dest = move.dest
            if dest in visited:
                self.loops.add((state, dest))
                continue
            step = PathStep(state, dest, move.choices)
            if dest in self.flow.outcomes:
                if depth == length:
                    self._record(dest, (*moves, step), move.facts)
            elif depth + self._to_end.get(dest, length) > length:
                longer = True  # cannot end within this length: the next round takes it
            elif depth + steps_left >= length:  # else too short to be this long
                longer |= self._walk(dest, (*moves, step), visited | {dest}, move.facts, length)
        return longer

    def _record(
        self, outcome: str, moves: tuple[PathStep, ...], facts_list: tuple[_Facts, ...]
    ) -> None:
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
            self.work += _ASSESS_WORK
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
    exploring, and a field's value is replaced by the first value seen that every comparison on
    the field answers alike ("food" and "chemicals" when only `industry == services` is asked).
    Calls that differ only in such details are explored and assessed once: that is what keeps
    the search finite and fast.
    """

    def __init__(
        self,
        flow: Flow,
        texts: Iterable[str],
        comparisons: Mapping[str, list[Condition]],
        compile_condition: _Compile,
    ) -> None:
        written = [c for text in texts for c in compile_condition(text).comparisons()]
        names = {c.identifier for c in written}
        self.fields = frozenset(names & flow.fields.keys())
        tag_tests = [c for c in written if c.identifier == "tags"]
        self.all_tags = any(c.op not in {"contains", "in", "not in", "=="} for c in tag_tests)
        self.tags = frozenset(text for c in tag_tests for text in _literal_texts(c))
        self.importance = "probability" in names
        self._comparisons = comparisons
        self._effects: dict[int, _Effect] = {}
        self._alike: dict[tuple[str, type, FactValue], FactValue] = {}
        self._by_answers: dict[tuple[str, tuple[bool, ...]], FactValue] = {}

    def answered(self, facts: _Facts, answer: Answer) -> _Facts:
        """The facts after an answer, keeping only what conditions and the score can read."""
        effect = self._effects.get(id(answer))
        if effect is None:
            effect = self._effects[id(answer)] = self._effect(answer)
        fields, levels, tags, importance = effect
        return _Facts(
            _merged(facts.fields, fields) if fields else facts.fields,
            facts.unknown.difference(name for name, _ in fields) if fields else facts.unknown,
            _merged(facts.levels, levels) if levels else facts.levels,
            facts.tags | tags if tags else facts.tags,
            answer.role if answer.role is not None else facts.role,
            _merged(facts.importance, importance) if importance else facts.importance,
        )

    def _effect(self, answer: Answer) -> _Effect:
        tags = frozenset(answer.tags)
        return (
            tuple(
                (name, self._representative(name, value))
                for name, value in answer.set.items()
                if name in self.fields
            ),
            tuple(answer.score.items()),
            tags if self.all_tags else tags & self.tags,
            tuple(answer.importance.items()) if self.importance else (),
        )

    def typed(self, facts: _Facts, name: str, value: object) -> _Facts:
        """The facts after a typed answer (`_UNKNOWN`: the client did not know)."""
        if name not in self.fields:
            return facts
        rest = tuple(item for item in facts.fields if item[0] != name)
        if not isinstance(value, bool | int | float | str):
            fields, unknown = rest, facts.unknown | {name}
        else:
            fields = _merged(rest, ((name, self._representative(name, value)),))
            unknown = facts.unknown - {name}
        return _Facts(fields, unknown, facts.levels, facts.tags, facts.role, facts.importance)

    def _representative(self, name: str, value: FactValue) -> FactValue:
        # The type is part of the key: True == 1 in Python, yet conditions tell them apart.
        key = (name, type(value), value)
        found = self._alike.get(key)
        if found is None:
            answers = tuple(c.evaluate({name: value}) for c in self._comparisons[name])
            found = self._alike[key] = self._by_answers.setdefault((name, answers), value)
        return found


def _dedupe(items: Iterable[_Facts]) -> list[_Facts]:
    return list(dict.fromkeys(items))


def _conditions_read(flow: Flow) -> Iterator[str]:
    """The conditions that decide a route, its score, its temperature or its knock-outs.

    Class rules and value bands only choose the class and the deal volume, which a route does
    not report, so telling calls apart by them would only multiply the search.
    """
    for step in flow.steps.values():
        for target in [step.next, *(answer.next for answer in step.answers)]:
            if isinstance(target, tuple):
                yield from (branch.when for branch in target if branch.when is not None)
    scoring = flow.scoring
    for criterion in scoring.criteria.values():
        yield from (rule.when for rule in criterion.rules if rule.when is not None)
    yield from (knockout.when for knockout in scoring.knockouts)
    yield from (rule.when for rule in scoring.temperature if rule.when is not None)


def _comparisons_of(flow: Flow, name: str, compile_condition: _Compile) -> list[Condition]:
    """Each comparison on one field anywhere in the flow, as a condition of its own."""
    found: dict[str, Condition] = {}
    for text in _conditions_read(flow):
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


def _with_routes(
    outcomes: Mapping[str, OutcomeSummary], paths: Iterable[FlowPath]
) -> dict[str, OutcomeSummary]:
    """Outcome summaries widened by what each route reaches."""
    merged = dict(outcomes)
    for path in paths:
        known = merged.get(path.outcome)
        if known is None:
            known = OutcomeSummary(
                path.outcome, path.score_min, path.score_max, frozenset(), frozenset()
            )
        merged[path.outcome] = OutcomeSummary(
            path.outcome,
            min(known.score_min, path.score_min),
            max(known.score_max, path.score_max),
            known.temperatures | path.temperatures,
            known.knockouts | path.knockouts,
        )
    return merged


def enumerate_paths(flow: Flow, *, limit: int = DEFAULT_LIMIT) -> PathReport:
    """Every route from the start to each outcome (at most `limit`), with its score range."""
    explorer = _Explorer(flow, limit)
    outcomes = explorer.outcomes()
    explorer.enumerate()
    by_outcome: dict[str, list[FlowPath]] = {}
    for path in explorer.paths:
        by_outcome.setdefault(path.outcome, []).append(path)
    if not explorer.complete:
        # The search over calls stopped early: what the routes found counts as well.
        outcomes = _with_routes(outcomes, explorer.paths)
    return PathReport(
        flow=flow,
        paths=tuple(explorer.paths),
        limit=limit,
        truncated=explorer.truncated,
        loops=frozenset(explorer.loops),
        outcomes=outcomes,
        by_outcome={outcome: tuple(paths) for outcome, paths in by_outcome.items()},
        complete=explorer.complete,
    )
