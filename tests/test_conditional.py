"""Statistics of the outputs given a path condition (``Results.given``).

Written against whatever ``CONDITIONS`` (src/metrics.rs) declares: every test reads the list
from the results, so it holds when the entries change.
"""

from __future__ import annotations

import itertools
import math
import pickle
from pathlib import Path

import gridrisk as gr
import numpy as np
import pandas as pd
import pytest
from gridrisk import _core

_OPS = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}


def _mask(res: gr.Results, output: str, op: str, threshold: float) -> np.ndarray:
    """Which kept paths meet a condition, by NumPy."""
    return np.asarray(_OPS[op](res.path_output(output), threshold))


def assert_same_conditional(a: gr.Results, b: gr.Results) -> None:
    """Bit-identical conditional statistics (and the tables built from them)."""
    assert a.stats.conditions == b.stats.conditions
    for (na, ma, va), (nb, mb, vb) in zip(
        a.stats.output_condition_moments(), b.stats.output_condition_moments(), strict=True
    ):
        assert na == nb
        assert np.array_equal(ma, mb)
        assert np.array_equal(va, vb, equal_nan=True)
    for name in a.conditions:
        pd.testing.assert_frame_equal(a.given(name), b.given(name), check_exact=True)


@pytest.mark.parametrize("antithetic", [False, True], ids=["plain", "antithetic"])
def test_given_equals_numpy_filtering_of_the_kept_outputs(short: gr.Scenario, antithetic: bool) -> None:
    res = gr.simulate(short, paths=1_000, seed=7, keep_outputs=True, antithetic=antithetic, progress=False)
    assert list(res.conditions) == [c[0] for c in res.stats.conditions]
    summary_mean = res.summary()["mean"]
    compared = 0
    for name, _, output, op, threshold in res.stats.conditions:
        assert output in res.conditions[name]
        mask = _mask(res, output, op, threshold)
        table = res.given(name)
        n = int(mask.sum())
        assert list(table.index) == res.outputs
        assert (table["n"] == n).all()
        assert (table["share"] == n / res.paths).all()
        np.testing.assert_array_equal(table["mean_all"], summary_mean.loc[res.outputs])
        if n < 2:
            continue
        compared += 1
        for out in res.outputs:
            x = res.path_output(out)[mask]
            row = table.loc[out]
            if np.isnan(x).all():  # undefined for the horizon
                assert row[["mean", "sd", "se"]].isna().all(), (name, out)
                continue
            # Relative to the values' scale: a mean near zero of large values is known to that
            # scale, not to its own size.
            scale = float(np.abs(x).max())
            sd = float(x.std(ddof=1))
            assert abs(row["mean"] - x.mean()) <= 1e-12 * scale, (name, out)
            assert abs(row["sd"] - sd) <= 1e-12 * scale, (name, out)
            assert row["se"] == pytest.approx(row["sd"] / math.sqrt(n), rel=1e-15, abs=0.0)
            assert row["unit"] == gr.OUTPUT_UNITS[out]
    assert compared > 0, "no condition held on two paths: the test compared nothing"


def test_given_is_bit_identical_across_threads_splits_pickles_and_files(short: gr.Scenario, tmp_path: Path) -> None:
    n = 2_900  # not a multiple of the chunk size: the last chunk is partial
    one = gr.simulate(short, paths=n, seed=5, threads=1, progress=False)
    two = gr.simulate(short, paths=n, seed=5, threads=2, progress=False)
    assert_same_conditional(one, two)
    cuts = [0, 512, 1_024, 2_304, n]
    parts = [
        gr.simulate(short, paths=n, seed=5, path_range=(a, b), threads=1, progress=False)
        for a, b in itertools.pairwise(cuts)
    ]
    assert_same_conditional(one, gr.merge(reversed(parts)))
    assert_same_conditional(one, parts[0].merge(parts[1].merge(parts[2]).merge(parts[3])))
    assert_same_conditional(one, pickle.loads(pickle.dumps(two)))
    path = tmp_path / "run.zip"
    two.save(path)
    assert_same_conditional(one, gr.load(path))


def test_given_is_the_same_on_dask(short: gr.Scenario) -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    try:
        with distributed.Client(cluster) as client:
            remote = gr.simulate(short, paths=1_500, seed=21, client=client)
    finally:
        cluster.close()
    assert_same_conditional(gr.simulate(short, paths=1_500, seed=21, progress=False), remote)


def test_a_condition_no_path_meets_gives_nan_not_an_error(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=1, seed=3, keep_outputs=True, progress=False)
    counts = {}
    for name, _, output, op, threshold in res.stats.conditions:
        table = res.given(name)
        n = int(table["n"].iloc[0])
        counts[name] = n
        assert n == int(_mask(res, output, op, threshold).sum())
        assert (table["share"] == float(n)).all()
        # One path: no spread, so no standard error, whether or not the path meets it.
        assert table[["se", "sd"]].isna().all().all()
        if n == 0:
            assert table["mean"].isna().all()
        else:
            np.testing.assert_array_equal(table["mean"], table["mean_all"])
    # The conditions come in complementary pairs (an event and its negation), so on a single
    # path at least one of them is met by no path.
    assert 0 in counts.values(), counts


def test_an_unknown_condition_is_an_argument_error_naming_the_valid_ones(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=300, seed=1, progress=False)
    for bad in ("no_such_condition", 3, None):
        with pytest.raises(gr.ArgumentError) as err:
            res.given(bad)  # type: ignore[arg-type]
        for name in res.conditions:
            assert name in str(err.value)


def test_statistics_of_an_older_format_are_refused_with_a_clear_error(short: gr.Scenario) -> None:
    data = gr.simulate(short, paths=300, seed=1, progress=False).stats.to_bytes()
    tag = b"gridrisk-stats-v"
    assert data.startswith(tag)
    older = tag + b"3\0" + data[data.index(b"\0") + 1 :]
    with pytest.raises(gr.DataError, match=r"another format.*rerun"):
        _core.RunStats.from_bytes(older)


def test_given_an_event_mask_is_numpy_filtering_and_agrees_with_a_declared_condition(preset: gr.Scenario) -> None:
    sc = preset.replace({"simulation.horizon_months": 36})
    res = gr.simulate(sc, paths=1_500, seed=12, keep_paths=True, progress=False)
    fx = res.path_array("fx.pkr_per_usd")
    event = (fx[:, 12:] / fx[:, :-12]).max(axis=1) > 1.2
    assert 0 < event.sum() < event.size
    g = res.given(event)
    for o in ("npv_pkr", "circular_debt_change_pkr", "households_shed_h_per_day_increase"):
        x = res.path_output(o)
        assert g.loc[o, "n"] == event.sum()
        assert g.loc[o, "mean"] == pytest.approx(x[event].mean(), rel=1e-12, abs=1e-12)
        assert g.loc[o, "se"] == pytest.approx(x[event].std(ddof=1) / np.sqrt(event.sum()), rel=1e-12, abs=1e-12)
        assert g.loc[o, "mean_all"] == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
    # A declared condition as a mask gives the streamed figures.
    share = res.path_output("datacenter_arrived_share")
    by_mask = res.given(share > 0)
    by_name = res.given("datacenters_some_arrived")
    assert by_mask.loc["npv_pkr", "n"] == by_name.loc["npv_pkr", "n"]
    assert by_mask.loc["npv_pkr", "mean"] == pytest.approx(by_name.loc["npv_pkr", "mean"], rel=1e-9)
    with pytest.raises(gr.ArgumentError, match="one boolean per path"):
        res.given(event[:-1])
    with pytest.raises(gr.ArgumentError, match="one boolean per path"):
        res.given(event.astype(int))
    summary_only = gr.simulate(sc, paths=256, seed=12, progress=False)
    with pytest.raises(gr.ArgumentError, match="keep_outputs"):
        summary_only.given(np.ones(256, dtype=bool))


def test_reverse_stress_reads_the_adverse_tail(preset: gr.Scenario) -> None:
    sc = preset.replace({"simulation.horizon_months": 36, "datacenters.takeup": None})
    res = gr.simulate(sc, paths=2_000, seed=4, keep_paths=True, progress=False)
    t = res.reverse_stress("npv_pkr", tail=0.1)
    npv = res.path_output("npv_pkr")
    worst = npv <= np.quantile(npv, 0.1)
    assert int(t["n_tail"].iloc[0]) == worst.sum()
    fx = res.path_array("fx.pkr_per_usd")
    change = np.log(fx[:, -1]) - np.log(fx[:, 0])
    assert t.loc["fx.pkr_per_usd", "mean_tail"] == pytest.approx(change[worst].mean(), rel=1e-12)
    assert t.loc["fx.pkr_per_usd", "mean_all"] == pytest.approx(change.mean(), rel=1e-12)
    # Circular debt is worse when it grows: its tail is the highest paths.
    cd = res.path_output("circular_debt_change_pkr")
    t_cd = res.reverse_stress("circular_debt_change_pkr", tail=0.1)
    high = cd >= np.quantile(cd, 0.9)
    assert t_cd.loc["fx.pkr_per_usd", "mean_tail"] == pytest.approx(change[high].mean(), rel=1e-12)
    with pytest.raises(gr.ArgumentError, match="tail"):
        res.reverse_stress("npv_pkr", tail=0.0)
    with pytest.raises(gr.ArgumentError, match="npv_pkk"):
        res.reverse_stress("npv_pkk")
