"""Example users, roles and agencies for ``faircollect user load``."""

from __future__ import annotations

from importlib.resources import files


def example_users_text() -> str:
    """The packaged example (YAML, UTF-8)."""
    return (files(__package__) / "example.yaml").read_text(encoding="utf-8")
