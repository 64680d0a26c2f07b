"""What a personal value sealed at rest looks like (pure: no keys, no crypto here).

ID numbers, phone numbers, e-mail and visit addresses are stored as *sealed* text:
``fc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``. ``fc1`` names the scheme
(AES-256-GCM, a random 96-bit nonce per value); the key id (the first 8 hex digits of the
key's SHA-256) says which key sealed it, so a rotation can tell old values from new ones and
``keys check`` can count them. The crypto with the key is ``adapters.data_keys``'.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

SCHEME = "fc1"
"""AES-256-GCM, 12-byte nonce first, 16-byte tag last."""

NONCE_BYTES = 12
TAG_BYTES = 16

_KEY_ID = re.compile(r"^[0-9a-f]{8}$")


class SealedFormatError(ValueError):
    """Text that claims to be sealed but is not well-formed."""


@dataclass(frozen=True, slots=True)
class SealedValue:
    """A value as stored: which key sealed it, and the nonce, ciphertext and tag."""

    key_id: str
    payload: bytes

    def text(self) -> str:
        encoded = base64.urlsafe_b64encode(self.payload).decode("ascii").rstrip("=")
        return f"{SCHEME}:{self.key_id}:{encoded}"

    @property
    def nonce(self) -> bytes:
        return self.payload[:NONCE_BYTES]

    @property
    def ciphertext(self) -> bytes:
        """The ciphertext followed by the tag (what AES-GCM decrypts)."""
        return self.payload[NONCE_BYTES:]


def is_sealed(text: str) -> bool:
    """Whether stored text is a sealed value (rather than a value still in clear)."""
    return text.startswith(SCHEME + ":")


def parse(text: str) -> SealedValue:
    """The sealed value stored as ``text``; ``SealedFormatError`` when it is not one."""
    parts = text.split(":")
    if len(parts) != 3 or parts[0] != SCHEME or not _KEY_ID.match(parts[1]):
        raise SealedFormatError("not a sealed value")
    encoded = parts[2]
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise SealedFormatError("a sealed value with a damaged payload") from None
    if len(payload) < NONCE_BYTES + TAG_BYTES:
        raise SealedFormatError("a sealed value too short to hold a nonce and a tag")
    return SealedValue(parts[1], payload)


def key_id_of(text: str) -> str | None:
    """The key id of stored text, or None when the value is in clear."""
    if not is_sealed(text):
        return None
    return parse(text).key_id
