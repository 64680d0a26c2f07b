"""One loan, told as a story: reminders window, overdue, grace, penalty, allocation, credit.

Loan: 3,000.00 over 3 months, equal principal, 0 % interest, fee 10.00 an installment,
penalty 0.1 % a day, grace 3 days, disbursed 10 Jan 2026. Installment 1: 1,000.00 + 10.00
due 10 Feb.
"""

from datetime import date
from decimal import Decimal

from faircollect.domain.ledger.replay import Component, replay
from faircollect.domain.ledger.state import Stage
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment

LOAN = LoanTerms(
    loan_id="L1",
    principal=300_000,
    received=300_000,
    annual_rate=Decimal("0"),
    term_months=3,
    method=Method.EQUAL_PRINCIPAL,
    disbursed_on=date(2026, 1, 10),
    penalty_rate_daily=Decimal("0.001"),
    grace_days=3,
    periodic_fee=1_000,
)


def pay(day: date, fen: int, pid: str = "P1") -> Payment:
    return Payment(pid, "L1", day, fen)


def test_nothing_due_soon_is_current_then_pre_due_seven_days_before() -> None:
    assert replay(LOAN, [], date(2026, 2, 2)).state.stage is Stage.CURRENT
    assert replay(LOAN, [], date(2026, 2, 3)).state.stage is Stage.PRE_DUE
    due_day = replay(LOAN, [], date(2026, 2, 10)).state
    assert (due_day.stage, due_day.dpd, due_day.overdue_principal) == (Stage.PRE_DUE, 0, 0)


def test_day_after_due_is_overdue_but_penalty_waits_for_grace() -> None:
    state = replay(LOAN, [], date(2026, 2, 11)).state
    assert (state.dpd, state.bucket, state.stage) == (1, "M1", Stage.EARLY)
    assert (state.overdue_principal, state.overdue_fee) == (100_000, 1_000)
    assert state.penalty == 0  # 1.00 accrued, not payable until after 13 Feb


def test_after_grace_the_whole_penalty_since_due_is_payable() -> None:
    state = replay(LOAN, [], date(2026, 2, 14)).state
    assert state.penalty == 400  # 4 days x 1,000.00 x 0.1 %
    assert state.total_overdue == 100_000 + 1_000 + 400


def test_paid_in_full_within_grace_owes_no_penalty_ever() -> None:
    ledger = replay(LOAN, [pay(date(2026, 2, 13), 101_000)], date(2026, 3, 1))
    assert ledger.state.penalty == 0
    assert ledger.positions[0].penalty_waived
    assert ledger.state.dpd == 0


def test_paid_after_grace_penalty_first_then_fee_interest_principal() -> None:
    ledger = replay(LOAN, [pay(date(2026, 2, 14), 101_000)], date(2026, 2, 14))
    shares = [(a.installment, a.component, a.amount) for a in ledger.allocations]
    assert shares == [
        (1, Component.PENALTY, 400),
        (1, Component.FEE, 1_000),
        (1, Component.PRINCIPAL, 99_600),
    ]
    assert ledger.state.overdue_principal == 400
    assert ledger.state.dpd == 4


def test_penalty_keeps_accruing_on_what_is_left_exactly() -> None:
    ledger = replay(LOAN, [pay(date(2026, 2, 14), 101_000)], date(2026, 2, 24))
    # 4.00 accrued to 14 Feb and paid; then 10 days on 4.00 at 0.1 % = 0.04
    assert ledger.positions[0].penalty_accrued == 4 * 100 + Decimal("0.04") * 100
    assert ledger.state.penalty == 4


def test_money_beyond_the_whole_loan_becomes_credit() -> None:
    ledger = replay(LOAN, [pay(date(2026, 1, 20), 400_000)], date(2026, 1, 20))
    assert ledger.state.credit == 400_000 - 303_000
    assert ledger.state.outstanding_principal == 0
    assert ledger.state.stage is Stage.CURRENT
    assert ledger.state.paid_total == 400_000


def test_prepayment_goes_to_the_next_installments_in_order() -> None:
    ledger = replay(LOAN, [pay(date(2026, 1, 20), 150_000)], date(2026, 1, 20))
    shares = [(a.installment, a.component, a.amount) for a in ledger.allocations]
    assert shares == [
        (1, Component.FEE, 1_000),
        (1, Component.PRINCIPAL, 100_000),
        (2, Component.FEE, 1_000),
        (2, Component.PRINCIPAL, 48_000),
    ]


def test_payments_after_the_as_of_date_are_ignored() -> None:
    with_future = replay(LOAN, [pay(date(2026, 3, 1), 101_000)], date(2026, 2, 20))
    without = replay(LOAN, [], date(2026, 2, 20))
    assert with_future.state == without.state


def test_dpd_counts_from_the_oldest_unpaid_installment() -> None:
    state = replay(LOAN, [], date(2026, 4, 15)).state
    # installments due 10 Feb and 10 Mar unpaid; 10 Apr too -> oldest is 10 Feb
    assert state.dpd == (date(2026, 4, 15) - date(2026, 2, 10)).days
    assert state.bucket == "M3"
    assert state.stage is Stage.INTENSIVE
    assert state.overdue_principal == 300_000
