"""Visits (外访) under CN-VISIT-1: refused unless every condition holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faircollect.domain.casework.errors import PermissionDenied, Refused
from faircollect.domain.casework.visits import (
    PlanVisit,
    VisitOutcome,
    VisitPolicy,
    VisitRecorded,
    VisitType,
    plan_visit,
    record_visit,
)

from .factories import AGENCY_A, COLLECTOR, at

DAY = date(2026, 4, 10)
PLAN = PlanVisit(
    "V1",
    "C1",
    VisitType.CONFIRM,
    DAY,
    "上海市某区某路1号",
    ("c-wang", "c-li"),
    date(2026, 4, 3),
    True,
    True,
)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"notice_letter_sent_on": None}, "CN-VISIT-1 visit V1: no notice letter"),
        ({"notice_letter_sent_on": DAY}, "needs 3 day(s) before"),
        # The pack's visit_notice_days (3) is the one rule: two days' notice is too little.
        ({"notice_letter_sent_on": date(2026, 4, 8)}, "needs 3 day(s) before"),
        ({"workplace": True}, "SOFT-1 visit V1: a visit at the borrower's workplace"),
        ({"staff": ("c-wang",)}, "1 staff, must be 2-2"),
        ({"staff": ("c-wang", "c-li", "c-zhou")}, "3 staff, must be 2-2"),
        ({"staff": ("c-wang", "c-wang")}, "listed twice"),
        ({"staff_identified": False}, "must identify themselves"),
        ({"recorded": False}, "must be recorded"),
        ({"address": " "}, "'address' is empty"),
    ],
)
def test_a_visit_breaking_any_condition_is_refused(
    changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(Refused) as refused:
        plan_visit(replace(PLAN, **changes), COLLECTOR)  # type: ignore[arg-type]
    assert any(problem in reason for reason in refused.value.reasons), refused.value.reasons


def test_all_breaches_are_listed_at_once() -> None:
    bad = replace(PLAN, notice_letter_sent_on=None, staff=("a", "b", "c"), recorded=False)
    with pytest.raises(Refused) as refused:
        plan_visit(bad, COLLECTOR)
    assert len(refused.value.reasons) == 3


def test_a_lawful_visit_is_planned_and_its_outcome_must_match_the_plan() -> None:
    planned = plan_visit(PLAN, COLLECTOR)
    outcome = VisitRecorded(
        "V1",
        "C1",
        at(DAY, 15),
        ("c-li", "c-wang"),
        VisitOutcome.ADDRESS_CONFIRMED,
        "rec-2026-04-10-V1",
    )
    assert record_visit(planned, outcome) == outcome
    with pytest.raises(Refused, match="not the planned staff"):
        record_visit(planned, replace(outcome, staff_present=("c-li", "c-wang", "c-zhou")))
    with pytest.raises(Refused, match="recording_ref"):
        record_visit(planned, replace(outcome, recording_ref=""))


def test_policy_is_a_parameter_and_agencies_do_not_plan_visits_here() -> None:
    three = replace(PLAN, staff=("a", "b", "c"))
    assert plan_visit(three, COLLECTOR, VisitPolicy(max_staff=3)).plan == three
    with pytest.raises(PermissionDenied):
        plan_visit(PLAN, AGENCY_A)
