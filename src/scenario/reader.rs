//! Reads a [`Value`] tree into typed fields while collecting every problem.
//!
//! Each accessor records what went wrong (missing, wrong type, out of range) under the dotted
//! field name and returns a placeholder, so reading always continues to the end and the user
//! sees all problems at once. Keys that no accessor asked for are reported as unknown, with the
//! closest known key as a hint.

use super::value::Value;
use crate::error::Issue;
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// Collected problems, shared by all readers of one document.
#[derive(Default)]
pub struct Issues(RefCell<Vec<Issue>>);

impl Issues {
    /// Records a problem.
    pub fn push(&self, field: &str, value: impl Into<String>, message: impl Into<String>) {
        self.0.borrow_mut().push(Issue {
            field: field.to_owned(),
            value: value.into(),
            message: message.into(),
        });
    }

    /// Whether nothing went wrong so far.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    /// Number of problems so far.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// The problems, in the order found.
    pub fn into_vec(self) -> Vec<Issue> {
        self.0.into_inner()
    }
}

/// An interval of allowed numbers, printed the way the error messages show it.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    lo: f64,
    hi: f64,
    lo_open: bool,
    hi_open: bool,
}

impl Range {
    /// `[lo, hi]`.
    #[must_use]
    pub const fn closed(lo: f64, hi: f64) -> Self {
        Self {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }
    /// `(lo, hi]`.
    #[must_use]
    pub const fn above(lo: f64, hi: f64) -> Self {
        Self {
            lo,
            hi,
            lo_open: true,
            hi_open: false,
        }
    }
    /// `(lo, hi)`.
    #[must_use]
    pub const fn open(lo: f64, hi: f64) -> Self {
        Self {
            lo,
            hi,
            lo_open: true,
            hi_open: true,
        }
    }
    /// `[lo, hi)`.
    #[must_use]
    pub const fn below(lo: f64, hi: f64) -> Self {
        Self {
            lo,
            hi,
            lo_open: false,
            hi_open: true,
        }
    }

    /// Whether `x` lies in the interval.
    #[must_use]
    pub fn contains(&self, x: f64) -> bool {
        let lo_ok = if self.lo_open { x > self.lo } else { x >= self.lo };
        let hi_ok = if self.hi_open { x < self.hi } else { x <= self.hi };
        lo_ok && hi_ok
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}, {}{}",
            if self.lo_open { "(" } else { "[" },
            fmt_num(self.lo),
            fmt_num(self.hi),
            if self.hi_open { ")" } else { "]" }
        )
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Where a table is in the document, spelled out only for a message: a path's scenario reads
/// its sub-tables and list entries again on every path, and an eager dotted string for each cost
/// more than reading most of them.
struct Place {
    up: Option<Rc<Place>>,
    step: PlaceStep,
}

enum PlaceStep {
    Key(&'static str),
    Index(usize),
}

fn spell(place: Option<&Place>) -> String {
    let Some(p) = place else {
        return String::new();
    };
    let mut s = spell(p.up.as_deref());
    match p.step {
        PlaceStep::Key(k) if s.is_empty() => s.push_str(k),
        PlaceStep::Key(k) => {
            s.push('.');
            s.push_str(k);
        }
        PlaceStep::Index(i) => s.push_str(&format!("[{i}]")),
    }
    s
}

/// A reader over one table of the document.
pub struct Table<'v, 'i> {
    issues: &'i Issues,
    place: Option<Rc<Place>>,
    path: OnceCell<String>,
    map: Option<&'v BTreeMap<String, Value>>,
    known: Vec<&'static str>,
}

impl<'v, 'i> Table<'v, 'i> {
    /// A reader over the document root, which must be a table.
    pub fn root(value: &'v Value, issues: &'i Issues) -> Self {
        let map = match value {
            Value::Table(m) => Some(m),
            other => {
                issues.push(
                    "(scenario)",
                    other.brief(),
                    "a scenario must be a table (a dict / TOML document)",
                );
                None
            }
        };
        Self {
            issues,
            place: None,
            path: OnceCell::new(),
            map,
            known: Vec::new(),
        }
    }

    /// A reader over `map` at `place` below this table.
    fn below(&self, step: PlaceStep, map: Option<&'v BTreeMap<String, Value>>) -> Table<'v, 'i> {
        Table {
            issues: self.issues,
            place: Some(Rc::new(Place {
                up: self.place.clone(),
                step,
            })),
            path: OnceCell::new(),
            map,
            // Most keys of a table are read, and growing one key at a time costs a few
            // reallocations a table.
            known: Vec::with_capacity(map.map_or(0, |m| m.len() + 2)),
        }
    }

    /// The dotted name of `key` in this table, for messages: built only when a problem is
    /// recorded (a scenario of uncertain parameters is read once per path, so an eager string per
    /// field read cost about a third of reading it).
    fn field(&self, key: &str) -> String {
        let path = self.path();
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&'v Value> {
        self.known.push(key);
        let map = self.map?;
        let v = map.get(key);
        if v.is_none() {
            self.issues.push(&self.field(key), "missing", "this field is required");
        }
        v
    }

    /// A number in `range`; integers are accepted. NaN and infinities are rejected.
    pub fn f64(&mut self, key: &'static str, range: Range) -> f64 {
        match self.get(key) {
            None => 0.0,
            Some(v) => number(self.issues, || self.field(key), v, range).unwrap_or(0.0),
        }
    }

    /// A whole number in `lo..=hi`. A float with no fractional part (e.g. `12.0`) is accepted.
    pub fn int(&mut self, key: &'static str, lo: i64, hi: i64) -> i64 {
        match self.get(key) {
            None => lo,
            Some(v) => integer(self.issues, || self.field(key), v, lo, hi).unwrap_or(lo),
        }
    }

    /// An optional number in `range` (never recorded as missing).
    pub fn opt_f64(&mut self, key: &'static str, range: Range) -> Option<f64> {
        let v = self.optional(key)?;
        number(self.issues, || self.field(key), v, range)
    }

    /// `true` or `false`.
    pub fn bool(&mut self, key: &'static str) -> bool {
        match self.get(key) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected true or false, got a {}", v.kind()),
                );
                false
            }
        }
    }

    /// The value of an optional key, if present (never recorded as missing).
    pub fn optional(&mut self, key: &'static str) -> Option<&'v Value> {
        self.known.push(key);
        self.map?.get(key)
    }

    /// An optional string parsed by `parse`.
    pub fn opt_parsed<T>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        match self.optional(key)? {
            Value::Str(s) => parse(s)
                .map_err(|msg| self.issues.push(&self.field(key), format!("'{s}'"), msg))
                .ok(),
            v => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a string, got a {}", v.kind()),
                );
                None
            }
        }
    }

    /// An optional list of numbers in `range` whose length is one of `lens`.
    pub fn opt_f64_list(&mut self, key: &'static str, range: Range, lens: &[usize]) -> Option<Vec<f64>> {
        let v = self.optional(key)?;
        let Value::List(items) = v else {
            self.issues.push(
                &self.field(key),
                v.brief(),
                format!("expected a list of numbers, got a {}", v.kind()),
            );
            return None;
        };
        if !lens.contains(&items.len()) {
            let allowed = lens.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ");
            self.issues
                .push(&self.field(key), v.brief(), format!("expected {allowed} numbers"));
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut bad = 0usize;
        for (i, x) in items.iter().enumerate() {
            // Report at most a few bad entries of a long profile, then a count.
            let r = if bad < 5 {
                number(self.issues, || format!("{}[{i}]", self.field(key)), x, range)
            } else {
                number_quiet(x, range)
            };
            match r {
                Some(x) => out.push(x),
                None => bad += 1,
            }
        }
        if bad > 5 {
            self.issues.push(
                &self.field(key),
                v.brief(),
                format!("{} more entries are invalid (each must be in {range})", bad - 5),
            );
        }
        (bad == 0).then_some(out)
    }

    /// Free text.
    pub fn string(&mut self, key: &'static str) -> String {
        match self.get(key) {
            None => String::new(),
            Some(Value::Str(s)) => s.clone(),
            Some(v) => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a string, got a {}", v.kind()),
                );
                String::new()
            }
        }
    }

    /// A string parsed by `parse`, whose error text says what is allowed.
    pub fn parsed<T: Default>(&mut self, key: &'static str, parse: impl Fn(&str) -> Result<T, String>) -> T {
        match self.get(key) {
            None => T::default(),
            Some(Value::Str(s)) => parse(s).unwrap_or_else(|msg| {
                self.issues.push(&self.field(key), format!("'{s}'"), msg);
                T::default()
            }),
            Some(v) => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a string, got a {}", v.kind()),
                );
                T::default()
            }
        }
    }

    /// One of a fixed set of strings; returns its index.
    pub fn choice(&mut self, key: &'static str, allowed: &[&str]) -> usize {
        self.parsed(key, |s| {
            allowed.iter().position(|a| *a == s).ok_or_else(|| {
                let hint = suggest(s, allowed.iter().copied())
                    .map(|h| format!(" (did you mean '{h}'?)"))
                    .unwrap_or_default();
                format!(
                    "must be one of {}{hint}",
                    allowed.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
                )
            })
        })
    }

    /// A list of numbers in `range`, of exactly `len` items when `len` is given.
    pub fn f64_list(&mut self, key: &'static str, range: Range, len: Option<usize>) -> Vec<f64> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let Value::List(items) = v else {
            self.issues.push(
                &self.field(key),
                v.brief(),
                format!("expected a list of numbers, got a {}", v.kind()),
            );
            return Vec::new();
        };
        if let Some(n) = len
            && items.len() != n
        {
            self.issues
                .push(&self.field(key), v.brief(), format!("expected exactly {n} numbers"));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, x)| number(self.issues, || format!("{}[{i}]", self.field(key)), x, range).unwrap_or(0.0))
            .collect()
    }

    /// A list of strings; `None` (after recording the problem) when missing or not a list of
    /// strings, so that callers can tell an empty list given from a problem already reported.
    pub fn string_list(&mut self, key: &'static str) -> Option<Vec<String>> {
        let v = self.get(key)?;
        match v {
            Value::List(items) if items.iter().all(|x| matches!(x, Value::Str(_))) => Some(
                items
                    .iter()
                    .filter_map(|x| if let Value::Str(s) = x { Some(s.clone()) } else { None })
                    .collect(),
            ),
            _ => {
                self.issues
                    .push(&self.field(key), v.brief(), "expected a list of strings");
                None
            }
        }
    }

    /// A square matrix (list of lists) of numbers in `range`, of size `n` x `n`.
    pub fn matrix(&mut self, key: &'static str, range: Range, n: usize) -> Vec<Vec<f64>> {
        self.grid(key, range, n, n)
    }

    /// A `rows` x `cols` matrix (list of lists) of numbers in `range`.
    pub fn grid(&mut self, key: &'static str, range: Range, n: usize, cols: usize) -> Vec<Vec<f64>> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let rows = match v {
            Value::List(rows) if rows.iter().all(|r| matches!(r, Value::List(_))) => rows,
            _ => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a {n} x {cols} matrix (a list of {n} lists)"),
                );
                return Vec::new();
            }
        };
        let shape_ok = rows.len() == n && rows.iter().all(|r| matches!(r, Value::List(c) if c.len() == cols));
        if !shape_ok {
            let shape = format!(
                "{} x [{}]",
                rows.len(),
                rows.iter()
                    .map(|r| if let Value::List(c) = r {
                        c.len().to_string()
                    } else {
                        "?".into()
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.issues
                .push(&self.field(key), shape, format!("expected a {n} x {cols} matrix"));
            return Vec::new();
        }
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                let Value::List(cells) = r else {
                    unreachable!("shape checked above")
                };
                cells
                    .iter()
                    .enumerate()
                    .map(|(j, x)| {
                        number(self.issues, || format!("{}[{i}][{j}]", self.field(key)), x, range).unwrap_or(f64::NAN)
                    })
                    .collect()
            })
            .collect()
    }

    /// A sub-table; `None` (after recording the problem) when missing or not a table.
    pub fn table(&mut self, key: &'static str) -> Table<'v, 'i> {
        let map = match self.get(key) {
            None => None,
            Some(Value::Table(m)) => Some(m),
            Some(v) => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a table, got a {}", v.kind()),
                );
                None
            }
        };
        self.below(PlaceStep::Key(key), map)
    }

    /// Marks `key` as read without reading it: its value is known to read as it did before
    /// (see [`super::Unchanged`]).
    pub fn skip(&mut self, key: &'static str) {
        self.known.push(key);
    }

    /// An optional sub-table: `None` when absent (never recorded as missing); a present value
    /// that is not a table is a problem.
    pub fn opt_table(&mut self, key: &'static str) -> Option<Table<'v, 'i>> {
        match self.optional(key)? {
            Value::Table(m) => Some(self.below(PlaceStep::Key(key), Some(m))),
            v => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a table, got a {}", v.kind()),
                );
                None
            }
        }
    }

    /// An optional list of tables (TOML `[[key]]`), each read by `read`; empty when absent.
    pub fn opt_tables<T>(&mut self, key: &'static str, read: impl FnMut(&mut Table<'v, 'i>) -> T) -> Vec<T> {
        if self.map.is_some_and(|m| m.contains_key(key)) {
            self.tables(key, read)
        } else {
            self.known.push(key);
            Vec::new()
        }
    }

    /// A number or a list of numbers in `range`: one value for every calendar month or twelve
    /// (January first), returned as twelve.
    pub fn monthly(&mut self, key: &'static str, range: Range) -> [f64; 12] {
        match self.get(key) {
            None => [0.0; 12],
            Some(v @ (Value::Int(_) | Value::Float(_))) => {
                [number(self.issues, || self.field(key), v, range).unwrap_or(0.0); 12]
            }
            Some(Value::List(items)) if items.len() == 12 => {
                let mut out = [0.0; 12];
                for (i, (o, x)) in out.iter_mut().zip(items).enumerate() {
                    *o = number(self.issues, || format!("{}[{i}]", self.field(key)), x, range).unwrap_or(0.0);
                }
                out
            }
            Some(v) => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    "expected a number (every month) or a list of 12 numbers (January to December)",
                );
                [0.0; 12]
            }
        }
    }

    /// A list of tables (TOML `[[key]]`), each read by `read`.
    pub fn tables<T>(&mut self, key: &'static str, mut read: impl FnMut(&mut Table<'v, 'i>) -> T) -> Vec<T> {
        let mut out = Vec::new();
        self.each_table(key, None, |_, t| out.push(read(t)));
        out
    }

    /// The entries at `only` (ascending) of a list of tables, each read by `read` as
    /// [`Table::tables`] reads it, with its index: for a list whose other entries are known to
    /// read as before (see [`super::Unchanged`]).
    pub fn tables_at<T>(
        &mut self,
        key: &'static str,
        only: &[usize],
        mut read: impl FnMut(&mut Table<'v, 'i>) -> T,
    ) -> Vec<(usize, T)> {
        let mut out = Vec::with_capacity(only.len());
        self.each_table(key, Some(only), |i, t| out.push((i, read(t))));
        out
    }

    fn each_table(
        &mut self,
        key: &'static str,
        only: Option<&[usize]>,
        mut read: impl FnMut(usize, &mut Table<'v, 'i>),
    ) {
        let items = match self.get(key) {
            None => return,
            Some(Value::List(items)) => items,
            Some(v) => {
                self.issues.push(
                    &self.field(key),
                    v.brief(),
                    format!("expected a list of tables, got a {}", v.kind()),
                );
                return;
            }
        };
        let list = self.below(PlaceStep::Key(key), None);
        for (i, item) in items.iter().enumerate() {
            if only.is_some_and(|o| !o.contains(&i)) {
                continue;
            }
            let map = if let Value::Table(m) = item { Some(m) } else { None };
            let mut t = list.below(PlaceStep::Index(i), map);
            if map.is_none() {
                self.issues.push(
                    t.path(),
                    item.brief(),
                    format!("expected a table, got a {}", item.kind()),
                );
            }
            read(i, &mut t);
            t.finish();
        }
    }

    /// Whether this reader stands on an actual table (not a missing or mistyped one).
    #[must_use]
    pub fn is_table(&self) -> bool {
        self.map.is_some()
    }

    /// Dotted name of this table.
    #[must_use]
    pub fn path(&self) -> &str {
        self.path.get_or_init(|| spell(self.place.as_deref()))
    }

    /// Records a problem about a field of this table found by a cross-field check.
    pub fn problem(&self, key: &str, value: impl Into<String>, message: impl Into<String>) {
        self.issues.push(&self.field(key), value, message);
    }

    /// Reports keys no accessor asked for. Call after reading every field.
    pub fn finish(self) {
        let Some(map) = self.map else { return };
        for (k, v) in map {
            if !self.known.contains(&k.as_str()) {
                let hint = suggest(k, self.known.iter().copied())
                    .map(|h| format!("; did you mean '{h}'?"))
                    .unwrap_or_default();
                let allowed = self.known.join(", ");
                self.issues.push(
                    &self.field(k),
                    v.brief(),
                    format!("unknown key{hint} (known keys here: {allowed})"),
                );
            }
        }
    }
}

/// A number in `range`; `field` names it, made only when there is a problem to report (a
/// path's scenario reads every number of its shapes again, and most are fine).
fn number(issues: &Issues, field: impl Fn() -> String, v: &Value, range: Range) -> Option<f64> {
    let x = match v {
        Value::Float(x) => *x,
        Value::Int(i) => *i as f64,
        other => {
            issues.push(
                &field(),
                other.brief(),
                format!("expected a number in {range}, got a {}", other.kind()),
            );
            return None;
        }
    };
    if !x.is_finite() {
        issues.push(&field(), v.brief(), format!("must be a finite number in {range}"));
        return None;
    }
    if !range.contains(x) {
        issues.push(&field(), v.brief(), format!("must be in {range}"));
        return None;
    }
    Some(x)
}

fn number_quiet(v: &Value, range: Range) -> Option<f64> {
    let x = match v {
        Value::Float(x) => *x,
        Value::Int(i) => *i as f64,
        _ => return None,
    };
    (x.is_finite() && range.contains(x)).then_some(x)
}

fn integer(issues: &Issues, field: impl Fn() -> String, v: &Value, lo: i64, hi: i64) -> Option<i64> {
    let i = match v {
        Value::Int(i) => *i,
        Value::Float(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 => *x as i64,
        other => {
            issues.push(
                &field(),
                other.brief(),
                format!("expected a whole number in [{lo}, {hi}], got a {}", other.kind()),
            );
            return None;
        }
    };
    if !(lo..=hi).contains(&i) {
        issues.push(&field(), v.brief(), format!("must be a whole number in [{lo}, {hi}]"));
        return None;
    }
    Some(i)
}

/// The closest candidate to `word`, if any is close enough to be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::normalized_damerau_levenshtein(word, c), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, Value)]) -> Value {
        Value::Table(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    #[test]
    fn collects_every_problem_and_suggests_keys() {
        let doc = table(&[
            ("vol_anual", Value::Float(0.5)),
            ("drift", Value::Str("high".into())),
            ("n", Value::Float(f64::NAN)),
        ]);
        let issues = Issues::default();
        let mut t = Table::root(&doc, &issues);
        t.f64("vol_annual", Range::closed(0.0, 3.0));
        t.f64("drift", Range::closed(-1.0, 1.0));
        t.int("n", 1, 10);
        t.finish();
        let found = issues.into_vec();
        let fields: Vec<_> = found.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["vol_annual", "drift", "n", "vol_anual"]);
        assert!(
            found[3].message.contains("did you mean 'vol_annual'"),
            "{}",
            found[3].message
        );
        assert!(found[1].message.contains("[-1, 1]"));
    }

    #[test]
    fn range_display_and_membership() {
        assert_eq!(Range::above(0.0, 3.0).to_string(), "(0, 3]");
        assert!(!Range::above(0.0, 3.0).contains(0.0));
        assert!(Range::below(0.0, 1.0).contains(0.0));
        assert!(!Range::open(-1.0, 1.0).contains(1.0));
    }
}
