"""`/nofit`: what clients said that the call scripts had no answer for, for the scripts' authors.

Hunters press "no fitting answer" and type the client's words; this report groups those texts
by script version and step (the step's question as the script words it), the most frequent
steps first, so an author sees which answers to add. The message holds as many entries as fit
in one Telegram message; the rest, and every text in full, goes in a CSV file beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from bot.i18n import I18n
from bot.render import clip, when
from bot.reports import Cell, Period, csv_bytes, period_text
from bot.repositories import CallsRepo, NoFitText
from bot.telegram import MESSAGE_LIMIT, fit_message, visible_length
from scripts.schema import Flow

QUESTION_LIMIT = 90
"""How much of a step's question a heading shows; a `say` line can run to a paragraph."""
TEXT_LIMIT = 300
"""How much of one client's words the message shows; the CSV file keeps them whole."""

CSV_COLUMNS = (
    "mgr-nofit-csv-date",
    "mgr-nofit-csv-script",
    "mgr-nofit-csv-version",
    "mgr-nofit-csv-step",
    "mgr-nofit-csv-question",
    "mgr-nofit-csv-hunter",
    "mgr-nofit-csv-text",
)
"""The CSV file's header, as translation keys."""


@dataclass(frozen=True, slots=True)
class NoFitStep:
    """One step of one script version and what clients said there, newest first."""

    step: str
    question: str
    texts: tuple[NoFitText, ...]


@dataclass(frozen=True, slots=True)
class NoFitScript:
    """One script version and its steps, the most frequent first."""

    title: str
    version: int
    steps: tuple[NoFitStep, ...]

    @property
    def count(self) -> int:
        """How many texts the version collected."""
        return sum(len(step.texts) for step in self.steps)


@dataclass(frozen=True, slots=True)
class NoFitReport:
    """The period's texts grouped by script version and step."""

    period: Period
    scripts: tuple[NoFitScript, ...]

    @property
    def count(self) -> int:
        """How many texts the period holds."""
        return sum(script.count for script in self.scripts)


@dataclass(frozen=True, slots=True)
class NoFitMessage:
    """The report as one message, and whether it left entries out or cut any text short."""

    text: str
    shown: int
    complete: bool


async def no_fit_report(
    conn: aiosqlite.Connection, period: Period, flows: Mapping[tuple[str, int], Flow]
) -> NoFitReport:
    """The "no fitting answer" texts typed in the period, grouped for the scripts' authors."""
    texts = await CallsRepo(conn).list_no_fit(since=period.start, until=period.end)
    by_step: dict[tuple[str, int], dict[str, list[NoFitText]]] = {}
    for item in texts:
        steps = by_step.setdefault((item.flow_id, item.flow_version), {})
        steps.setdefault(item.step or "—", []).append(item)
    scripts = [
        NoFitScript(
            title=script_title(flows, flow_id, version),
            version=version,
            steps=_ordered_steps(flows.get((flow_id, version)), steps),
        )
        for (flow_id, version), steps in by_step.items()
    ]
    scripts.sort(key=lambda script: (-script.count, script.title, script.version))
    return NoFitReport(period, tuple(scripts))


def _ordered_steps(
    flow: Flow | None, steps: Mapping[str, list[NoFitText]]
) -> tuple[NoFitStep, ...]:
    grouped = [
        NoFitStep(step, step_question(flow, step), tuple(reversed(texts)))
        for step, texts in steps.items()
    ]
    grouped.sort(key=lambda step: (-len(step.texts), step.question))
    return tuple(grouped)


def script_title(flows: Mapping[tuple[str, int], Flow], flow_id: str, version: int) -> str:
    """The script's title; another version's when this one is no longer loaded, else its id."""
    flow = flows.get((flow_id, version))
    if flow is None:
        others = [flow for (key, _), flow in flows.items() if key == flow_id]
        flow = max(others, key=lambda flow: flow.version, default=None)
    return flow.title if flow is not None else flow_id


def step_question(flow: Flow | None, step: str) -> str:
    """The step's question as its script version words it, or its id if the version is gone."""
    found = flow.steps.get(step) if flow is not None else None
    text = (found.ask or found.say) if found is not None else None
    return text or step


def render_no_fit(
    report: NoFitReport, t: I18n, zone: ZoneInfo, *, limit: int = MESSAGE_LIMIT
) -> NoFitMessage:
    """The report as one Telegram message: whole entries while they fit, then how many more."""
    total = report.count
    lines = [
        t("mgr-nofit-title", period=period_text(report.period, t, zone)),
        t("mgr-nofit-total", count=total),
    ]
    used = _length(lines)
    shown = 0
    clipped = False
    for script in report.scripts:
        headings = ["", t("mgr-nofit-script", title=script.title, version=str(script.version))]
        for step in script.steps:
            question = clip(step.question, QUESTION_LIMIT)
            headings.append(t("mgr-nofit-step", question=question, count=len(step.texts)))
            for item in step.texts:
                added = [*headings, _entry_line(item, t, zone)]
                left = total - shown - 1
                # Room stays for the closing "N more" line unless this is the last entry.
                reserve = visible_length(t("mgr-nofit-more", count=left)) + 2 if left else 0
                size = _length(added) + 1
                if used + size + reserve > limit:
                    text = "\n".join([*lines, "", t("mgr-nofit-more", count=total - shown)])
                    return NoFitMessage(fit_message(text, limit), shown, complete=False)
                lines += added
                used += size
                shown += 1
                headings = []
                clipped = clipped or len(" ".join(item.text.split())) > TEXT_LIMIT
    return NoFitMessage(fit_message("\n".join(lines), limit), shown, complete=not clipped)


def _entry_line(item: NoFitText, t: I18n, zone: ZoneInfo) -> str:
    return t(
        "mgr-nofit-entry",
        when=when(item.created_at, zone, t.locale),
        hunter=item.hunter_name or str(item.hunter_id),
        text=clip(item.text, TEXT_LIMIT),
    )


def _length(lines: Sequence[str]) -> int:
    """The visible length of the lines joined by newlines (tags never span a line here)."""
    return sum(visible_length(line) for line in lines) + max(len(lines) - 1, 0)


def no_fit_csv(report: NoFitReport, t: I18n, zone: ZoneInfo) -> bytes:
    """Every text of the report in full, one row each, as a CSV file that opens in Excel."""
    rows: list[list[Cell]] = [
        [
            _local_minute(item.created_at, zone),
            script.title,
            script.version,
            step.step,
            step.question,
            item.hunter_name or str(item.hunter_id),
            item.text,
        ]
        for script in report.scripts
        for step in script.steps
        for item in step.texts
    ]
    return csv_bytes([t.plain(key) for key in CSV_COLUMNS], rows, locale=t.locale)


def _local_minute(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
