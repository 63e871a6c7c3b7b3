"""The one call into the compiled core's ``simulate``, and the thread pool's size.

Shared by :mod:`gridrisk.simulation` (a run in this process), :mod:`gridrisk.distributed` (a
part of a run on a Dask worker) and :mod:`gridrisk.sensitivity`, so none of them imports another
for it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence

from gridrisk import _core, _progress
from gridrisk.errors import ArgumentError
from gridrisk.results import Results
from gridrisk.scenario import Scenario

__all__ = ["run_core", "thread_pool_size"]


def thread_pool_size() -> int:
    """Threads a run uses when ``threads=None``.

    Set the ``GRIDRISK_NUM_THREADS`` environment variable to change it; otherwise it is the
    number of cores available to the process.

    Raises
    ------
    ArgumentError
        If ``GRIDRISK_NUM_THREADS`` is set but is not a whole number in [1, 1024].
    """
    raw = os.environ.get("GRIDRISK_NUM_THREADS")
    if raw is not None and raw.strip():
        try:
            n = int(raw)
        except ValueError:
            n = 0
        if not 1 <= n <= 1024:
            raise ArgumentError(
                f"the environment variable GRIDRISK_NUM_THREADS must be a whole number in [1, 1024], got {raw!r}"
            )
    return int(_core.default_threads())


def run_core(
    scenario: Scenario,
    *,
    seed: int,
    lo: int,
    hi: int,
    threads: int,
    keep_paths: bool = False,
    keep_outputs: bool = False,
    antithetic: bool = False,
    stream_seeds: Sequence[int] | None = None,
    progress: _progress.ProgressCallback | None = None,
    param_seeds: Mapping[str, int] | None = None,
    fans: str | Sequence[str] | None = None,
) -> Results:
    """Run paths ``[lo, hi)`` in the compiled core and wrap them as :class:`Results`.

    Arguments are already validated; this is the one place the core's ``simulate`` is called.
    """
    t0 = time.perf_counter()
    stats, kept = _core.simulate(
        scenario.to_dict(),
        seed=seed,
        path_lo=lo,
        path_hi=hi,
        threads=threads,
        keep_paths=keep_paths,
        progress=progress,
        keep_outputs=keep_outputs,
        stream_seeds=None if stream_seeds is None else list(stream_seeds),
        antithetic=antithetic,
        param_seeds=None if param_seeds is None else dict(param_seeds),
        fans=fans if fans is None or isinstance(fans, str) else list(fans),
    )
    return Results(
        scenario=scenario,
        seed=seed,
        path_range=(lo, hi),
        version=_core.__version__,
        wall_time_s=time.perf_counter() - t0,
        stats=stats,
        _paths=kept,
    )
