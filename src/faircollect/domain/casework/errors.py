"""Errors the casework domain raises, so a service can tell refusals from bugs."""

from __future__ import annotations


class CaseworkError(ValueError):
    """A command the casework rules refuse; the message says why."""


class IllegalTransition(CaseworkError):
    """A case status change the lifecycle does not allow."""


class PermissionDenied(CaseworkError, PermissionError):
    """The actor's role (or agency placement) does not allow this action."""


class Refused(CaseworkError):
    """A command refused for one or more reasons, all listed (not just the first)."""

    def __init__(self, what: str, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(f"{what}: " + "; ".join(self.reasons))
