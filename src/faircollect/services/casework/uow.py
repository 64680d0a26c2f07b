"""The unit of work: one database transaction that commits as a whole or not at all."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ... uow.conn ...``: commits when the block ends
    normally, rolls back when it raises (a refused command leaves nothing behind)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    @classmethod
    def within(cls, conn: Connection) -> UnitOfWork:
        """The casework services on a transaction the caller already holds (the nightly
        run's phase one): not to be used as a ``with`` block; the caller's transaction
        commits or rolls back everything the services wrote, with its own work."""
        uow = cls(conn.engine)
        uow._conn = conn
        return uow

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open (use it in a with block)")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        self._conn = self.engine.connect()
        self._conn.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        try:
            if exc_type is None:
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()
            self._conn = None
