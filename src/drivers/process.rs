//! Exact one-month transitions of the processes the drivers are built from. Each step is the
//! exact conditional distribution over Δ = 1/12 year, not an Euler approximation, so moments
//! at any horizon match the closed forms in docs/model.md.

use rand::Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

/// Time step in years.
pub const DT: f64 = 1.0 / 12.0;

/// Zero-mean Gaussian AR(1) in log space started from its stationary law, used as a mean-one
/// multiplicative factor `exp(y - var/2)`.
#[derive(Debug, Clone)]
pub struct Ar1 {
    phi: f64,
    sigma: f64,
    sd_stationary: f64,
    half_var: f64,
}

impl Ar1 {
    /// `y_t = phi y_{t-1} + sigma z_t`, stationary variance `sigma^2 / (1 - phi^2)`.
    #[must_use]
    pub fn new(phi: f64, sigma: f64) -> Self {
        let var = sigma * sigma / (1.0 - phi * phi);
        Self {
            phi,
            sigma,
            sd_stationary: var.sqrt(),
            half_var: 0.5 * var,
        }
    }
    /// First value, drawn from the stationary law.
    #[inline]
    #[must_use]
    pub fn start(&self, z: f64) -> f64 {
        self.sd_stationary * z
    }
    /// Next value.
    #[inline]
    #[must_use]
    pub fn step(&self, y: f64, z: f64) -> f64 {
        self.phi * y + self.sigma * z
    }
    /// Half the stationary variance of the log factor.
    #[must_use]
    pub fn half_var(&self) -> f64 {
        self.half_var
    }

    /// The mean-one level factor `exp(y - var/2)`.
    #[inline]
    #[must_use]
    pub fn factor(&self, y: f64) -> f64 {
        (y - self.half_var).exp()
    }
}

/// Ornstein-Uhlenbeck log price (Schwartz one-factor): `dx = kappa (theta - x) dt + sigma dW`.
#[derive(Debug, Clone)]
pub struct LogOu {
    decay: f64,
    pull: f64,
    sd: f64,
}

impl LogOu {
    /// `theta = ln(long_run)`, so `long_run` is the long-run median price.
    #[must_use]
    pub fn new(long_run: f64, kappa: f64, sigma: f64) -> Self {
        let decay = (-kappa * DT).exp();
        // Var of the exact transition: sigma^2 (1 - e^{-2 kappa dt}) / (2 kappa), -> sigma^2 dt as kappa -> 0.
        let var = if kappa > 1e-12 {
            sigma * sigma * -(-2.0 * kappa * DT).exp_m1() / (2.0 * kappa)
        } else {
            sigma * sigma * DT
        };
        Self {
            decay,
            pull: (1.0 - decay) * long_run.ln(),
            sd: var.sqrt(),
        }
    }
    /// Next log price.
    #[inline]
    #[must_use]
    pub fn step(&self, x: f64, z: f64) -> f64 {
        self.decay * x + self.pull + self.sd * z
    }

    /// The mean and variance of the next log price given those of this one, `(m, v)`, when the
    /// shock `z` has variance `z_var` (1 unless the correlation matrix was not positive
    /// definite): the simulated recursion's own, so the price's expectation `exp(m + v/2)` is
    /// that of the discrete process, not of the continuous one it samples.
    #[must_use]
    pub fn next_moments(&self, (m, v): (f64, f64), z_var: f64) -> (f64, f64) {
        (
            self.decay * m + self.pull,
            self.decay * self.decay * v + self.sd * self.sd * z_var,
        )
    }
}

/// Merton jump-diffusion of a log level with compensated drift, so that
/// `E[X_t] = X_0 exp(mu t)` for Gaussian diffusion shocks.
#[derive(Debug, Clone)]
pub struct Merton {
    drift: f64,
    vol: f64,
    jumps: Option<Poisson<f64>>,
    jump_mean: f64,
    jump_sd: f64,
    /// Expected jumps a month when `jumps` is drawn (0 otherwise: then none ever happens).
    jumps_per_month: f64,
}

impl Merton {
    /// Builds the monthly transition from annual parameters.
    #[must_use]
    pub fn new(mu: f64, sigma: f64, lambda: f64, jump_mean: f64, jump_sd: f64) -> Self {
        let k = (jump_mean + 0.5 * jump_sd * jump_sd).exp() - 1.0;
        // None (no jumps) for lambda = 0, and for a lambda so small that no draw could be positive.
        let jumps = crate::dist::poisson(lambda * DT);
        Self {
            drift: (mu - 0.5 * sigma * sigma - lambda * k) * DT,
            vol: sigma * DT.sqrt(),
            jumps_per_month: if jumps.is_some() { lambda * DT } else { 0.0 },
            jumps,
            jump_mean,
            jump_sd,
        }
    }

    /// `E[x_{t+1} - x_t]`: the monthly drift plus the jumps' mean. Exact for any diffusion shock
    /// of mean zero, Student-t ones included (whose level has no finite mean).
    #[must_use]
    pub fn expected_log_step(&self) -> f64 {
        self.drift + self.jumps_per_month * self.jump_mean
    }

    /// `ln E[exp(x_{t+1} - x_t)]` for a normal diffusion shock of variance `z_var`: the drift,
    /// half the diffusion's variance, and the jumps' `lambda dt (exp(m + s^2/2) - 1)` (the
    /// log of a Poisson sum's generating function). With `z_var = 1` this is `mu dt`, the
    /// compensation the drift builds in, unless the jumps were dropped as never positive.
    #[must_use]
    pub fn log_expected_growth(&self, z_var: f64) -> f64 {
        let k = (self.jump_mean + 0.5 * self.jump_sd * self.jump_sd).exp() - 1.0;
        self.drift + 0.5 * self.vol * self.vol * z_var + self.jumps_per_month * k
    }
    /// Next log level given the diffusion shock `z`; jumps come from their own stream, their
    /// normal part multiplied by `sign` (-1 on the antithetic path of a pair).
    #[inline]
    pub fn step<R: Rng + ?Sized>(&self, x: f64, z: f64, jump_rng: &mut R, sign: f64) -> f64 {
        let mut next = x + self.drift + self.vol * z;
        if let Some(p) = &self.jumps {
            let n: f64 = p.sample(jump_rng);
            if n > 0.0 {
                // The sum of n iid N(m, s^2) jumps is N(n m, n s^2): one normal draw.
                let u: f64 = sign * Distribution::<f64>::sample(&StandardNormal, jump_rng);
                next += n * self.jump_mean + self.jump_sd * n.sqrt() * u;
            }
        }
        next
    }
}
