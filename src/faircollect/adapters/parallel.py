"""Work shared with a forked helper process, on a machine with two cores.

``split_run`` shares a computation over ``range(count)`` chunk by chunk (the night's gate
step). (The ledger step's partitions have their own pool of workers, each with a database
connection: ``adapters.db.ledger_pool``.)

``split_run``: the helper and the calling process share the work chunk by chunk; the
results are concatenated in index order.

Why: the night's gate step (render, screen, decide) is pure CPU on objects already in
memory, and the machine has two cores. Forking hands the helper every object without
serialising it; only the helper's results travel back (pickled, through a pipe). Because
each index is computed by the same function whichever process runs it, and the parts are
joined in order, the result equals ``task(0, count)``.

Sharing: the helper claims chunks from the front, the calling process from the back,
under a lock, until they meet. So neither waits long for the other when a core is busy
with something else (other jobs share the machine): the helper's chunks are always a
prefix ``0 .. k-1`` and the caller's the rest.

The helper never touches the database: a connection open in the parent is inherited but
unused, and the helper leaves through ``os._exit``, which closes nothing. If the calling
process fails (or is interrupted) during its part, the helper is killed and reaped.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle  # nosec B403
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

Task = Callable[[int, int], Sequence[T]]
"""``task(start, stop)``: the results for indices ``start .. stop-1``, in order."""

PARALLEL_MIN = 20_000
"""Below this many items the fork and the pickling cost more than a second core saves."""
CHUNK = 2_000
"""Items per claim: small enough to balance, large enough that claiming costs nothing."""


class HelperFailed(RuntimeError):
    """The helper process raised; the message carries its error."""


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class _Claims:
    """Chunk numbers ``front .. back-1`` still unclaimed, in memory shared across the fork."""

    def __init__(self, chunks: int) -> None:
        context = multiprocessing.get_context("fork")
        self._bounds = context.RawArray("q", [0, chunks])
        self._lock = context.Lock()

    def front(self) -> int | None:
        with self._lock:
            low, high = self._bounds[0], self._bounds[1]
            if low >= high:
                return None
            self._bounds[0] = low + 1
            return int(low)

    def back(self) -> int | None:
        with self._lock:
            low, high = self._bounds[0], self._bounds[1]
            if low >= high:
                return None
            self._bounds[1] = high - 1
            return int(high - 1)


def split_run(
    task: Task[T], count: int, *, chunk: int | None = None, minimum: int | None = None
) -> list[T]:
    """``task(0, count)``, shared with a forked helper when ``count >= minimum`` (default
    ``PARALLEL_MIN``) and the platform can fork; claims of ``chunk`` (default ``CHUNK``)."""
    if count < (PARALLEL_MIN if minimum is None else minimum) or not can_fork():
        return list(task(0, count))
    chunk = CHUNK if chunk is None else chunk
    claims = _Claims(-(-count // chunk))

    def run(number: int) -> Sequence[T]:
        return task(number * chunk, min(count, (number + 1) * chunk))

    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the helper
        os.close(read_end)
        _helper(run, claims, write_end)
    os.close(write_end)
    try:
        parts: list[Sequence[T]] = []
        while (number := claims.back()) is not None:
            parts.append(run(number))
        with os.fdopen(read_end, "rb") as pipe:
            outcome: tuple[bool, Any] = pickle.load(pipe)  # nosec B301
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.waitpid(pid, 0)
    ok, value = outcome
    if not ok:
        raise HelperFailed(value)
    result: list[T] = value
    for part in reversed(parts):
        result.extend(part)
    return result


def _helper(run: Callable[[int], Sequence[Any]], claims: _Claims, write_end: int) -> None:
    """Compute chunks from the front; send (ok, results or error) to the parent; never returns."""
    code = 0
    try:
        try:
            results: list[Any] = []
            while (number := claims.front()) is not None:
                results.extend(run(number))
            outcome: tuple[bool, Any] = (True, results)
        except BaseException as err:  # reported to the parent, which raises
            outcome = (False, f"{type(err).__name__}: {err}")
            code = 1
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(code)
