"""What the crash tests ask of the processes a killed run leaves: are its workers gone."""

from __future__ import annotations

from collections.abc import Sequence
from time import monotonic, sleep


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (exited, or a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def all_gone(pids: Sequence[int], seconds: float = 30) -> bool:
    """Whether every process of ``pids`` ends within ``seconds`` (a killed run's workers
    die with it, but not at the same instant)."""
    deadline = monotonic() + seconds
    while not all(map(gone, pids)) and monotonic() < deadline:
        sleep(0.1)
    return all(map(gone, pids))
