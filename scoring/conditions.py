"""The condition language flow authors write in `if:` (branches, knock-outs, temperature, classes).

A condition is parsed once by a hand-written tokenizer and recursive-descent parser (never
`eval`) and compiled into nested closures, so evaluating it after every answer costs well under
a microsecond per comparison.

Grammar (EBNF; keywords are case-insensitive; Russian `и`, `или`, `не` mean `and`, `or`, `not`
everywhere, including `не in` and `is не set`)::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | atom
    atom       := "(" expr ")" | comparison | identifier
    comparison := identifier ("==" | "!=" | "<" | "<=" | ">" | ">=") value
                | identifier "in" list
                | identifier "not" "in" list
                | identifier "contains" value
                | identifier "is" "set"
                | identifier "is" "not" "set"
    list       := "[" [value ("," value)* [","]] "]"
    value      := number | duration | string | "true" | "false"
    identifier := [A-Za-z_][A-Za-z0-9_]* ("." [A-Za-z_][A-Za-z0-9_]*)*
    number     := ["-"] digits ["." digits] [scale]
    duration   := ["-"] digits ["." digits] unit
    digits     := [0-9]+ ("_" [0-9]+)*
    scale      := "k" | "к" (x 1,000) | "m" | "млн" (x 1,000,000)
    unit       := "d" | "д" (days) | "w" | "н" (x 7) | "mo" | "мес" (x 31) | "y" | "г" (x 366)
    string     := "'" ... "'" | '"' ... '"' | word
    word       := a letter or "_", then letters, digits, "_" and "-" (Cyrillic welcome)

Keywords: and or not in contains is set true false и или не. Precedence, loosest first: `or`,
`and`, `not`, then a comparison; so `a or b and c` is `a or (b and c)` and `not a == 1` is
`not (a == 1)`. A bare identifier is a truthiness test (`knocked_out`). Units and scales are
case-insensitive and written right after the number (`500k`, `1.5млн`, `30d`, `2мес`); a number
with a unit is a `Duration` in days. Inside quotes a backslash escapes `\\`, `'` and `"`.
Whitespace (including newlines) separates tokens. `=`, `=>`, `<>`, `!`, `&&`, `||` are
rejected with the operator to use instead.

Value words:
    - A word that starts with a digit but is not a number (`1c`, `2025-01-31`) is text, except
      after `<`, `<=`, `>`, `>=`, where `5kk` is reported as an unknown unit.
    - After `contains` a digit word is text exactly as written (`phone contains 0495`).
    - Text containing dots, spaces or keywords must be quoted (`'1.2.3'`, `'и'`).
    - Digits with misplaced underscores (`500_`) are an error, as is a number of 10**30 or more.

Semantics (evaluation never raises):
    - A field that is missing or None is "not set": every comparison on it is False, even `!=`
      and `not in`; only `is not set` is True. `is set` means present and not None.
    - A bare identifier is True when the field is set and truthy.
    - Comparing mismatched types (a number with text, a yes/no value with a number) is False,
      whatever the operator, `!=` included; `check_types` reports it to the author.
    - Numbers compare int/float freely; a duration compares with a number as days (a period
      field holds int days). Yes/no values only equal yes/no values.
    - Text compares case-insensitively (==, !=, in, contains, and the order of < <= > >=, which
      makes ISO dates such as 2025-01-31 compare chronologically).
    - `x in [..]` is True when x equals an element (by the rules above); `x not in [..]` is
      True when x is set and equals none, so `not in` is exactly `not (x in [..])` for a set x.
      When x holds several values (tags) `in` means any of them is in the list.
    - `contains` looks for an element in a list/set field, or for a substring in a text field.

`str(condition)` is a canonical text that parses back to an equal condition.
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any, Literal, TypeAlias

__all__ = [
    "Comparison",
    "Condition",
    "ConditionError",
    "Duration",
    "LiteralValue",
    "Op",
    "Scalar",
    "TypeProblem",
    "Value",
    "check_types",
    "parse_condition",
]

Value: TypeAlias = str | int | float | bool | Sequence[str] | frozenset[str] | None
"""What a fact (a field of the lead) may hold when a condition is evaluated."""

Op: TypeAlias = Literal[
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "contains",
    "is set",
    "is not set",
    "truthy",
]
"""A comparison's operator; `truthy` is the bare-identifier test."""


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time written with a unit (30d, 2w, 3mo, 1y), measured in days."""

    days: float

    def __str__(self) -> str:
        return f"{_render_number(self.days)}d"


Scalar: TypeAlias = int | float | str | bool | Duration
LiteralValue: TypeAlias = Scalar | tuple[Scalar, ...]


class ConditionError(ValueError):
    """A condition that does not parse: what was expected and the 1-based column where."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[ConditionError], tuple[str, int]]:
        return (ConditionError, (self.message, self.column))


@dataclass(frozen=True, slots=True)
class TypeProblem:
    """A comparison that cannot mean what the author wants, given the field's declared type."""

    message: str
    column: int


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """One test on one field, as written; columns are 1-based inside the condition text."""

    identifier: str
    op: Op
    value: LiteralValue | None
    """The literal: a scalar, a tuple for `in`/`not in`, None for `is set` and bare tests."""
    column: int = 0
    """Where the identifier starts."""
    op_column: int = 0
    value_column: int = 0
    """Where the value (or the list's `[`) starts; 0 when there is none."""
    literals: tuple[tuple[Scalar, int, str], ...] = ()
    """Each literal with its column and its text as written (one per list element)."""

    def _key(self) -> tuple[str, str, object]:
        return (self.identifier, self.op, _typed(self.value))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Comparison):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        if self.op == "truthy":
            return self.identifier
        if self.value is None:
            return f"{self.identifier} {self.op}"
        return f"{self.identifier} {self.op} {_render_literal(self.value)}"


def _typed(value: LiteralValue | None) -> object:
    # True == 1 in Python; tag the kind so `x == true` and `x == 1` stay different conditions.
    if isinstance(value, tuple):
        return ("list", tuple(_typed(item) for item in value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, str | Duration) or value is None:
        return (type(value).__name__, value)
    return ("number", value)


@dataclass(frozen=True, slots=True)
class _Not:
    item: _Node


@dataclass(frozen=True, slots=True)
class _And:
    items: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Or:
    items: tuple[_Node, ...]


_Node: TypeAlias = _Or | _And | _Not | Comparison
_Test: TypeAlias = Callable[[Mapping[str, Value]], bool]


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition: immutable, hashable (equal when parsed to the same tree), compiled."""

    source: str = field(compare=False)
    _node: _Node = field(repr=False)
    evaluate: _Test = field(repr=False, compare=False)
    """`evaluate(facts)`: whether the condition holds for these facts (never raises on odd or
    missing facts). The compiled test itself rather than a method that calls it: conditions are
    evaluated a score of times per answer, and the extra call was a tenth of their cost."""
    _comparisons: tuple[Comparison, ...] = field(repr=False, compare=False)
    _identifiers: frozenset[str] = field(repr=False, compare=False)

    def identifiers(self) -> frozenset[str]:
        """Every field name the condition refers to."""
        return self._identifiers

    def comparisons(self) -> tuple[Comparison, ...]:
        """Every comparison, in the order written (for the linter's type checks)."""
        return self._comparisons

    def __str__(self) -> str:
        return _render(self._node, 0)


# --- tokenizer -------------------------------------------------------------------------------

_KEYWORDS: dict[str, str] = {
    "and": "and",
    "и": "and",
    "or": "or",
    "или": "or",
    "not": "not",
    "не": "not",
    "in": "in",
    "contains": "contains",
    "is": "is",
    "set": "set",
    "true": "true",
    "false": "false",
}

_INSTEAD: dict[str, str] = {
    "=": "use '==' to compare",
    "=>": "use '>='",
    "=<": "use '<='",
    "<>": "use '!='",
    "!": "use 'not' to negate",
    "&&": "use 'and'",
    "&": "use 'and'",
    "||": "use 'or'",
    "|": "use 'or'",
    "≥": "use '>='",
    "≤": "use '<='",
    "≠": "use '!='",
}

_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<bad2>=>|=<|<>|&&|\|\|)"
    r"|(?P<op>==|!=|<=|>=|<|>)"
    r"|(?P<bad1>[=!&|≥≤≠])"
    r"|(?P<punct>[()\[\],])"
    r"|(?P<number>-?[0-9][\w.\-]*)"
    r"|(?P<word>[^\W\d][\w.\-]*)"
)
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_BARE_WORD_RE = re.compile(r"[^\W\d][\w\-]*")
_NUMBER_RE = re.compile(
    r"(?P<sign>-?)(?P<int>[0-9]+(?:_[0-9]+)*)(?:\.(?P<frac>[0-9]+(?:_[0-9]+)*))?(?P<unit>[^\W\d_]*)"
)
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# unit -> (multiplier, is a duration in days)
_UNITS: dict[str, tuple[int, bool]] = {
    "": (1, False),
    "k": (1_000, False),
    "к": (1_000, False),
    "m": (1_000_000, False),
    "млн": (1_000_000, False),
    "d": (1, True),
    "д": (1, True),
    "w": (7, True),
    "н": (7, True),
    # A month and a year are their longest calendar lengths: "через 2 месяца" typed on a call is
    # 59 to 62 days, so it must always satisfy `timeline <= 2mo`, whatever the date.
    "mo": (31, True),
    "мес": (31, True),
    "y": (366, True),
    "г": (366, True),
}
_UNIT_HELP = "k/к, m/млн for amounts; d/д, w/н, mo/мес, y/г for durations"
_LIMIT = Decimal(10) ** 30
_ORDERING = frozenset({"<", "<=", ">", ">="})
_SIMPLE_OPS: dict[str, Op] = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["op", "punct", "number", "word", "string", "end", "error"]
    raw: str
    """The token's source text (for an error token: the message)."""
    column: int
    text: str = ""
    """A string token's content, escapes resolved."""


def _tokenize(source: str) -> list[_Token]:
    """Split a condition into tokens; a lexical error becomes an error token where it occurs."""
    tokens: list[_Token] = []
    pos, end = 0, len(source)
    while pos < end:
        column = pos + 1
        char = source[pos]
        if char in "'\"":
            scanned = _scan_string(source, pos)
            if scanned is None:
                message = f"unterminated quoted text at column {column}: add the closing {char}"
                tokens.append(_Token("error", message, column))
                return tokens
            text, stop = scanned
            tokens.append(_Token("string", source[pos:stop], column, text))
            pos = stop
            continue
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            message = f"unexpected character {char!r} at column {column}"
            tokens.append(_Token("error", message, column))
            return tokens
        kind, raw = match.lastgroup, match.group()
        pos = match.end()
        if kind == "ws":
            continue
        if kind in ("bad1", "bad2"):
            message = f"unknown operator '{raw}' at column {column}: {_INSTEAD[raw]}"
            tokens.append(_Token("error", message, column))
            return tokens
        if kind == "op":
            tokens.append(_Token("op", raw, column))
        elif kind == "punct":
            tokens.append(_Token("punct", raw, column))
        elif kind == "number":
            tokens.append(_Token("number", raw, column))
        else:
            tokens.append(_Token("word", raw, column))
    tokens.append(_Token("end", "", end + 1))
    return tokens


def _scan_string(source: str, start: int) -> tuple[str, int] | None:
    """The content of the quoted text opening at `start` and the index after it, or None."""
    quote = source[start]
    parts: list[str] = []
    pos, end = start + 1, len(source)
    while pos < end:
        char = source[pos]
        if char == "\\" and pos + 1 < end and source[pos + 1] in "\\'\"":
            parts.append(source[pos + 1])
            pos += 2
        elif char == quote:
            return "".join(parts), pos + 1
        else:
            parts.append(char)
            pos += 1
    return None


# --- parser ----------------------------------------------------------------------------------


def _keyword(token: _Token) -> str | None:
    if token.kind != "word":
        return None
    return _KEYWORDS.get(token.raw.casefold())


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "end of text"
    keyword = _keyword(token)
    if keyword is not None:
        return f"the keyword '{token.raw}'"
    if token.kind == "string":
        return f"the text {token.raw}"
    return f"'{token.raw}'"


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0

    def peek(self, ahead: int = 0) -> _Token:
        token = self.tokens[min(self.index + ahead, len(self.tokens) - 1)]
        if token.kind == "error":
            raise ConditionError(token.raw, token.column)
        return token

    def advance(self) -> _Token:
        token = self.peek()
        self.index += 1
        return token

    def is_punct(self, token: _Token, char: str) -> bool:
        return token.kind == "punct" and token.raw == char

    def parse(self) -> _Node:
        first = self.peek()
        if first.kind == "end":
            raise ConditionError(
                "empty condition at column 1: write a test such as budget >= 500000", 1
            )
        node = self.parse_or(None)
        token = self.peek()
        if token.kind != "end":
            column = token.column
            if self.is_punct(token, ")"):
                raise ConditionError(
                    f"unexpected ')' at column {column}: there is no '(' to close", column
                )
            raise ConditionError(
                f"expected 'and', 'or' or end of text at column {column}, "
                f"found {_describe(token)}",
                column,
            )
        return node

    def parse_or(self, after: _Token | None) -> _Node:
        items = [self.parse_and(after)]
        while _keyword(self.peek()) == "or":
            items.append(self.parse_and(self.advance()))
        return _join(_Or, items)

    def parse_and(self, after: _Token | None) -> _Node:
        items = [self.parse_not(after)]
        while _keyword(self.peek()) == "and":
            items.append(self.parse_not(self.advance()))
        return _join(_And, items)

    def parse_not(self, after: _Token | None) -> _Node:
        token = self.peek()
        if _keyword(token) == "not":
            self.advance()
            return _Not(self.parse_not(token))
        return self.parse_atom(after)

    def parse_atom(self, after: _Token | None) -> _Node:
        token = self.peek()
        column = token.column
        if self.is_punct(token, "("):
            self.advance()
            node = self.parse_or(token)
            close = self.peek()
            if not self.is_punct(close, ")"):
                raise ConditionError(
                    f"expected ')' at column {close.column} to close the '(' from column "
                    f"{column}, found {_describe(close)}",
                    close.column,
                )
            self.advance()
            return node
        if token.kind == "word" and _keyword(token) is None:
            if _IDENTIFIER_RE.fullmatch(token.raw):
                return self.parse_comparison()
            raise ConditionError(
                f"'{token.raw}' at column {column} is not a valid field name: use Latin "
                "letters, digits, '_' and '.' (as in crit.budget)",
                column,
            )
        where = f" after '{after.raw}'" if after is not None else ""
        hint = ""
        if token.kind in ("number", "string"):
            hint = "; a test starts with the field name, as in budget >= 500000"
        raise ConditionError(
            f"expected a condition{where} at column {column}, found {_describe(token)}{hint}",
            column,
        )

    def parse_comparison(self) -> Comparison:
        name_token = self.advance()
        name, column = name_token.raw, name_token.column
        token = self.peek()
        keyword = _keyword(token)
        if token.kind == "op":
            self.advance()
            op = _SIMPLE_OPS[token.raw]
            value, literal = self.parse_scalar(token, op)
            return Comparison(name, op, value, column, token.column, literal[1], (literal,))
        if keyword == "in" or (keyword == "not" and _keyword(self.peek(1)) == "in"):
            self.advance()
            op = "in"
            if keyword == "not":
                self.advance()
                op = "not in"
            values, literals, list_column = self.parse_list(self.tokens[self.index - 1])
            return Comparison(name, op, values, column, token.column, list_column, literals)
        if keyword == "not":
            found = self.peek(1)
            raise ConditionError(
                f"expected 'in' after 'not' at column {found.column}, found {_describe(found)}; "
                f"to negate a test put 'not' first, as in not {name} == ...",
                found.column,
            )
        if keyword == "contains":
            self.advance()
            value, literal = self.parse_scalar(token, "contains")
            return Comparison(
                name, "contains", value, column, token.column, literal[1], (literal,)
            )
        if keyword == "is":
            self.advance()
            negated = _keyword(self.peek()) == "not"
            if negated:
                self.advance()
            found = self.peek()
            if _keyword(found) != "set":
                expected = "'set' after 'is not'" if negated else "'set' or 'not set' after 'is'"
                raise ConditionError(
                    f"expected {expected} at column {found.column}, found {_describe(found)}"
                    + ("" if negated else "; to compare with a value use '=='"),
                    found.column,
                )
            self.advance()
            return Comparison(
                name, "is not set" if negated else "is set", None, column, token.column
            )
        if (
            token.kind in ("number", "string")
            or (token.kind == "word" and keyword in (None, "true", "false", "set"))
            or self.is_punct(token, "[")
        ):
            raise ConditionError(
                f"expected an operator after '{name}' at column {token.column}, found "
                f"{_describe(token)}: use ==, !=, <, <=, >, >=, in, not in, contains, is set "
                "or is not set",
                token.column,
            )
        return Comparison(name, "truthy", None, column)

    def parse_scalar(self, after: _Token, op: str) -> tuple[Scalar, tuple[Scalar, int, str]]:
        token = self.peek()
        column = token.column
        if token.kind == "string":
            self.advance()
            return token.text, (token.text, column, token.raw)
        if token.kind == "number":
            self.advance()
            number = self.number_value(token, op)
            return number, (number, column, token.raw)
        if token.kind == "word":
            keyword = _keyword(token)
            if keyword in ("true", "false"):
                self.advance()
                return keyword == "true", (keyword == "true", column, token.raw)
            if keyword is not None:
                raise ConditionError(
                    f"expected a value after '{after.raw}' at column {column}, found "
                    f"{_describe(token)}; put text in quotes: '{token.raw}'",
                    column,
                )
            if "." in token.raw:
                raise ConditionError(_quote_dots(token), column)
            self.advance()
            return token.raw, (token.raw, column, token.raw)
        if self.is_punct(token, "["):
            where = "inside a list" if after.raw in ("[", ",") else f"after '{after.raw}'"
            raise ConditionError(
                f"a list at column {column} cannot stand {where}: lists follow 'in' or "
                "'not in' and hold single values",
                column,
            )
        raise ConditionError(
            f"expected a value after '{after.raw}' at column {column}, found {_describe(token)}",
            column,
        )

    def number_value(self, token: _Token, op: str) -> Scalar:
        raw, column = token.raw, token.column
        if op == "contains":
            # A needle is text: `phone contains 0495` must keep its leading zero.
            return raw
        match = _NUMBER_RE.fullmatch(raw)
        if match is not None:
            unit = _UNITS.get(match["unit"].casefold())
            if unit is not None:
                return _number(match, unit, column)
            if op in _ORDERING:
                raise ConditionError(
                    f"unknown unit '{match['unit']}' in '{raw}' at column {column}: use "
                    f"{_UNIT_HELP}, written right after the number",
                    column,
                )
        if "." in raw:
            raise ConditionError(_quote_dots(token), column)
        if re.fullmatch(r"-?[0-9_]+", raw):
            raise ConditionError(
                f"'{raw}' at column {column} is not a number: '_' goes between digits, "
                "as in 500_000",
                column,
            )
        # Words such as 1c or 2025-01-31 are text (an ISO date orders correctly as text).
        return raw

    def parse_list(
        self, after: _Token
    ) -> tuple[tuple[Scalar, ...], tuple[tuple[Scalar, int, str], ...], int]:
        opening = self.peek()
        if not self.is_punct(opening, "["):
            raise ConditionError(
                f"expected a list such as [a, b] after '{after.raw}' at column "
                f"{opening.column}, found {_describe(opening)}",
                opening.column,
            )
        self.advance()
        values: list[Scalar] = []
        literals: list[tuple[Scalar, int, str]] = []
        separator = opening
        while not self.is_punct(self.peek(), "]"):
            value, literal = self.parse_scalar(separator, "in")
            values.append(value)
            literals.append(literal)
            token = self.peek()
            if self.is_punct(token, "]"):
                break
            if not self.is_punct(token, ","):
                raise ConditionError(
                    f"expected ',' or ']' at column {token.column} in the list opened at column "
                    f"{opening.column}, found {_describe(token)}",
                    token.column,
                )
            separator = self.advance()
        self.advance()
        return tuple(values), tuple(literals), opening.column


def _quote_dots(token: _Token) -> str:
    return (
        f"'{token.raw}' at column {token.column} is not a plain word: a value cannot name "
        f"another field; put text with dots in quotes: '{token.raw}'"
    )


def _number(match: re.Match[str], unit: tuple[int, bool], column: int) -> int | float | Duration:
    """The value of a number token; Decimal keeps 1.1k exactly 1100."""
    digits = match["int"].replace("_", "")
    if match["frac"]:
        digits += "." + match["frac"].replace("_", "")
    multiplier, is_duration = unit
    with localcontext() as context:
        context.prec = 100
        exact = Decimal(match["sign"] + digits) * multiplier
    if abs(exact) >= _LIMIT:
        raise ConditionError(f"the number at column {column} is too large", column)
    number: int | float
    if exact == exact.to_integral_value():
        number = int(exact)
    else:
        number = float(exact)
        if number.is_integer():
            number = int(number)
    return Duration(number) if is_duration else number


def _join(kind: type[_Or] | type[_And], items: list[_Node]) -> _Node:
    """One node for `a or b or c`; flattening `(a or b) or c` gives equal meaning equal trees."""
    if len(items) == 1:
        return items[0]
    flat: list[_Node] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        else:
            flat.append(item)
    return kind(tuple(flat))


# --- rendering -------------------------------------------------------------------------------


def _render_number(number: float) -> str:
    if isinstance(number, int):
        return str(number)
    # Positional notation (no exponent) so the text parses back to the same float.
    return format(Decimal(repr(number)), "f")


def _render_literal(value: LiteralValue) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_render_literal(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, int | float):
        return _render_number(value)
    if _BARE_WORD_RE.fullmatch(value) and value.casefold() not in _KEYWORDS:
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _render(node: _Node, context: int) -> str:
    """Canonical text; `context` is the binding strength the position needs (0 = any)."""
    if isinstance(node, Comparison):
        return str(node)
    if isinstance(node, _Not):
        return "not " + _render(node.item, 3)
    strength, joiner = (1, " or ") if isinstance(node, _Or) else (2, " and ")
    text = joiner.join(_render(item, strength + 1) for item in node.items)
    return f"({text})" if strength < context else text


# --- compilation -----------------------------------------------------------------------------

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_COLLECTIONS = (list, tuple, set, frozenset)


def _as_number(value: object) -> int | float | Decimal | None:
    """A fact as a number for comparing, or None when it is not one (bools are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        # A Decimal NaN raises on comparison instead of answering False like a float NaN.
        return None if value.is_nan() else value
    if isinstance(value, Duration):
        return value.days
    return None


def _elements(value: object) -> tuple[object, ...] | None:
    """The elements of a list/set fact, or None for a single value."""
    if isinstance(value, _COLLECTIONS):
        return tuple(value)
    if isinstance(value, Sequence | AbstractSet) and not isinstance(value, str | bytes):
        return tuple(value)
    return None


def _compile(node: _Node) -> _Test:
    """Turn a tree into nested closures, so evaluation does no dispatch on node kinds."""
    if isinstance(node, Comparison):
        return _compile_comparison(node)
    if isinstance(node, _Not):
        inner = _compile(node.item)

        def negation(facts: Mapping[str, Value]) -> bool:
            return not inner(facts)

        return negation
    tests = tuple(_compile(item) for item in node.items)
    if isinstance(node, _And):
        if len(tests) == 2:
            first, second = tests

            def both(facts: Mapping[str, Value]) -> bool:
                return first(facts) and second(facts)

            return both

        def every(facts: Mapping[str, Value]) -> bool:
            # A plain loop: all() over a generator costs about twice as much per call.
            for test in tests:  # noqa: SIM110
                if not test(facts):
                    return False
            return True

        return every
    if len(tests) == 2:
        first, second = tests

        def either(facts: Mapping[str, Value]) -> bool:
            return first(facts) or second(facts)

        return either

    def some(facts: Mapping[str, Value]) -> bool:
        for test in tests:  # noqa: SIM110  (a plain loop, as in every())
            if test(facts):
                return True
        return False

    return some


def _compile_comparison(comparison: Comparison) -> _Test:
    name, op, value = comparison.identifier, comparison.op, comparison.value
    if op == "truthy":
        return lambda facts: bool(facts.get(name))
    if op == "is set":
        return lambda facts: facts.get(name) is not None
    if op == "is not set":
        return lambda facts: facts.get(name) is None
    if op in ("in", "not in"):
        items = value if isinstance(value, tuple) else (() if value is None else (value,))
        return _member_test(name, items, negated=op == "not in")
    if value is None or isinstance(value, tuple):
        return lambda facts: False
    if op == "contains":
        return _contains_test(name, value)
    if isinstance(value, bool):
        return _bool_test(name, op, value)
    if isinstance(value, Duration):
        return _number_test(name, op, value.days)
    if isinstance(value, int | float):
        return _number_test(name, op, value)
    return _text_test(name, op, value)


def _number_test(name: str, op: str, number: float) -> _Test:
    compare = _COMPARE[op]

    def test(facts: Mapping[str, Value]) -> bool:
        fact = facts.get(name)
        kind = type(fact)
        if kind is int or kind is float:
            return compare(fact, number)
        if fact is None:  # not answered yet: the usual case early in a call
            return False
        converted = _as_number(fact)
        return converted is not None and compare(converted, number)

    return test


def _text_test(name: str, op: str, text: str) -> _Test:
    compare, folded = _COMPARE[op], text.casefold()

    def test(facts: Mapping[str, Value]) -> bool:
        fact = facts.get(name)
        return isinstance(fact, str) and compare(fact.casefold(), folded)

    return test


def _bool_test(name: str, op: str, flag: bool) -> _Test:
    if op == "==":
        return lambda facts: facts.get(name) is flag
    if op == "!=":
        return lambda facts: facts.get(name) is (not flag)
    return lambda facts: False


def _member_test(name: str, items: tuple[Scalar, ...], *, negated: bool) -> _Test:
    texts = frozenset(item.casefold() for item in items if isinstance(item, str))
    flags = frozenset(item for item in items if isinstance(item, bool))
    numbers = frozenset(
        item.days if isinstance(item, Duration) else item
        for item in items
        if isinstance(item, int | float | Duration) and not isinstance(item, bool)
    )

    def matches(fact: object) -> bool:
        if isinstance(fact, str):
            return fact.casefold() in texts
        if isinstance(fact, bool):
            return fact in flags
        number = _as_number(fact)
        return number is not None and number in numbers

    def holds(fact: object) -> bool:
        if isinstance(fact, str):
            return fact.casefold() in texts
        elements = _elements(fact)
        if elements is not None:
            return any(matches(element) for element in elements)
        return matches(fact)

    if negated:

        def test(facts: Mapping[str, Value]) -> bool:
            fact = facts.get(name)
            return fact is not None and not holds(fact)

        return test

    def test_in(facts: Mapping[str, Value]) -> bool:
        fact = facts.get(name)
        return fact is not None and holds(fact)

    return test_in


def _contains_test(name: str, needle: Scalar) -> _Test:
    if isinstance(needle, bool):

        def has_flag(facts: Mapping[str, Value]) -> bool:
            elements = _elements(facts.get(name))
            return elements is not None and any(element is needle for element in elements)

        return has_flag
    folded = (
        _render_literal(needle).casefold() if not isinstance(needle, str) else needle.casefold()
    )

    def same(element: object) -> bool:
        if isinstance(element, str):
            return element.casefold() == folded
        return _as_number(element) is not None and str(element).casefold() == folded

    def test(facts: Mapping[str, Value]) -> bool:
        fact = facts.get(name)
        if isinstance(fact, str):
            return folded in fact.casefold()
        if isinstance(fact, frozenset | set) and folded in fact:
            return True  # lower-case tags, the usual case, need no scan
        elements = _elements(fact)
        return elements is not None and any(same(element) for element in elements)

    return test


# --- public entry points ---------------------------------------------------------------------


def _comparisons_of(node: _Node) -> list[Comparison]:
    if isinstance(node, Comparison):
        return [node]
    if isinstance(node, _Not):
        return _comparisons_of(node.item)
    return [found for item in node.items for found in _comparisons_of(item)]


@functools.lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Condition:
    node = _Parser(text).parse()
    comparisons = tuple(_comparisons_of(node))
    identifiers = frozenset(comparison.identifier for comparison in comparisons)
    return Condition(text, node, _compile(node), comparisons, identifiers)


def parse_condition(text: str) -> Condition:
    """Parse and compile a condition (cached by text); raise ConditionError with a column."""
    if not isinstance(text, str):
        raise TypeError(f"a condition is text, not {type(text).__name__}")
    return _parse_cached(text)


# --- type checking ---------------------------------------------------------------------------

_TYPE_NOUNS: dict[str, str] = {
    "text": "text",
    "phone": "a phone",
    "email": "an email",
    "number": "a number",
    "money": "money",
    "date": "a date",
    "period": "a period",
    "choice": "a choice",
    "bool": "a yes/no field",
    "tags": "a tag list",
    "role": "a role",
    "level": "a level",
}
_NUMERIC_TYPES = frozenset({"number", "money"})
_TEXT_TYPES = frozenset({"text", "phone", "email"})
_ONE_OF_TYPES = frozenset({"choice", "role", "level"})
_UNORDERED_TYPES = _TEXT_TYPES | _ONE_OF_TYPES | {"bool", "tags"}


def check_types(cond: Condition, types: Mapping[str, str]) -> list[TypeProblem]:
    """Comparisons that do not fit their fields' declared types (undeclared fields are skipped)."""
    problems: list[TypeProblem] = []
    for comparison in cond.comparisons():
        declared = types.get(comparison.identifier, "")
        if declared in _TYPE_NOUNS and comparison.op not in ("truthy", "is set", "is not set"):
            problems.extend(_type_problems(comparison, declared))
    return problems


def _type_problems(comparison: Comparison, declared: str) -> list[TypeProblem]:
    name, op, noun = comparison.identifier, comparison.op, _TYPE_NOUNS[declared]
    if op in _ORDERING and declared in _UNORDERED_TYPES:
        message = f"'{name}' is {noun} and cannot be compared with {op}"
        return [TypeProblem(message, comparison.op_column)]
    if op == "contains" and declared not in _TEXT_TYPES and declared != "tags":
        if declared in _ONE_OF_TYPES:
            message = f"'{name}' is {noun} and holds one value: use '==' or 'in', not 'contains'"
        else:
            message = f"'{name}' is {noun}: 'contains' works on text and tags only"
        return [TypeProblem(message, comparison.op_column)]
    if declared == "tags" and op in ("==", "!="):
        message = f"'{name}' is {noun}: use 'contains' to look for a tag"
        return [TypeProblem(message, comparison.op_column)]
    problems = []
    for literal, column, raw in comparison.literals:
        problem = _literal_problem(name, declared, noun, literal, raw)
        if problem is not None:
            problems.append(TypeProblem(problem, column))
    return problems


def _literal_problem(name: str, declared: str, noun: str, literal: Scalar, raw: str) -> str | None:
    is_number = isinstance(literal, int | float) and not isinstance(literal, bool)
    if declared in _NUMERIC_TYPES:
        return (
            None if is_number else f"'{name}' is {noun} and is compared with {_what(literal, raw)}"
        )
    if declared == "period":
        if isinstance(literal, Duration):
            return None
        return f"'{name}' is a period: compare it with a duration such as 30d"
    if declared == "date":
        if isinstance(literal, str) and _is_iso_date(literal):
            return None
        return f"'{name}' is a date: compare it with a date such as 2025-01-31"
    if declared == "bool":
        if isinstance(literal, bool):
            return None
        return f"'{name}' is a yes/no field: compare it with true or false"
    if isinstance(literal, str):
        return None
    return (
        f"'{name}' is {noun} and is compared with {_what(literal, raw)}: "
        f"put text in quotes, as in '{raw}'"
    )


def _what(literal: Scalar, raw: str) -> str:
    if isinstance(literal, bool):
        return f"the yes/no value {'true' if literal else 'false'}"
    if isinstance(literal, Duration):
        return f"the duration {raw}"
    if isinstance(literal, int | float):
        return f"the number {raw}"
    return f"the text '{literal}'"


def _is_iso_date(text: str) -> bool:
    if not _ISO_DATE_RE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
