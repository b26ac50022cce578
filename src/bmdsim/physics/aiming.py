"""Aiming: launch azimuth, loft and thrust cut-off that put a missile on its target.

Controls of a flight (see `bmdsim.physics.flyout`): the launch azimuth, the loft parameter of
the steering law (the pitch-over kick of a gravity turn: larger is flatter) and the thrust
cut-off time. Shapes (docs/model/aiming.md):

* ``minimum-energy``: the trajectory that reaches the target with the least energy: thrust is
  cut off as early as possible, with the loft that maximises range for that cut-off. At the
  maximum range it is the full-burn, range-maximising trajectory.
* ``lofted`` / ``depressed``: full burn, on the high (steeper) or low (flatter) branch of
  range-versus-loft; or, when an apogee or burnout angle is given, the (loft, cut-off) pair
  that reaches the target with that apogee (burnout angle).

Every solver works on a batch of launch/target pairs at once: each iteration is one batch
flyout. The azimuth is corrected every iteration from the cross-range miss, which absorbs
the Coriolis deflection of a rotating Earth. Miss is measured on the ellipsoid (geodesic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim.physics._integrator import EV_BURNOUT, EV_IMPACT, STATUS_NO_IMPACT
from bmdsim.physics.earth import geodesic_inverse
from bmdsim.physics.flyout import FlyoutSettings, VehicleArrays, fly_free, fly_missiles
from bmdsim.physics.kepler import max_range_angle
from bmdsim.physics.trajectory import Trajectories

FloatArray = NDArray[np.float64]

LOFT_MIN_RAD = np.deg2rad(0.05)
LOFT_MAX_RAD = np.deg2rad(90.0)
#: A solution that misses by more than this is reported as not converged (AimingError).
MISS_LIMIT_M = 1000.0
#: Earliest thrust cut-off considered, as a fraction of the full boost time.
CUTOFF_MIN_FRACTION = 0.12


class Shape(StrEnum):
    MINIMUM_ENERGY = "minimum-energy"
    LOFTED = "lofted"
    DEPRESSED = "depressed"


class AimingError(ValueError):
    """No trajectory of the requested shape reaches the target."""


class TargetOutOfRangeError(AimingError):
    """The target is beyond the missile's maximum range."""


@dataclass(frozen=True)
class AimSolution:
    """Controls per pair and the trajectories they fly."""

    azimuth_rad: FloatArray
    loft_rad: FloatArray
    cutoff_s: FloatArray  # inf: full burn
    miss_m: FloatArray  # geodesic distance from the impact point to the target
    target_range_m: FloatArray
    trajectories: Trajectories


def _b(x: ArrayLike, n: int) -> FloatArray:
    return np.array(np.broadcast_to(np.asarray(x, dtype=float), (n,)), dtype=float)


class _Problem:
    """A batch of launch/target pairs for one vehicle, with the miss evaluation."""

    def __init__(
        self,
        vehicle: VehicleArrays,
        launch_lat: FloatArray,
        launch_lon: FloatArray,
        target_lat: FloatArray,
        target_lon: FloatArray,
        launch_alt: FloatArray,
        target_alt: FloatArray,
        settings: FlyoutSettings,
    ) -> None:
        self.v, self.st = vehicle, settings.with_(sample_dt_s=None)
        self.lat, self.lon, self.alt = launch_lat, launch_lon, launch_alt
        self.tlat, self.tlon, self.talt = target_lat, target_lon, target_alt
        self.n = launch_lat.shape[0]
        self.dist, self.az_t, _ = geodesic_inverse(
            launch_lat, launch_lon, target_lat, target_lon, settings.earth
        )
        self.boost_s = float(vehicle.boost_end_s[0])

    def fly(
        self,
        idx: NDArray[np.int64],
        az: FloatArray,
        loft: FloatArray,
        cut: FloatArray,
        settings: FlyoutSettings | None = None,
    ) -> Trajectories:
        return fly_missiles(
            self.v, self.lat[idx], self.lon[idx], az, loft, launch_alt_m=self.alt[idx],
            cutoff_s=cut, impact_altitude_m=self.talt[idx], settings=settings or self.st,
        )  # fmt: skip

    def miss(self, idx: NDArray[np.int64], tr: Trajectories) -> tuple[FloatArray, FloatArray]:
        """(downrange, cross-range) miss in m; downrange > 0 is long. NaN where no impact."""
        ilat, ilon = tr.impact_lat_lon_rad
        d, az, _ = geodesic_inverse(self.lat[idx], self.lon[idx], ilat, ilon, self.st.earth)
        daz = np.angle(np.exp(1j * (az - self.az_t[idx])))
        r = self.st.earth.a_m
        down = d * np.cos(daz) - self.dist[idx]
        cross = r * np.sin(d / r) * np.sin(daz)
        bad = ~tr.ok
        down[bad], cross[bad] = np.nan, np.nan
        return down, cross

    def max_range(
        self, idx: NDArray[np.int64], az: FloatArray, cut: ArrayLike = np.inf
    ) -> tuple[FloatArray, FloatArray]:
        """`max_range_loft` for the elements idx (launch and impact levels of the pairs)."""
        return max_range_loft(self.v, self.lat[idx], self.lon[idx], az, cutoff_s=cut,
                              alt_m=self.alt[idx], impact_altitude_m=self.talt[idx],
                              settings=self.st)  # fmt: skip

    def az_step(self, idx: NDArray[np.int64], cross: FloatArray) -> FloatArray:
        r = self.st.earth.a_m
        lever = r * np.sin(np.clip(self.dist[idx] / r, 1e-6, np.pi - 0.2))
        return -np.nan_to_num(cross) / lever


def fan_maximize(
    objective: Callable[[FloatArray, NDArray[np.int64]], FloatArray],
    lo: FloatArray,
    hi: FloatArray,
    *,
    rounds: int = 4,
    k: int = 25,
) -> tuple[FloatArray, FloatArray]:
    """Maximise a smooth scalar objective per element on [lo, hi] with fans flown as batches.

    `objective(x, rows)` evaluates element `rows[i]` at `x[i]` (NaN/-inf: infeasible). Each
    round flies k points per element and narrows to +-2 spacings around the best; a parabola
    through the three best points gives the vertex. Returns (x_best, objective(x_best))."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    n = lo.shape[0]
    rows = np.arange(n)
    best_x = lo.copy()
    for _ in range(rounds):
        fan = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, k)[None, :]
        val = objective(fan.ravel(), np.repeat(rows, k)).reshape(n, k)
        val = np.where(np.isfinite(val), val, -np.inf)
        j = np.argmax(val, axis=1)
        step = (hi - lo) / (k - 1)
        v0 = val[rows, np.clip(j - 1, 0, k - 1)]
        v1 = val[rows, j]
        v2 = val[rows, np.clip(j + 1, 0, k - 1)]
        inner = (j > 0) & (j < k - 1) & np.isfinite(v0) & np.isfinite(v2)
        with np.errstate(invalid="ignore"):
            den = np.where(inner, v0 - 2 * v1 + v2, 0.0)
            inner &= den < 0
            off = np.where(inner, 0.5 * (v0 - v2) / np.where(inner, den, 1.0), 0.0)
        best_x = fan[rows, j] + off * step
        lo0, hi0 = lo, hi
        lo = np.maximum(best_x - 2 * step, lo0)
        hi = np.minimum(best_x + 2 * step, hi0)
    return best_x, objective(best_x, rows)


def depressed(tr: Trajectories) -> NDArray[np.bool_]:
    """True where the free flight is depressed: the burnout flight-path angle is below the
    minimum-energy angle for the burnout speed (two-body closed form, geocentric; burnout and
    impact radii as flown). Speed and angle are taken relative to the Earth, as on a
    non-rotating Earth: the inertial ones would call an eastward shot depressed because the
    Earth's rotation flattens its inertial velocity. Where no such angle exists (speed enough
    to reach the antipode) nothing is depressed."""
    r = tr.event_r_ecef_m[:, EV_BURNOUT]
    v = tr.event_v_ecef_m_s[:, EV_BURNOUT]
    rn, vn = np.linalg.norm(r, axis=1), np.linalg.norm(v, axis=1)
    gamma = np.arcsin(np.clip(np.sum(r * v, axis=1) / (rn * vn), -1.0, 1.0))
    r1 = np.linalg.norm(tr.event_r_ecef_m[:, EV_IMPACT], axis=1)
    good = np.isfinite(r1) & (vn > 0)
    opt = np.full(len(r), np.nan)
    if np.any(good):
        opt[good] = max_range_angle(
            vn[good], rn[good], r1[good], mu_m3_s2=tr.earth.mu_m3_s2
        ).flight_path_angle_rad
    return np.where(np.isnan(opt), False, gamma < opt - 1e-9)


def max_range_loft(
    vehicle: VehicleArrays,
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    azimuth_rad: ArrayLike,
    *,
    cutoff_s: ArrayLike = np.inf,
    alt_m: ArrayLike = 0.0,
    impact_altitude_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
    rounds: int = 4,
) -> tuple[FloatArray, FloatArray]:
    """Maximum range (m) and the loft that gives it, per element, at the given cut-off.

    The maximum is taken over trajectories that are not `depressed`: the minimum-energy
    trajectory. Without that bound a flatter boost trades burnout angle for lower gravity
    losses and the 'maximum' of a near-orbital ICBM slides to a sea-skimming, fractional-orbit
    boost that no ballistic missile flies (docs/model/aiming.md)."""
    st = (settings or FlyoutSettings()).with_(sample_dt_s=None)
    lat, lon, az, cut, alt, h1 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in
          (lat_rad, lon_rad, azimuth_rad, cutoff_s, alt_m, impact_altitude_m))
    )  # fmt: skip

    def rng(loft: FloatArray, r: NDArray[np.int64]) -> FloatArray:
        tr = fly_missiles(vehicle, lat[r], lon[r], az[r], loft, launch_alt_m=alt[r],
                          cutoff_s=cut[r], impact_altitude_m=h1[r], settings=st)  # fmt: skip
        return np.where(tr.ok & ~depressed(tr), tr.range_m, -np.inf)

    n = lat.shape[0]
    loft, best = fan_maximize(
        rng, np.full(n, LOFT_MIN_RAD), np.full(n, LOFT_MAX_RAD), rounds=rounds
    )
    return best, loft


def max_range_free_flight(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    alt_m: ArrayLike,
    speed_m_s: ArrayLike,
    azimuth_rad: ArrayLike,
    *,
    beta_kg_m2: ArrayLike = np.inf,
    impact_altitude_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
    rounds: int = 7,
) -> tuple[FloatArray, FloatArray]:
    """Maximum range (m) of free flights from given burnout conditions, and the flight-path
    angle (rad) that gives it: the integrator's own answer to the minimum-energy problem that
    `bmdsim.physics.kepler.max_range_angle` solves in closed form (vacuum, sphere)."""
    st = (settings or FlyoutSettings()).with_(sample_dt_s=None)
    lat, lon, alt, v, az, beta, h1 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in
          (lat_rad, lon_rad, alt_m, speed_m_s, azimuth_rad, beta_kg_m2, impact_altitude_m))
    )  # fmt: skip

    def rng(gamma: FloatArray, r: NDArray[np.int64]) -> FloatArray:
        tr = fly_free(
            lat[r],
            lon[r],
            alt[r],
            v[r],
            gamma,
            az[r],
            beta_kg_m2=beta[r],
            impact_altitude_m=h1[r],
            settings=st,
        )
        return np.where(tr.ok, tr.range_m, -np.inf)

    n = lat.shape[0]
    gamma, best = fan_maximize(
        rng, np.full(n, np.deg2rad(0.5)), np.full(n, np.deg2rad(89.5)), rounds=rounds
    )
    return best, gamma


def _illinois(
    f: Callable[[FloatArray, NDArray[np.int64]], FloatArray],
    lo: FloatArray,
    hi: FloatArray,
    f_lo: FloatArray,
    f_hi: FloatArray,
    tol: float,
    max_iter: int = 60,
) -> FloatArray:
    """Vectorized Illinois (regula falsi) root of f on brackets [lo, hi] with f_lo*f_hi <= 0.

    `f(x, idx)` evaluates the elements `idx` at x; it may change its own state (the azimuth
    correction) between calls. Stops per element when |f| < tol."""
    x = np.where(np.abs(f_lo) < np.abs(f_hi), lo, hi)
    done = np.minimum(np.abs(f_lo), np.abs(f_hi)) < tol
    side = np.zeros(lo.shape[0], dtype=np.int64)
    for _ in range(max_iter):
        idx = np.flatnonzero(~done)
        if idx.size == 0:
            break
        a, b, fa, fb = lo[idx], hi[idx], f_lo[idx], f_hi[idx]
        xc = np.where(fb != fa, (a * fb - b * fa) / np.where(fb != fa, fb - fa, 1.0), 0.5 * (a + b))
        xc = np.where((xc > np.minimum(a, b)) & (xc < np.maximum(a, b)), xc, 0.5 * (a + b))
        fc = f(xc, idx)
        x[idx] = xc
        ok = np.abs(fc) < tol
        same_as_b = np.sign(fc) == np.sign(fb)
        # Illinois: halve the retained end's value when the same end is kept twice
        sd = side[idx]
        new_fa = np.where(same_as_b & (sd == -1), fa * 0.5, fa)
        new_fb = np.where(~same_as_b & (sd == 1), fb * 0.5, fb)
        hi[idx] = np.where(same_as_b, xc, b)
        f_hi[idx] = np.where(same_as_b, fc, new_fb)
        lo[idx] = np.where(same_as_b, a, xc)
        f_lo[idx] = np.where(same_as_b, new_fa, fc)
        side[idx] = np.where(same_as_b, -1, 1)
        done[idx] = ok | (np.abs(hi[idx] - lo[idx]) < 1e-12 * np.maximum(1.0, np.abs(xc)))
    return x


def aim(
    vehicle: VehicleArrays,
    launch_lat_rad: ArrayLike,
    launch_lon_rad: ArrayLike,
    target_lat_rad: ArrayLike,
    target_lon_rad: ArrayLike,
    *,
    shape: Shape | str = Shape.MINIMUM_ENERGY,
    apogee_m: float | None = None,
    launch_alt_m: ArrayLike = 0.0,
    target_alt_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
    tol_m: float = 20.0,
    skip_out_of_range: bool = False,
    family_rounds: int = 4,
) -> AimSolution:
    """Solve the controls that put one missile type on each target (batch over pairs).

    Raises `TargetOutOfRangeError` (with the maximum range along that azimuth) for targets
    beyond reach, unless `skip_out_of_range` (and some pair is in range): then those pairs
    get NaN controls and miss, and `trajectories` holds the in-range pairs only, in order.
    Raises `AimingError` when the requested shape has no solution. `family_rounds`: fan
    rounds of the loft search in the minimum-energy family (4: loft to ~0.02 deg; 3: ~0.1
    deg, a quarter less work; the target is hit to `tol_m` either way)."""
    shape = Shape(shape)
    st = settings or FlyoutSettings()
    n = int(np.broadcast(*(np.atleast_1d(np.asarray(a)) for a in (
        launch_lat_rad, launch_lon_rad, target_lat_rad, target_lon_rad))).shape[0])  # fmt: skip
    p = _Problem(
        vehicle, _b(launch_lat_rad, n), _b(launch_lon_rad, n), _b(target_lat_rad, n),
        _b(target_lon_rad, n), _b(launch_alt_m, n), _b(target_alt_m, n), st,
    )  # fmt: skip
    az = p.az_t.copy()
    full = np.full(n, np.inf)
    all_idx = np.arange(n)
    rmax, l_star = p.max_range(all_idx, az)
    far = p.dist > rmax
    if skip_out_of_range and np.any(far) and not np.all(far):
        keep = np.flatnonzero(~far)
        sub = aim(vehicle, p.lat[keep], p.lon[keep], p.tlat[keep], p.tlon[keep], shape=shape,
                  apogee_m=apogee_m, launch_alt_m=p.alt[keep], target_alt_m=p.talt[keep],
                  settings=st, tol_m=tol_m, family_rounds=family_rounds)  # fmt: skip
        return AimSolution(_scatter(n, keep, sub.azimuth_rad), _scatter(n, keep, sub.loft_rad),
                           _scatter(n, keep, sub.cutoff_s), _scatter(n, keep, sub.miss_m),
                           p.dist, sub.trajectories)  # fmt: skip
    if np.any(far):
        i = int(np.flatnonzero(far)[0])
        raise TargetOutOfRangeError(
            f"target at {p.dist[i] / 1e3:,.0f} km is beyond the maximum range "
            f"{rmax[i] / 1e3:,.0f} km of this missile from this launch point on this azimuth"
            + (f" ({int(far.sum())} of {n} pairs out of range)" if n > 1 else "")
        )

    def control_fn(
        which: str, fixed_loft: FloatArray | None, fixed_cut: FloatArray | None
    ) -> Callable[[FloatArray, NDArray[np.int64]], FloatArray]:
        def f(x: FloatArray, idx: NDArray[np.int64]) -> FloatArray:
            loft = x if which == "loft" else fixed_loft[idx]  # type: ignore[index]
            cut = x if which == "cut" else fixed_cut[idx]  # type: ignore[index]
            tr = p.fly(idx, az[idx], loft, cut)
            down, cross = p.miss(idx, tr)
            az[idx] += p.az_step(idx, cross)
            # a flight still up at t_max counts as long, one that crashed in boost as short
            failed = np.where(tr.status == STATUS_NO_IMPACT, p.dist[idx], -p.dist[idx])
            return np.where(np.isnan(down), failed, down)

        return f

    def solve_loft(idx: NDArray[np.int64], cut: FloatArray, lofted: bool) -> FloatArray:
        """Loft on one branch that reaches the target at a given cut-off."""
        full_n = np.full(n, np.nan)
        full_n[idx] = cut
        rm, ls = p.max_range(idx, az[idx], cut)
        f = control_fn("loft", None, full_n)
        end = np.full(idx.size, LOFT_MIN_RAD if lofted else LOFT_MAX_RAD)
        f_end = f(end, idx)
        f_star = rm - p.dist[idx]
        if np.any(f_end > 0):
            raise AimingError(
                f"no {'lofted' if lofted else 'depressed'} full-burn trajectory reaches "
                f"{p.dist[idx][f_end > 0][0] / 1e3:,.0f} km: the whole branch flies farther; "
                "give an apogee (--apogee-km) to fly it with thrust cut-off"
            )
        lo, hi = (end, ls.copy()) if lofted else (ls.copy(), end)
        flo, fhi = (f_end, f_star) if lofted else (f_star, f_end)
        out = np.full(n, np.nan)
        out[idx] = _illinois(lambda x, j: f(x, idx[j]), lo, hi, flo, fhi, tol_m)
        return out

    all_idx = np.arange(n)
    if shape is Shape.MINIMUM_ENERGY:
        loft, cut = _min_energy(p, vehicle, st, az, rmax, l_star, control_fn, tol_m,
                                family_rounds)  # fmt: skip
    elif apogee_m is None:
        cut = full.copy()
        loft = solve_loft(all_idx, cut, shape is Shape.LOFTED)
    else:
        loft, cut = _given_apogee(p, vehicle, st, az, apogee_m, shape, control_fn, tol_m)
    tr = p.fly(all_idx, az, loft, cut, settings=st)
    ilat, ilon = tr.impact_lat_lon_rad
    miss = geodesic_inverse(ilat, ilon, p.tlat, p.tlon, st.earth)[0]
    bad = ~(miss <= max(MISS_LIMIT_M, 10 * tol_m))
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise AimingError(
            f"the {shape.value} solver did not converge for pair {i}: miss "
            f"{miss[i] / 1e3:,.1f} km (status {tr.status_names()[i]}) at target range "
            f"{p.dist[i] / 1e3:,.0f} km"
        )
    return AimSolution(az, loft, cut, miss, p.dist, tr)


def minimum_energy_family(
    vehicle: VehicleArrays,
    lat_rad: FloatArray,
    lon_rad: FloatArray,
    azimuth_rad: FloatArray,
    *,
    k: int,
    alt_m: ArrayLike = 0.0,
    impact_altitude_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
    full_burn: tuple[FloatArray, FloatArray] | None = None,
    rounds: int = 4,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The minimum-energy trajectories of each launch point and azimuth (N elements): thrust
    cut-off times (k,) from the earliest modelled (`CUTOFF_MIN_FRACTION` of the boost) to
    full burn, and per element the range-maximising loft (N, k) and that range (N, k), the
    range made non-decreasing (coasts give flat intervals). `full_burn` (range, loft) reuses
    an already computed last column; `rounds`: fan rounds of each loft search
    (`fan_maximize`)."""
    lat, lon, az, alt, h1 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in
          (lat_rad, lon_rad, azimuth_rad, alt_m, impact_altitude_m))
    )  # fmt: skip
    n = lat.shape[0]
    grid = float(vehicle.boost_end_s[0]) * np.linspace(CUTOFF_MIN_FRACTION, 1.0, k)
    cols = k - 1 if full_burn is not None else k
    rep = np.repeat(np.arange(n), cols)
    r_c, l_c = max_range_loft(
        vehicle, lat[rep], lon[rep], az[rep], cutoff_s=np.tile(grid[:cols], n), alt_m=alt[rep],
        impact_altitude_m=h1[rep], settings=settings, rounds=rounds,
    )  # fmt: skip
    r_tab, l_tab = r_c.reshape(n, cols), l_c.reshape(n, cols)
    if full_burn is not None:
        r_tab = np.concatenate([r_tab, full_burn[0][:, None]], axis=1)
        l_tab = np.concatenate([l_tab, full_burn[1][:, None]], axis=1)
    return grid, l_tab, np.maximum.accumulate(r_tab, axis=1)


def _min_energy(
    p: _Problem,
    vehicle: VehicleArrays,
    st: FlyoutSettings,
    az: FloatArray,
    rmax: FloatArray,
    l_star: FloatArray,
    control_fn: Callable,
    tol_m: float,
    rounds: int = 4,
) -> tuple[FloatArray, FloatArray]:
    """Earliest cut-off (least energy) with the range-maximising loft for that cut-off."""
    n, k = p.n, 12
    grid, l_tab, r_tab = minimum_energy_family(
        vehicle, p.lat, p.lon, az, k=k, alt_m=p.alt, impact_altitude_m=p.talt, settings=p.st,
        full_burn=(rmax, l_star), rounds=rounds,
    )  # fmt: skip
    near = p.dist < r_tab[:, 0]
    if np.any(near):
        i = int(np.flatnonzero(near)[0])
        raise AimingError(
            f"target at {p.dist[i] / 1e3:,.0f} km is closer than the shortest minimum-energy "
            f"flight modelled ({r_tab[i, 0] / 1e3:,.0f} km, thrust cut at "
            f"{CUTOFF_MIN_FRACTION:.0%} of the boost); use a lofted trajectory with an apogee"
        )

    def loft_of(cut: FloatArray, idx: NDArray[np.int64]) -> FloatArray:
        return np.array([np.interp(c, grid, l_tab[i]) for c, i in zip(cut, idx, strict=True)])

    j = np.array([np.searchsorted(r_tab[i], p.dist[i]) for i in range(n)])
    j = np.clip(j, 1, k - 1)
    lo, hi = grid[j - 1], grid[j]

    def f(c: FloatArray, idx: NDArray[np.int64]) -> FloatArray:
        return control_fn("loft", None, _scatter(n, idx, c))(loft_of(c, idx), idx)

    all_idx = np.arange(n)
    f_lo, f_hi = f(lo.copy(), all_idx), f(hi.copy(), all_idx)
    cut = _illinois(f, lo.copy(), hi.copy(), f_lo, f_hi, tol_m)
    return loft_of(cut, all_idx), cut


def _scatter(n: int, idx: NDArray[np.int64], values: FloatArray) -> FloatArray:
    out = np.full(n, np.nan)
    out[idx] = values
    return out


def _given_apogee(
    p: _Problem,
    vehicle: VehicleArrays,
    st: FlyoutSettings,
    az: FloatArray,
    apogee_m: float,
    shape: Shape,
    control_fn: Callable,
    tol_m: float,
) -> tuple[FloatArray, FloatArray]:
    """(loft, cut-off) pairs that hit the target with the given apogee altitude."""
    n = p.n
    all_idx = np.arange(n)
    lofted = shape is Shape.LOFTED
    me_loft, me_cut = _min_energy(
        p,
        vehicle,
        st,
        az,
        *p.max_range(all_idx, az),
        control_fn,
        tol_m,
    )
    full = np.full(n, p.boost_s)
    f_loft = control_fn("loft", None, full)
    end = np.full(n, LOFT_MIN_RAD if lofted else LOFT_MAX_RAD)
    f_end = f_loft(end.copy(), all_idx)
    if np.all(f_end <= 0):
        # the full-burn trajectory of this branch exists: it bounds the apogees reachable
        l0, l1 = (end.copy(), me_loft.copy()) if lofted else (me_loft.copy(), end.copy())
        f_me = f_loft(me_loft.copy(), all_idx)
        f0, f1 = (f_end, f_me) if lofted else (f_me, f_end)
        end = _illinois(f_loft, l0, l1, f0, f1, tol_m)
        # step 2 % inside the branch so that full burn surely flies long (range is steep here)
        end = end + 0.02 * (me_loft - end)
    apo_tol = max(1000.0, 0.002 * apogee_m)
    cut_state = me_cut.copy()

    def g(loft: FloatArray, idx: NDArray[np.int64]) -> FloatArray:
        fc = control_fn("cut", _scatter(n, idx, loft), None)
        lo = np.full(idx.size, p.boost_s * CUTOFF_MIN_FRACTION)
        hi = np.full(idx.size, p.boost_s)
        f_lo = fc(lo.copy(), idx)
        fc(hi.copy(), idx)  # settle the azimuth on this loft's full-burn flight first
        f_hi = fc(hi.copy(), idx)
        c = _illinois(lambda x, j: fc(x, idx[j]), lo, hi, f_lo, f_hi, tol_m)
        cut_state[idx] = c
        tr = p.fly(idx, az[idx], loft, c)
        return tr.apogee_altitude_m - apogee_m

    g_me = g(me_loft.copy(), all_idx)
    g_end = g(end.copy(), all_idx)
    bad = (g_me * g_end) > 0
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        lo_a, hi_a = sorted((g_me[i] + apogee_m, g_end[i] + apogee_m))
        raise AimingError(
            f"no {shape.value} trajectory to this target has an apogee of {apogee_m / 1e3:,.0f} "
            f"km: reachable apogees are {lo_a / 1e3:,.0f} to {hi_a / 1e3:,.0f} km"
        )
    loft = _illinois(g, me_loft.copy(), end.copy(), g_me, g_end, apo_tol, max_iter=40)
    g(loft, all_idx)
    return loft, cut_state
