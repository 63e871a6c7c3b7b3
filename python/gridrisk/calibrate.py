"""Fit the drivers' processes to monthly series: estimates, standard errors, ready overrides.

Each function takes a pandas Series of monthly values with a ``DatetimeIndex`` (or a monthly
``PeriodIndex``) and returns a :class:`Fit`: the estimates with their asymptotic standard errors,
the standardised innovations (for the correlation of the shocks), and :meth:`Fit.overrides`, a
mapping for :meth:`gridrisk.Scenario.replace`. The estimators (``gridrisk._estimators``) are
maximum likelihood under the model of ``docs/model.md``:

- :func:`fuel`: the exact monthly transition of the log price's Ornstein-Uhlenbeck process
  (Brent, coal, LNG in its own mode), sections 3;
- :func:`exchange_rate` and :func:`bitcoin`: Merton jump-diffusion of monthly log returns
  (a Poisson mixture of normals), section 4;
- :func:`demand`: log load less a trend and calendar-month means, then an AR(1), section 2;
- :func:`hydro`: AR(1) of the log availability factor, section 6;
- :func:`correlation`: the correlation of several fits' innovations over their common months.

The shipped series are in :mod:`gridrisk.datasets`; ``docs/calibration.md`` (Fits to data) shows
the fit behind each preset value that comes from data.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gridrisk.errors import ArgumentError
from gridrisk.uncertainty import JointNormal

try:
    from gridrisk import _estimators as est
except ModuleNotFoundError as _missing:  # pragma: no cover - scipy is installed with the tests
    raise ModuleNotFoundError(
        f"gridrisk.calibrate needs scipy ({_missing.name} is missing): pip install scipy"
    ) from _missing

__all__ = ["CorrelationFit", "Fit", "bitcoin", "correlation", "demand", "exchange_rate", "fuel", "hydro"]

#: Fewest months a fit accepts: three years.
MIN_MONTHS = 36

DT = 1.0 / 12.0


@dataclass(frozen=True)
class Fit:
    """A driver's process fitted to a monthly series.

    Attributes
    ----------
    driver : str
        The scenario table the fit is for (``"fuel.oil"``, ``"fx"``, ``"bitcoin"``, ...).
    factor : str
        The correlation factor whose shocks the innovations are (``correlation.factors``).
    table : DataFrame
        One row per parameter: ``estimate``, ``se`` (asymptotic standard error), ``unit`` and
        ``field`` (the scenario field it sets, empty when it sets none).
    residuals : Series
        The standardised innovations, indexed by the month they end (the first month has none).
    start, end : Timestamp
        The first and last month of the sample.
    n : int
        Number of monthly transitions used.
    loglik : float
        The maximised log-likelihood.
    """

    driver: str
    factor: str
    table: pd.DataFrame
    residuals: pd.Series
    start: pd.Timestamp
    end: pd.Timestamp
    n: int
    loglik: float
    _overrides: dict[str, Any] = field(repr=False)
    corr: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def overrides(self) -> dict[str, Any]:
        """The fitted values as ``{dotted field: value}`` for :meth:`gridrisk.Scenario.replace`."""
        return dict(self._overrides)

    def uncertainty(
        self,
        parameters: list[str] | None = None,
        *,
        lower: Mapping[str, float] | None = None,
        upper: Mapping[str, float] | None = None,
        group: str | None = None,
    ) -> JointNormal:
        """The estimates' asymptotic joint normal, as parameter uncertainty for a scenario.

        ``Scenario.with_uncertain(fit.uncertainty())`` makes each path draw the fitted
        parameters from the distribution of their estimates: means the estimates, covariance
        ``se_i se_j corr_ij`` (the correlations of the underlying estimates, carried through
        the delta method's monotone maps).

        Parameters
        ----------
        parameters : list of str, optional
            The rows to include (default: every row that sets a field).
        lower, upper : mapping of str to float, optional
            Bounds by parameter name, in the parameter's unit. Draws are clipped to them. The
            default upper is 6 standard errors above the estimate; the default lower is 6 below,
            but at least 1 % of the estimate for a parameter that must be positive (volatilities,
            rates of mean reversion, long-run prices, jump intensities and sizes' spread).
        group : str, optional
            The sensitivity group (default: the fitted table, e.g. ``"fuel.oil"``).

        Raises
        ------
        ArgumentError
            For a parameter that is not a row setting a field, or a covariance that cannot be
            computed (NaN standard errors).
        """
        rows = [r for r in self.table.index if self.table.loc[r, "field"]]
        chosen = rows if parameters is None else list(parameters)
        for r in chosen:
            if r not in rows:
                raise ArgumentError(f"parameter {r!r} is not a fitted row that sets a field; rows: {rows}")
        se = self.table.loc[chosen, "se"].to_numpy(dtype=float)
        mean = self.table.loc[chosen, "estimate"].to_numpy(dtype=float)
        if not np.all(np.isfinite(se)):
            raise ArgumentError("the fit's standard errors are not all finite; its covariance is unknown")
        corr = np.eye(len(chosen))
        for i, a in enumerate(chosen):
            for j, b in enumerate(chosen):
                if i != j and a in self.corr.index and b in self.corr.columns:
                    corr[i, j] = float(self.corr.loc[a, b])
        cov = np.outer(se, se) * corr
        lo = {r: m - 6 * s for r, m, s in zip(chosen, mean, se, strict=True)}
        for r, m in zip(chosen, mean, strict=True):
            if r in _POSITIVE:
                lo[r] = max(lo[r], 0.01 * m)
        hi = {r: m + 6 * s for r, m, s in zip(chosen, mean, se, strict=True)}
        lo.update(lower or {})
        hi.update(upper or {})
        fields = [str(self.table.loc[r, "field"]) for r in chosen]
        return JointNormal(
            dict(zip(fields, mean.tolist(), strict=True)),
            cov,
            lower=[float(lo[r]) for r in chosen],
            upper=[float(hi[r]) for r in chosen],
            group=self.driver if group is None else group,
            source=f"gridrisk.calibrate fit, {self.start:%Y-%m} to {self.end:%Y-%m}, {self.n} transitions",
        )

    def __repr__(self) -> str:
        rows = ", ".join(f"{k} = {v['estimate']:.4g} ± {v['se']:.2g}" for k, v in self.table.iterrows())
        return f"<Fit {self.driver}: {self.n} monthly transitions, {self.start:%Y-%m} to {self.end:%Y-%m}; {rows}>"


@dataclass(frozen=True)
class CorrelationFit:
    """The correlation of several fits' innovations over their common months.

    Attributes
    ----------
    factors : list of str
        The correlation factors fitted, in the order of ``matrix``.
    matrix : ndarray
        Their sample correlation matrix.
    se : ndarray
        Asymptotic standard errors, ``(1 - rho^2) / sqrt(n)`` (zero on the diagonal).
    n : int
        Number of common months.
    """

    factors: list[str]
    matrix: np.ndarray
    se: np.ndarray
    n: int

    def table(self) -> pd.DataFrame:
        """Each pair once: ``rho``, ``se`` and the number of common months."""
        rows = {}
        for i, a in enumerate(self.factors):
            for j in range(i + 1, len(self.factors)):
                rows[(a, self.factors[j])] = {"rho": self.matrix[i, j], "se": self.se[i, j], "months": self.n}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index = pd.MultiIndex.from_tuples(list(rows), names=["factor", "with"])
        return df

    def overrides(self, scenario: Any) -> dict[str, Any]:
        """``{"correlation.matrix": ...}``: the scenario's matrix with the fitted pairs replaced.

        Parameters
        ----------
        scenario : gridrisk.Scenario
            The scenario whose other entries are kept.

        Raises
        ------
        ArgumentError
            If the merged matrix is not positive semi-definite (the fitted block and the kept
            entries are inconsistent); fit the other factors too, or edit the matrix by hand.
        """
        factors = list(scenario["correlation.factors"])
        m = np.array(scenario["correlation.matrix"], dtype=float)
        pos = [factors.index(f) for f in self.factors]
        for a, i in enumerate(pos):
            for b, j in enumerate(pos):
                if i != j:
                    m[i, j] = self.matrix[a, b]
        smallest = float(np.linalg.eigvalsh(m).min())
        if smallest < -1e-10:
            raise ArgumentError(
                "the fitted correlations with the scenario's other entries do not form a valid "
                f"correlation matrix (smallest eigenvalue {smallest:.3g}); fit the other factors too "
                "or set correlation.matrix by hand"
            )
        return {"correlation.matrix": m.round(12).tolist()}


def _monthly(series: Any, what: str, positive: bool = True) -> pd.Series:
    """``series`` checked, one finite float per consecutive calendar month, by month start.

    At least :data:`MIN_MONTHS` transitions, so that a fit has something to estimate.
    """
    if not isinstance(series, pd.Series):
        raise ArgumentError(f"{what}: expected a pandas Series with a DatetimeIndex, got {type(series).__name__}")
    idx = series.index
    if isinstance(idx, pd.PeriodIndex):
        months = idx.asfreq("M")
    elif isinstance(idx, pd.DatetimeIndex):
        months = idx.to_period("M")
    else:
        raise ArgumentError(
            f"{what}: the Series needs a DatetimeIndex (or a monthly PeriodIndex), got {type(idx).__name__}"
        )
    try:
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(f"{what}: the values must be numbers") from None
    s = pd.Series(values, index=months).sort_index()
    if s.index.has_duplicates:
        first = s.index[s.index.duplicated()][0]
        raise ArgumentError(f"{what}: more than one value for {first}; give one value a month (e.g. a monthly mean)")
    bad = s.index[~np.isfinite(s.to_numpy())]
    if len(bad):
        raise ArgumentError(
            f"{what}: {len(bad)} missing or non-finite values, the first in {bad[0]}; drop or fill them"
        )
    if positive and (s <= 0).any():
        raise ArgumentError(f"{what}: values must be positive (the model is in logs); {s.idxmin()} has {s.min()}")
    expected = pd.period_range(s.index[0], s.index[-1], freq="M")
    if len(expected) != len(s):
        gap = expected.difference(s.index)[0]
        raise ArgumentError(f"{what}: the months must be consecutive; {gap} is missing")
    if len(s) < MIN_MONTHS + 1:
        raise ArgumentError(f"{what}: {len(s)} months; a fit needs at least {MIN_MONTHS + 1}")
    s.index = s.index.to_timestamp()
    return s


#: The estimator's parameter behind each row: rows are monotone increasing maps of one
#: parameter each (the identity, or ``exp`` for a long-run price), so their correlations are the
#: parameters' to first order.
_SOURCE = {
    "mean_reversion_annual": "kappa",
    "long_run": "theta",
    "vol_annual": "sigma",
    "drift_annual": "mu",
    "jump_intensity_annual": "lambda",
    "jump_mean": "m",
    "jump_sd": "s",
    "ar1_phi": "phi",
    "ar1_sigma": "sigma",
}

#: Rows whose parameter must be positive.
_POSITIVE = frozenset(
    {"mean_reversion_annual", "long_run", "vol_annual", "jump_intensity_annual", "jump_sd", "ar1_sigma"}
)


def _fit(
    driver: str, factor: str, s: pd.Series, e: est.Estimate, rows: list[tuple[str, float, float, str, str]]
) -> Fit:
    table = pd.DataFrame(rows, columns=["parameter", "estimate", "se", "unit", "field"]).set_index("parameter")
    overrides = {r[4]: float(r[1]) for r in rows if r[4]}
    residuals = pd.Series(e.residuals, index=s.index[-len(e.residuals) :], name=factor)
    names = list(e.names)
    sd = np.sqrt(np.diag(e.cov))
    corr = pd.DataFrame(np.eye(len(rows)), index=table.index, columns=table.index)
    for a in table.index:
        for b in table.index:
            i, j = names.index(_SOURCE[a]) if _SOURCE.get(a) in names else -1, -1
            j = names.index(_SOURCE[b]) if _SOURCE.get(b) in names else -1
            if a != b and i >= 0 and j >= 0 and sd[i] > 0 and sd[j] > 0:
                corr.loc[a, b] = float(e.cov[i, j] / (sd[i] * sd[j]))
    return Fit(driver, factor, table, residuals, s.index[0], s.index[-1], e.n, e.loglik, overrides, corr)


def fuel(series: pd.Series, which: str = "oil") -> Fit:
    """Fit a fuel price's log Ornstein-Uhlenbeck process (docs/model.md section 3).

    Parameters
    ----------
    series : Series
        Monthly prices (USD/bbl, USD/t or USD/MMBtu), consecutive months, at least 37.
    which : {"oil", "coal", "lng"}
        The fuel: sets ``fuel.oil``, ``fuel.coal`` or ``fuel.lng.own`` (the LNG's own process,
        used with ``fuel.lng.mode = "own"``).

    Returns
    -------
    Fit
        ``mean_reversion_annual`` (per year), ``long_run`` (the long-run median price, in the
        series' unit; its error by the delta method) and ``vol_annual`` (per square-root year).

    Raises
    ------
    ArgumentError
        For a series that is not monthly, positive and long enough, or that shows no mean
        reversion (a unit root in the sample).
    """
    if which not in ("oil", "coal", "lng"):
        raise ArgumentError(f"which must be 'oil', 'coal' or 'lng'; got {which!r}")
    s = _monthly(series, f"fuel {which}")
    try:
        e = est.log_ou(np.log(s.to_numpy()), DT)
    except ValueError as err:
        raise ArgumentError(f"fuel {which}: {err}") from None
    v, se = e.as_dict(), dict(zip(e.names, e.se(), strict=True))
    table = "fuel.lng.own" if which == "lng" else f"fuel.{which}"
    unit = str(series.attrs.get("unit", "price unit"))
    long_run = math.exp(v["theta"])
    rows = [
        ("mean_reversion_annual", v["kappa"], se["kappa"], "1/yr", f"{table}.mean_reversion_annual"),
        ("long_run", long_run, long_run * se["theta"], unit, f"{table}.long_run"),
        ("vol_annual", v["sigma"], se["sigma"], "1/sqrt(yr)", f"{table}.vol_annual"),
    ]
    return _fit(table, which, s, e, rows)


def _merton(series: pd.Series, what: str, table: str, jumps: bool, include_drift: bool) -> Fit:
    s = _monthly(series, what)
    r = np.diff(np.log(s.to_numpy()))
    try:
        e = est.merton(r, DT, jumps=jumps)
    except ValueError as err:
        raise ArgumentError(f"{what}: {err}") from None
    v, se = e.as_dict(), dict(zip(e.names, e.se(), strict=True))
    drift_field = f"{table}.drift_annual" if include_drift else ""
    rows = [
        ("drift_annual", v["mu"], se["mu"], "1/yr", drift_field),
        ("vol_annual", v["sigma"], se["sigma"], "1/sqrt(yr)", f"{table}.vol_annual"),
    ]
    if jumps:
        rows += [
            ("jump_intensity_annual", v["lambda"], se["lambda"], "jumps/yr", f"{table}.jump_intensity_annual"),
            ("jump_mean", v["m"], se["m"], "log", f"{table}.jump_mean"),
            ("jump_sd", v["s"], se["s"], "log", f"{table}.jump_sd"),
        ]
    return _fit(table, table, s, e, rows)


def exchange_rate(series: pd.Series, *, jumps: bool = True, include_drift: bool = False) -> Fit:
    """Fit the PKR/USD rate's Merton jump-diffusion (docs/model.md section 4).

    Parameters
    ----------
    series : Series
        Monthly PKR per USD (end of month or monthly average), at least 37 months.
    jumps : bool
        Fit devaluation jumps (``jump_intensity_annual``, ``jump_mean``, ``jump_sd``); without,
        a lognormal random walk.
    include_drift : bool
        Put the fitted drift into the overrides. By default it is reported but left out: the
        preset derives the drift from the inflation differential (``docs/model.md`` section 4),
        and a historical average depreciation is not a forecast.

    Returns
    -------
    Fit
        ``drift_annual`` (the expected depreciation, per year), ``vol_annual`` (per square-root
        year) and, with jumps, their intensity (per year) and log size mean and sd.
    """
    return _merton(series, "exchange rate", "fx", jumps, include_drift)


def bitcoin(series: pd.Series, *, jumps: bool = True, include_drift: bool = False) -> Fit:
    """Fit the Bitcoin price's Merton jump-diffusion (docs/model.md section 4).

    Parameters
    ----------
    series : Series
        Monthly Bitcoin prices in USD (a user's own series: none ships with gridrisk, the
        well-documented ones are licensed for non-commercial use only).
    jumps, include_drift : bool
        As in :func:`exchange_rate`; a historical drift of an asset that rose a million-fold is
        not a forecast, so it is left out of the overrides unless asked for.

    Returns
    -------
    Fit
        As :func:`exchange_rate`, for ``bitcoin.*``. Student-t shocks are not fitted: the fit is
        Gaussian within and between jumps.
    """
    return _merton(series, "bitcoin", "bitcoin", jumps, include_drift)


def demand(series: pd.Series) -> Fit:
    """Fit the demand factor: log load less a linear trend and calendar-month means, then AR(1).

    Parameters
    ----------
    series : Series
        Monthly average load or energy (MW or GWh; any positive unit), at least 37 months.

    Returns
    -------
    Fit
        ``growth_annual`` (the trend, per year, continuously compounded), ``ar1_phi`` and
        ``ar1_sigma`` (monthly), and the twelve ``seasonality`` values (January first, mean
        one) in the overrides. The trend and seasonal means are estimated jointly by least
        squares (the trend's error widened for the AR(1) residuals); their uncertainty is not
        carried into the AR(1)'s errors.
    """
    s = _monthly(series, "demand")
    y = np.log(s.to_numpy())
    t = np.arange(len(y)) * DT
    month = s.index.month.to_numpy() - 1
    x = np.column_stack([t, *(month == m for m in range(12))]).astype(float)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ArgumentError("demand: every calendar month must appear in the series")
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    e = est.ar1(resid)
    v, se = e.as_dict(), dict(zip(e.names, e.se(), strict=True))
    growth = float(beta[0])
    xtx_inv = np.linalg.inv(x.T @ x)
    # Least squares' error for iid residuals, widened for their AR(1) autocorrelation (the
    # long-run variance factor (1 + phi) / (1 - phi)).
    phi = min(max(v["phi"], -0.99), 0.99)
    growth_se = math.sqrt(float(np.sum(resid**2)) / (len(y) - x.shape[1]) * xtx_inv[0, 0] * (1 + phi) / (1 - phi))
    season = np.exp(beta[1:])
    season = season / season.mean()
    rows = [
        ("growth_annual", growth, growth_se, "1/yr", "demand.growth_annual"),
        ("ar1_phi", v["phi"], se["phi"], "", "demand.ar1_phi"),
        ("ar1_sigma", v["sigma"], se["sigma"], "log, monthly", "demand.ar1_sigma"),
    ]
    fit = _fit("demand", "demand", s, e, rows)
    overrides = {**fit.overrides(), "demand.seasonality": [round(float(v), 4) for v in season]}
    return dataclasses.replace(fit, _overrides=overrides)


def hydro(series: pd.Series) -> Fit:
    """Fit the hydro availability factor's AR(1) in logs (docs/model.md section 6).

    Parameters
    ----------
    series : Series
        Monthly hydro output or inflow relative to its calendar month's normal (a
        dimensionless factor near one: divide each month by its long-run mean first).

    Returns
    -------
    Fit
        ``ar1_phi`` and ``ar1_sigma`` (monthly, of the log factor).
    """
    s = _monthly(series, "hydro")
    y = np.log(s.to_numpy())
    e = est.ar1(y - y.mean())
    v, se = e.as_dict(), dict(zip(e.names, e.se(), strict=True))
    rows = [
        ("ar1_phi", v["phi"], se["phi"], "", "hydro.ar1_phi"),
        ("ar1_sigma", v["sigma"], se["sigma"], "log, monthly", "hydro.ar1_sigma"),
    ]
    return _fit("hydro", "hydro", s, e, rows)


def correlation(fits: Mapping[str, Fit] | list[Fit]) -> CorrelationFit:
    """The correlation of several fits' innovations over their common months.

    Parameters
    ----------
    fits : list of Fit, or mapping of factor name to Fit
        Fits of different factors (``oil``, ``coal``, ``lng``, ``fx``, ``bitcoin``, ``demand``,
        ``hydro``); with a mapping, its keys name the factors.

    Returns
    -------
    CorrelationFit
        The matrix, its standard errors and :meth:`CorrelationFit.overrides`.

    Raises
    ------
    ArgumentError
        For fewer than two fits, a factor given twice, or fewer than 24 common months.
    """
    items = list(fits.items()) if isinstance(fits, Mapping) else [(f.factor, f) for f in fits]
    names = [k for k, _ in items]
    if len(items) < 2:
        raise ArgumentError("correlation needs fits of at least two factors")
    if len(set(names)) != len(names):
        raise ArgumentError(f"each factor once: got {names}")
    try:
        factors, rho, n = est.correlation({k: f.residuals for k, f in items})
    except ValueError as err:
        raise ArgumentError(f"correlation: {err}") from None
    return CorrelationFit(list(factors), rho, est.correlation_se(rho, n), n)
