"""ID numbers and phone numbers never appear in clear in error messages, logs and CLI
listings: one test per place they could leak."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from faircollect.adapters import log_masking
from faircollect.cli.app import app
from faircollect.cli.serve import log_config
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import default_pack
from faircollect.domain.records import FieldError, RowError, id_number, phone
from tests.unit.compliance.builders import PHONE, action, at, unanswered_calls

ID = "11010519491231002X"
ID_BAD_CHECK = "110105194912310021"
MOBILE = "13800138000"


def _import(tmp_path: Path, files: dict[str, str]) -> str:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["import", str(folder), "--quiet", "--database-url", url])
    assert result.exit_code == 2, result.output
    return result.output


def test_import_errors_quote_bad_numbers_masked(tmp_path: Path) -> None:
    said = _import(
        tmp_path,
        {
            "borrowers.csv": "borrower_id,name,phone,id_number,city\n"
            f"B1,张伟,{MOBILE}x,{ID_BAD_CHECK},北京\n",
        },
    )
    assert "field phone" in said and "field id_number" in said
    assert MOBILE not in said and ID_BAD_CHECK not in said
    assert "'138*****000x'" in said and "'1101**********0021'" in said


def test_a_number_quoted_by_any_field_check_is_masked() -> None:
    """A phone number in the date column (columns shifted) is quoted by the date check."""
    error = RowError("loans.csv", 2, "disbursed_on", f"not a date YYYY-MM-DD: '{MOBILE}'")
    assert (
        str(error) == "loans.csv line 2, field disbursed_on: not a date YYYY-MM-DD: '138****8000'"
    )


def test_field_checks_mask_what_they_quote() -> None:
    with pytest.raises(FieldError) as bad_phone:
        phone("1380013800a")
    assert "1380013800a" not in str(bad_phone.value)
    with pytest.raises(FieldError) as bad_id:
        id_number(ID_BAD_CHECK)
    assert ID_BAD_CHECK not in str(bad_id.value)


def test_a_duplicate_contact_is_named_by_its_masked_phone(tmp_path: Path) -> None:
    said = _import(
        tmp_path,
        {
            "borrowers.csv": "borrower_id,name,phone,id_number,city\n"
            f"B1,张伟,13900139000,{ID},北京\n",
            "contacts.csv": "borrower_id,name,phone,relation,is_emergency\n"
            f"B1,李娜,{MOBILE},配偶,true\n"
            f"B1,李娜,{MOBILE},朋友,true\n",
        },
    )
    assert "contact phone '138****8000' of borrower 'B1'" in said
    assert MOBILE not in said


def test_the_gates_frequency_reason_masks_the_number() -> None:
    decision = Gate(default_pack()).decide(
        action(at=at("2026-11-28 15:00"), history=unanswered_calls(6), phone=PHONE)
    )
    reason = decision.violations[0].reason
    assert "to 138****0000 on 2026-11-28" in reason and PHONE not in reason


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, message, args, info)


def test_access_log_lines_lose_the_numbers_in_their_query_string() -> None:
    record = _record(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/cases?q={MOBILE}&id={ID}",
        "1.1",
        200,
    )
    assert log_masking.MaskPersonalNumbers().filter(record)
    line = logging.Formatter().format(record)
    assert line == '127.0.0.1:5000 - "GET /cases?q=138****8000&id=1101**********002X HTTP/1.1" 200'


def test_a_logged_traceback_loses_the_numbers_in_it() -> None:
    try:
        raise ValueError(f"no borrower with phone {MOBILE}")
    except ValueError as err:
        record = _record("internal error on %s", f"/api/v1/people/{ID}", exc=err)
    log_masking.MaskPersonalNumbers().filter(record)
    shown = logging.Formatter().format(record)
    assert "ValueError: no borrower with phone 138****8000" in shown
    assert MOBILE not in shown and ID not in shown


def test_the_app_and_the_server_install_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    config = log_config()
    masked = config["filters"]["mask_personal_numbers"]["()"]
    assert masked == "faircollect.adapters.log_masking.MaskPersonalNumbers"
    assert all("mask_personal_numbers" in h["filters"] for h in config["handlers"].values())
    log_masking.install()
    with caplog.at_level(logging.WARNING, logger="faircollect.web"):
        logging.getLogger("faircollect.web").warning("search for %s failed", MOBILE)
    assert "search for 138****8000 failed" in caplog.text and MOBILE not in caplog.text


def test_outbox_listings_and_channel_errors_mask_the_recipient(db_engine: Engine) -> None:
    from faircollect.adapters.db.tables import outbox

    with db_engine.begin() as conn:
        conn.execute(
            outbox.insert().values(
                message_id="M1",
                run_date=datetime(2026, 11, 28).date(),
                channel="sms",
                recipient=MOBILE,
                subject="",
                body="您的验证码 123456",
                queued_at=at("2026-11-28 10:00"),
                status="failed",
                error=f"gateway: invalid number {MOBILE}",
            )
        )
        stored = conn.execute(text("SELECT recipient FROM outbox")).scalar_one()
    assert MOBILE not in stored  # sealed in the table
    url = db_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    for extra in ([], ["--json"], ["--recipient", MOBILE, "--json"]):
        listed = runner.invoke(app, ["outbox", "list", *extra, "--database-url", url])
        assert listed.exit_code == 0, listed.output
        assert "138****8000" in listed.output and MOBILE not in listed.output


def test_a_channels_error_detail_is_stored_masked() -> None:
    from faircollect.adapters.channels.base import SendResult, SendStatus
    from faircollect.services.outbox import _recorded

    class Row:
        message_id, attempts = "M1", 9

    result = SendResult("M1", SendStatus.FAILED, f"rejected: {MOBILE}")
    outcome = _recorded(Row(), result, at("2026-11-28 10:00"))
    assert outcome is not None and outcome.detail == "rejected: 138****8000"
