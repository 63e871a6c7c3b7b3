"""Sobol indices by driver group: an analytic case, SALib's estimators, and the preset."""

from __future__ import annotations

import gridrisk as gr
import numpy as np
import pytest


def _log_btc_plus_log_fx(res: gr.Results) -> np.ndarray:
    return np.log(res.path_array("bitcoin.price_usd")[:, 12]) + np.log(res.path_array("fx.pkr_per_usd")[:, 12])


def test_additive_case_has_known_indices(short: gr.Scenario) -> None:
    # Y = ln P_btc(12) + ln FX(12) with independent, jump-free, Gaussian drivers: the variance is
    # sigma_b^2 t + sigma_fx^2 t, so S_bitcoin = sigma_b^2 / (sigma_b^2 + sigma_fx^2), S_fx the rest,
    # every other group 0, and first = total order (no interactions).
    sb, sf = 0.6, 0.3
    sc = short.replace(
        {
            "correlation.matrix": np.eye(8).tolist(),
            "bitcoin.returns": "normal",
            "bitcoin.vol_annual": sb,
            "bitcoin.jump_intensity_annual": 0.0,
            "fx.vol_annual": sf,
            "fx.jump_intensity_annual": 0.0,
        }
    )
    s = gr.sensitivity(sc, _log_btc_plus_log_fx, paths=4_000, seed=3, bootstrap=100)
    t = s.indices
    exact = {"bitcoin": sb**2 / (sb**2 + sf**2), "fx": sf**2 / (sb**2 + sf**2)}
    for g in t.index:
        want = exact.get(g, 0.0)
        for kind in ("first", "total"):
            tol = max(4 * t.loc[g, f"{kind}_ci"] / 1.96, 0.02)
            assert t.loc[g, kind] == pytest.approx(want, abs=tol), (g, kind, t.loc[g, kind], want)
    assert t.loc["demand", "total"] == 0.0  # its streams never touch this output
    with pytest.raises(gr.ArgumentError, match="one per path"):
        gr.sensitivity(sc, lambda r: np.zeros(3), paths=100, seed=1, groups={"fx": ["fx"]})


def test_estimators_equal_salibs_on_the_same_samples(short: gr.Scenario) -> None:
    sobol = pytest.importorskip("SALib.analyze.sobol")
    s = gr.sensitivity(
        short,
        "added_cost_pkr_per_year",
        paths=600,
        seed=5,
        bootstrap=0,
        groups={"fuels": ["oil", "lng", "coal"], "fx": ["fx", "fx_jumps"], "demand": ["demand"]},
    )
    a, b = s.samples["A"], s.samples["B"]
    for g in s.indices.index:
        ab = s.samples[f"AB:{g}"]
        assert s.indices.loc[g, "first"] == pytest.approx(sobol.first_order(a, ab, b), rel=1e-12, abs=1e-15)
        assert s.indices.loc[g, "total"] == pytest.approx(sobol.total_order(a, ab, b), rel=1e-12, abs=1e-15)


def test_groups_are_validated(short: gr.Scenario) -> None:
    with pytest.raises(gr.ArgumentError, match="did you mean 'bitcoin'"):
        gr.sensitivity(short, groups={"x": ["bitcon"]}, paths=10)
    with pytest.raises(gr.ArgumentError, match="did you mean 'npv_pkr'"):
        gr.sensitivity(short, "npv", paths=10)
