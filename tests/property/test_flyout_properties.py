"""Hypothesis properties of the batch flyout that hold for any reasonable inputs."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bmdsim.models.missiles import get_missile
from bmdsim.physics import _integrator as k
from bmdsim.physics.earth import EarthModel
from bmdsim.physics.flyout import FlyoutSettings, fly_free, fly_missiles, vehicle_arrays

VACUUM = FlyoutSettings(earth=EarthModel.sphere(rotation=False), drag=False, sample_dt_s=None)
FULL = FlyoutSettings(sample_dt_s=None)
lat = st.floats(-80.0, 80.0)
lon = st.floats(-180.0, 180.0)
az = st.floats(0.0, 360.0)


@settings(max_examples=40, deadline=None)
@given(v=st.floats(1000.0, 7000.0), dv=st.floats(20.0, 500.0), gamma=st.floats(10.0, 70.0))
def test_range_grows_with_burnout_speed(v: float, dv: float, gamma: float) -> None:
    tr = fly_free(0.0, 0.0, 0.0, [v, v + dv], math.radians(gamma), 0.0, settings=VACUUM)
    assert tr.range_m[1] > tr.range_m[0]


@settings(max_examples=40, deadline=None)
@given(la=lat, lo=lon, a=az, v=st.floats(1500.0, 7200.0), gamma=st.floats(5.0, 80.0),
       h=st.floats(0.0, 300e3), beta=st.floats(500.0, 50000.0))  # fmt: skip
# found by hypothesis: launched 10 um above the impact level, a whole short flight inside the
# first (200 s) vacuum step; the event search once stopped at the start, where |g| is tiny
@example(la=0.0, lo=0.0, a=0.0, v=1500.0, gamma=5.0, h=1e-5, beta=500.0)
def test_drag_never_adds_range_and_events_are_ordered(
    la: float, lo: float, a: float, v: float, gamma: float, h: float, beta: float
) -> None:
    args = (math.radians(la), math.radians(lo), h, v, math.radians(gamma), math.radians(a))
    vac = fly_free(*args, settings=FULL.with_(drag=False))
    dragged = fly_free(*args, beta_kg_m2=beta, settings=FULL)
    assert np.all(vac.ok) and np.all(dragged.ok)
    assert dragged.range_m[0] <= vac.range_m[0] + 1.0
    t = dragged.event_t_s[0]
    assert t[k.EV_BURNOUT] <= t[k.EV_APOGEE] < t[k.EV_IMPACT]
    if np.isfinite(t[k.EV_REENTRY]):
        assert t[k.EV_APOGEE] < t[k.EV_REENTRY] < t[k.EV_IMPACT]
    assert dragged.apogee_altitude_m[0] >= h - 1e-6


@settings(max_examples=40, deadline=None)
@given(la=lat, lo=lon, a=az, v=st.floats(1500.0, 7200.0), gamma=st.floats(5.0, 80.0),
       h=st.floats(0.0, 300e3), level=st.floats(-500.0, 3000.0), drag=st.booleans())  # fmt: skip
@example(la=0.0, lo=0.0, a=0.0, v=1500.0, gamma=5.0, h=0.0, level=0.0, drag=False)
# found by hypothesis: launched on the impact level (7.6e-10 m above it, within the rounding of
# a height), the whole flight in one step; the search took the step's start as the impact
@example(la=0.0, lo=35.0, a=0.0, v=1500.0, gamma=5.0, h=0.0, level=34.765371858199956,
         drag=False)  # fmt: skip
def test_events_are_exact_roots(
    la: float, lo: float, a: float, v: float, gamma: float, h: float, level: float, drag: bool
) -> None:
    """Whatever the flight, the located events are roots of their functions to the stated
    tolerances (docs/model/flyout.md sect. 4): impact at the impact level and reentry at
    100 km to 1 mm of geodetic height (checked with the exact conversion), apogee at
    |dh/dt| < 1e-5 m/s (10 % allowed for the angle's own rounding), and each a downward
    crossing."""
    from bmdsim.physics.earth import ecef_to_geodetic
    from bmdsim.physics.trajectory import flight_path_angle_rad

    h0 = max(h, level)  # start at or above the impact level
    tr = fly_free(math.radians(la), math.radians(lo), h0, v, math.radians(gamma),
                  math.radians(a), beta_kg_m2=5000.0, impact_altitude_m=level,
                  settings=FULL.with_(drag=drag))  # fmt: skip
    assert np.all(tr.ok)
    r, vel = tr.event_r_ecef_m[0], tr.event_v_ecef_m_s[0]
    _, _, alt = ecef_to_geodetic(r, tr.earth)
    gamma_ev = flight_path_angle_rad(r, vel, tr.earth)
    assert abs(alt[k.EV_IMPACT] - level) < 1e-3
    assert gamma_ev[k.EV_IMPACT] < 0.0
    if np.isfinite(tr.event_t_s[0, k.EV_REENTRY]):
        assert abs(alt[k.EV_REENTRY] - 100e3) < 1e-3
        assert gamma_ev[k.EV_REENTRY] < 0.0
    if np.isfinite(tr.event_t_s[0, k.EV_APOGEE]):  # dh/dt = |v| sin(gamma) below 1e-5 m/s
        speed = float(np.linalg.norm(vel[k.EV_APOGEE]))
        assert abs(speed * math.sin(gamma_ev[k.EV_APOGEE])) < 1.1e-5


@settings(max_examples=15, deadline=None)
@given(la=lat, lo=lon, a=az, loft=st.floats(2.0, 40.0), frac=st.floats(0.3, 0.95))
def test_earlier_thrust_cutoff_never_flies_farther(
    la: float, lo: float, a: float, loft: float, frac: float
) -> None:
    """Sejjil-2 at a fixed loft: cutting thrust earlier never increases the range."""
    m = get_missile("sejjil-2")
    veh = vehicle_arrays(m)
    full = m.boost_time_s
    tr = fly_missiles(
        veh,
        math.radians(la),
        math.radians(lo),
        math.radians(a),
        math.radians(loft),
        cutoff_s=[frac * full, math.inf],
        settings=FULL,
    )
    assert np.all(tr.ok)
    assert tr.range_m[0] < tr.range_m[1]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 12))
def test_a_trajectory_does_not_depend_on_its_batch(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    veh = vehicle_arrays(get_missile("topol-m")).take(np.zeros(n, dtype=np.int64))
    la, lo = rng.uniform(-1.2, 1.2, n), rng.uniform(-3.1, 3.1, n)
    a, loft = rng.uniform(0, 2 * np.pi, n), rng.uniform(0.02, 0.4, n)
    batch = fly_missiles(veh, la, lo, a, loft, settings=FULL)
    i = int(rng.integers(n))
    one = fly_missiles(veh.take([i]), la[i], lo[i], a[i], loft[i], settings=FULL)
    np.testing.assert_array_equal(one.event_t_s[0], batch.event_t_s[i])
    np.testing.assert_array_equal(one.event_r_ecef_m[0], batch.event_r_ecef_m[i])


@settings(max_examples=300, deadline=None)
@given(x=st.floats(1e-10, 1e300), y=st.floats(-2.0, 2.0))
def test_step_controller_log_and_exp_track_libm(x: float, y: float) -> None:
    """The step controller's own ln and exp (decision 0023) stay close to libm's: ln x within
    2e-14 + 4e-16 |ln x| (the series' tail, and a rounding of k ln 2 for large exponents), e^y
    within 1e-14 relative."""
    ln = math.log(x)
    assert abs(k._ctl_log(x) - ln) <= 2e-14 + 4e-16 * abs(ln)
    assert abs(k._ctl_exp(y) - math.exp(y)) <= 1e-14 * math.exp(y)
