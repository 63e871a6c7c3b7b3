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
    /// Working arrays of [`SplitStack::energies`]: each block's added load in tail coordinates.
    below: Vec<f64>,
    above: Vec<f64>,
    /// Working arrays of [`SplitStack::finish`]: each block's slice at the load and at the load
    /// with the added load (the number of slice tops below them).
    j_below: Vec<u64>,
    j_above: Vec<u64>,
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
        &mut self,
        load: &[f64],
        hi: &[f64],
        pos: &[f64],
        cap_cost: f64,
        marginal: &mut [f64],
        added_cost: &mut [f64],
    ) {
        let n = load.len();
        let (load, hi, pos, marginal, added_cost) = (
            &load[..n],
            &hi[..n],
            &pos[..n],
            &mut marginal[..n],
            &mut added_cost[..n],
        );
        let len = self.costs.len();
        let integral = |y: f64, j: usize| {
            if j == len {
                self.cum_cost[j]
            } else {
                (y - self.tops[j]) * self.costs[j] + self.cum_cost[j]
            }
        };
        // Each block's slice at the load and at the load with the added load: the number of
        // slice tops below each. A top below the month's lowest load is below every block's; one
        // at or above the highest point asked about is below none: only the tops between are
        // compared, each with every block (a loop over blocks, which vectorises).
        self.below.resize(n, 0.0);
        self.above.resize(n, 0.0);
        let (below, above) = (&mut self.below[..n], &mut self.above[..n]);
        for b in 0..n {
            below[b] = load[b] - pos[b];
            above[b] = hi[b] - pos[b];
        }
        let (below, above) = (&*below, &*above);
        let lo = min(
            lanes_fold(below, f64::INFINITY, min),
            lanes_fold(above, f64::INFINITY, min),
        );
        let up = max(
            lanes_fold(below, f64::NEG_INFINITY, max),
            lanes_fold(above, f64::NEG_INFINITY, max),
        );
        let tops = &self.tops[1..];
        let first = tops.partition_point(|&t| t < lo);
        let last = first + tops[first..].partition_point(|&t| t < up);
        let (j_below, j_above) = (&mut self.j_below, &mut self.j_above);
        j_below.clear();
        j_below.resize(n, first as u64);
        j_above.clear();
        j_above.resize(n, first as u64);
        let (j_below, j_above) = (&mut j_below[..n], &mut j_above[..n]);
        for &t in &tops[first..last] {
            for b in 0..n {
                j_below[b] += u64::from(t < below[b]);
                j_above[b] += u64::from(t < above[b]);
            }
        }
        for b in 0..n {
            let j = j_below[b] as usize;
            if marginal[b].is_nan() {
                marginal[b] = self.costs.get(j).copied().unwrap_or(cap_cost);
            }
            if hi[b] > pos[b] {
                // `count(below.max(0.0)) == j`: no slice top is negative.
                added_cost[b] += integral(above[b], j_above[b] as usize) - integral(below[b].max(0.0), j);
            }
        }
    }

    /// After [`head_slice`] over every head slice (`pos` the head's capacity): adds to `out[b]`
    /// the tail's cost per hour of the band `[lo_b, hi_b]` of the stack, the integral of the
    /// marginal cost over the band's part above the head (load beyond the tail costs nothing).
    #[inline]
    pub fn band_cost(&self, lo: &[f64], hi: &[f64], pos: &[f64], out: &mut [f64]) {
        let n = lo.len();
        let (hi, pos, out) = (&hi[..n], &pos[..n], &mut out[..n]);
        let len = self.costs.len();
        let tops = &self.tops[1..];
        let count = |y: f64| tops.iter().map(|&t| usize::from(t < y)).sum::<usize>();
        let integral = |y: f64| {
            let j = count(y);
            if j == len {
                self.cum_cost[j]
            } else {
                (y - self.tops[j]) * self.costs[j] + self.cum_cost[j]
            }
        };
        for b in 0..n {
            let (bottom, top) = (max(lo[b] - pos[b], 0.0), max(hi[b] - pos[b], 0.0));
            if top > bottom {
                out[b] += integral(top) - integral(bottom);
            }
        }
    }

    /// After [`head_slice`] over every head slice (`pos` the head's capacity): the energy each
    /// tail slice generates for the added load, `Σ_b hours[b] · |[load_b, hi_b] ∩ slice_j|`
    /// (MWh), handed to `put(j, mwh)` for every tail slice `j` some block's `[load, hi]` reaches
    /// (the others generate exactly nothing for it and are not visited); returns the energy of
    /// the added load beyond the tail's top, which no slice serves (MWh).
    ///
    /// In tail coordinates the added load of block `b` is `[below_b, above_b] = [load_b, hi_b] -
    /// pos_b`, the interval whose cost [`SplitStack::finish`] integrates, so `Σ_j mwh_j · cost_j`
    /// is the tail's hour-weighted added cost up to rounding. No slice is walked: the energy of
    /// the slices below a top `x` is `E(x) = Σ_b hours[b] · (clamp(x, below_b, above_b) -
    /// below_b)`, and slice `j`'s is `E(tops[j+1]) - E(tops[j])`. `E` is constant below the
    /// month's lowest `below` and above its highest `above`, so it is evaluated only at the tops
    /// in between and the two around them: the added load spans a few slices of the tail. `E`
    /// is a sum of terms non-decreasing in `x` in a fixed order, so no slice's energy is
    /// negative, and a slice the added load does not reach gets exactly zero.
    #[inline]
    pub fn energies(
        &mut self,
        load: &[f64],
        hi: &[f64],
        pos: &[f64],
        hours: &[f64],
        mut put: impl FnMut(usize, f64),
    ) -> f64 {
        let n = load.len();
        let (hi, pos, hours) = (&hi[..n], &pos[..n], &hours[..n]);
        self.below.resize(n, 0.0);
        self.above.resize(n, 0.0);
        let (below, above) = (&mut self.below[..n], &mut self.above[..n]);
        for ((x, &l), &p) in below.iter_mut().zip(load).zip(pos) {
            *x = l - p;
        }
        for ((x, &h), &p) in above.iter_mut().zip(hi).zip(pos) {
            *x = h - p;
        }
        let (lo_min, up_max) = (
            lanes_fold(below, f64::INFINITY, min),
            lanes_fold(above, f64::NEG_INFINITY, max),
        );
        let (below, above) = (&*below, &*above);
        // Σ_b hours[b] · clamp(x, below_b, above_b); the constant Σ hours · below cancels.
        let below_top = |x: f64| weighted_sum(hours, below, above, |l, h| min(max(x, l), h));
        let mut prev: Option<f64> = None;
        for (j, w) in self.tops.windows(2).enumerate() {
            if w[1] > lo_min && w[0] < up_max {
                let bottom = prev.unwrap_or_else(|| below_top(w[0]));
                let top = below_top(w[1]);
                put(j, top - bottom);
                prev = Some(top);
            }
        }
        let top = self.tops[self.tops.len() - 1];
        if top < up_max {
            weighted_sum(hours, below, above, |l, h| h - min(max(top, l), h))
        } else {
            0.0
        }
    }
}

/// One slice of the head of the merit order (capacity `mw[b]` in block `b`, cost `cost` per
/// MWh), for every block `b` of a month at once: the head is walked slice by slice. `pos` is
/// the head capacity below the slice; `marginal` is NaN until the slice serving the last MW of
/// `load` is found; `added_cost` gains the cost of the part of `[load, hi]` the slice serves.
/// Returns whether the slice serves any of the added load in some block (then
/// [`head_slice_energy`] says how much).
#[inline]
pub fn head_slice(
    cost: f64,
    mw: &[f64],
    load: &[f64],
    hi: &[f64],
    pos: &mut [f64],
    marginal: &mut [f64],
    added_cost: &mut [f64],
) -> bool {
    let n = mw.len();
    let (load, hi, pos, marginal, added_cost) = (
        &load[..n],
        &hi[..n],
        &mut pos[..n],
        &mut marginal[..n],
        &mut added_cost[..n],
    );
    let mut serves = false;
    for b in 0..n {
        let top = pos[b] + mw[b];
        if marginal[b].is_nan() && top >= load[b] {
            marginal[b] = cost;
        }
        let overlap = min(top, hi[b]) - max(pos[b], load[b]);
        // Branch-free: a slice that serves none of the added load adds exactly zero.
        added_cost[b] += max(overlap, 0.0) * cost;
        serves |= overlap > 0.0;
        pos[b] = top;
    }
    serves
}

/// The energy (MWh) one head slice generates for the added load, after [`head_slice`] moved
/// `top` (its `pos`) to the slice's top: `Σ_b hours[b] · |[load_b, hi_b] ∩ [top_b - mw_b,
/// top_b]|`, the overlap [`head_slice`] priced (the slice's bottom recomputed as `top - mw`,
/// which can differ from the `pos` it had by a rounding error). Zero when [`head_slice`]
/// returned false: callers evaluate it only for the slices that serve the added load.
#[inline]
#[must_use]
pub fn head_slice_energy(mw: &[f64], load: &[f64], hi: &[f64], top: &[f64], hours: &[f64]) -> f64 {
    let n = mw.len();
    let overlap = |mw: f64, load: f64, hi: f64, top: f64| max(min(top, hi) - max(top - mw, load), 0.0);
    let (m4, l4, u4, t4, h4) = (
        mw.chunks_exact(LANES),
        load[..n].chunks_exact(LANES),
        hi[..n].chunks_exact(LANES),
        top[..n].chunks_exact(LANES),
        hours[..n].chunks_exact(LANES),
    );
    let mut rest = 0.0;
    let tail = m4.remainder().iter().zip(l4.remainder()).zip(u4.remainder());
    for (((&m, &l), &u), (&t, &h)) in tail.zip(t4.remainder().iter().zip(h4.remainder())) {
        rest += h * overlap(m, l, u, t);
    }
    let mut acc = [0.0; LANES];
    for ((((m, l), u), t), h) in m4.zip(l4).zip(u4).zip(t4).zip(h4) {
        for i in 0..LANES {
            acc[i] += h[i] * overlap(m[i], l[i], u[i], t[i]);
        }
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3]) + rest
}

/// Partial sums kept apart in the energy sums: one running sum is a chain of dependent
/// additions that keeps a loop from evaluating several blocks at a time.
const LANES: usize = 4;

/// `Σ_b x[b] · y[b]` in [`LANES`] interleaved partial sums (so the loop vectorises).
#[inline]
#[must_use]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    weighted_sum(x, y, y, |a, _| a)
}

/// `[dot(x_k, w) for each x_k in xs]`: several sums with the same weights.
#[inline]
#[must_use]
pub fn dots<const K: usize>(xs: [&[f64]; K], w: &[f64]) -> [f64; K] {
    // One pass per sum: a pass over several arrays at once does not vectorise as well.
    xs.map(|x| dot(x, w))
}

/// `out = [f(a[b], c[b]) for each block b]` (`out` resized to `a`'s length). The output is a
/// parameter of its own, so the compiler knows it does not alias the inputs and the loop
/// vectorises (an `extend` of a zip over other arrays of the same struct often does not).
#[inline]
pub fn map2(out: &mut Vec<f64>, a: &[f64], c: &[f64], f: impl Fn(f64, f64) -> f64) {
    out.resize(a.len(), 0.0);
    map2_into(out, a, c, f);
}

#[inline]
fn map2_into(out: &mut [f64], a: &[f64], c: &[f64], f: impl Fn(f64, f64) -> f64) {
    let n = out.len();
    let (a, c) = (&a[..n], &c[..n]);
    for b in 0..n {
        out[b] = f(a[b], c[b]);
    }
}

/// [`map2`] of three arrays.
#[inline]
pub fn map3(out: &mut Vec<f64>, a: &[f64], c: &[f64], d: &[f64], f: impl Fn(f64, f64, f64) -> f64) {
    out.resize(a.len(), 0.0);
    map3_into(out, a, c, d, f);
}

#[inline]
fn map3_into(out: &mut [f64], a: &[f64], c: &[f64], d: &[f64], f: impl Fn(f64, f64, f64) -> f64) {
    let n = out.len();
    let (a, c, d) = (&a[..n], &c[..n], &d[..n]);
    for b in 0..n {
        out[b] = f(a[b], c[b], d[b]);
    }
}

/// `Σ_b hours[b] · f(a[b], c[b])` in [`LANES`] interleaved partial sums.
#[inline(always)]
fn weighted_sum(hours: &[f64], a: &[f64], c: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let n = hours.len();
    let (a, c) = (&a[..n], &c[..n]);
    let mut acc = [0.0; LANES];
    let (h4, a4, c4) = (hours.chunks_exact(LANES), a.chunks_exact(LANES), c.chunks_exact(LANES));
    let mut rest = 0.0;
    for ((&h, &a), &c) in h4.remainder().iter().zip(a4.remainder()).zip(c4.remainder()) {
        rest += h * f(a, c);
    }
    for ((h, a), c) in h4.zip(a4).zip(c4) {
        for i in 0..LANES {
            acc[i] += h[i] * f(a[i], c[i]);
        }
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3]) + rest
}

/// `x` folded by `f` (associative and commutative) from `init`, in [`LANES`] interleaved folds.
#[inline(always)]
pub(super) fn lanes_fold(x: &[f64], init: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [init; LANES];
    let x4 = x.chunks_exact(LANES);
    let rest = x4.remainder().iter().fold(init, |a, &v| f(a, v));
    for x in x4 {
        for i in 0..LANES {
            acc[i] = f(acc[i], x[i]);
        }
    }
    f(f(f(acc[0], acc[2]), f(acc[1], acc[3])), rest)
}

/// The larger of `a` and `b` as one compare and select (the inputs are never NaN).
#[inline(always)]
fn max(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// The smaller of `a` and `b` as one compare and select (the inputs are never NaN).
#[inline(always)]
fn min(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
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

    /// A stack with a free slice, an empty one and two priced ones above it.
    fn five_slices() -> [Slice; 5] {
        [
            Slice { mw: 40.0, cost: 0.0 },
            Slice { mw: 100.0, cost: 10.0 },
            Slice { mw: 0.0, cost: 20.0 },
            Slice { mw: 50.0, cost: 30.0 },
            Slice { mw: 50.0, cost: 80.0 },
        ]
    }

    #[test]
    fn split_stack_agrees_with_the_walk_at_every_split() {
        let stack = five_slices();
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

    /// Energy of `[load, load + added]` within each slice of `stack`, hour-weighted, and beyond
    /// its top, by walking the stack in absolute coordinates.
    fn walk_energies(stack: &[Slice], loads: &[f64], added: f64, hours: &[f64]) -> (Vec<f64>, f64) {
        let mut e = vec![0.0; stack.len()];
        let mut beyond = 0.0;
        for (&load, &h) in loads.iter().zip(hours) {
            let hi = load + added;
            let mut bottom = 0.0;
            for (e, s) in e.iter_mut().zip(stack) {
                let top = bottom + s.mw;
                *e += h * (top.min(hi) - bottom.max(load)).max(0.0);
                bottom = top;
            }
            beyond += h * (hi - bottom.max(load)).max(0.0);
        }
        (e, beyond)
    }

    #[test]
    fn slice_energies_price_to_the_added_cost_at_every_split() {
        let stack = five_slices();
        // By hand: 100 MW added at 120 MW for 2 h is 20 MW of slice 1 (40-140), all 50 of
        // slice 3 (140-190) and 30 of slice 4 (190-240): 40, 100 and 60 MWh, costing
        // 2 x (20 x 10 + 50 x 30 + 30 x 80) = 8,200.
        let mut split = SplitStack::default();
        split.prepare(&stack[2..]);
        let (load, hi, hours) = ([120.0], [220.0], [2.0]);
        let mut pos = [0.0];
        let mut cost = [0.0];
        let mut got = [0.0; 5];
        for (k, s) in stack[..2].iter().enumerate() {
            if head_slice(s.cost, &[s.mw], &load, &hi, &mut pos, &mut [f64::NAN], &mut cost) {
                got[k] = head_slice_energy(&[s.mw], &load, &hi, &pos, &hours);
            }
        }
        let beyond = split.energies(&load, &hi, &pos, &hours, |j, mwh| got[2 + j] = mwh);
        split.finish(&load, &hi, &pos, 999.0, &mut [f64::NAN], &mut cost);
        assert_eq!((got, beyond), ([0.0, 40.0, 0.0, 100.0, 60.0], 0.0));
        assert_eq!(cost[0] * hours[0], 8_200.0);

        let loads = [0.0, 20.0, 40.0, 60.0, 140.0, 160.0, 190.0, 239.0, 240.0, 290.0, 17.5];
        let hours: Vec<f64> = (0..loads.len()).map(|b| 1.0 + 0.25 * b as f64).collect();
        let n = loads.len();
        for h in 0..=stack.len() {
            split.prepare(&stack[h..]);
            for added in [0.0, 0.5, 30.0, 100.0, 400.0] {
                let hi: Vec<f64> = loads.iter().map(|l| l + added).collect();
                let (mut pos, mut marginal, mut cost) = (vec![0.0; n], vec![f64::NAN; n], vec![0.0; n]);
                let mut e = vec![0.0; stack.len()];
                for (k, s) in stack[..h].iter().enumerate() {
                    let mw = vec![s.mw; n];
                    let serves = head_slice(s.cost, &mw, &loads, &hi, &mut pos, &mut marginal, &mut cost);
                    e[k] = head_slice_energy(&mw, &loads, &hi, &pos, &hours);
                    assert_eq!(serves, e[k] > 0.0, "split {h} added {added} slice {k}");
                }
                let mut visited = vec![false; stack.len()];
                let beyond = split.energies(&loads, &hi, &pos, &hours, |j, mwh| {
                    assert!(!visited[h + j], "slice {} visited twice", h + j);
                    visited[h + j] = true;
                    e[h + j] = mwh;
                });
                split.finish(&loads, &hi, &pos, 999.0, &mut marginal, &mut cost);
                let (want, want_beyond) = walk_energies(&stack, &loads, added, &hours);
                let ctx = format!("split {h} added {added}: {e:?} + {beyond} vs {want:?} + {want_beyond}");
                for (&got, &want) in e.iter().zip(&want) {
                    assert!(got >= 0.0 && (got - want).abs() < 1e-9, "{ctx}");
                }
                assert!(beyond >= 0.0 && (beyond - want_beyond).abs() < 1e-9, "{ctx}");
                // The parts make up the added energy, and price to the added cost.
                let total: f64 = hours.iter().map(|h| h * added).sum();
                assert!((e.iter().sum::<f64>() + beyond - total).abs() < 1e-9, "{ctx}");
                let priced: f64 = e.iter().zip(&stack).map(|(e, s)| e * s.cost).sum();
                let added_cost: f64 = cost.iter().zip(&hours).map(|(c, h)| c * h).sum();
                assert!((priced - added_cost).abs() <= 1e-12 * added_cost.abs() + 1e-9, "{ctx}");
                // Beyond the stack's top (240 MW) only what lies above it.
                assert_eq!(
                    beyond > 0.0,
                    added > 0.0 && loads.iter().any(|l| l + added > 240.0),
                    "{ctx}"
                );
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
