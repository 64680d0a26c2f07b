"""The night's audit digest is fed pair by pair from the database; it must equal the
SHA-256 of the canonical text of the whole sorted list (``domain.audit.canonical``),
which is what an auditor recomputes from the stored rows."""

from __future__ import annotations

import hashlib

from faircollect.domain.audit import canonical
from faircollect.services.nightly_plan import decisions_sha256


def test_streamed_digest_equals_the_digest_of_the_canonical_list() -> None:
    pairs = [
        ("0a1", '{"allowed":true}'),
        ("0b2", '{"allowed": false, "violations": [{"rule": "FREQ-1", "reason": "今日已联系"}]}'),
        ("ff9", 'quote " and backslash \\ and newline \n'),
    ]
    expected = hashlib.sha256(canonical(sorted(pairs)).encode()).hexdigest()
    assert decisions_sha256(iter(sorted(pairs))) == expected


def test_no_decisions_is_the_digest_of_an_empty_list() -> None:
    assert decisions_sha256(iter(())) == hashlib.sha256(b"[]").hexdigest()
