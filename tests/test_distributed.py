"""Dask: a run split over worker processes equals the local run, even when a worker dies."""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from gridrisk import _core, errors
from gridrisk.distributed import _Failure, partitions

# The preset with its parameter uncertainty: what a user loads (its overrides, labels, runs).
UNCERTAIN = True

distributed = pytest.importorskip("distributed")


def assert_same(a: gr.Results, b: gr.Results) -> None:
    for x, y in zip(a.stats.moments(), b.stats.moments(), strict=True):
        assert np.array_equal(x, y)
    for x, y in zip(a.stats.output_moments(), b.stats.output_moments(), strict=True):
        assert np.array_equal(x, y)
    qs = [0.01, 0.5, 0.99]
    assert a.stats.sketched_cells == b.stats.sketched_cells
    assert np.array_equal(a.stats.quantiles(qs), b.stats.quantiles(qs), equal_nan=True)
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


# -- errors on workers --------------------------------------------------------------------------


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    todo: list[type[BaseException]] = [errors.GridRiskError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__name__)


def _example(cls: type[BaseException]) -> BaseException:
    if issubclass(cls, errors.ScenarioError):
        e: BaseException = cls("invalid scenario: 1 problem", [{"field": "a.b", "value": "1", "message": "bad"}])
    else:
        e = cls("something is wrong")
    e.add_note("in a note")
    return e


@pytest.mark.parametrize("cls", _exception_classes(), ids=lambda c: c.__name__)
def test_every_gridrisk_exception_survives_pickling(cls: type[BaseException]) -> None:
    e = _example(cls)
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls
    assert str(again) == str(e)
    assert getattr(again, "errors", None) == getattr(e, "errors", None)
    # The worker's carrier keeps the notes too (ScenarioError's own pickling drops them).
    with pytest.raises(cls) as info:
        pickle.loads(pickle.dumps(_Failure.of(e))).reraise()
    assert str(info.value) == str(e)
    assert info.value.__notes__ == ["in a note"]
    assert getattr(info.value, "errors", None) == getattr(e, "errors", None)


def test_a_panic_is_carried_as_an_internal_error() -> None:
    with pytest.raises(errors.InternalError) as local:  # every binding turns a panic into it
        _core._panic_in_worker()
    failure = pickle.loads(pickle.dumps(_Failure.of(local.value)))
    with pytest.raises(errors.InternalError, match="deliberate test panic"):
        failure.reraise()


def test_an_exception_that_cannot_be_pickled_becomes_an_internal_error() -> None:
    class Foreign(BaseException):  # a BaseException class no other process can import
        pass

    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(Foreign("boom"))
    failure = pickle.loads(pickle.dumps(_Failure.of(Foreign("boom on the worker"))))
    with pytest.raises(errors.InternalError, match=r"failed on a Dask worker \(Foreign: boom on the worker\)") as info:
        failure.reraise()
    assert isinstance(info.value, RuntimeError)


@contextlib.contextmanager
def _worker_env(client: Any, name: str, value: str) -> Iterator[None]:
    def set_() -> None:
        os.environ[name] = value

    def unset() -> None:
        os.environ.pop(name, None)

    client.run(set_)
    try:
        yield
    finally:
        client.run(unset)


@contextlib.contextmanager
def _worker_run_core(client: Any, make: Callable[[], Callable[..., Any]]) -> Iterator[None]:
    """Replace ``gridrisk._engine.run_core`` on every worker by ``make()``."""

    def patch() -> None:
        import gridrisk._engine as simulation

        simulation.__dict__.setdefault("_real_run_core", simulation.run_core)
        simulation.run_core = make()

    def restore() -> None:
        import gridrisk._engine as simulation

        simulation.run_core = simulation.__dict__.pop("_real_run_core", simulation.run_core)

    client.run(patch)
    try:
        yield
    finally:
        client.run(restore)


@pytest.mark.timeout(120)
def test_an_invalid_argument_on_the_workers_is_raised_as_locally(  # type: ignore[no-untyped-def]
    client, short: gr.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setenv("GRIDRISK_NUM_THREADS", "lots")
        with pytest.raises(gr.ArgumentError) as local:
            gr.simulate(short, paths=600, seed=1, progress=False)
    runs: dict[str, Callable[[], object]] = {
        "simulate": lambda: gr.simulate(short, paths=600, seed=1, client=client),
        "compare": lambda: gr.compare({"a": short, "b": short}, paths=600, seed=1, client=client),
        "sweep": lambda: gr.sweep(short, {"bitcoin.vol_annual": [0.5, 0.6]}, paths=300, seed=1, client=client),
        "sensitivity": lambda: gr.sensitivity(short, paths=300, seed=1, bootstrap=0, client=client),
    }
    with _worker_env(client, "GRIDRISK_NUM_THREADS", "lots"):
        for what, run in runs.items():
            with pytest.raises(gr.ArgumentError) as remote:
                run()
            assert str(remote.value) == str(local.value), what
    # The cluster is fine afterwards.
    assert gr.simulate(short, paths=300, seed=2, client=client).paths == 300


@pytest.mark.timeout(120)
def test_a_panic_on_a_worker_reaches_the_caller(client, short: gr.Scenario) -> None:  # type: ignore[no-untyped-def]
    def make() -> Callable[..., Any]:
        def panicking(*args: Any, **kwargs: Any) -> Any:
            from gridrisk import _core

            _core._panic_in_worker()

        return panicking

    with _worker_run_core(client, make), pytest.raises(errors.InternalError, match="deliberate test panic"):
        gr.simulate(short, paths=3_000, seed=1, client=client)
    local = gr.simulate(short, paths=600, seed=3, keep_outputs=True, progress=False)
    assert_same(local, gr.simulate(short, paths=600, seed=3, keep_outputs=True, client=client))


@pytest.mark.timeout(120)
def test_a_base_exception_that_cannot_be_shipped_does_not_hang(  # type: ignore[no-untyped-def]
    client, short: gr.Scenario
) -> None:
    def make() -> Callable[..., Any]:
        class Foreign(BaseException):  # defined on the worker only: it cannot be unpickled here
            pass

        def failing(*args: Any, **kwargs: Any) -> Any:
            raise Foreign("a library failed")

        return failing

    with _worker_run_core(client, make), pytest.raises(errors.InternalError, match="a library failed"):
        gr.simulate(short, paths=3_000, seed=1, client=client)
    assert gr.simulate(short, paths=300, seed=2, client=client).paths == 300


@pytest.mark.timeout(120)
def test_a_scenario_error_on_a_worker_keeps_its_fields_and_notes(  # type: ignore[no-untyped-def]
    client, short: gr.Scenario
) -> None:
    def make() -> Callable[..., Any]:
        def failing(*args: Any, **kwargs: Any) -> Any:
            from gridrisk.errors import ScenarioError

            e = ScenarioError(
                "invalid scenario: 1 problem", [{"field": "fx.vol_annual", "value": "9", "message": "no"}]
            )
            e.add_note("raised on a worker")
            raise e

        return failing

    with _worker_run_core(client, make), pytest.raises(gr.ScenarioError) as info:
        gr.simulate(short, paths=3_000, seed=1, client=client)
    assert info.value.fields == ["fx.vol_annual"]
    assert info.value.__notes__ == ["raised on a worker"]


def test_dask_results_keep_the_scenario_overrides(client, short: gr.Scenario) -> None:  # type: ignore[no-untyped-def]
    res = gr.simulate(short, paths=300, seed=2, client=client)
    assert res.scenario.overrides == short.overrides
    assert res.scenario.label == "pakistan-2000mw + 1 override"
