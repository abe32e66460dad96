"""Translations: both languages complete, fallbacks, escaping, no isolation marks."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent_ast
from fluent.syntax.visitor import Visitor

from bot.i18n import Html, LocaleFilesError, TranslationError, Translator


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
