"""The world the API access tests run in, built once per backend and cloned per test.

On 2 Mar 2026 (the casework world's day) five borrowers are 15 days past due, each in one
case, so every role has a case it may see and one it may not:

| case | borrower | loan | owner | who sees it (besides QA, compliance, admin) |
|---|---|---|---|---|
| ``X`` (C-B1-…) | 张三 B1 | L1 | C101 (T-EARLY) | C101, S001 |
| ``Y`` (C-B3-…) | B3 | L3 | placed with AG01 | A101, S001, S002 (agency cases) |
| ``Z`` (C-B4-…) | B4 | L4 | C102 (T-EARLY) | C102, S001 |
| ``W`` (C-B5-…) | B5 | L5 | C201 (T-INTENSIVE) | S002 |
| ``U`` (C-B6-…) | B6 | L6 | nobody (unassigned) | S001, S002 |

李四 (B2, loan L2) is current and in no case. On case X there are a pending waiver
proposed by C101 (``proposal``) and one proposed by S001 (``own_proposal``), a promise by
C101 (``promise``) and a first call C101 has started (``call``); B1 and B3 each have an
emergency contact (callable) and a colleague (not callable) on file.

Building it takes about a second; a clone (a file copy on SQLite, ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL) a fraction of that, so a test that changes something gets its
own copy and the many that only read share one.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine

from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.tables import account_states, borrowers, contacts, loans, payments
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.proposals import WaivedComponent, Waiver
from faircollect.domain.casework.roles import Actor
from faircollect.domain.ledger.terms import Payment
from faircollect.services.casework import agencies, promises, proposals, web_calls
from faircollect.services.casework.open_cases import case_id_for, open_cases
from tests.conftest import admin_execute, postgres_url
from tests.scenarios.casework_world import CASE, DAY, INSTALMENT, at, build, state_row, terms
from tests.web.conftest import PASSWORD, USERS

CHEAP = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
"""The stored hashes carry their own parameters, so sign-ins against them stay cheap."""

ROLES = ("C101", "C102", "S001", "S002", "A101", "A201", "Q001", "K001", "ADMIN")
"""One user per role and side: the columns of the access tables."""

X, Y, Z, W, U = CASE, *(case_id_for(b, DAY) for b in ("B3", "B4", "B5", "B6"))
LATE = {"B3": "L3", "B4": "L4", "B5": "L5", "B6": "L6"}
OWNERS = {"B4": "C102", "B5": "C201", "B6": "unassigned", "B3": "C101"}
PAID_ON = (date(2025, 11, 15), date(2025, 12, 15), date(2026, 1, 15))
"""The three installments each late borrower paid (the fourth, 15 Feb, is missed)."""
EMERGENCY_PHONE = "13900000011"
COLLEAGUE_PHONE = "13900000012"


@dataclass(frozen=True, slots=True)
class World:
    """Ids made while building (proposal, promise and call ids are random)."""

    proposal: str
    own_proposal: str
    promise: str
    call: str


def _late_borrowers(engine: Engine) -> None:
    """B3-B6, each with one 12-month loan that missed its 4th installment, like 张三's."""
    with engine.begin() as conn:
        for n, (borrower_id, loan_id) in enumerate(LATE.items(), start=3):
            conn.execute(
                borrowers.insert().values(
                    borrower_id=borrower_id,
                    name=f"借款人{n}",
                    phone=f"1380000000{n}",
                    id_number=f"11010119900101{n:04d}",
                    city="北京",
                )
            )
            t = terms(loan_id, borrower_id)
            conn.execute(loans.insert().values(**loan_row(t)))
            paid = [
                Payment(f"{loan_id}-p{k}", loan_id, on, INSTALMENT)
                for k, on in enumerate(PAID_ON, start=1)
            ]
            conn.execute(
                payments.insert(),
                [
                    {"payment_id": p.payment_id, "loan_id": loan_id, "paid_on": p.paid_on}
                    | {"amount": p.amount}
                    for p in paid
                ],
            )
            conn.execute(account_states.insert().values(**state_row(t, paid, DAY)))
        conn.execute(
            contacts.insert(),
            [
                {"borrower_id": b, "name": "亲属", "phone": EMERGENCY_PHONE}
                | {"relation": "父亲", "is_emergency": True}
                for b in ("B1", "B3")
            ]
            + [
                {"borrower_id": b, "name": "同事", "phone": COLLEAGUE_PHONE}
                | {"relation": "同事", "is_emergency": False}
                for b in ("B1", "B3")
            ],
        )


def actor(uow: UnitOfWork, user_id: str) -> Actor:
    person = uow.org.person(user_id)
    assert person is not None, user_id
    return person.actor


def build_world(engine: Engine) -> World:
    """The table above, in ``engine``'s empty schema, every user with ``PASSWORD``."""
    assert build(engine) == X
    _late_borrowers(engine)
    with UnitOfWork(engine) as uow:
        for borrower_id, owner in OWNERS.items():
            assert open_cases(uow, DAY, owner, [borrower_id]) == [case_id_for(borrower_id, DAY)]
        agencies.place_case(uow, actor(uow, "S001"), Y, "AG01", DAY)
        for user_id in USERS:
            uow.org.set_password_hash(user_id, CHEAP.hash(PASSWORD))
        penalty = Waiver(WaivedComponent.PENALTY, 500)
        proposal = proposals.submit_proposal(uow, actor(uow, "C101"), X, "L1", penalty, DAY)
        own = proposals.submit_proposal(uow, actor(uow, "S001"), X, "L1", penalty, DAY)
        promise = promises.make_promise(
            uow, actor(uow, "C101"), "L1", 50_000, date(2026, 3, 9), DAY
        )
        call = web_calls.begin(uow, actor(uow, "C101"), X, at(DAY, 9, 30))
    return World(proposal.proposal_id, own.proposal_id, promise.promise_id, call.call_id)


class Template:
    """A built world on one backend, cloned into fresh databases on demand."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self.folder = folder
        self.clones: list[str] = []
        if backend == "sqlite":
            self.url = f"sqlite:///{folder / 'template.db'}"
        else:
            self.name = f"fc_tmpl_{uuid.uuid4().hex[:12]}"
            admin_execute(f'CREATE DATABASE "{self.name}"')
            self.url = postgres_url(self.name)
        engine = make_engine(self.url)
        try:
            create_schema(engine)
            self.world = build_world(engine)
        finally:
            engine.dispose()

    def clone(self) -> str:
        """The URL of a new database holding a copy of the world."""
        if self.backend == "sqlite":
            target = self.folder / f"clone-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(self.folder / "template.db", target)
            return f"sqlite:///{target}"
        name = f"fc_test_{uuid.uuid4().hex[:12]}"
        admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        self.clones.append(name)
        return postgres_url(name)

    def drop(self, url: str | None = None) -> None:
        """Drop the clone at ``url``, or every PostgreSQL database this template made
        (SQLite files go with pytest's temporary directories)."""
        if self.backend == "sqlite":
            return
        names = [url.rsplit("/", 1)[1]] if url else [*self.clones, self.name]
        for name in names:
            admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name in self.clones:
                self.clones.remove(name)


def cloned_engine(template: Template) -> Iterator[Engine]:
    """An engine on a fresh clone, disposed afterwards (use with ``yield from``)."""
    engine = make_engine(template.clone())
    try:
        yield engine
    finally:
        engine.dispose()
