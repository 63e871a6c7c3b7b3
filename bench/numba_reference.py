"""A Numba port of the NumPy reference (bench/numpy_reference.py): the same model, the same scope.

The straightforward port a performance-minded economist writes in an afternoon: the scenario is
read and everything that does not depend on the path (the block schedule, the outage table, the
ramps, the discount factors) is prepared in Python with the NumPy reference's own helpers, then
one ``@numba.njit(parallel=True)`` function loops over paths with ``numba.prange`` and, for each
path, over months and the 24 representative-day blocks, in scalars: the same equations as the
NumPy reference, path by path instead of vectorised over paths.

Its scope is the NumPy reference's (:func:`numpy_reference.check_scope` is called here, and
``in_scope``/``scope_overrides`` are the NumPy reference's), so the two cannot drift apart.

Random numbers: Numba's ``np.random`` inside ``njit`` is a Mersenne Twister with one state per
thread. The kernel seeds it at the start of every path with ``np.random.seed(base + path)``
(``base`` is a 32-bit hash of ``seed``; Numba's seed is 32 bits), and that path then draws all its
numbers, in order, on the thread that runs it. So path ``i``'s draws depend on ``seed`` and ``i``
only: the outputs are reproducible bit for bit whatever the number of threads, and the first
``k`` paths of a run are the ``k`` paths of a run of ``k`` paths. The paths of one run have
distinct seeds; two runs with different ``seed`` overlap only if their ranges of 32-bit seeds do
(probability about ``2 * paths / 2**32`` per pair of runs). The streams differ from NumPy's and
gridrisk's, so the three agree in distribution, not path by path.

Usage: ``reference(scenario_dict, paths, seed, threads=None)`` returns the same dict of per-path
outputs as ``numpy_reference.reference``. The first call in a process compiles the kernel (or
loads it from Numba's cache in ``bench/__pycache__``): time a second call. Import it as
``numba_reference`` (``bench/`` on ``sys.path``, or registered in ``sys.modules`` under that
name before it runs, when loaded from its path): the compiled kernel refers to :data:`Params`
by module name.
"""

# Numba compiles the legacy np.random functions (one Mersenne Twister per thread), not Generator.
# ruff: noqa: NPY002

from __future__ import annotations

import importlib.util
import math
import sys
from collections import namedtuple
from pathlib import Path
from typing import Any

import numba
import numpy as np

if "numpy_reference" in sys.modules:
    numpy_reference = sys.modules["numpy_reference"]
else:
    _path = Path(__file__).resolve().with_name("numpy_reference.py")
    _spec = importlib.util.spec_from_file_location("numpy_reference", _path)
    assert _spec is not None
    assert _spec.loader is not None
    numpy_reference = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(numpy_reference)

check_scope = numpy_reference.check_scope
in_scope = numpy_reference.in_scope
scope_overrides = numpy_reference.scope_overrides
DT = numpy_reference.DT

#: The per-path outputs, in the order of the kernel's output rows: the NumPy reference's.
OUTPUTS = numpy_reference.OUTPUTS

PROFILES = {"none": 0, "hydro": 1, "wind": 2, "solar": 3}
FUELS = {"oil": 1, "lng": 2, "coal": 3}  # anything else: the class's fixed fuel price (0)
GROUPS = {"mining": 0, "households": 1, "datacenters": 2}

#: Everything the kernel reads: scalars, per-month arrays (length ``months``) and the grid's tables.
Params = namedtuple(
    "Params",
    [
        # drivers
        "chol",  # (8, 8) lower Cholesky factor of the correlation matrix
        "dem_phi",
        "dem_sigma",
        "v_dem",
        "hyd_phi",
        "hyd_sigma",
        "v_hyd",
        "ou",  # (3, 3): oil, lng, coal rows of (a, (1 - a) ln long_run, sd)
        "x0",  # (5,): log oil, lng, coal, fx, bitcoin at the start
        "fx_m",  # (5,): monthly drift, sd, jump probability, jump mean, jump sd
        "btc_m",
        "btc_t_dof",  # > 0: Student-t returns with these degrees of freedom
        "noise_phi",
        "noise_sigma",
        "lag",
        "elasticity",
        "fee_mean",
        "fee_sigma",
        "lng_brent_slope",  # 1: LNG priced on Brent, 0: its own OU process
        "lng_slope",
        "lng_constant",
        "lng_window",
        # per month
        "moy",  # month of the year, 0-11
        "hours",  # each representative-day block lasts `days` hours
        "subsidy",
        "load_trend",  # base load x growth x season
        "base_log_hash",  # log hashrate trend (before the revenue response)
        "log_subsidy_ratio",  # ln(subsidy / subsidy[0])
        "j",  # miners' efficiency, J/TH
        "fleet_mw",
        "d_mw",
        "customs_usd",  # customs duty forgone on the month's equipment, USD
        "holiday_m",
        "holiday_d",
        "disc",
        "real_disc",
        # the grid
        "shape",  # (12, 24) day shape over its monthly mean
        "cf",  # (4, 12, 24) capacity factors by profile (row 0 unused)
        "derated",
        "must",
        "profile",
        "fuel",
        "heat_rate",
        "vom",
        "fixed_fuel",
        "oil_mmbtu",
        "coal_mmbtu",
        "cdf",
        "mom",
        "step",
        "prio",  # (3,) curtailment priority as GROUPS codes
        "loss",
        # loads, taxes, accounts
        "tariff_m",
        "tariff_d",
        "sales_m",
        "sales_d",
        "surcharge",
        "pool_fee",
        "levy",
        "opex_m",
        "take_or_pay",
        "profit_d",
        "profit_tax_m",
        "profit_tax_d",
        "collection",
        "budget_share",
        "consumers_share",
        "purchase_usd",
        "held",
        "first_july",
    ],
)


def _ou(p: dict[str, Any]) -> tuple[float, float, float]:
    """Exact monthly AR(1) of a log-OU process (as the nested ``ou`` of numpy_reference.reference)."""
    a = math.exp(-p["mean_reversion_annual"] * DT)
    kap = p["mean_reversion_annual"]
    var = p["vol_annual"] ** 2 * (-math.expm1(-2 * kap * DT) / (2 * kap) if kap > 1e-12 else DT)
    return a, (1 - a) * math.log(p["long_run"]), math.sqrt(var)


def params(sc: dict[str, Any]) -> Params:
    """Everything that does not depend on the path, prepared in Python (checks the scope)."""
    check_scope(sc)
    nr = numpy_reference
    months_n = sc["simulation"]["horizon_months"]
    moy, days, subsidy = nr._schedule(sc)
    dem, hyd, net, btc, fxp = sc["demand"], sc["hydro"], sc["network"], sc["bitcoin"], sc["fx"]
    g, fleet, lng = sc["grid"], sc["fleet"], sc["fuel"]["lng"]
    alloc, mining, dcs, res, fis = sc["allocation"], sc["mining"], sc["datacenters"], sc["reserve"], sc["fiscal"]
    inc, eco, taxes = sc["incidence"], sc["economy"], sc["taxes"]
    t = np.arange(months_n)
    moy0 = np.array(moy) - 1
    season = np.array(dem["seasonality"]) / np.mean(dem["seasonality"])

    def ramp(r: int, t: np.ndarray) -> np.ndarray:
        out = np.ones(t.size) if r == 0 else np.minimum((t + 1) / r, 1.0)
        return np.where(t < 0, 0.0, out)

    disp = [c for c in fleet if c["profile"] == "none"]
    cdf, mom = nr._copt([(c["units"], c["unit_mw"], c["forced_outage_rate"]) for c in disp], g["capacity_step_mw"])
    day_shape = np.array(g["day_shape"])
    cf = np.zeros((4, 12, 24))
    for name in ("hydro", "wind", "solar"):
        cf[PROFILES[name]] = g["capacity_factors"][name]
    rm, rd = ramp(mining["ramp_months"], t), ramp(dcs["ramp_months"], t)
    rm_prev, rd_prev = ramp(mining["ramp_months"], t - 1), ramp(dcs["ramp_months"], t - 1)
    disc_rate = nr.discount_rate_annual(sc)
    real = (1 + eco["real_discount_rate_annual"]) * (1 + eco["inflation_annual"])
    student = btc["returns"] == "student_t"
    return Params(
        chol=np.linalg.cholesky(np.array(sc["correlation"]["matrix"], dtype=float)),
        dem_phi=float(dem["ar1_phi"]),
        dem_sigma=float(dem["ar1_sigma"]),
        v_dem=dem["ar1_sigma"] ** 2 / (1 - dem["ar1_phi"] ** 2),
        hyd_phi=float(hyd["ar1_phi"]),
        hyd_sigma=float(hyd["ar1_sigma"]),
        v_hyd=hyd["ar1_sigma"] ** 2 / (1 - hyd["ar1_phi"] ** 2),
        ou=np.array([_ou(sc["fuel"]["oil"]), _ou(lng["own"]), _ou(sc["fuel"]["coal"])]),
        x0=np.log(
            [
                sc["fuel"]["oil"]["price0"],
                lng["own"]["price0"],
                sc["fuel"]["coal"]["price0"],
                fxp["rate0_pkr_per_usd"],
                btc["price0_usd"],
            ]
        ),
        fx_m=np.array(nr._merton(fxp, nr.fx_drift_annual(sc))),
        btc_m=np.array(nr._merton(btc, btc["drift_annual"])),
        btc_t_dof=float(btc["t_dof"]) if student else 0.0,
        noise_phi=float(net["noise_phi"]),
        noise_sigma=float(net["noise_sigma"]),
        lag=int(net["response_lag_months"]),
        elasticity=float(net["revenue_elasticity"]),
        fee_mean=float(net["fee_share_mean"]),
        fee_sigma=float(net["fee_share_sigma"]),
        lng_brent_slope=int(lng["mode"] == "brent_slope"),
        lng_slope=float(lng.get("slope", 0.0)),
        lng_constant=float(lng.get("constant_usd_per_mmbtu", 0.0)),
        lng_window=int(lng.get("averaging_months", 1)),
        moy=moy0.astype(np.int64),
        hours=np.array(days, dtype=float),
        subsidy=subsidy,
        load_trend=dem["base_load_mw"] * np.exp(dem["growth_annual"] * t * DT) * season[moy0],
        base_log_hash=math.log(net["hashrate0_ehs"]) + net["growth_annual"] * t * DT,
        log_subsidy_ratio=np.log(subsidy / subsidy[0]),
        j=mining["efficiency_j_per_th"] * np.exp(-mining["efficiency_improvement_annual"] * t / 12),
        fleet_mw=alloc["mining_mw"] * rm,
        d_mw=alloc["datacenter_mw"] * alloc["datacenter_load_factor"] * rd,
        customs_usd=taxes["customs_duty_rate"]
        * (
            taxes["mining_equipment_usd_per_mw"] * alloc["mining_mw"] * (rm - rm_prev)
            + taxes["datacenters_equipment_usd_per_mw"] * alloc["datacenter_mw"] * (rd - rd_prev)
        ),
        holiday_m=(t < mining["tax_holiday_months"]).astype(np.int64),
        holiday_d=(t < dcs["tax_holiday_months"]).astype(np.int64),
        disc=(1 + disc_rate) ** (-(t + 1) / 12),
        real_disc=real ** (-(t + 1) / 12),
        shape=day_shape / day_shape.mean(axis=1, keepdims=True),
        cf=cf,
        derated=np.array([c["units"] * c["unit_mw"] * (1 - c["forced_outage_rate"]) for c in fleet]),
        must=np.array([int(c["must_run"]) for c in fleet], dtype=np.int64),
        profile=np.array([PROFILES[c["profile"]] for c in fleet], dtype=np.int64),
        fuel=np.array([FUELS.get(c["fuel"], 0) for c in fleet], dtype=np.int64),
        heat_rate=np.array([float(c["heat_rate_mmbtu_per_mwh"]) for c in fleet]),
        vom=np.array([float(c["vom_usd_per_mwh"]) for c in fleet]),
        fixed_fuel=np.array([float(c.get("fixed_fuel_usd_per_mmbtu", 0.0)) for c in fleet]),
        oil_mmbtu=float(g["oil_mmbtu_per_bbl"]),
        coal_mmbtu=float(g["coal_mmbtu_per_t"]),
        cdf=cdf,
        mom=mom,
        step=float(g["capacity_step_mw"]),
        prio=np.array([GROUPS[p] for p in g["curtailment_priority"]], dtype=np.int64),
        loss=float(fis["td_loss_share"]),
        tariff_m=1000 * float(mining["tariff"][0]["pkr_per_kwh"]),
        tariff_d=1000 * float(dcs["tariff"][0]["pkr_per_kwh"]),
        sales_m=taxes["sales_tax_rate"] * (1 - taxes["mining_input_credit_share"]) + taxes["electricity_duty_rate"],
        sales_d=taxes["sales_tax_rate"] * (1 - taxes["datacenters_input_credit_share"])
        + taxes["electricity_duty_rate"],
        surcharge=1000 * float(taxes["debt_service_surcharge_pkr_per_kwh"]),
        pool_fee=float(mining["pool_fee_share"]),
        levy=float(res["levy_share"]),
        opex_m=float(mining["opex_usd_per_mwh"]),
        take_or_pay=int(mining["contract"] == "take_or_pay"),
        profit_d=float(dcs["profit_usd_per_mwh"]),
        profit_tax_m=float(mining["profit_tax_rate"] + taxes["super_tax_rate"]),
        profit_tax_d=float(dcs["profit_tax_rate"] + taxes["super_tax_rate"]),
        collection=float(fis["collection_rate"]),
        budget_share=float(inc["budget_share"]),
        consumers_share=float(inc["consumers_share"]),
        purchase_usd=float(res["purchase_usd_per_month"]),
        held=int(res.get("disposal", "sell_at_horizon") == "hold"),
        first_july=(19 - moy[0]) % 12,
    )


@numba.njit(cache=True, inline="always")
def _eue(cdf: np.ndarray, mom: np.ndarray, step: float, x: float) -> float:
    """Expected unserved power (MW) when the dispatchable fleet must cover ``x`` MW (§ outage table)."""
    if x <= 0.0:
        return 0.0
    k = min(math.ceil(x / step) - 1, cdf.size - 1)
    return max(x * cdf[k] - mom[k], 0.0)


@numba.njit(parallel=True, cache=True)
def _kernel(fields: tuple[Any, ...], paths: int, base: int) -> np.ndarray:
    # A plain tuple in, named inside: a namedtuple argument's type is its class object, which
    # differs from one process (or module instance) to the next, so Numba's cache would miss.
    p = Params(*fields)
    months_n = p.moy.size
    classes = p.derated.size
    years = months_n / 12
    out = np.empty((19, paths))
    for i in numba.prange(paths):
        np.random.seed((base + i) & 0xFFFFFFFF)
        # per-path scratch
        eps = np.empty(8)
        z = np.empty(8)
        oil_hist = np.empty(months_n)
        logp_hist = np.empty(months_n)
        net_hist = np.empty(months_n)
        cost = np.empty(classes)
        key = np.empty(classes)
        order = np.empty(classes, dtype=np.int64)
        tops = np.empty(4)
        e = np.empty(4)
        parts = np.empty(3)
        x_oil, x_lng, x_coal, x_fx, x_btc = p.x0[0], p.x0[1], p.x0[2], p.x0[3], p.x0[4]
        y_dem = y_hyd = x_hash = 0.0
        eue_with = eue_hh_inc = uptime = policy_btc = 0.0
        npv = npv_real = net_sum = cd_sum = budget_sum = cons_sum = 0.0
        npv_rev = npv_cost = npv_cons = npv_tax = npv_sales = npv_sur = te_sum = npv_m = npv_d = 0.0
        price = fx = 0.0
        for t in range(months_n):
            mo = p.moy[t]
            for f in range(8):
                eps[f] = np.random.standard_normal()
            for r in range(8):
                s = 0.0
                for c in range(r + 1):
                    s += p.chol[r, c] * eps[c]
                z[r] = s
            zd, zo, zl, zc, zf, zb, zh, zy = z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7]
            if t == 0:
                y_dem, y_hyd = math.sqrt(p.v_dem) * zd, math.sqrt(p.v_hyd) * zy
            else:
                y_dem = p.dem_phi * y_dem + p.dem_sigma * zd
                y_hyd = p.hyd_phi * y_hyd + p.hyd_sigma * zy
                x_oil = p.ou[0, 0] * x_oil + p.ou[0, 1] + p.ou[0, 2] * zo
                x_lng = p.ou[1, 0] * x_lng + p.ou[1, 1] + p.ou[1, 2] * zl
                x_coal = p.ou[2, 0] * x_coal + p.ou[2, 1] + p.ou[2, 2] * zc
                # the exchange rate: a jump-diffusion
                nj = np.random.poisson(p.fx_m[2]) if p.fx_m[2] > 0 else 0
                jump = nj * p.fx_m[3] + p.fx_m[4] * math.sqrt(nj) * np.random.standard_normal()
                x_fx += p.fx_m[0] + p.fx_m[1] * zf + jump
                # bitcoin: a jump-diffusion, Student-t diffusion if asked
                if p.btc_t_dof > 0:
                    nu = p.btc_t_dof
                    zb = zb * math.sqrt((nu - 2) / np.random.chisquare(nu))
                nj = np.random.poisson(p.btc_m[2]) if p.btc_m[2] > 0 else 0
                jump = nj * p.btc_m[3] + p.btc_m[4] * math.sqrt(nj) * np.random.standard_normal()
                x_btc += p.btc_m[0] + p.btc_m[1] * zb + jump
                x_hash = p.noise_phi * x_hash + p.noise_sigma * zh
            logp_hist[t] = x_btc
            oil = math.exp(x_oil)
            oil_hist[t] = oil
            if p.lng_brent_slope:
                w = p.lng_window
                acc = 0.0
                for s_ in range(t - w + 1, t + 1):
                    acc += oil_hist[s_] if s_ >= 0 else oil_hist[0]
                lng_p = p.lng_slope * acc / w + p.lng_constant
            else:
                lng_p = math.exp(x_lng)
            load_avg = p.load_trend[t] * math.exp(y_dem - p.v_dem / 2)
            avail = math.exp(y_hyd - p.v_hyd / 2)
            fx, price = math.exp(x_fx), math.exp(x_btc)
            base_log = p.base_log_hash[t]
            if t >= p.lag:
                base_log += p.elasticity * (p.log_subsidy_ratio[t - p.lag] + logp_hist[t - p.lag] - logp_hist[0])
            hashrate = math.exp(base_log + x_hash)
            fees = (
                p.subsidy[t]
                * p.fee_mean
                * math.exp(p.fee_sigma * np.random.standard_normal() - 0.5 * p.fee_sigma * p.fee_sigma)
            )

            # Miners' decision, on what a MWh costs them.
            j = p.j[t]
            fleet_mw = p.fleet_mw[t]
            h_eff = max(hashrate, fleet_mw / j)
            btc_per_mwh = 6 * (p.subsidy[t] + fees) / (j * h_eff)
            kept = btc_per_mwh * price * fx * (1 - p.pool_fee - p.levy)
            up = 1.0 if kept >= p.tariff_m * (1 + p.sales_m) + p.surcharge + p.opex_m * fx else 0.0
            if p.take_or_pay:
                up = 1.0
            m_mw = fleet_mw * up
            d_mw = p.d_mw[t]
            m_gen, d_gen = m_mw / (1 - p.loss), d_mw / (1 - p.loss)

            # Merit order: must-run first, then cost; ties by fleet order (a stable insertion sort).
            for k in range(classes):
                fu = p.fuel[k]
                if fu == 1:
                    fp = oil / p.oil_mmbtu
                elif fu == 2:
                    fp = lng_p
                elif fu == 3:
                    fp = math.exp(x_coal) / p.coal_mmbtu
                else:
                    fp = p.fixed_fuel[k]
                cost[k] = (p.heat_rate[k] * fp + p.vom[k]) * fx
                key[k] = -np.inf if p.must[k] else cost[k]
                q = k
                while q > 0 and key[order[q - 1]] > key[k]:
                    order[q] = order[q - 1]
                    q -= 1
                order[q] = k

            hours = p.hours[t]
            added_cost = 0.0
            eue_m = eue_d = eue_b = eue_h = 0.0
            parts[0], parts[1], parts[2] = m_gen, 0.0, d_gen
            for h in range(24):
                load = load_avg * p.shape[mo, h]
                # served cost of `load` and of `load + new loads` along the merit order
                profiled = 0.0
                for k in range(classes):
                    if p.profile[k] != 0:
                        fac = p.cf[p.profile[k], mo, h]
                        if p.profile[k] == 1:
                            fac = min(fac * avail, 1.0)
                        profiled += p.derated[k] * fac
                before = 0.0
                s_base = s_new = 0.0
                x_new = load + m_gen + d_gen
                for q in range(classes):
                    k = order[q]
                    cap = p.derated[k]
                    if p.profile[k] != 0:
                        fac = p.cf[p.profile[k], mo, h]
                        if p.profile[k] == 1:
                            fac = min(fac * avail, 1.0)
                        cap *= fac
                    s_base += cost[k] * min(max(load - before, 0.0), cap)
                    s_new += cost[k] * min(max(x_new - before, 0.0), cap)
                    before += cap
                added_cost += (s_new - s_base) * hours
                base_net = load - profiled
                # adequacy: curtailment groups served in priority order
                for lvl in range(3):
                    hh = False
                    for q in range(lvl, 3):
                        hh = hh or p.prio[q] == 1
                    x = base_net if hh else -profiled
                    for q in range(lvl, 3):
                        x += parts[p.prio[q]]
                    tops[lvl] = x
                tops[3] = -profiled
                for lvl in range(4):
                    e[lvl] = _eue(p.cdf, p.mom, p.step, tops[lvl])
                eue_b += hours * _eue(p.cdf, p.mom, p.step, base_net)
                for lvl in range(3):
                    lost = hours * (e[lvl] - e[lvl + 1])
                    grp = p.prio[lvl]
                    if grp == 0:
                        eue_m += lost
                    elif grp == 2:
                        eue_d += lost
                    else:
                        eue_h += lost
                eue_with += hours * e[0] / years
            eue_hh_inc += (eue_h - eue_b) / years

            # Accounts.
            keepf = 1 - p.loss
            e_m = max(m_mw * hours * 24 - eue_m * keepf, 0.0)
            e_d = max(d_mw * hours * 24 - eue_d * keepf, 0.0)
            btc_mined = e_m * btc_per_mwh
            collected_m = p.collection * e_m * p.tariff_m
            collected_d = p.collection * e_d * p.tariff_d
            collected = collected_m + collected_d
            bill_tax_m = e_m * (p.tariff_m * p.sales_m + p.surcharge)
            bill_tax_d = e_d * (p.tariff_d * p.sales_d + p.surcharge)
            m_profit = (
                btc_mined * (1 - p.pool_fee - p.levy) * price * fx - e_m * p.tariff_m - bill_tax_m - e_m * p.opex_m * fx
            )
            d_profit = p.profit_d * e_d * fx
            due_m = p.profit_tax_m * max(m_profit, 0.0)
            due_d = p.profit_tax_d * max(d_profit, 0.0)
            tax_m = 0.0 if p.holiday_m[t] else due_m
            tax_d = 0.0 if p.holiday_d[t] else due_d
            customs = p.customs_usd[t] * fx
            bought = p.purchase_usd / max(price, 1e-6) if p.purchase_usd > 0 else 0.0
            policy_btc += p.levy * btc_mined + bought
            gap = added_cost - collected
            budget = p.budget_share * gap
            consumers = p.consumers_share * gap
            drawn = m_gen + d_gen
            cost_m = added_cost * m_gen / drawn if drawn > 0 else 0.0
            cost_d = added_cost - cost_m
            share = p.consumers_share
            net_m = collected_m - cost_m + share * (cost_m - collected_m) + tax_m + p.collection * bill_tax_m
            net_d = collected_d - cost_d + share * (cost_d - collected_d) + tax_d + p.collection * bill_tax_d
            net = net_m + net_d - p.purchase_usd * fx
            dc, dr = p.disc[t], p.real_disc[t]
            net_hist[t] = net
            npv += net * dc
            npv_real += net * dr
            net_sum += net
            cd_sum += gap - budget - consumers
            budget_sum += budget
            cons_sum += consumers
            npv_rev += collected * dc
            npv_cost += added_cost * dc
            npv_cons += consumers * dc
            npv_tax += (tax_m + tax_d) * dc
            npv_sales += p.collection * (e_m * p.tariff_m * p.sales_m + e_d * p.tariff_d * p.sales_d) * dc
            npv_sur += p.collection * (e_m + e_d) * p.surcharge * dc
            te_sum += (due_m if p.holiday_m[t] else 0.0) + (due_d if p.holiday_d[t] else 0.0) + customs
            npv_m += net_m * dc
            npv_d += net_d * dc
            uptime += up

        # The BTC the policy added at the last month's price, unless held.
        terminal = 0.0 if p.held else policy_btc * price * fx
        # Complete fiscal years (July-June) inside the horizon, from the first July.
        worst = np.inf
        for a in range(p.first_july, months_n - 11, 12):
            fy = 0.0
            for s_ in range(a, a + 12):
                fy += net_hist[s_]
            worst = min(worst, fy)
        if worst == np.inf:
            worst = np.nan
        out[0, i] = npv + terminal * p.disc[months_n - 1]
        out[1, i] = npv_real + terminal * p.real_disc[months_n - 1]
        out[2, i] = net_sum / years
        out[3, i] = worst
        out[4, i] = cd_sum
        out[5, i] = budget_sum
        out[6, i] = cons_sum
        out[7, i] = npv_rev
        out[8, i] = npv_cost
        out[9, i] = npv_cons
        out[10, i] = npv_tax
        out[11, i] = npv_sales
        out[12, i] = npv_sur
        out[13, i] = te_sum / years
        out[14, i] = npv_m
        out[15, i] = npv_d
        out[16, i] = eue_with
        out[17, i] = eue_hh_inc
        out[18, i] = uptime / months_n
    return out


def _base(seed: int) -> int:
    """A 32-bit hash of ``seed`` (splitmix64's finaliser): the first path's Mersenne Twister seed."""
    x = (seed + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (x ^ (x >> 31)) & 0xFFFFFFFF


def reference(
    sc: dict[str, Any], paths: int, seed: int, threads: int | None = None, prepared: Params | None = None
) -> dict[str, np.ndarray]:
    """Simulate ``paths`` paths of a scenario dict; per-path outputs as ``numpy_reference.reference``.

    ``threads`` sets Numba's threads for this call (``numba.set_num_threads``; default: as set).
    ``prepared`` (from :func:`params` of the same ``sc``) skips the preparation, e.g. when timing.
    """
    p = params(sc) if prepared is None else prepared
    if threads is not None:
        numba.set_num_threads(threads)
    out = _kernel(tuple(p), paths, _base(seed))
    return dict(zip(OUTPUTS, out, strict=True))
