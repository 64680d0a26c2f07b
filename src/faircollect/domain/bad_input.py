"""The one error type for input a front door must refuse.

Whatever the input was (a CSV row, a JSON line, a YAML file, an option, a database URL),
refusing it looks the same to the user: one line that names where (file, line, field, or
the JSON field) and what is wrong, nothing changed, and exit code 2 from the CLI (a stream
answers the line with an error object instead and goes on). Raising ``BadInput`` anywhere
below a command is enough: the CLI's top-level handler (``cli.failures``) turns it into
that line and that exit code, so no command needs its own ``try`` for it and no traceback
ever reaches the user.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2
"""The exit code of every refusal of bad input, across all commands."""


class BadInput(ValueError):
    """Input that cannot be used; ``str(error)`` is the message shown to the user.

    The message should say where (file, line, field) and what is wrong, and when it helps,
    what to do about it.
    """
