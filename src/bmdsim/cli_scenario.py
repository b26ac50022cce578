"""`bmdsim validate` and `bmdsim schema`: check a scenario file; print the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bmdsim.cli_common import console
from bmdsim.scenario import LoadedScenario, ScenarioError, load_scenario


def scenario_fail(exc: ScenarioError) -> NoReturn:
    """Print a scenario's problems (one per line, file:line:col first) and exit with code 2."""
    for line in exc.lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code=2)


def load_or_fail(path: Path) -> LoadedScenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        scenario_fail(exc)


def validate_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
) -> None:
    """Check a scenario file: schema, catalog names, countries, cities, parties.

    Problems are printed as FILE:LINE:COL: field.path: message, and the exit code is 2."""
    loaded = load_or_fail(scenario)
    s = loaded.scenario
    n = sum(len(t.targets) * t.missiles_per_target for t in s.threats)
    console.print(
        f"{scenario}: ok: {s.name}: {len(s.parties)} parties, {len(s.sensors)} sensors, "
        f"{len(s.interceptor_sites)} interceptor sites, {n} threat missiles, "
        f"architecture {s.architecture}",
        highlight=False,
    )


def schema_cmd() -> None:
    """Print the JSON Schema of scenario files."""
    from bmdsim.scenario.schema import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))
