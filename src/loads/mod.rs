//! The new loads: Bitcoin miners and AI data centres — how much they draw each month, what they
//! pay, and what they earn.

pub mod datacenters;
pub mod mining;

use crate::scenario::Tariff;

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

/// The energy price of a tariff, PKR per MWh, given the month's exchange rate and the
/// reference marginal cost (PKR/MWh) that a cost-plus tariff follows. For `floor_plus_share`
/// this is the floor; the revenue share is charged on top by the miners' accounts.
#[must_use]
pub fn energy_price_pkr_per_mwh(
    tariff: Tariff,
    pkr_per_kwh: f64,
    usd_per_kwh: f64,
    markup: f64,
    fx: f64,
    marginal_pkr_per_mwh: f64,
) -> f64 {
    match tariff {
        Tariff::FixedPkr | Tariff::FloorPlusShare => pkr_per_kwh * 1000.0,
        Tariff::FixedUsd => usd_per_kwh * 1000.0 * fx,
        Tariff::CostPlus => (1.0 + markup) * marginal_pkr_per_mwh,
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

    #[test]
    fn tariffs() {
        assert_eq!(
            energy_price_pkr_per_mwh(Tariff::FixedPkr, 22.98, 0.0, 0.0, 280.0, 0.0),
            22_980.0
        );
        assert_eq!(
            energy_price_pkr_per_mwh(Tariff::FixedUsd, 0.0, 0.08, 0.0, 280.0, 0.0),
            22_400.0
        );
        assert!((energy_price_pkr_per_mwh(Tariff::CostPlus, 0.0, 0.0, 0.1, 280.0, 20_000.0) - 22_000.0).abs() < 1e-9);
    }
}
