"""Loading flows: YAML syntax and safety, duplicate keys, schema errors in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.lint import lint_file, lint_text
from scripts.loader import (
    Diagnostic,
    FlowError,
    load_flow,
    load_flow_text,
    load_flows,
    parse_flow_text,
)

BROKEN = Path(__file__).parent / "flows_broken"

MINIMAL = """\
format: 1
id: mini
version: 1
title: Mini
language: en
start: greet
fields:
  budget: {type: money, title: Budget}
steps:
  greet:
    say: Hello!
    answers:
      - {id: yes, label: Interested, next: budget}
      - {id: no, label: Not interested, next: lost}
  budget:
    ask: What budget?
    input: {field: budget}
    next: won
outcomes:
  won: {kind: qualified, title: Qualified}
  lost: {kind: disqualified, title: Lost, reason: no_need}
"""


def edited(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, f"edit target {old!r} must occur exactly once"
    return MINIMAL.replace(old, new)


def messages(text: str) -> list[str]:
    return [str(diagnostic) for diagnostic in lint_text(text, "mini.yaml")]


def test_a_minimal_flow_loads() -> None:
    flow = load_flow_text(MINIMAL, "mini.yaml")
    assert flow.key == ("mini", 1)
    assert [step.ask or step.say for step in flow.steps.values()] == ["Hello!", "What budget?"]


def test_yes_and_no_stay_text_as_in_yaml_1_2() -> None:
    flow = load_flow_text(MINIMAL)
    assert [answer.id for answer in flow.steps["greet"].answers] == ["yes", "no"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "format: 1\nid: b: c\n",
            "mini.yaml:2:6: error: YAML syntax: a ':' where a value was expected: put text "
            "containing ': ' in quotes",
            id="colon in plain text",
        ),
        pytest.param(
            "format: 1\nsteps:\n\tgreet: {}\n",
            "mini.yaml:3:1: error: YAML syntax: a tab character: indent with spaces "
            "(while scanning for the next token at line 3)",
            id="tab indentation",
        ),
        pytest.param(
            'format: 1\ntitle: "Cold call\nid: x\n',
            "mini.yaml:4:1: error: YAML syntax: found unexpected end of stream "
            "(while scanning a quoted scalar at line 2)",
            id="unterminated quote",
        ),
        pytest.param(
            "format: 1\nsteps:\n  - a\n c: d\n",
            "mini.yaml:4:2: error: YAML syntax: this line is not 'key: value' at its "
            "indentation: check the spaces before it (while parsing a block mapping at line 1)",
            id="bad indentation",
        ),
        pytest.param(
            "format: 1\ntitle: @home\n",
            "mini.yaml:2:8: error: YAML syntax: this character cannot start a value: put the "
            "text in quotes (while scanning for the next token at line 2)",
            id="reserved character",
        ),
        pytest.param(
            "format: 1\n---\nformat: 1\n",
            "mini.yaml:2:1: error: YAML syntax: but found another document (expected a single "
            "document in the stream at line 1)",
            id="two documents",
        ),
        pytest.param(
            "format: 1\nsteps: *common\n",
            "mini.yaml:2:8: error: YAML syntax: an alias (*name) with no anchor (&name) before it",
            id="undefined alias",
        ),
    ],
)
def test_syntax_errors_point_at_the_line_and_column(text: str, expected: str) -> None:
    assert messages(text) == [expected]


def test_a_syntax_error_in_a_real_flow_stops_there() -> None:
    text = edited("    ask: What budget?\n", "    ask: What budget: roughly?\n")
    assert messages(text) == [
        "mini.yaml:16:21: error: YAML syntax: a ':' where a value was expected: put text "
        "containing ': ' in quotes"
    ]


def test_duplicate_keys_are_errors_not_silently_overwritten() -> None:
    text = edited("    next: won\n", "    next: won\n    ask: Budget?\n")
    assert messages(text) == ["mini.yaml:19:5: error: duplicate key 'ask' (first at line 16)"]


def test_duplicate_step_ids_are_duplicate_keys() -> None:
    text = edited(
        "outcomes:\n",
        "  greet:\n    say: Again\n    input: {field: budget}\n    next: won\noutcomes:\n",
    )
    assert messages(text) == ["mini.yaml:19:3: error: duplicate key 'greet' (first at line 10)"]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ('!!python/object/apply:os.system ["echo owned"]', "!!python/object/apply:os.system"),
        ("!!python/object:collections.OrderedDict {}", "!!python/object:collections.OrderedDict"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!include other.yaml", "!include"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
    ],
)
def test_tags_that_construct_objects_are_rejected(value: str, tag: str) -> None:
    text = edited("title: Mini", f"title: {value}")
    with pytest.raises(FlowError) as caught:
        load_flow_text(text, "mini.yaml")
    assert (
        f"mini.yaml:4:8: error: tag '{tag}' is not allowed: a flow file holds plain data only"
        in (str(caught.value).splitlines())
    )


def test_standard_tags_on_plain_values_are_accepted() -> None:
    flow = load_flow_text(
        edited("version: 1", "version: !!int '2'").replace("title: Mini", "title: !!str 2024")
    )
    assert (flow.version, flow.title) == (2, "2024")


def test_anchors_aliases_and_merge_keys_work() -> None:
    text = edited(
        "  won: {kind: qualified, title: Qualified}",
        "  won: &won {kind: qualified, title: Qualified}\n"
        "  maybe: {<<: *won, kind: nurture, title: Maybe}",
    ).replace("next: won", "next: [{if: budget > 100k, goto: won}, {goto: maybe}]")
    flow = load_flow_text(text)
    assert (flow.outcomes["maybe"].kind, flow.outcomes["maybe"].title) == ("nurture", "Maybe")


def test_an_alias_inside_its_own_anchor_is_an_error() -> None:
    text = edited("fields:\n", "extra: &loop [*loop]\nfields:\n")
    assert messages(text) == [
        "mini.yaml:7:1: error: flow: unknown key 'extra'; expected one of: format, id, version, "
        "title, language, our_company, description, start, fields, steps, objections, "
        "outcomes, scoring",
        "mini.yaml:7:8: error: an alias refers to the value that contains it",
    ]


def test_an_alias_explosion_is_cut_short() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    found = messages("\n".join(lines) + "\n")
    assert found == [
        "mini.yaml:6:1: error: the document is too large or too deeply nested "
        "(check anchors and aliases)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "    say: Hello!\n    answers:",
            "    say: Hello!\n    anwsers:",
            "mini.yaml:12:5: error: step 'greet': unknown key 'anwsers' (did you mean 'answers'?)"
            "; expected one of: say, ask, hint, answers, input, next, columns",
            id="unknown key",
        ),
        pytest.param(
            "start: greet\n",
            "",
            "mini.yaml:1:1: error: flow: missing required key 'start'",
            id="missing key",
        ),
        pytest.param(
            "type: money",
            "type: moneys",
            "mini.yaml:8:18: error: field 'budget': type 'moneys' is not one of text, phone, "
            "email, number, money, date, period, choice (did you mean 'money'?)",
            id="not one of",
        ),
        pytest.param(
            "format: 1",
            "format: 2",
            "mini.yaml:1:9: error: flow: format must be 1, found 2",
            id="single allowed value",
        ),
        pytest.param(
            "version: 1",
            "version: 0",
            "mini.yaml:3:10: error: flow: version is 0; expected at least 1",
            id="too small",
        ),
        pytest.param(
            "    say: Hello!\n",
            "    say: Hello!\n    columns: 9\n",
            "mini.yaml:12:14: error: step 'greet': columns is 9; expected at most 8",
            id="more buttons a row than Telegram shows",
        ),
        pytest.param(
            "version: 1",
            "version: one",
            "mini.yaml:3:10: error: flow: version should be a whole number, found text 'one'",
            id="not a number",
        ),
        pytest.param(
            "  budget:\n    ask",
            "  Budget:\n    ask",
            "mini.yaml:15:3: error: step id 'Budget' is not valid: use lowercase latin letters, "
            "digits and _, starting with a letter",
            id="bad step id",
        ),
        pytest.param(
            "next: won",
            "next: 42",
            "mini.yaml:18:11: error: step 'budget': next should be a step or outcome id or a "
            "list of branches (if/goto), found 42",
            id="next of the wrong kind",
        ),
        pytest.param(
            "next: won",
            "next: [{if: budget > 100k}]",
            "mini.yaml:18:12: error: step 'budget', branch #1: missing required key 'goto'",
            id="branch without goto",
        ),
        pytest.param(
            "label: Interested, next: budget}",
            "label: Interested, next: budget, set: {budget: [1, 2]}}",
            "mini.yaml:13:66: error: step 'greet', answer 'yes': set.budget should be text, a "
            "number or true/false, found a list",
            id="set value of the wrong kind",
        ),
        pytest.param(
            "label: Interested,",
            'label: "",',
            "mini.yaml:13:26: error: step 'greet', answer 'yes': label must not be empty",
            id="empty label",
        ),
        pytest.param(
            "    ask: What budget?\n    input: {field: budget}\n",
            "    ask: What budget?\n",
            "mini.yaml:15:3: error: step 'budget': a step needs answers or an input",
            id="rule of the step model",
        ),
        pytest.param(
            "  lost: {kind: disqualified, title: Lost, reason: no_need}",
            "  lost: {kind: disqualified, title: Lost}",
            "mini.yaml:21:3: error: outcome 'lost': a disqualified outcome needs a `reason`",
            id="rule of the outcome model",
        ),
        pytest.param(
            "  won: {kind: qualified, title: Qualified}",
            "  won: qualified",
            "mini.yaml:20:8: error: outcome 'won' should be a mapping (key: value lines), found "
            "text 'qualified'",
            id="mapping expected",
        ),
        pytest.param(
            "outcomes:\n",
            "scoring:\n  criteria:\n    need: {title: Need, weight: 0, levels: {yes: 1}}\n"
            "outcomes:\n",
            "mini.yaml:21:33: error: criterion 'need': weight is 0; expected more than 0",
            id="nested scoring section",
        ),
    ],
)
def test_schema_errors_in_plain_words(old: str, new: str, expected: str) -> None:
    assert expected in messages(edited(old, new))


def test_several_schema_errors_are_reported_together() -> None:
    assert [str(d) for d in lint_file(BROKEN / "many_errors.yaml")] == [
        f"{BROKEN / 'many_errors.yaml'}:{position}: error: {message}"
        for position, message in [
            ("2:1", "flow: missing required key 'start'"),
            ("4:10", "flow: version is 0; expected at least 1"),
            (
                "8:18",
                "field 'budget': type 'moneys' is not one of text, phone, email, number, money, "
                "date, period, choice (did you mean 'money'?)",
            ),
            (
                "12:5",
                "step 'greet': unknown key 'anwsers' (did you mean 'answers'?); expected one of: "
                "say, ask, hint, answers, input, next, columns",
            ),
            (
                "17:11",
                "step 'budget': next 'Won' is not valid: use lowercase latin letters, digits and "
                "_, starting with a letter",
            ),
            ("20:3", "duplicate key 'won' (first at line 19)"),
        ]
    ]


def test_flow_error_lists_every_error_one_per_line() -> None:
    with pytest.raises(FlowError) as caught:
        load_flow(BROKEN / "many_errors.yaml")
    error = caught.value
    assert len(error.diagnostics) == 6
    assert list(error.diagnostics) == sorted(error.diagnostics)
    assert str(error) == "\n".join(str(d) for d in error.diagnostics)
    assert {d.severity for d in error.diagnostics} == {"error"}


def test_diagnostic_reads_as_file_line_column() -> None:
    diagnostic = Diagnostic("cold_call.yaml", 42, 11, "error", "step 'budget': problem")
    assert str(diagnostic) == "cold_call.yaml:42:11: error: step 'budget': problem"


def test_load_flow_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_flow(path).key == load_flow(str(path)).key == ("mini", 1)


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.yaml"
    path.write_bytes(MINIMAL.replace("Mini", "Мини").encode("cp1251"))
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    assert str(caught.value) == (
        f"{path}:1:1: error: the file is not UTF-8 text (byte 37); save it as UTF-8"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            "mini.yaml:1:1: error: the file is empty; a flow needs the keys: format, id, version, "
            "title, language, our_company, description, start, fields, steps, objections, "
            "outcomes, scoring",
        ),
        (
            "# only a comment\n",
            "mini.yaml:1:1: error: the file is empty; a flow needs the keys: format, id, version, "
            "title, language, our_company, description, start, fields, steps, objections, "
            "outcomes, scoring",
        ),
        (
            "- greet\n- budget\n",
            "mini.yaml:1:1: error: flow: expected a mapping of keys (format, id, version, title, "
            "language, our_company, description, start, fields, steps, objections, outcomes, "
            "scoring), found a list",
        ),
    ],
)
def test_a_file_that_is_not_a_flow(text: str, expected: str) -> None:
    assert messages(text) == [expected]


def test_positions_of_keys_values_and_text() -> None:
    source = parse_flow_text(MINIMAL).source
    assert source.key(("steps", "budget")) == (15, 3)
    assert source.value(("steps", "budget", "next")) == (18, 11)
    assert source.value(("steps", "greet", "answers", 1)) == (14, 9)
    assert source.text(("steps", "budget", "ask"), 5) == (16, 15)
    assert source.key(("steps", "budget", "hint")) == (15, 3)


def test_load_flows_reads_every_flow_of_a_directory(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "several_files" / "good.yaml", tmp_path / "good.yaml")
    (tmp_path / "mini.yml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a flow", encoding="utf-8")
    flows = load_flows(tmp_path)
    assert {key: flow.title for key, flow in flows.items()} == {
        ("good", 1): "Good",
        ("mini", 1): "Mini",
    }


def test_load_flows_of_an_empty_directory_is_empty(tmp_path: Path) -> None:
    assert load_flows(tmp_path) == {}


def test_load_flows_reports_errors_of_all_files_at_once() -> None:
    folder = BROKEN / "several_files"
    with pytest.raises(FlowError) as caught:
        load_flows(folder)
    assert str(caught.value).splitlines() == [
        f"{folder / 'syntax.yml'}:4:1: error: YAML syntax: found unexpected end of stream "
        "(while scanning a quoted scalar at line 3)",
        f"{folder / 'target_typo.yaml'}:12:47: error: step 'greet': answer 'no' goes to 'lots', "
        "which is not a step or an outcome (did you mean 'lost'?)",
    ]


def test_load_flows_refuses_the_same_id_and_version_twice() -> None:
    folder = BROKEN / "duplicate_version"
    with pytest.raises(FlowError) as caught:
        load_flows(folder)
    assert str(caught.value) == (
        f"{folder / 'second.yml'}:3:10: error: flow 'cold-call' version 3 is also in "
        "first.yaml; give this file a new version number"
    )


def test_load_flows_of_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="no such directory"):
        load_flows(tmp_path / "absent")
