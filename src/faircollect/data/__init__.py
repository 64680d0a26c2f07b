"""Data files shipped with faircollect (read through importlib.resources, so wheels work)."""

from __future__ import annotations

from importlib.resources import files


def lpr_csv_text() -> str:
    """The shipped one-year LPR table (``lpr.csv``) as text; parse it with ``domain.rates``."""
    return files(__name__).joinpath("lpr.csv").read_text(encoding="utf-8")
