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
pub mod deliverability;
pub mod dispatch;
pub mod feeders;
pub mod fuel_cost;
pub mod fuel_limits;
pub mod interruptible;
pub mod liquidity;
pub mod outage;

use crate::calendar::MonthInfo;
use crate::drivers::DriverMonth;
use crate::metrics::{Metric, put};
use crate::scenario::Scenario;
use crate::scenario::shedding::{Liquidity, MAX_FEEDER_CLASSES};
pub use blocks::Block;
use dispatch::Slice;
use feeders::{Feeders, RuleOutcome};
use outage::{OutageTable, UnitClass};
use std::sync::Arc;

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
    /// The fleet class it belongs to (a take-or-pay tranche is a second class of its fleet
    /// class).
    fleet: usize,
    /// Burns imported fuel (oil, LNG, imported coal): derated by the liquidity feedback.
    imported: bool,
    /// Energy-limited: dispatched on its monthly schedule, outside the outage table.
    limited: bool,
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
    /// What `blocks`, `lanes`, `relief` and the feeders were made from.
    shape_key: Arc<ShapeKey>,
    blocks: Arc<Vec<Vec<Block>>>,
    classes: Vec<Class>,
    /// Whether class `k` is in service in month `t`, at `t * classes.len() + k` ([`Grid::on`]):
    /// one array, not a vector a month (a path's own grid builds it again).
    in_service: Vec<bool>,
    /// Outage tables of the distinct fleet states, and which one each month uses. Shared: a
    /// path's own grid takes the point model's over (they are large; a copy cost more than the
    /// rest of a path's set-up).
    tables: Vec<Arc<OutageTable>>,
    /// The units and step each table was built from (the whole of a table's input), so that a
    /// path's own grid can take a table over instead of building it again.
    table_units: Vec<(Vec<UnitClass>, f64)>,
    table_of_month: Vec<usize>,
    /// Per month, per block: load shape and the hydro, wind and solar capacity factors, looked
    /// up once and laid out as arrays over blocks so that the block loops vectorise.
    lanes: Arc<Vec<BlockLanes>>,
    oil_mmbtu_per_bbl: f64,
    coal_mmbtu_per_t: f64,
    voll_usd: f64,
    priority: [Group; 3],
    /// Number of fleet classes (the classes after them are take-or-pay tranches).
    n_fleet: usize,
    /// Shedding beyond capacity outages; `None`: the capacity-only model.
    shed: Option<Box<ShedModel>>,
    /// Each month's peak relief of the miners (`None`: they draw flat in every block).
    relief: Arc<Vec<Option<interruptible::Relief>>>,
}

/// The inputs of the parts of a grid that only the load shapes, the calendar, the feeder
/// classes and peak relief determine: a path's own grid shares those parts with the point
/// model's (they are large with an hourly shape) when its inputs are equal.
#[derive(Debug)]
struct ShapeKey {
    grid: crate::scenario::Grid,
    shedding: Option<crate::scenario::shedding::Shedding>,
    hours_per_day: [f64; 12],
    schedule: Vec<MonthInfo>,
}

/// What the grid needs of a path's state in a month besides its drivers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Context {
    /// The consumer price index (1 in the first month): feeder tariffs follow it.
    pub cpi: f64,
    /// The allocation's own circular debt up to last month, PKR (the liquidity feedback).
    pub allocation_circular_debt_pkr: f64,
}

impl Default for Context {
    fn default() -> Self {
        Self {
            cpi: 1.0,
            allocation_circular_debt_pkr: 0.0,
        }
    }
}

/// The precomputed mechanisms of load-shedding beyond capacity outages.
#[derive(Debug, Clone)]
struct ShedModel {
    feeders: Arc<Feeders>,
    /// Deliverable MW of each month (`+∞`: no limit).
    deliverable: Vec<f64>,
    liquidity: Option<Liquidity>,
    /// The energy-limited classes in the order they are scheduled (take-or-pay tranches first),
    /// with their energy by calendar month (MWh) and the tranche whose schedule their capacity
    /// excludes.
    limited: Vec<Limited>,
    /// Expected capacity of the energy-limited fleet classes in service in each month, MW,
    /// without fuel limits or derating (the fuel-free counterfactual of adequacy).
    limited_full_mw: Vec<f64>,
    /// Expected capacity of the imported-fuel classes in the outage table in each month, MW.
    imported_table_mw: Vec<f64>,
    /// Expected capacity of all imported-fuel classes in service in each month, MW.
    imported_mw: Vec<f64>,
    /// Each month's factor on the LNG classes' energy (`lng_supply` stresses; 1 outside them).
    lng_supply: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
struct Limited {
    class: usize,
    energy_mwh: [f64; 12],
    after: Option<usize>,
    /// Burns LNG: an `lng_supply` stress scales its energy.
    lng: bool,
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
    /// (position in the stack, class) of the varying classes (profiled or energy-limited) this
    /// month, and their capacity by block.
    varying: Vec<(usize, usize)>,
    var_mw: Vec<Vec<f64>>,
    /// The order in which the energy-limited classes are scheduled this month.
    lim_order: Vec<usize>,
    /// The economic rule's thresholds, by economic class and block.
    tops: Vec<Vec<f64>>,
    /// The feeder rules without and with the new loads.
    base_rules: RuleOutcome,
    with_rules: RuleOutcome,
    /// The energy of the new loads by fleet class when take-or-pay tranches were folded in.
    added_fleet: Vec<f64>,
    folded: bool,
    /// Imported-fuel capacity available with the new loads this month (liquidity feedback).
    imported_available_share: f64,
    /// This month's take-or-pay tranches in service: (shadow cost, market cost), PKR/MWh.
    tranche_prices: Vec<(f64, f64)>,
    /// Working arrays of the month's totals (shortfall after the rules, its capacity part, a
    /// figure's blocks, the shortfall per MW the rules leave).
    tmp: Vec<Vec<f64>>,
    /// The class at each position of the stack this month.
    class_at: Vec<usize>,
    /// Energy each class generates for the new loads in the month, MWh, by class index.
    added_mwh: Vec<f64>,
    /// The stack after the last profiled class, prepared for the month.
    tail: dispatch::SplitStack,
    /// The month's per-block arrays.
    work: Work,
    /// The capacity below each slice by block, for the base system's fuel cost.
    fuel_pos: Vec<f64>,
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
        if self.folded {
            &self.added_fleet
        } else {
            &self.added_mwh
        }
    }
}

impl Grid {
    /// Precomputes blocks, fleet states and their outage tables.
    #[must_use]
    pub fn new(sc: &Scenario, schedule: &[MonthInfo]) -> Self {
        Self::reusing(sc, schedule, None)
    }

    /// [`Grid::new`], taking over from `base` each outage table built from the same units
    /// (tables are the costly part, and a path whose parameters leave the units alone has the
    /// same ones).
    #[must_use]
    pub fn reusing(sc: &Scenario, schedule: &[MonthInfo], base: Option<&Grid>) -> Self {
        let g = &sc.grid;
        let mut classes: Vec<Class> = sc
            .fleet
            .iter()
            .enumerate()
            .map(|(i, c)| Class {
                fleet: i,
                imported: matches!(c.fuel.as_str(), "oil" | "lng" | "coal"),
                limited: c.fuel_limit.is_some(),
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
        // A take-or-pay volume is a second class of its fleet class: the same plants, dispatched
        // at the price its volume saves.
        let n_fleet = classes.len();
        let mut limited = Vec::new();
        for (i, c) in sc.fleet.iter().enumerate() {
            let Some(l) = &c.fuel_limit else { continue };
            let mwh = |gwh: &[f64; 12]| gwh.map(|x| x * 1000.0);
            if let (Some(min), Some(price)) = (&l.min_take_gwh_per_month, l.take_or_pay_usd_per_mmbtu) {
                let mut tranche = classes[i].clone();
                tranche.fuel = Fuel::Fixed;
                tranche.fixed_fuel_usd = price;
                let k = classes.len();
                classes.push(tranche);
                limited.insert(
                    limited
                        .iter()
                        .filter(|x: &&Limited| x.after.is_none() && x.class >= n_fleet)
                        .count(),
                    Limited {
                        class: k,
                        energy_mwh: mwh(min),
                        after: None,
                        lng: c.fuel == "lng",
                    },
                );
                let mut rest = mwh(&l.energy_gwh_per_month);
                for (r, m) in rest.iter_mut().zip(mwh(min)) {
                    *r -= m;
                }
                limited.push(Limited {
                    class: i,
                    energy_mwh: rest,
                    after: Some(k),
                    lng: c.fuel == "lng",
                });
            } else {
                limited.push(Limited {
                    class: i,
                    energy_mwh: mwh(&l.energy_gwh_per_month),
                    after: None,
                    lng: c.fuel == "lng",
                });
            }
        }
        let n_classes = classes.len();
        let mut in_service: Vec<bool> = Vec::with_capacity(schedule.len() * n_classes);
        for m in schedule {
            in_service.extend(classes.iter().map(|c| {
                let c = &sc.fleet[c.fleet];
                c.commission.is_none_or(|d| d <= m.date) && c.retire.is_none_or(|d| m.date < d)
            }));
        }
        let row = |t: usize| &in_service[t * n_classes..(t + 1) * n_classes];
        // One outage table per distinct set of in-service dispatchable classes: built once, not
        // per path (the fleet's outage distribution does not depend on any random driver).
        let mut states: Vec<Vec<bool>> = Vec::new();
        let mut tables = Vec::new();
        let mut table_units = Vec::new();
        let mut table_of_month = Vec::with_capacity(schedule.len());
        // A month's key, kept only when it is a new state (most months repeat one).
        let mut key: Vec<bool> = Vec::with_capacity(n_fleet);
        for row in (0..schedule.len()).map(row) {
            // Energy-limited classes deliver their fuel schedule: they are not in the table.
            key.clear();
            key.extend(
                row[..n_fleet]
                    .iter()
                    .zip(&classes)
                    .map(|(&on, c)| on && c.profile == Profile::None && !c.limited),
            );
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
                let key_units = (units, g.capacity_step_mw);
                let table = base
                    .and_then(|b| {
                        b.table_units
                            .iter()
                            .position(|u| *u == key_units)
                            .map(|i| Arc::clone(&b.tables[i]))
                    })
                    .unwrap_or_else(|| Arc::new(OutageTable::build(&key_units.0, key_units.1)));
                tables.push(table);
                table_units.push(key_units);
                states.push(key.clone());
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
        let hours_per_day = sc.mining.interruptible.map_or([0.0; 12], |i| i.hours_per_day);
        let shared = base.filter(|b| {
            let k = &b.shape_key;
            k.grid == *g && k.shedding == sc.shedding && k.hours_per_day == hours_per_day && k.schedule == schedule
        });
        let shape_key = shared.map_or_else(
            || {
                Arc::new(ShapeKey {
                    grid: g.clone(),
                    shedding: sc.shedding.clone(),
                    hours_per_day,
                    schedule: schedule.to_vec(),
                })
            },
            |b| Arc::clone(&b.shape_key),
        );
        let blocks = shared.map_or_else(|| Arc::new(blocks::blocks(g, schedule)), |b| Arc::clone(&b.blocks));
        let cf = &g.capacity_factors;
        let lanes: Arc<Vec<BlockLanes>> = if let Some(b) = shared {
            Arc::clone(&b.lanes)
        } else {
            Arc::new(
                blocks
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
                    .collect(),
            )
        };
        // A month's capacity sums depend only on which classes are in service and on their
        // capacity and kinds: a path whose draws leave those alone (a variable cost, a fuel
        // schedule) takes the point model's (the same sums, about a fifth of a path's model).
        let same_capacity = base
            .filter(|b| {
                b.n_fleet == n_fleet
                    && b.classes.len() == n_classes
                    && b.months == schedule.len()
                    && b.in_service == in_service
                    && b.classes[..n_fleet].iter().zip(&classes[..n_fleet]).all(|(x, y)| {
                        x.derated_mw.to_bits() == y.derated_mw.to_bits()
                            && (x.imported, x.limited, x.profile) == (y.imported, y.limited, y.profile)
                    })
            })
            .and_then(|b| b.shed.as_deref());
        let shed = (sc.shedding.is_some() || !limited.is_empty()).then(|| {
            let sh = sc.shedding.clone().unwrap_or_default();
            let per_month = |keep: &dyn Fn(&Class) -> bool| -> Vec<f64> {
                (0..schedule.len())
                    .map(row)
                    .map(|row| {
                        classes[..n_fleet]
                            .iter()
                            .zip(row)
                            .filter(|&(c, &on)| on && keep(c))
                            .map(|(c, _)| c.derated_mw)
                            .sum()
                    })
                    .collect()
            };
            let feeders = shared
                .and_then(|b| b.shed.as_ref().map(|s| Arc::clone(&s.feeders)))
                .unwrap_or_else(|| Arc::new(Feeders::new(&sh, &blocks)));
            let (limited_full_mw, imported_table_mw, imported_mw) = same_capacity.map_or_else(
                || {
                    (
                        per_month(&|c| c.limited),
                        per_month(&|c| c.imported && !c.limited && c.profile == Profile::None),
                        per_month(&|c| c.imported),
                    )
                },
                |b| {
                    (
                        b.limited_full_mw.clone(),
                        b.imported_table_mw.clone(),
                        b.imported_mw.clone(),
                    )
                },
            );
            Box::new(ShedModel {
                feeders,
                deliverable: deliverability::limits(&sh.deliverable, schedule),
                liquidity: sh.liquidity,
                limited_full_mw,
                imported_table_mw,
                imported_mw,
                lng_supply: schedule
                    .iter()
                    .map(|m| {
                        sc.stress
                            .iter()
                            .filter(|s| {
                                s.driver == crate::scenario::stress::StressDriver::LngSupply
                                    && s.from <= m.date
                                    && m.date < s.from.plus(s.months as usize)
                            })
                            .map(|s| 1.0 + s.change.unwrap_or(0.0))
                            .product()
                    })
                    .collect(),
                limited,
            })
        });
        let relief = shared.map_or_else(
            || {
                Arc::new(
                    blocks
                        .iter()
                        .zip(lanes.iter())
                        .zip(schedule)
                        .map(|((month, l), m): ((&Vec<Block>, &BlockLanes), &MonthInfo)| {
                            let moy = month.first().map_or(0, |b| b.month_of_year);
                            interruptible::relief(&l.shape, &l.hours, hours_per_day[moy] * f64::from(m.days))
                        })
                        .collect(),
                )
            },
            |b| Arc::clone(&b.relief),
        );
        Self {
            months: schedule.len(),
            shape_key,
            relief,
            blocks,
            lanes,
            classes,
            in_service,
            tables,
            table_units,
            table_of_month,
            oil_mmbtu_per_bbl: g.oil_mmbtu_per_bbl,
            coal_mmbtu_per_t: g.coal_mmbtu_per_t,
            voll_usd: g.value_of_lost_load_usd_per_mwh,
            priority: [group(&p[0]), group(&p[1]), group(&p[2])],
            n_fleet,
            shed,
        }
    }

    /// Which classes are in service in month `t`.
    fn on(&self, t: usize) -> &[bool] {
        let n = self.classes.len();
        &self.in_service[t * n..(t + 1) * n]
    }

    /// Share of month `t`'s hours in which the miners draw, in [0, 1]: 1 without peak relief.
    /// The miners' energy at the meter is their MW times the month's hours times this share
    /// (for the accounts and the miners' output).
    #[must_use]
    pub fn mining_drawn_share(&self, t: usize) -> f64 {
        self.relief[t].as_ref().map_or(1.0, |r| {
            let hours: f64 = self.lanes[t].hours.iter().sum();
            1.0 - r.hours / hours
        })
    }

    /// Number of feeder classes, the output slots in use: the declared classes (or one, `"all"`).
    #[must_use]
    pub fn feeder_classes(&self) -> usize {
        self.shed.as_ref().map_or(1, |s| s.feeders.len())
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

    /// Totals of month `t` of one path, with drivers `d` and the path's state `cx`, the new
    /// loads drawing `mining_mw` and `datacenter_mw` at the generation side in every block (the
    /// miners nothing in the month's relieved hours, when their contract gives peak relief:
    /// [`interruptible`]). The energy each class generates for the new loads is left in `s`
    /// ([`Scratch::added_mwh_by_class`]).
    #[allow(clippy::too_many_arguments)]
    pub fn month_totals(
        &self,
        t: usize,
        d: &DriverMonth,
        cx: &Context,
        s: &mut Scratch,
        mining_mw: f64,
        datacenter_mw: f64,
    ) -> MonthTotals {
        let mut m = MonthTotals::default();
        let beyond = self.month(t, d, cx, s, mining_mw, datacenter_mw, |_, _| {}, Some(&mut m));
        m.added_beyond_stack_mwh = beyond;
        m.base_fuel = self.base_fuel(t, d, s);
        m.imported_available_share = s.imported_available_share;
        if let Some(r) = &self.relief[t]
            && mining_mw != 0.0
        {
            m.relief_hours = r.hours;
            m.relief_peak_mw = mining_mw * r.peak_share;
            m.relief_mwh = mining_mw * r.hours;
        }
        self.fold_tranches(s);
        m
    }

    /// Adds each take-or-pay tranche's energy for the new loads to its fleet class.
    fn fold_tranches(&self, s: &mut Scratch) {
        s.folded = self.classes.len() > self.n_fleet;
        if s.folded {
            s.added_fleet.clear();
            s.added_fleet.extend_from_slice(&s.added_mwh[..self.n_fleet]);
            for (c, &e) in self.classes[self.n_fleet..].iter().zip(&s.added_mwh[self.n_fleet..]) {
                s.added_fleet[c.fleet] += e;
            }
        }
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
        put(
            buf,
            tm,
            Metric::MarginalCostPricedPkrPerKwh,
            t,
            m.priced_marginal_pkr_per_mwh() / 1000.0,
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
            m.households_increase_mwh(),
        );
        put(buf, tm, Metric::EueNewLoadMwh, t, m.eue_mining + m.eue_datacenters);
        let days = m.hours / 24.0;
        put(buf, tm, Metric::LatentLoadMw, t, m.latent_mwh / m.hours);
        put(buf, tm, Metric::ServedLoadBaseMw, t, m.served_base_mwh / m.hours);
        put(buf, tm, Metric::ServedLoadWithMw, t, m.served_with_mwh / m.hours);
        put(buf, tm, Metric::ShedHoursPerDayBase, t, m.shed_hours_base / days);
        put(
            buf,
            tm,
            Metric::ShedHoursPerDayIncrease,
            t,
            (m.shed_hours_with - m.shed_hours_base) / days,
        );
        let causes = [
            (Metric::ShedRulesBaseMwh, Metric::ShedRulesIncreaseMwh),
            (Metric::ShedNetworkBaseMwh, Metric::ShedNetworkIncreaseMwh),
            (Metric::ShedCapacityBaseMwh, Metric::ShedCapacityIncreaseMwh),
            (Metric::ShedFuelBaseMwh, Metric::ShedFuelIncreaseMwh),
        ];
        for (i, (base, increase)) in causes.into_iter().enumerate() {
            put(buf, tm, base, t, m.cause_base[i]);
            put(buf, tm, increase, t, m.cause_with[i] - m.cause_base[i]);
        }
        for k in 0..MAX_FEEDER_CLASSES {
            let [hours_base, hours_increase, mwh_increase] = crate::metrics::feeder_metrics(k);
            put(buf, tm, hours_base, t, m.class_hours_base[k] / days);
            put(
                buf,
                tm,
                hours_increase,
                t,
                (m.class_hours_with[k] - m.class_hours_base[k]) / days,
            );
            put(buf, tm, mwh_increase, t, m.class_mwh_with[k] - m.class_mwh_base[k]);
        }
        put(buf, tm, Metric::RevenueForgoneBasePkr, t, m.revenue_forgone_base);
        put(buf, tm, Metric::CostAvoidedBasePkr, t, m.cost_avoided_base);
        put(
            buf,
            tm,
            Metric::RevenueForgoneIncreasePkr,
            t,
            m.revenue_forgone_with - m.revenue_forgone_base,
        );
        put(buf, tm, Metric::CostAvoidedIncreasePkr, t, m.cost_displaced);
        put(buf, tm, Metric::ImportedAvailableShare, t, m.imported_available_share);
        put(buf, tm, Metric::PeakReliefHoursPerDay, t, m.relief_hours / days);
        put(buf, tm, Metric::PeakReliefMw, t, m.relief_peak_mw);
        put(buf, tm, Metric::PeakReliefMwh, t, m.relief_mwh);
        put(buf, tm, Metric::FuelCostBasePkrPerKwh, t, m.base_fuel.pkr_per_kwh());
    }

    /// Every block of month `t` of one path, in detail, with the month's merit order of the
    /// classes in service (fleet class index, variable cost in PKR/MWh; a take-or-pay volume
    /// appears as a second entry of its class, at its own price).
    #[must_use]
    pub fn explain(
        &self,
        t: usize,
        d: &DriverMonth,
        cx: &Context,
        mining_mw: f64,
        datacenter_mw: f64,
    ) -> MonthExplanation {
        let mut s = Scratch::default();
        let mut rows = Vec::with_capacity(self.blocks[t].len());
        self.month(
            t,
            d,
            cx,
            &mut s,
            mining_mw,
            datacenter_mw,
            |b, r| rows.push((*b, r)),
            None,
        );
        let order = s
            .order
            .iter()
            .filter(|&&k| self.on(t)[k])
            .map(|&k| (self.classes[k].fleet, s.costs[k]))
            .collect();
        // What each fleet class generates for the existing consumers' served load (the merit
        // order's slices filled from the bottom), by block.
        let nb = s.work.load.len();
        let mut generation = vec![vec![0.0; nb]; self.n_fleet];
        let mut pos = vec![0.0; nb];
        for (j, (slice, mw)) in slices_by_block(&s.stack, &s.varying, &s.var_mw).enumerate() {
            let g = &mut generation[self.classes[s.class_at[j]].fleet];
            for b in 0..nb {
                let m = mw.map_or(slice.mw, |v| v[b]);
                g[b] += (s.work.load[b] - pos[b]).clamp(0.0, m);
                pos[b] += m;
            }
        }
        MonthExplanation {
            blocks: rows,
            order,
            generation_mw: generation,
        }
    }

    /// Runs the merit order and adequacy of every block of month `t`, handing each block's
    /// result to `visit`; leaves the energy each class generates for the new loads in
    /// `s.added_mwh` and returns the energy of the new loads beyond the stack, MWh.
    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    fn month(
        &self,
        t: usize,
        d: &DriverMonth,
        cx: &Context,
        s: &mut Scratch,
        mining_mw: f64,
        datacenter_mw: f64,
        mut visit: impl FnMut(&Block, BlockResult),
        totals: Option<&mut MonthTotals>,
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
        s.tranche_prices.clear();
        for (k, c) in self.classes.iter().enumerate().skip(self.n_fleet) {
            if self.on(t)[k] {
                s.tranche_prices.push((s.costs[k], s.costs[c.fleet]));
            }
        }
        let table = self.outage_table(t);
        let voll = self.voll_usd * fx;
        let on = self.on(t);
        let added = mining_mw + datacenter_mw;
        let sh = self.shed.as_deref();
        // The liquidity feedback: imported-fuel capacity available on the base path's
        // circular debt, and with the allocation's own added to it.
        let liquidity = sh.and_then(|x| x.liquidity.as_ref());
        let (a_base, a_with) = liquidity.map_or((1.0, 1.0), |l| {
            let base = liquidity::base_stock(l, t);
            (
                liquidity::available_share(l, base),
                liquidity::available_share(l, base + cx.allocation_circular_debt_pkr),
            )
        });
        s.imported_available_share = a_with;
        // The merit order and the fixed slices are set for the month; only the profiled and the
        // energy-limited classes' capacity changes from block to block (the varying slices).
        s.stack.clear();
        s.varying.clear();
        s.class_at.clear();
        for &k in &s.order {
            if on[k] {
                let c = &self.classes[k];
                if c.profile != Profile::None || c.limited {
                    s.varying.push((s.stack.len(), k));
                }
                s.class_at.push(k);
                let mw = if c.imported && liquidity.is_some() {
                    c.derated_mw * a_base
                } else {
                    c.derated_mw
                };
                s.stack.push(Slice { mw, cost: s.costs[k] });
            }
        }
        // Slices after the last varying class do not change within the month.
        let head_len = s.varying.last().map_or(0, |&(pos, _)| pos + 1);
        s.tail.prepare(&s.stack[head_len..]);
        // Every step below runs over all blocks of the month at once (arrays over blocks, no
        // early exits), so that the compiler can evaluate several blocks per instruction. Each
        // block sees exactly the arithmetic, in the same order, of a block-by-block evaluation.
        let lanes = &self.lanes[t];
        let nb = lanes.shape.len();
        let w = &mut s.work;
        w.reset(nb);
        for (l, &shape) in w.load.iter_mut().zip(&lanes.shape) {
            *l = load_avg * shape;
        }
        self.new_loads(t, mining_mw, datacenter_mw, w);
        // The profiled classes' output (energy-limited classes are scheduled below).
        s.var_mw.resize_with(s.varying.len(), Vec::new);
        for (&(_, k), mw) in s.varying.iter().zip(&mut s.var_mw) {
            let c = &self.classes[k];
            mw.clear();
            mw.resize(nb, 0.0);
            match c.profile {
                Profile::Hydro => {
                    for (mw, &cf) in mw.iter_mut().zip(&lanes.cf[0]) {
                        *mw = c.derated_mw * (cf * hydro_avail).min(1.0);
                    }
                }
                Profile::Wind | Profile::Solar => {
                    let cf = &lanes.cf[if c.profile == Profile::Wind { 1 } else { 2 }];
                    for (mw, &cf) in mw.iter_mut().zip(cf) {
                        *mw = c.derated_mw * cf;
                    }
                }
                Profile::None => continue,
            }
            for (p, &mw) in w.profiled.iter_mut().zip(mw.iter()) {
                *p += mw;
            }
        }
        let mut shed_state = None;
        if let Some(sh) = sh {
            shed_state = Some(self.shed_rules(t, sh, cx, s, datacenter_mw, (a_base, a_with)));
        } else {
            let w = &mut s.work;
            for ((h, &l), &a) in w.hi.iter_mut().zip(&w.load).zip(&w.added) {
                *h = l + a;
            }
        }
        // What the rules' shedding saves: the cost per hour of the band of the stack the shed
        // load would have taken, above what is served. Without the new loads, the rules' whole
        // band above the served load; with them, the band of the consumers they displace, on top
        // of the new loads: `[served_with + A, served_without + A]`. Integrated over the stack
        // with the head walk and the prepared tail; no pass when no rule sheds anything.
        let bands = match sh {
            Some(_) => Self::rule_bands(s),
            None => false,
        };
        // The energy by class of the added load: head slices as they are walked, then the tail's.
        s.added_mwh.clear();
        s.added_mwh.resize(n, 0.0);
        let (class_head, class_tail) = s.class_at.split_at(head_len);
        let mut beyond = 0.0;
        let w = &mut s.work;
        Self::head(
            lanes,
            &s.stack[..head_len],
            &s.varying,
            &s.var_mw,
            w,
            class_head,
            &mut s.added_mwh,
            bands,
        );
        s.tail
            .finish(&w.load, &w.hi, &w.pos, voll, &mut w.marginal, &mut w.cost);
        if bands {
            for ((lo, hi), out) in w.band_lo.iter().zip(&w.band_hi).zip(&mut w.avoided) {
                s.tail.band_cost(lo, hi, &w.pos, out);
            }
        }
        if added != 0.0 {
            // Zero added load generates nothing: the energies are left at zero without a pass.
            beyond = s.tail.energies(&w.load, &w.hi, &w.pos, &lanes.hours, |j, mwh| {
                s.added_mwh[class_tail[j]] = mwh;
            });
        }
        match (sh, shed_state) {
            (Some(sh), Some(state)) => {
                self.adequacy_shed(table, &state, s);
                if let Some(m) = totals {
                    self.totals(t, Some((sh, &state)), s, cx.cpi, m);
                } else {
                    for (b, block) in self.blocks[t].iter().enumerate() {
                        let mut r = self.result(&s.work, b, block.hours);
                        self.shed_result(sh, &state, s, b, cx.cpi, &mut r);
                        visit(block, r);
                    }
                }
            }
            _ => {
                self.adequacy(table, datacenter_mw, &mut s.work);
                if let Some(m) = totals {
                    self.totals(t, None, s, cx.cpi, m);
                } else {
                    for (b, block) in self.blocks[t].iter().enumerate() {
                        visit(block, self.result(&s.work, b, block.hours));
                    }
                }
            }
        }
        beyond
    }

    /// The new loads' draw in every block of month `t` at the generation side: the miners'
    /// (`w.mining`: flat, or shaped by the month's peak relief) and both loads' (`w.added`).
    fn new_loads(&self, t: usize, mining_mw: f64, datacenter_mw: f64, w: &mut Work) {
        let nb = w.load.len();
        w.mining.clear();
        w.added.clear();
        match &self.relief[t] {
            Some(relief) if mining_mw != 0.0 => {
                interruptible::draw(relief, mining_mw, &mut w.mining);
                w.added.extend(w.mining.iter().map(|&m| m + datacenter_mw));
            }
            // The flat draw: the same sum in every block, as a block without relief computes it.
            _ => {
                w.mining.resize(nb, mining_mw);
                w.added.resize(nb, mining_mw + datacenter_mw);
            }
        }
    }

    /// The month's shedding before dispatch: latent demand, the energy-limited classes'
    /// schedules (into `s.var_mw`), the feeder rules without and with the new loads and the
    /// network limit; leaves in `s.work` the existing consumers' served load without the new
    /// loads (`load`) and all served load with them (`hi`).
    fn shed_rules(
        &self,
        t: usize,
        sh: &ShedModel,
        cx: &Context,
        s: &mut Scratch,
        datacenter_mw: f64,
        (a_base, a_with): (f64, f64),
    ) -> ShedState {
        let lanes = &self.lanes[t];
        let nb = lanes.shape.len();
        let moy = self.blocks[t][0].month_of_year;
        let w = &mut s.work;
        let factor = sh.feeders.latent_factor(moy);
        w.latent.clear();
        w.latent.extend(w.load.iter().map(|&l| l * factor));
        // Energy-limited classes: take-or-pay tranches first, then the others in merit order,
        // each peak-shaving the residual load left by the profiled classes and those before it.
        w.limited.clear();
        w.limited.resize(nb, 0.0);
        if !sh.limited.is_empty() {
            let scheduled = sh.feeders.scheduled_share(t);
            w.residual.clear();
            w.residual.extend(
                w.latent
                    .iter()
                    .zip(scheduled)
                    .zip(&w.profiled)
                    .map(|((&l, &f), &p)| l * (1.0 - f) - p),
            );
            s.lim_order.clear();
            s.lim_order.extend(0..sh.limited.len());
            let costs = &s.costs;
            s.lim_order.sort_by(|&a, &b| {
                let (la, lb) = (&sh.limited[a], &sh.limited[b]);
                (la.class < self.n_fleet)
                    .cmp(&(lb.class < self.n_fleet))
                    .then(costs[la.class].total_cmp(&costs[lb.class]))
            });
            for &i in &s.lim_order {
                let l = sh.limited[i];
                let Some(j) = s.varying.iter().position(|&(_, k)| k == l.class) else {
                    continue; // out of service this month
                };
                let c = &self.classes[l.class];
                let derate = if c.imported && sh.liquidity.is_some() {
                    a_base
                } else {
                    1.0
                };
                w.cap.clear();
                w.cap.resize(nb, c.derated_mw * derate);
                if let Some(top) = l.after
                    && let Some(jt) = s.varying.iter().position(|&(_, k)| k == top)
                {
                    for (c, &x) in w.cap.iter_mut().zip(&s.var_mw[jt]) {
                        *c = (*c - x).max(0.0);
                    }
                }
                let energy = l.energy_mwh[moy] * if l.lng { sh.lng_supply[t] } else { 1.0 };
                let level = fuel_limits::shaving_level(&w.residual, &w.cap, &lanes.hours, energy);
                let mw = &mut s.var_mw[j];
                fuel_limits::schedule(&w.residual, &w.cap, level, mw);
                for ((r, q), &x) in w.residual.iter_mut().zip(&mut w.limited).zip(mw.iter()) {
                    *r -= x;
                    *q += x;
                }
            }
        }
        // The economic rule's thresholds: the top of the slices that cost at most each
        // economic class's value, block by block.
        let economic = sh.feeders.economic();
        s.tops.resize_with(economic.len(), Vec::new);
        if !economic.is_empty() {
            let prefix: Vec<usize> = economic
                .iter()
                .map(|&k| {
                    let v = sh.feeders.value_pkr_per_mwh(k, cx.cpi);
                    s.class_at
                        .iter()
                        .take_while(|&&c| s.must_run[c] || s.costs[c] <= v)
                        .count()
                })
                .collect();
            w.cum.clear();
            w.cum.resize(nb, 0.0);
            let len = s.stack.len();
            let tops = &mut s.tops;
            let mut snapshot = |j: usize, cum: &[f64]| {
                for (top, _) in tops.iter_mut().zip(&prefix).filter(|&(_, &p)| p == j) {
                    top.clear();
                    if j == len {
                        top.resize(nb, f64::INFINITY);
                    } else {
                        top.extend_from_slice(cum);
                    }
                }
            };
            // No threshold lies above the highest prefix: the walk stops there.
            let last = prefix.iter().copied().max().unwrap_or(0);
            let walk = slices_by_block(&s.stack, &s.varying, &s.var_mw).take(last);
            for (j, (slice, mw)) in walk.enumerate() {
                snapshot(j, &w.cum);
                match mw {
                    Some(mw) => {
                        for (c, &x) in w.cum.iter_mut().zip(mw) {
                            *c += x;
                        }
                    }
                    None => {
                        for c in &mut w.cum {
                            *c += slice.mw;
                        }
                    }
                }
            }
            snapshot(last, &w.cum);
        }
        w.hours_per_latent.clear();
        w.hours_per_latent.extend(
            w.latent
                .iter()
                .zip(&lanes.hours)
                .map(|(&l, &h)| if l > 0.0 { h / l } else { 0.0 }),
        );
        let hpl = &w.hours_per_latent;
        w.zeros.clear();
        w.zeros.resize(nb, 0.0);
        sh.feeders.apply_cases(
            t,
            &w.latent,
            &lanes.hours,
            hpl,
            &s.tops,
            [&w.zeros, &w.added],
            [&mut s.base_rules, &mut s.with_rules],
        );
        // The network: load beyond the deliverable MW is shed, with the new loads in the
        // curtailment priority.
        let limit = sh.deliverable[t];
        let (eb_all, ew_all) = (&s.base_rules.served_total[..nb], &s.with_rules.served_total[..nb]);
        w.net_base.clear();
        w.net_base.resize(nb, 0.0);
        for v in &mut w.net_with {
            v.clear();
            v.resize(nb, 0.0);
        }
        let (load, hi) = (&mut w.load[..nb], &mut w.hi[..nb]);
        let added = &w.added[..nb];
        let binds = ew_all
            .iter()
            .zip(eb_all)
            .zip(added)
            .any(|((&ew, &eb), &a)| ew + a > limit || eb > limit);
        if binds {
            for b in 0..nb {
                let (eb, ew) = (eb_all[b], ew_all[b]);
                w.net_base[b] = (eb - limit).max(0.0);
                load[b] = if eb > limit { limit } else { eb };
                let loads = self.priority.map(|g| match g {
                    Group::Mining => w.mining[b],
                    Group::Households => ew,
                    Group::Datacenters => datacenter_mw,
                });
                let total = ew + added[b];
                for (v, x) in w
                    .net_with
                    .iter_mut()
                    .zip(deliverability::shed_in_order(loads, total - limit))
                {
                    v[b] = x;
                }
                // Rounding can leave the new loads' displacement a hair above their MW.
                hi[b] = (if total > limit { limit } else { total }).max(load[b]);
            }
        } else {
            for b in 0..nb {
                load[b] = eb_all[b];
                hi[b] = crate::float::max(ew_all[b] + added[b], eb_all[b]);
            }
        }
        let table_mw = sh.imported_table_mw[t];
        let liq_base = (1.0 - a_base) * table_mw;
        ShedState {
            liq_base,
            liq_with: liq_base + (a_base - a_with) * sh.imported_mw[t],
            fuel_free: !sh.limited.is_empty() || sh.liquidity.is_some(),
            limited_full_mw: sh.limited_full_mw[t],
            datacenter_mw,
        }
    }

    /// The bands of load the rules shed (`w.band_lo`, `w.band_hi`: without the new loads, and the
    /// consumers they displace with them, on top of the new loads' `w.added` MW) and their cost
    /// per hour zeroed (`w.avoided`); returns whether any band is non-empty (any rule shed
    /// anything).
    fn rule_bands(s: &mut Scratch) -> bool {
        let (base, with, w) = (&s.base_rules, &s.with_rules, &mut s.work);
        let nb = w.load.len();
        let added = &w.added[..nb];
        w.band_lo[0].clear();
        w.band_lo[0].extend_from_slice(&base.served_total[..nb]);
        w.band_hi[0].clear();
        w.band_hi[0].extend(base.served_total.iter().zip(&base.shed_total).map(|(&x, &r)| x + r));
        w.band_lo[1].clear();
        w.band_lo[1].extend(with.served_total[..nb].iter().zip(added).map(|(&x, &a)| x + a));
        w.band_hi[1].clear();
        w.band_hi[1].extend(base.served_total[..nb].iter().zip(added).map(|(&x, &a)| x + a));
        for v in &mut w.avoided {
            v.clear();
            v.resize(nb, 0.0);
        }
        base.shed_total.iter().any(|&x| x != 0.0) || with.shed_total.iter().any(|&x| x != 0.0)
    }

    /// The head of the merit order (up to the last varying class), slice by slice over all
    /// blocks: the marginal cost of loads within the head and the cost of the part of the added
    /// load it serves; into `energy` (by class, zero on entry) the energy each head slice
    /// (class `class_at[i]`) generates for the added load; and, if `bands`, the head's cost of
    /// the rules' bands into `w.avoided` (see [`Grid::rule_bands`]).
    #[allow(clippy::too_many_arguments)]
    fn head(
        lanes: &BlockLanes,
        head: &[Slice],
        varying: &[(usize, usize)],
        var_mw: &[Vec<f64>],
        w: &mut Work,
        class_at: &[usize],
        energy: &mut [f64],
        bands: bool,
    ) {
        use crate::float::{max, min};
        // Folds in interleaved lanes: a min or max of the same numbers in another order is the
        // same number (never NaN; a zero's sign only meets comparisons), without a chain of
        // one dependent compare per block.
        let fold = |x: &[f64], init: f64, f: fn(f64, f64) -> f64| dispatch::lanes_fold(x, init, f);
        // Slices wholly below every block's load set no marginal cost and serve none of the
        // added load, and slices wholly below every band cost none of it: for them the walk
        // only moves `pos`, bit for bit as the full step would. "Wholly below" is decided on an
        // upper bound of the slice's top in every block (the running bound of `pos` plus the
        // slice's largest capacity: rounding is monotone, so the bound holds).
        let load_lo = fold(&w.load, f64::INFINITY, min);
        // Without bands no slice costs any of them.
        let band_lo = if bands {
            fold(&w.band_lo[0], fold(&w.band_lo[1], f64::INFINITY, min), min)
        } else {
            f64::INFINITY
        };
        let mut pos_hi = fold(&w.pos, f64::NEG_INFINITY, max);
        for (i, (slice, mw)) in slices_by_block(head, varying, var_mw).enumerate() {
            let mw_hi = mw.map_or(slice.mw, |mw| fold(mw, f64::NEG_INFINITY, max));
            let top_hi = pos_hi + mw_hi;
            pos_hi = top_hi;
            if top_hi < load_lo && top_hi <= band_lo {
                match mw {
                    Some(mw) => {
                        for (p, &m) in w.pos.iter_mut().zip(mw) {
                            *p += m;
                        }
                    }
                    None => {
                        for p in &mut w.pos {
                            *p += slice.mw;
                        }
                    }
                }
                continue;
            }
            let mw = match mw {
                Some(mw) => mw,
                None => {
                    w.mw.fill(slice.mw);
                    &w.mw[..]
                }
            };
            if bands && top_hi > band_lo {
                // Each band's part in this slice, at its cost (before the walk moves `pos`).
                let cost = slice.cost;
                let n = w.pos.len();
                let (pos, mw) = (&w.pos[..n], &mw[..n]);
                for ((lo, hi), out) in w.band_lo.iter().zip(&w.band_hi).zip(&mut w.avoided) {
                    let (lo, hi, out) = (&lo[..n], &hi[..n], &mut out[..n]);
                    for b in 0..n {
                        out[b] += max(min(pos[b] + mw[b], hi[b]) - max(pos[b], lo[b]), 0.0) * cost;
                    }
                }
            }
            let serves = dispatch::head_slice(slice.cost, mw, &w.load, &w.hi, &mut w.pos, &mut w.marginal, &mut w.cost);
            if serves {
                energy[class_at[i]] = dispatch::head_slice_energy(mw, &w.load, &w.hi, &w.pos, &lanes.hours);
            }
        }
    }

    /// Block `b`'s result from the month's arrays; the split by cause and class is that of the
    /// capacity-only model (all shedding is capacity shortfall, all load in one class) until
    /// [`Grid::shed_result`] overwrites it.
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
        let load = w.load[b];
        r.latent_mw = load;
        r.served_base_mw = load - r.eue_base_mw;
        r.served_with_mw = load - r.eue_households_mw;
        r.cause_base_mw[2] = r.eue_base_mw;
        r.cause_with_mw[2] = r.eue_households_mw;
        r.class_shed_base_mw[0] = r.eue_base_mw;
        r.class_shed_with_mw[0] = r.eue_households_mw;
        if load > 0.0 {
            r.class_shed_share_base[0] = r.eue_base_mw / load;
            r.class_shed_share_with[0] = r.eue_households_mw / load;
        }
        r.shed_share_base = r.class_shed_share_base[0];
        r.shed_share_with = r.class_shed_share_with[0];
        r
    }

    /// Block `b`'s shedding by cause and feeder class, over the capacity-only figures of
    /// [`Grid::result`]: the rules and the network are deterministic; the outage table's
    /// shortfall is split into capacity (without fuel limits or derating) and fuel (the rest);
    /// the network's and the table's shortfall falling on the existing consumers is shared by the
    /// classes in proportion to the load the rules leave them.
    fn shed_result(&self, sh: &ShedModel, st: &ShedState, s: &Scratch, b: usize, cpi: f64, r: &mut BlockResult) {
        let w = &s.work;
        let pos = |g: Group| self.priority.iter().position(|&x| x == g).expect("a permutation");
        let hh = pos(Group::Households);
        let latent = w.latent[b];
        r.latent_mw = latent;
        r.eue_mining_mw += w.net_with[pos(Group::Mining)][b];
        r.eue_datacenters_mw += w.net_with[pos(Group::Datacenters)][b];
        let table_base = r.eue_base_mw;
        let table_with = r.eue_households_mw;
        let (capacity_base, capacity_with) = if st.fuel_free {
            (w.nf_eue[0][b], w.nf_eue[1][b] - w.nf_eue[2][b])
        } else {
            (table_base, table_with)
        };
        let cases = [
            (&s.base_rules, w.net_base[b], table_base, capacity_base),
            (&s.with_rules, w.net_with[hh][b], table_with, capacity_with),
        ];
        for (case, (rules, network, table, capacity)) in cases.into_iter().enumerate() {
            let rule_mw = rules.shed_total[b];
            let causes = [rule_mw, network, capacity, table - capacity];
            let served = rules.served_total[b];
            let after = network + table;
            let mut classes = [0.0; MAX_FEEDER_CLASSES];
            let mut shares = [0.0; MAX_FEEDER_CLASSES];
            let mut forgone = 0.0;
            for k in 0..sh.feeders.len() {
                let shed = rules.shed[k][b]
                    + if served > 0.0 {
                        class_share_of(after, rules.served[k][b], served)
                    } else {
                        0.0
                    };
                classes[k] = shed;
                let load = sh.feeders.share(k) * latent;
                shares[k] = if load > 0.0 { shed / load } else { 0.0 };
                forgone += sh.feeders.value_pkr_per_mwh(k, cpi) * rules.shed[k][b];
            }
            let total_share = if latent > 0.0 { (rule_mw + after) / latent } else { 0.0 };
            let served_mw = latent - rule_mw - after;
            if case == 0 {
                r.cause_base_mw = causes;
                r.class_shed_base_mw = classes;
                r.class_shed_share_base = shares;
                r.shed_share_base = total_share;
                r.served_base_mw = served_mw;
                r.revenue_forgone_base_pkr_per_h = forgone;
                r.cost_avoided_base_pkr_per_h = w.avoided[0][b];
            } else {
                r.cause_with_mw = causes;
                r.class_shed_with_mw = classes;
                r.class_shed_share_with = shares;
                r.shed_share_with = total_share;
                r.served_with_mw = served_mw;
                r.revenue_forgone_with_pkr_per_h = forgone;
                r.cost_displaced_pkr_per_h = w.avoided[1][b];
            }
        }
    }

    /// The month's totals from its per-block arrays, each figure an hour-weighted sum over the
    /// blocks ([`dispatch::dot`]): what summing [`Grid::result`] (and [`Grid::shed_result`] on
    /// the shedding path) block by block gives, up to rounding. The capacity-only model is the
    /// shedding path with nothing shed by a rule or the network, all load in one class and no
    /// fuel-free counterfactual, and both paths compute each figure the same way, so that a
    /// `[shedding]` that does nothing reproduces the capacity-only model bit for bit.
    #[allow(clippy::too_many_lines)]
    fn totals(
        &self,
        t: usize,
        shedding: Option<(&ShedModel, &ShedState)>,
        s: &mut Scratch,
        cpi: f64,
        m: &mut MonthTotals,
    ) {
        use dispatch::{dot, dots, map2, map3};
        let hours = &self.lanes[t].hours[..];
        let n = hours.len();
        let pos = |g: Group| self.priority.iter().position(|&x| x == g).expect("a permutation");
        let (hh, mi, dc) = (pos(Group::Households), pos(Group::Mining), pos(Group::Datacenters));
        let w = &mut s.work;
        if shedding.is_none() {
            // Latent demand is the load.
            w.latent.clear();
            w.latent.extend_from_slice(&w.load);
            w.hours_per_latent.clear();
            w.hours_per_latent.extend(
                w.latent
                    .iter()
                    .zip(hours)
                    .map(|(&l, &h)| if l > 0.0 { h / l } else { 0.0 }),
            );
        }
        w.zeros.clear();
        w.zeros.resize(n, 0.0);
        // What each curtailment group loses of the outage table's shortfall.
        for (i, lost) in w.lost.iter_mut().enumerate() {
            match w.eue.get(i + 2) {
                Some(next) => map2(lost, &w.eue[i + 1], next, |a, b| a - b),
                None => {
                    lost.clear();
                    lost.extend_from_slice(&w.eue[i + 1]);
                }
            }
        }
        let w = &s.work;
        [m.added_cost, m.marginal, m.lole_base, m.lole_with] =
            dots([&w.cost, &w.marginal, &w.lolp[0], &w.lolp[1]], hours);
        let mut tmp = std::mem::take(&mut s.tmp);
        tmp.resize_with(4, Vec::new);
        m.marginal_priced = if s.tranche_prices.is_empty() {
            m.marginal
        } else {
            let priced = &mut tmp[0];
            priced.clear();
            priced.extend(w.marginal.iter().map(|&x| {
                let mut p = x;
                for &(shadow, market) in &s.tranche_prices {
                    if p == shadow {
                        p = market;
                    }
                }
                p
            }));
            dot(priced, hours)
        };
        m.hours = hours.iter().sum();
        [m.lole_households, m.eue_base, m.eue_with, m.eue_households] =
            dots([&w.lolp[1 + hh], &w.eue[0], &w.eue[1], &w.lost[hh]], hours);
        // Without shedding the network sheds nothing: its sums are zeros (a sum of zeros is +0).
        let [lost_mi, net_mi, lost_dc, net_dc] = if shedding.is_some() {
            dots(
                [&w.lost[mi], &w.net_with[mi][..n], &w.lost[dc], &w.net_with[dc][..n]],
                hours,
            )
        } else {
            let [lost_mi, lost_dc] = dots([&w.lost[mi], &w.lost[dc]], hours);
            [lost_mi, 0.0, lost_dc, 0.0]
        };
        m.eue_mining = lost_mi + net_mi;
        m.eue_datacenters = lost_dc + net_dc;
        m.latent_mwh = dot(&w.latent, hours);
        let hpl = &w.hours_per_latent[..n];
        for case in 0..2 {
            let table = if case == 0 { &w.eue[0][..n] } else { &w.lost[hh][..n] };
            let (rules, network, avoided) = match shedding {
                Some(_) => {
                    let r = if case == 0 { &s.base_rules } else { &s.with_rules };
                    let network = if case == 0 {
                        &w.net_base[..n]
                    } else {
                        &w.net_with[hh][..n]
                    };
                    (Some(r), network, &w.avoided[case][..n])
                }
                None => (None, &w.zeros[..], &w.zeros[..]),
            };
            let rule = rules.map_or(&w.zeros[..], |r| &r.shed_total[..n]);
            let [after, capacity, other, per_served] = &mut tmp[..] else {
                unreachable!("four arrays")
            };
            map2(after, network, table, |x, y| x + y);
            // Capacity: the shortfall without fuel limits or idle capacity; fuel: the rest.
            match shedding {
                Some((_, st)) if st.fuel_free && case == 1 => {
                    map2(capacity, &w.nf_eue[1][..n], &w.nf_eue[2][..n], |a, b| a - b);
                }
                _ => {
                    let source = match shedding {
                        Some((_, st)) if st.fuel_free => &w.nf_eue[0][..n],
                        _ => table,
                    };
                    capacity.clear();
                    capacity.extend_from_slice(source);
                }
            }
            let (causes, served_mwh, cost_avoided, hours_shed);
            if shedding.is_some() {
                map2(other, table, capacity, |x, c| x - c);
                causes = dots([rule, network, &capacity[..], &other[..]], hours);
                map3(other, &w.latent[..n], rule, after, |l, r, a| l - r - a);
                [served_mwh, cost_avoided] = dots([&other[..], avoided], hours);
                map2(other, rule, after, |r, a| r + a);
                hours_shed = dot(other, hpl);
            } else {
                // The same figures where the rules, the network and the fuel part shed nothing
                // and nothing is avoided (`capacity` is the table, so `table - capacity` is
                // zeros): sums of zeros are +0, and `0 + after` is `after` (itself `0 + table`,
                // never -0).
                causes = [0.0, 0.0, dot(capacity, hours), 0.0];
                map3(other, &w.latent[..n], rule, after, |l, r, a| l - r - a);
                served_mwh = dot(other, hours);
                cost_avoided = 0.0;
                hours_shed = dot(after, hpl);
            }
            // Each class: its rule's shedding, plus its share of the network's and the outage
            // table's shortfall, in proportion to the load the rules leave it.
            let mut class_mwh = [0.0; MAX_FEEDER_CLASSES];
            let mut class_hours = [0.0; MAX_FEEDER_CLASSES];
            let mut forgone = 0.0;
            let served = rules.map_or(&w.latent[..n], |r| &r.served_total[..n]);
            // Shortfall after the rules where there is load left to take it.
            map2(other, after, served, |a, x| if a > 0.0 && x > 0.0 { a } else { 0.0 });
            let classes = shedding.map_or(1, |(sh, _)| sh.feeders.len());
            if let (Some((sh, _)), Some(r)) = (shedding, rules) {
                for k in 0..classes {
                    class_mwh[k] = r.class_mwh[k];
                    let share = sh.feeders.share(k);
                    class_hours[k] = if share > 0.0 {
                        r.class_latent_hours[k] / share
                    } else {
                        0.0
                    };
                    forgone += sh.feeders.value_pkr_per_mwh(k, cpi) * r.class_mwh[k];
                }
            }
            let share0 = shedding.map_or(1.0, |(sh, _)| sh.feeders.share(0));
            if classes == 1 {
                // One class takes the whole shortfall (exactly: the capacity-only figures).
                let [mwh, latent_hours] = dots([hours, hpl], other);
                class_mwh[0] += mwh;
                if share0 > 0.0 {
                    class_hours[0] += latent_hours / share0;
                }
            } else if let (Some((sh, _)), Some(r)) = (shedding, rules)
                && other.iter().any(|&a| a > 0.0)
            {
                // The shortfall after the rules per MW they leave, weighted by the hours and by
                // the hours per MW of latent load; then each class's part as two sums over the
                // blocks of the load the rules leave it.
                map2(per_served, other, served, |a, x| if a > 0.0 { a / x } else { 0.0 });
                map2(capacity, per_served, hours, |p, h| p * h);
                map2(after, per_served, hpl, |p, h| p * h);
                for k in 0..classes {
                    let [mwh, latent_hours] = dots([&capacity[..], &after[..]], &r.served[k][..n]);
                    class_mwh[k] += mwh;
                    let share = sh.feeders.share(k);
                    if share > 0.0 {
                        class_hours[k] += latent_hours / share;
                    }
                }
            }
            if case == 0 {
                m.cause_base = causes;
                m.served_base_mwh = served_mwh;
                m.shed_hours_base = hours_shed;
                m.class_hours_base = class_hours;
                m.class_mwh_base = class_mwh;
                m.revenue_forgone_base = forgone;
                m.cost_avoided_base = cost_avoided;
            } else {
                m.cause_with = causes;
                m.served_with_mwh = served_mwh;
                m.shed_hours_with = hours_shed;
                m.class_hours_with = class_hours;
                m.class_mwh_with = class_mwh;
                m.revenue_forgone_with = forgone;
                m.cost_displaced = cost_avoided;
            }
        }
        s.tmp = tmp;
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
    fn adequacy(&self, table: &OutageTable, datacenter_mw: f64, w: &mut Work) {
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
                match g {
                    // The miners' draw by block: flat, or shaped by peak relief.
                    Group::Mining => {
                        for (v, &m) in x.iter_mut().zip(&w.mining) {
                            *v += m;
                        }
                    }
                    Group::Datacenters => {
                        for v in x.iter_mut() {
                            *v += datacenter_mw;
                        }
                    }
                    Group::Households => {
                        for v in x.iter_mut() {
                            *v += 0.0;
                        }
                    }
                }
            }
        }
        let mining = &w.mining;
        let idle = |g: Group| match g {
            Group::Mining => mining.iter().all(|&m| m == 0.0),
            Group::Datacenters => datacenter_mw == 0.0,
            Group::Households => false,
        };
        let same = self.idle_levels(idle);
        Self::look_up(table, w, same, (0.0, 0.0));
    }

    /// Which of `levels[1..4]` equal the next level bit for bit: level `1 + i` is level `2 + i`
    /// plus the part of group `priority[i]`, added in the same order, so when that group is not
    /// the households (whose levels start from another array) and `no_load` says its part is
    /// zero in every block, the two are the same numbers.
    fn idle_levels(&self, no_load: impl Fn(Group) -> bool) -> [bool; 3] {
        std::array::from_fn(|i| self.priority[i] != Group::Households && no_load(self.priority[i]))
    }

    /// The outage table's loss-of-load probability and unserved power at each of `w.levels[..4]`
    /// (`levels[4]` is not looked up: profiled output is never negative, so no capacity is ever
    /// short of it and its unserved power is zero). `idle` is the MW idle for lack of liquidity
    /// without and with the new loads: a level `y` is then looked up as `e(max(y, 0) + D) - e(D)`,
    /// `P(X < y + D)` for `y > 0` (see [`liquidity`]).
    ///
    /// Lookups that cannot matter are skipped, with the same numbers: a level `same[i]` marks as
    /// equal to the next is copied from it; so is a level equal to one already looked up with the
    /// same idle MW (as the households' level and the base load when the data centres draw
    /// nothing); and a level at or below zero in every block is lost with probability zero.
    fn look_up(table: &OutageTable, w: &mut Work, same: [bool; 3], (idle_base, idle_with): (f64, f64)) {
        for i in (0..4).rev() {
            let (lolp, lolp_next) = w.lolp.split_at_mut(i + 1);
            let (eue, eue_next) = w.eue.split_at_mut(i + 1);
            let (lolp, eue) = (&mut lolp[i], &mut eue[i]);
            let idle = if i == 0 { idle_base } else { idle_with };
            let x = &w.levels[i];
            // A level equal to a later one (already looked up with the same idle MW), or the
            // next level when that is `levels[4]`.
            let copy = if i >= 1 && same[i - 1] {
                Some(i + 1)
            } else {
                // (Later levels are looked up with `idle_with`.)
                (i + 1..4).find(|&j| idle == idle_with && w.levels[j] == *x)
            };
            match copy.map(|j| (lolp_next.get(j - i - 1), eue_next.get(j - i - 1))) {
                Some((Some(p), Some(e))) => {
                    lolp.copy_from_slice(p);
                    eue.copy_from_slice(e);
                    continue;
                }
                Some(_) => {
                    lolp.fill(0.0);
                    eue.fill(0.0);
                    continue;
                }
                None => {}
            }
            if x.iter().all(|&y| y <= 0.0) {
                lolp.fill(0.0);
                eue.fill(0.0);
                continue;
            }
            if idle > 0.0 {
                w.shifted.clear();
                w.shifted.extend(x.iter().map(|&y| crate::float::max(y, 0.0) + idle));
                table.lolp_eue_into(&w.shifted, lolp, eue);
                let floor = table.eue(idle);
                for ((p, e), &y) in lolp.iter_mut().zip(eue.iter_mut()).zip(x.iter()) {
                    *e -= floor;
                    if y <= 0.0 {
                        *p = 0.0;
                        *e = 0.0;
                    }
                }
            } else {
                table.lolp_eue_into(x, lolp, eue);
            }
        }
    }

    /// [`Grid::adequacy`] with shedding: the levels are the load the rules and the network leave
    /// (the groups' loads after the network), less the profiled output and the energy-limited
    /// schedules as certain capacity; the liquidity feedback's idle MW `D` is certain lost
    /// capacity, so a level `y` is looked up as `e(max(y, 0) + D) - e(D)`, `P(X < y + D)` for
    /// `y > 0` (see [`liquidity`]). The same levels with the energy-limited classes at their full
    /// expected capacity and no idle MW give the fuel-free shortfall of the split by cause; and
    /// the cost of the bands of load the rules shed is integrated over the month's stack.
    fn adequacy_shed(&self, table: &OutageTable, st: &ShedState, s: &mut Scratch) {
        let w = &mut s.work;
        let nb = w.load.len();
        w.cert.clear();
        w.cert.extend(w.profiled.iter().zip(&w.limited).map(|(&p, &q)| p + q));
        let datacenter_mw = st.datacenter_mw;
        // Each group's load after the network, in priority order (households' relative to the
        // load without the new loads, so that the levels sum as in `adequacy`).
        let served_with = &s.with_rules.served_total[..nb];
        for (i, &g) in self.priority.iter().enumerate() {
            let (part, net) = (&mut w.parts[i], &w.net_with[i][..nb]);
            part.clear();
            match g {
                Group::Mining => part.extend(net.iter().zip(&w.mining).map(|(&x, &m)| m - x)),
                Group::Datacenters => part.extend(net.iter().map(|&x| datacenter_mw - x)),
                Group::Households => part.extend(
                    served_with
                        .iter()
                        .zip(net)
                        .zip(&w.load)
                        .map(|((&ew, &x), &lo)| (ew - x) - lo),
                ),
            }
        }
        let [base, tops @ .., none] = &mut w.levels;
        for ((x, &lo), &c) in base.iter_mut().zip(&w.load).zip(&w.cert) {
            *x = lo - c;
        }
        for (x, &c) in none.iter_mut().zip(&w.cert) {
            *x = -c;
        }
        for (i, x) in tops.iter_mut().enumerate() {
            x.copy_from_slice(if self.priority[i..].contains(&Group::Households) {
                &*base
            } else {
                &*none
            });
            for part in &w.parts[i..] {
                for (v, &p) in x.iter_mut().zip(part) {
                    *v += p;
                }
            }
        }
        // A group with no load left after the network in any block repeats the next level.
        let same = self.idle_levels(|g| {
            let i = self.priority.iter().position(|&x| x == g).expect("a permutation");
            w.parts[i].iter().all(|&p| p == 0.0)
        });
        Self::look_up(table, w, same, (st.liq_base, st.liq_with));
        if st.fuel_free {
            let hh = self
                .priority
                .iter()
                .position(|&g| g == Group::Households)
                .expect("a permutation");
            let full = st.limited_full_mw;
            // Without fuel limits there is more capacity, so a block with no shortfall has none
            // without them either: the table is asked only where the shortfall is positive.
            for k in 0..3 {
                let (level, gate) = match k {
                    0 => (0, 0),
                    1 => (1 + hh, 1 + hh),
                    _ => (2 + hh, 1 + hh),
                };
                let dst = &mut w.nf_eue[k];
                dst.clear();
                dst.resize(nb, 0.0);
                if level >= 4 {
                    continue;
                }
                for (b, x) in dst.iter_mut().enumerate() {
                    if w.eue[gate][b] > 0.0 {
                        *x = table.eue(w.levels[level][b] + w.cert[b] - (w.profiled[b] + full));
                    }
                }
            }
        }
    }
}

/// The month's stack (slices in merit order, or a prefix of it) with each slice's capacity by
/// block: `Some(mw)` for a varying slice (profiled or energy-limited; `varying` holds their stack
/// positions in order, `var_mw` their capacities), `None` for a fixed one, whose capacity is its
/// `Slice::mw` in every block.
fn slices_by_block<'a>(
    stack: &'a [Slice],
    varying: &'a [(usize, usize)],
    var_mw: &'a [Vec<f64>],
) -> impl Iterator<Item = (&'a Slice, Option<&'a [f64]>)> + 'a {
    let mut var = varying.iter().zip(var_mw).peekable();
    stack.iter().enumerate().map(move |(j, slice)| {
        (
            slice,
            var.next_if(|((pos, _), _)| *pos == j).map(|(_, mw)| mw.as_slice()),
        )
    })
}

/// A class's part of `after` MW shed after the rules, in proportion to the `served_k` of the
/// `served` MW the rules leave it: `after` itself when it holds all of it (exactly, so that one
/// class reproduces the capacity-only figures bit for bit).
#[inline]
fn class_share_of(after: f64, served_k: f64, served: f64) -> f64 {
    if served_k == served {
        after
    } else {
        served_k * (after / served)
    }
}

/// The month's shedding state between the rules and adequacy.
#[derive(Debug, Clone, Copy)]
struct ShedState {
    /// Imported-fuel MW idle for lack of liquidity: without, and with the new loads.
    liq_base: f64,
    liq_with: f64,
    /// Whether the fuel-free counterfactual differs (energy limits or liquidity).
    fuel_free: bool,
    /// Expected capacity of the energy-limited classes without limits, MW.
    limited_full_mw: f64,
    /// The data centres' MW (the miners' draw by block is in `Work::mining`).
    datacenter_mw: f64,
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
    /// Latent load of the existing consumers, MW, and each block's hours per MW of it.
    latent: Vec<f64>,
    hours_per_latent: Vec<f64>,
    /// Residual load the energy-limited classes shave, and one class's capacity, MW.
    residual: Vec<f64>,
    cap: Vec<f64>,
    /// The energy-limited classes' schedules, summed, MW.
    limited: Vec<f64>,
    /// Running capacity of the stack, MW.
    cum: Vec<f64>,
    /// The network's shedding: of the existing load without the new loads, and of each group
    /// (in curtailment priority) with them, MW.
    net_base: Vec<f64>,
    net_with: [Vec<f64>; 3],
    /// Certain capacity (profiled output and energy-limited schedules), MW.
    cert: Vec<f64>,
    /// Each curtailment group's part of the levels, in priority order, MW.
    parts: [Vec<f64>; 3],
    /// Levels shifted by the liquidity feedback's idle MW.
    shifted: Vec<f64>,
    /// Unserved power without fuel limits or idle capacity: of the existing consumers without
    /// the new loads, and of the households' level and the next with them, MW.
    nf_eue: [Vec<f64>; 3],
    /// Bands of load the rules shed without the new loads, and the band of the consumers the
    /// new loads displace; their cost per hour.
    band_lo: [Vec<f64>; 2],
    band_hi: [Vec<f64>; 2],
    avoided: [Vec<f64>; 2],
    /// What each curtailment group loses of the outage table's shortfall, MW.
    lost: [Vec<f64>; 3],
    /// Zeros, one per block.
    zeros: Vec<f64>,
    /// The miners' draw, and all new loads', by block at the generation side, MW.
    mining: Vec<f64>,
    added: Vec<f64>,
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

/// One month of one path in detail.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthExplanation {
    /// Every block with its result.
    pub blocks: Vec<(Block, BlockResult)>,
    /// The merit order as (fleet class index, PKR/MWh).
    pub order: Vec<(usize, f64)>,
    /// Each fleet class's output serving the existing consumers without the allocation, by
    /// block, MW (expected capacities, as the dispatch).
    pub generation_mw: Vec<Vec<f64>>,
}

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
    /// Latent load of the existing consumers, MW.
    pub latent_mw: f64,
    /// Load served to the existing consumers (expected), without and with the allocation, MW.
    pub served_base_mw: f64,
    /// With the allocation, MW.
    pub served_with_mw: f64,
    /// The existing consumers' shedding by cause (rules, network, capacity, fuel) without the
    /// allocation, MW.
    pub cause_base_mw: [f64; 4],
    /// With the allocation, MW.
    pub cause_with_mw: [f64; 4],
    /// Each feeder class's shedding without the allocation, MW.
    pub class_shed_base_mw: [f64; MAX_FEEDER_CLASSES],
    /// With the allocation, MW.
    pub class_shed_with_mw: [f64; MAX_FEEDER_CLASSES],
    /// Share of each class's latent load shed, without the allocation.
    pub class_shed_share_base: [f64; MAX_FEEDER_CLASSES],
    /// With the allocation.
    pub class_shed_share_with: [f64; MAX_FEEDER_CLASSES],
    /// Share of the existing consumers' latent load shed, without and with the allocation.
    pub shed_share_base: f64,
    /// With the allocation.
    pub shed_share_with: f64,
    /// What the rules' shed consumers would have paid (collected), PKR per hour, without and
    /// with the allocation.
    pub revenue_forgone_base_pkr_per_h: f64,
    /// With the allocation.
    pub revenue_forgone_with_pkr_per_h: f64,
    /// What serving the rules' shed consumers would have cost without the allocation, PKR per
    /// hour.
    pub cost_avoided_base_pkr_per_h: f64,
    /// What serving the consumers the allocation displaces would have cost on top of the new
    /// loads, PKR per hour.
    pub cost_displaced_pkr_per_h: f64,
}

/// A month's grid figures (hour-weighted sums over its blocks).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MonthTotals {
    /// Generation cost of the new loads, PKR.
    pub added_cost: f64,
    /// Hour-weighted sum of the base system's marginal cost, PKR/MWh x h.
    pub marginal: f64,
    /// The same with a take-or-pay volume at the margin priced at its fuel's market price
    /// instead of its shadow price (the accounting cost the tariffs' fuel index reads),
    /// PKR/MWh x h.
    pub marginal_priced: f64,
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
    /// Latent demand of the existing consumers, MWh.
    pub latent_mwh: f64,
    /// Energy served to them, without and with the allocation, MWh.
    pub served_base_mwh: f64,
    /// With the allocation, MWh.
    pub served_with_mwh: f64,
    /// Their shedding by cause (rules, network, capacity, fuel), without the allocation, MWh.
    pub cause_base: [f64; 4],
    /// With the allocation, MWh.
    pub cause_with: [f64; 4],
    /// Each feeder class's expected shed hours (hours times the share of its load shed),
    /// without and with the allocation.
    pub class_hours_base: [f64; MAX_FEEDER_CLASSES],
    /// With the allocation.
    pub class_hours_with: [f64; MAX_FEEDER_CLASSES],
    /// Each feeder class's shed energy, without and with the allocation, MWh.
    pub class_mwh_base: [f64; MAX_FEEDER_CLASSES],
    /// With the allocation, MWh.
    pub class_mwh_with: [f64; MAX_FEEDER_CLASSES],
    /// The existing consumers' expected shed hours, without and with the allocation.
    pub shed_hours_base: f64,
    /// With the allocation.
    pub shed_hours_with: f64,
    /// Revenue the rules' shedding forgoes (collected), without and with the allocation, PKR.
    pub revenue_forgone_base: f64,
    /// With the allocation, PKR.
    pub revenue_forgone_with: f64,
    /// Generation cost the rules' shedding avoids without the allocation, PKR.
    pub cost_avoided_base: f64,
    /// Generation cost of the consumers the allocation displaces, on top of the new loads, PKR:
    /// what the rules avoid beyond what they avoid without it.
    pub cost_displaced: f64,
    /// Share of imported-fuel capacity available with the allocation (liquidity feedback).
    pub imported_available_share: f64,
    /// Hours of the month in which the miners gave peak relief (0 when they draw nothing).
    pub relief_hours: f64,
    /// The miners' MW relieved in the block of highest load (generation side).
    pub relief_peak_mw: f64,
    /// Energy the miners did not draw for peak relief, MWh (generation side).
    pub relief_mwh: f64,
    /// The base system's fuel cost and generation ([`fuel_cost`]).
    pub base_fuel: fuel_cost::BaseFuel,
}

impl MonthTotals {
    /// The existing consumers' extra shed energy with the allocation, all causes, MWh.
    #[must_use]
    pub fn households_increase_mwh(&self) -> f64 {
        self.cause_with.iter().sum::<f64>() - self.cause_base.iter().sum::<f64>()
    }

    /// Revenue the existing consumers the allocation displaces would have paid (collected), PKR:
    /// a loss of the power sector's the allocation causes.
    #[must_use]
    pub fn displaced_revenue_pkr(&self) -> f64 {
        self.revenue_forgone_with - self.revenue_forgone_base
    }

    /// Adds one block's figures (the block-by-block sum the array totals must agree with).
    #[cfg(test)]
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
        self.latent_mwh += r.latent_mw * h;
        self.served_base_mwh += r.served_base_mw * h;
        self.served_with_mwh += r.served_with_mw * h;
        for i in 0..4 {
            self.cause_base[i] += r.cause_base_mw[i] * h;
            self.cause_with[i] += r.cause_with_mw[i] * h;
        }
        for k in 0..MAX_FEEDER_CLASSES {
            self.class_hours_base[k] += r.class_shed_share_base[k] * h;
            self.class_hours_with[k] += r.class_shed_share_with[k] * h;
            self.class_mwh_base[k] += r.class_shed_base_mw[k] * h;
            self.class_mwh_with[k] += r.class_shed_with_mw[k] * h;
        }
        self.shed_hours_base += r.shed_share_base * h;
        self.shed_hours_with += r.shed_share_with * h;
        self.revenue_forgone_base += r.revenue_forgone_base_pkr_per_h * h;
        self.revenue_forgone_with += r.revenue_forgone_with_pkr_per_h * h;
        self.cost_avoided_base += r.cost_avoided_base_pkr_per_h * h;
        self.cost_displaced += r.cost_displaced_pkr_per_h * h;
    }

    /// Hour-weighted mean marginal cost of the base system, PKR/MWh.
    #[must_use]
    pub fn marginal_pkr_per_mwh(&self) -> f64 {
        self.marginal / self.hours
    }

    /// [`MonthTotals::marginal_pkr_per_mwh`] with take-or-pay volumes at the margin priced at
    /// their fuel's market price, PKR/MWh: the fuel cost the tariffs' indexation follows.
    #[must_use]
    pub fn priced_marginal_pkr_per_mwh(&self) -> f64 {
        self.marginal_priced / self.hours
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearMonth;

    fn full_preset() -> Scenario {
        Scenario::from_toml_str(include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("valid preset")
    }

    /// The preset as a capacity-only model: no shedding rules, fuel limits or network limit.
    fn preset() -> Scenario {
        let mut sc = full_preset();
        sc.shedding = None;
        for c in &mut sc.fleet {
            c.fuel_limit = None;
        }
        sc
    }

    /// Drivers of `paths` paths of `sc` (metric-major buffers).
    pub(super) fn driver_paths(sc: &Scenario, paths: u64) -> (crate::model::Model, Vec<Vec<f64>>) {
        let model = crate::model::Model::new(sc);
        let seeds = crate::rng::uniform(5);
        let mut ms = crate::model::Scratch::default();
        let bufs = (0..paths)
            .map(|p| {
                let mut buf = vec![0.0; crate::metrics::path_len(model.months())];
                model.simulate_drivers(&seeds, p, &mut buf, &mut ms);
                buf
            })
            .collect();
        (model, bufs)
    }

    /// Capacity of the month's stack position `j` in block `b`, MW.
    fn slice_mw(s: &Scratch, j: usize, b: usize) -> f64 {
        s.varying
            .iter()
            .position(|&(p, _)| p == j)
            .map_or(s.stack[j].mw, |v| s.var_mw[v][b])
    }

    #[test]
    fn with_shedding_the_energies_still_price_to_the_added_cost() {
        let sc = full_preset();
        let (model, bufs) = driver_paths(&sc, 6);
        let g = &model.grid;
        let tm = model.months();
        let mut s = Scratch::default();
        let mut displaced_months = 0;
        for buf in &bufs {
            for t in (0..tm).step_by(7) {
                let d = DriverMonth::read(buf, tm, t);
                let m = g.month_totals(t, &d, &Context::default(), &mut s, 1_500.0, 500.0);
                let priced: f64 = s.added_mwh.iter().zip(&s.costs).map(|(e, c)| e * c).sum();
                assert!(
                    (priced - m.added_cost).abs() <= 1e-9 * m.added_cost.abs().max(1.0),
                    "{t}"
                );
                // The energies and the part beyond the stack make up the served load's increase.
                let hours = &g.lanes[t].hours;
                let served: f64 = (0..hours.len())
                    .map(|b| hours[b] * (s.work.hi[b] - s.work.load[b]))
                    .sum();
                let parts = s.added_mwh.iter().sum::<f64>() + m.added_beyond_stack_mwh;
                assert!((parts - served).abs() <= 1e-9 * served, "{t}: {parts} vs {served}");
                // Folded by fleet class, nothing is lost.
                let folded: f64 = s.added_mwh_by_class().iter().sum();
                assert!((folded - s.added_mwh.iter().sum::<f64>()).abs() <= 1e-9 * served);
                assert_eq!(s.added_mwh_by_class().len(), sc.fleet.len());
                displaced_months += usize::from(served < 2_000.0 * m.hours * (1.0 - 1e-9));
            }
        }
        assert!(
            displaced_months > 0,
            "the rules displace existing consumers in some months"
        );
    }

    #[test]
    fn the_economic_rule_serves_a_class_exactly_where_its_value_covers_the_marginal_cost() {
        // The preset's economic classes without their caps and floors: the pure rule.
        let mut sc = full_preset();
        let sh = sc.shedding.as_mut().expect("the preset sheds");
        for c in &mut sh.feeder_class {
            c.max_hours_per_day = None;
            if c.rule == "economic" {
                c.hours_per_day = None;
            }
        }
        let (model, bufs) = driver_paths(&sc, 4);
        let g = &model.grid;
        let feeders = &g.shed.as_ref().expect("shed model").feeders;
        let tm = model.months();
        let mut s = Scratch::default();
        let (mut partial, mut shed_whole, mut served_whole) = (0, 0, 0);
        for buf in &bufs {
            for t in (0..tm).step_by(5) {
                let d = DriverMonth::read(buf, tm, t);
                let cx = Context {
                    cpi: 1.1,
                    ..Context::default()
                };
                for added in [0.0, 2_000.0] {
                    g.month_totals(t, &d, &cx, &mut s, added, 0.0);
                    let rules = if added == 0.0 { &s.base_rules } else { &s.with_rules };
                    for b in 0..s.work.latent.len() {
                        let lat = s.work.latent[b];
                        // Marginal cost of the MW at `level` of the stack (+∞ beyond it).
                        let cost_at = |level: f64| {
                            let mut pos = 0.0;
                            for j in 0..s.stack.len() {
                                pos += slice_mw(&s, j, b);
                                if pos >= level {
                                    let k = s.class_at[j];
                                    return if s.must_run[k] {
                                        f64::NEG_INFINITY
                                    } else {
                                        s.stack[j].cost
                                    };
                                }
                            }
                            f64::INFINITY
                        };
                        let econ_share: f64 = feeders.economic().iter().map(|&k| feeders.share(k)).sum();
                        let mut level = lat * (1.0 - econ_share) + added;
                        for &k in feeders.economic() {
                            let v = feeders.value_pkr_per_mwh(k, 1.1);
                            let load = feeders.share(k) * lat;
                            let served = rules.served[k][b];
                            let tol = 1e-6 * lat;
                            if served > tol {
                                assert!(
                                    cost_at(level + served - tol) <= v,
                                    "block {b} class {k} served above its value"
                                );
                            }
                            if served < load - tol {
                                assert!(
                                    cost_at(level + served + tol) > v,
                                    "block {b} class {k} shed below its value"
                                );
                            }
                            partial += usize::from(served > tol && served < load - tol);
                            shed_whole += usize::from(served <= tol);
                            served_whole += usize::from(served >= load - tol);
                            level += load;
                        }
                    }
                }
            }
        }
        assert!(
            partial > 0 && shed_whole > 0 && served_whole > 0,
            "{partial} {shed_whole} {served_whole}"
        );
    }

    #[test]
    fn fuel_limits_bound_each_class_and_the_take_or_pay_volume_is_burned() {
        let sc = full_preset();
        let (model, bufs) = driver_paths(&sc, 4);
        let tm = model.months();
        let idx = |name: &str| sc.fleet.iter().position(|c| c.name == name).expect("preset class");
        let (rlng, gas) = (idx("rlng_ccgt"), idx("local_gas"));
        let limit = |k: usize| sc.fleet[k].fuel_limit.clone().expect("limited");
        let (mut binding, mut months) = (0, 0);
        for buf in &bufs {
            for t in (0..tm).step_by(3) {
                let d = DriverMonth::read(buf, tm, t);
                let e = model.grid.explain(t, &d, &Context::default(), 0.0, 0.0);
                let moy = e.blocks[0].0.month_of_year;
                let mwh = |k: usize| -> f64 {
                    e.blocks
                        .iter()
                        .zip(&e.generation_mw[k])
                        .map(|((blk, _), g)| blk.hours * g)
                        .sum()
                };
                let (r, l) = (mwh(rlng), mwh(gas));
                let cap = |k: usize| limit(k).energy_gwh_per_month[moy] * 1000.0;
                let min = limit(rlng).min_take_gwh_per_month.expect("take-or-pay")[moy] * 1000.0;
                assert!(
                    r <= cap(rlng) * (1.0 + 1e-9) && l <= cap(gas) * (1.0 + 1e-9),
                    "{t}: {r} {l}"
                );
                assert!(
                    r >= min * (1.0 - 1e-9),
                    "{t}: the take-or-pay volume {min} is burned, got {r}"
                );
                binding += usize::from(l >= cap(gas) * (1.0 - 1e-9));
                months += 1;
            }
        }
        assert!(
            binding > 0 && binding < months,
            "the gas cap binds in some months, not all: {binding}/{months}"
        );
    }

    #[test]
    fn the_months_totals_are_the_sum_of_its_explained_blocks() {
        let sc = full_preset();
        let (model, bufs) = driver_paths(&sc, 3);
        let tm = model.months();
        let mut s = Scratch::default();
        for buf in &bufs {
            for t in (0..tm).step_by(11) {
                let d = DriverMonth::read(buf, tm, t);
                let cx = Context {
                    cpi: 1.3,
                    allocation_circular_debt_pkr: 2.0e11,
                };
                let m = model.grid.month_totals(t, &d, &cx, &mut s, 1_200.0, 640.0);
                let e = model.grid.explain(t, &d, &cx, 1_200.0, 640.0);
                let mut sum = MonthTotals::default();
                for (_, r) in &e.blocks {
                    sum.add(*r);
                }
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
                let pairs = [
                    (m.added_cost, sum.added_cost),
                    (m.eue_households, sum.eue_households),
                    (m.eue_mining, sum.eue_mining),
                    (m.latent_mwh, sum.latent_mwh),
                    (m.served_base_mwh, sum.served_base_mwh),
                    (m.served_with_mwh, sum.served_with_mwh),
                    (m.shed_hours_base, sum.shed_hours_base),
                    (m.shed_hours_with, sum.shed_hours_with),
                    (m.revenue_forgone_with, sum.revenue_forgone_with),
                    (m.cost_displaced, sum.cost_displaced),
                ];
                for (i, (a, b)) in pairs.into_iter().enumerate() {
                    assert!(close(a, b), "{t} figure {i}: {a} vs {b}");
                }
                for i in 0..4 {
                    assert!(close(m.cause_base[i], sum.cause_base[i]) && close(m.cause_with[i], sum.cause_with[i]));
                }
                for k in 0..MAX_FEEDER_CLASSES {
                    assert!(close(m.class_hours_with[k], sum.class_hours_with[k]));
                    assert!(close(m.class_mwh_base[k], sum.class_mwh_base[k]));
                }
            }
        }
    }

    #[test]
    fn the_tariffs_marginal_cost_prices_a_take_or_pay_volume_at_market() {
        let sc = full_preset();
        let (model, bufs) = driver_paths(&sc, 3);
        let tm = model.months();
        let mut s = Scratch::default();
        let (mut repriced, mut months) = (0, 0);
        for buf in &bufs {
            for t in 0..tm {
                let d = DriverMonth::read(buf, tm, t);
                let m = model.grid.month_totals(t, &d, &Context::default(), &mut s, 0.0, 0.0);
                // The shadow price (0 USD/MMBtu) is below the market's: repricing only raises it.
                assert!(m.marginal_priced >= m.marginal, "{t}");
                repriced += usize::from(m.marginal_priced > m.marginal);
                months += 1;
            }
        }
        assert!(repriced > 0 && repriced < months, "{repriced}/{months}");
        // Without a take-or-pay volume the two are the same number.
        let (model, bufs) = driver_paths(&preset(), 1);
        for t in 0..tm {
            let d = DriverMonth::read(&bufs[0], tm, t);
            let m = model.grid.month_totals(t, &d, &Context::default(), &mut s, 500.0, 0.0);
            assert_eq!(m.marginal_priced.to_bits(), m.marginal.to_bits());
        }
    }

    #[test]
    fn zero_allocation_leaves_every_shedding_figure_exactly_unchanged() {
        let sc = full_preset();
        let (model, bufs) = driver_paths(&sc, 3);
        let tm = model.months();
        let mut s = Scratch::default();
        for buf in &bufs {
            for t in 0..tm {
                let d = DriverMonth::read(buf, tm, t);
                let m = model.grid.month_totals(t, &d, &Context::default(), &mut s, 0.0, 0.0);
                assert_eq!(m.cause_with, m.cause_base);
                assert_eq!(m.class_hours_with, m.class_hours_base);
                assert_eq!(m.class_mwh_with, m.class_mwh_base);
                assert_eq!(m.shed_hours_with, m.shed_hours_base);
                assert_eq!(m.served_with_mwh, m.served_base_mwh);
                assert_eq!(m.revenue_forgone_with, m.revenue_forgone_base);
                assert_eq!(m.cost_displaced, 0.0);
                assert_eq!(m.households_increase_mwh(), 0.0);
                assert_eq!(m.added_cost, 0.0);
            }
        }
    }

    #[test]
    fn the_network_sheds_what_it_cannot_deliver_in_the_curtailment_priority() {
        let mut sc = full_preset();
        let sh = sc.shedding.as_mut().expect("the preset sheds");
        sh.deliverable = vec![crate::scenario::shedding::DeliverableStep {
            from: None,
            mw: 15_000.0,
        }];
        let (model, bufs) = driver_paths(&sc, 2);
        let tm = model.months();
        let mut s = Scratch::default();
        let mut binding = 0;
        for buf in &bufs {
            for t in (0..tm).step_by(4) {
                let d = DriverMonth::read(buf, tm, t);
                let (mining, dc) = (900.0, 700.0);
                let m = model.grid.month_totals(t, &d, &Context::default(), &mut s, mining, dc);
                let w = &s.work;
                for b in 0..w.latent.len() {
                    let ew = s.with_rules.served_total[b];
                    let excess = (ew + mining + dc - 15_000.0).max(0.0);
                    // Priority: miners, households, data centres.
                    let want = [
                        excess.min(mining),
                        (excess - mining).max(0.0).min(ew),
                        (excess - mining - ew).max(0.0),
                    ];
                    for (i, x) in want.iter().enumerate() {
                        assert!((w.net_with[i][b] - x).abs() <= 1e-9 * ew, "{t} {b} {i}");
                    }
                    assert!(w.hi[b] <= 15_000.0 && w.load[b] <= 15_000.0);
                    binding += usize::from(excess > 0.0);
                }
                assert!(m.eue_mining >= 0.0);
            }
        }
        assert!(binding > 0);
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
        g.month_totals(t, d, &Context::default(), &mut s, 0.0, 0.0);
        let must_run: Vec<bool> = g.classes.iter().map(|c| c.must_run).collect();
        dispatch::merit_order(&mut order, &s.costs, &must_run);
        let lanes = &g.lanes[t];
        let (mut e, mut beyond) = (vec![0.0; n], 0.0);
        for (b, &h) in lanes.hours.iter().enumerate() {
            let load = d.load_mw * lanes.shape[b];
            let hi = load + added;
            let mut bottom = 0.0;
            for &k in order.iter().filter(|&&k| g.on(t)[k]) {
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
                    let m = g.month_totals(t, &d, &Context::default(), &mut s, mining, dc);
                    let e = s.added_mwh_by_class();
                    let ctx = format!(
                        "path {p} month {t} loads {mining} + {dc}: {e:?} + {}",
                        m.added_beyond_stack_mwh
                    );
                    assert_eq!(e.len(), g.classes.len(), "{ctx}");
                    assert!(e.iter().all(|&x| x >= 0.0) && m.added_beyond_stack_mwh >= 0.0, "{ctx}");
                    for (k, &x) in e.iter().enumerate() {
                        assert!(g.on(t)[k] || x == 0.0, "{ctx}: class {k} is out of service");
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
                    let head_len = s.varying.last().map_or(0, |&(pos, _)| pos + 1);
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
        model
            .grid
            .month_totals(0, &d, &Context::default(), &mut s, 2_000.0, 0.0);
        let last_profiled = s.varying.last().expect("profiled classes").0;
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
