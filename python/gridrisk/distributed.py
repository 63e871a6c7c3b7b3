"""Scale-out on Dask: a run split into path ranges over the workers, merged in a fixed order.

Every path's random numbers depend only on (seed, path, stream), and statistics merge in a tree
fixed by path indices, so the merged result is bit-identical to a local run with the same seed,
whatever the number of workers or partitions. A worker lost mid-run only loses its partitions,
which Dask recomputes (the same numbers again).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from gridrisk import _core
from gridrisk.errors import ArgumentError
from gridrisk.results import Results

__all__ = ["partitions", "simulate_on"]


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
) -> Results:
    """Run one path range on a worker (module-level so Dask can pickle it by reference)."""
    from gridrisk.scenario import Scenario
    from gridrisk.simulation import run_core, thread_pool_size

    sc = Scenario._from_canonical(_core.validate_scenario(scenario))
    return run_core(
        sc,
        seed=seed,
        lo=lo,
        hi=hi,
        threads=thread_pool_size(),
        keep_paths=keep_paths,
        keep_outputs=keep_outputs,
        antithetic=antithetic,
        stream_seeds=stream_seeds,
    )


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
) -> Results:
    """Run ``paths`` paths of ``scenario`` on a ``dask.distributed.Client`` and merge the parts.

    ``n_partitions`` defaults to four per worker thread. Each partition is an ordinary
    :func:`gridrisk.simulate` over a path range; parts are merged in path order.
    """
    if not hasattr(client, "submit") or not hasattr(client, "gather"):
        raise ArgumentError("client must be a dask.distributed.Client")
    if n_partitions is None:
        threads = sum(client.nthreads().values()) if hasattr(client, "nthreads") else 1
        n_partitions = 4 * max(1, threads)
    data = scenario.to_dict()
    futures = [
        client.submit(_part, data, paths, seed, lo, hi, keep_paths, keep_outputs, stream_seeds, antithetic, pure=False)
        for lo, hi in partitions(paths, n_partitions)
    ]
    parts: list[Results] = client.gather(futures)
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    return merged
