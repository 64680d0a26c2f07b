"""Who a contact point belongs to: the party of a contact is derived from the number, not
taken from the collector's word.

A phone book harvested from the borrower's handset (爆通讯录) gets through a system that
trusts the party a collector types: call any number, say "emergency contact". Here the
number decides. The borrower's own number is the borrower; a number registered for the
borrower (contacts.csv) is a guarantor (relation 担保人 / guarantor) or an emergency
contact (紧急联系人); any other number, including a contact registered but not as an
emergency contact, is refused under PI-1 whatever party is claimed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faircollect.domain.compliance.actions import Channel, Party
from faircollect.domain.records import Borrower, Contact

GUARANTOR_RELATIONS = frozenset({"guarantor", "担保人", "保证人"})
"""Relations (contacts.csv) that make a registered contact the loan's guarantor."""

PHONE_CHANNELS = frozenset({Channel.CALL, Channel.SMS, Channel.WECHAT})
"""Channels whose contact point is a phone number (the borrower's WeChat is their phone)."""


@dataclass(frozen=True, slots=True)
class KnownNumber:
    """The party a contact point belongs to, or why it may not be contacted."""

    party: Party | None
    refusal: str | None = None


def digits(number: str) -> str:
    """A phone number as ASCII digits, without a +86 / 0086 prefix (one number, one key)."""
    text = "".join(str(int(ch)) for ch in number if ch.isdecimal())
    for prefix in ("0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            return text[len(prefix) :]
    return text


def contact_party(contact: Contact) -> Party:
    if contact.relation.strip().lower() in GUARANTOR_RELATIONS:
        return Party.GUARANTOR
    return Party.EMERGENCY_CONTACT if contact.is_emergency else Party.OTHER_CONTACT


def party_of(
    channel: Channel, number: str, borrower: Borrower, contacts: Sequence[Contact]
) -> KnownNumber:
    """The party behind ``number`` on ``channel`` for this borrower (see the module doc).

    Only phone channels and e-mail are resolved; a visit's or a letter's address is the
    borrower's by the visit rules (CN-VISIT-1 allows only debtors).
    """
    if channel is Channel.EMAIL:
        if borrower.email and number.strip().lower() == borrower.email.lower():
            return KnownNumber(Party.BORROWER)
        return KnownNumber(None, "the address is not the borrower's registered e-mail")
    if channel not in PHONE_CHANNELS:
        return KnownNumber(Party.BORROWER)
    key = digits(number)
    if not key:
        return KnownNumber(None, f"'{number}' is not a phone number")
    if key == digits(borrower.phone):
        return KnownNumber(Party.BORROWER)
    for contact in contacts:
        if digits(contact.phone) == key:
            party = contact_party(contact)
            if party is Party.OTHER_CONTACT:
                return KnownNumber(
                    None,
                    f"{number} is registered ({contact.relation}) but not as an emergency"
                    " contact or guarantor: only those may be contacted",
                )
            return KnownNumber(party)
    return KnownNumber(
        None,
        f"{number} is neither the borrower's number nor a registered emergency contact or"
        " guarantor (harvested numbers are never collection targets)",
    )


RULE = "PI-1"
"""The rule a contact point the system does not know breaks (个人信息保护法: only registered
emergency contacts and guarantors, never a harvested phone book)."""


def check_claimed(claimed: Party | None, known: KnownNumber) -> list[str]:
    """Why the contact may not be recorded under ``RULE`` (empty when the number is known
    and any party the collector claimed is the one it belongs to)."""
    if known.party is None:
        return [known.refusal or "unknown contact point"]
    if claimed is not None and claimed is not known.party:
        return [
            f"the number belongs to the {known.party.value}, not the {claimed.value}"
            " (the party is the number's, not the one claimed)"
        ]
    return []
