"""The shipped retention periods (``retention.yaml``)."""

from __future__ import annotations

from importlib.resources import files


def retention_yaml_text() -> str:
    """The shipped ``retention.yaml`` as text; parse it with ``adapters.retention_file``."""
    return files(__name__).joinpath("retention.yaml").read_text(encoding="utf-8")
