//! The schema of the miners' interruptible contract (`[mining.interruptible]`): hours of peak
//! relief a day and the off-peak discount on their energy price. What the relief does to the
//! grid, block by block, is in [`crate::grid::interruptible`]; this file only reads and checks it.

use super::reader::{Range, Table};
use serde::{Deserialize, Serialize};

/// Miners shed in the month's highest-load hours, paying an off-peak rate for what they draw.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interruptible {
    /// Hours a day the miners draw nothing, in the month's blocks of highest load, by calendar
    /// month (January first); 0: a flat draw.
    pub hours_per_day: [f64; 12],
    /// Share taken off the tariff's energy price for the energy the miners draw (0: none).
    #[serde(default)]
    pub offpeak_discount_share: f64,
}

impl Interruptible {
    /// Whether any month has peak relief.
    #[must_use]
    pub fn relieves(&self) -> bool {
        self.hours_per_day.iter().any(|&h| h > 0.0)
    }

    /// The energy price (any unit per MWh) the miners pay on this contract: the tariff's `price`
    /// less the off-peak discount.
    #[must_use]
    pub fn offpeak_price(&self, price: f64) -> f64 {
        offpeak_price(price, self.offpeak_discount_share)
    }
}

/// `price` less a `discount_share` of it: the off-peak rate of a time-of-use contract whose
/// holder draws nothing in the peak hours. A zero discount returns `price` exactly.
#[must_use]
pub fn offpeak_price(price: f64, discount_share: f64) -> f64 {
    if discount_share == 0.0 {
        price
    } else {
        price * (1.0 - discount_share)
    }
}

/// Reads `[mining.interruptible]`: `hours_per_day` is required (one number or 12), the discount
/// defaults to none.
pub fn read(t: &mut Table<'_, '_>) -> Interruptible {
    Interruptible {
        hours_per_day: t.monthly("hours_per_day", Range::closed(0.0, 24.0)),
        offpeak_discount_share: t
            .opt_f64("offpeak_discount_share", Range::closed(0.0, 1.0))
            .unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offpeak_price_takes_the_discount_off() {
        assert_eq!(offpeak_price(29_540.0, 0.0).to_bits(), 29_540.0_f64.to_bits());
        assert_eq!(offpeak_price(100.0, 0.25), 75.0);
        assert_eq!(offpeak_price(100.0, 1.0), 0.0);
        let c = Interruptible {
            hours_per_day: [0.0; 12],
            offpeak_discount_share: 0.5,
        };
        assert_eq!(c.offpeak_price(80.0), 40.0);
        assert!(!c.relieves());
    }
}
