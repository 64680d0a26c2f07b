"""``faircollect demo``: a realistic synthetic portfolio in the four import CSV formats.

The portfolio is built to exercise the whole product: several products with different
rates (some above the 24% cap), up-front deductions (砍头息, received < contract principal)
and periodic service fees (服务费) for the true-cost analysis; all four repayment methods;
and repayment behaviour that leaves accounts spread over the buckets M0..M6+ on the as-of
date (on time, late, partial, stopped at some installment, prepaid). Each loan carries
the lender's risk score (0-1000, higher = riskier) that predicted that behaviour, noisily,
and some are unscored; a share of borrowers gave an e-mail address (see ``demo_people``),
so the strategy's risk segments and e-mail actions have accounts to act on.

Everything is vectorised with numpy and written with Polars in chunks of loans, so a
million accounts take seconds and bounded memory. Installment amounts come from the
domain's own ``schedule_rows`` (computed once per distinct contract), so "paid in full"
here is paid in full to the fen for the ledger. Same seed, same N, same as-of: same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO

import numpy as np
import polars as pl

from faircollect.domain.ledger.schedule import schedule_rows
from faircollect.domain.ledger.terms import Method
from faircollect.services.demo_people import borrowers_frame, contacts_frame, emails

CHUNK_LOANS = 100_000
LOANS_PER_BORROWER = 1.25
HISTORY_DAYS = 730
"""Loans are disbursed over the two years before the as-of date."""


@dataclass(frozen=True, slots=True)
class Product:
    """A loan product as data: what its contracts look like."""

    name: str
    share: float
    rates_bp: tuple[int, ...]
    """Annual rates in basis points (1800 = 18%)."""
    terms: tuple[int, ...]
    methods: tuple[Method, ...]
    principal_yuan: tuple[int, int, int]
    """(lowest, highest, step) of the contract principal."""
    kantou_share: float = 0.0
    """Share of contracts with interest deducted up front (砍头息)."""
    fee_share: float = 0.0
    """Share of contracts with a monthly service fee (服务费)."""
    fee_monthly_bp: int = 0
    """The service fee per installment, in basis points of the contract principal."""


PRODUCTS = (
    Product("消费贷", 0.35, (720, 1080, 1440, 1800), (6, 12, 24, 36),
            (Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL), (5_000, 100_000, 1_000),
            fee_share=0.2, fee_monthly_bp=20),
    Product("现金贷", 0.25, (1800, 2400, 2800, 3600), (3, 6, 12),
            (Method.EQUAL_INSTALLMENT,), (1_000, 20_000, 500),
            kantou_share=0.4, fee_share=0.5, fee_monthly_bp=50),
    Product("信用卡分期", 0.20, (0,), (3, 6, 12, 24),
            (Method.EQUAL_PRINCIPAL,), (3_000, 50_000, 1_000),
            fee_share=1.0, fee_monthly_bp=60),
    Product("经营贷", 0.15, (435, 600, 800, 1200), (12, 24, 36),
            (Method.INTEREST_ONLY, Method.EQUAL_INSTALLMENT), (50_000, 500_000, 10_000)),
    Product("小额短贷", 0.05, (1800, 2400), (3, 6),
            (Method.BULLET,), (1_000, 10_000, 500), kantou_share=0.3),
)  # fmt: skip
METHOD_CODES = tuple(Method)
KANTOU_PCT = np.array([5, 8, 10, 15])
PENALTY_RATES = ("0.0005", "0.0003", "0.0004", "0.00066667")
PENALTY_WEIGHTS = (0.7, 0.1, 0.1, 0.1)
PENALTY_PER_1E8 = np.array([50_000, 30_000, 40_000, 66_667], dtype=np.int64)

ON_TIME, LATE, PARTIAL, STOPPED, PREPAID = range(5)
BEHAVIOUR_WEIGHTS = (0.60, 0.14, 0.06, 0.17, 0.03)
STOP_BACK = np.array([1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 9, 12])
"""How many installments before the last due one a stopped payer stopped (DPD spread)."""
RISK_CENTRE = np.array([300, 520, 620, 720, 250])
"""Mean risk score by behaviour (ON_TIME, LATE, PARTIAL, STOPPED, PREPAID): a score is a
prediction made at origination, so it leans towards what the borrower later did."""
RISK_SPREAD = 110
"""Standard deviation of a score around its behaviour's mean: the prediction is noisy, so
some on-time payers score high and some who stopped score low."""
UNSCORED_SHARE = 0.08
"""Loans without a score (older originations, thin files): they match no risk segment."""


def generate(accounts: int, out: Path, seed: int, as_of: date) -> dict[str, int]:
    """Write borrowers/contacts/loans/payments.csv for ``accounts`` loans; row counts back."""
    out.mkdir(parents=True, exist_ok=True)
    n_borrowers = max(1, int(accounts / LOANS_PER_BORROWER))
    counts = dict.fromkeys(("borrowers.csv", "contacts.csv", "loans.csv", "payments.csv"), 0)
    handles = {name: (out / name).open("wb") for name in counts}
    try:
        for index, start in enumerate(range(0, n_borrowers, CHUNK_LOANS)):
            rng = np.random.default_rng([seed, 1, index])
            ids = _ids("B", np.arange(start, min(start + CHUNK_LOANS, n_borrowers)), 8)
            people = borrowers_frame(rng, ids, as_of)
            # Own stream: adding e-mail left every other generated value as it was.
            email = emails(np.random.default_rng([seed, 3, index]), people["phone"])
            _write(handles, counts, "borrowers.csv", people.with_columns(email))
            _write(handles, counts, "contacts.csv", contacts_frame(rng, ids))
        cache: dict[int, np.ndarray] = {}
        for index, start in enumerate(range(0, accounts, CHUNK_LOANS)):
            rng = np.random.default_rng([seed, 2, index])
            stop = min(start + CHUNK_LOANS, accounts)
            loans = _loans(rng, start, stop, n_borrowers, as_of)
            behaviour = rng.choice(5, stop - start, p=BEHAVIOUR_WEIGHTS)
            risk = _risk_scores(np.random.default_rng([seed, 4, index]), behaviour)
            payments = _payments(rng, loans, behaviour, as_of, cache, counts["payments.csv"])
            _write(handles, counts, "loans.csv", _loans_frame(loans, risk))
            _write(handles, counts, "payments.csv", payments)
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def _write(
    handles: dict[str, IO[bytes]], counts: dict[str, int], name: str, frame: pl.DataFrame
) -> None:
    frame.write_csv(handles[name], include_header=counts[name] == 0)
    counts[name] += frame.height


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Identifiers like B00000042: a prefix and a zero-padded sequence number."""
    digits = pl.Series(numbers).cast(pl.Utf8).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(prefix), digits)).to_series()


def _yuan(fen: np.ndarray) -> pl.Series:
    """Integer fen as yuan text with exactly two decimals (never through a float)."""
    fen_s = pl.Series(fen)
    return pl.select(
        pl.format("{}.{}", fen_s // 100, (fen_s % 100).cast(pl.Utf8).str.zfill(2))
    ).to_series()


@dataclass(slots=True)
class _Loans:
    """One chunk of generated contracts as parallel arrays (amounts in fen)."""

    ids: pl.Series
    borrower: np.ndarray
    product: np.ndarray
    principal: np.ndarray
    received: np.ndarray
    rate_bp: np.ndarray
    term: np.ndarray
    method: np.ndarray
    disbursed: np.ndarray
    penalty: np.ndarray
    grace: np.ndarray
    fee: np.ndarray


def _loans(
    rng: np.random.Generator, start: int, stop: int, n_borrowers: int, as_of: date
) -> _Loans:
    n = stop - start
    number = np.arange(start, stop)
    borrower = np.where(number < n_borrowers, number, rng.integers(0, n_borrowers, n))
    product = rng.choice(len(PRODUCTS), n, p=[p.share for p in PRODUCTS])
    principal, rate_bp, term, method, kantou, fee = (np.zeros(n, dtype=np.int64) for _ in range(6))
    for code, spec in enumerate(PRODUCTS):
        mine = np.flatnonzero(product == code)
        low, high, step = spec.principal_yuan
        principal[mine] = rng.integers(low // step, high // step + 1, len(mine)) * step * 100
        rate_bp[mine] = rng.choice(spec.rates_bp, len(mine))
        term[mine] = rng.choice(spec.terms, len(mine))
        method[mine] = rng.choice([METHOD_CODES.index(m) for m in spec.methods], len(mine))
        cut = rng.random(len(mine)) < spec.kantou_share
        kantou[mine] = np.where(cut, principal[mine] * rng.choice(KANTOU_PCT, len(mine)) // 100, 0)
        charged = rng.random(len(mine)) < spec.fee_share
        fee[mine] = np.where(charged, principal[mine] * spec.fee_monthly_bp // 10_000, 0)
    back = rng.integers(1, HISTORY_DAYS + 1, n).astype("timedelta64[D]")
    return _Loans(
        ids=_ids("L", number, 8),
        borrower=borrower,
        product=product,
        principal=principal,
        received=principal - kantou,
        rate_bp=rate_bp,
        term=term,
        method=method,
        disbursed=np.datetime64(as_of, "D") - back,
        penalty=rng.choice(len(PENALTY_RATES), n, p=PENALTY_WEIGHTS),
        grace=rng.integers(0, 4, n),
        fee=fee,
    )


def _risk_scores(rng: np.random.Generator, behaviour: np.ndarray) -> pl.Series:
    """A risk score per loan drawn around its behaviour's mean; None for the unscored."""
    drawn = rng.normal(RISK_CENTRE[behaviour], RISK_SPREAD)
    score = pl.Series(np.clip(np.rint(drawn), 0, 1000).astype(np.int64))
    unscored = pl.Series(rng.random(len(behaviour)) < UNSCORED_SHARE)
    return pl.select(pl.when(unscored).then(None).otherwise(score)).to_series()


def _loans_frame(loans: _Loans, risk: pl.Series) -> pl.DataFrame:
    rates = pl.Series([str(Decimal(bp) / 10_000) for bp in range(0, 3601)])
    return pl.DataFrame(
        {
            "loan_id": loans.ids,
            "borrower_id": _ids("B", loans.borrower, 8),
            "product": pl.Series([p.name for p in PRODUCTS]).gather(loans.product),
            "contract_principal": _yuan(loans.principal),
            "received_amount": _yuan(loans.received),
            "annual_rate": rates.gather(loans.rate_bp),
            "term_months": loans.term,
            "method": pl.Series([m.value for m in METHOD_CODES]).gather(loans.method),
            "disbursed_on": pl.Series(loans.disbursed),
            "penalty_rate_daily": pl.Series(list(PENALTY_RATES)).gather(loans.penalty),
            "grace_days": loans.grace,
            "periodic_fee": _yuan(loans.fee),
            "risk_score": risk,
        }
    )


def _schedules(loans: _Loans, cache: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Principal + interest of every installment of every loan, flattened loan by loan.

    Computed exactly by the domain's ``schedule_rows`` once per distinct contract (method,
    rate, term, principal), which the discrete product grids keep to a few thousand.
    Returns (per-installment amounts, installment count per loan).
    """
    key = ((loans.method * 4096 + loans.rate_bp) * 64 + loans.term) * 2**26 + loans.principal
    unique, inverse = np.unique(key, return_inverse=True)
    for value in unique.tolist():
        if value not in cache:
            cache[value] = _schedule(value)
    parts = [cache[value] for value in unique.tolist()]
    lengths = np.array([len(part) for part in parts])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    flat = np.concatenate(parts)
    count = lengths[inverse]
    position = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return flat[np.repeat(offsets[inverse], count) + position], count


def _schedule(key: int) -> np.ndarray:
    principal = key % 2**26
    rest = key // 2**26
    term, rest = rest % 64, rest // 64
    rate_bp, method = rest % 4096, rest // 4096
    rows = schedule_rows(METHOD_CODES[method], principal, Decimal(rate_bp) / 10_000, term)
    return np.array([part + interest for part, interest in rows], dtype=np.int64)


def _due_dates(disbursed: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Disbursement + k months, same day of month clamped to the month's end (add_months)."""
    start_month = disbursed.astype("datetime64[M]")
    day = (disbursed - start_month.astype("datetime64[D]")).astype(np.int64)
    month = start_month + months.astype("timedelta64[M]")
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    return first + np.minimum(day, length - 1).astype("timedelta64[D]")


def _payments(
    rng: np.random.Generator,
    loans: _Loans,
    behaviour: np.ndarray,
    as_of: date,
    cache: dict[int, np.ndarray],
    first: int,
) -> pl.DataFrame:
    """payments.csv rows for a chunk of loans, following each loan's repayment behaviour
    (ON_TIME, LATE, ... per loan)."""
    n = len(loans.principal)
    scheduled, count = _schedules(loans, cache)
    loan = np.repeat(np.arange(n), count)
    index = np.arange(len(loan)) - np.repeat(np.cumsum(count) - count, count)
    bullet = loans.method == METHOD_CODES.index(Method.BULLET)
    due = _due_dates(loans.disbursed[loan], np.where(bullet[loan], loans.term[loan], index + 1))
    owed = scheduled + loans.fee[loan]
    today = np.datetime64(as_of, "D")
    n_due = np.bincount(loan, weights=due < today, minlength=n).astype(np.int64)
    paid_up_to = _paid_up_to(rng, behaviour, n_due)
    regular = index < paid_up_to[loan]
    late = np.where(behaviour[loan] == LATE, rng.integers(0, 26, len(loan)), 0)
    early = np.where(late > 0, 0, rng.integers(0, 4, len(loan)) * (rng.random(len(loan)) < 0.3))
    days = (late - early).astype("timedelta64[D]")
    penalty = np.where(
        late > loans.grace[loan],
        -(-scheduled * PENALTY_PER_1E8[loans.penalty[loan]] * late // 10**8),
        0,
    )
    partial = (behaviour[loan] == PARTIAL) & ~regular & (index < n_due[loan])
    share = rng.integers(40, 91, len(loan))
    on = np.where(regular, due + days, due)
    amount = np.where(regular, owed + penalty, np.maximum(1, owed * share // 100))
    keep = (regular | partial) & (on <= today)
    prepay_loan, prepay_on, prepay_amount = _prepayments(
        rng, behaviour, paid_up_to, n_due, loan, index, due, owed, today
    )
    which = np.concatenate((loan[keep], prepay_loan))
    when = np.concatenate((on[keep], prepay_on))
    how_much = np.concatenate((amount[keep], prepay_amount))
    order = np.lexsort((when, which))
    return pl.DataFrame(
        {
            "payment_id": _ids("P", np.arange(first, first + len(order)), 10),
            "loan_id": loans.ids.gather(which[order]),
            "paid_on": pl.Series(when[order]),
            "amount": _yuan(how_much[order]),
        }
    )


def _paid_up_to(rng: np.random.Generator, behaviour: np.ndarray, n_due: np.ndarray) -> np.ndarray:
    """How many installments each loan pays regularly before it stops, goes partial or prepays."""
    n = len(behaviour)
    stopped = np.maximum(0, n_due - STOP_BACK[rng.integers(0, len(STOP_BACK), n)])
    partial = np.maximum(0, n_due - rng.integers(1, 4, n))
    prepaid = np.minimum(n_due, 1 + (rng.random(n) * np.maximum(n_due, 1)).astype(np.int64))
    return np.select(
        [behaviour == STOPPED, behaviour == PARTIAL, behaviour == PREPAID],
        [stopped, partial, prepaid],
        n_due,
    )


def _prepayments(
    rng: np.random.Generator,
    behaviour: np.ndarray,
    paid_up_to: np.ndarray,
    n_due: np.ndarray,
    loan: np.ndarray,
    index: np.ndarray,
    due: np.ndarray,
    owed: np.ndarray,
    today: np.datetime64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One payment per prepaying loan, 5-25 days after its last regular installment, of
    everything still scheduled (the loan closes early)."""
    prepaying = (behaviour == PREPAID) & (paid_up_to >= 1)
    last_regular = prepaying[loan] & (index == paid_up_to[loan] - 1)
    remaining = np.bincount(
        loan, weights=np.where(index >= paid_up_to[loan], owed, 0), minlength=len(behaviour)
    )
    rows = np.flatnonzero(last_regular)
    owners = loan[rows]
    on = due[rows] + rng.integers(5, 26, len(rows)).astype("timedelta64[D]")
    amount = remaining[owners].astype(np.int64)
    keep = (on <= today) & (amount > 0)
    return owners[keep], on[keep], amount[keep]
