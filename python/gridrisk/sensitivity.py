"""Which uncertainty drives the risk: Sobol indices of an output by driver and parameter group.

Pick-freeze on the model's own random streams (Saltelli et al. 2010): run A uses seed ``a`` for
every stream, run B seed ``b``, and run AB_j seed ``a`` except for group ``j``'s streams, which
take ``b``. Because every (seed, path, stream) has its own generator, AB_j changes exactly group
``j``'s randomness and nothing else. With ``f`` the per-path output and ``V`` the variance of
``[f_A, f_B]``:

    first order  S_j  = mean(f_B (f_ABj - f_A)) / V          (Saltelli 2010)
    total order  ST_j = mean((f_A - f_ABj)^2) / (2 V)        (Jansen 1999)

the estimators of SALib's ``sobol.analyze``; confidence intervals by bootstrap over paths.

Uncertain parameters (``Scenario.uncertain``) are inputs too: each group of them draws from
generators keyed by the group's own seed (``docs/model.md`` section 1.2), so run AB_g gives
parameter group ``g`` seed ``b`` and keeps every other group and every driver at ``a``.

The inputs are the *independent innovations* of each group (before the correlation matrix mixes
the factors), so with correlated drivers an index measures the share of variance explained by a
group's own shocks in the Cholesky order of ``correlation.factors``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import _core, _progress, units
from gridrisk._engine import run_core, thread_pool_size
from gridrisk._validate import choice, whole
from gridrisk.distributed import simulate_on
from gridrisk.errors import ArgumentError
from gridrisk.results import Results
from gridrisk.scenario import Scenario
from gridrisk.simulation import simulate
from gridrisk.tables import Table

__all__ = ["DRIVER_GROUPS", "Sensitivity", "sensitivity"]

#: Random streams of a path, in the engine's order (src/rng.rs).
STREAMS: tuple[str, ...] = (
    "demand", "oil", "lng", "coal", "fx", "bitcoin", "hashrate", "hydro",
    "fx_jumps", "bitcoin_jumps", "bitcoin_tails", "fees", "takeup", "parameters",
)  # fmt: skip

#: Default driver groups and the streams each one owns.
DRIVER_GROUPS: dict[str, tuple[str, ...]] = {
    "demand": ("demand",),
    "fuels": ("oil", "lng", "coal"),
    "fx": ("fx", "fx_jumps"),
    "bitcoin": ("bitcoin", "bitcoin_jumps", "bitcoin_tails"),
    "hashrate": ("hashrate",),
    "fees": ("fees",),
    "hydro": ("hydro",),
    "takeup": ("takeup",),
}


@dataclass(frozen=True)
class Sensitivity:
    """Sobol indices of one output with respect to driver and parameter groups.

    Attributes
    ----------
    indices : DataFrame
        One row per group: ``kind`` (``"driver"`` or ``"parameter"``), ``first`` and ``total``
        order indices and ``first_ci``/``total_ci``, the half-widths of their 95 % bootstrap
        confidence intervals.
    output : str
        What was analysed.
    variance : float
        Variance of the output over runs A and B.
    samples : dict of str to ndarray
        The per-path outputs of runs ``"A"``, ``"B"`` and ``"AB:<group>"`` (for checks and
        other estimators).
    """

    indices: pd.DataFrame
    output: str
    variance: float
    paths: int
    seed: int
    samples: dict[str, np.ndarray] = field(repr=False)

    def plot(self, ax: Any = None) -> Any:
        """Bars of first- and total-order indices (see :func:`gridrisk.plot.sobol_bars`)."""
        from gridrisk.plot import sobol_bars

        return sobol_bars(self.indices, output=self.output, ax=ax)

    def table(self) -> Table:
        """The indices as people read them: groups in words, each index ± its bootstrap error.

        Returns
        -------
        Table
            Rows by decreasing total-order index; ``kind``, ``first order`` and ``total order``
            as ``"0.70 ± 0.04"`` (the 95 % half-width over 1.96). ``.data`` holds
            :attr:`indices` in that order.
        """
        ind = self.indices.sort_values("total", ascending=False)

        def cells(value: str, ci: str) -> list[str]:
            return [units.format_pm(float(v), float(c) / units.Z95) for v, c in zip(ind[value], ind[ci], strict=True)]

        text = pd.DataFrame(
            {
                "kind": ind["kind"].to_numpy(),
                "first order": cells("first", "first_ci"),
                "total order": cells("total", "total_ci"),
            },
            index=pd.Index([_group_words(str(g)) for g in ind.index], name="group"),
        )
        return Table(
            ind,
            text,
            f"Sobol indices of the {units.describe(self.output).lower()} "
            f"({self.paths:,} paths per run, seed {self.seed})",
            (
                "Share of the output's variance explained by each group of drivers or uncertain parameters: alone "
                "(first order) and with its interactions (total order), ± a bootstrap standard error.",
            ),
        )


def _group_words(group: str) -> str:
    """A driver group's words, or a parameter group's name as a row label (capitalised)."""
    words = units.GROUP_WORDS.get(group, group)
    return words[:1].upper() + words[1:]


def _indices(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[float, float]:
    var = float(np.var(np.r_[fa, fb]))
    if var <= np.finfo(float).eps:
        return 0.0, 0.0
    return float(np.mean(fb * (fab - fa)) / var), float(0.5 * np.mean((fa - fab) ** 2) / var)


def sensitivity(
    scenario: Scenario,
    output: str | Callable[[Results], np.ndarray] = "npv_pkr",
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    parameters: bool | Sequence[str] = True,
    paths: int = 2_000,
    seed: int | None = None,
    bootstrap: int = 200,
    threads: int | None = None,
    progress: bool | _progress.ProgressCallback | None = None,
    client: Any = None,
) -> Sensitivity:
    """Sobol first- and total-order indices of an output by driver and parameter group.

    The parameter groups are those of the scenario's uncertain fields (``Scenario.uncertain``).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    output : str or callable
        A per-path output name (e.g. ``"npv_pkr"``), or a function of a :class:`Results` with
        kept paths returning one value per path (e.g. ``lambda r: r.path_array("fx.pkr_per_usd")[:, 12]``).
    groups : mapping of str to sequence of str, optional
        Group name to stream names (see ``STREAMS``); default :data:`DRIVER_GROUPS`.
    parameters : bool or sequence of str
        Which groups of the scenario's uncertain parameters (``Scenario.uncertain["group"]``) to
        analyse: all of them (``True``, the default), none, or the named ones. Groups left out
        still vary, with the drivers' seed of each run.
    paths : int
        Paths per run; the analysis makes ``2 + len(groups) + len(parameter groups)`` runs.
    seed : int, optional
        Seed of run A; run B uses a seed derived from it.
    bootstrap : int
        Bootstrap resamples for the confidence intervals (0 for none).
    threads, progress, client
        As for :func:`gridrisk.simulate` (``client``: every run on a Dask cluster); one progress
        line, or one function of ``(paths_done, paths_total)``, over all the runs.

    Returns
    -------
    Sensitivity
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentError("scenario must be a gridrisk.Scenario")
    groups = dict(DRIVER_GROUPS if groups is None else groups)
    if not groups:
        raise ArgumentError("groups must name at least one group of streams")
    for g, members in groups.items():
        if isinstance(members, str) or not members:
            raise ArgumentError(f"groups[{g!r}] must be a non-empty list of stream names")
        for m in members:
            choice("stream", m, STREAMS)
    declared = list(dict.fromkeys(scenario.uncertain["group"]))
    if parameters is True:
        pgroups = declared
    elif parameters is False:
        pgroups = []
    elif isinstance(parameters, str) or not isinstance(parameters, Sequence):
        raise ArgumentError("parameters must be True, False or a list of parameter group names")
    else:
        pgroups = [choice("parameter group", g, declared) for g in parameters]
    clash = sorted(set(pgroups) & set(groups))
    if clash:
        raise ArgumentError(
            f"{clash} name both a driver group and a parameter group; rename the parameter group "
            "(the 'group' of its declaration in Scenario.uncertain)"
        )
    paths = whole("paths", paths, 2, 10**8)
    bootstrap = whole("bootstrap", bootstrap, 0, 100_000)
    a = secrets.randbits(63) if seed is None else whole("seed", seed, 0, 2**64 - 1)
    b = (a ^ 0x9E37_79B9_7F4A_7C15) % 2**64  # any other seed: streams are keyed through a strong mix

    if callable(output):
        name = getattr(output, "__name__", "custom output")

        def value(res: Results) -> np.ndarray:
            v = np.asarray(output(res), dtype=np.float64)
            if v.shape != (paths,):
                raise ArgumentError(f"output function must return {paths} values, one per path; got {v.shape}")
            return v

        keep: dict[str, bool] = {"keep_paths": True}
    else:
        name = choice("output", output, list(_core.output_names()))

        def value(res: Results) -> np.ndarray:
            return res.path_output(name)

        keep = {"keep_outputs": True}

    def run(seeds: list[int], pseeds: dict[str, int] | None, progress: _progress.ProgressCallback | bool) -> np.ndarray:
        if client is not None:
            return value(
                simulate_on(
                    client,
                    scenario,
                    paths=paths,
                    seed=seeds[0],
                    stream_seeds=seeds,
                    param_seeds=pseeds,
                    keep_paths=keep.get("keep_paths", False),
                    keep_outputs=keep.get("keep_outputs", False),
                )
            )
        if len(set(seeds)) == 1 and not pseeds:  # an ordinary run (memory caps and progress as usual)
            res = simulate(
                scenario,
                paths=paths,
                seed=seeds[0],
                threads=threads,
                progress=progress,
                keep_paths=keep.get("keep_paths", False),
                keep_outputs=keep.get("keep_outputs", False),
            )
        else:
            res = _simulate_seeds(scenario, paths, seeds, threads, keep, pseeds, progress)
        return value(res)

    runs: list[tuple[str, str, list[int], dict[str, int] | None]] = [
        (g, "driver", [b if s in members else a for s in STREAMS], None) for g, members in groups.items()
    ]
    runs += [(g, "parameter", [a] * len(STREAMS), {g: b}) for g in pgroups]
    with _progress.Runs(progress, 2 + len(runs), paths, "gridrisk sensitivity") as bar:
        fa = run([a] * len(STREAMS), None, bar.run(0))
        fb = run([b] * len(STREAMS), None, bar.run(1))
        fabs = [run(seeds, pseeds, bar.run(2 + i)) for i, (_, _, seeds, pseeds) in enumerate(runs)]
    samples = {"A": fa, "B": fb}
    rows = {}
    rng = np.random.default_rng(a)
    draws = [rng.integers(0, paths, paths) for _ in range(bootstrap)]
    for (g, kind, _, _), fab in zip(runs, fabs, strict=True):
        samples[f"AB:{g}"] = fab
        first, total = _indices(fa, fb, fab)
        boot = np.array([_indices(fa[i], fb[i], fab[i]) for i in draws]) if draws else np.full((1, 2), np.nan)
        rows[g] = {
            "kind": kind,
            "first": first,
            "first_ci": units.Z95 * float(boot[:, 0].std(ddof=1)) if len(draws) > 1 else np.nan,
            "total": total,
            "total_ci": units.Z95 * float(boot[:, 1].std(ddof=1)) if len(draws) > 1 else np.nan,
        }
    indices = pd.DataFrame.from_dict(rows, orient="index")
    indices.index.name = "group"
    return Sensitivity(indices, name, float(np.var(np.r_[fa, fb])), paths, a, samples)


def _simulate_seeds(
    scenario: Scenario,
    paths: int,
    seeds: list[int],
    threads: int | None,
    keep: dict[str, bool],
    param_seeds: dict[str, int] | None = None,
    progress: _progress.ProgressCallback | bool = False,
) -> Results:
    """A run whose streams take the given seeds (the engine's pick-freeze hook).

    ``progress``: ``False`` or a ``(paths_done, paths_total)`` callback (:class:`_progress.Runs`).
    """
    callback = progress if callable(progress) else None
    return run_core(
        scenario,
        seed=seeds[0],
        lo=0,
        hi=paths,
        threads=thread_pool_size() if threads is None else whole("threads", threads, 1, 1024),
        keep_paths=keep.get("keep_paths", False),
        keep_outputs=keep.get("keep_outputs", False),
        stream_seeds=seeds,
        param_seeds=param_seeds,
        progress=callback,
    )
