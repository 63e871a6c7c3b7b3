"""gridrisk.calibrate: the fits recover the model's own parameters, read the shipped series
stably, and refuse what they cannot fit."""

from __future__ import annotations

import gridrisk as gr
import numpy as np
import pandas as pd
import pytest
from conftest import fixed_loads

pytest.importorskip("scipy")
from gridrisk import calibrate, datasets

K = 4.0  # tolerance in standard errors
MONTHS = 600


@pytest.fixture(scope="module")
def long_path(preset: gr.Scenario) -> gr.Results:
    """One 50-year path of the drivers with parameters the fits can identify."""
    sc = fixed_loads(preset).replace(
        {
            "simulation.horizon_months": MONTHS,
            "fuel.oil.mean_reversion_annual": 0.6,
            "fuel.coal.mean_reversion_annual": 0.9,
            "fx.jump_intensity_annual": 0.0,
            "fx.vol_annual": 0.08,
        }
    )
    return gr.simulate(sc, paths=1, seed=3, keep_paths=True, progress=False)


def series(res: gr.Results, metric: str, path: int = 0) -> pd.Series:
    return pd.Series(res.path_array(metric)[path], index=res.months.to_timestamp())


def within(fit: calibrate.Fit, truth: dict[str, float]) -> None:
    for name, value in truth.items():
        row = fit.table.loc[name]
        assert abs(row["estimate"] - value) <= K * row["se"], (fit.driver, name, row["estimate"], value, row["se"])


def test_fuel_fits_recover_the_simulated_parameters(long_path: gr.Results) -> None:
    sc = long_path.scenario
    for which in ("oil", "coal"):
        fit = calibrate.fuel(series(long_path, f"fuel.{which}_usd_per_{'bbl' if which == 'oil' else 't'}"), which)
        within(
            fit,
            {
                "mean_reversion_annual": sc[f"fuel.{which}.mean_reversion_annual"],
                "long_run": sc[f"fuel.{which}.long_run"],
                "vol_annual": sc[f"fuel.{which}.vol_annual"],
            },
        )
        assert fit.n == MONTHS - 1
        assert set(fit.overrides()) == {
            f"fuel.{which}.{k}" for k in ("mean_reversion_annual", "long_run", "vol_annual")
        }


def test_exchange_rate_fit_recovers_the_diffusion_and_leaves_the_drift_to_the_economy(long_path: gr.Results) -> None:
    sc = long_path.scenario
    fit = calibrate.exchange_rate(series(long_path, "fx.pkr_per_usd"), jumps=False)
    within(fit, {"vol_annual": sc["fx.vol_annual"]})
    assert "fx.drift_annual" not in fit.overrides()
    assert (
        "fx.drift_annual"
        in calibrate.exchange_rate(series(long_path, "fx.pkr_per_usd"), jumps=False, include_drift=True).overrides()
    )


def test_jump_diffusion_recovers_devaluation_jumps(preset: gr.Scenario) -> None:
    sc = fixed_loads(preset).replace(
        {
            "simulation.horizon_months": MONTHS,
            "fx.vol_annual": 0.05,
            "fx.jump_intensity_annual": 2.0,
            "fx.jump_mean": 0.10,
            "fx.jump_sd": 0.03,
        }
    )
    res = gr.simulate(sc, paths=4, seed=8, keep_paths=True, progress=False)
    # Four 50-year paths end to end: 200 years, about 400 jumps.
    fx = np.concatenate([np.diff(np.log(res.path_array("fx.pkr_per_usd")[p])) for p in range(4)])
    levels = pd.Series(
        np.exp(np.concatenate([[0.0], np.cumsum(fx)])), index=pd.period_range("1800-01", periods=fx.size + 1, freq="M")
    )
    fit = calibrate.exchange_rate(levels)
    within(
        fit,
        {k: sc[f"fx.{k}"] for k in ("vol_annual", "jump_intensity_annual", "jump_mean", "jump_sd")},
    )


def test_demand_and_hydro_fits_recover_their_ar1(long_path: gr.Results) -> None:
    sc = long_path.scenario
    d = calibrate.demand(series(long_path, "demand.load_mw"))
    within(
        d,
        {
            "ar1_phi": sc["demand.ar1_phi"],
            "ar1_sigma": sc["demand.ar1_sigma"],
            "growth_annual": sc["demand.growth_annual"],
        },
    )
    season = np.array(sc["demand.seasonality"]) / np.mean(sc["demand.seasonality"])
    np.testing.assert_allclose(d.overrides()["demand.seasonality"], season, atol=0.02)
    h = calibrate.hydro(series(long_path, "hydro.availability"))
    within(h, {"ar1_phi": sc["hydro.ar1_phi"], "ar1_sigma": sc["hydro.ar1_sigma"]})


def test_correlation_of_the_innovations_recovers_the_matrix(long_path: gr.Results) -> None:
    sc = long_path.scenario
    fits = [
        calibrate.fuel(series(long_path, "fuel.oil_usd_per_bbl"), "oil"),
        calibrate.fuel(series(long_path, "fuel.coal_usd_per_t"), "coal"),
        calibrate.exchange_rate(series(long_path, "fx.pkr_per_usd"), jumps=False),
    ]
    c = calibrate.correlation(fits)
    assert c.factors == ["oil", "coal", "fx"]
    assert c.n == MONTHS - 1
    factors = list(sc["correlation.factors"])
    m = np.array(sc["correlation.matrix"])
    for i, a in enumerate(c.factors):
        for j, b in enumerate(c.factors):
            truth = m[factors.index(a), factors.index(b)]
            assert abs(c.matrix[i, j] - truth) <= K * c.se[i, j] + 1e-12, (a, b)
    # The fitted block goes into the scenario's matrix; the rest is kept.
    new = sc.replace(c.overrides(sc))
    merged = np.array(new["correlation.matrix"])
    assert merged[factors.index("oil"), factors.index("coal")] == pytest.approx(c.matrix[0, 1], abs=1e-12)
    assert (
        merged[factors.index("bitcoin"), factors.index("hashrate")]
        == m[factors.index("bitcoin"), factors.index("hashrate")]
    )


def test_the_overrides_make_a_scenario_that_runs(preset: gr.Scenario) -> None:
    fits = [calibrate.fuel(datasets.brent(), "oil"), calibrate.fuel(datasets.newcastle_coal(), "coal")]
    overrides: dict[str, object] = {}
    for f in fits:
        overrides.update(f.overrides())
    sc = preset.replace({**overrides, "simulation.horizon_months": 12})
    res = gr.simulate(sc, paths=256, seed=1, progress=False)
    assert np.isfinite(res.summary()["mean"].to_numpy(dtype=float)).any()


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ([1.0, 2.0], "pandas Series"),
        (pd.Series([1.0] * 50), "DatetimeIndex"),
        (pd.Series([1.0] * 10, index=pd.date_range("2000-01", periods=10, freq="MS")), "at least 37"),
        (pd.Series([1.0] * 49 + [-1.0], index=pd.date_range("2000-01", periods=50, freq="MS")), "positive"),
        (pd.Series([1.0] * 49 + [np.nan], index=pd.date_range("2000-01", periods=50, freq="MS")), "missing"),
        (
            pd.Series(1.0, index=pd.date_range("2000-01", periods=50, freq="MS").delete(20)),
            "consecutive",
        ),
        (
            pd.Series(
                1.0,
                index=pd.DatetimeIndex(["2000-01-01", "2000-01-15", *pd.date_range("2000-02", periods=48, freq="MS")]),
            ),
            "more than one value",
        ),
    ],
)
def test_what_cannot_be_fitted_is_refused_with_a_reason(bad: object, match: str) -> None:
    with pytest.raises(gr.ArgumentError, match=match):
        calibrate.fuel(bad, "oil")  # type: ignore[arg-type]


def test_a_series_without_mean_reversion_is_refused() -> None:
    # An explosive log price (x_t = 1.03 x_{t-1} + noise): its fitted AR(1) coefficient is above one.
    rng = np.random.default_rng(0)
    x = np.zeros(120)
    for t in range(1, 120):
        x[t] = 1.03 * x[t - 1] + 0.01 + 0.01 * rng.standard_normal()
    grows = pd.Series(np.exp(x), index=pd.date_range("2000-01", periods=120, freq="MS"))
    with pytest.raises(gr.ArgumentError, match="mean reversion"):
        calibrate.fuel(grows, "oil")
    with pytest.raises(gr.ArgumentError, match="'oil', 'coal' or 'lng'"):
        calibrate.fuel(grows, "gas")


def test_shipped_series_carry_their_attribution() -> None:
    for s in (
        datasets.brent(),
        datasets.henry_hub(),
        datasets.newcastle_coal(),
        datasets.japan_lng(),
        datasets.pkr_per_usd(),
    ):
        assert isinstance(s.index, pd.DatetimeIndex)
        assert s.index.is_monotonic_increasing
        assert {"unit", "source", "licence"} <= set(s.attrs)
        assert (s > 0).all()
    assert datasets.newcastle_coal().attrs["licence"] == "CC BY 4.0"
    with pytest.raises(gr.ArgumentError, match="COAL_AUS"):
        datasets.pink_sheet("COAL")


def test_fits_on_the_shipped_series_are_the_digits_the_docs_quote() -> None:
    # docs/calibration.md, "Fits to data": the same digits.
    def digits(fit: calibrate.Fit, name: str, places: int) -> tuple[float, float]:
        row = fit.table.loc[name]
        return round(float(row["estimate"]), places), round(float(row["se"]), places)

    brent = calibrate.fuel(datasets.brent(), "oil")
    assert brent.n == 470
    assert digits(brent, "mean_reversion_annual", 2) == (0.12, 0.08)
    assert digits(brent, "long_run", 0) == (56.0, 28.0)
    assert digits(brent, "vol_annual", 3) == (0.344, 0.011)
    coal = calibrate.fuel(datasets.newcastle_coal(), "coal")
    assert coal.n == 669
    assert digits(coal, "mean_reversion_annual", 3) == (0.088, 0.043)
    assert digits(coal, "long_run", 0) == (75.0, 33.0)
    assert digits(coal, "vol_annual", 3) == (0.236, 0.006)
    # South African (API4) coal, the preset's index: its volatility is the preset's.
    api4 = calibrate.fuel(datasets.pink_sheet("COAL_SAFRICA").dropna(), "coal")
    assert api4.n == 501
    assert digits(api4, "mean_reversion_annual", 3) == (0.082, 0.064)
    assert digits(api4, "long_run", 0) == (71.0, 37.0)
    assert digits(api4, "vol_annual", 3) == (0.241, 0.008)
    assert gr.Scenario.preset("pakistan-2000mw")["fuel.coal.vol_annual"] == round(digits(api4, "vol_annual", 2)[0], 2)
    lng = calibrate.fuel(datasets.japan_lng(), "lng")
    assert digits(lng, "mean_reversion_annual", 3) == (0.055, 0.044)
    assert digits(lng, "vol_annual", 3) == (0.173, 0.005)
    fx = calibrate.exchange_rate(datasets.pkr_per_usd()["2000":])
    assert fx.n == 310
    assert digits(fx, "drift_annual", 3) == (0.068, 0.015)
    assert digits(fx, "vol_annual", 3) == (0.011, 0.001)
    assert digits(fx, "jump_intensity_annual", 1) == (5.2, 0.7)
    assert digits(fx, "jump_mean", 3) == (0.011, 0.003)
    assert digits(fx, "jump_sd", 3) == (0.030, 0.003)
    c = calibrate.correlation(
        [
            calibrate.fuel(datasets.brent()["2000":"2025-10"], "oil"),
            calibrate.fuel(datasets.newcastle_coal()["2000":], "coal"),
            calibrate.fuel(datasets.japan_lng()["2000":], "lng"),
            fx,
        ]
    )
    assert c.n == 309
    t = c.table()
    assert round(float(t.loc[("oil", "coal"), "rho"]), 2) == 0.28
    assert round(float(t.loc[("oil", "lng"), "rho"]), 2) == -0.10
    assert round(float(t.loc[("oil", "fx"), "rho"]), 2) == 0.03
