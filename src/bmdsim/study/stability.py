"""The strategic-stability study: could NATO interceptors reach Russian ICBMs headed for the US?

For each ICBM base x US target the ICBM is aimed and flown by the flyout layer (boost, rotating
Earth unless the preset says otherwise); for each NATO interceptor site x interceptor x cue:

* fire time ``f`` = the cue's time (the site's own radar's fire-control track, a named
  radar's track, or a space-based launch warning) + its latency + the preset's launch delay,
  in seconds after the ICBM's launch;
* with the interceptor's fly-out table (`bmdsim.engagement.flyout_table`, the site's latitude
  and altitude, the preset's Earth), every ICBM sample inside the interceptor's altitude band
  and fly-out time has a launch time ``t_i - tau_i``; the latest of them, ``L``, is the last
  moment a launch can still intercept: the ICBM is *reachable* iff ``L >= f``;
* the burnout speed *needed* is the least speed V with ``L(V) >= f``, from tables on a grid of
  speeds (`SPEED_GRID_KM_S`, plus the interceptor's own speed), linearly interpolated between
  the two grid speeds that bracket it; the *margin* is available minus needed (km/s; None
  where no speed of the grid reaches: the altitude band or the fly-out time forbids it).
  ``L(V)`` is taken nondecreasing in V (a faster interceptor can do whatever a slower one
  can: the running maximum over the grid), so the margin never grows as the launch delay
  grows or the burnout speed falls;
* the engagement window at the available speed: earliest and latest intercept times and
  altitudes with launch >= f.

Everything for all (base, target) trajectories of a site is one array computation; the speed
grid's ``L(V)`` is computed once and any launch delay reuses it (`margin_vs_delay`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdsim.battle.world import ENGINE_FLYOUT, SensorNode, aim_controls, sensor_times
from bmdsim.engagement.engage import kinematics
from bmdsim.engagement.flyout_table import FlyoutTable, FlyoutTableSettings, get_flyout_table
from bmdsim.engagement.windows import ground_range_m, usable_samples
from bmdsim.models.interceptors import Interceptor, get_interceptor
from bmdsim.models.missiles import get_missile
from bmdsim.models.sensors import get_sensor
from bmdsim.models.sites import Site, get_site
from bmdsim.models.stability import Preset, StabilityData
from bmdsim.physics.earth import (
    EarthModel,
    ecef_to_geodetic,
    geodesic_inverse,
    geodetic_to_ecef,
)
from bmdsim.physics.flyout import fly_missiles, vehicle_arrays
from bmdsim.physics.trajectory import Trajectories
from bmdsim.scenario.schema import Point

FloatArray = NDArray[np.float64]

#: Burnout speeds (km/s) of the tables that give the needed speed.
SPEED_GRID_KM_S = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 8.0, 9.0, 10.0)
#: Table resolution of the study: a 1-degree fan sampled every second, rasterized on one
#: fixed grid for every speed (5 km in ground range to 6,000 km, 5 km in altitude to 1,600
#: km), so that tables of different speeds compare node by node (a faster interceptor is
#: then never later, as tests/unit/test_flyout_table.py checks on a fixed grid).
TABLE_SETTINGS: dict[str, Any] = {
    "n_elevations": 89,
    "sample_dt_s": 1.0,
    "range_grid_m": tuple(float(x) for x in np.linspace(0.0, 6.0e6, 1201)),
    "alt_grid_m": tuple(float(x) for x in np.linspace(0.0, 1.6e6, 321)),
}
#: Radar cross-section of an ICBM warhead for the radar cues (m^2), as the engine's default.
RV_RCS_M2 = 0.01


@dataclass(frozen=True)
class Flights:
    """The ICBM flights of the study: one per (base, target)."""

    traj: Trajectories
    base: list[str]
    target: list[str]
    earth: EarthModel


def fly_icbms(data: StabilityData, preset: Preset, bases: list[str], targets: list[str],
              progress: Any = None) -> Flights:  # fmt: skip
    """Aim and fly every base x target pair (one batch per missile type)."""
    earth = EarthModel.wgs84() if preset.earth == "wgs84" else EarthModel.sphere(rotation=False)
    st = ENGINE_FLYOUT.with_(earth=earth)
    rows_b, rows_t, parts = [], [], []
    tl = np.array([data.targets[t].lat_deg.value for t in targets])
    tn = np.array([data.targets[t].lon_deg.value for t in targets])
    for b in bases:
        base = data.bases[b]
        m = get_missile(base.missile)
        if progress is not None:
            progress(f"aiming {m.name} from {b}")
        launch = Point(name=b, lat_deg=base.lat_deg.value, lon_deg=base.lon_deg.value)
        ctl = aim_controls(m, launch, tl, tn, preset.icbm_shape, None, settings=st)
        far = ~np.all(np.isfinite(ctl), axis=1)
        if np.any(far):
            raise ValueError(
                f"{b}: {m.name} cannot reach {[t for t, f in zip(targets, far, strict=True) if f]}"
            )
        tr = fly_missiles(vehicle_arrays(m), math.radians(launch.lat_deg),
                          math.radians(launch.lon_deg), ctl[:, 0], ctl[:, 1],
                          cutoff_s=ctl[:, 2], settings=st)  # fmt: skip
        parts.append(tr)
        rows_b += [b] * len(targets)
        rows_t += list(targets)
    return Flights(_concat(parts), rows_b, rows_t, earth)


def _concat(parts: list[Trajectories]) -> Trajectories:
    """One batch from several (padding the sample axis with NaN)."""
    t_max = max(p.t_s.shape[1] for p in parts)
    s_max = max(p.stage_burnout_t_s.shape[1] for p in parts)

    def pad(a: FloatArray, width: int, axis: int = 1) -> FloatArray:
        extra = width - a.shape[axis]
        if extra <= 0:
            return a
        shape = list(a.shape)
        shape[axis] = extra
        return np.concatenate([a, np.full(shape, np.nan)], axis=axis)

    return Trajectories(
        status=np.concatenate([p.status for p in parts]),
        t_s=np.concatenate([pad(p.t_s, t_max) for p in parts]),
        r_ecef_m=np.concatenate([pad(p.r_ecef_m, t_max) for p in parts]),
        v_ecef_m_s=np.concatenate([pad(p.v_ecef_m_s, t_max) for p in parts]),
        n_samples=np.concatenate([p.n_samples for p in parts]),
        event_t_s=np.concatenate([p.event_t_s for p in parts]),
        event_r_ecef_m=np.concatenate([p.event_r_ecef_m for p in parts]),
        event_v_ecef_m_s=np.concatenate([p.event_v_ecef_m_s for p in parts]),
        stage_burnout_t_s=np.concatenate([pad(p.stage_burnout_t_s, s_max) for p in parts]),
        launch_r_ecef_m=np.concatenate([p.launch_r_ecef_m for p in parts]),
        earth=parts[0].earth,
        n_steps=np.concatenate([p.n_steps for p in parts]),
    )


# ------------------------------------------------------------------ cues


def cue_times(preset: Preset, site: Site, flights: Flights) -> dict[str, FloatArray]:
    """(M,) cue time of every flight, per cue name (s after the ICBM launch; inf: never),
    latency included, launch delay not."""
    traj = flights.traj
    rows = np.arange(traj.size)
    out: dict[str, FloatArray] = {}
    for cue in preset.cues:
        if cue.kind == "space-ew":
            s = get_sensor(str(cue.sensor))
            delay = s.detection_delay_s.value if s.detection_delay_s else math.inf
            out[cue.name] = np.full(traj.size, delay + cue.latency_s)
            continue
        if cue.kind == "own-radar":
            nodes = [SensorNode(f"{n}@{site.name}", site.party, get_sensor(n), site.name,
                                site.lat_deg.value, site.lon_deg.value, site.altitude_m.value)
                     for n in site.sensors]  # fmt: skip
        else:
            where = get_site(str(cue.site))
            nodes = [SensorNode(f"{cue.sensor}@{where.name}", where.party,
                                get_sensor(str(cue.sensor)), where.name, where.lat_deg.value,
                                where.lon_deg.value, where.altitude_m.value)]  # fmt: skip
        if not nodes:
            out[cue.name] = np.full(traj.size, math.inf)
            continue
        _, _, fc = sensor_times(nodes, [(traj, rows)], traj.size, RV_RCS_M2)
        out[cue.name] = fc.min(axis=0) + cue.latency_s
    return out


# ------------------------------------------------------------------ reach


@dataclass(frozen=True)
class Reach:
    """One site and interceptor type against every flight."""

    speeds_km_s: FloatArray  # (V,) grid incl. the interceptor's own speed
    latest_launch_s: FloatArray  # (V, M) L(V), made nondecreasing in V (-inf: none)
    own_speed_km_s: float
    # per-sample data for windows: the speed (<= own) whose L is the own speed's L
    t_s: FloatArray  # (M, T)
    launch_s: FloatArray  # (M, T) NaN where not feasible
    alt_m: FloatArray  # (M, T)
    max_range_km: float  # farthest ground range of the own-speed table (any altitude in band)


def _table(interceptor: Interceptor, speed_km_s: float, site: Site, azimuth_rad: float,
           preset: Preset) -> FlyoutTable:  # fmt: skip
    kin = kinematics(interceptor)
    kin = dataclasses.replace(kin, burnout_speed_m_s=speed_km_s * 1e3)
    geo: dict[str, Any]
    if preset.rotation:
        geo = {"site_lat_rad": math.radians(site.lat_deg.value), "site_alt_m":
               site.altitude_m.value, "azimuth_rad": azimuth_rad}  # fmt: skip
    else:  # non-rotating sphere: one table serves every site
        geo = {"earth_model": "sphere", "rotation": False}
    return get_flyout_table(kin, FlyoutTableSettings(**{**TABLE_SETTINGS, **geo}))


def reach(interceptor: Interceptor, speed_km_s: float, site: Site, flights: Flights,
          preset: Preset) -> Reach:  # fmt: skip
    traj = flights.traj
    slat, slon = math.radians(site.lat_deg.value), math.radians(site.lon_deg.value)
    lat0, lon0, _ = ecef_to_geodetic(traj.launch_r_ecef_m, traj.earth)
    _, az, _ = geodesic_inverse(slat, slon, float(np.mean(lat0)), float(np.mean(lon0)))
    t = traj.t_s
    valid, alt = usable_samples(traj)
    site_r = geodetic_to_ecef(slat, slon, site.altitude_m.value, traj.earth)
    ground = ground_range_m(site_r, traj)[0]
    speeds = np.unique(np.append(np.array(SPEED_GRID_KM_S), speed_km_s))
    latest = np.full((speeds.size, traj.size), -np.inf)
    launches = np.full((speeds.size, *t.shape), np.nan)
    max_range_km = 0.0
    for k, v in enumerate(speeds):
        table = _table(interceptor, float(v), site, float(az), preset)
        tau = np.asarray(table.time_to_reach(np.nan_to_num(ground), np.nan_to_num(alt)),
                         dtype=float)  # fmt: skip
        if v == speed_km_s:
            finite = np.isfinite(table.time_s).any(axis=1)
            max_range_km = float(table.range_grid_m[finite].max()) / 1e3 if finite.any() else 0.0
        ok = valid & np.isfinite(tau)
        launch = np.where(ok, t - tau, np.nan)
        latest[k] = np.where(ok.any(axis=1), np.nanmax(np.where(ok, launch, -np.inf), axis=1),
                             -np.inf)  # fmt: skip
        launches[k] = launch
    # A faster interceptor can do whatever a slower one can (wait, loft, spend energy): L(V)
    # is the running maximum over the grid. Without it the tables' lowest-arc limit (a fast
    # interceptor cannot fly below its 2-degree arc) leaves ~1 s dips at 9-10 km/s.
    best = np.maximum.accumulate(np.where(np.isfinite(latest), latest, -np.inf), axis=0)
    k_own = int(np.flatnonzero(speeds == speed_km_s)[0])
    which = np.argmax(latest[: k_own + 1] == best[k_own][None, :], axis=0)  # (M,)
    own_launch = launches[which, np.arange(traj.size)]
    return Reach(speeds, best, speed_km_s, t, own_launch, alt, max_range_km)


def needed_speed(r: Reach, fire_s: FloatArray) -> FloatArray:
    """(M,) least burnout speed (km/s) that still intercepts when launched no earlier than
    fire_s (NaN: none on the grid), interpolated linearly in L(V) between grid speeds."""
    m = r.latest_launch_s.shape[1]
    out = np.full(m, np.nan)
    ok = np.isfinite(r.latest_launch_s) & (r.latest_launch_s >= fire_s[None, :])  # monotone in V
    has = ok.any(axis=0)
    k = np.argmax(ok, axis=0)
    for j in np.flatnonzero(has):
        kk = int(k[j])
        if kk == 0:
            out[j] = r.speeds_km_s[0]
            continue
        lo, hi = r.latest_launch_s[kk - 1, j], r.latest_launch_s[kk, j]
        v_lo, v_hi = r.speeds_km_s[kk - 1], r.speeds_km_s[kk]
        if not np.isfinite(lo):  # nothing reachable just below: the bracket's top is the answer
            out[j] = v_hi
        else:
            out[j] = v_lo + (v_hi - v_lo) * (fire_s[j] - lo) / (hi - lo)
    return out


def needed_speed_is_bound(r: Reach, fire_s: FloatArray) -> NDArray[np.bool_]:
    """(M,) where `needed_speed` is only an upper bound: the grid speed just below reaches
    nothing at all (or the lowest grid speed already reaches), so no interpolation was
    possible; the true need lies within one grid step below."""
    ok = np.isfinite(r.latest_launch_s) & (r.latest_launch_s >= fire_s[None, :])
    has = ok.any(axis=0)
    k = np.argmax(ok, axis=0)
    below = r.latest_launch_s[np.maximum(k - 1, 0), np.arange(k.size)]
    return np.asarray(has & ((k == 0) | ~np.isfinite(below)))


def window(r: Reach, fire_s: FloatArray) -> dict[str, FloatArray]:
    """Earliest and latest intercept (time, altitude) at the interceptor's own speed, launched
    at or after fire_s; NaN where none."""
    ok = np.nan_to_num(r.launch_s, nan=-np.inf) >= fire_s[:, None]
    has = ok.any(axis=1)
    first = np.argmax(ok, axis=1)
    last = ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    rows = np.arange(ok.shape[0])

    def pick(a: FloatArray, j: NDArray[np.int64]) -> FloatArray:
        return np.where(has, a[rows, j], np.nan)

    return {
        "earliest_intercept_s": pick(r.t_s, first),
        "latest_intercept_s": pick(r.t_s, last),
        "earliest_intercept_alt_km": pick(r.alt_m, first) / 1e3,
        "latest_intercept_alt_km": pick(r.alt_m, last) / 1e3,
    }


# ------------------------------------------------------------------ the study


@dataclass(frozen=True)
class Combo:
    """One site with one interceptor (catalog name, variant, burnout speed)."""

    site: str
    interceptor: str
    variant: str | None
    speed_km_s: float

    @property
    def label(self) -> str:
        return self.interceptor + (f":{self.variant}" if self.variant else "")


@dataclass
class StabilityResult:
    preset: str
    phase: int | None
    launch_delay_s: float
    flights: Flights
    records: list[dict[str, Any]]
    reaches: dict[tuple[str, str], Reach]  # (site, interceptor label)
    cues: dict[str, dict[str, FloatArray]]  # site -> cue -> (M,) cue time
    combos: list[Combo]


def combos_for(data: StabilityData, preset: Preset, phase: int | None,
               interceptors: list[str] | None, sites: list[str] | None) -> list[Combo]:  # fmt: skip
    """The (site, interceptor) pairs: a phase's deployments, or every SM-3 at every site."""
    pairs: list[tuple[str, str, str | None]]
    if phase is not None:
        pairs = [(d.site, d.interceptor, d.variant) for d in data.phases[phase].deployments]
    else:
        all_sites = sites or ["deveselu", "redzikowo", "east-med-station", "north-sea-station",
                              "norwegian-sea-station", "baltic-station"]  # fmt: skip
        names = interceptors or ["sm-3-ia", "sm-3-ib", "sm-3-iia", "sm-3-iib"]
        pairs = []
        for site_name in all_sites:
            for n in names:
                it_name, _, it_var = n.partition(":")
                pairs.append((site_name, it_name, it_var or None))
    if sites is not None:
        wanted = {get_site(x).name for x in sites}
        pairs = [p for p in pairs if get_site(p[0]).name in wanted]
    if interceptors is not None and phase is not None:
        # catalog name (aliases resolved) -> the variant asked for (None: the phase's own)
        asked: dict[str, str | None] = {}
        for n in interceptors:
            it_name, _, it_var = n.partition(":")
            asked[get_interceptor(it_name).name] = it_var or None
        pairs = [(s, get_interceptor(n).name, asked[get_interceptor(n).name] or v)
                 for s, n, v in pairs if get_interceptor(n).name in asked]  # fmt: skip
    out: list[Combo] = []
    for s, name, var in pairs:
        it = get_interceptor(name, variant=var)
        # an explicit variant is the user's speed; otherwise the preset's override, if any
        speed = (
            it.burnout_speed_km_s.value
            if var is not None
            else preset.burnout_speed_km_s.get(it.name, it.burnout_speed_km_s.value)
        )
        combo = Combo(get_site(s).name, it.name, var, float(speed))
        if combo not in out:  # repeated or aliased filters
            out.append(combo)
    return out


def run_stability(data: StabilityData, preset_name: str, *, phase: int | None = None,
                  interceptors: list[str] | None = None, sites: list[str] | None = None,
                  bases: list[str] | None = None, targets: list[str] | None = None,
                  launch_delay_s: float | None = None,
                  progress: Any = None) -> StabilityResult:  # fmt: skip
    """The study's records, one per base x target x site x interceptor x cue."""
    preset = data.presets[preset_name]
    delay = preset.launch_delay_s.value if launch_delay_s is None else launch_delay_s
    b_names = list(dict.fromkeys(bases or data.bases))
    t_names = list(dict.fromkeys(targets or data.targets))
    combos = combos_for(data, preset, phase, interceptors, sites)
    if not combos:
        raise ValueError("no site x interceptor pair left after the filters")
    flights = fly_icbms(data, preset, b_names, t_names, progress)
    records: list[dict[str, Any]] = []
    reaches: dict[tuple[str, str], Reach] = {}
    cues: dict[str, dict[str, FloatArray]] = {}
    bo = flights.traj.burnout_time_s
    for c in combos:
        site = get_site(c.site)
        if progress is not None:
            progress(f"{c.label} at {c.site}")
        it = get_interceptor(c.interceptor, variant=c.variant)
        r = reach(it, c.speed_km_s, site, flights, preset)
        reaches[(c.site, c.label)] = r
        if c.site not in cues:
            cues[c.site] = cue_times(preset, site, flights)
        for cue_name, t_cue in cues[c.site].items():
            fire = t_cue + delay
            need = needed_speed(r, fire)
            bound = needed_speed_is_bound(r, fire)
            win = window(r, fire)
            latest = r.latest_launch_s[list(r.speeds_km_s).index(c.speed_km_s)]
            for j in range(flights.traj.size):
                reachable = bool(latest[j] >= fire[j])
                margin = None if np.isnan(need[j]) else round(c.speed_km_s - float(need[j]), 3)
                records.append({
                    "base": flights.base[j],
                    "target": flights.target[j],
                    "site": c.site,
                    "interceptor": c.label,
                    "burnout_speed_km_s": c.speed_km_s,
                    "cue": cue_name,
                    "cue_time_s": _num(t_cue[j]),
                    "fire_time_s": _num(fire[j]),
                    "launch_delay_s": delay,
                    "icbm_burnout_s": _num(bo[j]),
                    "icbm_impact_s": _num(flights.traj.impact_time_s[j]),
                    "reachable": reachable,
                    "needed_speed_km_s": None if np.isnan(need[j]) else round(float(need[j]), 3),
                    "needed_speed_is_upper_bound": bool(bound[j]),
                    "margin_km_s": margin,
                    "latest_launch_s": _num(latest[j]),
                    **{k: _num(v[j]) for k, v in win.items()},
                })  # fmt: skip
    return StabilityResult(preset_name, phase, delay, flights, records, reaches, cues, combos)


def _num(x: float) -> float | None:
    return round(float(x), 3) if np.isfinite(x) else None


def attrition(data: StabilityData, result: StabilityResult) -> list[dict[str, Any]]:
    """Per base: warheads, and those on trajectories some site x interceptor x cue reaches
    (for each target, and for the worst case over the targets)."""
    out = []
    for b in dict.fromkeys(result.flights.base):
        base = data.bases[b]
        per_target = {}
        for t in dict.fromkeys(result.flights.target):
            hit = any(r["reachable"] for r in result.records if r["base"] == b and r["target"] == t)
            per_target[t] = hit
        out.append({
            "base": b,
            "missile": base.missile,
            "warheads": base.warheads,
            "reachable_targets": [t for t, h in per_target.items() if h],
            "warheads_engageable_max": base.warheads if any(per_target.values()) else 0,
            "warheads_engageable_if_all_targets": (base.warheads if all(per_target.values())
                                                   else 0),
        })  # fmt: skip
    return out


def margin_vs_delay(result: StabilityResult, launch_times_s: FloatArray) -> dict[str, Any]:
    """For each (site, interceptor): the best margin over the flights when the interceptor is
    launched a given time after the ICBM's launch, whatever the cue (km/s; NaN: nothing
    reachable at any grid speed), from the stored L(V). The cue timeline is the key driver of
    the published disagreement (Wilkening 2012): this curve separates it from the geometry."""
    out: dict[str, Any] = {}
    for (site, label), r in result.reaches.items():
        best = np.full(launch_times_s.size, np.nan)
        for k, d in enumerate(launch_times_s):
            need = needed_speed(r, np.full(r.latest_launch_s.shape[1], float(d)))
            if np.any(np.isfinite(need)):
                best[k] = r.own_speed_km_s - np.nanmin(need)
        out[f"{label}@{site}"] = best
    return out
