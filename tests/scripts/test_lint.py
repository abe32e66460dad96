"""The linter's rules, one case each: a small clean flow, one edit, the exact diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts import telegram_limits as limits
from scripts.lint import lint_file, lint_flow, lint_text
from scripts.loader import Diagnostic, Severity, load_flow_text

CLEAN = """\
format: 1
id: mini
version: 1
title: Mini
language: en
start: greet
fields:
  company: {type: text, title: Company, card: true}
  budget: {type: money, title: Budget}
  size: {type: choice, title: Size, options: {small: Small, large: Large}}
steps:
  greet:
    say: "Hello, this is {hunter_name} from {our_company}. Is this {company}?"
    answers:
      - {id: dm, label: Speaking, role: dm, next: need}
      - {id: gk, label: Reception, role: gatekeeper, tags: [gatekeeper], next: later}
  need:
    ask: How big is your team?
    answers:
      - {id: small, label: Small, set: {size: small}, score: {need: partial}}
      - {id: large, label: Large, set: {size: large}, score: {need: "yes"}}
    next: budget
  budget:
    ask: What budget do you plan?
    input: {field: budget}
    next:
      - {if: "budget >= 500k and role == dm", goto: won}
      - {if: "tags contains gatekeeper", goto: later}
      - {goto: lost}
objections:
  price: {label: Too expensive, say: "Let us count what the delay costs.", importance: {price: 5}}
outcomes:
  won: {kind: qualified, title: Qualified}
  later: {kind: callback, title: Call back}
  lost: {kind: disqualified, title: Not a fit, reason: no_budget}
scoring:
  criteria:
    need: {title: Need, weight: 50, bant: need}
    budget:
      title: Budget
      weight: 50
      bant: budget
      rules:
        - {if: "budget >= 1m", level: "yes"}
        - {if: "budget is set", level: partial}
  knockouts:
    - {if: "size == small and budget < 100k", reason: too_small, title: Too small, say: Thanks}
  vendor:
    price: {title: Price, ours: 3}
  temperature:
    - {if: "score >= 70", level: hot}
    - {level: cold}
  classes:
    - {id: a, title: A, if: "score >= 70 and temperature == hot", alert: true}
    - {id: c, title: C}
  deal_value:
    field: budget
    bands:
      - {if: "size == large", value: 1000000}
      - {value: 100000}
"""

ORPHAN_STEP = """\
  orphan:
    say: Hi
    answers:
      - {id: a, label: A, next: won}
      - {id: b, label: B, next: lost}
objections:
"""

LOOP_STEPS = """\
  loop:
    say: Still there?
    answers:
      - {id: a, label: A, next: loop_back}
      - {id: b, label: B, next: loop_back}
  loop_back:
    say: Hello?
    answers:
      - {id: a, label: A, next: loop}
      - {id: b, label: B, next: loop}
objections:
"""

MANY_ANSWERS = "".join(f"      - {{id: extra{n}, label: Extra {n}}}\n" for n in range(93))


def at(text: str, marker: str) -> tuple[int, int]:
    """1-based line and column of the `|` in a marker (or of its start) in text."""
    cursor = max(marker.find("|"), 0)
    needle = marker.replace("|", "", 1)
    assert text.count(needle) == 1, f"marker {needle!r} must occur exactly once"
    index = text.index(needle) + cursor
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def edited(edits: list[tuple[str, str]]) -> str:
    text = CLEAN
    for old, new in edits:
        assert text.count(old) == 1, f"edit target {old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


@dataclass(frozen=True)
class Case:
    edits: list[tuple[str, str]]
    expected: list[tuple[Severity, str, str]] = field(default_factory=list)
    """(severity, marker of the position, message)."""


CASES: dict[str, Case] = {
    "target typo in a branch": Case(
        [("goto: later}", "goto: latr}")],
        [
            (
                "error",
                "goto: |latr}",
                "step 'budget': branch #2 goes to 'latr', which is not a step or an outcome "
                "(did you mean 'later'?)",
            )
        ],
    ),
    "target typo in an answer, leaving a step unreachable": Case(
        [("role: dm, next: need}", "role: dm, next: ned}")],
        [
            (
                "error",
                "role: dm, next: |ned}",
                "step 'greet': answer 'dm' goes to 'ned', which is not a step or an outcome "
                "(did you mean 'need'?)",
            ),
            (
                "error",
                "\n  |need:\n",
                "step 'need' cannot be reached: no answer or branch leads here from start 'greet'",
            ),
            (
                "error",
                "\n  |budget:\n",
                "step 'budget' cannot be reached: no answer or branch leads here from start "
                "'greet'",
            ),
        ],
    ),
    "target typo in a step's next": Case(
        [("    next: budget\n", "    next: budgte\n")],
        [
            (
                "error",
                "next: |budgte",
                "step 'need': next goes to 'budgte', which is not a step or an outcome "
                "(did you mean 'budget'?)",
            ),
            (
                "error",
                "\n  |budget:\n",
                "step 'budget' cannot be reached: no answer or branch leads here from start "
                "'greet'",
            ),
        ],
    ),
    "start is not a step": Case(
        [("start: greet", "start: gret")],
        [
            (
                "error",
                "start: |gret",
                "start 'gret' is not a step; a call starts at a step (did you mean 'greet'?)",
            )
        ],
    ),
    "start is an outcome": Case(
        [("start: greet", "start: won")],
        [("error", "start: |won", "start 'won' is an outcome; a call starts at a step")],
    ),
    "unreachable step": Case(
        [("objections:\n", ORPHAN_STEP)],
        [
            (
                "error",
                "  |orphan:",
                "step 'orphan' cannot be reached: no answer or branch leads here from start "
                "'greet'",
            )
        ],
    ),
    "steps with no way to an outcome": Case(
        [("next: later}", "next: loop}"), ("objections:\n", LOOP_STEPS)],
        [
            (
                "error",
                "  |loop:",
                "step 'loop': no outcome can be reached from here, so a call that gets here "
                "never ends",
            ),
            (
                "error",
                "  |loop_back:",
                "step 'loop_back': no outcome can be reached from here, so a call that gets "
                "here never ends",
            ),
        ],
    ),
    "duplicate answer id": Case(
        [("{id: large, label: Large", "{id: small, label: Large")],
        [
            (
                "error",
                "{id: |small, label: Large",
                "step 'need': duplicate answer id 'small' (first at line 20)",
            )
        ],
    ),
    "an id used as a step and an outcome": Case(
        [("  lost: {kind", "  need: {kind: nurture, title: Later}\n  lost: {kind")],
        [
            (
                "error",
                "  |need: {kind",
                "outcome 'need' has the same id as step 'need' (line 17); rename one of them",
            )
        ],
    ),
    "duplicate class id": Case(
        [("{id: c, title: C}", "{id: a, title: C}")],
        [("error", "{id: |a, title: C}", "duplicate class id 'a' (first at line 54)")],
    ),
    "set of an undeclared field": Case(
        [("set: {size: small}", "set: {sise: small}")],
        [
            (
                "error",
                "set: {|sise",
                "step 'need', answer 'small': sets 'sise', which is not a field "
                "(did you mean 'size'?)",
            )
        ],
    ),
    "input of an undeclared field": Case(
        [("input: {field: budget}", "input: {field: budgte}")],
        [
            (
                "error",
                "{field: |budgte}",
                "step 'budget': input field 'budgte' is not declared in fields "
                "(did you mean 'budget'?)",
            ),
            (
                "warning",
                "  |budget: {type: money",
                "field 'budget' is never collected: it is not a card field, no answer sets it "
                "and no step inputs it",
            ),
        ],
    ),
    "condition on an undeclared field": Case(
        [("budget >= 500k and", "budgt >= 500k and")],
        [
            (
                "error",
                '"|budgt >= 500k',
                "step 'budget', branch #1: 'budgt' is not a field (did you mean 'budget'?)",
            )
        ],
    ),
    "placeholder of an undeclared field": Case(
        [("Is this {company}?", "Is this {compnay}?")],
        [
            (
                "error",
                "Is this |{compnay}",
                "step 'greet': say: placeholder {compnay} is not a field "
                "(did you mean 'company'?)",
            )
        ],
    ),
    "placeholder in a folded block": Case(
        [
            (
                'say: "Hello, this is {hunter_name} from {our_company}. Is this {company}?"',
                "say: >-\n      Hello, this is {hunter_name}.\n      Is this {compnay}?",
            )
        ],
        [
            (
                "error",
                "Is this |{compnay}",
                "step 'greet': say: placeholder {compnay} is not a field "
                "(did you mean 'company'?)",
            )
        ],
    ),
    "score of an undeclared criterion": Case(
        [("score: {need: partial}", "score: {nead: partial}")],
        [
            (
                "error",
                "score: {|nead",
                "step 'need', answer 'small': scores 'nead', which is not a criterion "
                "(did you mean 'need'?)",
            )
        ],
    ),
    "level the criterion does not declare": Case(
        [('score: {need: "yes"}', 'score: {need: "sure"}')],
        [
            (
                "error",
                'need: |"sure"',
                "step 'need', answer 'large': criterion 'need' has no level 'sure'; "
                "expected one of: yes, partial, no, unknown",
            )
        ],
    ),
    "rule level the criterion does not declare": Case(
        [("level: partial}", "level: parital}")],
        [
            (
                "error",
                "level: |parital}",
                "criterion 'budget', rule #2: level 'parital' is not declared "
                "(did you mean 'partial'?); expected one of: yes, partial, no, unknown",
            )
        ],
    ),
    "importance of an undeclared vendor criterion": Case(
        [("importance: {price: 5}", "importance: {prise: 5}")],
        [
            (
                "error",
                "importance: {|prise",
                "objection 'price': importance of 'prise', which is not a vendor criterion "
                "(did you mean 'price'?)",
            )
        ],
    ),
    "importance outside 1-5": Case(
        [("importance: {price: 5}", "importance: {price: 7}")],
        [
            (
                "error",
                "importance: {price: |7}",
                "objection 'price': importance of 'price' is 7; expected 1 to 5",
            )
        ],
    ),
    "tag no answer adds": Case(
        [("tags contains gatekeeper", "tags contains gatekeepr")],
        [
            (
                "error",
                "contains |gatekeepr",
                "step 'budget', branch #2: tag 'gatekeepr' is never added by any answer or "
                "objection (did you mean 'gatekeeper'?)",
            )
        ],
    ),
    "role that is not a contact role": Case(
        [("role == dm", "role == boss")],
        [
            (
                "error",
                "role == |boss",
                "step 'budget', branch #1: 'boss' is not a contact role; expected one of: dm, "
                "influencer, committee, gatekeeper",
            )
        ],
    ),
    "option a choice field does not have": Case(
        [('"size == large"', '"size == huge"')],
        [
            (
                "error",
                "size == |huge",
                "value band #1: 'huge' is not an option of field 'size'; expected one of: "
                "small, large",
            )
        ],
    ),
    "level compared in a condition": Case(
        [("score >= 70 and temperature == hot", "crit.need == maybe")],
        [
            (
                "error",
                "crit.need == |maybe",
                "class 'a': 'maybe' is not a level of criterion 'need'; expected one of: yes, "
                "partial, no, unknown",
            )
        ],
    ),
    "unknown criterion in a condition": Case(
        [("score >= 70 and temperature == hot", "crit.nede == 'yes'")],
        [
            (
                "error",
                "|crit.nede",
                "class 'a': 'crit.nede': there is no criterion 'nede' (did you mean 'need'?)",
            )
        ],
    ),
    "set value that is not an option": Case(
        [("set: {size: large}", "set: {size: huge}")],
        [
            (
                "error",
                "set: {size: |huge}",
                "step 'need', answer 'large': set 'size': 'huge' is not an option; "
                "expected one of: small, large",
            )
        ],
    ),
    "set text into a money field": Case(
        [("set: {size: large}", "set: {size: large, budget: lots}")],
        [
            (
                "error",
                "budget: |lots}",
                "step 'need', answer 'large': set 'budget': a money field needs a number, "
                "found 'lots'",
            )
        ],
    ),
    "condition that does not parse": Case(
        [('"score >= 70", level: hot', '"score >=> 70", level: hot')],
        [
            (
                "error",
                "score >=|> 70",
                "temperature rule #1: condition does not parse: expected a value after '>=', "
                "found '>'",
            )
        ],
    ),
    "condition columns become file columns": Case(
        [('"score >= 70", level: hot', '"(score >= 70", level: hot')],
        [
            (
                "error",
                '"(score >= 70|", level: hot',
                "temperature rule #1: condition does not parse: expected ')' to close the '(' "
                "from column 13, found end of text",
            )
        ],
    ),
    "condition comparing money with text": Case(
        [("budget >= 500k", "budget >= big")],
        [
            (
                "error",
                "budget >= |big",
                "step 'budget', branch #1: 'budget' is money and is compared with the text 'big'",
            )
        ],
    ),
    "class used in a condition": Case(
        [("temperature == hot", "class == a")],
        [
            (
                "error",
                "and |class == a",
                "class 'a': 'class' is not a fact conditions can use: the class rules decide it",
            )
        ],
    ),
    "score used in a step branch": Case(
        [("budget >= 500k and role == dm", "score >= 70 and role == dm")],
        [
            (
                "error",
                '"|score >= 70 and role',
                "step 'budget', branch #1: 'score' is not known in step branches: they see the "
                "fields, role and tags",
            )
        ],
    ),
    "temperature used by a knock-out": Case(
        [("size == small and budget < 100k", "temperature == cold and crit.need == 'no'")],
        [
            (
                "error",
                '"|temperature == cold',
                "knockout #1: 'temperature' is not known in knock-outs: they see the fields, "
                "role, tags, score, score_min, score_max and crit.<criterion>",
            )
        ],
    ),
    "field named like a fact": Case(
        [
            ("  size: {type", "  score: {type: number, title: Score, card: true}\n  size: {type"),
        ],
        [
            (
                "error",
                "  |score: {type: number",
                "field 'score' has the name of a fact conditions already use (role, tags, "
                "score, score_min, score_max, knocked_out, probability, temperature); rename "
                "the field",
            )
        ],
    ),
    "score used by a criterion rule": Case(
        [("budget >= 1m", "score >= 50")],
        [
            (
                "error",
                '"|score >= 50"',
                "criterion 'budget', rule #1: 'score' is not known in criterion rules: they see "
                "the fields, role and tags",
            )
        ],
    ),
    "branches without a default": Case(
        [("      - {goto: lost}\n", "")],
        [
            (
                "error",
                '    |next:\n      - {if: "budget',
                "step 'budget': every branch has a condition, so a call can get stuck; add a last "
                "branch without `if`",
            ),
            (
                "warning",
                "  |lost: {kind",
                "outcome 'lost' is never reached: no answer or branch leads to it",
            ),
        ],
    ),
    "answer branches without a default": Case(
        [("role: dm, next: need}", 'role: dm, next: [{if: "role == dm", goto: need}]}')],
        [
            (
                "error",
                "role: dm, |next:",
                "step 'greet', answer 'dm': every branch has a condition, so a call can get "
                "stuck; add a last branch without `if`",
            )
        ],
    ),
    "class rules without a default": Case(
        [("{id: c, title: C}", '{id: c, title: C, if: "score < 70"}')],
        [
            (
                "error",
                "- |{id: c, title: C",
                "class 'c': every class has a condition, so a lead can match none; make the last "
                "class a default without `if`",
            )
        ],
    ),
    "temperature rules without a default": Case(
        [("{level: cold}", '{if: "score < 70", level: cold}')],
        [
            (
                "error",
                '- |{if: "score < 70", level: cold}',
                "temperature: every rule has a condition, so a lead can get none; add a last "
                "rule without `if`, such as {level: cold}",
            )
        ],
    ),
    "deal value from a field that is not an amount": Case(
        [("    field: budget\n    bands", "    field: size\n    bands")],
        [
            (
                "error",
                "    field: |size\n",
                "deal value: field 'size' is choice; expected a money or number field",
            )
        ],
    ),
    "keyboard over 100 buttons": Case(
        [('score: {need: "yes"}}\n', 'score: {need: "yes"}}\n' + MANY_ANSWERS)],
        [
            (
                "error",
                "    |answers:\n      - {id: small",
                "step 'need': 95 answers and 6 call buttons make 101 buttons; Telegram shows at "
                "most 100",
            )
        ],
    ),
    "call screen over 4096 characters": Case(
        [("do you plan?\n", "do you plan?\n    hint: " + "h" * 3500 + "\n")],
        [
            (
                "error",
                "\n  |budget:\n",
                # ask 24 + hint 3500; the knock-out "Too small" + "Thanks" may show with them
                "step 'budget': the call screen could exceed Telegram's 4096 characters: its "
                "texts take 3524 and a knock-out shown with them up to 15, plus up to 600 for "
                "the header, the score line and placeholders; shorten them",
            )
        ],
    ),
    "call screen over 4096 characters only with a knock-out": Case(
        [("do you plan?\n", "do you plan?\n    hint: " + "h" * 3470 + "\n")],
        [
            (
                "error",
                "\n  |budget:\n",
                # 24 + 3470 = 3494 and 600 would fit in 4096; the knock-out's 15 does not
                "step 'budget': the call screen could exceed Telegram's 4096 characters: its "
                "texts take 3494 and a knock-out shown with them up to 15, plus up to 600 for "
                "the header, the score line and placeholders; shorten them",
            )
        ],
    ),
    "criterion nothing scores": Case(
        [("  knockouts:", "    urgency: {title: Urgency, weight: 10}\n  knockouts:")],
        [
            (
                "warning",
                "    |urgency:",
                "criterion 'urgency' is never scored: no answer, objection or rule awards it a "
                "level",
            )
        ],
    ),
    "step with a single answer": Case(
        [('      - {id: large, label: Large, set: {size: large}, score: {need: "yes"}}\n', "")],
        [
            (
                "warning",
                "    |answers:\n      - {id: small",
                "step 'need' has a single answer, so the hunter records no choice; add the "
                "other answers a client could give",
            )
        ],
    ),
    "line too long to read aloud": Case(
        [('say: "Let us count what the delay costs."', "say: " + "x" * 601)],
        [
            (
                "warning",
                "say: |xxx",
                "objection 'price': say is 601 characters; more than 600 cannot be read aloud "
                "on a call: split it into steps",
            )
        ],
    ),
    "field never collected": Case(
        [("  size: {type", "  email: {type: email, title: Email}\n  size: {type")],
        [
            (
                "warning",
                "  |email:",
                "field 'email' is never collected: it is not a card field, no answer sets it "
                "and no step inputs it",
            )
        ],
    ),
    "outcome never reached": Case(
        [("  lost: {kind", "  spare: {kind: nurture, title: Spare}\n  lost: {kind")],
        [
            (
                "warning",
                "  |spare:",
                "outcome 'spare' is never reached: no answer or branch leads to it",
            )
        ],
    ),
    "button label over 64 characters": Case(
        [("label: Reception", "label: " + "R" * 65)],
        [
            (
                "warning",
                "label: |RRR",
                "step 'greet', answer 'gk': label is 65 characters; phones cut buttons longer "
                "than 64",
            )
        ],
    ),
    "branch after a branch without a condition": Case(
        [("      - {goto: lost}\n", "      - {goto: lost}\n      - {goto: won}\n")],
        [
            (
                "warning",
                "- |{goto: lost}",
                "step 'budget', branch #3 has no condition, so the branches after it are never "
                "taken",
            )
        ],
    ),
}


def expected_diagnostics(text: str, case: Case) -> list[str]:
    found = [
        Diagnostic("mini.yaml", *at(text, marker), severity, message)
        for severity, marker, message in case.expected
    ]
    return [str(diagnostic) for diagnostic in sorted(found)]


def test_the_clean_flow_has_no_diagnostics() -> None:
    assert lint_text(CLEAN, "mini.yaml") == []


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule(case: Case) -> None:
    text = edited(case.edits)
    found = [str(diagnostic) for diagnostic in lint_text(text, "mini.yaml")]
    assert found == expected_diagnostics(text, case)


def test_every_problem_is_reported_at_once() -> None:
    names = ["target typo in a branch", "duplicate class id", "tag no answer adds"]
    text = edited([edit for name in names for edit in CASES[name].edits])
    combined = Case([], [item for name in names for item in CASES[name].expected])
    found = [str(diagnostic) for diagnostic in lint_text(text, "mini.yaml")]
    assert found == expected_diagnostics(text, combined)


def test_errors_stop_loading_but_warnings_do_not() -> None:
    warned = edited(CASES["outcome never reached"].edits)
    assert load_flow_text(warned, "mini.yaml").outcomes["spare"].title == "Spare"


def test_answer_callback_data_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ids are capped by the schema so the real limit cannot be reached; a lower one shows the rule.
    monkeypatch.setattr(limits, "MAX_CALLBACK_BYTES", 23)
    found = [str(d) for d in lint_text(CLEAN, "mini.yaml")]
    assert found == [
        f"mini.yaml:{line}:{column}: error: answer id '{answer}' makes the button's data 24 "
        "bytes; Telegram accepts at most 23: shorten the id"
        for answer in ("small", "large")
        for line, column in [at(CLEAN, f"{{id: |{answer}, label")]
    ]


@pytest.mark.parametrize(
    ("call_id", "seq", "answer_id", "data"),
    [
        (1, 2, "yes", "a:1:2:yes"),
        (limits.MAX_CALL_ID, limits.MAX_EVENT_SEQ, "z" * 24, "a:9999999999:99999:" + "z" * 24),
    ],
)
def test_answer_callback_data(call_id: int, seq: int, answer_id: str, data: str) -> None:
    assert limits.answer_callback_data(call_id, seq, answer_id) == data


def test_the_longest_answer_id_the_schema_allows_fits_in_callback_data() -> None:
    assert limits.longest_answer_callback_bytes("z" * 24) <= limits.MAX_CALLBACK_BYTES


@pytest.mark.parametrize(("call_id", "seq"), [(10**10, 1), (1, 10**5), (-1, 1)])
def test_answer_callback_data_refuses_numbers_beyond_the_budget(call_id: int, seq: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        limits.answer_callback_data(call_id, seq, "yes")


def test_lint_flow_without_a_source_map_reports_at_the_top() -> None:
    flow = load_flow_text(edited(CASES["outcome never reached"].edits))
    assert [str(d) for d in lint_flow(flow, path="db:mini")] == [
        "db:mini:1:1: warning: outcome 'spare' is never reached: no answer or branch leads to it"
    ]


def test_lint_file_reports_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    assert [str(d) for d in lint_file(missing)] == [
        f"{missing}:1:1: error: cannot read the file: No such file or directory"
    ]


def test_lint_file_reads_the_file(tmp_path: Path) -> None:
    flow_file = tmp_path / "mini.yaml"
    flow_file.write_text(edited(CASES["start is an outcome"].edits), encoding="utf-8")
    assert [str(d) for d in lint_file(flow_file)] == [
        f"{flow_file}:6:8: error: start 'won' is an outcome; a call starts at a step"
    ]
