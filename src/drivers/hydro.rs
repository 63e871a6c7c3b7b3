//! Hydro availability: a mean-one factor `exp(y - var/2)` with `y` a stationary AR(1), so
//! droughts come as persistent runs of low months. It scales the hydro capacity-factor profile.

use super::process::Ar1;
use crate::scenario::Hydro as Params;

/// Builds the availability process.
#[must_use]
pub fn process(p: &Params) -> Ar1 {
    Ar1::new(p.ar1_phi, p.ar1_sigma)
}
