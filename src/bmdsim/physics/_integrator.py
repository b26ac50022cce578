"""The batch flight integrator: numba kernels, one adaptive Dormand-Prince 5(4) flight at a time
per thread (`_fly_one`), or, for batches without samples, sixteen at a time in SIMD lanes
(`propagate_free_lanes`: free flights, and whole flights with drag, whose powered flight has
lanes of its own; decisions 0015, 0017 and 0018) with the same results, bit for bit.

Everything here is plain floats and arrays so that numba compiles it; the typed interface is
`bmdsim.physics.flyout`. Equations of motion (point mass, pseudo-inertial frame that coincides
with ECEF at t = 0 and in which the Earth turns about z at omega):

    r'' = g_J2(r) + T/m * u_thrust - 0.5 rho(h) |v_rel| v_rel * (Cd A / m  or  1 / beta)
    v_rel = v - omega x r      (velocity relative to the rotating atmosphere)

as in Gronlund & Wright, "Depressed Trajectory SLBMs", Science & Global Security 3 (1992),
appendix, and Forden, Science & Global Security 15 (2007). Events are sign changes of scalar
functions g(t) (altitude minus a level; dh/dt for apogee), located on the quintic Hermite
interpolant of each accepted step (for an altitude, Newton's method on the geodetic height from
the root of a cubic in the radial height; for the apogee, Newton-secant steps on dh/dt; Illinois
as the bracketed fallback; docs/model/flyout.md sect. 4), never by the nearest step.
Steps end exactly at stage ignitions and burnouts and at switches of the steering law, so that no
step straddles a discontinuity of thrust, mass or thrust direction, and wherever drag acts at the
density's kinks (`atmosphere.DENSITY_KINKS_M`). Step-size control: the PI controller of Hairer's
DOPRI5 (decision 0012).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

from bmdsim.physics.atmosphere import (
    DENSITY_KINKS_M,
    density_scalar,
    in_lower_cubics,
    lower_cubic_density,
)
from bmdsim.physics.earth import (
    _bowring,
    geodetic_to_ecef_trig,
    geodetic_up_height_bowring2_scalar,
    geodetic_up_height_bowring_scalar,
    gravity_scalar,
    up_north_east_trig,
)
from bmdsim.physics.trig import sincos, sincos_rows

# Status codes per trajectory (errors are returned per element, not raised: sgp4 style).
STATUS_OK = 0
STATUS_NO_IMPACT = 1  # still flying at t_max (escape or very long flight)
STATUS_CRASH_IN_BOOST = 2  # fell 1 km below the launch (or impact) level while powered
STATUS_STEP_FAILURE = 3  # step size underflow

STEER_GRAVITY_TURN = 0
STEER_PITCH_PROGRAM = 1

# Phase kinds
_BURN = 0
_COAST = 1
_FREE = 2

# Above this altitude margin over the equatorial radius the drag term of free flight is skipped:
# US76 density at 200 km is 2.5e-10 kg/m^3, i.e. < 1e-5 m/s^2 even at 7.5 km/s and
# beta = 1,000 kg/m^2 (below 1e-2 m/s of velocity over a whole flight). Boost always has drag.
_DRAG_CEILING_M = 2.0e5

# Per-trajectory phase parameters, packed in one small array `p` for the right-hand side.
P_T_IGN, P_M_IGN, P_MDOT, P_VE, P_CDA, P_INV_BETA = 0, 1, 2, 3, 4, 5
P_AZIMUTH, P_LOFT, P_T_VERT, P_T_PITCH, P_T_END_BOOST = 6, 7, 8, 9, 10
P_CAZ, P_SAZ = 11, 12  # cos and sin of the azimuth
N_P = 13
# Earth parameters, packed in `earth`: a (m), f, mu (m^3/s^2), J2, omega (rad/s).

# Constant arguments: calls pass event kinds, flags and event indices as np.int64(...) /
# np.bool_(...), never as bare literals. numba compiles a separate copy of a function for every
# literal constant it is called with: the event searches were compiled 4-5 times each, about a
# fifth of the first compile (decision 0013).
# Switches: where a compiled variant should hold only one case's code (the lanes' `drag`,
# `stages` and `powered`), the argument is True or None and the code tests `x is not None`.
# numba's front end prunes a branch on `arg is None` when the argument's type is NoneType,
# before typing, so the other case's code and its callees are never compiled; it does not
# prune `if arg:` on a literal True / False (numba 0.68: `dead_branch_prune` resolves only
# comparisons with None): with literal bools every lane variant had compiled every case's code
# (decision 0018).

# Inlining: only the right-hand side (`_accel` and its helper `_height_for_density`, 7 calls
# per step) is inlined in numba's IR; the powered-flight steering's geometry
# (`earth.geodetic_up_height_bowring_scalar`), the event and the bookkeeping helpers are plain
# calls (LLVM may still inline them): inlining the
# geometry into the 7 copies of the right-hand side cost 16 s more of the first compile (49 s
# vs 37 s on 2 cores) for a few per cent of boost speed; inlining the event helpers cost ~15 s
# for no measurable speed (4,000 IRBM flights: 2.8-3.1 s either way, 2026-11-26). The SIMD
# lanes (below) are the exception: their per-lane and per-slot pieces (`_lane_gravity_air`,
# `_slot_herm`, `_slot_root`, ...) are inlined, since a call in a loop over the lanes or the
# queue's slots keeps LLVM from running the loop in vector registers (decisions 0016, 0026).

# Reference counting: every function that takes arrays and allocates none is compiled with
# `_nrt=False` (numba's option for its runtime, NRT; numba's developers use it to show this cost
# in numba issues #2345 and #2350). With NRT a function increments its array arguments'
# reference counts on entry and decrements them on exit, atomically, and numba's refcount
# pruning does not remove the pairs across calls and branches: in a vacuum flight NRT_incref and
# NRT_decref took 12.6 % of the samples (perf), nearly all from the event searches' calls with
# five arrays each (decision 0019). Without NRT the callee borrows its arguments, which the
# caller keeps alive. The functions that allocate keep NRT (the chunk functions `_run_chunk` and
# `_run_chunk_lanes`, the parallel entry points), as does `propagate_serial` (once a batch).
# A callee with no setting of its own is compiled as its first caller is: one that allocates
# and is first called from an `_NO_NRT` function fails to compile (loudly).
_NO_NRT: dict[str, Any] = {"_nrt": False}


@numba.njit(cache=True, inline="always")
def _height_for_density(x: float, y: float, z: float, a: float, f: float) -> float:
    """Height above the ellipsoid along the geocentric radius, for the density only, in every
    phase (decision 0014): it differs from the geodetic height by < 2 m below 200 km
    (f^2-order terms), a 3e-4 relative change of density, and costs two square roots instead
    of a geodetic conversion."""
    r2 = x * x + y * y + z * z
    b = a * (1.0 - f)
    rad = math.sqrt((x * x + y * y) / (a * a) + z * z / (b * b))
    return math.sqrt(r2) * (1.0 - 1.0 / rad)


@numba.njit(cache=True, inline="always")
def _heading(
    upx: float, upy: float, upz: float, ca: float, sa: float
) -> tuple[float, float, float]:
    """The horizontal unit vector of the launch azimuth (cosine ca, sine sa) at the geodetic up
    vector (upx, upy, upz): ca north + sa east, with north = (-sin lat cos lon,
    -sin lat sin lon, cos lat) and east = (-sin lon, cos lon, 0); on the polar axis, longitude
    0. `_accel`'s and the powered lanes' (`_lanes_thrust_up`) steering, branch-free for the
    lanes."""
    chor = math.sqrt(upx * upx + upy * upy)  # cos(lat)
    cm = upx / chor if chor > 0.0 else 1.0
    sm = upy / chor if chor > 0.0 else 0.0
    return ca * (-upz * cm) - sa * sm, ca * (-upz * sm) + sa * cm, ca * chor


@numba.njit(cache=True, inline="always")
def _kick_angle(loft: float, t: float, t_vert: float, t_pitch: float) -> float:
    """The gravity turn's pitch from the vertical at time t: from 0 at the end of the vertical
    rise (t_vert) to the kick `loft` over the pitch-over (t_pitch s), then held."""
    return loft * min(1.0, max(0.0, (t - t_vert) / t_pitch))


@numba.njit(cache=True, inline="always")
def _accel(
    t: float,
    y: np.ndarray,
    out: np.ndarray,
    row: int,
    kind: int,
    steer: int,
    drag: bool,
    p: np.ndarray,
    earth: np.ndarray,
    t_law: float,
) -> None:
    """Write (v, a) for state y = (r, v) into out[row]. Frame: pseudo-inertial (module doc).

    `t_law` picks the steering law (vertical rise, pitch-over, gravity turn): the midpoint of
    the current step, so that every stage of a step uses the law of the step's interval."""
    a_e, f_e, omega = earth[0], earth[1], earth[4]
    h = 0.0
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    ax, ay, az = gravity_scalar(x, yy, z, earth[2], a_e, earth[3])
    # velocity relative to the rotating Earth (and atmosphere)
    vrx = vx + omega * yy
    vry = vy - omega * x
    vrz = vz
    low = (x * x + yy * yy + z * z) < (a_e + _DRAG_CEILING_M) ** 2
    if drag and (kind != _FREE or low):
        h = _height_for_density(x, yy, z, a_e, f_e)
    if kind != _FREE or (drag and low):
        m = 1.0
        if kind == _BURN:
            m = p[P_M_IGN] - p[P_MDOT] * (t - p[P_T_IGN])
        elif kind == _COAST:
            m = p[P_M_IGN]
        if drag:
            vrel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
            rho = density_scalar(h)
            if kind == _FREE:
                kd = 0.5 * rho * vrel * p[P_INV_BETA]
            else:
                kd = 0.5 * rho * vrel * p[P_CDA] / m
            ax -= kd * vrx
            ay -= kd * vry
            az -= kd * vrz
        if kind == _BURN:
            acc = p[P_MDOT] * p[P_VE] / m
            t_vert, t_pitch = p[P_T_VERT], p[P_T_PITCH]
            if steer == STEER_GRAVITY_TURN and t_law >= t_vert + t_pitch:
                # the gravity turn needs no local vertical: thrust along the relative velocity
                vrel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
                ux, uy, uz = vrx / vrel, vry / vrel, vrz / vrel
            else:
                # the vertical rise and the pitch-over steer by the local vertical (Bowring's)
                # north = (-sin lat cos lon, -sin lat sin lon, cos lat),
                # east = (-sin lon, cos lon, 0)
                upx, upy, upz, _ = geodetic_up_height_bowring_scalar(x, yy, z, a_e, f_e)
                up = (upx, upy, upz)
                hx, hy, hz = _heading(upx, upy, upz, p[P_CAZ], p[P_SAZ])
                if t_law < t_vert:
                    ux, uy, uz = up
                else:
                    if steer == STEER_GRAVITY_TURN:
                        th = _kick_angle(p[P_LOFT], t, t_vert, t_pitch)
                    else:
                        span = p[P_T_END_BOOST] - t_vert
                        th = p[P_LOFT] * min(1.0, (t - t_vert) / span) if span > 0.0 else p[P_LOFT]
                        # keep the thrust in the plane of the Earth-relative ground track
                        vu = vrx * up[0] + vry * up[1] + vrz * up[2]
                        phx, phy, phz = vrx - vu * up[0], vry - vu * up[1], vrz - vu * up[2]
                        hn = math.sqrt(phx * phx + phy * phy + phz * phz)
                        if hn > 1.0:
                            hx, hy, hz = phx / hn, phy / hn, phz / hn
                    c, s = math.cos(th), math.sin(th)
                    ux = c * up[0] + s * hx
                    uy = c * up[1] + s * hy
                    uz = c * up[2] + s * hz
            ax += acc * ux
            ay += acc * uy
            az += acc * uz
    out[row, 0], out[row, 1], out[row, 2] = vx, vy, vz
    out[row, 3], out[row, 4], out[row, 5] = ax, ay, az


# Dormand & Prince, J. Comp. Appl. Math. 6 (1980) 19-26: RK5(4)7FM. Scalars, not arrays:
# numba folds them into the code (global arrays would also stop the kernel from caching).
_C2, _C3, _C4, _C5 = 1 / 5, 3 / 10, 4 / 5, 8 / 9
_A21 = 1 / 5
_A31, _A32 = 3 / 40, 9 / 40
_A41, _A42, _A43 = 44 / 45, -56 / 15, 32 / 9
_A51, _A52, _A53, _A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
_A61, _A62, _A63, _A64, _A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
_B1, _B3, _B4, _B5, _B6 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
_E1, _E3, _E4, _E5, _E6, _E7 = (
    71 / 57600, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40
)  # fmt: skip


@numba.njit(cache=True, **_NO_NRT)
def _dp_step(
    t: float,
    h: float,
    y: np.ndarray,
    k: np.ndarray,
    yt: np.ndarray,
    y1: np.ndarray,
    kind: int,
    steer: int,
    drag: bool,
    p: np.ndarray,
    earth: np.ndarray,
    tol: np.ndarray,
) -> float:
    """One Dormand-Prince step from (t, y) with k[0] = f(t, y): writes y1 and k[1..6] (k[6] is
    f(t + h, y1), the next step's k[0]) and returns the RMS error relative to the tolerance
    `tol` = (rtol, atol_m, atol_m_s)."""
    tl = t + 0.5 * h
    for j in range(6):
        yt[j] = y[j] + h * _A21 * k[0, j]
    _accel(t + _C2 * h, yt, k, 1, kind, steer, drag, p, earth, tl)
    for j in range(6):
        yt[j] = y[j] + h * (_A31 * k[0, j] + _A32 * k[1, j])
    _accel(t + _C3 * h, yt, k, 2, kind, steer, drag, p, earth, tl)
    for j in range(6):
        yt[j] = y[j] + h * (_A41 * k[0, j] + _A42 * k[1, j] + _A43 * k[2, j])
    _accel(t + _C4 * h, yt, k, 3, kind, steer, drag, p, earth, tl)
    for j in range(6):
        yt[j] = y[j] + h * (_A51 * k[0, j] + _A52 * k[1, j] + _A53 * k[2, j] + _A54 * k[3, j])
    _accel(t + _C5 * h, yt, k, 4, kind, steer, drag, p, earth, tl)
    for j in range(6):
        yt[j] = y[j] + h * (
            _A61 * k[0, j] + _A62 * k[1, j] + _A63 * k[2, j] + _A64 * k[3, j] + _A65 * k[4, j]
        )
    _accel(t + h, yt, k, 5, kind, steer, drag, p, earth, tl)
    for j in range(6):
        y1[j] = y[j] + h * (
            _B1 * k[0, j] + _B3 * k[2, j] + _B4 * k[3, j] + _B5 * k[4, j] + _B6 * k[5, j]
        )
    _accel(t + h, y1, k, 6, kind, steer, drag, p, earth, tl)
    err = 0.0
    for j in range(6):
        e = (
            _E1 * k[0, j] + _E3 * k[2, j] + _E4 * k[3, j] + _E5 * k[4, j]
            + _E6 * k[5, j] + _E7 * k[6, j]
        )  # fmt: skip
        sc = (tol[1] if j < 3 else tol[2]) + tol[0] * max(abs(y[j]), abs(y1[j]))
        err += (h * e / sc) ** 2
    return math.sqrt(err / 6.0)


@numba.njit(cache=True, inline="always")
def _herm_coeffs(s: float) -> tuple[float, ...]:
    """The quintic Hermite basis at fraction s: the six position weights (h00, h10, h20, h01,
    h11, h21) and their derivatives in s (d00 .. d21)."""
    s2 = s * s
    s3 = s2 * s
    s4 = s3 * s
    s5 = s4 * s
    h00 = 1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5
    h10 = s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5
    h20 = 0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5
    h01 = 10.0 * s3 - 15.0 * s4 + 6.0 * s5
    h11 = -4.0 * s3 + 7.0 * s4 - 3.0 * s5
    h21 = 0.5 * s3 - s4 + 0.5 * s5
    d00 = -30.0 * s2 + 60.0 * s3 - 30.0 * s4
    d10 = 1.0 - 18.0 * s2 + 32.0 * s3 - 15.0 * s4
    d20 = s - 4.5 * s2 + 6.0 * s3 - 2.5 * s4
    d01 = 30.0 * s2 - 60.0 * s3 + 30.0 * s4
    d11 = -12.0 * s2 + 28.0 * s3 - 15.0 * s4
    d21 = 1.5 * s2 - 4.0 * s3 + 2.5 * s4
    return h00, h10, h20, h01, h11, h21, d00, d10, d20, d01, d11, d21


@numba.njit(cache=True, inline="always")
def _herm_pv(
    c: tuple[float, ...], h: float, hh: float, p0: float, v0: float, a0: float, p1: float,
    v1: float, a1: float,
) -> tuple[float, float]:  # fmt: skip
    """One component's interpolated position and velocity from the basis `c` (`_herm_coeffs`),
    the step size h (hh = h * h) and the position, velocity and acceleration at both ends."""
    h00, h10, h20, h01, h11, h21, d00, d10, d20, d01, d11, d21 = c
    pos = h00 * p0 + h10 * h * v0 + h20 * hh * a0 + h01 * p1 + h11 * h * v1 + h21 * hh * a1
    vel = (d00 * p0 + d01 * p1) / h + d10 * v0 + d20 * h * a0 + d11 * v1 + d21 * h * a1
    return pos, vel


@numba.njit(cache=True, **_NO_NRT)
def _hermite5(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    s: float,
    out: np.ndarray,
) -> None:
    """Quintic Hermite position (from r, v, a at both ends) and quartic velocity at fraction s."""
    c = _herm_coeffs(s)
    hh = h * h
    for i in range(3):
        out[i], out[3 + i] = _herm_pv(c, h, hh, y0[i], f0[i], f0[3 + i], y1[i], f1[i], f1[3 + i])


@numba.njit(cache=True, inline="always")
def _vertical_speed(upx: float, upy: float, upz: float, y: np.ndarray, omega: float) -> float:
    """dh/dt = up . v_rel for state y (pseudo-inertial) and a geodetic up vector (m/s)."""
    return _vertical_speed_xyz(upx, upy, upz, y[0], y[1], y[3], y[4], y[5], omega)


@numba.njit(cache=True, inline="always")
def _vertical_speed_xyz(
    upx: float, upy: float, upz: float, x: float, yy: float, vx: float, vy: float, vz: float,
    omega: float,
) -> float:  # fmt: skip
    """`_vertical_speed` from the state's components."""
    return upx * (vx + omega * yy) + upy * (vy - omega * x) + upz * vz


@numba.njit(cache=True, **_NO_NRT)
def _event_g(
    y: np.ndarray, which: int | np.int64, level: float, a_e: float, f_e: float, omega: float
) -> float:
    """Event functions: 0 -> h - level (m); 1 -> dh/dt (m/s), the apogee condition. The height
    is Bowring's with one step (`earth.geodetic_up_height_bowring_scalar`: within 5e-9 m of the
    exact one up to 5,000 km, at half the cost); dh/dt takes the up vector of two steps
    (`earth.geodetic_up_height_bowring2_scalar`: exact to rounding; one step's tilts by up to
    6e-9 rad at 5,000 km, 3e-5 m/s of dh/dt at 5 km/s, more than the apogee's 1e-5 m/s)."""
    if which == 0:
        return geodetic_up_height_bowring_scalar(y[0], y[1], y[2], a_e, f_e)[3] - level
    upx, upy, upz, _ = geodetic_up_height_bowring2_scalar(y[0], y[1], y[2], a_e, f_e)
    return _vertical_speed(upx, upy, upz, y, omega)


# The height along the geocentric radius above the ellipsoid, hr, bounds the geodetic height h:
# outside the ellipsoid hr - RADIAL_MARGIN * hr <= h <= hr (the radial path to the surface is
# no shorter than the normal one; the excess is second order in the flattening: 0.56 m at
# 100 km, 4.9 m at 1,000 km, 22 m at 10,000 km on WGS84, i.e. < 5.6e-6 hr), and inside it
# hr <= h <= hr + RADIAL_MARGIN |hr|. The margin has a factor ~2 of safety; screens that decide
# an event's sign from hr use it, and fall back to the exact height when the bound is too loose.
RADIAL_MARGIN = 1.0e-5


@numba.njit(cache=True, inline="always")
def _level_bounds(hr: float, level: float) -> tuple[float, bool]:
    """The sign test of `_level_screen` from the radial height hr alone: (value, decided), the
    value (lo - level or hi - level, with lo <= h <= hi) meaningful when decided. Branch-free
    arithmetic, so that the SIMD lanes evaluate it in vector registers."""
    m = RADIAL_MARGIN * abs(hr) + 1e-3
    up = hr >= 0.0
    lo = hr - m if up else hr
    hi = hr if up else hr + m
    above = lo > level
    return (lo - level if above else hi - level), (above or hi <= level)


@numba.njit(cache=True, **_NO_NRT)
def _level_screen(
    y: np.ndarray, hr: float, level: float, a_e: float, f_e: float, omega: float
) -> float:
    """A value with the sign of h - level: from the radial height hr of y
    (`_height_for_density`, computed once per step by the caller) when its bounds decide the
    sign (the common case: `_level_bounds`), else the exact h - level."""
    g, decided = _level_bounds(hr, level)
    if decided:
        return g
    return _event_g(y, np.int64(0), level, a_e, f_e, omega)


# `_dhdt_screen` trusts the radial velocity's sign where it exceeds this fraction of the
# Earth-relative speed (the geodetic and geocentric verticals differ by < 0.2 deg); squared.
_DHDT_SCREEN2 = 0.005**2


@numba.njit(cache=True, inline="always")
def _dhdt_bounds(
    x: float, y: float, z: float, vx: float, vy: float, vz: float, omega: float
) -> tuple[float, bool]:
    """The sign test of `_dhdt_screen` for position (x, y, z) and pseudo-inertial velocity
    (vx, vy, vz): (r . v_rel, decided), i.e. the radial velocity times |r|, whose sign is that
    of dh/dt when decided. No square root or division (squares compared instead), so that the
    SIMD lanes evaluate it in vector registers."""
    vrx = vx + omega * y
    vry = vy - omega * x
    num = x * vrx + y * vry + z * vz
    vn2 = vrx * vrx + vry * vry + vz * vz
    r2 = x * x + y * y + z * z
    return num, num * num > _DHDT_SCREEN2 * vn2 * r2


@numba.njit(cache=True, **_NO_NRT)
def _dhdt_screen(y: np.ndarray, a_e: float, f_e: float, omega: float) -> float:
    """A value with the sign of dh/dt: r . v_rel where the radial velocity is far from zero
    (`_dhdt_bounds`), else the exact dh/dt."""
    num, decided = _dhdt_bounds(y[0], y[1], y[2], y[3], y[4], y[5], omega)
    if decided:
        return num
    return _event_g(y, np.int64(1), 0.0, a_e, f_e, omega)


@numba.njit(cache=True, **_NO_NRT)
def _radial_velocity(y: np.ndarray, omega: float) -> float:
    """Earth-relative velocity along the geocentric radius, m/s."""
    return _radial_velocity_xyz(y[0], y[1], y[2], y[3], y[4], y[5], omega)


@numba.njit(cache=True, inline="always")
def _radial_velocity_xyz(
    x: float, yy: float, z: float, vx: float, vy: float, vz: float, omega: float
) -> float:
    """`_radial_velocity` from the state's components."""
    rn = math.sqrt(x * x + yy * yy + z * z)
    return (x * (vx + omega * yy) + yy * (vy - omega * x) + z * vz) / rn


@numba.njit(cache=True, **_NO_NRT)
def _g(y: np.ndarray, which: int | np.int64, level: float, a_e: float, f_e: float, omega: float,
       fast: bool | np.bool_) -> float:  # fmt: skip
    """`_event_g`, or with `fast` a cheap neighbour with a nearby root: the radial height above
    the ellipsoid minus the level (equal to the geodetic height on the surface, within
    RADIAL_MARGIN of it above), or the radial velocity for dh/dt."""
    if fast:
        if which == 0:
            return _height_for_density(y[0], y[1], y[2], a_e, f_e) - level
        return _radial_velocity(y, omega)
    return _event_g(y, which, level, a_e, f_e, omega)


@numba.njit(cache=True, **_NO_NRT)
def _illinois_s(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    which: int | np.int64,
    level: float,
    a_e: float,
    f_e: float,
    omega: float,
    work: np.ndarray,
    s_lo: float,
) -> float:
    """Fraction s in [s_lo, 1] of the step where the exact g (`_event_g`) changes sign
    (Illinois method on the quintic Hermite interpolant), to 1 microsecond or |g| < 1e-4 (m, or
    m/s for dh/dt): the fallback of `_locate`'s Newton searches."""
    exact = np.bool_(False)  # typed, not literal: module comment
    _hermite5(y0, f0, y1, f1, h, s_lo, work)
    ga = _g(work, which, level, a_e, f_e, omega, exact)
    _hermite5(y0, f0, y1, f1, h, 1.0, work)
    gb = _g(work, which, level, a_e, f_e, omega, exact)
    return _illinois_bracket(y0, f0, y1, f1, h, which, level, a_e, f_e, omega, work, exact,
                             s_lo, 1.0, ga, gb, 1e-6, 1e-4)  # fmt: skip


@numba.njit(cache=True, **_NO_NRT)
def _illinois_bracket(
    y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray, h: float, which: int | np.int64,
    level: float, a_e: float, f_e: float, omega: float, work: np.ndarray, fast: bool | np.bool_,
    sa: float, sb: float, ga: float, gb: float, t_tol: float, g_tol: float,
) -> float:  # fmt: skip
    """The Illinois iteration of `_illinois_s` from the bracket [sa, sb] with g values ga, gb
    (opposite signs): the fraction where the bracket is below t_tol (s) or |g| < g_tol."""
    side = 0
    for _ in range(100):
        if gb == ga:
            break
        sc = (sa * gb - sb * ga) / (gb - ga)
        if not (sa < sc < sb):
            sc = 0.5 * (sa + sb)
        _hermite5(y0, f0, y1, f1, h, sc, work)
        gc = _g(work, which, level, a_e, f_e, omega, fast)
        if gc * gb > 0.0:
            sb, gb = sc, gc
            if side == -1:
                ga *= 0.5
            side = -1
        else:
            sa, ga = sc, gc
            if side == 1:
                gb *= 0.5
            side = 1
        if abs(sb - sa) * h < t_tol or abs(gc) < g_tol:
            return sc
    return 0.5 * (sa + sb)


@numba.njit(cache=True, **_NO_NRT)
def _slope(
    y: np.ndarray, which: int | np.int64, omega: float, mu: float, a_e: float, f_e: float
) -> float:
    """d/dt of the cheap neighbour of an event function at state y: for a height, that of the
    radial height, exact (`_radial_height_rate`); for dh/dt, the radial acceleration
    -mu/r^2 + v_t^2/r (within a few per cent of the exact slope)."""
    if which == 0:
        return _radial_height_rate(y[0], y[1], y[2], y[3], y[4], y[5], a_e, f_e)
    return _apogee_slope_xyz(y[0], y[1], y[2], y[3], y[4], y[5], omega, mu)


@numba.njit(cache=True, inline="always")
def _apogee_slope_xyz(
    x: float, yy: float, z: float, vx: float, vy: float, vz: float, omega: float, mu: float
) -> float:
    """`_slope` of dh/dt (the radial acceleration) from the state's components."""
    vr = _radial_velocity_xyz(x, yy, z, vx, vy, vz, omega)
    rn = math.sqrt(x * x + yy * yy + z * z)
    vxr, vyr = vx + omega * yy, vy - omega * x
    v2 = vxr * vxr + vyr * vyr + vz * vz
    return -mu / (rn * rn) + (v2 - vr * vr) / rn


@numba.njit(cache=True, **_NO_NRT)
def _apogee_newton(
    y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray, h: float, s: float,
    a_e: float, f_e: float, omega: float, mu: float, work: np.ndarray, s_lo: float,
) -> float:  # fmt: skip
    """Root of dh/dt along the step's Hermite interpolant from fraction s: a Newton step with
    `_slope` (the radial acceleration) as the derivative, then secant steps (the analytic
    slope is a few per cent off; the secant's is not), to |dh/dt| < 1e-5 m/s (dh/dt exact to
    rounding: `_event_g`). Returns the fraction; -1 if an iterate leaves [s_lo, 1], the slope
    is not negative (dh/dt turns negative at an apogee) or 8 steps do not get there (the
    caller then brackets)."""
    dhdt = np.int64(1)  # typed, not literal: module comment
    s_prev, g_prev = -1.0, 0.0
    g_tol = 1e-5
    for _ in range(8):
        _hermite5(y0, f0, y1, f1, h, s, work)
        g = _event_g(work, dhdt, 0.0, a_e, f_e, omega)
        if abs(g) < g_tol:
            return s if _slope(work, dhdt, omega, mu, a_e, f_e) < 0.0 else -1.0
        if s_prev < 0.0 or s == s_prev:
            slope = _slope(work, dhdt, omega, mu, a_e, f_e)
        else:
            slope = (g - g_prev) / ((s - s_prev) * h)
        if slope >= 0.0:
            return -1.0
        ds = -g / (slope * h)
        s_prev, g_prev = s, g
        s += ds
        if not s_lo <= s <= 1.0:
            return -1.0
    return -1.0


@numba.njit(cache=True, inline="always")
def _secant_fraction(ga: float, gb: float) -> float:
    """Where the secant of the end values ga, gb crosses zero, or 0.5 without a sign change."""
    return ga / (ga - gb) if ga != gb and ga * gb <= 0.0 else 0.5


@numba.njit(cache=True, inline="always")
def _cubic_pv_dp(ga: float, sa: float, gb: float, sb: float, u: float) -> tuple[float, float]:
    """`_cubic_root`'s cubic Hermite and its derivative at u."""
    u2 = u * u
    u3 = u2 * u
    pv = ga * (2.0 * u3 - 3.0 * u2 + 1.0) + sa * (u3 - 2.0 * u2 + u)
    pv += gb * (3.0 * u2 - 2.0 * u3) + sb * (u3 - u2)
    dp = (ga - gb) * (6.0 * u2 - 6.0 * u) + sa * (3.0 * u2 - 4.0 * u + 1.0)
    dp += sb * (3.0 * u2 - 2.0 * u)
    return pv, dp


@numba.njit(cache=True)
def _cubic_root(ga: float, sa: float, gb: float, sb: float) -> float:
    """Root u in [0, 1] of the cubic Hermite p with p(0) = ga, p'(0) = sa, p(1) = gb,
    p'(1) = sb, where it falls (ga > 0 >= gb): Newton from the secant of the end values; the
    secant itself if an iterate leaves [0, 1] or the slope is not negative."""
    u0 = _secant_fraction(ga, gb)
    u = u0
    for _ in range(8):
        pv, dp = _cubic_pv_dp(ga, sa, gb, sb, u)
        if not dp < 0.0:
            return u0
        du = -pv / dp
        u += du
        if not 0.0 <= u <= 1.0:
            return u0
        if abs(du) < 1e-12:
            break
    return u


@numba.njit(cache=True, **_NO_NRT)
def _height_newton(
    y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray, h: float, s: float,
    level: float, a_e: float, f_e: float, omega: float, work: np.ndarray, s_lo: float,
) -> float:  # fmt: skip
    """Root of the geodetic height minus `level` (Bowring's, as `_event_g`) along the step's
    Hermite interpolant, by Newton's method from fraction s with the exact slope dh/dt =
    up . v_rel (Bowring's up vector, the same call): the fraction where |h - level| < 1 mm; -1
    if an iterate leaves [s_lo, 1], the slope there is not negative (every located level
    crossing is downward: a flight launched at the level starts on a rising root) or 8 steps
    do not get there (the caller then brackets)."""
    for _ in range(8):
        _hermite5(y0, f0, y1, f1, h, s, work)
        upx, upy, upz, hh = geodetic_up_height_bowring_scalar(work[0], work[1], work[2], a_e, f_e)
        g = hh - level
        dhdt = _vertical_speed(upx, upy, upz, work, omega)
        if not dhdt < 0.0:
            return -1.0
        if abs(g) < 1e-3:
            return s
        s -= g / (dhdt * h)
        if not s_lo <= s <= 1.0:
            return -1.0
    return -1.0


@numba.njit(cache=True, **_NO_NRT)
def _locate(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    which: int | np.int64,
    level: float,
    a_e: float,
    f_e: float,
    omega: float,
    mu: float,
    work: np.ndarray,
    s_lo: float,
) -> float:
    """Fraction s in [s_lo, 1] of the step where the event function g changes sign (crosses
    downward). `s_lo` > 0 is the step's apogee when it has one: a height can only cross a
    level downward after it, and a flight that starts on the level (g(0) within rounding of 0,
    rising) has a second, spurious root at the step's start.

    A height (reentry, impact): the root of the cubic Hermite of a cheap neighbour of g (`_g`
    with `fast`: the radial height, whose root is within RADIAL_MARGIN of the exact one) from
    its values and slopes (its exact rate, `_radial_height_rate`) at s_lo and at
    the step's end seeds Newton's method on the exact height with its exact slope
    (`_height_newton`), to |h - level| < 1 mm. The apogee: a Newton-secant search on the exact
    dh/dt (`_apogee_newton`) from the secant of the neighbour's end values, to |dh/dt| < 1e-5 m/s
    (the radial velocity's root is up to ~2 s from the geodetic apogee, so no better seed
    comes from it). Where a search leaves the step or stalls, the Illinois method on the exact
    g takes over. On return `work` holds the interpolated state at the root."""
    fast = np.bool_(True)  # typed, not literal: module comment
    ya = y0
    if s_lo > 0.0:
        _hermite5(y0, f0, y1, f1, h, s_lo, work)
        ya = work
    ga = _g(ya, which, level, a_e, f_e, omega, fast)
    gb = _g(y1, which, level, a_e, f_e, omega, fast)
    if which == 0:
        w = (1.0 - s_lo) * h
        sa = _slope(ya, which, omega, mu, a_e, f_e) * w
        u = _cubic_root(ga, sa, gb, _slope(y1, which, omega, mu, a_e, f_e) * w)
        s = _height_newton(y0, f0, y1, f1, h, s_lo + (1.0 - s_lo) * u, level, a_e, f_e, omega,
                           work, s_lo)  # fmt: skip
    else:
        s0 = s_lo + (1.0 - s_lo) * _secant_fraction(ga, gb)
        s = _apogee_newton(y0, f0, y1, f1, h, s0, a_e, f_e, omega, mu, work, s_lo)
    if s < 0.0:
        s = _illinois_s(y0, f0, y1, f1, h, which, level, a_e, f_e, omega, work, s_lo)
        _hermite5(y0, f0, y1, f1, h, s, work)
    return s


# Steps end on the density's kinks (`atmosphere.DENSITY_KINKS_M`) wherever drag acts: a step
# is aimed at the next kink on its way (`_kink_ahead`), and a step whose end heights still lie
# on both sides of one, farther than KINK_TOL_M from it, is cut to the crossing (located on its
# interpolant to KINK_TOL_M / 100) and taken again. A kink within KINK_TOL_M of a step end is
# straddled by at most 10 m / |dh/dt| (3 ms at 3 km/s): the velocity's error from the slope jump
# is below a_drag |jump of dln(rho)/dh| KINK_TOL_M^2 / (2 |dh/dt|), 1e-4 m/s at the worst kink
# of a boost (decision 0016: 1 m until then, the impacts unchanged within 0.3 m).
KINK_TOL_M = 10.0
# Step-size control: the PI controller of Hairer's DOPRI5 (Hairer, Norsett & Wanner, Solving
# Ordinary Differential Equations I, 2nd ed., sec. II.4, "stabilized step size control"), with
# its default beta, safety 0.9 and factors within [0.2, 5]; no growth right after a rejection.
_PI_BETA = 0.04
_LN_ERR_OLD_MIN = math.log(1e-4)  # the previous error enters as at least 1e-4 (Hairer's DOPRI5)
_KINK_TOP_M = float(DENSITY_KINKS_M[-1]) + 10.0


@numba.njit(cache=True, **_NO_NRT)
def _kink_between(h0: float, h1: float) -> float:
    """The density kink the height passes first going from h0 to h1 (strictly between them,
    both farther than KINK_TOL_M from it), or NaN."""
    n = DENSITY_KINKS_M.shape[0]
    if h1 > h0:
        for j in range(n):
            zb = DENSITY_KINKS_M[j]
            if h0 + KINK_TOL_M < zb < h1 - KINK_TOL_M:
                return zb
    else:
        for j in range(n - 1, -1, -1):
            zb = DENSITY_KINKS_M[j]
            if h1 + KINK_TOL_M < zb < h0 - KINK_TOL_M:
                return zb
    return np.nan


@numba.njit(cache=True, inline="always")
def _kinked(h0: float, h1: float) -> bool:
    """Whether `_kink_between(h0, h1)` finds a kink (is not NaN), without branches: inlined into
    a loop over the lanes, LLVM screens them all in vector registers, and only a lane that
    passes a kink calls `_kink_between`."""
    lo = min(h0, h1) + KINK_TOL_M
    hi = max(h0, h1) - KINK_TOL_M
    kinked = False
    for zb in DENSITY_KINKS_M:
        kinked |= (lo < zb) & (zb < hi)
    return kinked


@numba.njit(cache=True, **_NO_NRT)
def _kink_ahead(
    y: np.ndarray, f: np.ndarray, hr0: float, hstep: float, a_e: float, f_e: float
) -> float:
    """The time from state y (derivative f = (v, a), radial height hr0) to the first density
    kink that the radial height passes within hstep, by its quadratic Taylor polynomial, or inf.
    A step of that length ends within metres of the kink (the polynomial's error, jerk t^3 / 6),
    so that it is rarely cut and taken again after the fact (decision 0016). The height is the
    radial one that the density takes (`_height_for_density`): hr = |r| - R, R = |r| / rad the
    ellipsoid's radius in the direction of r; its rate is d|r|/dt less dR/dt, its second
    derivative that of |r| (R's is below 0.03 m/s^2)."""
    if not y[0] * y[0] + y[1] * y[1] + y[2] * y[2] > 0.0:
        return np.inf
    d1, d2r = _radial_height_rates(y[0], y[1], y[2], y[3], y[4], y[5], f[3], f[4], f[5], a_e, f_e)
    return _kink_ahead_rates(hr0, hstep, d1, d2r)


@numba.njit(cache=True, inline="always")
def _radial_height_rate(
    x: float, yy: float, z: float, vx: float, vy: float, vz: float, a_e: float, f_e: float
) -> float:
    """The time derivative of the radial height (`_height_for_density`), exact: d|r|/dt less
    the rate of the ellipsoid's radius in the direction of r (inertial or Earth-relative
    velocity alike: the rotation moves r along neither |r| nor z). Branch-free, so that loops
    over the SIMD lanes or the search queues evaluate it in vector registers."""
    rn = math.sqrt(x * x + yy * yy + z * z)
    d1r = (x * vx + yy * vy + z * vz) / rn  # d|r|/dt
    b = a_e * (1.0 - f_e)
    rad = math.sqrt((x * x + yy * yy) / (a_e * a_e) + z * z / (b * b))
    radp = ((x * vx + yy * vy) / (a_e * a_e) + z * vz / (b * b)) / rad  # d(rad)/dt
    return d1r - (d1r - rn * radp / rad) / rad  # d|r|/dt - dR/dt


@numba.njit(cache=True, inline="always")
def _radial_height_rates(
    x: float, yy: float, z: float, vx: float, vy: float, vz: float, ax: float, ay: float,
    az: float, a_e: float, f_e: float,
) -> tuple[float, float]:  # fmt: skip
    """`_kink_ahead`'s first and second time derivatives of the radial height (branch-free:
    the SIMD lanes evaluate it in vector registers)."""
    rn = math.sqrt(x * x + yy * yy + z * z)
    d1r = (x * vx + yy * vy + z * vz) / rn  # d|r|/dt
    d2r = (vx * vx + vy * vy + vz * vz + x * ax + yy * ay + z * az - d1r * d1r) / rn
    return _radial_height_rate(x, yy, z, vx, vy, vz, a_e, f_e), d2r  # d2|r|/dt2


@numba.njit(cache=True, inline="always")
def _kink_ahead_rates(hr0: float, hstep: float, d1: float, d2r: float) -> float:
    """`_kink_ahead` from the radial height hr0 and its rates (`_radial_height_rates`)."""
    zb = _kink_between(hr0, hr0 + (d1 + 0.5 * d2r * hstep) * hstep)
    if np.isnan(zb):
        return np.inf
    # the smallest positive root of 0.5 d2r t^2 + d1 t + (hr0 - zb)
    qa, qb, qc = 0.5 * d2r, d1, hr0 - zb
    if qa == 0.0 and qb == 0.0:
        return np.inf
    if abs(qa) * hstep < 1e-6 * abs(qb):
        tau = -qc / qb
    else:
        disc = qb * qb - 4.0 * qa * qc
        if disc < 0.0:
            return np.inf
        q = -0.5 * (qb + math.copysign(math.sqrt(disc), qb))
        tau, t2 = q / qa, (qc / q if q != 0.0 else np.inf)
        if not tau > 0.0 or (0.0 < t2 < tau):
            tau = t2
    return tau if 0.0 < tau < hstep else np.inf


@numba.njit(cache=True, **_NO_NRT)
def _rot_to_ecef(
    t: float, omega: float, y: np.ndarray, r_out: np.ndarray, v_out: np.ndarray
) -> None:
    """Pseudo-inertial state at time t -> ECEF position and velocity. At angle 0 (a flight's
    start, or no rotation) without the library's sincos: cos(+-0) = 1 and sin(+-0) = +-0."""
    ot = omega * t
    c, s = (1.0, ot) if ot == 0.0 else (math.cos(ot), math.sin(ot))
    x, yy = c * y[0] + s * y[1], -s * y[0] + c * y[1]
    vx, vy = c * y[3] + s * y[4], -s * y[3] + c * y[4]
    r_out[0], r_out[1], r_out[2] = x, yy, y[2]
    v_out[0], v_out[1], v_out[2] = vx + omega * yy, vy - omega * x, y[5]


# Indices of the recorded events (ev_t, ev_r, ev_v).
EV_BURNOUT = 0  # end of powered flight (final stage burnout, or thrust cut-off)
EV_APOGEE = 1
EV_REENTRY = 2  # descending through the reentry level (100 km by default)
EV_IMPACT = 3
N_EVENTS = 4


@numba.njit(cache=True, **_NO_NRT)
def _record(
    i: int | np.int64, e: int | np.int64, t: float, y: np.ndarray, omega: float, rr: np.ndarray,
    vv: np.ndarray, ev_t: np.ndarray, ev_r: np.ndarray, ev_v: np.ndarray,
) -> None:  # fmt: skip
    ev_t[i, e] = t
    _rot_to_ecef(t, omega, y, rr, vv)
    for j in range(3):
        ev_r[i, e, j] = rr[j]
        ev_v[i, e, j] = vv[j]


@numba.njit(cache=True, **_NO_NRT)
def _start_outputs(i: int | np.int64, out: tuple) -> None:
    """Trajectory i's outputs before its flight: no events, no stage burnouts, status OK."""
    status, ev_t, ev_r, ev_v, stage_t = out[0], out[1], out[2], out[3], out[4]
    for e in range(N_EVENTS):
        ev_t[i, e] = np.nan
        for j in range(3):
            ev_r[i, e, j] = np.nan
            ev_v[i, e, j] = np.nan
    for s in range(stage_t.shape[1]):
        stage_t[i, s] = np.nan
    status[i] = STATUS_OK


# The step controller's logarithm and exponential in plain arithmetic (decision 0023). libm's
# `log` and `exp` took about 12 % of a vacuum flight's time (`perf`), and as library calls they
# kept the lanes' step control out of vector registers. A step size needs a few digits; ln x is
# within 2e-14 absolute of libm's (3.4e-14 relative), e^y within 6e-15 relative
# (tests/unit/test_flyout.py). They give the same bits in scalar and vector code, and LLVM
# vectorises them.
_LN2 = math.log(2.0)
_SQRT2 = math.sqrt(2.0)
_TWO52 = 4503599627370496.0  # 2^52: a double whose low mantissa bits hold an integer < 2^52
_MANTISSA_BITS = 0x000FFFFFFFFFFFFF
_ONE_BITS = 0x3FF0000000000000  # the bits of 1.0
_TWO52_BITS = 0x4330000000000000  # the bits of 2^52


@numba.njit(cache=True, inline="always")
def _ctl_log(x: float) -> float:
    """ln x for a positive, finite, normal x (anything else: a meaningless value, no trap).
    x = 2^k m with m in [sqrt(1/2), sqrt(2)) read from the bits; ln m = 2 atanh(s),
    s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^15 (next term below 4e-14 of it)."""
    bits = np.float64(x).view(np.int64)
    m = np.int64((bits & _MANTISSA_BITS) | _ONE_BITS).view(np.float64)  # in [1, 2)
    # the biased exponent, as the double 2^52 + e exactly, less 2^52 + 1023
    k = np.int64((bits >> 52) | _TWO52_BITS).view(np.float64) - (_TWO52 + 1023.0)
    big = m > _SQRT2
    m = 0.5 * m if big else m
    k = k + 1.0 if big else k
    s = (m - 1.0) / (m + 1.0)
    u = s * s
    u2 = u * u
    # sum of u^j / (2 j + 1), j = 0..7, in Estrin's scheme (pairs, then pairs of pairs: a short
    # chain, which the scalar kernel `_fly_one` waits on; Horner's was slower than libm there)
    q0, q1 = 1.0 + u * (1.0 / 3.0), 1.0 / 5.0 + u * (1.0 / 7.0)
    q2, q3 = 1.0 / 9.0 + u * (1.0 / 11.0), 1.0 / 13.0 + u * (1.0 / 15.0)
    p = (q0 + u2 * q1) + (u2 * u2) * (q2 + u2 * q3)
    return k * _LN2 + 2.0 * s * p


@numba.njit(cache=True, inline="always")
def _ctl_exp(y: float) -> float:
    """e^y for |y| <= 2: (e^(y/4))^4, e^(y/4) by its Taylor polynomial to degree 13 (next term
    below 1.2e-15 of it)."""
    r = 0.25 * y
    r2 = r * r
    r4 = r2 * r2
    # sum of r^j / j!, j = 0..13, in Estrin's scheme: pairs c_2i + c_2i+1 r, then pairs of those
    q0, q1 = 1.0 + r, 0.5 + r * (1.0 / 6.0)
    q2, q3 = 1.0 / 24.0 + r * (1.0 / 120.0), 1.0 / 720.0 + r * (1.0 / 5040.0)
    q4, q5 = 1.0 / 40320.0 + r * (1.0 / 362880.0), 1.0 / 3628800.0 + r * (1.0 / 39916800.0)
    q6 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0)
    p = ((q0 + r2 * q1) + r4 * (q2 + r2 * q3)) + (r4 * r4) * ((q4 + r2 * q5) + r4 * q6)
    p2 = p * p
    return p2 * p2


@numba.njit(cache=True, inline="always")
def _pi_control(
    hstep: float, err: float, ln_err_old: float, rejected: bool, h_keep: float
) -> tuple[float, float]:
    """The next step's size after an accepted step of size hstep and error err (_PI_BETA; no
    growth right after a rejection; 0.9 err^(0.75 beta - 0.2) err_old^beta as one log and one
    exp, `_ctl_log` and `_ctl_exp`), at least h_keep; and the log of the error that the next
    step takes as the old one."""
    ln_e = _ctl_log(max(err, 1e-10))
    # outside [-2, 2] the clamp below decides: 0.9 e^-2 < 0.2 and 0.9 e^2 > 5
    y = min(2.0, max(-2.0, (_PI_BETA * 0.75 - 0.2) * ln_e + _PI_BETA * ln_err_old))
    fac = min(5.0, max(0.2, 0.9 * _ctl_exp(y)))
    if rejected:
        fac = min(fac, 1.0)
    return max(hstep * fac, h_keep), max(ln_e, _LN_ERR_OLD_MIN)


@numba.njit(cache=True, inline="always")
def _shrink(hstep: float, err: float, h_cut: float) -> float:
    """The retry's size after a rejected step of size hstep and error err > 1: as its error
    asks (at most 5x smaller), and no longer than h_cut (a density kink found inside it)."""
    return min(hstep * max(0.2, 0.9 * err**-0.2), h_cut)


@numba.njit(cache=True)
def _end_of_boost(s: int, t_burnout: float, n_st: int, cutoff: float, coast: float) -> bool:
    """Powered flight ends at this stage's burnout: last stage, or the thrust cut-off falls
    before the next ignition (inside this stage's burn or the coast after it)."""
    return s == n_st - 1 or cutoff <= t_burnout + coast


@numba.njit(cache=True, inline="always")
def _step_to(
    t: float, h: float, h_max: float, t_end: float, kind: int | np.int64, steer: int,
    t_vert: float, t_pitch: float,
) -> tuple[float, float]:  # fmt: skip
    """The next step's size and end from t: the proposal h, at most h_max, ending exactly at
    the phase's end t_end and, while burning, never straddling a switch of the steering law."""
    hstep = min(h, h_max)
    t_next = t + hstep
    if t_next >= t_end:
        hstep, t_next = t_end - t, t_end
    if kind == _BURN:
        tk = t_vert
        if t < tk < t_next:
            hstep, t_next = tk - t, tk
        tk = t_vert + t_pitch
        if steer == STEER_GRAVITY_TURN and t < tk < t_next:
            hstep, t_next = tk - t, tk
    return hstep, t_next


@numba.njit(cache=True, **_NO_NRT)
def _flight_params(i: int | np.int64, inp: tuple, p: np.ndarray) -> None:
    """Trajectory i's parameters of the right-hand side that hold for the whole flight, into p:
    drag terms, steering (azimuth, loft, vertical rise, pitch-over) and the end of powered
    flight (for the pitch program: the last burnout before the cut-off or a coast past it)."""
    n_stages, st_burn, st_coast, cutoff_s = inp[2], inp[6], inp[7], inp[8]
    cda, inv_beta, azimuth, loft = inp[9], inp[10], inp[11], inp[12]
    t_vert, t_pitch = inp[13], inp[14]
    ns_i = n_stages[i]
    cut = cutoff_s[i]
    t_end_boost = 0.0
    tc = 0.0
    for s in range(ns_i):
        t_end_boost = min(tc + st_burn[i, s], cut)
        if t_end_boost < tc + st_burn[i, s] or _end_of_boost(
            s, t_end_boost, ns_i, cut, st_coast[i, s]
        ):
            break
        tc = t_end_boost + st_coast[i, s]
    p[P_CDA], p[P_INV_BETA] = cda[i], inv_beta[i]
    p[P_AZIMUTH], p[P_LOFT] = azimuth[i], loft[i]
    p[P_T_VERT], p[P_T_PITCH], p[P_T_END_BOOST] = t_vert[i], t_pitch[i], t_end_boost


@numba.njit(cache=True, **_NO_NRT)
def _fly_one(  # noqa: PLR0912, PLR0915
    i: int | np.int64,
    inp: tuple,
    out: tuple,
    opt: tuple,
    earth: np.ndarray,
    tol: np.ndarray,
    work: tuple,
) -> None:
    """Fly trajectory i of the batch: inputs `inp`, outputs `out` and options `opt` as packed
    by `propagate_batch`; `work` holds the calling chunk's scratch arrays. The SIMD lanes
    (`_run_chunk_lanes`) copy its logic, operation for operation: a change here must go there
    too (the lanes' bit-identity tests fail otherwise)."""
    (r0, v0, n_stages, st_m_ign, st_mdot, st_ve, st_burn, st_coast, cutoff_s, cda, inv_beta,
     azimuth, loft, t_vert, t_pitch, h_impact) = inp  # fmt: skip
    status, ev_t, ev_r, ev_v, stage_t, n_samp, t_samp, r_samp, v_samp, n_steps = out
    steer, drag, reentry_level_m, t_max, sample_dt = opt
    y, y1, yt, k, p, rr, vv, tph = work
    a_e, f_e, mu, omega = earth[0], earth[1], earth[2], earth[4]
    # event functions and indices, typed, not literal (module comment on constant arguments)
    g_height, g_dhdt = np.int64(0), np.int64(1)
    ev_burnout, ev_apogee = np.int64(EV_BURNOUT), np.int64(EV_APOGEE)
    ev_reentry, ev_impact = np.int64(EV_REENTRY), np.int64(EV_IMPACT)
    radial = np.bool_(True)  # `_g`'s fast height: the radial one, which the density uses
    h_max = tol[3]
    for j in range(3):
        y[j] = r0[i, j]
        y[3 + j] = v0[i, j]
    _start_outputs(i, out)
    max_samp = t_samp.shape[1]
    ns = 0
    next_sample = 0.0
    nsteps = 0
    ns_i = n_stages[i]
    cut = cutoff_s[i]
    _flight_params(i, inp, p)
    level = h_impact[i]
    crash_level = -np.inf
    if ns_i > 0:
        # the steering's and the crash test's set-up, for powered flight only (a free flight
        # needs neither: about 0.2 us of a 5 us vacuum flight)
        p[P_CAZ], p[P_SAZ] = math.cos(azimuth[i]), math.sin(azimuth[i])
        # powered flight that sinks 1 km below the launch point (or the impact level) crashed
        h0 = geodetic_up_height_bowring2_scalar(y[0], y[1], y[2], a_e, f_e)[3]
        crash_level = min(level, h0) - 1000.0
    t = 0.0
    h = h_max
    ln_err_old = _LN_ERR_OLD_MIN
    rejected = False
    apogee_h = -np.inf
    phase_stage = 0
    stage_done = False
    kind = _BURN if ns_i > 0 else _FREE
    if kind == _FREE:
        _record(i, ev_burnout, 0.0, y, omega, rr, vv, ev_t, ev_r, ev_v)
    g_apo0 = _dhdt_screen(y, a_e, f_e, omega)
    finished = False
    while not finished:
        # --- set up the current phase
        if kind == _BURN:
            s = phase_stage
            p[P_M_IGN], p[P_MDOT], p[P_VE] = st_m_ign[i, s], st_mdot[i, s], st_ve[i, s]
            p[P_T_IGN] = t
            t_end = min(t + st_burn[i, s], cut)
            stage_done = t_end < t + st_burn[i, s] or _end_of_boost(
                s, t_end, ns_i, cut, st_coast[i, s]
            )
        elif kind == _COAST:
            p[P_M_IGN] = st_m_ign[i, phase_stage + 1]
            t_end = t + st_coast[i, phase_stage]
        else:
            t_end = t_max
        h_keep = 0.0
        # powered flight and coasts use the (tighter) boost tolerance, scaled alike
        scale = tol[4] / tol[0] if kind != _FREE else 1.0
        tph[0], tph[1], tph[2] = tol[0] * scale, tol[1] * scale, tol[2] * scale
        _accel(t, y, k, 0, kind, steer, drag, p, earth, t + 1e-9)
        if kind == _FREE and not drag:
            # gravity alone is smooth: the error estimate sizes the first step reliably
            h = h_max
        elif t == 0.0:
            # at launch (or a free flight's start with drag): start small; later phases go on
            # from the last step's proposal (decision 0014: the 1 s restart after each stage
            # only cost a ramp of steps)
            h = min(h, 1.0)
        hr0 = _height_for_density(y[0], y[1], y[2], a_e, f_e)  # radial heights: step start,
        while t < t_end:
            hstep, t_next = _step_to(t, h, h_max, t_end, kind, steer, t_vert[i], t_pitch[i])
            if drag:
                # aim the step at the next density kink on its way, if any: the step after it
                # goes on with this one's size
                tau = _kink_ahead(y, k[0], hr0, hstep, a_e, f_e)
                if tau < hstep:
                    h_keep = max(h_keep, hstep)
                    hstep, t_next = tau, t + tau
            err = _dp_step(t, hstep, y, k, yt, y1, kind, steer, drag, p, earth, tph)
            nsteps += 1
            if not err < np.inf:
                # a step that went far out of the model's domain (deep underground: NaN or inf
                # density and error): reject it and shrink as far as the rule allows
                err = 1e10
            h_cut = np.inf
            hr1 = _height_for_density(y1[0], y1[1], y1[2], a_e, f_e)  # and step end
            if drag and min(hr0, hr1) < _KINK_TOP_M:
                # a density kink inside the step: cut the step to it and take it again
                zb = _kink_between(hr0, hr1)
                if not np.isnan(zb):
                    # the crossing, either way, on the interpolant of the height the
                    # density uses (the radial one: `fast`), to |hr - zb| < KINK_TOL_M / 100
                    sk = _illinois_bracket(y, k[0], y1, k[6], hstep, g_height, zb, a_e,
                                           f_e, omega, yt, radial, 0.0, 1.0, hr0 - zb,
                                           hr1 - zb, 0.0, 0.01 * KINK_TOL_M)  # fmt: skip
                    if err <= 1.0:
                        # the uncut step's size stays the proposal after the cut one
                        h_keep, h = hstep, sk * hstep
                        continue
                    # a failed step shrinks at least as its error asks (its interpolant,
                    # which located the kink, may be poor)
                    h_cut = sk * hstep
            if err > 1.0:
                h_keep = 0.0
                h = _shrink(hstep, err, h_cut)
                rejected = True
                if h < 1e-9:
                    status[i] = STATUS_STEP_FAILURE
                    finished = True
                    break
                continue
            # --- accepted step [t, t_next]: events
            t1 = t_next
            stop_s = 2.0
            g_apo1 = _dhdt_screen(y1, a_e, f_e, omega)
            s_apo = 0.0  # the step's apogee, if any: levels are crossed downward after it
            if t1 > t_vert[i] and g_apo0 > 0.0 and g_apo1 <= 0.0:
                sroot = _locate(y, k[0], y1, k[6], hstep, g_dhdt, 0.0, a_e, f_e, omega, mu, yt, 0.0)
                s_apo = sroot
                hr = _event_g(yt, g_height, 0.0, a_e, f_e, omega)
                if hr > apogee_h:
                    apogee_h = hr
                    _record(i, ev_apogee, t + sroot * hstep, yt, omega, rr, vv, ev_t, ev_r, ev_v)
            g_apo0 = g_apo1
            if kind == _FREE:
                # the radial height decides the sign except within RADIAL_MARGIN of a level
                if np.isnan(ev_t[i, EV_REENTRY]):
                    g1r = _level_screen(y1, hr1, reentry_level_m, a_e, f_e, omega)
                    if g1r <= 0.0 and _level_screen(y, hr0, reentry_level_m, a_e, f_e,
                                                    omega) > 0.0:  # fmt: skip
                        sroot = _locate(y, k[0], y1, k[6], hstep, g_height, reentry_level_m, a_e,
                                        f_e, omega, mu, yt, s_apo)  # fmt: skip
                        _record(i, ev_reentry, t + sroot * hstep, yt, omega, rr, vv,
                                ev_t, ev_r, ev_v)  # fmt: skip
                if _level_screen(y1, hr1, level, a_e, f_e, omega) <= 0.0:
                    stop_s = _locate(y, k[0], y1, k[6], hstep, g_height, level, a_e, f_e, omega,
                                     mu, yt, s_apo)  # fmt: skip
            elif _level_screen(y1, hr1, crash_level, a_e, f_e, omega) < 0.0:
                status[i] = STATUS_CRASH_IN_BOOST
                stop_s = 1.0
            # --- samples within the step (up to the impact, if any)
            if sample_dt > 0.0:
                t_stop = t + min(stop_s, 1.0) * hstep
                while next_sample <= t_stop and ns < max_samp:
                    _hermite5(y, k[0], y1, k[6], hstep, (next_sample - t) / hstep, yt)
                    _rot_to_ecef(next_sample, omega, yt, rr, vv)
                    t_samp[i, ns] = next_sample
                    for j in range(3):
                        r_samp[i, ns, j] = rr[j]
                        v_samp[i, ns, j] = vv[j]
                    ns += 1
                    next_sample += sample_dt
            if stop_s <= 1.0:
                _hermite5(y, k[0], y1, k[6], hstep, stop_s, yt)
                ti = t + stop_s * hstep
                if status[i] == STATUS_OK:
                    _record(i, ev_impact, ti, yt, omega, rr, vv, ev_t, ev_r, ev_v)
                _rot_to_ecef(ti, omega, yt, rr, vv)
                if sample_dt > 0.0 and ns < max_samp and (ns == 0 or t_samp[i, ns - 1] < ti):
                    t_samp[i, ns] = ti
                    for j in range(3):
                        r_samp[i, ns, j] = rr[j]
                        v_samp[i, ns, j] = vv[j]
                    ns += 1
                finished = True
                break
            for j in range(6):
                y[j] = y1[j]
                k[0, j] = k[6, j]
            t = t1
            hr0 = hr1
            if kind == _BURN and (
                t == t_vert[i] or (steer == STEER_GRAVITY_TURN and t == t_vert[i] + t_pitch[i])
            ):
                # the steering law switches here: the FSAL stage belongs to the old law
                _accel(t, y, k, 0, kind, steer, drag, p, earth, t + 1e-9)
            h, ln_err_old = _pi_control(hstep, err, ln_err_old, rejected, h_keep)
            rejected = False
            h_keep = 0.0
        if finished:
            break
        # --- phase transitions
        if kind == _BURN:
            stage_t[i, phase_stage] = t
            if stage_done:
                _record(i, ev_burnout, t, y, omega, rr, vv, ev_t, ev_r, ev_v)
                kind = _FREE
            elif st_coast[i, phase_stage] > 0.0:
                kind = _COAST
            else:
                phase_stage += 1
        elif kind == _COAST:
            phase_stage += 1
            kind = _BURN
        else:
            status[i] = STATUS_NO_IMPACT
            finished = True
    n_samp[i] = ns
    n_steps[i] = nsteps


@numba.njit(cache=True, inline="always")
def _burnout_from_trig(
    i: int | np.int64, sl: float, cl: float, sm: float, cm: float, sa: float, ca: float,
    sg: float, cg: float, alt: np.ndarray, speed: np.ndarray, a: float, f: float,
    r_out: np.ndarray, v_out: np.ndarray,
) -> None:  # fmt: skip
    """Row i of `burnout_states` from the sines and cosines of its latitude (sl, cl),
    longitude (sm, cm), azimuth (sa, ca) and flight-path angle (sg, cg):
    `earth.geodetic_to_ecef_scalar` and `up_north_east_scalar` on one sine and cosine each."""
    x, y, z = geodetic_to_ecef_trig(sl, cl, sm, cm, alt[i], a, f)
    r_out[i, 0], r_out[i, 1], r_out[i, 2] = x, y, z
    up, north, east = up_north_east_trig(sl, cl, sm, cm)
    vu, vh = speed[i] * sg, speed[i] * cg
    for j in range(3):
        v_out[i, j] = vu * up[j] + vh * (ca * north[j] + sa * east[j])


@numba.njit(cache=True, **_NO_NRT)
def burnout_states(lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, speed: np.ndarray,
                   gamma: np.ndarray, azimuth: np.ndarray, a: float, f: float,
                   r_out: np.ndarray, v_out: np.ndarray) -> None:  # fmt: skip
    """ECEF positions and Earth-relative velocities of bodies at geodetic points moving at
    `speed` with flight-path angle `gamma` above the local horizontal, heading `azimuth`
    (the loop behind `flyout.burnout_state_ecef`, for small batches). The sines and cosines
    are `trig.sincos`'s, as `burnout_states_parallel`'s, so a row's values do not depend on
    its batch."""
    for i in range(lat.shape[0]):
        sl, cl = sincos(lat[i])
        sm, cm = sincos(lon[i])
        sa, ca = sincos(azimuth[i])
        sg, cg = sincos(gamma[i])
        _burnout_from_trig(i, sl, cl, sm, cm, sa, ca, sg, cg, alt, speed, a, f, r_out, v_out)


# rows a `_burnout_block` takes together: its sines and cosines fit the first-level cache
_BURNOUT_BLOCK = 256


@numba.njit(cache=True, **_NO_NRT)
def _burnout_block(lo: int | np.int64, hi: int | np.int64, tr: np.ndarray, lat: np.ndarray,
                   lon: np.ndarray, alt: np.ndarray, speed: np.ndarray, gamma: np.ndarray,
                   azimuth: np.ndarray, a: float, f: float, r_out: np.ndarray,
                   v_out: np.ndarray) -> None:  # fmt: skip
    """Rows lo..hi-1 of `burnout_states`: their sines and cosines an angle at a time in vector
    registers (`trig.sincos_rows`, into the (8, >= hi - lo) scratch `tr`), then the rows."""
    sincos_rows(lat, lo, hi, tr[0], tr[1])
    sincos_rows(lon, lo, hi, tr[2], tr[3])
    sincos_rows(azimuth, lo, hi, tr[4], tr[5])
    sincos_rows(gamma, lo, hi, tr[6], tr[7])
    for i in range(lo, hi):
        j = i - lo
        _burnout_from_trig(i, tr[0, j], tr[1, j], tr[2, j], tr[3, j], tr[4, j], tr[5, j],
                           tr[6, j], tr[7, j], alt, speed, a, f, r_out, v_out)  # fmt: skip


@numba.njit(cache=True, parallel=True)
def burnout_states_parallel(lat: np.ndarray, lon: np.ndarray, alt: np.ndarray,
                            speed: np.ndarray, gamma: np.ndarray, azimuth: np.ndarray, a: float,
                            f: float, r_out: np.ndarray, v_out: np.ndarray,
                            n_chunks: int | np.int64) -> None:  # fmt: skip
    """`burnout_states` in parallel threads, the same values: for large batches, where its
    four sines and cosines a body took a tenth of a vacuum batch's time on one thread while the
    flights ran on two (decision 0022). n_chunks chunks of consecutive rows (one a thread;
    below 1 taken as 1), their sizes n // n_chunks or one more, each in blocks of
    `_BURNOUT_BLOCK` rows (`_burnout_block`, decision 0026)."""
    n = lat.shape[0]
    m = max(np.int64(1), np.int64(n_chunks))
    for c in numba.prange(m):
        tr = np.empty((8, _BURNOUT_BLOCK))
        hi = (c + 1) * n // m
        for lo in range(c * n // m, hi, _BURNOUT_BLOCK):
            _burnout_block(lo, min(hi, lo + _BURNOUT_BLOCK), tr, lat, lon, alt, speed, gamma,
                           azimuth, a, f, r_out, v_out)  # fmt: skip


@numba.njit(cache=True, inline="always")
def _inertial_velocity(i: int | np.int64, r0: np.ndarray, v0: np.ndarray, omega: float,
                       out: np.ndarray) -> None:  # fmt: skip
    """Row i of `inertial_velocities`: v0 + omega x r0 (omega along z), in the arithmetic of
    numpy's `v0 + stack([-omega * x, omega * y, 0])`, which `flyout.propagate` used before."""
    out[i, 0] = v0[i, 0] + -omega * r0[i, 1]
    out[i, 1] = v0[i, 1] + omega * r0[i, 0]
    out[i, 2] = v0[i, 2] + 0.0


@numba.njit(cache=True, **_NO_NRT)
def inertial_velocities(r0: np.ndarray, v0: np.ndarray, omega: float, out: np.ndarray) -> None:
    """Inertial velocities (pseudo-inertial frame, which coincides with ECEF at t = 0) of bodies
    at ECEF positions r0 (N, 3) moving at Earth-relative velocities v0 (N, 3): v0 + omega x r0,
    into out (N, 3). For small batches."""
    for i in range(r0.shape[0]):
        _inertial_velocity(i, r0, v0, omega, out)


@numba.njit(cache=True, parallel=True)
def inertial_velocities_parallel(r0: np.ndarray, v0: np.ndarray, omega: float, out: np.ndarray
                                 ) -> None:  # fmt: skip
    """`inertial_velocities` in parallel threads, the same values, for large batches: with
    numpy's temporaries it took about 1.2 ms of a 20,000-flight vacuum batch's 34 ms (decision
    0024)."""
    for i in numba.prange(r0.shape[0]):
        _inertial_velocity(i, r0, v0, omega, out)


# Work is split into this many interleaved chunks (enough for load balance on many cores); each
# chunk allocates its small work arrays once.
_N_CHUNKS = 256


@numba.njit(cache=True)
def _run_chunk(
    c: int | np.int64,
    n_chunks: int | np.int64,
    inp: tuple,
    out: tuple,
    opt: tuple,
    earth: np.ndarray,
    tol: np.ndarray,
) -> None:
    """Fly trajectories c, c + n_chunks, c + 2 n_chunks, ... of the batch."""
    work = (np.empty(6), np.empty(6), np.empty(6), np.empty((7, 6)), np.empty(N_P),
            np.empty(3), np.empty(3), np.empty(3))  # fmt: skip
    for i in range(c, inp[0].shape[0], n_chunks):
        _fly_one(i, inp, out, opt, earth, tol, work)


@numba.njit(cache=True, parallel=True)
def propagate_batch(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray
                    ) -> None:  # fmt: skip
    """Fly every trajectory of the batch, chunks in parallel threads.

    inp: (r0 (N,3), v0_inertial (N,3), n_stages, m_ign (N,S), mdot, ve, burn, coast, cutoff,
    cda, inv_beta, azimuth, loft, t_vert, t_pitch, h_impact); out: (status, ev_t, ev_r, ev_v,
    stage_t, n_samp, t_samp, r_samp, v_samp, n_steps), filled in place; opt: (steer, drag,
    reentry_level_m, t_max, sample_dt); earth: (a, f, mu, J2, omega); tol: (rtol, atol_m,
    atol_m_s, max_step_s, boost_rtol). See `bmdsim.physics.flyout.propagate`."""
    n_chunks = min(inp[0].shape[0], _N_CHUNKS)
    for c in numba.prange(n_chunks):
        # int64 indices whatever prange types `c` as: one compiled `_run_chunk`, not three
        _run_chunk(np.int64(c), np.int64(n_chunks), inp, out, opt, earth, tol)


@numba.njit(cache=True)
def propagate_serial(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray
                     ) -> None:  # fmt: skip
    """`propagate_batch` on the calling thread: small batches (aiming iterations) would pay
    more to wake the thread pool than they fly."""
    _run_chunk(np.int64(0), np.int64(1), inp, out, opt, earth, tol)


# --- Flight in SIMD lanes (decisions 0015, 0017, 0018) ---------------------------------------
# LANES trajectories step together, each with its own time and step size: the Dormand-Prince
# stages, the J2 right-hand side, the error norm and the radial heights are loops over the
# lanes, which LLVM turns into 4-wide AVX2 arithmetic (vsqrtpd, vdivpd). With drag, the US76
# density is a scalar loop over the lanes inside each stage (its layers branch; the lanes'
# independent chains still overlap in the out-of-order core), the steps are aimed at the
# density's kinks lane by lane, and a step cut at a kink after the fact takes the scalar path
# (decision 0017). Powered flight has its own lanes (decision 0018): burning and coasting lanes
# and those in the gravity turn in vector arithmetic, the gravity turn's vertical rise and
# pitch-over too but for the pitch angle's cosine and sine (`_lanes_thrust_up`, decision 0019),
# the pitch program's steering by `_accel` lane by lane; a flight goes to the free lanes at its
# burnout through a queue.
# What vectorising needs (checked in the assembly): the numpy error model, since Python's
# division check stops it (decision 0013); the right-hand side, J2 gravity included, inlined in
# numba's IR; and a lane buffer whose row length LLVM knows, so that it can tell the rows
# apart. The buffer is an argument of `_lanes_dp_step`, a plain call (inlined in the chunk's
# function, the two lane sets' steps took 18 minutes to compile: decision 0018), whose guard
# `b.shape[1] == LANES` tells LLVM the row length (so guarded, the call runs as fast as the
# inlined step did: 0.99x, decision 0018). The bookkeeping after a
# step is the scalar kernel's, per lane, in the same order (`_start_outputs`, its event block,
# `_powered_phase`), and the step controller (`_pi_control`) is the scalar kernel's too, taken
# for all lanes at once before it (`_lanes_pi_control`, decision 0023), so the results are bit
# for bit those of `propagate_batch` (`tests/unit/test_flyout.py` checks it). The common step
# (accepted, and every event screen decided and quiet: `_dhdt_bounds`, `_level_bounds`) is
# told apart over the lanes at once and only moves its lane on (decision 0016); the others
# take the scalar path. A finished lane
# takes the chunk's next trajectory (with stages, the last flight queued by the powered lanes;
# the order does not change any flight's result). Sixteen lanes, four AVX2 vectors: a step's
# stages form one long chain of dependent divisions and square roots, and 8 lanes (two
# vectors) left the units waiting on it (a step 62 ns a lane against 43 with 16; decision 0016).
LANES = 16
# rows of the lane buffer (rows x LANES): state y, step end y1, stage input, the seven stage
# derivatives (row _L_K + 6 s + j: stage s, component j; stage 0 is f(y), stage 6 f(y1)),
# this step's size, its error, the radial height of y1
_L_Y, _L_Y1, _L_YT, _L_K = 0, 6, 12, 18
_L_H, _L_ERR, _L_HR1 = 60, 61, 62
# and the screens of y1 (`_dhdt_bounds`' value, the reentry `_level_bounds`' value) and whether
# the step is a common one (1.0) that the vector pass settles
_L_NUM, _L_GRE, _L_PLAIN = 63, 64, 65
# with drag: the lane's 1 / beta, the density of the right-hand side's current stage, and
# before a step the radial height's rates and whether a density kink may lie ahead (1.0)
_L_IB, _L_RHO, _L_D1, _L_D2, _L_KA = 66, 67, 68, 69, 70
# and the step controller's outcome for the lane's step, if accepted (`_lanes_pi_control`): the
# next step's size and the log error it takes as the old one
_L_HPI, _L_LNPI = 71, 72
# with drag: the height that the current stage's density is taken at (`_lanes_density`)
_L_HD = 73
_L_ROWS = 74
# The powered lanes' buffer (decision 0018) has the free lanes' rows up to _L_HD and: the step's
# start time, the current stage's time and the step's steering-law time (its midpoint); 1.0 if
# burning (0.0 coasting); the stage's ignition time, mass at ignition, mass flow and exhaust
# velocity (as `_accel`'s p) and the boosting body's C_d A; 1.0 if the right-hand side is the
# vector one this step (coasting, thrust along the relative velocity, or the gravity turn's
# vertical rise and pitch-over), 0.0 if `_accel` takes the lane (the pitch program); 1.0 if the
# thrust is steered by the local vertical in vector arithmetic (the gravity turn's vertical rise
# and pitch-over: `_lanes_thrust_up`); the steering's parameters (`_accel`'s p: cosine and sine
# of the azimuth, loft, vertical rise, pitch-over); the stage's cosine and sine of the pitch
# angle, and its thrust direction
_P_T0, _P_TS, _P_TL, _P_BURN = 74, 75, 76, 77
_P_TIGN, _P_MIGN, _P_MDOT, _P_VE, _P_CDA, _P_VEC = 78, 79, 80, 81, 82, 83
_P_UP, _P_CAZ, _P_SAZ, _P_LOFT, _P_TVERT, _P_TPITCH = 84, 85, 86, 87, 88, 89
_P_C, _P_S, _P_UX, _P_UY, _P_UZ = 90, 91, 92, 93, 94
_P_ROWS = 95


# Deferred event searches (decision 0020). The SIMD lanes do not search a step's events when
# the step is taken: they copy the step (its ends' states and derivatives, size, start time)
# into a queue, one queue for the apogees and one for the heights (reentry and impact), and
# search SEARCH_BATCH or more queued steps at once, in loops over the queue that the CPU runs
# side by side (and LLVM in vector registers). A search alone is a chain of dependent square
# roots and divisions (about 310 ns a height, decision 0016) that leaves the units idle; a
# masked search over the 16 lanes was slower still, since one or two lanes have an event in
# a step (0.46x, decision 0016). Each queued search is `_locate`'s, operation for operation,
# on the same inline pieces (`_herm_coeffs`, `_herm_pv`, `earth._bowring`, `_cubic_pv_dp`,
# `_secant_fraction`, `_radial_velocity_xyz`, `_apogee_slope_xyz`, `_vertical_speed_xyz`,
# `_radial_height_rate`),
# each slot stopping where `_locate`'s iterations stop and falling back to its Illinois search
# where they fail, so the events are `_fly_one`'s bit for bit. Nothing but the outputs waits for
# a search: a flight's next steps need only the screens of its step, and an impact ends the
# flight at once (its lane takes the next one while the impact's search waits). Two things do
# wait: the level searches of a step that also holds an apogee start after the apogee (so that
# apogee is searched at once, as before), and an apogee is recorded only above the flight's
# highest apogee so far (so a lane's second apogee waits until its first has been searched).
#
# The queues' rows (rows x slots): the step's start state and its derivative, its end state
# and derivative, size, the fraction from which a level is crossed (after the step's apogee),
# the level, the step's start time, the flight's highest apogee when queued; the search's
# iterate, the state there, the result (-1: not found), whether the slot is still iterating,
# and its seed's values (secant fraction, the end values and slopes of the cubic) and the
# secant's previous point (fraction, value); after an apogee search the value's row holds the
# apogee's height (`_S_APO_HR`, the same row).
_S_Y0, _S_F0, _S_Y1, _S_F1 = 0, 6, 12, 18
_S_H, _S_SLO, _S_LEVEL, _S_T, _S_APO_H = 24, 25, 26, 27, 28
_S_S, _S_W = 29, 30
_S_RES, _S_ACT, _S_U0, _S_GA, _S_GB, _S_SA, _S_SB, _S_SPREV, _S_GPREV = (
    36, 37, 38, 39, 40, 41, 42, 43, 44,
)  # fmt: skip
_S_APO_HR = _S_GPREV  # `_search_apogees`'s heights, once its secant no longer needs the row
_S_ROWS = 45
# the queues' integers: the trajectory, the event (EV_*) and the lane
_SI_TRAJ, _SI_EV, _SI_LANE = 0, 1, 2
SEARCH_BATCH = 16
# a step round queues at most two height searches a lane (reentry and impact) onto fewer than
# SEARCH_BATCH left from before
_S_CAP = 2 * LANES + SEARCH_BATCH


@numba.njit(cache=True, inline="always")
def _enqueue(
    q: np.ndarray, qi: np.ndarray, n: int | np.int64, i: int | np.int64, e: int | np.int64,
    ln: int | np.int64, t: float, h: float, s_lo: float, level: float, apo_h: float,
    y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray,
) -> None:  # fmt: skip
    """Queue slot n: event e of trajectory i (lane ln) in the step [t, t + h]."""
    for j in range(6):
        q[_S_Y0 + j, n], q[_S_F0 + j, n] = y0[j], f0[j]
        q[_S_Y1 + j, n], q[_S_F1 + j, n] = y1[j], f1[j]
    q[_S_H, n], q[_S_SLO, n], q[_S_LEVEL, n], q[_S_T, n], q[_S_APO_H, n] = h, s_lo, level, t, apo_h
    qi[_SI_TRAJ, n], qi[_SI_EV, n], qi[_SI_LANE, n] = i, e, ln


@numba.njit(cache=True, inline="always")
def _slot_herm(q: np.ndarray, k: int, s: float) -> tuple[float, float, float, float, float, float]:
    """`_hermite5` of queue slot k's step at fraction s: position and velocity."""
    c = _herm_coeffs(s)
    h = q[_S_H, k]
    hh = h * h
    x, vx = _herm_pv(c, h, hh, q[_S_Y0, k], q[_S_F0, k], q[_S_F0 + 3, k], q[_S_Y1, k],
                     q[_S_F1, k], q[_S_F1 + 3, k])  # fmt: skip
    yy, vy = _herm_pv(c, h, hh, q[_S_Y0 + 1, k], q[_S_F0 + 1, k], q[_S_F0 + 4, k],
                      q[_S_Y1 + 1, k], q[_S_F1 + 1, k], q[_S_F1 + 4, k])  # fmt: skip
    z, vz = _herm_pv(c, h, hh, q[_S_Y0 + 2, k], q[_S_F0 + 2, k], q[_S_F0 + 5, k],
                     q[_S_Y1 + 2, k], q[_S_F1 + 2, k], q[_S_F1 + 5, k])  # fmt: skip
    return x, yy, z, vx, vy, vz


@numba.njit(cache=True, inline="always")
def _slot_keep(q: np.ndarray, k: int, row: int, keep: bool, v: tuple) -> None:
    """Rows row..row+5 of slot k: the six values v where `keep`, else left as they are."""
    for j in range(6):
        q[row + j, k] = v[j] if keep else q[row + j, k]


@numba.njit(cache=True, inline="always")
def _slot_arrays(
    q: np.ndarray, k: int | np.int64, y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray
) -> None:
    """Slot k's step into the arrays of the scalar searches."""
    for j in range(6):
        y0[j], f0[j] = q[_S_Y0 + j, k], q[_S_F0 + j, k]
        y1[j], f1[j] = q[_S_Y1 + j, k], q[_S_F1 + j, k]


@numba.njit(cache=True, inline="always")
def _slot_root(
    q: np.ndarray, k: int | np.int64, which: int | np.int64, level: float, s_lo: float,
    earth: np.ndarray, y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray,
    work: np.ndarray,
) -> float:  # fmt: skip
    """Slot k's root after its search: the fraction, with the state there in `work`; where the
    search failed (result -1), `_locate`'s fallback, the Illinois search on the exact event
    function (`which`, `level`) from s_lo, on the slot's step copied into y0 .. f1."""
    s = q[_S_RES, k]
    if s < 0.0:
        _slot_arrays(q, k, y0, f0, y1, f1)
        s = _illinois_s(y0, f0, y1, f1, q[_S_H, k], which, level, earth[0], earth[1], earth[4],
                        work, s_lo)  # fmt: skip
        _hermite5(y0, f0, y1, f1, q[_S_H, k], s, work)
    else:
        for j in range(6):
            work[j] = q[_S_W + j, k]
    return s


@numba.njit(cache=True, inline="always")
def _any_active(q: np.ndarray, n: int | np.int64) -> bool:
    act = 0.0
    for k in range(n):
        act += q[_S_ACT, k]
    return act > 0.0


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _search_heights(
    q: np.ndarray, qi: np.ndarray, n: int | np.int64, earth: np.ndarray, ev_t: np.ndarray,
    ev_r: np.ndarray, ev_v: np.ndarray, y0: np.ndarray, f0: np.ndarray, y1: np.ndarray,
    f1: np.ndarray, work: np.ndarray, rr: np.ndarray, vv: np.ndarray,
) -> None:  # fmt: skip
    """The level crossings (reentry, impact) of queue slots 0..n-1, recorded: `_locate`'s
    height search slot by slot, its loops run over the slots together (module comment). The
    arrays y0 .. vv are scratch for the slots whose Newton search fails."""
    if q.shape[1] != _S_CAP:  # the row length, for LLVM (as `_lanes_dp_step`'s guard)
        return
    a_e, f_e, omega = earth[0], earth[1], earth[4]
    g_height = np.int64(0)  # typed, not literal: module comment
    # the seed: the root of the cubic Hermite of the radial height, from s_lo to the step's end
    for k in range(n):
        s_lo, level = q[_S_SLO, k], q[_S_LEVEL, k]
        xs, ys, zs, vxs, vys, vzs = _slot_herm(q, k, s_lo)
        lo = s_lo > 0.0
        x = xs if lo else q[_S_Y0, k]
        yy = ys if lo else q[_S_Y0 + 1, k]
        z = zs if lo else q[_S_Y0 + 2, k]
        vx = vxs if lo else q[_S_Y0 + 3, k]
        vy = vys if lo else q[_S_Y0 + 4, k]
        vz = vzs if lo else q[_S_Y0 + 5, k]
        x1, y1_, z1 = q[_S_Y1, k], q[_S_Y1 + 1, k], q[_S_Y1 + 2, k]
        ga = _height_for_density(x, yy, z, a_e, f_e) - level
        gb = _height_for_density(x1, y1_, z1, a_e, f_e) - level
        w = (1.0 - s_lo) * q[_S_H, k]
        q[_S_GA, k], q[_S_GB, k] = ga, gb
        q[_S_SA, k] = _radial_height_rate(x, yy, z, vx, vy, vz, a_e, f_e) * w
        q[_S_SB, k] = (
            _radial_height_rate(x1, y1_, z1, q[_S_Y1 + 3, k], q[_S_Y1 + 4, k], q[_S_Y1 + 5, k],
                                a_e, f_e) * w
        )  # fmt: skip
        u0 = _secant_fraction(ga, gb)
        q[_S_U0, k], q[_S_S, k], q[_S_ACT, k] = u0, u0, 1.0
    for _ in range(8):  # `_cubic_root`'s Newton iterations
        for k in range(n):
            act = q[_S_ACT, k] != 0.0
            u = q[_S_S, k]
            pv, dp = _cubic_pv_dp(q[_S_GA, k], q[_S_SA, k], q[_S_GB, k], q[_S_SB, k], u)
            du = -pv / dp
            un = u + du
            fail = (not dp < 0.0) | (not ((un >= 0.0) & (un <= 1.0)))
            go = (not fail) & (not abs(du) < 1e-12)
            q[_S_S, k] = (q[_S_U0, k] if fail else un) if act else u
            q[_S_ACT, k] = 1.0 if act & go else 0.0
        if not _any_active(q, n):
            break
    for k in range(n):  # `_height_newton` from the cubic's root
        s_lo = q[_S_SLO, k]
        q[_S_S, k] = s_lo + (1.0 - s_lo) * q[_S_S, k]
        q[_S_ACT, k], q[_S_RES, k] = 1.0, -1.0
    for _ in range(8):
        for k in range(n):
            act = q[_S_ACT, k] != 0.0
            s, h, s_lo = q[_S_S, k], q[_S_H, k], q[_S_SLO, k]
            st = _slot_herm(q, k, s)
            x, yy, z, vx, vy, vz = st
            upx, upy, upz, hh = _bowring(x, yy, z, a_e, f_e, False)
            g = hh - q[_S_LEVEL, k]
            dhdt = _vertical_speed_xyz(upx, upy, upz, x, yy, vx, vy, vz, omega)
            sn = s - g / (dhdt * h)
            falling = dhdt < 0.0
            hit = act & falling & (abs(g) < 1e-3)
            go = act & falling & (not abs(g) < 1e-3) & (sn >= s_lo) & (sn <= 1.0)
            q[_S_RES, k] = s if hit else q[_S_RES, k]
            _slot_keep(q, k, _S_W, hit, st)
            q[_S_S, k] = sn if go else s
            q[_S_ACT, k] = 1.0 if go else 0.0
        if not _any_active(q, n):
            break
    for k in range(n):
        h = q[_S_H, k]
        s = _slot_root(q, k, g_height, q[_S_LEVEL, k], q[_S_SLO, k], earth, y0, f0, y1, f1, work)
        _record(qi[_SI_TRAJ, k], qi[_SI_EV, k], q[_S_T, k] + s * h, work, omega, rr, vv, ev_t,
                ev_r, ev_v)  # fmt: skip


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _search_apogees(
    q: np.ndarray, qi: np.ndarray, n: int | np.int64, earth: np.ndarray, ev_t: np.ndarray,
    ev_r: np.ndarray, ev_v: np.ndarray, traj: np.ndarray, apogee_h: np.ndarray,
    apo_pend: np.ndarray, y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray,
    work: np.ndarray, rr: np.ndarray, vv: np.ndarray,
) -> None:  # fmt: skip
    """The apogees of queue slots 0..n-1 (each searched from its step's start, as `_locate`
    from s_lo 0): `_locate`'s apogee search slot by slot, its loops run over the slots
    together (module comment). Each is recorded if it is higher than the flight's highest
    apogee when it was queued, and a lane still flying that trajectory takes it as its new
    highest and may queue another."""
    if q.shape[1] != _S_CAP:  # the row length, for LLVM (as `_lanes_dp_step`'s guard)
        return
    a_e, f_e, mu, omega = earth[0], earth[1], earth[2], earth[4]
    g_height, g_dhdt = np.int64(0), np.int64(1)  # typed, not literal: module comment
    s_lo = 0.0
    for k in range(n):
        ga = _radial_velocity_xyz(q[_S_Y0, k], q[_S_Y0 + 1, k], q[_S_Y0 + 2, k], q[_S_Y0 + 3, k],
                                  q[_S_Y0 + 4, k], q[_S_Y0 + 5, k], omega)  # fmt: skip
        gb = _radial_velocity_xyz(q[_S_Y1, k], q[_S_Y1 + 1, k], q[_S_Y1 + 2, k], q[_S_Y1 + 3, k],
                                  q[_S_Y1 + 4, k], q[_S_Y1 + 5, k], omega)  # fmt: skip
        q[_S_S, k] = s_lo + (1.0 - s_lo) * _secant_fraction(ga, gb)
        q[_S_SPREV, k], q[_S_GPREV, k] = -1.0, 0.0
        q[_S_ACT, k], q[_S_RES, k] = 1.0, -1.0
    for _ in range(8):  # `_apogee_newton`
        for k in range(n):
            act = q[_S_ACT, k] != 0.0
            s, h = q[_S_S, k], q[_S_H, k]
            st = _slot_herm(q, k, s)
            x, yy, z, vx, vy, vz = st
            upx, upy, upz, _ = _bowring(x, yy, z, a_e, f_e, True)
            g = _vertical_speed_xyz(upx, upy, upz, x, yy, vx, vy, vz, omega)
            sl_an = _apogee_slope_xyz(x, yy, z, vx, vy, vz, omega, mu)
            sp, gp = q[_S_SPREV, k], q[_S_GPREV, k]
            slope = sl_an if (sp < 0.0) | (s == sp) else (g - gp) / ((s - sp) * h)
            sn = s + -g / (slope * h)
            conv = abs(g) < 1e-5
            hit = act & conv & (sl_an < 0.0)
            go = act & (not conv) & (not slope >= 0.0) & (sn >= s_lo) & (sn <= 1.0)
            q[_S_RES, k] = s if hit else q[_S_RES, k]
            _slot_keep(q, k, _S_W, hit, st)
            q[_S_SPREV, k] = s if go else sp
            q[_S_GPREV, k] = g if go else gp
            q[_S_S, k] = sn if go else s
            q[_S_ACT, k] = 1.0 if go else 0.0
        if not _any_active(q, n):
            break
    # the apogees' heights (`_event_g`'s: Bowring's with one step) over the slots at once; a
    # slot whose search failed has a stale state in its W rows, and the height computed from it
    # is discarded: that slot takes its root and height from `_locate`'s fallback below
    for k in range(n):
        q[_S_APO_HR, k] = _bowring(q[_S_W, k], q[_S_W + 1, k], q[_S_W + 2, k], a_e, f_e, False)[3]
    for k in range(n):
        h = q[_S_H, k]
        found = q[_S_RES, k] >= 0.0
        s = _slot_root(q, k, g_dhdt, 0.0, s_lo, earth, y0, f0, y1, f1, work)
        hr = q[_S_APO_HR, k] if found else _event_g(work, g_height, 0.0, a_e, f_e, omega)
        i, ln = qi[_SI_TRAJ, k], qi[_SI_LANE, k]
        higher = hr > q[_S_APO_H, k]
        if higher:
            _record(i, np.int64(EV_APOGEE), q[_S_T, k] + s * h, work, omega, rr, vv, ev_t, ev_r,
                    ev_v)  # fmt: skip
        if traj[ln] == i:
            if higher:
                apogee_h[ln] = hr
            apo_pend[ln] = False


@numba.njit(cache=True, error_model="numpy", inline="always")
def _lane_gravity_air(
    b: np.ndarray, src: int, ln: int | np.int64, mu: float, a: float, j2: float, omega: float
) -> tuple[float, float, float, float, float, float, float, float, float]:
    """Lane ln's velocity, J2 gravity and velocity relative to the rotating air for the state
    in rows src..src+5: `_accel`'s first lines, in its order."""
    x, yy, z = b[src, ln], b[src + 1, ln], b[src + 2, ln]
    vx, vy, vz = b[src + 3, ln], b[src + 4, ln], b[src + 5, ln]
    ax, ay, az = gravity_scalar(x, yy, z, mu, a, j2)
    return vx, vy, vz, ax, ay, az, vx + omega * yy, vy - omega * x, vz


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _lanes_density(b: np.ndarray) -> None:
    """Row _L_RHO: the heights there replaced by their densities, `density_scalar`'s bit for
    bit, where an inf height (the free lanes' mark of a lane above the drag ceiling) gives 0.0.
    The heights of US76's piecewise cubics (-5 to 86 km) in vector arithmetic
    (`lower_cubic_density`), the others then lane by lane (the table above 86 km: an `exp`). A
    plain call whose guard tells LLVM the buffer's row length (as `_lanes_dp_step`'s)."""
    if b.shape[1] != LANES:
        return
    for ln in range(LANES):
        h = b[_L_RHO, ln]
        b[_L_HD, ln] = h
        b[_L_RHO, ln] = lower_cubic_density(h)
    for ln in range(LANES):
        h = b[_L_HD, ln]
        if not in_lower_cubics(h):
            b[_L_RHO, ln] = density_scalar(h) if h != np.inf else 0.0


@numba.njit(cache=True, error_model="numpy", inline="always")
def _lanes_rhs(b: np.ndarray, stage: int, src: int, earth: np.ndarray, drag: bool | None) -> None:
    """f of the states in rows src..src+5 of every lane into stage `stage`'s rows: `_accel`'s
    free flight, operation for operation. With drag, the radial height (vector arithmetic),
    then the density lane by lane (US76's layers branch: a scalar loop, whose lanes' chains
    overlap), then the drag (vector arithmetic again); above the drag ceiling the density is 0
    and the drag term subtracts zeros, which leaves the gravity's bits unchanged."""
    a, f_e, mu, j2, omega = earth[0], earth[1], earth[2], earth[3], earth[4]
    row = _L_K + 6 * stage
    if drag is None:
        for ln in range(LANES):
            ax, ay, az = gravity_scalar(b[src, ln], b[src + 1, ln], b[src + 2, ln], mu, a, j2)
            b[row, ln], b[row + 1, ln] = b[src + 3, ln], b[src + 4, ln]
            b[row + 2, ln] = b[src + 5, ln]
            b[row + 3, ln], b[row + 4, ln], b[row + 5, ln] = ax, ay, az
        return
    ceiling2 = (a + _DRAG_CEILING_M) ** 2
    for ln in range(LANES):
        x, yy, z = b[src, ln], b[src + 1, ln], b[src + 2, ln]
        low = (x * x + yy * yy + z * z) < ceiling2
        b[_L_RHO, ln] = _height_for_density(x, yy, z, a, f_e) if low else np.inf
    _lanes_density(b)
    for ln in range(LANES):
        vx, vy, vz, ax, ay, az, vrx, vry, vrz = _lane_gravity_air(b, src, ln, mu, a, j2, omega)
        vrel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        kd = 0.5 * b[_L_RHO, ln] * vrel * b[_L_IB, ln]
        b[row, ln], b[row + 1, ln], b[row + 2, ln] = vx, vy, vz
        b[row + 3, ln], b[row + 4, ln], b[row + 5, ln] = ax - kd * vrx, ay - kd * vry, az - kd * vrz


@numba.njit(cache=True, error_model="numpy", inline="always")
def _lanes_powered_rhs(
    b: np.ndarray, stage: int, src: int, earth: np.ndarray, steer: int, pl: np.ndarray,
    ysc: np.ndarray, ksc: np.ndarray,
) -> None:  # fmt: skip
    """`_lanes_rhs` for the powered lanes, which always fly with drag (`propagate_free_lanes`
    sends whole flights without drag to the scalar kernel): `_accel`'s burn and coast,
    operation for operation, at each lane's stage time (row _P_TS). Coasting lanes, burning
    ones whose thrust is along the relative velocity this step and those of the gravity turn's
    vertical rise and pitch-over (row _P_VEC 1.0; their thrust direction by `_lanes_thrust_up`)
    in vector arithmetic, where a coasting lane's thrust term is not added; the others (the
    pitch program's steering) by `_accel` itself, lane by lane, with the lane's parameters
    `pl[ln]` and scratch arrays ysc, ksc."""
    a, f_e, mu, j2, omega = earth[0], earth[1], earth[2], earth[3], earth[4]
    row = _L_K + 6 * stage
    for ln in range(LANES):
        b[_L_RHO, ln] = _height_for_density(b[src, ln], b[src + 1, ln], b[src + 2, ln], a, f_e)
    _lanes_density(b)
    n_up = 0
    for ln in range(LANES):
        n_up += 1 if b[_P_UP, ln] != 0.0 else 0
    if n_up > 0:
        _lanes_thrust_up(b, src, earth)
    for ln in range(LANES):
        vx, vy, vz, ax, ay, az, vrx, vry, vrz = _lane_gravity_air(b, src, ln, mu, a, j2, omega)
        burn = b[_P_BURN, ln] != 0.0
        m_ign = b[_P_MIGN, ln]
        m = m_ign - b[_P_MDOT, ln] * (b[_P_TS, ln] - b[_P_TIGN, ln]) if burn else m_ign
        vrel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        kd = 0.5 * b[_L_RHO, ln] * vrel * b[_P_CDA, ln] / m
        ax -= kd * vrx
        ay -= kd * vry
        az -= kd * vrz
        acc = b[_P_MDOT, ln] * b[_P_VE, ln] / m
        up = b[_P_UP, ln] != 0.0
        ux = b[_P_UX, ln] if up else vrx / vrel
        uy = b[_P_UY, ln] if up else vry / vrel
        uz = b[_P_UZ, ln] if up else vrz / vrel
        tx, ty, tz = ax + acc * ux, ay + acc * uy, az + acc * uz
        b[row, ln], b[row + 1, ln], b[row + 2, ln] = vx, vy, vz
        b[row + 3, ln] = tx if burn else ax
        b[row + 4, ln] = ty if burn else ay
        b[row + 5, ln] = tz if burn else az
    for ln in range(LANES):
        if b[_P_VEC, ln] == 0.0:
            _accel_lane(b, src, row, ln, steer, pl[ln], earth, ysc, ksc)


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _lanes_thrust_up(b: np.ndarray, src: int, earth: np.ndarray) -> None:
    """The thrust direction (rows _P_UX.._P_UZ) of the lanes steered by the local vertical (row
    _P_UP 1.0: the gravity turn's vertical rise and pitch-over) for the states in rows
    src..src+5: `_accel`'s steering, with its helpers (`_kick_angle`, `_heading`). The pitch
    angle's cosine and sine lane by lane (library calls), Bowring's vertical and the heading in
    vector arithmetic (a
    plain call, so that the six stages do not each inline a copy; its guard tells LLVM the
    buffer's row length, as `_lanes_dp_step`'s). Other lanes' rows hold meaningless values
    that no one reads."""
    if b.shape[1] != LANES:
        return
    a_e, f_e = earth[0], earth[1]
    for ln in range(LANES):
        if b[_P_UP, ln] != 0.0 and not b[_P_TL, ln] < b[_P_TVERT, ln]:
            th = _kick_angle(b[_P_LOFT, ln], b[_P_TS, ln], b[_P_TVERT, ln], b[_P_TPITCH, ln])
            b[_P_C, ln], b[_P_S, ln] = math.cos(th), math.sin(th)
    for ln in range(LANES):
        upx, upy, upz, _ = _bowring(b[src, ln], b[src + 1, ln], b[src + 2, ln], a_e, f_e, False)
        hx, hy, hz = _heading(upx, upy, upz, b[_P_CAZ, ln], b[_P_SAZ, ln])
        vertical = b[_P_TL, ln] < b[_P_TVERT, ln]
        c, s = b[_P_C, ln], b[_P_S, ln]
        b[_P_UX, ln] = upx if vertical else c * upx + s * hx
        b[_P_UY, ln] = upy if vertical else c * upy + s * hy
        b[_P_UZ, ln] = upz if vertical else c * upz + s * hz


@numba.njit(cache=True, **_NO_NRT)
def _accel_lane(
    b: np.ndarray, src: int, row: int, ln: int, steer: int, p: np.ndarray, earth: np.ndarray,
    ysc: np.ndarray, ksc: np.ndarray,
) -> None:  # fmt: skip
    """`_accel` of a burning powered lane at its stage time and steering-law time: the state
    in rows src..src+5 of lane ln, the derivative into rows row..row+5. A plain call, so that
    the six stages of `_lanes_dp_step` do not each inline a copy of `_accel`."""
    for j in range(6):
        ysc[j] = b[src + j, ln]
    _accel(b[_P_TS, ln], ysc, ksc, 0, _BURN, steer, True, p, earth, b[_P_TL, ln])
    for j in range(6):
        b[row + j, ln] = ksc[0, j]


@numba.njit(cache=True, error_model="numpy", inline="always")
def _lanes_stage_rhs(
    b: np.ndarray, stage: int, src: int, c: float, earth: np.ndarray, drag: bool | None,
    powered: bool | None, steer: int, pl: np.ndarray, ysc: np.ndarray, ksc: np.ndarray,
) -> None:  # fmt: skip
    """The right-hand side of Dormand-Prince stage `stage` (node c) over the lanes: the free
    lanes' (`_lanes_rhs`) or the powered lanes' at each lane's time t + c h."""
    if powered is not None:
        for ln in range(LANES):
            b[_P_TS, ln] = b[_P_T0, ln] + c * b[_L_H, ln]
        _lanes_powered_rhs(b, stage, src, earth, steer, pl, ysc, ksc)
    else:
        _lanes_rhs(b, stage, src, earth, drag)


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _lanes_dp_step(
    b: np.ndarray, earth: np.ndarray, tol: np.ndarray, drag: bool | None, powered: bool | None,
    steer: int, pl: np.ndarray, ysc: np.ndarray, ksc: np.ndarray,
) -> None:  # fmt: skip
    """One Dormand-Prince step of every lane (`_dp_step`'s arithmetic, in the same order):
    from y (rows _L_Y) with f(y) in stage 0 and the step size in row _L_H, writes y1, the
    stages 1-6, the error relative to `tol` (row _L_ERR) and the radial height of y1. The
    free lanes' right-hand side, or with `powered` True (a switch: module comment) the
    powered lanes'.

    Loop order: each stage's input is a loop over the lanes around a loop over the six
    components, not the other way round. LLVM unrolls the inner loop, and a loop over the
    lanes whose body is six components is one its loop vectoriser takes, eight lanes to a
    register. A loop over the lanes whose body is one component it unrolled whole before
    vectorising, and its straight-line vectoriser left the unrolled copies in scalar
    registers, one lane at a time (read in the assembly, and in a three-line test function):
    turning the loops gave 1.10-1.12x on every batch (decision 0025)."""
    if b.shape[1] != LANES:
        return
    a_e, f_e = earth[0], earth[1]
    rtol, atol_m, atol_m_s = tol[0], tol[1], tol[2]
    y, yt, k = _L_Y, _L_YT, _L_K
    for ln in range(LANES):
        for j in range(6):
            b[yt + j, ln] = b[y + j, ln] + b[_L_H, ln] * _A21 * b[k + j, ln]
    _lanes_stage_rhs(b, 1, yt, _C2, earth, drag, powered, steer, pl, ysc, ksc)
    for ln in range(LANES):
        for j in range(6):
            b[yt + j, ln] = b[y + j, ln] + b[_L_H, ln] * (
                _A31 * b[k + j, ln] + _A32 * b[k + 6 + j, ln]
            )
    _lanes_stage_rhs(b, 2, yt, _C3, earth, drag, powered, steer, pl, ysc, ksc)
    for ln in range(LANES):
        for j in range(6):
            b[yt + j, ln] = b[y + j, ln] + b[_L_H, ln] * (
                _A41 * b[k + j, ln] + _A42 * b[k + 6 + j, ln] + _A43 * b[k + 12 + j, ln]
            )
    _lanes_stage_rhs(b, 3, yt, _C4, earth, drag, powered, steer, pl, ysc, ksc)
    for ln in range(LANES):
        for j in range(6):
            b[yt + j, ln] = b[y + j, ln] + b[_L_H, ln] * (
                _A51 * b[k + j, ln] + _A52 * b[k + 6 + j, ln] + _A53 * b[k + 12 + j, ln]
                + _A54 * b[k + 18 + j, ln]
            )  # fmt: skip
    _lanes_stage_rhs(b, 4, yt, _C5, earth, drag, powered, steer, pl, ysc, ksc)
    for ln in range(LANES):
        for j in range(6):
            b[yt + j, ln] = b[y + j, ln] + b[_L_H, ln] * (
                _A61 * b[k + j, ln] + _A62 * b[k + 6 + j, ln] + _A63 * b[k + 12 + j, ln]
                + _A64 * b[k + 18 + j, ln] + _A65 * b[k + 24 + j, ln]
            )  # fmt: skip
    _lanes_stage_rhs(b, 5, yt, 1.0, earth, drag, powered, steer, pl, ysc, ksc)
    for ln in range(LANES):
        for j in range(6):
            b[_L_Y1 + j, ln] = b[y + j, ln] + b[_L_H, ln] * (
                _B1 * b[k + j, ln] + _B3 * b[k + 12 + j, ln] + _B4 * b[k + 18 + j, ln]
                + _B5 * b[k + 24 + j, ln] + _B6 * b[k + 30 + j, ln]
            )  # fmt: skip
    _lanes_stage_rhs(b, 6, _L_Y1, 1.0, earth, drag, powered, steer, pl, ysc, ksc)
    for ln in range(LANES):
        err = 0.0
        for j in range(6):
            e = (
                _E1 * b[k + j, ln] + _E3 * b[k + 12 + j, ln] + _E4 * b[k + 18 + j, ln]
                + _E5 * b[k + 24 + j, ln] + _E6 * b[k + 30 + j, ln] + _E7 * b[k + 36 + j, ln]
            )  # fmt: skip
            sc = (atol_m if j < 3 else atol_m_s) + rtol * max(
                abs(b[y + j, ln]), abs(b[_L_Y1 + j, ln])
            )
            err += (b[_L_H, ln] * e / sc) ** 2
        b[_L_ERR, ln] = math.sqrt(err / 6.0)
        b[_L_HR1, ln] = _height_for_density(
            b[_L_Y1, ln], b[_L_Y1 + 1, ln], b[_L_Y1 + 2, ln], a_e, f_e
        )


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _lanes_advance(b: np.ndarray) -> None:
    """The common steps' lanes (row _L_PLAIN 1.0) move on: y1 and f(y1) become y and stage 0.
    In vector registers, in a plain call whose guard tells LLVM the buffer's row length (as
    `_lanes_dp_step`'s): a select on the values' bits through an integer view of the buffer,
    with a mask made by integer arithmetic from the bits of row _L_PLAIN, which holds exactly
    1.0 or 0.0 (shifted right by 61 they are 1 and 0; minus 1, a mask of no bits or all). A
    select on the floats (`new if plain else old`) LLVM compiled as a branch and a store per
    value: 96 branches a step round that follow no pattern, a tenth of a vacuum batch's perf
    samples. A mask from a comparison it compiled as a select of addresses, branch-free but one
    value at a time (1.034x on the vacuum batch; this one 1.090x; decision 0025)."""
    if b.shape[1] != LANES:
        return
    bits = b.view(np.int64)
    for j in range(6):
        for ln in range(LANES):
            keep = (bits[_L_PLAIN, ln] >> np.int64(61)) - np.int64(1)  # 1.0: 0, 0.0: all ones
            y_new, y_old = bits[_L_Y1 + j, ln], bits[_L_Y + j, ln]
            k_new, k_old = bits[_L_K + 36 + j, ln], bits[_L_K + j, ln]
            bits[_L_Y + j, ln] = (y_old & keep) | (y_new & ~keep)
            bits[_L_K + j, ln] = (k_old & keep) | (k_new & ~keep)


@numba.njit(cache=True, error_model="numpy", **_NO_NRT)
def _lanes_pi_control(b: np.ndarray, ln_err_old: np.ndarray, rejected: np.ndarray,
                      h_keep: np.ndarray) -> None:  # fmt: skip
    """`_pi_control` of every lane's step (rows _L_H, _L_ERR; the lane's old log error, whether
    its last step was rejected (bool, or 1.0 / 0.0 for the powered lanes), its h_keep) into
    rows _L_HPI, _L_LNPI, in vector registers: the lanes whose step is accepted read their
    outcome there; the others' rows hold values that no one reads. A plain call whose guard
    tells LLVM the buffer's row length (as `_lanes_dp_step`'s)."""
    if b.shape[1] != LANES:
        return
    for ln in range(LANES):
        b[_L_HPI, ln], b[_L_LNPI, ln] = _pi_control(b[_L_H, ln], b[_L_ERR, ln], ln_err_old[ln],
                                                    rejected[ln] != 0, h_keep[ln])  # fmt: skip


# The powered lanes' per-lane state (decision 0018): integers (rows x LANES) and floats.
_Q_TRAJ, _Q_KIND, _Q_STAGE, _Q_NSTEPS = 0, 1, 2, 3
_F_T, _F_T_END, _F_H, _F_LN_ERR, _F_H_KEEP, _F_HR0, _F_G_APO, _F_APO_H = 0, 1, 2, 3, 4, 5, 6, 7
_F_CRASH, _F_T_NEXT, _F_REJECTED, _F_DONE = 8, 9, 10, 11
_F_KINKED = 12  # 1.0 if the step just taken passes a density kink (`_kinked`)
_N_F = 13
# a powered lane's hand-over to the free lanes, queued: the state y, then t, the proposed step,
# the PI controller's log error, whether the last step was rejected, the apogee screen's value,
# the highest apogee so far, the step count (`_fly_one`'s values when its powered flight ends)
_H_T, _H_H, _H_LN_ERR, _H_REJECTED, _H_G_APO, _H_APO_H, _H_NSTEPS = 6, 7, 8, 9, 10, 11, 12
_N_H = 13


@numba.njit(cache=True, **_NO_NRT)
def _powered_start(
    ln: int | np.int64, i: int | np.int64, bp: np.ndarray, pl: np.ndarray, pq: np.ndarray,
    pf: np.ndarray, inp: tuple, out: tuple, earth: np.ndarray, tol: np.ndarray, ysc: np.ndarray,
) -> None:  # fmt: skip
    """Powered lane ln takes trajectory i: `_fly_one`'s start of a flight with stages."""
    (r0, v0, n_stages, st_m_ign, st_mdot, st_ve, st_burn, st_coast, cutoff_s, cda, inv_beta,
     azimuth, loft, t_vert, t_pitch, h_impact) = inp  # fmt: skip
    a_e, f_e, omega = earth[0], earth[1], earth[4]
    p = pl[ln]
    _start_outputs(i, out)
    out[5][i] = 0  # no samples in the lanes
    for j in range(3):
        bp[_L_Y + j, ln] = r0[i, j]
        bp[_L_Y + 3 + j, ln] = v0[i, j]
    _flight_params(i, inp, p)
    p[P_CAZ], p[P_SAZ] = math.cos(azimuth[i]), math.sin(azimuth[i])
    bp[_P_CDA, ln] = cda[i]
    bp[_P_CAZ, ln], bp[_P_SAZ, ln], bp[_P_LOFT, ln] = p[P_CAZ], p[P_SAZ], p[P_LOFT]
    bp[_P_TVERT, ln], bp[_P_TPITCH, ln] = p[P_T_VERT], p[P_T_PITCH]
    x, yy, z = bp[_L_Y, ln], bp[_L_Y + 1, ln], bp[_L_Y + 2, ln]
    h0 = geodetic_up_height_bowring2_scalar(x, yy, z, a_e, f_e)[3]
    pf[_F_CRASH, ln] = min(h_impact[i], h0) - 1000.0
    pf[_F_T, ln], pf[_F_H, ln], pf[_F_LN_ERR, ln] = 0.0, tol[3], _LN_ERR_OLD_MIN
    pf[_F_REJECTED, ln], pf[_F_APO_H, ln] = 0.0, -np.inf
    pq[_Q_TRAJ, ln], pq[_Q_KIND, ln], pq[_Q_STAGE, ln], pq[_Q_NSTEPS, ln] = i, _BURN, 0, 0
    for j in range(6):
        ysc[j] = bp[_L_Y + j, ln]
    pf[_F_G_APO, ln] = _dhdt_screen(ysc, a_e, f_e, omega)


@numba.njit(cache=True, **_NO_NRT)
def _powered_phase(
    ln: int | np.int64, transition: bool | np.bool_, bp: np.ndarray, pl: np.ndarray,
    pq: np.ndarray, pf: np.ndarray, inp: tuple, out: tuple, opt: tuple, earth: np.ndarray,
    ysc: np.ndarray, ksc: np.ndarray, rr: np.ndarray, vv: np.ndarray,
) -> bool:  # fmt: skip
    """Powered lane ln's next phase, as `_fly_one` goes from one to the next: with
    `transition` the current phase has ended (its transition first: stage burnout times,
    coasts, the next stage); then the new phase's set-up (`_fly_one`'s, including its first
    derivative), and on through phases of no length. Returns True when powered flight has
    ended (burnout recorded): the lane's flight is then handed to the free lanes."""
    n_stages, st_m_ign, st_mdot, st_ve = inp[2], inp[3], inp[4], inp[5]
    st_burn, st_coast, cutoff_s = inp[6], inp[7], inp[8]
    ev_t, ev_r, ev_v, stage_t = out[1], out[2], out[3], out[4]
    steer, drag = opt[0], opt[1]
    a_e, f_e, omega = earth[0], earth[1], earth[4]
    i = pq[_Q_TRAJ, ln]
    p = pl[ln]
    for j in range(6):
        ysc[j] = bp[_L_Y + j, ln]
    t = pf[_F_T, ln]
    while True:
        s = pq[_Q_STAGE, ln]
        if transition:
            if pq[_Q_KIND, ln] == _BURN:
                stage_t[i, s] = t
                if pf[_F_DONE, ln] != 0.0:
                    _record(i, np.int64(EV_BURNOUT), t, ysc, omega, rr, vv, ev_t, ev_r, ev_v)
                    return True
                if st_coast[i, s] > 0.0:
                    pq[_Q_KIND, ln] = _COAST
                else:
                    pq[_Q_STAGE, ln] = s + 1
            else:
                pq[_Q_STAGE, ln] = s + 1
                pq[_Q_KIND, ln] = _BURN
            s = pq[_Q_STAGE, ln]
        transition = True
        kind = pq[_Q_KIND, ln]
        if kind == _BURN:
            p[P_M_IGN], p[P_MDOT], p[P_VE] = st_m_ign[i, s], st_mdot[i, s], st_ve[i, s]
            p[P_T_IGN] = t
            t_end = min(t + st_burn[i, s], cutoff_s[i])
            done = t_end < t + st_burn[i, s] or _end_of_boost(
                s, t_end, n_stages[i], cutoff_s[i], st_coast[i, s]
            )
            pf[_F_DONE, ln] = 1.0 if done else 0.0
        else:
            p[P_M_IGN] = st_m_ign[i, s + 1]
            t_end = t + st_coast[i, s]
        bp[_P_BURN, ln] = 1.0 if kind == _BURN else 0.0
        bp[_P_TIGN, ln], bp[_P_MIGN, ln] = p[P_T_IGN], p[P_M_IGN]
        bp[_P_MDOT, ln], bp[_P_VE, ln] = p[P_MDOT], p[P_VE]
        pf[_F_T_END, ln] = t_end
        pf[_F_H_KEEP, ln] = 0.0
        _accel(t, ysc, ksc, 0, kind, steer, drag, p, earth, t + 1e-9)
        for j in range(6):
            bp[_L_K + j, ln] = ksc[0, j]
        if t == 0.0:
            pf[_F_H, ln] = min(pf[_F_H, ln], 1.0)
        pf[_F_HR0, ln] = _height_for_density(ysc[0], ysc[1], ysc[2], a_e, f_e)
        if t < t_end:
            return False


@numba.njit(cache=True, inline="always")
def _queue_burnout(
    ln: int | np.int64, qn: int | np.int64, bp: np.ndarray, pq: np.ndarray, pf: np.ndarray,
    q_traj: np.ndarray, q_fresh: np.ndarray, q_val: np.ndarray,
) -> None:  # fmt: skip
    """Powered lane ln's flight, at its burnout, into queue slot qn for the free lanes (what
    `_fly_one`'s free flight goes on with); the powered lane is free again."""
    for j in range(6):
        q_val[qn, j] = bp[_L_Y + j, ln]
    q_val[qn, _H_T], q_val[qn, _H_H] = pf[_F_T, ln], pf[_F_H, ln]
    q_val[qn, _H_LN_ERR], q_val[qn, _H_REJECTED] = pf[_F_LN_ERR, ln], pf[_F_REJECTED, ln]
    q_val[qn, _H_G_APO], q_val[qn, _H_APO_H] = pf[_F_G_APO, ln], pf[_F_APO_H, ln]
    q_val[qn, _H_NSTEPS] = pq[_Q_NSTEPS, ln]
    q_traj[qn], q_fresh[qn] = pq[_Q_TRAJ, ln], False
    pq[_Q_TRAJ, ln] = -1


@numba.njit(cache=True, error_model="numpy", inline="always")
def _lanes_aim_at_kinks(
    b: np.ndarray, traj: np.ndarray, hr0: np.ndarray, h_keep: np.ndarray, t0: np.ndarray,
    t_next: np.ndarray, a_e: float, f_e: float,
) -> None:  # fmt: skip
    """Each lane's step (row _L_H, from time t0 to t_next) aimed at the next density kink on
    its way, if any (`_fly_one`'s `_kink_ahead`): the predicted end height in vector
    registers, and whether a kink lies between it and the start height (`_kinked`, the screen
    of `_kink_between`, which `_kink_ahead` calls on the same two heights), the kink's time only
    for a lane where one does (`_kink_ahead` returns inf for the others)."""
    for ln in range(LANES):
        x, yy, z = b[_L_Y, ln], b[_L_Y + 1, ln], b[_L_Y + 2, ln]
        d1, d2r = _radial_height_rates(
            x, yy, z, b[_L_Y + 3, ln], b[_L_Y + 4, ln], b[_L_Y + 5, ln], b[_L_K + 3, ln],
            b[_L_K + 4, ln], b[_L_K + 5, ln], a_e, f_e,
        )  # fmt: skip
        hstep = b[_L_H, ln]
        h_end = hr0[ln] + (d1 + 0.5 * d2r * hstep) * hstep
        b[_L_D1, ln], b[_L_D2, ln] = d1, d2r
        near = (x * x + yy * yy + z * z > 0.0) & _kinked(hr0[ln], h_end)
        b[_L_KA, ln] = 1.0 if near else 0.0
    for ln in range(LANES):
        if traj[ln] >= 0 and b[_L_KA, ln] != 0.0:
            hstep = b[_L_H, ln]
            tau = _kink_ahead_rates(hr0[ln], hstep, b[_L_D1, ln], b[_L_D2, ln])
            if tau < hstep:
                h_keep[ln] = max(h_keep[ln], hstep)
                b[_L_H, ln], t_next[ln] = tau, t0[ln] + tau


@intrinsic
def _fetch_add(typingctx: Any, counter: Any, value: Any) -> Any:  # noqa: ARG001
    """counter[0] += value as one atomic operation (LLVM's `atomicrmw add`, monotonic: atomic
    but not ordered with the thread's other memory operations, which a counter of work does
    not need; with sequential consistency the lanes' loop ran 6 % slower on one thread, the
    ordering a barrier to LLVM's optimisations); returns counter[0] before the addition.
    counter: a 1-D int64 array."""
    if not (isinstance(counter, types.Array) and counter.dtype == types.int64):
        return None
    sig = types.int64(counter, types.int64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.atomic_rmw("add", ary.data, args[1], "monotonic")

    return sig, codegen


# The lanes' threads take a batch's trajectories in blocks of consecutive ones, each the next
# block not yet taken (`_claim`), so that a thread that runs slower takes fewer (decision
# 0027). A block is a quarter of what is left per thread, and at least this many: long blocks
# first (the flights' inputs and outputs side by side, decision 0020), short ones at the end,
# so that the threads finish within a short block of each other
CLAIM_BLOCK = 4 * LANES


@numba.njit(cache=True, inline="always")
def _claim(claim: np.ndarray, n_all: int | np.int64) -> tuple[np.int64, np.int64]:
    """The next block of trajectories not yet taken, [first, end); (n_all, n_all) if none.
    claim[0] is the first trajectory not yet taken (advanced atomically), claim[1] the number
    of threads. The block's size comes from an atomic read of claim[0] before the block is
    taken; another thread may take a block in between, which changes only the size."""
    left = n_all - _fetch_add(claim, np.int64(0))  # type: ignore[call-arg, operator]
    size = max(np.int64(CLAIM_BLOCK), left // (4 * claim[1]))
    first = _fetch_add(claim, size)
    if first >= n_all:
        return np.int64(n_all), np.int64(n_all)
    return np.int64(first), np.int64(min(first + size, n_all))


@numba.njit(cache=True, error_model="numpy")
def _run_chunk_lanes(  # noqa: PLR0912, PLR0915
    claim: np.ndarray,
    inp: tuple,
    out: tuple,
    opt: tuple,
    earth: np.ndarray,
    tol: np.ndarray,
    drag: bool | None,
    stages: bool | None,
) -> None:
    """Fly a batch without samples in LANES lanes, a block of consecutive trajectories at a
    time, each the next one that no thread has taken (`_claim` on the shared counter `claim`:
    [0, number of threads] at the start), until none is left; the same results as
    `_run_chunk`. `drag` and `stages` (whether any flight has stages) are switches, True or
    None (module comment), so that each case compiles without the others' code. With stages
    (and drag: the powered lanes always fly with it), a second set of lanes flies the powered
    flights
    (`_lanes_powered_rhs`, `_powered_phase`) and queues each at its burnout for the free lanes;
    a flight without stages goes to the queue as it is. The free lanes' event searches wait in
    their own queues (module comment: deferred event searches)."""
    r0, v0, inv_beta = inp[0], inp[1], inp[10]
    n_stages, t_vert, t_pitch, h_impact = inp[2], inp[13], inp[14], inp[15]
    status, ev_t, ev_r, ev_v, n_samp, n_steps = out[0], out[1], out[2], out[3], out[5], out[9]
    steer, reentry_level_m, t_max = opt[0], opt[2], opt[3]
    a_e, f_e, mu, j2, omega = earth[0], earth[1], earth[2], earth[3], earth[4]
    h_max = tol[3]
    g_height, g_dhdt, radial = np.int64(0), np.int64(1), np.bool_(True)  # module comment
    b = np.zeros((_L_ROWS, LANES))
    # a lane without a flight steps a finite state (this start one, or its last flight's), so
    # that the loops meet no inf from a zero radius (an idle powered lane's vector row may hold
    # a meaningless value under the numpy error model; no one reads it)
    for ln in range(LANES):
        b[_L_Y, ln], b[_L_Y + 4, ln] = 7.0e6, 7.0e3
        b[_L_H, ln] = 1.0
    traj = np.full(LANES, -1, dtype=np.int64)
    t_l, t_next = np.zeros(LANES), np.zeros(LANES)
    h_l, ln_err_old = np.zeros(LANES), np.zeros(LANES)
    hr0, g_apo0, apogee_h = np.zeros(LANES), np.zeros(LANES), np.zeros(LANES)
    rejected, nsteps = np.zeros(LANES, dtype=np.bool_), np.zeros(LANES, dtype=np.int64)
    # per lane: reentry recorded, the reentry screen's value at the step start, the impact
    # level, the time after which an apogee counts, the step size kept for after a kink
    reentered, g_re0 = np.zeros(LANES, dtype=np.bool_), np.zeros(LANES)
    lvl, t_apo, h_keep = np.zeros(LANES), np.zeros(LANES), np.zeros(LANES)
    # with drag: whether the step just taken passes a density kink (`_kinked`, over the lanes)
    kinked = np.zeros(LANES, dtype=np.bool_)
    y, f0, y1, f1, work = np.empty(6), np.empty(6), np.empty(6), np.empty(6), np.empty(6)
    rr, vv, kf, p = np.empty(3), np.empty(3), np.empty((1, 6)), np.zeros(N_P)
    ev_burnout, ev_apogee = np.int64(EV_BURNOUT), np.int64(EV_APOGEE)
    ev_reentry, ev_impact = np.int64(EV_REENTRY), np.int64(EV_IMPACT)
    # the deferred searches' queues (module comment): heights and apogees, their lengths, and
    # per lane whether its flight has an apogee queued
    qh, qhi = np.empty((_S_ROWS, _S_CAP)), np.empty((3, _S_CAP), dtype=np.int64)
    qa, qai = np.empty((_S_ROWS, _S_CAP)), np.empty((3, _S_CAP), dtype=np.int64)
    # np.int64, not 0: a literal 0 would first type the searches' calls with Literal[int](0)
    # and compile each search twice (once for that literal, then for int64): a first vacuum
    # batch on an empty cache took 127.6 s with it, 115.0 s without (decision 0021)
    nh, na = np.int64(0), np.int64(0)
    apo_pend = np.zeros(LANES, dtype=np.bool_)
    y0s, f0s, y1s, f1s = np.empty(6), np.empty(6), np.empty(6), np.empty(6)
    # the powered lanes (used with stages only): their buffer, `_accel`'s parameters per lane,
    # their state, and the queue of flights handed to the free lanes (room for every powered
    # lane's hand-over whenever a powered lane takes a flight)
    bp = np.zeros((_P_ROWS, LANES))
    for ln in range(LANES):
        bp[_L_Y, ln], bp[_L_Y + 4, ln] = 7.0e6, 7.0e3
        bp[_L_H, ln], bp[_P_MIGN, ln], bp[_P_VEC, ln] = 1.0, 1.0, 1.0
    pl = np.zeros((LANES, N_P))
    pq = np.zeros((4, LANES), dtype=np.int64)
    pq[_Q_TRAJ, :] = -1
    pf = np.zeros((_N_F, LANES))
    q_cap = 2 * LANES
    q_traj, q_fresh = np.empty(q_cap, dtype=np.int64), np.empty(q_cap, dtype=np.bool_)
    q_val = np.empty((q_cap, _N_H))
    qn = 0
    tph = np.empty(3)
    scale = tol[4] / tol[0]  # powered flight and coasts: the boost tolerance, scaled alike
    tph[0], tph[1], tph[2] = tol[0] * scale, tol[1] * scale, tol[2] * scale
    # the trajectories [nxt, n): a block of consecutive ones, so that their inputs and outputs
    # lie side by side in memory (decision 0020), taken from those no thread has taken yet
    # (decision 0027); the next block when this one is started
    n_all = np.int64(r0.shape[0])
    nxt, n = _claim(claim, n_all)
    while True:
        if nxt >= n:
            nxt, n = _claim(claim, n_all)
        p_busy = 0
        if stages is not None:
            for ln in range(LANES):
                if pq[_Q_TRAJ, ln] >= 0:
                    p_busy += 1
            for ln in range(LANES):
                while pq[_Q_TRAJ, ln] < 0 and nxt < n and qn + p_busy < q_cap:
                    i = nxt
                    nxt += 1
                    if n_stages[i] <= 0:  # no powered flight: straight to the free lanes
                        q_traj[qn], q_fresh[qn] = i, True
                        qn += 1
                        continue
                    _powered_start(ln, i, bp, pl, pq, pf, inp, out, earth, tol, y)
                    p_busy += 1
                    if _powered_phase(ln, np.bool_(False), bp, pl, pq, pf, inp, out, opt, earth,
                                      y, kf, rr, vv):  # fmt: skip
                        # no step in powered flight: handed over at once
                        _queue_burnout(ln, qn, bp, pq, pf, q_traj, q_fresh, q_val)
                        qn += 1
                        p_busy -= 1
        busy = 0
        for ln in range(LANES):
            while traj[ln] < 0 and (qn > 0 if stages is not None else nxt < n):
                # a new trajectory in this lane: `_fly_one`'s start of a free flight, or its
                # free flight after the powered lanes' hand-over
                fresh = True
                if stages is not None:
                    qn -= 1
                    i, fresh = q_traj[qn], q_fresh[qn]
                else:
                    i = nxt
                    nxt += 1
                traj[ln] = i
                apo_pend[ln] = False
                t0, h0 = 0.0, h_max
                ln_err_old[ln], rejected[ln], nsteps[ln] = _LN_ERR_OLD_MIN, False, 0
                apogee_h[ln] = -np.inf
                if not fresh:
                    for j in range(6):
                        y[j] = q_val[qn, j]
                    t0, h0 = q_val[qn, _H_T], q_val[qn, _H_H]
                    ln_err_old[ln] = q_val[qn, _H_LN_ERR]
                    rejected[ln] = q_val[qn, _H_REJECTED] != 0.0
                    g_apo0[ln], apogee_h[ln] = q_val[qn, _H_G_APO], q_val[qn, _H_APO_H]
                    nsteps[ln] = np.int64(q_val[qn, _H_NSTEPS])
                    if not t0 < t_max:  # `_fly_one`'s free flight would take no step
                        status[i], n_steps[i], traj[ln] = STATUS_NO_IMPACT, nsteps[ln], -1
                        continue
                else:
                    _start_outputs(i, out)
                    n_samp[i] = 0
                    for j in range(3):
                        y[j] = r0[i, j]
                        y[3 + j] = v0[i, j]
                    _record(i, ev_burnout, 0.0, y, omega, rr, vv, ev_t, ev_r, ev_v)
                    if not t_max > 0.0:  # no flight time: the lane takes the next trajectory
                        status[i], n_steps[i], traj[ln] = STATUS_NO_IMPACT, 0, -1
                        continue
                    g_apo0[ln] = _dhdt_screen(y, a_e, f_e, omega)
                if drag is not None:
                    p[P_INV_BETA] = inv_beta[i]
                    _accel(t0, y, kf, 0, _FREE, steer, drag, p, earth, t0 + 1e-9)
                    for j in range(6):
                        b[_L_K + j, ln] = kf[0, j]
                    b[_L_IB, ln] = inv_beta[i]
                    # at t = 0 the first step starts small; later, it goes on from the powered
                    # flight's last proposal
                    h_l[ln] = min(h0, 1.0) if t0 == 0.0 else h0
                else:
                    gx, gy, gz = gravity_scalar(y[0], y[1], y[2], mu, a_e, j2)
                    for j in range(6):
                        b[_L_K + j, ln] = y[3 + j] if j < 3 else (gx, gy, gz)[j - 3]
                    h_l[ln] = h_max
                for j in range(6):
                    b[_L_Y + j, ln] = y[j]
                hr0[ln] = _height_for_density(y[0], y[1], y[2], a_e, f_e)
                g_re0[ln] = _level_screen(y, hr0[ln], reentry_level_m, a_e, f_e, omega)
                reentered[ln], lvl[ln], t_apo[ln] = False, h_impact[i], t_vert[i]
                t_l[ln], h_keep[ln] = t0, 0.0
            if traj[ln] >= 0:
                busy += 1
        if busy == 0 and p_busy == 0 and nxt >= n:
            # (not before nxt >= n: a full queue of flights that all end at once, with no
            # powered lane busy, leaves every lane idle while flights remain to be started;
            # nor before the last block is taken)
            nxt, n = _claim(claim, n_all)
            if nxt < n:
                continue
            _search_heights(qh, qhi, nh, earth, ev_t, ev_r, ev_v, y0s, f0s, y1s, f1s, work, rr,
                            vv)  # fmt: skip
            _search_apogees(qa, qai, na, earth, ev_t, ev_r, ev_v, traj, apogee_h, apo_pend, y0s,
                            f0s, y1s, f1s, work, rr, vv)  # fmt: skip
            break
        if stages is not None and p_busy > 0:
            # --- a step of the powered lanes: `_fly_one`'s, with the boost tolerances
            for ln in range(LANES):
                i = pq[_Q_TRAJ, ln]
                if i < 0:
                    continue
                t = pf[_F_T, ln]
                hstep, tn = _step_to(t, pf[_F_H, ln], h_max, pf[_F_T_END, ln], pq[_Q_KIND, ln],
                                     steer, t_vert[i], t_pitch[i])  # fmt: skip
                bp[_L_H, ln], pf[_F_T_NEXT, ln], bp[_P_T0, ln] = hstep, tn, t
            _lanes_aim_at_kinks(bp, pq[_Q_TRAJ], pf[_F_HR0], pf[_F_H_KEEP], pf[_F_T],
                                pf[_F_T_NEXT], a_e, f_e)  # fmt: skip
            for ln in range(LANES):
                i = pq[_Q_TRAJ, ln]
                tl = bp[_P_T0, ln] + 0.5 * bp[_L_H, ln]
                bp[_P_TL, ln] = tl
                vec = i < 0 or pq[_Q_KIND, ln] != _BURN or (
                    steer == STEER_GRAVITY_TURN and tl >= t_vert[i] + t_pitch[i]
                )  # fmt: skip
                # the gravity turn's vertical rise and pitch-over: steered by the vertical
                up = not vec and steer == STEER_GRAVITY_TURN
                bp[_P_VEC, ln] = 1.0 if vec or up else 0.0
                bp[_P_UP, ln] = 1.0 if up else 0.0
            _lanes_dp_step(bp, earth, tph, drag, True, steer, pl, work, kf)
            _lanes_pi_control(bp, pf[_F_LN_ERR], pf[_F_REJECTED], pf[_F_H_KEEP])
            for ln in range(LANES):
                pf[_F_KINKED, ln] = 1.0 if _kinked(pf[_F_HR0, ln], bp[_L_HR1, ln]) else 0.0
            # the common powered step, told apart in vector registers (as the free lanes'):
            # accepted, passing no density kink, before its phase's end and not at a switch of
            # the steering law, with the apogee and crash screens decided and quiet (the
            # per-lane block below would only move the lane on)
            for ln in range(LANES):
                num, apo_dec = _dhdt_bounds(bp[_L_Y1, ln], bp[_L_Y1 + 1, ln], bp[_L_Y1 + 2, ln],
                                            bp[_L_Y1 + 3, ln], bp[_L_Y1 + 4, ln],
                                            bp[_L_Y1 + 5, ln], omega)  # fmt: skip
                g_cr, cr_dec = _level_bounds(bp[_L_HR1, ln], pf[_F_CRASH, ln])
                t1, tv = pf[_F_T_NEXT, ln], bp[_P_TVERT, ln]
                apo = (t1 > tv) & (pf[_F_G_APO, ln] > 0.0) & (num <= 0.0)
                kick_end = tv + bp[_P_TPITCH, ln]
                switch = (t1 == tv) | ((steer == STEER_GRAVITY_TURN) & (t1 == kick_end))
                bp[_L_PLAIN, ln] = 1.0 if (
                    (pq[_Q_TRAJ, ln] >= 0) & (bp[_L_ERR, ln] <= 1.0) & (pf[_F_KINKED, ln] == 0.0)
                    & apo_dec & ~apo & cr_dec & (g_cr >= 0.0) & ~switch
                    & (t1 < pf[_F_T_END, ln])
                ) else 0.0  # fmt: skip
                bp[_L_NUM, ln] = num
            _lanes_advance(bp)
            for ln in range(LANES):
                i = pq[_Q_TRAJ, ln]
                if i < 0:
                    continue
                pq[_Q_NSTEPS, ln] += 1
                if bp[_L_PLAIN, ln] != 0.0:
                    pf[_F_T, ln], pf[_F_HR0, ln] = pf[_F_T_NEXT, ln], bp[_L_HR1, ln]
                    pf[_F_G_APO, ln] = bp[_L_NUM, ln]
                    pf[_F_H, ln], pf[_F_LN_ERR, ln] = bp[_L_HPI, ln], bp[_L_LNPI, ln]
                    pf[_F_REJECTED, ln], pf[_F_H_KEEP, ln] = 0.0, 0.0
                    continue
                hstep, err = bp[_L_H, ln], bp[_L_ERR, ln]
                t, t1 = pf[_F_T, ln], pf[_F_T_NEXT, ln]
                if not err < np.inf:
                    err = 1e10
                for j in range(6):
                    y[j], f0[j] = bp[_L_Y + j, ln], bp[_L_K + j, ln]
                    y1[j], f1[j] = bp[_L_Y1 + j, ln], bp[_L_K + 36 + j, ln]
                h0r, hr1 = pf[_F_HR0, ln], bp[_L_HR1, ln]
                h_cut = np.inf
                if pf[_F_KINKED, ln] != 0.0:
                    zb = _kink_between(h0r, hr1)
                    if not np.isnan(zb):
                        sk = _illinois_bracket(y, f0, y1, f1, hstep, g_height, zb, a_e, f_e,
                                               omega, work, radial, 0.0, 1.0, h0r - zb, hr1 - zb,
                                               0.0, 0.01 * KINK_TOL_M)  # fmt: skip
                        if err <= 1.0:
                            pf[_F_H_KEEP, ln], pf[_F_H, ln] = hstep, sk * hstep
                            continue
                        h_cut = sk * hstep
                if err > 1.0:
                    pf[_F_H_KEEP, ln] = 0.0
                    pf[_F_H, ln] = _shrink(hstep, err, h_cut)
                    pf[_F_REJECTED, ln] = 1.0
                    if pf[_F_H, ln] < 1e-9:
                        status[i] = STATUS_STEP_FAILURE
                        n_samp[i], n_steps[i] = 0, pq[_Q_NSTEPS, ln]
                        pq[_Q_TRAJ, ln] = -1
                    continue
                # accepted: the apogee (if any), the crash test
                g_apo1 = _dhdt_screen(y1, a_e, f_e, omega)
                if t1 > t_vert[i] and pf[_F_G_APO, ln] > 0.0 and g_apo1 <= 0.0:
                    sroot = _locate(y, f0, y1, f1, hstep, g_dhdt, 0.0, a_e, f_e, omega, mu, work,
                                    0.0)  # fmt: skip
                    hr = _event_g(work, g_height, 0.0, a_e, f_e, omega)
                    if hr > pf[_F_APO_H, ln]:
                        pf[_F_APO_H, ln] = hr
                        _record(i, ev_apogee, t + sroot * hstep, work, omega, rr, vv, ev_t, ev_r,
                                ev_v)  # fmt: skip
                pf[_F_G_APO, ln] = g_apo1
                if _level_screen(y1, hr1, pf[_F_CRASH, ln], a_e, f_e, omega) < 0.0:
                    status[i] = STATUS_CRASH_IN_BOOST
                    n_samp[i], n_steps[i] = 0, pq[_Q_NSTEPS, ln]
                    pq[_Q_TRAJ, ln] = -1
                    continue
                for j in range(6):
                    bp[_L_Y + j, ln] = y1[j]
                    bp[_L_K + j, ln] = f1[j]
                pf[_F_T, ln] = t1
                pf[_F_HR0, ln] = hr1
                if pq[_Q_KIND, ln] == _BURN and (
                    t1 == t_vert[i]
                    or (steer == STEER_GRAVITY_TURN and t1 == t_vert[i] + t_pitch[i])
                ):
                    # the steering law switches here: the FSAL stage belongs to the old law
                    _accel(t1, y1, kf, 0, _BURN, steer, True, pl[ln], earth, t1 + 1e-9)
                    for j in range(6):
                        bp[_L_K + j, ln] = kf[0, j]
                # `_pi_control(hstep, err, pf[_F_LN_ERR, ln], pf[_F_REJECTED, ln] != 0.0,
                # pf[_F_H_KEEP, ln])`, taken over the lanes at once (on the paths that reach
                # here, none of its arguments changed since)
                pf[_F_H, ln], pf[_F_LN_ERR, ln] = bp[_L_HPI, ln], bp[_L_LNPI, ln]
                pf[_F_REJECTED, ln], pf[_F_H_KEEP, ln] = 0.0, 0.0
                if t1 < pf[_F_T_END, ln]:
                    continue
                if _powered_phase(ln, np.bool_(True), bp, pl, pq, pf, inp, out, opt, earth,
                                  work, kf, rr, vv):  # fmt: skip
                    # burnout: the free flight goes to the queue (room is kept for it)
                    _queue_burnout(ln, qn, bp, pq, pf, q_traj, q_fresh, q_val)
                    qn += 1
        if busy == 0:
            continue
        for ln in range(LANES):
            if traj[ln] >= 0:
                # `_fly_one`'s step: at most h_max, ending exactly at t_max
                b[_L_H, ln] = min(h_l[ln], h_max)
                t_next[ln] = t_l[ln] + b[_L_H, ln]
                if t_next[ln] >= t_max:
                    b[_L_H, ln], t_next[ln] = t_max - t_l[ln], t_max
        if drag is not None:
            _lanes_aim_at_kinks(b, traj, hr0, h_keep, t_l, t_next, a_e, f_e)
        _lanes_dp_step(b, earth, tol, drag, None, steer, pl, work, kf)
        # the common step, told apart in vector registers: accepted, before t_max, and with
        # every event screen decided and quiet (the event block would find nothing); such a
        # lane only moves on (state, FSAL stage, screens' values) and takes its next step size
        for ln in range(LANES):
            num, apo_dec = _dhdt_bounds(b[_L_Y1, ln], b[_L_Y1 + 1, ln], b[_L_Y1 + 2, ln],
                                        b[_L_Y1 + 3, ln], b[_L_Y1 + 4, ln], b[_L_Y1 + 5, ln],
                                        omega)  # fmt: skip
            g_re, re_dec = _level_bounds(b[_L_HR1, ln], reentry_level_m)
            g_imp, imp_dec = _level_bounds(b[_L_HR1, ln], lvl[ln])
            apo = (t_next[ln] > t_apo[ln]) & (g_apo0[ln] > 0.0) & (num <= 0.0)
            re_quiet = reentered[ln] | (re_dec & ((g_re > 0.0) | (g_re0[ln] <= 0.0)))
            quiet = apo_dec & ~apo & re_quiet & imp_dec & (g_imp > 0.0)
            b[_L_PLAIN, ln] = 1.0 if (
                quiet & (b[_L_ERR, ln] <= 1.0) & (t_next[ln] < t_max) & (traj[ln] >= 0)
            ) else 0.0  # fmt: skip
            b[_L_NUM, ln], b[_L_GRE, ln] = num, g_re
        if drag is not None:
            # and, with drag, no density kink inside the step (`_kink_between` finds none)
            for ln in range(LANES):
                kinked[ln] = _kinked(hr0[ln], b[_L_HR1, ln])
                if kinked[ln]:
                    b[_L_PLAIN, ln] = 0.0
        _lanes_advance(b)
        _lanes_pi_control(b, ln_err_old, rejected, h_keep)
        for ln in range(LANES):
            i = traj[ln]
            if i < 0:
                continue
            nsteps[ln] += 1
            hstep, err = b[_L_H, ln], b[_L_ERR, ln]
            t, t1 = t_l[ln], t_next[ln]
            if b[_L_PLAIN, ln] != 0.0:
                t_l[ln], hr0[ln] = t1, b[_L_HR1, ln]
                g_apo0[ln], g_re0[ln] = b[_L_NUM, ln], b[_L_GRE, ln]
                h_l[ln], ln_err_old[ln] = b[_L_HPI, ln], b[_L_LNPI, ln]
                rejected[ln], h_keep[ln] = False, 0.0
                continue
            if not err < np.inf:
                err = 1e10
            for j in range(6):
                y[j], f0[j] = b[_L_Y + j, ln], b[_L_K + j, ln]
                y1[j], f1[j] = b[_L_Y1 + j, ln], b[_L_K + 36 + j, ln]
            hr1 = b[_L_HR1, ln]
            h_cut = np.inf
            if drag is not None and kinked[ln]:
                # a density kink inside the step: cut the step to it and take it again
                # (`_fly_one`)
                zb = _kink_between(hr0[ln], hr1)
                if not np.isnan(zb):
                    sk = _illinois_bracket(y, f0, y1, f1, hstep, g_height, zb, a_e, f_e, omega,
                                           work, radial, 0.0, 1.0, hr0[ln] - zb, hr1 - zb, 0.0,
                                           0.01 * KINK_TOL_M)  # fmt: skip
                    if err <= 1.0:
                        h_keep[ln], h_l[ln] = hstep, sk * hstep
                        continue
                    h_cut = sk * hstep
            if err > 1.0:
                h_keep[ln] = 0.0
                h_l[ln] = _shrink(hstep, err, h_cut)
                rejected[ln] = True
                if h_l[ln] < 1e-9:
                    status[i] = STATUS_STEP_FAILURE
                    n_steps[i] = nsteps[ln]
                    traj[ln] = -1
                continue
            # the step's events (`_fly_one`'s free-flight event block): the apogee after
            # t_vert (the highest kept), the reentry and the impact level's crossing, queued
            # for the deferred searches (module comment); the radial height decides the level
            # screens' signs except within RADIAL_MARGIN of a level
            g_apo1 = _dhdt_screen(y1, a_e, f_e, omega)
            apo = t1 > t_vert[i] and g_apo0[ln] > 0.0 and g_apo1 <= 0.0
            g_apo0[ln] = g_apo1
            re = not reentered[ln] and (
                _level_screen(y1, hr1, reentry_level_m, a_e, f_e, omega) <= 0.0
                and _level_screen(y, hr0[ln], reentry_level_m, a_e, f_e, omega) > 0.0
            )  # fmt: skip
            imp = _level_screen(y1, hr1, h_impact[i], a_e, f_e, omega) <= 0.0
            s_apo = 0.0  # the step's apogee, if any: levels are crossed downward after it
            if apo:
                if apo_pend[ln]:  # the flight's earlier apogee first: its height is the bar
                    _search_apogees(qa, qai, na, earth, ev_t, ev_r, ev_v, traj, apogee_h,
                                    apo_pend, y0s, f0s, y1s, f1s, work, rr, vv)  # fmt: skip
                    na = np.int64(0)
                if re or imp:  # the level searches start from the apogee: search it now
                    s_apo = _locate(y, f0, y1, f1, hstep, g_dhdt, 0.0, a_e, f_e, omega, mu,
                                    work, 0.0)  # fmt: skip
                    hr = _event_g(work, g_height, 0.0, a_e, f_e, omega)
                    if hr > apogee_h[ln]:
                        apogee_h[ln] = hr
                        _record(i, ev_apogee, t + s_apo * hstep, work, omega, rr, vv, ev_t,
                                ev_r, ev_v)  # fmt: skip
                else:
                    _enqueue(qa, qai, na, i, ev_apogee, ln, t, hstep, 0.0, 0.0, apogee_h[ln], y,
                             f0, y1, f1)  # fmt: skip
                    na += 1
                    apo_pend[ln] = True
            if re:
                _enqueue(qh, qhi, nh, i, ev_reentry, ln, t, hstep, s_apo, reentry_level_m, 0.0,
                         y, f0, y1, f1)  # fmt: skip
                nh += 1
                reentered[ln] = True
            if imp:
                _enqueue(qh, qhi, nh, i, ev_impact, ln, t, hstep, s_apo, h_impact[i], 0.0, y, f0,
                         y1, f1)  # fmt: skip
                nh += 1
                n_steps[i] = nsteps[ln]
                traj[ln] = -1
                continue
            for j in range(6):
                b[_L_Y + j, ln] = y1[j]
                b[_L_K + j, ln] = f1[j]
            t_l[ln] = t1
            hr0[ln] = hr1
            if t1 >= t_max:
                status[i] = STATUS_NO_IMPACT
                n_steps[i] = nsteps[ln]
                traj[ln] = -1
                continue
            if not reentered[ln]:
                g_re0[ln] = _level_screen(y1, hr1, reentry_level_m, a_e, f_e, omega)
            # `_pi_control(hstep, err, ln_err_old[ln], rejected[ln], h_keep[ln])`, taken over
            # the lanes at once (on the paths that reach here, none of its arguments changed
            # since: err is reset only for a step that is then rejected)
            h_l[ln], ln_err_old[ln] = b[_L_HPI, ln], b[_L_LNPI, ln]
            rejected[ln], h_keep[ln] = False, 0.0
        if nh >= SEARCH_BATCH:
            _search_heights(qh, qhi, nh, earth, ev_t, ev_r, ev_v, y0s, f0s, y1s, f1s, work, rr,
                            vv)  # fmt: skip
            nh = np.int64(0)
        if na >= SEARCH_BATCH:
            _search_apogees(qa, qai, na, earth, ev_t, ev_r, ev_v, traj, apogee_h, apo_pend, y0s,
                            f0s, y1s, f1s, work, rr, vv)  # fmt: skip
            na = np.int64(0)


def propagate_free_lanes(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray
                         ) -> None:  # fmt: skip
    """`propagate_batch` for a batch without samples (sample_dt 0): free flights with or
    without drag, and whole flights with drag, in SIMD lanes, with the same results bit for bit.

    Threads: one prange iteration a thread (fewer where the batch has under 4 LANES
    trajectories a thread). Each takes the batch's trajectories a block of consecutive ones at
    a time (a quarter of what is left per thread, at least `CLAIM_BLOCK`), the next block not
    yet taken, from a counter that the threads share and advance atomically (`_claim`,
    decision 0027): a thread that the host slows takes
    fewer blocks instead of holding the batch up with an equal share. numba's prange does not
    balance the threads itself: with the OpenMP layer its iterations are split up front, even
    with a parallel chunk size (decisions 0019, 0022, 0025 tried that); and a thread's last
    flights leave lanes idle, so it should start them only once, at the batch's end. Within a
    block the trajectories are consecutive (not every n-th, as `propagate_batch`'s), so that a
    lane starting a flight finds its inputs and outputs next to the last flight's in the cache:
    the flights' starts took a third of the chunk function's time with interleaved chunks
    (perf, decision 0020). Which thread flies a trajectory changes nothing in its results.

    Kernels: `drag` and whether any flight has stages pick one of three compiled kernels, each
    with its lanes' `drag` and `stages` switches (True or None: module comment). The vacuum
    lanes keep none of the drag's or the powered lanes' code (with a run-time flag they ran
    6 % slower), and a first batch compiles only its own variant (decisions 0017, 0018).

    Whole flights without drag (a textbook case that the studies do not fly) go to the scalar
    kernel, `propagate_batch`. A fourth lane kernel would cost about 90 s more of first
    compile, also in every clean test run."""
    n_chunks = np.int64(max(1, min(numba.get_num_threads(), inp[0].shape[0] // (4 * LANES))))
    stages = bool(np.any(inp[2] > 0))
    if stages and not opt[1]:
        propagate_batch(inp, out, opt, earth, tol)
        return
    kernel = _lanes_drag_stages if stages else (_lanes_drag if opt[1] else _lanes_vacuum)
    kernel(inp, out, opt, earth, tol, n_chunks, np.array([0, n_chunks], dtype=np.int64))


@numba.njit(cache=True, parallel=True)
def _lanes_vacuum(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray,
                      n_chunks: np.int64, claim: np.ndarray) -> None:  # fmt: skip
    """`propagate_free_lanes` without drag or stages, on n_chunks threads."""
    for _ in numba.prange(n_chunks):
        _run_chunk_lanes(claim, inp, out, opt, earth, tol, None, None)


@numba.njit(cache=True, parallel=True)
def _lanes_drag(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray,
                    n_chunks: np.int64, claim: np.ndarray) -> None:  # fmt: skip
    """`propagate_free_lanes` with drag, without stages, on n_chunks threads."""
    for _ in numba.prange(n_chunks):
        _run_chunk_lanes(claim, inp, out, opt, earth, tol, True, None)


@numba.njit(cache=True, parallel=True)
def _lanes_drag_stages(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray,
                       n_chunks: np.int64, claim: np.ndarray) -> None:  # fmt: skip
    """`propagate_free_lanes` with drag and stages, on n_chunks threads."""
    for _ in numba.prange(n_chunks):
        _run_chunk_lanes(claim, inp, out, opt, earth, tol, True, True)
