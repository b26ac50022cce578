"""Engagement-window throughput: vectorized against a plain per-pair Python loop (issue 3).

A "pair" is one threat sample x one interceptor site: the unit of work of an engagement
window (ground range and altitude of the sample from the site, the interceptor's time to
reach it from the fly-out table, the launch-time test). Both versions compute the same thing
for the same inputs, in the same run, and the loop's answers are checked against the
vectorized ones:

* vectorized: `bmdsim.engagement.windows.engagement_windows` over sites x threats x samples
  (with a FlyoutTable: the numba kernel, on numba's default threads and, for information, on
  one thread), best of 3 after an untimed warm-up call (JIT and cache loading excluded);
* loop: for each pair, the same steps on scalars (geodetic conversion, pyproj geodesic
  inverse per point, the table's time_to_reach per point), then the earliest reduction in
  Python.

The loop runs on a subset of the pairs; its rate is pairs per second over that subset. Writes
`benchmarks/results.json["engagement"]` (merged into the file, atomically). Not a timed test.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable

import numba
import numpy as np
from _results import record  # noqa: I001 (benchmarks/ is on sys.path when run)

from bmdsim.engagement.engage import kinematics
from bmdsim.engagement.flyout_table import get_flyout_table
from bmdsim.engagement.windows import engagement_windows, site_ecef
from bmdsim.models.interceptors import get_interceptor
from bmdsim.models.missiles import get_missile
from bmdsim.physics.earth import ecef_to_geodetic, geodesic_inverse
from bmdsim.physics.flyout import FlyoutSettings, fly_missiles, vehicle_arrays

TARGET_RATIO = 1000.0
SITES_DEG = [(44.0773, 24.4164), (54.479, 17.109), (34.5, 30.0), (43.0, 34.0)]


def threats(n: int) -> object:
    rng = np.random.default_rng(7)
    veh = vehicle_arrays(get_missile("sejjil-2"))
    lat = np.radians(rng.uniform(33.0, 38.0, n))
    lon = np.radians(rng.uniform(48.0, 58.0, n))
    az = np.radians(rng.uniform(280.0, 320.0, n))
    loft = np.radians(rng.uniform(15.0, 35.0, n))
    return fly_missiles(veh, lat, lon, az, loft, settings=FlyoutSettings(sample_dt_s=2.0))


def loop_windows(sites_rad: list[tuple[float, float]], table: object, traj: object, fire: float,
                 pairs_limit: int) -> tuple[int, float, dict[tuple[int, int], float]]:  # fmt: skip
    """Per-pair Python loop on the first threats until `pairs_limit` pairs are done; returns
    (pairs, seconds, earliest intercept per (site, threat))."""
    t0 = time.perf_counter()
    pairs = 0
    earliest: dict[tuple[int, int], float] = {}
    n = traj.size  # type: ignore[attr-defined]
    for i in range(n):
        k = int(traj.n_samples[i])  # type: ignore[attr-defined]
        t_imp = float(traj.impact_time_s[i])  # type: ignore[attr-defined]
        for s, (slat, slon) in enumerate(sites_rad):
            best = math.inf
            for j in range(k):
                t = float(traj.t_s[i, j])  # type: ignore[attr-defined]
                r = traj.r_ecef_m[i, j]  # type: ignore[attr-defined]
                lat, lon, alt = ecef_to_geodetic(r, traj.earth)  # type: ignore[attr-defined]
                g = float(geodesic_inverse(slat, slon, lat, lon, traj.earth)[0])  # type: ignore[attr-defined]
                tau = float(table.time_to_reach(g, float(alt)))  # type: ignore[attr-defined]
                if t <= t_imp and math.isfinite(tau) and t - tau >= fire and t < best:
                    best = t
                pairs += 1
            earliest[(s, i)] = best
        if pairs >= pairs_limit:
            return pairs, time.perf_counter() - t0, earliest
    return pairs, time.perf_counter() - t0, earliest


def best_of(n: int, fn: Callable[[], object]) -> float:
    best = math.inf
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    load_before = os.getloadavg()[0]
    n = 400
    traj = threats(n)
    table = get_flyout_table(kinematics(get_interceptor("sm-3-iia")))
    sites_rad = [(math.radians(a), math.radians(b)) for a, b in SITES_DEG]
    sites = site_ecef(np.array([a for a, _ in sites_rad]), np.array([b for _, b in sites_rad]),
                      0.0, traj)  # fmt: skip
    fire = 120.0
    w = engagement_windows(sites, table, traj, fire)  # warm-up: JIT / cache load, not timed
    threads = numba.get_num_threads()
    best = best_of(3, lambda: engagement_windows(sites, table, traj, fire))
    numba.set_num_threads(1)
    try:
        best_1 = best_of(3, lambda: engagement_windows(sites, table, traj, fire))
    finally:
        numba.set_num_threads(threads)
    n_pairs = int(len(SITES_DEG) * int(np.sum(traj.n_samples)))
    vec_rate, vec_rate_1 = n_pairs / best, n_pairs / best_1
    pairs, secs, earliest = loop_windows(sites_rad, table, traj, fire, pairs_limit=20_000)
    loop_rate = pairs / secs
    # the loop agrees with the vectorized windows on the threats it covered
    agree = all(
        (math.isinf(v) and not w.possible[s, i]) or v == w.earliest_intercept_s[s, i]
        for (s, i), v in earliest.items()
    )
    ratio = vec_rate / loop_rate
    res = {
        "description": "engagement-window pairs (threat samples x sites) per second",
        "threats": n, "sites": len(SITES_DEG), "pairs": n_pairs,
        "numba_threads": threads, "load_average_1min_before": load_before,
        "load_average_1min_after": os.getloadavg()[0],
        "vectorized_s": best, "vectorized_pairs_per_s": vec_rate,
        "vectorized_s_1thread": best_1, "vectorized_pairs_per_s_1thread": vec_rate_1,
        "loop_pairs": pairs, "loop_s": secs, "loop_pairs_per_s": loop_rate,
        "ratio_vectorized_vs_loop": ratio,
        "ratio_vectorized_vs_loop_1thread": vec_rate_1 / loop_rate,
        "loop_agrees_with_vectorized": agree,
        "target_ratio": TARGET_RATIO, "target_met": ratio >= TARGET_RATIO,
    }  # fmt: skip
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"engagement windows: vectorized {vec_rate:,.0f} pairs/s ({n_pairs:,} pairs in "
        f"{best * 1e3:.1f} ms, {threads} threads; 1 thread {vec_rate_1:,.0f} pairs/s); "
        f"per-pair Python loop {loop_rate:,.0f} pairs/s ({pairs:,} pairs); ratio {ratio:,.0f}x "
        f"(1 thread {vec_rate_1 / loop_rate:,.0f}x; target {TARGET_RATIO:g}x: {verdict}); "
        f"loop agrees: {agree}; load average {load_before:.2f} before"
    )
    record("engagement", res)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
