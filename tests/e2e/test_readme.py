"""The README's examples run as written: every `.venv/bin/bmdsim ...` line of its shell blocks
(in-process, through the same Typer app) and its Python block."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT = README.read_text()
SH_LINES = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", TEXT, flags=re.S)
    for line in block.splitlines()
    if line.strip().startswith(".venv/bin/bmdsim")
]
PY_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def _chains(lines: list[str]) -> list[list[str]]:
    """The lines in README order, a line that names a folder an earlier line wrote (`--out
    DIR`) chained after that line: each chain is one test, its lines run in order. The tests
    run in parallel processes, and pytest-xdist's `xdist_group` no longer keeps a group in one
    process under pytest 9.2 (it sets `item._nodeid`, which pytest 9.2 no longer reads), so a
    reader in a test of its own could run before its writer finished."""
    chains: list[list[str]] = []
    writer: dict[str, list[str]] = {}
    for line in lines:
        args = shlex.split(line)[1:]
        chain = next((writer[a] for a in args if a in writer), None)
        if chain is None:
            chain = []
            chains.append(chain)
        chain.append(line)
        if "--out" in args:
            writer[args[args.index("--out") + 1]] = chain
    return chains


CHAINS = _chains(SH_LINES)


def test_readme_has_examples() -> None:
    assert len(SH_LINES) >= 5 and PY_BLOCKS
    assert "make demo" in TEXT and "make test" in TEXT


def test_readme_view_line_follows_the_compare_that_writes_its_folder() -> None:
    view = [c for c in CHAINS if any(" view " in line for line in c)]
    assert view and all(" --out " in c[0] for c in view)
    assert sum(len(c) for c in CHAINS) == len(SH_LINES)


def _run_line(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    args = shlex.split(line)[1:]
    if args[0] == "view":  # serves until Ctrl-C: no browser here, and Ctrl-C at once
        import time

        def ctrl_c(_: float) -> None:
            raise KeyboardInterrupt

        args.append("--no-browser")
        monkeypatch.setattr(time, "sleep", ctrl_c)
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, f"{line}\n{res.output}"
    if args[0] == "view":
        assert "globe.html" in res.output and "serving" in res.output


@pytest.mark.parametrize("chain", CHAINS, ids=[c[0] for c in CHAINS])
def test_readme_command_runs(chain: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for line in chain:
        _run_line(line, monkeypatch)


@pytest.mark.parametrize("code", PY_BLOCKS)
def test_readme_python_runs(code: str) -> None:
    exec(compile(code, str(README), "exec"), {})
