"""gridrisk against the NumPy reference (bench/numpy_reference.py), side by side in one run.

Usage: python bench/speed.py [--paths 10000]

Times, on the default preset (120 months): gridrisk with 1 and 2 threads, and the NumPy
reference of the same model, vectorised over paths. Reports wall seconds, nanoseconds per
path-month, and the ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import gridrisk as gr

spec = importlib.util.spec_from_file_location("numpy_reference", Path(__file__).with_name("numpy_reference.py"))
assert spec is not None
assert spec.loader is not None
numpy_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(numpy_reference)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=10_000)
    args = ap.parse_args()
    sc = gr.Scenario.preset("pakistan-2000mw")
    n, months = args.paths, sc.months
    timings = {}
    gr.simulate(sc, paths=256, seed=1, progress=False)  # warm-up: thread pool, page faults
    for threads in (1, 2):
        t0 = time.perf_counter()
        gr.simulate(sc, paths=n, seed=1, threads=threads, progress=False)
        timings[f"gridrisk, {threads} thread{'s' if threads > 1 else ''}"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    numpy_reference.reference(sc.to_dict(), n, seed=1)
    timings["NumPy reference (1 core)"] = time.perf_counter() - t0
    print(f"gridrisk {gr.__version__}, pakistan-2000mw, {n:_} paths x {months} months")
    for name, s in timings.items():
        print(f"  {name:28s} {s:8.2f} s  {s / (n * months) * 1e9:8.0f} ns per path-month")
    ref = timings["NumPy reference (1 core)"]
    print(
        f"  speed-up over NumPy: {ref / timings['gridrisk, 1 thread']:.2f}x (1 thread), "
        f"{ref / timings['gridrisk, 2 threads']:.2f}x (2 threads)"
    )
    print(f"  2 threads over 1: {timings['gridrisk, 1 thread'] / timings['gridrisk, 2 threads']:.2f}x")


if __name__ == "__main__":
    main()
