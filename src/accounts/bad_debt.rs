//! Miners who stop paying. A security deposit of `deposit_months` of a full-draw bill is taken
//! when each tranche connects. When the miners' margin after their capital annuity (their debt
//! service) has been negative for `default_after_months` months in a row, they stop paying
//! their bills: the deposit covers what it can and the rest is bad debt, which the power sector
//! does not collect (it widens the gap the incidence rules share out). After
//! `disconnect_after_months` months of non-payment the distribution company disconnects them.

use crate::scenario::Credit;

/// A path's credit position with the miners.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CreditState {
    /// Security deposit held, PKR.
    pub deposit_pkr: f64,
    /// Months in a row with a negative margin after the capital annuity.
    under_water: u32,
    /// Months in a row of non-payment.
    unpaid_months: u32,
    /// Whether the fleet was disconnected (decided at the end of a month, acted on the next).
    pub disconnected: bool,
}

/// What the miners pay of one month's bill.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Collection {
    /// Share of the month's bill (and its taxes) that is paid, the deposit included.
    pub paid_share: f64,
    /// Deposit drawn, PKR.
    pub deposit_drawn_pkr: f64,
}

impl CreditState {
    /// Takes the deposit for newly connected capacity: `deposit_months` of a bill of
    /// `connected_mw` drawn in every hour of an average month at `price_pkr_per_mwh`.
    pub fn connect(&mut self, c: &Credit, connected_mw: f64, price_pkr_per_mwh: f64) {
        self.deposit_pkr += c.deposit_months * connected_mw * super::HOURS_PER_MONTH * price_pkr_per_mwh;
    }

    /// Settles the month's bill `due_pkr` (energy, revenue share and the taxes on them) given
    /// the miners' margin after their capital annuity, PKR. A month in default is paid only
    /// from the deposit.
    pub fn collect(&mut self, c: &Credit, due_pkr: f64, margin_pkr: f64) -> Collection {
        self.under_water = if margin_pkr < 0.0 { self.under_water + 1 } else { 0 };
        if self.under_water < c.default_after_months || due_pkr <= 0.0 {
            self.unpaid_months = 0;
            return Collection {
                paid_share: 1.0,
                deposit_drawn_pkr: 0.0,
            };
        }
        let drawn = self.deposit_pkr.min(due_pkr);
        self.deposit_pkr -= drawn;
        self.unpaid_months += 1;
        if self.unpaid_months >= c.disconnect_after_months {
            self.disconnected = true;
        }
        Collection {
            paid_share: drawn / due_pkr,
            deposit_drawn_pkr: drawn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deposit_covers_the_first_unpaid_bills_then_the_fleet_is_disconnected() {
        let c = Credit {
            deposit_months: 2.0,
            default_after_months: 3,
            disconnect_after_months: 4,
        };
        let mut s = CreditState::default();
        // 100 MW at 20,000 PKR/MWh: a full month's bill is 100 x 730.5 x 20,000 = 1.461 bn.
        s.connect(&c, 100.0, 20_000.0);
        assert!((s.deposit_pkr - 2.0 * 1.461e9).abs() < 1.0);
        let due = 1.0e9;
        // Two months under water: still paying.
        for _ in 0..2 {
            assert_eq!(s.collect(&c, due, -1.0).paid_share, 1.0);
        }
        // A profitable month resets the count.
        assert_eq!(s.collect(&c, due, 1.0).paid_share, 1.0);
        for _ in 0..2 {
            assert_eq!(s.collect(&c, due, -1.0).paid_share, 1.0);
        }
        // Third month in a row: default; the deposit (2.922 bn) pays two bills in full, then
        // 0.922 of the third, then nothing.
        let paid: Vec<f64> = (0..4).map(|_| s.collect(&c, due, -1.0).paid_share).collect();
        assert_eq!(paid[..2], [1.0, 1.0]);
        assert!((paid[2] - 0.922).abs() < 1e-9);
        assert_eq!(paid[3], 0.0);
        assert!(s.disconnected, "four months of non-payment");
    }
}
