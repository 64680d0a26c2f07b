"""The keys that seal personal data at rest, and the crypto done with them.

Two secrets, both 32 random bytes, never stored in the database:

- the *data key* seals values (AES-256-GCM, a random 96-bit nonce per value; the stored form
  is ``domain.sealed``'s). Older data keys stay readable during a rotation: values sealed
  under them open, new values are sealed under the current key, and ``faircollect keys
  rotate`` re-seals the old ones;
- the *lookup key* makes the keyed hashes (HMAC-SHA256) stored beside the values that are
  searched (a phone number, an ID number), so a lookup is an indexed equality without the
  plaintext in the database. It is separate from the data key and does not rotate with it.

Where they come from, first found wins:

1. ``FAIRCOLLECT_DATA_KEY`` (base64 of 32 bytes), ``FAIRCOLLECT_DATA_KEYS`` (older data
   keys, comma-separated) and ``FAIRCOLLECT_LOOKUP_KEY`` in the environment;
2. the key file ``FAIRCOLLECT_KEY_FILE`` (default ``./faircollect.keys``, JSON, mode 0600),
   which ``faircollect quickstart`` / ``make run`` and ``faircollect keys init`` write
   with fresh random keys when nothing is configured.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from faircollect.domain.bad_input import BadInput
from faircollect.domain.sealed import NONCE_BYTES, SealedValue, is_sealed, parse

DATA_KEY_ENV = "FAIRCOLLECT_DATA_KEY"
OLD_DATA_KEYS_ENV = "FAIRCOLLECT_DATA_KEYS"
LOOKUP_KEY_ENV = "FAIRCOLLECT_LOOKUP_KEY"
KEY_FILE_ENV = "FAIRCOLLECT_KEY_FILE"
DEFAULT_KEY_FILE = "faircollect.keys"
KEY_BYTES = 32


class KeyProblem(BadInput):
    """Keys missing, malformed, or a value sealed under a key that is not configured."""


def key_id(key: bytes) -> str:
    """A key's public name: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:8]


def decode_key(text: str, where: str) -> bytes:
    """A base64 key as bytes; ``KeyProblem`` naming ``where`` unless it is 32 bytes."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyProblem(f"{where} is not base64") from None
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"{where} must be {KEY_BYTES} bytes (base64), not {len(key)}")
    return key


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


@dataclass
class Keyring:
    """The current data key, the older ones still readable, and the lookup key."""

    data_key: bytes
    lookup_key: bytes
    old_data_keys: Sequence[bytes] = ()
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for key in (*self.old_data_keys, self.data_key):
            self._ciphers[key_id(key)] = AESGCM(key)
        self.current_id = key_id(self.data_key)
        self._current = self._ciphers[self.current_id]
        self._lookup = hmac.new(self.lookup_key, digestmod=hashlib.sha256)

    @property
    def key_ids(self) -> list[str]:
        """The ids of every readable key, the current one first."""
        return [self.current_id, *(i for i in self._ciphers if i != self.current_id)]

    def seal(self, value: str) -> str:
        """``value`` sealed under the current key (a fresh random nonce each time)."""
        nonce = os.urandom(NONCE_BYTES)
        payload = nonce + self._current.encrypt(nonce, value.encode("utf-8"), None)
        return SealedValue(self.current_id, payload).text()

    def open(self, stored: str) -> str:
        """The clear value of stored text; text not sealed (written before sealing) as is."""
        if not is_sealed(stored):
            return stored
        sealed = parse(stored)
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise KeyProblem(
                f"a value is sealed under key id {sealed.key_id}, which is not configured "
                f"(readable: {', '.join(self.key_ids)}); add the old key to {OLD_DATA_KEYS_ENV}"
            )
        try:
            return cipher.decrypt(sealed.nonce, sealed.ciphertext, None).decode("utf-8")
        except InvalidTag:
            raise KeyProblem(
                f"a value sealed under key id {sealed.key_id} does not open: damaged"
            ) from None

    def reseal(self, stored: str) -> str | None:
        """``stored`` sealed under the current key, or None when it already is."""
        if is_sealed(stored) and parse(stored).key_id == self.current_id:
            return None
        return self.seal(self.open(stored))

    def lookup_hash(self, value: str) -> str:
        """The keyed hash (HMAC-SHA256, hex) stored beside a searched value."""
        mac = self._lookup.copy()
        mac.update(value.encode("utf-8"))
        return mac.hexdigest()


def new_keys() -> dict[str, object]:
    """Fresh random keys in the key file's form."""
    return {
        "data_key": encode_key(secrets.token_bytes(KEY_BYTES)),
        "old_data_keys": [],
        "lookup_key": encode_key(secrets.token_bytes(KEY_BYTES)),
    }


def key_file_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE)


def keys_configured(environ: Mapping[str, str] | None = None) -> bool:
    """Whether keys are in the environment or in an existing key file."""
    env = os.environ if environ is None else environ
    return bool(env.get(DATA_KEY_ENV)) or key_file_path(env).exists()


def write_key_file(path: Path, keys: Mapping[str, object]) -> None:
    """Write a key file readable by its owner only (never next to the data, in the DB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(keys, out, indent=2)
        out.write("\n")


def create_key_file(path: Path | None = None) -> Path:
    """A new key file with fresh keys (``KeyProblem`` if one is there: never overwrite)."""
    target = path or key_file_path()
    if target.exists():
        raise KeyProblem(f"key file {target} exists already; it is never overwritten")
    write_key_file(target, new_keys())
    return target


def add_data_key(path: Path | None = None) -> tuple[str, str]:
    """In the key file: a fresh data key becomes current, the current one becomes old (still
    readable until ``keys rotate`` has re-sealed everything). (old id, new id)."""
    target = path or key_file_path()
    keys = _read_file(target)
    old = str(keys["data_key"])
    fresh = encode_key(secrets.token_bytes(KEY_BYTES))
    older = [str(k) for k in keys.get("old_data_keys", [])]  # type: ignore[attr-defined]
    write_key_file(target, {**keys, "data_key": fresh, "old_data_keys": [old, *older]})
    return key_id(decode_key(old, str(target))), key_id(decode_key(fresh, str(target)))


def _read_file(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise KeyProblem(f"cannot read key file {path}: {err.strerror}") from None
    except json.JSONDecodeError:
        raise KeyProblem(f"key file {path} is not JSON") from None
    if not isinstance(data, dict) or "data_key" not in data or "lookup_key" not in data:
        raise KeyProblem(f"key file {path} needs data_key and lookup_key")
    return data


def load_keyring(environ: Mapping[str, str] | None = None) -> Keyring:
    """The keys from the environment, else from the key file; ``KeyProblem`` if none."""
    env = os.environ if environ is None else environ
    if env.get(DATA_KEY_ENV):
        lookup = env.get(LOOKUP_KEY_ENV)
        if not lookup:
            raise KeyProblem(f"{DATA_KEY_ENV} is set but {LOOKUP_KEY_ENV} is not")
        old = [k for k in env.get(OLD_DATA_KEYS_ENV, "").split(",") if k.strip()]
        return Keyring(
            decode_key(env[DATA_KEY_ENV], DATA_KEY_ENV),
            decode_key(lookup, LOOKUP_KEY_ENV),
            [decode_key(k, OLD_DATA_KEYS_ENV) for k in old],
        )
    path = key_file_path(env)
    if not path.exists():
        raise KeyProblem(
            f"no data key: set {DATA_KEY_ENV} and {LOOKUP_KEY_ENV} (base64, 32 bytes each), "
            f"or create the key file {path} with `faircollect keys init`"
        )
    keys = _read_file(path)
    old_keys = keys.get("old_data_keys", [])
    return Keyring(
        decode_key(str(keys["data_key"]), f"{path}: data_key"),
        decode_key(str(keys["lookup_key"]), f"{path}: lookup_key"),
        [decode_key(str(k), f"{path}: old_data_keys") for k in old_keys],  # type: ignore[attr-defined]
    )


_ACTIVE: list[Keyring] = []


def keyring() -> Keyring:
    """The process's keyring, loaded on first use (the database columns seal with it)."""
    if not _ACTIVE:
        _ACTIVE.append(load_keyring())
    return _ACTIVE[-1]


def reload_keyring() -> Keyring:
    """Forget the loaded keyring and load it again (after the key file changed)."""
    _ACTIVE.clear()
    return keyring()


@contextmanager
def use_keyring(ring: Keyring) -> Iterator[Keyring]:
    """Seal and open with ``ring`` inside the block (tests, a rotation in one process)."""
    _ACTIVE.append(ring)
    try:
        yield ring
    finally:
        _ACTIVE.remove(ring)


def lookup_hash(value: str) -> str:
    """The keyed hash of ``value`` under the process's lookup key."""
    return keyring().lookup_hash(value)
