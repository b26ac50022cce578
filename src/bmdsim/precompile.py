"""Compile bmdsim's numba kernels into the on-disk cache ahead of use, in several processes.

numba compiles a kernel the first time a process calls it, and caches the machine code on disk
(`bmdsim/__init__.py`: one cache folder per version of the kernel sources). On an empty cache
the first study waits minutes for this, on one core. `precompile` flies small batches that
reach every kernel, spread over `jobs` processes, so that the compiles run side by side and
each kernel compiles once. `make test` runs it before the suite's processes start: without it
every test process compiled every kernel it needed for itself (decision 0021).

The tasks compile the integrator's large kernels (each lanes variant, the scalar kernel), then,
after the ones it flies through, the rest (fly-out tables, engagement windows, geometry). A task
that finds its kernels in the cache loads them in a second or two, so a warm `precompile` is
quick.

Compiling is deterministic, but two processes writing one cache at once need
`bmdsim._numba_cache`'s locks, which every kernel module installs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdsim._workers import exit_with


@dataclass(frozen=True)
class TaskResult:
    """One task's run: its name, wall time in its process, and the kernels compiled (cache
    misses) and loaded from the cache (hits) there, counted over bmdsim's dispatchers."""

    name: str
    seconds: float
    compiled: int
    loaded: int
    kernels: tuple[str, ...] = ()  # `reached()` in the task's process after it


def _dispatchers() -> Iterator[Any]:
    """Every numba dispatcher defined in an imported bmdsim module."""
    from numba.core.dispatcher import Dispatcher

    seen: set[int] = set()
    for name, mod in list(sys.modules.items()):
        if not name.startswith("bmdsim") or mod is None:
            continue
        for v in list(vars(mod).values()):
            if isinstance(v, Dispatcher) and id(v) not in seen:
                seen.add(id(v))
                yield v


def cache_counts() -> tuple[int, int]:
    """(compiles, cache loads) so far in this process, over bmdsim's dispatchers."""
    misses = hits = 0
    for d in _dispatchers():
        misses += sum(d.stats.cache_misses.values())
        hits += sum(d.stats.cache_hits.values())
    return misses, hits


def reached() -> set[str]:
    """Every kernel signature this process has compiled or loaded, as
    "module.function(argument types)", over bmdsim's dispatchers."""
    return {f"{d.py_func.__module__}.{d.py_func.__qualname__}{tuple(sig)}"
            for d in _dispatchers() for sig in d.overloads}  # fmt: skip


# --- the tasks: small batches through the public entry points --------------------------------


def _batch() -> int:
    """A batch at the lanes' and the parallel kernel's threshold."""
    from bmdsim.physics.flyout import SERIAL_BELOW

    return SERIAL_BELOW


def _free(drag: bool, beta: float, n: int, sample_dt_s: float | None) -> None:
    from bmdsim.physics.flyout import FlyoutSettings, fly_free

    st = FlyoutSettings(drag=drag, sample_dt_s=sample_dt_s)
    lat = np.linspace(0.1, 0.9, n)
    fly_free(lat, np.zeros(n), np.full(n, 1e5), np.full(n, 4500.0), np.full(n, 0.7),
             np.linspace(0.0, 6.0, n), beta_kg_m2=beta, settings=st)  # fmt: skip


def _whole(drag: bool, n: int, sample_dt_s: float | None) -> None:
    from bmdsim.models.missiles import get_missile
    from bmdsim.physics.flyout import FlyoutSettings, fly_missiles, vehicle_arrays

    st = FlyoutSettings(drag=drag, sample_dt_s=sample_dt_s)
    fly_missiles(vehicle_arrays(get_missile("minuteman-3")), np.linspace(0.1, 0.9, n),
                 np.zeros(n), np.linspace(0.0, 6.0, n), np.full(n, 0.3), settings=st)  # fmt: skip


def lanes_whole_flights() -> None:
    """Whole flights with drag, events only: the lanes kernel with powered lanes."""
    _whole(True, _batch(), None)


def lanes_vacuum() -> None:
    """Free flights in vacuum, events only: the vacuum lanes kernel."""
    _free(False, np.inf, _batch(), None)


def lanes_drag() -> None:
    """Free flights with drag, events only: the drag lanes kernel."""
    _free(True, 5e4, _batch(), None)


def scalar_kernels() -> None:
    """Sampled batches (the parallel scalar kernel), short batches (the serial one) and the
    serial burnout states (a batch of `_batch()` free flights takes the parallel one)."""
    _whole(False, _batch(), 1.0)  # whole flights without drag: the scalar kernel for both passes
    _free(True, 5e4, 1, 1.0)


def engagement_and_geometry() -> None:
    """A fly-out table, engagement windows on it, and the batch geometry and atmosphere."""
    from bmdsim.engagement.engage import kinematics
    from bmdsim.engagement.flyout_table import build_flyout_table
    from bmdsim.engagement.windows import engagement_windows, ground_range_m, site_ecef
    from bmdsim.models.interceptors import get_interceptor
    from bmdsim.models.missiles import get_missile
    from bmdsim.physics import atmosphere, earth
    from bmdsim.physics.flyout import FlyoutSettings, fly_missiles, vehicle_arrays

    table = build_flyout_table(kinematics(get_interceptor("sm-3-iia")), azimuth_rad=1.0)
    table.time_to_reach(np.array([1e5, 5e5]), np.array([1e5, 2e5]))
    threat = fly_missiles(vehicle_arrays(get_missile("sejjil-2")), np.full(2, 0.6),
                          np.full(2, 0.9), np.full(2, 5.5), np.full(2, 0.3),
                          settings=FlyoutSettings(sample_dt_s=2.0))  # fmt: skip
    sites = site_ecef(np.array([0.77, 0.95]), np.array([0.43, 0.29]), np.zeros(2), threat)
    engagement_windows(sites, table, threat, np.zeros((2, 2)))
    ground_range_m(sites[0], threat)
    lat, lon = np.array([0.5, 0.6]), np.array([0.1, 0.2])
    r = earth.geodetic_to_ecef(lat, lon, np.zeros(2))
    earth.ecef_to_geodetic(r)
    r.setflags(write=False)  # read-only positions (a trajectory's) compile their own variant
    earth.ecef_to_geodetic(r)
    earth.gravity(r)
    earth.geodesic_distance_m(lat, lon, lat[::-1], lon[::-1])
    atmosphere.density_kg_m3(np.array([0.0, 5e4, 1e5]))
    atmosphere.temperature_k(np.array([0.0, 5e4, 8e4]))
    atmosphere.pressure_pa(np.array([0.0, 5e4, 8e4]))


@dataclass(frozen=True)
class Task:
    """A task, and the tasks whose kernels it flies through (it starts after them, so that
    it loads their kernels instead of compiling them a second time)."""

    name: str
    fn: Callable[[], None]
    after: tuple[str, ...] = ()


#: In the order they start when processes are free: the longest first (measured on an empty
#: cache, all five in one process, in this order: whole flights 170 s with the callees that
#: the others share, then vacuum 54 s, sampled 48 s, drag 29 s, engagement 28 s; with 2
#: processes whole flights takes 134-144 s: decision 0021).
TASKS: tuple[Task, ...] = (
    Task("whole flights (lanes)", lanes_whole_flights),
    Task("free flight in vacuum (lanes)", lanes_vacuum),
    Task("sampled and short batches", scalar_kernels),
    Task("free flight with drag (lanes)", lanes_drag),
    Task("engagement and geometry", engagement_and_geometry,
         after=("whole flights (lanes)", "sampled and short batches")),
)  # fmt: skip
_BY_NAME = {t.name: t for t in TASKS}


def run_task(name: str) -> TaskResult:
    """Run one task in this process and count what it compiled."""
    m0, h0 = cache_counts()
    start = time.perf_counter()
    _BY_NAME[name].fn()
    seconds = time.perf_counter() - start
    m1, h1 = cache_counts()
    return TaskResult(name, seconds, m1 - m0, h1 - h0, tuple(sorted(reached())))


def precompile(jobs: int = 2, on_done: Callable[[TaskResult], None] | None = None
               ) -> list[TaskResult]:  # fmt: skip
    """Run every task in `jobs` processes (1: in this process, in order), each as soon as a
    process is free and the tasks it comes after have ended, and return their results in the
    order they ended. `on_done` is called with each as it ends."""
    if jobs < 1:
        raise ValueError(f"jobs: {jobs} is not a positive number of processes")
    results: list[TaskResult] = []

    def done(r: TaskResult) -> None:
        results.append(r)
        if on_done is not None:
            on_done(r)

    if jobs == 1:
        for t in TASKS:
            done(run_task(t.name))
        return results
    # spawn: a fresh interpreter per worker (no fork of a process that may hold numba's threads)
    ctx = multiprocessing.get_context("spawn")
    waiting = list(TASKS)
    running: dict[Future[TaskResult], str] = {}
    ended: set[str] = set()
    # initializer: a worker ends with this process if it is killed (`bmdsim._workers`)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=exit_with,
                             initargs=(os.getpid(),)) as pool:  # fmt: skip
        while waiting or running:
            for t in [t for t in waiting if set(t.after) <= ended]:
                if len(running) >= jobs:
                    break
                waiting.remove(t)
                running[pool.submit(run_task, t.name)] = t.name
            if not running:  # only a task list whose `after` names no task can get here
                raise RuntimeError(f"precompile: no task can start: {[t.name for t in waiting]}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for f in finished:
                ended.add(running.pop(f))
                done(f.result())
    return results
