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

/// A per-path output: one number per path summarising its whole horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Loss-of-load hours per year without the allocation (LOLE).
    LoleBaseHPerYear,
    /// Hours per year with some load shed, with the allocation.
    LoleWithHPerYear,
    /// Hours per year with households shed, with the allocation.
    LoleHouseholdsHPerYear,
    /// Expected unserved energy per year without the allocation (EUE), MWh.
    EueBaseMwhPerYear,
    /// Expected unserved energy per year of all loads with the allocation, MWh.
    EueWithMwhPerYear,
    /// Increase of households' expected unserved energy per year, MWh.
    EueHouseholdsIncreaseMwhPerYear,
    /// Expected unserved energy per year of the new loads, MWh.
    EueNewLoadMwhPerYear,
    /// Generation cost of the allocation per year, PKR.
    AddedCostPkrPerYear,
}

/// Every output with its public name, the monthly metric it annualises, in layout order.
pub const OUTPUTS: [(Output, &str, Metric); 8] = [
    (Output::LoleBaseHPerYear, "lole_base_h_per_year", Metric::LoleBaseH),
    (Output::LoleWithHPerYear, "lole_with_h_per_year", Metric::LoleWithH),
    (
        Output::LoleHouseholdsHPerYear,
        "lole_households_h_per_year",
        Metric::LoleHouseholdsH,
    ),
    (Output::EueBaseMwhPerYear, "eue_base_mwh_per_year", Metric::EueBaseMwh),
    (Output::EueWithMwhPerYear, "eue_with_mwh_per_year", Metric::EueWithMwh),
    (
        Output::EueHouseholdsIncreaseMwhPerYear,
        "eue_households_increase_mwh_per_year",
        Metric::EueHouseholdsIncreaseMwh,
    ),
    (
        Output::EueNewLoadMwhPerYear,
        "eue_newload_mwh_per_year",
        Metric::EueNewLoadMwh,
    ),
    (
        Output::AddedCostPkrPerYear,
        "added_cost_pkr_per_year",
        Metric::AddedCostPkr,
    ),
];

/// Number of per-path outputs.
pub const N_OUTPUTS: usize = OUTPUTS.len();

/// Length of a path buffer: every metric for every month, then the outputs.
#[must_use]
pub fn path_len(months: usize) -> usize {
    N_METRICS * months + N_OUTPUTS
}

/// Fills the outputs (after the metrics) of a path buffer: each is its monthly metric summed
/// over the horizon and divided by the horizon in years.
pub fn annualise(buf: &mut [f64], months: usize) {
    let years = months as f64 / 12.0;
    let base = N_METRICS * months;
    for (o, _, m) in OUTPUTS {
        let start = m as usize * months;
        let total: f64 = buf[start..start + months].iter().sum();
        buf[base + o as usize] = total / years;
    }
}
