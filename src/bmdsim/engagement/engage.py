"""One threat against one interceptor site: the detection/track timeline and the engagement
window. The object shell that turns catalog entries (settings) into the physics' plain
models (`RadarGeometry`, `InterceptorKinematics`) and runs visibility, track and window.

Track timeline of a radar: a fire-control-quality track is in hand at the start of the first
visibility window that lasts at least the radar's track-establishment time, plus that time
(custody afterwards is not required: a documented assumption). Only radars with
`fire_control: true` give engagement-quality tracks. The site's own radars always count;
other radars count when engage-on-remote / launch-on-remote is allowed, with the data latency
added. Space-based early warning detects the launch after its delay and
gives a warning only (no track)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bmdsim.engagement.flyout_table import FlyoutTable, InterceptorKinematics, get_flyout_table
from bmdsim.engagement.visibility import RadarGeometry, Visibility, observe
from bmdsim.engagement.windows import EngagementWindow, engagement_windows, site_ecef
from bmdsim.models.interceptors import Interceptor
from bmdsim.models.sensors import Sensor
from bmdsim.models.sites import Site
from bmdsim.physics.earth import ecef_to_geodetic, geodesic_inverse
from bmdsim.physics.trajectory import Trajectories

#: Radar cross-section assumed for a reentry vehicle when the scenario gives none (m^2): the
#: order of magnitude used by Wilkening 2012 and Lewis & Postol for a conical RV, nose-on.
DEFAULT_RV_RCS_M2 = 0.01


def radar_geometry(sensor: Sensor, lat_deg: float, lon_deg: float, alt_m: float) -> RadarGeometry:
    """A catalog radar placed at a point (its site, or a ship's position)."""
    if sensor.max_range_km is None:
        raise ValueError(f"sensor {sensor.name}: no max_range_km (not a radar)")

    def deg(q: Any, default: float) -> float:
        return math.radians(q.value) if q is not None else math.radians(default)

    return RadarGeometry(
        name=sensor.label,
        lat_rad=math.radians(lat_deg),
        lon_rad=math.radians(lon_deg),
        alt_m=alt_m,
        max_range_m=sensor.max_range_km.value * 1e3,
        reference_rcs_m2=sensor.reference_rcs_m2.value if sensor.reference_rcs_m2 else 1.0,
        boresight_az_rad=deg(sensor.boresight_azimuth_deg, 0.0),
        az_half_width_rad=deg(sensor.azimuth_half_width_deg, 180.0),
        el_min_rad=deg(sensor.min_elevation_deg, 0.0),
        el_max_rad=deg(sensor.max_elevation_deg, 90.0),
    )


def site_flyout_table(
    interceptor: Interceptor, site: Site, toward_lat_deg: float, toward_lon_deg: float
) -> FlyoutTable:
    """The interceptor's fly-out table at the site's latitude and altitude, flown toward the
    given point (the threat's origin): the rotating Earth makes tables depend on both
    (docs/model/interceptor-flyout.md)."""
    lat, lon = math.radians(site.lat_deg.value), math.radians(site.lon_deg.value)
    _, az, _ = geodesic_inverse(lat, lon, math.radians(toward_lat_deg),
                                math.radians(toward_lon_deg))  # fmt: skip
    return get_flyout_table(kinematics(interceptor), site_lat_rad=lat,
                            site_alt_m=site.altitude_m.value, azimuth_rad=float(az))  # fmt: skip


def kinematics(interceptor: Interceptor) -> InterceptorKinematics:
    """The fly-out model parameters of a catalog interceptor."""
    return InterceptorKinematics(
        burnout_speed_m_s=interceptor.burnout_speed_km_s.value * 1e3,
        burn_time_s=interceptor.booster_burn_time_s.value,
        min_intercept_alt_m=interceptor.min_intercept_altitude_km.value * 1e3,
        max_intercept_alt_m=interceptor.max_intercept_altitude_km.value * 1e3,
        max_flyout_time_s=interceptor.max_flyout_time_s.value,
    )


@dataclass(frozen=True)
class PlacedSensor:
    """A catalog sensor at a position; `own` if it belongs to the engaging site."""

    sensor: Sensor
    lat_deg: float
    lon_deg: float
    alt_m: float
    own: bool


@dataclass(frozen=True)
class TrackEvent:
    sensor: str
    own: bool
    fire_control: bool
    detect_s: float  # first visibility (radar) or warning time (space EW); nan: never
    track_s: float  # fire-control track in hand at the engaging site (inf: never)
    windows: list[tuple[float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class EngageResult:
    site: str
    interceptor: str
    timeline: list[TrackEvent]
    fire_time_s: float
    window: EngagementWindow


def placed_sensors(site: Site, extra: list[tuple[Sensor, Site]]) -> list[PlacedSensor]:
    own = [
        PlacedSensor(s, site.lat_deg.value, site.lon_deg.value, site.altitude_m.value, True)
        for s in _site_sensors(site)
    ]
    others = [
        PlacedSensor(s, where.lat_deg.value, where.lon_deg.value, where.altitude_m.value, False)
        for s, where in extra
    ]
    return own + others


def _site_sensors(site: Site) -> list[Sensor]:
    from bmdsim.models.sensors import get_sensor

    return [get_sensor(name) for name in site.sensors]


def sensor_track_times(
    ps: PlacedSensor,
    traj: Trajectories,
    *,
    rcs_m2: float = DEFAULT_RV_RCS_M2,
    remote_allowed: bool = False,
    latency_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, Visibility | None]:
    """Detection and fire-control track times (N,) of every threat of the batch by one sensor
    (nan / inf: never), and its visibility windows (None for space-based warning).

    A track needs the target in view for the whole establishment time: it is in hand at the
    start of the first window that long plus that time (plus the latency for a remote
    sensor). Space-based early warning detects after its delay and never gives a track."""
    s = ps.sensor
    n = traj.size
    if s.kind == "space-ew":
        delay = s.detection_delay_s.value if s.detection_delay_s else math.nan
        return np.full(n, delay), np.full(n, math.inf), None
    vis = observe(radar_geometry(s, ps.lat_deg, ps.lon_deg, ps.alt_m), traj, rcs_m2)
    detect = vis.start_s[:, 0]
    track = np.full(n, math.inf)
    if s.fire_control and (ps.own or remote_allowed):
        t_est = s.track_establish_time_s.value
        long_enough = (vis.end_s - vis.start_s) >= t_est
        first = np.where(long_enough, vis.start_s, np.inf).min(axis=1)
        track = first + t_est + (0.0 if ps.own else latency_s)
    return detect, track, vis


def track_timeline(
    sensors: list[PlacedSensor],
    traj: Trajectories,
    *,
    rcs_m2: float = DEFAULT_RV_RCS_M2,
    remote_allowed: bool = False,
    latency_s: float = 0.0,
) -> list[TrackEvent]:
    """Detection and track times of one threat (trajectory 0 of `traj`) by each sensor."""
    events = []
    for ps in sensors:
        detect, track, vis = sensor_track_times(
            ps, traj, rcs_m2=rcs_m2, remote_allowed=remote_allowed, latency_s=latency_s
        )
        wins = []
        if vis is not None:
            wins = [(float(a), float(b)) for a, b in zip(vis.start_s[0], vis.end_s[0], strict=True)
                    if np.isfinite(a)]  # fmt: skip
        s = ps.sensor
        events.append(TrackEvent(s.label, ps.own, s.fire_control and s.kind != "space-ew",
                                 float(detect[0]), float(track[0]), wins))  # fmt: skip
    return events


def fire_control_times(
    sensors: list[PlacedSensor],
    traj: Trajectories,
    *,
    rcs_m2: float = DEFAULT_RV_RCS_M2,
    remote_allowed: bool = False,
    latency_s: float = 0.0,
) -> np.ndarray:
    """(N,) earliest fire-control track time at the engaging site, over all its sensors."""
    fire = np.full(traj.size, math.inf)
    for ps in sensors:
        _, track, _ = sensor_track_times(
            ps, traj, rcs_m2=rcs_m2, remote_allowed=remote_allowed, latency_s=latency_s
        )
        fire = np.minimum(fire, track)
    return fire


def engage(
    site: Site,
    interceptor: Interceptor,
    traj: Trajectories,
    *,
    extra_sensors: list[tuple[Sensor, Site]] | None = None,
    remote_allowed: bool = False,
    latency_s: float = 0.0,
    rcs_m2: float = DEFAULT_RV_RCS_M2,
    launch_delay_s: float = 0.0,
    kill_assessment_s: float = 30.0,
) -> EngageResult:
    """Timeline and engagement window of `site` firing `interceptor` at threat 0 of `traj`."""
    sensors = placed_sensors(site, extra_sensors or [])
    timeline = track_timeline(sensors, traj, rcs_m2=rcs_m2, remote_allowed=remote_allowed,
                              latency_s=latency_s)  # fmt: skip
    fire = min((e.track_s for e in timeline), default=math.inf)
    lat0, lon0, _ = ecef_to_geodetic(traj.launch_r_ecef_m[0], traj.earth)
    table = site_flyout_table(interceptor, site, math.degrees(lat0), math.degrees(lon0))
    pos = site_ecef(
        math.radians(site.lat_deg.value), math.radians(site.lon_deg.value),
        site.altitude_m.value, traj,
    )  # fmt: skip
    window = engagement_windows(pos, table, traj, fire_time_s=fire,
                                launch_delay_s=launch_delay_s,
                                kill_assessment_s=kill_assessment_s)  # fmt: skip
    return EngageResult(site.name, interceptor.label, timeline, fire, window)


def intercept_geodetic(window: EngagementWindow, traj: Trajectories) -> dict[str, Any]:
    """Earliest and latest intercept points as lat/lon (deg) and altitude (km)."""
    out: dict[str, Any] = {}
    for which, r in (("earliest", window.earliest_intercept_r_ecef_m[0, 0]),
                     ("latest", window.latest_intercept_r_ecef_m[0, 0])):  # fmt: skip
        if np.all(np.isfinite(r)):
            lat, lon, alt = ecef_to_geodetic(r, traj.earth)
            out[which] = {"lat_deg": float(np.degrees(lat)), "lon_deg": float(np.degrees(lon)),
                          "alt_km": float(alt) / 1e3}  # fmt: skip
        else:
            out[which] = None
    return out
