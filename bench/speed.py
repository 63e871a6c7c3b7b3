"""gridrisk's speed, scaling and memory, measured side by side in one run (issues 6 and 17).

Usage::

    python bench/speed.py [--paths 20480] [--repeats 3] [--memory-paths 100000,1000000,10000000]
                          [--skip phases|speed|numba|numpy|memory ...]

Prints, on the default preset (120 months), with the gridrisk that ``import gridrisk`` finds
(installed with ``pip install .``, or a checkout's ``python/`` on ``PYTHONPATH``):

1. gridrisk with 1 and 2 threads, the Numba port (``bench/numba_reference.py``, ``pip install
   .[bench]``) with 1 and 2 threads, and the NumPy reference (``bench/numpy_reference.py``, an
   independent vectorised implementation of docs/model.md) pinned to one BLAS thread and with
   its default BLAS threads, on the same paths and months of the same scenario: the preset at
   its point values brought into the references' scope (its tariffs replaced by fixed rupee
   prices, the capacity-only model: ``numpy_reference.in_scope``; the debt-service surcharge
   for the whole horizon, see :func:`scenario`). The configurations run in turn, ``--repeats``
   times (A B C ... A B C ...), and each is reported by its median. The NumPy runs each run in
   a process of their own, started with ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` and
   ``MKL_NUM_THREADS`` set to 1 (pinned) or unset (default); that process reports the thread
   count each loaded OpenBLAS library says it uses and the run's CPU time over its wall time.
   Compile time and first-call costs are excluded: every configuration is warmed up first;
2. the cost per path-month split into random numbers, drivers, dispatch and adequacy,
   accounts and statistics (``cargo bench --bench phases``, the same Rust core);
3. the peak memory (max RSS) of a summary-mode run for each of ``--memory-paths``, each in
   its own process.

Figures on a shared machine vary by 5-15 % from run to run: quote ratios from one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import gridrisk as gr
import numpy as np

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("numpy_reference", HERE / "numpy_reference.py")
assert spec is not None
assert spec.loader is not None
numpy_reference = importlib.util.module_from_spec(spec)
sys.modules["numpy_reference"] = numpy_reference  # the Numba port imports it by this name
spec.loader.exec_module(numpy_reference)

BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

#: One timed run of the NumPy reference in a process of its own (its BLAS threads are set by the
#: environment it starts with); reads {"reference": path, "scenario": dict, "paths": n} on stdin.
NUMPY_RUN = """
import ctypes, importlib.util, json, sys, time
job = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location("numpy_reference", job["reference"])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
ref.reference(job["scenario"], 256, seed=2)  # warm-up: imports, page faults, BLAS threads
threads = {}
for lib in sorted({line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower()}):
    for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                 "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(ctypes.CDLL(lib), name):
            threads[lib.rsplit("/", 1)[-1]] = getattr(ctypes.CDLL(lib), name)()
            break
t0, c0 = time.perf_counter(), time.process_time()
ref.reference(job["scenario"], job["paths"], seed=1)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "blas_threads": threads}))
"""

MEMORY_RUN = """
import sys, gridrisk as gr
gr.simulate(gr.Scenario.preset("pakistan-2000mw"), paths=int(sys.argv[1]), seed=7, threads=2, progress=False)
"""


def _paths(text: str) -> list[int]:
    return [int(float(v)) for v in text.split(",") if v]


def scenario() -> gr.Scenario:
    """The preset inside the part of the scenario space both references cover.

    ``numpy_reference.in_scope``: fixed rupee tariffs, the capacity-only model, fixed loads, the
    trend network, the debt-service surcharge over the whole horizon (the references do not
    implement its end date, and ``check_scope`` refuses it) and every field at its point value.
    """
    return gr.Scenario.from_dict(numpy_reference.in_scope(gr.Scenario.preset("pakistan-2000mw").to_dict()))


def _numba_reference() -> ModuleType:
    try:
        import numba  # noqa: F401
    except ModuleNotFoundError:
        raise SystemExit("the Numba anchor needs numba (pip install .[bench]), or pass --skip numba") from None
    sys.path.insert(0, str(HERE))  # the compiled kernel refers to its parameters by module name
    import numba_reference

    return numba_reference


def _numpy_run(sc: dict[str, Any], n: int, pinned: bool) -> tuple[float, str]:
    """One timed NumPy reference run in its own process: (seconds, what its BLAS threads were)."""
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    if pinned:
        env.update(dict.fromkeys(BLAS_VARIABLES, "1"))
    job = json.dumps({"reference": str(HERE / "numpy_reference.py"), "scenario": sc, "paths": n})
    out = subprocess.run(
        [sys.executable, "-c", NUMPY_RUN], input=job, env=env, capture_output=True, text=True, check=True
    )
    r = json.loads(out.stdout)
    threads = ", ".join(f"{v}" for v in r["blas_threads"].values()) or "none found"
    return r["wall"], f"OpenBLAS threads {threads}; CPU/wall {r['cpu'] / r['wall']:.2f}"


def speed(n: int, numpy_n: int, repeats: int, skip: list[str]) -> None:
    """gridrisk, the Numba port and the NumPy reference, 1 and 2 threads, alternating runs."""
    sc = scenario()
    d, months = sc.to_dict(), sc.months
    runs: dict[str, Callable[[], tuple[float, str]]] = {}
    paths: dict[str, int] = {}

    def timed(f: Callable[[], object]) -> Callable[[], tuple[float, str]]:
        def run() -> tuple[float, str]:
            t0 = time.perf_counter()
            f()
            return time.perf_counter() - t0, ""

        return run

    gr.simulate(sc, paths=256, seed=1, progress=False)  # warm-up: thread pool, page faults
    for threads in (1, 2):
        name = f"gridrisk, {threads} thread{'s' if threads > 1 else ''}"
        runs[name] = timed(lambda t=threads: gr.simulate(sc, paths=n, seed=1, threads=t, progress=False))
        paths[name] = n
    versions = [f"gridrisk {gr.__version__}"]
    if "numba" not in skip:
        nb = _numba_reference()
        prepared = nb.params(d)
        for threads in (1, 2):  # compile (or load the cache), then warm up each thread count
            nb.reference(d, 256, seed=2, threads=threads, prepared=prepared)
            name = f"Numba, {threads} thread{'s' if threads > 1 else ''}"
            runs[name] = timed(lambda t=threads: nb.reference(d, n, seed=1, threads=t, prepared=prepared))
            paths[name] = n
        versions.append(f"Numba {nb.numba.__version__} ({nb.numba.threading_layer()} threading layer)")
    if "numpy" not in skip:
        for name, pinned in (("NumPy, 1 BLAS thread", True), ("NumPy, default BLAS", False)):
            runs[name] = lambda pinned=pinned: _numpy_run(d, numpy_n, pinned)
            paths[name] = numpy_n
        versions.append(f"NumPy {np.__version__}")
    times: dict[str, list[float]] = {name: [] for name in runs}
    notes: dict[str, str] = {}
    for _ in range(repeats):  # A B C ... A B C ...: drift on the machine touches all alike
        for name, run in runs.items():
            s, note = run()
            times[name].append(s)
            notes[name] = note or notes.get(name, "")
    print(
        f"{', '.join(versions)}: pakistan-2000mw in the references' scope, {months} months,"
        f" median of {repeats} alternating run{'s' if repeats > 1 else ''}",
    )
    ns = {name: statistics.median(t) / (paths[name] * months) * 1e9 for name, t in times.items()}
    for name, t in times.items():
        about = "; ".join(x for x in (f"runs {min(t):.2f}-{max(t):.2f} s" if len(t) > 1 else "", notes[name]) if x)
        print(
            f"  {name:22s} {paths[name]:>9_} paths {statistics.median(t):8.2f} s {ns[name]:8.0f} ns per path-month"
            + (f"  ({about})" if about else "")
        )
    one, two = ns["gridrisk, 1 thread"], ns["gridrisk, 2 threads"]
    print(f"  2 threads over 1: gridrisk {one / two:.2f}x", end="")
    if "numba" not in skip:
        print(f", Numba {ns['Numba, 1 thread'] / ns['Numba, 2 threads']:.2f}x", end="")
    print()
    if "numba" not in skip:
        print(
            f"  gridrisk over Numba: {ns['Numba, 1 thread'] / one:.2f}x per core (1 thread each),"
            f" {ns['Numba, 2 threads'] / two:.2f}x with 2 threads each"
        )
    if "numpy" not in skip:
        pinned, default = ns["NumPy, 1 BLAS thread"], ns["NumPy, default BLAS"]
        print(
            f"  gridrisk over NumPy (1 BLAS thread): {pinned / one:.2f}x per core (1 thread),"
            f" {pinned / two:.2f}x with 2 threads; NumPy default BLAS over pinned: {pinned / default:.2f}x"
        )
        if "numba" not in skip:
            print(f"  Numba over NumPy (1 BLAS thread), per core: {pinned / ns['Numba, 1 thread']:.2f}x")
    sys.stdout.flush()


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


def mechanisms() -> list[tuple[str, gr.Scenario]]:
    """The default preset built up mechanism by mechanism, from the part both references cover.

    Each step adds to the one before: the preset's dated tariffs (the package, its reviews and
    the indexed industrial tariff, the surcharge's end, the budget envelope); the load-shedding
    of docs/model.md §7.5 (latent demand, feeder rules, the network limit, fuel limits and the
    liquidity loop); the new loads as investors (miners' investment, default and peak relief,
    data-centre take-up) with the network in equilibrium; and the uncertain parameters (the
    preset itself).
    """
    full = gr.Scenario.preset("pakistan-2000mw")
    point = full.fixed().to_dict()
    loads = dict(point)
    loads["mining"] = {k: v for k, v in point["mining"].items() if k not in ("investment", "credit", "interruptible")}
    loads["datacenters"] = {k: v for k, v in point["datacenters"].items() if k != "takeup"}
    net = {k: v for k, v in point["network"].items() if k != "equilibrium"}
    loads["network"] = {**net, "model": "trend", "growth_annual": 0.15, "revenue_elasticity": 0.5}
    shedding = {k: v for k, v in loads.items() if k != "shedding"}
    shedding["fleet"] = [{k: v for k, v in c.items() if k != "fuel_limit"} for c in loads["fleet"]]
    return [
        ("references' scope: capacity-only, fixed loads and tariffs", scenario()),
        ("+ the preset's dated tariffs, surcharge end and envelope", gr.Scenario.from_dict(shedding)),
        ("+ load-shedding: feeder rules, network, fuel limits", gr.Scenario.from_dict(loads)),
        ("+ investors, default, peak relief, take-up, equilibrium", gr.Scenario.from_dict(point)),
        ("+ uncertain parameters (the preset itself)", full),
    ]


def mechanism_costs(n: int, repeats: int) -> None:
    """ns per path-month of the preset built up mechanism by mechanism, 1 thread, alternating."""
    steps = mechanisms()
    for _, sc in steps:  # warm up: each scenario's validation, outage tables and pool
        gr.simulate(sc, paths=256, seed=1, threads=1, progress=False)
    times: list[list[float]] = [[] for _ in steps]
    for _ in range(repeats):
        for k, (_, sc) in enumerate(steps):
            t0 = time.perf_counter()
            gr.simulate(sc, paths=n, seed=7, threads=1, progress=False)
            times[k].append(time.perf_counter() - t0)
    months = steps[-1][1].months
    print(
        f"gridrisk {gr.__version__}: the default preset mechanism by mechanism, {n:_} paths x {months} months, 1 thread"
    )
    before = None
    for (label, _), ts in zip(steps, times, strict=True):
        ns = statistics.median(ts) / (n * months) * 1e9
        step = f"  ({ns / before:.2f}x the step before)" if before else ""
        print(f"  {label:<58} {ns:8.0f} ns per path-month{step}")
        before = ns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=20_480, help="paths for the gridrisk/Numba/NumPy comparison")
    ap.add_argument("--numpy-paths", type=int, default=None, help="paths for the NumPy runs (default: --paths)")
    ap.add_argument("--repeats", type=int, default=3, help="alternating runs of each configuration")
    ap.add_argument("--phase-paths", type=int, default=20_480, help="paths for the cost split")
    ap.add_argument(
        "--mechanism-paths", type=int, default=4_096, help="paths for the preset built up mechanism by mechanism"
    )
    ap.add_argument(
        "--memory-paths",
        type=_paths,
        default=[100_000, 1_000_000, 10_000_000],
        help="comma-separated path counts for the memory runs ('' to skip)",
    )
    ap.add_argument(
        "--skip",
        choices=["speed", "phases", "numba", "numpy", "memory", "mechanisms"],
        action="append",
        default=[],
        help="leave out a part (numba, numpy: those configurations of the speed comparison)",
    )
    args = ap.parse_args()
    if "phases" not in args.skip:
        phases(args.phase_paths)
    if "speed" not in args.skip:
        speed(args.paths, args.numpy_paths or args.paths, args.repeats, args.skip)
    if "mechanisms" not in args.skip:
        mechanism_costs(args.mechanism_paths, args.repeats)
    if "memory" not in args.skip and args.memory_paths:
        memory(args.memory_paths)


if __name__ == "__main__":
    main()
