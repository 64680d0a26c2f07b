"""A case (案件): one borrower's delinquent loans, its owner and its status lifecycle.

The lifecycle is an explicit state machine whose allowed transitions are data
(``TRANSITIONS``), so a compliance officer can read it and a test can walk it. A ``Case``
is immutable: every change returns a new case with the event appended to its history,
which is what the service layer persists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from faircollect.domain.casework.errors import CaseworkError, IllegalTransition
from faircollect.domain.casework.roles import Actor, Permission, require
from faircollect.domain.messages import Message


class CaseStatus(StrEnum):
    """Where a case stands."""

    OPEN = "open"
    CONTACTED = "contacted"
    PROMISED = "promised"
    PROMISE_KEPT = "promise_kept"
    PROMISE_BROKEN = "promise_broken"
    HARDSHIP = "hardship"
    DISPUTE = "dispute"
    COMPLAINT = "complaint"
    LEGAL = "legal"
    WITH_AGENCY = "with_agency"
    CLOSED_PAID = "closed_paid"
    CLOSED_SETTLED = "closed_settled"
    CLOSED_WRITTEN_OFF = "closed_written_off"


S = CaseStatus
CLOSED = frozenset({S.CLOSED_PAID, S.CLOSED_SETTLED, S.CLOSED_WRITTEN_OFF})
_ALWAYS = CLOSED | {S.COMPLAINT, S.DISPUTE}
"""Reachable from every open status: a case can be paid off, and a borrower can always
complain (COMP-1) or dispute the debt."""

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.OPEN: _ALWAYS | {S.CONTACTED, S.PROMISED, S.HARDSHIP, S.LEGAL, S.WITH_AGENCY},
    S.CONTACTED: _ALWAYS | {S.PROMISED, S.HARDSHIP, S.LEGAL, S.WITH_AGENCY},
    S.PROMISED: _ALWAYS | {S.PROMISE_KEPT, S.PROMISE_BROKEN, S.HARDSHIP},
    S.PROMISE_KEPT: _ALWAYS | {S.CONTACTED, S.PROMISED, S.HARDSHIP, S.LEGAL, S.WITH_AGENCY},
    S.PROMISE_BROKEN: _ALWAYS | {S.CONTACTED, S.PROMISED, S.HARDSHIP, S.LEGAL, S.WITH_AGENCY},
    S.HARDSHIP: _ALWAYS | {S.CONTACTED, S.PROMISED, S.LEGAL, S.WITH_AGENCY},
    # A dispute or complaint is resolved back into ordinary work (contacted) or the courts.
    S.DISPUTE: CLOSED | {S.COMPLAINT, S.CONTACTED, S.PROMISED, S.LEGAL},
    S.COMPLAINT: CLOSED | {S.DISPUTE, S.CONTACTED, S.PROMISED, S.LEGAL},
    S.LEGAL: _ALWAYS | {S.PROMISED, S.WITH_AGENCY},
    S.WITH_AGENCY: _ALWAYS | {S.CONTACTED, S.PROMISED, S.HARDSHIP, S.LEGAL},
    S.CLOSED_PAID: frozenset(),
    S.CLOSED_SETTLED: frozenset(),
    S.CLOSED_WRITTEN_OFF: frozenset(),
}
"""Allowed status changes. Closed statuses are terminal: a reopened debt is a new case."""

CONTACT_PAUSED = frozenset({S.COMPLAINT, S.DISPUTE}) | CLOSED
"""No collection contact in these statuses: a complaint pauses contact and escalates
(COMP-1); a disputed debt is verified before anyone collects it; a closed case is done."""


DECISIONS = frozenset({S.CLOSED_SETTLED, S.CLOSED_WRITTEN_OFF, S.LEGAL, S.WITH_AGENCY})
"""Statuses only a supervisor (or admin) may move a case to: the seed leaves settlements,
litigation and outsourcing to the creditor, not to the collector."""


UNASSIGNED = "unassigned"
"""The owner id of a case nobody has been given yet (a collector-kind owner)."""


class OwnerKind(StrEnum):
    COLLECTOR = "collector"
    AGENCY = "agency"


@dataclass(frozen=True, slots=True)
class Owner:
    """Who works the case: an internal collector or an agency (委外)."""

    kind: OwnerKind
    owner_id: str


# Commands (imperative) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenCase:
    case_id: str
    borrower_id: str
    loan_ids: tuple[str, ...]
    owner: Owner
    on: date
    actor: str


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    case_id: str
    to: CaseStatus
    on: date
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class AssignOwner:
    case_id: str
    owner: Owner
    on: date
    actor: str
    reason: str


# Events (past tense) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseOpened:
    case_id: str
    borrower_id: str
    loan_ids: tuple[str, ...]
    owner: Owner
    on: date
    actor: str


@dataclass(frozen=True, slots=True)
class StatusChanged:
    case_id: str
    from_status: CaseStatus
    to_status: CaseStatus
    on: date
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class OwnerAssigned:
    case_id: str
    from_owner: Owner
    to_owner: Owner
    on: date
    actor: str
    reason: str


CaseEvent = CaseOpened | StatusChanged | OwnerAssigned


@dataclass(frozen=True, slots=True)
class Case:
    """One borrower's delinquent loans, worked as a unit. ``history`` is oldest first."""

    case_id: str
    borrower_id: str
    loan_ids: tuple[str, ...]
    owner: Owner
    status: CaseStatus
    history: tuple[CaseEvent, ...]

    @property
    def contact_paused(self) -> bool:
        """True when no collection contact may be made (see ``CONTACT_PAUSED``)."""
        return self.status in CONTACT_PAUSED

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def can_move_to(self, to: CaseStatus) -> bool:
        return to in TRANSITIONS[self.status]

    def moved(self, command: ChangeStatus) -> Case:
        """The case after ``command``; raises IllegalTransition if the lifecycle forbids it."""
        _check_target(self, command.case_id)
        if not command.reason.strip():
            raise CaseworkError(Message("case.no_reason", case_id=self.case_id))
        if not self.can_move_to(command.to):
            allowed = sorted(TRANSITIONS[self.status])
            raise IllegalTransition(
                Message(
                    "case.transition" if allowed else "case.transition_closed",
                    case_id=self.case_id,
                    status=self.status,
                    to=command.to,
                    allowed=allowed,
                )
            )
        event = StatusChanged(
            self.case_id, self.status, command.to, command.on, command.actor, command.reason
        )
        return replace(self, status=command.to, history=(*self.history, event))

    def assigned(self, command: AssignOwner) -> Case:
        """The case after a change of owner (分案 / 委外 / recall)."""
        _check_target(self, command.case_id)
        if self.closed:
            raise CaseworkError(Message("case.closed", case_id=self.case_id, status=self.status))
        event = OwnerAssigned(
            self.case_id, self.owner, command.owner, command.on, command.actor, command.reason
        )
        return replace(self, owner=command.owner, history=(*self.history, event))


def _check_target(case: Case, case_id: str) -> None:
    if case.case_id != case_id:
        raise CaseworkError(Message("case.other_case", case_id=case_id, other=case.case_id))


def open_case(command: OpenCase) -> Case:
    """A new case in status ``open`` whose history starts with ``CaseOpened``."""
    if not command.loan_ids:
        raise CaseworkError(Message("case.no_loan", case_id=command.case_id))
    if len(set(command.loan_ids)) != len(command.loan_ids):
        raise CaseworkError(Message("case.loan_twice", case_id=command.case_id))
    event = CaseOpened(
        command.case_id,
        command.borrower_id,
        command.loan_ids,
        command.owner,
        command.on,
        command.actor,
    )
    return Case(
        command.case_id,
        command.borrower_id,
        command.loan_ids,
        command.owner,
        CaseStatus.OPEN,
        (event,),
    )


def change_status(case: Case, command: ChangeStatus, actor: Actor) -> Case:
    """``Case.moved`` with the role check: anyone working the case may record ordinary
    progress; the statuses in ``DECISIONS`` need a supervisor."""
    require(actor, Permission.CHANGE_STATUS)
    if command.to in DECISIONS:
        require(actor, Permission.DECIDE_CASE)
    if command.actor != actor.user_id:
        raise CaseworkError(
            Message("case.signed_by_other", signer=command.actor, user_id=actor.user_id)
        )
    return case.moved(command)
