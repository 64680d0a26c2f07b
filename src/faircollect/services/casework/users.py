"""Who is acting: users with a role (and an agency for agency users), from the users table.

The table is filled from a YAML file (``faircollect user load FILE``; an example ships in
``faircollect/data/users/example.yaml``), so ``--as USER`` names a row, never a free role.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from sqlalchemy import Connection, select

from faircollect.adapters.db.tables import agencies, users
from faircollect.adapters.yaml_reader import YamlTooDeep, load_yaml
from faircollect.domain.bad_input import BadInput
from faircollect.domain.casework.errors import PermissionDenied, Refused
from faircollect.domain.casework.roles import Actor, Role
from faircollect.services.casework.uow import UnitOfWork


def actor_for(conn: Connection, user_id: str) -> Actor:
    """The Actor for a user id; PermissionDenied for an unknown user."""
    row = conn.execute(select(users).where(users.c.user_id == user_id)).first()
    if row is None:
        raise PermissionDenied(
            f"unknown user '{user_id}' (load users with 'faircollect user load')"
        )
    return Actor(row.user_id, Role(row.role), row.agency_id)


def _user_problems(source: str, index: int, raw: Any) -> list[str]:
    where = f"{source}: users[{index}]"
    if not isinstance(raw, dict):
        return [f"{where}: expected a mapping with id, name, role"]
    problems = [f"{where}: field '{key}' is missing" for key in ("id", "role") if key not in raw]
    role = raw.get("role")
    if role is not None and role not in set(Role):
        problems.append(f"{where}: field 'role' is '{role}', not one of {', '.join(Role)}")
    if (role == Role.AGENCY) != ("agency" in raw):
        problems.append(f"{where}: field 'agency' is required for agency users and only for them")
    return problems


def _agency_problems(source: str, index: int, raw: Any) -> list[str]:
    where = f"{source}: agencies[{index}]"
    if not isinstance(raw, dict):
        return [f"{where}: expected a mapping with id, name, rate"]
    return [f"{where}: field '{key}' is missing" for key in ("id", "rate") if key not in raw]


class UsersFileRefused(Refused, BadInput):
    """A users file that cannot be loaded: bad input (exit 2), every problem listed."""


def load_users(uow: UnitOfWork, text: str, source: str) -> int:
    """Insert or replace the users and agencies of a YAML file; all or nothing.

    Returns the number of users loaded (at least one: a file without users is refused, as
    it is almost surely the wrong file). Any bad entry refuses the whole file, naming it.
    """
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as err:
        raise UsersFileRefused(f"{source}: not valid YAML", [" ".join(str(err).split())]) from err
    except YamlTooDeep as err:
        raise UsersFileRefused(f"{source}: not valid YAML", [str(err)]) from err
    if not isinstance(data, dict):
        raise UsersFileRefused(f"{source}: refused", [f"{source}: expected 'users' and 'agencies'"])
    raw_users, raw_agencies = data.get("users") or [], data.get("agencies") or []
    shape = [
        f"{source}: '{key}' must be a list"
        for key, value in (("users", raw_users), ("agencies", raw_agencies))
        if not isinstance(value, list)
    ]
    if not shape and not raw_users:
        shape.append(f"{source}: no users (expected a 'users' list with at least one entry)")
    if shape:
        raise UsersFileRefused(f"{source}: refused", shape)
    problems = [p for i, u in enumerate(raw_users) for p in _user_problems(source, i, u)]
    problems += [p for i, a in enumerate(raw_agencies) for p in _agency_problems(source, i, a)]
    rates: dict[str, tuple[Decimal, Decimal]] = {}
    for i, a in enumerate(raw_agencies):
        try:
            rates[str(a["id"])] = (Decimal(str(a["rate"])), Decimal(str(a.get("plan_rate", 0))))
        except (InvalidOperation, KeyError, TypeError):
            problems.append(f"{source}: agencies[{i}]: field 'rate' is not a decimal number")
    if problems:
        raise UsersFileRefused(f"{source}: refused", problems)
    conn = uow.conn
    for a in raw_agencies:
        agency_id = str(a["id"])
        conn.execute(agencies.delete().where(agencies.c.agency_id == agency_id))
        rate, plan_rate = rates[agency_id]
        conn.execute(
            agencies.insert().values(
                agency_id=agency_id,
                name=str(a.get("name", agency_id)),
                rate=rate,
                plan_rate=plan_rate,
            )
        )
    for u in raw_users:
        conn.execute(users.delete().where(users.c.user_id == str(u["id"])))
        conn.execute(
            users.insert().values(
                user_id=str(u["id"]),
                name=str(u.get("name", u["id"])),
                role=str(u["role"]),
                agency_id=str(u["agency"]) if "agency" in u else None,
            )
        )
    return len(raw_users)
