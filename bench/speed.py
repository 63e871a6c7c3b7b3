"""gridrisk's speed, scaling and memory, measured side by side in one run (issue 6).

Usage::

    python bench/speed.py [--paths 1000000] [--memory-paths 100000,1000000,10000000]

Prints, on the default preset (120 months), with the installed gridrisk (``pip install .``):

1. gridrisk with 1 and 2 threads and the NumPy reference (``bench/numpy_reference.py``, an
   independent vectorised implementation of docs/model.md) on the same paths and months of the
   same scenario: the preset brought into the reference's scope (its tariffs replaced by fixed
   rupee prices, the capacity-only model: ``numpy_reference.in_scope``);
2. the cost per path-month split into random numbers, drivers, dispatch and adequacy,
   accounts and statistics (``cargo bench --bench phases``, the same Rust core);
3. the peak memory (max RSS) of a summary-mode run for each of ``--memory-paths``, each in
   its own process.

Figures on a shared machine vary by 5-15 % from run to run: quote ratios from one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import gridrisk as gr

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("numpy_reference", HERE / "numpy_reference.py")
assert spec is not None
assert spec.loader is not None
numpy_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(numpy_reference)

MEMORY_RUN = """
import sys, gridrisk as gr
gr.simulate(gr.Scenario.preset("pakistan-2000mw"), paths=int(sys.argv[1]), seed=7, threads=2, progress=False)
"""


def _paths(text: str) -> list[int]:
    return [int(float(v)) for v in text.split(",") if v]


def speed(n: int) -> None:
    """gridrisk (1 and 2 threads) against the NumPy reference on ``n`` paths of one scenario."""
    sc = gr.Scenario.from_dict(numpy_reference.in_scope(gr.Scenario.preset("pakistan-2000mw").to_dict()))
    months = sc.months
    timings: dict[str, float] = {}
    gr.simulate(sc, paths=256, seed=1, progress=False)  # warm-up: thread pool, page faults
    for threads in (1, 2):
        t0 = time.perf_counter()
        gr.simulate(sc, paths=n, seed=1, threads=threads, progress=False)
        timings[f"gridrisk, {threads} thread{'s' if threads > 1 else ''}"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    numpy_reference.reference(sc.to_dict(), n, seed=1)
    timings["NumPy reference (1 core)"] = time.perf_counter() - t0
    print(f"gridrisk {gr.__version__} vs NumPy, pakistan-2000mw with fixed tariffs, {n:_} paths x {months} months")
    for name, s in timings.items():
        print(f"  {name:28s} {s:9.2f} s  {s / (n * months) * 1e9:8.0f} ns per path-month")
    ref = timings["NumPy reference (1 core)"]
    one, two = timings["gridrisk, 1 thread"], timings["gridrisk, 2 threads"]
    print(f"  speed-up over NumPy: {ref / one:.2f}x (1 thread), {ref / two:.2f}x (2 threads)")
    print(f"  2 threads over 1: {one / two:.2f}x", flush=True)


def phases(n: int) -> None:
    """The Rust core's cost split (needs cargo; builds the benchmark on first use)."""
    out = subprocess.run(
        ["cargo", "bench", "--quiet", "--no-default-features", "--bench", "phases", "--", "--paths", str(n)],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    print(out.stdout, end="", flush=True)


def memory(sizes: list[int]) -> None:
    """Peak resident memory of a summary-mode run (2 threads) per path count, one process each."""
    print("peak memory, summary mode (moments and sketches only), 2 threads")
    for n in sizes:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", MEMORY_RUN, str(n)])
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0:
            raise SystemExit(f"the {n:_}-path run failed (status {status})")
        # ru_maxrss is in KiB on Linux.
        wall = time.perf_counter() - t0
        print(f"  {n:>12_} paths: {usage.ru_maxrss / 1024:7.0f} MiB max RSS  ({wall:.0f} s)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=1_000_000, help="paths for the gridrisk/NumPy comparison")
    ap.add_argument("--phase-paths", type=int, default=20_480, help="paths for the cost split")
    ap.add_argument(
        "--memory-paths",
        type=_paths,
        default=[100_000, 1_000_000, 10_000_000],
        help="comma-separated path counts for the memory runs ('' to skip)",
    )
    ap.add_argument("--skip", choices=["speed", "phases", "memory"], action="append", default=[])
    args = ap.parse_args()
    if "phases" not in args.skip:
        phases(args.phase_paths)
    if "speed" not in args.skip:
        speed(args.paths)
    if "memory" not in args.skip and args.memory_paths:
        memory(args.memory_paths)


if __name__ == "__main__":
    main()
