"""A letter (``domain.letters.Letter``) laid out as an A4 PDF with a CJK font embedded.

The font comes from ``adapters.letter_font``: the lender's letters use a face prepared
once per machine (GB 2312 and Latin), the full CJK face when a letter has a character
outside it. fpdf2 embeds only the glyphs used (a subset), so a letter is some tens of
kilobytes. The closing lines (the sender and the date) stand at the right; the lender's
seal (印章, ``seal`` in the lender configuration), when configured, is stamped over the
lender's name on the letters the lender signs (not on a law firm's lawyer letter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from faircollect.adapters.letter_font import (
    FONT_ENV,
    LetterFont,
    NoCjkFont,
    cjk_font,
    font_for,
)
from faircollect.domain.letters import Letter, LetterKind

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["FONT_ENV", "LetterFont", "NoCjkFont", "cjk_font", "render_pdf", "wrap"]

SEAL_MM = 36.0
"""The seal's width on the page: a round company seal is 38-42 mm; drawn a little smaller
so it stays inside the closing block."""

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


def _footer(letter: Letter, page: int | str) -> str:
    lender = letter.lender
    return (
        f"{lender.name}　{lender.address}　客服及投诉电话 {lender.complaint_line}\n"
        f"本函仅送达借款人本人，不向他人披露，不公开张贴。　第 {page} 页"
    )


def _head(letter: Letter) -> str:
    lender = letter.lender
    return "　".join(
        part for part in (lender.address, f"客服及投诉电话：{lender.complaint_line}") if part
    )


def _dateline(letter: Letter) -> str:
    return f"函件编号：{letter.reference}　　日期：{letter.as_of.isoformat()}"


def _signer(letter: Letter) -> str:
    """Who signs the letter: the law firm a lawyer letter is from, else the lender."""
    firm = letter.lender.law_firm.strip()
    return firm if letter.kind is LetterKind.LAWYER_LETTER and firm else letter.lender.name


def letter_text(letter: Letter) -> str:
    """Every character the page will show (the font must have them all)."""
    lender = letter.lender
    return "".join(
        (
            lender.name,
            _head(letter),
            letter.title,
            _dateline(letter),
            letter.body,
            _footer(letter, "0123456789"),
        )
    )


def render_pdf(letter: Letter, font: LetterFont | None = None, *, remeasure: bool = False) -> bytes:
    """The letter on A4: the lender's letterhead (name, address, complaint line), the
    title, reference and date, the body with its closing lines at the right (and the
    lender's seal over its name, when configured), and the complaint channels; returns
    PDF bytes. ``font``: the font to use instead of ``letter_font.font_for``;
    ``remeasure``: measure the embedded glyphs' bounds again, as fpdf2 does by default
    (with the full face: the layout before issue 14's speed-up, the bench's baseline)."""
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

    lender = letter.lender
    chosen = font or font_for(letter_text(letter))

    class Page(FPDF):
        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("cjk", size=8)
            self.set_text_color(90, 90, 90)
            self.multi_cell(0, 4.2, _footer(letter, self.page_no()), align="C")

    pdf = Page(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=26)
    pdf.set_title(f"{letter.title} {letter.reference}")
    pdf.set_author(lender.name)
    pdf.set_creator("faircollect")
    pdf.add_font("cjk", fname=chosen.path, collection_font_number=chosen.face)
    # The subset keeps the whole face's bounding box instead of drawing every glyph it
    # embeds to measure it again (twice: hhea and CFF), half the time a letter took; a
    # box larger than the glyphs used is still a true bound.
    embedded = pdf.fonts["cjk"]
    assert isinstance(embedded, TTFFont)
    embedded.ttfont.recalcBBoxes = remeasure
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("cjk", size=15)
    pdf.cell(width, 9, lender.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(width, 6, _head(letter), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(40, 40, 40)
    pdf.set_line_width(0.5)
    y = pdf.get_y() + 1.5
    pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
    pdf.set_y(y + 7)
    pdf.set_font("cjk", size=18)
    pdf.cell(width, 11, letter.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(width, 6, _dateline(letter), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=11.5)
    signer, dated = _signer(letter), letter.as_of.isoformat()
    closing = {signer, dated}
    below_seal = 0.0  # where the text after a stamped closing may start
    for paragraph in letter.body.split("\n"):
        if not paragraph.strip():
            pdf.ln(3.5)
            continue
        if paragraph.strip() in closing:  # the closing lines: sender, date
            line = paragraph.strip()
            if line == lender.name and lender.seal:
                centre = pdf.l_margin + width - pdf.get_string_width(line) / 2
                below_seal = _stamp(pdf, lender.seal, centre)
            pdf.cell(width, 7.2, line, align="R", new_x="LMARGIN", new_y="NEXT")
            continue
        if pdf.get_y() < below_seal:
            pdf.set_y(below_seal)
        below_seal = 0.0
        for line in wrap(paragraph, width, pdf.get_string_width):
            pdf.cell(width, 7.2, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _stamp(pdf: FPDF, seal: str, centre_x: float) -> float:
    """The seal image centred on the lender's name in the line about to be written
    (``pdf``'s current y), drawn under the text as a stamp is pressed over a signature;
    a page break first when the seal would not fit. Returns the seal's bottom edge."""
    if pdf.get_y() + SEAL_MM / 2 + 3.6 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 3.6 - SEAL_MM / 2
    pdf.image(seal, x=centre_x - SEAL_MM / 2, y=top, w=SEAL_MM, h=SEAL_MM, keep_aspect_ratio=True)
    return top + SEAL_MM + 1
