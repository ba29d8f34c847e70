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
//! arc: the new preorder of that subtree is a sequence of runs of the old one
//! along the path that gets reversed, each moved whole (its depths by one
//! amount). One walk finds the runs' ends and updates the potentials and
//! depths; only the runs' ends are linked anew. (Copying every node into the
//! new order and linking each took twice the instructions and 1.8 times the
//! L1 misses, cachegrind on district-13: half the tree updates' time.)
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
//! supply change the tree arcs pushed out of bounds (or out of strong
//! feasibility) leave the tree and their subtrees hang from artificial arcs
//! ([`SolveStats::repaired`] counts them; [`SolveStats::warm`] says whether
//! the basis was used). [`Resolver`] keeps a tree between solves; after
//! capacity and supply changes to an optimal tree it runs *dual* pivots
//! instead (the `dual` module): each takes a tree arc that the change put
//! out of bounds out of the tree and lets in the crossing arc of least
//! reduced cost, so potentials stay optimal and a 1% change settles in tens
//! of pivots where the repaired tree took hundreds.
//!
//! A repaired tree prices unlike a cold one: the big-M cost of the
//! artificial arcs sets every arc across a hung subtree's boundary
//! violating (9,000–12,000 arcs of a 7,000-node component of district-13
//! pooled after every 100th provider closed). Its pivots are chosen from
//! candidate lists (one scan gathers violating arcs, then several pivots
//! take the best of them) until a scan must read more than a quarter of
//! the arcs to fill its list, then by block search. Measured on that
//! district: pooled re-solves after the closures 48–53 → 44–52 ms and after
//! 1% more demand 28–31 → 25–26 ms (4 alternating runs), per community
//! unchanged; from a crash basis, where every arc violates at first,
//! candidate lists were three times slower.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::graph::FlowNetwork;

/// A flag that stops running solves: set it from another thread and every
/// solve holding a clone returns [`crate::Error::Cancelled`] within about a thousand
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
    /// Dual pivots among `pivots`: tree arcs that a capacity or supply
    /// change in a [`Resolver`] pushed out of bounds, taken out of the tree
    /// while its potentials stay optimal.
    #[serde(default)]
    pub dual_pivots: u64,
    /// Whether the given starting basis was used (false: cold start).
    pub warm: bool,
    /// Tree arcs of the starting basis that capacity or supply changes had
    /// made infeasible, replaced by artificial arcs (warm start only).
    pub repaired: usize,
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

/// Solves `net` starting from `basis` (a warm start): tree arcs that the
/// network's capacities or supplies push out of bounds are repaired (see
/// `start.rs`); a basis that is not a spanning tree of `net` falls back to a
/// cold start.
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

/// Solves `net` from a warm basis when it needs few repairs (at most
/// `2√nodes` arcs pushed out of bounds by changed capacities or supplies),
/// else from `fallback` (a crash basis), else cold. Each repaired arc hangs a
/// subtree from the root at an artificial cost, and on large networks many
/// of them cost more pivots than a good crash start (measured on the pooled
/// district-13 after a volunteer capacity shock: 47,342 warm pivots against
/// 48,725 from the crash basis, and a slower solve).
///
/// Arcs `price_first` (network arcs that may pay from `warm`, such as the
/// new arcs of a grown network) are priced before the block search, as the
/// arcs whose cost a [`Resolver`] changed are.
pub(crate) fn solve_warm_or(
    net: &FlowNetwork,
    warm: &Basis,
    price_first: &[u32],
    fallback: &Basis,
    options: &SolveOptions,
) -> Result<FlowSolution> {
    net.check()?;
    let mut s = Simplex::new(net, options);
    let limit = 2 * (net.node_count() as f64).sqrt().ceil() as usize;
    if s.init_from_repairing(warm, limit) {
        s.stats.warm = true;
        let m = net.arc_count() as u32;
        s.seeds.extend(price_first.iter().filter(|&&a| a < m));
    } else if !s.init_from(fallback) {
        s.init_cold();
    }
    s.run()
}

mod copy;
mod dual;
mod grow;
mod local;
mod order;
mod pricing;
mod resolver;
mod simplex;
mod start;

pub use grow::{Growth, NewArc};
pub(crate) use order::ArcFlows;
pub use resolver::Resolver;
use simplex::Simplex;
