"""The night's plan: promises settled, actions planned, every contact gated, work handed out,
delinquent borrowers' cases opened and kept with their collector, messages queued and sent.
Called by ``services.night.run_night`` right after the ledger step.

Speed (1M loans, bench/nightly.py): only the accounts the strategy can act on tonight are
read in full (``planning_filter``); the gate step, pure CPU, is shared with a forked helper
process for big nights (``adapters.parallel``); rows are written in bulk and the outbox is
filled by one INSERT ... SELECT.

Crash safety comes from two phases. Phase one (settle, plan, gate, render, assign, open
and move cases, place the cases of tonight's agency placements in casework, queue) writes
in ONE transaction: a
crash anywhere in it leaves nothing behind, and the next run starts from the same tables.
Phase two hands queued outbox rows to the channel adapters one by one and marks each sent
in its own small transaction, so a crash there re-sends nothing already marked.
Idempotency per date: action ids are deterministic (loan, date, arm, segment, key), rows
are inserted only when absent, only unsent outbox rows are sent, a loan already in an open
case gets no new one, and a case already with the agency the night chose is not placed
again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from faircollect.adapters.channels.base import Channel as Transport
from faircollect.adapters.db import night_store as store
from faircollect.adapters.db.night_views import previous_owners
from faircollect.adapters.db.repositories.cases import CaseRepository
from faircollect.adapters.db.repositories.org import OrgRepository
from faircollect.adapters.db.repositories.portal import PortalRepository
from faircollect.adapters.db.sqlite_tuning import run_settings
from faircollect.adapters.lender_file import lender_profile
from faircollect.adapters.parallel import split_run
from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
from faircollect.adapters.templates import TemplateRenderer, TemplateRenderError
from faircollect.domain.assignment import AssignmentPolicy, assign, work_items
from faircollect.domain.casework.case_owners import CaseOwners, case_owners
from faircollect.domain.compliance.actions import (
    DEFAULT_TZ,
    BorrowerContext,
    Decision,
    PastContact,
    ProposedAction,
    Violation,
    VisitDetails,
)
from faircollect.domain.compliance.actions import Channel as GateChannel
from faircollect.domain.compliance.actions import Party as GateParty
from faircollect.domain.compliance.actions import Purpose as GatePurpose
from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import RulePack, default_pack
from faircollect.domain.compliance.screener import default_screener
from faircollect.domain.compliance.screener.batched import BatchedScreen
from faircollect.domain.lender import LenderProfile
from faircollect.domain.organisation import Roster
from faircollect.domain.outreach import ActionStatus
from faircollect.domain.portal import Preferences
from faircollect.domain.promises import PromiseStatus, settle
from faircollect.domain.strategy import (
    AccountView,
    ActionKind,
    PlannedAction,
    Strategy,
    plan_day,
    planning_filter,
)
from faircollect.services.casework.night_placements import SyncReport, sync_placements
from faircollect.services.night_cases import CaseReport, open_night_cases
from faircollect.services.night_lawful import with_lawful_amounts
from faircollect.services.nightly_load import load_history, load_views
from faircollect.services.outbox import send_pending

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called as each step advances (Rich bars, tests)."""

Row = store.Row
"""One ``planned_actions`` row being built (keys starting with ``_`` are not columns)."""

TEMPLATE_RULE = "FC-TEMPLATE"
"""Not a legal rule: the message template could not be rendered (e.g. no law firm set)."""

MESSAGE_CHANNELS = frozenset({"sms", "email", "app_push", "wechat", "letter", "lawyer_letter"})
"""Channels the system delivers itself through an adapter (calls and visits are people's work)."""

VISIT_STAFF = 2
"""Visits are planned for two identified, recording staff (CN-VISIT-1)."""


Status = ActionStatus
"""The statuses of a planned action (``domain.outreach``: one definition)."""


@dataclass
class NightSummary:
    """What one night did; counts are of rows this run found or wrote for the date."""

    run_date: date
    planned: int = 0
    new_rows: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    denied_by_rule: Counter[str] = field(default_factory=Counter)
    promises_settled: int = 0
    sent: int = 0
    unassigned: int = 0
    cases: CaseReport = field(default_factory=CaseReport)
    """Cases the night opened for delinquent borrowers, and moved to tonight's collectors."""
    casework: SyncReport = field(default_factory=SyncReport)
    """The night's agency placements as casework took them (cases opened, placed, not)."""


def plan_night(
    engine: Engine,
    as_of: date,
    *,
    strategy: Strategy | None = None,
    teams: Roster | None = None,
    rules: RulePack | None = None,
    channels: Mapping[str, Transport] | None = None,
    progress: Progress | None = None,
    tz: ZoneInfo | None = None,
    templates: TemplateRenderer | None = None,
) -> NightSummary:
    """Plan, gate, assign and queue the night ``as_of``; then send what is queued and unsent.

    Starts from the ``account_states`` rows computed for ``as_of``. Safe to call again for
    the same date: nothing is planned or sent twice.
    """
    report: Progress = progress or (lambda step, done, total: None)
    screening = BatchedScreen(default_screener())
    night = _Night(
        with_lender(strategy or load_strategy(default_strategy_path()), lender_profile()),
        teams,
        Gate(rules or default_pack(), screening),
        tz or ZoneInfo(DEFAULT_TZ),
        as_of,
        templates or TemplateRenderer(),
        screening,
    )
    summary = NightSummary(as_of)
    # The ledger step's SQLite settings (big page cache, no foreign-key re-checks): every
    # row phase one writes is keyed by loan and borrower ids it has just read from the
    # loans table in the same transaction, so each parent lookup could only succeed.
    with engine.connect() as conn, run_settings(conn), conn.begin():
        summary.promises_settled = settle_promises(conn, as_of)
        report("settle", 1, 1)
        rows = night.plan(conn, report, summary)
        _insert_absent(conn, rows, summary)
        report("insert", 1, 1)
        summary.cases = open_night_cases(conn, as_of, night.owners)
        report("cases", 1, 1)
        summary.casework = sync_placements(conn, as_of)
        report("placements", 1, 1)
        _queue(conn, as_of, email_subject(lender_profile().short_name))
        report("queue", 1, 1)
        if summary.new_rows:
            _audit_night(conn, summary, rows, night.gate.pack.version)
    summary.sent = send_outbox(engine, as_of, channels, report)
    _count(engine, summary)
    return summary


def _audit_night(conn: Connection, summary: NightSummary, rows: list[Row], pack: str) -> None:
    """One audit entry for the night's plan, in its transaction: what it decided under
    which rule pack version, with the SHA-256 of every action's id and gate decision
    (the decisions themselves are stored with each planned action)."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.domain.audit import AuditEvent, canonical

    decisions = sorted((str(r["action_id"]), str(r["decision"])) for r in rows)
    after = {
        "run_date": summary.run_date,
        "pack_version": pack,
        "actions": len(rows),
        "new_actions": summary.new_rows,
        "by_status": dict(sorted(summary.by_status.items())),
        "denied_by_rule": dict(sorted(summary.denied_by_rule.items())),
        "decisions_sha256": hashlib.sha256(canonical(decisions).encode()).hexdigest(),
        "promises_settled": summary.promises_settled,
        "cases_opened": summary.cases.opened,
        "cases_moved": summary.cases.moved,
        "cases_placed": len(summary.casework.placed),
        "cases_recalled": len(summary.casework.recalled),
    }
    event = AuditEvent("night", "night.planned", f"night:{summary.run_date}", None, after)
    UnitOfWork.within(conn).audit.append(event)


def with_lender(strategy: Strategy, lender: LenderProfile) -> Strategy:
    """The strategy speaking with the lender's one configuration: its name, complaint line
    and law firm in every message (a strategy file's own values only fill what the
    configuration leaves empty)."""
    policies = replace(
        strategy.policies,
        lender_name=lender.short_name,
        hotline=lender.complaint_line,
        law_firm=lender.law_firm or strategy.policies.law_firm,
    )
    return replace(strategy, policies=policies)


def settle_promises(conn: Connection, as_of: date) -> int:
    """Judge every open promise due by ``as_of`` (domain.promises.settle); returns how many."""
    promises = store.open_promises_due(conn, as_of)
    if not promises:
        return 0
    loans = sorted({p.loan_id for p in promises})
    payments = store.payments_until(conn, loans, as_of)
    for outcome in settle(promises, payments, as_of):
        if outcome.status is PromiseStatus.OPEN:
            continue
        store.settle_promise(conn, outcome.promise_id, outcome.status.value, outcome.paid, as_of)
    return len(promises)


@dataclass
class _Night:
    strategy: Strategy
    roster: Roster | None
    """Who 分案 hands work to; None: the organisation stored in the database."""
    gate: Gate
    tz: ZoneInfo
    as_of: date
    renderer: TemplateRenderer
    screening: BatchedScreen = field(default_factory=lambda: BatchedScreen(default_screener()))
    """The gate's screen (when the gate was given this one, each chunk of actions has its
    messages screened in one pass; otherwise preparing only costs the batch)."""
    _rendered: dict[tuple[str, tuple[tuple[str, str], ...]], str] = field(default_factory=dict)
    owners: CaseOwners = field(default_factory=CaseOwners)
    """Who owns each borrower's case after 分案 (set by ``_assign``)."""
    paused: set[str] = field(default_factory=set)
    """Borrowers with a complaint open (COMP-1): collection contact is denied."""
    wishes: dict[str, Preferences] = field(default_factory=dict)
    """Borrowers' contact preferences from the portal (DNC-1): a contact outside their
    slots is rescheduled into the next one, a channel they turned off is denied."""

    def plan(self, conn: Connection, report: Progress, summary: NightSummary) -> list[Row]:
        views = load_views(
            conn,
            self.as_of,
            self.tz,
            self.strategy.thresholds.pre_due_days,
            wanted=planning_filter(self.strategy, self.as_of),
        )
        report("load", len(views), len(views))
        by_loan = {v.loan_id: v for v in views}
        planned = plan_day(views, self.strategy, self.as_of, self.tz)
        actions, lawful = with_lawful_amounts(conn, planned, by_loan, self.as_of)
        by_loan.update(lawful)
        summary.planned = len(actions)
        report("plan", len(actions), len(actions))
        history = load_history(conn, {a.borrower_id for a in actions}, self.as_of, self.tz)
        self.paused = CaseRepository(conn).borrowers_in_complaint()
        self.wishes = PortalRepository(conn).every_preference()
        report("history", 1, 1)
        total, parent, done_here = len(actions), os.getpid(), 0

        def decide(start: int, stop: int) -> list[Row]:
            """Rows for actions[start:stop]; progress only from this process."""
            nonlocal done_here
            self.screening.prepare(self._texts(actions[start:stop]))
            rows = []
            for i in range(start, stop):
                action = actions[i]
                rows.append(self._decide(action, by_loan[action.loan_id], history))
            if os.getpid() == parent:
                done_here += stop - start
                report("gate", done_here, total)
            return rows

        # Pure CPU on objects in memory: a big night shares it with a forked helper.
        rows = split_run(decide, total)
        report("gate", total, total)
        summary.unassigned = self._assign(conn, actions, by_loan, rows)
        report("assign", 1, 1)
        return rows

    def _texts(self, actions: Sequence[PlannedAction]) -> list[str]:
        """The messages of ``actions`` that the gate will screen (those that render)."""
        texts = []
        for action in actions:
            if action.kind is ActionKind.CONTACT and action.channel and action.template:
                try:
                    texts.append(self._render(action))
                except TemplateRenderError:
                    continue  # denied by ``_decide`` with FC-TEMPLATE, never screened
        return texts

    def _decide(
        self,
        action: PlannedAction,
        view: AccountView,
        history: Mapping[str, tuple[PastContact, ...]],
    ) -> Row:
        row = _base_row(action, self.tz)
        if action.kind is not ActionKind.CONTACT or action.channel is None:
            return row | {"status": Status.PLANNED, "allowed": True, "decision": "{}"}
        text = None
        if action.template is not None:
            try:
                text = self._render(action)
            except TemplateRenderError as err:
                return _denied(row, [Violation(TEMPLATE_RULE, str(err))])
        proposal = self._proposal(action, view, text, history.get(action.borrower_id, ()))
        decision = self.gate.decide(proposal)
        row["rendered"] = text
        if decision.allowed:
            return row | {"status": Status.PLANNED, "allowed": True, "decision": _json(decision)}
        if decision.next_allowed_at is not None:
            later = self.gate.decide(replace(proposal, at=decision.next_allowed_at))
            if later.allowed:
                return row | {
                    "status": Status.RESCHEDULED,
                    "allowed": True,
                    "scheduled_at": decision.next_allowed_at,
                    "rules": ";".join(sorted({v.rule for v in decision.violations})),
                    "decision": _json(decision),
                }
        return _denied(row, decision.violations)

    def _render(self, action: PlannedAction) -> str:
        assert action.template is not None
        key = (action.template, tuple(sorted(action.context.items())))
        if key not in self._rendered:
            self._rendered[key] = self.renderer.render(action.template, action.context)
        return self._rendered[key]

    def _proposal(
        self,
        action: PlannedAction,
        view: AccountView,
        text: str | None,
        history: tuple[PastContact, ...],
    ) -> ProposedAction:
        assert action.channel is not None
        channel = GateChannel(action.channel.value)
        party = GateParty(action.party.value)
        third_party = party not in (GateParty.BORROWER, GateParty.GUARANTOR)
        wish = self.wishes.get(action.borrower_id) or Preferences()
        visit = (
            VisitDetails(staff=VISIT_STAFF, identified=True, recorded=True, notice_sent=True)
            if channel is GateChannel.VISIT
            else None
        )
        return ProposedAction(
            id=action.action_id,
            channel=channel,
            party=party,
            at=action.scheduled_at,
            purpose=GatePurpose(action.purpose.value),
            phone=action.target,
            text=text,
            discloses_debt=False if third_party else None,
            recorded=True if channel in (GateChannel.CALL, GateChannel.VISIT) else None,
            visit=visit,
            borrower=BorrowerContext(
                tz=self.tz,
                number_invalid=view.borrower_unreachable,
                consecutive_failed_attempts=view.consecutive_failed_attempts,
                complaint_open=action.borrower_id in self.paused,
                do_not_contact=wish.channels_off,
                preferred_slots=wish.contact_slots,
            ),
            history=history,
        )

    def _assign(
        self,
        conn: Connection,
        actions: Sequence[PlannedAction],
        views: Mapping[str, AccountView],
        rows: list[Row],
    ) -> int:
        """分案: give the allowed calls, visits and placements to collectors or agencies."""
        workable = [a for a, r in zip(actions, rows, strict=True) if r["status"] != Status.DENIED]
        items = work_items(workable, {k: v.state for k, v in views.items()})
        roster = self.roster or OrgRepository(conn).roster()
        before = previous_owners(conn, self.as_of)
        result = assign(
            items,
            roster.collectors,
            roster.agencies,
            before,
            self.as_of,
            AssignmentPolicy.from_policies(self.strategy.policies),
        )
        owner = {a.loan_id: a for a in result.assignments}
        on_duty = {c.collector_id for c in roster.collectors if c.active}
        self.owners = case_owners([owner[a.loan_id] for a in result.assignments], before, on_duty)
        needs_person = {id(a) for a in workable if _is_work(a)}
        for action, row in zip(actions, rows, strict=True):
            chosen = owner.get(action.loan_id)
            if id(action) in needs_person and chosen is not None:
                row["assignee"], row["assignee_kind"] = chosen.assignee, chosen.kind.value
                if action.kind is ActionKind.AGENCY_PLACEMENT and chosen.recall_on is not None:
                    row["_placement"] = (chosen.assignee, chosen.recall_on)
        return len(result.unassigned)


def _is_work(action: PlannedAction) -> bool:
    if action.kind is ActionKind.AGENCY_PLACEMENT:
        return True
    return action.channel is not None and action.channel.value in ("call", "visit")


def _base_row(action: PlannedAction, tz: ZoneInfo) -> Row:
    tz_name = getattr(action.scheduled_at.tzinfo, "key", tz.key)
    return {
        "action_id": action.action_id,
        "loan_id": action.loan_id,
        "borrower_id": action.borrower_id,
        "stage": action.stage.value,
        "segment": action.segment,
        "arm": action.arm,
        "action_key": action.key,
        "kind": action.kind.value,
        "channel": action.channel.value if action.channel else None,
        "party": action.party.value,
        "purpose": action.purpose.value,
        "target": action.target,
        "template": action.template,
        "priority": action.priority,
        "scheduled_at": action.scheduled_at,
        "tz": tz_name,
        "rules": "",
        "rendered": None,
        "assignee": None,
        "assignee_kind": None,
    }


def _denied(row: Row, violations: Sequence[Violation]) -> Row:
    decision = {"allowed": False, "violations": [_violation(v) for v in violations]}
    return row | {
        "status": Status.DENIED,
        "allowed": False,
        "rules": ";".join(sorted({v.rule for v in violations})),
        "decision": json.dumps(decision, ensure_ascii=False),
    }


def _violation(v: Violation) -> dict[str, str | None]:
    return {
        "rule": v.rule,
        "reason": v.reason,
        "wait_until": v.wait_until.isoformat() if v.wait_until else None,
    }


def _json(decision: Decision) -> str:
    if decision.allowed and not decision.violations and decision.next_allowed_at is None:
        return _ALLOWED
    return _decision_json(decision)


def _decision_json(decision: Decision) -> str:
    return json.dumps(
        {
            "allowed": decision.allowed,
            "violations": [_violation(v) for v in decision.violations],
            "next_allowed_at": (
                decision.next_allowed_at.isoformat() if decision.next_allowed_at else None
            ),
        },
        ensure_ascii=False,
    )


_ALLOWED = _decision_json(Decision(id="", allowed=True, violations=(), next_allowed_at=None))


def _insert_absent(conn: Connection, rows: list[Row], summary: NightSummary) -> None:
    """Insert the rows whose action id is not stored yet; placements alongside."""
    existing = store.stored_action_ids(conn, summary.run_date)
    # In id order: the primary-key index and the table then grow at their ends instead of
    # at random pages, and phase two marks rows sent page by page in the same order.
    fresh = sorted((r for r in rows if r["action_id"] not in existing), key=_action_id)
    placements = [
        {
            "loan_id": r["loan_id"],
            "placed_on": summary.run_date,
            "agency_id": r["_placement"][0],
            "recall_on": r["_placement"][1],
            "action_id": r["action_id"],
        }
        for r in fresh
        if "_placement" in r
    ]
    store.insert_actions(conn, [r | {"run_date": summary.run_date} for r in fresh])
    store.insert_placements(conn, placements)
    summary.new_rows = len(fresh)


def _action_id(row: Row) -> str:
    return str(row["action_id"])


def email_subject(lender_name: str) -> str:
    """The subject of every e-mail the night sends: who writes and that it is about the
    loan, nothing more (a subject is read by anyone who sees the inbox, so it names no
    amount and no overdue status)."""
    return f"{lender_name}：借款事项通知"


def _queue(conn: Connection, as_of: date, subject: str) -> None:
    """Put every allowed, not yet queued message of the night into the outbox; e-mails
    get ``subject``, other channels none."""
    store.queue_messages(
        conn, as_of, subject, MESSAGE_CHANNELS, (Status.PLANNED, Status.RESCHEDULED)
    )
    store.mark_queued(conn, as_of)


def send_outbox(
    engine: Engine,
    as_of: date,
    channels: Mapping[str, Transport] | None,
    progress: Progress | None = None,
) -> int:
    """Hand the night's queued messages to the channel adapters the caller gives (a
    gateway that schedules delivery takes each for its scheduled time); returns how many
    a channel accepted. Without adapters nothing is sent: the messages wait in the
    outbox for ``faircollect outbox send`` (``services.outbox``)."""
    return send_pending(engine, channels or {}, run_date=as_of, progress=progress).sent


def _count(engine: Engine, summary: NightSummary) -> None:
    with engine.connect() as conn:
        for status, rules in store.statuses_and_rules(conn, summary.run_date):
            summary.by_status[status] += 1
            if status == Status.DENIED:
                for rule in rules.split(";"):
                    summary.denied_by_rule[rule] += 1


def load_strategy_file(path: Path | None) -> Strategy:
    """The strategy at ``path``, else the shipped default."""
    return load_strategy(path or default_strategy_path())
