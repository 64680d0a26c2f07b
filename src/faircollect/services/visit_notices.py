"""When the visit notice letters (上门通知函) went out: the one record CN-VISIT-1 relies on.

A visit may only follow a notice letter. The letter is the strategy's ``visit_notice``
action; once its channel adapter has sent it, the planned action is ``sent`` with the
night's date. Both the nightly planner (may tonight plan a visit?) and a collector
planning a visit by hand read the date from one query,
``adapters.db.repositories.actions.notices_sent``, so nobody can type a date that the
system has no letter for.
"""

from __future__ import annotations

from faircollect.adapters.db.repositories.actions import SENT, notices_sent

__all__ = ["SENT", "notices_sent"]
