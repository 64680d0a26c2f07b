"""Issue 14: a loan's letter as a PDF from the case page, on SQLite and PostgreSQL: who may
have it (as for the loan's page; never an agency), the PDF's Chinese text, and every
refusal a page with its reason, never a 500.

The world: 张三's loan L1 is 15 days past due on 2 Mar 2026, case C-B1-20260302 is owned
by C101 (team T-EARLY); the example lender configures no law firm.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from faircollect.adapters.letter_pdf import NoCjkFont, cjk_font

PageAs = Callable[[str], Any]
CASE = "C-B1-20260302"

try:
    cjk_font()
    HAVE_FONT = True
except NoCjkFont:
    HAVE_FONT = False

pytestmark = pytest.mark.skipif(
    not HAVE_FONT, reason="no CJK font (apt-get install fonts-noto-cjk)"
)


def test_the_case_page_offers_the_letters_and_the_owner_gets_a_pdf(
    page_as: PageAs, tmp_path: Path
) -> None:
    c101 = page_as("C101")
    case = c101.get(f"/cases/{CASE}").text
    assert 'href="/loans/L1/letter?kind=overdue_notice"' in case
    answer = c101.get("/loans/L1/letter?kind=overdue_notice")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert "OVERDUE_NOTICE-L1-20260302.pdf" in answer.headers["content-disposition"]
    # Stored with its hash and queued, not sent (services.letters.issue).
    assert answer.headers["x-letter-sha256"] == hashlib.sha256(answer.content).hexdigest()
    assert answer.headers["x-letter-id"].startswith("LTR-")
    if shutil.which("pdftotext"):
        pdf = tmp_path / "l1.pdf"
        pdf.write_bytes(answer.content)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
        flat = "".join(text.stdout.decode("utf-8").split())
        assert "逾期还款提醒函" in flat and "张三先生/女士" in flat and "已逾期15天" in flat


@pytest.mark.parametrize(
    ("user", "path", "status", "words"),
    [
        ("C101", "/loans/L1/letter?kind=lawyer_letter", 422, "law firm"),
        ("C101", "/loans/L1/letter?kind=flyer", 422, "请选择"),
        ("C101", "/loans/NOPE/letter", 404, "NOPE"),
        ("A101", "/loans/L1/letter", 403, "agency"),
        ("C102", "/loans/L1/letter", 404, "L1"),  # not in C102's scope
    ],
)
def test_refusals_are_pages_with_the_reason(
    page_as: PageAs, user: str, path: str, status: int, words: str
) -> None:
    answer = page_as(user).get(path)
    assert answer.status_code == status, answer.text[:500]
    assert words in answer.text


def test_qa_and_supervisors_may_print_a_letter(page_as: PageAs) -> None:
    for user in ("S001", "Q001"):
        assert page_as(user).get("/loans/L1/letter?kind=visit_notice").status_code == 200
