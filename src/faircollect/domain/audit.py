"""The audit trail's chain: what an entry is, its canonical form, its hash, and checking a
sequence of stored entries (pure: no I/O, no clock; the time is always given).

Every entry holds the hash of the entry before it (``prev_hash``; the first holds
``GENESIS``) and its own ``hash`` = SHA-256 over ``prev_hash`` followed by the canonical
JSON of its content (id, at, actor, action, subject, before, after). Editing an entry
changes its content, so its stored hash no longer matches; deleting one leaves a gap in the
ids and a ``prev_hash`` that names nothing; swapping two entries' ids changes both
contents. ``verify`` walks the entries in id order and names the first that is broken.

``before`` and ``after`` are stored as canonical JSON text, exactly the bytes hashed; they
never hold an ID number or a phone number in clear (``scrubbed``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from faircollect.domain.privacy import mask_id_number, mask_phone, mask_text

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""

SENSITIVE_KEYS = frozenset({"phone", "phones", "number", "id_number", "dialled"})
"""Keys whose values are always masked (a landline has no shape the text rule knows)."""

_DIGEST = re.compile(r"[0-9a-f]{32,128}")
"""A hex digest (SHA-256 and kin): its digit runs are not phone numbers, and masking one
would make the stored digest wrong."""


class AuditError(ValueError):
    """A value that cannot be part of an entry (a float, an unknown type)."""


def plain(value: Any) -> Any:
    """``value`` as JSON data: dates and times ISO (times in UTC), decimals as text, enums
    by value, dataclasses and mappings as objects with string keys, sequences as lists.
    Floats are refused: nothing audited is approximate."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise AuditError("floats are not audited (use integer fen or a decimal)")
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise AuditError("naive datetime in an audit entry")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=canonical) if isinstance(value, set | frozenset) else items
    raise AuditError(f"cannot audit a {type(value).__name__}")


def canonical(value: Any) -> str:
    """The one text of a JSON value: keys sorted, no spaces, UTF-8 characters as they are."""
    return json.dumps(
        plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def scrubbed(value: Any) -> Any:
    """JSON data with personal numbers masked: values under ``SENSITIVE_KEYS`` as a phone
    (an ID number under ``id_number``), and ID and mobile numbers inside any text."""
    data = plain(value)
    return _scrub(data, None)


def _scrub(data: Any, key: str | None) -> Any:
    if isinstance(data, dict):
        return {k: _scrub(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [_scrub(v, key) for v in data]
    if isinstance(data, str):
        if key == "id_number":
            return mask_id_number(data) if "*" not in data else data
        if key in SENSITIVE_KEYS:
            return mask_phone(data) if "*" not in data else data
        return data if _DIGEST.fullmatch(data) else mask_text(data)
    return data


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What a use case records: who did what to which subject, and the state before and
    after (any JSON-able value; scrubbed when the entry is made)."""

    actor: str
    action: str
    subject: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored entry. ``before`` and ``after`` are canonical JSON text."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    before: str
    after: str
    prev_hash: str
    hash: str


def content_of(
    entry_id: int, at: datetime, actor: str, action: str, subject: str, before: str, after: str
) -> str:
    """The canonical JSON of an entry's content: what its hash covers with ``prev_hash``."""
    return canonical(
        {
            "id": entry_id,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "before": before,
            "after": after,
        }
    )


def entry_hash(prev_hash: str, content: str) -> str:
    """SHA-256 (hex) of ``prev_hash`` followed by the content's UTF-8 bytes."""
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def seal(entry_id: int, at: datetime, event: AuditEvent, prev_hash: str) -> AuditEntry:
    """The entry ``entry_id`` for ``event`` at ``at``, chained to ``prev_hash``."""
    before = canonical(scrubbed(event.before))
    after = canonical(scrubbed(event.after))
    content = content_of(entry_id, at, event.actor, event.action, event.subject, before, after)
    return AuditEntry(
        entry_id,
        at,
        event.actor,
        event.action,
        event.subject,
        before,
        after,
        prev_hash,
        entry_hash(prev_hash, content),
    )


def computed_hash(entry: AuditEntry) -> str:
    """The hash ``entry`` should hold for its content and ``prev_hash``."""
    content = content_of(
        entry.id, entry.at, entry.actor, entry.action, entry.subject, entry.before, entry.after
    )
    return entry_hash(entry.prev_hash, content)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of checking a chain: how many entries were checked and, when broken,
    the id of the first broken entry and why."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify(
    entries: Iterable[AuditEntry],
    *,
    prev_id: int = 0,
    prev_hash: str = GENESIS,
    last_id: int | None = None,
) -> Verdict:
    """Check ``entries`` (in id order) as the chain following entry ``prev_id`` whose hash
    is ``prev_hash`` (0 and ``GENESIS``: the start of the log). Each entry must have the
    next id, name the previous entry's hash, and hold the hash of its own content. With
    ``last_id`` (what the log says it has written), entries missing at the end are
    reported as the first missing id."""
    checked = 0
    expected_id, expected_prev = prev_id + 1, prev_hash
    for entry in entries:
        if entry.id != expected_id:
            if entry.id > expected_id:
                why = f"entry {expected_id} is missing (entry {entry.id} follows {expected_id - 1})"
            else:
                why = f"entry {entry.id} is out of order (expected {expected_id})"
            return Verdict(checked, entry.id, why)
        if entry.prev_hash != expected_prev:
            why = f"entry {entry.id} does not follow entry {expected_id - 1} (prev_hash differs)"
            return Verdict(checked, entry.id, why)
        if computed_hash(entry) != entry.hash:
            return Verdict(checked, entry.id, f"entry {entry.id} was changed (hash differs)")
        checked += 1
        expected_id, expected_prev = entry.id + 1, entry.hash
    if last_id is not None and expected_id <= last_id:
        why = f"entries {expected_id}..{last_id} are missing from the end of the log"
        return Verdict(checked, expected_id, why)
    return Verdict(checked)
