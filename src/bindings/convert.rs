//! Python objects to the core's loosely typed [`Value`] tree, and TOML values back to Python.
//!
//! The conversion is bounded whatever it is given: nesting deeper than [`MAX_DEPTH`], a
//! container that contains itself, or a container whose values would take the total past
//! [`MAX_VALUES`] becomes `Value::Unsupported` (reported by field name by the validator)
//! instead of recursing until the stack overflows or memory runs out. NumPy scalars are converted by their kind, never by
//! calling `.item()` blindly (`np.longdouble(x).item()` returns another longdouble).

use crate::scenario::Value;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Deepest nesting of lists and tables accepted (a scenario needs 3).
pub const MAX_DEPTH: usize = 64;
/// Most values (items of lists, tables and arrays, counted when their container is reached)
/// one conversion accepts; a scenario with an hourly profile has about 10,000.
pub const MAX_VALUES: usize = 1_000_000;
/// Longest rendering of an unsupported object in an error message, characters.
const MAX_REPR: usize = 80;

/// Converts any Python object; what cannot be expressed becomes `Value::Unsupported` so the
/// validator reports it by field name together with every other problem.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    Converter {
        budget: MAX_VALUES,
        open: Vec::new(),
    }
    .convert(obj)
}

/// State of one conversion: what is left of the value budget, and the containers being
/// converted (the path from the root), which give the depth and detect cycles.
struct Converter {
    budget: usize,
    open: Vec<usize>,
}

/// `repr(obj)`, shortened; the type name alone if `repr` fails.
fn short_repr(obj: &Bound<'_, PyAny>) -> String {
    let ty = obj
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string());
    let a = super::errors::article(&ty);
    let Ok(r) = obj.repr() else { return format!("{a} {ty}") };
    format!("{a} {ty} ({})", shorten(&r.to_string()))
}

/// `text` cut to [`MAX_REPR`] characters (with `...`).
fn shorten(text: &str) -> String {
    if text.chars().count() > MAX_REPR {
        format!("{}...", text.chars().take(MAX_REPR).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The three kinds of container converted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Dict,
    List,
    Array,
}

impl Converter {
    fn convert(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
        if obj.is_instance_of::<PyBool>() {
            return Ok(Value::Bool(obj.extract()?));
        }
        if obj.is_instance_of::<PyInt>() {
            return Ok(int_value(obj));
        }
        if obj.is_instance_of::<PyFloat>() {
            return Ok(Value::Float(obj.extract()?));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Value::Str(s.to_str()?.to_owned()));
        }
        let kind = if obj.is_instance_of::<PyDict>() {
            Container::Dict
        } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            Container::List
        } else if obj.hasattr("dtype").unwrap_or(false) {
            if !is_ndarray(obj) {
                return numpy_scalar(obj);
            }
            Container::Array
        } else {
            return Ok(Value::Unsupported(short_repr(obj)));
        };
        // A container: bounded depth, no cycles, and its values paid for from the budget
        // before any is converted (so a huge or self-multiplying structure is refused at once).
        let id = obj.as_ptr() as usize;
        if self.open.contains(&id) {
            return Ok(Value::Unsupported(format!("{} that contains itself", short_repr(obj))));
        }
        if self.open.len() >= MAX_DEPTH {
            return Ok(Value::Unsupported(format!(
                "a value nested deeper than {MAX_DEPTH} levels"
            )));
        }
        let len = match kind {
            Container::Array => obj.getattr("size").and_then(|n| n.extract::<usize>()),
            Container::Dict | Container::List => obj.len(),
        }
        .unwrap_or(usize::MAX);
        if len > self.budget {
            return Ok(Value::Unsupported(format!(
                "a {} of {len} values, more than the {MAX_VALUES} a scenario may hold in all",
                if kind == Container::Dict { "table" } else { "list" }
            )));
        }
        self.budget -= len;
        self.open.push(id);
        let out = self.container(obj, kind);
        self.open.pop();
        out
    }

    fn container(&mut self, obj: &Bound<'_, PyAny>, kind: Container) -> PyResult<Value> {
        if kind == Container::Dict {
            let d = obj.cast::<PyDict>()?;
            let mut map = std::collections::BTreeMap::new();
            for (k, v) in d.iter() {
                let key = match k.cast::<PyString>() {
                    Ok(s) => s.to_str()?.to_owned(),
                    Err(_) => short_repr(&k),
                };
                map.insert(key, self.convert(&v)?);
            }
            return Ok(Value::Table(map));
        }
        // An array becomes (nested) lists; its elements are Python or NumPy scalars, or for
        // object arrays anything at all, converted in turn.
        let seq = if kind == Container::Array {
            obj.call_method0("tolist")?
        } else {
            obj.clone()
        };
        let mut items = Vec::new();
        for x in seq.try_iter()? {
            items.push(self.convert(&x?)?);
        }
        Ok(Value::List(items))
    }
}

/// A Python integer (or anything with `__index__`) as an `i64`, or unsupported when too large
/// ("the integer 18446744073709551616, outside the 64-bit range").
fn int_value(obj: &Bound<'_, PyAny>) -> Value {
    obj.extract::<i64>().map_or_else(
        |_| {
            // repr() of an int of more than 4300 digits raises (sys.set_int_max_str_digits).
            let digits = obj
                .repr()
                .map_or_else(|_| "with thousands of digits".to_owned(), |r| shorten(&r.to_string()));
            Value::Unsupported(format!(
                "the integer {digits}, outside the 64-bit range [-2^63, 2^63 - 1]"
            ))
        },
        Value::Int,
    )
}

/// Whether a NumPy object is an array of at least one dimension (not a scalar).
fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    obj.getattr("ndim")
        .is_ok_and(|n| n.extract::<usize>().is_ok_and(|n| n > 0))
}

/// A NumPy scalar (or 0-d array) by the kind of its dtype.
fn numpy_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let kind = obj
        .getattr("dtype")
        .and_then(|d| d.getattr("kind"))
        .and_then(|k| k.extract::<String>())
        .unwrap_or_default();
    Ok(match kind.as_str() {
        "b" => match obj.is_truthy() {
            Ok(b) => Value::Bool(b),
            Err(_) => Value::Unsupported(short_repr(obj)),
        },
        "i" | "u" => match obj.call_method0("__index__") {
            Ok(i) => int_value(&i),
            Err(_) => Value::Unsupported(short_repr(obj)),
        },
        "f" => {
            // float() rounds wider types (longdouble); accepted only when nothing is lost.
            let Ok(x) = obj.extract::<f64>() else {
                return Ok(Value::Unsupported(short_repr(obj)));
            };
            let exact = x.is_nan() || obj.eq(x).unwrap_or(false);
            if exact {
                Value::Float(x)
            } else {
                Value::Unsupported(format!(
                    "{} that a 64-bit float cannot represent exactly; convert it with float()",
                    short_repr(obj)
                ))
            }
        }
        "c" => Value::Unsupported(format!("{}: complex numbers are not allowed", short_repr(obj))),
        "U" | "S" => match obj.call_method0("item") {
            Ok(s) => match s.cast::<PyString>() {
                Ok(s) => Value::Str(s.to_str()?.to_owned()),
                Err(_) => Value::Unsupported(short_repr(obj)),
            },
            Err(_) => Value::Unsupported(short_repr(obj)),
        },
        _ => Value::Unsupported(short_repr(obj)),
    })
}

/// Converts a TOML value to plain Python objects (dict, list, str, int, float, bool).
///
/// Recursion is bounded: values come from a validated scenario (a few levels deep), and the
/// TOML parser itself refuses deep nesting.
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
