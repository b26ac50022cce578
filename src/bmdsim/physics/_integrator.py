"""The batch flight integrator: a numba kernel, one adaptive Dormand-Prince 5(4) flight per thread.

Everything here is plain floats and arrays so that numba compiles it; the typed interface is
`bmdsim.physics.flyout`. Equations of motion (point mass, pseudo-inertial frame that coincides
with ECEF at t = 0 and in which the Earth turns about z at omega):

    r'' = g_J2(r) + T/m * u_thrust - 0.5 rho(h) |v_rel| v_rel * (Cd A / m  or  1 / beta)
    v_rel = v - omega x r      (velocity relative to the rotating atmosphere)

as in Gronlund & Wright, "Depressed Trajectory SLBMs", Science & Global Security 3 (1992),
appendix, and Forden, Science & Global Security 15 (2007). Events are sign changes of scalar
functions g(t) (altitude minus a level; dh/dt for apogee), located by bisection-safeguarded
secant iterations on the quintic Hermite interpolant of each accepted step, never by the nearest
time step. Steps end exactly at stage ignitions and burnouts, so that no step straddles a
discontinuity of thrust or mass.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from bmdsim.physics.atmosphere import density_scalar
from bmdsim.physics.earth import ecef_to_geodetic_scalar, gravity_scalar

# Status codes per trajectory (errors are returned per element, not raised: sgp4 style).
STATUS_OK = 0
STATUS_NO_IMPACT = 1  # still flying at t_max (escape or very long flight)
STATUS_CRASH_IN_BOOST = 2  # fell below the impact level while powered (thrust < weight)
STATUS_STEP_FAILURE = 3  # step size underflow

STEER_GRAVITY_TURN = 0
STEER_PITCH_PROGRAM = 1

# Phase kinds
_BURN = 0
_COAST = 1
_FREE = 2

# Dormand & Prince, J. Comp. Appl. Math. 6 (1980) 19-26: RK5(4)7FM coefficients.
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
_E1, _E3, _E4, _E5, _E6, _E7 = (
    71.0 / 57600.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
)

# Above this geocentric radius margin over the equatorial radius the drag term is skipped
# (US76 density at 200 km is ~2.5e-10 kg/m^3: < 1e-8 m/s^2 on any reentry vehicle).
_DRAG_CEILING_M = 2.0e5


@numba.njit(cache=True, inline="always")
def _up_north_east(x: float, y: float, lat: float) -> tuple:
    lam = math.atan2(y, x)
    cl, sl = math.cos(lat), math.sin(lat)
    cm, sm = math.cos(lam), math.sin(lam)
    return (cl * cm, cl * sm, sl), (-sl * cm, -sl * sm, cl), (-sm, cm, 0.0)


@numba.njit(cache=True)
def _accel(  # noqa: PLR0913
    t: float,
    y: np.ndarray,
    out: np.ndarray,
    kind: int,
    t_ign: float,
    m_ign: float,
    mdot: float,
    ve: float,
    cda: float,
    inv_beta: float,
    steer: int,
    azimuth: float,
    loft: float,
    t_vert: float,
    t_pitch: float,
    t_end_boost: float,
    a_e: float,
    f_e: float,
    mu: float,
    j2: float,
    omega: float,
    drag: bool,
) -> None:
    """Write (v, a) for state y = (r, v) into out. Frame: pseudo-inertial (see module doc)."""
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    gx, gy, gz = gravity_scalar(x, yy, z, mu, a_e, j2)
    ax, ay, az = gx, gy, gz
    # velocity relative to the rotating Earth (and atmosphere)
    vrx = vx + omega * yy
    vry = vy - omega * x
    vrz = vz
    need_geo = kind == _BURN or (drag and (x * x + yy * yy + z * z) < (a_e + _DRAG_CEILING_M) ** 2)
    if need_geo:
        lat, _lon, h = ecef_to_geodetic_scalar(x, yy, z, a_e, f_e)
        if drag:
            vrel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
            rho = density_scalar(h)
            if kind == _FREE:
                k = 0.5 * rho * vrel * inv_beta
            else:
                m = m_ign - mdot * (t - t_ign) if kind == _BURN else m_ign
                k = 0.5 * rho * vrel * cda / m
            ax -= k * vrx
            ay -= k * vry
            az -= k * vrz
        if kind == _BURN:
            m = m_ign - mdot * (t - t_ign)
            acc = mdot * ve / m
            up, north, east = _up_north_east(x, yy, lat)
            ca, sa = math.cos(azimuth), math.sin(azimuth)
            hx = ca * north[0] + sa * east[0]
            hy = ca * north[1] + sa * east[1]
            hz = ca * north[2] + sa * east[2]
            if t < t_vert:
                ux, uy, uz = up
            elif steer == STEER_GRAVITY_TURN and t >= t_vert + t_pitch:
                vrel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
                ux, uy, uz = vrx / vrel, vry / vrel, vrz / vrel
            else:
                if steer == STEER_GRAVITY_TURN:
                    th = loft * (t - t_vert) / t_pitch
                else:
                    span = t_end_boost - t_vert
                    th = loft * min(1.0, (t - t_vert) / span) if span > 0.0 else loft
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
    out[0], out[1], out[2] = vx, vy, vz
    out[3], out[4], out[5] = ax, ay, az


@numba.njit(cache=True, inline="always")
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
    hh = h * h
    for i in range(3):
        p0, v0, a0 = y0[i], f0[i], f0[3 + i]
        p1, v1, a1 = y1[i], f1[i], f1[3 + i]
        out[i] = h00 * p0 + h10 * h * v0 + h20 * hh * a0 + h01 * p1 + h11 * h * v1 + h21 * hh * a1
        out[3 + i] = (d00 * p0 + d01 * p1) / h + d10 * v0 + d20 * h * a0 + d11 * v1 + d21 * h * a1


@numba.njit(cache=True, inline="always")
def _event_g(
    y: np.ndarray, which: int, level: float, a_e: float, f_e: float, omega: float
) -> float:
    """Event functions: 0 -> h - level (m); 1 -> dh/dt (m/s), the apogee condition."""
    lat, _lon, h = ecef_to_geodetic_scalar(y[0], y[1], y[2], a_e, f_e)
    if which == 0:
        return h - level
    lam = math.atan2(y[1], y[0])
    cl = math.cos(lat)
    upx, upy, upz = cl * math.cos(lam), cl * math.sin(lam), math.sin(lat)
    vrx = y[3] + omega * y[1]
    vry = y[4] - omega * y[0]
    return upx * vrx + upy * vry + upz * y[5]


@numba.njit(cache=True, inline="always")
def _level_screen(y: np.ndarray, level: float, a_e: float, f_e: float, omega: float) -> float:
    """A value with the sign of h - level: |r| - a when that is already >= level (the geodetic
    height is never below |r| - a), else the exact h - level."""
    rn = math.sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2])
    if rn - a_e >= level:
        return rn - a_e - level
    return _event_g(y, 0, level, a_e, f_e, omega)


@numba.njit(cache=True, inline="always")
def _dhdt_screen(y: np.ndarray, a_e: float, f_e: float, omega: float) -> float:
    """A value with the sign of dh/dt: the radial velocity where it is far from zero (the
    geodetic and geocentric verticals differ by < 0.2 deg), else the exact dh/dt."""
    vrx = y[3] + omega * y[1]
    vry = y[4] - omega * y[0]
    vrz = y[5]
    rn = math.sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2])
    vr = (y[0] * vrx + y[1] * vry + y[2] * vrz) / rn
    vn = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
    if abs(vr) > 0.005 * vn:
        return vr
    return _event_g(y, 1, 0.0, a_e, f_e, omega)


@numba.njit(cache=True)
def _locate(
    y0: np.ndarray,
    f0: np.ndarray,
    y1: np.ndarray,
    f1: np.ndarray,
    h: float,
    which: int,
    level: float,
    a_e: float,
    f_e: float,
    omega: float,
    work: np.ndarray,
) -> float:
    """Fraction s in [0, 1] of the step where the event function changes sign (Illinois method)."""
    sa, sb = 0.0, 1.0
    _hermite5(y0, f0, y1, f1, h, sa, work)
    ga = _event_g(work, which, level, a_e, f_e, omega)
    _hermite5(y0, f0, y1, f1, h, sb, work)
    gb = _event_g(work, which, level, a_e, f_e, omega)
    side = 0
    for _ in range(100):
        if gb == ga:
            break
        sc = (sa * gb - sb * ga) / (gb - ga)
        if not (sa < sc < sb):
            sc = 0.5 * (sa + sb)
        _hermite5(y0, f0, y1, f1, h, sc, work)
        gc = _event_g(work, which, level, a_e, f_e, omega)
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
        if abs(sb - sa) * h < 1e-9 or gc == 0.0:
            return sc
    return 0.5 * (sa + sb)


@numba.njit(cache=True, inline="always")
def _rot_to_ecef(
    t: float, omega: float, y: np.ndarray, r_out: np.ndarray, v_out: np.ndarray
) -> None:
    """Pseudo-inertial state at time t -> ECEF position and velocity."""
    c, s = math.cos(omega * t), math.sin(omega * t)
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


@numba.njit(cache=True)
def _fly_one(  # noqa: PLR0912, PLR0913, PLR0915
    i: int,
    r0: np.ndarray,
    v0: np.ndarray,
    n_stages: np.ndarray,
    st_m_ign: np.ndarray,
    st_mdot: np.ndarray,
    st_ve: np.ndarray,
    st_burn: np.ndarray,
    st_coast: np.ndarray,
    cutoff_s: np.ndarray,
    cda: np.ndarray,
    inv_beta: np.ndarray,
    steer: int,
    azimuth: np.ndarray,
    loft: np.ndarray,
    t_vert: np.ndarray,
    t_pitch: np.ndarray,
    h_impact: np.ndarray,
    earth: np.ndarray,
    drag: bool,
    reentry_level_m: float,
    t_max: float,
    tol: np.ndarray,
    sample_dt: float,
    status: np.ndarray,
    ev_t: np.ndarray,
    ev_r: np.ndarray,
    ev_v: np.ndarray,
    stage_t: np.ndarray,
    n_samp: np.ndarray,
    t_samp: np.ndarray,
    r_samp: np.ndarray,
    v_samp: np.ndarray,
    n_steps: np.ndarray,
) -> None:
    a_e, f_e, mu, j2, omega = earth[0], earth[1], earth[2], earth[3], earth[4]
    rtol, atol_r, atol_v, h_max = tol[0], tol[1], tol[2], tol[3]
    y = np.empty(6)
    y1 = np.empty(6)
    yt = np.empty(6)
    k = np.empty((7, 6))
    work = np.empty(6)
    rr = np.empty(3)
    vv = np.empty(3)
    for j in range(3):
        y[j] = r0[i, j]
        y[3 + j] = v0[i, j]
    for e in range(N_EVENTS):
        ev_t[i, e] = np.nan
        for j in range(3):
            ev_r[i, e, j] = np.nan
            ev_v[i, e, j] = np.nan
    for s in range(stage_t.shape[1]):
        stage_t[i, s] = np.nan
    status[i] = STATUS_OK
    max_samp = t_samp.shape[1]
    ns = 0
    next_sample = 0.0
    nsteps = 0

    # Phase table: (kind, t_start, t_end, m_ign, mdot, ve)
    ns_i = n_stages[i]
    t_end_boost = 0.0
    tc = 0.0
    for s in range(ns_i):
        tb = min(tc + st_burn[i, s], cutoff_s[i])
        t_end_boost = tb
        if tb < tc + st_burn[i, s] or s == ns_i - 1:
            break
        tc = tb + st_coast[i, s]
    t = 0.0
    h = min(1.0, h_max)
    apogee_h = -np.inf
    level = h_impact[i]
    phase_stage = 0
    stage_done = False
    kind = _BURN if ns_i > 0 else _FREE
    if kind == _FREE:
        ev_t[i, EV_BURNOUT] = 0.0
        _rot_to_ecef(0.0, omega, y, rr, vv)
        for j in range(3):
            ev_r[i, EV_BURNOUT, j] = rr[j]
            ev_v[i, EV_BURNOUT, j] = vv[j]
    t_ign = 0.0
    g_apo0 = _dhdt_screen(y, a_e, f_e, omega)
    finished = False
    while not finished:
        # --- set up the current phase
        m_ign = 0.0
        mdot = 0.0
        ve = 0.0
        if kind == _BURN:
            s = phase_stage
            m_ign, mdot, ve = st_m_ign[i, s], st_mdot[i, s], st_ve[i, s]
            t_ign = t
            t_end = min(t + st_burn[i, s], cutoff_s[i])
            stage_done = t_end < t + st_burn[i, s] or s == ns_i - 1
        elif kind == _COAST:
            m_ign = st_m_ign[i, phase_stage + 1]
            t_end = t + st_coast[i, phase_stage]
        else:
            t_end = t_max
        _accel(
            t,
            y,
            k[0],
            kind,
            t_ign,
            m_ign,
            mdot,
            ve,
            cda[i],
            inv_beta[i],
            steer,
            azimuth[i],
            loft[i],
            t_vert[i],
            t_pitch[i],
            t_end_boost,
            a_e,
            f_e,
            mu,
            j2,
            omega,
            drag,
        )
        while t < t_end:
            hstep = min(h, h_max)
            t_next = t + hstep
            if t_next >= t_end:
                hstep, t_next = t_end - t, t_end
            if kind == _BURN:
                # never straddle a switch of the steering law
                tk = t_vert[i]
                if t < tk < t_next:
                    hstep, t_next = tk - t, tk
                tk = t_vert[i] + t_pitch[i]
                if steer == STEER_GRAVITY_TURN and t < tk < t_next:
                    hstep, t_next = tk - t, tk
            # --- one Dormand-Prince step
            for j in range(6):
                yt[j] = y[j] + hstep * _A21 * k[0, j]
            _accel(
                t + _C2 * hstep,
                yt,
                k[1],
                kind,
                t_ign,
                m_ign,
                mdot,
                ve,
                cda[i],
                inv_beta[i],
                steer,
                azimuth[i],
                loft[i],
                t_vert[i],
                t_pitch[i],
                t_end_boost,
                a_e,
                f_e,
                mu,
                j2,
                omega,
                drag,
            )
            for j in range(6):
                yt[j] = y[j] + hstep * (_A31 * k[0, j] + _A32 * k[1, j])
            _accel(
                t + _C3 * hstep,
                yt,
                k[2],
                kind,
                t_ign,
                m_ign,
                mdot,
                ve,
                cda[i],
                inv_beta[i],
                steer,
                azimuth[i],
                loft[i],
                t_vert[i],
                t_pitch[i],
                t_end_boost,
                a_e,
                f_e,
                mu,
                j2,
                omega,
                drag,
            )
            for j in range(6):
                yt[j] = y[j] + hstep * (_A41 * k[0, j] + _A42 * k[1, j] + _A43 * k[2, j])
            _accel(
                t + _C4 * hstep,
                yt,
                k[3],
                kind,
                t_ign,
                m_ign,
                mdot,
                ve,
                cda[i],
                inv_beta[i],
                steer,
                azimuth[i],
                loft[i],
                t_vert[i],
                t_pitch[i],
                t_end_boost,
                a_e,
                f_e,
                mu,
                j2,
                omega,
                drag,
            )
            for j in range(6):
                yt[j] = y[j] + hstep * (
                    _A51 * k[0, j] + _A52 * k[1, j] + _A53 * k[2, j] + _A54 * k[3, j]
                )
            _accel(
                t + _C5 * hstep,
                yt,
                k[4],
                kind,
                t_ign,
                m_ign,
                mdot,
                ve,
                cda[i],
                inv_beta[i],
                steer,
                azimuth[i],
                loft[i],
                t_vert[i],
                t_pitch[i],
                t_end_boost,
                a_e,
                f_e,
                mu,
                j2,
                omega,
                drag,
            )
            for j in range(6):
                yt[j] = y[j] + hstep * (
                    _A61 * k[0, j]
                    + _A62 * k[1, j]
                    + _A63 * k[2, j]
                    + _A64 * k[3, j]
                    + _A65 * k[4, j]
                )
            _accel(
                t + hstep,
                yt,
                k[5],
                kind,
                t_ign,
                m_ign,
                mdot,
                ve,
                cda[i],
                inv_beta[i],
                steer,
                azimuth[i],
                loft[i],
                t_vert[i],
                t_pitch[i],
                t_end_boost,
                a_e,
                f_e,
                mu,
                j2,
                omega,
                drag,
            )
            for j in range(6):
                y1[j] = y[j] + hstep * (
                    _B1 * k[0, j] + _B3 * k[2, j] + _B4 * k[3, j] + _B5 * k[4, j] + _B6 * k[5, j]
                )
            _accel(
                t + hstep,
                y1,
                k[6],
                kind,
                t_ign,
                m_ign,
                mdot,
                ve,
                cda[i],
                inv_beta[i],
                steer,
                azimuth[i],
                loft[i],
                t_vert[i],
                t_pitch[i],
                t_end_boost,
                a_e,
                f_e,
                mu,
                j2,
                omega,
                drag,
            )
            err = 0.0
            for j in range(6):
                ej = hstep * (
                    _E1 * k[0, j]
                    + _E3 * k[2, j]
                    + _E4 * k[3, j]
                    + _E5 * k[4, j]
                    + _E6 * k[5, j]
                    + _E7 * k[6, j]
                )
                sc = (atol_r if j < 3 else atol_v) + rtol * max(abs(y[j]), abs(y1[j]))
                err += (ej / sc) ** 2
            err = math.sqrt(err / 6.0)
            nsteps += 1
            if err > 1.0:
                h = hstep * max(0.2, 0.9 * err**-0.2)
                if h < 1e-9:
                    status[i] = STATUS_STEP_FAILURE
                    finished = True
                    break
                continue
            # --- accepted step [t, t_next]: events
            t1 = t_next
            stop_s = 2.0
            g_apo1 = _dhdt_screen(y1, a_e, f_e, omega)
            if t1 > t_vert[i] and g_apo0 > 0.0 and g_apo1 <= 0.0:
                sroot = _locate(y, k[0], y1, k[6], hstep, 1, 0.0, a_e, f_e, omega, work)
                _hermite5(y, k[0], y1, k[6], hstep, sroot, yt)
                hr = _event_g(yt, 0, 0.0, a_e, f_e, omega)
                if hr > apogee_h:
                    apogee_h = hr
                    ev_t[i, EV_APOGEE] = t + sroot * hstep
                    _rot_to_ecef(t + sroot * hstep, omega, yt, rr, vv)
                    for j in range(3):
                        ev_r[i, EV_APOGEE, j] = rr[j]
                        ev_v[i, EV_APOGEE, j] = vv[j]
            g_apo0 = g_apo1
            # h >= |r| - a: the exact geodetic height is needed only below the level
            g1 = _level_screen(y1, level, a_e, f_e, omega)
            if kind == _FREE:
                if not np.isnan(ev_t[i, EV_APOGEE]) and np.isnan(ev_t[i, EV_REENTRY]):
                    g1r = _level_screen(y1, reentry_level_m, a_e, f_e, omega)
                    if g1r <= 0.0 and _event_g(y, 0, reentry_level_m, a_e, f_e, omega) > 0.0:
                        sroot = _locate(
                            y, k[0], y1, k[6], hstep, 0, reentry_level_m, a_e, f_e, omega, work
                        )
                        _hermite5(y, k[0], y1, k[6], hstep, sroot, yt)
                        ev_t[i, EV_REENTRY] = t + sroot * hstep
                        _rot_to_ecef(t + sroot * hstep, omega, yt, rr, vv)
                        for j in range(3):
                            ev_r[i, EV_REENTRY, j] = rr[j]
                            ev_v[i, EV_REENTRY, j] = vv[j]
                if g1 <= 0.0:
                    stop_s = _locate(y, k[0], y1, k[6], hstep, 0, level, a_e, f_e, omega, work)
            elif g1 < -1000.0:
                status[i] = STATUS_CRASH_IN_BOOST
                stop_s = 1.0
            # --- samples within the step (up to the impact, if any)
            if sample_dt > 0.0:
                t_stop = t + min(stop_s, 1.0) * hstep
                while next_sample <= t_stop and ns < max_samp:
                    sfrac = (next_sample - t) / hstep
                    _hermite5(y, k[0], y1, k[6], hstep, sfrac, yt)
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
                _rot_to_ecef(ti, omega, yt, rr, vv)
                if status[i] == STATUS_OK:
                    ev_t[i, EV_IMPACT] = ti
                    for j in range(3):
                        ev_r[i, EV_IMPACT, j] = rr[j]
                        ev_v[i, EV_IMPACT, j] = vv[j]
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
            h = hstep * min(5.0, max(0.2, 0.9 * err**-0.2)) if err > 0.0 else hstep * 5.0
        if finished:
            break
        # --- phase transitions
        if kind == _BURN:
            stage_t[i, phase_stage] = t
            if stage_done:
                ev_t[i, EV_BURNOUT] = t
                _rot_to_ecef(t, omega, y, rr, vv)
                for j in range(3):
                    ev_r[i, EV_BURNOUT, j] = rr[j]
                    ev_v[i, EV_BURNOUT, j] = vv[j]
                kind = _FREE
            elif st_coast[i, phase_stage] > 0.0:
                kind = _COAST
            else:
                phase_stage += 1
            h = min(h, 1.0)
        elif kind == _COAST:
            phase_stage += 1
            kind = _BURN
            h = min(h, 1.0)
        else:
            status[i] = STATUS_NO_IMPACT
            finished = True
    n_samp[i] = ns
    n_steps[i] = nsteps


@numba.njit(cache=True, parallel=True)
def propagate_batch(  # noqa: PLR0913
    r0: np.ndarray,
    v0: np.ndarray,
    n_stages: np.ndarray,
    st_m_ign: np.ndarray,
    st_mdot: np.ndarray,
    st_ve: np.ndarray,
    st_burn: np.ndarray,
    st_coast: np.ndarray,
    cutoff_s: np.ndarray,
    cda: np.ndarray,
    inv_beta: np.ndarray,
    steer: int,
    azimuth: np.ndarray,
    loft: np.ndarray,
    t_vert: np.ndarray,
    t_pitch: np.ndarray,
    h_impact: np.ndarray,
    earth: np.ndarray,
    drag: bool,
    reentry_level_m: float,
    t_max: float,
    tol: np.ndarray,
    sample_dt: float,
    status: np.ndarray,
    ev_t: np.ndarray,
    ev_r: np.ndarray,
    ev_v: np.ndarray,
    stage_t: np.ndarray,
    n_samp: np.ndarray,
    t_samp: np.ndarray,
    r_samp: np.ndarray,
    v_samp: np.ndarray,
    n_steps: np.ndarray,
) -> None:
    """Fly every trajectory of the batch (threads over the batch); see `_fly_one`."""
    for i in numba.prange(r0.shape[0]):
        _fly_one(
            i,
            r0,
            v0,
            n_stages,
            st_m_ign,
            st_mdot,
            st_ve,
            st_burn,
            st_coast,
            cutoff_s,
            cda,
            inv_beta,
            steer,
            azimuth,
            loft,
            t_vert,
            t_pitch,
            h_impact,
            earth,
            drag,
            reentry_level_m,
            t_max,
            tol,
            sample_dt,
            status,
            ev_t,
            ev_r,
            ev_v,
            stage_t,
            n_samp,
            t_samp,
            r_samp,
            v_samp,
            n_steps,
        )
