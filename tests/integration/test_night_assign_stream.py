"""分案 keeps the night's work in the database and reads it back a chunk at a time.

The night stages each partition's calls, visits and placements in a temporary table
(``adapters.db.night_work``) and hands them out once, streaming them in ``assign``'s
order. Two properties, on SQLite and PostgreSQL, over the demo night of
``test_night_partitions`` (sticky owners from a previous night, too little capacity,
agency placements):

- **bounded**: no work item outlives its partition in Python, and while 分案 runs Python
  holds at most a chunk of them (a structural count of live objects, not a measure of
  memory that would depend on the machine): memory follows the chunk, not the book;
- **the same night**: streamed in chunks of two items, the stored night equals the one the
  readable reference stores (``domain.assignment.assign`` over every item at once, the
  previous owners read into a dict, ``domain.casework.case_owners``).
"""

from __future__ import annotations

import gc
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from faircollect.adapters.db import night_store, night_views, night_work
from faircollect.adapters.db.repositories.org import OrgRepository
from faircollect.domain import assignment
from faircollect.domain.assignment import AssignmentPolicy, WorkItem, assign
from faircollect.domain.casework.case_owners import case_owners
from faircollect.services import nightly_plan
from tests.integration.test_night_partitions import DAY, _copies, _plan, _scarce, _stored, _world

CHUNK = 2


class _Live:
    """How many work items exist, counted by a subclass the night builds instead of
    ``WorkItem`` (patched where the night makes them): made minus freed, O(1) to read. A
    walk of the whole heap per take cost minutes per test."""

    count = 0

    @classmethod
    def now(cls) -> int:
        if cls.count > CHUNK:  # items in a reference cycle wait for the collector
            gc.collect()
        return cls.count


class _CountedItem(WorkItem):
    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Live.count += 1

    def __del__(self) -> None:
        _Live.count -= 1


def test_assign_holds_a_chunk_of_work_not_the_night(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(db_engine)
    roster = _scarce(db_engine)
    monkeypatch.setattr(nightly_plan, "ASSIGN_CHUNK", CHUNK)
    after_partition: list[int] = []
    during_assign: list[int] = []
    chunks: list[int] = []

    store_partition = nightly_plan._Night._store

    def counted_partition(self: Any, *args: Any, **kwargs: Any) -> None:
        store_partition(self, *args, **kwargs)
        after_partition.append(_Live.now())

    take = assignment.Assigner.take

    def counted_take(self: Any, item: WorkItem, previous: str | None) -> Any:
        assert type(item) is _CountedItem, "every item the night hands out is counted"
        during_assign.append(_Live.now())
        return take(self, item, previous)

    read = night_work.work_in_order

    def counted_read(conn: Connection, chunk: int) -> Any:
        for rows in read(conn, chunk):
            chunks.append(len(rows))
            yield rows

    monkeypatch.setattr(nightly_plan, "WorkItem", _CountedItem)
    monkeypatch.setattr(assignment, "WorkItem", _CountedItem)
    monkeypatch.setattr(nightly_plan._Night, "_store", counted_partition)
    monkeypatch.setattr(assignment.Assigner, "take", counted_take)
    monkeypatch.setattr(night_work, "work_in_order", counted_read)
    summary = _plan(db_engine, roster, 3)

    staged = sum(chunks)
    assert staged > 10 * CHUNK, "the night should have work for many chunks"
    assert len(after_partition) > 30
    # Nothing of 分案's input is kept in Python across partitions: it is in the database.
    assert max(after_partition) == 0
    # While 分案 runs, Python holds the item being taken (and the one the previous loan's
    # unassigned outcome may still name), never the night's.
    assert len(during_assign) == staged
    assert 1 <= max(during_assign) <= CHUNK, "the item being taken is counted"
    assert max(chunks) <= CHUNK
    assert summary.unassigned > 0


def _reference_assign(self: Any, conn: Connection) -> int:
    """The readable reference of ``_Night.assign`` (the code before the staging table):
    every staged item read at once, ``assign`` over them, ``case_owners`` from the
    previous owners read into a dict, each item written with its loan's last assignment."""
    roster = self.roster or OrgRepository(conn).roster()
    w = night_work.WORK
    staged = conn.execute(select(w).order_by(w.c.seq)).all()
    items = [
        WorkItem(r.loan_id, r.borrower_id, r.stage, r.channel, r.amount, r.skill, r.dpd)
        for r in staged
    ]
    before = night_views.previous_owners(conn, self.as_of)
    policy = AssignmentPolicy.from_policies(self.strategy.policies)
    result = assign(items, roster.collectors, roster.agencies, before, self.as_of, policy)
    owner = {a.loan_id: a for a in result.assignments}
    on_duty = {c.collector_id for c in roster.collectors if c.active}
    self.owners = case_owners([owner[a.loan_id] for a in result.assignments], before, on_duty)
    assignees, placements = [], []
    for r in staged:
        chosen = owner.get(r.loan_id)
        if chosen is None or not r.fresh:
            continue
        assignees.append((r.action_id, chosen.assignee, chosen.kind.value))
        if r.placement and chosen.recall_on is not None:
            placements.append(
                {
                    "loan_id": r.loan_id,
                    "placed_on": self.as_of,
                    "agency_id": chosen.assignee,
                    "recall_on": chosen.recall_on,
                    "action_id": r.action_id,
                }
            )
    night_store.set_assignees(conn, sorted(assignees))
    night_store.insert_placements(conn, sorted(placements, key=lambda p: str(p["action_id"])))
    return len(result.unassigned)


def test_streamed_assign_stores_the_night_of_the_reference(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world(db_engine)
    roster = _scarce(db_engine)
    with _copies(db_engine, 2) as (streamed, reference):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(nightly_plan, "ASSIGN_CHUNK", CHUNK)
            ours = _plan(streamed, roster, 3)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(nightly_plan._Night, "assign", _reference_assign)
            theirs = _plan(reference, roster, 3)
        with reference.connect() as conn:
            assert night_views.previous_owners(conn, DAY), "sticky 分案 should be exercised"
        assert ours.unassigned == theirs.unassigned > 0
        assert ours.cases == theirs.cases
        assert _stored(streamed) == _stored(reference)


def test_staged_previous_owners_are_the_dict_of_previous_owners(db_engine: Engine) -> None:
    _world(db_engine)
    with db_engine.begin() as conn, night_work.work_tables(conn):
        night_work.stage_previous_owners(conn, DAY)
        p = night_work.PREVIOUS
        staged = dict(conn.execute(select(p.c.borrower_id, p.c.owner_id)).all())
        assert staged == night_views.previous_owners(conn, DAY)
        assert staged
        assert night_views.previous_owners(conn, date(2000, 1, 1)) == {}
