"""bmdsim: an open, transparent simulator of cooperative ballistic missile defense architectures."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

__version__ = "0.1.0"


def _kernel_sources_hash() -> str:
    """SHA-256 (hex, 16 digits) of the package version and the source of every module that
    defines a numba kernel: the key of numba's cache folder, and part of the keys of the disk
    caches of results computed by those kernels (aims, fly-out tables), so that a change of the
    integrator or of the physics it inlines never serves a stale cached result."""
    here = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for p in sorted(here.rglob("*.py")):
        text = p.read_bytes()
        if b"numba.njit" in text or b"@njit" in text:
            h.update(p.relative_to(here).as_posix().encode())
            h.update(text)
    return h.hexdigest()[:16]


#: See `_kernel_sources_hash`.
KERNELS_HASH = _kernel_sources_hash()


def _numba_cache_dir() -> None:
    """Put numba's on-disk cache in a folder named by a hash of every kernel module's source.

    numba invalidates a cached kernel when its own file changes, not when a jitted function it
    calls from another file does: a kernel that inlined an old ``earth.ecef_to_geodetic_scalar``
    kept the old code after earth.py was fixed (docs/decisions/0007-numba-cache.md). With the
    folder keyed by all the kernel sources, any change to any of them starts a fresh cache.
    A NUMBA_CACHE_DIR set by the user wins."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = str(base / "bmdsim" / "numba" / KERNELS_HASH)
    os.environ["NUMBA_CACHE_DIR"] = folder
    if "numba" in sys.modules:  # imported before bmdsim: its config has read the environment
        sys.modules["numba"].config.CACHE_DIR = folder


_numba_cache_dir()
