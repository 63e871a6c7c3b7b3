"""Files for batch runs and a report that reads like a staff report.

:func:`write_outputs` writes a run's files: a JSON summary, per-path outputs, fan CSVs, PNG
figures and ``report.html``. :func:`html_report` is that report: a title and the scenario with its
overrides and uncertain parameters, key findings as sentences with their Monte Carlo errors,
tables by fiscal year, the figures, what the model leaves out, a methods appendix and the run's
provenance. It is one self-contained HTML file (figures embedded) that reads on a phone, prints
cleanly to PDF and needs no network. :func:`comparison_report`, :func:`sweep_report` and
:func:`sensitivity_report` are the same kind of page for policy comparisons, sweeps and Sobol
analyses.

Every file is written to a temporary name and renamed into place, so an error or Ctrl-C never
leaves a half-written file.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridrisk import units
from gridrisk._files import atomic_write
from gridrisk.findings import key_findings
from gridrisk.tables import TABLE_CSS, Table

if TYPE_CHECKING:
    from gridrisk.compare import Comparison, Sweep
    from gridrisk.results import Results
    from gridrisk.scenario import Scenario
    from gridrisk.sensitivity import Sensitivity

__all__ = ["comparison_report", "html_report", "sensitivity_report", "sweep_report", "write_outputs"]

#: Monthly metrics written as fan CSVs.
MAIN_FLOWS = (
    "fiscal.net_flow_pkr",
    "fiscal.circular_debt_flow_pkr",
    "grid.added_cost_pkr",
    "fiscal.tariff_revenue_pkr",
    "bitcoin.price_usd",
    "fx.pkr_per_usd",
    "mining.hashprice_usd_per_ph_day",
)

#: What the model leaves out, for the report's reader (docs/model.md section 11 has the full list).
LIMITATIONS: tuple[str, ...] = (
    "Load-shedding is national: feeder classes aggregate the distribution companies' loss bands under one "
    "national tariff; there are no zones or transmission corridors, and the economic rule compares each "
    "class's recovered revenue with the short-run fuel cost.",
    "Gas and RLNG supply are monthly energy limits; dispatch has no unit commitment, ramping or reserve "
    "requirement; costs use expected capacities while adequacy uses the exact outage table.",
    "The new loads: investors see one tariff and a Bitcoin price held where it is (or the last three months), "
    "with a hurdle rate and no option value of waiting; miners default on a fixed rule; data-centre phases "
    "arrive with one probability and correlation, which do not respond to their tariff (a sweep of that "
    "tariff changes their bills, not whether they come). These assumptions set how much of the allocation "
    "arrives.",
    "Who pays a shortfall follows declared shares, not the regulator's fuel-cost and quarterly adjustment "
    "machinery; the fuel-cost index is the system's marginal cost relative to its first month.",
    "Prices and GDP follow a deterministic path: a devaluation does not raise consumer prices, so constant-"
    "rupee and % of GDP figures do not react to it. The balance of payments counts fuel only.",
    "Parameter uncertainty covers the inputs an economics review calls decisive, each with a stated range; "
    "the incidence shares, correlations, outage rates and the value of lost load are point values.",
    "Dated stress tests are scenarios, not probabilities; the backcast of 2024-25 fuel costs finds the model "
    "too cheap by about a tenth.",
)

#: How the numbers are made, in a few paragraphs (docs/model.md gives every equation).
METHODS: tuple[str, ...] = (
    "Each Monte Carlo path draws monthly grid demand, fuel prices (Brent, LNG, coal), the PKR/USD exchange "
    "rate with devaluation jumps, the Bitcoin price (a jump-diffusion), the network's hashrate, transaction "
    "fees and hydro availability, correlated through one matrix; and, where the scenario declares them, its "
    "own values of the uncertain parameters. Every random stream is keyed by the seed and the path, so a run "
    "is reproducible to the bit whatever the threads or machines.",
    "On each path and month the power system is dispatched with and without the new loads: the merit-order "
    "cost of the loads that arrived, the marginal cost, and the load-shedding households live, computed "
    "exactly given the drivers (the outage table's capacity shortfall, the gas and RLNG limits, the network's "
    "deliverable load and the feeder rules). The state's accounts are then settled: tariffs as dated regimes, "
    "taxes and surcharges, who pays the gap (the budget, the other consumers, circular debt), the reserve.",
    "Statistics stream as the paths run: exact means and variances, and quantile sketches with a relative "
    "accuracy of {sketch}. The error next to a mean is its Monte Carlo standard error (the standard "
    "deviation over paths divided by the square root of the number of paths); a probability's error is "
    "binomial. Sobol indices are estimated by pick-freeze on the engine's random streams.",
)

_PAGE_CSS = (
    "body{font-family:Georgia,'Times New Roman',serif;color:#1a1a1a;max-width:1080px;margin:0 auto;"
    "padding:0 16px 3em;line-height:1.45}"
    "h1{font-size:1.7em;margin:1em 0 0.2em;line-height:1.2}h2{font-size:1.3em;margin:1.6em 0 0.4em;"
    "border-bottom:1px solid #bbb;padding-bottom:0.15em}h3{font-size:1.08em;margin:1.2em 0 0.3em}"
    "p.sub{color:#555;margin:0 0 1em;font-size:0.95em}"
    "ul.findings li{margin:0.35em 0}ul.findings b{font-weight:600}"
    ".wrap{overflow-x:auto;max-width:100%}"
    "table.gr-table{font-family:'Helvetica Neue',Arial,sans-serif}"
    "figure{margin:1em 0;break-inside:avoid}figure img{max-width:100%;height:auto;display:block}"
    "figcaption{font-size:0.9em;color:#444;margin-top:0.3em}"
    "pre{white-space:pre-wrap;word-break:break-word;font-size:12px;background:#f6f6f6;padding:8px}"
    "dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:0.95em}"
    "dl.prov dt{font-weight:600}dl.prov dd{margin:0;overflow-wrap:anywhere}"
    "@media (max-width:640px){body{font-size:15px;padding:0 10px}h1{font-size:1.35em}"
    "dl.prov{grid-template-columns:1fr}}"
    "@media print{body{max-width:none;font-size:11pt}.wrap{overflow:visible}a{color:inherit}"
    "h2{break-after:avoid}table.gr-table,figure{break-inside:avoid}details>summary{display:none}"
    # On paper a table cannot scroll: smaller type, and cells that wrap at their "±" if need be.
    "table.gr-table{font-size:7.5pt}table.gr-table th,table.gr-table td{white-space:normal;padding:2px 4px}"
    "details{display:block}}"
)


def _json_safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _png(draw: Callable[[Any], Any], *, size: tuple[float, float] = (8.0, 4.5)) -> bytes:
    """One figure drawn by ``draw(ax)`` as PNG bytes (Agg backend, 100 dpi)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        return buf.getvalue()
    finally:
        plt.close(fig)


#: The report's figures: file stem -> caption. Drawn by :func:`_figures`.
FIGURES: dict[str, str] = {
    "npv_histogram": "Distribution of the net present value to the state over paths, with the adverse tail marked.",
    "npv_exceedance": "Probability of a net present value this low or lower.",
    "npv_waterfall": "The expected net present value built up from its channels, with 95 % Monte Carlo intervals.",
    "fan_fiscal.net_flow_pkr": "Net fiscal flow to the state month by month: median and central bands over paths.",
    "fan_fiscal.circular_debt_flow_pkr": "Circular-debt flow caused by the allocation, month by month.",
    "fan_grid.added_cost_pkr": "Generation cost of the new loads, month by month.",
    "load_shedding_by_feeder_class": "Hours of load-shedding a day by feeder class, without and with the allocation.",
}


def _figures(results: Results, sensitivity: Sensitivity | None = None) -> dict[str, bytes]:
    from gridrisk import plot

    draws: dict[str, Callable[[Any], Any]] = {
        "npv_histogram": lambda ax: plot.histogram(results, "npv_pkr", ax=ax),
        "npv_exceedance": lambda ax: plot.exceedance(results, "npv_pkr", ax=ax),
        "npv_waterfall": lambda ax: plot.waterfall(results, ax=ax),
        "fan_fiscal.net_flow_pkr": lambda ax: plot.fan_chart(results, "fiscal.net_flow_pkr", ax=ax),
        "fan_fiscal.circular_debt_flow_pkr": lambda ax: plot.fan_chart(results, "fiscal.circular_debt_flow_pkr", ax=ax),
        "fan_grid.added_cost_pkr": lambda ax: plot.fan_chart(results, "grid.added_cost_pkr", ax=ax),
        "load_shedding_by_feeder_class": lambda ax: plot.shedding(results, ax=ax),
    }
    if sensitivity is not None:
        draws["sobol"] = lambda ax: plot.sobol_bars(sensitivity.indices, output=sensitivity.output, ax=ax)
    return {name: _png(draw) for name, draw in draws.items()}


def _overrides(results: Results) -> list[dict[str, Any]]:
    """The scenario's overrides of its origin (preset, file or dict), JSON-safe."""
    return [
        {"field": field, "origin_value": _json_value(old), "value": _json_value(new)}
        for field, old, new in results.scenario.overrides
    ]


def _json_value(x: Any) -> Any:
    if isinstance(x, float):
        return _json_safe(x)
    if isinstance(x, (list, tuple)):
        return [_json_value(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _json_value(v) for k, v in x.items()}
    return x


def _value_text(x: Any) -> str:
    """A scenario value as a reader sees it: numbers formatted, lists and tables shortened."""
    if isinstance(x, bool) or x is None:
        return str(x).lower()
    if isinstance(x, (int, float)):
        return units.format_short(float(x))
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_value_text(v) for v in list(x)[:6])
        return f"[{inner}{', …' if len(x) > 6 else ''}]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k} = {_value_text(v)}" for k, v in list(x.items())[:4]) + "}"
    return str(x)


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _wrap(table_html: str) -> str:
    """A table in a box that scrolls on its own when the page is narrower than the table."""
    return f"<div class='wrap'>{table_html}</div>"


def _text_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], note: str = "") -> str:
    # Words, not numbers: every cell left-aligned and wrapping, so long sources fit the page.
    cells = "".join("<tr>" + "".join(f"<td class='gr-row'>{_esc(v)}</td>" for v in r) + "</tr>" for r in rows)
    head = "".join(f"<th class='gr-row'>{_esc(h)}</th>" for h in header)
    foot = f"<p class='gr-note'>{_esc(note)}</p>" if note else ""
    return _wrap(
        f"<table class='gr-table'><caption>{_esc(title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{cells}</tbody></table>{foot}"
    )


def _scenario_section(scenario: Scenario) -> str:
    parts = ["<h2>The scenario</h2>"]
    d = scenario.to_dict()
    alloc = d.get("allocation", {})
    start, months = d["simulation"]["start"], int(d["simulation"]["horizon_months"])
    parts.append(
        f"<p>Scenario <b>{_esc(scenario.label)}</b>, from {_esc(scenario.origin)}: "
        f"{units.format_number(float(alloc.get('mining_mw', 0)), 0)} MW allocated to Bitcoin mining and "
        f"{units.format_number(float(alloc.get('datacenter_mw', 0)), 0)} MW to data centres, simulated for "
        f"{months} months from {_esc(start)}.</p>"
    )
    if scenario.overrides:
        parts.append(
            _text_table(
                f"Changes from {scenario.origin}",
                ["field", f"in {scenario.origin}", "in this run"],
                [(f, _value_text(old), _value_text(new)) for f, old, new in scenario.overrides],
            )
        )
    else:
        parts.append(f"<p>The scenario is {_esc(scenario.origin)} as shipped: no overrides.</p>")
    unc = scenario.uncertain
    if len(unc):
        rows = []
        for group, g in unc.groupby("group", sort=False):
            fields = list(g.index)
            name = fields[0] + (f" and {len(fields) - 1} more" if len(fields) > 1 else "")
            # The first field's range: fields of one group may have different ones.
            lo, hi = float(g["low"].iloc[0]), float(g["high"].iloc[0])
            rows.append(
                (
                    group,
                    name,
                    str(g["dist"].iloc[0]).replace("_", " "),
                    f"{_value_text(lo)} to {_value_text(hi)}",
                    str(g["source"].iloc[0]),
                )
            )
        parts.append(
            _text_table(
                "Uncertain parameters: each path draws its own",
                ["group", "fields", "distribution", "range", "source"],
                rows,
                "The source column gives where each range comes from (docs/calibration.md, 'Parameter uncertainty').",
            )
        )
    stresses = d.get("stress", [])
    if stresses:
        parts.append(
            _text_table(
                "Dated stress tests applied",
                ["name", "driver", "from", "months"],
                [
                    (s.get("name", s["driver"]), s["driver"], s.get("start", ""), _value_text(s.get("months", "")))
                    for s in stresses
                ],
            )
        )
    return "\n".join(parts)


def _figure(name: str, png: bytes, caption: str) -> str:
    b64 = base64.b64encode(png).decode("ascii")
    return (
        f"<figure><img alt='{_esc(caption)}' src='data:image/png;base64,{b64}' width='800' height='450'>"
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _table(t: Table) -> str:
    return _wrap(t.to_html(css=False))


def _page(title: str, body: Sequence[str]) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        # The page rules come last so that its print rules override the tables' own.
        f"<title>{_esc(title)}</title><style>{TABLE_CSS}{_PAGE_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>"
    )


def _provenance(rows: Sequence[tuple[str, str]], toml: str | None = None) -> str:
    items = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in rows)
    out = f"<h2>Provenance</h2><dl class='prov'>{items}</dl>"
    if toml is not None:
        out += f"<details><summary>The scenario as run (TOML)</summary><pre>{_esc(toml)}</pre></details>"
    return out


def _limitations() -> str:
    items = "".join(f"<li>{_esc(x)}</li>" for x in LIMITATIONS)
    return (
        "<h2>Assumptions and what the model leaves out</h2>"
        f"<ul>{items}</ul><p>The full list is in docs/model.md, section 11 (Known limitations); "
        "docs/calibration.md gives the source of every number of the default scenario.</p>"
    )


def _methods() -> str:
    from gridrisk import _core

    sketch = f"{units.format_short(100 * float(_core.SKETCH_RELATIVE_ACCURACY))} %"
    return "<h2>Appendix: methods</h2>" + "".join(f"<p>{_esc(p.format(sketch=sketch))}</p>" for p in METHODS)


def html_report(
    results: Results,
    *,
    sensitivity: Sensitivity | None = None,
    figures: dict[str, bytes] | None = None,
) -> str:
    """A self-contained HTML report of a run, laid out like a staff report.

    Parameters
    ----------
    results : Results
        The run.
    sensitivity : Sensitivity, optional
        A Sobol analysis of the same scenario: adds what drives the risk (a finding, a table and
        a figure).
    figures : dict of str to bytes, optional
        PNG figures already drawn (a caller that writes them as files passes them in rather
        than drawing them twice); drawn here when ``None``.

    Returns
    -------
    str
        One HTML page: title, key findings, scenario, tables, figures, limitations, methods and
        provenance. Figures are embedded; the page reads at phone width and prints to PDF.
    """
    r = results
    figs = _figures(r, sensitivity) if figures is None else figures
    sc = r.scenario
    d = sc.to_dict()
    mw = float(d["allocation"].get("mining_mw", 0)) + float(d["allocation"].get("datacenter_mw", 0))
    title = (
        f"Fiscal and reliability risk of allocating {units.format_number(mw, 0)} MW to Bitcoin mining and data centres"
    )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%d %B %Y")
    body = [
        f"<h1>{_esc(title)}</h1>",
        f"<p class='sub'>{_esc(sc.label)} · {r.paths:,} Monte Carlo paths · {r.stats.months} months from "
        f"{_esc(str(r.months[0]))} · seed {r.seed} · gridrisk {_esc(r.version)} · {stamp}</p>",
        "<h2>Key findings</h2><ul class='findings'>",
        *(f"<li><b>{_esc(f.topic.capitalize())}.</b> {_esc(f.text)}</li>" for f in key_findings(r, sensitivity)),
        "</ul><p class='gr-note'>Each ± is a Monte Carlo standard error: the run's own sampling error, not "
        "the uncertainty of the model.</p>",
        _scenario_section(sc),
        "<h2>Fiscal impact</h2>",
        _table(r.tables.npv()),
        _table(r.tables.risk()),
    ]

    def fig(name: str) -> None:
        if name in figs:
            body.append(_figure(name, figs[name], FIGURES.get(name, "Sobol indices of the net present value.")))

    fig("npv_histogram")
    fig("npv_exceedance")
    fig("npv_waterfall")
    body.append(_table(r.tables.decomposition()))
    body.append("<h2>By fiscal year: who gains and who pays</h2>")
    if r.fiscal_years:
        body += [
            _table(r.tables.fiscal_years(by="payer")),
            _table(r.tables.fiscal_years(by="payer", money="% of GDP")),
            _table(r.tables.fiscal_years(by="channel")),
        ]
    else:
        body.append("<p>The horizon holds no complete fiscal year (July to June).</p>")
    fig("fan_fiscal.net_flow_pkr")
    fig("fan_fiscal.circular_debt_flow_pkr")
    fig("fan_grid.added_cost_pkr")
    body += [
        "<h2>Load-shedding and reliability</h2>",
        _table(r.tables.shedding()),
    ]
    fig("load_shedding_by_feeder_class")
    body.append(_table(r.tables.adequacy()))
    body.append("<h2>The new loads</h2>")
    if r.fiscal_years:
        body.append(_table(r.tables.new_loads()))
    body.append(_table(r.tables.summary()))
    if sensitivity is not None:
        body.append("<h2>What drives the risk</h2>")
        body.append(_table(sensitivity.table()))
        fig("sobol")
    body += [
        _limitations(),
        _methods(),
        _provenance(
            [
                ("gridrisk version", r.version),
                ("scenario", f"{sc.label} (from {sc.origin})"),
                ("seed", str(r.seed)),
                ("paths", f"{r.paths:,} (global indices {r.path_range[0]:,} to {r.path_range[1]:,})"),
                ("scenario fingerprint", str(int(r.stats.fingerprint))),
                ("wall time", f"{r.wall_time_s:,.1f} s"),
                ("written", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")),
            ],
            sc.to_toml(),
        ),
    ]
    return _page(f"gridrisk: {sc.label}", body)


def sensitivity_report(sen: Sensitivity, scenario: Scenario) -> str:
    """A self-contained HTML page of a Sobol analysis: table, figure, methods and provenance.

    Parameters
    ----------
    sen : Sensitivity
        The result of :func:`gridrisk.sensitivity`.
    scenario : Scenario
        The scenario it analysed.
    """
    from gridrisk import __version__, plot

    png = _png(lambda ax: plot.sobol_bars(sen.indices, output=sen.output, ax=ax))
    body = [
        f"<h1>What drives the {_esc(units.describe(sen.output).lower())}</h1>",
        f"<p class='sub'>{_esc(scenario.label)} · Sobol indices by pick-freeze, {sen.paths:,} paths per run · "
        f"seed {sen.seed} · gridrisk {_esc(__version__)}</p>",
        _scenario_section(scenario),
        "<h2>Sobol indices</h2>",
        _table(sen.table()),
        _figure("sobol", png, "First- and total-order Sobol indices with 95 % bootstrap intervals."),
        _methods(),
        _provenance(
            [("gridrisk version", __version__), ("seed", str(sen.seed)), ("paths per run", f"{sen.paths:,}")],
            scenario.to_toml(),
        ),
    ]
    return _page(f"gridrisk sensitivity: {scenario.label}", body)


def _policy_figure(cmp: Comparison) -> bytes:
    """Each policy's expected NPV and households' extra shedding, with 95 % Monte Carlo intervals."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import StrMethodFormatter

    names = list(cmp.results)
    panels = (
        ("npv_pkr", 1e-9, "Expected NPV to the state (PKR bn)"),
        ("households_shed_h_per_day_increase", 365.25, "Households' extra load-shedding (h/yr)"),
    )
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 0.9 + 0.55 * len(names)), sharey=True)
    try:
        for ax, (output, factor, label) in zip(axes, panels, strict=True):
            means = [float(cmp.results[n].summary().loc[output, "mean"]) * factor for n in names]
            errs = [1.96 * float(cmp.results[n].summary().loc[output, "se"]) * factor for n in names]
            errs = [e if math.isfinite(e) else 0.0 for e in errs]
            ax.barh(range(len(names)), means, xerr=errs, color="tab:blue", alpha=0.75, capsize=3)
            ax.axvline(0.0, color="black", lw=0.8)
            ax.set_xlabel(label)
            ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.3g}"))
            ax.grid(True, axis="x", alpha=0.3)
        axes[0].set_yticks(range(len(names)), names)
        axes[0].invert_yaxis()
        fig.suptitle("The policies side by side (error bars: 95 % Monte Carlo intervals)", fontsize=11)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        return buf.getvalue()
    finally:
        plt.close(fig)


def comparison_report(cmp: Comparison) -> str:
    """A self-contained HTML page of a policy comparison on common random numbers.

    The comparison's own HTML (its policies named, differences with their paired errors) with a
    title, the policies' scenarios, methods and provenance.
    """
    from gridrisk import __version__

    policies = list(cmp.results)
    first = cmp.results[cmp.baseline]
    body = [
        f"<h1>Policies compared: {_esc(', '.join(policies))}</h1>",
        f"<p class='sub'>Common random numbers, seed {first.seed}, {first.paths:,} paths per policy · baseline "
        f"{_esc(cmp.baseline)} · gridrisk {_esc(__version__)}</p>",
        _wrap(cmp._repr_html_()),
        _figure("policies", _policy_figure(cmp), "Expected NPV and households' extra load-shedding by policy."),
        "<h2>The policies' scenarios</h2>",
        *(
            _scenario_section(res.scenario).replace("<h2>The scenario</h2>", f"<h3>{_esc(name)}</h3>")
            for name, res in cmp.results.items()
        ),
        _methods(),
        _provenance(
            [("gridrisk version", __version__), ("seed", str(first.seed)), ("paths per policy", f"{first.paths:,}")]
        ),
    ]
    return _page("gridrisk: policies compared", body)


def sweep_report(
    sw: Sweep, *, scenario: Scenario | None = None, seed: int | None = None, paths: int | None = None
) -> str:
    """A self-contained HTML page of a policy sweep: the table, the frontier figure, provenance.

    Parameters
    ----------
    sw : Sweep
        The result of :func:`gridrisk.sweep`.
    scenario : Scenario, optional
        The swept scenario (shown with its overrides).
    seed, paths : int, optional
        The sweep's seed and paths per combination, for the provenance.
    """
    from gridrisk import __version__, plot

    png = _png(lambda ax: plot.frontier(sw, ax=ax))
    facts = [("gridrisk version", __version__)]
    if seed is not None:
        facts.append(("seed", str(seed)))
    if paths is not None:
        facts.append(("paths per policy", f"{paths:,}"))
    body = [
        "<h1>Risk and return of the swept policies</h1>",
        f"<p class='sub'>{len(sw.table):,} policies on common random numbers · gridrisk {_esc(__version__)}</p>",
        *([_scenario_section(scenario)] if scenario is not None else []),
        _wrap(sw._repr_html_()),
        _figure("frontier", png, "Expected NPV against the CVaR 95 % of the NPV loss; the frontier joined."),
        _methods(),
        _provenance(facts, scenario.to_toml() if scenario is not None else None),
    ]
    return _page("gridrisk: policy sweep", body)


#: Quantiles over paths in each ``fan_<metric>.csv`` of :func:`write_outputs`.
_FAN_CSV_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def write_outputs(
    results: Results, out_dir: str | os.PathLike[str], *, sensitivity: Sensitivity | None = None
) -> list[Path]:
    """Write the batch outputs of a run into ``out_dir`` (created if needed).

    ``summary.json`` (run facts, risk and summary, base units, the fan CSVs' units),
    ``tables.txt`` (the formatted tables), ``paths.parquet`` (per-path outputs, when kept;
    ``paths.csv`` if pyarrow is missing), ``fan_<metric>.csv`` for the main flows,
    ``<figure>.png`` and ``report.html``
    (figures embedded), plus ``scenario.toml`` and ``results.zip`` (:meth:`Results.save`).
    With ``sensitivity``, the report says what drives the risk. Returns the files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    risk, summary, figs = results.risk(), results.summary(), _figures(results, sensitivity)
    facts = {
        "scenario": results.scenario.label,
        "scenario_origin": results.scenario.origin,
        "overrides": _overrides(results),
        "seed": results.seed,
        "path_range": list(results.path_range),
        "gridrisk_version": results.version,
        "wall_time_s": results.wall_time_s,
        "findings": {f.topic: f.text for f in key_findings(results, sensitivity)},
        "risk": {
            k: {c: (_json_safe(v) if isinstance(v, float) else v) for c, v in row.items()} for k, row in risk.iterrows()
        },
        "summary": {
            k: {c: (_json_safe(v) if isinstance(v, float) else v) for c, v in row.items()}
            for k, row in summary.iterrows()
        },
        # The fan CSVs hold numbers only: their unit is here (a monthly flow is per month).
        "fans": {
            f"fan_{metric}.csv": {"metric": metric, "unit": results.unit(metric), "quantiles": list(_FAN_CSV_QUANTILES)}
            for metric in MAIN_FLOWS
        },
    }
    written.append(atomic_write(out / "summary.json", json.dumps(facts, indent=2)))
    tables = [results.tables.summary("all"), results.tables.risk(), results.tables.npv(), results.tables.shedding()]
    if results.fiscal_years:
        tables += [results.tables.fiscal_years(by=by) for by in ("payer", "channel", "load", "period")]
    written.append(atomic_write(out / "tables.txt", "\n\n\n".join(t.to_text(width=100) for t in tables) + "\n"))
    written.append(atomic_write(out / "scenario.toml", results.scenario.to_toml()))
    written.append(results.save(out / "results.zip"))
    if results._paths is not None:
        df = results.to_pandas()
        try:
            import pyarrow  # noqa: F401

            buf = io.BytesIO()
            df.to_parquet(buf)
            written.append(atomic_write(out / "paths.parquet", buf.getvalue()))
        except ImportError:
            written.append(atomic_write(out / "paths.csv", df.to_csv()))
    for metric in MAIN_FLOWS:
        fan = results.fan(metric, quantiles=_FAN_CSV_QUANTILES)
        written.append(atomic_write(out / f"fan_{metric}.csv", fan.to_csv()))
    for name, png in figs.items():
        written.append(atomic_write(out / f"{name}.png", png))
    written.append(atomic_write(out / "report.html", html_report(results, sensitivity=sensitivity, figures=figs)))
    return written
