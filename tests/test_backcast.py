"""The backcast against CPPA-G (docs/calibration.md, "Backcast against CPPA-G").

The band is :data:`gridrisk.backcast.BAND`, stated before the backcast was first run. The
preset's fleet as shipped misses it (nuclear availability, 2026 RLNG floors); with the year's
observed nuclear availability and RLNG and gas volumes it is met, and that is what is asserted.
"""

from __future__ import annotations

import gridrisk as gr
import numpy as np
import pytest
from gridrisk import backcast as bc
from gridrisk import datasets


@pytest.fixture(scope="module")
def observed_volumes() -> object:
    return bc.backcast(volumes="observed")


def test_the_observed_figures_are_complete_and_sourced() -> None:
    obs = bc.observed()
    assert len(obs) == 12
    assert str(obs.index[0]) == "2024-10"
    assert obs["generation_gwh"].notna().all()
    assert obs["fuel_cost_pkr_per_kwh"].notna().all()
    assert obs["source"].str.startswith("https://").all()
    assert set(obs["cost_basis"]) <= {"filing", "analyst", "derived"}
    # Where a filing lists the main fuels, they make up the total (Iran's imports and, in
    # December 2024, the unlisted wind and solar aside).
    full = obs.dropna(subset=["hydel_gwh", "nuclear_gwh", "rlng_gwh", "gas_gwh", "local_coal_gwh", "rfo_gwh"])
    parts = full[[c for c in obs.columns if c.endswith("_gwh") and c != "generation_gwh"]].sum(axis=1)
    np.testing.assert_array_less(parts, full["generation_gwh"] * 1.001)
    np.testing.assert_array_less(full["generation_gwh"] * 0.95, parts)


def test_every_driver_is_pinned_to_its_observed_value() -> None:
    sc = bc.backcast_scenario()
    res = gr.simulate(sc, paths=2, seed=3, keep_paths=True, progress=False)
    obs = bc.observed()
    brent = datasets.brent().loc["2024-10":"2025-09"].to_numpy()
    np.testing.assert_allclose(res.path_array("fuel.oil_usd_per_bbl")[0], brent, rtol=1e-12)
    fx = datasets.pkr_per_usd().loc["2024-10":"2025-09"].to_numpy()
    np.testing.assert_allclose(res.path_array("fx.pkr_per_usd")[1], fx, rtol=1e-12)
    assert sc["allocation.mining_mw"] == 0.0
    assert sc["allocation.datacenter_mw"] == 0.0
    hours = np.array([24 * m.days_in_month for m in obs.index])
    generated = res.path_array("grid.served_load_base_mw")[0] + res.path_array("grid.eue_base_mwh")[0] / hours
    np.testing.assert_allclose(generated * hours / 1000, obs["generation_gwh"], rtol=1e-3)


def test_the_model_meets_the_stated_band_with_the_years_volumes(observed_volumes: object) -> None:
    df = observed_volumes
    assert df.attrs["band"] == bc.BAND
    assert df.attrs["model_spread_pkr_per_kwh"] == 0.0  # every driver pinned: no noise left
    assert (df["cost_error"].abs() <= bc.BAND.cost_month).all(), df["cost_error"]
    assert df.attrs["mean_abs_cost_error"] <= bc.BAND.cost_mean_abs
    year = df.attrs["year_model_pkr_per_kwh"] / df.attrs["year_observed_pkr_per_kwh"] - 1
    assert abs(year) <= bc.BAND.cost_year
    for g in bc.FUEL_GROUPS:
        err = (df[f"{g}_model"] - df[f"{g}_observed"]).abs().dropna()
        assert (err <= bc.BAND.share_pp).all(), (g, err)
    assert df.attrs["passed"]


def test_the_shipped_fleet_misses_the_band_and_the_report_says_so() -> None:
    # The 2026 RLNG floors (forward facts, not FY25's) make the year too cheap (-12 %): the
    # backcast reports the miss instead of hiding it (docs/calibration.md explains it).
    df = bc.backcast(volumes="preset")
    assert not df.attrs["passed"]
    assert df.attrs["year_model_pkr_per_kwh"] < df.attrs["year_observed_pkr_per_kwh"]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(gr.ArgumentError, match="volumes"):
        bc.backcast_scenario(volumes="guess")
    with pytest.raises(gr.ArgumentError, match="Scenario"):
        bc.backcast_scenario("pakistan-2000mw")  # type: ignore[arg-type]
