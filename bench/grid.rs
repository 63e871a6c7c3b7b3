//! Micro-benchmark of the power-system kernel on the default preset.
//!
//! Run: `cargo bench --no-default-features --bench grid`
//!
//! Prints the cost of: building the outage table (once per fleet state); one load block
//! (marginal and added cost, then the adequacy lookups); one path-month of the drivers alone and of
//! the grid on top. Each figure is the median of 9 repetitions after a warm-up, measured
//! side by side in one process; quote them as ratios.

use gridrisk::Scenario;
use gridrisk::grid::dispatch::{Slice, SplitStack};
use gridrisk::grid::outage::{OutageTable, UnitClass};
use gridrisk::metrics::path_len;
use gridrisk::model::{Model, Scratch};
use std::hint::black_box;
use std::time::Instant;

fn median_ns(reps: usize, per_rep: f64, mut f: impl FnMut()) -> f64 {
    f();
    let mut v: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_nanos() as f64 / per_rep
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[reps / 2]
}

fn main() {
    let sc = Scenario::from_toml_str(include_str!("../python/gridrisk/presets/pakistan-2000mw.toml")).expect("preset");
    let units: Vec<UnitClass> = sc
        .fleet
        .iter()
        .filter(|c| c.profile == "none")
        .map(|c| UnitClass {
            count: c.units,
            unit_mw: c.unit_mw,
            forced_outage_rate: c.forced_outage_rate,
        })
        .collect();
    let build = median_ns(9, 1.0, || {
        black_box(OutageTable::build(black_box(&units), sc.grid.capacity_step_mw));
    });
    let table = OutageTable::build(&units, sc.grid.capacity_step_mw);

    // One block as the model evaluates it: 3 profiled slices walked, 8 fixed slices prepared
    // once as cumulative capacity and cost, then 4 outage-table rows.
    let stack: Vec<Slice> = (0..11)
        .map(|k| Slice {
            mw: 2_000.0 + 300.0 * f64::from(k),
            cost: 5_000.0 * f64::from(k),
        })
        .collect();
    let mut tail = SplitStack::default();
    tail.prepare(&stack[3..]);
    let loads: Vec<f64> = (0..4096).map(|i| 10_000.0 + 4.0 * f64::from(i)).collect();
    let block = median_ns(9, loads.len() as f64, || {
        let mut acc = 0.0;
        for &l in black_box(&loads) {
            let (m, c) = tail.marginal_and_added(&stack[..3], l, 1_900.0, 1e6);
            acc += c + m;
            for x in [l - 3_000.0, l - 1_100.0, l - 2_000.0, l + 900.0] {
                let (p, e) = table.lolp_eue(x);
                acc += p + e;
            }
        }
        black_box(acc);
    });

    // Path-months: drivers alone, then drivers + grid.
    let model = Model::new(&sc);
    let months = model.months();
    let paths = 200u64;
    let mut buf = vec![0.0; path_len(months)];
    let mut scratch = Scratch::default();
    let per = (paths as usize * months) as f64;
    let drivers_only = median_ns(9, per, || {
        for p in 0..paths {
            model.simulate_drivers(&gridrisk::rng::uniform(7), p, &mut buf, &mut scratch);
        }
        black_box(&buf);
    });
    let full = median_ns(9, per, || {
        for p in 0..paths {
            model.simulate(&gridrisk::rng::uniform(7), p, &mut buf, &mut scratch, false);
        }
        black_box(&buf);
    });
    println!(
        "gridrisk grid kernel, default preset ({} dispatchable classes, {:.0} MW in the outage table)",
        units.len(),
        table.capacity_mw()
    );
    println!("  outage table build (once per fleet state): {:>10.0} ns", build);
    println!("  one load block (dispatch, 4 table rows):     {:>10.1} ns", block);
    println!("  one path-month, drivers only:               {:>8.0} ns", drivers_only);
    println!(
        "  one path-month, drivers + grid (24 blocks):   {:>8.0} ns  (grid = {:.0} % of the path)",
        full,
        100.0 * (full - drivers_only) / full
    );
}
