"""The engine on the cooperation test geometry (tests/data/scenarios/coop.yaml): timings,
the batched earliest-intercept search, the shot plan, the raid's assignment and seeding."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from bmdsim.architectures import deciders, sector_owner
from bmdsim.battle.engine import (
    defense_probability,
    make_draws,
    probe_defense,
    simulate_raid,
    timing,
)
from bmdsim.battle.world import World, build_world
from bmdsim.scenario import load_scenario

COOP = Path(__file__).parents[1] / "data" / "scenarios" / "coop.yaml"


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(COOP).scenario)


def with_scenario(world: World, **changes: object) -> World:
    return dataclasses.replace(world, scenario=world.scenario.model_copy(update=changes))


def test_world_rows_and_aim(world: World) -> None:
    th = world.threats
    assert (~th.probe).sum() == 8  # 3 targets x 2 + 2 targets x 1
    assert th.probe.sum() > 50
    assert np.nanmax(th.miss_m) <= 1000.0  # aiming tolerance of issue 2 (<= 1 km)
    # raid launch times: 20 s apart within a raid
    west = th.raid == "west"
    assert np.allclose(np.sort(th.t0_s[west & ~th.probe]), np.arange(6) * 20.0)
    # every probe's city is an asset city of a party
    assert np.all(th.city[th.probe] >= 0)


def test_earliest_matches_brute_force(world: World) -> None:
    """The searchsorted answer equals a direct scan of the feasible samples."""
    ic = world.intercepts
    rng = np.random.default_rng(0)
    for _ in range(400):
        s = int(rng.integers(len(world.sites)))
        i = int(rng.integers(world.threats.size))
        f = float(rng.uniform(-100, 900))
        a, n = ic.start[s, i], ic.count[s, i]
        t, lau = ic.t_int_s[a : a + n], ic.launch_s[a : a + n]
        ok = lau >= f
        want = t[ok][0] if ok.any() else np.nan
        got, got_l, _ = ic.earliest(np.array(s), np.array(i), np.array(f))
        if np.isnan(want):
            assert np.isnan(got)
        else:
            assert got == want and got_l >= f


def test_earliest_without_a_finite_bound(world: World) -> None:
    """not_before -inf: the row's first intercept; +inf or NaN (no track): none."""
    ic = world.intercepts
    s = np.repeat(np.arange(len(world.sites)), world.threats.size)
    i = np.tile(np.arange(world.threats.size), len(world.sites))
    first = np.where(
        ic.count[s, i] > 0, ic.t_int_s[np.minimum(ic.start[s, i], ic.t_int_s.size - 1)], np.nan
    )
    got, _, _ = ic.earliest(s, i, np.full(s.size, -np.inf))
    assert np.array_equal(got, first, equal_nan=True) and np.isfinite(got).any()
    for bound in (np.inf, np.nan):
        got, lau, alt = ic.earliest(s, i, np.full(s.size, bound))
        assert np.isnan(got).all() and np.isnan(lau).all() and np.isnan(alt).all()


def test_timing_follows_the_documented_rule(world: World) -> None:
    draws = make_draws(world, 1, 0)
    nato = deciders(world, "independent")[0]
    rows = world.raid_rows
    tm = timing(world, nato, rows, draws)
    j = [k for k, s in enumerate(world.sensors) if s.party == "NATO"]
    info = (world.detect_s[j][:, rows] + 2.0).min(axis=0)
    ev = (world.eval_track_s[j][:, rows] + 2.0).min(axis=0)
    raw = np.maximum(info + 30.0, ev)
    t0 = world.threats.t0_s[rows]
    want = np.ceil((t0 + raw) / 5.0) * 5.0 - t0
    mine = nato.engages[rows]
    assert np.allclose(tm.decide_s[0, mine], want[mine])
    assert np.all(np.isinf(tm.decide_s[0, ~mine]))
    assert np.all(tm.fire_s[0][:, mine] >= tm.decide_s[0, mine] + 10.0 - 1e-9)


def test_probe_plan_is_at_least_the_single_best_shot(world: World) -> None:
    """The best plan's kill probability is >= the best single site's pk wherever a shot fits,
    and <= 1 - (1 - max pk)^max_shots."""
    draws = make_draws(world, 1, 0)
    rows = world.probe_rows
    for d in deciders(world, "integrated"):
        tm = timing(world, d, rows, draws)
        pr = probe_defense(world, d, rows, tm)
        pk = max(world.sites[s].pk for s in d.sites)
        shot = pr.first_site[0] >= 0
        p = pr.kill_probability[0]
        assert np.all(p[~shot] == 0)
        first_pk = np.array([world.sites[s].pk for s in pr.first_site[0][shot]])
        assert np.all(p[shot] >= first_pk - 1e-12)
        assert np.all(p <= 1 - (1 - pk) ** world.scenario.doctrine.max_shots + 1e-12)
        assert np.all((pr.expected_shots[0][shot] >= 1) & (pr.expected_shots[0][shot] <= 2))


def test_sector_owner_by_launch_and_by_crossing(world: World) -> None:
    own = sector_owner(world)
    assert set(own) <= {"NATO", "Russia", ""}
    # launched from Iran (no sector): by launch, every threat falls back to its target's
    # defender
    w = with_scenario(world, architectures=world.scenario.architectures.model_copy(
        update={"sectoral": world.scenario.architectures.sectoral.model_copy(
            update={"assign_by": "launch"})}))  # fmt: skip
    by_launch = sector_owner(w)
    to_russia = world.threats.target_country == "RUS"
    assert np.all(by_launch[to_russia] == "Russia")
    assert np.all(by_launch[~to_russia] == "NATO")
    # by crossing, a missile to a Russian city whose track first enters Turkey is NATO's
    first_iso = world.threats.target_country  # sanity of the inputs only
    assert first_iso.shape == own.shape


def test_threat_countries_are_computed_once_and_shared_by_a_rebound_world(world: World
                                                                         ) -> None:  # fmt: skip
    """The countries under the launch points and ground tracks (what `sector_owner` reads)
    are `country_of`'s, computed once per threat table; a world re-bound to another scenario
    (the sweep's cached worlds) keeps the table and so the countries."""
    from bmdsim.geo import country_of

    th = world.threats
    assert np.array_equal(th.track_country,
                          country_of(np.nan_to_num(th.track_lat_deg),
                                     np.nan_to_num(th.track_lon_deg)))  # fmt: skip
    assert np.array_equal(th.launch_country, country_of(th.launch_lat_deg, th.launch_lon_deg))
    assert th.track_country is th.track_country
    rebound = with_scenario(world, title="another")
    assert rebound.threats.track_country is th.track_country
    assert np.array_equal(sector_owner(rebound), sector_owner(world))


def test_raid_is_seeded_and_common_across_calls(world: World) -> None:
    decs = deciders(world, "coordinated")
    a, _ = simulate_raid(world, decs, make_draws(world, 50, 11))
    b, _ = simulate_raid(world, decs, make_draws(world, 50, 11))
    c, _ = simulate_raid(world, decs, make_draws(world, 50, 12))
    for k in a:
        assert np.array_equal(a[k], b[k]) or (a[k].dtype.kind == "f" and np.array_equal(
            a[k], b[k], equal_nan=True))  # fmt: skip
    assert not np.array_equal(a["killed"], c["killed"])


def test_raid_kill_rate_matches_the_analytic_probability(world: World) -> None:
    """With ample inventory, the raid's kill frequency of each missile agrees with the
    analytic probability of the same plan within 4 binomial standard errors (the raid uses
    the LSA's site then earliest re-engagements, the probe the best plan: the raid can only
    be <= the analytic value + noise)."""
    sites = tuple(dataclasses.replace(s, inventory=10_000) for s in world.sites)
    w = dataclasses.replace(world, sites=sites)
    decs = deciders(w, "independent")
    k = 2000
    draws = make_draws(w, k, 5)
    raid, _ = simulate_raid(w, decs, draws)
    freq = raid["killed"].reshape(k, -1).mean(axis=0)
    p, _ = defense_probability(w, decs, w.raid_rows, draws)
    se = np.sqrt(np.maximum(p * (1 - p), 1e-4) / k)
    assert np.all(freq <= p + 4 * se)
    # where one site gives the whole plan the two agree
    assert np.mean(np.abs(freq - p) <= 4 * se) >= 0.75


def test_assignment_prefers_the_more_populous_target(world: World) -> None:
    """One interceptor, two threats decided in the same cycle: it goes to the more valuable
    target (the assignment's objective)."""
    th = world.threats
    rows = world.raid_rows
    # Bucharest/1 and Istanbul/1 launched together and decided in one (long) cycle
    scn = world.scenario
    doc = scn.doctrine.model_copy(update={"decision_cycle_s": 150.0, "max_shots": 1})
    w = with_scenario(world, doctrine=doc)
    t0 = th.t0_s.copy()
    t0[rows] = 0.0
    w = dataclasses.replace(w, threats=dataclasses.replace(th, t0_s=t0))
    sites = tuple(dataclasses.replace(s, inventory=1 if s.party == "NATO" and "iia" in s.key
                                      else 0) for s in w.sites)  # fmt: skip
    w = dataclasses.replace(w, sites=sites)
    decs = deciders(w, "independent")
    draws = make_draws(w, 1, 0)
    _, shots = simulate_raid(w, decs, draws)
    assert len(shots) == 1
    target = th.target[shots[0].threat]
    nato_targets = [r for r in rows if th.target_country[r] != "RUS"]
    reachable = [r for r in nato_targets if np.isfinite(w.intercepts.earliest(
        np.array(1), np.array(r), np.array(0.0))[0])]  # fmt: skip
    best = max(reachable, key=lambda r: th.value[r])
    assert th.value[shots[0].threat] == th.value[best], target


def test_coverage_does_not_depend_on_the_number_of_trials(world: World) -> None:
    """Without random elements the defended set is the same for 7 or 1,000 trials (means of
    equal values may differ in the last bit: the threshold allows for it)."""
    from bmdsim.study.run import city_defense, is_defended

    decs = deciders(world, "integrated")
    a, _ = city_defense(world, decs, make_draws(world, 7, 1))
    b, _ = city_defense(world, decs, make_draws(world, 1000, 1))
    assert np.array_equal(is_defended(a), is_defended(b))
    assert np.allclose(a, b, equal_nan=True, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("accuracy_m", "can_fire"), [(None, True), (500.0, True),
                                                      (5000.0, False)])  # fmt: skip
def test_remote_track_accuracy_gates_launch_on_remote(
    world: World, accuracy_m: float | None, can_fire: bool
) -> None:
    """A partner track worse than the receiver's remote_fire_accuracy_m (1,000 m by default)
    still serves threat evaluation but cannot fire."""
    from bmdsim.scenario.schema import ExchangeFlow

    flow = ExchangeFlow.model_validate({"from": "Russia", "to": "NATO", "data": "tracks",
                                        "latency_s": 5, "fire_control": True,
                                        "accuracy_m": accuracy_m})  # fmt: skip
    arch = world.scenario.architectures
    arch = arch.model_copy(update={"coordinated": arch.coordinated.model_copy(
        update={"exchange": [flow]})})  # fmt: skip
    w = with_scenario(world, architectures=arch)
    nato = deciders(w, "coordinated")[0]
    don = next(j for j, s in enumerate(w.sensors) if s.sensor.name == "don-2n")
    assert nato.eval_latency_s[don] == 5.0
    assert np.all(np.isfinite(nato.fire_latency_s[don, nato.sites]) == can_fire)


def test_degenerate_scenarios_run(tmp_path: Path) -> None:
    """No sensors, no interceptor sites, no coverage probes: everything leaks, nothing is
    defended, and the metrics say so instead of failing."""
    from bmdsim.scenario import parse_scenario
    from bmdsim.study.run import run_architecture

    text = """
name: bare
parties:
  NATO: {territory: [TUR]}
  Russia: {territory: [RUS]}
threats:
  - name: one
    missile: sejjil-2
    launch: {name: Tabriz, lat_deg: 38.08, lon_deg: 46.29}
    targets: [Ankara]
coverage: []
"""
    w = build_world(parse_scenario(text))
    draws = make_draws(w, 5, 0)
    for arch in ("independent", "coordinated", "sectoral", "integrated"):
        run = run_architecture(w, arch, draws)
        nato = run.metrics["parties"]["NATO"]
        assert nato["expected_leakers"] == 1.0 and nato["interceptors_expended"] == 0
        assert nato["population_threatened"] == 0 and nato["share_defended"] is None
        assert run.metrics["raid"]["missiles"] == 1


def test_write_folder_puts_the_earlier_folder_back_on_failure(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:  # fmt: skip
    """If the final rename fails, the earlier output folder is restored, nothing is left."""
    import os

    from bmdsim.report import run_folder

    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text("old")
    real = os.replace
    calls = {"n": 0}

    def flaky(a: object, b: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the new folder onto `out`
            raise OSError("disk full")
        real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(run_folder.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        run_folder.write_folder(out, lambda d: (d / "run.json").write_text("new"))
    monkeypatch.setattr(run_folder.os, "replace", real)
    assert (out / "run.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    monkeypatch.chdir(out)
    with pytest.raises(run_folder.RunFolderError, match="current folder"):
        run_folder.check_out_folder(Path("."))
