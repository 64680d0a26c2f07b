"""Memory settings of the Python process for a run that churns through millions of objects
and big numpy arrays (the nightly ledger step). Both are undone when the run ends."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a run holds millions of row tuples.

    The fetched rows and insert parameters are tuples without cycles, but allocating
    millions of them triggers full collections over everything alive again and again
    (measured: about a third of the load time). Reference counting still frees them;
    the collector is restored afterwards. A forked helper inherits the setting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_GLIBC_DEFAULT_THRESHOLD = 128 * 1024


@contextmanager
def reuse_freed_memory() -> Iterator[None]:
    """Keep freed memory in the C heap while a run churns through big numpy arrays.

    glibc gives every allocation over 128 KiB its own ``mmap`` and unmaps it on free, so
    each of the engine's many temporary arrays (15M installments: 120 MB each) is faulted
    in page by page again: on a million loans the kernel's page-fault time was as large
    as the computation itself (compute_states 10.6 s, of which 5.2 s system time; 5.4 s
    with freed memory reused). Raising both thresholds lets malloc reuse the heap; the
    defaults are put back and the heap trimmed afterwards. Other C libraries: no change.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        yield
        return
    big = 2**30
    mallopt(_M_TRIM_THRESHOLD, big)
    mallopt(_M_MMAP_THRESHOLD, big)
    try:
        yield
    finally:
        mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
        libc.malloc_trim(0)
