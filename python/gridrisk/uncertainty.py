"""Parameter uncertainty: distributions that stand in place of a scenario field's value.

A scenario field that is not known (the exchange rate's drift, a tariff after the package, the
probability that the data centres come) can be given a distribution instead of a value::

    sc = sc.replace({"fx.drift_annual": gr.Normal(0.045, 0.01, group="FX drift")})

Each path then draws its own value and runs with it; the field keeps the distribution's central
value (mean, median, middle, mode or most likely value) for point runs and for :meth:`Scenario.fixed`.
Several fields drawn together (a calibration's estimates and their covariance, or weighted
scenarios) are declared with :meth:`Scenario.with_uncertain`. ``docs/model.md`` (section 1.2)
gives the sampling rules; :func:`gridrisk.sensitivity` attributes output variance to the groups.

All values are in the unit of the field they stand for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gridrisk.errors import ArgumentError

__all__ = [
    "Discrete",
    "Distribution",
    "JointNormal",
    "LogNormal",
    "Normal",
    "Scenarios",
    "Triangular",
    "Uniform",
]


def _num(name: str, x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or not np.isfinite(x):
        raise ArgumentError(f"{name} must be a finite number, got {x!r}")
    return float(x)


@dataclass(frozen=True)
class Distribution:
    """Base of the one-field distributions: ``group`` and ``source`` are common to all.

    Attributes
    ----------
    group : str or None
        The group a sensitivity analysis attributes this field's variance to (default: the
        field's name). Fields of one group vary together in :func:`gridrisk.sensitivity`.
    source : str
        Where the distribution comes from: a citation, or the reason for an assumption.
    """

    def _params(self) -> dict[str, Any]:
        raise NotImplementedError

    def declaration(self) -> dict[str, Any]:
        """The table this distribution becomes in a scenario (without its field's name)."""
        return _meta(self._params(), getattr(self, "group", None), getattr(self, "source", ""))


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with ``mean`` and standard deviation ``sd``, truncated.

    The support is ``[lower, upper]``, by default 6 standard deviations either side of the mean.
    """

    mean: float
    sd: float
    lower: float | None = None
    upper: float | None = None
    group: str | None = None
    source: str = ""

    def _params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dist": "normal", "mean": _num("mean", self.mean), "sd": _num("sd", self.sd)}
        return _bounds(out, self.lower, self.upper)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Lognormal with ``median`` ``exp(mu)`` and log standard deviation ``sigma``, truncated.

    The support is ``[lower, upper]``, by default ``median * exp(±6 sigma)``.
    """

    median: float
    sigma: float
    lower: float | None = None
    upper: float | None = None
    group: str | None = None
    source: str = ""

    def _params(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dist": "lognormal",
            "median": _num("median", self.median),
            "sigma": _num("sigma", self.sigma),
        }
        return _bounds(out, self.lower, self.upper)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on ``[lower, upper]``."""

    lower: float
    upper: float
    group: str | None = None
    source: str = ""

    def _params(self) -> dict[str, Any]:
        return {"dist": "uniform", "lower": _num("lower", self.lower), "upper": _num("upper", self.upper)}


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on ``[lower, upper]`` with its peak at ``mode``."""

    lower: float
    mode: float
    upper: float
    group: str | None = None
    source: str = ""

    def _params(self) -> dict[str, Any]:
        return {
            "dist": "triangular",
            "lower": _num("lower", self.lower),
            "mode": _num("mode", self.mode),
            "upper": _num("upper", self.upper),
        }


@dataclass(frozen=True)
class Discrete(Distribution):
    """One of ``values`` with probabilities proportional to ``weights`` (default: equal)."""

    values: Sequence[float]
    weights: Sequence[float] | None = None
    group: str | None = None
    source: str = ""

    def _params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dist": "discrete", "values": [_num("values[]", v) for v in self.values]}
        if self.weights is not None:
            out["weights"] = [_num("weights[]", w) for w in self.weights]
        return out


def _bounds(out: dict[str, Any], lower: Any, upper: Any) -> dict[str, Any]:
    if lower is not None:
        out["lower"] = _num("lower", lower)
    if upper is not None:
        out["upper"] = _num("upper", upper)
    return out


@dataclass(frozen=True)
class JointNormal:
    """Joint normal of several fields.

    For example a calibration's estimates and their covariance
    (:meth:`gridrisk.calibrate.Fit.uncertainty`). Each draw is clipped to ``[lower, upper]``
    field by field (default: 6 standard deviations either side of the mean).

    Parameters
    ----------
    mean : mapping of str to float
        Field name to mean, in the field's unit.
    cov : array_like
        Covariance matrix, in the fields' order, in their units squared.
    """

    mean: Mapping[str, float]
    cov: Any
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None
    group: str | None = None
    source: str = ""

    def declaration(self) -> dict[str, Any]:
        """The ``[[uncertain]]`` table."""
        cov = np.asarray(self.cov, dtype=float)
        n = len(self.mean)
        if cov.shape != (n, n):
            raise ArgumentError(f"cov must be {n} x {n} (one row per field), got shape {cov.shape}")
        out: dict[str, Any] = {
            "fields": list(self.mean),
            "dist": "joint_normal",
            "mean": [_num(f"mean[{k!r}]", v) for k, v in self.mean.items()],
            "cov": cov.tolist(),
        }
        if self.lower is not None:
            out["lower"] = [_num("lower[]", v) for v in self.lower]
        if self.upper is not None:
            out["upper"] = [_num("upper[]", v) for v in self.upper]
        return _meta(out, self.group, self.source)


@dataclass(frozen=True)
class Scenarios:
    """Weighted scenarios of several fields: each path draws one row.

    Parameters
    ----------
    rows : mapping of str to mapping of str to float
        Scenario name to its values (field name to value, the same fields in every row).
    weights : mapping of str to float, optional
        Scenario name to weight (normalised; default equal).
    """

    rows: Mapping[str, Mapping[str, float]]
    weights: Mapping[str, float] | None = None
    group: str | None = None
    source: str = ""

    def declaration(self) -> dict[str, Any]:
        """The ``[[uncertain]]`` table."""
        if not self.rows:
            raise ArgumentError("Scenarios needs at least one row")
        first = next(iter(self.rows.values()))
        fields = list(first)
        values = []
        for name, row in self.rows.items():
            if list(row) != fields:
                raise ArgumentError(f"scenario {name!r} sets {list(row)}; every row must set {fields}, in that order")
            values.append([_num(f"rows[{name!r}][{f!r}]", row[f]) for f in fields])
        out: dict[str, Any] = {"fields": fields, "dist": "scenarios", "values": values}
        if self.weights is not None:
            missing = set(self.rows) ^ set(self.weights)
            if missing:
                raise ArgumentError(f"weights must name exactly the scenarios; differ on {sorted(missing)}")
            out["weights"] = [_num(f"weights[{k!r}]", self.weights[k]) for k in self.rows]
        return _meta(out, self.group, self.source)


def _meta(out: dict[str, Any], group: str | None, source: str) -> dict[str, Any]:
    if group is not None:
        out["group"] = group
    if source:
        out["source"] = source
    return out
