"""`bmdsim stability`: could NATO interceptors reach Russian ICBMs headed for the US?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from bmdsim.cli_common import console, err_console, fail, print_json

LAUNCH_TIMES_S = np.arange(0.0, 401.0, 20.0)


def stability_cmd(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write (replaced if it is an earlier stability folder).",
            show_default=False,
        ),
    ],
    preset: Annotated[
        str,
        typer.Option("--preset", help="Assumption set: us-mda or postol (catalog/stability.yaml)."),
    ] = "us-mda",
    phase: Annotated[
        int | None,
        typer.Option("--phase", min=1, max=4, help="PAA phase: its sites and interceptors only."),
    ] = None,
    interceptor: Annotated[
        list[str] | None,
        typer.Option(
            "--interceptor",
            help="Interceptor NAME or NAME:VARIANT (repeatable; default the SM-3 family).",
        ),
    ] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="Site (repeatable).")] = None,
    base: Annotated[
        list[str] | None, typer.Option("--base", help="ICBM base (repeatable).")
    ] = None,
    target: Annotated[
        list[str] | None, typer.Option("--target", help="US target (repeatable).")
    ] = None,
    launch_delay_s: Annotated[
        float | None,
        typer.Option(
            "--launch-delay-s", min=0.0, help="Override the preset's launch delay after the cue."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON.")] = False,
) -> None:
    """For each ICBM base x US target x NATO site x interceptor x cue: reachable or not, the
    margin (burnout speed available minus needed), the intercept window; maps and plots.

    Writes OUT/stability.json (the records), OUT/summary.json (assumptions and attrition per
    base), OUT/tracks.png (ICBM tracks over the Arctic coloured by margin) and
    OUT/margin-vs-delay.png (docs/stability.md)."""
    from bmdsim.models.interceptors import get_interceptor
    from bmdsim.models.sites import get_site
    from bmdsim.models.stability import load_stability
    from bmdsim.report.maps import save_png
    from bmdsim.report.run_folder import RunFolderError, check_out_folder, write_folder
    from bmdsim.report.stability_maps import margin_delay_plot, tracks_map
    from bmdsim.study.stability import attrition, margin_vs_delay, run_stability

    data = load_stability()
    if preset not in data.presets:
        fail(f"--preset: unknown {preset!r}; allowed: {', '.join(data.presets)}")
    for flag, given, known in (("--base", base, data.bases), ("--target", target, data.targets)):
        for g in given or []:
            if g not in known:
                fail(f"{flag}: unknown {g!r}; allowed: {', '.join(known)}")
    for s in site or []:
        try:
            get_site(s)
        except KeyError as exc:
            fail(f"--site: {exc}")
    for n in interceptor or []:
        name, _, var = n.partition(":")
        try:
            get_interceptor(name, variant=var or None)
        except KeyError as exc:
            fail(f"--interceptor: {exc}")
    try:
        check_out_folder(out, marker="stability.json")
    except RunFolderError as exc:
        fail(str(exc))
    say = (lambda m: err_console.print(f"[dim]{m}[/]", highlight=False)) if not as_json else None
    if launch_delay_s is not None and not np.isfinite(launch_delay_s):
        fail(f"--launch-delay-s: must be a finite number of seconds, got {launch_delay_s}")
    try:
        result = run_stability(data, preset, phase=phase, interceptors=interceptor, sites=site,
                               bases=base, targets=target, launch_delay_s=launch_delay_s,
                               progress=say)  # fmt: skip
    except ValueError as exc:
        fail(str(exc))
    p = data.presets[preset]
    curves = margin_vs_delay(result, LAUNCH_TIMES_S)
    summary = {
        "schema": "bmdsim.stability/1",
        "preset": preset,
        "preset_display_name": p.display_name,
        "assumptions": {
            "summary": " ".join(p.summary.split()),
            "source": " ".join(p.source.split()),
            "earth": p.earth,
            "icbm_shape": p.icbm_shape,
            "launch_delay_s": result.launch_delay_s,
            "cues": [c.model_dump() for c in p.cues],
            "burnout_speed_overrides_km_s": p.burnout_speed_km_s,
        },
        "phase": phase,
        "combos": [
            {"site": c.site, "interceptor": c.label, "burnout_speed_km_s": c.speed_km_s}
            for c in result.combos
        ],  # fmt: skip
        "records": len(result.records),
        "reachable_records": sum(r["reachable"] for r in result.records),
        "attrition": attrition(data, result),
        "margin_vs_launch_time": {
            "interceptor_launch_after_icbm_launch_s": LAUNCH_TIMES_S.tolist(),
            "best_margin_km_s": {
                k: [None if np.isnan(v) else round(float(v), 3) for v in y]
                for k, y in curves.items()
            },  # fmt: skip
        },
    }
    title = (f"{p.display_name}" + (f", PAA phase {phase}" if phase else "")
             + f": launch {result.launch_delay_s:g} s after the cue")  # fmt: skip

    def write(tmp: Path) -> None:
        (tmp / "stability.json").write_text(
            json.dumps(result.records, indent=1, allow_nan=False) + "\n"
        )
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n"
        )
        save_png(tracks_map(data, result, title=title), tmp / "tracks.png")
        save_png(margin_delay_plot(curves, LAUNCH_TIMES_S, f"{p.display_name}: best margin "
                                   "against the interceptor's launch time"),
                 tmp / "margin-vs-delay.png")  # fmt: skip

    write_folder(out, write, marker="stability.json")
    if as_json:
        print_json(result.records)
        return
    _print_table(result, summary)
    console.print(f"folder: {out} (stability.json, summary.json, tracks.png, "
                  "margin-vs-delay.png)", highlight=False)  # fmt: skip


def _print_table(result: Any, summary: dict[str, Any]) -> None:
    t = Table(title=f"{summary['preset_display_name']}: flights reachable per site, interceptor "
                    f"and cue (launch {result.launch_delay_s:g} s after the cue)")  # fmt: skip
    for c in (
        "site",
        "interceptor",
        "km/s",
        "cue",
        "reachable",
        "best margin km/s",
        "earliest intercept s",
        "alt km",
    ):
        t.add_column(c, justify="left" if c in ("site", "interceptor", "cue") else "right")
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in result.records:
        groups.setdefault((r["site"], r["interceptor"], r["cue"]), []).append(r)
    for (s, i, c), rs in groups.items():
        reach = [r for r in rs if r["reachable"]]
        margins = [r["margin_km_s"] for r in rs if r["margin_km_s"] is not None]
        early = min((r["earliest_intercept_s"] for r in reach), default=None)
        alt = next((r["earliest_intercept_alt_km"] for r in reach
                    if r["earliest_intercept_s"] == early), None)  # fmt: skip
        t.add_row(s, i, f"{rs[0]['burnout_speed_km_s']:.1f}", c, f"{len(reach)}/{len(rs)}",
                  "-" if not margins else f"{max(margins):+.2f}",
                  "-" if early is None else f"{early:.0f}",
                  "-" if alt is None else f"{alt:.0f}")  # fmt: skip
    Console(width=max(console.width, 120)).print(t)
    a = Table(title="attrition: warheads on trajectories some interceptor can reach")
    for c in ("base", "missile", "warheads", "reachable targets", "engageable (max)"):
        a.add_column(c)
    for row in summary["attrition"]:
        a.add_row(row["base"], row["missile"], str(row["warheads"]),
                  ", ".join(row["reachable_targets"]) or "-",
                  str(row["warheads_engageable_max"]))  # fmt: skip
    Console(width=max(console.width, 120)).print(a)
