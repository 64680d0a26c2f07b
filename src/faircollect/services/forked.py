"""Run a computation over ``range(count)`` in two processes: a forked helper takes the first
part, the calling process the rest; the results are concatenated in index order.

Why: the night's gate step (render, screen, decide) is pure CPU on objects already in
memory, and the machine has two cores. Forking hands the helper every object without
serialising it; only the helper's results travel back (pickled, through a pipe). Because
each index is computed by the same function whichever process runs it, and the parts are
joined in order, the result equals ``task(0, count)``.

The helper never touches the database: a connection open in the parent is inherited but
unused, and the helper leaves through ``os._exit``, which closes nothing. If the calling
process fails (or is interrupted) during its part, the helper is killed and reaped.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

Task = Callable[[int, int], Sequence[T]]
"""``task(start, stop)``: the results for indices ``start .. stop-1``, in order."""

PARALLEL_MIN = 20_000
"""Below this many items the fork and the pickling cost more than a second core saves."""


class HelperFailed(RuntimeError):
    """The helper process raised; the message carries its error."""


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def split_run(
    task: Task[T], count: int, *, share: float = 0.5, minimum: int | None = None
) -> list[T]:
    """``task(0, count)``, with the first ``share`` of the indices done by a forked helper
    when ``count >= minimum`` (default ``PARALLEL_MIN``) and the platform can fork."""
    if count < (PARALLEL_MIN if minimum is None else minimum) or not can_fork():
        return list(task(0, count))
    split = int(count * share)
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the helper
        os.close(read_end)
        _helper(task, split, write_end)
    os.close(write_end)
    try:
        mine = list(task(split, count))
        with os.fdopen(read_end, "rb") as pipe:
            outcome: tuple[bool, Any] = pickle.load(pipe)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.waitpid(pid, 0)
    ok, value = outcome
    if not ok:
        raise HelperFailed(value)
    theirs: list[T] = value
    return theirs + mine


def _helper(task: Task[Any], stop: int, write_end: int) -> None:
    """Compute ``task(0, stop)`` and send (ok, result or error) to the parent; never returns."""
    code = 0
    try:
        try:
            outcome: tuple[bool, Any] = (True, list(task(0, stop)))
        except BaseException as err:  # reported to the parent, which raises
            outcome = (False, f"{type(err).__name__}: {err}")
            code = 1
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(code)
