//! The compiled module `gridrisk._core`: the only code that names pyo3 or numpy. Every
//! function converts its Python inputs into owned Rust values first, runs the core with the
//! GIL released, and converts the outputs back (per-path arrays move into NumPy without a copy).

mod convert;
mod errors;
mod run;

use crate::drivers::Drivers;
use crate::engine::{self, RunSpec, pool};
use crate::metrics::METRICS;
use crate::scenario::Scenario;
use crate::stats::{CHUNK_PATHS, RunStats, sketch};
use numpy::{IntoPyArray, PyArray2, PyArray3};
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
    let sc = scenario_from(py, scenario)?;
    convert::from_toml(py, &sc.to_toml_value())
}

/// Parses and validates TOML text; returns the canonical dict.
#[pyfunction]
fn scenario_from_toml<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let sc = Scenario::from_toml_str(text).map_err(|e| errors::to_py(py, &e))?;
    convert::from_toml(py, &sc.to_toml_value())
}

/// Validates a scenario dict and renders it as TOML text.
#[pyfunction]
fn scenario_to_toml(py: Python<'_>, scenario: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(scenario_from(py, scenario)?.to_toml_string())
}

/// The deterministic month schedule of a scenario: dict of equal-length lists.
#[pyfunction]
fn schedule<'py>(py: Python<'py>, scenario: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
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
}

/// Names of the per-path monthly metrics, in array order.
#[pyfunction]
fn metric_names() -> Vec<&'static str> {
    METRICS.iter().map(|(_, n)| *n).collect()
}

/// Threads used when `threads=None`: `GRIDRISK_NUM_THREADS` or the available cores.
#[pyfunction]
fn default_threads() -> usize {
    pool::default_threads()
}

/// Bytes that keeping `paths` paths of `months` months would allocate.
#[pyfunction]
fn keep_paths_bytes(paths: u64, months: usize) -> u64 {
    engine::keep_paths_bytes(paths, months)
}

/// Runs paths `[path_lo, path_hi)` of a scenario. Returns `(RunStats, paths_or_None)` where
/// paths is a dict metric -> float64 array of shape (path_hi - path_lo, months).
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, path_lo, path_hi, threads, keep_paths, progress=None))]
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
) -> PyResult<Bound<'py, PyTuple>> {
    let sc = scenario_from(py, scenario)?;
    let spec = RunSpec {
        seed,
        path_lo,
        path_hi,
        threads,
        keep_paths,
    };
    let total = path_hi.saturating_sub(path_lo);
    let out = run::run_blocking(py, progress, total, |mon| engine::run(&sc, &spec, mon))?;
    let months = out.stats.months;
    let stats = Bound::new(py, PyRunStats { inner: out.stats })?;
    let paths = match out.paths {
        None => py.None().into_bound(py),
        Some(bufs) => {
            let d = PyDict::new(py);
            for ((_, name), buf) in METRICS.iter().zip(bufs) {
                let rows = buf.len() / months.max(1);
                let arr = ndarray::Array2::from_shape_vec((rows, months), buf).expect("buffer is rows x months");
                d.set_item(*name, arr.into_pyarray(py))?;
            }
            d.into_any()
        }
    };
    PyTuple::new(py, [stats.into_any(), paths])
}

/// Raises a Rust panic inside a pool worker, to test that it surfaces as a Python exception.
#[pyfunction]
fn _panic_in_worker(py: Python<'_>) -> PyResult<()> {
    run::run_blocking(py, None, 0, |_| {
        let pool = pool::get(1)?;
        pool.install(|| panic!("deliberate test panic in a gridrisk worker"))
    })
}

/// `(mean, variance)` arrays.
type MeanVar<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>);

/// Mergeable statistics of a range of paths (moments and quantile sketches per metric-month).
#[pyclass(name = "RunStats", module = "gridrisk._core", frozen)]
struct PyRunStats {
    inner: RunStats,
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
    /// Identifies (scenario, seed).
    #[getter]
    fn fingerprint(&self) -> u64 {
        self.inner.fingerprint
    }

    /// `(mean, variance)` arrays of shape (metrics, months); variance uses n - 1.
    fn moments<'py>(&self, py: Python<'py>) -> PyResult<MeanVar<'py>> {
        let m = self.inner.moments();
        let shape = (self.inner.metrics.len(), self.inner.months);
        let var = m.variance();
        let mean = ndarray::Array2::from_shape_vec(shape, m.mean).expect("cells = metrics x months");
        let var = ndarray::Array2::from_shape_vec(shape, var).expect("cells = metrics x months");
        Ok((mean.into_pyarray(py), var.into_pyarray(py)))
    }

    /// Sketch quantiles, array of shape (metrics, months, len(q)).
    fn quantiles<'py>(&self, py: Python<'py>, q: Vec<f64>) -> Bound<'py, PyArray3<f64>> {
        let (nm, nt) = (self.inner.metrics.len(), self.inner.months);
        let data: Vec<f64> = self
            .inner
            .sketches
            .iter()
            .flat_map(|s| q.iter().map(move |&p| s.quantile(p)))
            .collect();
        ndarray::Array3::from_shape_vec((nm, nt, q.len()), data)
            .expect("cells x quantiles")
            .into_pyarray(py)
    }

    /// Statistics of the union with an adjacent range of the same run (either side).
    fn merge(&self, py: Python<'_>, other: &Bound<'_, PyRunStats>) -> PyResult<Self> {
        let merged = self
            .inner
            .merge(&other.get().inner)
            .map_err(|e| errors::to_py(py, &e))?;
        Ok(Self { inner: merged })
    }

    /// Compact binary encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// Decodes `to_bytes`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: RunStats::from_bytes(data).map_err(|e| errors::to_py(py, &e))?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let ctor = slf.get_type().getattr("from_bytes")?;
        Ok((ctor, (slf.get().to_bytes(slf.py()),)))
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
        _panic_in_worker, PyRunStats, default_threads, keep_paths_bytes, metric_names, scenario_from_toml,
        scenario_to_toml, schedule, simulate, validate_scenario,
    };

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        m.add(
            "__version__",
            env!("CARGO_PKG_VERSION").replace("-alpha", "a").replace("-beta", "b"),
        )?;
        m.add("CHUNK_PATHS", super::CHUNK_PATHS)?;
        m.add("SKETCH_RELATIVE_ACCURACY", super::sketch::ALPHA)?;
        Ok(())
    }
}
