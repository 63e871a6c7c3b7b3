"""One path-month in detail: why the model says what it says."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gridrisk import _core
from gridrisk._validate import whole
from gridrisk.errors import ArgumentError
from gridrisk.scenario import Scenario

__all__ = ["MonthDetail", "explain_month"]


@dataclass(frozen=True)
class MonthDetail:
    """Load blocks, merit order and drivers of one month of one path.

    Attributes
    ----------
    blocks : DataFrame
        One row per load block: ``hour_of_day``, ``hours`` (duration), ``load_mw`` (existing
        consumers; with ``[shedding]``, what the feeder rules and the network leave them
        without the allocation), ``profiled_mw`` (expected hydro, wind and solar output),
        ``marginal_cost_pkr_per_kwh`` (system without the allocation), ``added_cost_pkr_per_h``,
        loss-of-load probabilities ``lolp_base``, ``lolp_with``, ``lolp_households`` and expected
        unserved power ``eue_base_mw``, ``eue_with_mw``, ``eue_households_mw``, ``eue_mining_mw``,
        ``eue_datacenters_mw`` (of the new loads: with ``[shedding]``, the network's shedding
        too); the existing consumers' latent demand ``latent_mw`` and the load served to them
        ``served_base_mw``, ``served_with_mw`` (expected), and their shedding by cause without
        and with the allocation, ``shed_{rules,network,capacity,fuel}_{base,with}_mw`` (all
        MW; summed over blocks times ``hours`` they give the month's ``shed.*`` metrics); and
        ``generation_<class>_mw``, what each fleet class generates for the existing consumers'
        served load without the allocation (expected capacities, as the dispatch).
    merit_order : DataFrame
        In-service classes in dispatch order with their variable cost, PKR/kWh (a take-or-pay
        volume appears as a second entry of its class, at its own price).
    drivers : Series
        The month's values of the path's drivers: ``demand.load_mw`` to ``hydro.availability``
        (units as in :data:`gridrisk.METRIC_UNITS`).
    """

    month: pd.Period
    path: int
    blocks: pd.DataFrame
    merit_order: pd.DataFrame
    drivers: pd.Series


def explain_month(scenario: Scenario, *, seed: int, path: int = 0, month: int | str = 0) -> MonthDetail:
    """Show every load block and the merit order of one month of one path.

    The numbers are those the simulation uses for path ``path`` of a run seeded ``seed``:
    summed over blocks (weighted by ``hours``) they give that path's monthly grid metrics.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    seed : int
        Master seed of the run.
    path : int
        Path index.
    month : int or str
        Month index from the start, or a month ``"YYYY-MM"`` within the horizon.
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentError("scenario must be a gridrisk.Scenario")
    start = pd.Period(scenario["simulation.start"], freq="M")
    if isinstance(month, str):
        try:
            k = (pd.Period(month, freq="M") - start).n
        except ValueError:
            raise ArgumentError(f"month must be an index or 'YYYY-MM', got {month!r}") from None
    else:
        k = month
    k = whole("month", k, 0, scenario.months - 1)
    d = _core.explain_month(
        scenario.to_dict(), seed=whole("seed", seed, 0, 2**64 - 1), path=whole("path", path, 0, 2**60 - 1), month=k
    )
    drivers = pd.Series(d.pop("metrics"), name=str(start + k))
    order = pd.DataFrame({"class": d.pop("merit_order"), "cost_pkr_per_kwh": d.pop("merit_cost_pkr_per_kwh")})
    return MonthDetail(month=start + k, path=path, blocks=pd.DataFrame(d), merit_order=order, drivers=drivers)
