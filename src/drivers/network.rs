//! The Bitcoin network: hashrate, the difficulty it implies, and transaction fees.
//!
//! Two models of hashrate `H` (EH/s), both with a zero-started AR(1) noise `x` driven by the
//! `hashrate` factor (weather, outages, month-average deviations that pass):
//! - trend: `ln H_t = ln H_0 + g t + eta (ln R_{t-L} - ln R_0) + x_t`, where `R = price x
//!   subsidy` is miners' USD revenue per block and `R_s = R_0` for `s < 0`;
//! - equilibrium (free entry): `ln H_t = h_t + x_t` with the fundamental
//!   `h_t = h_{t-1} + kappa (ln H*_t - h_{t-1})`, `h_0 = ln H_0`, towards the break-even
//!   hashrate `H*_t = theta V_{t-L} / (24 c e_t)`: the hashrate whose electricity, at the
//!   network-average efficiency `e_t` (J/TH, falling at `g_e` a year) and price `c` (USD/MWh),
//!   costs the share `theta` of the network's revenue `V` (USD/day: price x (subsidy + fees)
//!   x 144 blocks). `H` EH/s at `e` J/TH draws `H e` MW, hence the 24. Hashprice per joule
//!   is then stationary, and a halving halves `H*` and passes through at the speed `kappa`.
//!
//! Pakistan's own fleet is not in `H`: the model adds it (see `crate::model`).

use super::process::{Ar1, DT};
use crate::calendar::MonthInfo;
use crate::scenario::{Network as Params, NetworkEquilibrium, NetworkModel};
use std::collections::VecDeque;
use std::sync::Arc;

/// Difficulty per unit hashrate: D = H x 600 s / 2^32, reported in T (10^12) from EH/s.
pub const DIFFICULTY_T_PER_EHS: f64 = 1.0e18 * 600.0 / 4_294_967_296.0 / 1.0e12;

/// Blocks a day at the target spacing of 600 s.
pub const BLOCKS_PER_DAY: f64 = 144.0;

/// How the fundamental hashrate moves.
#[derive(Debug, Clone)]
enum Law {
    /// Trend and elasticity: `base_log[t]` holds the trend and the subsidy part of the response.
    Trend { base_log: Vec<f64>, eta: f64 },
    /// Error correction: `target_log[t] = ln(theta x 144 / (24 c e_t))`, to which the month's
    /// `ln(price x reward)` is added. Both vectors run [`OUTLOOK_MONTHS`] past the horizon;
    /// `expected_reward[t]` is the mean block reward, subsidy x (1 + mean fee share), BTC.
    /// The vectors do not depend on `kappa` (a path's drawn speed): a path's network shares
    /// the point model's ([`Network::reusing`]), about a thousand exponentials and logarithms
    /// fewer a path.
    Equilibrium {
        target_log: Arc<[f64]>,
        expected_reward: Arc<[f64]>,
        /// `ln expected_reward[t]`: the outlook would otherwise take a logarithm per month
        /// ahead, every month of every path.
        log_expected_reward: Arc<[f64]>,
        kappa: f64,
        /// The parameters the vectors were computed from, bit for bit ([`target_inputs`]).
        inputs: [u64; 5],
    },
}

/// The equilibrium model's precomputed vectors: `target_log`, `expected_reward` and its log.
type Vectors<'a> = (&'a [f64], &'a [f64], &'a [f64]);

/// Months past the horizon the equilibrium model's outlook covers: a rig bought in the last
/// month may run this long.
pub const OUTLOOK_MONTHS: usize = 300;

/// Every parameter the equilibrium vectors depend on besides the schedule, as bits: equal
/// bits give the same vectors (a comparison of values would take -0 for 0).
fn target_inputs(fee_share_mean: f64, e: &NetworkEquilibrium) -> [u64; 5] {
    [
        fee_share_mean,
        e.electricity_usd_per_mwh,
        e.electricity_share,
        e.efficiency0_j_per_th,
        e.efficiency_improvement_annual,
    ]
    .map(f64::to_bits)
}

/// The network model of one run.
#[derive(Debug, Clone)]
pub struct Network {
    law: Law,
    /// Log hashrate in the first month.
    log_h0: f64,
    /// Response lag, months.
    pub lag: usize,
    /// Noise process (started at zero: hashrate is observed at the start).
    pub noise: Ar1,
    /// Mean fee share of the subsidy, and its log standard deviation.
    pub fee_mean: f64,
    /// Log standard deviation of the fee share.
    pub fee_sigma: f64,
}

impl Network {
    /// Precomputes the deterministic parts.
    #[must_use]
    pub fn new(p: &Params, sched: &[MonthInfo]) -> Self {
        let lag = p.response_lag_months as usize;
        let law = match (p.model, &p.equilibrium) {
            (NetworkModel::Equilibrium, Some(e)) => {
                let expected_reward: Arc<[f64]> =
                    sched.iter().map(|m| m.subsidy_btc * (1.0 + p.fee_share_mean)).collect();
                Law::Equilibrium {
                    log_expected_reward: expected_reward.iter().map(|r| r.ln()).collect(),
                    expected_reward,
                    target_log: (0..sched.len())
                        .map(|t| {
                            let eff = e.efficiency0_j_per_th * (-e.efficiency_improvement_annual * t as f64 * DT).exp();
                            (e.electricity_share * BLOCKS_PER_DAY / (24.0 * e.electricity_usd_per_mwh * eff)).ln()
                        })
                        .collect(),
                    kappa: e.adjustment_per_month,
                    inputs: target_inputs(p.fee_share_mean, e),
                }
            }
            _ => {
                // Validation requires the trend's parameters under the trend model.
                let eta = p.revenue_elasticity.unwrap_or(0.0);
                let g = p.growth_annual.unwrap_or(0.0);
                let sub0 = sched[0].subsidy_btc;
                let base_log = (0..sched.len())
                    .map(|t| {
                        let subsidy_term = if t >= lag {
                            eta * (sched[t - lag].subsidy_btc / sub0).ln()
                        } else {
                            0.0
                        };
                        p.hashrate0_ehs.ln() + g * t as f64 * DT + subsidy_term
                    })
                    .collect();
                Law::Trend { base_log, eta }
            }
        };
        Self::with_law(p, law)
    }

    /// [`Network::new`] for the same schedule as `base` was built from, taking over its
    /// equilibrium vectors when their parameters are the same to the bit (the same numbers);
    /// `None` when they are not, or under the trend model.
    #[must_use]
    pub fn reusing(p: &Params, base: &Self) -> Option<Self> {
        let Law::Equilibrium {
            target_log,
            expected_reward,
            log_expected_reward,
            inputs,
            ..
        } = &base.law
        else {
            return None;
        };
        let e = match (p.model, &p.equilibrium) {
            (NetworkModel::Equilibrium, Some(e)) if target_inputs(p.fee_share_mean, e) == *inputs => e,
            _ => return None,
        };
        let law = Law::Equilibrium {
            target_log: Arc::clone(target_log),
            expected_reward: Arc::clone(expected_reward),
            log_expected_reward: Arc::clone(log_expected_reward),
            kappa: e.adjustment_per_month,
            inputs: *inputs,
        };
        Some(Self::with_law(p, law))
    }

    fn with_law(p: &Params, law: Law) -> Self {
        Self {
            law,
            log_h0: p.hashrate0_ehs.ln(),
            lag: p.response_lag_months as usize,
            noise: Ar1::new(p.noise_phi, p.noise_sigma),
            fee_mean: p.fee_share_mean,
            fee_sigma: p.fee_share_sigma,
        }
    }

    /// The fundamental log hashrate of month `t` (before the noise), given the previous
    /// month's (`prev`, ignored in month 0 and by the trend model), the log Bitcoin prices so
    /// far and the log block rewards (subsidy + fees, BTC) so far.
    #[inline]
    #[must_use]
    pub fn fundamental_log(&self, t: usize, prev: f64, log_price: &[f64], log_reward: &[f64]) -> f64 {
        match &self.law {
            Law::Trend { base_log, eta } => {
                let price_term = if t >= self.lag {
                    eta * (log_price[t - self.lag] - log_price[0])
                } else {
                    0.0
                };
                base_log[t] + price_term
            }
            Law::Equilibrium { target_log, kappa, .. } => {
                if t == 0 {
                    return self.log_h0;
                }
                let s = t.saturating_sub(self.lag);
                let target = target_log[t] + log_price[s] + log_reward[s];
                prev + kappa * (target - prev)
            }
        }
    }

    /// The break-even hashrate (EH/s) of month `t` for a price (USD) and block reward (BTC)
    /// under the equilibrium model; `None` under the trend model.
    #[must_use]
    pub fn breakeven_ehs(&self, t: usize, price_usd: f64, reward_btc: f64) -> Option<f64> {
        match &self.law {
            Law::Equilibrium { target_log, .. } => Some(target_log[t].exp() * price_usd * reward_btc),
            Law::Trend { .. } => None,
        }
    }

    /// What an investor expects hashprice (USD/PH/day) to be in months `t + first ..
    /// t + first + n` (pushed onto `out`) under the equilibrium model, with the Bitcoin price
    /// held at `price_usd` and fees at their mean share: the fundamental recursion run forward
    /// from this month's hashrate `hashrate_ehs` (the known halvings included). `false`, with
    /// nothing pushed, under the trend model.
    #[must_use]
    pub fn expected_hashprices(
        &self,
        t: usize,
        hashrate_ehs: f64,
        price_usd: f64,
        first: usize,
        n: usize,
        out: &mut Vec<f64>,
    ) -> bool {
        let Some(((target_log, expected_reward, log_expected_reward), kappa)) = self.equilibrium() else {
            return false;
        };
        let log_price = price_usd.ln();
        let mut h = hashrate_ehs.ln();
        let ahead = months_ahead(target_log, expected_reward, log_expected_reward, self.lag, t, first + n);
        for (s, target, log_reward) in ahead {
            h += kappa * (target + log_price + log_reward - h);
            if s >= t + first {
                out.push(price_usd * expected_reward[s] * BLOCKS_PER_DAY / (h.exp() * 1000.0));
            }
        }
        true
    }

    /// The equilibrium vectors (`target_log`, `expected_reward`, its log) when the outlook's
    /// ceiling holds: under the equilibrium model, with `kappa` in `(0, 1]` and a positive
    /// hashrate and price.
    fn bounded(&self, hashrate_ehs: f64, price_usd: f64) -> Option<Vectors<'_>> {
        let (vectors, kappa) = self.equilibrium()?;
        (kappa > 0.0 && kappa <= 1.0 && price_usd > 0.0 && hashrate_ehs > 0.0).then_some(vectors)
    }

    /// The equilibrium model's vectors and `kappa`; `None` under the trend model.
    fn equilibrium(&self) -> Option<(Vectors<'_>, f64)> {
        match &self.law {
            Law::Equilibrium {
                target_log,
                expected_reward,
                log_expected_reward,
                kappa,
                ..
            } => Some(((target_log, expected_reward, log_expected_reward), *kappa)),
            Law::Trend { .. } => None,
        }
    }

    /// An upper bound on every hashprice [`Network::expected_hashprices`] pushes for the same
    /// arguments, without its exponential a month: the recursion moves `h` a share `kappa` in
    /// `(0, 1]` of the way to each month's target, so `h` never falls below the lowest of its
    /// start and the targets, and hashprice falls in `h`. The margin of 1e-9 (relative) is far
    /// above the recursion's rounding. `None` under the trend model, for a `kappa` outside
    /// `(0, 1]`, or when nothing would be pushed.
    #[must_use]
    pub fn hashprice_ceiling(
        &self,
        t: usize,
        hashrate_ehs: f64,
        price_usd: f64,
        first: usize,
        n: usize,
    ) -> Option<f64> {
        let (target_log, expected_reward, log_expected_reward) = self.bounded(hashrate_ehs, price_usd)?;
        let log_price = price_usd.ln();
        let mut h_lo = hashrate_ehs.ln();
        let mut reward_hi = f64::NEG_INFINITY;
        let ahead = months_ahead(target_log, expected_reward, log_expected_reward, self.lag, t, first + n);
        for (s, target, log_reward) in ahead {
            h_lo = h_lo.min(target + log_price + log_reward);
            if s >= t + first {
                reward_hi = reward_hi.max(expected_reward[s]);
            }
        }
        ceiling_at(price_usd, reward_hi, h_lo)
    }

    /// [`Network::hashprice_ceiling`] for the months of one path in increasing order, `w`
    /// carrying the window from month to month: the same bound up to the rounding of one sum
    /// (`ln H*` and the reward's log are added before the month's log price, not after), which
    /// the bound's margin of 1e-9 covers many times over.
    ///
    /// The outlook's window `t + 1 .. t + first + n` only slides forward, and what it is bounded
    /// by, its lowest target and its highest reward, does not depend on the path's hashrate or
    /// price: two monotone queues keep both as the window slides, so a month costs a few steps
    /// instead of a pass over the months ahead (the forward rule asks every month of most
    /// paths, and on most the ceiling decides). A month before the last one asked, a
    /// different `(first, n)` or a month ahead without a reward (the 22nd century) starts the
    /// queues again or falls back to the pass.
    #[must_use]
    pub fn hashprice_ceiling_along(
        &self,
        w: &mut CeilingWindow,
        t: usize,
        hashrate_ehs: f64,
        price_usd: f64,
        first: usize,
        n: usize,
    ) -> Option<f64> {
        let (target_log, expected_reward, log_expected_reward) = self.bounded(hashrate_ehs, price_usd)?;
        if w.key != Some((first, n)) || w.month.is_some_and(|m| t < m) {
            w.clear();
            w.key = Some((first, n));
            w.next = t + 1;
        }
        w.month = Some(t);
        let end = (t + first + n).min(target_log.len());
        while !w.fallback && w.next < end {
            let s = w.next;
            let lagged = s.saturating_sub(self.lag);
            #[allow(clippy::neg_cmp_op_on_partial_ord)] // the outlook's stop, NaN included
            if !(expected_reward[lagged] > 0.0) {
                // The outlook stops here: past the last subsidy, no window to slide.
                w.fallback = true;
                break;
            }
            let low = target_log[s] + log_expected_reward[lagged];
            while w.low.back().is_some_and(|&(_, x)| x >= low) {
                w.low.pop_back();
            }
            w.low.push_back((s, low));
            let reward = expected_reward[s];
            while w.high.back().is_some_and(|&(_, x)| x <= reward) {
                w.high.pop_back();
            }
            w.high.push_back((s, reward));
            w.next += 1;
        }
        if w.fallback {
            return self.hashprice_ceiling(t, hashrate_ehs, price_usd, first, n);
        }
        while w.low.front().is_some_and(|&(s, _)| s <= t) {
            w.low.pop_front();
        }
        while w.high.front().is_some_and(|&(s, _)| s < t + first) {
            w.high.pop_front();
        }
        let mut h_lo = hashrate_ehs.ln();
        if let Some(&(_, low)) = w.low.front() {
            h_lo = h_lo.min(low + price_usd.ln());
        }
        let &(_, reward_hi) = w.high.front()?;
        ceiling_at(price_usd, reward_hi, h_lo)
    }

    /// Fees per block (BTC) given the month's mean subsidy and a standard normal `u`.
    #[inline]
    #[must_use]
    pub fn fees_btc(&self, subsidy: f64, u: f64) -> f64 {
        subsidy * self.fee_mean * (self.fee_sigma * u - 0.5 * self.fee_sigma * self.fee_sigma).exp()
    }
}

/// The hashprice of a network at the log hashrate `h_lo` earning `reward_hi` BTC a block at
/// `price_usd`, with the margin that makes it a ceiling (see [`Network::hashprice_ceiling`]).
fn ceiling_at(price_usd: f64, reward_hi: f64, h_lo: f64) -> Option<f64> {
    let slack = 1e-9 * (1.0 + h_lo.abs());
    let ceiling = price_usd * reward_hi * BLOCKS_PER_DAY / ((h_lo - slack).exp() * 1000.0) * (1.0 + 1e-9);
    (ceiling.is_finite() && ceiling > 0.0).then_some(ceiling)
}

/// The sliding window of [`Network::hashprice_ceiling_along`] along one path: the months of
/// the window's lowest target (increasing) and highest reward (decreasing) still ahead.
#[derive(Debug, Clone, Default)]
pub struct CeilingWindow {
    /// The `(first, n)` the queues hold the window of.
    key: Option<(usize, usize)>,
    /// The last month asked about.
    month: Option<usize>,
    /// The next month to enter the window.
    next: usize,
    /// The outlook stops inside the window: every month takes the pass instead.
    fallback: bool,
    /// `(s, target_log[s] + ln reward[s - lag])`, values increasing from the front.
    low: VecDeque<(usize, f64)>,
    /// `(s, reward[s])`, values decreasing from the front.
    high: VecDeque<(usize, f64)>,
}

impl CeilingWindow {
    /// Empties the window for a new path (keeping its memory).
    pub fn clear(&mut self) {
        self.key = None;
        self.month = None;
        self.next = 0;
        self.fallback = false;
        self.low.clear();
        self.high.clear();
    }
}

/// The months `t + 1 .. t + ahead` of the equilibrium outlook within the precomputed vectors, each
/// with its target and its lagged log reward, up to the last subsidy (the 22nd century: no
/// outlook to speak of past it).
fn months_ahead<'a>(
    target_log: &'a [f64],
    expected_reward: &'a [f64],
    log_expected_reward: &'a [f64],
    lag: usize,
    t: usize,
    ahead: usize,
) -> impl Iterator<Item = (usize, f64, f64)> + 'a {
    let last = (t + ahead).min(target_log.len());
    (t + 1..last).map_while(move |s| {
        let lagged = s.saturating_sub(lag);
        #[allow(clippy::neg_cmp_op_on_partial_ord)] // the same stop as `r <= 0`, NaN included
        (!(expected_reward[lagged] <= 0.0)).then(|| (s, target_log[s], log_expected_reward[lagged]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::NetworkEquilibrium;

    fn equilibrium(kappa: f64, lag: u32, g_e: f64) -> Params {
        Params {
            model: NetworkModel::Equilibrium,
            hashrate0_ehs: 1_000.0,
            response_lag_months: lag,
            equilibrium: Some(NetworkEquilibrium {
                adjustment_per_month: kappa,
                electricity_usd_per_mwh: 45.0,
                electricity_share: 0.6,
                efficiency0_j_per_th: 20.0,
                efficiency_improvement_annual: g_e,
            }),
            ..Params::default()
        }
    }

    fn schedule(months: usize) -> Vec<MonthInfo> {
        crate::calendar::schedule("2026-04".parse().unwrap(), months, 943_056.0)
    }

    /// Runs the fundamental over constant inputs except a reward that halves at `halving`.
    fn run(n: &Network, months: usize, price: f64, reward: f64, halving: usize) -> Vec<f64> {
        let log_price = vec![price.ln(); months];
        let log_reward: Vec<f64> = (0..months)
            .map(|t| if t >= halving { (reward / 2.0).ln() } else { reward.ln() })
            .collect();
        let mut h = Vec::with_capacity(months);
        for t in 0..months {
            let prev = h.last().copied().unwrap_or(0.0);
            h.push(n.fundamental_log(t, prev, &log_price, &log_reward));
        }
        h
    }

    #[test]
    fn another_speed_takes_the_targets_over_to_the_bit_and_any_other_input_does_not() {
        let sched = schedule(420);
        let base = Network::new(&equilibrium(0.1, 3, 0.2), &sched);
        let p = equilibrium(0.07, 3, 0.2);
        let own = Network::new(&p, &sched);
        let shared = Network::reusing(&p, &base).expect("only the speed differs");
        let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
        assert_eq!(
            bits(run(&own, 420, 60_000.0, 3.2, 30)),
            bits(run(&shared, 420, 60_000.0, 3.2, 30))
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for t in [0, 50, 119] {
            assert!(own.expected_hashprices(t, 900.0, 60_000.0, 1, 300, &mut a));
            assert!(shared.expected_hashprices(t, 900.0, 60_000.0, 1, 300, &mut b));
            assert_eq!(
                own.hashprice_ceiling(t, 900.0, 60_000.0, 1, 300),
                shared.hashprice_ceiling(t, 900.0, 60_000.0, 1, 300)
            );
        }
        assert_eq!(bits(a), bits(b));
        assert!(Network::reusing(&equilibrium(0.07, 3, 0.25), &base).is_none());
        let zero = Network::new(&equilibrium(0.1, 3, 0.0), &sched);
        assert!(Network::reusing(&equilibrium(0.1, 3, -0.0), &zero).is_none());
        let mut fees = p.clone();
        fees.fee_share_mean = 0.05;
        assert!(Network::reusing(&fees, &base).is_none());
    }

    #[test]
    fn the_gap_to_break_even_closes_geometrically() {
        let (kappa, months) = (0.2, 60);
        let n = Network::new(&equilibrium(kappa, 0, 0.0), &schedule(months));
        let (price, reward) = (68_000.0, 3.2);
        let h = run(&n, months, price, reward, usize::MAX);
        // H* = theta x price x reward x 144 / (24 c e), in closed form.
        let star = (0.6 * price * reward * 144.0 / (24.0 * 45.0 * 20.0)).ln();
        assert!((n.breakeven_ehs(5, price, reward).unwrap().ln() - star).abs() < 1e-12);
        for (t, &ht) in h.iter().enumerate() {
            let want = star + (1.0 - kappa).powi(t as i32) * (1_000f64.ln() - star);
            assert!((ht - want).abs() < 1e-12, "month {t}: {ht} vs {want}");
        }
        // At the steady state hashprice is theta-determined: 24 c e / (1000 theta) USD/PH/day.
        let hp = crate::loads::mining::hashprice_usd_per_ph_day(price, reward, star.exp());
        assert!((hp - 24.0 * 45.0 * 20.0 / (1000.0 * 0.6)).abs() < 1e-9);
    }

    #[test]
    fn a_halving_passes_through_after_the_lag_at_the_adjustment_speed() {
        let (kappa, lag, months, halving) = (0.25, 2u32, 48, 10);
        let n = Network::new(&equilibrium(kappa, lag, 0.0), &schedule(months));
        let (price, reward) = (68_000.0, 3.2);
        // Start at the pre-halving steady state.
        let mut p = equilibrium(kappa, lag, 0.0);
        p.hashrate0_ehs = n.breakeven_ehs(0, price, reward).unwrap();
        let n = Network::new(&p, &schedule(months));
        let h = run(&n, months, price, reward, halving);
        let before = p.hashrate0_ehs.ln();
        for (t, &ht) in h.iter().enumerate() {
            // The target falls by ln 2 from month halving + lag.
            let k = (t + 1).saturating_sub(halving + lag as usize) as i32;
            let want = before - 2f64.ln() * (1.0 - (1.0 - kappa).powi(k));
            assert!((ht - want).abs() < 1e-12, "month {t}: {ht} vs {want}");
        }
        // Hashprice halves at the halving, then recovers to its old level as hashrate leaves.
        let hp = |t: usize, r: f64| crate::loads::mining::hashprice_usd_per_ph_day(price, r, h[t].exp());
        assert!((hp(halving, reward / 2.0) / hp(halving - 1, reward) - 0.5).abs() < 1e-12);
        assert!((hp(months - 1, reward / 2.0) / hp(0, reward) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn the_outlook_holds_at_the_steady_state_and_prices_in_the_halving() {
        let (kappa, lag, months) = (0.2, 1u32, 120);
        let sched = schedule(months);
        let n = Network::new(&equilibrium(kappa, lag, 0.0), &sched);
        let price = 68_000.0;
        // The steady state of the current subsidy (fees at their mean share, 0 here).
        let h0 = n.breakeven_ehs(0, price, sched[0].subsidy_btc).unwrap();
        let hp0 = crate::loads::mining::hashprice_usd_per_ph_day(price, sched[0].subsidy_btc, h0);
        let mut out = Vec::new();
        assert!(n.expected_hashprices(0, h0, price, 1, 60, &mut out));
        assert_eq!(out.len(), 60);
        let halving = sched.iter().position(|m| m.subsidy_btc < 3.125).unwrap();
        for (k, hp) in out.iter().enumerate() {
            let s = k + 1;
            if s < halving {
                assert!((hp / hp0 - 1.0).abs() < 1e-12, "month {s}");
            }
        }
        // The halving month earns less than half (part of it at the old subsidy), then
        // hashprice recovers as the network's hashrate falls towards its new break-even.
        let after = &out[halving..];
        assert!(after[0] < 0.55 * hp0);
        assert!(after.windows(2).all(|w| w[1] >= w[0] - 1e-12));
        assert!((after.last().unwrap() / hp0 - 1.0).abs() < 1e-3);
        // The trend model has no outlook.
        let mut p = equilibrium(kappa, lag, 0.0);
        p.model = NetworkModel::Trend;
        assert!(!Network::new(&p, &sched).expected_hashprices(0, h0, price, 1, 60, &mut out));
    }

    #[test]
    fn the_ceiling_bounds_every_hashprice_of_the_outlook() {
        let months = 120;
        let sched = schedule(months);
        let mut tight = 0.0_f64;
        for (kappa, lag, g_e) in [(0.06, 0, 0.0), (0.2, 1, 0.1), (1.0, 3, 0.25), (0.5, 12, 0.05)] {
            let n = Network::new(&equilibrium(kappa, lag, g_e), &sched);
            for t in [0, 7, 30, 95, 119] {
                for (h0, price) in [(1.0, 5_000.0), (800.0, 68_000.0), (1e5, 250_000.0), (4e3, 20.0)] {
                    for (first, n_ahead) in [(1, 35), (6, 36), (24, 300)] {
                        let mut out = Vec::new();
                        assert!(n.expected_hashprices(t, h0, price, first, n_ahead, &mut out));
                        let ceiling = n.hashprice_ceiling(t, h0, price, first, n_ahead);
                        let Some(c) = ceiling else {
                            assert!(out.is_empty(), "no ceiling for {} hashprices", out.len());
                            continue;
                        };
                        let hi = out.iter().copied().fold(0.0, f64::max);
                        assert!(hi <= c, "t {t}, kappa {kappa}: {hi} above the ceiling {c}");
                        tight = tight.max(hi / c);
                    }
                }
            }
        }
        // Not a vacuous bound: somewhere it is within the margin of the highest hashprice.
        assert!(tight > 1.0 - 1e-6, "{tight}");
        let mut p = equilibrium(0.2, 1, 0.0);
        p.model = NetworkModel::Trend;
        assert_eq!(
            Network::new(&p, &sched).hashprice_ceiling(0, 800.0, 68_000.0, 1, 35),
            None
        );
    }

    #[test]
    fn the_sliding_ceiling_is_the_ceiling_month_after_month() {
        // Paths ask month by month, sometimes skipping months, sometimes with another rig life
        // (which restarts the window), and one starts over at month 0 with a window that still
        // holds the last path's months.
        let months = 120;
        let mut w = CeilingWindow::default();
        let mut asked = 0;
        for (height0, (kappa, lag)) in [(943_056.0, (0.06, 0)), (943_056.0, (0.5, 12)), (13_439_000.0, (0.2, 1))] {
            let n = Network::new(
                &equilibrium(kappa, lag, 0.05),
                &crate::calendar::schedule("2026-04".parse().unwrap(), months + OUTLOOK_MONTHS, height0),
            );
            for (first, n_ahead, step) in [(1, 35, 1), (6, 36, 7), (24, 300, 3), (1, 35, 1)] {
                for t in (0..months).step_by(step) {
                    let (h0, price) = (800.0 * (1.0 + 0.01 * t as f64), 68_000.0 / (1.0 + 0.02 * t as f64));
                    let want = n.hashprice_ceiling(t, h0, price, first, n_ahead);
                    let got = n.hashprice_ceiling_along(&mut w, t, h0, price, first, n_ahead);
                    asked += 1;
                    match (want, got) {
                        (Some(a), Some(b)) => assert!((b / a - 1.0).abs() < 1e-13, "t {t}: {b} against {a}"),
                        _ => assert_eq!(want, got, "t {t}"),
                    }
                    if let Some(c) = got {
                        let mut out = Vec::new();
                        assert!(n.expected_hashprices(t, h0, price, first, n_ahead, &mut out));
                        assert!(out.iter().all(|&x| x <= c), "t {t}: a hashprice above {c}");
                    }
                }
            }
            // The last schedule's outlook runs past the last subsidy: the pass takes over.
            assert_eq!(w.fallback, height0 > 1e7, "height {height0}");
        }
        assert!(asked > 500);
    }

    #[test]
    fn with_improving_rigs_hashprice_falls_at_the_efficiency_rate() {
        let (months, g_e) = (240, 0.1);
        let n = Network::new(&equilibrium(1.0, 0, g_e), &schedule(months));
        let (price, reward) = (68_000.0, 3.2);
        let h = run(&n, months, price, reward, usize::MAX);
        let hp = |t: usize| crate::loads::mining::hashprice_usd_per_ph_day(price, reward, h[t].exp());
        // kappa = 1: on the target every month; hashprice per joule is constant.
        let per_joule = |t: usize| hp(t) / (20.0 * (-g_e * t as f64 * DT).exp());
        assert!((per_joule(239) / per_joule(1) - 1.0).abs() < 1e-12);
    }
}
