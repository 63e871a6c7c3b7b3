//! The whole per-path model: the stochastic drivers, then the power system on top of them.

use crate::drivers::{self, Drivers};
use crate::grid::{self, Grid};
use crate::scenario::Scenario;

/// Everything needed to simulate paths of one scenario, precomputed once per run.
#[derive(Debug, Clone)]
pub struct Model {
    /// The stochastic drivers.
    pub drivers: Drivers,
    /// The power system.
    pub grid: Grid,
}

/// Per-worker working memory.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    drivers: drivers::Scratch,
    grid: grid::Scratch,
}

impl Model {
    /// Precomputes the model of a validated scenario.
    #[must_use]
    pub fn new(sc: &Scenario) -> Self {
        let drivers = Drivers::new(sc);
        let grid = Grid::new(sc, drivers.schedule());
        Self { drivers, grid }
    }

    /// Months per path.
    #[must_use]
    pub fn months(&self) -> usize {
        self.drivers.months()
    }

    /// Simulates only the driver metrics of one path (for benchmarks and diagnostics).
    pub fn simulate_drivers(&self, seed: u64, path: u64, out: &mut [f64], scratch: &mut Scratch) {
        self.drivers.simulate(seed, path, out, &mut scratch.drivers);
    }

    /// Simulates every metric and output of one path into `out` (length
    /// [`crate::metrics::path_len`]; metric-major, then outputs).
    pub fn simulate(&self, seed: u64, path: u64, out: &mut [f64], scratch: &mut Scratch) {
        self.drivers.simulate(seed, path, out, &mut scratch.drivers);
        self.grid.evaluate(out, &mut scratch.grid);
        crate::metrics::annualise(out, self.months());
    }
}
