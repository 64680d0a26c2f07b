"""Call scripts shipped with faircollect (data a lender may copy and edit)."""

from __future__ import annotations

from importlib.resources import files


def first_call_text() -> str:
    """The packaged first-call script (YAML, UTF-8)."""
    return (files(__package__) / "first_call.yaml").read_text(encoding="utf-8")
