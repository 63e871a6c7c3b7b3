"""Figures of results, fit to paste into a staff report.

The figures of one run are methods of ``results.plot`` (:class:`PlotAccessor`)::

    res = gr.simulate(sc, paths=10_000, keep_outputs=True)
    res.plot.fan("fiscal.net_flow_pkr")
    res.plot.histogram("npv_pkr")
    res.plot.exceedance("npv_pkr")
    res.plot.waterfall("channel")
    res.plot.shedding()

and figures of other objects are functions of this module: :func:`sobol_bars` (a
:func:`gridrisk.sensitivity` analysis) and :func:`frontier` (a :func:`gridrisk.sweep`). The
functions ``fan_chart``, ``histogram``, ``exceedance``, ``waterfall`` and ``shedding`` take the
results as their first argument and draw the same figures.

Every figure draws on ``ax`` (a new 8 x 4.5 in figure if ``None``) and returns the Axes. Titles
and axis labels are words with display units (:mod:`gridrisk.units`: PKR bn, USD m, GWh, %), tick
labels plain numbers with thousands separators, legends above the plot where they cover no data.
matplotlib is imported when a figure is drawn, not when gridrisk is.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gridrisk import units
from gridrisk._validate import choice, number, whole
from gridrisk.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from gridrisk.compare import Sweep
    from gridrisk.results import Results

__all__ = [
    "PlotAccessor",
    "exceedance",
    "fan_chart",
    "frontier",
    "histogram",
    "shedding",
    "sobol_bars",
    "waterfall",
]

#: Size of a new figure, inches: a full-width staff-report panel.
FIGSIZE: tuple[float, float] = (8.0, 4.5)

# A value held by at least this share of paths is drawn as a point mass, not as part of the
# density: 40 % of paths at exactly zero (no load connected) would flatten every other bar.
_ATOM_SHARE = 0.01

# Points on the probability grid when a distribution is read off the quantile sketch: each
# quantile stands for 1/_GRID of the probability.
_GRID = 4000


# -- layout and formatting ------------------------------------------------------------------------
def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any, size: tuple[float, float] = FIGSIZE) -> Any:
    """``ax``, or the Axes of a new figure of ``size`` inches laid out to fit its labels."""
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=size, layout="constrained")
    return ax


def _decimals(locs: Sequence[float]) -> int:
    """The fewest decimals (up to 6) that show every tick value exactly."""
    finite = [float(x) for x in locs if math.isfinite(x)]
    for d in range(7):
        if all(abs(round(x, d) - x) <= 1e-9 * max(1.0, abs(x)) for x in finite):
            return d
    return 6


def _plain_ticks(axis: Any, suffix: str = "") -> None:
    """Tick labels as people write numbers: ``1,250``, ``-0.5`` (a true minus); no offset, no e-notation."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    def text(x: float, pos: Any = None) -> str:
        # The ticks' spacing sets the decimals, so that 0.5, 1, 1.5 read 0.5, 1.0, 1.5.
        return units.format_number(x, _decimals([*axis.get_majorticklocs(), x])) + suffix

    if not isinstance(axis.get_major_locator(), FixedLocator):
        # Steps of 1, 2 or 5 times a power of ten: no tick at 0.00025.
        axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    axis.set_major_formatter(FuncFormatter(text))


def _scaled_ticks(axis: Any, factor: float) -> None:
    """Ticks at round numbers of the display unit on an axis whose data are in the base unit.

    ``factor`` (positive) takes the data to the display unit, e.g. 1e-9 from rupees to PKR bn.
    The ticks are fixed for the limits the axis has now.
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    lo, hi = sorted(float(v) * factor for v in axis.get_view_interval())
    if axis.axis_name == "x":
        axis.axes.set_xlim(axis.get_view_interval())  # freeze the limits the ticks are for
    else:
        axis.axes.set_ylim(axis.get_view_interval())
    ticks = [t for t in MaxNLocator(nbins=8, steps=[1, 2, 5, 10]).tick_values(lo, hi) if lo <= t <= hi]
    decimals = _decimals(ticks)
    axis.set_major_locator(FixedLocator([t / factor for t in ticks]))
    axis.set_major_formatter(FuncFormatter(lambda x, pos=None: units.format_number(x * factor, decimals)))


def _percent_ticks(axis: Any) -> None:
    """Probabilities on a log axis as per cent: ``0.1 %``, ``1 %``, ``10 %``, ``100 %``."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    def text(p: float, pos: Any = None) -> str:
        pct = 100.0 * p
        d = max(0, -math.floor(math.log10(pct) + 1e-9)) if pct > 0 else 0
        return f"{units.format_number(pct, d)} %"

    axis.set_major_locator(LogLocator(base=10.0, numticks=12))
    axis.set_major_formatter(FuncFormatter(text))
    axis.set_minor_formatter(NullFormatter())


def _room(ax: Any) -> float:
    """Width the Axes will have once laid out, pixels.

    Alone in its figure, the Axes will fill the figure less its tick labels and axis labels (the
    layout engine moves it), so its width now understates or overstates it; among other Axes
    it keeps its width.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    if len(fig.axes) != 1:
        return float(box.width)
    tight = ax.get_tightbbox(renderer)
    left, right = max(box.x0 - tight.x0, 0.0), max(tight.x1 - box.x1, 0.0)
    return float(fig.bbox.width - left - right - 0.3 * fig.dpi)


def _title(ax: Any, text: str, room: float, above: float = 0.0) -> None:
    """A bold title, ``above`` points over the plot, wrapped to ``room`` pixels."""
    title = ax.set_title(text, fontsize=11, fontweight="bold", pad=6 + above)
    share = title.get_window_extent(ax.figure.canvas.get_renderer()).width / max(room, 1.0)
    if share > 1.0:
        title.set_text(textwrap.fill(text, max(20, int(len(text) / share))))


def _legend_top(ax: Any, title: str, ncol: int | None = None) -> None:
    """The legend between the title and the plot, where it covers no data; then the title.

    As many columns as fit in the Axes' width (at most ``ncol``): a legend wider than its Axes
    makes the layout squeeze the plot.
    """
    width = _room(ax)
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        _title(ax, title, width)
        return
    fig = ax.figure
    height = 0.0
    for cols in np.arange(min(ncol or 3, len(handles)), 0, -1):
        legend = ax.legend(
            handles,
            labels,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.01),
            ncol=int(cols),
            frameon=False,
            fontsize=9,
            borderaxespad=0.0,
            handlelength=1.8,
            columnspacing=1.5,
        )
        box = legend.get_window_extent(fig.canvas.get_renderer())
        height = box.height * 72.0 / fig.dpi
        if box.width <= width:
            break
    _title(ax, title, width, height)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    # "LNG price" keeps its acronym; "Net fiscal flow" reads "net fiscal flow" mid-sentence.
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _money(money: str) -> str:
    return choice("money", money, list(units.MONEY))


def _scale(results: Results, name: str, money: str = "PKR bn") -> tuple[str, float]:
    """The display unit of a metric or output and the factor from its base unit to it."""
    unit = results.unit(name)
    if units.is_money(unit):
        return units.money_scale(results.scenario, unit, money)
    return units.display_unit(name, unit)


def _axis_label(name: str, shown: str) -> str:
    return f"{units.describe(name)} ({shown})" if shown else units.describe(name)


def _output(results: Results, output: str) -> int:
    name = choice("output", output, results.outputs)
    if name in results._undefined():
        raise ArgumentError(f"{name} is undefined for this horizon (see Results.fiscal_years): nothing to plot")
    return results.outputs.index(name)


def _kept(results: Results, name: str) -> np.ndarray | None:
    """Every path's value of an output if they were kept (``keep_outputs=True``), else ``None``."""
    if results._paths is not None and name in results._paths:
        return np.asarray(results.path_output(name), dtype=float)
    return None


def _share_text(share: float) -> str:
    """A share of paths in per cent, to a precision that never shows a non-zero share as 0."""
    pct = 100.0 * share
    if pct == 0:
        return "0 %"
    # Two decimals under 1 %, so that 0.45 % below and 0.45 % above add up to the 0.90 % shown.
    d = 1 if pct >= 1 else max(2, 1 - math.floor(math.log10(pct)))
    return f"{units.format_number(pct, d)} %"


# -- the figures of one run ---------------------------------------------------------------------
class PlotAccessor:
    """Figures of one run: ``results.plot.fan("fiscal.net_flow_pkr")``, ``results.plot.histogram()``.

    Every method draws on ``ax`` (a new 8 x 4.5 in figure if ``None``) and returns the
    matplotlib Axes. Money is shown in PKR bn unless ``money`` says ``"USD m"`` (at the
    scenario's starting exchange rate) or ``"% of GDP"`` (of the fiscal year the run starts in).

    Parameters
    ----------
    results : Results
        The run to draw.
    """

    def __init__(self, results: Results) -> None:
        self._results = results

    def __repr__(self) -> str:
        return "<gridrisk plots: fan, histogram, exceedance, waterfall, shedding>"

    # -- fan chart --------------------------------------------------------------------------
    def fan(
        self,
        metric: str,
        *,
        cumulative: bool = False,
        bands: Sequence[float] = (0.05, 0.25),
        money: str = "PKR bn",
        ax: Any = None,
    ) -> Any:
        """Fan chart of a monthly metric: the median and central bands of its paths, by month.

        Parameters
        ----------
        metric : str
            One of ``results.metrics``, e.g. ``"fiscal.net_flow_pkr"`` (PKR a month) or
            ``"fx.pkr_per_usd"``.
        cumulative : bool
            Show each path's sum of the metric from the first month (e.g. the cumulative net
            fiscal flow, PKR). The quantiles of a sum over months cannot be read off the monthly
            statistics, so this needs the paths' monthly values: ``simulate(..., keep_paths=True)``.
        bands : sequence of float
            Lower probabilities of the central bands: ``(0.05, 0.25)`` shades 5th-95th and
            25th-75th percentiles.
        money : {"PKR bn", "USD m", "% of GDP"}
            How rupee amounts are shown; other metrics keep their display unit (GWh, %, PKR/kWh).
        ax : matplotlib Axes, optional
            Where to draw (a new figure if ``None``).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ArgumentError
            For an unknown metric, a band outside (0, 0.5), ``cumulative=True`` on results
            without kept paths or on a metric whose sum means nothing (a price, a stock).
        """
        r = self._results
        name = r.metrics[r._metric(metric)]
        money = _money(money)
        lows = sorted({number("bands", b, 0.0, 0.5) for b in bands})
        if not lows or any(b <= 0.0 or b >= 0.5 for b in lows):
            raise ArgumentError(f"bands must be probabilities strictly between 0 and 0.5, got {list(bands)!r}")
        shown, factor = _scale(r, name, money)
        qs = sorted({*lows, 0.5, *(1 - b for b in lows)})
        if cumulative:
            unit = r.unit(name)
            if not unit.endswith(units.PER_MONTH):
                raise ArgumentError(
                    f"{name} ({unit or 'no unit'}) is a price, a rate or a stock: its sum over months means "
                    "nothing; cumulative fans are for flows, whose unit is per month (PKR, USD, MWh, tCO2, BTC, hours)"
                )
            if r._paths is None or name not in r._paths:
                raise ArgumentError(
                    "a cumulative fan needs every path's monthly values (the quantiles of a sum over "
                    "months are not those of the months): rerun with simulate(..., keep_paths=True); "
                    f"without them, results.moments({name!r})['mean'].cumsum() is the expected "
                    "cumulative path"
                )
            cum = np.cumsum(np.asarray(r.path_array(name), dtype=float), axis=1) * factor
            # A sum of months' flows is an amount to date, not a rate.
            shown = shown.removesuffix(units.PER_MONTH)
            values = {q: np.quantile(cum, q, axis=0) for q in qs}
            mean = cum.mean(axis=0)
        else:
            fan = r.fan(name, quantiles=qs)
            values = {q: fan[q].to_numpy(dtype=float) * factor for q in qs}
            mean = r.moments(name)["mean"].to_numpy(dtype=float) * factor
        ax = _axes(ax)
        x = r.months.to_timestamp()
        for b in lows:
            ax.fill_between(
                x,
                values[b],
                values[1 - b],
                alpha=0.18 + 0.30 * (b / 0.5),
                color="tab:blue",
                lw=0,
                label=f"{round(b * 100)}th to {round((1 - b) * 100)}th percentile",
            )
        ax.plot(x, values[0.5], color="tab:blue", lw=2.0, label="Median")
        # The mean apart from the median shows a skew the bands hide: a load built on fewer than
        # 5 % of paths has every band at zero and a mean above it.
        ax.plot(x, mean, color="black", lw=1.2, ls="--", label="Mean")
        lo, hi = min(float(np.nanmin(v)) for v in values.values()), max(float(np.nanmax(v)) for v in values.values())
        if lo < 0 < hi:
            ax.axhline(0.0, color="black", lw=0.8)
        if lo == hi:
            outer = min(lows)
            ax.text(
                0.5,
                0.6,
                f"Every band is {units.format_number(lo)} {shown} in every month: at least "
                f"{round(100 * (1 - 2 * outer))} % of paths take this value",
                transform=ax.transAxes,
                ha="center",
                fontsize=9,
                color="0.3",
            )
        _date_axis(ax, x)
        words = units.describe(name)
        start = r.months[0].strftime("%B %Y")
        ax.set_ylabel(f"{words}, cumulative ({shown})" if cumulative else f"{words} ({shown})")
        ax.set_xlabel("Month")
        _plain_ticks(ax.yaxis)
        ax.grid(True, axis="y", alpha=0.3)
        what = f"{words}, cumulative from {start}" if cumulative else words
        _legend_top(ax, f"{what}: median, mean and central bands over {r.paths:,} paths", ncol=4)
        return ax

    # -- distribution of a per-path output --------------------------------------------------
    def histogram(
        self,
        output: str = "npv_pkr",
        *,
        range: tuple[float, float] = (0.005, 0.995),
        bins: int = 50,
        money: str = "PKR bn",
        ax: Any = None,
    ) -> Any:
        """Distribution of a per-path output, with its mean, VaR 95 % and CVaR 95 % marked.

        The x axis covers the quantiles ``range`` of the output (0.5 % to 99.5 % by default), so
        that one extreme path in 100,000 does not squeeze the rest into two bars; the figure states
        the share of paths beyond it. A value held by 1 % of paths or more (a run of paths at
        exactly zero, where no load connects) is drawn as a point mass with its share, apart
        from the bars.

        With kept per-path values (``simulate(..., keep_outputs=True)``) the bars are the share
        of paths in each bin (%); without them the figure is the probability density read off
        the run's quantile sketch (4,000 quantiles, each standing for 1/4,000 of the paths),
        labelled so, in % of paths per display unit.

        The VaR 95 % is the value beyond which the worst 5 % of paths lie on the adverse side
        (low for the NPV, high for circular debt: ``results.summary()["better"]``); the CVaR
        95 % the mean of those paths.

        Parameters
        ----------
        output : str
            One of ``results.outputs``.
        range : (float, float)
            Lower and upper probabilities of the quantiles the x axis spans.
        bins : int
            Number of bars over that range.
        money : {"PKR bn", "USD m", "% of GDP"}
            How rupee amounts are shown.
        ax : matplotlib Axes, optional
            Where to draw (a new figure if ``None``).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ArgumentError
            For an unknown or undefined output, or a range that is not ``0 <= lo < hi <= 1``.
        """
        r = self._results
        i = _output(r, output)
        name = r.outputs[i]
        money = _money(money)
        bins = whole("bins", bins, 1, 10_000)
        p_lo, p_hi = (number("range", p, 0.0, 1.0) for p in range)
        if not p_lo < p_hi:
            raise ArgumentError(f"range must be two probabilities lo < hi, got {range!r}")
        shown, factor = _scale(r, name, money)
        kept = _kept(r, name)
        if kept is not None:
            sample = np.sort(kept[np.isfinite(kept)]) * factor
            x_lo, x_hi = (float(v) for v in np.quantile(sample, [p_lo, p_hi]))
        else:
            grid = [float(p) for p in (np.arange(_GRID) + 0.5) / _GRID]
            sample = np.asarray(r.stats.output_quantiles(grid)[i], dtype=float) * factor
            x_lo, x_hi = (float(v) * factor for v in r.stats.output_quantiles([p_lo, p_hi])[i])
        s = r.summary().loc[name]
        # The tail's VaR and CVaR are what the figure is read for: the range always shows them.
        for risk in (s["adverse_var95"], s["adverse_cvar95"]):
            if np.isfinite(risk):
                x_lo, x_hi = min(x_lo, float(risk) * factor), max(x_hi, float(risk) * factor)
        n = sample.size
        atoms = _atoms(sample, exact_only=kept is not None)
        below, above = float(np.sum(sample < x_lo)) / n, float(np.sum(sample > x_hi)) / n
        if x_hi <= x_lo:  # one value on the whole range: give the axis a width to show it on
            half = max(abs(x_lo) * 0.05, 1.0)
            x_lo, x_hi = x_lo - half, x_hi + half
        edges = np.linspace(x_lo, x_hi, bins + 1)
        width = float(edges[1] - edges[0])
        inside = sample[(sample >= x_lo) & (sample <= x_hi)]
        if atoms:
            inside = inside[~np.isin(inside, [a for a, _ in atoms])]
        ax = _axes(ax)
        pct_per_path = 100.0 / n
        step = units.format_number(width)
        if kept is not None:
            ax.hist(inside, bins=edges, weights=np.full(inside.size, pct_per_path), color="0.6", edgecolor="white")
            ax.set_ylabel(f"Share of paths in each bar of {step} {shown} (%)")
        else:
            ax.hist(
                inside, bins=edges, weights=np.full(inside.size, pct_per_path / width), color="0.6", edgecolor="white"
            )
            ax.set_ylabel(f"Probability density, from the quantile sketch\n(% of paths per {shown})")
        top = ax.get_ylim()[1] * 1.12 if inside.size else 1.0
        ax.set_ylim(0, top)
        _risk_lines(ax, s, factor, shown, span=(x_lo, x_hi))
        pad = 0.02 * (x_hi - x_lo)
        # A point mass is a stem over the lines at its value (often zero, like the VaR), its share
        # written beside it: a bar of its height would flatten every other bar.
        for value, share in atoms:
            if not x_lo <= value <= x_hi:
                continue
            words = f"{_share_text(share)} of paths at exactly {units.format_number(value)}"
            ax.vlines(value, 0, top * 0.9, color="tab:purple", lw=3, zorder=5)
            ax.plot([value], [top * 0.9], marker="v", color="tab:purple", ls="none", ms=8, zorder=6)
            right = value < x_lo + 0.6 * (x_hi - x_lo)
            ax.annotate(
                f"Point mass:\n{words}",
                (value, top * 0.9),
                xytext=(8 if right else -8, -4),
                textcoords="offset points",
                ha="left" if right else "right",
                va="top",
                fontsize=8,
                color="tab:purple",
                bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                zorder=7,
            )
        ax.set_xlim(x_lo - pad, x_hi + pad)
        outside = below + above
        note = (
            f"{_share_text(outside)} of paths beyond the range, not shown "
            f"({_share_text(below)} below, {_share_text(above)} above)"
            if outside > 0
            else "every path is within the range shown"
        )
        ax.set_xlabel(f"{_axis_label(name, shown)}\n{note}")
        _plain_ticks(ax.xaxis)
        _plain_ticks(ax.yaxis)
        ax.grid(True, axis="y", alpha=0.3)
        _legend_top(ax, f"{units.describe(name)}: distribution over {r.paths:,} paths", ncol=2)
        return ax

    # -- exceedance curve -------------------------------------------------------------------
    def exceedance(self, output: str = "npv_pkr", *, money: str = "PKR bn", ax: Any = None) -> Any:
        """Probability of an outcome at least as adverse as each value (log scale), VaR and CVaR marked.

        The x axis is the output (in display units); the curve is the probability of a value
        this low or lower for an output where higher is better (the NPV: the loss tail is on the
        left) and of a value this high or higher where lower is better (circular debt: the tail
        is on the right), on a log scale so that the tail reads as well as the middle. Read off
        the run's quantile sketch between probabilities 0.1 % and 99.9 % (from 1/paths for fewer
        than 1,000 paths). The VaR 95 % sits where the curve crosses 5 %; the CVaR 95 % is the
        mean of the paths beyond it; for money outputs the probability of an adverse value
        (beyond zero) is marked on the zero line.

        Parameters
        ----------
        output : str
            One of ``results.outputs``.
        money : {"PKR bn", "USD m", "% of GDP"}
            How rupee amounts are shown.
        ax : matplotlib Axes, optional
            Where to draw (a new figure if ``None``).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ArgumentError
            For an unknown or undefined output.
        """
        r = self._results
        i = _output(r, output)
        name = r.outputs[i]
        money = _money(money)
        shown, factor = _scale(r, name, money)
        s = r.summary().loc[name]
        higher = s["better"] == "higher"
        p_min = min(max(0.001, 1.0 / r.paths), 0.5)
        qs = np.geomspace(p_min, 0.5, 300)
        qs = np.unique(np.concatenate([qs, 1.0 - qs]))
        # The curve's data stay in the output's base unit (rupees), as Results reports it; the
        # ticks show them in the display unit.
        v = np.asarray(r.stats.output_quantiles([float(q) for q in qs])[i], dtype=float)
        ax = _axes(ax)
        words = units.describe(name)
        if higher:
            # The loss is minus the output: P(-X >= -v_q) = P(X <= v_q) = q.
            sign, x, p = -1.0, -v, qs
            ax.set_xlabel(f"Loss: minus the {_lower_first(words)} ({shown})")
            ax.set_ylabel("Probability of a loss\nthis large or larger")
            title = f"{words}: probability of a loss at least this large"
            label = "Share of paths with a loss this large or larger"
        else:
            sign, x, p = 1.0, v, 1.0 - qs  # P(X >= v_q) = 1 - q
            ax.set_xlabel(_axis_label(name, shown))
            ax.set_ylabel("Probability of a value\nthis high or higher")
            title = f"{words}: probability of a value at least this high"
            label = "Share of paths this high or higher"
        ax.plot(x, p, color="tab:red", lw=2.0, label=label)
        ax.set_yscale("log")
        ax.set_ylim(p_min * 0.7, 1.15)
        _percent_ticks(ax.yaxis)
        _risk_lines(ax, s, sign * factor, shown, mean=False, loss=higher, at=sign)
        if np.isfinite(s["adverse_var95"]):
            ax.plot([sign * float(s["adverse_var95"])], [0.05], "o", color="tab:orange", ms=6)
        p_adverse = float(s.get("p_adverse", math.nan))
        if math.isfinite(p_adverse):
            what = "a loss" if higher else "a value"
            ax.plot(
                [0.0],
                [max(p_adverse, p_min * 0.7)],
                "D",
                color="black",
                ms=5,
                label=f"P({what} > 0): {_share_text(p_adverse)}",
            )
        _scaled_ticks(ax.xaxis, factor)
        ax.grid(True, which="major", alpha=0.3)
        _legend_top(ax, title, ncol=2)
        return ax

    # -- decomposition of the NPV -----------------------------------------------------------
    def waterfall(self, by: str = "channel", *, money: str = "PKR bn", ax: Any = None) -> Any:
        """The expected NPV to the state built up from its parts (:meth:`Results.decomposition`).

        Each bar starts where the previous one ended (green adds to the NPV, red takes from it)
        and the last bar is the total; the value of each part is written on its bar. Error bars
        are 95 % Monte Carlo intervals (1.96 standard errors) where a part has one. Memorandum
        rows (the miners' bad debt, already inside the other parts) are left out.

        Parameters
        ----------
        by : {"channel", "load", "period"}
            The decomposition (see :meth:`Results.decomposition`).
        money : {"PKR bn", "USD m", "% of GDP"}
            How rupee amounts are shown.
        ax : matplotlib Axes, optional
            Where to draw (a new figure if ``None``).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ArgumentError
            For an unknown ``by`` or ``money``.
        """
        r = self._results
        money = _money(money)
        d = r.decomposition(by=by)
        # Memorandum rows are already inside the parts: not bars of their own.
        d = d.loc[[k for k in d.index if not str(k).startswith("memo:")]]
        shown, factor = units.money_scale(r.scenario, "PKR", money)
        parts = d.drop(index="total")
        ax = _axes(ax)
        level = 0.0
        # (position, top of the bar, value, error above the top): where each value is written.
        tops: list[tuple[int, float, float, float]] = []
        named: set[str] = set()
        for k, (_, row) in enumerate(parts.iterrows()):
            height = float(row["mean"]) * factor
            err = 1.96 * float(row["se"]) * factor if np.isfinite(row["se"]) else 0.0
            color, words = ("tab:green", "Adds to the NPV") if height >= 0 else ("tab:red", "Takes from the NPV")
            label = None if words in named else words
            named.add(words)
            ax.bar(
                k, height, bottom=level, color=color, yerr=err or None, capsize=3, ecolor="0.25", width=0.7, label=label
            )
            # A thin step joins each bar's end to the next bar's start, as waterfalls are read.
            ax.plot([k + 0.35, k + 0.65], [level + height] * 2, color="0.5", lw=0.8)
            tops.append((k, level + max(height, 0.0), height, err if height >= 0 else 0.0))
            level += height
        total = d.loc["total"]
        t_mean, t_err = float(total["mean"]) * factor, 1.96 * float(total["se"]) * factor
        ax.bar(
            len(parts),
            t_mean,
            color="tab:blue",
            yerr=t_err,
            capsize=3,
            ecolor="0.25",
            width=0.7,
            label="Expected NPV (error bars: 95 % Monte Carlo interval)",
        )
        tops.append((len(parts), max(t_mean, 0.0), t_mean, t_err if t_mean >= 0 else 0.0))
        ax.axhline(0.0, color="black", lw=0.8)
        lo, hi = ax.get_ylim()
        gap = 0.015 * (hi - lo)
        decimals = 0 if max(abs(h) for _, _, h, _ in tops) >= 10 else 1
        for k, y, h, e in tops:
            ax.text(k, y + e + gap, units.format_number(h, decimals), ha="center", va="bottom", fontsize=8)
        ax.set_ylim(lo, hi + 0.06 * (hi - lo))
        labels = [*parts.index, "total"]
        ax.set_xticks(np.arange(len(labels)), [textwrap.fill(_upper_first(str(s)), 11) for s in labels], fontsize=8)
        ax.set_xlabel(_upper_first(str(d.index.name or "part")))
        ax.set_ylabel(f"Expected NPV to the state ({shown})")
        _plain_ticks(ax.yaxis)
        ax.grid(True, axis="y", alpha=0.3)
        _legend_top(ax, f"Expected net present value to the state by {by}, {r.paths:,} paths", ncol=3)
        return ax

    # -- load-shedding ----------------------------------------------------------------------
    def shedding(self, *, ax: Any = None) -> Any:
        """Hours of load-shedding a day by feeder class, without and with the allocation.

        Horizontal bars of :meth:`Results.shedding`: each feeder class of the scenario and all
        existing consumers, the mean hours a day shed over the horizon (h/day) without the
        allocation and with it. Error bars are 95 % Monte Carlo intervals: of the figure without
        the allocation; with it, the sum of the errors without and of the increase, an upper
        bound of its own error (the increase itself is known better, on the same draws: see
        ``Results.shedding()["± se (increase)"]``).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if ``None``).

        Returns
        -------
        matplotlib Axes

        Raises
        ------
        ArgumentError
            If the results have no load-shedding outputs (saved by an older gridrisk).
        """
        r = self._results
        table = r.shedding()
        ax = _axes(ax)
        y = np.arange(len(table))
        height = 0.38
        mw = float(r.scenario["allocation.mining_mw"]) + float(r.scenario["allocation.datacenter_mw"])
        without = table["shed h/day, without"].to_numpy(dtype=float)
        with_ = table["shed h/day, with"].to_numpy(dtype=float)
        se_without = np.nan_to_num(table["± se (without)"].to_numpy(dtype=float))
        se_increase = np.nan_to_num(table["± se (increase)"].to_numpy(dtype=float))
        ax.barh(
            y - height / 2,
            without,
            height=height,
            xerr=1.96 * se_without,
            color="0.6",
            capsize=3,
            label="without the allocation",
        )
        ax.barh(
            y + height / 2,
            with_,
            height=height,
            xerr=1.96 * (se_without + se_increase),
            color="tab:red",
            capsize=3,
            label=f"with the allocation ({units.format_number(mw, 0)} MW)",
        )
        # The classes keep the names the scenario declares them by, as Results.shedding() does.
        ax.set_yticks(y, [units.feeder_class(str(c)) for c in table.index])
        ax.invert_yaxis()  # the first class on top, all consumers at the bottom
        ax.set_xlim(left=0.0)
        ax.set_xlabel(
            "Load-shedding, hours a day (h/day, mean over paths and months)\nerror bars: 95 % Monte Carlo intervals"
        )
        ax.set_ylabel("Feeder class (by share of energy lost)")
        _plain_ticks(ax.xaxis)
        ax.grid(True, axis="x", alpha=0.3)
        _legend_top(ax, "Load-shedding of the existing consumers by feeder class")
        return ax


def _date_axis(ax: Any, x: Any) -> None:
    """Month ticks for short horizons, years for long ones; never an offset."""
    import matplotlib.dates

    mdates: Any = matplotlib.dates  # its locators carry no annotations
    months = len(x)
    if months <= 18:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    elif months <= 48:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 10)))
    else:
        step = max(1, math.ceil(months / 12 / 12))
        ax.xaxis.set_major_locator(mdates.YearLocator(step))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.set_xlim(x[0], x[-1])


def _atoms(sample: np.ndarray, *, exact_only: bool) -> list[tuple[float, float]]:
    """Values held by at least 1 % of a sorted sample, with their shares.

    Kept per-path values are exact, so any repeated value counts. Quantiles of the sketch
    repeat across a bucket of a continuous distribution too, so from the sketch only zero
    (held exactly in the sketch's zero bucket) counts as a point mass.
    """
    if sample.size == 0:
        return []
    values, counts = np.unique(sample, return_counts=True)
    shares = counts / sample.size
    out = []
    for v, share in zip(values, shares, strict=True):
        if share >= _ATOM_SHARE and (exact_only or v == 0.0 or values.size == 1):
            out.append((float(v), float(share)))
    return out


def _risk_lines(
    ax: Any,
    s: pd.Series,
    factor: float,
    shown: str,
    *,
    span: tuple[float, float] | None = None,
    mean: bool = True,
    loss: bool = False,
    at: float | None = None,
) -> None:
    """Vertical lines at the mean (with its error), VaR 95 % and CVaR 95 %, numbers in the legend.

    ``factor`` takes the output's base unit to the numbers shown (negative on an axis of losses,
    ``loss=True``); ``at`` to the axis's data, if not the same. A line beyond ``span`` is not
    drawn, and its legend entry says so.
    """
    place = factor if at is None else at
    beyond = "below" if s["better"] == "higher" and not loss else "above"
    of = "a loss of " if loss else ""

    def line(x: float, label: str, **style: Any) -> None:
        x *= place / factor if factor else 1.0
        if span is not None and not span[0] <= x <= span[1]:
            ax.plot([], [], label=f"{label}, off the chart", **style)
        else:
            ax.axvline(x, label=label, **style)

    if mean and np.isfinite(s["mean"]):
        m, se = float(s["mean"]) * factor, float(s["se"]) * abs(factor)
        line(m, f"Mean ± s.e.: {units.format_pm(m, se)} {shown}", color="tab:blue", lw=1.8)
    if np.isfinite(s["adverse_var95"]):
        var, cvar = float(s["adverse_var95"]) * factor, float(s["adverse_cvar95"]) * factor
        line(
            var,
            f"VaR 95 %: {of}{units.format_number(var)} {shown} (5 % of paths {beyond})",
            color="tab:orange",
            lw=2.0,
        )
        line(cvar, f"CVaR 95 %: {of}{units.format_number(cvar)} {shown} (their mean)", color="tab:red", lw=2.0, ls="--")


# -- module-level figures -------------------------------------------------------------------------
def fan_chart(
    results: Results,
    metric: str,
    *,
    cumulative: bool = False,
    bands: Sequence[float] = (0.05, 0.25),
    money: str = "PKR bn",
    ax: Any = None,
) -> Any:
    """Fan chart of a monthly metric: ``results.plot.fan`` (see :meth:`PlotAccessor.fan`)."""
    return PlotAccessor(results).fan(metric, cumulative=cumulative, bands=bands, money=money, ax=ax)


def histogram(
    results: Results,
    output: str = "npv_pkr",
    *,
    range: tuple[float, float] = (0.005, 0.995),
    bins: int = 50,
    money: str = "PKR bn",
    ax: Any = None,
) -> Any:
    """Distribution of a per-path output: ``results.plot.histogram`` (see :meth:`PlotAccessor.histogram`)."""
    return PlotAccessor(results).histogram(output, range=range, bins=bins, money=money, ax=ax)


def exceedance(results: Results, output: str = "npv_pkr", *, money: str = "PKR bn", ax: Any = None) -> Any:
    """Exceedance curve of a per-path output: ``results.plot.exceedance`` (see :meth:`PlotAccessor.exceedance`)."""
    return PlotAccessor(results).exceedance(output, money=money, ax=ax)


def waterfall(results: Results, *, by: str = "channel", money: str = "PKR bn", ax: Any = None) -> Any:
    """The NPV by part: ``results.plot.waterfall`` (see :meth:`PlotAccessor.waterfall`)."""
    return PlotAccessor(results).waterfall(by, money=money, ax=ax)


def shedding(results: Results, *, ax: Any = None) -> Any:
    """Hours of load-shedding by feeder class: ``results.plot.shedding`` (see :meth:`PlotAccessor.shedding`)."""
    return PlotAccessor(results).shedding(ax=ax)


def sobol_bars(indices: pd.DataFrame, *, output: str | None = None, ax: Any = None) -> Any:
    """Which uncertainty drives an output: first- and total-order Sobol indices, in per cent.

    Horizontal bars per group, largest total index on top: the first-order index is the share
    of the output's variance a group explains alone, the total-order index the share it
    explains with its interactions. Error bars are the 95 % bootstrap intervals of
    :func:`gridrisk.sensitivity`. Indices slightly below zero or above 100 % are estimator
    noise around 0 and 100 %.

    Parameters
    ----------
    indices : DataFrame
        ``Sensitivity.indices``: indexed by group, columns ``first`` and ``total`` (shares of
        variance, 0 to 1), optional ``first_ci``/``total_ci`` (half-widths) and ``kind``
        (``"driver"`` or ``"parameter"``).
    output : str, optional
        The output analysed (``Sensitivity.output``), named in the title and axis label.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if ``None``, taller for many groups).

    Returns
    -------
    matplotlib Axes
    """
    order = indices.sort_values("total", ascending=False)
    n = len(order)
    ax = _axes(ax, (FIGSIZE[0], max(FIGSIZE[1], 1.6 + 0.38 * n)))
    kinds = order["kind"] if "kind" in order else ["driver"] * n
    labels = []
    for group, kind in zip(order.index, kinds, strict=True):
        words = units.GROUP_WORDS.get(str(group), _upper_first(str(group)))
        labels.append(f"{words} (parameter)" if kind == "parameter" else words)
    y = np.arange(n)
    h = 0.38
    for k, (col, color, text) in enumerate(
        (("first", "tab:blue", "First order: alone"), ("total", "tab:orange", "Total order: with interactions"))
    ):
        ci = order.get(f"{col}_ci")
        err = None if ci is None else 100.0 * np.nan_to_num(ci.to_numpy(dtype=float))
        ax.barh(
            y + (k - 0.5) * h,
            100.0 * order[col].to_numpy(dtype=float),
            height=h,
            color=color,
            xerr=err,
            capsize=2,
            ecolor="0.25",
            label=text,
        )
    if "first_ci" in order or "total_ci" in order:
        ax.errorbar([], [], xerr=[], color="0.25", label="95 % bootstrap interval")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", lw=0.8)
    what = f"the {_lower_first(units.describe(output))}" if output else "the output"
    ax.set_xlabel(f"Share of the variance of {what} (%)")
    ax.set_ylabel("Source of uncertainty")
    _plain_ticks(ax.xaxis)
    ax.grid(True, axis="x", alpha=0.3)
    _legend_top(ax, f"What drives the uncertainty of {what}: Sobol indices")
    return ax


def frontier(sweep: Sweep, *, ax: Any = None) -> Any:
    """Risk against return of every swept policy, each labelled, the efficient ones joined.

    Expected NPV to the state (PKR bn) against the CVaR 95 % of the NPV loss (PKR bn: the mean
    loss of the worst 5 % of paths; further right is riskier). Every point is labelled with its
    policy, the swept values; vertical error bars are 95 % Monte Carlo intervals of the mean
    (1.96 standard errors), horizontal ones of the CVaR where the sweep has them (a column
    ``npv_loss_cvar95_se``). The frontier joins the policies no other beats on both.

    Parameters
    ----------
    sweep : Sweep
        The result of :func:`gridrisk.sweep`.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if ``None``).

    Returns
    -------
    matplotlib Axes
    """
    t = sweep.table
    swept = list(t.columns[: list(t.columns).index("npv_mean")])
    ax = _axes(ax)
    bn = 1e-9
    xerr = 1.96 * t["npv_loss_cvar95_se"] * bn if "npv_loss_cvar95_se" in t else None
    ax.errorbar(
        t["npv_loss_cvar95"] * bn,
        t["npv_mean"] * bn,
        yerr=1.96 * t["npv_se"] * bn,
        xerr=xerr,
        fmt="o",
        color="0.45",
        ecolor="0.6",
        capsize=3,
        label="Policy (95 % Monte Carlo interval)",
    )
    f = sweep.frontier
    ax.plot(
        f["npv_loss_cvar95"] * bn,
        f["npv_mean"] * bn,
        "o-",
        color="tab:red",
        lw=1.8,
        ms=7,
        zorder=4,
        label="Efficient frontier",
    )
    short = {c: _short_field(c) for c in swept}
    # Policies that land on the same point (a parameter that changes nothing) share one label,
    # a line each, rather than printing over one another.
    spots: dict[tuple[float, float], list[str]] = {}
    for _, row in t.iterrows():
        x, y = float(row["npv_loss_cvar95"]) * bn, float(row["npv_mean"]) * bn
        spots.setdefault((round(x, 6), round(y, 6)), []).append(
            ", ".join(f"{short[c]} = {_value_text(row[c])}" for c in swept)
        )
    ax.margins(x=0.2, y=0.15)
    _label_points(ax, [(x, y, "\n".join(texts)) for (x, y), texts in spots.items()])
    key = "; ".join(f"{short[c]} is {c}" for c in swept if short[c] != c)
    note = "\n" + textwrap.fill(f"Policies: {key}", 110) if key else ""
    cvar = t["npv_loss_cvar95"].to_numpy(dtype=float) * bn
    if len(cvar) and np.ptp(cvar) == 0:
        # Every policy has the same tail loss (in the preset, none loses on its worst 5 %): a
        # symmetric axis around it would invent negative losses, so show a unit span and say so.
        x0 = float(cvar[0])
        ax.set_xlim(x0 - 0.1, x0 + 1.0)
        note = f"\nEvery policy has the same CVaR, {units.format_short(x0)} PKR bn: they differ only in return" + note
    ax.set_xlabel(f"CVaR 95 % of the NPV loss (PKR bn){note}")
    ax.set_ylabel("Expected NPV to the state (PKR bn)")
    _plain_ticks(ax.xaxis)
    _plain_ticks(ax.yaxis)
    ax.grid(True, alpha=0.3)
    _legend_top(ax, "Return and risk of each policy: expected NPV to the state against its tail loss", ncol=2)
    return ax


def _label_points(ax: Any, points: list[tuple[float, float, str]]) -> None:
    """Write each label to the right of its point, moved up or down so that no two overlap.

    Labels whose points are within 200 px of each other across are stacked in the order of
    their points, at least their own height apart; a thin line joins a moved label to its point.
    """
    fig = ax.figure
    ax.get_xlim()  # settles the autoscaled limits the transform below reads
    to_px = ax.transData.transform
    box = ax.get_window_extent(fig.canvas.get_renderer())
    # One line of 8 pt text with its leading, and room for the layout to shrink the Axes.
    line_px = 1.25 * 11.0 * fig.dpi / 72.0
    placed: list[tuple[float, float, float]] = []  # (x, bottom, top) of labels already placed, px
    for x, y, text in sorted(points, key=lambda p: (p[1], p[0])):
        px, py = (float(v) for v in to_px((x, y)))
        height = line_px * (text.count("\n") + 1)
        bottom = py - height / 2
        for ox, ob, ot in sorted(placed, key=lambda b: b[1]):
            if abs(ox - px) < 200 and bottom < ot and bottom + height > ob:
                bottom = ot + 1.0
        placed.append((px, bottom, bottom + height))
        shift = (bottom + height / 2 - py) * 72.0 / fig.dpi
        # Points in the right quarter take their label on the left, inside the plot.
        left = px > box.x0 + 0.75 * box.width
        ax.annotate(
            text,
            (x, y),
            xytext=(-8 if left else 8, shift),
            textcoords="offset points",
            ha="right" if left else "left",
            va="center",
            fontsize=8,
            color="0.15",
            arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.6, "shrinkA": 0, "shrinkB": 3}
            if abs(shift) > 2
            else None,
        )


def _short_field(field: str) -> str:
    """The last part of a dotted field (``mining.tariff[0].pkr_per_kwh`` -> ``pkr_per_kwh``)."""
    return field.rsplit(".", 1)[-1]


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return str(value)
    v = float(value)
    return units.format_number(v, _decimals([v]))
