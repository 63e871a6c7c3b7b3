//! Capacity on the outage table's grid of steps: how many steps a unit takes, how many rows a
//! table of unit classes has, and the largest table built. The scenario's validation and the
//! grid's outage table both need these, so they live below both (the schema checks itself
//! without the physics).

/// Largest outage table built (rows, one per step of capacity); validation refuses fleets
/// and steps that would need more.
pub const MAX_ROWS: f64 = 4.0e6;

/// Relative distance within which `x / step` counts as a whole number of steps (a half, for
/// unit sizes). Floating-point division of decimal inputs errs by a few 1e-16; 1e-12 absorbs
/// that (and the rounding of a few further operations on the loads) while being far below any
/// difference a user could mean: at 1 MW steps it is 0.02 W on a 20 GW load.
pub const SNAP_RELATIVE: f64 = 1e-12;

/// A unit's size in steps: `unit_mw / step` rounded to the nearest whole number, halves
/// away from zero (so 1.5 steps count as 2), after a ratio within [`SNAP_RELATIVE`] of a half
/// is taken to be that half. Zero means the unit disappears from the table (validation
/// refuses such units).
#[must_use]
pub fn unit_steps(unit_mw: f64, step: f64) -> f64 {
    let y = unit_mw / step;
    let half = (2.0 * y).round() / 2.0;
    let y = if (y - half).abs() <= SNAP_RELATIVE * y.abs() {
        half
    } else {
        y
    };
    y.round()
}

/// Rows of the table of `classes` at `step` (one more than the installed capacity in steps).
#[must_use]
pub fn table_rows(classes: &[UnitClass], step: f64) -> f64 {
    1.0 + classes
        .iter()
        .map(|c| f64::from(c.count) * unit_steps(c.unit_mw, step))
        .sum::<f64>()
}

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
