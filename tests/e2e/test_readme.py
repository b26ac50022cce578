"""The README's examples run as written: every `.venv/bin/bmdsim ...` line of its shell blocks
(in-process, through the same Typer app) and its Python block."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

# one process, in README order, under `make test`'s workers: a later line (`bmdsim view
# runs/paa-phase-3`) reads what an earlier one wrote
pytestmark = pytest.mark.xdist_group("readme")

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT = README.read_text()
SH_LINES = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", TEXT, flags=re.S)
    for line in block.splitlines()
    if line.strip().startswith(".venv/bin/bmdsim")
]
PY_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def test_readme_has_examples() -> None:
    assert len(SH_LINES) >= 5 and PY_BLOCKS
    assert "make demo" in TEXT and "make test" in TEXT


@pytest.mark.parametrize("line", SH_LINES)
def test_readme_command_runs(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
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


@pytest.mark.parametrize("code", PY_BLOCKS)
def test_readme_python_runs(code: str) -> None:
    exec(compile(code, str(README), "exec"), {})
