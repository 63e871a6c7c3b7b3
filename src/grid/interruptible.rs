//! Miners interruptible by the hour: peak relief.
//!
//! On an interruptible contract (`[mining.interruptible]`) the miners draw nothing in the
//! month's hours of highest load and their full MW in the others. The blocks are ranked by the
//! existing consumers' load before the new loads, `L̄_t · shape_b`: a positive multiple of the
//! block's shape, so the ranking is the shapes' (decreasing; the earlier block first among
//! equals) and the same for served and latent demand (latent demand is the same load times a
//! factor constant within the month). It depends on no random driver, so each month's relief
//! is computed once per scenario. The blocks are taken whole in that order until their hours
//! reach `hours_per_day · days`; the block at the boundary is relieved for the fraction of its
//! hours still needed, so the relieved hours are exact, not rounded to blocks.

/// The relief of one month: the share of each block's hours in which the miners draw nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Relief {
    /// Share of block `b`'s hours relieved, in [0, 1].
    pub shares: Vec<f64>,
    /// Hours relieved in the month, `Σ_b shares_b · hours_b`.
    pub hours: f64,
    /// Share relieved of the block of highest load (the system peak).
    pub peak_share: f64,
}

/// The relief of a month whose blocks have load shapes `shapes` and durations `hours`, for
/// `target_hours` of relief in the month (hours a day times its days): `None` when there is
/// none (`target_hours <= 0`), so that the month keeps the flat draw.
#[must_use]
pub fn relief(shapes: &[f64], hours: &[f64], target_hours: f64) -> Option<Relief> {
    if target_hours <= 0.0 || shapes.is_empty() {
        return None;
    }
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    order.sort_by(|&a, &b| shapes[b].total_cmp(&shapes[a]).then(a.cmp(&b)));
    let mut shares = vec![0.0; shapes.len()];
    let mut left = target_hours;
    let mut relieved = 0.0;
    for &b in &order {
        if left <= 0.0 {
            break;
        }
        let h = hours[b];
        if left >= h {
            // Whole blocks get exactly 1: the miners draw exactly nothing there.
            shares[b] = 1.0;
            left -= h;
            relieved += h;
        } else {
            shares[b] = left / h;
            relieved += left;
            left = 0.0;
        }
    }
    Some(Relief {
        peak_share: shares[order[0]],
        shares,
        hours: relieved,
    })
}

/// The miners' draw in every block, MW: `mining_mw` outside the relieved hours, nothing in them
/// (a boundary block draws `mining_mw · (1 − share)`, its hour-weighted average).
pub fn draw(relief: &Relief, mining_mw: f64, out: &mut Vec<f64>) {
    out.clear();
    out.extend(relief.shares.iter().map(|&s| mining_mw * (1.0 - s)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_built_month() {
        // Six blocks of 30 hours each (a representative day of six blocks in a 30-day month).
        // Ranking by load: block 2 (1.4), block 4 (1.2), then 1 and 5 (1.0: block 1 first).
        let shapes = [0.6, 1.0, 1.4, 0.8, 1.2, 1.0];
        let hours = [30.0; 6];
        // 2.5 hours a day x 30 days = 75 h: blocks 2 and 4 whole (60 h), then 15 h of block 1.
        let r = relief(&shapes, &hours, 2.5 * 30.0).expect("relief");
        assert_eq!(r.shares, vec![0.0, 0.5, 1.0, 0.0, 1.0, 0.0]);
        assert_eq!(r.hours, 75.0);
        assert_eq!(r.peak_share, 1.0);
        let mut mw = Vec::new();
        draw(&r, 1_000.0, &mut mw);
        assert_eq!(mw, vec![1_000.0, 500.0, 0.0, 1_000.0, 0.0, 1_000.0]);
        let not_drawn: f64 = mw.iter().zip(&hours).map(|(&m, &h)| (1_000.0 - m) * h).sum();
        assert_eq!(not_drawn, 1_000.0 * 2.5 * 30.0);
        // Less than the peak block: only a fraction of it.
        let r = relief(&shapes, &hours, 0.25 * 30.0).expect("relief");
        assert_eq!(r.shares, vec![0.0, 0.0, 0.25, 0.0, 0.0, 0.0]);
        assert_eq!(r.peak_share, 0.25);
        // No relief keeps the flat draw; more hours than the month has relieve all of it.
        assert_eq!(relief(&shapes, &hours, 0.0), None);
        let r = relief(&shapes, &hours, 24.0 * 30.0).expect("relief");
        assert_eq!(r.shares, vec![1.0; 6]);
        assert_eq!(r.hours, 180.0);
    }

    #[test]
    fn hourly_blocks_take_the_months_highest_hours_not_each_days() {
        // Two days of hourly blocks; day 2 is higher all day: 1 h/day relieves its two top hours.
        let shapes: Vec<f64> = (0..48)
            .map(|i| if i < 24 { 1.0 } else { 2.0 } + (i % 24) as f64 * 0.01)
            .collect();
        let r = relief(&shapes, &[1.0; 48], 1.0 * 2.0).expect("relief");
        let relieved: Vec<usize> = (0..48).filter(|&i| r.shares[i] > 0.0).collect();
        assert_eq!(relieved, vec![46, 47]);
        assert_eq!(r.hours, 2.0);
    }

    use crate::drivers::DriverMonth;
    use crate::grid::{Context, MonthTotals, Scratch};
    use crate::scenario::Scenario;
    use crate::scenario::interruptible::Interruptible;

    fn preset() -> Scenario {
        Scenario::from_toml_str(include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("valid preset")
    }

    fn with_hours(mut sc: Scenario, hours: f64) -> Scenario {
        sc.mining.interruptible = Some(Interruptible {
            hours_per_day: [hours; 12],
            offpeak_discount_share: 0.0,
        });
        sc
    }

    /// Every metric and output of `paths` paths of the whole model.
    fn run(model: &crate::model::Model, paths: u64) -> Vec<Vec<f64>> {
        let seeds = crate::rng::uniform(11);
        let mut s = crate::model::Scratch::default();
        (0..paths)
            .map(|p| {
                let mut out = vec![0.0; crate::metrics::path_len(model.months())];
                model.simulate(&seeds, p, &mut out, &mut s, false);
                out
            })
            .collect()
    }

    fn bits(x: &[Vec<f64>]) -> Vec<Vec<u64>> {
        x.iter().map(|v| v.iter().map(|f| f.to_bits()).collect()).collect()
    }

    #[test]
    fn no_relief_is_bit_identical_to_the_flat_draw() {
        let mut flat = preset();
        flat.mining.interruptible = None;
        let paths = 100;
        let reference = bits(&run(&crate::model::Model::new(&flat), paths));
        // The preset's table declares 0 hours: the flat path.
        assert_eq!(bits(&run(&crate::model::Model::new(&preset()), paths)), reference);
        // The shaped path with nothing relieved in any block reduces to the flat one exactly.
        let mut model = crate::model::Model::new(&flat);
        model.grid.relief = std::sync::Arc::new(
            model
                .grid
                .lanes
                .iter()
                .map(|l| {
                    Some(Relief {
                        shares: vec![0.0; l.shape.len()],
                        hours: 0.0,
                        peak_share: 0.0,
                    })
                })
                .collect(),
        );
        assert_eq!(bits(&run(&model, paths)), reference);
    }

    #[test]
    fn the_grid_draws_the_miners_by_the_hand_computed_relief() {
        // The preset's representative day: 2.5 h/day relieves the month's two highest hours of the
        // day shape whole and half of the third, in every one of the month's days.
        let sc = with_hours(preset(), 2.5);
        let model = crate::model::Model::new(&sc);
        let tm = model.months();
        let seeds = crate::rng::uniform(5);
        let mut buf = vec![0.0; crate::metrics::path_len(tm)];
        model.simulate_drivers(&seeds, 0, &mut buf, &mut crate::model::Scratch::default());
        let mut s = Scratch::default();
        let mw = 1_100.0;
        for t in [0, 3, 7, 40] {
            let d = DriverMonth::read(&buf, tm, t);
            let m: MonthTotals = model.grid.month_totals(t, &d, &Context::default(), &mut s, mw, 300.0);
            let info = &model.schedule()[t];
            let row = &sc.grid.day_shape[(info.date.month - 1) as usize];
            let mut hours: Vec<usize> = (0..24).collect();
            hours.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
            let mut want = vec![mw; 24];
            want[hours[0]] = 0.0;
            want[hours[1]] = 0.0;
            want[hours[2]] = mw * 0.5;
            assert_eq!(s.work.mining, want, "month {t}");
            let days = f64::from(info.days);
            let expected = mw * 2.5 * days;
            assert!(
                (m.relief_mwh - expected).abs() <= 1e-12 * expected,
                "{} vs {expected}",
                m.relief_mwh
            );
            assert_eq!(m.relief_peak_mw, mw);
            assert!((m.relief_hours / days - 2.5).abs() < 1e-12);
            assert!((model.grid.mining_drawn_share(t) - (1.0 - 2.5 / 24.0)).abs() < 1e-12);
            // What the miners draw is what the merit order serves for them (with the data centres).
            let drawn: f64 = s.work.mining.iter().map(|&x| x * days).sum();
            assert!((drawn - mw * (24.0 - 2.5) * days).abs() < 1e-9 * drawn);
        }
        // Idle miners give no relief.
        let d = DriverMonth::read(&buf, tm, 0);
        let m = model.grid.month_totals(0, &d, &Context::default(), &mut s, 0.0, 300.0);
        assert_eq!((m.relief_hours, m.relief_peak_mw, m.relief_mwh), (0.0, 0.0, 0.0));
    }

    #[test]
    fn peak_relief_never_raises_households_shedding_in_a_tight_system() {
        // Tight: demand 30 % above the preset's, and the miners served before households
        // (households shed first), so the miners' draw at the peak sheds households.
        let tight = |hours: f64| {
            let mut sc = with_hours(preset(), hours);
            sc.demand.base_load_mw *= 1.3;
            sc.grid.curtailment_priority = ["households", "mining", "datacenters"].map(String::from).to_vec();
            crate::model::Model::new(&sc)
        };
        let (flat, relieved) = (tight(0.0), tight(4.0));
        let tm = flat.months();
        let seeds = crate::rng::uniform(5);
        let (mut s, mut buf) = (Scratch::default(), vec![0.0; crate::metrics::path_len(tm)]);
        let (mut lower, mut months) = (0, 0);
        for p in 0..3 {
            flat.simulate_drivers(&seeds, p, &mut buf, &mut crate::model::Scratch::default());
            for t in (0..tm).step_by(5) {
                let d = DriverMonth::read(&buf, tm, t);
                let cx = Context::default();
                let a = flat.grid.month_totals(t, &d, &cx, &mut s, 1_000.0, 500.0);
                let b = relieved.grid.month_totals(t, &d, &cx, &mut s, 1_000.0, 500.0);
                let tol = |x: f64| 1e-9 * x.abs().max(1.0);
                let (ha, hb) = (a.households_increase_mwh(), b.households_increase_mwh());
                assert!(hb <= ha + tol(ha), "{t}: {hb} > {ha}");
                assert!(b.eue_households <= a.eue_households + tol(a.eue_households), "{t}");
                assert!(b.lole_households <= a.lole_households + tol(a.lole_households), "{t}");
                assert!(b.shed_hours_with <= a.shed_hours_with + tol(a.shed_hours_with), "{t}");
                assert!(b.added_cost < a.added_cost, "{t}: less energy drawn, less cost");
                lower += usize::from(hb < ha - tol(ha));
                months += 1;
            }
        }
        assert!(
            lower * 2 > months,
            "relief lowers households' shedding in most months: {lower}/{months}"
        );
    }
}
