"""Strategy as data (stages, segments, actions, challenger) and the pure day planner."""

from faircollect.domain.strategy.arms import CHALLENGER, CHAMPION, arm_for, arm_slot
from faircollect.domain.strategy.model import (
    ActionKind,
    ActionRule,
    Anchor,
    Challenger,
    Channel,
    IntRange,
    Party,
    Policies,
    Purpose,
    Segment,
    SegmentMatch,
    Strategy,
)
from faircollect.domain.strategy.planning import (
    AccountView,
    PlannedAction,
    action_id,
    plan_day,
    planning_filter,
    stage_of,
    template_context,
)

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "AccountView",
    "ActionKind",
    "ActionRule",
    "Anchor",
    "Challenger",
    "Channel",
    "IntRange",
    "Party",
    "PlannedAction",
    "Policies",
    "Purpose",
    "Segment",
    "SegmentMatch",
    "Strategy",
    "action_id",
    "arm_for",
    "arm_slot",
    "plan_day",
    "planning_filter",
    "stage_of",
    "template_context",
]
