"""`bmdsim engage`: one threat against one interceptor site; the detection/track timeline and
the engagement window (docs/cli/engage.md)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from bmdsim.cli_common import ShapeChoice, _finite, _km, console, fail, parse_latlon, print_json


def _site_arg(text: str, interceptor: str) -> Any:
    """A catalog site by name, or an ad-hoc site at LAT,LON (a ship's position) hosting only
    the interceptor (no own sensors)."""
    from bmdsim.models.sites import Site, UnknownSiteError, get_site

    if "," in text:
        lat, lon = parse_latlon(text, "--site")
        src = {"value": 0.0, "source": "command line"}
        return Site.model_validate({
            "name": "ad-hoc", "display_name": f"ad-hoc site {lat},{lon}", "party": "NATO",
            "kind": "interceptor-site", "country": "-", "status": "notional",
            "description": "given on the command line", "variant": "command-line",
            "lat_deg": {**src, "value": lat}, "lon_deg": {**src, "value": lon},
            "altitude_m": src, "interceptors": [interceptor],
        })  # fmt: skip
    try:
        return get_site(text)
    except UnknownSiteError as err:
        fail(f"--site: {err.args[0] if err.args else err}")


def _sensor_args(names: list[str]) -> list[tuple[Any, Any]]:
    """--sensor NAME[@SITE]: a catalog sensor at the site that hosts it (or the one named)."""
    from bmdsim.models.sensors import UnknownSensorError, get_sensor
    from bmdsim.models.sites import UnknownSiteError, get_site, load_sites

    out = []
    for text in names:
        name, _, where = text.partition("@")
        try:
            sensor = get_sensor(name)
        except UnknownSensorError as err:
            fail(f"--sensor: {err.args[0] if err.args else err}")
        if where:
            try:
                site = get_site(where)
            except UnknownSiteError as err:
                fail(f"--sensor {text}: {err.args[0] if err.args else err}")
        else:
            hosts = [s for s in load_sites().values() if sensor.name in s.sensors]
            if not hosts:
                fail(f"--sensor {name}: no catalog site hosts it; give NAME@SITE")
            site = hosts[0]
        out.append((sensor, site))
    return out


def _common_args(
    threat: str, interceptor: str, variant: str | None, rcs_m2: float,
    delays: dict[str, float],
) -> tuple[Any, Any]:  # fmt: skip
    """Check the options `engage` and `footprint` share; return (missile, interceptor)."""
    from bmdsim.models.interceptors import get_interceptor
    from bmdsim.models.missiles import UnknownMissileError, get_missile

    for flag, value in delays.items():
        if not (value >= 0 and math.isfinite(value)):
            fail(f"{flag}: must be a finite number >= 0, got {value}")
    if not rcs_m2 > 0:
        fail(f"--rcs-m2: must be > 0, got {rcs_m2}")
    try:
        missile = get_missile(threat)
    except UnknownMissileError as err:
        fail(f"--threat: {err.args[0] if err.args else err}")
    try:
        icpt = get_interceptor(interceptor, variant=variant)
    except KeyError as err:
        fail(f"--interceptor: {err.args[0] if err.args else err}")
    return missile, icpt


def engage_cmd(  # noqa: PLR0913
    threat: Annotated[str, typer.Option(help="Threat missile (see `bmdsim missiles`).")],
    launch: Annotated[str, typer.Option(help="Threat launch point LAT,LON (deg).")],
    target: Annotated[str, typer.Option(help="Threat aim point LAT,LON (deg).")],
    site: Annotated[str, typer.Option(help="Interceptor site name, or LAT,LON (a ship).")],
    interceptor: Annotated[str, typer.Option(help="Interceptor (see `bmdsim interceptors`).")],
    interceptor_variant: Annotated[
        str | None, typer.Option(help="Named variant of the interceptor.")
    ] = None,
    sensor: Annotated[
        list[str] | None, typer.Option(help="Other sensor NAME or NAME@SITE; repeatable.")
    ] = None,
    launch_on_remote: Annotated[
        bool, typer.Option("--launch-on-remote", help="Other sensors' tracks may cue launch.")
    ] = False,
    latency_s: Annotated[float, typer.Option(help="Remote track data latency.")] = 0.0,
    shape: Annotated[ShapeChoice, typer.Option(help="Threat trajectory shape.")] = (
        ShapeChoice.minimum_energy
    ),
    rcs_m2: Annotated[float, typer.Option(help="Threat RV radar cross-section.")] = 0.01,
    launch_delay_s: Annotated[float, typer.Option(help="Decision-to-launch delay.")] = 0.0,
    kill_assessment_s: Annotated[float, typer.Option(help="Kill assessment delay.")] = 30.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Detection/track timeline and engagement window of one site against one threat.

    \b
    Example:
      bmdsim engage --threat sejjil-2 --launch 35.23,53.92 --target 44.43,26.10 \\
          --site deveselu --interceptor sm-3-iia --sensor an-tpy-2 --launch-on-remote --json
    """
    from bmdsim.engagement.engage import engage, intercept_geodetic
    from bmdsim.physics.aiming import AimingError, Shape, aim
    from bmdsim.physics.flyout import fly_missiles, vehicle_arrays

    missile, icpt = _common_args(threat, interceptor, interceptor_variant, rcs_m2, {
        "--latency-s": latency_s, "--launch-delay-s": launch_delay_s,
        "--kill-assessment-s": kill_assessment_s,
    })  # fmt: skip
    the_site = _site_arg(site, icpt.name)
    extra = _sensor_args(sensor or [])
    lat, lon = parse_latlon(launch, "--launch")
    tlat, tlon = parse_latlon(target, "--target")
    veh = vehicle_arrays(missile)
    try:
        sol = aim(veh, *np.radians([lat, lon, tlat, tlon]), shape=Shape(shape.value))
    except AimingError as err:
        fail(str(err))
    traj = fly_missiles(veh, math.radians(lat), math.radians(lon), sol.azimuth_rad,
                        sol.loft_rad, cutoff_s=sol.cutoff_s)  # fmt: skip
    res = engage(the_site, icpt, traj, extra_sensors=extra, remote_allowed=launch_on_remote,
                 latency_s=latency_s, rcs_m2=rcs_m2, launch_delay_s=launch_delay_s,
                 kill_assessment_s=kill_assessment_s)  # fmt: skip
    w = res.window
    pts = intercept_geodetic(w, traj)
    doc: dict[str, Any] = {
        "threat": {
            "missile": missile.name, "launch": {"lat_deg": lat, "lon_deg": lon},
            "target": {"lat_deg": tlat, "lon_deg": tlon}, "shape": shape.value,
            "range_km": _km(traj.range_m[0]), "time_of_flight_s": _finite(traj.impact_time_s[0]),
            "apogee_km": _km(traj.apogee_altitude_m[0]),
            "burnout_time_s": _finite(traj.burnout_time_s[0]), "rcs_m2": rcs_m2,
        },
        "site": the_site.name, "interceptor": icpt.label,
        "launch_on_remote": launch_on_remote, "latency_s": latency_s,
        "timeline": [
            {"sensor": e.sensor, "own": e.own, "fire_control": e.fire_control,
             "detect_s": _finite(e.detect_s), "track_s": _finite(e.track_s),
             "visibility": [[a, b] for a, b in e.windows]}
            for e in res.timeline
        ],
        "fire_control_track_s": _finite(res.fire_time_s),
        "window": {
            "possible": bool(w.possible[0, 0]),
            "earliest_intercept_s": _finite(w.earliest_intercept_s[0, 0]),
            "latest_intercept_s": _finite(w.latest_intercept_s[0, 0]),
            "earliest_launch_s": _finite(w.earliest_launch_s[0, 0]),
            "latest_launch_s": _finite(w.latest_launch_s[0, 0]),
            "earliest_intercept": pts["earliest"], "latest_intercept": pts["latest"],
            "shoot_look_shoot_opportunities": int(w.n_shoot_look_shoot[0, 0]),
            "kill_assessment_s": kill_assessment_s, "launch_delay_s": launch_delay_s,
        },
    }  # fmt: skip
    if as_json:
        print_json(doc)
        return
    t = Table(title=f"{missile.name} -> ({tlat}, {tlon}) vs {the_site.name} {icpt.label}")
    for c in ("sensor", "own", "fire control", "detect s", "track s", "visible"):
        t.add_column(c)
    for e in doc["timeline"]:
        t.add_row(e["sensor"], str(e["own"]), str(e["fire_control"]), str(e["detect_s"]),
                  str(e["track_s"]),
                  "; ".join(f"{a:.0f}-{b:.0f}" for a, b in e["visibility"]) or "-")  # fmt: skip
    console.print(t)
    console.print(f"threat: {doc['threat']}")
    console.print(f"engagement window: {doc['window']}")
