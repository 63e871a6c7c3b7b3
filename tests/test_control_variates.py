"""Control variates: exact closed forms, regression-adjusted means, bit-reproducibility, targets."""

from __future__ import annotations

import math

import gridrisk as gr
import numpy as np
import pandas as pd
import pytest
from gridrisk.results import CONTROLS

KEY = ["npv_pkr", "circular_debt_change_pkr", "eue_households_increase_mwh_per_year"]


def _scenarios() -> dict[str, gr.Scenario]:
    base = gr.Scenario.preset("pakistan-2000mw").replace({"simulation.horizon_months": 24})
    return {
        "preset": base,
        "fixed": base.fixed(),
        "no_datacenters": base.fixed().replace({"allocation.datacenter_mw": 0.0}),
        "normal_bitcoin": base.fixed().replace({"bitcoin.returns": "normal"}),
    }


SCENARIOS = _scenarios()


@pytest.fixture(scope="module")
def runs() -> dict[str, gr.Results]:
    return {
        name: gr.simulate(sc, paths=6_000, seed=11, keep_outputs=True, progress=False) for name, sc in SCENARIOS.items()
    }


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_control_has_mean_zero(runs: dict[str, gr.Results], name: str) -> None:
    """C - E[C | θ] averages to zero within four standard errors: the closed forms are those of
    the simulated processes (a wrong drift, jump or ramp term would show at these paths)."""
    values = runs[name].control_values()
    assert list(values.columns) == list(CONTROLS)
    for c in values:
        x = values[c].to_numpy()
        sd = x.std(ddof=1)
        if sd == 0:
            assert np.all(x == 0), c
            continue
        assert abs(x.mean()) <= 4 * sd / math.sqrt(len(x)), (name, c, x.mean(), sd)
    if name == "no_datacenters":
        assert (values["datacenter_draw_mean"] == 0).all()


def _numpy_regression(y: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    n, k = c.shape
    cc = c - c.mean(axis=0)
    yc = y - y.mean()
    beta = np.linalg.solve(cc.T @ cc, cc.T @ yc)
    resid = yc - cc @ beta
    return float(y.mean() - beta @ c.mean(axis=0)), math.sqrt(resid @ resid / (n - k - 1) / n)


@pytest.mark.parametrize("name", ["preset", "no_datacenters"])
def test_streamed_regression_matches_numpy_on_the_kept_paths(runs: dict[str, gr.Results], name: str) -> None:
    res = runs[name]
    cv = res.control_variates()
    values = res.control_values()
    s = res.summary()
    for out in KEY:
        row = cv.loc[out]
        used = [u for u in row["controls"].split(", ") if u]
        if name == "no_datacenters":
            assert not any(u.startswith("datacenter") for u in used)
        y = res.path_output(out)
        mean, se = _numpy_regression(y, values[used].to_numpy())
        assert row["mean_cv"] == pytest.approx(mean, rel=1e-9, abs=1e-9 * abs(y).max())
        assert row["se_cv"] == pytest.approx(se, rel=1e-9)
        # The plain columns are the summary's.
        assert row["mean"] == s.loc[out, "mean"]
        assert row["se"] == pytest.approx(s.loc[out, "se"], rel=1e-12)
        # The adjusted mean agrees with the plain one within their errors, and is no worse.
        assert abs(row["mean_cv"] - row["mean"]) <= 4 * row["se"]
        assert row["se_cv"] <= row["se"]
    # P(circular debt grows): the regression of the above-zero indicator.
    grows = (res.path_output("circular_debt_change_pkr") > 1e-12).astype(float)
    row = cv.loc["circular_debt_change_pkr"]
    assert row["p_adverse"] == pytest.approx(s.loc["circular_debt_change_pkr", "p_adverse"], rel=1e-12)
    if grows.std() > 0:
        used = [u for u in row["controls"].split(", ") if u]
        mean, se = _numpy_regression(grows, values[used].to_numpy())
        assert row["p_adverse_cv"] == pytest.approx(mean, rel=1e-9, abs=1e-12)
        assert row["p_adverse_se_cv"] == pytest.approx(se, rel=1e-9)


def test_take_up_explains_most_of_the_npv_on_the_preset(runs: dict[str, gr.Results]) -> None:
    row = runs["preset"].control_variates().loc["npv_pkr"]
    assert row["r2"] > 0.5
    assert row["variance_reduction"] > 2


def test_the_same_bits_whatever_the_threads_and_the_split() -> None:
    sc = SCENARIOS["preset"]
    one = gr.simulate(sc, paths=1_300, seed=3, threads=1, progress=False)
    two = gr.simulate(sc, paths=1_300, seed=3, threads=2, progress=False)
    parts = gr.merge(
        gr.simulate(sc, paths=1_300, seed=3, path_range=r, progress=False) for r in [(512, 1_300), (0, 256), (256, 512)]
    )
    assert one.stats.to_bytes() == two.stats.to_bytes() == parts.stats.to_bytes()
    a, b = one.control_variates(), parts.control_variates()
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_degenerate_runs_give_finite_or_documented_nan(name: str) -> None:
    one = gr.simulate(SCENARIOS[name], paths=1, seed=1, progress=False).control_variates()
    numeric = one.drop(columns=["controls", "unit"])
    assert one["controls"].eq("").all()
    assert np.isfinite(one["mean_cv"].drop("worst_fiscal_year_net_flow_pkr", errors="ignore")).all()
    # One path: no standard error, as summary().
    assert numeric["se_cv"].isna().all()
    few = gr.simulate(SCENARIOS[name], paths=5, seed=1, progress=False).control_variates()
    assert np.isfinite(few["se_cv"].drop("worst_fiscal_year_net_flow_pkr", errors="ignore")).all()


def test_a_run_to_target_with_control_variates_is_the_fixed_run_of_its_paths() -> None:
    sc = SCENARIOS["preset"]
    target = {"npv_pkr": "1.5%"}
    with_cv = gr.simulate(sc, paths=100_000, seed=5, target=target, control_variates=True, progress=False)
    plain = gr.simulate(sc, paths=100_000, seed=5, target=target, progress=False)
    assert with_cv.paths < plain.paths
    row = with_cv.control_variates().loc["npv_pkr"]
    assert row["se_cv"] <= 0.015 * abs(row["mean_cv"])
    fixed = gr.simulate(sc, paths=with_cv.paths, seed=5, progress=False)
    assert fixed.stats.to_bytes() == with_cv.stats.to_bytes()


def test_arguments_that_do_not_combine() -> None:
    sc = SCENARIOS["fixed"]
    with pytest.raises(gr.ArgumentError, match="target"):
        gr.simulate(sc, paths=10, seed=1, control_variates=True, progress=False)
    with pytest.raises(gr.ArgumentError, match="antithetic"):
        gr.simulate(sc, paths=10, seed=1, target={"npv_pkr": "1%"}, control_variates=True, antithetic=True)
    with pytest.raises(gr.ArgumentError, match="antithetic"):
        gr.simulate(sc, paths=10, seed=1, antithetic=True, progress=False).control_variates()
    with pytest.raises(gr.ArgumentError, match="keep_outputs"):
        gr.simulate(sc, paths=10, seed=1, progress=False).control_values()
