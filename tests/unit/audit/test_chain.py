"""The audit chain's canonical form, hash and verification, with values written by hand."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from faircollect.domain.audit import (
    GENESIS,
    AuditError,
    AuditEvent,
    canonical,
    mask_text,
    scrubbed,
    seal,
    verify,
)

SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2026, 12, 3, 10, 30, tzinfo=SHANGHAI)


def test_canonical_json_sorts_keys_keeps_chinese_and_writes_times_in_utc() -> None:
    value = {"b": 1, "a": ["催收", Decimal("0.18")], "at": AT, "on": AT.date()}
    assert canonical(value) == (
        '{"a":["催收","0.18"],"at":"2026-12-03T02:30:00.000000+00:00","b":1,"on":"2026-12-03"}'
    )


def test_floats_and_naive_times_are_refused() -> None:
    with pytest.raises(AuditError):
        canonical({"amount": 1.5})
    with pytest.raises(AuditError):
        canonical({"at": datetime(2026, 12, 3, 10, 30)})


def test_first_entry_hash_is_sha256_of_genesis_and_its_content() -> None:
    entry = seal(
        1, AT, AuditEvent("C101", "promise.made", "loan:L1", None, {"amount": 50000}), GENESIS
    )
    content = (
        '{"action":"promise.made","actor":"C101","after":"{\\"amount\\":50000}",'
        '"at":"2026-12-03T02:30:00.000000+00:00","before":"null","id":1,"subject":"loan:L1"}'
    )
    assert entry.before == "null"
    assert entry.after == '{"amount":50000}'
    assert entry.prev_hash == "0" * 64
    assert entry.hash == hashlib.sha256(("0" * 64 + content).encode()).hexdigest()


def test_personal_numbers_are_masked_by_key_and_inside_text() -> None:
    data = {
        "number": "010-88886666",
        "id_number": "110101199003071234",
        "note": "他说身份证11010119900307123X，电话13912345678",
        "nested": [{"phone": "13800001111"}],
        "amount": 500000,
    }
    assert scrubbed(data) == {
        "number": "010*****6666",
        "id_number": "1101**********1234",
        "note": "他说身份证1101**********123X，电话139****5678",
        "nested": [{"phone": "138****1111"}],
        "amount": 500000,
    }
    entry = seal(1, AT, AuditEvent("C101", "contact.recorded", "case:K1", None, data), GENESIS)
    assert "13912345678" not in entry.after and "110101199003071234" not in entry.after


def test_mask_text_leaves_other_numbers_alone() -> None:
    assert mask_text("还款 5000 元，订单 20261203001") == "还款 5000 元，订单 20261203001"


def test_a_digest_with_a_phone_shaped_digit_run_is_kept_as_it_is() -> None:
    # 64 hex characters holding "13912345678" between letters, as a SHA-256 can.
    digest = "ab13912345678cd" + "0" * 49
    assert scrubbed({"decisions_sha256": digest, "note": digest}) == {
        "decisions_sha256": digest,
        "note": digest,
    }
    assert scrubbed({"note": "ab13912345678cd"}) == {"note": "ab139****5678cd"}


def _chain(n: int) -> list:
    entries, prev = [], GENESIS
    for i in range(1, n + 1):
        e = seal(
            i, AT + timedelta(minutes=i), AuditEvent("S001", "case.reassigned", f"case:K{i}"), prev
        )
        entries.append(e)
        prev = e.hash
    return entries


def test_an_intact_chain_verifies_with_its_count() -> None:
    verdict = verify(_chain(4))
    assert verdict.intact and verdict.checked == 4


def test_an_edited_entry_is_named() -> None:
    entries = _chain(4)
    entries[2] = replace(entries[2], actor="S002")
    verdict = verify(entries)
    assert (verdict.broken_id, verdict.checked) == (3, 2)
    assert "changed" in verdict.reason


def test_a_deleted_entry_is_named_by_the_entry_after_the_gap() -> None:
    entries = _chain(4)
    del entries[1]
    verdict = verify(entries)
    assert verdict.broken_id == 3
    assert "entry 2 is missing" in verdict.reason


def test_entries_missing_from_the_end_are_named_against_the_head() -> None:
    verdict = verify(_chain(4)[:3], last_id=4)
    assert (verdict.broken_id, verdict.checked) == (4, 3)


def test_swapped_ids_break_at_the_first_swapped_entry() -> None:
    entries = _chain(4)
    a, b = entries[1], entries[2]
    entries[1], entries[2] = replace(b, id=2), replace(a, id=3)
    assert verify(entries).broken_id == 2


def test_a_chain_checked_from_the_middle_starts_from_the_stored_predecessor() -> None:
    entries = _chain(4)
    assert verify(entries[2:], prev_id=2, prev_hash=entries[1].hash).checked == 2
    assert verify(entries[2:], prev_id=2, prev_hash=GENESIS).broken_id == 3


def test_times_in_other_zones_hash_the_same_instant() -> None:
    event = AuditEvent("night", "case.opened", "case:K1")
    assert seal(1, AT, event, GENESIS).hash == seal(1, AT.astimezone(UTC), event, GENESIS).hash
