"""Stories, day by day: a first call ends in a promise that is kept, or broken."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faircollect.data.scripts import first_call_text
from faircollect.domain.casework.call_script import load_script
from faircollect.domain.casework.call_session import Answer, CallSession, run_answers
from faircollect.domain.casework.cases import Case, CaseStatus, ChangeStatus
from faircollect.domain.casework.contacts import accept_contact
from faircollect.domain.casework.errors import Refused
from faircollect.domain.casework.promise import PromiseToPay, promise_kept
from faircollect.domain.casework.visits import PlanVisit, VisitType, plan_visit

from .factories import COLLECTOR, DAY1, FakeGate, a_case, at, fake_screen, snapshot

ANSWERS: dict[str, Answer] = {
    "confirm_identity": "borrower",
    "state_identity": "ok",
    "ask_payment_today": "cannot_today",
    "learn_reason": "forgot",
    "explain_consequences": "all",
    "obtain_promise": {"amount": "1016.52", "due": "2026-03-06"},
    "update_file": "客户忘记还款日，承诺3月6日前还清。",
}


def first_call(case: Case) -> tuple[Case, PromiseToPay]:
    script = load_script(first_call_text(), fake_screen)
    call = CallSession(script, snapshot(), "R1", at(DAY1, 10), "13800000001", "c-wang", "王明")
    result = run_answers(call, ANSWERS)
    assert result.promise is not None
    return accept_contact(case, result.record, FakeGate()), result.promise


def settle(case: Case, promise: PromiseToPay, paid: list[tuple[date, int]], day: date) -> Case:
    """What the nightly run does to the case once a promise is decided."""
    kept = promise_kept(promise, paid, day)
    if kept is None:
        return case
    to = CaseStatus.PROMISE_KEPT if kept else CaseStatus.PROMISE_BROKEN
    return case.moved(ChangeStatus(case.case_id, to, day, "nightly", f"promise due {promise.due}"))


def test_day1_first_call_promise_day5_payment_promise_kept() -> None:
    # Day 1 (2 March): the first call ends with a promise of 1016.52 by 6 March.
    case, promise = first_call(a_case())
    assert case.status is CaseStatus.PROMISED
    # Day 3: nothing paid yet, the promise is still open.
    assert settle(case, promise, [], date(2026, 3, 4)).status is CaseStatus.PROMISED
    # Day 5 (6 March): two payments cover it exactly.
    paid = [(date(2026, 3, 5), 50_000), (date(2026, 3, 6), 51_652)]
    case = settle(case, promise, paid, date(2026, 3, 6))
    assert case.status is CaseStatus.PROMISE_KEPT
    assert [e.to_status for e in case.history[1:]] == [  # type: ignore[union-attr]
        CaseStatus.PROMISED,
        CaseStatus.PROMISE_KEPT,
    ]


@pytest.mark.parametrize(
    "paid",
    [
        [],
        [(date(2026, 3, 6), 101_651)],  # one fen short
        [(date(2026, 3, 7), 101_652)],  # a day late
        [(date(2026, 3, 1), 101_652)],  # before the promise was made
    ],
)
def test_a_promise_not_covered_by_its_due_date_is_broken_when_the_night_of_that_date_runs(
    paid: list[tuple[date, int]],
) -> None:
    case, promise = first_call(a_case())
    assert settle(case, promise, paid, date(2026, 3, 5)).status is CaseStatus.PROMISED
    broken = settle(case, promise, paid, date(2026, 3, 6))
    assert broken.status is CaseStatus.PROMISE_BROKEN


def test_broken_promise_escalates_to_a_breach_visit_only_after_a_notice_letter() -> None:
    case, promise = first_call(a_case())
    case = settle(case, promise, [], date(2026, 3, 7))
    assert case.status is CaseStatus.PROMISE_BROKEN
    visit = PlanVisit(
        "V1",
        "C1",
        VisitType.BREACH,
        date(2026, 3, 12),
        "上海市某区某路1号",
        ("c-wang", "c-li"),
        None,
        True,
        True,
    )
    with pytest.raises(Refused, match="no notice letter"):
        plan_visit(visit, COLLECTOR)
    planned = plan_visit(replace(visit, notice_letter_sent_on=date(2026, 3, 8)), COLLECTOR)
    assert planned.plan.visit_type is VisitType.BREACH
