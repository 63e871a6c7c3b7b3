//! Capacity outage probability table (COPT): the exact distribution of available capacity of
//! two-state units, and from it loss-of-load probability and expected unserved energy of any
//! load in O(1).
//!
//! Unit capacities are rounded to a grid of `step` MW (exact when every unit is a whole
//! multiple, as in the IEEE RTS). Each class of `n` identical units contributes a binomial
//! number of available units; classes are convolved one by one.
//!
//! Tie rule: load is lost when available capacity is *strictly less* than the load; capacity
//! equal to load serves it. This is the convention of the published IEEE RTS-79 indices (it
//! reproduces their LOLE of 9.3942 h/yr; counting ties as losses gives 9.418).

use crate::float::ceil_i32;
use statrs::distribution::{Binomial, Discrete};

/// A class of identical two-state units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitClass {
    /// Number of units.
    pub count: u32,
    /// Capacity of one unit, MW.
    pub unit_mw: f64,
    /// Forced outage rate: probability a unit is unavailable.
    pub forced_outage_rate: f64,
}

/// The distribution of available capacity of a set of unit classes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageTable {
    step: f64,
    /// `[P(available <= a steps), E[available MW; available <= a steps]]` for each `a`: the two
    /// numbers a lookup needs, side by side in one cache line.
    table: Vec<[f64; 2]>,
}

impl OutageTable {
    /// Builds the table. `step` must be positive; counts may be zero.
    #[must_use]
    pub fn build(classes: &[UnitClass], step: f64) -> Self {
        let mut pmf = vec![1.0];
        for c in classes.iter().filter(|c| c.count > 0) {
            let size = (c.unit_mw / step).round() as usize;
            if size == 0 {
                continue;
            }
            let n = c.count as usize;
            let avail = 1.0 - c.forced_outage_rate;
            let binom: Vec<f64> = if c.forced_outage_rate <= 0.0 {
                (0..=n).map(|k| if k == n { 1.0 } else { 0.0 }).collect()
            } else {
                let b = Binomial::new(avail, c.count.into()).expect("validated: 0 <= p <= 1");
                (0..=n).map(|k| b.pmf(k as u64)).collect()
            };
            let mut next = vec![0.0; pmf.len() + n * size];
            for (k, &pk) in binom.iter().enumerate() {
                if pk == 0.0 {
                    continue;
                }
                let shift = k * size;
                for (a, &pa) in pmf.iter().enumerate() {
                    next[a + shift] += pa * pk;
                }
            }
            pmf = next;
        }
        let mut table = Vec::with_capacity(pmf.len());
        let (mut c, mut m) = (0.0, 0.0);
        for (a, &p) in pmf.iter().enumerate() {
            // Summed from zero capacity upwards: the loss tail is made of the smallest terms,
            // so it is accumulated first and keeps its relative precision.
            c += p;
            m += a as f64 * step * p;
            table.push([c, m]);
        }
        Self { step, table }
    }

    /// Installed capacity after rounding to the step, MW.
    #[must_use]
    pub fn capacity_mw(&self) -> f64 {
        (self.table.len() - 1) as f64 * self.step
    }

    /// Index of the largest grid capacity strictly below `load`, or `None` if there is none.
    #[inline]
    fn below(&self, load: f64) -> Option<usize> {
        (load > 0.0).then(|| self.row(load))
    }

    /// For `load > 0`, the index of the largest grid capacity strictly below it:
    /// `ceil(load / step) - 1`, at most the last row. Any other `load` gives a valid index
    /// (row 0) whose figures the caller must not use; branch-free, so lookups vectorise.
    #[inline]
    fn row(&self, load: f64) -> usize {
        let last = self.table.len() - 1;
        // Clamped to the table first (validation keeps it under 4 million rows), so that the
        // ceiling fits an i32: packed conversions exist for i32, not for u64.
        let ceil = ceil_i32((load / self.step).min(last as f64 + 1.0));
        ((ceil.max(1) - 1) as usize).min(last)
    }

    /// Loss-of-load probability: P(available capacity < `load` MW).
    #[inline]
    #[must_use]
    pub fn lolp(&self, load: f64) -> f64 {
        self.below(load).map_or(0.0, |k| self.table[k][0])
    }

    /// [`OutageTable::lolp`] and [`OutageTable::eue`] of every load in `loads`, into `lolp`
    /// and `eue`.
    ///
    /// Branch-free, so that several loads are looked up per instruction: every load reads a
    /// row (row 0 for loads of zero or less, whose figures are then zero).
    #[inline]
    pub fn lolp_eue_into(&self, loads: &[f64], lolp: &mut [f64], eue: &mut [f64]) {
        let n = loads.len();
        let (lolp, eue) = (&mut lolp[..n], &mut eue[..n]);
        for b in 0..n {
            let load = loads[b];
            let [c, m] = self.table[self.row(load)];
            let inside = load > 0.0;
            lolp[b] = if inside { c } else { 0.0 };
            eue[b] = if inside { (load * c - m).max(0.0) } else { 0.0 };
        }
    }

    /// Expected unserved power E[max(`load` - available, 0)], MW.
    #[inline]
    #[must_use]
    pub fn eue(&self, load: f64) -> f64 {
        self.below(load).map_or(0.0, |k| {
            let [c, m] = self.table[k];
            (load * c - m).max(0.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(count: u32, unit_mw: f64, q: f64) -> UnitClass {
        UnitClass {
            count,
            unit_mw,
            forced_outage_rate: q,
        }
    }

    #[test]
    fn two_units_by_hand() {
        // Units of 100 MW (q = 0.1) and 50 MW (q = 0.2). Available: 150 (0.72), 100 (0.18),
        // 50 (0.08), 0 (0.02).
        let t = OutageTable::build(&[class(1, 100.0, 0.1), class(1, 50.0, 0.2)], 1.0);
        assert_eq!(t.capacity_mw(), 150.0);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-15;
        assert!(close(t.lolp(150.0), 0.28));
        assert!(close(t.lolp(120.0), 0.28));
        assert!(close(t.lolp(100.0), 0.10)); // 100 available serves 100 (tie rule)
        assert!(close(t.lolp(100.5), 0.28));
        assert!(close(t.lolp(50.0), 0.02));
        assert!(close(t.lolp(0.0), 0.0));
        assert!(close(t.lolp(1e9), 1.0));
        // E[max(120 - A, 0)] = 0.18*20 + 0.08*70 + 0.02*120 = 11.6
        assert!((t.eue(120.0) - 11.6).abs() < 1e-12);
        assert!((t.eue(200.0) - (200.0 - (0.72 * 150.0 + 0.18 * 100.0 + 0.08 * 50.0))).abs() < 1e-12);
        assert_eq!(t.eue(0.0), 0.0);
        let xs = [
            -1e300, -5.0, -0.0, 0.0, 0.3, 50.0, 99.9, 100.0, 120.0, 150.0, 150.5, 1e6, 1e300,
        ];
        let (mut lolp, mut eue) = ([0.0; 13], [0.0; 13]);
        t.lolp_eue_into(&xs, &mut lolp, &mut eue);
        for (i, &x) in xs.iter().enumerate() {
            assert_eq!((lolp[i], eue[i]), (t.lolp(x), t.eue(x)), "load {x}");
        }
    }

    #[test]
    fn identical_units_are_binomial() {
        let t = OutageTable::build(&[class(3, 10.0, 0.5)], 1.0);
        // P(A < 15) = P(at most 1 of 3 available) = 4/8.
        assert!((t.lolp(15.0) - 0.5).abs() < 1e-15);
        assert!((t.lolp(30.0) - 0.875).abs() < 1e-15);
    }

    #[test]
    fn no_outages_and_load_below_capacity_never_loses_load() {
        let t = OutageTable::build(&[class(5, 100.0, 0.0)], 1.0);
        assert_eq!(t.lolp(500.0), 0.0);
        assert_eq!(t.eue(500.0), 0.0);
        assert_eq!(t.lolp(500.1), 1.0);
    }

    #[test]
    fn more_capacity_never_raises_loss_of_load() {
        let base = [class(4, 76.0, 0.02), class(2, 400.0, 0.12)];
        let more = [class(4, 76.0, 0.02), class(2, 400.0, 0.12), class(1, 50.0, 0.3)];
        let (a, b) = (OutageTable::build(&base, 1.0), OutageTable::build(&more, 1.0));
        for load in (0..1200).map(f64::from) {
            assert!(b.lolp(load) <= a.lolp(load) + 1e-15, "load {load}");
            assert!(b.eue(load) <= a.eue(load) + 1e-12, "load {load}");
        }
    }
}
