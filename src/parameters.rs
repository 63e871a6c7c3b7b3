//! Parameter uncertainty on a path: each path draws the values of the scenario's uncertain
//! fields (`[[uncertain]]`, read in [`crate::scenario::uncertain`]) and runs the scenario with
//! them.
//!
//! Draws are by inversion, one uniform per field (a whole row for weighted scenarios), from a
//! generator of their own: declaration `e` of group `g` on path `p` reads
//! `rng::stream(mix64(seed_g ^ key_e), p, Stream::Params)`, where `key_e` hashes the
//! declaration's field names and `seed_g` is the run's parameter seed unless the run gives the
//! group its own (a sensitivity analysis does, to vary one group and freeze the others). So a
//! path's parameters never depend on threads, chunks or workers; two scenarios that declare the
//! same field alike draw the same values on every path (common random numbers in comparisons),
//! whatever else either declares; and the drivers' streams are untouched.
//!
//! A path's scenario is the point scenario with the drawn values written in and read again by
//! the validator, so it is checked like any other; its model takes over the point model's
//! outage tables when the units are unchanged.

use crate::error::{GridRiskError, Issue, Result};
use crate::rng::{self, Seeds, Stream};
use crate::scenario::uncertain::{self, Dist, Step, Uncertain};
use crate::scenario::{Scenario, Unchanged, Value};
use rand::Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// How one declaration is drawn.
#[derive(Debug, Clone)]
enum Sampler {
    /// `lo + sd·Φ⁻¹(Φ(a) + u (Φ(b) − Φ(a)))`, in logs for a lognormal.
    Normal {
        mean: f64,
        sd: f64,
        pa: f64,
        pb: f64,
        log: bool,
    },
    Uniform {
        lo: f64,
        hi: f64,
    },
    Triangular {
        lo: f64,
        mode: f64,
        hi: f64,
    },
    /// Rows of values and their cumulative probabilities.
    Rows {
        rows: Vec<Vec<f64>>,
        cum: Vec<f64>,
    },
    /// `mean + L z`, clipped to the support.
    Joint {
        mean: Vec<f64>,
        chol: Vec<Vec<f64>>,
        support: Vec<(f64, f64)>,
    },
}

#[derive(Debug, Clone)]
struct Entry {
    /// Index of the declaration's first field in [`Parameters::names`].
    first: usize,
    width: usize,
    group: String,
    key: u64,
    sampler: Sampler,
}

/// The uncertain fields of a scenario and how each path draws them.
#[derive(Debug, Clone)]
pub struct Parameters {
    /// The scenario with its point values and without its `uncertain` list.
    point: Value,
    /// Where each field is in `point`.
    steps: Vec<Vec<Step>>,
    /// Runs `a..b` of fields, in order, that are entries of one list (a monthly schedule): a
    /// path finds the list once for all of them.
    runs: Vec<(usize, usize)>,
    names: Vec<String>,
    groups: Vec<String>,
    entries: Vec<Entry>,
    /// The scenario `point` reads as, and the top-level keys draws are written under (a path's
    /// scenario reads only those sections again), when `point` is valid and holds no
    /// distribution in place of a number (draws write numbers, so a path's document holds none
    /// either); with the fleet entries draws are written in, when all under `fleet` are.
    near: Option<(Scenario, Vec<String>, Option<Vec<usize>>)>,
}

fn std_normal() -> Normal {
    Normal::standard()
}

/// The lower Cholesky factor of a positive semi-definite matrix (a zero column where a pivot
/// vanishes), or `None` when a pivot is negative beyond rounding.
#[must_use]
pub fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let scale = (0..n).map(|i| m[i][i].abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mut l = vec![vec![0.0; n]; n];
    for j in 0..n {
        let d = m[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if d < -1e-10 * scale {
            return None;
        }
        let d = d.max(0.0).sqrt();
        l[j][j] = d;
        for i in j + 1..n {
            let s = m[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = if d > 0.0 { s / d } else { 0.0 };
        }
    }
    Some(l)
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect()
}

impl Sampler {
    fn of(u: &Uncertain) -> Self {
        let support = u.support();
        let (lo, hi) = support[0];
        let phi = |x: f64| std_normal().cdf(x);
        match &u.dist {
            Dist::Normal { mean, sd } => Sampler::Normal {
                mean: *mean,
                sd: *sd,
                pa: phi((lo - mean) / sd),
                pb: phi((hi - mean) / sd),
                log: false,
            },
            Dist::Lognormal { median, sigma } => {
                let mu = median.ln();
                Sampler::Normal {
                    mean: mu,
                    sd: *sigma,
                    pa: phi((lo.ln() - mu) / sigma),
                    pb: phi((hi.ln() - mu) / sigma),
                    log: true,
                }
            }
            Dist::Uniform => Sampler::Uniform { lo, hi },
            Dist::Triangular { mode } => Sampler::Triangular { lo, mode: *mode, hi },
            Dist::Discrete { values, weights } => Sampler::Rows {
                rows: values.iter().map(|&v| vec![v]).collect(),
                cum: cumulative(weights),
            },
            Dist::Scenarios { values, weights } => Sampler::Rows {
                rows: values.clone(),
                cum: cumulative(weights),
            },
            Dist::JointNormal { mean, cov } => Sampler::Joint {
                mean: mean.clone(),
                chol: cholesky(cov).unwrap_or_else(|| vec![vec![0.0; mean.len()]; mean.len()]),
                support,
            },
        }
    }

    /// Writes the draw of uniforms `u` (one per field; one in all for rows) into `out`.
    fn draw(&self, u: &[f64], out: &mut [f64]) {
        match self {
            Sampler::Normal { mean, sd, pa, pb, log } => {
                let p = (pa + u[0] * (pb - pa)).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
                let x = mean + sd * std_normal().inverse_cdf(p);
                out[0] = if *log { x.exp() } else { x };
            }
            Sampler::Uniform { lo, hi } => out[0] = lo + u[0] * (hi - lo),
            Sampler::Triangular { lo, mode, hi } => {
                let f = (mode - lo) / (hi - lo);
                out[0] = if u[0] < f {
                    lo + (u[0] * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u[0]) * (hi - lo) * (hi - mode)).sqrt()
                };
            }
            Sampler::Rows { rows, cum } => {
                let i = cum.iter().position(|&c| u[0] < c).unwrap_or(rows.len() - 1);
                out.copy_from_slice(&rows[i]);
            }
            Sampler::Joint { mean, chol, support } => {
                let z: Vec<f64> = u
                    .iter()
                    .map(|&p| std_normal().inverse_cdf(p.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON)))
                    .collect();
                for (i, o) in out.iter_mut().enumerate() {
                    let x = mean[i] + (0..=i).map(|k| chol[i][k] * z[k]).sum::<f64>();
                    *o = x.clamp(support[i].0, support[i].1);
                }
            }
        }
    }

    /// Uniforms a draw reads.
    fn uniforms(&self, width: usize) -> usize {
        match self {
            Sampler::Rows { .. } => 1,
            _ => width,
        }
    }
}

impl Parameters {
    /// The uncertain fields of a validated scenario; `None` when it declares none.
    #[must_use]
    pub fn of(sc: &Scenario) -> Option<Self> {
        if sc.uncertain.is_empty() {
            return None;
        }
        let point = crate::scenario::point_document(&Value::from_toml(sc.to_toml_value()));
        let mut names = Vec::new();
        let mut entries = Vec::new();
        for u in &sc.uncertain {
            entries.push(Entry {
                first: names.len(),
                width: u.fields.len(),
                group: u.group.clone(),
                key: rng::fnv1a(u.fields.join("\u{1f}").as_bytes(), rng::FNV_OFFSET),
                sampler: Sampler::of(u),
            });
            names.extend(u.fields.iter().cloned());
        }
        let steps: Vec<Vec<Step>> = names
            .iter()
            .map(|n| uncertain::parse_field(n).expect("validated field names parse"))
            .collect();
        /// The list a field is an entry of, if it is one.
        fn list_of(s: &[Step]) -> Option<&[Step]> {
            match s.split_last() {
                Some((Step::Index(_), list)) => Some(list),
                _ => None,
            }
        }
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (k, s) in steps.iter().enumerate() {
            let list = list_of(s);
            match runs.last_mut() {
                Some((a, b)) if list.is_some() && list == list_of(&steps[*a]) => *b = k + 1,
                _ => runs.push((k, k + 1)),
            }
        }
        let mut groups: Vec<String> = Vec::new();
        for e in &entries {
            if !groups.contains(&e.group) {
                groups.push(e.group.clone());
            }
        }
        let near = uncertain::inline(&point)
            .is_none()
            .then(|| Scenario::from_value(&point).ok())
            .flatten()
            .map(|sc| {
                let mut changed: Vec<String> = Vec::new();
                let mut fleet = Some(Vec::new());
                for s in &steps {
                    let Some(Step::Key(k)) = s.first() else {
                        continue;
                    };
                    if !changed.contains(k) {
                        changed.push(k.clone());
                    }
                    if k == "fleet" {
                        match (s.get(1), &mut fleet) {
                            (Some(Step::Index(i)), Some(f)) if !f.contains(i) => f.push(*i),
                            (Some(Step::Index(_)), _) => {}
                            _ => fleet = None,
                        }
                    }
                }
                if let Some(f) = &mut fleet {
                    f.sort_unstable();
                }
                (sc, changed, fleet)
            });
        Some(Self {
            point,
            steps,
            runs,
            names,
            groups,
            entries,
            near,
        })
    }

    /// The uncertain fields, in declaration order.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The groups, in order of first declaration.
    #[must_use]
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The scenario's point document (a worker's copy to write draws into).
    #[must_use]
    pub fn point(&self) -> Value {
        self.point.clone()
    }

    /// Draws path `path`'s values into `out` (one per field). `group_seeds` gives groups their
    /// own seeds (others use `seeds[Stream::Params]`). With `antithetic`, the odd path of a pair
    /// reads its partner's uniforms reflected (`1 − u`).
    pub fn draw(&self, seeds: &Seeds, group_seeds: &[(String, u64)], path: u64, antithetic: bool, out: &mut [f64]) {
        let (stream_path, reflect) = if antithetic && path % 2 == 1 {
            (path - 1, true)
        } else {
            (path, false)
        };
        let mut u = Vec::new();
        for e in &self.entries {
            let seed = group_seeds
                .iter()
                .find(|(g, _)| *g == e.group)
                .map_or(seeds[Stream::Params as usize], |&(_, s)| s);
            let mut r = rng::stream(rng::mix64(seed ^ e.key), stream_path, Stream::Params);
            u.clear();
            for _ in 0..e.sampler.uniforms(e.width) {
                // (0, 1) exclusive at both ends: the top 53 bits, centred in their interval.
                let x = ((r.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
                u.push(if reflect { 1.0 - x } else { x });
            }
            e.sampler.draw(&u, &mut out[e.first..e.first + e.width]);
        }
    }

    /// The scenario of one path: `values` written into `doc` (a copy of [`Parameters::point`]
    /// that keeps them until the next path writes its own, and that nothing else writes to:
    /// only the sections draws are written under are read again) and validated.
    ///
    /// # Errors
    /// [`GridRiskError::Scenario`] naming the path and its values if they break a relation the
    /// validator could not try in advance.
    pub fn scenario(&self, path: u64, values: &[f64], doc: &mut Value) -> Result<Scenario> {
        for &(a, b) in &self.runs {
            let steps = &self.steps[a];
            if b == a + 1 {
                if let Some(v) = uncertain::value_at(doc, steps) {
                    *v = Value::Float(values[a]);
                }
            } else if let Some(Value::List(items)) = uncertain::value_at(doc, &steps[..steps.len() - 1]) {
                for (s, &x) in self.steps[a..b].iter().zip(&values[a..b]) {
                    if let Some(Step::Index(i)) = s.last()
                        && let Some(v) = items.get_mut(*i)
                    {
                        *v = Value::Float(x);
                    }
                }
            }
        }
        let read = match &self.near {
            Some((scenario, changed, fleet)) => Scenario::from_value_near(
                doc,
                &Unchanged {
                    scenario,
                    changed,
                    fleet: fleet.as_deref(),
                },
            ),
            None => Scenario::from_value(doc),
        };
        read.map_err(|e| match e {
            GridRiskError::Scenario(found) => {
                let drawn = self
                    .names
                    .iter()
                    .zip(values)
                    .map(|(n, x)| format!("{n} = {x}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                GridRiskError::Scenario(
                    found
                        .into_iter()
                        .map(|i| Issue {
                            field: i.field,
                            value: format!("{} (path {path}, drawn {drawn})", i.value),
                            message: format!(
                                "{}; the uncertain parameters' joint draw breaks this rule: narrow their bounds",
                                i.message
                            ),
                        })
                        .collect(),
                )
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampler(dist: Dist, lower: Option<f64>, upper: Option<f64>) -> Sampler {
        Sampler::of(&Uncertain {
            fields: vec!["x".into()],
            dist,
            lower: lower.map(|x| vec![x]),
            upper: upper.map(|x| vec![x]),
            ..Uncertain::default()
        })
    }

    fn quantile(s: &Sampler, u: f64) -> f64 {
        let mut out = [0.0];
        s.draw(&[u], &mut out);
        out[0]
    }

    #[test]
    fn inversion_gives_each_distributions_quantiles() {
        let n = sampler(Dist::Normal { mean: 1.0, sd: 2.0 }, None, None);
        assert!((quantile(&n, 0.5) - 1.0).abs() < 1e-9);
        assert!((quantile(&n, 0.975) - (1.0 + 2.0 * 1.959_963_984_540_054)).abs() < 1e-6);
        let ln = sampler(
            Dist::Lognormal {
                median: 2.0,
                sigma: 0.5,
            },
            None,
            None,
        );
        assert!((quantile(&ln, 0.5) - 2.0).abs() < 1e-9);
        let tri = sampler(Dist::Triangular { mode: 1.0 }, Some(0.0), Some(4.0));
        // F(mode) = (mode − a)/(b − a) = 0.25.
        assert!((quantile(&tri, 0.25) - 1.0).abs() < 1e-12);
        let d = sampler(
            Dist::Discrete {
                values: vec![10.0, 20.0],
                weights: vec![3.0, 1.0],
            },
            None,
            None,
        );
        assert_eq!((quantile(&d, 0.74), quantile(&d, 0.76)), (10.0, 20.0));
    }

    #[test]
    fn truncation_keeps_draws_inside_the_bounds() {
        let n = sampler(Dist::Normal { mean: 0.0, sd: 1.0 }, Some(0.5), Some(1.0));
        for u in [1e-12, 0.3, 0.999_999] {
            let x = quantile(&n, u);
            assert!((0.5..=1.0).contains(&x), "{x}");
        }
    }

    #[test]
    fn joint_draws_follow_the_covariance() {
        let j = Sampler::Joint {
            mean: vec![0.0, 0.0],
            chol: cholesky(&[vec![4.0, 2.0], vec![2.0, 2.0]]).unwrap(),
            support: vec![(-1e9, 1e9); 2],
        };
        let (mut sxx, mut sxy, n) = (0.0, 0.0, 20_000);
        let mut r = rng::stream(1, 0, Stream::Params);
        for _ in 0..n {
            let u: Vec<f64> = (0..2)
                .map(|_| ((r.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64)
                .collect();
            let mut o = [0.0; 2];
            j.draw(&u, &mut o);
            sxx += o[0] * o[0];
            sxy += o[0] * o[1];
        }
        assert!((sxx / f64::from(n) - 4.0).abs() < 0.15);
        assert!((sxy / f64::from(n) - 2.0).abs() < 0.1);
    }

    #[test]
    fn a_path_reading_only_its_changed_sections_gets_the_same_scenario_or_problems() {
        let sc = Scenario::from_toml_str(include_str!("../python/gridrisk/presets/pakistan-2000mw.toml")).unwrap();
        let near = Parameters::of(&sc).unwrap();
        assert!(near.near.is_some());
        let whole = Parameters {
            near: None,
            ..near.clone()
        };
        let seeds = rng::uniform(1);
        let mut values = vec![0.0; near.names().len()];
        let (mut a, mut b) = (near.point(), whole.point());
        // The fuel schedule's twelve months are written through their list found once.
        assert!(near.runs.iter().any(|&(a, b)| b - a == 12), "{:?}", near.runs);
        for path in 0..20 {
            near.draw(&seeds, &[], path, false, &mut values);
            assert_eq!(
                near.scenario(path, &values, &mut a).unwrap(),
                whole.scenario(path, &values, &mut b).unwrap()
            );
            let mut one_by_one = near.point();
            for (s, &x) in near.steps.iter().zip(&values) {
                *uncertain::value_at(&mut one_by_one, s).unwrap() = Value::Float(x);
            }
            assert_eq!(a, one_by_one);
        }
        let problems = |r: Result<Scenario>| format!("{:?}", r.unwrap_err());
        assert_eq!(near.near.as_ref().unwrap().2.as_deref(), Some(&[4, 6][..]));
        for (field, bad) in [
            ("economy.inflation_annual", 3.0),
            ("fleet[4].vom_usd_per_mwh", -1.0),
            ("fleet[6].fuel_limit.energy_gwh_per_month[3]", -5.0),
            ("fleet[6].fuel_limit.energy_gwh_per_month[11]", f64::NAN),
        ] {
            let mut v = values.clone();
            v[near.names().iter().position(|n| n == field).unwrap()] = bad;
            let found = problems(near.scenario(7, &v, &mut a));
            assert!(found.contains(field), "{found}");
            assert_eq!(found, problems(whole.scenario(7, &v, &mut b)));
        }
        // Problems in several entries come in the order of the list, as a whole read finds them.
        let mut v = values.clone();
        for (field, bad) in [
            ("fleet[6].fuel_limit.energy_gwh_per_month[0]", -5.0),
            ("fleet[4].vom_usd_per_mwh", -1.0),
        ] {
            v[near.names().iter().position(|n| n == field).unwrap()] = bad;
        }
        let found = problems(near.scenario(7, &v, &mut a));
        assert!(found.find("fleet[4]") < found.find("fleet[6]"), "{found}");
        assert_eq!(found, problems(whole.scenario(7, &v, &mut b)));
    }

    #[test]
    fn cholesky_refuses_indefinite_matrices() {
        assert!(cholesky(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
        assert!(cholesky(&[vec![1.0, 1.0], vec![1.0, 1.0]]).is_some());
    }
}
