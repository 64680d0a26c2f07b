"""Fixtures for the compliance tests."""

from __future__ import annotations

import pytest

from faircollect.domain.compliance.gate import Gate
from faircollect.domain.compliance.pack import default_pack


@pytest.fixture
def gate() -> Gate:
    """A gate on the default pack that screens nothing."""
    return Gate(default_pack())
