"""A refusal's words as a value: a stable key and its parameters, said in English or Chinese.

A layer that refuses something raises ``Message("promise.due_past", loan_id=..., due=...)``
instead of composing a sentence. The wording of every key, in both languages, is in one
place, ``domain.catalogue``; this module says a message in a language.

A ``Message`` *is* its English text (a ``str``): the CLI, the logs and every ``str(exc)``
read exactly what they read before the catalogue, while a front door that speaks Chinese
(the workbench, the API, the borrower portal) asks ``say(message, "zh")`` and switches on
``message.key``. A key missing from the catalogue fails at once (``KeyError``), never
falls back to English; ``tests/unit/test_catalogue.py`` walks every key the code uses.

Parameters are plain values; a template chooses how each one is written:

- ``{x}``: as it is (a date is ISO, as the pages show it);
- ``{x:yuan}``: integer fen as yuan with two decimals (``domain.money.format_yuan``);
- ``{x:percent}``: a decimal rate as a percentage (``0.24`` -> ``24%``);
- ``{x:code}``: a stored code (a status, a channel) in the language's word for it, through
  the ``words`` a front door passes (the workbench's one table of codes); as it is without;
- ``{x:codes}``: a list of codes, each as ``code``, joined (``, `` or ``、``);
- ``{x:list}``: a list joined as it is; ``{x:clauses}``: joined as clauses (``; `` or ``；``).

A parameter that is itself a ``Message`` is said in the same language.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Literal

from faircollect.domain.money import format_yuan

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")

Words = Callable[[str], str]
"""A code's word in the language (``labels.zh`` in the workbench)."""


class Message(str):
    """A message key with its parameters; as a ``str``, its English text."""

    key: str
    params: Mapping[str, object]

    def __new__(cls, key: str, /, **params: object) -> Message:
        self = super().__new__(cls, _render(key, params, "en", None))
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", MappingProxyType(dict(params)))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Message is immutable ({name})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.key, dict(self.params)))

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {dict(self.params)!r})"


def _rebuilt(key: str, params: dict[str, object]) -> Message:
    return Message(key, **params)


def say(text: str, language: Language, words: Words | None = None) -> str:
    """``text`` in ``language``: a ``Message`` from the catalogue, any other text as it is
    (a rule's reason from the gate, a user's own words)."""
    if not isinstance(text, Message):
        return str(text)
    return _render(text.key, text.params, language, words)


def key_of(text: object) -> str | None:
    """The message key of ``text`` (None for text without one)."""
    return text.key if isinstance(text, Message) else None


def wording(key: str, language: Language) -> str:
    """The catalogue's template for ``key`` in ``language`` (``KeyError`` if missing)."""
    from faircollect.domain.catalogue import CATALOGUE

    return CATALOGUE[key][LANGUAGES.index(language)]


def _render(key: str, params: Mapping[str, object], language: Language, words: Words | None) -> str:
    return _Formatter(language, words).vformat(wording(key, language), (), params)


class _Formatter(string.Formatter):
    def __init__(self, language: Language, words: Words | None) -> None:
        self.language = language
        self.words = words

    def format_field(self, value: Any, format_spec: str) -> str:
        return self.written(value, format_spec)

    def written(self, value: object, spec: str) -> str:
        if isinstance(value, Message):
            return say(value, self.language, self.words)
        if spec == "yuan":
            return format_yuan(int(value))  # type: ignore[call-overload]
        if spec == "percent":
            return _percent(value)
        if spec == "code":
            text = str(getattr(value, "value", value))
            return self.words(text) if self.words and self.language == "zh" else text
        if spec in _GLUE:
            items = value if isinstance(value, Iterable) and not isinstance(value, str) else [value]
            inner = "code" if spec == "codes" else ""
            glue = _GLUE[spec][LANGUAGES.index(self.language)]
            return glue.join(self.written(item, inner) for item in items)
        if isinstance(value, date):
            return value.isoformat()
        return format(value, spec) if spec else str(value)


_GLUE = {"list": (", ", "、"), "codes": (", ", "、"), "clauses": ("; ", "；")}


def _percent(value: object) -> str:
    try:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    except InvalidOperation:
        return str(value)
