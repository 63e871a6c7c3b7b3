//! The schema of parameter uncertainty (`[[uncertain]]`): a distribution in place of the value
//! of any numeric field, or one joint distribution over several. What a path does with it (its
//! own draws, its own scenario) is in [`crate::parameters`]; this file reads the declarations,
//! turns distributions written in place of a value into declarations, and checks that every
//! value a distribution can produce makes a scenario the engine can run.

use super::reader::{Issues, Range, Table};
use super::value::Value;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;

/// The distributions, as written in `dist`.
pub const DISTS: [&str; 7] = [
    "normal",
    "lognormal",
    "uniform",
    "triangular",
    "discrete",
    "joint_normal",
    "scenarios",
];

/// Normal and lognormal draws are truncated this many standard deviations (of the log, for the
/// lognormal) from the centre unless narrower bounds are declared: the validator needs a finite
/// support to check, and beyond it lies a probability of 2·10⁻⁹.
pub const TAIL_SD: f64 = 6.0;

/// A distribution and its parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Dist {
    /// Normal, truncated to the support.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Lognormal, truncated to the support.
    Lognormal {
        /// Median, `exp(μ)`.
        median: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Uniform on the support.
    #[default]
    Uniform,
    /// Triangular on the support with this mode.
    Triangular {
        /// Most likely value.
        mode: f64,
    },
    /// One of `values` with probabilities proportional to `weights`.
    Discrete {
        /// The values.
        values: Vec<f64>,
        /// Their weights (normalised when drawn).
        weights: Vec<f64>,
    },
    /// Joint normal of several fields (e.g. a calibration's estimates and their covariance),
    /// each clipped to its support.
    JointNormal {
        /// Means, one per field.
        mean: Vec<f64>,
        /// Covariance matrix.
        cov: Vec<Vec<f64>>,
    },
    /// Weighted scenarios: rows of values of all the fields, one row drawn.
    Scenarios {
        /// One row per scenario, one value per field.
        values: Vec<Vec<f64>>,
        /// Their weights (normalised when drawn).
        weights: Vec<f64>,
    },
}

/// One declaration: the fields drawn together and their distribution.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Uncertain {
    /// The fields, as dotted names (`fx.drift_annual`, `fleet[2].vom_usd_per_mwh`).
    pub fields: Vec<String>,
    /// The distribution.
    pub dist: Dist,
    /// Declared lower bounds, one per field (required for uniform and triangular).
    pub lower: Option<Vec<f64>>,
    /// Declared upper bounds, one per field.
    pub upper: Option<Vec<f64>>,
    /// The group a sensitivity analysis attributes the variance of these fields to; drawn with
    /// the group's seed.
    pub group: String,
    /// Where the distribution comes from (a citation or the reason for an assumption).
    pub source: String,
}

impl Uncertain {
    /// Whether the distribution is over one field.
    #[must_use]
    pub fn is_univariate(&self) -> bool {
        !matches!(self.dist, Dist::JointNormal { .. } | Dist::Scenarios { .. })
    }

    /// The name of the distribution as written.
    #[must_use]
    pub fn dist_name(&self) -> &'static str {
        DISTS[match self.dist {
            Dist::Normal { .. } => 0,
            Dist::Lognormal { .. } => 1,
            Dist::Uniform => 2,
            Dist::Triangular { .. } => 3,
            Dist::Discrete { .. } => 4,
            Dist::JointNormal { .. } => 5,
            Dist::Scenarios { .. } => 6,
        }]
    }

    /// The smallest and largest value each field can take.
    #[must_use]
    pub fn support(&self) -> Vec<(f64, f64)> {
        let given = |k: usize, lo: f64, hi: f64| {
            (
                self.lower.as_ref().map_or(lo, |l| l[k].max(lo)),
                self.upper.as_ref().map_or(hi, |u| u[k].min(hi)),
            )
        };
        match &self.dist {
            Dist::Normal { mean, sd } => vec![given(0, mean - TAIL_SD * sd, mean + TAIL_SD * sd)],
            Dist::Lognormal { median, sigma } => {
                vec![given(
                    0,
                    median * (-TAIL_SD * sigma).exp(),
                    median * (TAIL_SD * sigma).exp(),
                )]
            }
            Dist::Uniform | Dist::Triangular { .. } => vec![given(0, f64::NEG_INFINITY, f64::INFINITY)],
            Dist::Discrete { values, .. } => vec![(
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )],
            Dist::JointNormal { mean, cov } => (0..mean.len())
                .map(|k| {
                    let s = cov[k][k].sqrt();
                    given(k, mean[k] - TAIL_SD * s, mean[k] + TAIL_SD * s)
                })
                .collect(),
            Dist::Scenarios { values, .. } => (0..self.fields.len())
                .map(|k| {
                    values
                        .iter()
                        .map(|r| r[k])
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)))
                })
                .collect(),
        }
    }

    /// The points the validator tries, each a value per field: the support's ends and an
    /// interior point that is not a whole number (so that a whole-number field is caught) for
    /// continuous distributions; every value or row for discrete ones.
    #[must_use]
    pub fn test_points(&self) -> Vec<(String, Vec<f64>)> {
        match &self.dist {
            Dist::Discrete { values, .. } => values.iter().map(|&v| (format!("the value {v}"), vec![v])).collect(),
            Dist::Scenarios { values, .. } => values
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("scenario row {i}"), r.clone()))
                .collect(),
            _ => {
                let s = self.support();
                // 1 − 1/φ: never a whole number between two whole-number ends.
                let inner = 0.381_966_011_250_105_1;
                vec![
                    ("the lower end of its support".into(), s.iter().map(|p| p.0).collect()),
                    ("the upper end of its support".into(), s.iter().map(|p| p.1).collect()),
                    (
                        "a point inside its support".into(),
                        s.iter().map(|p| p.0 + inner * (p.1 - p.0)).collect(),
                    ),
                ]
            }
        }
    }
}

impl Serialize for Uncertain {
    /// The canonical table: `field` and scalars for one field, `fields` and lists for several.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let one = self.is_univariate();
        if one {
            m.serialize_entry("field", &self.fields[0])?;
        } else {
            m.serialize_entry("fields", &self.fields)?;
        }
        m.serialize_entry("dist", self.dist_name())?;
        match &self.dist {
            Dist::Normal { mean, sd } => {
                m.serialize_entry("mean", mean)?;
                m.serialize_entry("sd", sd)?;
            }
            Dist::Lognormal { median, sigma } => {
                m.serialize_entry("median", median)?;
                m.serialize_entry("sigma", sigma)?;
            }
            Dist::Uniform => {}
            Dist::Triangular { mode } => m.serialize_entry("mode", mode)?,
            Dist::Discrete { values, weights } => {
                m.serialize_entry("values", values)?;
                m.serialize_entry("weights", weights)?;
            }
            Dist::JointNormal { mean, cov } => {
                m.serialize_entry("mean", mean)?;
                m.serialize_entry("cov", cov)?;
            }
            Dist::Scenarios { values, weights } => {
                m.serialize_entry("values", values)?;
                m.serialize_entry("weights", weights)?;
            }
        }
        for (key, b) in [("lower", &self.lower), ("upper", &self.upper)] {
            match b {
                Some(v) if one => m.serialize_entry(key, &v[0])?,
                Some(v) => m.serialize_entry(key, v)?,
                None => {}
            }
        }
        m.serialize_entry("group", &self.group)?;
        if !self.source.is_empty() {
            m.serialize_entry("source", &self.source)?;
        }
        m.end()
    }
}

const ANY: Range = Range::closed(f64::MIN, f64::MAX);

/// Reads one `[[uncertain]]` table.
pub fn read(t: &mut Table<'_, '_>) -> Uncertain {
    let fields = match (t.optional("field").is_some(), t.optional("fields").is_some()) {
        (true, false) => vec![t.string("field")],
        (false, true) => t.string_list("fields").unwrap_or_default(),
        (true, true) => {
            t.problem(
                "fields",
                "given with field",
                "give either field (one) or fields (several), not both",
            );
            Vec::new()
        }
        (false, false) => {
            t.problem(
                "field",
                "missing",
                "name the field whose value is uncertain (e.g. 'fx.drift_annual'), or fields for a joint distribution",
            );
            Vec::new()
        }
    };
    let k = fields.len();
    let kind = t.choice("dist", &DISTS);
    let joint = kind >= 5;
    if !fields.is_empty() && !joint && k != 1 {
        t.problem(
            "fields",
            format!("{k} fields"),
            "this distribution is over one field: give field",
        );
    }
    if fields.is_empty() && t.optional("fields").is_some() {
        t.problem("fields", "an empty list", "name at least one field");
    }
    let n = if joint { k } else { 1 };
    let bound = |t: &mut Table<'_, '_>, key: &'static str| -> Option<Vec<f64>> {
        match t.optional(key)? {
            Value::List(_) if joint => t.opt_f64_list(key, ANY, &[n]),
            Value::List(_) => {
                t.problem(key, "a list", "one field: give one number");
                None
            }
            _ if joint => {
                t.problem(key, "a number", format!("give a list of {n} numbers, one per field"));
                None
            }
            _ => t.opt_f64(key, ANY).map(|x| vec![x]),
        }
    };
    let lower = bound(t, "lower");
    let upper = bound(t, "upper");
    let weights = |t: &mut Table<'_, '_>, rows: usize| -> Vec<f64> {
        if t.optional("weights").is_none() {
            return vec![1.0; rows];
        }
        let w = t.f64_list("weights", Range::closed(0.0, f64::MAX), Some(rows));
        if w.len() == rows && w.iter().sum::<f64>() <= 0.0 {
            t.problem("weights", "all zero", "at least one weight must be positive");
        }
        w
    };
    let dist = match kind {
        0 => Dist::Normal {
            mean: t.f64("mean", ANY),
            sd: t.f64("sd", Range::above(0.0, f64::MAX)),
        },
        1 => Dist::Lognormal {
            median: t.f64("median", Range::above(0.0, f64::MAX)),
            sigma: t.f64("sigma", Range::above(0.0, 5.0)),
        },
        2 => Dist::Uniform,
        3 => Dist::Triangular {
            mode: t.f64("mode", ANY),
        },
        4 => {
            let values = t.f64_list("values", ANY, None);
            if values.is_empty() {
                t.problem("values", "an empty list", "give at least one value");
            }
            let weights = weights(t, values.len());
            Dist::Discrete { values, weights }
        }
        5 => {
            let mean = t.f64_list("mean", ANY, Some(n));
            let cov = t.matrix("cov", ANY, n);
            if cov.len() == n && mean.len() == n {
                check_cov(t, &cov);
            }
            Dist::JointNormal { mean, cov }
        }
        _ => {
            let rows = match t.optional("values") {
                Some(Value::List(r)) => r.len(),
                _ => 0,
            };
            if rows == 0 {
                t.problem(
                    "values",
                    "missing or empty",
                    "give one row of values (one per field) for each scenario",
                );
            }
            let values = t.grid("values", ANY, rows, n);
            let weights = weights(t, rows);
            Dist::Scenarios { values, weights }
        }
    };
    let needs_bounds = matches!(dist, Dist::Uniform | Dist::Triangular { .. });
    if needs_bounds && (lower.is_none() || upper.is_none()) {
        t.problem(
            "lower",
            "missing",
            "uniform and triangular distributions need lower and upper",
        );
    }
    if let (Some(lo), Some(hi)) = (&lower, &upper) {
        if lo.iter().zip(hi).any(|(a, b)| a >= b) {
            t.problem("upper", format!("{hi:?}"), format!("must be above lower ({lo:?})"));
        }
    }
    if let (Dist::Triangular { mode }, Some(lo), Some(hi)) = (&dist, &lower, &upper) {
        if !(lo[0]..=hi[0]).contains(mode) {
            t.problem("mode", mode.to_string(), "must lie between lower and upper");
        }
    }
    let group = match t.optional("group") {
        Some(_) => t.string("group"),
        None => fields.first().cloned().unwrap_or_default(),
    };
    if group.is_empty() && t.optional("group").is_some() {
        t.problem("group", "''", "a group needs a name");
    }
    let source = t.optional("source").map(|_| t.string("source")).unwrap_or_default();
    let u = Uncertain {
        fields,
        dist,
        lower,
        upper,
        group,
        source,
    };
    if matches!(
        u.dist,
        Dist::Normal { .. } | Dist::Lognormal { .. } | Dist::JointNormal { .. }
    ) && u.fields.len() == n
    {
        // A support narrower than a hair's breadth would leave the draws nowhere to go.
        if u.support()
            .iter()
            .any(|(a, b)| a.partial_cmp(b) != Some(std::cmp::Ordering::Less))
        {
            t.problem(
                "lower",
                "outside the distribution",
                "the bounds leave no room between them within 6 standard deviations of the centre",
            );
        }
    }
    u
}

/// The support of one declaration given as a table (for the Python side's summary).
///
/// # Errors
/// [`crate::error::GridRiskError::Scenario`] if the table is not a valid declaration.
pub fn support_of(v: &Value) -> crate::error::Result<Vec<(f64, f64)>> {
    let issues = Issues::default();
    let mut t = Table::root(v, &issues);
    let u = read(&mut t);
    t.finish();
    if issues.is_empty() {
        Ok(u.support())
    } else {
        Err(crate::error::GridRiskError::Scenario(issues.into_vec()))
    }
}

/// A covariance matrix: symmetric, positive diagonal, positive semi-definite.
fn check_cov(t: &Table<'_, '_>, cov: &[Vec<f64>]) {
    let n = cov.len();
    for i in 0..n {
        if cov[i][i].partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            t.problem(
                "cov",
                format!("cov[{i}][{i}] = {}", cov[i][i]),
                "variances must be positive",
            );
            return;
        }
        for j in 0..i {
            let tol = 1e-9 * (cov[i][i] * cov[j][j]).sqrt();
            if (cov[i][j] - cov[j][i]).abs() > tol {
                t.problem(
                    "cov",
                    format!("[{i}][{j}] = {}, [{j}][{i}] = {}", cov[i][j], cov[j][i]),
                    "must be symmetric",
                );
                return;
            }
        }
    }
    if crate::parameters::cholesky(cov).is_none() {
        t.problem(
            "cov",
            "not positive semi-definite",
            "a covariance matrix must be positive semi-definite",
        );
    }
}

/// One step of a dotted field name: a key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A table key.
    Key(String),
    /// A list position.
    Index(usize),
}

/// Splits `fleet[2].vom_usd_per_mwh` into its steps.
///
/// # Errors
/// A message saying what is malformed.
pub fn parse_field(name: &str) -> std::result::Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in name.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return Err(format!(
                "'{name}' is not a dotted field name (e.g. 'fx.drift_annual' or 'fleet[2].unit_mw')"
            ));
        }
        steps.push(Step::Key(key.to_owned()));
        while !rest.is_empty() {
            let close = rest.find(']').filter(|_| rest.starts_with('['));
            let Some(close) = close else {
                return Err(format!("'{name}': expected [index] after '{key}'"));
            };
            let i = rest[1..close]
                .parse::<usize>()
                .map_err(|_| format!("'{name}': '{}' is not a list index", &rest[1..close]))?;
            steps.push(Step::Index(i));
            rest = &rest[close + 1..];
        }
    }
    Ok(steps)
}

/// The value at `steps` in `doc`, if there is one (read only).
fn value_ref<'a>(doc: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(doc, |v, s| match (s, v) {
        (Step::Key(k), Value::Table(m)) => m.get(k),
        (Step::Index(i), Value::List(l)) => l.get(*i),
        _ => None,
    })
}

/// The value at `steps` in `doc`, if there is one.
pub fn value_at<'a>(doc: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let mut v = doc;
    for s in steps {
        v = match (s, v) {
            (Step::Key(k), Value::Table(m)) => m.get_mut(k)?,
            (Step::Index(i), Value::List(l)) => l.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// The value a distribution written in place of a field's value leaves there for point runs:
/// the mean of a normal, the median of a lognormal, the middle of a uniform, the mode of a
/// triangular, the most likely value of a discrete distribution (the first on ties). `None`
/// when the table does not say (the reader then reports what is missing).
fn central(m: &BTreeMap<String, Value>) -> Option<f64> {
    let num = |k: &str| match m.get(k) {
        Some(Value::Float(x)) => Some(*x),
        Some(Value::Int(i)) => Some(*i as f64),
        _ => None,
    };
    let clamp = |x: f64| {
        let x = num("lower").map_or(x, |lo| x.max(lo));
        num("upper").map_or(x, |hi| x.min(hi))
    };
    let list = |k: &str| match m.get(k) {
        Some(Value::List(l)) => l
            .iter()
            .map(|v| match v {
                Value::Float(x) => Some(*x),
                Value::Int(i) => Some(*i as f64),
                _ => None,
            })
            .collect::<Option<Vec<f64>>>(),
        _ => None,
    };
    match m.get("dist") {
        Some(Value::Str(d)) => match d.as_str() {
            "normal" => num("mean").map(clamp),
            "lognormal" => num("median").map(clamp),
            "uniform" => Some(0.5 * (num("lower")? + num("upper")?)),
            "triangular" => num("mode"),
            "discrete" => {
                let values = list("values")?;
                let weights = list("weights").unwrap_or_else(|| vec![1.0; values.len()]);
                let mut best = 0;
                for (i, w) in weights.iter().enumerate().take(values.len()) {
                    if *w > weights[best] {
                        best = i;
                    }
                }
                values.get(best).copied()
            }
            _ => None,
        },
        _ => None,
    }
}

/// The document with every distribution written in place of a number (a table with a `dist`
/// key) replaced by its central value and declared, with its field's name, at the end of the
/// `uncertain` list. Only one-field distributions can stand in place; joint ones are declared
/// in `[[uncertain]]`. `None` for documents without such tables (most: no copy is made).
#[must_use]
pub fn inline(doc: &Value) -> Option<Value> {
    fn any(v: &Value) -> bool {
        match v {
            Value::Table(m) => matches!(m.get("dist"), Some(Value::Str(_))) || m.values().any(any),
            Value::List(l) => l.iter().any(any),
            _ => false,
        }
    }
    let Value::Table(root) = doc else { return None };
    if !root.iter().any(|(k, v)| k != "uncertain" && any(v)) {
        return None;
    }
    let mut found = Vec::new();
    let mut out = doc.clone();
    if let Value::Table(root) = &mut out {
        for (k, v) in root.iter_mut() {
            if k != "uncertain" {
                walk(v, k.clone(), &mut found);
            }
        }
        if !found.is_empty() {
            let list = root
                .entry("uncertain".to_owned())
                .or_insert_with(|| Value::List(Vec::new()));
            if let Value::List(l) = list {
                l.extend(found);
            }
        }
    }
    Some(out)
}

fn walk(v: &mut Value, path: String, found: &mut Vec<Value>) {
    match v {
        Value::Table(m) if matches!(m.get("dist"), Some(Value::Str(_))) => {
            let mut decl = m.clone();
            decl.insert("field".to_owned(), Value::Str(path));
            if let Some(c) = central(m) {
                *v = Value::Float(c);
            }
            found.push(Value::Table(decl));
        }
        Value::Table(m) => {
            for (k, x) in m.iter_mut() {
                walk(x, format!("{path}.{k}"), found);
            }
        }
        Value::List(l) => {
            for (i, x) in l.iter_mut().enumerate() {
                walk(x, format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// Checks, for each declaration, that its fields exist and hold numbers, that no field is
/// declared twice, and that the scenario is valid with the fields at every test point of their
/// distribution (and with all fields at their lower, then upper ends together; every corner of
/// the joint support when there are at most [`MAX_CORNER_FIELDS`] fields). Ranges of single
/// fields are intervals, so the ends prove every value between them; relations between fields
/// are proved at the corners they are tried at, and a path whose draws still break one stops the
/// run with the path and the values named.
pub fn check(doc: &Value, decls: &[Uncertain], issues: &Issues, validate: impl Fn(&Value) -> Vec<crate::error::Issue>) {
    let mut seen: Vec<&str> = Vec::new();
    let mut ok = true;
    let mut steps = Vec::new();
    for (i, u) in decls.iter().enumerate() {
        for f in &u.fields {
            let at = format!("uncertain[{i}]");
            if seen.contains(&f.as_str()) {
                issues.push(&at, format!("'{f}'"), "this field already has a distribution");
                ok = false;
                continue;
            }
            seen.push(f);
            match parse_field(f) {
                Err(msg) => {
                    issues.push(&at, format!("'{f}'"), msg);
                    ok = false;
                }
                Ok(s) => match value_ref(doc, &s) {
                    Some(Value::Float(_) | Value::Int(_)) => steps.push(s),
                    Some(other) => {
                        issues.push(
                            &at,
                            format!("'{f}'"),
                            format!(
                                "is a {}, not a number: only numeric fields can be uncertain",
                                other.kind()
                            ),
                        );
                        ok = false;
                    }
                    None => {
                        issues.push(&at, format!("'{f}'"), "no such field in the scenario (an optional field left out must be given a value first, e.g. fx.drift_annual)");
                        ok = false;
                    }
                },
            }
        }
    }
    if !ok {
        return;
    }
    let set = |values: &[(usize, f64)]| -> Value {
        let mut d = doc.clone();
        for &(k, x) in values {
            if let Some(v) = value_at(&mut d, &steps[k]) {
                *v = Value::Float(x);
            }
        }
        d
    };
    let report = |at: String, what: String, values: &[(usize, f64)], found: Vec<crate::error::Issue>| {
        let shown = values
            .iter()
            .map(|&(k, x)| format!("{} = {x}", seen[k]))
            .collect::<Vec<_>>()
            .join(", ");
        for p in found {
            issues.push(
                &at,
                format!("{what} ({shown})"),
                format!("makes the scenario invalid: {}: {}", p.field, p.message),
            );
        }
    };
    let mut first = 0;
    let mut ends: Vec<(f64, f64)> = Vec::new();
    for (i, u) in decls.iter().enumerate() {
        let idx: Vec<usize> = (first..first + u.fields.len()).collect();
        for (what, point) in u.test_points() {
            let values: Vec<(usize, f64)> = idx.iter().copied().zip(point).collect();
            let found = validate(&set(&values));
            if !found.is_empty() {
                report(format!("uncertain[{i}]"), what, &values, found);
                ok = false;
            }
        }
        ends.extend(u.support());
        first += u.fields.len();
    }
    if !ok || ends.len() < 2 {
        return;
    }
    let corners: Vec<u64> = if ends.len() <= MAX_CORNER_FIELDS {
        (0..1u64 << ends.len()).collect()
    } else {
        vec![0, (1u64 << ends.len().min(63)) - 1]
    };
    for c in corners {
        let values: Vec<(usize, f64)> = ends
            .iter()
            .enumerate()
            .map(|(k, &(lo, hi))| (k, if c >> k & 1 == 1 { hi } else { lo }))
            .collect();
        let found = validate(&set(&values));
        if !found.is_empty() {
            report(
                "uncertain".into(),
                "a corner of the joint support".into(),
                &values,
                found,
            );
            return;
        }
    }
}

/// Up to this many uncertain fields, every corner of their joint support is validated.
pub const MAX_CORNER_FIELDS: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_parse_into_keys_and_indices() {
        assert_eq!(
            parse_field("fleet[2].fuel_limit.energy_gwh_per_month[11]").unwrap(),
            vec![
                Step::Key("fleet".into()),
                Step::Index(2),
                Step::Key("fuel_limit".into()),
                Step::Key("energy_gwh_per_month".into()),
                Step::Index(11)
            ]
        );
        assert!(parse_field("fx..drift").is_err());
        assert!(parse_field("fleet[x].unit_mw").is_err());
        assert!(parse_field("fleet[1.unit_mw").is_err());
    }

    #[test]
    fn a_distribution_in_place_of_a_value_becomes_a_declaration_and_its_centre() {
        let doc: toml::Table = "[fx]\ndrift_annual = { dist = 'uniform', lower = 0.02, upper = 0.08 }\nvol = 1\n"
            .parse()
            .unwrap();
        let v = inline(&Value::from_toml(toml::Value::Table(doc))).unwrap();
        let Value::Table(root) = &v else { panic!() };
        let Value::Table(fx) = &root["fx"] else { panic!() };
        assert_eq!(fx["drift_annual"], Value::Float(0.05));
        let Value::List(l) = &root["uncertain"] else { panic!() };
        let Value::Table(d) = &l[0] else { panic!() };
        assert_eq!(d["field"], Value::Str("fx.drift_annual".into()));
    }

    #[test]
    fn supports_truncate_tails_and_respect_bounds() {
        let u = Uncertain {
            fields: vec!["a".into()],
            dist: Dist::Normal { mean: 1.0, sd: 0.1 },
            lower: Some(vec![0.9]),
            upper: None,
            ..Uncertain::default()
        };
        let s = u.support()[0];
        assert!((s.0 - 0.9).abs() < 1e-12 && (s.1 - 1.6).abs() < 1e-12);
    }
}
