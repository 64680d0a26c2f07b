"""The lexicon compiled ahead: its parsed YAML and its pinyin, so start-up reads one JSON file.

Every process that screens (``faircollect screen``, ``check-message``, the server, the night)
used to parse ``lexicon.yaml`` with the pure-Python YAML parser and import pypinyin, whose
import loads its phrase dictionary and whose first phrase reading trains a segmenter: most of
a second before the first message. ``lexicon.compiled.json`` holds what those produce:

- ``lexicon``: the YAML as parsed (used when ``lexicon_sha256`` is the YAML's hash; an edited
  YAML is parsed as before until the file is compiled again);
- ``phrases``: each lexicon phrase's syllables (``phonetic.live_phrase_syllables``);
- ``syllables`` and ``characters``: each CJK code point's syllable
  (``characters[cp - FIRST]`` indexes ``syllables``; 0 is no syllable).

The readings are data, like the model's syllable table: the screener reads characters the way
the shipped file says, whatever pypinyin version is installed; a phrase the file does not list
is read by pypinyin then. ``make train-screener`` compiles the file, and so does ``make
compile-lexicon`` alone (``python -m faircollect.screening_training --compile-lexicon``); a
test fails when it is out of date with the YAML or with the pinned pypinyin.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

COMPILED_RESOURCE = ("faircollect", "data/screen/lexicon.compiled.json")
LEXICON_RESOURCE = ("faircollect", "data/screen/lexicon.yaml")
FORMAT = 1
FIRST, LAST = 0x3400, 0x9FFF
"""The code points whose syllables the file lists (``phonetic.is_han`` lies within)."""


def lexicon_text() -> str:
    """The packaged ``lexicon.yaml``."""
    package, path = LEXICON_RESOURCE
    return files(package).joinpath(path).read_text(encoding="utf-8")


def digest(text: str) -> str:
    """The hash a compiled file names its YAML by."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def shipped() -> Mapping[str, Any]:
    """The packaged compiled file ({} when there is none or it is of another format)."""
    package, path = COMPILED_RESOURCE
    try:
        data = json.loads(files(package).joinpath(path).read_bytes())
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def parsed_lexicon(text: str) -> Mapping[str, Any]:
    """``text`` (a lexicon's YAML) parsed: from the compiled file when it was compiled from
    this very text, else by the YAML parser."""
    compiled = shipped()
    if compiled.get("lexicon_sha256") == digest(text):
        return compiled["lexicon"]  # type: ignore[no-any-return]
    import yaml

    return yaml.safe_load(text)  # type: ignore[no-any-return]


class Readings:
    """Syllables as the compiled file lists them (see the module docstring)."""

    def __init__(self, compiled: Mapping[str, Any]) -> None:
        self._names: list[str] = ["", *compiled.get("syllables", ())]
        self._table: list[int] = list(compiled.get("characters", ()))
        self._covered = len(self._table) == LAST - FIRST + 1
        self._phrases = {
            phrase: tuple(tuple(reading) for reading in readings)
            for phrase, readings in compiled.get("phrases", {}).items()
        }

    def syllable(self, ch: str) -> str | None:
        """The syllable of a CJK character ("" for none), or None if the file does not say."""
        if self._covered and FIRST <= ord(ch) <= LAST:
            return self._names[self._table[ord(ch) - FIRST]]
        return None

    def phrase(self, phrase: str) -> tuple[tuple[str, ...], ...] | None:
        """A phrase's syllables, or None if the file does not list the phrase."""
        return self._phrases.get(phrase)


@lru_cache(maxsize=1)
def readings() -> Readings:
    """The packaged file's readings."""
    return Readings(shipped())


def compile_lexicon(text: str) -> dict[str, Any]:
    """The compiled file's content for a lexicon's YAML (reads pypinyin)."""
    import yaml
    from pypinyin import __version__ as pypinyin_version

    from faircollect.domain.compliance.screener.phonetic import (
        live_phrase_syllables,
        live_syllable,
    )

    raw = yaml.safe_load(text)
    phrases = sorted({p for entry in raw["entries"] for p in entry.get("phrases") or ()})
    spoken = [live_syllable(chr(cp)) for cp in range(FIRST, LAST + 1)]
    names = sorted({name for name in spoken if name})
    number = {name: i + 1 for i, name in enumerate(names)}
    return {
        "format": FORMAT,
        "lexicon_sha256": digest(text),
        "pypinyin": pypinyin_version,
        "lexicon": raw,
        "phrases": {p: [list(r) for r in live_phrase_syllables(p)] for p in phrases},
        "syllables": names,
        "characters": [number.get(name, 0) for name in spoken],
    }


def dumps(compiled: Mapping[str, Any]) -> str:
    """The file's text: one key per line, the long tables on one line each."""
    lines = [
        f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}"
        for key, value in compiled.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_compiled(out: Path | None = None) -> Path:
    """Compile the packaged lexicon into ``out`` (by default next to the YAML)."""
    package, path = COMPILED_RESOURCE
    target = out or Path(str(files(package).joinpath(path)))
    target.write_text(dumps(compile_lexicon(lexicon_text())), encoding="utf-8")
    return target
