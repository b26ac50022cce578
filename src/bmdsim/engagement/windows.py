"""Engagement windows: when an interceptor site can reach a threat, given when it has a track.

For an interceptor site and a sampled threat trajectory, every threat sample at time t_i is a
candidate intercept point: its ground range from the site and its altitude give the
interceptor's time to reach it, tau (fly-out table, `bmdsim.engagement.flyout_table`). The
intercept is possible when

* the point is inside the interceptor's altitude band and reachable within its maximum
  fly-out time (tau finite), before the threat's impact, and
* the interceptor can be launched in time: t_launch = t_i - tau >= t_fire, the time a
  fire-control-quality track (own, or remote plus latency when engage-on-remote is allowed)
  is in hand, plus the decision-to-launch delay.

The window is [earliest, latest] feasible t_i; the launch times that produce them follow.
Shoot-look-shoot: after a shot intercepts at t_i, the next launch waits for the kill
assessment (t_i + assessment delay); the count of such sequential opportunities is
`n_shoot_look_shoot`. Everything is vectorized over sites x threats x samples: the per-sample
work is array arithmetic, the only loop is over the (few) shoot-look-shoot rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim.physics.earth import ecef_to_geodetic, geodetic_to_ecef, surface_distance_m
from bmdsim.physics.trajectory import Trajectories

FloatArray = NDArray[np.float64]


class TimeToReach(Protocol):
    """What a fly-out table offers: interceptor time to reach (ground range, altitude)."""

    def time_to_reach(self, ground_range_m: ArrayLike, alt_m: ArrayLike) -> FloatArray: ...


@dataclass(frozen=True)
class EngagementWindow:
    """Site x threat batch -> engagement windows; arrays of shape (S, N) (NaN: no intercept).

    Times are seconds after the threat's launch."""

    possible: NDArray[np.bool_]
    earliest_intercept_s: FloatArray
    latest_intercept_s: FloatArray
    earliest_launch_s: FloatArray  # launch time of the earliest intercept
    latest_launch_s: FloatArray  # launch time of the latest intercept
    earliest_intercept_alt_m: FloatArray
    latest_intercept_alt_m: FloatArray
    earliest_intercept_r_ecef_m: FloatArray  # (S, N, 3)
    latest_intercept_r_ecef_m: FloatArray  # (S, N, 3)
    n_shoot_look_shoot: NDArray[np.int64]  # sequential shots that fit


def site_ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, alt_m: ArrayLike, traj: Trajectories
              ) -> FloatArray:  # fmt: skip
    """ECEF positions (S, 3) of interceptor sites on the trajectories' Earth model."""
    return np.atleast_2d(geodetic_to_ecef(lat_rad, lon_rad, alt_m, traj.earth))


def usable_samples(traj: Trajectories) -> tuple[NDArray[np.bool_], FloatArray]:
    """(N, T) which samples are real and not after impact, and (N, T) their geodetic
    altitudes (m): the candidate intercept points of every window computation."""
    t = traj.t_s
    valid = np.arange(t.shape[1])[None, :] < traj.n_samples[:, None]
    valid &= t <= np.nan_to_num(traj.impact_time_s, nan=np.inf)[:, None]
    _, _, alt = ecef_to_geodetic(traj.r_ecef_m, traj.earth)
    return valid, alt


def ground_range_m(site_r_ecef_m: FloatArray, traj: Trajectories) -> FloatArray:
    """(S, N, T) ground range from each of S sites (S, 3) to every trajectory sample."""
    sites = np.atleast_2d(np.asarray(site_r_ecef_m, dtype=float))
    shape = (sites.shape[0], *traj.t_s.shape, 3)
    return surface_distance_m(np.broadcast_to(sites[:, None, None, :], shape),
                              np.broadcast_to(traj.r_ecef_m[None], shape), traj.earth)  # fmt: skip


def engagement_windows(
    site_r_ecef_m: FloatArray,
    table: TimeToReach,
    traj: Trajectories,
    fire_time_s: ArrayLike,
    *,
    launch_delay_s: float = 0.0,
    kill_assessment_s: float = 30.0,
    max_shots: int = 8,
) -> EngagementWindow:
    """Engagement windows of S sites (one interceptor type: `table`) against N sampled threats.

    Parameters
    ----------
    site_r_ecef_m : (S, 3) site positions (ECEF, m).
    table : the interceptor's fly-out table (`time_to_reach(ground_range_m, alt_m)`, inf or
        NaN where it cannot reach, and already limited to its altitude band and fly-out time).
    traj : N sampled threat trajectories.
    fire_time_s : (S, N) or broadcastable: when each site has a fire-control track of each
        threat (s after the threat's launch; inf: never).
    launch_delay_s : decision-to-launch delay added to the track time.
    kill_assessment_s : time after an intercept before the next shot may be launched.
    max_shots : cap on the shoot-look-shoot count.
    """
    sites = np.atleast_2d(np.asarray(site_r_ecef_m, dtype=float))
    n_sites, n = sites.shape[0], traj.size
    t = traj.t_s  # (N, T)
    valid, alt = usable_samples(traj)  # (N, T)
    ground = ground_range_m(sites, traj)  # (S, N, T)
    tau = np.asarray(table.time_to_reach(ground, np.broadcast_to(alt, ground.shape)), dtype=float)
    t_launch = t[None] - tau  # (S, N, T)
    fire = np.broadcast_to(np.asarray(fire_time_s, dtype=float), (n_sites, n)) + launch_delay_s
    ok = valid[None] & np.isfinite(tau) & (t_launch >= fire[..., None])
    possible = ok.any(axis=2)
    first = np.where(possible, np.argmax(ok, axis=2), 0)
    last = np.where(possible, t.shape[1] - 1 - np.argmax(ok[..., ::-1], axis=2), 0)

    def pick(a: FloatArray, j: NDArray[np.int64]) -> FloatArray:
        out = np.take_along_axis(a, j[..., None], axis=2)[..., 0]
        return np.where(possible, out, np.nan)

    tt = np.broadcast_to(t[None], ok.shape)
    aa = np.broadcast_to(alt[None], ok.shape)
    r = np.broadcast_to(traj.r_ecef_m[None], (*ok.shape, 3))
    r_first = np.take_along_axis(r, first[..., None, None], axis=2)[..., 0, :]
    r_last = np.take_along_axis(r, last[..., None, None], axis=2)[..., 0, :]
    r_first[~possible] = np.nan
    r_last[~possible] = np.nan
    # shoot-look-shoot: each shot intercepts at the earliest feasible point launched after the
    # previous kill assessment
    shots = np.zeros((n_sites, n), dtype=np.int64)
    ready = fire.copy()
    for _ in range(max_shots):
        can = ok & (t_launch >= ready[..., None])
        has = can.any(axis=2)
        if not np.any(has):
            break
        j = np.argmax(can, axis=2)
        t_int = np.take_along_axis(tt, j[..., None], axis=2)[..., 0]
        shots += has
        ready = np.where(has, t_int + kill_assessment_s, np.inf)
    return EngagementWindow(
        possible=possible,
        earliest_intercept_s=pick(tt, first),
        latest_intercept_s=pick(tt, last),
        earliest_launch_s=pick(t_launch, first),
        latest_launch_s=pick(t_launch, last),
        earliest_intercept_alt_m=pick(aa, first),
        latest_intercept_alt_m=pick(aa, last),
        earliest_intercept_r_ecef_m=r_first,
        latest_intercept_r_ecef_m=r_last,
        n_shoot_look_shoot=shots,
    )
