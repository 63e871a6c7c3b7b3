"""Tables to read: display units, numbers with their error, no NaN or e-notation, fixed widths."""

from __future__ import annotations

import math
import re

import gridrisk as gr
import numpy as np
import pandas as pd
import pytest
from gridrisk import units
from gridrisk.findings import key_findings
from gridrisk.tables import HEADLINE_OUTPUTS, Table

MINUS = "\u2212"


@pytest.fixture(scope="module")
def res(short: gr.Scenario) -> gr.Results:
    return gr.simulate(short, paths=800, seed=11, progress=False)


def _clean(text: str) -> None:
    assert not re.search(r"\bnan\b", text, re.I), text
    assert not re.search(r"\d[eE][+-]?\d", text), text


@pytest.mark.parametrize(
    ("value", "err", "expected"),
    [
        (-334.23, 2.1, f"{MINUS}334.2 ± 2.1"),
        (42.03, 0.147, "42.03 ± 0.15"),
        (42.03, 0.47, "42.0 ± 0.5"),
        (1_234_567.8, 300.0, "1,234,568 ± 300"),
        (0.0, 0.0, "0"),
        (3.1, math.nan, "3.10"),
        (math.nan, 1.0, "n/a"),
        (-0.0001, 0.01, "0.000 ± 0.010"),
    ],
)
def test_format_pm(value: float, err: float, expected: str) -> None:
    assert units.format_pm(value, err) == expected


def test_format_number_and_short() -> None:
    assert units.format_number(1.274e14, 0) == "127,400,000,000,000"
    assert units.format_number(None) == "n/a"
    assert units.format_number(-2.5, 1) == f"{MINUS}2.5"
    assert units.format_short(0.08) == "0.08"
    assert units.format_short(29.3) == "29.3"
    assert units.format_short(1000.0) == "1,000"
    assert units.round_to_error(0.15) == 2
    assert units.round_to_error(0.4) == 1
    assert units.round_to_error(30.0) == 0


def test_every_metric_and_output_has_words_and_a_display_unit(res: gr.Results) -> None:
    for name in [*res.metrics, *res.outputs]:
        words = units.describe(name)
        assert words
        assert words[0].isupper()
        assert "_" not in words, (name, words)
        assert words.lower() != name.lower()
        shown, factor = units.display_unit(name, res.unit(name))
        assert factor > 0
        assert shown, f"{name} has no display unit"
        # Money and energy are never shown in base units, which need e-notation to read.
        base = res.unit(name)
        if units.is_money(base) or base.startswith("MWh"):
            assert factor < 1.0, name
    # Tables are indexed by these words: two outputs (or metrics) with the same words would
    # collapse into one row.
    for names in (res.metrics, res.outputs):
        words = [units.describe(n) for n in names]
        assert len(set(words)) == len(words), sorted(w for w in words if words.count(w) > 1)
    assert len(res.tables.summary("all").text) == len(res.outputs)


def test_monthly_flows_are_per_month_and_their_sums_to_date_are_not(res: gr.Results) -> None:
    pairs = 0
    for name in res.metrics:
        if "_fytd" not in name:
            continue
        to_date = res.unit(name)
        assert not to_date.endswith("/month"), name
        flow = name.replace("_fytd", "")
        if flow in res.metrics:
            pairs += 1
            assert res.unit(flow) == f"{to_date}/month", flow
            assert units.display_unit(flow, res.unit(flow))[0].endswith("/month"), flow
    assert pairs >= 10


def test_money_scales() -> None:
    sc = gr.Scenario.preset("pakistan-2000mw")
    assert units.money_scale(sc, "PKR") == ("PKR bn", 1e-9)
    assert units.money_scale(sc, "PKR/yr") == ("PKR bn/yr", 1e-9)
    assert units.money_scale(sc, "PKR/month") == ("PKR bn/month", 1e-9)
    assert units.money_scale(sc, "PKR/month", "% of GDP") == ("% of GDP/month", 100.0 / float(sc["economy.gdp_pkr"]))
    unit, f = units.money_scale(sc, "PKR", "USD m")
    assert unit == "USD m"
    assert f == pytest.approx(1e-6 / float(sc["fx.rate0_pkr_per_usd"]))
    unit, f = units.money_scale(sc, "PKR/yr", "% of GDP")
    assert unit == "% of GDP/yr"
    assert f == pytest.approx(100 / float(sc["economy.gdp_pkr"]))
    with pytest.raises(gr.ArgumentError, match="money"):
        units.money_scale(sc, "PKR", "EUR")


def test_summary_table_matches_the_base_units_and_reads(res: gr.Results) -> None:
    t = res.tables.summary()
    base = res.summary()
    assert list(t.data.index) == [n for n in HEADLINE_OUTPUTS if n in base.index]
    # The numbers behind the text are the base table's, converted.
    assert t.data.loc["npv_pkr", "mean"] == pytest.approx(base.loc["npv_pkr", "mean"] * 1e-9)
    assert t.data.loc["npv_pkr", "unit"] == "PKR bn"
    assert t.data.loc["eue_households_increase_mwh_per_year", "unit"] == "GWh/yr"
    assert t.data.loc["households_shed_h_per_day_increase", "unit"] == "h/yr"
    assert t.data.loc["households_shed_h_per_day_increase", "mean"] == pytest.approx(
        base.loc["households_shed_h_per_day_increase", "mean"] * 365.25
    )
    npv = t.text.loc[units.describe("npv_pkr")]
    assert " ± " in npv["mean ± se"]
    assert npv["unit"] == "PKR bn"
    text = t.to_text()
    _clean(text)
    assert max(len(line) for line in text.splitlines()) <= 100
    html = t.to_html()
    _clean(re.sub(r"<[^>]+>", " ", html))
    assert "<caption>" in html
    assert t.style is not None
    assert len(res.tables.summary("all").data) == len(base)


def test_summary_in_dollars_and_gdp(res: gr.Results) -> None:
    usd = res.tables.summary(money="USD m")
    rate = float(res.scenario["fx.rate0_pkr_per_usd"])
    assert usd.data.loc["npv_pkr", "mean"] == pytest.approx(res.summary().loc["npv_pkr", "mean"] / rate / 1e6)
    assert any("PKR/USD" in n for n in usd.notes)
    gdp = res.tables.summary(money="% of GDP")
    assert gdp.data.loc["npv_pkr", "unit"] == "% of GDP"
    # Not money: untouched by the choice.
    assert gdp.data.loc["lole_with_h_per_year", "unit"] == "h/yr"


@pytest.mark.parametrize("width", [60, 100, 140])
def test_wide_tables_wrap_into_blocks(res: gr.Results, width: int) -> None:
    fy = res.tables.fiscal_years()
    text = fy.to_text(width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    # Every fiscal year still appears.
    for year in res.fiscal_years:
        assert year in text


@pytest.mark.parametrize("width", [60, 88, 100])
def test_long_labels_wrap_and_are_never_cut(res: gr.Results, width: int) -> None:
    for table in (res.tables.summary(), res.tables.risk()):
        text = table.to_text(width=width)
        assert "…" not in text
        assert max(len(line) for line in text.splitlines()) <= width
        # Each label's words appear in order (its row's values may come between them).
        for label in table.text.index:
            rest = iter(text.split())
            assert all(word in rest for word in str(label).split()), label
    # A label wider than the room beside its columns continues below its row, indented.
    text = pd.DataFrame({"value": ["1.0 ± 0.1"]}, index=["Households' extra unserved energy, by feeder class"])
    lines = Table(text, text, "A title", ()).to_text(width=40).splitlines()
    assert lines[3].startswith("Households' extra")
    assert lines[3].endswith("1.0 ± 0.1")
    assert all(line.startswith("  ") for line in lines[4:])
    assert "class" in lines[-1]


_POWERS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _read(text: str) -> tuple[float, float]:
    """A shown number (the value of ``"a ± b"``) and the unit of its last digit."""
    mantissas, _, power = text.partition(" × 10")
    number = mantissas.strip("()").split(" ± ")[0]
    k = int(power.translate(_POWERS)) if power else 0
    digits = len(number.split(".")[1]) if "." in number else 0
    return float(number.replace(",", "").replace(units.MINUS, "-")) * 10.0**k, 10.0 ** (k - digits)


def _decimals_shown(text: str) -> int:
    return -round(math.log10(_read(text)[1]))


def test_quantiles_are_rounded_to_their_own_error(res: gr.Results) -> None:
    for table in (res.tables.summary("all"), res.tables.npv()):
        for (_, row), (_, text) in zip(table.data.iterrows(), table.text.iterrows(), strict=True):
            for c, label in (("p5", "5 %"), ("p50", "median"), ("p95", "95 %")):
                se = row[f"{c}_ci95"] / units.Z95
                if not se > 0:
                    continue
                shown, unit = _read(text[label])
                # The last digit shown is at most the quantile's error and not far below it (one
                # or two significant figures of the error, as for a mean; whole numbers at least)...
                assert unit <= se or unit == 1, (c, row[c], se, text[label])
                assert unit > se / 30 or unit == 1, (c, row[c], se, text[label])
                # ... and the number shown is the quantile rounded there.
                assert abs(shown - row[c]) <= unit / 2 * (1 + 1e-9), (c, row[c], text[label])
    # A tail quantile is known less well than the mean: the NPV's 95 % has fewer digits.
    npv = res.tables.summary().text.loc[units.describe("npv_pkr")]
    assert _decimals_shown(npv["95 %"]) < _decimals_shown(npv["mean ± se"])
    assert "p95_ci95" in res.tables.summary().data.columns


def test_tiny_figures_are_written_with_a_power_of_ten() -> None:
    # A capacity shortfall of 4e-11 GWh with an error of 3e-11: not 0.00000000004 ± 0.00000000003.
    assert units.format_pm(4e-11, 3e-11) == "(4 ± 3) × 10⁻¹¹"
    assert units.format_pm(-2e-9, 1e-9) == f"({units.MINUS}2.0 ± 1.0) × 10⁻⁹"
    assert units.format_number(1.6e-13, 15) == "1.60 × 10⁻¹³"
    assert units.format_number(9.96e-8, 9) == "1.00 × 10⁻⁷"  # rounds up into the next power
    assert units.format_number(1e-20, 8) == "0"
    # Up to six decimals, or a value that is not small, stays in decimals.
    assert units.format_pm(0.000119, 0.000004) == "0.000119 ± 0.000004"
    assert units.format_pm(0.94, 1e-8) == "0.940000000 ± 0.000000010"
    for text in ("(4 ± 3) × 10⁻¹¹", "1.60 × 10⁻¹³"):
        _clean(text)
    assert _read("(4 ± 3) × 10⁻¹¹") == (4e-11, 1e-11)


def test_every_table_reads(res: gr.Results) -> None:
    t = res.tables
    for table in (
        t.risk(),
        t.npv(),
        t.fiscal_years(),
        t.fiscal_years(by="channel", money="% of GDP"),
        t.fiscal_years(money="PKR bn (constant)"),
        t.fiscal_years(money="USD m"),
        t.decomposition(),
        t.decomposition(by="load", money="USD m"),
        t.shedding(),
        t.adequacy(),
        t.new_loads(),
    ):
        assert table.title
        _clean(table.to_text())
        _clean(re.sub(r"<[^>]+>", " ", table.to_html()))
        assert isinstance(table.data, pd.DataFrame)


def test_fiscal_year_cells_are_the_base_table(res: gr.Results) -> None:
    base = res.fiscal_year_table()
    fy = res.tables.fiscal_years()
    year = res.fiscal_years[0]
    row = base.loc[(year, "net fiscal flow")]
    assert fy.data.loc[(year, "net fiscal flow"), "mean"] == pytest.approx(row["mean"] * 1e-9)
    cell = fy.text.loc["net fiscal flow", year]
    d = units.round_to_error(row["se"] * 1e-9)
    assert cell == units.format_pm(row["mean"] * 1e-9, row["se"] * 1e-9, d if d >= 0 else None)


def test_no_complete_fiscal_year_is_said(preset: gr.Scenario) -> None:
    r = gr.simulate(preset.replace({"simulation.horizon_months": 6}), paths=50, seed=1, progress=False)
    assert r.tables.fiscal_years().title == "No complete fiscal year in the horizon"
    _clean(r.tables.summary().to_text())  # the undefined worst year reads n/a, not NaN
    assert "n/a" in r.tables.summary().to_text()


def test_findings_are_sentences_with_error_bars(res: gr.Results) -> None:
    found = key_findings(res)
    topics = [f.topic for f in found]
    assert topics[:4] == ["fiscal impact", "tail risk", "who pays", "load-shedding"]
    for f in found:
        _clean(f.text)
        assert f.text.endswith(".")
    npv = res.summary().loc["npv_pkr"]
    assert units.format_pm(npv["mean"] * 1e-9, npv["se"] * 1e-9) in found[0].text
    # The 95 % quantile is rounded to its own error, as in the tables.
    assert f"PKR {units.format_quantile(npv['p95'] * 1e-9, npv['p95_ci95'] * 1e-9)} bn" in found[0].text
    assert res.tables.summary().text.loc[units.describe("npv_pkr"), "95 %"] in found[0].text


def test_the_tail_finding_gives_the_cvar_with_its_error(short: gr.Scenario) -> None:
    # Tariffs far below cost: some paths lose money, so the tail sentence reports a CVaR.
    low = {
        f"{load}.tariff[{i}].base_pkr_per_kwh": 1.0
        for load in ("mining", "datacenters")
        for i in range(len(short.to_dict()[load]["tariff"]))
    }
    r = gr.simulate(short.replace(low), paths=800, seed=3, progress=False)
    risk = r.risk()
    assert risk.loc["P(NPV < 0)", "value"] > 0
    cvar, se = -risk.loc["CVaR 95 % of the NPV loss", "value"], risk.loc["CVaR 95 % of the NPV loss", "se"]
    assert se > 0
    tail = key_findings(r)[1].text
    assert f"the NPV averages PKR {units.format_pm(cvar * 1e-9, se * 1e-9)} bn (CVaR 95 %)" in tail


def test_notebook_view_reads(res: gr.Results) -> None:
    html = res._repr_html_()
    _clean(re.sub(r"<[^>]+>", " ", html))
    assert "Fiscal impact." in html
    assert "gr-table" in html


def test_single_path_reads(preset: gr.Scenario) -> None:
    one = gr.simulate(preset.replace({"simulation.horizon_months": 24}), paths=1, seed=1, progress=False)
    text = one.tables.summary().to_text()
    _clean(text)
    assert np.isnan(one.tables.summary().data.loc["npv_pkr", "se"])
