"""Read the organisation (teams, users, agencies) from one YAML file, every mistake with
its line. ``faircollect user load FILE`` stores what it reads; the night's 分案 and every
front door then use those rows."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from yaml.nodes import Node

from faircollect.adapters.input_files import InputFileError, read_text_file
from faircollect.adapters.yaml_reader import NodeReader, YamlFileError, YamlIssue, child, raw_entry
from faircollect.domain.casework.roles import Role
from faircollect.domain.organisation import SKILLS, AgencyTerms, Organisation, Person, Team

_PERSON_KEYS = ("id", "name", "role", "team", "agency", "capacity", "skills", "active")
_AGENCY_KEYS = ("id", "name", "rate", "plan_rate", "capacity")


def example_org_path() -> Path:
    """The example organisation shipped with faircollect (what ``make run`` loads)."""
    return Path(str(resources.files("faircollect").joinpath("data/org/example.yaml")))


def example_org_text() -> str:
    return example_org_path().read_text(encoding="utf-8")


def read_org(text: str, source: str) -> Organisation:
    """The organisation in ``text``; ``YamlFileError`` lists every mistake with its line.

    References inside the file are checked here (a user's team and agency, unique ids);
    a file may also name teams and agencies already stored, which the use case checks.
    """
    reader = NodeReader(source)
    root = reader.compose(text)
    org = _organisation(reader, root) if root is not None else None
    reader.raise_if_any()
    assert org is not None
    return org


def _organisation(r: NodeReader, root: Node) -> Organisation | None:
    top = r.mapping(root, "", allowed=("teams", "users", "agencies"), required=("users",))
    if top is None:
        return None
    teams = [t for i, n in enumerate(_items(r, top, "teams")) if (t := _team(r, n, i))]
    agencies = [a for i, n in enumerate(_items(r, top, "agencies")) if (a := _agency(r, n, i))]
    user_nodes = _items(r, top, "users")
    if "users" in top and not user_nodes:
        r.error(top["users"], "users", "no users: an organisation needs at least one user")
    people = [p for i, n in enumerate(user_nodes) if (p := _person(r, n, i))]
    _unique_ids(r, [("teams", n) for n in _items(r, top, "teams", quiet=True)])
    _unique_ids(
        r,
        [("users", n) for n in user_nodes]
        + [("agencies", n) for n in _items(r, top, "agencies", quiet=True)],
    )
    return Organisation(tuple(teams), tuple(people), tuple(agencies))


def _items(r: NodeReader, top: dict[str, Node], key: str, *, quiet: bool = False) -> list[Node]:
    if key not in top:
        return []
    if quiet:
        node = top[key]
        return list(node.value) if isinstance(node.value, list) else []
    return r.sequence(top[key], key) or []


def _unique_ids(r: NodeReader, nodes: list[tuple[str, Node]]) -> None:
    """Users and agencies share one namespace (a case's owner is either); teams their own."""
    seen: dict[str, str] = {}
    counters: dict[str, int] = {}
    for section, node in nodes:
        index = counters.get(section, 0)
        counters[section] = index + 1
        id_node = raw_entry(node, "id")
        if id_node is None:
            continue
        ident, path = str(id_node.value), child(child(section, index), "id")
        if ident in seen:
            r.error(id_node, path, f"id '{ident}' already used at {seen[ident]}")
        else:
            seen[ident] = path


def _team(r: NodeReader, node: Node, i: int) -> Team | None:
    path = child("teams", i)
    fields = r.mapping(node, path, allowed=("id", "name"), required=("id", "name"))
    if fields is None or "id" not in fields or "name" not in fields:
        return None
    ident = r.string(fields["id"], child(path, "id"))
    name = r.string(fields["name"], child(path, "name"))
    return Team(ident, name) if ident and name else None


def _person(r: NodeReader, node: Node, i: int) -> Person | None:
    path = child("users", i)
    f = r.mapping(node, path, allowed=_PERSON_KEYS, required=("id", "role"))
    if f is None or "id" not in f or "role" not in f:
        return None
    ident = r.string(f["id"], child(path, "id"))
    role = r.choice(f["role"], child(path, "role"), Role, "role")
    name = r.string(f["name"], child(path, "name")) if "name" in f else ident
    team = r.string(f["team"], child(path, "team")) if "team" in f else None
    agency = r.string(f["agency"], child(path, "agency")) if "agency" in f else None
    if role is not None and (role is Role.AGENCY) != ("agency" in f):
        r.error(node, path, "'agency' is required for agency users and only for them")
        return None
    capacity = (
        r.integer(f["capacity"], child(path, "capacity"), minimum=0) if "capacity" in f else 0
    )
    skills = _skills(r, f.get("skills"), child(path, "skills"), role)
    active = r.boolean(f["active"], child(path, "active")) if "active" in f else True
    if None in (ident, role, name, capacity, skills, active):
        return None
    assert ident and role and name and capacity is not None and skills is not None
    return Person(ident, name, role, team, agency, capacity, skills, bool(active))


def _skills(
    r: NodeReader, node: Node | None, path: str, role: Role | None
) -> frozenset[str] | None:
    if node is None:
        return frozenset({"call"}) if role is Role.COLLECTOR else frozenset()
    values = r.strings(node, path)
    if values is None:
        return None
    unknown = [s for s in values if s not in SKILLS]
    for skill in unknown:
        r.error(node, path, f"unknown skill '{skill}' (expected one of {', '.join(SKILLS)})")
    return None if unknown else frozenset(values)


def _agency(r: NodeReader, node: Node, i: int) -> AgencyTerms | None:
    path = child("agencies", i)
    f = r.mapping(node, path, allowed=_AGENCY_KEYS, required=("id", "rate"))
    if f is None or "id" not in f or "rate" not in f:
        return None
    ident = r.string(f["id"], child(path, "id"))
    name = r.string(f["name"], child(path, "name")) if "name" in f else ident
    rate = r.decimal(f["rate"], child(path, "rate"))
    plan_rate = r.decimal(f["plan_rate"], child(path, "plan_rate")) if "plan_rate" in f else None
    capacity = (
        r.integer(f["capacity"], child(path, "capacity"), minimum=0) if "capacity" in f else 0
    )
    if ident is None or name is None or rate is None or capacity is None:
        return None
    if "plan_rate" in f and plan_rate is None:
        return None
    for value, key in ((rate, "rate"), (plan_rate, "plan_rate")):
        if value is not None and not 0 <= value <= 1:
            r.error(f[key], child(path, key), f"must be a share between 0 and 1, got {value}")
            return None
    from decimal import Decimal

    return AgencyTerms(ident, name, rate, plan_rate or Decimal(0), capacity)


def read_org_file(path: Path) -> Organisation:
    """``read_org`` on a file; an unreadable file is one issue naming it."""
    try:
        text = read_text_file(path, label=path.name)
    except InputFileError as err:
        raise YamlFileError([YamlIssue(path.name, err.line or 1, "", err.reason)]) from err
    return read_org(text, path.name)
