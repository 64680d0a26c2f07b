"""Use cases on an in-memory unit of work: no file, no server, the real repositories.

The organisation is loaded, users are told apart, and who sees which case holds, all in
milliseconds (SqlUnitOfWork.in_memory gives a fresh SQLite database at the schema head).
"""

from __future__ import annotations

from datetime import date

import pytest

from faircollect.adapters.db.repository import loan_row
from faircollect.adapters.db.tables import borrowers, loans
from faircollect.adapters.db.uow import SqlUnitOfWork
from faircollect.adapters.org_file import example_org_text
from faircollect.domain.casework.cases import OpenCase, Owner, OwnerKind, open_case
from faircollect.domain.casework.errors import NotFound, PermissionDenied
from faircollect.services.casework.cases import list_cases, show_case
from faircollect.services.organisation import actor_for, load_organisation
from tests.scenarios.casework_world import terms

DAY = date(2026, 3, 2)


def test_use_cases_run_on_an_in_memory_unit_of_work() -> None:
    memory = SqlUnitOfWork.in_memory()
    with memory as uow:
        loaded = load_organisation(uow, example_org_text(), "example.yaml")
        assert (loaded.users, loaded.teams, loaded.agencies) == (14, 3, 2)
        uow.conn.execute(
            borrowers.insert().values(
                borrower_id="B1",
                name="张三",
                phone="13800000001",
                id_number="110101199001011234",
                city="北京",
            )
        )
        uow.conn.execute(loans.insert().values(**loan_row(terms("L1", "B1"))))
        case = open_case(
            OpenCase("C-1", "B1", ("L1",), Owner(OwnerKind.COLLECTOR, "C101"), DAY, "system")
        )
        uow.cases.add(case)
    with memory as uow:
        assert [c.case_id for c in list_cases(uow, actor_for(uow, "C101"), DAY).items] == ["C-1"]
        assert list_cases(uow, actor_for(uow, "C102"), DAY).items == []
        assert show_case(uow, actor_for(uow, "S001"), "C-1", DAY).borrower["id_number"] == (
            "110101199001011234"  # a supervisor sees the whole number
        )
        assert show_case(uow, actor_for(uow, "C101"), "C-1", DAY).borrower["id_number"] == (
            "1101**********1234"
        )
        with pytest.raises(NotFound):
            show_case(uow, actor_for(uow, "C102"), "C-1", DAY)
        with pytest.raises(PermissionDenied, match="unknown user"):
            actor_for(uow, "nobody")
