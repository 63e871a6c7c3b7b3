"""Control variates on the default preset (issue 17, item 5): variance-reduction factors, and the
paths and time to a target precision with and without them.

Usage::

    python bench/control_variates.py [--paths 100000] [--seed 7] [--budget 1000000] [--repeats 1]

First one run of ``--paths`` paths (each drawing its parameters): per headline output, the plain
and adjusted standard errors of the mean and of ``p_adverse`` and their ratio squared (the factor
by which the controls cut the paths a given error needs). Then, per target, ``simulate(...,
target=...)`` without and with ``control_variates=True``, alternating (medians of ``--repeats``):
the paths each stopped at and its time; each stopping run is checked bit for bit against the
fixed run of its paths.

P(NPV < 0) is exactly 0 on the preset (no path has a negative NPV), so a target on it holds at
once; as bench/target.py, the probability target is P(circular debt grows) instead.
Figures on a shared machine vary from run to run: quote ratios from one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import gridrisk as gr

OUTPUTS = ["npv_pkr", "circular_debt_change_pkr", "eue_households_increase_mwh_per_year"]

TARGETS: dict[str, dict[str, Any]] = {
    "NPV mean, s.e. 1 % of the mean": {"npv_pkr": "1%"},
    "P(circular debt grows), s.e. 0.5 pp": {"circular_debt_change_pkr": {"p_adverse": 0.005}},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=100_000, help="paths of the run giving the factors")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--budget", type=int, default=1_000_000, help="path budget of every target run")
    ap.add_argument("--repeats", type=int, default=1, help="alternating repeats of each pair (median)")
    args = ap.parse_args()
    sc = gr.Scenario.preset("pakistan-2000mw")
    print(f"gridrisk {gr.__version__}, {sc.label}, seed {args.seed}, {gr.thread_pool_size()} threads")
    t0 = time.perf_counter()
    res = gr.simulate(sc, paths=args.paths, seed=args.seed, progress=False)
    print(f"one run of {args.paths:_} paths: {time.perf_counter() - t0:.1f} s")
    cv = res.control_variates()
    print(f"  {'output':<38} {'se':>10} {'se_cv':>10} {'factor':>7} {'R²':>5}  p_adverse: se, se_cv, factor")
    for name in OUTPUTS:
        r = cv.loc[name]
        print(
            f"  {name:<38} {r['se']:>10.4g} {r['se_cv']:>10.4g} {r['variance_reduction']:>7.2f} {r['r2']:>5.2f}"
            f"  {r['p_adverse']:.4f}: {r['p_adverse_se']:.3g}, {r['p_adverse_se_cv']:.3g},"
            f" {r['p_adverse_variance_reduction']:.2f}"
        )
    print(f"  controls used for npv_pkr: {cv.loc['npv_pkr', 'controls']}")
    print(f"  {'target':<40} {'plain paths':>11} {'time':>8} {'cv paths':>9} {'time':>8} {'speed-up':>8}")
    for name, target in TARGETS.items():
        times: dict[bool, list[float]] = {False: [], True: []}
        counts: dict[bool, int] = {}
        for _ in range(args.repeats):
            for use in (False, True):
                t0 = time.perf_counter()
                r = gr.simulate(
                    sc, paths=args.budget, seed=args.seed, target=target, control_variates=use, progress=False
                )
                times[use].append(time.perf_counter() - t0)
                counts[use] = r.paths
                fixed = gr.simulate(sc, paths=r.paths, seed=args.seed, progress=False)
                assert fixed.stats.to_bytes() == r.stats.to_bytes(), "a run to target must equal the fixed run"
        a, b = statistics.median(times[False]), statistics.median(times[True])
        print(f"  {name:<40} {counts[False]:>11_} {a:>7.1f}s {counts[True]:>9_} {b:>7.1f}s {a / b:>7.2f}x")


if __name__ == "__main__":
    main()
