//! Bitcoin price (USD): Merton jump-diffusion, optionally with Student-t diffusion shocks.
//!
//! Student-t shocks are scaled to unit variance, `z sqrt((nu - 2) / W)` with `W ~ chi2(nu)`
//! from the path's own tails stream, so volatility keeps its meaning and only the tails
//! fatten. The normal drift compensation is kept; under t shocks `E[P_t]` is not finite in
//! theory (the moment generating function of a t variable diverges), which is why the
//! docs describe the drift as the median growth `mu - sigma^2/2 - lambda k` in that case.

use super::process::Merton;
use crate::scenario::{Bitcoin as Params, Returns};
use rand::Rng;
use rand_distr::{ChiSquared, Distribution};

/// The Bitcoin price process.
#[derive(Debug, Clone)]
pub struct Bitcoin {
    /// Jump-diffusion of the log price.
    pub merton: Merton,
    tails: Option<(ChiSquared<f64>, f64)>,
}

impl Bitcoin {
    /// Builds the monthly transition.
    #[must_use]
    pub fn new(p: &Params) -> Self {
        let j = &p.process;
        let tails = match p.returns {
            Returns::Normal => None,
            // Validation keeps t_dof in (2, 1000]; outside it the shocks stay normal (see dist).
            Returns::StudentT => crate::dist::student_t_mixing(p.t_dof).map(|chi2| (chi2, p.t_dof - 2.0)),
        };
        Self {
            merton: Merton::new(
                j.drift_annual,
                j.vol_annual,
                j.jump_intensity_annual,
                j.jump_mean,
                j.jump_sd,
            ),
            tails,
        }
    }

    /// Turns the correlated normal shock into the diffusion shock (identity for normal returns).
    #[inline]
    pub fn shock<R: Rng + ?Sized>(&self, z: f64, tails_rng: &mut R) -> f64 {
        match &self.tails {
            None => z,
            Some((chi2, nu_minus_2)) => z * (nu_minus_2 / chi2.sample(tails_rng)).sqrt(),
        }
    }
}
