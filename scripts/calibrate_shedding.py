"""The load-shedding calibration checks of docs/calibration.md (issue 13, table 6).

Runs the default preset's base case (no allocation needed: every figure here is "without the
allocation") and prints, next to the sourced picture it is meant to reproduce:

1. hours of shedding a day by feeder class, in the first summer (May-September 2026), the first
   winter (November 2026-February 2027) and November 2026, and the share of the existing load on
   classes shed more than 10 hours a day;
2. the summer shortfall at the evening peak (latent minus served load, MW) in June 2026;
3. local-gas and RLNG generation by month in the first year (GWh);
4. the energy served to the existing consumers in FY2027 against FY2025's generation;
5. the generation cost and revenue the feeder rules' shedding avoids a year.

Usage::

    PYTHONPATH=python python scripts/calibrate_shedding.py [paths] [seed]
"""

from __future__ import annotations

import sys

import gridrisk as gr
import numpy as np
import pandas as pd


def main(paths: int = 4096, seed: int = 2025, explained: int = 64) -> None:
    """Print the checks on ``paths`` paths from ``seed``, with ``explained`` paths explained."""
    sc = gr.Scenario.preset("pakistan-2000mw")
    r = gr.simulate(sc, paths=paths, seed=seed, keep_paths=True, progress=False)
    months = r.months
    classes = [c["name"] for c in sc["shedding.feeder_class"]]

    def mean(metric: str, select: np.ndarray) -> tuple[float, float]:
        x = r.path_array(metric)[:, select].mean(axis=1)
        return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))

    ym = months.astype(str)
    seasons = {
        "summer: May-Sep 2026": np.isin(ym, ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]),
        "winter: Nov 2026-Feb 2027": np.isin(ym, ["2026-11", "2026-12", "2027-01", "2027-02"]),
        "Nov 2026": ym == "2026-11",
    }
    print(f"1. Hours of shedding a day by feeder class, without the allocation ({paths} paths, seed {seed})")
    rows = []
    for k, name in enumerate(classes, start=1):
        row = {"class": name}
        for label, select in seasons.items():
            x, se = mean(f"shed.class{k}_h_per_day_base", select)
            row[label] = f"{x:.2f} ± {se:.2f}"
        rows.append(row)
    row = {"class": "all (load-weighted)"}
    for label, select in seasons.items():
        x, se = mean("shed.households_h_per_day_base", select)
        row[label] = f"{x:.2f} ± {se:.2f}"
    rows.append(row)
    # Share of the existing load on classes shed more than 10 h that day: each path and month
    # counts the load shares of the classes above 10 h/day, averaged over the season's months.
    shares = np.array([c["load_share"] for c in sc["shedding.feeder_class"]])
    over = sum(shares[k] * (r.path_array(f"shed.class{k + 1}_h_per_day_base") > 10.0) for k in range(len(classes)))
    row = {"class": "share of load shed > 10 h/day"}
    for label, select in seasons.items():
        x = over[:, select].mean(axis=1)
        row[label] = f"{100 * x.mean():.1f} % ± {100 * x.std(ddof=1) / np.sqrt(len(x)):.1f}"
    rows.append(row)
    print(pd.DataFrame(rows).to_string(index=False))

    print("\n2-3. From explain_month on the first", explained, "paths:")
    june = int(np.flatnonzero(months.astype(str) == "2026-06")[0])
    short, gas, rlng = [], {}, {}
    for p in range(explained):
        for t in range(12):
            d = gr.explain_month(sc, seed=seed, path=p, month=t)
            b = d.blocks
            h = b["hours"]
            gas.setdefault(t, []).append(float((b["generation_local_gas_mw"] * h).sum() / 1000))
            rlng.setdefault(t, []).append(float((b["generation_rlng_ccgt_mw"] * h).sum() / 1000))
            if t == june:
                peak = int(b["latent_mw"].idxmax())
                short.append(float(b.loc[peak, "latent_mw"] - b.loc[peak, "served_base_mw"]))
    print(
        f"   June 2026 evening-peak shortfall (latent - served): {np.mean(short):,.0f} MW "
        f"(p5-p95 {np.percentile(short, 5):,.0f}-{np.percentile(short, 95):,.0f})"
    )
    table = pd.DataFrame(
        {
            "month": [str(m) for m in months[:12]],
            "local gas GWh": [f"{np.mean(gas[t]):,.0f}" for t in range(12)],
            "RLNG GWh": [f"{np.mean(rlng[t]):,.0f}" for t in range(12)],
        }
    )
    print(table.to_string(index=False))

    fy = (months >= pd.Period("2026-07", freq="M")) & (months <= pd.Period("2027-06", freq="M"))
    hours = np.array([m.days_in_month * 24 for m in months[fy]])
    served = (r.path_array("grid.served_load_base_mw")[:, fy] * hours).sum(axis=1) / 1000
    latent = (r.path_array("grid.latent_load_mw")[:, fy] * hours).sum(axis=1) / 1000
    print(
        f"\n4. FY2027 energy of the existing consumers: served {served.mean():,.0f} ± "
        f"{served.std(ddof=1) / np.sqrt(paths):,.0f} GWh, latent {latent.mean():,.0f} GWh "
        "(FY2025 generation 127,159 GWh)"
    )
    s = r.summary()
    cost = s.loc["cost_avoided_base_pkr_per_year"]
    rev = s.loc["revenue_forgone_base_pkr_per_year"]
    print(
        f"5. The feeder rules avoid generation cost of Rs {cost['mean'] / 1e9:,.0f} ± {cost['se'] / 1e9:,.0f} bn/yr "
        f"and forgo revenue of Rs {rev['mean'] / 1e9:,.0f} ± {rev['se'] / 1e9:,.0f} bn/yr: circular debt avoided "
        f"Rs {(cost['mean'] - rev['mean']) / 1e9:,.0f} bn/yr"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
