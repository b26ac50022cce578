"""`Trajectories`: the sampled result of a batch flyout, with its events and interpolation.

Samples are stored on a uniform time grid per trajectory (NaN-padded after impact, the impact
state being the last sample), in ECEF. `at(t)` interpolates position and velocity at any time
with a cubic Hermite spline through the (r, v) samples: its error is ~dt^4/384 |r''''|, well
under a metre at the default 1 s spacing (see tests/unit/test_flyout.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim.physics import _integrator as _k
from bmdsim.physics.earth import EarthModel, ecef_to_geodetic, surface_distance_m, up_north_east

FloatArray = NDArray[np.float64]

STATUS_NAMES = {
    _k.STATUS_OK: "ok",
    _k.STATUS_NO_IMPACT: "no-impact",
    _k.STATUS_CRASH_IN_BOOST: "crash-in-boost",
    _k.STATUS_STEP_FAILURE: "step-failure",
}


@dataclass(frozen=True, eq=False)
class Trajectories:
    """A batch of N flown trajectories (batch-first arrays, SI, ECEF)."""

    status: NDArray[np.int64]  # (N,) see STATUS_NAMES
    t_s: FloatArray  # (N, T) sample times, NaN after the last sample
    r_ecef_m: FloatArray  # (N, T, 3)
    v_ecef_m_s: FloatArray  # (N, T, 3) Earth-relative velocity
    n_samples: NDArray[np.int64]  # (N,)
    event_t_s: FloatArray  # (N, 4): burnout, apogee, reentry, impact (NaN if none)
    event_r_ecef_m: FloatArray  # (N, 4, 3)
    event_v_ecef_m_s: FloatArray  # (N, 4, 3)
    stage_burnout_t_s: FloatArray  # (N, S)
    launch_r_ecef_m: FloatArray  # (N, 3) launch (or free-flight start) point
    earth: EarthModel
    n_steps: NDArray[np.int64]  # (N,) integration steps taken (accepted + rejected)

    # ---- batch bookkeeping
    @property
    def size(self) -> int:
        return int(self.status.shape[0])

    @property
    def ok(self) -> NDArray[np.bool_]:
        return self.status == _k.STATUS_OK

    def status_names(self) -> list[str]:
        return [STATUS_NAMES[int(s)] for s in self.status]

    # ---- events
    def _geo(self, ev: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        return ecef_to_geodetic(self.event_r_ecef_m[:, ev], self.earth)

    @property
    def impact_time_s(self) -> FloatArray:
        return self.event_t_s[:, _k.EV_IMPACT]

    time_of_flight_s = impact_time_s

    @property
    def impact_lat_lon_rad(self) -> tuple[FloatArray, FloatArray]:
        lat, lon, _ = self._geo(_k.EV_IMPACT)
        return lat, lon

    @property
    def impact_speed_m_s(self) -> FloatArray:
        return np.linalg.norm(self.event_v_ecef_m_s[:, _k.EV_IMPACT], axis=-1)

    @property
    def range_m(self) -> FloatArray:
        """Surface (geodesic) distance from the launch point to the impact point."""
        return surface_distance_m(
            self.launch_r_ecef_m, self.event_r_ecef_m[:, _k.EV_IMPACT], self.earth
        )

    @property
    def apogee_time_s(self) -> FloatArray:
        return self.event_t_s[:, _k.EV_APOGEE]

    @property
    def apogee_altitude_m(self) -> FloatArray:
        return self._geo(_k.EV_APOGEE)[2]

    @property
    def reentry_time_s(self) -> FloatArray:
        return self.event_t_s[:, _k.EV_REENTRY]

    @property
    def burnout_time_s(self) -> FloatArray:
        return self.event_t_s[:, _k.EV_BURNOUT]

    @property
    def burnout_altitude_m(self) -> FloatArray:
        return self._geo(_k.EV_BURNOUT)[2]

    @property
    def burnout_speed_m_s(self) -> FloatArray:
        """Earth-relative speed at the end of powered flight."""
        return np.linalg.norm(self.event_v_ecef_m_s[:, _k.EV_BURNOUT], axis=-1)

    @property
    def burnout_inertial_speed_m_s(self) -> FloatArray:
        r = self.event_r_ecef_m[:, _k.EV_BURNOUT]
        v = self.event_v_ecef_m_s[:, _k.EV_BURNOUT]
        w = self.earth.omega_rad_s
        v_i = v + np.stack([-w * r[:, 1], w * r[:, 0], np.zeros(len(r))], axis=1)
        return np.linalg.norm(v_i, axis=-1)

    @property
    def burnout_angle_rad(self) -> FloatArray:
        """Earth-relative flight-path angle above the local geodetic horizontal at burnout."""
        return flight_path_angle_rad(
            self.event_r_ecef_m[:, _k.EV_BURNOUT], self.event_v_ecef_m_s[:, _k.EV_BURNOUT],
            self.earth,
        )  # fmt: skip

    # ---- samples
    def at(self, t_s: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """ECEF position and velocity at times `t_s` ((N,) or (N, M)), cubic Hermite.

        NaN outside the sampled span [0, impact] (the last sample, for a flight that ended
        otherwise) and for trajectories flown without samples."""
        t = np.asarray(t_s, dtype=float)
        squeeze = t.ndim == 1
        t2 = t[:, None] if squeeze else t
        n = self.size
        if t2.shape[0] != n:
            raise ValueError(f"t_s: first axis {t2.shape[0]} != batch size {n}")
        rows = np.arange(n)[:, None]
        last = np.maximum(self.n_samples - 2, 0)[:, None]
        dt0 = self.t_s[:, 1:2] - self.t_s[:, 0:1] if self.t_s.shape[1] > 1 else np.ones((n, 1))
        idx = np.clip(np.floor(np.nan_to_num(t2 / dt0, nan=0.0)).astype(np.int64), 0, last)
        # the last interval (ending at impact) may be shorter: step back when t is before it
        idx = np.where((idx > 0) & (t2 < self.t_s[rows, idx]), idx - 1, idx)
        t0, t1 = self.t_s[rows, idx], self.t_s[rows, idx + 1]
        r0, r1 = self.r_ecef_m[rows, idx], self.r_ecef_m[rows, idx + 1]
        v0, v1 = self.v_ecef_m_s[rows, idx], self.v_ecef_m_s[rows, idx + 1]
        h = (t1 - t0)[..., None]
        s = ((t2 - t0) / (t1 - t0))[..., None]
        h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
        h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
        r = h00 * r0 + h10 * h * v0 + h01 * r1 + h11 * h * v1
        d00, d10 = (6 * s**2 - 6 * s) / h, 3 * s**2 - 4 * s + 1
        d01, d11 = (-6 * s**2 + 6 * s) / h, 3 * s**2 - 2 * s
        v = d00 * r0 + d10 * v0 + d01 * r1 + d11 * v1
        t_last = self.t_s[np.arange(n), np.maximum(self.n_samples - 1, 0)][:, None]
        outside = ~((t2 >= self.t_s[:, :1]) & (t2 <= t_last))
        r[outside] = np.nan
        v[outside] = np.nan
        return (r[:, 0], v[:, 0]) if squeeze else (r, v)

    def samples(self, i: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Time, ECEF position and velocity samples of trajectory i (no padding)."""
        k = int(self.n_samples[i])
        return self.t_s[i, :k], self.r_ecef_m[i, :k], self.v_ecef_m_s[i, :k]


def flight_path_angle_rad(
    r_ecef_m: FloatArray, v_ecef_m_s: FloatArray, earth: EarthModel
) -> FloatArray:
    """Angle of the velocity above the local geodetic horizontal (rad)."""
    lat, lon, _ = ecef_to_geodetic(r_ecef_m, earth)
    up = up_north_east(lat, lon)[0]
    speed = np.linalg.norm(v_ecef_m_s, axis=-1)
    return np.arcsin(np.clip(np.sum(up * v_ecef_m_s, axis=-1) / speed, -1.0, 1.0))
