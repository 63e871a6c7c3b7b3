"""Results of a simulation: statistics per metric and month, with their Monte Carlo error."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import _archive, _core
from gridrisk._validate import choice, short_repr
from gridrisk.errors import ArgumentError, MergeError
from gridrisk.findings import key_findings
from gridrisk.plot import PlotAccessor
from gridrisk.scenario import Scenario
from gridrisk.tables import TableAccessor
from gridrisk.units import Z95

__all__ = [
    "ADVERSE_FROM_ZERO",
    "CONTROLS",
    "FAN_QUANTILES",
    "METRIC_BETTER",
    "METRIC_UNITS",
    "OUTPUT_BETTER",
    "OUTPUT_UNITS",
    "SUMMARY_QUANTILES",
    "Results",
    "fiscal_years",
]

#: Quantiles shown by default in fan charts.
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)

#: Causes of the existing consumers' load-shedding, in the order of the ``shed.*`` metrics.
_SHED_CAUSES: tuple[str, ...] = ("rules", "network", "capacity", "fuel")

#: Slots of feeder-class metrics (``shed.class1_*`` ... ``shed.class6_*``): the most feeder
#: classes a scenario may declare.
_FEEDER_SLOTS = 6

#: Unit of each metric. A quantity that accrues over the month (a flow: rupees, dollars, energy,
#: hours of loss of load, bitcoin mined, emissions) is "per month", so that a label never reads a
#: month's flow as a total; stocks (the reserve), prices, loads in MW and fiscal-year-to-date sums
#: (``*_fytd_*``) have no period.
METRIC_UNITS: dict[str, str] = {
    "demand.load_mw": "MW",
    "fuel.oil_usd_per_bbl": "USD/bbl",
    "fuel.lng_usd_per_mmbtu": "USD/MMBtu",
    "fuel.coal_usd_per_t": "USD/t",
    "fx.pkr_per_usd": "PKR/USD",
    "bitcoin.price_usd": "USD/BTC",
    "bitcoin.fees_btc_per_block": "BTC/block",
    "network.hashrate_ehs": "EH/s",
    "network.difficulty_t": "T",
    "hydro.availability": "factor (mean 1)",
    "grid.marginal_cost_pkr_per_kwh": "PKR/kWh",
    "grid.marginal_cost_priced_pkr_per_kwh": "PKR/kWh",
    "grid.fuel_cost_base_pkr_per_kwh": "PKR/kWh",
    "grid.peak_relief_h_per_day": "h/day",
    "grid.peak_relief_mw": "MW",
    "grid.peak_relief_mwh": "MWh/month",
    "grid.added_cost_pkr": "PKR/month",
    "grid.lole_base_h": "h/month",
    "grid.lole_with_h": "h/month",
    "grid.lole_households_h": "h/month",
    "grid.eue_base_mwh": "MWh/month",
    "grid.eue_with_mwh": "MWh/month",
    "grid.eue_households_increase_mwh": "MWh/month",
    "grid.eue_newload_mwh": "MWh/month",
    "mining.hashprice_usd_per_ph_day": "USD/PH/day",
    "mining.uptime": "0 or 1",
    "mining.load_mw": "MW",
    "mining.btc_mined": "BTC/month",
    "datacenters.load_mw": "MW",
    "fiscal.tariff_revenue_pkr": "PKR/month",
    "fiscal.tax_pkr": "PKR/month",
    "fiscal.tax_expenditure_pkr": "PKR/month",
    "fiscal.net_flow_pkr": "PKR/month",
    "fiscal.circular_debt_flow_pkr": "PKR/month",
    "reserve.btc": "BTC",
    "reserve.value_pkr": "PKR",
    "fiscal.household_eue_cost_pkr": "PKR/month",
    "tariff.mining_pkr_per_kwh": "PKR/kWh",
    "tariff.datacenters_pkr_per_kwh": "PKR/kWh",
    "tariff.package_share": "share of energy",
    "fiscal.gap_pkr": "PKR/month",
    "incidence.budget_pkr": "PKR/month",
    "incidence.consumers_pkr": "PKR/month",
    "incidence.consumers_pkr_per_kwh": "PKR/kWh",
    "reserve.purchases_pkr": "PKR/month",
    "fiscal.net_flow_mining_pkr": "PKR/month",
    "fiscal.net_flow_datacenters_pkr": "PKR/month",
    "fiscal.net_flow_package_pkr": "PKR/month",
    "fiscal.net_flow_fytd_pkr": "PKR",
    "fiscal.circular_debt_fytd_pkr": "PKR",
    "incidence.budget_fytd_pkr": "PKR",
    "incidence.consumers_fytd_pkr": "PKR",
    "fiscal.sales_tax_pkr": "PKR/month",
    "fiscal.surcharge_pkr": "PKR/month",
    "fiscal.customs_forgone_pkr": "PKR/month",
    "reserve.revaluation_pkr": "PKR/month",
    "bop.oil_imports_usd": "USD/month",
    "bop.lng_imports_usd": "USD/month",
    "bop.coal_imports_usd": "USD/month",
    "bop.inflows_usd": "USD/month",
    "bop.net_usd": "USD/month",
    "emissions.tco2": "tCO2/month",
    "emissions.carbon_cost_pkr": "PKR/month",
    "fiscal.tariff_revenue_fytd_pkr": "PKR",
    "fiscal.generation_cost_fytd_pkr": "PKR",
    "fiscal.tax_fytd_pkr": "PKR",
    "fiscal.sales_tax_fytd_pkr": "PKR",
    "fiscal.surcharge_fytd_pkr": "PKR",
    "reserve.purchases_fytd_pkr": "PKR",
    "fiscal.net_flow_mining_fytd_pkr": "PKR",
    "fiscal.net_flow_datacenters_fytd_pkr": "PKR",
    "fiscal.net_flow_package_fytd_pkr": "PKR",
    "grid.latent_load_mw": "MW",
    "grid.served_load_base_mw": "MW",
    "grid.served_load_with_mw": "MW",
    "shed.households_h_per_day_base": "h/day",
    "shed.households_h_per_day_increase": "h/day",
    **{f"shed.{cause}_{case}_mwh": "MWh/month" for cause in _SHED_CAUSES for case in ("base", "increase")},
    **{
        f"shed.class{k}_{what}": unit
        for k in range(1, _FEEDER_SLOTS + 1)
        for what, unit in (("h_per_day_base", "h/day"), ("h_per_day_increase", "h/day"), ("increase_mwh", "MWh/month"))
    },
    "shed.revenue_forgone_base_pkr": "PKR/month",
    "shed.cost_avoided_base_pkr": "PKR/month",
    "shed.revenue_forgone_increase_pkr": "PKR/month",
    "shed.cost_avoided_increase_pkr": "PKR/month",
    "grid.imported_available_share": "share of capacity",
    "fiscal.displaced_revenue_fytd_pkr": "PKR",
    "mining.installed_mw": "MW",
    "mining.capex_usd": "USD/month",
    "datacenters.connected_mw": "MW",
    "datacenters.arrived_share": "share of allocation",
    "bop.capital_inflow_usd": "USD/month",
    "fiscal.bad_debt_pkr": "PKR/month",
    "fiscal.bad_debt_fytd_pkr": "PKR",
    "bop.capital_inflow_fytd_usd": "USD",
}

#: Unit of each per-path output (annual averages over the horizon).
OUTPUT_UNITS: dict[str, str] = {
    "npv_pkr": "PKR",
    "net_flow_pkr_per_year": "PKR/yr",
    "worst_fiscal_year_net_flow_pkr": "PKR",
    "circular_debt_change_pkr": "PKR",
    "tariff_revenue_pkr_per_year": "PKR/yr",
    "tax_pkr_per_year": "PKR/yr",
    "tax_expenditure_pkr_per_year": "PKR/yr",
    "reserve_value_pkr": "PKR",
    "reserve_btc": "BTC",
    "miner_uptime_share": "share of months",
    "mean_hashprice_usd_per_ph_day": "USD/PH/day",
    "lole_base_h_per_year": "h/yr",
    "lole_with_h_per_year": "h/yr",
    "lole_households_h_per_year": "h/yr",
    "eue_base_mwh_per_year": "MWh/yr",
    "eue_with_mwh_per_year": "MWh/yr",
    "eue_households_increase_mwh_per_year": "MWh/yr",
    "eue_newload_mwh_per_year": "MWh/yr",
    "added_cost_pkr_per_year": "PKR/yr",
    "household_eue_cost_pkr_per_year": "PKR/yr",
    "npv_real_pkr": "PKR of the first month",
    "budget_subsidy_pkr": "PKR",
    "consumers_charge_pkr": "PKR",
    "npv_tariff_revenue_pkr": "PKR",
    "npv_generation_cost_pkr": "PKR",
    "npv_consumers_charge_pkr": "PKR",
    "npv_tax_pkr": "PKR",
    "npv_sales_tax_pkr": "PKR",
    "npv_surcharge_pkr": "PKR",
    "npv_reserve_pkr": "PKR",
    "npv_mining_pkr": "PKR",
    "npv_datacenters_pkr": "PKR",
    "npv_package_period_pkr": "PKR",
    "net_foreign_exchange_usd_per_year": "USD/yr",
    "emissions_tco2_per_year": "tCO2/yr",
    "carbon_cost_pkr_per_year": "PKR/yr",
    "latent_load_mw": "MW",
    "served_load_base_mw": "MW",
    "households_shed_h_per_day_base": "h/day",
    "households_shed_h_per_day_increase": "h/day",
    **{f"shed_{cause}_{case}_mwh_per_year": "MWh/yr" for cause in _SHED_CAUSES for case in ("base", "increase")},
    **{
        f"class{k}_shed_{what}": unit
        for k in range(1, _FEEDER_SLOTS + 1)
        for what, unit in (
            ("h_per_day_base", "h/day"),
            ("h_per_day_increase", "h/day"),
            ("increase_mwh_per_year", "MWh/yr"),
        )
    },
    "revenue_forgone_base_pkr_per_year": "PKR/yr",
    "cost_avoided_base_pkr_per_year": "PKR/yr",
    "revenue_forgone_increase_pkr_per_year": "PKR/yr",
    "cost_avoided_increase_pkr_per_year": "PKR/yr",
    "imported_available_share_mean": "share of capacity",
    "npv_displaced_revenue_pkr": "PKR",
    "mining_ever_built": "share of paths",
    "mining_installed_mw_mean": "MW",
    "mining_installed_mw_peak": "MW",
    "datacenter_arrived_share": "share of allocation",
    "datacenter_connected_mw_last": "MW",
    "capital_inflow_usd": "USD",
    "bad_debt_pkr": "PKR",
    "npv_bad_debt_pkr": "PKR",
    "peak_relief_h_per_day_mean": "h/day",
    "peak_relief_mw_mean": "MW",
    "peak_relief_mwh_per_year": "MWh/yr",
}

HIGHER = "higher"
LOWER = "lower"

#: Which way is better for each per-path output, from the state's accounts and households'
#: supply: ``"higher"`` (NPV, net flow, revenue, tax, the reserve) or ``"lower"`` (circular
#: debt, generation cost, tax expenditure, unserved energy, loss of load). Risk figures
#: (VaR, CVaR, the probability of an adverse outcome, exceedance curves) read the adverse tail:
#: the low tail of a ``"higher"`` output, the high tail of a ``"lower"`` one.
OUTPUT_BETTER: dict[str, str] = {
    "npv_pkr": HIGHER,
    "net_flow_pkr_per_year": HIGHER,
    "worst_fiscal_year_net_flow_pkr": HIGHER,
    "circular_debt_change_pkr": LOWER,
    "tariff_revenue_pkr_per_year": HIGHER,
    "tax_pkr_per_year": HIGHER,
    "tax_expenditure_pkr_per_year": LOWER,
    "reserve_value_pkr": HIGHER,
    "reserve_btc": HIGHER,
    # Miners who run pay their bills; their draw on the grid shows in the reliability outputs.
    "miner_uptime_share": HIGHER,
    "mean_hashprice_usd_per_ph_day": HIGHER,
    "lole_base_h_per_year": LOWER,
    "lole_with_h_per_year": LOWER,
    "lole_households_h_per_year": LOWER,
    "eue_base_mwh_per_year": LOWER,
    "eue_with_mwh_per_year": LOWER,
    "eue_households_increase_mwh_per_year": LOWER,
    "eue_newload_mwh_per_year": LOWER,
    "added_cost_pkr_per_year": LOWER,
    "household_eue_cost_pkr_per_year": LOWER,
    "npv_real_pkr": HIGHER,
    # What the other consumers and the budget carry is a burden, whoever's accounts it relieves.
    "budget_subsidy_pkr": LOWER,
    "consumers_charge_pkr": LOWER,
    "npv_tariff_revenue_pkr": HIGHER,
    "npv_generation_cost_pkr": LOWER,
    "npv_consumers_charge_pkr": LOWER,
    "npv_tax_pkr": HIGHER,
    "npv_sales_tax_pkr": HIGHER,
    "npv_surcharge_pkr": HIGHER,
    "npv_reserve_pkr": LOWER,
    "npv_mining_pkr": HIGHER,
    "npv_datacenters_pkr": HIGHER,
    "npv_package_period_pkr": HIGHER,
    "net_foreign_exchange_usd_per_year": HIGHER,
    "emissions_tco2_per_year": LOWER,
    "carbon_cost_pkr_per_year": LOWER,
    # Latent demand is load to serve (as demand.load_mw); what is served of it is supply.
    "latent_load_mw": LOWER,
    "served_load_base_mw": HIGHER,
    # Hours and energy of the existing consumers' shedding, without the allocation and its
    # increase with it, by cause and by feeder class: less is better for households.
    "households_shed_h_per_day_base": LOWER,
    "households_shed_h_per_day_increase": LOWER,
    **{f"shed_{cause}_{case}_mwh_per_year": LOWER for cause in _SHED_CAUSES for case in ("base", "increase")},
    **{
        f"class{k}_shed_{what}": LOWER
        for k in range(1, _FEEDER_SLOTS + 1)
        for what in ("h_per_day_base", "h_per_day_increase", "increase_mwh_per_year")
    },
    # Read from the power sector's accounts, as every money output: the revenue the feeder
    # rules' shed consumers would have paid is lost to it (the displaced consumers' part enters
    # the gap), the generation cost their shedding avoids is saved. Circular debt avoided by
    # shedding is cost avoided less revenue forgone. Households' side of the same shedding is
    # in the hours and energy above, where less is better.
    "revenue_forgone_base_pkr_per_year": LOWER,
    "cost_avoided_base_pkr_per_year": HIGHER,
    "revenue_forgone_increase_pkr_per_year": LOWER,
    "cost_avoided_increase_pkr_per_year": HIGHER,
    # Imported-fuel capacity idled by the liquidity feedback is supply lost.
    "imported_available_share_mean": HIGHER,
    # The discounted revenue of the consumers the allocation displaces: lost to the power sector.
    "npv_displaced_revenue_pkr": LOWER,
    # What arrives: capacity that pays bills and taxes, and capital that comes in; bills the
    # miners leave unpaid are lost to the power sector.
    "mining_ever_built": HIGHER,
    "mining_installed_mw_mean": HIGHER,
    "mining_installed_mw_peak": HIGHER,
    "datacenter_arrived_share": HIGHER,
    "datacenter_connected_mw_last": HIGHER,
    "capital_inflow_usd": HIGHER,
    "bad_debt_pkr": LOWER,
    "npv_bad_debt_pkr": LOWER,
    # The miners' peak relief eases households' supply at the system peak; what it costs the
    # miners' revenue shows in the money outputs.
    "peak_relief_h_per_day_mean": HIGHER,
    "peak_relief_mw_mean": HIGHER,
    "peak_relief_mwh_per_year": HIGHER,
}

#: Which way is better for each monthly metric, as :data:`OUTPUT_BETTER`. For the drivers it is
#: the side that helps the state's accounts and households' supply: cheaper fuel, a stronger
#: rupee, a dearer Bitcoin, a smaller network, more water; for the new loads' own draw, the
#: revenue it pays (its cost to reliability shows in the grid metrics).
METRIC_BETTER: dict[str, str] = {
    "demand.load_mw": LOWER,
    "fuel.oil_usd_per_bbl": LOWER,
    "fuel.lng_usd_per_mmbtu": LOWER,
    "fuel.coal_usd_per_t": LOWER,
    "fx.pkr_per_usd": LOWER,
    "bitcoin.price_usd": HIGHER,
    "bitcoin.fees_btc_per_block": HIGHER,
    "network.hashrate_ehs": LOWER,
    "network.difficulty_t": LOWER,
    "hydro.availability": HIGHER,
    "grid.marginal_cost_pkr_per_kwh": LOWER,
    "grid.marginal_cost_priced_pkr_per_kwh": LOWER,
    "grid.fuel_cost_base_pkr_per_kwh": LOWER,
    # Peak relief (see OUTPUT_BETTER).
    "grid.peak_relief_h_per_day": HIGHER,
    "grid.peak_relief_mw": HIGHER,
    "grid.peak_relief_mwh": HIGHER,
    "grid.added_cost_pkr": LOWER,
    "grid.lole_base_h": LOWER,
    "grid.lole_with_h": LOWER,
    "grid.lole_households_h": LOWER,
    "grid.eue_base_mwh": LOWER,
    "grid.eue_with_mwh": LOWER,
    "grid.eue_households_increase_mwh": LOWER,
    "grid.eue_newload_mwh": LOWER,
    "mining.hashprice_usd_per_ph_day": HIGHER,
    "mining.uptime": HIGHER,
    "mining.load_mw": HIGHER,
    "mining.btc_mined": HIGHER,
    "datacenters.load_mw": HIGHER,
    "fiscal.tariff_revenue_pkr": HIGHER,
    "fiscal.tax_pkr": HIGHER,
    "fiscal.tax_expenditure_pkr": LOWER,
    "fiscal.net_flow_pkr": HIGHER,
    "fiscal.circular_debt_flow_pkr": LOWER,
    "reserve.btc": HIGHER,
    "reserve.value_pkr": HIGHER,
    "fiscal.household_eue_cost_pkr": LOWER,
    "tariff.mining_pkr_per_kwh": HIGHER,
    "tariff.datacenters_pkr_per_kwh": HIGHER,
    # The package prices below the industrial tariff: more energy under it, less revenue.
    "tariff.package_share": LOWER,
    "fiscal.gap_pkr": LOWER,
    "incidence.budget_pkr": LOWER,
    "incidence.consumers_pkr": LOWER,
    "incidence.consumers_pkr_per_kwh": LOWER,
    "reserve.purchases_pkr": LOWER,
    "fiscal.net_flow_mining_pkr": HIGHER,
    "fiscal.net_flow_datacenters_pkr": HIGHER,
    "fiscal.net_flow_package_pkr": HIGHER,
    "fiscal.net_flow_fytd_pkr": HIGHER,
    "fiscal.circular_debt_fytd_pkr": LOWER,
    "incidence.budget_fytd_pkr": LOWER,
    "incidence.consumers_fytd_pkr": LOWER,
    "fiscal.sales_tax_pkr": HIGHER,
    "fiscal.surcharge_pkr": HIGHER,
    "fiscal.customs_forgone_pkr": LOWER,
    "reserve.revaluation_pkr": HIGHER,
    "bop.oil_imports_usd": LOWER,
    "bop.lng_imports_usd": LOWER,
    "bop.coal_imports_usd": LOWER,
    "bop.inflows_usd": HIGHER,
    "bop.net_usd": HIGHER,
    "emissions.tco2": LOWER,
    "emissions.carbon_cost_pkr": LOWER,
    "fiscal.tariff_revenue_fytd_pkr": HIGHER,
    "fiscal.generation_cost_fytd_pkr": LOWER,
    "fiscal.tax_fytd_pkr": HIGHER,
    "fiscal.sales_tax_fytd_pkr": HIGHER,
    "fiscal.surcharge_fytd_pkr": HIGHER,
    "reserve.purchases_fytd_pkr": LOWER,
    "fiscal.net_flow_mining_fytd_pkr": HIGHER,
    "fiscal.net_flow_datacenters_fytd_pkr": HIGHER,
    "fiscal.net_flow_package_fytd_pkr": HIGHER,
    # Load-shedding: as the per-path outputs of the same names (see OUTPUT_BETTER).
    "grid.latent_load_mw": LOWER,
    "grid.served_load_base_mw": HIGHER,
    "grid.served_load_with_mw": HIGHER,
    "shed.households_h_per_day_base": LOWER,
    "shed.households_h_per_day_increase": LOWER,
    **{f"shed.{cause}_{case}_mwh": LOWER for cause in _SHED_CAUSES for case in ("base", "increase")},
    **{
        f"shed.class{k}_{what}": LOWER
        for k in range(1, _FEEDER_SLOTS + 1)
        for what in ("h_per_day_base", "h_per_day_increase", "increase_mwh")
    },
    "shed.revenue_forgone_base_pkr": LOWER,
    "shed.cost_avoided_base_pkr": HIGHER,
    "shed.revenue_forgone_increase_pkr": LOWER,
    "shed.cost_avoided_increase_pkr": HIGHER,
    "grid.imported_available_share": HIGHER,
    "fiscal.displaced_revenue_fytd_pkr": LOWER,
    "mining.installed_mw": HIGHER,
    "mining.capex_usd": HIGHER,
    "datacenters.connected_mw": HIGHER,
    "datacenters.arrived_share": HIGHER,
    "bop.capital_inflow_usd": HIGHER,
    "fiscal.bad_debt_pkr": LOWER,
    "fiscal.bad_debt_fytd_pkr": LOWER,
    "bop.capital_inflow_fytd_usd": HIGHER,
}

#: Per-path outputs that are net effects of the allocation, measured from a natural zero (the
#: state's net position, circular debt, households' extra unserved energy and its cost, the
#: existing consumers' extra load-shedding in hours and energy, by cause and by feeder class,
#: and the revenue of the consumers it displaces): for these :meth:`Results.summary` gives
#: ``p_adverse``, the probability of an adverse outcome (for the shedding, that the allocation
#: sheds more).
ADVERSE_FROM_ZERO: frozenset[str] = frozenset(
    {
        "npv_pkr",
        "net_flow_pkr_per_year",
        "worst_fiscal_year_net_flow_pkr",
        "circular_debt_change_pkr",
        "eue_households_increase_mwh_per_year",
        "household_eue_cost_pkr_per_year",
        "npv_real_pkr",
        "budget_subsidy_pkr",
        "consumers_charge_pkr",
        "npv_mining_pkr",
        "npv_datacenters_pkr",
        "households_shed_h_per_day_increase",
        *(f"shed_{cause}_increase_mwh_per_year" for cause in _SHED_CAUSES),
        *(f"class{k}_shed_h_per_day_increase" for k in range(1, _FEEDER_SLOTS + 1)),
        *(f"class{k}_shed_increase_mwh_per_year" for k in range(1, _FEEDER_SLOTS + 1)),
        "revenue_forgone_increase_pkr_per_year",
        "npv_displaced_revenue_pkr",
        "bad_debt_pkr",
        "npv_bad_debt_pkr",
    }
)


def fiscal_years(start: str, months: int) -> list[str]:
    """The complete Pakistani fiscal years (July to June) inside a horizon.

    Parameters
    ----------
    start : str
        First simulated month, ``"YYYY-MM"``.
    months : int
        Number of simulated months.

    Returns
    -------
    list of str
        Labels such as ``"FY2027"`` (July 2026 to June 2027: a fiscal year is named after the
        calendar year in which it ends), in order. Partial first and last years are left out.
    """
    first = pd.Period(start, freq="M")
    skip = (7 - first.month) % 12
    count = max(months - skip, 0) // 12
    first_end = (first + skip + 11).year
    return [f"FY{first_end + k}" for k in range(count)]


#: Quantiles reported by :meth:`Results.summary` and :meth:`Results.snapshot`.
SUMMARY_QUANTILES: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _threshold(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ArgumentError(f"loss_threshold_pkr must be a finite number >= 0, got {value!r}")
    thr = float(value)
    if not math.isfinite(thr) or thr < 0:
        raise ArgumentError(f"loss_threshold_pkr must be a finite number >= 0, got {value!r}")
    return thr


def _se(sd: float | np.ndarray, n: int) -> Any:
    """Standard error of a mean of ``n`` paths: undefined (NaN) for a single path."""
    return sd / math.sqrt(n) if n > 1 else sd * math.nan


def _table(
    names: list[str],
    mean: np.ndarray,
    var: np.ndarray,
    n: int,
    quantiles: Callable[[list[float]], np.ndarray],
    units: dict[str, str],
    better: dict[str, str],
) -> pd.DataFrame:
    """Rows of mean/se/sd and quantiles with confidence half-widths."""
    probs = list(SUMMARY_QUANTILES)
    bands: list[float] = []
    for q in probs:
        half = Z95 * math.sqrt(q * (1 - q) / n)
        bands += [max(q - half, 0.0), q, min(q + half, 1.0)]
    qv = quantiles(bands)
    rows = {}
    for i, name in enumerate(names):
        sd = math.sqrt(max(float(var[i]), 0.0)) if n > 1 else math.nan
        row: dict[str, Any] = {"mean": float(mean[i]), "se": _se(sd, n), "sd": sd}
        for k, q in enumerate(probs):
            lo, mid, hi = qv[i, 3 * k : 3 * k + 3]
            row[f"p{round(q * 100)}"] = mid
            # Monte Carlo half-width plus the sketch's own relative error, so that a quantile
            # known better than the sketch resolves never shows an error of 0.
            row[f"p{round(q * 100)}_ci95"] = (hi - lo) / 2 + _core.SKETCH_RELATIVE_ACCURACY * abs(mid)
        row["better"] = better.get(name, "")
        row["unit"] = units.get(name, "")
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


#: The net fiscal flow's channels: (label, its discounted output in the NPV, its
#: fiscal-year-to-date metric, sign in the net flow). One table for the NPV's and the fiscal
#: years' decompositions, so the two always name and sign the same parts.
_CHANNELS: tuple[tuple[str, str, str, float], ...] = (
    ("tariff revenue collected", "npv_tariff_revenue_pkr", "fiscal.tariff_revenue_fytd_pkr", 1.0),
    ("generation cost of the new loads", "npv_generation_cost_pkr", "fiscal.generation_cost_fytd_pkr", -1.0),
    # The bills the existing consumers the feeder rules shed for the new loads no longer pay.
    (
        "revenue of consumers displaced by shedding",
        "npv_displaced_revenue_pkr",
        "fiscal.displaced_revenue_fytd_pkr",
        -1.0,
    ),
    ("charged to other consumers", "npv_consumers_charge_pkr", "incidence.consumers_fytd_pkr", 1.0),
    ("profit tax and super tax", "npv_tax_pkr", "fiscal.tax_fytd_pkr", 1.0),
    ("sales tax and duty on the bills", "npv_sales_tax_pkr", "fiscal.sales_tax_fytd_pkr", 1.0),
    ("debt-service surcharge", "npv_surcharge_pkr", "fiscal.surcharge_fytd_pkr", 1.0),
    ("reserve purchases", "npv_reserve_pkr", "reserve.purchases_fytd_pkr", -1.0),
)

_NET_FYTD = ("net fiscal flow", "fiscal.net_flow_fytd_pkr", 1.0)

#: The fiscal-year flows of :meth:`Results.fiscal_year_table`: label, fiscal-year-to-date
#: metric, sign in the table.
_FY_FLOWS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "payer": (
        _NET_FYTD,
        ("budget subsidy", "incidence.budget_fytd_pkr", 1.0),
        ("charge to other consumers", "incidence.consumers_fytd_pkr", 1.0),
        ("circular debt", "fiscal.circular_debt_fytd_pkr", 1.0),
    ),
    "channel": (*((label, fytd, sign) for label, _, fytd, sign in _CHANNELS), _NET_FYTD),
    "load": (
        ("miners", "fiscal.net_flow_mining_fytd_pkr", 1.0),
        ("data centres", "fiscal.net_flow_datacenters_fytd_pkr", 1.0),
        ("reserve purchases", "reserve.purchases_fytd_pkr", -1.0),
        _NET_FYTD,
    ),
    "period": (
        ("while the package applies", "fiscal.net_flow_package_fytd_pkr", 1.0),
        _NET_FYTD,
    ),
}


def sketched_mask(stats: Any) -> np.ndarray:
    """Which (metric, month) cells of run statistics kept a quantile sketch, boolean (metrics, months)."""
    nm, nt = len(stats.metrics), int(stats.months)
    cells = np.asarray(stats.sketched_cells, dtype=np.int64)
    out = np.zeros(nm * nt, dtype=bool)
    out[cells[cells < nm * nt]] = True
    return out.reshape(nm, nt)


#: Key prefix of a kept uncertain parameter's per-path draws (``parameter:fx.drift_annual``).
PARAMETER_PREFIX = "parameter:"

#: Key prefix, in the core's kept arrays, of a control variate's per-path value
#: (``control:fx_mean``); :class:`Results` keeps them apart (:meth:`Results.control_values`).
CONTROL_PREFIX = "control:"

#: The control variates (:meth:`Results.control_variates`): name -> (unit, what ``C`` is). A
#: path records ``C - E[C | the path's parameters]``, whose expectation is exactly zero.
CONTROLS: dict[str, tuple[str, str]] = {
    "fx_mean": ("PKR/USD", "the exchange rate's mean over the months"),
    "brent_mean": ("USD/bbl", "Brent's mean over the months"),
    "bitcoin_log_mean": ("ln USD", "the mean over the months of the log Bitcoin price"),
    "load_mean": ("MW", "the existing consumers' mean load over the months"),
    "datacenter_draw_mean": ("MW", "the data centres' mean draw over the months"),
    "datacenter_draw_discounted": ("MW", "the data centres' draw averaged with the NPV's discount factors"),
}


@dataclass(frozen=True, eq=False)
class Results:
    """The outcome of :func:`gridrisk.simulate`.

    Attributes
    ----------
    scenario : Scenario
        The scenario simulated.
    seed : int
        Master seed; with the scenario it determines every number.
    path_range : tuple of int
        Global path indices ``[lo, hi)`` simulated.
    version : str
        gridrisk version that produced the results.
    wall_time_s : float
        Wall-clock seconds of the run (of the slowest part, for merged results).
    """

    scenario: Scenario
    seed: int
    path_range: tuple[int, int]
    version: str
    wall_time_s: float
    stats: Any = field(repr=False)
    _paths: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _controls: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The core returns the controls among the kept arrays; they are not outputs (saving,
        # loading and to_pandas handle outputs and parameters), so they live apart.
        if self._paths is not None and any(k.startswith(CONTROL_PREFIX) for k in self._paths):
            controls = {
                k.removeprefix(CONTROL_PREFIX): v for k, v in self._paths.items() if k.startswith(CONTROL_PREFIX)
            }
            paths = {k: v for k, v in self._paths.items() if not k.startswith(CONTROL_PREFIX)}
            object.__setattr__(self, "_paths", paths)
            object.__setattr__(self, "_controls", {**(self._controls or {}), **controls})

    def _kept_arrays(self) -> dict[str, np.ndarray]:
        """The kept per-path arrays under the core's keys (controls prefixed), as a run returns them.

        What a results file stores: loading it splits the controls off again (``__post_init__``).
        """
        controls = {f"{CONTROL_PREFIX}{k}": v for k, v in (self._controls or {}).items()}
        return {**(self._paths or {}), **controls}

    # -- shape ------------------------------------------------------------------------------
    @property
    def paths(self) -> int:
        """Number of paths simulated."""
        return self.path_range[1] - self.path_range[0]

    @property
    def metrics(self) -> list[str]:
        """Names of the monthly metrics, e.g. ``"bitcoin.price_usd"``."""
        return list(self.stats.metrics)

    @property
    def months(self) -> pd.PeriodIndex:
        """The simulated months."""
        start = pd.Period(self.scenario["simulation.start"], freq="M")
        return pd.period_range(start, periods=self.stats.months, freq="M", name="month")

    @property
    def outputs(self) -> list[str]:
        """Names of the per-path outputs, e.g. ``"lole_base_h_per_year"``."""
        return list(self.stats.outputs)

    @property
    def fans(self) -> list[str]:
        """The monthly metrics whose quantiles were kept in every month (:meth:`fan`).

        The headline ones (:data:`gridrisk.HEADLINE_FANS`) and those asked for with
        ``simulate(..., fans=[...])`` or ``fans="all"``. Every metric has its mean and standard
        deviation (:meth:`moments`) whatever the fans.
        """
        return [self.metrics[i] for i in np.flatnonzero(self._sketched().all(axis=1))]

    def _sketched(self) -> np.ndarray:
        return sketched_mask(self.stats)

    def unit(self, name: str) -> str:
        """The base unit of a monthly metric or per-path output (``"PKR"``, ``"MWh/yr"``, ...).

        Kept parameter draws (``parameter:<field>``) and unknown names have no unit (``""``).
        """
        return METRIC_UNITS.get(name) or OUTPUT_UNITS.get(name, "")

    @property
    def plot(self) -> PlotAccessor:
        """Figures of these results: ``results.plot.fan("fiscal.net_flow_pkr")`` ...

        See :class:`gridrisk.plot.PlotAccessor`.
        """
        return PlotAccessor(self)

    def _metric(self, metric: str) -> int:
        return self.metrics.index(choice("metric", metric, self.metrics))

    # -- per-path arrays --------------------------------------------------------------------
    def path_array(self, metric: str) -> np.ndarray:
        """Every path's monthly values of ``metric``, shape ``(paths, months)``.

        Only available for runs with ``keep_paths=True``.
        """
        name = self.metrics[self._metric(metric)]
        if self._paths is None or name not in self._paths:
            raise ArgumentError("per-path monthly values were not kept; rerun with simulate(..., keep_paths=True)")
        return self._paths[name]

    def path_output(self, output: str) -> np.ndarray:
        """Every path's value of a per-path output, shape ``(paths,)`` (needs ``keep_outputs=True``).

        An output that is undefined for the horizon (``worst_fiscal_year_net_flow_pkr`` without a
        complete fiscal year) is all NaN.
        """
        if self._paths is None:
            raise ArgumentError(
                "per-path values were not kept; rerun with simulate(..., keep_outputs=True) or keep_paths=True"
            )
        name = choice("output", output, self.outputs)
        if name in self._undefined():
            return np.full(self.paths, math.nan)
        return self._paths[name]

    @property
    def parameters(self) -> pd.DataFrame:
        """Every path's drawn values of the scenario's uncertain fields.

        One column per field of ``Scenario.uncertain``, in its unit, indexed by global path
        number; no columns when every field is certain. Needs ``simulate(..., keep_outputs=True)``
        (or ``keep_paths=True``).

        Condition on them like on any output: ``res.given(res.parameters["fx.drift_annual"] > 0.06)``.
        """
        if self._paths is None:
            raise ArgumentError(
                "per-path values were not kept; rerun with simulate(..., keep_outputs=True) or keep_paths=True"
            )
        cols = {k.removeprefix(PARAMETER_PREFIX): v for k, v in self._paths.items() if k.startswith(PARAMETER_PREFIX)}
        index = pd.RangeIndex(*self.path_range, name="path")
        return pd.DataFrame(cols, index=index, columns=list(cols))

    def to_pandas(self) -> pd.DataFrame:
        """Every path's per-path outputs as a DataFrame indexed by global path number.

        Needs ``simulate(..., keep_outputs=True)`` (or ``keep_paths=True``).
        """
        data = {name: self.path_output(name) for name in self.outputs}
        index = pd.RangeIndex(*self.path_range, name="path")
        return pd.DataFrame(data, index=index)

    def to_xarray(self, quantiles: Sequence[float] = FAN_QUANTILES) -> Any:
        """The monthly statistics (and kept per-path outputs) as an ``xarray.Dataset``.

        Variables ``<metric>:mean``, ``<metric>:sd`` (dims ``month``) for every metric and
        ``<metric>:quantile`` (dims ``month``, ``quantile``) for those in :attr:`fans`;
        ``output:<name>`` (dim ``path``) when per-path outputs were kept. Attributes carry the
        seed, path range, version and the scenario as TOML. Needs the optional dependency
        ``xarray`` (``pip install gridrisk[xarray]``).
        """
        try:
            import xarray as xr
        except ImportError:
            raise ArgumentError("to_xarray needs xarray: pip install 'gridrisk[xarray]'") from None
        mean, var = self.stats.moments()
        qs = [float(q) for q in quantiles]
        qv = self.stats.quantiles(qs)
        fans = set(self.fans)
        months = self.months.to_timestamp()
        data_vars: dict[str, Any] = {}
        for i, name in enumerate(self.metrics):
            unit = {"units": METRIC_UNITS.get(name, "")}
            data_vars[f"{name}:mean"] = ("month", mean[i], unit)
            data_vars[f"{name}:sd"] = ("month", np.sqrt(var[i]), unit)
            if name in fans:
                data_vars[f"{name}:quantile"] = (("month", "quantile"), qv[i], unit)
        coords: dict[str, Any] = {"month": months, "quantile": qs}
        if self._paths is not None:
            coords["path"] = np.arange(*self.path_range)
            for name in self.outputs:
                data_vars[f"output:{name}"] = ("path", self._paths[name], {"units": OUTPUT_UNITS.get(name, "")})
        attrs = {
            "seed": str(self.seed),
            "path_range": list(self.path_range),
            "gridrisk_version": self.version,
            "scenario_toml": self.scenario.to_toml(),
        }
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    # -- statistics -------------------------------------------------------------------------
    def moments(self, metric: str) -> pd.DataFrame:
        """Mean, standard deviation and the Monte Carlo standard error of the mean per month.

        Returns
        -------
        DataFrame
            Indexed by month, columns ``mean``, ``sd``, ``se`` in the metric's unit
            (see :data:`METRIC_UNITS`).
        """
        i = self._metric(metric)
        mean, var = self.stats.moments()
        sd = np.sqrt(var[i])
        return pd.DataFrame({"mean": mean[i], "sd": sd, "se": _se(sd, self.paths)}, index=self.months)

    def fan(self, metric: str, quantiles: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
        """Quantiles of ``metric`` per month, for fan charts.

        Quantiles come from a DDSketch whose relative error is at most
        ``gridrisk.SKETCH_RELATIVE_ACCURACY`` (0.2 %) of the exact sample quantile, in memory
        that does not grow with the number of paths.

        Parameters
        ----------
        metric : str
            One of :attr:`fans`: the headline metrics, and those asked for with
            ``simulate(..., fans=[...])``.
        quantiles : sequence of float
            Probabilities in [0, 1].

        Returns
        -------
        DataFrame
            Rows are months, columns the quantiles, values in the metric's unit.

        Raises
        ------
        ArgumentError
            If the run kept no monthly quantiles of ``metric`` (the message says how to ask).
        """
        i = self._metric(metric)
        qs = [float(q) for q in quantiles]
        if not qs or any(not 0.0 <= q <= 1.0 for q in qs):
            raise ArgumentError(f"quantiles must be probabilities in [0, 1], got {list(quantiles)!r}")
        if not self._sketched()[i].all():
            raise ArgumentError(
                f"this run kept no monthly quantiles of {metric!r}: simulate(..., fans=[{metric!r}]) keeps them "
                f'(or fans="all"); its mean and standard deviation are in moments({metric!r})'
            )
        values = self.stats.quantiles(qs)[i]
        return pd.DataFrame(values, index=self.months, columns=pd.Index(qs, name="quantile"))

    def snapshot(self, month: int | str = -1) -> pd.DataFrame:
        """Statistics of every monthly metric in one month.

        Parameters
        ----------
        month : int or str
            Position in :attr:`months` (negative counts from the end; default the last month) or
            the month itself, ``"YYYY-MM"``.

        Returns
        -------
        DataFrame
            One row per metric: ``mean`` and its standard error ``se`` (NaN for a single path);
            ``sd``; the 1, 5, 25, 50, 75, 95 and 99 % quantiles (``p1`` ... ``p99``) each with
            ``*_ci95``, the half-width of a distribution-free 95 % confidence interval
            (order-statistic method, read off the sketch) plus the sketch's relative error of
            0.2 %; ``better`` (``"higher"`` or ``"lower"``, see :data:`METRIC_BETTER`); and the
            unit. The quantile columns are NaN for a metric that kept no sketch that month
            (one not in :attr:`fans`; fiscal-year-to-date metrics keep theirs in June).

        Raises
        ------
        ArgumentError
            If ``month`` is not one of the simulated months.
        """
        t = self._month_index(month)
        mean, var = self.stats.moments()
        df = _table(
            self.metrics,
            mean[:, t],
            var[:, t],
            self.paths,
            lambda qs: self.stats.quantiles(qs)[:, t, :],
            METRIC_UNITS,
            METRIC_BETTER,
        )
        df.index.name = f"metric ({self.months[t]})"
        return df

    def _month_index(self, month: Any) -> int:
        n = int(self.stats.months)
        if isinstance(month, str):
            try:
                period = pd.Period(month, freq="M")
            except ValueError:
                raise ArgumentError(f"month {month!r} is not a month 'YYYY-MM'") from None
            try:
                return int(self.months.get_loc(period))
            except KeyError:
                raise ArgumentError(
                    f"month {month!r} is not simulated: the run covers {self.months[0]} to {self.months[-1]}"
                ) from None
        if isinstance(month, bool) or not isinstance(month, (int, np.integer)) or not -n <= int(month) < n:
            raise ArgumentError(
                f"month must be a position in [-{n}, {n - 1}] or a month 'YYYY-MM' "
                f"between {self.months[0]} and {self.months[-1]}, got {month!r}"
            )
        return int(month) % n

    @property
    def fiscal_years(self) -> list[str]:
        """The complete fiscal years (July to June) inside the horizon, e.g. ``["FY2027", ...]``.

        ``worst_fiscal_year_net_flow_pkr`` is the lowest net flow over these years; it is
        undefined (NaN) when there are none.
        """
        return fiscal_years(str(self.scenario["simulation.start"]), self.stats.months)

    def _undefined(self) -> set[str]:
        """Outputs that are undefined for this horizon (reported as NaN)."""
        return set() if self.fiscal_years else {"worst_fiscal_year_net_flow_pkr"}

    def _adverse_tails(self, level: float) -> list[tuple[float, float, float, float]]:
        """``(VaR, its se, CVaR, its se)`` of every output on its adverse tail, in its own sign.

        VaR is the quantile beyond which the worst ``1 - level`` of paths lie (the
        ``1 - level`` quantile of a ``"higher"`` output, the ``level`` quantile of a ``"lower"``
        one); CVaR the mean of those paths, from the sketch's partial moments. Standard errors
        are NaN for a single path.
        """
        n = self.paths
        alpha = 1 - level
        half = Z95 * math.sqrt(alpha * (1 - alpha) / n)
        probs = [max(alpha - half, 0.0), alpha, alpha + half, level - half, level, min(level + half, 1.0)]
        qv = self.stats.output_quantiles(probs)
        out = []
        for i, name in enumerate(self.outputs):
            lower_is_worse = OUTPUT_BETTER.get(name, HIGHER) == HIGHER
            lo, x, hi = (float(v) for v in (qv[i, :3] if lower_is_worse else qv[i, 3:]))
            if lower_is_worse:
                m1, m2 = self.stats.output_lower_partial_moments(i, x)
                cvar = x - m1 / alpha
            else:
                m1, m2 = self.stats.output_upper_partial_moments(i, x)
                cvar = x + m1 / alpha
            if n > 1:
                var_se = (hi - lo) / (2 * Z95) + _core.SKETCH_RELATIVE_ACCURACY * abs(x)
                cvar_se = math.sqrt(max(m2 - m1 * m1, 0.0)) / (alpha * math.sqrt(n))
            else:
                var_se = cvar_se = math.nan
            out.append((x, var_se, cvar, cvar_se))
        return out

    def _p_adverse(self, i: int, threshold: float) -> float:
        """P(output ``i`` is beyond ``threshold`` on its adverse side), exact at a threshold of 0."""
        if OUTPUT_BETTER.get(self.outputs[i], HIGHER) == HIGHER:
            if threshold == 0.0:
                return float(self.stats.output_negative_share()[i])
            # To bucket resolution: values at the threshold's bucket count as beyond it.
            return float(self.stats.output_share_at_or_below(i, -threshold))
        # From the count of paths at or below, so that P(X > 0) is the exact share of paths.
        n = self.paths
        return (n - round(float(self.stats.output_share_at_or_below(i, threshold)) * n)) / n

    def _output_mean_se(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean of every per-path output and the Monte Carlo standard error of that mean.

        In an antithetic run the paths of a pair are dependent, so the error comes from the pair
        means, which are independent. NaN errors for a single path (or pair).
        """
        mean, var = self.stats.output_moments()
        se = _se(np.sqrt(np.maximum(var, 0.0)), self.paths)
        pairs = self.stats.output_pair_moments()
        if pairs is not None and pairs[0] > 1:
            n_pairs, _, pair_var = pairs
            se = np.sqrt(np.maximum(pair_var, 0.0) / n_pairs)
        return np.asarray(mean, dtype=float), np.asarray(se, dtype=float)

    def summary(self, loss_threshold_pkr: float = 0.0) -> pd.DataFrame:
        """Statistics of every per-path output (definitions: ``docs/model.md`` section 8.5).

        Parameters
        ----------
        loss_threshold_pkr : float
            For money outputs, how far on the adverse side an outcome must be to count in
            ``p_adverse``, PKR (0: any adverse outcome).

        Returns
        -------
        DataFrame
            One row per output: ``mean`` and its Monte Carlo standard error ``se`` (from the pair
            means in an antithetic run; NaN for a single path); ``sd``; the 1, 5, 25, 50, 75, 95
            and 99 % quantiles (``p1`` ... ``p99``) each with ``*_ci95``, the half-width of a
            distribution-free 95 % confidence interval plus the sketch's 0.2 % relative error;
            ``better``: ``"higher"`` or ``"lower"`` (:data:`OUTPUT_BETTER`); the risk on the
            adverse tail, in the output's own unit and sign: ``adverse_var95`` and
            ``adverse_var99``, the value beyond which the worst 5 % (1 %) of paths lie (``p5``
            of an output where higher is better, ``p95`` of one where lower is better), and
            ``adverse_cvar95``, ``adverse_cvar99``, the mean of those paths (expected
            shortfall); for outputs measured from zero (money, households' extra unserved
            energy: :data:`ADVERSE_FROM_ZERO`) ``p_adverse``, the probability of an adverse
            outcome, with its standard error ``p_adverse_se`` -- P(output < -threshold) where
            higher is better (on the ``npv_pkr`` row P(NPV < 0); on
            ``worst_fiscal_year_net_flow_pkr`` P(some complete fiscal year loses more than the
            threshold)) and P(output > threshold) where lower is better (on
            ``circular_debt_change_pkr``, P(circular debt grows)); exact for a threshold of 0
            (values within 1e-12 of zero count as zero) and to the sketch's 0.2 % resolution of
            the threshold otherwise; and the unit.
            :meth:`risk` gathers the headline figures. Rows of outputs that are undefined for
            the horizon (``worst_fiscal_year_net_flow_pkr`` when no complete fiscal year is
            simulated) are NaN.
        """
        thr = _threshold(loss_threshold_pkr)
        mean, var = self.stats.output_moments()
        df = _table(self.outputs, mean, var, self.paths, self.stats.output_quantiles, OUTPUT_UNITS, OUTPUT_BETTER)
        df["se"] = self._output_mean_se()[1]
        for level in (0.95, 0.99):
            tag = round(level * 100)
            tails = self._adverse_tails(level)
            df[f"adverse_var{tag}"] = [t[0] for t in tails]
            df[f"adverse_cvar{tag}"] = [t[2] for t in tails]
        p_adverse = []
        for i, name in enumerate(self.outputs):
            if name not in ADVERSE_FROM_ZERO:
                p_adverse.append(math.nan)
            else:
                p_adverse.append(self._p_adverse(i, thr if OUTPUT_UNITS[name].startswith("PKR") else 0.0))
        df["p_adverse"] = p_adverse
        df["p_adverse_se"] = [
            math.sqrt(p * (1 - p) / self.paths) if math.isfinite(p) and self.paths > 1 else math.nan for p in p_adverse
        ]
        for name in self._undefined():
            df.loc[name, [c for c in df.columns if c not in ("better", "unit")]] = math.nan
        df["better"] = df.pop("better")
        df["unit"] = df.pop("unit")
        df.index.name = "output"
        return df

    def control_variates(self) -> pd.DataFrame:
        """Means and ``p_adverse`` adjusted with control variates, beside the plain ones.

        Each path records six controls ``C - E[C | θ]`` (:data:`CONTROLS`: the horizon means of
        the exchange rate, Brent, the log Bitcoin price, the load, and the data centres' draw
        plain and discount-weighted), each ``E[C | θ]`` in closed form given the path's drawn
        parameters ``θ``, so every control has mean exactly zero. The adjusted mean of an output
        ``y`` is ``ȳ - β̂ᵀ c̄`` with ``β̂ = S_cc⁻¹ S_cy`` from the run's pooled co-moments, and
        its standard error ``√(s² / n)`` with ``s² = (S_yy - S_ycᵀ S_cc⁻¹ S_cy) / (n - k - 1)``
        (``k`` controls used); ``p_adverse`` is the same regression on the adverse indicator.
        A control with no variance (no data centres, a stressed driver) or collinear with the
        earlier ones is left out; with ``n <= k + 1`` paths the plain figures stand. Everything
        is a function of the merged statistics, so it is bit for bit the same however the run
        was split. Definitions: ``docs/model.md``, "Control variates".

        Returns
        -------
        DataFrame
            One row per output (index ``output``): ``mean`` and ``se`` (plain, as
            :meth:`summary`), ``mean_cv`` and ``se_cv`` (adjusted), in the output's unit;
            ``variance_reduction``, ``se² / se_cv²`` (the factor by which the controls cut the
            paths a given error needs; NaN when ``se_cv`` is 0 or undefined); ``r2``, the share of
            the output's variance the controls explain (NaN when it does not vary);
            ``controls``, the names of the controls used, comma-separated; for outputs with a
            ``p_adverse`` in :meth:`summary` (threshold 0), ``p_adverse``, ``p_adverse_se``,
            ``p_adverse_cv``, ``p_adverse_se_cv`` (probabilities) and
            ``p_adverse_variance_reduction`` (NaN elsewhere; ``p_adverse_cv`` can fall a hair
            outside [0, 1]); and ``unit``. Rows of outputs undefined for the horizon are NaN.

        Raises
        ------
        ArgumentError
            For an antithetic run: its paths are dependent in pairs, so per-path regression
            errors would be wrong (use one variance reduction or the other).
        """
        if self.stats.antithetic:
            raise ArgumentError(
                "control variates are not combined with antithetic pairs (the pairs' paths are dependent); "
                "simulate without antithetic=True"
            )
        plain_mean, plain_se, mean, se, r2, used = self.stats.control_variates()
        q = len(self.outputs)
        names = list(self.stats.controls)

        def reduction(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.asarray(a, dtype=float) ** 2 / np.asarray(b, dtype=float) ** 2
            return np.where(np.isfinite(out), out, math.nan)

        df = pd.DataFrame(
            {
                "mean": plain_mean[:q],
                "se": plain_se[:q],
                "mean_cv": mean[:q],
                "se_cv": se[:q],
                "variance_reduction": reduction(plain_se[:q], se[:q]),
                "r2": r2[:q],
                "controls": [", ".join(n for n, u in zip(names, row, strict=True) if u) for row in used[:q]],
            },
            index=pd.Index(self.outputs, name="output"),
        )
        cols: dict[str, list[float]] = {k: [] for k in ("p", "p_se", "p_cv", "p_se_cv")}
        for i, name in enumerate(self.outputs):
            if name not in ADVERSE_FROM_ZERO:
                for v in cols.values():
                    v.append(math.nan)
                continue
            # Higher is better: adverse below zero (the first block of indicators); lower is
            # better: above zero (the second).
            r = q + i if OUTPUT_BETTER.get(name, HIGHER) == HIGHER else 2 * q + i
            for k, v in zip(cols, (plain_mean, plain_se, mean, se), strict=True):
                cols[k].append(float(v[r]))
        df["p_adverse"] = cols["p"]
        df["p_adverse_se"] = cols["p_se"]
        df["p_adverse_cv"] = cols["p_cv"]
        df["p_adverse_se_cv"] = cols["p_se_cv"]
        df["p_adverse_variance_reduction"] = reduction(np.array(cols["p_se"]), np.array(cols["p_se_cv"]))
        for name in self._undefined():
            df.loc[name, [c for c in df.columns if c != "controls"]] = math.nan
        df["unit"] = [OUTPUT_UNITS.get(n, "") for n in self.outputs]
        return df

    def control_values(self) -> pd.DataFrame:
        """Every path's control values ``C - E[C | θ]`` (:meth:`control_variates`), by path.

        One column per control of :data:`CONTROLS`, in its unit; zero on every path for a
        control without a closed form in the scenario. Needs ``simulate(..., keep_outputs=True)``
        (or ``keep_paths=True``); saved with the kept values by :meth:`save`.
        """
        if self._controls is None:
            raise ArgumentError(
                "per-path control values were not kept; rerun with simulate(..., keep_outputs=True) or keep_paths=True"
            )
        index = pd.RangeIndex(*self.path_range, name="path")
        return pd.DataFrame(dict(self._controls), index=index, columns=list(self._controls))

    # -- statistics given what happened on a path ------------------------------------------
    @property
    def conditions(self) -> dict[str, str]:
        """The path conditions :meth:`given` accepts, each with what it means.

        Returns
        -------
        dict of str to str
            Condition name -> its meaning and its test on a per-path output, e.g.
            ``"miners_ran"`` -> ``"the miners ran in at least one month (miner_uptime_share >
            0)"``. They are the conditions of the gridrisk that ran the simulation, saved and
            merged with the results.
        """
        return {
            name: f"{text} ({output} {op} {threshold:g})" for name, text, output, op, threshold in self.stats.conditions
        }

    def given_summary(
        self,
        outputs: Sequence[str] = (
            "npv_pkr",
            "circular_debt_change_pkr",
            "households_shed_h_per_day_increase",
            "capital_inflow_usd",
        ),
    ) -> pd.DataFrame:
        """Chosen outputs given each declared condition (see :meth:`given`), in one table.

        Parameters
        ----------
        outputs : sequence of str
            Per-path output names; by default the NPV (PKR), the change in circular debt (PKR),
            the existing consumers' extra load-shedding (h/day) and the capital inflow (USD).

        Returns
        -------
        DataFrame
            Indexed by (condition, output); columns ``n`` (paths meeting the condition),
            ``share`` (of all paths), ``mean``, ``se`` (Monte Carlo) and ``unit``.

        Raises
        ------
        ArgumentError
            If an output is not one of this run's.
        """
        for o in outputs:
            choice("output", o, self.outputs)
        rows: dict[tuple[str, str], Any] = {}
        for name in self.conditions:
            g = self.given(name)
            for o in outputs:
                rows[(name, o)] = g.loc[o, ["n", "share", "mean", "se", "unit"]]
        df = pd.DataFrame.from_dict(rows, orient="index", columns=["n", "share", "mean", "se", "unit"])
        df.index = pd.MultiIndex.from_tuples(list(rows), names=["condition", "output"])
        return df

    def given(self, condition: str | Sequence[bool] | np.ndarray) -> pd.DataFrame:
        """Statistics of every per-path output over the paths that meet a condition.

        A declared condition (a name) is computed during the run over every path (no per-path
        values need be kept) and merged like every other statistic, so it is bit-identical
        whatever the thread count, split or cluster; a path meets it when its output compares
        with the threshold as :attr:`conditions` states. Any other event is a boolean mask over
        the run's paths, computed from kept values, e.g. the paths where the rupee fell more
        than 30 % within a year::

            fx = res.path_array("fx.pkr_per_usd")          # keep_paths=True
            res.given((fx[:, 12:] / fx[:, :-12]).max(axis=1) > 1.30)

        Parameters
        ----------
        condition : str or array of bool
            One of :attr:`conditions`, e.g. ``"datacenters_all_arrived"``; or one boolean per
            path, in path order (needs ``simulate(..., keep_outputs=True)`` or
            ``keep_paths=True``).

        Returns
        -------
        DataFrame
            One row per output, indexed by ``output``; columns:

            - ``n``: paths meeting the condition (the same on every row), and ``share``, their
              share of all paths (exact);
            - ``mean``: the output's mean over those paths, in its unit; NaN when no path
              meets the condition;
            - ``se``: the Monte Carlo standard error of that mean, ``sd / sqrt(n)``, in the
              output's unit; NaN when fewer than two paths meet the condition. In an
              antithetic run it treats the paths as independent (the two paths of a pair
              need not both meet the condition, so pair means do not apply): it ignores the
              correlation within pairs, which can go either way, so it is approximate there;
            - ``sd``: the output's standard deviation over those paths (``n - 1``
              denominator), NaN with fewer than two;
            - ``mean_all``: the output's mean over all paths, for comparison;
            - ``unit``: the unit of ``mean``, ``se``, ``sd`` and ``mean_all``
              (:data:`OUTPUT_UNITS`).

            Rows of outputs undefined for the horizon (``worst_fiscal_year_net_flow_pkr``
            without a complete fiscal year) are NaN but for ``n``, ``share`` and ``unit``.

        Raises
        ------
        ArgumentError
            If ``condition`` is not one of :attr:`conditions` (the message lists them), or a
            mask is not one boolean per path, or a mask is given without kept outputs.
        """
        if not isinstance(condition, str):
            if condition is not None and np.ndim(condition) == 1:
                return self._given_mask(condition)
            valid = ", ".join(repr(c[0]) for c in self.stats.conditions)
            raise ArgumentError(
                f"condition must be one of {valid}, or one boolean per path; got {short_repr(condition)}"
            )
        specs = self.stats.conditions
        names = [c[0] for c in specs]
        if not names:
            raise ArgumentError(f"these results have no path conditions, so none can be {condition!r}")
        k = names.index(choice("condition", condition, names))
        n, mean, var = self.stats.output_condition_moments()[k]
        mean_all = np.asarray(self.stats.output_moments()[0], dtype=float)
        sd = np.sqrt(np.maximum(var, 0.0)) if n > 1 else np.full(len(self.outputs), math.nan)
        df = pd.DataFrame(
            {
                "n": np.full(len(self.outputs), n, dtype=np.int64),
                "share": np.full(len(self.outputs), n / self.paths),
                "mean": np.asarray(mean, dtype=float) if n > 0 else np.full(len(self.outputs), math.nan),
                "se": _se(sd, n),
                "sd": sd,
                "mean_all": mean_all,
                "unit": [OUTPUT_UNITS.get(name, "") for name in self.outputs],
            },
            index=pd.Index(self.outputs, name="output"),
        )
        for name in self._undefined():
            df.loc[name, ["mean", "se", "sd", "mean_all"]] = math.nan
        return df

    def _given_mask(self, mask: Sequence[bool] | np.ndarray) -> pd.DataFrame:
        """:meth:`given` for a boolean mask over the kept paths."""
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != (self.paths,):
            raise ArgumentError(
                f"an event is one boolean per path: expected a bool array of shape ({self.paths},), "
                f"got {m.dtype} of shape {m.shape}"
            )
        n = int(m.sum())
        rows = []
        for name in self.outputs:
            x = self.path_output(name)
            y = x[m]
            sd = float(y.std(ddof=1)) if n > 1 else math.nan
            rows.append(
                {
                    "n": n,
                    "share": n / self.paths,
                    "mean": float(y.mean()) if n > 0 else math.nan,
                    "se": _se(sd, n),
                    "sd": sd,
                    "mean_all": float(x.mean()),
                    "unit": OUTPUT_UNITS.get(name, ""),
                }
            )
        df = pd.DataFrame(rows, index=pd.Index(self.outputs, name="output"))
        for name in self._undefined():
            df.loc[name, ["mean", "se", "sd", "mean_all"]] = math.nan
        return df

    def reverse_stress(self, output: str = "npv_pkr", tail: float = 0.05) -> pd.DataFrame:
        """What the paths with the worst outcomes have in common: a reverse stress test.

        The worst ``tail`` of the paths on ``output``'s adverse side (:data:`OUTPUT_BETTER`:
        the lowest NPV, the highest circular debt...) against all paths, for a summary of each
        driver on each path: the change of its log over the horizon (prices, the exchange rate,
        hashrate, fees) or its mean over the horizon relative to its first month (demand, hydro);
        and each uncertain parameter's drawn value (rows ``parameter:<field>``, in its unit).

        Parameters
        ----------
        output : str
            A per-path output.
        tail : float
            The share of paths in the worst tail, in (0, 0.5].

        Returns
        -------
        DataFrame
            One row per driver: ``summary`` (what is compared, in words), ``mean_tail`` and
            ``se_tail`` (its mean over the tail and the Monte Carlo error), ``mean_all``,
            ``z`` (the difference in units of its standard error), and the 10 %, 50 % and 90 %
            quantiles in the tail and over all paths. ``n_tail`` paths make the tail (ties at
            the cut-off are all in it).

        Raises
        ------
        ArgumentError
            For an unknown output, a tail outside (0, 0.5], or results without kept paths
            (``simulate(..., keep_paths=True)``).
        """
        choice("output", output, self.outputs)
        if not 0.0 < tail <= 0.5:
            raise ArgumentError(f"tail must be in (0, 0.5]; got {tail!r}")
        y = self.path_output(output)
        adverse = -y if OUTPUT_BETTER.get(output, HIGHER) == HIGHER else y
        cut = np.quantile(adverse, 1.0 - tail)
        m = adverse >= cut
        drivers = (
            ("fx.pkr_per_usd", "log change over the horizon"),
            ("fuel.oil_usd_per_bbl", "log change over the horizon"),
            ("fuel.lng_usd_per_mmbtu", "log change over the horizon"),
            ("fuel.coal_usd_per_t", "log change over the horizon"),
            ("bitcoin.price_usd", "log change over the horizon"),
            ("network.hashrate_ehs", "log change over the horizon"),
            ("bitcoin.fees_btc_per_block", "log change over the horizon"),
            ("demand.load_mw", "mean over the horizon / first month"),
            ("hydro.availability", "mean over the horizon / first month"),
        )
        rows = {}
        n_tail = int(m.sum())
        series: list[tuple[str, str, np.ndarray]] = []
        for metric, what in drivers:
            a = self.path_array(metric)
            with np.errstate(divide="ignore", invalid="ignore"):
                log = what.startswith("log")
                series.append((metric, what, np.log(a[:, -1]) - np.log(a[:, 0]) if log else a.mean(axis=1) / a[:, 0]))
        for name, drawn in self.parameters.items():
            series.append((f"{PARAMETER_PREFIX}{name}", "drawn value", np.asarray(drawn, dtype=float)))
        for metric, what, x in series:
            x = np.where(np.isfinite(x), x, np.nan)
            t, al = x[m], x
            se = float(np.nanstd(t, ddof=1) / math.sqrt(n_tail)) if n_tail > 1 else math.nan
            qt, qa = np.nanquantile(t, [0.1, 0.5, 0.9]), np.nanquantile(al, [0.1, 0.5, 0.9])
            mean_tail, mean_all = float(np.nanmean(t)), float(np.nanmean(al))
            rows[metric] = {
                "summary": what,
                "mean_tail": mean_tail,
                "se_tail": se,
                "mean_all": mean_all,
                "z": (mean_tail - mean_all) / se if se and se > 0 else math.nan,
                "p10_tail": qt[0],
                "p50_tail": qt[1],
                "p90_tail": qt[2],
                "p10_all": qa[0],
                "p50_all": qa[1],
                "p90_all": qa[2],
                "n_tail": n_tail,
            }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "driver"
        return df

    def risk(self, loss_threshold_pkr: float = 0.0) -> pd.DataFrame:
        """Headline fiscal risk of the allocation, each with its Monte Carlo standard error.

        Parameters
        ----------
        loss_threshold_pkr : float
            A fiscal year counts as a bad year when its net fiscal flow is below minus this
            amount, PKR (0: any loss).

        Returns
        -------
        DataFrame
            Rows: ``P(NPV < 0)`` (exact count of paths); ``P(a fiscal year loses more than X
            PKR)`` (paths whose worst complete fiscal year, July to June, has a net flow below
            ``-loss_threshold_pkr``; to the sketch's 0.2 % resolution of the threshold; NaN when
            the horizon holds no complete fiscal year); ``VaR 95 % of the NPV loss`` and ``CVaR
            95 % of the NPV loss`` (and 99 %), the loss being minus the NPV, so positive when the
            state loses; ``P(circular debt grows)``; ``VaR 95 % of the circular-debt increase``
            and its CVaR (and 99 %), the high tail of the change in circular debt. Columns
            ``value``, ``se`` and ``unit``.
        """
        thr = _threshold(loss_threshold_pkr)
        n = self.paths
        idx = {name: i for i, name in enumerate(self.outputs)}

        def prob(p: float) -> dict[str, Any]:
            return {"value": p, "se": math.sqrt(p * (1 - p) / n) if n > 1 else math.nan, "unit": "probability"}

        npv, debt = idx["npv_pkr"], idx["circular_debt_change_pkr"]
        worst = idx["worst_fiscal_year_net_flow_pkr"]
        p_year = self._p_adverse(worst, thr) if self.fiscal_years else math.nan
        rows: dict[str, dict[str, Any]] = {
            "P(NPV < 0)": prob(self._p_adverse(npv, 0.0)),
            f"P(a fiscal year loses more than {thr:,.0f} PKR)": prob(p_year),
        }
        tails = {level: self._adverse_tails(level) for level in (0.95, 0.99)}
        for level in (0.95, 0.99):
            var_, var_se, cvar, cvar_se = tails[level][npv]
            rows[f"VaR {round(level * 100)} % of the NPV loss"] = {"value": -var_, "se": var_se, "unit": "PKR"}
            rows[f"CVaR {round(level * 100)} % of the NPV loss"] = {"value": -cvar, "se": cvar_se, "unit": "PKR"}
        rows["P(circular debt grows)"] = prob(self._p_adverse(debt, 0.0))
        for level in (0.95, 0.99):
            var_, var_se, cvar, cvar_se = tails[level][debt]
            rows[f"VaR {round(level * 100)} % of the circular-debt increase"] = {
                "value": var_,
                "se": var_se,
                "unit": "PKR",
            }
            rows[f"CVaR {round(level * 100)} % of the circular-debt increase"] = {
                "value": cvar,
                "se": cvar_se,
                "unit": "PKR",
            }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "risk"
        return df

    # -- money in nominal and constant rupees and in % of GDP -------------------------------
    def _price_level(self, t: np.ndarray | float) -> Any:
        """Price level at month ``t`` (0 = the first month, price 1): ``(1 + inflation)^(t/12)``."""
        return (1.0 + float(self.scenario["economy.inflation_annual"])) ** (np.asarray(t, dtype=float) / 12.0)

    def _fiscal_year_months(self) -> list[tuple[str, int]]:
        """``(label, index of its June)`` of every complete fiscal year (first month: 0).

        A year's first month is then ``june - 11``.
        """
        skip = (7 - pd.Period(str(self.scenario["simulation.start"]), freq="M").month) % 12
        return [(label, skip + 12 * k + 11) for k, label in enumerate(self.fiscal_years)]

    def _base_fiscal_year(self) -> tuple[str, float]:
        """The fiscal year the run starts in and its average price level (first month = 1)."""
        first = pd.Period(str(self.scenario["simulation.start"]), freq="M")
        july = (first.month - 7) % 12  # months since the July that opened the fiscal year
        label = f"FY{first.year + (1 if first.month >= 7 else 0)}"
        return label, float(np.mean(self._price_level(np.arange(-july, 12 - july))))

    def _gdp(self, k: int) -> float:
        """Nominal GDP of the ``k``-th fiscal year after the one the run starts in, PKR."""
        e = self.scenario["economy"]
        growth = (1 + float(e["real_gdp_growth_annual"])) * (1 + float(e["inflation_annual"]))
        return float(e["gdp_pkr"]) * growth**k

    def npv_table(self) -> pd.DataFrame:
        """The net present value of the allocation to the state in three units.

        Returns
        -------
        DataFrame
            Rows ``nominal`` (PKR, discounted at the nominal rate), ``constant`` (PKR at the
            average prices of the fiscal year the run starts in: flows deflated month by month
            and discounted at the real rate) and ``% of GDP`` (the constant-price NPV over that
            fiscal year's GDP, in per cent); columns ``mean``, ``se``, ``p5``, ``p50``, ``p95``,
            each quantile's 95 % confidence half-width (``p5_ci95``, ``p50_ci95``, ``p95_ci95``)
            and ``unit``. With zero inflation and the discount rate derived from the real rate,
            nominal and constant agree.
        """
        s = self.summary()
        cols = ["mean", "se", "p5", "p5_ci95", "p50", "p50_ci95", "p95", "p95_ci95"]
        label, base_price = self._base_fiscal_year()
        constant = s.loc["npv_real_pkr", cols].astype(float) * base_price
        gdp = self._gdp(0)
        rows = {
            "nominal": {**s.loc["npv_pkr", cols].astype(float).to_dict(), "unit": "PKR"},
            "constant": {**constant.to_dict(), "unit": f"PKR at {label} prices"},
            "% of GDP": {**(constant * 100 / gdp).to_dict(), "unit": f"% of {label} GDP"},
        }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "net present value"
        return df

    def fiscal_year_table(self, unit: str = "nominal", by: str = "payer") -> pd.DataFrame:
        """Who gains and who pays, by complete fiscal year (July to June).

        Parameters
        ----------
        unit : {"nominal", "constant", "pct_gdp"}
            ``"nominal"``: PKR of the year; ``"constant"``: PKR at the average prices of the
            fiscal year the run starts in (each year's total divided by its average price
            level); ``"pct_gdp"``: per cent of the year's nominal GDP.
        by : {"payer", "channel", "load", "period"}
            ``"payer"``: the net fiscal flow, the budget subsidy, the charge to other consumers
            and the circular-debt flow; ``"channel"``: the net fiscal flow's parts, signed as
            they enter it (tariff revenue, minus generation cost, minus the revenue of the
            existing consumers the feeder rules shed for the new loads, the other consumers'
            charge, profit tax, sales tax, surcharge, minus reserve purchases), which add up to it
            on every path, then the net flow itself; ``"load"``: the miners' and the data centres'
            parts, minus reserve purchases, then the net flow; ``"period"``: the net flow of the
            year's months under the package, then the whole year's.

        Returns
        -------
        DataFrame
            Indexed by (fiscal year, flow), each flow being the year's total on a path (its
            twelve months); columns ``mean``, ``se``, ``p5``,
            ``p50``, ``p95``, ``p_positive`` (the share of paths on which the year's flow is
            above zero, with ``p_positive_se``: for circular debt, the probability of missing
            the IMF programme's zero-flow target) and ``unit``. Empty when the horizon holds no
            complete fiscal year.
        """
        unit = choice("unit", unit, ["nominal", "constant", "pct_gdp"])
        flows = _FY_FLOWS[choice("by", by, list(_FY_FLOWS))]
        n = self.paths
        mean, var = self.stats.moments()
        label0, base_price = self._base_fiscal_year()
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        years = self._fiscal_year_months()
        if not years:
            return pd.DataFrame(columns=["mean", "se", "p5", "p50", "p95", "p_positive", "p_positive_se", "unit"])
        qv = self.stats.quantiles([0.05, 0.5, 0.95])
        first_fy = int(label0[2:])
        for label, june in years:
            if unit == "nominal":
                scale, text = 1.0, "PKR"
            elif unit == "constant":
                scale = base_price / float(np.mean(self._price_level(np.arange(june - 11, june + 1))))
                text = f"PKR at {label0} prices"
            else:
                scale, text = 100.0 / self._gdp(int(label[2:]) - first_fy), f"% of {label} GDP"
            for flow, metric, sign in flows:
                i = self._metric(metric)
                sd = math.sqrt(max(float(var[i, june]), 0.0)) if n > 1 else math.nan
                p = 1.0 - float(self.stats.metric_share_at_or_below(i, june, 0.0))
                lo, mid, hi = (sign * float(qv[i, june, k]) * scale + 0.0 for k in range(3))
                rows[(label, flow)] = {
                    "mean": sign * float(mean[i, june]) * scale + 0.0,
                    "se": _se(sd, n) * scale,
                    "p5": min(lo, hi),
                    "p50": mid,
                    "p95": max(lo, hi),
                    "p_positive": p if sign > 0 else 1.0 - p - self._zero_share(i, june),
                    "p_positive_se": math.sqrt(p * (1 - p) / n) if n > 1 else math.nan,
                    "unit": text,
                }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index = pd.MultiIndex.from_tuples(df.index, names=["fiscal year", "flow"])
        return df

    def new_loads(self) -> pd.DataFrame:
        """What of the new loads arrived, stayed and paid, by complete fiscal year (July to June).

        Returns
        -------
        DataFrame
            Indexed by (fiscal year, quantity): the mining capacity in service and the
            data-centre allocation connected in the year's June (MW), the capital the new loads
            brought in over the year (the miners' capital committed and the data centres'
            facilities: foreign direct investment, USD) and the miners' bills left unpaid over the
            year (bad debt, PKR). Columns ``mean``, ``se`` (Monte Carlo), ``p5``, ``p50``,
            ``p95``, ``p_positive`` (the share of paths on which it is above zero: for the mining
            capacity, the probability that a fleet is in service), ``p_positive_se`` and
            ``unit``. Month-by-month fans: ``fan("mining.installed_mw")`` and
            ``fan("datacenters.connected_mw")``; over the horizon: the outputs
            ``mining_ever_built`` (its mean is the probability that a fleet is ever built),
            ``capital_inflow_usd`` and ``bad_debt_pkr`` in :meth:`summary`.
        """
        items = (
            ("mining capacity in service in June", "mining.installed_mw", "MW"),
            ("data-centre allocation connected in June", "datacenters.connected_mw", "MW"),
            ("capital inflow (FDI) in the year", "bop.capital_inflow_fytd_usd", "USD"),
            ("miners' bad debt in the year", "fiscal.bad_debt_fytd_pkr", "PKR"),
        )
        columns = ["mean", "se", "p5", "p50", "p95", "p_positive", "p_positive_se", "unit"]
        years = self._fiscal_year_months()
        if not years:
            return pd.DataFrame(columns=columns)
        n = self.paths
        mean, var = self.stats.moments()
        qv = self.stats.quantiles([0.05, 0.5, 0.95])
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for label, june in years:
            for what, metric, unit in items:
                i = self._metric(metric)
                sd = math.sqrt(max(float(var[i, june]), 0.0)) if n > 1 else math.nan
                p = 1.0 - float(self.stats.metric_share_at_or_below(i, june, 0.0))
                rows[(label, what)] = {
                    "mean": float(mean[i, june]) + 0.0,
                    "se": _se(sd, n),
                    "p5": float(qv[i, june, 0]) + 0.0,
                    "p50": float(qv[i, june, 1]) + 0.0,
                    "p95": float(qv[i, june, 2]) + 0.0,
                    "p_positive": p,
                    "p_positive_se": math.sqrt(p * (1 - p) / n) if n > 1 else math.nan,
                    "unit": unit,
                }
        df = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
        df.index = pd.MultiIndex.from_tuples(df.index, names=["fiscal year", "quantity"])
        return df

    def _zero_share(self, metric: int, month: int) -> float:
        """Share of paths on which a metric is (within 1e-12 of) zero in a month."""
        at = float(self.stats.metric_share_at_or_below(metric, month, 0.0))
        below = float(self.stats.metric_share_at_or_below(metric, month, -1e-300))
        return at - below

    def decomposition(self, by: str = "channel") -> pd.DataFrame:
        """The net present value to the state as a sum of parts, each with its Monte Carlo error.

        Parameters
        ----------
        by : {"channel", "load", "period"}
            ``"channel"``: tariff revenue collected, minus the generation cost of the new loads,
            minus the revenue of the existing consumers the feeder rules shed for them (their
            collected bills, lost to the power sector: output ``npv_displaced_revenue_pkr``), plus
            the part of the gap charged to other consumers (relief to the state; negative
            when the loads pay more than they cost and the other consumers gain), plus profit and
            super tax, the sales tax and duty on the bills and the debt-service surcharge, minus
            reserve purchases, plus the reserve's value at the horizon when it is sold then
            (``reserve.disposal``);
            ``"load"``: the miners' and the data centres' parts (each load's collected bills less
            its share of the generation cost and of the displaced consumers' revenue, both shared
            in proportion to the loads' draw, plus the other consumers' share of its gap, plus its
            tax), minus reserve purchases, plus the reserve's terminal value; ``"period"``: the
            months when the incremental package covers a load, and the months after.

        Returns
        -------
        DataFrame
            One row per part and a ``total`` row (the NPV); columns ``mean`` and ``se``
            (PKR, discounted) and ``unit``. The parts add up to the total on every path (tested
            on kept paths), so their means add up to the total's. ``"channel"`` adds, after the
            total, a memorandum row: the discounted bills the miners left unpaid (bad debt,
            negative), which the revenue and taxes collected already exclude.
        """
        by = choice("by", by, ["channel", "load", "period"])
        mean, var = self.stats.output_moments()
        idx = {name: i for i, name in enumerate(self.outputs)}
        n = self.paths

        def row(name: str, sign: float) -> dict[str, Any]:
            i = idx[name]
            sd = math.sqrt(max(float(var[i]), 0.0)) if n > 1 else math.nan
            return {"mean": sign * float(mean[i]) + 0.0, "se": _se(sd, n), "unit": "PKR"}

        if by == "channel":
            parts = {label: row(name, sign) for label, name, _, sign in _CHANNELS}
        elif by == "load":
            parts = {
                "miners": row("npv_mining_pkr", 1.0),
                "data centres": row("npv_datacenters_pkr", 1.0),
                "reserve purchases": row("npv_reserve_pkr", -1.0),
            }
        else:
            package = row("npv_package_period_pkr", 1.0)
            total = row("npv_pkr", 1.0)
            parts = {"while the package applies": package}
            # The months after are the total less the package months: their error is not the
            # difference of the two errors, so it is left out rather than misstated.
            parts["after the package"] = {"mean": total["mean"] - package["mean"], "se": math.nan, "unit": "PKR"}
            parts["total"] = total
            df = pd.DataFrame.from_dict(parts, orient="index")
            df.index.name = "part of the NPV"
            return df
        named = sum(p["mean"] for p in parts.values())
        total = row("npv_pkr", 1.0)
        if by != "period" and self.scenario["reserve.disposal"] == "sell_at_horizon":
            parts["reserve sold at the horizon"] = {"mean": total["mean"] - named, "se": math.nan, "unit": "PKR"}
        parts["total"] = total
        if by == "channel":
            # The bills the miners leave unpaid are already out of the revenue and taxes
            # collected above: shown apart, not added again.
            parts["memo: miners' bad debt (in the lines above)"] = row("npv_bad_debt_pkr", -1.0)
        df = pd.DataFrame.from_dict(parts, orient="index")
        df.index.name = "part of the NPV"
        return df

    def adequacy(self) -> pd.DataFrame:
        """Loss-of-load expectation and unserved energy with and without the allocation.

        Returns
        -------
        DataFrame
            Rows ``without allocation``, ``with allocation`` (any load shed), ``households``
            (with the allocation), ``new loads``; columns ``lole_h_per_year``, ``lole_se``,
            ``eue_mwh_per_year``, ``eue_se`` (annual averages over the horizon, computed on the
            same draws, with Monte Carlo standard errors).
        """
        mean, var = self.stats.output_moments()
        idx = {name: i for i, name in enumerate(self.outputs)}
        se = _se(np.sqrt(np.maximum(var, 0.0)), self.paths)

        def cell(name: str | None) -> tuple[float, float]:
            return (float(mean[idx[name]]), float(se[idx[name]])) if name else (math.nan, math.nan)

        rows = {
            "without allocation": ("lole_base_h_per_year", "eue_base_mwh_per_year"),
            "with allocation": ("lole_with_h_per_year", "eue_with_mwh_per_year"),
            "households: increase": (None, "eue_households_increase_mwh_per_year"),
            "households: hours shed": ("lole_households_h_per_year", None),
            "new loads": (None, "eue_newload_mwh_per_year"),
        }
        data = {}
        for label, (lole, eue) in rows.items():
            (lm, ls), (em, es) = cell(lole), cell(eue)
            data[label] = {"lole_h_per_year": lm, "lole_se": ls, "eue_mwh_per_year": em, "eue_se": es}
        return pd.DataFrame.from_dict(data, orient="index")

    # -- load-shedding ----------------------------------------------------------------------
    def _feeder_classes(self) -> list[tuple[str, float]]:
        """``(name, load share)`` of the scenario's feeder classes, in slot order.

        A scenario without feeder classes (or without ``[shedding]``) has one implicit class,
        ``"all"``, holding the whole existing load.
        """
        declared = self.scenario.to_dict().get("shedding", {}).get("feeder_class", [])
        if not declared:
            return [("all", 1.0)]
        return [(str(c["name"]), float(c["load_share"])) for c in declared]

    def _shedding_cells(self) -> Callable[[str, float], tuple[float, float]]:
        """``cell(output, scale) -> (mean, se)`` of a per-path output, both times ``scale``.

        Raises
        ------
        ArgumentError
            If these results have no load-shedding outputs (saved by a gridrisk before them).
        """
        if "households_shed_h_per_day_base" not in self.outputs:
            raise ArgumentError(
                "these results have no load-shedding outputs (they were saved by an older gridrisk); "
                "rerun the simulation"
            )
        mean, se = self._output_mean_se()
        idx = {name: i for i, name in enumerate(self.outputs)}

        def cell(name: str, scale: float) -> tuple[float, float]:
            i = idx[name]
            return float(mean[i]) * scale + 0.0, float(se[i]) * scale

        return cell

    def shedding(self) -> pd.DataFrame:
        """How much more load-shedding the existing consumers live with under the allocation.

        Means over paths of the hours a day each feeder class is shed (as a schedule would
        count them: hours times the share of the class's latent load shed, all causes: the
        feeder rules, the network's deliverable limit, capacity and fuel shortfalls), without the
        allocation and with it, and of the energy the allocation sheds on top, each with its
        Monte Carlo standard error (from the pair means in an antithetic run). Averages over the
        horizon: hours a day over all its days, energy per year.

        Returns
        -------
        DataFrame
            Indexed by ``feeder class``: one row per class of the scenario's
            ``[[shedding.feeder_class]]`` in their declared order (one class ``"all"`` when none
            is declared), then ``"all existing consumers"``. Columns:

            - ``load share``: the class's share of the existing load (1 for all consumers);
            - ``shed h/day, without`` and its ``± se (without)``: hours a day shed without the
              allocation;
            - ``shed h/day, with``: with the allocation, the sum of the figures without and of
              the increase (its error is not the sum of theirs, which only bounds it from
              above, so it is left out);
            - ``increase h/day`` and ``± se (increase)``: the extra hours a day, on the same
              draws;
            - ``extra shed GWh/yr`` and ``± se (extra shed)``: the extra energy shed, GWh a year
              (for all consumers, ``eue_households_increase_mwh_per_year``: every cause).

            The classes' hours weighted by their load shares make up the row of all consumers,
            and their extra energy adds up to its extra energy.

        Raises
        ------
        ArgumentError
            If the results have no load-shedding outputs (saved by an older gridrisk).

        See Also
        --------
        shedding_by_cause : the same shedding in energy, by cause.
        shedding_accounts : what the feeder rules' shedding costs and saves the power sector.
        """
        cell = self._shedding_cells()
        rows: dict[str, dict[str, float]] = {}

        def row(share: float, base: str, increase: str, mwh: str) -> dict[str, float]:
            (b, b_se), (i, i_se), (e, e_se) = cell(base, 1.0), cell(increase, 1.0), cell(mwh, 1e-3)
            return {
                "load share": share,
                "shed h/day, without": b,
                "± se (without)": b_se,
                "shed h/day, with": b + i,
                "increase h/day": i,
                "± se (increase)": i_se,
                "extra shed GWh/yr": e,
                "± se (extra shed)": e_se,
            }

        for k, (name, share) in enumerate(self._feeder_classes(), start=1):
            rows[name] = row(
                share,
                f"class{k}_shed_h_per_day_base",
                f"class{k}_shed_h_per_day_increase",
                f"class{k}_shed_increase_mwh_per_year",
            )
        rows["all existing consumers"] = row(
            1.0,
            "households_shed_h_per_day_base",
            "households_shed_h_per_day_increase",
            "eue_households_increase_mwh_per_year",
        )
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "feeder class"
        return df

    def shedding_by_cause(self) -> pd.DataFrame:
        """The existing consumers' shed energy by cause, without the allocation and its increase.

        Returns
        -------
        DataFrame
            Rows, indexed by ``cause``: ``rules`` (the feeder classes' schedules and the economic
            rule), ``network`` (load beyond the grid's deliverable capacity), ``capacity``
            (outages of the fleet with its fuel unlimited), ``fuel`` (the rest of the outage
            shortfall: fuel energy limits and imported-fuel capacity idled by the liquidity
            feedback) and ``total``. Columns ``GWh/yr, without`` and ``± se (without)``, the
            energy shed without the allocation, and ``GWh/yr, increase`` and ``± se
            (increase)``, the extra energy shed with it (mean over paths, per year of the
            horizon, with Monte Carlo standard errors). The total's increase is
            ``eue_households_increase_mwh_per_year`` (all causes) with its own error; the
            total without is the sum of the causes' means, whose error is not the sum of their
            errors and is left out (NaN).

        Raises
        ------
        ArgumentError
            If the results have no load-shedding outputs (saved by an older gridrisk).
        """
        cell = self._shedding_cells()
        rows: dict[str, dict[str, float]] = {}
        for cause in _SHED_CAUSES:
            (b, b_se), (i, i_se) = (
                cell(f"shed_{cause}_base_mwh_per_year", 1e-3),
                cell(f"shed_{cause}_increase_mwh_per_year", 1e-3),
            )
            rows[cause] = {"GWh/yr, without": b, "± se (without)": b_se, "GWh/yr, increase": i, "± se (increase)": i_se}
        i, i_se = cell("eue_households_increase_mwh_per_year", 1e-3)
        rows["total"] = {
            "GWh/yr, without": sum(r["GWh/yr, without"] for r in rows.values()),
            "± se (without)": math.nan,
            "GWh/yr, increase": i,
            "± se (increase)": i_se,
        }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "cause"
        return df

    def shedding_accounts(self) -> pd.DataFrame:
        """What the feeder rules' shedding costs and saves the power sector, PKR bn a year.

        Returns
        -------
        DataFrame
            Rows, indexed by ``item``: ``revenue forgone`` (what the consumers shed by the
            feeder rules would have paid, collected), ``generation cost avoided`` (what serving
            them would have cost, at the top of the merit order) and ``circular debt avoided``
            (cost avoided less revenue forgone: the shortfall the rules keep out of the power
            sector's accounts). Columns ``PKR bn/yr, without`` and ``± se (without)``, without the
            allocation, and ``PKR bn/yr, increase`` and ``± se (increase)``, the change with it
            (mean over paths, per year of the horizon, with Monte Carlo standard errors). The
            revenue the allocation's displaced consumers no longer pay is part of the gap the
            new loads leave (see :meth:`summary`, ``circular_debt_change_pkr``). The circular
            debt avoided is a difference of two means: its error is not the difference of
            theirs, so it is left out (NaN).

        Raises
        ------
        ArgumentError
            If the results have no load-shedding outputs (saved by an older gridrisk).
        """
        cell = self._shedding_cells()
        rows: dict[str, dict[str, float]] = {}
        for label, item in (("revenue forgone", "revenue_forgone"), ("generation cost avoided", "cost_avoided")):
            (b, b_se), (i, i_se) = (
                cell(f"{item}_base_pkr_per_year", 1e-9),
                cell(f"{item}_increase_pkr_per_year", 1e-9),
            )
            rows[label] = {
                "PKR bn/yr, without": b,
                "± se (without)": b_se,
                "PKR bn/yr, increase": i,
                "± se (increase)": i_se,
            }
        cost, revenue = rows["generation cost avoided"], rows["revenue forgone"]
        rows["circular debt avoided"] = {
            "PKR bn/yr, without": cost["PKR bn/yr, without"] - revenue["PKR bn/yr, without"],
            "± se (without)": math.nan,
            "PKR bn/yr, increase": cost["PKR bn/yr, increase"] - revenue["PKR bn/yr, increase"],
            "± se (increase)": math.nan,
        }
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "item"
        return df

    def schedule(self) -> pd.DataFrame:
        """The deterministic Bitcoin block schedule: blocks and mean subsidy per month."""
        s = _core.schedule(self.scenario.to_dict())
        df = pd.DataFrame({k: v for k, v in s.items() if k != "month"}, index=self.months)
        return df

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write these results to one file; :func:`gridrisk.load` reads them back exactly.

        The file is written atomically and gets the permissions of the user's umask.

        Raises
        ------
        FileNotFoundError
            If the folder of ``path`` does not exist (the error names the folder).
        """
        return _archive.save(self, path)

    # -- combining --------------------------------------------------------------------------
    def merge(self, other: Results) -> Results:
        """Combine with the results of an adjacent path range of the same run.

        The merged statistics are bit-identical to those of one run over the union.

        Raises
        ------
        MergeError
            If the scenarios or seeds differ, or the path ranges do not meet at a multiple of
            ``gridrisk.CHUNK_PATHS``.
        """
        if self.scenario != other.scenario or self.seed != other.seed:
            raise MergeError("results from different scenarios or seeds cannot be merged")
        stats = self.stats.merge(other.stats)
        first, second = (self, other) if self.path_range[1] == other.path_range[0] else (other, self)
        paths = None
        if first._paths is not None and second._paths is not None:
            paths = {k: np.concatenate([first._paths[k], second._paths[k]]) for k in first._paths if k in second._paths}
        controls = None
        if first._controls is not None and second._controls is not None:
            controls = {k: np.concatenate([first._controls[k], second._controls[k]]) for k in first._controls}
        return Results(
            scenario=self.scenario,
            seed=self.seed,
            path_range=(stats.path_lo, stats.path_hi),
            version=self.version,
            wall_time_s=max(self.wall_time_s, other.wall_time_s),
            stats=stats,
            _paths=paths,
            _controls=controls,
        )

    # -- display ----------------------------------------------------------------------------
    @property
    def tables(self) -> TableAccessor:
        """These results' tables for reading: ``results.tables.summary()``, ``.risk()``, ...

        Money in PKR bn (``money="USD m"`` or ``"% of GDP"`` on request), energy in GWh, each
        number with its Monte Carlo error; see :class:`gridrisk.tables.TableAccessor`. The
        methods of ``Results`` itself (``summary()``...) give the same numbers in base units
        for computation.
        """
        return TableAccessor(self)

    @property
    def stresses(self) -> list[dict[str, Any]]:
        """The dated stresses the run applied (``[[stress]]`` of its scenario; empty if none)."""
        return list(self.scenario.to_dict().get("stress", []))

    def __repr__(self) -> str:
        lo, hi = self.path_range
        names = sorted({s.get("name") or s["driver"] for s in self.stresses})
        stressed = f", stressed: {', '.join(names)}" if names else ""
        n = len(self.scenario.uncertain_fields)
        drawn = f", {n} uncertain parameter{'s' if n != 1 else ''} drawn per path" if n else ""
        return (
            f"<gridrisk.Results {self.scenario.label!r}: {self.paths:_} paths [{lo:_}, {hi:_}), "
            f"seed={self.seed}, {self.stats.months} months from {self.months[0]}, "
            f"{self.wall_time_s:.2f} s{stressed}{drawn}>"
        )

    def _repr_html_(self) -> str:
        """What a notebook shows: the run in a sentence, the key findings, the headline table."""
        import html

        lo, hi = self.path_range
        head = (
            f"<p><b>gridrisk results</b>: {html.escape(self.scenario.label)}, {self.paths:,} paths "
            f"[{lo:,}, {hi:,}), seed {self.seed}, {self.stats.months} months from {self.months[0]}</p>"
        )
        if self.scenario.overrides:
            items = "".join(
                f"<li><code>{html.escape(field)}</code>: {html.escape(short_repr(old))} &rarr; "
                f"{html.escape(short_repr(new))}</li>"
                for field, old, new in self.scenario.overrides
            )
            head += f"<p>Changes from {html.escape(self.scenario.origin)}:</p><ul>{items}</ul>"
        try:
            findings = "".join(
                f"<li><b>{html.escape(f.topic.capitalize())}.</b> {html.escape(f.text)}</li>"
                for f in key_findings(self)
            )
            return head + f"<ul>{findings}</ul>" + self.tables.summary().to_html()
        except Exception:  # a display hook must never raise in a notebook
            return head + f"<pre>{html.escape(repr(self))}</pre>"
