"""The night's cases: every borrower with a loan past due has an open case, owned by the
collector 分案 gave the borrower's work to (``domain.casework.case_owners``).

Run in the night's phase-one transaction right after tonight's actions are stored and
before the night's agency placements reach casework (which then find every case open), so
a crash leaves no case behind and a rerun of the night opens or moves nothing twice: the
loans are in open cases by then, and the owners are already tonight's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select

from faircollect.adapters.db.night_cases import (
    move_to_collectors,
    night_case_tables,
    open_missing_cases,
)
from faircollect.domain.casework.case_owners import CaseOwners
from faircollect.services.casework.night_placements import NIGHT_ACTOR


@dataclass(frozen=True, slots=True)
class CaseReport:
    """What the night did to cases: how many it opened, how many moved to another
    collector because 分案 gave the borrower's work to them."""

    opened: int = 0
    moved: int = 0


def open_night_cases(conn: Connection, as_of: date, owners: CaseOwners | Select[Any]) -> CaseReport:
    """Move open cases to tonight's collectors, then open the missing cases (owner:
    tonight's collector, the collector before, or unassigned). ``owners``: as
    ``domain.casework.case_owners`` decides them, or a query of its (borrower_id,
    owner_id, moved) rows (the night's, ``adapters.db.night_work.case_owner_rows``)."""
    with night_case_tables(conn, owners):
        actor = NIGHT_ACTOR.user_id  # the night's actor in case histories, as for placements
        moved = move_to_collectors(conn, as_of, actor, f"分案 {as_of.isoformat()}")
        opened = open_missing_cases(conn, as_of, actor)
    return CaseReport(opened, moved)
