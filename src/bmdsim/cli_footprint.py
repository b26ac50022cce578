"""`bmdsim footprint`: the defended area of a site against a missile from a launch area.

Writes, into --out (atomically: a temporary folder renamed into place, nothing half-written):
`footprint.geojson` (defended cells as polygons, with the shot count), `footprint.png` (map:
country outlines, site, launch area, defended area, cities) and `footprint.json` (`area_km2`,
`area_twice_km2`, `defended_cities`, the parameters). See docs/cli/footprint.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from bmdsim._io import OutputFolderError, check_out_folder, write_folder
from bmdsim.cli_common import console, fail, print_json
from bmdsim.cli_engage import _common_args, _sensor_args, _site_arg


def _launch_area(text: str) -> tuple[np.ndarray, np.ndarray, float]:
    """LAT,LON[,RADIUS_KM] -> launch points: the centre, and 6 points on the circle."""
    parts = text.split(",")
    if len(parts) not in (2, 3):
        fail(f"--launch-area: expected LAT,LON[,RADIUS_KM], got {text!r}")
    try:
        lat, lon = float(parts[0]), float(parts[1])
        radius = float(parts[2]) if len(parts) == 3 else 0.0
    except ValueError:
        fail(f"--launch-area: expected numbers LAT,LON[,RADIUS_KM], got {text!r}")
    if not (-90 <= lat <= 90 and -180 <= lon <= 360):
        fail(f"--launch-area: {lat},{lon} is not a latitude in [-90, 90] and longitude")
    if not 0 <= radius <= 2000:
        fail(f"--launch-area: radius {radius} km is outside [0, 2000]")
    if radius == 0:
        return np.array([lat]), np.array([lon]), 0.0
    from bmdsim.physics.earth import geodesic_direct

    az = np.radians(np.arange(0, 360, 60))
    la, lo, _ = geodesic_direct(np.full(6, math.radians(lat)), np.full(6, math.radians(lon)), az,
                                np.full(6, radius * 1e3))  # fmt: skip
    return (np.r_[lat, np.degrees(la)], np.r_[lon, np.degrees(lo)], radius)


def _cell_polygon(lat: float, lon: float, dlat: float, dlon: float) -> list[list[float]]:
    a, b = lat - dlat / 2, lat + dlat / 2
    c, d = lon - dlon / 2, lon + dlon / 2
    return [[c, a], [d, a], [d, b], [c, b], [c, a]]


def footprint_cmd(  # noqa: PLR0913, PLR0915
    site: Annotated[str, typer.Option(help="Interceptor site name, or LAT,LON.")],
    interceptor: Annotated[str, typer.Option(help="Interceptor (see `bmdsim interceptors`).")],
    launch_area: Annotated[str, typer.Option(help="Threat launch area LAT,LON[,RADIUS_KM].")],
    threat: Annotated[str, typer.Option(help="Threat missile (see `bmdsim missiles`).")],
    out: Annotated[
        Path,
        typer.Option(
            help="Output folder (created; an earlier footprint folder is replaced, "
            "any other non-empty folder refused)."
        ),
    ],
    interceptor_variant: Annotated[str | None, typer.Option(help="Interceptor variant.")] = None,
    sensor: Annotated[
        list[str] | None, typer.Option(help="Other sensor NAME or NAME@SITE; repeatable.")
    ] = None,
    launch_on_remote: Annotated[
        bool, typer.Option("--launch-on-remote", help="Other sensors' tracks may cue launch.")
    ] = False,
    latency_s: Annotated[float, typer.Option(help="Remote track data latency.")] = 0.0,
    track_time_s: Annotated[
        float | None,
        typer.Option(help="Assume a fire-control track this long after launch (no sensors)."),
    ] = None,
    rcs_m2: Annotated[float, typer.Option(help="Threat RV radar cross-section.")] = 0.01,
    kill_assessment_s: Annotated[float, typer.Option(help="Kill assessment delay.")] = 30.0,
    launch_delay_s: Annotated[float, typer.Option(help="Decision-to-launch delay.")] = 0.0,
    grid_deg: Annotated[float, typer.Option(help="Aim-point grid spacing.")] = 0.5,
    region: Annotated[
        str, typer.Option(help="Grid region LON_MIN,LON_MAX,LAT_MIN,LAT_MAX (deg).")
    ] = "-12,60,28,72",
    fan: Annotated[
        str, typer.Option(help="Threat fan per launch point: AZIMUTHS,RANGES.")
    ] = "61,40",
    as_json: Annotated[bool, typer.Option("--json", help="Print footprint.json.")] = False,
) -> None:
    """Defended area of a site against every threat from a launch area: GeoJSON, PNG, JSON.

    \b
    Example:
      bmdsim footprint --site deveselu --interceptor sm-3-iia --launch-area 36.2,53.5,150 \\
          --threat sejjil-2 --sensor an-tpy-2 --launch-on-remote --out out/fp
    """
    from bmdsim.engagement.engage import placed_sensors, site_flyout_table
    from bmdsim.engagement.footprint import footprint
    from bmdsim.geo import cities
    from bmdsim.physics.earth import WGS84, geodetic_to_ecef
    from bmdsim.physics.flyout import vehicle_arrays

    try:  # refuse a foreign --out before computing
        check_out_folder(out, marker="footprint.json")
    except OutputFolderError as exc:
        fail(str(exc))
    try:
        n_az, n_range = (int(x) for x in fan.split(","))
    except ValueError:
        fail(f"--fan: expected AZIMUTHS,RANGES (two integers), got {fan!r}")
    if not (3 <= n_az <= 721 and 3 <= n_range <= 400):
        fail(f"--fan: need 3 <= AZIMUTHS <= 721 and 3 <= RANGES <= 400, got {fan}")
    if not 0.05 <= grid_deg <= 5.0:
        fail(f"--grid-deg: {grid_deg} is outside [0.05, 5]")
    try:
        lo_min, lo_max, la_min, la_max = (float(x) for x in region.split(","))
    except ValueError:
        fail(f"--region: expected LON_MIN,LON_MAX,LAT_MIN,LAT_MAX, got {region!r}")
    if not (lo_min < lo_max and -90 <= la_min < la_max <= 90):
        fail(f"--region: need LON_MIN < LON_MAX and -90 <= LAT_MIN < LAT_MAX <= 90: {region}")
    missile, icpt = _common_args(threat, interceptor, interceptor_variant, rcs_m2, {
        "--latency-s": latency_s, "--kill-assessment-s": kill_assessment_s,
        "--launch-delay-s": launch_delay_s,
        **({"--track-time-s": track_time_s} if track_time_s is not None else {}),
    })  # fmt: skip
    the_site = _site_arg(site, icpt.name)
    extra = _sensor_args(sensor or [])
    llat, llon, radius = _launch_area(launch_area)
    grid_lat = np.arange(la_min + grid_deg / 2, la_max, grid_deg)
    grid_lon = np.arange(lo_min + grid_deg / 2, lo_max, grid_deg)
    if grid_lat.size < 2 or grid_lon.size < 2:
        fail(f"--region {region} with --grid-deg {grid_deg}: needs at least 2 x 2 grid cells")
    # distinct: GeoNames lists city districts beside the city; counting both double-counts
    towns = cities(min_population=100_000, bbox=(lo_min, lo_max, la_min, la_max), distinct=True)
    site_lat, site_lon = the_site.lat_deg.value, the_site.lon_deg.value
    site_r = geodetic_to_ecef(math.radians(site_lat), math.radians(site_lon),
                              the_site.altitude_m.value, WGS84)  # fmt: skip
    with console.status("flying the threat fans and their engagements"):
        fp, city_shots = footprint(
            site_r, site_flyout_table(icpt, the_site, llat[0], llon[0]), vehicle_arrays(missile),
            placed_sensors(the_site, extra), llat, llon, grid_lat, grid_lon,
            remote_allowed=launch_on_remote, latency_s=latency_s, rcs_m2=rcs_m2,
            kill_assessment_s=kill_assessment_s, launch_delay_s=launch_delay_s,
            fire_time_s=track_time_s,
            extra_points_deg=np.stack([towns["lat_deg"], towns["lon_deg"]], axis=1),
            n_az=n_az, n_range=n_range,
        )  # fmt: skip
    defended: list[dict[str, Any]] = [
        {"name": str(c["name"]), "country": str(c["country_iso_a3"]),
         "population": int(c["population"]), "lat_deg": float(c["lat_deg"]),
         "lon_deg": float(c["lon_deg"]), "shots": int(s)}
        for c, s in zip(towns, city_shots, strict=True) if s >= 1
    ]  # fmt: skip
    threatened_cities = int(np.sum(city_shots >= 0))
    doc: dict[str, Any] = {
        "site": the_site.name, "site_lat_deg": site_lat, "site_lon_deg": site_lon,
        "interceptor": icpt.label, "threat": missile.name,
        "launch_area": {"lat_deg": float(llat[0]), "lon_deg": float(llon[0]),
                        "radius_km": radius, "launch_points": len(llat)},
        "sensors": [s.label for s in (x[0] for x in extra)],
        "launch_on_remote": launch_on_remote, "latency_s": latency_s,
        "assumed_track_time_s": track_time_s, "rcs_m2": rcs_m2,
        "kill_assessment_s": kill_assessment_s, "launch_delay_s": launch_delay_s,
        "grid_deg": grid_deg,
        "region": [lo_min, lo_max, la_min, la_max], "fan": [n_az, n_range],
        "threat_trajectories": fp.n_threats,
        "area_km2": round(fp.area_once_km2, 1),
        "area_twice_km2": round(fp.area_twice_km2, 1),
        "threatened_area_km2": round(float(fp.cell_area_km2[fp.threatened].sum()), 1),
        "threatened_cities": threatened_cities,
        "defended_cities": defended,
        "defended_population": int(sum(c["population"] for c in defended)),
    }  # fmt: skip
    features = []
    for i, j in zip(*np.nonzero(fp.defended_once), strict=True):
        features.append({
            "type": "Feature",
            "properties": {"shots": 2 if fp.defended_twice[i, j] else 1},
            "geometry": {"type": "Polygon", "coordinates": [
                _cell_polygon(fp.lat_deg[i], fp.lon_deg[j], grid_deg, grid_deg)]},
        })  # fmt: skip
    geojson = {
        "type": "FeatureCollection",
        "features": features,
        "properties": {k: doc[k] for k in ("site", "interceptor", "threat", "area_km2")},
    }
    _write_outputs(out, doc, geojson, fp, the_site, llat, llon, towns, city_shots)
    if as_json:
        print_json(doc)
    else:
        console.print(
            f"{the_site.name} {icpt.label} vs {missile.name} from {launch_area}: defended "
            f"{doc['area_km2']:,.0f} km2 (twice: {doc['area_twice_km2']:,.0f} km2), "
            f"{len(defended)} of {threatened_cities} threatened cities >= 100k; wrote {out}/"
        )


def _write_outputs(out: Path, doc: dict[str, Any], geojson: dict[str, Any], fp: Any,
                   site: Any, llat: np.ndarray, llon: np.ndarray, towns: np.ndarray,
                   city_shots: np.ndarray) -> None:  # fmt: skip
    """Write the three files into a temporary sibling folder, then move it into place
    (`bmdsim._io.write_folder`: an earlier footprint folder is replaced, a foreign non-empty
    folder refused)."""

    def write(tmp: Path) -> None:
        (tmp / "footprint.json").write_text(json.dumps(doc, indent=2))
        (tmp / "footprint.geojson").write_text(json.dumps(geojson))
        _draw(tmp / "footprint.png", doc, fp, site, llat, llon, towns, city_shots)

    try:
        write_folder(out, write, marker="footprint.json")
    except OutputFolderError as exc:
        fail(str(exc))


def _draw(path: Path, doc: dict[str, Any], fp: Any, site: Any, llat: np.ndarray,
          llon: np.ndarray, towns: np.ndarray, city_shots: np.ndarray) -> None:  # fmt: skip
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from bmdsim.report.maps import base_map, label_cities, plot_points, save_png

    lo_min, lo_max, la_min, la_max = doc["region"]
    title = (f"{doc['site']} {doc['interceptor']} vs {doc['threat']}: defended "
             f"{doc['area_km2']:,.0f} km2 (twice {doc['area_twice_km2']:,.0f} km2)")  # fmt: skip
    m = base_map(extent=(lo_min, lo_max, la_min, la_max), title=title, width_in=11.0)
    level = np.where(fp.defended_twice, 2, np.where(fp.defended_once, 1, 0)).astype(float)
    level[level == 0] = np.nan
    lon_e = np.r_[fp.lon_deg - (fp.lon_deg[1] - fp.lon_deg[0]) / 2,
                  fp.lon_deg[-1] + (fp.lon_deg[1] - fp.lon_deg[0]) / 2]  # fmt: skip
    lat_e = np.r_[fp.lat_deg - (fp.lat_deg[1] - fp.lat_deg[0]) / 2,
                  fp.lat_deg[-1] + (fp.lat_deg[1] - fp.lat_deg[0]) / 2]  # fmt: skip
    xx, yy = m.project(*np.meshgrid(lon_e, lat_e))
    cmap = ListedColormap(["#7fc97f", "#1b7837"])
    m.ax.pcolormesh(xx, yy, np.ma.masked_invalid(level), cmap=cmap, vmin=1, vmax=2, alpha=0.55,
                    zorder=2, shading="flat")  # fmt: skip
    out_mask = ~fp.threatened
    if np.any(out_mask):
        m.ax.contour(*m.project(*np.meshgrid(fp.lon_deg, fp.lat_deg)), fp.threatened.astype(float),
                     levels=[0.5], colors="#999999", linewidths=0.8, linestyles="dashed",
                     zorder=3)  # fmt: skip
    plot_points(m, [site.lat_deg.value], [site.lon_deg.value], labels=[site.name],
                marker="^", markersize=11, markerfacecolor="#2c7bb6")  # fmt: skip
    plot_points(m, llat, llon, labels=["launch area"] + [""] * (len(llat) - 1), marker="x",
                markersize=8, markeredgecolor="#d7301f", linestyle="none")  # fmt: skip
    big = towns[towns["population"] >= 1_000_000]
    label_cities(m, big, max_labels=30)
    ok = city_shots >= 1
    x, y = m.project(towns["lon_deg"], towns["lat_deg"])
    m.ax.scatter(x[ok], y[ok], s=9, c="#1b7837", edgecolors="white", linewidths=0.3, zorder=5)
    bad = city_shots == 0
    m.ax.scatter(x[bad], y[bad], s=9, c="#d7301f", edgecolors="white", linewidths=0.3, zorder=5)
    m.ax.legend(handles=[
        Patch(color="#7fc97f", alpha=0.7, label="defended: one shot"),
        Patch(color="#1b7837", alpha=0.7, label="defended: shoot-look-shoot"),
        Patch(facecolor="none", edgecolor="#999999", linestyle="--", label="threat reach"),
        Patch(color="#1b7837", label="city >= 100k defended"),
        Patch(color="#d7301f", label="city >= 100k threatened, not defended"),
    ], loc="lower left", fontsize=8, framealpha=0.9)  # fmt: skip
    save_png(m.fig, path)
