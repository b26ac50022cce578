"""The 3-D replay of a run folder: ``scene.czml`` (CZML, written with czml3) and ``globe.html``
(a CesiumJS page that plays it), built from the folder's data alone.

What the scene holds (trial 0 of each architecture, the same draw the report's timelines show):

* interceptor sites and radars (points, labels, the radar's range against the scenario's
  warhead as a ground circle), coloured by party;
* per architecture, a parent entity ``arch/NAME`` (the page's chooser shows one at a time)
  with the raid missiles flying their computed trajectories (sampled every 10 s, Lagrange
  interpolation) until they are killed or land, each interceptor from launch to its intercept
  point, the intercepts (green: kill, yellow: miss) and the leakers' impacts (red).

The interceptor's path is *schematic*: the engine decides when it launches and where and when
it meets the threat (fly-out tables); between the two the page draws the great circle from the
site at constant ground speed with the altitude rising as ``h_i (2u - u^2)`` (u: the fraction
of the fly-out time). The missiles' paths are the flown trajectories.

Times: the scenario clock (0 at the raid's first launch) is mapped to a nominal epoch,
`EPOCH`; the date has no meaning.

``globe.html`` loads Cesium from ``cesium/`` beside it (``bmdsim view`` serves a local copy
there: ``make cesium`` installs CesiumJS from the npm registry) and otherwise from the pinned
public copy `CESIUM_CDN`; the imagery is the Natural Earth II image that ships with Cesium,
so no map service is contacted. Cesium needs the page served over HTTP (``bmdsim view DIR``).
"""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from czml3 import Document, Packet
from czml3.enums import InterpolationAlgorithms, LabelStyles
from czml3.properties import (
    Clock,
    Color,
    Ellipse,
    Label,
    Material,
    Point,
    PolylineMaterial,
    Position,
    SolidColorMaterial,
)
from czml3.properties import (
    Path as CzmlPath,
)
from czml3.types import Cartesian2Value, TimeInterval
from pyproj import Geod

from bmdsim._io import write_text_atomic
from bmdsim.architectures import ARCHITECTURES

__all__ = ["CESIUM_CDN", "CESIUM_VERSION", "EPOCH", "build_scene", "globe_html", "write_scene"]

#: The CesiumJS release the page is written for (npm `cesium`; 1.141+ needs Node >= 22).
CESIUM_VERSION = "1.140"
#: The pinned public copy, used when no local copy is served beside the page.
CESIUM_CDN = f"https://cesium.com/downloads/cesiumjs/releases/{CESIUM_VERSION}/Build/Cesium/"
#: Scenario time 0 (a nominal date: the scenarios have no calendar).
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

PARTY_RGB = [(31, 78, 156), (178, 34, 34), (46, 125, 50), (106, 27, 154)]
THREAT_RGB = (120, 20, 20)
KILL_RGB = (46, 160, 67)
MISS_RGB = (240, 200, 0)
IMPACT_RGB = (220, 30, 30)
_GEOD = Geod(ellps="WGS84")
LAGRANGE = InterpolationAlgorithms.LAGRANGE
OUTLINED = LabelStyles.FILL_AND_OUTLINE


def _rgba(rgb: tuple[int, int, int], a: int = 255) -> Color:
    return Color(rgba=[*rgb, a])


def _t(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=float(seconds))


def _interval(t0: float, t1: float) -> TimeInterval:
    return TimeInterval(start=_t(t0), end=_t(max(t1, t0 + 1e-3)))


def _label(text: str, rgb: tuple[int, int, int], dy: int) -> Label:
    return Label(text=text, font="bold 13px sans-serif", fillColor=_rgba(rgb),
                 outlineColor=_rgba((0, 0, 0)), outlineWidth=3.0, style=OUTLINED,
                 pixelOffset=Cartesian2Value(values=[0, dy]))  # fmt: skip


def _trail(rgb: tuple[int, int, int], width: float, trail_s: float) -> CzmlPath:
    return CzmlPath(width=width, leadTime=0.0, trailTime=trail_s, resolution=5.0,
                    material=PolylineMaterial(solidColor=SolidColorMaterial(
                        color=_rgba(rgb, 230))))  # fmt: skip


def interceptor_path(
    site_lat: float,
    site_lon: float,
    lat: float,
    lon: float,
    alt_m: float,
    t_launch: float,
    t_intercept: float,
    n: int = 24,
) -> list[float]:
    """Schematic fly-out as CZML ``[t, lon, lat, h, ...]`` (module docstring)."""
    u = np.linspace(0.0, 1.0, n)
    if site_lat == lat and site_lon == lon:
        lons, lats = np.full(n, lon), np.full(n, lat)
    else:
        pts = _GEOD.npts(site_lon, site_lat, lon, lat, n - 2)
        lons = np.array([site_lon, *(p[0] for p in pts), lon])
        lats = np.array([site_lat, *(p[1] for p in pts), lat])
    h = alt_m * (2 * u - u**2)
    t = t_launch + u * (t_intercept - t_launch)
    return [round(float(x), 5) for row in zip(t, lons, lats, h, strict=True) for x in row]


def _extent(geo: dict[str, Any]) -> list[float]:
    lats = [s["lat_deg"] for s in geo["sites"]]
    lons = [s["lon_deg"] for s in geo["sites"]]
    for t in geo["raid_tracks"]:
        lats += t["lat_deg"]
        lons += t["lon_deg"]
    if not lats:
        return [-12.0, 30.0, 60.0, 66.0]
    return [max(-180.0, min(lons) - 6), max(-89.0, min(lats) - 5), min(180.0, max(lons) + 6),
            min(89.0, max(lats) + 5)]  # fmt: skip


def build_scene(run_dir: Path) -> tuple[list[Packet], dict[str, Any]]:
    """The CZML packets of a run folder and what the page needs to know (architectures,
    extent, clock)."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    geo = json.loads((run_dir / "geometry.json").read_text())
    traj = pq.read_table(run_dir / "trajectories.parquet").to_pydict()
    shots = pq.read_table(run_dir / "shots.parquet").to_pydict()
    res = pq.read_table(run_dir / "results.parquet").to_pydict()
    parties = list(geo["parties"])

    def colour(party: str) -> tuple[int, int, int]:
        return PARTY_RGB[parties.index(party) % len(PARTY_RGB)] if party in parties else (0, 0, 0)

    samples: dict[str, list[tuple[float, float, float, float]]] = {}
    for k, name in enumerate(traj["threat"]):
        samples.setdefault(name, []).append((traj["t_s"][k], traj["lon_deg"][k],
                                             traj["lat_deg"][k], traj["alt_m"][k]))  # fmt: skip
    t_lo = min((v[0][0] for v in samples.values()), default=0.0)
    t_hi = max((v[-1][0] for v in samples.values()), default=600.0)
    archs = [a for a in ARCHITECTURES if a in summary["architectures"]]
    t_first = sorted(t for t, tr in zip(shots["intercept_s"], shots["trial"], strict=True)
                     if tr == 0)  # fmt: skip
    # open at the median first intercept less 20 s: missiles and interceptors in flight
    now = t_first[len(t_first) // 2] - 20.0 if t_first else (t_lo + t_hi) / 2
    packets = [Packet(
        id="document", name=f"bmdsim: {summary['scenario']['name']}", version="1.0",
        clock=Clock(interval=_interval(t_lo - 30.0, t_hi + 60.0), currentTime=_t(now),
                    multiplier=10.0),
    )]  # fmt: skip
    for s in geo["sites"]:
        packets.append(Packet(
            id=f"site/{s['key']}", name=f"{s['key']} ({s['interceptor']}, {s['party']})",
            description=html.escape(f"interceptor site: {s['interceptor']}, inventory "
                                    f"{s['inventory']}, party {s['party']}"),
            position=Position(cartographicDegrees=[s["lon_deg"], s["lat_deg"], 0.0]),
            point=Point(pixelSize=11.0, color=_rgba(colour(s["party"])),
                        outlineColor=_rgba((255, 255, 255)), outlineWidth=2.0),
            label=_label(s["key"], (255, 255, 255), -18),
        ))  # fmt: skip
    for s in geo["sensors"]:
        if s.get("lat_deg") is None:
            continue
        rng = s.get("range_vs_rv_km")
        ell = None
        if rng:
            c = colour(s["party"])
            ell = Ellipse(semiMajorAxis=rng * 1e3, semiMinorAxis=rng * 1e3, height=0.0,
                          fill=True, material=Material(solidColor=SolidColorMaterial(
                              color=_rgba(c, 25))),
                          outline=True, outlineColor=_rgba(c, 200))  # fmt: skip
        packets.append(Packet(
            id=f"sensor/{s['key']}", name=f"{s['key']} ({s['kind']}, {s['party']})",
            description=html.escape(f"{s['kind']} sensor, range against the warhead "
                                    f"{rng if rng else '-'} km"),
            position=Position(cartographicDegrees=[s["lon_deg"], s["lat_deg"], 0.0]),
            point=Point(pixelSize=7.0, color=_rgba((255, 255, 255)),
                        outlineColor=_rgba(colour(s["party"])), outlineWidth=2.0),
            ellipse=ell,
        ))  # fmt: skip
    # trial 0 outcome per (architecture, threat): when the missile's flight ends in the scene
    end: dict[tuple[str, str], tuple[float, bool]] = {}
    for k, a in enumerate(res["architecture"]):
        if res["trial"][k] != 0:
            continue
        t0 = res["launch_time_s"][k]
        killed = bool(res["killed"][k])
        rel = res["kill_s"][k] if killed else res["impact_time_s"][k]
        end[(a, res["threat"][k])] = (t0 + rel if rel is not None and math.isfinite(rel)
                                      else math.inf, killed)  # fmt: skip
    for a in archs:
        packets.append(Packet(id=f"arch/{a}", name=a))
        for name, smp in samples.items():
            t_end, killed = end.get((a, name), (math.inf, False))
            pts = [p for p in smp if p[0] <= t_end + 1e-6]
            if len(pts) < 2:
                continue
            t_stop = min(t_end, smp[-1][0])
            packets.append(Packet(
                id=f"arch/{a}/threat/{name}", parent=f"arch/{a}", name=name,
                description=html.escape(f"{name}: {'killed' if killed else 'leaks'} in trial 0 "
                                        f"under {a}"),
                availability=_interval(smp[0][0], t_stop),
                position=Position(epoch=EPOCH, interpolationAlgorithm=LAGRANGE,
                                  interpolationDegree=3,
                                  cartographicDegrees=[round(float(x), 5) for p in pts
                                                       for x in p]),
                point=Point(pixelSize=6.0, color=_rgba(THREAT_RGB)),
                path=_trail(THREAT_RGB, 2.0, 3000.0),
            ))  # fmt: skip
            if not killed:
                last = smp[-1]
                packets.append(Packet(
                    id=f"arch/{a}/impact/{name}", parent=f"arch/{a}", name=f"{name} lands",
                    availability=_interval(last[0], last[0] + 180.0),
                    position=Position(cartographicDegrees=[last[1], last[2], 0.0]),
                    point=Point(pixelSize=14.0, color=_rgba(IMPACT_RGB)),
                    label=_label("impact", IMPACT_RGB, 18),
                ))  # fmt: skip
        site_at = {s["key"]: s for s in geo["sites"]}
        for k in range(len(shots["architecture"])):
            if shots["architecture"][k] != a or shots["trial"][k] != 0:
                continue
            lat_i, lon_i = shots["intercept_lat_deg"][k], shots["intercept_lon_deg"][k]
            if lat_i is None or lon_i is None or not math.isfinite(lat_i):
                continue
            site = site_at[shots["site"][k]]
            t_l, t_i = shots["launch_s"][k], shots["intercept_s"][k]
            alt = shots["intercept_alt_km"][k] * 1e3
            c = colour(shots["site_party"][k])
            sid = f"arch/{a}/shot/{k}"
            what = f"{shots['site'][k]} -> {shots['threat'][k]}"
            packets.append(Packet(
                id=sid, parent=f"arch/{a}", name=f"interceptor {what}",
                description=html.escape(f"launched t = {t_l:.0f} s, intercept t = {t_i:.0f} s at "
                                        f"{alt / 1e3:.0f} km (schematic path)"),
                availability=_interval(t_l, t_i),
                position=Position(epoch=EPOCH, interpolationAlgorithm=LAGRANGE,
                                  interpolationDegree=2,
                                  cartographicDegrees=interceptor_path(
                                      site["lat_deg"], site["lon_deg"], lat_i, lon_i, alt, t_l,
                                      t_i)),
                point=Point(pixelSize=5.0, color=_rgba(c)),
                path=_trail(c, 1.5, 1000.0),
            ))  # fmt: skip
            hit = bool(shots["killed"][k])
            packets.append(Packet(
                id=f"{sid}/intercept", parent=f"arch/{a}",
                name=f"{'kill' if hit else 'miss'}: {what}",
                availability=_interval(t_i, t_i + 120.0),
                position=Position(cartographicDegrees=[lon_i, lat_i, alt]),
                point=Point(pixelSize=13.0, color=_rgba(KILL_RGB if hit else MISS_RGB),
                            outlineColor=_rgba((0, 0, 0)), outlineWidth=1.0),
                label=_label("kill" if hit else "miss", KILL_RGB if hit else MISS_RGB, -18),
            ))  # fmt: skip
    meta = {"architectures": archs, "extent_deg": _extent(geo),
            "title": summary["scenario"].get("title") or summary["scenario"]["name"]}  # fmt: skip
    return packets, meta


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bmdsim 3-D replay: __TITLE__</title>
<link rel="icon" href="data:,">
<script>window.CESIUM_BASE_URL = "cesium/";</script>
<script src="cesium/Cesium.js"></script>
<script>
/* no local copy beside the page (`bmdsim view` serves one when `make cesium` installed it):
   the pinned public release */
if (typeof Cesium === "undefined") {
  window.CESIUM_BASE_URL = "__CDN__";
  document.write('<link rel="stylesheet" href="__CDN__Widgets/widgets.css">');
  document.write('<script src="__CDN__Cesium.js"><\\/script>');
} else {
  document.write('<link rel="stylesheet" href="cesium/Widgets/widgets.css">');
}
</script>
<style>
html,body,#globe{width:100%;height:100%;margin:0;padding:0;overflow:hidden;
font-family:system-ui,sans-serif}
#panel{position:absolute;top:8px;left:8px;z-index:10;background:rgba(30,30,30,.85);color:#eee;
padding:8px 10px;border-radius:4px;font-size:13px;max-width:24em}
#panel select{font-size:13px}#panel p{margin:.3em 0}.k{display:inline-block;width:.8em;height:.8em;
border-radius:50%;margin-right:.3em;vertical-align:middle}
</style></head>
<body>
<div id="globe"></div>
<div id="panel">
<b>__TITLE__</b>
<p>architecture <select id="arch">__OPTIONS__</select></p>
<p><span class="k" style="background:rgb(120,20,20)"></span>missile (computed trajectory)
<br><span class="k" style="background:rgb(31,78,156)"></span>interceptor (schematic path)
<br><span class="k" style="background:rgb(46,160,67)"></span>kill
<span class="k" style="background:rgb(240,200,0)"></span>miss
<span class="k" style="background:rgb(220,30,30)"></span>impact</p>
<p style="font-size:11px">Trial 0 of the run; radar ranges against the warhead as circles.
Press play (bottom left) or drag the timeline.</p>
<p id="status">loading...</p>
</div>
<script>
(async function () {
  const status = document.getElementById("status");
  try {
    const viewer = new Cesium.Viewer("globe", {
      baseLayer: Cesium.ImageryLayer.fromProviderAsync(
        Cesium.TileMapServiceImageryProvider.fromUrl(
          Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
      baseLayerPicker: false, geocoder: false, navigationHelpButton: false,
      fullscreenButton: false, sceneModePicker: true, homeButton: true,
      /* draw a frame only when something changes (the camera, the clock while playing):
         light on a machine without a GPU */
      requestRenderMode: true, maximumRenderTimeChange: 0.0, skyBox: false,
    });
    viewer.scene.globe.showGroundAtmosphere = false;
    window.viewer = viewer;
    const ext = __EXTENT__;
    viewer.camera.setView({destination: Cesium.Rectangle.fromDegrees(...ext)});
    const ds = await Cesium.CzmlDataSource.load("scene.czml");
    await viewer.dataSources.add(ds);
    const select = document.getElementById("arch");
    function choose() {
      for (const e of ds.entities.values) {
        if (e.id.startsWith("arch/") && e.id.split("/").length === 2) {
          e.show = e.id === "arch/" + select.value;
        }
      }
    }
    select.addEventListener("change", () => { choose(); viewer.scene.requestRender(); });
    choose();
    status.textContent = ds.entities.values.length + " entities";
    window.bmdsimReady = true;
  } catch (err) {
    status.textContent = "error: " + err;
    console.error(err);
  }
})();
</script>
</body></html>
"""


def globe_html(meta: dict[str, Any]) -> str:
    """The page that plays ``scene.czml`` (module docstring)."""
    options = "".join(f'<option value="{html.escape(a)}">{html.escape(a)}</option>'
                      for a in meta["architectures"])  # fmt: skip
    return (_PAGE.replace("__TITLE__", html.escape(meta["title"]))
            .replace("__CDN__", CESIUM_CDN).replace("__OPTIONS__", options)
            .replace("__EXTENT__", json.dumps(meta["extent_deg"])))  # fmt: skip


def write_scene(run_dir: Path) -> None:
    """Write ``scene.czml`` and ``globe.html`` into a run folder (from its data), each
    atomically; both are built before either is written."""
    run_dir = Path(run_dir)
    packets, meta = build_scene(run_dir)
    czml, page = Document(packets=packets).dumps(), globe_html(meta)
    write_text_atomic(run_dir / "scene.czml", czml)
    write_text_atomic(run_dir / "globe.html", page)
