"""Who may be contacted: CN-3P-1 / CC-68 third parties, PI-1 contact lists, CN-VISIT-1 visits,
CC-68 recording, and DNC-1 do-not-contact channels."""

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
from faircollect.domain.compliance.pack import default_pack, tighten
from tests.unit.compliance.builders import FakeScreen, action, finding


def third_party(**changes: Any) -> ProposedAction:
    """A lawful relay call to an emergency contact of a borrower whose number is invalid."""
    base: dict[str, Any] = {
        "party": Party.EMERGENCY_CONTACT,
        "purpose": Purpose.RELAY,
        "discloses_debt": False,
        "borrower": {"number_invalid": True},
    }
    return action(**{**base, **changes})


def rules(gate: Gate, proposed: ProposedAction) -> list[str]:
    return [v.rule for v in gate.decide(proposed).violations]


ALLOWED_PARTIES = [
    ("borrower, collect", action()),
    ("guarantor, collect", action(party=Party.GUARANTOR)),
    ("emergency contact relay, number invalid", third_party()),
    (
        "spouse locate after 3 failed attempts",
        third_party(
            party=Party.SPOUSE,
            purpose=Purpose.LOCATE,
            borrower={"consecutive_failed_attempts": 3},
        ),
    ),
    (
        "employer relay after 5 failed attempts",
        third_party(party=Party.EMPLOYER, borrower={"consecutive_failed_attempts": 5}),
    ),
    (
        "other contact sms that reveals nothing",
        third_party(
            party=Party.OTHER_CONTACT,
            channel=Channel.SMS,
            text="您好，请转告张先生回电 400-000-0000，谢谢。",
        ),
    ),
]


@pytest.mark.parametrize(("case", "proposed"), ALLOWED_PARTIES, ids=[c for c, _ in ALLOWED_PARTIES])
def test_parties_allow(gate: Gate, case: str, proposed: ProposedAction) -> None:
    assert gate.decide(proposed).violations == ()


DENIED_PARTIES = [
    (
        "collect from an emergency contact",
        third_party(purpose=Purpose.COLLECT),
        ["CN-3P-1", "CC-68"],
    ),
    (
        "collect from an employer",
        third_party(party=Party.EMPLOYER, purpose=Purpose.COLLECT),
        ["CN-3P-1", "CC-68"],
    ),
    ("notify a spouse", third_party(party=Party.SPOUSE, purpose=Purpose.NOTIFY), ["CN-3P-1"]),
    (
        "borrower reachable (2 failures)",
        third_party(borrower={"consecutive_failed_attempts": 2}),
        ["CN-3P-1"],
    ),
    ("flag says it discloses the debt", third_party(discloses_debt=True), ["CN-3P-1"]),
    ("disclosure not stated", third_party(discloses_debt=None), ["CN-3P-1"]),
    (
        "text names the overdue loan",
        third_party(channel=Channel.SMS, text="他的贷款已经逾期了，请转告"),
        ["CN-3P-1"],
    ),
    ("contact list entry", third_party(party=Party.CONTACT_LIST), ["PI-1"]),
    ("contact list, to collect", action(party=Party.CONTACT_LIST), ["PI-1"]),
]


@pytest.mark.parametrize(
    ("case", "proposed", "expected"), DENIED_PARTIES, ids=[c for c, _, _ in DENIED_PARTIES]
)
def test_parties_deny(gate: Gate, case: str, proposed: ProposedAction, expected: list[str]) -> None:
    decision = gate.decide(proposed)
    assert [v.rule for v in decision.violations] == expected
    assert not decision.allowed
    assert decision.next_allowed_at is None


def test_debt_words_are_quoted_in_the_reason(gate: Gate) -> None:
    (violation,) = gate.decide(third_party(text="请他尽快还款")).violations
    assert "「还款」" in violation.reason


def test_screener_third_party_finding_denies_a_relay(gate: Gate) -> None:
    text = "告诉他再不处理就找你们"
    screen = FakeScreen({text: [finding(Label.THIRD_PARTY, "找你们", 8)]})
    decision = Gate(default_pack(), screen).decide(third_party(text=text))
    assert [v.rule for v in decision.violations] == ["CN-3P-1"]
    assert "third_party 「找你们」" in decision.violations[0].reason


def test_a_tighter_pack_needs_more_failed_attempts() -> None:
    pack = tighten(default_pack(), {"parameters": {"unreachable_after_failed_attempts": 5}}, "t")
    proposed = third_party(borrower={"consecutive_failed_attempts": 4})
    assert rules(Gate(pack), proposed) == ["CN-3P-1"]
    assert "needs 5" in Gate(pack).decide(proposed).violations[0].reason


GOOD_VISIT = VisitDetails(staff=2, identified=True, recorded=True, notice_sent=True)


def visit(details: VisitDetails | None = GOOD_VISIT, **changes: Any) -> ProposedAction:
    return action(**{"channel": Channel.VISIT, "visit": details, "recorded": None, **changes})


ALLOWED_VISITS = [
    ("borrower, two staff, all done", visit()),
    ("guarantor", visit(party=Party.GUARANTOR)),
    (
        "recording stated on the action, not in the details",
        visit(VisitDetails(staff=2, identified=True, notice_sent=True), recorded=True),
    ),
]


@pytest.mark.parametrize(("case", "proposed"), ALLOWED_VISITS, ids=[c for c, _ in ALLOWED_VISITS])
def test_visit_allow(gate: Gate, case: str, proposed: ProposedAction) -> None:
    assert gate.decide(proposed).violations == ()


DENIED_VISITS = [
    (
        "one person",
        visit(VisitDetails(1, True, True, True)),
        ["CN-VISIT-1"],
        "visit staff 1; must be 2",
    ),
    (
        "three people",
        visit(VisitDetails(3, True, True, True)),
        ["CN-VISIT-1"],
        "visit staff 3; must be 2",
    ),
    ("staff not stated", visit(VisitDetails(None, True, True, True)), ["CN-VISIT-1"], "not stated"),
    ("not identified", visit(VisitDetails(2, False, True, True)), ["CN-VISIT-1"], "identify"),
    (
        "not recorded",
        visit(VisitDetails(2, True, False, True)),
        ["CN-VISIT-1", "CC-68"],
        "recorded",
    ),
    (
        "no notice letter",
        visit(VisitDetails(2, True, True, False)),
        ["CN-VISIT-1"],
        "notice letter",
    ),
    ("no details at all", visit(None), ["CN-VISIT-1", "CC-68"], "missing"),
    (
        "visiting a spouse",
        visit(
            party=Party.SPOUSE,
            purpose=Purpose.LOCATE,
            discloses_debt=False,
            borrower={"number_invalid": True},
        ),
        ["CN-VISIT-1"],
        "not spouse",
    ),
]


@pytest.mark.parametrize(
    ("case", "proposed", "expected", "reason"), DENIED_VISITS, ids=[c for c, *_ in DENIED_VISITS]
)
def test_visit_deny(
    gate: Gate, case: str, proposed: ProposedAction, expected: list[str], reason: str
) -> None:
    decision = gate.decide(proposed)
    assert [v.rule for v in decision.violations] == expected
    assert reason in decision.violations[0].reason


RECORDING = [
    ("recorded call", action(recorded=True), []),
    ("unrecorded call", action(recorded=False), ["CC-68"]),
    ("call, recording not stated", action(recorded=None), ["CC-68"]),
    ("sms needs no recording", action(channel=Channel.SMS, recorded=None), []),
    ("letter needs no recording", action(channel=Channel.LETTER, recorded=None), []),
]


@pytest.mark.parametrize(
    ("case", "proposed", "expected"), RECORDING, ids=[c for c, *_ in RECORDING]
)
def test_recording(gate: Gate, case: str, proposed: ProposedAction, expected: list[str]) -> None:
    assert rules(gate, proposed) == expected


DO_NOT_CONTACT = [
    (
        "sms refused",
        action(channel=Channel.SMS, borrower={"do_not_contact": frozenset({Channel.SMS})}),
        ["DNC-1"],
    ),
    ("call while sms refused", action(borrower={"do_not_contact": frozenset({Channel.SMS})}), []),
    (
        "calls refused",
        action(borrower={"do_not_contact": frozenset({Channel.CALL, Channel.SMS})}),
        ["DNC-1"],
    ),
    (
        "binds the borrower only, not a relay to an emergency contact",
        third_party(
            channel=Channel.SMS,
            borrower={"number_invalid": True, "do_not_contact": frozenset({Channel.SMS})},
        ),
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "proposed", "expected"), DO_NOT_CONTACT, ids=[c for c, *_ in DO_NOT_CONTACT]
)
def test_do_not_contact(
    gate: Gate, case: str, proposed: ProposedAction, expected: list[str]
) -> None:
    assert rules(gate, proposed) == expected
