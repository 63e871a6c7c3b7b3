"""How a Comparison and a Sweep show themselves: in a terminal and in a notebook."""

from __future__ import annotations

import re

import gridrisk as gr
import pytest
from gridrisk.units import MINUS


@pytest.fixture(scope="module")
def comparison(short: gr.Scenario) -> gr.Comparison:
    half = short.replace({"allocation.datacenter_mw": 500.0})
    return gr.compare(
        {"none": short.counterfactual(), "planned": short, "half the data centres": half},
        paths=200,
        seed=5,
        progress=False,
    )


@pytest.fixture(scope="module")
def swept(short: gr.Scenario) -> gr.Sweep:
    grid = {"mining.tariff[1].base_pkr_per_kwh": [20, 29.54], "allocation.datacenter_mw": [0, 1e3]}
    return gr.sweep(short, grid, paths=128, seed=5)


def _no_noise(text: str) -> None:
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert not re.search(r"\d[eE][+-]?\d", text)  # no e-notation


def test_comparison_html_names_the_policies_with_errors_and_units(comparison: gr.Comparison) -> None:
    page = comparison._repr_html_()
    half = "half the data centres"
    for name in ("none", "planned", half, f"planned {MINUS} none", f"{half} {MINUS} none"):
        assert f">{name}<" in page
    assert "Net present value to the state (PKR bn)" in page
    assert "(GWh/yr)" in page
    assert " ± " in page
    assert page.count("<table") == 1
    assert "max-width:1000px" in page
    for outside in ("<script", "<link", "<style"):  # self-contained: inline CSS only
        assert outside not in page
    assert "pakistan-2000mw without the allocation" in page
    _no_noise(page)


def test_comparison_repr_is_a_readable_table(comparison: gr.Comparison) -> None:
    text = repr(comparison)
    assert text.startswith("<gridrisk.Comparison: 3 policies ('none', 'planned', 'half the data centres')")
    assert "  planned: pakistan-2000mw + " in text
    assert f"planned {MINUS} none" in text
    lines = text.splitlines()
    assert max(len(line) for line in lines[4:]) <= 100
    # the counterfactual's outputs are exactly zero: shown as 0, not as noise
    npv = next(line for line in lines if line.startswith("Net present value"))
    assert re.split(r"\s{2,}", npv)[1] == "0"
    assert "(PKR bn)" in text
    assert "(GWh/yr)" in text
    _no_noise(text)


def test_sweep_html_and_repr(swept: gr.Sweep) -> None:
    page = swept._repr_html_()
    assert "mining.tariff[1].base_pkr_per_kwh" in page
    assert "Expected NPV (PKR bn)" in page
    assert "29.54" in page
    assert " ± " in page
    assert ">1,000<" in page
    _no_noise(page)
    text = repr(swept)
    assert "Expected" in text
    assert "(PKR bn)" in text
    _no_noise(text)
    shown = swept.display(["npv_mean", "on_frontier"])
    assert list(shown.columns) == [*swept.fields, "Expected NPV (PKR bn)", "On the frontier"]
    assert set(shown["On the frontier"]) <= {"yes", ""}
    with pytest.raises(gr.ArgumentError, match="unknown sweep columns"):
        swept.display(["npv"])


def test_text_table_wraps_headers_and_long_labels() -> None:
    from gridrisk.compare import text_table

    table = text_table(
        ["output (unit)", "a.rather_long.dotted_field", "x"],
        [["A label long enough to be wrapped onto a second line", "1", "2"]],
        width=44,
    )
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 44
    assert "a.rather_long." in table  # the dotted header breaks after a dot
    assert lines[-1].strip() == "line"  # the long label goes on over more lines...
    assert lines[-1].startswith("  ")  # ... indented under its row
