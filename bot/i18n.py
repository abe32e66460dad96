"""Translations with Fluent: `bot/locales/<locale>/*.ftl`, Russian first, English beside it.

Every message is Telegram HTML. String arguments are escaped on the way in, so a company called
`<b>ACME & Sons</b>` is shown literally; pass `Html(...)` for a fragment that is already markup.
Numbers are formatted by Fluent for the locale (grouping digits), so pass ids as `str`.
Arguments of any length are accepted: Fluent itself refuses a placeable over 2,500 characters,
and a hunter's note or a client's words can be longer.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast as fluent_ast

logger = logging.getLogger(__name__)

LOCALES = ("ru", "en")
FALLBACK_LOCALE = "ru"
_LONG_ARGUMENT = 1000
"""Longer string arguments are put in after Fluent has formatted the message (see `_format`)."""


class Html(str):
    """A string that is already valid Telegram HTML; translation arguments leave it as is."""

    __slots__ = ()


class TranslationError(LookupError):
    """A key is missing in every locale, or a message could not be formatted."""


class LocaleFilesError(ValueError):
    """A .ftl file does not parse; the message names the file and the broken text."""


@dataclass(frozen=True, slots=True)
class Template:
    """A message made of text and `{ $variable }` placeables only, ready to fill by joining.

    `parts` alternates text and variable names: text, name, text, ..., text. With string
    arguments such a message comes out of Fluent as exactly this join (isolation marks are off),
    so the screens drawn on every press skip Fluent's resolver.
    """

    parts: tuple[str, ...]

    @property
    def variables(self) -> tuple[str, ...]:
        """The variable names in the order they appear."""
        return self.parts[1::2]


def message_template(message: fluent_ast.Message) -> Template | None:
    """The message as a `Template`, or None when it has selectors, terms, literals or calls."""
    if message.value is None:
        return None
    parts = [""]
    for element in message.value.elements:
        if isinstance(element, fluent_ast.TextElement):
            parts[-1] += element.value
        elif isinstance(element, fluent_ast.Placeable) and isinstance(
            element.expression, fluent_ast.VariableReference
        ):
            parts += [element.expression.id.name, ""]
        else:
            return None
    return Template(tuple(parts))


@dataclass(frozen=True, slots=True)
class LocaleCatalog:
    """One locale's parsed messages."""

    locale: str
    bundle: FluentBundle
    message_ids: frozenset[str]
    templates: Mapping[str, Template] = field(default_factory=dict)
    """The messages `message_template` could take, by key."""


def _read_catalog(locale: str, directory: Traversable) -> LocaleCatalog:
    bundle = FluentBundle([locale], use_isolating=False)  # isolation marks break Telegram HTML
    ids: set[str] = set()
    templates: dict[str, Template] = {}
    files = sorted(
        (entry for entry in directory.iterdir() if entry.name.endswith(".ftl")),
        key=lambda entry: entry.name,
    )
    for entry in files:
        resource = FluentResource(entry.read_text(encoding="utf-8"))
        for item in resource.body:
            if isinstance(item, fluent_ast.Junk):
                raise LocaleFilesError(
                    f"{locale}/{entry.name}: cannot parse {(item.content or '').strip()[:80]!r}"
                )
            if isinstance(item, fluent_ast.Message):
                if item.id.name in ids:
                    raise LocaleFilesError(f"{locale}/{entry.name}: duplicate key {item.id.name}")
                ids.add(item.id.name)
                if (template := message_template(item)) is not None:
                    templates[item.id.name] = template
        bundle.add_resource(resource)
    return LocaleCatalog(locale, bundle, frozenset(ids), templates)


def _prepare_argument(value: Any) -> Any:
    if isinstance(value, Html):
        return str(value)
    if isinstance(value, str):
        return html.escape(value)
    return value


def _fill(template: Template, args: Mapping[str, Any], *, escape: bool) -> str | None:
    """The template joined with its arguments; None unless every one is a string it was given.

    Anything else (a number Fluent groups by locale, a missing argument Fluent reports) is left
    to Fluent, so the text and the errors stay Fluent's own.
    """
    parts = template.parts
    if len(parts) == 1:
        return parts[0]
    texts = list(parts)
    for index in range(1, len(parts), 2):
        value = args.get(parts[index])
        if not isinstance(value, str):
            return None
        texts[index] = _prepare_argument(value) if escape else value
    return "".join(texts)


class Translator:
    """All locales' catalogs; `translate(locale, key, **args)` or a bound `I18n`."""

    def __init__(
        self,
        catalogs: Iterable[LocaleCatalog],
        *,
        default_locale: str = FALLBACK_LOCALE,
        strict: bool = False,
    ) -> None:
        self._catalogs = {catalog.locale: catalog for catalog in catalogs}
        if FALLBACK_LOCALE not in self._catalogs:
            raise LocaleFilesError(f"the {FALLBACK_LOCALE} locale is required")
        if default_locale not in self._catalogs:
            raise LocaleFilesError(f"no translations for the default locale {default_locale}")
        self.default_locale = default_locale
        # Strict (tests): a missing key or argument raises. Otherwise it is logged and the key
        # is shown, so one typo never takes a live call down.
        self.strict = strict

    @classmethod
    def from_directory(
        cls,
        directory: Traversable | None = None,
        *,
        default_locale: str = FALLBACK_LOCALE,
        strict: bool = False,
    ) -> Translator:
        """Load every `<locale>/*.ftl` under `directory` (default: the bot's own locales)."""
        root = directory or resources.files("bot") / "locales"
        catalogs = [
            _read_catalog(entry.name, entry)
            for entry in sorted(root.iterdir(), key=lambda entry: entry.name)
            if entry.is_dir() and entry.name in LOCALES
        ]
        return cls(catalogs, default_locale=default_locale, strict=strict)

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales that have translations."""
        return tuple(sorted(self._catalogs))

    def message_ids(self, locale: str) -> frozenset[str]:
        """The keys a locale defines."""
        return self._catalogs[locale].message_ids

    def pick_locale(self, chosen: str | None, telegram_language: str | None) -> str:
        """The person's chosen language, else their Telegram client's if we speak it."""
        if chosen in self._catalogs:
            return chosen
        if telegram_language:
            primary = telegram_language.split("-", 1)[0].lower()
            if primary in self._catalogs:
                return primary
        return self.default_locale

    def translate(self, locale: str, key: str, /, *, html_args: bool = True, **args: Any) -> str:
        """The message `key` in `locale` (falling back to Russian).

        With `html_args` string arguments are HTML-escaped (message texts); without it they are
        inserted as is, for plain-text places such as button labels and callback alerts.
        """
        for candidate in (locale, FALLBACK_LOCALE):
            catalog = self._catalogs.get(candidate)
            if catalog is not None and key in catalog.message_ids:
                return self._format(catalog, key, args, escape=html_args)
        return self._fail(f"no translation for {key!r}", key)

    def bind(self, locale: str) -> I18n:
        """A translator fixed to one locale, as handlers receive it."""
        if locale not in self._catalogs:
            locale = self.default_locale
        return I18n(self, locale)

    def _format(
        self, catalog: LocaleCatalog, key: str, args: Mapping[str, Any], *, escape: bool
    ) -> str:
        template = catalog.templates.get(key)
        if template is not None:
            filled = _fill(template, args, escape=escape)
            if filled is not None:
                return filled
        message = catalog.bundle.get_message(key)
        if message.value is None:
            return self._fail(f"{catalog.locale}: {key!r} has no value", key)
        prepared: dict[str, Any] = {}
        long_values: dict[str, str] = {}
        for name, value in args.items():
            value = _prepare_argument(value) if escape else value
            if isinstance(value, str) and len(value) > _LONG_ARGUMENT:
                # A short stand-in goes through Fluent, the real text replaces it afterwards.
                token = f"\x00{len(long_values)}\x00"
                long_values[token] = value
                value = token
            prepared[name] = value
        text, errors = catalog.bundle.format_pattern(message.value, prepared)
        if errors:
            problems = "; ".join(str(error) for error in errors)
            if self.strict:
                raise TranslationError(f"{catalog.locale}: {key!r}: {problems}")
            logger.error("Translation %s/%s: %s", catalog.locale, key, problems)
        text = str(text)
        for token, value in long_values.items():
            text = text.replace(token, value)
        return text

    def _fail(self, problem: str, key: str) -> str:
        if self.strict:
            raise TranslationError(problem)
        logger.error("Translation problem: %s", problem)
        return html.escape(key)


class I18n:
    """Translations in one locale: `t("key", name=...)`."""

    __slots__ = ("_translator", "locale")

    def __init__(self, translator: Translator, locale: str) -> None:
        self._translator = translator
        self.locale = locale

    def __call__(self, key: str, /, **args: Any) -> str:
        """The message `key` in this locale."""
        return self._translator.translate(self.locale, key, **args)

    def plain(self, key: str, /, **args: Any) -> str:
        """The message `key` for plain-text places (buttons, alerts): arguments not escaped."""
        return self._translator.translate(self.locale, key, html_args=False, **args)

    def __repr__(self) -> str:
        return f"I18n({self.locale!r})"
