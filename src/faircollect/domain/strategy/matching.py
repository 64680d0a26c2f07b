"""Which segment of a strategy an account falls in; the first match in file order wins."""

from __future__ import annotations

from collections.abc import Sequence

from faircollect.domain.strategy.model import Segment, SegmentMatch


def matches(
    match: SegmentMatch,
    *,
    bucket: str,
    product: str,
    balance: int,
    risk_score: int | None,
    first_time: bool,
) -> bool:
    """True when every criterion the segment sets holds for the account."""
    if match.buckets and bucket not in match.buckets:
        return False
    if match.products and product not in match.products:
        return False
    if not match.balance.contains(balance):
        return False
    if match.risk is not None and (risk_score is None or not match.risk.contains(risk_score)):
        return False
    return match.first_time is None or match.first_time == first_time


def first_matching(
    segments: Sequence[Segment],
    *,
    bucket: str,
    product: str,
    balance: int,
    risk_score: int | None,
    first_time: bool,
) -> Segment | None:
    """The first segment whose criteria hold, or None when the account falls in none."""
    for segment in segments:
        if matches(
            segment.match,
            bucket=bucket,
            product=product,
            balance=balance,
            risk_score=risk_score,
            first_time=first_time,
        ):
            return segment
    return None
