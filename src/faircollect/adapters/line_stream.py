"""Read a stream line by line with bounded memory: a runaway line is skipped, not held.

``bounded_lines`` yields each line's bytes (line end included) or, for a line longer than
the limit, an ``Oversized`` marker after draining the rest of it in small pieces, so one
5 GB line without a newline costs the limit in memory, not 5 GB. The stream commands pair
every item with one answer (``domain.json_line`` turns the marker into that line's error).
"""

from __future__ import annotations

import io
import select
from collections.abc import Iterator
from typing import BinaryIO

from faircollect.domain.json_line import Oversized

_DRAIN = 64 * 1024
BATCH = 256
"""Most lines handed over at once by ``batched_lines``."""


def bounded_lines(stream: BinaryIO, max_bytes: int) -> Iterator[bytes | Oversized]:
    """The lines of ``stream``; ``Oversized`` for one with more than ``max_bytes`` bytes
    (not counting its line end)."""
    while True:
        line = stream.readline(max_bytes + 2)  # room for "\r\n" after a line at the limit
        if not line:
            return
        if len(line.rstrip(b"\r\n")) <= max_bytes and (
            line.endswith(b"\n") or len(line) <= max_bytes
        ):
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(_DRAIN)
            if not line:
                break
            size += len(line)
        yield Oversized(size - _line_end(line))


def _line_end(last: bytes) -> int:
    """Bytes of line end at the end of the last piece read."""
    if last.endswith(b"\r\n"):
        return 2
    return 1 if last.endswith(b"\n") else 0


def batched_lines(
    stream: BinaryIO, max_bytes: int, size: int = BATCH
) -> Iterator[list[bytes | Oversized]]:
    """``bounded_lines`` in small batches, for a consumer that handles many lines at once
    faster than one by one (the screener) yet answers a line as soon as it can.

    A batch ends at ``size`` lines, or as soon as reading on would wait for the writer: a
    program that writes one line and waits for its answer gets it, as with
    ``bounded_lines``. A stream with no file descriptor (in memory) never waits."""
    batch: list[bytes | Oversized] = []
    for line in bounded_lines(stream, max_bytes):
        batch.append(line)
        if len(batch) >= size or not _ready(stream):
            yield batch
            batch = []
    if batch:
        yield batch


def _ready(stream: BinaryIO) -> bool:
    """Whether the next read returns without waiting: the descriptor is readable (data or
    the end is there). Lines a buffered reader already holds do not count: at worst a batch
    ends early. Unsure (in memory, no descriptor) counts as ready."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return True
    try:
        readable, _, _ = select.select([descriptor], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
