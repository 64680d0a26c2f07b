"""Who may see which cases. Enforced by the use cases for every front door.

- a collector (催收员) sees the cases they own;
- a supervisor (主管) the cases of everyone in the team they lead, cases nobody owns yet
  (to hand them out) and cases placed with agencies (to follow the placements);
- an agency user (委外) only the cases placed with their agency, while placed;
- quality inspection (质检), compliance (合规) and admins read every case.

A case outside the scope does not exist for that user: a refusal is "no case", never
"not yours", so it cannot be used to learn which case ids exist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from faircollect.domain.casework.cases import UNASSIGNED, Owner, OwnerKind
from faircollect.domain.casework.roles import Actor, Role

READ_ALL = frozenset({Role.QA, Role.COMPLIANCE, Role.ADMIN})
"""Roles that read every case."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The cases one user may see: all of them, or those whose owner is a collector in
    ``collectors``, any agency (``agencies``), or whose id is in ``case_ids``."""

    everything: bool = False
    collectors: frozenset[str] = frozenset()
    agencies: bool = False
    case_ids: frozenset[str] = frozenset()

    def sees(self, case_id: str, owner: Owner) -> bool:
        if self.everything or case_id in self.case_ids:
            return True
        if owner.kind is OwnerKind.AGENCY:
            return self.agencies
        return owner.owner_id in self.collectors


def scope_of(
    actor: Actor, team_members: Collection[str] = (), agency_cases: Collection[str] = ()
) -> Scope:
    """The scope of ``actor``: ``team_members`` are the user ids in the team a supervisor
    leads, ``agency_cases`` the cases an agency user's agency holds today."""
    if actor.role in READ_ALL:
        return Scope(everything=True)
    if actor.role is Role.SUPERVISOR:
        members = frozenset(team_members) | {actor.user_id, UNASSIGNED}
        return Scope(collectors=members, agencies=True)
    if actor.role is Role.AGENCY:
        return Scope(case_ids=frozenset(agency_cases))
    return Scope(collectors=frozenset({actor.user_id}))
