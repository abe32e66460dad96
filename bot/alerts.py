"""Lead cards as managers see them: the alert, the digest of a burst, details, the full record.

Everything a person or a script wrote is escaped (the translations escape string arguments),
so `<b>ACME & Sons</b>` is shown literally. A card never exceeds Telegram's 4096 characters:
long free text is cut with a marker and the full answers are one tap away ("Подробнее").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import aiosqlite
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LeadAction, LeadCb
from bot.calls import HANDOFF_REASON
from bot.domain import Account, CallEvent, Lead, LeadStatus
from bot.i18n import I18n
from bot.leads import (
    LeadEvent,
    LeadEventKind,
    LeadMessagesRepo,
    LeadView,
    LostReason,
    RejectReason,
    load_view,
)
from bot.render import (
    TEMPERATURE_EMOJI,
    TITLE_LIMIT,
    bant_lines,
    card_title,
    clip,
    e164,
    format_money,
    local_time,
    when,
)
from bot.telegram import MESSAGE_LIMIT, fit_message, visible_length
from scoring.model import whole_points
from scripts.schema import Flow
from scripts.summary import CallSummary, CriterionLine

# Free-text limits tried in turn until the card fits; None keeps the text whole.
_ITEM_LIMITS: tuple[int | None, ...] = (None, 300, 120, 60)
_LIST_ITEMS = 3
"""Reasons for and against shown on the card; the rest are in the details."""
DIGEST_MAX_LEADS = 30
"""Leads in one digest message: 30 lines and buttons stay well inside Telegram's limits."""
_DIGEST_BUTTONS_PER_ROW = 3


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to send: its HTML text and buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None


class _Cutter:
    """Shortens free text to the current limit and remembers whether anything was cut."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.cut = False

    def __call__(self, text: str) -> str:
        if self.limit is None:
            return text.strip()
        shown = clip(text, self.limit)
        self.cut = self.cut or shown != " ".join(text.split())
        return shown


def render_card(view: LeadView, t: I18n, zone: ZoneInfo) -> str:
    """The alert card: who, what they need, budget, who decides, when, score and why."""
    for limit in _ITEM_LIMITS:
        cutter = _Cutter(limit)
        text = _card_text(view, t, zone, cutter)
        if cutter.cut:
            text += "\n\n" + t("mgr-card-cut")
        if visible_length(text) <= MESSAGE_LIMIT:
            return text
    return fit_message(text, marker="… ✂️")


def _card_text(view: LeadView, t: I18n, zone: ZoneInfo, cut: Callable[[str], str]) -> str:
    summary = view.summary
    blocks = [_title(view, t), _who(view, t, cut), _score_line(view, t)]
    if summary is not None:
        if summary.outcome_reason == HANDOFF_REASON:
            blocks.append(t("mgr-card-handoff"))
        blocks.append("\n".join(bant_lines(summary, t, cut)))
        blocks.append(_why(summary, t, cut))
        if summary.notes:
            notes = "\n".join(f"• {cut(note)}" for note in summary.notes)
            blocks.append(t("mgr-card-notes", notes=notes))
    blocks.append(_footer(view, t, zone))
    blocks.append(status_line(view, t, zone) or "")
    return "\n\n".join(block for block in blocks if block)


def _title(view: LeadView, t: I18n) -> str:
    lead = view.lead
    return t(
        "mgr-card-title-new" if lead.status is LeadStatus.NEW else "mgr-card-title",
        emoji=TEMPERATURE_EMOJI.get(lead.temperature, "•"),
        ref=lead.reference,
        temperature=t.plain(f"mgr-temperature-{lead.temperature}"),
    )


def _who(view: LeadView, t: I18n, cut: Callable[[str], str]) -> str:
    """Company, contact with their role, phone (tappable), email."""
    summary = view.summary
    lines = [t("mgr-card-company", company=cut(lead_title(view, t)))]
    if summary is None:
        return lines[0]
    if summary.contact:
        role = t.plain(f"mgr-role-{summary.contact_role}") if summary.contact_role else None
        key = "mgr-card-contact" if role else "mgr-card-contact-plain"
        lines.append(t(key, contact=cut(summary.contact), role=role or ""))
    phone = e164(summary.phone, summary.language)
    if phone:
        lines.append(t("mgr-card-phone", phone=phone))
    if summary.email:
        lines.append(t("mgr-card-email", email=cut(summary.email)))
    return "\n".join(lines)


def _why(summary: CallSummary, t: I18n, cut: Callable[[str], str]) -> str:
    """The main reasons for and against, and the next step."""
    lines = []
    if summary.reasons_for:
        lines.append(t("mgr-card-for", reasons=cut("; ".join(summary.reasons_for[:_LIST_ITEMS]))))
    if summary.reasons_against:
        against = "; ".join(summary.reasons_against[:_LIST_ITEMS])
        lines.append(t("mgr-card-against", reasons=cut(against)))
    if summary.next_step:
        lines.append(t("mgr-card-next-step", step=cut(summary.next_step)))
    return "\n".join(lines)


def lead_title(view: LeadView, t: I18n) -> str:
    """The company the lead is about (as the hunter typed it), else its card's title."""
    summary = view.summary
    if summary is not None and summary.company:
        return summary.company
    return card_title(view.lead.card, t)


def _score_line(view: LeadView, t: I18n) -> str:
    lead = view.lead
    parts = [t("mgr-card-score", score=str(whole_points(lead.score)))]
    class_title = view.summary.class_title if view.summary else lead.lead_class
    parts.append(t("mgr-card-class", title=class_title or lead.lead_class))
    if lead.probability is not None:
        # Unasked priorities leave only our own strengths in the figure: say it is a prior.
        prior = view.summary is not None and view.summary.priorities_rated == 0
        key = "mgr-card-probability-prior" if prior else "mgr-card-probability"
        parts.append(t(key, percent=str(whole_points(lead.probability * 100))))
    if lead.expected_value is not None:
        value = format_money(whole_points(lead.expected_value), lead.currency, t.locale)
        parts.append(t("mgr-card-expected", value=value))
    return " · ".join(parts)


def _footer(view: LeadView, t: I18n, zone: ZoneInfo) -> str:
    lead, summary = view.lead, view.summary
    flow = summary.flow_title if summary else lead.flow_id
    lines = [
        t(
            "mgr-card-footer",
            hunter=view.hunter_name,
            flow=flow,
            version=str(lead.flow_version),
            when=local_time(lead.created_at, zone, t.locale),
        )
    ]
    if lead.status is LeadStatus.NEW and view.sla_minutes:
        lines.append(t("mgr-card-sla", minutes=str(view.sla_minutes)))
    return "\n".join(lines)


def status_line(view: LeadView, t: I18n, zone: ZoneInfo) -> str | None:
    """Who has the lead and where it stands; None for a new lead nobody was given."""
    lead = view.lead
    owner = view.owner_name or ""
    if lead.status is LeadStatus.NEW:
        if view.assignee_name:
            return t("mgr-status-assigned", name=view.assignee_name)
        return None
    if lead.status is LeadStatus.CLAIMED:
        return t(
            "mgr-status-claimed",
            name=owner,
            when=when(lead.claimed_at or lead.created_at, zone, t.locale),
        )
    if lead.status is LeadStatus.IN_PROGRESS:
        return t("mgr-status-in-progress", name=owner)
    if lead.status is LeadStatus.WON:
        return t("mgr-status-won", name=owner, amount=won_amount_text(lead, t))
    if lead.status is LeadStatus.LOST:
        return t("mgr-status-lost", name=owner, reason=lost_reason_text(lead.outcome_reason, t))
    return t("mgr-status-rejected", reason=reject_reason_text(lead.outcome_reason, t))


def won_amount_text(lead: Lead, t: I18n) -> str:
    """The deal's amount in the lead's currency, or a dash before it is known."""
    if lead.outcome_amount is None:
        return "—"
    return format_money(lead.outcome_amount, lead.currency, t.locale)


def lost_reason_text(reason: str | None, t: I18n) -> str:
    """A lost reason as managers read it."""
    if reason in {r.value for r in LostReason}:
        return t.plain(f"mgr-lost-{reason}")
    return reason or "—"


def reject_reason_text(reason: str | None, t: I18n) -> str:
    """A rejection reason as managers read it."""
    if reason in {r.value for r in RejectReason}:
        return t.plain(f"mgr-reject-{reason}")
    return reason or "—"


# --- keyboards ----------------------------------------------------------------------------------


def _button(
    t: I18n, key: str, action: LeadAction, lead_id: int, arg: str = ""
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t.plain(key), callback_data=LeadCb(action=action, lead_id=lead_id, arg=arg).pack()
    )


def card_keyboard(view: LeadView, t: I18n) -> InlineKeyboardMarkup:
    """The card's buttons for the lead's state: claim while new, outcomes once owned."""
    lead_id = view.lead.id
    status = view.lead.status
    rows: list[list[InlineKeyboardButton]]
    if status is LeadStatus.NEW:
        rows = [
            [
                _button(t, "mgr-btn-claim", LeadAction.CLAIM, lead_id),
                _button(t, "mgr-btn-pass", LeadAction.HAND_OVER, lead_id),
            ],
            [
                _button(t, "mgr-btn-reject", LeadAction.REJECT, lead_id),
                _button(t, "mgr-btn-details", LeadAction.DETAILS, lead_id),
            ],
        ]
    elif status in (LeadStatus.CLAIMED, LeadStatus.IN_PROGRESS):
        first = [
            _button(t, "mgr-btn-won", LeadAction.WON, lead_id),
            _button(t, "mgr-btn-lost", LeadAction.LOST, lead_id),
        ]
        if status is LeadStatus.CLAIMED:
            first.insert(0, _button(t, "mgr-btn-progress", LeadAction.PROGRESS, lead_id))
        rows = [
            first,
            [
                _button(t, "mgr-btn-pass", LeadAction.HAND_OVER, lead_id),
                _button(t, "mgr-btn-details", LeadAction.DETAILS, lead_id),
            ],
        ]
    else:
        rows = [[_button(t, "mgr-btn-details", LeadAction.DETAILS, lead_id)]]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def colleagues_keyboard(
    lead_id: int, colleagues: Sequence[Account], t: I18n
) -> InlineKeyboardMarkup:
    """One button per colleague to hand the lead to, and back."""
    rows = [
        [
            InlineKeyboardButton(
                text=t.plain("mgr-btn-colleague", name=person.name or str(person.id)),
                callback_data=LeadCb(
                    action=LeadAction.HAND_TO, lead_id=lead_id, arg=str(person.id)
                ).pack(),
            )
        ]
        for person in colleagues[:20]
    ]
    rows.append([_button(t, "mgr-btn-back", LeadAction.BACK, lead_id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def reasons_keyboard(
    lead_id: int, action: LeadAction, reasons: Iterable[str], key_prefix: str, t: I18n
) -> InlineKeyboardMarkup:
    """A reason list (lost or not a target lead), two to a row, and back."""
    buttons = [_button(t, f"{key_prefix}{reason}", action, lead_id, reason) for reason in reasons]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(t, "mgr-btn-back", LeadAction.BACK, lead_id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def lost_keyboard(lead_id: int, t: I18n) -> InlineKeyboardMarkup:
    """Why the deal was lost."""
    return reasons_keyboard(lead_id, LeadAction.LOST_AS, LostReason, "mgr-lost-", t)


def reject_keyboard(lead_id: int, t: I18n) -> InlineKeyboardMarkup:
    """Why the lead is not a target lead."""
    return reasons_keyboard(lead_id, LeadAction.REJECT_AS, RejectReason, "mgr-reject-", t)


def render_alert(view: LeadView, t: I18n, zone: ZoneInfo) -> Rendered:
    """The card with the buttons that fit the lead's state."""
    return Rendered(render_card(view, t, zone), card_keyboard(view, t))


ShownAt = tuple[int, int, str]
"""A message showing a lead: chat id, message id, and its kind ("card" or "digest")."""


async def redrawn(
    conn: aiosqlite.Connection,
    lead_id: int,
    shown: Iterable[ShownAt],
    i18n_for: Callable[[int], Awaitable[I18n]],
    zone: ZoneInfo,
) -> list[tuple[int, int, Rendered]]:
    """How each message showing the lead reads now: its card, or the whole digest it is in.

    Nothing when the lead is gone. The caller edits the messages (a handler at once, the relay
    paced).
    """
    view = await load_view(conn, lead_id)
    if view is None:
        return []
    screens = []
    for chat_id, message_id, kind in shown:
        t = await i18n_for(chat_id)
        if kind == "digest":
            ids = await LeadMessagesRepo(conn).in_message(chat_id, message_id)
            views = [other for i in ids if (other := await load_view(conn, i)) is not None]
            screens.append((chat_id, message_id, render_digest(views, t)))
        else:
            screens.append((chat_id, message_id, render_alert(view, t, zone)))
    return screens


# --- digest of a burst --------------------------------------------------------------------------


def render_digest(views: Sequence[LeadView], t: I18n) -> Rendered:
    """Many new leads in one message, hot first, one button per lead to open its card."""
    ordered = sorted(views, key=lambda view: (_heat_rank(view.lead.temperature), view.lead.id))
    lines = [t("mgr-digest-title", count=len(ordered))]
    for view in ordered:
        lead = view.lead
        line = t(
            "mgr-digest-line",
            emoji=TEMPERATURE_EMOJI.get(lead.temperature, "•"),
            ref=lead.reference,
            company=clip(lead_title(view, t), TITLE_LIMIT),
            score=str(whole_points(lead.score)),
            lead_class=(view.summary.class_title if view.summary else lead.lead_class),
        )
        if lead.status is not LeadStatus.NEW:
            line += " — " + _digest_status(view, t)
        lines.append(line)
    lines.append(t("mgr-digest-hint"))
    buttons = [
        InlineKeyboardButton(
            text=t.plain(
                "mgr-btn-digest-lead",
                emoji=TEMPERATURE_EMOJI.get(view.lead.temperature, "•"),
                ref=view.lead.reference,
            ),
            callback_data=LeadCb(action=LeadAction.OPEN, lead_id=view.lead.id).pack(),
        )
        for view in ordered
    ]
    rows = [
        buttons[i : i + _DIGEST_BUTTONS_PER_ROW]
        for i in range(0, len(buttons), _DIGEST_BUTTONS_PER_ROW)
    ]
    return Rendered(fit_message("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows))


def _digest_status(view: LeadView, t: I18n) -> str:
    lead = view.lead
    if lead.status in (LeadStatus.CLAIMED, LeadStatus.IN_PROGRESS):
        return t("mgr-digest-taken", name=view.owner_name or "")
    return t.plain(f"mgr-digest-closed-{lead.status.value}")


def _heat_rank(temperature: str) -> int:
    return {"hot": 0, "warm": 1, "cold": 2}.get(temperature, 3)


# --- details and the full record ----------------------------------------------------------------


def render_details(view: LeadView, t: I18n) -> list[str]:
    """Every answer of the call, the score by criterion and the notes; split to fit messages."""
    title = t("mgr-details-title", ref=view.lead.reference, company=lead_title(view, t))
    summary = view.summary
    if summary is None:
        return split_message([title, t("mgr-details-none")])
    sections = [
        "\n".join([t(heading), *lines]) for heading, lines in _details(summary, t) if lines
    ]
    if summary.strategy:
        sections.append(t("mgr-details-strategy", text=summary.strategy))
    return split_message([title, *sections])


def _details(summary: CallSummary, t: I18n) -> list[tuple[str, list[str]]]:
    """The sections of the details, each a heading and its lines (empty ones are left out)."""

    def items(texts: Iterable[str]) -> list[str]:
        return [t("mgr-details-item", text=text) for text in texts]

    fields = [t("mgr-details-field", title=name, value=value) for name, value in summary.lead]
    answers = [
        t("mgr-details-answer", question=line.question, answer=line.answer)
        for line in summary.answers
    ]
    return [
        ("mgr-details-fields-title", fields),
        ("mgr-details-answers-title", answers),
        ("mgr-details-criteria-title", [_criterion(line, t) for line in summary.criteria]),
        ("mgr-details-for", items(summary.reasons_for)),
        ("mgr-details-against", items(summary.reasons_against)),
        ("mgr-details-knockouts", items(summary.knockouts)),
        ("mgr-details-unasked", items(summary.unasked)),
        ("mgr-details-notes", items(summary.notes)),
    ]


def _criterion(line: CriterionLine, t: I18n) -> str:
    """A criterion's level and what it scored: "Бюджет: да — 25 из 25"."""
    return t(
        "mgr-details-criterion",
        title=line.title,
        level=_level_text(line.level, t),
        points=f"{line.contribution:g}",
        weight=f"{line.weight:g}",
    )


def render_record(
    view: LeadView,
    t: I18n,
    zone: ZoneInfo,
    *,
    flow: Flow | None,
    call_events: Sequence[CallEvent],
    lead_events: Sequence[LeadEvent],
    names: Mapping[int, str],
) -> list[str]:
    """`/lead 123` after the card: every answer, notes, the call's timeline, what managers did."""
    timeline = [t("mgr-record-call-title")]
    timeline += [
        t(
            "mgr-record-call-line",
            when=when(event.created_at, zone, t.locale, seconds=True),
            what=_describe_call_event(event, view.summary, flow, t),
        )
        for event in call_events
    ] or [t("mgr-record-empty")]
    history = [t("mgr-record-lead-title")]
    history += [
        t(
            "mgr-record-lead-line",
            when=when(item.created_at, zone, t.locale),
            who=names.get(item.actor_id, str(item.actor_id)) if item.actor_id else "🤖",
            what=_describe_lead_event(item, view.lead, t, names),
        )
        for item in lead_events
    ] or [t("mgr-record-empty")]
    return split_message([*render_details(view, t), "\n".join(timeline), "\n".join(history)])


CALL_EVENT_KINDS = frozenset(
    {"card", "input", "unknown", "objection", "resume", "note", "nofit", "back"}
)
_STEP_LABEL_LIMIT = 60


def _describe_call_event(
    event: CallEvent, summary: CallSummary | None, flow: Flow | None, t: I18n
) -> str:
    """One timeline line: where the call was (the question, or the outcome) and what happened."""
    payload = event.payload
    where = _step_label(event.step, summary, flow)
    if event.kind == "finish":
        outcome = flow.outcomes.get(str(payload.get("outcome"))) if flow else None
        detail = outcome.title if outcome else payload.get("outcome")
        return t.plain("mgr-event-finish", outcome=str(detail or "—"))
    shown = payload.get("display") or payload.get("text") or payload.get("objection")
    if event.kind == "answer":
        shown = _answer_label(flow, event.step, payload.get("answer")) or shown
    kind = t.plain(f"mgr-event-{event.kind}") if event.kind in CALL_EVENT_KINDS else event.kind
    if event.kind in ("objection", "resume") and flow is not None:
        objection = flow.objections.get(str(shown))
        shown = objection.label if objection else shown
    if event.kind in ("answer", "input") and shown:
        return t.plain("mgr-event-bare", step=where, kind=str(shown))
    if event.kind == "card" or not shown:
        return t.plain("mgr-event-bare", step=where, kind=kind)
    return t.plain("mgr-event-generic", kind=kind, step=where, detail=str(shown))


def _step_label(step: str | None, summary: CallSummary | None, flow: Flow | None) -> str:
    """A step as a person reads it: its question (as asked), or the outcome's title."""
    if step is None:
        return "—"
    text = None
    if summary is not None:
        text = next((line.question for line in summary.answers if line.step == step), None)
    if text is None and flow is not None:
        if step in flow.steps:
            text = flow.steps[step].ask or flow.steps[step].say
        elif step in flow.outcomes:
            text = flow.outcomes[step].title
    return clip(text or step, _STEP_LABEL_LIMIT)


def _answer_label(flow: Flow | None, step: str | None, answer: object) -> str | None:
    if flow is None or step not in flow.steps:
        return None
    return next((a.label for a in flow.steps[step].answers if a.id == answer), None)


def _describe_lead_event(event: LeadEvent, lead: Lead, t: I18n, names: Mapping[int, str]) -> str:
    payload = event.payload
    kind = event.kind
    if kind in (LeadEventKind.PASSED, LeadEventKind.ASSIGNED):
        to = payload.get("to")
        name = names.get(to, str(to)) if isinstance(to, int) else "—"
        return t.plain(f"mgr-history-{kind.value}", name=name)
    if kind is LeadEventKind.WON:
        amount = payload.get("amount")
        shown = format_money(Decimal(amount), lead.currency, t.locale) if amount else "—"
        return t.plain("mgr-history-won", amount=shown)
    if kind is LeadEventKind.LOST:
        return t.plain("mgr-history-lost", reason=lost_reason_text(payload.get("reason"), t))
    if kind is LeadEventKind.REJECTED:
        return t.plain("mgr-history-rejected", reason=reject_reason_text(payload.get("reason"), t))
    return t.plain(f"mgr-history-{kind.value}")


KNOWN_LEVELS = frozenset({"yes", "partial", "no", "unknown"})


def _level_text(level: str | None, t: I18n) -> str:
    """A criterion level in words: the usual ids are translated, an author's own shown as is."""
    if level is None:
        return "—"
    return t.plain(f"mgr-level-{level}") if level in KNOWN_LEVELS else level


def split_message(parts: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into as few messages as fit the limit.

    A block too long for one message is split between lines (blocks keep their tags within a
    line); a single line too long for a message is cut with a marker.
    """
    messages: list[str] = []
    current = ""
    for piece in _pieces(parts, limit):
        separator = "\n" if piece.startswith(_CONTINUED) else "\n\n"
        piece = piece.removeprefix(_CONTINUED)
        candidate = f"{current}{separator}{piece}" if current else piece
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = piece
    if current:
        messages.append(current)
    return messages


_CONTINUED = "\x00"
"""Marks a line that continues the block before it (joined with one newline, not two)."""


def _pieces(parts: Sequence[str], limit: int) -> list[str]:
    pieces: list[str] = []
    for part in parts:
        if visible_length(part) <= limit:
            pieces.append(part)
            continue
        for index, line in enumerate(part.split("\n")):
            line = line if visible_length(line) <= limit else fit_message(line, limit)
            pieces.append(line if index == 0 else _CONTINUED + line)
    return pieces
