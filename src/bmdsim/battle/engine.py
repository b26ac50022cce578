"""The engine: detect -> track -> evaluate -> decide -> assign -> shoot -> assess, for any list
of deciders (an architecture) on a `World`.

Timing of a decider d for threat i (threat clock, s after its launch), per trial k:

* first information ``info = min_j detect[j, i] + info_latency[j]`` (warnings count);
* threat evaluation needs a track that predicts the impact point:
  ``eval = min_j track[j, i] + eval_latency[j]``;
* decision ``decide = max(info + decision_delay, eval)``: the decision process starts with the
  first information and cannot end before the impact point is known; it is taken at the next
  tick of the C2's decision cycle (`doctrine.decision_cycle_s`, scenario clock), so that
  threats ready within one cycle are assigned together;
* site s may fire from ``fire[s] = max(decide, min_j fc_track[j, i] + fire_latency[j, s]) +
  launch_delay[s]``.

A message from a sensor j over a lossy link is lost with its probability, once per (trial,
sensor, threat): the uniform draws are common to every architecture (common random numbers),
so a policy with less loss never sees more lost messages.

Two evaluations use these timings:

* `probe_defense`: the analytic defense probability of each threat considered alone (no
  inventory limit): per decider, the best plan of the doctrine's engagements (each launched
  after the previous intercept plus the kill-assessment delay, from any of the decider's
  sites); P(kill) = 1 - prod(1 - pk)^shots; deciders combine as independent layers.
  Averaged over trials (loss and performance draws); exact given them.
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
    kill_u: FloatArray  # (K, R, engagements, salvo) for the raid rows

    @property
    def trials(self) -> int:
        return int(self.perf_u.shape[0])


def make_draws(world: World, trials: int, seed: int, first_trial: int = 0) -> Draws:
    d = world.scenario.doctrine
    salvo = d.salvo_size if d.type == "salvo" else 1
    p, j, n, r = len(world.parties), len(world.sensors), world.threats.size, world.raid_rows.size
    rounds = d.max_shots * max(p, 1)  # engagements of one missile, by every decider together
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
    # decisions are taken on the C2's cycle (scenario clock): near-simultaneous threats are
    # assigned together
    cycle = world.scenario.doctrine.decision_cycle_s
    t0 = world.threats.t0_s[rows][None, :]
    with np.errstate(invalid="ignore"):
        decide = np.where(np.isfinite(decide), np.ceil((t0 + decide) / cycle) * cycle - t0,
                          decide)  # fmt: skip
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
    """Kill probability of each threat in `rows` engaged alone by decider d, under the best
    shot plan of the doctrine.

    A plan is a sequence of up to `max_shots` engagements (a salvo of `salvo_size` for the
    salvo doctrine), each launched after the previous one's intercept plus the kill-assessment
    delay; for a given site the earliest intercept is always best (it leaves the most time),
    so a plan is a sequence of sites. The best plan maximises 1 - prod (1 - pk)^z, found by
    exhaustive recursion over the sites that can still intercept (few per threat); rows with
    the same threat and site fire times are solved once. The optimum never decreases when a
    site is added or a fire time moves earlier, which makes the architecture comparisons
    monotone (docs/model/engine.md)."""
    doc = world.scenario.doctrine
    z = _salvo(world)
    k_n, r_n = tm.decide_s.shape
    shape = (k_n, r_n)
    if d.sites.size == 0 or r_n == 0:
        return ProbeResult(np.zeros(shape), np.zeros(shape), np.full(shape, np.nan),
                           np.full(shape, -1, dtype=np.int64))  # fmt: skip
    pk = np.array([world.sites[s].pk for s in d.sites])
    fire = np.moveaxis(tm.fire_s, 1, 2).reshape(k_n * r_n, d.sites.size)  # (M, S_d)
    thr = np.broadcast_to(rows[None, :], shape).reshape(-1)
    key = np.concatenate([thr[:, None].astype(float), np.nan_to_num(fire, posinf=1e300)], axis=1)
    uniq, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.ravel()
    u_thr = uniq[:, 0].astype(np.int64)
    u_fire = np.where(uniq[:, 1:] >= 1e300, INF, uniq[:, 1:])
    feasible = world.intercepts.count[d.sites][:, u_thr].T > 0  # (U, S_d)
    p, e, t1, s1 = _best_plan(world, d.sites, pk, z, doc.kill_assessment_s, u_thr, u_fire,
                              u_fire, feasible, doc.max_shots)  # fmt: skip
    site1 = np.where(s1 >= 0, d.sites[np.maximum(s1, 0)], -1)
    return ProbeResult(p[inv].reshape(shape), e[inv].reshape(shape), t1[inv].reshape(shape),
                       site1[inv].reshape(shape))  # fmt: skip


def _best_plan(world: World, sites: NDArray[np.int64], pk: FloatArray, z: int, assess_s: float,
               thr: NDArray[np.int64], fire: FloatArray, ready: FloatArray,
               feasible: NDArray[np.bool_], n: int
               ) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.int64]]:  # fmt: skip
    """Best plan of at most n engagements for each row: (P_kill, expected interceptors,
    first intercept time, first site position in `sites`, -1 none)."""
    m = thr.size
    best_p, best_e = np.zeros(m), np.zeros(m)
    best_t, best_s = np.full(m, np.nan), np.full(m, -1, dtype=np.int64)
    if n == 0 or m == 0:
        return best_p, best_e, best_t, best_s
    for j in range(sites.size):
        cand = np.flatnonzero(feasible[:, j] & np.isfinite(ready[:, j]))
        if cand.size == 0:
            continue
        t, _, _ = world.intercepts.earliest(sites[j], thr[cand], ready[cand, j])
        ok = np.isfinite(t)
        cand, t = cand[ok], t[ok]
        if cand.size == 0:
            continue
        nxt = np.maximum(fire[cand], (t + assess_s)[:, None])
        p2, e2, _, _ = _best_plan(world, sites, pk, z, assess_s, thr[cand], fire[cand], nxt,
                                  feasible[cand], n - 1)  # fmt: skip
        q = (1.0 - pk[j]) ** z
        p = 1.0 - q * (1.0 - p2)
        e = z + q * e2
        better = (p > best_p[cand] + 1e-15) | (
            (np.abs(p - best_p[cand]) <= 1e-15) & (t < np.nan_to_num(best_t[cand], nan=INF))
        )
        c = cand[better]
        best_p[c], best_e[c], best_t[c], best_s[c] = p[better], e[better], t[better], j
    return best_p, best_e, best_t, best_s


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
    round: int  # the decider's engagement number on this missile (0: first)
    engagement: int  # the missile's engagement number over all deciders: its kill draw
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
        n_eng = np.zeros(r_n, dtype=np.int64)
        heap: list[tuple[float, int, int, int, int, int]] = []  # t, kind, seq, d, r, round
        seq = 0
        for di, (d, tm) in enumerate(zip(decs, tms, strict=True)):
            if not acts[di][kk]:
                continue
            kt = min(kk, tm.decide_s.shape[0] - 1)
            for r in (int(x) for x in np.flatnonzero(np.isfinite(tm.decide_s[kt]))):
                heapq.heappush(heap, (t0[r] + tm.decide_s[kt, r], 0, seq, di, r, 0))
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
                    shots.append(Shot(k, int(rows[r_]), d.name, s_, 0, int(n_eng[r_]), li, ti,
                                      ai, False))  # fmt: skip
                    n_eng[r_] += 1
                    _record_shot(col, base + r_, world, s_, li, ti, ai, z)
                    heapq.heappush(heap, (t0[r_] + ti + doc.kill_assessment_s, 1, seq, di, r_,
                                          len(shots) - 1))  # fmt: skip
                    seq += 1
            else:  # kill assessment of shot number `rnd` (index into shots)
                shot = shots[rnd]
                if alive[r]:
                    u = draws.kill_u[kk, r, min(shot.engagement, draws.kill_u.shape[2] - 1), :z]
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
                    shots.append(Shot(k, int(rows[r_]), d.name, s_, shot.round + 1,
                                      int(n_eng[r_]), li, ti, ai, False))  # fmt: skip
                    n_eng[r_] += 1
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
