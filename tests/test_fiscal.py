"""Miners, data centres, tariffs, taxes, the reserve and the state's accounts."""

from __future__ import annotations

import math
from pathlib import Path

import gridrisk as gr
import hashprice_refs
import numpy as np
import pandas as pd
import pytest
from conftest import capacity_only
from gridrisk import _core

DT = 1 / 12


#: The preset with the new loads as fixed quantities (conftest.fixed_loads): this module tests
#: what happens to loads that are there.
FIXED_LOADS = True


@pytest.mark.parametrize("ref", hashprice_refs.REFERENCES, ids=[r["date"] for r in hashprice_refs.REFERENCES])
def test_hashprice_matches_published_values(ref: dict) -> None:
    """Published hashprice (Luxor Hashrate Index and others; sources in tests/hashprice_refs.py)."""
    got = _core.hashprice_usd_per_ph_day(
        ref["price_usd"], ref["subsidy_btc"] + ref["fees_btc_per_block"], ref["network_hashrate_ehs"]
    )
    assert got == pytest.approx(ref["hashprice_usd_per_ph_day"], rel=0.02)


def run(sc: gr.Scenario, paths: int = 200, seed: int = 5) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=seed, keep_paths=True, progress=False)


def one_regime(regime: str, **fields: float | str) -> list[dict[str, float | str]]:
    """A tariff path of one regime, for ``sc.replace({"mining.tariff": ...})``."""
    return [{"regime": regime, **fields}]


def state_bears_the_gap(sc: gr.Scenario) -> gr.Scenario:
    """``sc`` with the whole gap left to circular debt (the other consumers pay none of it), so
    that the state's net flow carries the new loads' losses."""
    return sc.replace(
        {"incidence.budget_share": 0.0, "incidence.consumers_share": 0.0, "incidence.circular_debt_share": 1.0}
    )


def test_zero_allocation_has_zero_fiscal_impact_on_every_path(short: gr.Scenario) -> None:
    res = run(short.replace({"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0}))
    for name in (
        "npv_pkr",
        "net_flow_pkr_per_year",
        "circular_debt_change_pkr",
        "tariff_revenue_pkr_per_year",
        "tax_pkr_per_year",
        "eue_households_increase_mwh_per_year",
        "eue_newload_mwh_per_year",
        "npv_displaced_revenue_pkr",
    ):
        assert np.all(res.path_output(name) == 0.0), name


def test_tariff_above_every_marginal_cost_never_loses(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "mining.contract": "take_or_pay",
            "mining.tariff": one_regime("fixed_pkr", pkr_per_kwh=400.0),
            "datacenters.tariff": one_regime("fixed_pkr", pkr_per_kwh=400.0),
            "fiscal.collection_rate": 1.0,
            "demand.base_load_mw": 8_000.0,  # ample capacity
        }
    )
    res = run(sc)
    # The bills cover the generation cost and the revenue of the consumers the feeder rules shed
    # for the new loads (valued at their own, far lower, tariff).
    displaced = res.path_array("shed.revenue_forgone_increase_pkr")
    assert (displaced > 0).any()
    margin = res.path_array("fiscal.tariff_revenue_pkr") - (res.path_array("grid.added_cost_pkr") + displaced)
    np.testing.assert_array_equal(margin, -res.path_array("fiscal.gap_pkr"))
    assert res.path_array("grid.marginal_cost_pkr_per_kwh").max() < 400.0
    assert np.all(margin >= 0.0)
    assert np.all(res.path_array("mining.uptime") == 1.0)


def test_a_halving_halves_btc_per_hash(preset: gr.Scenario) -> None:
    # Constant network hashrate and no fees: BTC per unit of hashing is subsidy-driven only.
    sc = preset.replace(
        {
            "simulation.horizon_months": 40,
            "network.growth_annual": 0.0,
            "network.noise_sigma": 0.0,
            "network.revenue_elasticity": 0.0,
            "network.fee_share_mean": 0.0,
        }
    )
    res = run(sc, paths=3)
    per_hash = res.path_array("mining.hashprice_usd_per_ph_day") / res.path_array("bitcoin.price_usd")
    sub = res.schedule()["subsidy_btc"].to_numpy()
    k = int(np.argmax(sub < 3.125))  # the month that straddles the halving
    np.testing.assert_allclose(per_hash[:, k - 1], 2 * per_hash[:, k + 1], rtol=1e-14)


@pytest.mark.parametrize(
    ("tariff", "surcharged"),
    [
        ({"mining.tariff": one_regime("fixed_pkr", pkr_per_kwh=22.98)}, True),
        # The preset's package (fuel-cost adjustments, six-monthly reviews) without its cap, so
        # that the month's price is the price of every MWh, and never terminated, so that it
        # covers the whole horizon; package units pay no surcharge.
        (
            {
                "mining.tariff[0].cap_gwh_per_fiscal_year": 0.0,
                "mining.tariff[0].terminate_after_upward_reviews": 0,
            },
            False,
        ),
    ],
    ids=["fixed_pkr", "package"],
)
def test_economic_miners_run_exactly_when_it_pays(
    short: gr.Scenario, tariff: dict[str, object], surcharged: bool
) -> None:
    sc = short.replace({"mining.ramp_months": 0, "reserve.levy_share": 0.05, **tariff})
    res = run(sc, paths=400)
    m, tx = sc.to_dict()["mining"], sc.to_dict()["taxes"]
    fx = res.path_array("fx.pkr_per_usd")
    hp = res.path_array("mining.hashprice_usd_per_ph_day")
    j = m["efficiency_j_per_th"] * np.exp(-m["efficiency_improvement_annual"] * np.arange(sc.months) * DT)
    revenue_usd_per_mwh = hp * 1000 / (24 * j)
    kept = revenue_usd_per_mwh * (1 - m["pool_fee_share"] - 0.05) * fx
    # A MWh costs them the tariff, the sales tax they cannot reclaim, the surcharge and opex.
    sales = tx["sales_tax_rate"] * (1 - tx["mining_input_credit_share"]) + tx["electricity_duty_rate"]
    surcharge = 1000 * tx["debt_service_surcharge_pkr_per_kwh"] if surcharged else 0.0
    tariff_pkr = res.path_array("tariff.mining_pkr_per_kwh") * 1000
    cost = tariff_pkr * (1 + sales) + surcharge + m["opex_usd_per_mwh"] * fx
    up = res.path_array("mining.uptime")
    clear = np.abs(kept - cost) > 1e-6 * cost  # skip knife-edge months
    assert np.array_equal(up[clear], (kept >= cost)[clear].astype(float))
    assert 0 < up.mean() < 1


def test_tax_holiday_moves_tax_into_tax_expenditure(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            # Customs duty forgone on the rigs brought in is a tax expenditure of its own (below).
            "taxes.customs_duty_rate": 0.0,
            "mining.contract": "take_or_pay",
            "datacenters.tax_holiday_months": 6,
            "datacenters.profit_usd_per_mwh": 40.0,
            "mining.tax_holiday_months": 6,
        }
    )
    res = run(sc, paths=50)
    tax, exp = res.path_array("fiscal.tax_pkr"), res.path_array("fiscal.tax_expenditure_pkr")
    assert np.all(tax[:, :6] == 0.0)
    assert np.all(exp[:, 6:] == 0.0)
    assert (exp[:, :6] > 0).all()
    # Data centres' profit tax after the holiday: (rate + super tax) x profit per MWh x energy.
    dc = sc.to_dict()["datacenters"]
    hours = np.array([d * 24 for d in res.schedule()["days"]])
    dc_tax = (
        (dc["profit_tax_rate"] + sc["taxes.super_tax_rate"])
        * dc["profit_usd_per_mwh"]
        * res.path_array("datacenters.load_mw")
        * hours
        * res.path_array("fx.pkr_per_usd")
    )
    assert np.all(tax[:, 6:] >= dc_tax[:, 6:] * (1 - 1e-12))


def test_customs_forgone_on_equipment_brought_in(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "mining.ramp_months": 4,
            "datacenters.ramp_months": 8,
            "mining.tax_holiday_months": 0,
            "datacenters.tax_holiday_months": 0,
            "taxes.datacenters_equipment_usd_per_mw": 5e5,
        }
    )
    res = run(sc, paths=20)
    tx, a = sc.to_dict()["taxes"], sc.to_dict()["allocation"]
    # Each month of the ramp brings in a quarter (an eighth) of the allocation, duty-free; the
    # allocation, not the draw: idle miners' rigs were imported too.
    t = np.arange(sc.months)
    mw_m = np.where(t < 4, a["mining_mw"] / 4, 0.0)
    mw_d = np.where(t < 8, a["datacenter_mw"] / 8, 0.0)
    usd = tx["mining_equipment_usd_per_mw"] * mw_m + tx["datacenters_equipment_usd_per_mw"] * mw_d
    customs = tx["customs_duty_rate"] * usd * res.path_array("fx.pkr_per_usd")
    np.testing.assert_allclose(res.path_array("fiscal.customs_forgone_pkr"), customs, rtol=1e-12)
    # Without holidays it is the whole tax expenditure.
    np.testing.assert_allclose(res.path_array("fiscal.tax_expenditure_pkr"), customs, rtol=1e-12)


def test_dollar_tariff_moves_with_the_exchange_rate(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "mining.contract": "take_or_pay",
            "mining.tariff": one_regime("fixed_usd", usd_per_kwh=0.082),
            "datacenters.tariff": one_regime("fixed_usd", usd_per_kwh=0.082),
            "fiscal.collection_rate": 1.0,
            "allocation.datacenter_mw": 0.0,
        }
    )
    res = run(sc, paths=50)
    hours = np.array([d * 24 for d in res.schedule()["days"]])
    energy = res.path_array("mining.load_mw") * hours
    per_mwh = res.path_array("fiscal.tariff_revenue_pkr") / energy
    usd = sc["mining.tariff[0].usd_per_kwh"] * 1000
    np.testing.assert_allclose(per_mwh, usd * res.path_array("fx.pkr_per_usd"), rtol=1e-12)
    np.testing.assert_allclose(
        res.path_array("tariff.mining_pkr_per_kwh") * 1000, usd * res.path_array("fx.pkr_per_usd")
    )


@pytest.mark.parametrize("reference", ["system_marginal", "own_average"])
def test_cost_plus_follows_last_months_cost(short: gr.Scenario, reference: str) -> None:
    # The capacity-only model: with a take-or-pay volume at the margin, cost-plus tariffs read
    # its market price while grid.marginal_cost_pkr_per_kwh reports its shadow price
    # (docs/model.md, section 8.3); without one the two are the same number.
    sc = capacity_only(short).replace(
        {
            "mining.contract": "take_or_pay",
            "mining.tariff": one_regime("cost_plus", markup=0.1, reference=reference),
            "fiscal.collection_rate": 1.0,
            "allocation.datacenter_mw": 0.0,
        }
    )
    res = run(sc, paths=50)
    hours = np.array([d * 24 for d in res.schedule()["days"]])
    per_kwh = res.path_array("fiscal.tariff_revenue_pkr") / (res.path_array("mining.load_mw") * hours) / 1000
    np.testing.assert_allclose(per_kwh, res.path_array("tariff.mining_pkr_per_kwh"), rtol=1e-12)
    mc = res.path_array("grid.marginal_cost_pkr_per_kwh")
    if reference == "system_marginal":
        last = mc[:, :-1]
    else:
        # The loads' own average incremental cost per MWh at the meter, where they are billed
        # (take-or-pay miners draw their ramped allocation): a zero markup recovers the cost.
        a, m = sc.to_dict()["allocation"], sc.to_dict()["mining"]
        draw = a["mining_mw"] * np.minimum((np.arange(sc.months) + 1) / m["ramp_months"], 1.0)
        last = (res.path_array("grid.added_cost_pkr") / (draw * hours) / 1000)[:, :-1]
    np.testing.assert_allclose(per_kwh[:, 1:], 1.1 * last, rtol=1e-12)
    np.testing.assert_allclose(per_kwh[:, 0], 1.1 * mc[:, 0], rtol=1e-12)  # month 0: its own, without the loads


def test_floor_plus_share_bills_at_least_the_floor(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "mining.contract": "take_or_pay",
            "mining.tariff": one_regime("floor_plus_share", floor_pkr_per_kwh=22.98, revenue_share=0.2),
            "fiscal.collection_rate": 1.0,
            "allocation.datacenter_mw": 0.0,
        }
    )
    res = run(sc, paths=50)
    hours = np.array([d * 24 for d in res.schedule()["days"]])
    energy = res.path_array("mining.load_mw") * hours
    floor = 22.98 * 1000 * energy
    share = (
        0.2
        * res.path_array("mining.btc_mined")
        * res.path_array("bitcoin.price_usd")
        * res.path_array("fx.pkr_per_usd")
    )
    np.testing.assert_allclose(res.path_array("fiscal.tariff_revenue_pkr"), floor + share, rtol=1e-12)


@pytest.mark.parametrize("disposal", ["hold", "sell_at_horizon"])
def test_reserve_levy_and_npv_identity(short: gr.Scenario, disposal: str) -> None:
    sc = short.replace(
        {
            "mining.contract": "take_or_pay",
            "reserve.levy_share": 0.1,
            "reserve.initial_btc": 100.0,
            "reserve.purchase_usd_per_month": 1e6,
            "reserve.disposal": disposal,
        }
    )
    res = run(sc, paths=100)
    btc = res.path_array("mining.btc_mined")
    price = res.path_array("bitcoin.price_usd")
    bought = 1e6 / price
    np.testing.assert_allclose(res.path_array("reserve.btc"), 100 + np.cumsum(0.1 * btc + bought, axis=1), rtol=1e-12)
    fx = res.path_array("fx.pkr_per_usd")
    np.testing.assert_allclose(
        res.path_output("reserve_value_pkr"),
        res.path_array("reserve.btc")[:, -1] * price[:, -1] * fx[:, -1],
        rtol=1e-12,
    )
    # Purchases are cash out of the net flow.
    np.testing.assert_allclose(res.path_array("reserve.purchases_pkr"), 1e6 * fx, rtol=1e-12)
    # NPV = discounted monthly net flows + the policy's BTC (levy and purchases) at the horizon
    # when they are sold there; held, they stay out of it.
    r = sc.discount_rate_annual
    df = (1 + r) ** (-(np.arange(sc.months) + 1) / 12)
    policy_btc = res.path_array("reserve.btc")[:, -1] - 100
    terminal = policy_btc * price[:, -1] * fx[:, -1] * df[-1] if disposal == "sell_at_horizon" else 0.0
    npv = res.path_array("fiscal.net_flow_pkr") @ df + terminal
    np.testing.assert_allclose(res.path_output("npv_pkr"), npv, rtol=1e-10)
    # The gap is what the loads' bills leave of their generation cost and of the revenue of the
    # existing consumers they displace through the feeder rules; circular debt is what neither
    # the budget nor the other consumers pay of it.
    displaced = res.path_array("shed.revenue_forgone_increase_pkr")
    assert (displaced > 0).any()
    gap = (res.path_array("grid.added_cost_pkr") + displaced) - res.path_array("fiscal.tariff_revenue_pkr")
    np.testing.assert_allclose(res.path_array("fiscal.gap_pkr"), gap, rtol=1e-12, atol=1e-12 * np.abs(gap).max())
    cd = gap - res.path_array("incidence.budget_pkr") - res.path_array("incidence.consumers_pkr")
    np.testing.assert_allclose(res.path_output("circular_debt_change_pkr"), cd.sum(axis=1), rtol=1e-10)


def test_ramp_up(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "mining.contract": "take_or_pay",
            "mining.ramp_months": 4,
            "datacenters.ramp_months": 8,
            "fiscal.td_loss_share": 0.0,
            "grid.curtailment_priority": ["households", "datacenters", "mining"],
        }
    )
    res = run(sc, paths=5)
    a = sc.to_dict()["allocation"]
    dc = res.path_array("datacenters.load_mw")[0]
    full_dc = a["datacenter_mw"] * a["datacenter_load_factor"]
    np.testing.assert_allclose(dc[:8], full_dc * np.arange(1, 9) / 8, rtol=1e-6)  # firm: practically never shed
    mining = res.path_array("mining.load_mw")[0]
    assert mining[0] == pytest.approx(a["mining_mw"] / 4, rel=1e-6)
    assert mining[5] == pytest.approx(a["mining_mw"], rel=1e-6)


def test_summary_has_fiscal_outputs_with_errors(preset: gr.Scenario) -> None:
    res = gr.simulate(preset, paths=2_000, seed=1, progress=False)
    s = res.summary()
    assert {
        "npv_pkr",
        "circular_debt_change_pkr",
        "reserve_value_pkr",
        "miner_uptime_share",
        "mean_hashprice_usd_per_ph_day",
        "worst_fiscal_year_net_flow_pkr",
        "household_eue_cost_pkr_per_year",
    } <= set(s.index)
    assert s.loc["npv_pkr", "se"] > 0
    assert math.isfinite(s.loc["npv_pkr", "mean"])
    fan = res.fan("fiscal.net_flow_pkr")
    assert fan.shape == (120, 5)


def test_summary_and_risk_match_numpy_on_the_same_paths(short: gr.Scenario) -> None:
    # Cheap tariffs and the gap left to circular debt: the NPV and fiscal years lose on some paths.
    sc = state_bears_the_gap(
        short.replace(
            {
                "mining.tariff": one_regime("fixed_pkr", pkr_per_kwh=18.0),
                "datacenters.tariff": one_regime("fixed_pkr", pkr_per_kwh=18.0),
            }
        )
    )
    res = gr.simulate(sc, paths=3_000, seed=2, keep_paths=True, progress=False)
    # The per-path output equals what NumPy computes from the kept monthly arrays.
    r = sc.discount_rate_annual
    df = (1 + r) ** (-(np.arange(sc.months) + 1) / 12)
    np.testing.assert_allclose(res.path_output("npv_pkr"), res.path_array("fiscal.net_flow_pkr") @ df, rtol=1e-10)
    npv = res.path_output("npv_pkr")
    n = npv.size
    s = res.summary()
    alpha = gr.SKETCH_RELATIVE_ACCURACY
    srt = np.sort(npv)
    for q in gr.SUMMARY_QUANTILES:
        exact = srt[math.floor(q * (n - 1))]
        assert s.loc["npv_pkr", f"p{round(q * 100)}"] == pytest.approx(exact, rel=alpha, abs=1e-6)
    assert s.loc["npv_pkr", "mean"] == pytest.approx(npv.mean(), rel=1e-12)
    assert s.loc["npv_pkr", "sd"] == pytest.approx(npv.std(ddof=1), rel=1e-9)
    assert s.loc["npv_pkr", "se"] == pytest.approx(npv.std(ddof=1) / math.sqrt(n), rel=1e-9)
    r = res.risk()
    assert 0 < r.loc["P(NPV < 0)", "value"] == np.mean(npv < 0)
    assert r.loc["VaR 95 % of the NPV loss", "value"] == pytest.approx(-srt[math.floor(0.05 * (n - 1))], rel=alpha)
    assert r.loc["CVaR 95 % of the NPV loss", "value"] >= r.loc["VaR 95 % of the NPV loss", "value"]
    # The worst fiscal year, from the kept monthly flows: 24 months from April 2026 hold one
    # complete fiscal year (July 2026 to June 2027, months 3-14).
    assert res.fiscal_years == ["FY2027"]
    fy = res.path_array("fiscal.net_flow_pkr")[:, 3:15].sum(axis=1)
    np.testing.assert_allclose(res.path_output("worst_fiscal_year_net_flow_pkr"), fy, rtol=1e-12)
    assert r.loc["P(a fiscal year loses more than 0 PKR)", "value"] == np.mean(fy < 0)
    thr = max(float(np.quantile(-fy, 0.8)), 1e6)
    r2 = res.risk(loss_threshold_pkr=thr)
    assert r2.iloc[1]["value"] == pytest.approx(np.mean(fy <= -thr), abs=0.01)
    assert (r["se"] > 0).all()
    with pytest.raises(gr.ArgumentError, match="loss_threshold_pkr"):
        res.risk(loss_threshold_pkr=-1)


# -- comparing policies, sweeps, saving ---------------------------------------------------------


def test_compare_pairs_paths_and_beats_independent_seeds(short: gr.Scenario) -> None:
    firm = short.replace({"grid.curtailment_priority": ["households", "mining", "datacenters"]})
    none = short.replace({"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0})
    cmp = gr.compare({"none": none, "2000MW interruptible": short, "2000MW firm": firm}, paths=2_000, seed=4)
    diff = cmp.differences()
    assert set(diff.index.get_level_values("policy")) == {"2000MW interruptible", "2000MW firm"}
    d = diff.loc[("2000MW interruptible", "npv_pkr")]
    npv = cmp.results["2000MW interruptible"].path_output("npv_pkr") - cmp.results["none"].path_output("npv_pkr")
    assert d["mean"] == pytest.approx(npv.mean(), rel=1e-12)
    # Common random numbers: the paired difference is far more precise than the difference of
    # two independent runs of the same size.
    a = gr.simulate(short, paths=2_000, seed=100, progress=False).summary()
    b = gr.simulate(
        short.replace({"fuel.oil.vol_annual": 0.3000000001}), paths=2_000, seed=101, progress=False
    ).summary()
    indep_se = math.hypot(a.loc["added_cost_pkr_per_year", "se"], b.loc["added_cost_pkr_per_year", "se"])
    crn_se = diff.loc[("2000MW firm", "added_cost_pkr_per_year"), "se"]
    crn_firm_vs_interruptible = cmp.results["2000MW firm"].path_output("added_cost_pkr_per_year") - cmp.results[
        "2000MW interruptible"
    ].path_output("added_cost_pkr_per_year")
    assert crn_firm_vs_interruptible.std() / math.sqrt(2_000) < indep_se
    assert crn_se < indep_se
    assert list(cmp.summary().index.get_level_values("policy").unique()) == list(cmp.results)
    with pytest.raises(gr.ArgumentError, match="at least two"):
        gr.compare({"one": short})


def test_sweep_grid_and_frontier(short: gr.Scenario) -> None:
    fixed = short.replace({"mining.tariff": one_regime("fixed_pkr", pkr_per_kwh=22.98)})
    price = "mining.tariff[0].pkr_per_kwh"
    sw = gr.sweep(fixed, {"allocation.mining_mw": [0.0, 1000.0], price: [20.0, 40.0]}, paths=500, seed=3)
    t = sw.table
    assert len(t) == 4
    assert {"allocation.mining_mw", price, "npv_mean", "npv_loss_cvar95", "on_frontier"} <= set(t.columns)
    assert t["on_frontier"].any()
    front = sw.frontier
    # On the frontier a higher expected NPV always costs a higher CVaR.
    assert (np.diff(front["npv_mean"].to_numpy()) >= 0).all()
    # Common random numbers: mining 0 MW gives the same numbers whatever its tariff.
    zero = t[t["allocation.mining_mw"] == 0.0]
    assert zero["npv_mean"].nunique() == 1
    # Every figure carries its Monte Carlo error: the run's own, as simulate() of the same
    # combination gives it, and shown with it.
    one = gr.simulate(fixed.replace({"allocation.mining_mw": 1000.0, price: 40.0}), paths=500, seed=3)
    row = t[(t["allocation.mining_mw"] == 1000.0) & (t[price] == 40.0)].iloc[0]
    risk, summary = one.risk(), one.summary()
    assert row["npv_loss_cvar95_se"] == risk.loc["CVaR 95 % of the NPV loss", "se"] > 0
    assert row["npv_loss_var95_se"] == risk.loc["VaR 95 % of the NPV loss", "se"]
    assert row["p_npv_negative_se"] == risk.loc["P(NPV < 0)", "se"]
    for figure, output in [
        ("circular_debt", "circular_debt_change_pkr"),
        ("lole_with_h_per_year", "lole_with_h_per_year"),
        ("miner_uptime_share", "miner_uptime_share"),
    ]:
        assert row[f"{figure}_se"] == summary.loc[output, "se"]
    shown = sw.display().iloc[int(row.name)]
    assert " ± " in shown["NPV loss, CVaR 95 % (PKR bn)"]
    assert " ± " in shown["Circular debt change, mean (PKR bn)"]
    with pytest.raises(gr.ScenarioError) as info:
        gr.sweep(short, {"allocation.mining_mw": [-5.0]}, paths=10, seed=1)
    assert any("sweep combination" in n for n in info.value.__notes__)
    # The tariff matters where miners run, so neither field is inert, though the tariff changes
    # nothing at 0 MW.
    assert sw.inert_fields == []


def test_a_sweep_names_the_fields_that_change_no_figure(short: gr.Scenario) -> None:
    carbon = "economy.shadow_carbon_price_usd_per_tco2"  # an economic cost, in none of the figures
    grid = {"allocation.datacenter_mw": [0.0, 500.0], carbon: [30.0, 90.0]}
    sw = gr.sweep(short, grid, paths=300, seed=2)
    assert sw.inert_fields == [carbon]
    assert f"{carbon} changes no figure" in sw._repr_html_()
    assert f"{carbon} changes no figure" in repr(sw)
    single = gr.sweep(short, {carbon: [30.0, 90.0]}, paths=300, seed=2)
    assert single.inert_fields == [carbon]
    assert gr.sweep(short, {carbon: [30.0]}, paths=300, seed=2).inert_fields == []  # one value: no claim


def test_save_and_load_round_trip_exactly(short: gr.Scenario, tmp_path: Path) -> None:
    res = gr.simulate(short, paths=700, seed=8, keep_outputs=True, progress=False)
    path = res.save(tmp_path / "run.zip")
    again = gr.load(path)
    assert again.scenario == res.scenario
    assert (again.seed, again.path_range, again.version) == (res.seed, res.path_range, res.version)
    assert again.stats.to_bytes() == res.stats.to_bytes()
    pd.testing.assert_frame_equal(again.summary(), res.summary())
    pd.testing.assert_frame_equal(again.to_pandas(), res.to_pandas())
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(gr.DataError):
        gr.load(tmp_path / "junk.zip")
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave nothing behind


def test_to_pandas_and_to_xarray(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=300, seed=8, keep_outputs=True, progress=False)
    df = res.to_pandas()
    assert list(df.columns) == res.outputs
    assert len(df) == 300
    with pytest.raises(gr.ArgumentError, match="keep_paths=True"):
        res.path_array("bitcoin.price_usd")
    xr = pytest.importorskip("xarray")
    ds = res.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds["bitcoin.price_usd:quantile"].shape == (24, len(gr.FAN_QUANTILES))
    assert ds["output:npv_pkr"].shape == (300,)
    assert ds.attrs["seed"] == "8"


def test_summary_loss_probabilities(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=2_000, seed=6, keep_outputs=True, progress=False)
    s = res.summary()
    npv, worst = res.path_output("npv_pkr"), res.path_output("worst_fiscal_year_net_flow_pkr")
    debt = res.path_output("circular_debt_change_pkr")
    assert s.loc["npv_pkr", "p_adverse"] == np.mean(npv < 0)
    assert s.loc["worst_fiscal_year_net_flow_pkr", "p_adverse"] == np.mean(worst < 0)
    assert s.loc["circular_debt_change_pkr", "p_adverse"] == np.mean(debt > 0)  # debt that grows
    thr = 1e9
    s2 = res.summary(loss_threshold_pkr=thr)
    assert s2.loc["worst_fiscal_year_net_flow_pkr", "p_adverse"] == pytest.approx(np.mean(worst < -thr), abs=0.005)
    assert s2.loc["circular_debt_change_pkr", "p_adverse"] == pytest.approx(np.mean(debt > thr), abs=0.005)
    assert math.isnan(s.loc["reserve_btc", "p_adverse"])
