"""Record a contact (催记): screened, asked of the gate, stored, and the case moved on.

The gate is asked exactly as it would have been asked before the contact: a
``ProposedAction`` built from the record and that borrower's stored contact history. A
contact it would deny is refused with its rule ids and reasons, and nothing is stored.
Findings of the screener in the note are stored for QA (质检); they do not block the
record (the note describes what happened, it is not a message sent to anyone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import Case, CaseStatus
from faircollect.domain.casework.contacts import (
    FAILED,
    ON_DEBTOR_NUMBER,
    SHANGHAI,
    ContactRecord,
    Outcome,
    Reason,
    consecutive_failed_attempts,
    number_invalid,
    record_contact,
)
from faircollect.domain.casework.errors import CaseworkError, GateDenied, Refused
from faircollect.domain.casework.parties import RULE as PARTY_RULE
from faircollect.domain.casework.parties import check_claimed, party_of
from faircollect.domain.casework.roles import Actor, Role
from faircollect.domain.compliance.actions import (
    DEBTORS,
    BorrowerContext,
    Channel,
    Decision,
    Party,
    PastContact,
    ProposedAction,
    Purpose,
)
from faircollect.domain.compliance.checks import debt_words_in
from faircollect.domain.compliance.findings import Finding, Label
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack_loader import load_default
from faircollect.domain.compliance.screener import screen
from faircollect.domain.messages import Message
from faircollect.domain.portal import Preferences
from faircollect.services import audit
from faircollect.services.casework.cases import visible_case
from faircollect.services.casework.ids import new_id
from faircollect.services.compliance import violation_message


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the record itself does not say but the gate must know. Defaults are what a
    recorded call-centre line gives; a third-party contact must state its purpose and
    whether the debt was disclosed (the gate assumes the worst otherwise)."""

    recorded: bool | None = True
    purpose: Purpose | None = None
    discloses_debt: bool | None = None


@dataclass
class StoredHistoryGate:
    """``GateCheck`` over the real gate, with the borrower's stored history as context."""

    gate: Gate
    history: list[ContactRecord]
    complaint_open: bool
    facts: ContactFacts = field(default_factory=ContactFacts)
    last: Decision | None = None
    """The gate's last decision (its ``next_allowed_at`` tells when waiting cures it)."""
    borrower_phone: str = ""
    """The borrower's own number: confirmed wrong, it makes the borrower unreachable."""
    preferences: Preferences = field(default_factory=Preferences)
    """How the borrower asked to be contacted in the portal (DNC-1)."""

    def action(self, record: ContactRecord) -> ProposedAction:
        return self.proposed(
            record.record_id, record.channel, record.party, record.at, record.number or None
        )

    def proposed(
        self, action_id: str, channel: Channel, party: Party, at: datetime, phone: str | None
    ) -> ProposedAction:
        """The contact ``action_id`` as the gate is asked about it: the borrower's stored
        history before it (a record of the same id left out) and context."""
        earlier = [r for r in self.history if r.record_id != action_id]
        purpose = self.facts.purpose or (Purpose.COLLECT if party in DEBTORS else Purpose.LOCATE)
        return ProposedAction(
            id=action_id,
            channel=channel,
            party=party,
            at=at,
            purpose=purpose,
            phone=phone,
            discloses_debt=self.facts.discloses_debt,
            recorded=self.facts.recorded,
            borrower=BorrowerContext(
                number_invalid=bool(self.borrower_phone)
                and number_invalid(earlier, self.borrower_phone),
                consecutive_failed_attempts=consecutive_failed_attempts(earlier),
                complaint_open=self.complaint_open,
                do_not_contact=self.preferences.channels_off,
                preferred_slots=self.preferences.contact_slots,
            ),
            history=tuple(
                PastContact(r.at, r.channel, r.party, r.number or None, r.outcome not in FAILED)
                for r in earlier
            ),
        )

    def check(self, record: ContactRecord) -> list[str]:
        self.last = self.gate.decide(self.action(record))
        return [violation_message(v.rule, v.reason, self.gate.pack) for v in self.last.violations]


def default_gate() -> Gate:
    """The gate under the shipped CN rule pack with the real screener."""
    return Gate(load_default(), screen)


def gate_for(
    uow: UnitOfWork, case: Case, facts: ContactFacts, gate: Gate | None
) -> StoredHistoryGate:
    """The gate as it stands for ``case``'s borrower: stored history, open complaint."""
    return borrower_gate(
        uow, case.borrower_id, facts, gate, complaint=case.status is CaseStatus.COMPLAINT
    )


def borrower_gate(
    uow: UnitOfWork,
    borrower_id: str,
    facts: ContactFacts,
    gate: Gate | None,
    complaint: bool = False,
) -> StoredHistoryGate:
    """The gate as it stands for a borrower: stored history, an open complaint (or
    ``complaint``: the case at hand is one), contact preferences."""
    borrower = uow.loans.borrower(borrower_id)
    return StoredHistoryGate(
        gate or default_gate(),
        uow.contacts.history(borrower_id),
        complaint_open=complaint or uow.cases.complaint_open(borrower_id),
        facts=facts,
        borrower_phone=borrower.phone if borrower else "",
        preferences=uow.portal.preferences(borrower_id),
    )


def accept_and_store(
    uow: UnitOfWork,
    case: Case,
    record: ContactRecord,
    actor: Actor,
    facts: ContactFacts,
    loan_id: str | None = None,
    gate: Gate | None = None,
    action_id: str | None = None,
) -> Case:
    """The domain's ``record_contact`` with the real gate, then storage; raises Refused
    (gate reasons with rule ids) or PermissionDenied before anything is written."""
    checker = gate_for(uow, case, facts, gate)
    try:
        after = record_contact(case, record, checker, actor, uow.cases.placements(case.case_id))
    except Refused as refused:
        _audit_gate(uow, actor, checker, record)
        raise _with_gate(refused, checker.last) from refused
    _audit_gate(uow, actor, checker, record)
    uow.contacts.add(record, case.borrower_id, loan_id, action_id)
    source = f"contact:{record.record_id}"
    findings = list(screen(record.note)) if record.note else []
    disclosed = disclosure(record, facts)
    if disclosed is not None and not any(f.rule == disclosed.rule for f in findings):
        findings.append(disclosed)  # unless the screener already flagged the disclosure
    uow.contacts.add_findings(source, record.actor, record.at, findings)
    uow.cases.save(case, after)
    audit.record(
        uow,
        actor,
        "contact.recorded",
        case.case_id,
        {"status": case.status},
        {
            **_contact_facts(record),
            "loan_id": loan_id,
            "action_id": action_id,
            "findings": [f.rule for f in findings],
            "status": after.status,
        },
    )
    return after


def _contact_facts(record: ContactRecord) -> dict[str, object]:
    """A contact as the audit trail keeps it: the note's length, never its text."""
    return {
        "record_id": record.record_id,
        "at": record.at,
        "channel": record.channel,
        "party": record.party,
        "number": record.number,
        "outcome": record.outcome,
        "reason": record.reason,
        "note_chars": len(record.note),
    }


def _audit_gate(
    uow: UnitOfWork, actor: Actor, checker: StoredHistoryGate, record: ContactRecord
) -> None:
    """The gate's decision on the contact, if it was asked, with the pack's version."""
    if checker.last is not None:
        proposed = {
            "record_id": record.record_id,
            "at": record.at,
            "channel": record.channel,
            "party": record.party,
            "number": record.number,
        }
        audit.gate_decided(
            uow, actor, record.case_id, checker.last, checker.gate.pack.version, proposed
        )


def disclosure(record: ContactRecord, facts: ContactFacts) -> Finding | None:
    """A call to the borrower's number that someone else answered is recorded (the duty
    to record, CC-68) and is lawful as long as the debt was not disclosed to them; when
    it was (stated, or the note says so), the record carries a CN-3P-1 finding for QA."""
    if record.outcome not in ON_DEBTOR_NUMBER:
        return None
    words = debt_words_in(record.note)
    if not words and not facts.discloses_debt:
        return None
    evidence = words[0] if words else "discloses_debt"
    start = record.note.find(evidence) if words else 0
    end = start + len(evidence) if words else 0
    return Finding(Label.THIRD_PARTY, "CN-3P-1", start, end, evidence)


@dataclass(frozen=True, slots=True)
class NewContact:
    """A contact as the collector enters it (the record id is made by the service)."""

    case_id: str
    at: datetime
    channel: Channel
    party: Party | None
    """What the collector says the party was; the number decides (None: take its party)."""
    number: str
    outcome: Outcome
    reason: Reason | None = None
    note: str = ""
    loan_id: str | None = None
    facts: ContactFacts = ContactFacts()
    action_id: str | None = None
    """The night's planned action this contact carries out, if any."""


def known_party(
    uow: UnitOfWork, case: Case, channel: Channel, number: str, claimed: Party | None
) -> Party:
    """The party ``number`` belongs to for the case's borrower; refused under PI-1 (with
    the gate's shape, so every front door shows the rule) for a number the system does not
    know, or one claimed as somebody it is not."""
    borrower = uow.loans.borrower(case.borrower_id)
    if borrower is None:
        raise CaseworkError(Message("borrower.not_found", borrower_id=case.borrower_id))
    contacts = [c.contact for c in uow.loans.contacts(case.borrower_id)]
    known = party_of(channel, number, borrower, contacts)
    problems = check_claimed(claimed, known)
    if problems:
        raise GateDenied(
            Message("contact.on_case_refused", case_id=case.case_id),
            [violation_message(PARTY_RULE, p) for p in problems],
            [(PARTY_RULE, p) for p in problems],
            None,
        )
    assert known.party is not None
    return known.party


def _check_fulfils(uow: UnitOfWork, actor: Actor, case: Case, new: NewContact) -> None:
    """A contact can carry out only a planned action still to do, on one of the case's
    loans, on the same channel, given to this user (a supervisor may do their team's)."""
    assert new.action_id is not None
    found = uow.actions.open_action(new.action_id)
    mine = found is not None and (found[2] == actor.user_id or actor.role is not Role.COLLECTOR)
    if found is None or found[0] not in case.loan_ids or found[1] != new.channel.value or not mine:
        raise CaseworkError(
            Message(
                "contact.not_planned_action",
                action_id=new.action_id,
                channel=new.channel.value,
                case_id=case.case_id,
                user_id=actor.user_id,
            )
        )


def add_contact(uow: UnitOfWork, actor: Actor, new: NewContact, *, today: date) -> ContactRecord:
    """Record one contact attempt for ``actor`` on a case they may see ``today``, the day
    the request is made; the party is the number's (``known_party``). Access is never
    judged on the ``at`` the caller names: an agency user whose placement has ended may not
    record a contact dated while it held the case. (The agency must also have held it on
    the contact's own day: ``record_contact``.)"""
    case = visible_case(uow, actor, new.case_id, today)
    _dated_within_case(uow, case, new.at, today)
    if new.loan_id is not None and new.loan_id not in case.loan_ids:
        raise CaseworkError(
            Message("case.loan_not_in_case", loan_id=new.loan_id, case_id=case.case_id)
        )
    party = known_party(uow, case, new.channel, new.number, new.party)
    if new.action_id is not None:
        _check_fulfils(uow, actor, case, new)
    record = ContactRecord(
        new_id("R"),
        new.case_id,
        new.at,
        new.channel,
        party,
        new.number,
        actor.user_id,
        new.outcome,
        new.reason,
        new.note,
    )
    accept_and_store(uow, case, record, actor, new.facts, new.loan_id, action_id=new.action_id)
    if new.action_id is not None:
        uow.actions.mark_done(new.action_id)
    return record


def _dated_within_case(uow: UnitOfWork, case: Case, at: datetime, today: date) -> None:
    """A contact is recorded once it has happened (by the end of ``today``, Shanghai) and
    on a case that existed then; comparisons are made on aware times, so no date at the
    ends of the calendar is ever converted (and overflows)."""
    opened = uow.cases.opened_on(case.case_id)
    if not _midnight(opened) <= at < _midnight(today + timedelta(days=1)):
        raise Refused(
            Message("contact.on_case_refused", case_id=case.case_id),
            [Message("contact.at_outside_case", at=at.isoformat(), opened=opened, today=today)],
        )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def _with_gate(refused: Refused, decision: Decision | None) -> Refused:
    """The refusal with the gate's own verdict attached when the gate denied the contact
    (front doors show the rule ids and when the contact becomes lawful)."""
    if decision is None or decision.allowed:
        return refused
    violations = [(v.rule, v.reason) for v in decision.violations]
    return GateDenied(refused.what, refused.reasons, violations, decision.next_allowed_at)
