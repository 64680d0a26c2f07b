"""Casework services against a real database: the gate sees the stored history, a
refused command leaves nothing behind, and a bad users file is refused naming the entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, select

from faircollect.adapters.db.tables import cases, contact_records, users
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.contacts import Outcome
from faircollect.domain.casework.errors import Refused
from faircollect.domain.compliance.actions import Channel, Party, Purpose
from faircollect.services.casework.contacts import ContactFacts, NewContact, add_contact
from faircollect.services.casework.open_cases import open_cases
from faircollect.services.organisation import actor_for, load_organisation
from tests.scenarios.casework_world import DAY, at, build


def no_answer(case_id: str, hour: int, minute: int = 0) -> NewContact:
    return NewContact(
        case_id,
        at(DAY, hour, minute),
        Channel.CALL,
        Party.BORROWER,
        "13800000001",
        Outcome.NO_ANSWER,
    )


def record(engine: Engine, contact: NewContact) -> None:
    with UnitOfWork(engine) as uow:
        add_contact(uow, actor_for(uow, "C101"), contact)


def test_the_gate_counts_the_stored_unanswered_calls(db_engine: Engine) -> None:
    """CN-FREQ-1 in the shipped pack: at most 6 unanswered calls per number per day."""
    case_id = build(db_engine)
    for k in range(6):
        record(db_engine, no_answer(case_id, 9 + k))
    with pytest.raises(Refused) as refused:
        record(db_engine, no_answer(case_id, 16))
    assert [r.split(":")[0] for r in refused.value.reasons] == ["CN-FREQ-1"]
    with db_engine.connect() as conn:
        assert len(conn.execute(select(contact_records)).all()) == 6


def test_a_third_party_may_be_called_only_to_locate_without_disclosure(
    db_engine: Engine,
) -> None:
    case_id = build(db_engine)
    for k in range(3):
        record(db_engine, no_answer(case_id, 9 + k))
    third = NewContact(
        case_id,
        at(DAY, 14),
        Channel.CALL,
        Party.EMERGENCY_CONTACT,
        "13900000009",
        Outcome.THIRD_PARTY_REACHED,
    )
    with pytest.raises(Refused, match="CN-3P-1"):
        record(db_engine, third)  # whether the debt was disclosed is not stated
    lawful = replace(third, facts=ContactFacts(True, Purpose.LOCATE, discloses_debt=False))
    record(db_engine, lawful)
    with db_engine.connect() as conn:
        parties = conn.execute(select(contact_records.c.party)).scalars().all()
    assert parties.count("emergency_contact") == 1


def test_a_bad_users_file_is_refused_whole_naming_each_entry(db_engine: Engine) -> None:
    text = """\
users:
  - {id: X1, role: collector}
  - {id: X2, role: boss}
  - {id: X3, role: agency}
"""
    with pytest.raises(Refused) as refused, UnitOfWork(db_engine) as uow:
        load_organisation(uow, text, "team.yaml")
    assert refused.value.reasons == [
        "team.yaml:3: users[1].role: unknown role 'boss' (expected one of collector,"
        " supervisor, agency, qa, compliance, admin)",
        "team.yaml:4: users[2]: 'agency' is required for agency users and only for them",
    ]
    with db_engine.connect() as conn:
        assert conn.execute(select(users)).all() == []


def test_opening_cases_again_opens_nothing_for_loans_already_worked(db_engine: Engine) -> None:
    build(db_engine)  # opened C-B1-20260302 for L1; B2's L2 is current
    with UnitOfWork(db_engine) as uow:
        assert open_cases(uow, date(2026, 3, 3), owner_id="C102") == []
    with db_engine.connect() as conn:
        assert conn.execute(select(cases.c.case_id, cases.c.owner_id)).all() == [
            ("C-B1-20260302", "C101")
        ]


def test_a_unit_of_work_that_raises_leaves_nothing_behind(db_engine: Engine) -> None:
    case_id = build(db_engine)
    with pytest.raises(RuntimeError), UnitOfWork(db_engine) as uow:
        add_contact(uow, actor_for(uow, "C101"), no_answer(case_id, 10))
        raise RuntimeError("the workbench crashed after the insert")
    with db_engine.connect() as conn:
        assert conn.execute(select(contact_records)).all() == []
