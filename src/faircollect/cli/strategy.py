"""CLI commands: strategy (filled in by its feature)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
