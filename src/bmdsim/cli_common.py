"""Shared pieces of the command-line modules: consoles, choices, parsing and output helpers.

Errors in flags or values print one clear line and exit with code 2 (Typer's convention for
usage errors); nothing is written on failure.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

#: The `--quiet/-q` option of the commands that show a progress display.
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]


class EarthChoice(StrEnum):
    wgs84 = "wgs84"
    sphere = "sphere"


class ShapeChoice(StrEnum):
    minimum_energy = "minimum-energy"
    lofted = "lofted"
    depressed = "depressed"


class SteeringChoice(StrEnum):
    gravity_turn = "gravity-turn"
    pitch_program = "pitch-program"


def fail(message: str) -> NoReturn:
    """Print a usage error and exit with code 2."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code=2)


def parse_latlon(text: str, flag: str) -> tuple[float, float]:
    """'LAT,LON' in degrees -> (lat, lon); a clear error otherwise."""
    parts = text.split(",")
    if len(parts) != 2:
        fail(f"{flag}: expected LAT,LON in degrees (e.g. 35.7,51.4), got {text!r}")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        fail(f"{flag}: expected two numbers LAT,LON in degrees, got {text!r}")
    if not -90.0 <= lat <= 90.0:
        fail(f"{flag}: latitude {lat} is outside [-90, 90] degrees")
    if not -180.0 <= lon <= 360.0:
        fail(f"{flag}: longitude {lon} is outside [-180, 360] degrees")
    return lat, lon


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _km(x: float) -> float | None:
    v = _finite(x)
    return None if v is None else round(v / 1e3, 6)


def print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, allow_nan=False))
