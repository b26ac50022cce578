"""Unit tests of bmdsim.physics.kepler (vacuum two-body ballistic arcs)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from bmdsim.physics import kepler as K
from bmdsim.physics.constants import SPHERE_RADIUS_M, WGS84_GM_M3_S2

R = SPHERE_RADIUS_M
MU = WGS84_GM_M3_S2
D2R = math.pi / 180.0


# ------------------------------------------------------------------ published relation

# Minimum-energy (maximum-range) burnout speed vs range, burnout at zero altitude, R = 6371 km,
# no rotation, no atmosphere: the round numbers tabulated in the open literature (D. Wright and
# T. Kadyshev, Science & Global Security 4 (1994); S. Fetter's missile primer tables). Measured
# with WGS84 GM: 3.02 km/s -> 1002.784 km (gamma* 42.745 deg), 4.86 km/s -> 2992.266 km
# (38.272 deg), 7.20 km/s -> 10011.577 km (22.491 deg).
PUBLISHED_MIN_ENERGY = [(3020.0, 1.0e6), (4860.0, 3.0e6), (7200.0, 1.0e7)]


@pytest.mark.parametrize(("v_m_s", "range_m"), PUBLISHED_MIN_ENERGY)
def test_published_minimum_energy_ranges(v_m_s: float, range_m: float) -> None:
    best = K.max_range_angle(v_m_s, R)
    arc = K.free_flight(v_m_s, best.flight_path_angle_rad, R, R)
    assert arc.range_m == arc.range_angle_rad * R
    assert arc.range_angle_rad == pytest.approx(best.range_angle_rad, rel=1e-12)
    assert arc.range_m == pytest.approx(range_m, rel=0.02)
    # and the other way round: the speed needed for the round-number range
    need = K.min_energy(range_m / R, R)
    assert need.speed_m_s == pytest.approx(v_m_s, rel=0.02)


def test_equal_radii_closed_forms() -> None:
    psi = np.linspace(0.0, math.pi, 181)
    sol = K.min_energy(psi, R)
    s = np.sin(psi / 2)
    np.testing.assert_allclose(sol.speed_m_s**2, MU / R * 2 * s / (1 + s), rtol=1e-14)
    np.testing.assert_allclose(sol.flight_path_angle_rad, (np.pi - psi) / 4, rtol=0, atol=1e-15)
    nu = np.linspace(0.0, 1.0, 101)
    best = K.max_range_angle(np.sqrt(nu * MU / R), R)
    np.testing.assert_allclose(np.sin(best.range_angle_rad / 2), nu / (2 - nu), atol=1e-14)
    np.testing.assert_allclose(
        best.flight_path_angle_rad, (np.pi - best.range_angle_rad) / 4, atol=1e-15
    )


def test_general_formula_reduces_to_equal_radii() -> None:
    psi = np.linspace(0.05, 3.1, 50)
    eq = K.min_energy(psi, R)
    near = K.min_energy(psi, R, R * (1 + 1e-12))
    np.testing.assert_allclose(near.speed_m_s, eq.speed_m_s, rtol=1e-9)
    np.testing.assert_allclose(near.flight_path_angle_rad, eq.flight_path_angle_rad, rtol=1e-9)


# ------------------------------------------------------------------ consistency

RADII_PAIRS = [(R, R), (R + 100e3, R), (R + 300e3, R + 100e3), (R, R + 120e3), (R - 5e3, R)]


@pytest.mark.parametrize(("r0", "r1"), RADII_PAIRS)
def test_free_flight_at_min_energy_gives_the_range_asked(r0: float, r1: float) -> None:
    psi = np.linspace(0.005, 3.0, 200)
    sol = K.min_energy(psi, r0, r1)
    arc = K.free_flight(sol.speed_m_s, sol.flight_path_angle_rad, r0, r1)
    np.testing.assert_allclose(arc.range_angle_rad, psi, rtol=1e-9)
    # max_range_angle inverts min_energy
    best = K.max_range_angle(sol.speed_m_s, r0, r1)
    np.testing.assert_allclose(best.range_angle_rad, psi, rtol=1e-9)
    np.testing.assert_allclose(best.flight_path_angle_rad, sol.flight_path_angle_rad, atol=1e-9)


@pytest.mark.parametrize(("r0", "r1"), RADII_PAIRS)
@pytest.mark.parametrize("psi", [0.05, 0.4, 1.0, 2.0])
def test_range_is_maximal_at_gamma_star(r0: float, r1: float, psi: float) -> None:
    sol = K.min_energy(psi, r0, r1)
    dg = np.array([-0.05, -1e-3, -1e-5, 1e-5, 1e-3, 0.05])
    arcs = K.free_flight(sol.speed_m_s, sol.flight_path_angle_rad + dg, r0, r1)
    best = K.free_flight(sol.speed_m_s, sol.flight_path_angle_rad, r0, r1).range_angle_rad
    assert np.all(arcs.range_angle_rad < best)
    # a dense scan finds no better angle
    g = np.linspace(-0.3, 1.5, 3601)
    scan = K.free_flight(sol.speed_m_s, g, r0, r1).range_angle_rad
    assert np.nanmax(scan) <= best * (1 + 1e-12)


def _integrate(v0: float, g0: float, r0: float, r1: float) -> tuple[float, float]:
    """Time of flight and range angle to the descending crossing of r1, by solve_ivp."""

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        r3 = math.hypot(y[0], y[1]) ** 3
        return np.array([y[2], y[3], -MU * y[0] / r3, -MU * y[1] / r3])

    def hit(_t: float, y: np.ndarray) -> float:
        return math.hypot(y[0], y[1]) - r1

    hit.terminal = True  # type: ignore[attr-defined]
    hit.direction = -1.0  # type: ignore[attr-defined]
    y0 = np.array([r0, 0.0, v0 * math.sin(g0), v0 * math.cos(g0)])
    sol = solve_ivp(rhs, (0.0, 1e5), y0, method="DOP853", rtol=1e-12, atol=1e-6, events=hit)
    y = sol.y_events[0][0]
    return float(sol.t_events[0][0]), math.atan2(y[1], y[0]) % (2 * math.pi)


@pytest.mark.parametrize(
    ("v0", "g0_deg", "r0", "r1"),
    [
        (3020.0, 42.7, R, R + 1.0),
        (7200.0, 22.5, R + 200e3, R),
        (6000.0, 30.0, R + 100e3, R + 20e3),
        (5000.0, 60.0, R, R + 300e3),
        (7000.0, -5.0, R + 400e3, R),
        (7600.0, 5.0, R + 150e3, R + 1000.0),
        (2000.0, 85.0, R, R + 1.0),
    ],
)
def test_time_of_flight_vs_numerical_integration(
    v0: float, g0_deg: float, r0: float, r1: float
) -> None:
    arc = K.free_flight(v0, g0_deg * D2R, r0, r1)
    tof, psi = _integrate(v0, g0_deg * D2R, r0, r1)
    assert arc.time_of_flight_s == pytest.approx(tof, rel=1e-6)
    assert arc.range_angle_rad == pytest.approx(psi, rel=1e-6)


def test_energy_and_angular_momentum_identities() -> None:
    rng = np.random.default_rng(7)
    n = 500
    v0 = rng.uniform(1000.0, 7500.0, n)
    g0 = rng.uniform(-0.2, 1.4, n)
    r0 = R + rng.uniform(0.0, 500e3, n)
    r1 = R + rng.uniform(0.0, 100e3, n)
    arc = K.free_flight(v0, g0, r0, r1)
    ok = np.isfinite(arc.range_angle_rad)
    assert ok.sum() > 300
    v0, g0, r0, r1 = v0[ok], g0[ok], r0[ok], r1[ok]
    a, e = arc.semi_major_axis_m[ok], arc.eccentricity[ok]
    v1, g1 = arc.impact_speed_m_s[ok], arc.impact_angle_rad[ok]
    energy = 0.5 * v0**2 - MU / r0
    h = r0 * v0 * np.cos(g0)
    np.testing.assert_allclose(0.5 * v1**2 - MU / r1, energy, rtol=1e-10)  # vis-viva
    np.testing.assert_allclose(r1 * v1 * np.cos(g1), h, rtol=1e-10)  # angular momentum
    np.testing.assert_allclose(a, -MU / (2 * energy), rtol=1e-12)
    np.testing.assert_allclose(e**2, 1 + 2 * energy * h**2 / MU**2, atol=1e-10)
    ascending = g0 >= 0
    r_apo = arc.apogee_radius_m[ok]
    np.testing.assert_allclose(r_apo[ascending], (a * (1 + e))[ascending], rtol=1e-10)
    np.testing.assert_array_equal(r_apo[~ascending], r0[~ascending])
    np.testing.assert_allclose(arc.apogee_altitude_m[ok], r_apo - R, rtol=1e-12)
    np.testing.assert_allclose(arc.range_m[ok], arc.range_angle_rad[ok] * R, rtol=1e-15)
    assert np.all(arc.time_of_flight_s[ok] >= 0)


# ------------------------------------------------------------------ failures and inputs


def test_unreachable_elements_are_nan_individually() -> None:
    v_esc = math.sqrt(2 * MU / R)
    v_circ = math.sqrt(MU / R)
    cases = [
        (v_esc * 1.01, 0.5, R, R),  # hyperbolic
        (v_esc * (1 + 1e-9), 0.5, R, R),  # just unbound
        (3000.0, 0.7, R, R + 2000e3),  # r1 above apogee
        (v_circ * 1.1, 0.0, R + 100e3, R),  # burnout at perigee: never descends below r0
        (3000.0, -0.3, R + 10e3, R + 50e3),  # already descending below r1
        (0.0, 0.0, R + 10e3, R),  # radial drop (degenerate)
        (3020.0, 0.7, R, R),  # a good one
    ]
    v0, g0, r0, r1 = (np.array(c) for c in zip(*cases, strict=True))
    arc = K.free_flight(v0, g0, r0, r1)
    for field in arc:
        assert np.all(np.isnan(field[:-1]))
        assert np.isfinite(field[-1])


def test_descending_burnout_at_impact_radius_has_zero_range() -> None:
    arc = K.free_flight(3000.0, -0.2, R, R)
    assert arc.range_angle_rad == pytest.approx(0.0, abs=1e-12)
    assert arc.time_of_flight_s == pytest.approx(0.0, abs=1e-9)
    assert arc.apogee_radius_m == R


def test_invalid_inputs_raise_typed_errors() -> None:
    assert issubclass(K.KeplerInputError, ValueError)
    bad_calls = [
        lambda: K.free_flight(-1.0, 0.5, R, R),
        lambda: K.free_flight(1000.0, 2.0, R, R),
        lambda: K.free_flight(1000.0, 0.5, 0.0, R),
        lambda: K.free_flight(1000.0, 0.5, R, -R),
        lambda: K.free_flight(1000.0, 0.5, R, R, mu_m3_s2=0.0),
        lambda: K.free_flight(1000.0, 0.5, R, R, surface_radius_m=-1.0),
        lambda: K.min_energy(-0.1, R),
        lambda: K.min_energy(3.2, R),
        lambda: K.min_energy(1.0, R, 0.0),
        lambda: K.max_range_angle(-1.0, R),
        lambda: K.max_range_angle(1000.0, R, mu_m3_s2=-MU),
    ]
    for call in bad_calls:
        with pytest.raises(K.KeplerInputError):
            call()


def test_max_range_edge_cases() -> None:
    v_circ = math.sqrt(MU / R)
    v_esc = math.sqrt(2 * MU / R)
    best = K.max_range_angle([1.01 * v_circ, v_esc, 2 * v_esc], R)
    assert np.all(np.isnan(best.range_angle_rad)) and np.all(np.isnan(best.flight_path_angle_rad))
    at_circ = K.max_range_angle(v_circ, R)
    assert at_circ.range_angle_rad == pytest.approx(math.pi, rel=1e-7)
    # straight up to r1 needs v^2 = 2 mu (1/r0 - 1/r1): zero range, vertical
    r1 = R + 300e3
    v_up = math.sqrt(2 * MU * (1 / R - 1 / r1))
    up = K.max_range_angle([v_up * (1 - 1e-9), v_up], R, r1)
    assert math.isnan(up.range_angle_rad[0])
    assert up.range_angle_rad[1] == pytest.approx(0.0, abs=1e-6)
    assert up.flight_path_angle_rad[1] == pytest.approx(math.pi / 2, abs=1e-6)
    zero = K.min_energy(0.0, R, r1)
    assert zero.speed_m_s == pytest.approx(v_up, rel=1e-12)
    assert zero.flight_path_angle_rad == math.pi / 2


def test_broadcasting_and_shapes() -> None:
    v0 = np.linspace(2000.0, 7000.0, 6).reshape(2, 3)
    g0 = np.array([0.3, 0.6, 0.9])
    arc = K.free_flight(v0, g0, R, R)
    assert all(field.shape == (2, 3) for field in arc)
    for i in range(2):
        for j in range(3):
            one = K.free_flight(v0[i, j], g0[j], R, R)
            assert one.range_m.shape == ()
            assert one.range_m == arc.range_m[i, j]
    sol = K.min_energy(np.array([[0.1], [0.2]]), np.array([R, R + 1e5]), R)
    assert sol.speed_m_s.shape == (2, 2)
    best = K.max_range_angle(np.array([3000.0, 4000.0]), R, R + 1e5)
    assert best.range_angle_rad.shape == (2,)
    psi_max, gamma_opt = best  # unpacks as the (psi_max, gamma_opt) pair
    assert np.all(psi_max > 0) and np.all(gamma_opt > 0)


def test_nan_inputs_propagate() -> None:
    arc = K.free_flight([math.nan, 3000.0], 0.7, R, R)
    assert math.isnan(arc.range_m[0]) and np.isfinite(arc.range_m[1])
    assert math.isnan(K.min_energy(math.nan, R).speed_m_s)
    assert math.isnan(K.max_range_angle(math.nan, R).range_angle_rad)


# ------------------------------------------------------------------ properties

V_ESC_R = math.sqrt(2 * MU / R)


@given(
    v=st.floats(min_value=300.0, max_value=0.95 * V_ESC_R),
    dv_rel=st.floats(min_value=1e-6, max_value=0.5),
    g0=st.floats(min_value=0.01, max_value=1.5),
    dr0=st.floats(min_value=0.0, max_value=500e3),
)
@settings(max_examples=300, deadline=None)
def test_range_increases_with_speed(v: float, dv_rel: float, g0: float, dr0: float) -> None:
    r0 = R + dr0
    v_hi = min(v * (1 + dv_rel), 0.95 * math.sqrt(2 * MU / r0))
    if v_hi <= v * (1 + 1e-7):
        return
    lo, hi = K.free_flight(np.array([v, v_hi]), g0, r0, R).range_angle_rad
    # Faster flies farther; once the arc no longer comes down to R (perigee above R: NaN),
    # no faster one does.
    if np.isfinite(hi):
        assert np.isfinite(lo) and hi > lo
    if np.isnan(lo):
        assert np.isnan(hi)


@given(
    v=st.floats(min_value=100.0, max_value=0.99 * V_ESC_R),
    g0=st.floats(min_value=1e-3, max_value=1.57),
    dr=st.floats(min_value=-5e3, max_value=1000e3),
)
@settings(max_examples=300, deadline=None)
def test_symmetric_when_radii_equal(v: float, g0: float, dr: float) -> None:
    r = R + dr
    v = min(v, 0.99 * math.sqrt(2 * MU / r))  # bound
    arc = K.free_flight(v, g0, r, r)
    assert arc.impact_speed_m_s == pytest.approx(v, rel=1e-12)
    assert arc.impact_angle_rad == pytest.approx(g0, rel=1e-9)
    # symmetric about the apse line: from apogee (speed h / r_apo, horizontal) down to r is
    # half the range angle and half the time of flight (checked where the apogee stands > 10 m
    # above r, so that rounding of r_apo, ~1e-9 m, is not a visible part of the drop)
    if arc.eccentricity > 1e-3 and arc.apogee_radius_m - r > 10.0:
        r_apo = arc.apogee_radius_m
        half = K.free_flight(r * v * math.cos(g0) / r_apo, 0.0, r_apo, r)
        assert half.range_angle_rad == pytest.approx(0.5 * arc.range_angle_rad, rel=1e-6)
        assert half.time_of_flight_s == pytest.approx(0.5 * arc.time_of_flight_s, rel=1e-6)
