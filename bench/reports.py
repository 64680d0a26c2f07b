"""Benchmark: each manager's report (issue 14) and a letter, on a book with a month of nights.

    PYTHONPATH=src .venv/bin/python bench/reports.py --accounts 20000 --nights 30 \
        --reuse-db /tmp/reports20k.db

The database is built as the CLI would build it: ``faircollect demo --accounts N`` seen from
the last day, ``import``, the example organisation, then the nights: ``run-day
--ledger-only`` for the first day (a full run) and every following day but the last
(incremental runs, each copying its states into ``account_state_history``), and a full
night (``run-day``) on the last day, which plans contacts. Casework a month leaves is
then written in SQL: each collector's delinquent borrowers in cases of theirs, one
contact record per call the last night assigned spread over the month (outcome from the
CRC-32 of the action id: 3/8 no answer, 1/16 wrong number, 1/16 a third party answered, the rest
reached), a promise for one reached call in four (kept, partly kept or broken by the
id), and a QA finding for one record in 64. With ``--reuse-db PATH`` that database is kept.

Then each report is built (``services.manager_reports.build``, the use case the CLI and
the workbench call) and written as xlsx, ``--repeat`` times; the best time is printed.
Then the workbench's pages of the reports the night keeps (buckets, vintage) are timed
as a supervisor gets them, from the kept copy and, as the baseline, computed (the kept
copies removed, then put back). The letter is a 逾期提醒函 for a delinquent loan,
rendered to PDF (the first render loads the font; the best of the others is printed).
Targets (issue 14): each report < 5 s, a letter < 200 ms, the report pages < 1 s from the
night's copy. ``--database-url URL`` benches on that database instead (PostgreSQL:
created empty beforehand; built there on the first run, reused after).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from sqlalchemy import func, insert, select  # noqa: E402

from faircollect.adapters.db import tables as t  # noqa: E402
from faircollect.adapters.db.engine import make_engine  # noqa: E402
from faircollect.adapters.db.uow import UnitOfWork  # noqa: E402
from faircollect.cli.database import ensure_keys  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORG = ROOT.parent / "src" / "faircollect" / "data" / "org" / "example.yaml"
LAST = date(2026, 11, 30)


def cli(*args: str | Path) -> float:
    """One ``faircollect`` command, as a user would run it; returns its seconds."""
    command = [sys.executable, "-m", "faircollect", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent / "src")}
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"faircollect {' '.join(map(str, args))} failed:\n{done.stderr}")
    return time.perf_counter() - began


def build(url: str, accounts: int, nights: int, last: date) -> None:
    """The book at ``url`` after ``nights`` nights ending on ``last``."""
    first = last - timedelta(days=nights - 1)
    with tempfile.TemporaryDirectory() as folder:
        cli("demo", "--accounts", str(accounts), "--out", folder, "--as-of", last.isoformat())
        cli("init", "--database-url", url)
        cli("import", folder, "--quiet", "--database-url", url)
    os.environ["FAIRCOLLECT_DATABASE_URL"] = url
    cli("user", "load", ORG)
    took = cli("run-day", "--ledger-only", "--date", first.isoformat(), "--database-url", url)
    print(f"  night {first} (full, ledger only): {took:.1f} s")
    if nights > 2:
        day = last - timedelta(days=1)
        took = cli("run-day", "--ledger-only", "--date", day.isoformat(), "--database-url", url)
        print(f"  nights to {day} ({nights - 2}, ledger only): {took:.1f} s")
    took = cli("run-day", "--date", last.isoformat(), "--database-url", url)
    print(f"  night {last} (planned): {took:.1f} s")
    casework(url, first, last)


def casework(url: str, first: date, last: date) -> None:
    """Cases, contact records, promises and QA findings of the month (see the docstring)."""
    from faircollect.domain.casework.cases import UNASSIGNED
    from faircollect.services.casework.open_cases import open_cases

    engine = make_engine(url)
    p = t.planned_actions
    days = (last - first).days + 1
    with UnitOfWork(engine) as uow:
        calls = uow.conn.execute(
            select(p.c.action_id, p.c.assignee, p.c.borrower_id, p.c.loan_id).where(
                p.c.run_date == last, p.c.assignee_kind == "collector", p.c.channel == "call"
            )
        ).all()
        mine: dict[str, set[str]] = {}
        for _, assignee, borrower_id, _ in calls:
            mine.setdefault(assignee, set()).add(borrower_id)
        for collector, borrowers in sorted(mine.items()):
            open_cases(uow, last, collector, borrowers)
        open_cases(uow, last, UNASSIGNED)
        records, promises, findings = [], [], []
        for n, (action_id, assignee, borrower_id, loan_id) in enumerate(calls):
            digit = zlib.crc32(action_id.encode()) & 0xFF
            on = first + timedelta(days=n % days)
            at = datetime.combine(on, datetime.min.time(), SHANGHAI).replace(hour=10)
            outcome = (
                "no_answer"
                if digit % 8 < 3
                else "wrong_number"
                if digit % 16 == 3
                else "third_party_answered"
                if digit % 16 == 4
                else "borrower_reached"
            )
            records.append(
                {
                    "record_id": f"R-{action_id}",
                    "borrower_id": borrower_id,
                    "loan_id": loan_id,
                    "at": at,
                    "channel": "call",
                    "party": "borrower",
                    "actor": assignee,
                    "outcome": outcome,
                    "note": "",
                }
            )
            if outcome == "borrower_reached" and digit % 4 == 0:
                status = ("kept", "partly_kept", "broken")[digit % 3]
                promises.append(
                    {
                        "promise_id": f"P-{action_id}",
                        "loan_id": loan_id,
                        "amount": 50_000,
                        "made_on": on,
                        "due_on": on + timedelta(days=3),
                        "status": status,
                        "paid": {"kept": 50_000, "partly_kept": 20_000, "broken": 0}[status],
                        "made_by": assignee,
                    }
                )
            if digit % 64 == 5:
                findings.append(
                    {
                        "source": f"record:R-{action_id}",
                        "actor": assignee,
                        "at": at,
                        "rule": "CN-PROH-1",
                        "label": "threat",
                        "evidence": "…",
                    }
                )
        for table, rows in (
            (t.contact_records, records),
            (t.promises, promises),
            (t.qa_findings, findings),
        ):
            if rows:
                uow.conn.execute(insert(table), rows)
    engine.dispose()
    print(f"  casework: {len(records):,} contact records, {len(promises):,} promises")


def bench(url: str, first: date, last: date, repeat: int) -> None:
    from faircollect.adapters.db.state_history import copy_states
    from faircollect.adapters.report_files import render
    from faircollect.domain.casework.roles import Actor, Role
    from faircollect.services import manager_reports as reports

    engine = make_engine(url)
    admin = Actor("bench", Role.ADMIN)
    with engine.connect() as conn:
        loans = conn.execute(select(func.count()).select_from(t.loans)).scalar_one()
        history = conn.execute(
            select(func.count()).select_from(t.account_state_history)
        ).scalar_one()
        conn.rollback()
        trans = conn.begin()
        began = time.perf_counter()
        copy_states(conn, last)
        took = time.perf_counter() - began
        h = t.account_state_history
        copied = conn.execute(
            select(func.count()).select_from(h).where(h.c.night == last)
        ).scalar_one()
        trans.rollback()
    print(
        f"{loans:,} loans, {history:,} stored night states; one night's copy "
        f"({copied:,} states): {took:.2f} s"
    )
    start = first
    asked = {
        "buckets": reports.Dates(last, last),
        "roll-rates": reports.Dates(start, last),
        "vintage": reports.Dates(last, last),
        "recovery": reports.Dates(start, last),
        "ptp": reports.Dates(start, last),
        "contact": reports.Dates(start, last),
        "collectors": reports.Dates(start, last),
        "compliance": reports.Dates(start, last),
    }
    print(f"{'report':<12}{'best s':>9}{'rows':>7}   (target < 5 s; build + xlsx)")
    for name, dates in asked.items():
        best, rows = float("inf"), 0
        for _ in range(repeat):
            began = time.perf_counter()
            with UnitOfWork(engine) as uow:
                found = reports.build(uow, admin, name, dates, last)
            render(found, "xlsx")
            best = min(best, time.perf_counter() - began)
            rows = sum(len(table.rows) for table in found.tables)
        print(f"{name:<12}{best:>9.3f}{rows:>7}")
    page_timing(engine, last, repeat)
    letter_timing(engine, last)
    engine.dispose()


def page_timing(engine: object, last: date, repeat: int) -> None:
    """The workbench's report pages as a supervisor reads them (``/reports/NAME``, the
    HTML with its table and chart data) for the last night: from the copy the night kept
    (``manager_reports.KEPT``; kept again here if the night did not) and, as the baseline
    in the same run, computed with the kept copies removed (restored after)."""
    from fastapi.testclient import TestClient

    from faircollect.services import auth
    from faircollect.services import manager_reports as reports
    from faircollect.services.night import keep_reports
    from faircollect.web.app import create_app

    password = "bench-password-1"
    with UnitOfWork(engine) as uow:  # type: ignore[arg-type]
        auth.set_password(uow, "S001", password)
        kept = uow.conn.execute(select(t.report_cache)).all()
    if not any(row.night == last for row in kept):
        keep_reports(engine, last)  # type: ignore[arg-type]
        with UnitOfWork(engine) as uow:  # type: ignore[arg-type]
            kept = uow.conn.execute(select(t.report_cache)).all()

    def best(client: TestClient, path: str) -> float:
        fastest = float("inf")
        for _ in range(repeat):
            began = time.perf_counter()
            answer = client.get(path)
            fastest = min(fastest, time.perf_counter() - began)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code} {answer.text[:300]}")
        return fastest

    print(f"{'page':<34}{'computed s':>11}{'kept s':>9}{'ratio':>8}   (target < 1 s)")
    with TestClient(create_app(engine)) as client:  # type: ignore[arg-type]
        signed = client.post(
            "/login",
            data={"user_id": "S001", "password": password, "next": "/"},
            follow_redirects=False,
        )
        if signed.status_code != 303:
            raise SystemExit(f"sign-in as S001 failed: {signed.status_code}")
        for name in reports.KEPT:
            path = f"/reports/{name}?date={last}"
            with_copy = best(client, path)
            with engine.begin() as conn:  # type: ignore[attr-defined]
                conn.execute(t.report_cache.delete())
            computed = best(client, path)
            with engine.begin() as conn:  # type: ignore[attr-defined]
                conn.execute(insert(t.report_cache), [row._asdict() for row in kept])
            print(f"{path:<34}{computed:>11.3f}{with_copy:>9.3f}{computed / with_copy:>8.1f}")


def letter_timing(engine: object, day: date) -> None:
    from faircollect.adapters.letter_pdf import NoCjkFont, cjk_font, render_pdf
    from faircollect.domain.letters import LetterKind
    from faircollect.services.letters import letter

    try:
        cjk_font()
    except NoCjkFont as err:
        print(f"letter: skipped ({err})")
        return
    from faircollect.domain.casework.errors import Refused

    s = t.account_states
    with UnitOfWork(engine) as uow:  # type: ignore[arg-type]
        candidates = uow.conn.execute(
            select(s.c.loan_id).where(s.c.dpd > 30).order_by(s.c.loan_id).limit(50)
        ).scalars()
        loan_id = ""
        for candidate in candidates:  # lawfully overdue too (not only under the contract)
            try:
                letter(uow, candidate, LetterKind.OVERDUE_NOTICE, day)
            except Refused:
                continue
            loan_id = candidate
            break
    if not loan_id:
        print("letter: skipped (no lawfully overdue loan among the first 50 past 30 days)")
        return
    times = []
    for _ in range(6):
        began = time.perf_counter()
        with UnitOfWork(engine) as uow:  # type: ignore[arg-type]
            found = letter(uow, loan_id, LetterKind.OVERDUE_NOTICE, day)
        pdf = render_pdf(found)
        times.append(time.perf_counter() - began)
    print(
        f"letter {loan_id}: first {times[0] * 1000:.0f} ms (font load), best of the rest "
        f"{min(times[1:]) * 1000:.0f} ms, {len(pdf):,} bytes (target < 200 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--last", type=date.fromisoformat, default=LAST)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse-db", type=Path, default=None, help="keep the built database")
    parser.add_argument(
        "--database-url",
        default=None,
        help="bench on this (empty or already built) database instead, e.g. PostgreSQL",
    )
    args = parser.parse_args()
    ensure_keys()  # sealing needs a data key: the configured one, else ./faircollect.keys
    if args.nights < 2:
        parser.error("--nights: at least 2 (roll rates compare two nights)")
    first = args.last - timedelta(days=args.nights - 1)
    if args.database_url:
        url = args.database_url
        engine = make_engine(url)
        from sqlalchemy import inspect

        built = inspect(engine).has_table("loans")
        if built:
            with engine.connect() as conn:
                built = conn.execute(select(func.count()).select_from(t.loans)).scalar_one() > 0
        engine.dispose()
        if built:
            print(f"reused {url.split('@')[-1]}")
        else:
            began = time.perf_counter()
            print(f"building {args.accounts:,} accounts, {args.nights} nights to {args.last}")
            build(url, args.accounts, args.nights, args.last)
            print(f"built: {time.perf_counter() - began:.1f} s")
        bench(url, first, args.last, args.repeat)
        return
    with tempfile.TemporaryDirectory() as folder:
        pristine = args.reuse_db or Path(folder) / "pristine.db"
        if pristine.exists():
            print(f"reused {pristine}")
        else:
            began = time.perf_counter()
            print(f"building {args.accounts:,} accounts, {args.nights} nights to {args.last}")
            build(f"sqlite:///{pristine}", args.accounts, args.nights, args.last)
            print(f"built {pristine}: {time.perf_counter() - began:.1f} s")
        work = Path(folder) / "work.db"
        shutil.copyfile(pristine, work)
        url = f"sqlite:///{work}"
        cli("init", "--database-url", url)  # a kept database meets this code's schema
        bench(url, first, args.last, args.repeat)


if __name__ == "__main__":
    main()
