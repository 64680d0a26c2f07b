"""Signing in to the borrower portal with a code sent by SMS (issue 13).

- ``request_code``: a 6-digit code for a phone number goes into the outbox as an SMS (so
  ``faircollect outbox list --recipient PHONE --json`` shows it where no gateway is
  configured); the database keeps only its argon2 hash. A number that is no borrower's
  is answered the same way and a code is hashed and stored for it too, so neither the
  answer nor its time tells who borrows; nothing is sent to it. At most 1 code a minute
  and 5 an hour per number (``wait_before_code``), counted over every request.
- ``sign_in_with_code``: the latest code of the number, unused, not voided, within 5
  minutes; a wrong code counts a try and the 5th wrong try voids it; a right one is used
  once. Any failure looks the same.
- A borrower session is a random token in an HttpOnly cookie (SHA-256 stored) with its
  CSRF token, separate from the workbench's sessions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from faircollect.adapters.db.repositories.portal import BorrowerSession
from faircollect.adapters.db.uow import UnitOfWork
from faircollect.adapters.lender_file import lender_profile
from faircollect.domain.portal import (
    CODE_DIGITS,
    CODE_VALIDITY,
    MAX_WRONG_TRIES,
    SESSION_LIFETIME,
    SIGN_IN_MESSAGE_PREFIX,
    code_message,
    normal_phone,
    wait_before_code,
)
from faircollect.services import auth


@dataclass(frozen=True, slots=True)
class CodeRequest:
    """``retry_after`` (seconds) when the number was sent too many codes lately."""

    retry_after: int | None = None


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def request_code(uow: UnitOfWork, phone_text: str, now: datetime) -> CodeRequest:
    """Send a sign-in code to ``phone_text`` if it is a borrower's (BadPhone if it is not
    a phone number at all)."""
    phone = normal_phone(phone_text)
    wait = wait_before_code(uow.portal.codes_since(phone, now - _HOUR), now)
    if wait is not None:
        return CodeRequest(retry_after=wait)
    code = new_code()
    uow.portal.add_code(phone, auth.HASHER.hash(code), now, now + CODE_VALIDITY)
    if uow.portal.borrower_of_phone(phone) is not None:
        lender = lender_profile()
        message_id = f"{SIGN_IN_MESSAGE_PREFIX}{secrets.token_hex(8)}"
        uow.portal.queue_sms(message_id, phone, code_message(code, lender.short_name), now)
    return CodeRequest()


@dataclass(frozen=True, slots=True)
class BorrowerSignIn:
    borrower_id: str
    token: str
    csrf_token: str
    expires_at: datetime


def sign_in_with_code(
    uow: UnitOfWork, phone_text: str, code: str, now: datetime
) -> BorrowerSignIn | None:
    """A session for the borrower whose number got ``code``; None for a wrong, expired,
    used or voided code (the wrong try is recorded: the caller commits either way)."""
    phone = normal_phone(phone_text)
    stored = uow.portal.latest_code(phone)
    usable = (
        stored is not None
        and not stored.voided
        and stored.used_at is None
        and stored.expires_at > now
        and stored.wrong_tries < MAX_WRONG_TRIES
    )
    if stored is None or not usable:
        auth.verify_secret(_DUMMY, code)  # the same work whether or not there is a code
        return None
    if not auth.verify_secret(stored.code_hash, code):
        uow.portal.count_wrong_try(stored.code_id, stored.wrong_tries + 1 >= MAX_WRONG_TRIES)
        return None
    borrower_id = uow.portal.borrower_of_phone(phone)
    if borrower_id is None:
        return None
    uow.portal.use_code(stored.code_id, now)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    uow.portal.remove_expired(now)
    uow.portal.add_session(BorrowerSession(auth.token_hash(token), borrower_id, csrf, now, expires))
    return BorrowerSignIn(borrower_id, token, csrf, expires)


@dataclass(frozen=True, slots=True)
class SignedInBorrower:
    borrower_id: str
    csrf_token: str
    expires_at: datetime


def borrower_session_of(uow: UnitOfWork, token: str, now: datetime) -> SignedInBorrower | None:
    stored = uow.portal.session(auth.token_hash(token))
    if stored is None or stored.expires_at <= now:
        return None
    return SignedInBorrower(stored.borrower_id, stored.csrf_token, stored.expires_at)


def sign_out(uow: UnitOfWork, token: str) -> None:
    uow.portal.remove_session(auth.token_hash(token))


_HOUR = timedelta(hours=1)
_DUMMY = auth.HASHER.hash("faircollect: no code")


def demo_borrower(uow: UnitOfWork) -> tuple[str, str, str] | None:
    """(borrower id, name, phone) of a borrower the demo invites to sign in to the portal:
    one whose loan carries 砍头息, past due if there is one, whose number signs in as them."""
    for borrower_id, name, phone in uow.portal.demo_candidates():
        if uow.portal.borrower_of_phone(phone) == borrower_id:
            return borrower_id, name, phone
    return None
