"""Physical constants, each with its unit in the name and its source beside it."""

from __future__ import annotations

# WGS84 defining parameters: NIMA TR8350.2, 3rd ed. (2000), table 3.1.
WGS84_A_M = 6378137.0
WGS84_INV_F = 298.257223563
WGS84_F = 1.0 / WGS84_INV_F
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
# Earth gravitational constant including the atmosphere: NIMA TR8350.2, table 3.1.
WGS84_GM_M3_S2 = 3.986004418e14
# Nominal mean angular velocity of the Earth: NIMA TR8350.2, table 3.1 (same as IERS 2010).
OMEGA_EARTH_RAD_S = 7.292115e-5
# Second zonal harmonic (unnormalized), J2 = -sqrt(5) * C20bar with
# C20bar = -0.484166774985e-3 (EGM96 / NIMA TR8350.2, table 5.1 and section 5.2).
J2_WGS84 = 1.082629821313e-3

# Mean Earth radius used by the textbook `sphere` model (IUGG mean radius R1, rounded as the
# open BMD literature uses it, e.g. Wright & Kadyshev 1994).
SPHERE_RADIUS_M = 6371000.0

# Standard gravity, for converting specific impulse (s) to exhaust velocity (m/s):
# CGPM 1901, 3rd General Conference on Weights and Measures.
G0_M_S2 = 9.80665
