"""simulate(..., target=...): run until the standard errors asked for hold, bit for bit a fixed run."""

from __future__ import annotations

import math
import warnings

import gridrisk as gr
import numpy as np
import pytest
from gridrisk import precision

CHUNK = gr.CHUNK_PATHS


@pytest.fixture(scope="module")
def sc(short: gr.Scenario) -> gr.Scenario:
    return short


def test_a_run_to_target_is_the_fixed_run_of_its_paths(sc: gr.Scenario) -> None:
    target = {"npv_pkr": "2.5%", "circular_debt_change_pkr": {"p_adverse": 0.01}}
    res = gr.simulate(sc, paths=200_000, seed=5, target=target, keep_outputs=True, progress=False)
    # More than the first step was needed, and every target holds where the run stopped.
    assert res.paths > precision.FIRST_PATHS
    assert res.paths % CHUNK == 0
    s = res.summary()
    assert s.loc["npv_pkr", "se"] <= 0.025 * abs(s.loc["npv_pkr", "mean"])
    assert s.loc["circular_debt_change_pkr", "p_adverse_se"] <= 0.01
    fixed = gr.simulate(sc, paths=res.paths, seed=5, keep_outputs=True, progress=False)
    assert res.path_range == fixed.path_range
    assert res.stats.to_bytes() == fixed.stats.to_bytes()
    np.testing.assert_array_equal(res.path_output("npv_pkr"), fixed.path_output("npv_pkr"))
    # The stopping rule reads only the seed's own numbers: the same seed stops at the same count.
    again = gr.simulate(sc, paths=200_000, seed=5, target=target, progress=False, threads=1)
    assert again.paths == res.paths
    assert again.stats.to_bytes() == res.stats.to_bytes()


def test_the_previous_step_did_not_meet_the_target(sc: gr.Scenario) -> None:
    res = gr.simulate(sc, paths=200_000, seed=5, target={"npv_pkr": "2.5%"}, progress=False)
    # Replaying the schedule: every step before the last missed the target.
    n = precision.first_paths(200_000, CHUNK)
    targets = precision.parse_targets({"npv_pkr": "2.5%"}, res.outputs, gr.ADVERSE_FROM_ZERO)
    while n < res.paths:
        part = gr.simulate(sc, paths=n, seed=5, progress=False)
        missing = precision.unmet(part, targets)
        assert missing
        n = precision.next_paths(n, missing, 200_000, CHUNK)
    assert n == res.paths


def test_antithetic_runs_to_target_too(sc: gr.Scenario) -> None:
    res = gr.simulate(sc, paths=50_000, seed=2, target={"npv_pkr": "4%"}, antithetic=True, progress=False)
    fixed = gr.simulate(sc, paths=res.paths, seed=2, antithetic=True, progress=False)
    assert res.stats.to_bytes() == fixed.stats.to_bytes()


def test_a_budget_too_small_warns_and_returns_the_budget(sc: gr.Scenario) -> None:
    with pytest.warns(gr.PrecisionWarning, match=r"npv_pkr mean: standard error <= 0.1 % of the mean"):
        res = gr.simulate(sc, paths=5_000, seed=1, target={"npv_pkr": "0.1%"}, progress=False)
    assert res.paths == 5_000
    fixed = gr.simulate(sc, paths=5_000, seed=1, progress=False)
    assert res.stats.to_bytes() == fixed.stats.to_bytes()


def test_an_easy_target_stops_at_the_first_step(sc: gr.Scenario) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gr.simulate(sc, paths=10**6, seed=1, target={"npv_pkr": 1e15}, progress=False)
    assert res.paths == precision.FIRST_PATHS


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({}, "non-empty mapping"),
        ([("npv_pkr", "1%")], "non-empty mapping"),
        ({"npv_pk": "1%"}, "did you mean 'npv_pkr'"),
        ({"npv_pkr": -1.0}, "must be a standard error"),
        ({"npv_pkr": math.inf}, "must be a standard error"),
        ({"npv_pkr": True}, "positive number"),
        ({"npv_pkr": "150%"}, r"share in \(0 %, 100 %\)"),
        ({"npv_pkr": "abc"}, "positive number"),
        ({"npv_pkr": {"median": 1.0}}, "statistic"),
        ({"npv_pkr": {"p_adverse": "1%"}}, "positive number"),
        ({"npv_pkr": {"p_adverse": 0.7}}, r"in \(0, 0.5\)"),
        ({"lole_base_h_per_year": {"p_adverse": 0.01}}, "no natural zero"),
    ],
)
def test_bad_targets_are_refused_by_name(sc: gr.Scenario, target: object, message: str) -> None:
    with pytest.raises(gr.ArgumentError, match=message):
        gr.simulate(sc, paths=1_000, seed=1, target=target, progress=False)  # type: ignore[arg-type]


def test_target_refuses_path_range_and_client(sc: gr.Scenario) -> None:
    with pytest.raises(gr.ArgumentError, match="path_range or client"):
        gr.simulate(sc, paths=1_000, seed=1, target={"npv_pkr": "1%"}, path_range=(0, 512))
    with pytest.raises(gr.ArgumentError, match="path_range or client"):
        gr.simulate(sc, paths=1_000, seed=1, target={"npv_pkr": "1%"}, client=object())


def test_the_schedule() -> None:
    t = precision.Target("npv_pkr", "mean", 1.0, False)
    # Twice the error needs four times the paths (times the margin), capped at GROWTH times n.
    assert precision.next_paths(4096, [(t, 2.0)], 10**9, CHUNK) == 4 * 4096
    assert precision.next_paths(4096, [(t, 1.2)], 10**9, CHUNK) == math.ceil(4096 * 1.44 * 1.1 / CHUNK) * CHUNK
    # A target just missed: the margin's worth more, in whole chunks; never past the budget.
    assert precision.next_paths(4096, [(t, 1.0000001)], 10**9, CHUNK) == math.ceil(4096 * 1.1 / CHUNK) * CHUNK
    assert precision.next_paths(4096, [(t, 10.0)], 5_000, CHUNK) == 5_000
    assert precision.next_paths(4096, [(t, math.inf)], 10**9, CHUNK) == 4 * 4096
    assert precision.first_paths(1_000, CHUNK) == 1_000
    assert precision.first_paths(10**6, CHUNK) == precision.FIRST_PATHS
