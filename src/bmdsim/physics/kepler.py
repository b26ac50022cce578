"""Closed-form vacuum two-body ballistic arcs: fast paths and test oracles.

Point-mass gravity ``mu / r^2`` of a spherical, non-rotating Earth, no atmosphere. All
functions are pure, vectorized over numpy broadcasting, SI units, and return arrays of the
broadcast shape (0-d for scalar inputs).

Conventions: ``r0_m`` is the geocentric radius at burnout, ``v0_m_s`` the burnout speed and
``gamma0_rad`` its flight-path angle above the local horizontal (inertial, i.e. relative to a
non-rotating Earth). ``r1_m`` is the geocentric radius of the "impact" (re-entry) level. The
range angle ``psi`` is the geocentric angle between burnout and impact; the surface range is
``psi * surface_radius_m`` (great-circle distance on a sphere of that radius, default
``SPHERE_RADIUS_M`` = 6371 km).

References
----------
.. [BMW] R. R. Bate, D. D. Mueller, J. E. White, *Fundamentals of Astrodynamics*, Dover, 1971:
   ch. 1 (conics, vis-viva), ch. 4 (Kepler's equation), ch. 6 (ballistic missile trajectories:
   free-flight range, ``sin(psi/2) = Q / (2 - Q)``, ``gamma = (pi - psi) / 4`` for r0 = r1).
.. [Wheelon] A. D. Wheelon, "Free flight of a ballistic missile", *ARS Journal* 29 (1959),
   915-926.
.. [Battin] R. H. Battin, *An Introduction to the Mathematics and Methods of Astrodynamics*,
   rev. ed., AIAA, 1999, ch. 6-7: of all conics through two points about a focus, the
   minimum-energy ellipse has semi-major axis ``a_m = s / 2`` (``s`` the semi-perimeter of the
   triangle focus-P0-P1) and its vacant focus on the chord P0-P1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim.physics.constants import SPHERE_RADIUS_M, WGS84_GM_M3_S2

__all__ = [
    "KeplerArc",
    "KeplerInputError",
    "MaxRange",
    "MinEnergyBurnout",
    "free_flight",
    "max_range_angle",
    "min_energy",
]

FloatArray = NDArray[np.float64]
_TWO_PI = 2.0 * np.pi


class KeplerInputError(ValueError):
    """Invalid input to a two-body function (non-positive radius or mu, angle out of range)."""


class KeplerArc(NamedTuple):
    """Vacuum ballistic arc from burnout to the descending crossing of the impact radius.

    All fields are float64 arrays of the broadcast input shape; NaN where the arc does not
    reach the impact radius on the way down (see :func:`free_flight`).
    """

    range_angle_rad: FloatArray
    """Geocentric angle psi from burnout to impact, rad, in [0, 2 pi]."""
    range_m: FloatArray
    """Surface range ``psi * surface_radius_m``, m."""
    time_of_flight_s: FloatArray
    """Time from burnout to impact, s."""
    apogee_radius_m: FloatArray
    """Highest geocentric radius reached on the arc, m (``r0`` if burnout is past apogee)."""
    apogee_altitude_m: FloatArray
    """``apogee_radius_m - surface_radius_m``, m."""
    impact_speed_m_s: FloatArray
    """Speed at the impact radius, m/s (inertial)."""
    impact_angle_rad: FloatArray
    """Flight-path angle below the local horizontal at impact, rad, positive."""
    semi_major_axis_m: FloatArray
    """Semi-major axis of the ellipse, m."""
    eccentricity: FloatArray
    """Eccentricity of the ellipse, in [0, 1)."""


class MinEnergyBurnout(NamedTuple):
    """Minimum burnout speed to cover a range angle, and the flight-path angle that needs it."""

    speed_m_s: FloatArray
    flight_path_angle_rad: FloatArray


class MaxRange(NamedTuple):
    """Largest range angle reachable with a burnout speed, and the optimal flight-path angle."""

    range_angle_rad: FloatArray
    flight_path_angle_rad: FloatArray


def _f64(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _require(condition: NDArray[np.bool_], message: str) -> None:
    if not np.all(condition):
        raise KeplerInputError(message)


def _check_common(r0: FloatArray, r1: FloatArray, mu: FloatArray) -> None:
    # Comparisons with NaN are False, so NaN inputs pass validation and propagate as NaN.
    _require(~(r0 <= 0.0), "r0_m must be positive")
    _require(~(r1 <= 0.0), "r1_m must be positive")
    _require(~(mu <= 0.0), "mu_m3_s2 must be positive")


def free_flight(
    v0_m_s: ArrayLike,
    gamma0_rad: ArrayLike,
    r0_m: ArrayLike,
    r1_m: ArrayLike,
    *,
    mu_m3_s2: ArrayLike = WGS84_GM_M3_S2,
    surface_radius_m: ArrayLike = SPHERE_RADIUS_M,
) -> KeplerArc:
    """Vacuum ballistic arc from burnout to the descending crossing of radius ``r1_m``.

    The conic is fixed by the burnout state: angular momentum ``h = r0 v0 cos(gamma0)``,
    specific energy ``E = v0^2 / 2 - mu / r0``, ``a = -mu / (2 E)``, ``p = h^2 / mu``, and with
    true anomaly ``theta`` measured from perigee, ``e cos(theta0) = p / r0 - 1``,
    ``e sin(theta0) = h v0 sin(gamma0) / mu`` [BMW]_ ch. 1. The impact is the first crossing of
    ``r1`` after burnout with the radius decreasing, ``theta1`` in [pi, 2 pi]:
    ``e cos(theta1) = p / r1 - 1``. The time of flight follows from Kepler's equation
    ``M = E_a - e sin(E_a)`` with the eccentric anomaly ``E_a`` ([BMW]_ ch. 4).

    Parameters
    ----------
    v0_m_s : array_like
        Burnout speed (inertial), m/s, >= 0.
    gamma0_rad : array_like
        Burnout flight-path angle above the local horizontal, rad, in [-pi/2, pi/2].
    r0_m, r1_m : array_like
        Geocentric radii of burnout and impact, m, > 0.
    mu_m3_s2 : array_like, optional
        Gravitational parameter, m^3/s^2 (default WGS84 GM).
    surface_radius_m : array_like, optional
        Radius of the sphere on which ``range_m`` and ``apogee_altitude_m`` are measured, m.

    Returns
    -------
    KeplerArc
        Arrays of the broadcast input shape. An element is NaN (never an exception: batch
        elements fail individually) when the arc does not come down through ``r1`` after
        burnout: unbound (``v0 >= sqrt(2 mu / r0)``, escape; hyperbolic arcs are out of scope),
        degenerate radial (``v0 = 0``), ``r1`` above apogee or below perigee, or burnout already
        descending below ``r1``.

    Raises
    ------
    KeplerInputError
        If a radius, ``mu`` or ``surface_radius_m`` is not positive, ``v0 < 0`` or
        ``|gamma0| > pi/2``.
    """
    v0, g0, r0, r1, mu, rs = np.broadcast_arrays(
        _f64(v0_m_s),
        _f64(gamma0_rad),
        _f64(r0_m),
        _f64(r1_m),
        _f64(mu_m3_s2),
        _f64(surface_radius_m),
    )
    _check_common(r0, r1, mu)
    _require(~(rs <= 0.0), "surface_radius_m must be positive")
    _require(~(v0 < 0.0), "v0_m_s must be non-negative")
    _require(~(np.abs(g0) > 0.5 * np.pi), "gamma0_rad must lie in [-pi/2, pi/2]")

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        h = r0 * v0 * np.cos(g0)  # specific angular momentum, m^2/s
        p = h * h / mu  # semi-latus rectum, m
        energy = 0.5 * v0 * v0 - mu / r0  # J/kg
        a = -mu / (2.0 * energy)
        ecos0 = p / r0 - 1.0
        esin0 = h * v0 * np.sin(g0) / mu
        e2 = ecos0 * ecos0 + esin0 * esin0
        e = np.sqrt(e2)
        ecos1 = p / r1 - 1.0
        # e^2 sin^2(theta1) = e^2 - ecos1^2, written without cancellation (exact for r1 == r0);
        # negative (NaN root) if r1 is outside [perigee, apogee]
        esin1_sq = esin0 * esin0 + p * (r1 - r0) / (r0 * r1) * (ecos0 + ecos1)
        esin1_abs = np.sqrt(esin1_sq)
        one_minus_e = (p / a) / (1.0 + e)  # 1 - e^2 = p / a, no cancellation near e = 1

        theta0 = np.arctan2(esin0, ecos0)
        theta0 = np.where(theta0 < 0.0, theta0 + _TWO_PI, theta0)  # [0, 2 pi)
        theta1 = _TWO_PI - np.arctan2(esin1_abs, ecos1)  # [pi, 2 pi]
        psi = theta1 - theta0
        # r1 == r0 with a descending burnout gives psi = 0 up to rounding; a clearly negative
        # psi means the descending crossing of r1 lies before burnout.
        psi = np.where((psi < 0.0) & (psi > -1e-12), 0.0, psi)
        bad = ~((energy < 0.0) & (p > 0.0) & (psi >= 0.0))
        psi = np.where(bad, np.nan, psi)

        n_mean = np.sqrt(mu / (a * a * a))  # mean motion, rad/s
        m0 = _mean_anomaly(theta0, e, one_minus_e)
        m1 = _mean_anomaly(theta1, e, one_minus_e)
        tof = np.where(bad, np.nan, np.maximum((m1 - m0) / n_mean, 0.0))  # >= 0 if psi == 0

        r_apo = np.where(theta0 <= np.pi, a * (1.0 + e), r0)
        r_apo = np.where(bad, np.nan, r_apo)
        v1 = np.sqrt(v0 * v0 + 2.0 * mu * (1.0 / r1 - 1.0 / r0))  # energy conservation
        # tan(gamma1) = -v_r / v_t = e |sin(theta1)| / (p / r1)  (v_r = mu e sin(theta) / h)
        gamma1 = np.arctan2(esin1_abs, p / r1)

    return KeplerArc(
        range_angle_rad=psi,
        range_m=np.asarray(psi * rs),
        time_of_flight_s=tof,
        apogee_radius_m=r_apo,
        apogee_altitude_m=np.asarray(r_apo - rs),
        impact_speed_m_s=np.where(bad, np.nan, v1),
        impact_angle_rad=np.where(bad, np.nan, gamma1),
        semi_major_axis_m=np.where(bad, np.nan, a),
        eccentricity=np.where(bad, np.nan, e),
    )


def _mean_anomaly(theta: FloatArray, e: FloatArray, one_minus_e: FloatArray) -> FloatArray:
    """Mean anomaly in [0, 2 pi] for true anomaly ``theta`` in [0, 2 pi] (ellipse, e < 1).

    ``tan(E/2) = sqrt((1 - e) / (1 + e)) tan(theta/2)`` ([BMW]_ ch. 4), then Kepler's equation.
    """
    half = 0.5 * theta
    ecc_anom = 2.0 * np.arctan2(
        np.sqrt(one_minus_e) * np.sin(half), np.sqrt(1.0 + e) * np.cos(half)
    )
    return ecc_anom - e * np.sin(ecc_anom)


def _min_energy_general(
    psi: FloatArray, r0: FloatArray, r1: FloatArray, mu: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Minimum-energy burnout speed and flight-path angle between radii r0, r1 at angle psi.

    With the chord ``c`` and semi-perimeter ``s = (r0 + r1 + c) / 2``, the minimum-energy
    ellipse has ``a_m = s / 2`` [Battin]_, so by vis-viva ``v0^2 = mu (2 / r0 - 2 / s)
    = mu (c - (r0 - r1)) / (r0 s)``. Its vacant focus lies on the chord, and the velocity at
    P0 bisects externally the angle between the directions to the two foci (reflection
    property), which gives ``tan(gamma0) = r1 sin(psi) / (c + r0 - r1 cos(psi))``. Differences
    are rewritten with ``c^2 = (r0 - r1)^2 + 4 r0 r1 sin^2(psi / 2)`` to avoid cancellation.
    """
    d = r0 - r1
    s_half = np.sin(0.5 * psi)
    q = 4.0 * r0 * r1 * s_half * s_half  # c^2 - d^2
    c = np.sqrt(d * d + q)
    with np.errstate(invalid="ignore", divide="ignore"):
        c_minus_d = np.where(d > 0.0, q / (c + d), c - d)  # c - (r0 - r1) >= 0
        c_plus_d = np.where(d < 0.0, q / (c - d), c + d)  # c + (r0 - r1) >= 0
    s = 0.5 * (r0 + r1 + c)
    v = np.sqrt(mu * c_minus_d / (r0 * s))
    # c + r0 - r1 cos(psi) = (c + d) + 2 r1 sin^2(psi / 2)
    gamma = np.arctan2(r1 * np.sin(psi), c_plus_d + 2.0 * r1 * s_half * s_half)
    gamma = np.where((psi == 0.0) & (d < 0.0), 0.5 * np.pi, gamma)  # vertical shot up to r1
    return v, gamma


def _min_energy_equal(
    psi: FloatArray, r0: FloatArray, mu: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """r0 == r1: ``v^2 = (mu / r0) 2 sin(psi/2) / (1 + sin(psi/2))``, ``gamma = (pi - psi) / 4``
    ([BMW]_ ch. 6)."""
    s_half = np.sin(0.5 * psi)
    return np.sqrt(mu / r0 * 2.0 * s_half / (1.0 + s_half)), 0.25 * (np.pi - psi)


def min_energy(
    range_angle_rad: ArrayLike,
    r0_m: ArrayLike,
    r1_m: ArrayLike | None = None,
    *,
    mu_m3_s2: ArrayLike = WGS84_GM_M3_S2,
) -> MinEnergyBurnout:
    """Minimum burnout speed to cover a range angle, with its optimal flight-path angle.

    For burnout at radius ``r0`` and impact at ``r1`` (default ``r1 = r0``) separated by the
    geocentric angle ``psi``, the slowest burnout is on the minimum-energy ellipse through both
    points. For ``r0 == r1`` ([BMW]_ ch. 6, [Wheelon]_)::

        v^2 = (mu / r0) * 2 sin(psi/2) / (1 + sin(psi/2)),   gamma* = (pi - psi) / 4

    and in general (Lambert minimum-energy ellipse, [Battin]_; reduces to the above)::

        v^2 = mu (c - r0 + r1) / (r0 s),   tan(gamma*) = r1 sin(psi) / (c + r0 - r1 cos(psi))

    with chord ``c = sqrt(r0^2 + r1^2 - 2 r0 r1 cos(psi))`` and ``s = (r0 + r1 + c) / 2``.
    The impact is the descending crossing of ``r1``, so for ``0 < psi < pi``
    :func:`free_flight` at ``(v, gamma*)`` returns ``psi`` (``psi = pi`` with ``r0 == r1`` is
    the circular orbit, which never comes down).

    Parameters
    ----------
    range_angle_rad : array_like
        Geocentric range angle psi, rad, in [0, pi].
    r0_m : array_like
        Burnout radius, m, > 0.
    r1_m : array_like, optional
        Impact radius, m, > 0; default ``r0_m``.
    mu_m3_s2 : array_like, optional
        Gravitational parameter, m^3/s^2 (default WGS84 GM).

    Returns
    -------
    MinEnergyBurnout
        ``speed_m_s`` (m/s) and ``flight_path_angle_rad`` (rad above the local horizontal), of
        the broadcast shape.

    Raises
    ------
    KeplerInputError
        If ``psi`` is outside [0, pi] or a radius or ``mu`` is not positive.
    """
    r0_in = _f64(r0_m)
    r1_in = r0_in if r1_m is None else _f64(r1_m)
    psi, r0, r1, mu = np.broadcast_arrays(_f64(range_angle_rad), r0_in, r1_in, _f64(mu_m3_s2))
    _check_common(r0, r1, mu)
    _require(~((psi < 0.0) | (psi > np.pi)), "range_angle_rad must lie in [0, pi]")
    v_eq, g_eq = _min_energy_equal(psi, r0, mu)
    v_gen, g_gen = _min_energy_general(psi, r0, r1, mu)
    equal = r0 == r1
    return MinEnergyBurnout(np.where(equal, v_eq, v_gen), np.where(equal, g_eq, g_gen))


def max_range_angle(
    v0_m_s: ArrayLike,
    r0_m: ArrayLike,
    r1_m: ArrayLike | None = None,
    *,
    mu_m3_s2: ArrayLike = WGS84_GM_M3_S2,
) -> MaxRange:
    """Largest range angle reachable with burnout speed ``v0``, and the optimal angle.

    The inverse of :func:`min_energy`: at fixed ``v0`` (fixed energy, so fixed ``a``) the
    reachable range angles are those whose minimum-energy ellipse has ``a_m <= a``, so the
    maximum is where ``a_m = s / 2 = a``. Solving ``nu = v0^2 r0 / mu = (c - r0 + r1) / s``
    for the chord gives ``c = (nu (r0 + r1) + 2 (r0 - r1)) / (2 - nu)`` and, with
    ``c^2 = (r0 - r1)^2 + 4 r0 r1 sin^2(psi/2)``, the closed form (derived here from
    [Battin]_'s ``a_m = s / 2``)::

        sin^2(psi_max / 2) = nu (nu - 2 (1 - r0 / r1)) / (2 - nu)^2

    which for ``r0 == r1`` is the classical ``sin(psi_max / 2) = nu / (2 - nu)`` ([BMW]_ ch. 6,
    ``gamma_opt = (pi - psi_max) / 4``). ``gamma_opt`` is the minimum-energy angle of
    :func:`min_energy` at ``psi_max``.

    Parameters
    ----------
    v0_m_s : array_like
        Burnout speed, m/s, >= 0.
    r0_m : array_like
        Burnout radius, m, > 0.
    r1_m : array_like, optional
        Impact radius, m, > 0; default ``r0_m``.
    mu_m3_s2 : array_like, optional
        Gravitational parameter, m^3/s^2 (default WGS84 GM).

    Returns
    -------
    MaxRange
        ``range_angle_rad`` (psi_max, rad, in [0, pi]) and ``flight_path_angle_rad`` (rad),
        NaN where no maximum in [0, pi] exists: ``r1`` out of reach even straight up
        (``nu < 2 (1 - r0 / r1)``), or ``sin^2(psi_max / 2) > 1`` (fast enough to reach the
        antipode; ``nu > 1`` for ``r0 == r1``), or ``nu >= 2`` (escape).

    Raises
    ------
    KeplerInputError
        If ``v0 < 0`` or a radius or ``mu`` is not positive.
    """
    r0_in = _f64(r0_m)
    r1_in = r0_in if r1_m is None else _f64(r1_m)
    v0, r0, r1, mu = np.broadcast_arrays(_f64(v0_m_s), r0_in, r1_in, _f64(mu_m3_s2))
    _check_common(r0, r1, mu)
    _require(~(v0 < 0.0), "v0_m_s must be non-negative")
    nu = v0 * v0 * r0 / mu
    with np.errstate(invalid="ignore", divide="ignore"):
        s2_general = nu * (nu - 2.0 * (1.0 - r0 / r1)) / ((2.0 - nu) * (2.0 - nu))
        s_equal = nu / (2.0 - nu)
        s2 = np.where(r0 == r1, s_equal * s_equal, s2_general)
        s2 = np.where((s2 < 0.0) & (s2 > -1e-15), 0.0, s2)  # rounding at the vertical limit
        ok = (nu < 2.0) & (s2 >= 0.0) & (s2 <= 1.0)
        psi = np.where(ok, 2.0 * np.arcsin(np.sqrt(np.where(ok, s2, 0.0))), np.nan)
    _, g_eq = _min_energy_equal(psi, r0, mu)
    _, g_gen = _min_energy_general(psi, r0, r1, mu)
    gamma = np.where(r0 == r1, g_eq, g_gen)
    return MaxRange(psi, np.where(ok, gamma, np.nan))


# ----------------------------------------------------------------------------------------------
# Minimum time to reach a point with a fixed burnout speed (interceptor fly-out oracle)
# ----------------------------------------------------------------------------------------------


class MinTimeToReach(NamedTuple):
    """Fastest vacuum arc from burnout to a point, at a fixed burnout speed."""

    time_s: FloatArray
    """Minimum time of flight from burnout to the point, s; NaN where out of reach."""
    flight_path_angle_rad: FloatArray
    """Burnout flight-path angle of that arc, rad above the local horizontal; NaN likewise."""


def _time_to_point(
    v0: FloatArray,
    gamma: FloatArray,
    r0: FloatArray,
    psi: FloatArray,
    r1: FloatArray,
    mu: FloatArray,
) -> FloatArray:
    """Time of flight from burnout (r0, v0, gamma) to the first passage at range angle ``psi``,
    for an arc known to pass through (psi, r1) (elliptic, ``v0^2 < 2 mu / r0``).

    The eccentric anomaly comes from the radius and the radial velocity, ``e cos(E) = 1 - r/a``,
    ``e sin(E) = r v_r / sqrt(mu a)`` ([BMW]_ ch. 4), which stays exact on the rectilinear
    (vertical, e = 1) arc where the true-anomaly route breaks down. The sign of the radial
    velocity on arrival (ascending or descending passage) is that of
    ``e sin(theta0 + psi)``, expanded so that it stays exact for a vertical shot.
    """
    a = r0 / (2.0 - v0 * v0 * r0 / mu)
    sqrt_mu_a = np.sqrt(mu * a)
    cg, sg = np.cos(gamma), np.sin(gamma)
    h = r0 * v0 * cg
    esin0 = r0 * v0 * sg / sqrt_mu_a
    ecos0 = 1.0 - r0 / a
    v1_sq = v0 * v0 + 2.0 * mu * (1.0 / r1 - 1.0 / r0)
    rvr1 = np.sqrt(np.maximum(r1 * r1 * v1_sq - h * h, 0.0))  # r1 |v_r1|
    nu = v0 * v0 * r0 / mu
    # e sin(theta1) = e sin(theta0) cos(psi) + e cos(theta0) sin(psi), [BMW] ch. 6: its sign is
    # that of the radial velocity on arrival (kept exact for a vertical shot, theta0 -> pi)
    esin_theta1 = nu * sg * cg * np.cos(psi) + (nu * cg * cg - 1.0) * np.sin(psi)
    esin1 = np.where(esin_theta1 >= 0.0, rvr1, -rvr1) / sqrt_mu_a
    ecos1 = 1.0 - r1 / a
    e0 = np.arctan2(esin0, ecos0)
    e1 = np.arctan2(esin1, ecos1)
    d_ecc = e1 - e0
    # the arc advances E by [0, 2 pi); a tiny negative value is rounding of a zero advance
    d_ecc = np.where(d_ecc < -1e-9, d_ecc + _TWO_PI, np.maximum(d_ecc, 0.0))
    return np.asarray((d_ecc - (esin1 - esin0)) * np.sqrt(a * a * a / mu))


def min_time_to_reach(
    v0_m_s: ArrayLike,
    r0_m: ArrayLike,
    range_angle_rad: ArrayLike,
    r1_m: ArrayLike,
    *,
    mu_m3_s2: ArrayLike = WGS84_GM_M3_S2,
    gamma_min_rad: ArrayLike = -0.5 * np.pi,
    gamma_max_rad: ArrayLike = 0.5 * np.pi,
) -> MinTimeToReach:
    """Minimum vacuum time of flight from burnout to a point, at a fixed burnout speed.

    Burnout is at radius ``r0`` with speed ``v0`` and any flight-path angle ``gamma`` in
    [``gamma_min_rad``, ``gamma_max_rad``] (pointed down-range); the point is at range angle
    ``psi`` and radius ``r1``. This is the interceptor fly-out oracle: the time to reach a
    point in the vacuum, spherical, non-rotating limit.

    Derivation ([BMW]_ ch. 6 style). With ``nu = v0^2 r0 / mu``, the burnout state fixes the
    conic: ``p = r0 nu cos^2(gamma)``, ``e cos(theta0) = nu cos^2(gamma) - 1``,
    ``e sin(theta0) = nu sin(gamma) cos(gamma)``. The arc passes through the point when the
    orbit equation holds at ``theta0 + psi``,
    ``p / r1 - 1 = e cos(theta0) cos(psi) - e sin(theta0) sin(psi)``. Dividing by
    ``cos^2(gamma)`` gives a quadratic in ``x = tan(gamma)`` (the flight-path-angle equation)::

        (1 - cos psi) x^2 - nu sin(psi) x + (1 - cos psi) - nu (r0 / r1 - cos psi) = 0

    Written with double angles, and ``A = 1 - cos(psi)``, ``D = nu (r0 / r1 - cos(psi))``,
    it reads ``R cos(2 gamma - phi) = D - 2 A`` with ``R = sqrt(D^2 + nu^2 sin^2(psi))`` and
    ``phi = atan2(-nu sin(psi), -D)``, so::

        2 gamma = phi +- arccos((D - 2 A) / R)      (wrapped into (-pi, pi])

    which stays well conditioned for vertical shots (``gamma -> pi/2``, ``psi -> 0``). Real
    roots exist iff ``|D - 2 A| <= R`` (the point is inside the reachable envelope, the
    "safety ellipse"); the two roots are the low and the lofted arc through the point and
    coincide on the envelope. Each arc reaches the point once per revolution, on the first
    passage, ascending or descending as ``sin(theta0 + psi)`` is positive or negative; its time of
    flight follows from Kepler's equation ([BMW]_ ch. 4, see ``_time_to_point``). The answer
    is the smaller time over the roots inside the angle bounds. At ``psi = 0`` the arc is the
    vertical line: up (``gamma = pi/2``) if ``r1 >= r0``, else down (``-pi/2``). Without angle
    bounds the result equals Lagrange's time equation on the short-way, short-time branch with
    ``a = r0 / (2 - nu)`` ([Battin]_ ch. 6; cross-checked in
    tests/validation/test_flyout_table_vs_kepler.py).

    Parameters
    ----------
    v0_m_s : array_like
        Burnout speed (inertial), m/s, >= 0; NaN result for ``v0^2 >= 2 mu / r0`` (escape:
        hyperbolic arcs are out of scope).
    r0_m : array_like
        Geocentric radius of burnout, m, > 0.
    range_angle_rad : array_like
        Geocentric angle psi from burnout to the point, rad, in [0, 2 pi).
    r1_m : array_like
        Geocentric radius of the point, m, > 0.
    mu_m3_s2 : array_like, optional
        Gravitational parameter, m^3/s^2 (default WGS84 GM).
    gamma_min_rad, gamma_max_rad : array_like, optional
        Admissible burnout flight-path angles, rad, within [-pi/2, pi/2] (default: all). A
        launcher that cannot fire below, e.g., 2 degrees of elevation passes that bound.

    Returns
    -------
    MinTimeToReach
        ``time_s`` and ``flight_path_angle_rad`` of the broadcast shape; NaN where no admissible
        elliptic arc passes through the point. The point at burnout itself takes 0 s.

    Raises
    ------
    KeplerInputError
        If a radius or ``mu`` is not positive, ``v0 < 0`` or ``psi`` is outside [0, 2 pi).
    """
    v0, r0, psi, r1, mu, g_lo, g_hi = np.broadcast_arrays(
        _f64(v0_m_s),
        _f64(r0_m),
        _f64(range_angle_rad),
        _f64(r1_m),
        _f64(mu_m3_s2),
        _f64(gamma_min_rad),
        _f64(gamma_max_rad),
    )
    _check_common(r0, r1, mu)
    _require(~(v0 < 0.0), "v0_m_s must be non-negative")
    _require(~((psi < 0.0) | (psi >= _TWO_PI)), "range_angle_rad must lie in [0, 2 pi)")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        nu = v0 * v0 * r0 / mu
        s_half = np.sin(0.5 * psi)
        big_a = 2.0 * s_half * s_half  # 1 - cos(psi), without cancellation
        rho = r0 / r1
        d = nu * ((rho - 1.0) + big_a)  # nu (rho - cos psi)
        nsin = nu * np.sin(psi)
        big_r = np.hypot(d, nsin)
        phi = np.arctan2(-nsin, -d)
        cos_arg = (d - 2.0 * big_a) / big_r
        # a grazing point (on the envelope) may round to |cos_arg| slightly above 1
        cos_arg = np.where(np.abs(cos_arg) <= 1.0 + 1e-12, np.clip(cos_arg, -1.0, 1.0), np.nan)
        half_width = np.arccos(cos_arg)
        # energy must reach r1 (the only test left at psi = 0, where cos_arg = +-1)
        v1_sq = v0 * v0 + 2.0 * mu * (1.0 / r1 - 1.0 / r0)
        reach = (nu < 2.0) & (v1_sq >= -1e-12 * v0 * v0)
        times, gammas = [], []
        for sign in (1.0, -1.0):
            two_g = np.mod(phi + sign * half_width + np.pi, _TWO_PI) - np.pi  # [-pi, pi)
            two_g = np.where(two_g <= -np.pi, np.pi, two_g)  # (-pi, pi]
            g = 0.5 * two_g
            g = np.where(psi == 0.0, np.where(r1 >= r0, 0.5 * np.pi, -0.5 * np.pi), g)
            ok = (g >= g_lo) & (g <= g_hi) & reach & np.isfinite(g)
            if sign < 0.0:
                ok &= psi != 0.0  # one vertical root only
            t = np.where(ok, _time_to_point(v0, g, r0, psi, r1, mu), np.inf)
            t = np.where((psi == 0.0) & (r1 == r0) & (nu < 2.0), 0.0, t)
            times.append(t)
            gammas.append(g)
        first = times[0] <= times[1]
        t_min = np.where(first, times[0], times[1])
        g_min = np.where(first, gammas[0], gammas[1])
        bad = ~np.isfinite(t_min)
    return MinTimeToReach(np.where(bad, np.nan, t_min), np.where(bad, np.nan, g_min))


__all__ += ["MinTimeToReach", "min_time_to_reach"]
