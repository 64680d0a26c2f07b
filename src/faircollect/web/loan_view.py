"""One loan's file as the API and the pages show it."""

from __future__ import annotations

from typing import Any

from faircollect.services.loans import LoanFile
from faircollect.views.loans import ledger_json, terms_json, true_cost_json


def loan_json(found: LoanFile) -> dict[str, Any]:
    return {
        "loan": terms_json(found.loan.terms),
        "case_id": found.case_id,
        **ledger_json(found.ledger, found.loan.payments),
        "adjustments": [
            {"kind": type(a).__name__, "effective_on": a.effective_on.isoformat()}
            for a in found.loan.adjustments
        ],
        "true_cost": true_cost_json(found.cost),
    }
