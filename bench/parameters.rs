//! What a path's parameter draws cost, piece by piece, on the default preset: drawing the values
//! and validating the path's scenario, building the path's model (sharing the point model's
//! tables, blocks and feeders), and simulating the path with it against the point model.
//!
//! Run: `cargo bench --no-default-features --bench parameters -- [--paths N]`

use gridrisk::Scenario;
use gridrisk::model::{Model, Scratch};
use gridrisk::parameters::Parameters;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let mut paths: u64 = 200;
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
    let params = Parameters::of(&sc).expect("the preset declares uncertain parameters");
    let point = Model::new(&sc);
    let seeds = gridrisk::rng::uniform(1);
    let mut values = vec![0.0; params.names().len()];
    let mut doc = params.point();
    let per_path = |t: Instant| t.elapsed().as_secs_f64() * 1e6 / paths as f64;

    let t = Instant::now();
    let mut scenarios = Vec::new();
    for p in 0..paths {
        params.draw(&seeds, &[], p, false, &mut values);
        scenarios.push(params.scenario(p, &values, &mut doc).expect("valid draws"));
    }
    println!("draw and validate the path's scenario: {:.0} us a path", per_path(t));

    let t = Instant::now();
    for s in &scenarios {
        black_box(point.for_path(s));
    }
    println!(
        "build the path's model (shared tables and blocks): {:.0} us a path",
        per_path(t)
    );

    let t = Instant::now();
    for s in &scenarios {
        black_box(Model::new(s));
    }
    println!("build it from scratch (for comparison): {:.0} us a path", per_path(t));

    let months = point.months();
    let mut buf = vec![0.0; gridrisk::metrics::path_len(months)];
    let mut scratch = Scratch::default();
    let t = Instant::now();
    for p in 0..paths {
        point.simulate(&seeds, p, &mut buf, &mut scratch, false);
    }
    println!(
        "simulate a path, point model: {:.0} us a path ({} months)",
        per_path(t),
        months
    );
}
