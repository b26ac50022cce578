"""`bmdsim flyout`: fly one missile (aimed, max-range, or given controls) or a free-flight arc.

The JSON schema is documented in docs/cli/flyout.md.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from bmdsim.cli_common import (
    EarthChoice,
    ShapeChoice,
    SteeringChoice,
    _finite,
    _km,
    console,
    fail,
    parse_latlon,
    print_json,
)


def _trajectory_json(tr: Any, i: int = 0) -> dict[str, Any]:
    """The common part of the flyout JSON for trajectory i of a batch."""
    from bmdsim.physics.earth import ecef_to_geodetic
    from bmdsim.physics.trajectory import flight_path_angle_rad

    e = tr.earth
    ev_r, ev_v = tr.event_r_ecef_m[i], tr.event_v_ecef_m_s[i]
    lat, lon, alt = (np.degrees(x) if k < 2 else x for k, x in enumerate(ecef_to_geodetic(ev_r, e)))
    angles = np.degrees(flight_path_angle_rad(ev_r, ev_v, e))
    speeds = np.linalg.norm(ev_v, axis=-1)
    t = tr.event_t_s[i]
    reentry = None
    if math.isfinite(t[2]):
        reentry = {"time_s": _finite(t[2]), "speed_km_s": _km(speeds[2]),
                   "angle_deg": _finite(angles[2])}  # fmt: skip
    return {
        "status": tr.status_names()[i],
        "range_km": _km(tr.range_m[i]),
        "time_of_flight_s": _finite(t[3]),
        "apogee_km": _km(alt[1]),
        "apogee_time_s": _finite(t[1]),
        "burnout": {
            "time_s": _finite(t[0]),
            "speed_km_s": _km(speeds[0]),
            "inertial_speed_km_s": _km(tr.burnout_inertial_speed_m_s[i]),
            "altitude_km": _km(alt[0]),
            "angle_deg": _finite(angles[0]),
            "lat_deg": _finite(lat[0]),
            "lon_deg": _finite(lon[0]),
        },
        "stage_burnout_s": [_finite(x) for x in tr.stage_burnout_t_s[i] if math.isfinite(x)],
        "reentry": reentry,
        "impact": {
            "time_s": _finite(t[3]),
            "lat_deg": _finite(lat[3]),
            "lon_deg": _finite(((lon[3] + 180.0) % 360.0) - 180.0),
            "speed_km_s": _km(speeds[3]),
            "angle_deg": _finite(angles[3]),
        },
    }


def _print_table(doc: dict[str, Any]) -> None:
    t = Table(title=f"bmdsim flyout: {doc.get('missile') or 'free flight'} ({doc['mode']})")
    t.add_column("quantity")
    t.add_column("value", justify="right")

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        return f"{v:,.3f}" if isinstance(v, float) else str(v)

    def add(prefix: str, d: dict[str, Any]) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                add(f"{prefix}{k}.", v)
            elif isinstance(v, list):
                t.add_row(prefix + k, ", ".join(fmt(x) for x in v))
            else:
                t.add_row(prefix + k, fmt(v))

    add("", doc)
    console.print(t)


def flyout_cmd(  # noqa: PLR0913, PLR0912, PLR0915
    missile: Annotated[
        str | None, typer.Option(help="Catalog missile (see `bmdsim missiles`).")
    ] = None,
    launch: Annotated[str | None, typer.Option(help="Launch point LAT,LON (deg).")] = None,
    target: Annotated[str | None, typer.Option(help="Target point LAT,LON (deg).")] = None,
    shape: Annotated[
        ShapeChoice, typer.Option(help="Trajectory shape when aiming.")
    ] = ShapeChoice.minimum_energy,
    apogee_km: Annotated[
        float | None, typer.Option(help="Apogee of a lofted/depressed shot.")
    ] = None,
    azimuth_deg: Annotated[
        float | None, typer.Option(help="Launch azimuth, deg from north.")
    ] = None,
    max_range: Annotated[bool, typer.Option("--max-range", help="Fly the maximum range.")] = False,
    loft_deg: Annotated[
        float | None, typer.Option(help="Steering loft (pitch-over kick), deg.")
    ] = None,
    cutoff_s: Annotated[
        float | None, typer.Option(help="Thrust cut-off time after launch.")
    ] = None,
    burnout_speed_km_s: Annotated[float | None, typer.Option(help="Free flight: speed.")] = None,
    burnout_angle_deg: Annotated[
        float | None, typer.Option(help="Free flight: flight-path angle above the horizontal.")
    ] = None,
    burnout_altitude_km: Annotated[float, typer.Option(help="Free flight: start altitude.")] = 0.0,
    min_energy: Annotated[
        bool,
        typer.Option("--min-energy", help="Free flight: choose the angle that maximises range."),
    ] = False,
    impact_altitude_km: Annotated[
        float, typer.Option(help="Altitude of the impact surface.")
    ] = 0.0,
    beta_kg_m2: Annotated[
        float | None, typer.Option(help="Free flight with drag: ballistic coefficient of the body.")
    ] = None,
    earth: Annotated[EarthChoice, typer.Option(help="Earth model.")] = EarthChoice.wgs84,
    no_rotation: Annotated[bool, typer.Option("--no-rotation", help="Non-rotating Earth.")] = False,
    no_drag: Annotated[bool, typer.Option("--no-drag", help="Vacuum flight.")] = False,
    steering: Annotated[
        SteeringChoice, typer.Option(help="Boost steering law.")
    ] = SteeringChoice.gravity_turn,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (docs/cli/flyout.md).")
    ] = False,
) -> None:
    """Fly a missile to a target, to its maximum range, or a free-flight arc from burnout.

    \b
    Examples:
      bmdsim flyout --missile sejjil-2 --launch 35.2,53.9 --target 44.43,26.1 --json
      bmdsim flyout --missile topol-m --launch 54.03,35.77 --azimuth-deg 330 --max-range
      bmdsim flyout --burnout-speed-km-s 7.2 --min-energy --earth sphere --no-rotation --no-drag
    """
    from bmdsim.physics.aiming import (
        AimingError,
        Shape,
        aim,
        max_range_free_flight,
        max_range_loft,
    )
    from bmdsim.physics.earth import earth_model
    from bmdsim.physics.flyout import FlyoutSettings, Steering, fly_free, fly_missiles

    em = earth_model(earth.value, rotation=not no_rotation)
    st = FlyoutSettings(earth=em, drag=not no_drag, steering=Steering(steering.value))
    doc: dict[str, Any] = {
        "earth": {"model": earth.value, "rotation": not no_rotation},
        "drag": not no_drag,
        "missile": missile,
    }
    h_imp = impact_altitude_km * 1e3

    def reject(mode: str, flags: dict[str, bool]) -> None:
        given = [f for f, on in flags.items() if on]
        if given:
            fail(f"{', '.join(given)}: not used in {mode} mode")

    if burnout_speed_km_s is not None:
        reject("free-flight", {
            "--missile": missile is not None, "--target": target is not None,
            "--shape": shape is not ShapeChoice.minimum_energy,
            "--apogee-km": apogee_km is not None, "--max-range": max_range,
            "--loft-deg": loft_deg is not None,
            "--cutoff-s": cutoff_s is not None,
            "--steering": steering is not SteeringChoice.gravity_turn,
        })  # fmt: skip
        if (burnout_angle_deg is None) == (not min_energy):
            fail("free flight needs exactly one of --burnout-angle-deg and --min-energy")
        if not 0.0 < burnout_speed_km_s < 11.0:
            fail(f"--burnout-speed-km-s: {burnout_speed_km_s} is outside (0, 11) km/s")
        if burnout_angle_deg is not None and not -90.0 < burnout_angle_deg < 90.0:
            fail(f"--burnout-angle-deg: {burnout_angle_deg} is outside (-90, 90)")
        if not no_drag and beta_kg_m2 is None:
            fail("free flight with drag needs --beta-kg-m2 (or pass --no-drag)")
        if beta_kg_m2 is not None and beta_kg_m2 <= 0:
            fail(f"--beta-kg-m2: must be > 0, got {beta_kg_m2}")
        lat, lon = parse_latlon(launch, "--launch") if launch else (0.0, 0.0)
        az = math.radians(azimuth_deg if azimuth_deg is not None else 0.0)
        v, h0 = burnout_speed_km_s * 1e3, burnout_altitude_km * 1e3
        beta = beta_kg_m2 if beta_kg_m2 is not None else np.inf
        stf = st.with_(rtol=1e-12, atol_m=1e-6, atol_m_s=1e-9)

        def fly(gamma: np.ndarray) -> Any:
            return fly_free(
                math.radians(lat),
                math.radians(lon),
                h0,
                v,
                gamma,
                az,
                beta_kg_m2=beta,
                impact_altitude_m=h_imp,
                settings=stf,
            )

        if min_energy:
            _, gam = max_range_free_flight(
                math.radians(lat),
                math.radians(lon),
                h0,
                v,
                az,
                beta_kg_m2=beta,
                impact_altitude_m=h_imp,
                settings=stf,
            )
        else:
            gam = np.array([math.radians(burnout_angle_deg)])  # type: ignore[arg-type]
        tr = fly(gam)
        doc.update(mode="free-flight", launch={"lat_deg": lat, "lon_deg": lon})
        doc.update(_trajectory_json(tr))
        doc["burnout"]["angle_deg"] = math.degrees(float(gam[0]))
    else:
        if missile is None or launch is None:
            fail("give --missile and --launch (or --burnout-speed-km-s for free flight)")
        from bmdsim.models.missiles import UnknownMissileError, get_missile
        from bmdsim.physics.flyout import vehicle_arrays

        try:
            m = get_missile(missile)
        except UnknownMissileError as err:
            fail(str(err.args[0]) if err.args else str(err))
        veh = vehicle_arrays(m)
        doc["missile"] = m.name
        lat, lon = parse_latlon(launch, "--launch")
        la, lo = math.radians(lat), math.radians(lon)
        doc["launch"] = {"lat_deg": lat, "lon_deg": lon}
        cut = cutoff_s if cutoff_s is not None else np.inf
        reject("missile", {
            "--burnout-angle-deg": burnout_angle_deg is not None, "--min-energy": min_energy,
            "--beta-kg-m2": beta_kg_m2 is not None,
            "--burnout-altitude-km": burnout_altitude_km != 0.0,
        })  # fmt: skip
        if target is not None:
            reject("aimed (--target)", {
                "--max-range": max_range, "--azimuth-deg": azimuth_deg is not None,
                "--loft-deg": loft_deg is not None, "--cutoff-s": cutoff_s is not None,
            })  # fmt: skip
            tlat, tlon = parse_latlon(target, "--target")
            if apogee_km is not None and shape is ShapeChoice.minimum_energy:
                fail("--apogee-km needs --shape lofted or --shape depressed")
            try:
                sol = aim(
                    veh,
                    la,
                    lo,
                    math.radians(tlat),
                    math.radians(tlon),
                    shape=Shape(shape.value),
                    target_alt_m=h_imp,
                    apogee_m=None if apogee_km is None else apogee_km * 1e3,
                    settings=st,
                )
            except AimingError as err:
                fail(str(err))
            tr = sol.trajectories
            doc.update(mode="aimed", shape=shape.value, target={"lat_deg": tlat, "lon_deg": tlon})
            doc["controls"] = {
                "azimuth_deg": math.degrees(float(sol.azimuth_rad[0])) % 360.0,
                "loft_deg": math.degrees(float(sol.loft_rad[0])),
                "cutoff_s": _finite(float(sol.cutoff_s[0])),
            }
            doc.update(_trajectory_json(tr))
            doc["target_range_km"] = _km(sol.target_range_m[0])
            doc["miss_km"] = _km(sol.miss_m[0])
        else:
            if azimuth_deg is None:
                fail("give --target LAT,LON, or --azimuth-deg with --max-range or --loft-deg")
            reject("azimuth (--azimuth-deg)", {
                "--shape": shape is not ShapeChoice.minimum_energy,
                "--apogee-km": apogee_km is not None,
                "--loft-deg with --max-range": max_range and loft_deg is not None,
            })  # fmt: skip
            az = math.radians(azimuth_deg)
            if max_range:
                rmax, loft = max_range_loft(
                    veh, la, lo, az, cutoff_s=cut, impact_altitude_m=h_imp, settings=st
                )
                doc["mode"] = "max-range"
                doc["max_range_km"] = _km(rmax[0])
            elif loft_deg is not None:
                loft = np.array([math.radians(loft_deg)])
                doc["mode"] = "direct"
            else:
                fail("with --azimuth-deg give --max-range or --loft-deg")
            tr = fly_missiles(
                veh, la, lo, az, loft, cutoff_s=cut, impact_altitude_m=h_imp, settings=st
            )
            doc["controls"] = {"azimuth_deg": azimuth_deg % 360.0,
                               "loft_deg": math.degrees(float(loft[0])),
                               "cutoff_s": _finite(cut)}  # fmt: skip
            doc.update(_trajectory_json(tr))
    if as_json:
        print_json(doc)
    else:
        _print_table(doc)
