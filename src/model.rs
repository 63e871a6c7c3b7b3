//! The whole per-path model: the stochastic drivers, then month by month the tariffs, the new
//! loads' decisions, the power system with those loads, and the state's accounts. This file
//! only conducts: each mechanism lives in its own module and shows its inputs in its signature.

use crate::accounts::{self, MonthFacts, PathState, tariff::Price};
use crate::calendar::MonthInfo;
use crate::drivers::network::CeilingWindow;
use crate::drivers::{self, DriverMonth, Drivers};
use crate::grid::{self, Grid};
use crate::loads::{
    self,
    investment::{Fleet, Market},
    mining,
    takeup::Takeup,
};
use crate::metrics::{Horizon, Metric, N_METRICS, get, output_index};
use crate::rng::Seeds;
use crate::scenario::tariff::Regime;
use crate::scenario::{Contract, Disposal, NetworkModel, Scenario};

/// Everything needed to simulate paths of one scenario, precomputed once per run.
#[derive(Debug, Clone)]
pub struct Model {
    /// The stochastic drivers.
    pub drivers: Drivers,
    /// The power system.
    pub grid: Grid,
    sc: Scenario,
    /// Discounting and fiscal years of the horizon.
    horizon: Horizon,
    /// Consumer price index of each month (1 in the first).
    cpi: Vec<f64>,
    /// Whether a tariff needs the first month's marginal cost before the month is run.
    needs_first_marginal: bool,
    /// The fleet's fuels for the imports and emissions.
    fuels: accounts::external::FleetFuels,
    /// `E[C | this model's parameters]` of each control ([`CONTROLS`]); `None` for one with no
    /// closed form here or no variance (it then records zero).
    control_means: [Option<f64>; N_CONTROLS],
}

/// The control variates: per-path values whose expectation given the path's parameters is known
/// in closed form (name, unit, meaning). A path records `C - E[C | parameters]`, of mean exactly
/// zero whatever the parameters' distribution; see docs/model.md, "Control variates".
pub const CONTROLS: [(&str, &str, &str); N_CONTROLS] = [
    ("fx_mean", "PKR/USD", "the exchange rate's mean over the months"),
    ("brent_mean", "USD/bbl", "Brent's mean over the months"),
    (
        "bitcoin_log_mean",
        "ln USD",
        "the mean over the months of the log Bitcoin price",
    ),
    ("load_mean", "MW", "the existing consumers' mean load over the months"),
    (
        "datacenter_draw_mean",
        "MW",
        "the data centres' mean draw over the months (take-up, ramp and load factor)",
    ),
    (
        "datacenter_draw_discounted",
        "MW",
        "the data centres' draw averaged with the NPV's discount factors as weights",
    ),
];

/// Number of control variates.
pub const N_CONTROLS: usize = 6;

/// The model's phases within a month, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The stochastic drivers (all months first).
    Drivers,
    /// The new loads' decisions, then dispatch and adequacy.
    Grid,
    /// The accounts and the per-path outputs: the whole model.
    Accounts,
}

/// Per-worker working memory.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    drivers: drivers::Scratch,
    grid: grid::Scratch,
    loads: LoadsState,
}

/// The new loads' state along one path.
#[derive(Debug, Clone, Default)]
struct LoadsState {
    /// The miners' vintages (with `[mining.investment]`).
    fleet: Fleet,
    /// The data centres that arrive.
    takeup: Takeup,
    /// Pakistan's running hashrate last month, EH/s (added to the network's under the
    /// equilibrium model: difficulty sees it with a lag).
    own_ehs: f64,
    /// The forward rule's expected hashprice over a new rig's life, USD/PH/day.
    outlook: Vec<f64>,
    /// The window of the outlook's ceiling, slid month by month.
    ceiling: CeilingWindow,
}

/// What the new loads did in a month besides their draw.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct LoadsMonth {
    /// Capacity in service, MW: miners, data centres' allocation.
    in_service_mw: (f64, f64),
    /// Capacity that entered service this month, MW: miners, data centres.
    connected_mw: (f64, f64),
    /// Capital committed or imported this month, USD: miners, data centres.
    capital_usd: (f64, f64),
    /// Share of the data-centre allocation that has arrived.
    arrived_share: f64,
    /// The network's hashrate with Pakistan's fleet (equilibrium model), EH/s.
    network_ehs: Option<f64>,
}

/// The new loads' draw in one month, MW at the meter.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NewLoads {
    /// Miners.
    pub mining_mw: f64,
    /// Data centres.
    pub datacenter_mw: f64,
}

impl Model {
    /// Precomputes the model of a validated scenario.
    #[must_use]
    pub fn new(sc: &Scenario) -> Self {
        let drivers = Drivers::new(sc);
        let grid = Grid::new(sc, drivers.schedule());
        Self::assemble(sc, drivers, grid)
    }

    fn assemble(sc: &Scenario, drivers: Drivers, grid: Grid) -> Self {
        let months = drivers.months();
        let r = sc.discount_rate_annual();
        let real = sc.economy.real_discount_rate_annual;
        let inflation = sc.economy.inflation_annual;
        let discount: Vec<f64> = (0..months).map(|t| (1.0 + r).powf(-((t + 1) as f64) / 12.0)).collect();
        // End-of-month flows deflated by the end-of-month price level, discounted at the real rate.
        let real_discount = (0..months)
            .map(|t| ((1.0 + real) * (1.0 + inflation)).powf(-((t + 1) as f64) / 12.0))
            .collect();
        let cpi = (0..months).map(|t| (1.0 + inflation).powf(t as f64 / 12.0)).collect();
        let cost_plus = |steps: &[crate::scenario::tariff::TariffStep]| {
            steps.iter().any(|s| matches!(s.regime, Regime::CostPlus { .. }))
        };
        let dc = datacenter_means(sc, &discount);
        let m = *drivers.means();
        Self {
            needs_first_marginal: cost_plus(&sc.mining.tariff) || cost_plus(&sc.datacenters.tariff),
            horizon: Horizon {
                discount,
                real_discount,
                first_july: crate::metrics::first_july(sc.simulation.start.month),
            },
            cpi,
            fuels: accounts::external::FleetFuels::new(sc),
            control_means: [m.fx, m.oil, m.log_btc, m.load, dc.map(|d| d.0), dc.map(|d| d.1)],
            drivers,
            grid,
            sc: sc.clone(),
        }
    }

    /// The controls of the path just simulated into `buf` with `scratch` (by
    /// [`Model::simulate`]): each `C - E[C | parameters]`, in [`CONTROLS`] order; zero for a
    /// control without a closed form in this scenario.
    pub fn controls(&self, buf: &[f64], scratch: &Scratch, out: &mut [f64; N_CONTROLS]) {
        let tm = self.months();
        let n = tm as f64;
        let mean = |m: Metric| (0..tm).map(|t| get(buf, tm, m, t)).sum::<f64>() / n;
        let dc = &self.sc.datacenters;
        let takeup = &scratch.loads.takeup;
        let value = |c: usize| match c {
            0 => mean(Metric::FxPkrPerUsd),
            1 => mean(Metric::OilUsdPerBbl),
            // The log of the stored price: the state `x_btc` to within a rounding.
            2 => {
                (0..tm)
                    .map(|t| get(buf, tm, Metric::BitcoinPriceUsd, t).ln())
                    .sum::<f64>()
                    / n
            }
            3 => mean(Metric::LoadMw),
            4 => (0..tm).map(|t| takeup.load_mw(dc, t)).sum::<f64>() / n,
            _ => {
                let w: f64 = self.horizon.discount.iter().sum();
                (0..tm)
                    .map(|t| self.horizon.discount[t] * takeup.load_mw(dc, t))
                    .sum::<f64>()
                    / w
            }
        };
        for (c, o) in out.iter_mut().enumerate() {
            *o = self.control_means[c].map_or(0.0, |e| value(c) - e);
        }
    }

    /// The model of a path's own scenario (its drawn parameters), taking over this model's
    /// outage tables and its drivers' schedule and network targets wherever their inputs are the
    /// same.
    #[must_use]
    pub fn for_path(&self, sc: &Scenario) -> Self {
        let drivers = Drivers::reusing(sc, Some(&self.drivers));
        let grid = Grid::reusing(sc, drivers.schedule(), Some(&self.grid));
        Self::assemble(sc, drivers, grid)
    }

    /// Months per path.
    #[must_use]
    pub fn months(&self) -> usize {
        self.drivers.months()
    }

    /// Simulates only the driver metrics of one path (for benchmarks and diagnostics).
    pub fn simulate_drivers(&self, seeds: &Seeds, path: u64, out: &mut [f64], scratch: &mut Scratch) {
        self.drivers.simulate(seeds, path, out, &mut scratch.drivers, false);
    }

    /// Simulates every metric and output of one path into `out` (length
    /// [`crate::metrics::path_len`]; metric-major, then outputs). Returns nothing: a
    /// non-finite value is reported by the engine, which checks every cell.
    pub fn simulate(&self, seeds: &Seeds, path: u64, out: &mut [f64], scratch: &mut Scratch, antithetic: bool) {
        self.simulate_until(seeds, path, out, scratch, antithetic, Phase::Accounts);
    }

    /// [`Model::simulate`] stopped after `phase` in every month (for the benchmarks' cost split:
    /// the differences between successive phases are what each phase costs).
    pub fn simulate_until(
        &self,
        seeds: &Seeds,
        path: u64,
        out: &mut [f64],
        scratch: &mut Scratch,
        antithetic: bool,
        phase: Phase,
    ) {
        self.drivers
            .simulate(seeds, path, out, &mut scratch.drivers, antithetic);
        if phase == Phase::Drivers {
            return;
        }
        let tm = self.months();
        let mut st = PathState::new(&self.sc);
        let ls = &mut scratch.loads;
        ls.fleet.clear();
        ls.ceiling.clear();
        ls.own_ehs = 0.0;
        ls.takeup.draw(&self.sc.allocation, &self.sc.datacenters, |s| {
            crate::rng::stream(seeds[s as usize], path, s)
        });
        for t in 0..tm {
            let d = DriverMonth::read(out, tm, t);
            let date = self.schedule()[t].date;
            let cx = grid::Context {
                cpi: self.cpi[t],
                allocation_circular_debt_pkr: st.circular_debt_stock,
            };
            let inp = st.tariff_inputs(date, &d, self.cpi[t], || {
                if self.needs_first_marginal {
                    self.grid
                        .month_totals(t, &d, &cx, &mut scratch.grid, 0.0, 0.0)
                        .priced_marginal_pkr_per_mwh()
                } else {
                    0.0
                }
            });
            let mut prices = (
                st.mining_tariff.price(&self.sc.mining.tariff, &inp),
                st.datacenter_tariff.price(&self.sc.datacenters.tariff, &inp),
            );
            // Miners who give peak relief pay the off-peak rate for what they draw.
            if let Some(i) = &self.sc.mining.interruptible {
                prices.0.pkr_per_mwh = i.offpeak_price(prices.0.pkr_per_mwh);
                prices.0.beyond_pkr_per_mwh = i.offpeak_price(prices.0.beyond_pkr_per_mwh);
            }
            let drawn_share = self.grid.mining_drawn_share(t);
            let (miner, draw, month) = self.decide(t, &d, &prices.0, drawn_share, &mut scratch.loads, &st);
            self.put_loads(out, t, &month);
            let generation = (self.gross_up(draw.mining_mw), self.gross_up(draw.datacenter_mw));
            let totals = self
                .grid
                .month_totals(t, &d, &cx, &mut scratch.grid, generation.0, generation.1);
            self.grid.put_metrics(out, t, &totals);
            if phase == Phase::Grid {
                continue;
            }
            let facts = MonthFacts {
                t,
                date,
                d: &d,
                grid: &totals,
                miner: &miner,
                draw_mw: (draw.mining_mw, draw.datacenter_mw),
                mining_drawn_share: drawn_share,
                installed_mw: month.connected_mw,
                generation_mw: generation,
                prices,
                external: self.fuels.month(&d, scratch.grid.added_mwh_by_class()),
                capital_inflow_usd: month.capital_usd.0 + month.capital_usd.1,
            };
            let book = accounts::settle(&self.sc, &facts, &mut st);
            book.put(out, tm, t, prices.0.package || prices.1.package);
        }
        if phase == Phase::Grid {
            return;
        }
        let base = N_METRICS * tm;
        crate::metrics::summarise(out, tm, &self.horizon);
        // Sold at the horizon, the BTC the reserve gained under the policy (levy and purchases)
        // enter the NPV at the last month's price; held, they are a balance-sheet asset reported
        // apart (reserve.*). The initial holdings are not the policy's either way.
        if self.sc.reserve.disposal == Disposal::Hold {
            return;
        }
        let last = tm - 1;
        let terminal =
            st.policy_btc * get(out, tm, Metric::BitcoinPriceUsd, last) * get(out, tm, Metric::FxPkrPerUsd, last);
        out[base + output_index("npv_pkr").expect("npv is an output")] += terminal * self.horizon.discount[last];
        out[base + output_index("npv_real_pkr").expect("real npv is an output")] +=
            terminal * self.horizon.real_discount[last];
    }

    /// The miners' decisions (investment, which rigs run) and both loads' draw in month `t`
    /// (MW at the meter), updating the loads' state along the path; `drawn_share` is the share
    /// of the month's hours the miners may draw (peak relief).
    fn decide(
        &self,
        t: usize,
        d: &DriverMonth,
        price: &Price,
        drawn_share: f64,
        ls: &mut LoadsState,
        st: &PathState,
    ) -> (mining::MinerMonth, NewLoads, LoadsMonth) {
        let sc = &self.sc;
        let m = &sc.mining;
        let info = &self.schedule()[t];
        // Hours the miners draw their MW (fewer with peak relief: `drawn_share` of the month's).
        let hours = f64::from(info.days) * 24.0 * drawn_share;
        let taxes = &sc.taxes;
        // Under the equilibrium model the network's hashrate is the rest of the world's; the
        // difficulty sees Pakistan's own running fleet of last month on top.
        let equilibrium = sc.network.model == NetworkModel::Equilibrium;
        let hashrate = if equilibrium {
            d.hashrate_ehs + ls.own_ehs
        } else {
            d.hashrate_ehs
        };
        // The revenue share is billed, so it bears the bill's sales tax too.
        let deducted = sc.reserve.levy_share
            + price.revenue_share * (1.0 + accounts::bill_tax_rate(taxes, taxes.mining_input_credit_share));
        let reward = info.subsidy_btc + d.fees_btc_per_block;
        let (miner, mining_mw, in_service, connected, capital) = match &m.investment {
            None => {
                let fleet_mw = if st.credit.disconnected {
                    0.0
                } else {
                    sc.allocation.mining_mw * loads::ramp(t, m.ramp_months)
                };
                // Miners weigh what a month at full draw costs them per MWh: the tariff (a
                // capped package prices the energy beyond its cap at the next regime's rate),
                // the sales tax they cannot reclaim and the surcharge.
                let tariff = accounts::cost_per_mwh(
                    taxes,
                    info.date,
                    taxes.mining_input_credit_share,
                    price,
                    fleet_mw * hours,
                );
                let miner = mining::decide(
                    m,
                    deducted,
                    t,
                    d.bitcoin_usd,
                    reward,
                    hashrate,
                    d.fx_pkr_per_usd,
                    tariff,
                    fleet_mw,
                );
                let a = sc.allocation.mining_mw;
                let before = if t == 0 { 0.0 } else { loads::ramp(t - 1, m.ramp_months) };
                let connected = a * (loads::ramp(t, m.ramp_months) - before);
                let drawn = fleet_mw * miner.uptime;
                // The month's average hashrate: none in the relieved hours.
                ls.own_ehs = drawn / miner.j_per_th * drawn_share;
                (
                    miner,
                    drawn,
                    fleet_mw,
                    connected,
                    taxes.mining_equipment_usd_per_mw * connected,
                )
            }
            Some(inv) => {
                let fx = d.fx_pkr_per_usd;
                let full_mwh = ls.fleet.committed_mw().max(inv.tranche_mw) * hours;
                let tariff = accounts::cost_per_mwh(taxes, info.date, taxes.mining_input_credit_share, price, full_mwh);
                let market = Market {
                    hashprice: mining::hashprice_usd_per_ph_day(d.bitcoin_usd, reward, hashrate),
                    btc_per_mwh_at_1_j_per_th: mining::btc_per_mwh(1.0, reward, hashrate),
                    kept_share: 1.0 - m.pool_fee_share - deducted,
                    frontier: m.efficiency_j_per_th * (-m.efficiency_improvement_annual * t as f64 / 12.0).exp(),
                    cost_usd_per_mwh: tariff / fx + m.opex_usd_per_mwh,
                    tariff_pkr_per_mwh: tariff,
                    scheduled_mw: sc.allocation.mining_mw * loads::ramp(t, m.ramp_months),
                    allocation_mw: sc.allocation.mining_mw,
                    drawn_share,
                    fx,
                    take_or_pay: m.contract == Contract::TakeOrPay,
                };
                let network = self.drivers.network();
                let miner = ls.fleet.month(
                    inv,
                    t,
                    self.months(),
                    &market,
                    st.credit.disconnected,
                    &mut ls.outlook,
                    |first, n, out| {
                        // The trend model has no outlook; validation requires the equilibrium
                        // model under the forward rule.
                        let _ = network.expected_hashprices(t, d.hashrate_ehs, d.bitcoin_usd, first, n, out);
                    },
                    |first, n| {
                        network.hashprice_ceiling_along(&mut ls.ceiling, t, d.hashrate_ehs, d.bitcoin_usd, first, n)
                    },
                );
                let f = miner.fleet;
                ls.own_ehs = f.inverse_efficiency_mw * drawn_share;
                (miner, f.running_mw, f.installed_mw, f.connected_mw, f.capex_usd)
            }
        };
        let dc = &sc.datacenters;
        let dc_connected = ls.takeup.connected_increment_mw(dc, t);
        let allocation = sc.allocation.datacenter_mw;
        let month = LoadsMonth {
            in_service_mw: (in_service, ls.takeup.connected_mw(dc, t)),
            connected_mw: (connected, dc_connected),
            capital_usd: (capital, dc.capex_usd_per_mw * dc_connected),
            arrived_share: if allocation > 0.0 {
                ls.takeup.arrived_by_mw(t) / allocation
            } else {
                0.0
            },
            network_ehs: equilibrium.then_some(hashrate),
        };
        let loads = NewLoads {
            mining_mw,
            datacenter_mw: ls.takeup.load_mw(dc, t),
        };
        (miner, loads, month)
    }

    /// Writes the loads' metrics of a month that are not the accounts'.
    fn put_loads(&self, out: &mut [f64], t: usize, m: &LoadsMonth) {
        let tm = self.months();
        let mut put = |metric: Metric, v: f64| crate::metrics::put(out, tm, metric, t, v);
        put(Metric::MiningInstalledMw, m.in_service_mw.0);
        put(Metric::MiningCapexUsd, m.capital_usd.0);
        put(Metric::DatacenterConnectedMw, m.in_service_mw.1);
        put(Metric::DatacenterArrivedShare, m.arrived_share);
        put(Metric::CapitalInflowUsd, m.capital_usd.0 + m.capital_usd.1);
        if let Some(h) = m.network_ehs {
            put(Metric::HashrateEhs, h);
            put(Metric::DifficultyT, h * drivers::network::DIFFICULTY_T_PER_EHS);
        }
    }

    /// The new loads' draw (MW at the meter) in month `t` of path `path` simulated into `buf`
    /// with `seeds`: the miners' capacity in service times their uptime, and the data centres'
    /// draw (their take-up drawn again from the path's stream).
    #[must_use]
    pub fn loads(&self, seeds: &Seeds, path: u64, t: usize, buf: &[f64]) -> NewLoads {
        let tm = self.months();
        let mut takeup = Takeup::default();
        takeup.draw(&self.sc.allocation, &self.sc.datacenters, |s| {
            crate::rng::stream(seeds[s as usize], path, s)
        });
        NewLoads {
            mining_mw: get(buf, tm, Metric::MiningInstalledMw, t) * get(buf, tm, Metric::MinerUptime, t),
            datacenter_mw: takeup.load_mw(&self.sc.datacenters, t),
        }
    }

    /// What the grid needs of month `t` of a simulated path buffer besides the drivers: the
    /// price level and the allocation's circular debt up to the month before.
    #[must_use]
    pub fn grid_context(&self, t: usize, buf: &[f64]) -> grid::Context {
        let tm = self.months();
        grid::Context {
            cpi: self.cpi[t],
            allocation_circular_debt_pkr: (0..t).map(|k| get(buf, tm, Metric::CircularDebtFlowPkr, k)).sum(),
        }
    }

    /// Generation-side draw of the new loads (grossed up for network losses).
    #[must_use]
    pub fn gross_up(&self, mw: f64) -> f64 {
        mw / (1.0 - self.sc.fiscal.td_loss_share)
    }

    /// The deterministic month schedule.
    #[must_use]
    pub fn schedule(&self) -> &[MonthInfo] {
        self.drivers.schedule()
    }
}

/// `E[C]` of the data centres' two controls (plain mean, discount-weighted mean of the draw),
/// or `None` without a `[datacenters.takeup]` (the draw is then certain) or an allocation.
///
/// Tranche `i` (allocation `mw_i`) arrives with probability `p` (the copula's margin: `Phi(Phi^-1
/// (p))`) in a month uniform over `[earliest, latest]`, independently of the load factor, which
/// is `low + (high - low) v` with `v` uniform on the 2^53 grid of `[0, 1)` (mean `1/2 - 2^-54`).
/// So `E[draw_t] = E[lf] p (sum_i mw_i) (1 / span) sum_{m = earliest}^{min(latest, t)} ramp(t -
/// m)`; the correlation moves tranches together but leaves each one's probability alone.
fn datacenter_means(sc: &Scenario, discount: &[f64]) -> Option<(f64, f64)> {
    let (a, d) = (&sc.allocation, &sc.datacenters);
    let u = d.takeup.as_ref()?;
    let n = loads::takeup::tranches(a.datacenter_mw, u.tranche_mw);
    if n == 0 || discount.is_empty() {
        return None;
    }
    let allocated: f64 = (0..n)
        .map(|i| (a.datacenter_mw - i as f64 * u.tranche_mw).min(u.tranche_mw))
        .sum();
    let p = u.probability.clamp(0.0, 1.0);
    let v_mean = 0.5 - (-54.0f64).exp2();
    let lf = u.load_factor_low + (u.load_factor_high - u.load_factor_low) * v_mean;
    let (lo, hi) = (u.earliest_month as usize, u.latest_month as usize);
    let span = (hi - lo + 1) as f64;
    let tm = discount.len();
    // Summed once for both means (a path's model computes them again with its own draws), of
    // ramps looked up rather than divided again for every arrival month.
    let ramp: Vec<f64> = (0..tm).map(|k| loads::ramp(k, d.ramp_months)).collect();
    let ramped: Vec<f64> = (0..tm).map(|t| (lo..=hi.min(t)).map(|m| ramp[t - m]).sum()).collect();
    let draw = |t: usize| -> f64 { lf * p * allocated * ramped[t] / span };
    let plain = (0..tm).map(draw).sum::<f64>() / tm as f64;
    let w: f64 = discount.iter().sum();
    let weighted = (0..tm).map(|t| discount[t] * draw(t)).sum::<f64>() / w;
    Some((plain, weighted))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths of scenarios that differ from the point scenario as draws would (and beyond),
    /// simulated with a model built from scratch and with one taking the point model's parts
    /// over: the same numbers to the bit, whichever parts can be taken over.
    #[test]
    fn a_path_model_taking_the_point_models_parts_over_gives_the_same_numbers() {
        let mut base = Scenario::from_toml_str(include_str!("../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("preset is valid");
        base.uncertain.clear();
        base.simulation.horizon_months = 36;
        let point = Model::new(&base);
        type Edit = (&'static str, fn(&mut Scenario));
        let edits: [Edit; 10] = [
            ("none", |_| {}),
            ("adjustment speed", |s| {
                s.network
                    .equilibrium
                    .as_mut()
                    .expect("equilibrium")
                    .adjustment_per_month = 0.07;
            }),
            ("fee share", |s| s.network.fee_share_mean *= 1.5),
            ("variable cost", |s| s.fleet[4].vom_usd_per_mwh = 20.0),
            ("units of an imported class", |s| s.fleet[4].units += 1),
            ("outage rate of an imported class", |s| {
                s.fleet[5].forced_outage_rate = 0.2
            }),
            ("retirement", |s| {
                s.fleet[7].retire = Some("2027-06".parse().expect("month"))
            }),
            ("fuel schedule", |s| {
                s.fleet[6].fuel_limit.as_mut().expect("fuel limit").energy_gwh_per_month[3] *= 0.8;
            }),
            ("start", |s| s.simulation.start = "2026-07".parse().expect("month")),
            ("horizon", |s| s.simulation.horizon_months = 24),
        ];
        let seeds = crate::rng::uniform(1);
        for (what, edit) in edits {
            let mut sc = base.clone();
            edit(&mut sc);
            let (own, taken) = (Model::new(&sc), point.for_path(&sc));
            let len = crate::metrics::path_len(own.months());
            for p in 0..3 {
                let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
                let (mut sa, mut sb) = (Scratch::default(), Scratch::default());
                own.simulate(&seeds, p, &mut a, &mut sa, false);
                taken.simulate(&seeds, p, &mut b, &mut sb, false);
                let (mut ca, mut cb) = ([0.0; N_CONTROLS], [0.0; N_CONTROLS]);
                own.controls(&a, &sa, &mut ca);
                taken.controls(&b, &sb, &mut cb);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert!(bits(&a) == bits(&b), "{what}: path {p}");
                assert!(bits(&ca) == bits(&cb), "{what}: controls of path {p}");
            }
        }
    }
}
