"""`bmdsim run` and `bmdsim compare`: a scenario's study in one architecture or all four."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bmdsim.cli_common import console, err_console, fail
from bmdsim.cli_scenario import load_or_fail
from bmdsim.scenario import LoadedScenario
from bmdsim.scenario.schema import ARCHITECTURES


class ArchitectureChoice(StrEnum):
    independent = "independent"
    coordinated = "coordinated"
    sectoral = "sectoral"
    integrated = "integrated"


OutOpt = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Run folder to write (replaced if it is an earlier run folder).",
        show_default=False,
    ),
]
TrialsOpt = Annotated[
    int | None,
    typer.Option(
        "--trials", min=1, max=1_000_000, help="Monte Carlo trials (default: the scenario's study)."
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", min=0, help="Seed (default: the scenario's study).")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]


def _progress(quiet: bool) -> Any:
    if quiet or not err_console.is_terminal:
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=err_console, transient=True)  # fmt: skip


def _study(loaded: LoadedScenario, archs: list[str], out: Path, trials: int | None,
           seed: int | None, quiet: bool, command: str, primary: str | None
           ) -> dict[str, Any]:  # fmt: skip
    from bmdsim.battle.engine import make_draws
    from bmdsim.battle.world import ThreatOutOfRangeError, build_world
    from bmdsim.report.run_folder import (
        RunFolderError,
        check_out_folder,
        run_info,
        summary,
        write_run_folder,
    )
    from bmdsim.scenario.load import locate
    from bmdsim.study.run import partner_fails, run_architecture

    try:
        check_out_folder(out)
    except RunFolderError as exc:
        fail(str(exc))
    scn = loaded.scenario
    study = scn.study.model_copy(update={k: v for k, v in (("trials", trials), ("seed", seed))
                                         if v is not None})  # fmt: skip
    scn = scn.model_copy(update={"study": study})
    loaded = LoadedScenario(scn, loaded.path, loaded.text)
    started, t_start = datetime.now(UTC), time.perf_counter()
    prog = _progress(quiet)
    with prog if prog is not None else nullcontext():
        step = prog.add_task("physics", total=None) if prog is not None else None

        def say(msg: str) -> None:
            if prog is not None and step is not None:
                prog.update(step, description=msg)
            elif not quiet:
                err_console.print(f"[dim]{msg}[/]", highlight=False)

        try:
            world = build_world(scn, progress=say)
        except ThreatOutOfRangeError as exc:
            for line in dict.fromkeys(exc.lines):  # once per target, not per missile
                typer.echo(f"error: {locate(loaded, line)}", err=True)
            raise typer.Exit(code=2) from None
        draws = make_draws(world, study.trials, study.seed)
        runs = {}
        pf = None
        for a in archs:
            bar = None
            if prog is not None:
                bar = prog.add_task(f"{a}: raid trials", total=study.trials)
            say(f"{a}")
            runs[a] = run_architecture(
                world, a, draws,
                progress=(lambda n, b=bar: prog.advance(b, n)) if bar is not None else None,
            )  # fmt: skip
            if a == "sectoral":
                say("sectoral: partner does not perform")
                pf = partner_fails(world, draws)
    summ = summary(loaded, world, runs, study.trials, study.seed, pf, primary)
    info = run_info(loaded, command, started, time.perf_counter() - t_start)
    try:
        write_run_folder(out, loaded, world, runs, summ, info)
    except RunFolderError as exc:
        fail(str(exc))
    return summ


def _table(summ: dict[str, Any]) -> Table:
    t = Table(title=f"{summ['scenario']['name']}: {summ['study']['trials']} trials, seed "
                    f"{summ['study']['seed']}")  # fmt: skip
    t.add_column("architecture", no_wrap=True)
    t.add_column("party", no_wrap=True)
    for c in (
        "defended share",
        "defended pop. M",
        "dependency",
        "leakers/raid",
        "interceptors/raid",
    ):
        t.add_column(c, justify="right")

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    for a, m in summ["architectures"].items():
        for p, pm in m["parties"].items():
            t.add_row(a, p, pct(pm["share_defended"]), f"{pm['population_defended'] / 1e6:.1f}",
                      pct(pm.get("dependency_share")), f"{pm['expected_leakers']:.2f}",
                      f"{pm['interceptors_expended']:.2f}")  # fmt: skip
        if "partner_fails" in m:
            for p, pm in m["partner_fails"].items():
                t.add_row(f"{a} (partner fails)", p, pct(pm["share_defended"]),
                          f"{pm['population_defended'] / 1e6:.1f}", "-",
                          f"{pm['expected_leakers']:.2f}",
                          f"{pm['interceptors_expended']:.2f}")  # fmt: skip
    return t


def run_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
    out: OutOpt,
    trials: TrialsOpt = None,
    seed: SeedOpt = None,
    architecture: Annotated[
        ArchitectureChoice | None,
        typer.Option("--architecture", "-a", help="Override the scenario's architecture."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Run a scenario's study in one architecture; write the run folder (summary.json,
    results.parquet, coverage.parquet, run.json)."""
    loaded = load_or_fail(scenario)
    arch = architecture.value if architecture is not None else loaded.scenario.architecture
    summ = _study(loaded, [arch], out, trials, seed, quiet, " ".join(["bmdsim", *sys.argv[1:]]),
                  arch)  # fmt: skip
    Console(width=max(console.width, 120)).print(_table(summ))
    console.print(f"run folder: {out}", highlight=False)


def compare_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
    out: OutOpt,
    trials: TrialsOpt = None,
    seed: SeedOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run all four architectures on the same scenario, seed and draws; print the comparison
    table and write it under `architectures` in summary.json."""
    loaded = load_or_fail(scenario)
    summ = _study(loaded, list(ARCHITECTURES), out, trials, seed, quiet,
                  " ".join(["bmdsim", *sys.argv[1:]]), None)  # fmt: skip
    Console(width=max(console.width, 120)).print(_table(summ))
    console.print(f"run folder: {out}", highlight=False)


def report_cmd(
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder of `bmdsim run` or `compare`.", show_default=False)
    ],
) -> None:
    """(Re)build RUN_DIR/report.html from the run folder's data alone (summary.json,
    geometry.json, coverage.parquet, results.parquet, scenario.yaml)."""
    import os
    import tempfile

    from bmdsim.report.html import build_report

    need = ["summary.json", "geometry.json", "coverage.parquet", "results.parquet",
            "scenario.yaml"]  # fmt: skip
    missing = [n for n in need if not (run_dir / n).exists()]
    if missing:
        fail(f"{run_dir}: not a complete run folder (missing {', '.join(missing)})")
    try:
        text = build_report(run_dir)
    except (ValueError, KeyError, OSError) as exc:  # a damaged file of the folder
        fail(f"{run_dir}: cannot build the report from this folder: {exc}")
    fd, tmp = tempfile.mkstemp(dir=run_dir, prefix=".report.", suffix=".html")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, run_dir / "report.html")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    console.print(f"report: {run_dir / 'report.html'}", highlight=False)
