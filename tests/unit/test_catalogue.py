"""Every message key the code raises has its English and Chinese wording in the catalogue
(``domain.catalogue``), and every placeholder of one wording is a parameter of the other:
a key missing in one language is a failure here, never an English fallback on a page."""

from __future__ import annotations

import ast
import string
from importlib import resources
from pathlib import Path

import pytest

from faircollect.domain.casework.roles import Permission
from faircollect.domain.catalogue import CATALOGUE
from faircollect.domain.messages import Message, say

SRC = Path(str(resources.files("faircollect")))

DYNAMIC = {
    "f'permission.{permission.value}'": {f"permission.{p.value}" for p in Permission},
    "f'letter.{doing}'": {"letter.issue", "letter.read"},
}
"""Keys built from a value, with every key they can build."""


def _keys_in_source() -> set[str]:
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        if path.name == "messages.py":  # Message itself, rebuilt from a pickled key
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message"):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.add(first.value)
            elif isinstance(first, ast.IfExp):
                keys |= {b.value for b in (first.body, first.orelse)}  # type: ignore[attr-defined]
            else:
                text = ast.unparse(first)
                assert text in DYNAMIC, f"{path.name}: a key built as {text}: list its keys"
                keys |= DYNAMIC[text]
    return keys


PARAMETERS_ONLY = {"call.promise_refused"}
"""Wordings that are only their parameters (each a message said in the language)."""

USED = sorted(_keys_in_source())


def test_the_code_raises_keyed_messages() -> None:
    assert len(USED) > 150


@pytest.mark.parametrize("key", USED)
def test_every_key_used_has_both_languages(key: str) -> None:
    assert key in CATALOGUE, f"{key} is used in src but missing from domain/catalogue.py"
    english, chinese = CATALOGUE[key]
    assert english.strip() and chinese.strip()
    said = any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in chinese)
    assert said or key in PARAMETERS_ONLY, f"{key}: not Chinese"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_chinese_uses_only_parameters_english_has(key: str) -> None:
    english, chinese = CATALOGUE[key]
    assert _fields(chinese) <= _fields(english) | {"title"}, key


def test_no_key_in_the_catalogue_is_unused() -> None:
    assert sorted(set(CATALOGUE) - set(USED)) == []


def test_a_missing_key_fails_loudly() -> None:
    with pytest.raises(KeyError):
        Message("no.such.key")


def test_a_message_is_its_english_text_and_says_chinese() -> None:
    said = Message("promise.above_owed", amount=123456, ceiling=100000)
    assert said == "PTP-1: 1234.56 yuan is more than the 1000.00 yuan lawfully owed"
    assert say(said, "zh") == "PTP-1：承诺金额 1234.56 元超过依法应还的 1000.00 元"
    assert said.key == "promise.above_owed"
