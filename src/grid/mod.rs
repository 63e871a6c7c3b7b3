//! The power system: technology fleet, load blocks, merit-order dispatch and exact adequacy.
//!
//! Per path and month, given the drivers (load, fuel prices, exchange rate, hydro
//! availability), this computes the cost of the new loads as `cost(base + added) - cost(base)`
//! over the merit order, the base system's marginal cost, and loss of load and unserved energy
//! with and without the allocation from the capacity outage table, with the shortfall shed in
//! the scenario's curtailment priority. Profiled classes (hydro, wind, solar) reduce the load
//! the outage table must cover; dispatchable classes form the table.
//!
//! It also splits the energy of the new loads by the class that generates it: in each block
//! the added load occupies `[L_b, L_b + A_b]` of the stack, the interval whose cost is the
//! added cost, and class `k` generates its overlap with the class's slice. The month's energy
//! by class is left in [`Scratch::added_mwh_by_class`], the part beyond the stack's expected
//! capacity (served by no class, and costing nothing) in
//! [`MonthTotals::added_beyond_stack_mwh`].

pub mod blocks;
pub mod dispatch;
pub mod outage;

use crate::calendar::MonthInfo;
use crate::drivers::DriverMonth;
use crate::metrics::{Metric, put};
use crate::scenario::Scenario;
pub use blocks::Block;
use dispatch::Slice;
use outage::{OutageTable, UnitClass};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fuel {
    Oil,
    Lng,
    Coal,
    Fixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    None,
    Hydro,
    Wind,
    Solar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Mining,
    Households,
    Datacenters,
}

#[derive(Debug, Clone)]
struct Class {
    derated_mw: f64,
    heat_rate: f64,
    fuel: Fuel,
    fixed_fuel_usd: f64,
    vom_usd: f64,
    must_run: bool,
    profile: Profile,
}

/// The precomputed power system of one scenario.
#[derive(Debug, Clone)]
pub struct Grid {
    months: usize,
    blocks: Vec<Vec<Block>>,
    classes: Vec<Class>,
    /// `in_service[t][k]`.
    in_service: Vec<Vec<bool>>,
    /// Outage tables of the distinct fleet states, and which one each month uses.
    tables: Vec<OutageTable>,
    table_of_month: Vec<usize>,
    /// Per month, per block: load shape and the hydro, wind and solar capacity factors, looked
    /// up once and laid out as arrays over blocks so that the block loops vectorise.
    lanes: Vec<BlockLanes>,
    oil_mmbtu_per_bbl: f64,
    coal_mmbtu_per_t: f64,
    voll_usd: f64,
    priority: [Group; 3],
}

/// Working memory reused across the months and paths a worker evaluates.
///
/// It also holds the last evaluated month's energy by class, [`Scratch::added_mwh_by_class`].
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    order: Vec<usize>,
    costs: Vec<f64>,
    must_run: Vec<bool>,
    stack: Vec<Slice>,
    /// (position in the stack, class) of the profiled classes this month.
    profiled_at: Vec<(usize, usize)>,
    /// The class at each position of the stack this month.
    class_at: Vec<usize>,
    /// Energy each class generates for the new loads in the month, MWh, by class index.
    added_mwh: Vec<f64>,
    /// The stack after the last profiled class, prepared for the month.
    tail: dispatch::SplitStack,
    /// The month's per-block arrays.
    work: Work,
}

impl Scratch {
    /// The energy each technology class generated for the new loads in the month last
    /// evaluated with this scratch ([`Grid::month_totals`]), MWh, indexed by the class's
    /// position in the scenario's fleet (zero for classes out of service or not reached).
    ///
    /// Class `k`'s energy is `Σ_b H_b · |[L_b, L_b + A_b] ∩ (T_{k-1,b}, T_{k,b}]|` over the
    /// month's blocks, the slices of the merit order of expected capacities that the added
    /// cost integrates over, so `Σ_k mwh_k · c_k` is the month's added cost up to rounding and
    /// `Σ_k mwh_k + MonthTotals::added_beyond_stack_mwh` the added load times the month's hours.
    /// Empty before the first month.
    #[must_use]
    pub fn added_mwh_by_class(&self) -> &[f64] {
        &self.added_mwh
    }
}

impl Grid {
    /// Precomputes blocks, fleet states and their outage tables.
    #[must_use]
    pub fn new(sc: &Scenario, schedule: &[MonthInfo]) -> Self {
        let g = &sc.grid;
        let classes: Vec<Class> = sc
            .fleet
            .iter()
            .map(|c| Class {
                derated_mw: f64::from(c.units) * c.unit_mw * (1.0 - c.forced_outage_rate),
                heat_rate: c.heat_rate_mmbtu_per_mwh,
                fuel: match c.fuel.as_str() {
                    "oil" => Fuel::Oil,
                    "lng" => Fuel::Lng,
                    "coal" => Fuel::Coal,
                    _ => Fuel::Fixed,
                },
                fixed_fuel_usd: c.fixed_fuel_usd_per_mmbtu,
                vom_usd: c.vom_usd_per_mwh,
                must_run: c.must_run,
                profile: match c.profile.as_str() {
                    "hydro" => Profile::Hydro,
                    "wind" => Profile::Wind,
                    "solar" => Profile::Solar,
                    _ => Profile::None,
                },
            })
            .collect();
        let in_service: Vec<Vec<bool>> = schedule
            .iter()
            .map(|m| {
                sc.fleet
                    .iter()
                    .map(|c| c.commission.is_none_or(|d| d <= m.date) && c.retire.is_none_or(|d| m.date < d))
                    .collect()
            })
            .collect();
        // One outage table per distinct set of in-service dispatchable classes: built once, not
        // per path (the fleet's outage distribution does not depend on any random driver).
        let mut states: Vec<Vec<bool>> = Vec::new();
        let mut tables = Vec::new();
        let mut table_of_month = Vec::with_capacity(schedule.len());
        for row in &in_service {
            let key: Vec<bool> = row
                .iter()
                .zip(&classes)
                .map(|(&on, c)| on && c.profile == Profile::None)
                .collect();
            let idx = states.iter().position(|s| *s == key).unwrap_or_else(|| {
                let units: Vec<UnitClass> = sc
                    .fleet
                    .iter()
                    .zip(&key)
                    .filter(|&(_, &on)| on)
                    .map(|(c, _)| UnitClass {
                        count: c.units,
                        unit_mw: c.unit_mw,
                        forced_outage_rate: c.forced_outage_rate,
                    })
                    .collect();
                tables.push(OutageTable::build(&units, g.capacity_step_mw));
                states.push(key);
                states.len() - 1
            });
            table_of_month.push(idx);
        }
        let group = |s: &str| match s {
            "mining" => Group::Mining,
            "households" => Group::Households,
            _ => Group::Datacenters,
        };
        let p = &g.curtailment_priority;
        let blocks = blocks::blocks(g, schedule);
        let cf = &g.capacity_factors;
        let lanes = blocks
            .iter()
            .map(|month| {
                let col = |f: &dyn Fn(&Block) -> f64| month.iter().map(f).collect();
                BlockLanes {
                    shape: col(&|b| b.shape),
                    hours: col(&|b| b.hours),
                    cf: [
                        col(&|b| cf.hydro[b.month_of_year][b.hour_of_day]),
                        col(&|b| cf.wind[b.month_of_year][b.hour_of_day]),
                        col(&|b| cf.solar[b.month_of_year][b.hour_of_day]),
                    ],
                }
            })
            .collect();
        Self {
            months: schedule.len(),
            blocks,
            lanes,
            classes,
            in_service,
            tables,
            table_of_month,
            oil_mmbtu_per_bbl: g.oil_mmbtu_per_bbl,
            coal_mmbtu_per_t: g.coal_mmbtu_per_t,
            voll_usd: g.value_of_lost_load_usd_per_mwh,
            priority: [group(&p[0]), group(&p[1]), group(&p[2])],
        }
    }

    /// The outage table in force in month `t`.
    #[must_use]
    pub fn outage_table(&self, t: usize) -> &OutageTable {
        &self.tables[self.table_of_month[t]]
    }

    /// Number of distinct outage tables (fleet states) built.
    #[must_use]
    pub fn n_tables(&self) -> usize {
        self.tables.len()
    }

    /// Totals of month `t` of one path, with drivers `d`, the new loads drawing `mining_mw` and
    /// `datacenter_mw` at the generation side in every block. The energy each class generates
    /// for the new loads is left in `s` ([`Scratch::added_mwh_by_class`]).
    pub fn month_totals(
        &self,
        t: usize,
        d: &DriverMonth,
        s: &mut Scratch,
        mining_mw: f64,
        datacenter_mw: f64,
    ) -> MonthTotals {
        let mut m = MonthTotals::default();
        m.added_beyond_stack_mwh = self.month(t, d, s, mining_mw, datacenter_mw, |_, r| m.add(r));
        m
    }

    /// Writes a month's grid metrics into a path buffer.
    pub fn put_metrics(&self, buf: &mut [f64], t: usize, m: &MonthTotals) {
        let tm = self.months;
        put(
            buf,
            tm,
            Metric::MarginalCostPkrPerKwh,
            t,
            m.marginal_pkr_per_mwh() / 1000.0,
        );
        put(buf, tm, Metric::AddedCostPkr, t, m.added_cost);
        put(buf, tm, Metric::LoleBaseH, t, m.lole_base);
        put(buf, tm, Metric::LoleWithH, t, m.lole_with);
        put(buf, tm, Metric::LoleHouseholdsH, t, m.lole_households);
        put(buf, tm, Metric::EueBaseMwh, t, m.eue_base);
        put(buf, tm, Metric::EueWithMwh, t, m.eue_with);
        put(
            buf,
            tm,
            Metric::EueHouseholdsIncreaseMwh,
            t,
            m.eue_households - m.eue_base,
        );
        put(buf, tm, Metric::EueNewLoadMwh, t, m.eue_mining + m.eue_datacenters);
    }

    /// Every block of month `t` of one path, in detail, with the month's merit order of the
    /// classes in service (class index, variable cost in PKR/MWh).
    #[must_use]
    pub fn explain(&self, t: usize, d: &DriverMonth, mining_mw: f64, datacenter_mw: f64) -> MonthExplanation {
        let mut s = Scratch::default();
        let mut rows = Vec::with_capacity(self.blocks[t].len());
        self.month(t, d, &mut s, mining_mw, datacenter_mw, |b, r| rows.push((*b, r)));
        let order = s
            .order
            .iter()
            .filter(|&&k| self.in_service[t][k])
            .map(|&k| (k, s.costs[k]))
            .collect();
        (rows, order)
    }

    /// Runs the merit order and adequacy of every block of month `t`, handing each block's
    /// result to `visit`; leaves the energy each class generates for the new loads in
    /// `s.added_mwh` and returns the energy of the new loads beyond the stack, MWh.
    fn month(
        &self,
        t: usize,
        d: &DriverMonth,
        s: &mut Scratch,
        mining_mw: f64,
        datacenter_mw: f64,
        mut visit: impl FnMut(&Block, BlockResult),
    ) -> f64 {
        let n = self.classes.len();
        if s.order.len() != n {
            s.order = (0..n).collect();
            s.must_run = self.classes.iter().map(|c| c.must_run).collect();
        }
        let fx = d.fx_pkr_per_usd;
        let load_avg = d.load_mw;
        let hydro_avail = d.hydro_availability;
        let fuel_usd = [
            d.oil_usd_per_bbl / self.oil_mmbtu_per_bbl,
            d.lng_usd_per_mmbtu,
            d.coal_usd_per_t / self.coal_mmbtu_per_t,
        ];
        s.costs.clear();
        s.costs.extend(self.classes.iter().map(|c| {
            let fuel = match c.fuel {
                Fuel::Oil => fuel_usd[0],
                Fuel::Lng => fuel_usd[1],
                Fuel::Coal => fuel_usd[2],
                Fuel::Fixed => c.fixed_fuel_usd,
            };
            (c.heat_rate * fuel + c.vom_usd) * fx
        }));
        dispatch::merit_order(&mut s.order, &s.costs, &s.must_run);
        let table = self.outage_table(t);
        let voll = self.voll_usd * fx;
        let on = &self.in_service[t];
        let added = mining_mw + datacenter_mw;
        // The merit order and the dispatchable slices are fixed for the month; only the profiled
        // classes' capacity changes from block to block, so only their slices are rewritten.
        s.stack.clear();
        s.profiled_at.clear();
        s.class_at.clear();
        for &k in &s.order {
            if on[k] {
                if self.classes[k].profile != Profile::None {
                    s.profiled_at.push((s.stack.len(), k));
                }
                s.class_at.push(k);
                s.stack.push(Slice {
                    mw: self.classes[k].derated_mw,
                    cost: s.costs[k],
                });
            }
        }
        // Slices after the last profiled class do not change within the month.
        let head_len = s.profiled_at.last().map_or(0, |&(pos, _)| pos + 1);
        s.tail.prepare(&s.stack[head_len..]);
        // Every step below runs over all blocks of the month at once (arrays over blocks, no
        // early exits), so that the compiler can evaluate several blocks per instruction. Each
        // block sees exactly the arithmetic, in the same order, of a block-by-block evaluation.
        let lanes = &self.lanes[t];
        let w = &mut s.work;
        w.reset(lanes.shape.len());
        for (l, &shape) in w.load.iter_mut().zip(&lanes.shape) {
            *l = load_avg * shape;
        }
        for (h, &l) in w.hi.iter_mut().zip(&w.load) {
            *h = l + added;
        }
        // The energy by class of the added load: head slices as they are walked, then the tail's.
        s.added_mwh.clear();
        s.added_mwh.resize(n, 0.0);
        let (class_head, class_tail) = s.class_at.split_at(head_len);
        let mut beyond = 0.0;
        self.head(
            lanes,
            &s.stack[..head_len],
            &s.profiled_at,
            hydro_avail,
            w,
            class_head,
            &mut s.added_mwh,
        );
        s.tail
            .finish(&w.load, &w.hi, &w.pos, voll, &mut w.marginal, &mut w.cost);
        if added != 0.0 {
            // Zero added load generates nothing: the energies are left at zero without a pass.
            beyond = s.tail.energies(&w.load, &w.hi, &w.pos, &lanes.hours, |j, mwh| {
                s.added_mwh[class_tail[j]] = mwh;
            });
        }
        self.adequacy(table, mining_mw, datacenter_mw, w);
        for (b, block) in self.blocks[t].iter().enumerate() {
            visit(block, self.result(w, b, block.hours));
        }
        beyond
    }

    /// The head of the merit order (up to the last profiled class), slice by slice over all
    /// blocks: the profiled classes' output, the marginal cost of loads within the head and
    /// the cost of the part of the added load it serves; and into `energy` (by class, zero on
    /// entry) the energy each head slice (class `class_at[i]`) generates for the added load.
    #[allow(clippy::too_many_arguments)]
    fn head(
        &self,
        lanes: &BlockLanes,
        head: &[Slice],
        profiled_at: &[(usize, usize)],
        hydro_avail: f64,
        w: &mut Work,
        class_at: &[usize],
        energy: &mut [f64],
    ) {
        let mut profiled_at = profiled_at.iter().peekable();
        for (i, slice) in head.iter().enumerate() {
            match profiled_at.next_if(|&&(pos, _)| pos == i) {
                Some(&(_, k)) => {
                    let c = &self.classes[k];
                    match c.profile {
                        Profile::Hydro => {
                            for (mw, &cf) in w.mw.iter_mut().zip(&lanes.cf[0]) {
                                *mw = c.derated_mw * (cf * hydro_avail).min(1.0);
                            }
                        }
                        Profile::Wind | Profile::Solar => {
                            let cf = &lanes.cf[if c.profile == Profile::Wind { 1 } else { 2 }];
                            for (mw, &cf) in w.mw.iter_mut().zip(cf) {
                                *mw = c.derated_mw * cf;
                            }
                        }
                        Profile::None => w.mw.fill(c.derated_mw),
                    }
                    for (p, &mw) in w.profiled.iter_mut().zip(&w.mw) {
                        *p += mw;
                    }
                }
                None => w.mw.fill(slice.mw),
            }
            let serves = dispatch::head_slice(
                slice.cost,
                &w.mw,
                &w.load,
                &w.hi,
                &mut w.pos,
                &mut w.marginal,
                &mut w.cost,
            );
            if serves {
                energy[class_at[i]] = dispatch::head_slice_energy(&w.mw, &w.load, &w.hi, &w.pos, &lanes.hours);
            }
        }
    }

    /// Block `b`'s result from the month's arrays.
    fn result(&self, w: &Work, b: usize, hours: f64) -> BlockResult {
        let mut r = BlockResult {
            hours,
            load_mw: w.load[b],
            profiled_mw: w.profiled[b],
            marginal_cost_pkr_per_mwh: w.marginal[b],
            added_cost_pkr_per_h: w.cost[b],
            lolp_base: w.lolp[0][b],
            eue_base_mw: w.eue[0][b],
            lolp_with: w.lolp[1][b],
            eue_with_mw: w.eue[1][b],
            ..BlockResult::default()
        };
        for (i, &g) in self.priority.iter().enumerate() {
            let next = w.eue.get(i + 2).map_or(0.0, |e| e[b]);
            let lost = w.eue[i + 1][b] - next;
            match g {
                Group::Households => {
                    r.eue_households_mw = lost;
                    r.lolp_households = w.lolp[i + 1][b];
                }
                Group::Mining => r.eue_mining_mw = lost,
                Group::Datacenters => r.eue_datacenters_mw = lost,
            }
        }
        r
    }

    /// Loss of load in every block of a month, with the shortfall shed group by group in
    /// priority order.
    ///
    /// The outage table must cover, per block, `levels[0]` the load without the allocation and
    /// `levels[1 + i]` the load of the groups `i..` of the curtailment priority (`i = 0, 1, 2`),
    /// and `levels[4] = -profiled` none of it. Group `i` loses `min(max(S - before_i, 0),
    /// load_i)` of a shortfall `S`, whose expectation is `e(levels[1 + i]) - e(levels[2 + i])`,
    /// `e` the unserved-power function. `levels[1 + i]` is always summed the same way, so zero
    /// added load gives exactly the base load.
    fn adequacy(&self, table: &OutageTable, mining_mw: f64, datacenter_mw: f64, w: &mut Work) {
        let part = |g: Group| match g {
            Group::Mining => mining_mw,
            Group::Datacenters => datacenter_mw,
            Group::Households => 0.0,
        };
        let [base, tops @ .., none] = &mut w.levels;
        for ((x, &l), &p) in base.iter_mut().zip(&w.load).zip(&w.profiled) {
            *x = l - p;
        }
        for (x, &p) in none.iter_mut().zip(&w.profiled) {
            *x = -p;
        }
        for (i, x) in tops.iter_mut().enumerate() {
            let start = if self.priority[i..].contains(&Group::Households) {
                &*base
            } else {
                &*none
            };
            x.copy_from_slice(start);
            for &g in &self.priority[i..] {
                let add = part(g);
                for v in x.iter_mut() {
                    *v += add;
                }
            }
        }
        // `levels[4]` is not looked up: profiled output is never negative, so no capacity is
        // ever short of it and its unserved power is zero.
        for ((x, lolp), eue) in w.levels.iter().zip(&mut w.lolp).zip(&mut w.eue) {
            table.lolp_eue_into(x, lolp, eue);
        }
    }
}

/// Per-block inputs of one month, as arrays over its blocks.
#[derive(Debug, Clone)]
struct BlockLanes {
    /// Load relative to the month's average.
    shape: Vec<f64>,
    /// Duration, hours.
    hours: Vec<f64>,
    /// Hydro, wind and solar capacity factors.
    cf: [Vec<f64>; 3],
}

/// A month's per-block working arrays (reused across months and paths).
#[derive(Debug, Clone, Default)]
struct Work {
    /// Load of existing consumers, MW.
    load: Vec<f64>,
    /// Load with the allocation, MW.
    hi: Vec<f64>,
    /// Capacity of the current head slice, MW.
    mw: Vec<f64>,
    /// Capacity of the head slices so far, MW.
    pos: Vec<f64>,
    /// Output of the profiled classes, MW.
    profiled: Vec<f64>,
    /// Marginal cost at the load (NaN until found), currency/MWh.
    marginal: Vec<f64>,
    /// Cost of the allocation, currency/h.
    cost: Vec<f64>,
    /// Loads for the outage table (see [`Grid::adequacy`]), MW.
    levels: [Vec<f64>; 5],
    /// Loss-of-load probability of each level but the last.
    lolp: [Vec<f64>; 4],
    /// Expected unserved power of each level but the last (zero), MW.
    eue: [Vec<f64>; 4],
}

impl Work {
    fn reset(&mut self, blocks: usize) {
        for v in [&mut self.load, &mut self.hi, &mut self.mw]
            .into_iter()
            .chain(self.levels.iter_mut())
            .chain(self.lolp.iter_mut())
            .chain(self.eue.iter_mut())
        {
            v.resize(blocks, 0.0);
        }
        for (v, x) in [
            (&mut self.pos, 0.0),
            (&mut self.profiled, 0.0),
            (&mut self.cost, 0.0),
            (&mut self.marginal, f64::NAN),
        ] {
            v.clear();
            v.resize(blocks, x);
        }
    }
}

/// Every block with its result, and the merit order as (class index, PKR/MWh).
pub type MonthExplanation = (Vec<(Block, BlockResult)>, Vec<(usize, f64)>);

/// What happens in one block (rates: probabilities and MW, not yet weighted by hours).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BlockResult {
    /// Duration, hours.
    pub hours: f64,
    /// Load of existing consumers, MW.
    pub load_mw: f64,
    /// Expected output of the profiled classes (hydro, wind, solar), MW.
    pub profiled_mw: f64,
    /// Marginal cost of the system without the allocation, PKR/MWh.
    pub marginal_cost_pkr_per_mwh: f64,
    /// Generation cost of the allocation, PKR per hour.
    pub added_cost_pkr_per_h: f64,
    /// Loss-of-load probability without the allocation.
    pub lolp_base: f64,
    /// Probability that some load is shed, with the allocation.
    pub lolp_with: f64,
    /// Probability that households are shed, with the allocation.
    pub lolp_households: f64,
    /// Expected unserved power without the allocation, MW.
    pub eue_base_mw: f64,
    /// Expected unserved power of all loads with the allocation, MW.
    pub eue_with_mw: f64,
    /// Households' expected unserved power with the allocation, MW.
    pub eue_households_mw: f64,
    /// The miners' expected unserved power, MW.
    pub eue_mining_mw: f64,
    /// The data centres' expected unserved power, MW.
    pub eue_datacenters_mw: f64,
}

/// A month's grid figures (hour-weighted sums over its blocks).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MonthTotals {
    /// Generation cost of the new loads, PKR.
    pub added_cost: f64,
    /// Hour-weighted sum of the base system's marginal cost, PKR/MWh x h.
    pub marginal: f64,
    /// Hours in the month.
    pub hours: f64,
    /// Loss-of-load hours without the new loads.
    pub lole_base: f64,
    /// Hours with some load shed, with the new loads.
    pub lole_with: f64,
    /// Hours with households shed, with the new loads.
    pub lole_households: f64,
    /// Unserved energy without the new loads, MWh.
    pub eue_base: f64,
    /// Unserved energy of all loads with the new loads, MWh.
    pub eue_with: f64,
    /// Households' unserved energy with the new loads, MWh.
    pub eue_households: f64,
    /// Miners' unserved energy, MWh (generation side).
    pub eue_mining: f64,
    /// Data centres' unserved energy, MWh (generation side).
    pub eue_datacenters: f64,
    /// Energy of the new loads beyond the expected capacity of the whole merit order, MWh:
    /// generated by no class and costing nothing (it is unserved energy, see the adequacy
    /// figures). With [`Scratch::added_mwh_by_class`] it makes up the added load times the
    /// month's hours.
    pub added_beyond_stack_mwh: f64,
}

impl MonthTotals {
    fn add(&mut self, r: BlockResult) {
        let h = r.hours;
        self.added_cost += r.added_cost_pkr_per_h * h;
        self.marginal += r.marginal_cost_pkr_per_mwh * h;
        self.hours += h;
        self.lole_base += r.lolp_base * h;
        self.lole_with += r.lolp_with * h;
        self.lole_households += r.lolp_households * h;
        self.eue_base += r.eue_base_mw * h;
        self.eue_with += r.eue_with_mw * h;
        self.eue_households += r.eue_households_mw * h;
        self.eue_mining += r.eue_mining_mw * h;
        self.eue_datacenters += r.eue_datacenters_mw * h;
    }

    /// Hour-weighted mean marginal cost of the base system, PKR/MWh.
    #[must_use]
    pub fn marginal_pkr_per_mwh(&self) -> f64 {
        self.marginal / self.hours
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearMonth;

    fn preset() -> Scenario {
        Scenario::from_toml_str(include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("valid preset")
    }

    fn grid(sc: &Scenario) -> Grid {
        let sched = crate::calendar::schedule(sc.simulation.start, sc.months(), 0.0);
        Grid::new(sc, &sched)
    }

    /// Energy of the added load by class and beyond the stack in month `t`, by walking the
    /// month's merit order block by block in absolute coordinates (independent of the kernel's
    /// head and tail).
    fn walk_energies(g: &Grid, t: usize, d: &DriverMonth, added: f64) -> (Vec<f64>, f64) {
        let n = g.classes.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut s = Scratch::default();
        g.month_totals(t, d, &mut s, 0.0, 0.0);
        let must_run: Vec<bool> = g.classes.iter().map(|c| c.must_run).collect();
        dispatch::merit_order(&mut order, &s.costs, &must_run);
        let lanes = &g.lanes[t];
        let (mut e, mut beyond) = (vec![0.0; n], 0.0);
        for (b, &h) in lanes.hours.iter().enumerate() {
            let load = d.load_mw * lanes.shape[b];
            let hi = load + added;
            let mut bottom = 0.0;
            for &k in order.iter().filter(|&&k| g.in_service[t][k]) {
                let c = &g.classes[k];
                let mw = c.derated_mw
                    * match c.profile {
                        Profile::None => 1.0,
                        Profile::Hydro => (lanes.cf[0][b] * d.hydro_availability).min(1.0),
                        Profile::Wind => lanes.cf[1][b],
                        Profile::Solar => lanes.cf[2][b],
                    };
                e[k] += h * ((bottom + mw).min(hi) - bottom.max(load)).max(0.0);
                bottom += mw;
            }
            beyond += h * (hi - bottom.max(load)).max(0.0);
        }
        (e, beyond)
    }

    /// Checks the energy by class of many path-months of `sc` against the added cost, the
    /// added energy and the walk; returns how many months had energy beyond the stack and how
    /// many had energy from the head of the merit order (up to the last profiled class).
    fn check_added_energy(sc: &Scenario, paths: u64) -> (usize, usize) {
        let model = crate::model::Model::new(sc);
        let (g, tm) = (&model.grid, model.months());
        let seeds = crate::rng::uniform(11);
        let mut buf = vec![0.0; crate::metrics::path_len(tm)];
        let mut ms = crate::model::Scratch::default();
        let mut s = Scratch::default();
        let (mut months_beyond, mut months_head) = (0, 0);
        for p in 0..paths {
            model.simulate_drivers(&seeds, p, &mut buf, &mut ms);
            for t in 0..tm {
                let d = DriverMonth::read(&buf, tm, t);
                for (mining, dc) in [(1_500.0, 500.0), (0.0, 0.0), (0.0, 37.5), (30_000.0, 12_000.0)] {
                    let m = g.month_totals(t, &d, &mut s, mining, dc);
                    let e = s.added_mwh_by_class();
                    let ctx = format!(
                        "path {p} month {t} loads {mining} + {dc}: {e:?} + {}",
                        m.added_beyond_stack_mwh
                    );
                    assert_eq!(e.len(), g.classes.len(), "{ctx}");
                    assert!(e.iter().all(|&x| x >= 0.0) && m.added_beyond_stack_mwh >= 0.0, "{ctx}");
                    for (k, &x) in e.iter().enumerate() {
                        assert!(g.in_service[t][k] || x == 0.0, "{ctx}: class {k} is out of service");
                    }
                    // Priced at the month's costs, the energies are the added cost.
                    let priced: f64 = e.iter().zip(&s.costs).map(|(e, c)| e * c).sum();
                    assert!(
                        (priced - m.added_cost).abs() <= 1e-12 * m.added_cost,
                        "{ctx}: {priced} vs {}",
                        m.added_cost
                    );
                    // With the part beyond the stack they make up the added load's energy.
                    let total = (mining + dc) * m.hours;
                    let parts = e.iter().sum::<f64>() + m.added_beyond_stack_mwh;
                    assert!((parts - total).abs() <= 1e-12 * total, "{ctx}: {parts} vs {total}");
                    // And they are the walk's.
                    let (want, want_beyond) = walk_energies(g, t, &d, mining + dc);
                    for (&got, &want) in e.iter().zip(&want).chain([(&m.added_beyond_stack_mwh, &want_beyond)]) {
                        assert!(
                            (got - want).abs() <= 1e-12 * total,
                            "{ctx}: walk gives {want:?} + {want_beyond}"
                        );
                    }
                    months_beyond += usize::from(m.added_beyond_stack_mwh > 0.0);
                    let head_len = s.profiled_at.last().map_or(0, |&(pos, _)| pos + 1);
                    months_head += usize::from(s.class_at[..head_len].iter().any(|&k| e[k] > 0.0));
                }
            }
        }
        (months_beyond, months_head)
    }

    #[test]
    fn added_energy_by_class_prices_to_the_added_cost_on_the_preset() {
        let sc = preset();
        // 2,000 MW added never reaches the top of the preset's stack; 42,000 MW always does.
        // (The head, hydro, wind and solar, is always below the load.)
        let (beyond, _) = check_added_energy(&sc, 8);
        assert_eq!(beyond, 8 * sc.months());
    }

    #[test]
    fn added_energy_by_class_on_a_hand_built_fleet() {
        // Profiled classes mid-stack (dispatchable classes in the head), a class that retires,
        // and a small fleet whose top the allocation alone can reach.
        let mut sc = preset();
        let class = |sc: &Scenario, name: &str| sc.fleet.iter().position(|c| c.name == name).expect("preset class");
        let (hydro, wind, solar) = (class(&sc, "hydro"), class(&sc, "wind"), class(&sc, "solar"));
        sc.fleet[hydro].must_run = false;
        sc.fleet[hydro].fixed_fuel_usd_per_mmbtu = 8.0;
        sc.fleet[hydro].heat_rate_mmbtu_per_mwh = 10.0;
        sc.fleet[wind].must_run = false;
        sc.fleet[wind].vom_usd_per_mwh = 40.0;
        sc.fleet[solar].retire = Some(YearMonth { year: 2028, month: 7 });
        let rfo = class(&sc, "rfo");
        sc.fleet[rfo].commission = Some(YearMonth { year: 2027, month: 3 });
        let rlng = class(&sc, "rlng_ccgt");
        sc.fleet[rlng].units = 3;
        let (beyond, head) = check_added_energy(&sc, 6);
        assert!(
            beyond > 6 * sc.months(),
            "the allocation alone reaches the top in some months"
        );
        assert!(
            head > 0,
            "classes up to the last profiled one serve the new loads in some months"
        );
        // The merit order really has dispatchable classes before the last profiled class.
        let model = crate::model::Model::new(&sc);
        let mut s = Scratch::default();
        let d = DriverMonth {
            load_mw: 20_000.0,
            oil_usd_per_bbl: 80.0,
            lng_usd_per_mmbtu: 12.0,
            coal_usd_per_t: 110.0,
            fx_pkr_per_usd: 280.0,
            hydro_availability: 1.0,
            ..DriverMonth::default()
        };
        model.grid.month_totals(0, &d, &mut s, 2_000.0, 0.0);
        let last_profiled = s.profiled_at.last().expect("profiled classes").0;
        assert!(
            s.class_at[..last_profiled]
                .iter()
                .any(|&k| model.grid.classes[k].profile == Profile::None)
        );
    }

    #[test]
    fn one_outage_table_per_fleet_state_not_per_path() {
        let mut sc = preset();
        assert_eq!(grid(&sc).n_tables(), 1);
        // A class commissioned mid-horizon and another retiring later: three fleet states.
        sc.fleet[1].commission = Some(YearMonth { year: 2027, month: 1 });
        sc.fleet[2].retire = Some(YearMonth { year: 2030, month: 1 });
        let g = grid(&sc);
        assert_eq!(g.n_tables(), 3);
        assert!(g.outage_table(0).capacity_mw() < g.outage_table(11).capacity_mw());
        // Profiled classes (hydro here) never enter the table.
        let mut sc = preset();
        let hydro = sc
            .fleet
            .iter()
            .position(|c| c.profile == "hydro")
            .expect("preset has hydro");
        sc.fleet[hydro].commission = Some(YearMonth { year: 2027, month: 1 });
        assert_eq!(grid(&sc).n_tables(), 1);
    }
}
