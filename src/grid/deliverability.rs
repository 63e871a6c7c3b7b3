//! A grid that cannot deliver: the most load the transmission network can carry, a dated
//! system-wide limit (the NTDC/NPCC statements of deliverable load). Load above it is shed
//! whatever the generating capacity, in the curtailment priority, before the outage table is
//! asked about what is left.

use crate::calendar::MonthInfo;
use crate::scenario::shedding::DeliverableStep;

/// The limit in each month of the schedule, MW (`+∞` without a limit).
#[must_use]
pub fn limits(steps: &[DeliverableStep], schedule: &[MonthInfo]) -> Vec<f64> {
    schedule
        .iter()
        .map(|m| {
            steps
                .iter()
                .rev()
                .find(|s| s.from.is_none_or(|f| f <= m.date))
                .map_or(f64::INFINITY, |s| s.mw)
        })
        .collect()
}

/// What each of `loads` (in priority order, MW) loses of an `excess` over the limit (`excess =
/// max(0, Σ loads - limit)`, computed by the caller as it sums the loads): the first loses up to
/// all of it, then the next. An excess the first group absorbs leaves the others exactly zero.
#[must_use]
pub fn shed_in_order<const N: usize>(loads: [f64; N], excess: f64) -> [f64; N] {
    let mut excess = excess.max(0.0);
    let mut out = [0.0; N];
    for (o, &l) in out.iter_mut().zip(&loads) {
        let lost = excess.min(l);
        *o = lost;
        excess -= lost;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearMonth;

    #[test]
    fn the_excess_falls_in_priority_order() {
        let shed = |limit: f64| shed_in_order([100.0, 500.0, 50.0], 650.0 - limit);
        assert_eq!(shed(700.0), [0.0, 0.0, 0.0]);
        assert_eq!(shed(600.0), [50.0, 0.0, 0.0]);
        assert_eq!(shed(300.0), [100.0, 250.0, 0.0]);
        assert_eq!(shed(f64::INFINITY), [0.0; 3]);
    }

    #[test]
    fn dated_steps() {
        let ym = |year, month| YearMonth { year, month };
        let sched = crate::calendar::schedule(ym(2026, 4), 24, 0.0);
        let steps = [
            DeliverableStep {
                from: None,
                mw: 26_000.0,
            },
            DeliverableStep {
                from: Some(ym(2027, 1)),
                mw: 28_000.0,
            },
        ];
        let l = limits(&steps, &sched);
        assert_eq!(l[0], 26_000.0);
        assert_eq!(l[8], 26_000.0);
        assert_eq!(l[9], 28_000.0);
        assert!(limits(&[], &sched).iter().all(|x| x.is_infinite()));
    }
}
