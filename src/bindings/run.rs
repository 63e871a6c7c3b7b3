//! One funnel for every long call: release the GIL, poll for Ctrl-C and report progress from
//! the calling thread, cancel the workers on any error, and turn worker panics into
//! `gridrisk.errors.InternalError`.
//!
//! The work runs on a scoped thread (inside gridrisk's own pool) while the calling thread
//! sleeps detached for [`POLL`] at a time, then attaches to call `check_signals()` — which
//! only works on the main thread, hence the split — and the progress callback. Workers only
//! ever touch atomics, so they never contend for the GIL.

use crate::engine::Monitor;
use crate::error::Result;
use pyo3::prelude::*;
use std::time::Duration;

const POLL: Duration = Duration::from_millis(50);

/// Runs `work` with the GIL released; see the module docs.
pub fn run_blocking<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    total: u64,
    work: impl FnOnce(&Monitor) -> Result<T> + Send,
) -> PyResult<T> {
    let monitor = Monitor::default();
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("gridrisk-run".into())
            .spawn_scoped(s, || work(&monitor))
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("could not start the run thread: {e}")))?;
        loop {
            let finished = py.detach(|| {
                let until = std::time::Instant::now() + POLL;
                while !handle.is_finished() && std::time::Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(5));
                }
                handle.is_finished()
            });
            let polled = py.check_signals().and_then(|()| match progress {
                Some(cb) => cb.call1((monitor.done(), total)).map(drop),
                None => Ok(()),
            });
            if let Err(e) = polled {
                monitor.cancel();
                // Joined detached so that workers finishing their chunk are never blocked by us.
                // A panic in the abandoned run is dropped: the caller's error comes first.
                let _ = py.detach(|| handle.join());
                return Err(e);
            }
            if finished {
                break;
            }
        }
        // A panic on the run thread (or in a pool worker: rayon carries it to the thread that
        // installed the work) arrives here as the join's payload.
        match handle.join() {
            Ok(r) => r.map_err(|e| super::errors::to_py(py, &e)),
            Err(payload) => Err(super::errors::from_panic(py, &*payload)),
        }
    })
}
