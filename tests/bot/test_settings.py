"""Settings from the environment and .env: what parses, and what stops the bot with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

TOKEN = "123456789:AAEhBP0av28iNxPZX3J0tBxdT4WtbSSPENo"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in Settings.model_fields:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def test_minimal_environment_gets_the_documented_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)

    settings = load_settings()

    assert settings.BOT_TOKEN.get_secret_value() == TOKEN
    assert settings.model_dump(exclude={"BOT_TOKEN"}) == {
        "TELEGRAM_API_URL": None,
        "MANAGER_CHAT_ID": None,
        "ADMIN_IDS": frozenset(),
        "HUNTER_IDS": frozenset(),
        "MANAGER_IDS": frozenset(),
        "DATABASE_PATH": Path("data/qualibot.sqlite3"),
        "SCRIPTS_DIR": Path("scripts/flows"),
        "LOCALE": "ru",
        "TIMEZONE": "Europe/Moscow",
    }
    assert settings.zone.key == "Europe/Moscow"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,2,3", {1, 2, 3}),
        (" 10 , 20 ,", {10, 20}),
        ("42", {42}),
        ("5;6", {5, 6}),
        ("", set()),
    ],
)
def test_role_lists_are_comma_separated_ids(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("HUNTER_IDS", raw)

    assert load_settings().model_dump()["HUNTER_IDS"] == frozenset(expected)


def test_a_full_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TOKEN}\n"
        "TELEGRAM_API_URL=http://127.0.0.1:8081/\n"
        "MANAGER_CHAT_ID=-1001234567890\n"
        "ADMIN_IDS=7\nHUNTER_IDS=8,9\nMANAGER_IDS=\n"
        "DATABASE_PATH=/var/lib/qualibot/db.sqlite3\nSCRIPTS_DIR=flows\n"
        "LOCALE=en\nTIMEZONE=Asia/Yekaterinburg\n",
        encoding="utf-8",
    )

    settings = load_settings()

    assert settings.model_dump(exclude={"BOT_TOKEN"}) == {
        "TELEGRAM_API_URL": "http://127.0.0.1:8081",
        "MANAGER_CHAT_ID": -1001234567890,
        "ADMIN_IDS": frozenset({7}),
        "HUNTER_IDS": frozenset({8, 9}),
        "MANAGER_IDS": frozenset(),
        "DATABASE_PATH": Path("/var/lib/qualibot/db.sqlite3"),
        "SCRIPTS_DIR": Path("flows"),
        "LOCALE": "en",
        "TIMEZONE": "Asia/Yekaterinburg",
    }


@pytest.mark.parametrize(
    ("env", "expected_problem"),
    [
        ({}, "BOT_TOKEN is missing: set BOT_TOKEN to the token @BotFather gave you"),
        ({"BOT_TOKEN": "123:short"}, "BOT_TOKEN does not look like a bot token"),
        ({"BOT_TOKEN": "not a token at all, really not"}, "BOT_TOKEN does not look like a bot"),
        ({"BOT_TOKEN": TOKEN, "HUNTER_IDS": "1,two"}, "HUNTER_IDS expected comma-separated"),
        ({"BOT_TOKEN": TOKEN, "ADMIN_IDS": "[1, 2]"}, "ADMIN_IDS expected comma-separated"),
        ({"BOT_TOKEN": TOKEN, "MANAGER_CHAT_ID": "managers"}, "MANAGER_CHAT_ID Input should be"),
        ({"BOT_TOKEN": TOKEN, "LOCALE": "de"}, "LOCALE Input should be 'ru' or 'en'"),
        ({"BOT_TOKEN": TOKEN, "TIMEZONE": "Moscow"}, "TIMEZONE unknown time zone 'Moscow'"),
        ({"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "127.0.0.1:8081"}, "TELEGRAM_API_URL must be"),
    ],
)
def test_bad_settings_explain_what_to_fix_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected_problem: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    message = str(caught.value)
    assert expected_problem in message
    assert "\n" not in message


@pytest.mark.parametrize("token", ["123:short", "999999:" + "x" * 10 + " secret-ish"])
def test_a_rejected_token_is_never_echoed(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert token not in str(caught.value)
    assert token.split(":")[1] not in str(caught.value)


def test_the_token_never_shows_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)

    settings = load_settings()

    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN.split(":")[1] not in repr(settings.model_dump())
