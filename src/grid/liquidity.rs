//! The liquidity loop of the seed article: below-cost tariffs add to the circular debt, fuel
//! suppliers stop opening letters of credit, and imported-fuel plants stand idle.
//!
//! With the stock `CD`, the threshold `CD*` and the coefficient `β`, the available share of
//! imported-fuel capacity (classes burning oil, LNG or imported coal) is
//! `a = clamp(1 - β · max(0, (CD - CD*) / CD*), 0, 1)`. The stock is an exogenous base path
//! (the first month's stock plus a constant change a year) and, with the allocation, the
//! allocation's own circular debt so far.
//!
//! The idle capacity is certain: with `X` the available capacity from the outage table and `D`
//! the idle MW, the capacity left is `max(X - D, 0)`, whose expected unserved power at a load
//! `y ≥ 0` is exactly `e(y + D) - e(D)` and loss-of-load probability `P(X < y + D)` (`e` the
//! table's unserved-power function): see [`crate::grid::Grid`]'s adequacy.

use crate::scenario::shedding::Liquidity;

/// The base path's stock in month `t`, PKR.
#[must_use]
pub fn base_stock(l: &Liquidity, t: usize) -> f64 {
    l.circular_debt0_pkr + l.circular_debt_growth_pkr_per_year * t as f64 / 12.0
}

/// The available share of imported-fuel capacity at a circular-debt stock of `stock` PKR.
#[must_use]
pub fn available_share(l: &Liquidity, stock: f64) -> f64 {
    let excess = ((stock - l.threshold_pkr) / l.threshold_pkr).max(0.0);
    (1.0 - l.derate_per_excess * excess).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::outage::{OutageTable, UnitClass};

    #[test]
    fn idle_capacity_shifts_the_outage_table_exactly() {
        // Two 100 MW units with a 10 % outage rate: 0, 100, 200 MW available with probabilities
        // 0.01, 0.18, 0.81. With 50 MW idle for fuel the capacity left is 0, 50 or 150 MW.
        let t = OutageTable::build(
            &[UnitClass {
                count: 2,
                unit_mw: 100.0,
                forced_outage_rate: 0.1,
            }],
            1.0,
        );
        let idle = 50.0;
        for (y, unserved, lolp) in [
            (120.0, 0.01 * 120.0 + 0.18 * 70.0, 0.19),
            (40.0, 0.01 * 40.0, 0.01),
            (150.0, 0.01 * 150.0 + 0.18 * 100.0, 0.19),
            (151.0, 0.01 * 151.0 + 0.18 * 101.0 + 0.81 * 1.0, 1.0),
        ] {
            let e = t.eue(y + idle) - t.eue(idle);
            assert!((e - unserved).abs() < 1e-9, "{y}: {e} vs {unserved}");
            assert!((t.lolp(y + idle) - lolp).abs() < 1e-12, "{y}");
        }
    }

    #[test]
    fn derates_in_proportion_to_the_excess() {
        let l = Liquidity {
            circular_debt0_pkr: 1.6e12,
            circular_debt_growth_pkr_per_year: 0.12e12,
            threshold_pkr: 2.0e12,
            derate_per_excess: 0.5,
        };
        assert_eq!(base_stock(&l, 0), 1.6e12);
        assert!((base_stock(&l, 6) - 1.66e12).abs() < 1.0);
        assert_eq!(available_share(&l, 1.9e12), 1.0);
        assert_eq!(available_share(&l, 2.0e12), 1.0);
        // 20 % above the threshold idles half of 20 %.
        assert!((available_share(&l, 2.4e12) - 0.9).abs() < 1e-12);
        assert_eq!(available_share(&l, 1.0e14), 0.0);
    }
}
