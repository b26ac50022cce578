"""The physics of a scenario, computed once and shared by every architecture: `build_world`.

Scenario settings (`bmdsim.scenario.Scenario`) become plain arrays here, in SI units:

* threats: the raid's missiles, and the coverage probes (one missile of each coverage group at
  every asset city in its reach), aimed with `bmdsim.physics.aiming.aim` and flown as sampled
  batches (`ENGINE_FLYOUT`);
* sensors: for every (sensor, threat) the first detection (or space-based warning), the first
  track good enough to predict the impact point (any radar: a window at least as long as the
  track-establishment time) and the first fire-control-quality track (radars with
  ``fire_control: true``), in seconds after the threat's launch;
* interceptor sites: for every (site, threat) the feasible intercepts, i.e. the trajectory
  samples the interceptor reaches inside its altitude band and fly-out time (fly-out tables,
  `bmdsim.engagement.flyout_table`), with the launch time each needs. `Intercepts.earliest`
  answers "the earliest intercept launched no earlier than t" for any batch of (site, threat,
  t) at once: the feasible samples' launch times are stored with their running maximum, which
  is sorted, so one `numpy.searchsorted` answers all queries (docs/model/engine.md).

Nothing here depends on the architecture: the same `World` is evaluated under each policy,
so comparisons are fair by construction.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdsim import KERNELS_HASH
from bmdsim._io import write_text_atomic
from bmdsim.engagement.engage import kinematics, radar_geometry
from bmdsim.engagement.flyout_table import default_cache_dir, get_flyout_table
from bmdsim.engagement.visibility import observe
from bmdsim.engagement.windows import ground_range_m, usable_samples
from bmdsim.geo import cities as geo_cities
from bmdsim.geo import country, country_of, find_city
from bmdsim.models.interceptors import Interceptor, get_interceptor
from bmdsim.models.missiles import Missile, get_missile
from bmdsim.models.sensors import Sensor, get_sensor
from bmdsim.models.sites import get_site
from bmdsim.physics.aiming import TargetOutOfRangeError, aim, max_range_loft
from bmdsim.physics.earth import (
    ecef_to_geodetic,
    geodesic_inverse,
    geodetic_to_ecef,
)
from bmdsim.physics.flyout import FlyoutSettings, fly_missiles, vehicle_arrays
from bmdsim.physics.trajectory import Trajectories
from bmdsim.scenario.schema import Point, Scenario

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Flyout settings of the engine: tolerances relaxed from the defaults (impact points move by
#: metres, far below the 100 m aiming tolerance) and 2 s samples for windows and visibility.
ENGINE_FLYOUT = FlyoutSettings(boost_rtol=1e-7, rtol=1e-6, atol_m=1.0, atol_m_s=1e-3,
                               sample_dt_s=2.0)  # fmt: skip
AIM_TOL_M = 100.0
#: Weight of a raid target that is a point rather than a city (people), in the assignment.
NOMINAL_TARGET_VALUE = 100_000.0
#: Coverage probes go to cities within this fraction of the missile's maximum range along
#: their azimuth (the edge of reach is where aiming is ill-conditioned).
REACH_MARGIN = 0.98
AIM_CACHE_VERSION = "bmdsim.aim-cache/2"
#: Fan rounds of the minimum-energy loft search when aiming (`aim(family_rounds=)`): 3
#: resolves the loft to ~0.1 deg, where range is flat (its error is second order), for a
#: quarter less work than the flyout command's 4; every missile still hits its aim point.
AIM_FAMILY_ROUNDS = 3
_TMAX = 4.0e4  # launch times are clipped to +-_TMAX s in the sorted search structure
_ROW = 1.0e5


class ThreatOutOfRangeError(ValueError):
    """Raid targets beyond their missile's reach; one ``field.path: message`` per target."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SensorNode:
    key: str  # SENSOR@SITE
    party: str
    sensor: Sensor
    place: str  # site key or point name
    lat_deg: float
    lon_deg: float
    alt_m: float

    @property
    def space(self) -> bool:
        return self.sensor.kind == "space-ew"


@dataclass(frozen=True)
class SiteNode:
    key: str
    party: str
    interceptor: Interceptor
    place: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    inventory: int
    launch_delay_s: float
    sensors: tuple[int, ...]  # indices of the sensor nodes at the same place

    @property
    def pk(self) -> float:
        return float(self.interceptor.kill_probability.value)


@dataclass(frozen=True)
class Intercepts:
    """Feasible intercepts of every (site, threat), stored for batched earliest-intercept
    queries (see the module docstring)."""

    n_threats: int
    key: FloatArray  # running max of launch time + row offset, sorted
    t_int_s: FloatArray
    launch_s: FloatArray
    alt_m: FloatArray
    start: IntArray  # (S, N)
    count: IntArray  # (S, N)

    def earliest(
        self, site: NDArray[Any], threat: NDArray[Any], not_before_s: NDArray[Any]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Earliest intercept (time, launch time, altitude) of `site` on `threat` launched at
        or after `not_before_s` (threat clock); NaN where there is none. Broadcasts."""
        s, i, f = np.broadcast_arrays(np.asarray(site), np.asarray(threat),
                                      np.asarray(not_before_s, dtype=float))  # fmt: skip
        row = s * self.n_threats + i
        # f clipped to [-1.1, 1.1] _TMAX, NaN to the top: np.maximum keeps a NaN, np.fmin
        # then takes the bound (two ufuncs; np.nan_to_num and np.clip cost 4x more per call)
        q = np.fmin(np.maximum(f, -_TMAX * 1.1), _TMAX * 1.1) + row * _ROW
        j = np.searchsorted(self.key, q, side="left")
        ok = j < (self.start[s, i] + self.count[s, i])
        j = np.where(ok, j, 0)
        nan = np.nan
        if self.t_int_s.size == 0:
            z = np.full(s.shape, nan)
            return z, z.copy(), z.copy()
        return (np.where(ok, self.t_int_s[j], nan), np.where(ok, self.launch_s[j], nan),
                np.where(ok, self.alt_m[j], nan))  # fmt: skip


@dataclass(frozen=True)
class ThreatTable:
    """One row per threat (raid missiles first, then coverage probes)."""

    probe: NDArray[np.bool_]
    name: NDArray[np.str_]
    raid: NDArray[np.str_]  # raid or coverage-group name
    missile: NDArray[np.str_]
    launch_lat_deg: FloatArray
    launch_lon_deg: FloatArray
    target: NDArray[np.str_]
    target_lat_deg: FloatArray
    target_lon_deg: FloatArray
    target_country: NDArray[np.str_]
    city: IntArray  # index into World.cities, -1 if the target is not an asset city
    value: FloatArray  # the target's population (NOMINAL_TARGET_VALUE for a point target)
    t0_s: FloatArray  # launch time in the scenario clock
    impact_s: FloatArray  # flight time to impact
    miss_m: FloatArray
    track_lat_deg: FloatArray  # (N, K) ground track every TRACK_DT_S
    track_lon_deg: FloatArray

    @property
    def size(self) -> int:
        return int(self.probe.size)

    @cached_property
    def launch_country(self) -> NDArray[np.str_]:
        """(N,) ISO-3 code of the country of each launch point ("" at sea); computed once per
        table, so that the sweep's points on one cached world share it (`sector_owner`)."""
        return _shared_countries(self.launch_lat_deg, self.launch_lon_deg)

    @cached_property
    def track_country(self) -> NDArray[np.str_]:
        """(N, K) ISO-3 code of the country under each ground-track point ("" at sea or past
        the impact, where the track is NaN); computed once per table."""
        return _shared_countries(self.track_lat_deg, self.track_lon_deg)


def _shared_countries(lat_deg: FloatArray, lon_deg: FloatArray) -> NDArray[np.str_]:
    """`country_of` the points (NaN read as 0, 0: open sea), read-only: a cached table's
    countries are shared by every sweep point on its world."""
    iso = country_of(np.nan_to_num(lat_deg), np.nan_to_num(lon_deg))
    iso.setflags(write=False)
    return iso


TRACK_DT_S = 20.0


@dataclass(frozen=True)
class World:
    scenario: Scenario
    parties: tuple[str, ...]
    territory: dict[str, frozenset[str]]  # party -> ISO-3 codes
    defends: dict[str, frozenset[str]]  # party -> territory + allies
    sensors: tuple[SensorNode, ...]
    sites: tuple[SiteNode, ...]
    threats: ThreatTable
    cities: NDArray[np.void]  # asset cities (geo.CITY_DTYPE) + "party" in `city_party`
    city_party: NDArray[np.str_]
    detect_s: FloatArray  # (J, N) first detection / warning (inf: never)
    eval_track_s: FloatArray  # (J, N) track good for impact prediction
    fc_track_s: FloatArray  # (J, N) fire-control track
    intercepts: Intercepts
    trajectories: tuple[tuple[Trajectories, IntArray], ...]  # per flight group: (batch, rows)

    @property
    def raid_rows(self) -> IntArray:
        return np.flatnonzero(~self.threats.probe)

    @property
    def probe_rows(self) -> IntArray:
        return np.flatnonzero(self.threats.probe)

    def threat_geodetic(self, rows: IntArray, t_s: FloatArray
                        ) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
        """Latitude and longitude (deg) and altitude (m) of threats `rows` at times `t_s`
        (threat clock, (R, M)), from their flown trajectories; NaN outside [0, impact].
        `rows` are distinct; for events on repeated rows use `threat_geodetic_at`."""
        rows = np.asarray(rows, dtype=np.int64)
        if np.unique(rows).size != rows.size:
            raise ValueError("threat_geodetic: rows must be distinct")
        t = np.asarray(t_s, dtype=float).reshape(rows.size, -1)
        lat = np.full(t.shape, np.nan)
        lon, alt = lat.copy(), lat.copy()
        for tr, idx in self.trajectories:
            pos = np.full(self.threats.size, -1)
            pos[idx] = np.arange(idx.size)
            j = pos[rows]
            mine = j >= 0
            if not mine.any():
                continue
            sub = np.zeros((tr.size, t.shape[1]))
            sub[j[mine]] = t[mine]  # other trajectories of the batch: evaluated, unused
            r, _ = tr.at(sub)
            la, lo, h = ecef_to_geodetic(r[j[mine]], tr.earth)
            lat[mine], lon[mine], alt[mine] = np.degrees(la), np.degrees(lo), h
        return lat, lon, alt

    def threat_geodetic_at(self, rows: IntArray, t_s: FloatArray
                           ) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
        """`threat_geodetic` for events: one time per entry, rows may repeat ((K,) each)."""
        rows = np.asarray(rows, dtype=np.int64)
        t = np.asarray(t_s, dtype=float)
        uniq, inv = np.unique(rows, return_inverse=True)
        order = np.argsort(inv, kind="stable")
        counts = np.bincount(inv, minlength=uniq.size)
        col = np.empty(rows.size, dtype=np.int64)
        col[order] = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        grid = np.full((uniq.size, int(counts.max(initial=1))), np.nan)
        grid[inv, col] = t
        lat, lon, alt = self.threat_geodetic(uniq, grid)
        return lat[inv, col], lon[inv, col], alt[inv, col]


# ------------------------------------------------------------------ assets and placements


def _iso(names: list[str]) -> frozenset[str]:
    return frozenset(country(n).iso_a3 for n in names)


def _sensor_nodes(scn: Scenario) -> list[SensorNode]:
    nodes = []
    for sp in scn.sensors:
        sensor = get_sensor(sp.sensor, variant=sp.variant) if sp.variant else get_sensor(sp.sensor)
        if sp.site is not None:
            site = get_site(sp.site)
            nodes.append(SensorNode(f"{sensor.name}@{site.name}", site.party, sensor, site.name,
                                    site.lat_deg.value, site.lon_deg.value,
                                    site.altitude_m.value))  # fmt: skip
        else:
            assert sp.at is not None and sp.party is not None
            nodes.append(SensorNode(f"{sensor.name}@{sp.at.name}", sp.party, sensor, sp.at.name,
                                    sp.at.lat_deg, sp.at.lon_deg, sp.at.alt_m))  # fmt: skip
    return nodes


def _site_nodes(scn: Scenario, sensors: list[SensorNode]) -> list[SiteNode]:
    nodes: list[SiteNode] = []
    for k, ws in enumerate(scn.interceptor_sites):
        it = (get_interceptor(ws.interceptor, variant=ws.variant) if ws.variant
              else get_interceptor(ws.interceptor))  # fmt: skip
        if ws.site is not None:
            site = get_site(ws.site)
            place, party = site.name, str(site.party)
            lat, lon, alt = site.lat_deg.value, site.lon_deg.value, site.altitude_m.value
        else:
            assert ws.at is not None and ws.party is not None
            place, party = ws.at.name, ws.party
            lat, lon, alt = ws.at.lat_deg, ws.at.lon_deg, ws.at.alt_m
        own = tuple(j for j, s in enumerate(sensors) if s.place == place and s.party == party)
        key = ws.name or f"{it.name}@{place}"
        if any(n.key == key for n in nodes):
            key = f"{key}#{k}"
        nodes.append(SiteNode(key, party, it, place, lat, lon, alt, ws.inventory,
                              ws.launch_delay_s, own))  # fmt: skip
    return nodes


def _asset_cities(scn: Scenario, territory: dict[str, frozenset[str]]
                  ) -> tuple[NDArray[np.void], NDArray[np.str_]]:  # fmt: skip
    codes = sorted(set().union(*territory.values()))
    c = geo_cities(scn.assets.min_population, countries=codes, distinct=True)
    if scn.assets.cities:
        extra = np.zeros(len(scn.assets.cities), dtype=c.dtype)
        for k, ac in enumerate(scn.assets.cities):
            iso = str(country_of(ac.lat_deg, ac.lon_deg))
            extra[k] = (-(k + 1), ac.name, "", iso, ac.lat_deg, ac.lon_deg, ac.population, 0)
        c = np.concatenate([c, extra])
    owner = np.full(c.size, "", dtype=object)
    for p, codes_p in territory.items():
        owner[np.isin(c["country_iso_a3"], list(codes_p))] = p
    keep = owner != ""
    return c[keep], owner[keep].astype(str)


# ------------------------------------------------------------------ aiming with a disk cache


def _aim_cache_path(missile: Missile, launch: Point, shape: str, apogee_km: float | None,
                    settings: FlyoutSettings = ENGINE_FLYOUT) -> Path:  # fmt: skip
    blob = json.dumps({"v": AIM_CACHE_VERSION, "kernels": KERNELS_HASH,
                       "missile": missile.model_dump(mode="json"),
                       "launch": [launch.lat_deg, launch.lon_deg, launch.alt_m],
                       "shape": shape, "apogee_km": apogee_km, "tol": AIM_TOL_M,
                       "family_rounds": AIM_FAMILY_ROUNDS,
                       "settings": repr(settings.with_(sample_dt_s=None))},
                      sort_keys=True)  # fmt: skip
    key = hashlib.sha256(blob.encode()).hexdigest()[:32]
    return default_cache_dir().parent / "aim" / f"{key}.json"


def aim_controls(missile: Missile, launch: Point, tlat: FloatArray, tlon: FloatArray,
                 shape: str, apogee_km: float | None,
                 settings: FlyoutSettings = ENGINE_FLYOUT) -> FloatArray:  # fmt: skip
    """(M, 3) azimuth, loft, cut-off of the missile aimed at each target (deg in, rad out;
    NaN for targets out of reach), from the disk cache where already solved."""
    path = _aim_cache_path(missile, launch, shape, apogee_km, settings)
    try:
        cache: dict[str, list[float]] = json.loads(path.read_text())
    except (OSError, ValueError):
        cache = {}
    keys = [f"{a:.6f},{b:.6f}" for a, b in zip(tlat, tlon, strict=True)]
    todo = sorted({k for k in keys if k not in cache})
    if todo:
        lat = np.radians([float(k.split(",")[0]) for k in todo])
        lon = np.radians([float(k.split(",")[1]) for k in todo])
        try:
            sol = aim(vehicle_arrays(missile), math.radians(launch.lat_deg),
                      math.radians(launch.lon_deg), lat, lon, shape=shape,
                      apogee_m=None if apogee_km is None else apogee_km * 1e3,
                      launch_alt_m=launch.alt_m, settings=settings, tol_m=AIM_TOL_M,
                      skip_out_of_range=True, family_rounds=AIM_FAMILY_ROUNDS)  # fmt: skip
            ctl = np.stack([sol.azimuth_rad, sol.loft_rad, sol.cutoff_s], axis=1)
        except TargetOutOfRangeError:  # every one of them
            ctl = np.full((len(todo), 3), np.nan)
        for k, row in zip(todo, ctl, strict=True):
            cache[k] = [float(x) for x in row]
        try:
            write_text_atomic(path, json.dumps(cache))
        except OSError:
            pass  # an unwritable cache only costs time
    return np.array([cache[k] for k in keys], dtype=float).reshape(-1, 3)


def in_reach(missile: Missile, launch: Point, lat_deg: FloatArray, lon_deg: FloatArray
             ) -> NDArray[np.bool_]:  # fmt: skip
    """Targets within REACH_MARGIN of the missile's maximum range along their azimuth (max
    range on a 5-degree azimuth grid, interpolated)."""
    if lat_deg.size == 0:
        return np.zeros(0, dtype=bool)
    la, lo = math.radians(launch.lat_deg), math.radians(launch.lon_deg)
    dist, az, _ = geodesic_inverse(la, lo, np.radians(lat_deg), np.radians(lon_deg))
    grid = np.radians(np.arange(0.0, 361.0, 5.0))
    need = np.unique(np.concatenate([np.floor(np.degrees(az) % 360 / 5), np.ceil(
        np.degrees(az) % 360 / 5)]).astype(int))  # fmt: skip
    rmax_grid = np.full(grid.size, np.nan)
    rmax, _ = max_range_loft(vehicle_arrays(missile), np.full(need.size, la),
                             np.full(need.size, lo), grid[need], alt_m=launch.alt_m,
                             settings=ENGINE_FLYOUT, rounds=3)  # fmt: skip
    rmax_grid[need] = rmax
    a = np.degrees(az) % 360 / 5
    i0 = np.floor(a).astype(int)
    w = a - i0
    r = (1 - w) * rmax_grid[i0] + w * rmax_grid[np.minimum(i0 + 1, grid.size - 1)]
    return np.asarray(dist < REACH_MARGIN * r)


# ------------------------------------------------------------------ the build


def build_world(scn: Scenario, progress: Any = None) -> World:
    """All the physics of a scenario (see the module docstring). `progress(msg)` is called
    before each long step when given."""
    say = progress or (lambda msg: None)
    territory = {p: _iso(v.territory) for p, v in scn.parties.items()}
    defends = {p: territory[p] | _iso(v.allies) for p, v in scn.parties.items()}
    sensors = _sensor_nodes(scn)
    sites = _site_nodes(scn, sensors)
    cities, city_party = _asset_cities(scn, territory)
    city_ids = {int(g): k for k, g in enumerate(cities["geonames_id"])}

    # rows: raid missiles, then probes; grouped into flight groups (missile, launch, shape)
    rows: list[dict[str, Any]] = []
    for ti, th in enumerate(scn.threats):
        k = 0
        for tj, tgt in enumerate(th.targets):
            if isinstance(tgt, str):
                c = find_city(tgt)
                assert c is not None  # checked by the scenario loader
                tname, tlat, tlon = str(c["name"]), float(c["lat_deg"]), float(c["lon_deg"])
                tiso, city = str(c["country_iso_a3"]), city_ids.get(int(c["geonames_id"]), -1)
                pop = float(c["population"])
            else:
                tname, tlat, tlon = tgt.name, tgt.lat_deg, tgt.lon_deg
                tiso, city, pop = str(country_of(tlat, tlon)), -1, NOMINAL_TARGET_VALUE
            for m in range(th.missiles_per_target):
                rows.append(dict(probe=False, name=f"{th.name}/{tname}/{m + 1}", raid=th.name,
                                 missile=th.missile, launch=th.launch, shape=th.shape,
                                 apogee=th.apogee_km, target=tname, tlat=tlat, tlon=tlon,
                                 tiso=tiso, city=city, loc=f"threats.{ti}.targets.{tj}", pop=pop,
                                 t0=th.launch_time_s + k * th.interval_s))  # fmt: skip
                k += 1
    coverage = scn.coverage
    if coverage is None:
        seen: dict[tuple[Any, ...], Any] = {}
        for th in scn.threats:
            seen.setdefault((th.missile, th.launch.lat_deg, th.launch.lon_deg, th.shape), th)
        from bmdsim.scenario.schema import Coverage

        coverage = [Coverage(missile=t.missile, launch=t.launch, shape=t.shape)
                    for t in seen.values()]  # fmt: skip
    for cov in coverage:
        cm = get_missile(cov.missile)
        say(f"reach of {cm.name} from {cov.launch.name}")
        ok = in_reach(cm, cov.launch, cities["lat_deg"], cities["lon_deg"])
        gname = f"coverage:{cm.name}@{cov.launch.name}"
        for k in (int(x) for x in np.flatnonzero(ok)):
            c = cities[k]
            rows.append(dict(probe=True, name=f"{gname}/{c['name']}", raid=gname,
                             missile=cov.missile, launch=cov.launch, shape=cov.shape,
                             apogee=None, target=str(c["name"]), tlat=float(c["lat_deg"]),
                             tlon=float(c["lon_deg"]), tiso=str(c["country_iso_a3"]),
                             city=int(k), t0=0.0, pop=float(c["population"])))  # fmt: skip

    def group_of(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["missile"], r["launch"].lat_deg, r["launch"].lon_deg, r["launch"].alt_m,
                r["shape"], r["apogee"])  # fmt: skip

    groups: dict[tuple[Any, ...], list[int]] = {}
    for r_i, r in enumerate(rows):
        groups.setdefault(group_of(r), []).append(r_i)
    far: list[str] = []
    for (mname, *_), members in groups.items():
        r0 = rows[members[0]]
        missile = get_missile(mname)
        pts = np.array([[rows[i]["tlat"], rows[i]["tlon"]] for i in members])
        uniq, inv = np.unique(pts, axis=0, return_inverse=True)
        say(f"aiming {missile.name} from {r0['launch'].name} at {len(uniq)} targets")
        ctl = aim_controls(missile, r0["launch"], uniq[:, 0], uniq[:, 1], r0["shape"],
                           r0["apogee"])[inv.ravel()]  # fmt: skip
        for i, c in zip(members, ctl, strict=True):
            rows[i]["ctl"] = c
            if not np.all(np.isfinite(c)) and not rows[i]["probe"]:
                far.append(f"{rows[i]['loc']}: {rows[i]['target']} is beyond the reach of "
                           f"{missile.name} from {r0['launch'].name} (`bmdsim flyout "
                           f"{missile.name} --max-range` gives its range)")  # fmt: skip
    if far:
        raise ThreatOutOfRangeError(far)
    rows = [r for r in rows if np.all(np.isfinite(r["ctl"]))]  # probes out of reach
    n = len(rows)
    groups = {}
    for r_i, r in enumerate(rows):
        groups.setdefault(group_of(r), []).append(r_i)

    impact_s, miss = np.full(n, np.nan), np.full(n, np.nan)
    n_track = 1
    flights: list[tuple[Trajectories, IntArray]] = []
    for (mname, *_), members in groups.items():
        r0 = rows[members[0]]
        missile = get_missile(mname)
        idx = np.array(members)
        ctl = np.array([rows[i]["ctl"] for i in members])
        tl = np.array([rows[i]["tlat"] for i in members])
        tn = np.array([rows[i]["tlon"] for i in members])
        tr = fly_missiles(vehicle_arrays(missile), math.radians(r0["launch"].lat_deg),
                          math.radians(r0["launch"].lon_deg), ctl[:, 0], ctl[:, 1],
                          launch_alt_m=r0["launch"].alt_m, cutoff_s=ctl[:, 2],
                          settings=ENGINE_FLYOUT)  # fmt: skip
        flights.append((tr, idx))
        impact_s[idx] = tr.impact_time_s
        ilat, ilon = tr.impact_lat_lon_rad
        miss[idx] = geodesic_inverse(ilat, ilon, np.radians(tl), np.radians(tn))[0]
        n_track = max(n_track, int(np.nanmax(tr.impact_time_s) // TRACK_DT_S) + 2)

    # ground tracks (sector crossing)
    track_lat = np.full((n, n_track), np.nan)
    track_lon = np.full((n, n_track), np.nan)
    for tr, idx in flights:
        tt = np.arange(n_track) * TRACK_DT_S
        tq = np.minimum(tt[None, :], tr.impact_time_s[:, None])
        r_t, _ = tr.at(tq)
        la, lo, _ = ecef_to_geodetic(r_t, tr.earth)
        track_lat[idx], track_lon[idx] = np.degrees(la), np.degrees(lo)

    say("sensor coverage")
    detect, eval_t, fc_t = sensor_times(sensors, flights, n, scn.rv_rcs_m2)
    say("engagement windows")
    intercepts = _intercepts(sites, flights, rows, n)

    col = {k: np.array([r[k] for r in rows]) for k in ("name", "raid", "missile", "target",
                                                         "tiso")}  # fmt: skip
    threats = ThreatTable(
        probe=np.array([r["probe"] for r in rows], dtype=bool), name=col["name"],
        raid=col["raid"], missile=col["missile"],
        launch_lat_deg=np.array([r["launch"].lat_deg for r in rows]),
        launch_lon_deg=np.array([r["launch"].lon_deg for r in rows]),
        target=col["target"], target_lat_deg=np.array([r["tlat"] for r in rows]),
        target_lon_deg=np.array([r["tlon"] for r in rows]), target_country=col["tiso"],
        city=np.array([r["city"] for r in rows], dtype=np.int64),
        value=np.array([r["pop"] for r in rows], dtype=float),
        t0_s=np.array([r["t0"] for r in rows]), impact_s=impact_s, miss_m=miss,
        track_lat_deg=track_lat, track_lon_deg=track_lon,
    )  # fmt: skip
    return World(scn, tuple(scn.parties), territory, defends, tuple(sensors), tuple(sites),
                 threats, cities, city_party, detect, eval_t, fc_t, intercepts,
                 tuple(flights))  # fmt: skip


def sensor_times(sensors: list[SensorNode], flights: list[tuple[Trajectories, IntArray]],
                 n: int, rcs_m2: float) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """(J, N) first detection (or warning), impact-predicting track and fire-control track of
    every sensor on every threat (inf: never), threats given as flight groups (batch, rows)."""
    j_n = len(sensors)
    detect, eval_t, fc_t = (np.full((j_n, n), np.inf) for _ in range(3))
    for j, node in enumerate(sensors):
        s = node.sensor
        for tr, idx in flights:
            if node.space:
                delay = s.detection_delay_s.value if s.detection_delay_s else math.inf
                detect[j, idx] = delay
                continue
            radar = radar_geometry(node.sensor, node.lat_deg, node.lon_deg, node.alt_m)
            vis = observe(radar, tr, rcs_m2)
            first = np.nan_to_num(vis.start_s[:, 0], nan=np.inf)
            detect[j, idx] = first
            t_est = s.track_establish_time_s.value
            long_enough = (vis.end_s - vis.start_s) >= t_est
            trk = np.where(long_enough, vis.start_s, np.inf).min(axis=1) + t_est
            eval_t[j, idx] = trk
            if s.fire_control:
                fc_t[j, idx] = trk
    return detect, eval_t, fc_t


def _intercepts(sites: list[SiteNode], flights: list[tuple[Trajectories, IntArray]],
                rows: list[dict[str, Any]], n: int) -> Intercepts:  # fmt: skip
    n_s = len(sites)
    per: list[list[tuple[FloatArray, FloatArray, FloatArray]]] = [
        [(np.empty(0), np.empty(0), np.empty(0))] * n for _ in range(n_s)
    ]
    usable = [usable_samples(tr) for tr, _ in flights]  # per flight group, once for all sites
    for s, site in enumerate(sites):
        kin = kinematics(site.interceptor)
        slat, slon = math.radians(site.lat_deg), math.radians(site.lon_deg)
        for (tr, idx), (valid, alt) in zip(flights, usable, strict=True):
            launch = rows[int(idx[0])]["launch"]
            _, az, _ = geodesic_inverse(slat, slon, math.radians(launch.lat_deg),
                                        math.radians(launch.lon_deg))  # fmt: skip
            table = get_flyout_table(kin, site_lat_rad=slat, site_alt_m=site.alt_m,
                                     azimuth_rad=float(az))  # fmt: skip
            t = tr.t_s
            ground = ground_range_m(geodetic_to_ecef(slat, slon, site.alt_m, tr.earth), tr)[0]
            tau = np.asarray(table.time_to_reach(ground, alt), dtype=float)
            ok = valid & np.isfinite(tau)
            launch_t = t - tau
            for row, i in enumerate(idx):
                sel = ok[row]
                per[s][int(i)] = (t[row, sel], launch_t[row, sel], alt[row, sel])
    start = np.zeros((n_s, n), dtype=np.int64)
    count = np.zeros((n_s, n), dtype=np.int64)
    keys: list[FloatArray] = []
    ts: list[FloatArray] = []
    ls: list[FloatArray] = []
    als: list[FloatArray] = []
    pos = 0
    for s in range(n_s):
        for i in range(n):
            t_i, l_i, a_i = per[s][i]
            start[s, i], count[s, i] = pos, t_i.size
            pos += t_i.size
            run_max = np.maximum.accumulate(np.clip(l_i, -_TMAX, _TMAX)) if l_i.size else l_i
            keys.append(run_max + (s * n + i) * _ROW)
            ts.append(t_i)
            ls.append(l_i)
            als.append(a_i)

    def cat(parts: list[FloatArray]) -> FloatArray:
        return np.concatenate(parts) if parts else np.empty(0)

    return Intercepts(n, cat(keys), cat(ts), cat(ls), cat(als), start, count)
