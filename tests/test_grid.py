"""The power system: exact adequacy, merit-order cost, curtailment priority, load shapes."""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
import rts79
from conftest import capacity_only, capacity_only_dict

# -- exact adequacy: a published test system --------------------------------------------------


#: The preset with the new loads as fixed quantities (conftest.fixed_loads): this module tests
#: what happens to loads that are there.
FIXED_LOADS = True


def test_ieee_rts79_reproduces_published_lole_and_eens() -> None:
    """IEEE RTS-79 generating system against its hourly load model (8736 h).

    Published: LOLE 9.3942 h/yr and LOEE 1176 MWh/yr (Allan, Billinton and Abdel-Gawad, "The IEEE
    Reliability Test System - Extensions to and evaluation of the generating system", IEEE Trans.
    Power Systems PWRS-1(4), 1986); daily-peak LOLE 1.36886 d/yr. Tables and sources: tests/rts79.py.
    """
    r = gr.adequacy(rts79.UNITS, rts79.hourly_load_mw())
    pub = rts79.PUBLISHED
    assert r.capacity_mw == 3405.0
    assert r.lole_h == pytest.approx(pub["lole_hours_per_year"], rel=0.01)
    assert r.eue_mwh == pytest.approx(pub["eens_mwh_per_year"], rel=0.01)
    # ... and to rounding precision against an independent NumPy outage table.
    ref = rts79.reference_indices()
    assert r.lole_h == pytest.approx(ref["lole_hours_per_year"], rel=1e-9)
    assert r.eue_mwh == pytest.approx(ref["eens_mwh_per_year"], rel=1e-9)
    daily = gr.adequacy(rts79.UNITS, rts79.daily_peak_load_mw())
    assert daily.lole_h == pytest.approx(pub["lole_days_per_year_daily_peak"], rel=0.01)


def test_capacity_equal_to_load_is_not_a_loss() -> None:
    r = gr.adequacy([(1, 100, 0.1), (1, 50, 0.2)], [100.0, 100.5, 150.0, 0.0])
    np.testing.assert_allclose(r.lolp, [0.10, 0.28, 0.28, 0.0], atol=1e-15)
    assert gr.adequacy([(1, 100, 0.1), (1, 50, 0.2)], [120.0]).eue_mwh == pytest.approx(11.6, abs=1e-12)


@pytest.mark.parametrize(
    ("units", "loads", "text"),
    [
        ([], [1.0], "at least one"),
        ([(1, -5.0, 0.1)], [1.0], r"units\[0\]\[1\]"),
        ([(1, 50.0, 1.0)], [1.0], r"units\[0\]\[2\]"),
        ([(1, 50.0, 0.1)], [1.0, math.nan], r"load_mw\[1\]"),
        ([(1, 0.2, 0.1)], [1.0], "rounds to zero"),
    ],
)
def test_adequacy_rejects_bad_input(units: list[Any], loads: list[float], text: str) -> None:
    with pytest.raises(gr.ArgumentError, match=text):
        gr.adequacy(units, loads)


# -- a small system computed by hand, end to end through simulate -------------------------------


def _deterministic(preset: gr.Scenario, **changes: Any) -> gr.Scenario:
    """The preset with every random driver switched off and a two-unit fleet, in the
    capacity-only model (no ``[shedding]``, no fuel limits: conftest.capacity_only_dict): the hand
    calculations below take the load as the demand driver's, all of it served or shed by
    capacity alone."""
    d = capacity_only_dict(preset)
    d["simulation"]["horizon_months"] = 2  # April (30 days) and May (31)
    d["demand"].update(base_load_mw=100.0, growth_annual=0.0, seasonality=[1.0] * 12, ar1_sigma=0.0)
    for fuel in ("oil", "coal"):
        d["fuel"][fuel].update(vol_annual=0.0, long_run=d["fuel"][fuel]["price0"])
    d["fx"].update(rate0_pkr_per_usd=280.0, drift_annual=0.0, vol_annual=0.0, jump_intensity_annual=0.0)
    d["hydro"]["ar1_sigma"] = 0.0
    d["grid"]["day_shape"] = [[1.0] * 24 for _ in range(12)]
    d["grid"]["value_of_lost_load_usd_per_mwh"] = 1000.0
    d["allocation"] = {"mining_mw": 20.0, "datacenter_mw": 10.0, "datacenter_load_factor": 1.0}
    # The new loads draw their full allocation from the first month, at the generation side.
    d["mining"].update(contract="take_or_pay", ramp_months=0)
    d["datacenters"]["ramp_months"] = 0
    # Fixed prices: the preset's package starts in 2025-11, after the starts some tests choose.
    for load in ("mining", "datacenters"):
        d[load]["tariff"] = [{"regime": "fixed_pkr", "pkr_per_kwh": 22.98}]
    d["fiscal"]["td_loss_share"] = 0.0
    unit = {
        "forced_outage_rate": 0.1,
        "heat_rate_mmbtu_per_mwh": 10.0,
        "co2_t_per_mmbtu": 0.0,
        "fuel": "fixed",
        "vom_usd_per_mwh": 0.0,
        "must_run": False,
        "profile": "none",
    }
    d["fleet"] = [
        {**unit, "name": "big", "units": 1, "unit_mw": 100.0, "fixed_fuel_usd_per_mmbtu": 2.0},
        {
            **unit,
            "name": "small",
            "units": 1,
            "unit_mw": 50.0,
            "forced_outage_rate": 0.2,
            "fixed_fuel_usd_per_mmbtu": 5.0,
        },
    ]
    for path, value in changes.items():
        node = d
        *head, last = path.split(".")
        for k in head:
            node = node[k]
        node[last] = value
    return gr.Scenario.from_dict(d)


def test_hand_computed_system(preset: gr.Scenario) -> None:
    # Units 100 MW (q 0.1, 20 USD/MWh) and 50 MW (q 0.2, 50 USD/MWh); load 100 MW flat;
    # miners 20 MW shed first, data centres 10 MW shed last. Available capacity:
    # 150 (0.72), 100 (0.18), 50 (0.08), 0 (0.02). e(x) = E[max(x - A, 0)]:
    # e(130) = 14.4, e(110) = 8.8, e(100) = 6.0, e(10) = 0.2.
    res = gr.simulate(_deterministic(preset), paths=1, seed=1, keep_paths=True, progress=False)
    got = {m: res.path_array(m)[0] for m in res.metrics if m.startswith("grid.")}
    hours = np.array([30 * 24, 31 * 24])
    np.testing.assert_allclose(got["grid.lole_base_h"], hours * 0.10, rtol=1e-12)
    np.testing.assert_allclose(got["grid.lole_with_h"], hours * 0.28, rtol=1e-12)
    np.testing.assert_allclose(got["grid.lole_households_h"], hours * 0.28, rtol=1e-12)  # P(A < 110)
    np.testing.assert_allclose(got["grid.eue_base_mwh"], hours * 6.0, rtol=1e-12)
    np.testing.assert_allclose(got["grid.eue_with_mwh"], hours * 14.4, rtol=1e-12)
    np.testing.assert_allclose(got["grid.eue_households_increase_mwh"], hours * (8.8 - 0.2 - 6.0), rtol=1e-12)
    np.testing.assert_allclose(got["grid.eue_newload_mwh"], hours * (14.4 - 8.8 + 0.2), rtol=1e-12)
    # Merit order over expected capacity: 90 MW at 20 USD/MWh, then 40 MW at 50. Serving 100 MW
    # costs 90*20 + 10*50 = 2300 USD/h, 130 MW costs 3800: the allocation costs 1500 USD/h.
    np.testing.assert_allclose(got["grid.added_cost_pkr"], hours * 1500 * 280, rtol=1e-12)
    np.testing.assert_allclose(got["grid.marginal_cost_pkr_per_kwh"], 50 * 280 / 1000, rtol=1e-12)
    # Annualised outputs: two months scaled to a year.
    years = 2 / 12
    assert res.path_output("lole_base_h_per_year")[0] == pytest.approx(hours.sum() * 0.10 / years, rel=1e-12)


def test_marginal_cost_is_the_value_of_lost_load_beyond_the_stack(preset: gr.Scenario) -> None:
    sc = _deterministic(preset, **{"demand.base_load_mw": 200.0})
    res = gr.simulate(sc, paths=1, seed=1, keep_paths=True, progress=False)
    assert res.path_array("grid.marginal_cost_pkr_per_kwh")[0, 0] == pytest.approx(1000 * 280 / 1000)
    assert res.path_array("grid.added_cost_pkr")[0, 0] == 0.0  # nothing left to generate with


def test_commissioning_and_retirement(preset: gr.Scenario) -> None:
    base = _deterministic(preset, **{"simulation.horizon_months": 4})
    extra = {
        "name": "new",
        "units": 1,
        "unit_mw": 60.0,
        "forced_outage_rate": 0.0,
        "heat_rate_mmbtu_per_mwh": 10.0,
        "co2_t_per_mmbtu": 0.0,
        "fuel": "fixed",
        "fixed_fuel_usd_per_mmbtu": 1.0,
        "vom_usd_per_mwh": 0.0,
        "must_run": False,
        "profile": "none",
    }

    def lole(fleet_extra: dict[str, Any] | None) -> np.ndarray:
        d = base.to_dict()
        if fleet_extra is not None:
            d["fleet"].append(fleet_extra)
        res = gr.simulate(gr.Scenario.from_dict(d), paths=1, seed=1, keep_paths=True, progress=False)
        return res.path_array("grid.lole_base_h")[0]

    without = lole(None)
    assert np.array_equal(lole({**extra, "commission": "2040-01"}), without)
    assert np.array_equal(lole({**extra, "retire": base["simulation.start"]}), without)
    staged = lole({**extra, "commission": "2026-06", "retire": "2026-07"})  # in service in June only
    always = lole(extra)
    assert np.array_equal(staged[[0, 1, 3]], without[[0, 1, 3]])
    assert staged[2] == always[2] < without[2]


# -- properties on the full preset, on every path ------------------------------------------------


@pytest.fixture(scope="module")
def stressed(short: gr.Scenario) -> gr.Scenario:
    """Two years of the preset with load raised until capacity binds (LOLE well above zero)."""
    return short.replace({"demand.base_load_mw": 24_000.0})


def _run(sc: gr.Scenario, paths: int = 256) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=17, keep_paths=True, progress=False)


def test_zero_allocation_changes_nothing_exactly(stressed: gr.Scenario) -> None:
    res = _run(stressed.replace({"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0}))
    assert (res.path_array("grid.lole_base_h") > 0).any()
    assert np.all(res.path_array("grid.added_cost_pkr") == 0.0)
    assert np.all(res.path_array("grid.eue_households_increase_mwh") == 0.0)
    assert np.all(res.path_array("grid.eue_newload_mwh") == 0.0)
    assert np.array_equal(res.path_array("grid.eue_with_mwh"), res.path_array("grid.eue_base_mwh"))
    assert np.array_equal(res.path_array("grid.lole_with_h"), res.path_array("grid.lole_base_h"))


def test_interruptible_load_first_never_raises_household_unserved_energy(stressed: gr.Scenario) -> None:
    """A property of the capacity-only model (conftest.capacity_only): with ``[shedding]`` the
    economic feeder rule serves the new loads ahead of the high-loss feeders whatever the
    curtailment priority (they raise the firm load MW for MW), so households' shedding does rise."""
    sc = capacity_only(stressed).replace(
        {
            "allocation.mining_mw": 3_000.0,
            "allocation.datacenter_mw": 0.0,
            "grid.curtailment_priority": ["mining", "households", "datacenters"],
        }
    )
    res = _run(sc)
    assert np.all(res.path_array("grid.eue_households_increase_mwh") == 0.0)
    assert (res.path_array("grid.eue_newload_mwh") > 0).any()
    # The same load served firm (households shed first) does raise it.
    firm = _run(sc.replace({"grid.curtailment_priority": ["households", "mining", "datacenters"]}))
    assert (firm.path_array("grid.eue_households_increase_mwh") > 0).any()
    assert np.all(firm.path_array("grid.eue_households_increase_mwh") >= 0)


def test_more_capacity_never_raises_lole(stressed: gr.Scenario) -> None:
    # With the same new loads: a fixed tariff, so that the cheaper energy the extra plant brings
    # cannot lower a cost-indexed tariff and bring economic miners onto the grid.
    fixed = stressed.replace({"mining.tariff": [{"regime": "fixed_pkr", "pkr_per_kwh": 22.98}]})
    d = fixed.to_dict()
    more = copy.deepcopy(d)
    more["fleet"].append({**d["fleet"][-1], "name": "extra_peaker", "units": 4, "unit_mw": 250.0, "profile": "none"})
    a, b = _run(fixed), _run(gr.Scenario.from_dict(more))
    assert np.array_equal(a.path_array("mining.uptime"), b.path_array("mining.uptime"))
    for m in ("grid.lole_base_h", "grid.lole_with_h", "grid.eue_base_mwh", "grid.eue_with_mwh"):
        assert np.all(b.path_array(m) <= a.path_array(m) + 1e-9), m
    assert (b.path_array("grid.lole_base_h") < a.path_array("grid.lole_base_h")).any()


def test_no_outages_and_load_below_capacity_means_no_loss_of_load(short: gr.Scenario) -> None:
    d = short.to_dict()
    for c in d["fleet"]:
        c["forced_outage_rate"] = 0.0
    d["demand"]["base_load_mw"] = 8_000.0
    res = _run(gr.Scenario.from_dict(d))
    for m in ("grid.lole_base_h", "grid.lole_with_h", "grid.eue_base_mwh", "grid.eue_with_mwh"):
        assert np.all(res.path_array(m) == 0.0), m


def test_added_cost_moves_with_fuel_prices(short: gr.Scenario) -> None:
    # Take-or-pay miners draw the same load whatever the Bitcoin price, isolating the cost side.
    res = _run(short.replace({"mining.contract": "take_or_pay"}), paths=2_000)
    cost = res.path_array("grid.added_cost_pkr")[:, 12]
    lng = res.path_array("fuel.lng_usd_per_mmbtu")[:, 12]
    fx = res.path_array("fx.pkr_per_usd")[:, 12]
    assert np.corrcoef(cost, lng * fx)[0, 1] > 0.5


# -- load shapes -------------------------------------------------------------------------------


def test_hourly_profile_end_to_end_matches_direct_adequacy(preset: gr.Scenario) -> None:
    """RTS-79 fleet and load in the simulation equal gr.adequacy on the same hours."""
    profile = np.array(rts79.hourly_load_mw()) * (1 + 1e-7)  # keep loads off whole-MW ties
    hours_of_year = 8760  # 2001 is not a leap year; the 8736-h profile repeats its last day
    loads = np.array([profile[h if h < 8736 else 8736 - 24 + (h - 8736) % 24] for h in range(hours_of_year)])
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    edges = np.cumsum([0] + [24 * x for x in days])
    monthly_mean = [loads[a:b].mean() for a, b in itertools.pairwise(edges)]
    unit = {
        "heat_rate_mmbtu_per_mwh": 10.0,
        "co2_t_per_mmbtu": 0.0,
        "fuel": "fixed",
        "fixed_fuel_usd_per_mmbtu": 3.0,
        "vom_usd_per_mwh": 0.0,
        "must_run": False,
        "profile": "none",
    }
    fleet = [
        {**unit, "name": f"u{i}", "units": c, "unit_mw": mw, "forced_outage_rate": q}
        for i, (c, mw, q) in enumerate(rts79.UNITS)
    ]
    sc = (
        _deterministic(preset)
        .replace(
            {
                "simulation.start": "2001-01",
                "simulation.horizon_months": 12,
                "demand.base_load_mw": float(np.mean(monthly_mean)),
                "demand.seasonality": (np.array(monthly_mean) / np.mean(monthly_mean)).tolist(),
                "fleet": fleet,
            }
        )
        .with_hourly_shape(profile.tolist())
    )
    res = gr.simulate(sc, paths=1, seed=1, keep_paths=True, progress=False)
    ref = gr.adequacy(rts79.UNITS, loads)
    assert res.path_array("grid.lole_base_h")[0].sum() == pytest.approx(ref.lole_h, rel=1e-9)
    assert res.path_array("grid.eue_base_mwh")[0].sum() == pytest.approx(ref.eue_mwh, rel=1e-9)
    monthly = [ref.lolp[a:b].sum() for a, b in itertools.pairwise(edges)]
    np.testing.assert_allclose(res.path_array("grid.lole_base_h")[0], monthly, rtol=1e-9)


def test_hourly_profile_from_csv(preset: gr.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "load.csv"
    path.write_text("load\n" + "\n".join(str(1.0 + 0.1 * (h % 24 > 17)) for h in range(8760)))
    sc = preset.with_hourly_shape(path)
    assert sc["grid.load_shape"] == "hourly"
    assert len(sc["grid.hourly_shape"]) == 8760
    assert sc["grid.hourly_shape"][19] == pytest.approx(1.1)
    assert gr.Scenario.from_dict(sc.to_dict()) == sc


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("\n".join(["1.0"] * 100), "expected 8760 or 8736"),
        ("\n".join(["1.0"] * 5000 + ["-1"] + ["1.0"] * 3759), "hour 5000"),
        ("\n".join(["1.0"] * 10 + ["nan"] + ["1.0"] * 8749), "hour 10"),
        ("\n".join(["1.0"] * 10 + ["abc"] + ["1.0"] * 8749), "row 11"),
    ],
)
def test_bad_hourly_profiles(preset: gr.Scenario, tmp_path: Path, content: str, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(gr.ScenarioError, match=text) as info:
        preset.with_hourly_shape(path)
    assert "grid.hourly_shape" in info.value.fields[0]
    assert "bad.csv" in str(info.value)


def test_hourly_mode_needs_a_profile(preset: gr.Scenario) -> None:
    with pytest.raises(gr.ScenarioError, match="required when load_shape"):
        preset.replace({"grid.load_shape": "hourly"})


def test_day_shape_keeps_the_monthly_energy(preset: gr.Scenario) -> None:
    # With one class at a flat cost, serving the base load costs load x hours x cost whatever the
    # shape: the shape moves energy between hours but keeps the demand driver's monthly level.
    flat = _deterministic(preset, **{"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0})
    peaky = flat.replace(
        {"grid.day_shape": [[1.0 + 2.0 * (h > 18) for h in range(24)] for _ in range(12)], "demand.base_load_mw": 50.0}
    )
    res = gr.simulate(peaky, paths=1, seed=1, keep_paths=True, progress=False)
    # Base load 50 MW: evening hours at 50 x 3 / mean(shape) exceed the first class's 90 MW, so
    # the marginal cost is above the cheap class's 20 USD/MWh in those hours only.
    mc = res.path_array("grid.marginal_cost_pkr_per_kwh")[0, 0] * 1000 / 280
    share_evening = 5 / 24
    assert mc == pytest.approx(20 + share_evening * 30, rel=1e-12)


def test_adequacy_table(short: gr.Scenario) -> None:
    res = gr.simulate(short.replace({"demand.base_load_mw": 24_000.0}), paths=512, seed=3, progress=False)
    t = res.adequacy()
    assert list(t.columns) == ["lole_h_per_year", "lole_se", "eue_mwh_per_year", "eue_se"]
    assert t.loc["with allocation", "lole_h_per_year"] >= t.loc["without allocation", "lole_h_per_year"]
    assert t.loc["without allocation", "lole_se"] > 0


def test_explain_month_adds_up_to_the_simulated_month(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=5, seed=9, keep_paths=True, progress=False)
    d = gr.explain_month(short, seed=9, path=3, month="2026-07")
    assert len(d.blocks) == 24
    assert (d.blocks["hours"] == 31).all()
    h = d.blocks["hours"]
    t = 3  # July is the fourth month from April
    assert (d.blocks["lolp_base"] * h).sum() == pytest.approx(res.path_array("grid.lole_base_h")[3, t], rel=1e-12)
    assert (d.blocks["added_cost_pkr_per_h"] * h).sum() == pytest.approx(
        res.path_array("grid.added_cost_pkr")[3, t], rel=1e-12
    )
    mc = (d.blocks["marginal_cost_pkr_per_kwh"] * h).sum() / h.sum()
    assert mc == pytest.approx(res.path_array("grid.marginal_cost_pkr_per_kwh")[3, t], rel=1e-12)
    assert d.drivers["fx.pkr_per_usd"] == res.path_array("fx.pkr_per_usd")[3, t]
    costs = d.merit_order["cost_pkr_per_kwh"].to_numpy()
    must_run = {c["name"] for c in short["fleet"] if c["must_run"]}
    rest = [c for n, c in zip(d.merit_order["class"], costs, strict=True) if n not in must_run]
    assert rest == sorted(rest)
    with pytest.raises(gr.ArgumentError, match="month must be in"):
        gr.explain_month(short, seed=1, month=99)
