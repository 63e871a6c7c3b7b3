//! The whole per-path model: the stochastic drivers, then month by month the new loads'
//! decisions, the power system with those loads, and the state's accounts.

use crate::calendar::MonthInfo;
use crate::drivers::{self, DriverMonth, Drivers};
use crate::grid::{self, Grid, MonthTotals};
use crate::loads::{self, datacenters, mining};
use crate::metrics::{Metric, N_METRICS, get, output_index, put};
use crate::rng::Seeds;
use crate::scenario::{Scenario, Tariff};

/// Everything needed to simulate paths of one scenario, precomputed once per run.
#[derive(Debug, Clone)]
pub struct Model {
    /// The stochastic drivers.
    pub drivers: Drivers,
    /// The power system.
    pub grid: Grid,
    sc: Scenario,
    /// Discount factor of each month's flows (end of month).
    discount: Vec<f64>,
    /// Index of the first July: where the first complete fiscal year starts.
    first_july: usize,
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

/// What is decided at the start of a month: the loads, the miners' economics, and the
/// marginal cost (PKR/MWh) cost-plus tariffs follow.
#[derive(Debug, Clone, Copy)]
struct MonthPlan {
    loads: NewLoads,
    miner: mining::MinerMonth,
    reference_marginal: f64,
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
        let r = sc.fiscal.discount_rate_annual;
        let discount = (0..drivers.months())
            .map(|t| (1.0 + r).powf(-((t + 1) as f64) / 12.0))
            .collect();
        let first_july = crate::metrics::first_july(sc.simulation.start.month);
        Self {
            drivers,
            grid,
            sc: sc.clone(),
            discount,
            first_july,
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
        let mut prev_marginal: Option<f64> = None;
        let mut reserve_btc = self.sc.reserve.initial_btc;
        let mut policy_btc = 0.0;
        for t in 0..tm {
            let plan = self.decide(t, out, scratch, &mut prev_marginal);
            let loads = plan.loads;
            let (mining_gen, dc_gen) = (self.gross_up(loads.mining_mw), self.gross_up(loads.datacenter_mw));
            let d = DriverMonth::read(out, tm, t);
            let totals = self.grid.month_totals(t, &d, &mut scratch.grid, mining_gen, dc_gen);
            prev_marginal = Some(totals.marginal_pkr_per_mwh());
            self.grid.put_metrics(out, t, &totals);
            if phase == Phase::Grid {
                continue;
            }
            let bought = self.account(t, out, &plan, &totals, &mut reserve_btc);
            policy_btc += bought;
        }
        if phase == Phase::Grid {
            return;
        }
        let base = N_METRICS * tm;
        crate::metrics::summarise(out, tm, &self.discount, self.first_july);
        // The reserve's BTC gained under the policy (levy and purchases) count as an asset at
        // the horizon, marked to market and discounted; the initial holdings are not the policy's.
        let last = tm - 1;
        let terminal =
            policy_btc * get(out, tm, Metric::BitcoinPriceUsd, last) * get(out, tm, Metric::FxPkrPerUsd, last);
        out[base + output_index("npv_pkr").expect("npv is an output")] += terminal * self.discount[last];
    }

    /// The miners' run-or-idle decision and both loads' draw in month `t`, and the marginal
    /// cost (PKR/MWh) cost-plus tariffs follow this month.
    fn decide(&self, t: usize, buf: &[f64], scratch: &mut Scratch, prev_marginal: &mut Option<f64>) -> MonthPlan {
        let sc = &self.sc;
        let tm = self.months();
        let fx = get(buf, tm, Metric::FxPkrPerUsd, t);
        let (m, d) = (&sc.mining, &sc.datacenters);
        let needs_marginal = m.tariff == Tariff::CostPlus || d.tariff == Tariff::CostPlus;
        // Cost-plus tariffs follow last month's marginal cost (the regulator's lag); the first
        // month follows its own marginal cost without the new loads.
        let marginal = if needs_marginal {
            *prev_marginal.get_or_insert_with(|| {
                self.grid
                    .month_totals(t, &DriverMonth::read(buf, tm, t), &mut scratch.grid, 0.0, 0.0)
                    .marginal_pkr_per_mwh()
            })
        } else {
            0.0
        };
        let tariff = loads::energy_price_pkr_per_mwh(
            m.tariff,
            m.tariff_pkr_per_kwh,
            m.tariff_usd_per_kwh,
            m.cost_plus_markup,
            fx,
            marginal,
        );
        let reward = self.schedule()[t].subsidy_btc + get(buf, tm, Metric::FeesBtcPerBlock, t);
        let miner = mining::decide(
            m,
            sc.reserve.levy_share,
            t,
            get(buf, tm, Metric::BitcoinPriceUsd, t),
            reward,
            get(buf, tm, Metric::HashrateEhs, t),
            fx,
            tariff,
            sc.allocation.mining_mw * loads::ramp(t, m.ramp_months),
        );
        let mining_mw = sc.allocation.mining_mw * loads::ramp(t, m.ramp_months) * miner.uptime;
        let loads = NewLoads {
            mining_mw,
            datacenter_mw: datacenters::load_mw(&sc.allocation, d, t),
        };
        MonthPlan {
            loads,
            miner,
            reference_marginal: marginal,
        }
    }

    /// The state's accounts of month `t`; writes the load and fiscal metrics and returns the
    /// BTC the reserve gained under the policy.
    fn account(&self, t: usize, out: &mut [f64], plan: &MonthPlan, g: &MonthTotals, reserve_btc: &mut f64) -> f64 {
        let sc = &self.sc;
        let tm = self.months();
        let (loads, miner, reference_marginal) = (&plan.loads, &plan.miner, plan.reference_marginal);
        let (m, d, f) = (&sc.mining, &sc.datacenters, &sc.fiscal);
        let fx = get(out, tm, Metric::FxPkrPerUsd, t);
        let price = get(out, tm, Metric::BitcoinPriceUsd, t);
        let hours = g.hours;
        // Energy delivered to the meter: the draw less the share curtailed (grid figures are at
        // the generation side, `1 - loss` of which reaches the meter).
        let keep = 1.0 - f.td_loss_share;
        let e_mining = (loads.mining_mw * hours - g.eue_mining * keep).max(0.0);
        let e_dc = (loads.datacenter_mw * hours - g.eue_datacenters * keep).max(0.0);

        let btc = e_mining * miner.btc_per_mwh;
        let share = if m.tariff == Tariff::FloorPlusShare {
            m.revenue_share
        } else {
            0.0
        };
        let levy_btc = sc.reserve.levy_share * btc;
        let bill_mining = e_mining * miner.tariff_pkr_per_mwh + share * btc * price * fx;
        let miner_profit = btc * (1.0 - m.pool_fee_share - sc.reserve.levy_share - share) * price * fx
            - e_mining * miner.tariff_pkr_per_mwh
            - e_mining * m.opex_usd_per_mwh * fx;
        let dc_price = loads::energy_price_pkr_per_mwh(
            d.tariff,
            d.tariff_pkr_per_kwh,
            d.tariff_usd_per_kwh,
            d.cost_plus_markup,
            fx,
            reference_marginal,
        );
        let bill_dc = e_dc * dc_price;
        let dc_profit = d.profit_usd_per_mwh * e_dc * fx;

        let tax = |rate: f64, holiday: u32, profit: f64| -> (f64, f64) {
            let due = rate * profit.max(0.0);
            if (t as u64) < u64::from(holiday) {
                (0.0, due)
            } else {
                (due, 0.0)
            }
        };
        let (tax_m, exp_m) = tax(m.profit_tax_rate, m.tax_holiday_months, miner_profit);
        let (tax_d, exp_d) = tax(d.profit_tax_rate, d.tax_holiday_months, dc_profit);

        // A price that has collapsed to (numerically) zero buys no more than at a millionth of a
        // dollar: keeps holdings finite on the extreme paths a 50-year horizon can produce.
        let bought = if sc.reserve.purchase_usd_per_month > 0.0 {
            sc.reserve.purchase_usd_per_month / price.max(1e-6)
        } else {
            0.0
        };
        *reserve_btc += levy_btc + bought;
        let collected = f.collection_rate * (bill_mining + bill_dc);
        let net = collected - g.added_cost + tax_m + tax_d - sc.reserve.purchase_usd_per_month * fx;

        put(out, tm, Metric::HashpriceUsdPerPhDay, t, miner.hashprice);
        put(out, tm, Metric::MinerUptime, t, miner.uptime);
        put(out, tm, Metric::MiningLoadMw, t, e_mining / hours);
        put(out, tm, Metric::BtcMined, t, btc);
        put(out, tm, Metric::DatacenterLoadMw, t, e_dc / hours);
        put(out, tm, Metric::TariffRevenuePkr, t, collected);
        put(out, tm, Metric::TaxPkr, t, tax_m + tax_d);
        put(out, tm, Metric::TaxExpenditurePkr, t, exp_m + exp_d);
        put(out, tm, Metric::NetFlowPkr, t, net);
        put(out, tm, Metric::CircularDebtFlowPkr, t, g.added_cost - collected);
        put(out, tm, Metric::ReserveBtc, t, *reserve_btc);
        put(out, tm, Metric::ReserveValuePkr, t, *reserve_btc * price * fx);
        let increase = g.eue_households - g.eue_base;
        put(
            out,
            tm,
            Metric::HouseholdEueCostPkr,
            t,
            increase * sc.grid.value_of_lost_load_usd_per_mwh * fx,
        );
        levy_btc + bought
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
