"""Unit tests of bmdsim.physics.earth: models, geodetic/ECEF/ENU/AER, ECI, gravity, distances."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.physics import earth as E
from bmdsim.physics.constants import (
    J2_WGS84,
    OMEGA_EARTH_RAD_S,
    SPHERE_RADIUS_M,
    WGS84_A_M,
    WGS84_F,
    WGS84_GM_M3_S2,
)

WGS84 = E.EarthModel.wgs84()
SPHERE = E.EarthModel.sphere()
MODELS = [WGS84, SPHERE]
D2R = math.pi / 180.0


def _dlon(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    return np.abs((np.asarray(a) - np.asarray(b) + math.pi) % (2 * math.pi) - math.pi)


# ------------------------------------------------------------------ models


def test_wgs84_and_sphere_values() -> None:
    assert WGS84.a_m == WGS84_A_M
    assert WGS84.f == WGS84_F
    assert WGS84.mu_m3_s2 == WGS84_GM_M3_S2
    assert WGS84.j2 == J2_WGS84
    assert WGS84.omega_rad_s == OMEGA_EARTH_RAD_S
    assert WGS84.b_m == pytest.approx(6356752.314245, abs=1e-6)  # NIMA TR8350.2 table 3.3
    assert WGS84.e2 == pytest.approx(6.69437999014e-3, rel=1e-11)  # NIMA TR8350.2 table 3.3
    assert SPHERE.a_m == SPHERE.b_m == SPHERE_RADIUS_M
    assert SPHERE.f == 0.0 and SPHERE.j2 == 0.0 and SPHERE.e2 == 0.0
    assert SPHERE.mu_m3_s2 == WGS84_GM_M3_S2
    assert E.EarthModel.wgs84(rotation=False).omega_rad_s == 0.0
    assert E.EarthModel.sphere(rotation=False).omega_rad_s == 0.0
    assert E.earth_model("wgs84") == WGS84
    assert E.earth_model("sphere", rotation=False) == E.EarthModel.sphere(False)


def test_earth_model_errors_and_frozen() -> None:
    with pytest.raises(ValueError, match="wgs84.*sphere"):
        E.earth_model("grs80")
    with pytest.raises(ValueError):
        E.EarthModel("bad", WGS84_A_M, -0.1, WGS84_GM_M3_S2, 0.0, 0.0)
    with pytest.raises(ValueError):
        E.EarthModel("bad", -1.0, 0.0, WGS84_GM_M3_S2, 0.0, 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        WGS84.a_m = 1.0  # type: ignore[misc]


# ------------------------------------------------------------------ geodetic <-> ECEF

lat_deg = st.floats(-90.0, 90.0)
lon_deg = st.floats(-180.0, 180.0)
height_m = st.floats(-10e3, 40_000e3)


@settings(max_examples=300, deadline=None)
@given(lat_deg, lon_deg, height_m, st.sampled_from(MODELS))
def test_geodetic_ecef_round_trip(lat: float, lon: float, h: float, model: E.EarthModel) -> None:
    r = E.geodetic_to_ecef(lat * D2R, lon * D2R, h, model)
    lat2, lon2, h2 = E.ecef_to_geodetic(r, model)
    assert abs(lat2 - lat * D2R) < 1e-12
    assert abs(h2 - h) < 1e-6
    if math.hypot(r[0], r[1]) > 1e5:  # longitude is only defined away from the axis
        assert _dlon(lon2, lon * D2R) < 1e-12
    assert np.linalg.norm(E.geodetic_to_ecef(lat2, lon2, h2, model) - r) < 1e-6


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(*(st.floats(-5e7, 5e7) for _ in range(3))),
    st.sampled_from([1.0, 1e-3, 1e-6]),
    st.sampled_from(MODELS),
)
def test_ecef_geodetic_round_trip_everywhere(
    xyz: tuple[float, float, float], scale: float, model: E.EarthModel
) -> None:
    """Also near the centre (scale 1e-6: within 50 m of it, inside the evolute)."""
    r = np.array(xyz) * scale
    lat, lon, h = E.ecef_to_geodetic(r, model)
    assert np.all(np.isfinite([lat, lon, h]))
    assert np.linalg.norm(E.geodetic_to_ecef(lat, lon, h, model) - r) < 1e-6


@pytest.mark.parametrize(
    "xyz",
    [
        (0.0, 0.0, 5.092907718264227e-149),
        (1e-150, 0.0, -1e-150),
        (0.0, 3e-170, 2e-160),
        (0.0, 1e-3, 4.6871627267854455e-146),
        (5e3, 0.0, -1e-200),
    ],
)
@pytest.mark.parametrize("model", MODELS)
def test_ecef_geodetic_tiny_radii_no_subnormal_loss(
    xyz: tuple[float, float, float], model: E.EarthModel
) -> None:
    """Points with |z| or |r| below 1e-100 m (found by hypothesis: up to 2.5 mm error from
    subnormal intermediates) convert back exactly."""
    r = np.array(xyz)
    lat, lon, h = E.ecef_to_geodetic(r, model)
    assert np.linalg.norm(E.geodetic_to_ecef(lat, lon, h, model) - r) < 1e-6


@pytest.mark.parametrize(
    ("lat", "lon", "h"),
    [(90.0, 0.0, 0.0), (-90.0, 0.0, 0.0), (90.0, 0.0, 3.0e7), (-90.0, 0.0, -5.0e3)],
)
def test_poles(lat: float, lon: float, h: float) -> None:
    r = E.geodetic_to_ecef(lat * D2R, lon * D2R, h)
    np.testing.assert_allclose(r[:2], 0.0, atol=1e-8)  # cos(pi/2) = 6e-17
    assert r[2] == pytest.approx(math.copysign(WGS84.b_m + h, lat), abs=1e-8)
    lat2, _, h2 = E.ecef_to_geodetic(np.array([0.0, 0.0, r[2]]))
    assert lat2 == pytest.approx(lat * D2R, abs=1e-15)
    assert h2 == pytest.approx(h, abs=1e-8)


def test_equator_antimeridian_and_centre() -> None:
    lat, lon, h = E.ecef_to_geodetic(np.array([WGS84_A_M, 0.0, 0.0]))
    assert (lat, lon) == (0.0, 0.0) and abs(h) < 1e-9
    r_east = E.geodetic_to_ecef(0.0, math.pi, 0.0)
    r_west = E.geodetic_to_ecef(0.0, -math.pi, 0.0)
    np.testing.assert_allclose(r_east, [-WGS84_A_M, 0.0, 0.0], atol=1e-8)
    np.testing.assert_allclose(r_east, r_west, atol=1e-8)
    _, lon2, _ = E.ecef_to_geodetic(np.array([-WGS84_A_M, -1e-3, 100.0]))
    assert _dlon(lon2, -math.pi) < 1e-9
    # Centre of the Earth: nearest surface points are the poles, at distance b.
    lat, _, h = E.ecef_to_geodetic(np.zeros(3))
    assert abs(lat) == pytest.approx(math.pi / 2) and h == pytest.approx(-WGS84.b_m, abs=1e-8)
    # Near the centre in the equatorial plane (inside the evolute): h = -(distance to nearest
    # point of the ellipse), checked by brute force over the meridian ellipse.
    for rxy in (1.0e3, 2.0e4, 4.0e4):
        th = np.linspace(0.0, math.pi / 2, 2_000_001)
        d_min = np.min(np.hypot(WGS84.a_m * np.cos(th) - rxy, WGS84.b_m * np.sin(th)))
        _, _, h = E.ecef_to_geodetic(np.array([rxy, 0.0, 0.0]))
        assert h == pytest.approx(-d_min, abs=1e-3)


def test_sphere_is_geocentric() -> None:
    rng = np.random.default_rng(1)
    r = rng.normal(size=(1000, 3)) * 7e6
    lat, lon, h = E.ecef_to_geodetic(r, SPHERE)
    rn = np.linalg.norm(r, axis=-1)
    np.testing.assert_allclose(lat, np.arcsin(r[:, 2] / rn), atol=1e-14)
    np.testing.assert_allclose(lon, np.arctan2(r[:, 1], r[:, 0]), atol=0)
    np.testing.assert_allclose(h, rn - SPHERE_RADIUS_M, atol=1e-8)
    r_pole = E.geodetic_to_ecef(math.pi / 2, 0.0, 0.0, SPHERE)
    assert r_pole[2] == SPHERE_RADIUS_M
    assert np.all(np.isfinite(E.ecef_to_geodetic(np.zeros(3), SPHERE)))


def test_scalar_kernels_match_vectorized_and_shapes() -> None:
    rng = np.random.default_rng(2)
    lat = rng.uniform(-1.5, 1.5, (4, 5))
    lon = rng.uniform(-3, 3, (4, 5))
    h = rng.uniform(0, 1e6, (4, 5))
    r = E.geodetic_to_ecef(lat, lon, h)
    assert r.shape == (4, 5, 3)
    assert E.geodetic_to_ecef(lat, lon, 0.0).shape == (4, 5, 3)  # broadcasting
    la, lo, hh = E.ecef_to_geodetic(r)
    assert la.shape == (4, 5)
    g = E.gravity(r)
    for i in range(4):
        for j in range(5):
            args = (lat[i, j], lon[i, j], h[i, j], WGS84.a_m, WGS84.f)
            assert E.geodetic_to_ecef_scalar(*args) == tuple(r[i, j])
            xyz = (*r[i, j],)
            assert E.ecef_to_geodetic_scalar(*xyz, WGS84.a_m, WGS84.f) == (
                la[i, j],
                lo[i, j],
                hh[i, j],
            )
            assert E.gravity_scalar(*xyz, WGS84.mu_m3_s2, WGS84.a_m, WGS84.j2) == tuple(g[i, j])
    with pytest.raises(ValueError, match="shape"):
        E.ecef_to_geodetic(np.zeros((4, 2)))


def test_up_north_east_are_the_geodetic_directions() -> None:
    """up = dr/dh, north ~ dr/dlat, east ~ dr/dlon (central differences), orthonormal, ENU
    right-handed."""
    for lat, lon in [(0.3, -2.0), (-1.2, 0.5), (0.0, 3.1)]:
        up, north, east = (np.array(v) for v in E.up_north_east_scalar(lat, lon))
        m = np.stack([east, north, up])
        np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-15)
        np.testing.assert_allclose(np.cross(east, north), up, atol=1e-15)
        d = 1e-6
        dr_dh = (E.geodetic_to_ecef(lat, lon, 1.0) - E.geodetic_to_ecef(lat, lon, -1.0)) / 2
        dr_dlat = E.geodetic_to_ecef(lat + d, lon, 0.0) - E.geodetic_to_ecef(lat - d, lon, 0.0)
        dr_dlon = E.geodetic_to_ecef(lat, lon + d, 0.0) - E.geodetic_to_ecef(lat, lon - d, 0.0)
        np.testing.assert_allclose(dr_dh, up, atol=1e-9)
        np.testing.assert_allclose(dr_dlat / np.linalg.norm(dr_dlat), north, atol=1e-9)
        np.testing.assert_allclose(dr_dlon / np.linalg.norm(dr_dlon), east, atol=1e-9)


# ------------------------------------------------------------------ ENU / AER


def test_enu_and_aer() -> None:
    lat0, lon0, h0 = 0.7, -1.3, 250.0
    up, north, east = (np.array(v) for v in E.up_north_east_scalar(lat0, lon0))
    r0 = E.geodetic_to_ecef(lat0, lon0, h0)
    enu = E.ecef_to_enu(r0 + 10.0 * east + 20.0 * north + 30.0 * up, lat0, lon0, h0)
    np.testing.assert_allclose(enu, [10.0, 20.0, 30.0], atol=1e-8)
    # The point straight above the observer.
    enu = E.ecef_to_enu(E.geodetic_to_ecef(lat0, lon0, h0 + 1e5), lat0, lon0, h0)
    np.testing.assert_allclose(enu, [0.0, 0.0, 1e5], atol=1e-8)
    az, el, rng_m = E.enu_to_aer(1.0, 0.0, 0.0)
    assert (az, el, rng_m) == (pytest.approx(math.pi / 2), 0.0, 1.0)
    az, el, _ = E.enu_to_aer(-1.0, -1e-12, 1.0)
    assert 0.0 <= E.enu_to_aer(-1e-300, 1.0, 0.0)[0] < 2 * math.pi  # not 2 pi after rounding
    assert az == pytest.approx(1.5 * math.pi) and el == pytest.approx(math.pi / 4)
    # Round trips on a batch with per-element observers.
    rng = np.random.default_rng(3)
    r = rng.uniform(-8e6, 8e6, (50, 3))
    lat0s, lon0s = rng.uniform(-1.5, 1.5, 50), rng.uniform(-3.1, 3.1, 50)
    enu = E.ecef_to_enu(r, lat0s, lon0s, 100.0)
    np.testing.assert_allclose(E.enu_to_ecef(enu, lat0s, lon0s, 100.0), r, atol=1e-6)
    aer = E.enu_to_aer(enu[:, 0], enu[:, 1], enu[:, 2])
    assert np.all((aer[0] >= 0) & (aer[0] < 2 * math.pi))
    np.testing.assert_allclose(np.stack(E.aer_to_enu(*aer), -1), enu, atol=1e-6)
    lat, lon, h = E.ecef_to_geodetic(r)
    az, el, sr = E.geodetic_to_aer(lat0s, lon0s, 100.0, lat, lon, h)
    np.testing.assert_allclose(
        sr, np.linalg.norm(r - E.geodetic_to_ecef(lat0s, lon0s, 100.0), axis=-1)
    )
    lat2, lon2, h2 = E.aer_to_geodetic(az, el, sr, lat0s, lon0s, 100.0)
    np.testing.assert_allclose(lat2, lat, atol=1e-12)
    np.testing.assert_allclose(h2, h, atol=1e-6)
    assert np.all(_dlon(lon2, lon) < 1e-12)


# ------------------------------------------------------------------ gravity


def _j2_potential(r: np.ndarray, mu: float, a: float, j2: float) -> float:
    """U_J2 = -mu/r J2 (a/r)^2 (3 sin^2(phi_c) - 1)/2, with g = +grad(mu/r + U_J2)."""
    rn = float(np.linalg.norm(r))
    s2 = (r[2] / rn) ** 2
    return -mu / rn * j2 * (a / rn) ** 2 * (3.0 * s2 - 1.0) / 2.0


def test_gravity_closed_forms_equator_and_pole() -> None:
    mu, a, b, j2 = WGS84.mu_m3_s2, WGS84.a_m, WGS84.b_m, WGS84.j2
    g_eq = E.gravity(np.array([a, 0.0, 0.0]))
    np.testing.assert_allclose(g_eq, [-mu / a**2 * (1.0 + 1.5 * j2), 0.0, 0.0], rtol=1e-15)
    # Minus the centrifugal term it is close to WGS84 normal gravity at the equator,
    # 9.7803253359 m/s^2 (NIMA TR8350.2, table 3.4); J4 and higher terms make up ~4e-5 m/s^2.
    g_eff = np.linalg.norm(g_eq) - OMEGA_EARTH_RAD_S**2 * a
    assert g_eff == pytest.approx(9.7803253359, abs=1e-4)
    g_pole = E.gravity(np.array([0.0, 0.0, -b]))
    np.testing.assert_allclose(g_pole, [0.0, 0.0, mu / b**2 * (1.0 - 3.0 * j2 * (a / b) ** 2)])
    # Equatorial, on the y axis too (axisymmetry).
    np.testing.assert_allclose(E.gravity(np.array([0.0, a, 0.0])), g_eq[[1, 0, 2]], rtol=1e-15)


def test_gravity_sphere_is_point_mass() -> None:
    rng = np.random.default_rng(4)
    r = rng.normal(size=(100, 3)) * 1e7
    rn = np.linalg.norm(r, axis=-1, keepdims=True)
    np.testing.assert_allclose(E.gravity(r, SPHERE), -SPHERE.mu_m3_s2 * r / rn**3, rtol=1e-15)


@settings(max_examples=50, deadline=None)
@given(
    st.floats(6.3e6, 4.0e7),
    st.floats(-math.pi / 2, math.pi / 2),
    st.floats(-math.pi, math.pi),
)
def test_gravity_is_gradient_of_potential(rn: float, phi: float, lam: float) -> None:
    """Total field vs grad(mu/r) (sign check) and J2 part vs grad(U_J2), central differences."""
    mu, a, j2 = WGS84.mu_m3_s2, WGS84.a_m, WGS84.j2
    r = rn * np.array([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])
    g = E.gravity(r)
    g_pm = E.gravity(r, dataclasses.replace(WGS84, j2=0.0))
    # against the vector's own length: |r| differs from rn by the rounding of the cosines and
    # sines, which the cube made up to 1.1e-15 (found by hypothesis: rn 6371 km, phi 0.0047);
    # against |r| the largest of 20,000 random points is 6.7e-16. atol: a subnormal component
    # (phi ~ 1e-309, found by hypothesis) keeps only a few digits
    np.testing.assert_allclose(g_pm, -mu * r / np.linalg.norm(r) ** 3, rtol=1e-15, atol=1e-300)
    step = 10.0
    grad = np.empty(3)
    for k in range(3):
        dr = np.zeros(3)
        dr[k] = step
        grad[k] = (_j2_potential(r + dr, mu, a, j2) - _j2_potential(r - dr, mu, a, j2)) / (2 * step)
    g_j2 = g - g_pm
    scale = np.linalg.norm(g_j2)
    assert scale > 1e-4 * j2 * mu / rn**2 * (a / rn) ** 2  # the J2 part is not trivially zero
    np.testing.assert_allclose(g_j2, grad, atol=1e-6 * scale)
    assert np.dot(g, r) < 0.0  # attractive


def test_gravity_shapes_and_centre() -> None:
    assert E.gravity(np.ones((2, 3, 3)) * 7e6).shape == (2, 3, 3)
    with pytest.raises(ZeroDivisionError):
        E.gravity(np.zeros(3))


# ------------------------------------------------------------------ ECI <-> ECEF


def test_eci_ecef() -> None:
    w = OMEGA_EARTH_RAD_S
    rng = np.random.default_rng(5)
    r = rng.normal(size=(20, 3)) * 7e6
    v = rng.normal(size=(20, 3)) * 3e3
    t = rng.uniform(0, 3600, 20)
    r_i, v_i = E.ecef_to_eci(r, v, t)
    r_e, v_e = E.eci_to_ecef(r_i, v_i, t)
    np.testing.assert_allclose(r_e, r, atol=1e-7)
    np.testing.assert_allclose(v_e, v, atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(r_i, axis=-1), np.linalg.norm(r, axis=-1))
    # t = 0: same position, v_eci - v_ecef = omega x r.
    r0, v0 = E.ecef_to_eci(r, v, 0.0)
    np.testing.assert_array_equal(r0, r)
    np.testing.assert_allclose(v0 - v, np.cross([0.0, 0.0, w], r), atol=1e-12)
    # A point fixed on the Earth moves at omega * distance from the axis.
    _, v_eq = E.ecef_to_eci(np.array([WGS84_A_M, 0.0, 0.0]), np.zeros(3), 1234.0)
    assert np.linalg.norm(v_eq) == pytest.approx(465.1, abs=0.05)
    assert np.linalg.norm(v_eq) == pytest.approx(w * WGS84_A_M, rel=1e-15)
    r45 = E.geodetic_to_ecef(math.pi / 4, 1.0, 0.0)
    _, v45 = E.ecef_to_eci(r45, np.zeros(3), 100.0)
    assert np.linalg.norm(v45) == pytest.approx(w * math.hypot(r45[0], r45[1]), rel=1e-14)
    # Quarter turn: x axis goes to y axis.
    r_q, _ = E.ecef_to_eci(np.array([1.0, 0.0, 2.0]), np.zeros(3), 0.5 * math.pi / w)
    np.testing.assert_allclose(r_q, [0.0, 1.0, 2.0], atol=1e-15)
    # v_eci is the time derivative of r_eci (a point moving in ECEF).
    r_a, v_a = np.array([6.5e6, 1e6, 2e6]), np.array([100.0, -2000.0, 500.0])
    tt, dt = 1000.0, 1e-3
    rp, _ = E.ecef_to_eci(r_a + v_a * dt, v_a, tt + dt)
    rm, _ = E.ecef_to_eci(r_a - v_a * dt, v_a, tt - dt)
    _, vc = E.ecef_to_eci(r_a, v_a, tt)
    np.testing.assert_allclose((rp - rm) / (2 * dt), vc, atol=1e-4)
    # Broadcasting: one position, many times.
    r_t, _ = E.ecef_to_eci(np.array([1.0, 0.0, 0.0]), np.zeros(3), np.array([0.0, 1.0, 2.0]))
    assert r_t.shape == (3, 3)
    # No rotation: identity.
    r_n, v_n = E.ecef_to_eci(r, v, t, 0.0)
    np.testing.assert_array_equal(r_n, r)
    np.testing.assert_array_equal(v_n, v)


# ------------------------------------------------------------------ distances


def _vincenty_inverse(
    lat1: float, lon1: float, lat2: float, lon2: float, a: float, f: float
) -> tuple[float, float, float]:
    """Independent reference: T. Vincenty, Survey Review 23 (176) (1975) 88-93, inverse."""
    b = a * (1 - f)
    u1, u2 = math.atan((1 - f) * math.tan(lat1)), math.atan((1 - f) * math.tan(lat2))
    su1, cu1, su2, cu2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    big_l = lon2 - lon1
    lam = big_l
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        ss = math.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
        cs = su1 * su2 + cu1 * cu2 * cl
        sig = math.atan2(ss, cs)
        sa = cu1 * cu2 * sl / ss
        c2a = 1 - sa * sa
        c2sm = cs - 2 * su1 * su2 / c2a
        c = f / 16 * c2a * (4 + f * (4 - 3 * c2a))
        lam_old = lam
        lam = big_l + (1 - c) * f * sa * (sig + c * ss * (c2sm + c * cs * (-1 + 2 * c2sm**2)))
        if abs(lam - lam_old) < 1e-14:
            break
    u_sq = c2a * (a * a - b * b) / (b * b)
    aa = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    bb = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    dsig = (
        bb
        * ss
        * (
            c2sm
            + bb
            / 4
            * (cs * (-1 + 2 * c2sm**2) - bb / 6 * c2sm * (-3 + 4 * ss**2) * (-3 + 4 * c2sm**2))
        )
    )
    sl, cl = math.sin(lam), math.cos(lam)
    az1 = math.atan2(cu2 * sl, cu1 * su2 - su1 * cu2 * cl) % (2 * math.pi)
    az2 = math.atan2(cu1 * sl, -su1 * cu2 + cu1 * su2 * cl) % (2 * math.pi)
    return b * aa * (sig - dsig), az1, az2


def _dms(d: float, m: float, s: float) -> float:
    return (d + m / 60 + s / 3600) * D2R


def test_geodesic_vincenty_published_line_a() -> None:
    """Vincenty (1975) test line (a), Bessel ellipsoid: published s = 14110526.170 m,
    alpha1 = 96 36 08.79960, alpha2 = 137 52 22.01454. Tolerances 1 mm and 1e-9 rad."""
    bessel = E.EarthModel("bessel", 6377397.155, 1 / 299.1528128, WGS84_GM_M3_S2, 0.0, 0.0)
    lat1, lat2, lon2 = _dms(55, 45, 0), -_dms(33, 26, 0), _dms(108, 13, 0)
    s, az1, az2 = E.geodesic_inverse(lat1, 0.0, lat2, lon2, bessel)
    assert s == pytest.approx(14110526.170, abs=1e-3)
    assert az1 == pytest.approx(_dms(96, 36, 8.79960), abs=1e-9)
    assert az2 == pytest.approx(_dms(137, 52, 22.01454), abs=1e-9)
    # The test's own Vincenty implementation reproduces the published line too.
    ref = _vincenty_inverse(lat1, 0.0, lat2, lon2, bessel.a_m, bessel.f)
    assert ref[0] == pytest.approx(14110526.170, abs=1e-3)


def test_geodesic_paris_moscow() -> None:
    """Paris - Moscow on WGS84 vs an independent Vincenty (1975) inverse, within 1 m (geographiclib
    is not installed). Great circle (R = 6371 km) vs geodesic differ by < 0.5 %."""
    p = (48.8566 * D2R, 2.3522 * D2R)
    m = (55.7558 * D2R, 37.6173 * D2R)
    s, az1, az2 = E.geodesic_inverse(*p, *m)
    s_ref, az1_ref, az2_ref = _vincenty_inverse(*p, *m, WGS84_A_M, WGS84_F)
    assert abs(s - s_ref) < 1.0
    assert abs(s - 2.4937e6) < 1e3  # ~2494 km
    assert az1 == pytest.approx(az1_ref, abs=1e-8) and az2 == pytest.approx(az2_ref, abs=1e-8)
    gc = E.great_circle_distance_m(*p, *m)
    assert abs(gc / s - 1.0) < 5e-3
    assert E.great_circle_azimuth_rad(*p, *m) == pytest.approx(az1, abs=5e-3)
    # Direct problem inverts the inverse problem.
    lat2, lon2, az2d = E.geodesic_direct(*p, az1, s)
    assert lat2 == pytest.approx(m[0], abs=1e-12) and lon2 == pytest.approx(m[1], abs=1e-12)
    assert az2d == pytest.approx(az2, abs=1e-12)


def test_geodesic_special_cases_and_sphere() -> None:
    # Due east along the equator: stays on it, azimuth unchanged, length a * dlon.
    lat2, lon2, az2 = E.geodesic_direct(0.0, 3.0, math.pi / 2, 1.0e6)
    assert abs(lat2) < 1e-14 and az2 == pytest.approx(math.pi / 2, abs=1e-14)
    assert lon2 == pytest.approx(3.0 + 1e6 / WGS84_A_M - 2 * math.pi, abs=1e-12)  # wrapped
    # Meridian quadrant (NIMA / Bessel: 10001965.729 m for WGS84).
    s, az1, _ = E.geodesic_inverse(0.0, 0.0, math.pi / 2, 0.0)
    assert s == pytest.approx(10001965.729, abs=1e-3) and az1 == pytest.approx(0.0, abs=1e-14)
    # Sphere model: geodesics are great circles.
    rng = np.random.default_rng(6)
    la1, la2 = rng.uniform(-1.5, 1.5, (2, 100))
    lo1, lo2 = rng.uniform(-3.1, 3.1, (2, 100))
    s, az1, _ = E.geodesic_inverse(la1, lo1, la2, lo2, SPHERE)
    np.testing.assert_allclose(s, E.great_circle_distance_m(la1, lo1, la2, lo2), rtol=1e-12)
    np.testing.assert_allclose(az1, E.great_circle_azimuth_rad(la1, lo1, la2, lo2), atol=1e-9)
    lat_d, lon_d = E.great_circle_destination(la1, lo1, az1, s)
    np.testing.assert_allclose(lat_d, la2, atol=1e-9)
    assert np.all(_dlon(lon_d, lo2) < 1e-9)
    lat_g, lon_g, _ = E.geodesic_direct(la1, lo1, az1, s, SPHERE)
    np.testing.assert_allclose(lat_g, lat_d, atol=1e-9)
    assert s.shape == (100,) and E.geodesic_inverse(0.0, 0.0, 0.1, 0.1)[0].shape == ()


def test_great_circle() -> None:
    r = SPHERE_RADIUS_M
    assert E.great_circle_distance_m(0.0, 0.0, 0.0, math.pi / 2) == pytest.approx(r * math.pi / 2)
    assert E.great_circle_distance_m(0.0, 0.0, 0.0, math.pi) == pytest.approx(r * math.pi)
    assert E.great_circle_distance_m(0.3, 0.3, 0.3, 0.3) == 0.0
    assert E.great_circle_azimuth_rad(0.0, 0.0, 0.0, 0.1) == pytest.approx(math.pi / 2)
    assert E.great_circle_azimuth_rad(0.0, 0.0, 0.1, 0.0) == pytest.approx(0.0)
    assert E.great_circle_azimuth_rad(0.0, 0.0, 0.0, -0.1) == pytest.approx(1.5 * math.pi)
    lat, lon = E.great_circle_destination(0.0, 0.0, math.pi / 2, r * 0.5)
    assert lat == pytest.approx(0.0, abs=1e-15) and lon == pytest.approx(0.5)
    lat, lon = E.great_circle_destination(0.2, 0.1, 0.0, r * 0.3)
    assert lat == pytest.approx(0.5) and lon == pytest.approx(0.1)
    lat, _ = E.great_circle_destination(1.0, 0.0, 0.0, r * (math.pi / 2 - 1.0))
    assert lat == pytest.approx(math.pi / 2)


def test_surface_distance() -> None:
    p = (48.8566 * D2R, 2.3522 * D2R)
    m = (55.7558 * D2R, 37.6173 * D2R)
    r1 = E.geodetic_to_ecef(*p, 1.0e5)
    r2 = E.geodetic_to_ecef(*m, 0.0)
    s = E.surface_distance_m(r1, r2)
    assert s == pytest.approx(E.geodesic_inverse(*p, *m)[0], abs=1e-6)
    assert E.surface_distance_m(r1, E.geodetic_to_ecef(*p, 0.0)) == pytest.approx(0.0, abs=1e-6)
    batch = E.surface_distance_m(np.stack([r1, r1]), np.stack([r2, r1]))
    np.testing.assert_allclose(batch, [s, 0.0], atol=1e-6)


# Tolerance of Vincenty's inverse formula (T. Vincenty, Survey Review 23(176) (1975) 88-93)
# against Karney's algorithm (pyproj; C. F. F. Karney, J. Geodesy 87 (2013) 43-55, exact to
# ~15 nm): 1 mm. Vincenty's truncated series are good to a fraction of a millimetre on
# Earth-sized ellipsoids (0.08 mm worst over 200,000 random WGS84 pairs when written) and his
# iteration stops at 1e-12 rad (~6e-6 m); 1 mm is the bound the engagement windows' margins
# rely on (bmdsim.engagement.windows, 1 m margin).
VINCENTY_TOL_M = 1e-3


def _karney(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray,
            model: E.EarthModel = WGS84) -> np.ndarray:  # fmt: skip
    return E.geodesic_inverse(lat1, lon1, lat2, lon2, model)[0]


def _converged(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray,
               model: E.EarthModel = WGS84) -> np.ndarray:  # fmt: skip
    return np.array([E.geodesic_distance_scalar(*p, model.a_m, model.f)[1]
                     for p in zip(lat1, lon1, lat2, lon2, strict=True)])  # fmt: skip


def test_geodesic_distance_reproduces_vincenty_line_a() -> None:
    """Vincenty (1975) test line (a), Bessel ellipsoid: s = 14110526.170 m (published, 1 mm)."""
    bessel = E.EarthModel("bessel", 6377397.155, 1 / 299.1528128, WGS84_GM_M3_S2, 0.0, 0.0)
    lat1, lat2, lon2 = _dms(55, 45, 0), -_dms(33, 26, 0), _dms(108, 13, 0)
    assert E.geodesic_distance_m(lat1, 0.0, lat2, lon2, bessel) == pytest.approx(
        14110526.170, abs=1e-3
    )


def test_geodesic_distance_matches_karney_worldwide() -> None:
    """200,000 random pairs, uniform on the globe (all distances up to half the circumference),
    within VINCENTY_TOL_M of Karney's geodesic; and the same within 3,000 km, the engagement
    ranges."""
    rng = np.random.default_rng(11)
    n = 200_000
    lat1, lat2 = np.arcsin(rng.uniform(-1.0, 1.0, (2, n)))
    lon1, lon2 = rng.uniform(-math.pi, math.pi, (2, n))
    d = E.geodesic_distance_m(lat1, lon1, lat2, lon2)
    assert np.max(np.abs(d - _karney(lat1, lon1, lat2, lon2))) < VINCENTY_TOL_M
    lat2 = np.clip(lat1 + rng.normal(0.0, 0.15, n), -0.5 * math.pi, 0.5 * math.pi)
    lon2 = lon1 + rng.normal(0.0, 0.2, n)
    d = E.geodesic_distance_m(lat1, lon1, lat2, lon2)
    assert np.max(np.abs(d - _karney(lat1, lon1, lat2, lon2))) < VINCENTY_TOL_M


@settings(max_examples=300, deadline=None)
@given(lat1=st.floats(-90.0, 90.0), lon1=st.floats(-540.0, 540.0), lat2=st.floats(-90.0, 90.0),
       lon2=st.floats(-540.0, 540.0))  # fmt: skip
def test_geodesic_distance_matches_karney_anywhere(lat1: float, lon1: float, lat2: float,
                                                   lon2: float) -> None:  # fmt: skip
    """Property: any two points (longitudes in any turn), within VINCENTY_TOL_M of Karney's
    geodesic, Vincenty's or Karney's (the fallback) wherever Vincenty does not converge."""
    p = (lat1 * D2R, lon1 * D2R, lat2 * D2R, lon2 * D2R)
    assert abs(float(E.geodesic_distance_m(*p)) - float(_karney(*p))) < VINCENTY_TOL_M


def test_geodesic_distance_special_places() -> None:
    """Across the antimeridian, at and near the poles, along the equator and a meridian,
    coincident points: within VINCENTY_TOL_M of Karney's geodesic; coincident points 0."""
    deg = np.radians
    cases = np.array([
        (10.0, 179.9, -10.0, -179.9), (0.0, 179.999, 0.0, -179.999), (60.0, -170.0, 55.0, 175.0),
        (90.0, 0.0, 89.0, 123.0), (-90.0, 0.0, -89.999, -45.0), (89.9999, 10.0, 89.9999, -170.0),
        (90.0, 0.0, -90.0, 0.0), (90.0, 10.0, 90.0, -100.0), (0.0, 0.0, 0.0, 90.0),
        (0.0, 0.0, 0.0, 179.0), (0.0, 0.0, 45.0, 0.0), (33.0, 44.0, 33.0, 44.0),
        (33.0, 44.0, 33.0, 44.0 + 360.0), (-12.0, 7.0, -12.0 + 1e-9, 7.0),
    ])  # fmt: skip
    p = tuple(deg(cases[:, k]) for k in range(4))
    d = E.geodesic_distance_m(*p)
    np.testing.assert_allclose(d, _karney(*p), rtol=0.0, atol=VINCENTY_TOL_M)
    assert d[11] == 0.0 and d[12] == 0.0
    assert d[0] < 2.3e6 and d[1] < 300.0  # the short way across the antimeridian


def test_geodesic_distance_falls_back_near_the_antipode() -> None:
    """Nearly antipodal pairs, where Vincenty's iteration fails or crawls (Vincenty 1975;
    Karney 2013 sect. 1): the kernel says so and the function takes Karney's value there;
    every pair within VINCENTY_TOL_M of Karney's geodesic, the exactly antipodal included."""
    rng = np.random.default_rng(12)
    n = 20_000
    lat1 = rng.uniform(-0.05, 0.05, n)
    lon1 = rng.uniform(-math.pi, math.pi, n)
    lat2 = -lat1 + rng.uniform(-0.05, 0.05, n)
    lon2 = lon1 + math.pi + rng.uniform(-0.05, 0.05, n)
    lat1, lat2 = np.append(lat1, [0.0, 0.3]), np.append(lat2, [0.0, -0.3])
    lon1, lon2 = np.append(lon1, [0.0, 1.0]), np.append(lon2, [math.pi, 1.0 - math.pi])
    converged = _converged(lat1, lon1, lat2, lon2)
    assert 0 < np.count_nonzero(~converged) < n  # both paths exercised
    assert not converged[-1] and not converged[-2]  # exactly antipodal: no unique geodesic
    d = E.geodesic_distance_m(lat1, lon1, lat2, lon2)
    np.testing.assert_allclose(d, _karney(lat1, lon1, lat2, lon2), rtol=0.0, atol=VINCENTY_TOL_M)


def test_geodesic_distance_on_the_sphere_is_the_great_circle() -> None:
    """f = 0: lambda = dlon at once, exact great circles (against the haversine formula and
    pyproj on the sphere, to rounding: 1e-6 m), the antipode included."""
    rng = np.random.default_rng(13)
    la1, la2 = np.arcsin(rng.uniform(-1.0, 1.0, (2, 10_000)))
    lo1, lo2 = rng.uniform(-math.pi, math.pi, (2, 10_000))
    la1, lo1 = np.append(la1, 0.4), np.append(lo1, 0.2)
    la2, lo2 = np.append(la2, -0.4), np.append(lo2, 0.2 - math.pi)
    d = E.geodesic_distance_m(la1, lo1, la2, lo2, SPHERE)
    gc = E.great_circle_distance_m(la1, lo1, la2, lo2, SPHERE_RADIUS_M)
    np.testing.assert_allclose(d, gc, rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(d, _karney(la1, lo1, la2, lo2, SPHERE), rtol=0.0, atol=1e-6)
    assert d[-1] == pytest.approx(math.pi * SPHERE_RADIUS_M, abs=1e-6)
    assert _converged(la1, lo1, la2, lo2, SPHERE).all()


def test_geodesic_distance_shapes_and_nan() -> None:
    assert E.geodesic_distance_m(0.1, 0.2, 0.3, 0.4).shape == ()
    assert E.geodesic_distance_m(np.zeros((2, 1)), 0.0, np.zeros((1, 3)), 0.1).shape == (2, 3)
    d = E.geodesic_distance_m([math.nan, 0.1], [0.0, math.nan], 0.2, 0.3)
    assert np.all(np.isnan(d))
    assert E.geodesic_distance_scalar(math.nan, 0.0, 0.1, 0.1, WGS84_A_M, WGS84_F)[1]


def test_speed_geodetic_to_ecef() -> None:
    """1e6 points geodetic -> ECEF well under 0.5 s (after compilation)."""
    import time

    rng = np.random.default_rng(7)
    lat, lon, h = (
        rng.uniform(-1.5, 1.5, 10**6),
        rng.uniform(-3, 3, 10**6),
        rng.uniform(0, 1e6, 10**6),
    )
    E.geodetic_to_ecef(lat[:2], lon[:2], h[:2])
    t0 = time.perf_counter()
    E.geodetic_to_ecef(lat, lon, h)
    assert time.perf_counter() - t0 < 0.5


def test_vectorized_up_north_east_equals_the_scalar_kernel() -> None:
    from bmdsim.physics.earth import up_north_east, up_north_east_scalar

    lat = np.radians([-90.0, -33.3, 0.0, 45.0, 89.9])
    lon = np.radians([0.0, 120.0, -179.9, 37.6, 180.0])
    up, north, east = up_north_east(lat, lon)
    for i in range(lat.size):
        u, n, e = up_north_east_scalar(lat[i], lon[i])
        np.testing.assert_allclose(up[i], u, atol=1e-15)
        np.testing.assert_allclose(north[i], n, atol=1e-15)
        np.testing.assert_allclose(east[i], e, atol=1e-15)
