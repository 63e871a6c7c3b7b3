"""Inputs fail fast and clearly: files, text, keys, overrides, profiles, grids and policies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from gridrisk.scenario import MAX_FILE_BYTES

# The preset with its parameter uncertainty: what a user loads (its overrides, labels, runs).
UNCERTAIN = True


@pytest.fixture(scope="module")
def tiny(preset: gr.Scenario) -> gr.Scenario:
    return preset.replace({"simulation.horizon_months": 3})


# -- scenario files ----------------------------------------------------------------------------


def test_a_latin1_file_names_the_byte_line_and_column(preset: gr.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(preset.replace({"meta.name": "cafe"}).to_toml().replace('"cafe"', '"caf\xe9"').encode("latin-1"))
    with pytest.raises(gr.ScenarioError, match=r"not UTF-8 text: byte 0xe9 at line \d+, column \d+") as info:
        gr.Scenario.from_toml(path)
    assert any("latin1.toml" in n for n in info.value.__notes__)


@pytest.mark.parametrize(
    "content",
    [b"\x7fELF\x02\x01\x01\x00\x00\x00", "[meta]\nname = 'x'\n".encode("utf-16"), b"\x00" * 100],
    ids=["executable", "utf-16", "zeros"],
)
def test_a_binary_file_is_a_scenario_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(content)
    with pytest.raises(gr.ScenarioError, match="binary file"):
        gr.Scenario.from_toml(path)


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(gr.ScenarioError, match="larger than"):
        gr.Scenario.from_toml(path)


def test_a_byte_order_mark_is_accepted(preset: gr.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + preset.to_toml().encode())
    assert gr.Scenario.from_toml(path) == preset


# -- text and keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda d: d["meta"].update(name="\ud800"), "meta.name"),
        (lambda d: d["meta"].update(description="ok \udcff"), "meta.description"),
        (lambda d: d["meta"].update({"\ud800": 1}), "meta.\\ud800"),
        (lambda d: d["fleet"][0].update(name="gas\udc80"), "fleet[0].name"),
    ],
    ids=["value", "value with escaped byte", "key", "list item"],
)
def test_lone_surrogates_are_scenario_errors(preset: gr.Scenario, build: Any, field: str) -> None:
    d = preset.to_dict()
    build(d)
    with pytest.raises(gr.ScenarioError, match="not valid Unicode") as info:
        gr.Scenario.from_dict(d)
    assert info.value.fields == [field]
    str(info.value).encode("utf-8")  # the message itself prints anywhere


def test_surrogates_in_replace_are_scenario_errors(preset: gr.Scenario) -> None:
    with pytest.raises(gr.ScenarioError, match="not valid Unicode"):
        preset.replace({"meta.name": "\ud800"})
    with pytest.raises(gr.ScenarioError) as info:
        preset.replace({"meta.\ud800": 1})
    str(info.value).encode("utf-8")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda d: d.update({"": 1}), "''"),
        (lambda d: d["bitcoin"].update({"": 1}), "bitcoin.''"),
        (lambda d: d["bitcoin"].update({"  ": 1}), "bitcoin.'  '"),
    ],
    ids=["top level", "nested", "blank"],
)
def test_empty_keys_are_scenario_errors(preset: gr.Scenario, build: Any, field: str) -> None:
    d = preset.to_dict()
    build(d)
    with pytest.raises(gr.ScenarioError, match="empty key") as info:
        gr.Scenario.from_dict(d)
    assert info.value.fields == [field]


@pytest.mark.parametrize("key", ["", ".", "meta.", ".meta", "meta..name", "fleet[x].units", "fleet[0"])
def test_malformed_override_keys_are_scenario_errors(preset: gr.Scenario, key: str) -> None:
    with pytest.raises(gr.ScenarioError):
        preset.replace({key: 1})


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("Bitcoin.Vol_Annual", "bitcoin.vol_annual"),
        ("BITCOIN.VOL_ANNUAL", "bitcoin.vol_annual"),
        ("bitcoin.Vol_Annual", "bitcoin.vol_annual"),
        ("Fleet[0].Units", "fleet[0].units"),
        ("bitcon.vol_annual", "bitcoin.vol_annual"),
    ],
)
def test_did_you_mean_ignores_case_and_names_the_whole_field(preset: gr.Scenario, key: str, hint: str) -> None:
    with pytest.raises(gr.ScenarioError, match=f"did you mean {hint!r}".replace("[", r"\[").replace("]", r"\]")):
        preset.replace({key: 0.5})
    with pytest.raises(KeyError, match="did you mean"):
        preset[key]


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("bitcoin.vol", "vol_annual"),  # the only field the name begins
        ("bitcoin.vol_anual", "vol_annual"),  # a close spelling
        ("fleet[0].unit", "units"),
        ("fx.vol", "vol_annual"),
    ],
)
def test_an_unknown_lower_case_key_gets_a_hint(preset: gr.Scenario, key: str, hint: str) -> None:
    with pytest.raises(gr.ScenarioError, match=f"unknown key; did you mean {hint!r}") as info:
        preset.replace({key: 1.0})
    assert info.value.errors[0]["message"].startswith(f"unknown key; did you mean {hint!r}")
    # Keys that resemble no field get none, and other problems are kept.
    with pytest.raises(gr.ScenarioError) as info:
        preset.replace({"bitcoin.zzz": 1.0, "fx.vol_annual": -1.0})
    assert "did you mean" not in str(info.value)
    assert {"bitcoin.zzz", "fx.vol_annual"} <= set(info.value.fields)


def test_unknown_preset_hint_ignores_case() -> None:
    with pytest.raises(gr.ArgumentError, match="did you mean 'pakistan-2000mw'"):
        gr.Scenario.preset("PAKISTAN-2000MW")


# -- replace and with_hourly_shape -------------------------------------------------------------


@pytest.mark.parametrize("overrides", [[("bitcoin.vol_annual", 0.5)], "bitcoin.vol_annual=0.5", 3])
def test_replace_needs_a_mapping(preset: gr.Scenario, overrides: Any) -> None:
    with pytest.raises(gr.ArgumentError, match="replace takes a mapping"):
        preset.replace(overrides)


@pytest.mark.parametrize("key", [1, None, b"bitcoin.vol_annual", ("bitcoin", "vol_annual")])
def test_replace_keys_must_be_text(preset: gr.Scenario, key: Any) -> None:
    with pytest.raises(gr.ScenarioError, match="dotted field names"):
        preset.replace({key: 0.5})


def test_replace_values_from_numpy(preset: gr.Scenario) -> None:
    sc = preset.replace({"bitcoin.vol_annual": np.float64(0.5), "fleet[0].units": np.int32(3)})
    assert sc["bitcoin.vol_annual"] == 0.5
    assert sc["fleet[0].units"] == 3


def _endless() -> Iterator[float]:
    while True:
        yield 1.0


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (5, "a CSV file or a sequence of numbers, got int"),
        (None, "got NoneType"),
        (np.array(1.0), "got ndarray"),
        (b"\x01" * 8760, "got bytes"),
        (dict.fromkeys(range(8760), 1.0), "got dict"),
        (["1.0"] * 8760, "hour 0 is '1.0', not a number"),
        ([1.0] * 100 + [None] + [1.0] * 8659, "hour 100 is None"),
        ([1.0] * 8759 + [True], "hour 8759 is True"),
        ([1.0] * 8759 + [float("nan")], "hour 8759"),
        ([1.0] * 8759 + [-1.0], "finite and >= 0"),
        (np.ones((8760, 2)), "hour 0 is array"),
        (_endless(), "more than 8760"),
        ([1.0] * 10, "got 10"),
    ],
    ids=[
        "int",
        "None",
        "0-d array",
        "bytes",
        "dict",
        "strings",
        "None item",
        "bool item",
        "NaN",
        "negative",
        "2-d array",
        "endless generator",
        "too short",
    ],
)
def test_with_hourly_shape_rejects_what_is_not_a_profile(preset: gr.Scenario, source: Any, text: str) -> None:
    with pytest.raises(gr.ScenarioError, match=text.replace("(", r"\(").replace(")", r"\)")):
        preset.with_hourly_shape(source)


def test_with_hourly_shape_accepts_arrays_and_iterables(preset: gr.Scenario) -> None:
    a = preset.with_hourly_shape(np.linspace(1.0, 2.0, 8760))
    b = preset.with_hourly_shape(x for x in np.linspace(1.0, 2.0, 8760))
    c = preset.with_hourly_shape(np.linspace(1.0, 2.0, 8760, dtype=np.float32).astype(np.float64))
    assert a == b
    assert c["grid.load_shape"] == "hourly"


def test_an_hourly_csv_that_is_not_utf8(preset: gr.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "profile.csv"
    path.write_bytes("load\xb5\n".encode("latin-1") + b"1.0\n" * 8760)
    with pytest.raises(gr.ScenarioError, match="not UTF-8"):
        preset.with_hourly_shape(path)


# -- sweep and compare -------------------------------------------------------------------------


def test_sweep_takes_numpy_arrays_and_scalars(tiny: gr.Scenario) -> None:
    sw = gr.sweep(
        tiny,
        {"mining.tariff[1].base_pkr_per_kwh": np.array([20.0, 30.0]), "allocation.mining_mw": [np.float64(0.0), 1000]},
        paths=64,
        seed=1,
    )
    assert len(sw.table) == 4
    assert sorted(sw.table["mining.tariff[1].base_pkr_per_kwh"].unique()) == [20.0, 30.0]
    ranged = gr.sweep(tiny, {"fleet[0].units": np.arange(2, 4)}, paths=64, seed=1)
    assert list(ranged.table["fleet[0].units"]) == [2, 3]


@pytest.mark.parametrize("values", [np.array(20.0), np.array([]), [], "20,30", 20, {"a": 1}])
def test_sweep_rejects_what_is_not_a_list_of_values(tiny: gr.Scenario, values: Any) -> None:
    with pytest.raises(gr.ArgumentError, match="non-empty list of values"):
        gr.sweep(tiny, {"mining.tariff[1].base_pkr_per_kwh": values}, paths=64, seed=1)


@pytest.mark.parametrize("values", [{20.0, 30.0}, frozenset({20.0, 30.0})])
def test_sweep_refuses_a_set_whose_order_is_arbitrary(tiny: gr.Scenario, values: Any) -> None:
    with pytest.raises(gr.ArgumentError, match="unordered"):
        gr.sweep(tiny, {"mining.tariff[1].base_pkr_per_kwh": values}, paths=64, seed=1)


def test_sweep_table_names_the_npv_loss_columns(tiny: gr.Scenario) -> None:
    sw = gr.sweep(tiny, {"allocation.mining_mw": [0.0, 1000.0]}, paths=64, seed=1)
    t = sw.table
    assert {"npv_loss_var95", "npv_loss_cvar95"} <= set(t.columns)
    assert not {"var95", "cvar95"} & set(t.columns)
    for i in range(len(t)):  # the loss is minus the NPV
        sc = tiny.replace({"allocation.mining_mw": t["allocation.mining_mw"][i]})
        risk = gr.simulate(sc, paths=64, seed=1, progress=False).risk()
        assert t["npv_loss_cvar95"][i] == risk.loc["CVaR 95 % of the NPV loss", "value"]
    assert list(sw.frontier["npv_loss_cvar95"]) == sorted(sw.frontier["npv_loss_cvar95"])


def test_differences_say_which_way_is_better(tiny: gr.Scenario) -> None:
    none = tiny.replace({"allocation.mining_mw": 0.0})
    diff = gr.compare({"none": none, "alloc": tiny}, paths=64, seed=1).differences()
    assert diff.loc[("alloc", "npv_pkr"), "better"] == "higher"
    assert diff.loc[("alloc", "circular_debt_change_pkr"), "better"] == "lower"
    assert set(diff["better"]) == {"higher", "lower"}


def test_compare_takes_pairs_and_shows_each_policys_scenario(tiny: gr.Scenario) -> None:
    none = tiny.replace({"allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0})
    cmp = gr.compare([("none", none), ("alloc", tiny)], paths=64, seed=1)
    assert list(cmp.results) == ["none", "alloc"]
    table = cmp.scenarios
    assert list(table.index) == ["none", "alloc"]
    assert table.loc["none", "label"] == "pakistan-2000mw + 3 overrides"
    assert table.loc["alloc", "overrides"] == 1
    assert "allocation.mining_mw: " in table.loc["none", "changes"]


@pytest.mark.parametrize(
    ("policies", "text"),
    [
        ("pairs with a name twice", "given twice"),
        ("one policy", "at least two"),
        ("a name that is not text", "non-empty strings"),
        ("an empty name", "non-empty strings"),
        ("not a scenario", "must be a gridrisk.Scenario"),
        ("a bare scenario", "compare needs a mapping"),
        ("a triple", "pairs"),
    ],
)
def test_compare_rejects_bad_policies(tiny: gr.Scenario, policies: str, text: str) -> None:
    cases: dict[str, Any] = {
        "pairs with a name twice": [("a", tiny), ("b", tiny), ("a", tiny)],
        "one policy": {"a": tiny},
        "a name that is not text": {1: tiny, 2: tiny},
        "an empty name": [("", tiny), ("b", tiny)],
        "not a scenario": {"a": tiny, "b": "pakistan-2000mw"},
        "a bare scenario": tiny,
        "a triple": [("a", tiny, 1), ("b", tiny, 2)],
    }
    with pytest.raises(gr.ArgumentError, match=text):
        gr.compare(cases[policies], paths=64, seed=1)


# -- run arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("progress", ["yes", 1, 0.5])
def test_progress_must_be_a_flag_or_a_function(tiny: gr.Scenario, progress: Any) -> None:
    with pytest.raises(gr.ArgumentError, match="progress must be"):
        gr.simulate(tiny, paths=10, seed=1, progress=progress)


def test_merge_takes_results(tiny: gr.Scenario) -> None:
    res = gr.simulate(tiny, paths=10, seed=1, progress=False)
    for parts in (res, [res, "x"], 5):
        with pytest.raises(gr.ArgumentError, match="merge takes"):
            gr.merge(parts)  # type: ignore[arg-type]
    assert gr.merge(iter([res])).paths == 10


def test_values_that_contain_themselves_are_scenario_errors(preset: gr.Scenario) -> None:
    loop: list[Any] = []
    loop.append(loop)
    table: dict[str, Any] = {}
    table["again"] = table
    deep: Any = 1.0
    for _ in range(1_000):
        deep = [deep]
    for value in (loop, table, deep):
        with pytest.raises(gr.ScenarioError):
            preset.replace({"meta.name": value})
