"""The font letters are written in, found once and prepared once (issue 14: a letter in
under 200 ms).

The font: ``FAIRCOLLECT_LETTER_FONT`` (a TTF, OTF or TTC file; for a collection the
Simplified Chinese face is chosen), else the first of the usual Debian CJK fonts found
(fonts-noto-cjk's Noto Sans CJK SC, then WenQuanYi; not Droid Sans Fallback, which has
no Latin letters or digits).

Why a prepared font: Noto Sans CJK holds 65,535 glyphs, and fpdf2 parses the whole face
(its metrics, character map and CFF index) for every document, then subsets it; that
took 440-740 ms a letter. So the first letter on a machine cuts the face down to the
letter repertoire (``repertoire``: every character of GB 2312, 7,445 of them with its
6,763 hanzi, and printable ASCII and Latin-1) and keeps the result, ~1.8 MB, in the
cache folder (``FAIRCOLLECT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faircollect``, else
``~/.cache/faircollect``), named for the source file, its size and time and the
repertoire's version, so a changed font is prepared again. fpdf2 then parses a face a
tenth the size and still embeds only the glyphs a letter uses.

A letter with a character outside the repertoire (a rare character in a borrower's
name, 生僻字) is laid out from the full face, slower but never with a missing glyph: the
text is always right, the prepared face is only a shortcut. If the cache folder cannot be
written, every letter uses the full face.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from faircollect.domain.bad_input import BadInput

FONT_ENV = "FAIRCOLLECT_LETTER_FONT"
CACHE_ENV = "FAIRCOLLECT_CACHE_DIR"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
PREPARED_VERSION = 2
"""Raised whenever ``repertoire`` or the way the face is cut changes, so prepared fonts
are built again."""


class NoCjkFont(BadInput):
    """No font that can write Chinese was found: a letter cannot be laid out."""


@dataclass(frozen=True, slots=True)
class LetterFont:
    """A font file fpdf2 can embed: its path and face index in a collection (0 else)."""

    path: str
    face: int = 0


@lru_cache(maxsize=4)
def _face(path: str) -> int:
    """The index of the Simplified Chinese face in a font collection (0 otherwise)."""
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        for i, font in enumerate(collection.fonts):
            name = str(font["name"].getDebugName(4) or "")
            if name.endswith(" SC") and "Mono" not in name:
                return i
    finally:
        collection.close()
    return 0


def cjk_font() -> tuple[str, int]:
    """(path, face index) of the full font letters are written in; ``NoCjkFont`` if none."""
    configured = os.environ.get(FONT_ENV, "").strip()
    if configured:
        if not Path(configured).is_file():
            raise NoCjkFont(f"{FONT_ENV}: no font file at {configured[:200]}")
        return configured, _face(configured)
    for path in CANDIDATES:
        if Path(path).is_file():
            return path, _face(path)
    raise NoCjkFont(
        "no CJK font found for letters: install fonts-noto-cjk (Debian) or set "
        f"{FONT_ENV} to a TTF/OTF/TTC file that has Chinese glyphs"
    )


@lru_cache(maxsize=1)
def repertoire() -> frozenset[str]:
    """The characters the prepared face keeps: all of GB 2312 (the hanzi of everyday
    Chinese and of most names, full-width punctuation and forms) and printable ASCII
    and Latin-1 (amounts, dates, loan ids, addresses)."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def cache_dir() -> Path:
    """Where prepared fonts are kept (see the module docstring)."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "faircollect"


@dataclass(frozen=True, slots=True)
class _Prepared:
    font: LetterFont
    covers: frozenset[int]
    """The code points the prepared face has a glyph for."""


def _key(source: str, face: int) -> str:
    stat = Path(source).stat()
    seed = f"{Path(source).resolve()}|{face}|{stat.st_size}|{stat.st_mtime_ns}|v{PREPARED_VERSION}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


@lru_cache(maxsize=4)
def _prepared(source: str, face: int, folder: str) -> _Prepared | None:
    """The prepared face of ``source`` (built into ``folder`` the first time), or None
    when it cannot be written or read: then letters use the full face."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        target = Path(folder) / f"letter-{_key(source, face)}.otf"
        if not target.is_file():
            _build(source, face, target)
        font = TTFont(str(target), lazy=True)
        try:
            covers = frozenset(font.getBestCmap())
        finally:
            font.close()
    except (OSError, TTLibError):
        return None
    return _Prepared(LetterFont(str(target)), covers)


def _build(source: str, face: int, target: Path) -> None:
    """Cut ``source``'s face down to the repertoire and write it to ``target`` atomically
    (two processes preparing at once each write their own file; the last rename wins,
    and both are the same font). Subroutines are expanded into each glyph: fpdf2's subset
    then has no subroutine closure to compute, which halves a letter's time again."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(
        notdef_outline=True, recommended_glyphs=True, name_IDs=["*"], desubroutinize=True
    )
    # fpdf2 drops these when it embeds the font; layout tables are the bulk of the time.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG", "vhea", "vmtx", "VORG"]
    options.layout_features = []
    font = TTFont(source, fontNumber=face, lazy=True, recalcTimestamp=False)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(repertoire())))
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".letter-", suffix=".otf", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                font.save(out)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    finally:
        font.close()


def full_font() -> LetterFont:
    """The full face (``cjk_font``): every glyph the font has; slow to lay out from."""
    path, face = cjk_font()
    return LetterFont(path, face)


def font_for(text: str) -> LetterFont:
    """The font to lay out ``text`` in: the prepared face when it has every character of
    ``text``, else the full face; ``NoCjkFont`` when there is no CJK font at all."""
    path, face = cjk_font()
    prepared = _prepared(path, face, str(cache_dir()))
    if prepared is not None and all(
        ord(c) in prepared.covers for c in set(text) if not c.isspace()
    ):
        return prepared.font
    return LetterFont(path, face)


def prepare() -> LetterFont:
    """Prepare the letter face now (the bench calls it, so that the first letter timed is
    not the one that waits: preparing takes 5-25 s once per machine and font); the font a
    GB 2312 letter will use."""
    return font_for("")
