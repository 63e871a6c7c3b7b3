//! Exchange rate (PKR per USD): a jump-diffusion whose jumps are devaluations.
//!
//! The drift is the expected depreciation rate including jumps, so `E[rate_t] = rate_0 exp(drift
//! t)`; the diffusion drift is compensated for the jumps. It is declared (`fx.drift_annual`) or
//! follows the inflation differential ([`crate::scenario::Economy::fx_drift_annual`]).

use super::process::Merton;
use crate::scenario::Fx as Params;

/// Builds the monthly transition of the log exchange rate with expected depreciation
/// `drift_annual`.
#[must_use]
pub fn process(p: &Params, drift_annual: f64) -> Merton {
    Merton::new(
        drift_annual,
        p.vol_annual,
        p.jump_intensity_annual,
        p.jump_mean,
        p.jump_sd,
    )
}
