"""Scenario construction, round trips, overrides and validation of bad input."""

from __future__ import annotations

import copy
import math
import pickle
from pathlib import Path
from typing import Any

import gridrisk as gr
import pytest

# The preset with its parameter uncertainty: what a user loads (its overrides, labels, runs).
UNCERTAIN = True


def test_presets_are_listed_and_load(preset: gr.Scenario) -> None:
    assert "pakistan-2000mw" in gr.presets()
    assert preset.name == "pakistan-2000mw"
    assert preset.months == 120


def test_unknown_preset_suggests_the_closest() -> None:
    with pytest.raises(gr.ArgumentError, match="did you mean 'pakistan-2000mw'"):
        gr.Scenario.preset("pakistan-2000")


def test_toml_and_dict_round_trip_exactly(preset: gr.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = preset.to_toml(path)
    assert path.read_text() == text
    again = gr.Scenario.from_toml(path)
    assert again == preset
    assert again.to_toml() == text
    assert gr.Scenario.from_dict(preset.to_dict()) == preset
    assert gr.Scenario.from_dict(preset.to_dict()).to_dict() == preset.to_dict()


def test_integers_given_for_numbers_are_normalised(preset: gr.Scenario) -> None:
    sc = preset.replace({"bitcoin.vol_annual": 1})
    assert sc["bitcoin.vol_annual"] == 1.0
    assert isinstance(sc["bitcoin.vol_annual"], float)


def test_replace_returns_a_new_validated_scenario(preset: gr.Scenario) -> None:
    sc = preset.replace({"bitcoin.vol_annual": 0.8, "fleet[0].units": 3})
    assert sc["bitcoin.vol_annual"] == 0.8
    assert sc["fleet[0].units"] == 3
    assert sc["fleet.0.units"] == 3
    assert preset["bitcoin.vol_annual"] != 0.8
    assert sc != preset


def test_replace_unknown_path_hints(preset: gr.Scenario) -> None:
    with pytest.raises(gr.ScenarioError, match=r"did you mean 'bitcoin\.vol_annual'"):
        preset.replace({"bitcon.vol_annual": 0.5})
    with pytest.raises(gr.ScenarioError, match="did you mean 'vol_annual'"):
        preset.replace({"bitcoin.vol_anual": 0.5})
    with pytest.raises(gr.ScenarioError, match="out of range"):
        preset.replace({"fleet[999].units": 1})


def test_scenario_is_immutable_and_picklable(preset: gr.Scenario) -> None:
    with pytest.raises(AttributeError, match="immutable"):
        preset.name = "x"  # type: ignore[misc]
    d = preset.to_dict()
    d["bitcoin"]["vol_annual"] = 2.0
    assert preset["bitcoin.vol_annual"] != 2.0
    assert pickle.loads(pickle.dumps(preset)) == preset
    assert hash(preset) == hash(gr.Scenario.from_dict(preset.to_dict()))


def _set(d: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node: Any = d
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = keys[-1]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()
NOT_PSD = [[1.0 if i == j else (-0.9 if i < 3 and j < 3 else 0.0) for j in range(8)] for i in range(8)]
ASYMMETRIC = [[1.0 if i == j else (0.3 if (i, j) == (1, 2) else 0.0) for j in range(8)] for i in range(8)]
BAD_DIAGONAL = [[0.9 if i == j == 4 else (1.0 if i == j else 0.0) for j in range(8)] for i in range(8)]

# (what, dotted path to change, new value, field the error must name, text the message must contain)
BAD_INPUTS = [
    ("negative capacity", "fleet.0.unit_mw", -100.0, "fleet[0].unit_mw", "(0, 5000]"),
    ("NaN", "demand.base_load_mw", math.nan, "demand.base_load_mw", "finite"),
    ("infinity", "fuel.oil.price0", math.inf, "fuel.oil.price0", "finite"),
    ("volatility of 5.0", "bitcoin.vol_annual", 5.0, "bitcoin.vol_annual", "[0, 3]"),
    (
        "3x3 matrix for 8 factors",
        "correlation.matrix",
        [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        "correlation.matrix",
        "8 x 8",
    ),
    ("non-PSD matrix", "correlation.matrix", NOT_PSD, "correlation.matrix", "positive semi-definite"),
    ("asymmetric matrix", "correlation.matrix", ASYMMETRIC, "correlation.matrix[2][1]", "symmetric"),
    ("diagonal not one", "correlation.matrix", BAD_DIAGONAL, "correlation.matrix[4][4]", "diagonal must be 1"),
    ("string for a number", "fx.vol_annual", "high", "fx.vol_annual", "expected a number"),
    ("bool for a number", "demand.growth_annual", True, "demand.growth_annual", "expected a number"),
    ("unknown key", "bitcoin.vol_anual", 0.5, "bitcoin.vol_anual", "did you mean 'vol_annual'"),
    ("empty fleet", "fleet", [], "fleet", "at least one"),
    ("horizon 0", "simulation.horizon_months", 0, "simulation.horizon_months", "[1, 600]"),
    ("fractional unit count", "fleet.0.units", 2.5, "fleet[0].units", "whole number"),
    ("outage rate of 1", "fleet.0.forced_outage_rate", 1.0, "fleet[0].forced_outage_rate", "[0, 1)"),
    ("12 seasonal factors needed", "demand.seasonality", [1.0] * 11, "demand.seasonality", "exactly 12"),
    ("bad month", "simulation.start", "2026-13", "simulation.start", "YYYY-MM"),
    ("unknown fuel", "fleet.0.fuel", "coall", "fleet[0].fuel", "did you mean 'coal'"),
    ("unknown return law", "bitcoin.returns", "cauchy", "bitcoin.returns", "'normal', 'student_t'"),
    ("t with 2 degrees of freedom", "bitcoin.t_dof", 2.0, "bitcoin.t_dof", "(2, 1000]"),
    ("missing field", "bitcoin.price0_usd", _DELETE, "bitcoin.price0_usd", "required"),
    (
        "factors out of order",
        "correlation.factors",
        ["oil", "demand", "lng", "coal", "fx", "bitcoin", "hashrate", "hydro"],
        "correlation.factors",
        "in this order",
    ),
    ("unsupported type", "meta.description", {1, 2}, "meta.description", "expected a string"),
    ("table where a number goes", "hydro.ar1_phi", {"x": 1}, "hydro.ar1_phi", "expected a number"),
    ("AR(1) not stationary", "hydro.ar1_phi", 1.0, "hydro.ar1_phi", "[-0.99, 0.99]"),
    ("day shape of 12 x 23", "grid.day_shape", [[1.0] * 23] * 12, "grid.day_shape", "12 x 24"),
    (
        "capacity factor above 1",
        "grid.capacity_factors.solar",
        [[1.2] * 24] * 12,
        "grid.capacity_factors.solar[0][0]",
        "[0, 1]",
    ),
    ("a month without load", "grid.day_shape", [[0.0] * 24] + [[1.0] * 24] * 11, "grid.day_shape[0]", "positive mean"),
    (
        "curtailment priority incomplete",
        "grid.curtailment_priority",
        ["mining", "households"],
        "grid.curtailment_priority",
        "exactly once",
    ),
    ("unknown profile", "fleet.0.profile", "sun", "fleet[0].profile", "'none', 'hydro', 'wind', 'solar'"),
    ("commission date malformed", "fleet.0.commission", "soon", "fleet[0].commission", "YYYY-MM"),
    ("negative allocation", "allocation.mining_mw", -10.0, "allocation.mining_mw", "[0, 100000]"),
    ("load factor above 1", "allocation.datacenter_load_factor", 1.5, "allocation.datacenter_load_factor", "[0, 1]"),
    ("outage-table step too coarse for a unit", "grid.capacity_step_mw", 100.0, "fleet[10].unit_mw", "rounds to zero"),
    ("hourly profile of the wrong length", "grid.hourly_shape", [1.0] * 100, "grid.hourly_shape", "8760 or 8736"),
]


@pytest.mark.parametrize(("what", "path", "value", "field", "text"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_a_scenario_error_naming_field_and_range(
    preset: gr.Scenario, what: str, path: str, value: Any, field: str, text: str
) -> None:
    d = preset.to_dict()
    _set(d, path, value)
    with pytest.raises(gr.ScenarioError) as info:
        gr.Scenario.from_dict(d)
    err = info.value
    assert isinstance(err, ValueError)
    assert field in err.fields, err.fields
    assert text in str(err), str(err)


def test_retire_must_follow_commission(preset: gr.Scenario) -> None:
    d = preset.to_dict()
    d["fleet"][0].update(commission="2030-01", retire="2029-12")
    with pytest.raises(gr.ScenarioError, match="after commission") as info:
        gr.Scenario.from_dict(d)
    assert info.value.fields == ["fleet[0].retire"]


def test_duplicate_fleet_names(preset: gr.Scenario) -> None:
    d = preset.to_dict()
    d["fleet"].append(copy.deepcopy(d["fleet"][0]))
    with pytest.raises(gr.ScenarioError, match="duplicate"):
        gr.Scenario.from_dict(d)


def test_every_problem_is_reported_at_once(preset: gr.Scenario) -> None:
    d = preset.to_dict()
    d["bitcoin"]["vol_annual"] = 5.0
    d["fleet"][0]["unit_mw"] = -1.0
    d["demand"]["base_load_mw"] = math.nan
    d["fx"]["colour"] = "red"
    with pytest.raises(gr.ScenarioError) as info:
        gr.Scenario.from_dict(d)
    assert set(info.value.fields) == {"bitcoin.vol_annual", "fleet[0].unit_mw", "demand.base_load_mw", "fx.colour"}
    assert "4 problems" in str(info.value)
    again = pickle.loads(pickle.dumps(info.value))
    assert again.errors == info.value.errors


def test_not_a_table() -> None:
    with pytest.raises(gr.ScenarioError, match="must be a table"):
        gr.Scenario.from_dict([1, 2])  # type: ignore[arg-type]


def test_toml_syntax_error_has_line_and_file(tmp_path: Path, preset: gr.Scenario) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(preset.to_toml().replace("[fx]", "[fx\n", 1))
    with pytest.raises(gr.ScenarioError, match="line") as info:
        gr.Scenario.from_toml(path)
    assert any("broken.toml" in n for n in info.value.__notes__)


def test_numpy_values_are_accepted(preset: gr.Scenario) -> None:
    np = pytest.importorskip("numpy")
    sc = preset.replace(
        {"bitcoin.vol_annual": np.float32(0.5), "fleet[0].units": np.int64(4), "correlation.matrix": np.eye(8)}
    )
    assert sc["fleet[0].units"] == 4
    assert sc["correlation.matrix"][0][0] == 1.0


# -- origin and overrides ---------------------------------------------------------------------


def test_an_unchanged_scenario_has_no_overrides(preset: gr.Scenario, tmp_path: Path) -> None:
    assert preset.overrides == []
    assert preset.label == "pakistan-2000mw"
    path = tmp_path / "mine.toml"
    preset.replace({"meta.name": "mine"}).to_toml(path)
    mine = gr.Scenario.from_toml(path)
    assert (mine.label, mine.overrides) == ("mine", [])  # a file's origin is the file itself
    assert gr.Scenario.from_dict(preset.to_dict()).label == "pakistan-2000mw"


def test_a_changed_file_named_after_a_preset_lists_what_differs(preset: gr.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "changed.toml"
    preset.replace({"simulation.horizon_months": 24}).to_toml(path)
    for sc in (gr.Scenario.from_toml(path), gr.Scenario.from_dict(gr.Scenario.from_toml(path).to_dict())):
        assert sc.origin == "pakistan-2000mw"
        assert sc.overrides == [("simulation.horizon_months", 120, 24)]
        assert sc.label == "pakistan-2000mw + 1 override"
        assert sc.replace({"bitcoin.vol_annual": 0.9}).label == "pakistan-2000mw + 2 overrides"
    # The preset's own data, from a file or a dict, is the preset unchanged.
    preset.to_toml(path)
    assert (gr.Scenario.from_toml(path).label, gr.Scenario.from_toml(path).overrides) == ("pakistan-2000mw", [])


def test_replace_records_its_overrides(preset: gr.Scenario) -> None:
    vol = preset["bitcoin.vol_annual"]
    unit = preset["fleet[2].unit_mw"]
    sc = preset.replace({"bitcoin.vol_annual": 0.8}).replace({"fleet.2.unit_mw": unit + 1})
    assert sc.overrides == [("bitcoin.vol_annual", vol, 0.8), ("fleet[2].unit_mw", unit, unit + 1)]
    assert sc.label == "pakistan-2000mw + 2 overrides"
    back = sc.replace({"bitcoin.vol_annual": vol})  # set back to the origin value: no longer an override
    assert back.overrides == [("fleet[2].unit_mw", unit, unit + 1)]
    assert back.label == "pakistan-2000mw + 1 override"
    assert back.replace({"fleet[2].unit_mw": unit}).label == "pakistan-2000mw"


def test_a_list_of_another_length_is_one_override(preset: gr.Scenario) -> None:
    fleet = preset["fleet"]
    sc = preset.replace({"fleet": fleet[:-1]})
    assert sc.overrides[0] == ("fleet", fleet, fleet[:-1])
    # A list given whole is certain: the distributions on fields in it go with the old list.
    assert [f for f, _, _ in sc.overrides] == ["fleet", "uncertain"]
    assert not any(f.startswith("fleet") for f in sc.uncertain.index)
    assert len(sc.uncertain) > 0
    hourly = preset.with_hourly_shape([1.0] * 8760)
    fields = [f for f, _, _ in hourly.overrides]
    assert fields == ["grid.load_shape", "grid.hourly_shape"]
    assert hourly.overrides[1][1] is None  # absent in the preset
    assert hourly.overrides[1][2] == [1.0] * 8760


def test_overrides_are_copies(preset: gr.Scenario) -> None:
    sc = preset.replace({"fleet": preset["fleet"][:2]})
    sc.overrides[0][2][0]["unit_mw"] = 1.0
    sc.overrides[0][1][0]["unit_mw"] = 1.0
    assert sc["fleet[0].unit_mw"] == preset["fleet[0].unit_mw"] != 1.0
    assert sc.overrides[0][1] == preset["fleet"]


def test_equality_and_hash_ignore_the_origin(preset: gr.Scenario) -> None:
    changed = preset.replace({"meta.name": "other"})
    same_data = gr.Scenario.from_dict(changed.to_dict())
    assert changed.label == "pakistan-2000mw + 1 override"
    assert same_data.label == "other"
    assert changed == same_data
    assert hash(changed) == hash(same_data)


def test_pickling_keeps_the_origin(preset: gr.Scenario) -> None:
    sc = preset.replace({"bitcoin.vol_annual": 0.8})
    again = pickle.loads(pickle.dumps(sc))
    assert again == sc
    assert again.overrides == sc.overrides
    assert again.label == sc.label
    assert pickle.loads(pickle.dumps(preset)).overrides == []


def test_repr_names_the_overrides(preset: gr.Scenario) -> None:
    assert "pakistan-2000mw + 1 override" in repr(preset.replace({"bitcoin.vol_annual": 0.8}))


def test_scenario_error_keeps_its_notes_when_pickled() -> None:
    import pickle

    e = gr.ScenarioError("bad", [{"field": "a", "value": "1", "message": "no"}])
    e.add_note("in scenario file x.toml")
    back = pickle.loads(pickle.dumps(e))
    assert back.errors == e.errors
    assert back.__notes__ == ["in scenario file x.toml"]
    assert str(back) == "bad"


def test_results_say_their_scenario_was_modified(short: gr.Scenario) -> None:
    res = gr.simulate(short.replace({"bitcoin.vol_annual": 0.8}), paths=300, seed=1, progress=False)
    # `short` itself overrides the horizon of the preset: two overrides in all.
    assert "'pakistan-2000mw + 2 overrides'" in repr(res)
    page = res._repr_html_()
    assert "bitcoin.vol_annual" in page
    assert "simulation.horizon_months" in page
