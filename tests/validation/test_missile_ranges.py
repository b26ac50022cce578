"""Every catalog missile's computed maximum range is within 15 % of its cited range
(issue 2 'must show'). Computed: minimum-energy full-burn flight over the non-rotating WGS84
Earth with J2 and US76 drag, launched along the equator (the convention of
`bmdsim missiles`); cited: each entry's `cited_range_km` with its source in the catalog."""

from __future__ import annotations

import numpy as np
import pytest

from bmdsim.models.missiles import load_missiles
from bmdsim.physics.aiming import max_range_loft
from bmdsim.physics.earth import EarthModel
from bmdsim.physics.flyout import FlyoutSettings, vehicle_arrays

CATALOG = load_missiles()
SETTINGS = FlyoutSettings(earth=EarthModel.wgs84(rotation=False), sample_dt_s=None)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_computed_max_range_within_15_percent_of_cited(name: str) -> None:
    m = CATALOG[name]
    rmax, _ = max_range_loft(vehicle_arrays(m), 0.0, 0.0, np.pi / 2, settings=SETTINGS)
    ratio = rmax[0] / 1e3 / m.cited_range_km.value
    assert 0.85 <= ratio <= 1.15, f"{name}: {rmax[0] / 1e3:,.0f} km vs {m.cited_range_km.value}"


@pytest.mark.parametrize("name", ["scud-b", "sejjil-2", "topol-m"])
def test_rotating_earth_east_beats_west(name: str) -> None:
    """With Earth rotation on, the same missile flown due east from the equator goes farther
    than due west (the quantitative first-order check is in tests/unit/test_flyout.py)."""
    veh = vehicle_arrays(CATALOG[name])
    r, _ = max_range_loft(veh, 0.0, 0.0, np.radians([90.0, 270.0]),
                          settings=FlyoutSettings(sample_dt_s=None))  # fmt: skip
    assert r[0] > r[1]
