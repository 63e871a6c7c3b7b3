"""Parameter uncertainty: distributions in place of scenario values (docs/model.md section 1.2)."""

from __future__ import annotations

import math

import gridrisk as gr
import numpy as np
import pytest
from gridrisk import _core

N = 2_000


@pytest.fixture(scope="module")
def year(preset: gr.Scenario) -> gr.Scenario:
    """The preset at its point values over one year: quick, every mechanism active."""
    return preset.replace({"simulation.horizon_months": 12})


def drawn(sc: gr.Scenario, paths: int = N, seed: int = 3, **kw: object) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=seed, keep_outputs=True, progress=False, **kw)  # type: ignore[arg-type]


def test_draws_follow_their_distributions(year: gr.Scenario) -> None:
    sc = year.replace(
        {
            "bitcoin.vol_annual": gr.Normal(0.5, 0.05),
            "fuel.oil.vol_annual": gr.LogNormal(0.3, 0.2),
            "datacenters.takeup.probability": gr.Uniform(0.1, 0.5),
            "datacenters.takeup.correlation": gr.Triangular(0.2, 0.3, 0.8),
            "allocation.mining_mw": gr.Discrete([500.0, 1000.0, 1500.0], [1, 2, 1]),
        }
    )
    p = drawn(sc).parameters
    se = lambda sd: 4 * sd / math.sqrt(N)  # noqa: E731 - four standard errors of a mean
    assert abs(p["bitcoin.vol_annual"].mean() - 0.5) < se(0.05)
    assert abs(p["bitcoin.vol_annual"].std() - 0.05) < 0.004
    assert abs(np.median(np.log(p["fuel.oil.vol_annual"])) - math.log(0.3)) < se(0.2) * 1.3
    assert abs(p["datacenters.takeup.probability"].mean() - 0.3) < se(0.4 / math.sqrt(12))
    tri_mean = (0.2 + 0.3 + 0.8) / 3
    tri_sd = math.sqrt((0.2**2 + 0.3**2 + 0.8**2 - 0.2 * 0.3 - 0.2 * 0.8 - 0.3 * 0.8) / 18)
    assert abs(p["datacenters.takeup.correlation"].mean() - tri_mean) < se(tri_sd)
    freq = p["allocation.mining_mw"].value_counts(normalize=True)
    assert set(freq.index) == {500.0, 1000.0, 1500.0}
    assert abs(freq[1000.0] - 0.5) < 4 * math.sqrt(0.25 / N)
    low = {
        "bitcoin.vol_annual": 0.2,
        "fuel.oil.vol_annual": 0.3 * math.exp(-1.2),
        "datacenters.takeup.probability": 0.1,
        "datacenters.takeup.correlation": 0.2,
        "allocation.mining_mw": 500.0,
    }
    assert all(p[f].min() >= lo for f, lo in low.items())  # inside every support


def test_a_joint_normal_carries_its_covariance_and_scenarios_draw_whole_rows(year: gr.Scenario) -> None:
    cov = [[0.01**2, 0.8 * 0.01 * 0.02], [0.8 * 0.01 * 0.02, 0.02**2]]
    sc = year.with_uncertain(
        gr.JointNormal({"economy.inflation_annual": 0.06, "economy.us_inflation_annual": 0.03}, cov),
        gr.Scenarios(
            {
                "low": {"bitcoin.vol_annual": 0.4, "fuel.oil.vol_annual": 0.2},
                "high": {"bitcoin.vol_annual": 0.9, "fuel.oil.vol_annual": 0.5},
            },
            {"low": 3.0, "high": 1.0},
        ),
    )
    p = drawn(sc).parameters
    assert abs(np.corrcoef(p["economy.inflation_annual"], p["economy.us_inflation_annual"])[0, 1] - 0.8) < 0.03
    assert abs(p["economy.us_inflation_annual"].std() - 0.02) < 0.0015
    rows = set(zip(p["bitcoin.vol_annual"], p["fuel.oil.vol_annual"], strict=True))
    assert rows == {(0.4, 0.2), (0.9, 0.5)}
    assert abs((p["bitcoin.vol_annual"] == 0.4).mean() - 0.75) < 4 * math.sqrt(0.75 * 0.25 / N)


def test_a_distribution_in_place_of_a_value_leaves_its_centre_and_fixed_drops_it(year: gr.Scenario) -> None:
    sc = year.replace({"bitcoin.vol_annual": gr.Triangular(0.4, 0.45, 0.9, group="bitcoin", source="a test")})
    assert sc["bitcoin.vol_annual"] == 0.45
    row = sc.uncertain.loc["bitcoin.vol_annual"]
    assert (row["dist"], row["low"], row["high"], row["group"], row["source"]) == (
        "triangular",
        0.4,
        0.9,
        "bitcoin",
        "a test",
    )
    assert sc.fixed()["bitcoin.vol_annual"] == 0.45
    assert sc.fixed().uncertain.empty
    # A number makes it certain again.
    assert sc.replace({"bitcoin.vol_annual": 0.7}).uncertain.empty
    # TOML round trip, and the same distribution written in place of the value in a file.
    assert gr.Scenario.from_dict(sc.to_dict()) == sc
    data = year.to_dict()
    data["bitcoin"]["vol_annual"] = {
        "dist": "triangular",
        "lower": 0.4,
        "mode": 0.45,
        "upper": 0.9,
        "group": "bitcoin",
        "source": "a test",
    }
    assert gr.Scenario.from_dict(data) == sc


def test_runs_are_reproducible_whatever_the_threads_and_ranges(year: gr.Scenario) -> None:
    sc = year.replace(
        {"datacenters.takeup.probability": gr.Uniform(0.1, 0.6), "bitcoin.vol_annual": gr.Normal(0.5, 0.1, lower=0.2)}
    )
    one = drawn(sc, paths=600, threads=1)
    two = drawn(sc, paths=600, threads=2)
    parts = gr.merge(
        [
            gr.simulate(sc, paths=600, seed=3, path_range=(0, 256), keep_outputs=True, progress=False),
            gr.simulate(sc, paths=600, seed=3, path_range=(256, 600), keep_outputs=True, progress=False),
        ]
    )
    for other in (two, parts):
        assert other.parameters.equals(one.parameters)
        assert np.array_equal(other.path_output("npv_pkr"), one.path_output("npv_pkr"), equal_nan=True)
        assert other.stats.to_bytes() == one.stats.to_bytes()
    assert "2 uncertain parameters drawn per path" in repr(one)
    assert "uncertain" not in repr(drawn(year, paths=8))
    # Prefix stable: path i draws the same in a run of any size.
    assert drawn(sc, paths=300).parameters.equals(one.parameters.iloc[:300])


def test_draws_are_common_random_numbers_and_leave_the_drivers_alone(year: gr.Scenario) -> None:
    a = year.replace({"datacenters.takeup.probability": gr.Uniform(0.1, 0.6)})
    b = a.replace({"bitcoin.vol_annual": gr.Normal(0.5, 0.05), "allocation.mining_mw": 800.0})
    ra, rb = drawn(a, paths=512, keep_paths=True), drawn(b, paths=512, keep_paths=True)
    assert np.array_equal(
        ra.parameters["datacenters.takeup.probability"], rb.parameters["datacenters.takeup.probability"]
    )
    point = drawn(year, paths=512, keep_paths=True)
    for metric in ("fx.pkr_per_usd", "fuel.oil_usd_per_bbl", "demand.load_mw"):
        assert np.array_equal(ra.path_array(metric), point.path_array(metric))


def test_antithetic_pairs_reflect_the_uniforms(year: gr.Scenario) -> None:
    sc = year.replace({"datacenters.takeup.probability": gr.Uniform(0.1, 0.5)})
    p = drawn(sc, paths=512, antithetic=True).parameters["datacenters.takeup.probability"].to_numpy()
    assert np.allclose(p[0::2] + p[1::2], 0.6, atol=1e-12)


def test_values_a_distribution_can_reach_must_make_a_valid_scenario(year: gr.Scenario) -> None:
    def refused(overrides: dict[str, object], *needles: str) -> None:
        with pytest.raises(gr.ScenarioError) as e:
            year.replace(overrides)
        for n in needles:
            assert n in str(e.value), str(e.value)

    refused({"datacenters.takeup.probability": gr.Normal(0.3, 0.2)}, "uncertain[0]", "must be in [0, 1]", "lower end")
    refused({"datacenters.takeup.probability": gr.Normal(0.3, 0.2, lower=0.0, upper=1.2)}, "upper end")
    refused({"fleet[0].units": gr.Uniform(2, 9)}, "whole number")
    refused({"fleet[0].units": gr.Discrete([8, 9.5])}, "whole number")
    refused({"bitcoin.vol_annual": gr.Uniform(0.5, 0.4)}, "must be above lower")
    refused({"bitcoin.vol_annual": gr.Triangular(0.4, 0.95, 0.9)}, "mode")
    refused({"bitcoin.vol_annual": gr.Discrete([0.4, 0.5], [0, 0])}, "positive")
    refused({"uncertain": [{"field": "bitcoin.no_such", "dist": "uniform", "lower": 0, "upper": 1}]}, "no such field")
    refused({"uncertain": [{"field": "meta.name", "dist": "discrete", "values": [1]}]}, "not a number")
    refused({"uncertain": [{"field": "bitcoin.vol_annual", "dist": "cauchy"}]}, "must be one of")
    two = {"field": "bitcoin.vol_annual", "dist": "uniform", "lower": 0.4, "upper": 0.6}
    refused({"uncertain": [two, two]}, "already has a distribution")
    with pytest.raises(gr.ScenarioError, match="positive semi-definite"):
        year.with_uncertain(
            gr.JointNormal({"bitcoin.vol_annual": 0.5, "fuel.oil.vol_annual": 0.3}, [[0.01, 0.02], [0.02, 0.01]])
        )
    # A relation between two fields, broken at a corner of their joint support.
    with pytest.raises(gr.ScenarioError, match="corner"):
        year.replace(
            {
                "datacenters.takeup.earliest_month": gr.Discrete([9, 60]),
                "datacenters.takeup.latest_month": gr.Discrete([68, 30]),
            }
        )


def test_a_path_whose_draws_break_a_relation_stops_the_run_naming_them(year: gr.Scenario) -> None:
    # With more than six uncertain fields only the all-low and all-high corners are tried, so
    # (earliest 60, latest 30) passes validation and is met by some path.
    extra = {f"grid.capacity_factors.hydro[0][{h}]": gr.Uniform(0.2, 0.3) for h in range(5)}
    sc = year.replace(
        {
            "datacenters.takeup.earliest_month": gr.Discrete([9, 60]),
            "datacenters.takeup.latest_month": gr.Discrete([68, 30]),
            **extra,
        }
    )
    with pytest.raises(gr.ScenarioError) as e:
        drawn(sc, paths=256)
    text = str(e.value)
    assert "path " in text
    assert "datacenters.takeup.earliest_month = 60" in text
    assert "narrow their bounds" in text


def test_results_condition_on_and_reverse_stress_by_the_draws(year: gr.Scenario) -> None:
    sc = year.replace(
        {
            "datacenters.takeup.probability": gr.Uniform(0.0, 1.0),
            "datacenters.takeup.earliest_month": 1,
            "datacenters.takeup.latest_month": 11,
        }
    )
    r = gr.simulate(sc, paths=1_000, seed=4, keep_paths=True, progress=False)
    p = r.parameters["datacenters.takeup.probability"]
    high = r.given(p.to_numpy() > 0.5)
    assert high is not None
    rs = r.reverse_stress("datacenter_arrived_share", tail=0.1)
    row = rs.loc["parameter:datacenters.takeup.probability"]
    # The paths where the fewest data centres came are those where they were least likely to.
    assert row["summary"] == "drawn value"
    assert row["mean_tail"] < row["mean_all"]
    assert row["z"] < -3
    assert gr.simulate(sc, paths=256, seed=4, progress=False)._paths is None


def test_sensitivity_attributes_variance_to_parameter_groups(year: gr.Scenario) -> None:
    sc = year.replace(
        {
            "datacenters.takeup.probability": gr.Uniform(0.0, 1.0, group="take-up"),
            "economy.gdp_pkr": gr.Uniform(1.0e14, 1.5e14, group="GDP"),
        }
    )
    s = gr.sensitivity(sc, "capital_inflow_usd", paths=1_024, seed=2, bootstrap=0)
    ix = s.indices
    assert list(ix.loc[["take-up", "GDP"], "kind"]) == ["parameter", "parameter"]
    assert ix.loc["GDP", "total"] == 0.0  # GDP enters only shares of GDP: not this output
    assert ix.loc["take-up", "total"] > 0.1
    only = gr.sensitivity(
        sc, "capital_inflow_usd", paths=256, seed=2, bootstrap=0, parameters=["GDP"], groups={"fx": ["fx"]}
    )
    assert list(only.indices.index) == ["fx", "GDP"]
    with pytest.raises(gr.ArgumentError, match="both a driver group and a parameter group"):
        gr.sensitivity(year.replace({"bitcoin.vol_annual": gr.Normal(0.5, 0.01, group="fx")}), paths=16)


def test_the_preset_declares_sourced_ranges_for_the_decisive_parameters() -> None:
    u = gr.Scenario.preset("pakistan-2000mw").uncertain
    groups = set(u["group"])
    assert {
        "inflation and FX drift",
        "tariff after the package",
        "data-centre take-up",
        "hashrate response",
        "imported-coal adder",
        "gas cap",
    } <= groups
    assert (u["source"].str.len() > 10).all()
    assert ((u["low"] <= u["value"]) & (u["value"] <= u["high"])).all()


def test_a_fits_estimates_become_a_joint_normal(year: gr.Scenario) -> None:
    pytest.importorskip("scipy")
    from gridrisk import calibrate, datasets

    fit = calibrate.fuel(datasets.brent(), "oil")
    j = fit.uncertainty()
    decl = j.declaration()
    assert decl["fields"] == ["fuel.oil.mean_reversion_annual", "fuel.oil.long_run", "fuel.oil.vol_annual"]
    sd = np.sqrt(np.diag(decl["cov"]))
    assert np.allclose(sd, fit.table["se"].to_numpy())
    assert decl["lower"][0] > 0  # a rate of mean reversion stays positive
    p = drawn(year.with_uncertain(j), paths=1_024).parameters
    assert abs(p["fuel.oil.vol_annual"].mean() - fit.table.loc["vol_annual", "estimate"]) < 4 * sd[2] / 32
    assert _core.uncertain_support(decl)[2] == pytest.approx((decl["lower"][2], decl["upper"][2]))
