//! Exchange rate (PKR per USD): a jump-diffusion whose jumps are devaluations.
//!
//! `drift_annual` is the expected depreciation rate including jumps, so
//! `E[rate_t] = rate_0 exp(drift t)`; the diffusion drift is compensated for the jumps.

use super::process::Merton;
use crate::scenario::Fx as Params;

/// Builds the monthly transition of the log exchange rate.
#[must_use]
pub fn process(p: &Params) -> Merton {
    let j = &p.process;
    Merton::new(
        j.drift_annual,
        j.vol_annual,
        j.jump_intensity_annual,
        j.jump_mean,
        j.jump_sd,
    )
}
