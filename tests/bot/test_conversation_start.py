"""/start, /help and the main menu, per role."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties

from bot.app import Flows, create_dispatcher, seed_roles
from bot.clock import FakeClock
from bot.db import Database
from bot.domain import Role
from bot.i18n import Translator
from bot.repositories import UsersRepo
from tests.bot.conftest import ADMIN, HUNTER, MANAGER, SettingsFactory
from tests.bot.harness import TEST_TOKEN, RecordingSession, World


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


async def test_a_person_with_several_roles_sees_all_their_actions(
    world: World, db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as conn:
        await UsersRepo(conn).grant(HUNTER, Role.MANAGER, granted_by=ADMIN, now=clock.now())
    conv = world.conversation(HUNTER)

    await conv.send("/start")

    assert "Вы — хантер" in conv.last_text
    assert "Вы — менеджер" in conv.last_text
    assert conv.buttons[-1] == ["🔥 Мои лиды"]


async def test_english_clients_are_answered_in_english(world: World) -> None:
    conv = world.conversation(HUNTER, "John", "Smith", language_code="en")

    await conv.send("/start")

    assert conv.last_text.startswith("Hello, John Smith!")
    assert conv.buttons[0] == ["📞 New call", "▶️ Continue a call"]


async def test_a_chosen_language_beats_the_telegram_client(
    world: World, db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as conn:
        await UsersRepo(conn).set_language(HUNTER, "en", now=clock.now())
    conv = world.conversation(HUNTER, language_code="ru")

    await conv.send("/start")

    assert conv.last_text.startswith("Hello,")


@pytest.mark.parametrize(
    ("user_id", "sections", "absent"),
    [
        (HUNTER, ["/call — начать новый звонок", "/resume", "/calls"], ["Администрирование"]),
        (MANAGER, ["Лиды", "«Беру»", "Отчёты", "/export —"], ["/resume —", "Администрирование"]),
        (
            ADMIN,
            ["Администрирование", "HUNTER_IDS", "Отчёты", "/stats —"],
            ["/resume —", "«Беру»"],
        ),
    ],
)
async def test_help_explains_what_the_role_can_do(
    world: World, user_id: int, sections: list[str], absent: list[str]
) -> None:
    conv = world.conversation(user_id)

    await conv.send("/help")

    assert conv.last_text.startswith("Как пользоваться ботом")
    for section in sections:
        assert section in conv.last_text
    for section in absent:
        assert section not in conv.last_text
    assert f"Ваш Telegram ID: {user_id}" in conv.last_text


@pytest.mark.parametrize("language", ["ru", "en"])
def test_help_names_the_claim_button_as_it_is_labelled(
    translator: Translator, language: str
) -> None:
    t = translator.bind(language)
    label = t.plain("mgr-btn-claim").split(" ", 1)[1]  # without its emoji

    assert label in t("help-manager")


async def test_the_menu_button_comes_back_home(world: World) -> None:
    conv = world.conversation(HUNTER)
    await conv.send("/start")
    greeting = conv.last_text

    await conv.click("Мои звонки")
    assert conv.last_text == "Звонков пока нет. Новый звонок — /call."
    await conv.click("В меню")

    assert conv.last_text == greeting
    assert len(world.session.calls("sendMessage")) == 1, "menus edit the message in place"
    conv.assert_answered()


async def test_the_name_telegram_shows_is_kept_current(world: World, db: Database) -> None:
    conv = world.conversation(HUNTER, "Пётр", "Сидоров", username="petr")

    await conv.send("/start")

    account = await UsersRepo(db.connection).get(HUNTER)
    assert account is not None
    assert (account.name, account.username) == ("Пётр Сидоров", "petr")


async def test_start_clears_a_half_typed_input(world: World) -> None:
    conv = world.conversation(HUNTER)
    context = world.dispatcher.fsm.get_context(world.bot, chat_id=HUNTER, user_id=HUNTER)
    await context.set_state("Note:text")

    await conv.send("/start")

    assert await context.get_state() is None


async def test_a_head_of_sales_reads_each_help_section_once(
    make_settings: SettingsFactory,
    db: Database,
    clock: FakeClock,
    translator: Translator,
    flows: Flows,
) -> None:
    settings = make_settings(MANAGER_IDS=f"{MANAGER},{ADMIN}")  # the admin manages leads too
    await seed_roles(db, settings, clock)
    session = RecordingSession(clock)
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    dispatcher = create_dispatcher(
        settings, db=db, clock=clock, flows=flows, translator=translator
    )
    world = World(dispatcher=dispatcher, bot=bot, session=session, clock=clock)
    conv = world.conversation(ADMIN)

    await conv.send("/help")

    await bot.session.close()
    lines = conv.last_text.splitlines()
    for command in ("/leads —", "/export —", "/stats —", "/nofit —", "/status —"):
        assert sum(line.startswith(command) for line in lines) == 1, command
