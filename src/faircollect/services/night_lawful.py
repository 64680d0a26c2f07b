"""The night's messages ask only for what is lawfully owed (KANTOU-1, RATE-1, RATE-2).

Planning decides who gets which message from the contract's state (how late, which
bucket); what a message, letter or lawyer letter then asks for is the lawful amount, with
the contract's figure only beside it, marked as not collected. Only the loans the night
writes to are looked at, and a loan without 砍头息, fees or a rate above the cap is
skipped at the cost of a comparison (``domain.lawful.lawful_amounts``); the others are
read in bulk and computed under their lawful terms all at once by the portfolio engine
(``portfolio.lawful``, equal to ``lawful_amounts`` loan by loan, which it falls back on
for what the engine does not model, such as adjusted loans): the reference replays one
loan at a time in Fractions, too slow for the many such loans a large book's night writes to.

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
from faircollect.domain.lawful import may_exceed
from faircollect.domain.ledger.terms import LoanTerms
from faircollect.domain.rates import LenderType, RateCap
from faircollect.domain.strategy import AccountView
from faircollect.domain.strategy.model import Party
from faircollect.domain.strategy.planning import PlannedAction, TemplateContext
from faircollect.portfolio.lawful import lawful_amounts_of
from faircollect.services.loans import cap_for


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
    amounts = lawful_amounts_of(loans, as_of, lambda terms: _cap(terms.disbursed_on))
    for loan, lawful in zip(loans, amounts, strict=True):
        if lawful is not None:
            found[loan.terms.loan_id] = replace(views[loan.terms.loan_id], lawful=lawful)
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
