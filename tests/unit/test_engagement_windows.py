"""Engagement windows on a stand-in fly-out table with a closed form (straight-line fly-out at
constant average speed, altitude band, maximum fly-out time), so that every number can be
checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike, NDArray

from bmdsim.engagement.windows import engagement_windows, site_ecef
from bmdsim.physics.earth import EarthModel
from bmdsim.physics.flyout import FlyoutSettings, fly_free


class StraightLine:
    """tau = burn + distance / speed, inside [alt_min, alt_max] and tau <= tau_max."""

    def __init__(self, speed: float, burn: float = 10.0, alt_min: float = 70e3,
                 alt_max: float = 500e3, tau_max: float = 400.0) -> None:  # fmt: skip
        self.speed, self.burn = speed, burn
        self.alt_min, self.alt_max, self.tau_max = alt_min, alt_max, tau_max

    def time_to_reach(self, ground_range_m: ArrayLike, alt_m: ArrayLike) -> NDArray[np.float64]:
        g, a = np.asarray(ground_range_m), np.asarray(alt_m)
        tau = self.burn + np.hypot(g, a) / self.speed
        ok = (a >= self.alt_min) & (a <= self.alt_max) & (tau <= self.tau_max)
        return np.where(ok, tau, np.inf)


EARTH = EarthModel.sphere(rotation=False)
ST = FlyoutSettings(earth=EARTH, drag=False, sample_dt_s=1.0)
THREATS = fly_free(0.0, 0.0, 0.0, [4000.0, 4500.0], math.radians(40.0), 0.0, settings=ST)
SITES = site_ecef(np.radians([15.0, 25.0]), 0.0, 0.0, THREATS)


def test_window_is_consistent() -> None:
    w = engagement_windows(SITES, StraightLine(3000.0), THREATS, fire_time_s=60.0)
    assert w.possible.shape == (2, 2) and np.all(w.possible)
    assert np.all(w.earliest_intercept_s <= w.latest_intercept_s)
    assert np.all(w.earliest_launch_s >= 60.0)
    assert np.all(w.earliest_intercept_alt_m >= 70e3) and np.all(w.latest_intercept_alt_m <= 500e3)
    assert np.all(w.latest_intercept_s <= THREATS.impact_time_s[None, :])
    assert np.all(w.n_shoot_look_shoot >= 1)


def test_no_track_no_intercept() -> None:
    w = engagement_windows(SITES, StraightLine(3000.0), THREATS, fire_time_s=np.inf)
    assert not np.any(w.possible)
    assert np.all(np.isnan(w.earliest_intercept_s)) and np.all(w.n_shoot_look_shoot == 0)


def test_longer_kill_assessment_never_allows_more_shots() -> None:
    short = engagement_windows(SITES, StraightLine(3000.0), THREATS, 0.0, kill_assessment_s=10.0)
    long_ = engagement_windows(SITES, StraightLine(3000.0), THREATS, 0.0, kill_assessment_s=90.0)
    assert np.all(long_.n_shoot_look_shoot <= short.n_shoot_look_shoot)
    assert np.any(long_.n_shoot_look_shoot < short.n_shoot_look_shoot)


@settings(max_examples=40, deadline=None)
@given(t1=st.floats(0.0, 600.0), dt=st.floats(0.0, 300.0), speed=st.floats(1500.0, 6000.0))
def test_a_later_track_never_gives_an_earlier_intercept(t1: float, dt: float, speed: float
                                                        ) -> None:  # fmt: skip
    """Issue 3 'must show' (property): a later fire-control track never gives an earlier
    intercept, nor a longer window, nor more shots."""
    table = StraightLine(speed)
    a = engagement_windows(SITES, table, THREATS, fire_time_s=t1)
    b = engagement_windows(SITES, table, THREATS, fire_time_s=t1 + dt)
    assert np.all(b.possible <= a.possible)
    both = a.possible & b.possible
    assert np.all(b.earliest_intercept_s[both] >= a.earliest_intercept_s[both])
    assert np.all(b.latest_intercept_s[both] <= a.latest_intercept_s[both])
    assert np.all(b.n_shoot_look_shoot <= a.n_shoot_look_shoot)


def test_faster_interceptor_never_loses_an_engagement() -> None:
    slow = engagement_windows(SITES, StraightLine(2000.0), THREATS, 100.0)
    fast = engagement_windows(SITES, StraightLine(5000.0), THREATS, 100.0)
    assert np.all(fast.possible >= slow.possible)
    both = fast.possible & slow.possible
    assert np.all(fast.earliest_intercept_s[both] <= slow.earliest_intercept_s[both])


def test_launch_time_is_intercept_minus_fly_out() -> None:
    table = StraightLine(3000.0)
    w = engagement_windows(SITES, table, THREATS, 30.0)
    from bmdsim.physics.earth import surface_distance_m

    r = w.earliest_intercept_r_ecef_m[0, 0]
    g = surface_distance_m(SITES[0], r, EARTH)
    alt = np.linalg.norm(r) - EARTH.a_m
    tau = table.time_to_reach(g, alt)
    assert w.earliest_launch_s[0, 0] == pytest.approx(w.earliest_intercept_s[0, 0] - tau, abs=1e-6)
