"""Tables to read: the results' tables in display units, each number with its error.

``Results.summary()`` and its siblings return plain DataFrames in base units (rupees, MWh) for
computation. ``Results.tables`` gives the same tables for reading: money in PKR bn (or USD m,
constant rupees, % of GDP on request), energy in GWh, every number next to its Monte Carlo
error ("42.0 ± 0.2"), units in the row or column labels, and no NaN or e-notation. Each is a
:class:`Table`: ``.data`` holds its numbers in display units (a DataFrame to compute with),
``.text`` the formatted strings; it shows itself as HTML in a notebook (``_repr_html_``), as a
pandas Styler (``.style``) and as plain text of a given width (``.to_text``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from gridrisk import units
from gridrisk._validate import choice

if TYPE_CHECKING:
    from gridrisk.results import Results
    from gridrisk.scenario import Scenario

__all__ = ["HEADLINE_OUTPUTS", "TABLE_CSS", "Table", "TableAccessor"]

#: The per-path outputs a summary shows unless asked for more (``outputs="all"``): the state's
#: accounts, who pays, households' supply and what the allocation brings in.
HEADLINE_OUTPUTS: tuple[str, ...] = (
    "npv_pkr",
    "net_flow_pkr_per_year",
    "worst_fiscal_year_net_flow_pkr",
    "circular_debt_change_pkr",
    "budget_subsidy_pkr",
    "consumers_charge_pkr",
    "tariff_revenue_pkr_per_year",
    "added_cost_pkr_per_year",
    "tax_expenditure_pkr_per_year",
    "reserve_value_pkr",
    "households_shed_h_per_day_increase",
    "eue_households_increase_mwh_per_year",
    "lole_base_h_per_year",
    "lole_with_h_per_year",
    "household_eue_cost_pkr_per_year",
    "datacenter_arrived_share",
    "mining_ever_built",
    "net_foreign_exchange_usd_per_year",
    "emissions_tco2_per_year",
)

#: Money options of the tables by fiscal year: ``"PKR bn"`` (nominal), ``"PKR bn (constant)"``
#: (prices of the fiscal year the run starts in), ``"USD m"`` and ``"% of GDP"`` (each year's).
FISCAL_MONEY: tuple[str, ...] = ("PKR bn", "PKR bn (constant)", "USD m", "% of GDP")

#: The tables' own style sheet; pages that embed several tables (the report) include it once.
TABLE_CSS = (
    "table.gr-table{border-collapse:collapse;font-size:13px;margin:0.4em 0 0.2em}"
    "table.gr-table caption{caption-side:top;text-align:left;font-weight:600;padding:0.2em 0}"
    "table.gr-table th,table.gr-table td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right;"
    "white-space:nowrap}"
    "table.gr-table th.gr-row,table.gr-table td.gr-row{text-align:left;white-space:normal}"
    "table.gr-table thead th{border-bottom:2px solid #444;vertical-align:bottom}"
    "p.gr-note{font-size:12px;color:#444;margin:0.1em 0 1em}"
)


@dataclass(frozen=True)
class Table:
    """A table for reading, with the numbers behind it.

    Attributes
    ----------
    data : DataFrame
        The numbers in display units, units in the labels or a ``unit`` column: what to
        compute with or export.
    text : DataFrame
        The same table formatted: thousands separators, a true minus sign, each value with its
        error, ``n/a`` where a value is undefined.
    title : str
        What the table shows.
    notes : tuple of str
        What the reader needs to read it right (what the ± means, units, definitions).
    """

    data: pd.DataFrame
    text: pd.DataFrame
    title: str
    notes: tuple[str, ...] = field(default=())

    @property
    def style(self) -> Any:
        """The formatted table as a pandas ``Styler`` (caption, left-aligned row labels)."""
        styler = self.text.style.set_caption(self.title)
        return styler.set_table_styles([{"selector": "th.row_heading", "props": "text-align:left"}])

    def to_html(self, *, css: bool = True) -> str:
        """A self-contained HTML table (a caption, the notes below it), escaped."""
        cols = self.text.columns
        names = [n for n in self.text.index.names if n is not None]
        head_rows = "".join(f"<th class='gr-row'>{html.escape(str(n))}</th>" for n in names) or "<th></th>"
        head = head_rows + "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
        body = []
        for idx, row in self.text.iterrows():
            keys = idx if isinstance(idx, tuple) else (idx,)
            cells = "".join(f"<td class='gr-row'>{html.escape(str(k))}</td>" for k in keys)
            cells += "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            body.append(f"<tr>{cells}</tr>")
        notes = "".join(f"<p class='gr-note'>{html.escape(n)}</p>" for n in self.notes)
        style = f"<style>{TABLE_CSS}</style>" if css else ""
        return (
            f"{style}<table class='gr-table'><caption>{html.escape(self.title)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{notes}"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self, width: int = 100) -> str:
        """The table as plain text, no line wider than ``width`` characters.

        When every column fits beside row labels of 24 characters, the labels get all the room
        left; otherwise they take up to 40 characters and the columns that do not fit continue in
        further blocks below, as pandas prints wide frames. A label too long for its column
        continues on the lines below its row, indented, so that no label is cut.
        The title and the notes are wrapped to the same width.

        Parameters
        ----------
        width : int
            The widest line, characters.

        Returns
        -------
        str
            The title, the table in one or more blocks of columns, and the notes.
        """
        import textwrap

        cols = [str(c) for c in self.text.columns]
        cells = [[str(v) for v in row] for row in self.text.itertuples(index=False)]
        widths = [max([len(c), *(len(r[k]) for r in cells)]) for k, c in enumerate(cols)]
        labels = [" / ".join(str(k) for k in idx) if isinstance(idx, tuple) else str(idx) for idx in self.text.index]
        longest = max((len(x) for x in labels), default=0)
        total = sum(w + 2 for w in widths)
        if total + min(longest, 24) <= width:
            label_w = min(longest, width - total)  # one block: labels get all the room left
        else:
            label_w = max(8, min(longest, 40, width - (max(widths, default=0) + 2)))
        blocks: list[list[int]] = [[]]
        used = label_w
        for k, w in enumerate(widths):
            if blocks[-1] and used + w + 2 > width:
                blocks.append([])
                used = label_w
            blocks[-1].append(k)
            used += w + 2

        # A cut label can lose the words that tell two rows apart ("... unserved energy" from
        # "... load-shedding"): long labels wrap onto continuation lines instead.
        wrapped = [
            textwrap.wrap(lab, label_w, subsequent_indent="  ", break_on_hyphens=False) or [""] for lab in labels
        ]
        lines = textwrap.wrap(self.title, width=width) or [""]
        for block in blocks:
            lines.append("")
            lines.append(" " * label_w + "".join("  " + cols[k].rjust(widths[k]) for k in block))
            for lab, row in zip(wrapped, cells, strict=True):
                lines.append(lab[0].ljust(label_w) + "".join("  " + row[k].rjust(widths[k]) for k in block))
                lines += lab[1:]
        if self.notes:
            lines.append("")
        for n in self.notes:
            lines += textwrap.wrap(n, width=width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()


def _scale(scenario: Scenario, name: str, unit: str, money: str) -> tuple[str, float]:
    """Display unit and factor for one row: money as asked, everything else as units says."""
    if unit.startswith("PKR at "):  # constant rupees of a named fiscal year
        shown, factor = units.money_scale(scenario, "PKR", money)
        return (unit.replace("PKR", "PKR bn", 1) if money == "PKR bn" else shown), factor
    if unit == "PKR of the first month":
        shown, factor = units.money_scale(scenario, "PKR", money)
        return (units.display_unit(name, unit)[0] if money == "PKR bn" else shown), factor
    if units.is_money(unit):
        return units.money_scale(scenario, unit, money)
    return units.display_unit(name, unit)


def _pct(p: Any, se: Any) -> str:
    """A probability in per cent with its error: ``"12.3 ± 1.1 %"``."""
    if p is None or not math.isfinite(float(p)):
        return units.UNDEFINED
    return units.format_pm(100 * float(p), 100 * float(se) if se is not None else math.nan) + " %"


def _decimals(err: float, *values: float) -> int | None:
    """Decimals for a row: from its Monte Carlo error, else three significant figures."""
    d = units.round_to_error(err) if math.isfinite(err) and err > 0 else -1
    if d >= 0:
        return d
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    return units.default_decimals(max(finite)) if finite else 0


#: The quantiles the summary and NPV tables show, with their column labels.
_SHOWN_QUANTILES = (("p5", "5 %"), ("p50", "median"), ("p95", "95 %"))

#: The summary and NPV tables' note on their quantiles.
_QUANTILE_NOTE = (
    "5 %, median, 95 %: quantiles over paths, each rounded to its own Monte Carlo standard error "
    "(the half-width of its distribution-free 95 % confidence interval over 1.96)."
)


class TableAccessor:
    """The tables of a :class:`~gridrisk.Results`, formatted for reading (``results.tables``)."""

    def __init__(self, results: Results) -> None:
        self._r = results

    # -- the summary of per-path outputs ----------------------------------------------------
    def summary(self, outputs: Sequence[str] | str | None = None, *, money: str = "PKR bn") -> Table:
        """The per-path outputs: mean ± standard error, 5 %, median, 95 %, P(adverse).

        Parameters
        ----------
        outputs : list of str, "all" or None
            Which outputs (ids of ``Results.outputs``); ``None`` gives the headline ones
            (:data:`HEADLINE_OUTPUTS`), ``"all"`` every output.
        money : {"PKR bn", "USD m", "% of GDP"}
            How money is shown. USD at the scenario's starting exchange rate; % of the GDP of
            the fiscal year the run starts in.

        Returns
        -------
        Table
            One row per output, labelled in words with its unit. ``P(adverse)`` is the share of
            paths on which the allocation makes the outcome worse than without it (for NPV a
            loss, for shedding an increase), where that has a natural zero.
        """
        money = choice("money", money, list(units.MONEY))
        r = self._r
        s = r.summary()
        if outputs is None:
            names = [n for n in HEADLINE_OUTPUTS if n in s.index]
        elif isinstance(outputs, str) and outputs == "all":
            names = list(s.index)
        else:
            names = [
                choice("output", str(o), list(s.index)) for o in ([outputs] if isinstance(outputs, str) else outputs)
            ]
        data_rows: dict[str, dict[str, Any]] = {}
        text_rows: dict[str, dict[str, str]] = {}
        for name in names:
            row = s.loc[name]
            unit, f = _scale(r.scenario, name, str(row["unit"]), money)
            mean, se = float(row["mean"]) * f, float(row["se"]) * f
            qs = {c: float(row[c]) * f for c, _ in _SHOWN_QUANTILES}
            ci = {c: float(row[f"{c}_ci95"]) * abs(f) for c, _ in _SHOWN_QUANTILES}
            d = _decimals(se, mean, *qs.values())
            data_rows[name] = {
                "mean": mean,
                "se": se,
                **{k: v for c in qs for k, v in ((c, qs[c]), (f"{c}_ci95", ci[c]))},
                "p_adverse": float(row["p_adverse"]),
                "p_adverse_se": float(row["p_adverse_se"]),
                "unit": unit,
                "better": row["better"],
            }
            text_rows[units.describe(name)] = {
                "unit": unit,
                "mean ± se": units.format_pm(mean, se, d),
                **{label: units.format_quantile(qs[c], ci[c], d) for c, label in _SHOWN_QUANTILES},
                "P(worse)": _pct(row["p_adverse"], row["p_adverse_se"]),
            }
        data = pd.DataFrame.from_dict(data_rows, orient="index")
        data.index.name = "output"
        text = pd.DataFrame.from_dict(text_rows, orient="index")
        text.index.name = "output"
        return Table(
            data,
            text,
            f"{r.scenario.label}: outcomes over the horizon, {r.paths:,} paths",
            (
                "mean ± se: the mean over paths and its Monte Carlo standard error. " + _QUANTILE_NOTE + " "
                "P(worse): the share of paths on which the allocation makes the outcome worse than "
                "without it (n/a: no natural zero).",
                _money_note(r.scenario, money),
            ),
        )

    # -- fiscal risk ---------------------------------------------------------------------------
    def risk(self, *, money: str = "PKR bn") -> Table:
        """The headline fiscal risks (``Results.risk``) with their errors, probabilities in %.

        Parameters
        ----------
        money : {"PKR bn", "USD m", "% of GDP"}
            How the value-at-risk figures are shown.
        """
        money = choice("money", money, list(units.MONEY))
        r = self._r
        df = r.risk()
        data_rows, text_rows = {}, {}
        for name, row in df.iterrows():
            value, se = float(row["value"]), float(row["se"])
            if row["unit"] == "probability":
                unit, f = "%", 100.0
                cell = _pct(value, se)
            else:
                unit, f = _scale(r.scenario, "", str(row["unit"]), money)
                cell = units.format_pm(value * f, se * f, _decimals(se * f, value * f))
            label = str(name).replace(" 0 PKR", " zero").replace(" PKR)", ")")
            data_rows[label] = {"value": value * f, "se": se * f, "unit": unit}
            text_rows[label if unit == "%" else f"{label} ({unit})"] = {"value ± se": cell}
        data = pd.DataFrame.from_dict(data_rows, orient="index")
        text = pd.DataFrame.from_dict(text_rows, orient="index")
        data.index.name = text.index.name = "fiscal risk"
        return Table(
            data,
            text,
            "Fiscal risk of the allocation",
            (
                "The NPV loss is minus the NPV: positive when the state loses. VaR 95 %: the loss "
                "exceeded on 5 % of paths; CVaR 95 %: the mean loss on those paths. ± is the Monte "
                "Carlo standard error.",
                _money_note(r.scenario, money),
            ),
        )

    # -- net present value ----------------------------------------------------------------------
    def npv(self) -> Table:
        """The NPV to the state in nominal and constant rupees and in % of GDP (``Results.npv_table``)."""
        r = self._r
        df = r.npv_table()
        data_rows, text_rows = {}, {}
        for name, row in df.iterrows():
            unit = str(row["unit"])
            shown, f = (unit, 1.0) if unit.startswith("%") else _scale(r.scenario, "", unit, "PKR bn")
            cols = ["mean", "se", *(k for c, _ in _SHOWN_QUANTILES for k in (c, f"{c}_ci95"))]
            vals = {c: float(row[c]) * f for c in cols}
            d = _decimals(vals["se"], vals["mean"], *(vals[c] for c, _ in _SHOWN_QUANTILES))
            data_rows[str(name)] = {**vals, "unit": shown}
            text_rows[shown if str(name).startswith("%") else f"{name} ({shown})"] = {
                "mean ± se": units.format_pm(vals["mean"], vals["se"], d),
                **{label: units.format_quantile(vals[c], vals[f"{c}_ci95"], d) for c, label in _SHOWN_QUANTILES},
            }
        data = pd.DataFrame.from_dict(data_rows, orient="index")
        text = pd.DataFrame.from_dict(text_rows, orient="index")
        data.index.name = text.index.name = "net present value"
        return Table(
            data,
            text,
            "Net present value of the allocation to the state",
            ("Discounted at the scenario's rate; ± is the Monte Carlo standard error. " + _QUANTILE_NOTE,),
        )

    # -- by fiscal year ---------------------------------------------------------------------------
    def fiscal_years(self, *, by: str = "payer", money: str = "PKR bn") -> Table:
        """Who gains and who pays, fiscal year by fiscal year (``Results.fiscal_year_table``).

        Parameters
        ----------
        by : {"payer", "channel", "load", "period"}
            The rows: see :meth:`Results.fiscal_year_table`.
        money : {"PKR bn", "PKR bn (constant)", "USD m", "% of GDP"}
            Nominal billions, billions at the prices of the fiscal year the run starts in,
            millions of dollars (at the starting rate), or per cent of each year's GDP.

        Returns
        -------
        Table
            Rows: the flows; columns: the complete fiscal years (July to June); each cell the
            mean of the year's total over paths with its Monte Carlo error.
        """
        money = choice("money", money, list(FISCAL_MONEY))
        r = self._r
        kind = {"PKR bn": "nominal", "PKR bn (constant)": "constant", "USD m": "nominal", "% of GDP": "pct_gdp"}[money]
        df = r.fiscal_year_table(unit=kind, by=by)
        if df.empty:
            empty = pd.DataFrame()
            return Table(empty, empty, "No complete fiscal year in the horizon", ())
        if money == "% of GDP":
            unit, f = "% of GDP", 1.0
        elif money == "USD m":
            unit, f = units.money_scale(r.scenario, "PKR", "USD m")
        else:
            base = str(df["unit"].iloc[0])
            unit = base.replace("PKR", "PKR bn", 1)
            f = 1e-9
        data = (df[["mean", "se", "p5", "p95"]].astype(float) * f).assign(
            p_positive=df["p_positive"], p_positive_se=df["p_positive_se"], unit=unit
        )
        years = list(dict.fromkeys(df.index.get_level_values(0)))
        flows = list(dict.fromkeys(df.index.get_level_values(1)))
        text = pd.DataFrame(index=pd.Index(flows, name=f"flow ({unit})"), columns=years, dtype=object)
        for (year, flow), row in data.iterrows():
            text.loc[flow, year] = units.format_pm(row["mean"], row["se"], _decimals(row["se"], row["mean"]))
        return Table(
            data,
            text,
            f"Fiscal flows by fiscal year (July to June), {unit}",
            (
                "Each cell: the mean over paths of the year's total, ± its Monte Carlo standard error. "
                "Positive is a gain to the state (for circular debt, an increase).",
                _money_note(r.scenario, money if money in units.MONEY else "PKR bn"),
            ),
        )

    # -- the NPV's parts ---------------------------------------------------------------------------
    def decomposition(self, *, by: str = "channel", money: str = "PKR bn") -> Table:
        """The NPV as a sum of parts (``Results.decomposition``), each with its error."""
        money = choice("money", money, list(units.MONEY))
        r = self._r
        df = r.decomposition(by=by)
        unit, f = units.money_scale(r.scenario, "PKR", money)
        data = df[["mean", "se"]].astype(float) * f
        data["unit"] = unit
        text = pd.DataFrame(
            {
                f"mean ± se ({unit})": [
                    units.format_pm(m, s, _decimals(s, m)) for m, s in zip(data["mean"], data["se"], strict=True)
                ]
            },
            index=pd.Index(list(df.index), name="part of the NPV"),
        )
        return Table(
            data,
            text,
            f"Net present value to the state by {by}",
            ("The parts add up to the total on every path; ± is the Monte Carlo standard error.",),
        )

    # -- load-shedding -------------------------------------------------------------------------------
    def shedding(self) -> Table:
        """Hours of load-shedding a day by feeder class, without and with the allocation.

        Returns
        -------
        Table
            One row per feeder class and one for all existing consumers: the class's share of
            the load, its hours a day without the allocation, the allocation's increase in hours
            a year and the extra energy shed, GWh a year, each ± its Monte Carlo standard error.
            ``Table.data`` (``Results.shedding()``) also has the hours with the allocation.
        """
        r = self._r
        df = r.shedding()
        text = pd.DataFrame(index=pd.Index([units.feeder_class(str(c)) for c in df.index], name="feeder class"))
        text["load share"] = [f"{100 * float(x):.1f} %" for x in df["load share"]]
        text["h/day without"] = [
            units.format_pm(m, s, _decimals(s, m))
            for m, s in zip(df["shed h/day, without"], df["± se (without)"], strict=True)
        ]
        # The allocation's increase is minutes a day: hours a year read better (as units does).
        text["increase, h/yr"] = [
            units.format_pm(365.25 * m, 365.25 * s, _decimals(365.25 * s, 365.25 * m))
            for m, s in zip(df["increase h/day"], df["± se (increase)"], strict=True)
        ]
        text["extra shed, GWh/yr"] = [
            units.format_pm(m, s, _decimals(s, m))
            for m, s in zip(df["extra shed GWh/yr"], df["± se (extra shed)"], strict=True)
        ]
        return Table(
            df,
            text,
            "Load-shedding of the existing consumers by feeder class",
            (
                "Mean hours a day over paths and months without the allocation, and the allocation's "
                "increase in hours a year. The increase is estimated on the same draws with and without "
                "the allocation, so its error is smaller than either level's.",
            ),
        )

    def adequacy(self) -> Table:
        """Loss-of-load hours and unserved energy a year, without and with the allocation."""
        df = self._r.adequacy()
        text = pd.DataFrame(index=pd.Index(list(df.index), name="case"))
        text["loss of load, h/yr"] = [
            units.format_pm(m, s, _decimals(s, m)) for m, s in zip(df["lole_h_per_year"], df["lole_se"], strict=True)
        ]
        gwh, gwh_se = df["eue_mwh_per_year"] / 1e3, df["eue_se"] / 1e3
        text["unserved energy, GWh/yr"] = [
            units.format_pm(m, s, _decimals(s, m)) for m, s in zip(gwh, gwh_se, strict=True)
        ]
        data = pd.DataFrame(
            {
                "lole_h_per_year": df["lole_h_per_year"],
                "lole_se": df["lole_se"],
                "eue_gwh_per_year": gwh,
                "eue_se": gwh_se,
            }
        )
        return Table(
            data,
            text,
            "Capacity adequacy: capacity and fuel shortfalls",
            ("Expected hours and energy a year; ± is the Monte Carlo standard error; n/a: not defined.",),
        )

    def new_loads(self, *, money: str = "PKR bn") -> Table:
        """What of the new loads arrived and paid, by fiscal year (``Results.new_loads``)."""
        money = choice("money", money, list(units.MONEY))
        r = self._r
        df = r.new_loads()
        if df.empty:
            empty = pd.DataFrame()
            return Table(empty, empty, "No complete fiscal year in the horizon", ())
        rows = []
        for (year, qty), row in df.iterrows():
            unit, f = _scale(r.scenario, "", str(row["unit"]), money)
            rows.append((year, f"{qty} ({unit})", float(row["mean"]) * f, float(row["se"]) * f, unit))
        data = pd.DataFrame(rows, columns=["fiscal year", "quantity", "mean", "se", "unit"]).set_index(
            ["fiscal year", "quantity"]
        )
        years = list(dict.fromkeys(y for y, *_ in rows))
        qtys = list(dict.fromkeys(q for _, q, *_ in rows))
        text = pd.DataFrame(index=pd.Index(qtys, name="quantity"), columns=years, dtype=object)
        for year, qty, m, s, _ in rows:
            text.loc[qty, year] = units.format_pm(m, s, _decimals(s, m))
        return Table(
            data,
            text,
            "The new loads by fiscal year",
            ("Mean over paths ± its Monte Carlo standard error.", _money_note(r.scenario, money)),
        )


def _money_note(scenario: Scenario, money: str) -> str:
    if money == "USD m":
        rate = units.format_number(float(scenario["fx.rate0_pkr_per_usd"]), 0)
        return f"Rupees translated to US dollars at the starting exchange rate, {rate} PKR/USD."
    if money == "% of GDP":
        return "Per cent of nominal GDP (economy.gdp_pkr, of the fiscal year the run starts in, or of each year)."
    return "PKR bn: billions of rupees, nominal unless said otherwise."
