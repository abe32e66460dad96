"""Admins and reports: who has access, `/status` of deliveries, `/export` and `/stats`.

`/export` and `/stats` serve managers and admins; `/status` and the team list are for admins.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import MenuAction, MenuCb
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain import Account, Role
from bot.filters import HasRole, PrivateChat
from bot.i18n import I18n
from bot.keyboards import home_keyboard
from bot.leads import ShiftsRepo, StateRepo
from bot.outbox import RelayPolicy, backlog_report
from bot.render import local_time
from bot.reports import (
    DEFAULT_STATS_DAYS,
    Period,
    chart_png,
    compute_stats,
    duration_text,
    export_file_name,
    export_leads,
    parse_period,
    period_text,
    render_stats,
    source_labels,
)
from bot.repositories import UsersRepo
from bot.telegram import show
from scripts.schema import Flow

Flows = Mapping[tuple[str, int], Flow]

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
            t("mgr-health-dead-line", ref=f"#L-{lead_id}", kind=kind, error=error[:120] or "—")
            for lead_id, kind, error in report.recent_dead
        ]
    else:
        lines.append(t("mgr-health-no-dead"))
    on_shift = await ShiftsRepo(db.connection).on_shift()
    users = UsersRepo(db.connection)
    names = [p.name or str(p.id) for i in on_shift if (p := await users.get(i)) is not None]
    lines.append(t("mgr-health-shift", names=", ".join(names) or t.plain("mgr-shift-nobody")))
    lines.append(t("mgr-health-time", now=local_time(now, settings.zone)))
    return "\n".join(lines)


async def cmd_status(
    message: Message, account: Account, db: Database, clock: Clock, settings: Settings, t: I18n
) -> None:
    """/status: is everything reaching the managers."""
    if not account.has(Role.ADMIN):
        await message.answer(t("mgr-admins-only"))
        return
    await message.answer(await status_text(db, clock, settings, t))


def _may_report(account: Account) -> bool:
    return account.has(Role.MANAGER) or account.has(Role.ADMIN)


async def cmd_export(
    message: Message,
    command: CommandObject,
    account: Account,
    db: Database,
    clock: Clock,
    settings: Settings,
    flows: Flows,
    t: I18n,
    bot: Bot,
) -> None:
    """/export [from to]: the leads as a CSV file that opens in Excel."""
    if not _may_report(account):
        await message.answer(t("mgr-only-managers"))
        return
    period = parse_period(command.args, settings.zone)
    if period is None:
        await message.answer(t("mgr-export-usage"))
        return
    data, count = await export_leads(
        db.connection,
        period,
        t=t,
        zone=settings.zone,
        sources=source_labels(flows.values(), settings.LOCALE),
    )
    name = export_file_name(period, settings.zone, clock.now())
    await bot.send_document(
        chat_id=message.chat.id,
        document=BufferedInputFile(data, filename=name),
        caption=t("mgr-export-caption", count=count, period=period_text(period, t, settings.zone)),
    )


async def cmd_stats(
    message: Message,
    command: CommandObject,
    account: Account,
    db: Database,
    clock: Clock,
    settings: Settings,
    flows: Flows,
    t: I18n,
    bot: Bot,
) -> None:
    """/stats [from to]: the funnel, timings and breakdowns, with a chart."""
    if not _may_report(account):
        await message.answer(t("mgr-only-managers"))
        return
    period = parse_period(command.args, settings.zone)
    if period is None:
        await message.answer(t("mgr-stats-usage"))
        return
    if period.start is None and period.end is None:
        now = clock.now()
        period = Period(now - timedelta(days=DEFAULT_STATS_DAYS), None)
    stats = await compute_stats(
        db.connection, period, sources=source_labels(flows.values(), settings.LOCALE)
    )
    await message.answer(render_stats(stats, t, settings.zone))
    if stats.calls or stats.qualified:
        png = await chart_png(stats, t)
        await bot.send_photo(
            chat_id=message.chat.id,
            photo=BufferedInputFile(png, filename="stats.png"),
            caption=t("mgr-chart-caption", period=period_text(stats.period, t, settings.zone)),
        )


def create_router() -> Router:
    """Admins' menu and /status (admins), /export and /stats (managers and admins)."""
    router = Router(name="admin")
    router.callback_query.register(
        on_team, MenuCb.filter(F.action == MenuAction.TEAM), PrivateChat(), HasRole(Role.ADMIN)
    )
    router.message.register(cmd_status, Command("status"))
    router.message.register(cmd_export, Command("export"))
    router.message.register(cmd_stats, Command("stats"))
    return router
