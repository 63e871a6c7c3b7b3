//! The schema of load-shedding as it happens beyond capacity outages: latent demand, feeder
//! classes and their shedding rules, the grid's deliverable capacity, the liquidity feedback
//! on imported fuel (`[shedding]`), and fuel energy limits of generating classes
//! (`[fleet.fuel_limit]`). What each does, block by block, is in [`crate::grid`]'s
//! `feeders`, `fuel_limits`, `deliverability` and `liquidity`; this file only reads and
//! checks them.

use super::reader::{Range, Table};
use crate::calendar::YearMonth;
use serde::{Deserialize, Serialize};

/// Most feeder classes a scenario may declare (each has its own outputs).
pub const MAX_FEEDER_CLASSES: usize = 6;

/// How a feeder class is shed beyond capacity shortfalls.
pub const FEEDER_RULES: [&str; 3] = ["none", "economic", "schedule"];

/// Everything about load-shedding that is not a capacity outage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shedding {
    /// Demand the existing consumers would draw on top of the demand driver's served load, as a
    /// share of it, by calendar month (January first): latent = served x (1 + share).
    pub suppressed_share: [f64; 12],
    /// The average sale price the economic rule values a class's billed kWh at, PKR/kWh in the
    /// first month; it follows the consumer price index.
    pub tariff_pkr_per_kwh: f64,
    /// Classes of the existing load by aggregate technical and commercial loss.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feeder_class: Vec<FeederClass>,
    /// The most the network can deliver, MW, as dated steps (none: unlimited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deliverable: Vec<DeliverableStep>,
    /// Derating of imported-fuel capacity when the circular debt is too large.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquidity: Option<Liquidity>,
}

/// A class of feeders.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeederClass {
    /// Unique name, e.g. `"loss_above_60"`.
    pub name: String,
    /// Share of the existing load on these feeders; the classes' shares sum to one.
    pub load_share: f64,
    /// Share of the energy delivered to the feeders that is never billed (technical and
    /// commercial loss).
    pub loss_rate: f64,
    /// Share of the billed energy that is paid.
    pub recovery_rate: f64,
    /// `"none"`, `"economic"` or `"schedule"`.
    pub rule: String,
    /// Hours a day the class is shed under `rule = "schedule"`, or at least shed under `rule =
    /// "economic"` (in the day's hours of highest load), by calendar month (January first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_day: Option<[f64; 12]>,
    /// Under `rule = "economic"`, the most hours a day the rule may shed the class (in the
    /// day's hours of highest load), by calendar month (January first); absent: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hours_per_day: Option<[f64; 12]>,
}

impl FeederClass {
    /// What the system recovers per kWh delivered to the class, as a share of the tariff.
    #[must_use]
    pub fn recovered_share(&self) -> f64 {
        (1.0 - self.loss_rate) * self.recovery_rate
    }
}

/// The network's deliverable capacity from a month on.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverableStep {
    /// First month of the limit (from the start if absent, for the first step only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<YearMonth>,
    /// Most load the network can deliver at the generation side, MW.
    pub mw: f64,
}

/// The loop from circular debt to idle imported-fuel plants.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Liquidity {
    /// The power sector's circular-debt stock in the first month, PKR.
    pub circular_debt0_pkr: f64,
    /// Its change a year without the allocation (the exogenous base path), PKR.
    pub circular_debt_growth_pkr_per_year: f64,
    /// Stock above which fuel suppliers' credit tightens, PKR.
    pub threshold_pkr: f64,
    /// Share of imported-fuel capacity idled per unit of relative excess over the threshold.
    pub derate_per_excess: f64,
}

/// A generating class's fuel energy limits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuelLimit {
    /// Most energy the class's fuel allows in a month, GWh of output, by calendar month.
    pub energy_gwh_per_month: [f64; 12],
    /// Energy that must be taken (take-or-pay), GWh of output, by calendar month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_take_gwh_per_month: Option<[f64; 12]>,
    /// The price the take-or-pay volume is dispatched at, USD/MMBtu: what burning it saves
    /// (zero when it is paid for whether burned or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_or_pay_usd_per_mmbtu: Option<f64>,
}

/// Reads `[shedding]`.
pub fn read(t: &mut Table<'_, '_>) -> Shedding {
    let share = Range::closed(0.0, 1.0);
    let suppressed_share = t.monthly("suppressed_share", Range::closed(0.0, 2.0));
    let tariff_pkr_per_kwh = t.f64("tariff_pkr_per_kwh", Range::above(0.0, 10_000.0));
    let feeder_class = t.opt_tables("feeder_class", |c| {
        let rule = FEEDER_RULES[c.choice("rule", &FEEDER_RULES)].to_owned();
        let hours = Range::closed(0.0, 24.0);
        let hours_per_day = opt_monthly(c, "hours_per_day", hours);
        let max_hours_per_day = opt_monthly(c, "max_hours_per_day", hours);
        if let Some(h) = &max_hours_per_day
            && rule != "economic"
        {
            c.problem(
                "max_hours_per_day",
                brief_monthly(h),
                format!("applies only to rule = \"economic\" (this class's rule is \"{rule}\")"),
            );
        }
        match (rule.as_str(), &hours_per_day) {
            ("schedule", None) => c.problem(
                "hours_per_day",
                "missing",
                "a class shed on a schedule needs its hours a day",
            ),
            ("none", Some(h)) => c.problem(
                "hours_per_day",
                brief_monthly(h),
                "a class under rule = \"none\" is never shed by a rule; use \"schedule\"",
            ),
            ("economic", Some(h)) => {
                if let Some(m) = &max_hours_per_day {
                    floor_within_cap(c, h, m);
                }
            }
            _ => {}
        }
        FeederClass {
            name: c.string("name"),
            load_share: c.f64("load_share", share),
            loss_rate: c.f64("loss_rate", Range::below(0.0, 1.0)),
            recovery_rate: c.f64("recovery_rate", share),
            rule,
            hours_per_day,
            max_hours_per_day,
        }
    });
    let path = t.path().to_owned();
    if feeder_class.len() > MAX_FEEDER_CLASSES {
        t.problem(
            "feeder_class",
            format!("{} classes", feeder_class.len()),
            format!("at most {MAX_FEEDER_CLASSES} feeder classes"),
        );
    }
    if !feeder_class.is_empty() {
        let total: f64 = feeder_class.iter().map(|c| c.load_share).sum();
        if (total - 1.0).abs() > 1e-9 {
            t.problem(
                "feeder_class",
                format!("load shares summing to {total}"),
                "the classes' load_share must sum to 1 (every MW of the existing load is on some feeder)",
            );
        }
    }
    for (i, c) in feeder_class.iter().enumerate() {
        if let Some(j) = feeder_class[..i].iter().position(|d| d.name == c.name) {
            t.problem(
                &format!("feeder_class[{i}].name"),
                format!("'{}'", c.name),
                format!("duplicate of {path}.feeder_class[{j}].name; names must be unique"),
            );
        }
    }
    let deliverable = t.opt_tables("deliverable", |d| DeliverableStep {
        from: d.opt_parsed("from", str::parse::<YearMonth>),
        mw: d.f64("mw", Range::above(0.0, 2.0e6)),
    });
    for (i, w) in deliverable.windows(2).enumerate() {
        match (w[0].from, w[1].from) {
            (_, None) => t.problem(
                &format!("deliverable[{}].from", i + 1),
                "missing",
                "every limit after the first needs the month it starts",
            ),
            (Some(a), Some(b)) if b <= a => t.problem(
                &format!("deliverable[{}].from", i + 1),
                format!("'{b}'"),
                format!("must be after the previous limit's from ('{a}')"),
            ),
            _ => {}
        }
    }
    let liquidity = t.opt_table("liquidity").map(|mut l| {
        let money = Range::closed(0.0, 1.0e16);
        let out = Liquidity {
            circular_debt0_pkr: l.f64("circular_debt0_pkr", money),
            circular_debt_growth_pkr_per_year: l
                .f64("circular_debt_growth_pkr_per_year", Range::closed(-1.0e15, 1.0e15)),
            threshold_pkr: l.f64("threshold_pkr", Range::above(0.0, 1.0e16)),
            derate_per_excess: l.f64("derate_per_excess", Range::closed(0.0, 100.0)),
        };
        l.finish();
        out
    });
    Shedding {
        suppressed_share,
        tariff_pkr_per_kwh,
        feeder_class,
        deliverable,
        liquidity,
    }
}

/// Calendar months' names, January first, for messages.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An optional number or list of 12 numbers (January first) in `range`, as twelve.
fn opt_monthly(t: &mut Table<'_, '_>, key: &'static str, range: Range) -> Option<[f64; 12]> {
    t.optional(key).is_some().then(|| t.monthly(key, range))
}

/// A monthly value as a message shows it: one number when every month has it.
fn brief_monthly(x: &[f64; 12]) -> String {
    if x.iter().all(|v| v.to_bits() == x[0].to_bits()) {
        format!("{:?}", x[0])
    } else {
        format!("{x:?}")
    }
}

/// Checks an economic class's scheduled floor against its cap, month by month: one problem on
/// `hours_per_day` when both are the same every month, else one per month that breaks it,
/// naming the month.
fn floor_within_cap(t: &Table<'_, '_>, floor: &[f64; 12], cap: &[f64; 12]) {
    let same = |x: &[f64; 12]| x.iter().all(|v| v.to_bits() == x[0].to_bits());
    if same(floor) && same(cap) {
        if floor[0] > cap[0] {
            t.problem(
                "hours_per_day",
                format!("{:?}", floor[0]),
                format!("the scheduled hours must not exceed max_hours_per_day = {:?}", cap[0]),
            );
        }
        return;
    }
    for (m, (h, c)) in floor.iter().zip(cap).enumerate() {
        if h > c {
            t.problem(
                &format!("hours_per_day[{m}]"),
                format!("{h:?}"),
                format!(
                    "the scheduled hours in {} must not exceed that month's max_hours_per_day = {c:?}",
                    MONTHS[m]
                ),
            );
        }
    }
}

/// Reads a fleet class's `fuel_limit`.
pub fn read_fuel_limit(t: &mut Table<'_, '_>) -> FuelLimit {
    let gwh = Range::closed(0.0, 1.0e7);
    let energy_gwh_per_month = t.monthly("energy_gwh_per_month", gwh);
    let min_take_gwh_per_month = t
        .optional("min_take_gwh_per_month")
        .is_some()
        .then(|| t.monthly("min_take_gwh_per_month", gwh));
    let take_or_pay_usd_per_mmbtu = t.opt_f64("take_or_pay_usd_per_mmbtu", Range::closed(0.0, 200.0));
    match (min_take_gwh_per_month, take_or_pay_usd_per_mmbtu) {
        (Some(_), None) => t.problem(
            "take_or_pay_usd_per_mmbtu",
            "missing",
            "a minimum take needs the price its volume is dispatched at (0 when paid for whether burned or not)",
        ),
        (None, Some(p)) => t.problem(
            "take_or_pay_usd_per_mmbtu",
            format!("{p:?}"),
            "applies only with min_take_gwh_per_month",
        ),
        (Some(min), _) => {
            for (m, (lo, hi)) in min.iter().zip(&energy_gwh_per_month).enumerate() {
                if lo > hi {
                    t.problem(
                        &format!("min_take_gwh_per_month[{m}]"),
                        format!("{lo:?}"),
                        format!("must be at most energy_gwh_per_month[{m}] = {hi:?}"),
                    );
                }
            }
        }
        (None, None) => {}
    }
    FuelLimit {
        energy_gwh_per_month,
        min_take_gwh_per_month,
        take_or_pay_usd_per_mmbtu,
    }
}

#[cfg(test)]
mod tests {
    use crate::error::{GridRiskError, Issue};
    use crate::scenario::Scenario;

    fn preset() -> toml::Table {
        include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml")
            .parse()
            .expect("preset parses")
    }

    /// The preset with `edit` applied to its first economic feeder class with a floor.
    fn with_class(edit: impl FnOnce(&mut toml::Table)) -> Result<Scenario, Vec<Issue>> {
        let mut doc = preset();
        let classes = doc["shedding"]["feeder_class"].as_array_mut().expect("classes");
        edit(classes[2].as_table_mut().expect("a class"));
        let text = toml::to_string(&doc).expect("serialises");
        Scenario::from_toml_str(&text).map_err(|e| match e {
            GridRiskError::Scenario(issues) => issues,
            e => panic!("unexpected error {e}"),
        })
    }

    fn list(x: &[f64; 12]) -> toml::Value {
        toml::Value::Array(x.iter().map(|&v| toml::Value::Float(v)).collect())
    }

    #[test]
    fn a_scalar_is_the_same_as_twelve_months_of_it() {
        let set = |floor: toml::Value, cap: toml::Value| {
            with_class(|c| {
                c.insert("hours_per_day".into(), floor);
                c.insert("max_hours_per_day".into(), cap);
            })
            .expect("valid")
        };
        let scalar = set(toml::Value::Float(2.5), toml::Value::Float(4.0));
        let monthly = set(list(&[2.5; 12]), list(&[4.0; 12]));
        assert_eq!(scalar, monthly);
        let c = &scalar.shedding.as_ref().expect("shedding").feeder_class[2];
        assert_eq!(c.hours_per_day, Some([2.5; 12]));
        assert_eq!(c.max_hours_per_day, Some([4.0; 12]));
        // And it reads back from its own TOML.
        assert_eq!(
            Scenario::from_toml_str(&scalar.to_toml_string()).expect("round trip"),
            scalar
        );
    }

    #[test]
    fn monthly_floors_and_caps_are_checked_month_by_month() {
        let mut floor = [3.0; 12];
        let mut cap = [4.0; 12];
        cap[5] = 8.0;
        floor[5] = 7.5;
        let sc = with_class(|c| {
            c.insert("hours_per_day".into(), list(&floor));
            c.insert("max_hours_per_day".into(), list(&cap));
        })
        .expect("valid");
        let c = &sc.shedding.as_ref().expect("shedding").feeder_class[2];
        assert_eq!(c.max_hours_per_day, Some(cap));
        assert_eq!(Scenario::from_toml_str(&sc.to_toml_string()).expect("round trip"), sc);
        // A floor above the cap in May only (the cap is the same every month, the floor not).
        floor[4] = 5.0;
        let p = with_class(|c| {
            c.insert("hours_per_day".into(), list(&floor));
            c.insert("max_hours_per_day".into(), toml::Value::Float(4.0));
        })
        .expect_err("floor above cap");
        let fields: Vec<&str> = p.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "shedding.feeder_class[2].hours_per_day[4]",
                "shedding.feeder_class[2].hours_per_day[5]"
            ]
        );
        assert!(p[0].message.contains("in May"), "{}", p[0].message);
        assert!(
            p[1].message.contains("in June") && p[1].message.contains("4.0"),
            "{}",
            p[1].message
        );
        // Scalars keep the one message.
        let p = with_class(|c| {
            c.insert("hours_per_day".into(), toml::Value::Float(5.0));
            c.insert("max_hours_per_day".into(), toml::Value::Float(4.0));
        })
        .expect_err("floor above cap");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, "shedding.feeder_class[2].hours_per_day");
        // Out of range in one month, and a list of the wrong length.
        let mut bad = [4.0; 12];
        bad[7] = 25.0;
        let p = with_class(|c| {
            c.insert("max_hours_per_day".into(), list(&bad));
        })
        .expect_err("25 h");
        assert_eq!(p[0].field, "shedding.feeder_class[2].max_hours_per_day[7]");
        let p = with_class(|c| {
            c.insert(
                "max_hours_per_day".into(),
                toml::Value::Array(vec![toml::Value::Float(4.0); 11]),
            );
        })
        .expect_err("11 months");
        assert_eq!(p[0].field, "shedding.feeder_class[2].max_hours_per_day");
        assert!(p[0].message.contains("12 numbers"), "{}", p[0].message);
    }
}
