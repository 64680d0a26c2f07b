"""Issue 14, as a story: the night plans the overdue letter at 45 days past due, the gate
allows it and the outbox queues it; ``outbox send --letters-pdf DIR`` lays it out as an
A4 PDF in the print house's folder with its SHA-256 in a manifest, and only then is the
letter sent. Sending again prints nothing twice."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from faircollect.adapters.db import tables as t
from faircollect.adapters.letter_pdf import NoCjkFont, cjk_font
from faircollect.cli.app import app
from tests.scenarios.portfolio import FIRST_DUE, night, seed

try:
    cjk_font()
    HAVE_FONT = True
except NoCjkFont:
    HAVE_FONT = False

pytestmark = pytest.mark.skipif(
    not HAVE_FONT, reason="no CJK font (apt-get install fonts-noto-cjk)"
)

DAY = FIRST_DUE + timedelta(days=45)  # the strategy's overdue_letter, at 09:00


def _letters(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox.c.message_id, t.outbox.c.status).where(t.outbox.c.channel == "letter")
        ).all()
    return [(str(m), str(s)) for m, s in rows]


def test_the_nights_letter_is_printed_as_a_pdf_and_only_then_sent(
    db_engine: Engine, tmp_path: Path
) -> None:
    seed(db_engine, ["L1"])
    night(db_engine, DAY)
    [(message_id, status)] = _letters(db_engine)
    assert status == "queued"
    url = db_engine.url.render_as_string(hide_password=False)
    folder = tmp_path / "print"
    at = f"{DAY.isoformat()}T09:30:00+08:00"
    runner = CliRunner()
    sent = runner.invoke(
        app, ["outbox", "send", "--letters-pdf", str(folder), "--now", at, "--database-url", url]
    )
    assert sent.exit_code == 0 and "1 sent" in sent.output, sent.output
    assert _letters(db_engine) == [(message_id, "sent")]
    pdf = folder / f"{message_id}.pdf"
    [entry] = [json.loads(line) for line in (folder / "letters.jsonl").read_text().splitlines()]
    assert entry["message_id"] == message_id and entry["file"] == pdf.name
    assert entry["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
        flat = "".join(text.stdout.decode("utf-8").split())
        assert "逾期还款提醒函" in flat and "已逾期45天" in flat and "12378" in flat
        assert f"日期：{DAY.isoformat()}" in flat  # the sending day, not the clock's
    again = runner.invoke(
        app, ["outbox", "send", "--letters-pdf", str(folder), "--now", at, "--database-url", url]
    )
    assert again.exit_code == 0 and "0 message(s) handed over" in again.output, again.output
    assert len((folder / "letters.jsonl").read_text().splitlines()) == 1


def test_a_letters_folder_that_is_a_file_is_refused(db_engine: Engine, tmp_path: Path) -> None:
    url = db_engine.url.render_as_string(hide_password=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = CliRunner().invoke(
        app, ["outbox", "send", "--letters-pdf", str(blocker), "--database-url", url]
    )
    assert out.exit_code == 2 and "--letters-pdf" in out.output
