"""The contact gate: every proposed contact is decided here, with every broken rule named.

``Gate(pack, screen=...)`` is pure: the screening function is injected (the real one is the
screener's ``screen(text)``; tests pass fakes), the time is the action's own ``at``.
A decision is allowed iff no check reports a violation. When every violation can be cured by
waiting (hours, daily frequency), ``next_allowed_at`` is the first moment the same action would
pass: the gate re-decides the action at the latest ``wait_until`` until it passes or a
violation appears that waiting cannot cure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache

from faircollect.domain.compliance.actions import Decision, ProposedAction, Violation
from faircollect.domain.compliance.checks import ALL_CHECKS, Check, CheckContext
from faircollect.domain.compliance.findings import Finding
from faircollect.domain.compliance.pack import RulePack

Screen = Callable[[str], Sequence[Finding]]

MAX_DEFERRALS = 4
"""Bound on the re-decide loop; hours then frequency then hours again needs at most three."""

SCREEN_CACHE_SIZE = 8192
"""Messages are mostly templates: screening each distinct text once pays off."""


def no_screening(text: str) -> tuple[Finding, ...]:
    """A screen that flags nothing (for callers that screen elsewhere, and tests)."""
    return ()


class Gate:
    """Decides proposed contacts against a rule pack."""

    def __init__(
        self,
        pack: RulePack,
        screen: Screen = no_screening,
        *,
        checks: Sequence[Check] = ALL_CHECKS,
        cache_screening: bool = True,
    ) -> None:
        self.pack = pack
        self._params = pack.parameters
        self._checks = tuple(checks)
        self._screen: Callable[[str], tuple[Finding, ...]] = lambda text: tuple(screen(text))
        if cache_screening:
            self._screen = lru_cache(maxsize=SCREEN_CACHE_SIZE)(self._screen)

    def decide(self, action: ProposedAction) -> Decision:
        """Allowed or not, every violation, and when waiting would make it allowed."""
        findings = self._screen(action.text) if action.text else ()
        violations = self._violations(action, findings, action.at)
        return Decision(
            id=action.id,
            allowed=not violations,
            violations=violations,
            next_allowed_at=(
                self._next_allowed(action, findings, violations) if violations else None
            ),
        )

    def _violations(
        self, action: ProposedAction, findings: tuple[Finding, ...], at: datetime
    ) -> tuple[Violation, ...]:
        """Every check's violations were ``action`` made at ``at``, in check order.

        Checks read the time only from the context, so re-deciding at a later moment needs
        no copy of the action. The borrower's local time is computed once here for all
        checks (a ZoneInfo conversion is one of the costlier steps)."""
        ctx = CheckContext(self._params, at.astimezone(action.borrower.tz), findings)
        found: list[Violation] = []
        for check in self._checks:
            broken = check(action, ctx)
            if broken:  # most checks pass: skip the empty-list concatenation
                found += broken
        return tuple(found)

    def _next_allowed(
        self,
        action: ProposedAction,
        findings: tuple[Finding, ...],
        violations: tuple[Violation, ...],
    ) -> datetime | None:
        for _ in range(MAX_DEFERRALS):
            if not violations:
                return None
            waits = [v.wait_until for v in violations]
            if any(w is None for w in waits):
                return None
            later = max(w for w in waits if w is not None)
            violations = self._violations(action, findings, later)
            if not violations:
                return later.astimezone(action.borrower.tz)
        return None
