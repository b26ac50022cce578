"""The engine on the PAA phase III scenario (issue 4): a full `compare` at 1,000 trials, and
the batched coverage evaluation against a per-city loop measured in the same run.

* world: building the scenario's physics (aiming with the disk cache, sensor times,
  engagement structures), timed after one untimed build that fills the caches;
* compare: the four architectures + the sectoral partner-fails runs at 1,000 trials on that
  world (what `bmdsim compare` does after loading);
* coverage batched vs loop: `engine.defense_probability` on all coverage probes at once
  against one call per probe (the same numbers, checked), on the integrated architecture.

Writes `benchmarks/results.json["compare"]` (merged, atomically). Not a timed test.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from _results import record  # noqa: I001 (benchmarks/ is on sys.path when run)

from bmdsim.architectures import deciders
from bmdsim.battle.engine import defense_probability, make_draws
from bmdsim.battle.world import build_world
from bmdsim.scenario import load_scenario
from bmdsim.scenario.schema import ARCHITECTURES
from bmdsim.study.run import partner_fails, run_architecture

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "paa-phase-3.yaml"


def main() -> None:
    scn = load_scenario(SCENARIO).scenario
    build_world(scn)  # fills the aim and fly-out table caches, loads the JIT
    t = time.perf_counter()
    world = build_world(scn)
    t_world = time.perf_counter() - t

    trials = 1000
    t = time.perf_counter()
    draws = make_draws(world, trials, scn.study.seed)
    for a in ARCHITECTURES:
        run_architecture(world, a, draws)
    partner_fails(world, draws)
    t_compare = time.perf_counter() - t

    decs = deciders(world, "integrated")
    rows = world.probe_rows
    d1 = make_draws(world, 1, 0)
    t = time.perf_counter()
    p_batch, _ = defense_probability(world, decs, rows, d1)
    t_batch = time.perf_counter() - t
    n_loop = min(rows.size, 60)
    t = time.perf_counter()
    p_loop = np.array([defense_probability(world, decs, rows[i : i + 1], d1)[0][0]
                       for i in range(n_loop)])  # fmt: skip
    t_loop = time.perf_counter() - t
    assert np.allclose(p_loop, p_batch[:n_loop], rtol=0, atol=1e-12)
    rate_batch = rows.size / t_batch
    rate_loop = n_loop / t_loop
    out = {
        "scenario": SCENARIO.name,
        "raid_missiles": int(world.raid_rows.size),
        "coverage_probes": int(rows.size),
        "world_build_warm_s": round(t_world, 3),
        "compare_1000_trials_s": round(t_compare, 3),
        "compare_total_warm_s": round(t_world + t_compare, 3),
        "coverage_probes_per_s_batched": round(rate_batch, 1),
        "coverage_probes_per_s_loop": round(rate_loop, 1),
        "coverage_batched_over_loop": round(rate_batch / rate_loop, 1),
        "cpus": os.cpu_count(),
    }
    print(f"PAA phase III: {out['raid_missiles']} raid missiles, {out['coverage_probes']} probes")
    print(f"  world build (warm caches)         {t_world:8.2f} s")
    print(f"  four architectures, 1,000 trials  {t_compare:8.2f} s")
    print(f"  coverage, batched                 {rate_batch:8.1f} probes/s")
    print(f"  coverage, one call per probe      {rate_loop:8.1f} probes/s")
    print(f"  ratio batched / loop              {rate_batch / rate_loop:8.1f}x")
    record("compare", out)


if __name__ == "__main__":
    main()
