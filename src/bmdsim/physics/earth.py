"""Earth models, coordinate frames, gravity and distances on the Earth.

Conventions (whole module): SI units; every angle is in **radians** (latitudes, longitudes,
azimuths, elevations), also where a library underneath (pyproj) works in degrees. Latitudes are
geodetic, longitudes are east-positive and returned in [-pi, pi), azimuths are clockwise from
north and returned in [0, 2 pi). Vectors carry their components on the last axis (length 3);
any leading shape is the batch.

Frames:

* ECEF: Earth-centred, Earth-fixed; z along the rotation axis, x through (lat, lon) = (0, 0).
* ENU: local East-North-Up frame of an observer, tangent to the model's ellipsoid.
* ECI here is a *pseudo-inertial* frame: the ECEF frame frozen at t = 0 (the two coincide at
  t = 0), in which the Earth turns about z at a constant omega. No precession, nutation, polar
  motion or sidereal-time origin: adequate for flights shorter than about one hour.

The ``*_scalar`` functions are numba kernels on plain floats, for use inside numba code (the
flight integrator); the array functions wrap exactly the same kernels, so that there is one
implementation of each formula.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

from bmdsim.physics.constants import (
    J2_WGS84,
    OMEGA_EARTH_RAD_S,
    SPHERE_RADIUS_M,
    WGS84_A_M,
    WGS84_F,
    WGS84_GM_M3_S2,
)

F64 = NDArray[np.float64]
_TWO_PI = 2.0 * math.pi
_ALLOWED_MODELS = ("wgs84", "sphere")


@dataclass(frozen=True)
class EarthModel:
    """An oblate (or spherical) Earth: ellipsoid, gravity field (point mass + J2) and spin.

    Parameters
    ----------
    name : str
        Label, e.g. ``"wgs84"``.
    a_m : float
        Equatorial radius (semi-major axis), m.
    f : float
        Flattening, 0 <= f < 1 (0: sphere).
    mu_m3_s2 : float
        Gravitational parameter GM, m^3/s^2.
    j2 : float
        Unnormalized second zonal harmonic (dimensionless).
    omega_rad_s : float
        Rotation rate about z, rad/s (0 for a non-rotating Earth).

    References
    ----------
    NIMA TR8350.2, *Department of Defense World Geodetic System 1984*, 3rd ed. (2000).
    """

    name: str
    a_m: float
    f: float
    mu_m3_s2: float
    j2: float
    omega_rad_s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.a_m) and self.a_m > 0.0):
            raise ValueError(f"a_m must be finite and > 0, got {self.a_m}")
        if not (0.0 <= self.f < 1.0):
            raise ValueError(f"f must be in [0, 1) (oblate or sphere), got {self.f}")
        if not (math.isfinite(self.mu_m3_s2) and self.mu_m3_s2 > 0.0):
            raise ValueError(f"mu_m3_s2 must be finite and > 0, got {self.mu_m3_s2}")
        if not (math.isfinite(self.j2) and math.isfinite(self.omega_rad_s)):
            raise ValueError("j2 and omega_rad_s must be finite")

    @property
    def b_m(self) -> float:
        """Polar radius (semi-minor axis) a (1 - f), m."""
        return self.a_m * (1.0 - self.f)

    @property
    def e2(self) -> float:
        """First eccentricity squared f (2 - f), dimensionless."""
        return self.f * (2.0 - self.f)

    @classmethod
    def wgs84(cls, rotation: bool = True) -> EarthModel:
        """WGS84 ellipsoid, GM and J2 (EGM96 C20); spinning at omega_E unless rotation=False."""
        omega = OMEGA_EARTH_RAD_S if rotation else 0.0
        return cls("wgs84", WGS84_A_M, WGS84_F, WGS84_GM_M3_S2, J2_WGS84, omega)

    @classmethod
    def sphere(cls, rotation: bool = True) -> EarthModel:
        """Textbook sphere of radius SPHERE_RADIUS_M, point-mass gravity (J2 = 0)."""
        omega = OMEGA_EARTH_RAD_S if rotation else 0.0
        return cls("sphere", SPHERE_RADIUS_M, 0.0, WGS84_GM_M3_S2, 0.0, omega)


def earth_model(name: str, rotation: bool = True) -> EarthModel:
    """Return the Earth model called `name` ("wgs84" or "sphere", case-insensitive).

    Raises
    ------
    ValueError
        If `name` is not one of the allowed values.
    """
    key = name.strip().lower()
    if key == "wgs84":
        return EarthModel.wgs84(rotation)
    if key == "sphere":
        return EarthModel.sphere(rotation)
    raise ValueError(f"unknown Earth model {name!r}; allowed values: {', '.join(_ALLOWED_MODELS)}")


WGS84 = EarthModel.wgs84()
SPHERE = EarthModel.sphere()

# ----------------------------------------------------------------------------------------------
# numba scalar kernels (plain floats in, tuples of floats out)
# ----------------------------------------------------------------------------------------------
# The kernels on the integrator's hot path (Bowring's formula, the exact height) take lengths as
# math.sqrt(x * x + y * y), not math.hypot: libm's hypot guards against overflow and costs 30 ns
# against 12 ns here (2026-11-26); coordinates in metres are far from overflow and underflow,
# and the result differs by an ulp at most.


@numba.njit(cache=True)
def geodetic_to_ecef_scalar(
    lat_rad: float, lon_rad: float, h_m: float, a: float, f: float
) -> tuple[float, float, float]:
    """Geodetic (rad, rad, m) to ECEF (m) on the ellipsoid (a [m], f).

    References
    ----------
    NIMA TR8350.2 (2000), eq. 4-14.
    """
    return geodetic_to_ecef_trig(math.sin(lat_rad), math.cos(lat_rad), math.sin(lon_rad),
                                 math.cos(lon_rad), h_m, a, f)  # fmt: skip


@numba.njit(cache=True)
def geodetic_to_ecef_trig(
    sphi: float, cphi: float, slam: float, clam: float, h_m: float, a: float, f: float
) -> tuple[float, float, float]:
    """`geodetic_to_ecef_scalar` from the sines and cosines of latitude and longitude, for a
    caller that needs them for more (`_integrator._burnout_from_trig`: its position and local
    frame share one sine and cosine each, instead of asking libm twice)."""
    e2 = f * (2.0 - f)
    n = a / math.sqrt(1.0 - e2 * sphi * sphi)
    rxy = (n + h_m) * cphi
    return rxy * clam, rxy * slam, (n * (1.0 - e2) + h_m) * sphi


@numba.njit(cache=True)
def geodetic_up_height_bowring_scalar(
    x: float, y: float, z: float, a: float, f: float
) -> tuple[float, float, float, float]:
    """Geodetic up unit vector (ECEF) and height above the ellipsoid by Bowring's formula with
    one step (B. R. Bowring, "Transformation from spatial to geographical coordinates", Survey
    Review 23 (1976) 323-327): square roots and divisions only, about half the cost of the
    exact closed form (`geodetic_cs_height_scalar`). For the powered flight's right-hand side,
    which needs the up direction and the height (density, steering) at every evaluation, and
    the integrator's altitude events.

    Accuracy against the exact conversion on WGS84 (20,000 random points per band when written;
    tests/unit/test_flyout.py checks it): latitude within 1.4e-11 rad below 100 km, 4e-10 rad below
    600 km, 6e-9 rad below 5,000 km; height within 5e-9 m at any of those heights (the height
    is stationary in the latitude). Exact on the sphere (f = 0). Not for points within a few
    hundred km of the Earth's centre.
    """
    return _bowring(x, y, z, a, f, False)


@numba.njit(cache=True)
def geodetic_up_height_bowring2_scalar(
    x: float, y: float, z: float, a: float, f: float
) -> tuple[float, float, float, float]:
    """`geodetic_up_height_bowring_scalar` with a second step of Bowring's iteration (the
    parametric latitude of the first step's geodetic latitude, tan u = (1 - f) tan lat, as the
    new guess): exact to rounding (latitude within 3.3e-16 rad of the closed form's from 100 to
    20,000 km, measured; tests/unit/test_flyout.py checks the up vector to 1e-12 from 5 km below
    the surface to 40,000 km above, at every latitude) for one more square root and division
    than one step: 78 ns a call against 55 ns for one step and 124 ns for the closed form (one
    thread, dependent calls), with no cube root or arctangent. The integrator's apogee search
    evaluates dh/dt with it (decision 0016)."""
    return _bowring(x, y, z, a, f, True)


@numba.njit(cache=True, inline="always")
def _bowring(
    x: float, y: float, z: float, a: float, f: float, two: bool
) -> tuple[float, float, float, float]:
    """Bowring's formula with one step, or with two (`two`). Inlined in numba's IR wherever it
    is called: the integrator's powered lanes call it directly (`_integrator._lanes_thrust_up`),
    so that LLVM can evaluate it for 16 flights in vector registers, which a plain call to
    `geodetic_up_height_bowring_scalar` would prevent (decision 0019)."""
    p = math.sqrt(x * x + y * y)  # not math.hypot: 30 ns against 12 ns, module comment
    if p < 1e-9 * a:  # on the polar axis: up is +-z
        zs = math.copysign(1.0, z)
        return 0.0, 0.0, zs, abs(z) - a * (1.0 - f)
    b = a * (1.0 - f)
    e2 = f * (2.0 - f)
    ep2 = e2 / (1.0 - e2)
    # cosine and sine of the first guess of the parametric latitude, tan u = z a / (p b)
    pb, za = p * b, z * a
    q = 1.0 / math.sqrt(pb * pb + za * za)
    cu, su = pb * q, za * q
    num = z + ep2 * b * su * su * su
    den = p - e2 * a * cu * cu * cu
    if two:
        # the parametric latitude of this geodetic latitude, and Bowring's step again
        cu, su = den, (1.0 - f) * num
        q = 1.0 / math.sqrt(cu * cu + su * su)
        cu, su = cu * q, su * q
        num = z + ep2 * b * su * su * su
        den = p - e2 * a * cu * cu * cu
    inv_n = 1.0 / math.sqrt(num * num + den * den)
    cl, sl = den * inv_n, num * inv_n  # cosine and sine of the geodetic latitude
    h = p * cl + z * sl - a * math.sqrt(1.0 - e2 * sl * sl)
    clp = cl / p
    return clp * x, clp * y, sl, h


@numba.njit(cache=True)
def geodetic_cs_height_scalar(
    x: float, y: float, z: float, a: float, f: float
) -> tuple[float, float, float, float]:
    """The core of `ecef_to_geodetic_scalar`: (rxy, c, s, h) with rxy = hypot(x, y), c >= 0
    and s proportional to the cosine and sine of the geodetic latitude (lat = atan2(s, c);
    not normalised), and h the height above the ellipsoid (a [m], 0 <= f < 1).

    Callers that need the up direction rather than the angle (the integrator's powered flight
    and event functions) normalise (c, s) and take the longitude's cosine and sine as x / rxy
    and y / rxy: no atan2, sin or cos. See `ecef_to_geodetic_scalar` for the method and
    references.
    """
    rxy = math.sqrt(x * x + y * y)  # not math.hypot: module comment
    e2 = f * (2.0 - f)
    e4 = e2 * e2
    if e4 == 0.0:
        return rxy, rxy, z, math.sqrt(rxy * rxy + z * z) - a
    e2m = (1.0 - f) * (1.0 - f)
    if z != 0.0 and math.sqrt(rxy * rxy + z * z) < 1e-100 * a:
        # Within 1e-93 m of the centre: p and q below would be subnormal and lose precision.
        # The nearest ellipsoid point is the pole on z's side; the neglected terms are
        # O(|r|^2 / a), far below rounding.
        return rxy, 0.0, math.copysign(1.0, z), abs(z) - a * (1.0 - f)
    p = (rxy / a) * (rxy / a)
    # |z| below 1e-100 a would make q subnormal (imprecise); as 0 it changes z by < 1e-93 m
    zq = z if abs(z) > 1e-100 * a else 0.0
    q = e2m * (zq / a) * (zq / a)
    r = (p + q - e4) / 6.0
    if not (e4 * q == 0.0 and r <= 0.0):
        s = e4 * p * q / 4.0  # r^3 s of Vermeille
        r2 = r * r
        r3 = r * r2
        disc = s * (2.0 * r3 + s)
        u = r
        if disc >= 0.0:
            t3 = s + r3
            t3 += -math.sqrt(disc) if t3 < 0.0 else math.sqrt(disc)  # avoid cancellation
            t = np.cbrt(t3)
            u += t + (r2 / t if t != 0.0 else 0.0)
        else:  # inside the evolute: three real roots, take the one without cancellation
            ang = math.atan2(math.sqrt(-disc), -(s + r3))
            u += 2.0 * r * math.cos(ang / 3.0)
        v = math.sqrt(u * u + e4 * q)
        uv = e4 * q / (v - u) if u < 0.0 else u + v
        w = max(0.0, e2 * (uv - q) / (2.0 * v))
        k = uv / (math.sqrt(uv + w * w) + w)
        k2 = k + e2
        d = k * rxy / k2
        return rxy, rxy / k2, z / k, (1.0 - e2m / k) * math.sqrt(d * d + z * z)
    # equatorial plane inside the evolute (k -> 0): take the limit
    zz = math.sqrt((e4 - p) / e2m)
    xx = math.sqrt(p)
    hh = math.sqrt(zz * zz + xx * xx)
    return rxy, xx, -zz if z < 0.0 else zz, -a * e2m * hh / e2


@numba.njit(cache=True)
def ecef_to_geodetic_scalar(
    x: float, y: float, z: float, a: float, f: float
) -> tuple[float, float, float]:
    """ECEF (m) to geodetic (lat_rad, lon_rad, h_m) on the ellipsoid (a [m], 0 <= f < 1).

    Closed form, no iteration: Vermeille's solution of the quartic, with Karney's rearrangements
    that keep full precision everywhere, including inside the evolute (near the centre), on the
    axis (lon = 0 returned) and in the equatorial plane (`geodetic_cs_height_scalar`). For
    f = 0 the result is the geocentric spherical latitude and h = |r| - a.

    References
    ----------
    H. Vermeille, "Direct transformation from geocentric coordinates to geodetic coordinates",
    J. Geodesy 76 (2002) 451-454. C. F. F. Karney, "Geodesics on an ellipsoid of revolution",
    arXiv:1102.1215 (2011), appendix B; GeographicLib ``Geocentric::IntReverse``.
    """
    _, c, s, h = geodetic_cs_height_scalar(x, y, z, a, f)
    return math.atan2(s, c), math.atan2(y, x), h


# inlined in numba's IR: the integrator's SIMD lanes vectorise it only so (decision 0015)
@numba.njit(cache=True, inline="always")
def gravity_scalar(
    x: float, y: float, z: float, mu: float, a: float, j2: float
) -> tuple[float, float, float]:
    """Point-mass + J2 gravitational acceleration (m/s^2) at (x, y, z) (m).

    Valid in any Earth-centred frame whose z axis is the rotation axis (ECEF or the
    pseudo-inertial ECI), since the J2 field is axisymmetric. It is the gradient of
    U = mu/r [1 - J2 (a/r)^2 (3 sin^2(phi_c) - 1) / 2] (phi_c geocentric latitude), i.e.
    g = -mu r/|r|^3 [1 + 1.5 J2 (a/r)^2 (1 - 5 z^2/r^2)] for x, y and (3 - 5 z^2/r^2) for z.

    References
    ----------
    D. A. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. (2013), eq. 8-30;
    O. Montenbruck & E. Gill, *Satellite Orbits* (2000), sect. 3.2.
    """
    r2 = x * x + y * y + z * z
    ir2 = 1.0 / r2
    mu_r3 = mu * ir2 / math.sqrt(r2)
    k = 1.5 * j2 * a * a * ir2
    zr2 = 5.0 * z * z * ir2
    cxy = -mu_r3 * (1.0 + k * (1.0 - zr2))
    return cxy * x, cxy * y, -mu_r3 * (1.0 + k * (3.0 - zr2)) * z


@numba.njit(cache=True)
def up_north_east_scalar(
    lat_rad: float, lon_rad: float
) -> tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]:
    """Geodetic up, north and east unit vectors in ECEF at (lat_rad, lon_rad): three 3-tuples.

    References
    ----------
    NIMA TR8350.2 (2000), sect. 4; any geodesy text (local-level frame).
    """
    return up_north_east_trig(math.sin(lat_rad), math.cos(lat_rad), math.sin(lon_rad),
                              math.cos(lon_rad))  # fmt: skip


@numba.njit(cache=True)
def up_north_east_trig(
    sl: float, cl: float, sm: float, cm: float
) -> tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]:
    """`up_north_east_scalar` from the sines and cosines of latitude and longitude (as
    `geodetic_to_ecef_trig`)."""
    return (cl * cm, cl * sm, sl), (-sl * cm, -sl * sm, cl), (-sm, cm, 0.0)


#: Vincenty's iteration stops when lambda moves by less than this, rad (~6e-6 m on the Earth)
VINCENTY_TOL_RAD = 1e-12
#: ... and gives up after this many iterations (nearly antipodal points: see
#: `geodesic_distance_scalar`)
VINCENTY_MAX_ITER = 50


@numba.njit(cache=True)
def reduced_latitude_scalar(lat_rad: float, f: float) -> tuple[float, float]:
    """(sin, cos) of the reduced (parametric) latitude beta of a geodetic latitude (rad) on an
    ellipsoid of flattening f: tan beta = (1 - f) tan lat, computed without the tangent (exact
    at the poles).

    References
    ----------
    T. Vincenty, Survey Review 23(176) (1975) 88-93, eq. (1) ("reduced latitude" U).
    """
    y = (1.0 - f) * math.sin(lat_rad)
    x = math.cos(lat_rad)
    r = math.hypot(x, y)
    return y / r, x / r


@numba.njit(cache=True)
def vincenty_distance_reduced(
    su1: float, cu1: float, su2: float, cu2: float, dlon_rad: float, a: float, f: float
) -> tuple[float, bool]:
    """Geodesic distance (m) on the ellipsoid (a [m], f) between two points given by the sine
    and cosine of their reduced latitudes (`reduced_latitude_scalar`) and their difference of
    longitude (rad, any value): Vincenty's inverse formula.

    Returns (distance_m, converged). ``converged`` is False where the iteration on the
    auxiliary-sphere longitude lambda does not settle within `VINCENTY_MAX_ITER` steps, settles
    slowly (last step more than half the one before: the remaining error could exceed the
    last step) or leaves [0, pi], and for exactly antipodal points: in short, for nearly
    antipodal pairs, for which the caller must use another method (Karney's,
    `geodesic_inverse`); the distance is then NaN. NaN inputs give (NaN, True). On the
    sphere (f = 0) lambda = dlon at once and the result is the exact great-circle distance
    a sigma, sigma from the well-conditioned atan2 form.

    References
    ----------
    T. Vincenty, "Direct and inverse solutions of geodesics on the ellipsoid with application
    of nested equations", Survey Review 23(176) (1975) 88-93, inverse formulae (13)-(17), (10),
    (11), (3), (4), (6), (19); the iteration stops when lambda moves by `VINCENTY_TOL_RAD`
    (his 1e-12).
    """
    big_l = abs(dlon_rad) % (2.0 * math.pi)  # exact (fmod of a non-negative number)
    if big_l > math.pi:
        big_l = 2.0 * math.pi - big_l
    if math.isnan(big_l + su1 + cu1 + su2 + cu2):
        return math.nan, True
    su1su2 = su1 * su2
    cu1cu2 = cu1 * cu2
    lam = big_l
    ss = cs = sig = c2a = c2sm = 0.0
    converged = False
    step_prev = math.inf
    for _ in range(VINCENTY_MAX_ITER):
        sl = math.sin(lam)
        cl = math.cos(lam)
        t1 = cu2 * sl
        t2 = cu1 * su2 - su1 * cu2 * cl
        ss = math.sqrt(t1 * t1 + t2 * t2)  # (14)
        cs = su1su2 + cu1cu2 * cl  # (15)
        if ss == 0.0:  # coincident points, or exactly antipodal ones (no unique geodesic)
            return (0.0, True) if cs > 0.0 else (math.nan, False)
        sig = math.atan2(ss, cs)  # (16)
        sa = cu1cu2 * sl / ss  # (17)
        c2a = 1.0 - sa * sa
        c2sm = cs - 2.0 * su1su2 / c2a if c2a != 0.0 else 0.0  # (18); equatorial line: 0
        c = f / 16.0 * c2a * (4.0 + f * (4.0 - 3.0 * c2a))  # (10)
        prev = lam
        lam = big_l + (1.0 - c) * f * sa * (
            sig + c * ss * (c2sm + c * cs * (-1.0 + 2.0 * c2sm * c2sm))
        )  # (11)
        step = abs(lam - prev)
        if step <= VINCENTY_TOL_RAD:
            # A slowly contracting iteration (nearly antipodal points) stops short of its limit
            # by step r / (1 - r) (r: contraction ratio): accept r <= 1/2 only, so that the
            # remaining error is below the last step.
            converged = lam <= math.pi and step <= 0.5 * step_prev
            break
        step_prev = step
    if not converged:
        return math.nan, False
    b = a * (1.0 - f)
    u2 = c2a * f * (2.0 - f) / ((1.0 - f) * (1.0 - f))  # c2a (a^2 - b^2) / b^2
    big_a = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)))  # (3)
    big_b = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)))  # (4)
    dsig = big_b * ss * (c2sm + big_b / 4.0 * (
        cs * (-1.0 + 2.0 * c2sm * c2sm)
        - big_b / 6.0 * c2sm * (-3.0 + 4.0 * ss * ss) * (-3.0 + 4.0 * c2sm * c2sm)
    ))  # fmt: skip  # (6)
    return b * big_a * (sig - dsig), True  # (19)


@numba.njit(cache=True)
def geodesic_distance_scalar(
    lat1_rad: float, lon1_rad: float, lat2_rad: float, lon2_rad: float, a: float, f: float
) -> tuple[float, bool]:
    """Geodesic distance (m) between two geodetic points (rad) on the ellipsoid (a [m], f):
    Vincenty's inverse formula (`vincenty_distance_reduced`); returns (distance_m, converged).

    Where ``converged`` is False (nearly antipodal points) the distance is NaN and the caller
    must fall back to Karney's algorithm, as `geodesic_distance_m` does. Elsewhere the result
    agrees with Karney's (pyproj) to better than 1 mm (tests/unit/test_earth.py).
    """
    su1, cu1 = reduced_latitude_scalar(lat1_rad, f)
    su2, cu2 = reduced_latitude_scalar(lat2_rad, f)
    return vincenty_distance_reduced(su1, cu1, su2, cu2, lon2_rad - lon1_rad, a, f)


@numba.njit(cache=True)
def _geodesic_distance_batch(
    lat1: F64, lon1: F64, lat2: F64, lon2: F64, a: float, f: float, out: F64,
    converged: NDArray[np.bool_],
) -> None:  # fmt: skip
    for i in range(lat1.size):
        out[i], converged[i] = geodesic_distance_scalar(lat1[i], lon1[i], lat2[i], lon2[i], a, f)


@numba.njit(cache=True)
def _geodetic_to_ecef_batch(lat: F64, lon: F64, h: F64, a: float, f: float, out: F64) -> None:
    for i in range(lat.size):
        out[i, 0], out[i, 1], out[i, 2] = geodetic_to_ecef_scalar(lat[i], lon[i], h[i], a, f)


@numba.njit(cache=True)
def _ecef_to_geodetic_batch(r: F64, a: float, f: float, lat: F64, lon: F64, h: F64) -> None:
    for i in range(r.shape[0]):
        lat[i], lon[i], h[i] = ecef_to_geodetic_scalar(r[i, 0], r[i, 1], r[i, 2], a, f)


@numba.njit(cache=True)
def _gravity_batch(r: F64, mu: float, a: float, j2: float, out: F64) -> None:
    for i in range(r.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = gravity_scalar(r[i, 0], r[i, 1], r[i, 2], mu, a, j2)


# ----------------------------------------------------------------------------------------------
# Vectorized API
# ----------------------------------------------------------------------------------------------


def _vec3(r: ArrayLike, name: str) -> F64:
    arr = np.asarray(r, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (..., 3), got {arr.shape}")
    return arr


def _flat(*xs: ArrayLike) -> tuple[tuple[int, ...], list[F64]]:
    arrs = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in xs))
    return arrs[0].shape, [np.ascontiguousarray(x).ravel() for x in arrs]


def _wrap_2pi(x: ArrayLike) -> F64:
    y = np.asarray(x, dtype=np.float64) % _TWO_PI
    return np.where(y >= _TWO_PI, 0.0, y)  # -tiny % 2 pi rounds to 2 pi


def _wrap_pi(x: ArrayLike) -> F64:
    return _wrap_2pi(np.asarray(x, dtype=np.float64) + math.pi) - math.pi


def geodetic_to_ecef(
    lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike, model: EarthModel = WGS84
) -> F64:
    """Geodetic latitude, longitude (rad) and height (m) to ECEF position r_ecef_m (..., 3).

    Inputs broadcast together. References: NIMA TR8350.2 (2000), eq. 4-14.
    """
    shape, (lat, lon, h) = _flat(lat_rad, lon_rad, h_m)
    out = np.empty((lat.size, 3))
    _geodetic_to_ecef_batch(lat, lon, h, model.a_m, model.f, out)
    return out.reshape(shape + (3,))


def ecef_to_geodetic(r_ecef_m: ArrayLike, model: EarthModel = WGS84) -> tuple[F64, F64, F64]:
    """ECEF position (..., 3) m to (lat_rad, lon_rad, h_m), each of shape (...).

    Exact closed form (see `ecef_to_geodetic_scalar`; Vermeille 2002, Karney 2011).
    """
    r = _vec3(r_ecef_m, "r_ecef_m")
    shape = r.shape[:-1]
    flat = np.ascontiguousarray(r.reshape(-1, 3))
    lat, lon, h = (np.empty(flat.shape[0]) for _ in range(3))
    _ecef_to_geodetic_batch(flat, model.a_m, model.f, lat, lon, h)
    return lat.reshape(shape), lon.reshape(shape), h.reshape(shape)


def _enu_basis(lat0_rad: ArrayLike, lon0_rad: ArrayLike) -> tuple[F64, F64, F64, F64]:
    lat0 = np.asarray(lat0_rad, dtype=np.float64)
    lon0 = np.asarray(lon0_rad, dtype=np.float64)
    return np.sin(lat0), np.cos(lat0), np.sin(lon0), np.cos(lon0)


def up_north_east(lat_rad: ArrayLike, lon_rad: ArrayLike) -> tuple[F64, F64, F64]:
    """Geodetic up, north and east unit vectors in ECEF, each of shape (..., 3): the vectorized
    twin of `up_north_east_scalar`."""
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    cl, sl, co, so = np.cos(lat), np.sin(lat), np.cos(lon), np.sin(lon)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    east = np.stack([-so, co, np.zeros_like(co)], axis=-1)
    return up, north, east


def ecef_to_enu(
    r_ecef_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
    model: EarthModel = WGS84,
) -> F64:
    """Position of targets r_ecef_m (..., 3) in the ENU frame of observers at (lat0, lon0, h0).

    Returns r_enu_m (..., 3) = (east, north, up), m. Observer arrays broadcast with the batch.
    References: NIMA TR8350.2 (2000), sect. 4; pymap3d ``ecef2enu``.
    """
    d = _vec3(r_ecef_m, "r_ecef_m") - geodetic_to_ecef(lat0_rad, lon0_rad, h0_m, model)
    sp, cp, sl, cl = _enu_basis(lat0_rad, lon0_rad)
    dx, dy, dz = d[..., 0], d[..., 1], d[..., 2]
    t = cl * dx + sl * dy
    return np.stack((-sl * dx + cl * dy, -sp * t + cp * dz, cp * t + sp * dz), axis=-1)


def enu_to_ecef(
    r_enu_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
    model: EarthModel = WGS84,
) -> F64:
    """Inverse of `ecef_to_enu`: ENU offsets r_enu_m (..., 3) to ECEF positions (..., 3), m."""
    enu = _vec3(r_enu_m, "r_enu_m")
    sp, cp, sl, cl = _enu_basis(lat0_rad, lon0_rad)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    t = cp * u - sp * n
    d = np.stack((cl * t - sl * e, sl * t + cl * e, cp * n + sp * u), axis=-1)
    return d + geodetic_to_ecef(lat0_rad, lon0_rad, h0_m, model)


def enu_to_aer(e_m: ArrayLike, n_m: ArrayLike, u_m: ArrayLike) -> tuple[F64, F64, F64]:
    """ENU components (m) to azimuth (rad, clockwise from north, [0, 2 pi)), elevation (rad)
    and slant range (m)."""
    e, n, u = (np.asarray(v, dtype=np.float64) for v in (e_m, n_m, u_m))
    horiz = np.hypot(e, n)
    return _wrap_2pi(np.arctan2(e, n)), np.arctan2(u, horiz), np.hypot(horiz, u)


def aer_to_enu(az_rad: ArrayLike, el_rad: ArrayLike, range_m: ArrayLike) -> tuple[F64, F64, F64]:
    """Azimuth, elevation (rad) and slant range (m) to ENU components (e_m, n_m, u_m)."""
    az, el, rng = (np.asarray(v, dtype=np.float64) for v in (az_rad, el_rad, range_m))
    horiz = rng * np.cos(el)
    return horiz * np.sin(az), horiz * np.cos(az), rng * np.sin(el)


def geodetic_to_aer(
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    h_m: ArrayLike,
    model: EarthModel = WGS84,
) -> tuple[F64, F64, F64]:
    """Azimuth, elevation (rad) and slant range (m) of a target (lat, lon, h) seen from an
    observer (lat0, lon0, h0). NB: observer first (pymap3d ``geodetic2aer`` takes target first).
    """
    r_t = geodetic_to_ecef(lat_rad, lon_rad, h_m, model)
    enu = ecef_to_enu(r_t, lat0_rad, lon0_rad, h0_m, model)
    return enu_to_aer(enu[..., 0], enu[..., 1], enu[..., 2])


def aer_to_geodetic(
    az_rad: ArrayLike,
    el_rad: ArrayLike,
    range_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
    model: EarthModel = WGS84,
) -> tuple[F64, F64, F64]:
    """Geodetic (lat_rad, lon_rad, h_m) of the point at (az, el, range) from the observer."""
    enu = np.stack(aer_to_enu(az_rad, el_rad, range_m), axis=-1)
    return ecef_to_geodetic(enu_to_ecef(enu, lat0_rad, lon0_rad, h0_m, model), model)


def _rotate_z(r: F64, c: F64, s: F64) -> F64:
    x, y = r[..., 0], r[..., 1]
    return np.stack((c * x - s * y, s * x + c * y, np.broadcast_to(r[..., 2], (c * x).shape)), -1)


def ecef_to_eci(
    r_ecef_m: ArrayLike,
    v_ecef_m_s: ArrayLike,
    t_s: ArrayLike,
    omega_rad_s: float = OMEGA_EARTH_RAD_S,
) -> tuple[F64, F64]:
    """ECEF position/velocity to the pseudo-inertial ECI frame at time t_s (s).

    r_eci = R_z(omega t) r_ecef, v_eci = R_z(omega t) v_ecef + omega x r_eci. The frames
    coincide at t = 0; Earth rotation only (no precession, nutation, polar motion), adequate for
    flights under about 1 h. t_s is a scalar or an array broadcast against the batch shape.

    References
    ----------
    Vallado (2013), sect. 3.7 (Earth rotation part of the FK5 reduction only).
    """
    r = _vec3(r_ecef_m, "r_ecef_m")
    v = _vec3(v_ecef_m_s, "v_ecef_m_s")
    theta = omega_rad_s * np.asarray(t_s, dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    r_eci = _rotate_z(r, c, s)
    v_rot = _rotate_z(v, c, s)
    w_x_r = np.stack((-r_eci[..., 1], r_eci[..., 0], np.zeros(r_eci.shape[:-1])), -1)
    return r_eci, v_rot + omega_rad_s * w_x_r


def eci_to_ecef(
    r_eci_m: ArrayLike,
    v_eci_m_s: ArrayLike,
    t_s: ArrayLike,
    omega_rad_s: float = OMEGA_EARTH_RAD_S,
) -> tuple[F64, F64]:
    """Inverse of `ecef_to_eci`: r_ecef = R_z(-omega t) r_eci, v_ecef = R_z(-omega t)
    (v_eci - omega x r_eci). Same pseudo-inertial frame and caveats as `ecef_to_eci`."""
    r = _vec3(r_eci_m, "r_eci_m")
    v = _vec3(v_eci_m_s, "v_eci_m_s")
    theta = omega_rad_s * np.asarray(t_s, dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    w_x_r = np.stack((-r[..., 1], r[..., 0], np.zeros(r.shape[:-1])), -1)
    return _rotate_z(r, c, -s), _rotate_z(v - omega_rad_s * w_x_r, c, -s)


def gravity(r_m: ArrayLike, model: EarthModel = WGS84) -> F64:
    """Point-mass + J2 gravitational acceleration g_m_s2 (..., 3) at positions r_m (..., 3).

    Same kernel as `gravity_scalar` (Vallado 2013, eq. 8-30); valid in ECEF and ECI.

    Raises
    ------
    ZeroDivisionError
        If a position is the Earth's centre.
    """
    r = _vec3(r_m, "r_m")
    flat = np.ascontiguousarray(r.reshape(-1, 3))
    out = np.empty_like(flat)
    _gravity_batch(flat, model.mu_m3_s2, model.a_m, model.j2, out)
    return out.reshape(r.shape)


def great_circle_distance_m(
    lat1_rad: ArrayLike,
    lon1_rad: ArrayLike,
    lat2_rad: ArrayLike,
    lon2_rad: ArrayLike,
    radius_m: float = SPHERE_RADIUS_M,
) -> F64:
    """Great-circle distance (m) on a sphere of radius radius_m (haversine formula).

    References: R. W. Sinnott, "Virtues of the haversine", Sky & Telescope 68 (1984) 159.
    """
    p1, l1, p2, l2 = (
        np.asarray(v, dtype=np.float64) for v in (lat1_rad, lon1_rad, lat2_rad, lon2_rad)
    )
    hav = np.sin(0.5 * (p2 - p1)) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(0.5 * (l2 - l1)) ** 2
    hav = np.clip(hav, 0.0, 1.0)
    return 2.0 * radius_m * np.arctan2(np.sqrt(hav), np.sqrt(1.0 - hav))


def great_circle_azimuth_rad(
    lat1_rad: ArrayLike, lon1_rad: ArrayLike, lat2_rad: ArrayLike, lon2_rad: ArrayLike
) -> F64:
    """Initial great-circle azimuth (rad, clockwise from north, [0, 2 pi)) from point 1 to 2."""
    p1, l1, p2, l2 = (
        np.asarray(v, dtype=np.float64) for v in (lat1_rad, lon1_rad, lat2_rad, lon2_rad)
    )
    dl = l2 - l1
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return _wrap_2pi(np.arctan2(y, x))


def great_circle_destination(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    az_rad: ArrayLike,
    dist_m: ArrayLike,
    radius_m: float = SPHERE_RADIUS_M,
) -> tuple[F64, F64]:
    """Point (lat2_rad, lon2_rad in [-pi, pi)) reached after dist_m along a great circle
    starting at azimuth az_rad on a sphere of radius radius_m."""
    p1, l1, az, d = (np.asarray(v, dtype=np.float64) for v in (lat_rad, lon_rad, az_rad, dist_m))
    delta = d / radius_m
    sp1, cp1, sd, cd = np.sin(p1), np.cos(p1), np.sin(delta), np.cos(delta)
    sp2 = np.clip(sp1 * cd + cp1 * sd * np.cos(az), -1.0, 1.0)
    l2 = l1 + np.arctan2(np.sin(az) * sd * cp1, cd - sp1 * sp2)
    return np.arcsin(sp2), _wrap_pi(l2)


_GEOD_WGS84 = pyproj.Geod(ellps="WGS84")


@functools.lru_cache(maxsize=16)
def _geod_for(a_m: float, f: float) -> pyproj.Geod:
    if a_m == WGS84_A_M and f == WGS84_F:
        return _GEOD_WGS84
    return pyproj.Geod(a=a_m, f=f)


def geodesic_inverse(
    lat1_rad: ArrayLike,
    lon1_rad: ArrayLike,
    lat2_rad: ArrayLike,
    lon2_rad: ArrayLike,
    model: EarthModel = WGS84,
) -> tuple[F64, F64, F64]:
    """Geodesic (shortest path) on the model's ellipsoid between two points.

    Returns (dist_m, az1_rad, az2_rad): length (m), forward azimuth at point 1 and forward
    azimuth at point 2 (direction of travel on arrival), both in [0, 2 pi).

    References
    ----------
    C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87 (2013) 43-55, via pyproj.Geod.
    """
    shape, (p1, l1, p2, l2) = _flat(lat1_rad, lon1_rad, lat2_rad, lon2_rad)
    geod = _geod_for(model.a_m, model.f)
    az1, az2, dist = geod.inv(l1, p1, l2, p2, radians=True, return_back_azimuth=False)
    az1 = _wrap_2pi(az1)
    az2 = _wrap_2pi(az2)
    return np.asarray(dist).reshape(shape), az1.reshape(shape), az2.reshape(shape)


def geodesic_distance_m(
    lat1_rad: ArrayLike,
    lon1_rad: ArrayLike,
    lat2_rad: ArrayLike,
    lon2_rad: ArrayLike,
    model: EarthModel = WGS84,
) -> F64:
    """Geodesic distance (m) on the model's ellipsoid between two points (rad); inputs
    broadcast together.

    The length of `geodesic_inverse`, 3 to 5 times faster: Vincenty's inverse formula in a
    numba kernel (`geodesic_distance_scalar`), with Karney's algorithm (pyproj) for the pairs
    where Vincenty's iteration does not converge (nearly antipodal points), so that it is
    correct everywhere. Agrees with `geodesic_inverse` to better than 1 mm (0.08 mm worst over
    200,000 random WGS84 pairs; tests/unit/test_earth.py checks 1 mm worldwide). Exact great
    circles on the sphere (f = 0).

    References
    ----------
    T. Vincenty, Survey Review 23(176) (1975) 88-93; C. F. F. Karney, J. Geodesy 87 (2013)
    43-55 (the fallback).
    """
    shape, (p1, l1, p2, l2) = _flat(lat1_rad, lon1_rad, lat2_rad, lon2_rad)
    out = np.empty(p1.size)
    converged = np.empty(p1.size, dtype=np.bool_)
    _geodesic_distance_batch(p1, l1, p2, l2, model.a_m, model.f, out, converged)
    if not converged.all():
        bad = ~converged
        out[bad] = geodesic_inverse(p1[bad], l1[bad], p2[bad], l2[bad], model)[0]
    return out.reshape(shape)


def geodesic_direct(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    az_rad: ArrayLike,
    dist_m: ArrayLike,
    model: EarthModel = WGS84,
) -> tuple[F64, F64, F64]:
    """Point reached along the geodesic on the model's ellipsoid (Karney 2013, via pyproj).

    Returns (lat2_rad, lon2_rad in [-pi, pi), az2_rad): az2 is the forward azimuth at arrival.
    """
    shape, (p1, l1, az, d) = _flat(lat_rad, lon_rad, az_rad, dist_m)
    geod = _geod_for(model.a_m, model.f)
    l2, p2, az2 = geod.fwd(l1, p1, az, d, radians=True, return_back_azimuth=False)
    return (
        np.asarray(p2).reshape(shape),
        _wrap_pi(np.asarray(l2)).reshape(shape),
        _wrap_2pi(az2).reshape(shape),
    )


def surface_distance_m(
    r1_ecef_m: ArrayLike, r2_ecef_m: ArrayLike, model: EarthModel = WGS84
) -> F64:
    """Geodesic ground distance (m) between the geodetic sub-points of two ECEF positions."""
    lat1, lon1, _ = ecef_to_geodetic(r1_ecef_m, model)
    lat2, lon2, _ = ecef_to_geodetic(r2_ecef_m, model)
    return geodesic_inverse(lat1, lon1, lat2, lon2, model)[0]
