"""Radar visibility windows against a geometric oracle (issue 3 'must show': a radar cannot
see a target below its horizon; window start and end times agree with a geometric oracle
within 1 s).

Oracle: on the non-rotating sphere the radar's local horizontal plane is perpendicular to its
position vector, so the target is above the horizon exactly when (r_target - r_radar) . r_radar
>= 0; the oracle evaluates that on the integrator's own samples every 10 ms (the model works
from 1 s samples, bisection on the cubic Hermite interpolant)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.engagement.visibility import observe, radar_at, visibility_margin
from bmdsim.physics.earth import EarthModel, geodetic_to_ecef
from bmdsim.physics.flyout import FlyoutSettings, fly_free

SPHERE = EarthModel.sphere(rotation=False)
COARSE = FlyoutSettings(earth=SPHERE, drag=False, sample_dt_s=1.0)
FINE = COARSE.with_(sample_dt_s=0.01)
WINDOW_TOLERANCE_S = 1.0  # issue 3


def oracle_windows(radar_lat: float, radar_lon: float, speed: float, gamma: float,
                   az: float) -> list[tuple[float, float]]:  # fmt: skip
    tr = fly_free(0.0, 0.0, 0.0, speed, gamma, az, settings=FINE)
    t, r, _ = tr.samples(0)
    rr = geodetic_to_ecef(radar_lat, radar_lon, 0.0, SPHERE)
    up = (r - rr) @ rr >= 0.0
    edges = np.flatnonzero(np.diff(up.astype(int)))
    out, start = [], (t[0] if up[0] else None)
    for e in edges:
        if up[e + 1]:
            start = 0.5 * (t[e] + t[e + 1])
        else:
            out.append((start, 0.5 * (t[e] + t[e + 1])))
            start = None
    if start is not None:
        out.append((start, t[-1]))
    return out


@pytest.mark.parametrize(
    ("radar_lat_deg", "radar_lon_deg", "speed", "gamma_deg"),
    [
        (12.0, 0.0, 3000.0, 45.0),  # downrange radar: sees the missile rise and set
        (6.0, 3.0, 4500.0, 40.0),  # off-track radar
        (-8.0, 0.0, 2500.0, 60.0),  # radar behind the launch point
    ],
)
def test_window_times_agree_with_the_horizon_oracle(
    radar_lat_deg: float, radar_lon_deg: float, speed: float, gamma_deg: float
) -> None:
    lat, lon = math.radians(radar_lat_deg), math.radians(radar_lon_deg)
    radar = radar_at("test", radar_lat_deg, radar_lon_deg, 0.0, max_range_km=1e5)
    tr = fly_free(0.0, 0.0, 0.0, speed, math.radians(gamma_deg), 0.0, settings=COARSE)
    vis = observe(radar, tr)
    expected = oracle_windows(lat, lon, speed, math.radians(gamma_deg), 0.0)
    got = [(a, b) for a, b in zip(vis.start_s[0], vis.end_s[0], strict=True) if np.isfinite(a)]
    assert len(got) == len(expected) >= 1
    for (a, b), (ea, eb) in zip(got, expected, strict=True):
        assert abs(a - ea) < WINDOW_TOLERANCE_S
        assert abs(b - eb) < WINDOW_TOLERANCE_S


@settings(max_examples=25, deadline=None)
@given(
    rlat=st.floats(-20.0, 20.0),
    rlon=st.floats(-20.0, 20.0),
    speed=st.floats(1500.0, 6000.0),
    gamma=st.floats(15.0, 75.0),
    az=st.floats(0.0, 360.0),
)
def test_never_visible_below_the_horizon(
    rlat: float, rlon: float, speed: float, gamma: float, az: float
) -> None:
    radar = radar_at("test", rlat, rlon, 0.0, max_range_km=1e5)
    tr = fly_free(0.0, 0.0, 0.0, speed, math.radians(gamma), math.radians(az), settings=COARSE)
    vis = observe(radar, tr)
    t = np.linspace(0.0, float(tr.impact_time_s[0]), 400)
    r, _ = tr.at(t[None, :])
    rr = geodetic_to_ecef(math.radians(rlat), math.radians(rlon), 0.0, SPHERE)
    below = (r[0] - rr) @ rr < -1.0  # clearly below the horizon (1 m margin)
    inside = np.zeros_like(t, dtype=bool)
    for a, b in zip(vis.start_s[0], vis.end_s[0], strict=True):
        if np.isfinite(a):
            inside |= (t >= a + 1e-3) & (t <= b - 1e-3)
    assert not np.any(inside & below)


def test_detection_range_scales_as_the_fourth_root_of_rcs() -> None:
    radar = radar_at("r", 0.0, 0.0, 0.0, max_range_km=1000.0, reference_rcs_m2=1.0)
    assert radar.range_against(16.0) == pytest.approx(2000e3)
    assert radar.range_against(0.01) == pytest.approx(1000e3 * 0.01**0.25)


def test_field_of_regard_and_range_limit() -> None:
    """South of the launch point, a radar looking south (+-60 deg) never sees a northbound
    missile that an all-round radar there sees; a short-range radar sees less."""
    tr = fly_free(0.0, 0.0, 0.0, 3000.0, math.radians(45.0), 0.0, settings=COARSE)
    around = observe(radar_at("a", -3.0, 0.0, 0.0, 1e5), tr)
    away = observe(radar_at("b", -3.0, 0.0, 0.0, 1e5, boresight_az_deg=180.0,
                            az_half_width_deg=60.0), tr)  # fmt: skip
    short = observe(radar_at("c", -3.0, 0.0, 0.0, 500.0), tr)
    assert around.seen[0] and not away.seen[0]
    assert short.duration_s()[0] < around.duration_s()[0]
    # the range limit binds exactly at the window edges
    r, _ = tr.at(short.start_s[:, :1])
    g = visibility_margin(radar_at("c", -3.0, 0.0, 0.0, 500.0), r, 1.0, SPHERE)
    assert abs(float(g[0, 0])) < 1e-3
