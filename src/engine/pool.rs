//! gridrisk's own rayon thread pool, never rayon's global one (which the host program may
//! own). One pool is cached, the one last asked for: a run with another thread count builds a
//! new pool and drops the cached one, whose threads exit once the runs still using it finish.
//! So a session that tries `threads=1..40` holds one pool's threads afterwards, not 820.
//! The pool is rebuilt after `fork`: a forked child inherits the pool's bookkeeping but not
//! its threads, and would deadlock on it.

use crate::error::{GridRiskError, Result};
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::{Arc, Mutex};

/// Largest thread count accepted.
pub const MAX_THREADS: usize = 1024;

/// The cached pool: its size, the pid of the process that built it, and the pool.
type Cached = Option<(usize, u32, Arc<ThreadPool>)>;

static POOL: Mutex<Cached> = Mutex::new(None);

/// Threads used when the caller does not say: `GRIDRISK_NUM_THREADS` if set to a positive
/// integer, else the number of cores available to the process.
#[must_use]
pub fn default_threads() -> usize {
    std::env::var("GRIDRISK_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| (1..=MAX_THREADS).contains(&n))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

/// A pool of `threads` workers: the cached one if it has that size, else a new one, which
/// replaces it in the cache.
///
/// # Errors
/// [`GridRiskError::Argument`] if `threads` is 0 or above [`MAX_THREADS`], or the OS refuses
/// to start the threads.
pub fn get(threads: usize) -> Result<Arc<ThreadPool>> {
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(GridRiskError::argument(
            "threads",
            threads,
            format!("must be a whole number in [1, {MAX_THREADS}]"),
        ));
    }
    let pid = std::process::id();
    let mut cached = POOL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((size, owner, pool)) = cached.as_ref()
        && *size == threads
        && *owner == pid
    {
        return Ok(Arc::clone(pool));
    }
    // Drop the old pool before starting the new one's threads (its threads exit when the last
    // run holding it ends). A pool inherited through fork has no threads: dropping it only
    // frees its bookkeeping.
    *cached = None;
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("gridrisk-{i}"))
        .build()
        .map_err(|e| GridRiskError::argument("threads", threads, format!("could not start the worker threads: {e}")))?;
    let pool = Arc::new(pool);
    *cached = Some((threads, pid, Arc::clone(&pool)));
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_have_the_size_asked_for() {
        // (Whether the cache is reused is tested from Python, where runs are sequential; the
        // Rust tests run in parallel and share the cache.)
        for n in [3, 2, 3, 1] {
            assert_eq!(get(n).unwrap().current_num_threads(), n);
        }
        assert!(get(0).is_err());
        assert!(get(MAX_THREADS + 1).is_err());
    }
}
