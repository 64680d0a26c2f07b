"""The shared ``faircollect export`` sub-app: every feature adds its own ``export X`` command.

``export_app()`` returns one module-level Typer; ``attach(app)`` adds it to the root once,
however many features call it, so ``export accounts`` (engine) and ``export actions``
(nightly) live side by side without a name clash.
"""

from __future__ import annotations

import typer

_EXPORT = typer.Typer(help="Export data as CSV or JSON.", no_args_is_help=True)
_ATTACHED: set[int] = set()


def export_app() -> typer.Typer:
    """The one ``export`` group; register commands on it with ``@export_app().command(...)``."""
    return _EXPORT


def attach(app: typer.Typer) -> None:
    """Add the ``export`` group to ``app`` unless it was already added."""
    if id(app) in _ATTACHED:
        return
    _ATTACHED.add(id(app))
    app.add_typer(_EXPORT, name="export")
