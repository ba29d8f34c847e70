//! The simplex itself: the spanning-tree basis and its pivots (pricing is
//! in `pricing`).

use super::copy::ArcLog;
use super::local::LocalPricing;
use super::{ArcState, Basis, CancelFlag, FlowSolution, Pricing, SolveOptions, SolveStats};
use crate::error::{Error, Result};
use crate::graph::FlowNetwork;

pub(super) const NONE: u32 = u32::MAX;

/// The block size of block search over `arcs` arcs by default: about √arcs,
/// at least 10.
pub(super) fn default_block_size(arcs: usize) -> usize {
    ((arcs as f64).sqrt().ceil() as usize).max(10)
}
/// Calls `f` with each arc at its upper bound among those whose states are
/// `state`, in order. They are rare: the states are read eight at a time,
/// and the arcs of those eight looked at only when one of them is negative
/// (the upper bound's state).
fn for_each_upper(state: &[i8], mut f: impl FnMut(usize)) {
    let eights = state.chunks_exact(8);
    let rest = state.len() - eights.remainder().len();
    for (k, eight) in eights.enumerate() {
        let bytes: [u8; 8] = std::array::from_fn(|j| eight[j] as u8);
        if u64::from_ne_bytes(bytes) & 0x8080_8080_8080_8080 == 0 {
            continue;
        }
        for (j, &st) in eight.iter().enumerate() {
            if st == ArcState::Upper as i8 {
                f(8 * k + j);
            }
        }
    }
    for (a, &st) in state.iter().enumerate().skip(rest) {
        if st == ArcState::Upper as i8 {
            f(a);
        }
    }
}

#[derive(Default)]
pub(super) struct Simplex {
    pub(super) supply: Vec<i64>,
    pub(super) n: usize,
    pub(super) m: usize,
    pub(super) root: u32,
    pub(super) art_cost: i64,
    // Arcs (network arcs, then artificial ones).
    pub(super) source: Vec<u32>,
    pub(super) target: Vec<u32>,
    pub(super) cost: Vec<i64>,
    pub(super) cap: Vec<i64>,
    pub(super) flow: Vec<i64>,
    pub(super) state: Vec<i8>,
    // Nodes (root last).
    pub(super) pi: Vec<i64>,
    pub(super) parent: Vec<u32>,
    pub(super) pred: Vec<u32>,
    pub(super) depth: Vec<u32>,
    pub(super) thread: Vec<u32>,
    pub(super) rev_thread: Vec<u32>,
    pub(super) cancel: Option<CancelFlag>,
    // Pricing.
    pub(super) pricing: Pricing,
    pub(super) block_size: usize,
    pub(super) next_arc: usize,
    pub(super) candidates: Vec<u32>,
    pub(super) minor_left: usize,
    /// Arcs to price before the others (changed costs in a [`Resolver`]).
    pub(super) seeds: Vec<u32>,
    // Scratch for tree updates.
    pub(super) path: Vec<u32>,
    /// The runs of the thread that a tree update links anew, (first,
    /// last) of each.
    pub(super) runs: Vec<u32>,
    pub(super) stats: SolveStats,
    /// A cost changed since this simplex was built or copied (see `copy`).
    pub(super) costs_changed: bool,
    /// Network arcs whose capacity was set since this simplex was built or
    /// copied (see `copy`).
    pub(super) caps_changed: ArcLog,
    /// Arcs whose flow or state may have changed since this simplex was
    /// copied (see `copy`) or grown (see `grow`); all of them after a new
    /// start, or past an eighth of the arcs.
    pub(super) moved: ArcLog,
    /// Arcs at their upper bound whose capacity was raised above their flow
    /// (see `Simplex::change_capacity`): each is pivoted once before pricing
    /// (see [`Simplex::pivot_raised`]).
    pub(super) raised: Vec<u32>,
    /// Candidate-list pricing gives way to block search once a major scan
    /// reads more than a quarter of the arcs to fill its list (set for the
    /// pivots after a repair, see [`Simplex::price_repaired`]).
    pub(super) lists_until_sparse: bool,
    /// Local pricing, for the pivots right after a growth (see `local`).
    pub(super) local: Option<Box<LocalPricing>>,
}

impl Simplex {
    pub(super) fn new(net: &FlowNetwork, options: &SolveOptions) -> Self {
        let n = net.node_count();
        let m = net.arc_count();
        let total = m + n;
        let art_cost = (n as i64 + 1) * (net.max_abs_cost() + 1);
        let mut source = Vec::with_capacity(total);
        let mut target = Vec::with_capacity(total);
        source.extend_from_slice(&net.source);
        target.extend_from_slice(&net.target);
        let mut cost = Vec::with_capacity(total);
        cost.extend_from_slice(&net.cost);
        let mut cap = Vec::with_capacity(total);
        cap.extend_from_slice(&net.capacity);
        let root = n as u32;
        let art_cap = net.supply.iter().map(|s| s.abs()).sum::<i64>() + 1;
        for v in 0..n as u32 {
            source.push(v);
            target.push(root);
            cost.push(art_cost);
            cap.push(art_cap);
        }
        let block_size = options
            .block_size
            .unwrap_or_else(|| default_block_size(total))
            .max(1);
        Simplex {
            supply: net.supply.clone(),
            n,
            m,
            root,
            art_cost,
            source,
            target,
            cost,
            cap,
            flow: vec![0; total],
            state: vec![ArcState::Lower as i8; total],
            pi: vec![0; n + 1],
            parent: vec![NONE; n + 1],
            pred: vec![NONE; n + 1],
            depth: vec![0; n + 1],
            thread: vec![0; n + 1],
            rev_thread: vec![0; n + 1],
            cancel: options.cancel.clone(),
            pricing: options.pricing,
            block_size,
            next_arc: 0,
            candidates: Vec::new(),
            minor_left: 0,
            seeds: Vec::new(),
            path: Vec::new(),
            runs: Vec::new(),
            stats: SolveStats::default(),
            costs_changed: false,
            caps_changed: ArcLog::default(),
            moved: ArcLog::everything(),
            raised: Vec::new(),
            lists_until_sparse: false,
            local: None,
        }
    }
    pub(super) fn join(&self, mut u: u32, mut v: u32) -> u32 {
        while u != v {
            let (du, dv) = (self.depth[u as usize], self.depth[v as usize]);
            if du >= dv {
                u = self.parent[u as usize];
            }
            if dv >= du {
                v = self.parent[v as usize];
            }
        }
        u
    }

    pub(super) fn run(mut self) -> Result<FlowSolution> {
        self.pivot_loop()?;
        self.solution()
    }

    pub(super) fn pivot_loop(&mut self) -> Result<()> {
        let done = self.pivots();
        // Local pricing holds only for the solve right after a growth.
        self.local = None;
        done
    }

    fn pivots(&mut self) -> Result<()> {
        while let Some(e) = self.find_entering() {
            self.pivot(e);
            if self.stats.pivots % 1024 == 0
                && self.cancel.as_ref().is_some_and(CancelFlag::is_cancelled)
            {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }

    pub(super) fn solution(&self) -> Result<FlowSolution> {
        let mut out = self.solution_without_flow()?;
        out.flow = self.flow[..self.m].to_vec();
        Ok(out)
    }

    /// [`Simplex::solution`] with an empty `flow`, for callers that read the
    /// flows in place.
    pub(super) fn solution_without_flow(&self) -> Result<FlowSolution> {
        let cost = self.value()?;
        Ok(FlowSolution {
            flow: Vec::new(),
            potential: self.pi[..self.n].to_vec(),
            cost,
            basis: self.basis(),
            stats: self.stats,
        })
    }

    /// The cost of the current flow, or why it is not a flow of the network.
    pub(super) fn value(&self) -> Result<i64> {
        // Any flow left on artificial arcs means the supplies cannot be routed.
        let stranded: i64 = (self.m..self.source.len())
            .filter(|&a| self.source[a] != self.root)
            .map(|a| self.flow[a])
            .sum();
        if stranded > 0 {
            return Err(Error::Infeasible(format!(
                "{stranded} units of supply cannot reach any demand"
            )));
        }
        // Only tree arcs and arcs at their upper bound carry flow: the tree
        // arcs are read through the nodes, the others found by their state
        // (a byte per arc).
        let m = self.m;
        let mut cost: i128 = 0;
        for &a in &self.pred[..self.n] {
            let a = a as usize;
            if a < m {
                cost += i128::from(self.cost[a]) * i128::from(self.flow[a]);
            }
        }
        for_each_upper(&self.state[..m], |a| {
            cost += i128::from(self.cost[a]) * i128::from(self.flow[a]);
        });
        debug_assert_eq!(
            cost,
            self.cost[..m]
                .iter()
                .zip(&self.flow[..m])
                .map(|(&c, &f)| i128::from(c) * i128::from(f))
                .sum::<i128>(),
            "an arc at its lower bound carries flow"
        );
        i64::try_from(cost)
            .map_err(|_| Error::Overflow(format!("total cost {cost} exceeds 64 bits")))
    }
    /// The flow on arc `a`.
    pub(super) fn flow_of(&self, a: usize) -> i64 {
        self.flow[a]
    }

    /// The current basis (arc states).
    pub(super) fn basis(&self) -> Basis {
        Basis {
            state: self
                .state
                .iter()
                .map(|&s| match s {
                    0 => ArcState::Tree,
                    1 => ArcState::Lower,
                    _ => ArcState::Upper,
                })
                .collect(),
        }
    }

    /// Recomputes every potential from the tree, in thread (pre)order.
    pub(super) fn recompute_potentials(&mut self) {
        let root = self.root as usize;
        self.pi[root] = 0;
        let mut v = self.thread[root] as usize;
        while v != root {
            let a = self.pred[v] as usize;
            let p = self.parent[v] as usize;
            self.pi[v] = if self.target[a] as usize == v {
                self.pi[p] + self.cost[a]
            } else {
                self.pi[p] - self.cost[a]
            };
            v = self.thread[v] as usize;
        }
    }

    pub(super) fn pivot(&mut self, e: usize) {
        self.stats.pivots += 1;
        // Logged (see `moved`): the entering arc, whose state changes, the
        // arcs whose flows move (`push_around`) and the leaving arc.
        self.note_moved(e);
        let (at_lower, (first, second, join)) = self.cycle_of(e);

        // Leaving arc: the last blocking arc in the direction of flow from the
        // apex. `out` is the child end of the leaving tree arc. The entering
        // arc is at a bound, or (raised) below its upper one.
        let mut delta = if at_lower {
            self.cap[e] - self.flow[e]
        } else {
            self.flow[e]
        };
        let mut out = NONE;
        let mut out_on_first = false;
        let mut u = first;
        while u != join {
            let a = self.pred[u as usize] as usize;
            // Flow moves parent -> u here.
            let r = if self.target[a] == u {
                self.cap[a] - self.flow[a]
            } else {
                self.flow[a]
            };
            if r < delta {
                delta = r;
                out = u;
                out_on_first = true;
            }
            u = self.parent[u as usize];
        }
        u = second;
        while u != join {
            let a = self.pred[u as usize] as usize;
            // Flow moves u -> parent here.
            let r = if self.source[a] == u {
                self.cap[a] - self.flow[a]
            } else {
                self.flow[a]
            };
            if r <= delta {
                delta = r;
                out = u;
                out_on_first = false;
            }
            u = self.parent[u as usize];
        }
        if delta > 0 {
            self.push_around(e, at_lower, (first, second, join), delta, None);
        } else {
            self.stats.degenerate += 1;
        }

        if out == NONE {
            // The entering arc blocks itself: it moves to its other bound.
            self.set_state(e, -self.state[e]);
            return;
        }
        let leaving = self.pred[out as usize] as usize;
        self.note_moved(leaving);
        let bound = if self.flow[leaving] == 0 {
            ArcState::Lower
        } else {
            ArcState::Upper
        };
        self.set_state(leaving, bound as i8);
        self.set_state(e, ArcState::Tree as i8);
        let (u_in, v_in) = if out_on_first {
            (first, second)
        } else {
            (second, first)
        };
        self.rehang(out, u_in, v_in, e as u32);
    }

    /// How many of the first `arcs` arcs at their upper bound leave and
    /// enter each of the first `nodes` nodes, into `out` and `into`.
    pub(super) fn count_upper(
        &self,
        (arcs, nodes): (usize, usize),
        (out, into): (&mut Vec<u32>, &mut Vec<u32>),
    ) {
        for counts in [&mut *out, &mut *into] {
            counts.clear();
            counts.resize(nodes, 0);
        }
        for_each_upper(&self.state[..arcs], |a| {
            out[self.source[a] as usize] += 1;
            into[self.target[a] as usize] += 1;
        });
    }

    /// Sets arc `a`'s state, noting it for local pricing.
    #[inline]
    fn set_state(&mut self, a: usize, to: i8) {
        if let Some(local) = &mut self.local {
            local.state_changed((self.source[a], self.target[a]), self.state[a], to);
        }
        self.state[a] = to;
    }

    /// Brings every raised arc (at its upper bound until its capacity was
    /// raised, see `Simplex::change_capacity`) back to a bound or into the
    /// tree by one pivot in the direction its reduced cost pays: up to its
    /// new capacity, or down. The tree stays feasible, so primal pivots
    /// follow instead of the dual pivots that pushing the new capacity
    /// around the tree would call for.
    pub(super) fn pivot_raised(&mut self) {
        let raised = std::mem::take(&mut self.raised);
        for &a in &raised {
            let a = a as usize;
            if self.state[a] != ArcState::Upper as i8 || self.flow[a] >= self.cap[a] {
                continue; // entered the tree since, or not raised after all
            }
            // Lowering it does not pay: raise it instead.
            if self.violation(a) >= 0 {
                self.state[a] = ArcState::Lower as i8;
            }
            self.pivot(a);
        }
        self.raised = raised;
        self.raised.clear();
    }

    /// The cycle that non-tree arc `e` closes with the tree, in the direction
    /// it can move flow: whether it is at its lower bound, and (first,
    /// second, join) — flow goes first -> second along `e`, then second ->
    /// join -> first through the tree.
    pub(super) fn cycle_of(&self, e: usize) -> (bool, (u32, u32, u32)) {
        let at_lower = self.state[e] == ArcState::Lower as i8;
        let (first, second) = if at_lower {
            (self.source[e], self.target[e])
        } else {
            (self.target[e], self.source[e])
        };
        (at_lower, (first, second, self.join(first, second)))
    }

    /// Sends `delta` units around the cycle of non-tree arc `e`: along `e`
    /// from `first` to `second` (forward when `at_lower`, else backward),
    /// then back to `first` through the tree by `join`. The tree arcs on the
    /// cycle that this leaves out of their bounds are appended to `touched`
    /// when given.
    pub(super) fn push_around(
        &mut self,
        e: usize,
        at_lower: bool,
        (first, second, join): (u32, u32, u32),
        delta: i64,
        mut touched: Option<&mut Vec<u32>>,
    ) {
        self.flow[e] += if at_lower { delta } else { -delta };
        self.note_moved(e);
        // Units move parent -> u on the first side, u -> parent on the second.
        for (start, down) in [(first, true), (second, false)] {
            let mut u = start;
            while u != join {
                let a = self.pred[u as usize] as usize;
                let along = if down {
                    self.target[a] == u
                } else {
                    self.source[a] == u
                };
                self.flow[a] += if along { delta } else { -delta };
                self.note_moved(a);
                if let Some(t) = touched.as_deref_mut() {
                    if !(0..=self.cap[a]).contains(&self.flow[a]) {
                        t.push(a as u32);
                    }
                }
                u = self.parent[u as usize];
            }
        }
    }

    /// Notes that arc `a`'s flow or state changed (see `moved`).
    pub(super) fn note_moved(&mut self, a: usize) {
        self.moved.note(a, self.flow.len() / 8);
    }

    /// Cuts the subtree rooted at `out` and hangs it again from `v_in` through
    /// the entering arc `e`, rooted at `u_in` (which lies in that subtree).
    ///
    /// The new preorder of the subtree is `u_in`'s subtree, then each node
    /// `p` on the path from `u_in` up to `out` with its subtree less the
    /// part already placed: runs of the old thread, each of which keeps its
    /// order and moves rigidly (its depths by one amount). So one walk over
    /// the subtree finds the runs' ends and moves the nodes' potentials and
    /// depths, and only the runs' ends are linked anew: O(subtree + path)
    /// reads, and writes to the thread at the runs' ends alone.
    pub(super) fn rehang(&mut self, out: u32, u_in: u32, v_in: u32, e: u32) {
        let a = e as usize;
        let new_pi = if self.target[a] == u_in {
            self.pi[v_in as usize] + self.cost[a]
        } else {
            self.pi[v_in as usize] - self.cost[a]
        };
        let sigma = new_pi - self.pi[u_in as usize];
        // Path u_in = p0, p1, ..., pk = out.
        self.path.clear();
        let mut p = u_in;
        loop {
            self.path.push(p);
            if p == out {
                break;
            }
            p = self.parent[p as usize];
        }
        let mut local = self.local.take();
        let queued = local.as_deref().map_or(0, LocalPricing::queued);
        let mut moved = 0usize;
        let (pi_root, art_cost) = (self.pi[self.root as usize], self.art_cost);
        let root = self.root;
        // The runs of the new preorder, (first, last) of each, in order.
        let mut runs = std::mem::take(&mut self.runs);
        runs.clear();
        let hung_depth = self.depth[v_in as usize] + 1;
        // The last node of p_{j-1}'s old subtree.
        let mut below_last = NONE;
        for j in 0..self.path.len() {
            let pj = self.path[j];
            let old_depth = self.depth[pj as usize];
            let new_depth = hung_depth + j as u32;
            // Every node of this run moves as p_j does (depths are read
            // before they are moved: the walk meets each node once).
            let mut visit = |s: &mut Simplex, v: u32| {
                let v = v as usize;
                s.pi[v] += sigma;
                s.depth[v] = s.depth[v] - old_depth + new_depth;
                moved += 1;
                if let Some(local) = local.as_deref_mut() {
                    local.moved_one(v as u32, sigma);
                    // Its artificial arc may violate (see `moved_subtree`).
                    if (s.pi[v] - pi_root).abs() > art_cost {
                        local.far.push(v as u32);
                    }
                }
            };
            // From p_j: its whole subtree (j = 0), or up to p_{j-1}.
            let stop = if j == 0 { NONE } else { self.path[j - 1] };
            let mut v = pj;
            let mut last;
            loop {
                visit(self, v);
                last = v;
                v = self.thread[v as usize];
                if v == stop || (stop == NONE && (v == root || self.depth[v as usize] <= old_depth))
                {
                    break;
                }
            }
            runs.push(pj);
            runs.push(last);
            if j == 0 {
                below_last = last;
                continue;
            }
            // Then after p_{j-1}'s subtree, while still below p_j.
            let first = self.thread[below_last as usize];
            let mut v = first;
            while v != root && self.depth[v as usize] > old_depth {
                visit(self, v);
                below_last = v;
                v = self.thread[v as usize];
            }
            if v != first {
                runs.push(first);
                runs.push(below_last);
            }
        }
        if let Some(local) = local.as_deref_mut() {
            local.moved_subtree(self, sigma, (out, below_last), (moved, queued));
        }
        self.local = local;
        // Unlink the old run [out .. below_last] from the thread.
        let before = self.rev_thread[out as usize];
        let after = self.thread[below_last as usize];
        self.thread[before as usize] = after;
        self.rev_thread[after as usize] = before;
        // Link the runs in their new order right after v_in.
        let next = self.thread[v_in as usize];
        let mut prev = v_in;
        for run in runs.chunks_exact(2) {
            self.thread[prev as usize] = run[0];
            self.rev_thread[run[0] as usize] = prev;
            prev = run[1];
        }
        self.thread[prev as usize] = next;
        self.rev_thread[next as usize] = prev;
        self.runs = runs;
        // Reverse parents along the path.
        let mut new_parent = v_in;
        let mut new_pred = e;
        for j in 0..self.path.len() {
            let pj = self.path[j] as usize;
            let old_pred = self.pred[pj];
            self.parent[pj] = new_parent;
            self.pred[pj] = new_pred;
            new_parent = pj as u32;
            new_pred = old_pred;
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{Pricing, SolveOptions, solve};
    use crate::error::Error;
    use crate::graph::FlowNetwork;

    /// A network of `n` nodes and about `per_node` arcs a node (capacities
    /// 1 to 5, costs −8 to 12) with `n` units sent between random nodes.
    pub(in crate::solve::network_simplex) fn random_network(
        next: &mut impl FnMut(u64) -> u64,
        n: usize,
        per_node: usize,
    ) -> crate::graph::FlowNetwork {
        let mut net = crate::graph::FlowNetwork::new(n);
        for _ in 0..per_node * n {
            let (s, t) = (next(n as u64) as u32, next(n as u64) as u32);
            if s != t {
                net.add_arc(s, t, 1 + next(5) as i64, next(21) as i64 - 8);
            }
        }
        for _ in 0..n {
            let (s, t) = (next(n as u64) as usize, next(n as u64) as usize);
            net.supply[s] += 1;
            net.supply[t] -= 1;
        }
        net
    }

    /// Asserts that `a` and `b` hold the same arcs and the same tree,
    /// array by array.
    pub(in crate::solve::network_simplex) fn assert_same(
        a: &super::Simplex,
        b: &super::Simplex,
        what: &str,
    ) {
        let sizes = |s: &super::Simplex| (s.n, s.m, s.root, s.art_cost);
        assert_eq!(sizes(a), sizes(b), "{what}");
        let ends = (&a.source, &a.target, &a.cost);
        assert_eq!(ends, (&b.source, &b.target, &b.cost), "{what}");
        assert_eq!(
            (&a.cap, &a.flow, &a.state),
            (&b.cap, &b.flow, &b.state),
            "{what}"
        );
        assert_eq!(
            (&a.pi, &a.parent, &a.pred),
            (&b.pi, &b.parent, &b.pred),
            "{what}"
        );
        let thread = (&a.thread, &a.rev_thread);
        assert_eq!(thread, (&b.thread, &b.rev_thread), "{what}");
        assert_eq!((&a.depth, &a.supply), (&b.depth, &b.supply), "{what}");
    }

    /// A xorshift generator seeded by `seed` and `salt`: each call draws
    /// a number below its argument.
    pub(in crate::solve::network_simplex) fn xorshift(
        seed: u64,
        salt: u64,
    ) -> impl FnMut(u64) -> u64 {
        let mut x = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(salt);
        move |k: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % k
        }
    }

    fn random_net(seed: u64, n: usize, m: usize) -> FlowNetwork {
        let mut next = xorshift(seed, 1);
        let mut net = FlowNetwork::new(n);
        for _ in 0..m {
            let s = next(n as u64) as u32;
            let t = next(n as u64) as u32;
            if s != t {
                net.add_arc(s, t, next(8) as i64, next(21) as i64 - 5);
            }
        }
        for _ in 0..n {
            let s = next(n as u64) as usize;
            let t = next(n as u64) as usize;
            let q = next(4) as i64;
            net.supply[s] += q;
            net.supply[t] -= q;
        }
        net
    }

    /// Asserts that `s`'s tree is whole: the thread visits every node once
    /// from the root in a preorder of the parents, each depth is its
    /// parent's plus one, each parent arc joins the node to its parent,
    /// and the potentials are the tree's.
    fn assert_tree(s: &super::Simplex, what: &str) {
        let root = s.root as usize;
        let (mut seen, mut v, mut path) = (vec![false; s.n + 1], root, vec![root]);
        for _ in 0..=s.n {
            seen[v] = true;
            let next = s.thread[v] as usize;
            assert_eq!(
                s.rev_thread[next] as usize, v,
                "{what}: rev_thread of {next}"
            );
            if next == root {
                break;
            }
            // The next node hangs below one on the path from the root to v.
            let p = s.parent[next] as usize;
            while *path.last().unwrap() != p {
                path.pop();
                assert!(
                    !path.is_empty(),
                    "{what}: {next} is not below the thread's path"
                );
            }
            path.push(next);
            assert_eq!(s.depth[next], s.depth[p] + 1, "{what}: depth of {next}");
            let a = s.pred[next] as usize;
            let ends = (s.source[a] as usize, s.target[a] as usize);
            assert!(
                ends == (next, p) || ends == (p, next),
                "{what}: pred of {next}"
            );
            v = next;
        }
        assert!(seen.iter().all(|&x| x), "{what}: the thread misses nodes");
        let mut again = s.clone();
        again.recompute_potentials();
        assert_eq!(again.pi, s.pi, "{what}: potentials");
    }

    /// The default options with each pricing.
    fn each_pricing() -> [SolveOptions; 2] {
        [Pricing::BlockSearch, Pricing::CandidateList].map(|pricing| SolveOptions {
            pricing,
            ..SolveOptions::default()
        })
    }

    /// Every pivot of cold solves of random networks (both pricings)
    /// leaves a whole tree (see `assert_tree`).
    #[test]
    fn every_pivot_leaves_a_whole_tree() {
        for seed in 0..30 {
            let net = random_net(seed, 25, 100);
            for opts in each_pricing() {
                let mut s = super::Simplex::new(&net, &opts);
                s.init_cold();
                assert_tree(&s, &format!("seed {seed}, start"));
                while let Some(e) = s.find_entering() {
                    s.pivot(e);
                    assert_tree(&s, &format!("seed {seed}, pivot {}", s.stats.pivots));
                }
            }
        }
    }

    #[test]
    fn subtree_runs_stay_consistent_over_many_pivots() {
        for seed in 0..40 {
            let net = random_net(seed, 30, 120);
            for opts in each_pricing() {
                match solve(&net, &opts) {
                    Ok(sol) => {
                        // Reduced costs certify optimality.
                        for a in 0..net.arc_count() {
                            let rc = net.cost[a] + sol.potential[net.source[a] as usize]
                                - sol.potential[net.target[a] as usize];
                            assert!(rc >= 0 || sol.flow[a] == net.capacity[a], "seed {seed}");
                            assert!(rc <= 0 || sol.flow[a] == 0, "seed {seed}");
                        }
                    }
                    Err(Error::Infeasible(_)) => {}
                    Err(e) => panic!("seed {seed}: {e}"),
                }
            }
        }
    }
}
