//! AI data centres: a firm load (allocation x load factor, ramped up), a contracted tariff and a
//! taxable profit per MWh.

use crate::scenario::{Allocation, Datacenters};

/// Average draw in month `t`, MW.
#[must_use]
pub fn load_mw(a: &Allocation, d: &Datacenters, t: usize) -> f64 {
    a.datacenter_mw * a.datacenter_load_factor * super::ramp(t, d.ramp_months)
}
