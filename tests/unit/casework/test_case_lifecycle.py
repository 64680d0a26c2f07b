"""The case status lifecycle: allowed moves, refused moves, history."""

from __future__ import annotations

from datetime import date

import pytest

from faircollect.domain.casework.cases import (
    CLOSED,
    TRANSITIONS,
    AssignOwner,
    Case,
    CaseOpened,
    CaseStatus,
    ChangeStatus,
    OpenCase,
    Owner,
    OwnerAssigned,
    OwnerKind,
    StatusChanged,
    change_status,
    open_case,
)
from faircollect.domain.casework.errors import CaseworkError, IllegalTransition, PermissionDenied
from faircollect.domain.casework.roles import Actor

from .factories import AGENCY_A, COLLECTOR, DAY1, SUPERVISOR, a_case

S = CaseStatus


def walk(*statuses: CaseStatus) -> Case:
    case = a_case()
    for day, status in enumerate(statuses, start=2):
        case = case.moved(ChangeStatus("C1", status, date(2026, 3, day), "c-wang", f"to {status}"))
    return case


def test_a_new_case_is_open_with_its_opening_in_history() -> None:
    case = a_case()
    assert case.status is S.OPEN
    assert case.history == (
        CaseOpened("C1", "B1", ("L1",), Owner(OwnerKind.COLLECTOR, "c-wang"), DAY1, "system"),
    )


@pytest.mark.parametrize(
    "path",
    [
        (S.CONTACTED, S.PROMISED, S.PROMISE_KEPT, S.CLOSED_PAID),
        (S.CONTACTED, S.PROMISED, S.PROMISE_BROKEN, S.LEGAL, S.WITH_AGENCY, S.CLOSED_SETTLED),
        (S.HARDSHIP, S.PROMISED, S.COMPLAINT, S.CONTACTED),
        (S.DISPUTE, S.CONTACTED, S.CLOSED_WRITTEN_OFF),
        (S.WITH_AGENCY, S.CONTACTED, S.PROMISED),
    ],
)
def test_lawful_paths_are_walked_and_each_step_is_history(path: tuple[CaseStatus, ...]) -> None:
    case = walk(*path)
    changes = [e for e in case.history if isinstance(e, StatusChanged)]
    assert [(c.from_status, c.to_status) for c in changes] == list(
        zip((S.OPEN, *path[:-1]), path, strict=True)
    )
    assert case.status is path[-1]


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.PROMISE_KEPT),  # nothing was promised
        ((), S.PROMISE_BROKEN),
        ((S.CONTACTED,), S.PROMISE_KEPT),
        ((S.CLOSED_PAID,), S.CONTACTED),  # closed is terminal
        ((S.COMPLAINT,), S.HARDSHIP),  # a complaint is resolved first
        ((S.PROMISED,), S.WITH_AGENCY),  # a pending promise is settled first
    ],
)
def test_illegal_transitions_raise_and_say_what_is_allowed(
    path: tuple[CaseStatus, ...], illegal: CaseStatus
) -> None:
    case = walk(*path)
    with pytest.raises(IllegalTransition, match=f"to {illegal}"):
        case.moved(ChangeStatus("C1", illegal, date(2026, 4, 1), "c-wang", "try"))


def test_closed_statuses_are_terminal_and_everything_else_can_close() -> None:
    for status in S:
        assert (TRANSITIONS[status] == frozenset()) == (status in CLOSED)
        if status not in CLOSED:
            assert TRANSITIONS[status] >= CLOSED


def test_a_borrower_can_complain_from_any_open_status() -> None:
    assert all(S.COMPLAINT in TRANSITIONS[s] for s in S if s not in CLOSED | {S.COMPLAINT})


def test_a_status_change_needs_a_reason_and_the_right_case() -> None:
    case = a_case()
    with pytest.raises(CaseworkError, match="reason"):
        case.moved(ChangeStatus("C1", S.CONTACTED, DAY1, "c-wang", "  "))
    with pytest.raises(CaseworkError, match="C2"):
        case.moved(ChangeStatus("C2", S.CONTACTED, DAY1, "c-wang", "x"))


def test_reassignment_is_recorded_and_refused_once_closed() -> None:
    agency = Owner(OwnerKind.AGENCY, "AG-A")
    case = a_case().assigned(AssignOwner("C1", agency, DAY1, "s-zhao", "M3 placement"))
    assert case.owner == agency
    assert isinstance(case.history[-1], OwnerAssigned)
    closed = case.moved(ChangeStatus("C1", S.CLOSED_PAID, DAY1, "s-zhao", "paid"))
    with pytest.raises(CaseworkError, match="closed"):
        closed.assigned(AssignOwner("C1", agency, DAY1, "s-zhao", "again"))


def test_a_case_needs_distinct_loans() -> None:
    owner = Owner(OwnerKind.COLLECTOR, "c")
    with pytest.raises(CaseworkError, match="at least one loan"):
        open_case(OpenCase("C9", "B", (), owner, DAY1, "x"))
    with pytest.raises(CaseworkError, match="twice"):
        open_case(OpenCase("C9", "B", ("L", "L"), owner, DAY1, "x"))


@pytest.mark.parametrize(
    ("actor", "to", "allowed"),
    [
        (COLLECTOR, S.CONTACTED, True),
        (COLLECTOR, S.HARDSHIP, True),
        (COLLECTOR, S.CLOSED_PAID, True),
        (COLLECTOR, S.CLOSED_SETTLED, False),
        (COLLECTOR, S.CLOSED_WRITTEN_OFF, False),
        (COLLECTOR, S.LEGAL, False),
        (COLLECTOR, S.WITH_AGENCY, False),
        (AGENCY_A, S.WITH_AGENCY, False),
        (SUPERVISOR, S.CLOSED_WRITTEN_OFF, True),
        (SUPERVISOR, S.LEGAL, True),
    ],
)
def test_settling_writing_off_suing_and_placing_are_supervisor_decisions(
    actor: Actor, to: CaseStatus, allowed: bool
) -> None:
    command = ChangeStatus("C1", to, DAY1, actor.user_id, "decision")
    if allowed:
        assert change_status(a_case(), command, actor).status is to
    else:
        with pytest.raises(PermissionDenied):
            change_status(a_case(), command, actor)


def test_a_status_change_signed_by_someone_else_is_refused() -> None:
    command = ChangeStatus("C1", S.CONTACTED, DAY1, "s-zhao", "reached")
    with pytest.raises(CaseworkError, match="signed by s-zhao"):
        change_status(a_case(), command, COLLECTOR)
