"""Engagement windows: when an interceptor site can reach a threat, given when it has a track.

For an interceptor site and a sampled threat trajectory, every threat sample at time t_i is a
candidate intercept point: its ground range from the site and its altitude give the
interceptor's time to reach it, tau (fly-out table, `bmdsim.engagement.flyout_table`). The
intercept is possible when

* the point is inside the interceptor's altitude band and reachable within its maximum
  fly-out time (tau finite), before the threat's impact, and
* the interceptor can be launched in time: t_launch = t_i - tau >= t_fire, the time a
  fire-control-quality track (own, or remote plus latency when engage-on-remote is allowed)
  is in hand, plus the decision-to-launch delay.

The window is [earliest, latest] feasible t_i; the launch times that produce them follow.
Shoot-look-shoot: after a shot intercepts at t_i, the next launch waits for the kill
assessment (t_i + assessment delay); the count of such sequential opportunities is
`n_shoot_look_shoot`.

Ground range is the geodesic distance on the trajectories' ellipsoid between the geodetic
sub-points of the site and of the sample (`ground_range_m`: Vincenty's formula in a numba
kernel, Karney's algorithm where it does not converge; `bmdsim.physics.earth`).

Two implementations of one rule:

* a `FlyoutTable` goes to a numba kernel, parallel over threats (the sites of a threat share
  its sub-points), that reduces each (site, threat) pair on the fly to its window. Launch
  times are computed lazily, in the order the answer needs them (forward to the first
  feasible sample, backward to the last, forward for each shoot-look-shoot round), each with
  the table's own scalar rule (`flyout_table.time_to_reach_scalar`); a sample that exact
  bounds already rule out (not usable, altitude out of the band, ground range beyond the
  table's reach, or launch too late even at a lower bound of the fly-out time) costs neither
  the geodetic conversion nor the geodesic (`_scan`);
* any other object with `time_to_reach` (the `TimeToReach` protocol) goes through numpy
  arrays of shape (sites, threats, samples).

Both give the same numbers on a FlyoutTable, bit for bit (tests/unit/test_engagement_windows.py;
docs/model/engagement.md).
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from dataclasses import dataclass
from typing import Protocol

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim.engagement.flyout_table import FlyoutTable, grid_cell, time_to_reach_scalar
from bmdsim.physics.earth import (
    EarthModel,
    ecef_to_geodetic,
    ecef_to_geodetic_scalar,
    geodesic_inverse,
    geodetic_to_ecef,
    reduced_latitude_scalar,
    vincenty_distance_reduced,
)
from bmdsim.physics.trajectory import Trajectories

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# threats are dealt to this many interleaved chunks, run in parallel threads
_N_CHUNKS = 256
# margin of the ground-range bound, m: far above Vincenty's error (< 1 mm) and rounding
_CHORD_MARGIN_M = 1.0


class TimeToReach(Protocol):
    """What a fly-out table offers: interceptor time to reach (ground range, altitude)."""

    def time_to_reach(self, ground_range_m: ArrayLike, alt_m: ArrayLike) -> FloatArray: ...


@dataclass(frozen=True)
class EngagementWindow:
    """Site x threat batch -> engagement windows; arrays of shape (S, N) (NaN: no intercept).

    Times are seconds after the threat's launch."""

    possible: NDArray[np.bool_]
    earliest_intercept_s: FloatArray
    latest_intercept_s: FloatArray
    earliest_launch_s: FloatArray  # launch time of the earliest intercept
    latest_launch_s: FloatArray  # launch time of the latest intercept
    earliest_intercept_alt_m: FloatArray
    latest_intercept_alt_m: FloatArray
    earliest_intercept_r_ecef_m: FloatArray  # (S, N, 3)
    latest_intercept_r_ecef_m: FloatArray  # (S, N, 3)
    n_shoot_look_shoot: NDArray[np.int64]  # sequential shots that fit


def site_ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, alt_m: ArrayLike, traj: Trajectories
              ) -> FloatArray:  # fmt: skip
    """ECEF positions (S, 3) of interceptor sites on the trajectories' Earth model."""
    return np.atleast_2d(geodetic_to_ecef(lat_rad, lon_rad, alt_m, traj.earth))


def _valid(traj: Trajectories) -> BoolArray:
    """(N, T) which samples are real and not after impact."""
    t = traj.t_s
    valid = np.arange(t.shape[1])[None, :] < traj.n_samples[:, None]
    valid &= t <= np.nan_to_num(traj.impact_time_s, nan=np.inf)[:, None]
    return valid


def usable_samples(traj: Trajectories) -> tuple[NDArray[np.bool_], FloatArray]:
    """(N, T) which samples are real and not after impact, and (N, T) their geodetic
    altitudes (m): the candidate intercept points of every window computation."""
    _, _, alt = ecef_to_geodetic(traj.r_ecef_m, traj.earth)
    return _valid(traj), alt


# ----------------------------------------------------------------------------------------------
# Ground range
# ----------------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _reduced_latitudes(lat: FloatArray, f: float, su: FloatArray, cu: FloatArray) -> None:
    for j in range(lat.size):
        su[j], cu[j] = reduced_latitude_scalar(lat[j], f)


def _subpoints(r_ecef_m: FloatArray, earth: EarthModel
               ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """Geodetic sub-points of positions (..., 3): flat (M,) arrays of latitude, longitude,
    altitude and the sine and cosine of the reduced latitude (Vincenty's U)."""
    lat, lon, alt = (np.ascontiguousarray(v).reshape(-1) for v in ecef_to_geodetic(r_ecef_m, earth))
    su, cu = np.empty(lat.size), np.empty(lat.size)
    _reduced_latitudes(lat, earth.f, su, cu)
    return lat, lon, alt, su, cu


@numba.njit(cache=True, parallel=True)
def _ground_range_kernel(
    site_su: FloatArray, site_cu: FloatArray, site_lon: FloatArray,
    su: FloatArray, cu: FloatArray, lon: FloatArray, a: float, f: float,
    out: FloatArray, converged: BoolArray,
) -> None:  # fmt: skip
    """out[s, j]: geodesic distance from site s to sub-point j (Vincenty), converged[s, j]:
    whether Vincenty's iteration converged (else out is NaN)."""
    m = su.size
    for k in numba.prange(site_su.size * m):
        s, j = k // m, k % m
        out[s, j], converged[s, j] = vincenty_distance_reduced(
            site_su[s], site_cu[s], su[j], cu[j], lon[j] - site_lon[s], a, f
        )


def ground_range_m(site_r_ecef_m: FloatArray, traj: Trajectories) -> FloatArray:
    """(S, N, T) ground range (m) from each of S sites (S, 3) to every trajectory sample: the
    geodesic distance on the trajectories' ellipsoid between the geodetic sub-points (NaN for
    NaN samples).

    Each sub-point is computed once for all sites; the distances come from a numba kernel of
    Vincenty's inverse formula (`bmdsim.physics.earth.vincenty_distance_reduced`, < 1 mm from
    Karney's geodesic), and from Karney's algorithm (pyproj) for the pairs where Vincenty's
    iteration does not converge (nearly antipodal).
    """
    sites = np.atleast_2d(np.asarray(site_r_ecef_m, dtype=float))
    earth = traj.earth
    s_lat, s_lon, _, s_su, s_cu = _subpoints(sites, earth)
    lat, lon, _, su, cu = _subpoints(traj.r_ecef_m, earth)
    out = np.empty((s_lat.size, lat.size))
    converged = np.empty(out.shape, dtype=np.bool_)
    _ground_range_kernel(s_su, s_cu, s_lon, su, cu, lon, earth.a_m, earth.f, out, converged)
    if not converged.all():
        s, j = np.nonzero(~converged)
        out[s, j] = geodesic_inverse(s_lat[s], s_lon[s], lat[j], lon[j], earth)[0]
    return out.reshape(s_lat.size, *traj.t_s.shape)


# ----------------------------------------------------------------------------------------------
# Windows: the kernel (FlyoutTable)
# ----------------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _scan(
    s: int, i: int, j_from: int, j_to: int, step: int, threshold: float, fire_si: float,
    site: tuple, smp: tuple, table: tuple, bounds: tuple, opt: tuple, ground: FloatArray,
    scratch: tuple,
) -> tuple[int, bool]:  # fmt: skip
    """First sample j of threat i, from j_from by `step` up to (not including) j_to, that is a
    feasible intercept for site s launched at or after `threshold` (>= the fire time): (j, True),
    or (-1, True) if none; (-1, False) if a sample needs a geodesic that Vincenty's iteration
    cannot give (the caller then passes `ground`).

    A sample is first put to exact tests that need neither the geodesic nor the geodetic
    conversion (computed once per threat, shared by its sites):

    * not a usable sample;
    * t < threshold, when the table's times are >= 0 (then t - tau <= t);
    * altitude certainly outside the band or off the table's altitude grid (tau not finite);
    * ground range certainly beyond the table's farthest finite column (`_table_bounds`);
    * t - tau_low < threshold, tau_low a lower bound of tau: the least finite time of the
      table's rows around every altitude the sample may have, over every column from that of
      the ground-range bound on (the geodesic's cell is no nearer; bilinear weights are >= 0).

    The bounds: with rho the ellipsoid's radius along r and h_r = |r| - rho >= 0 (r outside),
    the geodetic height h lies in [h_r cos d, h_r] and the sub-point P within h_r d of the
    radial foot q = r rho / |r|, d the largest angle between the normal and the radius
    (`_normal_deviation_rad`): h is the distance to the ellipsoid, at most the distance to q
    and at least that to q's tangent plane, and |P - q| follows from the triangle r, P, q. The
    geodesic from the site's sub-point S is no shorter than the chord |P - S| >= |q - S| -
    h_r d. Inside the ellipsoid (h_r < 0) only h < 0 is used. Margins (1 mm in height, 1 m
    and 1e-9 relative in range) cover rounding and Vincenty's error (< 1 mm).

    A sample that passes gets its launch time t - tau, once per pair (`tl`, NaN if not a
    feasible intercept), from its geodetic sub-point (once per threat), exactly as
    `usable_samples`, `ground_range_m` and `FlyoutTable.time_to_reach` compute it.
    """
    bnd, rows, b_stamp, geo, g_stamp, tl, tl_stamp = scratch
    s_su, s_cu, s_lon, s_surf = site
    r, t, valid = smp[0], smp[1], smp[2]
    xg, yg, tab, max_t, lo, hi, reach_x, reach_y = table
    far, alt_lo, alt_hi, tau_nonneg, lower = bounds
    a, f, use_ground, b, dev, cos_dev = opt[0], opt[1], opt[4], opt[5], opt[6], opt[7]
    pair = s * t.shape[0] + i
    for j in range(j_from, j_to, step):
        if not valid[i, j]:
            continue
        tj = t[i, j]
        if tau_nonneg and not tj >= threshold:
            continue
        if b_stamp[j] != i:  # bounds on the sub-point
            x, y, z = r[i, j, 0], r[i, j, 1], r[i, j, 2]
            rxy2 = x * x + y * y
            rr = math.sqrt(rxy2 + z * z)
            rho = a * b * rr / math.sqrt(b * b * rxy2 + a * a * z * z)
            h_r = rr - rho
            if h_r >= 0.0:
                scale = rho / rr
                bnd[j, 0], bnd[j, 1] = h_r * cos_dev - 1e-3, h_r + 1e-3
                bnd[j, 2], bnd[j, 3], bnd[j, 4] = x * scale, y * scale, z * scale
                bnd[j, 5] = h_r * dev + _CHORD_MARGIN_M
                rows[j, 0] = grid_cell(yg, bnd[j, 0])[0]
                rows[j, 1] = grid_cell(yg, bnd[j, 1])[0]
            else:  # inside (or the centre): h < 0, no range bound, every row
                bnd[j, 0], bnd[j, 1] = -math.inf, 1e-3
                bnd[j, 2] = bnd[j, 3] = bnd[j, 4] = 0.0
                bnd[j, 5] = math.inf
                rows[j, 0], rows[j, 1] = 0, yg.size - 2
            b_stamp[j] = i
        if not (bnd[j, 1] >= alt_lo and bnd[j, 0] <= alt_hi):
            continue
        dx, dy, dz = bnd[j, 2] - s_surf[s, 0], bnd[j, 3] - s_surf[s, 1], bnd[j, 4] - s_surf[s, 2]
        ground_low = math.sqrt(dx * dx + dy * dy + dz * dz) * (1.0 - 1e-9) - bnd[j, 5]
        if ground_low > far:
            continue
        if tau_nonneg:
            col = grid_cell(xg, max(ground_low, 0.0))[0]
            tau_low = math.inf
            for k in range(rows[j, 0], rows[j, 1] + 1):
                tau_low = min(tau_low, lower[col, k])
            if not tj - tau_low * (1.0 - 1e-12) >= threshold:
                continue
        if tl_stamp[j] != pair:  # the launch time, exactly
            if g_stamp[j] != i:
                lat, lon, h = ecef_to_geodetic_scalar(r[i, j, 0], r[i, j, 1], r[i, j, 2], a, f)
                su, cu = reduced_latitude_scalar(lat, f)
                geo[j, 0], geo[j, 1], geo[j, 2], geo[j, 3] = lon, h, su, cu
                g_stamp[j] = i
            value = math.nan
            alt = geo[j, 1]
            if alt >= alt_lo and alt <= alt_hi:
                if use_ground:
                    g = ground[s, i, j]
                else:
                    g, converged = vincenty_distance_reduced(
                        s_su[s], s_cu[s], geo[j, 2], geo[j, 3], geo[j, 0] - s_lon[s], a, f
                    )
                    if not converged:
                        return -1, False
                tau = time_to_reach_scalar(g, alt, xg, yg, tab, max_t, lo, hi, reach_x, reach_y)
                if math.isfinite(tau) and tj - tau >= fire_si:
                    value = tj - tau
            tl[j] = value
            tl_stamp[j] = pair
        if tl[j] >= threshold:  # NaN (infeasible) compares False
            return j, True
    return -1, True


@numba.njit(cache=True)
def _pair_window(
    s: int, i: int, site: tuple, smp: tuple, table: tuple, bounds: tuple, opt: tuple,
    fire: FloatArray, ground: FloatArray, out: tuple, scratch: tuple,
) -> bool:  # fmt: skip
    """Window of site s against threat i, written into `out`; False if a sample needs a
    geodesic that Vincenty's iteration cannot give (the caller then passes `ground`).

    Launch times are computed lazily (`_scan`), in the order the answer needs them: forward
    to the first feasible sample, backward to the last, then forward again for each
    shoot-look-shoot round."""
    t, sorted_t = smp[1], smp[3]
    n_t = t.shape[1]
    kas, max_shots = opt[2], opt[3]
    fire_si = fire[s, i]
    possible, t_e, t_l, launch_e, launch_l, alt_e, alt_l, r_e, r_l, shots = out
    args = (site, smp, table, bounds, opt, ground, scratch)
    first, ok = _scan(s, i, 0, n_t, 1, fire_si, fire_si, *args)
    if not ok:
        return False
    if first < 0:
        possible[s, i] = False
        t_e[s, i] = t_l[s, i] = launch_e[s, i] = launch_l[s, i] = math.nan
        alt_e[s, i] = alt_l[s, i] = math.nan
        r_e[s, i, :] = math.nan
        r_l[s, i, :] = math.nan
        shots[s, i] = 0
        return True
    last, ok = _scan(s, i, n_t - 1, first, -1, fire_si, fire_si, *args)
    if not ok:
        return False
    last = max(last, first)
    # shoot-look-shoot: each shot intercepts at the earliest feasible sample launched after
    # the previous kill assessment; with sorted times, tau >= 0 and a non-negative assessment
    # delay no sample before the last hit can qualify
    skip_back = sorted_t[i] and bounds[3] and kas >= 0.0
    n_shots = 0
    ready = fire_si
    j0 = first
    while n_shots < max_shots:
        hit, ok = _scan(s, i, j0, last + 1, 1, ready, fire_si, *args)
        if not ok:
            return False
        if hit < 0:
            break
        n_shots += 1
        ready = t[i, hit] + kas
        if skip_back:
            j0 = hit
    geo, tl = scratch[3], scratch[5]
    possible[s, i] = True
    t_e[s, i], t_l[s, i] = t[i, first], t[i, last]
    launch_e[s, i], launch_l[s, i] = tl[first], tl[last]
    alt_e[s, i], alt_l[s, i] = geo[first, 1], geo[last, 1]
    r = smp[0]
    r_e[s, i, :] = r[i, first, :]
    r_l[s, i, :] = r[i, last, :]
    shots[s, i] = n_shots
    return True


@numba.njit(cache=True, parallel=True)
def _windows_kernel(
    site: tuple, smp: tuple, table: tuple, bounds: tuple, opt: tuple, fire: FloatArray,
    todo: BoolArray, ground: FloatArray, out: tuple, fallback: BoolArray,
) -> None:  # fmt: skip
    """Windows of every (site, threat) pair with todo[s, i]; fallback[s, i] set where the pair
    needs Karney's geodesic (`_pair_window` returned False). Threats are dealt to interleaved
    chunks run in parallel, each with its scratch buffers; the sites of a threat share its
    sub-points."""
    n_s, n = todo.shape
    n_t = smp[1].shape[1]
    n_chunks = min(n, _N_CHUNKS)
    for c in numba.prange(n_chunks):
        scratch = (np.empty((n_t, 6)), np.empty((n_t, 2), dtype=np.int64),
                   np.full(n_t, -1, dtype=np.int64), np.empty((n_t, 4)),
                   np.full(n_t, -1, dtype=np.int64), np.empty(n_t),
                   np.full(n_t, -1, dtype=np.int64))  # fmt: skip
        for i in range(c, n, n_chunks):
            for s in range(n_s):
                if todo[s, i]:
                    fallback[s, i] = not _pair_window(
                        s, i, site, smp, table, bounds, opt, fire, ground, out, scratch
                    )


_BOUNDS: weakref.WeakKeyDictionary[FlyoutTable, tuple[float, float, float, bool, FloatArray]] = (
    weakref.WeakKeyDictionary()
)


def _table_bounds(table: FlyoutTable) -> tuple[float, float, float, bool, FloatArray]:
    """What `_scan`'s bounds need from a table (cached per table): (far, alt_lo, alt_hi,
    tau_nonneg, lower).

    * far: a ground range beyond which `time_to_reach` is never finite (-inf if nowhere): the
      largest range node of a column of `kinematic_time_s` with a finite entry. Beyond it a
      point is off the grid (+inf or NaN) or in a cell whose far corner column (weight > 0),
      or both, hold no finite time (blocked, +inf).
    * alt_lo, alt_hi: the altitudes with a finite time lie in the band and on the grid.
    * tau_nonneg: every finite time is >= 0, so that tau >= 0 (weights are >= 0).
    * lower (M, K - 1): lower[i, k], the least finite time over columns >= i and rows k, k + 1
      (+inf if none).
    """
    got = _BOUNDS.get(table)
    if got is not None:
        return got
    kin, tab = table.kinematics, table.kinematic_time_s
    finite = np.isfinite(tab)
    cols = np.flatnonzero(finite.any(axis=1))
    far = float(table.range_grid_m[cols[-1]]) if cols.size else -math.inf
    alt_lo = max(kin.min_intercept_alt_m, float(table.alt_grid_m[0]))
    alt_hi = min(kin.max_intercept_alt_m, float(table.alt_grid_m[-1]))
    tau_nonneg = bool(not finite.any() or tab[finite].min() >= 0.0)
    beyond = np.minimum.accumulate(np.where(finite, tab, np.inf)[::-1], axis=0)[::-1]
    lower = np.ascontiguousarray(np.minimum(beyond[:, :-1], beyond[:, 1:]))
    got = (far, alt_lo, alt_hi, tau_nonneg, lower)
    _BOUNDS[table] = got
    return got


def _normal_deviation_rad(earth: EarthModel) -> float:
    """Largest angle between the ellipsoid's normal and the radius, rad, with a margin:
    atan(e^2 / (2 sqrt(1 - e^2))) (the greatest difference of geodetic and geocentric
    latitude, at 45 deg; 0.19 deg on WGS84, 0 on the sphere)."""
    e2 = earth.e2
    return 1.001 * math.atan(e2 / (2.0 * math.sqrt(1.0 - e2))) + 1e-12


def _sorted_times(traj: Trajectories, valid: BoolArray) -> BoolArray:
    """(N,) whether each threat's usable sample times strictly increase."""
    t = np.where(valid, traj.t_s, -np.inf)
    before = np.maximum.accumulate(t, axis=1)[:, :-1]
    return np.all(~valid[:, 1:] | (traj.t_s[:, 1:] > before), axis=1)


def _windows_flyout_table(
    sites: FloatArray, table: FlyoutTable, traj: Trajectories, fire: FloatArray,
    kill_assessment_s: float, max_shots: int,
) -> EngagementWindow:  # fmt: skip
    """`engagement_windows` on a FlyoutTable: the numba kernel."""
    earth = traj.earth
    n_sites, n = sites.shape[0], traj.size
    s_lat, s_lon, _, s_su, s_cu = _subpoints(sites, earth)
    site = (s_su, s_cu, s_lon, np.atleast_2d(geodetic_to_ecef(s_lat, s_lon, 0.0, earth)))
    valid = _valid(traj)
    smp = (np.ascontiguousarray(traj.r_ecef_m), np.ascontiguousarray(traj.t_s), valid,
           _sorted_times(traj, valid))  # fmt: skip
    e2, e3 = (n_sites, n), (n_sites, n, 3)  # outputs, filled by the kernel
    w = EngagementWindow(
        np.empty(e2, np.bool_), np.empty(e2), np.empty(e2), np.empty(e2), np.empty(e2),
        np.empty(e2), np.empty(e2), np.empty(e3), np.empty(e3), np.zeros(e2, np.int64),
    )  # fmt: skip
    out = tuple(getattr(w, f.name) for f in dataclasses.fields(EngagementWindow))
    tab, bounds = table.reach_arrays, _table_bounds(table)
    dev = _normal_deviation_rad(earth)
    opt = (earth.a_m, earth.f, float(kill_assessment_s), int(max_shots), False, earth.b_m, dev,
           math.cos(dev))  # fmt: skip
    fallback = np.zeros((n_sites, n), dtype=np.bool_)
    todo = np.ones((n_sites, n), dtype=np.bool_)
    # chunks go one at a time to whichever thread is free: threats differ in cost, and a
    # thread slowed by another process must not hold the others up
    chunksize = numba.set_parallel_chunksize(1)
    try:
        _windows_kernel(site, smp, tab, bounds, opt, fire, todo, np.empty((0, 0, 0)), out,
                        fallback)  # fmt: skip
        if fallback.any():  # nearly antipodal samples within the table's reach: Karney's
            _windows_kernel(site, smp, tab, bounds, (*opt[:4], True, *opt[5:]), fire,
                            fallback.copy(), ground_range_m(sites, traj), out,
                            np.zeros_like(fallback))  # fmt: skip
    finally:
        numba.set_parallel_chunksize(chunksize)
    return w


# ----------------------------------------------------------------------------------------------
# Windows: numpy (any TimeToReach)
# ----------------------------------------------------------------------------------------------


def _windows_numpy(
    sites: FloatArray, table: TimeToReach, traj: Trajectories, fire: FloatArray,
    kill_assessment_s: float, max_shots: int,
) -> EngagementWindow:  # fmt: skip
    """`engagement_windows` on any TimeToReach: arrays of shape (S, N, T)."""
    n_sites, n = sites.shape[0], traj.size
    t = traj.t_s  # (N, T)
    valid, alt = usable_samples(traj)  # (N, T)
    ground = ground_range_m(sites, traj)  # (S, N, T)
    tau = np.asarray(table.time_to_reach(ground, np.broadcast_to(alt, ground.shape)), dtype=float)
    t_launch = t[None] - tau  # (S, N, T)
    ok = valid[None] & np.isfinite(tau) & (t_launch >= fire[..., None])
    possible = ok.any(axis=2)
    first = np.where(possible, np.argmax(ok, axis=2), 0)
    last = np.where(possible, t.shape[1] - 1 - np.argmax(ok[..., ::-1], axis=2), 0)

    def pick(a: FloatArray, j: NDArray[np.int64]) -> FloatArray:
        out = np.take_along_axis(a, j[..., None], axis=2)[..., 0]
        return np.where(possible, out, np.nan)

    tt = np.broadcast_to(t[None], ok.shape)
    aa = np.broadcast_to(alt[None], ok.shape)
    r = np.broadcast_to(traj.r_ecef_m[None], (*ok.shape, 3))
    r_first = np.take_along_axis(r, first[..., None, None], axis=2)[..., 0, :]
    r_last = np.take_along_axis(r, last[..., None, None], axis=2)[..., 0, :]
    r_first[~possible] = np.nan
    r_last[~possible] = np.nan
    # shoot-look-shoot: each shot intercepts at the earliest feasible point launched after the
    # previous kill assessment
    shots = np.zeros((n_sites, n), dtype=np.int64)
    ready = fire.copy()
    for _ in range(max_shots):
        can = ok & (t_launch >= ready[..., None])
        has = can.any(axis=2)
        if not np.any(has):
            break
        j = np.argmax(can, axis=2)
        t_int = np.take_along_axis(tt, j[..., None], axis=2)[..., 0]
        shots += has
        ready = np.where(has, t_int + kill_assessment_s, np.inf)
    return EngagementWindow(
        possible=possible,
        earliest_intercept_s=pick(tt, first),
        latest_intercept_s=pick(tt, last),
        earliest_launch_s=pick(t_launch, first),
        latest_launch_s=pick(t_launch, last),
        earliest_intercept_alt_m=pick(aa, first),
        latest_intercept_alt_m=pick(aa, last),
        earliest_intercept_r_ecef_m=r_first,
        latest_intercept_r_ecef_m=r_last,
        n_shoot_look_shoot=shots,
    )


def engagement_windows(
    site_r_ecef_m: FloatArray,
    table: TimeToReach,
    traj: Trajectories,
    fire_time_s: ArrayLike,
    *,
    launch_delay_s: float = 0.0,
    kill_assessment_s: float = 30.0,
    max_shots: int = 8,
) -> EngagementWindow:
    """Engagement windows of S sites (one interceptor type: `table`) against N sampled threats.

    Parameters
    ----------
    site_r_ecef_m : (S, 3) site positions (ECEF, m).
    table : the interceptor's fly-out table (`time_to_reach(ground_range_m, alt_m)`, inf or
        NaN where it cannot reach, and already limited to its altitude band and fly-out time).
        A `FlyoutTable` runs the numba kernel, any other object numpy arrays of shape
        (S, N, samples); the two agree exactly on a FlyoutTable.
    traj : N sampled threat trajectories.
    fire_time_s : (S, N) or broadcastable: when each site has a fire-control track of each
        threat (s after the threat's launch; inf: never).
    launch_delay_s : decision-to-launch delay added to the track time.
    kill_assessment_s : time after an intercept before the next shot may be launched.
    max_shots : cap on the shoot-look-shoot count.
    """
    sites = np.atleast_2d(np.asarray(site_r_ecef_m, dtype=float))
    shape = (sites.shape[0], traj.size)
    fire = np.broadcast_to(np.asarray(fire_time_s, dtype=float), shape) + launch_delay_s
    if isinstance(table, FlyoutTable):
        return _windows_flyout_table(sites, table, traj, np.ascontiguousarray(fire),
                                     kill_assessment_s, max_shots)  # fmt: skip
    return _windows_numpy(sites, table, traj, fire, kill_assessment_s, max_shots)
