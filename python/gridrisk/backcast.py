"""A backcast a reviewer can check: the model on a past year's observed drivers against CPPA-G.

:func:`backcast` re-dates a scenario (by default the preset) to October 2024 to September 2025,
switches the allocation off, pins every driver the base system's fuel cost depends on to its
observed monthly value with declared-path stresses (``[[stress]]`` ``path``, docs/model.md §1.1),
and compares the model's fuel cost per kWh (``grid.fuel_cost_base_pkr_per_kwh``) and generation
mix (:func:`gridrisk.explain_month`) with the figures CPPA-G filed with NEPRA for those months
(``data/cppag_monthly_generation_fy25.csv``, sources in ``data/SOURCES.md``). The band and what
explains the misses: docs/calibration.md, "Backcast against CPPA-G".

Pinned drivers, each month of the window: Brent (EIA monthly average), imported coal (World Bank
Pink Sheet, South African coal: the preset's API4 Richards Bay index), the rupee (IMF, end of
month), LNG (the preset's Brent-slope contract on observed Brent, ``slope x`` the three-month
average ``+ constant``), demand (CPPA-G generation / hours) and hydro (the availability factor at
which the fleet's hydro class generates CPPA-G's hydel GWh; 1 in a month without a hydel figure).
With ``volumes="preset"`` the fleet, its fuel limits and everything else are the scenario's;
with ``volumes="observed"`` (the default) the quantities CPPA-G reports as the year's facts
replace three of the scenario's assumptions: the nuclear classes' outage rate becomes the one
that reproduces FY25's nuclear generation (refuelling outages; the preset's rate is a generic
RTS one), and the RLNG and local-gas fuel limits become each month's observed generation (RLNG's
minimum take too: what was delivered was burnt). What is then tested is the merit order's split
of the rest (coal, oil) and the fuel cost of the whole.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import datasets
from gridrisk.errors import ArgumentError
from gridrisk.explain import explain_month
from gridrisk.scenario import Scenario

__all__ = ["BAND", "FUEL_GROUPS", "Band", "backcast", "backcast_scenario", "observed"]

#: The CPPA-G figures shipped with gridrisk.
_FILE = "cppag_monthly_generation_fy25.csv"

#: FY25 nuclear generation, GWh: 17.66 % of 127,159 GWh (Topline, NEPRA data;
#: https://www.daily8.com/en/article/3917a44df7e3cda76f6f5a5e95378127).
FY25_NUCLEAR_GWH = 0.1766 * 127_159.0

#: Passes of the fixed point that scales demand until the model generates CPPA-G's GWh.
_DEMAND_ITERATIONS = 3

#: Fuel groups compared, as CPPA-G reports them: the observed column and the fleet classes
#: (by ``fuel``/``profile`` and name) that make them up in the model.
FUEL_GROUPS: dict[str, str] = {
    "hydel": "hydel_gwh",
    "nuclear": "nuclear_gwh",
    "coal": "coal_gwh",
    "rlng": "rlng_gwh",
    "gas": "gas_gwh",
}


@dataclass(frozen=True)
class Band:
    """How close the model must come to CPPA-G's figures (docs/calibration.md says why).

    Attributes
    ----------
    cost_month : float
        Largest relative error of any month's fuel cost per kWh (0.25 = ±25 %).
    cost_mean_abs : float
        Largest mean absolute relative error of the monthly fuel cost over the window.
    cost_year : float
        Largest relative error of the window's fuel cost per kWh (total cost over total
        generation, both sides).
    share_pp : float
        Largest error of a fuel group's share of generation, percentage points, in any month
        with an observed figure (hydel, nuclear, coal, RLNG, gas).
    generation : float
        Largest relative error of a month's total generation (the pinned demand, after what the
        model sheds).
    """

    cost_month: float = 0.25
    cost_mean_abs: float = 0.15
    cost_year: float = 0.10
    share_pp: float = 10.0
    generation: float = 0.05


#: The band stated in docs/calibration.md before the backcast was run.
BAND = Band()


def observed() -> pd.DataFrame:
    """CPPA-G's monthly generation and fuel cost, October 2024 to September 2025.

    Returns
    -------
    DataFrame
        Indexed by month (``pd.Period``): ``generation_gwh`` (GWh), ``fuel_cost_pkr_per_kwh``
        (PKR/kWh, fuel cost of all generation), ``cost_basis`` (``"filing"``: CPPA-G's FCA
        petition; ``"analyst"``: a brokerage's summary of the NEPRA data; ``"derived"``: from
        cumulative averages), generation by fuel in GWh (``hydel_gwh``, ``nuclear_gwh``,
        ``local_coal_gwh``, ``imported_coal_gwh``, ``rlng_gwh``, ``gas_gwh``, ``rfo_gwh``,
        ``wind_gwh``, ``solar_gwh``, ``bagasse_gwh``; NaN where the source gives none), and
        ``source``, ``cost_source``, ``note``.
    """
    text = resources.files("gridrisk").joinpath("data", _FILE).read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), quoting=csv.QUOTE_MINIMAL, keep_default_na=False, na_values=[""])
    df.index = pd.PeriodIndex(df.pop("month"), freq="M", name="month")
    for col in ("source", "cost_source", "note"):
        df[col] = df[col].fillna("")
    return df


def _hours(month: pd.Period) -> float:
    return 24.0 * calendar.monthrange(month.year, month.month)[1]


def _hydro_availability(scenario: Scenario, month: pd.Period, gwh: float) -> float:
    """The availability factor at which the scenario's hydro classes generate ``gwh`` in ``month``.

    Output of a hydro class in hour ``h`` of the representative day is ``MW (1 - FOR) min(CF a, 1)``
    (docs/model.md, 7.2); the factor is found by bisection, as the cap makes it nonlinear.
    """
    cf = np.asarray(scenario["grid.capacity_factors.hydro"], dtype=float)[month.month - 1]
    mw = sum(
        c["units"] * c["unit_mw"] * (1.0 - c["forced_outage_rate"])
        for c in scenario["fleet"]
        if c.get("profile") == "hydro"
    )
    days = _hours(month) / 24.0

    def energy(a: float) -> float:
        return float(days * mw * np.minimum(cf * a, 1.0).sum() / 1000.0)

    if mw <= 0 or energy(50.0) < gwh:
        raise ArgumentError(f"the scenario's hydro fleet cannot generate {gwh:.0f} GWh in {month}")
    lo, hi = 0.0, 50.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if energy(mid) < gwh else (lo, mid)
    return 0.5 * (lo + hi)


def _drivers(scenario: Scenario, obs: pd.DataFrame) -> dict[str, list[float]]:
    months = obs.index
    first, last = months[0].to_timestamp(), months[-1].to_timestamp()

    def window(s: pd.Series, lead: int = 0) -> list[float]:
        s = s.loc[(first - pd.DateOffset(months=lead)) : last]
        if len(s) != len(months) + lead or s.isna().any():
            raise ArgumentError(f"{s.name} does not cover {months[0] - lead} to {months[-1]}")
        return [float(x) for x in s]

    brent = window(datasets.brent(), lead=2)
    lng = scenario["fuel.lng"]
    if lng.get("mode") == "brent_slope":
        n = int(lng["averaging_months"])
        if n > 3:
            raise ArgumentError("the backcast reads two months of Brent before its window: averaging_months <= 3")
        lng_path = [
            lng["slope"] * float(np.mean(brent[k + 3 - n : k + 3])) + lng["constant_usd_per_mmbtu"]
            for k in range(len(months))
        ]
    else:
        lng_path = window(datasets.japan_lng())
    return {
        "oil": brent[2:],
        "lng": lng_path,
        "coal": window(datasets.pink_sheet("COAL_SAFRICA")),
        "fx": window(datasets.pkr_per_usd()),
        "demand": [g * 1000.0 / _hours(m) for m, g in zip(months, obs["generation_gwh"], strict=True)],
        "hydro": [
            1.0 if math.isnan(g) else _hydro_availability(scenario, m, g)
            for m, g in zip(months, obs["hydel_gwh"], strict=True)
        ],
    }


def _observed_volumes(sc: Scenario, obs: pd.DataFrame) -> dict[str, Any]:
    """Overrides that set nuclear availability and the RLNG and gas fuel limits to the year's."""
    fleet = [dict(c) for c in sc["fleet"]]
    nuclear = [c for c in fleet if "nuclear" in c["name"]]
    mw = sum(c["units"] * c["unit_mw"] for c in nuclear)
    rate = 1.0 - FY25_NUCLEAR_GWH * 1000.0 / (mw * 8760.0) if mw > 0 else 0.0
    for c in nuclear:
        c["forced_outage_rate"] = rate
    for c in fleet:
        column = {"lng": "rlng_gwh"}.get(c.get("fuel", ""), "gas_gwh" if _group(c["name"], c) == "gas" else None)
        limit = c.get("fuel_limit")
        if column is None or not limit:
            continue
        limit = dict(limit)
        energy = list(limit["energy_gwh_per_month"])
        for month, gwh in obs[column].items():
            if not math.isnan(gwh):
                energy[month.month - 1] = float(gwh)
        limit["energy_gwh_per_month"] = energy
        if "min_take_gwh_per_month" in limit:
            limit["min_take_gwh_per_month"] = [
                min(a, b) for a, b in zip(limit["min_take_gwh_per_month"], energy, strict=True)
            ]
            for month, gwh in obs[column].items():
                if not math.isnan(gwh):
                    limit["min_take_gwh_per_month"][month.month - 1] = float(gwh)
        c["fuel_limit"] = limit
    return {"fleet": fleet}


def backcast_scenario(scenario: Scenario | None = None, *, volumes: str = "observed") -> Scenario:
    """The scenario the backcast runs: re-dated, no allocation, every driver pinned.

    Parameters
    ----------
    scenario : Scenario, optional
        The scenario whose fleet and grid are tested (default: the ``pakistan-2000mw`` preset),
        at its point values (``Scenario.fixed()``: the backcast checks one calibration, not a
        distribution of them). Its own stresses are dropped.
    volumes : {"observed", "preset"}
        ``"observed"``: nuclear availability, RLNG and local-gas volumes as CPPA-G reports them
        (module docstring); ``"preset"``: the scenario's own.

    Returns
    -------
    Scenario
        Starting in October 2024 for 12 months, with ``allocation.mining_mw`` and
        ``allocation.datacenter_mw`` at 0 and one declared-path stress (``name = "backcast"``)
        per pinned driver.
    """
    sc = Scenario.preset("pakistan-2000mw") if scenario is None else scenario
    if not isinstance(sc, Scenario):
        raise ArgumentError("scenario must be a gridrisk.Scenario")
    sc = sc.fixed()
    if volumes not in ("observed", "preset"):
        raise ArgumentError(f"volumes must be 'observed' or 'preset'; got {volumes!r}")
    obs = observed()
    start, n = obs.index[0], len(obs)
    data: dict[str, Any] = sc.to_dict()
    overrides: dict[str, Any] = {
        "simulation.start": str(start),
        "simulation.horizon_months": n,
        "allocation.mining_mw": 0.0,
        "allocation.datacenter_mw": 0.0,
        "stress": [],
    }
    # The new loads' tariff regimes are dated for the allocation; with no allocation their first
    # regime simply applies from the re-dated start.
    for load in ("mining", "datacenters"):
        regimes = [dict(r) for r in data.get(load, {}).get("tariff", [])]
        if regimes:
            regimes[0].pop("from", None)
            overrides[f"{load}.tariff"] = regimes
    if volumes == "observed":
        overrides.update(_observed_volumes(sc, obs))
    sc = sc.replace(overrides)
    paths = _drivers(sc, obs)

    def pinned(demand: list[float]) -> Scenario:
        stresses = [
            {
                "driver": d,
                "from": str(start),
                "months": n,
                "path": demand if d == "demand" else paths[d],
                "name": "backcast",
            }
            for d in ("oil", "lng", "coal", "fx", "demand", "hydro")
        ]
        return sc.replace({"stress": stresses})

    # The observed figure is generation, what is served; the model's demand is the consumers'
    # load before the feeder rules shed part of it. Scale each month's demand until the model
    # serves what was generated (a fixed point: the rules' shedding is nearly proportional).
    from gridrisk.simulation import simulate

    demand = paths["demand"]
    target = np.asarray(demand)
    for _ in range(_DEMAND_ITERATIONS):
        res = simulate(pinned(demand), paths=1, seed=0, keep_paths=True, progress=False)
        generated = res.path_array("grid.served_load_base_mw")[0] + res.path_array("grid.eue_base_mwh")[0] / np.array(
            [_hours(m) for m in obs.index]
        )
        demand = [float(x) for x in np.asarray(demand) * target / generated]
    return pinned(demand)


def _group(name: str, fleet: dict[str, Any]) -> str | None:
    """The CPPA-G fuel group of a fleet class (None: not compared)."""
    if fleet.get("profile") == "hydro":
        return "hydel"
    fuel = fleet.get("fuel")
    if fuel == "lng":
        return "rlng"
    words = name.split("_")
    if fuel == "coal" or "coal" in words:
        return "coal"
    if "nuclear" in words:
        return "nuclear"
    if "gas" in words:
        return "gas"
    return None


def backcast(
    scenario: Scenario | None = None,
    *,
    volumes: str = "observed",
    band: Band = BAND,
    paths: int = 4,
    seed: int = 0,
) -> pd.DataFrame:
    """Run the model on October 2024 to September 2025's observed drivers and compare with CPPA-G.

    Parameters
    ----------
    scenario : Scenario, optional
        The scenario tested (default: the ``pakistan-2000mw`` preset); see :func:`backcast_scenario`.
    volumes : {"observed", "preset"}
        Nuclear availability and the RLNG and gas volumes: the year's or the scenario's
        (:func:`backcast_scenario`).
    band : Band
        The tolerances each row is checked against (default :data:`BAND`).
    paths : int
        Paths simulated. With every driver pinned and outages taken in expectation, paths differ
        only in drivers the base system does not read (Bitcoin, the network): the fuel cost is
        the same on every path (``model_spread_pkr_per_kwh`` reports it).
    seed : int
        Master seed.

    Returns
    -------
    DataFrame
        One row per month (``pd.Period`` index): ``observed_pkr_per_kwh``, ``model_pkr_per_kwh``
        (PKR/kWh), ``cost_error`` (model / observed - 1), ``cost_ok``; ``observed_gwh``,
        ``model_gwh`` (GWh generated), ``generation_ok``; for each group of :data:`FUEL_GROUPS`
        ``<group>_observed`` and ``<group>_model`` (shares of generation, percent; observed NaN
        where the source gives none) and ``<group>_ok``; ``cost_basis`` and ``source``. ``attrs``
        holds the window's ``year_observed_pkr_per_kwh``, ``year_model_pkr_per_kwh``,
        ``mean_abs_cost_error``, ``model_spread_pkr_per_kwh`` and ``passed`` (every check in the
        band), and the ``band``.
    """
    from gridrisk.simulation import simulate

    sc = backcast_scenario(scenario, volumes=volumes)
    obs = observed()
    res = simulate(sc, paths=paths, seed=seed, keep_paths=True, progress=False)
    cost = res.path_array("grid.fuel_cost_base_pkr_per_kwh")
    fleet = sc["fleet"]
    groups = {i: _group(c["name"], c) for i, c in enumerate(fleet)}
    rows = []
    for k, month in enumerate(obs.index):
        detail = explain_month(sc, seed=seed, path=0, month=k)
        hours = detail.blocks["hours"].to_numpy()
        gwh = {c["name"]: float(detail.blocks[f"generation_{c['name']}_mw"].to_numpy() @ hours) / 1000.0 for c in fleet}
        total = sum(gwh.values())
        o = obs.iloc[k]
        row: dict[str, Any] = {
            "month": month,
            "observed_pkr_per_kwh": float(o["fuel_cost_pkr_per_kwh"]),
            "model_pkr_per_kwh": float(cost[0, k]),
            "observed_gwh": float(o["generation_gwh"]),
            "model_gwh": total,
        }
        row["cost_error"] = row["model_pkr_per_kwh"] / row["observed_pkr_per_kwh"] - 1.0
        row["cost_ok"] = abs(row["cost_error"]) <= band.cost_month
        row["generation_ok"] = abs(total / row["observed_gwh"] - 1.0) <= band.generation
        coal = o[["local_coal_gwh", "imported_coal_gwh"]]
        observed_gwh = {
            "hydel": o["hydel_gwh"],
            "nuclear": o["nuclear_gwh"],
            "coal": coal.sum() if coal.notna().all() else math.nan,
            "rlng": o["rlng_gwh"],
            "gas": o["gas_gwh"],
        }
        for g in FUEL_GROUPS:
            model = 100.0 * sum(gwh[fleet[i]["name"]] for i, gi in groups.items() if gi == g) / total
            seen = 100.0 * float(observed_gwh[g]) / row["observed_gwh"]
            row[f"{g}_observed"], row[f"{g}_model"] = seen, model
            row[f"{g}_ok"] = math.isnan(seen) or abs(model - seen) <= band.share_pp
        row["cost_basis"], row["source"] = o["cost_basis"], o["source"]
        rows.append(row)
    out = pd.DataFrame(rows).set_index("month")
    w_obs, w_mod = out["observed_gwh"], out["model_gwh"]
    year_obs = float((out["observed_pkr_per_kwh"] * w_obs).sum() / w_obs.sum())
    year_mod = float((out["model_pkr_per_kwh"] * w_mod).sum() / w_mod.sum())
    mean_abs = float(out["cost_error"].abs().mean())
    checks = [c for c in out.columns if c.endswith("_ok")]
    out.attrs.update(
        {
            "year_observed_pkr_per_kwh": year_obs,
            "year_model_pkr_per_kwh": year_mod,
            "mean_abs_cost_error": mean_abs,
            "model_spread_pkr_per_kwh": float(np.ptp(cost, axis=0).max()),
            "band": band,
            "passed": bool(
                out[checks].to_numpy().all()
                and mean_abs <= band.cost_mean_abs
                and abs(year_mod / year_obs - 1.0) <= band.cost_year
            ),
        }
    )
    return out
