"""Running: reproducibility, merging, per-path arrays, arguments, Ctrl-C, progress, panics."""

from __future__ import annotations

import itertools
import math
import os
import pickle
import signal
import threading
import time

import gridrisk as gr
import numpy as np
import pytest
from conftest import fixed_loads
from gridrisk import _core
from gridrisk.results import sketched_mask


def assert_same(a: gr.Results, b: gr.Results) -> None:
    """Bit-identical statistics (moments, every sketch quantile, kept paths)."""
    ma, va = a.stats.moments()
    mb, vb = b.stats.moments()
    assert np.array_equal(ma, mb)
    assert np.array_equal(va, vb)
    qs = [0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0]
    assert a.stats.sketched_cells == b.stats.sketched_cells
    # Cells without a sketch read as NaN in both.
    assert np.array_equal(a.stats.quantiles(qs), b.stats.quantiles(qs), equal_nan=True)
    if a._paths is not None and b._paths is not None:
        for m in a.metrics:
            assert np.array_equal(a.path_array(m), b.path_array(m))


def test_same_seed_same_numbers_any_thread_count(short: gr.Scenario) -> None:
    one = gr.simulate(short, paths=3_000, seed=11, threads=1, keep_paths=True, progress=False)
    two = gr.simulate(short, paths=3_000, seed=11, threads=2, keep_paths=True, progress=False)
    four = gr.simulate(short, paths=3_000, seed=11, threads=4, progress=False)
    assert_same(one, two)
    assert_same(one, four)
    assert_same(one, gr.simulate(short, paths=3_000, seed=11, threads=2, keep_paths=True, progress=False))
    other = gr.simulate(short, paths=3_000, seed=12, threads=2, progress=False)
    assert not np.array_equal(one.stats.moments()[0], other.stats.moments()[0])


def test_split_runs_merge_to_the_identical_result(short: gr.Scenario) -> None:
    n = 2_900  # not a multiple of the chunk size: the last chunk is partial
    whole = gr.simulate(short, paths=n, seed=5, keep_paths=True, progress=False)
    cuts = [0, 512, 1_024, 2_304, n]
    parts = [
        gr.simulate(short, paths=n, seed=5, keep_paths=True, path_range=(a, b), threads=1, progress=False)
        for a, b in itertools.pairwise(cuts)
    ]
    merged = gr.merge(reversed(parts))
    assert merged.path_range == (0, n)
    assert_same(whole, merged)
    # Pairwise merges in another order reach the same bits.
    assert_same(whole, parts[0].merge(parts[1].merge(parts[2]).merge(parts[3])))


def test_prefix_stability(short: gr.Scenario) -> None:
    small = gr.simulate(short, paths=300, seed=3, keep_paths=True, progress=False)
    large = gr.simulate(short, paths=1_000, seed=3, keep_paths=True, progress=False)
    for m in small.metrics:
        assert np.array_equal(small.path_array(m), large.path_array(m)[:300])


def test_merge_refuses_what_cannot_be_merged(short: gr.Scenario) -> None:
    a = gr.simulate(short, paths=1_024, seed=1, path_range=(0, 512), progress=False)
    b = gr.simulate(short, paths=1_024, seed=2, path_range=(512, 1_024), progress=False)
    c = gr.simulate(short, paths=1_024, seed=1, path_range=(768, 1_024), progress=False)
    d = gr.simulate(short, paths=1_024, seed=1, path_range=(0, 500), progress=False)
    e = gr.simulate(short, paths=1_024, seed=1, path_range=(512, 1_024), progress=False)
    with pytest.raises(gr.MergeError, match="different"):
        a.merge(b)
    with pytest.raises(gr.MergeError, match="not adjacent"):
        a.merge(c)
    with pytest.raises(gr.MergeError, match="not adjacent"):
        d.merge(e)
    with pytest.raises(gr.MergeError, match="nothing to merge"):
        gr.merge([])


def test_keep_paths_arrays(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=700, seed=2, keep_paths=True, progress=False)
    arr = res.path_array("bitcoin.price_usd")
    assert arr.shape == (700, 24)
    assert arr.dtype == np.float64
    assert arr.flags.c_contiguous
    # The array was moved out of Rust, not copied per element, and is not copied on access.
    assert arr.base is not None
    assert res.path_array("bitcoin.price_usd") is arr
    np.testing.assert_allclose(arr[:, 0], short["bitcoin.price0_usd"], rtol=1e-15)
    # The statistics describe exactly these paths.
    mean = res.moments("bitcoin.price_usd")["mean"].to_numpy()
    assert np.allclose(mean, arr.mean(axis=0), rtol=1e-12)


def test_keep_paths_refuses_above_the_memory_cap(preset: gr.Scenario) -> None:
    with pytest.raises(gr.ArgumentError, match="keep_paths_max_gib"):
        gr.simulate(preset, paths=10_000_000, keep_paths=True, seed=1)
    with pytest.raises(gr.ArgumentError, match="keep_paths_max_gib"):
        gr.simulate(preset, paths=10_000, keep_paths=True, seed=1, keep_paths_max_gib=0.001)


def test_path_array_needs_keep_paths(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=10, seed=2, progress=False)
    with pytest.raises(gr.ArgumentError, match="keep_paths=True"):
        res.path_array("bitcoin.price_usd")
    with pytest.raises(gr.ArgumentError, match=r"did you mean 'bitcoin\.price_usd'"):
        res.fan("bitcoin.price")


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"paths": 0}, "paths must be in"),
        ({"paths": -5}, "paths must be in"),
        ({"paths": 1.5}, "paths must be a whole number"),
        ({"paths": True}, "paths must be a whole number"),
        ({"seed": -1}, "seed must be in"),
        ({"seed": 2**64}, "seed must be in"),
        ({"threads": 0}, "threads must be in"),
        ({"keep_paths": "yes"}, "keep_paths must be True or False"),
        ({"path_range": (100, 200)}, "multiple of 256"),
        ({"path_range": (0, 10**9)}, r"path_range\[1\] must be in"),
        ({"path_range": 5}, "pair"),
    ],
)
def test_bad_arguments_name_the_argument(short: gr.Scenario, kwargs: dict[str, object], text: str) -> None:
    args = {"paths": 1_000, "seed": 1, "progress": False, **kwargs}
    with pytest.raises(gr.ArgumentError, match=text):
        gr.simulate(short, **args)  # type: ignore[arg-type]


def test_scenario_must_be_a_scenario() -> None:
    with pytest.raises(gr.ArgumentError, match=r"gridrisk\.Scenario"):
        gr.simulate({"meta": {}}, paths=1)  # type: ignore[arg-type]


def test_extreme_valid_parameters_give_finite_results(preset: gr.Scenario) -> None:
    # Every parameter at the edge of its range for 50 years: values may underflow to zero,
    # but nothing a user sees is NaN or infinite (the engine errors instead; see its Rust tests).
    wild = fixed_loads(preset).replace(
        {
            "simulation.horizon_months": 600,
            "bitcoin.jump_intensity_annual": 52.0,
            "bitcoin.jump_mean": -2.0,
            "bitcoin.jump_sd": 2.0,
            "bitcoin.vol_annual": 3.0,
            "bitcoin.drift_annual": 1.0,
            "fx.vol_annual": 3.0,
            "fx.drift_annual": 1.0,
            "network.revenue_elasticity": 3.0,
            "network.noise_sigma": 1.0,
        }
    )
    res = gr.simulate(wild, paths=512, seed=1, progress=False)
    mean, var = res.stats.moments()
    assert np.isfinite(mean).all()
    assert np.isfinite(var).all()
    assert np.isfinite(res.stats.quantiles([0.0, 0.5, 1.0])[sketched_mask(res.stats)]).all()


def test_extreme_equilibrium_network_gives_finite_results_or_a_clear_error(preset: gr.Scenario) -> None:
    # The equilibrium network over 50 years at the edge of the volatilities' ranges: finite.
    wild = {
        "simulation.horizon_months": 600,
        "bitcoin.vol_annual": 3.0,
        "bitcoin.drift_annual": 1.0,
        "fx.vol_annual": 3.0,
        "fx.drift_annual": 1.0,
        "network.noise_sigma": 1.0,
    }
    res = gr.simulate(preset.replace(wild), paths=512, seed=1, progress=False)
    assert np.isfinite(res.stats.moments()[0]).all()
    # With weekly price jumps of e^(-2 +- 2) as well, a network that closes its gap to break-even
    # over months lags prices that move by orders of magnitude a month, and hashprice leaves
    # floating-point range: the engine names the value, path and month instead of returning
    # infinities.
    jumps = {"bitcoin.jump_intensity_annual": 52.0, "bitcoin.jump_mean": -2.0, "bitcoin.jump_sd": 2.0}
    with pytest.raises(gr.ScenarioError, match=r"hashprice.*out of floating-point range.*month"):
        gr.simulate(preset.replace({**wild, **jumps}), paths=512, seed=1, progress=False)


def test_unseeded_runs_record_their_seed(short: gr.Scenario) -> None:
    a = gr.simulate(short, paths=256, progress=False)
    b = gr.simulate(short, paths=256, seed=a.seed, progress=False)
    assert_same(a, b)


def test_results_pickle(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=600, seed=4, keep_paths=True, progress=False)
    again = pickle.loads(pickle.dumps(res))
    assert_same(res, again)
    assert again.scenario == res.scenario
    with pytest.raises(gr.DataError):
        _core.RunStats.from_bytes(b"not stats")


def test_progress_callback_sees_every_path(short: gr.Scenario) -> None:
    seen: list[tuple[int, int]] = []
    gr.simulate(short, paths=5_000, seed=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5_000, 5_000)
    assert all(t == 5_000 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_error_in_progress_callback_cancels_the_run(preset: gr.Scenario) -> None:
    class Stop(Exception):
        pass

    def boom(done: int, total: int) -> None:
        raise Stop("from the callback")

    with pytest.raises(Stop):
        gr.simulate(preset, paths=50_000_000, seed=1, progress=boom)
    # The interpreter and the engine stay usable.
    assert gr.simulate(preset, paths=256, seed=1, progress=False).paths == 256


def test_ctrl_c_interrupts_a_long_run(preset: gr.Scenario) -> None:
    # A run that would take many minutes; SIGINT arrives 0.5 s in. The bound below only
    # guards against a hang (the latency itself is measured in bench/, not asserted here).
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            gr.simulate(preset, paths=200_000_000, seed=1, progress=False)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 30
    assert gr.simulate(preset, paths=256, seed=1, progress=False).paths == 256


def test_a_rust_panic_becomes_a_python_exception() -> None:
    with pytest.raises(gr.errors.InternalError, match="deliberate test panic") as info:
        _core._panic_in_worker()
    assert isinstance(info.value, gr.GridRiskError)
    assert isinstance(info.value, Exception)
    assert _core.default_threads() >= 1


def test_fan_summary_and_schedule(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=2_000, seed=9, progress=False)
    fan = res.fan("fx.pkr_per_usd", quantiles=[0.1, 0.5, 0.9])
    assert fan.shape == (24, 3)
    assert (fan[0.1] <= fan[0.5]).all()
    assert (fan[0.5] <= fan[0.9]).all()
    assert str(fan.index[0]) == short["simulation.start"]
    s = res.snapshot()
    assert list(s.index) == res.metrics
    assert {"mean", "se", "sd", "p5", "p50", "p95", "p50_ci95", "unit"} <= set(s.columns)
    drivers = [m for m in res.metrics if m.split(".")[0] in {"demand", "fuel", "fx", "bitcoin", "network", "hydro"}]
    assert len(drivers) == 10
    assert (s.loc[drivers, "se"] > 0).all()
    out = res.summary()
    assert list(out.index) == res.outputs
    sched = res.schedule()
    assert len(sched) == 24
    assert "<table" in res._repr_html_()
    with pytest.raises(gr.ArgumentError, match="probabilities"):
        res.fan("fx.pkr_per_usd", quantiles=[1.5])


def test_antithetic_pairs_negate_the_normal_shocks(short: gr.Scenario) -> None:
    sc = short.replace({"bitcoin.returns": "normal", "bitcoin.jump_intensity_annual": 0.0})
    res = gr.simulate(sc, paths=512, seed=3, keep_paths=True, antithetic=True, progress=False)
    lp = np.log(res.path_array("bitcoin.price_usd"))
    inc = np.diff(lp, axis=1)
    # x_t - x_{t-1} = drift + vol z on one path and drift - vol z on its partner.
    np.testing.assert_allclose(inc[0::2] + inc[1::2], 2 * inc.mean(), rtol=1e-8, atol=1e-12)
    assert not np.allclose(inc[0::2], inc[1::2])
    plain = gr.simulate(sc, paths=512, seed=3, keep_paths=True, progress=False)
    assert np.array_equal(plain.path_array("bitcoin.price_usd")[0::2], res.path_array("bitcoin.price_usd")[0::2])


def test_antithetic_standard_errors_come_from_pair_means(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=4_000, seed=9, keep_outputs=True, antithetic=True, progress=False)
    npv = res.path_output("npv_pkr")
    pair_means = 0.5 * (npv[0::2] + npv[1::2])
    se = pair_means.std(ddof=1) / math.sqrt(pair_means.size)
    s = res.summary()
    assert s.loc["npv_pkr", "se"] == pytest.approx(se, rel=1e-9)
    assert s.loc["npv_pkr", "mean"] == pytest.approx(npv.mean(), rel=1e-12)
    # Splits still merge to the identical run.
    a = gr.simulate(short, paths=4_000, seed=9, antithetic=True, path_range=(0, 1_024), progress=False)
    b = gr.simulate(short, paths=4_000, seed=9, antithetic=True, path_range=(1_024, 4_000), progress=False)
    merged = a.merge(b)
    assert np.array_equal(merged.stats.output_pair_moments()[2], res.stats.output_pair_moments()[2])
    assert_same(merged, gr.simulate(short, paths=4_000, seed=9, antithetic=True, progress=False))
    with pytest.raises(gr.MergeError):
        a.merge(gr.simulate(short, paths=4_000, seed=9, path_range=(1_024, 4_000), progress=False))
