//! Primal network simplex for min-cost flow on integer data.
//!
//! # Algorithm
//!
//! The basis is a spanning tree of the network plus an artificial root joined
//! to every node by an artificial arc of cost `ART = (n + 1)(C + 1)` (`C` the
//! largest absolute cost), so that any feasible flow beats one using them. The
//! tree is kept *strongly feasible* (Cunningham): from every node a positive
//! amount of flow can be sent to the root along the tree. Choosing the leaving
//! arc as the last blocking arc met when walking the pivot cycle in the
//! direction of flow from its apex keeps it so, which rules out cycling on
//! degenerate pivots.
//!
//! The tree is stored as parent, parent arc, depth, and a *thread*: the nodes
//! in preorder as a circular doubly-linked list, so that every subtree is a
//! contiguous run of the thread ending where the depth drops back. A pivot
//! walks the two tree paths of the cycle to the apex (join node) to find the
//! leaving arc, then re-hangs the subtree cut off by it under the entering
//! arc: the new preorder of that subtree is assembled from runs of the old one
//! along the path that gets reversed, and its potentials and depths are
//! updated in the same pass.
//!
//! Pricing scans arcs in blocks of about `√m` from where the last scan
//! stopped and takes the most violating arc of the first block that has one
//! (*block search*), or keeps a short list of candidates found in one major
//! scan and prices only those for a few minor iterations (*candidate list*).
//!
//! # Complexity
//!
//! Each pivot costs O(|cycle| + |moved subtree|) for the tree update and
//! O(block) for pricing; the number of pivots has no useful polynomial bound
//! (the method is exponential in the worst case) but grows near-linearly in
//! practice on assignment-like networks. Memory is O(n + m): about 33 bytes an
//! arc and 45 bytes a node.
//!
//! # What profiling taught (district-13, 2 cores)
//!
//! * Pricing dominates: about two thirds of the time goes to computing
//!   reduced costs in block search, most of it waiting on the two random
//!   reads of node potentials per arc; the tree update is about a sixth.
//! * Starting from the crash basis (every need unserved) instead of the
//!   artificial one cuts pivots about seven-fold on matching networks
//!   (district-13 pooled: 112 k instead of 797 k).
//! * Block size: half of √m gave the fewest seconds on district-13 pooled
//!   (1.22 s against 1.69 s at √m), but √m is kept as the default, which was
//!   best on the community-sized networks; candidate-list pricing pivots three
//!   times as often and is slower.
//! * Arc mixing (storing arcs interleaved, as LEMON does) made district-13
//!   pooled 30% faster but random and per-community networks 30–45% slower
//!   and cost 13 more bytes an arc, so arcs stay in the builder's order.
//!
//! # Numbers
//!
//! All arithmetic is exact in `i64`. [`FlowNetwork::check`] bounds
//! `(n + 1)(C + 1)` by `i64::MAX / 8`, which bounds every potential by
//! `2·ART` and every reduced cost by `5·ART`.
//!
//! # Warm starts
//!
//! [`FlowSolution::basis`] can seed a later solve of a network of the same
//! shape ([`solve_from`]): after a cost change the old tree is still primal
//! feasible and the simplex resumes pricing from it; after a capacity or
//! supply change it is used when its flows stay within bounds and strongly
//! feasible, and a cold start is made otherwise ([`SolveStats::warm`] says
//! which happened).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::graph::FlowNetwork;

/// A flag that stops running solves: set it from another thread and every
/// solve holding a clone returns [`Error::Cancelled`] within about a thousand
/// pivots.
///
/// ```
/// use hubmatch::solve::CancelFlag;
/// let flag = CancelFlag::default();
/// let same = flag.clone();
/// same.cancel();
/// assert!(flag.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    /// Asks every solve holding this flag to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelFlag::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for CancelFlag {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CancelFlag {}

/// State of an arc in a basis: in the spanning tree, or out of it at its lower
/// or upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(i8)]
pub enum ArcState {
    /// Out of the tree, at its upper bound (flow = capacity).
    Upper = -1,
    /// In the spanning tree.
    Tree = 0,
    /// Out of the tree, at its lower bound (flow = 0).
    Lower = 1,
}

/// A simplex basis: the state of every arc, the network's arcs first and then
/// one artificial arc per node (joining it to the artificial root).
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::network_simplex::{solve, solve_from, SolveOptions};
/// let mut net = FlowNetwork::new(2);
/// net.supply = vec![2, -2];
/// net.add_arc(0, 1, 5, 3);
/// let first = solve(&net, &SolveOptions::default()).unwrap();
/// net.cost[0] = 4; // a scenario changes one cost
/// let again = solve_from(&net, &first.basis, &SolveOptions::default()).unwrap();
/// assert!(again.stats.warm);
/// assert_eq!(again.cost, 8);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Basis {
    /// State of each arc: `m` network arcs, then `n` artificial arcs.
    pub state: Vec<ArcState>,
}

impl Basis {
    /// A basis whose tree uses the given arc to join each node to its parent,
    /// or the node's artificial arc where `None`; every other arc is at its
    /// lower bound. This is how builders give a *crash* start that already
    /// routes the supplies (for matching: every need through its unserved arc).
    ///
    /// ```
    /// use hubmatch::graph::FlowNetwork;
    /// use hubmatch::solve::network_simplex::Basis;
    /// let mut net = FlowNetwork::new(2);
    /// net.supply = vec![1, -1];
    /// let a = net.add_arc(0, 1, 1, 0);
    /// let basis = Basis::from_tree_arcs(&net, &[Some(a), None]);
    /// assert_eq!(basis.state.len(), 3);
    /// ```
    pub fn from_tree_arcs(net: &FlowNetwork, tree_arc: &[Option<u32>]) -> Basis {
        let m = net.arc_count();
        let n = net.node_count();
        let mut state = vec![ArcState::Lower; m + n];
        for (v, arc) in tree_arc.iter().enumerate().take(n) {
            match arc {
                Some(a) if (*a as usize) < m => state[*a as usize] = ArcState::Tree,
                _ => state[m + v] = ArcState::Tree,
            }
        }
        Basis { state }
    }
}

/// How the entering arc is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pricing {
    /// Most violating arc of the first block (of about √m arcs) that has one.
    #[default]
    BlockSearch,
    /// A list of candidates from one major scan, re-priced for a few minor
    /// iterations before the next scan.
    CandidateList,
}

/// Options of a solve.
///
/// ```
/// use hubmatch::solve::network_simplex::{Pricing, SolveOptions};
/// let opts = SolveOptions { pricing: Pricing::CandidateList, ..SolveOptions::default() };
/// assert_eq!(opts.block_size, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolveOptions {
    /// Pricing rule.
    pub pricing: Pricing,
    /// Block size for block search (default: about √m, at least 10).
    pub block_size: Option<usize>,
    /// Stops the solve when set.
    pub cancel: Option<CancelFlag>,
}

/// Counters of one solve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolveStats {
    /// Number of pivots (including degenerate ones and bound flips).
    pub pivots: u64,
    /// Pivots that moved no flow.
    pub degenerate: u64,
    /// Whether the given starting basis was used (false: cold start).
    pub warm: bool,
}

/// An optimal flow with its potentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSolution {
    /// Flow on each arc.
    pub flow: Vec<i64>,
    /// Node potentials `π`, with reduced costs `c(a) + π(tail) − π(head)`:
    /// non-negative on arcs without flow, non-positive on saturated arcs, zero
    /// in between.
    pub potential: Vec<i64>,
    /// Total cost `Σ c·x`.
    pub cost: i64,
    /// The optimal basis, for warm starts.
    pub basis: Basis,
    /// Counters.
    pub stats: SolveStats,
}

/// Solves `net` from a cold start.
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::network_simplex::{solve, SolveOptions};
/// // Two units from node 0 to node 2: direct at cost 5, or via node 1 at 1 + 1.
/// let mut net = FlowNetwork::new(3);
/// net.supply = vec![2, 0, -2];
/// net.add_arc(0, 2, 2, 5);
/// net.add_arc(0, 1, 1, 1);
/// net.add_arc(1, 2, 1, 1);
/// let sol = solve(&net, &SolveOptions::default()).unwrap();
/// assert_eq!(sol.flow, vec![1, 1, 1]);
/// assert_eq!(sol.cost, 7);
/// ```
pub fn solve(net: &FlowNetwork, options: &SolveOptions) -> Result<FlowSolution> {
    net.check()?;
    let mut s = Simplex::new(net, options);
    s.init_cold();
    s.run()
}

/// Solves `net` starting from `basis` (a warm start), falling back to a cold
/// start when the basis does not fit the network or is not strongly feasible.
pub fn solve_from(
    net: &FlowNetwork,
    basis: &Basis,
    options: &SolveOptions,
) -> Result<FlowSolution> {
    net.check()?;
    let mut s = Simplex::new(net, options);
    if s.init_from(basis) {
        s.stats.warm = true;
    } else {
        s.init_cold();
    }
    s.run()
}

/// A solver that keeps its basis between solves, for re-solving after cost
/// changes (scenario sweeps): the network is built and checked once; each
/// [`Resolver::resolve`] starts from the last optimal tree, so a small change
/// costs a few pivots and one pricing pass instead of a full solve.
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::network_simplex::{Resolver, SolveOptions};
/// let mut net = FlowNetwork::new(3);
/// net.supply = vec![2, 0, -2];
/// net.add_arc(0, 2, 2, 5);
/// net.add_arc(0, 1, 1, 1);
/// net.add_arc(1, 2, 1, 1);
/// let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
/// assert_eq!(r.resolve().unwrap().cost, 7);
/// r.set_cost(0, 1).unwrap(); // the direct arc becomes cheap
/// let again = r.resolve().unwrap();
/// assert_eq!((again.cost, again.flow.clone()), (2, vec![2, 0, 0]));
/// ```
pub struct Resolver {
    simplex: Simplex,
    stale: bool,
}

impl Resolver {
    /// Checks `net` and prepares to solve it from `basis` (or from scratch).
    pub fn new(
        net: &FlowNetwork,
        basis: Option<&Basis>,
        options: &SolveOptions,
    ) -> Result<Resolver> {
        net.check()?;
        let mut simplex = Simplex::new(net, options);
        match basis {
            Some(b) if simplex.init_from(b) => simplex.stats.warm = true,
            _ => simplex.init_cold(),
        }
        Ok(Resolver {
            simplex,
            stale: false,
        })
    }

    /// Changes the cost of network arc `arc`. Its basis stays primal
    /// feasible, so the next [`Resolver::resolve`] continues from it.
    pub fn set_cost(&mut self, arc: usize, cost: i64) -> Result<()> {
        let s = &mut self.simplex;
        if arc >= s.m {
            return Err(Error::Invalid(crate::error::ValidationError::new(
                crate::error::RecordKind::Network,
                format!("arc {arc}"),
                "cost",
                format!("is not an arc (there are {})", s.m),
            )));
        }
        let magnitude = cost.saturating_abs();
        let bound = (s.n as i128 + 1) * (i128::from(magnitude) + 1);
        if bound > i128::from(i64::MAX / 8) {
            return Err(Error::Overflow(format!(
                "cost {cost} is too large for exact potentials"
            )));
        }
        // Keep artificial arcs dearer than any path.
        let art_cost = (s.n as i64 + 1) * (magnitude + 1);
        if art_cost > s.art_cost {
            s.art_cost = art_cost;
            let m = s.m;
            s.cost[m..].fill(art_cost);
        }
        s.cost[arc] = cost;
        s.seeds.push(arc as u32);
        self.stale = true;
        Ok(())
    }

    /// Solves to optimality from the current basis and returns the solution;
    /// its counters are those of this call.
    pub fn resolve(&mut self) -> Result<FlowSolution> {
        let s = &mut self.simplex;
        if self.stale {
            s.recompute_potentials();
            self.stale = false;
        }
        let before = s.stats;
        s.pivot_loop()?;
        let mut out = s.solution()?;
        out.stats.pivots -= before.pivots;
        out.stats.degenerate -= before.degenerate;
        Ok(out)
    }
}

const NONE: u32 = u32::MAX;

struct Simplex {
    supply: Vec<i64>,
    n: usize,
    m: usize,
    root: u32,
    art_cost: i64,
    // Arcs (network arcs, then artificial ones).
    source: Vec<u32>,
    target: Vec<u32>,
    cost: Vec<i64>,
    cap: Vec<i64>,
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
    seeds: Vec<u32>,
    // Scratch for tree updates.
    path: Vec<u32>,
    seq: Vec<u32>,
    stats: SolveStats,
}

impl Simplex {
    fn new(net: &FlowNetwork, options: &SolveOptions) -> Self {
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
    fn init_cold(&mut self) {
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

    /// Builds the tree of `basis`; false when it is not a strongly feasible
    /// spanning tree of this network.
    fn init_from(&mut self, basis: &Basis) -> bool {
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
        let mut order = Vec::with_capacity(n + 1);
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
        for &v in order.iter().skip(1).rev() {
            let a = self.pred[v] as usize;
            let e = excess[v];
            if a >= m {
                self.orient_artificial(v, e >= 0);
                self.flow[a] = e.abs();
            } else {
                let f = if self.source[a] as usize == v { e } else { -e };
                if f < 0 || f > self.cap[a] {
                    return false;
                }
                self.flow[a] = f;
            }
            excess[self.parent[v] as usize] += e;
            // Strong feasibility: flow can be pushed from v towards the root.
            let up = self.source[a] as usize == v;
            if (up && self.flow[a] >= self.cap[a]) || (!up && self.flow[a] <= 0) {
                return false;
            }
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

    #[inline]
    fn violation(&self, a: usize) -> i64 {
        i64::from(self.state[a])
            * (self.cost[a] + self.pi[self.source[a] as usize] - self.pi[self.target[a] as usize])
    }

    fn find_entering(&mut self) -> Option<usize> {
        // Arcs whose cost changed since the last solve are priced first: the
        // most violating of them enters; the others stay listed.
        if !self.seeds.is_empty() {
            let mut best = 0i64;
            let mut best_at = usize::MAX;
            let mut i = 0;
            while i < self.seeds.len() {
                let v = self.violation(self.seeds[i] as usize);
                if v < 0 {
                    if v < best {
                        best = v;
                        best_at = i;
                    }
                    i += 1;
                } else {
                    self.seeds.swap_remove(i);
                }
            }
            if best < 0 {
                return Some(self.seeds.swap_remove(best_at) as usize);
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
            let mut best = 0i64;
            let mut best_at = usize::MAX;
            let mut i = 0;
            while i < self.candidates.len() {
                let v = self.violation(self.candidates[i] as usize);
                if v < 0 {
                    if v < best {
                        best = v;
                        best_at = i;
                    }
                    i += 1;
                } else {
                    self.candidates.swap_remove(i);
                }
            }
            if best < 0 {
                return Some(self.candidates.swap_remove(best_at) as usize);
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

    fn run(mut self) -> Result<FlowSolution> {
        self.pivot_loop()?;
        self.solution()
    }

    fn pivot_loop(&mut self) -> Result<()> {
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

    fn solution(&self) -> Result<FlowSolution> {
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
        let cost = i64::try_from(cost)
            .map_err(|_| Error::Overflow(format!("total cost {cost} exceeds 64 bits")))?;
        let state = self
            .state
            .iter()
            .map(|&s| match s {
                0 => ArcState::Tree,
                1 => ArcState::Lower,
                _ => ArcState::Upper,
            })
            .collect();
        Ok(FlowSolution {
            flow: self.flow[..self.m].to_vec(),
            potential: self.pi[..self.n].to_vec(),
            cost,
            basis: Basis { state },
            stats: self.stats,
        })
    }

    /// Recomputes every potential from the tree, in thread (pre)order.
    fn recompute_potentials(&mut self) {
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
    use super::*;

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
