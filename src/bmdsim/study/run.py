"""A study: run one or several architectures on a scenario's world, compute the metrics.

Metrics (docs/metrics.md), per architecture and party:

* ``population_defended`` / ``share_defended``: the party's asset cities (cities of at least
  `assets.min_population` people on its territory) that some coverage threat can reach are
  *threatened*; a threatened city is *defended* when, for every coverage group that reaches
  it, one missile aimed at it alone is killed with probability >= `DEFENDED_PROBABILITY`
  (analytic given the trial's draws, averaged over trials: `engine.defense_probability`).
  The share is defended over threatened population.
* ``dependency_share``: the share of the party's defended population that is no longer
  defended when the other parties' sensors and interceptors are taken away (the same
  architecture, counterfactual).
* ``expected_leakers``: raid missiles aimed at the party's territory that are not killed,
  mean per raid (trial); ``interceptors_expended``: interceptors the party's sites fire per
  raid; ``earliest_intercept_s`` / ``latest_intercept_s``: over all trials, in the scenario
  clock (s after the raid's first launch).
* For ``sectoral``, ``partner_fails`` holds the same metrics with every other party's
  performance set to 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdsim.architectures import Decider, deciders
from bmdsim.battle.engine import Draws, Shot, defense_probability, simulate_raid
from bmdsim.battle.world import World

#: A city is defended when a missile aimed at it is killed with at least this probability.
DEFENDED_PROBABILITY = 0.9
#: Probabilities are means over trials: a plan of one pk = 0.9 shot averages to 0.9 only up to
#: rounding (0.8999999999999999), so the comparison allows this much.
_ROUNDING = 1e-9


def is_defended(p: NDArray[np.float64]) -> NDArray[np.bool_]:
    """p >= DEFENDED_PROBABILITY (up to rounding); NaN (not threatened) is not defended."""
    return np.nan_to_num(p, nan=-1.0) >= DEFENDED_PROBABILITY - _ROUNDING


@dataclass
class ArchitectureRun:
    name: str
    metrics: dict[str, Any]
    raid: dict[str, NDArray[Any]]  # per (trial, raid threat)
    shots: list[Shot]
    city_p: NDArray[np.float64]  # (C,) defense probability (nan: not threatened)
    city_dependent: NDArray[np.bool_]  # (C,) defended only thanks to another party


def city_defense(world: World, decs: list[Decider], draws: Draws
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """(C,) per asset city: the smallest defense probability over the coverage groups that
    reach it (nan where none does), and the expected interceptors per defended probe."""
    rows = world.probe_rows
    c_n = world.cities.size
    p_city = np.full(c_n, np.nan)
    cost = np.full(c_n, np.nan)
    if rows.size == 0:
        return p_city, cost
    p, c = defense_probability(world, decs, rows, draws)
    city = world.threats.city[rows]
    for k in range(rows.size):
        ci = city[k]
        if np.isnan(p_city[ci]) or p[k] < p_city[ci]:
            p_city[ci] = p[k]
            cost[ci] = c[k]
    return p_city, cost


def _party_metrics(world: World, party: str, p_city: NDArray[np.float64],
                   dependent: NDArray[np.bool_] | None, raid: dict[str, NDArray[Any]],
                   shots: list[Shot], trials: int) -> dict[str, Any]:  # fmt: skip
    mine = world.city_party == party
    pop = world.cities["population"].astype(float)
    threatened = mine & np.isfinite(p_city)
    defended = threatened & is_defended(p_city)
    pop_t, pop_d = float(pop[threatened].sum()), float(pop[defended].sum())
    out: dict[str, Any] = {
        "cities": int(mine.sum()),
        "population": int(pop[mine].sum()),
        "cities_threatened": int(threatened.sum()),
        "population_threatened": int(pop_t),
        "cities_defended": int(defended.sum()),
        "population_defended": int(pop_d),
        "share_defended": round(pop_d / pop_t, 6) if pop_t > 0 else None,
    }
    if dependent is not None:
        pop_dep = float(pop[defended & dependent].sum())
        out["population_dependent"] = int(pop_dep)
        out["dependency_share"] = round(pop_dep / pop_d, 6) if pop_d > 0 else None
    rows = world.raid_rows
    own = np.isin(world.threats.target_country[rows], list(world.territory[party]))
    r_n = rows.size
    killed = raid["killed"].reshape(trials, r_n) if r_n else np.zeros((trials, 0), dtype=bool)
    out["raid_missiles"] = int(own.sum())
    out["expected_leakers"] = round(float((~killed[:, own]).sum(axis=1).mean()), 6)
    site_party = np.array([s.party for s in world.sites])
    z = 1 if world.scenario.doctrine.type != "salvo" else world.scenario.doctrine.salvo_size
    mine_shots = [s for s in shots if site_party[s.site] == party]
    out["interceptors_expended"] = round(len(mine_shots) * z / trials, 6)
    t_glob = [world.threats.t0_s[s.threat] + s.intercept_s for s in mine_shots]
    out["earliest_intercept_s"] = round(float(min(t_glob)), 3) if t_glob else None
    out["latest_intercept_s"] = round(float(max(t_glob)), 3) if t_glob else None
    return out


def run_architecture(world: World, name: str, draws: Draws, *,
                     performance: dict[str, float] | None = None, dependency: bool = True,
                     progress: Any = None) -> ArchitectureRun:  # fmt: skip
    """Evaluate one architecture: coverage, dependency counterfactuals and the raid."""
    decs = deciders(world, name, performance=performance)
    p_city, _ = city_defense(world, decs, draws)
    dependent = np.zeros(world.cities.size, dtype=bool)
    if dependency:
        for party in world.parties:
            others_s = np.array([s.party != party for s in world.sensors], dtype=bool)
            others_w = np.array([s.party != party for s in world.sites], dtype=bool)
            alone = [d.without(others_s, others_w) for d in decs]
            p_alone, _ = city_defense(world, alone, draws)
            mine = world.city_party == party
            dep = is_defended(p_city) & ~is_defended(p_alone)
            dependent |= mine & dep
    raid, shots = simulate_raid(world, decs, draws, progress=progress)
    k = draws.trials
    metrics: dict[str, Any] = {
        "deciders": [d.name for d in decs],
        "parties": {
            p: _party_metrics(world, p, p_city, dependent if dependency else None, raid, shots, k)
            for p in world.parties
        },  # fmt: skip
    }
    rows = world.raid_rows
    killed = raid["killed"].reshape(k, rows.size) if rows.size else np.zeros((k, 0), bool)
    metrics["raid"] = {
        "missiles": int(rows.size),
        "expected_leakers": round(float((~killed).sum(axis=1).mean()), 6),
        "interceptors_expended": round(float(raid["shots"].sum()) / k, 6),
    }
    return ArchitectureRun(name, metrics, raid, shots, p_city, dependent)


def partner_fails(world: World, draws: Draws, progress: Any = None) -> dict[str, Any]:
    """Sectoral metrics of each party when every other party never performs."""
    out = {}
    for party in world.parties:
        perf = {p: 0.0 for p in world.parties if p != party}
        run = run_architecture(world, "sectoral", draws, performance=perf, dependency=False,
                               progress=progress)  # fmt: skip
        out[party] = run.metrics["parties"][party]
    return out
