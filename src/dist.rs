//! Every constructor of a probability distribution the model samples or tabulates, in one
//! place and guarded: none of them can panic, whatever the parameters.
//!
//! The libraries' constructors return `Err` (and `rand_distr`'s chi-square even panics, for an
//! infinite number of degrees of freedom) outside their domain, and a domain can be left
//! without any parameter being out of its validated range: an annual jump intensity of
//! `3e-323` is positive, but a twelfth of it underflows to zero, which `Poisson::new` refuses.
//! Each function here maps the edge of the domain to the distribution's exact limit there, and
//! documents it.

use rand_distr::{ChiSquared, Poisson};
use statrs::distribution::{Binomial, Discrete};

/// Poisson counts with mean `mean`, or `None` when no draw can be positive.
///
/// `None` for a mean that is zero, negative, NaN, or so small that `exp(-mean)` rounds to 1:
/// the sampler (Knuth's, below a mean of 12) then returns 0 for every uniform draw, so having
/// no distribution at all gives the same counts, exactly. A mean above what the sampler
/// supports ([`Poisson::MAX_LAMBDA`], about 1.8e19) is capped there.
#[must_use]
pub fn poisson(mean: f64) -> Option<Poisson<f64>> {
    if mean.is_nan() || (-mean).exp() >= 1.0 {
        return None;
    }
    Poisson::new(mean.min(Poisson::<f64>::MAX_LAMBDA)).ok()
}

/// The chi-square mixing variable of unit-variance Student-t shocks with `dof` degrees of
/// freedom, or `None` (normal shocks, the limit of infinitely many degrees of freedom) when
/// `dof` is not a finite number above 2: a t variable has a finite variance to scale to one
/// only for `dof > 2`. Validation allows (2, 1000].
#[must_use]
pub fn student_t_mixing(dof: f64) -> Option<ChiSquared<f64>> {
    if !(dof.is_finite() && dof > 2.0) {
        return None;
    }
    ChiSquared::new(dof).ok()
}

/// `P(K = k)` for `k = 0..=n` of a binomial number `K` of successes in `n` trials of
/// probability `p`. A `p` outside [0, 1] is clamped to it; a NaN `p` counts as 0 (no success).
#[must_use]
pub fn binomial_pmf(n: u32, p: f64) -> Vec<f64> {
    let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    match Binomial::new(p, n.into()) {
        Ok(b) => (0..=u64::from(n)).map(|k| b.pmf(k)).collect(),
        // Unreachable for a p in [0, 1]; all mass on no success keeps the table a distribution.
        Err(_) => std::iter::once(1.0)
            .chain(std::iter::repeat_n(0.0, n as usize))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::Distribution;

    #[test]
    fn edges_of_every_domain_give_the_limit_not_a_panic() {
        for mean in [0.0, -1.0, f64::NAN, 3e-323 / 12.0, 1e-300, 1e-17, f64::NEG_INFINITY] {
            assert!(poisson(mean).is_none(), "mean {mean}");
        }
        let mut r = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        for mean in [1e-9, 4.0, 1e30, f64::INFINITY] {
            let p = poisson(mean).expect("a positive mean");
            assert!(p.sample(&mut r) >= 0.0, "mean {mean}");
        }
        for dof in [2.0, 1.0, 0.0, -3.0, f64::NAN, f64::INFINITY] {
            assert!(student_t_mixing(dof).is_none(), "dof {dof}");
        }
        assert!(student_t_mixing(2.5).is_some());
        assert!(student_t_mixing(1000.0).is_some());
        assert_eq!(binomial_pmf(2, f64::NAN), vec![1.0, 0.0, 0.0]);
        assert_eq!(binomial_pmf(2, 1.5), vec![0.0, 0.0, 1.0]);
        assert_eq!(binomial_pmf(2, 0.0), vec![1.0, 0.0, 0.0]);
        let b = binomial_pmf(2, 0.5);
        assert!((b[1] - 0.5).abs() < 1e-15 && (b[0] - 0.25).abs() < 1e-15);
    }

    #[test]
    fn a_mean_too_small_to_matter_draws_no_jump_either_way() {
        // The smallest mean the guard keeps behaves like the sampler it replaces: Knuth's
        // sampler with exp(-mean) == 1 can only return 0.
        let tiny: f64 = 1e-17;
        assert_eq!((-tiny).exp(), 1.0);
        let knuth = Poisson::new(tiny).expect("positive");
        let mut r = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        assert!((0..10_000).all(|_| knuth.sample(&mut r) == 0.0));
    }
}
