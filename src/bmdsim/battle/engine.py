"""The engine: detect -> track -> evaluate -> decide -> assign -> shoot -> assess, for any list
of deciders (an architecture) on a `World`.

Timing of a decider d for threat i (threat clock, s after its launch), per trial k:

* first information ``info = min_j detect[j, i] + info_latency[j]`` (warnings count);
* threat evaluation needs a track that predicts the impact point:
  ``eval = min_j track[j, i] + eval_latency[j]``;
* decision ``decide = max(info + decision_delay, eval)``: the decision process starts with the
  first information and cannot end before the impact point is known;
* site s may fire from ``fire[s] = max(decide, min_j fc_track[j, i] + fire_latency[j, s]) +
  launch_delay[s]``.

A message from a sensor j over a lossy link is lost with its probability, once per (trial,
sensor, threat): the uniform draws are common to every architecture (common random numbers),
so a policy with less loss never sees more lost messages.

Two evaluations use these timings:

* `probe_defense`: the analytic defense probability of each threat considered alone (no
  inventory limit): per decider, the doctrine's shots at the earliest intercept each time (the
  next shot launched after the previous intercept plus the kill-assessment delay), from the
  decider's site that intercepts first; P(kill) = 1 - prod(1 - pk)^shots; deciders combine
  as independent layers. Averaged over trials (loss and performance draws); exact given them.
* `simulate_raid`: the raid with inventories, one trial at a time, as a discrete-event run
  (a heap of decision and assessment events). At each decision epoch a decider assigns its
  ready threats to its sites' interceptors by `scipy.optimize.linear_sum_assignment`,
  maximising the expected population saved, sum over assignments of ``value_i * P_kill(s)``
  (value: the target's population), with the earlier intercept preferred on ties; kills are
  drawn, a missed threat is re-engaged after kill assessment while the doctrine allows.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from bmdsim.architectures import Decider
from bmdsim.battle.world import World

FloatArray = NDArray[np.float64]
INF = math.inf


@dataclass(frozen=True)
class Draws:
    """The random numbers of a study, one stream per trial (`numpy.random.SeedSequence` with
    spawn key (trial,)), drawn in a fixed order: party performance, message loss, kills."""

    perf_u: FloatArray  # (K, P)
    loss_u: FloatArray  # (K, J, N)
    kill_u: FloatArray  # (K, R, rounds, salvo) for the raid rows

    @property
    def trials(self) -> int:
        return int(self.perf_u.shape[0])


def make_draws(world: World, trials: int, seed: int, first_trial: int = 0) -> Draws:
    d = world.scenario.doctrine
    rounds, salvo = d.max_shots, (d.salvo_size if d.type == "salvo" else 1)
    p, j, n, r = len(world.parties), len(world.sensors), world.threats.size, world.raid_rows.size
    perf = np.empty((trials, p))
    loss = np.empty((trials, j, n))
    kill = np.empty((trials, r, rounds, salvo))
    for k in range(trials):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(first_trial + k,)))
        perf[k] = rng.random(p)
        loss[k] = rng.random((j, n))
        kill[k] = rng.random((r, rounds, salvo))
    return Draws(perf, loss, kill)


@dataclass(frozen=True)
class Timing:
    """A decider's timings for the threats `rows`; arrays (K', ...) with K' = 1 when no loss
    can occur (then the same for every trial)."""

    info_s: FloatArray  # (K', R)
    eval_s: FloatArray  # (K', R)
    decide_s: FloatArray  # (K', R)
    fire_s: FloatArray  # (K', S_d, R) inf where the decider does not engage


def timing(world: World, d: Decider, rows: NDArray[np.int64], draws: Draws) -> Timing:
    lossy = bool(np.any(d.loss_probability > 0))
    det = world.detect_s[:, rows][None]
    ev = world.eval_track_s[:, rows][None]
    fc = world.fc_track_s[:, rows][None]
    lost = None
    if lossy:
        lost = draws.loss_u[:, :, rows] < d.loss_probability[None, :, None]  # (K, J, R)

    def arrive(t: FloatArray, lat: FloatArray) -> FloatArray:
        a = t + lat[None, :, None]
        if lost is not None:
            a = np.where(lost, INF, a)
        return a.min(axis=1) if a.shape[1] else np.full((a.shape[0], a.shape[2]), INF)

    info = arrive(det, d.info_latency_s)
    evt = arrive(ev, d.eval_latency_s)
    decide = np.maximum(info + d.decision_delay_s, evt)
    engages = d.engages[rows][None, :]
    decide = np.where(engages, decide, INF)
    fire = np.empty((decide.shape[0], d.sites.size, rows.size))
    for m, s in enumerate(d.sites):
        fcs = arrive(fc, d.fire_latency_s[:, s])
        fire[:, m] = np.maximum(decide, fcs) + world.sites[s].launch_delay_s
    return Timing(info, evt, decide, fire)


def _salvo(world: World) -> int:
    d = world.scenario.doctrine
    return d.salvo_size if d.type == "salvo" else 1


@dataclass(frozen=True)
class ProbeResult:
    kill_probability: FloatArray  # (K', R) given the decider acts
    expected_shots: FloatArray  # (K', R)
    first_intercept_s: FloatArray  # (K', R)
    first_site: NDArray[np.int64]  # (K', R) world site index, -1 none


def probe_defense(world: World, d: Decider, rows: NDArray[np.int64], tm: Timing
                  ) -> ProbeResult:  # fmt: skip
    """Analytic kill probability of each threat in `rows` engaged alone by decider d."""
    doc = world.scenario.doctrine
    z = _salvo(world)
    k_n, r_n = tm.decide_s.shape
    miss = np.ones((k_n, r_n))
    shots = np.zeros((k_n, r_n))
    first_t = np.full((k_n, r_n), np.nan)
    first_s = np.full((k_n, r_n), -1, dtype=np.int64)
    if d.sites.size == 0:
        return ProbeResult(1 - miss, shots, first_t, first_s)
    pk = np.array([world.sites[s].pk for s in d.sites])
    ready = tm.fire_s.copy()
    for rnd in range(doc.max_shots):
        t_int, _, _ = world.intercepts.earliest(d.sites[None, :, None], rows[None, None, :],
                                                ready)  # fmt: skip
        tt = np.nan_to_num(t_int, nan=INF)
        best = np.argmin(tt, axis=1)
        t_b = np.take_along_axis(tt, best[:, None, :], axis=1)[:, 0]
        has = np.isfinite(t_b)
        if not np.any(has):
            break
        pkb = pk[best]
        shots += np.where(has, miss * z, 0.0)
        miss = np.where(has, miss * (1.0 - pkb) ** z, miss)
        if rnd == 0:
            first_t = np.where(has, t_b, np.nan)
            first_s = np.where(has, d.sites[best], -1)
        ready = np.where(has[:, None, :], np.maximum(tm.fire_s,
                                                     t_b[:, None, :] + doc.kill_assessment_s),
                         INF)  # fmt: skip
    return ProbeResult(1.0 - miss, shots, first_t, first_s)


def performs(world: World, d: Decider, draws: Draws) -> NDArray[np.bool_]:
    """(K,) whether decider d performs in each trial (per party, drawn once per trial)."""
    if d.performance >= 1.0:
        return np.ones(draws.trials, dtype=bool)
    p = world.parties.index(d.party) if d.party in world.parties else 0
    return draws.perf_u[:, p] < d.performance


def defense_probability(world: World, decs: list[Decider], rows: NDArray[np.int64],
                        draws: Draws) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """(R,) mean probability over trials that threat i (alone) is killed by some decider, and
    (R,) the expected interceptors it costs."""
    k = draws.trials
    survive = np.ones((k, rows.size))
    cost = np.zeros((k, rows.size))
    for d in decs:
        tm = timing(world, d, rows, draws)
        pr = probe_defense(world, d, rows, tm)
        act = performs(world, d, draws)[:, None]
        survive = survive * np.where(act, 1.0 - pr.kill_probability, 1.0)
        cost = cost + np.where(act, pr.expected_shots, 0.0)
    return (1.0 - survive).mean(axis=0), cost.mean(axis=0)


# ------------------------------------------------------------------ the raid


@dataclass
class Shot:
    trial: int
    threat: int  # world row
    decider: str
    site: int
    round: int
    launch_s: float  # threat clock
    intercept_s: float
    intercept_alt_m: float
    killed: bool


def simulate_raid(world: World, decs: list[Decider], draws: Draws,
                  trial_range: range | None = None,
                  progress: Any = None) -> tuple[dict[str, NDArray[Any]], list[Shot]]:  # fmt: skip
    """Run the raid in every trial; returns per (trial, raid threat) columns and the shots.

    `draws` hold the trials of `trial_range` (default: trials 0 .. K-1), in order."""
    rows = world.raid_rows
    r_n = rows.size
    doc = world.scenario.doctrine
    z = _salvo(world)
    trials = trial_range if trial_range is not None else range(draws.trials)
    th = world.threats
    t0 = th.t0_s[rows]
    value = np.maximum(th.value[rows], 1.0)
    tms = [timing(world, d, rows, draws) for d in decs]
    acts = [performs(world, d, draws) for d in decs]
    pk = np.array([s.pk for s in world.sites])
    inv0 = np.array([s.inventory for s in world.sites], dtype=np.int64)
    n_k = len(trials)
    col: dict[str, NDArray[Any]] = {
        "trial": np.repeat(np.array(list(trials), dtype=np.int64), r_n),
        "killed": np.zeros(n_k * r_n, dtype=bool),
        "kill_s": np.full(n_k * r_n, np.nan),
        "shots": np.zeros(n_k * r_n, dtype=np.int64),
        "decide_s": np.full(n_k * r_n, np.nan),
        "first_launch_s": np.full(n_k * r_n, np.nan),
        "first_intercept_s": np.full(n_k * r_n, np.nan),
        "first_intercept_alt_km": np.full(n_k * r_n, np.nan),
        "first_site": np.full(n_k * r_n, "", dtype=object),
        "kill_site": np.full(n_k * r_n, "", dtype=object),
        "deciders": np.full(n_k * r_n, "", dtype=object),
    }
    shots: list[Shot] = []
    for kk, k in enumerate(trials):
        base = kk * r_n
        inv = inv0.copy()
        alive = np.ones(r_n, dtype=bool)
        heap: list[tuple[float, int, int, int, int, int]] = []  # t, kind, seq, d, r, round
        seq = 0
        for di, (d, tm) in enumerate(zip(decs, tms, strict=True)):
            if not acts[di][kk]:
                continue
            kt = min(kk, tm.decide_s.shape[0] - 1)
            for r in np.flatnonzero(np.isfinite(tm.decide_s[kt])):
                heapq.heappush(heap, (t0[r] + tm.decide_s[kt, r], 0, seq, di, int(r), 0))
                seq += 1
                i = base + r
                col["decide_s"][i] = np.fmin(col["decide_s"][i], tm.decide_s[kt, r])
                col["deciders"][i] = (col["deciders"][i] + "," + d.name).strip(",")
        while heap:
            t, kind, _, di, r, rnd = heapq.heappop(heap)
            d, tm = decs[di], tms[di]
            kt = min(kk, tm.decide_s.shape[0] - 1)
            if kind == 0:  # decision epoch: gather every decision of d at this time
                group = [r]
                while heap and heap[0][0] == t and heap[0][1] == 0 and heap[0][3] == di:
                    group.append(heapq.heappop(heap)[4])
                group = [g for g in group if alive[g]]
                for r_, s_, ti, li, ai in _assign(world, d, tm, kt, rows, group, t, t0, inv,
                                                  value, pk, z):  # fmt: skip
                    inv[s_] -= z
                    shots.append(Shot(k, int(rows[r_]), d.name, s_, 0, li, ti, ai, False))
                    _record_shot(col, base + r_, world, s_, li, ti, ai, z)
                    heapq.heappush(heap, (t0[r_] + ti + doc.kill_assessment_s, 1, seq, di, r_,
                                          len(shots) - 1))  # fmt: skip
                    seq += 1
            else:  # kill assessment of shot number `rnd` (index into shots)
                shot = shots[rnd]
                if alive[r]:
                    u = draws.kill_u[kk, r, min(shot.round, draws.kill_u.shape[2] - 1), :z]
                    hit = bool(np.any(u < pk[shot.site]))
                    if hit:
                        shot.killed = True
                        alive[r] = False
                        col["killed"][base + r] = True
                        col["kill_s"][base + r] = shot.intercept_s
                        col["kill_site"][base + r] = world.sites[shot.site].key
                        continue
                if not alive[r] or shot.round + 1 >= doc.max_shots:
                    continue
                nxt = _assign(world, d, tm, kt, rows, [r], t, t0, inv, value, pk, z)
                for r_, s_, ti, li, ai in nxt:
                    inv[s_] -= z
                    shots.append(Shot(k, int(rows[r_]), d.name, s_, shot.round + 1, li, ti, ai,
                                      False))  # fmt: skip
                    _record_shot(col, base + r_, world, s_, li, ti, ai, z)
                    heapq.heappush(heap, (t0[r_] + ti + doc.kill_assessment_s, 1, seq, di, r_,
                                          len(shots) - 1))  # fmt: skip
                    seq += 1
        if progress is not None:
            progress(1)
    return col, shots


def _record_shot(col: dict[str, NDArray[Any]], i: int, world: World, s: int, launch: float,
                 t_int: float, alt: float, z: int) -> None:  # fmt: skip
    col["shots"][i] += z
    if not np.isfinite(col["first_launch_s"][i]) or launch < col["first_launch_s"][i]:
        col["first_launch_s"][i] = launch
        col["first_intercept_s"][i] = t_int
        col["first_intercept_alt_km"][i] = alt / 1e3
        col["first_site"][i] = world.sites[s].key


def _assign(world: World, d: Decider, tm: Any, kt: int, rows: NDArray[np.int64],
            group: list[int], t_now: float, t0: FloatArray, inv: NDArray[np.int64],
            value: FloatArray, pk: FloatArray, z: int
            ) -> list[tuple[int, int, float, float, float]]:  # fmt: skip
    """Optimal assignment of the raid threats `group` (indices into rows) to d's sites with
    inventory: maximise sum value * P_kill, earlier intercepts first on ties. Returns
    (r, site, intercept_s, launch_s, alt_m) per assigned threat."""
    if not group:
        return []
    sites = np.array([s for s in d.sites if inv[s] >= z], dtype=np.int64)
    if sites.size == 0:
        return []
    g = np.array(group, dtype=np.int64)
    pos = np.searchsorted(d.sites, sites)  # d.sites is sorted (built in order)
    not_before = np.maximum(tm.fire_s[kt][pos][:, g], (t_now - t0[g])[None, :])
    t_int, launch, alt = world.intercepts.earliest(sites[:, None], rows[g][None, :], not_before)
    ok = np.isfinite(t_int)
    if not np.any(ok):
        return []
    p_kill = 1.0 - (1.0 - pk[sites]) ** z
    gain = value[g][None, :] * p_kill[:, None] * (1.0 - 1e-9 * np.nan_to_num(t_int, nan=0.0))
    gain = np.where(ok, gain, -1.0)
    cols = np.concatenate([np.full(min(int(inv[s] // z), g.size), m) for m, s in
                           enumerate(sites)])  # fmt: skip
    if cols.size == 0:
        return []
    benefit = gain[cols].T  # (G, C)
    ri, ci = linear_sum_assignment(benefit, maximize=True)
    out = []
    for a, c in zip(ri, ci, strict=True):
        m = cols[c]
        if benefit[a, c] <= 0:
            continue
        out.append((int(g[a]), int(sites[m]), float(t_int[m, a]), float(launch[m, a]),
                    float(alt[m, a])))  # fmt: skip
    return out
