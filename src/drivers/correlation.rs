//! Linear algebra for the factor correlation matrix: a Cholesky factor that tolerates
//! semi-definite (rank-deficient) matrices, and the smallest eigenvalue for validation.

// Index loops read like the textbook algorithms here; iterator rewrites obscure them.
#![allow(clippy::needless_range_loop)]

use crate::rng::N_FACTORS;

/// Lower-triangular `L` with `L Lᵀ = m`, for a symmetric positive semi-definite `m`.
///
/// A pivot that is zero up to rounding means the factor is an exact combination of the
/// previous ones (e.g. a correlation of exactly 1); its column is set to zero instead of
/// dividing by zero, which still reproduces `m`.
#[must_use]
pub fn cholesky_psd(m: &[Vec<f64>]) -> [[f64; N_FACTORS]; N_FACTORS] {
    let n = N_FACTORS;
    let mut l = [[0.0; N_FACTORS]; N_FACTORS];
    for j in 0..n {
        let d = m[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if d <= 1e-12 {
            continue;
        }
        let djj = d.sqrt();
        l[j][j] = djj;
        for i in j + 1..n {
            l[i][j] = (m[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>()) / djj;
        }
    }
    l
}

/// Smallest eigenvalue of a symmetric matrix, by cyclic Jacobi rotations.
#[must_use]
pub fn min_eigenvalue(m: &[Vec<f64>]) -> f64 {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m.to_vec();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + theta.hypot(1.0));
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / t.hypot(1.0);
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
            }
        }
    }
    (0..n).map(|i| a[i][i]).fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity_with(pairs: &[(usize, usize, f64)]) -> Vec<Vec<f64>> {
        let mut m = vec![vec![0.0; N_FACTORS]; N_FACTORS];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        for &(i, j, r) in pairs {
            m[i][j] = r;
            m[j][i] = r;
        }
        m
    }

    fn reconstructs(m: &[Vec<f64>]) {
        let l = cholesky_psd(m);
        for i in 0..N_FACTORS {
            for j in 0..N_FACTORS {
                let v: f64 = (0..N_FACTORS).map(|k| l[i][k] * l[j][k]).sum();
                assert!((v - m[i][j]).abs() < 1e-12, "({i},{j}): {v} vs {}", m[i][j]);
            }
        }
    }

    #[test]
    fn cholesky_reproduces_definite_and_singular_matrices() {
        reconstructs(&identity_with(&[(1, 2, 0.6), (1, 4, 0.2), (2, 4, 0.1), (5, 6, 0.3)]));
        // Perfect correlation: rank deficient but valid.
        reconstructs(&identity_with(&[(1, 2, 1.0)]));
    }

    #[test]
    fn eigenvalues_of_known_matrices() {
        // A 2x2 block [[1, r], [r, 1]] has eigenvalues 1 ± r.
        assert!((min_eigenvalue(&identity_with(&[(0, 1, 0.6)])) - 0.4).abs() < 1e-12);
        // Three factors pairwise at -0.9 cannot exist: eigenvalue 1 - 2*0.9 = -0.8.
        let m = identity_with(&[(0, 1, -0.9), (0, 2, -0.9), (1, 2, -0.9)]);
        assert!((min_eigenvalue(&m) + 0.8).abs() < 1e-12);
    }
}
