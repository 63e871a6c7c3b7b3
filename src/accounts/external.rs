//! What the new loads' electricity does outside the budget: the imported fuel it burns (the
//! balance of payments, against the loads' own dollar inflows) and the CO2 it emits.
//!
//! Both follow from the energy each class generates for the new loads
//! ([`crate::grid::Scratch::added_mwh_by_class`]): class `k` burns `E_k · heat_rate_k` MMBtu.
//! Fuels bought at world prices (`oil`, `lng`, `coal`) are imported; `fixed`-price fuels
//! (domestic gas, Thar lignite, nuclear fuel, bagasse) are not counted as imports.

use crate::drivers::DriverMonth;
use crate::scenario::Scenario;

/// A class's fuel, as the balance of payments sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    Oil,
    Lng,
    Coal,
    Domestic,
}

/// The fleet's fuel data the external accounts need, per class (fleet order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FleetFuels {
    classes: Vec<(Origin, f64, f64)>,
    oil_mmbtu_per_bbl: f64,
    coal_mmbtu_per_t: f64,
}

/// A month's imported fuel bill and emissions caused by the new loads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct External {
    /// Imported fuel, USD: oil, LNG, coal.
    pub imports_usd: [f64; 3],
    /// CO2 emitted, tonnes.
    pub co2_t: f64,
}

impl FleetFuels {
    /// The fleet's origins, heat rates (MMBtu/MWh) and emission factors (tCO2/MMBtu).
    #[must_use]
    pub fn new(sc: &Scenario) -> Self {
        Self {
            classes: sc
                .fleet
                .iter()
                .map(|c| {
                    let origin = match c.fuel.as_str() {
                        "oil" => Origin::Oil,
                        "lng" => Origin::Lng,
                        "coal" => Origin::Coal,
                        _ => Origin::Domestic,
                    };
                    (origin, c.heat_rate_mmbtu_per_mwh, c.co2_t_per_mmbtu)
                })
                .collect(),
            oil_mmbtu_per_bbl: sc.grid.oil_mmbtu_per_bbl,
            coal_mmbtu_per_t: sc.grid.coal_mmbtu_per_t,
        }
    }

    /// The month's imports and emissions from `mwh_by_class` (MWh each class generated for the
    /// new loads; empty when nothing was dispatched).
    #[must_use]
    pub fn month(&self, d: &DriverMonth, mwh_by_class: &[f64]) -> External {
        let mut out = External::default();
        for (&(origin, heat_rate, co2), &mwh) in self.classes.iter().zip(mwh_by_class) {
            let mmbtu = mwh * heat_rate;
            out.co2_t += mmbtu * co2;
            match origin {
                Origin::Oil => out.imports_usd[0] += mmbtu * d.oil_usd_per_bbl / self.oil_mmbtu_per_bbl,
                Origin::Lng => out.imports_usd[1] += mmbtu * d.lng_usd_per_mmbtu,
                Origin::Coal => out.imports_usd[2] += mmbtu * d.coal_usd_per_t / self.coal_mmbtu_per_t,
                Origin::Domestic => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_and_emissions_of_a_hand_built_month() {
        let f = FleetFuels {
            classes: vec![
                (Origin::Domestic, 10.0, 0.1),
                (Origin::Lng, 6.0, 0.05),
                (Origin::Coal, 9.0, 0.1),
                (Origin::Oil, 8.0, 0.075),
            ],
            oil_mmbtu_per_bbl: 5.8,
            coal_mmbtu_per_t: 23.81,
        };
        let d = DriverMonth {
            oil_usd_per_bbl: 58.0,
            lng_usd_per_mmbtu: 12.0,
            coal_usd_per_t: 238.1,
            ..DriverMonth::default()
        };
        let e = f.month(&d, &[100.0, 10.0, 1.0, 2.0]);
        assert!((e.imports_usd[0] - 2.0 * 8.0 * 10.0).abs() < 1e-9);
        assert!((e.imports_usd[1] - 10.0 * 6.0 * 12.0).abs() < 1e-9);
        assert!((e.imports_usd[2] - 9.0 * 10.0).abs() < 1e-9);
        let co2 = 100.0 * 10.0 * 0.1 + 10.0 * 6.0 * 0.05 + 9.0 * 0.1 + 16.0 * 0.075;
        assert!((e.co2_t - co2).abs() < 1e-9);
        assert_eq!(f.month(&d, &[]), External::default());
    }
}
