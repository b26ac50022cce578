"""`bmdsim precompile`: after it, the studies and commands compile no kernel (decision 0021).

Under `make test` the kernels were precompiled before the suite started, so the command here
only loads them (seconds); run alone on an empty cache it compiles them (minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bmdsim.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "scenarios"

# In a fresh process: commands of the README (small variants), then the counts of kernels
# compiled and loaded in that process. `footprint` and `stability` are left out for time
# (28 s): they loaded no kernel that these do not (counted per command, 2026-11-27).
COMMANDS = """
import json, sys
from typer.testing import CliRunner
from bmdsim.cli import app
from bmdsim.precompile import cache_counts, reached
out, small = sys.argv[1], sys.argv[2]
for args in (
    ["missiles", "--json"],
    ["flyout", "--missile", "sejjil-2", "--launch", "35.23,53.92", "--target", "39.93,32.86",
     "--json"],
    ["flyout", "--missile", "topol-m", "--launch", "54.03,35.77", "--target", "51.5,-0.13",
     "--shape", "lofted", "--apogee-km", "2500", "--json"],
    ["flyout", "--burnout-speed-km-s", "7.2", "--min-energy", "--burnout-altitude-km", "0",
     "--earth", "sphere", "--no-rotation", "--no-drag", "--json"],
    ["engage", "--threat", "sejjil-2", "--launch", "35.23,53.92", "--target", "39.93,32.86",
     "--site", "deveselu", "--interceptor", "sm-3-iia", "--sensor", "an-tpy-2",
     "--launch-on-remote", "--json"],
    ["compare", small, "--trials", "10", "--out", out + "/run", "-q"],
):
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, (args, res.output)
compiled, loaded = cache_counts()
print(json.dumps({"compiled": compiled, "loaded": loaded, "kernels": sorted(reached())}))
"""


def test_precompile_then_every_command_loads_its_kernels(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["precompile", "--jobs", "2", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["jobs"] == 2 and len(report["tasks"]) == 5
    assert report["cache_dir"] == os.environ["NUMBA_CACHE_DIR"]
    env = dict(os.environ, BMDSIM_CACHE_DIR=str(tmp_path / "results-cache"))
    proc = subprocess.run(
        [sys.executable, "-c", COMMANDS, str(tmp_path), str(DATA / "small.yaml")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    # every kernel signature the commands used was one that precompile's tasks reached: this
    # holds whatever else filled the cache before (other tests, the other test process)
    precompiled = {k for t in report["tasks"] for k in t["kernels"]}
    assert set(counts["kernels"]) <= precompiled, set(counts["kernels"]) - precompiled
    # and, with precompile run first, nothing was left to compile
    assert counts["compiled"] == 0, counts["compiled"]
    assert counts["loaded"] >= 10, counts["loaded"]


def test_precompile_refuses_zero_jobs() -> None:
    res = CliRunner().invoke(app, ["precompile", "--jobs", "0"])
    assert res.exit_code == 2
    assert "--jobs: 0 is not allowed" in res.output


def test_each_task_comes_after_tasks_that_exist_and_precede_it() -> None:
    """The scheduler starts a task after the ones in its `after`; in one process it runs the
    tasks in order, so each of those must exist and come earlier."""
    from bmdsim.precompile import TASKS

    names = [t.name for t in TASKS]
    assert len(set(names)) == len(names)
    for i, t in enumerate(TASKS):
        assert set(t.after) <= set(names[:i]), t
