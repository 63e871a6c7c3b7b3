//! Who pays the gap between the new loads' generation cost and what they pay: the budget (a
//! subsidy), the other consumers (through their tariffs), or the power sector's circular debt.

use crate::scenario::Incidence;

/// A month's gap, split.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Split {
    /// Budget subsidy, PKR.
    pub budget: f64,
    /// Charged to the other consumers, PKR.
    pub consumers: f64,
    /// Added to circular debt, PKR.
    pub circular_debt: f64,
}

/// The budget's fiscal-year envelope, as used so far on one path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Envelope {
    fiscal_year: i32,
    used: f64,
}

/// Splits `gap` (PKR; negative when the new loads pay more than they cost) of a month in fiscal
/// year `fiscal_year` by the declared shares. The budget's part of a positive gap is paid up to
/// what is left of its fiscal-year envelope; the rest of it becomes circular debt. A surplus is
/// shared by the same shares (it lowers the subsidy, the other consumers' charges and circular
/// debt) and does not refill the envelope. The three parts always sum to `gap`.
#[must_use]
pub fn split(p: &Incidence, gap: f64, fiscal_year: i32, env: &mut Envelope) -> Split {
    if fiscal_year != env.fiscal_year {
        *env = Envelope { fiscal_year, used: 0.0 };
    }
    let consumers = p.consumers_share * gap;
    let wanted = p.budget_share * gap;
    let budget = if gap > 0.0 {
        let paid = wanted.min((p.budget_envelope_pkr_per_fiscal_year - env.used).max(0.0));
        env.used += paid;
        paid
    } else {
        wanted
    };
    Split {
        budget,
        consumers,
        circular_debt: gap - budget - consumers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(budget: f64, consumers: f64, envelope: f64) -> Incidence {
        Incidence {
            budget_share: budget,
            consumers_share: consumers,
            circular_debt_share: 1.0 - budget - consumers,
            budget_envelope_pkr_per_fiscal_year: envelope,
            base_sales_per_mwh_of_load: 0.83,
        }
    }

    #[test]
    fn parts_sum_to_the_gap() {
        let p = shares(0.3, 0.5, f64::INFINITY);
        let mut env = Envelope::default();
        for gap in [-5e9, 0.0, 1.0, 7.3e10] {
            let s = split(&p, gap, 2027, &mut env);
            assert_eq!(s.budget + s.consumers + s.circular_debt, gap);
            assert!((s.budget - 0.3 * gap).abs() <= 1e-6 * gap.abs());
        }
    }

    #[test]
    fn an_exhausted_envelope_sends_the_budget_share_to_circular_debt() {
        let p = shares(1.0, 0.0, 100.0);
        let mut env = Envelope::default();
        assert_eq!(split(&p, 60.0, 2027, &mut env).budget, 60.0);
        let s = split(&p, 60.0, 2027, &mut env);
        assert_eq!((s.budget, s.circular_debt), (40.0, 20.0));
        assert_eq!(split(&p, 60.0, 2027, &mut env).circular_debt, 60.0);
        // A new fiscal year refills it.
        assert_eq!(split(&p, 60.0, 2028, &mut env).budget, 60.0);
    }
}
