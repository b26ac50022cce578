"""Unit tests of the batch flyout: conservation laws, events, rotation, batches, sampling."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from bmdsim.physics import _integrator as k
from bmdsim.physics.earth import EarthModel, ecef_to_geodetic
from bmdsim.physics.flyout import FlyoutSettings, fly_free, fly_missiles, vehicle_arrays
from bmdsim.physics.trajectory import flight_path_angle_rad

SPHERE_FIXED = EarthModel.sphere(rotation=False)
TIGHT = dict(rtol=1e-12, atol_m=1e-6, atol_m_s=1e-9, max_step_s=60.0)


def test_energy_and_angular_momentum_conserved_in_vacuum() -> None:
    """Point-mass vacuum flight over a non-rotating sphere: the specific energy
    v^2/2 - mu/r and the angular momentum r x v are constants of motion; the stored samples
    (quintic/cubic Hermite-free: the integrator's own states at the sample times) keep them to
    1e-8 relative (issue 2 'must show')."""
    st = FlyoutSettings(earth=SPHERE_FIXED, drag=False, sample_dt_s=5.0, **TIGHT)
    tr = fly_free(np.radians([10.0, 50.0]), np.radians([20.0, -5.0]), [0.0, 150e3],
                  [3020.0, 7200.0], np.radians([40.0, 22.0]), np.radians([30.0, 300.0]),
                  settings=st)  # fmt: skip
    assert np.all(tr.ok)
    mu = SPHERE_FIXED.mu_m3_s2
    for i in range(tr.size):
        _, r, v = tr.samples(i)
        energy = 0.5 * np.sum(v * v, axis=1) - mu / np.linalg.norm(r, axis=1)
        h = np.cross(r, v)
        assert np.max(np.abs(energy / energy[0] - 1.0)) < 1e-8
        assert np.max(np.linalg.norm(h - h[0], axis=1)) / np.linalg.norm(h[0]) < 1e-8


def test_events_are_roots_not_time_steps() -> None:
    """Apogee: dh/dt = 0; reentry: h = 100 km going down; impact: h = 0. Found by root
    finding, so the altitude at the events is exact to well under a metre."""
    st = FlyoutSettings(earth=EarthModel.wgs84(), drag=False, sample_dt_s=None)
    tr = fly_free(np.radians(45.0), np.radians(30.0), 0.0, 6000.0, np.radians(35.0), 1.0,
                  settings=st)  # fmt: skip
    _, _, h = ecef_to_geodetic(tr.event_r_ecef_m[0], tr.earth)
    assert abs(h[k.EV_REENTRY] - 100e3) < 1e-3
    assert abs(h[k.EV_IMPACT]) < 1e-3
    gamma = flight_path_angle_rad(tr.event_r_ecef_m[0], tr.event_v_ecef_m_s[0], tr.earth)
    assert abs(gamma[k.EV_APOGEE]) < 1e-8
    assert tr.event_t_s[0, k.EV_APOGEE] < tr.event_t_s[0, k.EV_REENTRY] < tr.impact_time_s[0]


@pytest.mark.parametrize("drag", [False, True])
def test_altitude_events_within_1_mm_across_a_batch(drag: bool) -> None:
    """The cubic-seeded Newton search (`_locate`, decision 0014) over 400 random free flights:
    every reentry at 100 km and every impact at its level to 1 mm (geodetic height), with and
    without drag, including flights that start below 100 km or cross it in their first step."""
    rng = np.random.default_rng(14)
    n = 400
    level = rng.choice([0.0, 500.0, 2500.0], n)
    tr = fly_free(np.radians(rng.uniform(-80, 80, n)), np.radians(rng.uniform(-180, 180, n)),
                  rng.uniform(20e3, 400e3, n), rng.uniform(1500.0, 7300.0, n),
                  np.radians(rng.uniform(-10, 70, n)), rng.uniform(0, 2 * np.pi, n),
                  beta_kg_m2=rng.uniform(2e3, 2e4, n), impact_altitude_m=level,
                  settings=FlyoutSettings(drag=drag, sample_dt_s=None))  # fmt: skip
    assert tr.ok.all()
    _, _, h_imp = ecef_to_geodetic(tr.event_r_ecef_m[:, k.EV_IMPACT], tr.earth)
    assert np.abs(h_imp - level).max() < 1e-3
    has_reentry = np.isfinite(tr.event_t_s[:, k.EV_REENTRY])
    assert has_reentry.sum() > n // 2
    _, _, h_re = ecef_to_geodetic(tr.event_r_ecef_m[has_reentry, k.EV_REENTRY], tr.earth)
    assert np.abs(h_re - 100e3).max() < 1e-3


def test_apogee_dhdt_below_1e_5_m_s_at_every_height_and_latitude() -> None:
    """The apogee search evaluates dh/dt with the up vector of two Bowring steps, exact to
    rounding, and runs to |dh/dt| < 1e-5 m/s (decision 0016). Over 600 random vacuum flights
    at every latitude, with apogees from under 100 km to over 3,000 km, the exact dh/dt at every
    located apogee is below 1e-5 m/s (10 % allowed for the rounding of the flight-path angle
    this test takes it from), above 60 deg of latitude and below 600 km (where one Bowring step
    was used until decision 0016) as well."""
    rng = np.random.default_rng(15)
    n = 600
    tr = fly_free(np.radians(rng.uniform(-89.9, 89.9, n)), np.radians(rng.uniform(-180, 180, n)),
                  rng.uniform(80e3, 300e3, n), rng.uniform(1500.0, 6500.0, n),
                  np.radians(rng.uniform(10, 60, n)), rng.uniform(0, 2 * np.pi, n),
                  settings=FlyoutSettings(drag=False, sample_dt_s=None))  # fmt: skip
    assert tr.ok.all()
    has = np.isfinite(tr.event_t_s[:, k.EV_APOGEE])
    r, v = tr.event_r_ecef_m[has, k.EV_APOGEE], tr.event_v_ecef_m_s[has, k.EV_APOGEE]
    dhdt = np.abs(np.linalg.norm(v, axis=1) * np.sin(flight_path_angle_rad(r, v, tr.earth)))
    radial = np.linalg.norm(r, axis=1) - tr.earth.a_m
    assert dhdt.max() < 1.1e-5
    assert radial.min() < 100e3 and radial.max() > 3000e3
    high_lat = np.abs(ecef_to_geodetic(r, tr.earth)[0]) > np.radians(60)
    low = radial < 600e3
    assert low.sum() > 100 and (~low).sum() > 100
    assert (low & high_lat).sum() > 20 and (~low & high_lat).sum() > 20


@pytest.mark.parametrize(
    ("n", "t_max_s", "earth", "tight", "drag"),
    [(64, 1e5, "wgs84", False, False), (777, 300.0, "wgs84", False, False),
     (3001, 1e5, "wgs84", True, False), (500, 2000.0, "sphere", False, False),
     (64, 1e5, "wgs84", False, True), (777, 300.0, "wgs84", False, True),
     (2001, 1e5, "wgs84", True, True), (500, 2000.0, "sphere", False, True)],
)  # fmt: skip
def test_free_flight_lanes_match_the_scalar_kernel_bit_for_bit(
    n: int, t_max_s: float, earth: str, tight: bool, drag: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Free flights fly in SIMD lanes (`propagate_free_lanes`, decisions 0015 and 0017), with
    the scalar kernel's arithmetic in the same order: every output equal to the last bit
    (compared as integers, so -0.0 is not 0.0) to `propagate_batch`'s, over random batches at
    every latitude: starts below and above 100 km, rising and falling; impact levels 0-5 km;
    vertical-rise times up to 300 s (the apogee is looked for after them); batch sizes that
    leave lanes idle; flights cut by t_max; one NaN start (a step failure); on WGS84 and on the
    non-rotating sphere; once with other tolerances, largest step and reentry level. With drag:
    ballistic coefficients 300-30,000 kg/m^2 and a few bodies without drag (beta inf) in the
    same batch, so that steps are aimed at and cut at the density's kinks, rejected in the
    drag pulse, and cross the drag ceiling both ways."""
    from bmdsim.physics.flyout import ballistic_body, burnout_state_ecef, propagate

    rng = np.random.default_rng(n + 7 * drag)
    level = rng.choice([0.0, 300.0, 5000.0], n)
    model = EarthModel.wgs84() if earth == "wgs84" else SPHERE_FIXED
    r0, v0 = burnout_state_ecef(
        np.radians(rng.uniform(-90, 90, n)), np.radians(rng.uniform(-180, 180, n)),
        level + rng.uniform(0.0, 500e3, n), rng.uniform(100.0, 7800.0, n),
        np.radians(rng.uniform(-30, 89, n)), rng.uniform(0, 2 * np.pi, n), model,
    )  # fmt: skip
    r0[n // 2] = np.nan
    beta = np.exp(rng.uniform(np.log(300.0), np.log(30000.0), n))
    beta[rng.uniform(size=n) < 0.05] = np.inf
    vehicles = ballistic_body(n, beta)
    vehicles.vertical_rise_s[:] = np.where(rng.uniform(size=n) < 0.3, rng.uniform(0, 300, n), 0.0)
    st = FlyoutSettings(earth=model, drag=drag, sample_dt_s=None, t_max_s=t_max_s)
    if tight:
        st = st.with_(rtol=1e-9, atol_m=1e-3, atol_m_s=1e-6, max_step_s=40.0,
                      reentry_altitude_m=120e3)  # fmt: skip
    calls = []
    lanes = k.propagate_free_lanes
    monkeypatch.setattr(k, "propagate_free_lanes", lambda *a: (calls.append(1), lanes(*a)))
    got = propagate(vehicles, r0, v0, impact_altitude_m=level, settings=st)
    assert calls  # the batch took the lanes
    monkeypatch.setattr(k, "propagate_free_lanes", k.propagate_batch)
    ref = propagate(vehicles, r0, v0, impact_altitude_m=level, settings=st)
    assert got.status[n // 2] == k.STATUS_STEP_FAILURE
    assert set(np.unique(got.status)) >= ({k.STATUS_OK, k.STATUS_NO_IMPACT} if t_max_s < 1e4
                                          else {k.STATUS_OK})  # fmt: skip
    for name in ("status", "event_t_s", "event_r_ecef_m", "event_v_ecef_m_s",
                 "stage_burnout_t_s", "n_steps", "n_samples"):  # fmt: skip
        a, b = np.asarray(getattr(got, name)), np.asarray(getattr(ref, name))
        assert a.shape == b.shape, name
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64), err_msg=name)


def orbit_batch(n_orbit: int = 2, n: int = 64) -> tuple:
    """The batch of `test_lanes_search_a_flights_queued_apogee_before_its_next`: n_orbit
    eccentric orbits (from 400-420 km at 7.75 km/s, launched eastward) among short flights
    that end in minutes."""
    from bmdsim.physics.flyout import ballistic_body, burnout_state_ecef

    rng = np.random.default_rng(2020)
    orbit = np.arange(n) < n_orbit
    r0, v0 = burnout_state_ecef(
        np.radians(rng.uniform(-60, 60, n)), np.radians(rng.uniform(-180, 180, n)),
        np.where(orbit, rng.uniform(400e3, 420e3, n), 200e3),
        np.where(orbit, 7750.0, 2000.0), np.radians(np.where(orbit, 0.5, 30.0)),
        np.where(orbit, rng.uniform(1.2, 1.9, n), rng.uniform(0, 2 * np.pi, n)),  # orbits: east
        EarthModel.wgs84(),
    )  # fmt: skip
    return ballistic_body(n, np.full(n, np.inf)), r0, v0, orbit


def test_lanes_search_a_flights_queued_apogee_before_its_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lanes queue their apogee searches and run them 16 at a time (decision 0020). An
    apogee is kept only if it is higher than the flight's highest so far, so a flight whose next
    apogee comes while its last is still in the queue has the queue searched first. Here two
    orbits fly about nine revolutions after the short flights beside them have ended, so the
    queue never fills and each revolution takes that path. Without it the apogees of an orbit
    would all be searched at the end against the height it had when each was queued, and the
    last one kept, not the highest: that mutant fails this test. Every output must equal the
    scalar kernel's, bit for bit, and each orbit keeps an apogee above its start."""
    from bmdsim.physics.flyout import propagate

    vehicles, r0, v0, orbit = orbit_batch()
    st = FlyoutSettings(drag=False, sample_dt_s=None, t_max_s=60000.0)
    calls = []
    lanes = k.propagate_free_lanes
    monkeypatch.setattr(k, "propagate_free_lanes", lambda *a: (calls.append(1), lanes(*a)))
    got = propagate(vehicles, r0, v0, settings=st)
    assert calls  # the batch took the lanes
    monkeypatch.setattr(k, "propagate_free_lanes", k.propagate_batch)
    ref = propagate(vehicles, r0, v0, settings=st)
    assert np.all(ref.status[orbit] == k.STATUS_NO_IMPACT)
    assert np.all(ref.status[~orbit] == k.STATUS_OK)
    apo_alt = ecef_to_geodetic(ref.event_r_ecef_m[orbit, k.EV_APOGEE], EarthModel.wgs84())[2]
    assert np.all(apo_alt > 400e3)
    for name in ("status", "event_t_s", "event_r_ecef_m", "event_v_ecef_m_s", "n_steps"):
        a, b = np.asarray(getattr(got, name)), np.asarray(getattr(ref, name))
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64), err_msg=name)


def queued_steps(kind: str, n: int, seed: int) -> tuple:
    """n steps for the search queues: a body moving along the x axis at the equator (and at
    30 m/s along y) near 100 km, its end states and derivatives drawn at random and not
    those of one trajectory (the searches only interpolate between them). For "height" each
    step starts 1-1500 m above 100 km and ends as far below it; for "apogee" it rises at its
    start and falls at its end. Returns the queue, its integers and the steps as (y0, f0, y1,
    f1, h) rows."""
    rng = np.random.default_rng(seed)
    a_m = EarthModel.wgs84().a_m
    q = np.zeros((k._S_ROWS, k._S_CAP))
    qi = np.zeros((3, k._S_CAP), dtype=np.int64)
    steps = []
    for j in range(n):
        if kind == "height":
            h0, h1 = 100e3 + rng.uniform(1.0, 1500.0), 100e3 - rng.uniform(1.0, 1500.0)
            v0, v1 = rng.uniform(-400.0, 100.0, 2)
        else:
            h0, h1 = 100e3 + rng.uniform(-500.0, 500.0, 2)
            v0, v1 = rng.uniform(1.0, 300.0), -rng.uniform(1.0, 300.0)
        acc0, acc1 = rng.uniform(-400.0, 400.0, 2)
        h = rng.uniform(5.0, 40.0)
        y0 = np.array([a_m + h0, 0.0, 0.0, v0, 30.0, 0.0])
        f0 = np.array([v0, 30.0, 0.0, acc0, 0.0, 0.0])
        y1 = np.array([a_m + h1, 30.0 * h, 0.0, v1, 30.0, 0.0])
        f1 = np.array([v1, 30.0, 0.0, acc1, 0.0, 0.0])
        # the lanes' own `_enqueue`: slot j, trajectory j, lane 0, the step from t = 100 j
        ev = k.EV_IMPACT if kind == "height" else k.EV_APOGEE
        level = 100e3 if kind == "height" else 0.0
        k._enqueue(q, qi, np.int64(j), np.int64(j), np.int64(ev), np.int64(0), 100.0 * j, h, 0.0,
                   level, -np.inf, y0, f0, y1, f1)  # fmt: skip
        steps.append((y0, f0, y1, f1, h))
    return q, qi, steps


@pytest.mark.parametrize("kind", ["height", "apogee"])
def test_queued_searches_fall_back_to_locates_illinois_search(kind: str) -> None:
    """The lanes' deferred searches (decision 0020) run `_locate`'s Newton searches over the
    queue's slots at once; a slot whose search fails (it leaves the step, or a height's slope
    there is not negative) takes `_locate`'s fallback, the Illinois method, on its own
    (`_slot_root`). No flight of the other tests reaches that fallback. Here 40 queued steps
    whose random end data make the quintic interpolant wind: the search must fail in some
    slots and not in others, in one pass, and every slot's recorded event must be `_locate`'s
    to the last bit. A fallback's root must also be one: on the level within 1 cm (height),
    or with dh/dt within 1e-3 m/s of 0 (apogee)."""
    from bmdsim.physics.earth import up_north_east

    e = EarthModel.wgs84()
    earth = np.array([e.a_m, e.f, e.mu_m3_s2, e.j2, e.omega_rad_s])
    n = 40
    q, qi, steps = queued_steps(kind, n, seed=7 if kind == "height" else 8)
    ev = k.EV_IMPACT if kind == "height" else k.EV_APOGEE
    ne = k.N_EVENTS
    got = (np.full((n, ne), np.nan), np.full((n, ne, 3), np.nan), np.full((n, ne, 3), np.nan))
    scratch = [np.empty(6) for _ in range(5)] + [np.empty(3), np.empty(3)]
    if kind == "height":
        k._search_heights(q, qi, np.int64(n), earth, *got, *scratch)
    else:
        traj = np.full(k.LANES, -1, dtype=np.int64)
        k._search_apogees(q, qi, np.int64(n), earth, *got, traj, np.zeros(k.LANES),
                          np.zeros(k.LANES, dtype=np.bool_), *scratch)  # fmt: skip
    fell_back = q[k._S_RES, :n] < 0.0
    assert 0 < int(fell_back.sum()) < n  # both kinds of slot in the one pass
    want = (np.full((n, ne), np.nan), np.full((n, ne, 3), np.nan), np.full((n, ne, 3), np.nan))
    which = np.int64(0 if kind == "height" else 1)
    work, rr, vv = np.empty(6), np.empty(3), np.empty(3)
    for j, (y0, f0, y1, f1, h) in enumerate(steps):
        s = k._locate(y0, f0, y1, f1, h, which, q[k._S_LEVEL, j], e.a_m, e.f, e.omega_rad_s,
                      e.mu_m3_s2, work, 0.0)  # fmt: skip
        assert 0.0 <= s <= 1.0
        k._record(j, ev, 100.0 * j + s * h, work, e.omega_rad_s, rr, vv, *want)
    assert_same_bits(got, want)
    lat, lon, alt = ecef_to_geodetic(got[1][fell_back, ev], e)
    if kind == "height":
        np.testing.assert_allclose(alt, 100e3, atol=0.01)
    else:
        up = up_north_east(lat, lon)[0]
        dhdt = np.einsum("ij,ij->i", up, got[2][fell_back, ev])
        np.testing.assert_allclose(dhdt, 0.0, atol=1e-3)


def test_queued_apogees_take_locates_heights_and_the_strictly_higher_rule() -> None:
    """`_search_apogees` computes the apogees' heights over the slots at once (decision 0026)
    for the slots whose Newton search found the root, and `_event_g`'s on `_locate`'s
    fallback root for the others. Both must be `_event_g`'s at `_locate`'s root to the last
    bit: the height a lane still flying the trajectory takes as its highest apogee. An apogee
    is recorded only if strictly higher than the flight's highest when it was queued: a slot
    queued with exactly its own height (one found, one fallen back) records nothing and
    leaves its lane's highest apogee as it was, but still clears the lane's pending flag."""
    e = EarthModel.wgs84()
    earth = np.array([e.a_m, e.f, e.mu_m3_s2, e.j2, e.omega_rad_s])
    n = 40
    q, qi, steps = queued_steps("apogee", n, seed=8)
    # the expected roots and heights, `_locate`'s and `_event_g`'s
    work = np.empty(6)
    s_want, h_want = np.empty(n), np.empty(n)
    for j, (y0, f0, y1, f1, h) in enumerate(steps):
        s_want[j] = k._locate(y0, f0, y1, f1, h, np.int64(1), 0.0, e.a_m, e.f, e.omega_rad_s,
                              e.mu_m3_s2, work, 0.0)  # fmt: skip
        h_want[j] = k._event_g(work, np.int64(0), 0.0, e.a_m, e.f, e.omega_rad_s)
    # which slots fall back, from a first pass on a copy
    q1, ne = q.copy(), k.N_EVENTS
    scratch = [np.empty(6) for _ in range(5)] + [np.empty(3), np.empty(3)]
    out = (np.full((n, ne), np.nan), np.full((n, ne, 3), np.nan), np.full((n, ne, 3), np.nan))
    k._search_apogees(q1, qi.copy(), np.int64(n), earth, *out,
                      np.full(k.LANES, -1, dtype=np.int64), np.zeros(k.LANES),
                      np.zeros(k.LANES, dtype=np.bool_), *scratch)  # fmt: skip
    fell_back = q1[k._S_RES, :n] < 0.0
    assert 0 < int(fell_back.sum()) < n
    # each slot in lane j % LANES; each lane's trajectory that of its last slot, so the last
    # LANES slots set their lanes' highest apogees; two of those queued at their own height
    lanes = np.arange(n) % k.LANES
    qi[k._SI_LANE, :n] = lanes
    last = np.arange(n - k.LANES, n)
    traj = np.full(k.LANES, -1, dtype=np.int64)
    traj[lanes[last]] = last
    tie = [int(last[~fell_back[last]][0]), int(last[fell_back[last]][0])]
    q[k._S_APO_H, tie] = h_want[tie]
    apogee_h = np.full(k.LANES, -7.0)
    pend = np.ones(k.LANES, dtype=np.bool_)
    got = (np.full((n, ne), np.nan), np.full((n, ne, 3), np.nan), np.full((n, ne, 3), np.nan))
    k._search_apogees(q, qi, np.int64(n), earth, *got, traj, apogee_h, pend, *scratch)
    np.testing.assert_array_equal(q[k._S_RES, :n] < 0.0, fell_back)
    found_last = last[~np.isin(last, tie)]
    np.testing.assert_array_equal(apogee_h[lanes[found_last]].view(np.int64),
                                  h_want[found_last].view(np.int64))  # fmt: skip
    assert np.all(apogee_h[lanes[tie]] == -7.0)
    assert not pend.any()
    recorded = ~np.isnan(got[0][:, k.EV_APOGEE])
    np.testing.assert_array_equal(recorded, ~np.isin(np.arange(n), tie))
    np.testing.assert_array_equal(got[0][recorded, k.EV_APOGEE].view(np.int64),
                                  (100.0 * np.arange(n) + s_want * [st[4] for st in steps])[
                                      recorded].view(np.int64))  # fmt: skip


@pytest.mark.parametrize(
    ("n", "drag", "steering", "t_max_s"),
    [(300, True, "gravity-turn", 1e5), (256, True, "gravity-turn", 1e5),
     (200, True, "pitch-program", 1e5), (200, True, "gravity-turn", 150.0),
     (200, False, "gravity-turn", 1e5)],
)  # fmt: skip
def test_whole_flights_in_lanes_match_the_scalar_kernel_bit_for_bit(
    n: int, drag: bool, steering: str, t_max_s: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole flights without samples also take `propagate_free_lanes`: their powered flight in
    the powered lanes, then, queued at burnout with its step controller's state, their free
    flight in the free lanes (decisions 0017, 0018). Every output must equal the scalar
    kernel's to the last bit: every catalogue missile, launch points at any latitude, any
    azimuth, lofts across the aiming range, thrust cut-offs in every stage, impact levels 0-2
    km; both steering laws. Without drag such a batch goes to the scalar kernel (decision
    0018), so that case checks only the routing. About a quarter of the flights crash in
    powered flight (the smallest lofts, the earliest cut-offs); with t_max 150 s most flights
    burn out after t_max (their free flight takes no step) and the short-burning ones end in
    free flight. One flight in ten has no stages and starts in free flight at 100-400 km in the
    same batch (it goes to the free lanes' queue as it is)."""
    from dataclasses import replace

    from bmdsim.models.missiles import load_missiles
    from bmdsim.physics.aiming import LOFT_MAX_RAD, LOFT_MIN_RAD
    from bmdsim.physics.earth import geodetic_to_ecef
    from bmdsim.physics.flyout import Steering, burnout_state_ecef, propagate

    rng = np.random.default_rng(n + 2 * drag)
    missiles = list(load_missiles().values())
    vehicles = vehicle_arrays(missiles).take(rng.integers(0, len(missiles), n))
    lat = np.radians(rng.uniform(-85, 85, n))
    lon = np.radians(rng.uniform(-180, 180, n))
    az = rng.uniform(0, 2 * np.pi, n)
    loft = rng.uniform(LOFT_MIN_RAD, LOFT_MAX_RAD, n)
    cutoff = np.where(rng.uniform(size=n) < 0.3, rng.uniform(5.0, 250.0, n), np.inf)
    level = rng.choice([0.0, 2000.0], n)
    st = FlyoutSettings(drag=drag, sample_dt_s=None, t_max_s=t_max_s,
                        steering=Steering(steering))  # fmt: skip
    r0 = geodetic_to_ecef(lat, lon, np.zeros(n), st.earth)
    v0 = np.zeros_like(r0)
    free = rng.uniform(size=n) < 0.1
    vehicles = replace(vehicles, n_stages=np.where(free, 0, vehicles.n_stages))
    r0[free], v0[free] = burnout_state_ecef(
        lat[free], lon[free], rng.uniform(100e3, 400e3, free.sum()),
        rng.uniform(2000.0, 7000.0, free.sum()), np.radians(rng.uniform(-10, 60, free.sum())),
        az[free], st.earth,
    )  # fmt: skip

    def fly() -> object:
        return propagate(vehicles, r0, v0, azimuth_rad=az, loft_rad=loft, cutoff_s=cutoff,
                         impact_altitude_m=level, settings=st)  # fmt: skip

    calls = []
    lanes = k.propagate_free_lanes
    monkeypatch.setattr(k, "propagate_free_lanes", lambda *a: (calls.append(1), lanes(*a)))
    got = fly()
    assert calls  # the batch took the lanes
    monkeypatch.setattr(k, "propagate_free_lanes", k.propagate_batch)
    ref = fly()
    statuses = set(np.unique(ref.status))
    assert {k.STATUS_OK, k.STATUS_CRASH_IN_BOOST} <= statuses or steering == "pitch-program"
    if t_max_s < 1e4:
        burnout = ref.event_t_s[:, k.EV_BURNOUT]
        assert k.STATUS_NO_IMPACT in statuses
        assert np.sum(burnout > t_max_s) > 20 and np.sum(burnout < t_max_s) > 5
    for name in ("status", "event_t_s", "event_r_ecef_m", "event_v_ecef_m_s",
                 "stage_burnout_t_s", "n_steps", "n_samples"):  # fmt: skip
        a, b = np.asarray(getattr(got, name)), np.asarray(getattr(ref, name))
        assert a.shape == b.shape, name
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64), err_msg=name)


def lanes_arguments(monkeypatch: pytest.MonkeyPatch, *args: object, **kwargs: object) -> tuple:
    """The argument tuples (inp, out, opt, earth, tol) that `propagate(*args, **kwargs)` hands
    the lanes kernel, captured instead of flown."""
    from bmdsim.physics.flyout import propagate

    captured = []
    monkeypatch.setattr(k, "propagate_free_lanes", lambda *a: captured.append(a))
    propagate(*args, **kwargs)
    monkeypatch.undo()
    (arguments,) = captured
    return arguments


def blank_outputs(out: tuple) -> tuple:
    """New output arrays shaped as a kernel's `out`, filled with -7 so that an output the
    kernel does not write shows."""
    return tuple(np.full_like(a, -7) for a in out)


def assert_same_bits(got: tuple, ref: tuple, msg: str = "") -> None:
    """Two kernels' output tuples equal to the last bit."""
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64), err_msg=msg)


def test_lanes_start_every_flight_when_a_full_queue_ends_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (review of decision 0018): a chunk whose queue fills with flights that all
    end as the free lanes take them, while no powered lane is busy, left every lane idle with
    flights still to start, and the chunk loop stopped: those flights kept status 0 (ok) and
    empty events. Here the kernel is called with t_max 0 (which `FlyoutSettings` refuses), so
    every flight ends at once. The first 200 flights have no stages, the last 100 have: the
    lanes take the flights in blocks of at least `CLAIM_BLOCK` = 64 (decision 0027; here at
    most 75), so the first blocks hold only flights without stages, more than a queue's worth,
    whatever the thread count. A block that runs out while no lane is busy must not end the
    thread's work either (the next block is taken). Every flight must come out as the scalar
    kernel's, status `no-impact`."""
    from dataclasses import replace

    from bmdsim.models.missiles import load_missiles

    n = 300
    vehicles = vehicle_arrays(load_missiles()["topol-m"]).take(np.zeros(n, dtype=np.int64))
    vehicles = replace(vehicles, n_stages=np.where(np.arange(n) < 200, 0, vehicles.n_stages))
    r0 = np.tile([6.4e6, 0.0, 0.0], (n, 1))
    settings = FlyoutSettings(sample_dt_s=None)
    args = lanes_arguments(monkeypatch, vehicles, r0, np.zeros_like(r0), settings=settings)
    inp, out, opt, earth, tol = args
    opt = (opt[0], opt[1], opt[2], 0.0, opt[4])
    got, ref = blank_outputs(out), blank_outputs(out)
    k.propagate_free_lanes(inp, got, opt, earth, tol)
    k.propagate_batch(inp, ref, opt, earth, tol)
    assert np.all(ref[0] == k.STATUS_NO_IMPACT)
    assert_same_bits(got, ref)


@pytest.mark.parametrize("case", ["vacuum", "drag", "whole"])
def test_lanes_results_do_not_depend_on_the_threads_blocks(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lanes' threads take the trajectories in blocks of consecutive ones, each the next
    block not yet taken (decision 0027), so which thread flies a flight, and after which, depends
    on the thread count and on timing; the other lanes tests see as many threads as the machine
    has (one on a one-core runner). A flight's result must not depend on it: each of the three
    lanes kernels (vacuum, drag, drag with stages), called directly on 1, 3, 7 and n // 64
    threads' worth of prange iterations, gives the scalar kernel's outputs bit for bit, and the
    shared counter ends past the batch (every block taken)."""
    from dataclasses import replace

    from bmdsim.models.missiles import load_missiles
    from bmdsim.physics.earth import geodetic_to_ecef
    from bmdsim.physics.flyout import ballistic_body, burnout_state_ecef

    rng = np.random.default_rng({"vacuum": 1, "drag": 2, "whole": 3}[case])
    n = 450
    lat, lon = rng.uniform(-1.2, 1.2, n), rng.uniform(-3.1, 3.1, n)
    az = rng.uniform(0.0, 2 * np.pi, n)
    alt, speed = rng.uniform(100e3, 300e3, n), rng.uniform(2000.0, 7000.0, n)
    gamma = np.radians(rng.uniform(10.0, 50.0, n))
    r0, v0 = burnout_state_ecef(lat, lon, alt, speed, gamma, az, EarthModel.wgs84())
    if case == "whole":
        missiles = list(load_missiles().values())
        vehicles = vehicle_arrays(missiles).take(rng.integers(0, len(missiles), n))
        free = rng.uniform(size=n) < 0.1
        vehicles = replace(vehicles, n_stages=np.where(free, 0, vehicles.n_stages))
        ground = geodetic_to_ecef(lat, lon, np.zeros(n), EarthModel.wgs84())
        r0 = np.where(free[:, None], r0, ground)  # launched from the ground, or free at burnout
        v0 = np.where(free[:, None], v0, 0.0)
    else:
        beta = np.inf if case == "vacuum" else rng.uniform(1000.0, 20000.0, n)
        vehicles = ballistic_body(n, beta)
    settings = FlyoutSettings(drag=case != "vacuum", sample_dt_s=None)
    inp, out, opt, earth, tol = lanes_arguments(monkeypatch, vehicles, r0, v0, azimuth_rad=az,
                                                loft_rad=0.5, settings=settings)  # fmt: skip
    kernel = {"vacuum": k._lanes_vacuum, "drag": k._lanes_drag, "whole": k._lanes_drag_stages}[case]
    ref = blank_outputs(out)
    k.propagate_batch(inp, ref, opt, earth, tol)
    assert np.sum(ref[0] == k.STATUS_OK) > n // 2
    for chunks in (1, 3, 7, n // 64):
        got = blank_outputs(out)
        claim = np.array([0, chunks], dtype=np.int64)
        kernel(inp, got, opt, earth, tol, np.int64(chunks), claim)
        assert_same_bits(got, ref, str(chunks))
        assert claim[0] >= n


def test_kink_ahead_on_a_radial_descent_solves_the_quadratic() -> None:
    """`_kink_ahead` (decision 0016) on the sphere, straight down the x axis: the radial height
    is then exactly h0 + v t + a t^2 / 2, so the predicted time to the 71.8 km kink is that
    quadratic's root to rounding; no kink within the step, or none on the way, gives inf."""
    a_m = 6371e3
    zb = float(k.DENSITY_KINKS_M[5])
    assert 71e3 < zb < 72e3
    y = np.array([a_m + 80e3, 0.0, 0.0, -2000.0, 0.0, 0.0])
    f = np.array([-2000.0, 0.0, 0.0, -10.0, 0.0, 0.0])
    tau = k._kink_ahead(y, f, 80e3, 10.0, a_m, 0.0)
    want = (-2000.0 + math.sqrt(2000.0**2 + 2.0 * 10.0 * (80e3 - zb))) / 10.0
    assert tau == pytest.approx(want, rel=1e-12)
    assert k._kink_ahead(y, f, 80e3, 0.9 * want, a_m, 0.0) == np.inf  # ends before the kink
    up = np.array([a_m + 80e3, 0.0, 0.0, 2000.0, 0.0, 0.0])
    tau_up = k._kink_ahead(up, np.array([2000.0, 0, 0, -10.0, 0, 0]), 80e3, 10.0, a_m, 0.0)
    assert tau_up == pytest.approx((2000.0 - math.sqrt(2000.0**2 - 20.0 * 6e3)) / 10.0, rel=1e-12)
    high = np.array([a_m + 150e3, 0.0, 0.0, 100.0, 0.0, 0.0])
    assert k._kink_ahead(high, np.array([100.0, 0, 0, -9.0, 0, 0]), 150e3, 100.0, a_m, 0.0) == (
        np.inf
    )


def test_kink_ahead_lands_near_the_kink_on_the_ellipsoid() -> None:
    """On WGS84 at 45 deg of latitude, heading north-east and down at 3 km/s, with a constant
    acceleration: along that exact path the radial height at the predicted time is within 1 m
    of the kink for steps of 2 s (the Taylor polynomial's error; without the ellipsoid's dR/dt
    term, about 10 m/s here, it lands 18 m off: measured)."""
    from bmdsim.physics.earth import WGS84, geodetic_to_ecef, up_north_east

    a_e, f_e = WGS84.a_m, WGS84.f
    zb = float(k.DENSITY_KINKS_M[4])  # 51.4 km
    r0 = geodetic_to_ecef(np.radians(45.0), np.radians(10.0), zb + 3.5e3, WGS84)
    up, north, east = up_north_east(np.radians(45.0), np.radians(10.0))
    v0 = 2400.0 * north + 1000.0 * east - 1500.0 * up
    acc = -9.8 * up - 40.0 * v0 / np.linalg.norm(v0)
    y = np.concatenate([r0, v0])
    f = np.concatenate([v0, acc])
    hr0 = k._height_for_density(*r0, a_e, f_e)
    tau = k._kink_ahead(y, f, hr0, 2.5, a_e, f_e)
    assert 1.0 < tau < 2.5
    r_tau = r0 + v0 * tau + 0.5 * acc * tau**2
    assert abs(k._height_for_density(*r_tau, a_e, f_e) - zb) < 1.0


def test_cubic_root_seed() -> None:
    # p(u) = (1 - 2u)(1 + u) = 1 - u - 2u^2: p(0) = 1, p'(0) = -1, p(1) = -2, p'(1) = -5
    assert k._cubic_root(1.0, -1.0, -2.0, -5.0) == pytest.approx(0.5, abs=1e-12)
    # a slope that is not negative on the way: the secant of the end values
    assert k._cubic_root(1.0, 5.0, -1.0, 5.0) == 0.5
    # no sign change: the middle
    assert k._cubic_root(1.0, -1.0, 2.0, -1.0) == 0.5


def test_impact_at_a_given_altitude() -> None:
    st = FlyoutSettings(earth=EarthModel.wgs84(), drag=False, sample_dt_s=None)
    tr = fly_free(0.3, 0.2, 0.0, 4000.0, 0.7, 0.4, impact_altitude_m=2500.0, settings=st)
    assert abs(tr.apogee_altitude_m[0]) > 0
    assert abs(ecef_to_geodetic(tr.event_r_ecef_m[0, k.EV_IMPACT], tr.earth)[2] - 2500.0) < 1e-3


def eotvos_coriolis_estimate_m(v: float, gamma: float, omega: float, g: float) -> float:
    """First-order east-minus-west range difference of a ballistic arc launched at the equator
    with Earth-relative speed v at angle gamma (flat Earth, uniform gravity g).

    Flying east at horizontal speed v_h, the Coriolis force has an upward component
    2 omega v_h (Eotvos effect): gravity is effectively g - 2 omega v_h, the time of flight and
    so the range R grow by dR1 = R * 2 omega v_h / g. The vertical velocity v_z - g t gives an
    east-west Coriolis acceleration -2 omega (v_z - g t); integrated twice over the flight time
    T = 2 v_z / g it displaces the impact westward by dR2 = omega T^2 v_z / 3. Flying west both
    change sign, so east - west = 2 (dR1 - dR2)."""
    vh, vz = v * math.cos(gamma), v * math.sin(gamma)
    t = 2 * vz / g
    r = vh * t
    return 2 * (r * 2 * omega * vh / g - omega * t * t * vz / 3)


def test_rotation_east_goes_farther_than_west_by_the_first_order_estimate() -> None:
    earth = EarthModel.sphere(rotation=True)
    st = FlyoutSettings(earth=earth, drag=False, sample_dt_s=None, **TIGHT)
    v, gamma = 1000.0, math.radians(45.0)
    tr = fly_free(0.0, 0.0, 0.0, v, gamma, np.radians([90.0, 270.0]), settings=st)
    diff = tr.range_m[0] - tr.range_m[1]
    g = earth.mu_m3_s2 / earth.a_m**2
    est = eotvos_coriolis_estimate_m(v, gamma, earth.omega_rad_s, g)
    assert diff > 0
    # curvature and centrifugal terms are second order at ~100 km range: 5 % agreement
    assert diff == pytest.approx(est, rel=0.05), (diff, est)


def test_no_rotation_switch_makes_east_and_west_equal() -> None:
    st = FlyoutSettings(earth=SPHERE_FIXED, drag=False, sample_dt_s=None, **TIGHT)
    tr = fly_free(0.0, 0.0, 0.0, 3000.0, 0.7, np.radians([90.0, 270.0]), settings=st)
    assert tr.range_m[0] == pytest.approx(tr.range_m[1], rel=1e-9)


def test_batch_equals_single_trajectories(minuteman: object) -> None:
    """The single-trajectory path is the batch path with N = 1: same numbers."""
    veh = vehicle_arrays(minuteman)  # type: ignore[arg-type]
    lats, lons = np.radians([40.0, 55.0, -10.0]), np.radians([-100.0, 37.0, 150.0])
    azs, lofts = np.radians([10.0, 320.0, 90.0]), np.radians([8.0, 12.0, 20.0])
    st = FlyoutSettings(sample_dt_s=None)
    batch = fly_missiles(veh, lats, lons, azs, lofts, settings=st)
    for i in range(3):
        one = fly_missiles(veh, lats[i], lons[i], azs[i], lofts[i], settings=st)
        np.testing.assert_array_equal(one.event_r_ecef_m[0], batch.event_r_ecef_m[i])


def test_interpolation_matches_the_integrator(minuteman: object) -> None:
    """`at(t)` (cubic Hermite on 1 s samples) agrees with the states the integrator lands on
    at the events within 1 m and 1 mm/s... checked at the apogee and the reentry."""
    veh = vehicle_arrays(minuteman)  # type: ignore[arg-type]
    tr = fly_missiles(veh, 0.7, 0.5, 1.0, np.radians(10.0))
    for ev in (k.EV_APOGEE, k.EV_REENTRY):
        r, v = tr.at(tr.event_t_s[:, ev])
        assert np.linalg.norm(r - tr.event_r_ecef_m[:, ev]) < 1.0
        assert np.linalg.norm(v - tr.event_v_ecef_m_s[:, ev]) < 1e-2
    r, _ = tr.at(np.array([tr.impact_time_s[0] + 10.0]))
    assert np.all(np.isnan(r))


def test_staging_and_burnout(minuteman: object) -> None:
    """Stage burnouts at the catalog burn times (full burn); thrust cut-off ends the boost."""
    from bmdsim.models.missiles import Missile

    m: Missile = minuteman  # type: ignore[assignment]
    veh = vehicle_arrays(m)
    tr = fly_missiles(veh, 0.7, 0.5, 1.0, np.radians(10.0), settings=FlyoutSettings())
    burns = np.array([s.burn_time_s.value for s in m.stages])
    coasts = np.array([s.coast_after_s.value if s.coast_after_s else 0.0 for s in m.stages])
    expected = np.cumsum(burns) + np.r_[0.0, np.cumsum(coasts)[:-1]]
    np.testing.assert_allclose(tr.stage_burnout_t_s[0, : len(m.stages)], expected, atol=1e-9)
    assert tr.burnout_time_s[0] == pytest.approx(expected[-1], abs=1e-9)
    cut = fly_missiles(veh, 0.7, 0.5, 1.0, np.radians(10.0), cutoff_s=30.0)
    assert cut.burnout_time_s[0] == pytest.approx(30.0, abs=1e-9)
    assert cut.range_m[0] < tr.range_m[0]


def test_thrust_below_weight_is_reported_per_element(minuteman: object) -> None:
    """A vehicle that cannot lift off gets status crash-in-boost; the rest of the batch flies."""
    veh = vehicle_arrays(minuteman)  # type: ignore[arg-type]
    heavy = veh.take([0, 0])
    m_ign = heavy.m_ign_kg.copy()
    m_ign[1] *= 5.0
    heavy = type(heavy)(
        heavy.n_stages,
        m_ign,
        heavy.mdot_kg_s,
        heavy.ve_m_s,
        heavy.burn_s,
        heavy.coast_s,
        heavy.cda_m2,
        heavy.inv_beta_m2_kg,
        heavy.vertical_rise_s,
    )
    tr = fly_missiles(heavy, 0.7, 0.5, 1.0, np.radians(10.0), settings=FlyoutSettings(
        sample_dt_s=None))  # fmt: skip
    assert tr.status_names() == ["ok", "crash-in-boost"]


def test_escape_is_no_impact() -> None:
    st = FlyoutSettings(earth=SPHERE_FIXED, drag=False, sample_dt_s=None, t_max_s=3000.0)
    tr = fly_free(0.0, 0.0, 200e3, 11500.0, 0.5, 0.0, settings=st)
    assert tr.status_names() == ["no-impact"]
    assert np.isnan(tr.impact_time_s[0])


def test_two_bowring_steps_match_the_exact_conversion() -> None:
    """`earth.geodetic_up_height_bowring2_scalar` (the apogee's dh/dt, the crash level of
    powered flight) gives the height and up vector of `ecef_to_geodetic` + the up direction of
    that latitude and longitude to 1e-6 m and 1e-12, from 5 km below the surface to 40,000 km
    above, at every latitude including the poles and the equator, on WGS84 and on the sphere
    (measured: latitude within 3.3e-16 rad at 100-20,000 km, against one step's 6e-9 rad at
    5,000 km; decision 0016)."""
    from bmdsim.physics.earth import (
        WGS84,
        geodetic_to_ecef,
        geodetic_up_height_bowring2_scalar,
        up_north_east,
    )

    rng = np.random.default_rng(3)
    n = 5000
    lat = np.concatenate([rng.uniform(-np.pi / 2, np.pi / 2, n), [np.pi / 2, -np.pi / 2, 0.0]])
    lon = np.concatenate([rng.uniform(-np.pi, np.pi, n), [0.3, -2.0, 1.0]])
    h = np.concatenate([rng.uniform(-5e3, 4e7, n), [1e5, 0.0, 0.0]])
    for model in (WGS84, EarthModel.sphere()):
        r = geodetic_to_ecef(lat, lon, h, model)
        lat_x, lon_x, h_x = ecef_to_geodetic(r, model)
        up_x, _, _ = up_north_east(lat_x, lon_x)
        for i in range(lat.size):
            ux, uy, uz, hh = geodetic_up_height_bowring2_scalar(
                r[i, 0], r[i, 1], r[i, 2], model.a_m, model.f
            )
            assert abs(hh - h_x[i]) < 1e-6 + 1e-12 * abs(h_x[i])
            assert np.max(np.abs(np.array([ux, uy, uz]) - up_x[i])) < 1e-12


@pytest.mark.parametrize(("h_max", "up_tol"), [(1e5, 2e-11), (6.25e5, 5e-10), (5e6, 8e-9)])
def test_bowring_up_and_height_match_the_exact_conversion(h_max: float, up_tol: float) -> None:
    """`earth.geodetic_up_height_bowring_scalar` (powered flight's right-hand side) against
    the exact conversion: heights within 1e-7 m from 5 km below the surface to 5,000 km, the
    up vector within 2e-11 (below 100 km), 5e-10 (625 km) and 8e-9 (5,000 km),
    including the poles and the equator (Bowring 1976, one step; measured maxima 1.3e-11,
    3.8e-10, 6.1e-9 rad and 5e-9 m on 20,000 points per band when written; 3.0e-10 between
    550 and 625 km); exact on the sphere."""
    from bmdsim.physics.earth import (
        WGS84,
        geodetic_to_ecef,
        geodetic_up_height_bowring_scalar,
        up_north_east,
    )

    rng = np.random.default_rng(4)
    n = 5000
    lat = np.concatenate([rng.uniform(-np.pi / 2, np.pi / 2, n), [np.pi / 2, -np.pi / 2, 0.0]])
    lon = np.concatenate([rng.uniform(-np.pi, np.pi, n), [0.3, -2.0, 1.0]])
    h = np.concatenate([rng.uniform(-5e3, h_max, n), [1e5, 0.0, 0.0]])
    for model in (WGS84, EarthModel.sphere()):
        r = geodetic_to_ecef(lat, lon, h, model)
        lat_x, lon_x, h_x = ecef_to_geodetic(r, model)
        up_x, _, _ = up_north_east(lat_x, lon_x)
        tol = up_tol if model.f > 0.0 else 1e-14
        for i in range(lat.size):
            ux, uy, uz, hh = geodetic_up_height_bowring_scalar(
                r[i, 0], r[i, 1], r[i, 2], model.a_m, model.f
            )
            assert abs(hh - h_x[i]) < 1e-7
            assert np.max(np.abs(np.array([ux, uy, uz]) - up_x[i])) < tol


def test_radial_height_bounds_the_geodetic_height_within_the_margin() -> None:
    """The event screens decide the sign of h - level from the radial height hr using
    0 <= hr - h <= RADIAL_MARGIN * hr above the ellipsoid (and the mirror bound below it);
    check the bound on WGS84 from 10 km below to 40,000 km above, all latitudes."""
    from bmdsim.physics.earth import WGS84, geodetic_to_ecef

    rng = np.random.default_rng(4)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, 20000)
    lon = rng.uniform(-np.pi, np.pi, 20000)
    h = rng.uniform(-1e4, 4e7, 20000)
    r = geodetic_to_ecef(lat, lon, h, WGS84)
    hr = np.array([k._height_for_density(*ri, WGS84.a_m, WGS84.f) for ri in r])
    above = h >= 0.0
    excess = hr[above] - h[above]
    assert np.all(excess >= -1e-6)
    assert np.all(excess <= 0.6 * k.RADIAL_MARGIN * hr[above] + 1e-6)
    below = ~above
    assert np.all(h[below] >= hr[below] - 1e-6)
    assert np.all(h[below] - hr[below] <= 0.6 * k.RADIAL_MARGIN * np.abs(hr[below]) + 1e-6)


def test_burnout_state_kernel_matches_the_local_frame_formula() -> None:
    """`burnout_state_ecef` (a numba loop) equals position from `geodetic_to_ecef` and
    velocity v (sin(gamma) up + cos(gamma) (cos(az) north + sin(az) east)) to rounding; its
    parallel loop (large batches) and its serial one (small) give the same bits."""
    from bmdsim.physics.earth import WGS84, geodetic_to_ecef, up_north_east
    from bmdsim.physics.flyout import burnout_state_ecef

    rng = np.random.default_rng(5)
    # on two threads two chunks of 550 rows: blocks of 256, 256 and 38 (`_burnout_block`)
    n = 1100
    lat, lon = rng.uniform(-1.5, 1.5, n), rng.uniform(-3.1, 3.1, n)
    alt, v = rng.uniform(0.0, 4e5, n), rng.uniform(100.0, 8000.0, n)
    g, az = rng.uniform(-0.5, 1.5, n), rng.uniform(0.0, 2 * np.pi, n)
    r, vel = burnout_state_ecef(lat, lon, alt, v, g, az, WGS84)
    up, north, east = up_north_east(lat, lon)
    want = v[:, None] * (np.sin(g)[:, None] * up + np.cos(g)[:, None] * (
        np.cos(az)[:, None] * north + np.sin(az)[:, None] * east))  # fmt: skip
    np.testing.assert_allclose(r, geodetic_to_ecef(lat, lon, alt, WGS84), rtol=0, atol=1e-6)
    np.testing.assert_allclose(vel, want, rtol=0, atol=1e-9)
    r1, v1 = burnout_state_ecef(0.5, 0.2, 1e5, 3000.0, 0.4, 1.0, WGS84)  # scalars -> (1, 3)
    assert r1.shape == (1, 3) and v1.shape == (1, 3)
    # a batch of SERIAL_BELOW or more takes the parallel loop (decision 0022): the same bits
    # as the serial loop that smaller batches take
    from bmdsim.physics.flyout import SERIAL_BELOW

    step = SERIAL_BELOW - 1
    parts = [burnout_state_ecef(lat[i : i + step], lon[i : i + step], alt[i : i + step],
                                v[i : i + step], g[i : i + step], az[i : i + step], WGS84)
             for i in range(0, n, step)]  # fmt: skip
    assert_same_bits((r, vel), tuple(np.concatenate([p[c] for p in parts]) for c in (0, 1)))
    # the parallel loop itself, whatever the number of chunks (fewer than 1 taken as 1, more
    # than the rows leave some empty): the serial loop's bits
    r_s, v_s = np.empty((n, 3)), np.empty((n, 3))
    k.burnout_states(lat, lon, alt, v, g, az, WGS84.a_m, WGS84.f, r_s, v_s)
    for m in (0, 1, 2, 3, 7, n + 5):
        r_p, v_p = np.full((n, 3), np.nan), np.full((n, 3), np.nan)
        k.burnout_states_parallel(lat, lon, alt, v, g, az, WGS84.a_m, WGS84.f, r_p, v_p,
                                     np.int64(m))  # fmt: skip
        assert_same_bits((r_p, v_p), (r_s, v_s), msg=f"{m} chunks")


def test_kinked_screen_agrees_with_kink_between() -> None:
    """`_kinked` (the lanes' branch-free screen, decision 0024) is True exactly where
    `_kink_between` finds a kink: heights at and around every kink and its tolerance band, both
    directions, equal heights, NaN and infinities on either side, and random pairs."""
    from bmdsim.physics.atmosphere import DENSITY_KINKS_M

    rng = np.random.default_rng(31)
    tol = k.KINK_TOL_M
    pts = np.concatenate([DENSITY_KINKS_M + d for d in (-tol - 1e-6, -tol, -tol + 1e-6, -1.0,
                                                        0.0, 1.0, tol - 1e-6, tol, tol + 1e-6)]
                         + [[-1e4, 0.0, 1.2e5, np.nan, np.inf, -np.inf]])  # fmt: skip
    pairs = [(a, b) for a in pts for b in pts]
    pairs += list(zip(rng.uniform(-5e3, 1.2e5, 5000), rng.uniform(-5e3, 1.2e5, 5000), strict=True))
    n_kinked = 0
    for a, b in pairs:
        want = not math.isnan(k._kink_between(a, b))
        assert k._kinked(a, b) == want, (a, b)
        n_kinked += want
    assert 0 < n_kinked < len(pairs)


def test_inertial_velocity_kernels_give_numpys_bits() -> None:
    """`propagate`'s initial inertial velocity, v0 + omega x r0, from the numba loops
    (`inertial_velocities` for small batches, `_parallel` for large, decision 0024) has the
    bits of the numpy expression it replaced, signed zeros included (-0.0 + 0.0 is +0.0)."""
    from bmdsim.physics.earth import WGS84

    rng = np.random.default_rng(24)
    n = 300
    r0 = rng.normal(0.0, 6.4e6, (n, 3))
    v0 = rng.normal(0.0, 3e3, (n, 3))
    v0[::7, 2] = -0.0
    v0[::5, 0], r0[::5, 1] = 0.0, 0.0
    omega = WGS84.omega_rad_s
    want = v0 + np.stack([-omega * r0[:, 1], omega * r0[:, 0], np.zeros(n)], axis=1)
    for kernel in (k.inertial_velocities, k.inertial_velocities_parallel):
        got = np.empty((n, 3))
        kernel(r0, v0, omega, got)
        assert_same_bits((got,), (want,))
    assert np.signbit(want[::7, 2]).sum() == 0  # the signed zeros did arise and turn positive


def test_event_outputs_are_disjoint_views_of_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """`propagate`'s per-flight outputs (decision 0025): one allocation, each output a
    C-contiguous writable view of its own part of it (the kernels' one array flavour), the
    integer ones zeroed (the block is allocated here as NaN-filled memory, so that zeros
    can only come from `_event_outputs` itself)."""
    from bmdsim.physics.flyout import _event_outputs

    empty = np.empty

    def nan_filled(*args: object, **kwargs: object) -> np.ndarray:
        a = empty(*args, **kwargs)  # type: ignore[call-overload]
        a.fill(np.nan)
        return a

    monkeypatch.setattr(np, "empty", nan_filled)
    n, s_cols = 7, 3
    outs = _event_outputs(n, s_cols)
    shapes = [(n,), (n,), (n,), (n, k.N_EVENTS), (n, k.N_EVENTS, 3), (n, k.N_EVENTS, 3),
              (n, s_cols)]  # fmt: skip
    assert [a.shape for a in outs] == shapes
    assert [a.dtype for a in outs] == [np.dtype(np.int64)] * 3 + [np.dtype(np.float64)] * 4
    base = outs[0].base
    while base.base is not None:
        base = base.base
    for j, a in enumerate(outs):
        assert a.flags.c_contiguous and a.flags.writeable and a.flags.aligned
        assert np.shares_memory(a, base)
        for other in outs[j + 1 :]:
            assert not np.shares_memory(a, other)
    assert all((a == 0).all() for a in outs[:3])
    assert base.nbytes == sum(a.nbytes for a in outs)


@pytest.mark.slow
@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="page-fault counts of glibc's malloc on Linux",
)
def test_a_loop_of_batches_does_not_fault_its_outputs_in_again() -> None:
    """Decision 0025: with the outputs in one block, a loop of 20,000-flight vacuum batches
    reuses the memory the last batch freed. With seven separate output arrays glibc gave it
    back to the kernel after each batch and the next faulted it in again: 900-1,850 minor
    page faults a batch in a fresh process (906 in this test's), 8 % of a one-thread batch
    here; 0-50 now (0 in this test's). A fresh process, so that no large block freed earlier
    in the test process has raised glibc's thresholds already."""
    script = """
import resource, sys
import numpy as np
from bmdsim.physics.flyout import FlyoutSettings, fly_free
n = 20000
rng = np.random.default_rng(5)
args = (np.deg2rad(rng.uniform(25, 65, n)), np.deg2rad(rng.uniform(-10, 100, n)),
        rng.uniform(80e3, 300e3, n), rng.uniform(2000, 7300, n),
        np.deg2rad(rng.uniform(20, 50, n)), rng.uniform(0, 2 * np.pi, n))
st = FlyoutSettings(drag=False, sample_dt_s=None)
for _ in range(3):
    fly_free(*args, settings=st)
m0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    tr = fly_free(*args, settings=st)
    del tr
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - m0) / 4)
"""
    # glibc's own settings in the environment would keep the memory whatever the code does
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=600, env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    faults = float(run.stdout.split()[-1])
    assert faults < 400, f"{faults:.0f} minor page faults a batch"


def test_step_controller_log_and_exp_agree_with_libm() -> None:
    """The PI controller's own logarithm and exponential (`_ctl_log`, `_ctl_exp`: plain
    arithmetic that LLVM vectorises, decision 0023) against libm: ln x within 2e-14 absolute
    for every error the controller takes (1e-10 up), including powers of two, the sqrt(2)
    switch of the reduction and the largest double; e^y within 1e-14 relative on [-2, 2]."""
    rng = np.random.default_rng(23)
    sqrt2 = math.sqrt(2.0)
    xs = np.concatenate([
        10.0 ** rng.uniform(-10.0, 10.0, 3000),
        2.0 ** np.arange(-33.0, 34.0),
        [1.0, sqrt2, np.nextafter(sqrt2, 0.0), np.nextafter(sqrt2, 2.0), 1e-10],
        [np.finfo(float).max],
        rng.uniform(0.5, 2.0, 1000),
    ])  # fmt: skip
    got = np.array([k._ctl_log(x) for x in xs])
    np.testing.assert_allclose(got, np.log(xs), rtol=0.0, atol=2e-14)
    assert k._ctl_log(1.0) == 0.0
    ys = np.concatenate([rng.uniform(-2.0, 2.0, 3000), [-2.0, -1e-300, 0.0, 1e-300, 2.0]])
    got = np.array([k._ctl_exp(y) for y in ys])
    np.testing.assert_allclose(got, np.exp(ys), rtol=1e-14, atol=0.0)
    assert k._ctl_exp(0.0) == 1.0


def test_pi_control_matches_hairers_formula_with_libm() -> None:
    """`_pi_control` equals Hairer's DOPRI5 rule written with libm's log and exp (0.9
    err^(0.75 beta - 0.2) err_old^beta, clamped to [0.2, 5], at most 1 after a rejection, at
    least h_keep) to 1e-13 relative, over errors from 0 to 1e12 (above 1 the step is rejected
    and the lanes read no outcome, but the rule is defined) and old log errors from the floor
    up: so the clip of the exponent to [-2, 2] (decision 0023) never changes a clamped
    factor."""
    rng = np.random.default_rng(24)
    beta = k._PI_BETA
    errs = np.concatenate([[0.0, 1e-300, 1e-10, 1.0, 1e12], 10.0 ** rng.uniform(-14.0, 12.0, 400)])
    ln_olds = np.concatenate([[k._LN_ERR_OLD_MIN, 0.0], rng.uniform(k._LN_ERR_OLD_MIN, 0.0, 8)])
    factors, exponents = set(), []
    for err in errs:
        for ln_old in ln_olds:
            for rejected in (False, True):
                for h_keep in (0.0, 70.0):
                    h, ln_e = k._pi_control(50.0, err, ln_old, rejected, h_keep)
                    ln_ref = math.log(max(err, 1e-10))
                    y = (0.75 * beta - 0.2) * ln_ref + beta * ln_old
                    exponents.append(y)
                    fac = min(5.0, max(0.2, 0.9 * math.exp(y)))
                    fac = min(fac, 1.0) if rejected else fac
                    factors.add(fac)
                    assert h == pytest.approx(max(50.0 * fac, h_keep), rel=1e-13, abs=0.0)
                    assert ln_e == pytest.approx(max(ln_ref, k._LN_ERR_OLD_MIN), rel=0, abs=2e-14)
    assert {0.2, 1.0, 5.0} <= factors  # the grid reaches the clamps
    assert min(exponents) < -2.0 and max(exponents) > 2.0  # and the clip on both sides


def test_kernel_calls_pass_no_literal_int_or_bool_arguments() -> None:
    """numba compiles a separate copy of a jitted function for every literal int or bool it is
    called with (the event searches were compiled 4-5 times each, about a fifth of the first
    compile: decision 0013). Calls between the integrator's kernels therefore pass such
    constants as np.int64(...) / np.bool_(...). Functions inlined in numba's IR
    (inline="always") are exempt: they are not compiled on their own. So are the calls that
    want a copy per value, the switches (True or None) of decision 0018: `_run_chunk_lanes`'
    `drag` and `stages`, so that the vacuum lanes compile without the drag's code and the
    free-flight lanes without the powered lanes, and `_lanes_dp_step`'s `powered` (the powered
    lanes' step or the free lanes')."""
    import ast
    import inspect

    import numba

    tree = ast.parse(inspect.getsource(k))
    kernels = {
        name: d for name, d in vars(k).items() if isinstance(d, numba.core.registry.CPUDispatcher)
    }
    int_constants = {
        name for name, v in vars(k).items() if isinstance(v, int) and not name.startswith("__")
    }
    offenders = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        d = kernels.get(node.func.id)
        if d is None or d.targetoptions.get("inline") == "always":
            continue
        for pos, arg in enumerate(node.args):
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, (bool, int))
            named = isinstance(arg, ast.Name) and arg.id in int_constants
            on_purpose = (node.func.id, pos) in {
                ("_run_chunk_lanes", 6), ("_run_chunk_lanes", 7), ("_lanes_dp_step", 4)
            }  # fmt: skip
            if (literal or named) and not on_purpose:
                offenders.append(f"line {node.lineno}: {node.func.id} argument {pos}")
    assert not offenders, offenders
    assert kernels["_locate"] is k._locate  # the scan saw the kernels
