//! Control variates: co-moments of the controls with every per-path output and with the
//! outputs' sign indicators, mergeable to the bit, and the regression-adjusted means.
//!
//! A node holds, over its paths, the means and sums of squared deviations of the vector
//! `v = (c_1..c_k, y_1..y_q, [y_1 < 0]..[y_q < 0], [y_1 > 0]..[y_q > 0])` (controls, outputs,
//! then the outputs' "below zero" and "above zero" indicators, zero being `|y| <= 1e-12` as in
//! the sketches, so the indicators' means are exactly the shares the summary's `p_adverse`
//! reads), and the cross-products `S_ij = sum (c_i - c_bar_i)(v_j - v_bar_j)` of each control
//! with every entry. Welford within a chunk, Chan's co-moment formula to merge: the same tree
//! as [`super::Moments`], hence the same bits whatever the split.

use super::Moments;
use super::sketch::ZERO_THRESHOLD;
use serde::{Deserialize, Serialize};

/// Co-moments of `k` controls with `d >= k` variables (the controls first) over `n` paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoMoments {
    /// Count, means and sums of squared deviations of the `d` variables: the same arithmetic as
    /// every other cell's moments.
    pub moments: Moments,
    /// `k x d`, row-major: control `i` with variable `j` at `i * d + j` (so `cross[i * d + i]`
    /// is `m2[i]`, bit for bit).
    pub cross: Vec<f64>,
}

impl CoMoments {
    /// Empty co-moments of `controls` controls among `vars` variables.
    #[must_use]
    pub fn new(controls: usize, vars: usize) -> Self {
        Self {
            moments: Moments::new(vars),
            cross: vec![0.0; controls * vars],
        }
    }

    /// Number of controls.
    #[must_use]
    pub fn controls(&self) -> usize {
        self.cross.len().checked_div(self.moments.mean.len()).unwrap_or(0)
    }

    /// Adds one path (Welford): `x` holds the `d` variables; `post` is working memory of
    /// length `d`.
    #[inline]
    pub fn push(&mut self, x: &[f64], post: &mut [f64]) {
        let d = self.moments.mean.len();
        let k = self.controls();
        debug_assert!(x.len() == d && post.len() == d && k <= MAX_CONTROLS);
        let mut before = [0.0; MAX_CONTROLS];
        for (b, (&v, &m)) in before.iter_mut().zip(x.iter().zip(&self.moments.mean)).take(k) {
            *b = v - m;
        }
        self.moments.push(x);
        // `v - mean` after the update, the factor Welford's M2 update used.
        for ((p, &v), &m) in post.iter_mut().zip(x).zip(&self.moments.mean) {
            *p = v - m;
        }
        for (row, &b) in self.cross.chunks_exact_mut(d).zip(&before) {
            for (c, &p) in row.iter_mut().zip(post.iter()) {
                *c += b * p;
            }
        }
    }

    /// Combines two disjoint sets of paths (Chan et al.: `S = S_a + S_b + d_i d_j n_a n_b / n`
    /// with `d` the difference of the means). Deterministic, as [`super::Moments::merge`].
    #[must_use]
    pub fn merge(a: &Self, b: &Self) -> Self {
        let (ma, mb) = (&a.moments, &b.moments);
        if ma.n == 0 {
            return b.clone();
        }
        if mb.n == 0 {
            return a.clone();
        }
        let cross_w = ma.n as f64 * mb.n as f64 / (ma.n + mb.n) as f64;
        let d = ma.mean.len();
        let delta: Vec<f64> = mb.mean.iter().zip(&ma.mean).map(|(y, x)| y - x).collect();
        let cross = (0..a.cross.len())
            .map(|ij| {
                let (i, j) = (ij / d, ij % d);
                (delta[i] * delta[j]).mul_add(cross_w, a.cross[ij] + b.cross[ij])
            })
            .collect();
        Self {
            moments: Moments::merge(ma, mb),
            cross,
        }
    }
}

/// Most controls a run may have (the push keeps their deviations on the stack).
pub const MAX_CONTROLS: usize = 8;

/// The variables of one path: the controls, the outputs, then the outputs' below-zero and
/// above-zero indicators, written into `out` (length `controls.len() + 3 * outputs.len()`).
#[inline]
pub fn variables(controls: &[f64], outputs: &[f64], out: &mut [f64]) {
    let (k, q) = (controls.len(), outputs.len());
    out[..k].copy_from_slice(controls);
    out[k..k + q].copy_from_slice(outputs);
    for (o, &y) in out[k + q..k + 2 * q].iter_mut().zip(outputs) {
        *o = f64::from(u8::from(y < -ZERO_THRESHOLD));
    }
    for (o, &y) in out[k + 2 * q..].iter_mut().zip(outputs) {
        *o = f64::from(u8::from(y > ZERO_THRESHOLD));
    }
}

/// A regression-adjusted mean with its standard error, beside the plain one.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjusted {
    /// Plain mean.
    pub plain_mean: f64,
    /// Its standard error `sqrt(S_yy / (n - 1) / n)` (NaN with one path).
    pub plain_se: f64,
    /// `y_bar - beta' c_bar` (the controls' expectation is zero).
    pub mean: f64,
    /// `sqrt(s2 / n)`, `s2 = (S_yy - S_yc S_cc^-1 S_cy) / (n - k - 1)`; the plain one when no
    /// control is used.
    pub se: f64,
    /// Share of the variance the controls explain, `S_yc S_cc^-1 S_cy / S_yy` (NaN when the
    /// variable does not vary).
    pub r2: f64,
    /// The controls used (indices), increasing.
    pub used: Vec<usize>,
}

/// Relative tolerance of the pivoted Cholesky: a control whose variance left after the earlier
/// ones is at most this share of its own is dropped (collinear, or constant).
pub const COLLINEAR_TOLERANCE: f64 = 1e-10;

/// The regression-adjusted mean of variable `j` of `co`.
///
/// Controls are taken in order and kept while each adds variance: a Cholesky factorisation of
/// `S_cc` that skips a control whose Schur complement is not above [`COLLINEAR_TOLERANCE`]
/// times its diagonal (or is not finite), so a control with no variance (e.g. the data centres'
/// take-up without a `[datacenters.takeup]`) or a copy of another is dropped, deterministically.
/// With `n <= k_used + 1` the plain mean stands (no degrees of freedom are left).
#[must_use]
pub fn adjust(co: &CoMoments, j: usize) -> Adjusted {
    let d = co.moments.mean.len();
    let k = co.controls();
    let n = co.moments.n as f64;
    let s_yy = co.moments.m2[j].max(0.0);
    let plain_mean = co.moments.mean[j];
    let plain_se = if co.moments.n > 1 {
        (s_yy / (n - 1.0) / n).sqrt()
    } else {
        f64::NAN
    };
    let plain = Adjusted {
        plain_mean,
        plain_se,
        mean: plain_mean,
        se: plain_se,
        r2: if s_yy > 0.0 { 0.0 } else { f64::NAN },
        used: Vec::new(),
    };
    let s = |a: usize, b: usize| co.cross[a * d + b];
    // Lower-triangular factor of the kept controls, row by row.
    let mut used: Vec<usize> = Vec::new();
    let mut l: Vec<Vec<f64>> = Vec::new();
    for i in 0..k {
        let mut row: Vec<f64> = Vec::with_capacity(used.len() + 1);
        for (r, &u) in used.iter().enumerate() {
            let dot: f64 = row.iter().zip(&l[r]).map(|(x, y)| x * y).sum();
            row.push((s(i, u) - dot) / l[r][r]);
        }
        let rest = s(i, i) - row.iter().map(|x| x * x).sum::<f64>();
        if rest.is_finite() && s(i, i).is_finite() && rest > COLLINEAR_TOLERANCE * s(i, i) && rest > 0.0 {
            row.push(rest.sqrt());
            used.push(i);
            l.push(row);
        }
    }
    let m = used.len();
    if m == 0 || co.moments.n <= (m + 1) as u64 {
        return plain;
    }
    // Forward substitution: z = L^-1 S_cy; explained = |z|^2; beta = L^-T z.
    let mut z = vec![0.0; m];
    for r in 0..m {
        let dot: f64 = (0..r).map(|c| l[r][c] * z[c]).sum();
        z[r] = (s(used[r], j) - dot) / l[r][r];
    }
    let mut beta = vec![0.0; m];
    for r in (0..m).rev() {
        let dot: f64 = (r + 1..m).map(|c| l[c][r] * beta[c]).sum();
        beta[r] = (z[r] - dot) / l[r][r];
    }
    let explained: f64 = z.iter().map(|x| x * x).sum();
    let resid = (s_yy - explained).max(0.0);
    let adjustment: f64 = beta.iter().zip(&used).map(|(b, &u)| b * co.moments.mean[u]).sum();
    let (mean, se) = (plain_mean - adjustment, (resid / (n - m as f64 - 1.0) / n).sqrt());
    if !(mean.is_finite() && se.is_finite()) {
        return plain;
    }
    Adjusted {
        plain_mean,
        plain_se,
        mean,
        se,
        r2: if s_yy > 0.0 {
            (explained / s_yy).min(1.0)
        } else {
            f64::NAN
        },
        used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<[f64; 4]> {
        // Two controls (one a scaled copy of a mix, one constant zero), an output and a copy.
        (0..n)
            .map(|i| {
                let a = (i as f64 * 0.7).sin();
                let b = (i as f64 * 1.3).cos();
                [a, 0.0, 2.0 * a + 0.5 * b + 3.0, 2.0 * a]
            })
            .collect()
    }

    fn pushed(rows: &[[f64; 4]]) -> CoMoments {
        let mut co = CoMoments::new(2, 4);
        let mut post = [0.0; 4];
        for r in rows {
            co.push(r, &mut post);
        }
        co
    }

    #[test]
    fn merge_matches_one_pass_and_the_diagonal_is_m2() {
        let rows = data(1000);
        let all = pushed(&rows);
        let merged = CoMoments::merge(&pushed(&rows[..377]), &pushed(&rows[377..]));
        for co in [&all, &merged] {
            for i in 0..2 {
                assert_eq!(co.cross[i * 4 + i].to_bits(), co.moments.m2[i].to_bits());
            }
        }
        let mean = |j: usize| rows.iter().map(|r| r[j]).sum::<f64>() / 1000.0;
        let cov = |a: usize, b: usize| rows.iter().map(|r| (r[a] - mean(a)) * (r[b] - mean(b))).sum::<f64>();
        for j in 0..4 {
            assert!((merged.cross[j] - cov(0, j)).abs() < 1e-9 * (1.0 + cov(0, j).abs()));
            assert!((all.cross[j] - cov(0, j)).abs() < 1e-9 * (1.0 + cov(0, j).abs()));
        }
    }

    #[test]
    fn adjustment_drops_a_constant_control_and_removes_what_the_control_explains() {
        let co = pushed(&data(500));
        let a = adjust(&co, 2);
        assert_eq!(a.used, vec![0]);
        assert!(a.se < a.plain_se);
        assert!(a.r2 > 0.5 && a.r2 <= 1.0);
        // An output that is the control exactly: all of it explained, no error left.
        let b = adjust(&co, 3);
        assert!(b.se < 1e-6 * b.plain_se, "{b:?}");
        // One path, two paths: the plain mean, no NaN beyond the documented one-path error.
        let one = adjust(&pushed(&data(1)), 2);
        assert!(one.plain_se.is_nan() && one.used.is_empty() && one.mean.is_finite());
        let two = adjust(&pushed(&data(2)), 2);
        assert!(two.used.is_empty() && two.se.is_finite());
    }

    /// The co-moments' cost per path at the engine's size (6 controls, 83 outputs), for
    /// bench/README.md: `cargo test --release --no-default-features --lib cost_per_path --
    /// --ignored --nocapture`. Ignored: a timing, not a check.
    #[test]
    #[ignore = "a timing for the benchmarks"]
    fn cost_per_path() {
        let (k, q) = (6, 83);
        let d = k + 3 * q;
        let paths = 256 * 400;
        let rows: Vec<f64> = (0..256 * (k + q)).map(|i| (i as f64 * 0.37).sin()).collect();
        let (mut x, mut post) = (vec![0.0; d], vec![0.0; d]);
        let t0 = std::time::Instant::now();
        let mut total = CoMoments::new(k, d);
        for chunk in 0..paths / 256 {
            let mut co = CoMoments::new(k, d);
            for r in 0..256 {
                let row = &rows[r * (k + q)..(r + 1) * (k + q)];
                variables(&row[..k], &row[k..], &mut x);
                co.push(&x, &mut post);
            }
            total = CoMoments::merge(&total, &co);
            std::hint::black_box(chunk);
        }
        let ns = t0.elapsed().as_nanos() as f64 / paths as f64;
        std::hint::black_box(&total);
        println!("co-moments: {ns:.0} ns per path ({d} variables, {k} controls)");
    }

    #[test]
    fn indicators_use_the_sketches_zero() {
        let mut out = [0.0; 1 + 3 * 3];
        variables(&[5.0], &[-1.0, 1e-13, 2.0], &mut out);
        assert_eq!(out, [5.0, -1.0, 1e-13, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    }
}
