"""Instructions per path-month of a run, counted by valgrind, for the default preset built up
mechanism by mechanism (``speed.mechanisms()``), and the same count for the Numba port.

Wall times of a few seconds on one thread of a shared 2-core VM cannot split mechanisms (two
runs of ``speed.py --skip speed`` a minute apart disagreed by 1.7x on one step); instruction
counts do not depend on the machine's load. Each step runs a whole simulation in a child process
under ``valgrind --tool=callgrind``, one thread, at ``paths`` and at five times as many paths; the
difference of the two totals, divided by the added path-months, is what a path-month costs:
drawing parameters, building a path's model, simulating it and its statistics, including the
sketches' inserts from the workers' batches, which a run of a few hundred paths makes only when
it ends. Python, imports, validation and the final merge cost the same in both runs and drop out.
Counts see neither cache misses nor how many instructions retire per cycle: quote them next to
timed ratios, not instead of them (``--events`` adds valgrind's simulation of both, below).

Valgrind decodes no AVX-512, which a native build (``.cargo/config.toml``) of this machine
uses: put a portable build on ``PYTHONPATH``, e.g.::

    RUSTFLAGS="-C target-cpu=x86-64-v2" cargo build --release --features python
    mkdir -p /tmp/portable && cp -r python/gridrisk /tmp/portable/
    cp target/release/libgridrisk.so /tmp/portable/gridrisk/_core.abi3.so
    PYTHONPATH=/tmp/portable python bench/instructions.py --paths 200

``--numba`` counts the Numba port (``numba_reference.py``) in the references' scope the same
way, next to gridrisk there. Numba compiles for the portable x86-64-v2 level here
(``NUMBA_CPU_NAME``, ``NUMBA_CPU_FEATURES``), as the gridrisk build above, and once outside
valgrind first so that the runs it counts load the compiled kernel from Numba's cache instead of
compiling it (under valgrind, about 80 billion instructions and a quarter of an hour).

``--events`` adds, for the references' scope, what a count of instructions does not see: both
gridrisk and the port run again under callgrind with its branch predictor and cache simulation
(``--branch-sim=yes --cache-sim=yes``; the caches are the host's, as valgrind reads them),
differenced the same way, per path-month: data reads and writes, conditional branches,
mispredicted branches, and misses of the first-level instruction and data caches and of the last
level. The simulation is valgrind's simple model (no prefetching, no micro-op cache, a simple
predictor), so its misses rank the two programs rather than price them.
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
from gridrisk import _core
job = json.loads(sys.stdin.read())
_core.simulate(job["scenario"], seed=7, path_lo=0, path_hi=job["paths"], threads=1, keep_paths=False)
"""
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


# valgrind's closing summary: the event, then its total (and, for some, a split in brackets).
SUMMARY = {
    "instructions": r"I\s+refs:\s+([\d,]+)",
    "data reads and writes": r"D\s+refs:\s+([\d,]+)",
    "conditional branches": r"Branches:\s+[\d,]+\s+\(\s*([\d,]+) cond",
    "mispredicted branches": r"Mispredicts:\s+([\d,]+)",
    "instruction-cache (I1) misses": r"I1\s+misses:\s+([\d,]+)",
    "data-cache (D1) misses": r"D1\s+misses:\s+([\d,]+)",
    "last-level misses": r"LL\s+misses:\s+([\d,]+)",
}
SIMULATE = ["--branch-sim=yes", "--cache-sim=yes"]


def totals(stderr: str, events: list[str]) -> list[int]:
    """The whole run's totals of ``events`` (keys of ``SUMMARY``) from valgrind's summary."""
    out = []
    for event in events:
        found = re.search(SUMMARY[event], stderr)
        if found is None:
            raise SystemExit(f"no {event} in valgrind's output:\n{stderr[-2000:]}")
        out.append(int(found.group(1).replace(",", "")))
    return out


def differenced(
    child: list[str], env: dict[str, str], scenario: dict[str, object], paths: int, months: int, simulate: bool
) -> dict[str, float]:
    """Events per path-month of a child run under callgrind: runs of ``paths`` and ``5 * paths``,
    differenced (which removes Python, imports and set-up)."""
    events = list(SUMMARY) if simulate else ["instructions"]
    runs = []
    for n in (paths, 5 * paths):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *(SIMULATE if simulate else [])]
            run = subprocess.run(
                [*cmd, sys.executable, "-c", *child],
                input=json.dumps({"scenario": scenario, "paths": n}),
                text=True,
                check=True,
                capture_output=True,
                env=env,
            )
        runs.append(totals(run.stderr, events))
    return {e: (b - a) / (4 * paths * months) for e, a, b in zip(events, *runs, strict=True)}


def numba_child(scenario: dict[str, object]) -> tuple[list[str], dict[str, str]]:
    """The port's child command (after ``python -c``) and environment, its kernel compiled and cached."""
    env = {**os.environ, **NUMBA_PORTABLE}
    child = [NUMBA_CHILD, str(HERE)]  # the child's argv[1]: where numba_reference is
    # Compiles (or checks) the cached kernel at the portable level, outside valgrind.
    job = {"scenario": scenario, "paths": 1}
    subprocess.run([sys.executable, "-c", *child], input=json.dumps(job), text=True, check=True, env=env)
    return child, env


def count(scenario: dict[str, object], paths: int, months: int) -> float:
    """gridrisk's instructions per path-month: runs of ``paths`` and ``5 * paths``, differenced."""
    return differenced([CHILD], dict(os.environ), scenario, paths, months, simulate=False)["instructions"]


def numba_count(scenario: dict[str, object], paths: int, months: int) -> float:
    """Instructions per path-month of the Numba port: runs of ``paths`` and ``5 * paths``, differenced."""
    child, env = numba_child(scenario)
    return differenced(child, env, scenario, paths, months, simulate=False)["instructions"]


def events(scenario: dict[str, object], paths: int, months: int) -> None:
    """Prints the simulated events per path-month of gridrisk and of the port, side by side."""
    ours = differenced([CHILD], dict(os.environ), scenario, paths, months, simulate=True)
    port = differenced(*numba_child(scenario), scenario, paths, months, simulate=True)
    print(
        f"Branch and cache simulation (callgrind --branch-sim=yes --cache-sim=yes), references' scope,"
        f" {paths:_} and {5 * paths:_} paths differenced, per path-month:"
    )
    print(f"  {'':<32} {'gridrisk':>10} {'Numba port':>11} {'ratio':>7}")
    for event, x in ours.items():
        y = port[event]
        ratio = f"{x / y:6.2f}x" if y > 0.5 else "      -"
        print(f"  {event:<32} {x:10.0f} {y:11.0f} {ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=200, help="paths per step (default 200)")
    ap.add_argument("--references", action="store_true", help="only the references' scope, the first step")
    ap.add_argument("--numba", action="store_true", help="also count the Numba port in the references' scope")
    ap.add_argument(
        "--events",
        action="store_true",
        help="also simulate branches and caches for gridrisk and the port in the references' scope",
    )
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("bench/instructions.py needs valgrind (its callgrind tool)")
    sys.path.insert(0, str(HERE))
    import gridrisk as gr
    import speed

    steps = speed.mechanisms()[: 1 if args.references else None]
    months = steps[-1][1].months
    print(
        f"gridrisk {gr.__version__} ({Path(gr.__file__).parent}): instructions per path-month, callgrind,"
        f" runs of {args.paths:_} and {5 * args.paths:_} paths x {months} months differenced, 1 thread"
    )
    before = None
    counts = []
    for label, sc in steps:
        per = count(sc.to_dict(), args.paths, sc.months)
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
    if args.events:
        label, sc = steps[0]
        events(sc.to_dict(), args.paths, sc.months)


if __name__ == "__main__":
    main()
