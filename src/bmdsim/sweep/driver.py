"""The sweep loop: prepare the folder, run the missing points on an executor, write each
point as it finishes, record the failures.

A point that raises does not stop the others: it is reported (`on_failure`), listed in
DIR/failed.json with its traceback, and run again by the next `--resume`. An executor that
cannot go on (a process pool whose worker died) stops the loop; what finished is kept.
KeyboardInterrupt goes up to the caller after the executor is shut down; what finished is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bmdsim.sweep import store
from bmdsim.sweep.executors import Executor, Failure
from bmdsim.sweep.points import PointSpec, SweepPlan
from bmdsim.sweep.run import PointResult, run_point, shared_of

__all__ = ["SweepRun", "order_points", "run_sweep"]


@dataclass
class SweepRun:
    total: int
    done_before: int
    done_now: int = 0
    failed: list[tuple[PointSpec, Failure]] = field(default_factory=list)
    not_run: int = 0
    seconds: float = 0.0
    worlds_built: int = 0
    report_changed: bool = False  # a new folder, or a resume with other report settings

    @property
    def complete(self) -> bool:
        return self.done_before + self.done_now == self.total


def order_points(points: list[PointSpec]) -> list[PointSpec]:
    """Points grouped by world (groups in order of their first point), by index within."""
    first: dict[str, int] = {}
    for p in points:
        first.setdefault(p.world_key, p.index)
    return sorted(points, key=lambda p: (first[p.world_key], p.index))


def run_sweep(plan: SweepPlan, out: Path, executor: Executor, *, sweep_file: str,
              sweep_text: str, base_file: str, base_text: str, resume: bool,
              on_start: Callable[[int, int], None] | None = None,
              on_point: Callable[[PointResult], None] | None = None,
              on_failure: Callable[[PointSpec, Failure], None] | None = None,
              ) -> SweepRun:  # fmt: skip
    """Run the sweep's missing points into `out` (`store.StoreError` if the folder is not
    usable). `on_start(todo, done)` is called once the folder is ready."""
    prep = store.prepare(out, plan, sweep_file, sweep_text, base_file, base_text, resume)
    done = prep.done
    todo = order_points([p for p in plan.points if p.index not in done])
    run = SweepRun(len(plan.points), len(done), report_changed=prep.report_changed)
    if on_start is not None:
        on_start(len(todo), len(done))
    t0 = time.perf_counter()
    try:
        if todo:
            shared = shared_of(plan, executor.numba_threads)
            with executor:
                for spec, res, fail in executor.imap_unordered(run_point, shared, todo):
                    if fail is not None:
                        run.failed.append((spec, fail))
                        if on_failure is not None:
                            on_failure(spec, fail)
                        if fail.fatal:
                            break
                        continue
                    store.write_point(out, plan, res)
                    run.done_now += 1
                    run.worlds_built += int(res.world_built)
                    if on_point is not None:
                        on_point(res)
    finally:
        run.not_run = len(todo) - run.done_now - len({s.index for s, _ in run.failed})
        run.seconds = time.perf_counter() - t0
        store.write_failures(out, run.failed)
    return run


def describe_point(plan: SweepPlan, spec: PointSpec) -> str:
    vals = ", ".join(f"{a.name}={_short(v)}" for a, v in zip(plan.axes, spec.values, strict=True))
    return f"point {spec.index} ({vals})"


def _short(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else repr(v) if isinstance(v, str) else str(v)
