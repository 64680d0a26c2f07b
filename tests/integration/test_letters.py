"""Issue 14: letters as A4 PDFs with a CJK font embedded (``faircollect letter render``),
on SQLite and PostgreSQL. Each kind is rendered; pdftotext must find its Chinese text,
the lender's name, address and complaint line and the lawfully owed amount (never the
砍头息 excess); pdffonts must show the font embedded; refusals are exit 1 or 2 with the
reason and write nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from faircollect.adapters.db.repositories.audit import AuditFilter
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.letter_pdf import NoCjkFont, cjk_font
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.domain.money import format_yuan
from faircollect.services.loans import owed_now
from tests.integration.bad_input.front_door import refused, run
from tests.integration.ledger_db import insert_portfolio

try:
    cjk_font()
    HAVE_FONT = True
except NoCjkFont:
    HAVE_FONT = False

pytestmark = [
    pytest.mark.skipif(not HAVE_FONT, reason="no CJK font (apt-get install fonts-noto-cjk)"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]

AS_OF = "2026-09-15"


def _loan(loan_id: str, principal: int, received: int, disbursed: date) -> LoanTerms:
    return LoanTerms(
        loan_id=loan_id,
        principal=principal,
        received=received,
        annual_rate=Decimal("0.18"),
        term_months=12,
        method=Method.EQUAL_INSTALLMENT,
        disbursed_on=disbursed,
        penalty_rate_daily=Decimal("0.0005"),
        grace_days=0,
        periodic_fee=0,
        borrower_id="B1",
        product="消费贷",
    )


@pytest.fixture
def url(db_engine: Engine) -> str:
    insert_portfolio(
        db_engine,
        [
            _loan("L1", 1_200_000, 1_200_000, date(2026, 6, 1)),  # 3 installments unpaid
            _loan("L2", 1_000_000, 900_000, date(2026, 6, 1)),  # 10% 砍头息
            _loan("L3", 1_000_000, 1_000_000, date(2026, 9, 1)),  # not yet due
        ],
        [],
    )
    return db_engine.url.render_as_string(hide_password=False)


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _render(url: str, loan: str, kind: str, out: Path) -> str:
    done = run(
        "letter",
        "render",
        "--loan",
        loan,
        "--kind",
        kind,
        "--out",
        str(out),
        "--date",
        AS_OF,
        "--database-url",
        url,
    )
    assert done.code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF-")
    return _text(out)


def test_an_overdue_notice_is_an_a4_pdf_with_chinese_text_and_the_font_embedded(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "notice.pdf"
    text = _render(url, "L1", "overdue_notice", out)
    for words in (
        "逾期还款提醒函",
        "张三 先生/女士",
        "示例消费金融有限公司",
        "上海市浦东新区示例路 100 号",
        "400-000-0000",
        "已逾期 76 天",
        "12378",
        "12363",
    ):
        assert words in text, (words, text)
    with UnitOfWork(db_engine) as uow:
        owed = owed_now(uow, "L1", date(2026, 9, 15))
    assert f"合计：{format_yuan(owed.overdue)} 元" in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, check=True).stdout.decode()
    assert "595.2 x 841.68 pts (A4)" in info or "595.28 x 841.89 pts (A4)" in info, info
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, check=True).stdout.decode()
    assert "CJK" in fonts or "Fallback" in fonts or "WenQuanYi" in fonts, fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # embedded
    # The page as an image (what a person sees): A4 proportions, ink on the page, and the
    # letterhead at the top, not a blank or clipped page.
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(out),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    from PIL import Image

    with Image.open(tmp_path / "page.png") as image:
        page = image.convert("L")
    width, height = page.size
    assert abs(height / width - 297 / 210) < 0.02, page.size
    def row(y: int) -> Any:
        return page.crop((0, y, width, y + 1)).get_flattened_data()

    dark = [y for y in range(height) if min(row(y)) < 128]
    assert dark and dark[0] < height * 0.12 and len(dark) > height * 0.2, (dark[:3], len(dark))


def test_the_letter_asks_for_the_lawful_amount_and_marks_the_contracts_excess(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    text = _render(url, "L2", "overdue_notice", tmp_path / "l2.pdf")
    with UnitOfWork(db_engine) as uow:
        owed = owed_now(uow, "L2", date(2026, 9, 15))
    assert owed.excess and owed.overdue < owed.contract.total_overdue
    contract, lawful = owed.contract.total_overdue, owed.overdue
    flat = "".join(text.split())
    # The lawful amount is asked for; the contract's is only beside it, marked (as the
    # night's messages do).
    assert (
        f"合计：{format_yuan(lawful)}元（合同所列逾期金额为{format_yuan(contract)}元，"
        f"其中超出法律支持的{format_yuan(contract - lawful)}元不予催收）"
    ) in flat
    assert flat.count(format_yuan(contract)) == 1


def test_a_visit_notice_names_two_staff_and_the_day(url: str, tmp_path: Path) -> None:
    text = _render(url, "L1", "visit_notice", tmp_path / "visit.pdf")
    assert "上门拜访通知函" in text and "两名工作人员" in text and "2026-09-18" in text


def test_a_lawyer_letter_needs_a_configured_law_firm(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lawyer.pdf"
    done = run(
        "letter",
        "render",
        "--loan",
        "L1",
        "--kind",
        "lawyer_letter",
        "--out",
        str(out),
        "--date",
        AS_OF,
        "--database-url",
        url,
    )
    refused(done, 1, "law firm")
    assert not out.exists()
    lender = tmp_path / "lender.yaml"
    example = Path(__file__).parents[2] / "src/faircollect/data/lender/example.yaml"
    lender.write_text(
        example.read_text(encoding="utf-8") + "law_firm: 示例律师事务所\n", encoding="utf-8"
    )
    monkeypatch.setenv("FAIRCOLLECT_LENDER", str(lender))
    text = _render(url, "L1", "lawyer_letter", out)
    flat = "".join(text.split())
    assert "律师函" in flat and "示例律师事务所受示例消费金融有限公司委托" in flat
    assert "此为民事纠纷" in flat and "服务费" not in flat  # no fee on this loan: no fee line


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--loan", "L3", "--kind", "overdue_notice"], 1, "not overdue"),
        (["--loan", "NOPE", "--kind", "overdue_notice"], 1, "NOPE"),
        (["--loan", "L1", "--kind", "flyer"], 2, "--kind"),
        (["--loan", "L1", "--kind", "overdue_notice", "--date", "2026-13-01"], 2, "--date"),
    ],
)
def test_refusals_write_nothing(
    url: str, tmp_path: Path, args: list[str], code: int, words: str
) -> None:
    out = tmp_path / "x.pdf"
    dated = args if "--date" in args else [*args, "--date", AS_OF]
    refused(run("letter", "render", *dated, "--out", str(out), "--database-url", url), code, words)
    assert not out.exists()


def _stored(engine: Engine) -> list[Any]:
    from sqlalchemy import select

    from faircollect.adapters.db import tables as t

    lt, ob = t.letters, t.outbox
    query = (
        select(lt, ob.c.status, ob.c.channel, ob.c.recipient, ob.c.sent_at)
        .join(ob, ob.c.message_id == lt.c.letter_id)
        .order_by(lt.c.rendered_at)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def test_an_issued_letter_is_stored_with_its_hash_audited_and_sent_only_by_a_channel(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "visit.pdf"
    _render(url, "L1", "visit_notice", out)
    pdf = out.read_bytes()
    digest = hashlib.sha256(pdf).hexdigest()
    [row] = _stored(db_engine)
    assert (row.loan_id, row.kind, row.rendered_by) == ("L1", "visit_notice", "console")
    assert row.sha256 == digest and bytes(row.pdf) == pdf
    assert row.reference == "VISIT_NOTICE-L1-20260915" and row.as_of == date(2026, 9, 15)
    assert (row.status, row.channel, row.recipient, row.sent_at) == ("queued", "letter", "B1", None)
    with UnitOfWork(db_engine) as uow:
        [entry] = list(uow.audit.between(AuditFilter(action="letter.issued")))
    assert entry.subject == "loan:L1" and entry.actor == "console"
    assert json.loads(entry.after)["sha256"] == digest
    assert json.loads(entry.after)["letter_id"] == row.letter_id
    # The print house's folder gets exactly the stored bytes; only then is the letter sent.
    folder = tmp_path / "print"
    moment = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()  # it was queued just now
    sent = run(
        "outbox", "send", "--letters-pdf", str(folder), "--now", moment, "--database-url", url
    )  # fmt: skip
    assert sent.code == 0 and "1 sent" in sent.output, sent.output
    [manifest] = [json.loads(x) for x in (folder / "letters.jsonl").read_text().splitlines()]
    assert manifest["message_id"] == row.letter_id and manifest["sha256"] == digest
    assert (folder / f"{row.letter_id}.pdf").read_bytes() == pdf
    [after] = _stored(db_engine)
    assert after.status == "sent" and after.sent_at is not None


def test_a_visit_notice_issued_by_hand_counts_for_a_visit_once_a_channel_sent_it(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    """CN-VISIT-1 reads when a notice went out (``notices_sent``, for the night and for a
    collector planning a visit): a notice printed from the case page counts from the day
    its dispatch channel accepted it, not while it waits in the outbox."""
    from faircollect.adapters.db.repositories.actions import notices_sent

    later = date(2027, 1, 31)
    _render(url, "L1", "visit_notice", tmp_path / "visit.pdf")
    _render(url, "L2", "overdue_notice", tmp_path / "overdue.pdf")
    with db_engine.connect() as conn:
        assert notices_sent(conn, later) == {}, "queued is not sent"
    moment = datetime.now(UTC) + timedelta(minutes=1)
    sent = run(
        "outbox", "send", "--letters-pdf", str(tmp_path / "print"),
        "--now", moment.isoformat(), "--database-url", url,
    )  # fmt: skip
    assert sent.code == 0 and "2 sent" in sent.output, sent.output
    went_out = moment.astimezone(ZoneInfo("Asia/Shanghai")).date()
    with db_engine.connect() as conn:
        assert notices_sent(conn, later) == {"L1": went_out}, "an overdue notice is no visit notice"
        assert notices_sent(conn, went_out) == {}, "only days before the one asked about"
        assert notices_sent(conn, later, ["L2"]) == {}


def _send_letters(url: str, folder: Path) -> str:
    """``outbox send --letters-pdf`` a minute from now (the letters were queued just now)."""
    moment = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    sent = run(
        "outbox", "send", "--letters-pdf", str(folder), "--now", moment, "--database-url", url
    )
    assert sent.code == 0, sent.output
    return sent.output


def test_a_complaint_filed_after_a_letter_was_issued_stops_it_at_dispatch(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    """COMP-1 at sending time: a letter printed from the case page waits in the outbox; if
    the borrower complains before the print house takes it, it does not go out."""
    from faircollect.services.borrower_portal import NewComplaint, file_complaint

    _render(url, "L1", "overdue_notice", tmp_path / "overdue.pdf")
    with UnitOfWork(db_engine) as uow:
        file_complaint(uow, "B1", NewComplaint("催收信写错了金额"), datetime.now(UTC))
    output = _send_letters(url, tmp_path / "print")
    assert "the gate refused them now (COMP-1)" in output, output
    [row] = _stored(db_engine)
    assert row.status == "failed" and row.sent_at is None
    assert not (tmp_path / "print" / f"{row.letter_id}.pdf").exists()
    with db_engine.connect() as conn:
        from sqlalchemy import select

        from faircollect.adapters.db import tables as t

        error = conn.execute(
            select(t.outbox.c.error).where(t.outbox.c.message_id == row.letter_id)
        ).scalar_one()
    assert "COMP-1" in (error or "")


def test_a_borrower_who_turned_letters_off_gets_no_issued_letter(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    """DNC-1 at sending time, for a letter issued by hand as for one the night planned."""
    from faircollect.domain.compliance.actions import Channel
    from faircollect.domain.portal import Preferences

    _render(url, "L2", "overdue_notice", tmp_path / "overdue.pdf")
    with UnitOfWork(db_engine) as uow:
        uow.portal.set_preferences(
            "B1", Preferences((), frozenset({Channel.LETTER})), datetime.now(UTC)
        )
    assert "the gate refused them now (DNC-1)" in _send_letters(url, tmp_path / "print")
    [row] = _stored(db_engine)
    assert row.status == "failed" and row.sent_at is None


def test_a_refused_letter_is_neither_stored_nor_queued(
    url: str, db_engine: Engine, tmp_path: Path
) -> None:
    done = run(
        "letter", "render", "--loan", "L3", "--kind", "overdue_notice",
        "--out", str(tmp_path / "l3.pdf"), "--date", AS_OF, "--database-url", url,
    )  # fmt: skip
    refused(done, 1, "not overdue")
    assert _stored(db_engine) == []
