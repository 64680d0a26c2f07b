"""Run a command and print its peak RSS (KiB) on stderr's last line: ``peak_rss KIB``.

    python bench/peak_rss.py COMMAND [ARG ...]

``wait4``'s ``ru_maxrss`` for a child started by a big process is wrong: Linux keeps in
the child's figure the high-water mark of the image it was forked (or vforked) from, so
``bench/ledger.py`` reported its own memory (1.66 GiB after building a 1M portfolio, for
a run-day that peaked at 0.84 GiB). This small process starts the command itself, so the
mark its child inherits is this process's few MiB; the figure is the largest of the
command and the processes it forks and waits for (``/usr/bin/time -v``'s "Maximum
resident set size"). The command's exit code is passed on."""

from __future__ import annotations

import os
import subprocess
import sys

if __name__ == "__main__":
    with subprocess.Popen(sys.argv[1:]) as child:
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    print(f"peak_rss {usage.ru_maxrss}", file=sys.stderr)
    sys.exit(child.returncode)
