"""Break-even values of policy parameters (gridrisk.policy.breakeven) on common random numbers."""

from __future__ import annotations

import math
import re

import gridrisk as gr
import numpy as np
import pytest
from gridrisk.policy import STOP_SE_FRACTION, BreakEven, breakeven, field_unit

TARIFF = "mining.tariff_pkr_per_kwh"
PATHS = 4_000
SEED = 7

# On the two-year preset the expected NPV rises with the miners' tariff from Rs 10 (miners run,
# below cost) to about Rs 25 (they pay more than they cost), then falls as they switch off.


def mean_npv(sc: gr.Scenario, seed: int = SEED, paths: int = PATHS) -> tuple[float, float]:
    row = gr.simulate(sc, paths=paths, seed=seed, progress=False).summary().loc["npv_pkr"]
    return float(row["mean"]), float(row["se"])


@pytest.fixture(scope="module")
def be0(short: gr.Scenario) -> BreakEven:
    return breakeven(short, TARIFF, bracket=(10, 20), paths=PATHS, seed=SEED, progress=False)


def test_mean_breakeven_makes_the_expected_npv_zero(short: gr.Scenario, be0: BreakEven) -> None:
    assert 10 < be0.value < 20
    assert be0.converged
    assert math.isfinite(be0.se)
    assert be0.se > 0
    assert be0.ci95[0] < be0.value < be0.ci95[1]
    assert be0.ci95[1] - be0.ci95[0] == pytest.approx(2 * 1.959964 * be0.se)
    assert be0.slope > 0  # increasing on this bracket
    assert be0.unit == "PKR/kWh"
    assert be0.criterion == "E[npv_pkr] = 0"
    # Re-simulated at the break-even value on the same seed: mean NPV within 2 s.e. of zero.
    mean, se = mean_npv(short.replace({TARIFF: be0.value}))
    assert abs(mean) <= 2 * se
    # On other draws the mean is zero within the combined error of the root and the new run.
    mean, se = mean_npv(short.replace({TARIFF: be0.value}), seed=2026)
    assert abs(mean) <= 3 * math.hypot(se, be0.slope * be0.se)


def test_evaluations_table_and_display(be0: BreakEven) -> None:
    ev = be0.evaluations
    assert list(ev.columns) == ["value", "statistic", "se"]
    assert ev.index.name == "run"
    assert list(ev.index) == list(range(1, be0.runs + 1))
    assert ev["value"].iloc[:2].tolist() == [10.0, 20.0]  # the bracket's ends first
    assert (ev["se"] > 0).all()
    # Every run inside the bracket, and the last statistic within its Monte Carlo error of 0.
    assert ev["value"].between(10, 20).all()
    assert abs(ev["statistic"].iloc[-1]) <= STOP_SE_FRACTION * ev["se"].iloc[-1]
    assert be0.runs <= 20
    assert be0.bracket[0] < be0.value < be0.bracket[1]
    text = repr(be0)
    assert re.fullmatch(
        r"break-even mining\.tariff_pkr_per_kwh = \d+\.\d+ ± \d\.\d+ PKR/kWh "
        rf"\(E\[npv_pkr\] = 0; 4,000 paths, seed 7, {be0.runs} runs\)",
        text,
    ), text
    page = be0._repr_html_()
    assert "break-even mining.tariff_pkr_per_kwh" in page
    assert "<table" in page
    assert "95 % interval" in page


def test_higher_target_needs_a_higher_tariff(short: gr.Scenario, be0: BreakEven) -> None:
    be10 = breakeven(short, TARIFF, bracket=(10, 20), target=10e9, paths=PATHS, progress=False)
    assert be10.criterion == "E[npv_pkr] = 10,000,000,000 PKR"
    assert be10.value > be0.value + 2 * math.hypot(be0.se, be10.se)
    mean, se = mean_npv(short.replace({TARIFF: be10.value}))
    assert abs(mean - 10e9) <= 2 * se


def test_bracket_without_a_crossing_is_refused(short: gr.Scenario) -> None:
    with pytest.raises(gr.ArgumentError, match="does not straddle") as info:
        breakeven(short, TARIFF, bracket=(20, 40), paths=1_000, progress=False)
    msg = str(info.value)
    assert "at mining.tariff_pkr_per_kwh = 20 " in msg
    assert "at mining.tariff_pkr_per_kwh = 40," in msg
    assert "E[npv_pkr] is " in msg
    assert "wider bracket" in msg


def test_probability_criterion_hits_its_target(short: gr.Scenario) -> None:
    be = breakeven(short, TARIFF, bracket=(10, 23), probability=0.15, paths=PATHS, progress=False)
    assert be.criterion == "P(npv_pkr < 0) = 0.15"
    assert be.probability == 0.15
    assert 10 < be.value < 23
    assert be.slope < 0  # a higher tariff, a smaller chance of a loss
    assert math.isfinite(be.se)
    assert be.se > 0
    res = gr.simulate(short.replace({TARIFF: be.value}), paths=PATHS, seed=SEED, progress=False)
    p = float(res.risk().loc["P(NPV < 0)", "value"])
    se = math.sqrt(0.15 * 0.85 / PATHS)
    assert abs(p - 0.15) <= se
    # The run's statistic is the engine's own exact count of paths with NPV < 0.
    last = be.evaluations.iloc[-1]
    assert last["value"] == be.value
    assert last["statistic"] == p
    assert last["se"] == pytest.approx(se)


def test_decreasing_statistic(short: gr.Scenario) -> None:
    # At Rs 12/kWh every MW of miners loses money: the NPV falls as the allocation grows.
    cheap = short.replace({TARIFF: 12.0})
    be = breakeven(cheap, "allocation.mining_mw", bracket=(0, 1_000), paths=PATHS, progress=False)
    assert 0 < be.value < 1_000
    assert be.slope < 0
    assert be.unit == "MW"
    assert math.isfinite(be.se)
    assert be.se > 0
    mean, se = mean_npv(cheap.replace({"allocation.mining_mw": be.value}))
    assert abs(mean) <= 2 * se
    # The same root from a bracket given the other way round.
    again = breakeven(cheap, "allocation.mining_mw", bracket=(1_000, 0), paths=PATHS, progress=False)
    assert again.value == be.value


def test_whole_number_field_is_interpolated(short: gr.Scenario) -> None:
    field = "datacenters.tax_holiday_months"
    be = breakeven(short, field, bracket=(0, 24), target=40e9, paths=PATHS, progress=False)
    assert be.unit == "months"
    values = be.evaluations["value"]
    assert (values == values.round()).all()
    assert 0 < be.value < 24
    lo, hi = math.floor(be.value), math.ceil(be.value)
    if lo != hi:  # interpolated between two adjacent whole numbers on either side of the target
        assert be.bracket == (lo, hi)
        m_lo, _ = mean_npv(short.replace({field: lo}))
        m_hi, _ = mean_npv(short.replace({field: hi}))
        assert (m_lo - 40e9) * (m_hi - 40e9) <= 0


def test_a_field_without_effect_is_named(short: gr.Scenario) -> None:
    # Past the two-year horizon a longer tax holiday changes nothing.
    with pytest.raises(gr.ArgumentError, match="may have no effect"):
        breakeven(short, "datacenters.tax_holiday_months", bracket=(24, 105), paths=500, progress=False)


def test_max_evals_reached_warns(short: gr.Scenario) -> None:
    with pytest.warns(RuntimeWarning, match="did not converge"):
        be = breakeven(short, TARIFF, bracket=(5, 60), max_evals=3, paths=1_000, progress=False)
    assert not be.converged
    assert be.runs == 3
    assert "not converged" in repr(be)
    assert be.bracket[0] <= be.value <= be.bracket[1]


def test_progress_callback_is_called_for_every_run(short: gr.Scenario) -> None:
    calls: list[tuple[int, int]] = []
    be = breakeven(
        short,
        TARIFF,
        bracket=(10, 20),
        paths=1_000,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert be.converged
    assert calls
    assert {total for _, total in calls} == {1_000}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"field": "mining.tarif_pkr_per_kwh"}, "did you mean 'mining.tariff_pkr_per_kwh'"),
        ({"field": "mining.tariff"}, "not a number"),
        ({"field": "fleet[0].must_run"}, "not a number"),
        ({"field": ""}, "dotted scenario field"),
        ({"bracket": (10, 10)}, "two different ends"),
        ({"bracket": 10}, "pair"),
        ({"bracket": (10, math.nan)}, r"bracket\[1\] must be a finite number"),
        ({"probability": 0.0}, "strictly between 0 and 1"),
        ({"probability": 1.5}, "strictly between 0 and 1"),
        ({"output": "npv"}, "did you mean 'npv_pkr'"),
        ({"target": math.inf}, "target must be a finite number"),
        ({"paths": 1}, "paths"),
        ({"max_evals": 2}, "max_evals"),
        ({"tol": 0.0}, "tol must be a positive number"),
        ({"field": "mining.ramp_months", "bracket": (0, 6.5)}, "whole numbers"),
    ],
)
def test_arguments_are_checked(short: gr.Scenario, kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"field": TARIFF, "bracket": (10, 20), "paths": 500, "progress": False}
    args.update(kwargs)
    field = args.pop("field")
    with pytest.raises(gr.ArgumentError, match=match):
        breakeven(short, field, **args)  # type: ignore[arg-type]


def test_invalid_value_in_bracket_names_it(short: gr.Scenario) -> None:
    with pytest.raises(gr.ScenarioError) as info:
        breakeven(short, TARIFF, bracket=(-5, 20), paths=500, progress=False)
    assert "in breakeven at mining.tariff_pkr_per_kwh = -5" in info.value.__notes__


def test_undefined_output_is_refused(short: gr.Scenario) -> None:
    half_year = short.replace({"simulation.horizon_months": 6})
    with pytest.raises(gr.ArgumentError, match="undefined"):
        breakeven(half_year, TARIFF, bracket=(10, 20), output="worst_fiscal_year_net_flow_pkr", paths=500)


@pytest.mark.parametrize(
    ("field", "unit"),
    [
        ("mining.tariff_pkr_per_kwh", "PKR/kWh"),
        ("mining.tariff.base_pkr_per_kwh", "PKR/kWh"),
        ("mining.tariff_usd_per_kwh", "USD/kWh"),
        ("allocation.mining_mw", "MW"),
        ("mining.efficiency_j_per_th", "J/TH"),
        ("mining.ramp_months", "months"),
        ("fleet[3].unit_mw", "MW"),
        ("fleet[0].heat_rate_mmbtu_per_mwh", "MMBtu/MWh"),
        ("fx.rate0_pkr_per_usd", "PKR/USD"),
        ("reserve.purchase_usd_per_month", "USD/month"),
        ("network.hashrate0_ehs", "EH/s"),
        ("reserve.initial_btc", "BTC"),
        ("mining.cost_plus_markup", ""),
        ("fiscal.discount_rate_annual", ""),
        ("fleet[0].units", ""),
        ("mw", "MW"),
    ],
)
def test_field_unit(field: str, unit: str) -> None:
    assert field_unit(field) == unit


def test_breakeven_is_deterministic_for_a_seed(short: gr.Scenario, be0: BreakEven) -> None:
    again = breakeven(short, TARIFF, bracket=(10, 20), paths=PATHS, seed=SEED, progress=False, threads=1)
    assert again.value == be0.value
    assert np.array_equal(again.evaluations.to_numpy(), be0.evaluations.to_numpy())
