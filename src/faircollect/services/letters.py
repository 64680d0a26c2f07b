"""A letter for one loan (issue 14): the facts from the stored loan (lawful amounts as of
the date, the borrower's name), the lender's configuration, the shipped template, and
the screener, which must find nothing before a letter is laid out as a PDF. A letter
issued from the case page or the CLI (``issue``) is stored with its SHA-256, audited, and
queued in the outbox: sent only when a dispatch channel says so.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date, datetime

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.adapters.templates import TemplateRenderer
from faircollect.domain.casework.errors import GateDenied, NotFound, PermissionDenied, Refused
from faircollect.domain.casework.roles import Actor, Permission, Role, require
from faircollect.domain.compliance.action_json import decision_to_json
from faircollect.domain.compliance.actions import Decision, Party
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import default_pack
from faircollect.domain.compliance.screener import screen
from faircollect.domain.lender import LenderProfile
from faircollect.domain.letters import (
    TEMPLATES,
    TITLES,
    IssuedLetter,
    Letter,
    LetterFacts,
    LetterKind,
    channel_of,
    complaint_channels,
    context,
    offered_kinds,
    reference,
    refusals,
)
from faircollect.domain.messages import Message
from faircollect.domain.outreach import MessageStatus
from faircollect.services import audit
from faircollect.services.casework.cases import visible_case_ids
from faircollect.services.casework.contacts import ContactFacts, borrower_gate
from faircollect.services.compliance import violation_message
from faircollect.services.loans import owed_now


def letter_facts(
    uow: UnitOfWork,
    loan_id: str,
    kind: LetterKind,
    as_of: date,
    lender: LenderProfile | None = None,
) -> LetterFacts:
    """The loan's lawful state and borrower as of ``as_of``; NotFound for an unknown loan."""
    borrower_id = uow.loans.borrower_of(loan_id)
    borrower = uow.loans.borrower(borrower_id) if borrower_id else None
    if borrower is None:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    owed = owed_now(uow, loan_id, as_of)
    return LetterFacts(
        kind,
        loan_id,
        borrower.name,
        as_of,
        owed.lawful,
        owed.illegal,
        lender or lender_profile(),
        default_pack().parameters.visit_notice_days,
        owed.contract if owed.excess else None,
    )


def prepare(facts: LetterFacts, renderer: TemplateRenderer | None = None) -> Letter:
    """The letter's text, or ``Refused`` with every reason: the letter may not be written
    (``domain.letters.refusals``) or the screener found unlawful language in it."""
    reasons = refusals(facts)
    if reasons:
        raise Refused(
            Message("letter.refused", title=TITLES[facts.kind], loan_id=facts.loan_id),
            list(reasons),
        )
    body = (renderer or TemplateRenderer()).render(TEMPLATES[facts.kind], context(facts))
    title = TITLES[facts.kind]
    lines = body.splitlines()
    if lines and lines[0].strip() == title:  # the lawyer letter's template names itself
        body = "\n".join(lines[1:]).strip()
    body = f"{body}\n\n{complaint_channels(facts.lender)}"
    findings = screen(body)
    if findings:
        raise Refused(
            Message("letter.refused", title=title, loan_id=facts.loan_id),
            [
                Message("letter.screened", rule=f.rule, label=f.label, evidence=f.evidence)
                for f in findings
            ],
        )
    return Letter(
        facts.kind,
        title,
        reference(facts.kind, facts.loan_id, facts.as_of),
        body,
        facts.lender,
        facts.loan_id,
        facts.as_of,
    )


def offered_letters() -> tuple[LetterKind, ...]:
    """The kinds of letter the configured lender can issue (``domain.letters.offered_kinds``:
    no lawyer letter without a law firm), for a page to offer."""
    return offered_kinds(lender_profile())


def letter_for(
    uow: UnitOfWork, actor: Actor, loan_id: str, kind: LetterKind, as_of: date
) -> Letter:
    """``letter`` for a user of the workbench: NotFound unless the loan is in a case they
    may see (or they read every case), like the loan's page; agency users are refused (a
    letter goes out in the lender's name, on its letterhead)."""
    _in_scope(uow, actor, loan_id, as_of, "issue")
    return letter(uow, loan_id, kind, as_of)


def letter(
    uow: UnitOfWork,
    loan_id: str,
    kind: LetterKind,
    as_of: date,
    lender: LenderProfile | None = None,
) -> Letter:
    """The screened letter of ``kind`` for ``loan_id`` as of ``as_of``."""
    return prepare(letter_facts(uow, loan_id, kind, as_of, lender))


def issue(
    uow: UnitOfWork,
    actor: Actor,
    loan_id: str,
    kind: LetterKind,
    as_of: date,
    layout: Callable[[Letter], bytes],
    now: datetime,
    gate: Gate | None = None,
) -> tuple[IssuedLetter, bytes]:
    """Issue a letter from the case page or ``letter render``: the screened letter
    (``letter_for``: who may, and every refusal), laid out by ``layout`` (the PDF
    adapter), stored with its SHA-256, audited, and queued in the outbox under its id.
    It is not sent: a dispatch channel (``outbox send --letters-pdf``) takes the stored
    PDF and only its answer makes the outbox row ``sent``. Returns the stored letter and
    its PDF bytes.

    A letter is a contact: only a role that may record contacts issues one (quality
    inspection and compliance read cases and change nothing), and the gate is asked first,
    as for any contact of the borrower; its decision is audited and kept with the letter,
    which is how the compliance report knows the queued letter was allowed. A denial is
    ``GateDenied`` with its rules, and nothing is stored."""
    require(actor, Permission.RECORD_CONTACT)
    found = letter_for(uow, actor, loan_id, kind, as_of)
    borrower_id = uow.loans.borrower_of(loan_id)
    if borrower_id is None:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
    letter_id = f"LTR-{uuid.uuid4().hex[:20]}"
    decision = _gate(uow, actor, loan_id, borrower_id, letter_id, kind, now, gate)
    pdf = layout(found)
    digest = hashlib.sha256(pdf).hexdigest()
    issued = IssuedLetter(
        letter_id,
        loan_id,
        kind,
        found.reference,
        as_of,
        now,
        actor.user_id,
        digest,
        len(pdf),
    )
    uow.letters.add(
        issued, pdf, borrower_id, f"{found.title}\n{found.body}", decision_to_json(decision)
    )
    audit.record(
        uow,
        actor,
        "letter.issued",
        f"loan:{loan_id}",
        None,
        {
            "letter_id": issued.letter_id,
            "kind": kind.value,
            "reference": issued.reference,
            "as_of": as_of,
            "sha256": digest,
            "bytes": len(pdf),
            "status": MessageStatus.QUEUED,
        },
    )
    return issued, pdf


def _gate(
    uow: UnitOfWork,
    actor: Actor,
    loan_id: str,
    borrower_id: str,
    letter_id: str,
    kind: LetterKind,
    now: datetime,
    gate: Gate | None,
) -> Decision:
    """The gate's decision on sending the letter to the borrower now, audited; raises
    ``GateDenied`` when it denies."""
    checker = borrower_gate(uow, borrower_id, ContactFacts(), gate)
    channel = channel_of(kind)
    decision = checker.gate.decide(checker.proposed(letter_id, channel, Party.BORROWER, now, None))
    proposed = {"letter_id": letter_id, "at": now, "channel": channel, "party": Party.BORROWER}
    audit.gate_decided(uow, actor, f"loan:{loan_id}", decision, checker.gate.pack.version, proposed)
    if not decision.allowed:
        violations = [(v.rule, v.reason) for v in decision.violations]
        reasons: list[str] = [
            violation_message(rule, reason, checker.gate.pack) for rule, reason in violations
        ]
        raise GateDenied(
            Message("letter.denied", loan_id=loan_id), reasons, violations, decision.next_allowed_at
        )
    return decision


def issued_letters(
    uow: UnitOfWork, actor: Actor, loan_id: str, as_of: date
) -> list[tuple[IssuedLetter, MessageStatus]]:
    """The loan's issued letters with their outbox status, for who may see the loan."""
    _in_scope(uow, actor, loan_id, as_of, "read")
    return uow.letters.of_loan(loan_id)


def issued_pdf(
    uow: UnitOfWork, actor: Actor, letter_id: str, as_of: date
) -> tuple[IssuedLetter, bytes]:
    """An issued letter as stored and its PDF, for who may see its loan (NotFound
    otherwise, as for a letter that does not exist)."""
    found = uow.letters.issued(letter_id)
    if found is None:
        raise NotFound(Message("letter.not_found", letter_id=letter_id))
    try:
        _in_scope(uow, actor, found[0].loan_id, as_of, "read")
    except NotFound:
        raise NotFound(Message("letter.not_found", letter_id=letter_id)) from None
    return found


def _in_scope(uow: UnitOfWork, actor: Actor, loan_id: str, as_of: date, doing: str) -> None:
    """PermissionDenied for an agency user (a letter goes out in the lender's name, on its
    letterhead: they may not ``doing`` one); NotFound unless the loan is in a case the
    actor may see (or they read every case), like the loan's page."""
    if actor.role is Role.AGENCY:
        raise PermissionDenied(
            Message("letter.agency", user_id=actor.user_id, doing=Message(f"letter.{doing}"))
        )
    visible = visible_case_ids(uow, actor, as_of)
    if visible is not None and not uow.cases.cases_of_loan(loan_id) & visible:
        raise NotFound(Message("loan.not_found", loan_id=loan_id))
