"""An independent NumPy implementation of the gridrisk model, written from docs/model.md.

Vectorised over paths, looping over months and load blocks, as a careful economist would write
it. It uses NumPy's own random numbers, so it agrees with gridrisk in distribution, not path by
path (tests/test_reference.py checks means and a two-sample KS test).

It covers a part of the scenario space (:func:`check_scope` refuses the rest):

- the representative-day load shape and the preset's features (no commissioning dates);
- one ``fixed_pkr`` tariff regime per load (§8.3);
- the incidence of the gap by its shares, without a budget envelope (§8.4);
- the taxes of §8.4 (sales tax and duty net of input credit, the debt-service surcharge, super
  tax, customs duty forgone) and the reserve held or sold at the horizon;
- the exchange rate's drift and the discount rate declared, or derived from ``[economy]``
  when absent (§4, §8.6).

Usage from Python: ``reference(scenario_dict, paths, seed)`` returns a dict of per-path outputs;
``scope_overrides(scenario_dict)`` gives the overrides (for ``Scenario.replace``) that bring a
scenario such as the preset into that part.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

DT = 1.0 / 12.0
FACTORS = ["demand", "oil", "lng", "coal", "fx", "bitcoin", "hashrate", "hydro"]


#: The per-path outputs both references compute, in the order :func:`reference` returns them.
OUTPUTS: tuple[str, ...] = (
    "npv_pkr",
    "npv_real_pkr",
    "net_flow_pkr_per_year",
    "worst_fiscal_year_net_flow_pkr",
    "circular_debt_change_pkr",
    "budget_subsidy_pkr",
    "consumers_charge_pkr",
    "npv_tariff_revenue_pkr",
    "npv_generation_cost_pkr",
    "npv_consumers_charge_pkr",
    "npv_tax_pkr",
    "npv_sales_tax_pkr",
    "npv_surcharge_pkr",
    "tax_expenditure_pkr_per_year",
    "npv_mining_pkr",
    "npv_datacenters_pkr",
    "eue_with_mwh_per_year",
    "eue_households_increase_mwh_per_year",
    "miner_uptime_share",
)


def _days(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _schedule(sc: dict[str, Any]) -> tuple[list[int], list[int], np.ndarray]:
    y, m = (int(v) for v in sc["simulation"]["start"].split("-"))
    months, days, subsidy = [], [], []
    h = float(sc["network"]["block_height0"])
    for _ in range(sc["simulation"]["horizon_months"]):
        d = _days(y, m)
        blocks = d * 144.0
        total, x = 0.0, h
        while x < h + blocks:  # block-weighted mean subsidy over [h, h + blocks)
            era_end = (math.floor(x / 210_000) + 1) * 210_000
            seg = min(era_end, h + blocks)
            total += (seg - x) * 50.0 / 2 ** math.floor(x / 210_000)
            x = seg
        months.append(m)
        days.append(d)
        subsidy.append(total / blocks)
        h += blocks
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return months, days, np.array(subsidy)


def _copt(units: list[tuple[int, float, float]], step: float) -> tuple[np.ndarray, np.ndarray]:
    pmf = np.array([1.0])
    for count, mw, q in units:
        size = round(mw / step)
        k = np.arange(count + 1)
        binom = stats.binom.pmf(k, count, 1 - q)
        nxt = np.zeros(pmf.size + count * size)
        for j in range(count + 1):
            nxt[j * size : j * size + pmf.size] += pmf * binom[j]
        pmf = nxt
    a = np.arange(pmf.size) * step
    return np.cumsum(pmf), np.cumsum(a * pmf)


def _lolp_eue(cdf: np.ndarray, mom: np.ndarray, step: float, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = np.minimum(np.ceil(x / step) - 1, cdf.size - 1)
    valid = x > 0
    kk = np.where(valid, k, 0).astype(np.int64)
    lolp = np.where(valid, cdf[kk], 0.0)
    eue = np.where(valid, np.maximum(x * cdf[kk] - mom[kk], 0.0), 0.0)
    return lolp, eue


def _merton(p: dict[str, Any], mu: float) -> tuple[float, float, float, float, float]:
    """Monthly log-increment parameters of a jump-diffusion with expected growth ``mu`` a year."""
    sig, lam, m, s = (p["vol_annual"], p["jump_intensity_annual"], p["jump_mean"], p["jump_sd"])
    k = math.exp(m + 0.5 * s * s) - 1
    return (mu - 0.5 * sig * sig - lam * k) * DT, sig * math.sqrt(DT), lam * DT, m, s


def fx_drift_annual(sc: dict[str, Any]) -> float:
    """The exchange rate's expected depreciation: declared, or from the inflation differential.

    docs/model.md §4: ``mu = ln((1 + pi)/(1 + pi_US)) + premium + sigma^2/2 + lambda (e^(m + s^2/2) - 1 - m)``,
    so that the median log rate depreciates at the differential plus the premium.
    """
    fx = sc["fx"]
    if "drift_annual" in fx:
        return float(fx["drift_annual"])
    e = sc["economy"]
    sig, lam, m, s = fx["vol_annual"], fx["jump_intensity_annual"], fx["jump_mean"], fx["jump_sd"]
    log_drift = math.log((1 + e["inflation_annual"]) / (1 + e["us_inflation_annual"])) + e["fx_risk_premium_annual"]
    return log_drift + 0.5 * sig * sig + lam * (math.exp(m + 0.5 * s * s) - 1 - m)


def discount_rate_annual(sc: dict[str, Any]) -> float:
    """The nominal discount rate: declared, or the real rate compounded with inflation (§8.6)."""
    if "discount_rate_annual" in sc["fiscal"]:
        return float(sc["fiscal"]["discount_rate_annual"])
    e = sc["economy"]
    return (1 + e["real_discount_rate_annual"]) * (1 + e["inflation_annual"]) - 1


def _fixed_pkr(steps: Any) -> float | None:
    """The price of a tariff that is one ``fixed_pkr`` regime, else None."""
    if isinstance(steps, list) and len(steps) == 1 and steps[0].get("regime") == "fixed_pkr":
        return float(steps[0]["pkr_per_kwh"])
    return None


def check_scope(sc: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming every feature of ``sc`` the reference does not implement."""
    problems = []
    for load in ("mining", "datacenters"):
        if _fixed_pkr(sc[load]["tariff"]) is None:
            problems.append(f"{load}.tariff must be one fixed_pkr regime")
    if "budget_envelope_pkr_per_fiscal_year" in sc["incidence"]:
        problems.append("incidence.budget_envelope_pkr_per_fiscal_year must be absent")
    if sc["grid"].get("load_shape", "representative_day") != "representative_day":
        problems.append("grid.load_shape must be representative_day")
    for i, c in enumerate(sc["fleet"]):
        problems += [f"fleet[{i}].{k} must be absent" for k in ("commission", "retire", "fuel_limit") if k in c]
    if "shedding" in sc:
        problems.append("shedding must be absent (the reference is the capacity-only model)")
    problems += [f"mining.{k} must be absent" for k in ("investment", "credit") if k in sc["mining"]]
    if "takeup" in sc["datacenters"]:
        problems.append("datacenters.takeup must be absent (the whole allocation arrives on its ramp)")
    hours = sc["mining"].get("interruptible", {}).get("hours_per_day", 0.0)
    if any(h > 0 for h in (hours if isinstance(hours, list) else [hours])):
        problems.append("mining.interruptible must give no peak relief")
    if sc["network"].get("model", "trend") != "trend":
        problems.append("network.model must be 'trend'")
    until = sc.get("taxes", {}).get("debt_service_surcharge_until")
    if until is not None:
        y0, m0 = (int(v) for v in sc["simulation"]["start"].split("-"))
        y1, m1 = (int(v) for v in str(until).split("-"))
        if (y1 - y0) * 12 + (m1 - m0) + 1 < sc["simulation"]["horizon_months"]:
            problems.append("taxes.debt_service_surcharge_until must not end the surcharge within the horizon")
    if sc.get("uncertain"):
        problems.append("uncertain must be absent (every field at its point value: Scenario.fixed())")
    if problems:
        raise ValueError("outside the NumPy reference's scope: " + "; ".join(problems))


def in_scope(sc: dict[str, Any], **tariffs: float) -> dict[str, Any]:
    """``sc`` (a scenario dict) brought into the reference's scope: the capacity-only model (no
    ``[shedding]``, no fuel limits) with fixed loads (no investment, credit, take-up or peak
    relief), the network's trend model, the debt-service surcharge over the whole horizon and
    every field at its point value (no ``[[uncertain]]``), with the :func:`scope_overrides`
    applied; ``tariffs`` are passed on to it. Build the scenario with ``Scenario.from_dict``.
    """
    # Point values (the reference draws no parameters) and the surcharge over the whole horizon.
    out = {k: v for k, v in sc.items() if k not in ("shedding", "uncertain")}
    out["taxes"] = {k: v for k, v in sc.get("taxes", {}).items() if k != "debt_service_surcharge_until"}
    out["fleet"] = [{k: v for k, v in c.items() if k != "fuel_limit"} for c in sc["fleet"]]
    # Fixed loads: the whole allocation on its ramps, no capital, no default, a flat draw.
    out["mining"] = {k: v for k, v in sc["mining"].items() if k not in ("investment", "credit", "interruptible")}
    out["datacenters"] = {k: v for k, v in sc["datacenters"].items() if k != "takeup"}
    if sc["network"].get("model", "trend") != "trend":
        # The trend model as the preset had it before the equilibrium model (docs/calibration.md).
        net = {k: v for k, v in sc["network"].items() if k != "equilibrium"}
        out["network"] = {**net, "model": "trend", "growth_annual": 0.15, "revenue_elasticity": 0.5}
    for key, value in scope_overrides(out, **tariffs).items():
        out[key.split(".")[0]] = {**out[key.split(".")[0]], key.split(".", 1)[1]: value} if "." in key else value
    return out


def scope_overrides(
    sc: dict[str, Any], mining_pkr_per_kwh: float = 22.98, datacenters_pkr_per_kwh: float = 29.54
) -> dict[str, Any]:
    """Overrides that bring ``sc`` into the reference's scope: one ``fixed_pkr`` regime per load
    (by default the package's base rate for miners and the industrial base rate for data
    centres) and no budget envelope. Apply them with ``Scenario.replace``.
    """
    out: dict[str, Any] = {
        "mining.tariff": [{"regime": "fixed_pkr", "pkr_per_kwh": mining_pkr_per_kwh}],
        "datacenters.tariff": [{"regime": "fixed_pkr", "pkr_per_kwh": datacenters_pkr_per_kwh}],
    }
    if "budget_envelope_pkr_per_fiscal_year" in sc["incidence"]:
        out["incidence"] = {k: v for k, v in sc["incidence"].items() if k != "budget_envelope_pkr_per_fiscal_year"}
    return out


def reference(sc: dict[str, Any], paths: int, seed: int) -> dict[str, np.ndarray]:
    """Simulate ``paths`` paths of a scenario dict; per-path outputs as in docs/model.md 8.5."""
    check_scope(sc)
    rng = np.random.default_rng(seed)
    n, months_n = paths, sc["simulation"]["horizon_months"]
    moy, days, subsidy = _schedule(sc)
    chol = np.linalg.cholesky(np.array(sc["correlation"]["matrix"]))
    dem, hyd, net, btc, fxp = sc["demand"], sc["hydro"], sc["network"], sc["bitcoin"], sc["fx"]
    season = np.array(dem["seasonality"]) / np.mean(dem["seasonality"])
    v_dem = dem["ar1_sigma"] ** 2 / (1 - dem["ar1_phi"] ** 2)
    v_hyd = hyd["ar1_sigma"] ** 2 / (1 - hyd["ar1_phi"] ** 2)

    def ou(p: dict[str, Any]) -> tuple[float, float, float]:
        a = math.exp(-p["mean_reversion_annual"] * DT)
        kap = p["mean_reversion_annual"]
        var = p["vol_annual"] ** 2 * (-math.expm1(-2 * kap * DT) / (2 * kap) if kap > 1e-12 else DT)
        return a, (1 - a) * math.log(p["long_run"]), math.sqrt(var)

    oil_ou, coal_ou = ou(sc["fuel"]["oil"]), ou(sc["fuel"]["coal"])
    lng = sc["fuel"]["lng"]
    lng_ou = ou(lng["own"])
    fx_m, btc_m = _merton(fxp, fx_drift_annual(sc)), _merton(btc, btc["drift_annual"])
    g = sc["grid"]
    fleet = sc["fleet"]
    alloc, mining, dcs, res, fis = sc["allocation"], sc["mining"], sc["datacenters"], sc["reserve"], sc["fiscal"]
    disp = [c for c in fleet if c["profile"] == "none"]
    cdf, mom = _copt([(c["units"], c["unit_mw"], c["forced_outage_rate"]) for c in disp], g["capacity_step_mw"])
    derated = np.array([c["units"] * c["unit_mw"] * (1 - c["forced_outage_rate"]) for c in fleet])
    must = np.array([c["must_run"] for c in fleet])
    profile = [c["profile"] for c in fleet]
    cf = {k: np.array(g["capacity_factors"][k]) for k in ("hydro", "wind", "solar")}
    day_shape = np.array(g["day_shape"])
    prio = g["curtailment_priority"]
    loss = fis["td_loss_share"]
    inc, eco, taxes = sc["incidence"], sc["economy"], sc["taxes"]
    # Sales tax and duty a load pays on its bill after its input credit (share of the bill), and
    # the debt-service surcharge, PKR/MWh (a fixed rupee price has no package energy).
    # The sales tax is creditable, the provincial duty not.
    sales_m = taxes["sales_tax_rate"] * (1 - taxes["mining_input_credit_share"]) + taxes["electricity_duty_rate"]
    sales_d = taxes["sales_tax_rate"] * (1 - taxes["datacenters_input_credit_share"]) + taxes["electricity_duty_rate"]
    surcharge = 1000 * taxes["debt_service_surcharge_pkr_per_kwh"]
    # End-of-month discount factors: nominal, and real with the flow deflated by the price level.
    disc = (1 + discount_rate_annual(sc)) ** (-(np.arange(months_n) + 1) / 12)
    real_disc = ((1 + eco["real_discount_rate_annual"]) * (1 + eco["inflation_annual"])) ** (
        -(np.arange(months_n) + 1) / 12
    )
    # Energy prices, PKR/MWh (check_scope: one fixed_pkr regime each).
    tariff_m = 1000 * float(mining["tariff"][0]["pkr_per_kwh"])
    tariff_d = 1000 * float(dcs["tariff"][0]["pkr_per_kwh"])

    x_oil = np.full(n, math.log(sc["fuel"]["oil"]["price0"]))
    x_coal = np.full(n, math.log(sc["fuel"]["coal"]["price0"]))
    x_lng = np.full(n, math.log(lng["own"]["price0"]))
    x_fx = np.full(n, math.log(fxp["rate0_pkr_per_usd"]))
    x_btc = np.full(n, math.log(btc["price0_usd"]))
    y_dem = y_hyd = x_hash = np.zeros(n)
    log_p_hist, oil_hist = [], []
    # Monthly flows by channel (PKR): the net flow, its parts and who pays the gap.
    flows = {
        k: np.zeros((n, months_n))
        for k in (
            "net",
            "revenue",
            "cost",
            "tax",
            "sales_tax",
            "surcharge",
            "tax_expenditure",
            "budget",
            "consumers",
            "circular_debt",
            "net_m",
            "net_d",
        )
    }
    eue_with = np.zeros(n)
    eue_hh_inc = np.zeros(n)
    uptime_sum = np.zeros(n)
    policy_btc = np.zeros(n)
    years = months_n / 12
    for t in range(months_n):
        z = rng.standard_normal((n, 8)) @ chol.T
        zd, zo, zl, zc, zf, zb, zh, zy = z.T
        if t == 0:
            y_dem, y_hyd = math.sqrt(v_dem) * zd, math.sqrt(v_hyd) * zy
        else:
            y_dem = dem["ar1_phi"] * y_dem + dem["ar1_sigma"] * zd
            y_hyd = hyd["ar1_phi"] * y_hyd + hyd["ar1_sigma"] * zy
            x_oil = oil_ou[0] * x_oil + oil_ou[1] + oil_ou[2] * zo
            x_lng = lng_ou[0] * x_lng + lng_ou[1] + lng_ou[2] * zl
            x_coal = coal_ou[0] * x_coal + coal_ou[1] + coal_ou[2] * zc
            for state, mm, zz, key in ((x_fx, fx_m, zf, "fx"), (x_btc, btc_m, zb, "btc")):
                if key == "btc" and btc["returns"] == "student_t":
                    nu = btc["t_dof"]
                    zz = zz * np.sqrt((nu - 2) / rng.chisquare(nu, n))
                nj = rng.poisson(mm[2], n) if mm[2] > 0 else np.zeros(n)
                jump = nj * mm[3] + mm[4] * np.sqrt(nj) * rng.standard_normal(n)
                state += mm[0] + mm[1] * zz + jump
            x_hash = net["noise_phi"] * x_hash + net["noise_sigma"] * zh
        log_p_hist.append(x_btc.copy())
        oil = np.exp(x_oil)
        oil_hist.append(oil)
        if lng["mode"] == "brent_slope":
            w = lng["averaging_months"]
            window = [oil_hist[s] if s >= 0 else oil_hist[0] for s in range(t - w + 1, t + 1)]
            lng_p = lng["slope"] * np.mean(window, axis=0) + lng["constant_usd_per_mmbtu"]
        else:
            lng_p = np.exp(x_lng)
        load_avg = (
            dem["base_load_mw"]
            * math.exp(dem["growth_annual"] * t * DT)
            * season[moy[t] - 1]
            * np.exp(y_dem - v_dem / 2)
        )
        avail = np.exp(y_hyd - v_hyd / 2)
        fx, price = np.exp(x_fx), np.exp(x_btc)
        lag = net["response_lag_months"]
        base_log = math.log(net["hashrate0_ehs"]) + net["growth_annual"] * t * DT
        if t >= lag:
            base_log += net["revenue_elasticity"] * (
                math.log(subsidy[t - lag] / subsidy[0]) + log_p_hist[t - lag] - log_p_hist[0]
            )
        hashrate = np.exp(base_log + x_hash)
        fees = (
            subsidy[t]
            * net["fee_share_mean"]
            * np.exp(net["fee_share_sigma"] * rng.standard_normal(n) - 0.5 * net["fee_share_sigma"] ** 2)
        )

        # Miners' decision (a fixed_pkr tariff; economic or take-or-pay), on what a MWh costs
        # them: the tariff, the sales tax they cannot reclaim and the surcharge.
        def ramp(r: int, t: int = t) -> float:
            if t < 0:
                return 0.0  # before the start: nothing brought in yet
            return 1.0 if r == 0 else min((t + 1) / r, 1.0)

        j = mining["efficiency_j_per_th"] * math.exp(-mining["efficiency_improvement_annual"] * t / 12)
        fleet_mw = alloc["mining_mw"] * ramp(mining["ramp_months"])
        h_eff = np.maximum(hashrate, fleet_mw / j)
        btc_per_mwh = 6 * (subsidy[t] + fees) / (j * h_eff)
        kept = btc_per_mwh * price * fx * (1 - mining["pool_fee_share"] - res["levy_share"])
        up = (kept >= tariff_m * (1 + sales_m) + surcharge + mining["opex_usd_per_mwh"] * fx).astype(float)
        if mining["contract"] == "take_or_pay":
            up[:] = 1.0
        m_mw = fleet_mw * up
        d_mw = alloc["datacenter_mw"] * alloc["datacenter_load_factor"] * ramp(dcs["ramp_months"])
        m_gen, d_gen = m_mw / (1 - loss), d_mw / (1 - loss)

        # Merit order (must-run first, then cost; ties by fleet order) and blocks.
        fuel = {"oil": oil / g["oil_mmbtu_per_bbl"], "lng": lng_p, "coal": np.exp(x_coal) / g["coal_mmbtu_per_t"]}
        costs = np.stack(
            [
                (
                    c["heat_rate_mmbtu_per_mwh"]
                    * (fuel[c["fuel"]] if c["fuel"] in fuel else c["fixed_fuel_usd_per_mmbtu"])
                    + c["vom_usd_per_mwh"]
                )
                * fx
                for c in fleet
            ],
            axis=1,
        )
        key = np.where(must[None, :], -np.inf, costs)
        order = np.argsort(key, axis=1, kind="stable")
        c_sorted = np.take_along_axis(costs, order, axis=1)
        hours = days[t]  # each of the 24 representative-day blocks lasts `days` hours
        added_cost = np.zeros(n)
        eue_m = eue_d = eue_b = eue_h = np.zeros(n)
        for h in range(24):
            load = load_avg * day_shape[moy[t] - 1, h] / day_shape[moy[t] - 1].mean()
            factor = np.ones((n, len(fleet)))
            for k, p in enumerate(profile):
                if p == "hydro":
                    factor[:, k] = np.minimum(cf["hydro"][moy[t] - 1, h] * avail, 1.0)
                elif p in ("wind", "solar"):
                    factor[:, k] = cf[p][moy[t] - 1, h]
            caps = derated[None, :] * factor
            profiled = sum(caps[:, k] for k, p in enumerate(profile) if p != "none")
            cap_sorted = np.take_along_axis(caps, order, axis=1)
            before = np.cumsum(cap_sorted, axis=1) - cap_sorted

            def serve(
                x: np.ndarray, cs: np.ndarray = c_sorted, cap: np.ndarray = cap_sorted, bf: np.ndarray = before
            ) -> np.ndarray:
                return (cs * np.clip(x[:, None] - bf, 0, cap)).sum(axis=1)

            added_cost += (serve(load + m_gen + d_gen) - serve(load)) * hours
            base_net = load - profiled
            parts = {"mining": m_gen, "datacenters": np.full(n, d_gen), "households": np.zeros(n)}
            tops = []
            for i in range(3):
                x = base_net.copy() if "households" in prio[i:] else -profiled
                for grp in prio[i:]:
                    x = x + parts[grp]
                tops.append(x)
            tops.append(-profiled)
            e = [_lolp_eue(cdf, mom, g["capacity_step_mw"], x)[1] for x in tops]
            eue_b = eue_b + hours * _lolp_eue(cdf, mom, g["capacity_step_mw"], base_net)[1]
            for i, grp in enumerate(prio):
                lost = hours * (e[i] - e[i + 1])
                if grp == "mining":
                    eue_m = eue_m + lost
                elif grp == "datacenters":
                    eue_d = eue_d + lost
                else:
                    eue_h = eue_h + lost
            eue_with += hours * e[0] / years
        eue_hh_inc += (eue_h - eue_b) / years
        keepf = 1 - loss
        e_m = np.maximum(m_mw * hours * 24 - eue_m * keepf, 0.0)
        e_d = np.maximum(d_mw * hours * 24 - eue_d * keepf, 0.0)
        btc_mined = e_m * btc_per_mwh
        collection = fis["collection_rate"]
        collected_m = collection * e_m * tariff_m
        collected_d = collection * e_d * tariff_d
        collected = collected_m + collected_d
        # Taxes on the bills, collected with them: sales tax and duty net of input credit, surcharge.
        bill_tax_m = e_m * (tariff_m * sales_m + surcharge)
        bill_tax_d = e_d * (tariff_d * sales_d + surcharge)
        m_profit = (
            btc_mined * (1 - mining["pool_fee_share"] - res["levy_share"]) * price * fx
            - e_m * tariff_m
            - bill_tax_m
            - e_m * mining["opex_usd_per_mwh"] * fx
        )
        d_profit = dcs["profit_usd_per_mwh"] * e_d * fx
        # Profit tax plus super tax; during a holiday the same amount is a tax expenditure.
        due_m = (mining["profit_tax_rate"] + taxes["super_tax_rate"]) * np.maximum(m_profit, 0)
        due_d = (dcs["profit_tax_rate"] + taxes["super_tax_rate"]) * np.maximum(d_profit, 0)
        holiday_m, holiday_d = t < mining["tax_holiday_months"], t < dcs["tax_holiday_months"]
        tax_m, tax_d = (0.0 if holiday_m else 1.0) * due_m, (0.0 if holiday_d else 1.0) * due_d
        # Customs duty forgone on the equipment brought in this month (the ramp's increment).
        customs = (
            taxes["customs_duty_rate"]
            * fx
            * (
                taxes["mining_equipment_usd_per_mw"]
                * alloc["mining_mw"]
                * (ramp(mining["ramp_months"]) - ramp(mining["ramp_months"], t - 1))
                + taxes["datacenters_equipment_usd_per_mw"]
                * alloc["datacenter_mw"]
                * (ramp(dcs["ramp_months"]) - ramp(dcs["ramp_months"], t - 1))
            )
        )
        bought = res["purchase_usd_per_month"] / np.maximum(price, 1e-6) if res["purchase_usd_per_month"] > 0 else 0.0
        policy_btc += res["levy_share"] * btc_mined + bought
        # Who pays the gap (§8.4, no envelope): each party its share; the other consumers' share
        # is charged through their tariffs and so counts in the state's net flow.
        gap = added_cost - collected
        budget = inc["budget_share"] * gap
        consumers = inc["consumers_share"] * gap
        # The added cost is shared by the loads in proportion to their generation-side draw.
        drawn = m_gen + d_gen
        cost_m = np.divide(added_cost * m_gen, drawn, out=np.zeros(n), where=drawn > 0)
        cost_d = added_cost - cost_m
        f = flows
        f["revenue"][:, t], f["cost"][:, t], f["tax"][:, t] = collected, added_cost, tax_m + tax_d
        f["sales_tax"][:, t] = collection * (e_m * tariff_m * sales_m + e_d * tariff_d * sales_d)
        f["surcharge"][:, t] = collection * (e_m + e_d) * surcharge
        f["tax_expenditure"][:, t] = (1.0 if holiday_m else 0.0) * due_m + (1.0 if holiday_d else 0.0) * due_d + customs
        f["budget"][:, t], f["consumers"][:, t] = budget, consumers
        f["circular_debt"][:, t] = gap - budget - consumers
        share = inc["consumers_share"]
        f["net_m"][:, t] = collected_m - cost_m + share * (cost_m - collected_m) + tax_m + collection * bill_tax_m
        f["net_d"][:, t] = collected_d - cost_d + share * (cost_d - collected_d) + tax_d + collection * bill_tax_d
        f["net"][:, t] = f["net_m"][:, t] + f["net_d"][:, t] - res["purchase_usd_per_month"] * fx
        uptime_sum += up
    # The BTC the policy added (levy, purchases) at the last month's price, unless held (§8.5).
    held = res.get("disposal", "sell_at_horizon") == "hold"
    terminal = np.zeros(n) if held else policy_btc * price * fx
    net_flow = flows["net"]
    # Complete fiscal years (July-June) inside the horizon, from the first July.
    first_july = (19 - moy[0]) % 12
    fy = [net_flow[:, a : a + 12].sum(axis=1) for a in range(first_july, months_n - 11, 12)]
    return {
        "npv_pkr": net_flow @ disc + terminal * disc[-1],
        "npv_real_pkr": net_flow @ real_disc + terminal * real_disc[-1],
        "net_flow_pkr_per_year": net_flow.sum(axis=1) / years,
        "worst_fiscal_year_net_flow_pkr": np.min(fy, axis=0) if fy else np.full(n, np.nan),
        "circular_debt_change_pkr": flows["circular_debt"].sum(axis=1),
        "budget_subsidy_pkr": flows["budget"].sum(axis=1),
        "consumers_charge_pkr": flows["consumers"].sum(axis=1),
        "npv_tariff_revenue_pkr": flows["revenue"] @ disc,
        "npv_generation_cost_pkr": flows["cost"] @ disc,
        "npv_consumers_charge_pkr": flows["consumers"] @ disc,
        "npv_tax_pkr": flows["tax"] @ disc,
        "npv_sales_tax_pkr": flows["sales_tax"] @ disc,
        "npv_surcharge_pkr": flows["surcharge"] @ disc,
        "tax_expenditure_pkr_per_year": flows["tax_expenditure"].sum(axis=1) / years,
        "npv_mining_pkr": flows["net_m"] @ disc,
        "npv_datacenters_pkr": flows["net_d"] @ disc,
        "eue_with_mwh_per_year": eue_with,
        "eue_households_increase_mwh_per_year": eue_hh_inc,
        "miner_uptime_share": uptime_sum / months_n,
    }
