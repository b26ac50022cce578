"""Sine and cosine in plain arithmetic, for loops that LLVM compiles to vector instructions.

numba compiles ``math.sin`` and ``math.cos`` to calls of the C library (glibc's ``sincos``
when both are asked), and a loop with a call in it stays scalar. `sincos_poly` has no call
and no branch: Cody-Waite reduction by pi/2 in three parts, then the Taylor polynomials of sine
and cosine on [-pi/4, pi/4] in Horner form, then the quadrant's signs and swap by selects. A
loop of it over an array runs in vector registers (`sincos_rows`: about 3.3 ns an angle here,
against 13-14 ns for libm; decision 0026). Within 2 ulp of the C library's values for
|x| <= `SINCOS_POLY_MAX` (tested on random, large and near-multiple-of-pi/2 angles); beyond
that, and for inf and NaN, `sincos` and `sincos_rows` take the C library's values.

Constants:

* ``_PIO2_1``, ``_PIO2_2``: pi/2 cut into two doubles of 33 significant bits each, so that k
  times either is exact for |k| < 2^20; ``_PIO2_3`` the rest of pi/2 rounded to a double.
  Computed from 60 digits of pi with Python's ``decimal`` (``tests/unit/test_trig.py`` checks
  that the three add up to pi/2 within 1e-36). The classic method: W. J. Cody and W. Waite,
  *Software Manual for the Elementary Functions* (Prentice-Hall, 1980), ch. 8.
* The polynomial coefficients are the Taylor coefficients, +-1/n!. On |r| <= pi/4 the first
  neglected terms are below 4.7e-17 (sine, r^17/17!: 4.63e-17 at pi/4) and 2e-18 (cosine,
  r^18/18!), under half an ulp of the results (5.5e-17 at pi/4).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

_PIO2_1 = 1.5707963267341256
_PIO2_2 = 6.077100506303966e-11
_PIO2_3 = 2.0222662487959506e-21
_TWO_OVER_PI = 0.6366197723675814
#: Largest |x| (rad) whose sine and cosine `sincos_poly` computes (|k| <= 63,662 < 2^16
#: quadrants; the reduction stays exact up to 2^20): beyond it `sincos` and `sincos_rows` use
#: the C library.
SINCOS_POLY_MAX = 1.0e5
# no reference counting: `sincos_rows` allocates nothing (as `_integrator._NO_NRT`)
_NO_NRT: dict[str, Any] = {"_nrt": False}

# Taylor coefficients: sine r + r^3 (S3 + r^2 (S5 + ...)), cosine 1 + r^2 (C2 + r^2 (C4 + ...))
_S3, _S5, _S7, _S9 = -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0
_S11, _S13, _S15 = -1.0 / 39916800.0, 1.0 / 6227020800.0, -1.0 / 1307674368000.0
_C2, _C4, _C6, _C8 = -0.5, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0
_C10, _C12, _C14 = -1.0 / 3628800.0, 1.0 / 479001600.0, -1.0 / 87178291200.0
_C16 = 1.0 / 20922789888000.0


@numba.njit(cache=True, inline="always")
def sincos_poly(x: float) -> tuple[float, float]:
    """(sin x, cos x) without the C library and without branches, for |x| <=
    `SINCOS_POLY_MAX` (beyond it the result is not meaningful: use `sincos`)."""
    k = math.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
    z = r * r
    ps = _S3 + z * (_S5 + z * (_S7 + z * (_S9 + z * (_S11 + z * (_S13 + z * _S15)))))
    s = r + r * z * ps
    pc = _C2 + z * (_C4 + z * (_C6 + z * (_C8 + z * (_C10 + z * (_C12 + z * (_C14 + z * _C16))))))
    c = 1.0 + z * pc
    n = np.int64(k) & 3  # the quadrant: sin, cos = (s, c), (c, -s), (-s, -c), (-c, s)
    odd = (n & 1) == 1
    sn = c if odd else s
    cs = s if odd else c
    return (-sn if (n & 2) == 2 else sn), (-cs if ((n + 1) & 2) == 2 else cs)


@numba.njit(cache=True, inline="always")
def sincos(x: float) -> tuple[float, float]:
    """(sin x, cos x): `sincos_poly`'s values where it applies, else the C library's (the
    same values as `sincos_rows`, element by element)."""
    if abs(x) <= SINCOS_POLY_MAX:
        return sincos_poly(x)
    return math.sin(x), math.cos(x)


@numba.njit(cache=True, **_NO_NRT)
def sincos_rows(
    x: np.ndarray, lo: int | np.int64, hi: int | np.int64, s_out: np.ndarray, c_out: np.ndarray
) -> None:
    """`sincos` of x[lo:hi] into s_out[:hi - lo], c_out[:hi - lo]: `sincos_poly` in one loop
    that LLVM runs in vector registers, then the C library for the few elements out of its
    range (none, for angles of the Earth)."""
    for i in range(lo, hi):
        s_out[i - lo], c_out[i - lo] = sincos_poly(x[i])
    for i in range(lo, hi):
        if not abs(x[i]) <= SINCOS_POLY_MAX:
            s_out[i - lo], c_out[i - lo] = math.sin(x[i]), math.cos(x[i])
