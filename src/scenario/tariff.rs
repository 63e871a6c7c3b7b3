//! The schema of a new load's tariff: a dated sequence of regimes (`[[mining.tariff]]`,
//! `[[datacenters.tariff]]`). What each regime charges, month by month, is in
//! [`crate::accounts::tariff`]; this file only reads and checks it.

use super::reader::{Range, Table};
use crate::calendar::YearMonth;
use serde::{Deserialize, Serialize};

/// What a cost-plus tariff marks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostReference {
    /// Last month's hour-weighted marginal cost of the system without the new loads.
    #[default]
    SystemMarginal,
    /// Last month's average incremental cost of the new loads themselves: their added generation
    /// cost over their added generation, `Σ_b h_b (C(L_b + A) - C(L_b)) / (A h)`.
    OwnAverage,
}

/// One tariff regime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "regime", rename_all = "snake_case", deny_unknown_fields)]
pub enum Regime {
    /// A fixed price in rupees.
    FixedPkr {
        /// PKR/kWh.
        pkr_per_kwh: f64,
    },
    /// A fixed price in US dollars, paid in rupees at the month's exchange rate.
    FixedUsd {
        /// USD/kWh.
        usd_per_kwh: f64,
    },
    /// A markup over last month's cost (month 0: the system's own marginal cost that month).
    CostPlus {
        /// Markup over the reference (0.1 = 10 %).
        markup: f64,
        /// `"system_marginal"` or `"own_average"`.
        reference: CostReference,
    },
    /// A rupee floor plus a share of the miners' gross BTC revenue (miners only).
    FloorPlusShare {
        /// Floor, PKR/kWh.
        floor_pkr_per_kwh: f64,
        /// Share of gross BTC revenue paid to the power purchaser.
        revenue_share: f64,
    },
    /// The incremental-consumption package: a base rate plus positive fuel-cost adjustments,
    /// reviewed every `review_months` to recover the period's shortfall, ended by consecutive
    /// upward reviews or at a hard expiry, and covering at most a volume a fiscal year.
    IncrementalPackage {
        /// Base rate, PKR/kWh.
        base_pkr_per_kwh: f64,
        /// Fuel cost built into the base rate, PKR/kWh: the monthly fuel-cost adjustment is this
        /// times (the system's fuel-cost index - 1), passed through only when positive.
        reference_fuel_pkr_per_kwh: f64,
        /// Months between reviews (0: never reviewed).
        review_months: u32,
        /// Consecutive upward reviews that end the package (0: never ended by reviews).
        terminate_after_upward_reviews: u32,
        /// Energy the package covers in one fiscal year (July-June), GWh at the meter; beyond it
        /// the next regime's price applies (0: no cap).
        cap_gwh_per_fiscal_year: f64,
        /// Last month the package covers; it is never rolled over.
        until: YearMonth,
    },
    /// The standard industrial tariff: a base rate rebased every January, indexed to the
    /// exchange rate, the system's fuel cost and the price level with declared weights.
    Industrial {
        /// Base rate when the regime starts, PKR/kWh.
        base_pkr_per_kwh: f64,
        /// Weight of the exchange rate (capacity payments are largely dollar-indexed).
        fx_weight: f64,
        /// Weight of the system's fuel cost (last month's base marginal cost).
        fuel_weight: f64,
        /// Weight of the consumer price index.
        cpi_weight: f64,
    },
}

/// One step of a tariff path: a regime and the month it starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffStep {
    /// First month of the regime. Absent: when the previous regime ends (an incremental
    /// package at its expiry, termination or cap), or from the start for the first step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<YearMonth>,
    /// The regime.
    #[serde(flatten)]
    pub regime: Regime,
}

/// Regime names; data centres accept every one but `floor_plus_share`.
pub const REGIMES: [&str; 6] = [
    "fixed_pkr",
    "fixed_usd",
    "cost_plus",
    "floor_plus_share",
    "incremental_package",
    "industrial",
];

const PKR_PER_KWH: Range = Range::closed(0.0, 500.0);

/// Reads `[[<table>.tariff]]`: a non-empty list of steps in time order. `miners` allows the
/// revenue-share regime.
pub fn read(t: &mut Table<'_, '_>, miners: bool) -> Vec<TariffStep> {
    let allowed: &[&str] = if miners { &REGIMES } else { &REGIMES[..3] };
    let allowed: Vec<&str> = allowed.iter().chain(&REGIMES[4..]).copied().collect();
    let steps = t.tables("tariff", |s| {
        let from = s.opt_parsed("from", str::parse::<YearMonth>);
        let regime = match allowed[s.choice("regime", &allowed)] {
            "fixed_pkr" => Regime::FixedPkr {
                pkr_per_kwh: s.f64("pkr_per_kwh", PKR_PER_KWH),
            },
            "fixed_usd" => Regime::FixedUsd {
                usd_per_kwh: s.f64("usd_per_kwh", Range::closed(0.0, 2.0)),
            },
            "cost_plus" => Regime::CostPlus {
                markup: s.f64("markup", Range::closed(-0.5, 2.0)),
                reference: [CostReference::SystemMarginal, CostReference::OwnAverage]
                    [s.choice("reference", &["system_marginal", "own_average"])],
            },
            "floor_plus_share" => Regime::FloorPlusShare {
                floor_pkr_per_kwh: s.f64("floor_pkr_per_kwh", PKR_PER_KWH),
                revenue_share: s.f64("revenue_share", Range::closed(0.0, 1.0)),
            },
            "incremental_package" => Regime::IncrementalPackage {
                base_pkr_per_kwh: s.f64("base_pkr_per_kwh", PKR_PER_KWH),
                reference_fuel_pkr_per_kwh: s.f64("reference_fuel_pkr_per_kwh", PKR_PER_KWH),
                review_months: s.int("review_months", 0, 120) as u32,
                terminate_after_upward_reviews: s.int("terminate_after_upward_reviews", 0, 100) as u32,
                cap_gwh_per_fiscal_year: s.f64("cap_gwh_per_fiscal_year", Range::closed(0.0, 1.0e6)),
                until: s.parsed("until", str::parse::<YearMonth>),
            },
            _ => {
                let w = Range::closed(0.0, 1.0);
                let (fx_weight, fuel_weight, cpi_weight) =
                    (s.f64("fx_weight", w), s.f64("fuel_weight", w), s.f64("cpi_weight", w));
                let sum = fx_weight + fuel_weight + cpi_weight;
                if (sum - 1.0).abs() > 1e-9 {
                    s.problem(
                        "cpi_weight",
                        format!("{cpi_weight:?}"),
                        format!("fx_weight + fuel_weight + cpi_weight must be 1, got {sum}"),
                    );
                }
                Regime::Industrial {
                    base_pkr_per_kwh: s.f64("base_pkr_per_kwh", PKR_PER_KWH),
                    fx_weight,
                    fuel_weight,
                    cpi_weight,
                }
            }
        };
        TariffStep { from, regime }
    });
    check_steps(t, &steps);
    steps
}

/// The path must start, be in time order, and reach every step.
fn check_steps(t: &Table<'_, '_>, steps: &[TariffStep]) {
    if steps.is_empty() && t.is_table() {
        t.problem(
            "tariff",
            "an empty list",
            "needs at least one regime ([[...tariff]] tables)",
        );
        return;
    }
    let mut last_from: Option<YearMonth> = None;
    for (i, s) in steps.iter().enumerate() {
        let field = format!("tariff[{i}].from");
        if let (Some(from), Some(prev)) = (s.from, last_from)
            && from <= prev
        {
            t.problem(
                &field,
                format!("'{from}'"),
                format!("must come after the previous step's '{prev}'"),
            );
        }
        let ends = matches!(s.regime, Regime::IncrementalPackage { .. });
        if ends && i + 1 == steps.len() {
            t.problem(
                &format!("tariff[{i}].until"),
                "the last regime",
                "a package ends at `until` (or earlier): add the regime that follows it",
            );
        }
        if let Some(next) = steps.get(i + 1)
            && next.from.is_none()
            && !ends
        {
            t.problem(
                &format!("tariff[{}].from", i + 1),
                "missing",
                "needed: the previous regime never ends by itself (only an incremental package does)",
            );
        }
        if let Regime::IncrementalPackage { until, .. } = s.regime {
            if let Some(from) = s.from
                && until < from
            {
                t.problem(
                    &format!("tariff[{i}].until"),
                    format!("'{until}'"),
                    format!("must not come before the step's from = '{from}'"),
                );
            }
        }
        last_from = s.from.or(last_from);
    }
}
