"""U.S. Standard Atmosphere 1976: density from -5 km to 1000 km, and T, p, a where defined.

Reference: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562, NOAA/NASA/USAF, Washington DC,
October 1976 (NTRS 19770009539), below cited as "US76".

Model, by geometric altitude z (all inputs are geometric altitudes in metres above the
mean-sea-level reference surface):

* ``z < 86 km``: the exact US76 hydrostatic layer formulas (US76 sec. 1.2, eqs. 18, 23, 33a,
  33b, 42; table 4). Geopotential altitude ``H = r0 z / (r0 + z)`` with ``r0 = 6356.766 km``;
  seven layers of linear molecular-scale temperature ``T_M(H)`` with the lapse rates of table 4;
  ``M0 = 28.9644 kg/kmol``, ``R* = 8314.32 J/(kmol K)``, ``g0 = 9.80665 m/s^2``; the base
  pressures are chained from ``P0 = 101325 Pa`` in float64. Below 0 m the first layer is
  continued (no error); it is smooth, positive and monotone for every ``z < 0``, and validated
  down to -5 km (the lower limit of the ICAO/ISO tables).
* ``86 km <= z <= 1000 km``: published US76 Table I densities (``_UPPER_NODES``, every 4-10 km
  up to 200 km, 50-100 km above) interpolated *log-linearly relative to a hydrostatic reference
  profile*: ``ln rho(z) = ln rho_ref(z) + lin_interp(z; ln rho_k - ln rho_ref(z_k))`` where
  ``rho_ref`` solves ``d ln rho_ref / dz = -d ln T / dz - M0 g(z) / (R* T(z))`` with the exact
  US76 kinetic temperature profile above 86 km (US76 eqs. 25-31; g from US76 eq. 17). The nodes
  are reproduced exactly. Plain log-linear interpolation of the same nodes would err by an
  estimated 1-3 % between 100 and 160 km (the temperature rises from 195 K to 700 K there);
  with the reference profile the leave-one-out error (each node predicted from its two
  neighbours, i.e. across twice the real spacing) is 1.4 % at 100 km, <= 0.55 % from 110 to
  190 km and 0.9 % at 200 km, so the interpolation error at the real spacing is a few tenths
  of a percent (see ``tests/validation/test_atmosphere_us76.py``). The 86 km node is the exact
  value of the lower formulas there, so the density is continuous at 86 km.
* ``z > 1000 km``: exponential extrapolation with the scale height of the last published
  interval (900-1000 km, ~208 km).

Above ~120 km the density is below 2.5e-8 kg/m^3 (US76: 2.222e-8 kg/m^3 at 120 km). For a
ballistic missile or reentry vehicle (ballistic coefficient >~ 1e3 kg/m^2 at >~ 2 km/s) the
drag deceleration there is ``rho v^2 / (2 beta) <~ 1e-3 m/s^2``: negligible against gravity for
the flight times involved, so the crude representation above 120 km (and anything above
1000 km) has no effect on trajectories. The density is positive, continuous and monotonically
decreasing for every altitude (checked by property tests on [-5 km, 1000 km]).

The hot path is the numba kernel :func:`density_scalar`. Below 86 km it evaluates piecewise
cubics built once at import from the exact formulas (the Hermite interpolant of the exact
density and its exact slope on a 250 m grid whose cells are split at the layer bases): within
1.1e-8 relative of the formulas, exact at the nodes, about 13 ns a call instead of 42 ns for the
formulas' ``pow`` and layer search (decision 0014). Above 86 km it reads a 250 m table of
``ln rho`` built once at import from the construction above. Below -5 km it evaluates the
formulas. The array function :func:`density_kg_m3` runs that same kernel in a compiled loop:
one implementation only.

Temperature: below 86 km :func:`temperature_k` returns the molecular-scale temperature
``T_M`` as printed in US76 Table I; it equals the kinetic temperature below 80 km and exceeds it
by at most 0.043 % (0.08 K at 86 km, ``M/M0 = 0.999579``, US76 table 8) between 80 and 86 km.
Density, pressure and speed of sound are exact with ``T_M`` and ``M0``. From 86 km up the
kinetic temperature of US76 eqs. 25-31 is returned. Pressure and speed of sound are given for
-5 km to 86 km only (US76 defines no speed of sound above 86 km, sec. 1.3.10).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ALTITUDE_MIN_M",
    "DENSITY_KINKS_M",
    "LOWER_ATMOSPHERE_TOP_M",
    "TABLE_TOP_M",
    "AltitudeOutOfRangeError",
    "density_kg_m3",
    "density_scalar",
    "pressure_pa",
    "speed_of_sound_m_s",
    "temperature_k",
]


class AltitudeOutOfRangeError(ValueError):
    """An altitude lies outside the domain of the requested atmospheric quantity."""


# --- US76 constants (NOAA-S/T 76-1562, sec. 1.2 and table 2) --------------------------------
_R0_M = 6356766.0  # effective Earth radius for geopotential altitude (US76 eq. 18)
_G0_M_S2 = 9.80665  # sea-level gravity g0 (US76 table 2; = CGPM 1901 standard gravity)
_M0_KG_KMOL = 28.9644  # sea-level mean molecular weight (US76 table 2)
_RSTAR_J_KMOL_K = 8314.32  # gas constant R* (US76 table 2)
_P0_PA = 101325.0  # sea-level pressure (US76 table 2)
_GAMMA_AIR = 1.40  # ratio of specific heats (US76 eq. 50)
# g0 M0 / R*, in K/m'
_GMR_K_M = _G0_M_S2 * _M0_KG_KMOL / _RSTAR_J_KMOL_K

#: Lowest altitude at which the model is validated (first layer continued below 0 m), m.
ALTITUDE_MIN_M = -5000.0
#: Top of the exact hydrostatic layers (geometric 86 km = geopotential 84.852 km'), m.
LOWER_ATMOSPHERE_TOP_M = 86000.0
#: Top of the published table; exponential extrapolation above, m.
TABLE_TOP_M = 1000000.0

# Layer bases: geopotential altitude (m') and molecular-scale temperature gradient (K/m'),
# US76 table 4.
_HB_M = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0])
_LB_K_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])


@numba.njit(cache=True)
def _layer_pressure(p_base: float, t_base: float, lapse: float, dh: float) -> float:
    """US76 eqs. 33a/33b: pressure ``dh`` geopotential metres above a layer base."""
    if lapse == 0.0:
        return p_base * math.exp(-_GMR_K_M * dh / t_base)
    return p_base * (t_base / (t_base + lapse * dh)) ** (_GMR_K_M / lapse)


def _layer_bases() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Base temperatures (K) and pressures (Pa) of the seven layers, chained from sea level."""
    tb = np.empty(7)
    pb = np.empty(7)
    tb[0], pb[0] = 288.15, _P0_PA
    for i in range(1, 7):
        dh = _HB_M[i] - _HB_M[i - 1]
        tb[i] = tb[i - 1] + _LB_K_M[i - 1] * dh
        pb[i] = _layer_pressure(pb[i - 1], tb[i - 1], _LB_K_M[i - 1], dh)
    return tb, pb


_TB_K, _PB_PA = _layer_bases()

#: Geometric altitudes (m, increasing) where the density's slope jumps: the bases of US76
#: layers 2-7 (the temperature gradient changes there, so d ln(rho)/dz does) and the 86 km
#: junction with the table above. The flight integrator ends steps on them, as it does on
#: stage ignitions: a step that straddles a kink has an error of second order in its length,
#: and the step-size control then rejects and shrinks steps around it.
DENSITY_KINKS_M = np.append(_R0_M * _HB_M[1:] / (_R0_M - _HB_M[1:]), LOWER_ATMOSPHERE_TOP_M)


@numba.njit(cache=True)
def _lower_tm_p(z_m: float) -> tuple[float, float]:
    """Molecular-scale temperature (K) and pressure (Pa) below 86 km (US76 eqs. 18, 23, 33)."""
    h_gp = _R0_M * z_m / (_R0_M + z_m)
    i = 6
    while i > 0 and h_gp < _HB_M[i]:
        i -= 1
    dh = h_gp - _HB_M[i]
    return _TB_K[i] + _LB_K_M[i] * dh, _layer_pressure(_PB_PA[i], _TB_K[i], _LB_K_M[i], dh)


@numba.njit(cache=True)
def _lower_density(z_m: float) -> float:
    """Density (kg/m^3) below 86 km, US76 eq. 42 with ``T_M`` and ``M0``."""
    tm, p = _lower_tm_p(z_m)
    return p * _M0_KG_KMOL / (_RSTAR_J_KMOL_K * tm)


# --- The density below 86 km as piecewise cubics (the hot path) -------------------------------
# The exact formulas cost a `pow` and a layer search per call (~44 ns), about a fifth of a flight
# with drag. Below 86 km `density_scalar` evaluates instead the cubic Hermite interpolant of the
# exact density and its exact slope at the ends of pieces of at most `_CUBIC_STEP_M` of
# geometric altitude. The pieces end on the layer bases (`DENSITY_KINKS_M`), so each lies in one
# layer, where rho is smooth. Interpolation error: the Hermite remainder, (250 m)^4 / 384 times
# |d4 rho / dz4|, which is about rho / H^4 with the density scale height H >= 5.9 km below
# 86 km, i.e. about 1e-8 relative; measured <= 1.02e-8 (at 32.4 km; tests/unit/
# test_atmosphere.py). The nodes are exact; the slope is continuous except at the layer bases,
# where the exact one jumps too. Decision 0014.
_CUBIC_STEP_M = 250.0


def _lower_slope_ln_rho(z_m: float, layer: int) -> float:
    """d ln(rho) / dz (1/m) below 86 km within `layer` (one-sided at its base): US76 eqs. 18, 33
    and 42 give d ln rho / dH = -(g0 M0 / R* + L) / T_M, and dH / dz = (r0 / (r0 + z))^2."""
    h_gp = _R0_M * z_m / (_R0_M + z_m)
    tm = _TB_K[layer] + _LB_K_M[layer] * (h_gp - _HB_M[layer])
    return -(_GMR_K_M + _LB_K_M[layer]) / tm * (_R0_M / (_R0_M + z_m)) ** 2


def _build_lower_cubics() -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Pieces from ALTITUDE_MIN_M to 86 km: a uniform grid of `_CUBIC_STEP_M`, each cell that
    holds a layer base split there. Returns coef (P, 5): each piece's base altitude, then c0..c3
    of rho = c0 + u (c1 + u (c2 + u c3)) with u = z - base; split (C,): the layer base inside
    cell c, or +inf; first (C,): the index of cell c's first piece."""
    n_cells = round((LOWER_ATMOSPHERE_TOP_M - ALTITUDE_MIN_M) / _CUBIC_STEP_M)
    edges = ALTITUDE_MIN_M + _CUBIC_STEP_M * np.arange(n_cells + 1, dtype=np.float64)
    bases = DENSITY_KINKS_M[:-1]  # the layer bases (the last kink is the top, 86 km)
    split = np.full(n_cells, np.inf)
    first = np.empty(n_cells, dtype=np.int64)
    pieces: list[tuple[float, float]] = []
    for c in range(n_cells):
        first[c] = len(pieces)
        lo, hi = float(edges[c]), float(edges[c + 1])
        inside = bases[(bases > lo) & (bases < hi)]
        if inside.size:
            split[c] = float(inside[0])
            pieces += [(lo, split[c]), (split[c], hi)]
        else:
            pieces.append((lo, hi))
    coef = np.empty((len(pieces), 5))
    for j, (za, zb) in enumerate(pieces):
        z_mid = 0.5 * (za + zb)
        h_mid = _R0_M * z_mid / (_R0_M + z_mid)
        layer = max(0, int(np.searchsorted(_HB_M, h_mid, side="right")) - 1)  # 0 below 0 m
        ra, rb = _lower_density(za), _lower_density(zb)
        da = ra * _lower_slope_ln_rho(za, layer)
        db = rb * _lower_slope_ln_rho(zb, layer)
        w = zb - za
        secant = (rb - ra) / w
        coef[j] = za, ra, da, (3.0 * secant - 2.0 * da - db) / w, (da + db - 2.0 * secant) / w**2
    return coef, split, first


_CUBIC_COEF, _CUBIC_SPLIT, _CUBIC_FIRST = _build_lower_cubics()
_N_CELLS = _CUBIC_SPLIT.size
# The layer bases that split a cell (all of them: none lies on a cell edge, checked here with a
# metre to spare, so that the rounding of a height's cell cannot matter). A height's piece is its
# cell plus the number of these bases at or below it: the same piece as _CUBIC_FIRST[c] +
# (z >= _CUBIC_SPLIT[c]), found without looking up the tables first, so that a loop over the
# SIMD lanes waits on one gather of the coefficients instead of two in a row (decision 0026).
_SPLIT_BASES_M = _CUBIC_SPLIT[np.isfinite(_CUBIC_SPLIT)].copy()
_base_cells = (_SPLIT_BASES_M - ALTITUDE_MIN_M) / _CUBIC_STEP_M
# the distance (m) from the layer bases to their nearest cell edges
_BASE_EDGE_GAP_M = float(np.min(np.abs(_base_cells - np.round(_base_cells))) * _CUBIC_STEP_M)
if _SPLIT_BASES_M.size != DENSITY_KINKS_M.size - 1 or _BASE_EDGE_GAP_M < 1.0:
    raise RuntimeError("a US76 layer base lies on a cell edge of the density cubics")


@numba.njit(cache=True, inline="always")
def _lower_density_cubic(z_m: float) -> float:
    """`_lower_density` from the piecewise cubics, for ALTITUDE_MIN_M <= z_m < 86 km."""
    j = min(int((z_m - ALTITUDE_MIN_M) * (1.0 / _CUBIC_STEP_M)), _N_CELLS - 1)
    for b in _SPLIT_BASES_M:
        j += 1 if z_m >= b else 0
    u = z_m - _CUBIC_COEF[j, 0]
    return _CUBIC_COEF[j, 1] + u * (
        _CUBIC_COEF[j, 2] + u * (_CUBIC_COEF[j, 3] + u * _CUBIC_COEF[j, 4])
    )


@numba.njit(cache=True, inline="always")
def in_lower_cubics(h_m: float) -> bool:
    """Whether `density_scalar` takes h_m's density from the piecewise cubics
    (ALTITUDE_MIN_M <= h_m < 86 km; False for NaN)."""
    return (h_m >= ALTITUDE_MIN_M) & (h_m < LOWER_ATMOSPHERE_TOP_M)


@numba.njit(cache=True, inline="always")
def lower_cubic_density(h_m: float) -> float:
    """`density_scalar(h_m)`, bit for bit, where `in_lower_cubics(h_m)`; elsewhere (NaN and inf
    included) a finite value of no meaning. No branch and no library call: inlined into a loop
    over several heights, LLVM can evaluate it in vector registers (the integrator's lanes,
    `_integrator._lanes_density`)."""
    return _lower_density_cubic(h_m if in_lower_cubics(h_m) else ALTITUDE_MIN_M)


# --- US76 kinetic temperature above 86 km (eqs. 25-31, table 5, appendix B) ------------------
_T7_K = 186.8673
_TC_K, _A_ELL_K, _A_ELL_M = 263.1905, -76.3232, -19942.9  # eq. 27 ellipse, 91-110 km
_T9_K, _LK9_K_M = 240.0, 12.0e-3  # eq. 29, 110-120 km
_T10_K, _TINF_K = 360.0, 1000.0  # eq. 31, 120-1000 km
_LAMBDA_1_M = _LK9_K_M / (_TINF_K - _T10_K)  # 1.875e-5 1/m


@numba.njit(cache=True)
def _upper_temperature(z_m: float) -> float:
    """Kinetic temperature (K) for z >= 86 km (US76 eqs. 25-31)."""
    if z_m < 91000.0:
        return _T7_K
    if z_m < 110000.0:
        x = (z_m - 91000.0) / _A_ELL_M
        return _TC_K + _A_ELL_K * math.sqrt(max(0.0, 1.0 - x * x))
    if z_m < 120000.0:
        return _T9_K + _LK9_K_M * (z_m - 110000.0)
    xi = (z_m - 120000.0) * (_R0_M + 120000.0) / (_R0_M + z_m)
    return _TINF_K - (_TINF_K - _T10_K) * math.exp(-_LAMBDA_1_M * xi)


@numba.njit(cache=True)
def _temperature_scalar(h_m: float) -> float:
    if h_m >= LOWER_ATMOSPHERE_TOP_M:
        return _upper_temperature(h_m)
    return _lower_tm_p(h_m)[0]


@numba.njit(cache=True)
def _tpa_loop(h_m: NDArray[np.float64], which: int) -> NDArray[np.float64]:
    """0: temperature (K), 1: pressure (Pa), 2: speed of sound (m/s)."""
    out = np.empty_like(h_m)
    for k in range(h_m.size):
        if which == 0:
            out[k] = _temperature_scalar(h_m[k])
        elif which == 1:
            out[k] = _lower_tm_p(h_m[k])[1]
        else:
            tm = _lower_tm_p(h_m[k])[0]
            out[k] = math.sqrt(_GAMMA_AIR * _RSTAR_J_KMOL_K * tm / _M0_KG_KMOL)
    return out


# --- Published US76 densities above 86 km ------------------------------------------------------
# Geometric altitude (km) and density (kg/m^3), US76 Table I (four significant figures). The
# values at 90, 95, 100, 110, 115, 120, 130, 140, 150, 200, 300, 500, 750 and 1000 km agree to
# <= 0.05 % with the mass density summed from the species number densities of US76 Table VIII.
# The other rows are Table I as reproduced in secondary tables (e.g. H. D. Curtis, *Orbital
# Mechanics for Engineering Students*, 3rd ed., Elsevier 2014, atmosphere table of ch. 12,
# which cites US76). The 86 km row (6.958e-6 in Table I) is replaced at import by the exact value
# of the lower formulas, 6.957824e-6 (US76 appendix A: 6.957880e-6 at H = 84.8520 km'; geometric
# 86 km is H = 84.85205 km'), so that the density is continuous.
_UPPER_NODES = np.array(
    [
        (86.0, 6.958e-6),
        (90.0, 3.416e-6),
        (95.0, 1.393e-6),
        (100.0, 5.604e-7),
        (110.0, 9.708e-8),
        (115.0, 4.289e-8),
        (120.0, 2.222e-8),
        (130.0, 8.152e-9),
        (140.0, 3.831e-9),
        (150.0, 2.076e-9),
        (160.0, 1.233e-9),
        (170.0, 7.815e-10),
        (180.0, 5.194e-10),
        (190.0, 3.581e-10),
        (200.0, 2.541e-10),
        (250.0, 6.073e-11),
        (300.0, 1.916e-11),
        (350.0, 7.014e-12),
        (400.0, 2.803e-12),
        (450.0, 1.184e-12),
        (500.0, 5.215e-13),
        (600.0, 1.137e-13),
        (700.0, 3.070e-14),
        (750.0, 1.788e-14),
        (800.0, 1.136e-14),
        (900.0, 5.759e-15),
        (1000.0, 3.561e-15),
    ]
)

_TABLE_STEP_M = 250.0
_QUAD_SUBSTEPS = 25  # trapezoid sub-steps per table step for the reference profile


def _reference_log_density(z_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hydrostatic reference ``ln(rho_ref / rho_ref(86 km))`` on an increasing grid from 86 km.

    ``d ln rho_ref / dz = -d ln T / dz - M0 g(z) / (R* T(z))`` with the US76 kinetic temperature
    and ``g = g0 (r0 / (r0 + z))^2`` (US76 eq. 17). The integral is a composite trapezoid rule on
    a grid ``_QUAD_SUBSTEPS`` times finer than ``z_m`` (``z_m`` must be uniformly spaced).
    """
    n_fine = (z_m.size - 1) * _QUAD_SUBSTEPS + 1
    zf = np.linspace(z_m[0], z_m[-1], n_fine)
    tf = _tpa_loop(zf, 0)
    integrand = _GMR_K_M * (_R0_M / (_R0_M + zf)) ** 2 / tf
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(zf))))
    return (-np.log(tf / tf[0]) - cum)[::_QUAD_SUBSTEPS]


def _upper_log_density_table(
    z_nodes_m: NDArray[np.float64], ln_rho_nodes: NDArray[np.float64], z_grid_m: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``ln rho`` on ``z_grid_m`` (uniform, starting at the first node) from published nodes.

    Linear interpolation of ``ln rho_k - ln rho_ref(z_k)`` between nodes (all nodes must lie on
    the grid), added to the reference profile.
    """
    ln_ref = _reference_log_density(z_grid_m)
    node_idx = np.rint((z_nodes_m - z_grid_m[0]) / (z_grid_m[1] - z_grid_m[0])).astype(np.int64)
    residual = ln_rho_nodes - ln_ref[node_idx]
    return ln_ref + np.interp(z_grid_m, z_nodes_m, residual)


def _build_upper_table() -> NDArray[np.float64]:
    z_nodes = _UPPER_NODES[:, 0] * 1000.0
    ln_rho = np.log(_UPPER_NODES[:, 1])
    ln_rho[0] = math.log(_lower_density(LOWER_ATMOSPHERE_TOP_M))
    n = round((TABLE_TOP_M - LOWER_ATMOSPHERE_TOP_M) / _TABLE_STEP_M) + 1
    grid = LOWER_ATMOSPHERE_TOP_M + _TABLE_STEP_M * np.arange(n, dtype=np.float64)
    return _upper_log_density_table(z_nodes, ln_rho, grid)


_LN_RHO_TABLE = _build_upper_table()
_N_TABLE = _LN_RHO_TABLE.size
# Scale height of the last published interval (900-1000 km), m.
_H_TOP_M = (
    (_UPPER_NODES[-1, 0] - _UPPER_NODES[-2, 0])
    * 1000.0
    / math.log(_UPPER_NODES[-2, 1] / _UPPER_NODES[-1, 1])
)
_LN_RHO_TOP = float(_LN_RHO_TABLE[-1])


@numba.njit(cache=True)
def density_scalar(h_m: float) -> float:
    """US76 air density at one geometric altitude (numba kernel).

    Parameters
    ----------
    h_m : float
        Geometric altitude above the reference surface, m. Finite values of any size are
        accepted; validated range -5 km to 1000 km (see module docstring).

    Returns
    -------
    float
        Density, kg/m^3 (positive, continuous, strictly decreasing in ``h_m``). NaN for NaN.

    References
    ----------
    U.S. Standard Atmosphere, 1976, NOAA-S/T 76-1562: eqs. 18, 33, 42 below 86 km (from -5 km
    as piecewise cubics within 1.1e-8 relative of them); Table I above 86 km.
    """
    if h_m >= TABLE_TOP_M:
        return math.exp(_LN_RHO_TOP - (h_m - TABLE_TOP_M) / _H_TOP_M)
    if h_m >= LOWER_ATMOSPHERE_TOP_M:
        x = (h_m - LOWER_ATMOSPHERE_TOP_M) / _TABLE_STEP_M
        i = min(int(x), _N_TABLE - 2)
        f = x - i
        return math.exp(_LN_RHO_TABLE[i] + f * (_LN_RHO_TABLE[i + 1] - _LN_RHO_TABLE[i]))
    if h_m >= ALTITUDE_MIN_M:
        return _lower_density_cubic(h_m)
    return _lower_density(h_m)  # also for NaN


@numba.njit(cache=True)
def _density_loop(h_m: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.empty_like(h_m)
    for k in range(h_m.size):
        out[k] = density_scalar(h_m[k])
    return out


def _as_float_array(h_m: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(h_m, dtype=np.float64)


def _check_range(h: NDArray[np.float64], top_m: float, quantity: str) -> None:
    bad = (h < ALTITUDE_MIN_M) | (h > top_m)
    if np.any(bad):
        raise AltitudeOutOfRangeError(
            f"{quantity} is defined for altitudes in [{ALTITUDE_MIN_M:g}, {top_m:g}] m; got "
            f"{h[bad].ravel()[0]:g} m"
        )


def density_kg_m3(h_m: ArrayLike) -> NDArray[np.float64]:
    """US76 air density at geometric altitudes (array version of :func:`density_scalar`).

    Parameters
    ----------
    h_m : array_like
        Geometric altitude, m, any shape. Never raises for finite or NaN input (batch
        elements are independent); validated range -5 km to 1000 km, exponential
        extrapolation above 1000 km, first-layer formula continued below -5 km.

    Returns
    -------
    numpy.ndarray
        Density, kg/m^3, same shape as ``h_m`` (0-d for a scalar).

    References
    ----------
    U.S. Standard Atmosphere, 1976, NOAA-S/T 76-1562 (see module docstring).
    """
    h = _as_float_array(h_m)
    return _density_loop(h.ravel()).reshape(h.shape)


def temperature_k(h_m: ArrayLike) -> NDArray[np.float64]:
    """US76 temperature at geometric altitudes from -5 km to 1000 km.

    Parameters
    ----------
    h_m : array_like
        Geometric altitude, m, any shape, within [-5 km, 1000 km] (NaN passes through).

    Returns
    -------
    numpy.ndarray
        Temperature, K: molecular-scale temperature ``T_M`` below 86 km (as printed in US76
        Table I; equal to the kinetic temperature below 80 km, at most 0.08 K above it up to
        86 km), kinetic temperature (US76 eqs. 25-31) from 86 km.

    Raises
    ------
    AltitudeOutOfRangeError
        If any altitude is outside [-5 km, 1000 km].
    """
    h = _as_float_array(h_m)
    _check_range(h, TABLE_TOP_M, "temperature")
    return _tpa_loop(h.ravel(), 0).reshape(h.shape)


def pressure_pa(h_m: ArrayLike) -> NDArray[np.float64]:
    """US76 pressure at geometric altitudes from -5 km to 86 km (US76 eqs. 33a, 33b).

    Parameters
    ----------
    h_m : array_like
        Geometric altitude, m, any shape, within [-5 km, 86 km] (NaN passes through).

    Returns
    -------
    numpy.ndarray
        Pressure, Pa.

    Raises
    ------
    AltitudeOutOfRangeError
        If any altitude is outside [-5 km, 86 km].
    """
    h = _as_float_array(h_m)
    _check_range(h, LOWER_ATMOSPHERE_TOP_M, "pressure")
    return _tpa_loop(h.ravel(), 1).reshape(h.shape)


def speed_of_sound_m_s(h_m: ArrayLike) -> NDArray[np.float64]:
    """US76 speed of sound ``sqrt(gamma R* T_M / M0)``, gamma = 1.40 (US76 eq. 50).

    Parameters
    ----------
    h_m : array_like
        Geometric altitude, m, any shape, within [-5 km, 86 km] (NaN passes through).

    Returns
    -------
    numpy.ndarray
        Speed of sound, m/s.

    Raises
    ------
    AltitudeOutOfRangeError
        If any altitude is outside [-5 km, 86 km] (US76 defines no speed of sound above).
    """
    h = _as_float_array(h_m)
    _check_range(h, LOWER_ATMOSPHERE_TOP_M, "speed of sound")
    return _tpa_loop(h.ravel(), 2).reshape(h.shape)
