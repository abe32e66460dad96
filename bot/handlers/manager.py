"""The manager's menu: their leads. Alerts in the managers' chat are handled elsewhere."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.callbacks import MenuAction, MenuCb
from bot.db import Database
from bot.domain import Account, Role
from bot.filters import HasRole, PrivateChat
from bot.i18n import I18n
from bot.keyboards import home_keyboard
from bot.render import card_title
from bot.repositories import LeadsRepo
from bot.telegram import show


async def my_leads_text(db: Database, account: Account, t: I18n) -> str:
    """The leads the manager has claimed, newest first."""
    leads = await LeadsRepo(db.connection).list_for_owner(account.id)
    if not leads:
        return t("leads-empty")
    lines = [t("leads-title")]
    lines += [
        t(
            "leads-line",
            id=str(lead.id),
            title=card_title(lead.card, t),
            status=t(f"lead-status-{lead.status.value}"),
        )
        for lead in leads
    ]
    return "\n".join(lines)


async def on_my_leads(callback: CallbackQuery, db: Database, account: Account, t: I18n) -> None:
    """Menu: my leads."""
    await show(callback, await my_leads_text(db, account, t), reply_markup=home_keyboard(t))
    await callback.answer()


def create_router() -> Router:
    """Managers' menu entries, in private chats."""
    router = Router(name="manager")
    router.callback_query.filter(PrivateChat())
    router.callback_query.filter(HasRole(Role.MANAGER))
    router.callback_query.register(on_my_leads, MenuCb.filter(F.action == MenuAction.MY_LEADS))
    return router
