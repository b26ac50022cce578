"""The integrator in the oracle mode (vacuum, non-rotating sphere, free flight from burnout)
against the closed-form two-body solution of `bmdsim.physics.kepler` (Bate, Mueller & White
ch. 6; Battin 1999 ch. 6-7).

Issue 2 'must show': the minimum-energy relation 3.02 km/s -> ~1,000 km, 4.86 km/s ->
~3,000 km, 7.20 km/s -> ~10,000 km at burnout altitude 0 (the round numbers of S. Fetter, 'A
Ballistic Missile Primer', and Wright & Kadyshev 1994) within 0.1 % in range and in the
optimal angle and 0.5 % in apogee and time of flight of the closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bmdsim.physics import kepler
from bmdsim.physics.aiming import max_range_free_flight
from bmdsim.physics.constants import SPHERE_RADIUS_M
from bmdsim.physics.earth import EarthModel
from bmdsim.physics.flyout import FlyoutSettings, fly_free

EARTH = EarthModel.sphere(rotation=False)
ORACLE = FlyoutSettings(earth=EARTH, drag=False, sample_dt_s=None, rtol=1e-12, atol_m=1e-6,
                        atol_m_s=1e-9, max_step_s=60.0)  # fmt: skip
R = SPHERE_RADIUS_M


@pytest.mark.parametrize(
    ("speed_km_s", "published_km"),
    [(3.02, 1000.0), (4.86, 3000.0), (7.20, 10000.0)],
)
def test_minimum_energy_relation(speed_km_s: float, published_km: float) -> None:
    v = speed_km_s * 1e3
    rng_m, gamma = max_range_free_flight(0.0, 0.0, 0.0, v, 0.0, settings=ORACLE)
    exact = kepler.max_range_angle(v, R, R, mu_m3_s2=EARTH.mu_m3_s2)
    exact_range = exact.range_angle_rad * R
    # 0.1 % in range and in the optimal angle (issue 2)
    assert rng_m[0] == pytest.approx(exact_range, rel=1e-3)
    assert gamma[0] == pytest.approx(exact.flight_path_angle_rad, rel=1e-3)
    # the round published numbers, to the ~0.3 % they are rounded to
    assert rng_m[0] / 1e3 == pytest.approx(published_km, rel=5e-3)
    # apogee and time of flight of the arc flown at that angle: 0.5 % (issue 2)
    arc = kepler.free_flight(v, gamma[0], R, R, mu_m3_s2=EARTH.mu_m3_s2)
    tr = fly_free(0.0, 0.0, 0.0, v, gamma, 0.0, settings=ORACLE)
    assert tr.apogee_altitude_m[0] == pytest.approx(arc.apogee_altitude_m, rel=5e-3)
    assert tr.time_of_flight_s[0] == pytest.approx(arc.time_of_flight_s, rel=5e-3)


@settings(max_examples=30, deadline=None)
@given(
    speed=st.floats(1500.0, 7600.0),
    gamma_deg=st.floats(5.0, 80.0),
    alt_km=st.floats(0.0, 400.0),
)
@example(speed=7594.0, gamma_deg=5.0, alt_km=388.0)  # flies past the antipode
def test_free_flight_matches_kepler_arc(speed: float, gamma_deg: float, alt_km: float) -> None:
    """Any vacuum arc from burnout at altitude h to the surface: range, time of flight and
    apogee agree with the closed form to 1e-6 relative (1e-3 m absolute floor). `range_m` is
    the surface (geodesic) distance launch -> impact, so an arc that sweeps past the antipode
    (more than pi R) is compared as 2 pi R minus the arc."""
    g = math.radians(gamma_deg)
    h = alt_km * 1e3
    arc = kepler.free_flight(speed, g, R + h, R, mu_m3_s2=EARTH.mu_m3_s2)
    if not np.isfinite(arc.range_m):
        return
    tr = fly_free(0.3, -0.2, h, speed, g, 1.1, settings=ORACLE)
    swept = float(arc.range_m)
    surface = min(swept, 2 * math.pi * R - swept)
    assert tr.range_m[0] == pytest.approx(surface, rel=1e-6, abs=1e-3)
    assert tr.time_of_flight_s[0] == pytest.approx(float(arc.time_of_flight_s), rel=1e-6)
    assert tr.apogee_altitude_m[0] == pytest.approx(float(arc.apogee_altitude_m), rel=1e-6,
                                                    abs=1e-3)  # fmt: skip


def test_default_tolerances_hit_the_closed_form_within_10_m() -> None:
    """The default (fast) tolerances still land within 10 m of the exact impact point."""
    st_default = FlyoutSettings(earth=EARTH, drag=False, sample_dt_s=None)
    v = np.array([3020.0, 4860.0, 7200.0])
    mr = kepler.max_range_angle(v, R, R, mu_m3_s2=EARTH.mu_m3_s2)
    tr = fly_free(0.0, 0.0, 0.0, v, mr.flight_path_angle_rad, 0.0, settings=st_default)
    np.testing.assert_allclose(tr.range_m, mr.range_angle_rad * R, atol=10.0)
