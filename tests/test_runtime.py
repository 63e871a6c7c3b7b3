"""Behaviour inside a Python process: the GIL, forked children, thread settings."""

from __future__ import annotations

import multiprocessing
import threading

import gridrisk as gr
import numpy as np
import pytest


def test_the_gil_is_released_while_paths_run(short: gr.Scenario) -> None:
    # While a run of several seconds is under way in another thread, this thread keeps
    # running Python code; with the GIL held it would be frozen until the run ended.
    done = threading.Event()
    ticks_during_run = 0

    def work() -> None:
        gr.simulate(short, paths=6_000, seed=1, threads=1, progress=False)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks_during_run += 1
        done.wait(0.001)
    t.join()
    assert ticks_during_run > 50


def _child(q: multiprocessing.Queue[float], scenario: gr.Scenario) -> None:  # pragma: no cover - runs in a child
    q.put(float(gr.simulate(scenario, paths=512, seed=3, threads=2, progress=False).stats.moments()[0].sum()))


def test_runs_work_in_a_forked_child(short: gr.Scenario) -> None:
    # The parent has already built its thread pool; a forked child must not reuse it.
    parent = gr.simulate(short, paths=512, seed=3, threads=2, progress=False).stats.moments()[0].sum()
    ctx = multiprocessing.get_context("fork")
    q: multiprocessing.Queue[float] = ctx.Queue()
    p = ctx.Process(target=_child, args=(q, short))
    p.start()
    p.join(timeout=120)
    assert p.exitcode == 0
    assert q.get(timeout=5) == parent


def test_thread_env_var_is_validated(monkeypatch: pytest.MonkeyPatch, short: gr.Scenario) -> None:
    monkeypatch.setenv("GRIDRISK_NUM_THREADS", "many")
    with pytest.raises(gr.ArgumentError, match="GRIDRISK_NUM_THREADS"):
        gr.simulate(short, paths=10, seed=1, progress=False)
    monkeypatch.setenv("GRIDRISK_NUM_THREADS", "1")
    assert gr.thread_pool_size() == 1
    a = gr.simulate(short, paths=600, seed=1, progress=False)
    b = gr.simulate(short, paths=600, seed=1, threads=2, progress=False)
    assert np.array_equal(a.stats.moments()[0], b.stats.moments()[0])


def test_progress_bar_choices(short: gr.Scenario) -> None:
    from gridrisk import _progress

    cb, close = _progress.make(None, 100, "x")  # not interactive under pytest: log only
    assert isinstance(cb, _progress.Progress)
    assert cb.mode == "log"
    close()
    cb, close = _progress.make(False, 100, "x")
    assert cb is None
    cb, close = _progress.make(True, 100, "x")
    assert cb is not None
    cb(50, 100)
    cb(100, 100)
    close()
    seen: list[int] = []
    cb, close = _progress.make(lambda d, t: seen.append(d), 100, "x")
    assert cb is not None
    cb(7, 100)
    assert seen == [7]
    # A run with a bar requested completes normally.
    assert gr.simulate(short, paths=300, seed=1, progress=True).paths == 300
