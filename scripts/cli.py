"""The script authors' console: `python -m scripts lint|graph|play|paths FILE`.

Exit codes: 0 all good, 1 the flow has errors, 2 the command line was wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scoring.model import Assessment, whole_points
from scripts.engine import (
    BANT_ORDER,
    ActionRejected,
    Engine,
    Result,
    Screen,
    engine_for,
    score_line,
)
from scripts.graph import OUTCOME_MARK, render
from scripts.inputs import Invalid, Parsed, parse_input
from scripts.lint import lint_file
from scripts.loader import FlowError, load_flow
from scripts.paths import DEFAULT_LIMIT, Choice, FlowPath, PathReport, enumerate_paths
from scripts.schema import Flow

Clock = Callable[[], datetime]

PER_OUTCOME = 10
"""Paths shown per outcome by default: the shortest ones, enough to see how a call gets there."""

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "lint_summary": "Файлов: {files} · ошибок: {errors} · предупреждений: {warnings}",
        "say": "🗣 Скажите: {text}",
        "ask": "❓ Спросите: {text}",
        "hint": "💡 {text}",
        "input": "✍ Впишите «{title}»{example}",
        "example": " (например: {text})",
        "dont_know": "? — клиент не знает",
        "progress": "── шаг {number} из ~{total} · {step} ──",
        "commands": (
            "b — назад · o — возражение · n текст — заметка · x текст — нет подходящего ответа"
            " · f — завершить · q — выйти"
        ),
        "objection": "⚡ Возражение «{label}»: {say}",
        "resume_hint": "r — вернуться к разговору",
        "objections": "Возражения:",
        "outcomes": "Исходы:",
        "pick": "Номер: ",
        "reached": "🏁 Исход: {title}",
        "finish_offer": "y — завершить с этим исходом · b — назад",
        "knockout": "⛔ {title}: {say}",
        "knockout_offer": "y — завершить как «{title}»",
        "handoff": "🔥 Горячий лид, BANT закрыт — можно передавать менеджеру (f).",
        "callback_at": "Когда перезвонить? (Enter — пропустить): ",
        "card": "Карточка лида (Enter — пропустить):",
        "card_field": "{title}{example}: ",
        "unknown_command": "Не понял. Номер ответа, текст ответа или команда (h — помощь).",
        "summary": "═══ Итог звонка ═══",
        "outcome": "Исход: {text}",
        "not_finished": "звонок не завершён",
        "reason": "Причина: {text}",
        "callback": "Перезвонить: {text}",
        "score": "Оценка: {text}",
        "class": "Класс: {text}",
        "bant": "BANT: {text}",
        "probability": "Вероятность сделки: {text}",
        "value": "Объём: {volume} · ожидаемая ценность: {expected}",
        "next_step": "Следующий шаг: {text}",
        "for": "За: {text}",
        "against": "Против: {text}",
        "knockouts": "Стоп-факторы: {text}",
        "lead": "Карточка: {text}",
        "notes": "Заметки: {text}",
        "paths_title": "Пути сценария «{title}» ({id} v{version})",
        "paths_reachable": "Исходы: достижимы {reached} из {total}",
        "paths_found": "Исходы: найдены {reached} из {total}",
        "paths_unreachable": "Недостижимы: {names}",
        "paths_not_found": "Не найдены: {names}",
        "paths_incomplete": (
            "Перебор звонков остановлен на пределе: исходы и горячий лид — среди найденных."
        ),
        "paths_search_stop": "Перебор путей остановлен на пределе: показаны найденные (короткие).",
        "paths_hot_yes": "🔥 Горячий лид достижим: {names}",
        "paths_hot_no": "🔥 Горячий лид недостижим ни на одном пути",
        "paths_hot_not_found": "🔥 Горячий лид не найден",
        "paths_outcome": "== {mark} {title} ({id}): путей {count}, баллы {low}–{high} {temps}",
        "paths_outcome_none": "== {mark} {title} ({id}): пути не показаны (за пределом)",
        "paths_more": "  … ещё {count}: --per-outcome {total} покажет все",
        "paths_cap": "Предел {limit} путей достигнут: найдены первые (короткие) пути; --max N.",
        "paths_total": "Всего путей: {count}",
        "paths_loops": "Петли (обрезаны): {loops}",
        "otherwise": "иначе",
        "noted": "📝 Заметка сохранена.",
        "no_fit_kept": "📝 Записано для автора сценария; шаг тот же.",
    },
    "en": {
        "lint_summary": "{files} file(s) checked · errors: {errors} · warnings: {warnings}",
        "say": "🗣 Say: {text}",
        "ask": "❓ Ask: {text}",
        "hint": "💡 {text}",
        "input": "✍ Type «{title}»{example}",
        "example": " (e.g. {text})",
        "dont_know": "? — the client does not know",
        "progress": "── step {number} of ~{total} · {step} ──",
        "commands": (
            "b — back · o — objection · n text — note · x text — no fitting answer"
            " · f — finish · q — quit"
        ),
        "objection": "⚡ Objection «{label}»: {say}",
        "resume_hint": "r — back to the conversation",
        "objections": "Objections:",
        "outcomes": "Outcomes:",
        "pick": "Number: ",
        "reached": "🏁 Outcome: {title}",
        "finish_offer": "y — finish with this outcome · b — back",
        "knockout": "⛔ {title}: {say}",
        "knockout_offer": "y — finish as «{title}»",
        "handoff": "🔥 Hot lead with BANT covered — ready to hand to a manager (f).",
        "callback_at": "When to call back? (Enter to skip): ",
        "card": "Lead card (Enter to skip):",
        "card_field": "{title}{example}: ",
        "unknown_command": "Not understood. An answer number, a typed answer or a command (h).",
        "summary": "═══ Call summary ═══",
        "outcome": "Outcome: {text}",
        "not_finished": "the call was not finished",
        "reason": "Reason: {text}",
        "callback": "Call back: {text}",
        "score": "Score: {text}",
        "class": "Class: {text}",
        "bant": "BANT: {text}",
        "probability": "Deal probability: {text}",
        "value": "Volume: {volume} · expected value: {expected}",
        "next_step": "Next step: {text}",
        "for": "For: {text}",
        "against": "Against: {text}",
        "knockouts": "Knock-outs: {text}",
        "lead": "Lead card: {text}",
        "notes": "Notes: {text}",
        "paths_title": "Paths of «{title}» ({id} v{version})",
        "paths_reachable": "Outcomes reachable: {reached} of {total}",
        "paths_found": "Outcomes found: {reached} of {total}",
        "paths_unreachable": "Unreachable: {names}",
        "paths_not_found": "Not found: {names}",
        "paths_incomplete": (
            "The search over calls hit its limit: outcomes and hot leads are those found."
        ),
        "paths_search_stop": "The search for paths hit its limit: the (shortest) found are shown.",
        "paths_hot_yes": "🔥 A hot lead is reachable: {names}",
        "paths_hot_no": "🔥 A hot lead is reachable on no path",
        "paths_hot_not_found": "🔥 No hot lead found",
        "paths_outcome": "== {mark} {title} ({id}): {count} paths, score {low}–{high} {temps}",
        "paths_outcome_none": "== {mark} {title} ({id}): no path shown (beyond the cap)",
        "paths_more": "  … {count} more: --per-outcome {total} shows them all",
        "paths_cap": "Cap of {limit} paths reached: the first (shortest) were found; use --max N.",
        "paths_total": "Paths: {count}",
        "paths_loops": "Loops (cut): {loops}",
        "otherwise": "otherwise",
        "noted": "📝 Note saved.",
        "no_fit_kept": "📝 Kept for the script's author; same step.",
    },
}

REJECTED: dict[str, dict[str, str]] = {
    "ru": {
        "finished": "Звонок уже завершён.",
        "unknown_answer": "Такого ответа на этом шаге нет.",
        "no_input": "На этом шаге нечего вписывать — выберите ответ.",
        "not_skippable": "Этот вопрос нельзя пропустить.",
        "no_route": "Сценарий не знает, куда идти с таким ответом (проверьте условия).",
        "at_start": "Это первый шаг — назад некуда.",
        "unknown_objection": "Такого возражения нет.",
        "no_objection_open": "Сейчас нет открытого возражения.",
        "unknown_outcome": "Такого исхода нет.",
        "empty_text": "Пустой текст не сохранён.",
    },
    "en": {
        "finished": "The call is already finished.",
        "unknown_answer": "There is no such answer at this step.",
        "no_input": "Nothing to type at this step — pick an answer.",
        "not_skippable": "This question cannot be skipped.",
        "no_route": "The flow has no way on from this answer (check its conditions).",
        "at_start": "This is the first step — there is nothing to go back to.",
        "unknown_objection": "There is no such objection.",
        "no_objection_open": "No objection is open.",
        "unknown_outcome": "There is no such outcome.",
        "empty_text": "An empty text was not saved.",
    },
}

_BANT_NAMES = {
    "ru": {
        "budget": "бюджет",
        "authority": "полномочия",
        "need": "потребность",
        "timeline": "сроки",
    },
    "en": {"budget": "budget", "authority": "authority", "need": "need", "timeline": "timeline"},
}
_BANT_STATUS = {
    "ru": {"confirmed": "✅", "partial": "☑️ частично", "unknown": "❔", "negative": "❌"},
    "en": {"confirmed": "✅", "partial": "☑️ partial", "unknown": "❔", "negative": "❌"},
}
_TEMPERATURE_MARK = {"hot": "🔥", "warm": "🌤", "cold": "❄️"}


def _language(value: str | None) -> str:
    return value if value in TEXTS else "ru"


def _now() -> datetime:
    try:
        zone = ZoneInfo(os.environ.get("TIMEZONE", "Europe/Moscow"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone)


def build_parser() -> argparse.ArgumentParser:
    """The command line: lint, graph, play and paths."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts", description="Check, draw and try call scripts (flows)."
    )
    parser.add_argument(
        "--lang",
        choices=sorted(TEXTS),
        default=None,
        help="language of the console's own messages (default: LOCALE, else ru)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lint = commands.add_parser("lint", help="check flow files; exit 1 on errors")
    lint.add_argument("files", nargs="+", metavar="FILE")
    graph = commands.add_parser("graph", help="print a diagram of a flow")
    graph.add_argument("file", metavar="FILE")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    play = commands.add_parser("play", help="run a flow in the console, as a hunter would")
    play.add_argument("file", metavar="FILE")
    play.add_argument("--hunter", default="", help="the hunter's name for {hunter_name}")
    play.add_argument("--no-card", action="store_true", help="do not ask the lead card first")
    paths = commands.add_parser("paths", help="list every path to each outcome with its score")
    paths.add_argument("file", metavar="FILE")
    paths.add_argument(
        "--max",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        dest="limit",
        help=f"stop after N paths in all (default {DEFAULT_LIMIT})",
    )
    paths.add_argument(
        "--per-outcome",
        type=int,
        default=PER_OUTCOME,
        metavar="N",
        help=f"show the N shortest paths of each outcome (default {PER_OUTCOME})",
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    clock: Clock = _now,
) -> int:
    """Run one command; returns the process exit code."""
    out = stdout if stdout is not None else sys.stdout
    inp = stdin if stdin is not None else sys.stdin
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    lang = _language(args.lang or os.environ.get("LOCALE", "ru"))
    if args.command == "lint":
        return cmd_lint(args.files, out, lang)
    if args.command == "paths" and min(args.limit, args.per_outcome) < 1:
        print("--max and --per-outcome must be at least 1", file=sys.stderr)
        return 2
    try:
        flow = load_flow(args.file)
    except FlowError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic, file=out)
        return 1
    if args.command == "graph":
        out.write(render(flow, args.format))
        return 0
    if args.command == "paths":
        report = enumerate_paths(flow, limit=args.limit)
        out.write(format_paths(report, lang, per_outcome=args.per_outcome))
        return 0
    card = {} if args.hunter == "" else {"hunter_name": args.hunter}
    return Console(flow, inp, out, clock).play(card, ask_card=not args.no_card)


def cmd_lint(files: Sequence[str], out: TextIO, lang: str) -> int:
    """Print every diagnostic of every file and a summary; 1 if any is an error."""
    errors = warnings = 0
    for path in files:
        for diagnostic in lint_file(path):
            print(diagnostic, file=out)
            if diagnostic.severity == "error":
                errors += 1
            else:
                warnings += 1
    summary = TEXTS[lang]["lint_summary"]
    print(summary.format(files=len(files), errors=errors, warnings=warnings), file=out)
    return 1 if errors else 0


# ----- paths -----


def format_paths(report: PathReport, lang: str, *, per_outcome: int = PER_OUTCOME) -> str:
    """The paths report as text, grouped by outcome, the shortest `per_outcome` of each shown."""
    texts = TEXTS[lang]
    flow = report.flow
    lines = [texts["paths_title"].format(title=flow.title, id=flow.id, version=flow.version)]
    # An incomplete search only says what it found, never that something cannot happen.
    found = "reachable" if report.complete else "found"
    lines.append(
        texts[f"paths_{found}"].format(reached=len(report.reachable), total=len(flow.outcomes))
    )
    if not report.complete:
        lines.append(texts["paths_incomplete"])
    if report.unreachable:
        missing = texts["paths_unreachable" if report.complete else "paths_not_found"]
        lines.append(missing.format(names=", ".join(report.unreachable)))
    hot = [name for name, summary in report.outcomes.items() if "hot" in summary.temperatures]
    if hot:
        lines.append(texts["paths_hot_yes"].format(names=", ".join(hot)))
    else:
        lines.append(texts["paths_hot_no" if report.complete else "paths_hot_not_found"])
    for outcome_id, outcome in flow.outcomes.items():
        summary = report.outcomes.get(outcome_id)
        if summary is None:
            continue
        paths = report.by_outcome.get(outcome_id, ())
        mark = OUTCOME_MARK[outcome.kind]
        lines.append("")
        if not paths:
            lines.append(
                texts["paths_outcome_none"].format(mark=mark, title=outcome.title, id=outcome_id)
            )
            continue
        lines.append(
            texts["paths_outcome"].format(
                mark=mark,
                title=outcome.title,
                id=outcome_id,
                count=len(paths),
                low=_points(summary.score_min),
                high=_points(summary.score_max),
                temps=_temperatures(summary.temperatures),
            )
        )
        shown = paths[:per_outcome]
        lines.extend(_path_line(index, path, lang) for index, path in enumerate(shown, start=1))
        if len(paths) > len(shown):
            lines.append(
                texts["paths_more"].format(count=len(paths) - len(shown), total=len(paths))
            )
    lines.append("")
    lines.append(texts["paths_total"].format(count=len(report.paths)))
    if report.loops:
        loops = ", ".join(f"{source} → {target}" for source, target in sorted(report.loops))
        lines.append(texts["paths_loops"].format(loops=loops))
    if report.truncated and len(report.paths) >= report.limit:
        lines.append(texts["paths_cap"].format(limit=report.limit))
    elif report.truncated:
        lines.append(texts["paths_search_stop"])
    return "\n".join(lines) + "\n"


def _path_line(index: int, path: FlowPath, lang: str) -> str:
    parts = []
    for move in path.moves:
        choices = " / ".join(_choice(choice, lang) for choice in move.choices)
        parts.append(f"{move.source} [{choices}]")
    parts.append(path.outcome)
    score = f"{_points(path.score_min)}–{_points(path.score_max)}"
    knockouts = f" ⛔ {', '.join(sorted(path.knockouts))}" if path.knockouts else ""
    return (
        f"  {index}. {' → '.join(parts)} · {score} {_temperatures(path.temperatures)}{knockouts}"
    )


def _choice(choice: Choice, lang: str) -> str:
    if choice.condition is not None:
        return f"{choice.label} | {choice.condition}"
    if choice.otherwise:
        return f"{choice.label} | {TEXTS[lang]['otherwise']}"
    return choice.label


def _points(score: float) -> str:
    return str(whole_points(score))


def _temperatures(temperatures: frozenset[str]) -> str:
    return "".join(_TEMPERATURE_MARK[t] for t in ("hot", "warm", "cold") if t in temperatures)


# ----- play -----


class Console:
    """A call played over text streams: the console twin of the bot's call screen."""

    def __init__(self, flow: Flow, stdin: TextIO, stdout: TextIO, clock: Clock) -> None:
        self.flow = flow
        self.engine: Engine = engine_for(flow)
        self.stdin = stdin
        self.stdout = stdout
        self.clock = clock
        self.lang = _language(flow.language)
        self.texts = TEXTS[self.lang]

    def say(self, line: str = "") -> None:
        """Print one line."""
        print(line, file=self.stdout)

    def read(self, prompt: str = "> ") -> str | None:
        """Read one line; None at the end of input."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.say()
            return None
        return line.strip()

    def play(self, context: dict[str, str], *, ask_card: bool = True) -> int:
        """Run the call until it is finished or the author quits; print the summary."""
        card: dict[str, str | int | float | bool] = dict(context)
        if ask_card and not self._ask_card(card):
            return 0
        result = self.engine.start(card, now=self.clock())
        self.show(result.screen)
        while result.screen.finished is None:
            line = self.read()
            if line is None or line == "q":
                break
            try:
                result = self.handle(result, line)
            except ActionRejected as rejected:
                self.say(REJECTED[self.lang].get(rejected.reason, rejected.reason))
        self.summary(result.screen, result)
        return 0

    def _ask_card(self, card: dict[str, str | int | float | bool]) -> bool:
        fields = [(name, spec) for name, spec in self.flow.fields.items() if spec.card]
        if not fields:
            return True
        self.say(self.texts["card"])
        for name, spec in fields:
            example = self.texts["example"].format(text=spec.example) if spec.example else ""
            if spec.options:
                self.say(
                    "  " + " · ".join(f"{key} — {label}" for key, label in spec.options.items())
                )
            while True:
                line = self.read(
                    self.texts["card_field"].format(title=spec.title, example=example)
                )
                if line is None:
                    return False
                if not line:
                    break
                parsed = parse_input(
                    spec.type,
                    line,
                    now=self.clock(),
                    language=self.flow.language,
                    currency=spec.currency,
                    options=spec.options,
                )
                if isinstance(parsed, Parsed):
                    card[name] = parsed.value
                    break
                if isinstance(parsed, Invalid):
                    self.say(parsed.message)
                else:
                    break
        return True

    def handle(self, result: Result, line: str) -> Result:
        """One line typed by the author: an answer number, a typed value or a command."""
        engine, state, screen, now = self.engine, result.state, result.screen, self.clock()
        command, _, rest = line.partition(" ")
        if line == "h":
            self.say(self.texts["commands"])
            return result
        if line == "b":
            return self._shown(engine.back(state, now=now))
        if line == "r":
            return self._shown(engine.resume(state, now=now))
        if command == "o":
            choice = rest or self._pick(self.texts["objections"], screen.objections)
            objection = _nth(screen.objections, choice)
            if objection is None:
                raise ActionRejected("unknown_objection", choice or "")
            return self._shown(engine.raise_objection(state, objection, now=now))
        if command == "n":
            noted = engine.note(state, rest, now=now)
            self.say(self.texts["noted"])
            return noted
        if command == "x":
            kept = engine.no_fit(state, rest, now=now)
            self.say(self.texts["no_fit_kept"])
            return kept
        if line == "f":
            return self._finish(result, None)
        if line in {"y", "д"}:
            target = screen.reached_outcome or screen.disqualify_outcome
            if target is not None:
                return self._finish(result, target.id)
        if line.isdigit() and screen.answers and not line.startswith("0"):
            answer = _nth(screen.answers, line)
            if answer is not None:
                return self._shown(engine.answer(state, answer, now=now))
        if screen.input is not None:
            if line == "?":
                return self._shown(engine.dont_know(state, now=now))
            typed = line.removeprefix("=")
            submitted = engine.submit(state, typed, now=now)
            if submitted.reask is not None:
                self.say(submitted.reask)
                return submitted
            return self._shown(submitted)
        self.say(self.texts["unknown_command"])
        return result

    def _shown(self, result: Result) -> Result:
        self.show(result.screen)
        return result

    def _pick(self, title: str, options: Sequence[tuple[str, str]]) -> str | None:
        self.say(title)
        for number, (_, label) in enumerate(options, start=1):
            self.say(f"  {number}. {label}")
        return self.read(self.texts["pick"])

    def _finish(self, result: Result, outcome_id: str | None) -> Result:
        screen = result.screen
        if outcome_id is None:
            options = [
                (view.id, f"{OUTCOME_MARK[view.kind]} {view.title}") for view in screen.outcomes
            ]
            outcome_id = _nth(options, self._pick(self.texts["outcomes"], options) or "")
            if outcome_id is None:
                raise ActionRejected("unknown_outcome")
        callback_at: str | None = None
        if self.flow.outcomes[outcome_id].kind == "callback":
            callback_at = self.read(self.texts["callback_at"]) or None
        return self.engine.finish(
            result.state, outcome_id, now=self.clock(), callback_at=callback_at
        )

    def show(self, screen: Screen) -> None:
        """Print the call screen."""
        texts = self.texts
        self.say()
        if screen.reached_outcome is not None:
            self.say(texts["reached"].format(title=screen.reached_outcome.title))
            if screen.reached_outcome.say:
                self.say(texts["say"].format(text=screen.reached_outcome.say))
            self.say(score_line(screen.assessment, self.lang))
            self.say(texts["finish_offer"])
            return
        self.say(
            texts["progress"].format(
                number=screen.step_number,
                total=max(screen.path_length_estimate, 1),
                step=screen.step,
            )
        )
        if screen.objection_open is not None:
            objection = screen.objection_open
            self.say(texts["objection"].format(label=objection.label, say=objection.say))
            self.say(texts["resume_hint"])
        for key in ("say", "ask", "hint"):
            value = getattr(screen, key)
            if value:
                self.say(texts[key].format(text=value))
        for number, (_, label) in enumerate(screen.answers, start=1):
            self.say(f"  {number}. {label}")
        if screen.input is not None:
            example = screen.input.example
            shown = texts["example"].format(text=example) if example else ""
            self.say(texts["input"].format(title=screen.input.title, example=shown))
            if screen.input.skippable:
                self.say("  " + texts["dont_know"])
        for hit in screen.knockouts:
            self.say(texts["knockout"].format(title=hit.title, say=hit.say))
        if screen.disqualify_outcome is not None:
            self.say(texts["knockout_offer"].format(title=screen.disqualify_outcome.title))
        self.say(score_line(screen.assessment, self.lang))
        if screen.handoff_ready:
            self.say(texts["handoff"])

    def summary(self, screen: Screen, result: Result) -> None:
        """Print how the call ended and how good the lead is, with the reasons."""
        texts = self.texts
        assessment: Assessment = screen.assessment
        self.say()
        self.say(texts["summary"])
        if screen.finished is not None:
            outcome = screen.finished.outcome
            self.say(texts["outcome"].format(text=f"{OUTCOME_MARK[outcome.kind]} {outcome.title}"))
            if screen.finished.outcome.say:
                self.say(texts["say"].format(text=screen.finished.outcome.say))
            if screen.finished.reason:
                self.say(texts["reason"].format(text=screen.finished.reason))
            if screen.finished.callback_at:
                self.say(texts["callback"].format(text=screen.finished.callback_at))
        else:
            self.say(texts["outcome"].format(text=texts["not_finished"]))
        self.say(texts["score"].format(text=score_line(assessment, self.lang)))
        self.say(texts["class"].format(text=assessment.routing.title))
        statuses = _BANT_STATUS[self.lang]
        bant = " · ".join(
            f"{_BANT_NAMES[self.lang][dim]} {statuses[assessment.bant.get(dim, 'unknown')]}"
            for dim in BANT_ORDER
        )
        self.say(texts["bant"].format(text=bant))
        if assessment.probability is not None:
            percent = whole_points(assessment.probability * 100)
            self.say(texts["probability"].format(text=f"{percent}%"))
        if assessment.volume is not None:
            self.say(
                texts["value"].format(
                    volume=_money(assessment.volume, assessment.currency),
                    expected=_money(assessment.expected_value, assessment.currency),
                )
            )
        if assessment.routing.next_step:
            self.say(texts["next_step"].format(text=assessment.routing.next_step))
        if assessment.reasons_for:
            self.say(texts["for"].format(text="; ".join(assessment.reasons_for)))
        if assessment.reasons_against:
            self.say(texts["against"].format(text="; ".join(assessment.reasons_against)))
        if screen.knockouts:
            self.say(texts["knockouts"].format(text="; ".join(h.title for h in screen.knockouts)))
        if screen.lead:
            self.say(texts["lead"].format(text="; ".join(f"{k}: {v}" for k, v in screen.lead)))
        notes = self.engine.snapshot(result.state).notes
        if notes:
            self.say(texts["notes"].format(text="; ".join(notes)))


def _nth(options: Sequence[tuple[str, str]], choice: str | None) -> str | None:
    """The id of the option numbered `choice` (1-based), or None."""
    if choice is None or not choice.isdigit():
        return None
    index = int(choice) - 1
    return options[index][0] if 0 <= index < len(options) else None


def _money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.0f}".replace(",", " ") + f" {currency}"
