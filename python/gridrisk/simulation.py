"""Running simulations."""

from __future__ import annotations

import functools
import logging
import secrets
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gridrisk import _core, _progress, precision
from gridrisk._engine import run_core, thread_pool_size
from gridrisk._validate import close_match, number, whole
from gridrisk.distributed import simulate_on
from gridrisk.errors import ArgumentError, MergeError, PrecisionWarning
from gridrisk.results import ADVERSE_FROM_ZERO, Results
from gridrisk.scenario import Scenario

__all__ = ["MAX_PATHS", "merge", "simulate", "thread_pool_size"]

#: Largest number of paths (and largest path index) of a run.
MAX_PATHS = 2**60

_OUTPUTS = _core.output_names()

log = logging.getLogger("gridrisk")

#: Default cap on the memory ``keep_paths=True`` may allocate, GiB.
KEEP_PATHS_MAX_GIB = 2.0


def simulate(
    scenario: Scenario,
    *,
    paths: int = 100_000,
    seed: int | None = None,
    threads: int | None = None,
    keep_paths: bool = False,
    keep_outputs: bool = False,
    path_range: tuple[int, int] | None = None,
    progress: bool | _progress.ProgressCallback | None = None,
    keep_paths_max_gib: float = KEEP_PATHS_MAX_GIB,
    client: Any = None,
    antithetic: bool = False,
    target: Mapping[str, Any] | None = None,
    fans: str | Sequence[str] | None = None,
    control_variates: bool = False,
) -> Results:
    """Simulate Monte Carlo paths of every driver of a scenario.

    The GIL is released while paths run; Ctrl-C stops the run within a fraction of a second
    (the workers check for it before every path) and raises :class:`KeyboardInterrupt`.

    Parameters
    ----------
    scenario : Scenario
        What to simulate.
    paths : int
        Number of paths of the run, 1 to 2**60.
    seed : int, optional
        Master seed in [0, 2**64 - 1]. The same seed gives the same numbers, bit for bit,
        whatever ``threads`` or ``path_range`` split is used. ``None`` draws a fresh seed and
        records it in :attr:`Results.seed`.
    threads : int, optional
        Worker threads; ``None`` uses :func:`thread_pool_size`.
    keep_paths : bool
        Also return every path's monthly values (see :meth:`Results.path_array`). Memory is
        ``paths x (months x 117 metrics + 83 outputs) x 8`` bytes and is refused above
        ``keep_paths_max_gib``.
    keep_outputs : bool
        Return only every path's per-path outputs (:meth:`Results.path_output`,
        :meth:`Results.to_pandas`): 664 bytes a path (83 outputs).
    path_range : (int, int), optional
        Simulate only the global paths ``[lo, hi)`` of the run, with ``lo`` a multiple of
        ``gridrisk.CHUNK_PATHS`` (256) and ``hi <= paths``. Parts combine with
        :func:`gridrisk.merge` into exactly the full run's results.
    progress : bool or callable, optional
        ``None`` shows a progress line with the time left, in a terminal or a notebook, for runs
        longer than about two seconds, and elsewhere logs the estimated finish of runs longer
        than 30 s to the ``gridrisk`` logger (INFO); ``True`` also prints those lines where
        nothing would show; ``False`` is silent; a callable receives ``(paths_done,
        paths_total)`` about every 50 ms. Nothing to install.
    keep_paths_max_gib : float
        Memory cap for ``keep_paths``, GiB (default 2). Besides the kept values, each worker
        thread holds a batch of paths waiting to enter its quantile sketches; all batches together
        are capped at 256 MiB (fewer paths a batch with many threads or long horizons), plus each
        worker's own sketches (a few to a few tens of MB). A request that cannot be allocated
        raises ``MemoryError``.
    antithetic : bool
        Antithetic variates: paths come in pairs (2k, 2k + 1), the second with every standard
        normal shock negated (jump counts and Student-t mixing shared). Each path keeps its exact
        distribution; :meth:`Results.summary` then takes standard errors from the pair means, so
        the variance reduction shows in them. ``bench/README.md`` reports the measured factors.
    client : dask.distributed.Client, optional
        Run the paths on a Dask cluster (``pip install 'gridrisk[dask]'``): path ranges over the
        workers, merged in path order, bit-identical to a local run with the same seed
        (``threads`` and ``progress`` then apply on the workers / not at all).
    target : mapping, optional
        Run until these standard errors are reached, with ``paths`` as the budget: output name
        -> a standard error for its mean (a number in the output's base unit, e.g. ``1e9`` for
        PKR 1 bn, or a share of the mean such as ``"1%"``), or -> ``{"mean": ..., "p_adverse":
        ...}`` (``p_adverse``: the probability that the allocation makes the output worse, e.g.
        ``0.005`` for half a percentage point). The run takes 4,096 paths, then as many more as
        the square-root law says the largest miss needs (times 1.1, at most four times the paths
        so far), until every target holds; the result is bit for bit the fixed-size run of the
        paths it used (``Results.paths``), and the same seed always stops at the same count.
        A :class:`~gridrisk.errors.PrecisionWarning` names the targets missed when the budget
        runs out. Not with ``path_range`` or ``client``.
    control_variates : bool
        With ``target``: judge the targets by the control-variate estimates' standard errors
        (:meth:`Results.control_variates`) instead of the plain ones, which on the default
        preset needs several times fewer paths for the NPV's mean (``bench/README.md``). The
        result is still the fixed-size run of the paths used; read its adjusted figures with
        :meth:`Results.control_variates`. Every run records the controls' co-moments, so this
        only changes when a target run stops. Not with ``antithetic``.
    fans : "all" or sequence of str, optional
        Which monthly metrics keep a quantile sketch in every month, for :meth:`Results.fan`
        and the quantile columns of :meth:`Results.snapshot`. By default (``None``) the
        headline ones (:data:`gridrisk.HEADLINE_FANS`: the drivers, the fiscal flows and who
        pays them, the marginal cost, the households' shedding and the new loads) and the
        fiscal-year-to-date metrics in June (what :meth:`Results.fiscal_year_table` reads).
        A list of metric names adds those; ``"all"`` sketches every metric (117 a month: the
        run's statistics then cost about twice as much). Every metric keeps its mean and
        standard deviation, and every per-path output its quantiles, whatever ``fans``.

    Returns
    -------
    Results

    Raises
    ------
    ArgumentError
        For an argument out of range (the message names it and the allowed range).
    ScenarioError
        If the scenario's parameters drive a value out of floating-point range.
    KeyboardInterrupt
        On Ctrl-C, or if the progress callback raises (its exception is raised instead).
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentError(
            f"scenario must be a gridrisk.Scenario (e.g. Scenario.preset(...)), got {type(scenario).__name__}"
        )
    paths = whole("paths", paths, 1, MAX_PATHS)
    seed = secrets.randbits(63) if seed is None else whole("seed", seed, 0, 2**64 - 1)
    threads = thread_pool_size() if threads is None else whole("threads", threads, 1, 1024)
    if not isinstance(keep_paths, bool):
        raise ArgumentError(f"keep_paths must be True or False, got {keep_paths!r}")
    if not isinstance(antithetic, bool):
        raise ArgumentError(f"antithetic must be True or False, got {antithetic!r}")
    if not isinstance(keep_outputs, bool):
        raise ArgumentError(f"keep_outputs must be True or False, got {keep_outputs!r}")
    fans = _fans(fans)
    if not isinstance(control_variates, bool):
        raise ArgumentError(f"control_variates must be True or False, got {control_variates!r}")
    if control_variates and target is None:
        raise ArgumentError(
            "control_variates=True chooses which errors a target= run stops on; without a target every run "
            "already records the controls: read Results.control_variates()"
        )
    if control_variates and antithetic:
        raise ArgumentError("control_variates and antithetic cannot be combined (the pairs' paths are dependent)")
    if path_range is None:
        lo, hi = 0, paths
    else:
        try:
            lo, hi = path_range
        except (TypeError, ValueError):
            raise ArgumentError(f"path_range must be a pair (lo, hi), got {path_range!r}") from None
        lo = whole("path_range[0]", lo, 0, paths - 1)
        hi = whole("path_range[1]", hi, lo + 1, paths)
        if lo % _core.CHUNK_PATHS:
            raise ArgumentError(
                f"path_range[0] must be a multiple of {_core.CHUNK_PATHS} (gridrisk.CHUNK_PATHS), got {lo}"
            )
    if keep_paths or keep_outputs:
        cap = number("keep_paths_max_gib", keep_paths_max_gib, 0.0, 1e6)
        need = _core.keep_paths_bytes(hi - lo, scenario.months) if keep_paths else (hi - lo) * 8 * len(_OUTPUTS)
        if need > cap * 2**30:
            raise ArgumentError(
                f"keeping per-path values would allocate {need / 2**30:.2f} GiB for {hi - lo:_} paths, "
                f"above keep_paths_max_gib={cap:g} GiB; "
                "use fewer paths, path_range=..., or raise keep_paths_max_gib"
            )
    if target is not None:
        if path_range is not None or client is not None:
            raise ArgumentError("target cannot be combined with path_range or client: it chooses the paths itself")
        targets = precision.parse_targets(target, list(_OUTPUTS), ADVERSE_FROM_ZERO)
        return _until(
            targets,
            scenario,
            budget=paths,
            seed=seed,
            threads=threads,
            keep_paths=keep_paths,
            keep_outputs=keep_outputs,
            progress=progress,
            antithetic=antithetic,
            fans=fans,
            control_variates=control_variates,
        )
    if client is not None:
        if path_range is not None:
            raise ArgumentError("path_range and client cannot be combined: the client splits the run itself")
        return simulate_on(
            client,
            scenario,
            paths=paths,
            seed=seed,
            keep_paths=keep_paths,
            keep_outputs=keep_outputs,
            antithetic=antithetic,
            fans=fans,
        )
    callback, close = _progress.make(progress, hi - lo, desc=f"gridrisk {scenario.name}")
    try:
        return run_core(
            scenario,
            seed=seed,
            lo=lo,
            hi=hi,
            threads=threads,
            keep_paths=keep_paths,
            keep_outputs=keep_outputs,
            antithetic=antithetic,
            progress=callback,
            fans=fans,
        )
    finally:
        close()


def _fans(fans: Any) -> str | list[str] | None:
    """``fans=`` checked: ``None``, ``"all"``, or a list of metric names (one name alone too)."""
    if fans is None:
        return None
    if isinstance(fans, str) and fans == "all":
        return "all"
    names = [fans] if isinstance(fans, str) else fans
    try:
        names = list(names)
    except TypeError:
        raise ArgumentError(f'fans must be "all" or a list of metric names, got {fans!r}') from None
    metrics = list(_core.metric_names())
    for name in names:
        if not isinstance(name, str):
            raise ArgumentError(f'fans must be "all" or a list of metric names, got {name!r} in it')
        if name not in metrics:
            near = close_match(name, metrics)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise ArgumentError(
                f"fans: {name!r} is not a monthly metric{hint}; the names are Results.metrics, e.g. {metrics[0]!r}"
            )
    return names


def _until(
    targets: list[precision.Target],
    scenario: Scenario,
    *,
    budget: int,
    seed: int,
    control_variates: bool = False,
    **run: Any,
) -> Results:
    """Run ``[0, n₁)``, ``[n₁, n₂)``... merging, until every target holds or the budget is spent."""
    chunk = int(_core.CHUNK_PATHS)
    n = precision.first_paths(budget, chunk)
    res = simulate(scenario, paths=budget, seed=seed, path_range=(0, n), **run)
    while True:
        missing = precision.unmet(res, targets, control_variates)
        if not missing:
            log.info("gridrisk: every target met at %s paths", f"{n:,}")
            return res
        if n >= budget:
            detail = "; ".join(f"{t} (reached {se:.3g})" for t, se in missing)
            warnings.warn(
                f"the path budget of {budget:,} paths ran out before every target held: {detail}. "
                "Raise paths= (the budget) or loosen the target.",
                PrecisionWarning,
                stacklevel=3,
            )
            return res
        nxt = precision.next_paths(n, missing, budget, chunk)
        log.info(
            "gridrisk: %s paths: %s; running to %s paths",
            f"{n:,}",
            "; ".join(f"{t} (reached {se:.3g})" for t, se in missing),
            f"{nxt:,}",
        )
        res = res.merge(simulate(scenario, paths=budget, seed=seed, path_range=(n, nxt), **run))
        n = nxt


def merge(parts: Iterable[Results]) -> Results:
    """Combine results of adjacent path ranges of one run (in any order).

    The result is bit-identical to a single run over the union of the ranges.

    Raises
    ------
    MergeError
        If the parts come from different runs, overlap, or leave a gap.
    ArgumentError
        If ``parts`` is not an iterable of :class:`Results`.
    """
    if isinstance(parts, Results) or not isinstance(parts, Iterable):
        raise ArgumentError(f"merge takes an iterable of Results, got {type(parts).__name__}")
    given = list(parts)
    for p in given:
        if not isinstance(p, Results):
            raise ArgumentError(f"merge takes gridrisk.Results, got a {type(p).__name__}")
    items = sorted(given, key=lambda r: r.path_range)
    if not items:
        raise MergeError("nothing to merge: no results given")
    return functools.reduce(Results.merge, items)
