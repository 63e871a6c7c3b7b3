"""Policies side by side on common random numbers, and grids of policies."""

from __future__ import annotations

import html
import itertools
import math
import secrets
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import _progress
from gridrisk._validate import short_repr, whole
from gridrisk.errors import ArgumentError, ScenarioError
from gridrisk.results import OUTPUT_BETTER, Results
from gridrisk.scenario import Scenario
from gridrisk.simulation import simulate
from gridrisk.units import MINUS, Z95, describe, display_unit, format_number, format_pm, money_scale

__all__ = ["Comparison", "Sweep", "compare", "sweep"]


#: The outputs a :class:`Comparison` shows at a glance (every output is in :meth:`Comparison.differences`).
HEADLINE: tuple[str, ...] = (
    "npv_pkr",
    "net_flow_pkr_per_year",
    "circular_debt_change_pkr",
    "consumers_charge_pkr",
    "eue_households_increase_mwh_per_year",
    "households_shed_h_per_day_increase",
)

# Inline CSS of the notebook tables: small type and wrapped headers keep them within 1,000 px.
_TABLE_CSS = "border-collapse:collapse;font-size:12px;max-width:1000px"
_TH_CSS = "padding:2px 6px;border-bottom:1px solid #888;text-align:right;vertical-align:bottom;max-width:150px"
_TD_CSS = "padding:2px 6px;text-align:right;white-space:nowrap"
_ROW_CSS = "padding:2px 6px;text-align:left;white-space:nowrap;font-weight:bold"


def _unit(res: Results, output: str) -> tuple[str, float]:
    """The display unit of a per-path output and the factor from its base unit (money in PKR bn)."""
    unit = res.unit(output)
    if unit.startswith("PKR") and "/kWh" not in unit:
        return money_scale(res.scenario, unit)
    return display_unit(output, unit)


def _label(res: Results, output: str) -> str:
    """``"Words (display unit)"`` of a per-path output."""
    shown, _ = _unit(res, output)
    return f"{describe(output)} ({shown})" if shown else describe(output)


def _html_table(index_name: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A self-contained HTML table of text cells (escaped), with inline CSS."""
    head = f'<th style="{_TH_CSS};text-align:left">{html.escape(index_name)}</th>' + "".join(
        f'<th style="{_TH_CSS}">{html.escape(c)}</th>' for c in columns
    )
    body = "".join(
        f'<tr><td style="{_ROW_CSS}">{html.escape(name)}</td>'
        + "".join(f'<td style="{_TD_CSS}">{html.escape(v)}</td>' for v in cells)
        + "</tr>"
        for name, cells in rows
    )
    return f'<table style="{_TABLE_CSS}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _wrap_header(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` characters where it can be.

    Words are never cut; a dotted field name breaks after its dots (``"mining.tariff[1]."`` /
    ``"base_pkr_per_kwh"``).
    """
    if " " not in text and "." in text:
        lines = [""]
        for part in text.replace(".", ". ").split(" "):
            if lines[-1] and len(lines[-1]) + len(part) > width:
                lines.append("")
            lines[-1] += part
        return lines
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def text_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1, wrap: int = 14, width: int | None = None
) -> str:
    """A plain-text table: headers wrapped onto several lines, numbers right-aligned.

    Parameters
    ----------
    columns : sequence of str
        The column labels; each is wrapped to its column's width (at least ``wrap`` characters).
    rows : sequence of sequences of str
        The cells, already formatted.
    left : int
        How many leading columns are text, aligned left (the others are numbers).
    width : int, optional
        The widest line wanted: the first column's cells are wrapped to fit it when they are
        longer (never narrower than 24 characters), continuing on indented lines below.

    Returns
    -------
    str
        The lines of the table, without a trailing newline.
    """
    n = len(columns)
    widths = [max([len(r[j]) for r in rows] + [min(len(columns[j]), wrap)]) for j in range(n)]
    if width is not None and n > 1:
        widths[0] = max(24, min(widths[0], width - sum(widths[1:]) - 2 * (n - 1)))
    heads = [_wrap_header(c, widths[j]) for j, c in enumerate(columns)]
    widths = [max(widths[j], *(len(line) for line in heads[j])) for j in range(n)]
    depth = max(len(h) for h in heads)
    lines = []

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(widths[j]) if j < left else c.rjust(widths[j]) for j, c in enumerate(cells)).rstrip()

    for k in range(depth):
        lines.append(line([h[k - (depth - len(h))] if k >= depth - len(h) else "" for h in heads]))
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        # Continuation lines indented, as in Table.to_text, so a wrapped label reads as one row.
        first = textwrap.wrap(r[0], widths[0], subsequent_indent="  ", break_on_hyphens=False) or [""]
        lines.append(line([first[0], *r[1:]]))
        lines.extend(line([more, *([""] * (n - 1))]) for more in first[1:])
    return "\n".join(lines)


@dataclass(frozen=True)
class Comparison:
    """Results of several policies simulated on the same random draws.

    Attributes
    ----------
    results : dict of str to Results
        Each policy's results (per-path outputs kept), in the order given.
    """

    results: dict[str, Results]

    @property
    def baseline(self) -> str:
        """The first policy: differences are taken against it."""
        return next(iter(self.results))

    @property
    def scenarios(self) -> pd.DataFrame:
        """Each policy's scenario: what it is and what was changed.

        Returns
        -------
        DataFrame
            Indexed by ``policy``, in order; columns ``label`` (:attr:`Scenario.label`, e.g.
            ``"pakistan-2000mw + 2 overrides"``), ``overrides`` (their number) and ``changes``
            (``"field: origin value -> value"``, separated by ``"; "``, values shortened).
        """
        rows = {
            name: {
                "label": r.scenario.label,
                "overrides": len(r.scenario.overrides),
                "changes": "; ".join(f"{f}: {short_repr(a)} -> {short_repr(b)}" for f, a, b in r.scenario.overrides),
            }
            for name, r in self.results.items()
        }
        df = pd.DataFrame.from_dict(rows, orient="index", columns=["label", "overrides", "changes"])
        df.index.name = "policy"
        return df

    def summary(self) -> pd.DataFrame:
        """Every policy's :meth:`Results.summary`, stacked with a ``policy`` index level."""
        return pd.concat({name: r.summary() for name, r in self.results.items()}, names=["policy", "output"])

    def differences(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired differences of every output against ``baseline`` (default: the first policy).

        On common random numbers each path is the same world under both policies, so the
        difference is computed path by path: ``mean`` is the mean difference (policy minus
        baseline), ``se`` its Monte Carlo standard error ``sd(diff) / sqrt(paths)``,
        ``ci95_low``/``ci95_high`` the normal 95 % interval, and ``better`` which sign is good
        for the state (:data:`~gridrisk.results.OUTPUT_BETTER`): ``"higher"`` for the NPV or the
        revenue, ``"lower"`` for the circular debt or the loss of load, so a positive
        difference of circular debt reads as the worse outcome it is. Units as in
        ``OUTPUT_UNITS``.
        """
        base_name = self.baseline if baseline is None else baseline
        if base_name not in self.results:
            raise ArgumentError(f"unknown baseline {base_name!r}; policies: {', '.join(self.results)}")
        base = self.results[base_name]
        rows = {}
        for name, res in self.results.items():
            if name == base_name:
                continue
            for out in res.outputs:
                d = res.path_output(out) - base.path_output(out)
                mean = float(d.mean())
                se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.nan
                rows[(name, out)] = {
                    "mean": mean,
                    "se": se,
                    "ci95_low": mean - Z95 * se,
                    "ci95_high": mean + Z95 * se,
                    "better": OUTPUT_BETTER.get(out, "higher"),
                }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index = pd.MultiIndex.from_tuples(df.index, names=["policy", "output"])
        return df

    def _headline(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """Column labels and rows of the glance table: each policy's mean, then each difference."""
        base_name = self.baseline
        base = self.results[base_name]
        outputs = [o for o in HEADLINE if o in base.outputs]
        columns = [_label(base, o) for o in outputs]
        scales = [_unit(base, o)[1] for o in outputs]
        rows = []
        for name, res in self.results.items():
            s = res.summary()
            rows.append(
                (
                    name,
                    [format_pm(s.loc[o, "mean"] * f, s.loc[o, "se"] * f) for o, f in zip(outputs, scales, strict=True)],
                )
            )
        if len(self.results) > 1:
            diff = self.differences()
            for name in self.results:
                if name == base_name:
                    continue
                rows.append(
                    (
                        f"{name} {MINUS} {base_name}",
                        [
                            format_pm(diff.loc[(name, o), "mean"] * f, diff.loc[(name, o), "se"] * f)
                            for o, f in zip(outputs, scales, strict=True)
                        ],
                    )
                )
        return columns, rows

    def _caption(self) -> str:
        first = next(iter(self.results.values()))
        names = ", ".join(repr(n) for n in self.results)
        return (
            f"{len(self.results)} policies ({names}) on common random numbers, {first.paths:_} paths, "
            f"seed {first.seed}; mean over paths \u00b1 its Monte Carlo standard error; differences are "
            f"paired, policy minus {self.baseline!r}"
        )

    def __repr__(self) -> str:
        try:
            columns, rows = self._headline()
        except Exception:  # a repr must never raise (debuggers, logs)
            return f"<gridrisk.Comparison of {', '.join(map(repr, self.results))}>"
        k = len(self.results)
        tables = [
            text_table(
                [title, *(name for name, _ in part)],
                [[c, *(cells[j] for _, cells in part)] for j, c in enumerate(columns)],
                width=100,
            )
            for title, part in (("mean (unit)", rows[:k]), ("paired difference (unit)", rows[k:]))
            if part
        ]
        table = "\n\n".join(tables)
        lines = [f"<gridrisk.Comparison: {self._caption()}"]
        lines += [f"  {name}: {res.scenario.label}" for name, res in self.results.items()]
        return "\n".join(lines) + "\n" + table + ">"

    def _repr_html_(self) -> str:
        try:
            columns, rows = self._headline()
            policies = "".join(
                f"<li><b>{html.escape(name)}</b>: {html.escape(res.scenario.label)}"
                + "".join(
                    f"<br><code>{html.escape(f)}</code>: {html.escape(short_repr(a))} &rarr; "
                    f"{html.escape(short_repr(b))}"
                    for f, a, b in res.scenario.overrides
                )
                + "</li>"
                for name, res in self.results.items()
            )
            return (
                f'<div style="max-width:1000px"><p><b>gridrisk comparison</b>: {html.escape(self._caption())}.</p>'
                f"<ul>{policies}</ul>{_html_table('policy', columns, rows)}"
                '<p style="font-size:11px">Every output, with 95 % intervals: <code>.differences()</code>; '
                "each policy's statistics: <code>.summary()</code>.</p></div>"
            )
        except Exception:  # a display hook must never raise in a notebook
            return f"<pre>{html.escape(repr(self))}</pre>"


def _check_paths_seed(paths: int, seed: int | None) -> tuple[int, int]:
    paths = whole("paths", paths, 2, 2**60)
    seed = secrets.randbits(63) if seed is None else whole("seed", seed, 0, 2**64 - 1)
    return paths, seed


def _named_scenarios(scenarios: Any) -> list[tuple[str, Scenario]]:
    """``scenarios`` as (name, Scenario) pairs: a mapping or a sequence of pairs, names unique."""
    if isinstance(scenarios, Mapping):
        pairs = list(scenarios.items())
    elif isinstance(scenarios, Iterable) and not isinstance(scenarios, (str, bytes, Scenario)):
        pairs = []
        for item in scenarios:
            if not (isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2):
                raise ArgumentError(f"compare takes (name, Scenario) pairs; got the item {item!r}")
            pairs.append((item[0], item[1]))
    else:
        raise ArgumentError(
            "compare needs a mapping of names to scenarios, e.g. {'none': sc0, '2000MW': sc1}, "
            f"or a list of (name, scenario) pairs; got {type(scenarios).__name__}"
        )
    seen: set[str] = set()
    for name, sc in pairs:
        if not isinstance(name, str) or not name.strip():
            raise ArgumentError(f"policy names must be non-empty strings, got {name!r}")
        if name in seen:
            raise ArgumentError(f"the policy name {name!r} is given twice; each policy needs its own name")
        seen.add(name)
        if not isinstance(sc, Scenario):
            raise ArgumentError(f"scenarios[{name!r}] must be a gridrisk.Scenario, got {type(sc).__name__}")
    if len(pairs) < 2:
        raise ArgumentError(f"compare needs at least two named scenarios, got {len(pairs)}")
    months = {sc.months for _, sc in pairs}
    if len(months) > 1:
        raise ArgumentError("all scenarios must have the same horizon_months to be compared path by path")
    return pairs


def compare(
    scenarios: Mapping[str, Scenario] | Iterable[tuple[str, Scenario]],
    *,
    paths: int = 10_000,
    seed: int | None = None,
    threads: int | None = None,
    progress: bool | _progress.ProgressCallback | None = None,
    client: Any = None,
) -> Comparison:
    """Simulate several policies on common random numbers (the same draws of every driver).

    Parameters
    ----------
    scenarios : mapping of str to Scenario, or sequence of (str, Scenario) pairs
        Policies by name, e.g. ``{"none": sc0, "2000MW firm": sc1}`` or
        ``[("none", sc0), ("2000MW firm", sc1)]``; the first is the baseline of
        :meth:`Comparison.differences`. Only the policy should differ; scenarios whose drivers
        differ are still paired path by path, but then the comparison mixes policy and world.
        :attr:`Comparison.scenarios` shows what each one is.
    paths : int
        Paths per policy (at least 2).
    seed : int, optional
        Master seed shared by every policy (drawn and recorded if ``None``).
    threads, client
        As for :func:`gridrisk.simulate` (``client`` runs each policy on a Dask cluster).
    progress : bool or callable, optional
        As for :func:`gridrisk.simulate`, over all the policies' runs together: one line
        ``gridrisk compare`` whose time left is that of the whole comparison; a function
        receives ``(paths_done, paths_total)`` summed over the runs.

    Returns
    -------
    Comparison

    Raises
    ------
    ArgumentError
        For fewer than two policies, a name given twice or that is not a non-empty string,
        something that is not a Scenario, or different horizons.
    """
    pairs = _named_scenarios(scenarios)
    paths, seed = _check_paths_seed(paths, seed)
    with _progress.Runs(progress, len(pairs), paths, "gridrisk compare") as bar:
        results = {
            name: simulate(
                sc, paths=paths, seed=seed, threads=threads, keep_outputs=True, progress=bar.run(i), client=client
            )
            for i, (name, sc) in enumerate(pairs)
        }
    return Comparison(results)


@dataclass(frozen=True)
class Sweep:
    """A grid of policies on common random numbers.

    Attributes
    ----------
    table : DataFrame
        One row per combination: the swept parameters, then each figure followed by its Monte
        Carlo standard error: ``npv_mean`` and ``npv_se`` (PKR), ``p_npv_negative`` and
        ``p_npv_negative_se`` (probability), ``npv_loss_var95`` and ``npv_loss_cvar95``, the VaR
        and CVaR 95 % of the NPV loss (minus the NPV, PKR: positive = the state loses; the CVaR
        is the mean loss of the worst 5 % of paths), each with its ``_se``,
        ``circular_debt_mean`` and ``circular_debt_se`` (PKR), ``lole_with_h_per_year`` (hours
        a year) and ``miner_uptime_share`` with theirs, and ``on_frontier``: no other
        combination has both a higher expected NPV and a lower ``npv_loss_cvar95`` (the point
        estimates; two policies closer than their errors may swap places in another sample).
    """

    table: pd.DataFrame

    @property
    def frontier(self) -> pd.DataFrame:
        """The risk/return frontier: efficient combinations, by increasing ``npv_loss_cvar95``."""
        return self.table[self.table["on_frontier"]].sort_values("npv_loss_cvar95")

    @property
    def fields(self) -> list[str]:
        """The swept fields, in the order of the grid (the table's first columns)."""
        return list(self.table.columns[: list(self.table.columns).index("npv_mean")])

    @property
    def inert_fields(self) -> list[str]:
        """Swept fields that change no figure of the table.

        With the other fields held, every value of such a field gives the same numbers to the
        bit (common random numbers make that exact): a field of a load that never runs on these
        paths (a mining tariff when no fleet is built, say), or one the model does not read in
        this scenario. Fields swept over a single value are left out.
        """
        figures = [c for c in self.table.columns if c not in self.fields and c != "on_frontier"]
        inert = []
        for f in self.fields:
            if self.table[f].map(repr).nunique() < 2:
                continue
            others = [g for g in self.fields if g != f]
            groups = self.table.groupby([self.table[g].map(repr) for g in others]) if others else [(None, self.table)]
            if all((grp[figures].nunique(dropna=False) <= 1).all() for _, grp in groups):
                inert.append(f)
        return inert

    def display(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The table as people read it: text cells, money in PKR bn, shares in per cent.

        Parameters
        ----------
        columns : sequence of str, optional
            Which of :data:`SWEEP_COLUMNS` to show after the swept fields (default: all).

        Returns
        -------
        DataFrame
            One row per combination, every cell a string: the swept values as given, then every
            figure with its Monte Carlo standard error, to the error's precision (``"42.0 ±
            0.2"``): money in PKR bn, probabilities and shares in per cent; ``"yes"`` on the
            frontier. Column labels carry the units; no cell is ``NaN`` (``"n/a"``).
        """
        wanted = list(SWEEP_COLUMNS) if columns is None else list(columns)
        unknown = [c for c in wanted if c not in SWEEP_COLUMNS]
        if unknown:
            raise ArgumentError(f"unknown sweep columns {unknown}; choose from {', '.join(SWEEP_COLUMNS)}")
        _, bn = display_unit("", "PKR")
        out: dict[str, list[str]] = {f: [_exact(v) for v in self.table[f]] for f in self.fields}
        for c in wanted:
            out[SWEEP_COLUMNS[c]] = []
        # The factor from each figure's base unit to its display unit.
        scale = {"p_npv_negative": 100.0, "lole_with_h_per_year": 1.0, "miner_uptime_share": 100.0}
        for _, row in self.table.iterrows():
            for c in wanted:
                if c == "on_frontier":
                    cell = "yes" if row["on_frontier"] else ""
                else:
                    k = scale.get(c, bn)
                    # Tables saved before the errors were kept have none but the NPV's.
                    se = row.get(_se_column(c), math.nan)
                    cell = format_pm(row[c] * k, se * k)
                out[SWEEP_COLUMNS[c]].append(cell)
        return pd.DataFrame(out)

    def __repr__(self) -> str:
        try:
            shown = self.display()
            body = text_table(list(shown.columns), shown.to_numpy().tolist(), left=0, wrap=10)
        except Exception:  # a repr must never raise (debuggers, logs)
            return f"<gridrisk.Sweep of {len(self.table)} combinations>"
        note = _inert_note(self)
        return f"<gridrisk.Sweep of {len(self.table)} combinations of {', '.join(self.fields)}\n{body}" + (
            f"\n{note}>" if note else ">"
        )

    def _repr_html_(self) -> str:
        try:
            shown = self.display()
            rows = [(cells[0], cells[1:]) for cells in shown.to_numpy().tolist()]
            table = _html_table(shown.columns[0], list(shown.columns[1:]), rows)
            return (
                f'<div style="max-width:1000px"><p><b>gridrisk sweep</b>: {len(self.table)} combinations of '
                f"{html.escape(', '.join(self.fields))} on common random numbers; expected NPV \u00b1 its Monte "
                "Carlo standard error; the frontier: no other combination has both a higher expected NPV "
                f"and a lower CVaR 95 % of the NPV loss.</p>{table}{_inert_note(self, as_html=True)}</div>"
            )
        except Exception:  # a display hook must never raise in a notebook
            return f"<pre>{html.escape(repr(self))}</pre>"


def _inert_note(sw: Sweep, *, as_html: bool = False) -> str:
    """A sentence naming the swept fields that change no figure (empty when there are none)."""
    inert = sw.inert_fields
    if not inert:
        return ""
    names = ", ".join(inert)
    text = (
        f"{names} {'changes' if len(inert) == 1 else 'change'} no figure on these paths: every value gives "
        "the same numbers (a field of a load that never runs, or that the scenario does not read)."
    )
    return f"<p>{html.escape(text)}</p>" if as_html else text


#: The columns of :meth:`Sweep.display` after the swept fields, with their labels (units included).
SWEEP_COLUMNS: dict[str, str] = {
    "npv_mean": "Expected NPV (PKR bn)",
    "p_npv_negative": "P(NPV < 0) (% of paths)",
    "npv_loss_var95": "NPV loss, VaR 95 % (PKR bn)",
    "npv_loss_cvar95": "NPV loss, CVaR 95 % (PKR bn)",
    "circular_debt_mean": "Circular debt change, mean (PKR bn)",
    "lole_with_h_per_year": "Loss of load with the allocation (h/yr)",
    "miner_uptime_share": "Miners running (% of months)",
    "on_frontier": "On the frontier",
}


def _se_column(figure: str) -> str:
    """The column of a sweep figure's standard error (``npv_mean`` → ``npv_se``)."""
    return figure.removesuffix("_mean") + "_se"


def _exact(value: Any) -> str:
    """A swept value as given: numbers in full (no e-notation, no rounding), other values as text."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return short_repr(value)
    x = float(value)
    if not math.isfinite(x) or x == int(x):
        return format_number(x, 0)
    decimals = max(0, -math.floor(math.log10(abs(x)))) if abs(x) < 1 else 0
    while decimals < 15 and float(f"{x:.{decimals}f}") != x:
        decimals += 1
    return format_number(x, decimals)


def _plain(value: Any, depth: int = 0) -> Any:
    """NumPy scalars and arrays as Python numbers and lists (what a scenario field holds)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple) and depth < 8:
        return [_plain(v, depth + 1) for v in value]
    return value


def _grid_values(key: Any, values: Any) -> list[Any]:
    """The values of one swept field as a list: a list, tuple, range, NumPy array or iterable.

    A set (or frozenset) is refused: its order is arbitrary, and the table's rows follow it.
    """
    if isinstance(values, np.ndarray):
        if values.ndim == 0:
            raise ArgumentError(f"grid[{key!r}] must be a non-empty list of values, got a 0-d array")
        out = [_plain(v) for v in values]
    elif isinstance(values, AbstractSet):
        raise ArgumentError(
            f"grid[{key!r}] must be a list of values in the order wanted, got a {type(values).__name__} "
            f"(unordered); use sorted(...) or a list"
        )
    elif isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ArgumentError(f"grid[{key!r}] must be a non-empty list of values, got {type(values).__name__}")
    else:
        out = [_plain(v) for v in values]
    if not out:
        raise ArgumentError(f"grid[{key!r}] must be a non-empty list of values")
    return out


def _sweep_row(
    scenario: Scenario,
    overrides: dict[str, Any],
    paths: int,
    seed: int,
    threads: int | None,
    progress: _progress.ProgressCallback | bool,
    client: Any,
) -> dict[str, Any]:
    """One combination of a sweep: its fields, then each figure and its Monte Carlo error."""
    try:
        sc = scenario.replace(overrides)
    except ScenarioError as e:
        e.add_note(f"in sweep combination {overrides}")
        raise
    res = simulate(sc, paths=paths, seed=seed, threads=threads, progress=progress, client=client)
    s = res.summary()
    risk = res.risk()
    figures = {
        "npv_mean": s.loc["npv_pkr", ["mean", "se"]],
        "p_npv_negative": risk.loc["P(NPV < 0)", ["value", "se"]],
        "npv_loss_var95": risk.loc["VaR 95 % of the NPV loss", ["value", "se"]],
        "npv_loss_cvar95": risk.loc["CVaR 95 % of the NPV loss", ["value", "se"]],
        "circular_debt_mean": s.loc["circular_debt_change_pkr", ["mean", "se"]],
        "lole_with_h_per_year": s.loc["lole_with_h_per_year", ["mean", "se"]],
        "miner_uptime_share": s.loc["miner_uptime_share", ["mean", "se"]],
    }
    row: dict[str, Any] = dict(overrides)
    for name, (value, se) in figures.items():
        row[name] = float(value)
        row[_se_column(name)] = float(se)
    return row


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    *,
    paths: int = 10_000,
    seed: int | None = None,
    threads: int | None = None,
    progress: bool | _progress.ProgressCallback | None = None,
    client: Any = None,
) -> Sweep:
    """Simulate every combination of policy parameters on common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    grid : mapping of dotted field to sequence of values
        E.g. ``{"allocation.mining_mw": [0, 1000, 2000], "mining.tariff[1].base_pkr_per_kwh": [20, 30]}``;
        the values may be a list, tuple, range or NumPy array (NumPy scalars become numbers),
        not a set (its order is arbitrary).
    paths, seed, threads, progress, client
        As for :func:`compare` (the same seed for every combination; one progress line over
        all the combinations).

    Returns
    -------
    Sweep

    Raises
    ------
    ArgumentError
        If ``grid`` is not a mapping of fields to non-empty lists of values (a set is refused).
    ScenarioError
        If a combination is invalid (the combination is named in a note).
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentError("scenario must be a gridrisk.Scenario")
    if not isinstance(grid, Mapping) or not grid:
        raise ArgumentError("grid must map dotted field names to lists of values")
    keys = list(grid)
    values = [_grid_values(k, grid[k]) for k in keys]
    paths, seed = _check_paths_seed(paths, seed)
    rows = []
    combos = list(itertools.product(*values))
    with _progress.Runs(progress, len(combos), paths, "gridrisk sweep") as bar:
        for i, combo in enumerate(combos):
            rows.append(
                _sweep_row(scenario, dict(zip(keys, combo, strict=True)), paths, seed, threads, bar.run(i), client)
            )
    table = pd.DataFrame(rows)
    npv, cvar = table["npv_mean"].to_numpy(), table["npv_loss_cvar95"].to_numpy()
    dominated = np.array(
        [
            bool(np.any((npv >= npv[i]) & (cvar <= cvar[i]) & ((npv > npv[i]) | (cvar < cvar[i]))))
            for i in range(len(table))
        ]
    )
    table["on_frontier"] = ~dominated
    return Sweep(table)
