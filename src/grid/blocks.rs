//! Load blocks: how a month's average load is spread over its hours.
//!
//! Representative-day mode gives 24 blocks per month, block `h` lasting `days` hours with the
//! month's row of the day shape. Hourly mode gives one block per hour of the calendar month from
//! a chronological profile of a common (365-day) year: every calendar month reads the same
//! month of the profile, 29 February of a leap year repeating 28 February. In both, the shape
//! is normalised to mean one within the month, so the demand driver's monthly average load is
//! kept exactly.

use crate::calendar::{MonthInfo, common_year_hour, profile_index};
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
                        .map(|i| profile[profile_index(common_year_hour(m.date.year, first_hour + i), profile.len())])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::FEB29_HOUR;
    use crate::calendar::YearMonth;

    /// Hours of calendar month `month` of `year` as hours of that year.
    fn hours_of(year: i32, month: u32) -> std::ops::Range<usize> {
        let start: usize = (1..month)
            .map(|k| YearMonth { year, month: k }.days() as usize * 24)
            .sum();
        start..start + YearMonth { year, month }.days() as usize * 24
    }

    #[test]
    fn every_calendar_month_reads_its_own_month_of_the_profile() {
        for len in [8760, 8736] {
            for month in 1..=12 {
                let common: Vec<usize> = hours_of(2027, month).map(|h| profile_index(h, len)).collect();
                let leap: Vec<usize> = hours_of(2028, month)
                    .map(|h| profile_index(common_year_hour(2028, h), len))
                    .collect();
                if month == 2 {
                    // 29 February repeats 28 February.
                    assert_eq!(leap[..28 * 24], common[..]);
                    assert_eq!(leap[28 * 24..], common[27 * 24..]);
                } else {
                    assert_eq!(leap, common, "month {month}, {len} h");
                }
                // Every index read lies in the profile's own month (or its last day beyond it).
                let own = hours_of(2027, month);
                assert!(
                    common.iter().all(|&i| own.contains(&i) || i >= len - 24),
                    "month {month}"
                );
            }
        }
        // 2100 is a common year: no shift.
        assert_eq!(common_year_hour(2100, 8000), 8000);
        assert_eq!(common_year_hour(2028, FEB29_HOUR - 1), FEB29_HOUR - 1);
        assert_eq!(common_year_hour(2028, FEB29_HOUR), FEB29_HOUR - 24);
        assert_eq!(common_year_hour(2028, 366 * 24 - 1), 365 * 24 - 1);
    }
}
