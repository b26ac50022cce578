"""Cross-checks of bmdsim.physics.earth against independent libraries (WGS84).

Each case names the reference and the tolerance:

* pymap3d 3.x (``geodetic2ecef``, ``ecef2geodetic``, ``geodetic2aer``, ``ecef2enu``) with
  ``pymap3d.Ellipsoid.from_name("wgs84")``, degrees: positions within 1e-3 m, angles within
  1e-3 m divided by the relevant lever arm.
* PROJ through pyproj ``Transformer`` EPSG:4979 (WGS 84 geographic 3D) -> EPSG:4978 (WGS 84
  geocentric), and back: within 1e-3 m.

Forward transforms (geodetic -> ECEF, ENU, AER) are compared over h in [-10 km, 40,000 km]. The
inverse (ECEF -> geodetic) of both references is approximate at high altitude (measured with
pymap3d 3.2 / pyproj 3.7: pymap3d ``ecef2geodetic`` is off by up to ~9 mm at 1000 km and ~90 m
at 40,000 km, PROJ by ~1 cm and ~0.4 m, as position error after their own forward transform),
so the inverse is compared with them only for h in [-10 km, 100 km], where they are good to
~1e-4 m; above that we check instead that the references' forward transforms map our
(lat, lon, h) back onto the input position within 1e-6 m (our inverse is exact).
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.physics import earth as E

ELL = pymap3d.Ellipsoid.from_name("wgs84")
TOL_M = 1e-3
R2D = 180.0 / math.pi


@pytest.fixture(scope="module")
def points() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    n = 2000
    lat = np.concatenate([rng.uniform(-90, 90, n), [90.0, -90.0, 0.0, 0.0, 45.0]])
    lon = np.concatenate([rng.uniform(-180, 180, n), [0.0, 10.0, 180.0, -180.0, 179.999]])
    h = np.concatenate([rng.uniform(-10e3, 40_000e3, n), [0.0, 1e6, 0.0, -1e3, 5e3]])
    return lat, lon, h


def test_geodetic_to_ecef_vs_pymap3d(points: tuple[np.ndarray, ...]) -> None:
    """geodetic_to_ecef vs pymap3d.geodetic2ecef: |dr| < 1e-3 m."""
    lat, lon, h = points
    r = E.geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    ref = np.stack(pymap3d.geodetic2ecef(lat, lon, h, ell=ELL, deg=True), axis=-1)
    assert np.max(np.linalg.norm(r - ref, axis=-1)) < TOL_M


@pytest.fixture(scope="module")
def low_points(points: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat, lon, h = points
    return lat, lon, np.clip(h, -10e3, 100e3)


def test_ecef_to_geodetic_vs_pymap3d(low_points: tuple[np.ndarray, ...]) -> None:
    """ecef_to_geodetic vs pymap3d.ecef2geodetic, h <= 100 km: dh and horizontal < 1e-3 m."""
    lat, lon, h = low_points
    r = E.geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    la, lo, hh = E.ecef_to_geodetic(r)
    la_ref, lo_ref, h_ref = pymap3d.ecef2geodetic(r[:, 0], r[:, 1], r[:, 2], ell=ELL, deg=False)
    rho = np.linalg.norm(r, axis=-1)
    assert np.max(np.abs(hh - h_ref)) < TOL_M
    assert np.max(np.abs(la - la_ref) * rho) < TOL_M
    dlon = np.abs((lo - lo_ref + math.pi) % (2 * math.pi) - math.pi)
    assert np.max(dlon * np.hypot(r[:, 0], r[:, 1])) < TOL_M


def test_geodetic_to_aer_vs_pymap3d(points: tuple[np.ndarray, ...]) -> None:
    """geodetic_to_aer vs pymap3d.geodetic2aer (target first there): range < 1e-3 m, az and el
    within 1e-3 m / range."""
    lat, lon, h = points
    rng = np.random.default_rng(1)
    lat0 = rng.uniform(-89, 89, lat.size)
    lon0 = rng.uniform(-180, 180, lat.size)
    h0 = rng.uniform(-100, 5e3, lat.size)
    az, el, sr = E.geodetic_to_aer(
        np.radians(lat0), np.radians(lon0), h0, np.radians(lat), np.radians(lon), h
    )
    az_ref, el_ref, sr_ref = pymap3d.geodetic2aer(lat, lon, h, lat0, lon0, h0, ell=ELL, deg=True)
    az_ref, el_ref = np.radians(az_ref), np.radians(el_ref)
    assert np.max(np.abs(sr - sr_ref)) < TOL_M
    assert np.max(np.abs(el - el_ref) * sr) < TOL_M
    daz = np.abs((az - az_ref + math.pi) % (2 * math.pi) - math.pi)
    assert np.max(daz * sr * np.cos(el)) < TOL_M
    assert np.all((az >= 0.0) & (az < 2 * math.pi))


def test_ecef_to_enu_vs_pymap3d(points: tuple[np.ndarray, ...]) -> None:
    """ecef_to_enu vs pymap3d.ecef2enu: |d enu| < 1e-3 m."""
    lat, lon, h = points
    r = E.geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    lat0, lon0, h0 = 34.2, -117.8, 1200.0
    enu = E.ecef_to_enu(r, math.radians(lat0), math.radians(lon0), h0)
    ref = np.stack(
        pymap3d.ecef2enu(r[:, 0], r[:, 1], r[:, 2], lat0, lon0, h0, ell=ELL, deg=True), axis=-1
    )
    assert np.max(np.linalg.norm(enu - ref, axis=-1)) < TOL_M


@settings(max_examples=100, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-10e3, 40_000e3))
def test_round_trip_vs_pymap3d_hypothesis(lat: float, lon: float, h: float) -> None:
    """Single points (hypothesis): geodetic_to_ecef vs pymap3d.geodetic2ecef, < 1e-3 m."""
    r = E.geodetic_to_ecef(math.radians(lat), math.radians(lon), h)
    ref = np.array(pymap3d.geodetic2ecef(lat, lon, h, ell=ELL, deg=True))
    assert np.linalg.norm(r - ref) < TOL_M


FWD = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def test_geodetic_to_ecef_vs_pyproj(points: tuple[np.ndarray, ...]) -> None:
    """geodetic_to_ecef vs PROJ EPSG:4979 -> EPSG:4978 (always_xy: lon, lat, h in degrees),
    h up to 40,000 km: < 1e-3 m."""
    lat, lon, h = points
    ref = np.stack(FWD.transform(lon, lat, h), axis=-1)
    r = E.geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    assert np.max(np.linalg.norm(r - ref, axis=-1)) < TOL_M


def test_ecef_to_geodetic_vs_pyproj(low_points: tuple[np.ndarray, ...]) -> None:
    """ecef_to_geodetic vs PROJ EPSG:4978 -> EPSG:4979, h <= 100 km: < 1e-3 m."""
    lat, lon, h = low_points
    r = E.geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    inv = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    lo_ref, la_ref, h_ref = inv.transform(r[:, 0], r[:, 1], r[:, 2])
    la, lo, hh = E.ecef_to_geodetic(r)
    assert np.max(np.abs(hh - h_ref)) < TOL_M
    assert np.max(np.abs(la * R2D - la_ref) / R2D * np.linalg.norm(r, axis=-1)) < TOL_M
    dlon = np.abs((lo * R2D - lo_ref + 180.0) % 360.0 - 180.0) / R2D
    assert np.max(dlon * np.hypot(r[:, 0], r[:, 1])) < TOL_M


def test_ecef_to_geodetic_high_altitude_consistency(points: tuple[np.ndarray, ...]) -> None:
    """Up to 40,000 km: the forward transforms of PROJ and pymap3d map our inverse
    (lat, lon, h) back onto the input ECEF position within 1e-6 m (no finite-precision loss)."""
    lat, lon, h = points
    r = E.geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    la, lo, hh = E.ecef_to_geodetic(r)
    r_proj = np.stack(FWD.transform(lo * R2D, la * R2D, hh), axis=-1)
    r_pm = np.stack(pymap3d.geodetic2ecef(la, lo, hh, ell=ELL, deg=False), axis=-1)
    assert np.max(np.linalg.norm(r_proj - r, axis=-1)) < 1e-6
    assert np.max(np.linalg.norm(r_pm - r, axis=-1)) < 1e-6
