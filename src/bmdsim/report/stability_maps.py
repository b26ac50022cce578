"""Pictures of the stability study: ICBM ground tracks over the Arctic coloured by the best
margin of the NATO interceptors, with the intercept windows drawn; margin against launch delay
per site."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from pyproj import Geod  # noqa: E402

from bmdsim.models.sites import get_site  # noqa: E402
from bmdsim.models.stability import StabilityData  # noqa: E402
from bmdsim.physics.earth import ecef_to_geodetic  # noqa: E402
from bmdsim.report.maps import base_map, plot_points, plot_track  # noqa: E402
from bmdsim.study.stability import StabilityResult  # noqa: E402

MARGIN_LIMIT_KM_S = 4.0
NATO_FILL = "#dfe8f5"


def _track(result: StabilityResult, j: int, t0: float, t1: float, step: float = 20.0
           ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    tr = result.flights.traj
    tt = np.arange(t0, t1, step)
    tt = np.append(tt, t1)
    r, _ = tr.at(np.broadcast_to(tt, (tr.size, tt.size)))
    la, lo, _ = ecef_to_geodetic(r[j], tr.earth)
    return np.degrees(la), np.degrees(lo)


def tracks_map(data: StabilityData, result: StabilityResult, interceptor: str | None = None,
               title: str | None = None) -> Figure:  # fmt: skip
    """Polar map: each base -> target ground track coloured by the best margin (km/s) over the
    sites, cues (and interceptors, unless one is named); grey where no grid speed reaches;
    thick where an interceptor can intercept (its window at the available speed)."""
    gm = base_map(extent="arctic", projection="polar", width_in=10.0, country_labels=False,
                  title=title)  # fmt: skip
    cmap = colormaps["RdYlBu_r"]
    norm = Normalize(-MARGIN_LIMIT_KM_S, MARGIN_LIMIT_KM_S)
    tr = result.flights.traj
    recs = [r for r in result.records if interceptor is None or r["interceptor"] == interceptor]
    for j in range(tr.size):
        b, t = result.flights.base[j], result.flights.target[j]
        mine = [r for r in recs if r["base"] == b and r["target"] == t]
        margins = [r["margin_km_s"] for r in mine if r["margin_km_s"] is not None]
        best = max(margins) if margins else None
        color = "0.6" if best is None else cmap(norm(best))
        la, lo = _track(result, j, 0.0, float(tr.impact_time_s[j]))
        plot_track(gm, la, lo, color=color, linewidth=1.4, alpha=0.9, zorder=4)
        for r in mine:
            if r["reachable"] and r["earliest_intercept_s"] is not None:
                wa, wo = _track(result, j, r["earliest_intercept_s"], r["latest_intercept_s"], 10.0)
                plot_track(gm, wa, wo, color=cmap(norm(r["margin_km_s"] or 0.0)), linewidth=4.5,
                           solid_capstyle="round", zorder=5)  # fmt: skip
    sites = sorted({c.site for c in result.combos})
    sl = [get_site(s) for s in sites]
    geod = Geod(ellps="WGS84")
    az = np.linspace(0.0, 360.0, 121)
    for (site, label), reach_ in result.reaches.items():  # each site's farthest reach
        if interceptor is not None and label != interceptor:
            continue
        s = get_site(site)
        lo, la, _ = geod.fwd(np.full(az.size, s.lon_deg.value), np.full(az.size, s.lat_deg.value),
                             az, np.full(az.size, reach_.max_range_km * 1e3))  # fmt: skip
        plot_track(gm, la, lo, color="#1f4e9c", linewidth=0.8, linestyle=":", alpha=0.8,
                   zorder=3)  # fmt: skip
    plot_points(gm, [s.lat_deg.value for s in sl], [s.lon_deg.value for s in sl], sites,
                marker="^", markerfacecolor="#1f4e9c", markersize=8, zorder=7)  # fmt: skip
    bases = list(dict.fromkeys(result.flights.base))
    plot_points(gm, [data.bases[b].lat_deg.value for b in bases],
                [data.bases[b].lon_deg.value for b in bases], bases, marker="o",
                markerfacecolor="#b22222", markersize=6, zorder=7)  # fmt: skip
    targets = list(dict.fromkeys(result.flights.target))
    plot_points(gm, [data.targets[t].lat_deg.value for t in targets],
                [data.targets[t].lon_deg.value for t in targets], targets, marker="*",
                markerfacecolor="black", markersize=10, zorder=7)  # fmt: skip
    gm.ax.legend(handles=[
        Line2D([], [], color="#1f4e9c", ls=":", label="site's farthest reach (any altitude)"),
        Line2D([], [], color=cmap(norm(1.0)), lw=4.5, label="intercept window"),
        Line2D([], [], marker="^", ls="", color="#1f4e9c", label="NATO site"),
        Line2D([], [], marker="o", ls="", color="#b22222", label="ICBM base"),
        Line2D([], [], marker="*", ls="", color="black", label="US target"),
    ], loc="lower left", fontsize=7, framealpha=0.9)  # fmt: skip
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = gm.fig.colorbar(sm, ax=gm.ax, shrink=0.6, pad=0.01)
    cb.set_label("best margin, km/s (burnout speed available - needed; grey: unreachable at any "
                 "speed)", fontsize=8)  # fmt: skip
    return gm.fig


def margin_delay_plot(curves: dict[str, np.ndarray], delays_s: np.ndarray,
                      title: str = "") -> Figure:  # fmt: skip
    """One panel per site: best margin over bases and targets against the interceptor's
    launch time after the ICBM launch, one line per interceptor."""
    by_site: dict[str, list[tuple[str, np.ndarray]]] = {}
    for key, y in curves.items():
        label, _, site = key.partition("@")
        by_site.setdefault(site, []).append((label, y))
    n = len(by_site)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows), layout="constrained")
    axes: Any = fig.subplots(rows, cols, squeeze=False)
    for ax, (site, lines) in zip(axes.ravel(), sorted(by_site.items()), strict=False):
        for label, y in lines:
            ax.plot(delays_s, y, marker=".", label=label)
        ax.axhline(0.0, color="k", lw=0.8)
        ax.set_title(site, fontsize=10)
        ax.set_xlabel("interceptor launch, s after the ICBM launch")
        ax.set_ylabel("best margin, km/s")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
