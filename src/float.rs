//! Float helpers for the hot loops of a baseline x86-64 build (no SSE4.1 `roundsd`), where
//! `f64::ceil` compiles to a libm call.

/// `y.ceil() as i32` for |y| < 2^31, exactly: truncation, then one step up for a positive
/// fraction. Branch-free, so it vectorises.
#[inline]
pub(crate) fn ceil_i32(y: f64) -> i32 {
    let t = y as i32;
    t + i32::from(f64::from(t) < y)
}
