"""`sweep.html`: the sensitivities of a sweep, built from the sweep folder's data alone.

For each party (sweep file ``report.parties``) and metric (``report.metrics``):

* one panel per axis: the metric against the axis value, one line per architecture: the mean
  over the points with that value (so over every combination of the other axes), with the
  band from the smallest to the largest of those points. A Latin-hypercube axis (or any
  numeric axis with more than `MAX_LEVELS` values) is cut into `BINS` bins of equal counts,
  plotted at their mean value;
* a tornado chart: per axis and architecture, the swing of the metric over the axis (the
  largest minus the smallest of the axis-conditional means above); the axes sorted by their
  largest swing, so the axis that matters most is on top.

Self-contained: pictures inline (base64 PNG), no script, no external URL.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from bmdsim.report.html import CSS, png_data_uri
from bmdsim.sweep.query import connect
from bmdsim.sweep.store import read_manifest
from bmdsim.sweep.tables import PARTNER_FAILS

__all__ = ["build_sweep_html"]

ARCH_STYLE = {
    "independent": ("#757575", "-"),
    "coordinated": ("#1f4e9c", "-"),
    "sectoral": ("#ef6c00", "-"),
    PARTNER_FAILS: ("#ef6c00", "--"),
    "integrated": ("#2e7d32", "-"),
}
MAX_LEVELS = 12
BINS = 6
LABELS = {
    "share_defended": "share of the threatened population defended",
    "population_defended": "population defended",
    "cities_defended": "cities defended",
    "dependency_share": "share of the defended population that depends on the partner",
    "expected_leakers": "raid missiles leaking (mean per raid)",
    "interceptors_expended": "interceptors fired (mean per raid)",
    "earliest_intercept_s": "earliest intercept, s",
    "latest_intercept_s": "latest intercept, s",
}


def _levels(x: list[Any], kind: str) -> tuple[np.ndarray, list[str] | None, np.ndarray]:
    """(level of each point, level labels for a categorical axis or None, level x positions)."""
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in x)
    if not numeric or (kind != "latin_hypercube" and len(set(x)) <= MAX_LEVELS):
        uniq = sorted(set(x), key=lambda v: (str(type(v)), v))
        idx = np.array([uniq.index(v) for v in x])
        if numeric:
            return idx, None, np.array([float(v) for v in uniq])
        return idx, [str(v) for v in uniq], np.arange(len(uniq), dtype=float)
    xs = np.asarray(x, dtype=float)
    b = min(BINS, len(set(x)))
    ranks = np.argsort(np.argsort(xs, kind="stable"), kind="stable")
    idx = (ranks * b) // max(len(xs), 1)
    return idx, None, np.array([xs[idx == k].mean() for k in range(b)])


def _conditional(y: np.ndarray, idx: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    mean, lo, hi = (np.full(n, np.nan) for _ in range(3))
    for k in range(n):
        v = y[(idx == k) & np.isfinite(y)]
        if v.size:
            mean[k], lo[k], hi[k] = v.mean(), v.min(), v.max()
    return mean, lo, hi


def _data(con: Any, m: dict[str, Any], party: str
          ) -> tuple[list[str], dict[str, dict[int, dict[str, Any]]]]:  # fmt: skip
    """Architectures, and per architecture: point -> {metric: value} for `party`."""
    metrics = m["report"]["metrics"]
    cols = ", ".join(f'"{c}"' for c in metrics)
    sql = f"SELECT point, architecture, {cols} FROM results WHERE party = ? ORDER BY ALL"
    rows = con.execute(sql, [party]).fetchall()
    by: dict[str, dict[int, dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r[1], {})[r[0]] = dict(zip(metrics, r[2:], strict=True))
    order = [a for a in ARCH_STYLE if a in by] + sorted(a for a in by if a not in ARCH_STYLE)
    return order, by


def _figures(m: dict[str, Any], archs: list[str], data: dict[str, Any], metric: str
             ) -> tuple[Figure, Figure, list[tuple[str, str, float]]]:  # fmt: skip
    axes = m["axes"]
    values = {p["point"]: p["values"] for p in m["points"]}
    n_ax = len(axes)
    ncols = min(3, n_ax)
    nrows = -(-n_ax // ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.2 * nrows + 0.6), layout="constrained")
    grid = fig.subplots(nrows, ncols, squeeze=False)
    swings: list[tuple[str, str, float]] = []
    for k, ax_def in enumerate(axes):
        ax = grid[k // ncols][k % ncols]
        for arch in archs:
            pts = sorted(data[arch])
            if not pts:
                continue
            x = [values[p][k] for p in pts]
            y = np.array([np.nan if data[arch][p][metric] is None else data[arch][p][metric]
                          for p in pts], dtype=float)  # fmt: skip
            idx, labels, pos = _levels(x, ax_def["kind"])
            mean, lo, hi = _conditional(y, idx, pos.size)
            colour, ls = ARCH_STYLE.get(arch, ("#000000", ":"))
            ok = np.isfinite(mean)
            if not ok.any():
                continue
            ax.plot(pos[ok], mean[ok], ls=ls, marker="o", ms=3.5, color=colour, label=arch)
            ax.fill_between(pos[ok], lo[ok], hi[ok], color=colour, alpha=0.10, lw=0)
            if labels is not None:
                ax.set_xticks(pos, labels, fontsize=7, rotation=20)
            swings.append((ax_def["name"], arch, float(np.nanmax(mean) - np.nanmin(mean))))
        ax.set_xlabel(ax_def["name"], fontsize=9)
        ax.set_ylabel(metric, fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for k in range(n_ax, nrows * ncols):
        grid[k // ncols][k % ncols].set_visible(False)
    handles, labels_ = grid[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels_, loc="outside upper center", ncols=len(handles), fontsize=8)
    return fig, _tornado(axes, archs, swings, metric), swings


def _tornado(axes: list[dict[str, Any]], archs: list[str],
             swings: list[tuple[str, str, float]], metric: str) -> Figure:  # fmt: skip
    by = {(a, arch): s for a, arch, s in swings}
    names = [a["name"] for a in axes]
    names.sort(key=lambda a: max((by.get((a, r), 0.0) for r in archs), default=0.0))
    fig = Figure(figsize=(8.0, 0.55 * len(names) * max(1, len(archs)) / 2 + 1.4),
                 layout="constrained")  # fmt: skip
    ax = fig.subplots()
    h = 0.8 / max(1, len(archs))
    for j, arch in enumerate(archs):
        colour, ls = ARCH_STYLE.get(arch, ("#000000", ":"))
        ys = np.arange(len(names)) + 0.4 - h * (j + 0.5)  # the first architecture on top
        ax.barh(ys, [by.get((n, arch), 0.0) for n in names], height=h * 0.9, color=colour,
                alpha=0.55 if ls == "--" else 0.9, hatch="//" if ls == "--" else None,
                label=arch)  # fmt: skip
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel(f"swing of {metric} over the axis (max - min of the axis-conditional mean)",
                  fontsize=8)  # fmt: skip
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"Which axis matters most: {metric}", fontsize=10)
    return fig


def _summary_table(archs: list[str], data: dict[str, Any], metrics: list[str]) -> str:
    head = "<tr><th>architecture</th>" + "".join(
        f"<th>{html.escape(mt)}: mean [min, max]</th>" for mt in metrics) + "</tr>"  # fmt: skip
    body = []
    for arch in archs:
        cells = []
        for mt in metrics:
            v = np.array([r[mt] for r in data[arch].values() if r[mt] is not None], dtype=float)
            cells.append(f"<td>{v.mean():.4g} [{v.min():.4g}, {v.max():.4g}]</td>" if v.size
                         else "<td>-</td>")  # fmt: skip
        body.append(f"<tr><td>{html.escape(arch)}</td>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _section(m: dict[str, Any], archs: list[str], data: dict[str, Any], metric: str,
             party: str) -> str:  # fmt: skip
    fig, tornado, _ = _figures(m, archs, data, metric)
    what = html.escape(f"{metric} ({party})")
    return (
        f"<h2>{what}</h2>"
        f"<p class='note'>{html.escape(LABELS.get(metric, metric))}, {html.escape(party)}. One "
        "panel per axis: the mean over the points with that axis value (every combination of "
        "the other axes), the band from their smallest to their largest value.</p>"
        f'<div class="wide"><img alt="{what} against each axis" src="{png_data_uri(fig)}"></div>'
        f'<div class="wide"><img alt="tornado: {what}" src="{png_data_uri(tornado)}"></div>'
    )


def build_sweep_html(out: Path) -> str:
    """The HTML text of a sweep folder's report (reads only the folder's files)."""
    out = Path(out)
    m = read_manifest(out)
    con = connect(out)
    total = len(m["points"])
    done = con.sql("SELECT count(DISTINCT point) FROM results").fetchall()[0][0]
    d = m["definition"]
    parties = m["report"]["parties"]
    sections, tables = [], []
    for party in parties:
        archs, data = _data(con, m, party)
        if not archs:
            continue
        tables.append(f"<h3>{html.escape(party)}</h3>"
                      f"{_summary_table(archs, data, m['report']['metrics'])}")  # fmt: skip
        for metric in m["report"]["metrics"]:
            sections.append(_section(m, archs, data, metric, party))
    axes_rows = "".join(
        f"<tr><td>{html.escape(a['name'])}</td><td>{html.escape(', '.join(a['paths']))}</td>"
        f"<td>{html.escape(a['kind'])}</td><td>{len(set(map(repr, a['values'])))}</td></tr>"
        for a in m["axes"]
    )
    seeds = ("common random numbers: every point uses the seed" if d["common_random_numbers"]
             else "one seed per point from the sweep seed")  # fmt: skip
    sweep_text = (out / "sweep.yaml").read_text() if (out / "sweep.yaml").exists() else ""
    incomplete = ("" if done == total else f"<p><b>Incomplete: {done} of {total} points are "
                  "finished</b> (the plots use those; `bmdsim sweep ... --resume` runs the "
                  "rest).</p>")  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bmdsim sweep: {html.escape(m["name"])}</title><style>{CSS}</style></head>
<body>
<h1>{html.escape(m.get("title") or m["name"])}</h1>
<p class="note">Sweep <code>{html.escape(m["name"])}</code> on base scenario
<code>{html.escape(Path(m["base_file"]).name)}</code>: {total} points x
{len(d["architectures"])} architectures, {d["trials"]} trials per point, seed {d["seed"]}
({seeds}). bmdsim
{html.escape(m["versions"]["bmdsim"])}.</p>
{incomplete}
<h2>Axes</h2>
<table><tr><th>axis</th><th>scenario field(s)</th><th>kind</th><th>values</th></tr>
{axes_rows}</table>
<h2>Over all points</h2>
{"".join(tables)}
{"".join(sections)}
<h2>The sweep file</h2>
<pre>{html.escape(sweep_text)}</pre>
<p class="note">Query the numbers: <code>bmdsim query {html.escape(str(out))} "SELECT ...
FROM results"</code> (docs/sweep.md).</p>
</body></html>
"""
