"""The shipped plausibility bounds for imported data (``limits.yaml``)."""

from __future__ import annotations

from importlib.resources import files


def limits_yaml_text() -> str:
    """The shipped ``limits.yaml`` as text; parse it with ``adapters.limits_file``."""
    return files(__name__).joinpath("limits.yaml").read_text(encoding="utf-8")
