"""The progress line: in a terminal, in a notebook, and the estimated finish of batch runs."""

from __future__ import annotations

import io
import logging
import sys
import types
import warnings
from typing import Any

import gridrisk as gr
import pytest
from gridrisk import _progress


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_the_line_shows_the_share_the_paths_and_the_time_left() -> None:
    text = _progress.line("gridrisk x", 25_000, 100_000, 30.0)
    assert text.startswith("gridrisk x  25% |######")
    assert "25,000/100,000 paths, 0:30 elapsed, about 1:30 left" in text
    assert "left" not in _progress.line("x", 100, 100, 3_700.0)
    assert "1:01:40 elapsed" in _progress.line("x", 100, 100, 3_700.0)


def test_a_terminal_line_appears_after_two_seconds_is_throttled_and_ends_with_a_newline() -> None:
    out, clock = io.StringIO(), Clock()
    bar = _progress.Progress(1_000, "run", "terminal", stream=out, clock=clock)
    clock.t += 1.0
    bar(100, 1_000)
    assert out.getvalue() == ""  # quick runs show nothing
    clock.t += 1.5
    bar(300, 1_000)
    clock.t += 0.05
    bar(310, 1_000)  # within the redraw interval: not drawn
    assert out.getvalue().count("\r") == 1
    assert "300/1,000 paths" in out.getvalue()
    clock.t += 1.0
    bar(1_000, 1_000)
    bar.close()
    assert out.getvalue().endswith("1,000/1,000 paths, 0:04 elapsed\n")
    quiet = _progress.Progress(1_000, "run", "terminal", stream=io.StringIO(), clock=Clock())
    quiet.close()  # never shown: nothing to end
    assert quiet.stream.getvalue() == ""  # type: ignore[attr-defined]


def test_a_batch_run_logs_its_estimated_finish(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    bar = _progress.Progress(1_000, "run", "log", clock=clock)
    with caplog.at_level(logging.INFO, logger="gridrisk"):
        clock.t += 10.0
        bar(100, 1_000)
        assert caplog.records == []  # not yet long
        clock.t += 30.0
        bar(400, 1_000)
        clock.t += 1.0
        bar(410, 1_000)  # logged once, then every five minutes
        clock.t += _progress.LOG_EVERY_S
        bar(900, 1_000)
    msgs = [r.getMessage() for r in caplog.records]
    assert len(msgs) == 2
    assert msgs[0].startswith("run: 400 of 1,000 paths after 0:40; estimated finish at ")
    assert "(in about 1:00)" in msgs[0]
    out = io.StringIO()
    asked = _progress.Progress(1_000, "run", "lines", stream=out, clock=clock)
    clock.t += 31.0
    asked(500, 1_000)
    assert "estimated finish" in out.getvalue()


def test_a_notebook_gets_an_updated_display_and_no_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[str, Any]] = []

    class Handle:
        def update(self, obj: dict[str, str], raw: bool) -> None:
            shown.append(("update", obj["text/plain"]))

    def display(obj: dict[str, str], raw: bool, display_id: bool) -> Handle:
        assert raw
        assert display_id
        shown.append(("display", obj["text/plain"]))
        return Handle()

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())  # type: ignore[attr-defined]
    ipython_display = types.ModuleType("IPython.display")
    ipython_display.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython_display)
    cb, close = _progress.make(None, 1_000, "run")
    assert isinstance(cb, _progress.Progress)
    assert cb.mode == "notebook"
    clock = Clock()
    cb.clock, cb.start = clock, clock.t
    clock.t += 3.0
    cb(200, 1_000)
    clock.t += 1.0
    cb(600, 1_000)
    close()
    assert [k for k, _ in shown] == ["display", "update", "update"]
    assert "600/1,000" in shown[1][1]
    # IPython in a terminal (no kernel) is not a notebook.
    ipython.get_ipython = lambda: types.SimpleNamespace()  # type: ignore[attr-defined]
    cb, _ = _progress.make(None, 10, "run")
    assert isinstance(cb, _progress.Progress)
    assert cb.mode != "notebook"


def test_runs_warn_about_nothing_whatever_the_progress(short: gr.Scenario) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for progress in (None, True, False):
            assert gr.simulate(short, paths=256, seed=1, progress=progress).paths == 256


def test_the_cli_prints_a_batch_runs_estimated_finish(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridrisk.cli import main

    monkeypatch.setattr(_progress, "LOG_AFTER_S", 0.0)  # "long" from the first report on
    assert main(["run", "--paths", "8000", "--set", "simulation.horizon_months=60"]) == 0
    err = capsys.readouterr().err
    assert "gridrisk: gridrisk pakistan-2000mw: " in err
    assert "estimated finish at" in err
    assert not logging.getLogger("gridrisk").handlers  # the command leaves the logger as it was
    assert main(["run", "--paths", "8000", "--set", "simulation.horizon_months=60", "--no-progress"]) == 0
    assert "estimated finish" not in capsys.readouterr().err


def _reports() -> tuple[list[tuple[int, int]], Any]:
    seen: list[tuple[int, int]] = []
    return seen, lambda done, total: seen.append((done, total))


def _one_count_over_the_runs(seen: list[tuple[int, int]], total: int) -> None:
    assert seen
    assert all(t == total for _, t in seen)  # the whole command's paths, not one run's
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[-1] == total


def test_compare_sweep_and_sensitivity_count_their_runs_together(short: gr.Scenario) -> None:
    seen, callback = _reports()
    gr.compare({"a": short, "b": short.replace({"allocation.mining_mw": 500})}, paths=300, seed=1, progress=callback)
    _one_count_over_the_runs(seen, 2 * 300)
    seen, callback = _reports()
    gr.sweep(short, {"allocation.mining_mw": [0, 500, 1000]}, paths=200, seed=1, progress=callback)
    _one_count_over_the_runs(seen, 3 * 200)
    seen, callback = _reports()
    sen = gr.sensitivity(short, paths=100, seed=1, bootstrap=0, progress=callback)
    runs = 2 + len(sen.indices)
    _one_count_over_the_runs(seen, runs * 100)
    # progress=False: nothing reported, nothing shown.
    bar = _progress.Runs(False, 3, 100, "x")
    assert bar.run(0) is False


def test_every_simulating_command_takes_no_progress(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridrisk.cli import main

    monkeypatch.setattr(_progress, "LOG_AFTER_S", 0.0)
    short = ["--set", "simulation.horizon_months=24"]
    commands = {
        "gridrisk compare: ": ["compare", "--paths", "4000", *short],
        "gridrisk sweep: ": ["sweep", "--paths", "3000", "--grid", "allocation.mining_mw=0,1000", *short],
        "gridrisk sensitivity: ": ["sensitivity", "--paths", "1000", "--bootstrap", "0", *short],
    }
    for desc, argv in commands.items():
        assert main(argv) == 0
        err = capsys.readouterr().err
        assert f"gridrisk: {desc}" in err, argv  # one line for all of the command's runs
        assert "estimated finish at" in err
        assert main([*argv, "--no-progress"]) == 0
        assert "estimated finish" not in capsys.readouterr().err


def test_a_search_keeps_one_line_that_names_the_run_under_way() -> None:
    out, clock = io.StringIO(), Clock()
    bar = _progress.Progress(500, "gridrisk breakeven", "terminal", stream=out, clock=clock)
    search = _progress.Search(False, 22, 500, "gridrisk breakeven")
    search._sink, search._close = bar, bar.close  # the line make() would give a terminal
    with search:
        for i in range(3):
            run = search.run(i)
            assert callable(run)
            clock.t += 2.5
            run(250, 500)
            clock.t += 0.5
            run(500, 500)
    text = out.getvalue()
    # One line, redrawn in place: no newline until the search ends, and then exactly one.
    assert text.count("\n") == 1
    assert text.endswith("\n")
    assert "run 1 (at most 22)" in text
    assert "run 2 (at most 22)" in text
    final = text.rsplit("\r", 1)[-1]
    assert final.startswith("gridrisk breakeven, run 3 (at most 22) 100%")
    assert "500/500 paths, 0:03 elapsed" in final  # the last run's own time, not the search's
    assert "250/500 paths, 0:02 elapsed, about 0:02 left" in text  # each run's own estimate


def test_breakeven_shows_one_line_and_hands_a_function_each_runs_paths(
    short: gr.Scenario, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "datacenters.tariff[0].base_pkr_per_kwh"
    if not isinstance(short[name], float):
        name = "datacenters.tariff[0].pkr_per_kwh"
    # A target between the bracket's ends (same paths and seed as the search's runs).
    ends = [
        float(gr.simulate(short.replace({name: v}), paths=200, seed=7, progress=False).summary().loc["npv_pkr", "mean"])
        for v in (10.0, 25.0)
    ]
    kw: dict[str, Any] = {"bracket": (10, 25), "target": sum(ends) / 2, "paths": 200, "seed": 7}
    seen: list[tuple[int, int]] = []
    be = gr.breakeven(short, name, **kw, progress=lambda d, t: seen.append((d, t)))
    runs = len(be.evaluations)
    assert {t for _, t in seen} == {200}  # each run's own paths
    assert sum(1 for d, _ in seen if d == 200) == runs  # every run reports its end
    # A terminal: every callback drawn at once, all on one line.
    monkeypatch.setattr(_progress, "_terminal", lambda: True)
    monkeypatch.setattr(_progress, "BAR_DELAY_S", 0.0)
    monkeypatch.setattr(_progress, "REDRAW_S", 0.0)
    be = gr.breakeven(short, name, **kw, progress=None)
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    final = err.rsplit("\r", 1)[-1]
    assert final.startswith(f"gridrisk breakeven, run {len(be.evaluations)} (at most 22) 100%"), final
