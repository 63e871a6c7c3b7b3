//! The statistics of a contiguous range of paths, mergeable to the bit.
//!
//! Paths are grouped in chunks of [`CHUNK_PATHS`]. Floating-point merges are not associative,
//! so the merge *tree* is fixed by the chunk indices alone: a node covers an aligned dyadic
//! range of chunks `[lo, lo + 2^k)` and its moments are always `merge(left half, right half)`.
//! A range of paths is stored as its canonical decomposition into maximal aligned nodes. Two
//! adjacent ranges merge by concatenating their nodes and joining sibling pairs, which yields
//! exactly the nodes a single run over the union computes. Totals fold the nodes left to right.
//! Hence: 1 or 16 threads, one process or many Dask workers, the bits are the same.

use super::{Moments, Sketch};
use crate::error::{GridRiskError, Result};
use serde::{Deserialize, Serialize};

/// Paths per leaf chunk. Part of the reproducibility contract (it shapes the merge tree).
pub const CHUNK_PATHS: u64 = 256;

/// Moments of the aligned chunk range `[lo, lo + size)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// First chunk index.
    pub lo: u64,
    /// Number of chunks, a power of two; `lo` is a multiple of it.
    pub size: u64,
    /// Moments of the node's paths.
    pub moments: Moments,
    /// Antithetic runs: moments of the pair means of the outputs.
    pub pairs: Option<Moments>,
}

/// Statistics of the paths `[path_lo, path_hi)` of one (scenario, seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// Identifies the scenario and seed; only equal fingerprints merge.
    pub fingerprint: u64,
    /// Metric names, in cell-major order.
    pub metrics: Vec<String>,
    /// Months per metric.
    pub months: usize,
    /// Per-path output names; their cells follow the metric cells.
    pub outputs: Vec<String>,
    /// First path covered.
    pub path_lo: u64,
    /// One past the last path covered.
    pub path_hi: u64,
    /// Canonical decomposition of the chunk range, left to right.
    pub nodes: Vec<Node>,
    /// Whether paths come in antithetic pairs.
    pub antithetic: bool,
    /// One quantile sketch per cell (`metric * months + month`, then one per output).
    pub sketches: Vec<Sketch>,
}

/// The maximal aligned dyadic ranges `(lo, size)` covering `[lo, hi)`, left to right.
#[must_use]
pub fn canonical(mut lo: u64, hi: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    while lo < hi {
        let mut size = if lo == 0 {
            1u64 << 62
        } else {
            1u64 << lo.trailing_zeros()
        };
        while lo + size > hi {
            size >>= 1;
        }
        out.push((lo, size));
        lo += size;
    }
    out
}

/// Joins adjacent sibling nodes until none remain: the canonical decomposition of the union.
fn normalise(mut nodes: Vec<Node>) -> Vec<Node> {
    loop {
        let pos = nodes
            .windows(2)
            .position(|w| w[0].size == w[1].size && w[0].lo % (2 * w[0].size) == 0 && w[0].lo + w[0].size == w[1].lo);
        let Some(i) = pos else { return nodes };
        let right = nodes.remove(i + 1);
        let left = &mut nodes[i];
        left.moments = Moments::merge(&left.moments, &right.moments);
        left.pairs = match (&left.pairs, &right.pairs) {
            (Some(a), Some(b)) => Some(Moments::merge(a, b)),
            _ => None,
        };
        left.size *= 2;
    }
}

impl RunStats {
    /// Number of paths covered.
    #[must_use]
    pub fn paths(&self) -> u64 {
        self.path_hi - self.path_lo
    }

    /// Moments over all covered paths: the nodes folded left to right.
    #[must_use]
    pub fn moments(&self) -> Moments {
        let cells = self.metrics.len() * self.months + self.outputs.len();
        self.nodes
            .iter()
            .fold(Moments::new(cells), |acc, n| Moments::merge(&acc, &n.moments))
    }

    /// Moments of the antithetic pair means of the outputs (`None` for ordinary runs).
    #[must_use]
    pub fn pair_moments(&self) -> Option<Moments> {
        let n = self.outputs.len();
        self.nodes.iter().try_fold(Moments::new(n), |acc, node| {
            node.pairs.as_ref().map(|p| Moments::merge(&acc, p))
        })
    }

    /// Merges the statistics of an adjacent range of the same run (either side).
    ///
    /// # Errors
    /// [`GridRiskError::Merge`] if the runs differ, the ranges are not adjacent, or the shared
    /// boundary is not a multiple of [`CHUNK_PATHS`].
    pub fn merge(&self, other: &RunStats) -> Result<RunStats> {
        if self.fingerprint != other.fingerprint
            || self.metrics != other.metrics
            || self.outputs != other.outputs
            || self.months != other.months
        {
            return Err(GridRiskError::Merge(
                "the parts come from different scenarios or seeds".into(),
            ));
        }
        let (a, b) = if self.path_hi == other.path_lo {
            (self, other)
        } else {
            (other, self)
        };
        if a.path_hi != b.path_lo {
            return Err(GridRiskError::Merge(format!(
                "path ranges [{}, {}) and [{}, {}) are not adjacent",
                self.path_lo, self.path_hi, other.path_lo, other.path_hi
            )));
        }
        if a.path_hi % CHUNK_PATHS != 0 {
            return Err(GridRiskError::Merge(format!(
                "parts must be split at a multiple of {CHUNK_PATHS} paths; the boundary is at path {}",
                a.path_hi
            )));
        }
        let mut sketches = a.sketches.clone();
        for (s, o) in sketches.iter_mut().zip(&b.sketches) {
            s.merge_from(o);
        }
        let nodes = normalise(a.nodes.iter().chain(&b.nodes).cloned().collect());
        Ok(RunStats {
            nodes,
            sketches,
            path_lo: a.path_lo,
            path_hi: b.path_hi,
            ..a.clone()
        })
    }

    /// Compact binary encoding (for pickling and shipping between processes).
    ///
    /// # Panics
    /// Never: every field is serialisable.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = FORMAT_TAG.to_vec();
        out.extend(postcard::to_stdvec(self).expect("RunStats is serialisable"));
        out
    }

    /// Decodes [`RunStats::to_bytes`].
    ///
    /// # Errors
    /// [`GridRiskError::Data`] for bytes of another format or version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let body = bytes.strip_prefix(FORMAT_TAG).ok_or_else(|| {
            GridRiskError::Data("not gridrisk run statistics (or from an incompatible version)".into())
        })?;
        postcard::from_bytes(body).map_err(|e| GridRiskError::Data(e.to_string()))
    }
}

const FORMAT_TAG: &[u8] = b"gridrisk-stats-v3\0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_decomposition() {
        assert_eq!(canonical(0, 8), vec![(0, 8)]);
        assert_eq!(canonical(0, 11), vec![(0, 8), (8, 2), (10, 1)]);
        assert_eq!(canonical(3, 11), vec![(3, 1), (4, 4), (8, 2), (10, 1)]);
    }

    fn leaf_nodes(lo: u64, hi: u64) -> Vec<Node> {
        // Build each canonical node bottom-up from per-chunk moments, as the engine does.
        fn build(lo: u64, size: u64) -> Moments {
            if size == 1 {
                let mut m = Moments::new(1);
                for k in 0..5 {
                    m.push(&[((lo * 5 + k) as f64).sqrt()]);
                }
                return m;
            }
            Moments::merge(&build(lo, size / 2), &build(lo + size / 2, size / 2))
        }
        canonical(lo, hi)
            .into_iter()
            .map(|(l, s)| Node {
                lo: l,
                size: s,
                moments: build(l, s),
                pairs: None,
            })
            .collect()
    }

    #[test]
    fn any_split_normalises_to_the_single_run_nodes() {
        let whole = leaf_nodes(0, 13);
        for cut in 1..13 {
            let joined = normalise(leaf_nodes(0, cut).into_iter().chain(leaf_nodes(cut, 13)).collect());
            assert_eq!(joined, whole, "cut at chunk {cut}");
        }
        // Three parts, merged right-first.
        let right = normalise(leaf_nodes(5, 9).into_iter().chain(leaf_nodes(9, 13)).collect());
        assert_eq!(normalise(leaf_nodes(0, 5).into_iter().chain(right).collect()), whole);
    }
}
