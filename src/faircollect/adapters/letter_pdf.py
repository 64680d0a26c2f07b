"""A letter (``domain.letters.Letter``) laid out as an A4 PDF with a CJK font embedded.

The font: ``FAIRCOLLECT_LETTER_FONT`` (a TTF, OTF or TTC file; for a collection the
Simplified Chinese face is chosen), else the first of the usual Debian CJK fonts found
(fonts-noto-cjk's Noto Sans CJK SC, then WenQuanYi; not Droid Sans Fallback, which has
no Latin letters or digits). fpdf2
embeds only the glyphs used (a subset), so a letter is some tens of kilobytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from faircollect.domain.bad_input import BadInput
from faircollect.domain.letters import Letter

FONT_ENV = "FAIRCOLLECT_LETTER_FONT"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class NoCjkFont(BadInput):
    """No font that can write Chinese was found: a letter cannot be laid out."""


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
    """(path, face index) of the font letters are written in; ``NoCjkFont`` if none."""
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


_TOKEN = re.compile(r"[0-9A-Za-z.,:/@%+\-_#]+|\s|.")
_NO_LINE_START = frozenset("，。、；：？！）》」』”’,.;:?!)%")
"""Punctuation that never begins a line (禁则): it stays with the token before it."""


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` cut into lines no wider than ``width``: between any two Chinese characters
    or at a space, never inside a number, amount, date or Latin word, and never before
    closing punctuation. Leading spaces of a line are dropped, except the paragraph's."""
    tokens = _TOKEN.findall(text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and measure(line + token) > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
            continue
        line += token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def render_pdf(letter: Letter) -> bytes:
    """The letter on A4: the lender's letterhead (name, address, complaint line), the
    title, reference and date, the body, and the complaint channels; returns PDF bytes."""
    from fpdf import FPDF

    lender = letter.lender

    class Page(FPDF):
        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("cjk", size=8)
            self.set_text_color(90, 90, 90)
            self.multi_cell(
                0,
                4.2,
                f"{lender.name}　{lender.address}　客服及投诉电话 {lender.complaint_line}\n"
                f"本函仅送达借款人本人，不向他人披露，不公开张贴。　第 {self.page_no()} 页",
                align="C",
            )

    path, face = cjk_font()
    pdf = Page(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=26)
    pdf.set_title(f"{letter.title} {letter.reference}")
    pdf.set_author(letter.lender.name)
    pdf.set_creator("faircollect")
    pdf.add_font("cjk", fname=path, collection_font_number=face)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("cjk", size=15)
    pdf.cell(width, 9, lender.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    head = "　".join(
        part for part in (lender.address, f"客服及投诉电话：{lender.complaint_line}") if part
    )
    pdf.cell(width, 6, head, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(40, 40, 40)
    pdf.set_line_width(0.5)
    y = pdf.get_y() + 1.5
    pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
    pdf.set_y(y + 7)
    pdf.set_font("cjk", size=18)
    pdf.cell(width, 11, letter.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(
        width,
        6,
        f"函件编号：{letter.reference}　　日期：{letter.as_of.isoformat()}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("cjk", size=11.5)
    for paragraph in letter.body.split("\n"):
        if not paragraph.strip():
            pdf.ln(3.5)
            continue
        for line in wrap(paragraph, width, pdf.get_string_width):
            pdf.cell(width, 7.2, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
