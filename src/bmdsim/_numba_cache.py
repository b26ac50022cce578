"""numba's on-disk cache made safe for several processes compiling at once (decision 0021).

numba keeps one index file per jitted function, mapping each compiled signature to a numbered
data file. Its `IndexDataCacheFile.save` reads the index, picks the first free number, writes
the index back and then the data, with no lock. Two processes that compile two signatures of
the same function at the same time (two variants of the lanes kernel in two test workers or
sweep workers on an empty cache) can both pick number 1: the index then maps one signature to
the data of the other, and a later process loads the other kernel under that signature,
silently (numba does not check a data file against its key).

`install()` wraps `save` in an exclusive `flock` and `load` in a shared one, on a lock file
in the function's cache folder. Saves are rare (once per compile) and cheap beside the compile;
a load takes the shared lock for the time of two small file reads. Where `fcntl` is missing
(Windows), or numba has changed the class, nothing is wrapped and numba behaves as before; a
cache file without the folder attribute, a folder where the lock file cannot be made, and a
file system that refuses `flock` are read and written without the lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

LOCK_NAME = ".bmdsim-index.lock"


@contextlib.contextmanager
def _locked(folder: str | None, exclusive: bool) -> Iterator[None]:
    """Hold a lock on `folder`'s lock file (a shared one is not taken on a folder that does
    not exist yet: nothing there to read); without one where the folder is unknown, the file
    cannot be made, or the file system refuses locks (some NFS, FUSE or CIFS mounts): there,
    numba's own behaviour, unlocked."""
    import fcntl

    f = None
    if folder is not None and (exclusive or os.path.isdir(folder)):
        try:
            os.makedirs(folder, exist_ok=True)
            f = open(os.path.join(folder, LOCK_NAME), "a+b")  # closed below
            fcntl.flock(f, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        except OSError:
            if f is not None:
                f.close()
            f = None
    try:
        yield
    finally:
        if f is not None:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()


def install() -> bool:
    """Wrap numba's cache-file `save` and `load` in file locks (once per process). Returns
    whether the locks are in place."""
    try:
        import fcntl  # noqa: F401

        from numba.core import caching
    except ImportError:
        return False
    cls: Any = getattr(caching, "IndexDataCacheFile", None)
    if cls is None or not all(hasattr(cls, a) for a in ("save", "load")):
        return False
    if getattr(cls, "_bmdsim_locked", False):
        return True
    save: Callable[..., None] = cls.save
    load: Callable[..., Any] = cls.load

    def locked_save(self: Any, key: Any, data: Any) -> None:
        with _locked(getattr(self, "_cache_path", None), exclusive=True):
            save(self, key, data)

    def locked_load(self: Any, key: Any) -> Any:
        with _locked(getattr(self, "_cache_path", None), exclusive=False):
            return load(self, key)

    locked_save.__doc__, locked_load.__doc__ = save.__doc__, load.__doc__
    cls.save, cls.load = locked_save, locked_load
    cls._bmdsim_locked = True
    return True
