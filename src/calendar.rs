//! Months of the horizon and the deterministic Bitcoin block schedule.
//!
//! The stochastic processes step in exact twelfths of a year; blocks and energy use the real
//! number of days in each month. Blocks arrive at the protocol's target of one per 600 s on
//! average (difficulty retargets every 2,016 blocks keep it there), i.e. 144 a day, so block
//! height — and with it every halving — is a deterministic function of the date.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Blocks per day at the 600 s target spacing.
pub const BLOCKS_PER_DAY: f64 = 144.0;
/// Blocks between halvings (`consensus.nSubsidyHalvingInterval`).
pub const HALVING_INTERVAL: u64 = 210_000;
/// Height of the 64th halving, from which the subsidy (`50 / 2^era` BTC here) is zero. Runs
/// keep their block schedule below it.
pub const LAST_SUBSIDY_HEIGHT: u64 = 64 * HALVING_INTERVAL;
/// Subsidy of the genesis era, BTC.
pub const INITIAL_SUBSIDY_BTC: f64 = 50.0;

/// A calendar month, e.g. `2026-04`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    /// Calendar year.
    pub year: i32,
    /// Month of the year, 1..=12.
    pub month: u32,
}

impl Default for YearMonth {
    fn default() -> Self {
        Self { year: 2026, month: 1 }
    }
}

impl YearMonth {
    /// The month `k` months after this one.
    #[must_use]
    pub fn plus(self, k: usize) -> Self {
        let idx = i64::from(self.year) * 12 + i64::from(self.month - 1) + k as i64;
        Self {
            year: i32::try_from(idx.div_euclid(12)).unwrap_or(i32::MAX),
            month: (idx.rem_euclid(12) + 1) as u32,
        }
    }

    /// Months from `earlier` to this month (negative if `earlier` comes after it).
    #[must_use]
    pub fn months_since(self, earlier: Self) -> i64 {
        (i64::from(self.year) - i64::from(earlier.year)) * 12 + i64::from(self.month) - i64::from(earlier.month)
    }

    /// Number of days in this month (Gregorian).
    #[must_use]
    pub fn days(self) -> u32 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 if (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0 => 29,
            2 => 28,
            _ => 31,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected a month as 'YYYY-MM', got '{s}'");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=12).contains(&month) || !(2000..=2200).contains(&year) {
            return Err(format!(
                "expected a month as 'YYYY-MM' between 2000-01 and 2200-12, got '{s}'"
            ));
        }
        Ok(Self { year, month })
    }
}

impl TryFrom<String> for YearMonth {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<YearMonth> for String {
    fn from(ym: YearMonth) -> String {
        ym.to_string()
    }
}

// Hourly load profiles are read by calendar position: a profile is a common year of hours, and
// these map an hour of a calendar year onto it. They live here, below both the scenario (which
// validates profiles) and the grid (which builds blocks from them).

/// Index into a year profile of `len` hours (a whole number of days) for hour `h` of a common
/// (365-day) year; a profile shorter than the year (8736 h = 52 weeks) repeats its last day.
#[must_use]
pub fn profile_index(h: usize, len: usize) -> usize {
    if h < len { h } else { len - 24 + (h - len) % 24 }
}

/// First hour of 29 February in a leap year (and of 1 March in a common year).
pub const FEB29_HOUR: usize = (31 + 28) * 24;

/// Hour of a common (365-day) year that hour `h` of calendar year `year` reads from a profile:
/// in a leap year 29 February reads 28 February and every later hour the same date of the
/// common year, so each calendar month reads the same month of the profile.
#[must_use]
pub fn common_year_hour(year: i32, h: usize) -> usize {
    let leap = YearMonth { year, month: 2 }.days() == 29;
    if leap && h >= FEB29_HOUR { h - 24 } else { h }
}

/// Block subsidy (BTC) of the block at `height`.
#[must_use]
pub fn subsidy_at(height: u64) -> f64 {
    let era = height / HALVING_INTERVAL;
    if height >= LAST_SUBSIDY_HEIGHT {
        0.0
    } else {
        INITIAL_SUBSIDY_BTC / (1u64 << era) as f64
    }
}

/// Deterministic facts of one simulated month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthInfo {
    /// The calendar month.
    pub date: YearMonth,
    /// Days in the month.
    pub days: u32,
    /// Block height at the start of the month (fractional: blocks accrue continuously).
    pub height_start: f64,
    /// Blocks found during the month.
    pub blocks: f64,
    /// Block-weighted mean subsidy over the month's blocks, BTC per block. A month that
    /// straddles a halving gets the exact mix of both eras.
    pub subsidy_btc: f64,
}

/// The months of a horizon starting at `start`, with the block schedule from `height0` (the
/// height at the start of the first month).
#[must_use]
pub fn schedule(start: YearMonth, months: usize, height0: f64) -> Vec<MonthInfo> {
    let mut h = height0;
    (0..months)
        .map(|k| {
            let date = start.plus(k);
            let blocks = f64::from(date.days()) * BLOCKS_PER_DAY;
            let subsidy_btc = mean_subsidy(h, h + blocks);
            let info = MonthInfo {
                date,
                days: date.days(),
                height_start: h,
                blocks,
                subsidy_btc,
            };
            h += blocks;
            info
        })
        .collect()
}

/// Mean subsidy over the (continuous) height interval [a, b).
fn mean_subsidy(a: f64, b: f64) -> f64 {
    let mut total = 0.0;
    let mut x = a;
    while x < b {
        let era_end = ((x / HALVING_INTERVAL as f64).floor() + 1.0) * HALVING_INTERVAL as f64;
        let seg_end = era_end.min(b);
        total += (seg_end - x) * subsidy_at(x as u64);
        x = seg_end;
    }
    total / (b - a)
}

/// Index of the first month whose start height is at or past `height`, if within the horizon.
#[must_use]
pub fn month_of_height(sched: &[MonthInfo], height: f64) -> Option<usize> {
    sched.iter().position(|m| height < m.height_start + m.blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsidy_schedule_matches_protocol() {
        assert_eq!(subsidy_at(0), 50.0);
        assert_eq!(subsidy_at(839_999), 6.25);
        assert_eq!(subsidy_at(840_000), 3.125);
        assert_eq!(subsidy_at(1_049_999), 3.125);
        assert_eq!(subsidy_at(1_050_000), 1.5625);
        assert_eq!(subsidy_at(1_260_000), 0.781_25);
        assert_eq!(subsidy_at(64 * 210_000), 0.0);
    }

    #[test]
    fn month_arithmetic() {
        let m: YearMonth = "2026-11".parse().unwrap();
        assert_eq!(m.plus(2).to_string(), "2027-01");
        assert_eq!("2028-02".parse::<YearMonth>().unwrap().days(), 29);
        assert_eq!("2100-02".parse::<YearMonth>().unwrap().days(), 28);
        assert!("2026-13".parse::<YearMonth>().is_err());
        assert!("26-01".parse::<YearMonth>().is_err());
    }

    #[test]
    fn halving_month_is_where_the_height_crosses() {
        // 120,000 blocks before the halving at the start of Jan 2026: 120,000 / 144 = 833.3 days
        // later is 13 April 2028, so April 2028 straddles it and May 2028 is fully post-halving.
        let s = schedule("2026-01".parse().unwrap(), 36, 930_000.0);
        let k = month_of_height(&s, 1_050_000.0).unwrap();
        assert_eq!(s[k].date.to_string(), "2028-04");
        assert!(s[k].subsidy_btc < 3.125 && s[k].subsidy_btc > 1.5625);
        assert_eq!(s[k - 1].subsidy_btc, 3.125);
        assert_eq!(s[k + 1].subsidy_btc, 1.5625);
        // Block-weighted: the straddling month mixes the two eras by its blocks on each side.
        let before = 1_050_000.0 - s[k].height_start;
        let expect = (before * 3.125 + (s[k].blocks - before) * 1.5625) / s[k].blocks;
        assert!((s[k].subsidy_btc - expect).abs() < 1e-12);
    }
}
