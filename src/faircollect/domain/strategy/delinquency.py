"""First-time versus repeat delinquency (首次逾期 / 再次逾期), from the stage history.

The one definition the strategy's ``first_time`` segments use:

- A loan is *delinquent* while its stage is early, intensive or legal (DPD > 0).
- A delinquency *episode* of a loan begins on a ``stage_history`` row that enters a
  delinquent stage either from a non-delinquent one (current, pre_due) or as the loan's
  first recorded stage. Moving between delinquent stages (early -> intensive) is the same
  episode.
- An episode *ends* (is cured) on a row that enters a non-delinquent stage from a
  delinquent one.
- On night D an account is a **repeat** delinquent when its *borrower* had an episode, on
  this loan or on any other loan, that ended on or before the day the account's current
  episode began (rows with ``entered_on <= D`` only). When the loan is not delinquent
  tonight (pre_due reminders), or its current episode has no recorded beginning, the
  reference day is D itself. Otherwise it is a **first-time** delinquent.

Per borrower, not per loan, because that is what a collections team means by a repeat
delinquent: a borrower who fell behind on an earlier loan and came back to current knows
the process and is a different risk from one who never fell behind, whichever loan is
overdue now. The reference day is the start of the current episode, not tonight, so the
label is fixed for the whole episode: an account does not change segment halfway through
an episode because another loan of the same borrower was cured in the meantime (the
borrower was not a repeat delinquent when this episode began).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from faircollect.domain.ledger.state import Stage

DELINQUENT_STAGES = frozenset({Stage.EARLY, Stage.INTENSIVE, Stage.LEGAL})
"""Stages of a loan past due."""

CURRENT_STAGES = frozenset(Stage) - DELINQUENT_STAGES
"""Stages of a loan not past due (current, pre_due)."""


def begins_episode(stage: Stage, previous: Stage | None) -> bool:
    """True when a stage-history row (``stage`` entered from ``previous``, None for the
    loan's first recorded stage) starts a delinquency episode."""
    return stage in DELINQUENT_STAGES and (previous is None or previous in CURRENT_STAGES)


def ends_episode(stage: Stage, previous: Stage | None) -> bool:
    """True when a stage-history row cures a delinquency episode."""
    return stage in CURRENT_STAGES and previous in DELINQUENT_STAGES


def first_time_delinquent(
    borrower_first_cure: date | None, episode_began: date | None, night: date
) -> bool:
    """The account's label on ``night``.

    ``borrower_first_cure``: the earliest day, on or before ``night``, an episode of any
    loan of the borrower ended (None: none ever did). ``episode_began``: the day the loan's
    current episode began, None when it is not delinquent tonight or no beginning is
    recorded (then ``night`` is the reference day).
    """
    reference = night if episode_began is None else episode_began
    return borrower_first_cure is None or borrower_first_cure > reference


@dataclass
class DelinquencyHistory:
    """What the label needs from a night's stage-history rows: each borrower's first cure
    and each loan's latest episode beginning. Fed row by row (any order) by the loader."""

    first_cure: dict[str, date] = field(default_factory=dict)
    """By borrower id."""
    episode_began: dict[str, date] = field(default_factory=dict)
    """By loan id: the latest beginning of an episode."""

    def add(
        self, borrower_id: str, loan_id: str, entered_on: date, stage: Stage, previous: Stage | None
    ) -> None:
        """Take one stage-history row of a loan of ``borrower_id`` (``entered_on <= night``)."""
        if ends_episode(stage, previous):
            known = self.first_cure.get(borrower_id)
            if known is None or entered_on < known:
                self.first_cure[borrower_id] = entered_on
        elif begins_episode(stage, previous):
            known = self.episode_began.get(loan_id)
            if known is None or entered_on > known:
                self.episode_began[loan_id] = entered_on

    def first_time(self, borrower_id: str, loan_id: str, stage: Stage, night: date) -> bool:
        """The label of a loan in ``stage`` tonight (see the module docstring)."""
        began = self.episode_began.get(loan_id) if stage in DELINQUENT_STAGES else None
        return first_time_delinquent(self.first_cure.get(borrower_id), began, night)
