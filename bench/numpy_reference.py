"""An independent NumPy implementation of the gridrisk model, written from docs/model.md.

Vectorised over paths, looping over months and load blocks, as a careful economist would write
it. It uses NumPy's own random numbers, so it agrees with gridrisk in distribution, not path by
path (tests/test_reference.py checks means and a two-sample KS test). It covers the
representative-day load shape and the preset's features (no commissioning dates).

Usage from Python: ``reference(scenario_dict, paths, seed)`` returns a dict of per-path outputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

DT = 1.0 / 12.0
FACTORS = ["demand", "oil", "lng", "coal", "fx", "bitcoin", "hashrate", "hydro"]


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


def _merton(rng: np.random.Generator, p: dict[str, Any], n: int) -> tuple[float, float, float, float, float]:
    mu, sig, lam, m, s = (p["drift_annual"], p["vol_annual"], p["jump_intensity_annual"], p["jump_mean"], p["jump_sd"])
    k = math.exp(m + 0.5 * s * s) - 1
    return (mu - 0.5 * sig * sig - lam * k) * DT, sig * math.sqrt(DT), lam * DT, m, s


def reference(sc: dict[str, Any], paths: int, seed: int) -> dict[str, np.ndarray]:
    """Simulate ``paths`` paths of a scenario dict; per-path outputs as in docs/model.md 8.5."""
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
    fx_m, btc_m = _merton(rng, fxp, n), _merton(rng, btc, n)
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
    disc = (1 + fis["discount_rate_annual"]) ** (-(np.arange(months_n) + 1) / 12)

    x_oil = np.full(n, math.log(sc["fuel"]["oil"]["price0"]))
    x_coal = np.full(n, math.log(sc["fuel"]["coal"]["price0"]))
    x_lng = np.full(n, math.log(lng["own"]["price0"]))
    x_fx = np.full(n, math.log(fxp["rate0_pkr_per_usd"]))
    x_btc = np.full(n, math.log(btc["price0_usd"]))
    y_dem = y_hyd = x_hash = np.zeros(n)
    log_p_hist, oil_hist = [], []
    net_flow = np.zeros((n, months_n))
    cd = np.zeros(n)
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

        # Miners' decision (fixed_pkr tariff, economic contract, as in the preset).
        def ramp(r: int, t: int = t) -> float:
            return 1.0 if r == 0 else min((t + 1) / r, 1.0)

        j = mining["efficiency_j_per_th"] * math.exp(-mining["efficiency_improvement_annual"] * t / 12)
        fleet_mw = alloc["mining_mw"] * ramp(mining["ramp_months"])
        h_eff = np.maximum(hashrate, fleet_mw / j)
        btc_per_mwh = 6 * (subsidy[t] + fees) / (j * h_eff)
        tariff_m = mining["tariff_pkr_per_kwh"] * 1000
        kept = btc_per_mwh * price * fx * (1 - mining["pool_fee_share"] - res["levy_share"])
        up = (kept >= tariff_m + mining["opex_usd_per_mwh"] * fx).astype(float)
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
        bill = e_m * tariff_m + e_d * dcs["tariff_pkr_per_kwh"] * 1000
        collected = fis["collection_rate"] * bill
        m_profit = (
            btc_mined * (1 - mining["pool_fee_share"] - res["levy_share"]) * price * fx
            - e_m * tariff_m
            - e_m * mining["opex_usd_per_mwh"] * fx
        )
        d_profit = dcs["profit_usd_per_mwh"] * e_d * fx
        tax = mining["profit_tax_rate"] * np.maximum(m_profit, 0) * (t >= mining["tax_holiday_months"]) + dcs[
            "profit_tax_rate"
        ] * np.maximum(d_profit, 0) * (t >= dcs["tax_holiday_months"])
        bought = res["purchase_usd_per_month"] / np.maximum(price, 1e-6) if res["purchase_usd_per_month"] > 0 else 0.0
        policy_btc += res["levy_share"] * btc_mined + bought
        net_flow[:, t] = collected - added_cost + tax - res["purchase_usd_per_month"] * fx
        cd += added_cost - collected
        uptime_sum += up
    npv = net_flow @ disc + policy_btc * price * fx * disc[-1]
    return {
        "npv_pkr": npv,
        "circular_debt_change_pkr": cd,
        "eue_with_mwh_per_year": eue_with,
        "eue_households_increase_mwh_per_year": eue_hh_inc,
        "miner_uptime_share": uptime_sum / months_n,
    }
