//! Miners as investors: a fleet of vintages (tranches) committed when expected margins clear a
//! hurdle that includes the capital annuity, run rig by rig as margins allow, and scrapped after
//! months under water or at the end of rig life.
//!
//! A tranche committed in month `c` is in service from `c + build_months` with the frontier
//! efficiency of month `c` for its whole life; its rigs' efficiencies are lognormal around it
//! (log standard deviation `s`), so the share of its MW that runs in a month is
//! `Phi((ln e_max - ln e_v) / s)`, where `e_max` is the least efficient rig that covers its
//! running cost ([`breakeven_j_per_th`]). Everything here is a deterministic function of the
//! path's drivers: no sampling.

use crate::scenario::{EntryRule, Investment};
use statrs::function::erf::erfc;

/// Average hours in a month (8,766 / 12): converts a monthly annuity per MW to one per MWh.
pub const HOURS_PER_MONTH: f64 = 730.5;

/// Standard normal distribution function.
#[inline]
#[must_use]
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The least efficient rig (J/TH) whose kept revenue covers its running cost: a rig of `e`
/// J/TH earns `hashprice x 1000 / (24 e)` USD per MWh, of which it keeps `kept_share`.
/// Infinite when running costs nothing.
#[inline]
#[must_use]
pub fn breakeven_j_per_th(hashprice: f64, kept_share: f64, cost_usd_per_mwh: f64) -> f64 {
    if cost_usd_per_mwh <= 0.0 {
        f64::INFINITY
    } else {
        hashprice * 1000.0 * kept_share / (24.0 * cost_usd_per_mwh)
    }
}

/// Monthly payment that repays `capital` over `months` at the annual rate `rate`.
#[must_use]
pub fn annuity(capital: f64, rate_annual: f64, months: u32) -> f64 {
    let r = (1.0 + rate_annual).powf(1.0 / 12.0) - 1.0;
    let n = f64::from(months);
    if r <= 0.0 {
        capital / n
    } else {
        capital * r / (1.0 - (1.0 + r).powf(-n))
    }
}

/// Present value at commitment of a MW of rigs of `j_per_th` J/TH, USD: the expected margin
/// of each month of its life (`hashprices`, USD/PH/day, from its first month in service),
/// `max(hashprice x 1000 x kept / (24 j) - cost, 0)` per MWh (rigs idle rather than run at a
/// loss) over [`HOURS_PER_MONTH`], discounted at `rate_annual` from `build_months` + 1 months
/// after commitment (end of month).
#[must_use]
pub fn margin_pv(
    hashprices: impl Iterator<Item = f64>,
    j_per_th: f64,
    kept_share: f64,
    cost_usd_per_mwh: f64,
    rate_annual: f64,
    build_months: u32,
) -> f64 {
    margin_pv_at(
        hashprices,
        j_per_th,
        kept_share,
        cost_usd_per_mwh,
        Discount::new(rate_annual, build_months),
    )
}

/// The monthly discount factor of [`margin_pv`] and the factor of a rig's first month in
/// service: they depend on the scenario alone, so a fleet keeps them instead of taking two
/// powers every month.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Discount {
    /// The rate and building months they were computed for.
    of: (u64, u32),
    monthly: f64,
    first: f64,
}

impl Discount {
    fn new(rate_annual: f64, build_months: u32) -> Self {
        let monthly = (1.0 + rate_annual).powf(-1.0 / 12.0);
        Self {
            of: (rate_annual.to_bits(), build_months),
            monthly,
            first: monthly.powi(build_months as i32 + 1),
        }
    }
}

/// [`margin_pv`] with its discounting computed.
fn margin_pv_at(
    hashprices: impl Iterator<Item = f64>,
    j_per_th: f64,
    kept_share: f64,
    cost_usd_per_mwh: f64,
    discount: Discount,
) -> f64 {
    let d = discount.monthly;
    let mut factor = discount.first;
    let mut pv = 0.0;
    for hp in hashprices {
        let margin = (hp * 1000.0 * kept_share / (24.0 * j_per_th) - cost_usd_per_mwh).max(0.0);
        pv += margin * HOURS_PER_MONTH * factor;
        factor *= d;
    }
    pv
}

/// Whether a MW of rigs at the market's frontier, earning `hashprice` (USD/PH/day) in every month
/// of its life, is worth less than its capital under the forward rule: then so is any outlook at
/// or below `hashprice` in every month, of that length or shorter. Exact in floating point: the
/// present value's terms are computed as [`margin_pv`] computes them, each rounds monotonically
/// in the hashprice, and all are non-negative (so `false` whenever that cannot be relied on).
fn below_the_hurdle(inv: &Investment, discount: Discount, hashprice: f64, market: &Market) -> bool {
    if !(market.kept_share >= 0.0 && market.frontier > 0.0 && market.drawn_share >= 0.0) {
        return false;
    }
    let pv = market.drawn_share
        * margin_pv_at(
            std::iter::repeat_n(hashprice, inv.rig_life_months as usize),
            market.frontier,
            market.kept_share,
            market.cost_usd_per_mwh,
            discount,
        );
    pv < capex_usd_per_mw(inv, market.frontier)
}

/// Capital cost of a MW of rigs of `j_per_th` plus its site, USD.
#[must_use]
pub fn capex_usd_per_mw(inv: &Investment, j_per_th: f64) -> f64 {
    inv.rig_usd_per_th * 1.0e6 / j_per_th + inv.infrastructure_usd_per_mw
}

/// One tranche of rigs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vintage {
    /// Capacity, MW.
    pub mw: f64,
    /// Median rig efficiency, J/TH.
    pub j_per_th: f64,
    /// First month in service.
    pub from: usize,
    /// Capital cost, PKR at the exchange rate of the month committed (the tax books' cost).
    pub capex_pkr: f64,
    /// Monthly capital annuity, USD.
    pub annuity_usd: f64,
    /// Months in a row its median rig has not covered its running cost.
    under_water: u32,
    /// Share of its MW that ran last month (None before its first month in service).
    last_uptime: Option<f64>,
    /// Months its capital has been depreciated.
    depreciated: u32,
    /// Scrapped (or disconnected).
    retired: bool,
}

/// What the fleet does in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FleetMonth {
    /// MW in service.
    pub installed_mw: f64,
    /// MW that entered service this month.
    pub connected_mw: f64,
    /// MW running (in service x uptime).
    pub running_mw: f64,
    /// Sum over vintages of MW x E[1/e; the rig runs], MW per (J/TH): BTC per hour of the
    /// running fleet is this times `6 reward / H`.
    pub inverse_efficiency_mw: f64,
    /// MW restarted after idling (vintages in service last month too).
    pub restarted_mw: f64,
    /// Capital committed this month, USD (the capital inflow).
    pub capex_usd: f64,
    /// Tax depreciation, PKR: straight line over rig life, the book value of scrapped rigs
    /// written off.
    pub depreciation_pkr: f64,
    /// Capital annuity of the vintages in service, USD.
    pub annuity_usd: f64,
}

/// What the fleet's owners face in a month: the market, their costs and the contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Market {
    /// Hashprice, USD/PH/day (with Pakistan's own fleet in the network).
    pub hashprice: f64,
    /// BTC mined per MWh by a rig of 1 J/TH (divide by the rig's J/TH).
    pub btc_per_mwh_at_1_j_per_th: f64,
    /// Share of mined BTC the miners keep.
    pub kept_share: f64,
    /// J/TH of a rig bought this month.
    pub frontier: f64,
    /// Running cost at full draw, USD/MWh (tariff and taxes they bear, plus opex).
    pub cost_usd_per_mwh: f64,
    /// The tariff's energy price with those taxes, PKR/MWh.
    pub tariff_pkr_per_mwh: f64,
    /// MW the ramp calls for by now (the `scheduled` rule).
    pub scheduled_mw: f64,
    /// The allocation, MW.
    pub allocation_mw: f64,
    /// Share of the month's hours the miners may draw (below 1 on peak relief).
    pub drawn_share: f64,
    /// PKR per USD.
    pub fx: f64,
    /// Whether the contract makes every rig run (take-or-pay).
    pub take_or_pay: bool,
}

/// The fleet of one path.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    vintages: Vec<Vintage>,
    /// Hashprice of every month so far, USD/PH/day (the look-back rule's memory).
    hashprices: Vec<f64>,
    /// No further entry (the fleet was disconnected for not paying).
    closed: bool,
    /// The hurdle's discounting, once computed.
    discount: Option<Discount>,
}

impl Fleet {
    /// An empty fleet.
    pub fn clear(&mut self) {
        self.vintages.clear();
        self.hashprices.clear();
        self.closed = false;
    }

    /// The hurdle's discounting for `inv` (kept from month to month and path to path while
    /// `inv`'s rate and building months stay the same).
    fn discount(&mut self, inv: &Investment) -> Discount {
        match self.discount {
            Some(d) if d.of == (inv.hurdle_rate_annual.to_bits(), inv.build_months) => d,
            _ => *self
                .discount
                .insert(Discount::new(inv.hurdle_rate_annual, inv.build_months)),
        }
    }

    /// MW committed and not retired (in service or being built).
    #[must_use]
    pub fn committed_mw(&self) -> f64 {
        self.vintages.iter().filter(|v| !v.retired).map(|v| v.mw).sum()
    }

    /// Whether any tranche was ever committed.
    #[must_use]
    pub fn ever_built(&self) -> bool {
        !self.vintages.is_empty()
    }

    /// Month `t`'s investment decision. `hashprice` is the month's (USD/PH/day); `outlook` the
    /// hashprice the forward rule expects in each month of a new rig's life from its first
    /// month in service; `frontier` the J/TH of a rig bought now; `kept_share` what miners keep
    /// of mined BTC; `cost` their running cost per MWh at full draw (tariff and taxes they bear
    /// plus opex, USD); `drawn_share` the share of hours the rigs may draw (below 1 on peak
    /// relief); `scheduled_mw` the MW the ramp calls for by now. A tranche is committed
    /// when the present value of its expected margins ([`margin_pv`]) covers its capital cost.
    /// Returns the capital committed, USD.
    #[allow(clippy::too_many_arguments)]
    pub fn invest(
        &mut self,
        inv: &Investment,
        t: usize,
        months: usize,
        allocation_mw: f64,
        scheduled_mw: f64,
        hashprice: f64,
        outlook: &[f64],
        frontier: f64,
        kept_share: f64,
        cost: f64,
        drawn_share: f64,
        fx: f64,
    ) -> f64 {
        self.hashprices.push(hashprice);
        let from = t + inv.build_months as usize;
        if self.closed || from >= months {
            return 0.0;
        }
        let room = allocation_mw - self.committed_mw();
        let capex_per_mw = capex_usd_per_mw(inv, frontier);
        let discount = self.discount(inv);
        // Rigs on peak relief earn their margin in fewer hours.
        let pv = |hashprices: &mut dyn Iterator<Item = f64>| {
            drawn_share * margin_pv_at(hashprices, frontier, kept_share, cost, discount)
        };
        let clears = match inv.rule {
            EntryRule::Scheduled => true,
            EntryRule::Lookback => {
                let n = (inv.lookback_months as usize).min(self.hashprices.len());
                let recent = &self.hashprices[self.hashprices.len() - n..];
                let expected = recent.iter().sum::<f64>() / n as f64;
                pv(&mut std::iter::repeat_n(expected, inv.rig_life_months as usize)) >= capex_per_mw
            }
            EntryRule::Forward => pv(&mut outlook.iter().copied()) >= capex_per_mw,
        };
        let mw = match inv.rule {
            EntryRule::Scheduled => (scheduled_mw - self.committed_mw()).min(room),
            EntryRule::Lookback | EntryRule::Forward if clears => inv.tranche_mw.min(room),
            EntryRule::Lookback | EntryRule::Forward => 0.0,
        };
        // A sliver below a kW is rounding of the ramp, not a tranche.
        if mw <= 1e-3 {
            return 0.0;
        }
        let capex = capex_per_mw * mw;
        let annuity_per_mw = annuity(capex_per_mw, inv.hurdle_rate_annual, inv.rig_life_months);
        self.vintages.push(Vintage {
            mw,
            j_per_th: frontier,
            from,
            capex_pkr: capex * fx,
            annuity_usd: annuity_per_mw * mw,
            under_water: 0,
            last_uptime: None,
            depreciated: 0,
            retired: false,
        });
        capex
    }

    /// Runs month `t`: each vintage in service runs the rigs at or below `e_max` J/TH (all of
    /// them when `always`, a take-or-pay contract), then the vintages whose median rig stayed
    /// under water for `exit_after_months` or that reached the end of rig life retire.
    pub fn run(&mut self, inv: &Investment, t: usize, e_max: f64, always: bool) -> FleetMonth {
        let s = inv.efficiency_spread;
        let mut m = FleetMonth::default();
        for v in self.vintages.iter_mut().filter(|v| !v.retired && v.from <= t) {
            let (uptime, inverse) = if always || e_max == f64::INFINITY {
                (1.0, (-v.j_per_th.ln() + 0.5 * s * s).exp())
            } else if s == 0.0 {
                let on = f64::from(u8::from(v.j_per_th <= e_max));
                (on, on / v.j_per_th)
            } else {
                let z = (e_max.ln() - v.j_per_th.ln()) / s;
                // E[1/e; e <= e_max] for ln e ~ N(ln e_v, s^2).
                (norm_cdf(z), (-v.j_per_th.ln() + 0.5 * s * s).exp() * norm_cdf(z + s))
            };
            m.installed_mw += v.mw;
            if v.from == t {
                m.connected_mw += v.mw;
            }
            m.running_mw += v.mw * uptime;
            m.inverse_efficiency_mw += v.mw * inverse;
            if let Some(last) = v.last_uptime {
                m.restarted_mw += v.mw * (uptime - last).max(0.0);
            }
            v.last_uptime = Some(uptime);
            m.annuity_usd += v.annuity_usd;
            m.depreciation_pkr += v.capex_pkr / f64::from(inv.rig_life_months);
            v.depreciated += 1;
            v.under_water = if v.j_per_th > e_max { v.under_water + 1 } else { 0 };
            let scrapped = inv.exit_after_months > 0 && v.under_water >= inv.exit_after_months;
            if scrapped || v.depreciated >= inv.rig_life_months {
                v.retired = true;
                let left = f64::from(inv.rig_life_months - v.depreciated.min(inv.rig_life_months));
                m.depreciation_pkr += v.capex_pkr * left / f64::from(inv.rig_life_months);
            }
        }
        m
    }

    /// Month `t` of the investors' fleet: disconnected first if the miners were cut off for not
    /// paying, then the investment decision (the forward rule's outlook filled by `forecast`
    /// with the expected hashprice of `n` months from `first` months ahead, into `outlook`;
    /// `ceiling` bounds those hashprices from above, or is `None`), then which rigs run.
    /// Returns the miners' month.
    #[allow(clippy::too_many_arguments)]
    pub fn month(
        &mut self,
        inv: &Investment,
        t: usize,
        months: usize,
        market: &Market,
        disconnected: bool,
        outlook: &mut Vec<f64>,
        forecast: impl FnOnce(usize, usize, &mut Vec<f64>),
        ceiling: impl FnOnce(usize, usize) -> Option<f64>,
    ) -> super::mining::MinerMonth {
        let written_off = if disconnected { self.disconnect(inv) } else { 0.0 };
        outlook.clear();
        // The outlook is only read by a decision that can still invest (see `invest`).
        let can_invest = !self.closed && t + (inv.build_months as usize) < months;
        if inv.rule == EntryRule::Forward && can_invest && self.committed_mw() < market.allocation_mw {
            // The months of a new rig's life: from its first month in service, which is this
            // one (known) when it needs no building.
            let life = inv.rig_life_months as usize;
            let build = inv.build_months as usize;
            let (first, n) = if build == 0 {
                outlook.push(market.hashprice);
                (1, life - 1)
            } else {
                (build, life)
            };
            // The outlook costs an exponential a month ahead, every month, and on most paths
            // no outlook clears the hurdle. Its ceiling decides that with one: when a rig
            // earning the ceiling in every month of its life is not worth its capital, no
            // outlook below it is, and the decision (on the shorter outlook) is the same.
            let discount = self.discount(inv);
            let reachable = ceiling(first, n).is_none_or(|c| {
                let c = if build == 0 { c.max(market.hashprice) } else { c };
                !below_the_hurdle(inv, discount, c, market)
            });
            if reachable {
                forecast(first, n, outlook);
            }
        }
        let capex = self.invest(
            inv,
            t,
            months,
            market.allocation_mw,
            market.scheduled_mw,
            market.hashprice,
            outlook,
            market.frontier,
            market.kept_share,
            market.cost_usd_per_mwh,
            market.drawn_share,
            market.fx,
        );
        let e_max = breakeven_j_per_th(market.hashprice, market.kept_share, market.cost_usd_per_mwh);
        let mut fleet = self.run(inv, t, e_max, market.take_or_pay);
        fleet.capex_usd = capex;
        fleet.depreciation_pkr += written_off;
        let per_ehs = market.btc_per_mwh_at_1_j_per_th;
        let j_per_th = if fleet.inverse_efficiency_mw > 0.0 && fleet.running_mw > 0.0 {
            fleet.running_mw / fleet.inverse_efficiency_mw
        } else {
            market.frontier
        };
        super::mining::MinerMonth {
            j_per_th,
            hashprice: market.hashprice,
            btc_per_mwh: per_ehs / j_per_th,
            uptime: if fleet.installed_mw > 0.0 {
                fleet.running_mw / fleet.installed_mw
            } else {
                0.0
            },
            tariff_pkr_per_mwh: market.tariff_pkr_per_mwh,
            fleet,
        }
    }

    /// Disconnects the whole fleet (the miners stopped paying): every vintage retires, its
    /// book value written off, and no tranche is committed again. Returns the write-off, PKR.
    pub fn disconnect(&mut self, inv: &Investment) -> f64 {
        self.closed = true;
        let mut written_off = 0.0;
        for v in self.vintages.iter_mut().filter(|v| !v.retired) {
            v.retired = true;
            let left = f64::from(inv.rig_life_months - v.depreciated.min(inv.rig_life_months));
            written_off += v.capex_pkr * left / f64::from(inv.rig_life_months);
        }
        written_off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(rule: EntryRule) -> Investment {
        Investment {
            rule,
            tranche_mw: 100.0,
            build_months: 2,
            lookback_months: 3,
            rig_usd_per_th: 15.0,
            infrastructure_usd_per_mw: 400_000.0,
            rig_life_months: 36,
            hurdle_rate_annual: 0.15,
            exit_after_months: 3,
            restart_usd_per_mw: 0.0,
            efficiency_spread: 0.0,
        }
    }

    /// Runs a fleet under the forward rule for 60 months on a hashprice path with a level of
    /// `scale` and a relative `swing`, its outlook the path itself, with the outlook's exact
    /// maximum as its ceiling or none; returns each month's capital spent and the outlooks built.
    fn forward_fleet(scale: f64, swing: f64, build: u32, with_ceiling: bool) -> (Vec<f64>, usize) {
        let mut i = inv(EntryRule::Forward);
        i.build_months = build;
        let hp = |t: usize| scale * (1.0 + swing * (t as f64 / 7.0).sin());
        let (mut f, mut outlook, mut built) = (Fleet::default(), Vec::new(), 0);
        let mut capex = Vec::new();
        for t in 0..60 {
            let market = Market {
                hashprice: hp(t),
                btc_per_mwh_at_1_j_per_th: 1.0,
                kept_share: 0.98,
                frontier: 15.0,
                cost_usd_per_mwh: 90.0,
                tariff_pkr_per_mwh: 25_000.0,
                scheduled_mw: 0.0,
                allocation_mw: 500.0,
                drawn_share: 0.9,
                fx: 280.0,
                take_or_pay: false,
            };
            let ahead = |first: usize, n: usize| (t + first..t + first + n).map(hp);
            let m = f.month(
                &i,
                t,
                120,
                &market,
                false,
                &mut outlook,
                |first, n, out| {
                    built += 1;
                    out.extend(ahead(first, n));
                },
                |first, n| with_ceiling.then(|| ahead(first, n).fold(0.0, f64::max)),
            );
            capex.push(m.fleet.capex_usd);
        }
        (capex, built)
    }

    #[test]
    fn the_ceiling_skips_only_outlooks_that_cannot_clear() {
        // Hashprice levels from never clearing to always clearing, swinging or flat (where the
        // ceiling is the outlook and the bound is exact: a flat level just above the hurdle
        // must still clear), with and without building time.
        let mut skipped = 0;
        for swing in [0.0, 0.4] {
            for scale in (40..=400).step_by(2) {
                for build in [0, 2] {
                    let scale = f64::from(scale);
                    let (exact, all) = forward_fleet(scale, swing, build, false);
                    let (pruned, built) = forward_fleet(scale, swing, build, true);
                    assert_eq!(
                        exact, pruned,
                        "hashprice level {scale}, swing {swing}, {build} months to build"
                    );
                    skipped += all - built;
                }
            }
        }
        assert!(skipped > 0, "the ceiling never decided");
        let (never, _) = forward_fleet(40.0, 0.4, 2, true);
        let (always, _) = forward_fleet(400.0, 0.4, 2, true);
        assert!(never.iter().all(|&c| c == 0.0) && always.iter().any(|&c| c > 0.0));
    }

    #[test]
    fn an_entry_decision_by_hand() {
        let i = inv(EntryRule::Lookback);
        // Capex per MW at 15 J/TH: 15 x 10^6 / 15 + 400,000 = 1.4 m USD.
        assert!((capex_usd_per_mw(&i, 15.0) - 1.4e6).abs() < 1e-6);
        // Annuity at 15 %/yr over 36 months: r = 1.15^(1/12) - 1.
        let r = 1.15f64.powf(1.0 / 12.0) - 1.0;
        let a = 1.4e6 * r / (1.0 - (1.0 + r).powi(-36));
        assert!((annuity(1.4e6, 0.15, 36) - a).abs() < 1e-6);
        // A constant margin m per MWh over 36 months, starting 3 months after commitment (two
        // of building, end-of-month flows), is worth m x 730.5 x sum_{k=3}^{38} (1 + r)^-k.
        // It clears 1.4 m when m >= 1.4e6 / (730.5 x that sum). Running cost $90/MWh, kept
        // share 0.98: the hashprice needed is (90 + m) x 24 x 15 / (1000 x 0.98).
        let sum: f64 = (3..=38).map(|k| (1.0 + r).powi(-k)).sum();
        let m = 1.4e6 / (HOURS_PER_MONTH * sum);
        let need = (90.0 + m) * 24.0 * 15.0 / (1000.0 * 0.98);
        let mut f = Fleet::default();
        let invest = |f: &mut Fleet, t: usize, hp: f64| {
            f.invest(&i, t, 120, 1_000.0, 0.0, hp, &[], 15.0, 0.98, 90.0, 1.0, 280.0)
        };
        // Hashprices 1.2 need, then 0.9 need: the three-month mean is 1.05 need in month 1,
        // (1.2 + 0.9 + 0.9) / 3 = 1.0 need in month 2 (just below it in the test).
        let c0 = invest(&mut f, 0, 1.2 * need);
        assert!(c0 > 0.0, "month 0: the mean of one month clears the hurdle");
        let c1 = invest(&mut f, 1, 0.9 * need);
        assert!(c1 > 0.0, "month 1: (1.2 + 0.9) / 2 = 1.05 clears it");
        let c2 = invest(&mut f, 2, 0.9 * need * (1.0 - 1e-9));
        assert_eq!(c2, 0.0, "month 2: the mean is just below the hurdle");
        assert_eq!(f.committed_mw(), 200.0);
        assert!((c0 - 1.4e6 * 100.0).abs() < 1e-3);
        // In service from month 2 (build lag); not in month 1.
        assert_eq!(f.run(&i, 1, 20.0, false).installed_mw, 0.0);
        let run = f.run(&i, 2, 20.0, false);
        assert_eq!(
            (run.installed_mw, run.connected_mw, run.running_mw),
            (100.0, 100.0, 100.0)
        );
        // The same margin as an annuity: m x 730.5 = a, had the rigs run from the first month.
        let first_month: f64 = (1..=36).map(|k| (1.0 + r).powi(-k)).sum();
        assert!((1.4e6 / (HOURS_PER_MONTH * first_month) * HOURS_PER_MONTH - a).abs() < 1e-6);
    }

    #[test]
    fn the_forward_rule_reads_the_outlook() {
        let mut i = inv(EntryRule::Forward);
        i.build_months = 0;
        let mut f = Fleet::default();
        // An outlook that clears the hurdle only if the rigs may idle in the bad months.
        let good = 3.0 * 90.0 * 24.0 * 15.0 / (1000.0 * 0.98);
        let outlook: Vec<f64> = (0..36).map(|k| if k < 18 { good } else { 0.0 }).collect();
        let pv = margin_pv(outlook.iter().copied(), 15.0, 0.98, 90.0, 0.15, 0);
        let want = 180.0 * HOURS_PER_MONTH * (1..=18).map(|k| 1.15f64.powf(-f64::from(k) / 12.0)).sum::<f64>();
        assert!((pv - want).abs() < 1e-6 * want);
        let c = f.invest(&i, 0, 120, 1_000.0, 0.0, 0.0, &outlook, 15.0, 0.98, 90.0, 1.0, 280.0);
        assert_eq!(c > 0.0, pv >= capex_usd_per_mw(&i, 15.0));
    }

    #[test]
    fn the_allocation_caps_entry_and_under_water_tranches_exit() {
        let i = inv(EntryRule::Lookback);
        let mut f = Fleet::default();
        for t in 0..20 {
            f.invest(&i, t, 120, 250.0, 0.0, 1_000.0, &[], 15.0, 0.98, 90.0, 1.0, 280.0);
        }
        // 100 + 100 + 50: the last tranche takes what is left.
        assert_eq!(f.committed_mw(), 250.0);
        let mut f2 = Fleet::default();
        f2.invest(&i, 0, 120, 250.0, 0.0, 1_000.0, &[], 15.0, 0.98, 90.0, 1.0, 280.0);
        // Under water (e_max below 15 J/TH) three months in a row from month 2: retired after
        // month 4, its remaining book value written off then.
        let mut depreciated = 0.0;
        for t in 2..6 {
            let m = f2.run(&i, t, 10.0, false);
            assert_eq!(m.running_mw, 0.0);
            assert_eq!(m.installed_mw, if t < 5 { 100.0 } else { 0.0 });
            depreciated += m.depreciation_pkr;
        }
        let capex = capex_usd_per_mw(&i, 15.0) * 100.0 * 280.0;
        assert!(
            (depreciated - capex).abs() < 1e-9 * capex,
            "all written off by the scrap month"
        );
        assert_eq!(f2.committed_mw(), 0.0);
    }

    #[test]
    fn uptime_is_smooth_in_the_spread_and_a_step_without_it() {
        let mut i = inv(EntryRule::Scheduled);
        i.build_months = 0;
        let mut f = Fleet::default();
        f.invest(&i, 0, 120, 100.0, 100.0, 0.0, &[], 15.0, 0.98, 90.0, 1.0, 280.0);
        assert_eq!(f.run(&i, 0, 15.0, false).running_mw, 100.0);
        assert_eq!(f.run(&i, 1, 14.999, false).running_mw, 0.0);
        i.efficiency_spread = 0.1;
        let mut f = Fleet::default();
        f.invest(&i, 0, 120, 100.0, 100.0, 0.0, &[], 15.0, 0.98, 90.0, 1.0, 280.0);
        // At e_max = the median rig, half the MW runs; their mean 1/e is below 1/15.
        let m = f.run(&i, 0, 15.0, false);
        assert!((m.running_mw - 50.0).abs() < 1e-12);
        assert!(m.inverse_efficiency_mw / m.running_mw > 1.0 / 15.0);
        // E[1/e; e <= m] by quadrature agrees with the closed form.
        let (mu, s, e_max) = (15f64.ln(), 0.1, 15.0f64);
        let steps = 200_000;
        let (lo, hi) = (mu - 10.0 * s, e_max.ln());
        let dx = (hi - lo) / f64::from(steps);
        let numeric: f64 = (0..steps)
            .map(|k| {
                let x = lo + (f64::from(k) + 0.5) * dx;
                (-x).exp() * (-0.5 * ((x - mu) / s).powi(2)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt()) * dx
            })
            .sum();
        assert!((m.inverse_efficiency_mw / 100.0 - numeric).abs() < 1e-9);
        // Restarting: idle in month 1, back in month 2.
        assert_eq!(f.run(&i, 1, 1.0, false).restarted_mw, 0.0);
        let back = f.run(&i, 2, 1_000.0, false);
        assert!(back.restarted_mw > 99.0);
    }
}
