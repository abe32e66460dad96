"""Translations: both languages complete, fallbacks, escaping, no isolation marks."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent_ast
from fluent.syntax.visitor import Visitor

from bot.i18n import Html, LocaleFilesError, TranslationError, Translator, message_template


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: fluent_ast.VariableReference) -> None:
        self.names.add(node.id.name)


def _messages(locale: str) -> dict[str, set[str]]:
    """Each message id of a locale with the variables it uses."""
    found: dict[str, set[str]] = {}
    folder = resources.files("bot") / "locales" / locale
    for entry in folder.iterdir():
        if not entry.name.endswith(".ftl"):
            continue
        resource = FluentParser().parse(entry.read_text(encoding="utf-8"))
        for item in resource.body:
            if isinstance(item, fluent_ast.Message):
                visitor = _Variables()
                visitor.visit(item)
                found[item.id.name] = visitor.names
    return found


def test_every_key_exists_in_both_languages() -> None:
    ru, en = _messages("ru"), _messages("en")

    assert sorted(set(ru) - set(en)) == [], "missing in en"
    assert sorted(set(en) - set(ru)) == [], "missing in ru"
    assert len(ru) > 20


def test_both_languages_use_the_same_arguments() -> None:
    ru, en = _messages("ru"), _messages("en")

    mismatched = {key: (ru[key], en[key]) for key in ru if key in en and ru[key] != en[key]}

    assert mismatched == {}


def _write(folder: Path, locale: str, text: str) -> None:
    (folder / locale).mkdir(parents=True, exist_ok=True)
    (folder / locale / "main.ftl").write_text(text, encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path) -> Translator:
    _write(
        tmp_path, "ru", "hello = Привет, { $name }!\nonly-ru = Только по-русски\ncount = { $n }\n"
    )
    _write(tmp_path, "en", "hello = Hello, { $name }!\n")
    return Translator.from_directory(tmp_path, strict=True)


def test_a_key_missing_in_english_falls_back_to_russian(small: Translator) -> None:
    assert small.translate("en", "hello", name="Ann") == "Hello, Ann!"
    assert small.translate("en", "only-ru") == "Только по-русски"


def test_a_key_missing_everywhere_raises_in_strict_mode(small: Translator) -> None:
    with pytest.raises(TranslationError, match="no-such-key"):
        small.translate("ru", "no-such-key")


def test_a_missing_argument_raises_in_strict_mode(small: Translator) -> None:
    with pytest.raises(TranslationError, match="name"):
        small.translate("ru", "hello")


def test_without_strict_mode_a_missing_key_shows_the_key(tmp_path: Path) -> None:
    _write(tmp_path, "ru", "hello = Привет\n")
    lenient = Translator.from_directory(tmp_path, strict=False)

    assert lenient.translate("ru", "no-such-key") == "no-such-key"


def test_a_broken_file_is_refused_with_its_name(tmp_path: Path) -> None:
    _write(tmp_path, "ru", "hello = Привет\nthis is not fluent {\n")

    with pytest.raises(LocaleFilesError, match=r"ru/main\.ftl"):
        Translator.from_directory(tmp_path)


def test_arguments_are_escaped_and_never_isolated(translator: Translator) -> None:
    text = translator.translate("ru", "start-greeting", name="<b>ACME & Sons</b>")

    assert text == "Здравствуйте, <b>&lt;b&gt;ACME &amp; Sons&lt;/b&gt;</b>!"
    assert "\u2068" not in text
    assert "\u2069" not in text


def test_html_fragments_and_plain_texts_are_left_alone(translator: Translator) -> None:
    t = translator.bind("ru")

    assert t("start-greeting", name=Html("<i>Ann</i>")) == "Здравствуйте, <b><i>Ann</i></b>!"
    assert t.plain("resume-button", id="5", title="A & B") == "▶️ #5 A & B"


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [
        ("en", "ru", "en"),
        (None, "en", "en"),
        (None, "en-US", "en"),
        (None, "ru", "ru"),
        (None, "de", "ru"),
        (None, None, "ru"),
        ("xx", "en", "en"),
    ],
)
def test_the_locale_is_chosen_then_telegram_then_default(
    translator: Translator, chosen: str | None, telegram: str | None, expected: str
) -> None:
    assert translator.pick_locale(chosen, telegram) == expected


def test_the_configured_default_locale_applies_to_unknown_languages() -> None:
    english_first = Translator.from_directory(default_locale="en")

    assert english_first.pick_locale(None, "de") == "en"


@pytest.mark.parametrize("size", [999, 1001, 2501, 10_000])
def test_an_argument_of_any_length_is_put_in_whole_and_escaped(
    translator: Translator, size: int
) -> None:
    t = translator.bind("ru")
    note = ("<b>" + "я" * size)[:size]

    assert t("call-reask", problem=note) == "⚠️ " + note.replace("<", "&lt;").replace(">", "&gt;")
    assert t.plain("call-reask", problem=note) == "⚠️ " + note


def _fluent_bundles() -> dict[str, FluentBundle]:
    """Each shipped locale as a plain Fluent bundle, to hold the translator's texts against."""
    bundles = {}
    for locale in ("ru", "en"):
        bundle = FluentBundle([locale], use_isolating=False)
        for entry in (resources.files("bot") / "locales" / locale).iterdir():
            if entry.name.endswith(".ftl"):
                bundle.add_resource(FluentResource(entry.read_text(encoding="utf-8")))
        bundles[locale] = bundle
    return bundles


ARGUMENT_VALUES: dict[str, Any] = {
    "text": "ООО «Ромашка» <b>&amp; \"Sons\"</b> { $x } '1'",
    "html": Html("<i>Ann</i> &amp; Co"),
    "number": 1500,
    "long": "яя<" * 400,  # over the 1,000 put in after Fluent, within its own 2,500
}


@pytest.mark.parametrize("html_args", [True, False], ids=["escaped", "plain"])
@pytest.mark.parametrize("kind", list(ARGUMENT_VALUES))
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_message_reads_as_fluent_formats_it(
    translator: Translator, locale: str, kind: str, html_args: bool
) -> None:
    bundle = _fluent_bundles()[locale]
    value = ARGUMENT_VALUES[kind]
    sent = html.escape(value) if html_args and type(value) is str else value
    differ = {}
    for key, variables in _messages(locale).items():
        pattern = bundle.get_message(key).value
        assert pattern is not None
        expected, errors = bundle.format_pattern(pattern, dict.fromkeys(variables, sent))
        got = translator.translate(
            locale, key, html_args=html_args, **dict.fromkeys(variables, value)
        )
        assert errors == []
        if got != expected:
            differ[key] = (got, expected)

    assert differ == {}


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("a = Просто текст", ("Просто текст",)),
        ("a = { $name }", ("", "name", "")),
        ("a = Hi, { $name } and { $other }!", ("Hi, ", "name", " and ", "other", "!")),
        ("a =\n    two\n    lines { $x }", ("two\nlines ", "x", "")),
        ("a = { $n ->\n    [one] one\n   *[other] many\n}", None),
        ('a = { "{" } braces', None),
        ("-brand = Q\na = { -brand } bot", None),
        ("b = B\na = see { b }", None),
        ("a = { NUMBER($n) }", None),
        ("a =\n    .attr = only an attribute", None),
    ],
)
def test_only_text_and_variables_make_a_template(
    source: str, parts: tuple[str, ...] | None
) -> None:
    (message,) = [
        item
        for item in FluentParser().parse(source).body
        if isinstance(item, fluent_ast.Message) and item.id.name == "a"
    ]

    template = message_template(message)

    assert (template.parts if template else None) == parts


def test_a_constant_in_russian_never_stands_in_for_an_english_message_with_variables(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "ru", "greet = Привет\n")
    _write(tmp_path, "en", "greet = Hello, { $name }!\n")
    strict = Translator.from_directory(tmp_path, strict=True)

    assert strict.translate("ru", "greet") == "Привет"
    assert strict.translate("en", "greet", name="Ann") == "Hello, Ann!"
    with pytest.raises(TranslationError, match="name"):
        strict.translate("en", "greet")


def test_a_missing_argument_is_logged_and_shown_as_fluent_shows_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write(tmp_path, "ru", "hello = Привет, { $name }!\n")
    lenient = Translator.from_directory(tmp_path, strict=False)

    assert lenient.translate("ru", "hello", other="Ann") == "Привет, name!"
    assert "Unknown external: name" in caplog.text
