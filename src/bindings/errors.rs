//! Core errors to Python exceptions, in one exhaustive match.
//!
//! The exception classes are defined in Python (`gridrisk/errors.py`) so that they can inherit
//! from both `GridRiskError` and `ValueError` and carry documented attributes; the bindings look
//! them up once.

use crate::error::{GridRiskError, Issue};
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

fn class<'py>(py: Python<'py>, cell: &'static PyOnceLock<Py<PyType>>, name: &str) -> PyResult<Bound<'py, PyType>> {
    cell.get_or_try_init(py, || {
        py.import("gridrisk.errors")?
            .getattr(name)?
            .cast_into::<PyType>()
            .map(Bound::unbind)
            .map_err(PyErr::from)
    })
    .map(|t| t.bind(py).clone())
}

static SCENARIO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ARGUMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MERGE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATA_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INTERNAL_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The kinds of value the validator names in "expected ..., got a KIND" (`Value::kind`).
const KINDS: [&str; 7] = [
    "boolean",
    "integer",
    "number",
    "string",
    "list",
    "table",
    "value of an unsupported type",
];

/// "a" or "an" before `word`.
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// An issue as `(message, line)`: the message for `ScenarioError.errors` and the line of the
/// exception's text, `field: message (got value)`. A message that already names the kind of
/// value it got (`expected a number, got a list`) takes the value into that clause instead
/// (`expected a number, got a list of 1 item`; `got a string 'x'`), so "got" comes once.
fn render(i: &Issue) -> (String, String) {
    let split = i.message.rsplit_once(", got a ").and_then(|(head, tail)| {
        let kind = tail.strip_prefix("n ").unwrap_or(tail);
        KINDS.contains(&kind).then_some((head, kind))
    });
    let Some((head, kind)) = split else {
        return (
            i.message.clone(),
            format!("{}: {} (got {})", i.field, i.message, i.value),
        );
    };
    let message = format!("{head}, got {} {kind}", article(kind));
    // Lists, tables and unsupported values describe themselves ("a list of 3 items").
    let got = if ["a ", "an ", "the "].iter().any(|p| i.value.starts_with(p)) {
        i.value.clone()
    } else {
        format!("{} {kind} {}", article(kind), i.value)
    };
    (message, format!("{}: {head}, got {got}", i.field))
}

fn build(py: Python<'_>, e: &GridRiskError) -> PyResult<PyErr> {
    let msg = e.to_string();
    Ok(match e {
        GridRiskError::Scenario(issues) => {
            let list = PyList::empty(py);
            let mut lines = Vec::with_capacity(issues.len());
            for i in issues {
                let (message, line) = render(i);
                let d = PyDict::new(py);
                d.set_item("field", &i.field)?;
                d.set_item("value", &i.value)?;
                d.set_item("message", message)?;
                list.append(d)?;
                lines.push(format!("  - {line}"));
            }
            let n = issues.len();
            let text = format!(
                "invalid scenario: {n} problem{}\n{}",
                if n == 1 { "" } else { "s" },
                lines.join("\n")
            );
            PyErr::from_value(class(py, &SCENARIO_ERROR, "ScenarioError")?.call1((text, list))?)
        }
        GridRiskError::Argument { .. } => {
            PyErr::from_value(class(py, &ARGUMENT_ERROR, "ArgumentError")?.call1((msg,))?)
        }
        GridRiskError::Merge(_) => PyErr::from_value(class(py, &MERGE_ERROR, "MergeError")?.call1((msg,))?),
        GridRiskError::Data(_) => PyErr::from_value(class(py, &DATA_ERROR, "DataError")?.call1((msg,))?),
        GridRiskError::Cancelled => PyKeyboardInterrupt::new_err("gridrisk run cancelled"),
        GridRiskError::Memory { .. } => PyMemoryError::new_err(msg),
        GridRiskError::Internal(_) => PyErr::from_value(class(py, &INTERNAL_ERROR, "InternalError")?.call1((msg,))?),
    })
}

/// The text of a panic's payload (`panic!` with a literal or a format string), or a placeholder.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_owned())
}

/// A caught panic as `gridrisk.errors.InternalError` (an `Exception`, unlike pyo3's
/// `PanicException`).
pub fn from_panic(py: Python<'_>, payload: &(dyn std::any::Any + Send)) -> PyErr {
    to_py(
        py,
        &GridRiskError::Internal(format!("panic: {}", panic_message(payload))),
    )
}

/// Runs `f`, turning a panic inside it into `gridrisk.errors.InternalError`. Every function
/// and method of the module goes through this (or [`super::run::run_blocking`], which does
/// the same for work on other threads), so no panic reaches pyo3, which would raise
/// `PanicException`, a `BaseException` that `except Exception` does not catch.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(from_panic(py, &*payload)))
}

/// Converts a core error; if the Python classes cannot be loaded, a RuntimeError says why.
pub fn to_py(py: Python<'_>, e: &GridRiskError) -> PyErr {
    build(py, e)
        .unwrap_or_else(|load| PyRuntimeError::new_err(format!("{e} (and gridrisk.errors failed to load: {load})")))
}
