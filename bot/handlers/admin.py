"""The admin's menu: who has access."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.callbacks import MenuAction, MenuCb
from bot.db import Database
from bot.domain import Role
from bot.filters import HasRole, PrivateChat
from bot.i18n import I18n
from bot.keyboards import home_keyboard
from bot.repositories import UsersRepo
from bot.telegram import show

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


def create_router() -> Router:
    """Admins' menu entries, in private chats."""
    router = Router(name="admin")
    router.callback_query.filter(PrivateChat())
    router.callback_query.filter(HasRole(Role.ADMIN))
    router.callback_query.register(on_team, MenuCb.filter(F.action == MenuAction.TEAM))
    return router
