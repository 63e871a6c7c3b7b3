//! Micro-benchmark of the power-system kernel on the default preset.
//!
//! Run: `cargo bench --no-default-features --bench grid`
//!
//! Prints the cost of: building the outage table (once per fleet state); the 24 load blocks of
//! a month as the model evaluates them (the merit-order head slice by slice over all blocks,
//! the prepared tail, then the table lookups), and the same with the energy each slice
//! generates for the added load (issue 12; interleaved with it); the month kernel itself
//! (`Grid::month_totals` on the preset's drivers); one path-month of the drivers alone and of
//! the whole model; and the whole model with coarser outage-table steps
//! (`grid.capacity_step_mw`), to show what the table's size costs. Each figure is the median of
//! 9 repetitions after a warm-up, measured side by side (the variants interleaved) in one
//! process; quote them as ratios.

use gridrisk::Scenario;
use gridrisk::drivers::DriverMonth;
use gridrisk::grid::Scratch as GridScratch;
use gridrisk::grid::dispatch::{Slice, SplitStack, head_slice, head_slice_energy};
use gridrisk::grid::outage::{OutageTable, UnitClass};
use gridrisk::metrics::path_len;
use gridrisk::model::{Model, Scratch};
use std::hint::black_box;
use std::time::Instant;

const REPS: usize = 9;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn median_ns(per_rep: f64, mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..REPS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_nanos() as f64 / per_rep
            })
            .collect(),
    )
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
    let build = median_ns(1.0, || {
        black_box(OutageTable::build(black_box(&units), sc.grid.capacity_step_mw));
    });
    let table = OutageTable::build(&units, sc.grid.capacity_step_mw);

    // A month of 24 blocks as the model evaluates it: 3 profiled head slices, 8 fixed slices
    // prepared once as cumulative capacity and cost, then 4 outage-table levels per block.
    let stack: Vec<Slice> = (0..11)
        .map(|k| Slice {
            mw: 2_000.0 + 300.0 * f64::from(k),
            cost: 5_000.0 * f64::from(k),
        })
        .collect();
    let mut tail = SplitStack::default();
    tail.prepare(&stack[3..]);
    let blocks = 24u32;
    let n = blocks as usize;
    let months = 200u32;
    let loads: Vec<Vec<f64>> = (0..months)
        .map(|m| {
            (0..blocks)
                .map(|b| 12_000.0 + 40.0 * f64::from(m) + 300.0 * f64::from(b))
                .collect()
        })
        .collect();
    let (mut hi, mut pos, mut marginal, mut cost) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut level, mut lolp, mut eue) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    // The same month with the energy each slice generates for the added load (issue 12), timed
    // interleaved with the month without it.
    let hours = vec![30.0; n];
    let mut energy = vec![0.0; stack.len()];
    let mut month_pass = |with_energy: bool| {
        let t = Instant::now();
        let mut acc = 0.0;
        for load in black_box(&loads) {
            for (h, l) in hi.iter_mut().zip(load) {
                *h = l + 1_900.0;
            }
            pos.fill(0.0);
            marginal.fill(f64::NAN);
            cost.fill(0.0);
            for (k, s) in stack[..3].iter().enumerate() {
                let mw = vec![s.mw; n];
                if head_slice(s.cost, &mw, load, &hi, &mut pos, &mut marginal, &mut cost) && with_energy {
                    energy[k] = head_slice_energy(&mw, load, &hi, &pos, &hours);
                }
            }
            tail.finish(load, &hi, &pos, 1e6, &mut marginal, &mut cost);
            if with_energy {
                acc += tail.energies(load, &hi, &pos, &hours, |j, mwh| energy[3 + j] = mwh);
                acc += energy.iter().sum::<f64>();
            }
            for shift in [-3_000.0, -1_100.0, -2_000.0, 900.0] {
                for (x, l) in level.iter_mut().zip(load) {
                    *x = l + shift;
                }
                table.lolp_eue_into(&level, &mut lolp, &mut eue);
                acc += lolp.iter().sum::<f64>() + eue.iter().sum::<f64>();
            }
            acc += cost.iter().sum::<f64>() + marginal.iter().sum::<f64>();
        }
        black_box(acc);
        t.elapsed().as_nanos() as f64 / f64::from(months)
    };
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for rep in 0..=REPS {
        let (a, b) = (month_pass(false), month_pass(true));
        if rep > 0 {
            without.push(a);
            with.push(b);
        }
    }
    let (month_of_blocks, month_with_energy) = (median(without), median(with));

    // Path-months: drivers alone, then the whole model, then the whole model with coarser
    // outage-table steps (interleaved, so that a noisy neighbour slows every variant alike).
    let paths = 200u64;
    let seeds = gridrisk::rng::uniform(7);
    let steps = [sc.grid.capacity_step_mw, 5.0, 10.0, 25.0];
    let models: Vec<Model> = steps
        .iter()
        .map(|&step| {
            let mut s = sc.clone();
            s.grid.capacity_step_mw = step;
            Model::new(&s)
        })
        .collect();
    let tm = models[0].months();
    let mut buf = vec![0.0; path_len(tm)];
    let mut scratch = Scratch::default();
    let per = (paths as usize * tm) as f64;
    let drivers_only = median_ns(per, || {
        for p in 0..paths {
            models[0].simulate_drivers(&seeds, p, &mut buf, &mut scratch);
        }
        black_box(&buf);
    });
    let mut full = vec![Vec::new(); steps.len()];
    for rep in 0..=REPS {
        for (i, model) in models.iter().enumerate() {
            let t = Instant::now();
            for p in 0..paths {
                model.simulate(&seeds, p, &mut buf, &mut scratch, false);
            }
            black_box(&buf);
            if rep > 0 {
                full[i].push(t.elapsed().as_nanos() as f64 / per);
            }
        }
    }
    let full: Vec<f64> = full.into_iter().map(median).collect();

    // The month kernel itself, `Grid::month_totals` on the preset: the drivers of 50 paths,
    // every month, the new loads at the allocation's full 2,000 MW (1,500 miners, 500 data
    // centres, at the generation side).
    let driver_months: Vec<DriverMonth> = (0..50)
        .flat_map(|p| {
            models[0].simulate_drivers(&seeds, p, &mut buf, &mut scratch);
            (0..tm).map(|t| DriverMonth::read(&buf, tm, t)).collect::<Vec<_>>()
        })
        .collect();
    let grid = &models[0].grid;
    let mut gs = GridScratch::default();
    let month_kernel = median_ns(driver_months.len() as f64, || {
        let mut acc = 0.0;
        for (i, d) in black_box(&driver_months).iter().enumerate() {
            let m = grid.month_totals(i % tm, d, &gridrisk::grid::Context::default(), &mut gs, 1_500.0, 500.0);
            acc += m.added_cost + m.eue_with;
        }
        black_box(acc);
    });
    println!(
        "gridrisk grid kernel, default preset ({} dispatchable classes, {:.0} MW in the outage table)",
        units.len(),
        table.capacity_mw()
    );
    println!("  outage table build (once per fleet state):   {build:>10.0} ns");
    println!("  a month's 24 blocks (dispatch, 4 table levels): {month_of_blocks:>7.0} ns");
    println!("  the same and the energy by class (issue 12):   {month_with_energy:>7.0} ns");
    println!("  Grid::month_totals, preset (one path-month): {month_kernel:>10.0} ns");
    println!("  one path-month, drivers only:                {drivers_only:>10.0} ns");
    println!(
        "  one path-month, whole model:                 {:>10.0} ns  (grid and accounts = {:.0} % of it)",
        full[0],
        100.0 * (full[0] - drivers_only) / full[0]
    );
    for (step, ns) in steps.iter().zip(&full).skip(1) {
        println!(
            "  the same with a {step:>4} MW outage-table step: {ns:>10.0} ns  (speed-up {:.2}x)",
            full[0] / ns
        );
    }
}
