"""The collections organisation: teams, people and agencies, and who is handed work.

One model for everything that needs people: signing in, what a user may see (a
supervisor leads a team), and the night's 分案 (a collector's daily capacity and skills,
an agency's capacity). It is read from one YAML file into the database and from there by
every front door, so nobody can be assigned work who cannot sign in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from faircollect.domain.assignment import Agency, Collector
from faircollect.domain.casework.roles import Actor, Role

SKILLS = ("call", "visit", "legal", "negotiation")
"""What a collector can be handed (分案 matches work to skill)."""


@dataclass(frozen=True, slots=True)
class Team:
    team_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Person:
    """A user of faircollect. ``capacity``, ``skills`` and ``active`` matter for
    collectors (work items a day, what they can do, on duty); ``agency_id`` is set exactly
    for agency users."""

    user_id: str
    name: str
    role: Role
    team_id: str | None = None
    agency_id: str | None = None
    capacity: int = 0
    skills: frozenset[str] = frozenset()
    active: bool = True

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.role, self.agency_id, self.team_id)


@dataclass(frozen=True, slots=True)
class AgencyTerms:
    """A collection agency (委外机构): commission on money repaid during placement, the
    plan rate on money repaid under an approved instalment plan, accounts taken a day."""

    agency_id: str
    name: str
    rate: Decimal
    plan_rate: Decimal
    capacity: int


@dataclass(frozen=True, slots=True)
class Roster:
    """Everyone who can be handed work today (分案)."""

    collectors: tuple[Collector, ...]
    agencies: tuple[Agency, ...]


@dataclass(frozen=True, slots=True)
class Organisation:
    teams: tuple[Team, ...]
    people: tuple[Person, ...]
    agencies: tuple[AgencyTerms, ...]


def roster(
    people: Iterable[Person], teams: Iterable[Team], agencies: Iterable[AgencyTerms]
) -> Roster:
    """The 分案 view of the organisation: collectors with their team's name, agencies."""
    names = {t.team_id: t.name for t in teams}
    collectors = tuple(
        Collector(p.user_id, names.get(p.team_id or "", ""), p.capacity, p.skills, p.active)
        for p in sorted(people, key=lambda p: p.user_id)
        if p.role is Role.COLLECTOR
    )
    return Roster(
        collectors,
        tuple(Agency(a.agency_id, a.capacity, a.name) for a in sorted(agencies, key=_agency_id)),
    )


def _agency_id(agency: AgencyTerms) -> str:
    return agency.agency_id
