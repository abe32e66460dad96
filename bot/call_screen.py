"""The call screen and the call summary as Telegram HTML with their inline keyboards.

Everything a flow author or a hunter wrote (lines, labels, the company name, notes) reaches the
text as a translation argument, which escapes it; button labels are plain text. Answer buttons
are packed with `scripts.telegram_limits.answer_callback_data`, the encoder the linter measures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallAction, MenuAction, ResumeCallCb, pack_call
from bot.calls import HANDOFF_REASON, CallView
from bot.domain import CallStatus, Lead
from bot.i18n import I18n
from bot.keyboards import MENU_DATA, callback_button, inline_markup
from bot.render import bant_lines, card_title, day_format, format_money
from bot.telegram import escape
from scoring.model import whole_points
from scripts.engine import ObjectionView, Screen, score_line
from scripts.schema import Flow
from scripts.summary import CallSummary
from scripts.telegram_limits import MAX_BUTTONS_PER_ROW, answer_callback_data

Keyboard = list[list[InlineKeyboardButton]]

CALLBACK_PRESETS = ("in-hour", "tomorrow-morning", "tomorrow-afternoon")
"""Quick callback times: `call-callback-<preset>-button` is the label, `call-callback-<preset>`
the text parsed as if the hunter had typed it."""

_REASONS_SHOWN = 3


class Panel(StrEnum):
    """What the call screen shows besides the step itself."""

    STEP = "step"
    OBJECTIONS = "objections"
    FINISH = "finish"
    NOTE = "note"
    NO_FIT = "nofit"
    CALLBACK_TIME = "callback"
    PAUSED = "paused"


def render_call(
    view: CallView, t: I18n, panel: Panel = Panel.STEP
) -> tuple[str, InlineKeyboardMarkup]:
    """The call screen: the summary once the call is finished, else the step or a panel."""
    if view.call.status is CallStatus.FINISHED and panel is not Panel.NOTE:
        return render_summary(view, t)
    if view.call.status is CallStatus.PAUSED:
        panel = Panel.PAUSED
    if panel is Panel.STEP:
        return _step(view, t)
    blocks, keyboard = _PANELS[panel](view, t)
    text = "\n\n".join([header(view, t), *blocks])
    return text, inline_markup(keyboard)


PanelParts = tuple[list[str], Keyboard]


def _objections_panel(view: CallView, t: I18n) -> PanelParts:
    buttons = [
        _button(view, CallAction.OBJECTION, label, objection_id)
        for objection_id, label in view.screen.objections
    ]
    blocks = [t("call-screen-objections"), _score(view.screen, t)]
    return blocks, [*_rows(buttons, 2), _cancel_row(view, t)]


def _outcomes_panel(view: CallView, t: I18n) -> PanelParts:
    rows = [
        [_button(view, CallAction.FINISH, outcome.title, outcome.id)]
        for outcome in view.screen.outcomes
    ]
    return [t("call-screen-finish"), _score(view.screen, t)], [*rows, _cancel_row(view, t)]


def _note_panel(view: CallView, t: I18n) -> PanelParts:
    return [t("call-screen-note")], [_cancel_row(view, t)]


def _no_fit_panel(view: CallView, t: I18n) -> PanelParts:
    return [t("call-screen-nofit")], [_cancel_row(view, t)]


def _callback_time_panel(view: CallView, t: I18n) -> PanelParts:
    presets = [
        _button(view, CallAction.CALLBACK_TIME, t.plain(f"call-callback-{preset}-button"), preset)
        for preset in CALLBACK_PRESETS
    ]
    return [t("call-screen-callback")], [presets, _cancel_row(view, t)]


def _paused_panel(view: CallView, t: I18n) -> PanelParts:
    resume = callback_button(
        t.plain("call-resume-button"), ResumeCallCb(call_id=view.call.id).pack()
    )
    return [t("call-screen-paused")], [[resume]]


def _cancel_row(view: CallView, t: I18n) -> list[InlineKeyboardButton]:
    """Back to the step, nothing changed."""
    return [_button(view, CallAction.SHOW, t.plain("call-cancel-button"))]


_PANELS: dict[Panel, Callable[[CallView, I18n], PanelParts]] = {
    Panel.OBJECTIONS: _objections_panel,
    Panel.FINISH: _outcomes_panel,
    Panel.NOTE: _note_panel,
    Panel.NO_FIT: _no_fit_panel,
    Panel.CALLBACK_TIME: _callback_time_panel,
    Panel.PAUSED: _paused_panel,
}


def quote(text: str) -> str:
    """A line to read aloud, as a quote (escaped: an author or a client wrote it)."""
    return f"<blockquote>{escape(text)}</blockquote>"


def header(view: CallView, t: I18n) -> str:
    """Company and progress: "<b>ООО Ромашка</b> · шаг 3/9"."""
    screen = view.screen
    return t(
        "call-screen-header",
        company=card_title(view.displays, t),
        step=str(screen.step_number),
        total=str(max(screen.step_number, screen.path_length_estimate)),
    )


def _step(view: CallView, t: I18n) -> tuple[str, InlineKeyboardMarkup]:
    """The step with its answers, or an open objection, or a knock-out or outcome reached."""
    screen = view.screen
    if screen.objection_open is not None:
        blocks, keyboard = _objection_open(view, screen.objection_open, t)
    elif screen.knockouts or screen.reached_outcome is not None:
        blocks, keyboard = _ending(view, t)
    else:
        blocks, keyboard = _step_text(screen, t), _answer_rows(view, t)
    blocks = [header(view, t), *blocks, _score(screen, t)]
    if screen.objection_open is None and _handoff_offered(screen):
        blocks.append(t("call-screen-handoff"))
        keyboard.insert(0, [_button(view, CallAction.HANDOFF, t.plain("call-handoff-button"))])
    on_step = screen.reached_outcome is None and screen.objection_open is None
    keyboard += _controls(view, t, on_step=on_step)
    return "\n\n".join(blocks), inline_markup(keyboard)


def _objection_open(view: CallView, objection: ObjectionView, t: I18n) -> PanelParts:
    """The client's objection, its rebuttal to read out, and the way back to the question."""
    blocks = [t("call-screen-objection", label=objection.label), quote(objection.say)]
    return blocks, [[_button(view, CallAction.RESUME, t.plain("call-return-button"))]]


def _ending(view: CallView, t: I18n) -> PanelParts:
    """A knock-out (finish as not a fit) and/or the outcome the script reached (finish with it).

    A knock-out before the script's end leaves the step's answers on screen: the hunter may
    still go on, the knock-out line only warns.
    """
    screen = view.screen
    blocks: list[str] = []
    keyboard: Keyboard = []
    disqualify = screen.disqualify_outcome if screen.knockouts else None
    if screen.knockouts:
        hit = screen.knockouts[0]
        blocks += [t("call-screen-knockout", title=hit.title), *_quoted(hit.say)]
    if disqualify is not None:
        label = t.plain("call-disqualify-button")
        keyboard.append([_button(view, CallAction.FINISH, label, disqualify.id)])
    reached = screen.reached_outcome
    if reached is None:
        return [*blocks, *_step_text(screen, t)], [*keyboard, *_answer_rows(view, t)]
    if disqualify is None or disqualify.id != reached.id:
        blocks += [t("call-screen-reached", title=reached.title), *_quoted(reached.say)]
        label = t.plain("call-finish-with-button", title=reached.title)
        keyboard.append([_button(view, CallAction.FINISH, label, reached.id)])
    return blocks, keyboard


def _quoted(text: str | None) -> list[str]:
    return [quote(text)] if text else []


def _step_text(screen: Screen, t: I18n) -> list[str]:
    blocks = []
    if screen.say:
        blocks.append(quote(screen.say))
    if screen.ask:
        blocks.append(f"<b>{escape(screen.ask)}</b>")
    if screen.hint:
        blocks.append(f"<i>{escape(screen.hint)}</i>")
    if screen.input is not None:
        if screen.input.example:
            blocks.append(
                t(
                    "call-screen-input-example",
                    field=screen.input.title,
                    example=screen.input.example,
                )
            )
        else:
            blocks.append(t("call-screen-input", field=screen.input.title))
    return blocks


def _answer_rows(view: CallView, t: I18n) -> Keyboard:
    screen = view.screen
    rows: Keyboard = []
    buttons = [
        callback_button(label, answer_callback_data(view.call.id, screen.seq, answer_id))
        for answer_id, label in screen.answers
    ]
    rows += _rows(buttons, screen.columns)
    if screen.input is not None:
        options = [
            _button(view, CallAction.OPTION, label, str(index))
            for index, (_, label) in enumerate(screen.input.options)
        ]
        rows += _rows(options, max(screen.columns, 2))
        if screen.input.skippable:
            rows.append([_button(view, CallAction.DONT_KNOW, t.plain("call-dont-know-button"))])
    return rows


def _controls(view: CallView, t: I18n, *, on_step: bool) -> Keyboard:
    screen = view.screen
    first = []
    if screen.can_back:
        first.append(_button(view, CallAction.BACK, t.plain("call-back-button")))
    if screen.objections:
        first.append(_button(view, CallAction.OBJECTIONS, t.plain("call-objection-button")))
    second = [_button(view, CallAction.NOTE, t.plain("call-note-button"))]
    if on_step:
        second.append(_button(view, CallAction.NO_FIT, t.plain("call-nofit-button")))
    third = [
        _button(view, CallAction.PAUSE, t.plain("call-pause-button")),
        _button(view, CallAction.FINISH_MENU, t.plain("call-finish-button")),
    ]
    return [row for row in (first, second, third) if row]


def _handoff_offered(screen: Screen) -> bool:
    if not screen.handoff_ready:
        return False
    if screen.reached_outcome is not None and screen.reached_outcome.kind == "qualified":
        return False  # finishing with the outcome reached hands it over already
    return any(outcome.kind == "qualified" for outcome in screen.outcomes)


def qualified_outcome(flow: Flow) -> str | None:
    """The outcome a handoff finishes the call with: the flow's first qualified one."""
    return next((oid for oid, o in flow.outcomes.items() if o.kind == "qualified"), None)


def _button(view: CallView, action: CallAction, text: str, arg: str = "") -> InlineKeyboardButton:
    """A call control drawn at the call's current event count."""
    return callback_button(text, pack_call(view.call.id, view.state.seq, action, arg))


def _rows(buttons: Sequence[InlineKeyboardButton], columns: int) -> Keyboard:
    width = max(1, min(columns, MAX_BUTTONS_PER_ROW))
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _score(screen: Screen, t: I18n) -> str:
    return "📊 " + escape(score_line(screen.assessment, screen.language))


# ----- the summary card -----


def render_summary(view: CallView, t: I18n) -> tuple[str, InlineKeyboardMarkup]:
    """The card shown when the call ends: score, class, BANT, value, outcome, next step."""
    summary = view.summary()
    screen = view.screen
    blocks = [summary_text(summary, screen, view.lead, t)]
    if summary.notes:
        blocks.append("\n".join(f"📝 {escape(note)}" for note in summary.notes))
    first = [_button(view, CallAction.NOTE, t.plain("call-note-button"))]
    if summary.outcome_kind == "callback":
        first.append(_button(view, CallAction.AGAIN, t.plain("call-again-button")))
    keyboard: Keyboard = [
        first,
        [
            callback_button(t.plain("call-new-call-button"), MENU_DATA[MenuAction.NEW_CALL]),
            callback_button(t.plain("menu-home"), MENU_DATA[MenuAction.HOME]),
        ],
    ]
    return "\n\n".join(blocks), inline_markup(keyboard)


def summary_text(summary: CallSummary, screen: Screen, lead: Lead | None, t: I18n) -> str:
    """The summary's text without the notes."""
    lines = [t("call-summary-title", outcome=summary.outcome_title or "—")]
    lines.append(f"<b>{escape(summary.company or t.plain('call-untitled'))}</b>")
    contact = " · ".join(part for part in (summary.contact, summary.phone, summary.email) if part)
    if contact:
        lines.append(f"👤 {escape(contact)}")
    lines.append(_score(screen, t))
    # The hunter's decision outranks the model's: a lead disqualified by hand is not "warm",
    # and a callback agreed for a time is the next step, not the class's usual one.
    overruled = summary.outcome_kind == "disqualified" and not summary.knockouts
    if not overruled:
        lines.append(t("call-summary-class", title=summary.class_title))
    lines += _deal_lines(summary, t)
    lines += ["", *bant_lines(summary, t), ""]
    if summary.next_step and summary.outcome_kind not in ("disqualified", "callback"):
        lines.append(t("call-summary-next", text=summary.next_step))
    lines += [t("call-summary-for", text=r) for r in summary.reasons_for[:_REASONS_SHOWN]]
    lines += [t("call-summary-against", text=r) for r in summary.reasons_against[:_REASONS_SHOWN]]
    lines += _ending_lines(summary, lead, t)
    return "\n".join(_squeeze(lines))


def _deal_lines(summary: CallSummary, t: I18n) -> list[str]:
    """Probability and expected value, unless the lead is out: no deal is expected then."""
    if summary.outcome_kind == "disqualified" or summary.knockouts:
        return []
    lines = []
    if summary.probability is not None:
        prior = summary.priorities_rated == 0
        key = "call-summary-probability-prior" if prior else "call-summary-probability"
        lines.append(t(key, percent=str(whole_points(summary.probability * 100))))
    if summary.expected_value is not None:
        amount = format_money(whole_points(summary.expected_value), summary.currency, t.locale)
        lines.append(t("call-summary-value", amount=amount))
    return lines


def _ending_lines(summary: CallSummary, lead: Lead | None, t: I18n) -> list[str]:
    """Why the call ended so, when to call back, where the lead went."""
    lines = []
    if summary.outcome_reason == HANDOFF_REASON:
        lines.append(t("call-summary-handoff"))
    elif reason := reason_title(summary):
        lines.append(t("call-summary-reason", reason=reason))
    if summary.callback_at:
        when = callback_time(summary.callback_at, t.locale)
        lines.append(t("call-summary-callback", when=when))
    if lead is not None:
        key = (
            "call-summary-lead-alerted"
            if summary.outcome_kind == "qualified"
            else "call-summary-lead-saved"
        )
        lines.append(t(key, id=str(lead.id)))
    return lines


def reason_title(summary: CallSummary) -> str | None:
    """Why a lead was disqualified, in words: the knock-out's title, else the outcome's."""
    if summary.outcome_kind != "disqualified" or summary.outcome_reason is None:
        return None
    if summary.knockouts:
        return summary.knockouts[0]
    return summary.outcome_title or summary.outcome_reason


def callback_time(iso: str, locale: str) -> str:
    """A callback time as the hunter reads it (the stored text keeps its offset)."""
    moment = datetime.fromisoformat(iso)
    return moment.strftime(f"{day_format(locale)} %H:%M")


def _squeeze(lines: Iterable[str]) -> list[str]:
    """Drop blank lines at the ends and doubled ones in between."""
    result: list[str] = []
    for line in lines:
        if not line and (not result or not result[-1]):
            continue
        result.append(line)
    while result and not result[-1]:
        result.pop()
    return result
