"""Domain values as API shapes: fen as yuan strings, enums as their values."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from faircollect.adapters.db.repositories.cases import CaseLine
from faircollect.adapters.db.repositories.promises import PromiseRow
from faircollect.domain.casework.proposals import InstalmentPlan, Proposal, Waiver
from faircollect.domain.messages import Message
from faircollect.domain.money import format_yuan, parse_yuan_text
from faircollect.web.errors import InvalidField

MONEY_KEYS = frozenset(
    {
        "amount",
        "paid",
        "total_overdue",
        "overdue_principal",
        "outstanding_principal",
        "overdue_interest",
        "overdue_fee",
        "penalty",
    }
)
"""Keys whose integer values are fen, shown as yuan."""


def yuan(fen: int) -> str:
    return format_yuan(fen)


def fen(value: str, field: str) -> int:
    """Yuan text as fen; InvalidField naming ``field`` when it is not an amount."""
    from faircollect.domain.money import MoneyError

    try:
        return parse_yuan_text(value)
    except MoneyError as err:
        raise InvalidField(field, Message("input.amount", error=str(err))) from err


def plain(value: Any, key: str = "") -> Any:
    """JSON-ready: dataclasses and dicts recursively, fen under money keys as yuan."""
    if is_dataclass(value) and not isinstance(value, type):
        # Field by field, not ``asdict``: that deep-copies every value first, which was
        # most of the cost of a morning queue of a hundred items.
        return {f.name: plain(getattr(value, f.name), f.name) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and key in MONEY_KEYS:
        return yuan(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def case_item(line: CaseLine) -> dict[str, Any]:
    return {
        "case_id": line.case_id,
        "borrower_id": line.borrower_id,
        "borrower_name": line.borrower_name,
        "owner": line.owner,
        "status": line.status,
        "dpd": line.dpd,
        "total_overdue": yuan(line.total_overdue),
        "opened_on": line.opened_on.isoformat(),
        "loan_ids": list(line.loan_ids),
    }


def promise(row: PromiseRow) -> dict[str, Any]:
    return {
        "promise_id": row.promise_id,
        "loan_id": row.loan_id,
        "case_id": row.case_id,
        "amount": yuan(row.amount),
        "made_on": row.made_on.isoformat(),
        "due": row.due_on.isoformat(),
        "status": row.status,
        "paid": yuan(row.paid),
        "settled_on": row.settled_on.isoformat() if row.settled_on else None,
        "made_by": row.made_by,
    }


def proposal(p: Proposal) -> dict[str, Any]:
    terms: dict[str, Any]
    if isinstance(p.terms, Waiver):
        kind = "waiver"
        terms = {"component": p.terms.component.value, "amount": yuan(p.terms.amount)}
    else:
        assert isinstance(p.terms, InstalmentPlan)
        kind = "plan"
        terms = {
            "months": p.terms.months,
            "annual_rate": str(p.terms.annual_rate),
            "first_due": p.terms.first_due.isoformat(),
            "method": p.terms.method.value,
        }
    return {
        "proposal_id": p.proposal_id,
        "case_id": p.case_id,
        "loan_id": p.loan_id,
        "kind": kind,
        "terms": terms,
        "submitted_by": p.submitted_by,
        "submitted_on": p.submitted_on.isoformat(),
        "note": p.note,
        "status": p.status.value,
        "decided_by": p.decided_by,
        "decided_on": p.decided_on.isoformat() if p.decided_on else None,
        "decision_reason": p.decision_reason,
    }
