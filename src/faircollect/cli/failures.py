"""The CLI's one top-level handler: no traceback ever reaches the user.

Every command runs inside ``GuardedGroup.invoke``. What escapes a command becomes one line
on stderr and an exit code:

- ``BadInput`` (bad rows, files, options, URLs, database problems): ``error: ...``, exit 2;
- an error the database raised mid-command: classified by ``adapters.db.errors``, exit 2;
- an ``OSError`` naming a file (a directory that cannot be written, say): exit 2;
- anything else is a bug: ``internal error: ... — run with --debug for the traceback``,
  exit 1.

``faircollect --debug COMMAND`` (or ``FAIRCOLLECT_DEBUG=1``) prints the traceback as well.
Typer's own exits, usage errors and Ctrl-C pass through untouched.
"""

from __future__ import annotations

import errno
import sys
import traceback
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from faircollect.domain.bad_input import EXIT_BAD_INPUT, BadInput

EXIT_INTERNAL = 1
MAX_MESSAGE = 500
"""Characters of an error message shown: one readable line, even for a huge input value."""

DEBUG_KEY = "debug"


class GuardedGroup(TyperGroup):
    """The root command group: runs the command and reports any failure as one line."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException, KeyboardInterrupt):
            raise
        except OSError as error:
            if error.errno == errno.EPIPE:
                raise  # the reader went away (`| head`): Typer exits quietly
            raise Exit(report(error, bool(ctx.params.get(DEBUG_KEY)))) from None
        except Exception as error:
            raise Exit(report(error, bool(ctx.params.get(DEBUG_KEY)))) from None


def report(error: BaseException, debug: bool) -> int:
    """Print ``error`` as one line on stderr (and the traceback when ``debug``); the exit code."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    code, message = describe(error)
    typer.echo(printable(message), err=True)
    return code


def describe(error: BaseException) -> tuple[int, str]:
    """The exit code and the one line for an error that escaped a command."""
    from faircollect.adapters.db.errors import is_database_error

    cause = getattr(error, "orig", None)  # a missing key, raised while a value was sealed
    if isinstance(cause, BadInput):
        error = cause
    if isinstance(error, BadInput):
        return EXIT_BAD_INPUT, f"error: {_one_line(str(error))}"
    if is_database_error(error):
        from faircollect.adapters.db.errors import explain
        from faircollect.cli.database import last_url

        return EXIT_BAD_INPUT, f"error: {_one_line(str(explain(error, last_url())))}"
    if isinstance(error, OSError) and error.filename is not None:
        reason = error.strerror or type(error).__name__
        return EXIT_BAD_INPUT, f"error: {error.filename}: {reason}"
    if isinstance(error, MemoryError):
        return EXIT_INTERNAL, "error: out of memory — the input is too large for this machine"
    what = _one_line(f"{type(error).__name__}: {error}")
    return EXIT_INTERNAL, f"internal error: {what} — run with --debug for the traceback"


def _one_line(text: str) -> str:
    """Lines joined with " | ", cut to ``MAX_MESSAGE`` characters."""
    joined = " | ".join(line.strip() for line in text.splitlines() if line.strip())
    return joined if len(joined) <= MAX_MESSAGE else joined[: MAX_MESSAGE - 3] + "..."


def printable(text: str) -> str:
    """Text any terminal can take: lone surrogates and control characters escaped."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(
        ch if ch.isprintable() or ch in "\n" else ch.encode("unicode_escape").decode("ascii")
        for ch in safe
    )
