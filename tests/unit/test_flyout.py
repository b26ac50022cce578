"""Unit tests of the batch flyout: conservation laws, events, rotation, batches, sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bmdsim.physics import _integrator as k
from bmdsim.physics.earth import EarthModel, ecef_to_geodetic
from bmdsim.physics.flyout import FlyoutSettings, fly_free, fly_missiles, vehicle_arrays
from bmdsim.physics.trajectory import flight_path_angle_rad

SPHERE_FIXED = EarthModel.sphere(rotation=False)
TIGHT = dict(rtol=1e-12, atol_m=1e-6, atol_m_s=1e-9, max_step_s=60.0)


def test_energy_and_angular_momentum_conserved_in_vacuum() -> None:
    """Point-mass vacuum flight over a non-rotating sphere: the specific energy
    v^2/2 - mu/r and the angular momentum r x v are constants of motion; the stored samples
    (quintic/cubic Hermite-free: the integrator's own states at the sample times) keep them to
    1e-8 relative (issue 2 'must show')."""
    st = FlyoutSettings(earth=SPHERE_FIXED, drag=False, sample_dt_s=5.0, **TIGHT)
    tr = fly_free(np.radians([10.0, 50.0]), np.radians([20.0, -5.0]), [0.0, 150e3],
                  [3020.0, 7200.0], np.radians([40.0, 22.0]), np.radians([30.0, 300.0]),
                  settings=st)  # fmt: skip
    assert np.all(tr.ok)
    mu = SPHERE_FIXED.mu_m3_s2
    for i in range(tr.size):
        _, r, v = tr.samples(i)
        energy = 0.5 * np.sum(v * v, axis=1) - mu / np.linalg.norm(r, axis=1)
        h = np.cross(r, v)
        assert np.max(np.abs(energy / energy[0] - 1.0)) < 1e-8
        assert np.max(np.linalg.norm(h - h[0], axis=1)) / np.linalg.norm(h[0]) < 1e-8


def test_events_are_roots_not_time_steps() -> None:
    """Apogee: dh/dt = 0; reentry: h = 100 km going down; impact: h = 0. Found by root
    finding, so the altitude at the events is exact to well under a metre."""
    st = FlyoutSettings(earth=EarthModel.wgs84(), drag=False, sample_dt_s=None)
    tr = fly_free(np.radians(45.0), np.radians(30.0), 0.0, 6000.0, np.radians(35.0), 1.0,
                  settings=st)  # fmt: skip
    _, _, h = ecef_to_geodetic(tr.event_r_ecef_m[0], tr.earth)
    assert abs(h[k.EV_REENTRY] - 100e3) < 1e-3
    assert abs(h[k.EV_IMPACT]) < 1e-3
    gamma = flight_path_angle_rad(tr.event_r_ecef_m[0], tr.event_v_ecef_m_s[0], tr.earth)
    assert abs(gamma[k.EV_APOGEE]) < 1e-8
    assert tr.event_t_s[0, k.EV_APOGEE] < tr.event_t_s[0, k.EV_REENTRY] < tr.impact_time_s[0]


def test_impact_at_a_given_altitude() -> None:
    st = FlyoutSettings(earth=EarthModel.wgs84(), drag=False, sample_dt_s=None)
    tr = fly_free(0.3, 0.2, 0.0, 4000.0, 0.7, 0.4, impact_altitude_m=2500.0, settings=st)
    assert abs(tr.apogee_altitude_m[0]) > 0
    assert abs(ecef_to_geodetic(tr.event_r_ecef_m[0, k.EV_IMPACT], tr.earth)[2] - 2500.0) < 1e-3


def eotvos_coriolis_estimate_m(v: float, gamma: float, omega: float, g: float) -> float:
    """First-order east-minus-west range difference of a ballistic arc launched at the equator
    with Earth-relative speed v at angle gamma (flat Earth, uniform gravity g).

    Flying east at horizontal speed v_h, the Coriolis force has an upward component
    2 omega v_h (Eotvos effect): gravity is effectively g - 2 omega v_h, the time of flight and
    so the range R grow by dR1 = R * 2 omega v_h / g. The vertical velocity v_z - g t gives an
    east-west Coriolis acceleration -2 omega (v_z - g t); integrated twice over the flight time
    T = 2 v_z / g it displaces the impact westward by dR2 = omega T^2 v_z / 3. Flying west both
    change sign, so east - west = 2 (dR1 - dR2)."""
    vh, vz = v * math.cos(gamma), v * math.sin(gamma)
    t = 2 * vz / g
    r = vh * t
    return 2 * (r * 2 * omega * vh / g - omega * t * t * vz / 3)


def test_rotation_east_goes_farther_than_west_by_the_first_order_estimate() -> None:
    earth = EarthModel.sphere(rotation=True)
    st = FlyoutSettings(earth=earth, drag=False, sample_dt_s=None, **TIGHT)
    v, gamma = 1000.0, math.radians(45.0)
    tr = fly_free(0.0, 0.0, 0.0, v, gamma, np.radians([90.0, 270.0]), settings=st)
    diff = tr.range_m[0] - tr.range_m[1]
    g = earth.mu_m3_s2 / earth.a_m**2
    est = eotvos_coriolis_estimate_m(v, gamma, earth.omega_rad_s, g)
    assert diff > 0
    # curvature and centrifugal terms are second order at ~100 km range: 5 % agreement
    assert diff == pytest.approx(est, rel=0.05), (diff, est)


def test_no_rotation_switch_makes_east_and_west_equal() -> None:
    st = FlyoutSettings(earth=SPHERE_FIXED, drag=False, sample_dt_s=None, **TIGHT)
    tr = fly_free(0.0, 0.0, 0.0, 3000.0, 0.7, np.radians([90.0, 270.0]), settings=st)
    assert tr.range_m[0] == pytest.approx(tr.range_m[1], rel=1e-9)


def test_batch_equals_single_trajectories(minuteman: object) -> None:
    """The single-trajectory path is the batch path with N = 1: same numbers."""
    veh = vehicle_arrays(minuteman)  # type: ignore[arg-type]
    lats, lons = np.radians([40.0, 55.0, -10.0]), np.radians([-100.0, 37.0, 150.0])
    azs, lofts = np.radians([10.0, 320.0, 90.0]), np.radians([8.0, 12.0, 20.0])
    st = FlyoutSettings(sample_dt_s=None)
    batch = fly_missiles(veh, lats, lons, azs, lofts, settings=st)
    for i in range(3):
        one = fly_missiles(veh, lats[i], lons[i], azs[i], lofts[i], settings=st)
        np.testing.assert_array_equal(one.event_r_ecef_m[0], batch.event_r_ecef_m[i])


def test_interpolation_matches_the_integrator(minuteman: object) -> None:
    """`at(t)` (cubic Hermite on 1 s samples) agrees with the states the integrator lands on
    at the events within 1 m and 1 mm/s... checked at the apogee and the reentry."""
    veh = vehicle_arrays(minuteman)  # type: ignore[arg-type]
    tr = fly_missiles(veh, 0.7, 0.5, 1.0, np.radians(10.0))
    for ev in (k.EV_APOGEE, k.EV_REENTRY):
        r, v = tr.at(tr.event_t_s[:, ev])
        assert np.linalg.norm(r - tr.event_r_ecef_m[:, ev]) < 1.0
        assert np.linalg.norm(v - tr.event_v_ecef_m_s[:, ev]) < 1e-2
    r, _ = tr.at(np.array([tr.impact_time_s[0] + 10.0]))
    assert np.all(np.isnan(r))


def test_staging_and_burnout(minuteman: object) -> None:
    """Stage burnouts at the catalog burn times (full burn); thrust cut-off ends the boost."""
    from bmdsim.models.missiles import Missile

    m: Missile = minuteman  # type: ignore[assignment]
    veh = vehicle_arrays(m)
    tr = fly_missiles(veh, 0.7, 0.5, 1.0, np.radians(10.0), settings=FlyoutSettings())
    burns = np.array([s.burn_time_s.value for s in m.stages])
    coasts = np.array([s.coast_after_s.value if s.coast_after_s else 0.0 for s in m.stages])
    expected = np.cumsum(burns) + np.r_[0.0, np.cumsum(coasts)[:-1]]
    np.testing.assert_allclose(tr.stage_burnout_t_s[0, : len(m.stages)], expected, atol=1e-9)
    assert tr.burnout_time_s[0] == pytest.approx(expected[-1], abs=1e-9)
    cut = fly_missiles(veh, 0.7, 0.5, 1.0, np.radians(10.0), cutoff_s=30.0)
    assert cut.burnout_time_s[0] == pytest.approx(30.0, abs=1e-9)
    assert cut.range_m[0] < tr.range_m[0]


def test_thrust_below_weight_is_reported_per_element(minuteman: object) -> None:
    """A vehicle that cannot lift off gets status crash-in-boost; the rest of the batch flies."""
    veh = vehicle_arrays(minuteman)  # type: ignore[arg-type]
    heavy = veh.take([0, 0])
    m_ign = heavy.m_ign_kg.copy()
    m_ign[1] *= 5.0
    heavy = type(heavy)(
        heavy.n_stages,
        m_ign,
        heavy.mdot_kg_s,
        heavy.ve_m_s,
        heavy.burn_s,
        heavy.coast_s,
        heavy.cda_m2,
        heavy.inv_beta_m2_kg,
        heavy.vertical_rise_s,
    )
    tr = fly_missiles(heavy, 0.7, 0.5, 1.0, np.radians(10.0), settings=FlyoutSettings(
        sample_dt_s=None))  # fmt: skip
    assert tr.status_names() == ["ok", "crash-in-boost"]


def test_escape_is_no_impact() -> None:
    st = FlyoutSettings(earth=SPHERE_FIXED, drag=False, sample_dt_s=None, t_max_s=3000.0)
    tr = fly_free(0.0, 0.0, 200e3, 11500.0, 0.5, 0.0, settings=st)
    assert tr.status_names() == ["no-impact"]
    assert np.isnan(tr.impact_time_s[0])
