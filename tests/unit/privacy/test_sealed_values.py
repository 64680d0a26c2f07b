"""Sealed values (``domain.sealed``) and the keyring that seals and opens them."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from faircollect.adapters.data_keys import (
    KeyProblem,
    Keyring,
    add_data_key,
    create_key_file,
    key_id,
    load_keyring,
)
from faircollect.domain.sealed import SealedFormatError, is_sealed, key_id_of, parse

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
LOOKUP = bytes(range(32, 64))
ID_NUMBER = "11010519491231002X"


def test_a_sealed_value_names_its_key_and_holds_no_clear_text() -> None:
    ring = Keyring(KEY_A, LOOKUP)
    stored = ring.seal(ID_NUMBER)
    assert stored.startswith(f"fc1:{key_id(KEY_A)}:")
    assert ID_NUMBER not in stored and "1949" not in stored
    assert ring.open(stored) == ID_NUMBER
    assert key_id_of(stored) == key_id(KEY_A) == "630dcd29"  # SHA-256 of bytes 0..31
    assert len(parse(stored).nonce) == 12


def test_every_seal_takes_a_fresh_nonce() -> None:
    ring = Keyring(KEY_A, LOOKUP)
    first, second = ring.seal("13800138000"), ring.seal("13800138000")
    assert first != second
    assert parse(first).nonce != parse(second).nonce
    assert ring.open(first) == ring.open(second) == "13800138000"


def test_an_old_key_opens_until_rotated_and_a_missing_one_is_named() -> None:
    old = Keyring(KEY_A, LOOKUP)
    stored = old.seal("13800138000")
    rotated = Keyring(KEY_B, LOOKUP, [KEY_A])
    assert rotated.open(stored) == "13800138000"
    fresh = rotated.reseal(stored)
    assert fresh is not None and key_id_of(fresh) == key_id(KEY_B)
    assert rotated.reseal(fresh) is None  # already under the current key
    only_new = Keyring(KEY_B, LOOKUP)
    assert only_new.open(fresh) == "13800138000"
    with pytest.raises(KeyProblem, match=key_id(KEY_A)):
        only_new.open(stored)


def test_a_tampered_value_does_not_open() -> None:
    ring = Keyring(KEY_A, LOOKUP)
    sealed = parse(ring.seal("13800138000"))
    flipped = bytearray(sealed.payload)
    flipped[-1] ^= 1
    damaged = type(sealed)(sealed.key_id, bytes(flipped)).text()
    with pytest.raises(KeyProblem, match="damaged"):
        ring.open(damaged)


def test_text_in_clear_is_read_as_it_is_and_malformed_sealed_text_is_refused() -> None:
    ring = Keyring(KEY_A, LOOKUP)
    assert not is_sealed("13800138000") and ring.open("13800138000") == "13800138000"
    assert key_id_of("13800138000") is None
    for bad in ("fc1:xyz:AAAA", "fc1:630dcd29", "fc1:630dcd29:AAAA"):
        with pytest.raises(SealedFormatError):
            parse(bad)


def test_the_lookup_hash_is_keyed_and_stable() -> None:
    ring = Keyring(KEY_A, LOOKUP)
    # HMAC-SHA256(bytes 32..63, "13800138000"), computed independently with hmac/hashlib
    import hashlib
    import hmac

    expected = hmac.new(LOOKUP, b"13800138000", hashlib.sha256).hexdigest()
    assert ring.lookup_hash("13800138000") == expected
    assert ring.lookup_hash("13800138000") == ring.lookup_hash("13800138000")
    assert Keyring(KEY_A, KEY_B).lookup_hash("13800138000") != expected
    # the lookup key does not change with the data key: hashes survive a rotation
    assert Keyring(KEY_B, LOOKUP, [KEY_A]).lookup_hash("13800138000") == expected


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_keys_from_the_environment() -> None:
    env = {
        "FAIRCOLLECT_DATA_KEY": _b64(KEY_B),
        "FAIRCOLLECT_DATA_KEYS": _b64(KEY_A),
        "FAIRCOLLECT_LOOKUP_KEY": _b64(LOOKUP),
    }
    ring = load_keyring(env)
    assert ring.current_id == key_id(KEY_B)
    assert ring.key_ids == [key_id(KEY_B), key_id(KEY_A)]
    with pytest.raises(KeyProblem, match="FAIRCOLLECT_LOOKUP_KEY"):
        load_keyring({"FAIRCOLLECT_DATA_KEY": _b64(KEY_B)})
    with pytest.raises(KeyProblem, match="32 bytes"):
        load_keyring({"FAIRCOLLECT_DATA_KEY": _b64(b"short"), "FAIRCOLLECT_LOOKUP_KEY": "x"})


def test_no_key_anywhere_says_how_to_make_one(tmp_path: Path) -> None:
    missing = tmp_path / "none.keys"
    with pytest.raises(KeyProblem, match="keys init"):
        load_keyring({"FAIRCOLLECT_KEY_FILE": str(missing)})


def test_the_key_file_is_private_never_overwritten_and_takes_a_new_key(tmp_path: Path) -> None:
    path = tmp_path / "faircollect.keys"
    create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(KeyProblem, match="never overwritten"):
        create_key_file(path)
    first = load_keyring({"FAIRCOLLECT_KEY_FILE": str(path)})
    stored = first.seal("13800138000")
    old_id, new_id = add_data_key(path)
    assert old_id == first.current_id and new_id != old_id
    second = load_keyring({"FAIRCOLLECT_KEY_FILE": str(path)})
    assert second.current_id == new_id and second.open(stored) == "13800138000"
    assert second.lookup_hash("x") == first.lookup_hash("x")
    assert json.loads(path.read_text())["old_data_keys"] == [_b64(first.data_key)]
