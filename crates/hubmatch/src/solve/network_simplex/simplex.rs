//! The simplex itself: the spanning-tree basis, pricing and pivots.

use super::{ArcState, Basis, CancelFlag, FlowSolution, Pricing, SolveOptions, SolveStats};
use crate::error::{Error, Result};
use crate::graph::FlowNetwork;

const NONE: u32 = u32::MAX;

#[derive(Clone)]
pub(super) struct Simplex {
    pub(super) supply: Vec<i64>,
    pub(super) n: usize,
    pub(super) m: usize,
    root: u32,
    pub(super) art_cost: i64,
    // Arcs (network arcs, then artificial ones).
    source: Vec<u32>,
    target: Vec<u32>,
    pub(super) cost: Vec<i64>,
    pub(super) cap: Vec<i64>,
    flow: Vec<i64>,
    state: Vec<i8>,
    // Nodes (root last).
    pi: Vec<i64>,
    parent: Vec<u32>,
    pred: Vec<u32>,
    depth: Vec<u32>,
    thread: Vec<u32>,
    rev_thread: Vec<u32>,
    cancel: Option<CancelFlag>,
    // Pricing.
    pricing: Pricing,
    block_size: usize,
    next_arc: usize,
    candidates: Vec<u32>,
    minor_left: usize,
    /// Arcs to price before the others (changed costs in a [`Resolver`]).
    pub(super) seeds: Vec<u32>,
    // Scratch for tree updates.
    path: Vec<u32>,
    seq: Vec<u32>,
    pub(super) stats: SolveStats,
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
            .unwrap_or_else(|| ((total as f64).sqrt().ceil() as usize).max(10))
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
            seq: Vec::new(),
            stats: SolveStats::default(),
        }
    }

    /// Every node hangs from the root by its artificial arc, carrying its supply.
    pub(super) fn init_cold(&mut self) {
        let (n, m, root) = (self.n, self.m, self.root);
        self.flow[..m].fill(0);
        self.state[..m].fill(ArcState::Lower as i8);
        self.parent[root as usize] = NONE;
        self.pred[root as usize] = NONE;
        self.depth[root as usize] = 0;
        self.pi[root as usize] = 0;
        let mut prev = root;
        for v in 0..n {
            let a = m + v;
            let supply = self.supply[v];
            self.orient_artificial(v, supply >= 0);
            self.flow[a] = supply.abs();
            self.state[a] = ArcState::Tree as i8;
            self.parent[v] = root;
            self.pred[v] = a as u32;
            self.depth[v] = 1;
            self.pi[v] = if supply >= 0 {
                -self.art_cost
            } else {
                self.art_cost
            };
            self.thread[prev as usize] = v as u32;
            self.rev_thread[v] = prev;
            prev = v as u32;
        }
        self.thread[prev as usize] = root;
        self.rev_thread[root as usize] = prev;
    }

    fn orient_artificial(&mut self, v: usize, outward: bool) {
        let a = self.m + v;
        if outward {
            self.source[a] = v as u32;
            self.target[a] = self.root;
        } else {
            self.source[a] = self.root;
            self.target[a] = v as u32;
        }
    }

    /// Builds the tree of `basis`; false when it is not a spanning tree of
    /// this network. Tree arcs whose flow the current capacities and
    /// supplies make infeasible (or not strongly feasible) leave the tree,
    /// their subtrees hanging from the root by artificial arcs.
    pub(super) fn init_from(&mut self, basis: &Basis) -> bool {
        let (n, m, root) = (self.n, self.m, self.root as usize);
        if basis.state.len() != m + n {
            return false;
        }
        // Adjacency of tree arcs (CSR), artificial arcs joining node and root.
        let ends = |a: usize| {
            if a < m {
                (self.source[a] as usize, self.target[a] as usize)
            } else {
                (a - m, root)
            }
        };
        let mut degree = vec![0u32; n + 2];
        let mut tree_arcs = 0;
        for (a, s) in basis.state.iter().enumerate() {
            self.state[a] = *s as i8;
            if *s == ArcState::Tree {
                let (u, v) = ends(a);
                degree[u + 1] += 1;
                degree[v + 1] += 1;
                tree_arcs += 1;
            }
        }
        if tree_arcs != n {
            return false;
        }
        for i in 1..degree.len() {
            degree[i] += degree[i - 1];
        }
        let mut fill = degree.clone();
        let mut adj = vec![0u32; 2 * n];
        for (a, s) in basis.state.iter().enumerate() {
            if *s == ArcState::Tree {
                let (u, v) = ends(a);
                adj[fill[u] as usize] = a as u32;
                fill[u] += 1;
                adj[fill[v] as usize] = a as u32;
                fill[v] += 1;
            }
        }
        // Preorder by depth-first search from the root.
        let mut order: Vec<usize> = Vec::with_capacity(n + 1);
        let mut seen = vec![false; n + 1];
        let mut stack = vec![root];
        seen[root] = true;
        self.parent[root] = NONE;
        self.pred[root] = NONE;
        self.depth[root] = 0;
        while let Some(u) = stack.pop() {
            order.push(u);
            for &a in adj[degree[u] as usize..degree[u + 1] as usize].iter().rev() {
                let (x, y) = ends(a as usize);
                let w = if x == u { y } else { x };
                if w as u32 == self.parent[u] && a == self.pred[u] {
                    continue;
                }
                if seen[w] {
                    return false; // a cycle
                }
                seen[w] = true;
                self.parent[w] = u as u32;
                self.pred[w] = a;
                self.depth[w] = self.depth[u] + 1;
                stack.push(w);
            }
        }
        if order.len() != n + 1 {
            return false;
        }
        // Flows: non-tree arcs at their bounds, tree arcs carry the excess up.
        let mut excess: Vec<i64> = self.supply.clone();
        excess.push(0);
        for a in 0..m {
            let f = if self.state[a] == ArcState::Upper as i8 {
                self.cap[a]
            } else {
                0
            };
            self.flow[a] = f;
            if f != 0 {
                excess[self.source[a] as usize] -= f;
                excess[self.target[a] as usize] += f;
            }
        }
        for v in 0..n {
            let a = m + v;
            self.flow[a] = 0;
            if self.state[a] != ArcState::Tree as i8 {
                self.state[a] = ArcState::Lower as i8;
                self.orient_artificial(v, self.supply[v] >= 0);
            }
        }
        let mut cut = 0usize;
        for &v in order.iter().skip(1).rev() {
            let a = self.pred[v] as usize;
            let e = excess[v];
            if a >= m {
                self.orient_artificial(v, e >= 0);
                self.flow[a] = e.abs();
                excess[self.parent[v] as usize] += e;
                continue;
            }
            let up = self.source[a] as usize == v;
            let f = if up { e } else { -e };
            let cap = self.cap[a];
            // Strongly feasible: within bounds, and flow can be pushed from v
            // towards the root.
            if (0..=cap).contains(&f) && (if up { f < cap } else { f > 0 }) {
                self.flow[a] = f;
                excess[self.parent[v] as usize] += e;
                continue;
            }
            // Repair (capacities or supplies changed since the basis was
            // optimal): the arc leaves the tree at its nearest bound and v's
            // subtree hangs from the root by v's artificial arc, which carries
            // the rest; pivots then drive the artificial flow out.
            let b = f.clamp(0, cap);
            self.flow[a] = b;
            self.state[a] = if cap > 0 && b == cap {
                ArcState::Upper as i8
            } else {
                ArcState::Lower as i8
            };
            let moved = if up { b } else { -b };
            excess[self.parent[v] as usize] += moved;
            let rest = e - moved;
            let art = m + v;
            self.orient_artificial(v, rest >= 0);
            self.flow[art] = rest.abs();
            self.state[art] = ArcState::Tree as i8;
            self.parent[v] = root as u32;
            self.pred[v] = art as u32;
            cut += 1;
        }
        if cut > 0 {
            self.stats.repaired = cut;
            order = self.preorder_from_parents();
        }
        // Thread and potentials in preorder.
        for w in order.windows(2) {
            self.thread[w[0]] = w[1] as u32;
            self.rev_thread[w[1]] = w[0] as u32;
        }
        let last = order[n];
        self.thread[last] = root as u32;
        self.rev_thread[root] = last as u32;
        self.pi[root] = 0;
        for &v in order.iter().skip(1) {
            let a = self.pred[v] as usize;
            let p = self.parent[v] as usize;
            self.pi[v] = if self.target[a] as usize == v {
                self.pi[p] + self.cost[a]
            } else {
                self.pi[p] - self.cost[a]
            };
        }
        true
    }

    /// Preorder of the tree given by `parent`, from the root, with depths
    /// set (children in node order).
    fn preorder_from_parents(&mut self) -> Vec<usize> {
        let (n, root) = (self.n, self.root as usize);
        let mut start = vec![0u32; n + 2];
        for v in 0..n {
            start[self.parent[v] as usize + 1] += 1;
        }
        for i in 0..=n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; n];
        for v in 0..n {
            let p = self.parent[v] as usize;
            children[fill[p] as usize] = v as u32;
            fill[p] += 1;
        }
        let mut order = Vec::with_capacity(n + 1);
        let mut stack = vec![root];
        self.depth[root] = 0;
        while let Some(u) = stack.pop() {
            order.push(u);
            for &w in children[start[u] as usize..start[u + 1] as usize]
                .iter()
                .rev()
            {
                self.depth[w as usize] = self.depth[u] + 1;
                stack.push(w as usize);
            }
        }
        order
    }

    #[inline]
    fn violation(&self, a: usize) -> i64 {
        i64::from(self.state[a])
            * (self.cost[a] + self.pi[self.source[a] as usize] - self.pi[self.target[a] as usize])
    }

    /// Removes from `list` the arcs that no longer violate and takes out
    /// the most violating one, if any.
    fn take_most_violating(&self, list: &mut Vec<u32>) -> Option<usize> {
        let mut best = 0i64;
        let mut best_at = usize::MAX;
        let mut i = 0;
        while i < list.len() {
            let v = self.violation(list[i] as usize);
            if v < 0 {
                if v < best {
                    best = v;
                    best_at = i;
                }
                i += 1;
            } else {
                list.swap_remove(i);
            }
        }
        (best < 0).then(|| list.swap_remove(best_at) as usize)
    }

    fn find_entering(&mut self) -> Option<usize> {
        // Arcs whose cost changed since the last solve are priced first: the
        // most violating of them enters; the others stay listed.
        if !self.seeds.is_empty() {
            let mut seeds = std::mem::take(&mut self.seeds);
            let best = self.take_most_violating(&mut seeds);
            self.seeds = seeds;
            if best.is_some() {
                return best;
            }
        }
        match self.pricing {
            Pricing::BlockSearch => self.block_search(),
            Pricing::CandidateList => self.candidate_list(),
        }
    }

    fn block_search(&mut self) -> Option<usize> {
        let total = self.source.len();
        let mut best = 0i64;
        let mut best_arc = usize::MAX;
        let mut left = self.block_size;
        let start = self.next_arc;
        for a in (start..total).chain(0..start) {
            let v = self.violation(a);
            if v < best {
                best = v;
                best_arc = a;
            }
            left -= 1;
            if left == 0 {
                if best < 0 {
                    self.next_arc = if a + 1 == total { 0 } else { a + 1 };
                    return Some(best_arc);
                }
                left = self.block_size;
            }
        }
        (best < 0).then_some(best_arc)
    }

    fn candidate_list(&mut self) -> Option<usize> {
        // Minor iteration: the best candidate that still violates.
        if self.minor_left > 0 {
            self.minor_left -= 1;
            let mut candidates = std::mem::take(&mut self.candidates);
            let best = self.take_most_violating(&mut candidates);
            self.candidates = candidates;
            if best.is_some() {
                return best;
            }
        }
        // Major iteration: a fresh list from a scan starting where the last stopped.
        let list_len = (self.block_size / 4).max(10);
        self.candidates.clear();
        let total = self.source.len();
        let start = self.next_arc;
        let mut best = 0i64;
        let mut best_at = usize::MAX;
        for a in (start..total).chain(0..start) {
            let v = self.violation(a);
            if v < 0 {
                if v < best {
                    best = v;
                    best_at = self.candidates.len();
                }
                self.candidates.push(a as u32);
                if self.candidates.len() >= list_len {
                    self.next_arc = if a + 1 == total { 0 } else { a + 1 };
                    break;
                }
            }
        }
        self.minor_left = (list_len / 10).max(3);
        (best < 0).then(|| self.candidates.swap_remove(best_at) as usize)
    }

    fn join(&self, mut u: u32, mut v: u32) -> u32 {
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
        let cost = self.value()?;
        Ok(FlowSolution {
            flow: self.flow[..self.m].to_vec(),
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
        let mut cost: i128 = 0;
        for a in 0..self.m {
            cost += i128::from(self.cost[a]) * i128::from(self.flow[a]);
        }
        i64::try_from(cost)
            .map_err(|_| Error::Overflow(format!("total cost {cost} exceeds 64 bits")))
    }

    /// Sets the capacity of network arc `a`, keeping the tree's flows when
    /// that is cheap: a non-tree arc at its upper bound moves the difference
    /// around its tree path. Returns false when the tree's flows must be
    /// rebuilt instead (a bound or strong feasibility would break).
    pub(super) fn change_capacity(&mut self, a: usize, cap: i64) -> bool {
        let old = self.cap[a];
        self.cap[a] = cap;
        if self.state[a] == ArcState::Lower as i8 {
            return true;
        }
        if self.state[a] == ArcState::Tree as i8 {
            let child = if self.pred[self.source[a] as usize] == a as u32 {
                self.source[a]
            } else {
                self.target[a]
            };
            let up = self.source[a] == child;
            let f = self.flow[a];
            return f <= cap && (if up { f < cap } else { f > 0 });
        }
        // At its upper bound: the arc carries `cap` now; the difference goes
        // back around the tree path from its head to its tail.
        let delta = cap - old;
        self.flow[a] = cap;
        if cap == 0 {
            self.state[a] = ArcState::Lower as i8;
        }
        let (from, to) = (self.target[a], self.source[a]);
        let join = self.join(from, to);
        let mut ok = true;
        for (start, towards_root) in [(from, true), (to, false)] {
            let mut u = start;
            while u != join {
                let t = self.pred[u as usize] as usize;
                // Units move child -> parent on the `from` side, parent -> child on the other.
                let along = (self.source[t] == u) == towards_root;
                self.flow[t] += if along { delta } else { -delta };
                let f = self.flow[t];
                let up = self.source[t] == u;
                ok &= f >= 0 && f <= self.cap[t] && (if up { f < self.cap[t] } else { f > 0 });
                u = self.parent[u as usize];
            }
        }
        ok
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

    fn pivot(&mut self, e: usize) {
        self.stats.pivots += 1;
        let at_lower = self.state[e] == ArcState::Lower as i8;
        // Flow goes first -> second along e, then second -> join -> first.
        let (first, second) = if at_lower {
            (self.source[e], self.target[e])
        } else {
            (self.target[e], self.source[e])
        };
        let join = self.join(first, second);

        // Leaving arc: the last blocking arc in the direction of flow from the
        // apex. `out` is the child end of the leaving tree arc.
        let mut delta = self.cap[e];
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
            self.flow[e] += if at_lower { delta } else { -delta };
            let mut u = first;
            while u != join {
                let a = self.pred[u as usize] as usize;
                self.flow[a] += if self.target[a] == u { delta } else { -delta };
                u = self.parent[u as usize];
            }
            u = second;
            while u != join {
                let a = self.pred[u as usize] as usize;
                self.flow[a] += if self.source[a] == u { delta } else { -delta };
                u = self.parent[u as usize];
            }
        } else {
            self.stats.degenerate += 1;
        }

        if out == NONE {
            // The entering arc blocks itself: it moves to its other bound.
            self.state[e] = -self.state[e];
            return;
        }
        let leaving = self.pred[out as usize] as usize;
        self.state[leaving] = if self.flow[leaving] == 0 {
            ArcState::Lower as i8
        } else {
            ArcState::Upper as i8
        };
        self.state[e] = ArcState::Tree as i8;
        let (u_in, v_in) = if out_on_first {
            (first, second)
        } else {
            (second, first)
        };
        self.rehang(out, u_in, v_in, e as u32);
    }

    /// Cuts the subtree rooted at `out` and hangs it again from `v_in` through
    /// the entering arc `e`, rooted at `u_in` (which lies in that subtree).
    fn rehang(&mut self, out: u32, u_in: u32, v_in: u32, e: u32) {
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
        // New preorder of the subtree: p0's subtree, then each p_j's subtree
        // without p_{j-1}'s, all read off the old thread.
        self.seq.clear();
        let mut skip: (u32, u32) = (NONE, NONE); // (first, last) of the run to skip
        let mut old_last = out;
        for j in 0..self.path.len() {
            let pj = self.path[j];
            let d = self.depth[pj as usize];
            let mut v = pj;
            let mut last;
            loop {
                if v == skip.0 {
                    last = skip.1;
                    v = self.thread[skip.1 as usize];
                } else {
                    self.seq.push(v);
                    last = v;
                    v = self.thread[v as usize];
                }
                if v == self.root || self.depth[v as usize] <= d {
                    break;
                }
            }
            skip = (pj, last);
            old_last = last;
        }
        // Unlink the old run [out .. old_last] from the thread.
        let before = self.rev_thread[out as usize];
        let after = self.thread[old_last as usize];
        self.thread[before as usize] = after;
        self.rev_thread[after as usize] = before;
        // Link the new run right after v_in.
        let next = self.thread[v_in as usize];
        let mut prev = v_in;
        for &v in &self.seq {
            self.thread[prev as usize] = v;
            self.rev_thread[v as usize] = prev;
            prev = v;
        }
        self.thread[prev as usize] = next;
        self.rev_thread[next as usize] = prev;
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
        // Potentials shift by one amount over the subtree; depths follow parents.
        let a = e as usize;
        let new_pi = if self.target[a] == u_in {
            self.pi[v_in as usize] + self.cost[a]
        } else {
            self.pi[v_in as usize] - self.cost[a]
        };
        let sigma = new_pi - self.pi[u_in as usize];
        for &v in &self.seq {
            let v = v as usize;
            self.pi[v] += sigma;
            self.depth[v] = self.depth[self.parent[v] as usize] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Pricing, SolveOptions, solve};
    use crate::error::Error;
    use crate::graph::FlowNetwork;

    fn random_net(seed: u64, n: usize, m: usize) -> FlowNetwork {
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut next = move |k: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % k
        };
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

    #[test]
    fn subtree_runs_stay_consistent_over_many_pivots() {
        for seed in 0..40 {
            let net = random_net(seed, 30, 120);
            for pricing in [Pricing::BlockSearch, Pricing::CandidateList] {
                let opts = SolveOptions {
                    pricing,
                    block_size: None,
                    cancel: None,
                };
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
