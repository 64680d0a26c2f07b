"""A loan, its true cost and its ledger as JSON: amounts in yuan with two decimals,
rates as decimals with six places, dates ISO."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from faircollect.domain.ledger.replay import LoanLedger
from faircollect.domain.ledger.terms import LoanTerms, Payment
from faircollect.domain.money import format_yuan
from faircollect.domain.true_cost import TrueCost

RATE_PLACES = Decimal("0.000001")


HUGE_RATE = Decimal("1e15")
"""From here on a rate is shown in scientific notation: a 3-day loan of 500 repaid with 1000
compounds to an effective annual rate of about 10^37, and 44 digits help no one."""


def rate_text(rate: Decimal) -> str:
    """A rate as a decimal string with 6 places, half up: Decimal("0.24") -> "0.240000";
    from ``HUGE_RATE`` on, 7 significant digits: "2.126765E+37"."""
    return _fixed(rate, 6)


def percent_text(rate: Decimal) -> str:
    """A rate as a percentage with 4 places: Decimal("0.24") -> "24.0000%"."""
    return f"{_fixed(rate * 100, 4)}%"


def _fixed(value: Decimal, places: int) -> str:
    """``value`` with ``places`` decimals (exact, whatever its size), or scientific if huge:
    quantizing a 37-digit rate in the default 28-digit context is an InvalidOperation."""
    if abs(value) >= HUGE_RATE:
        return f"{value:.6E}"
    with localcontext() as ctx:
        ctx.prec = 60  # 15 whole digits and the places fit, so nothing is rounded but the last
        return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def true_cost_json(cost: TrueCost) -> dict[str, Any]:
    """A ``TrueCost`` as JSON: amounts yuan with 2 decimals, rates decimals with 6 places."""
    lawful = cost.lawful
    return {
        "loan_id": cost.loan_id,
        "contract_principal": format_yuan(cost.contract_principal),
        "received": format_yuan(cost.received),
        "upfront_deduction": format_yuan(cost.upfront_deduction),
        "total_interest": format_yuan(cost.total_interest),
        "total_fees": format_yuan(cost.total_fees),
        "scheduled_total": format_yuan(cost.scheduled_total),
        "nominal_rate": rate_text(cost.nominal_rate),
        "monthly_irr": rate_text(cost.irr.monthly),
        "apr_irr": rate_text(cost.apr_irr),
        "effective_annual": rate_text(cost.effective_annual),
        "lawful": {
            "principal": format_yuan(lawful.principal),
            "rate_used": rate_text(lawful.rate_used),
            "cap_rule": lawful.cap_rule,
            "cap_rate": rate_text(lawful.cap_rate),
            "fee_per_installment": format_yuan(lawful.fee_per_installment),
            "lawful_total": format_yuan(lawful.lawful_total),
            "excess": format_yuan(lawful.excess),
            "notes": list(lawful.notes),
        },
    }


def terms_json(terms: LoanTerms) -> dict[str, Any]:
    return {
        "loan_id": terms.loan_id,
        "borrower_id": terms.borrower_id,
        "product": terms.product,
        "contract_principal": format_yuan(terms.principal),
        "received_amount": format_yuan(terms.received),
        "annual_rate": rate_text(terms.annual_rate),
        "term_months": terms.term_months,
        "method": terms.method.value,
        "disbursed_on": terms.disbursed_on.isoformat(),
        "penalty_rate_daily": str(terms.penalty_rate_daily),
        "grace_days": terms.grace_days,
        "periodic_fee": format_yuan(terms.periodic_fee),
    }


def ledger_json(ledger: LoanLedger, payments: list[Payment]) -> dict[str, Any]:
    """The schedule as of the ledger's date, every payment with its allocation, the state."""
    state = ledger.state
    by_payment: dict[str, list[dict[str, Any]]] = {}
    for a in ledger.allocations:
        by_payment.setdefault(a.payment_id, []).append(
            {
                "installment": a.installment,
                "component": a.component.value,
                "amount": format_yuan(a.amount),
            }
        )
    return {
        "as_of": state.as_of.isoformat(),
        "schedule": [
            {
                "number": p.installment.number,
                "due_on": p.installment.due_on.isoformat(),
                "principal": format_yuan(p.installment.principal),
                "interest": format_yuan(p.installment.interest),
                "fee": format_yuan(p.installment.fee),
                "unpaid": format_yuan(p.unpaid_scheduled),
                "penalty_payable": format_yuan(p.penalty_payable),
                "origin": p.origin.value,
                "superseded_on": p.superseded_on.isoformat() if p.superseded_on else None,
            }
            for p in ledger.positions
        ],
        "payments": [
            {
                "payment_id": p.payment_id,
                "paid_on": p.paid_on.isoformat(),
                "amount": format_yuan(p.amount),
                "allocation": by_payment.get(p.payment_id, []),
            }
            for p in sorted(payments, key=lambda p: (p.paid_on, p.payment_id))
        ],
        "state": {
            "dpd": state.dpd,
            "bucket": state.bucket,
            "stage": state.stage.value,
            "overdue_principal": format_yuan(state.overdue_principal),
            "overdue_interest": format_yuan(state.overdue_interest),
            "overdue_fee": format_yuan(state.overdue_fee),
            "penalty": format_yuan(state.penalty),
            "total_overdue": format_yuan(
                state.overdue_principal + state.overdue_interest + state.overdue_fee + state.penalty
            ),
            "outstanding_principal": format_yuan(state.outstanding_principal),
            "credit": format_yuan(state.credit),
            "next_due_on": state.next_due_on.isoformat() if state.next_due_on else None,
        },
    }
