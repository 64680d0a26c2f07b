"""The loan ledger: schedules, payment allocation, penalty and the state as of a date.

``replay`` is the reference: a per-loan, readable statement of the conventions. Faster
portfolio-wide engines must agree with it to the fen (tests compare them).
"""
