"""Who owns a borrower's case after the night's 分案.

Every borrower with a loan past due has an open case (the night opens the missing ones).
Its owner follows the work:

- a borrower whose calls or visits 分案 gave to a collector tonight: that collector (the
  one given the borrower's largest item, when capacity split the work); an existing
  open case owned by another collector moves to them (``moved``): 分案 moved the work;
- a borrower with no collector work tonight: a new case goes to the collector who had
  the borrower's work before (sticky 分案), when still on duty; otherwise ``UNASSIGNED``
  (a supervisor hands it out); an existing case keeps its owner;
- agency work is not decided here: the night's placement hands the case to the agency
  (``services.casework.night_placements``), and a case an agency holds is never moved by
  a collector's work.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from faircollect.domain.assignment import AssigneeKind, Assignment


@dataclass(frozen=True, slots=True)
class CaseOwners:
    """The owner of each borrower's case after tonight's 分案, where the night decides one."""

    tonight: Mapping[str, str] = field(default_factory=dict)
    """Borrower id -> the collector 分案 gave the borrower's work to tonight."""
    before: Mapping[str, str] = field(default_factory=dict)
    """Borrower id -> the collector on duty who had the borrower's work on an earlier
    night (only borrowers without work tonight): the owner of a case opened tonight."""


def case_owners(
    assignments: Iterable[Assignment],
    previous_owner: Mapping[str, str],
    on_duty: Collection[str],
) -> CaseOwners:
    """``assignments`` in the order 分案 made them (largest amount first);
    ``previous_owner``: each borrower's latest assignee before tonight (a collector or an
    agency); ``on_duty``: the ids of the collectors who can be handed work today."""
    tonight: dict[str, str] = {}
    for item in assignments:
        if item.kind is AssigneeKind.COLLECTOR:
            tonight.setdefault(item.borrower_id, item.assignee)
    before = {
        borrower_id: owner
        for borrower_id, owner in previous_owner.items()
        if owner in on_duty and borrower_id not in tonight
    }
    return CaseOwners(tonight, before)
