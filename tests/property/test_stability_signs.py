"""Issue 5 'must show': sign tests of the stability study that hold under any reasonable
assumptions, and monotonicity.

* A ~3 km/s interceptor (SM-3 IA/IB) from Deveselu or Redzikowo cannot reach any ICBM from the
  listed bases headed for the continental US, under either preset (their cues, delays and
  Earth models differ).
* Capability never grows as the launch delay grows or as the burnout speed falls (needed
  speed and reachability from the same tables, for any delay and any grid speed).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.models.stability import load_stability
from bmdsim.study.stability import StabilityResult, needed_speed, run_stability

DATA = load_stability()
BASES = list(DATA.bases)
TARGETS = list(DATA.targets)


@pytest.fixture(scope="module", params=["us-mda", "postol"])
def slow_sm3(request: pytest.FixtureRequest) -> StabilityResult:
    return run_stability(DATA, request.param, interceptors=["sm-3-ia", "sm-3-ib"],
                         sites=["deveselu", "redzikowo"])  # fmt: skip


def test_three_km_s_from_romania_or_poland_reaches_no_icbm(slow_sm3: StabilityResult) -> None:
    recs = slow_sm3.records
    n_cues = len(DATA.presets[slow_sm3.preset].cues)
    assert len(recs) == len(BASES) * len(TARGETS) * 2 * 2 * n_cues
    assert not any(r["reachable"] for r in recs)
    assert all(r["margin_km_s"] is None or r["margin_km_s"] < 0 for r in recs)


@pytest.fixture(scope="module")
def fast() -> StabilityResult:
    """The fastest SM-3 from the site closest to the tracks: where reach is likeliest."""
    return run_stability(DATA, "postol", interceptors=["sm-3-iib", "sm-3-iib:analyst-5.0"],
                         sites=["norwegian-sea-station", "redzikowo"],
                         bases=["kozelsk", "teykovo", "vypolzovo"])  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(d1=st.floats(0, 400), d2=st.floats(0, 400))
def test_margin_never_grows_with_launch_delay(fast: StabilityResult, d1: float,
                                              d2: float) -> None:  # fmt: skip
    lo, hi = sorted((d1, d2))
    for (site, _), r in fast.reaches.items():
        for t_cue in fast.cues[site].values():
            n_lo = needed_speed(r, t_cue + lo)
            n_hi = needed_speed(r, t_cue + hi)
            # needed speed never falls with a later launch; unreachable stays unreachable
            assert np.all(np.isnan(n_hi) | (n_hi >= n_lo - 1e-9))
            assert not np.any(np.isfinite(n_hi) & np.isnan(n_lo))


def test_reach_never_grows_as_burnout_speed_falls(fast: StabilityResult) -> None:
    """L(V), the latest launch that still intercepts, is nondecreasing in V for every flight
    (so is reachability at any fire time)."""
    for r in fast.reaches.values():
        lv = r.latest_launch_s
        fin = np.isfinite(lv)
        assert np.all(fin[1:] | ~fin[:-1])  # reachable at V => reachable at any V' > V
        both = fin[1:] & fin[:-1]
        assert np.all((lv[1:] - np.where(fin[:-1], lv[:-1], 0.0))[both] >= 0.0)
        assert fin.any()  # not vacuous: these flights are reachable at some speed


def test_records_are_consistent(fast: StabilityResult) -> None:
    for r in fast.records:
        if r["reachable"]:
            assert r["margin_km_s"] is not None and r["margin_km_s"] >= -1e-6
            assert r["fire_time_s"] <= r["latest_launch_s"]
            assert r["earliest_intercept_s"] <= r["latest_intercept_s"] <= r["icbm_impact_s"]
        elif r["margin_km_s"] is not None:
            assert r["margin_km_s"] <= 1e-6


def test_a_slower_variant_never_reaches_more(fast: StabilityResult) -> None:
    """Across two catalog variants (SM-3 IIB at 5.5 and at 5.0 km/s, the same other limits):
    every flight the slower one reaches, the faster one reaches too, with a larger margin
    (raw records, not the running maximum alone)."""
    key = ("base", "target", "site", "cue")
    fast55 = {tuple(r[k] for k in key): r for r in fast.records if r["interceptor"] == "sm-3-iib"}
    slow50 = [r for r in fast.records if r["interceptor"] == "sm-3-iib:analyst-5.0"]
    assert slow50 and len(slow50) == len(fast55)
    assert any(r["reachable"] for r in slow50)
    for r in slow50:
        f = fast55[tuple(r[k] for k in key)]
        assert f["reachable"] or not r["reachable"]
        if r["margin_km_s"] is not None:
            assert f["margin_km_s"] is not None
            assert f["margin_km_s"] >= r["margin_km_s"] - 1e-6


def test_upper_bound_flag(fast: StabilityResult) -> None:
    """Where the needed speed could not be interpolated it is flagged, and it then sits on a
    grid speed; elsewhere it lies strictly between two grid speeds or on one by chance."""
    from bmdsim.study.stability import SPEED_GRID_KM_S

    flagged = [r for r in fast.records if r["needed_speed_is_upper_bound"]]
    for r in flagged:
        assert (
            r["needed_speed_km_s"] in SPEED_GRID_KM_S
            or r["needed_speed_km_s"] == r["burnout_speed_km_s"]
        )
    for r in fast.records:
        if r["needed_speed_km_s"] is None:
            assert not r["needed_speed_is_upper_bound"]
