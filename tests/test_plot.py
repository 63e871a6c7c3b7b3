"""Figures fit for a staff report: words, display units, plain numbers, robust ranges.

Structural checks (not pixel-exact): every figure returns its Axes with data, titles and labels in
words without metric ids, tick labels without offsets or e-notation; the histogram keeps its x
range within the declared quantiles however extreme one path is, and says how many paths it
leaves out.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pandas as pd
import pytest
from gridrisk import plot

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def res(short: gr.Scenario) -> gr.Results:
    return gr.simulate(short, paths=1_000, seed=1, keep_outputs=True, progress=False)


@pytest.fixture(scope="module")
def lean(short: gr.Scenario) -> gr.Results:
    """Results without kept values: the histogram reads the quantile sketch."""
    return gr.simulate(short, paths=500, seed=1, progress=False)


@pytest.fixture(scope="module")
def kept_paths(short: gr.Scenario) -> gr.Results:
    return gr.simulate(short, paths=200, seed=2, keep_paths=True, progress=False)


@pytest.fixture(scope="module")
def sw(short: gr.Scenario) -> gr.Sweep:
    fixed = short.replace({"mining.tariff": [{"regime": "fixed_pkr", "pkr_per_kwh": 22.98}]})
    return gr.sweep(fixed, {"mining.tariff[0].pkr_per_kwh": [20.0, 30.0, 40.0]}, paths=200, seed=1)


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


def _ids(results: gr.Results) -> list[str]:
    return [*results.metrics, *results.outputs]


def check_staff_report(ax: Any, ids: list[str], *, identifiers: bool = False) -> None:
    """Title and axis labels in words without metric ids; ticks without offsets or e-notation.

    ``identifiers=True`` lets the labels name scenario fields (a sweep's policies).
    """
    assert ax.has_data()
    ax.figure.canvas.draw()
    title = ax.get_title()
    assert re.search(r"[A-Za-z]{3,} [A-Za-z]{2,} [A-Za-z]{2,}", title), f"not words: {title!r}"
    for text in (title, ax.get_xlabel(), ax.get_ylabel()):
        assert re.match(r"[A-Za-z]{2,}", text), f"not words: {text!r}"
        if not identifiers:
            assert "_" not in text, text
        for name in ids:
            assert not re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", text), f"{name} in {text!r}"
    for axis in (ax.xaxis, ax.yaxis):
        assert axis.get_offset_text().get_text() == ""
        for label in axis.get_ticklabels():
            assert not re.search(r"\de[+-]?\d", label.get_text()), label.get_text()
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            assert "e+" not in text.get_text()


def test_every_accessor_method_draws_a_staff_report_figure(res: gr.Results) -> None:
    draws: dict[str, Callable[[Any], Any]] = {
        "fan": lambda ax: res.plot.fan("fiscal.net_flow_pkr", ax=ax),
        "fan fx": lambda ax: res.plot.fan("fx.pkr_per_usd", ax=ax),
        "fan USD": lambda ax: res.plot.fan("fiscal.circular_debt_flow_pkr", money="USD m", ax=ax),
        "histogram": lambda ax: res.plot.histogram("npv_pkr", ax=ax),
        "histogram debt": lambda ax: res.plot.histogram("circular_debt_change_pkr", ax=ax),
        "exceedance": lambda ax: res.plot.exceedance("npv_pkr", ax=ax),
        "exceedance debt": lambda ax: res.plot.exceedance("circular_debt_change_pkr", ax=ax),
        "waterfall": lambda ax: res.plot.waterfall("channel", ax=ax),
        "waterfall load": lambda ax: res.plot.waterfall("load", ax=ax),
        "waterfall period": lambda ax: res.plot.waterfall("period", money="% of GDP", ax=ax),
        "shedding": lambda ax: res.plot.shedding(ax=ax),
    }
    for name, draw in draws.items():
        fig, ax = plt.subplots(figsize=plot.FIGSIZE)
        assert draw(ax) is ax, name
        check_staff_report(ax, _ids(res))
        plt.close(fig)


def test_a_new_figure_is_made_when_no_axes_is_given(res: gr.Results) -> None:
    ax = res.plot.histogram()
    assert tuple(ax.figure.get_size_inches()) == pytest.approx(plot.FIGSIZE)
    check_staff_report(ax, _ids(res))


def test_money_is_shown_in_the_unit_asked_for(res: gr.Results) -> None:
    # A monthly flow is labelled per month in every money, a stock is not.
    assert res.plot.fan("fiscal.net_flow_pkr").get_ylabel().endswith("(PKR bn/month)")
    assert res.plot.fan("fiscal.net_flow_pkr", money="USD m").get_ylabel().endswith("(USD m/month)")
    assert res.plot.fan("fiscal.net_flow_pkr", money="% of GDP").get_ylabel().endswith("(% of GDP/month)")
    assert res.plot.fan("reserve.value_pkr").get_ylabel().endswith("(PKR bn)")
    assert res.plot.fan("grid.eue_households_increase_mwh").get_ylabel().endswith("(GWh/month)")
    assert "% of GDP" in res.plot.histogram("npv_pkr", money="% of GDP").get_xlabel()
    assert "GWh" not in res.plot.fan("fx.pkr_per_usd", money="USD m").get_ylabel()  # not money: as it is
    with pytest.raises(gr.ArgumentError, match="money"):
        res.plot.fan("fiscal.net_flow_pkr", money="EUR")


def test_histogram_range_ignores_an_extreme_path_and_states_the_mass_outside(res: gr.Results) -> None:
    assert res._paths is not None
    npv = res._paths["npv_pkr"].copy()
    npv[0] = 6e13  # one path of 60 trillion rupees
    extreme = dataclasses.replace(res, _paths={**res._paths, "npv_pkr": npv})
    ax = extreme.plot.histogram("npv_pkr", range=(0.005, 0.995))
    lo, hi = np.quantile(npv / 1e9, [0.005, 0.995])
    x0, x1 = ax.get_xlim()
    span = hi - lo
    assert x1 <= hi + 0.05 * span + 1e-9
    assert x0 >= min(lo, 0.0) - 0.05 * span - 1e-9
    assert x1 < 1e3  # PKR bn: nowhere near the 60,000 of the extreme path
    note = ax.get_xlabel()
    assert "beyond the range" in note
    share = float(np.mean((npv / 1e9 < lo) | (npv / 1e9 > hi)))
    assert share > 0
    assert "% of paths beyond the range" in note
    assert "share of paths" in ax.get_ylabel().lower()
    check_staff_report(ax, _ids(res))


def test_histogram_of_the_sketch_is_a_density(lean: gr.Results) -> None:
    ax = lean.plot.histogram("npv_pkr")
    assert "density" in ax.get_ylabel()
    assert "quantile sketch" in ax.get_ylabel()
    assert "paths beyond the range" in ax.get_xlabel() or "every path is within" in ax.get_xlabel()
    check_staff_report(ax, _ids(lean))
    # The density's bars hold at most the probability of the paths drawn as bars.
    heights = np.array([p.get_height() for p in ax.patches])
    widths = np.array([p.get_width() for p in ax.patches])
    assert 0 < float(np.sum(heights * widths)) <= 100.0 + 1e-6


def test_histogram_marks_mean_var_and_cvar_with_numbers_in_display_units(res: gr.Results) -> None:
    ax = res.plot.histogram("circular_debt_change_pkr")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    s = res.summary().loc["circular_debt_change_pkr"]
    assert any(t.startswith("Mean") and "PKR bn" in t for t in texts)
    assert any(t.startswith("VaR 95 %") and gr.units.format_number(s["adverse_var95"] / 1e9) in t for t in texts)
    assert any(t.startswith("CVaR 95 %") and gr.units.format_number(s["adverse_cvar95"] / 1e9) in t for t in texts)


def test_exceedance_has_a_log_probability_axis_in_per_cent(res: gr.Results) -> None:
    ax = res.plot.exceedance("npv_pkr")
    assert ax.get_yscale() == "log"
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()]
    assert labels
    assert all(t.endswith("%") for t in labels)


def test_cumulative_fan_needs_kept_paths(res: gr.Results, kept_paths: gr.Results) -> None:
    with pytest.raises(gr.ArgumentError, match="keep_paths=True"):
        res.plot.fan("fiscal.net_flow_pkr", cumulative=True)
    with pytest.raises(gr.ArgumentError, match="means nothing"):
        kept_paths.plot.fan("fx.pkr_per_usd", cumulative=True)
    with pytest.raises(gr.ArgumentError, match="means nothing"):
        kept_paths.plot.fan("fiscal.net_flow_fytd_pkr", cumulative=True)  # already a sum
    ax = kept_paths.plot.fan("fiscal.net_flow_pkr", cumulative=True)
    # A sum of monthly flows is an amount to date: no longer per month.
    assert ax.get_ylabel().endswith(", cumulative (PKR bn)")
    check_staff_report(ax, _ids(kept_paths))
    # The last month's median is the median of the paths' sums.
    sums = kept_paths.path_array("fiscal.net_flow_pkr").sum(axis=1) / 1e9
    median = next(line for line in ax.get_lines() if line.get_label() == "Median")
    assert median.get_ydata()[-1] == pytest.approx(np.median(sums))


def test_fan_has_dates_on_its_x_axis(res: gr.Results) -> None:
    ax = res.plot.fan("fiscal.net_flow_pkr")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.xaxis.get_ticklabels() if t.get_text()]
    assert labels
    assert all(re.search(r"20\d\d", t) for t in labels)


def test_sobol_bars_label_groups_in_words_with_intervals() -> None:
    indices = pd.DataFrame(
        {
            "kind": ["driver", "driver", "parameter"],
            "first": [0.5, 0.2, 0.05],
            "first_ci": [0.05, 0.03, 0.02],
            "total": [0.6, 0.3, 0.1],
            "total_ci": [0.06, 0.04, 0.02],
        },
        index=pd.Index(["fx", "fuels", "inflation and FX drift"], name="group"),
    )
    ax = plot.sobol_bars(indices, output="npv_pkr")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels()]
    assert labels[0] == "Exchange rate"  # the largest total index on top
    assert "Inflation and FX drift (parameter)" in labels
    check_staff_report(ax, ["npv_pkr"])
    # Without the optional columns (old callers).
    ax = plot.sobol_bars(pd.DataFrame({"first": [0.5, 0.2], "total": [0.6, 0.3]}, index=["bitcoin", "fuels"]))
    assert ax.has_data()


def test_frontier_labels_every_policy(sw: gr.Sweep) -> None:
    ax = plot.frontier(sw)
    texts = "\n".join(t.get_text() for t in ax.texts)
    for value in ("20", "30", "40"):
        assert f"pkr_per_kwh = {value}" in texts
    assert ax.get_xlabel().startswith("CVaR 95 % of the NPV loss (PKR bn)")
    assert ax.get_ylabel() == "Expected NPV to the state (PKR bn)"
    check_staff_report(ax, [], identifiers=True)


def test_frontier_with_equal_tail_losses_invents_no_negative_loss(sw: gr.Sweep) -> None:
    import dataclasses

    flat = dataclasses.replace(sw, table=sw.table.assign(npv_loss_cvar95=0.0))
    ax = plot.frontier(flat)
    lo, hi = ax.get_xlim()
    assert -0.2 < lo < 0.0 < 1.0 <= hi
    assert "same CVaR" in ax.get_xlabel()


def test_module_functions_keep_working(res: gr.Results, sw: gr.Sweep, tmp_path: Path) -> None:
    sobol = pd.DataFrame({"first": [0.5, 0.2], "total": [0.6, 0.3]}, index=["bitcoin", "fuels"])
    for draw in (
        lambda ax: plot.fan_chart(res, "fx.pkr_per_usd", ax=ax),
        lambda ax: plot.histogram(res, "npv_pkr", ax=ax),
        lambda ax: plot.exceedance(res, "npv_pkr", ax=ax),
        lambda ax: plot.sobol_bars(sobol, ax=ax),
        lambda ax: plot.frontier(sw, ax=ax),
        lambda ax: plot.waterfall(res, ax=ax),
        lambda ax: plot.waterfall(res, by="load", ax=ax),
        lambda ax: plot.waterfall(res, by="period", ax=ax),
        lambda ax: plot.shedding(res, ax=ax),
    ):
        fig, ax = plt.subplots()
        assert draw(ax) is ax
        assert ax.has_data()
        fig.tight_layout()
        fig.savefig(tmp_path / "p.png")
        plt.close(fig)


def test_importing_gridrisk_does_not_import_matplotlib() -> None:
    code = "import sys, gridrisk; assert 'matplotlib' not in sys.modules, 'imported'; print(gridrisk.Results.plot)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_no_message_suggests_installing_an_extra() -> None:
    assert "pip install" not in inspect.getsource(plot)
