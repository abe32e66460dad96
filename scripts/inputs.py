"""Parse what a hunter types during a call into a typed, normalized field value.

Russian and English input is understood whatever the UI language is; ``language`` only picks the
language of ``display`` and of the re-ask messages. Results depend on the arguments alone: the
clock is never read, ``now`` is the reference point of every relative expression.

``parse_input`` returns one of three results and never raises for bad text:

* ``Parsed``: the JSON-friendly value used in script conditions, how to show it back, and for
  money the currency, for a period the date of the moment;
* ``Invalid``: the text was not understood; ``message`` re-asks, naming the format with examples
  (the field's own ``example`` when one is given);
* ``Unknown`` (money, number and period only): the client explicitly does not know ("пока не
  знаем", "бюджет не определён", "unknown"). In sales that is an answer of its own and a negative
  qualification signal, so it is neither re-asked nor turned into a made-up value. "нет
  бюджета" / "no budget" is not unknown: it is the amount 0.

Decisions worth knowing (each is explained where it is implemented):

* number and money ranges ("50-100", "300-500 тыс") resolve to the midpoint;
* a single separator followed by exactly three digits is a thousands separator ("1,500",
  "300.000"), otherwise it is a decimal one ("1,5", "1.25");
* e-mail addresses are lowercased entirely, local part included;
* a callback with no time of day is set to 10:00 (``names_time_of_day`` tells whether one was
  typed); a bare hour from 1 to 6 means the afternoon;
* a period is measured in whole days to its moment: the start of a future period ("Q3", "next
  month"), the end of the current one ("this quarter", "до конца года"), ``now`` plus the
  duration for a relative one ("через 2 месяца").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final, Literal, TypeAlias, get_args

import phonenumbers
from email_validator import EmailNotValidError, validate_email

__all__ = [
    "EXAMPLES",
    "FIELD_TYPES",
    "TEXT_MAX_LENGTH",
    "FieldType",
    "Invalid",
    "ParseResult",
    "Parsed",
    "Unknown",
    "field_examples",
    "parse_input",
]

FieldType = Literal["text", "phone", "email", "number", "money", "date", "period", "choice"]
FIELD_TYPES: Final[tuple[FieldType, ...]] = get_args(FieldType)

TEXT_MAX_LENGTH: Final = 1000
# Structured answers are short; anything longer is not one of them, and capping the length keeps
# the regexes and dateparser away from pathological input.
_MAX_STRUCTURED_LENGTH: Final = 200
# A day-month typed without a year that fell within this many days before today is read as a
# date that has passed (a typo or a late entry), not as the same day next year.
_RECENT_PAST_DAYS: Final = 31
_DEFAULT_CALLBACK_TIME: Final = time(10, 0)
_MONEY_LIMIT: Final = Decimal(10) ** 15
# Callbacks and purchase timelines further out than this are typos, not plans.
_HORIZON: Final = timedelta(days=3660)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A successfully parsed answer: the normalized value and its human-readable form."""

    value: str | int | float | bool
    display: str
    currency: str | None = None
    at: str | None = None


@dataclass(frozen=True, slots=True)
class Invalid:
    """Text that was not understood; ``message`` re-asks in the user's language with examples."""

    message: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """The client explicitly does not know (money, number, period): an answer, not an error."""

    display: str


ParseResult: TypeAlias = Parsed | Invalid | Unknown

# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

_LANGUAGES: Final = ("ru", "en")

EXAMPLES: Final[Mapping[FieldType, Mapping[str, str]]] = MappingProxyType(
    {
        "text": MappingProxyType(
            {
                "ru": "«Закупают раз в квартал, сроки поставки не устраивают»",
                "en": "“They buy quarterly and are unhappy with lead times”",
            }
        ),
        "phone": MappingProxyType(
            {
                "ru": "«+7 495 123-45-67» или «8 916 123 45 67»",
                "en": "“+7 495 123-45-67” or “+1 650 253 0000”",
            }
        ),
        "email": MappingProxyType({"ru": "«ivan@company.ru»", "en": "“ivan@company.com”"}),
        "number": MappingProxyType(
            {"ru": "«120», «1 200» или «около 50»", "en": "“120”, “1,200” or “about 50”"}
        ),
        "money": MappingProxyType(
            {"ru": "«1,5 млн», «200k» или «300 000 ₽»", "en": "“1.5m”, “200k” or “$300,000”"}
        ),
        "date": MappingProxyType(
            {
                "ru": "«завтра 15:00», «в понедельник 10:00» или «28.11 11:30»",
                "en": "“tomorrow 3pm”, “next monday 10am” or “28.11 11:30”",
            }
        ),
        "period": MappingProxyType(
            {
                "ru": "«через 2 месяца», «в 3 квартале» или «сейчас»",
                "en": "“in 2 months”, “Q3” or “now”",
            }
        ),
        "choice": MappingProxyType(
            {
                "ru": "номер варианта («1») или его название",
                "en": "the option's number (“1”) or name",
            }
        ),
    }
)

_WHAT: Final[Mapping[str, Mapping[str, str]]] = {
    "text": {"ru": "текст", "en": "text"},
    "phone": {"ru": "телефон", "en": "phone number"},
    "email": {"ru": "e-mail", "en": "email"},
    "number": {"ru": "число", "en": "number"},
    "money": {"ru": "сумму", "en": "amount"},
    "date": {"ru": "дату и время", "en": "date and time"},
    "period": {"ru": "срок", "en": "timeline"},
    "choice": {"ru": "вариант", "en": "option"},
}

_MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    "unclear": {
        "ru": "Не понял {what}. Введите, например: {examples}.",
        "en": "Didn't get the {what}. Type, for example: {examples}.",
    },
    "text_empty": {
        "ru": "Пустой ответ. Введите текст, например: {examples}.",
        "en": "The answer is empty. Type some text, for example: {examples}.",
    },
    "text_too_long": {
        "ru": "Слишком длинный текст: {length} символов, можно не больше {limit}. "
        "Оставьте главное, например: {examples}.",
        "en": "Too long: {length} characters, the limit is {limit}. "
        "Keep the essentials, for example: {examples}.",
    },
    "money_negative": {
        "ru": "Сумма не может быть отрицательной. Введите, например: {examples}.",
        "en": "An amount cannot be negative. Type, for example: {examples}.",
    },
    "money_currencies": {
        "ru": "В ответе две разные валюты. Введите одну сумму, например: {examples}.",
        "en": "Two different currencies in one answer. Type one amount, for example: {examples}.",
    },
    "number_negative": {
        "ru": "Число не может быть отрицательным. Введите, например: {examples}.",
        "en": "The number cannot be negative. Type, for example: {examples}.",
    },
    "date_past": {
        "ru": "Это время уже прошло. Введите время в будущем, например: {examples}.",
        "en": "That time has already passed. Type a future time, for example: {examples}.",
    },
    "date_need_time": {
        "ru": "Добавьте время: на сегодня без времени непонятно, когда звонить. "
        "Например: «сегодня 17:00».",
        "en": "Add a time: “today” alone does not say when to call. For example: “today 5pm”.",
    },
    "period_past": {
        "ru": "Этот срок уже прошёл. Введите срок в будущем, например: {examples}.",
        "en": "That moment has already passed. Type a future timeline, for example: {examples}.",
    },
    "choice": {
        "ru": "Не понял вариант. Ответьте номером или названием: {listing}.",
        "en": "Didn't get the option. Reply with its number or name: {listing}.",
    },
}

_QUOTES: Final[Mapping[str, tuple[str, str]]] = {"ru": ("«", "»"), "en": ("“", "”")}
_UNKNOWN_DISPLAY: Final[Mapping[str, str]] = {"ru": "неизвестно", "en": "unknown"}
_NOW_DISPLAY: Final[Mapping[str, str]] = {"ru": "сейчас", "en": "now"}
# Long option lists would drown the re-ask; the hunter sees the buttons anyway.
_CHOICE_LISTING_LIMIT: Final = 10


def _language(language: str) -> str:
    base = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in _LANGUAGES else "ru"


def _message(kind: FieldType, key: str, ctx: _Context, **values: object) -> Invalid:
    template = _MESSAGES[key][ctx.lang]
    return Invalid(template.format(what=_WHAT[kind][ctx.lang], examples=ctx.examples, **values))


def field_examples(kind: FieldType, language: str, example: str | None = None) -> str:
    """What a re-ask offers to type: the field's own example quoted, else the type's examples."""
    lang = _language(language)
    own = (example or "").strip()
    if not own:
        return EXAMPLES[kind][lang]
    opening, closing = _QUOTES[lang]
    return f"{opening}{own}{closing}"


class _Reject(Exception):
    """Raised deep inside a parser to return a specific ``Invalid`` message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


# ---------------------------------------------------------------------------------------------
# Normalization shared by the structured kinds
# ---------------------------------------------------------------------------------------------

_TRANSLATION: Final = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
        "ё": "е",
        "’": "'",
        "‘": "'",
        "`": "'",
        "–": "-",
        "—": "-",
        "−": "-",
        "‑": "-",
    }
)
_WS_RE: Final = re.compile(r"\s+")
# "полмиллиона", "полгода", "пол-часа": split the "half" prefix so it parses as a number word.
_HALF_PREFIX_RE: Final = re.compile(r"\bпол-?(?=(?:милл|млн|тыс|лям|ярд|час|год|месяц|недел|дн))")
_CALL_WORDS_RE: Final = re.compile(
    r"\b(?:перезвонить|перезвоните|перезвоним|перезвон|позвонить|набрать|звонок|"
    r"call\s+back|callback|call)\b"
)


def _normalize(text: str) -> str:
    s = _WS_RE.sub(" ", text.lower().translate(_TRANSLATION)).strip()
    s = _HALF_PREFIX_RE.sub("пол ", s)
    # Trailing sentence punctuation carries no meaning ("200 тыс.", "завтра!").
    return s.rstrip(" .,;!").strip()


_UNKNOWN_RE: Final = re.compile(
    r"не\s*знаю|не\s*знаем|не\s*знают|неизвестн\w*|не\s*известн\w*|не\s*определ\w*|"
    r"неопредел\w*|не\s*решил\w*|не\s*решен\w*|не\s*ясн\w*|неясн\w*|непонятн\w*|не\s*понятн\w*|"
    r"не\s*уверен\w*|затрудня\w*|без\s*понятия|понятия\s*не\s*име\w*|\bхз\b|не\s*сказал\w*|"
    r"не\s*говор\w*|не\s*раскрыва\w*|не\s*называ\w*|"
    r"unknown|don'?t\s+know|do\s+not\s+know|not\s+sure|no\s+idea|\btbd\b|"
    r"to\s+be\s+(?:decided|determined|defined)|undecided|unclear|"
    r"not\s+(?:yet\s+)?(?:decided|defined|determined|disclosed|known)|won'?t\s+(?:say|tell)"
)


def _is_unknown(s: str) -> bool:
    # A text with digits carries some figure: re-ask rather than discard it as unknown.
    return not any(ch.isdigit() for ch in s) and _UNKNOWN_RE.search(s) is not None


# ---------------------------------------------------------------------------------------------
# Numbers and amounts
# ---------------------------------------------------------------------------------------------

_WORD_NUMBERS: Final[Mapping[str, Decimal]] = {
    "пол": Decimal("0.5"),
    "половина": Decimal("0.5"),
    "полтора": Decimal("1.5"),
    "полторы": Decimal("1.5"),
    "один": Decimal(1),
    "одна": Decimal(1),
    "одну": Decimal(1),
    "одного": Decimal(1),
    "пара": Decimal(2),
    "пару": Decimal(2),
    "два": Decimal(2),
    "две": Decimal(2),
    "три": Decimal(3),
    "четыре": Decimal(4),
    "пять": Decimal(5),
    "шесть": Decimal(6),
    "семь": Decimal(7),
    "восемь": Decimal(8),
    "девять": Decimal(9),
    "десять": Decimal(10),
    "сто": Decimal(100),
    "двести": Decimal(200),
    "триста": Decimal(300),
    "четыреста": Decimal(400),
    "пятьсот": Decimal(500),
    "шестьсот": Decimal(600),
    "семьсот": Decimal(700),
    "восемьсот": Decimal(800),
    "девятьсот": Decimal(900),
    "half a": Decimal("0.5"),
    "half an": Decimal("0.5"),
    "a couple of": Decimal(2),
    "couple of": Decimal(2),
    "a": Decimal(1),
    "an": Decimal(1),
    "one": Decimal(1),
    "two": Decimal(2),
    "three": Decimal(3),
    "four": Decimal(4),
    "five": Decimal(5),
    "six": Decimal(6),
    "seven": Decimal(7),
    "eight": Decimal(8),
    "nine": Decimal(9),
    "ten": Decimal(10),
}
_WORD_NUMBER_SRC: Final = "|".join(
    re.escape(word) for word in sorted(_WORD_NUMBERS, key=len, reverse=True)
)
# Digits grouped by spaces ("1 500 000") or plain, with any mix of "," and "." resolved later.
_NUMBER_SRC: Final = r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*"
_NOT_LETTER: Final = r"(?![a-zа-я])"

_MULT_THOUSAND_RUB: Final = r"т\.?\s?р|тр"  # "500 т.р." = thousand roubles
_MULT_BILLION: Final = r"миллиард(?:а|ов)?|млрд|ярд(?:а|ов)?|billions?|bn|b"
_MULT_MILLION: Final = r"миллион(?:а|ов)?|млн|лям(?:а|ов)?|millions?|mln|mio|mm|kk|кк|m|м"
_MULT_THOUSAND: Final = r"тысяч[аиу]?|тыщ[аи]?|тыс|thousands?|thou|k|к"
_MULTIPLIERS: Final[tuple[tuple[re.Pattern[str], Decimal, str | None], ...]] = (
    (re.compile(_MULT_THOUSAND_RUB), Decimal(1000), "RUB"),
    (re.compile(_MULT_BILLION), Decimal(10) ** 9, None),
    (re.compile(_MULT_MILLION), Decimal(10) ** 6, None),
    (re.compile(_MULT_THOUSAND), Decimal(1000), None),
)
_MULT_SRC: Final = (
    rf"(?:{_MULT_THOUSAND_RUB}|{_MULT_BILLION}|{_MULT_MILLION}|{_MULT_THOUSAND}){_NOT_LETTER}\.?"
)

_CURRENCY_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("RUB", r"₽|руб(?:лей|ля|ль)?|rub(?:les?)?|rur|roubles?|р"),
    ("USD", r"us\$|\$|usd|долл(?:ар(?:ов|а|ы)?)?|бакс(?:ов|а|ы)?|dollars?"),
    ("EUR", r"€|eur(?:os?)?|евро"),
    ("KZT", r"₸|тенге|kzt"),
    ("CNY", r"¥|cny|rmb|юан(?:ей|я|ь|и)|yuan"),
    ("GBP", r"£|gbp|фунт(?:ов|а)?|pounds?"),
)
_CURRENCY_RES: Final = tuple((code, re.compile(pattern)) for code, pattern in _CURRENCY_PATTERNS)
_CURRENCY_SRC: Final = (
    "(?:" + "|".join(pattern for _, pattern in _CURRENCY_PATTERNS) + rf"){_NOT_LETTER}\.?"
)
_SYMBOLS: Final[Mapping[str, str]] = {
    "RUB": "₽",
    "USD": "$",
    "EUR": "€",
    "KZT": "₸",
    "CNY": "¥",
    "GBP": "£",
}
_SYMBOL_FIRST_IN_EN: Final = frozenset({"USD", "EUR", "GBP", "CNY"})

_AMOUNT_RE: Final = re.compile(
    rf"(?P<cur1>{_CURRENCY_SRC})?\s*"
    rf"(?:(?P<num>{_NUMBER_SRC})|(?P<word>{_WORD_NUMBER_SRC}){_NOT_LETTER})?\s*"
    rf"(?P<mult>{_MULT_SRC})?\s*"
    rf"(?P<cur2>{_CURRENCY_SRC})?"
)
_RANGE_RE: Final = re.compile(r"(?P<a>.+?)\s*(?:-|\.\.\.?|…|\bдо\b|\bto\b)\s*(?P<b>.+)")
_HEDGE_RE: Final = re.compile(
    r"(?:(?:около|примерно|приблизительно|порядка|где-?\s?то|в\s+районе|в\s+пределах|"
    r"не\s+более|не\s+менее|не\s+больше|не\s+меньше|более|больше|свыше|максимум|минимум|"
    r"до|от|бюджет|about|around|approx|approximately|roughly|up\s+to|under|over|"
    r"more\s+than|less\s+than|at\s+least|at\s+most|budget)"
    rf"{_NOT_LETTER}\s*:?|[~≈±]|\+)\s*"
)
_NEGATIVE_RE: Final = re.compile(r"(?:-|минус|minus)\s*[\d$€₽£¥₸]")
_ZERO_RE: Final = re.compile(
    r"0|ноль|нуль|нет|нету|ничего|нисколько|no|none|zero|nothing|"
    r"(?:бюджета\s+)?(?:нет|нету)(?:\s+бюджета)?|без\s+бюджета|(?:бюджет\s+)?нулевой(?:\s+бюджет)?|"
    r"денег\s+нет|нет\s+денег|no\s+budget|zero\s+budget|(?:the\s+)?budget\s+is\s+zero"
)
_UNIT_WORD_RE: Final = re.compile(r"[a-zа-я][a-zа-я.'-]*")


@dataclass(frozen=True, slots=True)
class _Amount:
    value: Decimal
    scaled: bool
    factor: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class _Quantity:
    value: Decimal
    bounds: tuple[Decimal, Decimal] | None
    currency: str | None


def _decimal(raw: str, *, scaled: bool) -> Decimal | None:
    """Read digits with "," / "." separators as a decimal, guessing which separator is which."""
    s = raw.replace(" ", "")
    separators = {ch for ch in s if ch in ",."}
    if not separators:
        return Decimal(s)
    if len(separators) == 2:
        # "1,500.50" / "1.500,50": the last separator is the decimal one.
        decimal_sep = s[max(s.rfind(","), s.rfind("."))]
        thousands_sep = "." if decimal_sep == "," else ","
        whole, fraction = s.rsplit(decimal_sep, 1)
        groups = whole.split(thousands_sep)
        if decimal_sep in whole or not _grouped(groups):
            return None
        return Decimal("".join(groups) + "." + fraction)
    parts = s.split(separators.pop())
    if len(parts) > 2:
        return Decimal("".join(parts)) if _grouped(parts) else None
    whole, fraction = parts
    # Exactly three digits after a single separator is a thousands group ("1,500", "300.000"):
    # nobody types a budget or a head count to three decimal places. With a multiplier
    # ("1.500 млн") or a leading zero ("0,125") it stays a decimal.
    if len(fraction) == 3 and not scaled and whole != "0" and len(whole) <= 3:
        return Decimal(whole + fraction)
    return Decimal(f"{whole}.{fraction}")


def _grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _currency_code(token: str) -> str:
    token = token.rstrip(".")
    for code, pattern in _CURRENCY_RES:
        if pattern.fullmatch(token):
            return code
    raise AssertionError(f"currency token outside the grammar: {token!r}")  # pragma: no cover


def _multiplier(token: str) -> tuple[Decimal, str | None]:
    token = token.rstrip(".")
    for pattern, factor, currency in _MULTIPLIERS:
        if pattern.fullmatch(token):
            return factor, currency
    raise AssertionError(f"multiplier outside the grammar: {token!r}")  # pragma: no cover


def _parse_amount(s: str) -> _Amount | None:
    match = _AMOUNT_RE.fullmatch(s)
    if match is None:
        return None
    factor: Decimal | None = None
    currencies = {_currency_code(match[name]) for name in ("cur1", "cur2") if match[name]}
    if match["mult"]:
        factor, implied = _multiplier(match["mult"])
        if implied:
            currencies.add(implied)
    if len(currencies) > 1:
        raise _Reject("money_currencies")
    if match["num"]:
        value = _decimal(match["num"], scaled=factor is not None)
        if value is None:
            return None
    elif match["word"]:
        # Number words only count with a multiplier ("полтора миллиона"): a bare "два" is
        # more likely a slip than an answer.
        if factor is None:
            return None
        value = _WORD_NUMBERS[match["word"]]
    elif factor is not None and len(match["mult"].rstrip(".")) >= 4:
        value = Decimal(1)  # "миллион", "million"
    else:
        return None
    currency = currencies.pop() if currencies else None
    return _Amount(value * (factor or 1), factor is not None, factor, currency)


def _strip_hedges(s: str) -> str:
    while True:
        match = _HEDGE_RE.match(s)
        if match is None or not match.group():
            return s
        s = s[match.end() :]


def _parse_quantity(s: str) -> _Quantity | None:
    """Parse an amount or a range of amounts; a range resolves to its midpoint."""
    s = _strip_hedges(s).rstrip("+ ")
    single = _parse_amount(s)
    if single is not None:
        return _Quantity(single.value, None, single.currency)
    match = _RANGE_RE.fullmatch(s)
    if match is None:
        return None
    low = _parse_amount(_strip_hedges(match["a"]))
    high = _parse_amount(_strip_hedges(match["b"]))
    if low is None or high is None:
        return None
    low_value = low.value
    # "300-500 тыс": the multiplier written once applies to both ends.
    if not low.scaled and high.factor is not None and low.value * high.factor <= high.value:
        low_value = low.value * high.factor
    currencies = {c for c in (low.currency, high.currency) if c}
    if len(currencies) > 1:
        raise _Reject("money_currencies")
    # The midpoint is the unbiased point estimate of a range. Conditions compare one number
    # against thresholds in both directions (a knock-out "employees < 10", a score
    # "budget >= 500000"); either bound would bias every such decision one way.
    lo, hi = sorted((low_value, high.value))
    return _Quantity((lo + hi) / 2, (lo, hi), currencies.pop() if currencies else None)


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _format_decimal(value: Decimal, lang: str, *, places: int | None = None) -> str:
    if value == value.to_integral_value():
        text = f"{value.to_integral_value():f}"
    elif places is not None:
        text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    else:
        text = f"{value.normalize():f}"
    whole, _, fraction = text.partition(".")
    group_sep, decimal_sep = (" ", ",") if lang == "ru" else (",", ".")
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    grouped = group_sep.join(groups)
    return f"{grouped}{decimal_sep}{fraction}" if fraction else grouped


def _format_money(value: Decimal, currency: str, lang: str) -> str:
    amount = _format_decimal(value, lang, places=2)
    symbol = _SYMBOLS.get(currency, currency)
    if lang == "en" and currency in _SYMBOL_FIRST_IN_EN:
        return f"{symbol}{amount}"
    return f"{amount} {symbol}"


# ---------------------------------------------------------------------------------------------
# Calendar helpers
# ---------------------------------------------------------------------------------------------

_MONTHS: Final = (
    r"январ\w*|янв|jan(?:uary)?",
    r"феврал\w*|фев|feb(?:ruary)?",
    r"март\w*|мар|mar(?:ch)?",
    r"апрел\w*|апр|apr(?:il)?",
    r"ма[йяею]|may",
    r"июн\w*|jun[e]?",
    r"июл\w*|jul[y]?",
    r"август\w*|авг|aug(?:ust)?",
    r"сентябр\w*|сент?|sep(?:t(?:ember)?)?",
    r"октябр\w*|окт|oct(?:ober)?",
    r"ноябр\w*|ноя|nov(?:ember)?",
    r"декабр\w*|дек|dec(?:ember)?",
)
_MONTH_SRC: Final = "|".join(f"(?P<m{i}>{p})" for i, p in enumerate(_MONTHS, start=1))
_MONTH_PREFIX_SRC: Final = (
    r"янв|фев|мар|апр|ма[йяею]|июн|июл|авг|сен|окт|ноя|дек|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
)
_WEEKDAYS: Final = (
    r"понедельник\w*|пн|пнд|mon(?:day)?",
    r"вторник\w*|вт|tue(?:s(?:day)?)?",
    r"сред[аеуы]|ср|wed(?:nesday)?",
    r"четверг\w*|чт|thu(?:r(?:s(?:day)?)?)?",
    r"пятниц[аеуы]|пт|fri(?:day)?",
    r"суббот[аеуы]|сб|sat(?:urday)?",
    r"воскресень[еяю]|вс|sun(?:day)?",
)


def _group_index(match: re.Match[str], prefix: str) -> int:
    for name, value in match.groupdict().items():
        if value is not None and name.startswith(prefix) and name[len(prefix) :].isdigit():
            return int(name[len(prefix) :])
    raise AssertionError("no indexed group matched")  # pragma: no cover


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(moment: datetime, months: int) -> datetime:
    years, month0 = divmod(moment.month - 1 + months, 12)
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _upcoming(month: int, day: int, today: date) -> date | None:
    """The day-month typed without a year: this year's, unless it passed long ago."""
    for year in range(today.year, today.year + 5):  # five years always include a 29 February
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        # A date just behind today stays in the past (and is rejected as such) instead of
        # silently jumping a year ahead.
        if year > today.year or candidate >= today - timedelta(days=_RECENT_PAST_DAYS):
            return candidate
    return None


Interval = tuple[date, date]


def _moment_of(span: Callable[[int], Interval], today: date, year: int | None) -> date:
    """The moment a calendar period stands for: its start if ahead, its end if under way."""
    if year is not None:
        start, end = span(year)
        # An explicit year in the past yields its end, which the caller rejects as past.
        return start if start > today else end
    for candidate in range(today.year - 1, today.year + 2):
        start, end = span(candidate)
        if end >= today:
            # A current period ("this quarter") counts to its end: its start would say "now"
            # and overstate the urgency of a client who merely plans within the period.
            return start if start > today else end
    raise AssertionError("unreachable: next year's period always ends ahead")  # pragma: no cover


def _quarter(index: int) -> Callable[[int], Interval]:
    return lambda year: (date(year, 3 * index - 2, 1), _month_end(year, 3 * index))


def _half(index: int) -> Callable[[int], Interval]:
    return lambda year: (date(year, 6 * index - 5, 1), _month_end(year, 6 * index))


def _month(index: int) -> Callable[[int], Interval]:
    return lambda year: (date(year, index, 1), _month_end(year, index))


def _whole_year(year: int) -> Interval:
    return date(year, 1, 1), date(year, 12, 31)


def _season(index: int) -> Callable[[int], Interval]:
    # Spring, summer, autumn start in March, June, September; winter in December and ends in
    # February of the next year.
    start_month = (3, 6, 9, 12)[index]

    def span(year: int) -> Interval:
        end = _add_months(datetime(year, start_month, 1), 3).date() - timedelta(days=1)
        return date(year, start_month, 1), end

    return span


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    year = int(raw)
    return year + 2000 if year < 100 else year


# ---------------------------------------------------------------------------------------------
# Relative expressions: "через 2 часа", "in 3 months", "в течение месяца", "через 2-3 недели"
# ---------------------------------------------------------------------------------------------

_UNITS_SRC: Final = (
    r"минут[ауы]?|мин|minutes?|mins?|"
    r"час(?:а|ов)?|ч|hours?|hrs?|"
    r"дн(?:я|ей)?|день|сутки|суток|days?|"
    r"недел[юиье]|нед|weeks?|wks?|"
    r"месяц(?:а|ев)?|мес|months?|mos?|"
    r"квартал(?:а|ов)?|quarters?|"
    r"год(?:а)?|лет|г|years?|yrs?"
)
_REL_NUMBER_SRC: Final = rf"\d+(?:[.,]\d+)?|{_WORD_NUMBER_SRC}"
_RELATIVE_RE: Final = re.compile(
    r"(?:(?P<prep>через|спустя|in|within|after|в\s+течени[еи]|в\s+пределах)\s+)?"
    rf"(?:(?P<n>{_REL_NUMBER_SRC})(?:\s*-\s*(?P<n2>{_REL_NUMBER_SRC}))?\s*)?"
    rf"(?P<unit>{_UNITS_SRC}){_NOT_LETTER}(?:\s+(?:спустя|later|from\s+now))?"
)
_RELATIVE_LIMIT: Final = Decimal(1000)


@dataclass(frozen=True, slots=True)
class _Relative:
    unit: str  # one of minute, hour, day, week, month, quarter, year
    amounts: tuple[Decimal, ...]

    @property
    def is_clock(self) -> bool:
        return self.unit in ("minute", "hour")


def _unit(token: str) -> str:
    for prefixes, unit in (
        (("мин", "min"), "minute"),
        (("ч", "h"), "hour"),
        (("дн", "ден", "сут", "day"), "day"),
        (("нед", "w"), "week"),
        (("мес", "mo"), "month"),
        (("кварт", "quarter"), "quarter"),
    ):
        if token.startswith(prefixes):
            return unit
    return "year"


def _relative(s: str) -> _Relative | None:
    match = _RELATIVE_RE.fullmatch(s)
    if match is None or not (match["prep"] or match["n"]):
        return None
    amounts: list[Decimal] = []
    for raw in (match["n"], match["n2"]):
        if raw is None:
            continue
        amount = _WORD_NUMBERS.get(raw) or Decimal(raw.replace(",", "."))
        if amount <= 0 or amount > _RELATIVE_LIMIT:
            return None
        amounts.append(amount)
    return _Relative(_unit(match["unit"]), tuple(amounts) or (Decimal(1),))


def _shift(moment: datetime, amount: Decimal, unit: str) -> datetime:
    if unit in ("minute", "hour", "day", "week"):
        minutes = {"minute": 1, "hour": 60, "day": 1440, "week": 10080}[unit]
        return moment + timedelta(minutes=round(float(amount) * minutes))
    months = amount * {"month": 1, "quarter": 3, "year": 12}[unit]
    whole = int(months)
    # Fractions of a month ("через полтора месяца") are counted as 30-day months.
    return _add_months(moment, whole) + timedelta(days=round(float(months - whole) * 30))


def _apply_relative(relative: _Relative, moment: datetime) -> datetime:
    moments = [_shift(moment, amount, relative.unit) for amount in relative.amounts]
    # "через 2-3 месяца": the midpoint, as for any range.
    return moments[0] + (moments[-1] - moments[0]) / 2


# ---------------------------------------------------------------------------------------------
# Dates: days and times of day
# ---------------------------------------------------------------------------------------------

_PREP_SRC: Final = r"(?:(?<![a-zа-я])(?:в|во|к|около|at|around|by)\s+|@\s*)?"
_AMPM_SRC: Final = r"(?P<ampm>[ap]\.?m\.?)(?![a-z])"
_DAYPART_SRC: Final = r"(?P<part>утра|дня|вечера|ночи)(?![a-zа-я])"
_TIME_RES: Final = (
    # 15:00, в 15:00, 3:30pm, 9:00 утра
    re.compile(
        rf"{_PREP_SRC}(?<![\d.:/])(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)"
        rf"(?:\s*{_AMPM_SRC}|\s+{_DAYPART_SRC})?"
    ),
    # 3pm, at 10 am, 10.30pm
    re.compile(rf"{_PREP_SRC}(?<![\d.:/])(?P<h>\d{{1,2}})(?:\.(?P<m>\d{{2}}))?\s*{_AMPM_SRC}"),
    # в 15, к 10.30, в 3 часа дня, at 10 -- but not "к 15 декабря", "в 15 числа", "к 15-му"
    re.compile(
        r"(?<![a-zа-я])(?:в|во|к|около|at|around|by)\s+(?P<h>\d{1,2})(?:\.(?P<m>\d{2}))?"
        r"(?:\s*(?:ч|час(?:а|ов)?|h|o'?clock)(?![a-zа-я]))?"
        rf"(?:\s+{_DAYPART_SRC})?(?![\d.:/])"
        rf"(?!\s*-?(?:го|му|е|ое)\b|\s*числ|\s*(?:{_MONTH_PREFIX_SRC}))"
    ),
    # 15 ч, 3 часа дня
    re.compile(
        r"(?<![\d.:/])(?<!через )(?<!in )(?P<h>\d{1,2})\s*(?:ч|час(?:а|ов)?)(?![a-zа-я])"
        rf"(?:\s+{_DAYPART_SRC})?"
    ),
    # 9 утра, 7 вечера ("3 дня" is three days, so "дня" needs a preposition or "часа")
    re.compile(r"(?<![\d.:/])(?P<h>\d{1,2})\s+(?P<part>утра|вечера|ночи)(?![a-zа-я])"),
    re.compile(
        r"(?:(?<![a-zа-я])(?:в|at)\s+)?(?<![a-zа-я])(?P<noon>полдень|noon|midday|полночь|midnight)"
        r"(?![a-zа-я])"
    ),
    # утром, вечером, in the afternoon: a usual hour for that part of the day
    re.compile(
        r"(?:(?<![a-zа-я])(?:in\s+the|this)\s+)?"
        r"(?P<daypart>утром|днем|в\s+обед|вечером|morning|afternoon|evening|lunchtime)(?![a-zа-я])"
    ),
)
_DAYPART_CLOCK: Final[Mapping[str, time]] = {
    "утром": time(10, 0),
    "morning": time(10, 0),
    "днем": time(14, 0),
    "afternoon": time(14, 0),
    "в обед": time(13, 0),
    "lunchtime": time(13, 0),
    "вечером": time(18, 0),
    "evening": time(18, 0),
}
_DOTTED_TIME_RE: Final = _TIME_RES[2]

_TODAY_RE: Final = re.compile(r"сегодня|today|tonight")
_TOMORROW_RE: Final = re.compile(r"завтра|tomorrow|tmrw?|tmr")
_AFTER_TOMORROW_RE: Final = re.compile(r"послезавтра|(?:the\s+)?day\s+after\s+tomorrow")
_WEEKDAY_RE: Final = re.compile(
    r"(?:(?P<q>следующ\w*|эт(?:у|от|о|а)|ближайш\w*|next|this|coming)\s+)?(?:"
    + "|".join(f"(?P<d{i}>{p})" for i, p in enumerate(_WEEKDAYS))
    + ")"
)
_DMY_RE: Final = re.compile(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?")
_ISO_RE: Final = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_EXPLICIT_YEAR_RE: Final = re.compile(r"\b\d{4}\b")
_DAY_PREP_RE: Final = re.compile(
    r"^(?:(?:в|во|на|on|at|к|by|до|before|until|till|не\s+позднее|не\s+позже|"
    r"not\s+later\s+than)\s+)+"
)
_DAY_TAIL_RE: Final = re.compile(r"(?:\s+(?:в|во|at|on|к))+$")


def _clock(match: re.Match[str]) -> time | None:
    groups = match.groupdict()
    if groups.get("daypart"):
        return _DAYPART_CLOCK[_WS_RE.sub(" ", groups["daypart"])]
    if groups.get("noon"):
        return time(0, 0) if groups["noon"] in ("полночь", "midnight") else time(12, 0)
    raw_hour = groups["h"]
    hour, minute = int(raw_hour), int(groups.get("m") or 0)
    ampm, part = groups.get("ampm"), groups.get("part")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    elif part in ("утра", "ночи"):
        hour = 0 if hour == 12 else hour
    elif part == "вечера" or (part == "дня" and 1 <= hour <= 6):
        hour = hour + 12 if hour < 12 else hour
    elif part is None and 1 <= hour <= 6 and not raw_hour.startswith("0"):
        # Nobody books a B2B callback at 3 a.m.: "в 3" means 15:00. A leading zero ("06:00")
        # is read as a deliberate 24-hour time.
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _extract_time(s: str) -> tuple[time | None, str]:
    """Find the time of day in the text; return it and the rest of the text."""
    for pattern in _TIME_RES:
        match = pattern.search(s)
        if match is None:
            continue
        rest = _WS_RE.sub(" ", f"{s[: match.start()]} {s[match.end() :]}").strip(" ,")
        if pattern is _DOTTED_TIME_RE and match["m"] and not rest:
            # "в 10.12" alone is a date more often than a time; a day elsewhere in the text
            # ("завтра в 10.30") or impossible day-month values make it a time.
            day, month = int(match["h"]), int(match["m"])
            if 1 <= day <= 31 and 1 <= month <= 12:
                return None, s
        clock = _clock(match)
        if clock is None:
            raise _Reject("unclear")
        return clock, rest
    return None, s


def _weekday_date(match: re.Match[str], today: date) -> date:
    weekday = _group_index(match, "d")
    qualifier = match["q"] or ""
    if qualifier.startswith(("следующ", "next")):
        # "следующий/next Monday": that day of the next calendar week. Read it back from the
        # display: people disagree on this one, and the date shown settles it.
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    if qualifier.startswith(("эт", "this")):
        return today + timedelta(days=ahead)
    # A bare weekday is the next one: "в пятницу" said on a Friday is a week ahead.
    return today + timedelta(days=ahead or 7)


def _dateparser_day(s: str, now: datetime) -> date | None:
    """Fall back to dateparser for the long tail ("1 декабря", "december 1st", "28 nov 2027")."""
    from dateparser.date import DateDataParser  # imported on demand: slow to import and load

    parser = DateDataParser(
        languages=["ru", "en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": now,
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            # Without a day and a month, dateparser fills them in from the base date:
            # "ноябрь" would become the 27th, which nobody said.
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    try:
        data = parser.get_date_data(s)
    except Exception:  # dateparser raises assorted errors on odd input; that is just "no date"
        return None
    if data.date_obj is None:
        return None
    found = data.date_obj.date()
    # ``parts`` (which parts the text itself gave) is newer than the type stubs.
    parts: tuple[str, ...] = getattr(data, "parts", ())
    if "year" not in parts and not _EXPLICIT_YEAR_RE.search(s):
        # PREFER_DATES_FROM=future silently moves a date that just passed to next year.
        return _upcoming(found.month, found.day, now.date())
    return found


def _day(s: str, now: datetime) -> date | None:
    """Parse the day part of an answer: a weekday, a date, a relative or named day."""
    today = now.date()
    s = _DAY_TAIL_RE.sub("", _DAY_PREP_RE.sub("", s.replace(",", " ")))
    s = _WS_RE.sub(" ", s).strip()
    if not s or s.isdigit():
        return None
    if _TODAY_RE.fullmatch(s):
        return today
    if _TOMORROW_RE.fullmatch(s):
        return today + timedelta(days=1)
    if _AFTER_TOMORROW_RE.fullmatch(s):
        return today + timedelta(days=2)
    if match := _WEEKDAY_RE.fullmatch(s):
        return _weekday_date(match, today)
    if match := _DMY_RE.fullmatch(s) or _ISO_RE.fullmatch(s):
        year = _year(match["y"])
        day, month = int(match["d"]), int(match["m"])
        if year is None:
            return _upcoming(month, day, today) if 1 <= month <= 12 else None
        try:
            return date(year, month, day)
        except ValueError:
            return None
    if relative := _relative(s):
        return None if relative.is_clock else _apply_relative(relative, now).date()
    return _dateparser_day(s, now)


# ---------------------------------------------------------------------------------------------
# Periods: the purchase timeline
# ---------------------------------------------------------------------------------------------

_PERIOD_PREP: Final = r"(?:(?:в|во|на|к|до|in|by|during|within|before)\s+)?(?:the\s+)?"
_ORDINAL_SRC: Final = r"(?:-?(?:й|м|ом|ем|го|е|ое|ий|ый))?"
_QUARTER_WORDS: Final = (
    r"1|i|перв\w*|first|1st",
    r"2|ii|втор\w*|second|2nd",
    r"3|iii|трет\w*|third|3rd",
    r"4|iv|четверт\w*|fourth|4th",
)
_YEAR_SUFFIX: Final = r"(?:\s*(?:of\s+)?'?(?P<y>\d{4}|\d{2}))?(?:\s*(?:года?|г))?"

_NOW_RE: Final = re.compile(
    r"(?:прямо\s+)?сейчас|(?:очень\s+)?срочно|уже|немедленно|вчера|горит|сегодня|"
    r"как\s+можно\s+(?:скорее|быстрее|раньше)|"
    r"уже\s+(?:ищем|ищут|выбираем|выбирают|закупаем|закупают|покупаем|внедряем|в\s+процессе)|"
    r"asap|a\.s\.a\.p|(?:right\s+)?now|immediately|urgent(?:ly)?|yesterday|today|already"
)
_QUARTER_RE: Final = re.compile(
    rf"{_PERIOD_PREP}(?:q(?P<a>[1-4])|(?P<b>[1-4])\s*q|(?:"
    + "|".join(f"(?P<w{i}>{p})" for i, p in enumerate(_QUARTER_WORDS, start=1))
    + rf"){_ORDINAL_SRC}\s*(?:квартал\w*|кв|quarter))"
    + _YEAR_SUFFIX
)
_HALF_RE: Final = re.compile(
    rf"{_PERIOD_PREP}(?:h(?P<a>[12])|(?:(?P<w1>1|перв\w*|first|1st)|(?P<w2>2|втор\w*|second|2nd))"
    rf"{_ORDINAL_SRC}\s*(?:полугоди\w*|half(?:\s+of\s+the\s+year)?))" + _YEAR_SUFFIX
)
_MONTH_NAME_RE: Final = re.compile(rf"{_PERIOD_PREP}(?:{_MONTH_SRC})" + _YEAR_SUFFIX)
_YEAR_RE: Final = re.compile(rf"{_PERIOD_PREP}(?P<y>20\d{{2}})(?:\s*(?:году|года|год|г))?")
_SEASON_RE: Final = re.compile(
    r"(?:(?P<next>следующ\w*|next)\s+)?"
    + _PERIOD_PREP
    + r"(?:(?P<s0>весн\w*|spring)|(?P<s1>лет(?:ом|а|о|у)|summer)|"
    r"(?P<s2>осен\w*|autumn|fall)|(?P<s3>зим\w*|winter))"
    r"(?:\s+(?P<y>\d{4}))?"
)

_THIS: Final = r"(?:этой|этом|текущей|текущем|this|current)"
_END_OF: Final = (
    r"(?:до\s+конца|к\s+концу|в\s+конце|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?)"
)
_NAMED_PERIODS: Final[tuple[tuple[re.Pattern[str], Callable[[date], date]], ...]] = (
    (
        re.compile(rf"(?:(?:на|в)\s+)?{_THIS}\s+(?:неделе|week)|{_END_OF}\s*(?:недели|week)|eow"),
        lambda today: today + timedelta(days=6 - today.weekday()),
    ),
    (
        re.compile(r"(?:(?:на|в)\s+)?следующей\s+неделе|next\s+week"),
        lambda today: today + timedelta(days=7 - today.weekday()),
    ),
    (
        re.compile(rf"(?:в\s+)?{_THIS}\s+(?:месяце|month)|{_END_OF}\s*(?:месяца|month)|eom"),
        lambda today: _month_end(today.year, today.month),
    ),
    (
        re.compile(r"(?:в\s+)?(?:начале\s+)?следующ\w+\s+месяц\w*|(?:early\s+)?next\s+month"),
        lambda today: _month_end(today.year, today.month) + timedelta(days=1),
    ),
    (
        re.compile(
            rf"(?:в\s+)?{_THIS}\s+(?:квартале|quarter)|{_END_OF}\s*(?:квартала|quarter)|eoq"
        ),
        lambda today: _quarter((today.month + 2) // 3)(today.year)[1],
    ),
    (
        re.compile(r"(?:в\s+)?(?:начале\s+)?следующ\w+\s+квартал\w*|next\s+quarter"),
        lambda today: _quarter((today.month + 2) // 3)(today.year)[1] + timedelta(days=1),
    ),
    (
        re.compile(rf"(?:в\s+)?{_THIS}\s+(?:полугодии|half)|{_END_OF}\s*(?:полугодия|half)"),
        lambda today: _half((today.month + 5) // 6)(today.year)[1],
    ),
    (
        re.compile(r"(?:в\s+)?(?:начале\s+)?следующ\w+\s+полугоди\w*|next\s+half"),
        lambda today: _half((today.month + 5) // 6)(today.year)[1] + timedelta(days=1),
    ),
    (
        re.compile(
            rf"(?:в\s+)?{_THIS}\s+(?:году|year)|{_END_OF}\s*(?:года|year)|eoy|"
            r"(?:by\s+)?year[\s-]end|(?:до|к)\s+нов\w+\s+год\w*"
        ),
        lambda today: date(today.year, 12, 31),
    ),
    (
        re.compile(
            r"(?:в\s+)?(?:начале\s+)?следующ\w+\s+год\w*|(?:early\s+)?next\s+year|"
            r"после\s+нов\w+\s+год\w*|(?:в\s+)?нов\w+\s+году|after\s+(?:the\s+)?new\s+year"
        ),
        lambda today: date(today.year + 1, 1, 1),
    ),
)


def _period_moment(s: str, now: datetime) -> date | None:
    """The date a purchase-timeline answer points at, or None if not understood."""
    today = now.date()
    if _NOW_RE.fullmatch(s):
        return today
    if match := _QUARTER_RE.fullmatch(s):
        # Checked before relative durations: "3 квартал" is Q3, not three quarters from now.
        index = int(match["a"] or match["b"] or _group_index(match, "w"))
        return _moment_of(_quarter(index), today, _year(match["y"]))
    if relative := _relative(s):
        return _apply_relative(relative, now).date()
    for pattern, resolve in _NAMED_PERIODS:
        if pattern.fullmatch(s):
            return resolve(today)
    if match := _HALF_RE.fullmatch(s):
        index = int(match["a"] or _group_index(match, "w"))
        return _moment_of(_half(index), today, _year(match["y"]))
    if match := _MONTH_NAME_RE.fullmatch(s):
        return _moment_of(_month(_group_index(match, "m")), today, _year(match["y"]))
    if match := _YEAR_RE.fullmatch(s):
        return _moment_of(_whole_year, today, int(match["y"]))
    if match := _SEASON_RE.fullmatch(s):
        span = _season(_group_index(match, "s"))
        if match["next"]:
            # "next summer" is the next one to start, even when said during a summer.
            return next(
                start
                for start, _ in map(span, range(today.year - 1, today.year + 2))
                if start > today
            )
        return _moment_of(span, today, _year(match["y"]))
    return _day(s, now)


def _period_display(days: int, at: date, lang: str) -> str:
    if days == 0:
        return _NOW_DISPLAY[lang]
    months = round(days / 30.4375)
    count: int | float
    if days < 14:
        count, ru_unit, en_unit = days, "дн.", "day"
    elif days < 28:
        count, ru_unit, en_unit = round(days / 7), "нед.", "week"
    elif months < 12:
        count, ru_unit, en_unit = max(1, months), "мес.", "month"
    else:
        halves = round(days / 365.25 * 2)
        count = halves // 2 if halves % 2 == 0 else halves / 2
        ru_unit, en_unit = "г.", "year"
    if lang == "ru":
        return f"через {str(count).replace('.', ',')} {ru_unit} (≈ {at:%d.%m.%Y})"
    plural = "" if count == 1 else "s"
    return f"in {count} {en_unit}{plural} (≈ {at.isoformat()})"


# ---------------------------------------------------------------------------------------------
# Parsers, one per field type
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    now: datetime  # naive local wall time, to the minute
    tz: tzinfo
    lang: str
    currency: str
    options: Mapping[str, str] | None
    region: str
    examples: str  # what re-asks offer to type, already quoted


def _structured(text: str) -> str:
    s = _normalize(text)
    if not s or len(s) > _MAX_STRUCTURED_LENGTH:
        raise _Reject("unclear")
    return s


def _parse_text(text: str, ctx: _Context) -> ParseResult:
    # Collapse runs of spaces and tabs, keep line breaks: a note may be a short list.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    value = "\n".join(_WS_RE.sub(" ", line).strip() for line in lines).strip()
    if not value:
        return _message("text", "text_empty", ctx)
    if len(value) > TEXT_MAX_LENGTH:
        return _message("text", "text_too_long", ctx, length=len(value), limit=TEXT_MAX_LENGTH)
    return Parsed(value=value, display=value)


def _parse_phone(text: str, ctx: _Context) -> ParseResult:
    s = text.strip()
    if not any(ch.isdigit() for ch in s) or len(s) > 64:
        raise _Reject("unclear")
    try:
        number = phonenumbers.parse(s, ctx.region.upper())
    except phonenumbers.NumberParseException:
        raise _Reject("unclear") from None
    if not phonenumbers.is_valid_number(number):
        raise _Reject("unclear")
    # E.164 has no room for an extension; the display keeps it for whoever dials.
    value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    display = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    if ctx.lang == "ru":
        display = display.replace(" ext. ", " доб. ")
    return Parsed(value=str(value), display=display)


def _parse_email(text: str, ctx: _Context) -> ParseResult:
    s = text.strip().strip("<>").strip()
    if s[:7].lower() == "mailto:":
        s = s[7:]
    if not s or len(s) > 254:
        raise _Reject("unclear")
    try:
        # No DNS lookups: parsing must stay offline and deterministic.
        info = validate_email(s, check_deliverability=False)
    except EmailNotValidError:
        raise _Reject("unclear") from None
    # The whole address is lowercased, local part included: no mainstream mail provider treats
    # it as case-sensitive, and one spelling per client lets leads be matched and deduplicated.
    value = info.normalized.lower()
    return Parsed(value=value, display=value)


def _parse_number(text: str, ctx: _Context) -> ParseResult:
    s = _structured(text)
    if _NEGATIVE_RE.match(s):
        return _message("number", "number_negative", ctx)
    words = s.removesuffix("%").rstrip().split(" ")
    # Trailing unit words ("300 человек", "50 employees") are dropped one at a time.
    for keep in range(len(words), max(0, len(words) - 4), -1):
        if keep < len(words) and not _UNIT_WORD_RE.fullmatch(words[keep]):
            break
        try:
            quantity = _parse_quantity(" ".join(words[:keep]))
        except _Reject:
            quantity = None
        if quantity is not None:
            display = _format_decimal(quantity.value, ctx.lang)
            if quantity.bounds is not None:
                low, high = (_format_decimal(bound, ctx.lang) for bound in quantity.bounds)
                display = f"≈ {display} ({low}–{high})"
            return Parsed(value=_json_number(quantity.value), display=display)
    if _is_unknown(s):
        return Unknown(_UNKNOWN_DISPLAY[ctx.lang])
    raise _Reject("unclear")


def _parse_money(text: str, ctx: _Context) -> ParseResult:
    s = _structured(text)
    if _NEGATIVE_RE.match(s):
        return _message("money", "money_negative", ctx)
    if _ZERO_RE.fullmatch(s):
        quantity: _Quantity | None = _Quantity(Decimal(0), None, None)
    else:
        quantity = _parse_quantity(s)
    if quantity is None:
        if _is_unknown(s):
            return Unknown(_UNKNOWN_DISPLAY[ctx.lang])
        raise _Reject("unclear")
    if quantity.value > _MONEY_LIMIT:
        raise _Reject("unclear")
    currency = quantity.currency or ctx.currency
    value = quantity.value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    display = _format_money(value, currency, ctx.lang)
    if quantity.bounds is not None:
        low, high = (_format_decimal(bound, ctx.lang, places=2) for bound in quantity.bounds)
        display = f"≈ {display} ({low}–{high})"
    return Parsed(value=_json_number(value), display=display, currency=currency)


def _localize(naive: datetime, tz: tzinfo) -> datetime:
    localize = getattr(tz, "localize", None)
    if callable(localize):
        # pytz zones need localize(): replace() would attach their historical LMT offset.
        aware: datetime = localize(naive)
        return aware
    return naive.replace(tzinfo=tz)


def _date_text(text: str) -> str:
    s = _CALL_WORDS_RE.sub(" ", _structured(text))
    return _WS_RE.sub(" ", s).strip()


def _clock_relative(s: str) -> _Relative | None:
    """A shift by minutes or hours ("через 2 часа"): it fixes the time of day by itself."""
    relative = _relative(s)
    return relative if relative is not None and relative.is_clock else None


def names_time_of_day(text: str) -> bool:
    """Whether a date as typed fixes the time of day ("завтра в 15:00", "через 2 часа"), not
    only the day ("завтра", "в пятницу"), which ``parse_input`` sets to 10:00."""
    try:
        s = _date_text(text)
        return _clock_relative(s) is not None or _extract_time(s)[0] is not None
    except _Reject:
        return False


def _parse_date(text: str, ctx: _Context) -> ParseResult:
    s = _date_text(text)
    now = ctx.now
    relative = _clock_relative(s)
    if relative is not None:
        moment = _apply_relative(relative, now).replace(second=0, microsecond=0)
        return _date_result(moment, ctx)
    clock, rest = _extract_time(s)
    if _DAY_PREP_RE.sub("", rest).strip() == "":
        if clock is None:
            raise _Reject("unclear")
        # A time alone is its next occurrence: "в 10" said at 14:30 means tomorrow morning.
        day = now.date() if clock > now.time() else now.date() + timedelta(days=1)
    else:
        found = _day(rest, now)
        if found is None:
            raise _Reject("unclear")
        day = found
    moment = datetime.combine(day, clock or _DEFAULT_CALLBACK_TIME)
    if moment > now + _HORIZON:
        raise _Reject("unclear")
    if moment < now:
        if clock is None and day == now.date():
            return _message("date", "date_need_time", ctx)
        return _message("date", "date_past", ctx)
    return _date_result(moment, ctx)


def _date_result(moment: datetime, ctx: _Context) -> ParseResult:
    display = f"{moment:%d.%m.%Y %H:%M}" if ctx.lang == "ru" else f"{moment:%Y-%m-%d %H:%M}"
    return Parsed(value=_localize(moment, ctx.tz).isoformat(), display=display)


def _parse_period(text: str, ctx: _Context) -> ParseResult:
    s = _structured(text)
    moment = _period_moment(s, ctx.now)
    if moment is None or moment > ctx.now.date() + _HORIZON:
        if moment is None and _is_unknown(s):
            return Unknown(_UNKNOWN_DISPLAY[ctx.lang])
        raise _Reject("unclear")
    days = (moment - ctx.now.date()).days
    if days < 0:
        return _message("period", "period_past", ctx)
    return Parsed(
        value=days, display=_period_display(days, moment, ctx.lang), at=moment.isoformat()
    )


def _choice_key(text: str) -> str:
    return _WS_RE.sub(" ", text.casefold().replace("ё", "е")).strip(" .,;!?«»\"'")


def _parse_choice(text: str, ctx: _Context) -> ParseResult:
    options = ctx.options
    if not options:
        raise ValueError("a choice field needs options")
    key = _choice_key(text)
    if key:
        # Ids first, then labels, then positions: an id is what scripts and buttons use.
        for option_id, label in options.items():
            if _choice_key(option_id) == key:
                return Parsed(value=option_id, display=label)
        for option_id, label in options.items():
            if _choice_key(label) == key:
                return Parsed(value=option_id, display=label)
        if (match := re.fullmatch(r"(\d{1,3})\s*[.)]?", key)) and 1 <= int(match[1]) <= len(
            options
        ):
            option_id = list(options)[int(match[1]) - 1]
            return Parsed(value=option_id, display=options[option_id])
    listing = "; ".join(
        f"{number}) {label}"
        for number, label in enumerate(list(options.values())[:_CHOICE_LISTING_LIMIT], start=1)
    )
    if len(options) > _CHOICE_LISTING_LIMIT:
        listing += "; …"
    return Invalid(_MESSAGES["choice"][ctx.lang].format(listing=listing))


_PARSERS: Final[Mapping[str, Callable[[str, _Context], ParseResult]]] = {
    "text": _parse_text,
    "phone": _parse_phone,
    "email": _parse_email,
    "number": _parse_number,
    "money": _parse_money,
    "date": _parse_date,
    "period": _parse_period,
    "choice": _parse_choice,
}


def parse_input(
    kind: FieldType,
    text: str,
    *,
    now: datetime,
    language: str = "ru",
    currency: str = "RUB",
    options: Mapping[str, str] | None = None,
    region: str = "RU",
    example: str | None = None,
) -> ParseResult:
    """Parse a hunter's typed answer for a field of type ``kind``; never raises for bad text.

    ``example`` is the field's own sample answer (a script author's ``example``): re-asks offer
    it instead of the generic examples for the type.
    """
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"unknown field type {kind!r}; expected one of {FIELD_TYPES}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    lang = _language(language)
    ctx = _Context(
        now=now.replace(tzinfo=None, second=0, microsecond=0),
        tz=now.tzinfo,
        lang=lang,
        currency=currency.strip().upper() or "RUB",
        options=options,
        region=region,
        examples=field_examples(kind, lang, example),
    )
    try:
        return parser(text, ctx)
    except _Reject as reject:
        return _message(kind, reject.key, ctx)
