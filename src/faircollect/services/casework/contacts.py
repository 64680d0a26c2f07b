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

from sqlalchemy import Connection

from faircollect.adapters.db.tables import contact_records, qa_findings
from faircollect.domain.casework.cases import Case, CaseStatus
from faircollect.domain.casework.contacts import (
    FAILED,
    ContactRecord,
    Outcome,
    Reason,
    consecutive_failed_attempts,
    record_contact,
)
from faircollect.domain.casework.roles import Actor
from faircollect.domain.compliance.actions import (
    DEBTORS,
    BorrowerContext,
    Channel,
    Party,
    PastContact,
    ProposedAction,
    Purpose,
)
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack_loader import load_default
from faircollect.domain.compliance.screener import screen
from faircollect.services.casework.case_store import load_case, load_placements, new_id, save_case
from faircollect.services.casework.ledger_reads import contact_history
from faircollect.services.casework.uow import UnitOfWork


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
        decision = self.gate.decide(self.action(record))
        return [f"{v.rule}: {v.reason}" for v in decision.violations]


def default_gate() -> Gate:
    """The gate under the shipped CN rule pack with the real screener."""
    return Gate(load_default(), screen)


def store_contact(conn: Connection, case: Case, record: ContactRecord, loan_id: str | None) -> int:
    """Insert the 催记 and its note's screener findings; returns the number of findings."""
    conn.execute(
        contact_records.insert().values(
            record_id=record.record_id,
            borrower_id=case.borrower_id,
            loan_id=loan_id,
            case_id=case.case_id,
            at=record.at,
            channel=record.channel.value,
            party=record.party.value,
            phone=record.number,
            actor=record.actor,
            outcome=record.outcome.value,
            reason=record.reason.value if record.reason else None,
            note=record.note,
        )
    )
    findings = screen(record.note) if record.note else ()
    if findings:
        conn.execute(
            qa_findings.insert(),
            [
                {
                    "source": f"contact:{record.record_id}",
                    "actor": record.actor,
                    "at": record.at,
                    "rule": f.rule,
                    "label": f.label.value,
                    "evidence": f.evidence,
                }
                for f in findings
            ],
        )
    return len(findings)


def accept_and_store(
    conn: Connection,
    record: ContactRecord,
    actor: Actor,
    facts: ContactFacts,
    loan_id: str | None = None,
    gate: Gate | None = None,
) -> Case:
    """The domain's ``record_contact`` with the real gate, then storage; raises Refused
    (gate reasons with rule ids) or PermissionDenied before anything is written."""
    case = load_case(conn, record.case_id)
    checker = StoredHistoryGate(
        gate or default_gate(),
        contact_history(conn, case.borrower_id),
        complaint_open=case.status is CaseStatus.COMPLAINT,
        facts=facts,
    )
    after = record_contact(case, record, checker, actor, load_placements(conn, case.case_id))
    store_contact(conn, case, record, loan_id)
    save_case(conn, case, after)
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
    """Record one contact attempt for ``actor``; returns the stored record."""
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
    accept_and_store(uow.conn, record, actor, new.facts, new.loan_id)
    return record
