//! The compiled module `gridrisk._core`: the only code that names pyo3 or numpy. Every
//! function converts its Python inputs into owned Rust values first, runs the core with the
//! GIL released, and converts the outputs back (per-path arrays move into NumPy without a copy).
//!
//! No call can panic into Python: every function and method body runs under
//! [`errors::guard`] (long runs under [`run::run_blocking`]), which turns a panic into
//! `gridrisk.errors.InternalError`; and everything decoded or passed in is checked before use.

mod convert;
mod errors;
mod run;

use crate::drivers::Drivers;
use crate::engine::{self, Keep, RunSpec, pool};
use crate::error::GridRiskError;
use crate::grid::outage::{MAX_ROWS, OutageTable, UnitClass, unit_steps};
use crate::metrics::{METRICS, OUTPUTS};
use crate::rng::Seeds;
use crate::scenario::Scenario;
use crate::stats::{CHUNK_PATHS, Fans, RunStats, sketch};
use errors::guard;
use numpy::{AllowTypeChange, IntoPyArray, PyArray1, PyArray2, PyArray3, PyArrayLike1};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

fn scenario_from(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Scenario> {
    let v = convert::to_value(obj)?;
    Scenario::from_value(&v).map_err(|e| errors::to_py(py, &e))
}

/// Validates a scenario given as a dict; returns its canonical dict (floats where numbers
/// are expected, keys in schema order). Raises ScenarioError listing every problem.
#[pyfunction]
fn validate_scenario<'py>(py: Python<'py>, scenario: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let sc = scenario_from(py, scenario)?;
        convert::from_toml(py, &sc.to_toml_value())
    })
}

/// The smallest and largest value of each field of one `[[uncertain]]` declaration (a dict).
#[pyfunction]
fn uncertain_support(py: Python<'_>, declaration: &Bound<'_, PyAny>) -> PyResult<Vec<(f64, f64)>> {
    guard(py, || {
        let v = convert::to_value(declaration)?;
        crate::scenario::uncertain::support_of(&v).map_err(|e| errors::to_py(py, &e))
    })
}

/// Parses and validates TOML text; returns the canonical dict.
#[pyfunction]
fn scenario_from_toml<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let sc = Scenario::from_toml_str(text).map_err(|e| errors::to_py(py, &e))?;
        convert::from_toml(py, &sc.to_toml_value())
    })
}

/// Validates a scenario dict and renders it as TOML text.
#[pyfunction]
fn scenario_to_toml(py: Python<'_>, scenario: &Bound<'_, PyAny>) -> PyResult<String> {
    guard(py, || Ok(scenario_from(py, scenario)?.to_toml_string()))
}

/// `(fx_drift_annual, discount_rate_annual)` the engine uses: declared, or derived from the
/// scenario's economy.
#[pyfunction]
fn rates(py: Python<'_>, scenario: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
    guard(py, || {
        let sc = scenario_from(py, scenario)?;
        Ok((sc.fx_drift_annual(), sc.discount_rate_annual()))
    })
}

/// The deterministic month schedule of a scenario: dict of equal-length lists.
#[pyfunction]
fn schedule<'py>(py: Python<'py>, scenario: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    guard(py, || {
        let sc = scenario_from(py, scenario)?;
        let d = Drivers::new(&sc);
        let s = d.schedule();
        let out = PyDict::new(py);
        out.set_item("month", s.iter().map(|m| m.date.to_string()).collect::<Vec<_>>())?;
        out.set_item("days", s.iter().map(|m| m.days).collect::<Vec<_>>())?;
        out.set_item("height_start", s.iter().map(|m| m.height_start).collect::<Vec<_>>())?;
        out.set_item("blocks", s.iter().map(|m| m.blocks).collect::<Vec<_>>())?;
        out.set_item("subsidy_btc", s.iter().map(|m| m.subsidy_btc).collect::<Vec<_>>())?;
        Ok(out)
    })
}

/// Names of the per-path monthly metrics, in array order.
#[pyfunction]
fn metric_names(py: Python<'_>) -> PyResult<Vec<&'static str>> {
    guard(py, || Ok(METRICS.iter().map(|(_, n)| *n).collect()))
}

/// Hashprice, USD per PH/s per day, from the price (USD), block reward (subsidy + fees, BTC)
/// and network hashrate (EH/s): the formula the miners' accounts use.
#[pyfunction]
fn hashprice_usd_per_ph_day(
    py: Python<'_>,
    price_usd: f64,
    reward_btc: f64,
    network_hashrate_ehs: f64,
) -> PyResult<f64> {
    guard(py, || {
        Ok(crate::loads::mining::hashprice_usd_per_ph_day(
            price_usd,
            reward_btc,
            network_hashrate_ehs,
        ))
    })
}

/// Names of the per-path outputs, in array order.
#[pyfunction]
fn output_names(py: Python<'_>) -> PyResult<Vec<&'static str>> {
    guard(py, || Ok(OUTPUTS.iter().map(|(n, _, _)| *n).collect()))
}

/// `(lolp, eue_mw, capacity_mw)` arrays and installed capacity.
type AdequacyOut<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, f64);

/// Exact adequacy of a set of unit classes against a series of loads: `load_mw`, one value per
/// period, MW (named as `gridrisk.adequacy` names it, so errors say `load_mw[i]`).
///
/// Returns `(lolp, eue_mw, capacity_mw)`: per-period loss-of-load probability and expected
/// unserved power, and the installed capacity after rounding to `capacity_step_mw`. Limits:
/// `capacity_step_mw` in [0.01, 100], `unit_mw` in (0, 5000] and at least half a step,
/// forced outage rates in [0, 1), finite loads, and at most 4,000,000 table rows (installed
/// capacity over the step).
#[pyfunction]
#[pyo3(signature = (units, load_mw, *, capacity_step_mw))]
fn adequacy<'py>(
    py: Python<'py>,
    units: Vec<(u32, f64, f64)>,
    load_mw: PyArrayLike1<'py, f64, AllowTypeChange>,
    capacity_step_mw: f64,
) -> PyResult<AdequacyOut<'py>> {
    guard(py, || {
        let bad = |field: String, value: String, message: &str| {
            errors::to_py(
                py,
                &GridRiskError::Argument {
                    field,
                    value,
                    message: message.to_owned(),
                },
            )
        };
        if !(capacity_step_mw.is_finite() && (0.01..=100.0).contains(&capacity_step_mw)) {
            return Err(bad(
                "capacity_step_mw".into(),
                format!("{capacity_step_mw:?}"),
                "must be in [0.01, 100]",
            ));
        }
        if units.is_empty() {
            return Err(bad(
                "units".into(),
                "an empty list".into(),
                "needs at least one (count, unit_mw, forced_outage_rate)",
            ));
        }
        let mut classes = Vec::with_capacity(units.len());
        let mut rows = 1.0;
        for (i, &(count, unit_mw, q)) in units.iter().enumerate() {
            if !(unit_mw.is_finite() && unit_mw > 0.0 && unit_mw <= 5_000.0) {
                return Err(bad(
                    format!("units[{i}][1]"),
                    format!("{unit_mw:?}"),
                    "unit_mw must be in (0, 5000]",
                ));
            }
            if !(q.is_finite() && (0.0..1.0).contains(&q)) {
                return Err(bad(
                    format!("units[{i}][2]"),
                    format!("{q:?}"),
                    "forced_outage_rate must be in [0, 1)",
                ));
            }
            let size = unit_steps(unit_mw, capacity_step_mw);
            if size < 1.0 {
                return Err(bad(
                    format!("units[{i}][1]"),
                    format!("{unit_mw:?}"),
                    "rounds to zero at this capacity_step_mw",
                ));
            }
            rows += f64::from(count) * size;
            if rows > MAX_ROWS {
                return Err(bad(
                    format!("units[{i}][0]"),
                    count.to_string(),
                    "with this many units the outage table would exceed 4,000,000 rows (installed capacity \
                     / capacity_step_mw): use fewer units or a coarser capacity_step_mw",
                ));
            }
            classes.push(UnitClass {
                count,
                unit_mw,
                forced_outage_rate: q,
            });
        }
        let loads = load_mw.as_array();
        if let Some(i) = loads.iter().position(|x| !x.is_finite()) {
            return Err(bad(
                format!("load_mw[{i}]"),
                format!("{:?}", loads[i]),
                "must be finite",
            ));
        }
        let loads: Vec<f64> = loads.to_vec();
        let (lolp, eue, cap) = py
            .detach(|| {
                std::panic::catch_unwind(|| {
                    let t = OutageTable::build(&classes, capacity_step_mw);
                    let lolp: Vec<f64> = loads.iter().map(|&l| t.lolp(l)).collect();
                    let eue: Vec<f64> = loads.iter().map(|&l| t.eue(l)).collect();
                    (lolp, eue, t.capacity_mw())
                })
            })
            .map_err(|payload| errors::from_panic(py, &*payload))?;
        Ok((lolp.into_pyarray(py), eue.into_pyarray(py), cap))
    })
}

/// Threads used when `threads=None`: `GRIDRISK_NUM_THREADS` or the available cores.
#[pyfunction]
fn default_threads(py: Python<'_>) -> PyResult<usize> {
    guard(py, || Ok(pool::default_threads()))
}

/// Bytes that keeping `paths` paths of `months` months would allocate.
#[pyfunction]
fn keep_paths_bytes(py: Python<'_>, paths: u64, months: usize) -> PyResult<u64> {
    guard(py, || Ok(engine::keep_paths_bytes(paths, months)))
}

/// The seed of every stream: `stream_seeds` when given (exactly one per stream), else `seed`
/// for all of them (an ordinary run).
fn stream_seeds_of(py: Python<'_>, seed: u64, stream_seeds: Option<Vec<u64>>) -> PyResult<Seeds> {
    match stream_seeds {
        None => Ok(crate::rng::uniform(seed)),
        Some(v) => Seeds::try_from(v.as_slice()).map_err(|_| {
            argument(
                py,
                "stream_seeds",
                v.len(),
                &format!("needs exactly {} seeds", crate::rng::N_STREAMS),
            )
        }),
    }
}

/// Which metrics keep monthly quantile sketches: `None` the headline ones, `"all"` every
/// metric, or a sequence of metric names (added to the headline ones).
fn fans_of(py: Python<'_>, fans: Option<&Bound<'_, PyAny>>) -> PyResult<Fans> {
    let Some(fans) = fans.filter(|f| !f.is_none()) else {
        return Ok(Fans::Headline);
    };
    if let Ok(text) = fans.extract::<String>() {
        return if text == "all" {
            Ok(Fans::All)
        } else {
            Err(argument(py, "fans", &text, "must be \"all\" or a list of metric names"))
        };
    }
    let names: Vec<String> = fans.extract().map_err(|_| {
        argument(
            py,
            "fans",
            fans.repr().map(|r| r.to_string()).unwrap_or_default(),
            "must be \"all\" or a list of metric names",
        )
    })?;
    names
        .iter()
        .map(|n| {
            METRICS
                .iter()
                .position(|(_, m)| m == n)
                .ok_or_else(|| argument(py, "fans", n, "is not a monthly metric (see gridrisk.METRICS)"))
        })
        .collect::<PyResult<Vec<_>>>()
        .map(Fans::With)
}

/// The fingerprint that the statistics of a run of `scenario` carry (`RunStats.fingerprint`):
/// [`engine::fingerprint`] of the scenario and the streams' seeds (`stream_seeds` when given,
/// else `seed` for every stream), with `antithetic` in its lowest bit, exactly as
/// [`engine::run`] records it. Statistics whose fingerprint differs come from another
/// scenario, seed or sampling.
#[pyfunction]
#[pyo3(signature = (scenario, seed, antithetic, stream_seeds=None))]
fn fingerprint(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    seed: u64,
    antithetic: bool,
    stream_seeds: Option<Vec<u64>>,
) -> PyResult<u64> {
    guard(py, || {
        let sc = scenario_from(py, scenario)?;
        let seeds = stream_seeds_of(py, seed, stream_seeds)?;
        Ok(engine::fingerprint(&sc, &seeds, antithetic))
    })
}

/// Runs paths `[path_lo, path_hi)` of a scenario. Returns `(RunStats, paths_or_None)` where
/// paths is a dict metric -> float64 array of shape (path_hi - path_lo, months).
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, path_lo, path_hi, threads, keep_paths, progress=None, keep_outputs=false, stream_seeds=None, antithetic=false, param_seeds=None, fans=None))]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    seed: u64,
    path_lo: u64,
    path_hi: u64,
    threads: usize,
    keep_paths: bool,
    progress: Option<&Bound<'py, PyAny>>,
    keep_outputs: bool,
    stream_seeds: Option<Vec<u64>>,
    antithetic: bool,
    param_seeds: Option<std::collections::BTreeMap<String, u64>>,
    fans: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    guard(py, || {
        let sc = scenario_from(py, scenario)?;
        let fans = fans_of(py, fans)?;
        let keep = match (keep_paths, keep_outputs) {
            (true, _) => Keep::Everything,
            (false, true) => Keep::Outputs,
            (false, false) => Keep::Nothing,
        };
        let seeds = stream_seeds_of(py, seed, stream_seeds)?;
        let spec = RunSpec {
            seeds,
            path_lo,
            path_hi,
            threads,
            keep,
            antithetic,
            param_seeds: param_seeds.unwrap_or_default().into_iter().collect(),
            fans,
        };
        let total = path_hi.saturating_sub(path_lo);
        let out = run::run_blocking(py, progress, total, |mon| engine::run(&sc, &spec, mon))?;
        let months = out.stats.months;
        let stats = Bound::new(
            py,
            PyRunStats {
                inner: out.stats,
                seeds: Some(seeds),
            },
        )?;
        let paths = match out.paths {
            None => py.None().into_bound(py),
            Some(bufs) => {
                let d = PyDict::new(py);
                let mut bufs = bufs.into_iter();
                let metrics = if keep == Keep::Everything { METRICS.len() } else { 0 };
                for ((_, name), buf) in METRICS.iter().take(metrics).zip(bufs.by_ref()) {
                    let rows = buf.len() / months.max(1);
                    let arr = ndarray::Array2::from_shape_vec((rows, months), buf).map_err(|e| internal(py, &e))?;
                    d.set_item(*name, arr.into_pyarray(py))?;
                }
                for ((name, _, _), buf) in OUTPUTS.iter().zip(bufs.by_ref()) {
                    d.set_item(*name, buf.into_pyarray(py))?;
                }
                for (name, buf) in out.parameters.iter().zip(bufs.by_ref()) {
                    d.set_item(format!("parameter:{name}"), buf.into_pyarray(py))?;
                }
                for ((name, _, _), buf) in crate::model::CONTROLS.iter().zip(bufs) {
                    d.set_item(format!("control:{name}"), buf.into_pyarray(py))?;
                }
                d.into_any()
            }
        };
        PyTuple::new(py, [stats.into_any(), paths])
    })
}

/// One path-month in detail: every load block and the merit order (see `gridrisk.explain_month`).
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, path, month))]
fn explain_month<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    seed: u64,
    path: u64,
    month: usize,
) -> PyResult<Bound<'py, PyDict>> {
    guard(py, || {
        let sc = scenario_from(py, scenario)?;
        if month >= sc.months() {
            let e = GridRiskError::argument("month", month, format!("must be in [0, {}]", sc.months() - 1));
            return Err(errors::to_py(py, &e));
        }
        if path >= crate::rng::MAX_PATHS {
            return Err(errors::to_py(
                py,
                &GridRiskError::argument("path", path, "must be below 2^60"),
            ));
        }
        let model = crate::model::Model::new(&sc);
        let mut buf = vec![0.0; crate::metrics::path_len(model.months())];
        model.simulate(
            &crate::rng::uniform(seed),
            path,
            &mut buf,
            &mut crate::model::Scratch::default(),
            false,
        );
        let loads = model.loads(&crate::rng::uniform(seed), path, month, &buf);
        let crate::grid::MonthExplanation {
            blocks: rows,
            order,
            generation_mw,
        } = model.grid.explain(
            month,
            &crate::drivers::DriverMonth::read(&buf, model.months(), month),
            &model.grid_context(month, &buf),
            model.gross_up(loads.mining_mw),
            model.gross_up(loads.datacenter_mw),
        );
        let out = PyDict::new(py);
        let col = |f: fn(&crate::grid::BlockResult) -> f64| rows.iter().map(|(_, r)| f(r)).collect::<Vec<f64>>();
        out.set_item(
            "hour_of_day",
            rows.iter().map(|(b, _)| b.hour_of_day).collect::<Vec<_>>(),
        )?;
        out.set_item("hours", col(|r| r.hours))?;
        out.set_item("load_mw", col(|r| r.load_mw))?;
        out.set_item("profiled_mw", col(|r| r.profiled_mw))?;
        out.set_item(
            "marginal_cost_pkr_per_kwh",
            col(|r| r.marginal_cost_pkr_per_mwh / 1000.0),
        )?;
        out.set_item("added_cost_pkr_per_h", col(|r| r.added_cost_pkr_per_h))?;
        out.set_item("lolp_base", col(|r| r.lolp_base))?;
        out.set_item("lolp_with", col(|r| r.lolp_with))?;
        out.set_item("lolp_households", col(|r| r.lolp_households))?;
        out.set_item("eue_base_mw", col(|r| r.eue_base_mw))?;
        out.set_item("eue_with_mw", col(|r| r.eue_with_mw))?;
        out.set_item("eue_households_mw", col(|r| r.eue_households_mw))?;
        out.set_item("eue_mining_mw", col(|r| r.eue_mining_mw))?;
        out.set_item("eue_datacenters_mw", col(|r| r.eue_datacenters_mw))?;
        out.set_item("latent_mw", col(|r| r.latent_mw))?;
        out.set_item("served_base_mw", col(|r| r.served_base_mw))?;
        out.set_item("served_with_mw", col(|r| r.served_with_mw))?;
        for (i, cause) in ["rules", "network", "capacity", "fuel"].iter().enumerate() {
            out.set_item(
                format!("shed_{cause}_base_mw"),
                rows.iter().map(|(_, r)| r.cause_base_mw[i]).collect::<Vec<f64>>(),
            )?;
            out.set_item(
                format!("shed_{cause}_with_mw"),
                rows.iter().map(|(_, r)| r.cause_with_mw[i]).collect::<Vec<f64>>(),
            )?;
        }
        for (k, mw) in generation_mw.iter().enumerate() {
            out.set_item(format!("generation_{}_mw", sc.fleet[k].name), mw.clone())?;
        }
        out.set_item(
            "merit_order",
            order.iter().map(|(k, _)| sc.fleet[*k].name.clone()).collect::<Vec<_>>(),
        )?;
        out.set_item(
            "merit_cost_pkr_per_kwh",
            order.iter().map(|(_, c)| c / 1000.0).collect::<Vec<_>>(),
        )?;
        let drivers = PyDict::new(py);
        for (m, name) in METRICS
            .iter()
            .take(crate::metrics::Metric::HydroAvailability as usize + 1)
        {
            drivers.set_item(*name, crate::metrics::get(&buf, model.months(), *m, month))?;
        }
        out.set_item("metrics", drivers)?;
        Ok(out)
    })
}

/// Raises a Rust panic inside a pool worker, to test that it surfaces as
/// `gridrisk.errors.InternalError`.
#[pyfunction]
fn _panic_in_worker(py: Python<'_>) -> PyResult<()> {
    run::run_blocking(py, None, 0, |_| {
        let pool = pool::get(1)?;
        pool.install(|| panic!("deliberate test panic in a gridrisk worker"))
    })
}

/// Raises a Rust panic in the calling thread, inside a binding, to test that it surfaces as
/// `gridrisk.errors.InternalError`.
#[pyfunction]
fn _panic_in_call(py: Python<'_>) -> PyResult<()> {
    guard(py, || panic!("deliberate test panic in a gridrisk call"))
}

/// An invariant that did not hold, as `gridrisk.errors.InternalError`.
fn internal(py: Python<'_>, what: &dyn std::fmt::Display) -> PyErr {
    errors::to_py(py, &GridRiskError::Internal(what.to_string()))
}

/// `GridRiskError::Argument` as a Python exception.
fn argument(py: Python<'_>, field: &str, value: impl std::fmt::Display, message: &str) -> PyErr {
    errors::to_py(py, &GridRiskError::argument(field, value, message))
}

/// Checks quantile probabilities: each in [0, 1] (NaN is not).
fn check_probabilities(py: Python<'_>, q: &[f64]) -> PyResult<()> {
    match q.iter().position(|p| !(0.0..=1.0).contains(p)) {
        Some(i) => Err(argument(
            py,
            &format!("q[{i}]"),
            q[i],
            "must be a probability in [0, 1]",
        )),
        None => Ok(()),
    }
}

/// `(pairs, mean, variance)` of antithetic pair means.
type PairMoments<'py> = (u64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// `(paths, mean, variance)` of the outputs over the paths meeting one condition.
type ConditionMoments<'py> = (u64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// A condition as Python sees it: `(name, description, output, operator, threshold)`.
type ConditionTuple = (String, String, String, &'static str, f64);

/// `(mean, variance)` arrays of the outputs.
type OutputMeanVar<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// `(plain_mean, plain_se, mean, se, r2, used)`: five float arrays of shape (3 x outputs,) and a
/// bool array of shape (3 x outputs, controls).
type ControlVariates<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray2<bool>>,
);

/// What `RunStats.__reduce__` returns: `from_bytes` and its arguments.
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyBytes>, Option<Vec<u64>>));

/// `(mean, variance)` arrays.
type MeanVar<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>);

/// Mergeable statistics of a range of paths (moments and quantile sketches per metric-month).
#[pyclass(name = "RunStats", module = "gridrisk._core", frozen)]
struct PyRunStats {
    inner: RunStats,
    /// The seed of every stream, when known: runs set it, merges keep it, pickling carries it;
    /// `from_bytes` takes it as an argument (the encoding itself holds only the fingerprint).
    seeds: Option<Seeds>,
}

impl PyRunStats {
    /// Cells of the monthly metrics (the output cells follow them).
    fn grid(&self) -> usize {
        self.inner.metrics.len() * self.inner.months
    }

    /// The outputs' sketches (every output keeps one: runs and decoding make sure of it).
    fn output_sketches(&self) -> &[crate::stats::Sketch] {
        self.inner.output_sketches()
    }

    /// The sketch of output `index`, after checking `index` and the threshold `x`.
    fn output_sketch(&self, py: Python<'_>, index: usize, x: f64) -> PyResult<&crate::stats::Sketch> {
        let n = self.inner.outputs.len();
        if x.is_nan() {
            return Err(argument(py, "x", x, "must be a number, not NaN"));
        }
        self.output_sketches().get(index).ok_or_else(|| {
            argument(
                py,
                "index",
                index,
                &format!("must be an output index in [0, {}]", n.saturating_sub(1)),
            )
        })
    }
}

#[pymethods]
impl PyRunStats {
    /// Number of paths covered.
    #[getter]
    fn paths(&self) -> u64 {
        self.inner.paths()
    }
    /// First path covered.
    #[getter]
    fn path_lo(&self) -> u64 {
        self.inner.path_lo
    }
    /// One past the last path covered.
    #[getter]
    fn path_hi(&self) -> u64 {
        self.inner.path_hi
    }
    /// Months per metric.
    #[getter]
    fn months(&self) -> usize {
        self.inner.months
    }
    /// Metric names, in array order.
    #[getter]
    fn metrics(&self) -> Vec<String> {
        self.inner.metrics.clone()
    }
    /// The cells that kept a quantile sketch, increasing: metric `m` in month `t` is cell
    /// `m * months + t`, output `k` cell `metrics * months + k`.
    #[getter]
    fn sketched_cells(&self) -> Vec<u32> {
        self.inner.sketched.clone()
    }
    /// Identifies (scenario, seeds, antithetic); see `gridrisk._core.fingerprint`.
    #[getter]
    fn fingerprint(&self) -> u64 {
        self.inner.fingerprint
    }

    /// The seed of each random stream, when known (runs record them; `from_bytes` keeps what it
    /// is given), else None.
    #[getter]
    fn stream_seeds(&self) -> Option<Vec<u64>> {
        self.seeds.map(|s| s.to_vec())
    }

    /// Per-path output names.
    #[getter]
    fn outputs(&self) -> Vec<String> {
        self.inner.outputs.clone()
    }

    /// `(mean, variance)` arrays of shape (metrics, months); variance uses n - 1 (NaN with one
    /// path).
    fn moments<'py>(&self, py: Python<'py>) -> PyResult<MeanVar<'py>> {
        guard(py, || {
            let m = self.inner.moments();
            let var = m.variance();
            let grid = self.grid();
            let shape = (self.inner.metrics.len(), self.inner.months);
            let cells = |v: &[f64]| {
                v.get(..grid)
                    .map(<[f64]>::to_vec)
                    .ok_or_else(|| internal(py, &"fewer moments than cells"))
                    .and_then(|v| ndarray::Array2::from_shape_vec(shape, v).map_err(|e| internal(py, &e)))
            };
            Ok((cells(&m.mean)?.into_pyarray(py), cells(&var)?.into_pyarray(py)))
        })
    }

    /// Whether paths came in antithetic pairs.
    #[getter]
    fn antithetic(&self) -> bool {
        self.inner.antithetic
    }

    /// Antithetic runs: `(pairs, mean, variance)` of the pair means of the outputs; else None.
    fn output_pair_moments<'py>(&self, py: Python<'py>) -> PyResult<Option<PairMoments<'py>>> {
        guard(py, || {
            Ok(self.inner.pair_moments().map(|m| {
                let var = m.variance();
                (m.n, m.mean.into_pyarray(py), var.into_pyarray(py))
            }))
        })
    }

    /// The path conditions of the run, `(name, description, output, operator, threshold)` each,
    /// the operator one of `>`, `>=`, `<`, `<=`.
    #[getter]
    fn conditions(&self) -> Vec<ConditionTuple> {
        self.inner
            .conditions
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.description.clone(),
                    c.output.clone(),
                    c.comparison.symbol(),
                    c.threshold,
                )
            })
            .collect()
    }

    /// Per condition (in `conditions` order), `(paths, mean, variance)` of the per-path outputs
    /// over the paths meeting it; mean and variance of shape (outputs,), the mean zero with no
    /// path, the variance (n - 1) NaN with fewer than two.
    fn output_condition_moments<'py>(&self, py: Python<'py>) -> PyResult<Vec<ConditionMoments<'py>>> {
        guard(py, || {
            Ok(self
                .inner
                .condition_moments()
                .into_iter()
                .map(|m| {
                    let var = m.variance();
                    (m.n, m.mean.into_pyarray(py), var.into_pyarray(py))
                })
                .collect())
        })
    }

    /// `(mean, variance)` of the per-path outputs, each of shape (outputs,).
    fn output_moments<'py>(&self, py: Python<'py>) -> PyResult<OutputMeanVar<'py>> {
        guard(py, || {
            let m = self.inner.moments();
            let var = m.variance();
            let grid = self.grid();
            let tail = |v: &[f64]| {
                v.get(grid..)
                    .map(<[f64]>::to_vec)
                    .ok_or_else(|| internal(py, &"fewer moments than cells"))
            };
            Ok((tail(&m.mean)?.into_pyarray(py), tail(&var)?.into_pyarray(py)))
        })
    }

    /// The control variates' names, in co-moment order.
    #[getter]
    fn controls(&self) -> Vec<String> {
        self.inner.controls.clone()
    }

    /// Regression-adjusted means with the control variates (see `gridrisk.stats.control` in
    /// the crate, docs/model.md "Control variates") of the outputs, then of the outputs'
    /// below-zero indicators, then of their above-zero indicators (zero: |y| <= 1e-12):
    /// `(plain_mean, plain_se, mean, se, r2, used)`, each of length 3 x outputs, `used` of shape
    /// (3 x outputs, controls). Computed from the pooled per-path co-moments (also in antithetic
    /// runs, where the paths of a pair are dependent: the caller must not use them there).
    fn control_variates<'py>(&self, py: Python<'py>) -> PyResult<ControlVariates<'py>> {
        guard(py, || {
            let co = self.inner.co_moments();
            let k = self.inner.controls.len();
            let rows: Vec<crate::stats::control::Adjusted> = (k..self.inner.co_variables())
                .map(|j| crate::stats::control::adjust(&co, j))
                .collect();
            let col = |f: fn(&crate::stats::control::Adjusted) -> f64| {
                rows.iter().map(f).collect::<Vec<f64>>().into_pyarray(py)
            };
            let mut used = ndarray::Array2::from_elem((rows.len(), k), false);
            for (r, a) in rows.iter().enumerate() {
                for &c in &a.used {
                    used[(r, c)] = true;
                }
            }
            Ok((
                col(|a| a.plain_mean),
                col(|a| a.plain_se),
                col(|a| a.mean),
                col(|a| a.se),
                col(|a| a.r2),
                used.into_pyarray(py),
            ))
        })
    }

    /// Share of paths on which each output is negative (exact), shape (outputs,).
    fn output_negative_share<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        guard(py, || {
            Ok(self
                .output_sketches()
                .iter()
                .map(crate::stats::Sketch::negative_share)
                .collect::<Vec<_>>()
                .into_pyarray(py))
        })
    }

    /// Share of paths on which metric `metric` is at most `x` in month `month` (to the sketch's
    /// resolution; exact at zero).
    fn metric_share_at_or_below(&self, py: Python<'_>, metric: usize, month: usize, x: f64) -> PyResult<f64> {
        guard(py, || {
            let (nm, nt) = (self.inner.metrics.len(), self.inner.months);
            if x.is_nan() {
                return Err(argument(py, "x", x, "must be a number, not NaN"));
            }
            if metric >= nm || month >= nt {
                let msg = format!("must be a metric index in [0, {nm}) and a month in [0, {nt})");
                return Err(argument(py, "metric, month", format!("({metric}, {month})"), &msg));
            }
            match self.inner.sketch(metric * nt + month) {
                Some(s) => Ok(s.share_at_or_below(x)),
                None => Err(argument(
                    py,
                    "metric",
                    &self.inner.metrics[metric],
                    &format!(
                        "kept no quantile sketch in month {month}: simulate with fans=[...] naming it, or fans=\"all\""
                    ),
                )),
            }
        })
    }

    /// Share of paths on which output `index` is at most `x` (to the sketch's resolution).
    fn output_share_at_or_below(&self, py: Python<'_>, index: usize, x: f64) -> PyResult<f64> {
        guard(py, || Ok(self.output_sketch(py, index, x)?.share_at_or_below(x)))
    }

    /// `(E[max(x - X, 0)], E[max(x - X, 0)^2])` of output `index` over all paths.
    fn output_lower_partial_moments(&self, py: Python<'_>, index: usize, x: f64) -> PyResult<(f64, f64)> {
        guard(py, || Ok(self.output_sketch(py, index, x)?.lower_partial_moments(x)))
    }

    /// `(E[max(X - x, 0)], E[max(X - x, 0)^2])` of output `index` over all paths.
    fn output_upper_partial_moments(&self, py: Python<'_>, index: usize, x: f64) -> PyResult<(f64, f64)> {
        guard(py, || Ok(self.output_sketch(py, index, x)?.upper_partial_moments(x)))
    }

    /// Sketch quantiles of the per-path outputs, array of shape (outputs, len(q)).
    fn output_quantiles<'py>(&self, py: Python<'py>, q: Vec<f64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        guard(py, || {
            check_probabilities(py, &q)?;
            let sketches = self.output_sketches();
            let data: Vec<f64> = sketches
                .iter()
                .flat_map(|s| q.iter().map(move |&p| s.quantile(p)))
                .collect();
            Ok(ndarray::Array2::from_shape_vec((sketches.len(), q.len()), data)
                .map_err(|e| internal(py, &e))?
                .into_pyarray(py))
        })
    }

    /// Sketch quantiles of the monthly metrics, array of shape (metrics, months, len(q)); NaN
    /// in the cells that kept no sketch (see `sketched_cells`).
    fn quantiles<'py>(&self, py: Python<'py>, q: Vec<f64>) -> PyResult<Bound<'py, PyArray3<f64>>> {
        guard(py, || {
            check_probabilities(py, &q)?;
            let (nm, nt) = (self.inner.metrics.len(), self.inner.months);
            let data: Vec<f64> = (0..self.grid())
                .flat_map(|cell| {
                    let s = self.inner.sketch(cell);
                    q.iter().map(move |&p| s.map_or(f64::NAN, |s| s.quantile(p)))
                })
                .collect();
            Ok(ndarray::Array3::from_shape_vec((nm, nt, q.len()), data)
                .map_err(|e| internal(py, &e))?
                .into_pyarray(py))
        })
    }

    /// Statistics of the union with an adjacent range of the same run (either side).
    fn merge(&self, py: Python<'_>, other: &Bound<'_, PyRunStats>) -> PyResult<Self> {
        guard(py, || {
            let merged = self
                .inner
                .merge(&other.get().inner)
                .map_err(|e| errors::to_py(py, &e))?;
            // Equal fingerprints: the same run, so the same seeds (either side may know them).
            let other = other.get();
            Ok(Self {
                inner: merged,
                seeds: self.seeds.or(other.seeds),
            })
        })
    }

    /// Compact binary encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(py, || Ok(PyBytes::new(py, &self.inner.to_bytes())))
    }

    /// Decodes `to_bytes`; raises DataError for foreign, corrupt or inconsistent bytes.
    /// `stream_seeds`, when given, are recorded as the streams' seeds (not checked: the bytes
    /// hold only the fingerprint; see `gridrisk._core.fingerprint`).
    #[staticmethod]
    #[pyo3(signature = (data, stream_seeds=None))]
    fn from_bytes(py: Python<'_>, data: &[u8], stream_seeds: Option<Vec<u64>>) -> PyResult<Self> {
        guard(py, || {
            let seeds = match stream_seeds {
                None => None,
                Some(v) => Some(stream_seeds_of(py, 0, Some(v))?),
            };
            Ok(Self {
                inner: RunStats::from_bytes(data).map_err(|e| errors::to_py(py, &e))?,
                seeds,
            })
        })
    }

    /// Pickles as `from_bytes(to_bytes(), stream_seeds)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let py = slf.py();
        guard(py, || {
            let ctor = slf.get_type().getattr("from_bytes")?;
            let me = slf.get();
            Ok((ctor, (me.to_bytes(py)?, me.stream_seeds())))
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "RunStats(paths=[{}, {}), metrics={}, months={})",
            self.inner.path_lo,
            self.inner.path_hi,
            self.inner.metrics.len(),
            self.inner.months
        )
    }
}

#[pymodule(gil_used = false)]
mod _core {
    #[pymodule_export]
    use super::{
        _panic_in_call, _panic_in_worker, PyRunStats, adequacy, default_threads, explain_month, fingerprint,
        hashprice_usd_per_ph_day, keep_paths_bytes, metric_names, output_names, rates, scenario_from_toml,
        scenario_to_toml, schedule, simulate, uncertain_support, validate_scenario,
    };

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        let missing = crate::cpu::missing_features();
        if !missing.is_empty() {
            return Err(pyo3::exceptions::PyImportError::new_err(crate::cpu::refusal(&missing)));
        }
        m.add(
            "__version__",
            env!("CARGO_PKG_VERSION").replace("-alpha", "a").replace("-beta", "b"),
        )?;
        m.add("CHUNK_PATHS", super::CHUNK_PATHS)?;
        m.add("SKETCH_RELATIVE_ACCURACY", super::sketch::ALPHA)?;
        let headline: Vec<&str> = crate::stats::fans::HEADLINE_FANS
            .iter()
            .filter_map(|h| crate::metrics::METRICS.iter().find(|(m, _)| m == h).map(|(_, n)| *n))
            .collect();
        m.add("HEADLINE_FANS", pyo3::types::PyTuple::new(m.py(), headline)?)?;
        Ok(())
    }
}
