//! Feeder classes and the rules that shed them: latent demand, declared schedules of hours a
//! day, and revenue-based ("economic") load-shedding.
//!
//! The existing load the system faces is latent demand, `latent_b = load_b · (1 + s_m)`: the
//! demand driver's served load plus what consumers would draw if not shed (`s_m` by calendar
//! month). It is split into feeder classes `k` (share `σ_k`, loss `λ_k`, recovery `ρ_k`):
//!
//! - `"schedule"`: the class is shed `H_k` hours a day (by calendar month), in the day's hours of highest load
//!   (whole blocks, then a fraction of the next); in each group of 24 consecutive blocks (the
//!   representative day, or each day of an hourly month).
//! - `"economic"`: the class is shed in a block where what the system recovers from its kWh,
//!   `v_k = (1 - λ_k) ρ_k τ`, is below the marginal cost of serving it. Classes are served in
//!   decreasing order of `v_k` after the firm load `F_b` (the other classes, and the new loads
//!   when present): class `k` gets `clamp(T_k,b - F_b - X_k,b, 0, σ_k latent_b)`, where `X_k,b`
//!   is the latent load of the economic classes of higher value and `T_k,b` the top of the
//!   merit order's slices that cost at most `v_k` in block `b` (must-run slices always count;
//!   `+∞` when every slice does). So a class is served exactly where the marginal cost of the
//!   load it adds is at most its value, and the new loads, by raising `F`, push classes over
//!   the threshold MW for MW. The tariff `τ` follows the consumer price index from its first
//!   month's value. A declared cap of `H_k` hours a day limits the rule to the day's `H_k` hours
//!   of highest load (as a schedule would pick them): elsewhere the class is served. A declared
//!   schedule of `h_k ≤ H_k` hours is a floor: in each block the class loses the larger of the
//!   schedule's share and the rule's.
//! - `"none"`: never shed by a rule (only by the network and capacity shortfalls).
//!
//! Each rule is a deterministic comparison in every block: no Monte Carlo noise is added.

use super::Block;
use super::dispatch::{dot, dots};
use crate::float::{clamp, max};
use crate::scenario::shedding::{FeederClass, Shedding};

/// A feeder class's rule, as the block computation needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    None,
    Economic,
    Schedule,
}

/// The feeder classes of a scenario, with their schedules laid out per month and block.
#[derive(Debug, Clone)]
pub struct Feeders {
    suppressed: [f64; 12],
    tariff_pkr_per_mwh: f64,
    shares: Vec<f64>,
    recovered: Vec<f64>,
    rules: Vec<Rule>,
    /// The economic classes, by decreasing recovered share (ties: declaration order).
    economic: Vec<usize>,
    /// Share of each class shed by its schedule, `[month][class][block]` (zeros for classes
    /// without a schedule).
    scheduled: Vec<Vec<Vec<f64>>>,
    /// Share of each economic class's shedding the cap of hours allows, `[month][class][block]`
    /// (ones without a cap).
    allowed: Vec<Vec<Vec<f64>>>,
    /// Share of the whole existing load shed by the schedules (and the economic classes'
    /// scheduled floors), `[month][block]`.
    scheduled_share: Vec<Vec<f64>>,
}

/// One case's (without or with the new loads) rules in every block of a month.
#[derive(Debug, Clone, Default)]
pub struct RuleOutcome {
    /// Load served to each class after the rules, `[class][block]`, MW.
    pub served: Vec<Vec<f64>>,
    /// Load each class loses to its rule (schedule or economic), `[class][block]`, MW.
    pub shed: Vec<Vec<f64>>,
    /// Total load served after the rules, by block, MW.
    pub served_total: Vec<f64>,
    /// Total load shed by the rules, by block, MW.
    pub shed_total: Vec<f64>,
    /// Working memory: the economic classes' latent load above the one being served.
    shed_above: Vec<f64>,
    /// Each class's energy shed by its rule over the month, `Σ_b hours_b · shed_k,b`, MWh.
    pub class_mwh: Vec<f64>,
    /// Each class's rule-shed hours per MW of the existing latent load,
    /// `Σ_b hours_b · shed_k,b / latent_b` (divide by the class's share for its hours).
    pub class_latent_hours: Vec<f64>,
}

impl RuleOutcome {
    /// Class `k`'s outcome over the first `n` blocks as `from` has it.
    fn copy_class(&mut self, from: &RuleOutcome, k: usize, n: usize) {
        self.served[k][..n].copy_from_slice(&from.served[k][..n]);
        self.shed[k][..n].copy_from_slice(&from.shed[k][..n]);
        self.class_mwh[k] = from.class_mwh[k];
        self.class_latent_hours[k] = from.class_latent_hours[k];
    }
}

impl Feeders {
    /// The feeder classes of `sh` (one class holding all the load when none is declared) over
    /// the blocks of every month.
    #[must_use]
    pub fn new(sh: &Shedding, blocks: &[Vec<Block>]) -> Self {
        let all = [FeederClass {
            name: "all".into(),
            load_share: 1.0,
            loss_rate: 0.0,
            recovery_rate: 1.0,
            rule: "none".into(),
            hours_per_day: None,
            max_hours_per_day: None,
        }];
        let classes = if sh.feeder_class.is_empty() {
            &all[..]
        } else {
            &sh.feeder_class[..]
        };
        let rules: Vec<Rule> = classes
            .iter()
            .map(|c| match c.rule.as_str() {
                "economic" => Rule::Economic,
                "schedule" => Rule::Schedule,
                _ => Rule::None,
            })
            .collect();
        let recovered: Vec<f64> = classes.iter().map(FeederClass::recovered_share).collect();
        let mut economic: Vec<usize> = (0..classes.len()).filter(|&k| rules[k] == Rule::Economic).collect();
        economic.sort_by(|&a, &b| recovered[b].total_cmp(&recovered[a]).then(a.cmp(&b)));
        // Each simulated month takes its calendar month's hours; a class without the field gets
        // `absent` in every block.
        let by_month = |hours: fn(&FeederClass) -> &Option<[f64; 12]>, absent: f64| -> Vec<Vec<Vec<f64>>> {
            blocks
                .iter()
                .map(|month| {
                    let m = month_of_year(month);
                    classes
                        .iter()
                        .map(|c| match hours(c) {
                            Some(h) => schedule_shares(month, h[m]),
                            None => vec![absent; month.len()],
                        })
                        .collect()
                })
                .collect()
        };
        let scheduled = by_month(|c| &c.hours_per_day, 0.0);
        let allowed = by_month(|c| &c.max_hours_per_day, 1.0);
        let shares: Vec<f64> = classes.iter().map(|c| c.load_share).collect();
        let scheduled_share = scheduled
            .iter()
            .map(|month: &Vec<Vec<f64>>| {
                (0..month.first().map_or(0, Vec::len))
                    .map(|b| month.iter().zip(&shares).map(|(f, s)| s * f[b]).sum())
                    .collect()
            })
            .collect();
        Self {
            allowed,
            scheduled_share,
            suppressed: sh.suppressed_share,
            tariff_pkr_per_mwh: sh.tariff_pkr_per_kwh * 1000.0,
            shares,
            recovered,
            rules,
            economic,
            scheduled,
        }
    }

    /// Number of classes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shares.len()
    }

    /// Whether there are no classes (never: at least the implicit one).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.shares.is_empty()
    }

    /// Whether any class is shed by a rule (schedule or economic).
    #[must_use]
    pub fn has_rules(&self) -> bool {
        self.rules.iter().any(|&r| r != Rule::None)
    }

    /// Latent demand per MW of served demand in calendar month `month_of_year` (0 = January).
    #[must_use]
    pub fn latent_factor(&self, month_of_year: usize) -> f64 {
        1.0 + self.suppressed[month_of_year]
    }

    /// The economic classes, by decreasing value.
    #[must_use]
    pub fn economic(&self) -> &[usize] {
        &self.economic
    }

    /// What the system recovers per MWh delivered to class `k` at the price level `cpi`, PKR.
    #[must_use]
    pub fn value_pkr_per_mwh(&self, k: usize, cpi: f64) -> f64 {
        self.recovered[k] * self.tariff_pkr_per_mwh * cpi
    }

    /// Share of the existing load shed by the schedules in each block of month `t`.
    #[must_use]
    pub fn scheduled_share(&self, t: usize) -> &[f64] {
        &self.scheduled_share[t]
    }

    /// Class `k`'s share of the existing load.
    #[must_use]
    pub fn share(&self, k: usize) -> f64 {
        self.shares[k]
    }

    /// The rules of month `t`: `latent` the existing latent load by block, `tops[i][b]` the
    /// threshold `T` of the `i`-th economic class (in [`Feeders::economic`] order), `firm_extra`
    /// the new loads' MW served ahead of the economic classes.
    /// `hours` and `hours_per_latent` (`hours_b / latent_b`, zero where the latent load is)
    /// weight each class's monthly sums.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &self,
        t: usize,
        latent: &[f64],
        hours: &[f64],
        hours_per_latent: &[f64],
        tops: &[Vec<f64>],
        firm_extra: f64,
        out: &mut RuleOutcome,
    ) {
        let extra = vec![firm_extra; latent.len()];
        self.apply_cases(t, latent, hours, hours_per_latent, tops, [&extra], [out]);
    }

    /// [`Feeders::apply`] for several cases at once (e.g. without and with the new loads),
    /// which differ only in `firm_extra`, here by block (the new loads' MW need not be flat
    /// when the miners give peak relief): one pass over the classes and blocks reads the shared
    /// inputs once. Each case's figures are exactly those of its own [`Feeders::apply`].
    #[allow(clippy::too_many_arguments)]
    pub fn apply_cases<const N: usize>(
        &self,
        t: usize,
        latent: &[f64],
        hours: &[f64],
        hours_per_latent: &[f64],
        tops: &[Vec<f64>],
        firm_extra: [&[f64]; N],
        mut outs: [&mut RuleOutcome; N],
    ) {
        let (n, k_n) = (latent.len(), self.len());
        let (hours, hours_per_latent) = (&hours[..n], &hours_per_latent[..n]);
        // Every array below is overwritten whole, so it is sized, never cleared.
        for out in &mut outs {
            out.class_mwh.resize(k_n, 0.0);
            out.class_latent_hours.resize(k_n, 0.0);
            out.served.resize_with(k_n, Vec::new);
            out.shed.resize_with(k_n, Vec::new);
            for v in out.served.iter_mut().chain(out.shed.iter_mut()) {
                v.resize(n, 0.0);
            }
            out.shed_total.resize(n, 0.0);
            out.served_total.resize(n, 0.0);
        }
        // The schedules do not depend on the case: computed once, copied to each. The rule
        // total is summed in class order, so each block's arithmetic is that of a
        // block-by-block pass.
        let [first, rest @ ..] = &mut outs[..] else {
            return;
        };
        first.shed_total[..n].fill(0.0);
        for k in 0..k_n {
            let share = self.shares[k];
            let (served, shed) = (&mut first.served[k][..n], &mut first.shed[k][..n]);
            let total = &mut first.shed_total[..n];
            match self.rules[k] {
                Rule::Schedule => {
                    let f = &self.scheduled[t][k][..n];
                    for b in 0..n {
                        let load = share * latent[b];
                        let x = load * f[b];
                        shed[b] = x;
                        served[b] = load - x;
                        total[b] += x;
                    }
                    first.class_mwh[k] = dot(shed, hours);
                    first.class_latent_hours[k] = dot(shed, hours_per_latent);
                }
                Rule::None => {
                    for b in 0..n {
                        served[b] = share * latent[b];
                    }
                    shed.fill(0.0);
                    first.class_mwh[k] = 0.0;
                    first.class_latent_hours[k] = 0.0;
                }
                Rule::Economic => {}
            }
            if self.rules[k] != Rule::Economic {
                for other in rest.iter_mut() {
                    other.copy_class(first, k, n);
                }
            }
        }
        for other in rest.iter_mut() {
            other.shed_total[..n].copy_from_slice(&first.shed_total[..n]);
        }
        // Firm: the classes no economic rule sheds (net of their schedules), then the new
        // loads; the economic classes follow in decreasing value.
        let economic_share: f64 = self.economic.iter().map(|&k| self.shares[k]).sum();
        for (out, &extra) in outs.iter_mut().zip(&firm_extra) {
            let RuleOutcome {
                served_total: firm,
                shed_total: total,
                ..
            } = &mut **out;
            for (((f, &lat), &sched), &x) in firm[..n].iter_mut().zip(latent).zip(&total[..n]).zip(&extra[..n]) {
                *f = lat * (1.0 - economic_share) - sched + x;
            }
        }
        // Cases whose extra firm load equals the first's, bit for bit (the new loads drawing
        // nothing this month), have its outcome: the economic rules run for the first only.
        let same = firm_extra[1..].iter().all(|x| {
            x[..n]
                .iter()
                .zip(&firm_extra[0][..n])
                .all(|(a, b)| a.to_bits() == b.to_bits())
        });
        let ruled = if same { 1 } else { N };
        let above = &mut outs[0].shed_above;
        above.clear();
        above.resize(n, 0.0);
        let mut above = std::mem::take(above);
        for (i, &k) in self.economic.iter().enumerate() {
            let share = self.shares[k];
            let (allowed, floor, top) = (&self.allowed[t][k][..n], &self.scheduled[t][k][..n], &tops[i][..n]);
            for out in &mut outs[..ruled] {
                let RuleOutcome {
                    served,
                    shed,
                    served_total: firm,
                    shed_total: total,
                    ..
                } = &mut **out;
                economic_rule(
                    share,
                    [latent, top, &above[..n], allowed, floor, &firm[..n]],
                    &mut served[k][..n],
                    &mut shed[k][..n],
                    &mut total[..n],
                );
            }
            for (a, &lat) in above[..n].iter_mut().zip(latent) {
                *a += share * lat;
            }
            for out in &mut outs[..ruled] {
                [out.class_mwh[k], out.class_latent_hours[k]] = dots([hours, hours_per_latent], &out.shed[k][..n]);
            }
        }
        outs[0].shed_above = above;
        // Exactly the latent load when nothing is shed.
        for out in &mut outs[..ruled] {
            let RuleOutcome {
                served_total,
                shed_total,
                ..
            } = &mut **out;
            for ((s, &lat), &x) in served_total[..n].iter_mut().zip(latent).zip(&shed_total[..n]) {
                *s = lat - x;
            }
        }
        if same {
            let [first, rest @ ..] = &mut outs[..] else {
                unreachable!("N >= 1")
            };
            for other in rest {
                for &k in &self.economic {
                    other.copy_class(first, k, n);
                }
                other.shed_total[..n].copy_from_slice(&first.shed_total[..n]);
                other.served_total[..n].copy_from_slice(&first.served_total[..n]);
            }
        }
    }
}

/// The calendar month (0 = January) of a simulated month's blocks (January when it has none).
fn month_of_year(month: &[Block]) -> usize {
    month.first().map_or(0, |b| b.month_of_year)
}

/// One economic class's rule in every block (see the module's doc): `inputs` are the latent
/// load, the threshold `T`, the latent load of the classes of higher value, the share the cap
/// allows, the scheduled floor's share, and the firm load. A function of its own, so that the
/// outputs are known not to alias the inputs and the loop vectorises.
#[inline]
fn economic_rule(share: f64, inputs: [&[f64]; 6], served: &mut [f64], shed: &mut [f64], total: &mut [f64]) {
    let n = served.len();
    let [latent, top, above, allowed, floor, firm] = inputs.map(|x| &x[..n]);
    let (shed, total) = (&mut shed[..n], &mut total[..n]);
    for b in 0..n {
        let load = share * latent[b];
        let rule = (load - clamp(top[b] - firm[b] - above[b], 0.0, load)) * allowed[b];
        let x = max(rule, load * floor[b]);
        served[b] = load - x;
        shed[b] = x;
        total[b] += x;
    }
}

/// Share of a class shed in each block by a schedule of `hours` a day: in each group of 24
/// consecutive blocks (a day), the blocks of highest load are shed whole, in decreasing order
/// of load (earlier hour first among equals), then a fraction of the next.
fn schedule_shares(month: &[Block], hours: f64) -> Vec<f64> {
    let mut out = vec![0.0; month.len()];
    for (day, blocks) in month.chunks(24).enumerate() {
        let mut order: Vec<usize> = (0..blocks.len()).collect();
        order.sort_by(|&a, &b| blocks[b].shape.total_cmp(&blocks[a].shape).then(a.cmp(&b)));
        let mut left = hours;
        for &i in &order {
            let x = left.clamp(0.0, 1.0);
            out[day * 24 + i] = x;
            left -= x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(shapes: &[f64]) -> Vec<Block> {
        shapes
            .iter()
            .enumerate()
            .map(|(h, &shape)| Block {
                shape,
                hours: 30.0,
                month_of_year: 0,
                hour_of_day: h % 24,
            })
            .collect()
    }

    #[test]
    fn schedules_shed_the_days_highest_hours() {
        let mut shapes = vec![1.0; 24];
        shapes[20] = 1.3;
        shapes[21] = 1.2;
        shapes[5] = 1.2;
        let s = schedule_shares(&blocks(&shapes), 2.5);
        assert_eq!(s[20], 1.0);
        // Equal loads: the earlier hour first.
        assert_eq!(s[5], 1.0);
        assert_eq!(s[21], 0.5);
        assert!((s.iter().sum::<f64>() - 2.5).abs() < 1e-12);
        // Two days of an hourly month: each day on its own.
        let two: Vec<f64> = shapes.iter().chain(shapes.iter().rev()).copied().collect();
        let s = schedule_shares(&blocks(&two), 1.0);
        assert_eq!(s[20], 1.0);
        assert_eq!(s[24 + 3], 1.0);
        assert!((s.iter().sum::<f64>() - 2.0).abs() < 1e-12);
    }

    /// A firm class and two economic ones (values 30 and 10 PKR/kWh at a 40 tariff).
    fn two_economic_classes() -> Shedding {
        Shedding {
            suppressed_share: [0.0; 12],
            tariff_pkr_per_kwh: 40.0,
            feeder_class: vec![
                FeederClass {
                    name: "low_loss".into(),
                    load_share: 0.5,
                    loss_rate: 0.0,
                    recovery_rate: 1.0,
                    rule: "none".into(),
                    hours_per_day: None,
                    max_hours_per_day: None,
                },
                FeederClass {
                    name: "mid".into(),
                    load_share: 0.3,
                    loss_rate: 0.25,
                    recovery_rate: 1.0,
                    rule: "economic".into(),
                    hours_per_day: None,
                    max_hours_per_day: None,
                },
                FeederClass {
                    name: "high".into(),
                    load_share: 0.2,
                    loss_rate: 0.5,
                    recovery_rate: 0.5,
                    rule: "economic".into(),
                    hours_per_day: None,
                    max_hours_per_day: None,
                },
            ],
            deliverable: vec![],
            liquidity: None,
        }
    }

    #[test]
    fn cases_computed_together_are_each_cases_own_rules_bit_for_bit() {
        let f = Feeders::new(&two_economic_classes(), &[blocks(&[1.0; 3])]);
        let tops = vec![vec![1_000.0; 3], vec![600.0; 3]];
        let latent = [800.0, 500.0, 1_500.0];
        let hpl: Vec<f64> = latent.iter().map(|l| 1.0 / l).collect();
        let fields = |o: &RuleOutcome| {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut all = vec![bits(&o.served_total), bits(&o.shed_total), bits(&o.class_mwh)];
            all.push(bits(&o.class_latent_hours));
            all.extend(o.served.iter().chain(&o.shed).map(|v| bits(&v[..3])));
            all
        };
        // Reused outcomes, as a path reuses them month after month: equal extras (the new
        // loads idle) after different ones, and back.
        let (mut a, mut b) = (RuleOutcome::default(), RuleOutcome::default());
        for extra in [
            [0.0, 300.0],
            [0.0, 0.0],
            [150.0, 150.0],
            [-0.0, 0.0],
            [200.0, 0.0],
            [0.0, 0.0],
        ] {
            let x = extra.map(|e| [e, e + 50.0, e]);
            f.apply_cases(0, &latent, &[1.0; 3], &hpl, &tops, [&x[0], &x[1]], [&mut a, &mut b]);
            for (case, got) in [(0, &a), (1, &b)] {
                let mut own = RuleOutcome::default();
                f.apply_cases(0, &latent, &[1.0; 3], &hpl, &tops, [&x[case]], [&mut own]);
                assert_eq!(fields(got), fields(&own), "extras {extra:?}, case {case}");
            }
        }
    }

    #[test]
    fn the_economic_rule_sheds_a_class_exactly_when_its_value_is_below_marginal_cost() {
        // Two economic classes (values 30 and 10 PKR/kWh at a 40 tariff) and a firm class; a
        // stack of 600 MW at 5, 400 MW at 20 and 1,000 MW at 35 PKR/kWh.
        let sh = two_economic_classes();
        let f = Feeders::new(&sh, &[blocks(&[1.0; 3])]);
        assert_eq!(f.economic(), &[1, 2]);
        assert_eq!(f.value_pkr_per_mwh(1, 1.0), 30_000.0);
        assert_eq!(f.value_pkr_per_mwh(2, 1.0), 10_000.0);
        // T for value 30: slices at 5 and 20 (1,000 MW); for value 10: the 5 slice (600 MW).
        let tops = vec![vec![1_000.0; 3], vec![600.0; 3]];
        let mut out = RuleOutcome::default();
        // Latent 800 MW: firm 400; mid 240 MW served up to 1,000 (all); high 160 MW: firm +
        // mid = 640 > 600, so none of it (its marginal MW would cost 20 > 10).
        // Latent 500 MW: firm 250 + mid 150 = 400; high 100 up to 600: all.
        // Latent 1,500 MW: firm 750; mid 450 fits only 250 (the rest would cost 35 > 30).
        f.apply(0, &[800.0, 500.0, 1_500.0], &[1.0; 3], &[0.0; 3], &tops, 0.0, &mut out);
        assert_eq!(out.served[1], vec![240.0, 150.0, 250.0]);
        assert_eq!(out.served[2], vec![0.0, 100.0, 0.0]);
        assert_eq!(out.shed_total, vec![160.0, 0.0, 500.0]);
        // 100 MW of new load ahead of them at 500 MW latent: high now fits 600 - 500 = 100,
        // still all; 200 MW more pushes 100 MW of it out, MW for MW.
        f.apply(
            0,
            &[800.0, 500.0, 1_500.0],
            &[1.0; 3],
            &[0.0; 3],
            &tops,
            300.0,
            &mut out,
        );
        assert_eq!(out.served[2][1], 0.0);
        assert!((out.served[1][1] - 150.0).abs() < 1e-12);
        f.apply(
            0,
            &[800.0, 500.0, 1_500.0],
            &[1.0; 3],
            &[0.0; 3],
            &tops,
            200.0,
            &mut out,
        );
        assert!((out.served[2][1] - 0.0).abs() < 1e-12);
        f.apply(
            0,
            &[800.0, 500.0, 1_500.0],
            &[1.0; 3],
            &[0.0; 3],
            &tops,
            150.0,
            &mut out,
        );
        assert!((out.served[2][1] - 50.0).abs() < 1e-12);
    }

    #[test]
    fn monthly_floors_and_caps_take_each_calendar_months_hours() {
        let mut floor = [1.0; 12];
        let mut cap = [2.0; 12];
        floor[6] = 3.0;
        cap[6] = 6.0;
        let class = |name: &str, rule: &str, hours_per_day, max_hours_per_day| FeederClass {
            name: name.into(),
            load_share: 0.5,
            loss_rate: 0.5,
            recovery_rate: 0.5,
            rule: rule.into(),
            hours_per_day,
            max_hours_per_day,
        };
        let sh = Shedding {
            tariff_pkr_per_kwh: 40.0,
            feeder_class: vec![
                class("firm", "none", None, None),
                class("econ", "economic", Some(floor), Some(cap)),
            ],
            ..Shedding::default()
        };
        let shapes: Vec<f64> = (0..24).map(|h| 1.0 + f64::from(h) / 100.0).collect();
        let mut july = blocks(&shapes);
        for b in &mut july {
            b.month_of_year = 6;
        }
        let f = Feeders::new(&sh, &[blocks(&shapes), july]);
        let (latent, hours) = (vec![100.0; 24], vec![1.0; 24]);
        let mut out = RuleOutcome::default();
        // Hours a day the class loses in month `t` with thresholds `top` in every block.
        let mut shed_hours = |t: usize, top: f64| {
            f.apply(t, &latent, &hours, &[0.0; 24], &[vec![top; 24]], 0.0, &mut out);
            out.class_mwh[1] / 50.0
        };
        // No slice cheap enough (T = 0): the rule would shed every hour, the cap binds.
        assert_eq!(shed_hours(0, 0.0), 2.0);
        assert_eq!(shed_hours(1, 0.0), 6.0);
        // Every slice cheap enough: the rule sheds nothing, the floor is what is shed.
        assert_eq!(shed_hours(0, f64::INFINITY), 1.0);
        assert_eq!(shed_hours(1, f64::INFINITY), 3.0);
        // In the day's highest-load hours (the last ones here).
        f.apply(1, &latent, &hours, &[0.0; 24], &[vec![0.0; 24]], 0.0, &mut out);
        assert_eq!(out.shed[1][..18], [0.0; 18]);
        assert_eq!(out.shed[1][18..], [50.0; 6]);
    }
}
