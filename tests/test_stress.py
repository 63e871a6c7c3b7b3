"""Dated stress tests: drivers pinned to declared paths, nothing else moved."""

from __future__ import annotations

import gridrisk as gr
import numpy as np
import pytest
from gridrisk import stresses


@pytest.fixture(scope="module")
def short(preset: gr.Scenario) -> gr.Scenario:
    return preset.replace({"simulation.horizon_months": 36})


def run(sc: gr.Scenario) -> gr.Results:
    return gr.simulate(sc, paths=64, seed=9, keep_paths=True, progress=False)


def test_an_empty_stress_list_changes_nothing(short: gr.Scenario) -> None:
    a, b = run(short), run(short.replace({"stress": []}))
    for m in a.metrics:
        np.testing.assert_array_equal(a.path_array(m), b.path_array(m), err_msg=m)


def test_a_stressed_driver_follows_its_declared_path_and_nothing_else_moves(short: gr.Scenario) -> None:
    stress = [
        {"driver": "fx", "from": "2026-07", "months": 6, "change": 0.35, "name": "rupee"},
        {"driver": "oil", "from": "2026-07", "months": 4, "to": 110.0},
    ]
    a, b = run(short), run(short.replace({"stress": stress}))
    fx, t0 = b.path_array("fx.pkr_per_usd"), 3
    base = a.path_array("fx.pkr_per_usd")[:, t0 - 1]
    for k in range(6):
        np.testing.assert_allclose(fx[:, t0 + k], base * 1.35 ** ((k + 1) / 6), rtol=1e-12)
    np.testing.assert_array_equal(fx[:, :t0], a.path_array("fx.pkr_per_usd")[:, :t0])
    oil = b.path_array("fuel.oil_usd_per_bbl")
    np.testing.assert_allclose(oil[:, t0 + 3], 110.0, rtol=1e-12)
    # The rest of the drivers are untouched: their streams are not read differently.
    for m in ("bitcoin.price_usd", "demand.load_mw", "hydro.availability", "fuel.coal_usd_per_t"):
        np.testing.assert_array_equal(a.path_array(m), b.path_array(m), err_msg=m)
    assert [s["driver"] for s in b.stresses] == ["fx", "oil"]
    assert "stressed: oil, rupee" in repr(b)


def test_after_the_window_the_process_carries_on_from_the_stressed_level(short: gr.Scenario) -> None:
    # A deterministic exchange rate (no volatility, no jumps): after the window it grows at its
    # drift from where the stress left it.
    calm = short.replace({"fx.vol_annual": 0.0, "fx.jump_intensity_annual": 0.0})
    b = run(calm.replace({"stress": [{"driver": "fx", "from": "2026-05", "months": 3, "change": 0.5}]}))
    fx = b.path_array("fx.pkr_per_usd")[0]
    unstressed = run(calm).path_array("fx.pkr_per_usd")[0]
    growth = unstressed[1] / unstressed[0]
    np.testing.assert_allclose(fx[3] / fx[0], 1.5, rtol=1e-12)
    np.testing.assert_allclose(fx[4:] / fx[3:-1], growth, rtol=1e-12)


def test_demand_and_hydro_are_scaled_in_the_window_only(short: gr.Scenario) -> None:
    stress = [
        {"driver": "hydro", "from": "2026-10", "months": 12, "change": -0.25},
        {"driver": "demand", "from": "2026-10", "months": 12, "change": 0.08},
    ]
    a, b = run(short), run(short.replace({"stress": stress}))
    for metric, factor in (("hydro.availability", 0.75), ("demand.load_mw", 1.08)):
        ratio = b.path_array(metric) / a.path_array(metric)
        np.testing.assert_allclose(ratio[:, 6:18], factor, rtol=1e-12)
        np.testing.assert_array_equal(ratio[:, :6], 1.0)
        np.testing.assert_array_equal(ratio[:, 18:], 1.0)


def test_a_declared_path_pins_its_driver_month_by_month(short: gr.Scenario) -> None:
    stress = [
        {"driver": "oil", "from": "2026-06", "months": 3, "path": [80.0, 95.0, 70.0]},
        {"driver": "demand", "from": "2026-06", "months": 2, "path": [15_000.0, 16_000.0]},
        {"driver": "hydro", "from": "2026-07", "months": 1, "path": [0.6]},
    ]
    a, b = run(short), run(short.replace({"stress": stress}))
    np.testing.assert_allclose(b.path_array("fuel.oil_usd_per_bbl")[:, 2:5], [[80.0, 95.0, 70.0]] * 64, rtol=1e-12)
    np.testing.assert_allclose(b.path_array("demand.load_mw")[:, 2:4], [[15_000.0, 16_000.0]] * 64, rtol=1e-12)
    np.testing.assert_allclose(b.path_array("hydro.availability")[:, 3], 0.6, rtol=1e-12)
    # Outside its window each driver is its unstressed self (oil carries on from the last level).
    for m in ("demand.load_mw", "hydro.availability"):
        before, after = a.path_array(m), b.path_array(m)
        np.testing.assert_array_equal(np.delete(after, [2, 3], axis=1), np.delete(before, [2, 3], axis=1))
    np.testing.assert_array_equal(
        b.path_array("fuel.oil_usd_per_bbl")[:, :2], a.path_array("fuel.oil_usd_per_bbl")[:, :2]
    )
    np.testing.assert_array_equal(b.path_array("bitcoin.price_usd"), a.path_array("bitcoin.price_usd"))


@pytest.mark.parametrize("name", sorted(stresses.STRESSES))
def test_shipped_stresses_apply_compose_and_are_named(short: gr.Scenario, name: str) -> None:
    sc = stresses.apply(short, name)
    res = gr.simulate(sc, paths=64, seed=1, progress=False)
    assert {s["name"] for s in res.stresses} == {name}
    assert name in repr(res)
    both = stresses.apply(stresses.apply(short, "bitcoin_crash"), name) if name != "bitcoin_crash" else sc
    assert len(both.to_dict()["stress"]) >= len(sc.to_dict()["stress"])


@pytest.mark.parametrize(
    ("stress", "match"),
    [
        ({"driver": "rupee", "from": "2026-07", "months": 6, "change": 0.3}, "driver"),
        ({"driver": "fx", "from": "2040-01", "months": 6, "change": 0.3}, "month of the horizon"),
        ({"driver": "fx", "from": "2026-07", "months": 6}, "change"),
        ({"driver": "fx", "from": "2026-07", "months": 6, "change": 0.3, "to": 300.0}, "one of change, to or path"),
        (
            {"driver": "fx", "from": "2026-07", "months": 2, "to": 300.0, "path": [1.0, 2.0]},
            "one of change, to or path",
        ),
        ({"driver": "oil", "from": "2026-07", "months": 3, "path": [80.0, 90.0]}, "expected 3 numbers"),
        ({"driver": "oil", "from": "2026-07", "months": 2, "path": [80.0, 0.0]}, r"path\[1\]"),
        ({"driver": "hydro", "from": "2026-07", "months": 2, "path": [1.0, float("nan")]}, r"path\[1\]"),
        ({"driver": "demand", "from": "2026-07", "months": 6, "to": 20_000.0}, "relative change"),
        ({"driver": "fx", "from": "2026-07", "months": 6, "change": -1.0}, "change"),
        ({"driver": "fx", "from": "2026-07", "months": 0, "change": 0.3}, "months"),
        ({"driver": "lng_supply", "from": "2026-07", "months": 2, "to": 3.0}, "relative change"),
        ({"driver": "lng_supply", "from": "2026-07", "months": 2, "path": [0.5, 0.5]}, "relative change"),
    ],
)
def test_stresses_the_engine_cannot_run_are_refused(short: gr.Scenario, stress: dict[str, object], match: str) -> None:
    with pytest.raises(gr.ScenarioError, match=match):
        short.replace({"stress": [stress]})


def test_overlapping_windows_on_one_driver_are_refused(short: gr.Scenario) -> None:
    two = [
        {"driver": "fx", "from": "2026-07", "months": 6, "change": 0.3},
        {"driver": "fx", "from": "2026-09", "months": 6, "change": 0.3},
    ]
    with pytest.raises(gr.ScenarioError, match="overlaps"):
        short.replace({"stress": two})
    with pytest.raises(gr.ArgumentError, match="bitcoin_crash"):
        stresses.apply(short, "crash")


def test_an_lng_supply_stress_cuts_the_rlng_volume_in_its_window_only(short: gr.Scenario) -> None:
    cut = short.replace({"stress": [{"driver": "lng_supply", "from": "2026-06", "months": 2, "change": -0.75}]})
    base, hit = run(short), run(cut)
    mc = "grid.marginal_cost_pkr_per_kwh"
    # Months outside the window (and every driver) are the unstressed run's, bit for bit.
    for t in (0, 1, 4, 10):
        assert np.array_equal(base.path_array(mc)[:, t], hit.path_array(mc)[:, t])
    assert np.array_equal(base.path_array("fuel.lng_usd_per_mmbtu"), hit.path_array("fuel.lng_usd_per_mmbtu"))
    # In June, when RLNG runs at its whole allotment (floor = cap), a quarter of it is burnt.
    gen = "generation_rlng_ccgt_mw"

    def rlng_mwh(sc: gr.Scenario) -> float:
        d = gr.explain_month(sc, seed=3, path=0, month=2).blocks
        return float((d[gen] * d["hours"]).sum())

    assert rlng_mwh(cut) == pytest.approx(0.25 * rlng_mwh(short), rel=1e-9)
    assert (hit.path_array(mc)[:, 2] >= base.path_array(mc)[:, 2]).all()
    assert hit.path_array(mc)[:, 2].mean() > base.path_array(mc)[:, 2].mean() + 1.0
    # The shipped interruption loses cargoes as well as repricing them.
    assert stresses.STRESSES["lng_interruption"][0][:2] == ("lng_supply", 0)
    no_lng = short.replace({"fleet[5].fuel_limit": None})
    with pytest.raises(gr.ScenarioError, match="lng_supply"):
        no_lng.replace({"stress": [{"driver": "lng_supply", "from": "2026-06", "months": 2, "change": -0.5}]})
