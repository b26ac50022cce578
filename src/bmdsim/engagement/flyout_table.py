"""Interceptor fly-out tables: time to reach a point as a function of ground range and altitude.

An interceptor is reduced to the handful of numbers of the open literature's reachable-set
analyses (D. Wilkening, "Does Missile Defence in Europe Threaten Russia?", *Survival* 54(1),
2012; Y. Butt & T. Postol, "Upsetting the Reset", FAS Special Report 1, 2011: fly-out fans):
burnout speed, booster burn time, the band of intercept altitudes, the longest fly-out time and,
for an endo-atmospheric kill vehicle, a ballistic coefficient (`InterceptorKinematics`).

Model (docs/model/interceptor-flyout.md):

* Boost: a straight line from the site at launch elevation ``el`` (azimuth ``az``), constant
  acceleration ``V / t_b`` from rest: burnout at distance ``V t_b / 2`` along the line at time
  ``t_b``, moving along the line at the Earth-relative speed ``V``. This neglects gravity and
  drag during boost, the turn of the path, and the rise of acceleration as propellant burns
  (a real booster covers less than ``V t_b / 2``): all of these make the table optimistic
  (times slightly early, by a fraction of ``t_b``).
* Free flight: `bmdsim.physics.flyout.propagate` (Dormand-Prince, WGS84 + J2 + rotation or the
  sphere; drag with US76 if the kill vehicle has a finite ballistic coefficient).
* A fan of ``n_elevations`` launch elevations (default 2 to 90 degrees) is flown as one batch
  and sampled every ``sample_dt_s``. The samples form a mesh over (member, time); its
  triangles, laid in the (ground range, altitude) plane with time linear over each, are
  rasterized onto the grid keeping the minimum time per node (`build_flyout_table`).

Ground range is the geodesic distance on the model's ellipsoid from the site to the sub-point
(great circle on the sphere). The table is azimuth-independent only on a non-rotating sphere;
on the rotating Earth it is built for one site latitude and launch azimuth (parameters) and the
azimuth dependence is ignored (a few percent, see the docs).

Tables are cached on disk under a SHA-256 hash of every parameter and `MODEL_VERSION`
(`get_flyout_table`), and queried with bilinear interpolation (`FlyoutTable.time_to_reach`:
one scalar rule, `time_to_reach_scalar`, in a numba kernel that the engagement windows'
kernel calls too).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim import KERNELS_HASH
from bmdsim._io import atomic_file
from bmdsim.physics.earth import (
    EarthModel,
    earth_model,
    ecef_to_geodetic,
    geodesic_inverse,
    geodetic_to_ecef,
    gravity,
    up_north_east,
)
from bmdsim.physics.flyout import FlyoutSettings, ballistic_body, propagate
from bmdsim.physics.trajectory import Trajectories

__all__ = [
    "MODEL_VERSION",
    "FlyoutTable",
    "FlyoutTableError",
    "FlyoutTableSettings",
    "InterceptorKinematics",
    "build_flyout_table",
    "default_cache_dir",
    "flyout_table_key",
    "get_flyout_table",
    "time_to_reach_scalar",
]

FloatArray = NDArray[np.float64]

#: Bumped whenever a change of the model or of the algorithm changes table values: part of the
#: cache key, so that old cache files are never reused.
MODEL_VERSION = "bmdsim.flyout-table/2"  # 2: flights capped at 3,600 s (was 10,000 s)

# Flights are cut here even without a fly-out time limit: no interceptor flies an hour, and the
# samples of a fan of lofted 7 km/s shots to 10,000 s would take gigabytes.
_T_MAX_S = 3600.0

_ARRAYS = ("range_grid_m", "alt_grid_m", "kinematic_time_s", "elevation_rad")


class FlyoutTableError(ValueError):
    """A fly-out table file is unreadable, incomplete or of another model version."""


@dataclass(frozen=True)
class InterceptorKinematics:
    """The kinematic parameters of an interceptor (plain SI numbers, no catalog dependency).

    Parameters
    ----------
    burnout_speed_m_s : float
        Speed at burnout relative to the Earth, m/s, > 0.
    burn_time_s : float
        Booster burn time from launch to burnout, s, >= 0 (0: burnout at the site).
    min_intercept_alt_m, max_intercept_alt_m : float
        Band of intercept altitudes, m (geodetic), ``0 <= min < max``; max may be inf.
    max_flyout_time_s : float
        Longest time from launch to intercept (kill-vehicle endurance), s, > burn_time_s; inf
        for no limit.
    beta_kg_m2 : float, optional
        Ballistic coefficient m / (Cd A) of the kill vehicle in free flight, kg/m^2; inf (the
        default) for an exo-atmospheric kill vehicle on which drag is not modelled.
    """

    burnout_speed_m_s: float
    burn_time_s: float
    min_intercept_alt_m: float
    max_intercept_alt_m: float
    max_flyout_time_s: float
    beta_kg_m2: float = math.inf

    def __post_init__(self) -> None:
        checks = {
            "burnout_speed_m_s must be finite and > 0": math.isfinite(self.burnout_speed_m_s)
            and self.burnout_speed_m_s > 0.0,
            "burn_time_s must be finite and >= 0": math.isfinite(self.burn_time_s)
            and self.burn_time_s >= 0.0,
            "min_intercept_alt_m must be finite and >= 0": math.isfinite(self.min_intercept_alt_m)
            and self.min_intercept_alt_m >= 0.0,
            "max_intercept_alt_m must be > min_intercept_alt_m": self.max_intercept_alt_m
            > self.min_intercept_alt_m,
            "max_flyout_time_s must be > burn_time_s": self.max_flyout_time_s > self.burn_time_s,
            "beta_kg_m2 must be > 0": self.beta_kg_m2 > 0.0,
        }
        for message, ok in checks.items():
            if not ok:
                raise ValueError(f"InterceptorKinematics: {message} (got {self})")


# ----------------------------------------------------------------------------------------------
# Settings and the cache key
# ----------------------------------------------------------------------------------------------


def _grid_tuple(grid: ArrayLike | None, name: str) -> tuple[float, ...] | None:
    if grid is None:
        return None
    g = np.asarray(grid, dtype=np.float64)
    if g.ndim != 1 or g.size < 2 or not np.all(np.isfinite(g)) or np.any(np.diff(g) <= 0.0):
        raise ValueError(f"{name} must be a finite, strictly increasing 1-D array of >= 2 values")
    return tuple(float(v) for v in g)


@dataclass(frozen=True)
class FlyoutTableSettings:
    """How a fly-out table is built (inert settings; `build_flyout_table` flies them).

    Attributes
    ----------
    earth_model : "wgs84" (WGS84 ellipsoid, point mass + J2) or "sphere" (textbook sphere,
        point-mass gravity).
    rotation : rotating Earth.
    drag : drag on the kill vehicle in free flight (moot unless ``beta_kg_m2`` is finite).
    n_elevations : fan members, launch elevations evenly spaced over
        [min_elevation_rad, max_elevation_rad] (default 177: 0.5 degree steps, 2 to 90 deg).
    min_elevation_rad, max_elevation_rad : fan limits, rad. Points reachable only below the
        lowest elevation (under its arc) are out of reach.
    sample_dt_s : sample spacing of every trajectory, s.
    site_lat_rad, site_alt_m, azimuth_rad : site latitude (geodetic, rad), altitude (m) and
        launch azimuth (rad clockwise from north) of the fan; they matter only on the rotating
        Earth or the ellipsoid.
    range_grid_m, alt_grid_m : strictly increasing grids, m, or None (default) for automatic
        grids: ``n_alt`` altitudes evenly spaced over the intercept band (capped just above
        the fan's ceiling) and ``n_range`` ground ranges from 0 to just beyond the fan's
        farthest reach in that band.
    n_range, n_alt : sizes of the automatic grids.
    """

    earth_model: str = "wgs84"
    rotation: bool = True
    drag: bool = True
    n_elevations: int = 177
    min_elevation_rad: float = math.radians(2.0)
    max_elevation_rad: float = 0.5 * math.pi
    sample_dt_s: float = 0.5
    site_lat_rad: float = 0.0
    site_alt_m: float = 0.0
    azimuth_rad: float = 0.0
    range_grid_m: tuple[float, ...] | None = None
    alt_grid_m: tuple[float, ...] | None = None
    n_range: int = 801
    n_alt: int = 401

    def __post_init__(self) -> None:
        object.__setattr__(self, "earth_model", self.earth_model.strip().lower())
        if self.earth_model not in ("wgs84", "sphere"):
            raise ValueError(f"earth_model must be 'wgs84' or 'sphere', got {self.earth_model!r}")
        for name in ("range_grid_m", "alt_grid_m"):
            object.__setattr__(self, name, _grid_tuple(getattr(self, name), name))
        if min(self.n_elevations, self.n_range, self.n_alt) < 3:
            raise ValueError("n_elevations, n_range and n_alt must be >= 3")
        if not (0.0 <= self.min_elevation_rad < self.max_elevation_rad <= 0.5 * math.pi):
            raise ValueError("need 0 <= min_elevation_rad < max_elevation_rad <= pi/2")
        if not (math.isfinite(self.sample_dt_s) and self.sample_dt_s > 0.0):
            raise ValueError(f"sample_dt_s must be finite and > 0, got {self.sample_dt_s}")
        if not (abs(self.site_lat_rad) <= 0.5 * math.pi and math.isfinite(self.site_alt_m)):
            raise ValueError("site_lat_rad must lie in [-pi/2, pi/2] and site_alt_m be finite")
        if not math.isfinite(self.azimuth_rad):
            raise ValueError(f"azimuth_rad must be finite, got {self.azimuth_rad}")

    def with_(self, **changes: Any) -> FlyoutTableSettings:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _resolve(
    kin: InterceptorKinematics, settings: FlyoutTableSettings | None, overrides: Mapping[str, Any]
) -> FlyoutTableSettings:
    """The settings with the overrides applied, normalized so that equivalent builds are equal
    (and share a cache key): no drag without a ballistic coefficient, azimuth in [0, 2 pi),
    grid sizes those of the given grids."""
    st = settings or FlyoutTableSettings()
    st = st.with_(**overrides) if overrides else st
    return st.with_(
        drag=st.drag and math.isfinite(kin.beta_kg_m2),
        azimuth_rad=st.azimuth_rad % (2.0 * math.pi),
        n_range=st.n_range if st.range_grid_m is None else len(st.range_grid_m),
        n_alt=st.n_alt if st.alt_grid_m is None else len(st.alt_grid_m),
    )


def _parameters(kin: InterceptorKinematics, st: FlyoutTableSettings) -> dict[str, Any]:
    """JSON-able build parameters (the hashed content)."""
    s = dataclasses.asdict(st)
    for name in ("range_grid_m", "alt_grid_m"):
        if s[name] is not None:
            s[name] = list(s[name])
    return {"kinematics": dataclasses.asdict(kin), "settings": s}


def _key(params: Mapping[str, Any]) -> str:
    # the kernels' source hash too: a table is flown by the integrator, so a change to it (or
    # to the physics it inlines) must not serve a table built by the old one
    text = json.dumps({"model_version": MODEL_VERSION, "kernels": KERNELS_HASH, **params},
                      sort_keys=True)  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def flyout_table_key(
    kin: InterceptorKinematics, settings: FlyoutTableSettings | None = None, **overrides: Any
) -> str:
    """The cache key of `build_flyout_table(kin, settings, **overrides)`: the SHA-256 hex
    digest of every parameter (kinematics and settings, as canonical JSON), `MODEL_VERSION`
    and `bmdsim.KERNELS_HASH` (the source of the numba kernels that fly the fan)."""
    return _key(_parameters(kin, _resolve(kin, settings, overrides)))


# ----------------------------------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------------------------------


def _readonly(a: ArrayLike) -> FloatArray:
    arr = np.array(a, dtype=np.float64)
    arr.setflags(write=False)
    return arr


@numba.njit(cache=True)
def grid_cell(grid: FloatArray, x: float) -> tuple[int, float]:
    """Cell i of x on a strictly increasing grid (grid.size >= 2) and its fraction in the cell:
    i is numpy's ``searchsorted(grid, x, side="right") - 1`` clipped to [0, grid.size - 2],
    the fraction ``(x - grid[i]) / (grid[i + 1] - grid[i])``, in [0, 1] for x on the grid.

    The cell of a uniform grid is guessed from x and checked; otherwise (or if the check
    fails) bisection finds it."""
    n = grid.size
    g0, g1 = grid[0], grid[n - 1]
    i = -1
    if x >= g0 and x <= g1:
        i = min(int((x - g0) / (g1 - g0) * (n - 1)), n - 2)
        if not (grid[i] <= x and (i == n - 2 or x < grid[i + 1])):
            i = -1
    if math.isnan(x):
        i = n - 2  # numpy sorts NaN last
    elif i < 0:
        lo, hi = 0, n
        while lo < hi:  # first index with grid[index] > x
            mid = (lo + hi) // 2
            if grid[mid] <= x:
                lo = mid + 1
            else:
                hi = mid
        i = min(max(lo - 1, 0), n - 2)
    return i, (x - grid[i]) / (grid[i + 1] - grid[i])


@numba.njit(cache=True)
def time_to_reach_scalar(
    x: float, y: float, xg: FloatArray, yg: FloatArray, tab: FloatArray, max_t: float,
    lo: float, hi: float, reach_x: float, reach_y: float,
) -> float:  # fmt: skip
    """Time from launch to reach (ground range x, altitude y), s: the rule of
    `FlyoutTable.time_to_reach` on one point, for it and for numba kernels
    (`bmdsim.engagement.windows`); the arguments are `FlyoutTable.reach_arrays`.

    In order: NaN for NaN x or y or x < 0; +inf outside the altitude band [lo, hi]; off the
    grid (xg, yg), +inf beyond the fan's reach (x > reach_x or y > reach_y), NaN short of it;
    on the grid, bilinear interpolation of `tab` over the cell, +inf if a corner of non-zero
    weight is not finite or if the time exceeds `max_t`. The corners are summed in the order
    (0, 0), (0, 1), (1, 0), (1, 1) with weights (1 - fx)(1 - fy), (1 - fx) fy, ...
    """
    if math.isnan(x) or math.isnan(y) or x < 0.0:
        return math.nan
    if y < lo or y > hi:
        return math.inf
    if not (x >= xg[0] and x <= xg[-1] and y >= yg[0] and y <= yg[-1]):
        return math.inf if (x > reach_x or y > reach_y) else math.nan
    i, fx = grid_cell(xg, x)
    k, fy = grid_cell(yg, y)
    out = 0.0
    for dx in range(2):
        wx = fx if dx else 1.0 - fx
        for dy in range(2):
            w = wx * (fy if dy else 1.0 - fy)
            c = tab[i + dx, k + dy]
            if math.isfinite(c):
                out += w * c
            elif w > 0.0:  # an unreachable corner of non-zero weight blocks the cell
                return math.inf
    return math.inf if out > max_t else out


@numba.njit(cache=True)
def _time_to_reach_batch(
    x: FloatArray, y: FloatArray, xg: FloatArray, yg: FloatArray, tab: FloatArray,
    max_t: float, lo: float, hi: float, reach_x: float, reach_y: float, out: FloatArray,
) -> None:  # fmt: skip
    for j in range(x.size):
        out[j] = time_to_reach_scalar(x[j], y[j], xg, yg, tab, max_t, lo, hi, reach_x, reach_y)


@dataclass(frozen=True, eq=False)
class FlyoutTable:
    """Minimum time from launch to reach (ground range, altitude), on a rectangular grid.

    Attributes
    ----------
    kinematics : the interceptor.
    settings : how the table was built.
    key : SHA-256 hex digest of kinematics, settings and `MODEL_VERSION` (the cache key).
    range_grid_m : (M,) ground ranges from the site, m, strictly increasing.
    alt_grid_m : (K,) altitudes, m, strictly increasing.
    kinematic_time_s : (M, K) minimum time from launch over the fan, s; +inf where no fan
        member passes within the flight horizon. No altitude band or fly-out-time limit.
    elevation_rad : (M, K) launch elevation of the fastest way there (interpolated between fan
        members), rad; NaN where unreachable.
    reach_range_m : the fan reaches no point of the intercept band beyond this ground range.
    reach_alt_m : the fan reaches no point above this altitude (its ceiling).
    """

    kinematics: InterceptorKinematics
    settings: FlyoutTableSettings
    key: str
    range_grid_m: FloatArray
    alt_grid_m: FloatArray
    kinematic_time_s: FloatArray
    elevation_rad: FloatArray
    reach_range_m: float
    reach_alt_m: float

    def __post_init__(self) -> None:
        for name in _ARRAYS:
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        m, k = self.range_grid_m.size, self.alt_grid_m.size
        if self.kinematic_time_s.shape != (m, k) or self.elevation_rad.shape != (m, k):
            raise FlyoutTableError(f"table arrays must have shape ({m}, {k})")

    @property
    def parameters(self) -> dict[str, Any]:
        """The hashed build parameters (JSON-able)."""
        return _parameters(self.kinematics, self.settings)

    @property
    def time_s(self) -> FloatArray:
        """(M, K) time to reach each grid node, s, with the limits applied: +inf outside the
        intercept-altitude band, beyond the maximum fly-out time, or out of kinematic reach."""
        kin = self.kinematics
        alt = self.alt_grid_m[None, :]
        band = (alt >= kin.min_intercept_alt_m) & (alt <= kin.max_intercept_alt_m)
        t = self.kinematic_time_s
        return np.where(band & (t <= kin.max_flyout_time_s), t, np.inf)

    @property
    def reach_arrays(self) -> tuple[FloatArray, FloatArray, FloatArray, float, float, float,
                                    float, float]:  # fmt: skip
        """The arguments of `time_to_reach_scalar` after the point: (range_grid_m, alt_grid_m,
        kinematic_time_s, max fly-out time, band bottom and top, reach_range_m, reach_alt_m)."""
        kin = self.kinematics
        return (self.range_grid_m, self.alt_grid_m, self.kinematic_time_s,
                float(kin.max_flyout_time_s), float(kin.min_intercept_alt_m),
                float(kin.max_intercept_alt_m), float(self.reach_range_m),
                float(self.reach_alt_m))  # fmt: skip

    def time_to_reach(self, ground_range_m: ArrayLike, alt_m: ArrayLike) -> FloatArray:
        """Time from launch to reach points (ground range from the site, altitude), s.

        Bilinear interpolation of `kinematic_time_s`, then the limits of `time_s` applied at the
        point itself. A cell with an unreachable corner (of non-zero weight) is unreachable:
        conservative by at most one cell at the edge of the reach. Inputs broadcast together,
        any shape; a numba kernel (`time_to_reach_scalar`, the one rule also used inside
        `bmdsim.engagement.windows`), about 0.15 s per million random points.

        Returns
        -------
        ndarray
            Time, s, of the broadcast shape: +inf where unreachable (out of kinematic reach,
            outside the altitude band, beyond the maximum fly-out time, beyond `reach_range_m`
            or above `reach_alt_m`); NaN for NaN or negative inputs and for points off the grid
            that the fan might reach (only with user grids that do not cover the reach).
        """
        x, y = np.broadcast_arrays(
            np.asarray(ground_range_m, dtype=np.float64), np.asarray(alt_m, dtype=np.float64)
        )
        out = np.empty(x.shape)
        _time_to_reach_batch(
            np.ascontiguousarray(x).ravel(), np.ascontiguousarray(y).ravel(),
            *self.reach_arrays, out.reshape(-1),
        )  # fmt: skip
        return out

    def reachable(
        self, ground_range_m: ArrayLike, alt_m: ArrayLike, within_s: ArrayLike = np.inf
    ) -> NDArray[np.bool_]:
        """True where the point can be reached (within `within_s` seconds of launch)."""
        t = self.time_to_reach(ground_range_m, alt_m)
        return np.asarray(np.isfinite(t) & (t <= np.asarray(within_s, dtype=np.float64)))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the table to `path` (compressed .npz) atomically: a temporary file in the same
        folder, flushed to disk, then `os.replace`, so that a reader never sees a partial
        file and concurrent writers of the same table do not corrupt it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "model_version": MODEL_VERSION,
            "key": self.key,
            "parameters": self.parameters,
            "reach_range_m": self.reach_range_m,
            "reach_alt_m": self.reach_alt_m,
        }
        with atomic_file(target, "wb", fsync=True) as fh:
            np.savez_compressed(
                fh,
                meta=np.array(json.dumps(meta, sort_keys=True)),
                **{name: getattr(self, name) for name in _ARRAYS},
            )
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FlyoutTable:
        """Read a table written by `save`.

        Raises
        ------
        FlyoutTableError
            If the file is not a complete, self-consistent table of this `MODEL_VERSION`.
        OSError
            If the file cannot be opened.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {name: np.array(data[name]) for name in _ARRAYS}
        except (KeyError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise FlyoutTableError(f"{path}: not a readable fly-out table ({err})") from err
        if meta.get("model_version") != MODEL_VERSION:
            raise FlyoutTableError(
                f"{path}: model version {meta.get('model_version')!r}, expected {MODEL_VERSION!r}"
            )
        try:
            params = meta["parameters"]
            kin = InterceptorKinematics(**params["kinematics"])
            st = FlyoutTableSettings(**params["settings"])
            table = cls(
                kin, st, meta["key"], **arrays,
                reach_range_m=float(meta["reach_range_m"]), reach_alt_m=float(meta["reach_alt_m"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as err:
            raise FlyoutTableError(f"{path}: inconsistent fly-out table ({err})") from err
        if _key(table.parameters) != table.key:
            raise FlyoutTableError(f"{path}: parameters do not match the stored key")
        return table


# ----------------------------------------------------------------------------------------------
# Building
# ----------------------------------------------------------------------------------------------


def _fly_fan(
    kin: InterceptorKinematics,
    st: FlyoutTableSettings,
    earth: EarthModel,
    horizon_s: float,
    impact_alt_m: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fly the fan: elevations (N,), sample times (N, S) from launch and ECEF positions
    (N, S, 3): the boost line, then free flight, NaN-padded after the last sample. Every member
    is sampled at the same times (but the last, the impact or the horizon)."""
    n = st.n_elevations
    el = np.linspace(st.min_elevation_rad, st.max_elevation_rad, n)
    lat0, alt0, az = st.site_lat_rad, st.site_alt_m, st.azimuth_rad
    site = geodetic_to_ecef(lat0, 0.0, alt0, earth)
    up, north, east = up_north_east(lat0, 0.0)
    horiz = math.cos(az) * north + math.sin(az) * east
    u = np.sin(el)[:, None] * up + np.cos(el)[:, None] * horiz  # (N, 3) launch directions
    v, tb, dt = kin.burnout_speed_m_s, kin.burn_time_s, st.sample_dt_s
    settings = FlyoutSettings(
        earth=earth, drag=st.drag, sample_dt_s=dt, t_max_s=max(horizon_s - tb, dt)
    )
    tr = propagate(
        ballistic_body(n, kin.beta_kg_m2), site + 0.5 * v * tb * u, v * u,
        impact_altitude_m=impact_alt_m, settings=settings,
    )  # fmt: skip
    t, r = _continue_past_impact(tr, dt)
    t = t + tb
    if tb > 0.0:  # boost samples, burnout excluded (the first free-flight sample)
        t_boost = np.linspace(0.0, tb, max(2, math.ceil(tb / dt)) + 1)[:-1]
        s_boost = 0.5 * (v / tb) * t_boost**2  # distance along the line, m
        r_boost = site + s_boost[None, :, None] * u[:, None, :]
        t = np.concatenate([np.broadcast_to(t_boost, (n, t_boost.size)), t], axis=1)
        r = np.concatenate([r_boost, r], axis=1)
    return el, t, r


def _continue_past_impact(tr: Trajectories, dt: float) -> tuple[FloatArray, FloatArray]:
    """Sample times (N, S) and ECEF positions (N, S, 3) of the fan, every member that impacted
    continued on the common time grid ``k dt`` up to the longest flight, along the vacuum
    parabola ``r + v tau + g tau^2 / 2`` from its impact state (below the lowest row).

    Without it the mesh would leave a hole between a member's impact point and its longer
    neighbour's descent, where the members in between come down."""
    n, s = tr.t_s.shape
    k = np.arange(s)
    last = np.maximum(tr.n_samples - 1, 0)
    done = tr.ok & (tr.n_samples > 0)
    t_imp = tr.t_s[np.arange(n), last]
    r_imp = tr.r_ecef_m[np.arange(n), last]
    v_imp = tr.v_ecef_m_s[np.arange(n), last]
    g_imp = gravity(np.where(done[:, None], r_imp, tr.launch_r_ecef_m), tr.earth)
    tau = (k * dt)[None, :] - t_imp[:, None]  # (N, S), >= 0 from the impact sample on
    ext = done[:, None] & (k[None, :] >= last[:, None])
    tau3 = tau[..., None]
    r_ext = r_imp[:, None] + v_imp[:, None] * tau3 + 0.5 * g_imp[:, None] * tau3**2
    t = np.where(ext, (k * dt)[None, :], tr.t_s)
    r = np.where(ext[..., None], r_ext, tr.r_ecef_m)
    return t, r


@numba.njit(cache=True)
def _first_at_least(grid: FloatArray, x: float) -> int:
    """Smallest i with grid[i] >= x (grid.size if none): bisection on a sorted grid."""
    lo, hi = 0, grid.size
    while lo < hi:
        mid = (lo + hi) // 2
        if grid[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True)
def _triangle(
    x: FloatArray, y: FloatArray, t: FloatArray, e: FloatArray,
    xg: FloatArray, yg: FloatArray, t_out: FloatArray, e_out: FloatArray,
) -> None:  # fmt: skip
    """Interpolate (t, e) linearly over the triangle with vertices (x, y) at the grid nodes
    inside it, keeping the smallest t per node."""
    x0, x1, x2, y0, y1, y2 = x[0], x[1], x[2], y[0], y[1], y[2]
    det = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2)
    if not det != 0.0:  # degenerate or NaN
        return
    i0 = _first_at_least(xg, min(x0, x1, x2))
    i1 = _first_at_least(xg, max(x0, x1, x2) * (1.0 + 1e-12) + 1e-9)
    k0 = _first_at_least(yg, min(y0, y1, y2))
    k1 = _first_at_least(yg, max(y0, y1, y2) * (1.0 + 1e-12) + 1e-9)
    for i in range(i0, i1):
        for k in range(k0, k1):
            px, py = xg[i] - x2, yg[k] - y2
            l0 = ((y1 - y2) * px + (x2 - x1) * py) / det
            l1 = ((y2 - y0) * px + (x0 - x2) * py) / det
            l2 = 1.0 - l0 - l1
            if l0 >= -1e-9 and l1 >= -1e-9 and l2 >= -1e-9:
                tt = l0 * t[0] + l1 * t[1] + l2 * t[2]
                if tt < t_out[i, k]:
                    t_out[i, k] = tt
                    e_out[i, k] = l0 * e[0] + l1 * e[1] + l2 * e[2]


@numba.njit(cache=True)
def _rasterize_fan(
    rng: FloatArray, alt: FloatArray, t: FloatArray, el: FloatArray,
    xg: FloatArray, yg: FloatArray, t_out: FloatArray, e_out: FloatArray,
) -> None:  # fmt: skip
    """Minimum time over the fan at every grid node (xg ranges, yg altitudes).

    The fan is a mesh: node (j, i) is member j at sample i, at (ground range, altitude)
    ``(rng[j, i], alt[j, i])`` and time ``t[j, i]``; each quad between neighbouring members and
    samples is split into two triangles over which time and elevation are linear."""
    x, y = np.empty(3), np.empty(3)
    tt, ee = np.empty(3), np.empty(3)
    for j in range(rng.shape[0] - 1):
        for i in range(rng.shape[1] - 1):
            for tri in range(2):
                # triangles (j, i), (j+1, i), (j+1, i+1) and (j, i), (j+1, i+1), (j, i+1)
                for v in range(3):
                    if v == 0:
                        a, b = j, i
                    elif v == 1:
                        a, b = j + 1, i + tri
                    else:
                        a, b = j + 1 - tri, i + 1
                    x[v], y[v], tt[v], ee[v] = rng[a, b], alt[a, b], t[a, b], el[a]
                _triangle(x, y, tt, ee, xg, yg, t_out, e_out)


def build_flyout_table(
    kin: InterceptorKinematics, settings: FlyoutTableSettings | None = None, **overrides: Any
) -> FlyoutTable:
    """Fly a fan of interceptor trajectories and tabulate the minimum time to reach each
    (ground range, altitude) grid node. No caching: see `get_flyout_table`.

    Parameters
    ----------
    kin : InterceptorKinematics
    settings : FlyoutTableSettings, optional
        Build settings (default `FlyoutTableSettings()`).
    **overrides
        Settings fields to change, e.g. ``earth_model="sphere", rotation=False``.

    Returns
    -------
    FlyoutTable

    Notes
    -----
    The fan is one batch of ``n_elevations`` trajectories sampled every ``sample_dt_s`` (the
    boost line at the same times). It forms a mesh over (member, sample): each quad between
    neighbouring members and samples is split into two triangles in the (ground range,
    altitude) plane, over which time is linear; every grid node takes the minimum time over
    the triangles covering it. The mesh is folded (a point is passed by a low, fast arc and by
    a lofted one, ascending or descending): the minimum picks the fastest. Flights stop at
    ``1.1 max_flyout_time_s + 30 s`` (at most 3,600 s).
    """
    st = _resolve(kin, settings, overrides)
    earth = earth_model(st.earth_model, rotation=st.rotation)
    t_max = kin.max_flyout_time_s
    horizon = min(1.1 * t_max + 30.0, _T_MAX_S) if math.isfinite(t_max) else _T_MAX_S
    lo, hi = kin.min_intercept_alt_m, kin.max_intercept_alt_m
    lowest = st.alt_grid_m[0] if st.alt_grid_m is not None else lo
    # fly through the lowest row (and the site's level) before stopping
    impact_alt = min(lowest, st.site_alt_m) - 1000.0
    el, t, r = _fly_fan(kin, st, earth, horizon, impact_alt)
    lat, lon, alt = ecef_to_geodetic(r, earth)
    rng = np.full(alt.shape, np.nan)
    ok = np.isfinite(alt)
    rng[ok] = geodesic_inverse(st.site_lat_rad, 0.0, lat[ok], lon[ok], earth)[0]
    reach_alt = float(np.max(alt[ok]))
    # farthest vertex of any mesh triangle that touches the band (a triangle spans a 3 x 3
    # block of (member, sample) nodes): nothing in the band lies beyond it
    band = np.pad(ok & (alt >= lo) & (alt <= hi), 1)
    near = np.zeros_like(band)
    for dj in (-1, 0, 1):
        for di in (-1, 0, 1):
            near |= np.roll(np.roll(band, dj, axis=0), di, axis=1)
    near = near[1:-1, 1:-1] & ok
    reach_range = float(np.max(rng[near])) if np.any(near) else 0.0
    if st.alt_grid_m is not None:
        rows = np.asarray(st.alt_grid_m)
    else:  # over the band, up to just above the ceiling (the last row then out of reach)
        top = min(hi, reach_alt + (reach_alt - lo) / (st.n_alt - 2))
        rows = np.linspace(lo, top if top > lo else lo + 1.0, st.n_alt)
    if st.range_grid_m is not None:
        grid = np.asarray(st.range_grid_m)
    else:  # from the site to just beyond the farthest reach (the last column out of reach)
        far = max(reach_range, 1000.0)
        grid = np.linspace(0.0, far * (1.0 + 1.0 / (st.n_range - 2)), st.n_range)
    if st.max_elevation_rad >= 0.5 * math.pi - 1e-9:
        # the vertical shot drifts off the site on the rotating Earth (Coriolis): a mirror
        # member at zero range, flown like it, closes the fan there
        el = np.append(el, el[-1])
        rng = np.concatenate([rng, np.where(ok[-1:], 0.0, np.nan)])
        alt, t = np.concatenate([alt, alt[-1:]]), np.concatenate([t, t[-1:]])
    time_tab = np.full((grid.size, rows.size), np.inf)
    el_tab = np.full((grid.size, rows.size), np.nan)
    _rasterize_fan(
        np.ascontiguousarray(rng), np.ascontiguousarray(alt), np.ascontiguousarray(t), el,
        grid, rows, time_tab, el_tab,
    )  # fmt: skip
    key = _key(_parameters(kin, st))
    return FlyoutTable(kin, st, key, grid, rows, time_tab, el_tab, reach_range, reach_alt)


# ----------------------------------------------------------------------------------------------
# Cache
# ----------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$BMDSIM_CACHE_DIR/flyout-tables`` if that variable is set, else
    ``$XDG_CACHE_HOME/bmdsim/flyout-tables`` (``~/.cache/bmdsim/flyout-tables``)."""
    root = os.environ.get("BMDSIM_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "flyout-tables"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "bmdsim" / "flyout-tables"


def get_flyout_table(
    kin: InterceptorKinematics,
    settings: FlyoutTableSettings | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> FlyoutTable:
    """The table of `build_flyout_table(kin, settings, **overrides)`, from the disk cache.

    The file is ``<cache_dir>/<key>.npz`` with ``key = flyout_table_key(kin, settings,
    **overrides)``; `cache_dir` defaults to `default_cache_dir()` and is created. A cache file
    that cannot be read or does not match its key is rebuilt and overwritten, with a
    `RuntimeWarning`; a cache that cannot be written only warns.
    """
    st = _resolve(kin, settings, overrides)
    key = _key(_parameters(kin, st))
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / f"{key}.npz"
    if path.exists():
        try:
            table = FlyoutTable.load(path)
            if table.key == key:
                return table
            raise FlyoutTableError(f"{path}: holds the table of key {table.key}")
        except (FlyoutTableError, OSError) as err:
            warnings.warn(f"rebuilding the fly-out table: {err}", RuntimeWarning, stacklevel=2)
    table = build_flyout_table(kin, st)
    try:
        table.save(path)
    except OSError as err:
        warnings.warn(f"fly-out table not cached: {err}", RuntimeWarning, stacklevel=2)
    return table
