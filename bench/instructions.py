"""Instructions per path-month inside the engine, counted by valgrind, for the default preset
built up mechanism by mechanism (``speed.mechanisms()``).

Wall times of a few seconds on one thread of a shared 2-core VM cannot split mechanisms (two
runs of ``speed.py --skip speed`` a minute apart disagreed by 1.7x on one step); instruction
counts do not depend on the machine's load. Each step runs in a child process under
``valgrind --tool=callgrind``, one thread, and the count is the inclusive cost of the engine's
path loop (``gridrisk::engine::node``: drawing parameters, building a path's model, simulating
and the statistics; not Python, not validation of the scenario, not the final merge). Counts
see neither cache misses nor how many instructions retire per cycle: quote them next to timed
ratios, not instead of them.

Valgrind decodes no AVX-512, which a native build (``.cargo/config.toml``) of this machine
uses: put a portable build on ``PYTHONPATH``, e.g.::

    RUSTFLAGS="-C target-cpu=x86-64-v2" cargo build --release --features python
    mkdir -p /tmp/portable && cp -r python/gridrisk /tmp/portable/
    cp target/release/libgridrisk.so /tmp/portable/gridrisk/_core.abi3.so
    PYTHONPATH=/tmp/portable python bench/instructions.py --paths 200

``--numba`` counts the Numba port (``numba_reference.py``) in the references' scope the same
way, next to gridrisk there: a whole run at ``paths`` and at five times as many, under callgrind,
the difference divided by the added path-months (the port's kernel has no symbol of its own to
count inclusively; the difference removes Python, imports and the kernel's loading). Numba
compiles for the portable x86-64-v2 level here (``NUMBA_CPU_NAME``, ``NUMBA_CPU_FEATURES``), as
the gridrisk build above, and once outside valgrind first so that the runs it counts load the
compiled kernel from Numba's cache instead of compiling it (under valgrind, about 80 billion
instructions and a quarter of an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = """
import json, sys
import gridrisk as gr
from gridrisk import _core
job = json.loads(sys.stdin.read())
_core.simulate(job["scenario"], seed=7, path_lo=0, path_hi=job["paths"], threads=1, keep_paths=False)
"""
ENGINE = "gridrisk::engine::node"
NUMBA_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import numba_reference
job = json.loads(sys.stdin.read())
numba_reference.reference(job["scenario"], paths=job["paths"], seed=7, threads=1)
"""
# The x86-64-v2 level (SSE4.2, POPCNT), which valgrind decodes and the portable gridrisk build uses.
NUMBA_PORTABLE = {
    "NUMBA_CPU_NAME": "x86-64-v2",
    "NUMBA_CPU_FEATURES": "+64bit,+cmov,+cx8,+cx16,+fxsr,+mmx,+popcnt,+sahf,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3",
    "NUMBA_NUM_THREADS": "1",
}


def count(scenario: dict[str, object], paths: int) -> int:
    """Instructions inside the engine's path loop for ``paths`` paths of ``scenario``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", CHILD],
            input=json.dumps({"scenario": scenario, "paths": paths}),
            text=True,
            check=True,
            capture_output=True,
            env=os.environ,
        )
        report = subprocess.run(
            ["callgrind_annotate", "--inclusive=yes", str(out)], text=True, check=True, capture_output=True
        ).stdout
    # The outermost (largest) inclusive count of the recursive path loop.
    counts = [
        int(m.group(1).replace(",", ""))
        for line in report.splitlines()
        if ENGINE in line and (m := re.match(r"\s*([\d,]+)", line))
    ]
    if not counts:
        raise SystemExit(f"no {ENGINE} in the profile: is gridrisk built with symbols (not stripped)?")
    return max(counts)


def numba_count(scenario: dict[str, object], paths: int, months: int) -> float:
    """Instructions per path-month of the Numba port: runs of ``paths`` and ``5 * paths``, differenced."""
    env = {**os.environ, **NUMBA_PORTABLE}
    job = {"scenario": scenario, "paths": 1}
    # Compiles (or checks) the cached kernel at the portable level, outside valgrind.
    subprocess.run(
        [sys.executable, "-c", NUMBA_CHILD, str(HERE)], input=json.dumps(job), text=True, check=True, env=env
    )
    totals = []
    for n in (paths, 5 * paths):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", NUMBA_CHILD]
            run = subprocess.run(
                [*cmd, str(HERE)],  # the child's argv[1]: where numba_reference is
                input=json.dumps({"scenario": scenario, "paths": n}),
                text=True,
                check=True,
                capture_output=True,
                env=env,
            )
        found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
        if found is None:
            raise SystemExit(f"no instruction total in valgrind's output:\n{run.stderr[-2000:]}")
        totals.append(int(found.group(1).replace(",", "")))
    return (totals[1] - totals[0]) / (4 * paths * months)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=200, help="paths per step (default 200)")
    ap.add_argument("--references", action="store_true", help="only the references' scope, the first step")
    ap.add_argument("--numba", action="store_true", help="also count the Numba port in the references' scope")
    args = ap.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        raise SystemExit("bench/instructions.py needs valgrind (callgrind and callgrind_annotate)")
    sys.path.insert(0, str(HERE))
    import gridrisk as gr
    import speed

    steps = speed.mechanisms()[: 1 if args.references else None]
    months = steps[-1][1].months
    print(
        f"gridrisk {gr.__version__} ({Path(gr.__file__).parent}): instructions per path-month in the engine,"
        f" callgrind, {args.paths:_} paths x {months} months, 1 thread"
    )
    before = None
    counts = []
    for label, sc in steps:
        per = count(sc.to_dict(), args.paths) / (args.paths * sc.months)
        counts.append(per)
        step = f"  ({per / before:.2f}x the step before)" if before else ""
        print(f"  {label:<58} {per:8.0f}{step}", flush=True)
        before = per
    if args.numba:
        import numba

        label, sc = steps[0]
        port = numba_count(sc.to_dict(), args.paths, sc.months)
        ours = counts[0]
        print(
            f"Numba {numba.__version__} port (numba_reference.py, x86-64-v2), {label.split(':')[0]},"
            f" {args.paths:_} and {5 * args.paths:_} paths differenced: {port:.0f} per path-month;"
            f" gridrisk {ours:.0f}, {ours / port:.2f}x the port's"
        )


if __name__ == "__main__":
    main()
