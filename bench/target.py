"""Time to a target precision (issue 17, item 5): how many paths and seconds each target takes.

Usage::

    python bench/target.py [--budget 1000000] [--seed 7] [--repeats 3]

For each target, on the default preset (each path drawing its parameters), runs
``simulate(..., target=...)`` and then the fixed-size run of the paths it used, alternating, and
prints the paths, the medians of both times and their ratio: the cost of finding the stopping
point (the steps before the last, and the merges) over knowing it in advance. The two results
are also checked bit for bit.

Figures on a shared machine vary from run to run: quote ratios from one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import gridrisk as gr

TARGETS: dict[str, dict[str, Any]] = {
    "NPV mean, s.e. 1 % of the mean": {"npv_pkr": "1%"},
    "NPV mean, s.e. PKR 0.2 bn": {"npv_pkr": 2e8},
    "P(circular debt grows), s.e. 0.5 pp": {"circular_debt_change_pkr": {"p_adverse": 0.005}},
    "P(circular debt grows), s.e. 0.05 pp": {"circular_debt_change_pkr": {"p_adverse": 0.0005}},
    "households' extra shedding, s.e. 1 % of the mean": {"households_shed_h_per_day_increase": "1%"},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budget", type=int, default=1_000_000, help="path budget of every target run")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3, help="alternating repeats of each pair (median)")
    args = ap.parse_args()
    sc = gr.Scenario.preset("pakistan-2000mw")
    print(
        f"gridrisk {gr.__version__}, {sc.label}, seed {args.seed}, budget {args.budget:_} paths, "
        f"{gr.thread_pool_size()} threads"
    )
    gr.simulate(sc, paths=512, seed=1, progress=False)  # warm up the pool and the caches
    print(f"  {'target':<50} {'paths':>9} {'to target':>10} {'fixed run':>10} {'ratio':>6}")
    for name, target in TARGETS.items():
        t_target, t_fixed = [], []
        n = 0
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            res = gr.simulate(sc, paths=args.budget, seed=args.seed, target=target, progress=False)
            t_target.append(time.perf_counter() - t0)
            n = res.paths
            t0 = time.perf_counter()
            fixed = gr.simulate(sc, paths=n, seed=args.seed, progress=False)
            t_fixed.append(time.perf_counter() - t0)
            assert fixed.stats.to_bytes() == res.stats.to_bytes(), "a run to target must equal the fixed run"
        a, b = statistics.median(t_target), statistics.median(t_fixed)
        print(f"  {name:<50} {n:>9_} {a:>9.2f}s {b:>9.2f}s {a / b:>5.2f}x")


if __name__ == "__main__":
    main()
