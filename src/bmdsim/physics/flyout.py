"""Batch missile flyout: multistage boost, coast, free flight, reentry with drag, impact.

The typed shell around the numba kernel in `bmdsim.physics._integrator`. Every call flies a
*batch* of N trajectories at once (batch-first arrays); one trajectory is the same code with
N = 1. Inputs are SI (m, s, kg, rad); positions and velocities come out in ECEF.

Model (point mass, as in the open literature: Gronlund & Wright 1992, appendix; Forden 2007):

* Earth: `EarthModel` (WGS84 with J2 by default, or the textbook sphere), rotating at
  omega unless `rotation=False`; integration in the pseudo-inertial frame that coincides with
  ECEF at launch (t = 0).
* Boost: each stage burns its propellant at a constant mass flow with a constant exhaust
  velocity (thrust = mdot * ve); its dry mass drops at burnout; an optional coast separates
  stages. Thrust may be cut off early (`cutoff_s`): the remaining stages do not fire. This is
  how range is controlled short of the maximum (thrust termination for liquids, energy
  management for solids): see docs/model/flyout.md.
* Steering: vertical rise, then either a gravity turn after a pitch-over kick of `loft_rad`
  from the vertical in `pitch_over_s`, or a linear pitch program whose thrust direction turns
  from the vertical to `loft_rad` from the vertical at the end of powered flight.
* Drag: 0.5 rho |v_rel| v_rel Cd A / m during boost, 0.5 rho |v_rel| v_rel / beta for the
  reentry vehicle, with US Standard Atmosphere 1976 density and v_rel the velocity relative to
  the rotating atmosphere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdsim.physics import _integrator as _k
from bmdsim.physics.earth import EarthModel, geodetic_to_ecef
from bmdsim.physics.trajectory import Trajectories

if TYPE_CHECKING:
    from bmdsim.models.missiles import Missile

FloatArray = NDArray[np.float64]

#: Batches smaller than this fly on the calling thread (no thread-pool start-up).
SERIAL_BELOW = 64


class Steering(StrEnum):
    """Boost steering law."""

    GRAVITY_TURN = "gravity-turn"
    PITCH_PROGRAM = "pitch-program"


@dataclass(frozen=True)
class FlyoutSettings:
    """Numerical and physical options of a flyout (inert settings; `fly` builds the model).

    Attributes
    ----------
    earth : Earth model (WGS84 + J2 rotating by default).
    drag : atmospheric drag on (boost body and reentry vehicle).
    steering : boost steering law.
    pitch_over_s : duration of the pitch-over kick of the gravity turn (bmdsim assumption,
        see docs/model/flyout.md).
    rtol, atol_m, atol_m_s : Dormand-Prince error tolerances of free flight (relative;
        absolute on position in m and on velocity in m/s).
    boost_rtol : relative tolerance of powered flight and coasts (the absolute ones scaled
        alike): burnout velocity errors grow into impact errors, so boost is flown tighter.
    max_step_s : largest integration step (100 s: with 200 s, one lofted SS-18 flight of the
        catalogue check in decision 0012 landed 10 m from the tight-tolerance reference).
    t_max_s : flights still airborne after this time get status NO_IMPACT.
    reentry_altitude_m : the level of the reentry event.
    sample_dt_s : spacing of the stored trajectory samples (None: events only, the fast path
        for Monte Carlo).
    """

    earth: EarthModel = field(default_factory=EarthModel.wgs84)
    drag: bool = True
    steering: Steering = Steering.GRAVITY_TURN
    pitch_over_s: float = 10.0
    rtol: float = 1e-7
    atol_m: float = 0.1
    atol_m_s: float = 1e-4
    boost_rtol: float = 1e-8
    max_step_s: float = 100.0
    t_max_s: float = 10_000.0
    reentry_altitude_m: float = 100e3
    sample_dt_s: float | None = 1.0

    def __post_init__(self) -> None:
        positive = {
            "rtol": self.rtol, "atol_m": self.atol_m, "atol_m_s": self.atol_m_s,
            "max_step_s": self.max_step_s, "t_max_s": self.t_max_s,
            "pitch_over_s": self.pitch_over_s,
        }  # fmt: skip
        if self.sample_dt_s is not None:
            positive["sample_dt_s"] = self.sample_dt_s
        for name, value in positive.items():
            if not (value > 0 and np.isfinite(value)):
                raise ValueError(f"FlyoutSettings.{name} must be a finite number > 0, got {value}")
        if not self.boost_rtol > 0:
            raise ValueError(f"FlyoutSettings.boost_rtol must be > 0, got {self.boost_rtol}")

    def with_(self, **changes: object) -> FlyoutSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class VehicleArrays:
    """Batch of vehicles as arrays: N vehicles of up to S stages (unused stages are zero).

    Built from catalog missiles with `vehicle_arrays`; a free-flying body has zero stages.
    """

    n_stages: NDArray[np.int64]  # (N,)
    m_ign_kg: FloatArray  # (N, S) vehicle mass at each stage's ignition
    mdot_kg_s: FloatArray  # (N, S)
    ve_m_s: FloatArray  # (N, S)
    burn_s: FloatArray  # (N, S)
    coast_s: FloatArray  # (N, S) coast after the stage's burnout
    cda_m2: FloatArray  # (N,) Cd * A of the boosting body
    inv_beta_m2_kg: FloatArray  # (N,) 1 / ballistic coefficient of the reentry vehicle
    vertical_rise_s: FloatArray  # (N,)

    @property
    def size(self) -> int:
        return int(self.n_stages.shape[0])

    @property
    def boost_end_s(self) -> FloatArray:
        """Time of the last stage's burnout at full burn (burns and coasts before it)."""
        total = self.burn_s.sum(axis=1) + self.coast_s.sum(axis=1)
        last = np.clip(self.n_stages - 1, 0, None)
        last_coast = np.take_along_axis(self.coast_s, last[:, None], axis=1)[:, 0]
        return np.where(self.n_stages > 0, total - last_coast, 0.0)

    def take(self, index: ArrayLike) -> VehicleArrays:
        """Rows `index` of the batch (fancy indexing, e.g. np.repeat for fans)."""
        idx = np.asarray(index)
        return VehicleArrays(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))


def vehicle_arrays(missiles: Missile | Sequence[Missile]) -> VehicleArrays:
    """Stack catalog missiles into `VehicleArrays` (one row per missile)."""
    ms = [missiles] if not isinstance(missiles, Sequence) else list(missiles)
    n, s_max = len(ms), max((len(m.stages) for m in ms), default=0)
    n_st = np.zeros(n, dtype=np.int64)
    m_ign, mdot, ve, burn, coast = (np.zeros((n, max(s_max, 1))) for _ in range(5))
    cda, inv_beta, rise = np.zeros(n), np.zeros(n), np.zeros(n)
    for i, m in enumerate(ms):
        n_st[i] = len(m.stages)
        above = m.payload_mass_kg.value
        for s in reversed(range(len(m.stages))):
            st = m.stages[s]
            above += st.wet_mass_kg.value
            m_ign[i, s] = above
            mdot[i, s] = st.propellant_mass_kg.value / st.burn_time_s.value
            ve[i, s] = st.exhaust_velocity
            burn[i, s] = st.burn_time_s.value
            coast[i, s] = st.coast_after_s.value if st.coast_after_s is not None else 0.0
        d = m.body_diameter_m.value
        cda[i] = m.body_drag_coefficient.value * np.pi * d * d / 4.0
        inv_beta[i] = 1.0 / m.rv_ballistic_coefficient_kg_m2.value
        rise[i] = m.vertical_rise_s.value
    return VehicleArrays(n_st, m_ign, mdot, ve, burn, coast, cda, inv_beta, rise)


def ballistic_body(n: int, beta_kg_m2: ArrayLike = np.inf) -> VehicleArrays:
    """N unpowered bodies of ballistic coefficient beta (inf: no drag)."""
    beta = np.broadcast_to(np.asarray(beta_kg_m2, dtype=float), (n,))
    z = np.zeros((n, 1))
    return VehicleArrays(
        np.zeros(n, dtype=np.int64),
        z,
        z,
        z,
        z,
        z,
        np.zeros(n),
        np.where(np.isinf(beta), 0.0, 1.0 / beta),
        np.zeros(n),
    )


def _as_batch(x: ArrayLike, n: int, name: str) -> FloatArray:
    a = np.asarray(x, dtype=float)
    try:
        return np.ascontiguousarray(np.broadcast_to(a, (n,)), dtype=float)
    except ValueError as err:
        raise ValueError(f"{name}: shape {a.shape} does not broadcast to the batch ({n},)") from err


def _event_outputs(n: int, s_cols: int) -> tuple[np.ndarray, ...]:
    """The kernel's per-flight outputs but the samples: status, sample count and step count
    (int64, zeroed), event times, positions and velocities, stage burnout times (float64), as
    C-contiguous views of one allocation (decision 0025). glibc returns a large block freed
    at the top of its heap to the kernel when it exceeds the trim threshold, and raises that
    threshold to twice the largest block it has freed from `mmap` (mallopt(3), "dynamic mmap
    threshold"): with the outputs in one block, more than half of what an events-only batch
    allocates, a loop of batches reuses the same memory instead of faulting it in again each
    batch (before: 900-1,850 minor page faults a batch of 20,000 vacuum flights in a fresh
    process, 8 % of a one-thread batch here). glibc follows freed blocks up to 32 MiB only:
    above about 130,000 flights a batch the block faults in again, as before. A view keeps the
    whole block alive."""
    n_ev = _k.N_EVENTS
    n_int, n_float = 3 * n, (n_ev * 7 + s_cols) * n
    block = np.empty(n_int + n_float)
    ints = block[:n_int].view(np.int64)
    ints[:] = 0
    f = block[n_int:]
    ev_t = f[: n_ev * n].reshape(n, n_ev)
    ev_r = f[n_ev * n : 4 * n_ev * n].reshape(n, n_ev, 3)
    ev_v = f[4 * n_ev * n : 7 * n_ev * n].reshape(n, n_ev, 3)
    stage_t = f[7 * n_ev * n :].reshape(n, s_cols)
    return ints[:n], ints[n : 2 * n], ints[2 * n :], ev_t, ev_r, ev_v, stage_t


def propagate(
    vehicles: VehicleArrays,
    r0_ecef_m: ArrayLike,
    v0_ecef_m_s: ArrayLike,
    *,
    azimuth_rad: ArrayLike = 0.0,
    loft_rad: ArrayLike = 0.0,
    cutoff_s: ArrayLike = np.inf,
    impact_altitude_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
) -> Trajectories:
    """Fly a batch from initial ECEF states (the one entry point to the integrator).

    Parameters
    ----------
    vehicles : N vehicles (or 1, broadcast to the batch of initial states).
    r0_ecef_m, v0_ecef_m_s : (N, 3) initial position and Earth-relative velocity, ECEF.
    azimuth_rad : launch azimuth, clockwise from north (boost steering).
    loft_rad : steering parameter: pitch-over kick (gravity turn) or final pitch from the
        vertical (pitch program). Larger is flatter.
    cutoff_s : thrust cut-off time after launch (inf: every stage burns out).
    impact_altitude_m : altitude of the impact surface above the ellipsoid.
    settings : `FlyoutSettings`.
    """
    st = settings or FlyoutSettings()
    r0 = np.atleast_2d(np.asarray(r0_ecef_m, dtype=float))
    v0 = np.atleast_2d(np.asarray(v0_ecef_m_s, dtype=float))
    n = max(r0.shape[0], v0.shape[0], vehicles.size)
    # writable C arrays (the kernels' one flavour, below): an (n, 3) array as it is, without a
    # copy (`fly_free`'s and `fly_missiles`' are fresh), others broadcast and copied
    r0 = np.require(r0 if r0.shape == (n, 3) else np.broadcast_to(r0, (n, 3)), None, ("C", "W"))
    v0 = np.require(v0 if v0.shape == (n, 3) else np.broadcast_to(v0, (n, 3)), None, ("C", "W"))
    if vehicles.size == 1 and n > 1:
        vehicles = vehicles.take(np.zeros(n, dtype=np.int64))
    elif vehicles.size != n:
        raise ValueError(f"vehicles: batch of {vehicles.size} does not match {n} initial states")
    e = st.earth
    omega = e.omega_rad_s
    # initial inertial velocity: Earth-relative velocity plus the Earth's rotation (omega x r)
    v0_eci = np.empty((n, 3))
    inertial = _k.inertial_velocities if n < SERIAL_BELOW else _k.inertial_velocities_parallel
    inertial(r0, v0, float(omega), v0_eci)
    earth = np.array([e.a_m, e.f, e.mu_m3_s2, e.j2, omega])
    tol = np.array([st.rtol, st.atol_m, st.atol_m_s, st.max_step_s, st.boost_rtol])
    az = _as_batch(azimuth_rad, n, "azimuth_rad")
    loft = _as_batch(loft_rad, n, "loft_rad")
    cut = _as_batch(cutoff_s, n, "cutoff_s")
    h_imp = _as_batch(impact_altitude_m, n, "impact_altitude_m")
    t_pitch = np.full(n, st.pitch_over_s)
    steer = (
        _k.STEER_GRAVITY_TURN if st.steering is Steering.GRAVITY_TURN else _k.STEER_PITCH_PROGRAM
    )
    s_cols = vehicles.m_ign_kg.shape[1]

    def run(sample_dt: float, n_cols: int) -> tuple[np.ndarray, ...]:
        status, n_samp, n_steps, ev_t, ev_r, ev_v, stage_t = _event_outputs(n, s_cols)
        t_samp = np.full((n, n_cols), np.nan)
        r_samp = np.full((n, n_cols, 3), np.nan)
        v_samp = np.full((n, n_cols, 3), np.nan)
        kernel: Callable[..., None]
        if n < SERIAL_BELOW:
            kernel = _k.propagate_serial
        elif sample_dt == 0.0:
            # events only: free flights in SIMD lanes, the same results (decisions 0015, 0017)
            kernel = _k.propagate_free_lanes
        else:
            kernel = _k.propagate_batch
        inp = (
            r0,
            v0_eci,
            vehicles.n_stages,
            vehicles.m_ign_kg,
            vehicles.mdot_kg_s,
            vehicles.ve_m_s,
            vehicles.burn_s,
            vehicles.coast_s,
            cut,
            vehicles.cda_m2,
            vehicles.inv_beta_m2_kg,
            az,
            loft,
            vehicles.vertical_rise_s,
            t_pitch,
            h_imp,
        )
        # writable C arrays whatever the caller passed (read-only broadcasts, cached tables):
        # numba compiles one kernel per array flavour, and each compile costs seconds
        args = tuple(np.require(a, requirements=("C", "W")) for a in inp)
        out = (status, ev_t, ev_r, ev_v, stage_t, n_samp, t_samp, r_samp, v_samp, n_steps)
        opt = (int(steer), bool(st.drag), float(st.reentry_altitude_m), float(st.t_max_s),
               float(sample_dt))  # fmt: skip
        kernel(args, out, opt, earth, tol)  # fmt: skip
        return status, ev_t, ev_r, ev_v, stage_t, n_samp, t_samp, r_samp, v_samp, n_steps

    out = run(0.0, 0)
    if st.sample_dt_s is not None and n > 0:
        t_end = np.where(np.isfinite(out[1][:, _k.EV_IMPACT]), out[1][:, _k.EV_IMPACT], st.t_max_s)
        n_cols = int(np.ceil(float(np.max(t_end)) / st.sample_dt_s)) + 2
        out = run(float(st.sample_dt_s), n_cols)
    status, ev_t, ev_r, ev_v, stage_t, n_samp, t_samp, r_samp, v_samp, n_steps = out
    launch = r0.view()  # read-only: it may be the caller's own array (above)
    launch.flags.writeable = False
    return Trajectories(
        status=status,
        t_s=t_samp,
        r_ecef_m=r_samp,
        v_ecef_m_s=v_samp,
        n_samples=n_samp,
        event_t_s=ev_t,
        event_r_ecef_m=ev_r,
        event_v_ecef_m_s=ev_v,
        stage_burnout_t_s=stage_t,
        launch_r_ecef_m=launch,
        earth=e,
        n_steps=n_steps,
    )


def fly_missiles(
    vehicles: VehicleArrays,
    launch_lat_rad: ArrayLike,
    launch_lon_rad: ArrayLike,
    azimuth_rad: ArrayLike,
    loft_rad: ArrayLike,
    *,
    launch_alt_m: ArrayLike = 0.0,
    cutoff_s: ArrayLike = np.inf,
    impact_altitude_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
) -> Trajectories:
    """Launch a batch of missiles from the ground (at rest on the rotating Earth)."""
    st = settings or FlyoutSettings()
    lat, lon, alt, az, loft, cut, h_imp = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in
          (launch_lat_rad, launch_lon_rad, launch_alt_m, azimuth_rad, loft_rad, cutoff_s,
           impact_altitude_m))
    )  # fmt: skip
    r0 = geodetic_to_ecef(lat, lon, alt, st.earth)
    return propagate(
        vehicles, r0, np.zeros_like(r0), azimuth_rad=az, loft_rad=loft, cutoff_s=cut,
        impact_altitude_m=h_imp, settings=st,
    )  # fmt: skip


def burnout_state_ecef(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    alt_m: ArrayLike,
    speed_m_s: ArrayLike,
    gamma_rad: ArrayLike,
    azimuth_rad: ArrayLike,
    earth: EarthModel,
) -> tuple[FloatArray, FloatArray]:
    """ECEF position and Earth-relative velocity of a body at a geodetic point, moving at
    `speed` with flight-path angle `gamma` above the local (geodetic) horizontal, heading
    `azimuth` clockwise from north."""
    args = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in
          (lat_rad, lon_rad, alt_m, speed_m_s, gamma_rad, azimuth_rad))
    )  # fmt: skip
    lat, lon, alt, v, g, az = (np.ascontiguousarray(a.reshape(-1)) for a in args)
    n = lat.shape[0]
    r, vel = np.empty((n, 3)), np.empty((n, 3))
    if n < SERIAL_BELOW:
        _k.burnout_states(lat, lon, alt, v, g, az, earth.a_m, earth.f, r, vel)
    else:  # a chunk of consecutive rows a thread, each of at least SERIAL_BELOW rows
        n_chunks = max(1, min(numba.get_num_threads(), n // SERIAL_BELOW))
        _k.burnout_states_parallel(lat, lon, alt, v, g, az, earth.a_m, earth.f, r, vel, n_chunks)
    shape = (*args[0].shape, 3)
    return r.reshape(shape), vel.reshape(shape)


def fly_free(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    alt_m: ArrayLike,
    speed_m_s: ArrayLike,
    gamma_rad: ArrayLike,
    azimuth_rad: ArrayLike,
    *,
    beta_kg_m2: ArrayLike = np.inf,
    impact_altitude_m: ArrayLike = 0.0,
    settings: FlyoutSettings | None = None,
) -> Trajectories:
    """Free flight from given burnout conditions (Earth-relative speed and angle): the oracle
    mode that closed-form Kepler arcs check."""
    st = settings or FlyoutSettings()
    lat, lon, alt, v, g, az, beta, h_imp = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in
          (lat_rad, lon_rad, alt_m, speed_m_s, gamma_rad, azimuth_rad, beta_kg_m2,
           impact_altitude_m))
    )  # fmt: skip
    r0, v0 = burnout_state_ecef(lat, lon, alt, v, g, az, st.earth)
    return propagate(
        ballistic_body(r0.shape[0], beta), r0, v0, impact_altitude_m=h_imp, settings=st,
    )  # fmt: skip
