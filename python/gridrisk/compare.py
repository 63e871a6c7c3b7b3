"""Policies side by side on common random numbers, and grids of policies."""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gridrisk._validate import whole
from gridrisk.errors import ArgumentError, ScenarioError
from gridrisk.results import Results
from gridrisk.scenario import Scenario
from gridrisk.simulation import simulate

__all__ = ["Comparison", "Sweep", "compare", "sweep"]

_Z95 = 1.959963984540054


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

    def summary(self) -> pd.DataFrame:
        """Every policy's :meth:`Results.summary`, stacked with a ``policy`` index level."""
        return pd.concat({name: r.summary() for name, r in self.results.items()}, names=["policy", "output"])

    def differences(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired differences of every output against ``baseline`` (default: the first policy).

        On common random numbers each path is the same world under both policies, so the
        difference is computed path by path: ``mean`` is the mean difference (policy minus
        baseline), ``se`` its Monte Carlo standard error ``sd(diff) / sqrt(paths)``, and
        ``ci95_low``/``ci95_high`` the normal 95 % interval. Units as in ``OUTPUT_UNITS``.
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
                    "ci95_low": mean - _Z95 * se,
                    "ci95_high": mean + _Z95 * se,
                }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index = pd.MultiIndex.from_tuples(df.index, names=["policy", "output"])
        return df


def _check_paths_seed(paths: int, seed: int | None) -> tuple[int, int]:
    paths = whole("paths", paths, 2, 2**60)
    seed = secrets.randbits(63) if seed is None else whole("seed", seed, 0, 2**64 - 1)
    return paths, seed


def compare(
    scenarios: Mapping[str, Scenario],
    *,
    paths: int = 10_000,
    seed: int | None = None,
    threads: int | None = None,
    progress: bool | None = None,
    client: Any = None,
) -> Comparison:
    """Simulate several policies on common random numbers (the same draws of every driver).

    Parameters
    ----------
    scenarios : mapping of str to Scenario
        Policies by name, e.g. ``{"none": sc0, "2000MW firm": sc1}``; the first is the baseline
        of :meth:`Comparison.differences`. Only the policy should differ; scenarios whose drivers
        differ are still paired path by path, but then the comparison mixes policy and world.
    paths : int
        Paths per policy (at least 2).
    seed : int, optional
        Master seed shared by every policy (drawn and recorded if ``None``).
    threads, progress, client
        As for :func:`gridrisk.simulate` (``client`` runs each policy on a Dask cluster).

    Returns
    -------
    Comparison
    """
    if not isinstance(scenarios, Mapping) or len(scenarios) < 2:
        raise ArgumentError("compare needs a mapping of at least two named scenarios")
    for name, sc in scenarios.items():
        if not isinstance(sc, Scenario):
            raise ArgumentError(f"scenarios[{name!r}] must be a gridrisk.Scenario, got {type(sc).__name__}")
        if sc.months != next(iter(scenarios.values())).months:
            raise ArgumentError("all scenarios must have the same horizon_months to be compared path by path")
    paths, seed = _check_paths_seed(paths, seed)
    results = {
        str(name): simulate(
            sc, paths=paths, seed=seed, threads=threads, keep_outputs=True, progress=progress, client=client
        )
        for name, sc in scenarios.items()
    }
    return Comparison(results)


@dataclass(frozen=True)
class Sweep:
    """A grid of policies on common random numbers.

    Attributes
    ----------
    table : DataFrame
        One row per combination: the swept parameters, then ``npv_mean`` and ``npv_se`` (PKR),
        ``p_npv_negative``, ``var95`` and ``cvar95`` of the NPV loss (PKR, positive = loss),
        ``circular_debt_mean`` (PKR), ``lole_with_h_per_year``, ``miner_uptime_share``, and
        ``on_frontier``: no other combination has both a higher expected NPV and a lower CVaR.
    """

    table: pd.DataFrame

    @property
    def frontier(self) -> pd.DataFrame:
        """The risk/return frontier: efficient combinations, by increasing CVaR 95 %."""
        return self.table[self.table["on_frontier"]].sort_values("cvar95")


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    *,
    paths: int = 10_000,
    seed: int | None = None,
    threads: int | None = None,
    progress: bool | None = False,
    client: Any = None,
) -> Sweep:
    """Simulate every combination of policy parameters on common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    grid : mapping of dotted field to sequence of values
        E.g. ``{"allocation.mining_mw": [0, 1000, 2000], "mining.tariff_pkr_per_kwh": [20, 30]}``.
    paths, seed, threads, progress, client
        As for :func:`compare` (the same seed for every combination).

    Returns
    -------
    Sweep

    Raises
    ------
    ScenarioError
        If a combination is invalid (the combination is named in a note).
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentError("scenario must be a gridrisk.Scenario")
    if not isinstance(grid, Mapping) or not grid:
        raise ArgumentError("grid must map dotted field names to lists of values")
    keys = list(grid)
    values = []
    for k in keys:
        v = grid[k]
        if isinstance(v, (str, bytes)) or not isinstance(v, Sequence) or len(v) == 0:
            raise ArgumentError(f"grid[{k!r}] must be a non-empty list of values")
        values.append(list(v))
    paths, seed = _check_paths_seed(paths, seed)
    rows = []
    for combo in itertools.product(*values):
        overrides = dict(zip(keys, combo, strict=True))
        try:
            sc = scenario.replace(overrides)
        except ScenarioError as e:
            e.add_note(f"in sweep combination {overrides}")
            raise
        res = simulate(sc, paths=paths, seed=seed, threads=threads, progress=progress, client=client)
        s = res.summary()
        risk = res.risk()
        rows.append(
            {
                **overrides,
                "npv_mean": s.loc["npv_pkr", "mean"],
                "npv_se": s.loc["npv_pkr", "se"],
                "p_npv_negative": risk.loc["P(NPV < 0)", "value"],
                "var95": risk.loc["VaR 95 % of the NPV loss", "value"],
                "cvar95": risk.loc["CVaR 95 % of the NPV loss", "value"],
                "circular_debt_mean": s.loc["circular_debt_change_pkr", "mean"],
                "lole_with_h_per_year": s.loc["lole_with_h_per_year", "mean"],
                "miner_uptime_share": s.loc["miner_uptime_share", "mean"],
            }
        )
    table = pd.DataFrame(rows)
    npv, cvar = table["npv_mean"].to_numpy(), table["cvar95"].to_numpy()
    dominated = np.array(
        [
            bool(np.any((npv >= npv[i]) & (cvar <= cvar[i]) & ((npv > npv[i]) | (cvar < cvar[i]))))
            for i in range(len(table))
        ]
    )
    table["on_frontier"] = ~dominated
    return Sweep(table)
