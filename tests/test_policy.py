"""Break-even values of policy parameters (gridrisk.policy.breakeven) on common random numbers.

The targets are set from the statistic at the bracket's ends, so that a crossing exists whatever
the calibration of the preset (which moves with the model); only mechanical directions are
asserted (a longer tax holiday collects less tax, a higher collection rate adds less circular
debt).
"""

from __future__ import annotations

import math
import re

import gridrisk as gr
import numpy as np
import pytest
from gridrisk.policy import STOP_SE_FRACTION, BreakEven, _adverse_share, breakeven, field_unit

PATHS = 3_000
SEED = 7
HOLIDAY = "datacenters.tax_holiday_months"
COLLECTION = "fiscal.collection_rate"


#: The preset with the new loads as fixed quantities (conftest.fixed_loads): this module tests
#: what happens to loads that are there.
FIXED_LOADS = True


def tariff_field(sc: gr.Scenario) -> str:
    """The data centres' tariff in PKR/kWh: a firm load, so E[NPV] moves smoothly with it (the
    miners' would flatten where they stop running, and the tests below need a curve that
    keeps rising across the bracket)."""
    for name in ("datacenters.tariff[0].base_pkr_per_kwh", "datacenters.tariff[0].pkr_per_kwh"):
        try:
            if isinstance(sc[name], float):
                return name
        except KeyError:
            pass
    raise AssertionError("the preset has no data-centre tariff in PKR/kWh")


def stats(sc: gr.Scenario, seed: int = SEED, paths: int = PATHS) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=seed, progress=False)


def mean_npv(sc: gr.Scenario, seed: int = SEED, paths: int = PATHS) -> tuple[float, float]:
    row = stats(sc, seed, paths).summary().loc["npv_pkr"]
    return float(row["mean"]), float(row["se"])


@pytest.fixture(scope="module")
def short(preset: gr.Scenario) -> gr.Scenario:
    """The preset over two years with fixed rupee tariffs: E[NPV] is then smooth in the data
    centres' tariff (no package cap or regime change to put kinks in the curve)."""
    fixed = [{"regime": "fixed_pkr", "pkr_per_kwh": 22.98}]
    return preset.replace({"simulation.horizon_months": 24, "mining.tariff": fixed, "datacenters.tariff": fixed})


@pytest.fixture(scope="module")
def tariff(short: gr.Scenario) -> str:
    return tariff_field(short)


@pytest.fixture(scope="module")
def tariff_ends(short: gr.Scenario, tariff: str) -> tuple[float, float]:
    """E[NPV] at tariffs of Rs 10 and Rs 25 /kWh."""
    return mean_npv(short.replace({tariff: 10.0}))[0], mean_npv(short.replace({tariff: 25.0}))[0]


@pytest.fixture(scope="module")
def be_mid(short: gr.Scenario, tariff: str, tariff_ends: tuple[float, float]) -> BreakEven:
    """The tariff at which E[NPV] is halfway between its values at the bracket's ends."""
    target = sum(tariff_ends) / 2
    return breakeven(short, tariff, bracket=(10, 25), target=target, paths=PATHS, seed=SEED, progress=False)


def test_mean_breakeven_hits_the_target(short: gr.Scenario, tariff: str, be_mid: BreakEven) -> None:
    target = be_mid.target
    assert 10 < be_mid.value < 25
    assert be_mid.converged
    assert math.isfinite(be_mid.se)
    assert be_mid.se > 0
    assert be_mid.ci95[0] < be_mid.value < be_mid.ci95[1]
    assert be_mid.ci95[1] - be_mid.ci95[0] == pytest.approx(2 * 1.959964 * be_mid.se)
    assert be_mid.unit == "PKR/kWh"
    assert be_mid.criterion.startswith("E[npv_pkr] = ")
    assert be_mid.criterion.endswith(" PKR")
    # Re-simulated at the break-even value on the same seed: mean NPV within 2 s.e. of the target.
    mean, se = mean_npv(short.replace({tariff: be_mid.value}))
    assert abs(mean - target) <= 2 * se
    # On other draws, within the combined error of the root and of the new run.
    mean, se = mean_npv(short.replace({tariff: be_mid.value}), seed=2026)
    assert abs(mean - target) <= 3 * math.hypot(se, be_mid.slope * be_mid.se)


def test_target_nearer_an_end_moves_the_root_towards_it(
    short: gr.Scenario, tariff: str, tariff_ends: tuple[float, float], be_mid: BreakEven
) -> None:
    f10, f25 = tariff_ends
    # A target three quarters of the way to E[NPV] at Rs 25 needs a higher tariff than one
    # halfway; where the NPV rises with the tariff that is a higher target NPV.
    later = breakeven(short, tariff, bracket=(10, 25), target=f10 + 0.75 * (f25 - f10), paths=PATHS, progress=False)
    assert later.value > be_mid.value + 2 * math.hypot(be_mid.se, later.se)
    assert (later.target > be_mid.target) == (be_mid.slope > 0)


def test_evaluations_table_and_display(be_mid: BreakEven, tariff: str) -> None:
    ev = be_mid.evaluations
    assert list(ev.columns) == ["value", "statistic", "se", "role"]
    assert ev.index.name == "run"
    assert list(ev.index) == list(range(1, be_mid.runs + 1))
    assert ev["value"].iloc[:2].tolist() == [10.0, 25.0]  # the bracket's ends first
    assert ev["role"].iloc[:2].tolist() == ["bracket", "bracket"]
    assert set(ev["role"].iloc[2:]) <= {"search", "slope"}
    assert (ev["se"] > 0).all()
    assert ev["value"].between(10, 25).all()
    # The run at the break-even value is within its Monte Carlo error of the target.
    at = ev[ev["value"] == be_mid.value]
    assert len(at) == 1
    assert abs(at["statistic"].iloc[0] - be_mid.target) <= STOP_SE_FRACTION * at["se"].iloc[0]
    assert be_mid.runs <= 22
    assert be_mid.bracket[0] < be_mid.value < be_mid.bracket[1]
    text = repr(be_mid)
    assert re.fullmatch(
        rf"break-even {re.escape(tariff)} = \d+\.\d+ ± \d+\.\d+ PKR/kWh "
        rf"\({re.escape(be_mid.criterion)}; 3,000 paths, seed 7, {be_mid.runs} runs\)",
        text,
    ), text
    page = be_mid._repr_html_()
    assert f"break-even {tariff}" in page
    assert "<table" in page
    assert "95 % interval" in page


def test_slope_is_measured_across_the_root(be_mid: BreakEven) -> None:
    ev = be_mid.evaluations
    pairs = [
        (lo, hi)
        for lo in ev.itertuples()
        for hi in ev.itertuples()
        if lo.value < be_mid.value < hi.value and (hi.statistic - lo.statistic) / (hi.value - lo.value) == be_mid.slope
    ]
    assert pairs
    lo, hi = pairs[0]
    if (ev["role"] == "slope").any():
        # Runs made for the slope: each a few standard errors of the root away, a local slope
        # rather than a far secant.
        for end in (lo, hi):
            assert 0.25 * be_mid.se <= abs(end.value - be_mid.value) <= 8 * be_mid.se
    else:
        # The nearest runs on either side agreed on the slope: no extra run was needed.
        assert lo.role in {"bracket", "search"}
        assert hi.role in {"bracket", "search"}


def test_breakeven_is_deterministic_for_a_seed(short: gr.Scenario, tariff: str, be_mid: BreakEven) -> None:
    again = breakeven(
        short, tariff, bracket=(10, 25), target=be_mid.target, paths=PATHS, seed=SEED, threads=1, progress=False
    )
    assert again.value == be_mid.value
    cols = ["value", "statistic", "se"]
    assert np.array_equal(again.evaluations[cols].to_numpy(), be_mid.evaluations[cols].to_numpy())


def test_bracket_without_a_crossing_is_refused(short: gr.Scenario, tariff: str) -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(gr.ArgumentError, match="does not straddle") as info:
        breakeven(
            short,
            tariff,
            bracket=(10, 25),
            target=1e15,
            paths=1_000,
            progress=lambda done, total: calls.append((done, total)),
        )
    msg = str(info.value)
    assert f"at {tariff} = 10 " in msg
    assert f"at {tariff} = 25," in msg
    assert "E[npv_pkr] is " in msg
    assert " bn PKR at " in msg
    assert "wider bracket" in msg
    # The progress callback saw both runs.
    assert calls
    assert {total for _, total in calls} == {1_000}


def test_decreasing_statistic_of_a_lower_is_better_output(short: gr.Scenario) -> None:
    # Bills not collected add to circular debt: it falls as the collection rate rises.
    be = breakeven(short, COLLECTION, bracket=(0.5, 1.0), output="circular_debt_change_pkr", paths=PATHS)
    assert be.criterion == "E[circular_debt_change_pkr] = 0"
    assert be.slope < 0
    assert 0.5 < be.value < 1.0
    assert be.unit == ""
    assert math.isfinite(be.se)
    assert be.se > 0
    row = stats(short.replace({COLLECTION: be.value})).summary().loc["circular_debt_change_pkr"]
    assert abs(row["mean"]) <= 2 * row["se"]
    # The same root from a bracket given the other way round.
    again = breakeven(short, COLLECTION, bracket=(1.0, 0.5), output="circular_debt_change_pkr", paths=PATHS)
    assert again.value == be.value


def test_probability_criterion_hits_its_target(short: gr.Scenario, tariff: str) -> None:
    # With every shortfall booked as circular debt, cheap enough data-centre power makes the NPV
    # negative on most paths and dear enough power on none.
    short = short.replace({"incidence.consumers_share": 0.0, "incidence.circular_debt_share": 1.0})
    p_ends = [float(stats(short.replace({tariff: c})).risk().loc["P(NPV < 0)", "value"]) for c in (2.0, 25.0)]
    p = round(sum(p_ends) / 2, 3)
    assert 0 < p < 1
    be = breakeven(short, tariff, bracket=(2.0, 25.0), probability=p, paths=PATHS, progress=False)
    assert be.criterion == f"P(npv_pkr < 0) = {p:g}"
    assert be.probability == p
    assert 2.0 < be.value < 25.0
    assert math.isfinite(be.se)
    assert be.se > 0
    res = stats(short.replace({tariff: be.value}))
    got = float(res.risk().loc["P(NPV < 0)", "value"])
    se = math.sqrt(p * (1 - p) / PATHS)
    assert abs(got - p) <= se
    # The run's statistic is the engine's own exact count of paths with NPV < 0.
    ev = be.evaluations
    at = ev[ev["value"] == be.value].iloc[0]
    assert at["statistic"] == got
    assert at["se"] == pytest.approx(se)


def test_probability_criterion_on_a_lower_is_better_output(short: gr.Scenario) -> None:
    be = breakeven(
        short, COLLECTION, bracket=(0.5, 1.0), output="circular_debt_change_pkr", probability=0.5, paths=PATHS
    )
    assert be.criterion == "P(circular_debt_change_pkr > 0) = 0.5"
    assert be.slope < 0  # the more is collected, the less often circular debt grows
    got = float(stats(short.replace({COLLECTION: be.value})).risk().loc["P(circular debt grows)", "value"])
    assert abs(got - 0.5) <= math.sqrt(0.25 / PATHS)


def test_adverse_share_reads_the_adverse_side_like_risk(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=2_000, seed=3, keep_outputs=True, progress=False)
    risk = res.risk()
    assert _adverse_share(res.path_output("npv_pkr"), 0.0, True) == risk.loc["P(NPV < 0)", "value"]
    debt = res.path_output("circular_debt_change_pkr")
    assert _adverse_share(debt, 0.0, False) == risk.loc["P(circular debt grows)", "value"]
    assert math.isnan(_adverse_share(np.full(4, math.nan), 0.0, True))


def test_whole_number_field_decreasing(short: gr.Scenario) -> None:
    # A longer tax holiday for the data centres collects less tax: the NPV falls with it.
    f0, f24 = mean_npv(short.replace({HOLIDAY: 0}))[0], mean_npv(short.replace({HOLIDAY: 24}))[0]
    target = (f0 + f24) / 2
    be = breakeven(short, HOLIDAY, bracket=(0, 24), target=target, paths=PATHS, progress=False)
    assert be.unit == "months"
    assert be.slope < 0
    values = be.evaluations["value"]
    assert (values == values.round()).all()
    assert 0 < be.value < 24
    lo, hi = math.floor(be.value), math.ceil(be.value)
    if lo != hi:  # interpolated between two adjacent whole numbers on either side of the target
        assert be.bracket == (lo, hi)
        m_lo, _ = mean_npv(short.replace({HOLIDAY: lo}))
        m_hi, _ = mean_npv(short.replace({HOLIDAY: hi}))
        assert m_lo > target > m_hi


def test_a_field_without_effect_is_named(short: gr.Scenario) -> None:
    # Past the two-year horizon a longer tax holiday changes nothing.
    with pytest.raises(gr.ArgumentError, match="may have no effect"):
        breakeven(short, HOLIDAY, bracket=(24, 105), paths=500, progress=False)


def test_a_probability_that_never_changes_is_named(short: gr.Scenario) -> None:
    with pytest.raises(gr.ArgumentError, match="no path is adverse at either end"):
        breakeven(short, COLLECTION, bracket=(0.5, 1.0), probability=0.1, target=-1e15, paths=500)


def test_max_evals_reached_warns(short: gr.Scenario) -> None:
    f0, f24 = (
        mean_npv(short.replace({HOLIDAY: 0}), paths=1_000)[0],
        mean_npv(short.replace({HOLIDAY: 24}), paths=1_000)[0],
    )
    with pytest.warns(RuntimeWarning, match="did not converge"):
        be = breakeven(short, HOLIDAY, bracket=(0, 24), target=(f0 + f24) / 2, max_evals=3, paths=1_000)
    assert not be.converged
    assert (be.evaluations["role"] != "slope").sum() == 3
    assert "not converged" in repr(be)
    assert be.bracket[0] <= be.value <= be.bracket[1]


def test_standard_error_matches_the_spread_over_seeds(short: gr.Scenario) -> None:
    # E[circular debt] crosses zero with the collection rate; the spread of the break-even over
    # independent seeds should match the delta-method standard error.
    found = [
        breakeven(short, COLLECTION, bracket=(0.5, 1.0), output="circular_debt_change_pkr", paths=1_000, seed=seed)
        for seed in range(1, 11)
    ]
    values = np.array([be.value for be in found])
    ses = np.array([be.se for be in found])
    ratio = values.std(ddof=1) / ses.mean()
    # With 10 seeds the sample sd is within a factor 0.55 to 1.45 of the true one 95 % of the time.
    assert 0.5 < ratio < 2.0, ratio


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"field": "allocation.mining_mww"}, "did you mean 'allocation.mining_mw'"),
        ({"field": "mining.contract"}, "not a number"),
        ({"field": "fleet[0].must_run"}, "not a number"),
        ({"field": "demand.seasonality"}, "not a number"),
        ({"field": ""}, "dotted scenario field"),
        ({"bracket": (10, 10)}, "two different ends"),
        ({"bracket": 10}, "pair"),
        ({"bracket": (10, math.nan)}, r"bracket\[1\] must be a finite number"),
        ({"probability": 0.0}, "strictly between 0 and 1"),
        ({"probability": 1.5}, "strictly between 0 and 1"),
        ({"output": "npv"}, "did you mean 'npv_pkr'"),
        ({"target": math.inf}, "target must be a finite number"),
        ({"paths": 1}, "paths"),
        ({"seed": -1}, "seed"),
        ({"max_evals": 2}, "max_evals"),
        ({"tol": 0.0}, "tol must be a positive number"),
        ({"field": "mining.ramp_months", "bracket": (0, 6.5)}, "whole numbers"),
    ],
)
def test_arguments_are_checked(short: gr.Scenario, kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"field": "allocation.mining_mw", "bracket": (10, 20), "paths": 500, "progress": False}
    args.update(kwargs)
    field = args.pop("field")
    with pytest.raises(gr.ArgumentError, match=match):
        breakeven(short, field, **args)  # type: ignore[arg-type]


def test_not_a_scenario_is_refused() -> None:
    with pytest.raises(gr.ArgumentError, match=r"gridrisk\.Scenario"):
        breakeven({"a": 1}, "allocation.mining_mw", bracket=(0, 1))  # type: ignore[arg-type]


def test_invalid_value_in_bracket_names_it(short: gr.Scenario) -> None:
    with pytest.raises(gr.ScenarioError) as info:
        breakeven(short, "allocation.mining_mw", bracket=(-5, 20), paths=500, progress=False)
    assert "in breakeven at allocation.mining_mw = -5" in info.value.__notes__


def test_undefined_output_is_refused(short: gr.Scenario) -> None:
    half_year = short.replace({"simulation.horizon_months": 6})
    with pytest.raises(gr.ArgumentError, match="undefined"):
        breakeven(half_year, COLLECTION, bracket=(0.5, 1.0), output="worst_fiscal_year_net_flow_pkr", paths=500)


@pytest.mark.parametrize(
    ("field", "unit"),
    [
        ("mining.tariff_pkr_per_kwh", "PKR/kWh"),
        ("mining.tariff[0].base_pkr_per_kwh", "PKR/kWh"),
        ("mining.tariff.base_pkr_per_kwh", "PKR/kWh"),
        ("mining.tariff_usd_per_kwh", "USD/kWh"),
        ("allocation.mining_mw", "MW"),
        ("mining.efficiency_j_per_th", "J/TH"),
        ("mining.ramp_months", "months"),
        ("fleet[3].unit_mw", "MW"),
        ("datacenters.tariff[0].pkr_per_kwh", "PKR/kWh"),
        ("fleet[0].heat_rate_mmbtu_per_mwh", "MMBtu/MWh"),
        ("fx.rate0_pkr_per_usd", "PKR/USD"),
        ("reserve.purchase_usd_per_month", "USD/month"),
        ("network.hashrate0_ehs", "EH/s"),
        ("reserve.initial_btc", "BTC"),
        ("mining.cost_plus_markup", ""),
        ("fiscal.discount_rate_annual", ""),
        ("fiscal.collection_rate", ""),
        ("fleet[0].units", ""),
        ("mw", "MW"),
    ],
)
def test_field_unit(field: str, unit: str) -> None:
    assert field_unit(field) == unit
