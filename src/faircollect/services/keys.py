"""The data keys' use cases: which key seals how many values, and the rotation.

``rotate`` re-seals every sealed value under the current data key, a batch per
transaction, column after column; a column's walk ends with an audit entry
(``keys.resealed``: how many values, under which key id) and the whole run with
``keys.rotated``. Stopped half-way (a crash, Ctrl-C), it runs again from the start and
skips, without opening them, the values already under the current key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from faircollect.adapters.data_keys import Keyring, keyring
from faircollect.adapters.db.sealing import key_counts, reseal_batches, sealed_columns, to_reseal
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services.audit import record

OPERATOR = "operator"
"""Who an operator command is audited as (commands run on the server, like ``audit``)."""

Progress = Callable[[str, int, int], None]
"""Called with (column, values re-sealed so far, values to re-seal in it)."""


@dataclass(frozen=True, slots=True)
class KeyReport:
    """Per sealed column (``table.column``), how many values under each key id."""

    current_id: str
    counts: dict[str, Counter[str]]

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counter in self.counts.values():
            total.update(counter)
        return total

    @property
    def not_current(self) -> int:
        """Values sealed under an older key, or still in clear."""
        return sum(n for key, n in self.totals.items() if key != self.current_id)


def check(engine: Engine, ring: Keyring | None = None) -> KeyReport:
    """How many values each sealed column holds under each key id (nothing is opened)."""
    ring = ring or keyring()
    with engine.connect() as conn:
        return KeyReport(ring.current_id, key_counts(conn))


def rotate(
    engine: Engine,
    *,
    batch: int = 5_000,
    progress: Progress | None = None,
    actor: str = OPERATOR,
    ring: Keyring | None = None,
) -> dict[str, int]:
    """Re-seal every value not under the current key; how many per column."""
    ring = ring or keyring()
    done: dict[str, int] = {}
    for sealed in sealed_columns():
        with engine.connect() as conn:
            total = to_reseal(conn, sealed, ring.current_id)
            conn.commit()
            count = 0
            if progress and total:
                progress(sealed.name, 0, total)
            for resealed in reseal_batches(conn, sealed, ring, batch):
                conn.commit()
                count += resealed
                if progress and resealed:
                    progress(sealed.name, count, total)
            if count:
                after = {"key_id": ring.current_id, "values": count}
                record(UnitOfWork.within(conn), actor, "keys.resealed", sealed.name, None, after)
                conn.commit()
        done[sealed.name] = count
    with UnitOfWork(engine) as uow:
        summary = {"key_id": ring.current_id, "resealed": done}
        record(uow, actor, "keys.rotated", "data_keys", None, summary)
    return done
