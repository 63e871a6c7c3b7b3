"""Files for batch runs: JSON summary, per-path table, fan CSVs, PNG plots, HTML report.

Every file is written to a temporary name and renamed into place, so an error or Ctrl-C never
leaves a half-written file; the HTML report is self-contained (plots embedded).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from gridrisk._files import atomic_write
from gridrisk.results import Results

__all__ = ["html_report", "write_outputs"]

#: Monthly metrics written as fan CSVs and plotted.
MAIN_FLOWS = (
    "fiscal.net_flow_pkr",
    "fiscal.circular_debt_flow_pkr",
    "grid.added_cost_pkr",
    "fiscal.tariff_revenue_pkr",
    "bitcoin.price_usd",
    "fx.pkr_per_usd",
    "mining.hashprice_usd_per_ph_day",
)


def _json_safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _png(draw: Callable[[Any], Any]) -> bytes | None:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        return buf.getvalue()
    finally:
        plt.close(fig)


def _fan(results: Results, metric: str, ax: Any) -> Any:
    from gridrisk import plot

    return plot.fan_chart(results, metric, ax=ax)


def _plots(results: Results) -> dict[str, bytes]:
    from gridrisk import plot

    out: dict[str, bytes] = {}
    draws: dict[str, Callable[[Any], Any]] = {
        "npv_histogram": lambda ax: plot.histogram(results, "npv_pkr", ax=ax),
        "npv_exceedance": lambda ax: plot.exceedance(results, "npv_pkr", ax=ax),
        "load_shedding_by_feeder_class": lambda ax: plot.shedding(results, ax=ax),
    }
    for metric in MAIN_FLOWS[:4]:
        draws[f"fan_{metric}"] = functools.partial(_fan, results, metric)
    for name, draw in draws.items():
        png = _png(draw)
        if png is not None:
            out[name] = png
    return out


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


def _overrides_html(results: Results) -> str:
    rows = results.scenario.overrides
    if not rows:
        return "<p>Scenario as shipped: no overrides.</p>"
    cells = "".join(
        f"<tr><td style='text-align:left'>{html.escape(field)}</td><td>{html.escape(repr(old))}</td>"
        f"<td>{html.escape(repr(new))}</td></tr>"
        for field, old, new in rows
    )
    return (
        f"<h2>Overrides of {html.escape(results.scenario.origin)}</h2><table><tr><th>field</th>"
        f"<th>value in {html.escape(results.scenario.origin)}</th><th>value in this run</th></tr>{cells}</table>"
    )


def html_report(
    results: Results,
    *,
    risk: pd.DataFrame | None = None,
    summary: pd.DataFrame | None = None,
    plots: dict[str, bytes] | None = None,
) -> str:
    """A self-contained HTML page: run facts, risk, summary, load-shedding, adequacy and plots (embedded).

    ``risk``, ``summary`` and ``plots`` are computed from ``results`` unless given (a caller that
    already has them passes them in rather than computing them twice).
    """
    risk = results.risk() if risk is None else risk
    summary = results.summary() if summary is None else summary
    plots = _plots(results) if plots is None else plots
    fmt = {"float_format": lambda x: f"{x:,.4g}"}
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>gridrisk report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}</style></head><body>",
        f"<h1>gridrisk: {html.escape(results.scenario.label)}</h1>",
        f"<p>{html.escape(repr(results))}</p>",
        _overrides_html(results),
        "<h2>Fiscal risk (NPV loss = minus the NPV; circular debt on its high tail)</h2>",
        risk.to_html(**fmt),
        "<h2>Per-path outputs</h2>",
        summary.to_html(**fmt),
        "<h2>Reliability</h2>",
        "<h3>Load-shedding of the existing consumers by feeder class</h3>",
        results.shedding().to_html(**fmt),
        "<h3>Their shed energy by cause</h3>",
        results.shedding_by_cause().to_html(**fmt),
        "<h3>What the feeder rules' shedding saves the power sector</h3>",
        results.shedding_accounts().to_html(**fmt),
        "<h3>Capacity adequacy (the outage table: capacity and fuel shortfalls)</h3>",
        results.adequacy().to_html(**fmt),
        "<h2>The new loads</h2>",
        "<h3>By fiscal year: what arrived, the capital it brought and the miners' bad debt</h3>",
        results.new_loads().to_html(**fmt),
        "<h3>Given what arrived</h3>",
        results.given_summary().to_html(**fmt),
        "<h2>Plots</h2>",
    ]
    for name, png in plots.items():
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(f"<h3>{html.escape(name)}</h3><img alt='{html.escape(name)}' src='data:image/png;base64,{b64}'>")
    if not plots:
        parts.append("<p>(matplotlib is not installed: pip install 'gridrisk[plot]')</p>")
    parts.append("<h2>Scenario</h2><pre>" + html.escape(results.scenario.to_toml()) + "</pre></body></html>")
    return "\n".join(parts)


def write_outputs(results: Results, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the batch outputs of a run into ``out_dir`` (created if needed).

    ``summary.json`` (run facts, risk and summary), ``paths.parquet`` (per-path outputs, when kept;
    ``paths.csv`` if pyarrow is missing), ``fan_<metric>.csv`` for the main flows, ``<plot>.png``
    (with matplotlib) and ``report.html`` (plots embedded), plus ``scenario.toml`` and
    ``results.zip`` (:meth:`Results.save`). Returns the files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    risk, summary, plots = results.risk(), results.summary(), _plots(results)
    facts = {
        "scenario": results.scenario.label,
        "scenario_origin": results.scenario.origin,
        "overrides": _overrides(results),
        "seed": results.seed,
        "path_range": list(results.path_range),
        "gridrisk_version": results.version,
        "wall_time_s": results.wall_time_s,
        "risk": {
            k: {c: (_json_safe(v) if isinstance(v, float) else v) for c, v in row.items()} for k, row in risk.iterrows()
        },
        "summary": {
            k: {c: (_json_safe(v) if isinstance(v, float) else v) for c, v in row.items()}
            for k, row in summary.iterrows()
        },
    }
    written.append(atomic_write(out / "summary.json", json.dumps(facts, indent=2)))
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
        fan = results.fan(metric, quantiles=(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99))
        written.append(atomic_write(out / f"fan_{metric}.csv", fan.to_csv()))
    for name, png in plots.items():
        written.append(atomic_write(out / f"{name}.png", png))
    written.append(atomic_write(out / "report.html", html_report(results, risk=risk, summary=summary, plots=plots)))
    return written
