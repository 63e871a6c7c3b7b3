//! The statistics of a contiguous range of paths, mergeable to the bit.
//!
//! Paths are grouped in chunks of [`CHUNK_PATHS`]. Floating-point merges are not associative,
//! so the merge *tree* is fixed by the chunk indices alone: a node covers an aligned dyadic
//! range of chunks `[lo, lo + 2^k)` and its moments are always `merge(left half, right half)`.
//! A range of paths is stored as its canonical decomposition into maximal aligned nodes. Two
//! adjacent ranges merge by concatenating their nodes and joining sibling pairs, which yields
//! exactly the nodes a single run over the union computes. Totals fold the nodes left to right.
//! Hence: 1 or 16 threads, one process or many Dask workers, the bits are the same.
//!
//! Conditional moments (the outputs over the paths meeting each of the run's conditions, see
//! [`crate::metrics::CONDITIONS`]) live in the same nodes and merge in the same tree, so they
//! are as reproducible as the rest. So do the control variates' co-moments ([`super::control`]).

use super::{CoMoments, Moments, Sketch};
use crate::error::{GridRiskError, Result};
use crate::metrics::{Comparison, Condition};
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
    /// Per condition of the run ([`RunStats::conditions`]), the moments of the outputs over the
    /// node's paths that meet it (count zero when none does). Always over single paths, also in
    /// antithetic runs: whether a path meets a condition differs between the two paths of a
    /// pair, so pair means do not apply.
    pub conditions: Vec<Moments>,
    /// Co-moments of the controls ([`RunStats::controls`]) with themselves, the outputs and the
    /// outputs' sign indicators (see [`super::control`]); over single paths, also in
    /// antithetic runs.
    pub co: CoMoments,
}

/// A path condition as recorded with the statistics: the definition the run used (of
/// [`crate::metrics::CONDITIONS`] in the build that ran it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionSpec {
    /// Public name.
    pub name: String,
    /// What it means, in words.
    pub description: String,
    /// The output it reads (one of [`RunStats::outputs`]).
    pub output: String,
    /// How the output compares with the threshold.
    pub comparison: Comparison,
    /// The threshold, in the output's unit.
    pub threshold: f64,
}

impl From<&Condition> for ConditionSpec {
    fn from(c: &Condition) -> Self {
        Self {
            name: c.name.to_owned(),
            description: c.description.to_owned(),
            output: c.output.to_owned(),
            comparison: c.comparison,
            threshold: c.threshold,
        }
    }
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
    /// The cells that keep a quantile sketch, in increasing order (`metric * months + month`,
    /// then one per output; every output has one): see [`super::fans`].
    pub sketched: Vec<u32>,
    /// One quantile sketch per cell of `sketched`, in its order.
    pub sketches: Vec<Sketch>,
    /// The path conditions whose conditional moments every node holds, in node order.
    pub conditions: Vec<ConditionSpec>,
    /// The control variates' names, in the order of the nodes' co-moments.
    pub controls: Vec<String>,
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
        for (a, b) in left.conditions.iter_mut().zip(&right.conditions) {
            *a = Moments::merge(a, b);
        }
        left.co = CoMoments::merge(&left.co, &right.co);
        left.size *= 2;
    }
}

impl RunStats {
    /// Number of paths covered.
    #[must_use]
    pub fn paths(&self) -> u64 {
        self.path_hi.saturating_sub(self.path_lo)
    }

    /// The sketch of cell `cell`, if the run kept one.
    #[must_use]
    pub fn sketch(&self, cell: usize) -> Option<&Sketch> {
        let cell = u32::try_from(cell).ok()?;
        self.sketched
            .binary_search(&cell)
            .ok()
            .and_then(|k| self.sketches.get(k))
    }

    /// The outputs' sketches, in output order (every output keeps one).
    #[must_use]
    pub fn output_sketches(&self) -> &[Sketch] {
        let n = self.outputs.len().min(self.sketches.len());
        &self.sketches[self.sketches.len() - n..]
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

    /// Per condition, the moments of the outputs over the covered paths that meet it: the
    /// nodes folded left to right, as [`RunStats::moments`].
    #[must_use]
    pub fn condition_moments(&self) -> Vec<Moments> {
        let n = self.outputs.len();
        (0..self.conditions.len())
            .map(|c| {
                self.nodes
                    .iter()
                    .filter_map(|node| node.conditions.get(c))
                    .fold(Moments::new(n), |acc, m| Moments::merge(&acc, m))
            })
            .collect()
    }

    /// Co-moments of the controls over all covered paths: the nodes folded left to right.
    #[must_use]
    pub fn co_moments(&self) -> CoMoments {
        let (k, d) = (self.controls.len(), self.co_variables());
        self.nodes
            .iter()
            .fold(CoMoments::new(k, d), |acc, n| CoMoments::merge(&acc, &n.co))
    }

    /// Variables of the co-moments: the controls, the outputs and two indicators per output.
    #[must_use]
    pub fn co_variables(&self) -> usize {
        self.controls.len() + 3 * self.outputs.len()
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
        if self.conditions != other.conditions {
            return Err(GridRiskError::Merge(
                "the parts were computed with different path conditions (by different gridrisk versions)".into(),
            ));
        }
        if self.controls != other.controls {
            return Err(GridRiskError::Merge(
                "the parts were computed with different control variates (by different gridrisk versions)".into(),
            ));
        }
        if self.sketched != other.sketched {
            return Err(GridRiskError::Merge(
                "the parts keep quantile sketches of different metrics (simulate them with the same fans=)".into(),
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

    /// Decodes [`RunStats::to_bytes`], and checks every invariant the other methods (and the
    /// Python accessors) rely on, so that decoded statistics behave like computed ones.
    ///
    /// # Errors
    /// [`GridRiskError::Data`] for bytes of another format or version, or that decode to
    /// statistics no run could produce (see [`RunStats::check`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let body = bytes.strip_prefix(FORMAT_TAG).ok_or_else(|| {
            // The tag is the whole version check: postcard has no field names, so bytes of
            // another layout must never reach the decoder.
            if bytes.starts_with(FORMAT_FAMILY) {
                GridRiskError::Data(format!(
                    "run statistics of another format ({}) than this gridrisk reads ({}): saved by another \
                     version of gridrisk; rerun the simulation with this one",
                    tag_shown(bytes),
                    tag_shown(FORMAT_TAG)
                ))
            } else {
                GridRiskError::Data("not gridrisk run statistics (or from an incompatible version)".into())
            }
        })?;
        let stats: Self = postcard::from_bytes(body).map_err(|e| GridRiskError::Data(e.to_string()))?;
        stats
            .check()
            .map_err(|e| GridRiskError::Data(format!("inconsistent run statistics: {e}")))?;
        Ok(stats)
    }

    /// Cells: one per metric and month, then one per output.
    fn cells(&self) -> Option<usize> {
        self.metrics
            .len()
            .checked_mul(self.months)?
            .checked_add(self.outputs.len())
    }

    /// Checks what a run guarantees: names present and unique; `1 <= months <= 600`; a path
    /// range `[path_lo, path_hi)` that is not empty, starts at a multiple of [`CHUNK_PATHS`]
    /// and ends at or below 2^60; nodes that are exactly the canonical decomposition of its
    /// chunks, each with the moments of its paths (count, one mean and M2 per cell, not NaN) and,
    /// for antithetic runs only, of its pairs, and per condition the moments of at most its
    /// paths (all zero when none); conditions named, unique, reading one of the outputs, with a
    /// threshold that is not NaN; one valid sketch per cell holding every path; control names
    /// present and unique, at most [`super::control::MAX_CONTROLS`], and in every node their
    /// co-moments over its paths (lengths, no NaN, the cross-products' diagonal equal to the
    /// sums of squares, the indicators' means in `[0, 1]`).
    ///
    /// # Errors
    /// The first violation, in words.
    pub fn check(&self) -> std::result::Result<(), String> {
        for (what, names) in [("metric", &self.metrics), ("output", &self.outputs)] {
            if names.is_empty() {
                return Err(format!("no {what} names"));
            }
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(format!("the {what} name '{}' appears twice", w[0]));
            }
        }
        if self.controls.len() > super::control::MAX_CONTROLS {
            return Err(format!(
                "{} controls (at most {})",
                self.controls.len(),
                super::control::MAX_CONTROLS
            ));
        }
        for (i, c) in self.controls.iter().enumerate() {
            if c.is_empty() || self.controls[..i].contains(c) {
                return Err(format!("control {i} is unnamed or named twice"));
            }
        }
        for (i, c) in self.conditions.iter().enumerate() {
            if c.name.is_empty() {
                return Err(format!("condition {i} has no name"));
            }
            if self.conditions[..i].iter().any(|d| d.name == c.name) {
                return Err(format!("the condition name '{}' appears twice", c.name));
            }
            if !self.outputs.contains(&c.output) {
                return Err(format!(
                    "condition '{}' reads '{}', which is not an output",
                    c.name, c.output
                ));
            }
            if c.threshold.is_nan() {
                return Err(format!("condition '{}' has a NaN threshold", c.name));
            }
        }
        let max_months = crate::scenario::MAX_HORIZON_MONTHS as usize;
        if !(1..=max_months).contains(&self.months) {
            return Err(format!("{} months (1 to {max_months} allowed)", self.months));
        }
        let cells = self.cells().ok_or("too many cells")?;
        if !(self.path_lo < self.path_hi && self.path_hi <= crate::rng::MAX_PATHS) {
            return Err(format!(
                "the path range [{}, {}) is empty or ends above 2^60",
                self.path_lo, self.path_hi
            ));
        }
        if self.path_lo % CHUNK_PATHS != 0 {
            return Err(format!(
                "the first path {} is not a multiple of {CHUNK_PATHS}",
                self.path_lo
            ));
        }
        let want = canonical(self.path_lo / CHUNK_PATHS, self.path_hi.div_ceil(CHUNK_PATHS));
        if want.len() != self.nodes.len()
            || want
                .iter()
                .zip(&self.nodes)
                .any(|(&(lo, size), n)| (lo, size) != (n.lo, n.size))
        {
            return Err("the nodes are not the canonical decomposition of the path range".into());
        }
        for node in &self.nodes {
            let first = (node.lo * CHUNK_PATHS).max(self.path_lo);
            let last = ((node.lo + node.size) * CHUNK_PATHS).min(self.path_hi);
            let paths = last - first;
            check_moments(&node.moments, paths, cells, "paths")?;
            match (&node.pairs, self.antithetic) {
                // Chunks start at even paths, so a node's pairs are its paths halved.
                (Some(p), true) => check_moments(p, paths / 2, self.outputs.len(), "pairs")?,
                (None, false) => {}
                _ => return Err("pair moments present exactly when the run is antithetic is violated".into()),
            }
            check_co(&node.co, paths, self.controls.len(), self.outputs.len())?;
            if node.conditions.len() != self.conditions.len() {
                return Err(format!(
                    "a node holds {} conditional moments for {} conditions",
                    node.conditions.len(),
                    self.conditions.len()
                ));
            }
            for (c, m) in self.conditions.iter().zip(&node.conditions) {
                if m.n > paths {
                    return Err(format!("condition '{}': {} paths of {paths}", c.name, m.n));
                }
                check_moments(m, m.n, self.outputs.len(), "paths")
                    .map_err(|e| format!("condition '{}': {e}", c.name))?;
                // Merges skip empty moments, so an empty one must be exactly what a run makes.
                if m.n == 0 && m.mean.iter().chain(&m.m2).any(|&x| x != 0.0) {
                    return Err(format!("condition '{}': moments of no paths that are not zero", c.name));
                }
            }
        }
        if self.sketches.len() != self.sketched.len() {
            return Err(format!(
                "{} sketches for {} sketched cells",
                self.sketches.len(),
                self.sketched.len()
            ));
        }
        if self.sketched.windows(2).any(|w| w[0] >= w[1]) || self.sketched.last().is_some_and(|&c| c as usize >= cells)
        {
            return Err(format!("the sketched cells are not increasing cells below {cells}"));
        }
        let grid = cells - self.outputs.len();
        let outputs = self.sketched.len().checked_sub(self.outputs.len());
        if outputs.is_none_or(|k| {
            self.sketched[k..]
                .iter()
                .zip(grid..)
                .any(|(&c, want)| c as usize != want)
        }) {
            return Err("not every output keeps a sketch".into());
        }
        let paths = self.paths();
        for (&cell, s) in self.sketched.iter().zip(&self.sketches) {
            let count = s.check().map_err(|e| format!("cell {cell}: {e}"))?;
            if count != paths {
                return Err(format!(
                    "the sketch of cell {cell} holds {count} values for {paths} paths"
                ));
            }
        }
        Ok(())
    }
}

/// Checks moments of `n` observations of `cells` cells: the count, the lengths, no NaN.
/// (Infinities are possible in a real run: the sum of squares of values beyond about 1e154
/// overflows, and the engine only requires each value to be finite.)
fn check_moments(m: &Moments, n: u64, cells: usize, what: &str) -> std::result::Result<(), String> {
    if m.n != n {
        return Err(format!("moments of {} {what} where the range has {n}", m.n));
    }
    if m.mean.len() != cells || m.m2.len() != cells {
        return Err(format!(
            "moments of {} and {} cells where there are {cells}",
            m.mean.len(),
            m.m2.len()
        ));
    }
    if m.mean.iter().chain(&m.m2).any(|x| x.is_nan()) {
        return Err("a mean or sum of squares is NaN".into());
    }
    Ok(())
}

/// Checks co-moments of `n` paths of `k` controls and `q` outputs (see [`RunStats::check`]).
fn check_co(co: &CoMoments, n: u64, k: usize, q: usize) -> std::result::Result<(), String> {
    let d = k + 3 * q;
    if co.moments.n != n {
        return Err(format!("co-moments of {} paths where the range has {n}", co.moments.n));
    }
    if co.moments.mean.len() != d || co.moments.m2.len() != d || co.cross.len() != k * d {
        return Err(format!(
            "co-moments of {}, {} and {} values where there are {d}, {d} and {}",
            co.moments.mean.len(),
            co.moments.m2.len(),
            co.cross.len(),
            k * d
        ));
    }
    if co
        .moments
        .mean
        .iter()
        .chain(&co.moments.m2)
        .chain(&co.cross)
        .any(|x| x.is_nan())
    {
        return Err("a control co-moment is NaN".into());
    }
    if (0..k).any(|i| co.cross[i * d + i].to_bits() != co.moments.m2[i].to_bits()) {
        return Err("a control's cross-product with itself differs from its sum of squares".into());
    }
    if co.moments.mean[k + q..].iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err("an indicator's mean is outside [0, 1]".into());
    }
    Ok(())
}

/// The encoding's name and version. v4: conditional moments (nodes) and the conditions. v5: the
/// streams' seeds (in the fingerprint and the saved file) include the parameters' stream. v6:
/// sketches of the chosen cells only (`sketched`). v7: the control variates' co-moments (nodes)
/// and names (`controls`).
const FORMAT_TAG: &[u8] = b"gridrisk-stats-v7\0";
/// What every version's tag starts with.
const FORMAT_FAMILY: &[u8] = b"gridrisk-stats-v";

/// The tag at the start of `bytes` (up to its NUL, at most 32 bytes), for messages.
fn tag_shown(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(32)];
    let end = head.iter().position(|&b| b == 0).unwrap_or(head.len());
    String::from_utf8_lossy(&head[..end]).into_owned()
}

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
        // Build each canonical node bottom-up from per-chunk moments, as the engine does: the
        // moments of all five values of a chunk, then of those meeting each of two conditions
        // (every third value; none).
        fn build(lo: u64, size: u64) -> [Moments; 3] {
            if size == 1 {
                let [mut all, mut third, none] = [Moments::new(1), Moments::new(1), Moments::new(1)];
                for k in 0..5 {
                    let x = [((lo * 5 + k) as f64).sqrt()];
                    all.push(&x);
                    if (lo * 5 + k) % 3 == 0 {
                        third.push(&x);
                    }
                }
                return [all, third, none];
            }
            let (a, b) = (build(lo, size / 2), build(lo + size / 2, size / 2));
            std::array::from_fn(|i| Moments::merge(&a[i], &b[i]))
        }
        canonical(lo, hi)
            .into_iter()
            .map(|(l, s)| {
                let [moments, third, none] = build(l, s);
                Node {
                    lo: l,
                    size: s,
                    moments,
                    pairs: None,
                    conditions: vec![third, none],
                    co: CoMoments::new(0, 0),
                }
            })
            .collect()
    }

    /// One way to break decoded statistics.
    type Corruption = Box<dyn Fn(&mut RunStats)>;

    /// Statistics of a real run (600 paths over 3 months), antithetic or not.
    fn real(antithetic: bool) -> RunStats {
        let mut sc = crate::Scenario::from_toml_str(include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("preset is valid");
        sc.simulation.horizon_months = 3;
        let spec = crate::engine::RunSpec {
            seeds: crate::rng::uniform(3),
            path_lo: 256,
            path_hi: 856,
            threads: 1,
            keep: crate::engine::Keep::Nothing,
            antithetic,
            param_seeds: Vec::new(),
            fans: crate::stats::Fans::Headline,
        };
        crate::engine::run_with_conditions(&sc, &spec, &crate::engine::Monitor::default(), &TEST_CONDITIONS)
            .expect("runs")
            .stats
    }

    /// Conditions of the tests' runs, independent of the declared list: one every path meets,
    /// one none does.
    const TEST_CONDITIONS: [Condition; 2] = [
        Condition {
            name: "hashprice_positive",
            description: "the mean hashprice was positive (every path)",
            output: "mean_hashprice_usd_per_ph_day",
            comparison: Comparison::GreaterThan,
            threshold: 0.0,
        },
        Condition {
            name: "never",
            description: "no path",
            output: "npv_pkr",
            comparison: Comparison::GreaterThan,
            threshold: f64::INFINITY,
        },
    ];

    #[test]
    fn decoding_checks_every_invariant() {
        for antithetic in [false, true] {
            let good = real(antithetic);
            assert_eq!(RunStats::from_bytes(&good.to_bytes()).unwrap(), good);
            let n_out = good.outputs.len();
            let breaks: Vec<(&str, Corruption)> = vec![
                ("no metrics", Box::new(|s| s.metrics.clear())),
                ("duplicate output", Box::new(|s| s.outputs[1] = s.outputs[0].clone())),
                ("one output fewer", Box::new(|s| drop(s.outputs.pop()))),
                ("zero months", Box::new(|s| s.months = 0)),
                ("more months", Box::new(|s| s.months += 1)),
                ("months beyond the horizon limit", Box::new(|s| s.months = 601)),
                (
                    "path_lo above path_hi",
                    Box::new(|s| std::mem::swap(&mut s.path_lo, &mut s.path_hi)),
                ),
                ("empty range", Box::new(|s| s.path_hi = s.path_lo)),
                ("unaligned start", Box::new(|s| s.path_lo += 1)),
                ("range past 2^60", Box::new(|s| s.path_hi = u64::MAX)),
                ("range longer than its nodes", Box::new(|s| s.path_hi += 256)),
                ("a node dropped", Box::new(|s| drop(s.nodes.pop()))),
                ("a node moved", Box::new(|s| s.nodes[0].lo += 1)),
                ("a node's count", Box::new(|s| s.nodes[0].moments.n += 1)),
                ("a short mean", Box::new(|s| s.nodes[0].moments.mean.truncate(1))),
                ("a short m2", Box::new(|s| s.nodes[0].moments.m2.truncate(1))),
                ("a NaN mean", Box::new(|s| s.nodes[0].moments.mean[3] = f64::NAN)),
                ("pairs flipped", Box::new(|s| s.antithetic = !s.antithetic)),
                ("a sketch dropped", Box::new(|s| drop(s.sketches.pop()))),
                (
                    "a sketched cell dropped",
                    Box::new(|s| {
                        s.sketched.remove(0);
                    }),
                ),
                (
                    "an output's sketch dropped",
                    Box::new(|s| {
                        s.sketched.pop();
                        s.sketches.pop();
                    }),
                ),
                ("sketched cells out of order", Box::new(|s| s.sketched.swap(0, 1))),
                (
                    "a sketched cell beyond the cells",
                    Box::new(|s| *s.sketched.last_mut().unwrap() += 1),
                ),
                ("a sketch emptied", Box::new(|s| s.sketches[5] = Sketch::default())),
                ("a sketch with an extra value", Box::new(|s| s.sketches[5].insert(1.0))),
                ("a condition dropped", Box::new(|s| drop(s.conditions.pop()))),
                (
                    "a node's conditions dropped",
                    Box::new(|s| drop(s.nodes[0].conditions.pop())),
                ),
                (
                    "a condition named twice",
                    Box::new(|s| s.conditions[1].name = s.conditions[0].name.clone()),
                ),
                ("a condition without a name", Box::new(|s| s.conditions[0].name.clear())),
                (
                    "a condition on a missing output",
                    Box::new(|s| s.conditions[0].output = "no_such_output".into()),
                ),
                ("a NaN threshold", Box::new(|s| s.conditions[0].threshold = f64::NAN)),
                (
                    "a condition met by more paths than the node has",
                    Box::new(|s| s.nodes[0].conditions[0].n = 10_000),
                ),
                (
                    "a short conditional mean",
                    Box::new(|s| s.nodes[0].conditions[0].mean.truncate(1)),
                ),
                (
                    "a NaN conditional mean",
                    Box::new(|s| {
                        let m = &mut s.nodes[0].conditions[0];
                        m.n = m.n.max(1);
                        m.mean[2] = f64::NAN;
                    }),
                ),
                (
                    "an empty condition with a mean",
                    Box::new(|s| {
                        let m = &mut s.nodes[0].conditions[0];
                        *m = Moments::new(m.mean.len());
                        m.mean[0] = 1.0;
                    }),
                ),
                ("a control dropped", Box::new(|s| drop(s.controls.pop()))),
                ("a control unnamed", Box::new(|s| s.controls[0].clear())),
                (
                    "a control named twice",
                    Box::new(|s| s.controls[1] = s.controls[0].clone()),
                ),
                (
                    "too many controls",
                    Box::new(|s| s.controls.extend((0..9).map(|i| format!("extra{i}")))),
                ),
                (
                    "co-moments of another count",
                    Box::new(|s| s.nodes[0].co.moments.n += 1),
                ),
                (
                    "a short co-moment mean",
                    Box::new(|s| s.nodes[0].co.moments.mean.truncate(3)),
                ),
                ("a short cross-product", Box::new(|s| s.nodes[0].co.cross.truncate(3))),
                ("a NaN cross-product", Box::new(|s| s.nodes[0].co.cross[7] = f64::NAN)),
                (
                    "a control's diagonal off its m2",
                    Box::new(|s| s.nodes[0].co.cross[0] += 1.0),
                ),
                (
                    "an indicator's mean above one",
                    Box::new(|s| *s.nodes[0].co.moments.mean.last_mut().unwrap() = 1.5),
                ),
            ];
            for (what, f) in &breaks {
                let mut bad = good.clone();
                f(&mut bad);
                match RunStats::from_bytes(&bad.to_bytes()) {
                    Err(GridRiskError::Data(msg)) => assert!(msg.contains("inconsistent"), "{what}: {msg}"),
                    other => panic!("{what}: decoded to {other:?}"),
                }
            }
            if antithetic {
                let mut bad = good.clone();
                bad.nodes[0].pairs.as_mut().expect("antithetic").n += 1;
                assert!(RunStats::from_bytes(&bad.to_bytes()).is_err());
                let mut bad = good.clone();
                bad.nodes[0].pairs.as_mut().expect("antithetic").mean.truncate(1);
                assert!(RunStats::from_bytes(&bad.to_bytes()).is_err());
            }
            assert_eq!(good.outputs.len(), n_out);
        }
    }

    #[test]
    fn sketch_buckets_out_of_range_are_refused() {
        let good = real(false);
        // Re-encode one sketch by hand through serde: a positive store at the end of i32.
        #[derive(Serialize)]
        struct Store {
            offset: i32,
            counts: Vec<u64>,
        }
        #[derive(Serialize)]
        struct Raw {
            pos: Store,
            neg: Store,
            zero: u64,
        }
        let paths = good.paths();
        for (offset, len) in [(i32::MAX, 1usize), (i32::MIN, 1), (0, MAX_BINS_PLUS_ONE), (-8000, 1)] {
            let mut counts = vec![0u64; len];
            counts[0] = paths;
            let raw = Raw {
                pos: Store { offset, counts },
                neg: Store {
                    offset: 0,
                    counts: Vec::new(),
                },
                zero: 0,
            };
            let sketch: Sketch = postcard::from_bytes(&postcard::to_stdvec(&raw).unwrap()).unwrap();
            let mut bad = good.clone();
            bad.sketches[0] = sketch;
            assert!(
                matches!(RunStats::from_bytes(&bad.to_bytes()), Err(GridRiskError::Data(_))),
                "offset {offset}, {len} buckets"
            );
        }
        // Counts that overflow u64 when summed.
        let raw = Raw {
            pos: Store {
                offset: 0,
                counts: vec![u64::MAX, 2],
            },
            neg: Store {
                offset: 0,
                counts: Vec::new(),
            },
            zero: 0,
        };
        let mut bad = good.clone();
        bad.sketches[0] = postcard::from_bytes(&postcard::to_stdvec(&raw).unwrap()).unwrap();
        assert!(RunStats::from_bytes(&bad.to_bytes()).is_err());
    }

    #[test]
    fn statistics_of_another_format_version_are_refused_by_name() {
        let mut bytes = b"gridrisk-stats-v6\0".to_vec();
        bytes.extend(&real(false).to_bytes()[FORMAT_TAG.len()..]);
        match RunStats::from_bytes(&bytes) {
            Err(GridRiskError::Data(msg)) => {
                assert!(
                    msg.contains("gridrisk-stats-v6") && msg.contains("gridrisk-stats-v7"),
                    "{msg}"
                );
                assert!(msg.contains("rerun"), "{msg}");
            }
            other => panic!("decoded to {other:?}"),
        }
        assert!(matches!(RunStats::from_bytes(b"gridrisk"), Err(GridRiskError::Data(_))));
    }

    #[test]
    fn merging_refuses_other_fans() {
        let whole = real(false);
        let mut other = whole.clone();
        other.sketched.remove(0);
        other.sketches.remove(0);
        match whole.merge(&other) {
            Err(GridRiskError::Merge(msg)) => assert!(msg.contains("fans="), "{msg}"),
            x => panic!("merged: {x:?}"),
        }
    }

    #[test]
    fn merging_refuses_other_conditions() {
        let whole = real(false);
        let mut other = whole.clone();
        other.conditions[0].threshold = 0.5;
        // Adjacent ranges are not needed to see it: the conditions are compared first.
        match whole.merge(&other) {
            Err(GridRiskError::Merge(msg)) => assert!(msg.contains("conditions"), "{msg}"),
            other => panic!("merged to {other:?}"),
        }
    }

    const MAX_BINS_PLUS_ONE: usize = super::super::sketch::MAX_BINS + 1;

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
