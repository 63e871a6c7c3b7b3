//! The state's accounts of one month: what the new loads are charged ([`tariff`]), the taxes
//! they pay ([`taxes`]), who pays the gap between their cost and their bills ([`incidence`]),
//! the Strategic Bitcoin Reserve, and the net fiscal flow with its parts.

pub mod bad_debt;
pub mod external;
pub mod incidence;
pub mod tariff;
pub mod taxes;

use crate::calendar::YearMonth;
use crate::drivers::DriverMonth;
use crate::grid::MonthTotals;
use crate::loads::mining::MinerMonth;
use crate::metrics::{Metric, put};
use crate::scenario::{Scenario, Taxes};
use incidence::Envelope;
use tariff::{Billing, Price, TariffInputs, TariffState};

/// What the accounts carry from month to month on one path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PathState {
    /// The miners' tariff.
    pub mining_tariff: TariffState,
    /// The data centres' tariff.
    pub datacenter_tariff: TariffState,
    /// The budget's envelope used this fiscal year.
    envelope: Envelope,
    /// Reserve holdings, BTC.
    pub reserve_btc: f64,
    /// BTC the reserve gained under the policy (levy and purchases).
    pub policy_btc: f64,
    /// Fiscal year of the running totals, and the totals (PKR): net flow, circular debt,
    /// budget, the other consumers' charge, the net flow's channels (revenue, generation cost,
    /// profit tax, sales tax, surcharge, reserve purchases), its parts by load (miners, data
    /// centres), its part under the package, the revenue of the consumers the allocation
    /// displaces, the miners' bad debt and the new loads' capital inflow (USD).
    fiscal_year: i32,
    fytd: [f64; 16],
    /// Last month's base marginal cost and the new loads' average incremental cost, PKR/MWh.
    last_marginal: Option<f64>,
    last_own_average: Option<f64>,
    /// The first month's base marginal cost, PKR/MWh: the fuel-cost index's base.
    first_marginal: Option<f64>,
    /// The first month's exchange rate, and the industrial indexation as of the latest January
    /// (exchange rate over the first month's, fuel-cost index, price level).
    first_fx: Option<f64>,
    january: Option<[f64; 3]>,
    /// Last month's BTC price in rupees (for the reserve's revaluation; none in the first month).
    last_btc_pkr: Option<f64>,
    /// The allocation's circular debt so far, PKR (the liquidity feedback's part of the stock).
    pub circular_debt_stock: f64,
    /// The miners' security deposit and payment record.
    pub credit: bad_debt::CreditState,
}

/// Average hours in a month (8,766 / 12).
pub const HOURS_PER_MONTH: f64 = crate::loads::investment::HOURS_PER_MONTH;

impl PathState {
    /// A path's state before its first month.
    #[must_use]
    pub fn new(sc: &Scenario) -> Self {
        Self {
            reserve_btc: sc.reserve.initial_btc,
            ..Self::default()
        }
    }

    /// The tariffs' inputs in month `date`. `marginal_now` gives the base system's marginal
    /// cost of this month (PKR/MWh), asked for only in the first month, which has no last
    /// month; the fuel-cost index is 1 in the first month and last month's marginal cost over
    /// the first month's after it.
    pub fn tariff_inputs(
        &mut self,
        date: YearMonth,
        d: &DriverMonth,
        cpi: f64,
        marginal_now: impl FnOnce() -> f64,
    ) -> TariffInputs {
        let (system_marginal, fuel_index) = match (self.last_marginal, self.first_marginal) {
            (Some(last), Some(first)) if first > 0.0 => (last, last / first),
            (Some(last), _) => (last, 1.0),
            (None, _) => (marginal_now(), 1.0),
        };
        let first_fx = *self.first_fx.get_or_insert(d.fx_pkr_per_usd);
        let now = [d.fx_pkr_per_usd / first_fx, fuel_index, cpi];
        let january = if date.month == 1 {
            *self.january.insert(now)
        } else {
            *self.january.get_or_insert([1.0, 1.0, 1.0])
        };
        TariffInputs {
            date,
            fx: d.fx_pkr_per_usd,
            system_marginal,
            fuel_index,
            january,
            own_average: self.last_own_average.unwrap_or(system_marginal),
            cpi,
        }
    }
}

/// One load's bill for `mwh` at the meter: `(billed PKR, MWh under the package)`. A capped
/// package covers what is left of its fiscal-year volume; the rest is billed at the next
/// regime's price.
#[must_use]
pub fn bill(p: &Price, mwh: f64) -> (f64, f64) {
    let covered = mwh.min(p.covered_mwh);
    let billed = covered * p.pkr_per_mwh + (mwh - covered) * p.beyond_pkr_per_mwh;
    (billed, if p.package { covered } else { 0.0 })
}

/// Sales tax and duty a load bears per rupee of its bill: the sales tax net of what it
/// reclaims as input tax, plus the provincial duty, which is not creditable.
#[must_use]
pub fn bill_tax_rate(t: &Taxes, credit_share: f64) -> f64 {
    t.sales_tax_rate * (1.0 - credit_share) + t.electricity_duty_rate
}

/// Taxes and surcharges on a bill of `billed` PKR for `mwh` MWh of which `package_mwh` under
/// the package: `(sales tax and duty net of the input credit, debt-service surcharge)`, PKR.
#[must_use]
pub fn bill_taxes(
    t: &Taxes,
    date: YearMonth,
    credit_share: f64,
    billed: f64,
    mwh: f64,
    package_mwh: f64,
) -> (f64, f64) {
    let sales = bill_tax_rate(t, credit_share) * billed;
    // Package units pay no debt-service surcharge, and it ends with the debt it services.
    let surcharge = if t.debt_service_surcharge_until.is_none_or(|until| date <= until) {
        t.debt_service_surcharge_pkr_per_kwh * 1000.0 * (mwh - package_mwh)
    } else {
        0.0
    };
    (sales, surcharge)
}

/// Average energy price of `mwh` MWh under `p`, PKR/MWh (the first MWh's when `mwh` is zero).
#[must_use]
pub fn average_price(p: &Price, mwh: f64) -> f64 {
    // Energy the price covers whole pays exactly its price (no rounding from the division).
    if mwh > 0.0 && mwh > p.covered_mwh {
        bill(p, mwh).0 / mwh
    } else {
        p.pkr_per_mwh
    }
}

/// What a load pays per MWh of `mwh` under `p`, with the sales tax it cannot reclaim and the
/// surcharge, PKR/MWh (for the first MWh when `mwh` is zero).
#[must_use]
pub fn cost_per_mwh(t: &Taxes, date: YearMonth, credit_share: f64, p: &Price, mwh: f64) -> f64 {
    let mwh = mwh.max(1.0);
    let (billed, package) = bill(p, mwh);
    let (sales, surcharge) = bill_taxes(t, date, credit_share, billed, mwh, package);
    (billed + sales + surcharge) / mwh
}

/// What the accounts read about a month once the loads have drawn and the grid has run.
#[derive(Debug, Clone, Copy)]
pub struct MonthFacts<'a> {
    /// Month index and calendar month.
    pub t: usize,
    /// The calendar month.
    pub date: YearMonth,
    /// The month's drivers.
    pub d: &'a DriverMonth,
    /// The grid's totals with the new loads.
    pub grid: &'a MonthTotals,
    /// The miners' economics this month.
    pub miner: &'a MinerMonth,
    /// The new loads' draw at the meter in the hours they draw, MW: miners, data centres.
    pub draw_mw: (f64, f64),
    /// Share of the month's hours in which the miners draw (below 1 with peak relief).
    pub mining_drawn_share: f64,
    /// Capacity the new loads brought in this month (the ramp's increment), MW: miners, data
    /// centres.
    pub installed_mw: (f64, f64),
    /// Their draw at the generation side, MW.
    pub generation_mw: (f64, f64),
    /// The month's prices: miners, data centres.
    pub prices: (Price, Price),
    /// The imported fuel the new loads' electricity burns and the CO2 it emits.
    pub external: external::External,
    /// Capital the new loads bring in this month (miners' investment, data centres'
    /// facilities), USD.
    pub capital_inflow_usd: f64,
}

/// A month's accounts, as written into the path's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonthBook {
    mining_load_mw: f64,
    datacenter_load_mw: f64,
    btc_mined: f64,
    revenue: f64,
    tax: f64,
    sales_tax: f64,
    surcharge: f64,
    customs: f64,
    revaluation: f64,
    tax_expenditure: f64,
    net: f64,
    gap: f64,
    split: incidence::Split,
    consumers_per_kwh: f64,
    purchases: f64,
    net_mining: f64,
    net_datacenters: f64,
    package_share: f64,
    reserve_btc: f64,
    reserve_value: f64,
    household_eue_cost: f64,
    fytd: [f64; 16],
    tariffs: (f64, f64),
    hashprice: f64,
    uptime: f64,
    external: external::External,
    inflows_usd: f64,
    carbon_cost: f64,
    bad_debt: f64,
}

/// Settles month `f.t` of a path: bills, taxes, the gap and who pays it, the reserve. Updates
/// the path's state (tariffs' reviews and caps, the envelope, the reserve, last month's costs).
#[must_use]
pub fn settle(sc: &Scenario, f: &MonthFacts<'_>, st: &mut PathState) -> MonthBook {
    let (m, dc, fi) = (&sc.mining, &sc.datacenters, &sc.fiscal);
    let g = f.grid;
    let (fx, price) = (f.d.fx_pkr_per_usd, f.d.bitcoin_usd);
    let hours = g.hours;
    // Energy delivered to the meter: the draw less the share curtailed (grid figures are at
    // the generation side, `1 - loss` of which reaches the meter).
    let keep = 1.0 - fi.td_loss_share;
    let e_mining = (f.draw_mw.0 * hours * f.mining_drawn_share - g.eue_mining * keep).max(0.0);
    let e_dc = (f.draw_mw.1 * hours - g.eue_datacenters * keep).max(0.0);
    let (p_mining, p_dc) = f.prices;

    let tx = &sc.taxes;
    let btc = e_mining * f.miner.btc_per_mwh;
    let levy_btc = sc.reserve.levy_share * btc;
    let (energy_bill_mining, package_mining) = bill(&p_mining, e_mining);
    let bill_mining = energy_bill_mining + p_mining.revenue_share * btc * price * fx;
    let (bill_dc, package_dc) = bill(&p_dc, e_dc);
    let (sales_m, dss_m) = bill_taxes(
        tx,
        f.date,
        tx.mining_input_credit_share,
        bill_mining,
        e_mining,
        package_mining,
    );
    let (sales_d, dss_d) = bill_taxes(tx, f.date, tx.datacenters_input_credit_share, bill_dc, e_dc, package_dc);
    let fleet = &f.miner.fleet;
    let miner_cash = btc * (1.0 - m.pool_fee_share - sc.reserve.levy_share - p_mining.revenue_share) * price * fx
        - energy_bill_mining
        - sales_m
        - dss_m
        - e_mining * m.opex_usd_per_mwh * fx
        - fleet.restarted_mw * m.investment.as_ref().map_or(0.0, |i| i.restart_usd_per_mw) * fx;
    // Profit tax is on profit after the tax books' depreciation of the rigs and sites.
    let miner_profit = miner_cash - fleet.depreciation_pkr;
    // What the miners pay of their bill (the deposit included) when they are in default.
    let paid = match &m.credit {
        Some(c) => {
            if f.installed_mw.0 > 0.0 {
                st.credit.connect(c, f.installed_mw.0, p_mining.pkr_per_mwh);
            }
            st.credit
                .collect(c, bill_mining + sales_m + dss_m, miner_cash - fleet.annuity_usd * fx)
                .paid_share
        }
        None => 1.0,
    };
    let bad_debt = fi.collection_rate * (bill_mining + sales_m + dss_m) * (1.0 - paid);
    let dc_profit = dc.profit_usd_per_mwh * e_dc * fx;
    let rate = |r: f64| r + tx.super_tax_rate;
    let (tax_m, exp_m) = taxes::profit_tax(rate(m.profit_tax_rate), m.tax_holiday_months, f.t, miner_profit);
    let (tax_d, exp_d) = taxes::profit_tax(rate(dc.profit_tax_rate), dc.tax_holiday_months, f.t, dc_profit);
    // Equipment brought in this month enters duty-free: the duty forgone is a tax expenditure.
    let customs = tx.customs_duty_rate
        * fx
        * (tx.mining_equipment_usd_per_mw * f.installed_mw.0 + tx.datacenters_equipment_usd_per_mw * f.installed_mw.1);

    // The added generation cost is shared by the two loads in proportion to their draw at the
    // generation side: both sit on the same interval of the merit order.
    // By energy: miners on peak relief draw their MW in fewer hours.
    let mining_generation = f.generation_mw.0 * f.mining_drawn_share;
    let drawn = mining_generation + f.generation_mw.1;
    let cost_share_mining = if drawn > 0.0 { mining_generation / drawn } else { 0.0 };
    let (cost_mining, cost_dc) = (
        g.added_cost * cost_share_mining,
        g.added_cost * (1.0 - cost_share_mining),
    );
    let (collected_m, collected_d) = (fi.collection_rate * bill_mining * paid, fi.collection_rate * bill_dc);
    // Taxes and surcharges on the bills are collected with them.
    let (bill_tax_m, bill_tax_d) = (
        fi.collection_rate * (sales_m + dss_m) * paid,
        fi.collection_rate * (sales_d + dss_d),
    );
    let revenue = collected_m + collected_d;
    // The consumers the allocation displaces through the feeder rules no longer pay: their
    // collected revenue is a loss of the power sector's, next to the generation cost their
    // shedding saves (already out of the added cost).
    let displaced = g.displaced_revenue_pkr();
    let gap = (g.added_cost + displaced) - revenue;
    let fiscal_year = tariff::fiscal_year(f.date);
    let split = incidence::split(&sc.incidence, gap, fiscal_year, &mut st.envelope);
    // The other consumers' share of each load's gap follows the load.
    let (displaced_m, displaced_d) = (displaced * cost_share_mining, displaced * (1.0 - cost_share_mining));
    let (gap_m, gap_d) = (
        (cost_mining + displaced_m) - collected_m,
        (cost_dc + displaced_d) - collected_d,
    );
    let consumers = sc.incidence.consumers_share;

    // A price that has collapsed to (numerically) zero buys no more than at a millionth of a
    // dollar: keeps holdings finite on the extreme paths a 50-year horizon can produce.
    let bought = if sc.reserve.purchase_usd_per_month > 0.0 {
        sc.reserve.purchase_usd_per_month / price.max(1e-6)
    } else {
        0.0
    };
    st.reserve_btc += levy_btc + bought;
    st.policy_btc += levy_btc + bought;
    let purchases = sc.reserve.purchase_usd_per_month * fx;
    // Holdings revalue from last month's price; the first month's price is where they start.
    let revaluation = st
        .last_btc_pkr
        .map_or(0.0, |last| (st.reserve_btc - levy_btc - bought) * (price * fx - last));
    st.last_btc_pkr = Some(price * fx);
    let tax = tax_m + tax_d;
    let bill_tax = bill_tax_m + bill_tax_d;
    let net = revenue - g.added_cost - displaced + split.consumers + tax + bill_tax - purchases;
    let net_mining = collected_m - cost_mining - displaced_m + consumers * gap_m + tax_m + bill_tax_m;
    let net_datacenters = collected_d - cost_dc - displaced_d + consumers * gap_d + tax_d + bill_tax_d;
    st.circular_debt_stock += split.circular_debt;

    // The package's reviews see the generation cost and bills of the energy it covered.
    let package_billing = |covered: f64, energy: f64, cost: f64, p: &Price| Billing {
        package_mwh: covered,
        package_cost_pkr: if energy > 0.0 { cost * covered / energy } else { 0.0 },
        package_revenue_pkr: covered * p.pkr_per_mwh,
    };
    st.mining_tariff.settle(
        &m.tariff,
        &package_billing(package_mining, e_mining, cost_mining, &p_mining),
        f.date,
    );
    st.datacenter_tariff
        .settle(&dc.tariff, &package_billing(package_dc, e_dc, cost_dc, &p_dc), f.date);
    // The fuel index and cost-plus tariffs follow the accounting cost: a take-or-pay volume at
    // the margin is priced at its fuel's market price, not its shadow price.
    st.last_marginal = Some(g.priced_marginal_pkr_per_mwh());
    st.first_marginal.get_or_insert(g.priced_marginal_pkr_per_mwh());
    // Per MWh at the meter, where the loads are billed.
    st.last_own_average = (drawn > 0.0).then(|| g.added_cost / (drawn * keep * hours));

    if fiscal_year != st.fiscal_year {
        st.fiscal_year = fiscal_year;
        st.fytd = [0.0; 16];
    }
    let sales_tax = fi.collection_rate * (sales_m * paid + sales_d);
    let surcharge = fi.collection_rate * (dss_m * paid + dss_d);
    let flows = [
        net,
        split.circular_debt,
        split.budget,
        split.consumers,
        revenue,
        g.added_cost,
        tax,
        sales_tax,
        surcharge,
        purchases,
        net_mining,
        net_datacenters,
        if f.prices.0.package || f.prices.1.package {
            net
        } else {
            0.0
        },
        displaced,
        bad_debt,
        f.capital_inflow_usd,
    ];
    for (acc, x) in st.fytd.iter_mut().zip(flows) {
        *acc += x;
    }
    let base_sales_kwh = f.d.load_mw * hours * sc.incidence.base_sales_per_mwh_of_load * 1000.0;
    let energy = e_mining + e_dc;
    MonthBook {
        mining_load_mw: e_mining / hours,
        datacenter_load_mw: e_dc / hours,
        btc_mined: btc,
        revenue,
        tax,
        sales_tax,
        surcharge,
        customs,
        revaluation,
        tax_expenditure: exp_m + exp_d + customs,
        net,
        gap,
        split,
        consumers_per_kwh: split.consumers / base_sales_kwh,
        purchases,
        net_mining,
        net_datacenters,
        package_share: if energy > 0.0 {
            (package_mining + package_dc) / energy
        } else {
            0.0
        },
        reserve_btc: st.reserve_btc,
        reserve_value: st.reserve_btc * price * fx,
        household_eue_cost: g.households_increase_mwh() * sc.grid.value_of_lost_load_usd_per_mwh * fx,
        fytd: st.fytd,
        // The average energy price billed (the regime's price when nothing was drawn).
        tariffs: (
            average_price(&p_mining, e_mining) / 1000.0,
            average_price(&p_dc, e_dc) / 1000.0,
        ),
        hashprice: f.miner.hashprice,
        uptime: f.miner.uptime,
        external: f.external,
        // The loads bring in the dollars they pay in Pakistan: bills, their taxes, profit tax.
        inflows_usd: (revenue + bill_tax + tax) / fx,
        carbon_cost: f.external.co2_t * sc.economy.shadow_carbon_price_usd_per_tco2 * fx,
        bad_debt,
    }
}

impl MonthBook {
    /// Writes the month's load and account metrics into a path buffer of `months` months;
    /// `package`: whether the incremental package applied to either load this month.
    pub fn put(&self, out: &mut [f64], months: usize, t: usize, package: bool) {
        let mut put = |m: Metric, v: f64| put(out, months, m, t, v);
        put(Metric::HashpriceUsdPerPhDay, self.hashprice);
        put(Metric::MinerUptime, self.uptime);
        put(Metric::MiningLoadMw, self.mining_load_mw);
        put(Metric::BtcMined, self.btc_mined);
        put(Metric::DatacenterLoadMw, self.datacenter_load_mw);
        put(Metric::TariffRevenuePkr, self.revenue);
        put(Metric::TaxPkr, self.tax);
        put(Metric::TaxExpenditurePkr, self.tax_expenditure);
        put(Metric::NetFlowPkr, self.net);
        put(Metric::CircularDebtFlowPkr, self.split.circular_debt);
        put(Metric::ReserveBtc, self.reserve_btc);
        put(Metric::ReserveValuePkr, self.reserve_value);
        put(Metric::HouseholdEueCostPkr, self.household_eue_cost);
        put(Metric::MiningTariffPkrPerKwh, self.tariffs.0);
        put(Metric::DatacenterTariffPkrPerKwh, self.tariffs.1);
        put(Metric::PackageShare, self.package_share);
        put(Metric::GapPkr, self.gap);
        put(Metric::BudgetSubsidyPkr, self.split.budget);
        put(Metric::ConsumersChargePkr, self.split.consumers);
        put(Metric::ConsumersChargePkrPerKwh, self.consumers_per_kwh);
        put(Metric::ReservePurchasesPkr, self.purchases);
        put(Metric::NetFlowMiningPkr, self.net_mining);
        put(Metric::NetFlowDatacentersPkr, self.net_datacenters);
        put(Metric::NetFlowPackagePkr, if package { self.net } else { 0.0 });
        put(Metric::NetFlowFytdPkr, self.fytd[0]);
        put(Metric::CircularDebtFytdPkr, self.fytd[1]);
        put(Metric::BudgetSubsidyFytdPkr, self.fytd[2]);
        put(Metric::ConsumersChargeFytdPkr, self.fytd[3]);
        put(Metric::RevenueFytdPkr, self.fytd[4]);
        put(Metric::GenerationCostFytdPkr, self.fytd[5]);
        put(Metric::TaxFytdPkr, self.fytd[6]);
        put(Metric::SalesTaxFytdPkr, self.fytd[7]);
        put(Metric::SurchargeFytdPkr, self.fytd[8]);
        put(Metric::ReservePurchasesFytdPkr, self.fytd[9]);
        put(Metric::NetFlowMiningFytdPkr, self.fytd[10]);
        put(Metric::NetFlowDatacentersFytdPkr, self.fytd[11]);
        put(Metric::NetFlowPackageFytdPkr, self.fytd[12]);
        put(Metric::DisplacedRevenueFytdPkr, self.fytd[13]);
        put(Metric::BadDebtFytdPkr, self.fytd[14]);
        put(Metric::CapitalInflowFytdUsd, self.fytd[15]);
        put(Metric::SalesTaxPkr, self.sales_tax);
        put(Metric::SurchargePkr, self.surcharge);
        put(Metric::CustomsForgonePkr, self.customs);
        put(Metric::ReserveRevaluationPkr, self.revaluation);
        let [oil, lng, coal] = self.external.imports_usd;
        put(Metric::OilImportsUsd, oil);
        put(Metric::LngImportsUsd, lng);
        put(Metric::CoalImportsUsd, coal);
        put(Metric::InflowsUsd, self.inflows_usd);
        put(Metric::NetForeignExchangeUsd, self.inflows_usd - oil - lng - coal);
        put(Metric::EmissionsTco2, self.external.co2_t);
        put(Metric::CarbonCostPkr, self.carbon_cost);
        put(Metric::BadDebtPkr, self.bad_debt);
    }
}
