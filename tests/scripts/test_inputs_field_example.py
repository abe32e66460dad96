"""A re-ask offers the field's own example when the script has one, else the generic ones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scripts.inputs import FieldType, Invalid, Parsed, parse_input

NOW = datetime(2026, 11, 27, 14, 30, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize(
    ("kind", "text", "language", "example", "message"),
    [
        (
            "text",
            "   ",
            "ru",
            "ООО «Северный хлеб»",
            "Пустой ответ. Введите текст, например: «ООО «Северный хлеб»».",
        ),
        (
            "text",
            "",
            "en",
            "Harbor Foods Ltd",
            "The answer is empty. Type some text, for example: “Harbor Foods Ltd”.",
        ),
        (
            "text",
            "",
            "ru",
            None,
            "Пустой ответ. Введите текст, например: "
            "«Закупают раз в квартал, сроки поставки не устраивают».",
        ),
        (
            "text",
            "",
            "ru",
            "  ",
            "Пустой ответ. Введите текст, например: "
            "«Закупают раз в квартал, сроки поставки не устраивают».",
        ),
        (
            "phone",
            "позвоните мне",
            "ru",
            "+7 495 123-45-67",
            "Не понял телефон. Введите, например: «+7 495 123-45-67».",
        ),
        (
            "email",
            "нет почты",
            "en",
            "s.collins@harborfoods.com",
            "Didn't get the email. Type, for example: “s.collins@harborfoods.com”.",
        ),
        (
            "number",
            "-5",
            "ru",
            "120",
            "Число не может быть отрицательным. Введите, например: «120».",
        ),
        (
            "money",
            "много",
            "en",
            "$40k",
            "Didn't get the amount. Type, for example: “$40k”.",
        ),
        (
            "money",
            "много",
            "ru",
            None,
            "Не понял сумму. Введите, например: «1,5 млн», «200k» или «300 000 ₽».",
        ),
    ],
)
def test_a_reask_offers_the_fields_own_example(
    kind: FieldType, text: str, language: str, example: str | None, message: str
) -> None:
    result = parse_input(kind, text, now=NOW, language=language, example=example)

    assert result == Invalid(message)


def test_an_example_changes_nothing_for_an_answer_that_is_understood() -> None:
    with_example = parse_input("phone", "8 495 123 45 67", now=NOW, example="+7 916 555-12-34")

    assert with_example == parse_input("phone", "8 495 123 45 67", now=NOW)
    assert with_example == Parsed(value="+74951234567", display="+7 495 123-45-67")
