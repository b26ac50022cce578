"""The default flyout settings against bmdsim at tight tolerances, for every catalogue missile.

Issue 2 asks for impacts within 10 m of a tight-tolerance reference. The benchmark checks that
on its own batches (benchmarks/run.py, against solve_ivp); this test checks it on the whole
catalogue, on the flights that decided the defaults in decision 0012: random launch points,
azimuths and lofts from 0.6 to 1.4 times the range-maximising one. Reference: rtol 1e-11,
boost_rtol 1e-12, 50 s largest step (its own error is about a centimetre: halving those
tolerances and the largest step moved these impacts by at most 1.05 cm, Minuteman III, when
the test was written). Tolerance: 10 m, the issue's budget (decision 0012 measured at most
4.3 m on 24 flights per missile; this test flies 6 per missile to stay fast; at writing the
largest difference here was 3.9 m, notional Iranian ICBM).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bmdsim.battle.world import AIM_TOL_M, ENGINE_FLYOUT
from bmdsim.models.missiles import load_missiles
from bmdsim.physics import _integrator as k
from bmdsim.physics.aiming import LOFT_MAX_RAD, LOFT_MIN_RAD, max_range_loft
from bmdsim.physics.earth import EarthModel
from bmdsim.physics.flyout import FlyoutSettings, fly_missiles, vehicle_arrays

CATALOG = load_missiles()
REFERENCE = FlyoutSettings(rtol=1e-11, atol_m=1e-5, atol_m_s=1e-8, boost_rtol=1e-12,
                           max_step_s=50.0, sample_dt_s=None)  # fmt: skip
DEFAULT = FlyoutSettings(sample_dt_s=None)
IMPACT_TOL_M = 10.0


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_default_settings_land_within_10_m_of_the_tight_reference(name: str) -> None:
    va = vehicle_arrays(CATALOG[name])
    l_star = max_range_loft(va, math.radians(45.0), math.radians(40.0), 0.0,
                            settings=REFERENCE)[1][0]  # fmt: skip
    rng = np.random.default_rng(sum(map(ord, name)))
    n = 6
    lat = np.radians(rng.uniform(20.0, 65.0, n))
    lon = np.radians(rng.uniform(-10.0, 100.0, n))
    az = rng.uniform(0.0, 2.0 * np.pi, n)
    loft = np.clip(l_star * rng.uniform(0.6, 1.4, n), LOFT_MIN_RAD, LOFT_MAX_RAD)
    v = va.take(np.zeros(n, dtype=np.int64))
    got = fly_missiles(v, lat, lon, az, loft, settings=DEFAULT)
    ref = fly_missiles(v, lat, lon, az, loft, settings=REFERENCE)
    assert got.ok.all() and ref.ok.all()
    d = np.linalg.norm(
        got.event_r_ecef_m[:, k.EV_IMPACT] - ref.event_r_ecef_m[:, k.EV_IMPACT], axis=1
    )
    assert d.max() <= IMPACT_TOL_M, (name, d)


def test_a_step_that_plunges_deep_underground_is_rejected_not_accepted() -> None:
    """A Topol-M cut off at 136.8 s on a nearly flat loft (0.05 deg), engine tolerances on the
    textbook sphere: its vacuum step sizes (100 s) carried it from 98 km deep below the ground
    in one step, where the error estimate is NaN. A NaN error must reject the step (it was
    accepted, and the flight then hung with ever smaller steps); the flight lands where the
    tight reference lands."""
    sphere = EarthModel.sphere(rotation=False)
    st = ENGINE_FLYOUT.with_(earth=sphere, sample_dt_s=None)
    args = (vehicle_arrays(CATALOG["topol-m"]), math.radians(56.86), math.radians(40.53),
            5.464020767614588, math.radians(0.05))  # fmt: skip
    got = fly_missiles(*args, cutoff_s=136.8, settings=st)
    ref = fly_missiles(*args, cutoff_s=136.8, settings=REFERENCE.with_(earth=sphere))
    assert got.ok.all() and ref.ok.all()
    d = np.linalg.norm(got.event_r_ecef_m[:, k.EV_IMPACT] - ref.event_r_ecef_m[:, k.EV_IMPACT])
    assert d < AIM_TOL_M  # the engine's aiming tolerance
