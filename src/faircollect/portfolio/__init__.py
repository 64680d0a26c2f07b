"""The ledger for a whole portfolio at once: numpy columns, exact integer arithmetic.

``compute_states(loans, payments, as_of)`` gives every loan's state as of a date, equal
field by field to ``domain.ledger.replay`` for each loan, in a fraction of the time.
"""

from faircollect.portfolio.columns import (
    LoanColumns,
    PaymentColumns,
    day_number,
    from_day_number,
    loan_columns,
    payment_columns,
)
from faircollect.portfolio.engine import BUCKETS, NO_DATE, STAGES, PortfolioStates, compute_states

__all__ = [
    "BUCKETS",
    "NO_DATE",
    "STAGES",
    "LoanColumns",
    "PaymentColumns",
    "PortfolioStates",
    "compute_states",
    "day_number",
    "from_day_number",
    "loan_columns",
    "payment_columns",
]
