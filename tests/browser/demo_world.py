"""A demo lender's workbench for screenshots: the demo portfolio, the example team, one
night run, cases handed to the collectors the night assigned, and the day's casework a
team leaves behind by 10:30 (contacts, one note QA will flag, a plan waiting for the
supervisor, a broken promise, cases placed with an agency that repaid some money).

Built with the real use cases (import, night, casework services); rows the use cases
cannot make on a single day (a promise the night found broken last week, a repayment
arriving this morning) are written directly, as the night would have stored them.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from faircollect.adapters.db.repositories.cases import CaseLine
from faircollect.adapters.db.repositories.promises import PromiseRow
from faircollect.adapters.db.tables import payments
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import example_org_text
from faircollect.domain.casework.cases import UNASSIGNED
from faircollect.domain.casework.contacts import Outcome, Reason
from faircollect.domain.casework.proposals import InstalmentPlan
from faircollect.domain.casework.roles import Actor
from faircollect.domain.compliance.actions import Channel, Party
from faircollect.services import auth
from faircollect.services.casework.agencies import place_case
from faircollect.services.casework.cases import list_cases
from faircollect.services.casework.contacts import NewContact, add_contact
from faircollect.services.casework.open_cases import open_cases
from faircollect.services.casework.proposals import submit_proposal
from faircollect.services.demo import generate
from faircollect.services.importing import import_directory
from faircollect.services.nightly_ledger import run_day
from faircollect.services.nightly_plan import plan_night
from faircollect.services.nightly_report import action_rows
from faircollect.services.organisation import load_organisation

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 20)
"""A Friday: the demo's business day."""
PASSWORD = "demo password 2026"
"""Every example user's password in the demo (never a real one)."""
ACCOUNTS = 800


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@dataclass(frozen=True, slots=True)
class Demo:
    day: date
    clock_at: datetime
    collector_case: str
    """A case of C101's with a loan the first call can be made about."""
    placed: tuple[str, ...]


def build(engine: Engine, accounts: int = ACCOUNTS) -> Demo:
    """Fill an empty database at the schema head with the demo workbench."""
    with tempfile.TemporaryDirectory(prefix="faircollect-shots-") as folder:
        generate(accounts, Path(folder), seed=11, as_of=DAY)
        import_directory(engine, Path(folder), datetime(2026, 3, 20, 1, 0, tzinfo=UTC))
    with UnitOfWork(engine) as uow:
        load_organisation(uow, example_org_text(), "example organisation")
        for person in uow.org.people():
            auth.set_password(uow, person.user_id, PASSWORD)
    run_day(engine, DAY)
    plan_night(engine, DAY)
    _open_cases(engine)
    with UnitOfWork(engine) as uow:
        people = {p.user_id: p.actor for p in uow.org.people()}
        mine = list_cases(uow, people["C101"], DAY, sort="-dpd", size=50).items
        theirs = list_cases(uow, people["C102"], DAY, sort="-dpd", size=50).items
        unassigned = [
            c
            for c in list_cases(uow, people["S001"], DAY, sort="-dpd", size=200).items
            if c.owner == UNASSIGNED
        ]
    placed = tuple(c.case_id for c in unassigned[:3])
    with UnitOfWork(engine) as uow:
        for case_id in placed:
            place_case(uow, people["S001"], case_id, "AG01", DAY - timedelta(days=12))
    _repaid_while_placed(engine, unassigned[:2])
    _day_so_far(engine, people, mine, theirs)
    return Demo(DAY, at(DAY, 10, 30), mine[3].case_id, placed)


def _open_cases(engine: Engine) -> None:
    """One case per overdue borrower, owned by the collector the night gave their calls
    to (so a collector's queue opens their own cases); the rest wait for the supervisor."""
    by_collector: dict[str, set[str]] = defaultdict(set)
    for row in action_rows(engine, DAY):
        if row["assignee_kind"] == "collector" and row["assignee"]:
            by_collector[row["assignee"]].add(row["borrower_id"])
    with UnitOfWork(engine) as uow:
        for collector, borrowers in sorted(by_collector.items()):
            open_cases(uow, DAY, collector, borrowers)
        open_cases(uow, DAY, UNASSIGNED)


def _repaid_while_placed(engine: Engine, cases: list[CaseLine]) -> None:
    """Repayments on two placed cases in the days before (the agency's statement has lines)."""
    rows = []
    for number, case in enumerate(cases, start=1):
        loan_id = case.loan_ids[0]
        rows.append(
            {
                "payment_id": f"DEMO-P{number}",
                "loan_id": loan_id,
                "paid_on": DAY - timedelta(days=number),
                "amount": 150_000 * number + 3_456,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(payments), rows)


def _day_so_far(
    engine: Engine, people: dict[str, Actor], mine: list[CaseLine], theirs: list[CaseLine]
) -> None:
    """What the team did before 10:30: calls by C101 and C102 (one with a note QA must
    see), a promise the night found broken, an instalment plan waiting for S001."""
    c101, c102 = people["C101"], people["C102"]
    with UnitOfWork(engine) as uow:
        for minute, case in zip((5, 12, 20, 31, 44), mine[:5], strict=False):
            borrower = uow.loans.borrower(case.borrower_id)
            assert borrower is not None
            outcome = Outcome.NO_ANSWER if minute in (5, 31) else Outcome.BORROWER_REACHED
            add_contact(
                uow,
                c101,
                NewContact(
                    case.case_id,
                    at(DAY, 9, minute),
                    Channel.CALL,
                    Party.BORROWER,
                    borrower.phone,
                    outcome,
                    Reason.INCOME_DROP if outcome is Outcome.BORROWER_REACHED else None,
                    "客户称本月工资推迟发放，同意下周联系。" if minute == 12 else "",
                    case.loan_ids[0],
                ),
            )
        case = theirs[0]
        borrower = uow.loans.borrower(case.borrower_id)
        assert borrower is not None
        add_contact(
            uow,
            c102,
            NewContact(
                case.case_id,
                at(DAY, 9, 40),
                Channel.CALL,
                Party.BORROWER,
                borrower.phone,
                Outcome.REFUSAL,
                Reason.UNWILLING,
                "客户拒绝还款，说我们是老赖公司。我说再不还就上门找你单位。",
                case.loan_ids[0],
            ),
        )
        broken = mine[1]
        uow.promises.add(
            PromiseRow(
                f"PTP-{broken.loan_ids[0]}-DEMO",
                broken.loan_ids[0],
                80_000,
                DAY - timedelta(days=10),
                DAY - timedelta(days=3),
                "broken",
                20_000,
                DAY - timedelta(days=2),
                broken.case_id,
                "C101",
            )
        )
        plan_case = mine[2]
        submit_proposal(
            uow,
            c101,
            plan_case.case_id,
            plan_case.loan_ids[0],
            InstalmentPlan(6, Decimal("0.12"), DAY + timedelta(days=10)),
            DAY,
            "客户失业三个月，已找到新工作，申请 6 期分期。",
        )
