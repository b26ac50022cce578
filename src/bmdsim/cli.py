"""Command-line interface (Typer): the `bmdsim` app and its commands (flyout, missiles, sensors,
interceptors, sites, engage, footprint,
validate, schema, run, compare, report, view, stability, sweep, query).

Errors in flags or values print one clear line and exit with code 2 (Typer's convention for
usage errors); nothing is written on failure.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from bmdsim import __version__
from bmdsim.cli_common import console, print_json

app = typer.Typer(
    name="bmdsim",
    help="Open, transparent simulator of cooperative ballistic missile defense architectures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"bmdsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version.")
    ] = False,
) -> None:
    """bmdsim: kinematics and system-level performance of missile defense, from public data."""


@app.command("missiles")
def missiles_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List the missile catalog with each missile's computed maximum range beside the cited one.

    Computed: minimum-energy (range-maximising) full-burn flight over the non-rotating WGS84
    Earth with J2 and drag, launched along the equator (docs/model/missiles.md)."""
    from bmdsim.models.missiles import load_missiles
    from bmdsim.physics.aiming import max_range_loft
    from bmdsim.physics.earth import EarthModel
    from bmdsim.physics.flyout import FlyoutSettings, vehicle_arrays

    cat = load_missiles()
    settings = FlyoutSettings(earth=EarthModel.wgs84(rotation=False), sample_dt_s=None)
    rows: list[dict[str, Any]] = []
    for m in cat.values():
        rmax, _ = max_range_loft(vehicle_arrays(m), 0.0, 0.0, np.pi / 2, settings=settings)
        computed = float(rmax[0]) / 1e3
        cited = m.cited_range_km.value
        rows.append(
            {
                "name": m.name,
                "display_name": m.display_name,
                "category": m.category,
                "country": m.country,
                "stages": len(m.stages),
                "propellant": m.propellant,
                "launch_mass_kg": round(m.total_mass_kg, 1),
                "payload_kg": m.payload_mass_kg.value,
                "ideal_delta_v_km_s": round(m.ideal_delta_v_m_s / 1e3, 3),
                "max_range_km": round(computed, 1),
                "cited_range_km": cited,
                "cited_range_source": m.cited_range_km.source,
                "range_ratio": round(computed / cited, 4),
            }
        )
    if as_json:
        print_json(rows)
        return
    t = Table(title="bmdsim missile catalog (computed: non-rotating WGS84 + J2, drag)")
    t.add_column("name", no_wrap=True)
    t.add_column("class")
    for col in (
        "stages",
        "mass t",
        "payload kg",
        "ideal dv km/s",
        "max range km",
        "cited km",
        "ratio",
    ):
        t.add_column(col, justify="right")
    for r in rows:
        t.add_row(
            r["name"], r["category"], str(r["stages"]), f"{r['launch_mass_kg'] / 1e3:.1f}",
            f"{r['payload_kg']:.0f}", f"{r['ideal_delta_v_km_s']:.2f}",
            f"{r['max_range_km']:,.0f}", f"{r['cited_range_km']:,.0f}", f"{r['range_ratio']:.2f}",
        )  # fmt: skip
    Console(width=max(console.width, 120)).print(t)


from bmdsim.cli_catalogs import interceptors_cmd, sensors_cmd, sites_cmd  # noqa: E402
from bmdsim.cli_engage import engage_cmd  # noqa: E402
from bmdsim.cli_flyout import flyout_cmd  # noqa: E402
from bmdsim.cli_footprint import footprint_cmd  # noqa: E402
from bmdsim.cli_precompile import precompile_cmd  # noqa: E402
from bmdsim.cli_run import compare_cmd, report_cmd, run_cmd, view_cmd  # noqa: E402
from bmdsim.cli_scenario import schema_cmd, validate_cmd  # noqa: E402
from bmdsim.cli_stability import stability_cmd  # noqa: E402
from bmdsim.cli_sweep import query_cmd, sweep_cmd  # noqa: E402

app.command("flyout")(flyout_cmd)
app.command("sensors")(sensors_cmd)
app.command("interceptors")(interceptors_cmd)
app.command("sites")(sites_cmd)
app.command("engage")(engage_cmd)
app.command("footprint")(footprint_cmd)
app.command("validate")(validate_cmd)
app.command("schema")(schema_cmd)
app.command("run")(run_cmd)
app.command("compare")(compare_cmd)
app.command("report")(report_cmd)
app.command("view")(view_cmd)
app.command("stability")(stability_cmd)
app.command("sweep")(sweep_cmd)
app.command("query")(query_cmd)
app.command("precompile")(precompile_cmd)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
