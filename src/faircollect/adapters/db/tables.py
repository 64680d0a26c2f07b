"""The relational schema (SQLAlchemy Core). Money columns are BigInteger fen.

Alembic migrations are generated from this metadata; repositories and bulk jobs use the
tables directly, so there is one place where a column is named.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

from faircollect.adapters.db.types import ExactDecimal, Sealed, UTCDateTime, keyed_hash_of

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

HASH_OF = "hash_of"
"""``Column.info`` key: the column holds the keyed hash of the named column of its row."""


def keyed_hash_column(name: str, source: str) -> Column[str]:
    """An indexed column holding the keyed hash (``data_keys.lookup_hash``) of ``source``:
    filled by Core inserts (a column default) and by ``bulk.insert_rows``."""
    return Column(
        name,
        String(64),
        nullable=False,
        default=keyed_hash_of(source),
        index=True,
        info={HASH_OF: source},
    )


borrowers = Table(
    "borrowers",
    metadata,
    Column("borrower_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("phone", Sealed, nullable=False),
    Column("id_number", Sealed, nullable=False),
    Column("city", String(64), nullable=False),
    Column("email", Sealed, nullable=True),
    keyed_hash_column("phone_hash", "phone"),
    keyed_hash_column("id_number_hash", "id_number"),
    Column("anonymised_on", Date, nullable=True),
)
"""Borrowers. ``phone``, ``id_number`` and ``email`` are sealed (``types.Sealed``, 0016);
``phone_hash`` / ``id_number_hash`` are their keyed hashes (HMAC-SHA256), what a search by
number looks up. ``anonymised_on``: the day retention emptied the borrower's identity
(0017); the row stays, the ledger refers to it."""

contacts = Table(
    "contacts",
    metadata,
    Column("contact_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("phone", Sealed, nullable=False),
    Column("relation", String(32), nullable=False),
    Column("is_emergency", Boolean, nullable=False),
    keyed_hash_column("phone_hash", "phone"),
    UniqueConstraint("borrower_id", "phone_hash", name="uq_contacts_borrower_phone_hash"),
)
"""A borrower's registered contacts; ``phone`` sealed, ``phone_hash`` its keyed hash (one
contact per number and borrower)."""

loans = Table(
    "loans",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("product", String(64), nullable=False),
    Column("contract_principal", BigInteger, nullable=False),
    Column("received_amount", BigInteger, nullable=False),
    Column("annual_rate", ExactDecimal, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("method", String(32), nullable=False),
    Column("disbursed_on", Date, nullable=False),
    Column("penalty_rate_daily", ExactDecimal, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("periodic_fee", BigInteger, nullable=False),
    Column("risk_score", Integer, nullable=True),
    Column("illegal_debt", Boolean, nullable=True),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("batch_id", ForeignKey("import_batches.batch_id"), nullable=True),
    Index("ix_payments_loan_paid_on", "loan_id", "paid_on", "amount"),
    Index("ix_payments_batch", "batch_id"),
)
"""``ix_payments_loan_paid_on`` covers ``amount`` so the ledger reads every payment of a loan
from the index alone (1M loans, 6.9M payments: the portfolio read 3.1 -> 2.6 s CPU)."""

account_states = Table(
    "account_states",
    metadata,
    Column("loan_id", ForeignKey("loans.loan_id"), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(8), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("overdue_principal", BigInteger, nullable=False),
    Column("overdue_interest", BigInteger, nullable=False),
    Column("overdue_fee", BigInteger, nullable=False),
    Column("penalty", BigInteger, nullable=False),
    Column("outstanding_principal", BigInteger, nullable=False),
    Column("credit", BigInteger, nullable=False),
    Column("paid_total", BigInteger, nullable=False),
    Column("next_due_on", Date, nullable=True),
    Column("next_event_on", Date, nullable=True),
    Column("roll_until", Date, nullable=True),
    Index("ix_account_states_next_event_on", "next_event_on"),
)
"""The latest state of every loan (one row per loan, as of the last run).

``roll_until``: the state came from the portfolio engine and its accruing installments
are in ``penalty_accruals``, so days with no event up to this date can carry it forward
in SQL (NULL: never)."""

penalty_accruals = Table(
    "penalty_accruals",
    metadata,
    Column("loan_id", ForeignKey("loans.loan_id"), primary_key=True),
    Column("installment", Integer, primary_key=True),
    Column("grace_end", Date, nullable=False),
    Column("accrued", BigInteger, nullable=False),
    Column("daily", BigInteger, nullable=False),
    Column("accrued_day", Integer, nullable=False),
    sqlite_with_rowid=False,
)
"""Per installment still accruing penalty when the engine last computed its loan: the
exact accrued penalty net of penalty paid (fen × 10^-8) through ``accrued_day`` (a day
number, days since 1970-01-01, the engine's unit, so SQL can multiply by the days since)
and what each further day adds. Written with the engine's states, never updated; see
``portfolio.engine.Accruals``."""


def _staged_twin(name: str, source: Table) -> Table:
    """A table with ``source``'s columns and none of its keys, indexes or constraints."""
    return Table(
        name,
        metadata,
        *(Column(c.name, c.type, nullable=c.nullable) for c in source.columns),
    )


ledger_staged_states = _staged_twin("ledger_staged_states", account_states)
ledger_staged_accruals = _staged_twin("ledger_staged_accruals", penalty_accruals)
"""A full ledger run's computed partitions, written and committed one partition at a time
before the day's transaction moves them into ``account_states`` and ``penalty_accruals``
(0020; ``adapters.db.ledger_staging``): a run killed mid-way keeps the partitions it
finished, and its rerun computes only the others. No keys: every row is written once, with
its partition's marker in ``ledger_staged_parts``, and read back whole. Unlogged on
PostgreSQL: a crash of the server empties them (markers too), which only costs the rerun."""

ledger_staged_parts = Table(
    "ledger_staged_parts",
    metadata,
    Column("run_key", String(64), primary_key=True),
    Column("part_no", Integer, primary_key=True),
    Column("loans", Integer, nullable=False),
)
"""One row per staged partition, committed with its rows: ``run_key`` names what the
partitions were computed from (the day, the thresholds, the partition size, the newest
import batch, the counts of loans and approved adjustments); rows staged under another key
are stale and deleted before a run stages anything."""


stage_history = Table(
    "stage_history",
    metadata,
    Column("loan_id", ForeignKey("loans.loan_id"), primary_key=True),
    Column("entered_on", Date, primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("previous_stage", String(16), nullable=True),
)
"""Stage transitions with their date: history, never overwritten."""

account_state_history = Table(
    "account_state_history",
    metadata,
    Column("night", Date, primary_key=True),
    Column("loan_id", String(64), primary_key=True),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(8), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("overdue_principal", BigInteger, nullable=False),
    Column("overdue_total", BigInteger, nullable=False),
    Column("outstanding_principal", BigInteger, nullable=False),
    Column("paid_total", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
"""Every loan's state as of each night (0013): what the managers' reports read for a past
date (buckets as of D, roll rates between D1 and D2). Copied from ``account_states`` by
the night after it stored the day's states; ``overdue_total`` is overdue principal,
interest, fee and penalty. No foreign key: a bulk copy of the book, never updated."""

runs = Table(
    "runs",
    metadata,
    Column("run_date", Date, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("last_batch_id", Integer, nullable=True),
    Column("loans_computed", Integer, nullable=True),
)
"""One row per business date the nightly run completed (idempotency and catch-up)."""

promises = Table(
    "promises",
    metadata,
    Column("promise_id", String(64), primary_key=True),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("settled_on", Date, nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("made_by", String(64), nullable=True),
    Column("kind", String(16), nullable=True),
)
"""Promises to pay (承诺还款): open until the night of their due date settles them.
``kind``: ``once`` (一次性) or ``instalments`` (分期, the first of several payments)."""

contact_records = Table(
    "contact_records",
    metadata,
    Column("record_id", String(64), primary_key=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("action_id", String(64), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("party", String(24), nullable=False),
    Column("phone", Sealed, nullable=True),
    Column("actor", String(64), nullable=False),
    Column("outcome", String(24), nullable=False),
    Column("reason", String(24), nullable=True),
    Column("note", Text, nullable=False, default=""),
    # Covering for consecutive failed attempts; ``at`` for the gate's recent contacts (0007).
    Index("ix_contact_records_borrower_at", "borrower_id", "at", "record_id", "party", "outcome"),
    Index("ix_contact_records_at", "at"),
)
"""Every contact attempt (催记), answered or not: the gate's history comes from here."""

# --- the nightly plan (issue 4): planned actions, the outbox, agency placements ---------

planned_actions = Table(
    "planned_actions",
    metadata,
    Column("action_id", String(64), primary_key=True),
    Column("run_date", Date, nullable=False),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("segment", String(64), nullable=False),
    Column("arm", String(16), nullable=False),
    Column("action_key", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("channel", String(16), nullable=True),
    Column("party", String(24), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("target", Sealed, nullable=True),
    Column("template", String(64), nullable=True),
    Column("priority", Integer, nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("tz", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("allowed", Boolean, nullable=False),
    Column("rules", Text, nullable=False, default=""),
    Column("decision", Text, nullable=False),
    Column("rendered", Text, nullable=True),
    Column("assignee", String(64), nullable=True),
    Column("assignee_kind", String(16), nullable=True),
    Index("ix_planned_actions_run_date", "run_date"),
    Index("ix_planned_actions_borrower_run_date", "borrower_id", "run_date"),
    # The night's reads over a month of history (0007): visit notices sent (CN-VISIT-1),
    # each borrower's latest assignee (sticky 分案), reading few or none of the wide rows.
    Index(
        "ix_planned_actions_notice_sent",
        "loan_id",
        "run_date",
        "action_key",  # the condition's columns too: SQLite then never reads the table
        "status",
        sqlite_where=text("action_key = 'visit_notice' AND status = 'sent'"),
        postgresql_where=text("action_key = 'visit_notice' AND status = 'sent'"),
    ),
    Index(
        "ix_planned_actions_owner",
        "borrower_id",
        "run_date",
        "action_id",
        "assignee",
        sqlite_where=text("assignee IS NOT NULL"),
        postgresql_where=text("assignee IS NOT NULL"),
    ),
    # A collector's morning queue: the actions the night assigned to them that day (0009).
    Index("ix_planned_actions_assignee_day", "assignee", "run_date"),
)
"""Every action the night planned, with the gate's decision: denied ones stay, never sent."""

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("run_date", Date, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", Sealed, nullable=False),
    Column("subject", Text, nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("error", Text, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    Index("ix_outbox_run_date_status", "run_date", "status"),
)
"""Messages queued for a channel adapter; ``message_id`` is the planned action id.
``recipient`` is sealed (copied sealed from ``planned_actions.target``): the sender opens
it when it sends."""

letters = Table(
    "letters",
    metadata,
    Column("letter_id", String(64), primary_key=True),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("reference", String(96), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("rendered_at", UTCDateTime, nullable=False),
    Column("rendered_by", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("gate_decision", Text, nullable=True),
    Index("ix_letters_loan_id", "loan_id", "rendered_at"),
)
"""Letters issued from the case page or ``letter render`` (issue 14): the PDF exactly as
laid out and its SHA-256. Each waits in ``outbox`` under ``letter_id`` (channel
``letter`` or ``lawyer_letter``) until a dispatch channel takes it; whether it went out is
that outbox row's status, never a column here. ``gate_decision`` is the gate's allowing
decision on sending it (JSON, as ``planned_actions.decision``; NULL for a letter issued
before letters were gated, 0021)."""

# Casework (issue 5): cases, their history, proposals, placements, visits, users ----------

teams = Table(
    "teams",
    metadata,
    Column("team_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
)
"""Teams of the collections department (前期组, 强催组, 外访组...)."""

users = Table(
    "users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("agency_id", String(64), nullable=True),
    Column("team_id", String(64), nullable=True),
    Column("capacity", Integer, nullable=False, server_default=text("0")),
    Column("skills", String(128), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("password_hash", Text, nullable=True),
)
"""Everyone who signs in or is handed work: role, team, agency (agency users), and for
collectors the 分案 facts (work items a day, skills, on duty). One organisation model:
the night's 分案 and casework read the same rows (``faircollect user load``)."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
"""Signed-in sessions of the workbench: the SHA-256 of the cookie's token (never the token
itself), the CSRF token state-changing requests must carry, and when it expires."""

call_sessions = Table(
    "call_sessions",
    metadata,
    Column("call_id", String(64), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("loan_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("answers", Text, nullable=False),
    Column("record_id", String(64), nullable=True),
)
"""A guided first call in progress on the web: its answers so far (JSON, in order); the
session is rebuilt from them on every step. ``record_id`` once the call was stored."""

login_failures = Table(
    "login_failures",
    metadata,
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_user_at", "user_id", "at"),
)
"""Failed sign-ins per user id (known or not), for throttling."""

agencies = Table(
    "agencies",
    metadata,
    Column("agency_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("rate", ExactDecimal, nullable=False),
    Column("plan_rate", ExactDecimal, nullable=False),
    Column("capacity", Integer, nullable=False, server_default=text("0")),
)
"""Collection agencies (委外机构): commission terms and the accounts they take a day."""

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("status", String(24), nullable=False),
    Column("owner_kind", String(16), nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("opened_on", Date, nullable=False),
    # One user's cases (the workbench's lists and queue) without reading the book (0011).
    Index("ix_cases_owner", "owner_kind", "owner_id"),
)
"""One borrower's delinquent loans worked as a unit; ``status`` is the current one."""

case_loans = Table(
    "case_loans",
    metadata,
    Column("case_id", ForeignKey("cases.case_id"), primary_key=True),
    Column("loan_id", ForeignKey("loans.loan_id"), primary_key=True),
    # Which case a loan is in (casework, the queue, promises): the night opens ~150k cases
    # at 1M loans, so a lookup by loan must not scan them (0010).
    Index("ix_case_loans_loan_id", "loan_id"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("happened_on", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("from_value", String(64), nullable=True),
    Column("to_value", String(64), nullable=True),
    Column("actor", String(64), nullable=False),
    Column("reason", Text, nullable=False, default=""),
)
"""A case's history (opened, status changed, owner assigned...): appended, never updated."""

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("follow_up_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("record_id", String(64), nullable=True),
    Column("action", String(32), nullable=False),
    Column("due_on", Date, nullable=False),
)
"""What to do next on a case (积极跟进), written by the guided call."""

qa_findings = Table(
    "qa_findings",
    metadata,
    Column("finding_id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(80), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("rule", String(32), nullable=False),
    Column("label", String(32), nullable=False),
    Column("evidence", Text, nullable=False),
)
"""Screener findings in notes, kept for quality inspection (质检)."""

proposals = Table(
    "proposals",
    metadata,
    Column("proposal_id", String(64), primary_key=True),
    Column("case_id", ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("months", Integer, nullable=True),
    Column("annual_rate", ExactDecimal, nullable=True),
    Column("first_due", Date, nullable=True),
    Column("method", String(32), nullable=True),
    Column("component", String(16), nullable=True),
    Column("amount", BigInteger, nullable=True),
    Column("submitted_by", String(64), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("decided_by", String(64), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decision_reason", Text, nullable=False, default=""),
)
"""Instalment plans and waivers (分期 / 减免) and the supervisor's decision."""

loan_adjustments = Table(
    "loan_adjustments",
    metadata,
    Column("proposal_id", ForeignKey("proposals.proposal_id"), primary_key=True),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("component", String(16), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("carried_interest", BigInteger, nullable=False, default=0),
    Column("carried_fee", BigInteger, nullable=False, default=0),
)
"""Approved ledger changes (LoanRestructured / WaiverGranted); ``repository.load_adjustments``
reads them with the plan's terms from ``proposals`` and every ledger reader applies them."""

restructured_installments = Table(
    "restructured_installments",
    metadata,
    Column("proposal_id", ForeignKey("loan_adjustments.proposal_id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("due_on", Date, nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
)
"""The new schedule of an approved instalment plan, numbered 1..n within the plan."""

loan_placements = Table(
    "loan_placements",
    metadata,
    Column("loan_id", ForeignKey("loans.loan_id"), primary_key=True),
    Column("placed_on", Date, primary_key=True),
    Column("agency_id", String(64), nullable=False),
    Column("recall_on", Date, nullable=False),
    Column("action_id", String(64), nullable=False),
)
"""The nightly plan's decision (委外): this loan goes to ``agency_id`` tonight until
``recall_on``, decided by planned action ``action_id``. One row per loan and night.

A decision, not access: what an agency may see and earn on is the case-level fact in
``placements``. The same night turns each decision into that fact for the loan's open case
(``services.casework.night_placements``: ``placed_by`` is its system actor, ``recall_on``
copied), so the two agree unless casework had a reason not to place (reported)."""

placements = Table(
    "placements",
    metadata,
    Column("placement_id", String(64), primary_key=True),
    Column("agency_id", ForeignKey("agencies.agency_id"), nullable=False, index=True),
    Column("case_id", ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("placed_on", Date, nullable=False),
    Column("recall_on", Date, nullable=True),
    Column("recalled_on", Date, nullable=True),
    Column("placed_by", String(64), nullable=False),
)
"""Agency placements (委外) of cases: held from ``placed_on`` until ``recalled_on``
(excluded); ``recall_on`` is the planned recall. The one record of who holds a case: made
by a supervisor (``case place``) or by the night from its ``loan_placements`` decisions."""

visits = Table(
    "visits",
    metadata,
    Column("visit_id", String(64), primary_key=True),
    Column("case_id", ForeignKey("cases.case_id"), nullable=False, index=True),
    Column("visit_type", String(16), nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("address", Sealed, nullable=False),
    Column("staff", Text, nullable=False),
    Column("notice_letter_sent_on", Date, nullable=False),
    Column("planned_by", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    Column("outcome", String(24), nullable=True),
    Column("recording_ref", Text, nullable=True),
    Column("note", Text, nullable=False, default=""),
)
"""Home visits (外访): the plan that passed CN-VISIT-1 and, later, its outcome."""

# The borrower's side (issue 13): sign-in codes, borrower sessions, complaints ----------

borrower_codes = Table(
    "borrower_codes",
    metadata,
    Column("code_id", Integer, primary_key=True, autoincrement=True),
    Column("phone_hash", String(64), nullable=False),
    Column("code_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("wrong_tries", Integer, nullable=False, server_default=text("0")),
    Column("used_at", UTCDateTime, nullable=True),
    Column("voided", Boolean, nullable=False, server_default=false()),
    Index("ix_borrower_codes_phone_hash_created", "phone_hash", "created_at"),
)
"""Sign-in codes asked for a phone number (known or not), kept as the number's keyed hash:
the argon2 hash of the code (empty when the number is no borrower's: nothing was sent),
when it expires, wrong tries (5 void it), when it was used (once). Every request is a row,
for the rate limits."""

borrower_sessions = Table(
    "borrower_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
"""Signed-in borrowers (the portal): the SHA-256 of the cookie's token, the CSRF token,
the expiry. Separate from the workbench's sessions: one never signs in to the other."""

complaints = Table(
    "complaints",
    metadata,
    Column("complaint_id", String(64), primary_key=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(64), nullable=True),
    Column("contact_id", String(64), nullable=True),
    Column("text", Text, nullable=False),
    Column("evidence_text", Text, nullable=False, default=""),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("answer_by", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_by", String(64), nullable=True),
    Column("answer", Text, nullable=True),
    Index("ix_complaints_status_answer_by", "status", "answer_by"),
)
"""Complaints borrowers filed (COMP-1): while one is open, collection contact to the
borrower is paused; the compliance officer answers by ``answer_by`` (15 days)."""

borrower_preferences = Table(
    "borrower_preferences",
    metadata,
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), primary_key=True),
    Column("contact_slots", Text, nullable=False),
    Column("channels_off", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""How the borrower asked to be contacted (DNC-1): slots as JSON ``[["18:00", "20:00"]]``
within the lawful hours, channels turned off as a JSON list."""

payment_intents = Table(
    "payment_intents",
    metadata,
    Column("intent_id", String(64), primary_key=True),
    Column("borrower_id", ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", ForeignKey("loans.loan_id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("gateway", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("gateway_payment_id", String(64), nullable=True, unique=True),
    Column("payment_id", String(64), nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
)
"""Payments a borrower started in the portal: pending until the gateway's signed webhook
confirms them; then ``payment_id`` is the ledger's payment (its own import batch).
``gateway_payment_id`` is unique: a replayed webhook changes nothing."""
report_cache = Table(
    "report_cache",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("body", Text, nullable=False),
)
"""Reports as of one stored night that the night computed after bringing the states up
to it (``services.report_cache``): the report as JSON (``domain.reports.report_json``).
The workbench's report pages read them instead of computing; no clock column, so a night
run twice leaves the same rows."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(128), nullable=False, index=True),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
"""The audit trail (``domain.audit``): append-only, one row per change or view of unmasked
personal data, written in the same transaction as what it records. ``id`` counts 1, 2, ...
without gaps; ``before``/``after`` are the canonical JSON that ``hash`` covers (SHA-256
over ``prev_hash`` + the entry's canonical content), personal numbers masked."""

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)
"""One row (id 1): the last entry written and its hash. Every append updates it first, so
appends serialise on its row lock (PostgreSQL) or the write lock (SQLite) and the chain
stays linear; ``audit verify`` also reports entries missing from the end against it."""

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", String(80), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)
"""The answers creating API requests got, per ``owner`` (``user:C101``, ``borrower:B1``)
and ``Idempotency-Key`` (a page form's key: its ``idempotency_key`` field; its answer is
kept as 303 and the page the submit led to): written in the transaction that created the
thing, so a retry with the same key is answered from here and creates nothing
(``web.idempotency``).
``request_hash`` is the SHA-256 of method, path and canonical body: the same key on a
different request is refused."""
