//! The one error type of the core. Bad user input becomes `Err`, never a panic; the bindings map
//! each variant to its own Python exception in one exhaustive match.

use std::fmt;

/// One problem found in a scenario: where, what was given, and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Dotted path of the offending field, e.g. `bitcoin.vol_annual` or `fleet[2].unit_mw`.
    pub field: String,
    /// The value given, rendered briefly (`"missing"` when absent).
    pub value: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (got {})", self.field, self.message, self.value)
    }
}

/// Every way a gridrisk call can fail.
#[derive(Debug, thiserror::Error)]
pub enum GridRiskError {
    /// The scenario is invalid; all problems found are listed, not only the first.
    #[error("invalid scenario: {} problem{}\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(|i| format!("  - {i}")).collect::<Vec<_>>().join("\n"))]
    Scenario(Vec<Issue>),
    /// A run argument (not part of the scenario) is out of range.
    #[error("{field}: {message} (got {value})")]
    Argument {
        /// Argument name as the user typed it, e.g. `paths`.
        field: String,
        /// The value given.
        value: String,
        /// What is allowed.
        message: String,
    },
    /// Partial results that cannot be merged (different scenario, seed or non-adjacent ranges).
    #[error("cannot merge results: {0}")]
    Merge(String),
    /// Serialized state that cannot be decoded.
    #[error("corrupt or incompatible gridrisk data: {0}")]
    Data(String),
    /// The run was cancelled (Ctrl-C or an error in a progress callback).
    #[error("run cancelled")]
    Cancelled,
    /// Memory the caller asked for (kept paths, per-worker buffers) could not be allocated.
    #[error("could not allocate {} ({bytes} bytes) for this run; use fewer paths, path_range=..., or keep fewer values", human_bytes(*bytes))]
    Memory {
        /// Bytes requested.
        bytes: u64,
    },
    /// A bug in gridrisk: an invariant the code relies on does not hold (e.g. a caught panic).
    #[error("internal error: {0}; this is a bug in gridrisk, please report it")]
    Internal(String),
}

/// `bytes` as GiB, MiB or KiB with two decimals.
fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.2} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2} KiB", b / 1024.0)
    }
}

impl GridRiskError {
    /// Shorthand for an [`GridRiskError::Argument`] error.
    pub fn argument(field: &str, value: impl fmt::Display, message: impl Into<String>) -> Self {
        Self::Argument {
            field: field.to_owned(),
            value: value.to_string(),
            message: message.into(),
        }
    }
}

/// Result alias used throughout the core.
pub type Result<T> = std::result::Result<T, GridRiskError>;
