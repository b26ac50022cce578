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

from bmdsim.cli_common import QuietOpt, console, err_console, fail
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
    """(Re)build RUN_DIR/report.html, scene.czml and globe.html from the run folder's data
    alone (summary.json, geometry.json, coverage.parquet, results.parquet, trajectories.parquet,
    shots.parquet, scenario.yaml)."""
    from bmdsim._io import write_text_atomic
    from bmdsim.report.html import build_report
    from bmdsim.report.scene import write_scene

    need = ["summary.json", "geometry.json", "coverage.parquet", "results.parquet",
            "scenario.yaml"]  # fmt: skip
    missing = [n for n in need if not (run_dir / n).exists()]
    if missing:
        fail(f"{run_dir}: not a complete run folder (missing {', '.join(missing)})")
    try:
        text = build_report(run_dir)
    except (ValueError, KeyError, OSError) as exc:  # a damaged file of the folder
        fail(f"{run_dir}: cannot build the report from this folder: {exc}")
    write_text_atomic(run_dir / "report.html", text)
    if (run_dir / "trajectories.parquet").exists() and (run_dir / "shots.parquet").exists():
        try:
            write_scene(run_dir)
        except (ValueError, KeyError, OSError) as exc:
            fail(f"{run_dir}: cannot build the 3-D scene from this folder: {exc}")
        console.print(f"3-D replay: {run_dir / 'globe.html'} (bmdsim view {run_dir})",
                      highlight=False)  # fmt: skip
    else:
        console.print("no trajectories.parquet / shots.parquet (a folder of an older bmdsim): "
                      "no 3-D replay; run the study again for one", highlight=False)  # fmt: skip
    console.print(f"report: {run_dir / 'report.html'}", highlight=False)


def view_cmd(
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder of `bmdsim run` or `compare`.", show_default=False)
    ],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 0,
    page: Annotated[
        str, typer.Option(help="Page to open: globe.html (3-D replay) or report.html.")
    ] = "globe.html",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only serve; do not open a browser.")
    ] = False,
) -> None:
    """Serve RUN_DIR on localhost and open its 3-D replay (globe.html) or report.

    Cesium comes from a local copy when there is one ($BMDSIM_CESIUM_DIR, or .cesium/ from
    `make cesium`), served under /cesium/; otherwise globe.html loads the pinned public copy.
    Stop with Ctrl-C."""
    import time
    import webbrowser

    from bmdsim.report.serve import find_cesium, serve

    if not run_dir.is_dir():
        fail(f"{run_dir}: not a folder")
    if page not in ("globe.html", "report.html"):
        fail(f"--page: globe.html or report.html, got {page!r}")
    if not (run_dir / page).exists():
        fail(f"{run_dir}: has no {page} (is it a run folder? `bmdsim report {run_dir}` rebuilds "
             "the pages)")  # fmt: skip
    if not 0 <= port <= 65535:
        fail(f"--port: 0..65535, got {port}")
    cesium = find_cesium()
    try:
        server = serve(run_dir, port=port, cesium=cesium)
    except OSError as exc:
        fail(f"--port {port}: cannot listen on 127.0.0.1: {exc.strerror or exc}")
    bound = server.server_address[1]
    url = f"http://127.0.0.1:{bound}/"
    console.print(f"serving {run_dir} at {url}", highlight=False)
    console.print(f"  3-D replay: {url}globe.html\n  report:     {url}report.html", highlight=False)
    console.print("  Cesium: " + (f"local copy {cesium}" if cesium else
                                  "no local copy (`make cesium` installs one): the pinned public "
                                  "copy is loaded from the Internet"), highlight=False)  # fmt: skip
    if not no_browser:
        webbrowser.open(url + page)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
