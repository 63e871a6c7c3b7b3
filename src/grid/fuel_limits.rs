//! Fuel that runs short: classes whose monthly fuel allows at most a given energy (domestic
//! gas, RLNG cargoes), and a take-or-pay volume that must be burned, dispatched by peak shaving
//! on the month's load duration curve (Booth-Baleriaux energy-limited loading).
//!
//! A class of capacity `cap_b` in block `b` and energy `E` for the month, facing the residual
//! load `r_b` (the load less what is served before it: profiled output and the energy-limited
//! classes scheduled earlier), runs
//!
//! `κ_b = clamp(r_b - y, 0, cap_b)`, with `y` such that `Σ_b h_b · clamp(r_b - y, 0, cap_b) = E`,
//!
//! or `κ_b = cap_b` (no level) when even running flat out in every block uses no more than `E`.
//! `κ_b` is then the class's capacity in block `b` of the merit order, at its own cost. At its
//! merit position the class meets the load above the cheaper classes, `r_b - G`; when the limit
//! binds there (`y > G`) it runs exactly `κ_b`, the top of the residual load; when it does not,
//! `κ_b ≥ r_b - G` and it runs at merit as if unlimited. Because the new loads add the same MW to
//! every block, the same `κ_b` is also the optimal schedule with them: the level that exhausts
//! the energy moves up by exactly the added MW, and at a position the limit did not bind before
//! the class now meets `r_b + A - G ≤ κ_b` wherever it binds after. So the schedule is computed
//! once per month, from the load without the new loads, and serves both cases exactly.

use crate::float::{clamp, max, min};

/// The shaving level `y`: `Σ_b hours[b] · clamp(r[b] - y, 0, cap[b]) = energy`; `-∞` when the
/// class can run flat out within `energy`. `r`, `cap`, `hours` have one entry per block; `cap`
/// and `hours` are non-negative.
///
/// `F(y) = Σ h · clamp(r - y, 0, cap)` falls from its full value (at `y ≤ min(r - cap)`) to zero
/// (at `y ≥ max r`), linearly between breakpoints, with slope `-S(y)`, `S` the hours of the
/// blocks where `r - cap < y < r`. Newton steps on `F` keep a bracket and fall back to bisection
/// when a step leaves it; once a step starts on the solution's linear piece it lands on the
/// solution, so a handful of passes over the blocks suffice (no sort).
#[must_use]
pub fn shaving_level(r: &[f64], cap: &[f64], hours: &[f64], energy: f64) -> f64 {
    let n = r.len();
    let (r, cap, hours) = (&r[..n], &cap[..n], &hours[..n]);
    let full: f64 = hours.iter().zip(cap).map(|(h, c)| h * c).sum();
    if energy >= full {
        return f64::NEG_INFINITY;
    }
    // Four interleaved partial sums over whole chunks of four blocks, so that the pass over
    // the blocks vectorises; the remainder after them.
    let eval = |y: f64| {
        let (mut f, mut slope) = ([0.0; 4], [0.0; 4]);
        let term = |r: f64, cap: f64, h: f64| {
            let x = r - y;
            (h * clamp(x, 0.0, cap), if x > 0.0 && x < cap { h } else { 0.0 })
        };
        let (r4, c4, h4) = (r.chunks_exact(4), cap.chunks_exact(4), hours.chunks_exact(4));
        let rest = r4.remainder().iter().zip(c4.remainder()).zip(h4.remainder());
        let (mut f_rest, mut slope_rest) = (0.0, 0.0);
        for ((&r, &c), &h) in rest {
            let (e, s) = term(r, c, h);
            f_rest += e;
            slope_rest += s;
        }
        for ((r, c), h) in r4.zip(c4).zip(h4) {
            for i in 0..4 {
                let (e, s) = term(r[i], c[i], h[i]);
                f[i] += e;
                slope[i] += s;
            }
        }
        (
            (f[0] + f[2]) + (f[1] + f[3]) + f_rest,
            (slope[0] + slope[2]) + (slope[1] + slope[3]) + slope_rest,
        )
    };
    let mut lo = r.iter().zip(cap).map(|(r, c)| r - c).fold(f64::INFINITY, min);
    let mut hi = r.iter().copied().fold(f64::NEG_INFINITY, max);
    // The tolerance: well below what any output shows, well above the sums' rounding.
    let tol = 1e-12 * full;
    let mut y = hi - (hi - lo) * (energy / full);
    for _ in 0..200 {
        let (f, slope) = eval(y);
        if (f - energy).abs() <= tol {
            return y;
        }
        if f > energy {
            lo = y;
        } else {
            hi = y;
        }
        let step = if slope > 0.0 {
            y + (f - energy) / slope
        } else {
            f64::NAN
        };
        y = if step > lo && step < hi { step } else { 0.5 * (lo + hi) };
        if hi - lo <= 1e-12 * (hi.abs() + lo.abs() + 1.0) {
            return y;
        }
    }
    y
}

/// The class's schedule: `out[b] = clamp(r[b] - level, 0, cap[b])` (`cap[b]` when `level` is
/// `-∞`).
pub fn schedule(r: &[f64], cap: &[f64], level: f64, out: &mut [f64]) {
    for ((o, &r), &c) in out.iter_mut().zip(r).zip(cap) {
        *o = clamp(r - level, 0.0, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn energy(r: &[f64], cap: &[f64], h: &[f64], y: f64) -> f64 {
        r.iter()
            .zip(cap)
            .zip(h)
            .map(|((r, c), h)| h * (r - y).max(0.0).min(*c))
            .sum()
    }

    #[test]
    fn peak_shaving_matches_a_hand_computed_load_duration_curve() {
        // Four blocks of a day, 30 days each: residual loads 1,000 / 1,400 / 1,800 / 1,200 MW,
        // a 500 MW class with 18,000 MWh. Load duration curve from the top: 1,800, 1,400,
        // 1,200, 1,000. At y = 1,400 the class runs 400 MW in one block: 12,000 MWh; at y =
        // 1,300: 500 + 100 = 600 MW x 30 h = 18,000 MWh. So y = 1,300 and the class runs 500 MW
        // (its capacity) in the 1,800 block and 100 MW in the 1,400 block, nothing else.
        let r = [1_000.0, 1_400.0, 1_800.0, 1_200.0];
        let cap = [500.0; 4];
        let h = [30.0; 4];
        let y = shaving_level(&r, &cap, &h, 18_000.0);
        assert!((y - 1_300.0).abs() < 1e-9, "{y}");
        let mut out = [0.0; 4];
        schedule(&r, &cap, y, &mut out);
        for (got, want) in out.iter().zip([0.0, 100.0, 500.0, 0.0]) {
            assert!((got - want).abs() < 1e-9, "{out:?}");
        }
        // Enough fuel to run flat out: no level, full capacity.
        assert_eq!(shaving_level(&r, &cap, &h, 60_000.0), f64::NEG_INFINITY);
    }

    #[test]
    fn the_level_uses_exactly_the_energy() {
        let r = [3.0, 9.5, 7.25, 12.0, 1.0, 6.0];
        let cap = [2.0, 4.0, 1.5, 3.0, 5.0, 0.0];
        let h = [1.0, 2.0, 0.5, 1.0, 3.0, 1.0];
        let full = energy(&r, &cap, &h, f64::NEG_INFINITY);
        for k in 1..40 {
            let e = full * f64::from(k) / 40.0;
            let y = shaving_level(&r, &cap, &h, e);
            assert!((energy(&r, &cap, &h, y) - e).abs() < 1e-9 * full, "{k}: {y}");
        }
    }
}
