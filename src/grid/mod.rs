//! The power system: technology fleet, load blocks, merit-order dispatch and exact adequacy.
//!
//! Per path and month, given the drivers (load, fuel prices, exchange rate, hydro
//! availability), this computes the cost of the new loads as `cost(base + added) - cost(base)`
//! over the merit order, the base system's marginal cost, and loss of load and unserved energy
//! with and without the allocation from the capacity outage table, with the shortfall shed in
//! the scenario's curtailment priority. Profiled classes (hydro, wind, solar) reduce the load
//! the outage table must cover; dispatchable classes form the table.

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
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    order: Vec<usize>,
    costs: Vec<f64>,
    must_run: Vec<bool>,
    stack: Vec<Slice>,
    /// (position in the stack, class) of the profiled classes this month.
    profiled_at: Vec<(usize, usize)>,
    /// The stack after the last profiled class, prepared for the month.
    tail: dispatch::SplitStack,
    /// The month's per-block arrays.
    work: Work,
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
    /// `datacenter_mw` at the generation side in every block.
    pub fn month_totals(
        &self,
        t: usize,
        d: &DriverMonth,
        s: &mut Scratch,
        mining_mw: f64,
        datacenter_mw: f64,
    ) -> MonthTotals {
        let mut m = MonthTotals::default();
        self.month(t, d, s, mining_mw, datacenter_mw, |_, r| m.add(r));
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
    /// result to `visit`.
    fn month(
        &self,
        t: usize,
        d: &DriverMonth,
        s: &mut Scratch,
        mining_mw: f64,
        datacenter_mw: f64,
        mut visit: impl FnMut(&Block, BlockResult),
    ) {
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
        for &k in &s.order {
            if on[k] {
                if self.classes[k].profile != Profile::None {
                    s.profiled_at.push((s.stack.len(), k));
                }
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
        self.head(lanes, &s.stack[..head_len], &s.profiled_at, hydro_avail, w);
        s.tail
            .finish(&w.load, &w.hi, &w.pos, voll, &mut w.marginal, &mut w.cost);
        self.adequacy(table, mining_mw, datacenter_mw, w);
        for (b, block) in self.blocks[t].iter().enumerate() {
            visit(block, self.result(w, b, block.hours));
        }
    }

    /// The head of the merit order (up to the last profiled class), slice by slice over all
    /// blocks: the profiled classes' output, the marginal cost of loads within the head and
    /// the cost of the part of the added load it serves.
    fn head(&self, lanes: &BlockLanes, head: &[Slice], profiled_at: &[(usize, usize)], hydro_avail: f64, w: &mut Work) {
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
            dispatch::head_slice(
                slice.cost,
                &w.mw,
                &w.load,
                &w.hi,
                &mut w.pos,
                &mut w.marginal,
                &mut w.cost,
            );
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
