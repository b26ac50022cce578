"""Issue 3 'must show' (property): an interceptor with a higher burnout speed never has a
smaller footprint. Same threats (a Sejjil-2 class fan from northern Iran), same track
assumption, two fly-out tables.

Qualification (docs/model/interceptor-flyout.md): with launch elevations >= 2 deg, a faster
interceptor's lowest arc is higher, so a low, distant point can be reachable for a slower one
and not for the faster one; above the 70 km floor used here this did not occur in any case
drawn (14 random cases at 2-7.4 km/s checked by hand besides these). The draw is derandomized
so that CI runs the same cases every time."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.engagement.flyout_table import InterceptorKinematics, get_flyout_table
from bmdsim.engagement.footprint import footprint
from bmdsim.models.missiles import get_missile
from bmdsim.physics.earth import WGS84, geodetic_to_ecef
from bmdsim.physics.flyout import vehicle_arrays

SITE = geodetic_to_ecef(math.radians(39.9), math.radians(32.9), 900.0, WGS84)  # near Ankara
VEH = vehicle_arrays(get_missile("sejjil-2"))
GRID_LAT = np.arange(35.0, 46.0, 1.0)
GRID_LON = np.arange(26.0, 46.0, 1.0)


def area(speed_m_s: float, track_s: float) -> tuple[float, np.ndarray]:
    kin = InterceptorKinematics(speed_m_s, 40.0, 70e3, 1000e3, 600.0)
    fp, _ = footprint(SITE, get_flyout_table(kin), VEH, [], np.array([36.2]), np.array([53.5]),
                      GRID_LAT, GRID_LON, fire_time_s=track_s, n_az=15, n_range=12)  # fmt: skip
    return fp.area_once_km2, fp.defended_once


@settings(max_examples=4, deadline=None, derandomize=True)
@given(v=st.floats(2000.0, 5000.0), dv=st.floats(300.0, 2000.0), track=st.floats(60.0, 250.0))
def test_faster_interceptor_never_defends_less(v: float, dv: float, track: float) -> None:
    slow_area, slow = area(v, track)
    fast_area, fast = area(v + dv, track)
    assert fast_area >= slow_area
    assert np.all(fast[slow])  # every cell the slow one defends, the fast one defends too
