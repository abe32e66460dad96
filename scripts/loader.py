"""Load call-script flows from YAML files, reporting every problem at file:line:column.

A flow file is plain data: the YAML is composed with a safe loader and turned into Python values
here, so tags that would construct objects are refused, duplicate keys are caught (PyYAML would
keep the last silently) and every key and value keeps its position. The data is then validated
with the `scripts.schema` models and checked by `scripts.lint`; all problems are reported at once,
in words a sales lead can act on.

Scalars follow YAML 1.2: only `true`/`false` are booleans, so `yes`, `no`, `on` and `off` stay
text (a criterion level `yes` or an answer id `no` mean what they say).
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import re
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import yaml
from pydantic import BaseModel, ValidationError

from scripts.schema import Flow

Severity = Literal["error", "warning"]
KeyPath = tuple[str | int, ...]
"""Where a value sits in a flow file: mapping keys and list indexes from the top."""
Position = tuple[int, int]
"""A 1-based (line, column)."""

FLOW_SUFFIXES: Final = (".yaml", ".yml")


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem in a flow file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"


class FlowError(Exception):
    """A flow (or a directory of flows) that cannot be used, with every error found."""

    diagnostics: tuple[Diagnostic, ...]

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass(slots=True)
class SourceMap:
    """Where each key and value of a flow file is, by key path."""

    keys: dict[KeyPath, Position] = field(default_factory=dict)
    values: dict[KeyPath, Position] = field(default_factory=dict)
    texts: dict[KeyPath, Position] = field(default_factory=dict)
    """Where a string's first character is, for strings written on one line without escapes."""
    spans: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    """Where other strings (block, folded, escaped) are in `document`, as character indexes."""
    document: str = ""

    def key(self, path: KeyPath) -> Position:
        """The key's position; for list items and missing keys, the nearest thing there is."""
        found = self.keys.get(path) or self.values.get(path)
        return found if found is not None else self._ancestor(path)

    def value(self, path: KeyPath) -> Position:
        """The value's position, falling back to its key's, then to the nearest ancestor's."""
        found = self.values.get(path) or self.keys.get(path)
        return found if found is not None else self._ancestor(path)

    def text(self, path: KeyPath, offset: int) -> Position:
        """The position of a string's character at `offset`, or the value's when not exact."""
        start = self.texts.get(path)
        if start is None:
            return self.value(path)
        return (start[0], start[1] + offset)

    def fragment(self, path: KeyPath, offset: int, fragment: str) -> Position:
        """The position of `fragment`, found at `offset` in a string, wherever it was written."""
        if path in self.texts:
            return self.text(path, offset)
        span = self.spans.get(path)
        if span is not None:
            raw = self.document[span[0] : span[1]]
            found = raw.find(fragment)
            if found >= 0 and raw.find(fragment, found + 1) < 0:
                index = span[0] + found
                line = self.document.count("\n", 0, index) + 1
                return (line, index - self.document.rfind("\n", 0, index))
        return self.value(path)

    def _ancestor(self, path: KeyPath) -> Position:
        while path:
            path = path[:-1]
            found = self.keys.get(path) or self.values.get(path)
            if found is not None:
                return found
        return (1, 1)


@dataclass(slots=True)
class ParsedFlow:
    """A flow file after YAML and schema checks: the model if valid, its source map, errors."""

    flow: Flow | None
    source: SourceMap
    diagnostics: list[Diagnostic]


def load_flow(path: str | Path) -> Flow:
    """Load one flow file; raise FlowError with every error (warnings do not raise)."""
    text, diagnostic = read_flow_file(path)
    if diagnostic is not None:
        raise FlowError([diagnostic])
    return load_flow_text(text, str(path))


def load_flow_text(text: str, path: str = "<flow>") -> Flow:
    """Load a flow from YAML text; raise FlowError with every error (warnings do not raise)."""
    flow, diagnostics, _ = _load_checked(text, path)
    if flow is None or any(d.severity == "error" for d in diagnostics):
        raise FlowError(d for d in diagnostics if d.severity == "error")
    return flow


def load_flows(directory: str | Path) -> dict[tuple[str, int], Flow]:
    """Load every *.yaml/*.yml flow in a directory by (id, version); one FlowError for all."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FlowError([Diagnostic(str(directory), 1, 1, "error", "no such directory")])
    flows: dict[tuple[str, int], Flow] = {}
    first_file: dict[tuple[str, int], str] = {}
    errors: list[Diagnostic] = []
    for file in sorted(p for p in directory.iterdir() if p.suffix in FLOW_SUFFIXES):
        text, diagnostic = read_flow_file(file)
        if diagnostic is not None:
            errors.append(diagnostic)
            continue
        flow, diagnostics, source = _load_checked(text, str(file))
        errors.extend(d for d in diagnostics if d.severity == "error")
        if flow is None:
            continue
        if flow.key in first_file:
            line, column = source.value(("version",))
            errors.append(
                Diagnostic(
                    str(file),
                    line,
                    column,
                    "error",
                    f"flow '{flow.id}' version {flow.version} is also in {first_file[flow.key]}; "
                    "give this file a new version number",
                )
            )
            continue
        first_file[flow.key] = file.name
        flows[flow.key] = flow
    if errors:
        raise FlowError(errors)
    return flows


def read_flow_file(path: str | Path) -> tuple[str, Diagnostic | None]:
    """A flow file's text, or an error diagnostic when it cannot be read as UTF-8 text."""
    try:
        return Path(path).read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        message = f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8"
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
    return "", Diagnostic(str(path), 1, 1, "error", message)


def parse_flow_text(text: str, path: str = "<flow>") -> ParsedFlow:
    """Check YAML syntax and the schema; the flow is None when either has errors."""
    with _collector_paused():
        return _parse(text, path)


def _parse(text: str, path: str) -> ParsedFlow:
    source = SourceMap(document=text)
    builder = _Builder(text, path, source)
    try:
        root = yaml.compose(text, Loader=_FlowYamlLoader)
    except yaml.MarkedYAMLError as exc:
        return ParsedFlow(None, source, [_syntax_diagnostic(exc, text, path)])
    except yaml.YAMLError as exc:
        return ParsedFlow(None, source, [Diagnostic(path, 1, 1, "error", f"YAML: {exc}")])
    if root is None:
        message = f"the file is empty; a flow needs the keys: {', '.join(_model_keys(Flow))}"
        return ParsedFlow(None, source, [Diagnostic(path, 1, 1, "error", message)])
    data = builder.build(root)
    diagnostics = builder.diagnostics
    if builder.too_large:
        return ParsedFlow(None, source, diagnostics)
    if not isinstance(data, dict):
        line, column = source.value(())
        message = (
            f"flow: expected a mapping of keys ({', '.join(_model_keys(Flow))}), "
            f"found {_describe(data)}"
        )
        return ParsedFlow(
            None, source, [*diagnostics, Diagnostic(path, line, column, "error", message)]
        )
    try:
        flow = Flow.model_validate(data)
    except ValidationError as exc:
        diagnostics.extend(_schema_diagnostics(exc, data, source, path))
        return ParsedFlow(None, source, diagnostics)
    return ParsedFlow(None if diagnostics else flow, source, diagnostics)


def _load_checked(text: str, path: str) -> tuple[Flow | None, list[Diagnostic], SourceMap]:
    # Imported here: the linter builds on this module's parsing, and loading runs the linter.
    from scripts.lint import lint_flow

    parsed = parse_flow_text(text, path)
    if parsed.flow is None:
        return None, parsed.diagnostics, parsed.source
    return parsed.flow, lint_flow(parsed.flow, parsed.source, path), parsed.source


# --- YAML: safe composition into plain data with positions ---------------------------------


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a flow's nodes, data and models are built.

    A 1,000-step flow allocates a few hundred thousand objects in one burst; the collections that
    burst triggers rescan everything built so far and took longer than the building itself.
    Everything built here stays alive until parsing ends, so a pause frees nothing later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _MERGE = (
    _TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge")
)
_MAX_VALUES = 250_000
"""Aliases can make a small file expand enormously; no real flow comes close to this."""
_MAX_DEPTH = 64

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FlowYamlLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader with YAML 1.2 scalar resolution (no `yes`/`no` booleans)."""

    yaml_implicit_resolvers: typing.ClassVar[dict[Any, Any]] = {}


for _tag, _pattern, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", "~nN"),
    (_INT, r"^(?:[-+]?[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (_MERGE, r"^<<$", "<"),
):
    _FlowYamlLoader.add_implicit_resolver(_tag, re.compile(_pattern), [*_first])
_FlowYamlLoader.add_implicit_resolver(_NULL, re.compile(r"^$"), [""])


def _mark(mark: yaml.Mark) -> Position:
    return (mark.line + 1, mark.column + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


class _TooLarge(Exception):
    def __init__(self, path: KeyPath) -> None:
        super().__init__(path)
        self.path = path


class _Builder:
    """Turns composed YAML nodes into plain Python data, recording positions and problems."""

    def __init__(self, text: str, path: str, source: SourceMap) -> None:
        self.text = text
        self.path = path
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self._built = 0
        self._active: set[int] = set()
        self.too_large = False

    def error(self, position: Position, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, *position, "error", message))

    def build(self, root: yaml.Node) -> Any:
        self.source.values[()] = _mark(root.start_mark)
        try:
            return self._node(root, ())
        except _TooLarge as exc:
            self.too_large = True
            self.error(
                self.source.key(exc.path[:1]),
                "the document is too large or too deeply nested (check anchors and aliases)",
            )
            return None

    def _node(self, node: yaml.Node, path: KeyPath) -> Any:
        self._built += 1
        if self._built > _MAX_VALUES or len(path) > _MAX_DEPTH:
            raise _TooLarge(path)
        if id(node) in self._active:
            self.error(_mark(node.start_mark), "an alias refers to the value that contains it")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                self._check_tag(node, _MAP)
                return self._mapping(node, path)
            self._check_tag(node, _SEQ)
            items: list[Any] = []
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                self.source.values[item_path] = _mark(item.start_mark)
                items.append(self._node(item, item_path))
            return items
        finally:
            self._active.discard(id(node))

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            self.error(
                _mark(node.start_mark),
                f"tag '{_short_tag(node.tag)}' is not allowed: a flow file holds plain data only",
            )

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        # Merged keys (`<<: *base`) come first so the mapping's own keys override them.
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(value_node, path, result)
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self._key(key_node)
            if key is None:
                continue
            key_position = _mark(key_node.start_mark)
            if key in first_line:
                self.error(
                    key_position, f"duplicate key '{key}' (first at line {first_line[key]})"
                )
                continue
            first_line[key] = key_position[0]
            key_path = (*path, key)
            self.source.keys[key_path] = key_position
            self.source.values[key_path] = _mark(value_node.start_mark)
            result[key] = self._node(value_node, key_path)
        return result

    def _merge(self, value_node: yaml.Node, path: KeyPath, into: dict[str, Any]) -> None:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.error(_mark(source.start_mark), "'<<' merges mappings only (use an alias)")
                continue
            merged = self._node(source, path)
            if isinstance(merged, dict):
                for key, value in merged.items():
                    into.setdefault(key, value)

    def _key(self, node: yaml.Node) -> str | None:
        position = _mark(node.start_mark)
        if not isinstance(node, yaml.ScalarNode):
            self.error(position, "a key must be a word, not a list or a mapping")
            return None
        if node.tag not in (_STR, _INT, _FLOAT, _BOOL, _NULL):
            self._check_tag(node, _STR)
        if node.value == "":
            self.error(position, "a key is missing before ':'")
            return None
        return str(node.value)

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        value: str = node.value
        tag = node.tag
        if tag == _STR:
            self._record_text(node, path)
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if value.lower() in ("true", "yes", "on"):
                return True
            if value.lower() in ("false", "no", "off"):
                return False
        elif tag in (_INT, _FLOAT):
            number = _number(value, tag == _INT)
            if number is not None:
                return number
        else:
            self._check_tag(node, _STR)
            self._record_text(node, path)
            return value
        self.error(_mark(node.start_mark), f"'{value}' is not a valid {_short_tag(tag)} value")
        return value

    def _record_text(self, node: yaml.ScalarNode, path: KeyPath) -> None:
        start, end = node.start_mark, node.end_mark
        raw = self.text[start.index : end.index] if start.line == end.line else ""
        if node.style in (None, "") and raw == node.value:
            self.source.texts[path] = (start.line + 1, start.column + 1)
        elif node.style in ("'", '"') and raw[1:-1] == node.value:
            self.source.texts[path] = (start.line + 1, start.column + 2)
        else:
            self.source.spans[path] = (start.index, end.index)


def _number(text: str, integral: bool) -> int | float | None:
    cleaned = text.replace("_", "")
    try:
        if integral:
            if cleaned.startswith("0x"):
                return int(cleaned[2:], 16)
            if cleaned.startswith("0o"):
                return int(cleaned[2:], 8)
            return int(cleaned, 10)
        return float(cleaned.lower().replace(".inf", "inf").replace(".nan", "nan"))
    except ValueError:
        return None


_COLON_HINT = "a ':' where a value was expected: put text containing ': ' in quotes"
_SYNTAX_HINTS: Final = {
    "found character '\\t' that cannot start any token": "a tab character: indent with spaces",
    "found a tab character that violates indentation": "a tab character: indent with spaces",
    "found character that cannot start any token": (
        "this character cannot start a value: put the text in quotes"
    ),
    "mapping values are not allowed here": _COLON_HINT,
    "mapping values are not allowed in this context": _COLON_HINT,
    "did not find expected key": (
        "this line is not 'key: value' at its indentation: check the spaces before it"
    ),
    "found undefined alias": "an alias (*name) with no anchor (&name) before it",
    "second occurrence": "an anchor (&name) defined twice",
}
"""libyaml's and PyYAML's wording for common slips, in words an author can act on."""


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, text: str, path: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = _mark(mark) if mark is not None else (1, 1)
    problem = (exc.problem or "invalid YAML").strip()
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        problem = "found a tab character that violates indentation"
    message = f"YAML syntax: {_SYNTAX_HINTS.get(problem, problem)}"
    if exc.context and exc.context_mark is not None:
        message += f" ({exc.context.strip()} at line {exc.context_mark.line + 1})"
    return Diagnostic(path, line, column, "error", message)


# --- Schema errors in plain words ---------------------------------------------------------

_TYPE_ERRORS: Final = frozenset(
    {
        "string_type",
        "int_type",
        "int_parsing",
        "int_from_float",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "tuple_type",
        "list_type",
        "none_required",
    }
)

_EXPECTED: Final = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "tuple_type": "a list",
    "list_type": "a list",
    "none_required": "nothing",
}

_PATTERNS: Final = {
    r"^[a-z][a-z0-9_]*$": "use lowercase latin letters, digits and _, starting with a letter",
    r"^[a-z0-9][a-z0-9_]*$": "use lowercase latin letters, digits and _",
    r"^[a-z][a-z0-9_-]*$": "use lowercase latin letters, digits, _ and -, starting with a letter",
    r"^[A-Z]{3}$": "use a three-letter currency code such as RUB, USD or EUR",
}

_NOUNS: Final = {
    "Flow": "flow",
    "FieldSpec": "field",
    "Step": "step",
    "Answer": "answer",
    "Input": "input",
    "Branch": "branch",
    "Objection": "objection",
    "Outcome": "outcome",
    "ScoringSpec": "scoring",
    "Criterion": "criterion",
    "LevelRule": "rule",
    "Knockout": "knockout",
    "VendorCriterion": "vendor criterion",
    "TemperatureRule": "temperature rule",
    "LeadClass": "class",
    "DealValue": "deal value",
    "ValueBand": "value band",
}


@dataclass(slots=True)
class _Problem:
    """A pydantic error with its location split into the data path and union member tags."""

    path: KeyPath
    tags: list[tuple[int, str]]
    type: str
    input: Any
    ctx: dict[str, Any]
    message: str
    on_key: bool = False
    expected: tuple[str, ...] = ()


def _schema_diagnostics(
    exc: ValidationError, data: dict[str, Any], source: SourceMap, path: str
) -> list[Diagnostic]:
    problems = [
        _split_location(error["loc"], error, data) for error in exc.errors(include_url=False)
    ]
    diagnostics = []
    for problem in _resolve_unions(problems):
        position, message = _describe_problem(problem, data, source)
        diagnostics.append(Diagnostic(path, *position, "error", message))
    return diagnostics


def _split_location(loc: Sequence[str | int], error: Any, data: Any) -> _Problem:
    path: list[str | int] = []
    tags: list[tuple[int, str]] = []
    current = data
    on_key = False
    for index, segment in enumerate(loc):
        last = index == len(loc) - 1
        if segment == "[key]":
            on_key = True
        elif _has_child(current, segment):
            path.append(segment)
            current = _child(current, segment)
        elif last and error["type"] == "missing":
            path.append(segment)
        else:
            tags.append((len(path), str(segment)))
    ctx = dict(error.get("ctx") or {})
    return _Problem(
        tuple(path), tags, error["type"], error.get("input"), ctx, error["msg"], on_key
    )


def _resolve_unions(problems: list[_Problem]) -> list[_Problem]:
    """Keep the errors of the union member the author meant; merge pure type mismatches."""
    done = [p for p in problems if not p.tags]
    pending = [p for p in problems if p.tags]
    while pending:
        groups: dict[KeyPath, list[_Problem]] = {}
        for problem in pending:
            groups.setdefault(problem.path[: problem.tags[0][0]], []).append(problem)
        pending = []
        for prefix, group in groups.items():
            members: dict[str, list[_Problem]] = {}
            for problem in group:
                members.setdefault(problem.tags[0][1], []).append(problem)
            fitting = [
                problem
                for member in members.values()
                if not all(_is_type_mismatch(p, prefix) for p in member)
                for problem in member
            ]
            if not fitting:
                first = group[0]
                expected = tuple(
                    dict.fromkeys(
                        _member_description(tag, prefix) for tag in members if tag != "none"
                    )
                )
                done.append(
                    _Problem(
                        prefix, [], "union_type", first.input, {}, first.message, False, expected
                    )
                )
                continue
            for problem in fitting:
                problem.tags.pop(0)
                (pending if problem.tags else done).append(problem)
    return done


def _is_type_mismatch(problem: _Problem, prefix: KeyPath) -> bool:
    return problem.path == prefix and len(problem.tags) == 1 and problem.type in _TYPE_ERRORS


def _member_description(tag: str, prefix: KeyPath) -> str:
    if tag in ("str", "constrained-str"):
        return "a step or outcome id" if prefix and prefix[-1] in ("next", "goto") else "text"
    if tag.startswith("tuple[Branch"):
        return "a list of branches (if/goto)"
    if tag.startswith(("tuple[", "list[")):
        return "a list"
    if tag.startswith(("dict[", "function-")) or tag[:1].isupper():
        return "a mapping (key: value lines)"
    return {"int": "a number", "float": "a number", "bool": "true/false"}.get(tag, tag)


def _describe_problem(
    problem: _Problem, data: dict[str, Any], source: SourceMap
) -> tuple[Position, str]:
    path = problem.path
    kind = problem.type
    if kind == "extra_forbidden":
        owner, model, rest = _owner(path[:-1], data)
        key = str(path[-1])
        allowed = _model_keys(model) if model is not None else []
        where = f"{owner}: " if not rest else f"{owner}: {_render_path(rest)}: "
        message = f"{where}unknown key '{key}'{_did_you_mean(key, allowed)}"
        if allowed:
            message += f"; expected one of: {', '.join(allowed)}"
        return source.key(path), message
    if kind == "missing":
        owner, _, rest = _owner(path[:-1], data)
        where = owner if not rest else f"{owner}: {_render_path(rest)}"
        return source.key(path[:-1]), f"{where}: missing required key '{path[-1]}'"
    if problem.on_key:
        owner, model, rest = _owner(path[:-1], data)
        prefix = f"{owner}: " if owner != "flow" else ""
        return source.key(path), f"{prefix}{_key_noun(model, rest)} {_value_problem(problem)}"
    owner, _, rest = _owner(path, data)
    subject = owner if not rest else f"{owner}: {_render_path(rest)}"
    if kind in ("value_error", "assertion_error"):
        error = problem.ctx.get("error")
        text = str(error) if error is not None else problem.message.removeprefix("Value error, ")
        if rest and text.startswith(f"{rest[-1]} "):
            subject = owner
        # A rule of a whole object (a step without answers) points at the object's key.
        position = source.value(path) if rest else source.key(path)
        return position, f"{subject}: {text}"
    return source.value(path), f"{subject} {_value_problem(problem)}"


def _value_problem(problem: _Problem) -> str:
    """What is wrong with a value, as the end of a sentence that starts with its name."""
    kind, found, ctx = problem.type, problem.input, problem.ctx
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", ""))) or [
            part.strip() for part in re.split(r",| or ", str(ctx.get("expected", "")))
        ]
        if len(options) == 1:
            return f"must be {options[0]}, found {_describe(found)}"
        hint = _did_you_mean(found, options) if isinstance(found, str) else ""
        return f"{_quote(found)} is not one of {', '.join(options)}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        advice = _PATTERNS.get(pattern, f"expected text matching {pattern}")
        return f"{_quote(found)} is not valid: {advice}"
    if kind == "string_too_long":
        return (
            f"{_quote(found)} is {len(str(found))} characters long; "
            f"at most {ctx.get('max_length')} fit"
        )
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        side = "at least" if kind == "too_short" else "at most"
        return f"has {ctx.get('actual_length')} items; expected {side} {limit}"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"is {_describe(found)}; expected {words} {_number_text(ctx.get(key))}"
    if kind == "union_type":
        return f"should be {_or_list(problem.expected)}, found {_describe(found)}"
    if kind in _EXPECTED:
        return f"should be {_EXPECTED[kind]}, found {_describe(found)}"
    return f"is not valid: {problem.message}"


def _owner(path: KeyPath, data: Any) -> tuple[str, type[BaseModel] | None, KeyPath]:
    """Name the innermost model object along a path; return the name, its class and the rest."""
    labels: list[str] = []
    model: type[BaseModel] = Flow
    owner_length = 0
    annotation: Any = Flow
    current = data
    for index, segment in enumerate(path):
        parent = _strip(annotation, segment)
        annotation = _step_into(parent, segment)
        if annotation is None:
            break
        current = _child(current, segment)
        inner = _as_model(annotation)
        if inner is None:
            continue
        model, owner_length = inner, index + 1
        noun = _NOUNS.get(inner.__name__, inner.__name__.lower())
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            labels.append(noun)
        elif isinstance(segment, int):
            item_id = current.get("id") if isinstance(current, dict) else None
            name = f"'{item_id}'" if isinstance(item_id, str) else f"#{segment + 1}"
            labels.append(f"{noun} {name}")
        else:
            labels.append(f"{noun} '{segment}'")
    labels = [label for label in labels if label != "scoring"] or labels
    return (", ".join(labels) or "flow"), model, path[owner_length:]


def _has_child(value: Any, segment: str | int) -> bool:
    if isinstance(value, dict):
        return isinstance(segment, str) and segment in value
    return isinstance(value, list) and isinstance(segment, int) and 0 <= segment < len(value)


def _child(value: Any, segment: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(segment)
    if isinstance(value, list) and isinstance(segment, int) and segment < len(value):
        return value[segment]
    return None


def _field_annotation(model: type[BaseModel] | None, key: str | int) -> Any:
    if model is None or not isinstance(key, str):
        return None
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _step_into(annotation: Any, segment: str | int) -> Any:
    """The type of the value one path segment further down, or None when not known."""
    annotation = _strip(annotation, segment)
    if annotation is None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _field_annotation(annotation, segment)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2 and isinstance(segment, str):
        return args[1]
    if origin in (tuple, list) and args and isinstance(segment, int):
        return args[0]
    return None


def _strip(annotation: Any, segment: str | int | None = None) -> Any:
    """Unwrap Annotated and unions, picking the member a path segment can go into."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [m for m in typing.get_args(annotation) if m is not type(None)]
            fitting = [m for m in members if _accepts_segment(_strip(m), segment)]
            chosen = fitting or members
            if len(chosen) != 1 and segment is not None:
                return None
            annotation = chosen[0]
            continue
        return annotation


def _accepts_segment(annotation: Any, segment: str | int | None) -> bool:
    if segment is None:
        return isinstance(annotation, type) and issubclass(annotation, BaseModel)
    origin = typing.get_origin(annotation)
    if isinstance(segment, int):
        return origin in (tuple, list)
    return origin is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel))


def _as_model(annotation: Any) -> type[BaseModel] | None:
    inner = _strip(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _key_noun(model: type[BaseModel] | None, rest: KeyPath) -> str:
    """How the keys of the mapping at `rest` inside `model` are called ("step id", "set key")."""
    annotation: Any = model
    for segment in rest:
        annotation = _step_into(annotation, segment) if annotation is not None else None
    args = typing.get_args(_strip(annotation)) if annotation is not None else ()
    value_model = _as_model(args[1]) if len(args) == 2 else None
    if value_model is not None:
        return _NOUNS.get(value_model.__name__, value_model.__name__.lower()) + " id"
    return f"{_render_path(rest)} key" if rest else "key"


def _model_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _render_path(path: KeyPath) -> str:
    text = ""
    for segment in path:
        text += f"[{segment + 1}]" if isinstance(segment, int) else f".{segment}"
    return text.lstrip(".")


def _did_you_mean(word: Any, options: Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" suffix naming the closest option, or "" when none is close."""
    return _did_you_mean(word, options)


def _quote(value: Any) -> str:
    return f"'{_shorten(value)}'" if isinstance(value, str) else _describe(value)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(value: Any) -> str:
    """How a found value is named in a message: text in quotes, numbers as they are."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, str):
        return f"text '{_shorten(value)}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _or_list(options: Sequence[str]) -> str:
    if len(options) <= 1:
        return "".join(options)
    return ", ".join(options[:-1]) + " or " + options[-1]
