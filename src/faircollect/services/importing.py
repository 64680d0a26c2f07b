"""``faircollect import DIR``: load the CSV files atomically and idempotently.

Optional columns (``domain.records.RowSpec.optional``: a borrower's ``email``, a loan's
``risk_score``) may be absent from a file; they then import as empty (NULL) and take part
in the duplicate check like every other field, except a column another file sets
(``RowSpec.set_by``: loans.csv's ``risk_score``, set by ``risk_scores.csv``): absent from
the header it is "not supplied" and the stored value is kept.

``risk_scores.csv`` (loan_id, risk_score) adds no rows: it sets the current score of known
loans (latest import wins, the same file again changes nothing), so a lender can re-score
monthly without touching loans.csv.

How it stays atomic, fast and small in memory on millions of rows:
- One transaction for the whole import. Files are streamed in chunks; each chunk is parsed
  (``domain.records``), checked against the database *inside the same transaction* (so rows
  inserted from earlier chunks and files count as known) and bulk-inserted. If any error was
  found anywhere, the transaction is rolled back at the end: nothing changes.
- Because earlier chunks are already in the transaction, a duplicate id later in the same
  file is caught by the same lookup that catches a duplicate of a stored row.
- Idempotent: a row identical to a stored one is skipped; a row with the same identity and
  different content is an error naming the field that differs.
- New payments get one new ``import_batches`` row (created only when at least one payment is
  new), so the nightly run can recompute only the loans they touch. Re-importing the same
  directory therefore adds no batch.

What it refuses before touching the database: a listed file that is there but is not a
regular readable file (a broken link, a directory, a pipe), and a file in neither UTF-8 nor
GB18030 (``adapters.input_files``: ``auto`` picks the encoding and the report says which).
Row by row it refuses values outside the plausibility limits (``domain.limits``), naming
file, line, field and the bound.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from faircollect.adapters.db import import_store
from faircollect.adapters.db import repository as stored
from faircollect.adapters.db.bulk import insert_rows
from faircollect.adapters.input_files import (
    Encoding,
    InputFileError,
    detect_encoding,
    encoding_label,
    open_binary,
    regular_file,
    text_lines,
)
from faircollect.domain.limits import Bounds, Limits
from faircollect.domain.money import format_yuan
from faircollect.domain.privacy import mask_phone, masked
from faircollect.domain.records import (
    SPECS,
    Contact,
    Record,
    RowError,
    RowSpec,
    header_errors,
    parse_values,
)

CHUNK_ROWS = 20_000
"""Rows parsed, checked and inserted together: big enough that per-chunk lookups and
statement overhead vanish, small enough to keep memory flat on any file size."""

Progress = Callable[[str, int, int, int], None]
"""progress(file, rows_read, bytes_read, bytes_total), called after every chunk."""

_STORAGE = {
    "borrowers.csv": stored.BORROWERS,
    "contacts.csv": stored.CONTACTS,
    "loans.csv": stored.LOANS,
    "payments.csv": stored.PAYMENTS,
    "risk_scores.csv": stored.RISK_SCORES,
}

_SETS_STORED = frozenset({"risk_scores.csv"})
"""Files whose rows set values of a stored row (latest import wins) instead of adding rows;
their ``_REFERENCES`` entry makes sure that row exists, so they never insert one."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A column that must name a row of an earlier file or of the database."""

    field: str
    target_file: str
    target: stored.Stored
    """Where the named rows are stored (found by their lookup column)."""


_REFERENCES = {
    "contacts.csv": Reference("borrower_id", "borrowers.csv", stored.BORROWERS),
    "loans.csv": Reference("borrower_id", "borrowers.csv", stored.BORROWERS),
    "payments.csv": Reference("loan_id", "loans.csv", stored.LOANS),
    "risk_scores.csv": Reference("loan_id", "loans.csv", stored.LOANS),
}

_COLUMN_OF_FIELD = {"principal": "contract_principal", "received": "received_amount"}
"""LoanTerms fields whose CSV column has a different name."""

_MONEY_FIELDS = frozenset({"principal", "received", "periodic_fee", "amount"})


@dataclass(slots=True)
class FileReport:
    """What one file contributed: rows read, inserted, stored rows changed (risk_scores.csv)
    and rows skipped as already stored."""

    file: str
    rows: int = 0
    inserted: int = 0
    skipped: int = 0
    updated: int = 0
    encoding: str = "UTF-8"
    """How the file was decoded: UTF-8 or GB18030."""


@dataclass(slots=True)
class ImportReport:
    """The outcome of a successful import."""

    files: list[FileReport]
    batch_id: int | None
    """The import_batches row the new payments carry; None when no payment was new."""


class ImportFailed(Exception):
    """The import was rolled back; ``errors`` holds the first errors, ``total`` counts all."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        super().__init__(f"{total} error(s); nothing was imported")
        self.errors = errors
        self.total = total


@dataclass(slots=True)
class _ErrorLog:
    """Keeps the first ``limit`` errors and counts the rest."""

    limit: int
    kept: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)


def import_directory(
    engine: Engine,
    directory: Path,
    now: datetime,
    progress: Progress | None = None,
    max_errors: int = 20,
    encoding: Encoding = Encoding.AUTO,
    limits: Limits | None = None,
) -> ImportReport:
    """Import whichever of the CSV files of ``SPECS`` ``directory`` holds, all or nothing.

    Raises ``ImportFailed`` (with nothing changed) when any row is wrong. ``limits``
    defaults to the shipped plausibility bounds, around today in Asia/Shanghai.
    """
    present = _present(directory)
    if not present:
        names = ", ".join(spec.file for spec in SPECS)
        raise ImportFailed([RowError(str(directory), 0, "", f"none of {names} found")], 1)
    if limits is None:
        from faircollect.adapters.limits_file import load_limits

        limits = load_limits()
    bounds = limits.bounds(now.astimezone(_BUSINESS_TZ).date())
    log = _ErrorLog(max_errors)
    with engine.connect() as conn, conn.begin() as transaction:
        job = _Job(conn, log, now, str(directory), bounds, encoding)
        reports = [job.run_file(spec, directory / spec.file, progress) for spec in present]
        if log.total:
            transaction.rollback()
            raise ImportFailed(log.kept, log.total)
    return ImportReport(reports, job.batch_id)


_BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def _present(directory: Path) -> list[RowSpec]:
    """The specs whose file is in ``directory``; ``ImportFailed`` if one is there but is not
    a regular readable file (a broken or looping link, a directory, a pipe): skipping it
    would report an import that silently left the file out."""
    present, problems = [], []
    for spec in SPECS:
        try:
            if regular_file(directory / spec.file, missing_ok=True):
                present.append(spec)
        except InputFileError as error:
            problems.append(RowError(spec.file, 0, "", error.reason))
    if problems:
        raise ImportFailed(problems, len(problems))
    return present


@dataclass(slots=True)
class _Job:
    """One import in progress inside its transaction."""

    conn: Connection
    log: _ErrorLog
    now: datetime
    source: str
    bounds: Bounds
    encoding: Encoding
    batch_id: int | None = None
    rejected: dict[str, set[str]] = field(default_factory=dict)
    """Ids of rows that failed to parse, per file: references to them are not re-reported."""
    set_on_line: dict[tuple[Any, ...], int] = field(default_factory=dict)
    """For a file of ``_SETS_STORED``: the line that set each identity so far, so a later
    chunk that sets it again differently is an error naming both lines, not a silent win."""

    def run_file(self, spec: RowSpec, path: Path, progress: Progress | None) -> FileReport:
        report = FileReport(spec.file)
        total_bytes = path.stat().st_size
        rejected = self.rejected.setdefault(spec.file, set())
        unsupplied: set[str] = set()
        self.set_on_line = {}
        try:
            codec = detect_encoding(path, self.encoding)
        except InputFileError as error:
            self.log.add(RowError(spec.file, error.line, "", error.reason))
            return report
        report.encoding = encoding_label(codec)
        with open_binary(path) as raw:
            lines = text_lines(raw, codec, spec.file)
            for chunk in _chunks(spec, lines, self.log, rejected, unsupplied, self.bounds):
                report.rows += len(chunk)
                self._store(spec, chunk, report, unsupplied)
                if progress:
                    progress(spec.file, report.rows, raw.tell(), total_bytes)
        return report

    def _store(
        self,
        spec: RowSpec,
        chunk: list[tuple[int, Record]],
        report: FileReport,
        unsupplied: set[str],
    ) -> None:
        """Inserts the chunk's new rows (or sets changed values, for ``_SETS_STORED``);
        ``unsupplied`` columns (``RowSpec.set_by`` left out of the header) keep stored values."""
        storage = _STORAGE[spec.file]
        sets_stored = spec.file in _SETS_STORED
        unique = self._unique(spec, chunk, report)
        known = self._known_references(spec, unique)
        existing = self._existing(storage, unique)
        new: list[Record] = []
        changed: list[Record] = []
        for line, record in unique:
            if not known(line, record):
                continue
            key = storage.key(record)
            previous = existing.get(key)
            if previous is not None and unsupplied:
                kept = {name: getattr(previous, name) for name in unsupplied}
                record = replace(record, **kept)
            set_before = self.set_on_line.setdefault(key, line) if sets_stored else line
            if previous is None:
                new.append(record)
            elif previous == record:
                report.skipped += 1
            elif sets_stored and set_before == line:
                changed.append(record)
            else:
                where = "a row already stored" if set_before == line else f"line {set_before}"
                self._conflict(spec, line, previous, record, where)
        if new:
            self._insert(spec, [storage.to_row(record) for record in new])
            report.inserted += len(new)
        if changed:
            self._update(storage, changed)
            report.updated += len(changed)

    def _unique(
        self, spec: RowSpec, chunk: list[tuple[int, Record]], report: FileReport
    ) -> list[tuple[int, Record]]:
        """Drops exact repeats inside the chunk; a repeat with other content is an error."""
        key = _STORAGE[spec.file].key
        if len({key(record) for _, record in chunk}) == len(chunk):
            return chunk
        first: dict[tuple[Any, ...], tuple[int, Record]] = {}
        for line, record in chunk:
            seen = first.setdefault(key(record), (line, record))
            if seen[0] == line:
                continue
            if seen[1] == record:
                report.skipped += 1
            else:
                self._conflict(spec, line, seen[1], record, f"line {seen[0]}")
        return list(first.values())

    def _known_references(
        self, spec: RowSpec, chunk: list[tuple[int, Record]]
    ) -> Callable[[int, Record], bool]:
        """A check that the row's reference names a stored row (and, for payments, its dates)."""
        reference = _REFERENCES.get(spec.file)
        if reference is None:
            return lambda _line, _record: True
        wanted = {getattr(record, reference.field) for _, record in chunk}
        also = ("disbursed_on",) if spec.file == "payments.csv" else ()
        found = import_store.referenced(self.conn, reference.target, sorted(wanted), also)
        skip = self.rejected.get(reference.target_file, set())

        def known(line: int, record: Record) -> bool:
            target = getattr(record, reference.field)
            row = found.get(target)
            if row is None:
                if target in skip:  # already reported; rows that lean on it fall with it
                    self.rejected[spec.file].add(getattr(record, spec.columns[0][0]))
                else:
                    message = (
                        f"unknown {reference.field} {target!r} "
                        f"(not in {reference.target_file} nor the database)"
                    )
                    self.log.add(RowError(spec.file, line, reference.field, message))
                return False
            disbursed = row.get("disbursed_on")
            if disbursed is not None and record.paid_on < disbursed:  # type: ignore[union-attr]
                message = f"before the loan was disbursed on {disbursed}"
                self.log.add(RowError(spec.file, line, "paid_on", message))
                return False
            return True

        return known

    def _existing(
        self, storage: stored.Stored, chunk: list[tuple[int, Record]]
    ) -> dict[tuple[Any, ...], Record]:
        """Stored rows that share an identity with records of the chunk."""
        values = sorted({getattr(record, storage.lookup_column) for _, record in chunk})
        stored_records = import_store.stored_records(self.conn, storage, values)
        return {storage.key(record): record for record in stored_records}

    def _conflict(
        self,
        spec: RowSpec,
        line: int,
        old: Record,
        new: Record,
        where: str = "a row already stored",
    ) -> None:
        differing = next(
            f.name for f in fields(new) if getattr(old, f.name) != getattr(new, f.name)
        )
        column = _COLUMN_OF_FIELD.get(differing, differing)
        message = (
            f"duplicate {_identity(spec, new)} with different content: "
            f"{column} is {_shown(new, differing)} here but {_shown(old, differing)} in {where}"
        )
        if column in spec.set_by:
            message += (
                f" (to change {column} import {spec.set_by[column]}, or leave the column "
                f"out of {spec.file})"
            )
        self.log.add(RowError(spec.file, line, column, message))

    def _insert(self, spec: RowSpec, rows: list[dict[str, Any]]) -> None:
        storage = _STORAGE[spec.file]
        if spec.file == "payments.csv":
            batch = self._batch()
            for row in rows:
                row["batch_id"] = batch
        insert_rows(self.conn, storage.table, rows)

    def _update(self, storage: stored.Stored, records: list[Record]) -> None:
        """Sets the stored rows' values to the records' (matched on the lookup column)."""
        import_store.set_values(self.conn, storage, [storage.to_row(r) for r in records])

    def _batch(self) -> int:
        """The batch new payments belong to, created with the first new payment."""
        if self.batch_id is None:
            self.batch_id = import_store.new_batch(self.conn, self.source, self.now)
        return self.batch_id


def _chunks(
    spec: RowSpec,
    lines: Iterator[str],
    log: _ErrorLog,
    rejected: set[str],
    unsupplied: set[str],
    bounds: Bounds | None = None,
) -> Iterator[list[tuple[int, Record]]]:
    """Parsed rows in chunks of (line, record); bad rows go to the log, their ids to rejected,
    the ``RowSpec.set_by`` columns the header leaves out to ``unsupplied``."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        problems = header_errors(spec, header)
        for problem in problems:
            log.add(problem)
        if problems or header is None:
            return
        names = [name.strip() for name in header]
        unsupplied.update(name for name in spec.set_by if name not in names)
        positions = [names.index(name) if name in names else -1 for name in spec.names]
        given = [i for i in positions if i >= 0]
        # The usual file: its columns in the spec's order, optional ones at most left off
        # the end, so each row is used as read (plus empty texts) without reordering.
        in_order = given == list(range(len(names))) == positions[: len(given)]
        absent = [""] * (len(positions) - len(given))
        identity = positions[0]
        chunk: list[tuple[int, Record]] = []
        for fields_ in reader:
            line = reader.line_num
            if not fields_:
                continue
            if len(fields_) != len(names):
                message = f"has {len(fields_)} fields but the header has {len(names)}"
                log.add(RowError(spec.file, line, "", message))
                rejected.add(fields_[identity].strip() if identity < len(fields_) else "")
                continue
            if in_order:
                texts = fields_ + absent if absent else fields_
            else:
                texts = [fields_[i] if i >= 0 else "" for i in positions]
            parsed = parse_values(spec, texts, line, bounds)
            if isinstance(parsed, list):
                for error in parsed:
                    log.add(error)
                rejected.add(fields_[identity].strip())
                continue
            chunk.append((line, parsed))
            if len(chunk) >= CHUNK_ROWS:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
    except InputFileError as err:  # a line that does not decode, or a runaway line
        log.add(RowError(spec.file, err.line, "", err.reason))
    except csv.Error as err:
        log.add(RowError(spec.file, reader.line_num, "", f"malformed CSV: {err}"))


def _identity(spec: RowSpec, record: Record) -> str:
    """How a person would name the row: its id, or for a contact its phone and borrower."""
    if isinstance(record, Contact):
        return f"contact phone {mask_phone(record.phone)!r} of borrower {record.borrower_id!r}"
    name = spec.columns[0][0]
    return f"{name} {getattr(record, name)!r}"


def _shown(record: Record, name: str) -> str:
    """A field's value as the CSV writes it (money in yuan)."""
    value = getattr(record, name)
    if value is None:  # an optional column left empty
        return "empty"
    return format_yuan(value) if name in _MONEY_FIELDS else masked(name, str(value))
