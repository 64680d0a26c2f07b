"""The organisation YAML: the example loads; mistakes are reported with file and line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from faircollect.adapters.org_file import example_org_text, read_org
from faircollect.adapters.yaml_reader import YamlFileError
from faircollect.domain.casework.roles import Role
from faircollect.domain.organisation import roster


def test_the_example_organisation_loads_people_teams_and_agencies() -> None:
    org = read_org(example_org_text(), "example.yaml")
    people = {p.user_id: p for p in org.people}
    assert people["C101"].team_id == "T-EARLY" and people["C101"].skills == {"call", "negotiation"}
    assert people["C103"].active is False
    assert people["S001"].role is Role.SUPERVISOR and people["S001"].team_id == "T-EARLY"
    assert people["A101"].agency_id == "AG01"
    assert {p.role for p in org.people} == set(Role)
    agencies = {a.agency_id: a for a in org.agencies}
    assert agencies["AG02"].plan_rate == Decimal("0.02") and agencies["AG02"].capacity == 1500


def test_roster_hands_work_to_the_collectors_and_agencies_of_the_same_organisation() -> None:
    """The people 分案 assigns work to are the people who can sign in (C201, C202 and V301
    could not before the organisation was one file)."""
    org = read_org(example_org_text(), "example.yaml")
    found = roster(org.people, org.teams, org.agencies)
    by_id = {c.collector_id: c for c in found.collectors}
    assert sorted(by_id) == ["C101", "C102", "C103", "C201", "C202", "V301", "V302"]
    assert by_id["C201"].team == "强催组" and by_id["V301"].skills == {"visit"}
    assert by_id["C101"].capacity == 120 and by_id["C103"].active is False
    assert [(a.agency_id, a.capacity) for a in found.agencies] == [("AG01", 2000), ("AG02", 1500)]


def test_every_mistake_has_its_line() -> None:
    text = (
        "teams:\n"
        "  - {id: T1, name: t}\n"
        "users:\n"
        "  - {id: C1, role: collector, capacity: -1}\n"
        "  - {id: C2, role: collector, capacity: 5, skills: [call, fly]}\n"
        "  - {id: C1, role: boss}\n"
        "  - {id: A1, role: agency}\n"
        "agencies:\n"
        "  - {id: AG1, rate: '0.1', capcity: 3}\n"
    )
    with pytest.raises(YamlFileError) as caught:
        read_org(text, "org.yaml")
    assert [str(i) for i in caught.value.issues] == [
        "org.yaml:4: users[0].capacity: must be at least 0, got -1",
        "org.yaml:5: users[1].skills: unknown skill 'fly' "
        "(expected one of call, visit, legal, negotiation)",
        "org.yaml:6: users[2].id: id 'C1' already used at users[0].id",
        "org.yaml:6: users[2].role: unknown role 'boss' (expected one of collector, "
        "supervisor, agency, qa, compliance, admin)",
        "org.yaml:7: users[3]: 'agency' is required for agency users and only for them",
        "org.yaml:9: agencies[0].capcity: unknown key 'capcity' "
        "(expected one of id, name, rate, plan_rate, capacity); did you mean 'capacity'?",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users: []\n", "org.yaml:1: users: no users: an organisation needs at least one user"),
        ("teams: []\n", "org.yaml:1: missing required key 'users'"),
        ("", "org.yaml:1: the file is empty"),
    ],
)
def test_an_organisation_without_users_is_refused(text: str, message: str) -> None:
    with pytest.raises(YamlFileError) as caught:
        read_org(text, "org.yaml")
    assert message in [str(i) for i in caught.value.issues]
