"""Plots of results (matplotlib, the optional extra ``gridrisk[plot]``).

Every function draws on ``ax`` (a new figure if ``None``) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gridrisk.errors import ArgumentError

if TYPE_CHECKING:
    from gridrisk.compare import Sweep
    from gridrisk.results import Results

__all__ = ["exceedance", "fan_chart", "frontier", "histogram", "shedding", "sobol_bars", "waterfall"]


def _axes(ax: Any) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ArgumentError("plotting needs matplotlib: pip install 'gridrisk[plot]'") from None
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def _unit(results: Results, name: str) -> str:
    from gridrisk.results import METRIC_UNITS, OUTPUT_UNITS

    return METRIC_UNITS.get(name) or OUTPUT_UNITS.get(name, "")


def fan_chart(results: Results, metric: str, *, bands: Sequence[float] = (0.05, 0.25), ax: Any = None) -> Any:
    """Median and central bands (5-95 % and 25-75 % by default) of a monthly metric."""
    ax = _axes(ax)
    qs = sorted({*bands, 0.5, *(1 - b for b in bands)})
    fan = results.fan(metric, quantiles=qs)
    x = fan.index.to_timestamp()
    for b in sorted(bands):
        alpha = 0.15 + 0.25 * (b / 0.5)
        ax.fill_between(
            x,
            fan[b],
            fan[1 - b],
            alpha=alpha,
            color="tab:blue",
            lw=0,
            label=f"{round(b * 100)}-{round((1 - b) * 100)} %",
        )
    ax.plot(x, fan[0.5], color="tab:blue", lw=1.8, label="median")
    ax.set_title(metric)
    ax.set_ylabel(_unit(results, metric))
    ax.legend(loc="upper left", frameon=False)
    return ax


def _output(results: Results, output: str) -> int:
    from gridrisk._validate import choice

    name = choice("output", output, results.outputs)
    if name in results._undefined():
        raise ArgumentError(f"{name} is undefined for this horizon (see Results.fiscal_years): nothing to plot")
    return results.outputs.index(name)


def histogram(results: Results, output: str = "npv_pkr", *, bins: int = 60, ax: Any = None) -> Any:
    """Distribution of a per-path output with the 95 % VaR and CVaR of its adverse tail marked.

    The adverse tail is the low one for outputs where higher is better (NPV) and the high one
    where lower is better (circular debt): see ``gridrisk.OUTPUT_BETTER``. Uses the kept
    per-path values when available, else the quantile sketch (as a density read off 200
    quantiles).

    Raises
    ------
    ArgumentError
        If ``output`` is not one of ``results.outputs`` (with a did-you-mean hint).
    """
    i = _output(results, output)
    name = results.outputs[i]
    ax = _axes(ax)
    s = results.summary().loc[name]
    if results._paths is not None and name in results._paths:
        values = results.path_output(name)
    else:
        values = results.stats.output_quantiles([float(q) for q in np.linspace(0.0025, 0.9975, 200)])[i]
    ax.hist(values[np.isfinite(values)], bins=bins, color="tab:gray", alpha=0.7)
    side = "low" if s["better"] == "higher" else "high"
    if np.isfinite(s["adverse_var95"]):
        ax.axvline(
            s["adverse_var95"], color="tab:orange", lw=2, label=f"VaR 95 %, {side} tail: {s['adverse_var95']:,.3g}"
        )
        ax.axvline(
            s["adverse_cvar95"],
            color="tab:red",
            lw=2,
            ls="--",
            label=f"CVaR 95 %, {side} tail: {s['adverse_cvar95']:,.3g}",
        )
    ax.axvline(s["mean"], color="tab:blue", lw=1.5, label=f"mean {s['mean']:,.3g} ± {s['se']:,.2g}")
    ax.set_xlabel(f"{name} ({_unit(results, name)})")
    ax.set_ylabel("paths")
    ax.legend(frameon=False)
    return ax


def exceedance(results: Results, output: str = "npv_pkr", *, ax: Any = None) -> Any:
    """Probability of an outcome at least as adverse as each value, from the sketch.

    For an output where higher is better (NPV) the curve is P(output <= x) and the x axis is
    the shortfall ``-output``; where lower is better (circular debt) it is P(output >= x).

    Raises
    ------
    ArgumentError
        If ``output`` is not one of ``results.outputs``.
    """
    from gridrisk.results import OUTPUT_BETTER

    i = _output(results, output)
    name = results.outputs[i]
    ax = _axes(ax)
    qs = np.linspace(0.001, 0.999, 400)
    v = results.stats.output_quantiles([float(q) for q in qs])[i]
    if OUTPUT_BETTER.get(name) == "higher":
        ax.plot(-v, qs, color="tab:red")  # P(-X >= -v_q) = P(X <= v_q) = q
        ax.set_xlabel(f"shortfall = -{name} ({_unit(results, name)})")
    else:
        ax.plot(v, 1 - qs, color="tab:red")  # P(X >= v_q) = 1 - q
        ax.set_xlabel(f"{name} ({_unit(results, name)})")
    ax.set_yscale("log")
    ax.set_ylabel("probability of an outcome this bad or worse")
    ax.grid(True, which="both", alpha=0.3)
    return ax


def sobol_bars(indices: Any, *, ax: Any = None) -> Any:
    """Bars of first- and total-order Sobol indices.

    ``indices`` is a DataFrame indexed by driver group with columns ``first`` and ``total``
    (and optional ``first_ci``/``total_ci`` half-widths drawn as error bars).
    """
    ax = _axes(ax)
    groups = list(indices.index)
    x = np.arange(len(groups))
    for k, (col, color) in enumerate((("first", "tab:blue"), ("total", "tab:orange"))):
        err = indices.get(f"{col}_ci", None)
        ax.bar(x + (k - 0.5) * 0.38, indices[col], width=0.38, color=color, yerr=err, capsize=3, label=col)
    ax.set_xticks(x, groups, rotation=30, ha="right")
    ax.set_ylabel("share of variance")
    ax.legend(frameon=False)
    return ax


def frontier(sweep: Sweep, *, ax: Any = None) -> Any:
    """Expected NPV against CVaR 95 % of the NPV loss for every swept policy; frontier joined."""
    ax = _axes(ax)
    t = sweep.table
    ax.errorbar(
        t["npv_loss_cvar95"],
        t["npv_mean"],
        yerr=1.96 * t["npv_se"],
        fmt="o",
        color="tab:gray",
        alpha=0.6,
        label="policies",
    )
    f = sweep.frontier
    ax.plot(f["npv_loss_cvar95"], f["npv_mean"], "o-", color="tab:red", label="frontier")
    ax.set_xlabel("CVaR 95 % of the NPV loss (PKR)")
    ax.set_ylabel("expected NPV (PKR)")
    ax.legend(frameon=False)
    return ax


def waterfall(results: Results, *, by: str = "channel", ax: Any = None) -> Any:
    """The expected NPV built up from its parts (``Results.decomposition``), PKR bn.

    Each bar starts where the previous one ended; the last bar is the total. Error bars are
    95 % Monte Carlo intervals where a part has one.
    """
    ax = _axes(ax)
    d = results.decomposition(by=by)
    # Memorandum rows are already inside the parts: not bars of their own.
    d = d.loc[[i for i in d.index if not str(i).startswith("memo:")]]
    parts = d.drop(index="total")
    bn = 1e9
    level = 0.0
    labels = [*parts.index, "total"]
    for k, (_, row) in enumerate(parts.iterrows()):
        height = float(row["mean"]) / bn
        color = "tab:green" if height >= 0 else "tab:red"
        err = 1.96 * float(row["se"]) / bn if np.isfinite(row["se"]) else None
        ax.bar(k, height, bottom=level, color=color, yerr=err, capsize=3)
        level += height
    total = d.loc["total"]
    ax.bar(len(parts), float(total["mean"]) / bn, color="tab:blue", yerr=1.96 * float(total["se"]) / bn, capsize=3)
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_ylabel("expected NPV to the state, PKR bn")
    ax.set_title(f"Net present value by {by}")
    return ax


def shedding(results: Results, *, ax: Any = None) -> Any:
    """Hours of load-shedding a day by feeder class, without and with the allocation.

    Horizontal bars of :meth:`Results.shedding`: each feeder class of the scenario and all
    existing consumers, the mean hours a day shed over the horizon without the allocation and
    with it. Error bars are 95 % Monte Carlo intervals: of the figure without the allocation;
    with it, the sum of the errors without and of the increase, an upper bound of its own
    error (the increase itself is known better, on the same draws: see
    ``Results.shedding()["± se (increase)"]``).

    Raises
    ------
    ArgumentError
        If the results have no load-shedding outputs (saved by an older gridrisk).
    """
    table = results.shedding()
    ax = _axes(ax)
    y = np.arange(len(table))
    height = 0.38
    mw = float(results.scenario["allocation.mining_mw"]) + float(results.scenario["allocation.datacenter_mw"])
    without = table["shed h/day, without"].to_numpy(dtype=float)
    with_ = table["shed h/day, with"].to_numpy(dtype=float)
    err_without = 1.96 * np.nan_to_num(table["± se (without)"].to_numpy(dtype=float))
    err_with = 1.96 * np.nan_to_num(
        table["± se (without)"].to_numpy(dtype=float) + table["± se (increase)"].to_numpy(dtype=float)
    )
    ax.barh(
        y - height / 2,
        without,
        height=height,
        xerr=err_without,
        color="tab:gray",
        capsize=3,
        label="without the allocation",
    )
    ax.barh(
        y + height / 2,
        with_,
        height=height,
        xerr=err_with,
        color="tab:red",
        capsize=3,
        label=f"with the allocation ({mw:,.0f} MW)",
    )
    ax.set_yticks(y, [str(name) for name in table.index])
    ax.invert_yaxis()  # the first class on top, all consumers at the bottom
    ax.ticklabel_format(axis="x", style="plain", useOffset=False)
    ax.set_xlim(left=0.0)
    ax.set_xlabel("hours of load-shedding a day (h/day, mean over paths and months)")
    ax.set_ylabel("feeder class")
    ax.set_title("Load-shedding of the existing consumers, without and with the allocation")
    ax.legend(frameon=False, loc="best")
    ax.grid(True, axis="x", alpha=0.3)
    return ax
