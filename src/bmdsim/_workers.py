"""Worker processes that end with the process that started them.

A `concurrent.futures.ProcessPoolExecutor` worker waits on its call queue, whose pipe every
worker also holds open for writing, so a worker never sees the end of it: when the process that
started the pool is killed (SIGKILL, or SIGTERM, which Python does not turn into an exception),
its workers wait for ever, each holding its memory (a `bmdsim precompile` worker: about 450 MB).
`exit_with(pid)`, as the pool's initializer, starts a thread in the worker that ends the worker
within `poll_s` of that process's end. Used by `bmdsim sweep --executor processes` and by
`bmdsim precompile`.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

__all__ = ["alive", "exit_with"]

#: exit status of a worker that ended because its parent was gone
ORPHAN_EXIT = 3


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (killed, not yet reaped: gone too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # not Linux, or gone in between
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _watch(main_pid: int, poll_s: float) -> None:
    while True:
        time.sleep(poll_s)
        if not alive(main_pid):
            os._exit(ORPHAN_EXIT)


def exit_with(main_pid: int, poll_s: float = 0.5) -> None:
    """End this process (exit status ORPHAN_EXIT, without clean-up: nothing here is half
    written, the callers' outputs are written atomically) within `poll_s` seconds of the end
    of process `main_pid`. A daemon thread; returns at once."""
    threading.Thread(target=_watch, args=(main_pid, poll_s), daemon=True,
                     name="bmdsim-exit-with-main").start()  # fmt: skip
