"""The unit of work: one database transaction, with the repositories that work in it.

``with SqlUnitOfWork(engine) as uow: ... uow.cases.get(...) ...`` commits when the block
ends normally and rolls back when it raises, so a refused command leaves nothing behind.
Every use case in ``services`` takes one; front doors (CLI, web) open it. For a test,
``SqlUnitOfWork.in_memory()`` gives a fresh in-memory SQLite database at the schema head.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import StaticPool

from faircollect.adapters.db.repositories.actions import ActionRepository
from faircollect.adapters.db.repositories.audit import AuditRepository, Clock, utc_now
from faircollect.adapters.db.repositories.calls import CallRepository
from faircollect.adapters.db.repositories.cases import CaseRepository
from faircollect.adapters.db.repositories.complaints import ComplaintRepository
from faircollect.adapters.db.repositories.contacts import ContactRepository
from faircollect.adapters.db.repositories.idempotency import IdempotencyRepository
from faircollect.adapters.db.repositories.letters import LetterRepository
from faircollect.adapters.db.repositories.loans import LoanRepository
from faircollect.adapters.db.repositories.org import OrgRepository
from faircollect.adapters.db.repositories.payment_intents import PaymentIntentRepository
from faircollect.adapters.db.repositories.portal import PortalRepository
from faircollect.adapters.db.repositories.promises import PromiseRepository
from faircollect.adapters.db.repositories.proposals import ProposalRepository
from faircollect.adapters.db.repositories.retention import RetentionRepository
from faircollect.adapters.db.repositories.sessions import SessionRepository
from faircollect.adapters.db.repositories.visits import VisitRepository
from faircollect.domain.audit import AuditEvent


class SqlUnitOfWork:
    """A transaction on ``engine`` and the repositories bound to it."""

    cases: CaseRepository
    contacts: ContactRepository
    promises: PromiseRepository
    proposals: ProposalRepository
    visits: VisitRepository
    loans: LoanRepository
    org: OrgRepository
    actions: ActionRepository
    sessions: SessionRepository
    calls: CallRepository
    portal: PortalRepository
    complaints: ComplaintRepository
    intents: PaymentIntentRepository
    retention: RetentionRepository
    audit: AuditRepository
    """The audit trail: entries appended here commit or roll back with the change."""
    idempotency: IdempotencyRepository
    """Answers kept for ``Idempotency-Key`` retries: stored with the change they answer."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock
        """When audit entries are stamped (the real clock unless a test sets one)."""
        self._conn: Connection | None = None
        self._owned = True

    @classmethod
    def within(cls, conn: Connection) -> SqlUnitOfWork:
        """The repositories on a transaction the caller already holds (the nightly run):
        not to be used as a ``with`` block; the caller commits or rolls back."""
        uow = cls(conn.engine)
        uow._owned = False
        uow._bind(conn)
        return uow

    @classmethod
    def in_memory(cls) -> SqlUnitOfWork:
        """A unit of work on a new, empty in-memory SQLite database at the schema head
        (for tests of use cases: no file, no server)."""
        from faircollect.adapters.db.engine import create_schema, sqlite_pragmas

        engine = create_engine("sqlite://", poolclass=StaticPool)
        sqlite_pragmas(engine)
        create_schema(engine)
        return cls(engine)

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open (use it in a with block)")
        return self._conn

    def _bind(self, conn: Connection) -> None:
        self._conn = conn
        self.cases = CaseRepository(conn)
        self.contacts = ContactRepository(conn)
        self.promises = PromiseRepository(conn)
        self.proposals = ProposalRepository(conn)
        self.visits = VisitRepository(conn)
        self.loans = LoanRepository(conn)
        self.letters = LetterRepository(conn)
        self.org = OrgRepository(conn)
        self.actions = ActionRepository(conn)
        self.sessions = SessionRepository(conn)
        self.calls = CallRepository(conn)
        self.portal = PortalRepository(conn)
        self.complaints = ComplaintRepository(conn)
        self.intents = PaymentIntentRepository(conn)
        self.retention = RetentionRepository(conn)
        self.idempotency = IdempotencyRepository(conn)
        # Not owned: nobody flushes at commit, so entries are appended as recorded.
        self.audit = AuditRepository(conn, self.clock, immediate=not self._owned)

    def __enter__(self) -> SqlUnitOfWork:
        if not self._owned:
            raise RuntimeError("a unit of work made with within() belongs to its caller")
        conn = self.engine.connect()
        conn.begin()
        self._bind(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        kept = self.audit.kept
        try:
            if exc_type is None:
                try:
                    self.audit.flush()
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
                kept = []
            else:
                conn.rollback()
        finally:
            conn.close()
            self._conn = None
        if kept:
            self._append_kept(kept)

    def _append_kept(self, events: list[AuditEvent]) -> None:
        """The refusals a rolled-back transaction recorded, in a transaction of their own."""
        with self.engine.begin() as conn:
            audit = AuditRepository(conn, self.clock)
            for event in events:
                audit.append(event)


UnitOfWork = SqlUnitOfWork
"""What use cases are given (the one implementation: SQL through SQLAlchemy)."""
