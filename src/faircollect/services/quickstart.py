"""The demo a new user gets (``make run``): a demo portfolio imported into an empty
database with the example organisation, then tonight's night, then the morning summary.

A database that already holds loans is left as it is (the demo is built once); the
night runs every time and is idempotent, so running the quickstart again shows the same
day without planning anything twice.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from faircollect.adapters.db.repository import loan_count
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import example_org_text
from faircollect.services.auth import set_password
from faircollect.services.demo import generate
from faircollect.services.importing import import_directory
from faircollect.services.night import NightProgress, NightReport, NightStep, run_night
from faircollect.services.organisation import OrgLoaded, load_organisation
from faircollect.services.portfolio_summary import PortfolioSummary, summarize


@dataclass(frozen=True, slots=True)
class DemoBuilt:
    """The demo portfolio and the example organisation put into an empty database."""

    accounts: int
    organisation: OrgLoaded
    """The example organisation's teams, users and agencies, stored."""


@dataclass(frozen=True, slots=True)
class QuickstartReport:
    demo: DemoBuilt | None
    """None when the database held loans already."""
    night: NightReport
    summary: PortfolioSummary
    """Accounts by bucket and stage after the night's ledger step."""


def quickstart(
    engine: Engine,
    today: date,
    *,
    accounts: int,
    seed: int,
    progress: NightProgress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> QuickstartReport:
    """Build the demo into an empty database, run the night of ``today``, summarise.

    ``now`` stamps the demo's import batch."""
    report = progress or (lambda _: None)
    demo = None
    if not _holds_loans(engine):
        report(NightStep("demo", None, f"building a demo portfolio of {accounts:,} loans"))
        demo = build_demo(engine, accounts, seed, today, now())
    night = run_night(engine, today, progress=report)
    return QuickstartReport(demo, night, summarize(engine))


def build_demo(
    engine: Engine, accounts: int, seed: int, today: date, imported_at: datetime
) -> DemoBuilt:
    """The demo portfolio as of ``today`` (``faircollect demo``) imported as a lender
    would, and the example collectors, supervisors and agencies, so that the night's
    分案 and agency placements reach casework as they would for a real team."""
    with tempfile.TemporaryDirectory(prefix="faircollect-demo-") as folder:
        generate(accounts, Path(folder), seed=seed, as_of=today)
        import_directory(engine, Path(folder), imported_at)
    with UnitOfWork(engine) as uow:
        organisation = load_organisation(uow, example_org_text(), "example organisation")
        for person in uow.org.people():
            set_password(uow, person.user_id, DEMO_PASSWORD)
    return DemoBuilt(accounts, organisation)


DEMO_PASSWORD = "faircollect-demo"  # nosec B105
"""Every demo user's workbench password (a demo database only; printed by make run)."""

DEMO_LOGINS = ("C101", "S001", "A101", "Q001", "K001", "ADMIN")
"""The demo users a new user tries first: a collector, a supervisor, an agency user, QA,
compliance and an admin."""


def demo_logins(engine: Engine) -> list[tuple[str, str, str]]:
    """(user id, name, role) of the demo users to print, those that exist."""
    with UnitOfWork(engine) as uow:
        people = [uow.org.person(user_id) for user_id in DEMO_LOGINS]
    return [(p.user_id, p.name, p.role.value) for p in people if p is not None]


def _holds_loans(engine: Engine) -> bool:
    with engine.connect() as conn:
        return loan_count(conn) > 0
