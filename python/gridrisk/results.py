"""Results of a simulation: statistics per metric and month, with their Monte Carlo error."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import _core
from gridrisk._validate import choice
from gridrisk.errors import ArgumentError, MergeError
from gridrisk.scenario import Scenario

__all__ = ["FAN_QUANTILES", "METRIC_UNITS", "OUTPUT_UNITS", "SUMMARY_QUANTILES", "Results"]

#: Quantiles shown by default in fan charts.
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)

#: Unit of each metric.
METRIC_UNITS: dict[str, str] = {
    "demand.load_mw": "MW",
    "fuel.oil_usd_per_bbl": "USD/bbl",
    "fuel.lng_usd_per_mmbtu": "USD/MMBtu",
    "fuel.coal_usd_per_t": "USD/t",
    "fx.pkr_per_usd": "PKR/USD",
    "bitcoin.price_usd": "USD",
    "bitcoin.fees_btc_per_block": "BTC/block",
    "network.hashrate_ehs": "EH/s",
    "network.difficulty_t": "T",
    "hydro.availability": "factor (mean 1)",
    "grid.marginal_cost_pkr_per_kwh": "PKR/kWh",
    "grid.added_cost_pkr": "PKR",
    "grid.lole_base_h": "h",
    "grid.lole_with_h": "h",
    "grid.lole_households_h": "h",
    "grid.eue_base_mwh": "MWh",
    "grid.eue_with_mwh": "MWh",
    "grid.eue_households_increase_mwh": "MWh",
    "grid.eue_newload_mwh": "MWh",
    "mining.hashprice_usd_per_ph_day": "USD/PH/day",
    "mining.uptime": "0 or 1",
    "mining.load_mw": "MW",
    "mining.btc_mined": "BTC",
    "datacenters.load_mw": "MW",
    "fiscal.tariff_revenue_pkr": "PKR",
    "fiscal.tax_pkr": "PKR",
    "fiscal.tax_expenditure_pkr": "PKR",
    "fiscal.net_flow_pkr": "PKR",
    "fiscal.circular_debt_flow_pkr": "PKR",
    "reserve.btc": "BTC",
    "reserve.value_pkr": "PKR",
    "fiscal.household_eue_cost_pkr": "PKR",
}

#: Unit of each per-path output (annual averages over the horizon).
OUTPUT_UNITS: dict[str, str] = {
    "npv_pkr": "PKR",
    "net_flow_pkr_per_year": "PKR/yr",
    "worst_year_net_flow_pkr": "PKR",
    "circular_debt_change_pkr": "PKR",
    "tariff_revenue_pkr_per_year": "PKR/yr",
    "tax_pkr_per_year": "PKR/yr",
    "tax_expenditure_pkr_per_year": "PKR/yr",
    "reserve_value_pkr": "PKR",
    "reserve_btc": "BTC",
    "miner_uptime_share": "share of months",
    "mean_hashprice_usd_per_ph_day": "USD/PH/day",
    "lole_base_h_per_year": "h/yr",
    "lole_with_h_per_year": "h/yr",
    "lole_households_h_per_year": "h/yr",
    "eue_base_mwh_per_year": "MWh/yr",
    "eue_with_mwh_per_year": "MWh/yr",
    "eue_households_increase_mwh_per_year": "MWh/yr",
    "eue_newload_mwh_per_year": "MWh/yr",
    "added_cost_pkr_per_year": "PKR/yr",
    "household_eue_cost_pkr_per_year": "PKR/yr",
}

_Z95 = 1.959963984540054

#: Quantiles reported by :meth:`Results.summary` and :meth:`Results.snapshot`.
SUMMARY_QUANTILES: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _table(
    names: list[str],
    mean: np.ndarray,
    var: np.ndarray,
    n: int,
    quantiles: Callable[[list[float]], np.ndarray],
    units: dict[str, str],
) -> pd.DataFrame:
    """Rows of mean/se/sd and quantiles with confidence half-widths."""
    probs = list(SUMMARY_QUANTILES)
    bands: list[float] = []
    for q in probs:
        half = _Z95 * math.sqrt(q * (1 - q) / n)
        bands += [max(q - half, 0.0), q, min(q + half, 1.0)]
    qv = quantiles(bands)
    rows = {}
    for i, name in enumerate(names):
        sd = math.sqrt(max(float(var[i]), 0.0))
        row: dict[str, Any] = {"mean": float(mean[i]), "se": sd / math.sqrt(n), "sd": sd}
        for k, q in enumerate(probs):
            lo, mid, hi = qv[i, 3 * k : 3 * k + 3]
            row[f"p{round(q * 100)}"] = mid
            # Monte Carlo half-width plus the sketch's own relative error, so that a quantile
            # known better than the sketch resolves never shows an error of 0.
            row[f"p{round(q * 100)}_ci95"] = (hi - lo) / 2 + _core.SKETCH_RELATIVE_ACCURACY * abs(mid)
        row["unit"] = units.get(name, "")
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass(frozen=True, eq=False)
class Results:
    """The outcome of :func:`gridrisk.simulate`.

    Attributes
    ----------
    scenario : Scenario
        The scenario simulated.
    seed : int
        Master seed; with the scenario it determines every number.
    path_range : tuple of int
        Global path indices ``[lo, hi)`` simulated.
    version : str
        gridrisk version that produced the results.
    wall_time_s : float
        Wall-clock seconds of the run (of the slowest part, for merged results).
    """

    scenario: Scenario
    seed: int
    path_range: tuple[int, int]
    version: str
    wall_time_s: float
    stats: Any = field(repr=False)
    _paths: dict[str, np.ndarray] | None = field(default=None, repr=False)

    # -- shape ------------------------------------------------------------------------------
    @property
    def paths(self) -> int:
        """Number of paths simulated."""
        return self.path_range[1] - self.path_range[0]

    @property
    def metrics(self) -> list[str]:
        """Names of the monthly metrics, e.g. ``"bitcoin.price_usd"``."""
        return list(self.stats.metrics)

    @property
    def months(self) -> pd.PeriodIndex:
        """The simulated months."""
        start = pd.Period(self.scenario["simulation.start"], freq="M")
        return pd.period_range(start, periods=self.stats.months, freq="M", name="month")

    @property
    def outputs(self) -> list[str]:
        """Names of the per-path outputs, e.g. ``"lole_base_h_per_year"``."""
        return list(self.stats.outputs)

    def _metric(self, metric: str) -> int:
        return self.metrics.index(choice("metric", metric, self.metrics))

    # -- per-path arrays --------------------------------------------------------------------
    def path_array(self, metric: str) -> np.ndarray:
        """Every path's monthly values of ``metric``, shape ``(paths, months)``.

        Only available for runs with ``keep_paths=True``.
        """
        name = self.metrics[self._metric(metric)]
        if self._paths is None or name not in self._paths:
            raise ArgumentError("per-path monthly values were not kept; rerun with simulate(..., keep_paths=True)")
        return self._paths[name]

    def path_output(self, output: str) -> np.ndarray:
        """Every path's value of a per-path output, shape ``(paths,)`` (needs ``keep_paths=True``)."""
        if self._paths is None:
            raise ArgumentError(
                "per-path values were not kept; rerun with simulate(..., keep_outputs=True) or keep_paths=True"
            )
        return self._paths[choice("output", output, self.outputs)]

    def to_pandas(self) -> pd.DataFrame:
        """Every path's per-path outputs as a DataFrame indexed by global path number.

        Needs ``simulate(..., keep_outputs=True)`` (or ``keep_paths=True``).
        """
        data = {name: self.path_output(name) for name in self.outputs}
        index = pd.RangeIndex(*self.path_range, name="path")
        return pd.DataFrame(data, index=index)

    def to_xarray(self, quantiles: Sequence[float] = FAN_QUANTILES) -> Any:
        """The monthly statistics (and kept per-path outputs) as an ``xarray.Dataset``.

        Variables ``<metric>:mean``, ``<metric>:sd`` (dims ``month``) and ``<metric>:quantile``
        (dims ``month``, ``quantile``) for every metric; ``output:<name>`` (dim ``path``) when
        per-path outputs were kept. Attributes carry the seed, path range, version and the
        scenario as TOML. Needs the optional dependency ``xarray`` (``pip install gridrisk[xarray]``).
        """
        try:
            import xarray as xr
        except ImportError:
            raise ArgumentError("to_xarray needs xarray: pip install 'gridrisk[xarray]'") from None
        mean, var = self.stats.moments()
        qs = [float(q) for q in quantiles]
        qv = self.stats.quantiles(qs)
        months = self.months.to_timestamp()
        data_vars: dict[str, Any] = {}
        for i, name in enumerate(self.metrics):
            unit = {"units": METRIC_UNITS.get(name, "")}
            data_vars[f"{name}:mean"] = ("month", mean[i], unit)
            data_vars[f"{name}:sd"] = ("month", np.sqrt(var[i]), unit)
            data_vars[f"{name}:quantile"] = (("month", "quantile"), qv[i], unit)
        coords: dict[str, Any] = {"month": months, "quantile": qs}
        if self._paths is not None:
            coords["path"] = np.arange(*self.path_range)
            for name in self.outputs:
                data_vars[f"output:{name}"] = ("path", self._paths[name], {"units": OUTPUT_UNITS.get(name, "")})
        attrs = {
            "seed": str(self.seed),
            "path_range": list(self.path_range),
            "gridrisk_version": self.version,
            "scenario_toml": self.scenario.to_toml(),
        }
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    # -- statistics -------------------------------------------------------------------------
    def moments(self, metric: str) -> pd.DataFrame:
        """Mean, standard deviation and the Monte Carlo standard error of the mean per month.

        Returns
        -------
        DataFrame
            Indexed by month, columns ``mean``, ``sd``, ``se`` in the metric's unit
            (see :data:`METRIC_UNITS`).
        """
        i = self._metric(metric)
        mean, var = self.stats.moments()
        sd = np.sqrt(var[i])
        return pd.DataFrame({"mean": mean[i], "sd": sd, "se": sd / math.sqrt(self.paths)}, index=self.months)

    def fan(self, metric: str, quantiles: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
        """Quantiles of ``metric`` per month, for fan charts.

        Quantiles come from a DDSketch whose relative error is at most
        ``gridrisk.SKETCH_RELATIVE_ACCURACY`` (0.2 %) of the exact sample quantile, in memory
        that does not grow with the number of paths.

        Parameters
        ----------
        metric : str
            One of :attr:`metrics`.
        quantiles : sequence of float
            Probabilities in [0, 1].

        Returns
        -------
        DataFrame
            Rows are months, columns the quantiles, values in the metric's unit.
        """
        i = self._metric(metric)
        qs = [float(q) for q in quantiles]
        if not qs or any(not 0.0 <= q <= 1.0 for q in qs):
            raise ArgumentError(f"quantiles must be probabilities in [0, 1], got {list(quantiles)!r}")
        values = self.stats.quantiles(qs)[i]
        return pd.DataFrame(values, index=self.months, columns=pd.Index(qs, name="quantile"))

    def snapshot(self, month: int = -1) -> pd.DataFrame:
        """Statistics of every monthly metric in one month (default: the last).

        Columns: ``mean`` and its standard error ``se``; ``sd``; the 5 %, 50 % and 95 %
        quantiles with ``*_ci95``, the half-width of a distribution-free 95 % confidence
        interval (order-statistic method, read off the sketch) plus the sketch's relative
        error of 0.2 %; and the unit.
        """
        t = range(self.stats.months)[month]
        mean, var = self.stats.moments()
        df = _table(
            self.metrics, mean[:, t], var[:, t], self.paths, lambda qs: self.stats.quantiles(qs)[:, t, :], METRIC_UNITS
        )
        df.index.name = f"metric ({self.months[t]})"
        return df

    def summary(self, loss_threshold_pkr: float = 0.0) -> pd.DataFrame:
        """Statistics of every per-path output (definitions: ``docs/model.md`` section 8.5).

        One row per output: ``mean`` and its Monte Carlo standard error ``se`` (from the pair
        means in an antithetic run); ``sd``; the 1,
        5, 25, 50, 75, 95 and 99 % quantiles (``p1`` ... ``p99``) each with ``*_ci95``, the
        half-width of a distribution-free 95 % confidence interval plus the sketch's 0.2 %
        relative error; for money outputs (PKR) the value at risk and expected shortfall of the
        *loss* at 95 % and 99 % (``var95``, ``cvar95``, ``var99``, ``cvar99``): sign convention,
        a loss is minus the output, so ``var95 = -p5`` and ``cvar95`` is minus the mean of the
        worst 5 % of paths, both in PKR and positive when the state loses; for money outputs
        ``p_loss`` = P(output < -``loss_threshold_pkr``) with its standard error ``p_loss_se``
        (on the ``npv_pkr`` row: P(NPV < 0) at the default threshold; on the
        ``worst_year_net_flow_pkr`` row: P(some year loses more than the threshold)), exact for a
        threshold of 0 and to the sketch's 0.2 % resolution of the threshold otherwise; and the
        unit. :meth:`risk` gathers the headline figures.
        """
        thr = float(loss_threshold_pkr)
        if not math.isfinite(thr) or thr < 0:
            raise ArgumentError(f"loss_threshold_pkr must be a finite number >= 0, got {loss_threshold_pkr!r}")
        mean, var = self.stats.output_moments()
        df = _table(self.outputs, mean, var, self.paths, self.stats.output_quantiles, OUTPUT_UNITS)
        pairs = self.stats.output_pair_moments()
        if pairs is not None and pairs[0] > 1:
            # Antithetic run: paths in a pair are dependent, so the error of the mean comes from
            # the pair means, which are independent.
            n_pairs, _, pair_var = pairs
            df["se"] = np.sqrt(np.maximum(pair_var, 0.0) / n_pairs)
        for level in (0.95, 0.99):
            alpha = 1 - level
            tag = round(level * 100)
            q = self.stats.output_quantiles([alpha])[:, 0]
            var_, cvar = [], []
            for i, name in enumerate(self.outputs):
                if not OUTPUT_UNITS.get(name, "").startswith("PKR"):
                    var_.append(math.nan)
                    cvar.append(math.nan)
                    continue
                m1, _ = self.stats.output_lower_partial_moments(i, float(q[i]))
                var_.append(-float(q[i]))
                cvar.append(-float(q[i]) + m1 / alpha)
            df[f"var{tag}"] = var_
            df[f"cvar{tag}"] = cvar
        negative = self.stats.output_negative_share()
        p_loss = []
        for i, name in enumerate(self.outputs):
            if not OUTPUT_UNITS.get(name, "").startswith("PKR"):
                p_loss.append(math.nan)
            elif thr == 0.0:
                p_loss.append(float(negative[i]))
            else:
                # P(X < -thr) to bucket resolution: values at the threshold's bucket count as below.
                p_loss.append(float(self.stats.output_share_at_or_below(i, -thr)))
        df["p_loss"] = p_loss
        df["p_loss_se"] = [math.sqrt(p * (1 - p) / self.paths) if math.isfinite(p) else math.nan for p in p_loss]
        df["unit"] = df.pop("unit")
        df.index.name = "output"
        return df

    def risk(self, loss_threshold_pkr: float = 0.0) -> pd.DataFrame:
        """Headline fiscal risk of the allocation, each with its Monte Carlo standard error.

        Parameters
        ----------
        loss_threshold_pkr : float
            A year counts as a bad year when its net fiscal flow is below minus this amount, PKR
            (0: any loss).

        Returns
        -------
        DataFrame
            Rows ``P(NPV < 0)`` (exact count of paths), ``P(a year loses > threshold)`` (paths
            whose worst 12-month net flow is below ``-loss_threshold_pkr``; to the sketch's 0.2 %
            resolution of the threshold), ``VaR 95 %``, ``CVaR 95 %``, ``VaR 99 %``, ``CVaR 99 %``
            of the NPV loss (PKR, positive = the state loses); columns ``value`` and ``se``.
        """
        thr = float(loss_threshold_pkr)
        if not math.isfinite(thr) or thr < 0:
            raise ArgumentError(f"loss_threshold_pkr must be a finite number >= 0, got {loss_threshold_pkr!r}")
        n = self.paths
        idx = {name: i for i, name in enumerate(self.outputs)}
        npv = idx["npv_pkr"]
        p_loss = float(self.stats.output_negative_share()[npv])
        p_year = float(self.stats.output_share_at_or_below(idx["worst_year_net_flow_pkr"], -thr))
        if thr == 0.0:  # "below zero", exactly, rather than at or below a bucket
            p_year = float(self.stats.output_negative_share()[idx["worst_year_net_flow_pkr"]])
        rows: dict[str, dict[str, float]] = {
            "P(NPV < 0)": {"value": p_loss, "se": math.sqrt(p_loss * (1 - p_loss) / n)},
            f"P(a year loses > {thr:,.0f} PKR)": {"value": p_year, "se": math.sqrt(p_year * (1 - p_year) / n)},
        }
        for level in (0.95, 0.99):
            alpha = 1 - level
            half = _Z95 * math.sqrt(alpha * (1 - alpha) / n)
            lo, q, hi = self.stats.output_quantiles([max(alpha - half, 0.0), alpha, alpha + half])[npv]
            m1, m2 = self.stats.output_lower_partial_moments(npv, float(q))
            rows[f"VaR {round(level * 100)} % of NPV loss"] = {
                "value": -float(q),
                "se": float(hi - lo) / (2 * _Z95) + _core.SKETCH_RELATIVE_ACCURACY * abs(float(q)),
            }
            rows[f"CVaR {round(level * 100)} % of NPV loss"] = {
                "value": -float(q) + m1 / alpha,
                "se": math.sqrt(max(m2 - m1 * m1, 0.0)) / (alpha * math.sqrt(n)),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def adequacy(self) -> pd.DataFrame:
        """Loss-of-load expectation and unserved energy with and without the allocation.

        Returns
        -------
        DataFrame
            Rows ``without allocation``, ``with allocation`` (any load shed), ``households``
            (with the allocation), ``new loads``; columns ``lole_h_per_year``, ``lole_se``,
            ``eue_mwh_per_year``, ``eue_se`` (annual averages over the horizon, computed on the
            same draws, with Monte Carlo standard errors).
        """
        mean, var = self.stats.output_moments()
        idx = {name: i for i, name in enumerate(self.outputs)}
        se = np.sqrt(var / self.paths)

        def cell(name: str | None) -> tuple[float, float]:
            return (float(mean[idx[name]]), float(se[idx[name]])) if name else (math.nan, math.nan)

        rows = {
            "without allocation": ("lole_base_h_per_year", "eue_base_mwh_per_year"),
            "with allocation": ("lole_with_h_per_year", "eue_with_mwh_per_year"),
            "households: increase": (None, "eue_households_increase_mwh_per_year"),
            "households: hours shed": ("lole_households_h_per_year", None),
            "new loads": (None, "eue_newload_mwh_per_year"),
        }
        data = {}
        for label, (lole, eue) in rows.items():
            (lm, ls), (em, es) = cell(lole), cell(eue)
            data[label] = {"lole_h_per_year": lm, "lole_se": ls, "eue_mwh_per_year": em, "eue_se": es}
        return pd.DataFrame.from_dict(data, orient="index")

    def schedule(self) -> pd.DataFrame:
        """The deterministic Bitcoin block schedule: blocks and mean subsidy per month."""
        s = _core.schedule(self.scenario.to_dict())
        df = pd.DataFrame({k: v for k, v in s.items() if k != "month"}, index=self.months)
        return df

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write these results to one file; :func:`gridrisk.load` reads them back exactly."""
        from gridrisk.io import save

        return save(self, path)

    # -- combining --------------------------------------------------------------------------
    def merge(self, other: Results) -> Results:
        """Combine with the results of an adjacent path range of the same run.

        The merged statistics are bit-identical to those of one run over the union.

        Raises
        ------
        MergeError
            If the scenarios or seeds differ, or the path ranges do not meet at a multiple of
            ``gridrisk.CHUNK_PATHS``.
        """
        if self.scenario != other.scenario or self.seed != other.seed:
            raise MergeError("results from different scenarios or seeds cannot be merged")
        stats = self.stats.merge(other.stats)
        first, second = (self, other) if self.path_range[1] == other.path_range[0] else (other, self)
        paths = None
        if first._paths is not None and second._paths is not None:
            paths = {k: np.concatenate([first._paths[k], second._paths[k]]) for k in first._paths if k in second._paths}
        return Results(
            scenario=self.scenario,
            seed=self.seed,
            path_range=(stats.path_lo, stats.path_hi),
            version=self.version,
            wall_time_s=max(self.wall_time_s, other.wall_time_s),
            stats=stats,
            _paths=paths,
        )

    # -- display ----------------------------------------------------------------------------
    def __repr__(self) -> str:
        lo, hi = self.path_range
        return (
            f"<gridrisk.Results {self.scenario.name!r}: {self.paths:_} paths [{lo:_}, {hi:_}), "
            f"seed={self.seed}, {self.stats.months} months from {self.months[0]}, "
            f"{self.wall_time_s:.2f} s>"
        )

    def _repr_html_(self) -> str:
        head = f"<p><b>gridrisk results</b>: {self.scenario.name}, {self.paths:_} paths, seed {self.seed}</p>"
        try:
            table: str = self.summary().to_html(float_format=lambda x: f"{x:,.4g}")
            return head + table
        except Exception:  # a display hook must never raise in a notebook
            import html

            return f"<pre>{html.escape(repr(self))}</pre>"
