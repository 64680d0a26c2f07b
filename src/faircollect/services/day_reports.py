"""The day's reports for the people who watch the whole book: the compliance report (every
contact the night planned, the gate's decision, denials by rule, the outbox check) and the
portfolio overview (accounts and amounts per bucket and stage, today's plan by channel).

Both read the night's results (``nightly_report``, ``portfolio_summary``); this module
decides who may read them and cuts the contact list into pages for a screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.roles import Actor, Role, require_role
from faircollect.domain.compliance.pack import RuleInfo
from faircollect.domain.messages import Message
from faircollect.services.compliance import rule_texts
from faircollect.services.nightly_report import (
    ComplianceReport,
    PlanSummary,
    compliance_report,
    plan_summary,
)
from faircollect.services.portfolio_summary import PortfolioSummary, summarize

MAY_READ_REPORTS = frozenset({Role.SUPERVISOR, Role.COMPLIANCE, Role.QA, Role.ADMIN})
"""Who reads the whole book's reports: supervisors, compliance, QA and admins (not
collectors or agencies, whose work is their own cases)."""

PAGE_SIZE = 50
"""Contacts on one page of the compliance report."""

STATUSES = ("planned", "rescheduled", "sent", "denied")
"""The decisions a contact of the report can have."""


def _may_read(actor: Actor) -> None:
    require_role(actor, MAY_READ_REPORTS, Message("permission.read_day_reports"))


@dataclass(frozen=True, slots=True)
class ComplianceDay:
    """One page of the day's compliance report, with the texts of the rules it names."""

    report: ComplianceReport
    contacts: list[dict[str, Any]]
    """This page's contacts (of ``status``, when one was asked for)."""
    matching: int
    page: int
    pages: int
    status: str | None
    rules: dict[str, RuleInfo]


def compliance_day(
    uow: UnitOfWork, actor: Actor, day: date, status: str | None = None, page: int = 1
) -> ComplianceDay:
    """The compliance report of ``day``: every contact, its decision and rules."""
    _may_read(actor)
    report = compliance_report(uow.engine, day)
    chosen = [c for c in report.contacts if status is None or c["status"] == status]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    named = set(report.denied_by_rule) | {
        str(v.get("rule")) for c in report.contacts for v in _violations(c)
    }
    return ComplianceDay(
        report,
        chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        len(chosen),
        page,
        pages,
        status,
        rule_texts(sorted(named)),
    )


def _violations(contact: dict[str, Any]) -> list[dict[str, Any]]:
    found = contact.get("violations") or []
    return [v for v in found if isinstance(v, dict)]


@dataclass(frozen=True, slots=True)
class Overview:
    """The portfolio as of the last night and the plan of ``day``."""

    day: date
    portfolio: PortfolioSummary
    plan: PlanSummary


def overview(uow: UnitOfWork, actor: Actor, day: date) -> Overview:
    """Accounts and amounts per bucket and stage; today's plan by channel and status."""
    _may_read(actor)
    return Overview(day, summarize(uow.engine), plan_summary(uow.engine, day))
