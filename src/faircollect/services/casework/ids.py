"""Ids for records made by a use case."""

from __future__ import annotations

from uuid import uuid4


def new_id(prefix: str) -> str:
    """A fresh unique id such as ``R-3f2a9c01d4e5``."""
    return f"{prefix}-{uuid4().hex[:12]}"
