"""Lead cards as managers see them: the alert, the digest of a burst, details, the full record.

Everything a person or a script wrote is escaped (the translations escape string arguments),
so `<b>ACME & Sons</b>` is shown literally. A card never exceeds Telegram's 4096 characters:
long free text is cut with a marker and the full answers are one tap away ("Подробнее").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LeadAction, LeadCb
from bot.domain import Account, CallEvent, LeadStatus
from bot.i18n import Html, I18n
from bot.leads import LeadEvent, LeadView, LostReason, RejectReason
from bot.render import card_title
from bot.telegram import MESSAGE_LIMIT, escape, fit_message, visible_length
from scripts.summary import CallSummary

TEMPERATURE_EMOJI = {"hot": "🔥", "warm": "🌤", "cold": "❄️"}
BANT_EMOJI = {"confirmed": "✅", "partial": "☑️", "unknown": "❔", "negative": "❌"}
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£"}
_PHONE_REGIONS = {"ru": "RU", "en": "GB"}

# Free-text limits tried in turn until the card fits; None keeps the text whole.
_ITEM_LIMITS: tuple[int | None, ...] = (None, 300, 120, 60)
HANDOFF_REASON = "handoff"
"""A call's finish reason when the hunter handed a hot lead over before the script's end."""
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


_FLUENT_PLACEABLE_LIMIT = 1000
"""Fluent refuses a placeable longer than this (a guard against huge strings)."""


def fill(t: I18n, key: str, /, **args: Any) -> str:
    """`t(key, **args)` that also takes arguments longer than Fluent allows.

    Long values are swapped for short tokens while Fluent formats the message, then put back
    escaped (or as is, for `Html`), exactly as Fluent would have done with a short one.
    """
    long_values: dict[str, str] = {}
    short_args: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, str) and len(value) > _FLUENT_PLACEABLE_LIMIT:
            token = f"\x00{len(long_values)}\x00"
            long_values[token] = value if isinstance(value, Html) else escape(value)
            short_args[name] = Html(token)
        else:
            short_args[name] = value
    text = t(key, **short_args)
    for token, value in long_values.items():
        text = text.replace(token, value)
    return text


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """A full local date and time with the zone: 03.03.2025 12:00 MSK."""
    local = moment.astimezone(zone)
    return f"{local:%d.%m.%Y %H:%M} {local.tzname() or ''}".rstrip()


def short_time(moment: datetime, zone: ZoneInfo) -> str:
    """A short local time for status lines: 03.03 12:05."""
    return moment.astimezone(zone).strftime("%d.%m %H:%M")


def format_money(amount: Decimal | float | int, currency: str, locale: str) -> str:
    """An amount grouped by thousands with the currency sign: 1 500 000 ₽, $25,000."""
    value = Decimal(str(amount))
    whole = value == value.to_integral_value()
    digits = f"{value:,.0f}" if whole else f"{value:,.2f}"
    sign = CURRENCY_SIGNS.get(currency.upper(), currency.upper())
    if locale == "ru":
        return digits.replace(",", " ").replace(".", ",") + f" {sign}"
    return f"{sign}{digits}" if len(sign) == 1 else f"{digits} {sign}"


def e164(phone: str | None, language: str) -> str | None:
    """The phone in international format (+74951234567), which Telegram makes tappable."""
    if not phone:
        return None
    try:
        parsed = phonenumbers.parse(phone, _PHONE_REGIONS.get(language, "RU"))
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_possible_number(parsed):
        return phone
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _cut(text: str, limit: int | None) -> tuple[str, bool]:
    text = " ".join(text.split()) if limit is not None else text.strip()
    if limit is None or len(text) <= limit:
        return text, False
    return text[: limit - 1].rstrip() + "…", True


class _Cutter:
    """Shortens free text to the current limit and remembers whether anything was cut."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.cut = False

    def __call__(self, text: str) -> str:
        shown, was_cut = _cut(text, self.limit)
        self.cut = self.cut or was_cut
        return shown


def render_card(view: LeadView, t: I18n, zone: ZoneInfo) -> str:
    """The alert card: who, what they need, budget, who decides, when, score and why."""
    for limit in _ITEM_LIMITS:
        cutter = _Cutter(limit)
        text = _card_text(view, t, zone, cutter)
        if cutter.cut:
            text += "\n\n" + fill(t, "mgr-card-cut")
        if visible_length(text) <= MESSAGE_LIMIT:
            return text
    return fit_message(text, marker="… ✂️")


def _card_text(view: LeadView, t: I18n, zone: ZoneInfo, cut: Callable[[str], str]) -> str:
    lead, summary = view.lead, view.summary
    temperature = lead.temperature
    blocks: list[str] = [
        fill(
            t,
            "mgr-card-title",
            emoji=TEMPERATURE_EMOJI.get(temperature, "•"),
            ref=lead.reference,
            temperature=t.plain(f"mgr-temperature-{temperature}"),
        )
    ]
    who: list[str] = [fill(t, "mgr-card-company", company=cut(_company(view, t)))]
    if summary is not None:
        if summary.contact:
            role = t.plain(f"mgr-role-{summary.contact_role}") if summary.contact_role else ""
            who.append(
                fill(t, "mgr-card-contact", contact=cut(summary.contact), role=role)
                if role
                else fill(t, "mgr-card-contact-plain", contact=cut(summary.contact))
            )
        phone = e164(summary.phone, summary.language)
        if phone:
            who.append(fill(t, "mgr-card-phone", phone=phone))
        if summary.email:
            who.append(fill(t, "mgr-card-email", email=cut(summary.email)))
    blocks.append("\n".join(who))
    blocks.append(_score_line(view, t))
    if summary is not None and summary.outcome_reason == HANDOFF_REASON:
        blocks.append(fill(t, "mgr-card-handoff"))
    if summary is not None:
        blocks.append(_bant_block(summary, t, cut))
        why: list[str] = []
        if summary.reasons_for:
            why.append(
                fill(t, "mgr-card-for", reasons=cut("; ".join(summary.reasons_for[:_LIST_ITEMS])))
            )
        if summary.reasons_against:
            against = "; ".join(summary.reasons_against[:_LIST_ITEMS])
            why.append(fill(t, "mgr-card-against", reasons=cut(against)))
        if summary.next_step:
            why.append(fill(t, "mgr-card-next-step", step=cut(summary.next_step)))
        if why:
            blocks.append("\n".join(why))
        if summary.notes:
            notes = "\n".join(f"• {cut(note)}" for note in summary.notes)
            blocks.append(fill(t, "mgr-card-notes", notes=notes))
    blocks.append(_footer(view, t, zone))
    status = status_line(view, t, zone)
    if status:
        blocks.append(status)
    return "\n\n".join(blocks)


def _company(view: LeadView, t: I18n) -> str:
    summary = view.summary
    if summary is not None and summary.company:
        return summary.company
    return card_title(view.lead.card, t)


def _score_line(view: LeadView, t: I18n) -> str:
    lead = view.lead
    parts = [fill(t, "mgr-card-score", score=str(round(lead.score)))]
    class_title = view.summary.class_title if view.summary else lead.lead_class
    parts.append(fill(t, "mgr-card-class", title=class_title or lead.lead_class))
    if lead.probability is not None:
        parts.append(fill(t, "mgr-card-probability", percent=str(round(lead.probability * 100))))
    if lead.expected_value is not None:
        value = format_money(lead.expected_value, lead.currency, t.locale)
        parts.append(fill(t, "mgr-card-expected", value=value))
    return " · ".join(parts)


def _bant_block(summary: CallSummary, t: I18n, cut: Callable[[str], str]) -> str:
    lines = [fill(t, "mgr-card-bant-title")]
    for line in summary.bant:
        mark = BANT_EMOJI.get(line.status, "❔")
        name = t.plain(f"mgr-bant-{line.dimension}")
        if line.answer:
            lines.append(
                fill(t, "mgr-card-bant-line", mark=mark, name=name, answer=cut(line.answer))
            )
        else:
            lines.append(fill(t, "mgr-card-bant-empty", mark=mark, name=name))
    return "\n".join(lines)


def _footer(view: LeadView, t: I18n, zone: ZoneInfo) -> str:
    lead, summary = view.lead, view.summary
    flow = summary.flow_title if summary else lead.flow_id
    lines = [
        fill(
            t,
            "mgr-card-footer",
            hunter=view.hunter_name,
            flow=flow,
            version=str(lead.flow_version),
            when=local_time(lead.created_at, zone),
        )
    ]
    if lead.status is LeadStatus.NEW and view.sla_minutes:
        lines.append(fill(t, "mgr-card-sla", minutes=str(view.sla_minutes)))
    return "\n".join(lines)


def status_line(view: LeadView, t: I18n, zone: ZoneInfo) -> str | None:
    """Who has the lead and where it stands; None for a new lead nobody was given."""
    lead = view.lead
    owner = view.owner_name or ""
    if lead.status is LeadStatus.NEW:
        if view.assignee_name:
            return fill(t, "mgr-status-assigned", name=view.assignee_name)
        return None
    if lead.status is LeadStatus.CLAIMED:
        when = short_time(lead.claimed_at or lead.created_at, zone)
        return fill(t, "mgr-status-claimed", name=owner, when=when)
    if lead.status is LeadStatus.IN_PROGRESS:
        return fill(t, "mgr-status-in-progress", name=owner)
    if lead.status is LeadStatus.WON:
        amount = (
            format_money(lead.outcome_amount, lead.currency, t.locale)
            if lead.outcome_amount is not None
            else "—"
        )
        return fill(t, "mgr-status-won", name=owner, amount=amount)
    if lead.status is LeadStatus.LOST:
        return fill(
            t, "mgr-status-lost", name=owner, reason=lost_reason_text(lead.outcome_reason, t)
        )
    return fill(t, "mgr-status-rejected", reason=reject_reason_text(lead.outcome_reason, t))


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


def _button(t: I18n, key: str, action: LeadAction, lead_id: int, arg: str = "") -> Any:
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


# --- digest of a burst --------------------------------------------------------------------------


def render_digest(views: Sequence[LeadView], t: I18n) -> Rendered:
    """Many new leads in one message, hot first, one button per lead to open its card."""
    ordered = sorted(views, key=lambda view: (_heat_rank(view.lead.temperature), view.lead.id))
    lines = [fill(t, "mgr-digest-title", count=len(ordered))]
    for view in ordered:
        lead = view.lead
        line = fill(
            t,
            "mgr-digest-line",
            emoji=TEMPERATURE_EMOJI.get(lead.temperature, "•"),
            ref=lead.reference,
            company=card_title(_title_source(view), t),
            score=str(round(lead.score)),
            lead_class=(view.summary.class_title if view.summary else lead.lead_class),
        )
        if lead.status is not LeadStatus.NEW:
            line += " — " + _digest_status(view, t)
        lines.append(line)
    lines.append(fill(t, "mgr-digest-hint"))
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


def _title_source(view: LeadView) -> dict[str, Any]:
    company = view.summary.company if view.summary else None
    return {"company": company} if company else dict(view.lead.card)


def _digest_status(view: LeadView, t: I18n) -> str:
    lead = view.lead
    if lead.status in (LeadStatus.CLAIMED, LeadStatus.IN_PROGRESS):
        return fill(t, "mgr-digest-taken", name=view.owner_name or "")
    return t.plain(f"mgr-digest-closed-{lead.status.value}")


def _heat_rank(temperature: str) -> int:
    return {"hot": 0, "warm": 1, "cold": 2}.get(temperature, 3)


# --- details and the full record ----------------------------------------------------------------


def render_details(view: LeadView, t: I18n) -> list[str]:
    """Every answer of the call, the score by criterion and the notes; split to fit messages."""
    lead, summary = view.lead, view.summary
    parts = [fill(t, "mgr-details-title", ref=lead.reference, company=_company(view, t))]
    if summary is None:
        parts.append(fill(t, "mgr-details-none"))
        return split_message(parts)
    if summary.lead:
        parts.append(
            fill(t, "mgr-details-fields-title")
            + "\n"
            + "\n".join(fill(t, "mgr-details-field", title=k, value=v) for k, v in summary.lead)
        )
    if summary.answers:
        answers = [fill(t, "mgr-details-answers-title")]
        answers += [
            fill(t, "mgr-details-answer", question=line.question, answer=line.answer)
            for line in summary.answers
        ]
        parts.append("\n".join(answers))
    if summary.criteria:
        criteria = [fill(t, "mgr-details-criteria-title")]
        criteria += [
            fill(
                t,
                "mgr-details-criterion",
                title=line.title,
                level=_level_text(line.level, t),
                points=f"{line.contribution:g}",
                weight=f"{line.weight:g}",
            )
            for line in summary.criteria
        ]
        parts.append("\n".join(criteria))
    for key, items in (
        ("mgr-details-for", summary.reasons_for),
        ("mgr-details-against", summary.reasons_against),
        ("mgr-details-knockouts", summary.knockouts),
        ("mgr-details-unasked", summary.unasked),
        ("mgr-details-notes", summary.notes),
    ):
        if items:
            parts.append(
                fill(t, key) + "\n" + "\n".join(fill(t, "mgr-details-item", text=i) for i in items)
            )
    if summary.strategy:
        parts.append(fill(t, "mgr-details-strategy", text=summary.strategy))
    return split_message(parts)


def render_record(
    view: LeadView,
    t: I18n,
    zone: ZoneInfo,
    *,
    call_events: Sequence[CallEvent],
    lead_events: Sequence[LeadEvent],
    names: dict[int, str],
) -> list[str]:
    """`/lead 123` after the card: every answer, notes, the call's timeline, what managers did."""
    parts = list(render_details(view, t))
    timeline = [fill(t, "mgr-record-call-title")]
    answers = {line.step: line for line in (view.summary.answers if view.summary else ())}
    for event in call_events:
        timeline.append(
            fill(
                t,
                "mgr-record-call-line",
                when=event.created_at.astimezone(zone).strftime("%d.%m %H:%M:%S"),
                what=_describe_call_event(event, answers, t),
            )
        )
    if len(timeline) == 1:
        timeline.append(fill(t, "mgr-record-empty"))
    parts.append("\n".join(timeline))
    history = [fill(t, "mgr-record-lead-title")]
    for item in lead_events:
        history.append(
            fill(
                t,
                "mgr-record-lead-line",
                when=short_time(item.created_at, zone),
                who=names.get(item.actor_id, str(item.actor_id)) if item.actor_id else "🤖",
                what=_describe_lead_event(item, t, names),
            )
        )
    if len(history) == 1:
        history.append(fill(t, "mgr-record-empty"))
    parts.append("\n".join(history))
    return split_message(parts)


_CALL_EVENT_KINDS = frozenset(
    {"card", "input", "unknown", "objection", "resume", "note", "nofit", "back", "finish"}
)


def _describe_call_event(event: CallEvent, answers: dict[str, Any], t: I18n) -> str:
    payload = event.payload
    step = event.step or "—"
    if event.kind == "answer" and step in answers:
        return t.plain("mgr-event-answer", step=step, answer=answers[step].answer)
    shown = payload.get("display") or payload.get("text") or payload.get("answer")
    shown = shown or payload.get("objection") or payload.get("outcome")
    kind = t.plain(f"mgr-event-{event.kind}") if event.kind in _CALL_EVENT_KINDS else event.kind
    if event.kind == "card" or not shown:
        return t.plain("mgr-event-bare", step=step, kind=kind)
    return t.plain("mgr-event-generic", kind=kind, step=step, detail=str(shown))


def _describe_lead_event(event: LeadEvent, t: I18n, names: dict[int, str]) -> str:
    payload = event.payload
    if event.kind.value in ("passed", "assigned"):
        to = payload.get("to")
        return t.plain(
            f"mgr-history-{event.kind.value}",
            name=names.get(int(to), str(to)) if isinstance(to, int) else "—",
        )
    if event.kind.value == "won":
        return t.plain("mgr-history-won", amount=str(payload.get("amount", "—")))
    if event.kind.value == "lost":
        return t.plain("mgr-history-lost", reason=lost_reason_text(payload.get("reason"), t))
    if event.kind.value == "rejected":
        return t.plain("mgr-history-rejected", reason=reject_reason_text(payload.get("reason"), t))
    return t.plain(f"mgr-history-{event.kind.value}")


_KNOWN_LEVELS = frozenset({"yes", "partial", "no", "unknown"})


def _level_text(level: str | None, t: I18n) -> str:
    """A criterion level in words: the usual ids are translated, an author's own shown as is."""
    if level is None:
        return "—"
    return t.plain(f"mgr-level-{level}") if level in _KNOWN_LEVELS else level


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
