"""The four cooperation architectures as policy objects over one engine.

An architecture decides only who sees what and when, who is responsible for a threat, how long
a decision takes and whether the responsible party performs. It turns a `World` (the physics,
shared) into a list of `Decider` s: command-and-control nodes, each with the interceptor sites
it commands, the threats it engages, and for every sensor the latency (or inf: no access) at
which the sensor's warning, impact-predicting track and fire-control track reach it. The
engine (`bmdsim.battle.engine`) runs the same detect -> track -> decide -> shoot logic on any
list of deciders. docs/architectures.md states each policy and its parameters.

* ``independent``: each party, its own sensors and interceptors, its own territory and allies.
* ``coordinated`` (NATO's 2011 proposal): as independent, plus the information-exchange flows:
  a flow carries warnings or tracks from named sensors of one party to the other, with a
  latency and a loss probability; tracks may cue (threat evaluation) and, where the flow says
  ``fire_control: true``, the receiver launches on remote data and the tracks' accuracy is
  within the receiver's ``remote_fire_accuracy_m``, fire.
* ``sectoral`` (Russia's proposal): a sector map assigns each threat to one responsible party
  (the first sector its ground track crosses, or where it is launched); all sensors are fused
  in a joint assessment (fusion latency); engagements wait for the joint decision; the
  responsible party performs with a probability (drawn once per trial).
* ``integrated``: one system with every sensor and interceptor: the upper bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from matplotlib.path import Path as MplPath
from numpy.typing import NDArray

from bmdsim.battle.world import World
from bmdsim.geo import country
from bmdsim.scenario.schema import ARCHITECTURES

__all__ = ["ARCHITECTURES", "Decider", "deciders", "sector_owner"]

INF = math.inf


@dataclass(frozen=True)
class Decider:
    """One command-and-control node of an architecture.

    Latency arrays are per sensor (J,), seconds added to the sensor's own time; inf: no
    access. `fire_latency_s` is (J, S): sensor j's track used to fire from site s."""

    name: str
    party: str  # the party whose interceptors it fires ("" for integrated)
    sites: NDArray[np.int64]
    engages: NDArray[np.bool_]  # (N,) threats it is responsible for
    info_latency_s: NDArray[np.float64]
    eval_latency_s: NDArray[np.float64]
    fire_latency_s: NDArray[np.float64]
    loss_probability: NDArray[np.float64]  # (J,) per message (threat) and trial
    decision_delay_s: float
    performance: float = 1.0
    notes: tuple[str, ...] = field(default=())

    def without(self, sensors: NDArray[np.bool_], sites: NDArray[np.bool_]) -> Decider:
        """The same node with some sensors and sites taken away (dependency counterfactual)."""
        info = np.where(sensors, INF, self.info_latency_s)
        ev = np.where(sensors, INF, self.eval_latency_s)
        fire = np.where(sensors[:, None], INF, self.fire_latency_s)
        fire = np.where(sites[None, :], INF, fire)
        keep = self.sites[~sites[self.sites]]
        return replace(self, sites=keep, info_latency_s=info, eval_latency_s=ev,
                       fire_latency_s=fire)  # fmt: skip


def _defended_mask(world: World, party: str) -> NDArray[np.bool_]:
    return np.isin(world.threats.target_country, list(world.defends[party]))


def _own_access(world: World, party: str, internal_s: float, launch_on_remote: bool
                ) -> tuple[NDArray[np.float64], ...]:  # fmt: skip
    j_n, s_n = len(world.sensors), len(world.sites)
    own = np.array([s.party == party for s in world.sensors], dtype=bool)
    info = np.where(own, internal_s, INF)
    ev = info.copy()
    fire = np.full((j_n, s_n), INF)
    for s, site in enumerate(world.sites):
        if site.party != party:
            continue
        for j, node in enumerate(world.sensors):
            if node.party != party or not node.sensor.fire_control:
                continue
            if j in site.sensors:
                fire[j, s] = 0.0
            elif launch_on_remote:
                fire[j, s] = internal_s
    return info, ev, fire


def _party_sites(world: World, party: str) -> NDArray[np.int64]:
    return np.array([s for s, site in enumerate(world.sites) if site.party == party],
                    dtype=np.int64)  # fmt: skip


def sector_owner(world: World) -> NDArray[np.str_]:
    """(N,) the party responsible for each threat under the sectoral architecture ("" if
    none): the first sector crossed by its ground track (or containing its launch point), else
    the party defending its target."""
    cfg = world.scenario.architectures.sectoral
    th = world.threats
    sectors = cfg.sectors
    codes: list[tuple[str, set[str]]] = []
    polys: list[tuple[str, MplPath]] = []
    if not sectors:
        codes = [(p, set(world.territory[p])) for p in world.parties]
    for sec in sectors:
        if sec.countries:
            codes.append((sec.party, {country(c).iso_a3 for c in sec.countries}))
        if sec.polygon_deg:
            ring = np.array([(lon, lat) for lat, lon in sec.polygon_deg])
            polys.append((sec.party, MplPath(ring)))
    if cfg.assign_by == "launch":
        lat, lon = th.launch_lat_deg[:, None], th.launch_lon_deg[:, None]
        iso = th.launch_country[:, None]
    else:
        lat, lon = th.track_lat_deg, th.track_lon_deg
        iso = th.track_country
    owner_k = np.full(lat.shape, "", dtype=object)
    for party, pts in reversed(polys):  # earlier sectors win where they overlap
        inside = pts.contains_points(np.stack([lon.ravel(), lat.ravel()], axis=1))
        owner_k[inside.reshape(lat.shape)] = party
    for party, cs in reversed(codes):
        owner_k[np.isin(iso, list(cs))] = party
    owner_k[np.isnan(lat)] = ""
    has = owner_k != ""
    first = np.argmax(has, axis=1)
    out = np.where(has.any(axis=1), owner_k[np.arange(lat.shape[0]), first], "").astype(object)
    for party in world.parties:  # fallback: the defender of the target
        out[(out == "") & _defended_mask(world, party)] = party
    return out.astype(str)


def deciders(world: World, architecture: str, *,
             performance: dict[str, float] | None = None) -> list[Decider]:  # fmt: skip
    """The command-and-control nodes of `architecture` on this world. `performance`
    overrides the sectoral performance probabilities (party -> probability)."""
    scn = world.scenario
    j_n, s_n = len(world.sensors), len(world.sites)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; allowed: {ARCHITECTURES}")
    out: list[Decider] = []
    if architecture in ("independent", "coordinated"):
        for p, party in scn.parties.items():
            info, ev, fire = _own_access(world, p, party.internal_latency_s,
                                         party.launch_on_remote)  # fmt: skip
            loss = np.zeros(j_n)
            notes: list[str] = []
            if architecture == "coordinated":
                for flow in scn.architectures.coordinated.exchange:
                    if flow.receiver != p or flow.data == "none":
                        continue
                    names = set(flow.sensors) if flow.sensors is not None else None
                    for j, node in enumerate(world.sensors):
                        if node.party != flow.sender or (names is not None and
                                                         node.key not in names):  # fmt: skip
                            continue
                        lat = flow.latency_s
                        if lat < info[j]:
                            info[j] = lat
                            loss[j] = flow.loss_probability
                        if flow.data == "tracks" and not node.space:
                            ev[j] = min(ev[j], lat)
                            accurate = (
                                flow.accuracy_m is None
                                or flow.accuracy_m <= party.remote_fire_accuracy_m
                            )
                            if flow.fire_control and party.launch_on_remote \
                                    and node.sensor.fire_control and accurate:  # fmt: skip
                                for s, site in enumerate(world.sites):
                                    if site.party == p:
                                        fire[j, s] = min(fire[j, s], lat)
                    notes.append(f"{flow.sender}->{p}: {flow.data}")
            out.append(Decider(p, p, _party_sites(world, p), _defended_mask(world, p), info, ev,
                               fire, loss, party.decision_delay_s, 1.0, tuple(notes)))  # fmt: skip
    elif architecture == "sectoral":
        cfg = scn.architectures.sectoral
        perf = {**cfg.performance, **(performance or {})}
        owner = sector_owner(world)
        for p, party in scn.parties.items():
            lat = cfg.fusion_latency_s
            info = np.full(j_n, lat)
            ev = np.array([INF if n.space else lat for n in world.sensors])
            fire = np.full((j_n, s_n), INF)
            for s, site in enumerate(world.sites):
                if site.party != p:
                    continue
                for j, node in enumerate(world.sensors):
                    if not node.sensor.fire_control:
                        continue
                    if j in site.sensors:
                        fire[j, s] = 0.0
                    elif party.launch_on_remote:
                        fire[j, s] = lat
            out.append(Decider(p, p, _party_sites(world, p), owner == p, info, ev, fire,
                               np.zeros(j_n), cfg.joint_decision_delay_s,
                               float(perf.get(p, 1.0))))  # fmt: skip
    else:
        cfg_i = scn.architectures.integrated
        lat = cfg_i.latency_s
        info = np.full(j_n, lat)
        ev = np.array([INF if n.space else lat for n in world.sensors])
        fire = np.full((j_n, s_n), INF)
        for s, site in enumerate(world.sites):
            for j, node in enumerate(world.sensors):
                if node.sensor.fire_control:
                    fire[j, s] = 0.0 if j in site.sensors else lat
        engages = np.zeros(world.threats.size, dtype=bool)
        for p in world.parties:
            engages |= _defended_mask(world, p)
        out.append(Decider("integrated", "", np.arange(s_n, dtype=np.int64), engages, info, ev,
                           fire, np.zeros(j_n), cfg_i.decision_delay_s))  # fmt: skip
    return out
