"""numba's cache files under concurrent writers (bmdsim._numba_cache, decision 0021)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

# Each writer process saves KEYS entries under its own keys into one function's index, as
# processes compiling different signatures of one kernel at once do, then the test loads every
# key and checks that it finds its own data.
WRITER = """
import os, sys, time
from numba.core.caching import IndexDataCacheFile
if sys.argv[3] == "locked":
    import bmdsim.physics  # installs the locks
    assert IndexDataCacheFile._bmdsim_locked
f = IndexDataCacheFile(sys.argv[1], "kernel-1", "stamp")
w = int(sys.argv[2])
open(os.path.join(sys.argv[1], f"ready.{{w}}"), "w").close()
go = os.path.join(sys.argv[1], "go")
while not os.path.exists(go):  # all start together, whatever their import times
    time.sleep(0.001)
for k in range({keys}):
    f.save(("sig", w, k), ("data", w, k))
"""
KEYS = 150
WRITERS = 3


def _race(folder: Path, mode: str) -> tuple[int, int]:
    """Run WRITERS writer processes at once; return (entries lost from the index, entries
    whose data file holds another key's data)."""
    script = WRITER.format(keys=KEYS)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(folder), str(w), mode])
        for w in range(WRITERS)
    ]
    deadline = time.monotonic() + 120
    while not all((folder / f"ready.{w}").exists() for w in range(WRITERS)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    (folder / "go").touch()
    assert all(p.wait(timeout=120) == 0 for p in procs)
    from numba.core.caching import IndexDataCacheFile

    f = IndexDataCacheFile(str(folder), "kernel-1", "stamp")
    lost = wrong = 0
    for w in range(WRITERS):
        for k in range(KEYS):
            data = f.load(("sig", w, k))
            if data is None:
                lost += 1
            elif data != ("data", w, k):
                wrong += 1
    return lost, wrong


@pytest.mark.parametrize("module", ["bmdsim.engagement.windows", "bmdsim.physics.earth"])
def test_kernel_modules_install_the_locks(module: str) -> None:
    """In a fresh process, importing a kernel module (inside bmdsim.physics or not) wraps
    numba's cache files in the locks."""
    code = (
        f"import {module}\n"
        "from numba.core.caching import IndexDataCacheFile as C\n"
        "assert C._bmdsim_locked"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_concurrent_writers_keep_every_entry_and_its_own_data(tmp_path: Path) -> None:
    assert _race(tmp_path, "locked") == (0, 0)


@pytest.mark.slow
def test_without_the_locks_the_same_race_loses_or_mixes_entries(tmp_path: Path) -> None:
    """The control: numba's own save, same writers. It shows that the test above has a race
    to win (seen here: about 300 of the 450 entries lost or mixed in every run)."""
    lost, wrong = _race(tmp_path, "numba")
    assert lost + wrong > 0


def test_a_folder_without_write_access_still_loads(tmp_path: Path) -> None:
    """No lock file can be made in a read-only cache folder: the entries load unlocked."""
    import os

    from numba.core.caching import IndexDataCacheFile

    import bmdsim.physics  # noqa: F401  (installs the locks)

    f = IndexDataCacheFile(str(tmp_path), "kernel-1", "stamp")
    f.save(("sig",), ("data",))
    (tmp_path / ".bmdsim-index.lock").unlink()
    os.chmod(tmp_path, 0o555)
    try:
        if os.access(tmp_path, os.W_OK):  # root ignores the mode: make the lock file unusable
            (tmp_path / ".bmdsim-index.lock").mkdir()
        assert IndexDataCacheFile(str(tmp_path), "kernel-1", "stamp").load(("sig",)) == ("data",)
    finally:
        os.chmod(tmp_path, 0o755)


def test_a_file_system_that_refuses_locks_still_saves_and_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flock failing (ENOLCK on an NFS mount without locks): numba's unlocked behaviour."""
    import errno
    import fcntl

    from numba.core.caching import IndexDataCacheFile

    import bmdsim.physics  # noqa: F401  (installs the locks)

    def refuse(*_: object) -> None:
        raise OSError(errno.ENOLCK, "no locks available")

    monkeypatch.setattr(fcntl, "flock", refuse)
    f = IndexDataCacheFile(str(tmp_path), "kernel-1", "stamp")
    f.save(("sig",), ("data",))
    assert f.load(("sig",)) == ("data",)
