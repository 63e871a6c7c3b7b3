//! What each load-shedding mechanism costs in the month kernel (`Grid::month_totals`).
//!
//! Run: `cargo bench --no-default-features --bench shedding [-- NAME]` (NAME keeps only the
//! variants whose name contains it)
//!
//! The default preset's drivers (the same 30 paths for every variant), with the new loads at
//! 1,000 MW of miners and 500 MW of data centres in every month, through the kernel of five
//! scenarios (and again with the miners idle, as in most months of the preset's runs, for the
//! first and the last): the capacity-only model (the preset without `[shedding]` or fuel limits, the
//! model before issue 13), then latent demand alone, latent demand with the feeder classes and
//! their rules, latent demand with the gas and RLNG energy limits, and the whole preset (also
//! the network limit and the liquidity loop). Each figure is the median of 9 repetitions after a
//! warm-up, the variants interleaved in one process; quote them as ratios to the capacity-only model with the same new loads.

use gridrisk::Scenario;
use gridrisk::drivers::DriverMonth;
use gridrisk::grid::{Context, Scratch as GridScratch};
use gridrisk::metrics::path_len;
use gridrisk::model::{Model, Scratch};
use std::hint::black_box;
use std::time::Instant;

const REPS: usize = 9;
const PATHS: u64 = 30;

/// The new loads' MW (miners, data centres): both running, and the miners idle, as they are in
/// most months of the preset's runs.
const RUNNING: (f64, f64) = (1_000.0, 500.0);
const IDLE: (f64, f64) = (0.0, 500.0);

/// A variant ready to time: its name, model, driver paths and new loads.
type Run = (&'static str, Model, Vec<Vec<f64>>, (f64, f64));

fn variants() -> Vec<(&'static str, Scenario, (f64, f64))> {
    let full =
        Scenario::from_toml_str(include_str!("../python/gridrisk/presets/pakistan-2000mw.toml")).expect("preset");
    let sh = full.shedding.clone().expect("the preset sheds");
    let mut capacity = full.clone();
    capacity.shedding = None;
    for c in &mut capacity.fleet {
        c.fuel_limit = None;
    }
    let mut latent = capacity.clone();
    let mut only_latent = sh.clone();
    only_latent.feeder_class.clear();
    only_latent.deliverable.clear();
    only_latent.liquidity = None;
    latent.shedding = Some(only_latent.clone());
    let mut rules = latent.clone();
    let mut with_rules = only_latent.clone();
    with_rules.feeder_class = sh.feeder_class.clone();
    rules.shedding = Some(with_rules);
    let mut fuel = latent.clone();
    for (c, f) in fuel.fleet.iter_mut().zip(&full.fleet) {
        c.fuel_limit = f.fuel_limit.clone();
    }
    vec![
        ("capacity only (before issue 13)", capacity.clone(), RUNNING),
        ("+ latent demand", latent, RUNNING),
        ("+ latent demand, feeder rules", rules, RUNNING),
        ("+ latent demand, fuel limits", fuel, RUNNING),
        ("whole preset (+ network, liquidity)", full.clone(), RUNNING),
        ("miners idle: capacity only", capacity, IDLE),
        ("miners idle: whole preset", full, IDLE),
    ]
}

fn main() {
    // An argument keeps only the variants whose name contains it (for `perf record`).
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let runs: Vec<Run> = variants()
        .into_iter()
        .filter(|(name, _, _)| only.as_deref().is_none_or(|o| name.contains(o)))
        .map(|(name, sc, loads)| {
            let model = Model::new(&sc);
            let seeds = gridrisk::rng::uniform(5);
            let mut ms = Scratch::default();
            let bufs = (0..PATHS)
                .map(|p| {
                    let mut buf = vec![0.0; path_len(model.months())];
                    model.simulate_drivers(&seeds, p, &mut buf, &mut ms);
                    buf
                })
                .collect();
            (name, model, bufs, loads)
        })
        .collect();
    let mut times = vec![Vec::new(); runs.len()];
    for rep in 0..=REPS {
        for (i, (_, model, bufs, (mining, datacenters))) in runs.iter().enumerate() {
            let tm = model.months();
            let mut s = GridScratch::default();
            let t = Instant::now();
            for buf in bufs {
                for m in 0..tm {
                    let d = DriverMonth::read(buf, tm, m);
                    black_box(
                        model
                            .grid
                            .month_totals(m, &d, &Context::default(), &mut s, *mining, *datacenters),
                    );
                }
            }
            // The first repetition warms up.
            if rep > 0 {
                times[i].push(t.elapsed().as_nanos() as f64 / (PATHS as f64 * tm as f64));
            }
        }
    }
    let medians: Vec<f64> = times
        .into_iter()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        })
        .collect();
    println!("month kernel (Grid::month_totals), default preset's drivers, {PATHS} paths x 120 months, 1 thread");
    // Each variant against the capacity-only model with the same new loads.
    let base = |loads: (f64, f64)| {
        runs.iter()
            .zip(&medians)
            .find(|((name, _, _, l), _)| name.contains("capacity only") && *l == loads)
            .map_or(f64::NAN, |(_, &ns)| ns)
    };
    for ((name, _, _, loads), ns) in runs.iter().zip(&medians) {
        println!("  {name:<40} {ns:7.0} ns per path-month  ({:.2}x)", ns / base(*loads));
    }
}
