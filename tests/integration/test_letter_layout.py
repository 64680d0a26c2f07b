"""Issue 14: how a letter is laid out, without a database: the prepared letter face (GB 2312
and Latin, built once into the cache folder) is used when it has every character, the
full CJK face when a name has a rarer one (生僻字), and the text reads back right either
way; the lender's seal (印章) from its configuration is stamped on the letters it signs,
and a seal that is not an image is refused naming the key and line."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from faircollect.adapters import letter_font
from faircollect.adapters.lender_file import read_lender
from faircollect.adapters.letter_font import NoCjkFont, cjk_font, font_for, repertoire
from faircollect.adapters.letter_pdf import render_pdf
from faircollect.adapters.yaml_reader import YamlFileError
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.lender import LenderProfile
from faircollect.domain.letters import Letter, LetterFacts, LetterKind
from faircollect.services.letters import prepare

try:
    cjk_font()
    HAVE_FONT = True
except NoCjkFont:
    HAVE_FONT = False

needs_font = pytest.mark.skipif(
    not HAVE_FONT, reason="no CJK font (apt-get install fonts-noto-cjk)"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)
AS_OF = date(2026, 9, 15)
LENDER = LenderProfile(address="上海市浦东新区示例路 100 号", law_firm="示例律师事务所")


def _state() -> AccountState:
    zero: dict[str, Any] = {
        f: 0
        for f in AccountState.__dataclass_fields__
        if f not in ("as_of", "bucket", "stage", "next_due_on")
    }
    return AccountState(
        **{
            **zero,
            "overdue_principal": 280_209,
            "penalty": 555,
            "as_of": AS_OF,
            "dpd": 76,
            "bucket": "M3",
            "stage": "intensive",
            "next_due_on": None,
        }
    )


def _letter(kind: LetterKind, name: str = "张三", lender: LenderProfile = LENDER) -> Letter:
    return prepare(LetterFacts(kind, "L1", name, AS_OF, _state(), False, lender))


def _text(pdf: bytes, folder: Path) -> str:
    path = folder / "letter.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return "".join(done.stdout.decode("utf-8").split())


def _images(pdf: bytes, folder: Path) -> int:
    path = folder / "letter.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True)
    rows = done.stdout.decode().splitlines()[2:]  # two header lines
    return sum(row.split()[2] == "image" for row in rows)  # not the seal's alpha (smask)


def _seal_png(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 116, 116), outline=(200, 20, 20, 220), width=8)
    image.save(path)
    return path


def test_the_repertoire_is_gb2312_and_latin() -> None:
    chars = repertoire()
    assert sum("\u4e00" <= c <= "\u9fff" for c in chars) == 6763  # GB 2312's hanzi
    assert {"张", "逾", "￥", "，", "０", "A", "7", "é"} <= chars
    assert not {"喆", "堃", "䶮"} & chars  # in names, not in GB 2312


@needs_font
def test_a_common_name_uses_the_prepared_face_and_a_rare_one_the_full_face() -> None:
    full, face = cjk_font()
    common = font_for("张三先生/女士：逾期 2802.09 元")
    assert common.path != full and common.face == 0
    assert Path(common.path).parent == letter_font.cache_dir()
    assert font_for("王喆堃先生/女士") == letter_font.LetterFont(full, face)


@needs_font
@needs_poppler
def test_a_rare_name_reads_back_right(tmp_path: Path) -> None:
    text = _text(render_pdf(_letter(LetterKind.OVERDUE_NOTICE, "王喆堃")), tmp_path)
    assert "王喆堃先生/女士" in text and "逾期还款提醒函" in text


@needs_font
@needs_poppler
def test_every_kind_reads_back_the_same_from_the_prepared_and_the_full_face(
    tmp_path: Path,
) -> None:
    full = letter_font.full_font()
    for kind in LetterKind:
        letter = _letter(kind)
        fast = _text(render_pdf(letter), tmp_path)
        slow = _text(render_pdf(letter, full, remeasure=True), tmp_path)
        assert fast == slow and "张三先生/女士" in fast and "2807.64元" in fast, kind


@needs_font
def test_a_cache_folder_that_cannot_be_written_falls_back_to_the_full_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv(letter_font.CACHE_ENV, str(blocker / "cache"))
    assert font_for("张三") == letter_font.full_font()
    assert render_pdf(_letter(LetterKind.VISIT_NOTICE)).startswith(b"%PDF-")


@needs_font
@needs_poppler
def test_the_seal_is_stamped_on_the_lenders_letters_not_on_a_law_firms(tmp_path: Path) -> None:
    seal = _seal_png(tmp_path / "seal.png")
    (tmp_path / "lender.yaml").write_text(
        "name: 示例消费金融有限公司\nshort_name: 示例消费金融\nseal: seal.png\n"
        "law_firm: 示例律师事务所\n",
        encoding="utf-8",
    )
    lender = read_lender(
        (tmp_path / "lender.yaml").read_text(encoding="utf-8"), "lender.yaml", tmp_path
    )
    assert lender.seal == str(seal.resolve())
    for kind, stamped in (
        (LetterKind.OVERDUE_NOTICE, 1),
        (LetterKind.VISIT_NOTICE, 1),
        (LetterKind.LAWYER_LETTER, 0),  # signed by the law firm
    ):
        pdf = render_pdf(_letter(kind, lender=lender))
        assert _images(pdf, tmp_path) == stamped, kind
        assert "示例消费金融有限公司" in _text(pdf, tmp_path)
    unsealed = render_pdf(_letter(LetterKind.OVERDUE_NOTICE, lender=replace(lender, seal="")))
    assert _images(unsealed, tmp_path) == 0


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("missing.png", "lender.yaml:3: seal: cannot read the seal image missing.png"),
        ("notes.txt", "lender.yaml:3: seal: notes.txt is not a PNG or JPEG image"),
        ("''", "lender.yaml:3: seal: expected text"),
    ],
)
def test_a_seal_that_is_not_an_image_is_refused_at_its_line(
    tmp_path: Path, value: str, words: str
) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    text = f"name: 示例消费金融有限公司\nshort_name: 示例消费金融\nseal: {value}\n"
    with pytest.raises(YamlFileError) as err:
        read_lender(text, "lender.yaml", tmp_path)
    assert words in str(err.value), str(err.value)
