"""Where CSV exports are written: stdout as UTF-8 whatever the locale, with a BOM for Excel.

Excel on Chinese Windows opens a CSV file as GBK unless it starts with a UTF-8 byte order
mark, so ``export … --excel`` writes one and the Chinese columns show as written. Without
it the output is plain UTF-8 (what every other tool expects). Writing through the byte
stream also means a Chinese name never fails on a terminal whose locale is not UTF-8.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import typer

EXCEL_OPTION = typer.Option(
    False, "--excel", help="CSV as UTF-8 with a BOM, so Excel shows Chinese columns correctly."
)


@contextmanager
def csv_stdout(excel: bool) -> Iterator[TextIO]:
    """A text stream over stdout's bytes: UTF-8, with a BOM first when ``excel``."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # an in-memory stdout (tests): text only, the BOM as a character
        if excel:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8-sig" if excel else "utf-8", newline="")
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


def refuse_excel_for_json(excel: bool, fmt: str) -> None:
    """``--excel`` is about CSV; with JSON it is a mistake worth saying."""
    if excel and fmt != "csv":
        typer.echo("error: --excel applies to --format csv", err=True)
        raise typer.Exit(2)
