"""The lead card a call produces: what managers read in an alert, stored with the lead."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import yaml

from scripts.engine import CallState, Event, engine_for
from scripts.schema import Flow
from scripts.summary import BantLine, CallSummary, summarize

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)

FLOW = """
format: 1
id: summary-demo
version: 2
title: Demo
language: en
our_company: Acme
start: intro
fields:
  company: {type: text, title: Company, card: true}
  contact_name: {type: text, title: Contact, card: true}
  phone: {type: phone, title: Phone, card: true}
  budget: {type: money, title: Budget, currency: USD}
steps:
  intro:
    say: "Hi, {hunter_name} from {our_company}."
    ask: "Are you the one who decides on payroll software?"
    answers:
      - {id: dm, label: "Yes, I decide", role: dm, score: {authority: "yes"}, next: need}
      - {id: gk, label: "No, the CFO", role: gatekeeper, score: {authority: "no"}, next: lost}
  need:
    ask: "What hurts most today?"
    answers:
      - {id: errors, label: "Errors in payslips", score: {need: "yes"}, next: budget}
      - {id: fine, label: "Nothing really", score: {need: "no"}, next: budget}
  budget:
    ask: "What budget do you have in mind?"
    input: {field: budget}
    next: won
outcomes:
  won: {kind: qualified, title: Qualified}
  lost: {kind: refused, title: Refused}
scoring:
  criteria:
    authority: {title: Authority, weight: 30, bant: authority}
    need: {title: Need, weight: 30, bant: need}
    budget:
      title: Budget
      weight: 40
      bant: budget
      rules:
        - {if: "budget >= 20k", level: "yes"}
        - {if: "budget is set", level: "no"}
  classes:
    - {id: a, title: A, if: "score >= 70", alert: true, sla_minutes: 15, next_step: Call today}
    - {id: c, title: C}
"""


def finished_call() -> tuple[Flow, CallState]:
    flow = Flow.model_validate(yaml.safe_load(FLOW))
    engine = engine_for(flow)
    card = {
        "company": "<b>ACME & Sons</b>",
        "contact_name": "Sarah",
        "phone": "+442079460018",
        "hunter_name": "Tom",
    }
    result = engine.start(card, now=NOW)
    result = engine.answer(result.state, "dm", now=NOW)
    result = engine.answer(result.state, "fine", now=NOW)
    result = engine.back(result.state, now=NOW)
    result = engine.answer(result.state, "errors", now=NOW)
    result = engine.submit(result.state, "$25k", now=NOW)
    result = engine.note(result.state, "Call after 3 pm", now=NOW)
    result = engine.finish(result.state, "won", now=NOW)
    return flow, result.state


def test_summary_carries_the_card_the_managers_read() -> None:
    flow, state = finished_call()
    summary = summarize(engine_for(flow), state)

    assert (summary.company, summary.contact, summary.phone) == (
        "<b>ACME & Sons</b>",
        "Sarah",
        "+442079460018",
    )
    assert (summary.outcome, summary.outcome_kind) == ("won", "qualified")
    # authority yes (30) + need yes (30) + budget yes (40): every criterion at full points
    assert summary.score == 100
    assert (summary.lead_class, summary.alert, summary.sla_minutes) == ("a", True, 15)
    assert summary.contact_role == "dm"
    assert summary.notes == ("Call after 3 pm",)
    assert summary.hunter_name == "Tom"


def test_bant_lines_quote_the_answers_in_effect_not_the_undone_ones() -> None:
    flow, state = finished_call()
    bant = {line.dimension: line for line in summarize(engine_for(flow), state).bant}

    assert bant["authority"] == BantLine("authority", "confirmed", "Yes, I decide")
    assert bant["need"] == BantLine("need", "confirmed", "Errors in payslips")
    assert bant["budget"].status == "confirmed"
    assert bant["budget"].answer is not None
    assert "25" in bant["budget"].answer
    assert bant["timeline"] == BantLine("timeline", "unknown", None)


def test_answer_lines_follow_the_path_taken() -> None:
    flow, state = finished_call()
    answers = summarize(engine_for(flow), state).answers

    assert [(line.step, line.answer) for line in answers][:2] == [
        ("intro", "Yes, I decide"),
        ("need", "Errors in payslips"),
    ]
    assert answers[0].question == "Are you the one who decides on payroll software?"


def test_questions_read_as_the_hunter_saw_them() -> None:
    flow = Flow.model_validate(
        yaml.safe_load(FLOW.replace('ask: "Are you', 'ask: "{hunter_name} asks: are you'))
    )
    engine = engine_for(flow)
    result = engine.start({"company": "Acme", "hunter_name": "Tom"}, now=NOW)
    result = engine.answer(result.state, "dm", now=NOW)

    question = summarize(engine, result.state).answers[0].question

    assert question == "Tom asks: are you the one who decides on payroll software?"


def test_summary_survives_a_json_round_trip() -> None:
    flow, state = finished_call()
    summary = summarize(engine_for(flow), state)

    stored = json.loads(json.dumps(summary.to_json(), ensure_ascii=False))

    assert CallSummary.from_json(stored) == summary


def test_the_lead_card_keeps_the_flows_field_order_after_a_round_trip_with_sorted_keys() -> None:
    phone_line = "  phone: {type: phone, title: Phone, card: true}\n"
    text = FLOW.replace(phone_line, "").replace("fields:\n", "fields:\n" + phone_line)
    text = text.replace("version: 2", "version: 3")  # another version: another engine
    flow = Flow.model_validate(yaml.safe_load(text))
    engine = engine_for(flow)
    card = {"company": "Acme", "contact_name": "Sarah", "phone": "+442079460018"}
    state = engine.start(card, now=NOW).state
    stored = [json.loads(json.dumps(event.to_json(), sort_keys=True)) for event in state.events]
    reloaded = CallState(flow.id, flow.version, tuple(Event.from_json(e) for e in stored))

    lead = summarize(engine, reloaded).lead

    assert [title for title, _ in lead] == ["Phone", "Company", "Contact"]
