"""Pool workers end with the process that started them (`bmdsim._workers`), where a plain
`ProcessPoolExecutor`'s workers of a killed process wait for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bmdsim._workers import alive

PARENT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from bmdsim._workers import exit_with

if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    watched = sys.argv[1] == "watched"
    kw = dict(initializer=exit_with, initargs=(os.getpid(), 0.1)) if watched else {}
    pool = ProcessPoolExecutor(2, mp_context=ctx, **kw)
    for f in [pool.submit(time.sleep, 0.5) for _ in range(2)]:  # two busy: two workers
        f.result()
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(600)
"""


def _workers_after_parent_killed(tmp_path: Path, mode: str, wait_s: float) -> list[int]:
    """Start a parent with a 2-process pool, SIGKILL it, and return its workers still alive
    `wait_s` seconds later."""
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    proc = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) >= 2, pids
        assert all(alive(p) for p in pids)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and any(alive(p) for p in pids):
            time.sleep(0.05)
        return [p for p in pids if alive(p)]
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and signals: Linux")
def test_pool_workers_end_with_their_killed_parent(tmp_path: Path) -> None:
    # the control: without `exit_with` the workers of a killed parent are still there
    left = _workers_after_parent_killed(tmp_path, "plain", 2.0)
    try:
        assert len(left) >= 2
    finally:
        for p in left:
            os.kill(p, signal.SIGKILL)
    # with it (polling every 0.1 s), they are gone within seconds
    assert _workers_after_parent_killed(tmp_path, "watched", 10.0) == []


def test_alive() -> None:
    assert alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not alive(child.pid)  # reaped: no such process
