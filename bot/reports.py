"""Reports for managers and admins: the CSV export, statistics with a chart, the weekly digest.

The export opens in Excel as is: UTF-8 with a BOM, quoted by the csv module, with the list
separator and decimal mark of the team's locale (Russian Excel splits on `;` and reads `5,5` as a
number, where `5.5` may become a date). A text cell starting with `= + - @` (or a tab or carriage
return) gets a leading apostrophe so a spreadsheet never runs it as a formula; a phone number or
a plain number does not, since it holds nothing a formula could call. Charts are drawn with
matplotlib's Agg canvas on a worker thread, never on the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import logging
import re
import sqlite3
import statistics
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

import aiosqlite
import phonenumbers
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.alerts import lost_reason_text, reject_reason_text
from bot.clock import Clock
from bot.config import Locale, Settings
from bot.db import Database, DatabaseOpenError, from_db_time, optional_time, to_db_time
from bot.domain import Lead, LeadStatus
from bot.i18n import I18n, Translator
from bot.leads import LeadView, StateRepo, known_names, load_view, summary_of
from bot.outbox import OutboxRelay
from bot.render import clip, day_format, format_money, phone_region
from bot.repositories import LeadsRepo
from bot.telegram import fit_message
from scoring.model import rounded_half_up, whole_points
from scoring.spec import BantDimension
from scripts.loader import FlowError, load_flows
from scripts.schema import Flow
from scripts.summary import BantLine, CallSummary

logger = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cell prefixes a spreadsheet may take as a formula (OWASP's list for CSV injection)."""
DIGEST_KEY = "weekly_digest_next_at"
DIGEST_WEEKDAY = 0
"""Monday."""
DIGEST_TIME = time(10, 0)
DEFAULT_STATS_DAYS = 30

Sleep = Callable[[float], Awaitable[None]]


# --- periods ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open time range [start, end); None on a side means unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` falls in the range."""
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )


_DATE_FORMATS = (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{2})\.(\d{2})\.(\d{4})")


def parse_day(text: str) -> date | None:
    """2026-11-01 or 01.11.2026 as a date; None if it is neither."""
    text = text.strip()
    for index, pattern in enumerate(_DATE_FORMATS):
        match = re.fullmatch(pattern, text)
        if match is None:
            continue
        parts = [int(group) for group in match.groups()]
        year, month, day = parts if index == 0 else (parts[2], parts[1], parts[0])
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def period_of_days(first: date | None, last: date | None, zone: ZoneInfo) -> Period:
    """The local days from `first` to `last` inclusive, as a time range."""
    start = datetime.combine(first, time(0), zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0), zone) if last else None
    return Period(start, end)


def parse_period(args: str | None, zone: ZoneInfo) -> Period | None:
    """`2026-11-01 2026-11-30` (both days included), one day, or nothing; None if malformed."""
    words = (args or "").split()
    if not words:
        return Period()
    if len(words) > 2:
        return None
    days = [parse_day(word) for word in words]
    if any(day is None for day in days):
        return None
    first = days[0]
    last = days[1] if len(days) == 2 else days[0]
    if first is None or last is None or last < first:
        return None
    return period_of_days(first, last, zone)


# --- export -------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "reference",
    "created_at",
    "status",
    "hunter",
    "owner",
    "flow",
    "flow_version",
    "company",
    "contact",
    "phone",
    "email",
    "source",
    "score",
    "temperature",
    "lead_class",
    "probability",
    "expected_value",
    "currency",
    "contact_role",
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "reasons_for",
    "reasons_against",
    "answers",
    "notes",
    "claimed_at",
    "first_contact_at",
    "outcome_amount",
    "outcome_reason",
    "outcome_at",
)

Cell = str | int | float | Decimal | None

# A phone in any usual notation (+7 (916) 123-45-67) or a plain number (-5, 1,5): no letter, so
# no function, cell reference or DDE call; at worst a spreadsheet computes a number from it.
_INERT = re.compile(r"\+[0-9 ()\-]*[0-9][0-9 ()\-]*|-?[0-9]+(?:[.,][0-9]+)?")


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How a locale's spreadsheet splits a line and writes decimals."""

    delimiter: str
    decimal_mark: str


CSV_DIALECTS: Mapping[str, CsvDialect] = {
    "ru": CsvDialect(delimiter=";", decimal_mark=","),
    "en": CsvDialect(delimiter=",", decimal_mark="."),
}


def escape_cell(value: Cell) -> Cell:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _INERT.fullmatch(value):
        return "'" + value
    return value


def _number_text(value: int | float | Decimal, decimal_mark: str) -> str:
    # Through Decimal so a float never comes out in exponent notation (1e+20).
    text = format(value if isinstance(value, Decimal) else Decimal(str(value)), "f")
    return text.replace(".", decimal_mark)


def _cell_text(value: Cell, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return str(escape_cell(value))
    if isinstance(value, int):
        return str(value)
    return _number_text(value, dialect.decimal_mark)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, locale: str) -> bytes:
    """CSV as the locale's Excel opens it: UTF-8 with a BOM, its separator, quoting, CRLF."""
    dialect = CSV_DIALECTS.get(locale, CSV_DIALECTS["en"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow([_cell_text(name, dialect) for name in header])
    for row in rows:
        writer.writerow([_cell_text(value, dialect) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True, slots=True)
class Labels:
    """Names people know for the ids reports group by: lead sources and script versions."""

    sources: Mapping[str, str] = field(default_factory=dict)
    scripts: Mapping[tuple[str, int], str] = field(default_factory=dict)

    @classmethod
    def of(cls, flows: Iterable[Flow], language: str | None = None) -> Labels:
        """The labels the flows give, those in the team's language first."""
        sources: dict[str, str] = {}
        scripts: dict[tuple[str, int], str] = {}
        for flow in sorted(flows, key=lambda flow: flow.language != language):
            scripts[flow.id, flow.version] = flow.title
            spec = flow.fields.get("lead_source")
            for key, label in (spec.options if spec is not None else {}).items():
                sources.setdefault(key, label)
        return cls(sources, scripts)

    def source(self, source: str | None) -> str:
        """A lead source's label (its id if no flow names it), a dash if unknown."""
        return self.sources.get(source, source) if source else "—"

    def script(self, flow_id: str, version: int) -> str:
        """A script version as people know it: "Холодный звонок v3"."""
        return f"{self.scripts.get((flow_id, version), flow_id)} v{version}"


@dataclass(frozen=True, slots=True)
class _LeadRow:
    lead: Lead
    source: str | None
    first_contact_at: datetime | None


async def _leads_in(conn: aiosqlite.Connection, period: Period) -> list[_LeadRow]:
    conditions, params = _period_sql("l.created_at", period)
    # `conditions` holds only placeholders built by `_period_sql`; values go in `params`.
    sql = "SELECT l.id, l.first_contact_at, c.card AS call_card FROM leads l JOIN calls c"
    sql += f" ON c.id = l.call_id {conditions} ORDER BY l.id"
    async with conn.execute(sql, params) as cursor:
        found = await cursor.fetchall()
    rows = []
    leads = LeadsRepo(conn)
    for row in found:
        lead = await leads.require(row["id"])
        rows.append(
            _LeadRow(lead, _source(row["call_card"]), optional_time(row["first_contact_at"]))
        )
    return rows


def _source(call_card: str | None) -> str | None:
    try:
        card = json.loads(call_card or "{}")
    except ValueError:
        return None
    value = card.get("lead_source") if isinstance(card, dict) else None
    return str(value) if value not in (None, "") else None


def _period_sql(column: str, period: Period) -> tuple[str, list[str]]:
    parts: list[str] = []
    params: list[str] = []
    if period.start is not None:
        parts.append(f"{column} >= ?")
        params.append(to_db_time(period.start))
    if period.end is not None:
        parts.append(f"{column} < ?")
        params.append(to_db_time(period.end))
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


async def export_leads(
    conn: aiosqlite.Connection,
    period: Period,
    *,
    t: I18n,
    zone: ZoneInfo,
    labels: Labels | None = None,
) -> tuple[bytes, int]:
    """The CSV file of the leads created in the period, and how many rows it has."""
    rows: list[list[Cell]] = []
    for item in await _leads_in(conn, period):
        view = await load_view(conn, item.lead.id)
        if view is not None:
            rows.append(_export_row(view, item, t, zone, labels or Labels()))
    header = [t.plain(f"mgr-csv-{name}") for name in EXPORT_COLUMNS]
    return csv_bytes(header, rows, locale=t.locale), len(rows)


def _export_row(
    view: LeadView, item: _LeadRow, t: I18n, zone: ZoneInfo, labels: Labels
) -> list[Cell]:
    """One lead as the columns of `EXPORT_COLUMNS`, in words a spreadsheet reader knows."""
    lead, summary = view.lead, view.summary
    bant = {line.dimension: line for line in summary.bant} if summary else {}
    return [
        lead.reference,
        _iso_local(lead.created_at, zone),
        t.plain(f"lead-status-{lead.status.value}"),
        view.hunter_name,
        view.owner_name or "",
        summary.flow_title if summary else lead.flow_id,
        lead.flow_version,
        (summary.company if summary else None) or str(lead.card.get("company", "")),
        (summary.contact or "") if summary else "",
        _phone_cell(summary),
        (summary.email or "") if summary else "",
        labels.source(item.source) if item.source else "",
        rounded_half_up(lead.score, 1),
        t.plain(f"mgr-temperature-{lead.temperature}"),
        summary.class_title if summary else lead.lead_class,
        whole_points(lead.probability * 100) if lead.probability is not None else None,
        whole_points(lead.expected_value) if lead.expected_value is not None else None,
        lead.currency,
        t.plain(f"mgr-role-{summary.contact_role}") if summary and summary.contact_role else "",
        *(_bant_cell(bant.get(dimension), t) for dimension in get_args(BantDimension)),
        "; ".join(summary.reasons_for) if summary else "",
        "; ".join(summary.reasons_against) if summary else "",
        "\n".join(f"{a.question} — {a.answer}" for a in summary.answers) if summary else "",
        "\n".join(summary.notes) if summary else "",
        _iso_local(lead.claimed_at, zone),
        _iso_local(item.first_contact_at, zone),
        lead.outcome_amount,
        _reason_cell(lead, t),
        _iso_local(lead.outcome_at, zone),
    ]


def _phone_cell(summary: CallSummary | None) -> str:
    """The phone as the card shows it, spaced for reading: +7 916 123-45-67; else as typed."""
    if summary is None or not summary.phone:
        return ""
    try:
        parsed = phonenumbers.parse(summary.phone, phone_region(summary.language))
    except phonenumbers.NumberParseException:
        return summary.phone
    if not phonenumbers.is_possible_number(parsed):
        return summary.phone
    international = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return str(phonenumbers.format_number(parsed, international))


def _bant_cell(line: BantLine | None, t: I18n) -> str:
    """The status in words and what the client said: «подтверждено: 1 500 000 ₽»."""
    if line is None:
        return ""
    status = t.plain(f"bant-status-{line.status}")
    return f"{status}: {line.answer}" if line.answer else status


def _reason_cell(lead: Lead, t: I18n) -> str:
    if lead.status is LeadStatus.LOST:
        return lost_reason_text(lead.outcome_reason, t)
    if lead.status is LeadStatus.REJECTED:
        return reject_reason_text(lead.outcome_reason, t)
    return lead.outcome_reason or ""


def _iso_local(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def export_file_name(
    period: Period, zone: ZoneInfo, now: datetime, *, prefix: str = "leads"
) -> str:
    """leads_2026-11-01_2026-11-30.csv, or leads_<today>.csv without a range."""
    if period.start is None and period.end is None:
        return f"{prefix}_{now.astimezone(zone):%Y-%m-%d}.csv"
    first = period.start.astimezone(zone).date().isoformat() if period.start else "start"
    last = (
        (period.end - timedelta(days=1)).astimezone(zone).date().isoformat()
        if period.end
        else "now"
    )
    return f"{prefix}_{first}_{last}.csv"


# --- statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One line of a per-hunter, per-source or per-flow table."""

    name: str
    calls: int = 0
    leads: int = 0
    won: int = 0
    won_amounts: tuple[tuple[str, Decimal], ...] = ()


Amounts = tuple[tuple[str, Decimal], ...]
"""Sums per currency code, the currency with the most deals first: never added across."""


@dataclass(frozen=True, slots=True)
class Stats:
    """The funnel and its breakdowns for a period."""

    period: Period
    calls: int
    qualified: int
    claimed: int
    won: int
    won_amounts: Amounts
    currency: str
    """The period's usual currency, to show a zero in when nothing was won."""
    per_hunter: tuple[Breakdown, ...]
    per_source: tuple[Breakdown, ...]
    per_flow: tuple[Breakdown, ...]
    median_to_claim: timedelta | None
    median_to_contact: timedelta | None
    lost_reasons: tuple[tuple[str, int], ...] = field(default=())


def won_amounts(leads: Iterable[Lead]) -> Amounts:
    """What the won leads brought, one sum per currency."""
    sums: dict[str, Decimal] = {}
    deals: Counter[str] = Counter()
    for lead in leads:
        if lead.status is LeadStatus.WON:
            deals[lead.currency] += 1
            sums[lead.currency] = sums.get(lead.currency, Decimal(0)) + (
                lead.outcome_amount or Decimal(0)
            )
    return tuple((code, sums[code]) for code in sorted(sums, key=lambda c: (-deals[c], c)))


@dataclass
class _Tally:
    calls: int = 0
    leads: list[Lead] = field(default_factory=list)

    def frozen(self, name: str) -> Breakdown:
        won = sum(1 for lead in self.leads if lead.status is LeadStatus.WON)
        return Breakdown(name, self.calls, len(self.leads), won, won_amounts(self.leads))


class _Breakdowns:
    """Calls, leads and wins counted per hunter, per lead source and per script version."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        # By id: two hunters may share a name, and a name may be known only from a lead's card.
        self.hunters: dict[int, _Tally] = {}
        self.sources: dict[str, _Tally] = {}
        self.scripts: dict[str, _Tally] = {}

    def tallies(
        self, hunter_id: int, source: str | None, flow_id: str, version: int
    ) -> tuple[_Tally, ...]:
        """The three lines a call or a lead counts in."""
        return (
            self.hunters.setdefault(hunter_id, _Tally()),
            self.sources.setdefault(self.labels.source(source), _Tally()),
            self.scripts.setdefault(self.labels.script(flow_id, version), _Tally()),
        )


async def compute_stats(
    conn: aiosqlite.Connection, period: Period, *, labels: Labels | None = None
) -> Stats:
    """Calls -> qualified -> claimed -> won, per hunter, source and flow version, and timings.

    Leads count in the period they were qualified in; "first contact" is the owner's first
    outcome mark (in progress, won or lost).
    """
    breakdowns = _Breakdowns(labels or Labels())
    calls = await _calls_in(conn, period)
    for call in calls:
        source = _source(call["card"])
        hunter_id = call["hunter_id"]
        for tally in breakdowns.tallies(hunter_id, source, call["flow_id"], call["flow_version"]):
            tally.calls += 1
    rows = await _leads_in(conn, period)
    for row in rows:
        lead = row.lead
        for tally in breakdowns.tallies(
            lead.hunter_id, row.source, lead.flow_id, lead.flow_version
        ):
            tally.leads.append(lead)
    names = await _hunter_names(conn, breakdowns.hunters.keys(), rows)
    return _stats(period, len(calls), rows, breakdowns, names)


async def _hunter_names(
    conn: aiosqlite.Connection, hunter_ids: Iterable[int], rows: Iterable[_LeadRow]
) -> dict[int, str]:
    """Hunters by the name the lead card shows: their account's, else the one the call kept."""
    ids = set(hunter_ids)
    names = await known_names(conn, ids)
    for row in rows:
        if row.lead.hunter_id not in names:
            summary = summary_of(row.lead)
            if summary is not None and summary.hunter_name:
                names[row.lead.hunter_id] = summary.hunter_name
    return {hunter_id: names.get(hunter_id) or str(hunter_id) for hunter_id in ids}


async def _calls_in(conn: aiosqlite.Connection, period: Period) -> list[sqlite3.Row]:
    conditions, params = _period_sql("c.started_at", period)
    sql = "SELECT c.hunter_id, c.flow_id, c.flow_version, c.card, COALESCE(u.name, '') AS name"
    sql += f" FROM calls c LEFT JOIN users u ON u.id = c.hunter_id {conditions}"
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


def _stats(
    period: Period,
    calls: int,
    rows: list[_LeadRow],
    breakdowns: _Breakdowns,
    hunter_names: Mapping[int, str],
) -> Stats:
    """The funnel and its timings from the period's leads, with the counted breakdowns."""
    leads = [row.lead for row in rows]
    won = [lead for lead in leads if lead.status is LeadStatus.WON]
    currencies = Counter(lead.currency for lead in leads)
    lost = Counter(
        lead.outcome_reason
        for lead in leads
        if lead.status is LeadStatus.LOST and lead.outcome_reason
    )
    return Stats(
        period=period,
        calls=calls,
        qualified=len(leads),
        claimed=sum(1 for lead in leads if lead.claimed_at is not None),
        won=len(won),
        won_amounts=won_amounts(won),
        currency=currencies.most_common(1)[0][0] if currencies else "RUB",
        per_hunter=_table(
            (hunter_names[hunter_id], tally) for hunter_id, tally in breakdowns.hunters.items()
        ),
        per_source=_table(breakdowns.sources.items()),
        per_flow=_table(breakdowns.scripts.items()),
        median_to_claim=_median(
            [
                (lead.claimed_at - lead.created_at).total_seconds()
                for lead in leads
                if lead.claimed_at
            ]
        ),
        median_to_contact=_median(
            [
                (row.first_contact_at - row.lead.created_at).total_seconds()
                for row in rows
                if row.first_contact_at is not None
            ]
        ),
        lost_reasons=tuple(sorted(lost.items(), key=lambda item: (-item[1], item[0]))),
    )


def _table(tallies: Iterable[tuple[str, _Tally]]) -> tuple[Breakdown, ...]:
    lines = [tally.frozen(name) for name, tally in tallies]
    return tuple(sorted(lines, key=lambda line: (-line.leads, -line.calls, line.name)))


def _median(values: list[float]) -> timedelta | None:
    return timedelta(seconds=statistics.median(values)) if values else None


def _percent(part: int, whole: int) -> str:
    return f"{whole_points(100 * part / whole)}%" if whole else "—"


def duration_text(value: timedelta | None, t: I18n) -> str:
    """A duration in minutes, hours or days for people: 12 мин, 3,5 ч, 2 дн."""
    if value is None:
        return "—"
    minutes = value.total_seconds() / 60
    if minutes < 90:
        return t.plain("mgr-duration-minutes", n=str(whole_points(minutes)))
    hours = minutes / 60
    if hours < 48:
        return t.plain("mgr-duration-hours", n=_one_decimal(hours, t.locale))
    return t.plain("mgr-duration-days", n=_one_decimal(hours / 24, t.locale))


def _one_decimal(value: float, locale: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if locale == "ru" else text


def period_text(period: Period, t: I18n, zone: ZoneInfo) -> str:
    """01.11.2026–30.11.2026 (2026-11-01–2026-11-30 in English), or 'за всё время'."""
    if period.start is None and period.end is None:
        return t.plain("mgr-period-all")
    day = day_format(t.locale)
    first = period.start.astimezone(zone).strftime(day) if period.start else "…"
    last = (period.end - timedelta(days=1)).astimezone(zone).strftime(day) if period.end else "…"
    return f"{first}–{last}"


def amounts_text(amounts: Amounts, t: I18n, *, zero_currency: str = "RUB") -> str:
    """Sums in several currencies as people say them: 1 500 000 ₽ и 1 000 $."""
    if not amounts:
        return format_money(Decimal(0), zero_currency, t.locale)
    texts = [format_money(amount, code, t.locale) for code, amount in amounts]
    if len(texts) == 1:
        return texts[0]
    return f"{', '.join(texts[:-1])} {t.plain('mgr-amounts-and')} {texts[-1]}"


def render_stats(
    stats: Stats, t: I18n, zone: ZoneInfo, *, title_key: str = "mgr-stats-title"
) -> str:
    """The statistics as a message: funnel, timings, per hunter, per source, per flow version."""
    money = amounts_text(stats.won_amounts, t, zero_currency=stats.currency)
    blocks = [
        t(title_key, period=period_text(stats.period, t, zone)),
        t(
            "mgr-stats-funnel",
            calls=str(stats.calls),
            qualified=str(stats.qualified),
            qualified_rate=_percent(stats.qualified, stats.calls),
            claimed=str(stats.claimed),
            claimed_rate=_percent(stats.claimed, stats.qualified),
            won=str(stats.won),
            won_rate=_percent(stats.won, stats.claimed),
            amount=money,
        ),
        t(
            "mgr-stats-timing",
            to_claim=duration_text(stats.median_to_claim, t),
            to_contact=duration_text(stats.median_to_contact, t),
        ),
    ]
    for key, lines in (
        ("mgr-stats-hunters", stats.per_hunter),
        ("mgr-stats-sources", stats.per_source),
        ("mgr-stats-flows", stats.per_flow),
    ):
        if not lines:
            continue
        body = [t(key)]
        body += [
            t(
                "mgr-stats-line",
                name=line.name,
                calls=str(line.calls),
                leads=str(line.leads),
                won=str(line.won),
            )
            for line in lines[:10]
        ]
        blocks.append("\n".join(body))
    if stats.lost_reasons:
        body = [t("mgr-stats-lost")]
        body += [
            t("mgr-stats-lost-line", reason=lost_reason_text(reason, t), count=str(count))
            for reason, count in stats.lost_reasons
        ]
        blocks.append("\n".join(body))
    return "\n\n".join(blocks)


def render_chart(stats: Stats, t: I18n) -> bytes:
    """A PNG: the funnel and leads per hunter. Blocking: call it via `asyncio.to_thread`."""
    # Figure + the Agg canvas directly: no pyplot, so no global state shared between threads.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(figure)
    funnel_axes, hunters_axes = figure.subplots(2, 1)
    stages = [
        t.plain("mgr-chart-calls"),
        t.plain("mgr-chart-qualified"),
        t.plain("mgr-chart-claimed"),
        t.plain("mgr-chart-won"),
    ]
    values = [stats.calls, stats.qualified, stats.claimed, stats.won]
    bars = funnel_axes.barh(
        stages[::-1], values[::-1], color=["#2e7d32", "#1976d2", "#f9a825", "#9e9e9e"]
    )
    funnel_axes.bar_label(bars, padding=3)
    funnel_axes.set_title(t.plain("mgr-chart-funnel"))
    hunters = list(stats.per_hunter[:8])
    if hunters:
        names = [clip(line.name, 18) for line in hunters]
        positions = range(len(hunters))
        hunters_axes.bar(
            [p - 0.2 for p in positions],
            [h.leads for h in hunters],
            0.4,
            label=t.plain("mgr-chart-qualified"),
            color="#1976d2",
        )
        hunters_axes.bar(
            [p + 0.2 for p in positions],
            [h.won for h in hunters],
            0.4,
            label=t.plain("mgr-chart-won"),
            color="#2e7d32",
        )
        hunters_axes.set_xticks(list(positions), names, rotation=20, ha="right")
        hunters_axes.legend()
    hunters_axes.set_title(t.plain("mgr-chart-hunters"))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def chart_png(stats: Stats, t: I18n) -> bytes:
    """The chart, drawn on a worker thread so the bot keeps answering meanwhile."""
    return await asyncio.to_thread(render_chart, stats, t)


# --- the weekly digest --------------------------------------------------------------------------


def next_digest_time(after: datetime, zone: ZoneInfo) -> datetime:
    """The first Monday 10:00 (local) strictly after `after`."""
    local = after.astimezone(zone)
    days = (DIGEST_WEEKDAY - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=days), DIGEST_TIME, zone)
    if candidate <= local:
        candidate += timedelta(days=7)
    return candidate


async def post_weekly_digest_if_due(
    *,
    relay: OutboxRelay,
    db: Database,
    clock: Clock,
    settings: Settings,
    translator: Translator,
    labels: Labels | None = None,
) -> bool:
    """Post last week's statistics to the managers' chat when the stored time has come.

    The next run time lives in the database, so a restart neither skips nor repeats a week;
    it is moved on only after Telegram accepted the message (at least once, as alerts).
    """
    now = clock.now()
    zone = settings.zone
    async with db.transaction() as conn:
        state = StateRepo(conn)
        stored = await state.get(DIGEST_KEY)
        if stored is None:
            await state.put(DIGEST_KEY, to_db_time(next_digest_time(now, zone)), now=now)
            return False
    due = from_db_time(stored)
    if now < due or settings.MANAGER_CHAT_ID is None:
        return False
    t = translator.bind(settings.LOCALE)
    period = Period(due - timedelta(days=7), due)
    stats = await compute_stats(db.connection, period, labels=labels)
    text = fit_message(render_stats(stats, t, zone, title_key="mgr-digest-weekly-title"))
    png = await chart_png(stats, t) if stats.calls or stats.qualified else None

    async def send(chat_id: int) -> None:
        await relay.bot.send_message(chat_id=chat_id, text=text)

    await relay.send_paced(settings.MANAGER_CHAT_ID, send)
    if png is not None:

        async def send_chart(chat_id: int) -> None:
            photo = BufferedInputFile(png, filename="weekly.png")
            await relay.bot.send_photo(chat_id=chat_id, photo=photo)

        with suppress(TelegramAPIError):
            await relay.send_paced(settings.MANAGER_CHAT_ID, send_chart)
    async with db.transaction() as conn:
        await StateRepo(conn).put(DIGEST_KEY, to_db_time(next_digest_time(now, zone)), now=now)
    logger.info("Posted the weekly digest")
    return True


async def run_weekly_digest(
    stopping: asyncio.Event,
    *,
    relay: OutboxRelay,
    db: Database,
    clock: Clock,
    settings: Settings,
    translator: Translator,
    labels: Labels | None = None,
    interval_seconds: float = 60.0,
) -> None:
    """Check every `interval_seconds` whether the weekly digest is due, until stopped."""
    while not stopping.is_set():
        try:
            await post_weekly_digest_if_due(
                relay=relay,
                db=db,
                clock=clock,
                settings=settings,
                translator=translator,
                labels=labels,
            )
        except Exception:
            logger.exception("Weekly digest failed; trying again later")
        with suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval_seconds)


# --- python -m bot export -----------------------------------------------------------------------


class ExportSettings(BaseSettings):
    """What the export command needs from the bot's configuration (no token required)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    DATABASE_PATH: Path = Path("data/qualibot.sqlite3")
    SCRIPTS_DIR: Path = Path("scripts/flows")
    LOCALE: Locale = "ru"
    TIMEZONE: str = "Europe/Moscow"


def export_command(argv: Sequence[str]) -> int:
    """`python -m bot export [--from DATE] [--to DATE] [--out FILE]`: leads as CSV."""
    parser = argparse.ArgumentParser(
        prog="python -m bot export",
        description="Export leads with their answers, scores and outcomes as CSV (UTF-8, BOM).",
    )
    parser.add_argument("--from", dest="first", help="first day, 2026-11-01 (inclusive)")
    parser.add_argument("--to", dest="last", help="last day, 2026-11-30 (inclusive)")
    parser.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    args = parser.parse_args(list(argv))
    first = parse_day(args.first) if args.first else None
    last = parse_day(args.last) if args.last else None
    if (args.first and first is None) or (args.last and last is None):
        parser.error("dates look like 2026-11-01")
    config = ExportSettings()
    try:
        zone = ZoneInfo(config.TIMEZONE)
    except (ValueError, KeyError):
        parser.error(f"unknown TIMEZONE {config.TIMEZONE[:64]!r}")
    if not config.DATABASE_PATH.exists():
        parser.error(f"no database at {config.DATABASE_PATH} (set DATABASE_PATH)")
    period = period_of_days(first, last, zone)
    try:
        data, count = asyncio.run(_export(config, period, zone))
    except DatabaseOpenError as e:
        parser.error(str(e))
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        args.out.write_bytes(data)
        sys.stderr.write(f"{count} lead(s) written to {args.out}\n")
    return 0


async def _export(config: ExportSettings, period: Period, zone: ZoneInfo) -> tuple[bytes, int]:
    translator = Translator.from_directory(default_locale=config.LOCALE)
    try:
        labels = Labels.of(load_flows(config.SCRIPTS_DIR).values(), config.LOCALE)
    except (FlowError, OSError):
        # Labels are a nicety: without readable flows the export shows the source ids.
        labels = Labels()
    async with await Database.open(config.DATABASE_PATH) as db:
        return await export_leads(
            db.connection, period, t=translator.bind(config.LOCALE), zone=zone, labels=labels
        )
