"""Footprints: the area an interceptor site defends against threats from a launch area.

A grid point (an aim point) is defended when every threat aimed at it from the launch area can
be engaged at least once (twice: shoot-look-shoot). The threats are real flyouts: from each
launch point a fan of minimum-energy trajectories (azimuths across the grid's sector x ranges
up to the missile's reach, thrust cut-off and loft from the minimum-energy family) is flown as
one batch with rotation, J2 and drag; their fire-control track times come from the sensors
(own radars, and remote ones when engage-on-remote is allowed), their engagement windows from
the interceptor's fly-out table. Each grid point takes the verdict of the fan trajectory whose
impact point is nearest to it (in local east/north km around the launch point), provided that
point lies inside the fan: within the range span of that member's azimuth ray (half a range
step either side) and within one ray spacing of it in azimuth. Otherwise the point is out of
the threat's reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from bmdsim.engagement.engage import PlacedSensor, fire_control_times
from bmdsim.engagement.windows import TimeToReach, engagement_windows
from bmdsim.physics.aiming import minimum_energy_family
from bmdsim.physics.earth import geodesic_inverse
from bmdsim.physics.flyout import FlyoutSettings, VehicleArrays, fly_missiles
from bmdsim.physics.trajectory import Trajectories

FloatArray = NDArray[np.float64]
EARTH_AREA_RADIUS_M = 6371.0e3  # mean radius for cell areas (IUGG R1)


@dataclass(frozen=True)
class Footprint:
    """Defended grid: (n_lat, n_lon) arrays over `lat_deg` x `lon_deg` cell centres."""

    lat_deg: FloatArray
    lon_deg: FloatArray
    threatened: NDArray[np.bool_]  # some launch point reaches it
    defended_once: NDArray[np.bool_]
    defended_twice: NDArray[np.bool_]
    cell_area_km2: FloatArray
    n_threats: int

    @property
    def area_once_km2(self) -> float:
        return float(self.cell_area_km2[self.defended_once].sum())

    @property
    def area_twice_km2(self) -> float:
        return float(self.cell_area_km2[self.defended_twice].sum())


def threat_fan(
    vehicle: VehicleArrays,
    launch_lat_rad: FloatArray,
    launch_lon_rad: FloatArray,
    center_az_rad: FloatArray,
    *,
    half_width_rad: float,
    n_az: int,
    n_range: int,
    settings: FlyoutSettings,
) -> tuple[Trajectories, NDArray[np.int64]]:
    """Minimum-energy fans from each launch point (one batch); returns the trajectories and
    the launch-point index of each."""
    lat_l, lon_l, az_l, cut_l, loft_l, owner = [], [], [], [], [], []
    for i, (la, lo, az0) in enumerate(zip(launch_lat_rad, launch_lon_rad, center_az_rad,
                                          strict=True)):  # fmt: skip
        cuts, lofts, rngs = minimum_energy_family(vehicle, la, lo, az0, k=14, settings=settings)
        lofts, rngs = lofts[0], rngs[0]
        keep = np.isfinite(rngs) & (rngs > 0)  # cut-offs too early to fly anywhere
        cuts, lofts, rngs = cuts[keep], lofts[keep], rngs[keep]
        levels = np.linspace(rngs[0], rngs[-1], n_range)
        c = np.interp(levels, rngs, cuts)
        lf = np.interp(levels, rngs, lofts)
        azs = az0 + np.linspace(-half_width_rad, half_width_rad, n_az)
        aa, jj = np.meshgrid(azs, np.arange(n_range), indexing="ij")
        lat_l.append(np.full(aa.size, la))
        lon_l.append(np.full(aa.size, lo))
        az_l.append(aa.ravel())
        cut_l.append(c[jj.ravel()])
        loft_l.append(lf[jj.ravel()])
        owner.append(np.full(aa.size, i))
    traj = fly_missiles(
        vehicle, np.concatenate(lat_l), np.concatenate(lon_l), np.concatenate(az_l),
        np.concatenate(loft_l), cutoff_s=np.concatenate(cut_l), settings=settings,
    )  # fmt: skip
    return traj, np.concatenate(owner)


def _local_xy(lat0: float, lon0: float, lat: FloatArray, lon: FloatArray, earth: object
              ) -> FloatArray:  # fmt: skip
    """Azimuthal-equidistant east/north coordinates (m) around (lat0, lon0)."""
    d, az, _ = geodesic_inverse(np.full(lat.shape, lat0), np.full(lat.shape, lon0), lat, lon,
                                earth)  # type: ignore[arg-type]  # fmt: skip
    return np.stack([d * np.sin(az), d * np.cos(az)], axis=-1)


def footprint(
    site_r_ecef_m: FloatArray,
    table: TimeToReach,
    vehicle: VehicleArrays,
    sensors: list[PlacedSensor],
    launch_lat_deg: FloatArray,
    launch_lon_deg: FloatArray,
    grid_lat_deg: FloatArray,
    grid_lon_deg: FloatArray,
    *,
    remote_allowed: bool = False,
    latency_s: float = 0.0,
    rcs_m2: float = 0.01,
    launch_delay_s: float = 0.0,
    kill_assessment_s: float = 30.0,
    fire_time_s: float | None = None,
    n_az: int = 61,
    n_range: int = 40,
    settings: FlyoutSettings | None = None,
    extra_points_deg: FloatArray | None = None,
) -> tuple[Footprint, NDArray[np.int64]]:
    """The footprint of one site (one interceptor type) against one missile type launched from
    the given points, on the grid of cell centres. `fire_time_s` overrides the sensors with an
    assumed track time after launch (the 'perfect cueing' assumption of kinematic studies).

    Returns the footprint and, for `extra_points_deg` (M, 2) lat/lon (e.g. cities), the number
    of shots that fit against every threat to them (min over launch points; -1: not
    threatened)."""
    st = (settings or FlyoutSettings()).with_(sample_dt_s=2.0)
    llat, llon = np.radians(launch_lat_deg), np.radians(launch_lon_deg)
    glat, glon = np.meshgrid(grid_lat_deg, grid_lon_deg, indexing="ij")
    center = (np.radians(glat.mean()), np.radians(glon.mean()))
    _, az_c, _ = geodesic_inverse(llat, llon, np.full(llat.shape, center[0]),
                                  np.full(llat.shape, center[1]), st.earth)  # fmt: skip
    # sector: wide enough to cover the whole region (its boundary sampled densely) as seen from
    # every launch point; all around when a launch point lies inside the region
    edge = np.linspace(0.0, 1.0, 60)
    la0, la1, lo0, lo1 = glat.min(), glat.max(), glon.min(), glon.max()
    b_lat = np.radians(np.r_[la0 + 0 * edge, la1 + 0 * edge, la0 + (la1 - la0) * edge,
                             la0 + (la1 - la0) * edge])  # fmt: skip
    b_lon = np.radians(np.r_[lo0 + (lo1 - lo0) * edge, lo0 + (lo1 - lo0) * edge,
                             lo0 + 0 * edge, lo1 + 0 * edge])  # fmt: skip
    half = 0.0
    for la, lo, a in zip(llat, llon, az_c, strict=True):
        inside = la0 <= np.degrees(la) <= la1 and lo0 <= np.degrees(lo) <= lo1
        _, azs, _ = geodesic_inverse(np.full(b_lat.size, la), np.full(b_lat.size, lo), b_lat,
                                     b_lon, st.earth)  # fmt: skip
        spread = float(np.max(np.abs(np.angle(np.exp(1j * (azs - a))))))
        half = max(half, np.pi if inside else spread)
    half = min(half + np.radians(3.0), np.pi * (1.0 - 1.0 / n_az))
    traj, owner = threat_fan(vehicle, llat, llon, az_c, half_width_rad=half, n_az=n_az,
                             n_range=n_range, settings=st)  # fmt: skip
    if fire_time_s is None:
        fire = fire_control_times(sensors, traj, rcs_m2=rcs_m2, remote_allowed=remote_allowed,
                                  latency_s=latency_s)  # fmt: skip
    else:
        fire = np.full(traj.size, float(fire_time_s))
    w = engagement_windows(np.atleast_2d(site_r_ecef_m), table, traj, fire[None, :],
                           launch_delay_s=launch_delay_s,
                           kill_assessment_s=kill_assessment_s)  # fmt: skip
    shots = np.where(traj.ok, w.n_shoot_look_shoot[0], 0)
    ilat, ilon = traj.impact_lat_lon_rad
    queries = [np.radians(np.stack([glat.ravel(), glon.ravel()], axis=1))]
    if extra_points_deg is not None and len(extra_points_deg):
        queries.append(np.radians(np.asarray(extra_points_deg, dtype=float)))
    q = np.concatenate(queries)
    min_shots = np.full(q.shape[0], np.iinfo(np.int64).max)
    threatened = np.zeros(q.shape[0], dtype=bool)
    for i in range(llat.size):
        block = np.flatnonzero(owner == i)  # az-major: ray = position // n_range
        ray = np.arange(block.size) // n_range
        ok = traj.ok[block]
        mine, ray = block[ok], ray[ok]
        pts = _local_xy(llat[i], llon[i], ilat[mine], ilon[mine], st.earth)
        tree = cKDTree(pts)
        xy = _local_xy(llat[i], llon[i], q[:, 0], q[:, 1], st.earth)
        _, j = tree.query(xy)
        # reach: inside the fan's sector and within the range span of the nearest member's ray,
        # half a range step either side (never beyond the farthest impact on that azimuth by
        # more than that); the verdict is the nearest member's
        d_imp = np.hypot(pts[:, 0], pts[:, 1])
        az_imp = np.arctan2(pts[:, 0], pts[:, 1])
        n_rays = int(ray.max()) + 1 if ray.size else 0
        r_lo = np.full(n_rays, np.inf)
        r_hi = np.full(n_rays, -np.inf)
        np.minimum.at(r_lo, ray, d_imp)
        np.maximum.at(r_hi, ray, d_imp)
        half_step = 0.5 * (r_hi - r_lo) / max(n_range - 1, 1)
        d_q = np.hypot(xy[:, 0], xy[:, 1])
        az_q = np.arctan2(xy[:, 0], xy[:, 1])
        half_daz = half / max(n_az - 1, 1)  # half the nominal spacing of the rays
        rj = ray[j]
        in_sector = np.abs(np.angle(np.exp(1j * (az_q - az_imp[j])))) <= 2.0 * half_daz + 1e-9
        reach = (d_q >= r_lo[rj] - half_step[rj]) & (d_q <= r_hi[rj] + half_step[rj]) & in_sector
        threatened |= reach
        min_shots = np.where(reach, np.minimum(min_shots, shots[mine][j]), min_shots)
    min_shots = np.where(threatened, min_shots, -1)
    n_grid = glat.size
    g_shots = min_shots[:n_grid].reshape(glat.shape)
    dlat = np.radians(abs(grid_lat_deg[1] - grid_lat_deg[0])) if grid_lat_deg.size > 1 else 0.0
    dlon = np.radians(abs(grid_lon_deg[1] - grid_lon_deg[0])) if grid_lon_deg.size > 1 else 0.0
    area = (EARTH_AREA_RADIUS_M / 1e3) ** 2 * dlat * dlon * np.cos(np.radians(glat))
    fp = Footprint(
        lat_deg=np.asarray(grid_lat_deg, dtype=float),
        lon_deg=np.asarray(grid_lon_deg, dtype=float),
        threatened=g_shots >= 0, defended_once=g_shots >= 1, defended_twice=g_shots >= 2,
        cell_area_km2=area, n_threats=int(traj.size),
    )  # fmt: skip
    return fp, min_shots[n_grid:]
