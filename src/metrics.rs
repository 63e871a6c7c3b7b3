//! The per-path, per-month outputs of the model. The order is the layout of path buffers and
//! of every per-metric array the engine returns; names are what users type.

/// One monthly output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Monthly average grid load (existing consumers), MW.
    LoadMw,
    /// Brent, USD/bbl.
    OilUsdPerBbl,
    /// LNG, USD/MMBtu.
    LngUsdPerMmbtu,
    /// Imported coal, USD/t.
    CoalUsdPerT,
    /// Exchange rate, PKR per USD.
    FxPkrPerUsd,
    /// Bitcoin price, USD.
    BitcoinPriceUsd,
    /// Transaction fees, BTC per block.
    FeesBtcPerBlock,
    /// Network hashrate, EH/s.
    HashrateEhs,
    /// Mining difficulty, T (10^12).
    DifficultyT,
    /// Hydro availability factor (mean one).
    HydroAvailability,
    /// Hour-weighted mean marginal cost of the system without the allocation, PKR/kWh.
    MarginalCostPkrPerKwh,
    /// Generation cost of the allocation: cost(base + added) - cost(base), PKR in the month.
    AddedCostPkr,
    /// Loss-of-load hours of the system without the allocation, in the month.
    LoleBaseH,
    /// Hours in the month in which some load is shed, with the allocation.
    LoleWithH,
    /// Hours in the month in which households are shed, with the allocation.
    LoleHouseholdsH,
    /// Expected unserved energy without the allocation, MWh in the month.
    EueBaseMwh,
    /// Expected unserved energy of all loads with the allocation, MWh in the month.
    EueWithMwh,
    /// Households' expected unserved energy with the allocation minus without, MWh.
    EueHouseholdsIncreaseMwh,
    /// Expected unserved energy borne by the new loads (miners and data centres), MWh.
    EueNewLoadMwh,
}

/// Every metric with its public name, in layout order.
pub const METRICS: [(Metric, &str); 19] = [
    (Metric::LoadMw, "demand.load_mw"),
    (Metric::OilUsdPerBbl, "fuel.oil_usd_per_bbl"),
    (Metric::LngUsdPerMmbtu, "fuel.lng_usd_per_mmbtu"),
    (Metric::CoalUsdPerT, "fuel.coal_usd_per_t"),
    (Metric::FxPkrPerUsd, "fx.pkr_per_usd"),
    (Metric::BitcoinPriceUsd, "bitcoin.price_usd"),
    (Metric::FeesBtcPerBlock, "bitcoin.fees_btc_per_block"),
    (Metric::HashrateEhs, "network.hashrate_ehs"),
    (Metric::DifficultyT, "network.difficulty_t"),
    (Metric::HydroAvailability, "hydro.availability"),
    (Metric::MarginalCostPkrPerKwh, "grid.marginal_cost_pkr_per_kwh"),
    (Metric::AddedCostPkr, "grid.added_cost_pkr"),
    (Metric::LoleBaseH, "grid.lole_base_h"),
    (Metric::LoleWithH, "grid.lole_with_h"),
    (Metric::LoleHouseholdsH, "grid.lole_households_h"),
    (Metric::EueBaseMwh, "grid.eue_base_mwh"),
    (Metric::EueWithMwh, "grid.eue_with_mwh"),
    (Metric::EueHouseholdsIncreaseMwh, "grid.eue_households_increase_mwh"),
    (Metric::EueNewLoadMwh, "grid.eue_newload_mwh"),
];

/// Number of metrics per path and month.
pub const N_METRICS: usize = METRICS.len();

/// Writes metric `m` of month `t` into a metric-major path buffer of `months` months.
#[inline]
pub fn put(out: &mut [f64], months: usize, m: Metric, t: usize, v: f64) {
    out[m as usize * months + t] = v;
}

/// Reads metric `m` of month `t` from a metric-major path buffer.
#[inline]
#[must_use]
pub fn get(buf: &[f64], months: usize, m: Metric, t: usize) -> f64 {
    buf[m as usize * months + t]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_order_matches_the_enum() {
        for (i, (m, _)) in METRICS.iter().enumerate() {
            assert_eq!(*m as usize, i);
        }
    }
}
