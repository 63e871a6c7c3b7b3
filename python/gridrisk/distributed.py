"""Scale-out on Dask: a run split into path ranges over the workers, merged in a fixed order.

Every path's random numbers depend only on (seed, path, stream), and statistics merge in a tree
fixed by path indices, so the merged result is bit-identical to a local run with the same seed,
whatever the number of workers or partitions. A worker lost mid-run only loses its partitions,
which Dask recomputes (the same numbers again).

An error on a worker reaches the caller as the exception a local run raises: the worker catches
everything its part raises (a panic of the compiled core arrives as
:class:`~gridrisk.errors.InternalError`, like any gridrisk error; any other ``BaseException``
but ``KeyboardInterrupt`` and ``SystemExit`` too) and returns it as a :class:`_Failure`,
pickled and checked by gridrisk rather than by Dask, so an exception that Dask could not ship
(or would truncate) can never leave the caller waiting; the first failure cancels the other
parts.
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from gridrisk import _core, _engine
from gridrisk.errors import ArgumentError, InternalError
from gridrisk.results import Results
from gridrisk.scenario import Scenario

__all__ = ["partitions", "simulate_on"]


@dataclasses.dataclass(frozen=True)
class _Failure:
    """An exception raised on a worker, as a value that always pickles.

    ``payload`` is the pickled exception (checked to unpickle to the same type and message on
    the worker); ``notes`` keeps its ``__notes__``, which some exceptions drop when pickled.
    """

    payload: bytes
    notes: tuple[str, ...]

    @classmethod
    def of(cls, error: BaseException) -> _Failure:
        """Wrap ``error``; one that does not survive pickling becomes an :class:`InternalError`.

        Every gridrisk exception pickles; one that does not is foreign to gridrisk (an
        exception class defined on the worker only, a ``BaseException`` of a library ...), so
        the caller gets an ``InternalError`` naming its type and message.
        """
        notes = tuple(str(n) for n in getattr(error, "__notes__", ()))
        try:
            payload = pickle.dumps(error)
            again = pickle.loads(payload)
            if type(again) is not type(error) or str(again) != str(error):
                raise TypeError("the exception does not survive pickling")
        except Exception:
            kind = type(error).__name__
            payload = pickle.dumps(InternalError(f"a part of the run failed on a Dask worker ({kind}: {error})"))
        return cls(payload, notes)

    def reraise(self) -> NoReturn:
        """Raise the worker's exception here, with its notes."""
        error = pickle.loads(self.payload)
        for note in self.notes:
            if note not in getattr(error, "__notes__", ()):
                error.add_note(note)
        raise error


def partitions(paths: int, parts: int) -> list[tuple[int, int]]:
    """Split ``[0, paths)`` into at most ``parts`` nearly equal ranges.

    Inner bounds are multiples of the chunk size, so the parts merge back exactly.
    """
    chunk = _core.CHUNK_PATHS
    n_chunks = -(-paths // chunk)
    parts = max(1, min(parts, n_chunks))
    bounds = [min(paths, (n_chunks * k // parts) * chunk) for k in range(parts + 1)]
    return [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]


def _part(
    scenario: dict[str, Any],
    paths: int,
    seed: int,
    lo: int,
    hi: int,
    keep_paths: bool,
    keep_outputs: bool,
    stream_seeds: Sequence[int] | None,
    antithetic: bool = False,
    param_seeds: Mapping[str, int] | None = None,
    fans: str | Sequence[str] | None = None,
) -> Results | _Failure:
    """Run one path range on a worker (module-level so Dask can pickle it by reference).

    Returns the part's results, or a :class:`_Failure` for anything it raised (a panic of the
    core arrives as ``InternalError``; a ``BaseException`` from elsewhere is carried too); only
    ``KeyboardInterrupt`` and ``SystemExit`` pass through, to Dask.
    """
    try:
        data = _core.validate_scenario(scenario)
        # The caller puts its own scenario (with its origin) on the merged results.
        sc = Scenario._from_canonical(data, (str(data["meta"]["name"]), None))
        # Looked up on the module at call time, so a test can replace it on the workers.
        return _engine.run_core(
            sc,
            seed=seed,
            lo=lo,
            hi=hi,
            threads=_engine.thread_pool_size(),
            keep_paths=keep_paths,
            keep_outputs=keep_outputs,
            antithetic=antithetic,
            stream_seeds=stream_seeds,
            param_seeds=param_seeds,
            fans=fans,
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # an Exception, or a BaseException raised by code not gridrisk's
        return _Failure.of(e)


def _gather(client: Any, futures: list[Any]) -> list[Results]:
    """The parts' results in submission order; the first failure cancels the rest and is raised."""
    import distributed

    as_completed: Any = distributed.as_completed  # untyped
    position = {f.key: i for i, f in enumerate(futures)}
    parts: list[Any] = [None] * len(futures)
    try:
        for future in as_completed(futures):
            value = future.result()  # Dask's own errors (a worker killed too often...) raise here
            if isinstance(value, _Failure):
                value.reraise()
            parts[position[future.key]] = value
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
    return parts


def simulate_on(
    client: Any,
    scenario: Any,
    *,
    paths: int,
    seed: int,
    keep_paths: bool = False,
    keep_outputs: bool = False,
    n_partitions: int | None = None,
    stream_seeds: Sequence[int] | None = None,
    antithetic: bool = False,
    param_seeds: Mapping[str, int] | None = None,
    fans: str | Sequence[str] | None = None,
) -> Results:
    """Run ``paths`` paths of ``scenario`` on a ``dask.distributed.Client`` and merge the parts.

    ``n_partitions`` defaults to four per worker thread. Each partition is an ordinary
    :func:`gridrisk.simulate` over a path range; parts are merged in path order. The results
    carry ``scenario`` itself (with its origin and overrides).

    Raises
    ------
    ArgumentError
        If ``client`` is not a Dask client.
    GridRiskError
        The exception a part raised on its worker, as a local run raises it (a panic of the
        engine as :class:`~gridrisk.errors.InternalError`, as locally; an exception that cannot
        be pickled as an ``InternalError`` naming its type and message).
    """
    if not hasattr(client, "submit") or not hasattr(client, "gather"):
        raise ArgumentError("client must be a dask.distributed.Client")
    if n_partitions is None:
        threads = sum(client.nthreads().values()) if hasattr(client, "nthreads") else 1
        n_partitions = 4 * max(1, threads)
    data = scenario.to_dict()
    futures = [
        client.submit(
            _part,
            data,
            paths,
            seed,
            lo,
            hi,
            keep_paths,
            keep_outputs,
            stream_seeds,
            antithetic,
            param_seeds,
            fans,
            pure=False,
        )
        for lo, hi in partitions(paths, n_partitions)
    ]
    parts = _gather(client, futures)
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    return dataclasses.replace(merged, scenario=scenario)
