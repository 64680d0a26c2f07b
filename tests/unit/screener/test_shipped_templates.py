"""Every message the system itself sends must pass the combined screener (issue 12): the
nightly gate screens each rendered template, and a model finding would deny a lawful letter."""

from __future__ import annotations

import pytest

from faircollect.adapters.templates import TemplateRenderer
from faircollect.domain.compliance.screener import screen
from faircollect.domain.strategy import Party, template_context
from tests.unit.strategy.factories import AS_OF, account, default_strategy

RENDERER = TemplateRenderer()


@pytest.mark.parametrize("name", sorted(RENDERER.available()))
@pytest.mark.parametrize(("dpd", "overdue"), [(1, 88_00), (12, 1_234_56), (95, 48_210_07)])
def test_every_shipped_template_passes_the_screener(name: str, dpd: int, overdue: int) -> None:
    context = template_context(
        account(dpd=dpd, overdue=overdue, due_in=3), Party.BORROWER, default_strategy(), AS_OF
    )
    text = RENDERER.render(name, {**context, "law_firm": "北京明正律师事务所"})
    assert screen(text) == (), text
