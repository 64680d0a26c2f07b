"""Who acts: roles and what each may do. Enforced in the domain, never only in a UI."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from faircollect.domain.casework.errors import PermissionDenied
from faircollect.domain.messages import Message


class Role(StrEnum):
    """Roles in a collections department."""

    COLLECTOR = "collector"  # 催收员
    SUPERVISOR = "supervisor"  # 主管 / 组长: leads a team
    AGENCY = "agency"  # 委外机构的用户
    QA = "qa"  # 质检: reads everything, records QA findings
    COMPLIANCE = "compliance"  # 合规: reads everything, handles complaints
    ADMIN = "admin"


class Permission(StrEnum):
    """Actions whose authorisation depends on the role."""

    RECORD_CONTACT = "record_contact"
    SUBMIT_PROPOSAL = "submit_proposal"
    DECIDE_PROPOSAL = "decide_proposal"
    PLACE_CASE = "place_case"
    PLAN_VISIT = "plan_visit"
    CHANGE_STATUS = "change_status"
    ASSIGN_CASE = "assign_case"
    """Hand a case to another collector (a supervisor, within the team)."""
    DECIDE_CASE = "decide_case"
    """Settle, write off, send to litigation or to an agency: the creditor's decisions."""


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.COLLECTOR: frozenset(
        {
            Permission.RECORD_CONTACT,
            Permission.SUBMIT_PROPOSAL,
            Permission.PLAN_VISIT,
            Permission.CHANGE_STATUS,
        }
    ),
    # The seed: collectors (and agencies) have no authority to grant plans or discounts.
    Role.AGENCY: frozenset(
        {Permission.RECORD_CONTACT, Permission.SUBMIT_PROPOSAL, Permission.CHANGE_STATUS}
    ),
    Role.SUPERVISOR: frozenset(Permission),
    # Quality inspection and compliance read every case and change nothing on them.
    Role.QA: frozenset(),
    Role.COMPLIANCE: frozenset(),
    Role.ADMIN: frozenset(Permission),
}
"""Which role may do what. Agency users are further limited to their placed cases."""


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting in the system; ``agency_id`` is set exactly for agency users."""

    user_id: str
    role: Role
    agency_id: str | None = None
    team_id: str | None = None
    """The team a collector works in or a supervisor leads (None: no team)."""

    def __post_init__(self) -> None:
        if (self.role is Role.AGENCY) != (self.agency_id is not None):
            raise ValueError("agency_id is required for agency users and only for them")


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDenied unless the actor's role grants ``permission``."""
    if permission not in GRANTS[actor.role]:
        raise may_not(actor, Message(f"permission.{permission.value}"))


def require_role(actor: Actor, roles: Collection[Role], doing: Message) -> None:
    """Raise PermissionDenied unless the actor's role is one of ``roles``, for an action
    (``doing``, as the refusal names it) no ``Permission`` names."""
    if actor.role not in roles:
        raise may_not(actor, doing)


def may_not(actor: Actor, doing: Message) -> PermissionDenied:
    """The refusal of ``doing`` to the actor's role."""
    return PermissionDenied(
        Message("role.may_not", user_id=actor.user_id, role=actor.role, doing=doing)
    )
