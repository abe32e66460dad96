"""Admins and reports: who has access, `/status` of deliveries, `/export`, `/stats`, `/nofit`.

`/export`, `/stats` and `/nofit` serve managers and admins; `/status` and the team list are for
admins.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import MenuAction, MenuCb
from bot.calls import FlowCatalog
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain import Role
from bot.filters import DataIs, HasRole, PressOf, PrivateChat
from bot.i18n import I18n
from bot.keyboards import home_keyboard
from bot.leads import (
    ASSIGNMENT,
    DEAD_REPORT,
    LEAD_READERS,
    SLA_ESCALATION,
    SLA_REMINDER,
    StateRepo,
    names_on_shift,
)
from bot.nofit import no_fit_csv, no_fit_report, render_no_fit
from bot.outbox import RelayPolicy, backlog_report
from bot.render import local_time
from bot.reports import (
    DEFAULT_STATS_DAYS,
    Labels,
    Period,
    chart_png,
    compute_stats,
    duration_text,
    export_file_name,
    export_leads,
    parse_period,
    period_of_days,
    period_text,
    render_stats,
)
from bot.repositories import ALERT, UsersRepo
from bot.telegram import fit_message, show

_SECTIONS = (
    (Role.HUNTER, "team-hunters"),
    (Role.MANAGER, "team-managers"),
    (Role.ADMIN, "team-admins"),
)


async def team_text(db: Database, t: I18n) -> str:
    """Everyone with access, by role, with their Telegram ids."""
    users = UsersRepo(db.connection)
    parts = [t("team-title")]
    for role, heading in _SECTIONS:
        members = await users.list_by_role(role)
        lines = [t(heading)]
        lines += [
            t("team-line", name=member.name or t.plain("team-unnamed"), user_id=str(member.id))
            for member in members
        ] or [t("team-nobody")]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


async def on_team(callback: CallbackQuery, db: Database, t: I18n) -> None:
    """Menu: the team."""
    await show(callback, await team_text(db, t), reply_markup=home_keyboard(t))
    await callback.answer()


async def status_text(db: Database, clock: Clock, settings: Settings, t: I18n) -> str:
    """Deliveries at a glance: the managers' chat, the queue, dead rows, who is on shift."""
    now = clock.now()
    report = await backlog_report(db.connection)
    chat = settings.MANAGER_CHAT_ID
    lines = [t("mgr-health-title")]
    if chat is None:
        lines.append(t("mgr-health-no-chat"))
    else:
        current = await StateRepo(db.connection).resolve_chat(chat)
        if current != chat:
            lines.append(t("mgr-health-chat-moved", chat=str(current), old=str(chat)))
        else:
            lines.append(t("mgr-health-chat", chat=str(chat)))
    age = report.oldest_age(now)
    if report.pending == 0 or age is None:
        lines.append(t("mgr-health-queue-empty"))
    else:
        key = "mgr-health-queue-stuck" if age > RelayPolicy().backlog_alarm else "mgr-health-queue"
        lines.append(t(key, count=report.pending, age=duration_text(age, t)))
    if report.dead:
        lines.append(t("mgr-health-dead", count=report.dead))
        lines += [
            t(
                "mgr-health-dead-line",
                ref=f"#L-{lead_id}",
                kind=_delivery_kind(kind, t),
                error=error[:120] or "—",
            )
            for lead_id, kind, error in report.recent_dead
        ]
    else:
        lines.append(t("mgr-health-no-dead"))
    names = ", ".join(await names_on_shift(db.connection)) or t.plain("mgr-shift-nobody")
    lines.append(t("mgr-health-shift", names=names))
    lines.append(t("mgr-health-time", now=local_time(now, settings.zone, t.locale)))
    return "\n".join(lines)


_DELIVERY_KINDS = frozenset({ALERT, SLA_REMINDER, SLA_ESCALATION, ASSIGNMENT, DEAD_REPORT})


def _delivery_kind(kind: str, t: I18n) -> str:
    """What an outbox row was for, in words (a kind addressed to one admin ends in ':<id>')."""
    base = kind.partition(":")[0]
    return t.plain(f"mgr-delivery-{base}") if base in _DELIVERY_KINDS else kind


async def cmd_status(
    message: Message, db: Database, clock: Clock, settings: Settings, t: I18n
) -> None:
    """/status: is everything reaching the managers."""
    await message.answer(await status_text(db, clock, settings, t))


async def cmd_export(
    message: Message,
    command: CommandObject,
    db: Database,
    clock: Clock,
    settings: Settings,
    flows: FlowCatalog,
    t: I18n,
    bot: Bot,
) -> None:
    """/export [from to]: the leads as a CSV file that opens in Excel."""
    period = parse_period(command.args, settings.zone)
    if period is None:
        await message.answer(t("mgr-export-usage"))
        return
    labels = Labels.of(flows.values(), settings.LOCALE)
    data, count = await export_leads(db.connection, period, t=t, zone=settings.zone, labels=labels)
    name = export_file_name(period, settings.zone, clock.now())
    await bot.send_document(
        chat_id=message.chat.id,
        document=BufferedInputFile(data, filename=name),
        caption=t("mgr-export-caption", count=count, period=period_text(period, t, settings.zone)),
    )


async def cmd_stats(
    message: Message,
    command: CommandObject,
    db: Database,
    clock: Clock,
    settings: Settings,
    flows: FlowCatalog,
    t: I18n,
    bot: Bot,
) -> None:
    """/stats [from to]: the funnel, timings and breakdowns, with a chart."""
    period = stats_period(command.args, clock.now(), settings.zone)
    if period is None:
        await message.answer(t("mgr-stats-usage"))
        return
    labels = Labels.of(flows.values(), settings.LOCALE)
    stats = await compute_stats(db.connection, period, labels=labels)
    await message.answer(fit_message(render_stats(stats, t, settings.zone)))
    if stats.calls or stats.qualified:
        await bot.send_photo(
            chat_id=message.chat.id,
            photo=BufferedInputFile(await chart_png(stats, t), filename="stats.png"),
            caption=t("mgr-chart-caption", period=period_text(period, t, settings.zone)),
        )


async def cmd_nofit(
    message: Message,
    command: CommandObject,
    db: Database,
    clock: Clock,
    settings: Settings,
    flows: FlowCatalog,
    t: I18n,
    bot: Bot,
) -> None:
    """/nofit [from to]: what clients said that the scripts had no answer for, by step."""
    period = stats_period(command.args, clock.now(), settings.zone)
    if period is None:
        await message.answer(t("mgr-nofit-usage"))
        return
    report = await no_fit_report(db.connection, period, flows)
    shown_period = period_text(period, t, settings.zone)
    if not report.count:
        await message.answer(t("mgr-nofit-empty", period=shown_period))
        return
    shown = render_no_fit(report, t, settings.zone)
    await message.answer(shown.text)
    if not shown.complete:
        name = export_file_name(period, settings.zone, clock.now(), prefix="nofit")
        await bot.send_document(
            chat_id=message.chat.id,
            document=BufferedInputFile(no_fit_csv(report, t, settings.zone), filename=name),
            caption=t("mgr-nofit-caption", count=str(report.count), period=shown_period),
        )


def stats_period(args: str | None, now: datetime, zone: ZoneInfo) -> Period | None:
    """The days `/stats` asks for; without any, the last 30 days up to today."""
    period = parse_period(args, zone)
    if period is None or period.start is not None or period.end is not None:
        return period
    today = now.astimezone(zone).date()
    return period_of_days(today - timedelta(days=DEFAULT_STATS_DAYS - 1), today, zone)


async def on_managers_only(message: Message, t: I18n) -> None:
    """A managers' command from someone who is neither a manager nor an admin."""
    await message.answer(t("mgr-only-managers"))


async def on_admins_only(message: Message, t: I18n) -> None:
    """An admins' command from someone else."""
    await message.answer(t("mgr-admins-only"))


def create_router() -> Router:
    """Admins' menu and /status (admins); /export, /stats and /nofit (managers and admins)."""
    router = Router(name="admin")
    admin = HasRole(Role.ADMIN)
    router.callback_query.filter(PressOf(MenuCb))
    router.callback_query.register(on_team, DataIs(MenuCb, MenuAction.TEAM), PrivateChat(), admin)
    router.message.register(cmd_status, Command("status"), admin)
    router.message.register(cmd_export, Command("export"), HasRole(*LEAD_READERS))
    router.message.register(cmd_stats, Command("stats"), HasRole(*LEAD_READERS))
    router.message.register(cmd_nofit, Command("nofit"), HasRole(*LEAD_READERS))
    router.message.register(on_admins_only, Command("status"))
    router.message.register(on_managers_only, Command("export", "stats", "nofit"))
    return router
