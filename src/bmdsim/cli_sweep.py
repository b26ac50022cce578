"""`bmdsim sweep` and `bmdsim query`: many scenario variants on any executor; SQL over the
results (docs/sweep.md)."""

from __future__ import annotations

import csv
import re
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bmdsim.cli_common import QuietOpt, console, err_console, fail, print_json


class ExecutorChoice(StrEnum):
    serial = "serial"
    processes = "processes"
    dask = "dask"


def _errors(lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code=2)


def _write_html(out: Path) -> Path:
    from bmdsim._io import write_text_atomic
    from bmdsim.sweep.html import build_sweep_html

    path = out / "sweep.html"
    write_text_atomic(path, build_sweep_html(out))
    return path


def sweep_cmd(
    sweep: Annotated[
        Path | None, typer.Argument(help="Sweep YAML file.", show_default=False)
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Sweep folder to write (or to resume).", show_default=False),
    ] = None,
    executor: Annotated[
        ExecutorChoice | None,
        typer.Option(
            "--executor", help="Where the points run (default: processes; dask with --scheduler)."
        ),  # fmt: skip
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes of processes / the Dask LocalCluster (default: the CPUs).",
        ),  # fmt: skip
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="An existing Dask cluster, tcp://HOST:PORT.", show_default=False
        ),  # fmt: skip
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the sweep in --out: run only the points not finished (or start it).",
        ),  # fmt: skip
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Rebuild DIR/sweep.html from a sweep folder and exit.",
            show_default=False,
        ),  # fmt: skip
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Run a sweep: a base scenario's variants along the axes, every architecture at every
    point, on serial, local processes or Dask; one Parquet file per finished point in --out
    (resumable), and sweep.html with the sensitivity plots."""
    from bmdsim.sweep import SweepError, load_sweep
    from bmdsim.sweep.driver import describe_point, run_sweep
    from bmdsim.sweep.executors import make_executor
    from bmdsim.sweep.points import build_plan
    from bmdsim.sweep.store import StoreError

    if report is not None:
        import duckdb

        if sweep is not None or out is not None:
            fail("--report DIR rebuilds a sweep folder's sweep.html: give no SWEEP or --out")
        try:
            path = _write_html(report)
        except (StoreError, OSError, ValueError, KeyError, duckdb.Error) as exc:
            fail(f"--report {report}: {exc}")
        console.print(f"report: {path}", highlight=False)
        return
    if sweep is None or out is None:
        fail("give the sweep file and --out DIR (or --report DIR)")
    kind = executor.value if executor is not None else ("dask" if scheduler else "processes")
    if scheduler is not None:
        if kind != "dask":
            fail(f"--scheduler is for --executor dask, not {kind}")
        if not re.match(r"^(tcp|tls)://[^\s:/]+:\d+/?$", scheduler):
            fail(f"--scheduler: expected tcp://HOST:PORT, got {scheduler!r}")
    try:
        loaded = load_sweep(sweep)
        plan = build_plan(loaded)
    except SweepError as exc:
        _errors(exc.lines)
    ex = make_executor(kind, workers, scheduler)
    prog = None
    if not quiet and err_console.is_terminal:
        prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                        console=err_console, transient=False)  # fmt: skip
    task: list[Any] = []

    def on_start(todo: int, done: int) -> None:
        if not quiet:
            err_console.print(f"sweep {plan.name}: {len(plan.points)} points, {done} done, "
                              f"{todo} to run on {ex.describe()}", highlight=False)  # fmt: skip
        if prog is not None:
            task.append(prog.add_task(plan.name, total=len(plan.points), completed=done))

    def on_point(_: Any) -> None:
        if prog is not None:
            prog.advance(task[0])

    def on_failure(spec: Any, f: Any) -> None:
        err_console.print(f"[bold red]error:[/] {describe_point(plan, spec)} failed: "
                          f"{f.message}", highlight=False)  # fmt: skip

    try:
        with prog if prog is not None else nullcontext():
            run = run_sweep(plan, out, ex, sweep_file=str(sweep), sweep_text=loaded.text,
                            base_file=loaded.base.path, base_text=loaded.base.text,
                            resume=resume, on_start=on_start, on_point=on_point,
                            on_failure=on_failure)  # fmt: skip
    except StoreError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the finished points are in {out}; continue with "
                          "--resume", highlight=False)  # fmt: skip
        raise typer.Exit(code=130) from None
    html = out / "sweep.html"
    if run.done_now or run.report_changed or not html.exists():  # else it is up to date
        html = _write_html(out)
    done = run.done_before + run.done_now
    rate = (
        f", {run.done_now / run.seconds:.2f} points/s" if run.seconds > 0 and run.done_now else ""
    )
    console.print(f"sweep {plan.name}: {done} of {run.total} points done ({run.done_now} now in "
                  f"{run.seconds:.1f} s{rate}); folder: {out}; report: {html}",
                  highlight=False)  # fmt: skip
    if not run.complete:
        nf = len(run.failed)
        err_console.print(f"[bold red]error:[/] {nf} point{'s' if nf != 1 else ''} failed, "
                          f"{run.not_run} not run (errors in {out / 'failed.json'}); fix the "
                          "cause and run again with --resume", highlight=False)  # fmt: skip
        raise typer.Exit(code=1)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def query_cmd(
    sweep_dir: Annotated[Path, typer.Argument(help="A sweep folder.", show_default=False)],
    sql: Annotated[
        str,
        typer.Argument(help="SQL over the tables results, threats and points.", show_default=False),
    ],  # fmt: skip
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of rows.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """SQL (DuckDB) over a sweep folder: `results` (point x architecture x party), `threats`
    (point x architecture x raid missile) and `points` (every point, finished or not)."""
    import duckdb

    from bmdsim.sweep.query import connect, run_query
    from bmdsim.sweep.store import StoreError

    if as_json and as_csv:
        fail("give --json or --csv, not both")
    try:
        con = connect(sweep_dir)
    except StoreError as exc:
        fail(str(exc))
    try:
        cols, rows = run_query(con, sql)
    except duckdb.Error as exc:
        fail(f"SQL: {str(exc).strip()}")
    if as_json:
        print_json([dict(zip(cols, r, strict=True)) for r in rows])
    elif as_csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cols)
        w.writerows(["" if v is None else v for v in r] for r in rows)
    else:
        t = Table(title=f"{len(rows)} rows")
        for c in cols:
            t.add_column(c)
        for r in rows:
            t.add_row(*(_cell(v) for v in r))
        Console(width=max(console.width, 120)).print(t)
