"""Shared end-to-end fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

COOP = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "coop.yaml"


@pytest.fixture(scope="session")
def coop_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`bmdsim compare` of the cooperation test scenario, 40 trials, seed 5: one run folder
    for the CLI tests and the browser tests (read-only for them, but for rebuilt pages)."""
    out = tmp_path_factory.mktemp("runs") / "coop"
    res = CliRunner().invoke(app, ["compare", str(COOP), "--out", str(out), "--trials", "40",
                                   "--seed", "5", "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "integrated" in res.output and "sectoral (partner fails)" in res.output
    return out
