"""Engine behaviour that docs/model.md states and that was fixed to match it.

Leap years in hourly load profiles (model.md section 7.1): the profile is a common (365-day)
year; every calendar month reads the same month of the profile in every year, and 29 February
repeats 28 February.
"""

from __future__ import annotations

import gridrisk as gr
import numpy as np
from conftest import capacity_only

DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _day_stamped_profile() -> np.ndarray:
    """8760 values that differ from day to day and within the day."""
    h = np.arange(8760)
    return 1.0 + 0.01 * (h // 24) + 0.2 * (h % 24 >= 18)


def _shape(sc: gr.Scenario, month: str) -> np.ndarray:
    """The block loads of `month` relative to their mean (the profile slice, normalised).

    Read in the capacity-only model (conftest.capacity_only): there ``load_mw`` is the demand
    driver's load on the profile; with ``[shedding]`` it is what the feeder rules and the network
    leave of latent demand, no longer the profile's shape.
    """
    start = f"{month[:4]}-01"
    s = capacity_only(sc).replace({"simulation.start": start, "simulation.horizon_months": 12})
    load = gr.explain_month(s, seed=3, path=0, month=month).blocks["load_mw"].to_numpy()
    return load / load.mean()


def _profile_month(p: np.ndarray, m: int) -> np.ndarray:
    a = 24 * sum(DAYS[: m - 1])
    x = p[a : a + 24 * DAYS[m - 1]]
    return x / x.mean()


def test_leap_year_months_read_their_own_month_of_the_profile(preset: gr.Scenario) -> None:
    p = _day_stamped_profile()
    sc = preset.with_hourly_shape(p.tolist())
    for m in (1, 3, 7, 12):
        leap, common = _shape(sc, f"2028-{m:02d}"), _shape(sc, f"2027-{m:02d}")
        np.testing.assert_allclose(leap, common, rtol=1e-12, err_msg=f"month {m}")
        np.testing.assert_allclose(common, _profile_month(p, m), rtol=1e-12, err_msg=f"month {m}")


def test_february_29_repeats_february_28(preset: gr.Scenario) -> None:
    p = _day_stamped_profile()
    sc = preset.with_hourly_shape(p.tolist())
    feb = _shape(sc, "2028-02")
    assert len(feb) == 29 * 24
    raw = p[24 * 31 : 24 * 59]
    want = np.concatenate([raw, raw[-24:]])
    np.testing.assert_allclose(feb, want / want.mean(), rtol=1e-12)


def test_an_8736_hour_profile_repeats_its_last_day_in_leap_years_too(preset: gr.Scenario) -> None:
    p = _day_stamped_profile()[:8736]
    sc = preset.with_hourly_shape(p.tolist())
    dec = _shape(sc, "2028-12")
    raw = np.concatenate([p[-30 * 24 :], p[-24:]])  # 2-30 December, then 30 December again
    np.testing.assert_allclose(dec, raw / raw.mean(), rtol=1e-12)
    np.testing.assert_allclose(dec, _shape(sc, "2027-12"), rtol=1e-12)


def test_a_valid_profile_gives_finite_loads_in_leap_years(preset: gr.Scenario) -> None:
    """Validation checks each month of the profile on a common year; leap years read the same
    hours, so a profile it accepts never leaves a leap-year month without load (before the fix
    March 2028 read 2 March - 1 April, all zero here, and its blocks' loads were NaN)."""
    p = np.ones(8760)
    mar1 = 24 * 59
    p[mar1 + 24 : mar1 + 24 * 32] = 0.0  # 2 March to 1 April: March's load is all on 1 March
    sc = preset.with_hourly_shape(p.tolist())
    march = _shape(sc, "2028-03")
    assert np.isfinite(march).all()
    np.testing.assert_allclose(march, _shape(sc, "2027-03"), rtol=1e-12)
    assert march[:24].sum() == np.float64(len(march))


def test_section_9_counts_the_metrics_and_outputs_the_engine_records() -> None:
    import re
    from pathlib import Path

    from gridrisk import _core

    text = " ".join((Path(__file__).parents[1] / "docs" / "model.md").read_text(encoding="utf-8").split())
    m = re.search(r"Per path and month the engine records (\d+) metrics", text)
    o = re.search(r"Per path it also records the (\d+) outputs", text)
    assert m
    assert o
    assert int(m.group(1)) == len(_core.metric_names())
    assert int(o.group(1)) == len(_core.output_names())
