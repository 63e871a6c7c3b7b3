//! Which cells of a run keep a quantile sketch.
//!
//! Moments (count, mean, M2) are kept for every cell: they cost a few additions a value. A
//! quantile sketch costs a logarithm and a random memory access a value, and a run has 117
//! metrics a month, most of which nobody reads as quantiles month by month. So by default a
//! run sketches what the tables, figures and report read:
//! - every per-path output (their quantiles, tails and probabilities are the headline answers);
//! - the [`HEADLINE_FANS`] metrics in every month (the report's and plots' fans);
//! - fiscal-year-to-date metrics in the fiscal year's last month (June in Pakistan: July to
//!   June), the one month in which they are read (a fiscal year's total on a path).
//!
//! [`Fans::With`] adds metrics (every month) and [`Fans::All`] sketches every cell.

use crate::metrics::{METRICS, Metric, N_METRICS, N_OUTPUTS};

/// Monthly metrics sketched in every month by default: the drivers, the fiscal flows and who
/// pays them, the system's marginal cost and the households' shedding, and the new loads.
pub const HEADLINE_FANS: [Metric; 22] = [
    Metric::LoadMw,
    Metric::OilUsdPerBbl,
    Metric::LngUsdPerMmbtu,
    Metric::FxPkrPerUsd,
    Metric::BitcoinPriceUsd,
    Metric::MarginalCostPkrPerKwh,
    Metric::AddedCostPkr,
    Metric::EueHouseholdsIncreaseMwh,
    Metric::HashpriceUsdPerPhDay,
    Metric::MiningLoadMw,
    Metric::DatacenterLoadMw,
    Metric::TariffRevenuePkr,
    Metric::NetFlowPkr,
    Metric::CircularDebtFlowPkr,
    Metric::ReserveValuePkr,
    Metric::BudgetSubsidyPkr,
    Metric::ConsumersChargePkr,
    Metric::ShedHoursPerDayIncrease,
    Metric::MiningInstalledMw,
    Metric::DatacenterConnectedMw,
    Metric::CapitalInflowUsd,
    Metric::FuelCostBasePkrPerKwh,
];

/// The calendar month that ends a fiscal year (July to June).
pub const FISCAL_YEAR_END_MONTH: u32 = 6;

/// Which monthly metrics a run sketches in every month (outputs always are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Fans {
    /// [`HEADLINE_FANS`], and fiscal-year-to-date metrics in June.
    #[default]
    Headline,
    /// The headline ones and these metrics (indices into [`METRICS`]).
    With(Vec<usize>),
    /// Every metric in every month.
    All,
}

/// Whether metric `m` (an index into [`METRICS`]) accumulates over the fiscal year.
#[must_use]
pub fn fiscal_year_to_date(m: usize) -> bool {
    METRICS[m].1.contains("_fytd_")
}

/// The cells with a sketch, in increasing order: metric `m` in month `t` is cell
/// `m * months + t`, and output `k` cell `N_METRICS * months + k`. `calendar_month[t]` is the
/// calendar month (1-12) of month `t`.
#[must_use]
pub fn sketched_cells(fans: &Fans, calendar_month: &[u32]) -> Vec<u32> {
    let months = calendar_month.len();
    let mut every_month = [false; N_METRICS];
    match fans {
        Fans::All => every_month = [true; N_METRICS],
        Fans::Headline | Fans::With(_) => {
            for m in HEADLINE_FANS {
                every_month[METRICS.iter().position(|(x, _)| *x == m).unwrap_or(0)] = true;
            }
            if let Fans::With(extra) = fans {
                for &m in extra.iter().filter(|&&m| m < N_METRICS) {
                    every_month[m] = true;
                }
            }
        }
    }
    let cell = |c: usize| u32::try_from(c).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    for (m, &all) in every_month.iter().enumerate() {
        let june_only = !all && fiscal_year_to_date(m);
        for (t, &month) in calendar_month.iter().enumerate() {
            if all || (june_only && month == FISCAL_YEAR_END_MONTH) {
                out.push(cell(m * months + t));
            }
        }
    }
    out.extend((0..N_OUTPUTS).map(|k| cell(N_METRICS * months + k)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(start: u32, months: usize) -> Vec<u32> {
        (0..months).map(|t| (start - 1 + t as u32) % 12 + 1).collect()
    }

    #[test]
    fn headline_metrics_are_listed_once() {
        for (i, m) in HEADLINE_FANS.iter().enumerate() {
            assert!(!HEADLINE_FANS[..i].contains(m), "{m:?} twice");
            assert!(!fiscal_year_to_date(METRICS.iter().position(|(x, _)| x == m).unwrap()));
        }
    }

    #[test]
    fn every_cell_once_in_order_with_all() {
        let cal = calendar(7, 30);
        let cells = sketched_cells(&Fans::All, &cal);
        assert_eq!(cells.len(), N_METRICS * 30 + N_OUTPUTS);
        assert!(cells.iter().enumerate().all(|(i, &c)| c as usize == i));
    }

    #[test]
    fn headline_sketches_fiscal_year_totals_in_june_only() {
        let months = 24;
        let cal = calendar(7, months);
        let cells = sketched_cells(&Fans::Headline, &cal);
        assert!(cells.windows(2).all(|w| w[0] < w[1]));
        let fytd = METRICS
            .iter()
            .position(|(_, n)| *n == "fiscal.net_flow_fytd_pkr")
            .unwrap();
        let of = |m: usize| {
            cells
                .iter()
                .filter(|&&c| (c as usize) / months == m && (c as usize) < N_METRICS * months)
                .map(|&c| c as usize % months)
                .collect::<Vec<_>>()
        };
        assert_eq!(of(fytd), vec![11, 23]);
        let fx = METRICS.iter().position(|(x, _)| *x == Metric::FxPkrPerUsd).unwrap();
        assert_eq!(of(fx), (0..months).collect::<Vec<_>>());
        let hashrate = METRICS.iter().position(|(x, _)| *x == Metric::HashrateEhs).unwrap();
        assert!(of(hashrate).is_empty());
        // Asking for a metric adds all its months; outputs are always there.
        let with = sketched_cells(&Fans::With(vec![hashrate, fytd]), &cal);
        assert_eq!(with.len(), cells.len() + months + (months - 2));
        assert_eq!(&with[with.len() - N_OUTPUTS..], &cells[cells.len() - N_OUTPUTS..]);
    }
}
