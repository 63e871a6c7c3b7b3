"""Risk has a direction: every figure reads the adverse tail of its output, checked with NumPy."""

from __future__ import annotations

import math

import gridrisk as gr
import numpy as np
import pytest

#: The preset with the new loads as fixed quantities (conftest.fixed_loads): this module tests
#: what happens to loads that are there.
FIXED_LOADS = True


@pytest.fixture(scope="module")
def kept(short: gr.Scenario) -> gr.Results:
    return gr.simulate(short, paths=4_000, seed=11, keep_outputs=True, progress=False)


def test_every_output_and_metric_declares_its_direction(kept: gr.Results) -> None:
    assert set(gr.OUTPUT_BETTER) == set(kept.outputs)
    assert set(gr.METRIC_BETTER) == set(kept.metrics)
    assert set(gr.OUTPUT_BETTER.values()) | set(gr.METRIC_BETTER.values()) == {"higher", "lower"}
    assert gr.OUTPUT_BETTER["npv_pkr"] == "higher"
    assert gr.OUTPUT_BETTER["circular_debt_change_pkr"] == "lower"
    assert gr.OUTPUT_BETTER["eue_households_increase_mwh_per_year"] == "lower"
    assert gr.METRIC_BETTER["fx.pkr_per_usd"] == "lower"
    assert gr.METRIC_BETTER["bitcoin.price_usd"] == "higher"
    s = kept.summary()
    assert list(s["better"]) == [gr.OUTPUT_BETTER[o] for o in s.index]
    assert list(kept.snapshot()["better"]) == [gr.METRIC_BETTER[m] for m in kept.metrics]


@pytest.mark.parametrize("output", gr.OUTPUT_BETTER)
def test_adverse_tail_matches_numpy_on_kept_paths(kept: gr.Results, output: str) -> None:
    x = kept.path_output(output)
    s = kept.summary().loc[output]
    if not np.isfinite(x).all():
        assert math.isnan(s["adverse_var95"])
        return
    n = x.size
    # The adverse side as a loss: minus the output where higher is better, the output itself
    # where lower is better; VaR and CVaR are then read from the loss's high tail.
    sign = -1.0 if gr.OUTPUT_BETTER[output] == "higher" else 1.0
    srt = np.sort(x)
    for level, alpha in ((95, 0.05), (99, 0.01)):
        # The sketch's q-quantile is the order statistic of rank floor(q (n - 1)).
        q = alpha if sign < 0 else 1 - alpha
        var_exact = srt[math.floor(q * (n - 1))]
        worst = srt[: round(alpha * n)] if sign < 0 else srt[n - round(alpha * n) :]
        cvar_exact = worst.mean()
        scale = max(abs(var_exact), np.abs(x).max() * 1e-9, 1e-300)
        # A value at a bucket's edge (a share of exactly 1) is read exactly 0.2 % off: allow the
        # last bits of that bound.
        # The sketch counts |x| <= 1e-12 as zero (a capacity shortfall of 1e-13 MWh a year).
        rel, zero = gr.SKETCH_RELATIVE_ACCURACY * (1 + 1e-9), 1e-12
        assert s[f"adverse_var{level}"] == pytest.approx(var_exact, rel=rel, abs=1e-12 * scale + zero)
        # Each value enters at its bucket's representative, within 0.2 % of itself: a tail mean
        # near zero is known to 0.2 % of the tail's magnitude, not of itself.
        tail_abs = float(np.abs(worst).mean())
        assert s[f"adverse_cvar{level}"] == pytest.approx(
            cvar_exact, rel=0.01, abs=2 * gr.SKETCH_RELATIVE_ACCURACY * tail_abs + 1e-9 * scale + zero
        )
        # The tail is adverse: CVaR is at least as bad as VaR.
        assert sign * s[f"adverse_cvar{level}"] >= sign * s[f"adverse_var{level}"] - 1e-9 * scale
    if output in gr.ADVERSE_FROM_ZERO:
        # The sketch counts |x| <= 1e-12 as zero: 1e-12 PKR or MWh is no adverse outcome.
        assert s["p_adverse"] == np.mean(sign * x > 1e-12)
    else:
        assert math.isnan(s["p_adverse"])


def test_circular_debt_risk_reads_the_tail_where_debt_grows(kept: gr.Results) -> None:
    debt = kept.path_output("circular_debt_change_pkr")
    r = kept.risk()
    s = kept.summary().loc["circular_debt_change_pkr"]
    assert r.loc["P(circular debt grows)", "value"] == np.mean(debt > 0)
    var95 = r.loc["VaR 95 % of the circular-debt increase", "value"]
    assert var95 == s["adverse_var95"] == s["p95"]
    assert var95 > np.median(debt)
    top = np.sort(debt)[-200:]
    assert r.loc["CVaR 95 % of the circular-debt increase", "value"] == pytest.approx(
        top.mean(), rel=0.01, abs=2 * gr.SKETCH_RELATIVE_ACCURACY * float(np.abs(top).mean())
    )
    assert (r["unit"].isin(["PKR", "probability"])).all()


def test_worst_fiscal_year_is_undefined_without_a_complete_fiscal_year(preset: gr.Scenario) -> None:
    # April to December 2026: no complete July-June year.
    res = gr.simulate(preset.replace({"simulation.horizon_months": 9}), paths=300, seed=1, keep_outputs=True)
    assert res.fiscal_years == []
    assert np.isnan(res.path_output("worst_fiscal_year_net_flow_pkr")).all()
    row = res.summary().loc["worst_fiscal_year_net_flow_pkr"]
    assert math.isnan(row["mean"])
    assert math.isnan(row["p_adverse"])
    assert row["unit"] == "PKR"
    assert math.isnan(res.risk().iloc[1]["value"])
    # A 30-month horizon from April 2026: FY2027 and FY2028, never the partial months 27-29.
    assert gr.fiscal_years("2026-04", 30) == ["FY2027", "FY2028"]
    assert gr.fiscal_years("2026-07", 12) == ["FY2027"]
    assert gr.fiscal_years("2026-08", 12) == []


def test_exceedance_curve_is_drawn_on_the_adverse_tail(kept: gr.Results) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gridrisk import plot

    try:
        for output in ("npv_pkr", "circular_debt_change_pkr"):
            ax = plot.exceedance(kept, output)
            xs, ps = ax.lines[0].get_data()
            x = kept.path_output(output)
            # At the 5 % point of the curve the outcome is the adverse 5 % quantile.
            j = int(np.argmin(np.abs(ps - 0.05)))
            if gr.OUTPUT_BETTER[output] == "higher":
                assert np.mean(-x >= xs[j]) == pytest.approx(ps[j], abs=0.01)
            else:
                assert np.mean(x >= xs[j]) == pytest.approx(ps[j], abs=0.01)
        with pytest.raises(gr.ArgumentError, match="did you mean"):
            plot.histogram(kept, "npv_pk")
    finally:
        plt.close("all")


def test_worst_fiscal_year_is_the_lowest_complete_year_on_every_path(preset: gr.Scenario) -> None:
    # 40 months from April 2026: FY2027, FY2028 and FY2029 complete (months 3-38), then a partial
    # July 2029 that must never stand in for a year.
    sc = preset.replace({"simulation.horizon_months": 40})
    res = gr.simulate(sc, paths=1_000, seed=5, keep_paths=True, progress=False)
    assert res.fiscal_years == ["FY2027", "FY2028", "FY2029"]
    flow = res.path_array("fiscal.net_flow_pkr")
    years = np.stack([flow[:, 3 + 12 * k : 15 + 12 * k].sum(axis=1) for k in range(3)], axis=1)
    worst = res.path_output("worst_fiscal_year_net_flow_pkr")
    np.testing.assert_allclose(worst, years.min(axis=1), rtol=1e-12)
    # Every year is the worst on some path: the minimum is really taken over the years.
    assert set(np.argmin(years, axis=1)) == {0, 1, 2}
    assert res.risk().iloc[1]["value"] == np.mean(years.min(axis=1) < 0)
