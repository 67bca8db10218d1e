"""Run a command and record its own peak RSS and CPU: python bench/peak_rss.py OUT.json -- COMMAND...

Why not wait4 on the command directly: a process's ru_maxrss is carried across exec(), and a child
spawned by Python's subprocess starts as a copy of (or, with vfork, shares) its parent's memory, so a
crawl started from a benchmark process holding 365 MiB of corpus reports a 365 MiB "peak" whatever it
used itself (measured: a child that only prints its VmHWM of 11 MB is reported at the parent's 411 MiB).
This launcher is a fresh, small interpreter: the command it forks and execs starts from ~10 MiB, so the
command's ru_maxrss from wait4 is its own. SIGINT/SIGTERM are passed on; the exit status is the
command's (128 + signal number when it was killed by one).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__.splitlines()[0])
    out, command = Path(argv[0]), argv[2:]
    pid = os.fork()
    if pid == 0:  # the command
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda signum, _frame: os.kill(pid, signum))
    _, status, usage = os.wait4(pid, 0)  # resumed after a handled signal (PEP 475)
    out.write_text(
        json.dumps({"max_rss_kib": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime})
    )
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
