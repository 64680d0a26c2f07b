"""Story: a repeat-delinquency segment fires only for the borrower who was overdue before.

Three borrowers, same contract. L1 never pays. L2 pays its first installment five days
late (cured), then misses the second. L3 pays the first on time and misses the second.
The stage history comes from the nights themselves (``tests.scenarios.portfolio.night``
records each stage change as run-day's ledger step does). On DPD 1 of the second
installment both L2 and L3 are one day overdue; only L2 had an episode that ended before.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from faircollect.adapters.strategy_file import load_strategy
from faircollect.domain.ledger.schedule import build_schedule
from tests.scenarios.portfolio import FIRST_DUE, actions, night, pay, seed, terms

SECOND_DUE = date(2026, 3, 13)

REPEAT_STRATEGY = """
# The default thresholds: early is DPD 1-30. The repeat segment comes first: the first
# segment that matches takes the account.
name: repeat_first
segments:
  - name: early_repeat
    stage: early
    match: {first_time: false}
    actions:
      - {key: repeat_call, channel: call, dpd: 1, at: "09:30", priority: 95}
  - name: early_first
    stage: early
    actions:
      - {key: first_call, channel: call, dpd: 1, at: "09:30", priority: 80}
"""


def test_the_repeat_segment_fires_only_for_the_cured_and_overdue_again_account(
    db_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "repeat.yaml"
    path.write_text(REPEAT_STRATEGY, encoding="utf-8")
    strategy = load_strategy(path)
    seed(db_engine, ["L1", "L2", "L3"])
    first = build_schedule(terms("L2"))[0]
    assert first.due_on == FIRST_DUE and build_schedule(terms("L2"))[1].due_on == SECOND_DUE
    pay(db_engine, "L3", FIRST_DUE, first.total)
    # Five days late, with 10 yuan over the installment for the penalty interest.
    pay(db_engine, "L2", FIRST_DUE + timedelta(days=5), first.total + 1_000)

    night(db_engine, FIRST_DUE + timedelta(days=1), strategy=strategy)
    day1 = {
        loan: set(actions(db_engine, FIRST_DUE + timedelta(days=1), loan))
        for loan in ["L1", "L2", "L3"]
    }
    assert day1 == {"L1": {"first_call"}, "L2": {"first_call"}, "L3": set()}  # no one cured yet

    night(db_engine, FIRST_DUE + timedelta(days=6), strategy=strategy)  # L2 current again

    again = SECOND_DUE + timedelta(days=1)
    night(db_engine, again, strategy=strategy)
    l2 = actions(db_engine, again, "L2")
    l3 = actions(db_engine, again, "L3")
    assert set(l2) == {"repeat_call"} and l2["repeat_call"]["segment"] == "early_repeat"
    assert set(l3) == {"first_call"} and l3["first_call"]["segment"] == "early_first"
    assert actions(db_engine, again, "L1") == {}  # DPD 29: nothing on that day
