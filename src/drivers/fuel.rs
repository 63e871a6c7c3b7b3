//! Fuel prices: Brent and imported coal as mean-reverting log prices; LNG either as an
//! oil-indexed contract (slope x moving average of Brent + constant) or its own process.

use super::process::LogOu;
use crate::scenario::{Fuels as Params, LngMode};

/// How LNG is priced in a run.
#[derive(Debug, Clone)]
pub enum LngPrice {
    /// Contract formula on the trailing `window`-month average of Brent.
    Slope {
        /// USD/MMBtu per USD/bbl.
        slope: f64,
        /// USD/MMBtu.
        constant: f64,
        /// Months averaged.
        window: usize,
    },
    /// Own mean-reverting process.
    Own(LogOu),
}

/// The three fuel-price processes.
#[derive(Debug, Clone)]
pub struct Fuels {
    /// Brent, USD/bbl.
    pub oil: LogOu,
    /// LNG, USD/MMBtu.
    pub lng: LngPrice,
    /// Imported coal, USD/t.
    pub coal: LogOu,
    /// Starting log prices (oil, own-LNG, coal).
    pub log0: [f64; 3],
}

impl Fuels {
    /// Builds the monthly transitions.
    #[must_use]
    pub fn new(p: &Params) -> Self {
        let ou = |m: &crate::scenario::MeanReverting| LogOu::new(m.long_run, m.mean_reversion_annual, m.vol_annual);
        let lng = match p.lng.mode {
            LngMode::BrentSlope => LngPrice::Slope {
                slope: p.lng.slope,
                constant: p.lng.constant_usd_per_mmbtu,
                window: p.lng.averaging_months as usize,
            },
            LngMode::Own => LngPrice::Own(ou(&p.lng.own)),
        };
        Self {
            oil: ou(&p.oil),
            lng,
            coal: ou(&p.coal),
            log0: [p.oil.price0.ln(), p.lng.own.price0.ln(), p.coal.price0.ln()],
        }
    }
}

/// Trailing average of Brent over `window` months; months before the start take the first
/// month's price (the contract's reference period is assumed flat before the horizon).
#[inline]
#[must_use]
pub fn trailing_mean(oil: &[f64], t: usize, window: usize) -> f64 {
    let lo = (t + 1).saturating_sub(window);
    let pre = window - (t + 1 - lo);
    (oil[lo..=t].iter().sum::<f64>() + pre as f64 * oil[0]) / window as f64
}
