//! The whole per-path model: the stochastic drivers, then month by month the tariffs, the new
//! loads' decisions, the power system with those loads, and the state's accounts. This file
//! only conducts: each mechanism lives in its own module and shows its inputs in its signature.

use crate::accounts::{self, MonthFacts, PathState, tariff::Price};
use crate::calendar::MonthInfo;
use crate::drivers::{self, DriverMonth, Drivers};
use crate::grid::{self, Grid};
use crate::loads::{self, datacenters, mining};
use crate::metrics::{Horizon, Metric, N_METRICS, get, output_index};
use crate::rng::Seeds;
use crate::scenario::tariff::Regime;
use crate::scenario::{Disposal, Scenario};

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
}

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
        let months = drivers.months();
        let r = sc.discount_rate_annual();
        let real = sc.economy.real_discount_rate_annual;
        let inflation = sc.economy.inflation_annual;
        let discount = (0..months).map(|t| (1.0 + r).powf(-((t + 1) as f64) / 12.0)).collect();
        // End-of-month flows deflated by the end-of-month price level, discounted at the real rate.
        let real_discount = (0..months)
            .map(|t| ((1.0 + real) * (1.0 + inflation)).powf(-((t + 1) as f64) / 12.0))
            .collect();
        let cpi = (0..months).map(|t| (1.0 + inflation).powf(t as f64 / 12.0)).collect();
        let cost_plus = |steps: &[crate::scenario::tariff::TariffStep]| {
            steps.iter().any(|s| matches!(s.regime, Regime::CostPlus { .. }))
        };
        Self {
            needs_first_marginal: cost_plus(&sc.mining.tariff) || cost_plus(&sc.datacenters.tariff),
            horizon: Horizon {
                discount,
                real_discount,
                first_july: crate::metrics::first_july(sc.simulation.start.month),
            },
            cpi,
            fuels: accounts::external::FleetFuels::new(sc),
            drivers,
            grid,
            sc: sc.clone(),
        }
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
            let prices = (
                st.mining_tariff.price(&self.sc.mining.tariff, &inp),
                st.datacenter_tariff.price(&self.sc.datacenters.tariff, &inp),
            );
            let (miner, draw) = self.decide(t, &d, &prices.0);
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
                installed_mw: self.installed_mw(t),
                generation_mw: generation,
                prices,
                external: self.fuels.month(&d, scratch.grid.added_mwh_by_class()),
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

    /// The miners' run-or-idle decision and both loads' draw in month `t` (MW at the meter).
    fn decide(&self, t: usize, d: &DriverMonth, price: &Price) -> (mining::MinerMonth, NewLoads) {
        let sc = &self.sc;
        let m = &sc.mining;
        let fleet_mw = sc.allocation.mining_mw * loads::ramp(t, m.ramp_months);
        // Miners weigh what a month at full draw costs them per MWh: the tariff (a capped
        // package prices the energy beyond its cap at the next regime's rate), the sales tax they
        // cannot reclaim and the surcharge.
        let hours = f64::from(self.schedule()[t].days) * 24.0;
        let taxes = &sc.taxes;
        let date = self.schedule()[t].date;
        let tariff = accounts::cost_per_mwh(taxes, date, taxes.mining_input_credit_share, price, fleet_mw * hours);
        let reward = self.schedule()[t].subsidy_btc + d.fees_btc_per_block;
        let miner = mining::decide(
            m,
            // The revenue share is billed, so it bears the bill's sales tax too.
            sc.reserve.levy_share
                + price.revenue_share * (1.0 + accounts::bill_tax_rate(taxes, taxes.mining_input_credit_share)),
            t,
            d.bitcoin_usd,
            reward,
            d.hashrate_ehs,
            d.fx_pkr_per_usd,
            tariff,
            fleet_mw,
        );
        let loads = NewLoads {
            mining_mw: fleet_mw * miner.uptime,
            datacenter_mw: datacenters::load_mw(&sc.allocation, &sc.datacenters, t),
        };
        (miner, loads)
    }

    /// The new loads' draw (MW at the meter) in month `t` of a simulated path buffer.
    #[must_use]
    pub fn loads(&self, t: usize, buf: &[f64]) -> NewLoads {
        let sc = &self.sc;
        let uptime = get(buf, self.months(), Metric::MinerUptime, t);
        NewLoads {
            mining_mw: sc.allocation.mining_mw * loads::ramp(t, sc.mining.ramp_months) * uptime,
            datacenter_mw: datacenters::load_mw(&sc.allocation, &sc.datacenters, t),
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

    /// Capacity the new loads bring in during month `t` (the ramp's increment), MW: miners,
    /// data centres (their allocation, not their average draw).
    fn installed_mw(&self, t: usize) -> (f64, f64) {
        let a = &self.sc.allocation;
        let step = |mw: f64, ramp: u32| {
            let before = if t == 0 { 0.0 } else { loads::ramp(t - 1, ramp) };
            mw * (loads::ramp(t, ramp) - before)
        };
        (
            step(a.mining_mw, self.sc.mining.ramp_months),
            step(a.datacenter_mw, self.sc.datacenters.ramp_months),
        )
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
