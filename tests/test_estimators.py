"""Estimators behind gridrisk.calibrate, on long simulated series with fixed seeds.

Recovery tests allow 4 asymptotic standard errors per parameter, so with a fixed seed they test
both the point estimates and that the standard errors are of the right size.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from gridrisk import _estimators as est

pytest.importorskip("scipy")

MONTH = 1 / 12


def simulate_ar1(rng: np.random.Generator, n: int, c: float, phi: float, sigma: float) -> np.ndarray:
    y = np.empty(n + 1)
    y[0] = c / (1 - phi) + sigma / math.sqrt(1 - phi * phi) * rng.standard_normal()
    eps = rng.standard_normal(n)
    for t in range(n):
        y[t + 1] = c + phi * y[t] + sigma * eps[t]
    return y


def simulate_merton(
    rng: np.random.Generator, n: int, dt: float, mu: float, sigma: float, lam: float, m: float, s: float
) -> np.ndarray:
    k = math.expm1(m + s * s / 2)
    jumps = rng.poisson(lam * dt, n)
    jump_sum = m * jumps + s * np.sqrt(jumps) * rng.standard_normal(n)
    diffusion = sigma * math.sqrt(dt) * rng.standard_normal(n)
    return (mu - sigma**2 / 2 - lam * k) * dt + diffusion + jump_sum


def assert_within_4se(fit: est.Estimate, truth: dict[str, float]) -> None:
    assert fit.names == tuple(truth)
    se = fit.se()
    assert np.all(np.isfinite(se)), se
    assert np.all(se > 0), se
    z = (fit.values - np.array(list(truth.values()))) / se
    assert np.all(np.abs(z) < 4), dict(zip(fit.names, z.round(2), strict=True))


# --- AR(1) ----------------------------------------------------------------------------------


def test_ar1_recovers_parameters_and_standardises_residuals() -> None:
    rng = np.random.default_rng(20240501)
    y = simulate_ar1(rng, 5_000, c=0.5, phi=0.7, sigma=0.3)
    fit = est.ar1(y)
    assert fit.n == 5_000
    assert_within_4se(fit, {"c": 0.5, "phi": 0.7, "sigma": 0.3})
    assert fit.residuals.shape == (5_000,)
    assert abs(fit.residuals.mean()) < 1e-10
    assert fit.residuals.var() == pytest.approx(1.0, rel=1e-10)
    # Gaussian log-likelihood of the fitted innovations, written out.
    resid = y[1:] - fit.values[0] - fit.values[1] * y[:-1]
    sd = fit.values[2]
    direct = np.sum(-0.5 * np.log(2 * np.pi * sd**2) - resid**2 / (2 * sd**2))
    assert fit.loglik == pytest.approx(direct, rel=1e-12)
    # The OLS covariance of (c, phi) from the regression matrix.
    x = np.column_stack([np.ones(5_000), y[:-1]])
    ols = resid @ resid / (5_000 - 2) * np.linalg.inv(x.T @ x)
    np.testing.assert_allclose(fit.cov[:2, :2], ols, rtol=1e-8)
    assert fit.cov[2, 2] == pytest.approx(sd**2 / (2 * 5_000))


def test_ar1_phi_standard_error_is_calibrated() -> None:
    rng = np.random.default_rng(7)
    phi, reps = 0.5, 1_000
    hits = 0
    for _ in range(reps):
        fit = est.ar1(simulate_ar1(rng, 300, c=1.0, phi=phi, sigma=1.0))
        hits += abs(fit.values[1] - phi) < 1.96 * fit.se()[1]
    assert 0.90 <= hits / reps <= 0.98, hits / reps


def test_ar1_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        est.ar1(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="finite"):
        est.ar1(np.array([1.0, 2.0, np.nan, 3.0, 4.0]))
    with pytest.raises(ValueError, match="constant"):
        est.ar1(np.full(10, 3.0))
    with pytest.raises(ValueError, match="exactly"):
        est.ar1(4.0 + 0.01 * np.arange(50))


def test_estimate_is_immutable_and_reports_by_name() -> None:
    fit = est.ar1(simulate_ar1(np.random.default_rng(1), 200, c=0.0, phi=0.3, sigma=1.0))
    assert list(fit.as_dict()) == ["c", "phi", "sigma"]
    assert all(type(v) is float for v in fit.as_dict().values())
    np.testing.assert_array_equal(fit.se(), np.sqrt(np.diag(fit.cov)))
    with pytest.raises(ValueError, match="read-only"):
        fit.values[0] = 1.0
    with pytest.raises(AttributeError):
        fit.n = 3  # type: ignore[misc]


# --- log Ornstein-Uhlenbeck -----------------------------------------------------------------


def simulate_log_ou(
    rng: np.random.Generator, n: int, dt: float, kappa: float, theta: float, sigma: float
) -> np.ndarray:
    a = math.exp(-kappa * dt)
    s = sigma * math.sqrt((1 - a * a) / (2 * kappa))
    return simulate_ar1(rng, n, c=(1 - a) * theta, phi=a, sigma=s)


def test_log_ou_recovers_parameters() -> None:
    rng = np.random.default_rng(42)
    truth = {"kappa": 0.6, "theta": math.log(70.0), "sigma": 0.3}
    x = simulate_log_ou(rng, 6_000, MONTH, **truth)
    fit = est.log_ou(x, dt=MONTH)
    assert_within_4se(fit, truth)
    assert fit.n == 6_000
    np.testing.assert_array_equal(fit.residuals, est.ar1(x).residuals)


def test_log_ou_covariance_is_the_delta_method_of_the_ar1() -> None:
    x = simulate_log_ou(np.random.default_rng(3), 600, 1 / 52, kappa=2.0, theta=1.0, sigma=0.5)
    base = est.ar1(x)

    def to_ou(p: np.ndarray) -> np.ndarray:
        c, phi, sd = p
        kappa = -math.log(phi) * 52
        return np.array([kappa, c / (1 - phi), sd * math.sqrt(2 * kappa / (1 - phi * phi))])

    jac = np.empty((3, 3))
    for i in range(3):
        h = 1e-6 * abs(base.values[i])
        up, down = base.values.copy(), base.values.copy()
        up[i] += h
        down[i] -= h
        jac[:, i] = (to_ou(up) - to_ou(down)) / (2 * h)
    fit = est.log_ou(x, dt=1 / 52)
    np.testing.assert_allclose(fit.values, to_ou(base.values), rtol=1e-12)
    np.testing.assert_allclose(fit.cov, jac @ base.cov @ jac.T, rtol=1e-6)


def test_log_ou_rejects_series_without_mean_reversion() -> None:
    # An explosive path (phi = 1.02) has a fitted phi far above 1 whatever the noise draws.
    rng = np.random.default_rng(0)
    x = np.empty(301)
    x[0] = 1.0
    for t in range(300):
        x[t + 1] = 1.02 * x[t] + 0.01 * rng.standard_normal()
    assert est.ar1(x).values[1] > 1.0
    with pytest.raises(ValueError, match=r"no mean reversion.*unit root.*longer series"):
        est.log_ou(x)
    # Alternating steps: phi < 0, which no sampled OU process produces.
    y = simulate_ar1(rng, 500, c=0.0, phi=-0.5, sigma=1.0)
    with pytest.raises(ValueError, match="<= 0"):
        est.log_ou(y)


# --- Merton jump-diffusion ------------------------------------------------------------------


def merton_loglik(r: np.ndarray, dt: float, mu: float, sigma: float, lam: float, m: float, s: float) -> float:
    """Independent evaluation of the Poisson-mixture log-likelihood with scipy.stats."""
    from scipy import stats

    k = math.expm1(m + s * s / 2)
    j = np.arange(11)
    w = stats.poisson.pmf(j, lam * dt)
    mean = (mu - sigma**2 / 2 - lam * k) * dt + j * m
    sd = np.sqrt(sigma**2 * dt + j * s * s)
    dens = stats.norm.pdf(r[:, None], mean, sd) @ w
    return float(np.sum(np.log(dens)))


def test_merton_recovers_fx_like_devaluation_jumps() -> None:
    # Devaluations of 8 % (sd 5 %) twice a year on a 10 % diffusion: each jump is ~2.8 monthly
    # diffusion sds, so the jumps are identified from 4,000 months. With sigma = 0.2 they are
    # ~1.4 sds and (lambda, m) are weakly identified there: their estimates scatter more than
    # the asymptotic standard errors say.
    truth = {"mu": 0.05, "sigma": 0.1, "lambda": 2.0, "m": 0.08, "s": 0.05}
    r = simulate_merton(np.random.default_rng(11), 4_000, MONTH, *truth.values())
    fit = est.merton(r, dt=MONTH)
    assert_within_4se(fit, truth)
    assert fit.n == 4_000
    assert fit.loglik == pytest.approx(merton_loglik(r, MONTH, *fit.values), rel=1e-10)
    assert fit.loglik >= merton_loglik(r, MONTH, *truth.values())
    assert np.allclose(fit.cov, fit.cov.T)
    # Probability integral transform: N(0, 1) under the model.
    assert abs(fit.residuals.mean()) < 0.07
    assert fit.residuals.std() == pytest.approx(1.0, abs=0.05)
    # Mean of exp(r) is exp(mu dt): mu is the expected growth of the level.
    assert fit.values[0] == pytest.approx(math.log(np.mean(np.exp(r))) / MONTH, abs=4 * fit.se()[0])


def test_merton_recovers_bitcoin_like_jumps() -> None:
    # Daily data: a monthly diffusion of 0.6 / sqrt(12) = 0.17 hides jumps of sd 0.2, whereas a
    # daily one (0.03) does not; 50 years of days give about 50 jumps.
    truth = {"mu": 0.5, "sigma": 0.6, "lambda": 1.0, "m": -0.05, "s": 0.2}
    dt = 1 / 365
    r = simulate_merton(np.random.default_rng(5), 50 * 365, dt, *truth.values())
    fit = est.merton(r, dt=dt)
    assert_within_4se(fit, truth)
    assert np.linalg.eigvalsh(fit.cov).min() > 0


def test_merton_gradient_matches_finite_differences() -> None:
    r = simulate_merton(np.random.default_rng(2), 500, MONTH, 0.1, 0.3, 3.0, -0.1, 0.1)
    theta = np.array([0.12, 0.28, 2.5, -0.08, 0.12])
    _, grad, _ = est._merton_nll(theta, r, MONTH, 10, grad=True)
    for i in range(5):
        h = 1e-6 * abs(theta[i])
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        numeric = (est._merton_nll(up, r, MONTH, 10, False)[0] - est._merton_nll(down, r, MONTH, 10, False)[0]) / (
            2 * h
        )
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
    nll, _, _ = est._merton_nll(theta, r, MONTH, 10, grad=False)
    assert -nll == pytest.approx(merton_loglik(r, MONTH, *theta), rel=1e-12)


def test_merton_covariance_is_nan_when_hessian_is_not_positive_definite() -> None:
    r = 0.2 * math.sqrt(MONTH) * np.random.default_rng(0).standard_normal(2_000)
    # Far from the optimum the log-likelihood is not concave: no covariance rather than garbage.
    cov = est._inverse_hessian(np.array([0.0, 0.05, 2.0, 0.3, 0.01]), r, MONTH, 10)
    assert np.isnan(cov).all()
    # Gaussian returns: no jumps to fit, so (lambda, m, s) are not identified; whatever the
    # optimum, the covariance is either NaN or a genuine covariance.
    fit = est.merton(r, dt=MONTH)
    assert np.isnan(fit.cov).all() or np.linalg.eigvalsh(fit.cov).min() > 0


def test_merton_without_jumps_is_the_closed_form_random_walk() -> None:
    rng = np.random.default_rng(9)
    r = 0.07 * MONTH + 0.25 * math.sqrt(MONTH) * rng.standard_normal(600)
    fit = est.merton(r, dt=MONTH, jumps=False)
    assert fit.names == ("mu", "sigma")
    mu, sigma = fit.values
    assert sigma**2 * MONTH == pytest.approx(r.var(), rel=1e-12)
    assert (mu - sigma**2 / 2) * MONTH == pytest.approx(r.mean(), rel=1e-12)
    assert fit.loglik == pytest.approx(merton_loglik(r, MONTH, mu, sigma, 1e-300, 0.0, 1.0), rel=1e-10)
    np.testing.assert_allclose(fit.residuals, (r - r.mean()) / r.std())
    se_mu, se_sigma = fit.se()
    assert se_sigma == pytest.approx(sigma / math.sqrt(2 * 600))
    assert se_mu == pytest.approx(math.sqrt(sigma**2 / (600 * MONTH) + sigma**4 / (2 * 600)))


def test_merton_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 25"):
        est.merton(np.zeros(10) + np.arange(10))
    with pytest.raises(ValueError, match="constant"):
        est.merton(np.full(100, 0.01))
    with pytest.raises(ValueError, match="dt"):
        est.merton(np.arange(100.0), dt=0.0)
    with pytest.raises(ValueError, match="max_jumps"):
        est.merton(np.arange(100.0), max_jumps=0)


# --- correlation ----------------------------------------------------------------------------

RHO = np.array([[1.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 1.0]])


def test_correlation_recovers_known_matrix() -> None:
    rng = np.random.default_rng(123)
    z = rng.standard_normal((3_000, 3)) @ np.linalg.cholesky(RHO).T
    idx = pd.period_range("1700-01", periods=3_000, freq="M")
    series = {name: pd.Series(z[:, i], index=idx) for i, name in enumerate(["fx", "oil", "bitcoin"])}
    names, rho, n = est.correlation(series)
    assert names == ["fx", "oil", "bitcoin"]
    assert n == 3_000
    np.testing.assert_array_equal(np.diag(rho), 1.0)
    np.testing.assert_array_equal(rho, rho.T)
    se = est.correlation_se(rho, n)
    off = ~np.eye(3, dtype=bool)
    assert np.all(np.abs(rho - RHO)[off] < 4 * se[off])
    np.testing.assert_allclose(rho, np.corrcoef(z.T), atol=1e-12)


def test_correlation_joins_on_common_dates() -> None:
    rng = np.random.default_rng(4)
    a = pd.Series(rng.standard_normal(120), index=pd.date_range("2000-01-31", periods=120, freq="ME"))
    b = pd.Series(rng.standard_normal(100), index=pd.date_range("2004-01-31", periods=100, freq="ME"))
    b.iloc[5] = np.nan
    names, rho, n = est.correlation({"a": a, "b": b})
    assert names == ["a", "b"]
    # a ends Dec 2009, b starts Jan 2004: 72 common months, one of them NaN in b.
    assert n == 71
    common = pd.concat([a, b], axis=1, join="inner").dropna()
    assert rho[0, 1] == pytest.approx(np.corrcoef(common.to_numpy().T)[0, 1], abs=1e-12)


def test_correlation_needs_24_common_dates() -> None:
    rng = np.random.default_rng(5)
    a = pd.Series(rng.standard_normal(60), index=pd.period_range("2000-01", periods=60, freq="M"))
    b = pd.Series(rng.standard_normal(60), index=pd.period_range("2003-02", periods=60, freq="M"))
    assert len(a.index.intersection(b.index)) == 23
    with pytest.raises(ValueError, match="at least 24"):
        est.correlation({"a": a, "b": b})
    c = pd.Series(rng.standard_normal(60), index=pd.period_range("2003-01", periods=60, freq="M"))
    assert est.correlation({"a": a, "c": c})[2] == 24


def test_correlation_rejects_mismatched_or_duplicate_indexes() -> None:
    rng = np.random.default_rng(6)
    periods = pd.Series(rng.standard_normal(30), index=pd.period_range("2000-01", periods=30, freq="M"))
    dates = pd.Series(rng.standard_normal(30), index=pd.date_range("2000-01-01", periods=30, freq="MS"))
    with pytest.raises(ValueError, match="same kind of date index"):
        est.correlation({"a": periods, "b": dates})
    dup = pd.Series(rng.standard_normal(30), index=periods.index[[0, *range(29)]])
    with pytest.raises(ValueError, match="duplicate"):
        est.correlation({"a": periods, "b": dup})
    with pytest.raises(ValueError, match="constant"):
        est.correlation({"a": periods, "b": periods * 0.0})


def test_correlation_se() -> None:
    se = est.correlation_se(RHO, 100)
    np.testing.assert_allclose(se, (1 - RHO**2) / 10 * (1 - np.eye(3)))
    np.testing.assert_array_equal(np.diag(se), 0.0)
