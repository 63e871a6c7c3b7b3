//! The Bitcoin network: hashrate (trend + lagged response to miners' revenue + AR(1) noise),
//! the difficulty it implies, and transaction fees.
//!
//! `ln H_t = ln H_0 + g t + eta (ln R_{t-L} - ln R_0) + x_t`, where `R = price x subsidy` is
//! miners' USD revenue per block (so a halving pulls hashrate down after the lag, as observed),
//! `R_s = R_0` for `s < 0`, and `x` is a zero-started AR(1) driven by the `hashrate` factor.

use super::process::{Ar1, DT};
use crate::calendar::MonthInfo;
use crate::scenario::Network as Params;

/// Difficulty per unit hashrate: D = H x 600 s / 2^32, reported in T (10^12) from EH/s.
pub const DIFFICULTY_T_PER_EHS: f64 = 1.0e18 * 600.0 / 4_294_967_296.0 / 1.0e12;

/// The network model of one run.
#[derive(Debug, Clone)]
pub struct Network {
    /// Deterministic part of ln H per month (trend and the subsidy part of the response).
    pub base_log: Vec<f64>,
    /// Elasticity to revenue.
    pub eta: f64,
    /// Response lag, months.
    pub lag: usize,
    /// Noise process (started at zero: hashrate is observed at the start).
    pub noise: Ar1,
    /// Mean fee share of the subsidy, and its log standard deviation.
    pub fee_mean: f64,
    /// Log standard deviation of the fee share.
    pub fee_sigma: f64,
}

impl Network {
    /// Precomputes the deterministic parts.
    #[must_use]
    pub fn new(p: &Params, sched: &[MonthInfo]) -> Self {
        let lag = p.response_lag_months as usize;
        let eta = p.revenue_elasticity;
        let sub0 = sched[0].subsidy_btc;
        let base_log = (0..sched.len())
            .map(|t| {
                let subsidy_term = if t >= lag {
                    eta * (sched[t - lag].subsidy_btc / sub0).ln()
                } else {
                    0.0
                };
                p.hashrate0_ehs.ln() + p.growth_annual * t as f64 * DT + subsidy_term
            })
            .collect();
        Self {
            base_log,
            eta,
            lag,
            noise: Ar1::new(p.noise_phi, p.noise_sigma),
            fee_mean: p.fee_share_mean,
            fee_sigma: p.fee_share_sigma,
        }
    }

    /// Hashrate (EH/s) in month `t` given the log Bitcoin prices so far and the noise `x`.
    #[inline]
    #[must_use]
    pub fn hashrate_ehs(&self, t: usize, log_price: &[f64], x: f64) -> f64 {
        let price_term = if t >= self.lag {
            self.eta * (log_price[t - self.lag] - log_price[0])
        } else {
            0.0
        };
        (self.base_log[t] + price_term + x).exp()
    }

    /// Fees per block (BTC) given the month's mean subsidy and a standard normal `u`.
    #[inline]
    #[must_use]
    pub fn fees_btc(&self, subsidy: f64, u: f64) -> f64 {
        subsidy * self.fee_mean * (self.fee_sigma * u - 0.5 * self.fee_sigma * self.fee_sigma).exp()
    }
}
