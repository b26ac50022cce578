"""`report.html`: a self-contained page per run folder, built from the folder's data alone.

Inputs (all in the run folder): ``summary.json``, ``geometry.json`` (parties' territories,
sites, sensors, raid ground tracks, written by `geometry`), ``coverage.parquet``,
``results.parquet`` and ``scenario.yaml``. Output: one HTML file with the pictures inline
(base64 PNG from matplotlib), no script, no external URL: it opens offline in any browser.

Sections: the comparison table; a map per architecture (territories, interceptor sites,
radars with their range against the scenario's warhead, raid ground tracks, asset cities
coloured by defense probability); an engagement timeline per raid missile (first trial:
detection, track, decision, first launch, first intercept, kill or leak); the assumptions
(the scenario as run, and the catalog entries it uses with their sources).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from pyproj import Geod  # noqa: E402
from scipy.spatial import ConvexHull, QhullError  # noqa: E402

from bmdsim.architectures import ARCHITECTURES, sector_owner  # noqa: E402
from bmdsim.geo import country  # noqa: E402
from bmdsim.report.maps import base_map, plot_points, plot_polygon_fill, plot_track  # noqa: E402

PARTY_COLOURS = ["#dbe6f6", "#f6e0d6", "#e3f1dc", "#efe3f3"]
SITE_COLOURS = ["#1f4e9c", "#b22222", "#2e7d32", "#6a1b9a"]

__all__ = ["CSS", "build_report", "geometry", "png_data_uri"]


# ------------------------------------------------------------------ geometry.json


def geometry(world: Any) -> dict[str, Any]:
    """What the report draws, from a `World` (written as geometry.json in the run folder)."""
    th = world.threats
    rcs = world.scenario.rv_rcs_m2
    tracks = []
    for i in world.raid_rows:
        ok = np.isfinite(th.track_lat_deg[i])
        tracks.append({
            "threat": str(th.name[i]),
            "missile": str(th.missile[i]),
            "target": str(th.target[i]),
            "lat_deg": [round(float(x), 4) for x in th.track_lat_deg[i][ok]],
            "lon_deg": [round(float(x), 4) for x in th.track_lon_deg[i][ok]],
        })  # fmt: skip
    sensors = []
    for s in world.sensors:
        try:
            rng: float | None = round(s.sensor.range_against_km(rcs), 1)
        except ValueError:  # space-based warning, or a radar without a stated range
            rng = None
        sensors.append({
            "key": s.key, "party": s.party, "kind": s.sensor.kind,
            "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
            "range_vs_rv_km": rng,
            "fire_control": bool(s.sensor.fire_control),
        })  # fmt: skip
    sites = [{"key": s.key, "party": s.party, "interceptor": s.interceptor.label,
              "lat_deg": s.lat_deg, "lon_deg": s.lon_deg, "inventory": s.inventory,
              "footprint": _footprint(world, k)}
             for k, s in enumerate(world.sites)]  # fmt: skip
    owner = sector_owner(world)
    for t, i in zip(tracks, world.raid_rows, strict=True):
        t["sector_party"] = str(owner[i])
    return {
        "parties": {p: sorted(world.territory[p]) for p in world.parties},
        "allies": {p: sorted(world.defends[p] - world.territory[p]) for p in world.parties},
        "sites": sites,
        "sensors": sensors,
        "raid_tracks": tracks,
        "sectors": _sectors(world),
        "rv_rcs_m2": rcs,
        "sources": _sources(world),
    }


def _footprint(world: Any, site: int) -> list[list[float]]:
    """The asset cities (lat, lon) whose coverage probe this site can intercept at all, cue
    timing aside: the site's kinematic footprint against the coverage threats."""
    rows = world.probe_rows
    ok = world.intercepts.count[site, rows] > 0
    city = world.threats.city[rows[ok]]
    city = np.unique(city[city >= 0])
    c = world.cities
    return [[round(float(c["lat_deg"][i]), 4), round(float(c["lon_deg"][i]), 4)] for i in city]


def _sectors(world: Any) -> list[dict[str, Any]]:
    """The sectoral architecture's sector map (each party's territory when none is given)."""
    cfg = world.scenario.architectures.sectoral
    if not cfg.sectors:
        return [{"party": p, "countries": sorted(world.territory[p]), "polygon_deg": [],
                 "default": True} for p in world.parties]  # fmt: skip
    return [{"party": sec.party, "countries": sorted(country(c).iso_a3 for c in sec.countries),
             "polygon_deg": [[float(a), float(b)] for a, b in sec.polygon_deg],
             "default": False} for sec in cfg.sectors]  # fmt: skip


def _sources(world: Any) -> list[dict[str, str]]:
    """The catalog entries the scenario uses, with the sources of their key values."""
    from bmdsim.models.missiles import get_missile

    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, name: str, fields: dict[str, Any]) -> None:
        if (kind, name) in seen:
            return
        seen.add((kind, name))
        for field, q in fields.items():
            if q is not None and hasattr(q, "source"):
                out.append(
                    {
                        "kind": kind,
                        "entry": name,
                        "field": field,
                        "value": f"{q.value:g}",
                        "source": " ".join(str(q.source).split()),
                    }
                )

    for s in world.sensors:
        sen = s.sensor
        add("sensor", sen.label, {"max_range_km": sen.max_range_km,
                                  "reference_rcs_m2": sen.reference_rcs_m2,
                                  "track_establish_time_s": sen.track_establish_time_s,
                                  "detection_delay_s": sen.detection_delay_s})  # fmt: skip
    for site in world.sites:
        it = site.interceptor
        add("interceptor", it.label, {"burnout_speed_km_s": it.burnout_speed_km_s,
                                      "max_intercept_altitude_km": it.max_intercept_altitude_km,
                                      "max_flyout_time_s": it.max_flyout_time_s,
                                      "kill_probability": it.kill_probability})  # fmt: skip
    for name in sorted(set(world.threats.missile)):
        m = get_missile(str(name))
        add("missile", m.name, {"cited_range_km": m.cited_range_km,
                                "payload_mass_kg": m.payload_mass_kg})  # fmt: skip
    return out


# ------------------------------------------------------------------ pictures


def png_data_uri(fig: Figure) -> str:
    """A Figure as an inline ``data:image/png;base64,...`` address (for self-contained pages)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", pil_kwargs={"compress_level": 3})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _extent(geo: dict[str, Any], cov: dict[str, list[Any]]) -> tuple[float, float, float, float]:
    lats = [s["lat_deg"] for s in geo["sites"] + geo["sensors"] if s.get("range_vs_rv_km", 1)]
    lons = [s["lon_deg"] for s in geo["sites"] + geo["sensors"] if s.get("range_vs_rv_km", 1)]
    for t in geo["raid_tracks"]:
        lats += t["lat_deg"]
        lons += t["lon_deg"]
    lats += [x for x, th in zip(cov.get("lat_deg", []), cov.get("threatened", []), strict=False)
             if th]  # fmt: skip
    lons += [x for x, th in zip(cov.get("lon_deg", []), cov.get("threatened", []), strict=False)
             if th]  # fmt: skip
    if not lats:
        return (-12.0, 62.0, 24.0, 66.0)
    return (max(-180.0, min(lons) - 4), min(180.0, max(lons) + 4), max(-80.0, min(lats) - 3),
            min(85.0, max(lats) + 3))  # fmt: skip


def _circle(lat: float, lon: float, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    az = np.linspace(0.0, 360.0, 91)
    lo, la, _ = Geod(ellps="WGS84").fwd(np.full(az.size, lon), np.full(az.size, lat), az,
                                        np.full(az.size, radius_km * 1e3))  # fmt: skip
    return np.asarray(la), np.asarray(lo)


def _hull(points: list[list[float]]) -> np.ndarray | None:
    """Convex hull (lat, lon rows, closed) of at least 3 points, or None."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(np.unique(pts, axis=0)) < 3:
        return None
    try:
        h = ConvexHull(pts[:, ::-1])
    except QhullError:  # collinear
        return None
    ring = pts[h.vertices]
    return np.vstack([ring, ring[:1]])


def architecture_map(geo: dict[str, Any], cov: dict[str, list[Any]], arch: str,
                     extent: tuple[float, float, float, float]) -> Figure:  # fmt: skip
    """The scenario's map with the cities coloured by defense probability under `arch`."""
    parties = list(geo["parties"])
    highlight = {}
    sectoral = arch == "sectoral" and "sectors" in geo
    if sectoral:  # the sector map: who is responsible where
        for sec in reversed(geo["sectors"]):  # earlier sectors win where they overlap
            for code in sec["countries"]:
                highlight[code] = PARTY_COLOURS[parties.index(sec["party"]) % len(PARTY_COLOURS)]
    else:
        for k, p in enumerate(parties):
            for code in geo["parties"][p]:
                highlight[code] = PARTY_COLOURS[k % len(PARTY_COLOURS)]
    gm = base_map(
        extent=extent,
        width_in=7.5,
        highlight=highlight,
        country_labels=False,
        title=arch + (": sectors shaded by responsible party" if sectoral else ""),
    )
    if sectoral:
        for sec in geo["sectors"]:
            if len(sec["polygon_deg"]) >= 3:
                ring = np.array(sec["polygon_deg"])
                c = SITE_COLOURS[parties.index(sec["party"]) % len(SITE_COLOURS)]
                plot_polygon_fill(gm, ring[:, 0], ring[:, 1], facecolor="none", edgecolor=c,
                                  hatch="//", alpha=0.6, linewidth=1.0, zorder=2)  # fmt: skip
    for s in geo["sites"]:  # kinematic footprints: hull of the asset cities a site can reach
        hull = _hull(s.get("footprint", []))
        if hull is not None:
            c = SITE_COLOURS[parties.index(s["party"]) % len(SITE_COLOURS)]
            plot_polygon_fill(gm, hull[:, 0], hull[:, 1], facecolor=c, edgecolor=c, alpha=0.07,
                              linewidth=0.6, zorder=2)  # fmt: skip
    for t in geo["raid_tracks"]:
        plot_track(gm, t["lat_deg"], t["lon_deg"], color="#444444", linewidth=0.9, alpha=0.8,
                   zorder=4)  # fmt: skip
    for s in geo["sensors"]:
        if s["range_vs_rv_km"]:
            la, lo = _circle(s["lat_deg"], s["lon_deg"], s["range_vs_rv_km"])
            c = SITE_COLOURS[parties.index(s["party"]) % len(SITE_COLOURS)]
            plot_track(gm, la, lo, color=c, linewidth=0.8, linestyle="--", alpha=0.7, zorder=3)
    rows = [i for i, a in enumerate(cov["architecture"]) if a == arch and cov["threatened"][i]]
    if rows:
        p = np.array([cov["defense_probability"][i] for i in rows], dtype=float)
        defended = np.array([cov["defended"][i] for i in rows], dtype=bool)
        colours = np.where(defended, "#2e7d32", np.where(p >= 0.5, "#f9a825", "#c62828"))
        size = np.sqrt(np.array([cov["population"][i] for i in rows], dtype=float)) / 60.0
        x, y = gm.project(np.array([cov["lon_deg"][i] for i in rows]),
                               np.array([cov["lat_deg"][i] for i in rows]))  # fmt: skip
        gm.ax.scatter(x, y, s=np.clip(size, 4, 120), c=list(colours), edgecolors="k",
                      linewidths=0.3, zorder=6)  # fmt: skip
    for k, p in enumerate(parties):
        mine = [s for s in geo["sites"] if s["party"] == p]
        if mine:
            colour = SITE_COLOURS[k % len(SITE_COLOURS)]
            plot_points(gm, [s["lat_deg"] for s in mine], [s["lon_deg"] for s in mine], None,
                        marker="^", markerfacecolor=colour, markersize=8,
                        markeredgecolor="k", zorder=7)  # fmt: skip
    handles = [
        Line2D([], [], marker="o", ls="", color="#2e7d32", label="city defended (p >= 0.9)"),
        Line2D([], [], marker="o", ls="", color="#f9a825", label="0.5 <= p < 0.9"),
        Line2D([], [], marker="o", ls="", color="#c62828", label="p < 0.5"),
        Line2D([], [], marker="^", ls="", color="k", label="interceptor site"),
        Line2D([], [], ls="--", color="k", label="radar range vs the warhead"),
        Patch(
            facecolor="#1f4e9c",
            alpha=0.15,
            edgecolor="#1f4e9c",
            label="site footprint (cities it can reach)",
        ),
        Line2D([], [], color="#444444", label="raid ground track"),
    ]
    gm.ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    return gm.fig


def timeline(res: dict[str, list[Any]], arch: str) -> Figure | None:
    """Trial 0 of `arch`: one row per raid missile, from launch to impact, with detection,
    track, decision, first launch, first intercept and the outcome."""
    rows = [i for i, a in enumerate(res["architecture"]) if a == arch and res["trial"][i] == 0]
    if not rows:
        return None
    fig = Figure(figsize=(9.0, 0.32 * len(rows) + 1.3), layout="constrained")
    ax = fig.subplots()
    marks = [("detect_s", "o", "#1565c0", "detection"), ("track_s", "s", "#6a1b9a", "track"),
             ("decide_s", "D", "#ef6c00", "decision"),
             ("first_launch_s", ">", "#2e7d32", "first launch"),
             ("first_intercept_s", "X", "#000000", "first intercept")]  # fmt: skip
    for y, i in enumerate(rows):
        t0 = res["launch_time_s"][i]
        imp = res["impact_time_s"][i]
        t1 = t0 + (imp if imp is not None and math.isfinite(imp) else 0.0)
        killed = res["killed"][i]
        ax.plot([t0, t1], [y, y], color="#2e7d32" if killed else "#c62828", lw=2.0, alpha=0.5)
        for key, m, c, _ in marks:
            v = res[key][i]
            if v is not None and math.isfinite(v):
                ax.plot(t0 + v, y, marker=m, color=c, ms=5, ls="")
        if killed and res["kill_s"][i] is not None:
            ax.plot(t0 + res["kill_s"][i], y, marker="*", color="#2e7d32", ms=11, ls="")
    ax.set_yticks(range(len(rows)), [str(res["threat"][i]) for i in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("scenario time, s")
    ax.grid(axis="x", alpha=0.3)
    handles = [Line2D([], [], marker=m, color=c, ls="", label=lab) for _, m, c, lab in marks]
    handles += [
        Line2D([], [], marker="*", color="#2e7d32", ls="", ms=10, label="kill"),
        Line2D([], [], color="#c62828", lw=2, alpha=0.5, label="leaks (flight)"),
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper right", ncols=2)
    ax.set_title(f"{arch}: engagement timeline, trial 0", fontsize=10)
    return fig


# ------------------------------------------------------------------ the page


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:1.5em auto;
max-width:1200px;color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;
padding-bottom:.2em;margin-top:1.6em}table{border-collapse:collapse;font-size:.85em}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}td:first-child,td:nth-child(2),
th{text-align:left}.maps{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));
gap:.8em}.maps img,.wide img{width:100%;height:auto;border:1px solid #ddd}pre{background:#f6f6f6;
padding:.8em;overflow:auto;font-size:.8em;max-height:30em}.note{color:#555;font-size:.9em}
"""


def _ordered(summary: dict[str, Any]) -> list[str]:
    """The run's architectures in the canonical order (summary.json sorts its keys)."""
    return [a for a in ARCHITECTURES if a in summary["architectures"]] + sorted(
        a for a in summary["architectures"] if a not in ARCHITECTURES
    )


def _table(summary: dict[str, Any]) -> str:
    head = ("<tr><th>architecture</th><th>party</th><th>defended share</th><th>defended "
            "population (M)</th><th>threatened population (M)</th><th>dependency</th>"
            "<th>expected leakers / raid</th><th>interceptors / raid</th></tr>")  # fmt: skip

    def pct(x: Any) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    body = []
    for a in _ordered(summary):
        m = summary["architectures"][a]
        blocks = [(a, m["parties"])]
        if "partner_fails" in m:
            blocks.append((f"{a} (partner fails)", m["partner_fails"]))
        for label, parties in blocks:
            for p, pm in parties.items():
                body.append(
                    f"<tr><td>{html.escape(label)}</td><td>{html.escape(p)}</td>"
                    f"<td>{pct(pm['share_defended'])}</td>"
                    f"<td>{pm['population_defended'] / 1e6:.1f}</td>"
                    f"<td>{pm['population_threatened'] / 1e6:.1f}</td>"
                    f"<td>{pct(pm.get('dependency_share'))}</td>"
                    f"<td>{pm['expected_leakers']:.2f}</td>"
                    f"<td>{pm['interceptors_expended']:.2f}</td></tr>"
                )
    return f"<table>{head}{''.join(body)}</table>"


def _sources_table(sources: list[dict[str, str]]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(s['kind'])}</td><td>{html.escape(s['entry'])}</td>"
        f"<td>{html.escape(s['field'])}</td><td>{html.escape(s['value'])}</td>"
        f"<td style='text-align:left'>{html.escape(s['source'])}</td></tr>"
        for s in sources
    )
    return ("<table><tr><th>kind</th><th>entry</th><th>field</th><th>value</th><th>source</th>"
            f"</tr>{rows}</table>")  # fmt: skip


def build_report(run_dir: Path) -> str:
    """The HTML text of a run folder's report (reads only the folder's files)."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    geo = json.loads((run_dir / "geometry.json").read_text())
    cov = pq.read_table(run_dir / "coverage.parquet").to_pydict()
    res = pq.read_table(run_dir / "results.parquet").to_pydict()
    scenario_text = (run_dir / "scenario.yaml").read_text()
    archs = _ordered(summary)
    extent = _extent(geo, cov)
    maps = "".join(
        f'<figure><img alt="map: {html.escape(a)}" '
        f'src="{png_data_uri(architecture_map(geo, cov, a, extent))}"></figure>'
        for a in archs
    )
    timelines = []
    for a in archs:
        fig = timeline(res, a)
        if fig is not None:
            timelines.append(f'<div class="wide"><img alt="timeline: {html.escape(a)}" '
                             f'src="{png_data_uri(fig)}"></div>')  # fmt: skip
    sc = summary["scenario"]
    st = summary["study"]
    defs = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                   for k, v in summary.get("definitions", {}).items())  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bmdsim: {html.escape(sc["name"])}</title><link rel="icon" href="data:,">
<style>{CSS}</style></head>
<body>
<h1>{html.escape(sc.get("title") or sc["name"])}</h1>
<p class="note">Scenario <code>{html.escape(sc["name"])}</code>, {st["trials"]} trials, seed
{st["seed"]}, bmdsim {html.escape(summary["bmdsim_version"])}. Resolved scenario SHA-256
<code>{html.escape(sc["resolved_sha256"][:16])}</code>. Raid: {summary["threats"]["raid_missiles"]}
missiles; coverage probes: {summary["threats"]["coverage_probes"]}. The 3-D replay of the
raid is <code>globe.html</code> in this folder: <code>bmdsim view FOLDER</code> serves and opens
it.</p>
<h2>Comparison</h2>
{_table(summary)}
<ul class="note">{defs}</ul>
<h2>Maps: cities by defense probability</h2>
<p class="note">Each asset city within reach of the coverage threats, coloured by the
probability that one missile aimed at it alone is killed; parties' territories shaded (for
the sectoral architecture: the sectors, shaded by the party responsible, polygons hatched);
interceptor sites as triangles, each with its kinematic footprint (the hull of the asset
cities whose coverage threat it can intercept at all, whatever the cue); radar ranges against
a {geo["rv_rcs_m2"]:g} m&sup2; warhead dashed; the raid's ground tracks in grey.</p>
<div class="maps">{maps}</div>
<h2>Engagement timelines</h2>
<p class="note">Trial 0 of each architecture (a random draw: the other trials differ in
kills and message losses; results.parquet has them all). Times in the scenario clock.</p>
{"".join(timelines)}
<h2>Assumptions and sources</h2>
<p class="note">The catalog values used, with their sources ([V] seen in the source, [R]
recalled, [C] computed; "bmdsim assumption" marks our own choices).</p>
{_sources_table(geo["sources"])}
<h3>The scenario as run</h3>
<pre>{html.escape(scenario_text)}</pre>
</body></html>
"""
