//! Whether and when the data centres come: the allocation in tranches, each arriving within the
//! horizon or not, at a random month, with the path's load factor.
//!
//! Tranche `i` arrives when `sqrt(rho) Z + sqrt(1 - rho) e_i <= Phi^-1(p)` (a Gaussian copula:
//! each tranche arrives with probability `p`, and `rho` makes arrivals move together, as they
//! would with the country's investment climate), in a month uniform over
//! `[earliest, latest]`, then ramps up over `ramp_months`. The draws come from the path's own
//! take-up stream in a fixed number, so they never shift another driver's numbers.

use crate::rng::{Stream, StreamRng};
use crate::scenario::{Allocation, Datacenters};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{ContinuousCDF, Normal};

/// One tranche that arrived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrival {
    /// Allocation of the tranche, MW.
    pub mw: f64,
    /// First month of its ramp.
    pub month: usize,
}

/// A path's data centres: what arrived and at what load factor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Takeup {
    /// The tranches that arrived, in tranche order.
    pub arrivals: Vec<Arrival>,
    /// Average draw as a share of the allocation that arrived.
    pub load_factor: f64,
}

impl Takeup {
    /// The path's draw; without a `[datacenters.takeup]`, the whole allocation from month 0.
    pub fn draw(&mut self, a: &Allocation, d: &Datacenters, rng: impl FnOnce(Stream) -> StreamRng) {
        self.arrivals.clear();
        let Some(u) = &d.takeup else {
            self.load_factor = a.datacenter_load_factor;
            if a.datacenter_mw > 0.0 {
                self.arrivals.push(Arrival {
                    mw: a.datacenter_mw,
                    month: 0,
                });
            }
            return;
        };
        let mut r = rng(Stream::Takeup);
        let n = tranches(a.datacenter_mw, u.tranche_mw);
        let threshold = if u.probability >= 1.0 {
            f64::INFINITY
        } else if u.probability <= 0.0 {
            f64::NEG_INFINITY
        } else {
            Normal::standard().inverse_cdf(u.probability)
        };
        let common: f64 = StandardNormal.sample(&mut r);
        let (load, own) = (u.correlation.sqrt(), (1.0 - u.correlation).sqrt());
        let span = (u.latest_month - u.earliest_month + 1) as usize;
        for i in 0..n {
            let e: f64 = StandardNormal.sample(&mut r);
            let month = u.earliest_month as usize + r.random_range(0..span);
            if load * common + own * e <= threshold {
                let mw = (a.datacenter_mw - i as f64 * u.tranche_mw).min(u.tranche_mw);
                self.arrivals.push(Arrival { mw, month });
            }
        }
        let v: f64 = r.random();
        self.load_factor = u.load_factor_low + (u.load_factor_high - u.load_factor_low) * v;
    }

    /// Average draw in month `t`, MW at the meter.
    #[must_use]
    pub fn load_mw(&self, d: &Datacenters, t: usize) -> f64 {
        self.arrivals
            .iter()
            .filter(|x| x.month <= t)
            .map(|x| x.mw * self.load_factor * super::ramp(t - x.month, d.ramp_months))
            .sum()
    }

    /// Allocation (MW, not the draw) in service in month `t`: the tranches that arrived, ramped.
    #[must_use]
    pub fn connected_mw(&self, d: &Datacenters, t: usize) -> f64 {
        self.arrivals
            .iter()
            .filter(|x| x.month <= t)
            .map(|x| x.mw * super::ramp(t - x.month, d.ramp_months))
            .sum()
    }

    /// Allocation (MW) that entered service this month: each arrival's ramp increment.
    #[must_use]
    pub fn connected_increment_mw(&self, d: &Datacenters, t: usize) -> f64 {
        self.arrivals
            .iter()
            .filter(|x| x.month <= t)
            .map(|x| {
                let k = t - x.month;
                let before = if k == 0 { 0.0 } else { super::ramp(k - 1, d.ramp_months) };
                x.mw * (super::ramp(k, d.ramp_months) - before)
            })
            .sum()
    }

    /// Allocation (MW) that has arrived by month `t` (before its ramp).
    #[must_use]
    pub fn arrived_by_mw(&self, t: usize) -> f64 {
        self.arrivals.iter().filter(|x| x.month <= t).map(|x| x.mw).sum()
    }

    /// Allocation (MW) that arrived within the horizon.
    #[must_use]
    pub fn arrived_mw(&self) -> f64 {
        self.arrivals.iter().map(|x| x.mw).sum()
    }
}

/// Number of tranches an allocation is split into (the last may be smaller).
#[must_use]
pub fn tranches(allocation_mw: f64, tranche_mw: f64) -> usize {
    if allocation_mw <= 0.0 {
        0
    } else {
        // Rounding guards 1,000 / 100 landing a hair above 10.
        (allocation_mw / tranche_mw - 1e-9).ceil().max(1.0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Takeup as Params;

    fn dc(p: f64, rho: f64) -> (Allocation, Datacenters) {
        let a = Allocation {
            mining_mw: 0.0,
            datacenter_mw: 1_000.0,
            datacenter_load_factor: 0.9,
        };
        let d = Datacenters {
            ramp_months: 12,
            takeup: Some(Params {
                tranche_mw: 250.0,
                probability: p,
                correlation: rho,
                earliest_month: 6,
                latest_month: 30,
                load_factor_low: 0.5,
                load_factor_high: 0.9,
            }),
            ..Datacenters::default()
        };
        (a, d)
    }

    fn draw(a: &Allocation, d: &Datacenters, path: u64) -> Takeup {
        let mut u = Takeup::default();
        u.draw(a, d, |s| crate::rng::stream(7, path, s));
        u
    }

    #[test]
    fn certain_takeup_on_the_ramp_is_the_fixed_allocation() {
        let (a, mut d) = dc(1.0, 0.0);
        let p = d.takeup.as_mut().unwrap();
        (p.tranche_mw, p.earliest_month, p.latest_month) = (1_000.0, 0, 0);
        (p.load_factor_low, p.load_factor_high) = (0.9, 0.9);
        let u = draw(&a, &d, 3);
        for t in 0..60 {
            assert_eq!(u.load_mw(&d, t), super::super::datacenters::load_mw(&a, &d, t));
        }
    }

    #[test]
    fn arrivals_have_the_declared_probability_and_correlation() {
        let n = 20_000;
        for (p, rho) in [(0.3, 0.0), (0.3, 0.6)] {
            let (a, d) = dc(p, rho);
            let (mut arrived, mut all, mut none) = (0usize, 0usize, 0usize);
            for path in 0..n {
                let u = draw(&a, &d, path);
                arrived += u.arrivals.len();
                all += usize::from(u.arrivals.len() == 4);
                none += usize::from(u.arrivals.is_empty());
                assert!(u.arrivals.iter().all(|x| (6..=30).contains(&x.month)));
                assert!((0.5..=0.9).contains(&u.load_factor));
            }
            let share = arrived as f64 / (4 * n) as f64;
            // Four binomial standard errors.
            assert!(
                (share - p).abs() < 4.0 * (p * (1.0 - p) / (4 * n) as f64).sqrt(),
                "{share}"
            );
            let p_none = none as f64 / n as f64;
            if rho == 0.0 {
                assert!((p_none - 0.7f64.powi(4)).abs() < 0.015, "{p_none}");
            } else {
                // Correlated arrivals: all-or-none far more often than independent ones.
                assert!(p_none > 0.7f64.powi(4) + 0.1 && all as f64 / n as f64 > 0.3f64.powi(4) + 0.03);
            }
        }
    }

    #[test]
    fn tranches_cover_the_allocation() {
        assert_eq!(tranches(1_000.0, 250.0), 4);
        assert_eq!(tranches(1_000.0, 300.0), 4);
        assert_eq!(tranches(0.0, 300.0), 0);
        let (a, mut d) = dc(1.0, 0.0);
        d.takeup.as_mut().unwrap().tranche_mw = 300.0;
        let u = draw(&a, &d, 1);
        assert_eq!(u.arrived_mw(), 1_000.0);
        assert_eq!(u.arrivals.last().unwrap().mw, 100.0);
    }
}
