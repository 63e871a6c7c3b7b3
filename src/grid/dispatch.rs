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

/// A merit order split for fast evaluation within a month: a short `head` whose slices change
/// from block to block (it ends with the last profiled class) and a `tail` fixed for the
/// month, prepared once as cumulative capacity and cost so that each block evaluates it with
/// two branch-free counts instead of a walk.
#[derive(Debug, Clone, Default)]
pub struct SplitStack {
    /// Tail capacity below slice `j`, MW (`tops[0] = 0`, one entry per slice plus one).
    tops: Vec<f64>,
    /// Tail cost of serving `tops[j]` MW, currency per hour.
    cum_cost: Vec<f64>,
    /// Tail slice costs, currency/MWh.
    costs: Vec<f64>,
}

impl SplitStack {
    /// Prepares the tail (slices in merit order).
    pub fn prepare(&mut self, tail: &[Slice]) {
        self.tops.clear();
        self.cum_cost.clear();
        self.costs.clear();
        let (mut top, mut cost) = (0.0, 0.0);
        self.tops.push(top);
        self.cum_cost.push(cost);
        for s in tail {
            top += s.mw;
            cost += s.mw * s.cost;
            self.tops.push(top);
            self.cum_cost.push(cost);
            self.costs.push(s.cost);
        }
    }

    /// After [`head_slice`] over every head slice: the marginal cost (currency/MWh) of blocks
    /// whose load lies in the tail (`cap_cost` beyond it) and the tail's share of the cost per
    /// hour of `[load, hi]`, the integral of the marginal cost over it (equal to
    /// `serve(hi) - serve(load)` without the difference of two large totals). Load the stack
    /// cannot serve costs nothing here; it is unserved energy.
    #[inline]
    pub fn finish(
        &self,
        load: &[f64],
        hi: &[f64],
        pos: &[f64],
        cap_cost: f64,
        marginal: &mut [f64],
        added_cost: &mut [f64],
    ) {
        let n = load.len();
        let (hi, pos, marginal, added_cost) = (&hi[..n], &pos[..n], &mut marginal[..n], &mut added_cost[..n]);
        let len = self.costs.len();
        let tops = &self.tops[1..];
        let integral = |y: f64, j: usize| {
            if j == len {
                self.cum_cost[j]
            } else {
                (y - self.tops[j]) * self.costs[j] + self.cum_cost[j]
            }
        };
        let count = |y: f64| tops.iter().map(|&t| usize::from(t < y)).sum::<usize>();
        for b in 0..n {
            let below = load[b] - pos[b];
            let j = count(below);
            if marginal[b].is_nan() {
                marginal[b] = self.costs.get(j).copied().unwrap_or(cap_cost);
            }
            if hi[b] > pos[b] {
                let above = hi[b] - pos[b];
                // `count(below.max(0.0)) == j`: no slice top is negative.
                added_cost[b] += integral(above, count(above)) - integral(below.max(0.0), j);
            }
        }
    }
}

/// One slice of the head of the merit order (capacity `mw[b]` in block `b`, cost `cost` per
/// MWh), for every block `b` of a month at once: the head is walked slice by slice. `pos` is
/// the head capacity below the slice; `marginal` is NaN until the slice serving the last MW of
/// `load` is found; `added_cost` gains the cost of the part of `[load, hi]` the slice serves.
#[inline]
pub fn head_slice(
    cost: f64,
    mw: &[f64],
    load: &[f64],
    hi: &[f64],
    pos: &mut [f64],
    marginal: &mut [f64],
    added_cost: &mut [f64],
) {
    let n = mw.len();
    let (load, hi, pos, marginal, added_cost) = (
        &load[..n],
        &hi[..n],
        &mut pos[..n],
        &mut marginal[..n],
        &mut added_cost[..n],
    );
    for b in 0..n {
        let top = pos[b] + mw[b];
        if marginal[b].is_nan() && top >= load[b] {
            marginal[b] = cost;
        }
        let overlap = top.min(hi[b]) - pos[b].max(load[b]);
        if overlap > 0.0 {
            added_cost[b] += overlap * cost;
        }
        pos[b] = top;
    }
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
    fn split_stack_agrees_with_the_walk_at_every_split() {
        let stack = [
            Slice { mw: 40.0, cost: 0.0 },
            Slice { mw: 100.0, cost: 10.0 },
            Slice { mw: 0.0, cost: 20.0 },
            Slice { mw: 50.0, cost: 30.0 },
            Slice { mw: 50.0, cost: 80.0 },
        ];
        let loads = [-1.0, 0.0, 20.0, 40.0, 60.0, 140.0, 160.0, 190.0, 239.0, 240.0, 290.0];
        let mut split = SplitStack::default();
        for h in 0..=stack.len() {
            split.prepare(&stack[h..]);
            for added in [0.0, 0.5, 30.0, 100.0, 400.0] {
                let n = loads.len();
                let hi: Vec<f64> = loads.iter().map(|l| l + added).collect();
                let (mut pos, mut marginal, mut cost) = (vec![0.0; n], vec![f64::NAN; n], vec![0.0; n]);
                for s in &stack[..h] {
                    head_slice(s.cost, &vec![s.mw; n], &loads, &hi, &mut pos, &mut marginal, &mut cost);
                }
                split.finish(&loads, &hi, &pos, 999.0, &mut marginal, &mut cost);
                for (b, &load) in loads.iter().enumerate() {
                    let (base, want_marginal) = serve(&stack, load, 999.0);
                    let want_cost = serve(&stack, load + added, 999.0).0 - base;
                    assert_eq!(marginal[b], want_marginal, "split {h} load {load} added {added}");
                    assert!(
                        (cost[b] - want_cost).abs() < 1e-9,
                        "split {h} load {load} added {added}: {} vs {want_cost}",
                        cost[b]
                    );
                }
            }
        }
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
