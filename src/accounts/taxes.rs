//! Taxes the state collects from the new loads.

/// Profit tax of a month: `(tax paid, tax forgone)`, PKR. The tax is `rate` times the month's
/// profit when positive (a month's loss is not carried forward); during a tax holiday
/// (`month < holiday_months`) nothing is paid and the tax due is a tax expenditure.
#[must_use]
pub fn profit_tax(rate: f64, holiday_months: u32, month: usize, profit_pkr: f64) -> (f64, f64) {
    let due = rate * profit_pkr.max(0.0);
    if (month as u64) < u64::from(holiday_months) {
        (0.0, due)
    } else {
        (due, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_turn_tax_into_tax_expenditure() {
        assert_eq!(profit_tax(0.25, 12, 3, 100.0), (0.0, 25.0));
        assert_eq!(profit_tax(0.25, 12, 12, 100.0), (25.0, 0.0));
        assert_eq!(profit_tax(0.25, 0, 0, -5.0), (0.0, 0.0));
    }
}
