"""Teams YAML: the example loads; mistakes are reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from faircollect.adapters.teams_file import example_teams_path, load_teams
from faircollect.adapters.yaml_reader import YamlFileError


def test_example_teams_file_loads() -> None:
    roster = load_teams(example_teams_path())
    by_id = {c.collector_id: c for c in roster.collectors}
    assert by_id["C101"].team == "前期组" and by_id["C101"].skills == {"call", "negotiation"}
    assert by_id["C103"].active is False
    assert by_id["V301"].skills == {"visit"}
    assert [(a.agency_id, a.capacity) for a in roster.agencies] == [("AG01", 2000), ("AG02", 1500)]


def test_every_mistake_has_its_line(tmp_path: Path) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(
        "teams:\n"
        "  - name: t\n"
        "    collectors:\n"
        "      - {id: C1, capacity: -1}\n"
        "      - {id: C2, capacity: 5, skills: [call, fly]}\n"
        "      - {id: C1, capacity: 5}\n"
        "agencies:\n"
        "  - {id: AG1, capcity: 3}\n",
        encoding="utf-8",
    )
    with pytest.raises(YamlFileError) as caught:
        load_teams(path)
    assert [str(i) for i in caught.value.issues] == [
        "teams.yaml:4: teams[0].collectors[0].capacity: must be at least 0, got -1",
        "teams.yaml:5: teams[0].collectors[1].skills[1]: unknown skill 'fly' "
        "(expected one of call, visit, legal, negotiation)",
        "teams.yaml:6: teams[0].collectors[2].id: id 'C1' already used at teams[0].collectors[0]",
        "teams.yaml:8: agencies[0]: missing required key 'capacity'",
        "teams.yaml:8: agencies[0].capcity: unknown key 'capcity' "
        "(expected one of id, name, capacity); did you mean 'capacity'?",
    ]
