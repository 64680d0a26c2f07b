"""Errors the casework domain raises, so a service can tell refusals from bugs."""

from __future__ import annotations

from datetime import datetime


class CaseworkError(ValueError):
    """A command the casework rules refuse; the message says why."""


class IllegalTransition(CaseworkError):
    """A case status change the lifecycle does not allow."""


class NotFound(CaseworkError, LookupError):
    """No such thing, or one the actor may not see: the two are told apart to nobody, so
    a refusal never confirms that a case (or loan, or proposal) exists."""


class PermissionDenied(CaseworkError, PermissionError):
    """The actor's role (or agency placement) does not allow this action."""


class Refused(CaseworkError):
    """A command refused for one or more reasons, all listed (not just the first)."""

    def __init__(self, what: str, reasons: list[str]) -> None:
        self.what = what
        self.reasons = list(reasons)
        super().__init__(f"{what}: " + "; ".join(self.reasons))


class GateDenied(Refused):
    """A contact the compliance gate denies: its rules and reasons, and when waiting would
    cure every violation (``next_allowed_at``; None when waiting cures nothing)."""

    def __init__(
        self,
        what: str,
        reasons: list[str],
        violations: list[tuple[str, str]],
        next_allowed_at: datetime | None,
    ) -> None:
        super().__init__(what, reasons)
        self.violations = list(violations)
        self.next_allowed_at = next_allowed_at
