"""Key findings in sentences, with their Monte Carlo errors: what a staff report says first.

Each finding is generated from the results' own tables (nothing is typed in), so it always
matches them: the fiscal impact, its adverse tail, who pays, the load-shedding, whether the new
loads come, and, given a sensitivity analysis, what drives the risk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gridrisk import units

if TYPE_CHECKING:
    from gridrisk.results import Results
    from gridrisk.sensitivity import Sensitivity

__all__ = ["Finding", "key_findings"]


@dataclass(frozen=True)
class Finding:
    """One key finding: its topic (``"fiscal impact"``...) and the sentence that states it."""

    topic: str
    text: str


def _bn(x: float, se: float | None = None) -> str:
    """Rupees as ``"PKR 42.5 ± 1.1 bn"`` (or without the error)."""
    if se is None or not math.isfinite(se):
        return f"PKR {units.format_number(x * 1e-9)} bn"
    return f"PKR {units.format_pm(x * 1e-9, se * 1e-9)} bn"


def _bn_quantile(x: float, ci95: float) -> str:
    """A quantile of rupees as ``"PKR 137 bn"``, rounded to its own Monte Carlo error."""
    return f"PKR {units.format_quantile(x * 1e-9, ci95 * 1e-9)} bn"


def _pct(p: float, se: float | None = None) -> str:
    if se is None or not math.isfinite(se) or se == 0:
        return f"{units.format_number(100 * p, 1 if p < 0.995 else 0)} %"
    return f"{units.format_pm(100 * p, 100 * se)} %"


def key_findings(results: Results, sensitivity: Sensitivity | None = None) -> list[Finding]:
    """The key findings of a run, as sentences with their Monte Carlo errors.

    Parameters
    ----------
    results : Results
        A run of :func:`gridrisk.simulate`.
    sensitivity : Sensitivity, optional
        A :func:`gridrisk.sensitivity` analysis of the same scenario (``npv_pkr``): adds what
        drives the risk, by total Sobol index.

    Returns
    -------
    list of Finding
        In the order a staff report reads them: fiscal impact, tail, who pays, load-shedding,
        the new loads, drivers.
    """
    r = results
    s = r.summary()
    n = r.paths
    out: list[Finding] = []

    def row(name: str) -> Any:
        return s.loc[name]

    npv = row("npv_pkr")
    label, _ = r._base_fiscal_year()
    gdp_share = float(npv["mean"]) / r._gdp(0) * 100
    years = int(r.stats.months) / 12
    out.append(
        Finding(
            "fiscal impact",
            f"Over {units.format_number(years, 0 if years == int(years) else 1)} years the allocation's net present "
            f"value to the state is {_bn(npv['mean'], npv['se'])} on average over {n:,} paths "
            f"({units.format_number(gdp_share)} % of {label} GDP); nine paths in ten lie between "
            f"{_bn_quantile(npv['p5'], npv['p5_ci95'])} and {_bn_quantile(npv['p95'], npv['p95_ci95'])}, and "
            f"half are below {_bn_quantile(npv['p50'], npv['p50_ci95'])}.",
        )
    )

    p_loss, p_loss_se = float(npv["p_adverse"]), float(npv["p_adverse_se"])
    # The NPV's expected shortfall with its standard error (VaR, its se, CVaR, its se).
    cvar, cvar_se = r._adverse_tails(0.95)[r.outputs.index("npv_pkr")][2:]
    worst = row("worst_fiscal_year_net_flow_pkr")
    if p_loss > 0:
        tail = (
            f"The state loses money in present value on {_pct(p_loss, p_loss_se)} of paths; on the worst 5 % "
            f"the NPV averages {_bn(cvar, cvar_se)} (CVaR 95 %)."
        )
    else:
        tail = (
            f"No path loses money for the state in present value (none of {n:,}); the "
            f"worst 5 % of paths average an NPV of {_bn(cvar, cvar_se)}."
        )
    if math.isfinite(float(worst["mean"])):
        tail += f" The worst fiscal year's net flow averages {_bn(worst['mean'], worst['se'])}."
    out.append(Finding("tail risk", tail))

    cons, budget, debt = row("consumers_charge_pkr"), row("budget_subsidy_pkr"), row("circular_debt_change_pkr")
    who = (
        f"Over the horizon the other consumers' charge changes by {_bn(cons['mean'], cons['se'])} "
        f"({'a relief to them' if float(cons['mean']) < 0 else 'a cost to them'}), the budget subsidy by "
        f"{_bn(budget['mean'], budget['se'])}, and circular debt by {_bn(debt['mean'], debt['se'])}; circular "
        f"debt grows on {_pct(float(debt['p_adverse']), float(debt['p_adverse_se']))} of paths."
    )
    out.append(Finding("who pays", who))

    shed = row("households_shed_h_per_day_increase")
    eue = row("eue_households_increase_mwh_per_year")
    base, with_ = row("lole_base_h_per_year"), row("lole_with_h_per_year")
    h_yr, h_se = float(shed["mean"]) * 365.25, float(shed["se"]) * 365.25
    out.append(
        Finding(
            "load-shedding",
            f"Households' load-shedding rises by {units.format_pm(h_yr, h_se)} hours a year on average, and on "
            f"{_pct(float(shed['p_adverse']), float(shed['p_adverse_se']))} of paths at all; their unserved energy "
            f"rises by {units.format_pm(float(eue['mean']) / 1e3, float(eue['se']) / 1e3)} GWh a year. Loss of load "
            f"from capacity and fuel shortfalls goes from {units.format_pm(float(base['mean']), float(base['se']))} "
            f"to {units.format_pm(float(with_['mean']), float(with_['se']))} hours a year.",
        )
    )

    dc, mining = row("datacenter_arrived_share"), row("mining_ever_built")
    built = (
        "no mining fleet is built on any path"
        if float(mining["mean"]) == 0
        else f"a mining fleet is built on {_pct(float(mining['mean']), float(mining['se']))} of paths"
    )
    loads = f"On average {_pct(float(dc['mean']), float(dc['se']))} of the data-centre allocation is taken up; {built}."
    given = r.given("datacenters_all_arrived") if "datacenters_all_arrived" in r.conditions else None
    if given is not None and int(given.loc["npv_pkr", "n"]) > 1:
        g = given.loc["npv_pkr"]
        loads += (
            f" Given that the whole data-centre allocation arrives ({_pct(float(g['share']))} of paths), the NPV is "
            f"{_bn(float(g['mean']), float(g['se']))}."
        )
    out.append(Finding("the new loads", loads))

    if sensitivity is not None:
        ind = sensitivity.indices.sort_values("total", ascending=False)
        top = [
            f"{units.GROUP_WORDS.get(str(name), str(name)).lower()}"
            f"{' (a parameter)' if t.get('kind') == 'parameter' else ''} "
            f"({units.format_pm(float(t['total']), float(t.get('total_ci', math.nan)) / 1.96)})"
            for name, t in ind.head(3).iterrows()
        ]
        what = units.describe(sensitivity.output).lower()
        out.append(
            Finding(
                "what drives the risk",
                f"By total Sobol index (share of the variance of the {what} each group explains with its "
                f"interactions, ± its standard error, {sensitivity.paths:,} paths per run), the risk is driven by "
                f"{', then '.join(top)}.",
            )
        )
    return out
