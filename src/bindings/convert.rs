//! Python objects to the core's loosely typed [`Value`] tree, and TOML values back to Python.

use crate::scenario::Value;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Converts any Python object; what cannot be expressed becomes `Value::Unsupported` so the
/// validator reports it by field name together with every other problem.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(obj.extract::<i64>().map_or_else(
            |_| Value::Unsupported(format!("the integer {obj} (too large)")),
            Value::Int,
        ));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(obj.extract()?));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::Str(s.to_str()?.to_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = std::collections::BTreeMap::new();
        for (k, v) in d.iter() {
            let key = match k.cast::<PyString>() {
                Ok(s) => s.to_str()?.to_owned(),
                Err(_) => format!("{}", k.repr()?),
            };
            map.insert(key, to_value(&v)?);
        }
        return Ok(Value::Table(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return Ok(Value::List(
            obj.try_iter()?.map(|x| to_value(&x?)).collect::<PyResult<_>>()?,
        ));
    }
    // NumPy scalars and arrays: `.item()` / `.tolist()` give plain Python objects.
    if obj.hasattr("dtype")? {
        let plain = if obj.hasattr("ndim")? && obj.getattr("ndim")?.extract::<usize>()? > 0 {
            obj.call_method0("tolist")?
        } else {
            obj.call_method0("item")?
        };
        return to_value(&plain);
    }
    let ty = obj.get_type().name()?.to_string();
    Ok(Value::Unsupported(format!("a {ty} ({})", obj.repr()?)))
}

/// Converts a TOML value to plain Python objects (dict, list, str, int, float, bool).
pub fn from_toml<'py>(py: Python<'py>, v: &toml::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        toml::Value::String(s) => s.into_pyobject(py)?.into_any(),
        toml::Value::Integer(i) => i.into_pyobject(py)?.into_any(),
        toml::Value::Float(x) => x.into_pyobject(py)?.into_any(),
        toml::Value::Boolean(b) => PyBool::new(py, *b).to_owned().into_any(),
        toml::Value::Datetime(d) => d.to_string().into_pyobject(py)?.into_any(),
        toml::Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(from_toml(py, x)?)?;
            }
            l.into_any()
        }
        toml::Value::Table(t) => {
            let d = PyDict::new(py);
            for (k, x) in t {
                d.set_item(k, from_toml(py, x)?)?;
            }
            d.into_any()
        }
    })
}
