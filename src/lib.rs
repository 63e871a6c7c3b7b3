//! gridrisk: a Monte Carlo engine for the fiscal and reliability risk of allocating grid power
//! to Bitcoin mining and AI data centres.
//!
//! The core (everything but `bindings`) is pure Rust with no Python dependency; `cargo check
//! --no-default-features` proves it. Module map:
//! - [`scenario`]: typed, validated scenario (TOML or dict in, all problems reported at once);
//! - [`rng`]: the only place random streams are made, one per (seed, path, stream);
//! - [`calendar`]: months, the Bitcoin block/halving schedule and hourly-profile positions;
//! - [`capacity`]: capacity on the outage table's grid of steps (shared by validation and grid);
//! - [`drivers`]: the stochastic processes and the simulation of one path;
//! - [`grid`]: fleet, load blocks, merit-order dispatch and exact adequacy (LOLE, EUE);
//! - [`loads`]: miners and data centres; [`accounts`]: tariffs, taxes, who pays the gap, the
//!   reserve; [`model`]: the conductor that runs drivers, loads, grid and accounts month by
//!   month, one path at a time; [`metrics`]: its outputs;
//! - [`stats`]: mergeable, order-independent moments and quantile sketches;
//! - [`engine`]: parallel runs over fixed chunks, cancellation and progress.

pub mod accounts;
pub mod calendar;
pub mod capacity;
pub mod cpu;
mod dist;
pub mod drivers;
pub mod engine;
pub mod error;
mod float;
pub mod grid;
pub mod loads;
mod memory;
pub mod metrics;
pub mod model;
pub mod parameters;
pub mod rng;
pub mod scenario;
pub mod stats;

#[cfg(feature = "python")]
mod bindings;

pub use error::{GridRiskError, Issue, Result};
pub use scenario::Scenario;
