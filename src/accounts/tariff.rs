//! What a new load pays per MWh, month by month: a dated sequence of tariff regimes
//! ([`crate::scenario::tariff`]) run as a small state machine per path and load.
//!
//! Each month [`TariffState::price`] first moves to the regime in force (a step whose `from` has
//! come, or the one after a package that has ended), then prices the month; after the month's
//! accounts, [`TariffState::settle`] records what the package billed (for its fiscal-year cap and
//! its six-monthly reviews). Everything is a deterministic function of the path's drivers.

use crate::calendar::YearMonth;
use crate::scenario::tariff::{CostReference, Regime, TariffStep};

/// What a tariff reads in a month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TariffInputs {
    /// The calendar month.
    pub date: YearMonth,
    /// Exchange rate, PKR per USD.
    pub fx: f64,
    /// Last month's hour-weighted marginal cost of the system without the new loads, PKR/MWh
    /// (in the first month, that month's own): what a cost-plus tariff marks up.
    pub system_marginal: f64,
    /// The system's fuel-cost index: `system_marginal` over its value in the first month (1 in
    /// the first month). Fuel-cost adjustments and the industrial rebasing follow it.
    pub fuel_index: f64,
    /// Last month's average incremental cost of the new loads, PKR/MWh (the system marginal
    /// cost when there is no history or no added load).
    pub own_average: f64,
    /// Consumer price index, 1 in the first month.
    pub cpi: f64,
    /// The industrial tariff's indexation as of the latest January (the first month until
    /// one has passed): the exchange rate over the first month's, the fuel-cost index and the
    /// price level in that January. Kept per path, whatever regime is in force, so that a
    /// regime entered later carries the indexation accrued since the start.
    pub january: [f64; 3],
}

/// A month's price of one load's energy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Energy price, PKR/MWh (the floor of a revenue-share regime).
    pub pkr_per_mwh: f64,
    /// Energy a capped package still covers this fiscal year, MWh (infinite without a cap).
    pub covered_mwh: f64,
    /// Price of the energy beyond `covered_mwh`: the next regime's, PKR/MWh.
    pub beyond_pkr_per_mwh: f64,
    /// Share of gross BTC revenue charged on top (revenue-share regime).
    pub revenue_share: f64,
    /// Whether the incremental package applies this month.
    pub package: bool,
}

/// What a load was billed in a month, as the package's cap and reviews need it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Billing {
    /// Energy billed at the package's price, MWh.
    pub package_mwh: f64,
    /// Generation cost of that energy, PKR.
    pub package_cost_pkr: f64,
    /// What it was billed, PKR.
    pub package_revenue_pkr: f64,
}

/// One load's tariff state on one path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TariffState {
    /// Index of the step in force.
    step: usize,
    /// The first month the step in force was priced.
    first_month: Option<YearMonth>,
    /// The package has ended (expiry or termination): the next step applies.
    ended: bool,
    /// Package: what reviews added to the base rate, PKR/MWh.
    uplift: f64,
    /// Package: months, cost, revenue and energy of the current review period.
    period_months: u32,
    period_cost: f64,
    period_revenue: f64,
    period_mwh: f64,
    /// Package: consecutive upward reviews so far.
    upward_in_a_row: u32,
    /// Package: fiscal year (the calendar year it ends in) and the energy billed in it, MWh.
    fiscal_year: i32,
    fiscal_year_mwh: f64,
}

/// The fiscal year (July-June) a month belongs to, named after the calendar year it ends in.
#[must_use]
pub fn fiscal_year(date: YearMonth) -> i32 {
    date.year + i32::from(date.month >= 7)
}

impl TariffState {
    /// The step in force (for reports and tests).
    #[must_use]
    pub fn step(&self) -> usize {
        self.step
    }

    /// Moves to the regime in force in `inp.date` and prices the month.
    pub fn price(&mut self, steps: &[TariffStep], inp: &TariffInputs) -> Price {
        loop {
            if let Regime::IncrementalPackage { until, .. } = steps[self.step].regime
                && inp.date > until
            {
                self.ended = true;
            }
            let next = self.step + 1;
            let due = steps
                .get(next)
                .is_some_and(|s| self.ended || s.from.is_some_and(|f| f <= inp.date));
            if !due {
                break;
            }
            *self = Self {
                step: next,
                ..Self::default()
            };
        }
        self.first_month.get_or_insert(inp.date);
        if fiscal_year(inp.date) != self.fiscal_year {
            self.fiscal_year = fiscal_year(inp.date);
            self.fiscal_year_mwh = 0.0;
        }
        let regime = &steps[self.step].regime;
        let pkr_per_mwh = self.rate_now(regime, inp);
        let (covered_mwh, beyond_pkr_per_mwh) = match *regime {
            Regime::IncrementalPackage {
                cap_gwh_per_fiscal_year,
                ..
            } if cap_gwh_per_fiscal_year > 0.0 => {
                // The next regime prices the excess as if it started now.
                let next = &steps[self.step + 1].regime;
                (
                    (cap_gwh_per_fiscal_year * 1000.0 - self.fiscal_year_mwh).max(0.0),
                    Self::default().rate_now(next, inp),
                )
            }
            _ => (f64::INFINITY, pkr_per_mwh),
        };
        Price {
            pkr_per_mwh,
            covered_mwh,
            beyond_pkr_per_mwh,
            revenue_share: match *regime {
                Regime::FloorPlusShare { revenue_share, .. } => revenue_share,
                _ => 0.0,
            },
            package: matches!(regime, Regime::IncrementalPackage { .. }),
        }
    }

    /// Records the month's billing under the package in month `date`; runs a review when a
    /// period closes. Periods are counted from the package's `from` month (its first month in
    /// the run when it has none), so reviews fall on the scheme's own calendar; a period the run
    /// enters part-way is reviewed on the months it saw.
    pub fn settle(&mut self, steps: &[TariffStep], b: &Billing, date: YearMonth) {
        let step = &steps[self.step];
        let Regime::IncrementalPackage {
            review_months,
            terminate_after_upward_reviews,
            ..
        } = step.regime
        else {
            return;
        };
        self.fiscal_year_mwh += b.package_mwh;
        if review_months == 0 {
            return;
        }
        self.period_months += 1;
        self.period_cost += b.package_cost_pkr;
        self.period_revenue += b.package_revenue_pkr;
        self.period_mwh += b.package_mwh;
        let start = step.from.or(self.first_month).unwrap_or(date);
        if (date.months_since(start) + 1).rem_euclid(i64::from(review_months)) != 0 {
            return;
        }
        let shortfall = self.period_cost - self.period_revenue;
        if shortfall > 0.0 && self.period_mwh > 0.0 {
            self.uplift += shortfall / self.period_mwh;
            self.upward_in_a_row += 1;
            if terminate_after_upward_reviews > 0 && self.upward_in_a_row >= terminate_after_upward_reviews {
                self.ended = true;
            }
        } else {
            self.upward_in_a_row = 0;
        }
        self.period_months = 0;
        self.period_cost = 0.0;
        self.period_revenue = 0.0;
        self.period_mwh = 0.0;
    }

    fn rate_now(&self, regime: &Regime, inp: &TariffInputs) -> f64 {
        match *regime {
            Regime::FixedPkr { pkr_per_kwh } => pkr_per_kwh * 1000.0,
            Regime::FixedUsd { usd_per_kwh } => usd_per_kwh * 1000.0 * inp.fx,
            Regime::CostPlus { markup, reference } => {
                (1.0 + markup)
                    * match reference {
                        CostReference::SystemMarginal => inp.system_marginal,
                        CostReference::OwnAverage => inp.own_average,
                    }
            }
            Regime::FloorPlusShare { floor_pkr_per_kwh, .. } => floor_pkr_per_kwh * 1000.0,
            Regime::IncrementalPackage {
                base_pkr_per_kwh,
                reference_fuel_pkr_per_kwh,
                ..
            } => {
                // The reference fuel cost moves with the system's fuel-cost index; adjustments
                // pass through only when positive.
                let fca = (reference_fuel_pkr_per_kwh * 1000.0 * (inp.fuel_index - 1.0)).max(0.0);
                base_pkr_per_kwh * 1000.0 + self.uplift + fca
            }
            Regime::Industrial {
                base_pkr_per_kwh,
                fx_weight,
                fuel_weight,
                cpi_weight,
            } => {
                let [fx, fuel, cpi] = inp.january;
                base_pkr_per_kwh * 1000.0 * (fx_weight * fx + fuel_weight * fuel + cpi_weight * cpi)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    fn package(review_months: u32, terminate: u32, cap_gwh: f64, until: &str) -> TariffStep {
        TariffStep {
            from: None,
            regime: Regime::IncrementalPackage {
                base_pkr_per_kwh: 22.98,
                reference_fuel_pkr_per_kwh: 8.0,
                review_months,
                terminate_after_upward_reviews: terminate,
                cap_gwh_per_fiscal_year: cap_gwh,
                until: ym(until),
            },
        }
    }

    fn industrial() -> TariffStep {
        TariffStep {
            from: None,
            regime: Regime::Industrial {
                base_pkr_per_kwh: 29.18,
                fx_weight: 0.5,
                fuel_weight: 0.3,
                cpi_weight: 0.2,
            },
        }
    }

    /// Inputs with a fuel-cost index of `marginal / 15,000`.
    fn inputs(date: &str, marginal: f64) -> TariffInputs {
        TariffInputs {
            date: ym(date),
            fx: 280.0,
            system_marginal: marginal,
            fuel_index: marginal / 15_000.0,
            own_average: marginal,
            cpi: 1.0,
            january: [1.0, 1.0, 1.0],
        }
    }

    #[test]
    fn without_adjustments_or_reviews_the_package_stays_at_its_base() {
        let steps = [package(0, 2, 0.0, "2028-10"), industrial()];
        let mut st = TariffState::default();
        let mut date = ym("2026-04");
        // (The industrial rate below is its base: the test's January index stays at one.)
        while date <= ym("2028-10") {
            // Fuel at or below the reference: no adjustment.
            let p = st.price(&steps, &inputs(&date.to_string(), 14_000.0));
            assert_eq!(p.pkr_per_mwh, 22_980.0, "{date}");
            assert!(p.package);
            st.settle(
                &steps,
                &Billing {
                    package_mwh: 1_000.0,
                    package_cost_pkr: 9e9,
                    package_revenue_pkr: 0.0,
                },
                date,
            );
            date = date.plus(1);
        }
        // A hard expiry: the month after `until` is industrial, whatever happened before.
        let p = st.price(&steps, &inputs("2028-11", 14_000.0));
        assert!(!p.package);
        assert_eq!(p.pkr_per_mwh, 29_180.0);
    }

    #[test]
    fn only_positive_fuel_cost_adjustments_pass_through() {
        let steps = [package(0, 0, 0.0, "2030-01"), industrial()];
        let mut st = TariffState::default();
        // A fuel-cost index of 1.2 adds 20 % of the 8 PKR/kWh reference fuel cost.
        let p = st.price(&steps, &inputs("2026-04", 18_000.0)).pkr_per_mwh;
        assert!((p - (22_980.0 + 1_600.0)).abs() < 1e-9, "{p}");
        assert_eq!(st.price(&steps, &inputs("2026-05", 10_000.0)).pkr_per_mwh, 22_980.0);
    }

    #[test]
    fn two_upward_reviews_end_the_package_at_the_second() {
        let steps = [package(6, 2, 0.0, "2035-01"), industrial()];
        let mut st = TariffState::default();
        let loss = Billing {
            package_mwh: 100.0,
            package_cost_pkr: 3_000_000.0,
            package_revenue_pkr: 2_298_000.0,
        };
        let mut date = ym("2026-01");
        let mut prices = Vec::new();
        for _ in 0..13 {
            let p = st.price(&steps, &inputs(&date.to_string(), 10_000.0));
            prices.push((p.package, p.pkr_per_mwh));
            st.settle(&steps, &loss, date);
            date = date.plus(1);
        }
        // Months 0-5 at the base; the first review lifts the rate by the period's shortfall
        // per MWh, (3.0e6 - 2.298e6) / 100 = 7,020 PKR/MWh; the second review (after month
        // 11) ends the package, so month 12 is industrial.
        assert!(prices[..6].iter().all(|&(pk, p)| pk && p == 22_980.0));
        assert!(prices[6..12].iter().all(|&(pk, p)| pk && (p - 30_000.0).abs() < 1e-6));
        assert_eq!(prices[12], (false, 29_180.0));
    }

    #[test]
    fn a_review_without_shortfall_resets_the_count() {
        let steps = [package(1, 2, 0.0, "2035-01"), industrial()];
        let mut st = TariffState::default();
        let up = Billing {
            package_mwh: 1.0,
            package_cost_pkr: 30_000.0,
            package_revenue_pkr: 22_980.0,
        };
        let even = Billing {
            package_mwh: 1.0,
            package_cost_pkr: 0.0,
            package_revenue_pkr: 1.0,
        };
        for (i, b) in [up, even, up, even].iter().enumerate() {
            assert!(
                st.price(&steps, &inputs(&ym("2026-01").plus(i).to_string(), 0.0))
                    .package
            );
            st.settle(&steps, b, ym("2026-01").plus(i));
        }
    }

    #[test]
    fn the_cap_resets_each_fiscal_year_and_the_next_regime_prices_the_excess() {
        let steps = [package(0, 0, 1.0, "2035-01"), industrial()];
        let mut st = TariffState::default();
        let p = st.price(&steps, &inputs("2026-05", 0.0));
        assert_eq!((p.covered_mwh, p.beyond_pkr_per_mwh), (1_000.0, 29_180.0));
        st.settle(
            &steps,
            &Billing {
                package_mwh: 800.0,
                ..Billing::default()
            },
            ym("2026-05"),
        );
        assert_eq!(st.price(&steps, &inputs("2026-06", 0.0)).covered_mwh, 200.0);
        st.settle(
            &steps,
            &Billing {
                package_mwh: 200.0,
                ..Billing::default()
            },
            ym("2026-06"),
        );
        assert_eq!(st.price(&steps, &inputs("2026-07", 0.0)).covered_mwh, 1_000.0);
    }

    #[test]
    fn industrial_follows_the_latest_january_index_accrued_since_the_start() {
        let steps = [industrial()];
        let mut st = TariffState::default();
        // Entered in November 2028 after the January 2028 index: FX x1.1, fuel x1.2, CPI x1.1
        // since the run's first month. The rate carries that indexation from its first month.
        let nov = TariffInputs {
            date: ym("2028-11"),
            fx: 300.0,
            system_marginal: 20_000.0,
            fuel_index: 2.0,
            own_average: 0.0,
            cpi: 1.15,
            january: [1.1, 1.2, 1.1],
        };
        let want = 29_180.0 * (0.5 * 1.1 + 0.3 * 1.2 + 0.2 * 1.1);
        assert!((st.price(&steps, &nov).pkr_per_mwh - want).abs() < 1e-6);
        let jan = TariffInputs {
            date: ym("2029-01"),
            january: [1.3, 1.0, 1.2],
            ..nov
        };
        let want = 29_180.0 * (0.5 * 1.3 + 0.3 * 1.0 + 0.2 * 1.2);
        assert!((st.price(&steps, &jan).pkr_per_mwh - want).abs() < 1e-6);
    }

    #[test]
    fn reviews_fall_on_the_packages_own_calendar() {
        // A package from November: six-month periods end in April and October, whenever the
        // run starts (here in March: the first period is reviewed on the two months it saw).
        let mut steps = [package(6, 0, 0.0, "2035-01"), industrial()];
        steps[0].from = Some(ym("2025-11"));
        let mut st = TariffState::default();
        let loss = Billing {
            package_mwh: 1.0,
            package_cost_pkr: 30_000.0,
            package_revenue_pkr: 22_980.0,
        };
        let mut prices = Vec::new();
        for k in 0..4 {
            let date = ym("2026-03").plus(k);
            prices.push(st.price(&steps, &inputs(&date.to_string(), 0.0)).pkr_per_mwh);
            st.settle(&steps, &loss, date);
        }
        // March and April at the base; the review after April lifts May's rate.
        assert_eq!(&prices[..2], &[22_980.0, 22_980.0]);
        assert!(prices[2] > 22_980.0);
    }

    #[test]
    fn dated_steps_switch_on_their_month() {
        let steps = [
            TariffStep {
                from: None,
                regime: Regime::FixedPkr { pkr_per_kwh: 20.0 },
            },
            TariffStep {
                from: Some(ym("2027-01")),
                regime: Regime::FixedUsd { usd_per_kwh: 0.1 },
            },
        ];
        let mut st = TariffState::default();
        assert_eq!(st.price(&steps, &inputs("2026-12", 0.0)).pkr_per_mwh, 20_000.0);
        assert_eq!(st.price(&steps, &inputs("2027-01", 0.0)).pkr_per_mwh, 28_000.0);
        assert_eq!(st.step(), 1);
    }
}
