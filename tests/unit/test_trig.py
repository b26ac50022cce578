"""`physics.trig`: sine and cosine in plain arithmetic (decision 0026), against the C library."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.physics import trig

# 2 ulp of the larger of the result and 2^-1022 (the smallest normal double)
_ULPS = 2.0


def _ulps_off(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.abs(got - want) / np.spacing(np.maximum(np.abs(want), 2.0**-1022))


@numba.njit
def _libm(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> None:
    for i in range(x.shape[0]):
        s[i], c[i] = math.sin(x[i]), math.cos(x[i])


@numba.njit
def _scalar(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> None:
    for i in range(x.shape[0]):
        s[i], c[i] = trig.sincos(x[i])


def _rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, c = np.empty_like(x), np.empty_like(x)
    trig.sincos_rows(x, 0, x.shape[0], s, c)
    return s, c


def _angles() -> np.ndarray:
    rng = np.random.default_rng(26)
    # every multiple of pi/2 in range: |k| <= SINCOS_POLY_MAX / (pi/2) = 63,662
    k_max = int(trig.SINCOS_POLY_MAX / (np.pi / 2))
    half_pi_multiples = np.arange(-k_max, k_max + 1) * (np.pi / 2)
    return np.concatenate([
        rng.uniform(-7.0, 7.0, 100_000),
        rng.uniform(-trig.SINCOS_POLY_MAX, trig.SINCOS_POLY_MAX, 100_000),
        half_pi_multiples,  # sine or cosine near 0: the reduction's cancellation
        half_pi_multiples + rng.normal(0.0, 1e-9, half_pi_multiples.size),
        rng.uniform(-1e-8, 1e-8, 1000),
        [0.0, -0.0, 5e-324, math.pi / 4, -math.pi / 4, trig.SINCOS_POLY_MAX,
         -trig.SINCOS_POLY_MAX],
    ])  # fmt: skip


def test_pi_over_2_in_three_parts_adds_up() -> None:
    getcontext().prec = 60
    pio2 = Decimal("1.570796326794896619231321691639751442098584699687552910487472")
    parts = Decimal(trig._PIO2_1) + Decimal(trig._PIO2_2) + Decimal(trig._PIO2_3)
    assert abs(parts - pio2) < Decimal("1e-36")
    # the first two parts have at most 33 significant bits: k times either is exact for
    # |k| < 2^20, which the reduction needs
    for p in (trig._PIO2_1, trig._PIO2_2):
        m, _ = math.frexp(p)
        assert float(m * 2**33).is_integer()


def test_within_two_ulp_of_the_c_library() -> None:
    x = _angles()
    s, c = _rows(x)
    ls, lc = np.empty_like(x), np.empty_like(x)
    _libm(x, ls, lc)
    assert _ulps_off(s, ls).max() <= _ULPS
    assert _ulps_off(c, lc).max() <= _ULPS
    assert np.all(np.abs(s) <= 1.0) and np.all(np.abs(c) <= 1.0)
    np.testing.assert_array_equal(s[x == 0.0], x[x == 0.0])  # sin(+-0) = +-0
    assert np.all(c[x == 0.0] == 1.0)


@settings(max_examples=300, deadline=None)
@given(st.floats(-trig.SINCOS_POLY_MAX, trig.SINCOS_POLY_MAX))
def test_any_angle_in_range_within_two_ulp(x: float) -> None:
    s, c = trig.sincos_poly.py_func(x)
    assert _ulps_off(np.array([s, c]), np.array([math.sin(x), math.cos(x)])).max() <= _ULPS


def test_out_of_range_and_non_finite_take_the_c_library() -> None:
    x = np.array([1.0000001e5, -3e5, 1e9, 1e300, -1e300, np.inf, -np.inf, np.nan])
    s, c = _rows(x)
    ls, lc = np.empty_like(x), np.empty_like(x)
    _libm(x, ls, lc)
    np.testing.assert_array_equal(s, ls)
    np.testing.assert_array_equal(c, lc)
    assert np.all(np.isnan(s[-3:])) and np.all(np.isnan(c[-3:]))


def test_scalar_and_row_loops_give_the_same_bits() -> None:
    """`sincos` (the serial loops' call) equals `sincos_rows` (the vector loop) bit for bit,
    so a burnout state does not depend on its batch; and rows lo..hi land at 0..hi-lo."""
    x = np.concatenate([_angles(), [2e5, np.inf, np.nan]])
    s, c = _rows(x)
    ss, cs = np.empty_like(x), np.empty_like(x)
    _scalar(x, ss, cs)
    assert s.tobytes() == ss.tobytes() and c.tobytes() == cs.tobytes()
    lo, hi = 1000, 1257
    sp, cp = np.full(300, 7.0), np.full(300, 7.0)
    trig.sincos_rows(x, lo, hi, sp, cp)
    assert sp[: hi - lo].tobytes() == s[lo:hi].tobytes()
    assert cp[: hi - lo].tobytes() == c[lo:hi].tobytes()
    assert np.all(sp[hi - lo :] == 7.0) and np.all(cp[hi - lo :] == 7.0)
