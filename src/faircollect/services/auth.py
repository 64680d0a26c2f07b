"""Signing in to the workbench: passwords (argon2), sessions, throttling.

- A password is stored only as an argon2id hash (memory-hard: a stolen table costs an
  attacker memory per guess, not just time). The policy is length (at least 10) and not
  the user id; long passphrases beat forced symbol rules.
- A wrong password and an unknown user look the same (the same 401, and an unknown user
  is verified against a dummy hash so the time taken does not tell either).
- After 5 failures for one user id within 15 minutes, further attempts for that id are
  refused (429) until the oldest of them leaves the window, before the password is even
  checked.
- A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256
  and the CSRF token the browser must echo on every state-changing request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from faircollect.adapters.db.repositories.sessions import StoredSession
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.domain.casework.errors import CaseworkError, NotFound
from faircollect.domain.messages import Message
from faircollect.domain.organisation import Person
from faircollect.services import audit

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
SESSION_LIFETIME = timedelta(hours=10)
"""A working day: sign in in the morning, stay signed in until the evening."""
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5

HASHER = PasswordHasher()
"""argon2id with the library's defaults (RFC 9106 low-memory profile)."""
_DUMMY_HASH = HASHER.hash("faircollect: no such user")


class PasswordRejected(CaseworkError):
    """A new password that does not meet the policy; the message says why."""


def password_problems(user_id: str, password: str) -> list[str]:
    """Why ``password`` may not be used (empty when it may)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(f"a password has at most {PASSWORD_MAX_LENGTH} characters")
    if password.strip().lower() == user_id.lower():
        problems.append("a password may not be the user id")
    if password and len(set(password)) == 1:
        problems.append("a password may not repeat one character")
    return problems


def set_password(uow: UnitOfWork, user_id: str, password: str) -> None:
    """Store ``password`` (hashed) for an existing user; PasswordRejected if too weak."""
    if uow.org.person(user_id) is None:
        raise NotFound(Message("user.not_found", user_id=user_id))
    problems = password_problems(user_id, password)
    if problems:
        raise PasswordRejected("; ".join(problems))
    uow.org.set_password_hash(user_id, HASHER.hash(password))
    audit.record(uow, "system", "user.password_set", user_id, None, {"user_id": user_id})


@dataclass(frozen=True, slots=True)
class SignIn:
    """What a sign-in attempt came to. ``token`` and ``csrf_token`` are set on success;
    ``retry_after`` (seconds) when the user id is throttled."""

    person: Person | None = None
    token: str | None = None
    csrf_token: str | None = None
    expires_at: datetime | None = None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.token is not None


def sign_in(uow: UnitOfWork, user_id: str, password: str, now: datetime) -> SignIn:
    """Check the password and open a session. A failure is recorded in the unit of work,
    which the caller commits like a success: throttling must see it."""
    since = now - FAILURE_WINDOW
    if uow.sessions.failures_since(user_id, since) >= MAX_FAILURES:
        oldest = uow.sessions.oldest_failure_since(user_id, since)
        wait = (oldest + FAILURE_WINDOW - now) if oldest is not None else FAILURE_WINDOW
        retry_after = max(1, int(wait.total_seconds()) + 1)
        audit.record(uow, user_id, "session.throttled", user_id, None, {"retry_after": retry_after})
        return SignIn(retry_after=retry_after)
    person = uow.org.person(user_id)
    stored = uow.org.password_hash(user_id) if person is not None else None
    # Verified even when there is nothing to verify against, so that the time taken does
    # not tell an unknown user (or one without a password) from a wrong password.
    valid = verify_secret(stored or _DUMMY_HASH, password) and stored is not None
    if person is None or not valid:
        uow.sessions.add_failure(user_id, now)
        audit.record(uow, user_id, "session.refused", user_id, None, {"at": now})
        return SignIn()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    uow.sessions.remove_expired(now)
    uow.sessions.add(StoredSession(token_hash(token), user_id, csrf, now, expires))
    audit.record(uow, user_id, "session.signed_in", user_id, None, {"at": now, "until": expires})
    return SignIn(person, token, csrf, expires)


def verify_secret(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class SignedIn:
    person: Person
    csrf_token: str
    expires_at: datetime


def session_of(uow: UnitOfWork, token: str, now: datetime) -> SignedIn | None:
    """Who the session token belongs to, while it has not expired (None otherwise)."""
    stored = uow.sessions.get(token_hash(token))
    if stored is None or stored.expires_at <= now:
        return None
    person = uow.org.person(stored.user_id)
    if person is None:
        return None
    return SignedIn(person, stored.csrf_token, stored.expires_at)


def sign_out(uow: UnitOfWork, token: str) -> None:
    uow.sessions.remove(token_hash(token))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
