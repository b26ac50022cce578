"""bmdsim: an open, transparent simulator of cooperative ballistic missile defense architectures."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

__version__ = "0.1.0"


def _numba_cache_dir() -> None:
    """Put numba's on-disk cache in a folder named by a hash of every kernel module's source.

    numba invalidates a cached kernel when its own file changes, not when a jitted function it
    calls from another file does: a kernel that inlined an old ``earth.ecef_to_geodetic_scalar``
    kept the old code after earth.py was fixed (docs/decisions/0007-numba-cache.md). With the
    folder keyed by all the kernel sources, any change to any of them starts a fresh cache.
    A NUMBA_CACHE_DIR set by the user wins."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(here.rglob("*.py")):
        text = p.read_bytes()
        if b"numba.njit" in text or b"@njit" in text:
            h.update(p.relative_to(here).as_posix().encode())
            h.update(text)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = str(base / "bmdsim" / "numba" / h.hexdigest()[:16])
    os.environ["NUMBA_CACHE_DIR"] = folder
    if "numba" in sys.modules:  # imported before bmdsim: its config has read the environment
        sys.modules["numba"].config.CACHE_DIR = folder


_numba_cache_dir()
