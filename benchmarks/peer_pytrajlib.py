"""Benchmark-only adapter that flies pytrajlib's Minuteman III class default trajectory.

pytrajlib (https://github.com/lmarthur/pytrajlib, PyPI ``pytrajlib``) is used here ONLY as an
external peer code to benchmark bmdsim's trajectory model against. Nothing in this file is
pytrajlib code: it calls pytrajlib's public ``run()`` entry point and the ``update_aimpoint``
symbol that pytrajlib's own cffi extension exports, and re-states pytrajlib's hard-coded vehicle
data as plain numbers for documentation (see docs/decisions/0003-pytrajlib-peer.md).

pytrajlib must live in its own virtual environment (it is NOT a bmdsim dependency). ``make
bench`` builds ``.venv-peer`` and ``benchmarks/run.py`` runs this file there as a subprocess::

    python3 -m venv .venv-peer && .venv-peer/bin/pip install pytrajlib==1.0.0a6 numpy scipy
    .venv-peer/bin/python benchmarks/peer_pytrajlib.py --n 200 --json   # one line of JSON

On Python < 3.13 pip resolves ``pytrajlib`` to 1.0.0a6 (releases from 1.0.0a11 on declare
``Requires-Python >=3.13`` and model things differently). Everything below was written against
1.0.0a6; the version actually used is reported in ``config["pytrajlib_version"]``.

All files pytrajlib writes (trajectory text file, copied config) go to a temporary directory that
is removed before returning. The packaged default configuration is parsed here directly because
pytrajlib's own ``get_run_params()`` rewrites ``mean_atm.txt`` inside its installed package.
"""

from __future__ import annotations

import configparser
import contextlib
import importlib
import importlib.metadata
import io
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["fly_pytrajlib_minuteman", "pytrajlib_available"]

# pytrajlib 1.0.0a6 hard-codes a non-rotating spherical Earth of this radius everywhere
# (launch position, altitude, impact test, aim-point geometry, gravity reference radius).
PTL_EARTH_RADIUS_M = 6371e3
# Its gravity is point-mass with g0 = -G*M/R^2 built from these two constants.
PTL_GRAV_CONST = 6.67408e-11
PTL_EARTH_MASS_KG = 5.972e24
# Its trajectory file has one more data column than header names (the header omits the
# estimated-state density), so it is read with these names instead of its header line.
_TRAJ_COLUMNS = (
    "t", "mass", "x", "y", "z", "vx", "vy", "vz",
    "ax_grav", "ay_grav", "az_grav", "ax_drag", "ay_drag", "az_drag",
    "a_command", "a_lift", "ax_thrust", "ay_thrust", "az_thrust",
    "ax_total", "ay_total", "az_total",
    "est_x", "est_y", "est_z", "est_vx", "est_vy", "est_vz",
    "est_ax_total", "est_ay_total", "est_az_total",
    "density", "meridional_wind", "zonal_wind", "vertical_wind", "est_density",
    "est_ax_drag", "est_ay_drag", "est_az_drag",
)  # fmt: skip
_COL = {name: i for i, name in enumerate(_TRAJ_COLUMNS)}
# Error/noise settings that are zeroed for a nominal (deterministic) flight. With these at zero,
# atm_model = 0 and ins_nav = 0, every flight equals the one pytrajlib uses for aiming.
_NOMINAL_ZEROS: dict[str, Any] = {
    "grav_error": 0,
    "atm_model": 0,
    "gnss_nav": 0,
    "ins_nav": 0,
    "rv_maneuv": 0,
    "initial_x_error": 0.0,
    "initial_pos_error": 0.0,
    "initial_vel_error": 0.0,
    "initial_angle_error": 0.0,
    "acc_scale_stability": 0.0,
    "gyro_bias_stability": 0.0,
    "gyro_noise": 0.0,
    "gnss_noise": 0.0,
    "cl_pert": 0.0,
    "aoa_pert": 0.0,
}
_MAX_RUNS_PER_CALL = 10000  # MAX_RUNS compiled into pytrajlib's C extension
_VERTICAL_RISE_S = 5.0  # thrust points along the launch-site vertical while t < 5 s

# Vehicle data hard-coded in pytrajlib 1.0.0a6's C header (booster_type 0 = MMIII, rv_type 0 =
# ballistic RV). Not readable from Python; restated here so results are self-describing. The
# initial mass and the post-burnout mass are checked against the flown trajectory at run time.
_MMIII_BOOSTER = {
    "name": "MMIII",
    "num_stages": 3,
    "reference_area_m2": 2.2698,
    "max_diameter_m": 1.7,
    "cd0": 0.15,
    "bus_mass_kg": 100.0,
    "stages": [
        {"wet_mass_kg": 23230.0, "fuel_mass_kg": 20780.0, "isp_s": 267.0, "burn_time_s": 61.0},
        {"wet_mass_kg": 7270.0, "fuel_mass_kg": 6240.0, "isp_s": 287.0, "burn_time_s": 66.0},
        {"wet_mass_kg": 3710.0, "fuel_mass_kg": 3306.0, "isp_s": 285.0, "burn_time_s": 61.0},
    ],
    "isp_to_exhaust_velocity_g_m_s2": 9.81,
    "total_burn_time_s": 188.0,
    "liftoff_mass_kg": 34710.0,
    "range_limit_m": 15000e3,
}
_BALLISTIC_RV = {
    "name": "Ball",
    "mass_kg": 400.0,
    "radius_m": 0.23,
    "reference_area_m2": math.pi * 0.23**2,
    "cd0": 0.1,
    "cd_alpha_per_rad": 0.4,
    "ballistic_coefficient_kg_m2": 400.0 / (0.1 * math.pi * 0.23**2),
}

_available: bool | None = None
_import_s: float | None = None


def pytrajlib_available() -> bool:
    """True if pytrajlib (with its compiled cffi extension) imports in this interpreter."""
    global _available, _import_s
    if _available is None:
        t0 = time.perf_counter()
        try:
            importlib.import_module("pytrajlib")
            importlib.import_module("pytrajlib._traj")
            _available = True
            _import_s = time.perf_counter() - t0
        except Exception:  # ImportError, OSError from a broken extension, ...
            _available = False
    return _available


class _SilentBar:
    """Stand-in for the tqdm bar pytrajlib's C callback would otherwise create on stderr."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _libc_fflush() -> Any:
    """A callable flushing every C stdio stream (so captured printf output is not lost)."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef("int fflush(void *stream);")
        libc = ffi.dlopen(None)
    except Exception:  # no cffi / no dlopen(None): output is then only redirected
        return None
    return lambda: libc.fflush(ffi.NULL)


@contextlib.contextmanager
def _capture_c_stdout() -> Iterator[io.StringIO]:
    """Capture what pytrajlib prints (C printf on fd 1 and Python print) into a StringIO."""
    sink = io.StringIO()
    fflush = _libc_fflush()
    sys.stdout.flush()
    saved_fd = os.dup(1)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 1)
        try:
            with contextlib.redirect_stdout(sink):
                yield sink
        finally:
            if fflush is not None:
                fflush()
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
            tmp.seek(0)
            sink.write(tmp.read().decode("utf-8", "replace"))


def _default_run_params(ptl_utils: Any) -> dict[str, Any]:
    """pytrajlib's packaged default.toml as a dict, without writing into site-packages."""
    from importlib.resources import files

    cfg_dir = files("pytrajlib.config")
    parser = configparser.ConfigParser()
    parser.read_string(cfg_dir.joinpath("default.toml").read_text())
    params = {
        key: ptl_utils.to_python_type(value)
        for section in parser.sections()
        for key, value in parser.items(section)
    }
    params["atm_profile_path"] = str(cfg_dir.joinpath("atmprofiles.txt"))
    # Only read for atm_model 3; the wheel ships a copy. Fall back to pytrajlib's own helper.
    mean_atm = cfg_dir.joinpath("mean_atm.txt")
    params["mean_atm_profile_path"] = (
        str(mean_atm) if mean_atm.is_file() else ptl_utils.get_run_params()["mean_atm_profile_path"]
    )
    return params


def _latlon_deg(ptl_utils: Any, x: float, y: float, z: float) -> tuple[float, float]:
    lat, lon = ptl_utils.cart2sphere(x, y, z)
    return math.degrees(float(lat)), math.degrees(float(lon))


def _great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance (m) on pytrajlib's 6371 km sphere; arguments in radians."""
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * PTL_EARTH_RADIUS_M * math.atan2(math.sqrt(a), math.sqrt(max(0.0, 1 - a)))


def _compass_azimuth_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle azimuth (deg, clockwise from north) from point 1 to point 2."""
    dlon = lon2 - lon1
    east = math.sin(dlon) * math.cos(lat2)
    north = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(east, north)) % 360.0


def _run(simulation: Any, params: dict[str, Any], **kwargs: Any) -> Any:
    """One pytrajlib.run() call (targeting solve + num_runs flights), silent, on a copy."""
    simulation._keep_alive["loading_bar"] = _SilentBar()
    try:
        return simulation.run(config=dict(params), **kwargs)
    finally:
        simulation._keep_alive.clear()


def _summarise_trajectory(traj: np.ndarray, dt_main: float) -> dict[str, Any]:
    """Thrust direction, burnout, apogee and impact facts from pytrajlib's trajectory file."""
    t = traj[:, _COL["t"]]
    pos = traj[:, [_COL["x"], _COL["y"], _COL["z"]]]
    vel = traj[:, [_COL["vx"], _COL["vy"], _COL["vz"]]]
    thrust = traj[:, [_COL["ax_thrust"], _COL["ay_thrust"], _COL["az_thrust"]]]
    r = np.linalg.norm(pos, axis=1)
    alt = r - PTL_EARTH_RADIUS_M
    tmag = np.linalg.norm(thrust, axis=1)
    # Row k holds the accelerations applied over (t[k-1], t[k]]; skip the vertical rise.
    steered = (tmag > 0) & (t > _VERTICAL_RISE_S + 1.5 * dt_main)
    if not np.any(steered):
        raise RuntimeError("pytrajlib trajectory has no steered thrust rows")
    u = thrust[steered] / tmag[steered, None]
    u_mean = u.mean(axis=0)
    u_mean /= np.linalg.norm(u_mean)
    theta_long = math.atan2(u_mean[1], u_mean[0])
    theta_lat = math.atan2(u_mean[2], math.hypot(u_mean[0], u_mean[1]))
    # Launch is at (R, 0, 0): +x = up, +y = east, +z = north there.
    off_vertical = math.degrees(math.acos(max(-1.0, min(1.0, u_mean[0]))))
    thrust_azimuth = math.degrees(math.atan2(u_mean[1], u_mean[2])) % 360.0
    last_thrust = int(np.nonzero(tmag > 0)[0].max())
    i_bo = min(last_thrust, len(t) - 1)
    v_bo = vel[i_bo]
    r_bo = pos[i_bo]
    gamma_bo = math.degrees(
        math.asin(float(np.dot(r_bo, v_bo) / (np.linalg.norm(r_bo) * np.linalg.norm(v_bo))))
    )
    i_apo = int(np.argmax(alt))
    v_imp = vel[-1]
    gamma_imp = math.degrees(
        math.asin(float(np.dot(pos[-1], v_imp) / (r[-1] * np.linalg.norm(v_imp))))
    )
    return {
        "thrust_theta_long_rad": theta_long,
        "thrust_theta_lat_rad": theta_lat,
        "thrust_angle_from_launch_vertical_deg": off_vertical,
        "thrust_azimuth_deg": thrust_azimuth,
        "thrust_direction_spread": float(np.max(np.linalg.norm(u - u_mean, axis=1))),
        "liftoff_mass_kg": float(traj[0, _COL["mass"]]),
        "post_burnout_mass_kg": float(traj[-1, _COL["mass"]]),
        "last_thrust_row_time_s": float(t[last_thrust]),
        "burnout_time_s": float(t[i_bo]),
        "burnout_altitude_km": float(alt[i_bo]) / 1e3,
        "burnout_speed_m_s": float(np.linalg.norm(v_bo)),
        "burnout_flight_path_angle_deg": gamma_bo,
        "apogee_km": float(alt[i_apo]) / 1e3,
        "apogee_time_s": float(t[i_apo]),
        "flight_time_s": float(t[-1]),
        "impact_speed_m_s": float(np.linalg.norm(v_imp)),
        "impact_flight_path_angle_deg": gamma_imp,
        "n_trajectory_rows": int(len(t)),
    }


def fly_pytrajlib_minuteman(n: int, **overrides: Any) -> dict[str, Any]:
    """Fly ``n`` Minuteman-III-class trajectories with pytrajlib's defaults and time them.

    Keyword overrides (all optional):

    * ``nominal`` (bool, default True): zero pytrajlib's random error model (gravity, wind and
      density perturbations, INS/IMU errors) so the n flights are identical and equal to the
      flight pytrajlib itself uses to aim. ``nominal=False`` keeps pytrajlib's default Monte
      Carlo error model, giving n slightly varied flights.
    * ``launch_lat_lon`` / ``aim_lat_lon``: (lat, lon) in degrees on pytrajlib's 6371 km sphere
      (defaults: (0, 0) and (0, 120.6371), i.e. due east, 13 414 km).
    * any pytrajlib run parameter from its default.toml, e.g. ``time_step_main`` (s, default
      1.0), ``time_step_reentry`` (s, default 0.01), ``booster_type``, ``atm_model``.

    Timing: ``seconds`` covers only the n flights. Nominal flights are flown one by one
    through the extension's ``update_aimpoint`` (one full launch-to-impact flight per call) with
    the thrust angles pytrajlib solved. Monte Carlo flights go through ``pytrajlib.run()``;
    its fixed per-call targeting cost (measured with ``num_runs=0``) is subtracted and reported
    separately. The aim solve plus one traced reference flight is ``targeting_s``.

    Impact points are converted back to geographic lat/lon with pytrajlib's own helper
    (pytrajlib flies every case from (0, 0) in a rotated frame; its Earth does not rotate).
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    if not pytrajlib_available():
        raise RuntimeError("pytrajlib is not importable in this interpreter")
    simulation = importlib.import_module("pytrajlib.simulation")
    ptl_utils = importlib.import_module("pytrajlib.utils")
    traj_ext = importlib.import_module("pytrajlib._traj")

    overrides = dict(overrides)
    nominal = bool(overrides.pop("nominal", True))
    if "num_runs" in overrides:
        raise ValueError("use n, not num_runs")
    params = _default_run_params(ptl_utils)
    if nominal:
        params.update(_NOMINAL_ZEROS)
    for key in ("launch_lat_lon", "aim_lat_lon"):
        if key in overrides:
            lat, lon = overrides.pop(key)
            xyz = ptl_utils.sphere2cart(PTL_EARTH_RADIUS_M, math.radians(lon), math.radians(lat))
            prefix = "launch" if key == "launch_lat_lon" else "aim"
            for axis, value in zip("xyz", xyz, strict=True):
                params[f"{axis}_{prefix}"] = float(value)
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        raise ValueError(f"not pytrajlib run parameters: {unknown}")
    params.update(overrides)
    params["booster_type"] = simulation.booster_type_parser(params["booster_type"])
    dt_main = float(params["time_step_main"])

    launch_lat, launch_lon = ptl_utils.cart2sphere(
        params["x_launch"], params["y_launch"], params["z_launch"]
    )
    aim_lat, aim_lon = ptl_utils.cart2sphere(params["x_aim"], params["y_aim"], params["z_aim"])
    launch_lat, launch_lon = float(launch_lat), float(launch_lon)
    aim_lat, aim_lon = float(aim_lat), float(aim_lon)

    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pytrajlib_") as tmp:
        files_out = {
            "output_dir": tmp,
            "trajectory_path": os.path.join(tmp, "trajectory.txt"),
            "impact_data_path": os.path.join(tmp, "impact.txt"),
            "impact_output": 0,
        }
        params.update(files_out)

        # 1) Aim solve + one traced nominal reference flight.
        ref_params = {**params, **_NOMINAL_ZEROS, "traj_output": 1}
        with _capture_c_stdout() as out:
            t0 = time.perf_counter()
            ref_df = _run(simulation, ref_params, num_runs=1)
            targeting_s = time.perf_counter() - t0
        log = out.getvalue()
        if "Error" in log:
            raise RuntimeError(f"pytrajlib refused the run: {log.strip()}")
        warnings += [ln.strip() for ln in log.splitlines() if "Warning" in ln]
        traj = np.loadtxt(ref_params["trajectory_path"], delimiter=",", skiprows=1, ndmin=2)
        if traj.shape[1] != len(_TRAJ_COLUMNS):
            raise RuntimeError(f"unexpected pytrajlib trajectory layout: {traj.shape[1]} columns")
        summary = _summarise_trajectory(traj, dt_main)

        # 2) The n timed flights.
        mc_overhead_s = None
        if nominal:
            ffi = traj_ext.ffi
            struct = ffi.new("struct runparams *")
            keep = []
            for key, value in {**params, "traj_output": 0}.items():
                c_value = ptl_utils.to_c_type(value)
                keep.append(c_value)
                with contextlib.suppress(AttributeError):
                    setattr(struct, key, c_value)
            struct.theta_long = summary["thrust_theta_long_rad"]
            struct.theta_lat = summary["thrust_theta_lat_rad"]
            xyz = np.empty((n, 3))
            with _capture_c_stdout():
                t0 = time.perf_counter()
                for i in range(n):
                    p = traj_ext.lib.update_aimpoint(struct[0])
                    xyz[i] = (p.x, p.y, p.z)
                seconds = time.perf_counter() - t0
            del keep
            gross_s = seconds
        else:
            run_params = {**params, "traj_output": 0}
            chunks = [_MAX_RUNS_PER_CALL] * (n // _MAX_RUNS_PER_CALL)
            if n % _MAX_RUNS_PER_CALL:
                chunks.append(n % _MAX_RUNS_PER_CALL)
            parts = []
            with _capture_c_stdout():
                t0 = time.perf_counter()
                _run(simulation, run_params, num_runs=0)
                mc_overhead_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                for size in chunks:
                    df = _run(simulation, run_params, num_runs=size)
                    parts.append(df[["x", "y", "z"]].to_numpy(dtype=float))
                gross_s = time.perf_counter() - t0
            xyz = np.vstack(parts)
            seconds = max(gross_s - len(chunks) * mc_overhead_s, 0.0)

    lat_i, lon_i = ptl_utils.transform_to_earth_coords(
        xyz[:, 0], xyz[:, 1], xyz[:, 2], (launch_lat, launch_lon)
    )
    lat_i = np.asarray(lat_i, dtype=float)
    lon_i = np.asarray(lon_i, dtype=float)
    lon_i = (lon_i + math.pi) % (2 * math.pi) - math.pi
    range_km = [
        _great_circle_m(launch_lat, launch_lon, a, b) / 1e3
        for a, b in zip(lat_i, lon_i, strict=True)
    ]
    miss_m = [_great_circle_m(aim_lat, aim_lon, a, b) for a, b in zip(lat_i, lon_i, strict=True)]
    ref_xyz = ref_df[["x", "y", "z"]].to_numpy(dtype=float)[0]
    ref_lat, ref_lon = ptl_utils.transform_to_earth_coords(
        ref_xyz[0], ref_xyz[1], ref_xyz[2], (launch_lat, launch_lon)
    )

    mu = PTL_GRAV_CONST * PTL_EARTH_MASS_KG
    booster_type = params["booster_type"]
    config: dict[str, Any] = {
        "pytrajlib_version": importlib.metadata.version("pytrajlib"),
        "entry_points": "pytrajlib.run() for aiming; _traj.lib.update_aimpoint for nominal flights",
        "nominal": nominal,
        "launch_lat_deg": math.degrees(launch_lat),
        "launch_lon_deg": math.degrees(launch_lon),
        "launch_altitude_m": 0.0,
        "launch_velocity": "at rest in a non-rotating frame",
        "aim_lat_deg": math.degrees(aim_lat),
        "aim_lon_deg": math.degrees(aim_lon),
        "aim_range_km": _great_circle_m(launch_lat, launch_lon, aim_lat, aim_lon) / 1e3,
        "launch_azimuth_deg": _compass_azimuth_deg(launch_lat, launch_lon, aim_lat, aim_lon),
        "steering": {
            "vertical_rise_s": _VERTICAL_RISE_S,
            "law": "thrust along launch vertical for t < 5 s, then one fixed inertial direction "
            "(no gravity turn) until burnout; direction = (up, east, north) at the launch "
            "point with east/north from the great-circle bearing and 'up' solved by Brent "
            "minimisation of the impact-to-aim distance on the nominal flight",
            "thrust_theta_long_rad": summary["thrust_theta_long_rad"],
            "thrust_theta_lat_rad": summary["thrust_theta_lat_rad"],
            "thrust_angle_from_launch_vertical_deg": summary[
                "thrust_angle_from_launch_vertical_deg"
            ],
            "thrust_azimuth_deg": summary["thrust_azimuth_deg"],
        },
        "booster": _MMIII_BOOSTER if booster_type == 0 else f"booster_type {booster_type}",
        "reentry_vehicle": _BALLISTIC_RV if params.get("rv_type", 0) == 0 else "rv_type 1",
        "mass_check_from_trajectory": {
            "liftoff_mass_kg": summary["liftoff_mass_kg"],
            "post_burnout_mass_kg": summary["post_burnout_mass_kg"],
        },
        "earth": {
            "shape": "sphere",
            "radius_m": PTL_EARTH_RADIUS_M,
            "rotation": False,
            "j2": False,
            "gm_m3_s2": mu,
            "g0_m_s2": mu / PTL_EARTH_RADIUS_M**2,
            "gravity": "point mass, g0*(R/r)^2 (grav_error=1 perturbs R by N(0, 0.05 m))",
        },
        "atmosphere": {
            "model": int(params["atm_model"]),
            "nominal_density": "1.225*exp(-h/8000 m), h = r - 6371 km, no winds",
            "used_for_aiming": "exponential (atm_model 0) unless atm_model >= 2",
        },
        "drag": {
            "boost": "0.5*rho*|v_rel|^2*Cd0*A/m with booster Cd0=0.15, A=2.2698 m^2, "
            "m = current whole-vehicle mass",
            "post_burnout": "RV only: Cd = 0.1 + 0.4*|aoa_wind|, A = pi*0.23^2 m^2, m = 400 kg",
        },
        "integrator": {
            "name": "pytrajlib 'rk4step' (accelerations frozen over the step: "
            "x += v*dt + a*dt^2/2, v += a*dt, a evaluated at step start)",
            "time_step_main_s": dt_main,
            "time_step_reentry_s": float(params["time_step_reentry"]),
            "reentry_step_used_when": "after burnout and altitude < 100 km",
            "impact": "linear interpolation in altitude between the last two steps",
        },
        # pytrajlib run parameters as used (file paths dropped; theta_long/theta_lat in
        # default.toml are superseded by the aim solve, see "steering").
        "run_params": {
            **{
                k: v
                for k, v in params.items()
                if k not in files_out
                and k not in ("traj_output", "theta_long", "theta_lat")
                and not k.endswith("profile_path")
            },
            "num_runs": n,
        },
    }
    result: dict[str, Any] = {
        "seconds": seconds,
        "per_flight_s": seconds / n,
        "n": n,
        "impact_lat_deg": np.degrees(lat_i).tolist(),
        "impact_lon_deg": np.degrees(lon_i).tolist(),
        "range_km": range_km,
        "miss_from_aim_m": miss_m,
        "apogee_km": summary["apogee_km"],
        "reference_flight": {
            **{k: v for k, v in summary.items() if not k.startswith("thrust_")},
            "impact_lat_deg": math.degrees(float(ref_lat)),
            "impact_lon_deg": math.degrees(float(ref_lon)),
        },
        "targeting_s": targeting_s,
        "gross_seconds": gross_s,
        "mc_per_call_overhead_s": mc_overhead_s,
        "import_s": _import_s,
        "warnings": warnings,
        "config": config,
    }
    return result


def _jsonable(x: Any) -> Any:
    """numpy scalars and arrays to plain Python, for json.dumps(default=...)."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def main(argv: list[str] | None = None) -> int:
    """Command line for benchmarks/run.py, which runs this file with the peer venv's python.

    Prints one line of JSON on stdout: {"status": "ok", "runs": [result, ...]} with one
    `fly_pytrajlib_minuteman` result per requested ``--time-step-main`` (or
    {"status": "skipped", "reason": ...} when pytrajlib does not import here).
    """
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="flights per time step (default 200)")
    parser.add_argument(
        "--time-step-main",
        type=float,
        action="append",
        help="pytrajlib time_step_main (s); repeatable (default: pytrajlib's 1.0 s only)",
    )
    parser.add_argument(
        "--n-fine",
        type=int,
        default=None,
        help="flights for time steps other than the first (default: --n)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON (the only output mode)")
    args = parser.parse_args(argv)
    steps = args.time_step_main or [1.0]
    if not pytrajlib_available():
        out: dict[str, Any] = {
            "status": "skipped",
            "reason": f"pytrajlib does not import in {sys.executable}",
        }
    else:
        runs = []
        for k, dt in enumerate(steps):
            n = args.n if k == 0 or args.n_fine is None else args.n_fine
            runs.append(fly_pytrajlib_minuteman(n, time_step_main=dt))
        out = {"status": "ok", "python": sys.executable, "runs": runs}
    sys.stdout.write(json.dumps(out, default=_jsonable) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
