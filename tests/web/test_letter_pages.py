"""Issue 14: a loan's letter as a PDF from the case page, on SQLite and PostgreSQL: who may
issue it (a role that records contacts, in whose scope the loan is; never an agency, QA or
compliance), the gate asked first and its decision kept, the PDF's Chinese text, and every
refusal a page with its reason, never a 500. Issuing is a form (POST with the CSRF field
and an idempotency key), never a link: a crawler or a prefetch must not queue a letter.

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
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import audit_log, letters, outbox
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.letter_pdf import NoCjkFont, cjk_font
from faircollect.services import borrower_portal
from faircollect.services.borrower_portal import NewComplaint
from faircollect.services.nightly_report import unauthorised_outbox
from tests.scenarios.casework_world import DAY, at
from tests.web.pages_support import count
from tests.web.test_form_idempotency import REPLAYED, Form, forms_of

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


def letter_form(browser: Any, kind: str, loan: str = "L1") -> Form:
    """The case page's form that issues a ``kind`` letter on ``loan``, freshly rendered."""
    page = browser.get(f"/cases/{CASE}")
    assert page.status_code == 200, page.text[:300]
    found = [
        f
        for f in forms_of(page.text)
        if f.action == f"/loans/{loan}/letter" and f.fields.get("kind") == kind
    ]
    assert len(found) == 1, f"{len(found)} forms issue a {kind} on {loan}"
    return found[0]


def issue(browser: Any, kind: str = "overdue_notice", loan: str = "L1") -> Any:
    """Submit the case page's letter form as a browser does (no redirect followed)."""
    form = letter_form(browser, kind, loan)
    return browser.post(form.action, form.fields)


def test_the_owner_issues_a_letter_the_gate_allowed_and_reads_its_pdf(
    page_as: PageAs, db_engine: Engine, tmp_path: Path
) -> None:
    c101 = page_as("C101")
    answer = issue(c101)
    assert answer.status_code == 303, answer.text[:500]
    target = answer.headers["location"]
    assert target.startswith("/letters/LTR-") and target.endswith(".pdf")
    pdf = c101.get(target)
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "OVERDUE_NOTICE-L1-20260302.pdf" in pdf.headers["content-disposition"]
    assert pdf.headers["x-letter-sha256"] == hashlib.sha256(pdf.content).hexdigest()
    with db_engine.connect() as conn:
        row = conn.execute(select(letters.c.letter_id, letters.c.gate_decision)).one()
        queued = conn.execute(select(outbox.c.message_id, outbox.c.status)).one()
    assert target == f"/letters/{row.letter_id}.pdf"
    assert '"allowed": true' in row.gate_decision
    # Queued, not sent; and the compliance report counts it as allowed by the gate.
    assert tuple(queued) == (row.letter_id, "queued")
    assert unauthorised_outbox(db_engine, DAY) == (1, [])
    if shutil.which("pdftotext"):
        path = tmp_path / "l1.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
        flat = "".join(text.stdout.decode("utf-8").split())
        assert "逾期还款提醒函" in flat and "张三先生/女士" in flat and "已逾期15天" in flat


def test_a_letter_form_sent_twice_issues_one_letter(page_as: PageAs, db_engine: Engine) -> None:
    c101 = page_as("C101")
    form = letter_form(c101, "visit_notice")
    first = c101.post(form.action, form.fields)
    second = c101.post(form.action, form.fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert second.headers[REPLAYED] == "true"
    assert count(db_engine, letters) == count(db_engine, outbox) == 1


def test_a_link_issues_nothing(page_as: PageAs, db_engine: Engine) -> None:
    c101 = page_as("C101")
    case = c101.get(f"/cases/{CASE}").text
    assert "/letter?kind=" not in case
    answer = c101.get("/loans/L1/letter?kind=overdue_notice")
    assert answer.status_code == 405, answer.text[:300]
    assert count(db_engine, letters) == count(db_engine, outbox) == 0


def test_the_gate_refuses_a_letter_while_a_complaint_is_open(
    page_as: PageAs, db_engine: Engine
) -> None:
    c101 = page_as("C101")
    form = letter_form(c101, "overdue_notice")
    with UnitOfWork(db_engine) as uow:
        borrower_portal.file_complaint(
            uow, "B1", NewComplaint("晚上十一点打电话", None, None, ""), at(DAY, 9)
        )
    answer = c101.post(form.action, form.fields)
    assert answer.status_code == 422, answer.text[:500]
    assert "COMP-1" in answer.text
    assert count(db_engine, letters) == count(db_engine, outbox) == 0
    with db_engine.connect() as conn:
        kept = conn.execute(
            select(audit_log.c.action).where(audit_log.c.action == "gate.decided")
        ).all()
    assert len(kept) == 1  # the denial is audited although nothing else was stored


@pytest.mark.parametrize(
    ("user", "path", "kind", "status", "words"),
    [
        ("C101", "/loans/L1/letter", "lawyer_letter", 422, "尚未配置受托律师事务所"),
        ("C101", "/loans/L1/letter", "flyer", 422, "请选择"),
        ("C101", "/loans/NOPE/letter", "overdue_notice", 404, "NOPE"),
        ("A101", "/loans/L1/letter", "overdue_notice", 403, "委外机构不能生成"),
        ("C102", "/loans/L1/letter", "overdue_notice", 404, "L1"),  # not in C102's scope
        ("Q001", "/loans/L1/letter", "overdue_notice", 403, "（质检）无权"),  # QA changes nothing
        ("K001", "/loans/L1/letter", "overdue_notice", 403, "（合规）无权"),  # nor does compliance
    ],
)
def test_refusals_are_pages_with_the_reason(
    page_as: PageAs, db_engine: Engine, user: str, path: str, kind: str, status: int, words: str
) -> None:
    answer = page_as(user).post(path, {"kind": kind})
    assert answer.status_code == status, answer.text[:500]
    assert words in answer.text
    assert count(db_engine, letters) == count(db_engine, outbox) == 0


def test_only_roles_that_may_issue_see_the_letter_forms(page_as: PageAs) -> None:
    for user, offered in (("C101", True), ("S001", True), ("Q001", False), ("K001", False)):
        page = page_as(user).get(f"/cases/{CASE}").text
        assert ('action="/loans/L1/letter"' in page) is offered, user


def test_no_lawyer_letter_is_offered_without_a_law_firm(page_as: PageAs) -> None:
    """The example lender instructs no law firm: the button would only ever be refused."""
    kinds = {f.fields.get("kind") for f in forms_of(page_as("C101").get(f"/cases/{CASE}").text)}
    assert {"overdue_notice", "visit_notice"} <= kinds
    assert "lawyer_letter" not in kinds


def test_an_issued_letter_is_read_by_who_may_see_the_loan(page_as: PageAs) -> None:
    target = issue(page_as("S001"), "visit_notice").headers["location"]
    for user, status in (("Q001", 200), ("C101", 200), ("C102", 404), ("A101", 403)):
        assert page_as(user).get(target).status_code == status, user
    assert page_as("C101").get("/letters/LTR-nope.pdf").status_code == 404
