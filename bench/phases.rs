//! Where a run's time goes, on the default preset: the cost per path-month of the random numbers
//! alone, the drivers, dispatch and adequacy, the accounts, and the statistics, and the speed-up
//! from 1 to 2 threads of a whole run.
//!
//! Run: `cargo bench --no-default-features --bench phases -- [--paths N]`
//! (`bench/speed.py` runs it and prints its lines with the rest of the comparison).
//!
//! Each phase is timed by running the model up to and including it over the same paths; a
//! phase's cost is the difference from the previous one. The statistics are the difference
//! between a whole single-threaded run of the engine (model + moments + sketches) and the
//! model alone. Figures are medians of 5 repetitions after a warm-up, all in one process.

use gridrisk::Scenario;
use gridrisk::engine::{Keep, Monitor, RunSpec, run};
use gridrisk::metrics::path_len;
use gridrisk::model::{Model, Phase, Scratch};
use std::hint::black_box;
use std::time::Instant;

const REPS: usize = 5;

fn median_s(mut f: impl FnMut()) -> f64 {
    f();
    let mut v: Vec<f64> = (0..REPS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[REPS / 2]
}

fn main() {
    let mut paths: u64 = 20_000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--paths" {
            paths = args
                .next()
                .and_then(|v| v.parse().ok())
                .expect("--paths takes a number");
        }
    }
    let sc = Scenario::from_toml_str(include_str!("../python/gridrisk/presets/pakistan-2000mw.toml")).expect("preset");
    let model = Model::new(&sc);
    let months = model.months();
    let seeds = gridrisk::rng::uniform(1);
    let per = 1e9 / (paths as f64 * months as f64);
    let mut buf = vec![0.0; path_len(months)];
    let mut scratch = Scratch::default();

    let rng_only = median_s(|| {
        let mut acc = 0.0;
        for p in 0..paths {
            acc += model.drivers.random_numbers_only(&seeds, p);
        }
        black_box(acc);
    });
    let mut upto = |phase: Phase| {
        median_s(|| {
            for p in 0..paths {
                model.simulate_until(&seeds, p, &mut buf, &mut scratch, false, phase);
            }
            black_box(&buf);
        })
    };
    let drivers = upto(Phase::Drivers);
    let grid = upto(Phase::Grid);
    let model_all = upto(Phase::Accounts);
    let engine = |threads: usize| {
        let spec = RunSpec {
            seeds,
            path_lo: 0,
            path_hi: paths,
            threads,
            keep: Keep::Nothing,
            antithetic: false,
        };
        median_s(|| {
            black_box(run(&sc, &spec, &Monitor::default()).expect("run"));
        })
    };
    let run1 = engine(1);
    let run2 = engine(2);

    println!("gridrisk phases, default preset, {paths} paths x {months} months (ns per path-month)");
    println!(
        "  random numbers only (same streams and draws as the drivers): {:8.1}",
        rng_only * per
    );
    println!(
        "  drivers:                                                    {:8.1}  ({:.2}x the random numbers)",
        drivers * per,
        drivers / rng_only
    );
    let split = [
        ("drivers", drivers),
        ("dispatch and adequacy", grid - drivers),
        ("accounts", model_all - grid),
        ("statistics (moments, sketches)", run1 - model_all),
    ];
    println!(
        "  whole run, 1 thread:                                        {:8.1}",
        run1 * per
    );
    for (name, s) in split {
        println!(
            "    {name:<31}                          {:8.1}  ({:4.1} % of the run)",
            s * per,
            100.0 * s / run1
        );
    }
    println!(
        "  whole run, 2 threads:                                       {:8.1}  ({:.2}x over 1 thread)",
        run2 * per,
        run1 / run2
    );
}
