"""Reading the night back: the action export, the plan summary, the compliance report.

The compliance report's central statement ("no contact left the system without an allowing
decision") is the result of a query over the outbox and the planned actions, never a
constant: a message in the outbox without a matching allowed decision makes it fail.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from faircollect.adapters.db import reports
from faircollect.domain.outreach import ALLOWED

EXPORT_FIELDS = (
    "action_id",
    "loan_id",
    "borrower_id",
    "stage",
    "segment",
    "kind",
    "channel",
    "party",
    "purpose",
    "scheduled_at",
    "status",
    "rules",
    "arm",
    "assignee",
    "assignee_kind",
)

ALLOWING_STATUSES = tuple(sorted(ALLOWED))
"""An outbox row is accounted for only by an action the gate allowed."""


def action_rows(engine: Engine, day: date) -> list[dict[str, str]]:
    """The night's actions for export, ordered by scheduled time then id; times in the
    borrower's zone as ISO 8601 with offset."""
    with engine.connect() as conn:
        rows = reports.night_actions(conn, day)
    out = []
    for row in rows:
        values = row._mapping
        item = {name: "" if values[name] is None else str(values[name]) for name in EXPORT_FIELDS}
        item["scheduled_at"] = row.scheduled_at.astimezone(ZoneInfo(row.tz)).isoformat()
        out.append(item)
    return out


@dataclass
class PlanSummary:
    """Counts for ``faircollect plan``."""

    run_date: date
    total: int = 0
    by_stage: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    by_assignee: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    denied_by_rule: Counter[str] = field(default_factory=Counter)


def plan_summary(engine: Engine, day: date) -> PlanSummary:
    """The night's actions counted by stage, channel (else kind), status, assignee and,
    for denied actions, rule. Grouped by the database (``reports.plan_counts``): its
    memory is the number of groups, not of the night's actions."""
    summary = PlanSummary(day)
    with engine.connect() as conn:
        groups = reports.plan_counts(conn, day)
    for stage, channel, status, assignee, rules, count in groups:
        summary.total += count
        summary.by_stage[stage] += count
        summary.by_channel[channel] += count
        summary.by_status[status] += count
        if assignee:
            summary.by_assignee[assignee] += count
        if status == "denied":
            for rule in (rules or "").split(";"):
                summary.denied_by_rule[rule] += count
    return summary


@dataclass
class ComplianceReport:
    """The day's proof for a compliance officer."""

    run_date: date
    contacts: list[dict[str, object]]
    denied_by_rule: Counter[str]
    outbox_rows: int
    unauthorised: list[str]
    """Outbox message ids with no allowing decision: must be empty."""

    @property
    def passed(self) -> bool:
        return not self.unauthorised

    def as_json(self) -> dict[str, object]:
        return {
            "run_date": self.run_date.isoformat(),
            "contacts": self.contacts,
            "denied_by_rule": dict(sorted(self.denied_by_rule.items())),
            "outbox_rows": self.outbox_rows,
            "unauthorised_outbox_rows": self.unauthorised,
            "every_outbound_contact_allowed": self.passed,
        }


def unauthorised_outbox(engine: Engine, day: date) -> tuple[int, list[str]]:
    """How many outbox rows the day has, and the ids of those without an allowing decision:
    no planned action with the same id and channel that the gate allowed."""
    with engine.connect() as conn:
        return reports.unauthorised_outbox(conn, day, ALLOWING_STATUSES)


def compliance_report(engine: Engine, day: date) -> ComplianceReport:
    with engine.connect() as conn:
        rows = reports.night_actions(conn, day, kind="contact")
    contacts: list[dict[str, object]] = []
    denied: Counter[str] = Counter()
    for row in rows:
        decision = json.loads(row.decision)
        contacts.append(
            {
                "action_id": row.action_id,
                "loan_id": row.loan_id,
                "channel": row.channel,
                "party": row.party,
                "scheduled_at": row.scheduled_at.astimezone(ZoneInfo(row.tz)).isoformat(),
                "status": row.status,
                "allowed": row.allowed,
                "rules": row.rules,
                "violations": decision.get("violations", []),
            }
        )
        if row.status == "denied":
            denied.update(row.rules.split(";"))
    total, bad = unauthorised_outbox(engine, day)
    return ComplianceReport(day, contacts, denied, total, bad)
