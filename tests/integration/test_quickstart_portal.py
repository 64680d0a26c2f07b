"""The demo invites a new user into the borrower portal: ``quickstart`` names a demo
borrower's phone (one with 砍头息 on a loan) and says the sign-in code appears in
``faircollect outbox list --recipient PHONE --json``; it does."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from faircollect.adapters.db.engine import make_engine
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.cli.app import app
from faircollect.services.borrower_auth import request_code


def test_quickstart_names_a_demo_borrower_whose_code_the_outbox_shows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fc.db'}"
    runner = CliRunner()
    built = runner.invoke(app, ["quickstart", "--accounts", "200", "--database-url", url])
    assert built.exit_code == 0, built.output
    said = " ".join(built.output.split())
    found = re.search(r"with phone (\S+);", said)
    assert found, said[-600:]
    phone = found.group(1)
    assert f"faircollect outbox list --recipient {phone} --json" in said

    engine = make_engine(url)
    with UnitOfWork(engine) as uow:
        asked = request_code(uow, phone, datetime.now(ZoneInfo("Asia/Shanghai")))
        assert asked.retry_after is None
        assert uow.portal.borrower_of_phone(phone) is not None
        borrower_id = uow.portal.borrower_of_phone(phone)
        loans = [uow.loans.stored(i) for i in uow.loans.loans_of_borrower(borrower_id or "")]
    engine.dispose()
    assert any(s and s.terms.principal > s.terms.received for s in loans)  # 砍头息 to show

    listed = runner.invoke(
        app, ["outbox", "list", "--recipient", phone, "--json", "--database-url", url]
    )
    assert listed.exit_code == 0, listed.output
    messages = [m for m in json.loads(listed.output) if m["message_id"].startswith("otp-")]
    assert len(messages) == 1 and re.search(r"验证码：\d{6}", messages[0]["body"])
