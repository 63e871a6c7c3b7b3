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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=200, help="paths per step (default 200)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        raise SystemExit("bench/instructions.py needs valgrind (callgrind and callgrind_annotate)")
    sys.path.insert(0, str(HERE))
    import gridrisk as gr
    import speed

    steps = speed.mechanisms()
    months = steps[-1][1].months
    print(
        f"gridrisk {gr.__version__} ({Path(gr.__file__).parent}): instructions per path-month in the engine,"
        f" callgrind, {args.paths:_} paths x {months} months, 1 thread"
    )
    before = None
    for label, sc in steps:
        per = count(sc.to_dict(), args.paths) / (args.paths * sc.months)
        step = f"  ({per / before:.2f}x the step before)" if before else ""
        print(f"  {label:<58} {per:8.0f}{step}", flush=True)
        before = per


if __name__ == "__main__":
    main()
