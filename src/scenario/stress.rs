//! The schema of dated stress tests (`[[stress]]`): a named driver pinned to a declared path
//! from a given month. What a stress does to a path is in [`crate::drivers::stress`]; this file
//! only reads and checks it.

use super::reader::{Range, Table};
use crate::calendar::YearMonth;
use serde::{Deserialize, Serialize};

/// A driver a stress can pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StressDriver {
    /// The exchange rate, PKR per USD.
    #[default]
    Fx,
    /// Brent.
    Oil,
    /// LNG.
    Lng,
    /// Imported coal.
    Coal,
    /// The Bitcoin price.
    Bitcoin,
    /// Grid demand.
    Demand,
    /// Hydro availability.
    Hydro,
    /// LNG supply: the monthly energy (and take-or-pay floor) of every RLNG class with a fuel
    /// limit, scaled by `1 + change` in the window (lost cargoes); not a random driver.
    LngSupply,
}

/// The drivers' names as written in a scenario, in [`StressDriver`] order.
pub const STRESS_DRIVERS: [&str; 8] = ["fx", "oil", "lng", "coal", "bitcoin", "demand", "hydro", "lng_supply"];

/// One stress: from month `from`, over `months` months, a price or the exchange rate moves from
/// its level of the month before to `1 + change` times it, or to the level `to`, along a straight
/// line in logs, or takes the declared levels `path` month by month, then follows its own
/// dynamics from there; demand and hydro are scaled by `1 + change`, or set to the levels of
/// `path`, for the window only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stress {
    /// Which driver.
    pub driver: StressDriver,
    /// First stressed month.
    pub from: YearMonth,
    /// Length of the window, months.
    pub months: u32,
    /// Relative change: +0.35 is 35 % more, −0.25 a quarter less (this or `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    /// The level reached at the end of the window, in the driver's unit (prices and the
    /// exchange rate only; this or `change`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    /// The driver's level in each month of the window, in its unit (prices, the exchange rate;
    /// demand: the existing consumers' average load, MW; hydro: the availability factor); one of
    /// `change`, `to` or `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<f64>>,
    /// A label for the results (e.g. "2022-type FX crisis").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// Reads one `[[stress]]` table.
pub fn read(t: &mut Table<'_, '_>) -> Stress {
    let driver = [
        StressDriver::Fx,
        StressDriver::Oil,
        StressDriver::Lng,
        StressDriver::Coal,
        StressDriver::Bitcoin,
        StressDriver::Demand,
        StressDriver::Hydro,
        StressDriver::LngSupply,
    ][t.choice("driver", &STRESS_DRIVERS)];
    // Above −1 so that the level stays positive; 100x is beyond any episode.
    let change = t.opt_f64("change", Range::open(-1.0, 100.0));
    let to = t.opt_f64("to", Range::above(0.0, 1.0e9));
    let months = t.int("months", 1, 600) as u32;
    // A declared path: one positive level a month of the window (logs are taken of it).
    let path = t.opt_f64_list("path", Range::above(0.0, 1.0e12), &[months as usize]);
    let given = [
        ("change", change.is_some()),
        ("to", to.is_some()),
        ("path", t.optional("path").is_some()),
    ];
    match given.iter().filter(|g| g.1).map(|g| g.0).collect::<Vec<_>>()[..] {
        [] => t.problem(
            "change",
            "missing",
            "give the relative change (e.g. 0.35), the level to reach (to) or the levels month by month (path)",
        ),
        [_] => {}
        [first, second, ..] => t.problem(second, format!("given with {first}"), "give one of change, to or path"),
    }
    if driver == StressDriver::LngSupply && (to.is_some() || path.is_some()) {
        t.problem(
            if to.is_some() { "to" } else { "path" },
            "given",
            "lng_supply takes a relative change of the RLNG classes' monthly volumes (e.g. -0.75: a quarter of the cargoes arrive)",
        );
    }
    if to.is_some() && change.is_none() && matches!(driver, StressDriver::Demand | StressDriver::Hydro) {
        t.problem(
            "to",
            "a level",
            "demand and hydro take a relative change or a path of levels, not a level to reach",
        );
    }
    Stress {
        driver,
        from: t.parsed("from", str::parse::<YearMonth>),
        months,
        change,
        to,
        path,
        name: t.optional("name").map(|_| t.string("name")).unwrap_or_default(),
    }
}
