//! gridrisk's own rayon thread pools, never rayon's global one (which the host program may
//! own). Pools are cached per size and rebuilt after `fork`: a forked child inherits the
//! pool's bookkeeping but not its threads, and would deadlock on it.

use crate::error::{GridRiskError, Result};
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Largest thread count accepted.
pub const MAX_THREADS: usize = 1024;

/// Pools by size, each with the pid of the process that built it.
type PoolCache = HashMap<usize, (u32, Arc<ThreadPool>)>;

static POOLS: LazyLock<Mutex<PoolCache>> = LazyLock::new(Mutex::default);

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

/// A pool of `threads` workers.
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
    let mut pools = POOLS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((owner, pool)) = pools.get(&threads)
        && *owner == pid
    {
        return Ok(Arc::clone(pool));
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("gridrisk-{i}"))
        .build()
        .map_err(|e| GridRiskError::argument("threads", threads, format!("could not start the worker threads: {e}")))?;
    let pool = Arc::new(pool);
    pools.insert(threads, (pid, Arc::clone(&pool)));
    Ok(pool)
}
