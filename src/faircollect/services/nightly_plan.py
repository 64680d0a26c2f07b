"""The night's plan: promises settled, actions planned, every contact gated, work handed out,
delinquent borrowers' cases opened and kept with their collector, messages queued and sent.
Called by ``services.night.run_night`` right after the ledger step.

Speed (1M loans, bench/nightly.py): only the accounts the strategy can act on tonight are
read in full (``planning_filter``); the gate step, pure CPU, is shared with a forked helper
process for big nights (``adapters.parallel``); rows are written in bulk, and each partition's
new messages are stored already queued and copied into the outbox by one INSERT ... SELECT
(``_insert_absent``): marking them queued afterwards rewrote every message row, which on
PostgreSQL also re-checks its foreign keys (a row inserted in the same transaction).

Memory: the borrowers are planned in partitions of ``NIGHT_PARTITION_BORROWERS``
consecutive borrower ids (``adapters.db.night_views.borrower_ranges``; a borrower's loans
and contact history are always in one partition). Each partition is read, planned,
replayed at its lawful amounts, gated, rendered, screened and inserted, then dropped;
what the night keeps across partitions is only what the one global step needs: 分案
balances capacity over the whole portfolio, so it runs once at the end over a compact
record of each call, visit and placement (``_Work``), and writes the assignees onto the
rows already inserted. No step depends on another partition (``plan_day`` plans each
account alone, the challenger arm is a hash of the loan id, the render cache is keyed by
the template's input), so any cut and any order of the partitions store the same night.

**Workers.** With ``workers`` > 1 (``run-day --workers``) the partitions are computed (read,
planned, replayed, gated, rendered, screened) by that many forked worker processes, each
through its own connection on one snapshot of the database (``adapters.db.ledger_pool``),
while this process inserts each computed partition in the order they finish. A partition's
result depends only on its borrowers, so the stored night is the same
(``tests/integration/test_night_partitions.py``).

Crash safety comes from three steps. First the promises due are settled and committed on
their own (the workers, reading committed rows, must see them; a rerun finds them settled
and settles nothing twice). Phase one (plan, gate, render, assign, open and move cases,
place the cases of tonight's agency placements in casework, queue) writes in ONE
transaction: a crash anywhere in it (in a worker too) leaves nothing of it behind, and the
next run starts from the same tables.
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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Select

from faircollect.adapters.channels.base import Channel as Transport
from faircollect.adapters.db import night_store as store
from faircollect.adapters.db import night_views as views_db
from faircollect.adapters.db import night_work as work_db
from faircollect.adapters.db.ledger_pool import (
    PartitionPool,
    export_snapshot,
    one_snapshot,
    shareable,
)
from faircollect.adapters.db.night_views import BorrowerRange
from faircollect.adapters.db.repositories.cases import CaseRepository
from faircollect.adapters.db.repositories.org import OrgRepository
from faircollect.adapters.db.repositories.portal import PortalRepository
from faircollect.adapters.db.sqlite_tuning import SQLITE_NIGHT_SETTINGS, run_settings
from faircollect.adapters.lender_file import lender_profile
from faircollect.adapters.parallel import can_fork, split_run
from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
from faircollect.adapters.templates import TemplateRenderer, TemplateRenderError
from faircollect.domain.assignment import (
    AssigneeKind,
    Assigner,
    Assignment,
    AssignmentPolicy,
    Unassigned,
    WorkItem,
    work_items,
)
from faircollect.domain.casework.case_owners import CaseOwners
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
from faircollect.domain.outreach import TO_DO, ActionStatus
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
from faircollect.services.nightly_load import ViewLoader, load_history
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

NIGHT_PARTITION_BORROWERS = 50_000
"""Borrowers planned at once. The night's memory grows with it, not with the portfolio
(bench/nightly.py at 1M loans on SQLite: 454 MiB of anonymous memory in partitions of
50,000 against 1,117 MiB in one piece). Each partition's reads go through indexes that
start with the borrower id, so twenty partitions read little more than one (the load
steps: 20 s of CPU against 13 s at 1M), and a partition keeps the gate's forked helper
busy (``GATE_PARALLEL_MIN``)."""

GATE_PARALLEL_MIN = 4_000
"""Actions from which a partition's gate step is shared with a forked helper. Gating,
rendering and screening take about a millisecond an action, so 4,000 actions are seconds
of CPU against a fork and a pickled answer of a few hundredths of a second
(``adapters.parallel.PARALLEL_MIN``, 20,000, is for steps a hundred times cheaper an
item); a partition of 50,000 borrowers of a consumer book has 6,000 to 7,000 actions."""

GATE_CHUNK = 500
"""Actions gated, rendered and screened at once: the screener's batch arrays grow with a
chunk (at 6,500 messages in one batch, allocating them cost more system time than the
screening), and a forked helper claims work a chunk at a time."""

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
    partition_borrowers: int = NIGHT_PARTITION_BORROWERS,
    workers: int = 1,
) -> NightSummary:
    """Plan, gate, assign and queue the night ``as_of``; then send what is queued and unsent.

    Starts from the ``account_states`` rows computed for ``as_of``. Safe to call again for
    the same date: nothing is planned or sent twice. Borrowers are planned
    ``partition_borrowers`` at a time, by ``workers`` processes when there is more than
    one partition (the stored night is the same for any size and any number).
    """
    if workers < 1 or partition_borrowers < 1:
        raise ValueError("workers and partition_borrowers must be at least 1")
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
    subject = email_subject(lender_profile().short_name)
    # SQLite without foreign-key re-checks, as the ledger step: every row phase one writes
    # is keyed by loan and borrower ids it has just read from the loans table in the
    # same transaction, so each parent lookup could only succeed; and a page cache of
    # its own size (``SQLITE_NIGHT_SETTINGS``).
    with engine.connect() as conn, run_settings(conn, SQLITE_NIGHT_SETTINGS), conn.begin():
        summary.promises_settled = settle_promises(conn, as_of)
        ranges = night.read_context(conn, partition_borrowers)
    report("settle", 1, 1)
    pool = _pool(engine, night, workers, ranges)
    try:
        with engine.connect() as conn, run_settings(conn, SQLITE_NIGHT_SETTINGS), conn.begin():
            with work_db.work_tables(conn):
                tally = night.plan(conn, ranges, pool, report, summary, subject)
                summary.unassigned = night.assign(conn)
                report("assign", 1, 1)
                summary.cases = open_night_cases(conn, as_of, night.owners)
            report("cases", 1, 1)
            summary.casework = sync_placements(conn, as_of)
            report("placements", 1, 1)
            _queue(conn, as_of, subject)
            report("queue", 1, 1)
            if summary.new_rows:
                _audit_night(conn, summary, tally, night.gate.pack.version)
    finally:
        if pool is not None:
            pool.close()
    summary.sent = send_outbox(engine, as_of, channels, report)
    _count(engine, summary)
    return summary


def _audit_night(conn: Connection, summary: NightSummary, tally: _Tally, pack: str) -> None:
    """One audit entry for the night's plan, in its transaction: what it decided under
    which rule pack version, with the SHA-256 of every action's id and gate decision
    (the decisions themselves are stored with each planned action)."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.domain.audit import AuditEvent

    after = {
        "run_date": summary.run_date,
        "pack_version": pack,
        "actions": tally.actions,
        "new_actions": summary.new_rows,
        "by_status": dict(sorted(summary.by_status.items())),
        "denied_by_rule": dict(sorted(summary.denied_by_rule.items())),
        "decisions_sha256": decisions_sha256(tally.decisions(conn, summary.run_date)),
        "promises_settled": summary.promises_settled,
        "cases_opened": summary.cases.opened,
        "cases_moved": summary.cases.moved,
        "cases_placed": len(summary.casework.placed),
        "cases_recalled": len(summary.casework.recalled),
    }
    event = AuditEvent("night", "night.planned", f"night:{summary.run_date}", None, after)
    UnitOfWork.within(conn).audit.append(event)


def decisions_sha256(pairs: Iterable[tuple[str, str]]) -> str:
    """The SHA-256 of ``domain.audit.canonical`` of the list of (action id, decision)
    pairs, fed pair by pair: the pairs arrive sorted from the database, so the night's
    digest never needs them all in memory. (A list's canonical text is its items'
    canonical texts between brackets, separated by commas.)"""
    digest = hashlib.sha256(b"[")
    for n, pair in enumerate(pairs):
        item = json.dumps(list(pair), ensure_ascii=False, separators=(",", ":"))
        digest.update((b"," if n else b"") + item.encode())
    digest.update(b"]")
    return digest.hexdigest()


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
    """Judge every open promise due by ``as_of`` (domain.promises.settle); returns how many
    promises the night of ``as_of`` settled, this run or an earlier one (the settlement
    commits before the plan, which a night killed mid-way runs again)."""
    promises = store.open_promises_due(conn, as_of)
    if promises:
        loans = sorted({p.loan_id for p in promises})
        payments = store.payments_until(conn, loans, as_of)
        for outcome in settle(promises, payments, as_of):
            if outcome.status is PromiseStatus.OPEN:
                continue
            store.settle_promise(
                conn, outcome.promise_id, outcome.status.value, outcome.paid, as_of
            )
    return store.settled_on(conn, as_of)


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
    owners: CaseOwners | Select[Any] = field(default_factory=CaseOwners)
    """Who owns each borrower's case after 分案 (set by ``assign``: a query of the
    database's tables of tonight's 分案, ``night_work.case_owner_rows``)."""
    paused: set[str] = field(default_factory=set)
    """Borrowers with a complaint open (COMP-1): collection contact is denied."""
    wishes: dict[str, Preferences] = field(default_factory=dict)
    """Borrowers' contact preferences from the portal (DNC-1): a contact outside their
    slots is rescheduled into the next one, a channel they turned off is denied."""
    choice: views_db.Choice | None = None
    """Tonight's choice of the loans planning can act on (``read_context``)."""

    def read_context(self, conn: Connection, partition: int) -> list[BorrowerRange]:
        """What every partition reads alike, read once before any is planned (and before
        the workers fork, who inherit it): the borrowers in complaint, the portal's
        preferences, the night's choice of loans; returns the partitions, ranges of
        ``partition`` borrowers."""
        self.paused = CaseRepository(conn).borrowers_in_complaint()
        self.wishes = PortalRepository(conn).every_preference()
        wanted = planning_filter(self.strategy, self.as_of)
        self.choice = views_db.Choice.read(conn, self.as_of, wanted)
        return views_db.borrower_ranges(conn, partition)

    def plan(
        self,
        conn: Connection,
        ranges: Sequence[BorrowerRange],
        pool: PartitionPool | None,
        report: Progress,
        summary: NightSummary,
        subject: str,
    ) -> _Tally:
        """Plan, decide and insert the night's actions, a range of borrowers at a time
        (computed here, or by the ``pool``'s workers while this process inserts them; their
        new messages queued, e-mails with ``subject``); returns what the global 分案 and
        the audit need of them."""
        tally = _Tally()
        if pool is None:
            with self._loader(conn, views_db.EVERYONE) as loader:
                for borrowers in ranges:
                    computed = self.compute(conn, loader, borrowers, report, share_gate=True)
                    self._store(conn, computed, summary, tally, subject)
                    report("insert", 1, 1)
            return tally
        engine = conn.engine
        with engine.connect().execution_options(**one_snapshot(engine)) as reader, reader.begin():
            snapshot = export_snapshot(reader)
            results = pool.run(_compute_in_worker, list(ranges), snapshot)
            for done, (_, computed) in enumerate(results, 1):
                self._store(conn, computed, summary, tally, subject)
                report("partitions", done, len(ranges))
        return tally

    def _loader(
        self, conn: Connection, borrowers: BorrowerRange
    ) -> AbstractContextManager[ViewLoader]:
        """The loader of tonight's chosen loans of ``borrowers``."""
        pre_due = self.strategy.thresholds.pre_due_days
        return ViewLoader.prepare(conn, self.as_of, self.tz, pre_due, self.choice, borrowers)

    def compute(
        self,
        conn: Connection,
        loader: ViewLoader,
        borrowers: BorrowerRange,
        report: Progress,
        *,
        share_gate: bool,
    ) -> _Computed:
        """One partition read, planned, replayed at its lawful amounts, gated, rendered
        and screened, through ``conn`` (this process's, or a worker's); with
        ``share_gate`` the gate step is shared with a forked helper when it is big. Nothing
        of it outlives the call but the rows and work items returned."""
        views = loader.load(borrowers)
        report("load", len(views), len(views))
        by_loan = {v.loan_id: v for v in views}
        planned = plan_day(views, self.strategy, self.as_of, self.tz)
        del views
        actions, lawful = with_lawful_amounts(conn, planned, by_loan, self.as_of)
        by_loan.update(lawful)
        report("plan", len(actions), len(actions))
        history = load_history(
            conn, {a.borrower_id for a in actions}, self.as_of, self.tz, borrowers
        )
        report("history", 1, 1)
        rows = self._decide_all(actions, by_loan, history, report, share_gate)
        # The cache is keyed by a template and its whole context (names, amounts): one
        # partition's entries are never another's, and it would otherwise grow all night.
        self._rendered.clear()
        return _Computed(borrowers, len(actions), rows, _work(actions, rows, by_loan))

    def _store(
        self,
        conn: Connection,
        computed: _Computed,
        summary: NightSummary,
        tally: _Tally,
        subject: str,
    ) -> None:
        """A computed partition's rows inserted (its new messages queued) and its work
        staged for 分案, numbered on from the partitions stored before it."""
        summary.planned += computed.planned
        fresh = _insert_absent(conn, computed.rows, summary, computed.borrowers, tally, subject)
        tally.staged += _stage_work(conn, computed.work, fresh, tally.staged)

    def _decide_all(
        self,
        actions: Sequence[PlannedAction],
        by_loan: Mapping[str, AccountView],
        history: Mapping[str, tuple[PastContact, ...]],
        report: Progress,
        share: bool,
    ) -> list[Row]:
        """Gate, render and screen every action: a row each, in order (with ``share``, a
        big partition's shared with a forked helper)."""
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

        # Pure CPU on objects in memory: a big partition's shared with a forked helper,
        # unless workers already take the cores. Either way in chunks: each chunk's
        # messages are screened in one batch, whose arrays grow with it.
        if share:
            rows = split_run(decide, total, chunk=GATE_CHUNK, minimum=GATE_PARALLEL_MIN)
        else:
            rows = [
                row
                for start in range(0, total, GATE_CHUNK)
                for row in decide(start, min(total, start + GATE_CHUNK))
            ]
        report("gate", total, total)
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

    def assign(self, conn: Connection) -> int:
        """分案 over every partition's work at once: give the allowed calls, visits and
        placements to collectors or agencies, write each assignee onto the action rows
        this run inserted, and record tonight's agency placements and the owners of
        tonight's cases. Returns how many work items found no one with capacity.

        The work items were staged in the database partition by partition
        (``night_work``); they come back in ``assign``'s order ``ASSIGN_CHUNK`` at a
        time, each with its borrower's previous owner, and each chunk's results are
        written before the next is read: Python holds a chunk, the loan being handed
        out and the borrowers in progress (``Assigner``), never the night's work. The
        result is ``domain.assignment.assign``'s and ``domain.casework.case_owners``'
        over the whole night (``tests/integration/test_night_assign_stream.py``), the
        same for any partitioning."""
        roster = self.roster or OrgRepository(conn).roster()
        work_db.stage_previous_owners(conn, self.as_of)
        assigner = Assigner(
            roster.collectors,
            roster.agencies,
            self.as_of,
            AssignmentPolicy.from_policies(self.strategy.policies),
        )
        handout = _Handout(self.as_of)
        for chunk in work_db.work_in_order(conn, ASSIGN_CHUNK):
            for row in chunk:
                item = WorkItem(
                    row.loan_id,
                    row.borrower_id,
                    row.stage,
                    row.channel,
                    row.amount,
                    row.skill,
                    row.dpd,
                )
                handout.add(row, assigner.take(item, row.previous))
                if row.last:
                    assigner.forget(row.borrower_id)
            handout.write(conn)
        handout.close_loan()
        handout.write(conn)
        on_duty = {c.collector_id for c in roster.collectors if c.active}
        self.owners = work_db.case_owner_rows(on_duty)
        return handout.unassigned


@dataclass(frozen=True, slots=True)
class _Computed:
    """One partition planned and decided, ready to store (a worker's answer, pickled)."""

    borrowers: BorrowerRange
    planned: int
    """Actions planned for the partition's borrowers."""
    rows: list[Row]
    work: list[dict[str, Any]]


_WORKER_NIGHT: _Night | None = None
"""The night the partition workers compute for: set before they fork, so each inherits
the strategy, the gate with its screener and the context read once (``read_context``)
without pickling them."""


def _pool(
    engine: Engine, night: _Night, workers: int, ranges: Sequence[BorrowerRange]
) -> PartitionPool | None:
    """Worker processes for the night's partitions, or None where they would not pay:
    one worker, one partition, or a database other processes cannot open."""
    global _WORKER_NIGHT
    if workers < 2 or len(ranges) < 2 or not shareable(engine) or not can_fork():
        return None
    _WORKER_NIGHT = night
    return PartitionPool.start(engine, min(workers, len(ranges)))


def _compute_in_worker(conn: Connection, borrowers: BorrowerRange) -> _Computed:
    """A worker's task: ``borrowers`` computed through the worker's own connection (a read
    transaction on the night's snapshot, ``ledger_pool``), its chosen loans read for the
    range alone. The gate step is not shared again: the workers take the cores."""
    night = _WORKER_NIGHT
    if night is None:
        raise RuntimeError("not in a night partition worker")
    with run_settings(conn, SQLITE_NIGHT_SETTINGS), night._loader(conn, borrowers) as loader:
        return night.compute(conn, loader, borrowers, _silent, share_gate=False)


def _silent(step: str, done: int, total: int) -> None:
    """No progress from a worker (the run's process reports the partitions it stores)."""


ASSIGN_CHUNK = 10_000
"""Work items 分案 reads back from the database at once (``_Night.assign``)."""


class _Handout:
    """分案's results, loan by loan, waiting to be written a chunk at a time.

    A loan's work items are consecutive in ``assign``'s order (one amount, one loan id),
    and each of them is written with the loan's last assignment (the assignee the loan
    ends up with tonight), as one stored action per item."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.loan: str | None = None
        self.items: list[Any] = []
        """The current loan's staged rows."""
        self.final: Assignment | None = None
        """The current loan's last assignment."""
        self.assignees: list[tuple[str, str, str]] = []
        self.placements: list[dict[str, Any]] = []
        self.loan_owners: list[dict[str, Any]] = []
        self.collector_loans = 0
        self.unassigned = 0

    def add(self, row: Any, outcome: Assignment | Unassigned) -> None:
        """One staged row and what ``Assigner.take`` made of it."""
        if row.loan_id != self.loan:
            self.close_loan()
            self.loan = row.loan_id
        self.items.append(row)
        if isinstance(outcome, Unassigned):
            self.unassigned += 1
        else:
            self.final = outcome

    def close_loan(self) -> None:
        """The current loan's items are all taken: its rows' assignees and placement, and
        its collector as an owner of the borrower's case."""
        chosen = self.final
        if chosen is not None:
            for row in self.items:
                if not row.fresh:
                    continue
                self.assignees.append((row.action_id, chosen.assignee, chosen.kind.value))
                if row.placement and chosen.recall_on is not None:
                    self.placements.append(
                        {
                            "loan_id": row.loan_id,
                            "placed_on": self.as_of,
                            "agency_id": chosen.assignee,
                            "recall_on": chosen.recall_on,
                            "action_id": row.action_id,
                        }
                    )
            if chosen.kind is AssigneeKind.COLLECTOR:
                self.loan_owners.append(
                    {
                        "pos": self.collector_loans,
                        "borrower_id": chosen.borrower_id,
                        "owner_id": chosen.assignee,
                    }
                )
                self.collector_loans += 1
        self.loan, self.items, self.final = None, [], None

    def write(self, conn: Connection) -> None:
        """Write what the closed loans got, and forget it."""
        store.set_assignees(conn, sorted(self.assignees))
        store.insert_placements(conn, sorted(self.placements, key=_action_id))
        work_db.stage_loan_owners(conn, self.loan_owners)
        self.assignees, self.placements, self.loan_owners = [], [], []


@dataclass
class _Tally:
    """What the night keeps of its partitions once they are inserted and dropped."""

    staged: int = 0
    """Work items staged for 分案 so far (``night_work``): the next one's ``seq``."""
    actions: int = 0
    """Actions planned tonight."""
    replanned: dict[str, str] = field(default_factory=dict)
    """Decision tonight of each action planned again whose row an earlier run stored (a
    night run again; none on a first run)."""
    stale: set[str] = field(default_factory=set)
    """Stored actions of the night that tonight did not plan again (a night run again
    after its data changed; none on a first run)."""

    def decisions(self, conn: Connection, day: date) -> Iterator[tuple[str, str]]:
        """(action id, decision) of every action planned tonight, by id: the stored
        rows, as tonight decided them."""
        for action_id, decision in store.night_decisions(conn, day):
            if action_id not in self.stale:
                yield action_id, self.replanned.get(action_id, decision)


def _work(
    actions: Sequence[PlannedAction], rows: Sequence[Row], views: Mapping[str, AccountView]
) -> list[dict[str, Any]]:
    """The allowed actions that need a person or an agency, as 分案's work items in plan
    order (without their ``seq`` and ``fresh``, which the stored night decides)."""
    needed = [
        a
        for a, r in zip(actions, rows, strict=True)
        if r["status"] != Status.DENIED and _is_work(a)
    ]
    items = work_items(needed, {a.loan_id: views[a.loan_id].state for a in needed})
    return [
        {
            "action_id": a.action_id,
            "loan_id": item.loan_id,
            "borrower_id": item.borrower_id,
            "stage": item.stage,
            "channel": item.channel,
            "amount": item.amount,
            "skill": item.skill,
            "dpd": item.dpd,
            "placement": a.kind is ActionKind.AGENCY_PLACEMENT,
        }
        for a, item in zip(needed, items, strict=True)
    ]


def _stage_work(conn: Connection, work: Sequence[dict[str, Any]], fresh: set[str], seq: int) -> int:
    """Stage a partition's work items for 分案, numbered from ``seq`` (``fresh``: the
    action ids this run inserted); returns how many."""
    work_db.stage_work(
        conn,
        [
            item | {"seq": seq + n, "fresh": item["action_id"] in fresh}
            for n, item in enumerate(work)
        ],
    )
    return len(work)


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


def _insert_absent(
    conn: Connection,
    rows: list[Row],
    summary: NightSummary,
    borrowers: BorrowerRange,
    tally: _Tally,
    subject: str,
) -> set[str]:
    """Insert the rows (of ``borrowers``) whose action id is not stored yet, and queue their
    messages; returns their ids. What the audit needs of the others goes into ``tally``.

    A new row that ``_queue`` would put into the outbox (an allowed message still to do)
    is stored as ``queued`` and its outbox row is added now, from the stored row, by the
    same statement ``_queue`` runs: the same rows as queuing it at the end of the night,
    without rewriting it (on PostgreSQL an update of a row inserted in the same
    transaction re-checks its foreign keys). An outbox row already there for its id is
    left as it is, as ``_queue`` leaves it, and the action is ``queued`` either way."""
    existing = store.stored_action_ids(conn, summary.run_date, borrowers)
    # In id order: the primary-key index and the table then grow at their ends instead of
    # at random pages, and phase two marks rows sent page by page in the same order.
    fresh = sorted((r for r in rows if r["action_id"] not in existing), key=_action_id)
    stored = [_stored(r, summary.run_date) for r in fresh]
    store.insert_actions(conn, stored)
    queued = [str(r["action_id"]) for r in stored if r["status"] == Status.QUEUED]
    store.queue_messages(
        conn, summary.run_date, subject, MESSAGE_CHANNELS, (Status.QUEUED,), among=queued
    )
    summary.new_rows += len(fresh)
    tally.actions += len(rows)
    if existing:
        planned = {str(r["action_id"]): str(r["decision"]) for r in rows}
        tally.replanned.update((k, v) for k, v in planned.items() if k in existing)
        tally.stale.update(existing.difference(planned))
    return {str(r["action_id"]) for r in fresh}


def _stored(row: Row, day: date) -> Row:
    """The ``planned_actions`` row as the night stores it: ``queued`` when ``_queue``'s
    statement would take its message."""
    if row["allowed"] and row["channel"] in MESSAGE_CHANNELS and row["status"] in TO_DO:
        return row | {"run_date": day, "status": Status.QUEUED}
    return row | {"run_date": day}


def _action_id(row: Row) -> str:
    return str(row["action_id"])


def email_subject(lender_name: str) -> str:
    """The subject of every e-mail the night sends: who writes and that it is about the
    loan, nothing more (a subject is read by anyone who sees the inbox, so it names no
    amount and no overdue status)."""
    return f"{lender_name}：借款事项通知"


def _queue(conn: Connection, as_of: date, subject: str) -> None:
    """Put every allowed, not yet queued message of the night into the outbox; e-mails
    get ``subject``, other channels none. The messages of the rows this run inserted are
    queued already (``_insert_absent``); this takes those of rows stored by an earlier
    run of the night."""
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
