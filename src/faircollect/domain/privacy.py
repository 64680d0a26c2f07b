"""Personal data shown by role: ID numbers masked, phone numbers only where callable.

A collector needs to know it is talking to the right person, not the whole ID number
(个人信息保护法: the minimum necessary); supervisors and compliance see it in full.
"""

from __future__ import annotations

import re

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


def mask_email(email: str) -> str:
    """``zhang.wei@example.com`` -> ``z***@example.com``: the domain stays."""
    local, at, domain = email.partition("@")
    if not at:
        return "*" * len(email)
    return (local[:1] + "***" if local else "***") + "@" + domain


_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")


def mask_text(text: str) -> str:
    """Free text (a log line, an error message) with every ID number and mobile number in
    it masked."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(1)), text)


MASKS = {"phone": mask_phone, "id_number": mask_id_number, "email": mask_email}
"""How a personal field is masked, by field name (the records' and the columns' names)."""


def masked(field: str, value: str) -> str:
    """``value`` of ``field`` as it may appear in a message or a log: masked when the
    field is personal (``MASKS``), free text with any number in it masked otherwise."""
    mask = MASKS.get(field)
    return mask(value) if mask else mask_text(value)
