//! A loosely typed tree that both TOML files and Python dicts convert into, so that one
//! validator reads both and reports problems with the same field names.

use std::collections::BTreeMap;

/// A scenario value before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A floating-point number (may be non-finite: the validator rejects it by name).
    Float(f64),
    /// Text.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A table of named values.
    Table(BTreeMap<String, Value>),
    /// Something the source could not express as any of the above (e.g. a Python `set`);
    /// carries a description of what it was.
    Unsupported(String),
}

impl Value {
    /// A short name of the value's kind for error messages.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Table(_) => "table",
            Value::Unsupported(_) => "value of an unsupported type",
        }
    }

    /// A brief rendering for error messages (long lists and tables are abbreviated).
    #[must_use]
    pub fn brief(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(x) => format!("{x:?}"),
            Value::Str(s) if s.chars().count() > 40 => {
                format!("'{}...'", s.chars().take(40).collect::<String>())
            }
            Value::Str(s) => format!("'{s}'"),
            Value::List(v) => format!("a list of {} item{}", v.len(), if v.len() == 1 { "" } else { "s" }),
            Value::Table(_) => "a table".to_owned(),
            Value::Unsupported(what) => what.clone(),
        }
    }

    /// Converts a parsed TOML value.
    #[must_use]
    pub fn from_toml(v: toml::Value) -> Self {
        match v {
            toml::Value::String(s) => Value::Str(s),
            toml::Value::Integer(i) => Value::Int(i),
            toml::Value::Float(x) => Value::Float(x),
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Datetime(d) => {
                Value::Unsupported(format!("a TOML date-time ({d}); write months as 'YYYY-MM' strings"))
            }
            toml::Value::Array(a) => Value::List(a.into_iter().map(Value::from_toml).collect()),
            toml::Value::Table(t) => Value::Table(t.into_iter().map(|(k, v)| (k, Value::from_toml(v))).collect()),
        }
    }
}
