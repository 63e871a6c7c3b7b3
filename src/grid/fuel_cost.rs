//! The base system's fuel cost per kWh: what CPPA-G's monthly fuel-cost filings report.
//!
//! The existing consumers' served load without the allocation fills the month's merit order of
//! expected capacities from the bottom, block by block (the slices the dispatch integrates
//! over, as [`Grid::explain`] shows them): class `k` generates `g_kb = clamp(L_b − T_{k−1,b}, 0,
//! c_kb)` in block `b`, and the month's fuel cost per kWh is
//! `Σ_kb H_b g_kb · hr_k · p_k · fx / Σ_kb H_b g_kb`, with `hr_k` the heat rate and `p_k` the fuel's
//! price (market or fixed, USD/MMBtu). Variable O&M is left out, as the filings leave it out of
//! the fuel cost, and a take-or-pay volume burns its fuel at the market price, not at the shadow
//! price it is dispatched at: the fuel is bought either way. Outages enter as expected
//! capacities (no draw), as everywhere in the dispatch.

use super::{Fuel, Grid, Scratch, dispatch, slices_by_block};
use crate::drivers::DriverMonth;
use crate::float::{max, min};

/// The base system's fuel cost and generation in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BaseFuel {
    /// Fuel burnt for the existing consumers' served load without the allocation, PKR.
    pub cost_pkr: f64,
    /// Energy the merit order generates for it, MWh (the served load up to the stack's
    /// expected capacity).
    pub generation_mwh: f64,
}

impl BaseFuel {
    /// Fuel cost per kWh generated, PKR/kWh (0 when nothing is generated).
    #[must_use]
    pub fn pkr_per_kwh(&self) -> f64 {
        if self.generation_mwh > 0.0 {
            self.cost_pkr / self.generation_mwh / 1000.0
        } else {
            0.0
        }
    }
}

impl Grid {
    /// Fuel cost of class `k` with drivers `d`, PKR/MWh: its fleet class's heat rate times its
    /// fleet class's fuel price (a take-or-pay tranche's fuel at market).
    pub(super) fn fuel_pkr_per_mwh(&self, k: usize, d: &DriverMonth) -> f64 {
        let c = &self.classes[self.classes[k].fleet];
        let price = match c.fuel {
            Fuel::Oil => d.oil_usd_per_bbl / self.oil_mmbtu_per_bbl,
            Fuel::Lng => d.lng_usd_per_mmbtu,
            Fuel::Coal => d.coal_usd_per_t / self.coal_mmbtu_per_t,
            Fuel::Fixed => c.fixed_fuel_usd,
        };
        c.heat_rate * price * d.fx_pkr_per_usd
    }

    /// The base system's fuel cost in month `t`, read off the stack and served load that
    /// [`Grid::month`] left in `s`.
    ///
    /// Each slice's energy is `Σ_b H_b · min(max(L_b − T_b, 0), c_b)`, summed block by block in
    /// order, with `T_b` the capacity below the slice summed slice by slice from zero. Two kinds
    /// of slice take a shortcut with the same numbers: a slice wholly below every block's load
    /// (decided on an upper bound of its top, as [`Grid::head`] does: rounding is monotone, so
    /// `L_b − T_b ≥ c_b` exactly and the term is `H_b · c_b`), and every slice once the capacity
    /// below has reached the load in every block (decided on a lower bound of `T_b`: capacities
    /// are never negative, so each such term is zero and the sums stay as they are).
    pub(super) fn base_fuel(&self, t: usize, d: &DriverMonth, s: &mut Scratch) -> BaseFuel {
        let hours = &self.lanes[t].hours[..];
        let n = hours.len();
        let load = &s.work.load[..n];
        s.fuel_pos.clear();
        s.fuel_pos.resize(n, 0.0);
        let pos = &mut s.fuel_pos[..n];
        // Folds in interleaved lanes: a min or max of the same numbers in another order is the
        // same number (never NaN; a zero's sign only meets comparisons), without a chain of
        // one dependent compare per block.
        let fold = |x: &[f64], init: f64, f: fn(f64, f64) -> f64| dispatch::lanes_fold(x, init, f);
        let (load_lo, load_hi) = (fold(load, f64::INFINITY, min), fold(load, f64::NEG_INFINITY, max));
        // Bounds of every block's capacity below the next slice.
        let (mut pos_lo, mut pos_hi) = (0.0, 0.0);
        let mut out = BaseFuel::default();
        for (j, (slice, mw)) in slices_by_block(&s.stack, &s.varying, &s.var_mw).enumerate() {
            if pos_lo >= load_hi {
                break;
            }
            let (mw_lo, mw_hi) = mw.map_or((slice.mw, slice.mw), |v| {
                (fold(v, f64::INFINITY, min), fold(v, f64::NEG_INFINITY, max))
            });
            let top_hi = pos_hi + mw_hi;
            let mwh = match (mw, top_hi < load_lo) {
                (Some(v), true) => below(hours, &v[..n], pos),
                (None, true) => below_fixed(hours, slice.mw, pos),
                (Some(v), false) => straddles(hours, load, &v[..n], pos),
                (None, false) => straddles_fixed(hours, load, slice.mw, pos),
            };
            pos_lo += mw_lo;
            pos_hi = top_hi;
            out.generation_mwh += mwh;
            out.cost_pkr += mwh * self.fuel_pkr_per_mwh(s.class_at[j], d);
        }
        out
    }
}

/// A slice wholly below every block's load: `Σ_b H_b · c_b` in block order; moves `pos` up.
#[inline]
fn below(hours: &[f64], mw: &[f64], pos: &mut [f64]) -> f64 {
    let n = pos.len();
    let (hours, mw) = (&hours[..n], &mw[..n]);
    for b in 0..n {
        pos[b] += mw[b];
    }
    let mut mwh = 0.0;
    for b in 0..n {
        mwh += hours[b] * mw[b];
    }
    mwh
}

/// [`below`] of a slice of the same capacity in every block.
#[inline]
fn below_fixed(hours: &[f64], mw: f64, pos: &mut [f64]) -> f64 {
    for p in pos.iter_mut() {
        *p += mw;
    }
    let mut mwh = 0.0;
    for &h in hours {
        mwh += h * mw;
    }
    mwh
}

/// Any slice: `Σ_b H_b · min(max(L_b − T_b, 0), c_b)` in block order; moves `pos` up.
#[inline]
fn straddles(hours: &[f64], load: &[f64], mw: &[f64], pos: &mut [f64]) -> f64 {
    let n = pos.len();
    let (hours, load, mw) = (&hours[..n], &load[..n], &mw[..n]);
    let mut mwh = 0.0;
    for b in 0..n {
        mwh += hours[b] * min(max(load[b] - pos[b], 0.0), mw[b]);
        pos[b] += mw[b];
    }
    mwh
}

/// [`straddles`] of a slice of the same capacity in every block.
#[inline]
fn straddles_fixed(hours: &[f64], load: &[f64], mw: f64, pos: &mut [f64]) -> f64 {
    let n = pos.len();
    let (hours, load) = (&hours[..n], &load[..n]);
    let mut mwh = 0.0;
    for b in 0..n {
        mwh += hours[b] * min(max(load[b] - pos[b], 0.0), mw);
        pos[b] += mw;
    }
    mwh
}

#[cfg(test)]
mod tests {
    use super::super::Context;
    use super::*;
    use crate::scenario::Scenario;

    /// The preset's model and `paths` paths of its drivers.
    fn driver_paths_of_preset(paths: u64) -> (crate::model::Model, Vec<Vec<f64>>) {
        let sc = Scenario::from_toml_str(include_str!("../../python/gridrisk/presets/pakistan-2000mw.toml"))
            .expect("valid preset");
        super::super::tests::driver_paths(&sc, paths)
    }

    #[test]
    fn the_fuel_cost_is_the_explained_generation_priced_at_each_class_fuel() {
        let (model, bufs) = driver_paths_of_preset(2);
        let tm = model.months();
        let mut s = Scratch::default();
        for buf in &bufs {
            for t in (0..tm).step_by(5) {
                let d = DriverMonth::read(buf, tm, t);
                let cx = Context::default();
                let m = model.grid.month_totals(t, &d, &cx, &mut s, 900.0, 300.0);
                let e = model.grid.explain(t, &d, &cx, 900.0, 300.0);
                let hours: Vec<f64> = e.blocks.iter().map(|(_, r)| r.hours).collect();
                let (mut cost, mut mwh) = (0.0, 0.0);
                for (k, g) in e.generation_mw.iter().enumerate() {
                    let e_k: f64 = g.iter().zip(&hours).map(|(g, h)| g * h).sum();
                    mwh += e_k;
                    cost += e_k * model.grid.fuel_pkr_per_mwh(k, &d);
                }
                let f = m.base_fuel;
                assert!((f.generation_mwh - mwh).abs() <= 1e-9 * mwh, "{t}: {f:?} vs {mwh}");
                assert!((f.cost_pkr - cost).abs() <= 1e-9 * cost, "{t}: {f:?} vs {cost}");
                // Served load is generated, and so is the expected shortfall of the outage table
                // (the merit order of expected capacities serves it as long as the stack lasts).
                let served = m.served_base_mwh + m.eue_base;
                assert!(
                    (f.generation_mwh - served).abs() <= 1e-9 * served,
                    "{t}: {f:?} vs {served}"
                );
                let per_kwh = f.pkr_per_kwh();
                assert!(per_kwh > 0.0 && per_kwh < 40.0, "{t}: {per_kwh}");
            }
        }
    }

    #[test]
    fn a_take_or_pay_volume_burns_its_fuel_at_market() {
        let (model, bufs) = driver_paths_of_preset(1);
        let d = DriverMonth::read(&bufs[0], model.months(), 0);
        let g = &model.grid;
        for k in g.n_fleet..g.classes.len() {
            let fleet = g.classes[k].fleet;
            assert_eq!(g.fuel_pkr_per_mwh(k, &d), g.fuel_pkr_per_mwh(fleet, &d));
            assert!(g.fuel_pkr_per_mwh(k, &d) > 0.0);
        }
    }
}
