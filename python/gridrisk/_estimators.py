"""Maximum-likelihood estimators behind :mod:`gridrisk.calibrate`.

Each estimator fits one driver's time series and returns an :class:`Estimate`: the point
estimates in the units the scenario uses (annual rates, volatilities per square-root year), their
asymptotic covariance, the maximised log-likelihood and the standardised innovations, which
:func:`correlation` turns into the drivers' correlation matrix.

- :func:`ar1`: Gaussian AR(1), conditional MLE (ordinary least squares).
- :func:`log_ou`: Ornstein-Uhlenbeck process on log prices, through the AR(1) of its exact
  discretisation and the delta method.
- :func:`merton`: Merton (1976) jump-diffusion of log returns, exact likelihood as a Poisson
  mixture of normals; with ``jumps=False`` the Gaussian random walk with drift.
- :func:`correlation`, :func:`correlation_se`: Pearson correlation of residual series and its
  asymptotic standard errors.

scipy is imported only by :func:`merton`, because it is not a run-time dependency of gridrisk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gridrisk.errors import ArgumentError

__all__ = ["Estimate", "ar1", "correlation", "correlation_se", "log_ou", "merton"]

FloatArray = npt.NDArray[np.float64]

#: Fewest common observations :func:`correlation` accepts: below two years of monthly data the
#: standard error of a correlation (about 0.2) is as large as the correlations it should resolve.
MIN_COMMON_OBS = 24


@dataclass(frozen=True, eq=False)
class Estimate:
    """Result of one estimator.

    The arrays are read-only copies, so an ``Estimate`` is immutable like its dataclass fields.
    Equality is identity (``eq=False``): element-wise array comparison has no single truth value.

    Attributes
    ----------
    names : tuple of str
        Parameter names, in the order of ``values``.
    values : ndarray, shape (k,)
        Point estimates, in the units each estimator documents.
    cov : ndarray, shape (k, k)
        Asymptotic covariance of ``values`` (squared units of the parameters). NaN where it
        cannot be computed (:func:`merton` with a Hessian that is not positive definite).
    residuals : ndarray, shape (n,)
        Standardised innovations ``z_t``, one per transition (dimensionless, mean 0 and variance 1
        under the fitted model).
    loglik : float
        Maximised log-likelihood of the transitions (conditional on the first observation).
    n : int
        Number of transitions used.
    """

    names: tuple[str, ...]
    values: FloatArray
    cov: FloatArray
    residuals: FloatArray
    loglik: float
    n: int

    def __post_init__(self) -> None:
        k = len(self.names)
        values = _frozen(self.values)
        cov = _frozen(self.cov)
        residuals = _frozen(self.residuals)
        if values.shape != (k,) or cov.shape != (k, k) or residuals.ndim != 1:
            raise ValueError(
                f"Estimate: {k} names need values of shape ({k},) and cov of shape ({k}, {k}) and 1-D "
                f"residuals, got {values.shape}, {cov.shape} and {residuals.shape}"
            )
        # object.__setattr__ because the dataclass is frozen; the copies keep callers' arrays apart.
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "cov", cov)
        object.__setattr__(self, "residuals", residuals)

    def se(self) -> FloatArray:
        """Asymptotic standard errors ``sqrt(diag(cov))``, in the units of ``values``."""
        out: FloatArray = np.sqrt(np.diag(self.cov))
        return out

    def as_dict(self) -> dict[str, float]:
        """Point estimates by name, as plain floats."""
        return {name: float(v) for name, v in zip(self.names, self.values, strict=True)}


def _frozen(a: npt.ArrayLike) -> FloatArray:
    out = np.array(a, dtype=np.float64)
    out.setflags(write=False)
    return out


def _series(name: str, y: npt.ArrayLike, min_len: int) -> FloatArray:
    """``y`` as a finite 1-D float array of at least ``min_len`` points, or :class:`ArgumentError`."""
    a = np.asarray(y, dtype=np.float64)
    if a.ndim != 1:
        raise ArgumentError(f"{name} must be one-dimensional, got shape {a.shape}")
    if a.size < min_len:
        raise ArgumentError(f"{name} needs at least {min_len} observations, got {a.size}")
    if not np.all(np.isfinite(a)):
        bad = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ArgumentError(f"{name} must be finite; observation {bad} is {a[bad]!r} (drop missing values first)")
    return a


def _step(dt: float) -> float:
    d = float(dt)
    if not (math.isfinite(d) and d > 0):
        raise ArgumentError(f"dt must be a positive number of years, got {dt!r}")
    return d


# --------------------------------------------------------------------------------------------
# AR(1) and log Ornstein-Uhlenbeck
# --------------------------------------------------------------------------------------------


def ar1(y: npt.ArrayLike) -> Estimate:
    """Gaussian AR(1) ``y_t = c + phi y_{t-1} + sigma eps_t`` by conditional maximum likelihood.

    Conditional on ``y_0`` the MLE of ``(c, phi)`` is ordinary least squares of ``y_t`` on
    ``(1, y_{t-1})`` and ``sigma^2 = RSS / n``. Nothing restricts ``phi`` to ``|phi| < 1``.

    Parameters
    ----------
    y : array_like, shape (n + 1,)
        The series, in its own units; at least 4 finite observations.

    Returns
    -------
    Estimate
        ``names = ("c", "phi", "sigma")``: intercept and innovation standard deviation in the
        units of ``y`` per step, ``phi`` dimensionless. ``cov`` of ``(c, phi)`` is the OLS
        covariance ``s^2 (X'X)^-1`` with ``s^2 = RSS / (n - 2)`` (the usual small-sample
        choice; asymptotically the same as ``RSS / n``); ``var(sigma) = sigma^2 / (2 n)``,
        uncorrelated with ``(c, phi)``. ``residuals`` are ``(y_t - c - phi y_{t-1}) / sigma``,
        whose sample mean is 0 and variance 1 exactly.

    Raises
    ------
    ArgumentError
        (a ``ValueError``) if ``y`` is too short or not finite, its lagged values are constant,
        or it follows its own lag exactly (``sigma = 0``).
    """
    a = _series("y", y, 4)
    prev, cur = a[:-1], a[1:]
    n = cur.size
    # Centred regressors avoid the cancellation of X'X when the level is large next to its spread.
    pm, cm = prev.mean(), cur.mean()
    dp, dc = prev - pm, cur - cm
    sxx = float(dp @ dp)
    if not sxx > 1e-24 * max(1.0, pm * pm) * n:
        raise ArgumentError("y is constant over its first n observations; AR(1) coefficients are not identified")
    phi = float(dp @ dc) / sxx
    c = float(cm - phi * pm)
    resid = dc - phi * dp
    rss = float(resid @ resid)
    sigma2 = rss / n
    # Rounding leaves a residual of ~1e-16 of the spread on an exact line; treat it as zero.
    if not rss > 1e-20 * float(dc @ dc):
        raise ArgumentError(
            "y follows its own lag exactly (zero residual variance); the AR(1) likelihood is degenerate"
        )
    sigma = math.sqrt(sigma2)
    s2 = rss / (n - 2)
    var_phi = s2 / sxx
    cov = np.zeros((3, 3))
    # (X'X)^-1 for X = [1, prev], written in the centred form.
    cov[0, 0] = s2 / n + pm * pm * var_phi
    cov[0, 1] = cov[1, 0] = -pm * var_phi
    cov[1, 1] = var_phi
    cov[2, 2] = sigma2 / (2 * n)
    loglik = -0.5 * n * (math.log(2 * math.pi * sigma2) + 1.0)
    return Estimate(("c", "phi", "sigma"), np.array([c, phi, sigma]), cov, resid / sigma, loglik, n)


def log_ou(x: npt.ArrayLike, dt: float = 1 / 12) -> Estimate:
    """Ornstein-Uhlenbeck process ``dx = kappa (theta - x) dt + sigma dW`` on log prices.

    The exact discretisation over a step of ``dt`` years is the AR(1)

        x_t = a x_{t-1} + (1 - a) theta + s z_t,   a = exp(-kappa dt),
        s^2 = sigma^2 (1 - exp(-2 kappa dt)) / (2 kappa),

    so the MLE is :func:`ar1`'s ``(c, phi, sd)`` mapped to ``kappa = -ln(phi) / dt``,
    ``theta = c / (1 - phi)``, ``sigma = sd sqrt(2 kappa / (1 - phi^2))``, with the covariance
    by the delta method.

    Parameters
    ----------
    x : array_like, shape (n + 1,)
        Log prices (natural log of the price in its currency), equally spaced; at least 4.
    dt : float, default 1/12
        Step between observations, years.

    Returns
    -------
    Estimate
        ``names = ("kappa", "theta", "sigma")``: mean-reversion speed per year, long-run level in
        log units, volatility per square-root year. ``residuals`` and ``loglik`` are the AR(1)'s
        (the reparametrisation changes neither).

    Raises
    ------
    ArgumentError
        (a ``ValueError``) if the fitted ``phi >= 1``: the series shows no mean reversion
        (a unit root or explosive) and ``kappa`` would be zero or negative; or if ``phi <= 0``,
        which no OU process sampled every ``dt`` produces. Also for :func:`ar1`'s input errors.
    """
    h = _step(dt)
    est = ar1(x)
    c, phi, sd = (float(v) for v in est.values)
    if phi >= 1.0:
        raise ArgumentError(
            f"the series shows no mean reversion: its AR(1) coefficient is {phi:.4f} >= 1 (a unit root or "
            f"explosive path over {est.n} steps), so the Ornstein-Uhlenbeck speed kappa would be <= 0; "
            "use a longer series that spans several price cycles, or model the driver as a random walk"
        )
    if phi <= 0.0:
        raise ArgumentError(
            f"the series' AR(1) coefficient is {phi:.4f} <= 0 (negatively autocorrelated steps), which no "
            f"Ornstein-Uhlenbeck process sampled every dt = {h:g} years produces; check the series and dt"
        )
    one_m = 1.0 - phi
    one_m2 = 1.0 - phi * phi
    kappa = -math.log(phi) / h
    theta = c / one_m
    g = 2.0 * kappa / one_m2  # sigma^2 / sd^2, since exp(-2 kappa dt) = phi^2
    sigma = sd * math.sqrt(g)
    # d g / d phi, from g = -2 ln(phi) / (dt (1 - phi^2)).
    dg = -2.0 / h * (one_m2 / phi + 2.0 * phi * math.log(phi)) / one_m2**2
    jac = np.array(
        [
            [0.0, -1.0 / (phi * h), 0.0],
            [1.0 / one_m, c / one_m**2, 0.0],
            [0.0, sd * dg / (2.0 * math.sqrt(g)), math.sqrt(g)],
        ]
    )
    cov = jac @ est.cov @ jac.T
    return Estimate(
        ("kappa", "theta", "sigma"),
        np.array([kappa, theta, sigma]),
        (cov + cov.T) / 2,
        est.residuals,
        est.loglik,
        est.n,
    )


# --------------------------------------------------------------------------------------------
# Merton jump-diffusion
# --------------------------------------------------------------------------------------------


def _poisson_logpmf(mean: float, max_count: int) -> FloatArray:
    """``log P(N = j)`` for ``j = 0 .. max_count`` and ``N ~ Poisson(mean)``."""
    j = np.arange(max_count + 1, dtype=np.float64)
    out: FloatArray = -mean + j * math.log(mean) - np.array([math.lgamma(i + 1.0) for i in range(max_count + 1)])
    return out


def _merton_nll(
    theta: FloatArray, r: FloatArray, dt: float, max_jumps: int, grad: bool
) -> tuple[float, FloatArray, FloatArray]:
    """Negative log-likelihood of the truncated Poisson mixture, its gradient and the log weights.

    ``theta = (mu, sigma, lambda, m, s)`` in the original units. The gradient is analytic: with
    posterior weights ``p_tj`` of the jump counts, each parameter's score is the ``p``-weighted
    sum of the component scores through the component means, variances and Poisson weights.
    """
    mu, sigma, lam, m, s = (float(v) for v in theta)
    j = np.arange(max_jumps + 1, dtype=np.float64)
    k = math.expm1(m + 0.5 * s * s)  # mean of exp(J) - 1, the jump compensator per jump
    big_lam = lam * dt
    logw = _poisson_logpmf(big_lam, max_jumps)
    mean = (mu - 0.5 * sigma * sigma - lam * k) * dt + j * m
    var = sigma * sigma * dt + j * s * s
    inv_var = 1.0 / var
    # The (n, J+1) arrays dominate the cost of a fit, so each is made once and reused in place.
    e = r[:, None] - mean
    ev = e * inv_var
    logc = e * ev
    logc *= -0.5
    logc += logw - 0.5 * np.log(2.0 * math.pi * var)
    top = logc.max(axis=1)
    logc -= top[:, None]
    p = np.exp(logc, out=logc)
    tot = p.sum(axis=1)
    nll = -float(np.sum(top) + np.sum(np.log(tot)))
    g = np.zeros(5)
    if grad:
        p /= tot[:, None]  # posterior probabilities of 0..J jumps for each return
        pj = p.sum(axis=0)  # score through each component's Poisson weight
        p *= ev
        a = p.sum(axis=0)  # ... through its mean
        p *= ev
        b = 0.5 * (p.sum(axis=0) - pj * inv_var)  # ... through its variance
        g[0] = np.sum(a) * dt
        g[1] = np.sum(-a * sigma * dt + b * 2.0 * sigma * dt)
        g[2] = np.sum(-a * k * dt + pj * (j / lam - dt))
        g[3] = np.sum(a * (j - big_lam * (1.0 + k)))
        g[4] = np.sum(-a * big_lam * (1.0 + k) * s + b * 2.0 * j * s)
        g = -g
    return nll, g, logw


def _merton_residuals(theta: FloatArray, r: FloatArray, dt: float, max_jumps: int) -> FloatArray:
    """Probability integral transform of each return under the fitted mixture, as a normal quantile."""
    from scipy.special import ndtr, ndtri  # type: ignore[import-untyped, unused-ignore]

    mu, sigma, lam, m, s = (float(v) for v in theta)
    w = np.exp(_poisson_logpmf(lam * dt, max_jumps))
    w /= w.sum()  # the truncated mass (see merton) is spread pro rata so the CDF ends at 1
    j = np.arange(max_jumps + 1, dtype=np.float64)
    mean = (mu - 0.5 * sigma * sigma - lam * math.expm1(m + 0.5 * s * s)) * dt + j * m
    sd = np.sqrt(sigma * sigma * dt + j * s * s)
    zc = (r[:, None] - mean) / sd
    lower = ndtr(zc) @ w
    upper = ndtr(-zc) @ w
    # Each tail from its own sum, so that extreme returns keep their precision (1 - cdf would not).
    tiny = np.finfo(np.float64).tiny
    z = np.where(lower < 0.5, ndtri(np.maximum(lower, tiny)), -ndtri(np.maximum(upper, tiny)))
    out: FloatArray = np.asarray(z, dtype=np.float64)
    return out


def _merton_starts(r: FloatArray, dt: float) -> list[FloatArray]:
    """Starting points ``(mu, sigma, lambda, m, s)`` for the optimiser.

    One start without jumps (a tenth of a jump over the whole sample, diffusion from the moments) and
    starts that treat returns beyond 2.5 and 3.5 robust standard deviations as jumps.
    """
    n = r.size
    mean = float(r.mean())
    sd = float(r.std())
    med = float(np.median(r))
    mad_sd = 1.4826 * float(np.median(np.abs(r - med)))
    if not mad_sd > 0:
        mad_sd = sd
    years = n * dt
    starts = [np.array([mean / dt + 0.5 * sd * sd / dt, sd / math.sqrt(dt), 0.1 / years, 0.0, 2.0 * sd])]
    for cut in (2.5, 3.5):
        out = np.abs(r - med) > cut * mad_sd
        n_out = int(out.sum())
        if n_out < 2 or n_out > n // 4:
            continue
        jumps = r[out] - med
        inner = r[~out]
        sig = float(inner.std()) / math.sqrt(dt)
        m0 = float(jumps.mean())
        s0 = max(float(jumps.std()), 0.5 * mad_sd)
        lam0 = n_out / years
        mu0 = float(r.mean()) / dt + 0.5 * sig * sig + lam0 * math.expm1(m0 + 0.5 * s0 * s0)
        starts.append(np.array([mu0, sig, lam0, m0, s0]))
    # A start with frequent, moderate jumps catches fat tails that no single return reveals.
    starts.append(np.array([mean / dt + 0.5 * sd * sd / dt, 0.7 * sd / math.sqrt(dt), 6.0, 0.0, sd]))
    return starts


def merton(r: npt.ArrayLike, dt: float = 1 / 12, max_jumps: int = 10, *, jumps: bool = True) -> Estimate:
    """Merton jump-diffusion of log returns by exact maximum likelihood.

    Over a step of ``dt`` years the log return is

        r = (mu - sigma^2/2 - lambda k) dt + sigma sqrt(dt) z + sum_{i <= N} J_i,
        N ~ Poisson(lambda dt),  J_i ~ N(m, s^2),  k = exp(m + s^2/2) - 1,

    so that ``E[exp(r)] = exp(mu dt)``: ``mu`` is the expected growth rate of the price level.
    The density of ``r`` is the Poisson mixture ``sum_j P(N = j) N(r; mean_j, var_j)`` with
    ``mean_j = (mu - sigma^2/2 - lambda k) dt + j m`` and ``var_j = sigma^2 dt + j s^2``,
    truncated at ``max_jumps`` jumps per step. The truncated Poisson mass ``P(N > max_jumps)`` is
    below ``(lambda dt)^(J+1) / (J+1)! * (J+2) / (J+2 - lambda dt)`` for ``J = max_jumps``: with
    the default 10 that is below 3e-8 for ``lambda dt < 1`` and below 1e-12 for
    ``lambda dt < 0.38`` (e.g. ``lambda`` < 4.5 jumps a year in monthly data). The truncated
    likelihood is never above the exact one, so truncation cannot attract the optimiser.

    The likelihood is maximised with L-BFGS-B and its analytic gradient over
    ``(mu, log sigma, log lambda, m, log s)`` (rescaled to order one) from several starting
    points: one from the moments with almost no jumps, and ones that take the large returns as
    jumps; the best optimum wins. Wide bounds on the transformed parameters only keep the search
    away from overflow and from the degenerate ``sigma -> 0`` spike of normal mixtures.

    The covariance is the inverse of the Hessian of the negative log-likelihood in the original
    parameters, by central differences of the analytic gradient with a step of ``1e-4`` of each
    parameter's size (at least ``1e-6``), symmetrised. If that Hessian is not positive definite
    (for example when the optimum is at a bound, or the data show no jumps so that ``m`` and
    ``s`` are not identified), ``cov`` is all NaN rather than a meaningless inverse.

    Parameters
    ----------
    r : array_like, shape (n,)
        Log returns ``x_t - x_{t-1}`` over steps of ``dt`` years (natural log, dimensionless);
        at least 25 with jumps, 3 without.
    dt : float, default 1/12
        Step between observations, years.
    max_jumps : int, default 10
        Largest number of jumps per step in the mixture.
    jumps : bool, default True
        ``False`` fits the Gaussian random walk with drift (``lambda = 0``) in closed form.

    Returns
    -------
    Estimate
        With jumps, ``names = ("mu", "sigma", "lambda", "m", "s")``: drift per year, diffusion
        volatility per square-root year, jump intensity per year, mean and standard deviation
        of a log jump (dimensionless). Without, ``names = ("mu", "sigma")`` with
        ``mu = mean(r) / dt + sigma^2 / 2`` and ``sigma^2 = var(r) / dt`` (variance with
        divisor ``n``), and the exact Gaussian covariance of that map. ``residuals`` with jumps
        are the probability integral transform of each return under the fitted mixture mapped
        to standard-normal quantiles (i.i.d. N(0, 1) under the model, jumps included); without
        jumps they are ``(r - mean(r)) / sd(r)``.

    Raises
    ------
    ArgumentError
        (a ``ValueError``) if ``r`` is too short, not finite or constant, or ``dt`` or
        ``max_jumps`` is invalid.
    """
    h = _step(dt)
    a = _series("r", r, 25 if jumps else 3)
    if isinstance(max_jumps, bool) or not isinstance(max_jumps, int | np.integer) or not 1 <= max_jumps <= 200:
        raise ArgumentError(f"max_jumps must be a whole number in [1, 200], got {max_jumps!r}")
    n = a.size
    mean = float(a.mean())
    var = float(a.var())
    if np.ptp(a) == 0 or not var > 0:
        raise ArgumentError("r is constant; its volatility cannot be estimated")
    if not jumps:
        sigma2 = var / h
        sigma = math.sqrt(sigma2)
        mu = mean / h + 0.5 * sigma2
        # mean(r) and var(r) are independent under the Gaussian model; mu = mean/dt + sigma^2/2.
        var_sigma = sigma2 / (2 * n)
        cov = np.array(
            [
                [sigma2 / (n * h) + sigma2 * var_sigma, sigma * var_sigma],
                [sigma * var_sigma, var_sigma],
            ]
        )
        loglik = -0.5 * n * (math.log(2 * math.pi * var) + 1.0)
        return Estimate(("mu", "sigma"), np.array([mu, sigma]), cov, (a - mean) / math.sqrt(var), loglik, n)
    return _merton_fit(a, h, int(max_jumps))


def _merton_fit(r: FloatArray, dt: float, max_jumps: int) -> Estimate:
    from scipy.optimize import minimize  # type: ignore[import-untyped, unused-ignore]

    n = r.size
    sd = float(r.std())
    span = float(np.max(np.abs(r - np.median(r))))
    years = n * dt
    # Optimiser coordinates u: mu and m in units of sd(r) per step, logs of sigma, lambda and s.
    lo = np.array(
        [
            -50.0 - abs(r.mean()) / sd,
            math.log(1e-3 * sd / math.sqrt(dt)),
            math.log(1e-3 / years),
            -3.0 * span / sd,
            math.log(1e-3 * sd),
        ]
    )
    hi = np.array(
        [
            50.0 + abs(r.mean()) / sd,
            math.log(10.0 * sd / math.sqrt(dt)),
            math.log(max_jumps / dt),
            3.0 * span / sd,
            math.log(3.0 * span),
        ]
    )

    def to_theta(u: FloatArray) -> FloatArray:
        return np.array([u[0] * sd / dt, math.exp(u[1]), math.exp(u[2]), u[3] * sd, math.exp(u[4])])

    def to_u(theta: FloatArray) -> FloatArray:
        return np.array([theta[0] * dt / sd, math.log(theta[1]), math.log(theta[2]), theta[3] / sd, math.log(theta[4])])

    def objective(u: FloatArray) -> tuple[float, FloatArray]:
        theta = to_theta(u)
        f, g, _ = _merton_nll(theta, r, dt, max_jumps, grad=True)
        # Chain rule to u; dividing by n keeps the objective of order one for the stopping rule.
        du = g * np.array([sd / dt, theta[1], theta[2], sd, theta[4]])
        return f / n, du / n

    best: Any = None
    for start in _merton_starts(r, dt):
        u0 = np.clip(to_u(start), lo + 1e-6, hi - 1e-6)
        res = minimize(
            objective,
            u0,
            jac=True,
            method="L-BFGS-B",
            bounds=list(zip(lo, hi, strict=True)),
            options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8},
        )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise ArgumentError("the Merton likelihood could not be evaluated at any starting point")
    u = np.asarray(best.x, dtype=np.float64)
    theta = to_theta(u)
    nll, _, _ = _merton_nll(theta, r, dt, max_jumps, grad=False)
    if np.any(u - lo < 1e-4) or np.any(hi - u < 1e-4):
        # At a safeguard bound the optimum is not interior, so the curvature there is no covariance.
        cov = np.full((5, 5), np.nan)
    else:
        cov = _inverse_hessian(theta, r, dt, max_jumps)
    z = _merton_residuals(theta, r, dt, max_jumps)
    return Estimate(("mu", "sigma", "lambda", "m", "s"), theta, cov, z, -nll, n)


def _inverse_hessian(theta: FloatArray, r: FloatArray, dt: float, max_jumps: int) -> FloatArray:
    """Inverse Hessian of the negative log-likelihood at ``theta`` (original units), or NaNs."""
    k = theta.size
    hess = np.empty((k, k))
    for i in range(k):
        # Relative step: parameters range from hundredths (m, s) to tens (lambda).
        step = 1e-4 * max(abs(float(theta[i])), 1e-2)
        up, down = theta.copy(), theta.copy()
        up[i] += step
        down[i] -= step
        if down[i] <= 0 and i in (1, 2, 4):
            return np.full((k, k), np.nan)
        g_up = _merton_nll(up, r, dt, max_jumps, grad=True)[1]
        g_down = _merton_nll(down, r, dt, max_jumps, grad=True)[1]
        hess[i] = (g_up - g_down) / (2.0 * step)
    hess = (hess + hess.T) / 2.0
    if not np.all(np.isfinite(hess)):
        return np.full((k, k), np.nan)
    try:
        chol = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan)
    inv_chol = np.linalg.inv(chol)
    cov: FloatArray = inv_chol.T @ inv_chol
    return (cov + cov.T) / 2.0


# --------------------------------------------------------------------------------------------
# Correlation of residuals
# --------------------------------------------------------------------------------------------


def correlation(residuals: dict[str, pd.Series]) -> tuple[list[str], FloatArray, int]:
    """Pearson correlation of residual series over their common dates.

    Parameters
    ----------
    residuals : dict of str to pandas.Series
        Standardised residuals by driver name (dimensionless), indexed by date (all by a
        ``DatetimeIndex`` or all by a ``PeriodIndex`` of one frequency, without duplicates).

    Returns
    -------
    names : list of str
        The keys of ``residuals``, in order.
    rho : ndarray, shape (k, k)
        Correlation matrix: symmetric, unit diagonal, entries in [-1, 1].
    n : int
        Number of dates on which every series has a value (inner join, NaNs dropped).

    Raises
    ------
    ArgumentError
        (a ``ValueError``) if there are no series, their index types differ, an index has
        duplicates, fewer than 24 dates are common to all series, or a series is constant over
        them.
    """
    if not residuals:
        raise ArgumentError("correlation needs at least one residual series, got none")
    names = list(residuals)
    kinds = {type(s.index).__name__ for s in residuals.values()}
    if len(kinds) > 1:
        raise ArgumentError(
            f"residual series must all have the same kind of date index to be aligned, got {sorted(kinds)}"
        )
    for name, s in residuals.items():
        if not s.index.is_unique:
            raise ArgumentError(f"residual series {name!r} has duplicate dates in its index")
    frame = pd.concat([pd.Series(s, dtype=np.float64) for s in residuals.values()], axis=1, join="inner", keys=names)
    frame = frame.dropna()
    n = len(frame)
    if n < MIN_COMMON_OBS:
        raise ArgumentError(
            f"correlation needs at least {MIN_COMMON_OBS} dates common to all of {names}, got {n}; "
            "use series that overlap for longer"
        )
    data = frame.to_numpy(dtype=np.float64)
    data = data - data.mean(axis=0)
    sd = np.sqrt(np.sum(data * data, axis=0))
    if not np.all(sd > 0):
        flat = [nm for nm, v in zip(names, sd, strict=True) if not v > 0]
        raise ArgumentError(f"residual series {flat} are constant over the {n} common dates")
    unit = data / sd
    rho = np.clip(unit.T @ unit, -1.0, 1.0)
    rho = (rho + rho.T) / 2.0
    np.fill_diagonal(rho, 1.0)
    return names, rho, n


def correlation_se(rho: npt.ArrayLike, n: int) -> FloatArray:
    """Asymptotic standard errors ``(1 - rho^2) / sqrt(n)`` of Pearson correlations.

    Parameters
    ----------
    rho : array_like, shape (k, k)
        Correlation matrix (dimensionless).
    n : int
        Number of observations it was estimated from.

    Returns
    -------
    ndarray, shape (k, k)
        Standard errors (dimensionless), zero on the diagonal.
    """
    a = np.asarray(rho, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ArgumentError(f"rho must be a square matrix, got shape {a.shape}")
    if isinstance(n, bool) or not n >= 1:
        raise ArgumentError(f"n must be a positive number of observations, got {n!r}")
    se: FloatArray = (1.0 - a * a) / math.sqrt(n)
    np.fill_diagonal(se, 0.0)
    return se
