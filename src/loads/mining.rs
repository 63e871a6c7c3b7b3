//! Bitcoin miners: hashprice, BTC mined per MWh, and the monthly run-or-idle decision.
//!
//! A fleet of efficiency `e` J/TH running on 1 MW does `10^6 / e` TH/s. The network does `H`
//! hashes per second and finds a block every 600 s on average, so a share `h/H` of the network
//! earns that share of the 144 daily blocks' reward. Per MWh consumed (3.6 x 10^9 J):
//! `BTC/MWh = 3.6e9 / e * 1e12 / (H * 600) * reward = 6 * reward / (e * H_EH/s)`.
//! Hashprice, the industry's revenue yardstick, is USD per PH/s per day:
//! `price * reward * 144 / (H_EH/s * 1000)`; revenue per MWh is `hashprice * 1000 / (24 e)`.

use crate::scenario::{Contract, Mining};

/// Hashprice, USD per PH/s per day, for a price (USD), block reward (subsidy + fees, BTC) and
/// network hashrate (EH/s).
#[inline]
#[must_use]
pub fn hashprice_usd_per_ph_day(price_usd: f64, reward_btc: f64, hashrate_ehs: f64) -> f64 {
    price_usd * reward_btc * 144.0 / (hashrate_ehs * 1000.0)
}

/// Gross BTC mined per MWh consumed by a fleet of `j_per_th` against a network of `hashrate_ehs`.
#[inline]
#[must_use]
pub fn btc_per_mwh(j_per_th: f64, reward_btc: f64, hashrate_ehs: f64) -> f64 {
    6.0 * reward_btc / (j_per_th * hashrate_ehs)
}

/// What the miners do in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MinerMonth {
    /// Fleet efficiency, J/TH.
    pub j_per_th: f64,
    /// Hashprice, USD/PH/day.
    pub hashprice: f64,
    /// Gross BTC per MWh.
    pub btc_per_mwh: f64,
    /// 1 if the fleet runs, 0 if it idles.
    pub uptime: f64,
    /// Energy price of the tariff (the floor for `floor_plus_share`), PKR/MWh.
    pub tariff_pkr_per_mwh: f64,
    /// The fleet's vintages this month (zero without `[mining.investment]`).
    pub fleet: super::investment::FleetMonth,
}

/// Decides month `t` for the miners. `fleet_mw` is the allocation in use this month (allocation
/// x ramp, whether or not the fleet then runs): the network's hashrate cannot be below the
/// fleet's own (`fleet_mw / e` EH/s), which keeps the fleet's share of blocks at most one even
/// on paths where the network collapses.
///
/// Miners on an `economic` contract run when what they keep of a MWh's BTC (after pool fee and
/// `deducted_share`, the reserve levy plus any revenue share the tariff takes) covers the tariff
/// plus their operating cost; on `take_or_pay` they always run.
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn decide(
    m: &Mining,
    deducted_share: f64,
    t: usize,
    price: f64,
    reward: f64,
    hashrate_ehs: f64,
    fx: f64,
    tariff_pkr_per_mwh: f64,
    fleet_mw: f64,
) -> MinerMonth {
    let j_per_th = m.efficiency_j_per_th * (-m.efficiency_improvement_annual * t as f64 / 12.0).exp();
    let hashrate_ehs = hashrate_ehs.max(fleet_mw / j_per_th).max(f64::MIN_POSITIVE);
    let btc = btc_per_mwh(j_per_th, reward, hashrate_ehs);
    let kept_pkr = btc * price * fx * (1.0 - m.pool_fee_share - deducted_share);
    let cost_pkr = tariff_pkr_per_mwh + m.opex_usd_per_mwh * fx;
    let uptime = match m.contract {
        Contract::TakeOrPay => 1.0,
        Contract::Economic => f64::from(u8::from(kept_pkr >= cost_pkr)),
    };
    MinerMonth {
        j_per_th,
        hashprice: hashprice_usd_per_ph_day(price, reward, hashrate_ehs),
        btc_per_mwh: btc,
        uptime,
        tariff_pkr_per_mwh,
        fleet: super::investment::FleetMonth::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashprice_and_revenue_per_mwh_agree() {
        // 450 BTC/day at $68,000 over 1,000 EH/s = $30.6/PH/day (docs/calibration.md, section 12).
        let hp = hashprice_usd_per_ph_day(68_000.0, 3.125, 1_000.0);
        assert!((hp - 30.6).abs() < 1e-9);
        // Revenue per MWh two ways: hashprice x 1000 / (24 e) and BTC/MWh x price.
        let e = 17.5;
        let a = hp * 1000.0 / (24.0 * e);
        let b = btc_per_mwh(e, 3.125, 1_000.0) * 68_000.0;
        assert!((a - b).abs() < 1e-9 * a, "{a} vs {b}");
        // Breakeven at $38/PH/day and 17.5 J/TH is 9.0 US cents/kWh.
        assert!((38.0 * 1000.0 / (24.0 * e) / 1000.0 - 0.0905).abs() < 5e-4);
    }

    #[test]
    fn a_halving_halves_btc_per_mwh() {
        let before = btc_per_mwh(20.0, 3.125, 800.0);
        let after = btc_per_mwh(20.0, 1.5625, 800.0);
        assert_eq!(before, 2.0 * after);
    }
}
