"""True cost (借款真实年化成本) and the lawful view, against hand-computed figures.

Every expected value below is derived by hand in the comment beside it (closed forms for
par loans, bullets and two-period annuities), never by calling the code under test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from faircollect.data import lpr_csv_text
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.terms import LoanTerms, Method
from faircollect.domain.rates import (
    DEFAULT_TOTAL_COST_CAP,
    LenderType,
    RateCap,
    RateTableError,
    applicable_cap,
    parse_lpr_table,
)
from faircollect.domain.true_cost import irr_of_flows, month_periods, true_cost

LICENSED = RateCap("RATE-2", DEFAULT_TOTAL_COST_CAP)
LPR = parse_lpr_table(lpr_csv_text())
TIGHT = Decimal("1e-25")


def loan(
    principal: int = 1_000_000,
    received: int | None = None,
    rate: str = "0.12",
    months: int = 12,
    method: Method = Method.EQUAL_INSTALLMENT,
    fee: int = 0,
    start: date = date(2026, 1, 5),
) -> LoanTerms:
    return LoanTerms(
        loan_id="L1",
        principal=principal,
        received=principal if received is None else received,
        annual_rate=Decimal(rate),
        term_months=months,
        method=method,
        disbursed_on=start,
        penalty_rate_daily=Decimal("0.0005"),
        grace_days=3,
        periodic_fee=fee,
    )


def root(value: Decimal, degree: int) -> Decimal:
    """value^(1/degree) at high precision, for expectations only."""
    with localcontext() as ctx:
        ctx.prec = 50
        return value ** (Decimal(1) / Decimal(degree))


# --- the IRR, by hand -----------------------------------------------------------------------


def test_zero_rate_loan_with_kantou_has_the_irr_of_the_deduction() -> None:
    # 200.00 contract at 0%, 2 months: installments 100.00 + 100.00, but only 144.00 received.
    # 144 = 100 v + 100 v^2 has v = 0.8, so the monthly IRR is 1/0.8 - 1 = 25% exactly.
    cost = true_cost(loan(principal=20_000, received=14_400, rate="0", months=2), LICENSED)
    assert abs(cost.irr.monthly - Decimal("0.25")) < TIGHT
    assert abs(cost.apr_irr - Decimal("3.00")) < TIGHT
    assert abs(cost.effective_annual - (Decimal("1.25") ** 12 - 1)) < TIGHT
    assert cost.upfront_deduction == 5_600
    assert cost.total_interest == 0
    assert cost.scheduled_total == 20_000


def test_zero_rate_bullet_with_kantou() -> None:
    # 10000.00 due in 12 months for 9000.00 received: (1+m)^12 = 10/9, effective = 1/9.
    cost = true_cost(
        loan(principal=1_000_000, received=900_000, rate="0", method=Method.BULLET), LICENSED
    )
    monthly = root(Decimal(10) / Decimal(9), 12) - 1
    assert abs(cost.irr.monthly - monthly) < TIGHT
    assert abs(cost.apr_irr - 12 * monthly) < TIGHT
    assert abs(cost.effective_annual - Decimal(1) / Decimal(9)) < TIGHT


def test_bullet_simple_interest_compounds_to_the_contract_rate_per_year() -> None:
    # 12% simple for 12 months: 1120.00 at month 12 on 1000.00, so effective annual = 12%
    # exactly while the disclosed APR (monthly x 12) is 12·(1.12^(1/12) − 1) ≈ 11.3866%.
    cost = true_cost(loan(principal=100_000, rate="0.12", method=Method.BULLET), LICENSED)
    assert cost.scheduled_total == 112_000
    assert abs(cost.effective_annual - Decimal("0.12")) < TIGHT
    assert abs(cost.apr_irr - 12 * (root(Decimal("1.12"), 12) - 1)) < TIGHT
    assert str(cost.apr_irr)[:8] == "0.113865"


@pytest.mark.parametrize(
    ("fee", "monthly"),
    [
        (0, "0.01"),  # 1% coupon on par: IRR is the coupon
        (5_000, "0.015"),  # + 50.00 fee a month on 10000.00: a 1.5% coupon
        (15_000, "0.025"),
    ],
)
def test_interest_only_on_par_yields_its_coupon(fee: int, monthly: str) -> None:
    cost = true_cost(loan(method=Method.INTEREST_ONLY, fee=fee), LICENSED)
    assert abs(cost.irr.monthly - Decimal(monthly)) < TIGHT
    assert abs(cost.apr_irr - 12 * Decimal(monthly)) < TIGHT
    assert cost.total_fees == 12 * fee
    assert cost.total_interest == 12 * 10_000


@pytest.mark.parametrize(
    ("rate", "months"),
    [("0.18", 12), ("0.24", 36), ("0.036", 6), ("0.12", 360), ("0.0435", 24)],
)
def test_equal_installment_without_fee_or_deduction_costs_its_contract_rate(
    rate: str, months: int
) -> None:
    # Only the fen rounding of the installments separates the IRR from the nominal rate.
    for method in (Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL):
        cost = true_cost(loan(rate=rate, months=months, method=method), LICENSED)
        assert abs(cost.apr_irr - Decimal(rate)) < Decimal("0.00005")


def test_a_zero_rate_interest_only_loan_pays_nothing_until_the_end() -> None:
    # Months 1..11 owe 0.00; 10000.00 at month 12 on 9000.00: (1+m)^12 = 10/9 as the bullet.
    cost = true_cost(loan(received=900_000, rate="0", method=Method.INTEREST_ONLY), LICENSED)
    assert abs(cost.effective_annual - Decimal(1) / Decimal(9)) < TIGHT
    assert cost.lawful.excess == 100_000


def test_negative_irr_when_less_is_paid_back_than_received() -> None:
    # 100.00 received, 81.00 repaid at month 2: (1+m)^2 = 0.81, m = −10%.
    cost = irr_of_flows(10_000, date(2026, 1, 5), [(date(2026, 3, 5), 8_100)])
    assert abs(cost.irr.monthly - Decimal("-0.1")) < TIGHT
    assert cost.cost == -1_900


# --- timing: the stdin form counts months on the schedule's calendar -------------------------


@pytest.mark.parametrize(
    ("start", "day", "months"),
    [
        (date(2026, 1, 5), date(2026, 2, 5), Fraction(1)),
        (date(2026, 1, 5), date(2026, 1, 20), Fraction(15, 31)),
        (date(2026, 1, 31), date(2026, 2, 28), Fraction(1)),  # clamped due date
        (date(2026, 1, 31), date(2026, 3, 15), 1 + Fraction(15, 31)),  # Feb 28 → Mar 31
        (date(2026, 1, 31), date(2026, 3, 31), Fraction(2)),
        (date(2025, 12, 10), date(2027, 1, 10), Fraction(13)),
    ],
)
def test_month_periods(start: date, day: date, months: Fraction) -> None:
    assert month_periods(start, day) == months


def test_month_periods_refuses_a_date_before_the_start() -> None:
    with pytest.raises(ValueError):
        month_periods(date(2026, 1, 5), date(2026, 1, 4))


@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("start", [date(2026, 1, 5), date(2026, 1, 31), date(2024, 2, 29)])
def test_stdin_form_agrees_with_the_loan_form_on_the_loans_own_schedule(
    method: Method, start: date
) -> None:
    terms = loan(received=930_000, rate="0.156", months=18, method=method, fee=2_500, start=start)
    payments = [(due.due_on, due.total) for due in build_schedule(terms)]
    flows = irr_of_flows(terms.received, terms.disbursed_on, payments)
    cost = true_cost(terms, LICENSED)
    assert abs(flows.irr.monthly - cost.irr.monthly) < TIGHT
    assert abs(flows.irr.apr - cost.apr_irr) < TIGHT
    assert flows.total_paid == cost.scheduled_total


@pytest.mark.parametrize(
    ("payments", "message"),
    [
        ([(date(2026, 1, 5), 100)], "payments[0]"),  # on the disbursement day
        ([(date(2026, 2, 5), 100), (date(2026, 3, 5), 0)], "payments[1]"),
    ],
)
def test_irr_of_flows_refuses_bad_payments(payments: list[tuple[date, int]], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        irr_of_flows(10_000, date(2026, 1, 5), payments)


# --- caps: RATE-1 / RATE-1s / RATE-2 and the LPR table ----------------------------------------


@pytest.mark.parametrize(
    ("lender", "contract_date", "rule", "cap"),
    [
        (LenderType.LICENSED, date(2026, 1, 5), "RATE-2", "0.24"),  # RATE-1s: licensed exempt
        (LenderType.PRIVATE, date(2026, 1, 5), "RATE-1", "0.12"),  # 4 x 3.00%
        (LenderType.PRIVATE, date(2024, 10, 21), "RATE-1", "0.124"),  # 4 x 3.10%, change day
        (LenderType.PRIVATE, date(2024, 10, 20), "RATE-1", "0.134"),  # day before: 4 x 3.35%
        (LenderType.PRIVATE, date(2023, 9, 1), "RATE-1", "0.138"),  # 4 x 3.45%
        (LenderType.PRIVATE, date(2019, 8, 20), "RATE-1", "0.17"),  # first row: 4 x 4.25%
    ],
)
def test_applicable_cap(lender: LenderType, contract_date: date, rule: str, cap: str) -> None:
    found = applicable_cap(lender, contract_date, LPR)
    assert (found.rule_id, found.rate) == (rule, Decimal(cap))


def test_a_date_after_the_last_lpr_row_says_the_rate_is_unverified() -> None:
    after = applicable_cap(LenderType.PRIVATE, date(2026, 1, 5), LPR)
    on_row = applicable_cap(LenderType.PRIVATE, date(2025, 5, 20), LPR)
    assert any("not verified" in note for note in after.notes)
    assert not any("not verified" in note for note in on_row.notes)


def test_lpr_before_the_first_row_is_refused_not_guessed() -> None:
    with pytest.raises(RateTableError, match="2019-08-20"):
        applicable_cap(LenderType.PRIVATE, date(2019, 8, 19), LPR)


def test_private_lending_needs_the_lpr_table() -> None:
    with pytest.raises(RateTableError, match="LPR"):
        applicable_cap(LenderType.PRIVATE, date(2026, 1, 5))


def test_the_total_cost_cap_is_a_parameter() -> None:
    assert applicable_cap(LenderType.LICENSED, date(2026, 1, 5), None, Decimal("0.36")).rate == (
        Decimal("0.36")
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,rate\n2020-01-01,0.04\n", "line 1: header"),
        ("date,one_year_lpr\n2020-01-01,four\n", "line 2, field one_year_lpr"),
        ("date,one_year_lpr\n2020-01-01,4.05\n", "line 2, field one_year_lpr"),
        ("# c\ndate,one_year_lpr\n2020-13-01,0.04\n", "line 3, field date"),
        ("date,one_year_lpr\n2020-02-01,0.04\n2020-01-01,0.04\n", "line 3, field date"),
        ("date,one_year_lpr\n2020-02-01,0.04,x\n", "line 2: expected 2 fields"),
        ("date,one_year_lpr\n", "no LPR rows"),
    ],
)
def test_lpr_table_errors_name_line_and_field(text: str, message: str) -> None:
    with pytest.raises(RateTableError, match=message):
        parse_lpr_table(text, source="lpr.csv")


# --- the lawful view ------------------------------------------------------------------------


def test_lawful_view_of_kantou_and_a_rate_above_the_cap() -> None:
    # Contract: 10000.00 interest-only at 36%: 300.00 a month, total 13600.00.
    # Lawful: 9000.00 received at 24%: 180.00 a month, total 9000 + 2160 = 11160.00.
    cost = true_cost(loan(received=900_000, rate="0.36", method=Method.INTEREST_ONLY), LICENSED)
    assert cost.scheduled_total == 1_360_000
    assert cost.lawful.principal == 900_000
    assert cost.lawful.rate_used == Decimal("0.24")
    assert cost.lawful.lawful_total == 1_116_000
    assert cost.lawful.excess == 244_000
    assert any("KANTOU-1" in note for note in cost.lawful.notes)


def test_fees_within_the_total_cost_cap_are_kept() -> None:
    # 12% + 50.00/month fee on 10000.00 = 18% total cost <= 24%: nothing is excess.
    cost = true_cost(loan(method=Method.INTEREST_ONLY, fee=5_000), LICENSED)
    assert cost.lawful.fee_per_installment == 5_000
    assert cost.lawful.excess == 0


def test_fees_above_the_total_cost_cap_are_cut_to_the_room_left() -> None:
    # 12% interest leaves 24% − 12% = 1% a month of room on a par interest-only loan: the
    # coupon-bond identity P − PV_y(coupon c) = P·(y − c)·annuity makes the room 100.00.
    # Contract 10000 + 12·100 + 12·150 = 13000.00; lawful 10000 + 12·100 + 12·100 = 12400.00.
    cost = true_cost(loan(method=Method.INTEREST_ONLY, fee=15_000), LICENSED)
    assert cost.lawful.fee_per_installment == 10_000
    assert cost.lawful.lawful_total == 1_240_000
    assert cost.lawful.excess == 60_000
    assert any("服务费" in note for note in cost.lawful.notes)


def test_a_bullet_at_the_cap_still_has_room_for_a_fee() -> None:
    # 24% simple for 12 months = 2400.00 interest; the cap compounds monthly at 2%, so the
    # room at month 12 is 10000·1.02^12 − 12400 = 12682.4179... − 12400 → 282.41 (floor).
    cost = true_cost(loan(rate="0.24", method=Method.BULLET, fee=50_000), LICENSED)
    assert cost.lawful.fee_per_installment == 28_241
    assert cost.lawful.lawful_total == 1_000_000 + 240_000 + 28_241
    assert cost.lawful.excess == 50_000 - 28_241


@pytest.mark.parametrize(
    ("lender", "excess", "rule"),
    [
        # 18% interest-only on 10000.00: licensed lenders are within 24% ...
        (LenderType.LICENSED, 0, "RATE-2"),
        # ... a private lender is held to 4 x 3.00% = 12%: 12·(150 − 100) = 600.00 excess.
        (LenderType.PRIVATE, 60_000, "RATE-1"),
    ],
)
def test_private_and_licensed_lenders_meet_different_caps(
    lender: LenderType, excess: int, rule: str
) -> None:
    terms = loan(rate="0.18", method=Method.INTEREST_ONLY, start=date(2025, 6, 1))
    cost = true_cost(terms, applicable_cap(lender, terms.disbursed_on, LPR))
    assert cost.lawful.cap_rule == rule
    assert cost.lawful.excess == excess


def test_zero_rate_loan_with_kantou_owes_only_what_was_received() -> None:
    cost = true_cost(loan(principal=20_000, received=14_400, rate="0", months=2), LICENSED)
    assert cost.lawful.lawful_total == 14_400
    assert cost.lawful.excess == 5_600


# --- invariants -----------------------------------------------------------------------------

loan_terms = st.builds(
    lambda principal, kept, rate, months, method, fee: loan(
        principal=principal,
        received=principal * kept // 100,
        rate=str(Decimal(rate) / 1000),
        months=months,
        method=method,
        fee=fee,
    ),
    principal=st.integers(100_00, 500_000_00),
    kept=st.integers(50, 100),
    rate=st.integers(0, 480),
    months=st.integers(1, 36),
    method=st.sampled_from(list(Method)),
    fee=st.integers(0, 500_00),
)
caps = st.sampled_from(
    [LICENSED, applicable_cap(LenderType.PRIVATE, date(2026, 1, 5), LPR), RateCap("X", Decimal(0))]
)


@settings(max_examples=60, deadline=None)
@given(terms=loan_terms, extra=st.integers(1, 100_00))
def test_irr_rises_with_fees(terms: LoanTerms, extra: int) -> None:
    more = replace(terms, periodic_fee=terms.periodic_fee + extra)
    assert true_cost(more, LICENSED).apr_irr > true_cost(terms, LICENSED).apr_irr


@settings(max_examples=60, deadline=None)
@given(terms=loan_terms, cap=caps)
def test_excess_is_never_negative_and_lawful_never_above_contract(
    terms: LoanTerms, cap: RateCap
) -> None:
    cost = true_cost(terms, cap)
    assert cost.lawful.excess >= 0
    assert cost.lawful.excess == max(0, cost.scheduled_total - cost.lawful.lawful_total)
    assert 0 <= cost.lawful.fee_per_installment <= terms.periodic_fee
    assert cost.lawful.rate_used <= cap.rate


@settings(max_examples=60, deadline=None)
@given(terms=loan_terms)
def test_a_loan_within_the_cap_with_nothing_deducted_has_no_excess(terms: LoanTerms) -> None:
    # Lawful: all of the principal received, nominal rate and total cost both within the cap.
    # (The nominal rate must be too: a 24.1% bullet compounds to an IRR under 24% but its
    # interest is still capped at 24%.)
    rate = min(terms.annual_rate, LICENSED.rate)
    lawful = replace(terms, received=terms.principal, annual_rate=rate)
    cost = true_cost(lawful, LICENSED)
    assume(cost.apr_irr < LICENSED.rate)
    assert cost.lawful.excess == 0
    assert cost.lawful.lawful_total == cost.scheduled_total


@pytest.mark.parametrize(("cap", "within"), [("0.12", True), ("0.119999", False), ("0.2", True)])
def test_a_loan_exactly_on_the_cap_is_within_it(cap: str, within: bool) -> None:
    # A par 1% coupon solves to 12% up to the solver's last digits, which must not count.
    irr = true_cost(loan(method=Method.INTEREST_ONLY), LICENSED).irr
    assert irr.within(Decimal(cap)) is within
