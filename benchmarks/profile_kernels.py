#!/usr/bin/env python
"""Where the flight kernel spends its time: `perf` samples mapped to numba's compiled functions.

    .venv/bin/python benchmarks/profile_kernels.py vacuum            # or full_free_flight,
    .venv/bin/python benchmarks/profile_kernels.py full_with_boost --repeats 40

numba's JIT code carries no symbols that `perf report` can read, so this script maps the
samples itself. It runs the benchmark's batch (`run.py`'s case, same seed) under
`perf record -e cpu-clock` in a child process with an empty numba cache (only freshly compiled
code keeps its LLVM module), and the child writes the address of every function defined in the
kernels' compiled libraries. Each sample inside numba's code goes to the nearest function start
below it; the table gives shares of those samples, and the C library's `exp`, `log`, `pow` and
`sincos` (called from the kernels) as shares of the same total. A function that LLVM inlined
counts in its caller. One thread; the compile (1-3 minutes) is sampled too but lands in
Python and LLVM, not in the table.

Needs Linux `perf` (not a dependency of bmdsim: a developer's tool, decision 0019). Read the
shares as where the processor waits, not as what a change would save: removing a function that
overlaps with others in the out-of-order core saves less than its share (decision 0019 has
examples).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MODES = ("vacuum", "full_free_flight", "full_with_boost")
LIBM = ("__ieee754_exp_fma", "exp@GLIBC_2.2.5", "__ieee754_log_fma", "__ieee754_pow_fma",
        "__sincos_fma")  # fmt: skip
# a sample farther than this past the nearest function start is not in numba's code (the largest
# function, the lanes' chunk, is about 100 kB of machine code)
_MAX_FUNCTION_BYTES = 400_000


def child(mode: str, repeats: int, sym_path: str) -> None:
    """The workload (run under perf): fly the batch `repeats` times, then write the symbols."""
    import numba
    import numpy as np
    from ab_kernels import make_case

    from bmdsim.physics import _integrator, atmosphere, earth

    numba.set_num_threads(1)
    # `make bench`'s batch sizes (run.py's --n-free, --n-boost defaults) and seeds
    case = make_case(mode, 5000 if mode == "full_with_boost" else 20000)
    case.fly(np.arange(64), case.settings)
    for _ in range(repeats):
        case.fly(None, case.settings)
    with open(sym_path, "w") as fh:
        for mod in (_integrator, earth, atmosphere):
            for name in dir(mod):
                disp = getattr(mod, name)
                for cres in getattr(disp, "overloads", {}).values():
                    lib = cres.library
                    for fn in lib._final_module.functions:
                        if fn.is_declaration:
                            continue
                        addr = lib.get_pointer_to_function(fn.name)
                        if addr:
                            fh.write(f"{addr:x} {fn.name}\n")


def demangle(name: str) -> str:
    """numba's Itanium-style name -> 'module.function' (the last two name parts)."""
    rest, parts = name.removeprefix("_ZN"), []
    while rest[:1].isdigit():
        n = re.match(r"\d+", rest)
        assert n is not None
        length = int(n.group(0))
        rest = rest[len(n.group(0)) :]
        parts.append(rest[:length])
        rest = rest[length:]
    return ".".join(parts[-2:]) if parts else name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("mode", choices=MODES)
    ap.add_argument("--repeats", type=int, default=60, help="timed batches to sample")
    ap.add_argument("--top", type=int, default=25, help="functions to list")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.mode, args.repeats, args.child)
        return
    if shutil.which("perf") is None:
        sys.exit("profile_kernels.py needs Linux perf (apt install linux-perf)")
    with tempfile.TemporaryDirectory() as tmp:
        syms, data = Path(tmp) / "syms.txt", Path(tmp) / "perf.data"
        env = dict(os.environ, NUMBA_CACHE_DIR=str(Path(tmp) / "numba"))
        cmd = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-o", str(data),
               sys.executable, __file__, args.mode, "--repeats", str(args.repeats),
               "--child", str(syms)]  # fmt: skip
        subprocess.run(cmd, check=True, env=env)
        table = sorted(
            (int(a, 16), demangle(n))
            for a, n in (line.split(None, 1) for line in syms.read_text().splitlines())
        )
        starts = [a for a, _ in table]
        script = subprocess.run(["perf", "script", "-i", str(data), "-F", "ip,sym"],
                                check=True, capture_output=True, text=True).stdout  # fmt: skip
    ours: collections.Counter[str] = collections.Counter()
    libm: collections.Counter[str] = collections.Counter()
    for line in script.splitlines():
        fields = line.split()
        if not fields:
            continue
        sym = " ".join(fields[1:])
        if sym and sym != "[unknown]":
            if sym in LIBM:
                libm[sym] += 1
            continue
        ip = int(fields[0], 16)
        j = bisect.bisect_right(starts, ip) - 1
        if j >= 0 and ip - starts[j] < _MAX_FUNCTION_BYTES:
            ours[table[j][1]] += 1
    total = sum(ours.values())
    print(f"{args.mode}: {total} samples in numba's code (one thread, {args.repeats} batches)")
    for name, n in ours.most_common(args.top):
        print(f"{100 * n / total:6.2f} %  {name}")
    for name in LIBM:
        print(f"{100 * libm[name] / max(total, 1):6.2f} %  libm {name} (share of the same total)")


if __name__ == "__main__":
    main()
