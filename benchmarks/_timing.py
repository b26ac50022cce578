"""How `benchmarks/run.py` times the two sides of a ratio: paired rounds (decision 0024).

This machine's speed moves by up to a factor of two between runs and within one, on both cores
(decision 0022). A ratio of two times taken minutes apart says as much about those minutes as
about the codes. So both sides of each ratio are timed in the same *round* (every side once, a few
seconds in all, in an order drawn for the round), and the ratio is taken round by round; a run
reports the median of its rounds' ratios with the quartiles beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np


def paired_rounds(
    sides: dict[str, Callable[[], Any]], rounds: int, seed: int = 0
) -> tuple[dict[str, list[float]], list[list[str]]]:
    """Wall time (s) of each side in each of `rounds` rounds, and each round's order.

    A round runs every side once, one after the other, in an order drawn at random (seeded) for
    that round. A side's time may depend on the side before it (what the allocator still holds,
    what is still in the caches; decision 0024), so a fixed order, or one only turned round by
    round, would give each side the same predecessor in almost every round; drawn orders spread
    them."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    names = list(sides)
    rng = np.random.default_rng(seed)
    times: dict[str, list[float]] = {k: [] for k in names}
    orders: list[list[str]] = []
    for _ in range(rounds):
        order = [names[j] for j in rng.permutation(len(names))]
        orders.append(order)
        for name in order:
            t0 = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - t0)
    return times, orders


def round_ratios(fast_s: list[float], n_fast: int, slow_s: list[float], n_slow: int) -> np.ndarray:
    """Per round: the throughput of the side that took `fast_s` for `n_fast` items over that of
    the side that took `slow_s` for `n_slow` items (items a second over items a second)."""
    fast, slow = np.asarray(fast_s, dtype=float), np.asarray(slow_s, dtype=float)
    if fast.shape != slow.shape:
        raise ValueError(f"rounds differ: {fast.size} against {slow.size}")
    return (n_fast / fast) / (n_slow / slow)


def spread(values: np.ndarray | list[float]) -> dict[str, float]:
    """Median, quartiles (numpy's linear interpolation), least and greatest of `values`."""
    v = np.asarray(values, dtype=float)
    q1, med, q3 = np.percentile(v, [25.0, 50.0, 75.0])
    return {
        "median": float(med),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(v.min()),
        "max": float(v.max()),
    }


# not cached: a few seconds to compile, once a run; a cache entry would be keyed to the module
# name it was first imported under (run.py's `_timing`, or a test's)
@numba.njit(parallel=True)
def _fma_chains(x: np.ndarray, n_iter: int) -> None:  # pragma: no cover (compiled)
    for c in numba.prange(x.shape[0]):
        v = x[c]
        for _ in range(n_iter):
            v = v * 0.999999 + 1e-6
        x[c] = v


def on_threads(threads: int, fn: Callable[[], Any]) -> Callable[[], Any]:
    """`fn` run on `threads` numba threads, the thread count restored after: a side of a round
    (`paired_rounds`) timed on a given number of threads."""

    def run() -> Any:
        old = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            return fn()
        finally:
            numba.set_num_threads(old)

    return run


def reference_loop(threads: int, n_chains: int = 64, n_iter: int = 100_000) -> Callable[[], None]:
    """A plain compute-bound loop (independent multiply-add chains, no memory traffic), run on
    `threads` numba threads: how much a second thread adds on this machine at this moment, to
    set beside what it adds to bmdsim's batch. Each chain waits on its own last result, so the
    loop is bound by the multiply-add's latency and leaves the core's vector units mostly idle:
    it gains the full 2x from a second virtual CPU even when that CPU shares its physical core's
    units with other work on the host (`throughput_loop` does not; decision 0026)."""
    return on_threads(threads, lambda: _fma_chains(np.ones(n_chains), n_iter))


# not cached, as `_fma_chains`
@numba.njit(parallel=True)
def _sqrt_div_rows(x: np.ndarray, n_iter: int) -> None:  # pragma: no cover (compiled)
    for c in numba.prange(x.shape[0]):
        v = x[c]
        for _ in range(n_iter):
            for k in range(v.shape[0]):
                v[k] = np.sqrt(v[k] * 0.999999 + 1e-6) / (v[k] + 1.0) + 0.5


def throughput_loop(
    threads: int, n_rows: int = 64, row: int = 32, n_iter: int = 5_000
) -> Callable[[], None]:
    """A compute-bound loop bound by throughput, as bmdsim's lanes are: vector square roots and
    divisions over `row` independent values a row (several vector registers' worth, in flight
    together), no memory traffic beyond the first cache level, run on `threads` numba threads.
    Unlike `reference_loop` it loses when the second virtual CPU's physical core is busy with
    other work on the host (decision 0026 measured 1.40-1.50x for it against 1.93-2.04x for
    `reference_loop` in the same minutes)."""
    return on_threads(threads, lambda: _sqrt_div_rows(np.ones((n_rows, row)), n_iter))
