"""Read a stream line by line with bounded memory: a runaway line is skipped, not held.

``bounded_lines`` yields each line's bytes (line end included) or, for a line longer than
the limit, an ``Oversized`` marker after draining the rest of it in small pieces, so one
5 GB line without a newline costs the limit in memory, not 5 GB. The stream commands pair
every item with one answer (``domain.json_line`` turns the marker into that line's error).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from faircollect.domain.json_line import Oversized

_DRAIN = 64 * 1024


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
