//! The typed scenario: a world (drivers, fleet, demand) and, in later versions, a policy.
//!
//! Field names carry their units. [`Scenario::from_value`] is the single validator used by
//! TOML files, Python dicts and dotted overrides alike: it reads every field, collects every
//! problem, and only then checks the relations between fields (the correlation matrix).

pub mod interruptible;
pub mod reader;
pub mod shedding;
pub mod stress;
pub mod tariff;
pub mod uncertain;
pub mod value;

use crate::calendar::YearMonth;
use crate::drivers::correlation;
use crate::error::{GridRiskError, Result};
use crate::rng::N_FACTORS;
use reader::{Issues, Range, Table};
use serde::{Deserialize, Serialize};
use tariff::{Regime, TariffStep};
pub use value::Value;

/// Names of the correlated factors, in the order of the correlation matrix's rows.
pub const FACTORS: [&str; N_FACTORS] = ["demand", "oil", "lng", "coal", "fx", "bitcoin", "hashrate", "hydro"];

/// Longest horizon a scenario may have, months (50 years).
pub const MAX_HORIZON_MONTHS: u32 = 600;

/// Fuels a technology class can burn. `fixed` fuels (domestic gas, Thar coal, nuclear, or none
/// for hydro, wind and solar) have a constant dollar price per MMBtu.
pub const FUELS: [&str; 4] = ["oil", "lng", "coal", "fixed"];

/// A complete, validated scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name and description.
    pub meta: Meta,
    /// Start month and horizon.
    pub simulation: Simulation,
    /// Grid demand.
    pub demand: Demand,
    /// Fuel prices.
    pub fuel: Fuels,
    /// Exchange rate.
    pub fx: Fx,
    /// Bitcoin price.
    pub bitcoin: Bitcoin,
    /// Network hashrate, block height and fees.
    pub network: Network,
    /// Hydro availability.
    pub hydro: Hydro,
    /// Correlation of the factor shocks.
    pub correlation: Correlation,
    /// Load shapes, capacity-factor profiles and adequacy settings.
    pub grid: Grid,
    /// Power allocated to the new loads.
    pub allocation: Allocation,
    /// Bitcoin miners: efficiency, economics, tariff and taxes.
    pub mining: Mining,
    /// AI data centres: ramp-up, tariff and taxes.
    pub datacenters: Datacenters,
    /// The Strategic Bitcoin Reserve.
    pub reserve: Reserve,
    /// Collection, losses and discounting of the state's accounts.
    pub fiscal: Fiscal,
    /// Taxes and surcharges on the new loads' bills and investment.
    pub taxes: Taxes,
    /// Who pays the gap between the new loads' cost and what they pay.
    pub incidence: Incidence,
    /// Prices and output: inflation, the exchange rate's drift, discounting, GDP.
    pub economy: Economy,
    /// Generating technology classes.
    pub fleet: Vec<TechClass>,
    /// Latent demand, feeder classes and their shedding rules, the network's deliverable
    /// capacity and the liquidity feedback (absent: load is shed only for lack of capacity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shedding: Option<shedding::Shedding>,
    /// Dated stress tests: drivers pinned to declared paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stress: Vec<stress::Stress>,
    /// Parameter uncertainty: fields whose values each path draws from a distribution (absent:
    /// every path runs the values above).
    #[serde(default, skip_serializing_if = "Vec::is_empty", skip_deserializing)]
    pub uncertain: Vec<uncertain::Uncertain>,
}

/// How the monthly average load is spread over the hours of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadShape {
    /// 24 hourly blocks of a representative day per month, each weighted by the days in the month.
    #[default]
    RepresentativeDay,
    /// Every hour of the month from a chronological profile of a whole year.
    Hourly,
}

/// Which load group a shortfall falls on first.
pub const LOAD_GROUPS: [&str; 3] = ["mining", "households", "datacenters"];

/// Capacity-factor profiles a technology class can follow.
pub const PROFILES: [&str; 4] = ["none", "hydro", "wind", "solar"];

/// The power system's shapes, profiles and settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// `"representative_day"` or `"hourly"`.
    pub load_shape: LoadShape,
    /// Relative load by hour of day (columns, 0 = 00:00-01:00) for each calendar month (rows,
    /// January first); normalised to mean one within each month.
    pub day_shape: Vec<Vec<f64>>,
    /// Chronological relative load of a whole year from 1 January 00:00 (8760 or 8736 values),
    /// used when `load_shape = "hourly"`; normalised to mean one within each calendar month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly_shape: Option<Vec<f64>>,
    /// Capacity factors by month (rows) and hour of day (columns) of the profiled classes.
    pub capacity_factors: CapacityFactors,
    /// Heat content of Brent, MMBtu per barrel.
    pub oil_mmbtu_per_bbl: f64,
    /// Heat content of imported coal, MMBtu per tonne.
    pub coal_mmbtu_per_t: f64,
    /// Resolution of the capacity outage probability table, MW (unit sizes are rounded to it).
    pub capacity_step_mw: f64,
    /// Marginal cost reported when load exceeds the available stack, USD/MWh.
    pub value_of_lost_load_usd_per_mwh: f64,
    /// Load groups in the order a shortfall is shed: a permutation of [`LOAD_GROUPS`].
    pub curtailment_priority: Vec<String>,
}

/// Month x hour capacity factors in [0, 1].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityFactors {
    /// Hydro, before scaling by the hydro-availability driver.
    pub hydro: Vec<Vec<f64>>,
    /// Wind.
    pub wind: Vec<Vec<f64>>,
    /// Solar.
    pub solar: Vec<Vec<f64>>,
}

/// Whether miners may switch off when unprofitable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contract {
    /// Miners run in a month only if BTC revenue per MWh covers the tariff plus operating cost.
    #[default]
    Economic,
    /// Miners always run and pay.
    TakeOrPay,
}

/// Bitcoin miners.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mining {
    /// Fleet efficiency at the start, J/TH.
    pub efficiency_j_per_th: f64,
    /// Continuous annual rate at which fleet J/TH falls.
    pub efficiency_improvement_annual: f64,
    /// Share of mined BTC paid to the mining pool.
    pub pool_fee_share: f64,
    /// Non-energy operating cost, USD per MWh consumed (the hurdle above the tariff).
    pub opex_usd_per_mwh: f64,
    /// Months to ramp the allocation linearly to full.
    pub ramp_months: u32,
    /// `"economic"` or `"take_or_pay"`.
    pub contract: Contract,
    /// Profit tax rate.
    pub profit_tax_rate: f64,
    /// Months from the start without profit tax.
    pub tax_holiday_months: u32,
    /// The tariff: a dated sequence of regimes.
    pub tariff: Vec<TariffStep>,
    /// Miners as investors (capital cost, entry, exit); absent: the allocation is built on the
    /// ramp at no capital cost and the whole fleet runs or idles together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investment: Option<Investment>,
    /// Miners who stop paying; absent: they always pay (at the fiscal collection rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<Credit>,
    /// Peak relief and its off-peak discount (absent: a flat draw at the tariff's price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interruptible: Option<interruptible::Interruptible>,
}

/// How the mining fleet is built, run and scrapped.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Investment {
    /// `"lookback"`: a tranche is committed when the trailing hashprice clears the hurdle;
    /// `"forward"`: when the network model's expected hashprice does; `"scheduled"`: tranches
    /// follow `ramp_months` whatever the margins (a contracted build).
    pub rule: EntryRule,
    /// Size of a tranche, MW (at most one committed a month under `"lookback"`).
    pub tranche_mw: f64,
    /// Months from commitment to the tranche's first month in service.
    pub build_months: u32,
    /// Months of hashprice averaged by the `"lookback"` rule (the current month included).
    pub lookback_months: u32,
    /// Rig price, USD per TH/s of a rig at the month's frontier efficiency.
    pub rig_usd_per_th: f64,
    /// Site capital cost (containers, transformers, substation share), USD per MW.
    pub infrastructure_usd_per_mw: f64,
    /// Months a rig is used before it is scrapped.
    pub rig_life_months: u32,
    /// Annual return investors require: the rate of the capital annuity in the hurdle.
    pub hurdle_rate_annual: f64,
    /// A tranche whose median rig has not covered its running cost for this many months in a
    /// row is scrapped (0: never for that reason).
    pub exit_after_months: u32,
    /// Cost of restarting idle rigs, USD per MW restarted.
    pub restart_usd_per_mw: f64,
    /// Log standard deviation of rig efficiency (J/TH) within a tranche: rigs switch off one
    /// by one as margins fall instead of all at once (0: all at once).
    pub efficiency_spread: f64,
}

/// When miners commit capital.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryRule {
    /// When the trailing mean hashprice, expected to last the rig's life, covers the running
    /// cost and the capital.
    #[default]
    Lookback,
    /// When the hashprice the network's equilibrium model implies over the rig's life (the
    /// Bitcoin price held where it is, halvings included) covers them.
    Forward,
    /// On the ramp, whatever the margins.
    Scheduled,
}

/// Miners' security deposit and default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    /// Months of a full-draw bill held as a security deposit from each tranche's connection.
    pub deposit_months: f64,
    /// The miners stop paying after this many months in a row in which their margin after the
    /// capital annuity is negative.
    pub default_after_months: u32,
    /// Months of non-payment after which the distribution company disconnects the fleet.
    pub disconnect_after_months: u32,
}

/// AI data centres.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Datacenters {
    /// Months to ramp the allocation linearly to full.
    pub ramp_months: u32,
    /// Taxable profit per MWh consumed, USD.
    pub profit_usd_per_mwh: f64,
    /// Profit tax rate.
    pub profit_tax_rate: f64,
    /// Months from the start without profit tax.
    pub tax_holiday_months: u32,
    /// The tariff: a dated sequence of regimes.
    pub tariff: Vec<TariffStep>,
    /// Capital invested per MW of allocation connected (the facility: shell, power and
    /// cooling), USD: the data centres' foreign direct investment. 0 when not given.
    #[serde(default)]
    pub capex_usd_per_mw: f64,
    /// Uncertain take-up; absent: the whole allocation arrives on the ramp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takeup: Option<Takeup>,
}

/// Whether and when the data centres come: the allocation in tranches, each arriving or not.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Takeup {
    /// Size of a tranche, MW (the last one takes what is left of the allocation).
    pub tranche_mw: f64,
    /// Probability that a tranche arrives within the horizon.
    pub probability: f64,
    /// Correlation of the tranches' arrivals (a common factor in a Gaussian copula): 0
    /// independent, 1 all or none.
    pub correlation: f64,
    /// First month (0-based, from the start) in which a tranche can connect.
    pub earliest_month: u32,
    /// Last month in which a tranche can connect; arrival months are uniform in between.
    pub latest_month: u32,
    /// The path's load factor is uniform between this and `load_factor_high`.
    pub load_factor_low: f64,
    /// Upper end of the load factor's range.
    pub load_factor_high: f64,
}
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserve {
    /// BTC held at the start.
    pub initial_btc: f64,
    /// Share of BTC mined under the allocation delivered to the reserve.
    pub levy_share: f64,
    /// BTC bought at market each month, USD.
    pub purchase_usd_per_month: f64,
    /// What becomes of the BTC the policy adds: `"hold"` (a balance-sheet asset, reported apart
    /// and kept out of the fiscal NPV) or `"sell_at_horizon"` (sold at the last month's price:
    /// the proceeds enter the NPV).
    pub disposal: Disposal,
}

/// What becomes of the reserve's BTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// Held: never sold within the horizon.
    #[default]
    Hold,
    /// Sold at the last month's price.
    SellAtHorizon,
}

/// Taxes and surcharges on the new loads' bills and investment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxes {
    /// General sales tax on electricity bills (share of the bill before tax).
    pub sales_tax_rate: f64,
    /// Provincial electricity duty (share of the bill before tax).
    pub electricity_duty_rate: f64,
    /// Share of the sales tax the miners reclaim as input tax.
    pub mining_input_credit_share: f64,
    /// Share of the sales tax the data centres reclaim as input tax.
    pub datacenters_input_credit_share: f64,
    /// Debt-service surcharge on energy outside the incremental package, PKR/kWh.
    pub debt_service_surcharge_pkr_per_kwh: f64,
    /// Last month the surcharge is levied (absent: the whole horizon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debt_service_surcharge_until: Option<YearMonth>,
    /// Super tax on profits, on top of each load's profit tax rate.
    pub super_tax_rate: f64,
    /// Customs duty on imported equipment that the allocation exempts (a tax expenditure at
    /// entry), share of its value.
    pub customs_duty_rate: f64,
    /// Imported equipment per MW of miners brought in, USD.
    pub mining_equipment_usd_per_mw: f64,
    /// Imported equipment per MW of data centres brought in, USD.
    pub datacenters_equipment_usd_per_mw: f64,
}

/// The state's accounts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fiscal {
    /// Share of billed electricity actually collected.
    pub collection_rate: f64,
    /// Network losses between generation and the new loads.
    pub td_loss_share: f64,
    /// Nominal annual discount rate of the net present value. Absent: the real rate of
    /// [`Economy`] compounded with inflation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_rate_annual: Option<f64>,
}

/// Who pays the gap between the new loads' generation cost and what they pay.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incidence {
    /// Share the budget pays as a subsidy (up to its envelope; the rest becomes circular debt).
    pub budget_share: f64,
    /// Share charged to the other consumers through their tariffs.
    pub consumers_share: f64,
    /// Share left as circular debt. The three shares sum to one.
    pub circular_debt_share: f64,
    /// The budget's subsidy envelope for the allocation, PKR a fiscal year (absent: none).
    #[serde(default = "infinite", skip_serializing_if = "is_infinite")]
    pub budget_envelope_pkr_per_fiscal_year: f64,
    /// Electricity sold to the existing consumers per MWh of their load at the generation side
    /// (one minus the system's transmission and distribution losses): the base of their Rs/kWh.
    pub base_sales_per_mwh_of_load: f64,
}

fn infinite() -> f64 {
    f64::INFINITY
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_infinite(x: &f64) -> bool {
    x.is_infinite()
}

/// Prices and output: a deterministic macro path against which money is deflated and scaled.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Economy {
    /// Pakistan's consumer-price inflation, per year.
    pub inflation_annual: f64,
    /// US consumer-price inflation, per year.
    pub us_inflation_annual: f64,
    /// Premium of the rupee's log depreciation over the inflation differential, per year.
    pub fx_risk_premium_annual: f64,
    /// Real discount rate, per year.
    pub real_discount_rate_annual: f64,
    /// Nominal GDP of the fiscal year in which the run starts, PKR.
    pub gdp_pkr: f64,
    /// Shadow price of carbon, USD per tonne of CO2: an economic cost, apart from the fiscal one.
    pub shadow_carbon_price_usd_per_tco2: f64,
    /// Real GDP growth, per year.
    pub real_gdp_growth_annual: f64,
}

impl Economy {
    /// The drift of the log exchange rate that the inflation differential implies (relative
    /// purchasing power plus the premium), per year: `ln((1 + pi) / (1 + pi_us)) + premium`.
    #[must_use]
    pub fn fx_log_drift_annual(&self) -> f64 {
        ((1.0 + self.inflation_annual) / (1.0 + self.us_inflation_annual)).ln() + self.fx_risk_premium_annual
    }

    /// The nominal discount rate: the real rate compounded with inflation.
    #[must_use]
    pub fn nominal_discount_rate_annual(&self) -> f64 {
        (1.0 + self.real_discount_rate_annual) * (1.0 + self.inflation_annual) - 1.0
    }
}

/// Grid power allocated to Bitcoin mining and AI data centres.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// Power allocated to Bitcoin miners, MW (drawn flat in every hour).
    pub mining_mw: f64,
    /// Power allocated to AI data centres, MW.
    pub datacenter_mw: f64,
    /// Average draw of the data centres as a share of their allocation.
    pub datacenter_load_factor: f64,
}

/// Name and description of a scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short identifier.
    pub name: String,
    /// Free text.
    pub description: String,
}

/// Time frame of the simulation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// First simulated month.
    pub start: YearMonth,
    /// Number of simulated months.
    pub horizon_months: u32,
}

/// Grid demand: trend x month-of-year seasonality x mean-one AR(1) factor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// Annual-average load at the start, MW.
    pub base_load_mw: f64,
    /// Trend growth of load, per year (continuously compounded).
    pub growth_annual: f64,
    /// Relative load of each calendar month, January first; normalised to mean one.
    pub seasonality: Vec<f64>,
    /// Monthly autocorrelation of the log demand shock.
    pub ar1_phi: f64,
    /// Monthly innovation standard deviation of the log demand shock.
    pub ar1_sigma: f64,
}

/// A mean-reverting (Schwartz one-factor) log price.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanReverting {
    /// Price in the first month, in the fuel's unit.
    pub price0: f64,
    /// Long-run median price the log price reverts to, same unit.
    pub long_run: f64,
    /// Speed of mean reversion of the log price, per year (half-life = ln 2 / this).
    pub mean_reversion_annual: f64,
    /// Volatility of the log price, per square-root year.
    pub vol_annual: f64,
}

/// LNG pricing: a slope on Brent (oil-indexed contract) or its own mean-reverting process.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lng {
    /// `"brent_slope"` or `"own"`.
    pub mode: LngMode,
    /// USD/MMBtu per USD/bbl of Brent (brent_slope mode).
    pub slope: f64,
    /// Constant added to the slope price, USD/MMBtu (brent_slope mode).
    pub constant_usd_per_mmbtu: f64,
    /// Months of Brent averaged by the contract formula (brent_slope mode).
    pub averaging_months: u32,
    /// Own process in USD/MMBtu (own mode).
    pub own: MeanReverting,
}

/// How the LNG price is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LngMode {
    /// Slope x moving average of Brent + constant.
    #[default]
    BrentSlope,
    /// Its own mean-reverting process, driven by the `lng` factor.
    Own,
}

/// Fuel prices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fuels {
    /// Brent crude, USD/bbl.
    pub oil: MeanReverting,
    /// LNG delivered, USD/MMBtu.
    pub lng: Lng,
    /// Imported coal, USD/t.
    pub coal: MeanReverting,
}

/// A jump-diffusion in log space (Merton): shared by the exchange rate and the Bitcoin price.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JumpDiffusion {
    /// Expected growth rate of the level, per year, jumps included: `E[X_t] = X_0 exp(drift t)`.
    pub drift_annual: f64,
    /// Diffusion volatility of the log level, per square-root year.
    pub vol_annual: f64,
    /// Expected number of jumps per year.
    pub jump_intensity_annual: f64,
    /// Mean of one jump in the log level.
    pub jump_mean: f64,
    /// Standard deviation of one jump in the log level.
    pub jump_sd: f64,
}

/// Exchange rate, PKR per USD.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fx {
    /// Rate in the first month, PKR per USD.
    pub rate0_pkr_per_usd: f64,
    /// Expected depreciation per year, jumps included (`E[rate_t] = rate_0 exp(drift t)`).
    /// Absent: the inflation differential of [`Economy`] plus its premium.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_annual: Option<f64>,
    /// Diffusion volatility of the log rate, per square-root year.
    pub vol_annual: f64,
    /// Expected number of devaluation jumps per year.
    pub jump_intensity_annual: f64,
    /// Mean of one jump in the log rate.
    pub jump_mean: f64,
    /// Standard deviation of one jump in the log rate.
    pub jump_sd: f64,
}

/// Bitcoin price, USD.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bitcoin {
    /// Price in the first month, USD.
    pub price0_usd: f64,
    /// Its jump-diffusion.
    #[serde(flatten)]
    pub process: JumpDiffusion,
    /// `"normal"` or `"student_t"` diffusion shocks.
    pub returns: Returns,
    /// Degrees of freedom of Student-t shocks (used when `returns = "student_t"`).
    pub t_dof: f64,
}

/// Distribution of the Bitcoin diffusion shocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Returns {
    /// Gaussian shocks (Merton).
    #[default]
    Normal,
    /// Unit-variance Student-t shocks: same variance, fatter tails.
    StudentT,
}

/// Network hashrate, block height and transaction fees.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// How hashrate moves: `"trend"` (a trend plus an elasticity to revenue) or
    /// `"equilibrium"` (error correction towards the hashrate at which mining breaks even).
    #[serde(default)]
    pub model: NetworkModel,
    /// Hashrate in the first month, EH/s.
    pub hashrate0_ehs: f64,
    /// Trend model: growth of hashrate, per year (continuously compounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_annual: Option<f64>,
    /// Trend model: elasticity of hashrate to miners' USD revenue per block (price x subsidy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_elasticity: Option<f64>,
    /// Equilibrium model: its parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equilibrium: Option<NetworkEquilibrium>,
    /// Months before hashrate responds to a revenue change.
    pub response_lag_months: u32,
    /// Monthly autocorrelation of the log hashrate noise.
    pub noise_phi: f64,
    /// Monthly innovation standard deviation of the log hashrate noise.
    pub noise_sigma: f64,
    /// Block height at the start of the first month.
    pub block_height0: u64,
    /// Mean transaction fees as a share of the block subsidy.
    pub fee_share_mean: f64,
    /// Log standard deviation of the monthly fee share (lognormal, mean-preserving).
    pub fee_share_sigma: f64,
}

/// How the network's hashrate moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkModel {
    /// `ln H = ln H0 + g t + eta (ln R_{t-L} - ln R_0) + x`: a trend and an elasticity.
    #[default]
    Trend,
    /// Error correction towards the break-even hashrate of the network-average rig.
    Equilibrium,
}

/// The free-entry network: hashrate moves each month a share of the way towards the level at
/// which the network-average rig spends `electricity_share` of the network's revenue on
/// electricity at `electricity_usd_per_mwh`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkEquilibrium {
    /// Share of the gap to the break-even hashrate closed each month.
    pub adjustment_per_month: f64,
    /// Average electricity price the world's miners pay, USD/MWh.
    pub electricity_usd_per_mwh: f64,
    /// Share of the network's revenue spent on electricity at break-even.
    pub electricity_share: f64,
    /// Network-average rig efficiency in the first month, J/TH.
    pub efficiency0_j_per_th: f64,
    /// Continuous annual rate at which the network-average J/TH falls.
    pub efficiency_improvement_annual: f64,
}

/// Hydro availability: a mean-one AR(1) factor scaling hydro output (droughts are runs of
/// low values).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hydro {
    /// Monthly autocorrelation of the log availability.
    pub ar1_phi: f64,
    /// Monthly innovation standard deviation of the log availability.
    pub ar1_sigma: f64,
}

/// Correlation of the monthly factor shocks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// Factor names, exactly [`FACTORS`] in that order (written out so files are readable).
    pub factors: Vec<String>,
    /// Symmetric, unit-diagonal, positive semi-definite matrix.
    pub matrix: Vec<Vec<f64>>,
}

/// A class of identical generating units.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechClass {
    /// Unique name, e.g. `"rlng_ccgt"`.
    pub name: String,
    /// Number of units.
    pub units: u32,
    /// Capacity of one unit, MW.
    pub unit_mw: f64,
    /// Probability that a unit is on forced outage in any hour.
    pub forced_outage_rate: f64,
    /// Heat rate, MMBtu per MWh (0 for hydro, wind, solar).
    pub heat_rate_mmbtu_per_mwh: f64,
    /// One of [`FUELS`].
    pub fuel: String,
    /// Fuel price for `fuel = "fixed"`, USD/MMBtu (ignored otherwise).
    pub fixed_fuel_usd_per_mmbtu: f64,
    /// CO2 emitted per MMBtu of fuel burned, tonnes (on the heat rate's basis).
    pub co2_t_per_mmbtu: f64,
    /// Variable operation and maintenance cost, USD/MWh.
    pub vom_usd_per_mwh: f64,
    /// Whether the class is dispatched ahead of the merit order.
    pub must_run: bool,
    /// One of [`PROFILES`]: output follows that capacity-factor profile (hydro also scales with
    /// the hydro-availability driver); `"none"` for dispatchable classes.
    pub profile: String,
    /// First month in service (in service from the start if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<YearMonth>,
    /// First month out of service (never retires within the horizon if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retire: Option<YearMonth>,
    /// Monthly fuel energy limits (absent: fuel is never short).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_limit: Option<shedding::FuelLimit>,
}

// Allowed ranges. They are wide enough for any plausible world and narrow enough to catch unit
// mistakes (a volatility of 50 instead of 0.5, MW given in kW).
const VOL: Range = Range::closed(0.0, 3.0);
const GROWTH: Range = Range::closed(-0.5, 1.0);
const PHI: Range = Range::closed(-0.99, 0.99);
const SIGMA_MONTHLY: Range = Range::closed(0.0, 1.0);
const KAPPA: Range = Range::closed(0.0, 20.0);

fn read_mean_reverting(t: &mut Table<'_, '_>, hi: f64) -> MeanReverting {
    MeanReverting {
        price0: t.f64("price0", Range::above(0.0, hi)),
        long_run: t.f64("long_run", Range::above(0.0, hi)),
        mean_reversion_annual: t.f64("mean_reversion_annual", KAPPA),
        vol_annual: t.f64("vol_annual", VOL),
    }
}

/// Smallest positive jump intensity, per year (one jump in a billion years): anything smaller
/// is a unit mistake or meant as zero.
pub const MIN_JUMP_INTENSITY_ANNUAL: f64 = 1e-9;

/// Reads a jump-diffusion; `without_drift` when the drift was read (or derived) elsewhere.
fn read_jump_diffusion(t: &mut Table<'_, '_>, without_drift: bool) -> JumpDiffusion {
    let drift_annual = if without_drift {
        0.0
    } else {
        t.f64("drift_annual", Range::closed(-1.0, 1.0))
    };
    let vol_annual = t.f64("vol_annual", VOL);
    let jump_intensity_annual = t.f64("jump_intensity_annual", Range::closed(0.0, 52.0));
    if jump_intensity_annual > 0.0 && jump_intensity_annual < MIN_JUMP_INTENSITY_ANNUAL {
        t.problem(
            "jump_intensity_annual",
            format!("{jump_intensity_annual:?}"),
            format!("must be 0 (no jumps) or in [{MIN_JUMP_INTENSITY_ANNUAL:e}, 52] jumps per year"),
        );
    }
    JumpDiffusion {
        drift_annual,
        vol_annual,
        jump_intensity_annual,
        jump_mean: t.f64("jump_mean", Range::closed(-2.0, 2.0)),
        jump_sd: t.f64("jump_sd", Range::closed(0.0, 2.0)),
    }
}

fn read_investment(t: &mut Table<'_, '_>) -> Investment {
    Investment {
        rule: [EntryRule::Lookback, EntryRule::Forward, EntryRule::Scheduled]
            [t.choice("rule", &["lookback", "forward", "scheduled"])],
        tranche_mw: t.f64("tranche_mw", Range::above(0.0, 100_000.0)),
        build_months: t.int("build_months", 0, 60) as u32,
        lookback_months: t.int("lookback_months", 1, 60) as u32,
        rig_usd_per_th: t.f64("rig_usd_per_th", Range::closed(0.0, 1_000.0)),
        infrastructure_usd_per_mw: t.f64("infrastructure_usd_per_mw", Range::closed(0.0, 1.0e8)),
        rig_life_months: t.int("rig_life_months", 1, 240) as u32,
        hurdle_rate_annual: t.f64("hurdle_rate_annual", Range::closed(0.0, 1.0)),
        exit_after_months: t.int("exit_after_months", 0, 120) as u32,
        restart_usd_per_mw: t.f64("restart_usd_per_mw", Range::closed(0.0, 1.0e6)),
        efficiency_spread: t.f64("efficiency_spread", Range::closed(0.0, 2.0)),
    }
}

impl Scenario {
    /// Reads and validates a scenario, reporting every problem at once.
    ///
    /// # Errors
    /// [`GridRiskError::Scenario`] listing each invalid, missing or unknown field.
    pub fn from_value(doc: &Value) -> Result<Self> {
        let declared = uncertain::inline(doc);
        Self::validate(declared.as_ref().unwrap_or(doc), None)
    }

    /// [`Scenario::from_value`] of a document that differs from `unchanged`'s only under its
    /// changed keys and holds no distribution in place of a number: the same scenario or the
    /// same problems, reading only the sections that may differ.
    ///
    /// # Errors
    /// As [`Scenario::from_value`].
    pub(crate) fn from_value_near(doc: &Value, unchanged: &Unchanged<'_>) -> Result<Self> {
        Self::validate(doc, Some(unchanged))
    }

    fn validate(doc: &Value, unchanged: Option<&Unchanged<'_>>) -> Result<Self> {
        let issues = Issues::default();
        let mut root = Table::root(doc, &issues);
        let sc = read(&mut root, unchanged);
        root.finish();
        // The matrix is checked whenever it was read whole, so that its problems are reported
        // together with every other field's, not only once the rest is valid. An unchanged one
        // passed already.
        if !unchanged.is_some_and(|u| u.keeps("correlation", &[])) {
            check_correlation(&sc.correlation.matrix, &issues);
        }
        if issues.is_empty() {
            check_relations(&sc, &issues);
        }
        if issues.is_empty() && !sc.uncertain.is_empty() {
            let point = point_document(doc);
            uncertain::check(&point, &sc.uncertain, &issues, |d| match Self::from_value(d) {
                Ok(_) => Vec::new(),
                Err(GridRiskError::Scenario(found)) => found,
                Err(e) => vec![crate::error::Issue {
                    field: "(scenario)".into(),
                    value: String::new(),
                    message: e.to_string(),
                }],
            });
        }
        if issues.is_empty() {
            Ok(sc)
        } else {
            Err(GridRiskError::Scenario(issues.into_vec()))
        }
    }

    /// Parses and validates TOML text.
    ///
    /// # Errors
    /// [`GridRiskError::Scenario`] for a syntax error (with line and column) or invalid fields.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e
                .span()
                .map(|s| line_col(text, s.start))
                .map(|(l, c)| format!("line {l}, column {c}"))
                .unwrap_or_default();
            GridRiskError::Scenario(vec![crate::error::Issue {
                field: "(toml)".into(),
                value: at,
                message: format!("not valid TOML: {}", e.message()),
            }])
        })?;
        Self::from_value(&Value::from_toml(toml::Value::Table(doc)))
    }

    /// The scenario as TOML text; [`Scenario::from_toml_str`] reads it back to an equal scenario.
    ///
    /// # Panics
    /// Never for a validated scenario (all fields are TOML-representable).
    #[must_use]
    pub fn to_toml_string(&self) -> String {
        toml::to_string_pretty(self).expect("every scenario field is TOML-representable")
    }

    /// The scenario as a generic TOML value (for conversion to a Python dict).
    #[must_use]
    pub fn to_toml_value(&self) -> toml::Value {
        toml::Value::try_from(self).expect("every scenario field is TOML-representable")
    }

    /// Number of simulated months.
    #[must_use]
    pub fn months(&self) -> usize {
        self.simulation.horizon_months as usize
    }

    /// The exchange rate's expected depreciation (the drift of [`crate::drivers::fx`]):
    /// declared, or the inflation differential plus its premium as the drift of the log rate,
    /// plus the convexity of the rate's volatility and jumps, `σ²/2 + λ(e^(μ + s²/2) - 1 - μ)`,
    /// so that the median path depreciates at the differential plus the premium.
    #[must_use]
    pub fn fx_drift_annual(&self) -> f64 {
        self.fx.drift_annual.unwrap_or_else(|| {
            let f = &self.fx;
            let jumps = f.jump_intensity_annual * ((f.jump_mean + 0.5 * f.jump_sd * f.jump_sd).exp_m1() - f.jump_mean);
            self.economy.fx_log_drift_annual() + 0.5 * f.vol_annual * f.vol_annual + jumps
        })
    }

    /// The nominal discount rate: declared, or the real rate compounded with inflation.
    #[must_use]
    pub fn discount_rate_annual(&self) -> f64 {
        self.fiscal
            .discount_rate_annual
            .unwrap_or_else(|| self.economy.nominal_discount_rate_annual())
    }
}

/// The document without its `uncertain` list: the scenario every path starts from.
#[must_use]
pub fn point_document(doc: &Value) -> Value {
    let mut d = doc.clone();
    if let Value::Table(m) = &mut d {
        m.remove("uncertain");
    }
    d
}

fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A validated scenario and the top-level keys of its document under which another document
/// may differ from it. Reading is a function of the values read, so a section under any other
/// key reads as it did: to the same value, with no problem; [`read`] copies it instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unchanged<'a> {
    /// The scenario of the unchanged document (valid).
    pub scenario: &'a Scenario,
    /// The keys whose sections may differ.
    pub changed: &'a [String],
    /// When `fleet` is changed only within entries, those entries (ascending); the others read
    /// as before, like an unchanged section.
    pub fleet: Option<&'a [usize]>,
}

impl Unchanged<'_> {
    /// Whether the section under `key` reads as before: neither it nor a section its reading
    /// looks at (`reads`) may differ.
    fn keeps(&self, key: &str, reads: &[&str]) -> bool {
        !self.changed.iter().any(|c| c == key || reads.contains(&c.as_str()))
    }
}

/// The unchanged scenario when the section under `key` reads as before, the key then marked as
/// read; `None` when it must be read.
fn kept<'s>(
    unchanged: Option<&Unchanged<'s>>,
    root: &mut Table<'_, '_>,
    key: &'static str,
    reads: &[&str],
) -> Option<&'s Scenario> {
    let u = unchanged.filter(|u| u.keeps(key, reads))?;
    root.skip(key);
    Some(u.scenario)
}

fn read(root: &mut Table<'_, '_>, unchanged: Option<&Unchanged<'_>>) -> Scenario {
    let meta = if let Some(s) = kept(unchanged, root, "meta", &[]) {
        s.meta.clone()
    } else {
        let mut t = root.table("meta");
        let meta = Meta {
            name: t.string("name"),
            description: t.string("description"),
        };
        t.finish();
        meta
    };

    let simulation = if let Some(s) = kept(unchanged, root, "simulation", &[]) {
        s.simulation.clone()
    } else {
        let mut t = root.table("simulation");
        let simulation = Simulation {
            start: t.parsed("start", str::parse::<YearMonth>),
            horizon_months: t.int("horizon_months", 1, i64::from(MAX_HORIZON_MONTHS)) as u32,
        };
        t.finish();
        simulation
    };

    let demand = if let Some(s) = kept(unchanged, root, "demand", &[]) {
        s.demand.clone()
    } else {
        let mut t = root.table("demand");
        let demand = Demand {
            base_load_mw: t.f64("base_load_mw", Range::above(0.0, 1.0e6)),
            growth_annual: t.f64("growth_annual", GROWTH),
            seasonality: t.f64_list("seasonality", Range::above(0.0, 10.0), Some(12)),
            ar1_phi: t.f64("ar1_phi", PHI),
            ar1_sigma: t.f64("ar1_sigma", SIGMA_MONTHLY),
        };
        t.finish();
        demand
    };

    let fuel = if let Some(s) = kept(unchanged, root, "fuel", &[]) {
        s.fuel.clone()
    } else {
        let mut f = root.table("fuel");
        let mut t = f.table("oil");
        let oil = read_mean_reverting(&mut t, 1000.0);
        t.finish();
        let mut t = f.table("lng");
        let mode = [LngMode::BrentSlope, LngMode::Own][t.choice("mode", &["brent_slope", "own"])];
        let slope = t.f64("slope", Range::closed(0.0, 1.0));
        let constant_usd_per_mmbtu = t.f64("constant_usd_per_mmbtu", Range::closed(-10.0, 50.0));
        let averaging_months = t.int("averaging_months", 1, 24) as u32;
        let mut o = t.table("own");
        let own = read_mean_reverting(&mut o, 200.0);
        o.finish();
        t.finish();
        let lng = Lng {
            mode,
            slope,
            constant_usd_per_mmbtu,
            averaging_months,
            own,
        };
        let mut t = f.table("coal");
        let coal = read_mean_reverting(&mut t, 2000.0);
        t.finish();
        f.finish();
        Fuels { oil, lng, coal }
    };

    let fx = if let Some(s) = kept(unchanged, root, "fx", &[]) {
        s.fx.clone()
    } else {
        let mut t = root.table("fx");
        let rate0_pkr_per_usd = t.f64("rate0_pkr_per_usd", Range::above(0.0, 1.0e5));
        let drift_annual = t.opt_f64("drift_annual", Range::closed(-1.0, 1.0));
        let j = read_jump_diffusion(&mut t, true);
        let fx = Fx {
            rate0_pkr_per_usd,
            drift_annual,
            vol_annual: j.vol_annual,
            jump_intensity_annual: j.jump_intensity_annual,
            jump_mean: j.jump_mean,
            jump_sd: j.jump_sd,
        };
        t.finish();
        fx
    };

    let bitcoin = if let Some(s) = kept(unchanged, root, "bitcoin", &[]) {
        s.bitcoin.clone()
    } else {
        let mut t = root.table("bitcoin");
        let bitcoin = Bitcoin {
            price0_usd: t.f64("price0_usd", Range::above(0.0, 1.0e8)),
            process: read_jump_diffusion(&mut t, false),
            returns: [Returns::Normal, Returns::StudentT][t.choice("returns", &["normal", "student_t"])],
            t_dof: t.f64("t_dof", Range::above(2.0, 1000.0)),
        };
        t.finish();
        bitcoin
    };

    let network = if let Some(s) = kept(unchanged, root, "network", &[]) {
        s.network.clone()
    } else {
        let mut t = root.table("network");
        let model = if t.optional("model").is_some() {
            [NetworkModel::Trend, NetworkModel::Equilibrium][t.choice("model", &["trend", "equilibrium"])]
        } else {
            NetworkModel::Trend
        };
        let network = Network {
            model,
            hashrate0_ehs: t.f64("hashrate0_ehs", Range::above(0.0, 1.0e7)),
            // Each model's parameters are required under it and left unread under the other, so
            // that a scenario switches model by `model` alone.
            growth_annual: match model {
                NetworkModel::Trend => Some(t.f64("growth_annual", GROWTH)),
                NetworkModel::Equilibrium => t.optional("growth_annual").and(None),
            },
            revenue_elasticity: match model {
                NetworkModel::Trend => Some(t.f64("revenue_elasticity", Range::closed(0.0, 3.0))),
                NetworkModel::Equilibrium => t.optional("revenue_elasticity").and(None),
            },
            equilibrium: match model {
                NetworkModel::Equilibrium => {
                    let mut e = t.table("equilibrium");
                    let out = NetworkEquilibrium {
                        adjustment_per_month: e.f64("adjustment_per_month", Range::above(0.0, 1.0)),
                        electricity_usd_per_mwh: e.f64("electricity_usd_per_mwh", Range::above(0.0, 1000.0)),
                        electricity_share: e.f64("electricity_share", Range::above(0.0, 1.0)),
                        efficiency0_j_per_th: e.f64("efficiency0_j_per_th", Range::above(1.0, 200.0)),
                        efficiency_improvement_annual: e.f64("efficiency_improvement_annual", Range::closed(0.0, 0.5)),
                    };
                    e.finish();
                    Some(out)
                }
                NetworkModel::Trend => t.optional("equilibrium").and(None),
            },
            response_lag_months: t.int("response_lag_months", 0, 36) as u32,
            noise_phi: t.f64("noise_phi", PHI),
            noise_sigma: t.f64("noise_sigma", SIGMA_MONTHLY),
            block_height0: t.int("block_height0", 0, 13_440_000) as u64,
            fee_share_mean: t.f64("fee_share_mean", Range::closed(0.0, 10.0)),
            fee_share_sigma: t.f64("fee_share_sigma", Range::closed(0.0, 3.0)),
        };
        t.finish();
        network
    };

    let hydro = if let Some(s) = kept(unchanged, root, "hydro", &[]) {
        s.hydro.clone()
    } else {
        let mut t = root.table("hydro");
        let hydro = Hydro {
            ar1_phi: t.f64("ar1_phi", PHI),
            ar1_sigma: t.f64("ar1_sigma", SIGMA_MONTHLY),
        };
        t.finish();
        hydro
    };

    let correlation = if let Some(s) = kept(unchanged, root, "correlation", &[]) {
        s.correlation.clone()
    } else {
        let mut t = root.table("correlation");
        let factors = t.string_list("factors");
        let matrix = t.matrix("matrix", Range::closed(-1.0, 1.0), N_FACTORS);
        // The names label the matrix's rows (an empty list would leave them unlabelled).
        if let Some(factors) = &factors
            && factors.iter().map(String::as_str).ne(FACTORS.iter().copied())
        {
            t.problem(
                "factors",
                format!("{factors:?}"),
                format!(
                    "must list the factors in this order: {}",
                    FACTORS.map(|f| format!("'{f}'")).join(", ")
                ),
            );
        }
        t.finish();
        Correlation {
            factors: factors.unwrap_or_default(),
            matrix,
        }
    };

    let grid = if let Some(s) = kept(unchanged, root, "grid", &[]) {
        s.grid.clone()
    } else {
        let mut g = root.table("grid");
        let load_shape = [LoadShape::RepresentativeDay, LoadShape::Hourly]
            [g.choice("load_shape", &["representative_day", "hourly"])];
        let day_shape = g.grid("day_shape", Range::closed(0.0, 10.0), 12, 24);
        let hourly_shape = g.opt_f64_list("hourly_shape", Range::closed(0.0, 1.0e9), &[8760, 8736]);
        if load_shape == LoadShape::Hourly && hourly_shape.is_none() && g.is_table() {
            g.problem(
                "hourly_shape",
                "missing",
                "required when load_shape = 'hourly' (8760 or 8736 values)",
            );
        }
        let mut cf = g.table("capacity_factors");
        let capacity_factors = CapacityFactors {
            hydro: cf.grid("hydro", Range::closed(0.0, 1.0), 12, 24),
            wind: cf.grid("wind", Range::closed(0.0, 1.0), 12, 24),
            solar: cf.grid("solar", Range::closed(0.0, 1.0), 12, 24),
        };
        cf.finish();
        let mut priority_given = false;
        let grid = Grid {
            load_shape,
            day_shape,
            hourly_shape,
            capacity_factors,
            oil_mmbtu_per_bbl: g.f64("oil_mmbtu_per_bbl", Range::closed(4.0, 8.0)),
            coal_mmbtu_per_t: g.f64("coal_mmbtu_per_t", Range::closed(10.0, 35.0)),
            capacity_step_mw: g.f64("capacity_step_mw", Range::closed(0.01, 100.0)),
            value_of_lost_load_usd_per_mwh: g.f64("value_of_lost_load_usd_per_mwh", Range::closed(0.0, 100_000.0)),
            curtailment_priority: g
                .string_list("curtailment_priority")
                .inspect(|_| priority_given = true)
                .unwrap_or_default(),
        };
        // Checked whenever a list of strings was given (an empty one too: the shortfall must fall
        // on some group first); a missing or mistyped list is already reported.
        if priority_given {
            let mut sorted = grid.curtailment_priority.clone();
            sorted.sort();
            let mut want: Vec<String> = LOAD_GROUPS.iter().map(|s| (*s).to_owned()).collect();
            want.sort();
            if sorted != want {
                g.problem(
                    "curtailment_priority",
                    format!("{:?}", grid.curtailment_priority),
                    "must list each of 'mining', 'households', 'datacenters' exactly once, first shed first",
                );
            }
        }
        g.finish();
        grid
    };

    let allocation = if let Some(s) = kept(unchanged, root, "allocation", &[]) {
        s.allocation.clone()
    } else {
        let mut t = root.table("allocation");
        let allocation = Allocation {
            mining_mw: t.f64("mining_mw", Range::closed(0.0, 100_000.0)),
            datacenter_mw: t.f64("datacenter_mw", Range::closed(0.0, 100_000.0)),
            datacenter_load_factor: t.f64("datacenter_load_factor", Range::closed(0.0, 1.0)),
        };
        t.finish();
        allocation
    };

    let mining = if let Some(s) = kept(unchanged, root, "mining", &[]) {
        s.mining.clone()
    } else {
        let mut t = root.table("mining");
        let mining = Mining {
            efficiency_j_per_th: t.f64("efficiency_j_per_th", Range::above(5.0, 100.0)),
            efficiency_improvement_annual: t.f64("efficiency_improvement_annual", Range::closed(0.0, 0.5)),
            pool_fee_share: t.f64("pool_fee_share", Range::closed(0.0, 0.2)),
            opex_usd_per_mwh: t.f64("opex_usd_per_mwh", Range::closed(0.0, 500.0)),
            ramp_months: t.int("ramp_months", 0, 120) as u32,
            contract: [Contract::Economic, Contract::TakeOrPay][t.choice("contract", &["economic", "take_or_pay"])],
            profit_tax_rate: t.f64("profit_tax_rate", Range::closed(0.0, 0.6)),
            tax_holiday_months: t.int("tax_holiday_months", 0, 600) as u32,
            tariff: tariff::read(&mut t, true),
            investment: t.opt_table("investment").map(|mut i| {
                let out = read_investment(&mut i);
                i.finish();
                out
            }),
            credit: t.opt_table("credit").map(|mut c| {
                let out = Credit {
                    deposit_months: c.f64("deposit_months", Range::closed(0.0, 24.0)),
                    default_after_months: c.int("default_after_months", 1, 120) as u32,
                    disconnect_after_months: c.int("disconnect_after_months", 1, 120) as u32,
                };
                c.finish();
                out
            }),
            interruptible: t.opt_table("interruptible").map(|mut i| {
                let out = interruptible::read(&mut i);
                i.finish();
                out
            }),
        };
        t.finish();
        mining
    };
    if mining.investment.as_ref().is_some_and(|i| i.rule == EntryRule::Forward)
        && network.model != NetworkModel::Equilibrium
    {
        root.problem(
            "mining.investment.rule",
            "'forward'",
            "the forward rule forecasts hashprice with the network's equilibrium model: set network.model = 'equilibrium' or use 'lookback'",
        );
    }
    let datacenters = if let Some(s) = kept(unchanged, root, "datacenters", &[]) {
        s.datacenters.clone()
    } else {
        let mut t = root.table("datacenters");
        let datacenters = Datacenters {
            ramp_months: t.int("ramp_months", 0, 120) as u32,
            profit_usd_per_mwh: t.f64("profit_usd_per_mwh", Range::closed(0.0, 1000.0)),
            profit_tax_rate: t.f64("profit_tax_rate", Range::closed(0.0, 0.6)),
            tax_holiday_months: t.int("tax_holiday_months", 0, 600) as u32,
            tariff: tariff::read(&mut t, false),
            capex_usd_per_mw: t.opt_f64("capex_usd_per_mw", Range::closed(0.0, 1.0e9)).unwrap_or(0.0),
            takeup: t.opt_table("takeup").map(|mut u| {
                let out = Takeup {
                    tranche_mw: u.f64("tranche_mw", Range::above(0.0, 100_000.0)),
                    probability: u.f64("probability", Range::closed(0.0, 1.0)),
                    correlation: u.f64("correlation", Range::closed(0.0, 1.0)),
                    earliest_month: u.int("earliest_month", 0, i64::from(MAX_HORIZON_MONTHS)) as u32,
                    latest_month: u.int("latest_month", 0, i64::from(MAX_HORIZON_MONTHS)) as u32,
                    load_factor_low: u.f64("load_factor_low", Range::closed(0.0, 1.0)),
                    load_factor_high: u.f64("load_factor_high", Range::closed(0.0, 1.0)),
                };
                if out.latest_month < out.earliest_month {
                    u.problem(
                        "latest_month",
                        out.latest_month.to_string(),
                        format!("must not be before earliest_month ({})", out.earliest_month),
                    );
                }
                if out.load_factor_high < out.load_factor_low {
                    u.problem(
                        "load_factor_high",
                        format!("{}", out.load_factor_high),
                        format!("must not be below load_factor_low ({})", out.load_factor_low),
                    );
                }
                u.finish();
                out
            }),
        };
        t.finish();
        datacenters
    };
    let reserve = if let Some(s) = kept(unchanged, root, "reserve", &[]) {
        s.reserve.clone()
    } else {
        let mut t = root.table("reserve");
        let reserve = Reserve {
            initial_btc: t.f64("initial_btc", Range::closed(0.0, 1.0e6)),
            levy_share: t.f64("levy_share", Range::closed(0.0, 1.0)),
            purchase_usd_per_month: t.f64("purchase_usd_per_month", Range::closed(0.0, 1.0e9)),
            disposal: [Disposal::Hold, Disposal::SellAtHorizon][t.choice("disposal", &["hold", "sell_at_horizon"])],
        };
        t.finish();
        reserve
    };
    let taxes = if let Some(s) = kept(unchanged, root, "taxes", &[]) {
        s.taxes.clone()
    } else {
        let mut t = root.table("taxes");
        let share = Range::closed(0.0, 1.0);
        let taxes = Taxes {
            sales_tax_rate: t.f64("sales_tax_rate", share),
            electricity_duty_rate: t.f64("electricity_duty_rate", share),
            mining_input_credit_share: t.f64("mining_input_credit_share", share),
            datacenters_input_credit_share: t.f64("datacenters_input_credit_share", share),
            debt_service_surcharge_pkr_per_kwh: t.f64("debt_service_surcharge_pkr_per_kwh", Range::closed(0.0, 100.0)),
            debt_service_surcharge_until: t.opt_parsed("debt_service_surcharge_until", str::parse::<YearMonth>),
            super_tax_rate: t.f64("super_tax_rate", Range::closed(0.0, 0.5)),
            customs_duty_rate: t.f64("customs_duty_rate", share),
            mining_equipment_usd_per_mw: t.f64("mining_equipment_usd_per_mw", Range::closed(0.0, 1.0e9)),
            datacenters_equipment_usd_per_mw: t.f64("datacenters_equipment_usd_per_mw", Range::closed(0.0, 1.0e9)),
        };
        t.finish();
        taxes
    };
    let fiscal = if let Some(s) = kept(unchanged, root, "fiscal", &[]) {
        s.fiscal.clone()
    } else {
        let mut t = root.table("fiscal");
        let fiscal = Fiscal {
            collection_rate: t.f64("collection_rate", Range::closed(0.0, 1.0)),
            td_loss_share: t.f64("td_loss_share", Range::closed(0.0, 0.5)),
            discount_rate_annual: t.opt_f64("discount_rate_annual", Range::closed(-0.05, 0.5)),
        };
        t.finish();
        fiscal
    };
    for (table, steps) in [("mining", &mining.tariff), ("datacenters", &datacenters.tariff)] {
        if let Some(from) = steps.first().and_then(|s| s.from)
            && from > simulation.start
        {
            root.problem(
                &format!("{table}.tariff[0].from"),
                format!("'{from}'"),
                format!(
                    "the first regime applies from the start ('{}'): leave out its from, or make it no later",
                    simulation.start
                ),
            );
        }
    }
    let revenue_share = mining
        .tariff
        .iter()
        .map(|step| match step.regime {
            Regime::FloorPlusShare { revenue_share, .. } => revenue_share,
            _ => 0.0,
        })
        .fold(0.0, f64::max);
    if mining.pool_fee_share + reserve.levy_share + revenue_share > 1.0 {
        root.problem(
            "reserve.levy_share",
            format!("{}", reserve.levy_share),
            "pool fee, reserve levy and revenue share together take more than all mined BTC",
        );
    }
    let incidence = if let Some(s) = kept(unchanged, root, "incidence", &[]) {
        s.incidence.clone()
    } else {
        let mut t = root.table("incidence");
        let budget_share = t.f64("budget_share", Range::closed(0.0, 1.0));
        let consumers_share = t.f64("consumers_share", Range::closed(0.0, 1.0));
        let circular_debt_share = t.f64("circular_debt_share", Range::closed(0.0, 1.0));
        if t.is_table() && (budget_share + consumers_share + circular_debt_share - 1.0).abs() > 1e-9 {
            t.problem(
                "circular_debt_share",
                format!("{circular_debt_share:?}"),
                format!(
                    "budget_share + consumers_share + circular_debt_share must be 1, got {}",
                    budget_share + consumers_share + circular_debt_share
                ),
            );
        }
        let incidence = Incidence {
            budget_share,
            consumers_share,
            circular_debt_share,
            budget_envelope_pkr_per_fiscal_year: t
                .opt_f64("budget_envelope_pkr_per_fiscal_year", Range::closed(0.0, 1.0e15))
                .unwrap_or(f64::INFINITY),
            base_sales_per_mwh_of_load: t.f64("base_sales_per_mwh_of_load", Range::above(0.0, 1.0)),
        };
        t.finish();
        incidence
    };
    let economy = if let Some(s) = kept(unchanged, root, "economy", &[]) {
        s.economy.clone()
    } else {
        let mut t = root.table("economy");
        let economy = Economy {
            inflation_annual: t.f64("inflation_annual", Range::closed(-0.2, 1.0)),
            us_inflation_annual: t.f64("us_inflation_annual", Range::closed(-0.2, 1.0)),
            fx_risk_premium_annual: t.f64("fx_risk_premium_annual", Range::closed(-0.5, 0.5)),
            real_discount_rate_annual: t.f64("real_discount_rate_annual", Range::closed(-0.05, 0.5)),
            gdp_pkr: t.f64("gdp_pkr", Range::above(0.0, 1.0e18)),
            shadow_carbon_price_usd_per_tco2: t.f64("shadow_carbon_price_usd_per_tco2", Range::closed(0.0, 10_000.0)),
            real_gdp_growth_annual: t.f64("real_gdp_growth_annual", Range::closed(-0.2, 0.5)),
        };
        t.finish();
        economy
    };

    let read_class = |t: &mut Table<'_, '_>| TechClass {
        name: t.string("name"),
        units: t.int("units", 1, 100_000) as u32,
        unit_mw: t.f64("unit_mw", Range::above(0.0, 5_000.0)),
        forced_outage_rate: t.f64("forced_outage_rate", Range::below(0.0, 1.0)),
        heat_rate_mmbtu_per_mwh: t.f64("heat_rate_mmbtu_per_mwh", Range::closed(0.0, 50.0)),
        fuel: FUELS[t.choice("fuel", &FUELS)].to_owned(),
        fixed_fuel_usd_per_mmbtu: t.f64("fixed_fuel_usd_per_mmbtu", Range::closed(0.0, 200.0)),
        co2_t_per_mmbtu: t.f64("co2_t_per_mmbtu", Range::closed(0.0, 0.2)),
        vom_usd_per_mwh: t.f64("vom_usd_per_mwh", Range::closed(0.0, 1_000.0)),
        must_run: t.bool("must_run"),
        profile: PROFILES[t.choice("profile", &PROFILES)].to_owned(),
        commission: t.opt_parsed("commission", str::parse::<YearMonth>),
        retire: t.opt_parsed("retire", str::parse::<YearMonth>),
        fuel_limit: t.opt_table("fuel_limit").map(|mut l| {
            let out = shedding::read_fuel_limit(&mut l);
            l.finish();
            out
        }),
    };
    let fleet = if let Some(s) = kept(unchanged, root, "fleet", &[]) {
        s.fleet.clone()
    } else if let Some((s, only)) = unchanged.and_then(|u| Some((u.scenario, u.fleet?))) {
        // The fleet's checks across classes below still see every class.
        let mut fleet = s.fleet.clone();
        for (i, c) in root.tables_at("fleet", only, read_class) {
            fleet[i] = c;
        }
        fleet
    } else {
        root.tables("fleet", read_class)
    };
    for (i, c) in fleet.iter().enumerate() {
        if c.fuel_limit.is_some() && c.profile != "none" {
            root.problem(
                &format!("fleet[{i}].fuel_limit"),
                "a table",
                format!(
                    "only dispatchable classes (profile = \"none\") have fuel limits; this class follows the {} profile",
                    c.profile
                ),
            );
        }
    }
    let shedding = if let Some(s) = kept(unchanged, root, "shedding", &["simulation"]) {
        s.shedding.clone()
    } else {
        root.opt_table("shedding").map(|mut t| {
            let out = shedding::read(&mut t);
            if let Some(from) = out.deliverable.first().and_then(|s| s.from)
                && from > simulation.start
            {
                t.problem(
                    "deliverable[0].from",
                    format!("'{from}'"),
                    format!(
                        "the first limit applies from the start ('{}'): leave out its from, or make it no later",
                        simulation.start
                    ),
                );
            }
            t.finish();
            out
        })
    };
    let stress = root.opt_tables("stress", stress::read);
    let uncertain = root.opt_tables("uncertain", uncertain::read);
    let end = simulation.start.plus(simulation.horizon_months as usize);
    for (i, s) in stress.iter().enumerate() {
        if s.from < simulation.start || s.from >= end {
            root.problem(
                &format!("stress[{i}].from"),
                format!("'{}'", s.from),
                format!(
                    "must be a month of the horizon, '{}' to '{}'",
                    simulation.start,
                    simulation
                        .start
                        .plus((simulation.horizon_months as usize).saturating_sub(1))
                ),
            );
        }
        // Two windows on one driver would each start from a base the other moves.
        let overlaps = |a: &stress::Stress, b: &stress::Stress| {
            a.driver == b.driver && a.from < b.from.plus(b.months as usize) && b.from < a.from.plus(a.months as usize)
        };
        if let Some(j) = stress[..i].iter().position(|o| overlaps(o, s)) {
            root.problem(
                &format!("stress[{i}]"),
                format!("'{}' from '{}'", stress::STRESS_DRIVERS[s.driver as usize], s.from),
                format!("overlaps stress[{j}] on the same driver: windows on one driver must not overlap"),
            );
        }
    }
    if let Some(i) = stress.iter().position(|s| s.driver == stress::StressDriver::LngSupply)
        && !fleet.iter().any(|c| c.fuel == "lng" && c.fuel_limit.is_some())
    {
        root.problem(
            &format!("stress[{i}].driver"),
            "'lng_supply'",
            "scales the monthly volume of the LNG classes with a fuel_limit, and the fleet has none",
        );
    }
    for (i, c) in fleet.iter().enumerate() {
        if let (Some(a), Some(b)) = (c.commission, c.retire)
            && b <= a
        {
            root.problem(
                &format!("fleet[{i}].retire"),
                b.to_string(),
                format!("must be after commission ({a})"),
            );
        }
    }
    if fleet.is_empty() {
        root.problem(
            "fleet",
            "an empty list",
            "the fleet needs at least one technology class",
        );
    }
    for (i, c) in fleet.iter().enumerate() {
        if let Some(j) = fleet[..i].iter().position(|d| d.name == c.name) {
            root.problem(
                &format!("fleet[{i}].name"),
                format!("'{}'", c.name),
                format!("duplicate of fleet[{j}].name; names must be unique"),
            );
        }
    }

    Scenario {
        meta,
        simulation,
        demand,
        fuel,
        fx,
        bitcoin,
        network,
        hydro,
        correlation,
        grid,
        allocation,
        mining,
        datacenters,
        reserve,
        fiscal,
        taxes,
        incidence,
        economy,
        fleet,
        shedding,
        stress,
        uncertain,
    }
}

/// The correlation matrix: unit diagonal, symmetric, positive semi-definite. Skipped when the
/// matrix was not read whole (its shape or an entry already has a problem of its own).
#[allow(clippy::needless_range_loop)] // (i, j) are also the indices named in the messages
fn check_correlation(m: &[Vec<f64>], issues: &Issues) {
    let n = N_FACTORS;
    if m.len() != n || m.iter().any(|r| r.len() != n || r.iter().any(|x| !x.is_finite())) {
        return;
    }
    let before = issues.len();
    for i in 0..n {
        if (m[i][i] - 1.0).abs() > 1e-12 {
            issues.push(
                &format!("correlation.matrix[{i}][{i}]"),
                format!("{:?}", m[i][i]),
                "the diagonal must be 1",
            );
        }
        for j in 0..i {
            if (m[i][j] - m[j][i]).abs() > 1e-9 {
                issues.push(
                    &format!("correlation.matrix[{i}][{j}]"),
                    format!("{:?}", m[i][j]),
                    format!(
                        "must equal matrix[{j}][{i}] = {:?} (the matrix must be symmetric)",
                        m[j][i]
                    ),
                );
            }
        }
    }
    if issues.len() == before {
        let min_eig = correlation::min_eigenvalue(m);
        if min_eig < -1e-10 {
            issues.push(
                "correlation.matrix",
                format!("smallest eigenvalue {min_eig:.4}"),
                "must be positive semi-definite (all eigenvalues >= 0); no set of random variables has these correlations",
            );
        }
    }
}

/// Checks between fields, run once every field is individually valid.
fn check_relations(sc: &Scenario, issues: &Issues) {
    check_block_schedule(sc, issues);
    let total_mw: f64 = sc.fleet.iter().map(|c| f64::from(c.units) * c.unit_mw).sum();
    if total_mw > 2.0e6 {
        issues.push(
            "fleet",
            format!("{total_mw:.0} MW in total"),
            "total capacity must be at most 2,000,000 MW",
        );
    }
    check_grid(sc, issues);
}

/// The block schedule must stay below the height at which the subsidy reaches zero (64
/// halvings): the hashrate follows the subsidy in logs, and fees are a share of it.
fn check_block_schedule(sc: &Scenario, issues: &Issues) {
    let end = crate::calendar::LAST_SUBSIDY_HEIGHT;
    let blocks: f64 = (0..sc.months())
        .map(|k| f64::from(sc.simulation.start.plus(k).days()) * crate::calendar::BLOCKS_PER_DAY)
        .sum();
    let h0 = sc.network.block_height0;
    if h0 as f64 + blocks > end as f64 {
        let max = end.saturating_sub(blocks as u64);
        issues.push(
            "network.block_height0",
            h0.to_string(),
            format!(
                "the block schedule would pass height {end} (the 64th halving, after which the block subsidy is \
                 zero and the hashrate model is undefined) within the {}-month horizon, which adds {blocks:.0} blocks; \
                 at most {max} with this horizon",
                sc.months()
            ),
        );
    }
}

/// Checks that keep the power-system precomputation well defined and bounded.
fn check_grid(sc: &Scenario, issues: &Issues) {
    use crate::capacity::{MAX_ROWS, UnitClass, table_rows, unit_steps};
    let step = sc.grid.capacity_step_mw;
    let dispatchable: Vec<UnitClass> = sc
        .fleet
        .iter()
        .filter(|c| c.profile == "none")
        .map(|c| UnitClass {
            count: c.units,
            unit_mw: c.unit_mw,
            forced_outage_rate: c.forced_outage_rate,
        })
        .collect();
    // Exactly the rows the largest table (every dispatchable class in service) has.
    let table_len = table_rows(&dispatchable, step);
    if table_len > MAX_ROWS {
        issues.push(
            "grid.capacity_step_mw",
            format!("{step:?}"),
            format!("the outage table would have {table_len:.0} entries (at most 4,000,000): use a step of at least {:.1} MW", step * table_len / MAX_ROWS),
        );
    }
    for (i, c) in sc.fleet.iter().enumerate() {
        if c.profile == "none" && unit_steps(c.unit_mw, step) < 1.0 {
            issues.push(
                &format!("fleet[{i}].unit_mw"),
                format!("{:?}", c.unit_mw),
                format!(
                    "rounds to zero on the outage-table grid of grid.capacity_step_mw = {step} MW; use a smaller step"
                ),
            );
        }
    }
    for (m, row) in sc.grid.day_shape.iter().enumerate() {
        if row.iter().sum::<f64>() <= 0.0 {
            issues.push(
                &format!("grid.day_shape[{m}]"),
                "all zeros",
                "each month needs some load (a positive mean)",
            );
        }
    }
    if let Some(p) = &sc.grid.hourly_shape {
        // Each calendar month of the profile must carry some load, or its shape is undefined.
        let mut h = 0;
        for month in 1..=12u32 {
            let n = crate::calendar::YearMonth { year: 2001, month }.days() as usize * 24;
            if (h..h + n)
                .map(|i| p[crate::calendar::profile_index(i, p.len())])
                .sum::<f64>()
                <= 0.0
            {
                issues.push(
                    "grid.hourly_shape",
                    format!("month {month}"),
                    "every calendar month needs some load (a positive mean)",
                );
            }
            h += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset_toml() -> toml::Table {
        include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml")
            .parse()
            .expect("preset parses")
    }

    /// The fields of the problems found after `edit` changes the preset.
    fn problems(edit: impl FnOnce(&mut toml::Table)) -> Vec<Issue> {
        let mut doc = preset_toml();
        edit(&mut doc);
        match Scenario::from_value(&Value::from_toml(toml::Value::Table(doc))) {
            Ok(_) => Vec::new(),
            Err(GridRiskError::Scenario(issues)) => issues,
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    fn set(doc: &mut toml::Table, section: &str, key: &str, v: toml::Value) {
        doc[section]
            .as_table_mut()
            .expect("a section")
            .insert(key.to_owned(), v);
    }

    use crate::error::Issue;

    #[test]
    fn what_the_engine_cannot_run_is_refused() {
        let empty = || toml::Value::Array(Vec::new());
        let p = problems(|d| set(d, "grid", "curtailment_priority", empty()));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, "grid.curtailment_priority");
        let p = problems(|d| set(d, "correlation", "factors", empty()));
        assert_eq!(p[0].field, "correlation.factors");
        let p = problems(|d| set(d, "bitcoin", "jump_intensity_annual", toml::Value::Float(3e-323)));
        assert_eq!(p[0].field, "bitcoin.jump_intensity_annual");
        assert!(problems(|d| set(d, "fx", "jump_intensity_annual", toml::Value::Float(1e-9))).is_empty());
        assert!(problems(|d| set(d, "fx", "jump_intensity_annual", toml::Value::Float(0.0))).is_empty());
        let p = problems(|d| set(d, "network", "block_height0", toml::Value::Integer(13_440_000)));
        assert_eq!(p[0].field, "network.block_height0");
        assert!(p[0].message.contains("at most"), "{}", p[0].message);
        // A wrong type is reported once, as a type problem, not also as a bad permutation.
        let p = problems(|d| set(d, "grid", "curtailment_priority", toml::Value::Integer(1)));
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("list of strings"));
    }

    #[test]
    fn matrix_problems_are_reported_with_every_other_problem() {
        let p = problems(|d| {
            set(d, "bitcoin", "vol_annual", toml::Value::Float(-1.0));
            let m = d["correlation"]["matrix"].as_array_mut().expect("rows");
            // Symmetric, unit diagonal, but not positive semi-definite: rho(0,1) = rho(0,2) = 0.9,
            // rho(1,2) = -0.9.
            let row = |i: usize, vals: &[(usize, f64)]| {
                let mut r: Vec<toml::Value> = (0..N_FACTORS)
                    .map(|j| toml::Value::Float(if i == j { 1.0 } else { 0.0 }))
                    .collect();
                for &(j, v) in vals {
                    r[j] = toml::Value::Float(v);
                }
                toml::Value::Array(r)
            };
            for (i, r) in m.iter_mut().enumerate() {
                *r = row(i, &[]);
            }
            m[0] = row(0, &[(1, 0.9), (2, 0.9)]);
            m[1] = row(1, &[(0, 0.9), (2, -0.9)]);
            m[2] = row(2, &[(0, 0.9), (1, -0.9)]);
        });
        let fields: Vec<&str> = p.iter().map(|i| i.field.as_str()).collect();
        assert!(fields.contains(&"bitcoin.vol_annual"), "{fields:?}");
        assert!(fields.contains(&"correlation.matrix"), "{fields:?}");
    }

    #[test]
    fn the_last_height_a_horizon_allows_runs_to_a_positive_subsidy() {
        let mut sc = Scenario::from_value(&Value::from_toml(toml::Value::Table(preset_toml()))).unwrap();
        sc.simulation.horizon_months = MAX_HORIZON_MONTHS;
        let blocks: f64 = (0..sc.months())
            .map(|k| f64::from(sc.simulation.start.plus(k).days()) * crate::calendar::BLOCKS_PER_DAY)
            .sum();
        sc.network.block_height0 = crate::calendar::LAST_SUBSIDY_HEIGHT - blocks as u64;
        let issues = Issues::default();
        check_block_schedule(&sc, &issues);
        assert!(issues.is_empty());
        let sched = crate::calendar::schedule(sc.simulation.start, sc.months(), sc.network.block_height0 as f64);
        assert!(sched.iter().all(|m| m.subsidy_btc > 0.0));
        sc.network.block_height0 += 1;
        check_block_schedule(&sc, &issues);
        assert!(!issues.is_empty());
    }
}
