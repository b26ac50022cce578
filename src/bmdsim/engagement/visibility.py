"""Who can see a missile, and when: radar visibility windows over batches of trajectories.

A radar (ground site or ship) at a geodetic point sees a target when, all at once:

* the elevation of the line of sight above the radar's local (geodetic) horizontal is within
  [el_min, el_max]: Earth curvature and the horizon come from this test, since a target
  below the radar's horizon has a negative elevation (refraction neglected: the 4/3-Earth
  radio horizon would move the horizon range of a 100 km high target from 1,122 to 1,297 km
  for a radar at sea level, see docs/model/sensors.md);
* the azimuth is within the field of regard, `az_half_width` either side of the boresight
  (pi: all around);
* the slant range is at most the detection range against the target's radar cross-section,
  R_max (sigma / sigma_ref)^(1/4) (radar range equation at fixed signal-to-noise).

The visibility margin g(t) is the smallest of the normalized constraint margins (radians, and
range margin / R_max): continuous, positive exactly when the target is visible. Windows are
the intervals where g > 0: sign changes between trajectory samples are bracketed on the
samples and located by bisection on the trajectory's Hermite interpolant
(`Trajectories.at`), vectorized over every (radar, trajectory) crossing at once (the same
root-finding idea as the flyout's events: the sign change of a scalar function, never the
nearest sample).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bmdsim.physics.earth import EarthModel, ecef_to_enu, enu_to_aer
from bmdsim.physics.trajectory import Trajectories

FloatArray = NDArray[np.float64]

#: Root-finding tolerance on window start and end times (s).
WINDOW_TIME_TOL_S = 1e-3


@dataclass(frozen=True)
class RadarGeometry:
    """Where a radar is and what it covers (SI units, radians)."""

    name: str
    lat_rad: float
    lon_rad: float
    alt_m: float
    max_range_m: float  # against the reference cross-section
    reference_rcs_m2: float = 1.0
    boresight_az_rad: float = 0.0
    az_half_width_rad: float = np.pi  # pi: 360 deg coverage
    el_min_rad: float = 0.0
    el_max_rad: float = np.pi / 2

    def __post_init__(self) -> None:
        if not self.max_range_m > 0:
            raise ValueError(f"{self.name}: max_range_m must be > 0, got {self.max_range_m}")
        if not self.reference_rcs_m2 > 0:
            raise ValueError(f"{self.name}: reference_rcs_m2 must be > 0")
        if not 0 < self.az_half_width_rad <= np.pi:
            raise ValueError(f"{self.name}: az_half_width_rad must be in (0, pi]")
        if not -np.pi / 2 <= self.el_min_rad < self.el_max_rad <= np.pi / 2:
            raise ValueError(f"{self.name}: need -90 deg <= el_min < el_max <= 90 deg")

    def range_against(self, rcs_m2: float) -> float:
        """Detection range against a target of cross-section rcs_m2: R (s / s_ref)^(1/4)."""
        if not rcs_m2 > 0:
            raise ValueError(f"rcs_m2 must be > 0, got {rcs_m2}")
        return self.max_range_m * (rcs_m2 / self.reference_rcs_m2) ** 0.25


def visibility_margin(
    radar: RadarGeometry, r_ecef_m: FloatArray, rcs_m2: float, earth: EarthModel
) -> FloatArray:
    """g: the smallest normalized margin of the radar's constraints at each position (...,3):
    > 0 visible, < 0 not (elevation and azimuth margins in rad; range margin / R_max)."""
    enu = ecef_to_enu(r_ecef_m, radar.lat_rad, radar.lon_rad, radar.alt_m, earth)
    az, el, rng = enu_to_aer(enu[..., 0], enu[..., 1], enu[..., 2])
    r_max = radar.range_against(rcs_m2)
    d_az = np.abs(np.angle(np.exp(1j * (az - radar.boresight_az_rad))))
    m = np.minimum(el - radar.el_min_rad, radar.el_max_rad - el)
    if radar.az_half_width_rad < np.pi:
        m = np.minimum(m, radar.az_half_width_rad - d_az)
    return np.minimum(m, (r_max - rng) / r_max)


@dataclass(frozen=True)
class Visibility:
    """Radar x trajectory batch -> visibility windows (times in s after launch; NaN: none).

    `start_s`/`end_s` have shape (N, W): up to W windows per trajectory, in time order."""

    radar: str
    start_s: FloatArray
    end_s: FloatArray

    @property
    def first_start_s(self) -> FloatArray:
        return self.start_s[:, 0]

    @property
    def seen(self) -> NDArray[np.bool_]:
        return np.isfinite(self.start_s[:, 0])

    def duration_s(self) -> FloatArray:
        return np.nansum(self.end_s - self.start_s, axis=1)


def _bisect_crossings(
    radar: RadarGeometry,
    traj: Trajectories,
    rows: NDArray[np.int64],
    t_lo: FloatArray,
    t_hi: FloatArray,
    g_lo_positive: NDArray[np.bool_],
    rcs_m2: float,
) -> FloatArray:
    """Times of the sign change of g inside [t_lo, t_hi] for trajectories `rows`, by bisection
    on the Hermite interpolant, all brackets at once."""
    lo, hi = t_lo.copy(), t_hi.copy()
    sub = _subset(traj, rows)
    while np.any(hi - lo > WINDOW_TIME_TOL_S):
        mid = 0.5 * (lo + hi)
        r, _ = sub.at(mid)
        pos = visibility_margin(radar, r, rcs_m2, traj.earth) > 0
        same = pos == g_lo_positive
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def _subset(traj: Trajectories, rows: NDArray[np.int64]) -> Trajectories:
    """The trajectories `rows` (repeats allowed) as a batch of their own, for `at`."""
    return Trajectories(
        status=traj.status[rows], t_s=traj.t_s[rows], r_ecef_m=traj.r_ecef_m[rows],
        v_ecef_m_s=traj.v_ecef_m_s[rows], n_samples=traj.n_samples[rows],
        event_t_s=traj.event_t_s[rows], event_r_ecef_m=traj.event_r_ecef_m[rows],
        event_v_ecef_m_s=traj.event_v_ecef_m_s[rows],
        stage_burnout_t_s=traj.stage_burnout_t_s[rows],
        launch_r_ecef_m=traj.launch_r_ecef_m[rows], earth=traj.earth, n_steps=traj.n_steps[rows],
    )  # fmt: skip


def observe(radar: RadarGeometry, traj: Trajectories, rcs_m2: float = 1.0) -> Visibility:
    """Visibility windows of `radar` over every trajectory of the batch (sampled flights)."""
    if traj.t_s.shape[1] < 2:
        raise ValueError("observe needs sampled trajectories (FlyoutSettings.sample_dt_s)")
    n, t_cols = traj.t_s.shape
    valid = np.arange(t_cols)[None, :] < traj.n_samples[:, None]
    g = visibility_margin(radar, traj.r_ecef_m, rcs_m2, traj.earth)
    vis = np.where(valid, g > 0, False)
    # transitions between consecutive valid samples
    change = vis[:, 1:] != vis[:, :-1]
    change &= valid[:, 1:]
    rows, cols = np.nonzero(change)
    t_cross = _bisect_crossings(
        radar, traj, rows, traj.t_s[rows, cols], traj.t_s[rows, cols + 1], vis[rows, cols], rcs_m2
    )
    rising = ~vis[rows, cols]
    # windows that are open at the first sample or still open at the last one
    first_vis = vis[:, 0] & valid[:, 0]
    last_idx = np.maximum(traj.n_samples - 1, 0)
    last_vis = vis[np.arange(n), last_idx]
    starts: list[list[float]] = [[traj.t_s[i, 0]] if first_vis[i] else [] for i in range(n)]
    ends: list[list[float]] = [[] for _ in range(n)]
    for row, t, up in zip(rows, t_cross, rising, strict=True):
        (starts if up else ends)[int(row)].append(float(t))
    for i in range(n):
        if last_vis[i]:
            ends[i].append(float(traj.t_s[i, last_idx[i]]))
    w = max(1, max(len(s) for s in starts))
    start = np.full((n, w), np.nan)
    end = np.full((n, w), np.nan)
    for i in range(n):
        start[i, : len(starts[i])] = starts[i]
        end[i, : len(ends[i])] = ends[i]
    return Visibility(radar.name, start, end)


def radar_at(
    name: str,
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    max_range_km: float,
    *,
    reference_rcs_m2: float = 1.0,
    boresight_az_deg: float = 0.0,
    az_half_width_deg: float = 180.0,
    el_min_deg: float = 0.0,
    el_max_deg: float = 90.0,
) -> RadarGeometry:
    """A `RadarGeometry` from degrees and km (the units of the catalogs and the CLI)."""
    return RadarGeometry(
        name, np.radians(lat_deg), np.radians(lon_deg), alt_m, max_range_km * 1e3,
        reference_rcs_m2, np.radians(boresight_az_deg), np.radians(az_half_width_deg),
        np.radians(el_min_deg), np.radians(el_max_deg),
    )  # fmt: skip
