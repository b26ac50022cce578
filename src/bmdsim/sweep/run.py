"""One point of a sweep: `run_point(shared, spec) -> PointResult`.

The work of a point is a function of its spec and the sweep's shared data only: the point's
scenario is rebuilt from the resolved base and the axis values (and checked against the hash
the plan computed), its world is built, the draws are made from the point's seed, and every
architecture of the sweep is run on the same world and draws (with the sectoral partner-fails
runs). The result is two Arrow tables (`bmdsim.sweep.tables`). Any executor, on any machine,
gives the same tables for the same spec.

Worlds are expensive (seconds) and depend only on the physics fields of the scenario
(`bmdsim.sweep.points.world_key`); a small per-process LRU cache keeps the last few, and a
cached world is re-bound to the point's scenario (its C2 fields, the sites' inventories and
launch delays), which gives the same results as a fresh build (tests/unit/test_sweep_points.py).
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa

from bmdsim.scenario.schema import Scenario
from bmdsim.sweep.points import (
    AxisPlan,
    PointSpec,
    SweepPlan,
    dump,
    point_hash,
    point_scenario,
    world_key,
)
from bmdsim.sweep.tables import PARTNER_FAILS, RESULT_COLUMNS, results_schema, threats_schema

WORLD_CACHE_SIZE = 3

__all__ = ["PointResult", "SweepShared", "clear_world_cache", "run_point", "shared_of",
           "world_for"]  # fmt: skip


@dataclass(frozen=True)
class SweepShared:
    """What every point of a sweep shares (sent to each worker once)."""

    base: dict[str, Any]
    axes: tuple[AxisPlan, ...]
    trials: int
    architectures: tuple[str, ...]
    partner_fails: bool
    numba_threads: int | None = None  # set in each worker process (None: leave as is)


def shared_of(plan: SweepPlan, numba_threads: int | None = None) -> SweepShared:
    return SweepShared(plan.base, plan.axes, plan.trials, plan.architectures, plan.partner_fails,
                       numba_threads)  # fmt: skip


@dataclass(frozen=True)
class PointResult:
    index: int
    hash: str
    results: pa.Table
    threats: pa.Table
    seconds: float
    world_built: bool
    pid: int


# ------------------------------------------------------------------ the world cache

_WORLDS: OrderedDict[str, Any] = OrderedDict()
_CONFIGURED: list[int | None] = []


def clear_world_cache() -> None:
    _WORLDS.clear()


def _rebind(world: Any, scn: Scenario) -> Any:
    """`world` (built from a scenario with the same physics) for scenario `scn`."""
    sites = tuple(replace(node, inventory=ws.inventory, launch_delay_s=ws.launch_delay_s)
                  for node, ws in zip(world.sites, scn.interceptor_sites, strict=True))  # fmt: skip
    return replace(world, scenario=scn, sites=sites)


def world_for(scn: Scenario) -> tuple[Any, bool]:
    """The world of `scn` (from the per-process cache when its physics was built already) and
    whether it was built now."""
    from bmdsim.battle.world import build_world

    key = world_key(dump(scn))
    if key in _WORLDS:
        _WORLDS.move_to_end(key)
        return _rebind(_WORLDS[key], scn), False
    world = build_world(scn)
    _WORLDS[key] = world
    while len(_WORLDS) > WORLD_CACHE_SIZE:
        _WORLDS.popitem(last=False)
    return world, True


def _configure(threads: int | None) -> None:
    if threads is None or _CONFIGURED == [threads]:
        return
    import numba

    most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    numba.set_num_threads(max(1, min(threads, most)))
    _CONFIGURED[:] = [threads]


# ------------------------------------------------------------------ the point


def run_point(shared: SweepShared, spec: PointSpec) -> PointResult:
    """Run every architecture of the sweep on point `spec`; the result tables."""
    from bmdsim.battle.engine import make_draws
    from bmdsim.study.run import partner_fails, run_architecture

    _configure(shared.numba_threads)
    t0 = time.perf_counter()
    scn = point_scenario(shared.base, shared.axes, spec.values, shared.trials, spec.seed)
    if point_hash(dump(scn)) != spec.hash:
        raise RuntimeError(f"point {spec.index}: the scenario rebuilt here differs from the "
                           "plan's (another bmdsim version on this worker?)")  # fmt: skip
    world, built = world_for(scn)
    draws = make_draws(world, shared.trials, spec.seed)
    runs = {a: run_architecture(world, a, draws) for a in shared.architectures}
    pf = None
    if shared.partner_fails and "sectoral" in shared.architectures:
        pf = partner_fails(world, draws)
    res = results_table(shared, spec, runs, pf)
    thr = threats_table(shared, spec, world, runs)
    return PointResult(spec.index, spec.hash, res, thr, time.perf_counter() - t0, built,
                       os.getpid())  # fmt: skip


def _axis_cols(shared: SweepShared, spec: PointSpec, n: int) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {"point": [spec.index] * n}
    for ax, v in zip(shared.axes, spec.values, strict=True):
        cols[ax.name] = [float(v) if ax.dtype == "float64" else v] * n
    return cols


def results_table(shared: SweepShared, spec: PointSpec, runs: dict[str, Any],
                  pf: dict[str, Any] | None) -> pa.Table:  # fmt: skip
    """One row per architecture x party (and per party for the partner-fails runs)."""
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for name, run in runs.items():
        rows += [(name, p, m) for p, m in run.metrics["parties"].items()]
        if name == "sectoral" and pf is not None:
            rows += [(PARTNER_FAILS, p, m) for p, m in pf.items()]
    cols = _axis_cols(shared, spec, len(rows))
    cols["architecture"] = [a for a, _, _ in rows]
    cols["party"] = [p for _, p, _ in rows]
    cols["seed"] = [spec.seed] * len(rows)
    cols["trials"] = [shared.trials] * len(rows)
    for c, _ in RESULT_COLUMNS[4:]:
        cols[c] = [m.get(c) for _, _, m in rows]
    schema = results_schema([(a.name, a.dtype) for a in shared.axes])
    return pa.table(cols, schema=schema)


def _nanmean(x: np.ndarray) -> list[float | None]:
    """Column means over axis 0 ignoring NaN; None where a column has no value."""
    ok = np.isfinite(x)
    n = ok.sum(axis=0)
    s = np.where(ok, x, 0.0).sum(axis=0)
    return [float(a / b) if b else None for a, b in zip(s, n, strict=True)]


def _finite(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def threats_table(shared: SweepShared, spec: PointSpec, world: Any, runs: dict[str, Any]
                  ) -> pa.Table:  # fmt: skip
    """One row per architecture x raid missile: its outcome aggregated over the trials."""
    rows = world.raid_rows
    th = world.threats
    k = shared.trials
    r_n = int(rows.size)
    cols: dict[str, list[Any]] = {c: [] for c in ("architecture", "threat", "raid", "missile",
                                                  "target", "target_country", "launch_time_s",
                                                  "impact_time_s", "detect_s", "track_s",
                                                  "trials", "kill_probability", "engaged_share",
                                                  "mean_shots", "mean_decide_s",
                                                  "mean_first_launch_s", "mean_first_intercept_s",
                                                  "mean_first_intercept_alt_km")}  # fmt: skip
    detect = np.min(world.detect_s[:, rows], axis=0, initial=np.inf)
    track = np.min(world.eval_track_s[:, rows], axis=0, initial=np.inf)
    static: dict[str, list[Any]] = {
        "threat": [str(x) for x in th.name[rows]],
        "raid": [str(x) for x in th.raid[rows]],
        "missile": [str(x) for x in th.missile[rows]],
        "target": [str(x) for x in th.target[rows]],
        "target_country": [str(x) for x in th.target_country[rows]],
        "launch_time_s": [_finite(x) for x in th.t0_s[rows]],
        "impact_time_s": [_finite(x) for x in th.impact_s[rows]],
        "detect_s": [_finite(x) for x in detect],
        "track_s": [_finite(x) for x in track],
    }
    for name, run in runs.items():
        raid = run.raid

        def per(col: str, raid: dict[str, Any] = raid) -> np.ndarray:
            return np.asarray(raid[col], dtype=float).reshape(k, r_n)

        cols["architecture"] += [name] * r_n
        for c, vals in static.items():
            cols[c] += vals
        cols["trials"] += [k] * r_n
        cols["kill_probability"] += [float(x) for x in per("killed").mean(axis=0)]
        shots = per("shots")
        cols["engaged_share"] += [float(x) for x in (shots > 0).mean(axis=0)]
        cols["mean_shots"] += [float(x) for x in shots.mean(axis=0)]
        cols["mean_decide_s"] += _nanmean(per("decide_s"))
        cols["mean_first_launch_s"] += _nanmean(per("first_launch_s"))
        cols["mean_first_intercept_s"] += _nanmean(per("first_intercept_s"))
        cols["mean_first_intercept_alt_km"] += _nanmean(per("first_intercept_alt_km"))
    n = len(cols["architecture"])
    out = {**_axis_cols(shared, spec, n), **cols}
    return pa.table(out, schema=threats_schema([(a.name, a.dtype) for a in shared.axes]))
