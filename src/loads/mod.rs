//! The new loads: Bitcoin miners and AI data centres — how much they draw each month, what they
//! pay, and what they earn.

pub mod datacenters;
pub mod investment;
pub mod mining;
pub mod takeup;

/// Linear ramp-up: the share of the allocation in use in month `t` (0-based), full after
/// `ramp_months` months; 1 from the start when `ramp_months` is 0.
#[must_use]
pub fn ramp(t: usize, ramp_months: u32) -> f64 {
    if ramp_months == 0 {
        1.0
    } else {
        ((t + 1) as f64 / f64::from(ramp_months)).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_is_linear_then_flat() {
        assert_eq!(ramp(0, 0), 1.0);
        assert_eq!(ramp(0, 4), 0.25);
        assert_eq!(ramp(3, 4), 1.0);
        assert_eq!(ramp(10, 4), 1.0);
    }
}
