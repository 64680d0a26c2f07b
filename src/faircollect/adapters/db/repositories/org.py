"""The organisation as stored: teams, users (with their password hash) and agencies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, select

from faircollect.adapters.db.tables import agencies, teams, users
from faircollect.domain.casework.roles import Role
from faircollect.domain.organisation import AgencyTerms, Organisation, Person, Roster, Team, roster


class OrgRepository:
    """Teams, people and agencies of one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def person(self, user_id: str) -> Person | None:
        row = self.conn.execute(select(users).where(users.c.user_id == user_id)).first()
        return None if row is None else _person(row)

    def people(self) -> list[Person]:
        return [_person(r) for r in self.conn.execute(select(users).order_by(users.c.user_id))]

    def team_members(self, team_id: str) -> set[str]:
        """User ids of everyone in the team (collectors and their supervisors)."""
        query = select(users.c.user_id).where(users.c.team_id == team_id)
        return set(self.conn.execute(query).scalars())

    def teams(self) -> list[Team]:
        query = select(teams).order_by(teams.c.team_id)
        return [Team(r.team_id, r.name) for r in self.conn.execute(query)]

    def agencies(self) -> list[AgencyTerms]:
        query = select(agencies).order_by(agencies.c.agency_id)
        return [_agency(r) for r in self.conn.execute(query)]

    def agency(self, agency_id: str) -> AgencyTerms | None:
        row = self.conn.execute(select(agencies).where(agencies.c.agency_id == agency_id)).first()
        return None if row is None else _agency(row)

    def roster(self) -> Roster:
        """Everyone the night's 分案 can hand work to."""
        return roster(self.people(), self.teams(), self.agencies())

    def store(self, org: Organisation) -> None:
        """Insert or update every team, agency and user of ``org``; users keep their
        password (a reload of the organisation file signs nobody out)."""
        _upsert(
            self.conn, teams, "team_id", [{"team_id": t.team_id, "name": t.name} for t in org.teams]
        )
        _upsert(self.conn, agencies, "agency_id", [_agency_row(a) for a in org.agencies])
        _upsert(self.conn, users, "user_id", [_person_row(p) for p in org.people])

    def password_hash(self, user_id: str) -> str | None:
        query = select(users.c.password_hash).where(users.c.user_id == user_id)
        return self.conn.execute(query).scalar_one_or_none()

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.conn.execute(
            users.update().where(users.c.user_id == user_id).values(password_hash=password_hash)
        )


def _upsert(conn: Connection, table: Table, key: str, rows: Iterable[dict[str, Any]]) -> None:
    column = table.c[key]
    for row in rows:
        found = conn.execute(select(column).where(column == row[key])).first()
        if found is None:
            conn.execute(table.insert().values(**row))
        else:
            conn.execute(table.update().where(column == row[key]).values(**row))


def _person(r: Any) -> Person:
    skills = frozenset(s for s in (r.skills or "").split(",") if s)
    return Person(
        r.user_id, r.name, Role(r.role), r.team_id, r.agency_id, r.capacity, skills, r.active
    )


def _person_row(p: Person) -> dict[str, Any]:
    return {
        "user_id": p.user_id,
        "name": p.name,
        "role": p.role.value,
        "team_id": p.team_id,
        "agency_id": p.agency_id,
        "capacity": p.capacity,
        "skills": ",".join(sorted(p.skills)),
        "active": p.active,
    }


def _agency(r: Any) -> AgencyTerms:
    return AgencyTerms(r.agency_id, r.name, r.rate, r.plan_rate, r.capacity)


def _agency_row(a: AgencyTerms) -> dict[str, Any]:
    return {
        "agency_id": a.agency_id,
        "name": a.name,
        "rate": a.rate,
        "plan_rate": a.plan_rate,
        "capacity": a.capacity,
    }
