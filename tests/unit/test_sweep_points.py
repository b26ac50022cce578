"""Sweep points: paths, axis expansion (lists, ranges, a joint Latin hypercube), seeds, world
keys, and the per-process world cache (a re-bound cached world gives the results of a fresh
build)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bmdsim.sweep import load_sweep
from bmdsim.sweep.points import (
    PathError,
    build_plan,
    check_path,
    dump,
    lhs_design,
    parse_path,
    point_scenario,
    point_seed,
    range_values,
    set_paths,
)
from bmdsim.sweep.run import clear_world_cache, run_point, shared_of
from bmdsim.sweep.schema import Range

SMALL = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "small.yaml"


def _plan(tmp_path: Path, body: str) -> object:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"name: t\nbase: {SMALL}\n{body}")
    return build_plan(load_sweep(path))


def test_parse_path() -> None:
    assert parse_path("architectures.coordinated.exchange[0].latency_s") == (
        "architectures",
        "coordinated",
        "exchange",
        0,
        "latency_s",
    )
    assert parse_path("interceptor_sites.1.variant") == ("interceptor_sites", 1, "variant")
    assert parse_path("a[1][2].b") == ("a", 1, 2, "b")
    for bad in ("a..b", "a[x].b", "a b", "", "a[1"):
        with pytest.raises(PathError, match="cannot read the path"):
            parse_path(bad)


def test_check_path_and_set_paths() -> None:
    from bmdsim.scenario import load_scenario

    base = dump(load_scenario(SMALL).scenario)
    check_path(base, parse_path("architectures.sectoral.performance.Russia"))  # new free key
    check_path(base, parse_path("interceptor_sites[1].at.lat_deg"))
    with pytest.raises(PathError, match=r"interceptor_sites has items \[0\] to \[1\]"):
        check_path(base, parse_path("interceptor_sites[2].inventory"))
    with pytest.raises(PathError, match="is a list: give an item as"):
        check_path(base, parse_path("threats.name"))
    with pytest.raises(PathError, match="it has no field 'x'"):
        check_path(base, parse_path("doctrine.max_shots.x"))
    before = repr(base)
    new = set_paths(
        base,
        [
            (("interceptor_sites", 1, "inventory"), 3),
            (("architectures", "sectoral", "performance", "Russia"), 0.5),
        ],
    )
    assert repr(base) == before  # the base is not changed
    assert new["interceptor_sites"][1]["inventory"] == 3
    assert new["architectures"]["sectoral"]["performance"] == {"Russia": 0.5}
    assert new["interceptor_sites"][0] is base["interceptor_sites"][0]  # shared, not copied


def test_range_values() -> None:
    assert range_values(Range(start=0, stop=120, step=30)) == [0, 30, 60, 90, 120]
    assert range_values(Range(start=0, stop=100, step=30)) == [0, 30, 60, 90]
    assert range_values(Range(start=0.0, stop=0.3, step=0.1)) == [0.0, 0.1, 0.2, 0.3]
    assert range_values(Range(start=0.5, stop=1.0, num=3)) == [0.5, 0.75, 1.0]
    assert range_values(Range(start=0, stop=10, num=3)) == [0, 5, 10]
    assert all(isinstance(v, int) for v in range_values(Range(start=0, stop=10, num=3)))
    assert range_values(Range(start=2, stop=2, num=1)) == [2]


def test_latin_hypercube_is_stratified_and_reproducible() -> None:
    n, d = 17, 3
    u = lhs_design(n, d, seed=5)
    assert u.shape == (n, d) and np.all((u >= 0) & (u < 1))
    for j in range(d):  # one sample in each of the n strata of every dimension
        assert sorted(np.floor(u[:, j] * n).astype(int)) == list(range(n))
    assert np.array_equal(u, lhs_design(n, d, seed=5))
    assert not np.array_equal(u, lhs_design(n, d, seed=6))


def test_point_seeds() -> None:
    seeds = [point_seed(2011, p) for p in range(200)]
    assert len(set(seeds)) == 200
    ss = np.random.SeedSequence(2011, spawn_key=(7,))
    assert seeds[7] == int(ss.generate_state(1, np.uint32)[0])
    assert {point_seed(2011, p, common=True) for p in range(10)} == {2011}


def test_plan_order_values_and_seeds(tmp_path: Path) -> None:
    body = (
        "seed: 11\ntrials: 3\naxes:\n"
        "  - {name: jdd, path: architectures.sectoral.joint_decision_delay_s, "
        "values: [30, 60]}\n"
        "  - {name: rel, path: architectures.sectoral.performance.Russia, "
        "range: {start: 0.5, stop: 1.0, step: 0.25}}\n"
        "  - name: lat\n    paths: [architectures.coordinated.exchange.0.latency_s, "
        "parties.NATO.internal_latency_s]\n"
        "    latin_hypercube: {n: 4, low: 1, high: 9, seed: 3}\n"
        "  - name: inv\n    path: interceptor_sites[0].inventory\n"
        "    latin_hypercube: {n: 4, low: 1, high: 24, integer: true}\n"
    )
    plan = _plan(tmp_path, body)
    assert len(plan.points) == 2 * 3 * 4  # factorial x Latin-hypercube rows
    assert [p.index for p in plan.points] == list(range(24))
    vals = [p.values for p in plan.points]
    assert [v[:2] for v in vals[:8:4]] == [(30, 0.5), (30, 0.75)]  # last factorial axis faster
    assert [v[2] for v in vals[:4]] == [v[2] for v in vals[4:8]]  # one design, every cell
    u = lhs_design(4, 2, seed=3)  # the axes' own seed; both axes are one design
    assert [v[2] for v in vals[:4]] == pytest.approx(list(1 + 8 * u[:, 0]))
    assert [v[3] for v in vals[:4]] == [1 + int(x * 24) for x in u[:, 1]]
    assert all(1 <= v[3] <= 24 and isinstance(v[3], int) for v in vals)
    assert [p.seed for p in plan.points] == [point_seed(11, i) for i in range(24)]
    p5 = plan.points[5]
    scn = point_scenario(plan.base, plan.axes, p5.values, plan.trials, p5.seed)
    assert scn.architectures.sectoral.joint_decision_delay_s == p5.values[0]
    assert scn.architectures.sectoral.performance == {"Russia": p5.values[1]}
    assert scn.architectures.coordinated.exchange[0].latency_s == p5.values[2]
    assert scn.parties["NATO"].internal_latency_s == p5.values[2]  # paths: one value, all
    assert scn.interceptor_sites[0].inventory == p5.values[3]
    assert (scn.study.trials, scn.study.seed) == (3, p5.seed)
    again = _plan(tmp_path, body)
    assert again.points == plan.points and again.definition_sha256 == plan.definition_sha256
    assert len({p.hash for p in plan.points}) == 24
    # C2 fields and inventories share one world
    assert len({p.world_key for p in plan.points}) == 1


def test_common_random_numbers_and_physics_axes(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        "common_random_numbers: true\naxes:\n"
        "  - {name: speed, path: interceptor_sites.0.interceptor, "
        "values: [sm-3-ib, sm-3-iia]}\n"
        "  - {name: d, path: parties.NATO.decision_delay_s, "
        "values: [10, 20]}\n",
    )
    assert {p.seed for p in plan.points} == {3}  # the base scenario's study seed
    keys = [p.world_key for p in plan.points]
    assert keys[0] == keys[1] and keys[2] == keys[3] and keys[0] != keys[2]


def test_cached_world_gives_the_results_of_a_fresh_build(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        "trials: 4\narchitectures: [coordinated, sectoral]\naxes:\n"
        "  - {name: inv, path: 'interceptor_sites[0].inventory', "
        "values: [24, 1]}\n"
        "  - {name: ld, path: interceptor_sites.0.launch_delay_s, "
        "values: [10, 200]}\n"
        "  - {name: jdd, path: architectures.sectoral.joint_decision_delay_s,"
        " values: [60]}\n",
    )
    shared = shared_of(plan)
    a, b = plan.points[0], plan.points[3]  # (24, 10) and (1, 200): one world key
    assert a.world_key == b.world_key
    clear_world_cache()
    fresh = run_point(shared, b)
    assert fresh.world_built
    clear_world_cache()
    first = run_point(shared, a)
    cached = run_point(shared, b)
    assert first.world_built and not cached.world_built
    assert cached.results.equals(fresh.results) and cached.threats.equals(fresh.threats)
    # and the re-binding mattered: b's inventory and launch delay change its results
    assert not cached.results.drop_columns(["point", "inv", "ld", "seed"]).equals(
        first.results.drop_columns(["point", "inv", "ld", "seed"])
    )
    res = cached.results.to_pylist()
    assert {(r["architecture"], r["party"]) for r in res} == {
        (a_, p)
        for a_ in ("coordinated", "sectoral", "sectoral (partner fails)")
        for p in ("NATO", "Russia")
    }
    nato = {r["architecture"]: r for r in res if r["party"] == "NATO"}
    assert nato["sectoral (partner fails)"]["dependency_share"] is None
    assert all(r["point"] == 3 and r["inv"] == 1 and r["ld"] == 200.0 for r in res)
    thr = cached.threats.to_pylist()
    assert len(thr) == 2 * 3  # architectures x raid missiles
    assert all(0.0 <= t["kill_probability"] <= 1.0 and t["trials"] == 4 for t in thr)
