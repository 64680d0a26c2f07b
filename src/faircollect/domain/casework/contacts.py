"""Contact records (催记): what happened on each attempt, and the facts drawn from them.

Every attempt is recorded, answered or not, because the gate's frequency and third-party
rules (CN-FREQ-1, CN-3P-1) are computed from the record list. A record is checked for
internal consistency here; whether the contact was lawful at all is the gate's question,
asked through the ``GateCheck`` seam so this module never imports the gate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from faircollect.domain.casework.agencies import Placement, require_case_access
from faircollect.domain.casework.cases import TRANSITIONS, Case, CaseStatus, ChangeStatus
from faircollect.domain.casework.errors import CaseworkError, Refused
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.compliance.actions import DEBTORS, Channel, Party
from faircollect.domain.messages import Message

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Outcome(StrEnum):
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    """Whoever answered says the borrower is not at this number."""
    THIRD_PARTY_ANSWERED = "third_party_answered"
    """A call to the borrower's (or guarantor's) number answered by someone else (the
    seed's step 2, confirming identity, often ends here)."""
    BORROWER_REACHED = "borrower_reached"
    THIRD_PARTY_REACHED = "third_party_reached"
    """A third party (an emergency contact) was called on purpose and answered."""
    PROMISE = "promise"
    REFUSAL = "refusal"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    COMPLAINT = "complaint"


class Reason(StrEnum):
    """Why the borrower is overdue (逾期原因), as the collector learned it."""

    FORGOT = "forgot"
    INCOME_DROP = "income_drop"
    UNEMPLOYMENT = "unemployment"
    ILLNESS = "illness"
    BUSINESS_LOSS = "business_loss"
    DISPUTES_DEBT = "disputes_debt"
    FRAUD_VICTIM = "fraud_victim"
    MANY_DEBTS = "many_debts"
    UNWILLING = "unwilling"


FAILED = frozenset({Outcome.NO_ANSWER, Outcome.WRONG_NUMBER, Outcome.THIRD_PARTY_ANSWERED})
"""Attempts that did not reach the person called (they count towards unreachability)."""

ON_DEBTOR_NUMBER = frozenset({Outcome.THIRD_PARTY_ANSWERED})
"""Outcomes of a call to a debtor's number that someone else answered."""

DEBTOR_OUTCOMES = frozenset(
    {Outcome.BORROWER_REACHED, Outcome.PROMISE, Outcome.REFUSAL, Outcome.DISPUTE, Outcome.HARDSHIP}
)
"""Outcomes that only a debtor (borrower or guarantor) can produce."""

STATUS_FOR_OUTCOME: dict[Outcome, CaseStatus] = {
    Outcome.BORROWER_REACHED: CaseStatus.CONTACTED,
    Outcome.REFUSAL: CaseStatus.CONTACTED,
    Outcome.PROMISE: CaseStatus.PROMISED,
    Outcome.DISPUTE: CaseStatus.DISPUTE,
    Outcome.HARDSHIP: CaseStatus.HARDSHIP,
    Outcome.COMPLAINT: CaseStatus.COMPLAINT,
}
"""Where an outcome moves the case; outcomes not listed (no answer...) leave it alone."""


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One contact attempt (催记). ``at`` is timezone-aware; ``number`` is the contact point
    (phone number, e-mail address or street address) the attempt went to."""

    record_id: str
    case_id: str
    at: datetime
    channel: Channel
    party: Party
    number: str
    actor: str
    outcome: Outcome
    reason: Reason | None = None
    note: str = ""


def record_problems(record: ContactRecord) -> list[str]:
    """Every inconsistency in a record (empty when it is sound), beancount style."""
    problems: list[str] = []
    where = record.record_id
    if record.at.tzinfo is None or record.at.utcoffset() is None:
        problems.append(Message("contact.at_naive", record_id=where))
    if not record.number.strip():
        problems.append(Message("contact.no_number", record_id=where))
    if not record.actor.strip():
        problems.append(Message("contact.no_actor", record_id=where))
    if record.outcome in DEBTOR_OUTCOMES and record.party not in DEBTORS:
        problems.append(
            Message(
                "contact.outcome_needs_debtor",
                record_id=where,
                outcome=record.outcome,
                party=record.party,
            )
        )
    if record.outcome is Outcome.THIRD_PARTY_REACHED and record.party in DEBTORS:
        problems.append(
            Message("contact.third_party_is_debtor", record_id=where, party=record.party)
        )
    if record.outcome in ON_DEBTOR_NUMBER and record.party not in DEBTORS:
        problems.append(
            Message(
                "contact.outcome_needs_debtor_number",
                record_id=where,
                outcome=record.outcome,
                party=record.party,
            )
        )
    if record.reason is not None and record.outcome not in DEBTOR_OUTCOMES:
        problems.append(
            Message("contact.reason_needs_debtor", record_id=where, outcome=record.outcome)
        )
    return problems


class GateCheck(Protocol):
    """The seam to the compliance gate: reasons the gate would deny this contact (empty if
    allowed). The service passes an adapter around ``Gate.decide``."""

    def check(self, record: ContactRecord) -> list[str]: ...


def status_after(status: CaseStatus, outcome: Outcome) -> CaseStatus | None:
    """The status an outcome moves a case to, or None when the case stays where it is.

    An outcome whose target the lifecycle does not allow from here leaves the status (a
    borrower reached again while a promise is pending stays ``promised``).
    """
    target = STATUS_FOR_OUTCOME.get(outcome)
    if target is None or target == status or target not in TRANSITIONS[status]:
        return None
    return target


def accept_contact(case: Case, record: ContactRecord, gate: GateCheck) -> Case:
    """The case after recording ``record``; raises Refused listing every reason not to.

    Refused when the record is inconsistent, belongs to another case, the case's status
    pauses contact (a complaint: COMP-1) or the gate would have denied the contact. A
    complaint received from the borrower is always recordable: it is what pauses contact.
    """
    reasons = record_problems(record)
    if record.case_id != case.case_id:
        reasons.append(
            Message("contact.other_case", record_id=record.record_id, case_id=record.case_id)
        )
    if case.contact_paused and record.outcome is not Outcome.COMPLAINT:
        reasons.append(Message("contact.paused", case_id=case.case_id, status=case.status))
    reasons.extend(gate.check(record))
    if reasons:
        raise Refused(Message("contact.refused", record_id=record.record_id), reasons)
    target = status_after(case.status, record.outcome)
    if target is None:
        return case
    reason = f"contact {record.record_id}: {record.outcome}"
    return case.moved(ChangeStatus(case.case_id, target, record.at.date(), record.actor, reason))


def record_contact(
    case: Case,
    record: ContactRecord,
    gate: GateCheck,
    actor: Actor,
    placements: Iterable[Placement],
) -> Case:
    """``accept_contact`` for a user: the role may record contacts, an agency user only on
    a case its agency holds that day, and the record is signed by that user."""
    require(actor, Permission.RECORD_CONTACT)
    require_case_access(actor, case.case_id, placements, record.at.date())
    if record.actor != actor.user_id:
        raise CaseworkError(
            Message(
                "contact.signed_by_other",
                record_id=record.record_id,
                signer=record.actor,
                user_id=actor.user_id,
            )
        )
    return accept_contact(case, record, gate)


# Facts the gate and the planner need ---------------------------------------------------


def _chronological(records: Iterable[ContactRecord]) -> list[ContactRecord]:
    return sorted(records, key=lambda r: (r.at, r.record_id))


def consecutive_failed_attempts(
    records: Iterable[ContactRecord], party: Party = Party.BORROWER
) -> int:
    """Failed attempts to ``party`` since the last one that reached somebody (CN-3P-1 lets
    third parties be contacted after 3 of these)."""
    count = 0
    for record in reversed(_chronological(r for r in records if r.party is party)):
        if record.outcome not in FAILED:
            break
        count += 1
    return count


def unanswered_calls_per_day(
    records: Iterable[ContactRecord], zone: tzinfo = SHANGHAI
) -> Counter[tuple[str, date]]:
    """Unanswered call attempts per (number, local day) in the debtor's zone (CN-FREQ-1)."""
    return Counter(
        (r.number, r.at.astimezone(zone).date())
        for r in records
        if r.channel is Channel.CALL and r.outcome is Outcome.NO_ANSWER
    )


def last_reached_on(
    records: Iterable[ContactRecord], zone: tzinfo = SHANGHAI, party: Party = Party.BORROWER
) -> date | None:
    """Local date the ``party`` was last actually reached, None if never."""
    reached = [r.at for r in records if r.party is party and r.outcome not in FAILED]
    return max(reached).astimezone(zone).date() if reached else None


WRONG_NUMBER_CONFIRMATIONS = 2
"""A number counts as invalid once this many calls to it ended as a wrong number."""


def number_invalid(records: Iterable[ContactRecord], number: str) -> bool:
    """True once the number has been confirmed wrong (CN-3P-1 then lets the collector try
    the emergency contacts): ``WRONG_NUMBER_CONFIRMATIONS`` wrong-number outcomes on it."""
    wrong = sum(1 for r in records if r.number == number and r.outcome is Outcome.WRONG_NUMBER)
    return wrong >= WRONG_NUMBER_CONFIRMATIONS


def reason_history(records: Sequence[ContactRecord]) -> list[Reason]:
    """Delinquency reasons learned so far, oldest first."""
    return [r.reason for r in _chronological(records) if r.reason is not None]
