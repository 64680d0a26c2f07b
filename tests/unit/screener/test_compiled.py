"""The compiled lexicon (``lexicon.compiled.json``) is what the YAML and pypinyin give, and
screening reads it instead of them."""

from __future__ import annotations

import json
import subprocess
import sys

import pypinyin
import yaml

from faircollect.domain.compliance.screener import compiled
from faircollect.domain.compliance.screener.phonetic import (
    live_phrase_syllables,
    live_syllable,
    phrase_syllables,
    syllable,
)

STALE = "lexicon.compiled.json is out of date: run `make compile-lexicon`"


def test_the_compiled_lexicon_is_the_yaml_and_pypinyin_as_installed() -> None:
    shipped = compiled.shipped()
    text = compiled.lexicon_text()
    assert shipped["lexicon_sha256"] == compiled.digest(text), STALE
    assert shipped["pypinyin"] == pypinyin.__version__, STALE
    parsed = yaml.safe_load(text)
    assert shipped["lexicon"] == parsed == json.loads(json.dumps(parsed))
    phrases = {p for entry in parsed["entries"] for p in entry.get("phrases") or ()}
    assert set(shipped["phrases"]) == phrases
    for phrase in phrases:
        assert phrase_syllables(phrase) == live_phrase_syllables(phrase), phrase
    for code in range(compiled.FIRST, compiled.LAST + 1):
        assert syllable(chr(code)) == live_syllable(chr(code)), hex(code)


def test_an_edited_lexicon_is_read_from_its_yaml() -> None:
    text = compiled.lexicon_text().replace("negation_window: 20", "negation_window: 21")
    assert compiled.parsed_lexicon(text)["negation_window"] == 21
    assert compiled.parsed_lexicon(compiled.lexicon_text())["negation_window"] == 20


def test_readings_outside_the_file_come_from_pypinyin() -> None:
    readings = compiled.Readings({})
    assert readings.syllable("傻") is None and readings.phrase("傻逼") is None
    assert phrase_syllables("不存在的新词语") == live_phrase_syllables("不存在的新词语")


def test_screening_imports_neither_yaml_nor_pypinyin() -> None:
    """What start-up saves: the YAML parser and pypinyin's dictionaries stay unloaded."""
    code = (
        "import sys\n"
        "from faircollect.domain.compliance.screener import screen\n"
        "assert [f.label.value for f in screen('你这个傻逼, sha bi, 沙比')]\n"
        "print(sorted(m for m in ('yaml', 'pypinyin') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
