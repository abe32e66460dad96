"""Every translation is used by the bot, and every key the bot can ask for exists.

The bot names keys as string literals (`t("call-note-saved")`) or builds them from a prefix and
a value (`t.plain(f"lead-status-{status}")`). Both kinds are read from the source with `ast`;
each prefix is expanded with the values it is built from, so a new status or reason without a
translation fails here instead of showing its key to a person.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import get_args

import pytest

from bot.alerts import CALL_EVENT_KINDS, KNOWN_LEVELS
from bot.app import MENU_ORDER
from bot.call_screen import CALLBACK_PRESETS
from bot.domain import CallStatus, LeadStatus
from bot.i18n import Translator
from bot.leads import CLOSED_STATUSES, LeadEventKind, LeadFilter, LostReason, Refusal, RejectReason
from bot.reports import EXPORT_COLUMNS
from scoring.model import BantStatus
from scoring.spec import BantDimension, ContactRole, Temperature
from tests.conftest import ROOT

KEY = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9_]+)+")
PREFIX = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9_]+)*-")

EXPANSIONS: dict[str, Iterable[str]] = {
    "bant-": get_args(BantDimension),
    "bant-status-": get_args(BantStatus),
    "call-callback-": [
        *CALLBACK_PRESETS,
        *(f"{preset}-button" for preset in CALLBACK_PRESETS),
    ],
    "call-status-": [status.value for status in CallStatus],
    "command-": MENU_ORDER,
    "lead-status-": [status.value for status in LeadStatus],
    "mgr-csv-": EXPORT_COLUMNS,
    "mgr-delivery-": ["alert", "sla_reminder", "sla_escalation", "assign", "dead_report"],
    "mgr-digest-closed-": [status.value for status in CLOSED_STATUSES],
    "mgr-event-": [*CALL_EVENT_KINDS, "finish"],
    "mgr-filter-": [which.value for which in LeadFilter],
    "mgr-history-": [kind.value for kind in LeadEventKind],
    "mgr-level-": KNOWN_LEVELS,
    "mgr-lost-": [reason.value for reason in LostReason],
    "mgr-refused-": [refusal.value for refusal in Refusal],
    "mgr-reject-": [reason.value for reason in RejectReason],
    "mgr-role-": get_args(ContactRole),
    "mgr-temperature-": get_args(Temperature),
}
"""Every prefix the bot builds keys from, with the values it completes them with."""


def _strings_in_the_bot() -> tuple[set[str], set[str]]:
    """Literals that look like keys, and the key prefixes (literal or the head of an f-string)."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
                head = node.values[0].value
                if isinstance(head, str) and PREFIX.fullmatch(head):
                    prefixes.add(head)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if KEY.fullmatch(node.value):
                    literals.add(node.value)
                elif PREFIX.fullmatch(node.value):
                    prefixes.add(node.value)
    return literals, prefixes


@pytest.fixture(scope="module")
def keys(translator: Translator) -> frozenset[str]:
    return translator.message_ids("ru")


def test_every_translation_is_used(keys: frozenset[str]) -> None:
    literals, prefixes = _strings_in_the_bot()

    unused = {key for key in keys if key not in literals and not key.startswith(tuple(prefixes))}

    assert sorted(unused) == []


def test_every_key_named_in_the_code_exists(keys: frozenset[str]) -> None:
    literals, _ = _strings_in_the_bot()
    namespaces = {key.split("-", 1)[0] for key in keys}

    missing = {key for key in literals if key.split("-", 1)[0] in namespaces} - keys

    assert sorted(missing) == []


def test_every_key_built_from_a_prefix_exists(keys: frozenset[str]) -> None:
    _, prefixes = _strings_in_the_bot()
    namespaces = {key.split("-", 1)[0] for key in keys}
    built = {prefix for prefix in prefixes if prefix.split("-", 1)[0] in namespaces}

    assert sorted(built - set(EXPANSIONS)) == [], "add the prefix and its values to EXPANSIONS"
    missing = [
        prefix + value
        for prefix, values in EXPANSIONS.items()
        for value in values
        if prefix + value not in keys
    ]
    assert missing == []
