"""Errors the casework domain raises, so a service can tell refusals from bugs.

Each is raised with a ``Message`` (``domain.messages``): a catalogue key and its
parameters, whose English text is ``str(error)`` (what the CLI prints) and which a front
door that speaks Chinese says in Chinese (``said(error, "zh")``)."""

from __future__ import annotations

from datetime import datetime

from faircollect.domain.messages import Language, Message, Words, key_of, say


class CaseworkError(ValueError):
    """A command the casework rules refuse; the message says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message

    @property
    def key(self) -> str | None:
        """The refusal's catalogue key."""
        return key_of(self.message)

    def said(self, language: Language, words: Words | None = None) -> str:
        """The whole refusal in ``language`` (English: ``str(self)``)."""
        return say(self.message, language, words)


class IllegalTransition(CaseworkError):
    """A case status change the lifecycle does not allow."""


class NotFound(CaseworkError, LookupError):
    """No such thing, or one the actor may not see: the two are told apart to nobody, so
    a refusal never confirms that a case (or loan, or proposal) exists."""


class PermissionDenied(CaseworkError, PermissionError):
    """The actor's role (or agency placement) does not allow this action."""


class Refused(CaseworkError):
    """A command refused for one or more reasons, all listed (not just the first)."""

    def __init__(self, what: Message, reasons: list[str]) -> None:
        self.what = what
        self.reasons = list(reasons)
        ValueError.__init__(self, f"{what}: " + "; ".join(self.reasons))
        self.message = what

    def said(self, language: Language, words: Words | None = None) -> str:
        """What was refused and every reason, in ``language``."""
        if language == "en":
            return str(self)
        return f"{say(self.what, language, words)}：" + "；".join(
            self.reasons_said(language, words)
        )

    def reasons_said(self, language: Language, words: Words | None = None) -> list[str]:
        """Each reason in ``language`` (a reason without a key, as it is)."""
        return [say(reason, language, words) for reason in self.reasons]


class GateDenied(Refused):
    """A contact the compliance gate denies: its rules and reasons, and when waiting would
    cure every violation (``next_allowed_at``; None when waiting cures nothing)."""

    def __init__(
        self,
        what: Message,
        reasons: list[str],
        violations: list[tuple[str, str]],
        next_allowed_at: datetime | None,
    ) -> None:
        super().__init__(what, reasons)
        self.violations = list(violations)
        self.next_allowed_at = next_allowed_at
