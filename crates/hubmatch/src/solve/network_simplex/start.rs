//! Starting trees: every node on its artificial arc (cold), the tree of a
//! given basis with its flows recomputed and repaired, and capacity changes
//! on a kept tree.
//!
//! Complexity: O(nodes + arcs) for a start from a basis; a capacity change
//! on an arc at its upper bound costs its tree path.

use super::simplex::{NONE, Simplex};
use super::{ArcState, Basis};

impl Simplex {
    /// Every node hangs from the root by its artificial arc, carrying its supply.
    pub(super) fn init_cold(&mut self) {
        self.moved.all = true;
        self.raised.clear();
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
        self.init_from_repairing(basis, usize::MAX)
    }

    /// [`Simplex::init_from`], refusing (false) a basis that needs more than
    /// `max_repairs` arcs repaired.
    pub(super) fn init_from_repairing(&mut self, basis: &Basis, max_repairs: usize) -> bool {
        self.moved.all = true;
        self.raised.clear();
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
            if cut > max_repairs {
                return false;
            }
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
        self.recompute_potentials();
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

    /// Sets the capacity of network arc `a` alone (its flow untouched),
    /// noting the change for [`Simplex::restore_from`].
    pub(super) fn set_cap(&mut self, a: usize, cap: i64) {
        self.cap[a] = cap;
        // A long-lived resolver's: the whole array is copied instead.
        self.caps_changed.note(a, self.m / 8);
    }

    /// Sets the capacity of network arc `a`, keeping the tree's flows when
    /// that is cheap: a non-tree arc at its upper bound keeps its flow when
    /// raised (listed in `raised`) and moves the difference around its tree
    /// path when lowered. Returns false when the tree's flows must be
    /// rebuilt instead (a bound or strong feasibility would break).
    pub(super) fn change_capacity(&mut self, a: usize, cap: i64) -> bool {
        let old = self.cap[a];
        self.set_cap(a, cap);
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
        // At its upper bound. Raised: it keeps its flow, below its bound until
        // `pivot_raised` moves it (the tree stays feasible).
        let f = self.flow[a];
        if cap >= f {
            if cap > f && cap > old {
                self.raised.push(a as u32);
            }
            return true;
        }
        self.push_to_bound(a)
    }

    /// Brings every raised arc still below its upper bound up to it (see
    /// `Simplex::change_capacity`), as a lowered one is: false when that
    /// breaks a tree arc's bounds (or strong feasibility).
    pub(super) fn push_raised(&mut self) -> bool {
        let raised = std::mem::take(&mut self.raised);
        let mut ok = true;
        for &a in &raised {
            let a = a as usize;
            if self.state[a] == ArcState::Upper as i8 && self.flow[a] < self.cap[a] {
                ok &= self.push_to_bound(a);
            }
        }
        self.raised = raised;
        self.raised.clear();
        ok
    }

    /// Sets the flow of non-tree arc `a` at its upper bound to its capacity,
    /// the difference going back around the tree path from its head to its
    /// tail; false when that breaks a tree arc's bounds (or strong
    /// feasibility).
    fn push_to_bound(&mut self, a: usize) -> bool {
        let cap = self.cap[a];
        let delta = cap - self.flow[a];
        // It stays at its upper bound even if that is now 0: its reduced
        // cost is still priced for that side.
        self.flow[a] = cap;
        self.note_moved(a);
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
                self.note_moved(t);
                let f = self.flow[t];
                let up = self.source[t] == u;
                ok &= f >= 0 && f <= self.cap[t] && (if up { f < self.cap[t] } else { f > 0 });
                u = self.parent[u as usize];
            }
        }
        ok
    }
}
