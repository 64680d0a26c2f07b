"""Load teams, collectors and agencies for 分案 from YAML, with line-numbered errors."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from yaml.nodes import Node

from faircollect.adapters.input_files import InputFileError, read_text_file
from faircollect.adapters.yaml_reader import (
    NodeReader,
    YamlFileError,
    YamlIssue,
    child,
    raw_entry,
)
from faircollect.domain.assignment import Agency, Collector

SKILLS = ("call", "visit", "legal", "negotiation")


@dataclass(frozen=True, slots=True)
class Roster:
    """Everyone who can be handed work today."""

    collectors: tuple[Collector, ...]
    agencies: tuple[Agency, ...]


def example_teams_path() -> Path:
    return Path(str(resources.files("faircollect").joinpath("data/teams/example.yaml")))


def load_teams(path: Path) -> Roster:
    """Read a teams file; raises ``YamlFileError`` listing every mistake with its line."""
    reader = NodeReader(path.name)
    try:
        text = read_text_file(path, label=path.name)
    except InputFileError as err:
        raise YamlFileError([YamlIssue(path.name, err.line or 1, "", err.reason)]) from err
    root = reader.compose(text)
    roster = _roster(reader, root) if root is not None else None
    reader.raise_if_any()
    assert roster is not None
    return roster


def _roster(r: NodeReader, root: Node) -> Roster | None:
    top = r.mapping(root, "", allowed=("teams", "agencies"), required=("teams",))
    if top is None:
        return None
    collectors: list[Collector] = []
    seen: dict[str, str] = {}
    for i, team_node in enumerate(r.sequence(top.get("teams"), "teams") or ()):
        path = child("teams", i)
        team = r.mapping(team_node, path, allowed=("name", "collectors"), required=("name",))
        if team is None or "name" not in team:
            continue
        team_name = r.string(team["name"], child(path, "name")) or ""
        members = r.sequence(team.get("collectors"), child(path, "collectors")) or ()
        for j, node in enumerate(members):
            where = child(child(path, "collectors"), j)
            _unique(r, seen, node, where)
            collector = _collector(r, node, where, team_name)
            if collector is not None:
                collectors.append(collector)
    agencies: list[Agency] = []
    for i, node in enumerate(
        r.sequence(top["agencies"], "agencies") or () if "agencies" in top else ()
    ):
        _unique(r, seen, node, child("agencies", i))
        agency = _agency(r, node, child("agencies", i))
        if agency is not None:
            agencies.append(agency)
    return Roster(tuple(collectors), tuple(agencies))


def _unique(r: NodeReader, seen: dict[str, str], node: Node, path: str) -> None:
    """Collector and agency ids share one namespace (a borrower's owner is either)."""
    id_node = raw_entry(node, "id")
    if id_node is None:
        return
    ident = str(id_node.value)
    if ident in seen:
        r.error(id_node, child(path, "id"), f"id '{ident}' already used at {seen[ident]}")
    else:
        seen[ident] = path


def _collector(r: NodeReader, node: Node, path: str, team: str) -> Collector | None:
    fields = r.mapping(
        node, path, allowed=("id", "capacity", "skills", "active"), required=("id", "capacity")
    )
    if fields is None or "id" not in fields or "capacity" not in fields:
        return None
    ident = r.string(fields["id"], child(path, "id"))
    capacity = r.integer(fields["capacity"], child(path, "capacity"), minimum=0)
    skills = r.strings(fields["skills"], child(path, "skills")) if "skills" in fields else ("call",)
    active = r.boolean(fields["active"], child(path, "active")) if "active" in fields else True
    for k, skill in enumerate(skills or ()):
        if skill not in SKILLS:
            r.error(
                fields["skills"],
                child(child(path, "skills"), k),
                f"unknown skill '{skill}' (expected one of {', '.join(SKILLS)})",
            )
            skills = None
    if ident is None or capacity is None or skills is None or active is None:
        return None
    return Collector(ident, team, capacity, frozenset(skills), active)


def _agency(r: NodeReader, node: Node, path: str) -> Agency | None:
    fields = r.mapping(node, path, allowed=("id", "name", "capacity"), required=("id", "capacity"))
    if fields is None or "id" not in fields or "capacity" not in fields:
        return None
    ident = r.string(fields["id"], child(path, "id"))
    capacity = r.integer(fields["capacity"], child(path, "capacity"), minimum=0)
    name = r.string(fields["name"], child(path, "name")) if "name" in fields else ""
    if ident is None or capacity is None or name is None:
        return None
    return Agency(ident, capacity, name)
