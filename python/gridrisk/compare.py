"""Policies side by side on common random numbers, and grids of policies."""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gridrisk._validate import short_repr, whole
from gridrisk.errors import ArgumentError, ScenarioError
from gridrisk.results import OUTPUT_BETTER, Results
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
                    "ci95_low": mean - _Z95 * se,
                    "ci95_high": mean + _Z95 * se,
                    "better": OUTPUT_BETTER.get(out, "higher"),
                }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index = pd.MultiIndex.from_tuples(df.index, names=["policy", "output"])
        return df


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
    progress: bool | None = None,
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
    threads, progress, client
        As for :func:`gridrisk.simulate` (``client`` runs each policy on a Dask cluster).

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
    results = {
        name: simulate(sc, paths=paths, seed=seed, threads=threads, keep_outputs=True, progress=progress, client=client)
        for name, sc in pairs
    }
    return Comparison(results)


@dataclass(frozen=True)
class Sweep:
    """A grid of policies on common random numbers.

    Attributes
    ----------
    table : DataFrame
        One row per combination: the swept parameters, then ``npv_mean`` and ``npv_se`` (PKR),
        ``p_npv_negative``, ``npv_loss_var95`` and ``npv_loss_cvar95``, the VaR and CVaR 95 %
        of the NPV loss (minus the NPV, PKR: positive = the state loses; the CVaR is the mean
        loss of the worst 5 % of paths), ``circular_debt_mean`` (PKR), ``lole_with_h_per_year``,
        ``miner_uptime_share``, and ``on_frontier``: no other combination has both a higher
        expected NPV and a lower ``npv_loss_cvar95``.
    """

    table: pd.DataFrame

    @property
    def frontier(self) -> pd.DataFrame:
        """The risk/return frontier: efficient combinations, by increasing ``npv_loss_cvar95``."""
        return self.table[self.table["on_frontier"]].sort_values("npv_loss_cvar95")


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
        E.g. ``{"allocation.mining_mw": [0, 1000, 2000], "mining.tariff[1].base_pkr_per_kwh": [20, 30]}``;
        the values may be a list, tuple, range or NumPy array (NumPy scalars become numbers),
        not a set (its order is arbitrary).
    paths, seed, threads, progress, client
        As for :func:`compare` (the same seed for every combination).

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
                "npv_loss_var95": risk.loc["VaR 95 % of the NPV loss", "value"],
                "npv_loss_cvar95": risk.loc["CVaR 95 % of the NPV loss", "value"],
                "circular_debt_mean": s.loc["circular_debt_change_pkr", "mean"],
                "lole_with_h_per_year": s.loc["lole_with_h_per_year", "mean"],
                "miner_uptime_share": s.loc["miner_uptime_share", "mean"],
            }
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
