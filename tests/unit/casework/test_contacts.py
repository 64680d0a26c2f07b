"""Contact records: consistency, how outcomes move a case, the gate seam, derived facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from faircollect.domain.casework.agencies import Placement
from faircollect.domain.casework.cases import CaseStatus
from faircollect.domain.casework.contacts import (
    Channel,
    Outcome,
    Party,
    Reason,
    accept_contact,
    consecutive_failed_attempts,
    last_reached_on,
    record_contact,
    record_problems,
    status_after,
    unanswered_calls_per_day,
)
from faircollect.domain.casework.errors import CaseworkError, PermissionDenied, Refused

from .factories import AGENCY_A, AGENCY_B, COLLECTOR_2, DAY1, FakeGate, a_case, at, contact

Out = Outcome


@pytest.mark.parametrize(
    ("outcome", "party", "reason", "problem"),
    [
        (Out.PROMISE, Party.EMERGENCY_CONTACT, None, "needs the borrower or guarantor"),
        (Out.REFUSAL, Party.OTHER_CONTACT, None, "needs the borrower or guarantor"),
        (Out.HARDSHIP, Party.EMERGENCY_CONTACT, Reason.ILLNESS, "needs the borrower"),
        (Out.THIRD_PARTY_REACHED, Party.BORROWER, None, "party is 'borrower'"),
        (Out.NO_ANSWER, Party.BORROWER, Reason.FORGOT, "only learned from a debtor"),
        (Out.WRONG_NUMBER, Party.BORROWER, Reason.UNWILLING, "only learned from a debtor"),
    ],
)
def test_inconsistent_records_are_reported(
    outcome: Outcome, party: Party, reason: Reason | None, problem: str
) -> None:
    record = contact("R1", at(DAY1, 10), outcome, party=party, reason=reason)
    assert any(problem in p for p in record_problems(record))


@pytest.mark.parametrize(
    ("outcome", "party", "reason"),
    [
        (Out.PROMISE, Party.BORROWER, Reason.FORGOT),
        (Out.PROMISE, Party.GUARANTOR, None),
        (Out.THIRD_PARTY_REACHED, Party.EMERGENCY_CONTACT, None),
        (Out.COMPLAINT, Party.EMERGENCY_CONTACT, None),
        (Out.NO_ANSWER, Party.BORROWER, None),
    ],
)
def test_consistent_records_have_no_problems(
    outcome: Outcome, party: Party, reason: Reason | None
) -> None:
    assert record_problems(contact("R1", at(DAY1, 10), outcome, party=party, reason=reason)) == []


def test_a_naive_time_and_every_other_problem_are_all_reported() -> None:
    record = contact(
        "R1", datetime(2026, 3, 2, 10), Out.PROMISE, party=Party.OTHER_CONTACT, number=""
    )
    problems = record_problems(record)
    assert len(problems) == 3
    assert any("'at' must be timezone-aware" in p for p in problems)
    assert any("'number' is empty" in p for p in problems)


@pytest.mark.parametrize(
    ("status", "outcome", "expected"),
    [
        (CaseStatus.OPEN, Out.BORROWER_REACHED, CaseStatus.CONTACTED),
        (CaseStatus.OPEN, Out.PROMISE, CaseStatus.PROMISED),
        (CaseStatus.OPEN, Out.NO_ANSWER, None),
        (CaseStatus.CONTACTED, Out.REFUSAL, None),  # already contacted
        (CaseStatus.PROMISED, Out.BORROWER_REACHED, None),  # a pending promise stays pending
        (CaseStatus.PROMISED, Out.COMPLAINT, CaseStatus.COMPLAINT),
        (CaseStatus.PROMISE_BROKEN, Out.PROMISE, CaseStatus.PROMISED),
        (CaseStatus.CONTACTED, Out.HARDSHIP, CaseStatus.HARDSHIP),
        (CaseStatus.CONTACTED, Out.DISPUTE, CaseStatus.DISPUTE),
    ],
)
def test_how_an_outcome_moves_the_case(
    status: CaseStatus, outcome: Outcome, expected: CaseStatus | None
) -> None:
    assert status_after(status, outcome) == expected


def test_recording_a_promise_moves_the_case_and_the_history_names_the_record() -> None:
    case = accept_contact(a_case(), contact("R1", at(DAY1, 10), Out.PROMISE), FakeGate())
    assert case.status is CaseStatus.PROMISED
    assert case.history[-1].reason == "contact R1: promise"  # type: ignore[union-attr]
    assert case.history[-1].actor == "c-wang"


def test_a_contact_the_gate_denies_is_refused_with_the_gates_reason_and_nothing_changes() -> None:
    gate = FakeGate(denied={"13800000001": "CN-FREQ-1: 6 unanswered calls today"})
    case = a_case()
    with pytest.raises(Refused, match="CN-FREQ-1") as refused:
        accept_contact(case, contact("R1", at(DAY1, 10), Out.PROMISE), gate)
    assert refused.value.reasons == ["CN-FREQ-1: 6 unanswered calls today"]
    assert case.status is CaseStatus.OPEN and len(case.history) == 1


def test_a_complaint_pauses_contact_but_can_itself_always_be_recorded() -> None:
    case = accept_contact(a_case(), contact("R1", at(DAY1, 10), Out.COMPLAINT), FakeGate())
    assert case.status is CaseStatus.COMPLAINT and case.contact_paused
    with pytest.raises(Refused, match="contact is paused"):
        accept_contact(case, contact("R2", at(DAY1, 15), Out.BORROWER_REACHED), FakeGate())
    again = accept_contact(case, contact("R3", at(DAY1, 16), Out.COMPLAINT), FakeGate())
    assert again.status is CaseStatus.COMPLAINT


def test_a_contact_for_another_case_is_refused() -> None:
    with pytest.raises(Refused, match="for case C2"):
        accept_contact(
            a_case(), contact("R1", at(DAY1, 9), Out.NO_ANSWER, case_id="C2"), FakeGate()
        )


def test_consecutive_failed_attempts_count_back_to_the_last_reach() -> None:
    records = [
        contact("R1", at(DAY1, 9), Out.NO_ANSWER),
        contact("R2", at(DAY1, 10), Out.BORROWER_REACHED),
        contact("R3", at(DAY1, 11), Out.NO_ANSWER),
        contact("R5", at(DAY1, 14), Out.WRONG_NUMBER, number="13900000002"),
        contact("R4", at(DAY1, 12), Out.NO_ANSWER),
        contact("R6", at(DAY1, 13), Out.THIRD_PARTY_REACHED, party=Party.EMERGENCY_CONTACT),
    ]
    assert consecutive_failed_attempts(records) == 3
    assert consecutive_failed_attempts(records, Party.EMERGENCY_CONTACT) == 0
    assert consecutive_failed_attempts([]) == 0


def test_unanswered_calls_are_counted_per_number_and_local_day() -> None:
    utc = UTC
    # 23:30 Shanghai on day 1 is 15:30 UTC; 00:30 Shanghai on day 2 is 16:30 UTC on day 1.
    late = datetime(2026, 3, 2, 15, 30, tzinfo=utc)
    after_midnight = datetime(2026, 3, 2, 16, 30, tzinfo=utc)
    records = [
        contact("R1", late, Out.NO_ANSWER),
        contact("R2", after_midnight, Out.NO_ANSWER),
        contact("R3", at(DAY1, 9), Out.NO_ANSWER),
        contact("R4", at(DAY1, 10), Out.NO_ANSWER, number="13900000002"),
        contact("R5", at(DAY1, 11), Out.BORROWER_REACHED),
        contact("R6", at(DAY1, 12), Out.NO_ANSWER, channel=Channel.SMS),
    ]
    counts = unanswered_calls_per_day(records)
    assert counts[("13800000001", DAY1)] == 2
    assert counts[("13800000001", DAY1 + timedelta(days=1))] == 1
    assert counts[("13900000002", DAY1)] == 1
    assert unanswered_calls_per_day(records, utc)[("13800000001", DAY1)] == 3


def test_last_reached_is_the_local_date_of_the_latest_reach() -> None:
    records = [
        contact("R1", at(DAY1, 9), Out.BORROWER_REACHED),
        contact("R2", at(date(2026, 3, 4), 9), Out.PROMISE),
        contact("R3", at(date(2026, 3, 6), 9), Out.NO_ANSWER),
    ]
    assert last_reached_on(records) == date(2026, 3, 4)
    assert last_reached_on(records[2:]) is None


def test_an_unanswered_call_is_put_to_the_gate_and_leaves_the_status() -> None:
    gate = FakeGate()
    record = contact("R1", at(DAY1, 10), Out.NO_ANSWER)
    case = accept_contact(a_case(), record, gate)
    assert gate.seen == [record]
    assert case.status is CaseStatus.OPEN and len(case.history) == 1


def test_an_agency_user_records_contacts_only_on_cases_its_agency_holds() -> None:
    held = [Placement("PL1", "AG-A", "C1", DAY1)]
    mine = contact("R1", at(DAY1, 10), Out.PROMISE, actor="a-user")
    assert record_contact(a_case(), mine, FakeGate(), AGENCY_A, held).status is CaseStatus.PROMISED
    theirs = contact("R2", at(DAY1, 10), Out.PROMISE, actor="b-user")
    with pytest.raises(PermissionDenied, match="no access to case C1"):
        record_contact(a_case(), theirs, FakeGate(), AGENCY_B, held)
    before = contact("R3", at(DAY1 - timedelta(days=1), 10), Out.PROMISE, actor="a-user")
    with pytest.raises(PermissionDenied):
        record_contact(a_case(), before, FakeGate(), AGENCY_A, held)


def test_a_record_signed_by_another_user_is_refused() -> None:
    with pytest.raises(CaseworkError, match="signed by c-wang"):
        record_contact(
            a_case(), contact("R1", at(DAY1, 10), Out.PROMISE), FakeGate(), COLLECTOR_2, []
        )
