"""Atomic file writes: one helper for every file bmdsim writes outside a run folder.

A file is written to a temporary name in its own folder, flushed, given a plain file's mode
(``0666`` less the umask; ``mkstemp`` makes it ``0600``) and renamed over the target, so a
reader never sees a partial file and concurrent writers of the same file do not corrupt it.
On any error the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "OutputFolderError",
    "atomic_file",
    "check_out_folder",
    "write_folder",
    "write_text_atomic",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(path: str | os.PathLike[str], mode: str = "w", *, fsync: bool = False
                ) -> Iterator[IO[Any]]:  # fmt: skip
    """Open a temporary file beside `path` (``mode`` "w" or "wb"); on a clean exit it replaces
    `path`. `fsync` also forces the data to disk before the rename."""
    if mode not in ("w", "wb"):
        raise ValueError(f"mode: 'w' or 'wb', got {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to `path` atomically (`atomic_file`)."""
    with atomic_file(path, "w") as fh:
        fh.write(text)
    return Path(path)


class OutputFolderError(ValueError):
    """An output folder that must not be written (it is not one of ours, or it is the
    current folder)."""


def check_out_folder(out: Path, marker: str) -> None:
    """Refuse early an --out that is a file, the current folder or one of its parents, or a
    non-empty folder without `marker` (not an earlier output folder of the same command)."""
    out = Path(out).resolve()
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise OutputFolderError(
            f"--out {out}: the current folder or one of its parents; the output folder is "
            "replaced whole, so name a folder below it"
        )
    if out.exists():
        if not out.is_dir():
            raise OutputFolderError(f"--out {out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / marker).exists():
            raise OutputFolderError(f"--out {out}: a non-empty folder that is not a bmdsim output "
                                 "folder of this command; choose another path")  # fmt: skip


def write_folder(out: Path, write: Callable[[Path], None], marker: str) -> None:
    """Call ``write(tmp)`` on a new temporary folder beside `out`, then move it to `out`
    (replacing an earlier output folder with `marker`; refusing any other non-empty folder).
    On any error the temporary folder is removed and `out` is untouched."""
    out = Path(out).resolve()
    check_out_folder(out, marker)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; an output folder is not
    old: Path | None = None
    try:
        write(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(tmp, out)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists() and (old / "previous").exists():
            os.replace(old / "previous", out)  # put the earlier folder back
        raise
    finally:
        if old is not None and out.exists():  # else it holds the only copy: keep it
            shutil.rmtree(old, ignore_errors=True)
