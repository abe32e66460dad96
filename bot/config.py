"""The bot's configuration: environment variables or a `.env` file, validated once in `main()`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Locale = Literal["ru", "en"]

# Telegram tokens are "<bot id>:<secret>"; the secret part is 35 characters today, but only its
# alphabet is stable, so the length check is a lower bound that catches truncated pastes.
_TOKEN_FORMAT = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")

IdSet = Annotated[frozenset[int], NoDecode]
"""Comma-separated numeric ids in the environment; NoDecode skips the default JSON parsing."""


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line saying what to fix."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment; see `.env.example` for each key."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # `KEY=` in .env.example means "not set", not "an empty value to validate".
        env_ignore_empty=True,
        frozen=True,
    )

    BOT_TOKEN: SecretStr
    TELEGRAM_API_URL: str | None = None
    MANAGER_CHAT_ID: int | None = None
    ADMIN_IDS: IdSet = frozenset()
    HUNTER_IDS: IdSet = frozenset()
    MANAGER_IDS: IdSet = frozenset()
    DATABASE_PATH: Path = Path("data/qualibot.sqlite3")
    SCRIPTS_DIR: Path = Path("scripts/flows")
    LOCALE: Locale = "ru"
    TIMEZONE: str = Field(default="Europe/Moscow")

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_looks_like_a_token(cls, value: SecretStr) -> SecretStr:
        # The message must never echo the value: it would put the secret into logs.
        if not _TOKEN_FORMAT.fullmatch(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token (expected 123456789:AAE...)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("TELEGRAM_API_URL")
    @classmethod
    def _api_url_is_http(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8081")
        return value

    @field_validator("ADMIN_IDS", "HUNTER_IDS", "MANAGER_IDS", mode="before")
    @classmethod
    def _parse_id_list(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        ids: set[int] = set()
        for part in value.replace(";", ",").split(","):
            item = part.strip()
            if not item:
                continue
            if not re.fullmatch(r"\d{1,20}", item):
                raise ValueError(
                    f"expected comma-separated numeric Telegram user ids, got {item[:32]!r}"
                )
            ids.add(int(item))
        return frozenset(ids)

    @field_validator("TIMEZONE")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {value[:64]!r} (try Europe/Moscow)") from e
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone for callbacks, SLAs and reports."""
        return ZoneInfo(self.TIMEZONE)


_HINTS = {
    "BOT_TOKEN": "set BOT_TOKEN to the token @BotFather gave you",
}


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one safe line (never the token)."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        raise ConfigError(describe_validation_error(e)) from None


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad key and what is wrong with it, without echoing values."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        key = ".".join(str(part) for part in item["loc"]) or "settings"
        if item["type"] == "missing":
            problem = _HINTS.get(key, f"set {key}")
            problems.append(f"{key} is missing: {problem}")
            continue
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{key} {message}")
    return "configuration error: " + "; ".join(problems)
