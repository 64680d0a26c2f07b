"""Champion / challenger split by a stable hash of the loan id.

Python's ``hash()`` is salted per process, so it would move accounts between arms from one
night to the next; SHA-256 of the loan id does not. The same loan is always in the same arm
for a given experiment salt, on every machine and every run.
"""

from __future__ import annotations

import hashlib

CHAMPION = "champion"
CHALLENGER = "challenger"
BASIS_POINTS = 10_000


def arm_slot(loan_id: str, salt: str = "") -> int:
    """The loan's fixed slot in 0..9999, from the first 8 bytes of SHA-256(salt:loan_id)."""
    digest = hashlib.sha256(f"{salt}:{loan_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BASIS_POINTS


def arm_for(loan_id: str, share_bp: int, salt: str = "") -> str:
    """``challenger`` for the first ``share_bp`` slots of 10,000, else ``champion``."""
    if share_bp <= 0:
        return CHAMPION
    return CHALLENGER if arm_slot(loan_id, salt) < share_bp else CHAMPION
