"""Plots draw on an Axes and return it (matplotlib's Agg backend, no display)."""

from __future__ import annotations

from pathlib import Path

import gridrisk as gr
import pandas as pd
import pytest
from gridrisk import plot

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def res(short: gr.Scenario) -> gr.Results:
    return gr.simulate(short, paths=1_000, seed=1, keep_outputs=True, progress=False)


def test_every_plot_returns_axes_and_saves(res: gr.Results, short: gr.Scenario, tmp_path: Path) -> None:
    fixed = short.replace({"mining.tariff": [{"regime": "fixed_pkr", "pkr_per_kwh": 22.98}]})
    sw = gr.sweep(fixed, {"mining.tariff[0].pkr_per_kwh": [20.0, 30.0, 40.0]}, paths=200, seed=1)
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
    ):
        fig, ax = plt.subplots()
        assert draw(ax) is ax
        assert ax.has_data()
        fig.savefig(tmp_path / "p.png")
        plt.close(fig)
    # Without kept paths the histogram reads the sketch.
    lean = gr.simulate(short, paths=500, seed=1, progress=False)
    ax = plot.histogram(lean)
    assert ax.has_data()
    plt.close("all")
