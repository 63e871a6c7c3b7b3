//! Parallel runs: paths in fixed chunks, a merge tree fixed by chunk indices (see
//! [`crate::stats::partial`]), quantile sketches per worker (integer counts, so the order in
//! which workers fill them is irrelevant), and optional per-path arrays written in place.

pub mod monitor;
pub mod pool;

pub use monitor::Monitor;

use crate::error::{GridRiskError, Result};
use crate::memory;
use crate::metrics::{
    CONDITIONS, Comparison, Condition, METRICS, N_METRICS, N_OUTPUTS, OUTPUTS, output_index, path_len,
};
use crate::model::{CONTROLS, Model, N_CONTROLS, Scratch};
use crate::parameters::Parameters;
use crate::rng::{FNV_OFFSET, MAX_PATHS, Seeds, fnv1a};
use crate::scenario::Scenario;
use crate::stats::control;
use crate::stats::fans::{self, Fans};
use crate::stats::partial::{ConditionSpec, Node, canonical};
use crate::stats::{CHUNK_PATHS, CoMoments, Moments, RunStats, Sketch};
use std::sync::Mutex;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The seed of each stream (`rng::uniform(seed)` for an ordinary run).
    pub seeds: Seeds,
    /// First path index (a multiple of [`CHUNK_PATHS`]).
    pub path_lo: u64,
    /// One past the last path index.
    pub path_hi: u64,
    /// Worker threads.
    pub threads: usize,
    /// Which per-path values to return.
    pub keep: Keep,
    /// Antithetic pairs (2k, 2k + 1); see [`crate::drivers::Drivers::simulate`].
    pub antithetic: bool,
    /// Seeds of their own for groups of uncertain parameters (a sensitivity analysis varies
    /// one group and freezes the rest); other groups use `seeds[Stream::Params]`.
    pub param_seeds: Vec<(String, u64)>,
    /// Which monthly metrics keep quantile sketches (every cell keeps its moments).
    pub fans: Fans,
}

/// Which per-path values a run returns (statistics are always returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// None.
    Nothing,
    /// The per-path outputs only (a few numbers per path).
    Outputs,
    /// Every metric of every month, and the outputs.
    Everything,
}

impl Keep {
    /// Index of the first kept buffer in METRICS-then-OUTPUTS order.
    fn skip(self) -> usize {
        if self == Keep::Outputs { N_METRICS } else { 0 }
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct RunOutput {
    /// Mergeable statistics.
    pub stats: RunStats,
    /// With `keep_paths`: one row-major `(paths, months)` buffer per metric, in METRICS order,
    /// then one `(paths,)` buffer per output, in OUTPUTS order, then one `(paths,)` buffer per
    /// uncertain parameter, in [`RunOutput::parameters`] order, then one `(paths,)` buffer per
    /// control variate (`C - E[C | parameters]`), in [`CONTROLS`] order.
    pub paths: Option<Vec<Vec<f64>>>,
    /// The scenario's uncertain fields (empty without `[[uncertain]]`).
    pub parameters: Vec<String>,
}

/// Bytes that `keep_paths` would allocate.
#[must_use]
pub fn keep_paths_bytes(paths: u64, months: usize) -> u64 {
    paths
        .saturating_mul(months as u64)
        .saturating_mul((N_METRICS * 8) as u64)
}

/// Identifies (scenario, seeds, antithetic sampling): what a run's statistics record, checked
/// when they are merged or loaded.
#[must_use]
pub fn fingerprint(sc: &Scenario, seeds: &Seeds, antithetic: bool) -> u64 {
    fnv1a(
        &seeds.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<u8>>(),
        fnv1a(sc.to_toml_string().as_bytes(), FNV_OFFSET),
    ) ^ u64::from(antithetic)
}

/// What one worker thread keeps between chunks: its quantile sketches (integer counts, so which
/// worker saw which path cannot change the merged result) and the paths not yet in them.
struct Worker {
    /// One per sketched cell.
    sketches: Vec<Sketch>,
    /// The sketched cells of paths not yet in the sketches, path-major (`row * sketched +
    /// k`), allocated on first use with room for [`batch_rows`] paths, and reused.
    batch: Vec<f64>,
    /// Rows of `batch` in use.
    filled: usize,
}

/// Most paths a worker holds before it adds them to its sketches, cell by cell. A sketch's
/// buckets are then visited once per this many values, so the cache misses of reaching them
/// are paid once per batch rather than once per path (measured in bench/phases.rs).
pub const SKETCH_BATCH: usize = 4 * CHUNK_PATHS as usize;

/// Cap on the memory of all workers' batches together, bytes (256 MiB).
///
/// A batch holds [`SKETCH_BATCH`] paths of their sketched cells, 8 bytes each: 22 MB a worker
/// at 120 months with the default fans, 113 MB with every metric's fan, 566 MB at 600 months
/// with every fan. Memory that grows with the thread count and is not
/// asked for would make `threads=` a memory setting; so the batch shrinks instead (to
/// `BATCH_BYTES / (threads x path bytes)` paths, at least one) and the total stays under this
/// cap. Smaller batches only cost some speed: the sketches' counts are integers, so when a path
/// enters them never changes a result.
pub const BATCH_BYTES: usize = 256 << 20;

/// Paths a worker's batch holds: [`SKETCH_BATCH`], fewer so that `workers` batches fit in
/// `total_bytes` ([`BATCH_BYTES`] in runs), and never more than the run's `paths`; at least one.
#[must_use]
pub fn batch_rows(total_bytes: usize, workers: usize, cells: usize, paths: usize) -> usize {
    let fit = total_bytes / workers.max(1).saturating_mul(cells.max(1)).saturating_mul(8);
    fit.min(SKETCH_BATCH).min(paths).max(1)
}

impl Worker {
    /// Adds the held paths to the sketches; stops early (the run is abandoned) if cancelled.
    fn flush(&mut self, monitor: &Monitor) -> Result<()> {
        let cells = self.sketches.len();
        for (cell, sketch) in self.sketches.iter_mut().enumerate() {
            // One relaxed load per cell (a batch of values): a flush of a long horizon takes
            // long enough to matter for Ctrl-C.
            if monitor.cancelled() {
                return Err(GridRiskError::Cancelled);
            }
            sketch.insert_many((0..self.filled).map(|row| self.batch[row * cells + cell]));
        }
        self.filled = 0;
        Ok(())
    }
}

struct Ctx<'a> {
    model: &'a Model,
    /// The uncertain parameters, if the scenario has any, and the groups' own seeds.
    params: Option<&'a Parameters>,
    param_seeds: &'a [(String, u64)],
    seeds: Seeds,
    path_lo: u64,
    path_hi: u64,
    monitor: &'a Monitor,
    workers: &'a [Mutex<Worker>],
    /// Kept buffers start at this index of METRICS-then-OUTPUTS.
    skip: usize,
    antithetic: bool,
    /// Paths a worker's batch holds ([`batch_rows`]).
    batch_rows: usize,
    /// The run's conditions: the index of the output each reads, its comparison and threshold.
    conditions: Vec<(usize, Comparison, f64)>,
    /// The cells with a sketch, increasing.
    sketched: &'a [u32],
}

/// Runs the paths `[path_lo, path_hi)` of a validated scenario.
///
/// Memory: the kept per-path values (if asked for), allocated up front; per worker, its
/// sketches and a batch of paths under a cap shared by all workers ([`BATCH_BYTES`]).
/// Cancellation is checked before every path and every cell of a batch flush, so a cancelled
/// run stops within about one path's time.
///
/// # Errors
/// [`GridRiskError::Argument`] for a bad range or thread count, [`GridRiskError::Cancelled`]
/// when `monitor` is cancelled, [`GridRiskError::Scenario`] if the parameters drive a value
/// out of floating-point range, [`GridRiskError::Memory`] if the kept values or a batch cannot
/// be allocated.
pub fn run(sc: &Scenario, spec: &RunSpec, monitor: &Monitor) -> Result<RunOutput> {
    run_batched(sc, spec, monitor, BATCH_BYTES, CONDITIONS)
}

/// [`run`] keeping conditional moments for `conditions` instead of [`CONDITIONS`].
///
/// # Errors
/// As [`run`]; [`GridRiskError::Argument`] also for a condition on an output that does not
/// exist.
pub fn run_with_conditions(
    sc: &Scenario,
    spec: &RunSpec,
    monitor: &Monitor,
    conditions: &[Condition],
) -> Result<RunOutput> {
    run_batched(sc, spec, monitor, BATCH_BYTES, conditions)
}

/// [`run`] with all workers' batches capped at `batch_bytes` (tests use tiny batches).
fn run_batched(
    sc: &Scenario,
    spec: &RunSpec,
    monitor: &Monitor,
    batch_bytes: usize,
    conditions: &[Condition],
) -> Result<RunOutput> {
    let RunSpec {
        seeds,
        path_lo,
        path_hi,
        threads,
        keep,
        antithetic,
        ref param_seeds,
        ref fans,
    } = *spec;
    if path_lo % CHUNK_PATHS != 0 {
        return Err(GridRiskError::argument(
            "path_range",
            path_lo,
            format!("the first path must be a multiple of {CHUNK_PATHS}"),
        ));
    }
    if path_hi <= path_lo || path_hi > MAX_PATHS {
        return Err(GridRiskError::argument(
            "paths",
            path_hi.saturating_sub(path_lo),
            format!("must be at least 1, with the last path index below 2^60 (range [{path_lo}, {path_hi}))"),
        ));
    }
    // What decoding checks (RunStats::check), so that a run never records statistics that
    // would not load back.
    let resolved = conditions
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let bad = |why: String| Err(GridRiskError::argument("conditions", c.name, why));
            if c.name.is_empty() || conditions[..k].iter().any(|d| d.name == c.name) {
                return bad("condition names must be present and unique".into());
            }
            if c.threshold.is_nan() {
                return bad("the threshold is NaN".into());
            }
            match output_index(c.output) {
                Some(i) => Ok((i, c.comparison, c.threshold)),
                None => bad(format!("reads '{}', which is not a per-path output", c.output)),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    if let Fans::With(extra) = fans
        && let Some(&bad) = extra.iter().find(|&&m| m >= N_METRICS)
    {
        return Err(GridRiskError::argument(
            "fans",
            bad,
            format!("must be metric indices below {N_METRICS}"),
        ));
    }
    let pool = pool::get(threads)?;
    let model = Model::new(sc);
    let params = Parameters::of(sc);
    let n_params = params.as_ref().map_or(0, |p| p.names().len());
    let months = model.months();
    let calendar: Vec<u32> = model.schedule().iter().map(|m| m.date.month).collect();
    let sketched = fans::sketched_cells(fans, &calendar);
    let n_paths = usize::try_from(path_hi - path_lo)
        .map_err(|_| GridRiskError::argument("paths", path_hi - path_lo, "too many for this machine"))?;
    let mut kept = keep_buffers(keep, n_paths, months, n_params)?;
    let workers: Vec<Mutex<Worker>> = (0..pool.current_num_threads())
        .map(|_| {
            Mutex::new(Worker {
                sketches: vec![Sketch::default(); sketched.len()],
                batch: Vec::new(),
                filled: 0,
            })
        })
        .collect();
    let batch_rows = batch_rows(batch_bytes, workers.len(), sketched.len(), n_paths);
    let ctx = Ctx {
        model: &model,
        params: params.as_ref(),
        param_seeds,
        seeds,
        path_lo,
        path_hi,
        monitor,
        workers: &workers,
        skip: keep.skip(),
        antithetic,
        batch_rows,
        conditions: resolved,
        sketched: &sketched,
    };

    let c_lo = path_lo / CHUNK_PATHS;
    let c_hi = path_hi.div_ceil(CHUNK_PATHS);
    let nodes = pool.install(|| -> Result<Vec<Node>> {
        let mut sinks: Option<Vec<&mut [f64]>> = kept.as_mut().map(|k| k.iter_mut().map(Vec::as_mut_slice).collect());
        let mut out = Vec::new();
        for (lo, size) in canonical(c_lo, c_hi) {
            let rows = ctx.rows(lo, size);
            let here = sinks.as_mut().map(|s| split_rows(s, rows, months, ctx.skip));
            let NodeStats {
                moments,
                pairs,
                conditions,
                co,
            } = node(&ctx, lo, size, here)?;
            out.push(Node {
                lo,
                size,
                moments,
                pairs,
                conditions,
                co,
            });
        }
        Ok(out)
    })?;

    // The paths still held by the workers, into their sketches in parallel.
    pool.install(|| {
        use rayon::prelude::*;
        workers.par_iter().try_for_each(|w| {
            w.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .flush(monitor)
        })
    })?;
    let mut sketches = vec![Sketch::default(); sketched.len()];
    for w in &workers {
        let w = w.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (s, o) in sketches.iter_mut().zip(&w.sketches) {
            s.merge_from(o);
        }
    }
    let stats = RunStats {
        fingerprint: fingerprint(sc, &seeds, antithetic) ^ param_seeds_hash(param_seeds),
        antithetic,
        metrics: METRICS.iter().map(|(_, n)| (*n).to_owned()).collect(),
        outputs: OUTPUTS.iter().map(|(n, _, _)| (*n).to_owned()).collect(),
        months,
        path_lo,
        path_hi,
        nodes,
        sketched,
        sketches,
        conditions: conditions.iter().map(ConditionSpec::from).collect(),
        controls: CONTROLS.iter().map(|(n, _, _)| (*n).to_owned()).collect(),
    };
    Ok(RunOutput {
        stats,
        paths: kept,
        parameters: params.map(|p| p.names().to_vec()).unwrap_or_default(),
    })
}

/// Mixes the groups' own parameter seeds into a fingerprint (zero when there are none, so that
/// ordinary runs keep theirs).
fn param_seeds_hash(param_seeds: &[(String, u64)]) -> u64 {
    let mut sorted: Vec<&(String, u64)> = param_seeds.iter().collect();
    sorted.sort();
    sorted.iter().fold(0, |h, (g, s)| {
        crate::rng::mix64(fnv1a(g.as_bytes(), h ^ 0x5851_f42d_4c95_7f2d) ^ s)
    })
}

/// The buffers of the per-path values a run keeps (see [`RunOutput::paths`]), allocated
/// fallibly: their size is the caller's to choose.
fn keep_buffers(keep: Keep, n_paths: usize, months: usize, n_params: usize) -> Result<Option<Vec<Vec<f64>>>> {
    let (metric_len, metrics) = match keep {
        Keep::Nothing => return Ok(None),
        Keep::Outputs => (0, 0),
        Keep::Everything => (
            n_paths
                .checked_mul(months)
                .ok_or_else(|| GridRiskError::argument("paths", n_paths, "too many to keep"))?,
            N_METRICS,
        ),
    };
    // All at once first: each buffer may be possible while all together are not.
    let total = metric_len
        .checked_mul(metrics)
        .and_then(|m| {
            n_paths
                .checked_mul(N_OUTPUTS + n_params + N_CONTROLS)
                .and_then(|o| m.checked_add(o))
        })
        .ok_or(GridRiskError::Memory { bytes: u64::MAX })?;
    memory::check_total(total)?;
    let mut out = Vec::with_capacity(metrics + N_OUTPUTS);
    for _ in 0..metrics {
        out.push(memory::zeros(metric_len)?);
    }
    for _ in 0..N_OUTPUTS + n_params + N_CONTROLS {
        out.push(memory::zeros(n_paths)?);
    }
    Ok(Some(out))
}

/// Takes the first `rows` rows of every sink (metric sinks have `months` values a row, output
/// sinks one), leaving the rest in place.
fn split_rows<'a>(sinks: &mut Vec<&'a mut [f64]>, rows: usize, months: usize, skip: usize) -> Vec<&'a mut [f64]> {
    sinks
        .iter_mut()
        .enumerate()
        .map(|(i, s)| {
            let len = if i + skip < N_METRICS { rows * months } else { rows };
            let (head, tail) = std::mem::take(s).split_at_mut(len);
            *s = tail;
            head
        })
        .collect()
}

impl Ctx<'_> {
    /// Paths of the chunk range `[lo, lo + size)` that fall inside the run.
    fn rows(&self, lo: u64, size: u64) -> usize {
        let a = (lo * CHUNK_PATHS).max(self.path_lo);
        let b = ((lo + size) * CHUNK_PATHS).min(self.path_hi);
        (b - a) as usize
    }
}

/// The moments a node of the merge tree holds (see [`Node`]).
struct NodeStats {
    /// Every cell.
    moments: Moments,
    /// Antithetic runs: the pair means of the outputs.
    pairs: Option<Moments>,
    /// The outputs of the paths meeting each condition.
    conditions: Vec<Moments>,
    /// The control variates' co-moments.
    co: CoMoments,
}

fn node(ctx: &Ctx<'_>, lo: u64, size: u64, sinks: Option<Vec<&mut [f64]>>) -> Result<NodeStats> {
    if ctx.monitor.cancelled() {
        return Err(GridRiskError::Cancelled);
    }
    if size == 1 {
        return leaf(ctx, lo, sinks);
    }
    let half = size / 2;
    let months = ctx.model.months();
    let (left_sinks, right_sinks) = match sinks {
        Some(mut s) => {
            let left = split_rows(&mut s, ctx.rows(lo, half), months, ctx.skip);
            (Some(left), Some(s))
        }
        None => (None, None),
    };
    let (a, b) = rayon::join(
        || node(ctx, lo, half, left_sinks),
        || node(ctx, lo + half, half, right_sinks),
    );
    let (a, b) = (a?, b?);
    let pairs = match (&a.pairs, &b.pairs) {
        (Some(x), Some(y)) => Some(Moments::merge(x, y)),
        _ => None,
    };
    Ok(NodeStats {
        moments: Moments::merge(&a.moments, &b.moments),
        pairs,
        conditions: a
            .conditions
            .iter()
            .zip(&b.conditions)
            .map(|(x, y)| Moments::merge(x, y))
            .collect(),
        co: CoMoments::merge(&a.co, &b.co),
    })
}

fn leaf(ctx: &Ctx<'_>, chunk: u64, mut sinks: Option<Vec<&mut [f64]>>) -> Result<NodeStats> {
    let months = ctx.model.months();
    let cells = path_len(months);
    let first = (chunk * CHUNK_PATHS).max(ctx.path_lo);
    let last = ((chunk + 1) * CHUNK_PATHS).min(ctx.path_hi);
    let mut moments = Moments::new(cells);
    let outputs = N_METRICS * months;
    let mut pairs = ctx.antithetic.then(|| Moments::new(N_OUTPUTS));
    let mut conditions = vec![Moments::new(N_OUTPUTS); ctx.conditions.len()];
    let co_vars = N_CONTROLS + 3 * N_OUTPUTS;
    let mut co = CoMoments::new(N_CONTROLS, co_vars);
    let (mut co_x, mut co_post) = (vec![0.0; co_vars], vec![0.0; co_vars]);
    let mut controls = [0.0; N_CONTROLS];
    let mut first_of_pair = vec![0.0; N_OUTPUTS];
    let mut pair_mean = vec![0.0; N_OUTPUTS];
    let mut scratch = Scratch::default();
    let mut buf = memory::zeros(cells)?;
    let n_sketched = ctx.sketched.len();
    // A path with its own parameters gets its own scenario and model; the document they are
    // written into is the chunk's, reused from path to path.
    let mut drawn = vec![0.0; ctx.params.map_or(0, |p| p.names().len())];
    let mut doc = ctx.params.map(Parameters::point);
    let worker = rayon::current_thread_index().unwrap_or(0) % ctx.workers.len();
    let mut guard = ctx.workers[worker]
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let w = &mut *guard;
    if w.batch.is_empty() {
        w.batch = memory::zeros(ctx.batch_rows * n_sketched)?;
    }
    for (row, path) in (first..last).enumerate() {
        // One relaxed load per path: a path of a long hourly horizon can take a while, and
        // Ctrl-C must not wait for the rest of the chunk. Cancelling only stops work.
        if ctx.monitor.cancelled() {
            return Err(GridRiskError::Cancelled);
        }
        if w.filled == ctx.batch_rows {
            w.flush(ctx.monitor)?;
        }
        let buf = buf.as_mut_slice();
        if let (Some(p), Some(doc)) = (ctx.params, doc.as_mut()) {
            p.draw(&ctx.seeds, ctx.param_seeds, path, ctx.antithetic, &mut drawn);
            let own = ctx.model.for_path(&p.scenario(path, &drawn, doc)?);
            own.simulate(&ctx.seeds, path, buf, &mut scratch, ctx.antithetic);
            // Given the path's own parameters: `C - E[C | theta]` has mean zero whatever
            // the parameters' law, so the controls stay exact with [[uncertain]].
            own.controls(buf, &scratch, &mut controls);
        } else {
            ctx.model.simulate(&ctx.seeds, path, buf, &mut scratch, ctx.antithetic);
            ctx.model.controls(buf, &scratch, &mut controls);
        }
        if let Some(bad) = buf.iter().position(|v| !v.is_finite()) {
            return Err(non_finite(ctx, path, bad));
        }
        moments.push(buf);
        let outs = &buf[outputs..];
        control::variables(&controls, outs, &mut co_x);
        co.push(&co_x, &mut co_post);
        for (&(i, cmp, threshold), m) in ctx.conditions.iter().zip(conditions.iter_mut()) {
            if cmp.holds(outs[i], threshold) {
                m.push(outs);
            }
        }
        if let Some(p) = pairs.as_mut() {
            // Pairs never straddle a chunk (chunks start at multiples of 256); an odd final path
            // has no partner and enters the per-path statistics only.
            if path % 2 == 0 {
                first_of_pair.copy_from_slice(&buf[outputs..]);
            } else {
                for ((m, a), b) in pair_mean.iter_mut().zip(&first_of_pair).zip(&buf[outputs..]) {
                    *m = 0.5 * (a + b);
                }
                p.push(&pair_mean);
            }
        }
        if let Some(sinks) = sinks.as_mut() {
            for (m, sink) in sinks.iter_mut().enumerate() {
                let m = m + ctx.skip;
                if m < N_METRICS {
                    sink[row * months..(row + 1) * months].copy_from_slice(&buf[m * months..(m + 1) * months]);
                } else if m < N_METRICS + N_OUTPUTS {
                    sink[row] = buf[N_METRICS * months + (m - N_METRICS)];
                } else if m < N_METRICS + N_OUTPUTS + drawn.len() {
                    sink[row] = drawn[m - N_METRICS - N_OUTPUTS];
                } else {
                    sink[row] = controls[m - N_METRICS - N_OUTPUTS - drawn.len()];
                }
            }
        }
        // The sketches are filled later, cell by cell over many paths (see `SKETCH_BATCH`);
        // their counts are integers, so when a path enters them cannot change the result.
        let held = w.filled;
        for (slot, &cell) in w.batch[held * n_sketched..(held + 1) * n_sketched]
            .iter_mut()
            .zip(ctx.sketched)
        {
            *slot = buf[cell as usize];
        }
        w.filled += 1;
        ctx.monitor.advance(1);
    }
    Ok(NodeStats {
        moments,
        pairs,
        conditions,
        co,
    })
}

#[cold]
fn non_finite(ctx: &Ctx<'_>, path: u64, cell: usize) -> GridRiskError {
    let months = ctx.model.months();
    let (field, at) = if cell < N_METRICS * months {
        (
            METRICS[cell / months].1,
            format!("path {path}, month {}", cell % months),
        )
    } else {
        (OUTPUTS[cell - N_METRICS * months].0, format!("path {path}"))
    };
    GridRiskError::Scenario(vec![crate::error::Issue {
        field: field.to_owned(),
        value: at,
        message: "the parameters drive this value out of floating-point range (overflow); reduce volatilities, \
                  jump sizes or the horizon"
            .into(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The preset at its point values (the engine's own tests; parameter draws have theirs).
    fn preset() -> Scenario {
        Scenario {
            uncertain: Vec::new(),
            ..uncertain_preset()
        }
    }

    fn uncertain_preset() -> Scenario {
        Scenario::from_toml_str(include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("preset is valid")
    }

    #[test]
    fn paths_draw_their_parameters_whatever_the_threads_and_the_draws_are_kept() {
        let mut sc = uncertain_preset();
        sc.simulation.horizon_months = 12;
        let months = sc.months();
        let n = sc.uncertain.iter().map(|u| u.fields.len()).sum::<usize>();
        let keep = |threads| RunSpec {
            keep: Keep::Outputs,
            ..spec(300, threads)
        };
        let one = run(&sc, &keep(1), &Monitor::default()).unwrap();
        let two = run(&sc, &keep(2), &Monitor::default()).unwrap();
        assert_eq!(one.stats, two.stats);
        assert_eq!(one.parameters.len(), n);
        let (a, b) = (one.paths.unwrap(), two.paths.unwrap());
        assert_eq!(a, b);
        assert_eq!(a.len(), N_OUTPUTS + n + N_CONTROLS);
        // The draws vary over paths and stay inside their supports.
        let support: Vec<(f64, f64)> = sc.uncertain.iter().flat_map(|u| u.support()).collect();
        for (k, &(lo, hi)) in support.iter().enumerate() {
            let draws = &a[N_OUTPUTS + k];
            assert!(draws.iter().all(|x| (lo..=hi).contains(x)), "{}", one.parameters[k]);
            assert!(draws.iter().any(|&x| x != draws[0]), "{}", one.parameters[k]);
        }
        // A run without draws keeps its outputs only.
        let mut fixed = preset();
        fixed.simulation.horizon_months = 12;
        let point = run(&fixed, &keep(1), &Monitor::default()).unwrap();
        assert!(point.parameters.is_empty());
        assert_eq!(point.paths.unwrap().len(), N_OUTPUTS + N_CONTROLS);
        assert_eq!(point.stats.months, months);
        assert_ne!(point.stats, one.stats);
    }

    #[test]
    fn fans_choose_the_sketched_cells_and_nothing_else() {
        let mut sc = preset();
        sc.simulation.horizon_months = 14;
        let months = sc.months();
        let with = |fans| RunSpec { fans, ..spec(300, 2) };
        let all = run(&sc, &with(Fans::All), &Monitor::default()).unwrap().stats;
        let headline = run(&sc, &with(Fans::Headline), &Monitor::default()).unwrap().stats;
        let hashrate = METRICS.iter().position(|(_, n)| *n == "network.hashrate_ehs").unwrap();
        let more = run(&sc, &with(Fans::With(vec![hashrate])), &Monitor::default())
            .unwrap()
            .stats;
        // Moments of every cell, whatever the fans; a sketch is the same sketch whichever
        // other cells are sketched.
        assert_eq!(all.nodes, headline.nodes);
        assert_eq!(all.sketched.len(), path_len(months));
        assert!(headline.sketched.len() < path_len(months) / 3);
        for s in [&headline, &more] {
            for &cell in &s.sketched {
                assert_eq!(s.sketch(cell as usize), all.sketch(cell as usize), "cell {cell}");
            }
        }
        assert!(headline.sketch(hashrate * months).is_none());
        assert!((0..months).all(|t| more.sketch(hashrate * months + t).is_some()));
        assert_eq!(more.sketched.len(), headline.sketched.len() + months);
        // Fiscal-year totals in June only (the preset starts in April: month 2).
        let fytd = METRICS
            .iter()
            .position(|(_, n)| *n == "fiscal.net_flow_fytd_pkr")
            .unwrap();
        let june: Vec<usize> = (0..months)
            .filter(|&t| headline.sketch(fytd * months + t).is_some())
            .collect();
        assert_eq!(june, vec![2]);
        let bad = RunSpec {
            fans: Fans::With(vec![N_METRICS]),
            ..spec(10, 1)
        };
        assert!(matches!(
            run(&sc, &bad, &Monitor::default()),
            Err(GridRiskError::Argument { .. })
        ));
    }

    fn spec(paths: u64, threads: usize) -> RunSpec {
        RunSpec {
            seeds: crate::rng::uniform(42),
            path_lo: 0,
            path_hi: paths,
            threads,
            keep: Keep::Nothing,
            antithetic: false,
            param_seeds: Vec::new(),
            fans: Fans::Headline,
        }
    }

    #[test]
    fn thread_count_does_not_change_a_bit() {
        let mut sc = preset();
        sc.simulation.horizon_months = 12;
        let one = run(&sc, &spec(1_000, 1), &Monitor::default()).unwrap().stats;
        let three = run(&sc, &spec(1_000, 3), &Monitor::default()).unwrap().stats;
        assert_eq!(one, three);
    }

    #[test]
    fn batches_of_any_size_give_the_same_bits() {
        let mut sc = preset();
        sc.simulation.horizon_months = 6;
        let cells = path_len(6);
        let whole = run(&sc, &spec(700, 2), &Monitor::default()).unwrap().stats;
        // One path, then 3 paths a batch (a chunk flushes many times): the sketches' counts and
        // the moments are the same.
        for rows in [1, 3] {
            let tiny = run_batched(
                &sc,
                &spec(700, 2),
                &Monitor::default(),
                rows * 2 * cells * 8,
                CONDITIONS,
            )
            .unwrap();
            assert_eq!(tiny.stats, whole, "{rows} rows a batch");
        }
    }

    #[test]
    fn conditional_moments_are_those_of_the_paths_meeting_each_condition() {
        let mut sc = preset();
        sc.simulation.horizon_months = 6;
        let (lo, hi) = (256, 956);
        let ranged = |lo, hi, keep| RunSpec {
            path_lo: lo,
            path_hi: hi,
            keep,
            ..spec(hi, 2)
        };
        // Split at the mean of the first output that varies, so that both sides hold paths
        // whatever the calibration.
        let first = run(&sc, &ranged(lo, hi, Keep::Nothing), &Monitor::default())
            .unwrap()
            .stats
            .moments();
        let base = N_METRICS * 6;
        let (key, output) = (0..N_OUTPUTS)
            .find(|&o| first.m2[base + o] > 0.0)
            .map(|o| (o, OUTPUTS[o].0))
            .expect("some output varies");
        let mean = first.mean[base + key];
        let at = |name, comparison, threshold| Condition {
            name,
            description: "",
            output,
            comparison,
            threshold,
        };
        let conds = [
            at("above", Comparison::GreaterThan, mean),
            at("at_most", Comparison::AtMost, mean),
            at("never", Comparison::LessThan, f64::NEG_INFINITY),
        ];
        let out = run_with_conditions(&sc, &ranged(lo, hi, Keep::Outputs), &Monitor::default(), &conds).unwrap();
        let kept = out.paths.unwrap();
        let got = out.stats.condition_moments();
        assert_eq!(got.len(), 3);
        for (c, m) in conds.iter().zip(&got) {
            let rows: Vec<usize> = (0..kept[key].len())
                .filter(|&r| c.comparison.holds(kept[key][r], c.threshold))
                .collect();
            assert_eq!(m.n, rows.len() as u64, "{}", c.name);
            if rows.len() < 2 {
                continue;
            }
            let var = m.variance();
            for (o, buf) in kept.iter().take(N_OUTPUTS).enumerate() {
                let xs: Vec<f64> = rows.iter().map(|&r| buf[r]).collect();
                let n = xs.len() as f64;
                let mu = xs.iter().sum::<f64>() / n;
                let v = xs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0);
                // Relative to the values' scale: a mean near zero of large values is known to
                // that scale, not to its own size.
                let scale = xs.iter().fold(0.0f64, |a, x| a.max(x.abs()));
                assert!((m.mean[o] - mu).abs() <= 1e-12 * scale, "{} output {o}", c.name);
                assert!((var[o] - v).abs() <= 1e-10 * scale * scale, "{} output {o}", c.name);
            }
        }
        assert!(got[0].n > 0 && got[1].n > 0);
        assert_eq!(got[0].n + got[1].n, hi - lo);
        assert_eq!(got[2], Moments::new(N_OUTPUTS));
        // Split at a chunk boundary and merged: the same bits as the whole run.
        let part = |lo, hi| {
            run_with_conditions(&sc, &ranged(lo, hi, Keep::Nothing), &Monitor::default(), &conds)
                .unwrap()
                .stats
        };
        assert_eq!(part(lo, 768).merge(&part(768, hi)).unwrap(), out.stats);
    }

    #[test]
    fn conditions_a_run_could_not_record_are_argument_errors() {
        let ok = Condition {
            name: "ok",
            description: "",
            output: "npv_pkr",
            comparison: Comparison::AtLeast,
            threshold: 0.0,
        };
        for bad in [
            vec![Condition {
                output: "no_such_output",
                ..ok
            }],
            vec![Condition {
                threshold: f64::NAN,
                ..ok
            }],
            vec![Condition { name: "", ..ok }],
            vec![ok, ok],
        ] {
            assert!(matches!(
                run_with_conditions(&preset(), &spec(10, 1), &Monitor::default(), &bad),
                Err(GridRiskError::Argument { .. })
            ));
        }
    }

    #[test]
    fn batch_memory_is_capped_across_workers() {
        let cells = path_len(600);
        for workers in [1, 2, 8, 40, 1024] {
            let rows = batch_rows(BATCH_BYTES, workers, cells, usize::MAX);
            assert!((1..=SKETCH_BATCH).contains(&rows));
            if rows > 1 {
                assert!(workers * rows * cells * 8 <= BATCH_BYTES, "{workers} workers");
            }
        }
        // 120 months, 2 workers: the full batch fits (results and speed as before the cap).
        assert_eq!(batch_rows(BATCH_BYTES, 2, path_len(120), usize::MAX), SKETCH_BATCH);
        assert_eq!(batch_rows(BATCH_BYTES, 2, path_len(120), 10), 10);
    }

    #[test]
    fn cancelling_stops_within_a_chunk() {
        // One thread: once the first path is done, cancel; the run stops before the first
        // 256-path chunk completes (it used to check only between chunks).
        let mon = Monitor::default();
        let out = std::thread::scope(|s| {
            let h = s.spawn(|| run(&preset(), &spec(100_000, 1), &mon));
            while mon.done() == 0 && !h.is_finished() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            mon.cancel();
            h.join().unwrap()
        });
        assert!(matches!(out, Err(GridRiskError::Cancelled)));
        assert!((1..CHUNK_PATHS).contains(&mon.done()), "{} paths done", mon.done());
    }

    #[test]
    fn keeping_more_than_memory_is_a_memory_error() {
        assert!(matches!(
            keep_buffers(Keep::Everything, 1 << 40, 600, 0),
            Err(GridRiskError::Memory { .. })
        ));
        assert!(matches!(
            keep_buffers(Keep::Outputs, 1 << 45, 600, 0),
            Err(GridRiskError::Memory { .. })
        ));
        let kept = keep_buffers(Keep::Outputs, 10, 600, 0).unwrap().unwrap();
        assert_eq!(kept.len(), N_OUTPUTS + N_CONTROLS);
        assert!(keep_buffers(Keep::Nothing, 1 << 50, 600, 0).unwrap().is_none());
    }

    #[test]
    fn a_cancelled_run_stops_with_cancelled() {
        let mon = Monitor::default();
        mon.cancel();
        assert!(matches!(
            run(&preset(), &spec(10_000, 2), &mon),
            Err(GridRiskError::Cancelled)
        ));
    }

    #[test]
    fn out_of_range_values_are_an_error_not_a_nan() {
        // Bypasses validation on purpose: the engine itself must never return a non-finite value.
        let mut sc = preset();
        sc.bitcoin.process.drift_annual = 1.0e4;
        match run(&sc, &spec(256, 1), &Monitor::default()) {
            Err(GridRiskError::Scenario(issues)) => assert_eq!(issues[0].field, "bitcoin.price_usd"),
            other => panic!("expected a scenario error, got {other:?}"),
        }
    }

    #[test]
    fn bad_ranges_are_argument_errors() {
        let sc = preset();
        let bad = RunSpec {
            path_lo: 100,
            ..spec(1_000, 1)
        };
        assert!(matches!(
            run(&sc, &bad, &Monitor::default()),
            Err(GridRiskError::Argument { .. })
        ));
        assert!(matches!(
            run(&sc, &spec(0, 1), &Monitor::default()),
            Err(GridRiskError::Argument { .. })
        ));
        assert!(matches!(
            run(&sc, &spec(10, 0), &Monitor::default()),
            Err(GridRiskError::Argument { .. })
        ));
    }
}
