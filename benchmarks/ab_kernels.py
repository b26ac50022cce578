#!/usr/bin/env python
"""Paired A/B timing of the flight kernel: this checkout against the kernel of a git revision.

    .venv/bin/python benchmarks/ab_kernels.py --rev HEAD~3            # all three modes
    .venv/bin/python benchmarks/ab_kernels.py --rev f1926d0 --mode full_with_boost --threads 2

On these 2-vCPU machines two runs of `make bench` differ by 15 % or more, so a kernel change of a
few per cent cannot be seen by comparing runs. This script flies the benchmark's batches
(`run.py`'s cases, same seeds) with the old and the new kernel alternately in one process, the
order swapped every pair, and prints the median time per flight of each and the median of the
pairwise speed-ups (old time / new time) with the spread of the middle pairs. It also prints the
largest distance between the two kernels' impact points: 0 means bit-identical impacts.

The old kernel is `src/bmdsim/physics/{_integrator,earth,atmosphere}.py` at REV, written to a
temporary package with their imports of each other rewritten, and flown through this
checkout's `flyout` wrapper (`flyout._k` swapped). So REV's `propagate_batch` must take the same
argument tuples as this checkout's: true from decision 0011 on. Batches that REV's SIMD lanes did
not fly (all before decision 0015; with drag or stages before decision 0017) fly on its
`propagate_batch`, as they did in REV.
Both kernels are compiled first (about 30-40 s each for a revision not yet in numba's cache, and
about 20 s more for the lanes); that is not timed.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numba
import numpy as np
import run as bench  # benchmarks/ is on sys.path when this script runs

from bmdsim.physics import _integrator as new_kernel
from bmdsim.physics import flyout

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("_integrator", "earth", "atmosphere")
MODES = ("vacuum", "full_free_flight", "full_with_boost")


def old_kernel(rev: str, where: Path) -> ModuleType:
    """REV's kernel modules as the package `bmdsim_ab_<sha>` in `where`; returns its integrator."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=10", rev],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    pkg = f"bmdsim_ab_{sha}"
    (where / pkg).mkdir()
    (where / pkg / "__init__.py").write_text("")
    for name in MODULES:
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{sha}:src/bmdsim/physics/{name}.py"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        for other in MODULES:
            src = src.replace(f"bmdsim.physics.{other} import", f"{pkg}.{other} import")
        (where / pkg / f"{name}.py").write_text(src)
    sys.path.insert(0, str(where))
    mod = importlib.import_module(f"{pkg}._integrator")
    # This checkout's `flyout` sends every batch without samples to `propagate_free_lanes`. An
    # older kernel's lanes flew less (none before decision 0015; free flights without drag
    # until decision 0017's first half, `_L_IB`; no stages until its second, `_fly_one`'s
    # `hand`, or the powered lanes, `_P_ROWS`); what they do not fly goes to its scalar batch
    # kernel, which takes the same arguments, as that revision's own `flyout` did.
    lanes = getattr(mod, "propagate_free_lanes", None)
    lanes_drag = hasattr(mod, "_L_IB")
    lanes_stages = hasattr(mod, "_P_ROWS") or (
        "hand" in inspect.signature(mod._fly_one.py_func).parameters
    )

    def dispatch(inp: tuple, out: tuple, opt: tuple, earth: np.ndarray, tol: np.ndarray) -> None:
        fits = lanes is not None and (lanes_drag or not opt[1])
        fits = fits and (lanes_stages or not np.any(inp[2]))
        (lanes if fits else mod.propagate_batch)(inp, out, opt, earth, tol)

    mod.propagate_free_lanes = dispatch
    return mod


def make_case(mode: str, n: int | None) -> bench.Case:
    seed = bench.DEFAULT_SEED  # the seeds of `make bench`'s three modes
    if mode == "vacuum":
        return bench.free_flight_case(mode, n or 20000, False, seed)
    if mode == "full_free_flight":
        return bench.free_flight_case(mode, n or 5000, True, seed + 1)
    return bench.boost_case(n or 1500, seed + 2)[0]


def compare(case: bench.Case, old: ModuleType, pairs: int) -> None:
    st = case.settings
    times: dict[str, list[float]] = {"old": [], "new": []}
    impacts = {}
    kernels = {"old": old, "new": new_kernel}
    for label in ("old", "new"):  # compile or load both, not timed
        flyout._k = kernels[label]
        case.fly(np.arange(64), st)
    for p in range(pairs):
        for label in ("old", "new") if p % 2 == 0 else ("new", "old"):
            flyout._k = kernels[label]
            t0 = time.perf_counter()
            tr = case.fly(None, st)
            times[label].append(time.perf_counter() - t0)
            impacts[label] = tr.event_r_ecef_m[:, new_kernel.EV_IMPACT]
    flyout._k = new_kernel
    n = impacts["new"].shape[0]
    ratios = np.sort(np.array(times["old"]) / np.array(times["new"]))
    lo, hi = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
    diff = np.linalg.norm(impacts["old"] - impacts["new"], axis=1)
    both = np.isfinite(diff)
    print(
        f"{case.name:17s} {n:6d} flights  old {np.median(times['old']) / n * 1e6:8.2f} us  "
        f"new {np.median(times['new']) / n * 1e6:8.2f} us  speed-up {np.median(ratios):.3f}x "
        f"[{lo:.3f}, {hi:.3f}]  impact diff max "
        f"{(diff[both].max() if both.any() else float('nan')):.3g} m "
        f"({int((~both).sum())} without an impact in one of them)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", required=True, help="git revision of the old kernel")
    ap.add_argument("--mode", choices=(*MODES, "all"), default="all")
    ap.add_argument("--n", type=int, default=None, help="batch size (default: 20000/5000/1500)")
    ap.add_argument("--pairs", type=int, default=11, help="old/new pairs timed per mode")
    ap.add_argument("--threads", type=int, default=1, help="numba threads")
    args = ap.parse_args(argv)
    if args.pairs < 1:
        ap.error("--pairs must be >= 1")
    numba.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="bmdsim-ab-") as tmp:
        old = old_kernel(args.rev, Path(tmp))
        print(
            f"old kernel: {args.rev} ({old.__name__.split('.')[0]}), new: this checkout; "
            f"{args.threads} thread(s), {args.pairs} pairs, median and quartiles of the pairs"
        )
        for mode in MODES if args.mode == "all" else (args.mode,):
            compare(make_case(mode, args.n), old, args.pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
