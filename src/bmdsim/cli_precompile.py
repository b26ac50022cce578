"""`bmdsim precompile`: compile the numba kernels into the cache, in several processes."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bmdsim.cli_common import QuietOpt, console, err_console, fail, print_json


def precompile_cmd(
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes compiling at once.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Compile every numba kernel into the on-disk cache now, so that the first study does not
    wait for it (minutes on an empty cache; seconds when the kernels are cached already).

    The cache is $XDG_CACHE_HOME/bmdsim/numba/<hash of the kernel sources> (or
    NUMBA_CACHE_DIR). Each task flies a small batch that reaches some of the kernels; the
    table says how many kernels each task compiled and how many it loaded from the cache
    (--json also lists the kernel signatures each task's process holds).
    """
    from bmdsim.precompile import TASKS, TaskResult, precompile

    if jobs < 1:
        fail(f"--jobs: {jobs} is not allowed; give a number of processes, 1 or more")
    jobs = min(jobs, len(TASKS))
    show = not (quiet or as_json) and err_console.is_terminal
    prog = Progress(TextColumn("compiling kernels"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, transient=True)  # fmt: skip
    task = prog.add_task("", total=len(TASKS))

    def on_done(r: TaskResult) -> None:
        prog.advance(task)

    start = time.perf_counter()
    if show:
        with prog:
            results = precompile(jobs, on_done)
    else:
        results = precompile(jobs, on_done)
    wall = time.perf_counter() - start
    folder = os.environ.get("NUMBA_CACHE_DIR", "")
    rows = [{"task": r.name, "seconds": round(r.seconds, 2), "compiled": r.compiled,
             "loaded": r.loaded, "kernels": list(r.kernels)} for r in results]  # fmt: skip
    if as_json:
        print_json({"cache_dir": folder, "jobs": jobs, "wall_s": round(wall, 2), "tasks": rows})
        return
    t = Table(title=f"numba kernels, {jobs} process(es), {wall:.1f} s: {folder}")
    for col, just in (("task", "left"), ("s", "right"), ("compiled", "right"),
                      ("from cache", "right")):  # fmt: skip
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        t.add_row(str(r["task"]), f"{r['seconds']:.1f}", str(r["compiled"]), str(r["loaded"]))
    console.print(t)
