"""What drawing the call screen costs, against baselines measured in the same run.

Run: `.venv/bin/python -m benchmarks.bench_screen` (option: `--samples`). Figures are printed,
never asserted: the machine is shared, so compare the ratios, which are taken sample by sample
between measurements that alternate, not the microseconds.

Measured, per screen, on the shipped Russian cold-call flow:
- the step screens of a whole call as a hunter presses through it (what each press redraws),
  and the panels (objections, outcomes, callback time, note, paused) and the summary card;
- each drawn as the bot draws it, and the ordinary way in the same run: every button and
  keyboard validated by pydantic, callback data packed by `CallCb.pack()`, every text
  formatted by Fluent (the screen's short cuts swapped for aiogram's and Fluent's own);
- baselines: one validated `InlineKeyboardButton(text=..., callback_data=CallCb(...).pack())`,
  the unit a screen is also given in, and one Fluent format of a constant button label.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

import bot.call_screen
import bot.i18n
from bot.call_screen import Panel, render_call
from bot.callbacks import CallAction, CallCb
from bot.calls import CallView
from bot.domain import Call, CallStatus
from bot.i18n import I18n, Translator
from scripts.engine import Engine, Result, engine_for
from scripts.loader import load_flow

FLOW = Path(__file__).resolve().parents[1] / "scripts" / "flows" / "b2b_cold_call_ru.yaml"
NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
CARD = {"company": "ООО «Северный хлеб»", "contact_name": "Ирина Соколова"}
CALL: tuple[tuple[str, str], ...] = (
    ("answer", "who"),
    ("answer", "connect"),
    ("answer", "yes_me"),
    ("answer", "food"),
    ("submit", "120"),
    ("answer", "several"),
    ("answer", "delays"),
    ("submit", "1,5 млн"),
    ("answer", "self"),
    ("submit", "через месяц"),
    ("answer", "losing"),
    ("answer", "delivery"),
    ("answer", "meeting"),
)
PANELS = (Panel.OBJECTIONS, Panel.FINISH, Panel.CALLBACK_TIME, Panel.NOTE, Panel.NO_FIT)
SAMPLE_SECONDS = 0.05

Screen = tuple[CallView, Panel]


def call_views(engine: Engine) -> list[CallView]:
    """The call screen after each press of the scripted call, the first one included."""
    flow = engine.flow
    call = Call(
        id=1_234_567,
        hunter_id=700_000,
        flow_id=flow.id,
        flow_version=flow.version,
        status=CallStatus.OPEN,
        outcome=None,
        outcome_reason=None,
        card=CARD,
        chat_id=700_000,
        screen_message_id=10_000,
        started_at=NOW,
        updated_at=NOW,
        finished_at=None,
    )
    result: Result = engine.start(CARD, now=NOW)
    views = [CallView(call, engine, result.state, result.screen)]
    for action, argument in CALL:
        result = getattr(engine, action)(result.state, argument, now=NOW)
        views.append(CallView(call, engine, result.state, result.screen))
    return views


def other_screens(engine: Engine, views: Sequence[CallView]) -> list[Screen]:
    """The panels on a step mid-call, that step paused, and the summary of the finished call."""
    middle = views[len(views) // 2]
    paused = replace(middle, call=replace(middle.call, status=CallStatus.PAUSED))
    last = views[-1]
    outcome = last.screen.reached_outcome
    assert outcome is not None, "the scripted call reaches an outcome"
    finished = engine.finish(last.state, outcome.id, now=NOW)
    summary = CallView(
        replace(last.call, status=CallStatus.FINISHED, outcome=outcome.id),
        engine,
        finished.state,
        finished.screen,
    )
    return [
        *((middle, panel) for panel in PANELS),
        (paused, Panel.STEP),
        (summary, Panel.STEP),
    ]


def _validated_button(text: str, callback_data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=callback_data)


def _validated_markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _packed_by_aiogram(call_id: int, seq: int, action: CallAction, arg: str = "") -> str:
    return CallCb(call_id=call_id, seq=seq, action=action, arg=arg).pack()


@contextmanager
def ordinary_way() -> Iterator[None]:
    """The screen drawn without its short cuts: validated buttons, aiogram's packing, Fluent."""
    with ExitStack() as stack:
        stack.enter_context(patch.object(bot.call_screen, "callback_button", _validated_button))
        stack.enter_context(patch.object(bot.call_screen, "inline_markup", _validated_markup))
        stack.enter_context(patch.object(bot.call_screen, "pack_call", _packed_by_aiogram))
        stack.enter_context(patch.object(bot.i18n, "_fill", lambda *_, **__: None))
        yield


def per_item_microseconds(action: Callable[[], object], items: int) -> float:
    """Microseconds per item of one `action` run over `items`, repeated for a short while."""
    runs = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SAMPLE_SECONDS:
        action()
        runs += 1
    return elapsed / (runs * items) * 1e6


def draw_all(screens: Sequence[Screen], t: I18n) -> Callable[[], None]:
    """An action drawing every screen once."""

    def draw() -> None:
        for view, panel in screens:
            render_call(view, t, panel)

    return draw


def compare(
    screens: Sequence[Screen], translator: Translator, t: I18n, samples: int
) -> tuple[float, float, float]:
    """Median µs per screen as drawn now, the ordinary way, and the median per-sample ratio."""
    fast, ordinary, ratios = [], [], []
    for _ in range(samples):
        fast.append(per_item_microseconds(draw_all(screens, t), len(screens)))
        with ordinary_way():
            ordinary.append(per_item_microseconds(draw_all(screens, t), len(screens)))
        ratios.append(ordinary[-1] / fast[-1])
    return statistics.median(fast), statistics.median(ordinary), statistics.median(ratios)


def same_screens(screens: Sequence[Screen], translator: Translator, t: I18n) -> bool:
    """Whether both ways draw identical texts and keyboards (the comparison is fair)."""
    drawn = [render_call(view, t, panel) for view, panel in screens]
    with ordinary_way():
        ordinary = [render_call(view, t, panel) for view, panel in screens]
    return [(text, markup.model_dump()) for text, markup in drawn] == [
        (text, markup.model_dump()) for text, markup in ordinary
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=21, help="alternating samples per figure")
    args = parser.parse_args(argv)
    translator = Translator.from_directory()
    t = translator.bind("ru")
    engine = engine_for(load_flow(FLOW))
    views = call_views(engine)
    steps: list[Screen] = [(view, Panel.STEP) for view in views]
    others = other_screens(engine, views)
    assert same_screens([*steps, *others], translator, t), "both ways must draw the same"

    def one_button() -> object:
        data = CallCb(call_id=1_234_567, seq=7, action=CallAction.NOTE).pack()
        return InlineKeyboardButton(text="📝 Заметка", callback_data=data)

    button = statistics.median(per_item_microseconds(one_button, 1) for _ in range(args.samples))
    with ordinary_way():
        fluent_label = statistics.median(
            per_item_microseconds(lambda: translator.translate("ru", "call-note-button"), 1)
            for _ in range(args.samples)
        )
    label = statistics.median(
        per_item_microseconds(lambda: translator.translate("ru", "call-note-button"), 1)
        for _ in range(args.samples)
    )
    per_step = sum(
        len(row) for view, panel in steps for row in render_call(view, t, panel)[1].inline_keyboard
    ) / len(steps)
    print(f"flow {engine.flow.id} v{engine.flow.version}, median of {args.samples} samples")
    print(f"baseline: one validated button with CallCb.pack(): {button:6.2f} µs")
    print(
        f"a constant button label: {label:.2f} µs now, {fluent_label:.2f} µs through Fluent "
        f"({fluent_label / label:.1f}x)"
    )
    groups = {
        f"step screens of a whole call ({len(steps)}, {per_step:.1f} buttons each)": steps,
        f"panels, paused and summary ({len(others)})": others,
    }
    for name, screens in groups.items():
        fast, ordinary, ratio = compare(screens, translator, t, args.samples)
        print(name)
        print(f"  as drawn now:     {fast:6.1f} µs per screen = {fast / button:4.1f} buttons")
        print(
            f"  the ordinary way: {ordinary:6.1f} µs per screen = {ordinary / button:4.1f} buttons"
        )
        print(f"  ordinary / now:   {ratio:6.1f}x (median of per-sample ratios)")


if __name__ == "__main__":
    main()
