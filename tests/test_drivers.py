"""Each driver against its closed form.

Tolerances are 5 Monte Carlo standard errors of the statistic, computed from the sample
itself (the s.e. of a variance uses the sample fourth moment), with fixed seeds: a wrong
drift, a missing jump compensation or a wrong discretisation fails these tests.
"""

from __future__ import annotations

import datetime as dt
import math

import gridrisk as gr
import numpy as np
import pytest
from conftest import fixed_loads
from scipy import stats

N = 20_000
DT = 1.0 / 12.0
K = 5.0  # tolerance in standard errors


def run(sc: gr.Scenario, seed: int = 2024, paths: int = N) -> gr.Results:
    return gr.simulate(sc, paths=paths, seed=seed, keep_paths=True, progress=False)


def assert_mean(sample: np.ndarray, expected: float, what: str) -> None:
    se = sample.std(ddof=1) / math.sqrt(sample.size)
    assert abs(sample.mean() - expected) <= K * se, f"{what}: mean {sample.mean():.6g} vs {expected:.6g} (se {se:.3g})"


def assert_var(sample: np.ndarray, expected: float, what: str) -> None:
    d = sample - sample.mean()
    s2 = d.var(ddof=1)
    se = math.sqrt(max(np.mean(d**4) - s2**2, 0.0) / sample.size)
    assert abs(s2 - expected) <= K * se, f"{what}: var {s2:.6g} vs {expected:.6g} (se {se:.3g})"


def assert_corr(x: np.ndarray, y: np.ndarray, rho: float, what: str) -> None:
    r = np.corrcoef(x, y)[0, 1]
    se = 1.0 / math.sqrt(x.size - 3)  # Fisher z
    assert abs(math.atanh(r) - math.atanh(rho)) <= K * se, f"{what}: corr {r:.4f} vs {rho}"


def merton_log_moments(mu: float, sigma: float, lam: float, m: float, s: float, years: float) -> tuple[float, float]:
    k = math.exp(m + 0.5 * s * s) - 1.0
    mean = (mu - 0.5 * sigma**2 - lam * k) * years + lam * years * m
    var = sigma**2 * years + lam * years * (m * m + s * s)
    return mean, var


@pytest.mark.parametrize(("mu", "sigma", "lam", "m", "s"), [(0.10, 0.5, 2.0, -0.05, 0.10), (-0.2, 0.3, 6.0, 0.08, 0.2)])
def test_bitcoin_merton_log_price_and_level(
    short: gr.Scenario, mu: float, sigma: float, lam: float, m: float, s: float
) -> None:
    sc = short.replace(
        {
            "bitcoin.drift_annual": mu,
            "bitcoin.vol_annual": sigma,
            "bitcoin.jump_intensity_annual": lam,
            "bitcoin.jump_mean": m,
            "bitcoin.jump_sd": s,
            "bitcoin.returns": "normal",
        }
    )
    p = run(sc).path_array("bitcoin.price_usd")
    t = p.shape[1] - 1
    x = np.log(p[:, t] / p[:, 0])
    mean, var = merton_log_moments(mu, sigma, lam, m, s, t * DT)
    assert_mean(x, mean, "E[log P_T/P_0]")
    assert_var(x, var, "Var[log P_T/P_0]")
    # The drift is compensated for the jumps: E[P_T] = P_0 exp(mu T).
    assert_mean(p[:, t] / p[:, 0], math.exp(mu * t * DT), "E[P_T/P_0]")


def test_fx_devaluation_jumps(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "fx.drift_annual": 0.08,
            "fx.vol_annual": 0.04,
            "fx.jump_intensity_annual": 0.5,
            "fx.jump_mean": 0.2,
            "fx.jump_sd": 0.05,
        }
    )
    fx = run(sc, seed=8).path_array("fx.pkr_per_usd")
    t = fx.shape[1] - 1
    x = np.log(fx[:, t] / fx[:, 0])
    mean, var = merton_log_moments(0.08, 0.04, 0.5, 0.2, 0.05, t * DT)
    assert_mean(x, mean, "E[log FX]")
    assert_var(x, var, "Var[log FX]")
    assert_mean(fx[:, t] / fx[:, 0], math.exp(0.08 * t * DT), "E[FX_T/FX_0]")


def test_student_t_returns_keep_variance_and_fatten_tails(short: gr.Scenario) -> None:
    nu, sigma = 5.0, 0.5
    sc = short.replace(
        {
            "bitcoin.returns": "student_t",
            "bitcoin.t_dof": nu,
            "bitcoin.vol_annual": sigma,
            "bitcoin.jump_intensity_annual": 0.0,
        }
    )
    lp = np.log(run(sc, seed=99).path_array("bitcoin.price_usd"))
    inc = np.diff(lp, axis=1)[:, :12].ravel()  # 12 iid months per path
    assert_var(inc, sigma**2 * DT, "Var of monthly log return")
    u = (inc - inc.mean()) / (sigma * math.sqrt(DT))
    # Unit-variance t: P(|u| > 3) = 2 (1 - F_nu(3 sqrt(nu / (nu - 2)))).
    p = 2 * stats.t.sf(3 * math.sqrt(nu / (nu - 2)), nu)
    frac = np.mean(np.abs(u) > 3)
    se = math.sqrt(p * (1 - p) / u.size)
    assert abs(frac - p) <= K * se, f"tail {frac:.5f} vs t {p:.5f}; normal would give {2 * stats.norm.sf(3):.5f}"


def test_oil_ou_transition_moments(short: gr.Scenario) -> None:
    kappa, sigma, p0, lr = 0.5, 0.35, 68.0, 55.0
    sc = short.replace(
        {
            "fuel.oil.mean_reversion_annual": kappa,
            "fuel.oil.vol_annual": sigma,
            "fuel.oil.price0": p0,
            "fuel.oil.long_run": lr,
        }
    )
    x = np.log(run(sc, seed=3).path_array("fuel.oil_usd_per_bbl"))
    t = x.shape[1] - 1
    tau = t * DT
    theta = math.log(lr)
    assert_mean(x[:, t], theta + (math.log(p0) - theta) * math.exp(-kappa * tau), "E[log oil]")
    assert_var(x[:, t], sigma**2 * (1 - math.exp(-2 * kappa * tau)) / (2 * kappa), "Var[log oil]")


def test_coal_without_mean_reversion_is_a_random_walk(short: gr.Scenario) -> None:
    sc = short.replace({"fuel.coal.mean_reversion_annual": 0.0, "fuel.coal.vol_annual": 0.3})
    x = np.log(run(sc, seed=4).path_array("fuel.coal_usd_per_t"))
    t = x.shape[1] - 1
    assert_mean(x[:, t] - x[:, 0], 0.0, "E[log coal increment]")
    assert_var(x[:, t], 0.09 * t * DT, "Var[log coal]")


def test_lng_follows_the_brent_slope_formula_exactly(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "fuel.lng.mode": "brent_slope",
            "fuel.lng.slope": 0.1337,
            "fuel.lng.constant_usd_per_mmbtu": 4.0,
            "fuel.lng.averaging_months": 3,
        }
    )
    res = run(sc, paths=300)
    oil, lng = res.path_array("fuel.oil_usd_per_bbl"), res.path_array("fuel.lng_usd_per_mmbtu")
    padded = np.concatenate([np.repeat(oil[:, :1], 2, axis=1), oil], axis=1)
    avg = (padded[:, :-2] + padded[:, 1:-1] + padded[:, 2:]) / 3
    np.testing.assert_allclose(lng, 0.1337 * avg + 4.0, rtol=1e-13)


def test_lng_own_process(short: gr.Scenario) -> None:
    sc = short.replace(
        {
            "fuel.lng.mode": "own",
            "fuel.lng.own.price0": 12.0,
            "fuel.lng.own.long_run": 10.0,
            "fuel.lng.own.mean_reversion_annual": 1.0,
            "fuel.lng.own.vol_annual": 0.4,
        }
    )
    x = np.log(run(sc, seed=5).path_array("fuel.lng_usd_per_mmbtu"))
    tau = (x.shape[1] - 1) * DT
    th = math.log(10.0)
    assert_mean(x[:, -1], th + (math.log(12.0) - th) * math.exp(-tau), "E[log LNG]")
    assert_var(x[:, -1], 0.16 * (1 - math.exp(-2 * tau)) / 2, "Var[log LNG]")


def expected_load(sc: gr.Scenario) -> np.ndarray:
    season = np.array(sc["demand.seasonality"]) / np.mean(sc["demand.seasonality"])
    start = dt.date.fromisoformat(sc["simulation.start"] + "-01")
    months = [(start.month - 1 + t) % 12 for t in range(sc.months)]
    trend = sc["demand.base_load_mw"] * np.exp(sc["demand.growth_annual"] * np.arange(sc.months) * DT)
    return trend * season[months]


def test_demand_ar1_stationary_moments(short: gr.Scenario) -> None:
    phi, sigma = 0.7, 0.05
    sc = short.replace({"demand.ar1_phi": phi, "demand.ar1_sigma": sigma})
    load = run(sc, seed=6).path_array("demand.load_mw")
    ratio = load / expected_load(sc)
    v = sigma**2 / (1 - phi**2)
    y = np.log(ratio) + v / 2
    for t in (0, 11, 23):
        assert_mean(ratio[:, t], 1.0, f"E[load/expected] month {t}")
        assert_var(y[:, t], v, f"stationary Var[y] month {t}")
    assert_corr(y[:, 10], y[:, 11], phi, "lag-1 autocorrelation")


def test_hydro_availability_mean_one_and_persistent(short: gr.Scenario) -> None:
    phi, sigma = 0.9, 0.06
    h = run(short.replace({"hydro.ar1_phi": phi, "hydro.ar1_sigma": sigma}), seed=7).path_array("hydro.availability")
    v = sigma**2 / (1 - phi**2)
    assert_mean(h[:, 23], 1.0, "E[hydro]")
    assert_var(np.log(h[:, 23]), v, "Var[log hydro]")
    assert_corr(np.log(h[:, 5]), np.log(h[:, 17]), phi**12, "12-month autocorrelation")


def test_correlations_are_recovered(short: gr.Scenario) -> None:
    names = ["demand", "oil", "lng", "coal", "fx", "bitcoin", "hashrate", "hydro"]
    rho = np.eye(8)
    pairs = {("oil", "coal"): 0.6, ("fx", "bitcoin"): -0.3, ("demand", "hydro"): 0.4, ("oil", "fx"): 0.2}
    for (a, b), r in pairs.items():
        i, j = names.index(a), names.index(b)
        rho[i, j] = rho[j, i] = r
    sc = short.replace(
        {
            "correlation.matrix": rho.tolist(),
            "fx.jump_intensity_annual": 0.0,
            "bitcoin.jump_intensity_annual": 0.0,
            "bitcoin.returns": "normal",
        }
    )
    res = run(sc, seed=12)
    t = 12

    def innovation(metric: str, coef: float) -> np.ndarray:
        x = np.log(res.path_array(metric))
        return x[:, t] - coef * x[:, t - 1]  # affine in the month's shock

    a_oil = math.exp(-sc["fuel.oil.mean_reversion_annual"] * DT)
    a_coal = math.exp(-sc["fuel.coal.mean_reversion_annual"] * DT)
    inn = {
        "oil": innovation("fuel.oil_usd_per_bbl", a_oil),
        "coal": innovation("fuel.coal_usd_per_t", a_coal),
        "fx": innovation("fx.pkr_per_usd", 1.0),
        "bitcoin": innovation("bitcoin.price_usd", 1.0),
        "demand": np.log(res.path_array("demand.load_mw")[:, t])
        - sc["demand.ar1_phi"] * np.log(res.path_array("demand.load_mw")[:, t - 1]),
        "hydro": innovation("hydro.availability", sc["hydro.ar1_phi"]),
    }
    for (a, b), r in pairs.items():
        assert_corr(inn[a], inn[b], r, f"{a}-{b}")
    assert_corr(inn["oil"], inn["bitcoin"], 0.0, "oil-bitcoin (uncorrelated)")


def test_halving_month_follows_block_height(preset: gr.Scenario) -> None:
    res = gr.simulate(preset, paths=1, seed=1, progress=False)
    sched = res.schedule()
    h0 = preset["network.block_height0"]
    start = dt.date.fromisoformat(preset["simulation.start"] + "-01")
    halving_day = start + dt.timedelta(days=(1_050_000 - h0) / 144)
    k = sched.index.get_loc(__import__("pandas").Period(halving_day, freq="M"))
    assert (sched["subsidy_btc"].iloc[:k] == 3.125).all()
    assert 1.5625 < sched["subsidy_btc"].iloc[k] < 3.125
    assert (sched["subsidy_btc"].iloc[k + 1 : k + 40] == 1.5625).all()
    # Blocks: 144 a day.
    assert (sched["blocks"] == sched["days"] * 144).all()


def test_hashrate_responds_to_revenue_with_a_lag(preset: gr.Scenario) -> None:
    eta, lag, g = 0.7, 3, 0.15
    sc = fixed_loads(preset).replace(
        {
            "simulation.horizon_months": 48,
            "network.revenue_elasticity": eta,
            "network.response_lag_months": lag,
            "network.growth_annual": g,
            "network.noise_sigma": 0.0,
        }
    )
    res = run(sc, paths=200)
    h = res.path_array("network.hashrate_ehs")
    lp = np.log(res.path_array("bitcoin.price_usd"))
    sub = res.schedule()["subsidy_btc"].to_numpy()
    t = np.arange(sc.months)
    lagged = np.maximum(t - lag, 0)
    rev = lp[:, lagged] - lp[:, :1] + np.log(sub[lagged] / sub[0])
    expected = np.log(sc["network.hashrate0_ehs"]) + g * t * DT + eta * rev
    np.testing.assert_allclose(np.log(h), expected, atol=1e-12)
    d = res.path_array("network.difficulty_t")
    np.testing.assert_allclose(d, h * 1e18 * 600 / 2**32 / 1e12, rtol=1e-14)


def test_equilibrium_hashrate_follows_its_error_correction(preset: gr.Scenario) -> None:
    # No noise and no Pakistani fleet: ln H_t = h_t with h_t = h_{t-1} + kappa (ln H*_t - h_{t-1}),
    # H*_t = theta V_{t-L} / (24 c e_t), V = price x (subsidy + fees) x 144 (docs/model.md).
    lag = 2
    sc = preset.replace(
        {
            "simulation.horizon_months": 48,
            "network.response_lag_months": lag,
            "network.noise_sigma": 0.0,
            "allocation.mining_mw": 0.0,
        }
    )
    e = sc["network.equilibrium"]
    res = run(sc, paths=100)
    h = np.log(res.path_array("network.hashrate_ehs"))
    price = res.path_array("bitcoin.price_usd")
    reward = res.schedule()["subsidy_btc"].to_numpy() + res.path_array("bitcoin.fees_btc_per_block")
    t = np.arange(sc.months)
    eff = e["efficiency0_j_per_th"] * np.exp(-e["efficiency_improvement_annual"] * t * DT)
    s = np.maximum(t - lag, 0)
    star = np.log(e["electricity_share"] * price[:, s] * reward[:, s] * 144 / (24 * e["electricity_usd_per_mwh"] * eff))
    want = np.empty_like(h)
    want[:, 0] = np.log(sc["network.hashrate0_ehs"])
    for k in range(1, sc.months):
        want[:, k] = want[:, k - 1] + e["adjustment_per_month"] * (star[:, k] - want[:, k - 1])
    np.testing.assert_allclose(h, want, atol=1e-11)


def test_hashrate_noise_is_ar1_from_zero(short: gr.Scenario) -> None:
    phi, sigma = 0.6, 0.05
    sc = fixed_loads(short).replace(
        {"network.noise_phi": phi, "network.noise_sigma": sigma, "network.revenue_elasticity": 0.0}
    )
    h = run(sc, seed=21).path_array("network.hashrate_ehs")
    x = np.log(h[:, 23]) - np.log(h[:, 0]) - sc["network.growth_annual"] * 23 * DT
    assert_mean(x, 0.0, "E[noise]")
    assert_var(x, sigma**2 * (1 - phi ** (2 * 23)) / (1 - phi**2), "Var[noise] after 23 steps")


def test_fees_are_a_mean_preserving_lognormal_share_of_subsidy(short: gr.Scenario) -> None:
    sc = short.replace({"network.fee_share_mean": 0.02, "network.fee_share_sigma": 0.6})
    res = run(sc, seed=31)
    share = res.path_array("bitcoin.fees_btc_per_block") / res.schedule()["subsidy_btc"].to_numpy()
    assert_mean(share[:, 5], 0.02, "E[fee share]")
    assert_var(np.log(share[:, 5]), 0.36, "Var[log fee share]")
