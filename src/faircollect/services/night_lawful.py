"""The night's messages ask only for what is lawfully owed (KANTOU-1, RATE-1, RATE-2).

Planning decides who gets which message from the contract's state (how late, which
bucket); what a message, letter or lawyer letter then asks for is the lawful amount, with
the contract's figure only beside it, marked as not collected. Only the loans the night
writes to are looked at, and a loan without 砍头息, fees or a rate above the cap is
skipped at the cost of a comparison (``domain.lawful.lawful_amounts``); the others are
read in bulk and replayed under their lawful terms.

A loan that is late under its contract but owes nothing overdue under its lawful terms, or
is paid off under them, is sent no demand or reminder at all: a message for money the law
does not support is the very message this project exists to stop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import cache

from sqlalchemy import Connection

from faircollect.adapters.db import repository
from faircollect.adapters.db.ledger_runs import adjusted_loan_ids
from faircollect.adapters.parallel import split_run
from faircollect.domain.lawful import LawfulAmounts, lawful_amounts, may_exceed
from faircollect.domain.ledger.terms import LoanTerms
from faircollect.domain.rates import LenderType, RateCap
from faircollect.domain.strategy import AccountView
from faircollect.domain.strategy.model import Party
from faircollect.domain.strategy.planning import PlannedAction, TemplateContext
from faircollect.services.loans import cap_for

REPLAY_PARALLEL_MIN = 500
"""Loans from which the replay is shared with a forked helper: at about a millisecond a
loan, 500 loans are half a second of CPU against a fork and a pickled answer of a few
hundredths of a second."""


def with_lawful_amounts(
    conn: Connection,
    actions: Sequence[PlannedAction],
    views: Mapping[str, AccountView],
    as_of: date,
) -> tuple[list[PlannedAction], dict[str, AccountView]]:
    """``actions`` whose messages ask for the lawful amounts, without the demands a loan
    lawfully does not owe; and the views of the loans whose amounts changed, by loan id."""
    lawful = lawful_views(conn, _written_to(actions), views, as_of)
    if not lawful:
        return list(actions), {}
    kept = []
    for action in actions:
        view = lawful.get(action.loan_id)
        if view is None or not isinstance(action.context, TemplateContext):
            kept.append(action)
        elif not _owes_nothing_lawfully(view):
            kept.append(replace(action, context=action.context.for_account(view)))
    return kept, lawful


def lawful_views(
    conn: Connection, loan_ids: Sequence[str], views: Mapping[str, AccountView], as_of: date
) -> dict[str, AccountView]:
    """The views of ``loan_ids`` whose contract asks for more than the law supports, each
    with its lawful amounts."""
    candidates = [loan_id for loan_id in loan_ids if loan_id in views]
    adjusted = adjusted_loan_ids(conn) if candidates else set()
    found: dict[str, AccountView] = {}

    def wanted(terms: LoanTerms) -> bool:
        return may_exceed(terms, _cap(terms.disbursed_on))

    loans = repository.load_stored_loans(conn, candidates, adjusted, wanted)

    def replayed(start: int, stop: int) -> list[tuple[str, LawfulAmounts | None]]:
        """The lawful amounts of loans[start:stop]: pure CPU, ~1 ms a loan, so a partition
        of the night with hundreds shares it with a forked helper."""
        return [
            (
                loan.terms.loan_id,
                lawful_amounts(
                    loan.terms,
                    loan.payments,
                    as_of,
                    _cap(loan.terms.disbursed_on),
                    loan.adjustments,
                ),
            )
            for loan in loans[start:stop]
        ]

    # From REPLAY_PARALLEL_MIN loans: a night's partition of 50,000 borrowers of a consumer
    # book has about 1,900 loans to replay (a million-loan night in one piece: 38,000).
    for loan_id, amounts in split_run(replayed, len(loans), chunk=250, minimum=REPLAY_PARALLEL_MIN):
        if amounts is not None:
            found[loan_id] = replace(views[loan_id], lawful=amounts)
    return found


@cache
def _cap(disbursed_on: date) -> RateCap:
    """The cap for a loan disbursed on that day (the same default as ``loans.cost_of``)."""
    return cap_for(LenderType.LICENSED, disbursed_on)


def _written_to(actions: Sequence[PlannedAction]) -> list[str]:
    """The loans whose messages carry amounts: templated actions to anyone but an
    emergency contact (a relay never states the debt)."""
    loan_ids = {
        action.loan_id
        for action in actions
        if action.template is not None and action.party is not Party.EMERGENCY_CONTACT
    }
    return sorted(loan_ids)


def _owes_nothing_lawfully(view: AccountView) -> bool:
    assert view.lawful is not None
    return view.lawful.asks_nothing(view.state)
