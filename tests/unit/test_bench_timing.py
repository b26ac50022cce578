"""The benchmark's paired-round estimator (`benchmarks/_timing.py`, decision 0024)."""

from __future__ import annotations

import sys
from pathlib import Path

import numba
import numpy as np
import pytest

# imported as benchmarks/run.py imports it (benchmarks/ on sys.path)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import _timing as timing  # noqa: E402


def test_rounds_time_every_side_once_a_round_in_drawn_orders() -> None:
    calls: list[str] = []
    names = "ABCDEF"
    sides = {k: (lambda k=k: calls.append(k)) for k in names}
    times, orders = timing.paired_rounds(sides, 12, seed=3)
    assert len(orders) == 12
    for r, order in enumerate(orders):
        assert sorted(order) == list(names)  # every side once a round
        assert calls[6 * r : 6 * r + 6] == order  # run in the order recorded
    assert set(times) == set(names)
    for t in times.values():
        assert len(t) == 12
        assert all(x >= 0.0 for x in t)
    # the point of drawing the orders: a side's predecessor varies over the rounds (a turned
    # order, A B C / B C A / ..., keeps it: each side has one predecessor but in one round)
    preds = {k: {o[o.index(k) - 1] for o in orders if o.index(k) > 0} for k in names}
    assert all(len(p) >= 3 for p in preds.values()), preds
    # seeded: the same orders again
    assert timing.paired_rounds(sides, 12, seed=3)[1] == orders


def test_rounds_time_each_side_not_its_neighbours() -> None:
    # a side that sleeps 30 ms beside one that does nothing: only the sleeper's times hold it
    import time

    times, _ = timing.paired_rounds({"idle": lambda: None, "sleep": lambda: time.sleep(0.03)}, 3)
    assert min(times["sleep"]) >= 0.03
    assert max(times["idle"]) < 0.02  # well under the sleeper's 30 ms, with room for a busy machine


def test_rounds_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="rounds must be >= 1, got 0"):
        timing.paired_rounds({"A": lambda: None}, 0)


def test_round_ratios_are_throughput_over_throughput_round_by_round() -> None:
    # round 1: 1,000 items in 1 s against 10 items in 2 s -> 1000 / 5 = 200x;
    # round 2: 1,000 items in 2 s against 10 items in 2 s -> 500 / 5 = 100x
    r = timing.round_ratios([1.0, 2.0], 1000, [2.0, 2.0], 10)
    np.testing.assert_allclose(r, [200.0, 100.0], rtol=1e-15)


def test_round_ratios_need_the_same_rounds_on_both_sides() -> None:
    with pytest.raises(ValueError, match="rounds differ: 2 against 3"):
        timing.round_ratios([1.0, 1.0], 1, [1.0, 1.0, 1.0], 1)


def test_spread_is_median_quartiles_and_extremes() -> None:
    s = timing.spread([5.0, 1.0, 4.0, 2.0, 3.0])
    assert s == {"median": 3.0, "q1": 2.0, "q3": 4.0, "min": 1.0, "max": 5.0}


class _DriftingMachine:
    """A fake clock: each call of a side costs its base time times the machine's factor, which
    goes from 1 to 2 (half speed) after `switch` calls."""

    def __init__(self, switch: int) -> None:
        self.now, self.calls, self.switch = 0.0, 0, switch

    def perf_counter(self) -> float:
        return self.now

    def side(self, cost_s: float):  # noqa: ANN201
        def run() -> None:
            self.now += cost_s * (1.0 if self.calls < self.switch else 2.0)
            self.calls += 1

        return run


def test_paired_rounds_see_both_sides_in_the_same_machine_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Why the rounds are paired: a machine that slows down half way through the run. Timed
    side after side (all bmdsim calls, then all solve_ivp passes, as before decision 0024),
    bmdsim gets the fast half and solve_ivp the slow one, and even each side's best time gives
    twice the codes' ratio. In paired rounds both sides of each round see the same machine."""
    n_bm, bm_s, n_ivp, ivp_s = 20_000, 0.02, 100, 0.3
    true_ratio = (n_bm / bm_s) / (n_ivp / ivp_s)  # 1,500x
    m = _DriftingMachine(switch=6)
    monkeypatch.setattr(timing, "time", m)
    t, _ = timing.paired_rounds({"bm": m.side(bm_s), "ivp": m.side(ivp_s)}, 7)
    r = timing.round_ratios(t["bm"], n_bm, t["ivp"], n_ivp)
    np.testing.assert_allclose(r, true_ratio, rtol=1e-12)
    assert timing.spread(r)["median"] == pytest.approx(true_ratio, rel=1e-12)

    m = _DriftingMachine(switch=6)
    monkeypatch.setattr(timing, "time", m)
    bm_alone = timing.paired_rounds({"bm": m.side(bm_s)}, 7)[0]["bm"]
    ivp_alone = timing.paired_rounds({"ivp": m.side(ivp_s)}, 7)[0]["ivp"]
    best_each = (n_bm / min(bm_alone)) / (n_ivp / min(ivp_alone))
    assert best_each == pytest.approx(2.0 * true_ratio, rel=1e-12)


@pytest.mark.parametrize(
    ("make", "kernel"),
    [("reference_loop", "_fma_chains"), ("throughput_loop", "_sqrt_div_rows")],
)
def test_reference_loops_run_on_the_threads_asked_and_restore_the_count(
    monkeypatch: pytest.MonkeyPatch, make: str, kernel: str
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(timing, kernel, lambda x, n: seen.append(numba.get_num_threads()))
    before = numba.get_num_threads()
    getattr(timing, make)(1)()
    getattr(timing, make)(before)()
    assert seen == [1, before]
    assert numba.get_num_threads() == before


def test_reference_loop_computes() -> None:
    x = np.ones(4)
    timing._fma_chains(x, 10)
    want = 1.0
    for _ in range(10):
        want = want * 0.999999 + 1e-6
    np.testing.assert_array_equal(x, want)


def test_throughput_loop_computes_every_row_and_value() -> None:
    x = np.linspace(0.5, 2.0, 12).reshape(3, 4)
    want = x.copy()
    for _ in range(5):
        want = np.sqrt(want * 0.999999 + 1e-6) / (want + 1.0) + 0.5
    timing._sqrt_div_rows(x, 5)
    np.testing.assert_allclose(x, want, rtol=1e-15)


def test_on_threads_runs_on_the_count_asked_returns_and_restores() -> None:
    before = numba.get_num_threads()
    assert timing.on_threads(1, numba.get_num_threads)() == 1
    assert numba.get_num_threads() == before

    def boom() -> None:
        raise RuntimeError("side failed")

    with pytest.raises(RuntimeError, match="side failed"):
        timing.on_threads(1, boom)()
    assert numba.get_num_threads() == before
