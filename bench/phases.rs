//! Where a run's time goes, on the default preset: the cost per path-month of the random numbers
//! alone, the drivers, dispatch and adequacy, the accounts, and the statistics, and the speed-up
//! from 1 to 2 threads of a whole run.
//!
//! Run: `cargo bench --no-default-features --bench phases -- [--paths N] [--scenario FILE.toml]`
//! (`--scenario`: another scenario than the default preset, e.g. the references' scope that
//! `bench/speed.py` compares with Numba, written out by `Scenario.to_toml`)
//! (`bench/speed.py` runs it and prints its lines with the rest of the comparison).
//!
//! Each phase is timed by running the model up to and including it over the same paths; a
//! phase's cost is the difference from the previous one. The statistics are timed doing what
//! the engine does with a chunk's paths (moments, then sketches). Whole runs of the engine
//! with 1 and 2 threads are medians of 5, alternating, after a warm-up; all in one process.

use gridrisk::Scenario;
use gridrisk::engine::{Keep, Monitor, RunSpec, SKETCH_BATCH, run};
use gridrisk::metrics::path_len;
use gridrisk::model::{Model, Phase, Scratch};
use gridrisk::stats::fans::{Fans, sketched_cells};
use gridrisk::stats::{Moments, Sketch};
use std::hint::black_box;
use std::time::Instant;

const REPS: usize = 5;

fn main() {
    let mut paths: u64 = 20_000;
    let mut text = include_str!("../python/gridrisk/presets/pakistan-2000mw.toml").to_owned();
    let mut label = "default preset".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--paths" {
            paths = args
                .next()
                .and_then(|v| v.parse().ok())
                .expect("--paths takes a number");
        } else if a == "--scenario" {
            let file = args.next().expect("--scenario takes a TOML file");
            text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
            label = file;
        }
    }
    let sc = Scenario::from_toml_str(&text).expect("a valid scenario");
    let model = Model::new(&sc);
    let months = model.months();
    let seeds = gridrisk::rng::uniform(1);
    let per = 1e9 / (paths as f64 * months as f64);
    let mut buf = vec![0.0; path_len(months)];
    let mut scratch = Scratch::default();

    // The phases are timed chunk by chunk, interleaved (random numbers, drivers, drivers +
    // grid, whole model, statistics on the same 256 paths, then the next chunk), so that a
    // noisy neighbour on a shared machine slows every phase alike instead of one of them. The
    // statistics are timed twice: with the default fans (the cells `engine` sketches by
    // default) and with every cell sketched (`fans="all"`).
    let cells = path_len(months);
    let chunk = gridrisk::stats::CHUNK_PATHS;
    let calendar: Vec<u32> = model.schedule().iter().map(|m| m.date.month).collect();
    let fan_sets = [
        sketched_cells(&Fans::Headline, &calendar),
        sketched_cells(&Fans::All, &calendar),
    ];
    let mut rows_buf = vec![0.0; chunk as usize * cells];
    let mut batches: Vec<Vec<f64>> = fan_sets.iter().map(|f| vec![0.0; SKETCH_BATCH * f.len()]).collect();
    let mut sketches: Vec<Vec<Sketch>> = fan_sets.iter().map(|f| vec![Sketch::default(); f.len()]).collect();
    let mut filled = 0;
    let mut moments = Moments::new(cells);
    let mut t = [0.0f64; 6];
    let mut lap = |k: usize, start: Instant| t[k] += start.elapsed().as_secs_f64();
    for lo in (0..paths).step_by(chunk as usize) {
        let hi = (lo + chunk).min(paths);
        let rows = (hi - lo) as usize;
        let s0 = Instant::now();
        let mut acc = 0.0;
        for p in lo..hi {
            acc += model.drivers.random_numbers_only(&seeds, p);
        }
        black_box(acc);
        lap(0, s0);
        for (k, phase) in [(1, Phase::Drivers), (2, Phase::Grid)] {
            let s0 = Instant::now();
            for p in lo..hi {
                model.simulate_until(&seeds, p, &mut buf, &mut scratch, false, phase);
            }
            black_box(&buf);
            lap(k, s0);
        }
        let s0 = Instant::now();
        for (row, p) in (lo..hi).enumerate() {
            model.simulate(
                &seeds,
                p,
                &mut rows_buf[row * cells..(row + 1) * cells],
                &mut scratch,
                false,
            );
        }
        lap(3, s0);
        for (k, fans) in fan_sets.iter().enumerate() {
            let (batch, sketches) = (&mut batches[k], &mut sketches[k]);
            let n = fans.len();
            let s0 = Instant::now();
            if filled + rows > SKETCH_BATCH {
                // What `engine` does when a worker's batch is full: each sketch, cell by cell.
                for (cell, sketch) in sketches.iter_mut().enumerate() {
                    sketch.insert_many((0..filled).map(|row| batch[row * n + cell]));
                }
                black_box(&*sketches);
            }
            // What `engine::leaf` does with a chunk's paths: moments of every cell, and the
            // sketched cells into the batch.
            let at = if filled + rows > SKETCH_BATCH { 0 } else { filled };
            for row in 0..rows {
                let path = &rows_buf[row * cells..(row + 1) * cells];
                moments.push(path);
                for (slot, &c) in batch[(at + row) * n..(at + row + 1) * n].iter_mut().zip(fans) {
                    *slot = path[c as usize];
                }
            }
            black_box(&moments);
            lap(4 + k, s0);
        }
        filled = if filled + rows > SKETCH_BATCH {
            rows
        } else {
            filled + rows
        };
    }
    let stats_all = t[5];
    let [rng_only, drivers, grid, model_all, stats, _] = t;
    let run_of = |threads: usize| RunSpec {
        seeds,
        path_lo: 0,
        path_hi: paths,
        threads,
        keep: Keep::Nothing,
        antithetic: false,
        param_seeds: Vec::new(),
        fans: gridrisk::stats::Fans::Headline,
    };
    // Whole runs of the engine, 1 and 2 threads alternating; medians.
    let mut runs: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    black_box(run(&sc, &run_of(2), &Monitor::default()).expect("run"));
    for _ in 0..REPS {
        for (i, threads) in [1, 2].into_iter().enumerate() {
            let s0 = Instant::now();
            black_box(run(&sc, &run_of(threads), &Monitor::default()).expect("run"));
            runs[i].push(s0.elapsed().as_secs_f64());
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (run1, run2) = (median(&mut runs[0]), median(&mut runs[1]));
    let whole = model_all + stats;

    println!("gridrisk phases, {label}, {paths} paths x {months} months (ns per path-month)");
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
        ("statistics (moments, sketches)", stats),
    ];
    let fans_note = format!(
        "{} of {cells} cells sketched; with fans=\"all\" the statistics cost {:.1} ({:.1} % of that run)",
        fan_sets[0].len(),
        stats_all * per,
        100.0 * stats_all / (model_all + stats_all)
    );
    println!(
        "  model + statistics, 1 thread:                               {:8.1}",
        whole * per
    );
    for (name, s) in split {
        println!(
            "    {name:<31}                          {:8.1}  ({:4.1} %)",
            s * per,
            100.0 * s / whole
        );
    }
    println!("    ({fans_note})");
    println!(
        "  whole run through the engine, 1 thread:                     {:8.1}",
        run1 * per
    );
    println!(
        "  whole run, 2 threads:                                       {:8.1}  ({:.2}x over 1 thread)",
        run2 * per,
        run1 / run2
    );
}
