"""Sweep throughput on a Dask LocalCluster of 1 worker, then 2 workers, in the same run.

The sweep: PAA phase III (scenarios/paa-phase-3.yaml), three command-and-control axes (the
sectoral joint-decision delay, the partner's reliability, the exchange latency), every point
running the four architectures and the sectoral partner-fails runs at `--trials` trials, the
points written to a sweep folder as `bmdsim sweep` does (`bmdsim.sweep.driver.run_sweep`).

Before each timed run the cluster is started and every worker runs one point untimed, which
loads the numba kernels and builds the point's world into the worker's cache (all points share
one world: the axes are C2 fields), so the comparison measures the point work, not start-up.
Throughput is points / (time from the first submission to the last point written). The ratio
of the 2-worker to the 1-worker throughput is the figure of merit (target >= 1.7 on 2 cores).

Writes `benchmarks/results.json["sweep"]` (merged, atomically). Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from _results import record  # noqa: I001 (benchmarks/ is on sys.path when run)

from bmdsim.sweep.driver import run_sweep
from bmdsim.sweep.executors import DaskExecutor
from bmdsim.sweep.points import build_plan
from bmdsim.sweep.run import run_point, shared_of
from bmdsim.sweep.schema import parse_sweep

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.7

SWEEP = """\
name: bench-sweep
base: paa-phase-3.yaml
trials: {trials}
axes:
  - name: joint_decision_delay_s
    path: architectures.sectoral.joint_decision_delay_s
    values: [30, 60, 90, 120]
  - name: partner_reliability
    path: architectures.sectoral.performance.Russia
    values: [0.5, 0.75, 0.9, 1.0]
  - name: exchange_latency_s
    paths: [architectures.coordinated.exchange.0.latency_s,
            architectures.coordinated.exchange.1.latency_s]
    values: {latencies}
"""


def _timed(plan: Any, loaded: Any, workers: int, out: Path) -> dict[str, Any]:
    # one numba thread per worker in both runs: the point work is not numba-parallel, and the
    # two runs then differ only in the number of workers
    ex = DaskExecutor(workers=workers, numba_threads=1)
    ex.start()
    shared = shared_of(plan, ex.numba_threads)
    t = time.perf_counter()
    ex.client.run(run_point, shared, plan.points[0])  # on every worker: kernels and world
    warm = time.perf_counter() - t
    marks: dict[str, float] = {}
    inside: list[float] = []

    def on_start(todo: int, done: int) -> None:
        marks["start"] = time.perf_counter()

    def on_point(res: Any) -> None:
        marks["last"] = time.perf_counter()
        inside.append(res.seconds)

    run = run_sweep(
        plan,
        out,
        ex,
        sweep_file="bench",
        sweep_text=loaded.text,
        base_file="paa",
        base_text=loaded.base.text,
        resume=False,
        on_start=on_start,
        on_point=on_point,
    )
    assert run.complete and not run.failed, run.failed
    seconds = marks["last"] - marks["start"]
    return {
        "workers": workers,
        "points": run.done_now,
        "seconds": round(seconds, 3),
        "points_per_s": round(run.done_now / seconds, 3),
        "warm_up_s": round(warm, 2),
        "mean_point_s_in_worker": round(sum(inside) / len(inside), 3),
        "worlds_built_in_timed_run": run.worlds_built,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20, help="trials per point (default 20)")
    ap.add_argument(
        "--latencies",
        type=int,
        default=3,
        help="exchange-latency values, so points = 16 x this (default 3: 48 points)",
    )
    args = ap.parse_args(argv)
    lat = [2 + 8 * k for k in range(args.latencies)]
    text = SWEEP.format(trials=args.trials, latencies=lat)
    loaded = parse_sweep(text, "bench-sweep.yaml", ROOT / "scenarios")
    plan = build_plan(loaded)
    t = time.perf_counter()
    run_point(shared_of(plan), plan.points[0])  # fills the disk caches (aim, fly-out tables)
    serial_first = time.perf_counter() - t
    t = time.perf_counter()
    run_point(shared_of(plan), plan.points[1])
    serial_point = time.perf_counter() - t
    rows = []
    with tempfile.TemporaryDirectory(prefix="bmdsim-bench-sweep-") as tmp:
        for workers in (1, 2):
            rows.append(_timed(plan, loaded, workers, Path(tmp) / f"w{workers}"))
    ratio = rows[1]["points_per_s"] / rows[0]["points_per_s"]
    out = {
        "scenario": "paa-phase-3.yaml",
        "points": len(plan.points),
        "trials_per_point": args.trials,
        "architectures_per_point": "4 + sectoral partner fails",
        "serial_in_process_point_s": round(serial_point, 3),
        "first_point_with_world_build_s": round(serial_first, 2),
        "dask": rows,
        "ratio_2_over_1_workers": round(ratio, 3),
        "target_ratio": TARGET,
        "target_met": ratio >= TARGET,
        "cpus": os.cpu_count(),
    }
    print(
        f"sweep on PAA phase III: {len(plan.points)} points x (4 architectures + partner "
        f"fails), {args.trials} trials each"
    )
    print(f"  in-process point (warm world)      {serial_point:8.2f} s")
    for r in rows:
        print(
            f"  Dask LocalCluster, {r['workers']} worker{'s' if r['workers'] > 1 else ' '}      "
            f"{r['points_per_s']:8.2f} points/s  ({r['points']} points in {r['seconds']:.1f} s; "
            f"{r['mean_point_s_in_worker']:.2f} s per point inside a worker; warm-up "
            f"{r['warm_up_s']:.1f} s)"
        )
    print(
        f"  ratio 2 / 1 workers                {ratio:8.2f}x  (target >= {TARGET}x: "
        f"{'met' if ratio >= TARGET else 'MISSED'})"
    )
    record("sweep", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
