"""Load-shedding beyond capacity outages (``[shedding]``, ``[fleet.fuel_limit]``) through the public
API: exact identities on every kept path, the validator's field names, the tables of
``Results.shedding*`` against NumPy, and the shedding figure. Short horizons and few paths.

The scenarios declare their own ``[shedding]`` on the preset stripped of it (and of its fuel
limits), so that these tests do not follow the preset's calibration.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from conftest import capacity_only_dict
from gridrisk import units

SEED = 29
CAUSES = ("rules", "network", "capacity", "fuel")

#: Three feeder classes, one per rule.
CLASSES: list[dict[str, Any]] = [
    {"name": "low_loss", "load_share": 0.7, "loss_rate": 0.08, "recovery_rate": 0.99, "rule": "none"},
    {
        "name": "mid_loss",
        "load_share": 0.2,
        "loss_rate": 0.30,
        "recovery_rate": 0.90,
        "rule": "economic",
        "max_hours_per_day": 6.0,
    },
    {
        "name": "high_loss",
        "load_share": 0.1,
        "loss_rate": 0.50,
        "recovery_rate": 0.50,
        "rule": "schedule",
        "hours_per_day": 8.0,
    },
]

#: Every mechanism at once: latent demand, the three rules, a network limit that binds at the
#: summer peaks, and a liquidity feedback that idles a sixth of the imported-fuel capacity.
FULL: dict[str, Any] = {
    "suppressed_share": [0.04, 0.04, 0.05, 0.07, 0.10, 0.12, 0.12, 0.12, 0.10, 0.07, 0.05, 0.04],
    "tariff_pkr_per_kwh": 33.0,
    "feeder_class": CLASSES,
    "deliverable": [{"mw": 22_000.0}, {"from": "2027-04", "mw": 23_000.0}],
    "liquidity": {
        "circular_debt0_pkr": 4.0e11,
        "circular_debt_growth_pkr_per_year": 0.0,
        "threshold_pkr": 3.0e11,
        "derate_per_excess": 0.5,
    },
}

#: Fuel energy limits: RLNG with a take-or-pay volume, domestic gas capped.
FUEL: dict[str, dict[str, Any]] = {
    "rlng_ccgt": {
        "energy_gwh_per_month": [1_500.0] * 12,
        "min_take_gwh_per_month": [1_000.0] * 12,
        "take_or_pay_usd_per_mmbtu": 0.0,
    },
    "local_gas": {"energy_gwh_per_month": [800.0] * 12},
}

#: Metrics and outputs that only the shedding model writes (the rest existed before it).
SHEDDING_PREFIXES = ("shed.", "grid.latent_load_mw", "grid.served_load_", "grid.imported_available_share")


def run(sc: gr.Scenario, paths: int = 256, **kw: Any) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=SEED, keep_paths=True, progress=False, **kw)


def fleet_index(sc: gr.Scenario, name: str) -> int:
    return [f["name"] for f in sc["fleet"]].index(name)


def declared(
    preset: gr.Scenario, shedding: dict[str, Any] | None, fuel: dict[str, dict[str, Any]] | None = None
) -> gr.Scenario:
    d = capacity_only_dict(preset, months=24)
    if shedding is not None:
        d["shedding"] = copy.deepcopy(shedding)
    for f in d["fleet"]:
        if fuel and f["name"] in fuel:
            f["fuel_limit"] = copy.deepcopy(fuel[f["name"]])
    return gr.Scenario.from_dict(d)


def no_allocation(sc: gr.Scenario) -> gr.Scenario:
    return sc.replace({"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0})


@pytest.fixture(scope="module")
def plain(preset: gr.Scenario) -> gr.Scenario:
    return declared(preset, None)


@pytest.fixture(scope="module")
def full(preset: gr.Scenario) -> gr.Scenario:
    return declared(preset, FULL, FUEL)


@pytest.fixture(scope="module")
def full_run(full: gr.Scenario) -> gr.Results:
    return run(full, paths=512)


# -- (a) no allocation, no extra shedding --------------------------------------------------------
def test_zero_allocation_leaves_every_shedding_figure_exactly_unchanged(
    full: gr.Scenario, full_run: gr.Results
) -> None:
    zero = run(no_allocation(full), paths=512)
    increases = [m for m in zero.metrics if "increase" in m]
    assert {f"shed.{c}_increase_mwh" for c in CAUSES} <= set(increases)
    assert "grid.eue_households_increase_mwh" in increases
    for m in increases:
        assert np.all(zero.path_array(m) == 0.0), m
    for o in zero.outputs:
        if "increase" in o:
            assert np.all(zero.path_output(o) == 0.0), o
    assert np.all(zero.path_array("grid.eue_newload_mwh") == 0.0)
    assert np.array_equal(zero.path_array("grid.served_load_with_mw"), zero.path_array("grid.served_load_base_mw"))
    # The figures without the allocation are those of the allocated run on the same draws.
    base = [m for m in zero.metrics if "_base" in m or m == "grid.latent_load_mw"]
    assert {f"shed.{c}_base_mwh" for c in CAUSES} | {"shed.class3_h_per_day_base", "grid.eue_base_mwh"} <= set(base)
    for m in base:
        assert np.array_equal(zero.path_array(m), full_run.path_array(m)), m
    # ... and the allocated run does shed more, for every cause the scenario declares.
    for c in ("rules", "network", "fuel"):
        assert full_run.path_output(f"shed_{c}_increase_mwh_per_year").mean() > 0, c
    assert full_run.path_output("households_shed_h_per_day_increase").mean() > 0


# -- (b) a [shedding] that does nothing is the capacity-only model, bit for bit --------------------
def test_a_shedding_section_that_does_nothing_changes_no_figure(preset: gr.Scenario, plain: gr.Scenario) -> None:
    noop = declared(preset, {"suppressed_share": [0.0] * 12, "tariff_pkr_per_kwh": 33.0})
    assert "shedding" in noop.to_dict()
    a, b = run(plain), run(noop)
    assert a.metrics == b.metrics
    old = [m for m in a.metrics if not m.startswith(SHEDDING_PREFIXES)]
    assert {"grid.eue_base_mwh", "grid.eue_households_increase_mwh", "fiscal.net_flow_pkr"} <= set(old)
    for m in a.metrics:  # the old model's metrics, and the new ones too
        assert np.array_equal(a.path_array(m), b.path_array(m)), m
    for o in a.outputs:
        assert np.array_equal(a.path_output(o), b.path_output(o)), o


def test_without_rules_network_or_fuel_all_shedding_is_capacity_shortfall(plain: gr.Scenario) -> None:
    res = run(plain.replace({"demand.base_load_mw": 21_000.0}))  # stressed: capacity shortfalls happen
    p = res.path_array
    assert (p("grid.eue_base_mwh") > 0).any()
    assert np.array_equal(p("shed.capacity_base_mwh"), p("grid.eue_base_mwh"))
    assert np.array_equal(p("shed.capacity_increase_mwh"), p("grid.eue_households_increase_mwh"))
    for c in ("rules", "network", "fuel"):
        assert np.all(p(f"shed.{c}_base_mwh") == 0.0), c
        assert np.all(p(f"shed.{c}_increase_mwh") == 0.0), c
    # One implicit class holds all the existing load.
    assert np.array_equal(p("shed.class1_h_per_day_base"), p("shed.households_h_per_day_base"))
    assert np.array_equal(p("shed.class1_h_per_day_increase"), p("shed.households_h_per_day_increase"))
    assert np.array_equal(p("shed.class1_increase_mwh"), p("grid.eue_households_increase_mwh"))
    for k in range(2, 7):
        for what in ("h_per_day_base", "h_per_day_increase", "increase_mwh"):
            assert np.all(p(f"shed.class{k}_{what}") == 0.0)
    for m in ("revenue_forgone_base", "cost_avoided_base", "revenue_forgone_increase", "cost_avoided_increase"):
        assert np.all(p(f"shed.{m}_pkr") == 0.0), m
    assert np.all(p("grid.imported_available_share") == 1.0)
    # Latent demand is the served demand plus what capacity sheds.
    hours = res.months.days_in_month.to_numpy() * 24.0
    np.testing.assert_allclose(
        p("grid.served_load_base_mw"), p("grid.latent_load_mw") - p("grid.eue_base_mwh") / hours, rtol=1e-12
    )
    t = res.shedding()
    assert list(t.index) == ["all", "all existing consumers"]
    assert t.loc["all", "increase h/day"] == t.loc["all existing consumers", "increase h/day"]


# -- (c) the tables agree with NumPy on kept paths -----------------------------------------------
def _mean_se(res: gr.Results, output: str, scale: float = 1.0) -> tuple[float, float]:
    x = res.path_output(output) * scale
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def test_shedding_tables_agree_with_numpy_on_kept_paths(full_run: gr.Results) -> None:
    res = full_run
    t = res.shedding()
    assert list(t.index) == [c["name"] for c in CLASSES] + ["all existing consumers"]
    assert t.index.name == "feeder class"
    assert list(t["load share"]) == [c["load_share"] for c in CLASSES] + [1.0]
    rows = [(f"class{k + 1}_shed", c["name"]) for k, c in enumerate(CLASSES)]
    for prefix, row in [*rows, ("households_shed", "all existing consumers")]:
        b = _mean_se(res, f"{prefix}_h_per_day_base")
        i = _mean_se(res, f"{prefix}_h_per_day_increase")
        extra = "eue_households_increase" if row == "all existing consumers" else f"{prefix}_increase"
        e = _mean_se(res, f"{extra}_mwh_per_year", 1e-3)
        got = t.loc[row]
        for col, want in (
            ("shed h/day, without", b[0]),
            ("± se (without)", b[1]),
            ("increase h/day", i[0]),
            ("± se (increase)", i[1]),
            ("extra shed GWh/yr", e[0]),
            ("± se (extra shed)", e[1]),
        ):
            assert got[col] == pytest.approx(want, rel=1e-9, abs=1e-12), (row, col)
        assert got["shed h/day, with"] == pytest.approx(b[0] + i[0], rel=1e-12)
    # The schedule's class is shed its hours at least; the classes make up all consumers.
    assert t.loc["high_loss", "shed h/day, without"] >= 8.0
    shares = t["load share"].iloc[:-1]
    for col in ("shed h/day, without", "increase h/day"):
        assert (shares * t[col].iloc[:-1]).sum() == pytest.approx(t[col].iloc[-1], rel=1e-9)
    assert t["extra shed GWh/yr"].iloc[:-1].sum() == pytest.approx(t["extra shed GWh/yr"].iloc[-1], rel=1e-9)

    c = res.shedding_by_cause()
    assert list(c.index) == [*CAUSES, "total"]
    for cause in CAUSES:
        for case, col, se in (
            ("base", "GWh/yr, without", "± se (without)"),
            ("increase", "GWh/yr, increase", "± se (increase)"),
        ):
            m, s = _mean_se(res, f"shed_{cause}_{case}_mwh_per_year", 1e-3)
            assert c.loc[cause, col] == pytest.approx(m, rel=1e-9, abs=1e-12), (cause, case)
            assert c.loc[cause, se] == pytest.approx(s, rel=1e-9, abs=1e-12), (cause, case)
    total_without = sum(res.path_output(f"shed_{x}_base_mwh_per_year") for x in CAUSES) * 1e-3
    assert c.loc["total", "GWh/yr, without"] == pytest.approx(total_without.mean(), rel=1e-9)
    assert math.isnan(c.loc["total", "± se (without)"])
    m, s = _mean_se(res, "eue_households_increase_mwh_per_year", 1e-3)
    assert (c.loc["total", "GWh/yr, increase"], c.loc["total", "± se (increase)"]) == pytest.approx((m, s), rel=1e-9)
    assert c.loc[list(CAUSES), "GWh/yr, increase"].sum() == pytest.approx(m, rel=1e-9)

    a = res.shedding_accounts()
    assert list(a.index) == ["revenue forgone", "generation cost avoided", "circular debt avoided"]
    for row, item in (("revenue forgone", "revenue_forgone"), ("generation cost avoided", "cost_avoided")):
        for case, col in (("base", "PKR bn/yr, without"), ("increase", "PKR bn/yr, increase")):
            assert a.loc[row, col] == pytest.approx(_mean_se(res, f"{item}_{case}_pkr_per_year", 1e-9)[0], rel=1e-9)
    for col in ("PKR bn/yr, without", "PKR bn/yr, increase"):
        want = a.loc["generation cost avoided", col] - a.loc["revenue forgone", col]
        assert a.loc["circular debt avoided", col] == pytest.approx(want, rel=1e-12)
    assert a.loc["revenue forgone", "PKR bn/yr, without"] > 0


def test_shedding_errors_come_from_pair_means_in_an_antithetic_run(full: gr.Scenario) -> None:
    res = gr.simulate(full, paths=256, seed=SEED, antithetic=True, progress=False)
    s = res.summary()
    t = res.shedding().loc["all existing consumers"]
    assert t["± se (increase)"] == s.loc["households_shed_h_per_day_increase", "se"]
    assert t["± se (extra shed)"] == pytest.approx(s.loc["eue_households_increase_mwh_per_year", "se"] * 1e-3)
    c = res.shedding_by_cause()
    assert c.loc["rules", "± se (without)"] == pytest.approx(s.loc["shed_rules_base_mwh_per_year", "se"] * 1e-3)


# -- (d) the validator names the field ------------------------------------------------------------
def _classes(d: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = d["shedding"]["feeder_class"]
    return out


def _fuel(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in d["fleet"] if f["name"] == name)


def _seven_classes(d: dict[str, Any]) -> None:
    d["shedding"]["feeder_class"] = [
        {"name": f"c{k}", "load_share": 1 / 7, "loss_rate": 0.1, "recovery_rate": 0.9, "rule": "none"} for k in range(7)
    ]


def _set_hydro_fuel_limit(d: dict[str, Any]) -> None:
    _fuel(d, "hydro")["fuel_limit"] = {"energy_gwh_per_month": [100.0] * 12}


def _min_take_above_cap(d: dict[str, Any]) -> None:
    _fuel(d, "rlng_ccgt")["fuel_limit"]["min_take_gwh_per_month"][3] = 1_600.0


BAD: dict[str, tuple[Callable[[dict[str, Any]], Any], str, str]] = {
    "shares_not_one": (lambda d: _classes(d)[0].update(load_share=0.5), "shedding.feeder_class", "sum to 1"),
    "seven_classes": (_seven_classes, "shedding.feeder_class", "at most 6"),
    "schedule_without_hours": (
        lambda d: _classes(d)[2].pop("hours_per_day"),
        "shedding.feeder_class[2].hours_per_day",
        "hours a day",
    ),
    "cap_on_a_class_without_the_economic_rule": (
        lambda d: _classes(d)[0].update(max_hours_per_day=3.0),
        "shedding.feeder_class[0].max_hours_per_day",
        'only to rule = "economic"',
    ),
    "cap_on_a_scheduled_class": (
        lambda d: _classes(d)[2].update(max_hours_per_day=3.0),
        "shedding.feeder_class[2].max_hours_per_day",
        'only to rule = "economic"',
    ),
    "floor_above_the_cap_in_one_month": (
        lambda d: _classes(d)[1].update(hours_per_day=[2.0] * 6 + [7.0] + [2.0] * 5),
        "shedding.feeder_class[1].hours_per_day[6]",
        "in July must not exceed",
    ),
    "hours_out_of_range_in_one_month": (
        lambda d: _classes(d)[2].update(hours_per_day=[8.0] * 11 + [25.0]),
        "shedding.feeder_class[2].hours_per_day[11]",
        "[0, 24]",
    ),
    "hours_for_eleven_months": (
        lambda d: _classes(d)[1].update(max_hours_per_day=[6.0] * 11),
        "shedding.feeder_class[1].max_hours_per_day",
        "12 numbers",
    ),
    "deliverable_out_of_order": (
        lambda d: d["shedding"]["deliverable"].append({"from": "2027-01", "mw": 24_000.0}),
        "shedding.deliverable[2].from",
        "after the previous",
    ),
    "deliverable_step_without_a_month": (
        lambda d: d["shedding"]["deliverable"][1].pop("from"),
        "shedding.deliverable[1].from",
        "needs the month",
    ),
    "fuel_limit_on_a_profiled_class": (_set_hydro_fuel_limit, "fleet[{hydro}].fuel_limit", "profile"),
    "min_take_above_the_cap": (
        _min_take_above_cap,
        "fleet[{rlng}].fuel_limit.min_take_gwh_per_month[3]",
        "at most energy_gwh_per_month[3]",
    ),
    "min_take_without_its_price": (
        lambda d: _fuel(d, "rlng_ccgt")["fuel_limit"].pop("take_or_pay_usd_per_mmbtu"),
        "fleet[{rlng}].fuel_limit.take_or_pay_usd_per_mmbtu",
        "needs the price",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_the_validator_rejects_bad_shedding_input_by_field(full: gr.Scenario, case: str) -> None:
    mutate, field, words = BAD[case]
    field = field.format(hydro=fleet_index(full, "hydro"), rlng=fleet_index(full, "rlng_ccgt"))
    d = full.to_dict()
    mutate(d)
    with pytest.raises(gr.ScenarioError) as info:
        gr.Scenario.from_dict(d)
    assert info.value.fields == [field]
    assert field in str(info.value)
    assert words in str(info.value)


def _with_hours(full: gr.Scenario, k: int, **hours: Any) -> gr.Scenario:
    d = full.to_dict()
    _classes(d)[k].update(hours)
    return gr.Scenario.from_dict(d)


def test_a_scalar_floor_or_cap_is_twelve_months_of_it_bit_for_bit(full: gr.Scenario) -> None:
    scalar = _with_hours(full, 1, hours_per_day=2.0, max_hours_per_day=6.0)
    monthly = _with_hours(full, 1, hours_per_day=[2.0] * 12, max_hours_per_day=[6.0] * 12)
    assert scalar == monthly
    assert scalar.to_dict()["shedding"]["feeder_class"][1]["max_hours_per_day"] == [6.0] * 12
    a, b = run(scalar, paths=32), run(monthly, paths=32)
    for k in ("shed.class2_h_per_day_base", "shed.class3_h_per_day_base", "grid.served_load_base_mw"):
        np.testing.assert_array_equal(a.path_array(k), b.path_array(k))


def test_monthly_hours_round_trip_and_set_each_calendar_months_shedding(full: gr.Scenario, tmp_path: Any) -> None:
    # The scheduled class: 4 h a day from May to September, 10 h otherwise; the economic class's
    # rule may not shed it at all from January to April.
    schedule = [10.0] * 4 + [4.0] * 5 + [10.0] * 3
    cap = [0.0] * 4 + [6.0] * 8
    d = full.to_dict()
    _classes(d)[2]["hours_per_day"] = schedule
    _classes(d)[1]["max_hours_per_day"] = cap
    sc = gr.Scenario.from_dict(d)
    assert gr.Scenario.from_dict(sc.to_dict()) == sc
    path = tmp_path / "monthly.toml"
    sc.to_toml(path)
    assert gr.Scenario.from_toml(path) == sc
    assert sc.to_dict()["shedding"]["feeder_class"][2]["hours_per_day"] == schedule
    r = run(sc, paths=32)
    month_of_year = np.array([m.month - 1 for m in r.months])
    scheduled = r.path_array("shed.class3_h_per_day_base")
    # At least the schedule (the network limit sheds more at some summer peaks).
    assert (scheduled >= np.array(schedule)[month_of_year] * (1 - 1e-9)).all()
    summer = (month_of_year >= 4) & (month_of_year <= 8)
    assert scheduled[:, summer].mean() < 5.0 < 9.99 < scheduled[:, ~summer].min()
    economic = r.path_array("shed.class2_h_per_day_base")
    # From January to April only the network and capacity shortfalls shed it, barely (minutes a
    # month at most, with nuclear at its FY25 availability).
    assert economic[:, month_of_year < 4].max() < 1e-2 < 1.0 < economic[:, month_of_year >= 4].max()


# -- (e) the network limit sheds in the curtailment priority -------------------------------------
def test_a_binding_network_limit_sheds_the_new_loads_before_households_when_they_come_first(
    preset: gr.Scenario,
) -> None:
    sc = declared(
        preset, {"suppressed_share": [0.1] * 12, "tariff_pkr_per_kwh": 33.0, "deliverable": [{"mw": 20_000.0}]}
    )
    new_first = run(sc.replace({"grid.curtailment_priority": ["mining", "datacenters", "households"]}))
    hh_first = run(sc.replace({"grid.curtailment_priority": ["households", "mining", "datacenters"]}))
    # The limit binds without the allocation too, the same on both.
    base = new_first.path_output("shed_network_base_mwh_per_year")
    assert base.mean() > 0
    assert np.array_equal(base, hh_first.path_output("shed_network_base_mwh_per_year"))
    # Households first: the new loads are never shed and the households lose what they add.
    assert np.all(hh_first.path_output("eue_newload_mwh_per_year") == 0.0)
    hh_increase = hh_first.path_output("shed_network_increase_mwh_per_year")
    assert hh_increase.mean() > 0
    # New loads first: they take the network's shedding, households' extra network shedding is
    # gone (to rounding: a few 1e-9 MWh of the sums of MW in the core).
    newload = new_first.path_output("eue_newload_mwh_per_year")
    assert newload.mean() > 0
    assert np.all(newload >= hh_first.path_output("eue_newload_mwh_per_year"))
    increase = new_first.path_output("shed_network_increase_mwh_per_year")
    assert np.all(increase <= hh_increase + 1e-6)
    assert np.abs(increase).max() < 1e-6
    assert np.abs(new_first.path_output("households_shed_h_per_day_increase")).max() < 1e-9
    # What the new loads lose is about what households no longer lose (not exactly: the new
    # loads' own draw responds to their curtailment).
    assert newload.mean() == pytest.approx(hh_increase.mean(), rel=0.05)


# -- (f) the liquidity feedback -----------------------------------------------------------------
def test_liquidity_feedback_idles_imported_capacity_and_sheds_for_fuel(preset: gr.Scenario) -> None:
    def liquid(threshold_pkr: float) -> dict[str, Any]:
        return {
            "suppressed_share": [0.0] * 12,
            "tariff_pkr_per_kwh": 33.0,
            "liquidity": {
                "circular_debt0_pkr": 4.0e11,
                "circular_debt_growth_pkr_per_year": 0.0,
                "threshold_pkr": threshold_pkr,
                "derate_per_excess": 0.5,
            },
        }

    loose = run(declared(preset, liquid(1.0e12)))
    tight_sc = declared(preset, liquid(2.0e11))
    tight = run(tight_sc)
    assert np.all(loose.path_array("grid.imported_available_share") == 1.0)
    share = tight.path_array("grid.imported_available_share")
    assert np.all(share < 1.0)
    # Without the allocation, half the imported capacity idles: the stock is twice the threshold.
    zero = run(no_allocation(tight_sc))
    assert np.all(zero.path_array("grid.imported_available_share") == 0.5)
    assert np.all(loose.path_array("shed.fuel_base_mwh") == 0.0)
    fuel = tight.path_output("shed_fuel_base_mwh_per_year")
    assert np.all(fuel >= 0.0)
    assert fuel.mean() > 1_000.0
    assert np.all(tight.path_array("shed.fuel_base_mwh") >= loose.path_array("shed.fuel_base_mwh"))
    # The capacity part is the shortfall with fuel unlimited: the same with or without the loop.
    np.testing.assert_allclose(
        tight.path_array("shed.capacity_base_mwh"), loose.path_array("shed.capacity_base_mwh"), rtol=1e-9, atol=1e-9
    )
    by_cause = tight.shedding_by_cause()
    assert by_cause.loc["fuel", "GWh/yr, without"] > by_cause.loc["capacity", "GWh/yr, without"]


# -- the figure -----------------------------------------------------------------------------------
def test_shedding_figure_names_its_axes_and_bars(full_run: gr.Results) -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt
    from gridrisk import plot

    assert "shedding" in plot.__all__
    fig, ax = plt.subplots()
    try:
        assert plot.shedding(full_run, ax=ax) is ax
        fig.canvas.draw()
        rows = [units.feeder_class(c["name"]) for c in CLASSES] + ["all existing consumers"]
        assert [t.get_text() for t in ax.get_yticklabels()] == rows
        assert len(ax.patches) == 2 * len(rows)
        assert "h/day" in ax.get_xlabel()
        assert "hours" in ax.get_xlabel()
        assert ax.get_ylabel().startswith("Feeder class")
        assert "shedding" in ax.get_title().lower()
        assert ax.xaxis.get_offset_text().get_text() == ""
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["without the allocation", "with the allocation (2,000 MW)"]
        # Bar lengths are the table's hours, the first class on top.
        widths = [p.get_width() for p in ax.patches]
        t = full_run.shedding()
        np.testing.assert_allclose(widths[: len(rows)], t["shed h/day, without"])
        np.testing.assert_allclose(widths[len(rows) :], t["shed h/day, with"])
        assert ax.yaxis_inverted()
    finally:
        plt.close(fig)


# -- one path-month in detail ---------------------------------------------------------------------
def test_explain_month_blocks_add_up_to_the_months_shedding(full: gr.Scenario) -> None:
    res = gr.simulate(full, paths=4, seed=SEED, keep_paths=True, progress=False)
    t, path = 15, 3  # July 2027: the network limit and the economic rule bind
    b = gr.explain_month(full, seed=SEED, path=path, month=t).blocks
    h = b["hours"]
    for cause in CAUSES:
        base = (b[f"shed_{cause}_base_mw"] * h).sum()
        assert base == pytest.approx(res.path_array(f"shed.{cause}_base_mwh")[path, t], rel=1e-12, abs=1e-9), cause
        increase = (b[f"shed_{cause}_with_mw"] * h).sum() - base
        want = res.path_array(f"shed.{cause}_increase_mwh")[path, t]
        assert increase == pytest.approx(want, rel=1e-9, abs=1e-6), cause
    assert (b["shed_rules_base_mw"] * h).sum() > 0
    assert (b["shed_network_base_mw"] * h).sum() > 0
    for col, metric in (
        ("latent_mw", "grid.latent_load_mw"),
        ("served_base_mw", "grid.served_load_base_mw"),
        ("served_with_mw", "grid.served_load_with_mw"),
    ):
        assert (b[col] * h).sum() / h.sum() == pytest.approx(res.path_array(metric)[path, t], rel=1e-12), col
    # What is served is the latent demand less every cause's shedding.
    shed = sum(b[f"shed_{cause}_base_mw"] for cause in CAUSES)
    np.testing.assert_allclose(b["served_base_mw"], b["latent_mw"] - shed, rtol=1e-12, atol=1e-6)
