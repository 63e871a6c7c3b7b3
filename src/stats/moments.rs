//! Count, mean and sum of squared deviations (M2) for a grid of cells that all see the same
//! number of observations (one per path).

use serde::{Deserialize, Serialize};

/// Moments of `mean.len()` cells over `n` paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Observations per cell.
    pub n: u64,
    /// Running means.
    pub mean: Vec<f64>,
    /// Sums of squared deviations from the mean.
    pub m2: Vec<f64>,
}

impl Moments {
    /// Empty moments over `cells` cells.
    #[must_use]
    pub fn new(cells: usize) -> Self {
        Self {
            n: 0,
            mean: vec![0.0; cells],
            m2: vec![0.0; cells],
        }
    }

    /// Adds one observation per cell (Welford).
    #[inline]
    pub fn push(&mut self, x: &[f64]) {
        debug_assert_eq!(x.len(), self.mean.len());
        self.n += 1;
        let inv = 1.0 / self.n as f64;
        // Plain multiply-adds, not `mul_add`: on baseline x86-64 (no FMA) `mul_add` is a call
        // into a software or dispatched fma per cell, which stops the loop from vectorising.
        for ((m, s), &v) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(x) {
            let d = v - *m;
            *m += d * inv;
            *s += d * (v - *m);
        }
    }

    /// Combines two disjoint sets of observations (Chan, Golub and LeVeque). Deterministic:
    /// the same two inputs always give the same bits.
    #[must_use]
    pub fn merge(a: &Self, b: &Self) -> Self {
        if a.n == 0 {
            return b.clone();
        }
        if b.n == 0 {
            return a.clone();
        }
        let n = a.n + b.n;
        let (na, nb, nf) = (a.n as f64, b.n as f64, n as f64);
        let w = nb / nf;
        let cross = na * nb / nf;
        let mut mean = Vec::with_capacity(a.mean.len());
        let mut m2 = Vec::with_capacity(a.mean.len());
        for i in 0..a.mean.len() {
            let d = b.mean[i] - a.mean[i];
            mean.push(d.mul_add(w, a.mean[i]));
            m2.push((d * d).mul_add(cross, a.m2[i] + b.m2[i]));
        }
        Self { n, mean, m2 }
    }

    /// Sample variance (n - 1 denominator) per cell; NaN (undefined) with fewer than two
    /// observations, so that a standard error computed from it is undefined too, not zero.
    #[must_use]
    pub fn variance(&self) -> Vec<f64> {
        if self.n < 2 {
            return vec![f64::NAN; self.mean.len()];
        }
        let d = (self.n - 1) as f64;
        self.m2.iter().map(|s| s.max(0.0) / d).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_observation_has_an_undefined_variance() {
        let mut m = Moments::new(2);
        assert!(m.variance().iter().all(|v| v.is_nan()));
        m.push(&[1.0, 2.0]);
        assert!(m.variance().iter().all(|v| v.is_nan()));
        m.push(&[3.0, 2.0]);
        assert_eq!(m.variance(), vec![2.0, 0.0]);
    }

    #[test]
    fn welford_and_merge_match_two_pass() {
        let xs: Vec<f64> = (0..1000).map(|i| f64::from(i).sin() * 100.0 + 5.0).collect();
        let mut all = Moments::new(1);
        let (mut a, mut b) = (Moments::new(1), Moments::new(1));
        for (i, &x) in xs.iter().enumerate() {
            all.push(&[x]);
            if i < 377 { a.push(&[x]) } else { b.push(&[x]) }
        }
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        let merged = Moments::merge(&a, &b);
        for m in [&all, &merged] {
            assert!((m.mean[0] - mean).abs() < 1e-12);
            assert!((m.variance()[0] - var).abs() < 1e-9 * var);
        }
    }
}
