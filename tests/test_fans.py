"""Which monthly metrics keep quantile sketches (``simulate(..., fans=...)``)."""

from __future__ import annotations

from pathlib import Path

import gridrisk as gr
import numpy as np
import pytest
from gridrisk.cli import main
from gridrisk.results import sketched_mask

PATHS = 600


@pytest.fixture(scope="module")
def short() -> gr.Scenario:
    return gr.Scenario.preset("pakistan-2000mw").replace({"simulation.horizon_months": 26})


@pytest.fixture(scope="module")
def runs(short: gr.Scenario) -> dict[str, gr.Results]:
    kw = {"paths": PATHS, "seed": 11, "progress": False}
    return {
        "default": gr.simulate(short, **kw),
        "all": gr.simulate(short, fans="all", **kw),
        "more": gr.simulate(short, fans=["network.hashrate_ehs", "shed.class3_h_per_day_increase"], **kw),
    }


def test_the_default_keeps_the_headline_fans_and_june_totals(runs: dict[str, gr.Results]) -> None:
    res = runs["default"]
    assert set(res.fans) == set(gr.HEADLINE_FANS)
    mask = sketched_mask(res.stats)
    months = res.months
    fytd = res.metrics.index("fiscal.net_flow_fytd_pkr")
    assert [str(months[t]) for t in np.flatnonzero(mask[fytd])] == ["2026-06", "2027-06"]
    # What the report, tables and figures read is there.
    from gridrisk.report import MAIN_FLOWS

    assert set(MAIN_FLOWS) <= set(res.fans)
    assert not res.fiscal_year_table().isna().any().any()
    assert not res.new_loads().drop(columns="unit").isna().any().any()


def test_fans_change_no_statistic_only_which_quantiles_exist(runs: dict[str, gr.Results]) -> None:
    default, every, more = runs["default"], runs["all"], runs["more"]
    assert every.fans == every.metrics
    assert set(more.fans) == set(gr.HEADLINE_FANS) | {"network.hashrate_ehs", "shed.class3_h_per_day_increase"}
    for other in (every, more):
        for a, b in zip(default.stats.moments(), other.stats.moments(), strict=True):
            assert np.array_equal(a, b, equal_nan=True)
        assert default.summary().equals(other.summary())
        assert default.fiscal_year_table().equals(other.fiscal_year_table())
    qs = [0.05, 0.5, 0.95]
    q_all = every.stats.quantiles(qs)
    for res in (default, more):
        mask = sketched_mask(res.stats)
        q = res.stats.quantiles(qs)
        assert np.array_equal(q[mask], q_all[mask])
        assert np.isnan(q[~mask]).all()
    assert more.fan("network.hashrate_ehs").equals(every.fan("network.hashrate_ehs"))


def test_a_fan_not_kept_is_refused_with_the_way_to_keep_it(runs: dict[str, gr.Results]) -> None:
    res = runs["default"]
    with pytest.raises(gr.ArgumentError, match=r"fans=\['network.hashrate_ehs'\]"):
        res.fan("network.hashrate_ehs")
    # Its mean is still there.
    assert np.isfinite(res.moments("network.hashrate_ehs")["mean"]).all()
    snap = res.snapshot(-1)
    assert np.isnan(snap.loc["network.hashrate_ehs", "p50"])
    assert np.isfinite(snap.loc["fx.pkr_per_usd", "p50"])
    i = res.metrics.index("network.hashrate_ehs")
    with pytest.raises(gr.ArgumentError, match="fans="):
        res.stats.metric_share_at_or_below(i, 0, 1.0)


@pytest.mark.parametrize(
    ("fans", "message"),
    [
        (["network.hashrat"], "did you mean 'network.hashrate_ehs'"),
        ("everything", "not a monthly metric"),
        (3, 'fans must be "all" or a list'),
        ([3], 'fans must be "all" or a list'),
        (["npv_pkr"], "not a monthly metric"),
    ],
)
def test_bad_fans_are_refused(short: gr.Scenario, fans: object, message: str) -> None:
    with pytest.raises(gr.ArgumentError, match=message):
        gr.simulate(short, paths=10, seed=1, progress=False, fans=fans)


def test_one_name_alone_is_a_list_of_one(short: gr.Scenario) -> None:
    res = gr.simulate(short, paths=10, seed=1, progress=False, fans="network.hashrate_ehs")
    assert "network.hashrate_ehs" in res.fans
    # Any sequence of names, a numpy array of them included.
    res = gr.simulate(short, paths=10, seed=1, progress=False, fans=np.array(["network.hashrate_ehs"]))
    assert "network.hashrate_ehs" in res.fans


def test_parts_merge_only_with_the_same_fans(short: gr.Scenario) -> None:
    kw = {"paths": 512, "seed": 4, "progress": False}
    a = gr.simulate(short, path_range=(0, 256), **kw)
    b = gr.simulate(short, path_range=(256, 512), fans="all", **kw)
    with pytest.raises(gr.MergeError, match="fans="):
        a.merge(b)
    whole = a.merge(gr.simulate(short, path_range=(256, 512), **kw))
    assert whole.stats.to_bytes() == gr.simulate(short, **kw).stats.to_bytes()


def test_saved_results_keep_their_fans(runs: dict[str, gr.Results], tmp_path: Path) -> None:
    res = runs["more"]
    back = gr.load(res.save(tmp_path / "r.zip"))
    assert back.fans == res.fans
    assert back.fan("network.hashrate_ehs").equals(res.fan("network.hashrate_ehs"))


def test_the_cli_takes_fans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    code = main(
        [
            "run",
            "--paths",
            "300",
            "--seed",
            "2",
            "--set",
            "simulation.horizon_months=13",
            "--no-progress",
            "--sensitivity-paths",
            "0",
            "--fans",
            "network.hashrate_ehs, reserve.btc",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert {"network.hashrate_ehs", "reserve.btc"} <= set(gr.load(out / "results.zip").fans)
    assert main(["run", "--paths", "10", "--no-progress", "--fans", "nope"]) == 2
    assert "not a monthly metric" in capsys.readouterr().err
