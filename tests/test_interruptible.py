"""Miners interruptible by the hour (docs/model.md 7.6): peak relief and its validation."""

from __future__ import annotations

import math
from typing import Any

import gridrisk as gr
import numpy as np
import pytest

RELIEF_METRICS = ("grid.peak_relief_h_per_day", "grid.peak_relief_mw", "grid.peak_relief_mwh")
RELIEF_OUTPUTS = ("peak_relief_h_per_day_mean", "peak_relief_mw_mean", "peak_relief_mwh_per_year")


#: The preset with the new loads as fixed quantities (conftest.fixed_loads): this module tests
#: what happens to loads that are there.
FIXED_LOADS = True


def _without_table(sc: gr.Scenario) -> gr.Scenario:
    d = sc.to_dict()
    d["mining"].pop("interruptible")
    return gr.Scenario.from_dict(d)


def test_zero_hours_are_bit_identical_to_no_contract(preset: gr.Scenario) -> None:
    """The preset declares 0 hours: every metric of every month and every output of 300 paths
    is the flat draw's, bit for bit, and the relief figures are zero."""
    assert preset.to_dict()["mining"]["interruptible"]["hours_per_day"] == [0.0] * 12
    runs = [gr.simulate(sc, paths=300, seed=7, keep_paths=True) for sc in (preset, _without_table(preset))]
    a, b = runs
    for m in a.metrics:
        np.testing.assert_array_equal(a.path_array(m).view(np.uint64), b.path_array(m).view(np.uint64), err_msg=m)
    for o in a.outputs:
        np.testing.assert_array_equal(a.path_output(o).view(np.uint64), b.path_output(o).view(np.uint64), err_msg=o)
    for m in RELIEF_METRICS:
        assert not a.path_array(m).any(), m


def test_relief_hours_and_energy_follow_the_miners_draw(preset: gr.Scenario) -> None:
    sc = preset.replace({"mining.interruptible.hours_per_day": 4.0, "simulation.horizon_months": 36})
    flat = gr.simulate(preset.replace({"simulation.horizon_months": 36}), paths=50, seed=3, keep_paths=True)
    res = gr.simulate(sc, paths=50, seed=3, keep_paths=True)
    # The miners' MW at the generation side is what the peak relieves, whenever they run.
    peak_mw = res.path_array("grid.peak_relief_mw")
    running = res.path_array("mining.uptime") > 0
    np.testing.assert_array_equal(peak_mw > 0, running & (res.path_array("mining.load_mw") > 0))
    cap = preset.to_dict()["allocation"]["mining_mw"] / (1 - preset.to_dict()["fiscal"]["td_loss_share"])
    assert peak_mw.max() == pytest.approx(cap, rel=1e-12)
    days = np.array([p.days_in_month for p in res.months])
    hours = res.path_array("grid.peak_relief_h_per_day")
    np.testing.assert_allclose(hours[peak_mw > 0], 4.0, rtol=1e-12)
    assert not hours[peak_mw == 0].any()
    np.testing.assert_allclose(res.path_array("grid.peak_relief_mwh"), peak_mw * 4.0 * days, rtol=1e-12)
    # The grid serves less of the miners, at the dearest hours: their generation cost falls in
    # every month they run in both runs (the runs' paths can part: a path's later tariffs follow
    # its accounts, which the lower cost changes, so the miners may decide differently).
    both = (peak_mw > 0) & (flat.path_array("mining.uptime") == res.path_array("mining.uptime"))
    assert both.sum() > 100
    cost, cost_flat = res.path_array("grid.added_cost_pkr"), flat.path_array("grid.added_cost_pkr")
    assert (cost[both] < cost_flat[both]).all()


BAD: list[tuple[str, Any, str, str]] = [
    ("hours_per_day", -1.0, "mining.interruptible.hours_per_day", "[0, 24]"),
    ("hours_per_day", 24.5, "mining.interruptible.hours_per_day", "[0, 24]"),
    ("hours_per_day", math.nan, "mining.interruptible.hours_per_day", "finite"),
    ("hours_per_day", [4.0] * 11 + [25.0], "mining.interruptible.hours_per_day[11]", "[0, 24]"),
    ("offpeak_discount_share", -0.1, "mining.interruptible.offpeak_discount_share", "[0, 1]"),
    ("offpeak_discount_share", 1.5, "mining.interruptible.offpeak_discount_share", "[0, 1]"),
    ("offpeak_discount_share", math.nan, "mining.interruptible.offpeak_discount_share", "finite"),
]


@pytest.mark.parametrize(("key", "value", "field", "text"), BAD, ids=[f"{b[0]}={b[1]}" for b in BAD])
def test_bad_contract_is_a_scenario_error_naming_field_and_range(
    preset: gr.Scenario, key: str, value: Any, field: str, text: str
) -> None:
    d = preset.to_dict()
    d["mining"]["interruptible"][key] = value
    with pytest.raises(gr.ScenarioError) as info:
        gr.Scenario.from_dict(d)
    assert field in info.value.fields, info.value.fields
    assert text in str(info.value), str(info.value)


def test_hours_are_required_and_the_discount_is_optional(preset: gr.Scenario) -> None:
    d = preset.to_dict()
    d["mining"]["interruptible"] = {"offpeak_discount_share": 0.1}
    with pytest.raises(gr.ScenarioError, match="required") as info:
        gr.Scenario.from_dict(d)
    assert info.value.fields == ["mining.interruptible.hours_per_day"]
    d["mining"]["interruptible"] = {"hours_per_day": 4}
    sc = gr.Scenario.from_dict(d)
    assert sc.to_dict()["mining"]["interruptible"] == {"hours_per_day": [4.0] * 12, "offpeak_discount_share": 0.0}
    with pytest.raises(gr.ScenarioError, match="did you mean 'hours_per_day'"):
        preset.replace({"mining.interruptible.hours_per_dya": 4.0})
