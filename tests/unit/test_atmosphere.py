"""Unit tests of bmdsim.physics.atmosphere (US Standard Atmosphere 1976).

Cross-check against the ``ambiance`` package (ICAO Standard Atmosphere 1993, identical to US76
from -5 km to 80 km; ambiance raises above 81.02 km): density within a relative tolerance of
1e-3 as required (measured agreement: 8.4e-6, the difference of ambiance's specific gas
constant 287.05287 J/(kg K) from US76's R*/M0); temperature, pressure and speed of sound within
1e-5 (measured: 3e-16, 9e-6, 4e-7).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from ambiance import Atmosphere
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.physics import atmosphere as A

AMBIANCE_ALTITUDES_M = np.concatenate(
    [np.linspace(-5000.0, 80000.0, 1701), [11019.0678, 20063.1237, 32161.9032, 47350.0922]]
)
ALTITUDE = st.floats(min_value=-5000.0, max_value=1.0e6, allow_nan=False)


# ------------------------------------------------------------------ against ambiance (ICAO 1993)


def test_density_matches_ambiance_0_to_80_km() -> None:
    ref = Atmosphere(AMBIANCE_ALTITUDES_M).density
    np.testing.assert_allclose(A.density_kg_m3(AMBIANCE_ALTITUDES_M), ref, rtol=1e-3, atol=0.0)


def test_temperature_pressure_sound_speed_match_ambiance() -> None:
    atm = Atmosphere(AMBIANCE_ALTITUDES_M)
    z = AMBIANCE_ALTITUDES_M
    np.testing.assert_allclose(A.temperature_k(z), atm.temperature, rtol=1e-5, atol=0.0)
    np.testing.assert_allclose(A.pressure_pa(z), atm.pressure, rtol=1e-5, atol=0.0)
    np.testing.assert_allclose(A.speed_of_sound_m_s(z), atm.speed_of_sound, rtol=1e-5, atol=0.0)


# ------------------------------------------------------------------ kernel and array API


def test_scalar_kernel_equals_vectorized() -> None:
    z = np.concatenate(
        [np.linspace(-5000.0, 1.2e6, 4001), [0.0, 85999.999, 86000.0, 86000.001, 1.0e6, 1.5e6]]
    )
    vec = A.density_kg_m3(z)
    scal = np.array([A.density_scalar(float(x)) for x in z])
    np.testing.assert_array_equal(vec, scal)


@given(ALTITUDE)
@settings(max_examples=200, deadline=None)
def test_scalar_kernel_equals_vectorized_property(h_m: float) -> None:
    assert A.density_kg_m3(h_m)[()] == A.density_scalar(h_m)


def test_shapes_and_dtypes() -> None:
    assert A.density_kg_m3(1000.0).shape == ()
    assert A.density_kg_m3(1000).dtype == np.float64
    z = np.linspace(0.0, 2.0e5, 24).reshape(2, 3, 4)
    for fn in (A.density_kg_m3, A.temperature_k):
        out = fn(z)
        assert out.shape == (2, 3, 4)
        np.testing.assert_array_equal(out.ravel(), fn(z.ravel()))
    zf = z[:, ::2, ::3]  # non-contiguous view
    np.testing.assert_array_equal(A.density_kg_m3(zf), A.density_kg_m3(zf.copy()))
    assert A.density_kg_m3([]).shape == (0,)


def test_nan_propagates() -> None:
    assert math.isnan(A.density_scalar(math.nan))
    out = A.density_kg_m3([math.nan, 0.0])
    assert math.isnan(out[0]) and out[1] > 1.2
    assert math.isnan(A.temperature_k(math.nan)[()])
    assert math.isnan(A.pressure_pa(math.nan)[()])


def test_domain_errors_are_typed() -> None:
    assert issubclass(A.AltitudeOutOfRangeError, ValueError)
    with pytest.raises(A.AltitudeOutOfRangeError):
        A.pressure_pa([0.0, 86001.0])
    with pytest.raises(A.AltitudeOutOfRangeError):
        A.speed_of_sound_m_s(-5001.0)
    with pytest.raises(A.AltitudeOutOfRangeError):
        A.temperature_k(1.0e6 + 1.0)
    # the edges themselves are inside
    A.pressure_pa([-5000.0, 86000.0])
    A.temperature_k([-5000.0, 1.0e6])
    # density never raises
    assert np.all(A.density_kg_m3([-2.0e4, 5.0e6]) > 0.0)


# ------------------------------------------------------------------ shape of the profile


def test_sea_level_values() -> None:
    # US76 table 2 / eq. 42: rho0 = P0 M0 / (R* T0) = 1.2249991 kg/m^3.
    assert A.density_scalar(0.0) == pytest.approx(101325.0 * 28.9644 / (8314.32 * 288.15), 1e-14)
    assert A.temperature_k(0.0)[()] == 288.15
    assert A.pressure_pa(0.0)[()] == pytest.approx(101325.0, rel=1e-15)
    assert A.speed_of_sound_m_s(0.0)[()] == pytest.approx(340.294, abs=1e-3)  # US76 Table I


def test_below_sea_level_continues_first_layer() -> None:
    # T = 288.15 K - 6.5 K/km' * H, H = r0 z / (r0 + z) (US76 eqs. 18, 23)
    z = -5000.0
    h_gp = 6356766.0 * z / (6356766.0 + z)
    assert A.temperature_k(z)[()] == pytest.approx(288.15 - 6.5e-3 * h_gp, rel=1e-14)
    rho = A.density_kg_m3([-5000.0, -2500.0, 0.0])
    assert rho[0] > rho[1] > rho[2]
    assert rho[0] == pytest.approx(Atmosphere(-5000.0).density[0], rel=1e-5)  # ICAO 1993


@pytest.mark.parametrize(
    "z_m", [11019.0678, 20063.1237, 32161.9032, 47350.0922, 51412.4796, 71801.9707, 86000.0, 1.0e6]
)
def test_density_continuous_at_boundaries(z_m: float) -> None:
    # 2 mm apart: the smooth change is < 2e-3 m / 5 km (smallest scale height) = 4e-7
    lo, hi = A.density_scalar(z_m - 1e-3), A.density_scalar(z_m + 1e-3)
    assert lo > hi
    assert hi / lo == pytest.approx(1.0, abs=5e-7)


def test_density_strictly_decreasing_on_dense_grid() -> None:
    z = np.linspace(-5000.0, 1.2e6, 1_200_001)  # 1.004 m steps, covers every table cell
    rho = A.density_kg_m3(z)
    assert np.all(rho > 0.0)
    assert np.all(np.diff(rho) < 0.0)


@given(ALTITUDE, st.floats(min_value=1e-2, max_value=1.0e6))
@settings(max_examples=500, deadline=None)
def test_density_monotone_and_positive_property(h_m: float, dh_m: float) -> None:
    lo = A.density_scalar(h_m)
    hi = A.density_scalar(min(h_m + dh_m, 1.0e6))
    assert lo > 0.0 and hi > 0.0
    if h_m + dh_m <= 1.0e6:
        assert hi < lo
    else:
        assert hi <= lo


@given(ALTITUDE, ALTITUDE)
@settings(max_examples=300, deadline=None)
def test_density_non_increasing_for_any_pair(a_m: float, b_m: float) -> None:
    lo, hi = min(a_m, b_m), max(a_m, b_m)
    assert A.density_scalar(hi) <= A.density_scalar(lo)


def test_extrapolation_above_table() -> None:
    rho_1000 = A.density_scalar(1.0e6)
    assert rho_1000 == pytest.approx(3.561e-15, rel=1e-12)  # US76 Table I node
    h_top = 100e3 / math.log(5.759e-15 / 3.561e-15)  # scale height of 900-1000 km
    assert A.density_scalar(1.5e6) == pytest.approx(rho_1000 * math.exp(-500e3 / h_top), 1e-12)


def test_negligible_above_120_km() -> None:
    z = np.linspace(120e3, 2.0e6, 2000)
    assert np.all(A.density_kg_m3(z) < 2.5e-8)


def test_temperature_above_86_km() -> None:
    # US76 Table I kinetic temperatures (K)
    z = np.array([86, 90, 100, 110, 120, 130, 150, 200, 500, 1000]) * 1e3
    t_ref = [186.87, 186.87, 195.08, 240.00, 360.00, 469.27, 634.39, 854.56, 999.24, 1000.00]
    np.testing.assert_allclose(A.temperature_k(z), t_ref, atol=0.006, rtol=0.0)
    # T_M below 86 km vs kinetic T above: the documented 0.08 K step
    assert A.temperature_k(85999.999)[()] - A.temperature_k(86000.0)[()] == pytest.approx(
        0.0806, abs=2e-3
    )


def test_kernel_is_numba_compiled() -> None:
    import numba.core.registry

    assert isinstance(A.density_scalar, numba.core.registry.CPUDispatcher)


# ------------------------------------------------- the piecewise cubics below 86 km (hot path)


@numba.njit(cache=False)
def _exact_lower(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z)
    for k in range(z.size):
        out[k] = A._lower_density(z[k])
    return out


def test_lower_cubics_within_1e_8_of_the_formulas() -> None:
    # 3 million points, ~30 per 1 m: the interpolation error of the 250 m cubics (decision 0014)
    z = np.linspace(A.ALTITUDE_MIN_M, np.nextafter(A.LOWER_ATMOSPHERE_TOP_M, 0.0), 3_000_001)
    rel = np.abs(A.density_kg_m3(z) / _exact_lower(z) - 1.0)
    assert rel.max() < 1.1e-8  # measured 1.02e-8 (32.4 km, just above the 32 km' layer base)
    # exact (to rounding) at the nodes, at the layer bases from either side, and at 86 km
    nodes = np.concatenate([A._CUBIC_COEF[:, 0], A.DENSITY_KINKS_M[:-1] - 1e-9])
    node_rel = np.abs(A.density_kg_m3(nodes) / _exact_lower(nodes) - 1.0)
    assert node_rel.max() < 1e-12
    below_top = float(np.nextafter(A.LOWER_ATMOSPHERE_TOP_M, 0.0))
    assert A.density_scalar(below_top) == pytest.approx(A._lower_density(below_top), rel=1e-14)


def test_lower_cubics_pieces_end_on_the_layer_bases() -> None:
    # each layer base is a piece boundary, so no cubic spans a jump of the density's slope
    bases = A.DENSITY_KINKS_M[:-1]
    assert np.isin(bases, A._CUBIC_COEF[:, 0]).all()
    assert np.isfinite(A._CUBIC_SPLIT).sum() == bases.size


def test_lower_cubics_piece_from_the_bases_below_is_the_tables_piece() -> None:
    """`_lower_density_cubic` finds a height's piece as its cell plus the layer bases at or
    below it (decision 0026): the piece the tables give, _CUBIC_FIRST[c] + (z >= split), for
    random heights, every cell edge and heights at, one double either side of, and 1e-9 to 0.5 m
    from every base."""
    rng = np.random.default_rng(26)
    bases = A._SPLIT_BASES_M
    near = np.concatenate(
        [
            (bases[:, None] + np.array([-0.5, -1e-9, 0.0, 1e-9, 0.5])).ravel(),
            np.nextafter(bases, -np.inf),
            np.nextafter(bases, np.inf),
        ]
    )
    edges = A.ALTITUDE_MIN_M + A._CUBIC_STEP_M * np.arange(A._N_CELLS)
    z = np.concatenate([rng.uniform(A.ALTITUDE_MIN_M, A.LOWER_ATMOSPHERE_TOP_M, 100_000), near,
                        edges, np.nextafter(edges[1:], -np.inf)])  # fmt: skip
    c = np.minimum(((z - A.ALTITUDE_MIN_M) * (1.0 / A._CUBIC_STEP_M)).astype(np.int64),
                   A._N_CELLS - 1)  # fmt: skip
    tables = A._CUBIC_FIRST[c] + (z >= A._CUBIC_SPLIT[c])
    from_bases = c + (z[:, None] >= bases[None, :]).sum(axis=1)
    np.testing.assert_array_equal(from_bases, tables)
    # and the compiled function takes that piece's cubic
    j = tables
    u = z - A._CUBIC_COEF[j, 0]
    co = A._CUBIC_COEF
    want = co[j, 1] + u * (co[j, 2] + u * (co[j, 3] + u * co[j, 4]))
    got = np.array([A.density_scalar(float(v)) for v in z])
    np.testing.assert_array_equal(got, want)


@given(st.floats(min_value=-5000.0, max_value=85999.0))
@settings(max_examples=300, deadline=None)
def test_lower_cubics_property(z_m: float) -> None:
    assert A.density_scalar(z_m) == pytest.approx(A._lower_density(z_m), rel=1.1e-8)


@numba.njit(cache=True)
def _lanes_style(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`lower_cubic_density` and `in_lower_cubics` compiled in a loop, as the integrator's lanes
    take them (`_integrator._lanes_density`)."""
    rho, inside = np.empty_like(h), np.empty(h.shape, dtype=np.bool_)
    for k in range(h.size):
        rho[k] = A.lower_cubic_density(h[k])
        inside[k] = A.in_lower_cubics(h[k])
    return rho, inside


def test_lower_cubic_density_is_density_scalar_bit_for_bit_where_it_applies() -> None:
    """The lanes' branch-free density (decision 0024) equals `density_scalar` to the last bit
    for every height of the piecewise cubics, and says which heights those are: the ends
    (-5 km in, 86 km out), the pieces' nodes and split points and either side of them, random
    heights; NaN, inf and heights outside are not its (a finite value of no meaning)."""
    rng = np.random.default_rng(7)
    nodes = A._CUBIC_COEF[:, 0]
    splits = A._CUBIC_SPLIT[np.isfinite(A._CUBIC_SPLIT)]
    edge = np.concatenate([nodes, splits, A.DENSITY_KINKS_M])
    h = np.concatenate([
        rng.uniform(A.ALTITUDE_MIN_M, A.LOWER_ATMOSPHERE_TOP_M, 20000),
        edge, np.nextafter(edge, -np.inf), np.nextafter(edge, np.inf),
        [A.ALTITUDE_MIN_M, np.nextafter(A.ALTITUDE_MIN_M, -np.inf),
         np.nextafter(A.LOWER_ATMOSPHERE_TOP_M, -np.inf), A.LOWER_ATMOSPHERE_TOP_M,
         9e4, 5e5, 2e6, -6e3, -1e9, np.inf, -np.inf, np.nan],
    ])  # fmt: skip
    rho, inside = _lanes_style(h)
    want_inside = (h >= A.ALTITUDE_MIN_M) & (h < A.LOWER_ATMOSPHERE_TOP_M)
    np.testing.assert_array_equal(inside, want_inside)
    assert inside.sum() > 20000 and (~inside).sum() >= 10
    ref = A._density_loop(h[inside])
    np.testing.assert_array_equal(rho[inside].view(np.int64), ref.view(np.int64))
    assert np.isfinite(rho).all()
