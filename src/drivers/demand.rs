//! Grid demand: trend growth x month-of-year seasonality x a mean-one AR(1) factor.

use super::process::{Ar1, DT};
use crate::calendar::MonthInfo;
use crate::scenario::Demand as Params;

/// Monthly average load, MW.
#[derive(Debug, Clone)]
pub struct Demand {
    /// Deterministic part per month: base x exp(g t) x seasonality.
    expected: Vec<f64>,
    shock: Ar1,
}

impl Demand {
    /// Precomputes the deterministic trend-seasonal load of every month.
    #[must_use]
    pub fn new(p: &Params, sched: &[MonthInfo]) -> Self {
        let mean_season = p.seasonality.iter().sum::<f64>() / 12.0;
        let expected = sched
            .iter()
            .enumerate()
            .map(|(t, m)| {
                let season = p.seasonality[(m.date.month - 1) as usize] / mean_season;
                p.base_load_mw * (p.growth_annual * t as f64 * DT).exp() * season
            })
            .collect();
        Self {
            expected,
            shock: Ar1::new(p.ar1_phi, p.ar1_sigma),
        }
    }

    /// The AR(1) shock process.
    #[must_use]
    pub fn shock(&self) -> &Ar1 {
        &self.shock
    }

    /// `E[load_t]`, MW, when the AR(1)'s shocks have variance `z_var` (1 unless the correlation
    /// matrix was not positive definite): the log factor then has variance `z_var` times the
    /// stationary one in every month (the start is drawn from it), so the mean-one factor has
    /// mean `exp((z_var - 1) var / 2)`.
    #[must_use]
    pub fn expected_mw(&self, t: usize, z_var: f64) -> f64 {
        self.expected[t] * ((z_var - 1.0) * self.shock.half_var()).exp()
    }

    /// Load in month `t` given the log shock `y`.
    #[inline]
    #[must_use]
    pub fn load_mw(&self, t: usize, y: f64) -> f64 {
        self.expected[t] * self.shock.factor(y)
    }
}
