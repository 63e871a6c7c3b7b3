"""Dask: a run split over worker processes equals the local run, even when a worker dies."""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time

import gridrisk as gr
import numpy as np
import pytest
from gridrisk.distributed import partitions

distributed = pytest.importorskip("distributed")


def assert_same(a: gr.Results, b: gr.Results) -> None:
    for x, y in zip(a.stats.moments(), b.stats.moments(), strict=True):
        assert np.array_equal(x, y)
    for x, y in zip(a.stats.output_moments(), b.stats.output_moments(), strict=True):
        assert np.array_equal(x, y)
    qs = [0.01, 0.5, 0.99]
    assert np.array_equal(a.stats.quantiles(qs), b.stats.quantiles(qs))
    assert np.array_equal(a.stats.output_quantiles(qs), b.stats.output_quantiles(qs))
    if a._paths is not None and b._paths is not None:
        for k in a._paths:
            assert np.array_equal(a._paths[k], b._paths[k])


def test_partitions_are_chunk_aligned() -> None:
    parts = partitions(10_000, 7)
    assert parts[0][0] == 0
    assert parts[-1][1] == 10_000
    assert all(lo % gr.CHUNK_PATHS == 0 for lo, _ in parts)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    assert partitions(10, 5) == [(0, 10)]


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_dask_run_equals_local_run(client, short: gr.Scenario) -> None:  # type: ignore[no-untyped-def]
    local = gr.simulate(short, paths=3_000, seed=21, keep_outputs=True, progress=False)
    remote = gr.simulate(short, paths=3_000, seed=21, keep_outputs=True, client=client)
    assert remote.path_range == (0, 3_000)
    assert_same(local, remote)
    cmp = gr.compare(
        {"a": short, "b": short.replace({"mining.contract": "take_or_pay"})}, paths=1_000, seed=2, client=client
    )
    local_b = gr.simulate(
        short.replace({"mining.contract": "take_or_pay"}), paths=1_000, seed=2, keep_outputs=True, progress=False
    )
    assert_same(cmp.results["b"], local_b)


def test_a_worker_killed_mid_run_changes_nothing(client, short: gr.Scenario) -> None:  # type: ignore[no-untyped-def]
    paths = 60_000
    expected = gr.simulate(short, paths=paths, seed=5, progress=False)
    victim = sorted(client.scheduler_info()["workers"])[0]
    killed_at: list[float] = []

    def kill() -> None:
        time.sleep(0.3)
        killed_at.append(time.monotonic())
        # The worker dies before it can answer, so the call itself fails; that is the point.
        with contextlib.suppress(Exception):
            client.run(os._exit, 1, workers=[victim])

    killer = threading.Thread(target=kill)
    killer.start()
    try:
        got = gr.simulate(short, paths=paths, seed=5, client=client)
        finished_at = time.monotonic()
    finally:
        killer.join()
    assert killed_at
    assert killed_at[0] < finished_at  # the worker died while the run was under way
    client.wait_for_workers(2, timeout=60)
    assert victim not in client.scheduler_info()["workers"]  # its nanny started a new one
    assert_same(expected, got)
