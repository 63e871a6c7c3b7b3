//! Float helpers for the hot loops of a baseline x86-64 build (no SSE4.1 `roundsd`), where
//! `f64::ceil` compiles to a libm call.

/// `y.ceil() as i32` for |y| < 2^31, exactly: truncation, then one step up for a positive
/// fraction. Branch-free, so it vectorises.
#[inline]
pub(crate) fn ceil_i32(y: f64) -> i32 {
    let t = y as i32;
    t + i32::from(f64::from(t) < y)
}

/// The larger of `a` and `b` as one compare and select (`f64::max` also orders NaNs, which
/// costs branches in the hot loops; their inputs are never NaN).
#[inline(always)]
pub(crate) fn max(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// The smaller of `a` and `b` as one compare and select (inputs never NaN).
#[inline(always)]
pub(crate) fn min(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// `x` clamped to `[lo, hi]` (`lo ≤ hi`; inputs never NaN) as two compare-and-selects.
#[inline(always)]
pub(crate) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    min(max(x, lo), hi)
}
