//! Dated stress tests: drivers pinned to declared paths (`[[stress]]`, docs/model.md §1.1).
//!
//! A price or the exchange rate under a stress over `n` months from month `t0` follows
//! `x_t = x_{t0−1} + (g − x_{t0−1})·(t − t0 + 1)/n` in logs towards `g = x_{t0−1} + ln(1 + c)`
//! (a relative change) or `g = ln(to)` (a level), `x_{−1}` being the starting value, and its own
//! process carries on from the stressed level afterwards: the stress moves the state, not only
//! the reported value. A declared path sets `x_t = ln(path[t − t0])` month by month instead. LNG
//! priced off Brent has no state of its own: its path starts from the previous month's contract
//! price and returns to the formula after the window. Demand and hydro are scaled by `1 + c`, or
//! set to the path's levels, inside the window only (their shocks carry on underneath). No random
//! number is drawn or skipped, so every other driver's numbers are unchanged.

use crate::scenario::stress::{Stress, StressDriver};

/// The stresses of a run, by month.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// For each stress: driver, first month, months, goal.
    windows: Vec<(StressDriver, usize, usize, Goal)>,
    /// For each stress, the logs of its declared path (empty without one).
    paths: Vec<Vec<f64>>,
}

/// Where a stress takes its driver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// `ln(1 + change)` above the base.
    Change(f64),
    /// The log of a level.
    To(f64),
    /// The log of this month's level of a declared path.
    Level(f64),
}

impl Goal {
    /// The log state after the share `k` of the window, from the log `base`.
    #[inline]
    #[must_use]
    pub fn at(self, base: f64, k: f64) -> f64 {
        match self {
            Goal::Change(l) => base + l * k,
            Goal::To(g) => base + (g - base) * k,
            Goal::Level(g) => g,
        }
    }

    /// A level-shift stress (demand, hydro) applied to the unstressed value `x`: `x (1 + change)`,
    /// or the path's level.
    #[must_use]
    pub fn scale(self, x: f64) -> f64 {
        match self {
            Goal::Change(l) => x * l.exp(),
            Goal::To(_) => x,
            Goal::Level(g) => g.exp(),
        }
    }
}

impl Overlay {
    /// The overlay of a scenario's stresses; `start` is the scenario's first month.
    #[must_use]
    pub fn new(stresses: &[Stress], start: crate::calendar::YearMonth) -> Self {
        let index = |m: crate::calendar::YearMonth| {
            let months = |y: crate::calendar::YearMonth| i64::from(y.year) * 12 + i64::from(y.month) - 1;
            usize::try_from(months(m) - months(start)).unwrap_or(0)
        };
        Self {
            windows: stresses
                .iter()
                .map(|s| {
                    let goal = match (s.change, s.to) {
                        (_, Some(level)) => Goal::To(level.ln()),
                        (change, None) => Goal::Change(change.unwrap_or(0.0).ln_1p()),
                    };
                    (s.driver, index(s.from), s.months as usize, goal)
                })
                .collect(),
            paths: stresses
                .iter()
                .map(|s| s.path.as_deref().unwrap_or_default().iter().map(|x| x.ln()).collect())
                .collect(),
        }
    }

    /// Whether there is nothing to do (the fast path: no stress).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// The stresses starting in month `t`, as indices into the overlay.
    pub fn starting(&self, t: usize) -> impl Iterator<Item = (usize, StressDriver)> + '_ {
        self.windows
            .iter()
            .enumerate()
            .filter(move |(_, w)| w.1 == t)
            .map(|(i, w)| (i, w.0))
    }

    /// The stresses active in month `t`: index, driver, the share of the window reached by the
    /// end of month `t`, `(t − t0 + 1)/n`, and the goal (a declared path's: this month's level).
    pub fn active(&self, t: usize) -> impl Iterator<Item = (usize, StressDriver, f64, Goal)> + '_ {
        self.windows
            .iter()
            .zip(&self.paths)
            .enumerate()
            .filter(move |(_, (w, _))| t >= w.1 && t < w.1 + w.2)
            .map(move |(i, (w, path))| {
                let goal = path.get(t - w.1).map_or(w.3, |&g| Goal::Level(g));
                (i, w.0, (t - w.1 + 1) as f64 / w.2 as f64, goal)
            })
    }

    /// Number of stresses.
    #[must_use]
    pub fn len(&self) -> usize {
        self.windows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::stress::Stress;

    #[test]
    fn a_window_moves_the_log_state_linearly_to_its_goal() {
        let start = "2026-04".parse().unwrap();
        let s = |driver, from: &str, months, change, to| Stress {
            driver,
            from: from.parse().unwrap(),
            months,
            change,
            to,
            path: None,
            name: String::new(),
        };
        let o = Overlay::new(
            &[
                s(StressDriver::Fx, "2026-07", 4, Some(0.35), None),
                s(StressDriver::Oil, "2026-04", 2, None, Some(110.0)),
                s(StressDriver::Demand, "2026-05", 2, Some(0.08), None),
            ],
            start,
        );
        assert_eq!(o.starting(3).map(|x| x.1).collect::<Vec<_>>(), [StressDriver::Fx]);
        assert_eq!(o.starting(0).map(|x| x.1).collect::<Vec<_>>(), [StressDriver::Oil]);
        let at = |t| o.active(t).collect::<Vec<_>>();
        assert!(at(7).is_empty());
        let (_, d, k, goal) = at(6)[0];
        assert_eq!((d, k), (StressDriver::Fx, 1.0));
        assert!((goal.at(5.0, k) - (5.0 + 1.35f64.ln())).abs() < 1e-15);
        let (_, _, k, goal) = at(0)[0];
        assert_eq!(k, 0.5);
        assert!((goal.at(4.0, 1.0) - 110f64.ln()).abs() < 1e-15);
        assert!((goal.at(4.0, k) - (4.0 + 110f64.ln()) / 2.0).abs() < 1e-15);
        let demand = at(2).into_iter().find(|x| x.1 == StressDriver::Demand).unwrap();
        assert!((demand.3.scale(2.0) - 2.16).abs() < 1e-15);
    }

    #[test]
    fn a_declared_path_sets_each_month_of_its_window() {
        let path = Stress {
            driver: StressDriver::Oil,
            from: "2026-05".parse().unwrap(),
            months: 3,
            path: Some(vec![80.0, 90.0, 70.0]),
            ..Stress::default()
        };
        let demand = Stress {
            driver: StressDriver::Demand,
            path: Some(vec![12_000.0]),
            ..path.clone()
        };
        let o = Overlay::new(&[path, demand], "2026-04".parse().unwrap());
        let at = |t| o.active(t).collect::<Vec<_>>();
        assert!(at(0).is_empty() && at(4).is_empty());
        for (t, level) in [(1, 80.0f64), (2, 90.0), (3, 70.0)] {
            let (_, d, _, goal) = at(t)[0];
            assert_eq!(d, StressDriver::Oil);
            assert_eq!(goal, Goal::Level(level.ln()));
            assert_eq!(goal.at(1.0, 0.5), level.ln());
        }
        let (_, d, _, goal) = at(1)[1];
        assert_eq!(d, StressDriver::Demand);
        assert!((goal.scale(1.0) - 12_000.0).abs() < 1e-9);
    }
}
