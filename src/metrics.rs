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
    /// Hashprice, USD per PH/s per day.
    HashpriceUsdPerPhDay,
    /// 1 if the miners run this month, 0 if they idle.
    MinerUptime,
    /// Miners' average consumption, MW.
    MiningLoadMw,
    /// BTC mined under the allocation (before pool fee and levy).
    BtcMined,
    /// Data centres' average consumption, MW.
    DatacenterLoadMw,
    /// Tariff revenue collected from the new loads, PKR.
    TariffRevenuePkr,
    /// Profit tax paid by the new loads, PKR.
    TaxPkr,
    /// Profit tax forgone under the tax holidays, PKR.
    TaxExpenditurePkr,
    /// Net fiscal flow: collected revenue - generation cost + tax - reserve purchases, PKR.
    NetFlowPkr,
    /// Power sector's unrecovered cost (generation cost - collected revenue), PKR.
    CircularDebtFlowPkr,
    /// Strategic Bitcoin Reserve holdings at the end of the month, BTC.
    ReserveBtc,
    /// Strategic Bitcoin Reserve marked to market, PKR.
    ReserveValuePkr,
    /// Economic cost of households' extra unserved energy at the value of lost load, PKR.
    HouseholdEueCostPkr,
    /// The miners' tariff this month (the regime's price of the first MWh), PKR/kWh.
    MiningTariffPkrPerKwh,
    /// The data centres' tariff this month, PKR/kWh.
    DatacenterTariffPkrPerKwh,
    /// Share of the new loads' energy billed under the incremental package.
    PackageShare,
    /// The gap: the new loads' generation cost minus what they paid (collected), PKR.
    GapPkr,
    /// The budget's subsidy of the gap, PKR.
    BudgetSubsidyPkr,
    /// The part of the gap charged to the other consumers, PKR.
    ConsumersChargePkr,
    /// That charge per kWh the other consumers buy, PKR/kWh.
    ConsumersChargePkrPerKwh,
    /// Reserve purchases, PKR.
    ReservePurchasesPkr,
    /// The miners' part of the net fiscal flow (their collected bills, less their generation
    /// cost, plus the other consumers' share of their gap, plus their tax), PKR.
    NetFlowMiningPkr,
    /// The data centres' part of the net fiscal flow, PKR.
    NetFlowDatacentersPkr,
    /// The net fiscal flow in months when the incremental package covers any load, else 0, PKR.
    NetFlowPackagePkr,
    /// Net fiscal flow since the start of the fiscal year (July), PKR.
    NetFlowFytdPkr,
    /// Circular-debt flow since the start of the fiscal year, PKR.
    CircularDebtFytdPkr,
    /// Budget subsidy since the start of the fiscal year, PKR.
    BudgetSubsidyFytdPkr,
    /// The other consumers' charge since the start of the fiscal year, PKR.
    ConsumersChargeFytdPkr,
    /// Sales tax and electricity duty on the new loads' bills, net of input credit, collected, PKR.
    SalesTaxPkr,
    /// Debt-service surcharge collected from the new loads, PKR.
    SurchargePkr,
    /// Customs duty forgone on the equipment the new loads brought in, PKR (a tax expenditure).
    CustomsForgonePkr,
    /// The reserve's holding gain: last month's holdings times the change in the BTC price, PKR.
    ReserveRevaluationPkr,
    /// Imported oil burnt for the new loads, USD.
    OilImportsUsd,
    /// Imported LNG burnt for the new loads, USD.
    LngImportsUsd,
    /// Imported coal burnt for the new loads, USD.
    CoalImportsUsd,
    /// Dollars the new loads bring in: what they pay in Pakistan (bills, bill taxes, profit
    /// tax), USD.
    InflowsUsd,
    /// Inflows less the imported fuel, USD.
    NetForeignExchangeUsd,
    /// CO2 emitted to serve the new loads, tonnes.
    EmissionsTco2,
    /// That CO2 at the shadow carbon price, PKR (economic, not fiscal).
    CarbonCostPkr,
    /// Tariff revenue collected since the start of the fiscal year, PKR.
    RevenueFytdPkr,
    /// The new loads' generation cost since the start of the fiscal year, PKR.
    GenerationCostFytdPkr,
    /// Profit and super tax since the start of the fiscal year, PKR.
    TaxFytdPkr,
    /// Sales tax and duty on the bills since the start of the fiscal year, PKR.
    SalesTaxFytdPkr,
    /// Debt-service surcharge since the start of the fiscal year, PKR.
    SurchargeFytdPkr,
    /// Reserve purchases since the start of the fiscal year, PKR.
    ReservePurchasesFytdPkr,
    /// The miners' part of the net flow since the start of the fiscal year, PKR.
    NetFlowMiningFytdPkr,
    /// The data centres' part of the net flow since the start of the fiscal year, PKR.
    NetFlowDatacentersFytdPkr,
    /// The net flow of package months since the start of the fiscal year, PKR.
    NetFlowPackageFytdPkr,
    /// Latent demand of the existing consumers (served demand plus what is shed), average MW.
    LatentLoadMw,
    /// Load served to the existing consumers without the allocation (expected), average MW.
    ServedLoadBaseMw,
    /// Load served to the existing consumers with the allocation (expected), average MW.
    ServedLoadWithMw,
    /// The existing consumers' expected hours of shedding a day without the allocation (hours times the share of latent load shed).
    ShedHoursPerDayBase,
    /// Their extra hours of shedding a day with the allocation.
    ShedHoursPerDayIncrease,
    /// The existing consumers' energy shed by feeder rules (schedules and the economic rule) without the allocation, MWh.
    ShedRulesBaseMwh,
    /// The extra energy shed by feeder rules with the allocation, MWh.
    ShedRulesIncreaseMwh,
    /// The existing consumers' energy shed because the network cannot deliver it, without the allocation, MWh.
    ShedNetworkBaseMwh,
    /// The extra energy shed for the network with the allocation, MWh.
    ShedNetworkIncreaseMwh,
    /// The existing consumers' unserved energy for lack of capacity (outages, fuel unlimited), without the allocation, MWh.
    ShedCapacityBaseMwh,
    /// The extra unserved energy for lack of capacity with the allocation, MWh.
    ShedCapacityIncreaseMwh,
    /// The existing consumers' unserved energy for lack of fuel (energy limits and the liquidity feedback), without the allocation, MWh.
    ShedFuelBaseMwh,
    /// The extra unserved energy for lack of fuel with the allocation, MWh.
    ShedFuelIncreaseMwh,
    /// Feeder class 1's expected hours of shedding a day without the allocation.
    Class1HoursPerDayBase,
    /// Feeder class 1's extra hours of shedding a day with the allocation.
    Class1HoursPerDayIncrease,
    /// Feeder class 1's extra shed energy with the allocation, MWh.
    Class1IncreaseMwh,
    /// Feeder class 2's expected hours of shedding a day without the allocation.
    Class2HoursPerDayBase,
    /// Feeder class 2's extra hours of shedding a day with the allocation.
    Class2HoursPerDayIncrease,
    /// Feeder class 2's extra shed energy with the allocation, MWh.
    Class2IncreaseMwh,
    /// Feeder class 3's expected hours of shedding a day without the allocation.
    Class3HoursPerDayBase,
    /// Feeder class 3's extra hours of shedding a day with the allocation.
    Class3HoursPerDayIncrease,
    /// Feeder class 3's extra shed energy with the allocation, MWh.
    Class3IncreaseMwh,
    /// Feeder class 4's expected hours of shedding a day without the allocation.
    Class4HoursPerDayBase,
    /// Feeder class 4's extra hours of shedding a day with the allocation.
    Class4HoursPerDayIncrease,
    /// Feeder class 4's extra shed energy with the allocation, MWh.
    Class4IncreaseMwh,
    /// Feeder class 5's expected hours of shedding a day without the allocation.
    Class5HoursPerDayBase,
    /// Feeder class 5's extra hours of shedding a day with the allocation.
    Class5HoursPerDayIncrease,
    /// Feeder class 5's extra shed energy with the allocation, MWh.
    Class5IncreaseMwh,
    /// Feeder class 6's expected hours of shedding a day without the allocation.
    Class6HoursPerDayBase,
    /// Feeder class 6's extra hours of shedding a day with the allocation.
    Class6HoursPerDayIncrease,
    /// Feeder class 6's extra shed energy with the allocation, MWh.
    Class6IncreaseMwh,
    /// Revenue the consumers shed by feeder rules would have paid (collected), without the allocation, PKR.
    RevenueForgoneBasePkr,
    /// Generation cost the feeder rules' shedding avoids, without the allocation, PKR.
    CostAvoidedBasePkr,
    /// Revenue of the existing consumers the allocation displaces through the feeder rules (collected), PKR.
    RevenueForgoneIncreasePkr,
    /// Generation cost of the existing consumers the allocation displaces through the feeder
    /// rules (their band of the merit order on top of the new loads), PKR.
    CostAvoidedIncreasePkr,
    /// Share of imported-fuel capacity available with the allocation (the liquidity feedback).
    ImportedAvailableShare,
    /// Revenue of the consumers the allocation displaces since the start of the fiscal year, PKR.
    DisplacedRevenueFytdPkr,
    /// The base system's marginal cost with a take-or-pay volume at the margin priced at its
    /// fuel's market price, not its shadow price: what the tariffs' fuel index and cost-plus
    /// tariffs follow, PKR/kWh.
    MarginalCostPricedPkrPerKwh,
    /// Mining capacity in service, MW.
    MiningInstalledMw,
    /// Capital the miners commit this month, USD.
    MiningCapexUsd,
    /// Data-centre allocation connected (tranches that arrived, ramped), MW.
    DatacenterConnectedMw,
    /// Share of the data-centre allocation that has arrived (before its ramp).
    DatacenterArrivedShare,
    /// Foreign direct investment the new loads bring: the miners' capital committed and the
    /// data centres' facilities for the MW connected this month, USD.
    CapitalInflowUsd,
    /// Miners' bills left unpaid after their security deposit, PKR.
    BadDebtPkr,
    /// Bad debt since the start of the fiscal year, PKR.
    BadDebtFytdPkr,
    /// Capital inflow since the start of the fiscal year, USD.
    CapitalInflowFytdUsd,
    /// Hours a day of the month in which the miners gave peak relief (0 when they drew nothing).
    PeakReliefHoursPerDay,
    /// The miners' MW relieved at the system peak (the block of highest load), generation side.
    PeakReliefMw,
    /// Energy the miners did not draw for peak relief, MWh (generation side).
    PeakReliefMwh,
    /// The base system's fuel cost per kWh generated (no allocation; take-or-pay fuel at market;
    /// no variable O&M): what CPPA-G's fuel-cost filings report, PKR/kWh.
    FuelCostBasePkrPerKwh,
}

/// Every metric with its public name, in layout order.
pub const METRICS: [(Metric, &str); 117] = [
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
    (Metric::HashpriceUsdPerPhDay, "mining.hashprice_usd_per_ph_day"),
    (Metric::MinerUptime, "mining.uptime"),
    (Metric::MiningLoadMw, "mining.load_mw"),
    (Metric::BtcMined, "mining.btc_mined"),
    (Metric::DatacenterLoadMw, "datacenters.load_mw"),
    (Metric::TariffRevenuePkr, "fiscal.tariff_revenue_pkr"),
    (Metric::TaxPkr, "fiscal.tax_pkr"),
    (Metric::TaxExpenditurePkr, "fiscal.tax_expenditure_pkr"),
    (Metric::NetFlowPkr, "fiscal.net_flow_pkr"),
    (Metric::CircularDebtFlowPkr, "fiscal.circular_debt_flow_pkr"),
    (Metric::ReserveBtc, "reserve.btc"),
    (Metric::ReserveValuePkr, "reserve.value_pkr"),
    (Metric::HouseholdEueCostPkr, "fiscal.household_eue_cost_pkr"),
    (Metric::MiningTariffPkrPerKwh, "tariff.mining_pkr_per_kwh"),
    (Metric::DatacenterTariffPkrPerKwh, "tariff.datacenters_pkr_per_kwh"),
    (Metric::PackageShare, "tariff.package_share"),
    (Metric::GapPkr, "fiscal.gap_pkr"),
    (Metric::BudgetSubsidyPkr, "incidence.budget_pkr"),
    (Metric::ConsumersChargePkr, "incidence.consumers_pkr"),
    (Metric::ConsumersChargePkrPerKwh, "incidence.consumers_pkr_per_kwh"),
    (Metric::ReservePurchasesPkr, "reserve.purchases_pkr"),
    (Metric::NetFlowMiningPkr, "fiscal.net_flow_mining_pkr"),
    (Metric::NetFlowDatacentersPkr, "fiscal.net_flow_datacenters_pkr"),
    (Metric::NetFlowPackagePkr, "fiscal.net_flow_package_pkr"),
    (Metric::NetFlowFytdPkr, "fiscal.net_flow_fytd_pkr"),
    (Metric::CircularDebtFytdPkr, "fiscal.circular_debt_fytd_pkr"),
    (Metric::BudgetSubsidyFytdPkr, "incidence.budget_fytd_pkr"),
    (Metric::ConsumersChargeFytdPkr, "incidence.consumers_fytd_pkr"),
    (Metric::SalesTaxPkr, "fiscal.sales_tax_pkr"),
    (Metric::SurchargePkr, "fiscal.surcharge_pkr"),
    (Metric::CustomsForgonePkr, "fiscal.customs_forgone_pkr"),
    (Metric::ReserveRevaluationPkr, "reserve.revaluation_pkr"),
    (Metric::OilImportsUsd, "bop.oil_imports_usd"),
    (Metric::LngImportsUsd, "bop.lng_imports_usd"),
    (Metric::CoalImportsUsd, "bop.coal_imports_usd"),
    (Metric::InflowsUsd, "bop.inflows_usd"),
    (Metric::NetForeignExchangeUsd, "bop.net_usd"),
    (Metric::EmissionsTco2, "emissions.tco2"),
    (Metric::CarbonCostPkr, "emissions.carbon_cost_pkr"),
    (Metric::RevenueFytdPkr, "fiscal.tariff_revenue_fytd_pkr"),
    (Metric::GenerationCostFytdPkr, "fiscal.generation_cost_fytd_pkr"),
    (Metric::TaxFytdPkr, "fiscal.tax_fytd_pkr"),
    (Metric::SalesTaxFytdPkr, "fiscal.sales_tax_fytd_pkr"),
    (Metric::SurchargeFytdPkr, "fiscal.surcharge_fytd_pkr"),
    (Metric::ReservePurchasesFytdPkr, "reserve.purchases_fytd_pkr"),
    (Metric::NetFlowMiningFytdPkr, "fiscal.net_flow_mining_fytd_pkr"),
    (
        Metric::NetFlowDatacentersFytdPkr,
        "fiscal.net_flow_datacenters_fytd_pkr",
    ),
    (Metric::NetFlowPackageFytdPkr, "fiscal.net_flow_package_fytd_pkr"),
    (Metric::LatentLoadMw, "grid.latent_load_mw"),
    (Metric::ServedLoadBaseMw, "grid.served_load_base_mw"),
    (Metric::ServedLoadWithMw, "grid.served_load_with_mw"),
    (Metric::ShedHoursPerDayBase, "shed.households_h_per_day_base"),
    (Metric::ShedHoursPerDayIncrease, "shed.households_h_per_day_increase"),
    (Metric::ShedRulesBaseMwh, "shed.rules_base_mwh"),
    (Metric::ShedRulesIncreaseMwh, "shed.rules_increase_mwh"),
    (Metric::ShedNetworkBaseMwh, "shed.network_base_mwh"),
    (Metric::ShedNetworkIncreaseMwh, "shed.network_increase_mwh"),
    (Metric::ShedCapacityBaseMwh, "shed.capacity_base_mwh"),
    (Metric::ShedCapacityIncreaseMwh, "shed.capacity_increase_mwh"),
    (Metric::ShedFuelBaseMwh, "shed.fuel_base_mwh"),
    (Metric::ShedFuelIncreaseMwh, "shed.fuel_increase_mwh"),
    (Metric::Class1HoursPerDayBase, "shed.class1_h_per_day_base"),
    (Metric::Class1HoursPerDayIncrease, "shed.class1_h_per_day_increase"),
    (Metric::Class1IncreaseMwh, "shed.class1_increase_mwh"),
    (Metric::Class2HoursPerDayBase, "shed.class2_h_per_day_base"),
    (Metric::Class2HoursPerDayIncrease, "shed.class2_h_per_day_increase"),
    (Metric::Class2IncreaseMwh, "shed.class2_increase_mwh"),
    (Metric::Class3HoursPerDayBase, "shed.class3_h_per_day_base"),
    (Metric::Class3HoursPerDayIncrease, "shed.class3_h_per_day_increase"),
    (Metric::Class3IncreaseMwh, "shed.class3_increase_mwh"),
    (Metric::Class4HoursPerDayBase, "shed.class4_h_per_day_base"),
    (Metric::Class4HoursPerDayIncrease, "shed.class4_h_per_day_increase"),
    (Metric::Class4IncreaseMwh, "shed.class4_increase_mwh"),
    (Metric::Class5HoursPerDayBase, "shed.class5_h_per_day_base"),
    (Metric::Class5HoursPerDayIncrease, "shed.class5_h_per_day_increase"),
    (Metric::Class5IncreaseMwh, "shed.class5_increase_mwh"),
    (Metric::Class6HoursPerDayBase, "shed.class6_h_per_day_base"),
    (Metric::Class6HoursPerDayIncrease, "shed.class6_h_per_day_increase"),
    (Metric::Class6IncreaseMwh, "shed.class6_increase_mwh"),
    (Metric::RevenueForgoneBasePkr, "shed.revenue_forgone_base_pkr"),
    (Metric::CostAvoidedBasePkr, "shed.cost_avoided_base_pkr"),
    (Metric::RevenueForgoneIncreasePkr, "shed.revenue_forgone_increase_pkr"),
    (Metric::CostAvoidedIncreasePkr, "shed.cost_avoided_increase_pkr"),
    (Metric::ImportedAvailableShare, "grid.imported_available_share"),
    (Metric::DisplacedRevenueFytdPkr, "fiscal.displaced_revenue_fytd_pkr"),
    (
        Metric::MarginalCostPricedPkrPerKwh,
        "grid.marginal_cost_priced_pkr_per_kwh",
    ),
    (Metric::MiningInstalledMw, "mining.installed_mw"),
    (Metric::MiningCapexUsd, "mining.capex_usd"),
    (Metric::DatacenterConnectedMw, "datacenters.connected_mw"),
    (Metric::DatacenterArrivedShare, "datacenters.arrived_share"),
    (Metric::CapitalInflowUsd, "bop.capital_inflow_usd"),
    (Metric::BadDebtPkr, "fiscal.bad_debt_pkr"),
    (Metric::BadDebtFytdPkr, "fiscal.bad_debt_fytd_pkr"),
    (Metric::CapitalInflowFytdUsd, "bop.capital_inflow_fytd_usd"),
    (Metric::PeakReliefHoursPerDay, "grid.peak_relief_h_per_day"),
    (Metric::PeakReliefMw, "grid.peak_relief_mw"),
    (Metric::PeakReliefMwh, "grid.peak_relief_mwh"),
    (Metric::FuelCostBasePkrPerKwh, "grid.fuel_cost_base_pkr_per_kwh"),
];

/// The metrics of feeder class slot `k` (0-based): hours a day shed without the allocation,
/// the increase with it, and the increase of its shed energy.
#[must_use]
pub fn feeder_metrics(k: usize) -> [Metric; 3] {
    const SLOTS: [[Metric; 3]; crate::scenario::shedding::MAX_FEEDER_CLASSES] = [
        [
            Metric::Class1HoursPerDayBase,
            Metric::Class1HoursPerDayIncrease,
            Metric::Class1IncreaseMwh,
        ],
        [
            Metric::Class2HoursPerDayBase,
            Metric::Class2HoursPerDayIncrease,
            Metric::Class2IncreaseMwh,
        ],
        [
            Metric::Class3HoursPerDayBase,
            Metric::Class3HoursPerDayIncrease,
            Metric::Class3IncreaseMwh,
        ],
        [
            Metric::Class4HoursPerDayBase,
            Metric::Class4HoursPerDayIncrease,
            Metric::Class4IncreaseMwh,
        ],
        [
            Metric::Class5HoursPerDayBase,
            Metric::Class5HoursPerDayIncrease,
            Metric::Class5IncreaseMwh,
        ],
        [
            Metric::Class6HoursPerDayBase,
            Metric::Class6HoursPerDayIncrease,
            Metric::Class6IncreaseMwh,
        ],
    ];
    SLOTS[k]
}

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
    fn first_july_of_each_start_month() {
        // July starts a fiscal year at once; June needs one month, August eleven.
        assert_eq!(first_july(7), 0);
        assert_eq!(first_july(6), 1);
        assert_eq!(first_july(4), 3);
        assert_eq!(first_july(1), 6);
        assert_eq!(first_july(8), 11);
        assert_eq!(first_july(12), 7);
    }

    #[test]
    fn worst_fiscal_year_ignores_partial_years() {
        let months = 30; // April 2026 to September 2028: FY2027 and FY2028 complete
        let mut buf = vec![0.0; path_len(months)];
        let net = Metric::NetFlowPkr as usize * months;
        for t in 0..months {
            buf[net + t] = if (3..27).contains(&t) { 1.0 } else { -100.0 };
        }
        buf[net + 3] = -5.0; // July 2026, in FY2027
        let h = |months: usize, start: u32| Horizon {
            discount: vec![1.0; months],
            real_discount: vec![1.0; months],
            first_july: first_july(start),
        };
        summarise(&mut buf, months, &h(months, 4));
        let o = output_index("worst_fiscal_year_net_flow_pkr").unwrap();
        assert_eq!(buf[N_METRICS * months + o], -5.0 + 11.0);
        // No complete fiscal year: zero, reported as undefined by the Python side.
        let months = 11;
        let mut buf = vec![-1.0; path_len(months)];
        summarise(&mut buf, months, &h(months, 7));
        assert_eq!(buf[N_METRICS * months + o], 0.0);
    }

    #[test]
    fn layout_order_matches_the_enum() {
        for (i, (m, _)) in METRICS.iter().enumerate() {
            assert_eq!(*m as usize, i);
        }
    }
}

/// How a per-path output summarises its monthly metric over the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// Sum over the horizon divided by the horizon in years.
    PerYear,
    /// 1 if the metric is positive in any month, else 0.
    Any,
    /// Largest monthly value.
    Max,
    /// Sum over the horizon.
    Total,
    /// Mean over the months.
    Mean,
    /// Value in the last month.
    Last,
    /// Lowest sum over a complete fiscal year (July to June, Pakistan's) inside the horizon; a
    /// partial first or last year never counts. Zero when the horizon holds no complete fiscal
    /// year (the Python side then reports the output as undefined).
    WorstFiscalYear,
    /// Sum discounted to the start (end-of-month flows); the model adds terminal values.
    Discounted,
    /// Sum deflated to the start's prices and discounted at the real rate.
    DiscountedReal,
}

/// Every per-path output: public name, the monthly metric it summarises, and how.
pub const OUTPUTS: [(&str, Metric, Agg); 83] = [
    ("npv_pkr", Metric::NetFlowPkr, Agg::Discounted),
    ("net_flow_pkr_per_year", Metric::NetFlowPkr, Agg::PerYear),
    (
        "worst_fiscal_year_net_flow_pkr",
        Metric::NetFlowPkr,
        Agg::WorstFiscalYear,
    ),
    ("circular_debt_change_pkr", Metric::CircularDebtFlowPkr, Agg::Total),
    ("tariff_revenue_pkr_per_year", Metric::TariffRevenuePkr, Agg::PerYear),
    ("added_cost_pkr_per_year", Metric::AddedCostPkr, Agg::PerYear),
    ("tax_pkr_per_year", Metric::TaxPkr, Agg::PerYear),
    ("tax_expenditure_pkr_per_year", Metric::TaxExpenditurePkr, Agg::PerYear),
    ("reserve_value_pkr", Metric::ReserveValuePkr, Agg::Last),
    ("reserve_btc", Metric::ReserveBtc, Agg::Last),
    ("miner_uptime_share", Metric::MinerUptime, Agg::Mean),
    ("mean_hashprice_usd_per_ph_day", Metric::HashpriceUsdPerPhDay, Agg::Mean),
    ("lole_base_h_per_year", Metric::LoleBaseH, Agg::PerYear),
    ("lole_with_h_per_year", Metric::LoleWithH, Agg::PerYear),
    ("lole_households_h_per_year", Metric::LoleHouseholdsH, Agg::PerYear),
    ("eue_base_mwh_per_year", Metric::EueBaseMwh, Agg::PerYear),
    ("eue_with_mwh_per_year", Metric::EueWithMwh, Agg::PerYear),
    (
        "eue_households_increase_mwh_per_year",
        Metric::EueHouseholdsIncreaseMwh,
        Agg::PerYear,
    ),
    ("eue_newload_mwh_per_year", Metric::EueNewLoadMwh, Agg::PerYear),
    (
        "household_eue_cost_pkr_per_year",
        Metric::HouseholdEueCostPkr,
        Agg::PerYear,
    ),
    ("npv_real_pkr", Metric::NetFlowPkr, Agg::DiscountedReal),
    ("budget_subsidy_pkr", Metric::BudgetSubsidyPkr, Agg::Total),
    ("consumers_charge_pkr", Metric::ConsumersChargePkr, Agg::Total),
    ("npv_tariff_revenue_pkr", Metric::TariffRevenuePkr, Agg::Discounted),
    ("npv_generation_cost_pkr", Metric::AddedCostPkr, Agg::Discounted),
    ("npv_consumers_charge_pkr", Metric::ConsumersChargePkr, Agg::Discounted),
    ("npv_tax_pkr", Metric::TaxPkr, Agg::Discounted),
    ("npv_sales_tax_pkr", Metric::SalesTaxPkr, Agg::Discounted),
    ("npv_surcharge_pkr", Metric::SurchargePkr, Agg::Discounted),
    ("npv_reserve_pkr", Metric::ReservePurchasesPkr, Agg::Discounted),
    ("npv_mining_pkr", Metric::NetFlowMiningPkr, Agg::Discounted),
    ("npv_datacenters_pkr", Metric::NetFlowDatacentersPkr, Agg::Discounted),
    ("npv_package_period_pkr", Metric::NetFlowPackagePkr, Agg::Discounted),
    (
        "net_foreign_exchange_usd_per_year",
        Metric::NetForeignExchangeUsd,
        Agg::PerYear,
    ),
    ("emissions_tco2_per_year", Metric::EmissionsTco2, Agg::PerYear),
    ("carbon_cost_pkr_per_year", Metric::CarbonCostPkr, Agg::PerYear),
    ("latent_load_mw", Metric::LatentLoadMw, Agg::Mean),
    ("served_load_base_mw", Metric::ServedLoadBaseMw, Agg::Mean),
    ("households_shed_h_per_day_base", Metric::ShedHoursPerDayBase, Agg::Mean),
    (
        "households_shed_h_per_day_increase",
        Metric::ShedHoursPerDayIncrease,
        Agg::Mean,
    ),
    ("shed_rules_base_mwh_per_year", Metric::ShedRulesBaseMwh, Agg::PerYear),
    (
        "shed_rules_increase_mwh_per_year",
        Metric::ShedRulesIncreaseMwh,
        Agg::PerYear,
    ),
    (
        "shed_network_base_mwh_per_year",
        Metric::ShedNetworkBaseMwh,
        Agg::PerYear,
    ),
    (
        "shed_network_increase_mwh_per_year",
        Metric::ShedNetworkIncreaseMwh,
        Agg::PerYear,
    ),
    (
        "shed_capacity_base_mwh_per_year",
        Metric::ShedCapacityBaseMwh,
        Agg::PerYear,
    ),
    (
        "shed_capacity_increase_mwh_per_year",
        Metric::ShedCapacityIncreaseMwh,
        Agg::PerYear,
    ),
    ("shed_fuel_base_mwh_per_year", Metric::ShedFuelBaseMwh, Agg::PerYear),
    (
        "shed_fuel_increase_mwh_per_year",
        Metric::ShedFuelIncreaseMwh,
        Agg::PerYear,
    ),
    ("class1_shed_h_per_day_base", Metric::Class1HoursPerDayBase, Agg::Mean),
    (
        "class1_shed_h_per_day_increase",
        Metric::Class1HoursPerDayIncrease,
        Agg::Mean,
    ),
    (
        "class1_shed_increase_mwh_per_year",
        Metric::Class1IncreaseMwh,
        Agg::PerYear,
    ),
    ("class2_shed_h_per_day_base", Metric::Class2HoursPerDayBase, Agg::Mean),
    (
        "class2_shed_h_per_day_increase",
        Metric::Class2HoursPerDayIncrease,
        Agg::Mean,
    ),
    (
        "class2_shed_increase_mwh_per_year",
        Metric::Class2IncreaseMwh,
        Agg::PerYear,
    ),
    ("class3_shed_h_per_day_base", Metric::Class3HoursPerDayBase, Agg::Mean),
    (
        "class3_shed_h_per_day_increase",
        Metric::Class3HoursPerDayIncrease,
        Agg::Mean,
    ),
    (
        "class3_shed_increase_mwh_per_year",
        Metric::Class3IncreaseMwh,
        Agg::PerYear,
    ),
    ("class4_shed_h_per_day_base", Metric::Class4HoursPerDayBase, Agg::Mean),
    (
        "class4_shed_h_per_day_increase",
        Metric::Class4HoursPerDayIncrease,
        Agg::Mean,
    ),
    (
        "class4_shed_increase_mwh_per_year",
        Metric::Class4IncreaseMwh,
        Agg::PerYear,
    ),
    ("class5_shed_h_per_day_base", Metric::Class5HoursPerDayBase, Agg::Mean),
    (
        "class5_shed_h_per_day_increase",
        Metric::Class5HoursPerDayIncrease,
        Agg::Mean,
    ),
    (
        "class5_shed_increase_mwh_per_year",
        Metric::Class5IncreaseMwh,
        Agg::PerYear,
    ),
    ("class6_shed_h_per_day_base", Metric::Class6HoursPerDayBase, Agg::Mean),
    (
        "class6_shed_h_per_day_increase",
        Metric::Class6HoursPerDayIncrease,
        Agg::Mean,
    ),
    (
        "class6_shed_increase_mwh_per_year",
        Metric::Class6IncreaseMwh,
        Agg::PerYear,
    ),
    (
        "revenue_forgone_base_pkr_per_year",
        Metric::RevenueForgoneBasePkr,
        Agg::PerYear,
    ),
    (
        "cost_avoided_base_pkr_per_year",
        Metric::CostAvoidedBasePkr,
        Agg::PerYear,
    ),
    (
        "revenue_forgone_increase_pkr_per_year",
        Metric::RevenueForgoneIncreasePkr,
        Agg::PerYear,
    ),
    (
        "cost_avoided_increase_pkr_per_year",
        Metric::CostAvoidedIncreasePkr,
        Agg::PerYear,
    ),
    (
        "imported_available_share_mean",
        Metric::ImportedAvailableShare,
        Agg::Mean,
    ),
    (
        "npv_displaced_revenue_pkr",
        Metric::RevenueForgoneIncreasePkr,
        Agg::Discounted,
    ),
    ("mining_ever_built", Metric::MiningInstalledMw, Agg::Any),
    ("mining_installed_mw_mean", Metric::MiningInstalledMw, Agg::Mean),
    ("mining_installed_mw_peak", Metric::MiningInstalledMw, Agg::Max),
    ("datacenter_arrived_share", Metric::DatacenterArrivedShare, Agg::Last),
    ("datacenter_connected_mw_last", Metric::DatacenterConnectedMw, Agg::Last),
    ("capital_inflow_usd", Metric::CapitalInflowUsd, Agg::Total),
    ("bad_debt_pkr", Metric::BadDebtPkr, Agg::Total),
    ("npv_bad_debt_pkr", Metric::BadDebtPkr, Agg::Discounted),
    ("peak_relief_h_per_day_mean", Metric::PeakReliefHoursPerDay, Agg::Mean),
    ("peak_relief_mw_mean", Metric::PeakReliefMw, Agg::Mean),
    ("peak_relief_mwh_per_year", Metric::PeakReliefMwh, Agg::PerYear),
];

/// Number of per-path outputs.
pub const N_OUTPUTS: usize = OUTPUTS.len();

/// Length of a path buffer: every metric for every month, then the outputs.
#[must_use]
pub fn path_len(months: usize) -> usize {
    N_METRICS * months + N_OUTPUTS
}

/// Index of the first July in a horizon whose first month is calendar month `start_month`
/// (1-12): where the first complete fiscal year begins.
#[must_use]
pub fn first_july(start_month: u32) -> usize {
    ((19 - start_month) % 12) as usize
}

/// How a path's monthly flows are discounted: each month's nominal discount factor, its real
/// one (deflated to the start's prices and discounted at the real rate), and the index of the
/// first July (see [`first_july`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Horizon {
    /// Nominal discount factor of each month's flow (end of month).
    pub discount: Vec<f64>,
    /// Real discount factor times the price level's deflator of each month.
    pub real_discount: Vec<f64>,
    /// Index of the first July.
    pub first_july: usize,
}

/// Fills the outputs (after the metrics) of a path buffer from its monthly metrics.
pub fn summarise(buf: &mut [f64], months: usize, h: &Horizon) {
    let (discount, first_july) = (&h.discount, h.first_july);
    let years = months as f64 / 12.0;
    let base = N_METRICS * months;
    for (o, &(_, m, agg)) in OUTPUTS.iter().enumerate() {
        let start = m as usize * months;
        let x = &buf[start..start + months];
        let v = match agg {
            Agg::PerYear => x.iter().sum::<f64>() / years,
            Agg::Total => x.iter().sum(),
            Agg::Mean => x.iter().sum::<f64>() / months as f64,
            Agg::Last => x[months - 1],
            Agg::Any => f64::from(u8::from(x.iter().any(|&v| v > 0.0))),
            Agg::Max => x.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Agg::WorstFiscalYear => {
                let years = x.get(first_july..).unwrap_or_default().chunks_exact(12);
                let worst = years.map(|c| c.iter().sum::<f64>()).fold(f64::INFINITY, f64::min);
                if worst.is_finite() { worst } else { 0.0 }
            }
            Agg::Discounted => x.iter().zip(discount).map(|(v, d)| v * d).sum(),
            Agg::DiscountedReal => x.iter().zip(&h.real_discount).map(|(v, d)| v * d).sum(),
        };
        buf[base + o] = v;
    }
}

/// Index of the output named `name`.
#[must_use]
pub fn output_index(name: &str) -> Option<usize> {
    OUTPUTS.iter().position(|(n, _, _)| *n == name)
}

/// How a [`Condition`] compares a path's output with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Comparison {
    /// `output > threshold`.
    GreaterThan,
    /// `output >= threshold`.
    AtLeast,
    /// `output < threshold`.
    LessThan,
    /// `output <= threshold`.
    AtMost,
}

impl Comparison {
    /// Whether `x` compares with `threshold` as `self` says.
    #[inline]
    #[must_use]
    pub fn holds(self, x: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThan => x > threshold,
            Comparison::AtLeast => x >= threshold,
            Comparison::LessThan => x < threshold,
            Comparison::AtMost => x <= threshold,
        }
    }

    /// The operator as written: `>`, `>=`, `<` or `<=`.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThan => ">",
            Comparison::AtLeast => ">=",
            Comparison::LessThan => "<",
            Comparison::AtMost => "<=",
        }
    }
}

/// An event on a path, read off one of its outputs once the path is simulated. The engine
/// keeps the moments of the outputs over the paths meeting each condition (see
/// [`crate::stats::partial::Node::conditions`]): every output's statistics given the event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    /// Public name, snake_case (what `Results.given` takes).
    pub name: &'static str,
    /// What the condition means, in words.
    pub description: &'static str,
    /// The per-path output it reads (a name in [`OUTPUTS`]).
    pub output: &'static str,
    /// How the output compares with `threshold`.
    pub comparison: Comparison,
    /// The threshold, in the output's unit.
    pub threshold: f64,
}

/// The path conditions every run keeps statistics for. Entries can be added, removed or
/// reordered freely: nothing else names them, and the statistics record the list they were
/// computed with (so results saved or merged with another list are told apart).
pub const CONDITIONS: &[Condition] = &[
    Condition {
        name: "mining_built",
        description: "a mining tranche was built (or the fixed fleet connected) within the horizon",
        output: "mining_ever_built",
        comparison: Comparison::GreaterThan,
        threshold: 0.5,
    },
    Condition {
        name: "mining_not_built",
        description: "no mining capacity was ever in service",
        output: "mining_ever_built",
        comparison: Comparison::LessThan,
        threshold: 0.5,
    },
    Condition {
        name: "datacenters_all_arrived",
        description: "the whole data-centre allocation arrived within the horizon",
        output: "datacenter_arrived_share",
        // Shares are sums of tranche MW over the allocation: allow for their rounding.
        comparison: Comparison::AtLeast,
        threshold: 1.0 - 1e-9,
    },
    Condition {
        name: "datacenters_some_arrived",
        description: "at least one data-centre tranche arrived within the horizon",
        output: "datacenter_arrived_share",
        comparison: Comparison::GreaterThan,
        threshold: 0.0,
    },
    Condition {
        name: "datacenters_none_arrived",
        description: "no data-centre tranche arrived within the horizon",
        output: "datacenter_arrived_share",
        comparison: Comparison::AtMost,
        threshold: 0.0,
    },
    Condition {
        name: "miners_defaulted",
        description: "the miners left bills unpaid at least once",
        output: "bad_debt_pkr",
        comparison: Comparison::GreaterThan,
        threshold: 0.0,
    },
];

/// Index in [`OUTPUTS`] of the output named `name`, usable in constants; fails the build (in a
/// constant) or panics (at run time) when there is none.
#[must_use]
pub const fn output_index_const(name: &str) -> usize {
    let mut i = 0;
    while i < N_OUTPUTS {
        let (a, b) = (OUTPUTS[i].0.as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut k = 0;
            while k < a.len() && a[k] == b[k] {
                k += 1;
            }
            if k == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("a condition in CONDITIONS reads an output that is not in OUTPUTS")
}

/// A misspelt output in [`CONDITIONS`] is a compile error, not a failure at run time.
const _: () = {
    let mut c = 0;
    while c < CONDITIONS.len() {
        let _ = output_index_const(CONDITIONS[c].output);
        c += 1;
    }
};

#[cfg(test)]
mod condition_tests {
    use super::*;

    #[test]
    fn every_condition_reads_an_existing_output_and_has_a_unique_snake_case_name() {
        for c in CONDITIONS {
            assert!(output_index(c.output).is_some(), "{}: no output {}", c.name, c.output);
            assert_eq!(output_index_const(c.output), output_index(c.output).unwrap());
            let snake = c.name.starts_with(|ch: char| ch.is_ascii_lowercase())
                && c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            assert!(snake, "{} is not snake_case", c.name);
            assert!(!c.description.is_empty(), "{} has no description", c.name);
            assert!(!c.threshold.is_nan(), "{} has a NaN threshold", c.name);
            assert_eq!(
                CONDITIONS.iter().filter(|d| d.name == c.name).count(),
                1,
                "{} twice",
                c.name
            );
        }
    }

    #[test]
    fn comparisons_treat_the_threshold_as_written() {
        use Comparison::*;
        let at = |c: Comparison| [c.holds(-1.0, 0.0), c.holds(0.0, 0.0), c.holds(1.0, 0.0)];
        assert_eq!(at(GreaterThan), [false, false, true]);
        assert_eq!(at(AtLeast), [false, true, true]);
        assert_eq!(at(LessThan), [true, false, false]);
        assert_eq!(at(AtMost), [true, true, false]);
        assert!(
            [GreaterThan, AtLeast, LessThan, AtMost]
                .iter()
                .all(|c| !c.holds(f64::NAN, 0.0))
        );
    }
}
