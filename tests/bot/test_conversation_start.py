"""/start, /help and the main menu, per role."""

from __future__ import annotations

import pytest

from tests.bot.conftest import ADMIN, HUNTER, MANAGER
from tests.bot.harness import World


@pytest.mark.parametrize(
    ("user_id", "role_line", "expected_buttons"),
    [
        (
            HUNTER,
            "Вы — хантер",
            [["📞 Новый звонок", "▶️ Продолжить звонок"], ["📋 Мои звонки", "⏰ Перезвоны"]],
        ),
        (MANAGER, "Вы — менеджер", [["🔥 Мои лиды"]]),
        (ADMIN, "Вы — администратор", [["👥 Команда"]]),
    ],
)
async def test_start_greets_each_role_with_its_menu(
    world: World, user_id: int, role_line: str, expected_buttons: list[list[str]]
) -> None:
    conv = world.conversation(user_id, "Мария", "Иванова")

    await conv.send("/start")

    assert conv.last_text.startswith("Здравствуйте, Мария Иванова!")
    assert role_line in conv.last_text
    assert conv.buttons == expected_buttons
