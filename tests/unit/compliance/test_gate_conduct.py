"""Conduct: CN-PROH-1 / SOFT-1 (public notices, screened text), COMP-1 (complaints), CRIM-1
(illegal debts), and the gate's promises: all violations listed, deterministic, screened once."""

from __future__ import annotations

from typing import Any

import pytest

from faircollect.domain.compliance.actions import (
    Channel,
    Party,
    ProposedAction,
    Purpose,
    VisitDetails,
)
from faircollect.domain.compliance.findings import Label
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import default_pack
from tests.unit.compliance.builders import FakeScreen, action, at, finding, unanswered_calls

THREAT = "不还钱就去你家"
FEE = "需缴纳催收服务费200元"
MIXED = "不还钱就去你家，还要曝光你"
LAWFUL = "您本期应还1,234.56元，请于11月30日前还款。"
SCREEN = FakeScreen(
    {
        THREAT: [finding(Label.VIOLENCE_THREAT, "去你家", 4)],
        FEE: [finding(Label.FEE_DEMAND, "催收服务费", 3)],
        MIXED: [
            finding(Label.VIOLENCE_THREAT, "去你家", 4),
            finding(Label.INSULT, "不还钱", 0),
            finding(Label.PUBLIC_SHAMING, "曝光你", 10),
        ],
    }
)
GOOD_VISIT = VisitDetails(staff=2, identified=True, recorded=True, notice_sent=True)


def sms(text: str, **changes: Any) -> ProposedAction:
    return action(channel=Channel.SMS, text=text, **changes)


def rules(proposed: ProposedAction) -> list[str]:
    return [v.rule for v in Gate(default_pack(), SCREEN).decide(proposed).violations]


CONDUCT = [
    ("lawful reminder", sms(LAWFUL), []),
    (
        "public notice",
        action(channel=Channel.PUBLIC_NOTICE, recorded=None),
        ["CN-PROH-1", "SOFT-1"],
    ),
    ("threat", sms(THREAT), ["CN-PROH-1"]),
    ("fee demand", sms(FEE), ["CN-PROH-1"]),
    ("findings grouped per rule", sms(MIXED), ["CN-PROH-1", "SOFT-1"]),
    ("complaint open: collect paused", action(borrower={"complaint_open": True}), ["COMP-1"]),
    (
        "complaint open: notify allowed",
        sms(LAWFUL, purpose=Purpose.NOTIFY, borrower={"complaint_open": True}),
        [],
    ),
    (
        "complaint open: relay to a third party paused",
        action(
            party=Party.EMERGENCY_CONTACT,
            purpose=Purpose.RELAY,
            discloses_debt=False,
            borrower={"complaint_open": True, "number_invalid": True},
        ),
        ["COMP-1"],
    ),
    (
        "complaint open: locate paused",
        action(purpose=Purpose.LOCATE, borrower={"complaint_open": True}),
        ["COMP-1"],
    ),
    ("illegal debt: plain call allowed", action(borrower={"illegal_debt": True}), []),
    ("illegal debt: lawful reminder allowed", sms(LAWFUL, borrower={"illegal_debt": True}), []),
    (
        "illegal debt: lawyer letter allowed",
        action(channel=Channel.LAWYER_LETTER, recorded=None, borrower={"illegal_debt": True}),
        [],
    ),
    (
        "illegal debt: visit denied",
        action(channel=Channel.VISIT, visit=GOOD_VISIT, borrower={"illegal_debt": True}),
        ["CRIM-1"],
    ),
    (
        "illegal debt: threat is a crime too",
        sms(THREAT, borrower={"illegal_debt": True}),
        ["CN-PROH-1", "CRIM-1"],
    ),
    (
        "illegal debt: fee demand is not coercive",
        sms(FEE, borrower={"illegal_debt": True}),
        ["CN-PROH-1"],
    ),
    (
        "illegal debt: public notice",
        action(channel=Channel.PUBLIC_NOTICE, recorded=None, borrower={"illegal_debt": True}),
        ["CN-PROH-1", "SOFT-1", "CRIM-1"],
    ),
]


@pytest.mark.parametrize(("case", "proposed", "expected"), CONDUCT, ids=[c for c, *_ in CONDUCT])
def test_conduct(case: str, proposed: ProposedAction, expected: list[str]) -> None:
    assert rules(proposed) == expected


def test_flagged_text_reason_quotes_label_and_evidence() -> None:
    (violation,) = Gate(default_pack(), SCREEN).decide(sms(THREAT)).violations
    assert violation.reason == "the text is flagged: violence_threat 「去你家」 at 4-7"


def test_grouped_reason_lists_every_finding_of_the_rule() -> None:
    violations = Gate(default_pack(), SCREEN).decide(sms(MIXED)).violations
    assert "violence_threat 「去你家」" in violations[0].reason
    assert "insult 「不还钱」" in violations[0].reason
    assert "public_shaming 「曝光你」" in violations[1].reason


def test_every_violation_is_listed_in_check_order() -> None:
    proposed = action(
        channel=Channel.VISIT,
        party=Party.CONTACT_LIST,
        at=at("2026-11-28 23:00"),
        recorded=False,
        text=THREAT,
        borrower={"complaint_open": True, "illegal_debt": True},
    )
    assert rules(proposed) == [
        "CN-TIME-1",
        "PI-1",
        "CN-VISIT-1",
        "CN-VISIT-1",
        "CC-68",
        "CN-PROH-1",
        "COMP-1",
        "CRIM-1",
        "CRIM-1",
    ]


def test_decisions_are_deterministic() -> None:
    proposed = action(at=at("2026-11-28 22:30"), history=unanswered_calls(6), text=MIXED)
    first = Gate(default_pack(), SCREEN).decide(proposed)
    assert all(Gate(default_pack(), SCREEN).decide(proposed) == first for _ in range(3))


def test_each_distinct_text_is_screened_once_and_no_text_never() -> None:
    screen = FakeScreen()
    gate = Gate(default_pack(), screen)
    for _ in range(5):
        gate.decide(sms(LAWFUL))
        gate.decide(action())
    assert screen.calls == 1


def test_screening_cache_can_be_turned_off() -> None:
    screen = FakeScreen()
    gate = Gate(default_pack(), screen, cache_screening=False)
    for _ in range(3):
        gate.decide(sms(LAWFUL))
    assert screen.calls == 3


def test_allowed_decision_has_no_next_time() -> None:
    decision = Gate(default_pack()).decide(action())
    assert (decision.id, decision.allowed, decision.violations, decision.next_allowed_at) == (
        "a1",
        True,
        (),
        None,
    )
