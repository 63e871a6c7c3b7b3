//! Capacity outage probability table (COPT): the exact distribution of available capacity of
//! two-state units, and from it loss-of-load probability and expected unserved energy of any
//! load in O(1).
//!
//! Unit capacities are rounded to a grid of `step` MW, to the nearest multiple with halves
//! rounded away from zero (exact when every unit is a whole multiple, as in the IEEE RTS; see
//! [`unit_steps`]). Each class of `n` identical units contributes a binomial number of
//! available units; classes are convolved one by one.
//!
//! Sizes and loads are divided by the step in floating point, where a decimal ratio such as
//! 2.1 MW / 0.3 MW comes out as 7.000000000000001. A ratio within a relative
//! [`SNAP_RELATIVE`] of a whole number of steps (of a half, for unit sizes) is taken to be
//! exactly that, so the tie rule below holds at any step.
//!
//! Tie rule: load is lost when available capacity is *strictly less* than the load; capacity
//! equal to load serves it. This is the convention of the published IEEE RTS-79 indices (it
//! reproduces their LOLE of 9.3942 h/yr; counting ties as losses gives 9.418).

pub use crate::capacity::{MAX_ROWS, SNAP_RELATIVE, UnitClass, table_rows, unit_steps};

/// The distribution of available capacity of a set of unit classes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutageTable {
    step: f64,
    /// `[P(available <= a steps), E[available MW; available <= a steps]]` for each `a`: the two
    /// numbers a lookup needs, side by side in one cache line.
    table: Vec<[f64; 2]>,
}

impl OutageTable {
    /// Builds the table. `step` must be positive; counts may be zero. The table has
    /// [`table_rows`] rows: callers keep it at most [`MAX_ROWS`] (validation does).
    #[must_use]
    pub fn build(classes: &[UnitClass], step: f64) -> Self {
        let mut pmf = vec![1.0];
        for c in classes.iter().filter(|c| c.count > 0) {
            let size = unit_steps(c.unit_mw, step) as usize;
            if size == 0 {
                continue;
            }
            let n = c.count as usize;
            let binom = crate::dist::binomial_pmf(c.count, 1.0 - c.forced_outage_rate);
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
    /// `ceil(load / step) - 1`, at most the last row, where a ratio within a relative
    /// [`SNAP_RELATIVE`] of a whole number `k` counts as `k` (so a load equal to a capacity
    /// on the grid is served by it, whatever the step's decimal expansion). Any other `load`
    /// gives a valid index (row 0) whose figures the caller must not use; branch-free, so
    /// lookups vectorise.
    ///
    /// The ratio `y` is clamped to `[0, rows]` (validation keeps the table under 4 million
    /// rows) and rounded to the nearest whole number `r` by adding and subtracting 2^52, which
    /// also leaves `r` in the low bits of the sum: no conversion instruction (whose saturation
    /// costs a clamp and a NaN test on baseline x86-64). Then the ceiling with the snap is
    /// `r + 1` exactly when `y − r > SNAP_RELATIVE · y` (`y − r` is exact): above `r` by more
    /// than the snap, `y` is not a whole number and its ceiling is `r + 1`; otherwise `y` is
    /// `r` within the snap, or below `r` and within a half of it, with ceiling `r`.
    #[inline]
    fn row(&self, load: f64) -> usize {
        const MAGIC: f64 = 4_503_599_627_370_496.0; // 2^52
        let last = self.table.len() - 1;
        let y = crate::float::min(crate::float::max(load / self.step, 0.0), last as f64 + 1.0);
        let sum = y + MAGIC;
        let r = sum - MAGIC;
        let up = u64::from(y - r > SNAP_RELATIVE * y);
        let ceil = (sum.to_bits() - MAGIC.to_bits()) + up;
        (ceil.saturating_sub(1) as usize).min(last)
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
            eue[b] = if inside {
                crate::float::max(load * c - m, 0.0)
            } else {
                0.0
            };
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
    fn a_load_equal_to_the_capacity_is_served_at_any_step() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        // 2.1 / 0.3 = 7.000000000000001 in floating point: the load is still 7 steps.
        let t = OutageTable::build(&[class(1, 2.1, 0.1)], 0.3);
        assert!(close(t.lolp(2.1), 0.1), "{}", t.lolp(2.1));
        assert!(close(t.eue(2.1), 0.1 * 2.1));
        assert!(close(t.lolp(2.1 * (1.0 + 1e-9)), 1.0));
        for step in [0.01, 0.03, 0.07, 0.1, 0.3, 0.7, 1.1, 3.3] {
            for k in 1..400u32 {
                let cap = f64::from(k) * step;
                let t = OutageTable::build(&[class(1, cap, 0.25)], step);
                assert!(close(t.lolp(cap), 0.25), "step {step}, {k} steps");
                assert!(close(t.lolp(cap * (1.0 + 1e-9)), 1.0), "step {step}, {k} steps");
                let (mut lolp, mut eue) = ([0.0], [0.0]);
                t.lolp_eue_into(&[cap], &mut lolp, &mut eue);
                assert_eq!((lolp[0], eue[0]), (t.lolp(cap), t.eue(cap)));
            }
        }
    }

    /// The row of [`OutageTable::row`] by its definition: the ceiling of the ratio, or the whole
    /// number within the snap of it, less one, within the table.
    fn row_by_definition(t: &OutageTable, load: f64) -> usize {
        let last = t.table.len() - 1;
        let y = (load / t.step).min(last as f64 + 1.0);
        let k = if (y - y.round()).abs() <= SNAP_RELATIVE * y {
            y.round()
        } else {
            y.ceil()
        };
        ((k.max(1.0) - 1.0) as usize).min(last)
    }

    #[test]
    fn the_row_is_the_snapped_ceiling_less_one() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for step in [1.0, 0.3, 0.7, 2.5, 10.0] {
            let t = OutageTable::build(&[class(40, 250.0, 0.1), class(3, 7.3, 0.2)], step);
            let rows = t.table.len() as f64;
            for _ in 0..20_000 {
                let k = (uniform() * (rows + 3.0)).floor();
                for y in [
                    k,
                    k + 0.5,
                    k + uniform(),
                    k * (1.0 + 1e-13),
                    k * (1.0 - 1e-13),
                    k * (1.0 + 3e-12),
                    k * (1.0 - 3e-12),
                    k + 0.5 * (1.0 + 1e-16),
                    k + 0.5 * (1.0 - 1e-16),
                ] {
                    for load in [
                        y * step,
                        f64::from_bits((y * step).to_bits() + 1),
                        f64::from_bits((y * step).to_bits().saturating_sub(1)),
                    ] {
                        if load > 0.0 {
                            assert_eq!(t.row(load), row_by_definition(&t, load), "step {step} load {load}");
                        }
                    }
                }
            }
            for load in [f64::MIN_POSITIVE, 5e-324, 1e-300, 1e300, f64::INFINITY] {
                assert_eq!(t.row(load), row_by_definition(&t, load), "step {step} load {load}");
            }
        }
    }

    #[test]
    fn unit_sizes_round_half_away_from_zero() {
        assert_eq!(unit_steps(1.5, 1.0), 2.0);
        assert_eq!(unit_steps(2.5, 1.0), 3.0);
        assert_eq!(unit_steps(2.49, 1.0), 2.0);
        // 0.15 / 0.1 = 1.4999999999999998 in floating point: still a half, rounded up.
        assert_eq!(unit_steps(0.15, 0.1), 2.0);
        assert_eq!(unit_steps(2.1, 0.3), 7.0);
        assert_eq!(unit_steps(0.4, 1.0), 0.0);
        assert_eq!(
            table_rows(&[class(3, 2.1, 0.1), class(2, 0.15, 0.0)], 0.3),
            1.0 + 21.0 + 2.0
        );
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
