"""The night's lawful amounts, all loans at once (``portfolio.lawful``), are exactly the
reference's (``domain.lawful.lawful_amounts``) loan by loan: the example and story loans,
random loans with 砍头息, fees and rates above the cap, and the loans the engine leaves to
the reference (adjusted, too big for int64, odd penalty rates, negative payments)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect.adapters.db.repository import StoredLoan
from faircollect.data import lpr_csv_text
from faircollect.domain.lawful import LawfulAmounts, lawful_amounts
from faircollect.domain.ledger.adjustments import Adjustment, WaivedComponent, WaiverGranted
from faircollect.domain.ledger.schedule import build_schedule
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.domain.rates import (
    DEFAULT_TOTAL_COST_CAP,
    LenderType,
    RateCap,
    applicable_cap,
    parse_lpr_table,
)
from faircollect.domain.true_cost import lawful_view
from faircollect.portfolio.lawful import lawful_amounts_of
from tests.scenarios.portfolio import FIRST_DUE
from tests.scenarios.portfolio import terms as story_terms
from tests.unit.portfolio.strategies import as_of_dates, loans, payments
from tests.unit.test_true_cost import loan as example_loan
from tests.web.borrower.support import kantou_terms

LICENSED = RateCap("RATE-2", DEFAULT_TOTAL_COST_CAP)
PRIVATE = applicable_cap(LenderType.PRIVATE, date(2024, 6, 1), parse_lpr_table(lpr_csv_text()))
"""4 x LPR: a cap with more decimals than the licensed 24 %."""

Loan = tuple[LoanTerms, list[Payment], list[Adjustment]]


def batch(
    portfolio: list[Loan], as_of: date, cap: RateCap = LICENSED
) -> list[LawfulAmounts | None]:
    stored = [StoredLoan(terms, pays, changes) for terms, pays, changes in portfolio]
    return lawful_amounts_of(stored, as_of, lambda _: cap)


def reference(
    portfolio: list[Loan], as_of: date, cap: RateCap = LICENSED
) -> list[LawfulAmounts | None]:
    return [lawful_amounts(terms, pays, as_of, cap, changes) for terms, pays, changes in portfolio]


def on_schedule(terms: LoanTerms, until: date, amount: int | None = None) -> list[Payment]:
    """One payment on each due date up to ``until``: the installment, or ``amount``."""
    return [
        Payment(f"P{due.number:02d}", terms.loan_id, due.due_on, amount or due.total)
        for due in build_schedule(terms)
        if due.due_on <= until
    ]


# --- the project's example and story loans ---------------------------------------------------


def story_loan() -> LoanTerms:
    """张L1 (tests/scenarios/test_night_lawful_amounts.py): 12,000.00 on paper at 36 %,
    9,600.00 received; lawfully 12 installments of 907.77."""
    return replace(story_terms("L1"), received=960_000, annual_rate=Decimal("0.36"))


def test_the_story_loans_owe_what_the_reference_says_on_every_night() -> None:
    late = story_loan()
    portfolio: list[Loan] = [
        (late, [], []),
        (story_terms("L2"), [], []),  # 18 %, all received, no fee: nothing to cut
        (replace(late, loan_id="L3"), on_schedule(late, FIRST_DUE, 90_777), []),
        (replace(late, loan_id="L4"), on_schedule(late, date(2026, 11, 13), 120_555), []),
    ]
    for as_of in (FIRST_DUE - timedelta(days=3), FIRST_DUE + timedelta(days=1), date(2026, 12, 10)):
        assert batch(portfolio, as_of) == reference(portfolio, as_of)
    before = batch(portfolio, FIRST_DUE - timedelta(days=3))
    assert before[0] is not None and before[0].next_due_amount == 90_777  # 907.77 by hand
    assert before[1] is None
    paid_off = batch(portfolio, date(2026, 12, 10))[3]
    assert paid_off is not None and paid_off.state.next_due_on is None


def test_the_portal_kantou_loan_owes_what_the_reference_says() -> None:
    terms = kantou_terms("B1")
    paid = on_schedule(terms, date(2026, 4, 15))
    for as_of in (date(2026, 1, 10), date(2026, 3, 1), date(2026, 7, 20), date(2027, 3, 1)):
        for pays in ([], paid):
            assert batch([(terms, pays, [])], as_of) == reference([(terms, pays, [])], as_of)


def test_the_true_cost_examples_owe_what_the_reference_says() -> None:
    examples = [
        example_loan(received=900_000, rate="0.36", method=Method.INTEREST_ONLY),
        example_loan(method=Method.INTEREST_ONLY, fee=5_000),  # within the cap: None
        example_loan(method=Method.INTEREST_ONLY, fee=15_000),  # fee cut to 100.00
        example_loan(rate="0.24", method=Method.BULLET, fee=50_000),  # fee cut to 282.41
        example_loan(principal=20_000, received=14_400, rate="0", months=2),
    ]
    portfolio: list[Loan] = [
        (replace(terms, loan_id=f"L{i}"), pays, [])
        for i, terms in enumerate(examples)
        for pays in ([], on_schedule(terms, date(2026, 5, 5)))
    ]
    for as_of in (date(2026, 1, 1), date(2026, 3, 5), date(2026, 6, 20), date(2027, 2, 1)):
        assert batch(portfolio, as_of) == reference(portfolio, as_of)
    first = batch(portfolio, date(2026, 1, 20))
    assert first[2] is None and first[3] is None  # fees within the cap ask for nothing more
    cut = first[4]
    assert cut is not None and cut.next_due_amount == 10_000 + 10_000  # interest + fee room
    bullet = first[6]
    assert bullet is not None and bullet.next_due_amount == 1_000_000 + 240_000 + 28_241


# --- random loans --------------------------------------------------------------------------


@st.composite
def exceeding(draw: st.DrawFn, loan_id: str) -> Loan:
    """A loan that may ask for more than the law supports, its payments (partial, late,
    early, zero, over), and sometimes a waiver (left to the reference)."""
    terms = draw(loans(loan_id))
    terms = replace(
        terms,
        received=draw(
            st.sampled_from([terms.received, terms.principal, terms.principal * 9 // 10])
        ),
        annual_rate=draw(
            st.sampled_from(
                [terms.annual_rate, Decimal("0.36"), Decimal("0.2400001"), Decimal("0.3")]
            )
        ),
        periodic_fee=draw(st.sampled_from([terms.periodic_fee, 0, 1_500, 50_000, 400_000])),
    )
    pays = draw(payments(terms, prefix=f"{loan_id}P"))
    changes: list[Adjustment] = []
    if draw(st.integers(0, 9)) == 0:
        day = terms.disbursed_on + timedelta(days=draw(st.integers(30, 400)))
        component = draw(st.sampled_from(list(WaivedComponent)))
        changes.append(
            WaiverGranted("W1", loan_id, day, "u", "r", component, draw(st.integers(1, 50_000)))
        )
    return terms, pays, changes


@settings(max_examples=250, deadline=None)
@given(data=st.data(), count=st.integers(1, 6), cap=st.sampled_from([LICENSED, PRIVATE]))
def test_random_loans_owe_what_the_reference_says(
    data: st.DataObject, count: int, cap: RateCap
) -> None:
    portfolio = [data.draw(exceeding(f"L{i}")) for i in range(count)]
    for _ in range(3):  # before, during and after the term, one loan's dates at a time
        as_of = data.draw(as_of_dates(data.draw(st.sampled_from(portfolio))[0]))
        assert batch(portfolio, as_of, cap) == reference(portfolio, as_of, cap)


@settings(max_examples=150, deadline=None)
@given(terms=loans(), extra=st.sampled_from([-1, 0, 1]), days=st.integers(-20, 1_200))
def test_a_fee_at_the_edge_of_the_cap_is_kept_or_cut_as_the_reference_does(
    terms: LoanTerms, extra: int, days: int
) -> None:
    """The room for fees is computed in integers, not Fractions: a contract fee one fen
    below, at, or one fen above the room must be kept or cut exactly as the reference."""
    fair = replace(
        terms, received=terms.principal, annual_rate=min(terms.annual_rate, LICENSED.rate)
    )
    room = lawful_view(replace(fair, periodic_fee=10**12), 0, LICENSED).fee_per_installment
    edge = replace(fair, periodic_fee=max(room + extra, 1))
    portfolio: list[Loan] = [
        (edge, on_schedule(edge, edge.disbursed_on + timedelta(days=days)), [])
    ]
    as_of = edge.disbursed_on + timedelta(days=days)
    assert batch(portfolio, as_of) == reference(portfolio, as_of)


# --- what the engine leaves to the reference --------------------------------------------------


def test_an_adjusted_loan_owes_what_the_reference_says_with_its_adjustments() -> None:
    terms = kantou_terms("B1")
    waiver = WaiverGranted(
        "W1", terms.loan_id, date(2026, 4, 1), "u", "r", WaivedComponent.PENALTY, 5_000
    )
    as_of = date(2026, 4, 10)
    adjusted: list[Loan] = [(terms, [], [waiver])]
    assert batch(adjusted, as_of) == reference(adjusted, as_of)
    assert batch(adjusted, as_of) != reference([(terms, [], [])], as_of)  # the waiver counted


def test_loans_the_columns_cannot_hold_owe_what_the_reference_says() -> None:
    story = story_loan()
    portfolio: list[Loan] = [
        (replace(story, principal=10**17, received=9 * 10**16), [], []),  # beyond int64 bounds
        (replace(story, penalty_rate_daily=Decimal("0.000512345")), [], []),  # 9 decimals
        (
            story,  # a reversal: the reference allocates nothing of a negative payment
            [
                Payment("P0", story.loan_id, FIRST_DUE, 90_777),
                Payment("P1", "L1", FIRST_DUE, -5_000),
            ],
            [],
        ),
    ]
    for as_of in (FIRST_DUE + timedelta(days=40), date(2027, 6, 1)):
        found = batch(portfolio, as_of)
        assert found == reference(portfolio, as_of)
        assert all(amounts is not None for amounts in found)
