"""Personal data shown by role: ID numbers masked, phone numbers only where callable.

A collector needs to know it is talking to the right person, not the whole ID number
(个人信息保护法: the minimum necessary); supervisors and compliance see it in full.
"""

from __future__ import annotations

from faircollect.domain.casework.roles import Role

SEES_FULL_ID = frozenset({Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN})
"""Roles shown a borrower's whole ID number (and every contact's phone)."""


def mask_id_number(id_number: str) -> str:
    """``110101199003071234`` -> ``1101**********1234``: the first four characters (the
    region) and the last four (with the check digit) stay, the rest is starred."""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """``13912345678`` -> ``139****5678``: enough to tell numbers apart, not to dial."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def id_number_for(role: Role, id_number: str) -> str:
    return id_number if role in SEES_FULL_ID else mask_id_number(id_number)
