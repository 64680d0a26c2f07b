"""The organisation: load it from its YAML file, and tell who is acting.

``user load FILE`` and ``make run`` call ``load_organisation``; every command and web
request names its user, and ``actor_for`` turns the id into what the rules need.
"""

from __future__ import annotations

from dataclasses import dataclass

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.org_file import read_org
from faircollect.adapters.yaml_reader import YamlFileError
from faircollect.domain.bad_input import BadInput
from faircollect.domain.casework.errors import PermissionDenied, Refused
from faircollect.domain.casework.roles import Actor
from faircollect.domain.messages import Message
from faircollect.domain.organisation import Organisation, Person
from faircollect.services import audit


class OrgFileRefused(Refused, BadInput):
    """An organisation file that cannot be loaded: bad input (exit 2), every mistake listed."""


@dataclass(frozen=True, slots=True)
class OrgLoaded:
    teams: int
    users: int
    agencies: int


def actor_for(uow: UnitOfWork, user_id: str) -> Actor:
    """The acting user; PermissionDenied for an unknown one."""
    person = uow.org.person(user_id)
    if person is None:
        raise PermissionDenied(Message("user.unknown", user_id=user_id))
    return person.actor


def load_organisation(uow: UnitOfWork, text: str, source: str) -> OrgLoaded:
    """Insert or update the teams, agencies and users of an organisation file; all or
    nothing. Refused (every mistake listed, with its line) if the file is wrong or names
    a team or agency that is neither in it nor stored."""
    try:
        org = read_org(text, source)
    except YamlFileError as err:
        raise OrgFileRefused(f"{source}: refused", [str(i) for i in err.issues]) from err
    problems = _dangling(uow, org, source)
    if problems:
        raise OrgFileRefused(f"{source}: refused", problems)
    before = {
        p.user_id: _staff(stored) for p in org.people if (stored := uow.org.person(p.user_id))
    }
    uow.org.store(org)
    audit.record(
        uow,
        "system",
        "organisation.loaded",
        source,
        {"users": before},
        {
            "teams": sorted(t.team_id for t in org.teams),
            "agencies": sorted(a.agency_id for a in org.agencies),
            "users": {p.user_id: _staff(p) for p in org.people},
        },
    )
    return OrgLoaded(len(org.teams), len(org.people), len(org.agencies))


def _staff(person: Person) -> dict[str, object]:
    """What the audit trail keeps of a user: role, team, agency, on duty."""
    return {
        "role": person.role,
        "team_id": person.team_id,
        "agency_id": person.agency_id,
        "active": person.active,
    }


def _dangling(uow: UnitOfWork, org: Organisation, source: str) -> list[str]:
    teams = {t.team_id for t in org.teams} | {t.team_id for t in uow.org.teams()}
    agencies = {a.agency_id for a in org.agencies} | {a.agency_id for a in uow.org.agencies()}
    return [
        problem for person in org.people for problem in _references(person, teams, agencies, source)
    ]


def _references(person: Person, teams: set[str], agencies: set[str], source: str) -> list[str]:
    found = []
    if person.team_id is not None and person.team_id not in teams:
        found.append(f"{source}: user {person.user_id}: unknown team '{person.team_id}'")
    if person.agency_id is not None and person.agency_id not in agencies:
        found.append(f"{source}: user {person.user_id}: unknown agency '{person.agency_id}'")
    return found
