//! Load blocks: how a month's average load is spread over its hours.
//!
//! Representative-day mode gives 24 blocks per month, block `h` lasting `days` hours with the
//! month's row of the day shape. Hourly mode gives one block per hour of the calendar month from
//! a chronological profile of a year. In both, the shape is normalised to mean one within the
//! month, so the demand driver's monthly average load is kept exactly.

use crate::calendar::MonthInfo;
use crate::scenario::{Grid, LoadShape};

/// One block of a month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    /// Load in the block relative to the month's average.
    pub shape: f64,
    /// Duration, hours.
    pub hours: f64,
    /// Calendar month, 0 = January (for capacity factors).
    pub month_of_year: usize,
    /// Hour of day, 0 = 00:00-01:00 (for capacity factors).
    pub hour_of_day: usize,
}

/// Index into a year profile of `len` hours for hour `h` of the calendar year; a profile shorter
/// than the year (8736 h = 52 weeks, or 8760 h in a leap year) repeats its last day.
#[must_use]
pub fn profile_index(h: usize, len: usize) -> usize {
    if h < len { h } else { len - 24 + (h - len) % 24 }
}

/// The blocks of every simulated month.
#[must_use]
pub fn blocks(grid: &Grid, schedule: &[MonthInfo]) -> Vec<Vec<Block>> {
    schedule
        .iter()
        .map(|m| {
            let moy = (m.date.month - 1) as usize;
            match (grid.load_shape, &grid.hourly_shape) {
                (LoadShape::Hourly, Some(profile)) => {
                    let first_hour: usize = (1..m.date.month)
                        .map(|k| {
                            crate::calendar::YearMonth {
                                year: m.date.year,
                                month: k,
                            }
                            .days() as usize
                                * 24
                        })
                        .sum();
                    let n = m.days as usize * 24;
                    let raw: Vec<f64> = (0..n)
                        .map(|i| profile[profile_index(first_hour + i, profile.len())])
                        .collect();
                    let mean = raw.iter().sum::<f64>() / n as f64;
                    raw.iter()
                        .enumerate()
                        .map(|(i, &x)| Block {
                            shape: x / mean,
                            hours: 1.0,
                            month_of_year: moy,
                            hour_of_day: i % 24,
                        })
                        .collect()
                }
                _ => {
                    let row = &grid.day_shape[moy];
                    let mean = row.iter().sum::<f64>() / 24.0;
                    row.iter()
                        .enumerate()
                        .map(|(h, &x)| Block {
                            shape: x / mean,
                            hours: f64::from(m.days),
                            month_of_year: moy,
                            hour_of_day: h,
                        })
                        .collect()
                }
            }
        })
        .collect()
}
