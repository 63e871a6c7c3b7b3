//! Progress and cancellation shared between the caller and the workers, as atomics only:
//! workers never touch Python (or any lock) to report or to learn they must stop.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Shared run state.
#[derive(Debug, Default)]
pub struct Monitor {
    cancelled: AtomicBool,
    done: AtomicU64,
}

impl Monitor {
    /// Asks the workers to stop before their next path.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
    /// Whether a stop was requested.
    #[must_use]
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
    /// Paths finished so far.
    #[must_use]
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
    /// Records `n` more finished paths.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
}
