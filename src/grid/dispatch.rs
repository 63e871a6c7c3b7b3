//! Merit-order dispatch over a stack of capacity slices.
//!
//! The cost of serving a load `L` is the integral of the merit order's marginal cost from 0 to
//! `L`: each slice, in order, serves `min(capacity, what is left)`. Slices are technology classes
//! at their *expected* available capacity (derated by the forced outage rate); the exact outage
//! distribution is used for adequacy (see [`super::outage`]), not for cost.

/// One class's capacity in a block and its variable cost.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Slice {
    /// Expected available capacity, MW.
    pub mw: f64,
    /// Variable cost, currency per MWh.
    pub cost: f64,
}

/// Cost per hour (currency/h) of serving `load` MW from `stack` (in merit order), and the
/// marginal cost (currency/MWh) at that load, `cap_cost` if the stack cannot serve it.
#[inline]
#[must_use]
pub fn serve(stack: &[Slice], load: f64, cap_cost: f64) -> (f64, f64) {
    let mut left = load;
    let mut cost = 0.0;
    for s in stack {
        if left <= 0.0 {
            return (cost, s.cost);
        }
        let used = s.mw.min(left);
        cost += used * s.cost;
        left -= used;
        if left <= 0.0 {
            return (cost, s.cost);
        }
    }
    (
        cost,
        if left > 0.0 {
            cap_cost
        } else {
            stack.last().map_or(cap_cost, |s| s.cost)
        },
    )
}

/// Sorts `order` (indices into `costs`) by cost, with must-run indices first; ties keep the
/// index order. Insertion sort: the order changes little from one month to the next, so this
/// is close to linear, and it allocates nothing.
pub fn merit_order(order: &mut [usize], costs: &[f64], must_run: &[bool]) {
    let key = |i: usize| (!must_run[i], costs[i], i);
    for j in 1..order.len() {
        let mut k = j;
        while k > 0 && key(order[k - 1]).partial_cmp(&key(order[k])) == Some(std::cmp::Ordering::Greater) {
            order.swap(k - 1, k);
            k -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_the_integral_of_the_marginal_cost() {
        let stack = [
            Slice { mw: 100.0, cost: 10.0 },
            Slice { mw: 50.0, cost: 30.0 },
            Slice { mw: 50.0, cost: 80.0 },
        ];
        assert_eq!(serve(&stack, 0.0, 999.0), (0.0, 10.0));
        assert_eq!(serve(&stack, 60.0, 999.0), (600.0, 10.0));
        assert_eq!(serve(&stack, 100.0, 999.0), (1000.0, 10.0));
        assert_eq!(serve(&stack, 120.0, 999.0), (1600.0, 30.0));
        assert_eq!(serve(&stack, 200.0, 999.0), (1000.0 + 1500.0 + 4000.0, 80.0));
        assert_eq!(serve(&stack, 250.0, 999.0), (6500.0, 999.0));
        // Added load costs the slices it lands on: 30 MW more at 120 MW is 30 x 30.
        assert_eq!(serve(&stack, 150.0, 999.0).0 - serve(&stack, 120.0, 999.0).0, 900.0);
    }

    #[test]
    fn must_run_first_then_cheapest() {
        let costs = [50.0, 10.0, 30.0, 10.0];
        let must = [false, false, false, true];
        let mut order = vec![0, 1, 2, 3];
        merit_order(&mut order, &costs, &must);
        assert_eq!(order, vec![3, 1, 2, 0]);
    }
}
