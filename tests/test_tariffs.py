"""Tariff regimes, who pays the gap, the NPV's decomposition and the economy, through the public
API (docs/model.md §4, §8.3-§8.6): exact properties on every path, on short horizons.
"""

from __future__ import annotations

import math
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from conftest import capacity_only

#: The preset's package: its last month, and that month's index in a run from April 2026.
UNTIL, UNTIL_T = "2028-10", 30
#: Four standard errors: a false alarm about once in 16,000 tests.
K = 4.0


#: The preset with the new loads as fixed quantities (conftest.fixed_loads): this module tests
#: what happens to loads that are there.
FIXED_LOADS = True


def run(sc: gr.Scenario, paths: int = 300, seed: int = 21) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=seed, keep_paths=True, progress=False)


def horizon(preset: gr.Scenario, months: int) -> gr.Scenario:
    """The preset from April 2026 over ``months`` months."""
    assert preset["simulation.start"] == "2026-04"
    return preset.replace({"simulation.horizon_months": months})


def fixed(pkr_per_kwh: float) -> list[dict[str, Any]]:
    return [{"regime": "fixed_pkr", "pkr_per_kwh": pkr_per_kwh}]


def shares(budget: float, consumers: float, circular_debt: float, **extra: float) -> dict[str, Any]:
    """Overrides of the incidence shares (and e.g. an envelope)."""
    out: dict[str, Any] = {
        "incidence.budget_share": budget,
        "incidence.consumers_share": consumers,
        "incidence.circular_debt_share": circular_debt,
    }
    out.update({f"incidence.{k}": v for k, v in extra.items()})
    return out


def discount_rate(sc: gr.Scenario) -> float:
    """Declared, or the economy's real rate compounded with inflation (§8.6): an oracle."""
    d = sc.to_dict()
    if "discount_rate_annual" in d["fiscal"]:
        return float(d["fiscal"]["discount_rate_annual"])
    e = d["economy"]
    return (1 + e["real_discount_rate_annual"]) * (1 + e["inflation_annual"]) - 1


def discount(sc: gr.Scenario, rate: float | None = None) -> np.ndarray:
    """End-of-month discount factors."""
    r = discount_rate(sc) if rate is None else rate
    return (1 + r) ** (-(np.arange(sc.months) + 1) / 12)


def month_labels(res: gr.Results) -> list[str]:
    """The months of the run, ``"YYYY-MM"``."""
    return [str(m) for m in res.schedule().index]


def fiscal_years(res: gr.Results) -> np.ndarray:
    """The fiscal year (July-June, named after the year it ends in) of each month."""
    ym = [tuple(int(x) for x in m.split("-")) for m in month_labels(res)]
    return np.array([y + (m >= 7) for y, m in ym])


def hours(res: gr.Results) -> np.ndarray:
    return res.schedule()["days"].to_numpy() * 24.0


def close(a: np.ndarray, b: np.ndarray, what: str, rtol: float = 1e-12) -> None:
    """Equal to rounding: relative to each value, or to the scale of the whole array near zero."""
    if np.size(a) == 0 and np.size(b) == 0:
        return
    scale = max(float(np.abs(a).max()), float(np.abs(b).max()), 1.0)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale, err_msg=what)


def fytd(x: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """Running sums of monthly flows from each July."""
    out = np.zeros_like(x)
    for year in np.unique(fy):
        cols = fy == year
        out[:, cols] = np.cumsum(x[:, cols], axis=1)
    return out


# -- no allocation, no money ----------------------------------------------------------------------


#: The preset with every money channel switched on: budget (with an envelope), other consumers and
#: circular debt, a reserve levy sold at the horizon, a revenue-share and a cost-plus tariff, no
#: tax holidays.
EVERY_CHANNEL: dict[str, Any] = {
    **shares(0.3, 0.5, 0.2, budget_envelope_pkr_per_fiscal_year=1e9),
    "reserve.levy_share": 0.1,
    "reserve.disposal": "sell_at_horizon",
    "mining.tariff": [{"regime": "floor_plus_share", "floor_pkr_per_kwh": 10.0, "revenue_share": 0.2}],
    "datacenters.tariff": [{"regime": "cost_plus", "markup": 0.1, "reference": "own_average"}],
    "mining.tax_holiday_months": 0,
    "datacenters.tax_holiday_months": 0,
}


@pytest.mark.parametrize("overrides", [{}, EVERY_CHANNEL], ids=["preset", "every_channel"])
def test_zero_allocation_is_exactly_zero_on_every_money_channel(preset: gr.Scenario, overrides: dict[str, Any]) -> None:
    sc = horizon(preset, 36).replace({**overrides, "allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0})
    assert sc["reserve.initial_btc"] == 0.0
    assert sc["reserve.purchase_usd_per_month"] == 0.0
    res = run(sc, paths=200)
    # Every flow of the state's accounts, of who pays the gap and of the reserve, the grid's cost
    # and the money of the existing consumers the allocation displaces through the feeder rules
    # (what the rules shed without the allocation, the "_base" figures, is there without it).
    metrics = [m for m in res.metrics if m.split(".")[0] in ("fiscal", "incidence", "reserve")]
    metrics += ["grid.added_cost_pkr", "mining.btc_mined"]
    metrics += [m for m in res.metrics if m.startswith("shed.") and m.endswith("_increase_pkr")]
    required = {
        "fiscal.tariff_revenue_pkr",
        "grid.added_cost_pkr",
        "fiscal.gap_pkr",
        "incidence.budget_pkr",
        "incidence.consumers_pkr",
        "incidence.consumers_pkr_per_kwh",
        "fiscal.circular_debt_flow_pkr",
        "fiscal.tax_pkr",
        "fiscal.tax_expenditure_pkr",
        "fiscal.sales_tax_pkr",
        "fiscal.surcharge_pkr",
        "fiscal.net_flow_pkr",
        "fiscal.net_flow_mining_pkr",
        "fiscal.net_flow_datacenters_pkr",
        "fiscal.net_flow_package_pkr",
        "fiscal.net_flow_fytd_pkr",
        "fiscal.circular_debt_fytd_pkr",
        "incidence.budget_fytd_pkr",
        "incidence.consumers_fytd_pkr",
        "reserve.purchases_pkr",
        "shed.revenue_forgone_increase_pkr",
        "shed.cost_avoided_increase_pkr",
        "fiscal.displaced_revenue_fytd_pkr",
    }
    assert required <= set(metrics)
    for m in metrics:
        assert np.all(res.path_array(m) == 0.0), m
    # Every per-path money output, the NPV and each of its parts; not the shedding's "_base"
    # money (the revenue and cost of the load the feeder rules shed without the allocation).
    money = [o for o in res.outputs if o.startswith("npv_") or o.endswith(("_pkr", "_pkr_per_year"))]
    base = {o for o in money if "_base_" in o}
    assert base == {"revenue_forgone_base_pkr_per_year", "cost_avoided_base_pkr_per_year"}
    assert all((res.path_output(o) > 0).all() for o in base)
    outputs = [o for o in money if o not in base]
    npv_parts = {
        "npv_pkr",
        "npv_real_pkr",
        "npv_tariff_revenue_pkr",
        "npv_generation_cost_pkr",
        "npv_consumers_charge_pkr",
        "npv_tax_pkr",
        "npv_sales_tax_pkr",
        "npv_surcharge_pkr",
        "npv_reserve_pkr",
        "npv_mining_pkr",
        "npv_datacenters_pkr",
        "npv_package_period_pkr",
        "npv_displaced_revenue_pkr",
    }
    increases = {"revenue_forgone_increase_pkr_per_year", "cost_avoided_increase_pkr_per_year"}
    assert npv_parts | increases | {"budget_subsidy_pkr", "consumers_charge_pkr", "circular_debt_change_pkr"} <= set(
        outputs
    )
    for o in outputs:
        assert np.all(res.path_output(o) == 0.0), o
    # The tariffs are still priced; nothing is billed at them.
    assert np.all(res.path_array("tariff.mining_pkr_per_kwh") > 0)
    assert np.all(res.path_array("tariff.datacenters_pkr_per_kwh") > 0)


# -- who pays the gap -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "incidence",
    [
        shares(0.0, 0.9, 0.1),
        shares(0.3, 0.5, 0.2),
        shares(0.6, 0.3, 0.1, budget_envelope_pkr_per_fiscal_year=5e9),
        shares(1.0, 0.0, 0.0),
        shares(0.0, 0.0, 1.0),
    ],
    ids=["preset", "three_ways", "envelope", "budget", "circular_debt"],
)
def test_incidence_parts_sum_to_the_gap_on_every_path_and_month(preset: gr.Scenario, incidence: dict[str, Any]) -> None:
    # Cheap data centres (the gap is positive) next to dear miners (negative when they run).
    sc = horizon(preset, 24).replace(
        {**incidence, "datacenters.tariff": fixed(12.0), "mining.tariff": fixed(60.0), "mining.contract": "take_or_pay"}
    )
    res = run(sc)
    a = res.path_array
    gap, budget, consumers, cd = (
        a("fiscal.gap_pkr"),
        a("incidence.budget_pkr"),
        a("incidence.consumers_pkr"),
        a("fiscal.circular_debt_flow_pkr"),
    )
    assert (gap > 0).any()
    assert (gap < 0).any()
    # The revenue of the existing consumers the new loads displace through the feeder rules is
    # part of what their bills must cover.
    displaced = a("shed.revenue_forgone_increase_pkr")
    assert (displaced > 0).any()
    close(
        gap,
        (a("grid.added_cost_pkr") + displaced) - a("fiscal.tariff_revenue_pkr"),
        "gap = (added cost + displaced revenue) - revenue",
    )
    close(budget + consumers + cd, gap, "budget + consumers + circular debt = gap")
    theta_b, theta_x = incidence["incidence.budget_share"], incidence["incidence.consumers_share"]
    close(consumers, theta_x * gap, "the other consumers' share")
    if "incidence.budget_envelope_pkr_per_fiscal_year" in incidence:
        assert np.all(budget <= theta_b * np.maximum(gap, 0) * (1 + 1e-12))
        close(budget[gap <= 0], theta_b * gap[gap <= 0], "a surplus is shared by the same shares")
        assert (budget < theta_b * gap * (1 - 1e-9)).any()  # the envelope bound somewhere
    else:
        close(budget, theta_b * gap, "the budget's share")
    # Per kWh of the other consumers' sales.
    sales_kwh = a("demand.load_mw") * hours(res) * sc["incidence.base_sales_per_mwh_of_load"] * 1000
    close(a("incidence.consumers_pkr_per_kwh"), consumers / sales_kwh, "consumers' charge per kWh")
    # The net flow leaves out what the other consumers carry.
    net = -budget - cd + a("fiscal.tax_pkr") + a("fiscal.sales_tax_pkr") + a("fiscal.surcharge_pkr")
    close(a("fiscal.net_flow_pkr"), net - a("reserve.purchases_pkr"), "net = -budget - circular debt + taxes")
    # Running fiscal-year totals, and the horizon's totals.
    fy = fiscal_years(res)
    for name, flow in [
        ("incidence.budget_fytd_pkr", budget),
        ("incidence.consumers_fytd_pkr", consumers),
        ("fiscal.circular_debt_fytd_pkr", cd),
        ("fiscal.net_flow_fytd_pkr", a("fiscal.net_flow_pkr")),
    ]:
        close(a(name), fytd(flow, fy), name, rtol=1e-10)
    for name, flow in [
        ("budget_subsidy_pkr", budget),
        ("consumers_charge_pkr", consumers),
        ("circular_debt_change_pkr", cd),
    ]:
        close(res.path_output(name), flow.sum(axis=1), name, rtol=1e-10)


def test_budget_envelope_caps_the_budget_and_the_excess_is_circular_debt(preset: gr.Scenario) -> None:
    envelope = 1e10
    # Cheap tariffs: the gap is positive, some PKR 5-10 bn a month once the data centres run.
    base = horizon(preset, 36).replace(
        {**shares(1.0, 0.0, 0.0), "mining.tariff": fixed(8.0), "datacenters.tariff": fixed(8.0)}
    )
    capped = base.replace({"incidence.budget_envelope_pkr_per_fiscal_year": envelope})
    free, res = run(base), run(capped)
    a = res.path_array
    gap, budget, cd = a("fiscal.gap_pkr"), a("incidence.budget_pkr"), a("fiscal.circular_debt_flow_pkr")
    assert np.array_equal(free.path_array("incidence.budget_pkr"), free.path_array("fiscal.gap_pkr"))
    assert np.all(free.path_array("fiscal.circular_debt_flow_pkr") == 0.0)
    # Who pays the gap changes neither the gap nor the state's net flow in the capacity-only model
    # (conftest.capacity_only). With the preset's liquidity loop the circular debt the envelope
    # leaves idles imported-fuel plant from the next month on, and so changes the grid: the gap
    # and net flow are the same exactly as long as the imported capacity available is.
    free_c, capped_c = run(capacity_only(base)), run(capacity_only(capped))
    assert (capped_c.path_array("fiscal.circular_debt_flow_pkr") > 0).any()
    for m in ("fiscal.gap_pkr", "fiscal.net_flow_pkr"):
        assert np.array_equal(capped_c.path_array(m), free_c.path_array(m)), m
    same_grid = np.cumprod(
        a("grid.imported_available_share") == free.path_array("grid.imported_available_share"), axis=1
    ).astype(bool)
    assert same_grid.any()
    assert not same_grid.all()
    for m in ("fiscal.gap_pkr", "fiscal.net_flow_pkr"):
        assert np.array_equal(a(m)[same_grid], free.path_array(m)[same_grid]), m
    # The budget's fiscal-year total never exceeds the envelope; the rest is circular debt.
    fy = fiscal_years(res)
    budget_fytd = a("incidence.budget_fytd_pkr")
    assert np.all(budget_fytd <= envelope * (1 + 1e-12))
    june = np.array([m.endswith("-06") for m in month_labels(res)])
    assert np.all(budget_fytd[:, june] <= envelope * (1 + 1e-12))
    close(budget + cd, gap, "budget + circular debt = gap")
    assert (cd > 0).any()
    assert np.all(cd >= -1e-12 * np.abs(gap).max())
    # The envelope month by month: a positive gap is paid up to what is left of the year's
    # envelope, a negative one is shared as declared and does not refill it.
    want = np.zeros_like(gap)
    for p in range(gap.shape[0]):
        used, year = 0.0, None
        for t in range(gap.shape[1]):
            if fy[t] != year:
                used, year = 0.0, fy[t]
            if gap[p, t] > 0:
                want[p, t] = min(gap[p, t], max(envelope - used, 0.0))
                used += want[p, t]
            else:
                want[p, t] = gap[p, t]
    close(budget, want, "the budget's part under the envelope")
    # The fiscal years' totals: where a year's gap (positive every month) exceeds the envelope,
    # the budget pays exactly the envelope and circular debt the excess. The gap is positive in
    # almost every month; with the preset's fuel limits a winter month's take-or-pay RLNG
    # (dispatched at a shadow price of zero) can bring the generation cost below the tariff, and
    # the year totals hold in closed form only for the years without such a month (the
    # month-by-month envelope above covers them all).
    assert (gap > 0).mean() > 0.99
    bound = 0
    for year in np.unique(fy):
        cols = fy == year
        positive = (gap[:, cols] > 0).all(axis=1)
        year_gap = gap[:, cols].sum(axis=1)
        binding = positive & (year_gap > envelope)
        within = positive & (year_gap <= envelope)
        close(budget[:, cols].sum(axis=1)[binding], np.full(binding.sum(), envelope), f"FY{year} envelope used up")
        close(cd[:, cols].sum(axis=1)[binding], year_gap[binding] - envelope, f"FY{year} excess")
        close(budget[:, cols].sum(axis=1)[within], year_gap[within], f"FY{year} within the envelope")
        bound += binding.sum()
    assert bound > 0


# -- the NPV and its parts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "mining.contract": "take_or_pay",
            "reserve.levy_share": 0.1,
            "reserve.purchase_usd_per_month": 1e6,
            "reserve.disposal": "sell_at_horizon",
        },
        {
            "mining.contract": "take_or_pay",
            "reserve.levy_share": 0.1,
            "reserve.purchase_usd_per_month": 1e6,
            "reserve.disposal": "hold",
        },
    ],
    ids=["preset", "reserve_sold", "reserve_held"],
)
def test_npv_decomposes_by_channel_and_by_load_on_every_path(preset: gr.Scenario, overrides: dict[str, Any]) -> None:
    sc = horizon(preset, 36).replace(overrides)
    res = run(sc)
    df = discount(sc)
    out = res.path_output
    # Each channel is the discounted sum of its monthly metric.
    for output, metric in [
        ("npv_tariff_revenue_pkr", "fiscal.tariff_revenue_pkr"),
        ("npv_generation_cost_pkr", "grid.added_cost_pkr"),
        ("npv_consumers_charge_pkr", "incidence.consumers_pkr"),
        ("npv_tax_pkr", "fiscal.tax_pkr"),
        ("npv_sales_tax_pkr", "fiscal.sales_tax_pkr"),
        ("npv_surcharge_pkr", "fiscal.surcharge_pkr"),
        ("npv_reserve_pkr", "reserve.purchases_pkr"),
        ("npv_mining_pkr", "fiscal.net_flow_mining_pkr"),
        ("npv_datacenters_pkr", "fiscal.net_flow_datacenters_pkr"),
        ("npv_package_period_pkr", "fiscal.net_flow_package_pkr"),
        ("npv_displaced_revenue_pkr", "shed.revenue_forgone_increase_pkr"),
    ]:
        close(out(output), res.path_array(metric) @ df, output, rtol=1e-10)
    assert (out("npv_displaced_revenue_pkr") > 0).any()
    # The reserve's BTC under the policy enter the NPV at the horizon only when sold there.
    price, fx = res.path_array("bitcoin.price_usd")[:, -1], res.path_array("fx.pkr_per_usd")[:, -1]
    policy_btc = res.path_array("reserve.btc")[:, -1] - sc["reserve.initial_btc"]
    sold = sc["reserve.disposal"] == "sell_at_horizon"
    terminal = policy_btc * price * fx * df[-1] * sold
    if not overrides:
        assert np.all(terminal == 0.0)
    else:
        assert np.all(policy_btc > 0)
    npv = out("npv_pkr")
    close(npv, res.path_array("fiscal.net_flow_pkr") @ df + terminal, "npv", rtol=1e-10)
    by_channel = (
        out("npv_tariff_revenue_pkr")
        - out("npv_generation_cost_pkr")
        + out("npv_consumers_charge_pkr")
        + out("npv_tax_pkr")
        + out("npv_sales_tax_pkr")
        + out("npv_surcharge_pkr")
        - out("npv_reserve_pkr")
        - out("npv_displaced_revenue_pkr")
        + terminal
    )
    close(npv, by_channel, "npv by channel", rtol=1e-10)
    by_load = out("npv_mining_pkr") + out("npv_datacenters_pkr") - out("npv_reserve_pkr") + terminal
    close(npv, by_load, "npv by load", rtol=1e-10)
    # Results.decomposition: the channels' means add up to the NPV's; when the reserve is sold at
    # the horizon the rest is its discounted value then.
    t = res.decomposition(by="channel")
    displaced = t.loc["revenue of consumers displaced by shedding", "mean"]
    assert displaced == pytest.approx(-out("npv_displaced_revenue_pkr").mean(), rel=1e-9)
    memo = [i for i in t.index if i.startswith("memo:")]
    assert memo == ["memo: miners' bad debt (in the lines above)"]
    assert t.loc[memo[0], "mean"] == pytest.approx(-out("npv_bad_debt_pkr").mean(), rel=1e-9, abs=1e-6)
    parts = t["mean"].drop(["total", *memo])
    if sold:
        assert parts["reserve sold at the horizon"] == pytest.approx(terminal.mean(), rel=1e-9)
        parts = parts.drop("reserve sold at the horizon")
    else:
        assert "reserve sold at the horizon" not in t.index
    assert t.loc["total", "mean"] == pytest.approx(parts.sum() + terminal.mean(), rel=1e-9)


def test_package_period_is_the_months_under_the_package(preset: gr.Scenario) -> None:
    # Without reviews the package cannot end early: it covers both loads up to `until`.
    sc = horizon(preset, 36).replace({"mining.tariff[0].review_months": 0, "datacenters.tariff[0].review_months": 0})
    assert sc["mining.tariff[0].until"] == sc["datacenters.tariff[0].until"] == UNTIL
    res = run(sc)
    assert month_labels(res)[UNTIL_T] == UNTIL
    net = res.path_array("fiscal.net_flow_pkr")
    under = np.arange(sc.months) <= UNTIL_T
    assert np.array_equal(res.path_array("fiscal.net_flow_package_pkr"), net * under)
    close(res.path_output("npv_package_period_pkr"), net[:, under] @ discount(sc)[under], "package-period NPV")
    assert np.all(res.path_array("tariff.package_share")[:, ~under] == 0.0)


def test_package_period_with_reviews(preset: gr.Scenario) -> None:
    # The preset's package can end early (two upward reviews in a row); it never outlives `until`.
    sc = horizon(preset, 36)
    res = run(sc)
    net, pk = res.path_array("fiscal.net_flow_pkr"), res.path_array("fiscal.net_flow_package_pkr")
    assert np.all((pk == net) | (pk == 0.0))
    share = res.path_array("tariff.package_share")
    assert np.array_equal(pk[share > 0], net[share > 0])
    assert np.all(pk[:, UNTIL_T + 1 :] == 0.0)
    assert np.all(share[:, UNTIL_T + 1 :] == 0.0)
    close(res.path_output("npv_package_period_pkr"), pk @ discount(sc), "package-period NPV", rtol=1e-10)


@pytest.mark.parametrize("inflation", [0.0, 0.06])
def test_real_npv_equals_nominal_with_the_derived_discount_rate(preset: gr.Scenario, inflation: float) -> None:
    sc = horizon(preset, 24).replace({"economy.inflation_annual": inflation})
    assert "discount_rate_annual" not in sc.to_dict()["fiscal"]
    res = run(sc, paths=200)
    npv, real = res.path_output("npv_pkr"), res.path_output("npv_real_pkr")
    close(real, npv, "npv_real = npv")
    # Declared, the nominal rate no longer matches the economy's: in constant rupees the NPV
    # deflates each flow by the price level and discounts it at the real rate.
    declared = run(sc.replace({"fiscal.discount_rate_annual": 0.2}), paths=200)
    e = sc.to_dict()["economy"]
    real_df = ((1 + e["real_discount_rate_annual"]) * (1 + inflation)) ** (-(np.arange(sc.months) + 1) / 12)
    net = declared.path_array("fiscal.net_flow_pkr")
    close(declared.path_output("npv_real_pkr"), net @ real_df, "real npv", rtol=1e-10)
    close(declared.path_output("npv_pkr"), net @ discount(sc, 0.2), "nominal npv at the declared rate", rtol=1e-10)
    assert np.all(declared.path_output("npv_pkr") != declared.path_output("npv_real_pkr"))


# -- the incremental package, then the industrial tariff -------------------------------------------


def fuel_index(res: gr.Results) -> np.ndarray:
    """phi_t = mc_{t-1} / mc_0 (phi_0 = 1): last month's base marginal cost over the first month's.

    The marginal cost the index reads prices a take-or-pay volume at the margin at its fuel's
    market price (grid.marginal_cost_priced_pkr_per_kwh), not at its shadow price.
    """
    mc = res.path_array("grid.marginal_cost_priced_pkr_per_kwh")
    phi = np.ones_like(mc)
    phi[:, 1:] = mc[:, :-1] / mc[:, :1]
    return phi


@pytest.mark.parametrize("load", ["mining", "datacenters"])
def test_package_price_stays_at_base_then_industrial_indexed_from_the_start(preset: gr.Scenario, load: str) -> None:
    sc = horizon(preset, 36).replace(
        {
            f"{ld}.tariff[0].{k}": 0
            for ld in ("mining", "datacenters")
            for k in ("reference_fuel_pkr_per_kwh", "review_months", "cap_gwh_per_fiscal_year")
        }
    )
    base, industrial = sc[f"{load}.tariff[0].base_pkr_per_kwh"], sc[f"{load}.tariff[1]"]
    assert (base, industrial["base_pkr_per_kwh"]) == (22.98, 29.54)
    res = run(sc)
    price = res.path_array(f"tariff.{load}_pkr_per_kwh")
    months = month_labels(res)
    nov, jan28, jan29 = months.index("2028-11"), months.index("2028-01"), months.index("2029-01")
    assert nov == UNTIL_T + 1
    # Exactly the base rate up to `until`.
    assert np.all(price[:, :nov] == 22.98)
    # Then the industrial base indexed, as of the latest January, to the exchange rate, the
    # fuel-cost index and the price level since the run's first month: the indexation accrued
    # before the regime starts is not lost.
    fx, phi = res.path_array("fx.pkr_per_usd"), fuel_index(res)
    cpi = (1 + sc["economy.inflation_annual"]) ** (np.arange(sc.months) / 12)

    def rate(j: int) -> np.ndarray:
        w = industrial
        return 29.54 * (w["fx_weight"] * fx[:, j] / fx[:, 0] + w["fuel_weight"] * phi[:, j] + w["cpi_weight"] * cpi[j])

    close(price[:, nov], rate(jan28), "November after the package: January 2028's index")
    assert np.all(price[:, nov:jan29] == price[:, nov : nov + 1])
    close(price[:, jan29], rate(jan29), "the January 2029 rebasing")
    assert np.all(price[:, jan29:] == price[:, jan29 : jan29 + 1])
    assert np.all(res.path_array("tariff.package_share")[:, nov:] == 0.0)


def test_package_passes_through_only_upward_fuel_cost_adjustments(preset: gr.Scenario) -> None:
    sc = horizon(preset, 31).replace(
        {
            f"{ld}.tariff[0].{k}": 0
            for ld in ("mining", "datacenters")
            for k in ("review_months", "cap_gwh_per_fiscal_year")
        }
    )
    res = run(sc)
    phi = fuel_index(res)
    ref = sc["mining.tariff[0].reference_fuel_pkr_per_kwh"]
    assert ref == sc["datacenters.tariff[0].reference_fuel_pkr_per_kwh"] == 8.13
    want = 22.98 + np.maximum(ref * (phi - 1), 0.0)
    for load in ("mining", "datacenters"):
        price = res.path_array(f"tariff.{load}_pkr_per_kwh")
        np.testing.assert_allclose(price, want, rtol=1e-12, atol=1e-9, err_msg=load)
        # With the fuel cost at or below its level of the first month, exactly the base rate.
        low = phi <= 1 - 1e-9
        assert low.any()
        assert (phi > 1 + 1e-9).any()
        assert np.all(price[low] == 22.98)


def test_package_cap_bills_the_excess_at_the_next_regime(preset: gr.Scenario) -> None:
    cap_gwh = 100.0
    sc = horizon(preset, 24).replace(
        {
            "allocation.mining_mw": 0.0,
            "datacenters.ramp_months": 0,
            "datacenters.tariff[0].review_months": 0,
            "datacenters.tariff[0].reference_fuel_pkr_per_kwh": 0.0,
            "datacenters.tariff[0].cap_gwh_per_fiscal_year": cap_gwh,
        }
    )
    res = run(sc, paths=100)
    energy = res.path_array("datacenters.load_mw") * hours(res)  # MWh at the meter
    covered = np.zeros_like(energy)
    fy = fiscal_years(res)
    used = np.zeros(energy.shape[0])
    for t in range(sc.months):
        if t == 0 or fy[t] != fy[t - 1]:
            used[:] = 0.0
        covered[:, t] = np.minimum(energy[:, t], np.maximum(cap_gwh * 1000 - used, 0.0))
        used += covered[:, t]
    assert (covered == 0).any()
    assert (covered > 0).any()
    close(res.path_array("tariff.package_share"), covered / energy, "package share")
    collection, tx = sc["fiscal.collection_rate"], sc.to_dict()["taxes"]
    # The excess pays the industrial rate, indexed as of the latest January since the start.
    ind = sc["datacenters.tariff[1]"]
    fx, phi = res.path_array("fx.pkr_per_usd"), fuel_index(res)
    cpi = (1 + sc["economy.inflation_annual"]) ** (np.arange(sc.months) / 12)
    months = month_labels(res)
    jan = np.array([max([j for j in range(t + 1) if months[j].endswith("-01")], default=0) for t in range(sc.months)])
    index = ind["fx_weight"] * fx[:, jan] / fx[:, :1] + ind["fuel_weight"] * phi[:, jan] + ind["cpi_weight"] * cpi[jan]
    index[:, jan == 0] = 1.0  # before the first January: the first month's (index one)
    billed = covered * 22_980.0 + (energy - covered) * 29_540.0 * index
    close(res.path_array("fiscal.tariff_revenue_pkr"), collection * billed, "revenue")
    # Package units pay no debt-service surcharge; the excess does.
    surcharge = collection * 1000 * tx["debt_service_surcharge_pkr_per_kwh"] * (energy - covered)
    close(res.path_array("fiscal.surcharge_pkr"), surcharge, "surcharge")
    # The metric is the average price billed.
    close(res.path_array("tariff.datacenters_pkr_per_kwh"), billed / energy / 1000, "average price")


# -- the economy ----------------------------------------------------------------------------------


def derived_fx_drift(d: dict[str, Any]) -> tuple[float, float]:
    """(median log drift, expected drift) of the exchange rate from the economy (docs/model.md §4)."""
    e, fx = d["economy"], d["fx"]
    log_drift = math.log((1 + e["inflation_annual"]) / (1 + e["us_inflation_annual"])) + e["fx_risk_premium_annual"]
    m, s = fx["jump_mean"], fx["jump_sd"]
    convexity = fx["vol_annual"] ** 2 / 2 + fx["jump_intensity_annual"] * (math.exp(m + s * s / 2) - 1 - m)
    return log_drift, log_drift + convexity


@pytest.mark.parametrize(
    "economy",
    [
        {},
        {"economy.inflation_annual": 0.12, "economy.us_inflation_annual": 0.03, "economy.fx_risk_premium_annual": 0.02},
    ],
    ids=["preset", "high_inflation"],
)
def test_fx_drift_follows_the_inflation_differential(preset: gr.Scenario, economy: dict[str, Any]) -> None:
    sc = horizon(preset, 121).replace({**economy, "allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0})
    d = sc.to_dict()
    assert "drift_annual" not in d["fx"]
    log_drift, drift = derived_fx_drift(d)
    fx = run(sc, paths=2_000, seed=5).path_array("fx.pkr_per_usd")
    assert fx.shape[1] == 121
    ratio = fx[:, 120] / d["fx"]["rate0_pkr_per_usd"]  # ten years on
    n = ratio.size
    # E[rate_120] = rate_0 exp(10 mu), and the median path depreciates at the differential plus
    # the premium: E[ln rate_120 / rate_0] = 10 (ln((1 + pi)/(1 + pi_US)) + premium).
    se = ratio.std(ddof=1) / math.sqrt(n)
    assert abs(ratio.mean() - math.exp(10 * drift)) <= K * se, (ratio.mean(), math.exp(10 * drift), se)
    logs = np.log(ratio)
    se = logs.std(ddof=1) / math.sqrt(n)
    assert abs(logs.mean() - 10 * log_drift) <= K * se, (logs.mean(), 10 * log_drift, se)


def test_reserve_revaluation_starts_at_zero_and_tracks_the_price(preset: gr.Scenario) -> None:
    sc = preset.replace({"simulation.horizon_months": 3, "reserve.initial_btc": 100.0})
    r = gr.simulate(sc, paths=4, seed=1, keep_paths=True, progress=False)
    reval = r.path_array("reserve.revaluation_pkr")
    btc_pkr = r.path_array("bitcoin.price_usd") * r.path_array("fx.pkr_per_usd")
    assert (reval[:, 0] == 0.0).all()
    np.testing.assert_allclose(reval[:, 1:], 100.0 * np.diff(btc_pkr, axis=1), rtol=1e-12)


def test_imports_and_emissions_follow_the_added_generation(preset: gr.Scenario) -> None:
    sc = preset.replace({"simulation.horizon_months": 12})
    r = gr.simulate(sc, paths=200, seed=3, keep_paths=True, progress=False)
    fx = r.path_array("fx.pkr_per_usd")
    co2 = r.path_array("emissions.tco2")
    price = sc["economy.shadow_carbon_price_usd_per_tco2"]
    np.testing.assert_allclose(r.path_array("emissions.carbon_cost_pkr"), co2 * price * fx, rtol=1e-12)
    imports = sum(r.path_array(f"bop.{f}_imports_usd") for f in ("oil", "lng", "coal"))
    np.testing.assert_allclose(r.path_array("bop.net_usd"), r.path_array("bop.inflows_usd") - imports, rtol=1e-9)
    assert (co2 > 0).any()
    assert (imports >= 0).all()
    # Without the allocation nothing is burnt for it.
    none = gr.simulate(
        sc.replace({"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0}),
        paths=200,
        seed=3,
        keep_paths=True,
        progress=False,
    )
    for metric in (
        "emissions.tco2",
        "bop.lng_imports_usd",
        "bop.coal_imports_usd",
        "bop.oil_imports_usd",
        "bop.net_usd",
    ):
        assert (none.path_array(metric) == 0.0).all(), metric


@pytest.mark.parametrize("disposal", ["hold", "sell_at_horizon"])
def test_fiscal_year_flows_decompose_by_channel_on_every_path(preset: gr.Scenario, disposal: str) -> None:
    sc = preset.replace(
        {"simulation.horizon_months": 28, "reserve.purchase_usd_per_month": 1e6, "reserve.disposal": disposal}
    )
    r = gr.simulate(sc, paths=300, seed=9, keep_paths=True, progress=False)
    june = 14  # April 2026 start: FY2027 ends in June 2027, month 14
    get = lambda m: r.path_array(m)[:, june]  # noqa: E731
    parts = (
        get("fiscal.tariff_revenue_fytd_pkr")
        - get("fiscal.generation_cost_fytd_pkr")
        + get("incidence.consumers_fytd_pkr")
        + get("fiscal.tax_fytd_pkr")
        + get("fiscal.sales_tax_fytd_pkr")
        + get("fiscal.surcharge_fytd_pkr")
        - get("reserve.purchases_fytd_pkr")
        - get("fiscal.displaced_revenue_fytd_pkr")
    )
    net = get("fiscal.net_flow_fytd_pkr")
    displaced = r.path_array("shed.revenue_forgone_increase_pkr")[:, 3:15].sum(axis=1)
    assert (displaced > 0).any()
    np.testing.assert_allclose(get("fiscal.displaced_revenue_fytd_pkr"), displaced, rtol=1e-9)
    np.testing.assert_allclose(parts, net, rtol=1e-9, atol=1e-3 * np.abs(net).max())
    np.testing.assert_allclose(net, r.path_array("fiscal.net_flow_pkr")[:, 3:15].sum(axis=1), rtol=1e-9)
    by_load = get("fiscal.net_flow_mining_fytd_pkr") + get("fiscal.net_flow_datacenters_fytd_pkr")
    np.testing.assert_allclose(
        by_load - get("reserve.purchases_fytd_pkr"), net, rtol=1e-9, atol=1e-3 * np.abs(net).max()
    )
    package = r.path_array("fiscal.net_flow_package_pkr")[:, 3:15].sum(axis=1)
    np.testing.assert_allclose(get("fiscal.net_flow_package_fytd_pkr"), package, rtol=1e-9, atol=1e-6)
    t = r.fiscal_year_table(by="channel").loc["FY2027"]
    assert t.loc["net fiscal flow", "mean"] == pytest.approx(t["mean"].drop("net fiscal flow").sum(), rel=1e-9)
    assert t.loc["reserve purchases", "mean"] < 0
    assert t.loc["revenue of consumers displaced by shedding", "mean"] == pytest.approx(-displaced.mean(), rel=1e-9)


def test_the_rates_the_engine_uses_are_declared_or_derived(preset: gr.Scenario) -> None:
    assert preset.discount_rate_annual == pytest.approx(discount_rate(preset), rel=1e-12)
    declared = preset.replace({"fiscal.discount_rate_annual": 0.07, "fx.drift_annual": 0.1})
    assert (declared.discount_rate_annual, declared.fx_drift_annual) == (0.07, 0.1)
    e, f = preset["economy"], preset["fx"]
    jumps = f["jump_intensity_annual"] * (math.expm1(f["jump_mean"] + 0.5 * f["jump_sd"] ** 2) - f["jump_mean"])
    drift = math.log((1 + e["inflation_annual"]) / (1 + e["us_inflation_annual"])) + e["fx_risk_premium_annual"]
    assert preset.fx_drift_annual == pytest.approx(drift + 0.5 * f["vol_annual"] ** 2 + jumps, rel=1e-12)


def test_the_sales_tax_is_creditable_and_the_duty_is_not(preset: gr.Scenario) -> None:
    sc = preset.replace(
        {
            "simulation.horizon_months": 6,
            "allocation.mining_mw": 0.0,
            "taxes.electricity_duty_rate": 0.01,
            "taxes.datacenters_input_credit_share": 0.5,
        }
    )
    r = gr.simulate(sc, paths=50, seed=2, keep_paths=True, progress=False)
    revenue, sales = r.path_array("fiscal.tariff_revenue_pkr"), r.path_array("fiscal.sales_tax_pkr")
    np.testing.assert_allclose(sales, revenue * (0.18 * 0.5 + 0.01), rtol=1e-12)
