"""The flow linter: every rule a call script must pass before a hunter can run it.

`lint_text`/`lint_file` report YAML syntax errors, schema errors (`scripts.loader`) and then the
rules below, all at once, each at the most specific line and column. Errors make a flow unusable
(the loader refuses it); warnings point at things a sales lead would want to fix.

Rules, errors:
    duplicate answer ids in a step, class ids, ids used both as a step and an outcome;
    `next`/`goto` targets that are neither a step nor an outcome; `start` not a step;
    steps unreachable from `start`; steps from which no outcome can be reached;
    fields used but not declared (`set`, `input.field`, conditions, `{placeholders}`);
    criteria and levels used but not declared; vendor criteria in `importance` not declared,
    or an importance outside 1-5; `set` values that do not fit the field's type;
    conditions that do not parse, use unknown identifiers or facts not known where they are
    (branches see fields, role and tags; the scoring section's parts also what is computed
    before them), compare with the wrong type, with a role, option or level that does not
    exist, or with a tag no answer or objection ever adds; fields named like those facts;
    conditional branches, class rules or temperature rules without a default;
    Telegram limits: answer callback data over 64 bytes, keyboards over 100 buttons,
    call screens that could exceed 4096 characters (see `SCREEN_ALLOWANCE_CHARS`).
Rules, warnings:
    a criterion nothing scores; a step with a single answer; texts too long to read aloud;
    a field never collected; an outcome never reached; button labels over 64 characters;
    branches after a branch without a condition (never taken).
"""

from __future__ import annotations

import datetime
import re
import typing
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from scoring import conditions
from scoring.conditions import Condition, ConditionError, parse_condition
from scoring.model import BUILTIN_FACT_TYPES, BUILTIN_FACTS_BY_PART, CRITERION_FACT_PREFIX
from scoring.spec import ContactRole, Temperature
from scripts import telegram_limits as limits
from scripts.loader import (
    Diagnostic,
    KeyPath,
    Position,
    Severity,
    SourceMap,
    did_you_mean,
    parse_flow_text,
    read_flow_file,
)
from scripts.schema import BUILTIN_PLACEHOLDERS, Answer, Effects, Flow, Next, ScalarValue

MAX_SPOKEN_CHARS: Final = 600
"""A line longer than this cannot be read aloud on a call without losing the client."""

_ROLES: Final = typing.get_args(ContactRole)
_TEMPERATURES: Final = typing.get_args(Temperature)
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_COLUMN_NOTE = re.compile(r" at column \d+")
_COLUMN = re.compile(r"column (\d+)")


def lint_file(path: str | Path) -> list[Diagnostic]:
    """Every error and warning of a flow file, sorted by position; never raises."""
    text, unreadable = read_flow_file(path)
    if unreadable is not None:
        return [unreadable]
    return lint_text(text, str(path))


def lint_text(text: str, path: str = "<flow>") -> list[Diagnostic]:
    """Every error and warning of a flow given as YAML text, sorted by position; never raises."""
    try:
        parsed = parse_flow_text(text, path)
        if parsed.flow is None:
            return sorted(parsed.diagnostics)
        return lint_flow(parsed.flow, parsed.source, path)
    except Exception as exc:  # an author's tool reports a failure; it does not crash
        return [Diagnostic(path, 1, 1, "error", f"the linter failed on this file: {exc!r}")]


def lint_flow(
    flow: Flow, source: SourceMap | None = None, path: str = "<flow>"
) -> list[Diagnostic]:
    """The linter rules on a schema-valid flow; positions come from `source` when given."""
    return sorted(_Linter(flow, source or SourceMap(), path).run())


@dataclass(frozen=True, slots=True)
class _Exit:
    """One way out of a step: a target id and where it is written."""

    target: str
    at: KeyPath


@dataclass(frozen=True, slots=True)
class _ConditionSite:
    """A condition written somewhere in the flow, and who may be referred to there."""

    text: str
    at: KeyPath
    owner: str
    context: str
    """Which facts the condition sees (a key of `_SCOPES`)."""


@dataclass(frozen=True, slots=True)
class _Scope:
    """What conditions of one kind see besides the flow's fields (as the engine and model do)."""

    name: str
    builtins: frozenset[str]
    levels: bool
    """Whether `crit.<criterion>` is known there."""

    @property
    def sees(self) -> str:
        names = ["the fields", *(name for name in BUILTIN_FACT_TYPES if name in self.builtins)]
        if self.levels:
            names.append(f"{CRITERION_FACT_PREFIX}<criterion>")
        return ", ".join(names[:-1]) + " and " + names[-1]


_SCOPES: Final[Mapping[str, _Scope]] = {
    # Branches run on the call's facts alone (`scripts.engine.condition_facts`); the scoring
    # section's parts see what the model computes before them.
    "branch": _Scope("step branches", frozenset({"role", "tags"}), levels=False),
    "criterion": _Scope("criterion rules", BUILTIN_FACTS_BY_PART["rules"], levels=False),
    "knockout": _Scope("knock-outs", BUILTIN_FACTS_BY_PART["knockouts"], levels=True),
    "temperature": _Scope("temperature rules", BUILTIN_FACTS_BY_PART["temperature"], levels=True),
    "class": _Scope("class rules", BUILTIN_FACTS_BY_PART["classes"], levels=True),
    "band": _Scope("value bands", BUILTIN_FACTS_BY_PART["deal_value"], levels=True),
}


class _Linter:
    def __init__(self, flow: Flow, source: SourceMap, path: str) -> None:
        self.flow = flow
        self.source = source
        self.path = path
        self.found: list[Diagnostic] = []
        self.targets = set(flow.steps) | set(flow.outcomes)
        self.set_fields: set[str] = set()
        self.input_fields: set[str] = set()
        self.added_tags: set[str] = set()
        self.scored_criteria: set[str] = set()
        self.field_types: dict[str, str] = {}
        self.one_of: dict[str, tuple[str, ...]] = {}

    def run(self) -> list[Diagnostic]:
        self.collect()
        self.check_ids()
        self.check_graph()
        self.check_effects()
        self.check_fields()
        self.check_texts()
        self.check_keyboards()
        self.check_conditions()
        self.check_defaults()
        self.check_scoring()
        return self.found

    # --- helpers ---------------------------------------------------------------------------

    def report(self, severity: Severity, position: Position, message: str) -> None:
        self.found.append(Diagnostic(self.path, position[0], position[1], severity, message))

    def error_at_key(self, at: KeyPath, message: str) -> None:
        self.report("error", self.source.key(at), message)

    def error_at_value(self, at: KeyPath, message: str) -> None:
        self.report("error", self.source.value(at), message)

    def answers(self) -> Iterator[tuple[str, int, Answer, KeyPath]]:
        for step_id, step in self.flow.steps.items():
            for index, answer in enumerate(step.answers):
                yield step_id, index, answer, ("steps", step_id, "answers", index)

    def effects(self) -> Iterator[tuple[str, KeyPath, Effects]]:
        """Every answer and objection (both carry set/score/tags/role/importance)."""
        for step_id, _, answer, at in self.answers():
            yield f"step '{step_id}', answer '{answer.id}'", at, answer
        for objection_id, objection in self.flow.objections.items():
            yield f"objection '{objection_id}'", ("objections", objection_id), objection

    def condition_path(self, at: KeyPath) -> KeyPath:
        """The path of a condition value, whichever of `if`/`when` the author wrote."""
        written = (*at, "if")
        return written if written in self.source.values else (*at, "when")

    # --- collection ------------------------------------------------------------------------

    def collect(self) -> None:
        flow = self.flow
        for _, _, effects in self.effects():
            self.set_fields.update(effects.set)
            self.added_tags.update(effects.tags)
            self.scored_criteria.update(effects.score)
        for step in flow.steps.values():
            if step.input is not None:
                self.input_fields.add(step.input.field)
        for name, spec in flow.fields.items():
            self.field_types[name] = spec.type
            if spec.type == "choice":
                self.one_of[name] = tuple(spec.options)
        for criterion_id, criterion in flow.scoring.criteria.items():
            name = CRITERION_FACT_PREFIX + criterion_id
            self.field_types[name] = "level"
            self.one_of[name] = tuple(criterion.levels)
        self.field_types.update(BUILTIN_FACT_TYPES)
        self.one_of["role"] = _ROLES
        self.one_of["temperature"] = _TEMPERATURES

    # --- ids -------------------------------------------------------------------------------

    def check_ids(self) -> None:
        for step_id, step in self.flow.steps.items():
            first: dict[str, int] = {}
            for index, answer in enumerate(step.answers):
                at = ("steps", step_id, "answers", index, "id")
                if answer.id in first:
                    line = self.source.value(("steps", step_id, "answers", first[answer.id]))[0]
                    self.error_at_value(
                        at,
                        f"step '{step_id}': duplicate answer id '{answer.id}' "
                        f"(first at line {line})",
                    )
                else:
                    first[answer.id] = index
        for outcome_id in self.flow.outcomes:
            if outcome_id in self.flow.steps:
                line = self.source.key(("steps", outcome_id))[0]
                self.error_at_key(
                    ("outcomes", outcome_id),
                    f"outcome '{outcome_id}' has the same id as step '{outcome_id}' "
                    f"(line {line}); rename one of them",
                )
        first_class: dict[str, int] = {}
        for index, lead_class in enumerate(self.flow.scoring.classes):
            if lead_class.id in first_class:
                line = self.source.value(("scoring", "classes", first_class[lead_class.id]))[0]
                self.error_at_value(
                    ("scoring", "classes", index, "id"),
                    f"duplicate class id '{lead_class.id}' (first at line {line})",
                )
            else:
                first_class[lead_class.id] = index

    # --- graph -----------------------------------------------------------------------------

    def exits(self, step_id: str) -> list[_Exit]:
        step = self.flow.steps[step_id]
        found = list(_next_exits(step.next, ("steps", step_id, "next")))
        for index, answer in enumerate(step.answers):
            found.extend(_next_exits(answer.next, ("steps", step_id, "answers", index, "next")))
        return found

    def check_graph(self) -> None:
        flow = self.flow
        exits = {step_id: self.exits(step_id) for step_id in flow.steps}
        reached_outcomes: set[str] = set()
        for step_id, step_exits in exits.items():
            for exit_ in step_exits:
                if exit_.target in flow.outcomes:
                    reached_outcomes.add(exit_.target)
                elif exit_.target not in flow.steps:
                    hint = did_you_mean(exit_.target, self.targets)
                    self.error_at_value(
                        exit_.at,
                        f"step '{step_id}': {_exit_subject(step_id, exit_.at, flow)} goes to "
                        f"'{exit_.target}', which is not a step or an outcome{hint}",
                    )
        for outcome_id in flow.outcomes:
            if outcome_id not in reached_outcomes:
                self.report(
                    "warning",
                    self.source.key(("outcomes", outcome_id)),
                    f"outcome '{outcome_id}' is never reached: no answer or branch leads to it",
                )
        if flow.start not in flow.steps:
            kind = "an outcome" if flow.start in flow.outcomes else "not a step"
            hint = "" if flow.start in flow.outcomes else did_you_mean(flow.start, flow.steps)
            self.error_at_value(
                ("start",), f"start '{flow.start}' is {kind}; a call starts at a step{hint}"
            )
        else:
            reached = _reachable(flow.start, exits)
            for step_id in flow.steps:
                if step_id not in reached:
                    self.error_at_key(
                        ("steps", step_id),
                        f"step '{step_id}' cannot be reached: no answer or branch leads here "
                        f"from start '{flow.start}'",
                    )
        # A target that is not a step is either an outcome or a typo reported above; either way
        # it is not a loop, so it counts as a way out (no second error for the same typo).
        finishing = _can_finish(exits, set(flow.steps))
        for step_id in flow.steps:
            if step_id not in finishing:
                self.error_at_key(
                    ("steps", step_id),
                    f"step '{step_id}': no outcome can be reached from here, "
                    "so a call that gets here never ends",
                )

    # --- answers and objections ------------------------------------------------------------

    def check_effects(self) -> None:
        flow = self.flow
        criteria = flow.scoring.criteria
        for owner, at, effects in self.effects():
            for name, value in effects.set.items():
                field_at = (*at, "set", name)
                spec = flow.fields.get(name)
                if spec is None:
                    self.error_at_key(
                        field_at,
                        f"{owner}: sets '{name}', which is not a field"
                        f"{did_you_mean(name, flow.fields)}",
                    )
                    continue
                problem = _set_value_problem(spec.type, tuple(spec.options), value)
                if problem is not None:
                    self.error_at_value(field_at, f"{owner}: set '{name}': {problem}")
            for criterion_id, level in effects.score.items():
                score_at = (*at, "score", criterion_id)
                criterion = criteria.get(criterion_id)
                if criterion is None:
                    self.error_at_key(
                        score_at,
                        f"{owner}: scores '{criterion_id}', which is not a criterion"
                        f"{did_you_mean(criterion_id, criteria)}",
                    )
                elif level not in criterion.levels:
                    self.error_at_value(
                        score_at,
                        f"{owner}: criterion '{criterion_id}' has no level '{level}'"
                        f"{did_you_mean(level, criterion.levels)}; "
                        f"expected one of: {', '.join(criterion.levels)}",
                    )
            vendor = flow.scoring.vendor
            for vendor_id, weight in effects.importance.items():
                weight_at = (*at, "importance", vendor_id)
                if vendor_id not in vendor:
                    self.error_at_key(
                        weight_at,
                        f"{owner}: importance of '{vendor_id}', which is not a vendor criterion"
                        f"{did_you_mean(vendor_id, vendor)}",
                    )
                if not 1 <= weight <= 5:
                    self.error_at_value(
                        weight_at,
                        f"{owner}: importance of '{vendor_id}' is {weight}; expected 1 to 5",
                    )
        for step_id, step in flow.steps.items():
            if step.input is not None and step.input.field not in flow.fields:
                name = step.input.field
                self.error_at_value(
                    ("steps", step_id, "input", "field"),
                    f"step '{step_id}': input field '{name}' is not declared in fields"
                    f"{did_you_mean(name, flow.fields)}",
                )

    def check_fields(self) -> None:
        flow = self.flow
        deal_value = flow.scoring.deal_value
        if deal_value is not None and deal_value.field is not None:
            name = deal_value.field
            if name not in flow.fields:
                self.error_at_value(
                    ("scoring", "deal_value", "field"),
                    f"deal value: field '{name}' is not declared in fields"
                    f"{did_you_mean(name, flow.fields)}",
                )
            elif flow.fields[name].type not in ("money", "number"):
                self.error_at_value(
                    ("scoring", "deal_value", "field"),
                    f"deal value: field '{name}' is {flow.fields[name].type}; "
                    "expected a money or number field",
                )
        for name in flow.fields:
            if name in BUILTIN_FACT_TYPES:
                self.error_at_key(
                    ("fields", name),
                    f"field '{name}' has the name of a fact conditions already use "
                    f"({', '.join(BUILTIN_FACT_TYPES)}); rename the field",
                )
        collected = self.set_fields | self.input_fields
        for name, spec in flow.fields.items():
            if not spec.card and name not in collected:
                self.report(
                    "warning",
                    self.source.key(("fields", name)),
                    f"field '{name}' is never collected: it is not a card field, "
                    "no answer sets it and no step inputs it",
                )

    # --- texts -----------------------------------------------------------------------------

    def texts(self) -> Iterator[tuple[str, KeyPath, str, str]]:
        """(owner, path, key, text) of every line shown or read aloud on a call."""
        for step_id, step in self.flow.steps.items():
            for key in ("say", "ask", "hint"):
                text = getattr(step, key)
                if text is not None:
                    yield f"step '{step_id}'", ("steps", step_id, key), key, text
        for objection_id, objection in self.flow.objections.items():
            yield (
                f"objection '{objection_id}'",
                ("objections", objection_id, "say"),
                "say",
                (objection.say),
            )
        for outcome_id, outcome in self.flow.outcomes.items():
            if outcome.say is not None:
                yield (
                    f"outcome '{outcome_id}'",
                    ("outcomes", outcome_id, "say"),
                    "say",
                    outcome.say,
                )
        for index, knockout in enumerate(self.flow.scoring.knockouts):
            yield (
                f"knockout #{index + 1}",
                ("scoring", "knockouts", index, "say"),
                "say",
                (knockout.say),
            )

    def check_texts(self) -> None:
        known = set(self.flow.fields) | BUILTIN_PLACEHOLDERS
        screens: dict[KeyPath, tuple[str, int]] = {}
        for owner, at, key, text in self.texts():
            for match in _PLACEHOLDER.finditer(text):
                name = match.group(1).strip()
                if name not in known:
                    self.report(
                        "error",
                        self.source.fragment(at, match.start(), match.group()),
                        f"{owner}: {key}: placeholder {match.group()} is not a field"
                        f"{did_you_mean(name, known)}",
                    )
            if key != "hint" and len(text) > MAX_SPOKEN_CHARS:
                self.report(
                    "warning",
                    self.source.value(at),
                    f"{owner}: {key} is {len(text)} characters; more than {MAX_SPOKEN_CHARS} "
                    "cannot be read aloud on a call: split it into steps",
                )
            screen_at = at[:-1]
            previous = screens.get(screen_at, (owner, 0))
            screens[screen_at] = (owner, previous[1] + len(text))
        # A knock-out that fires is shown above the step's own texts, on the same screen.
        knockout = max(
            (len(hit.title) + len(hit.say) for hit in self.flow.scoring.knockouts), default=0
        )
        for screen_at, (owner, length) in screens.items():
            beside = knockout if screen_at[0] == "steps" else 0
            if length + beside + limits.SCREEN_ALLOWANCE_CHARS > limits.MAX_MESSAGE_CHARS:
                shown = f"its texts take {length}"
                if beside:
                    shown += f" and a knock-out shown with them up to {beside}"
                self.error_at_key(
                    screen_at,
                    f"{owner}: the call screen could exceed Telegram's "
                    f"{limits.MAX_MESSAGE_CHARS} characters: {shown}, plus up to "
                    f"{limits.SCREEN_ALLOWANCE_CHARS} for the header, the score line and "
                    "placeholders; shorten them",
                )

    # --- keyboards -------------------------------------------------------------------------

    def check_keyboards(self) -> None:
        for step_id, step in self.flow.steps.items():
            buttons = len(step.answers) + len(limits.CALL_CONTROLS)
            if step.input is not None and step.input.skippable:
                buttons += 1
            if buttons > limits.MAX_BUTTONS_PER_KEYBOARD:
                self.error_at_key(
                    ("steps", step_id, "answers"),
                    f"step '{step_id}': {len(step.answers)} answers and "
                    f"{buttons - len(step.answers)} call buttons make {buttons} buttons; "
                    f"Telegram shows at most {limits.MAX_BUTTONS_PER_KEYBOARD}",
                )
            if len(step.answers) == 1 and step.input is None:
                self.report(
                    "warning",
                    self.source.key(("steps", step_id, "answers")),
                    f"step '{step_id}' has a single answer, so the hunter records no choice; "
                    "add the other answers a client could give",
                )
        for owner, at, label in self.labels():
            if len(label) > limits.MAX_BUTTON_LABEL_CHARS:
                self.report(
                    "warning",
                    self.source.value(at),
                    f"{owner}: label is {len(label)} characters; phones cut buttons longer than "
                    f"{limits.MAX_BUTTON_LABEL_CHARS}",
                )
        for _step_id, _, answer, at in self.answers():
            size = limits.longest_answer_callback_bytes(answer.id)
            if size > limits.MAX_CALLBACK_BYTES:
                self.error_at_value(
                    (*at, "id"),
                    f"answer id '{answer.id}' makes the button's data {size} bytes; Telegram "
                    f"accepts at most {limits.MAX_CALLBACK_BYTES}: shorten the id",
                )

    def labels(self) -> Iterator[tuple[str, KeyPath, str]]:
        for step_id, _, answer, at in self.answers():
            yield f"step '{step_id}', answer '{answer.id}'", (*at, "label"), answer.label
        for objection_id, objection in self.flow.objections.items():
            yield (
                f"objection '{objection_id}'",
                ("objections", objection_id, "label"),
                (objection.label),
            )

    # --- conditions ------------------------------------------------------------------------

    def condition_sites(self) -> Iterator[_ConditionSite]:
        flow = self.flow
        for step_id, step in flow.steps.items():
            yield from self._branch_sites(
                step.next, ("steps", step_id, "next"), f"step '{step_id}'"
            )
            for index, answer in enumerate(step.answers):
                yield from self._branch_sites(
                    answer.next,
                    ("steps", step_id, "answers", index, "next"),
                    f"step '{step_id}', answer '{answer.id}'",
                )
        scoring = flow.scoring
        for criterion_id, criterion in scoring.criteria.items():
            for index, rule in enumerate(criterion.rules):
                if rule.when is not None:
                    at = self.condition_path(("scoring", "criteria", criterion_id, "rules", index))
                    owner = f"criterion '{criterion_id}', rule #{index + 1}"
                    yield _ConditionSite(rule.when, at, owner, "criterion")
        for index, knockout in enumerate(scoring.knockouts):
            at = self.condition_path(("scoring", "knockouts", index))
            yield _ConditionSite(knockout.when, at, f"knockout #{index + 1}", "knockout")
        for index, temperature in enumerate(scoring.temperature):
            if temperature.when is not None:
                at = self.condition_path(("scoring", "temperature", index))
                owner = f"temperature rule #{index + 1}"
                yield _ConditionSite(temperature.when, at, owner, "temperature")
        for index, lead_class in enumerate(scoring.classes):
            if lead_class.when is not None:
                at = self.condition_path(("scoring", "classes", index))
                yield _ConditionSite(lead_class.when, at, f"class '{lead_class.id}'", "class")
        if scoring.deal_value is not None:
            for index, band in enumerate(scoring.deal_value.bands):
                if band.when is not None:
                    at = self.condition_path(("scoring", "deal_value", "bands", index))
                    yield _ConditionSite(band.when, at, f"value band #{index + 1}", "band")

    def _branch_sites(
        self, next_: Next | None, at: KeyPath, owner: str
    ) -> Iterator[_ConditionSite]:
        if not isinstance(next_, tuple):
            return
        for index, branch in enumerate(next_):
            if branch.when is not None:
                yield _ConditionSite(
                    branch.when,
                    self.condition_path((*at, index)),
                    f"{owner}, branch #{index + 1}",
                    "branch",
                )

    def check_conditions(self) -> None:
        for site in self.condition_sites():
            try:
                condition = parse_condition(site.text)
            except ConditionError as exc:
                message = self.absolute_columns(_COLUMN_NOTE.sub("", exc.message), site.at)
                self.report(
                    "error",
                    self.source.text(site.at, exc.column - 1),
                    f"{site.owner}: condition does not parse: {message}",
                )
                continue
            self.check_condition(site, condition)

    def absolute_columns(self, message: str, at: KeyPath) -> str:
        """Turn columns inside a condition into columns of the file, where they are exact."""
        start = self.source.texts.get(at)
        if start is None:
            return message
        return _COLUMN.sub(lambda match: f"column {start[1] + int(match.group(1)) - 1}", message)

    def check_condition(self, site: _ConditionSite, condition: Condition) -> None:
        scope = _SCOPES[site.context]
        reported: set[str] = set()
        for comparison in condition.comparisons():
            name = comparison.identifier
            problem = self.identifier_problem(name, scope)
            if problem is None:
                self.check_literals(site, comparison)
            elif name not in reported:
                reported.add(name)
                position = self.source.text(site.at, comparison.column - 1)
                self.report("error", position, f"{site.owner}: {problem}")
        types = {name: kind for name, kind in self.field_types.items() if name not in reported}
        for type_problem in conditions.check_types(condition, types):
            self.report(
                "error",
                self.source.text(site.at, type_problem.column - 1),
                f"{site.owner}: {type_problem.message}",
            )

    def identifier_problem(self, name: str, scope: _Scope) -> str | None:
        """Why a condition in this scope cannot use the identifier, or None when it can."""
        if name in BUILTIN_FACT_TYPES:
            if name in scope.builtins:
                return None
            return f"'{name}' is not known in {scope.name}: they see {scope.sees}"
        if name in self.flow.fields:
            return None
        if name.startswith(CRITERION_FACT_PREFIX):
            criterion_id = name.removeprefix(CRITERION_FACT_PREFIX)
            criteria = self.flow.scoring.criteria
            if criterion_id not in criteria:
                return (
                    f"'{name}': there is no criterion '{criterion_id}'"
                    f"{did_you_mean(criterion_id, criteria)}"
                )
            if scope.levels:
                return None
            return f"'{name}' is not known in {scope.name}: they see {scope.sees}"
        if name == "class":
            return "'class' is not a fact conditions can use: the class rules decide it"
        candidates = [*self.flow.fields, *scope.builtins]
        return f"'{name}' is not a field{did_you_mean(name, candidates)}"

    def check_literals(self, site: _ConditionSite, comparison: conditions.Comparison) -> None:
        name = comparison.identifier
        allowed = self.one_of.get(name)
        checks_tags = name == "tags" and comparison.op in ("contains", "in", "not in")
        if allowed is None and not checks_tags:
            return
        for literal, column, _raw in comparison.literals:
            if not isinstance(literal, str):
                continue  # a number compared with a choice is a type problem, reported once
            position = self.source.text(site.at, column - 1)
            if checks_tags and literal not in self.added_tags:
                self.report(
                    "error",
                    position,
                    f"{site.owner}: tag '{literal}' is never added by any answer or objection"
                    f"{did_you_mean(literal, self.added_tags)}",
                )
            elif allowed is not None and literal.casefold() not in {a.casefold() for a in allowed}:
                what = self.one_of_name(name)
                self.report(
                    "error",
                    position,
                    f"{site.owner}: '{literal}' is not {what}{did_you_mean(literal, allowed)}; "
                    f"expected one of: {', '.join(allowed)}",
                )

    def one_of_name(self, name: str) -> str:
        if name.startswith("crit."):
            return f"a level of criterion '{name.removeprefix('crit.')}'"
        if name in self.flow.fields:
            return f"an option of field '{name}'"
        return _ONE_OF_NAMES.get(name, f"a value of '{name}'")

    # --- defaults --------------------------------------------------------------------------

    def check_defaults(self) -> None:
        for step_id, step in self.flow.steps.items():
            self._check_branches(step.next, ("steps", step_id, "next"), f"step '{step_id}'")
            for index, answer in enumerate(step.answers):
                self._check_branches(
                    answer.next,
                    ("steps", step_id, "answers", index, "next"),
                    f"step '{step_id}', answer '{answer.id}'",
                )
        scoring = self.flow.scoring
        if scoring.classes and scoring.classes[-1].when is not None:
            self.error_at_value(
                ("scoring", "classes", len(scoring.classes) - 1),
                f"class '{scoring.classes[-1].id}': every class has a condition, so a lead can "
                "match none; make the last class a default without `if`",
            )
        if scoring.temperature and scoring.temperature[-1].when is not None:
            self.error_at_value(
                ("scoring", "temperature", len(scoring.temperature) - 1),
                "temperature: every rule has a condition, so a lead can get none; "
                "add a last rule without `if`, such as {level: cold}",
            )
        for index, lead_class in enumerate(scoring.classes[:-1]):
            if lead_class.when is None:
                self.report(
                    "warning",
                    self.source.value(("scoring", "classes", index)),
                    f"class '{lead_class.id}' has no condition, so the classes after it are "
                    "never chosen",
                )

    def _check_branches(self, next_: Next | None, at: KeyPath, owner: str) -> None:
        if not isinstance(next_, tuple) or not next_:
            return
        if next_[-1].when is not None:
            self.error_at_key(
                at,
                f"{owner}: every branch has a condition, so a call can get stuck; "
                "add a last branch without `if`",
            )
        for index, branch in enumerate(next_[:-1]):
            if branch.when is None:
                self.report(
                    "warning",
                    self.source.value((*at, index)),
                    f"{owner}, branch #{index + 1} has no condition, so the branches after it "
                    "are never taken",
                )

    # --- scoring ---------------------------------------------------------------------------

    def check_scoring(self) -> None:
        for criterion_id, criterion in self.flow.scoring.criteria.items():
            for index, rule in enumerate(criterion.rules):
                if rule.level not in criterion.levels:
                    self.error_at_value(
                        ("scoring", "criteria", criterion_id, "rules", index, "level"),
                        f"criterion '{criterion_id}', rule #{index + 1}: level '{rule.level}' is "
                        f"not declared{did_you_mean(rule.level, criterion.levels)}; "
                        f"expected one of: {', '.join(criterion.levels)}",
                    )
            if not criterion.rules and criterion_id not in self.scored_criteria:
                self.report(
                    "warning",
                    self.source.key(("scoring", "criteria", criterion_id)),
                    f"criterion '{criterion_id}' is never scored: no answer, objection or rule "
                    "awards it a level",
                )


_ONE_OF_NAMES: Final = {"role": "a contact role", "temperature": "a temperature"}


def _next_exits(next_: Next | None, at: KeyPath) -> Iterable[_Exit]:
    if next_ is None:
        return ()
    if isinstance(next_, str):
        return (_Exit(next_, at),)
    return (_Exit(branch.goto, (*at, index, "goto")) for index, branch in enumerate(next_))


def _exit_subject(step_id: str, at: KeyPath, flow: Flow) -> str:
    """What leads somewhere: "next", "answer 'yes'", "branch #2", "answer 'yes', branch #1"."""
    parts = []
    if len(at) > 3 and at[2] == "answers" and isinstance(at[3], int):
        parts.append(f"answer '{flow.steps[step_id].answers[at[3]].id}'")
    if at[-1] == "goto":
        parts.append(f"branch #{typing.cast(int, at[-2]) + 1}")
    return ", ".join(parts) or "next"


def _reachable(start: str, exits: Mapping[str, list[_Exit]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for exit_ in exits[queue.popleft()]:
            if exit_.target in exits and exit_.target not in seen:
                seen.add(exit_.target)
                queue.append(exit_.target)
    return seen


def _can_finish(exits: Mapping[str, list[_Exit]], steps: set[str]) -> set[str]:
    """Steps with a path to anything that is not a step (an outcome, or a bad target)."""
    entering: dict[str, list[str]] = {step_id: [] for step_id in steps}
    queue: deque[str] = deque()
    for step_id, step_exits in exits.items():
        for exit_ in step_exits:
            if exit_.target in steps:
                entering[exit_.target].append(step_id)
            elif step_id not in queue:
                queue.append(step_id)
    finishing = set(queue)
    while queue:
        for previous in entering[queue.popleft()]:
            if previous not in finishing:
                finishing.add(previous)
                queue.append(previous)
    return finishing


def _set_value_problem(kind: str, options: tuple[str, ...], value: ScalarValue) -> str | None:
    """Why a fixed `set` value does not fit a field of this type, or None when it fits."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("number", "money"):
        return None if is_number else f"a {kind} field needs a number, found {_shown(value)}"
    if kind == "period":
        if is_number:
            return None
        return f"a period field needs a number of days, found {_shown(value)}"
    if kind == "date":
        if isinstance(value, str) and _is_date(value):
            return None
        return f"a date field needs a date such as 2025-01-31, found {_shown(value)}"
    if kind == "choice":
        if isinstance(value, str) and value in options:
            return None
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        return f"{_shown(value)} is not an option{hint}; expected one of: {', '.join(options)}"
    if isinstance(value, str):
        return None
    return f"a {kind} field needs text, found {_shown(value)}"


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _shown(value: ScalarValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)
