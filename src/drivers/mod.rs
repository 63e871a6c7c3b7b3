//! The stochastic drivers and the simulation of one path of all of them.
//!
//! Each month every factor stream yields one standard normal; the Cholesky factor of the
//! correlation matrix turns them into correlated shocks; each driver then takes its exact
//! monthly transition. Jumps, Student-t mixing and fees read their own streams, so they never
//! shift the factor draws.

pub mod bitcoin;
pub mod correlation;
pub mod demand;
pub mod fuel;
pub mod fx;
pub mod hydro;
pub mod network;
pub mod process;
pub mod stress;

use crate::calendar::{self, MonthInfo};
use crate::metrics::Metric;
use crate::rng::{self, N_FACTORS, Stream, StreamRng};
use crate::scenario::Scenario;
use crate::scenario::stress::StressDriver;
use fuel::LngPrice;
use process::{Ar1, LogOu, Merton};
use rand_distr::{Distribution, StandardNormal};

/// The correlated factors' streams, in the order of the correlation matrix.
const FACTOR_STREAMS: [Stream; N_FACTORS] = [
    Stream::Demand,
    Stream::Oil,
    Stream::Lng,
    Stream::Coal,
    Stream::Fx,
    Stream::Bitcoin,
    Stream::Hashrate,
    Stream::Hydro,
];

/// Everything needed to simulate paths of one scenario, precomputed once per run.
#[derive(Debug, Clone)]
pub struct Drivers {
    months: usize,
    /// What the schedule is built from: start, months, block height.
    calendar: (calendar::YearMonth, usize, u64),
    schedule: Vec<MonthInfo>,
    chol: [[f64; N_FACTORS]; N_FACTORS],
    demand: demand::Demand,
    fuels: fuel::Fuels,
    fx: Merton,
    fx0: f64,
    bitcoin: bitcoin::Bitcoin,
    btc0: f64,
    network: network::Network,
    hydro: Ar1,
    stress: stress::Overlay,
    /// Closed-form expectations of the drivers' horizon means (see [`DriverMeans`]).
    means: DriverMeans,
}

/// The expectations of the drivers' horizon means (means over the months of a path), from the
/// simulated discrete processes, for control variates. `None` for a driver a stress overrides
/// (its stressed path has no closed form) or with no months.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DriverMeans {
    /// `E[mean_t fx_t]`, PKR per USD: `E[fx_t] = fx_0 exp(g t)` with `g` the log of the monthly
    /// expected growth ([`Merton::log_expected_growth`]).
    pub fx: Option<f64>,
    /// `E[mean_t brent_t]`, USD/bbl: `exp(m_t + v_t / 2)` from the log-OU recursion's mean and
    /// variance, `m_0 = ln brent_0`, `v_0 = 0`.
    pub oil: Option<f64>,
    /// `E[mean_t ln btc_t]`, ln USD: `ln btc_0 + e t`, `e` the expected log step (finite under
    /// Student-t shocks, unlike `E[btc_t]`).
    pub log_btc: Option<f64>,
    /// `E[mean_t load_t]`, MW ([`demand::Demand::expected_mw`]).
    pub load: Option<f64>,
}

/// The drivers' values in one month of one path: what the month's mechanisms (the loads'
/// decisions, dispatch, the accounts) read, so that each shows its inputs in its signature
/// rather than reading the path buffer by metric index.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DriverMonth {
    /// Monthly average grid load of the existing consumers, MW.
    pub load_mw: f64,
    /// Brent, USD/bbl.
    pub oil_usd_per_bbl: f64,
    /// LNG, USD/MMBtu.
    pub lng_usd_per_mmbtu: f64,
    /// Imported coal, USD/t.
    pub coal_usd_per_t: f64,
    /// Exchange rate, PKR per USD.
    pub fx_pkr_per_usd: f64,
    /// Bitcoin price, USD.
    pub bitcoin_usd: f64,
    /// Transaction fees, BTC per block.
    pub fees_btc_per_block: f64,
    /// Network hashrate, EH/s.
    pub hashrate_ehs: f64,
    /// Hydro availability factor (mean one).
    pub hydro_availability: f64,
}

impl DriverMonth {
    /// Month `t` of a path buffer of `months` months filled by [`Drivers::simulate`].
    #[must_use]
    pub fn read(buf: &[f64], months: usize, t: usize) -> Self {
        let get = |m: Metric| crate::metrics::get(buf, months, m, t);
        Self {
            load_mw: get(Metric::LoadMw),
            oil_usd_per_bbl: get(Metric::OilUsdPerBbl),
            lng_usd_per_mmbtu: get(Metric::LngUsdPerMmbtu),
            coal_usd_per_t: get(Metric::CoalUsdPerT),
            fx_pkr_per_usd: get(Metric::FxPkrPerUsd),
            bitcoin_usd: get(Metric::BitcoinPriceUsd),
            fees_btc_per_block: get(Metric::FeesBtcPerBlock),
            hashrate_ehs: get(Metric::HashrateEhs),
            hydro_availability: get(Metric::HydroAvailability),
        }
    }
}

/// Per-path working memory, reused across the paths a worker simulates.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    log_btc: Vec<f64>,
    log_reward: Vec<f64>,
    oil: Vec<f64>,
    /// Each stress's base: the stressed state in the month before its window.
    stress_base: Vec<f64>,
}

impl Drivers {
    /// Precomputes the transitions, schedule and Cholesky factor of a validated scenario.
    #[must_use]
    pub fn new(sc: &Scenario) -> Self {
        Self::reusing(sc, None)
    }

    /// [`Drivers::new`], taking over from `base` the schedule and the network's precomputed
    /// vectors where their inputs are the same (a path whose draws leave the calendar and the
    /// network's targets alone has the same ones).
    #[must_use]
    pub fn reusing(sc: &Scenario, base: Option<&Self>) -> Self {
        let months = sc.months();
        let calendar = (sc.simulation.start, months, sc.network.block_height0);
        // The network looks past the horizon: an investor in the last month weighs a rig's
        // whole life. The horizon's months are the first of those (built one month after the
        // other, the same numbers).
        let outlook = || calendar::schedule(calendar.0, months + network::OUTLOOK_MONTHS, calendar.2 as f64);
        let (schedule, network) = match base.filter(|b| b.calendar == calendar) {
            Some(b) => (
                b.schedule.clone(),
                network::Network::reusing(&sc.network, &b.network)
                    .unwrap_or_else(|| network::Network::new(&sc.network, &outlook())),
            ),
            None => {
                let outlook = outlook();
                (outlook[..months].to_vec(), network::Network::new(&sc.network, &outlook))
            }
        };
        let mut d = Self {
            months,
            calendar,
            chol: correlation::cholesky_psd(&sc.correlation.matrix),
            demand: demand::Demand::new(&sc.demand, &schedule),
            fuels: fuel::Fuels::new(&sc.fuel),
            fx: fx::process(&sc.fx, sc.fx_drift_annual()),
            fx0: sc.fx.rate0_pkr_per_usd.ln(),
            bitcoin: bitcoin::Bitcoin::new(&sc.bitcoin),
            btc0: sc.bitcoin.price0_usd.ln(),
            network,
            hydro: hydro::process(&sc.hydro),
            stress: stress::Overlay::new(&sc.stress, sc.simulation.start),
            schedule,
            means: DriverMeans::default(),
        };
        let stressed = |d: StressDriver| sc.stress.iter().any(|s| s.driver == d);
        d.means = d.expected_means(&stressed);
        d
    }

    /// The closed forms of [`DriverMeans`]. A factor's shock is `z_i = sum_j L_ij eps_j`, of
    /// variance `sum_j L_ij^2`: 1 for a correlation matrix, less where `cholesky_psd` skipped a
    /// dependent factor, so the formulas take the row's own.
    fn expected_means(&self, stressed: &dyn Fn(StressDriver) -> bool) -> DriverMeans {
        let tm = self.months;
        if tm == 0 {
            return DriverMeans::default();
        }
        let n = tm as f64;
        let z_var = |i: usize| self.chol[i].iter().map(|l| l * l).sum::<f64>();
        let fx = (!stressed(StressDriver::Fx)).then(|| {
            let g = self.fx.log_expected_growth(z_var(4));
            (0..tm).map(|t| (self.fx0 + g * t as f64).exp()).sum::<f64>() / n
        });
        let oil = (!stressed(StressDriver::Oil)).then(|| {
            let mut mv = (self.fuels.log0[0], 0.0);
            let mut sum = 0.0;
            for t in 0..tm {
                if t > 0 {
                    mv = self.fuels.oil.next_moments(mv, z_var(1));
                }
                sum += (mv.0 + 0.5 * mv.1).exp();
            }
            sum / n
        });
        let log_btc = (!stressed(StressDriver::Bitcoin)).then(|| {
            let e = self.bitcoin.merton.expected_log_step();
            (0..tm).map(|t| self.btc0 + e * t as f64).sum::<f64>() / n
        });
        let load = (!stressed(StressDriver::Demand))
            .then(|| (0..tm).map(|t| self.demand.expected_mw(t, z_var(0))).sum::<f64>() / n);
        DriverMeans { fx, oil, log_btc, load }
    }

    /// The expectations of the drivers' horizon means (for control variates).
    #[must_use]
    pub fn means(&self) -> &DriverMeans {
        &self.means
    }

    /// LNG's price at the start: its own process's first value, or the contract formula at
    /// Brent's first value.
    fn first_lng(&self) -> f64 {
        match &self.fuels.lng {
            LngPrice::Slope { slope, constant, .. } => slope * self.fuels.log0[0].exp() + constant,
            LngPrice::Own(_) => self.fuels.log0[1].exp(),
        }
    }

    /// The network model.
    #[must_use]
    pub fn network(&self) -> &network::Network {
        &self.network
    }

    /// Months per path.
    #[must_use]
    pub fn months(&self) -> usize {
        self.months
    }

    /// The deterministic month schedule (dates, blocks, subsidy).
    #[must_use]
    pub fn schedule(&self) -> &[MonthInfo] {
        &self.schedule
    }

    /// Draws exactly the random numbers [`Drivers::simulate`] draws for `path` (same streams,
    /// seeding, distributions and count) and nothing else: the random-number limit the
    /// benchmarks compare the driver simulation with. Returns their sum so that the draws
    /// cannot be optimised away.
    #[must_use]
    pub fn random_numbers_only(&self, seeds: &rng::Seeds, path: u64) -> f64 {
        let at = |s: Stream| rng::stream(seeds[s as usize], path, s);
        let mut factor_rngs: [StreamRng; N_FACTORS] = FACTOR_STREAMS.map(at);
        let (mut fx_jumps, mut btc_jumps, mut btc_tails, mut fees) = (
            at(Stream::FxJumps),
            at(Stream::BitcoinJumps),
            at(Stream::BitcoinTails),
            at(Stream::Fees),
        );
        let mut acc = 0.0;
        for t in 0..self.months {
            for r in &mut factor_rngs {
                acc += Distribution::<f64>::sample(&StandardNormal, r);
            }
            if t > 0 {
                acc += self.fx.step(0.0, 0.0, &mut fx_jumps, 1.0);
                acc += self.bitcoin.shock(1.0, &mut btc_tails);
                acc += self.bitcoin.merton.step(0.0, 0.0, &mut btc_jumps, 1.0);
            }
            acc += Distribution::<f64>::sample(&StandardNormal, &mut fees);
        }
        acc
    }

    /// Simulates the driver metrics of path `path` (streams seeded by `seeds`) into `out`, laid out
    /// metric-major (`out[metric * months + t]`; see [`crate::metrics`]).
    ///
    /// With `antithetic`, paths come in pairs (2k, 2k + 1): the odd path reads the even path's
    /// streams with every standard normal negated (diffusions, jump sizes, fees); Poisson jump
    /// counts and Student-t mixing variables are shared. Each path keeps its exact distribution.
    pub fn simulate(&self, seeds: &rng::Seeds, path: u64, out: &mut [f64], scratch: &mut Scratch, antithetic: bool) {
        let tm = self.months;
        debug_assert_eq!(out.len(), crate::metrics::path_len(tm));
        let (stream_path, sign) = if antithetic && path % 2 == 1 {
            (path - 1, -1.0)
        } else {
            (path, 1.0)
        };
        let at = |s: Stream| rng::stream(seeds[s as usize], stream_path, s);
        let mut factor_rngs: [StreamRng; N_FACTORS] = FACTOR_STREAMS.map(at);
        let mut fx_jumps = at(Stream::FxJumps);
        let mut btc_jumps = at(Stream::BitcoinJumps);
        let mut btc_tails = at(Stream::BitcoinTails);
        let mut fees = at(Stream::Fees);
        scratch.log_btc.clear();
        scratch.log_reward.clear();
        scratch.oil.clear();

        let (mut y_dem, mut y_hyd, mut x_hash, mut h_fund) = (0.0, 0.0, 0.0, 0.0);
        let [mut x_oil, mut x_lng, mut x_coal] = self.fuels.log0;
        let (mut x_fx, mut x_btc) = (self.fx0, self.btc0);
        let mut eps = [0.0; N_FACTORS];
        let mut z = [0.0; N_FACTORS];

        // The contract LNG price of the month before (a stress on it starts there); the first
        // month's formula price stands in before the start.
        let mut last_lng = self.first_lng();
        scratch.stress_base.clear();
        scratch.stress_base.resize(self.stress.len(), 0.0);
        for t in 0..tm {
            // A stress starts from the state of the month before its window (the starting value
            // for a window from month 0).
            for (i, d) in self.stress.starting(t) {
                scratch.stress_base[i] = match d {
                    StressDriver::Fx => x_fx,
                    StressDriver::Oil => x_oil,
                    StressDriver::Lng if matches!(self.fuels.lng, LngPrice::Own(_)) => x_lng,
                    StressDriver::Lng => last_lng.ln(),
                    StressDriver::Coal => x_coal,
                    StressDriver::Bitcoin => x_btc,
                    StressDriver::Demand | StressDriver::Hydro | StressDriver::LngSupply => 0.0,
                };
            }
            for (e, r) in eps.iter_mut().zip(factor_rngs.iter_mut()) {
                *e = sign * Distribution::<f64>::sample(&StandardNormal, r);
            }
            // The factor is lower triangular: row i needs only its first i + 1 entries (the
            // skipped terms are exact zeros, so the sums are the same bits).
            for (i, (zi, row)) in z.iter_mut().zip(&self.chol).enumerate() {
                *zi = row[..=i].iter().zip(&eps).map(|(l, e)| l * e).sum();
            }
            let [z_dem, z_oil, z_lng, z_coal, z_fx, z_btc, z_hash, z_hyd] = z;
            if t == 0 {
                // Demand and hydro deviations of the coming month are unknown: stationary draw.
                // Prices, the rate and hashrate are observed at the start.
                y_dem = self.demand.shock().start(z_dem);
                y_hyd = self.hydro.start(z_hyd);
            } else {
                y_dem = self.demand.shock().step(y_dem, z_dem);
                y_hyd = self.hydro.step(y_hyd, z_hyd);
                x_oil = self.fuels.oil.step(x_oil, z_oil);
                if let LngPrice::Own(ou) = &self.fuels.lng {
                    x_lng = LogOu::step(ou, x_lng, z_lng);
                }
                x_coal = self.fuels.coal.step(x_coal, z_coal);
                x_fx = self.fx.step(x_fx, z_fx, &mut fx_jumps, sign);
                let shock = self.bitcoin.shock(z_btc, &mut btc_tails);
                x_btc = self.bitcoin.merton.step(x_btc, shock, &mut btc_jumps, sign);
                x_hash = self.network.noise.step(x_hash, z_hash);
            }
            // Stressed states replace the process's (the process carries on from them).
            let (mut demand_goal, mut hydro_goal, mut lng_contract) = (None, None, None);
            if !self.stress.is_empty() {
                let own_lng = matches!(self.fuels.lng, LngPrice::Own(_));
                for (i, d, k, goal) in self.stress.active(t) {
                    let x = goal.at(scratch.stress_base[i], k);
                    match d {
                        StressDriver::Fx => x_fx = x,
                        StressDriver::Oil => x_oil = x,
                        StressDriver::Lng if own_lng => x_lng = x,
                        StressDriver::Lng => lng_contract = Some(x.exp()),
                        StressDriver::Coal => x_coal = x,
                        StressDriver::Bitcoin => x_btc = x,
                        StressDriver::Demand => demand_goal = Some(goal),
                        StressDriver::Hydro => hydro_goal = Some(goal),
                        // A volume, not a driver: the grid scales the RLNG fuel limits.
                        StressDriver::LngSupply => {}
                    }
                }
            }
            scratch.log_btc.push(x_btc);
            let oil = x_oil.exp();
            scratch.oil.push(oil);
            let lng = match &self.fuels.lng {
                LngPrice::Slope {
                    slope,
                    constant,
                    window,
                } => lng_contract.unwrap_or_else(|| slope * fuel::trailing_mean(&scratch.oil, t, *window) + *constant),
                LngPrice::Own(_) => x_lng.exp(),
            };
            last_lng = lng;
            let u_fee: f64 = sign * Distribution::<f64>::sample(&StandardNormal, &mut fees);
            let subsidy = self.schedule[t].subsidy_btc;
            let fee = self.network.fees_btc(subsidy, u_fee);
            scratch.log_reward.push((subsidy + fee).ln());
            h_fund = self
                .network
                .fundamental_log(t, h_fund, &scratch.log_btc, &scratch.log_reward);
            let hashrate = (h_fund + x_hash).exp();

            let mut put = |m: Metric, v: f64| crate::metrics::put(out, tm, m, t, v);
            // Unstressed, the value is written as computed (not scaled by one: the same bits).
            let level = |g: Option<stress::Goal>, x: f64| g.map_or(x, |g| g.scale(x));
            put(Metric::LoadMw, level(demand_goal, self.demand.load_mw(t, y_dem)));
            put(Metric::OilUsdPerBbl, oil);
            put(Metric::LngUsdPerMmbtu, lng);
            put(Metric::CoalUsdPerT, x_coal.exp());
            put(Metric::FxPkrPerUsd, x_fx.exp());
            put(Metric::BitcoinPriceUsd, x_btc.exp());
            put(Metric::FeesBtcPerBlock, fee);
            put(Metric::HashrateEhs, hashrate);
            put(Metric::DifficultyT, hashrate * network::DIFFICULTY_T_PER_EHS);
            put(Metric::HydroAvailability, level(hydro_goal, self.hydro.factor(y_hyd)));
        }
    }
}
