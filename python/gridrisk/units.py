"""Units people read: words, display units and numbers with their Monte Carlo error.

The engine and :class:`gridrisk.Results` work in base units (rupees, MWh, hours) so that sums
and comparisons stay exact; everything a person reads (the formatted tables of
``Results.tables``, the plots of ``Results.plot``, the CLI and the report) goes through this
module: rupees in billions, dollars in millions, energy in GWh, shares in per cent, and numbers
with thousands separators, a true minus sign and no e-notation.

Money may also be shown in US dollars (millions, at the scenario's starting exchange rate) or in
per cent of GDP (of the fiscal year the run starts in): see :func:`money_scale`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from gridrisk._validate import choice

if TYPE_CHECKING:
    from gridrisk.scenario import Scenario

__all__ = [
    "MONEY",
    "Z95",
    "default_decimals",
    "describe",
    "display_unit",
    "feeder_class",
    "format_number",
    "format_pm",
    "format_quantile",
    "format_short",
    "label",
    "money_scale",
    "round_to_error",
]

#: The standard normal quantile of a two-sided 95 % interval: the confidence half-widths
#: every table and figure shows are this many standard errors.
Z95 = 1.959963984540054
#: The true minus sign, so that negative numbers line up and read as numbers, not dashes.
MINUS = "\u2212"
#: What a table shows where a value is undefined (a single path's error, a horizon with no
#: complete fiscal year): never ``NaN``.
UNDEFINED = "n/a"

#: Ways to show money: ``"PKR bn"`` (the default), ``"USD m"`` (at the scenario's starting
#: exchange rate) and ``"% of GDP"`` (of the fiscal year the run starts in).
MONEY: tuple[str, ...] = ("PKR bn", "USD m", "% of GDP")

#: The period of a quantity that accrues over a month (a flow in ``results.METRIC_UNITS``): its
#: sum over months is an amount; a unit without it (a price, a stock, a load) has no such sum.
PER_MONTH = "/month"

# Base unit -> (display unit, factor from base to display).
_DISPLAY: dict[str, tuple[str, float]] = {
    "PKR": ("PKR bn", 1e-9),
    "PKR/yr": ("PKR bn/yr", 1e-9),
    "PKR/month": ("PKR bn/month", 1e-9),
    "PKR of the first month": ("PKR bn, first month's prices", 1e-9),
    "USD": ("USD m", 1e-6),
    "USD/yr": ("USD m/yr", 1e-6),
    "USD/month": ("USD m/month", 1e-6),
    "MWh": ("GWh", 1e-3),
    "MWh/yr": ("GWh/yr", 1e-3),
    "MWh/month": ("GWh/month", 1e-3),
    "tCO2": ("kt CO2", 1e-3),
    "tCO2/yr": ("kt CO2/yr", 1e-3),
    "tCO2/month": ("kt CO2/month", 1e-3),
    "share of months": ("%", 100.0),
    "share of paths": ("%", 100.0),
    "share of allocation": ("%", 100.0),
    "share of capacity": ("%", 100.0),
    "share of energy": ("%", 100.0),
    "0 or 1": ("%", 100.0),
}

# Names whose base unit reads better as it is (a Bitcoin price in millions of dollars would not).
_KEEP_BASE: frozenset[str] = frozenset({"bitcoin.price_usd"})

#: Words for the per-path outputs (docs/model.md, section 8.5).
OUTPUT_WORDS: dict[str, str] = {
    "npv_pkr": "Net present value to the state",
    "net_flow_pkr_per_year": "Net fiscal flow",
    "worst_fiscal_year_net_flow_pkr": "Worst fiscal year's net flow",
    "circular_debt_change_pkr": "Change in circular debt",
    "tariff_revenue_pkr_per_year": "Tariff revenue from the new loads",
    "tax_pkr_per_year": "Profit tax and super tax",
    "tax_expenditure_pkr_per_year": "Tax expenditure (exemptions)",
    "reserve_value_pkr": "Reserve's value at the horizon",
    "reserve_btc": "Bitcoin reserve at the horizon",
    "miner_uptime_share": "Months the miners run",
    "mean_hashprice_usd_per_ph_day": "Hashprice",
    "lole_base_h_per_year": "Loss of load, without allocation",
    "lole_with_h_per_year": "Loss of load, with allocation",
    "lole_households_h_per_year": "Loss of load for households",
    "eue_base_mwh_per_year": "Unserved energy without the allocation",
    "eue_with_mwh_per_year": "Unserved energy with the allocation",
    "eue_households_increase_mwh_per_year": "Households' extra unserved energy",
    "eue_newload_mwh_per_year": "New loads' unserved energy",
    "added_cost_pkr_per_year": "Generation cost of the new loads",
    "household_eue_cost_pkr_per_year": "Households' cost of extra outages",
    "npv_real_pkr": "Net present value in constant rupees",
    "budget_subsidy_pkr": "Budget subsidy",
    "consumers_charge_pkr": "Charge to other consumers",
    "npv_tariff_revenue_pkr": "NPV: tariff revenue",
    "npv_generation_cost_pkr": "NPV: generation cost",
    "npv_consumers_charge_pkr": "NPV: charge to other consumers",
    "npv_tax_pkr": "NPV: profit tax and super tax",
    "npv_sales_tax_pkr": "NPV: sales tax and duty",
    "npv_surcharge_pkr": "NPV: debt-service surcharge",
    "npv_reserve_pkr": "NPV: reserve purchases",
    "npv_mining_pkr": "NPV: miners",
    "npv_datacenters_pkr": "NPV: data centres",
    "npv_package_period_pkr": "NPV: months under the package",
    "net_foreign_exchange_usd_per_year": "Net foreign exchange",
    "emissions_tco2_per_year": "Emissions of the new loads",
    "carbon_cost_pkr_per_year": "Social cost of the emissions",
    "latent_load_mw": "Latent demand",
    "served_load_base_mw": "Served load without the allocation",
    "households_shed_h_per_day_base": "Households' load-shedding without the allocation",
    "households_shed_h_per_day_increase": "Households' extra load-shedding",
    "revenue_forgone_base_pkr_per_year": "Revenue forgone by shedding, without the allocation",
    "cost_avoided_base_pkr_per_year": "Generation cost avoided by shedding, without the allocation",
    "revenue_forgone_increase_pkr_per_year": "Extra revenue forgone by shedding",
    "cost_avoided_increase_pkr_per_year": "Extra generation cost avoided by shedding",
    "imported_available_share_mean": "Imported-fuel capacity available",
    "npv_displaced_revenue_pkr": "NPV: revenue of displaced consumers",
    "mining_ever_built": "Mining fleet built",
    "mining_installed_mw_mean": "Mining capacity in service, mean",
    "mining_installed_mw_peak": "Mining capacity in service, peak",
    "datacenter_arrived_share": "Data-centre allocation taken up",
    "datacenter_connected_mw_last": "Data centres connected at the horizon",
    "capital_inflow_usd": "Capital brought in by the new loads",
    "bad_debt_pkr": "Miners' unpaid bills",
    "npv_bad_debt_pkr": "NPV: miners' unpaid bills",
    "peak_relief_h_per_day_mean": "Hours of miners' peak relief, mean",
    "peak_relief_mw_mean": "Miners' load relieved at the system peak, mean",
    "peak_relief_mwh_per_year": "Miners' energy forgone for peak relief",
}

#: Words for the monthly metrics people plot most; the others get words from their names.
METRIC_WORDS: dict[str, str] = {
    "demand.load_mw": "Grid demand",
    "grid.peak_relief_h_per_day": "Hours of miners' peak relief",
    "grid.peak_relief_mw": "Miners' load relieved at the system peak",
    "grid.peak_relief_mwh": "Miners' energy forgone for peak relief",
    "fuel.oil_usd_per_bbl": "Brent crude",
    "fuel.lng_usd_per_mmbtu": "LNG price",
    "fuel.coal_usd_per_t": "Imported coal price",
    "fx.pkr_per_usd": "Exchange rate",
    "bitcoin.price_usd": "Bitcoin price",
    "network.hashrate_ehs": "Network hashrate",
    "grid.marginal_cost_pkr_per_kwh": "Marginal generation cost",
    "grid.added_cost_pkr": "Generation cost of the new loads",
    "mining.hashprice_usd_per_ph_day": "Hashprice",
    "mining.load_mw": "Miners' load",
    "datacenters.load_mw": "Data centres' load",
    "fiscal.tariff_revenue_pkr": "Tariff revenue from the new loads",
    "fiscal.net_flow_pkr": "Net fiscal flow",
    "fiscal.circular_debt_flow_pkr": "Circular-debt flow",
    "fiscal.circular_debt_fytd_pkr": "Circular-debt flow, fiscal year to date",
    "incidence.budget_pkr": "Budget subsidy",
    "incidence.consumers_pkr": "Charge to other consumers",
    "reserve.value_pkr": "Value of the Bitcoin reserve",
    "hydro.availability": "Hydro availability",
    "grid.lole_households_h": "Loss of load for households",
    "grid.eue_households_increase_mwh": "Households' extra unserved energy",
    "grid.eue_newload_mwh": "New loads' unserved energy",
    "mining.uptime": "Miners running",
    "mining.btc_mined": "Bitcoin mined",
    "mining.installed_mw": "Mining capacity in service",
    "mining.capex_usd": "Miners' capital spending",
    "datacenters.connected_mw": "Data centres connected",
    "datacenters.arrived_share": "Data-centre allocation taken up",
    "reserve.btc": "Bitcoin reserve",
    "fiscal.tax_pkr": "Profit tax and super tax",
    "fiscal.tax_expenditure_pkr": "Tax expenditure (exemptions)",
    "fiscal.household_eue_cost_pkr": "Economic cost of households' extra outages",
    "tariff.mining_pkr_per_kwh": "Miners' tariff",
    "tariff.datacenters_pkr_per_kwh": "Data centres' tariff",
    "tariff.package_share": "Energy under the package",
    "fiscal.gap_pkr": "Revenue gap of the new loads",
    "incidence.consumers_pkr_per_kwh": "Charge to other consumers per kWh",
    "bop.oil_imports_usd": "Oil imports for the new loads",
    "bop.lng_imports_usd": "LNG imports for the new loads",
    "bop.coal_imports_usd": "Coal imports for the new loads",
    "bop.inflows_usd": "Dollars the new loads bring in",
    "bop.net_usd": "Net foreign exchange of the new loads",
    "reserve.purchases_pkr": "Reserve purchases",
    "reserve.revaluation_pkr": "Holding gain on the reserve",
    "fiscal.sales_tax_pkr": "Sales tax and duty",
    "fiscal.surcharge_pkr": "Debt-service surcharge",
    "fiscal.customs_forgone_pkr": "Customs duty forgone",
    "fiscal.net_flow_mining_pkr": "Net fiscal flow from the miners",
    "fiscal.net_flow_datacenters_pkr": "Net fiscal flow from the data centres",
    "fiscal.net_flow_package_pkr": "Net fiscal flow in months under the package",
    "grid.latent_load_mw": "Latent demand",
    "grid.imported_available_share": "Imported-fuel capacity available",
    "grid.marginal_cost_priced_pkr_per_kwh": "Marginal cost as the tariff prices it",
    "emissions.tco2": "Emissions of the new loads",
    "emissions.carbon_cost_pkr": "Social cost of the emissions",
    "fiscal.bad_debt_pkr": "Miners' unpaid bills",
    "bop.capital_inflow_usd": "Capital brought in by the new loads",
    "shed.households_h_per_day_base": "Households' load-shedding without the allocation",
    "shed.households_h_per_day_increase": "Households' extra load-shedding",
}

#: Words for the driver groups of :func:`gridrisk.sensitivity` (``DRIVER_GROUPS``); parameter
#: groups are named by the scenario in words already.
GROUP_WORDS: dict[str, str] = {
    "demand": "Demand",
    "fuels": "Fuel prices (oil, LNG, coal)",
    "fx": "Exchange rate",
    "bitcoin": "Bitcoin price",
    "hashrate": "Network hashrate",
    "fees": "Bitcoin transaction fees",
    "hydro": "Hydro availability",
    "takeup": "Data-centre take-up (timing)",
}


_CAUSES = {
    "rules": "by the feeder rules",
    "network": "for network limits",
    "capacity": "for lack of capacity",
    "fuel": "for lack of fuel",
}
_SHED = re.compile(r"^(?:shed\.|shed_)(rules|network|capacity|fuel)_(base|increase)_mwh(?:_per_year)?$")
_CLASS = re.compile(
    r"^(?:shed\.class(\d)_|class(\d)_shed_)(h_per_day_base|h_per_day_increase|increase_mwh(?:_per_year)?)$"
)


def _shedding_words(name: str) -> str | None:
    m = _SHED.match(name)
    if m:
        cause, case = _CAUSES[m.group(1)], m.group(2)
        return f"Energy shed {cause}" + (", without the allocation" if case == "base" else ": increase")
    m = _CLASS.match(name)
    if m:
        k, what = m.group(1) or m.group(2), m.group(3)
        if what == "h_per_day_base":
            return f"Feeder class {k}: load-shedding without the allocation"
        if what == "h_per_day_increase":
            return f"Feeder class {k}: extra load-shedding"
        return f"Feeder class {k}: extra energy shed"
    return None


_LOSS_BAND = re.compile(r"^loss_(?:(below|above)_(\d+)|(\d+)_(\d+))$")


def feeder_class(name: str) -> str:
    """Words for a feeder class named by its loss band (``"loss_20_40"`` -> "20 to 40 % losses", en dash).

    Classes are named by the scenario; names that are not a loss band are shown with spaces.
    """
    m = _LOSS_BAND.match(name)
    if not m:
        return name.replace("_", " ")
    if m.group(1):
        return f"{m.group(1)} {m.group(2)} % losses"
    return f"{m.group(3)}\u2013{m.group(4)} % losses"


def describe(name: str) -> str:
    """Words for a metric or per-path output (``"npv_pkr"`` -> ``"Net present value to the state"``).

    Names without a registered description get words from the name itself, so that a new
    metric never shows as a bare identifier.
    """
    if name.startswith("parameter:"):
        return f"Drawn {name.removeprefix('parameter:')}"
    if name in OUTPUT_WORDS:
        return OUTPUT_WORDS[name]
    if name in METRIC_WORDS:
        return METRIC_WORDS[name]
    flow = name.replace("_fytd", "")
    if flow != name and flow in METRIC_WORDS:
        # A running sum from July reads as the flow it sums.
        return f"{METRIC_WORDS[flow]}, fiscal year to date"
    shed = _shedding_words(name)
    if shed is not None:
        return shed
    stem = name.split(".", 1)[-1]
    stem = re.sub(r"_(pkr|usd|mwh|mw|h|tco2|btc|ehs|t)(_per_(year|day|kwh|bbl|mmbtu|t|ph_day))?(_|$)", r"\4", stem)
    stem = stem.replace("_per_year", "").replace("_fytd", ", fiscal year to date").replace("_", " ").strip()
    words = f" {stem} ".replace(" eue ", " unserved energy ").replace(" lole ", " loss of load ")
    words = words.replace(" base ", " without the allocation ").replace(" with ", " with the allocation ")
    words = words.replace("datacenters", "data centres").replace(" increase ", " (increase) ").strip()
    return words[:1].upper() + words[1:]


def display_unit(name: str, unit: str) -> tuple[str, float]:
    """The display unit of ``name`` (whose base unit is ``unit``) and the factor to it.

    Rupees go to billions, dollars to millions, MWh to GWh, tonnes of CO2 to thousands and
    shares to per cent; an increase in hours of shedding a day (minutes, for the allocation) to
    hours a year; the rest stays as it is (factor 1).
    """
    if unit == "h/day" and name.endswith(("h_per_day_increase", "h_per_day_increase_mean")):
        # The allocation's extra shedding is minutes a day: hours a year read better.
        return "h/yr", 365.25
    if name in _KEEP_BASE or unit not in _DISPLAY:
        return unit, 1.0
    return _DISPLAY[unit]


def label(name: str, unit: str) -> str:
    """``"Words (display unit)"``: a title or an axis label for ``name``."""
    shown, _ = display_unit(name, unit)
    return f"{describe(name)} ({shown})" if shown else describe(name)


def is_money(unit: str) -> bool:
    """Whether a base unit is rupees (a stock, a flow per year or per month, or constant rupees)."""
    return unit.startswith("PKR") and "/kWh" not in unit and "/USD" not in unit


def money_scale(scenario: Scenario, unit: str, money: str = "PKR bn") -> tuple[str, float]:
    """The display unit and factor of a rupee amount (base unit ``unit``) shown as ``money``.

    Parameters
    ----------
    scenario : Scenario
        Gives the starting exchange rate (``fx.rate0_pkr_per_usd``) and GDP
        (``economy.gdp_pkr``, of the fiscal year the run starts in).
    unit : str
        ``"PKR"``, ``"PKR/yr"``, ``"PKR/month"`` or ``"PKR of the first month"``.
    money : {"PKR bn", "USD m", "% of GDP"}
        ``"USD m"`` divides by the starting rate (a translation, not a forecast of the rate:
        tables say so in a note);
        ``"% of GDP"`` divides by the starting year's nominal GDP.

    Returns
    -------
    (str, float)
        The unit to print and the factor from rupees to it.
    """
    money = choice("money", money, list(MONEY))
    # A flow keeps its period whatever the money: a month's flow in % of GDP is "% of GDP/month"
    # (of the year's GDP), not a share of the month's output.
    per = next((p for p in ("/yr", PER_MONTH) if unit.endswith(p)), "")
    if money == "PKR bn":
        return display_unit("", unit)
    if money == "USD m":
        rate = float(scenario["fx.rate0_pkr_per_usd"])
        return f"USD m{per}", 1e-6 / rate
    gdp = float(scenario["economy.gdp_pkr"])
    return f"% of GDP{per}", 100.0 / gdp


def round_to_error(err: float) -> int:
    """Decimals that show a Monte Carlo error to one or two significant figures.

    Two figures when the error's leading digit is 1 or 2 (so 0.14 stays 0.14), one otherwise
    (0.4, 30): the convention of physics data tables. Never negative: integers are shown whole.
    """
    if not math.isfinite(err) or err <= 0:
        return -1
    exponent = math.floor(math.log10(err))
    lead = err / 10.0**exponent
    return max(0, -exponent + (1 if lead < 3 else 0))


def default_decimals(x: float) -> int:
    """Three significant figures for a number with no error to go by (at most 4 decimals)."""
    if x == 0 or not math.isfinite(x):
        return 0
    return min(4, max(0, 2 - math.floor(math.log10(abs(x)))))


#: A number asked for with more decimals than this, and smaller than ``SMALL``, is written as a
#: multiple of a power of ten ("4 × 10⁻¹¹"): a run of zeros that long is harder to read than
#: the exponent, and it would widen its table's column for a figure that is essentially zero.
MAX_DECIMALS = 6
SMALL = 1e-4
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _exponent(x: float, decimals: int) -> int:
    """The power of ten of ``x`` (> 0) once rounded to ``decimals`` decimals."""
    k = math.floor(math.log10(x))
    mantissa = round(x / 10.0**k, max(0, decimals + k))
    return k + 1 if mantissa >= 10 else k


def _times_power(mantissas: str, k: int) -> str:
    return f"{mantissas} × 10{str(k).translate(_SUPERSCRIPT)}"


def format_number(x: Any, decimals: int | None = None) -> str:
    """A number as people write it: thousands separators, a true minus sign, no e-notation.

    ``decimals=None`` keeps three significant figures. NaN and None are shown as ``n/a``;
    a value that rounds to zero is shown as 0 (never ``-0``). A value below ``SMALL`` asked
    for with more than ``MAX_DECIMALS`` decimals keeps the same digits as a multiple of a power
    of ten: ``format_number(4.2e-11, 12)`` is ``"4.2 × 10⁻¹¹"``.
    """
    if x is None:
        return UNDEFINED
    x = float(x)
    if math.isnan(x):
        return UNDEFINED
    if math.isinf(x):
        return "∞" if x > 0 else f"{MINUS}∞"
    d = default_decimals(x) if decimals is None or decimals < 0 else decimals
    if d > MAX_DECIMALS and abs(x) < SMALL:
        if round(abs(x), d) == 0:
            return "0"
        k = _exponent(abs(x), d)
        return (MINUS if x < 0 else "") + _times_power(f"{abs(x) / 10.0**k:.{max(0, d + k)}f}", k)
    return _fixed(x, d)


def _fixed(x: float, d: int) -> str:
    """``x`` to ``d`` decimals with thousands separators and a true minus (never ``-0``)."""
    text = f"{abs(x):,.{d}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return (MINUS if x < 0 else "") + text


def format_short(x: float) -> str:
    """A scenario value, as short as it is exact to four significant figures: ``0.08``, ``1,274``.

    For inputs (which have no Monte Carlo error): trailing zeros are dropped, large values keep
    their thousands separators, and nothing is written in e-notation.
    """
    if not math.isfinite(x):
        return format_number(x)
    if x == 0:
        return "0"
    d = min(10, max(0, 3 - math.floor(math.log10(abs(x)))))
    text = format_number(round(x, d), d)
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_quantile(value: float, ci95: float, decimals: int | None = None) -> str:
    """A quantile to the digits its own Monte Carlo error supports.

    The error is the quantile's 95 % confidence half-width ``ci95`` over :data:`Z95`, rounded as
    a mean's standard error is (:func:`round_to_error`), so that a tail quantile known to ±1 is
    not printed to 0.01. A half-width of zero (every path at the same value) shows three
    significant figures; an undefined one, ``decimals`` (three significant figures if None).
    """
    if math.isfinite(ci95) and ci95 > 0:
        return format_number(value, round_to_error(ci95 / Z95))
    return format_number(value, None if ci95 == 0 else decimals)


def format_pm(value: Any, err: Any, decimals: int | None = None) -> str:
    """``"\u2212334 ± 2"`` (a true minus): a value with its error, both to the error's precision.

    The error sets the decimals (:func:`round_to_error`) unless ``decimals`` is given; an
    undefined error shows the value alone; a zero error (an output that does not vary) shows the
    value to three significant figures.
    """
    v = float("nan") if value is None else float(value)
    e = float("nan") if err is None else float(err)
    if math.isnan(v):
        return UNDEFINED
    if math.isnan(e):
        return format_number(v, decimals)
    d = round_to_error(e) if decimals is None else decimals
    if d < 0:
        return format_number(v, None if e == 0 else 0)
    top = max(abs(v), e)
    if d > MAX_DECIMALS and 0 < top < SMALL:
        # Both in units of one power of ten: "(4 ± 3) × 10⁻¹¹".
        k = _exponent(top, d)
        m = max(0, d + k)
        sign = MINUS if v < 0 and f"{abs(v) / 10.0**k:.{m}f}" != f"{0:.{m}f}" else ""
        return _times_power(f"({sign}{abs(v) / 10.0**k:.{m}f} ± {e / 10.0**k:.{m}f})", k)
    return f"{_fixed(v, d)} ± {_fixed(e, d)}"
