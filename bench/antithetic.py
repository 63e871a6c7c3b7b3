"""Variance reduction of antithetic paths on the default preset.

Usage: python bench/antithetic.py [--paths 100000] [--seed 7]

One antithetic run gives both estimates on the same paths: the variance of a mean of n
independent paths is Var(X)/n, and of n/2 antithetic pair means Var(pair mean)/(n/2); the
variance reduction factor is their ratio, Var(X) / (2 Var(pair mean)). Values above 1 mean the
antithetic run needs that many times fewer paths for the same standard error.
"""

from __future__ import annotations

import argparse

import gridrisk as gr

OUTPUTS = (
    "npv_pkr",
    "added_cost_pkr_per_year",
    "tariff_revenue_pkr_per_year",
    "circular_debt_change_pkr",
    "consumers_charge_pkr",
    "eue_with_mwh_per_year",
    "eue_households_increase_mwh_per_year",
    "lole_with_h_per_year",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    sc = gr.Scenario.preset("pakistan-2000mw")
    res = gr.simulate(sc, paths=args.paths, seed=args.seed, keep_outputs=True, antithetic=True, progress=False)
    print(f"gridrisk {gr.__version__}, pakistan-2000mw, {args.paths:_} paths in antithetic pairs, seed {args.seed}")
    print(f"{'output':40s} {'variance reduction factor':>26s}")
    for name in OUTPUTS:
        x = res.path_output(name)
        pairs = 0.5 * (x[0::2] + x[1::2])
        vrf = x.var(ddof=1) / (2 * pairs.var(ddof=1))
        print(f"{name:40s} {vrf:>26.2f}")


if __name__ == "__main__":
    main()
