"""Engagement windows on a stand-in fly-out table with a closed form (straight-line fly-out at
constant average speed, altitude band, maximum fly-out time), so that every number can be
checked by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike, NDArray

from bmdsim.engagement.flyout_table import (
    FlyoutTable,
    FlyoutTableSettings,
    InterceptorKinematics,
    build_flyout_table,
)
from bmdsim.engagement.windows import (
    EngagementWindow,
    engagement_windows,
    ground_range_m,
    site_ecef,
)
from bmdsim.physics.earth import (
    EarthModel,
    ecef_to_geodetic,
    geodesic_distance_scalar,
    geodetic_to_ecef,
    surface_distance_m,
)
from bmdsim.physics.flyout import FlyoutSettings, fly_free
from bmdsim.physics.trajectory import Trajectories


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


# ------------------------------------------------------- the kernel against the numpy path
#
# engagement_windows sends a FlyoutTable to a numba kernel and any other TimeToReach to numpy
# arrays; on a FlyoutTable the two must give the same numbers, bit for bit (tolerance 0: both
# take the ground range from the same Vincenty kernel and tau from the same scalar rule, and
# the kernel's shortcuts only skip samples that cannot be feasible).

KIN = InterceptorKinematics(3000.0, 20.0, 70e3, 500e3, 400.0)
KIN_WGS = InterceptorKinematics(4500.0, 40.0, 70e3, 1000e3, 600.0)
WGS84_ROT = EarthModel.wgs84()
ST_WGS = FlyoutSettings(earth=WGS84_ROT, sample_dt_s=2.0)


class Forward:
    """A TimeToReach that is not a FlyoutTable: sends engagement_windows down the numpy path
    with the table's own `time_to_reach`."""

    def __init__(self, table: FlyoutTable) -> None:
        self.table = table

    def time_to_reach(self, ground_range_m: ArrayLike, alt_m: ArrayLike) -> NDArray[np.float64]:
        return self.table.time_to_reach(ground_range_m, alt_m)


def assert_same_windows(a: EngagementWindow, b: EngagementWindow) -> None:
    for f in dataclasses.fields(EngagementWindow):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.dtype == y.dtype and x.shape == y.shape, f.name
        assert np.array_equal(x, y, equal_nan=True), f.name


def both_paths(sites: np.ndarray, table: FlyoutTable, traj: Trajectories, fire: ArrayLike,
               **kw: float) -> EngagementWindow:  # fmt: skip
    fast = engagement_windows(sites, table, traj, fire, **kw)  # type: ignore[arg-type]
    assert_same_windows(fast, engagement_windows(sites, Forward(table), traj, fire, **kw))  # type: ignore[arg-type]
    return fast


@pytest.fixture(scope="module")
def sphere_table() -> FlyoutTable:
    return build_flyout_table(KIN, earth_model="sphere", rotation=False, n_elevations=45,
                              n_range=121, n_alt=61)  # fmt: skip


@pytest.fixture(scope="module")
def wgs_table() -> FlyoutTable:
    return build_flyout_table(
        KIN_WGS,
        n_elevations=45,
        n_range=161,
        n_alt=81,
        site_lat_rad=math.radians(40.0),
        azimuth_rad=math.radians(120.0),
    )


@pytest.fixture(scope="module")
def wgs_threats() -> Trajectories:
    """Twelve free flights over the Middle East toward the north-west (WGS84, rotating, 2 s
    samples), some lofted, some depressed."""
    rng = np.random.default_rng(5)
    n = 12
    return fly_free(np.radians(rng.uniform(32.0, 36.0, n)), np.radians(rng.uniform(48.0, 54.0, n)),
                    90e3, rng.uniform(3000.0, 5000.0, n), np.radians(rng.uniform(15.0, 60.0, n)),
                    np.radians(rng.uniform(290.0, 330.0, n)), settings=ST_WGS)  # fmt: skip


# sites from next to the threats to out of reach (lat, lon deg)
WGS_SITES_DEG = [
    (40.0, 42.0),
    (38.0, 44.0),
    (44.0, 24.4),
    (35.0, 33.0),
    (55.0, -30.0),
    (33.0, 50.0),
]


def _wgs_sites(traj: Trajectories) -> np.ndarray:
    lat, lon = np.radians(np.array(WGS_SITES_DEG).T)
    return site_ecef(lat, lon, 50.0, traj)


def test_kernel_equals_numpy_on_the_sphere(sphere_table: FlyoutTable) -> None:
    w = both_paths(SITES, sphere_table, THREATS, 30.0)
    assert w.possible.sum() == 3 and w.n_shoot_look_shoot.max() >= 2


@pytest.mark.parametrize("kill_assessment_s", [0.0, 10.0, 45.0, -5.0])
@pytest.mark.parametrize("max_shots", [0, 1, 8])
def test_kernel_equals_numpy_on_wgs84(
    wgs_table: FlyoutTable, wgs_threats: Trajectories, kill_assessment_s: float, max_shots: int
) -> None:
    sites = _wgs_sites(wgs_threats)
    rng = np.random.default_rng(6)
    fire = rng.uniform(30.0, 300.0, (len(WGS_SITES_DEG), wgs_threats.size))
    fire[0, :3] = np.inf, np.nan, -np.inf  # never, unknown, always
    w = both_paths(
        sites,
        wgs_table,
        wgs_threats,
        fire,
        launch_delay_s=7.5,
        kill_assessment_s=kill_assessment_s,
        max_shots=max_shots,
    )
    assert w.possible.any() and not w.possible.all()
    assert not w.possible[0, 0] and not w.possible[0, 1]
    assert not w.possible[4].any()  # 55 N 30 W: never in reach
    if max_shots == 8 and kill_assessment_s == 10.0:
        assert (w.n_shoot_look_shoot > 2).any()


def test_kernel_equals_numpy_with_nan_samples(wgs_table: FlyoutTable,
                                              wgs_threats: Trajectories) -> None:  # fmt: skip
    """NaN positions inside the flown samples (a damaged record) and NaN times."""
    r = wgs_threats.r_ecef_m.copy()
    t = wgs_threats.t_s.copy()
    r[:, 40:60:3] = np.nan
    r[2, :, 1] = np.nan
    t[3, 100:110] = np.nan
    traj = dataclasses.replace(wgs_threats, r_ecef_m=r, t_s=t)
    w = both_paths(_wgs_sites(traj), wgs_table, traj, 100.0)
    assert not w.possible[:, 2].any() and w.possible.any()


def test_kernel_equals_numpy_on_a_handmade_table_with_holes(wgs_threats: Trajectories) -> None:
    """Non-uniform grids, unreachable nodes inside the reach (blocked cells) and a fly-out
    time limit that cuts the table."""
    xg = np.concatenate([[0.0], np.geomspace(5e3, 3000e3, 60)])
    yg = np.concatenate([[60e3], np.geomspace(70e3, 600e3, 40)])
    field = 20.0 + xg[:, None] / 3000.0 + yg[None, :] / 2500.0
    field[30:33, 10:12] = np.inf
    field[45, :] = np.inf
    table = FlyoutTable(KIN_WGS, FlyoutTableSettings(), "hand", xg, yg, field, np.zeros_like(field),
                        2900e3, 550e3)  # fmt: skip
    fire = np.linspace(50.0, 300.0, wgs_threats.size)
    w = both_paths(_wgs_sites(wgs_threats), table, wgs_threats, fire, kill_assessment_s=20.0)
    assert w.possible.any()


@settings(max_examples=25, deadline=None)
@given(
    fire=st.lists(st.floats(-100.0, 800.0) | st.just(math.inf), min_size=12, max_size=12),
    delay=st.floats(0.0, 60.0),
    assessment=st.floats(0.0, 120.0),
    shots=st.integers(0, 9),
)
def test_kernel_equals_numpy_property(wgs_table: FlyoutTable, wgs_threats: Trajectories,
                                      fire: list[float], delay: float, assessment: float,
                                      shots: int) -> None:  # fmt: skip
    both_paths(
        _wgs_sites(wgs_threats),
        wgs_table,
        wgs_threats,
        np.array(fire)[None, :],
        launch_delay_s=delay,
        kill_assessment_s=assessment,
        max_shots=shots,
    )


def _handmade_threat(lat_deg: np.ndarray, lon_deg: np.ndarray, alt_m: float, t0_s: float,
                     earth: EarthModel) -> Trajectories:  # fmt: skip
    """One 'threat' along given sub-points at a constant altitude, 1 s apart (no physics)."""
    n_t = lat_deg.size
    r = geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), alt_m, earth)[None]
    t = (t0_s + np.arange(n_t, dtype=float))[None]
    ev_t = np.full((1, 4), np.nan)
    ev_t[0, 3] = t[0, -1]
    return Trajectories(
        status=np.zeros(1, dtype=np.int64), t_s=t, r_ecef_m=r, v_ecef_m_s=np.zeros_like(r),
        n_samples=np.array([n_t]), event_t_s=ev_t, event_r_ecef_m=np.zeros((1, 4, 3)),
        event_v_ecef_m_s=np.zeros((1, 4, 3)), stage_burnout_t_s=np.zeros((1, 0)),
        launch_r_ecef_m=r[:, 0], earth=earth, n_steps=np.zeros(1, dtype=np.int64),
    )  # fmt: skip


def test_kernel_falls_back_to_karney_near_the_antipode(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table that reaches half-way round the Earth and a threat that passes over the site's
    antipode, where Vincenty's iteration fails: the kernel redoes the pairs with Karney's
    geodesic (`ground_range_m`, called once) and still agrees with the numpy path."""
    earth = EarthModel.wgs84()
    lon = np.linspace(179.7, 180.3, 201)
    traj = _handmade_threat(0.01 * np.sin(np.radians(3000.0 * lon)), lon, 300e3, 0.0, earth)
    sites = site_ecef(np.radians([0.0, 0.001]), np.radians([0.0, 0.002]), 0.0, traj)
    lat, lon_r, _ = ecef_to_geodetic(traj.r_ecef_m[0], earth)
    fails = [not geodesic_distance_scalar(0.0, 0.0, a, b, earth.a_m, earth.f)[1]
             for a, b in zip(lat, lon_r, strict=True)]  # fmt: skip
    assert all(fails)  # every sample needs Karney's geodesic
    kin = InterceptorKinematics(7000.0, 60.0, 70e3, 1200e3, 5000.0)
    xg, yg = np.linspace(0.0, 20100e3, 202), np.linspace(70e3, 1200e3, 12)
    field = 10.0 + xg[:, None] / 1e6 + yg[None, :] / 1e6  # (a fictitious, very fast interceptor)
    table = FlyoutTable(kin, FlyoutTableSettings(), "hand", xg, yg, field, np.zeros_like(field),
                        20100e3, 1200e3)  # fmt: skip
    g = ground_range_m(sites, traj)
    np.testing.assert_allclose(g[0, 0], surface_distance_m(sites[0], traj.r_ecef_m[0], earth),
                               rtol=0.0, atol=1e-3)  # fmt: skip
    calls = []

    def counted(*args: object) -> NDArray[np.float64]:
        calls.append(1)
        return ground_range_m(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("bmdsim.engagement.windows.ground_range_m", counted)
    fast = engagement_windows(sites, table, traj, 0.0, kill_assessment_s=20.0)
    assert len(calls) == 1
    assert_same_windows(fast, engagement_windows(sites, Forward(table), traj, 0.0,
                                                 kill_assessment_s=20.0))  # fmt: skip
    assert fast.possible.all() and np.all(fast.n_shoot_look_shoot >= 3)


def test_ground_range_matches_the_surface_distance(wgs_threats: Trajectories) -> None:
    """`ground_range_m` (Vincenty kernel, sub-points once per sample) against pyproj's
    Karney geodesic between the same sub-points (`surface_distance_m`): within 1 mm
    (Vincenty 1975, tests/unit/test_earth.py); NaN where the sample is NaN."""
    sites = _wgs_sites(wgs_threats)
    g = ground_range_m(sites, wgs_threats)
    assert g.shape == (len(WGS_SITES_DEG), *wgs_threats.t_s.shape)
    for s in range(len(WGS_SITES_DEG)):
        ref = surface_distance_m(sites[s], wgs_threats.r_ecef_m, wgs_threats.earth)
        np.testing.assert_array_equal(np.isnan(g[s]), np.isnan(ref))
        np.testing.assert_allclose(g[s], ref, rtol=0.0, atol=1e-3)
    assert np.isnan(g).any()  # NaN padding after impact
    assert ground_range_m(sites[0], wgs_threats).shape == (1, *wgs_threats.t_s.shape)
