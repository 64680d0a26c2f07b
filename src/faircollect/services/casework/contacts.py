"""Record a contact (催记): screened, asked of the gate, stored, and the case moved on.

The gate is asked exactly as it would have been asked before the contact: a
``ProposedAction`` built from the record and that borrower's stored contact history. A
contact it would deny is refused with its rule ids and reasons, and nothing is stored.
Findings of the screener in the note are stored for QA (质检); they do not block the
record (the note describes what happened, it is not a message sent to anyone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.cases import Case, CaseStatus
from faircollect.domain.casework.contacts import (
    FAILED,
    ContactRecord,
    Outcome,
    Reason,
    consecutive_failed_attempts,
    record_contact,
)
from faircollect.domain.casework.errors import CaseworkError, GateDenied, Refused
from faircollect.domain.casework.roles import Actor
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
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack_loader import load_default
from faircollect.domain.compliance.screener import screen
from faircollect.services.casework.cases import visible_case
from faircollect.services.casework.ids import new_id


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

    def action(self, record: ContactRecord) -> ProposedAction:
        earlier = [r for r in self.history if r.record_id != record.record_id]
        purpose = self.facts.purpose or (
            Purpose.COLLECT if record.party in DEBTORS else Purpose.LOCATE
        )
        return ProposedAction(
            id=record.record_id,
            channel=record.channel,
            party=record.party,
            at=record.at,
            purpose=purpose,
            phone=record.number or None,
            discloses_debt=self.facts.discloses_debt,
            recorded=self.facts.recorded,
            borrower=BorrowerContext(
                consecutive_failed_attempts=consecutive_failed_attempts(earlier),
                complaint_open=self.complaint_open,
            ),
            history=tuple(
                PastContact(r.at, r.channel, r.party, r.number or None, r.outcome not in FAILED)
                for r in earlier
            ),
        )

    def check(self, record: ContactRecord) -> list[str]:
        self.last = self.gate.decide(self.action(record))
        return [f"{v.rule}: {v.reason}" for v in self.last.violations]


def default_gate() -> Gate:
    """The gate under the shipped CN rule pack with the real screener."""
    return Gate(load_default(), screen)


def gate_for(
    uow: UnitOfWork, case: Case, facts: ContactFacts, gate: Gate | None
) -> StoredHistoryGate:
    """The gate as it stands for ``case``'s borrower: stored history, open complaint."""
    return StoredHistoryGate(
        gate or default_gate(),
        uow.contacts.history(case.borrower_id),
        complaint_open=case.status is CaseStatus.COMPLAINT,
        facts=facts,
    )


def accept_and_store(
    uow: UnitOfWork,
    case: Case,
    record: ContactRecord,
    actor: Actor,
    facts: ContactFacts,
    loan_id: str | None = None,
    gate: Gate | None = None,
) -> Case:
    """The domain's ``record_contact`` with the real gate, then storage; raises Refused
    (gate reasons with rule ids) or PermissionDenied before anything is written."""
    checker = gate_for(uow, case, facts, gate)
    try:
        after = record_contact(case, record, checker, actor, uow.cases.placements(case.case_id))
    except Refused as refused:
        raise _with_gate(refused, checker.last) from refused
    uow.contacts.add(record, case.borrower_id, loan_id)
    if record.note:
        uow.contacts.add_findings(
            f"contact:{record.record_id}", record.actor, record.at, screen(record.note)
        )
    uow.cases.save(case, after)
    return after


@dataclass(frozen=True, slots=True)
class NewContact:
    """A contact as the collector enters it (the record id is made by the service)."""

    case_id: str
    at: datetime
    channel: Channel
    party: Party
    number: str
    outcome: Outcome
    reason: Reason | None = None
    note: str = ""
    loan_id: str | None = None
    facts: ContactFacts = ContactFacts()


def add_contact(uow: UnitOfWork, actor: Actor, new: NewContact) -> ContactRecord:
    """Record one contact attempt for ``actor`` on a case they may see."""
    case = visible_case(uow, actor, new.case_id, new.at.date())
    if new.loan_id is not None and new.loan_id not in case.loan_ids:
        raise CaseworkError(f"loan '{new.loan_id}' is not in case {case.case_id}")
    record = ContactRecord(
        new_id("R"),
        new.case_id,
        new.at,
        new.channel,
        new.party,
        new.number,
        actor.user_id,
        new.outcome,
        new.reason,
        new.note,
    )
    accept_and_store(uow, case, record, actor, new.facts, new.loan_id)
    return record


def _with_gate(refused: Refused, decision: Decision | None) -> Refused:
    """The refusal with the gate's own verdict attached when the gate denied the contact
    (front doors show the rule ids and when the contact becomes lawful)."""
    if decision is None or decision.allowed:
        return refused
    violations = [(v.rule, v.reason) for v in decision.violations]
    return GateDenied(refused.what, refused.reasons, violations, decision.next_allowed_at)
