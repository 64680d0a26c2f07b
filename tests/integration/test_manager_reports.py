"""Issue 14: the managers' reports match a hand count on ``reports_world``'s tiny book, on
SQLite and PostgreSQL, through the CLI (``faircollect report NAME --format json``).

Every expected number below was counted by hand from the tables in ``reports_world``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.integration import reports_world
from tests.integration.bad_input.front_door import fingerprint, refused, run


@pytest.fixture
def book(db_engine: Engine) -> str:
    reports_world.build(db_engine)
    return db_engine.url.render_as_string(hide_password=False)


def report(url: str, *args: str) -> Any:
    outcome = run("report", *args, "--format", "json", "--database-url", url)
    assert outcome.code == 0, outcome.output
    return json.loads(outcome.stdout)


def by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_buckets_as_of_d1(book: str) -> None:
    found = report(book, "buckets", "--date", "2026-10-31")
    assert found["date"] == "2026-10-31"
    rows = by(found["by_bucket"], "bucket")
    assert list(rows) == ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+", "合计"]
    # L1, L2 (L8 paid off, L10 not yet disbursed).
    assert rows["M0"] == {
        "bucket": "M0",
        "accounts": 2,
        "share": "0.2500",
        "overdue_principal": "0.00",
        "overdue_total": "0.00",
        "outstanding": "3000.00",
    }
    # L3 + L4 + L5
    assert rows["M1"]["accounts"] == 3
    assert rows["M1"]["share"] == "0.3750"
    assert rows["M1"]["overdue_principal"] == "350.00"
    assert rows["M1"]["overdue_total"] == "405.00"
    assert rows["M1"]["outstanding"] == "2200.00"
    assert (rows["M2"]["accounts"], rows["M2"]["overdue_total"]) == (1, "360.00")
    assert (rows["M3"]["accounts"], rows["M3"]["overdue_principal"]) == (1, "400.00")
    assert rows["M4"]["accounts"] == 0 and rows["M4"]["share"] == "0.0000"
    assert (rows["M6+"]["accounts"], rows["M6+"]["overdue_total"]) == (1, "1500.00")
    assert rows["合计"] == {
        "bucket": "合计",
        "accounts": 8,
        "share": "1.0000",
        "overdue_principal": "2050.00",
        "overdue_total": "2765.00",
        "outstanding": "7500.00",
    }
    stages = by(found["by_stage"], "stage")
    assert {k: v["accounts"] for k, v in stages.items()} == {
        "current": 1,
        "pre_due": 1,
        "early": 3,
        "intensive": 2,
        "legal": 1,
        "合计": 8,
    }
    assert stages["intensive"]["overdue_principal"] == "700.00"


def test_buckets_default_to_the_last_stored_night(book: str) -> None:
    found = report(book, "buckets")
    assert found["date"] == "2026-11-30"
    # L1, L4, L10 current; L5 and L8 paid off.
    assert by(found["by_bucket"], "bucket")["M0"]["accounts"] == 3
    assert by(found["by_bucket"], "bucket")["合计"]["accounts"] == 8


def test_roll_rates_d1_to_d2(book: str) -> None:
    found = report(book, "roll-rates", "--from", "2026-10-31", "--to", "2026-11-30")
    assert (found["from"], found["to"]) == ("2026-10-31", "2026-11-30")
    zero = dict.fromkeys(["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+", "paid"], 0)
    accounts = found["accounts"]
    assert accounts["M0"] == {**zero, "M0": 1, "M1": 1}  # L1 stays, L2 rolls
    assert accounts["M1"] == {**zero, "M2": 1, "M0": 1, "paid": 1}  # L3, L4, L5
    assert accounts["M2"] == {**zero, "M3": 1}  # L6
    assert accounts["M3"] == {**zero, "M4": 1}  # L7
    assert accounts["M4"] == accounts["M5"] == accounts["M6"] == zero
    assert accounts["M6+"] == {**zero, "M6+": 1}  # L9
    assert found["principal"]["M1"]["M2"] == "100.00"
    assert found["principal"]["M1"]["M0"] == "200.00"
    assert found["principal"]["M1"]["paid"] == "50.00"
    assert found["principal"]["M2"]["M3"] == "300.00"
    assert found["principal"]["M6+"]["M6+"] == "1000.00"
    assert found["principal"]["M0"]["M1"] == "0.00"
    assert found["balance"]["M0"]["M1"] == "2000.00"
    assert found["roll_rate"] == {
        "M0": "0.5000",
        "M1": "0.3333",
        "M2": "1.0000",
        "M3": "1.0000",
        "M4": None,
        "M5": None,
        "M6": None,
    }
    assert found["cure_rate"] == {
        "M1": "0.6667",
        "M2": "0.0000",
        "M3": "0.0000",
        "M4": None,
        "M5": None,
        "M6": None,
        "M6+": "0.0000",
    }


def test_ptp_by_collector_and_team(book: str) -> None:
    found = report(book, "ptp", "--from", "2026-11-01", "--to", "2026-11-30")
    users = by(found["by_collector"], "collector")
    assert users["c1"] == {
        "collector": "c1",
        "team": "t1",
        "made": 3,
        "amount": "600.00",
        "kept": 1,
        "partly_kept": 1,
        "broken": 1,
        "open": 0,
        "paid": "150.00",
        "kept_rate": "0.3333",
    }
    assert (users["c2"]["made"], users["c2"]["kept_rate"]) == (1, "1.0000")
    assert (users["c3"]["open"], users["c3"]["kept_rate"]) == (1, None)  # October's P6 excluded
    assert users["合计"]["made"] == 5 and users["合计"]["amount"] == "800.00"
    teams = by(found["by_team"], "team")
    assert (teams["t1"]["made"], teams["t1"]["amount"], teams["t1"]["paid"]) == (
        4,
        "750.00",
        "300.00",
    )
    assert teams["t1"]["kept_rate"] == "0.5000"
    assert teams["t2"]["kept_rate"] is None
    assert teams["合计"]["kept_rate"] == "0.5000"


def test_contact_by_channel_and_collector(book: str) -> None:
    found = report(book, "contact", "--from", "2026-11-01", "--to", "2026-11-30")
    channels = by(found["by_channel"], "channel")
    assert channels["call"] == {
        "channel": "call",
        "attempts": 6,
        "reached": 3,
        "reach_rate": "0.5000",
        "debtor_reached": 2,
        "third_party": 1,
    }
    assert (channels["visit"]["attempts"], channels["visit"]["reach_rate"]) == (1, "1.0000")
    assert channels["合计"]["attempts"] == 7
    assert channels["合计"]["reach_rate"] == "0.5714"
    users = by(found["by_collector"], "collector")
    assert (users["c1"]["attempts"], users["c1"]["reached"], users["c1"]["reach_rate"]) == (
        3,
        2,
        "0.6667",
    )
    assert (users["c1"]["third_party"], users["c2"]["reach_rate"]) == (1, "0.3333")
    assert users["c3"]["debtor_reached"] == 1


def test_one_day_is_shanghai_midnight_to_midnight(book: str) -> None:
    # R1 at 00:30 Shanghai on 11-01 counts; R7 at 23:30 on 10-31 does not.
    nov1 = report(book, "contact", "--date", "2026-11-01")
    assert by(nov1["by_channel"], "channel")["合计"]["attempts"] == 1
    oct31 = report(book, "contact", "--date", "2026-10-31")
    assert by(oct31["by_channel"], "channel")["合计"]["attempts"] == 1


def test_collectors_one_row_each(book: str) -> None:
    found = report(book, "collectors", "--from", "2026-11-01", "--to", "2026-11-30")
    rows = by(found["collectors"], "collector")
    assert list(rows) == ["c1", "c2", "c3", "col-x"]  # collectors only, by id
    assert rows["c1"] == {
        "collector": "c1",
        "name": "李一",
        "team": "t1",
        "cases": 2,
        "attempts": 3,
        "reached": 2,
        "promises": 3,
        "kept_rate": "0.3333",
        "recovered": "230.00",  # Y1 200.00 + Y4 30.00
        "violations": 2,
    }
    assert (rows["c2"]["cases"], rows["c2"]["recovered"], rows["c2"]["violations"]) == (
        1,
        "10.00",
        0,
    )
    assert (rows["c3"]["recovered"], rows["c3"]["kept_rate"]) == ("0.00", None)
    assert rows["col-x"]["attempts"] == 0


def test_markdown_csv_and_xlsx(book: str, tmp_path: Path) -> None:
    md = run("report", "buckets", "--date", "2026-10-31", "--database-url", book)
    assert md.code == 0 and "| M1 | 3 | 0.3750 | 350.00 | 405.00 | 2200.00 |" in md.stdout
    csv = run(
        "report",
        "ptp",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
        "--database-url",
        book,
    )
    assert (
        "催收员,组,承诺笔数" in csv.stdout and "c1,t1,3,600.00,1,1,1,0,150.00,0.3333" in csv.stdout
    )
    out = tmp_path / "roll.xlsx"
    done = run(
        "report",
        "roll-rates",
        "--from",
        "2026-10-31",
        "--to",
        "2026-11-30",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--database-url",
        book,
    )
    assert done.code == 0, done.output
    from openpyxl import load_workbook

    sheet = load_workbook(out).worksheets[1]  # overdue principal
    assert [c.value for c in sheet[2]][:3] == ["2026-10-31 账龄", "M0", "M1"]
    m1 = [c for c in sheet[4]]  # title, header, M0, M1
    assert m1[0].value == "M1" and float(m1[3].value) == 100.0  # M1 -> M2
    assert m1[3].number_format == "#,##0.00"


BAD = [
    (["report", "nonsense"], "NAME"),
    (["report", "roll-rates", "--from", "2026-11-30", "--to", "2026-10-31"], "--from/--to"),
    (["report", "roll-rates", "--from", "2026-10-31", "--to", "2026-10-31"], "--from/--to"),
    (["report", "roll-rates", "--date", "2026-10-31"], "--from/--to"),
    (["report", "buckets", "--date", "2026-13-01"], "--date"),
    (["report", "ptp", "--from", "tomorrow", "--to", "2026-11-30"], "--from"),
    (["report", "ptp", "--from", "2026-11-01"], "--to"),
    (["report", "buckets", "--date", "2026-11-01"], "--date"),  # no night stored that day
    (["report", "buckets", "--format", "pdf"], "--format"),
    (["report", "buckets", "--format", "xlsx"], "--out"),
    (["report", "buckets", "--format", "xlsx", "--out", "/nonexistent/dir/b.xlsx"], "--out"),
    (["report", "buckets", "--date", "2026-11-01", "--from", "2026-11-01"], "--date"),
    (["report", "vintage", "--from", "2026-10-31", "--to", "2026-11-30"], "--from/--to"),
    (["report", "recovery", "--from", "2026-10-30", "--to", "2026-11-30"], "--from"),
    (["report", "compliance", "--from", "2026-11-30", "--to", "2026-11-01"], "--from/--to"),
]


@pytest.mark.parametrize(("args", "option"), BAD, ids=[" ".join(a[1:]) for a, _ in BAD])
def test_bad_input_is_refused_naming_the_option(book: str, args: list[str], option: str) -> None:
    before = fingerprint(book)
    refused(run(*args, "--database-url", book), 2, option)
    assert fingerprint(book) == before


def test_a_collector_may_not_read_the_reports(book: str) -> None:
    refused(run("report", "buckets", "--as", "c1", "--database-url", book), 3, "may not")
    assert run("report", "buckets", "--as", "sup", "--database-url", book).code == 0


def test_vintage_by_cohort_and_month_on_book(book: str) -> None:
    found = report(book, "vintage", "--date", "2026-11-30")
    assert found["date"] == "2026-11-30"
    june, november = found["dpd30_accounts"]
    assert june["cohort"] == "2026-06" and (june["loans"], june["principal"]) == (9, "27000.00")
    # MOB4 = 10-31: L6, L7, L9 over 30 days; MOB5 = 11-30: L3, L6, L7, L9.
    assert [june[f"mob{m}"] for m in range(6)] == [None, None, None, None, "0.3333", "0.4444"]
    assert november == {
        "cohort": "2026-11",
        "loans": 1,
        "principal": "3000.00",
        "mob0": "0.0000",
        **{f"mob{m}": None for m in range(1, 6)},
    }
    june30p = found["dpd30_principal"][0]
    assert (june30p["mob4"], june30p["mob5"]) == ("0.0852", "0.1185")  # 2300/27000, 3200/27000
    june90 = found["dpd90_accounts"][0]
    assert (june90["mob4"], june90["mob5"]) == ("0.1111", "0.2222")  # L9; L7 and L9
    june90p = found["dpd90_principal"][0]
    assert (june90p["mob4"], june90p["mob5"]) == ("0.0370", "0.0593")
    # As of D1 only October is observed.
    early = report(book, "vintage", "--date", "2026-10-31")["dpd30_accounts"]
    assert [r["cohort"] for r in early] == ["2026-06"] and early[0]["mob4"] == "0.3333"


def test_recovery_by_bucket_collector_team_and_agency(book: str) -> None:
    found = report(book, "recovery", "--from", "2026-10-31", "--to", "2026-11-30")
    buckets = by(found["by_bucket"], "bucket")
    assert list(buckets) == ["M1", "M2", "M3", "M4", "M5", "M6", "M6+", "合计"]
    assert buckets["M1"] == {
        "bucket": "M1",
        "accounts": 3,  # L3, L4, L5
        "overdue": "405.00",
        "repaid": "200.00",  # Y1
        "recovery_rate": "0.4938",
        "cured": 2,  # L4 current, L5 paid off
        "cure_rate": "0.6667",
    }
    assert (buckets["M2"]["repaid"], buckets["M2"]["recovery_rate"]) == ("100.00", "0.2778")
    assert (buckets["M3"]["repaid"], buckets["M3"]["recovery_rate"]) == ("10.00", "0.0200")
    assert buckets["M4"]["recovery_rate"] is None
    assert (buckets["M6+"]["repaid"], buckets["M6+"]["recovery_rate"]) == ("500.00", "0.3333")
    assert buckets["合计"] == {
        "bucket": "合计",
        "accounts": 6,
        "overdue": "2765.00",
        "repaid": "810.00",
        "recovery_rate": "0.2929",
        "cured": 2,
        "cure_rate": "0.3333",
    }
    users = by(found["by_collector"], "collector")
    assert users["c1"] == {
        "collector": "c1",
        "team": "t1",
        "accounts": 3,  # L3, L4 (case C1), L6 (case C2)
        "overdue": "710.00",
        "repaid": "300.00",
        "recovery_rate": "0.4225",
        "cured": 1,
        "cure_rate": "0.3333",
    }
    assert (users["c2"]["accounts"], users["c2"]["repaid"]) == (1, "10.00")
    teams = by(found["by_team"], "team")
    assert (teams["t1"]["repaid"], teams["t1"]["recovery_rate"], teams["t1"]["cure_rate"]) == (
        "310.00",
        "0.2562",
        "0.2500",
    )
    agency = by(found["by_agency"], "agency")["A1"]
    assert (agency["accounts"], agency["repaid"], agency["recovery_rate"]) == (
        1,
        "500.00",
        "0.3333",
    )


def test_compliance_by_day_rule_and_complaint(book: str) -> None:
    found = report(book, "compliance", "--from", "2026-11-01", "--to", "2026-11-30")
    days = by(found["by_day"], "day")
    assert list(days) == ["2026-11-02", "2026-11-03", "2026-11-05", "2026-11-20", "合计"]
    assert days["2026-11-02"] == {
        "day": "2026-11-02",
        "decided": 3,
        "allowed": 2,
        "denied": 1,
        "denied_rate": "0.3333",
        "complaints": 1,
        "answered_on_time": 1,
        "answered_late": 0,
        "open_overdue": 0,
    }
    assert (days["2026-11-03"]["denied_rate"], days["2026-11-03"]["answered_late"]) == ("0.5000", 1)
    assert (days["2026-11-05"]["open_overdue"], days["2026-11-05"]["denied_rate"]) == (1, None)
    assert days["2026-11-20"]["open_overdue"] == 0  # 10 days open at the period's end
    total = days["合计"]
    assert (total["decided"], total["denied"], total["denied_rate"]) == (5, 2, "0.4000")
    assert (total["complaints"], total["answered_on_time"], total["answered_late"]) == (4, 1, 1)
    assert total["open_overdue"] == 1
    assert found["by_rule"] == [
        {"rule": "CN-TIME-1", "denied": 2},
        {"rule": "CN-FREQ-1", "denied": 1},
    ]


def test_pruning_keeps_recent_nights_and_every_month_end(book: str, db_engine: Engine) -> None:
    from datetime import date

    from sqlalchemy import insert, select

    from faircollect.adapters.db import tables as t
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.services.manager_reports import prune_history

    h = t.account_state_history
    extra = [
        {**row, "night": night}
        for night in (date(2026, 11, 15), date(2026, 11, 29))
        for row in reports_world.STATES
        if row["night"] == reports_world.D2
    ]
    with db_engine.begin() as conn:
        conn.execute(insert(h), extra)
    assert (
        "nothing to drop"
        in run("history", "prune", "--keep-days", "100000", "--database-url", book).stdout
    )
    with UnitOfWork(db_engine) as uow:
        dropped = prune_history(uow, 10, date(2026, 12, 3))  # cutoff 2026-11-23
    assert dropped == [date(2026, 11, 15)]
    with db_engine.connect() as conn:
        nights = sorted(set(conn.execute(select(h.c.night)).scalars()))
    assert nights == [date(2026, 10, 31), date(2026, 11, 29), date(2026, 11, 30)]
    refused(run("history", "prune", "--keep-days", "0", "--database-url", book), 2, "--keep-days")
