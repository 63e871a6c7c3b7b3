//! Allocations whose size the caller controls (kept paths, per-worker buffers): reserved with
//! `try_reserve_exact`, so that a request the machine cannot meet is a
//! [`GridRiskError::Memory`] (a Python `MemoryError`) instead of aborting the process.

use crate::error::{GridRiskError, Result};

/// A vector of `len` zeros, or [`GridRiskError::Memory`] if it cannot be allocated.
///
/// # Errors
/// [`GridRiskError::Memory`] with the bytes requested.
pub fn zeros(len: usize) -> Result<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| too_much(len))?;
    v.resize(len, 0.0);
    Ok(v)
}

/// Checks that `values` f64s can be allocated at once, without keeping (or touching) them.
///
/// Several buffers that are each possible may together exceed the machine's memory; with
/// the usual overcommit settings, one reservation of the total fails where the separate ones
/// would succeed and the process would later be killed while writing them.
///
/// # Errors
/// [`GridRiskError::Memory`] with the bytes requested.
pub fn check_total(values: usize) -> Result<()> {
    let mut probe: Vec<f64> = Vec::new();
    probe.try_reserve_exact(values).map_err(|_| too_much(values))
}

fn too_much(values: usize) -> GridRiskError {
    GridRiskError::Memory {
        bytes: (values as u64).saturating_mul(8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_requests_are_errors_not_aborts() {
        assert!(matches!(zeros(usize::MAX / 8), Err(GridRiskError::Memory { .. })));
        assert!(matches!(check_total(usize::MAX / 4), Err(GridRiskError::Memory { .. })));
        #[cfg(target_pointer_width = "64")]
        assert!(matches!(zeros(1 << 50), Err(GridRiskError::Memory { bytes }) if bytes == 8 << 50));
        assert_eq!(zeros(3).unwrap(), vec![0.0; 3]);
        assert!(check_total(1000).is_ok());
    }
}
