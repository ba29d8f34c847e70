//! Growing a solved network in place: new nodes and arcs inserted among the
//! old ones, which keep their order, their flows and the optimal tree. Each
//! new node hangs from that tree by one new arc leaving it (an offer's arc
//! towards its provider and the sink, say), which carries no flow; every
//! other new arc starts at its lower bound and is priced first. The grown
//! tree is strongly feasible when the old one was, so primal pivots go on
//! from it as from any optimal tree whose costs changed. A scenario that
//! adds providers grows its matching networks so (see
//! `solve::session::in_place`), instead of building them again and
//! carrying the old basis over by identity (`solve::carry`), which reads
//! and writes every arc several times over.
//!
//! Complexity: O(nodes + arcs) to copy the tree into the new numbering
//! (the old arcs' amounts in stretches between insertions, their ends
//! renumbered), O(new nodes) to hang them and O(nodes) to recompute the
//! potentials.

use super::copy::ArcLog;
use super::resolver::{Amounts, invalid};
use super::simplex::{NONE, Simplex, default_block_size};
use super::{ArcState, Resolver};
use crate::error::{Error, Result};
use crate::graph::network::MAX_CAPACITY;

/// An arc that a [`Growth`] inserts.
///
/// ```
/// use hubmatch::solve::network_simplex::NewArc;
/// let arc = NewArc { index: 3, source: 4, target: 2, capacity: 5, cost: -7 };
/// assert_eq!(arc.index, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewArc {
    /// Its index in the grown network.
    pub index: u32,
    /// Its tail, numbered in the grown network.
    pub source: u32,
    /// Its head, numbered in the grown network.
    pub target: u32,
    /// Its capacity (0 to `MAX_CAPACITY`).
    pub capacity: i64,
    /// Its cost per unit.
    pub cost: i64,
}

/// How a network grows: the nodes and arcs inserted, numbered in the grown
/// network (the old ones fill the other indices in their order), and the
/// new arc that joins each new node to the tree.
///
/// ```
/// use hubmatch::solve::network_simplex::{Growth, NewArc};
/// // A new node 1 (the old node 1 becomes 2), joined to it by arc 1.
/// let g = Growth {
///     nodes: vec![1],
///     arcs: vec![NewArc { index: 1, source: 1, target: 2, capacity: 3, cost: 0 }],
///     hang: vec![(1, 1)],
/// };
/// assert_eq!(g.arcs.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Growth {
    /// The new nodes' indices, increasing; new nodes have no supply.
    pub nodes: Vec<u32>,
    /// The new arcs by increasing index.
    pub arcs: Vec<NewArc>,
    /// (new node, new arc): the arc, leaving the node with a positive
    /// capacity, that hangs it from the tree; its head is an old node or a
    /// new one hung earlier in this list. Every new node is listed once.
    pub hang: Vec<(u32, u32)>,
}

impl Resolver {
    /// A resolver for this one's network grown by `growth`, starting from
    /// its optimal tree: the old arcs keep their flows and states, each new
    /// node hangs by its arc in `growth.hang`, the other new arcs wait at
    /// their lower bound and are priced first by the next
    /// [`Resolver::resolve`]. This resolver must be solved, with no change
    /// since. O(nodes + arcs).
    ///
    /// ```
    /// use hubmatch::graph::FlowNetwork;
    /// use hubmatch::solve::network_simplex::{Growth, NewArc, Resolver, SolveOptions};
    /// // Two units from node 0 to node 1 at cost 5 each.
    /// let mut net = FlowNetwork::new(2);
    /// net.supply = vec![2, -2];
    /// net.add_arc(0, 1, 2, 5);
    /// let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
    /// assert_eq!(r.resolve().unwrap().cost, 10);
    /// // A new node 1 (old node 1 becomes 2) on a cheaper route for one unit:
    /// // 0 -> 1 at cost 1 (arc 0), 1 -> 2 at cost 1 (arc 2, hanging it).
    /// let growth = Growth {
    ///     nodes: vec![1],
    ///     arcs: vec![
    ///         NewArc { index: 0, source: 0, target: 1, capacity: 1, cost: 1 },
    ///         NewArc { index: 2, source: 1, target: 2, capacity: 1, cost: 1 },
    ///     ],
    ///     hang: vec![(1, 2)],
    /// };
    /// let mut grown = r.grow(&growth).unwrap();
    /// let sol = grown.resolve().unwrap();
    /// assert_eq!((sol.cost, sol.flow), (7, vec![1, 1, 1]));
    /// ```
    pub fn grow(&self, growth: &Growth) -> Result<Resolver> {
        self.grow_into(growth, Resolver::around(Simplex::default()))
    }

    /// [`Resolver::grow`] into the memory of `spare`, a resolver no longer
    /// needed (of any network): a scenario sweep grows the same networks
    /// over and over, and fresh pages for a large network's arrays cost
    /// about as much as copying them.
    ///
    /// ```
    /// use hubmatch::graph::FlowNetwork;
    /// use hubmatch::solve::network_simplex::{Growth, NewArc, Resolver, SolveOptions};
    /// let mut net = FlowNetwork::new(2);
    /// net.supply = vec![2, -2];
    /// net.add_arc(0, 1, 2, 5);
    /// let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
    /// r.resolve().unwrap();
    /// // A second arc 0 -> 1, cheaper, for one unit.
    /// let growth = Growth {
    ///     nodes: vec![],
    ///     arcs: vec![NewArc { index: 1, source: 0, target: 1, capacity: 1, cost: 1 }],
    ///     hang: vec![],
    /// };
    /// let mut spare = r.grow(&growth).unwrap();
    /// assert_eq!(spare.resolve().unwrap().cost, 6);
    /// let mut again = r.grow_into(&growth, spare).unwrap();
    /// assert_eq!(again.resolve().unwrap().flow, vec![1, 1]);
    /// ```
    pub fn grow_into(&self, growth: &Growth, spare: Resolver) -> Result<Resolver> {
        if !self.optimal || self.stale || self.amounts != Amounts::Unchanged {
            return Err(invalid(
                "resolver".into(),
                "growth",
                "must start from a solved tree with no change since".into(),
            ));
        }
        let simplex = self.simplex.grown(growth, spare.simplex)?;
        let mut grown = Resolver::around(simplex);
        // Nothing changed but the shape: the new arcs are priced (`optimal`
        // is false), and the tree stays as strongly feasible as it was.
        grown.weak = self.weak;
        Ok(grown)
    }
}

impl Simplex {
    /// This simplex's network grown by `g` (see [`Resolver::grow`]).
    fn grown(&self, g: &Growth, buffers: Simplex) -> Result<Simplex> {
        let (n0, m0) = (self.n, self.m);
        let (n1, m1) = (n0 + g.nodes.len(), m0 + g.arcs.len());
        if n1 >= u32::MAX as usize / 2 || m1 >= u32::MAX as usize / 2 - n1 {
            return Err(invalid(
                "growth".into(),
                "size",
                format!("too large: {n1} nodes, {m1} arcs"),
            ));
        }
        check_increasing(g.nodes.iter().copied(), n1, "nodes")?;
        check_increasing(g.arcs.iter().map(|a| a.index), m1, "arcs")?;
        // The new index of each old node, the root (last) included.
        let mut node_map = Vec::with_capacity(n0 + 1);
        let mut inserted = g.nodes.iter().peekable();
        for v in 0..n1 as u32 {
            if inserted.next_if_eq(&&v).is_none() {
                node_map.push(v);
            }
        }
        node_map.push(n1 as u32);
        let mut max_cost = 0i64;
        for a in &g.arcs {
            if a.source as usize >= n1 || a.target as usize >= n1 || a.source == a.target {
                return Err(invalid(
                    format!("new arc {}", a.index),
                    "endpoints",
                    format!("({}, {}) must be two nodes below {n1}", a.source, a.target),
                ));
            }
            if !(0..=MAX_CAPACITY).contains(&a.capacity) {
                return Err(invalid(
                    format!("new arc {}", a.index),
                    "capacity",
                    format!("must be within 0..={MAX_CAPACITY}, got {}", a.capacity),
                ));
            }
            max_cost = max_cost.max(a.cost.saturating_abs());
        }
        // Artificial arcs stay dearer than any path: the old bound per node
        // (art_cost is (nodes + 1) × (largest cost + 1) or more), or the new
        // arcs' costs, times the new node count.
        let per_node = (self.art_cost / (n0 as i64 + 1)).max(max_cost.saturating_add(1));
        let bound = (n1 as i128 + 1) * i128::from(per_node);
        if bound > i128::from(i64::MAX / 8) {
            return Err(Error::Overflow(format!(
                "{n1} nodes with costs up to {max_cost} cannot be solved exactly in 64-bit integers"
            )));
        }
        let art_cost = (bound as i64).max(self.art_cost);

        let total = m1 + n1;
        let b = buffers;
        let mut s = Simplex {
            supply: emptied(b.supply, n1),
            n: n1,
            m: m1,
            root: n1 as u32,
            art_cost,
            source: emptied(b.source, total),
            target: emptied(b.target, total),
            cost: emptied(b.cost, total),
            cap: emptied(b.cap, total),
            flow: emptied(b.flow, total),
            state: emptied(b.state, total),
            pi: emptied(b.pi, n1 + 1),
            parent: emptied(b.parent, n1 + 1),
            pred: emptied(b.pred, n1 + 1),
            depth: emptied(b.depth, n1 + 1),
            thread: emptied(b.thread, n1 + 1),
            rev_thread: emptied(b.rev_thread, n1 + 1),
            cancel: self.cancel.clone(),
            pricing: self.pricing,
            block_size: self.block_size,
            // The arcs moved from here on are logged (see `moved`).
            moved: ArcLog::default(),
            ..Simplex::default()
        };
        if self.block_size == default_block_size(m0 + n0) {
            s.block_size = default_block_size(total);
        }
        s.stats.warm = true;

        // Network arcs: the old ones in stretches between the new ones.
        // Old nodes below the first new one keep their numbers (a matching
        // network's needs and old offers: most arc ends), so the ends are
        // copied and the others renumbered in place.
        let first_new = g.nodes.first().map_or(u32::MAX, |&v| v);
        let renumber_all = |ends: &mut [u32]| {
            for v in ends.iter_mut().filter(|v| **v >= first_new) {
                *v = node_map[*v as usize];
            }
        };
        let copy_old = |s: &mut Simplex, r: std::ops::Range<usize>| {
            let at = s.source.len();
            s.source.extend_from_slice(&self.source[r.clone()]);
            s.target.extend_from_slice(&self.target[r.clone()]);
            renumber_all(&mut s.source[at..]);
            renumber_all(&mut s.target[at..]);
            s.cost.extend_from_slice(&self.cost[r.clone()]);
            s.cap.extend_from_slice(&self.cap[r.clone()]);
            s.flow.extend_from_slice(&self.flow[r.clone()]);
            s.state.extend_from_slice(&self.state[r]);
        };
        let mut old = 0usize;
        for a in &g.arcs {
            let before = a.index as usize - s.source.len();
            if old + before > m0 {
                return Err(invalid(
                    format!("new arc {}", a.index),
                    "index",
                    format!("leaves too few slots for the {m0} old arcs"),
                ));
            }
            copy_old(&mut s, old..old + before);
            old += before;
            s.source.push(a.source);
            s.target.push(a.target);
            s.cost.push(a.cost);
            s.cap.push(a.capacity);
            s.flow.push(0);
            s.state.push(ArcState::Lower as i8);
        }
        copy_old(&mut s, old..m0);
        // An old node's new number (the root's too).
        let node = |v: u32| {
            if v == NONE {
                NONE
            } else {
                node_map[v as usize]
            }
        };
        // Artificial arcs, one per node; a new node's leaves it (no supply).
        let art_cap = self.cap.get(m0).copied().unwrap_or(1);
        let mut next_old = 0usize;
        for v in 0..n1 {
            if node_map[next_old] as usize == v {
                let a = m0 + next_old;
                s.source.push(node(self.source[a]));
                s.target.push(node(self.target[a]));
                s.cap.push(self.cap[a]);
                s.flow.push(self.flow[a]);
                s.state.push(self.state[a]);
                next_old += 1;
            } else {
                s.source.push(v as u32);
                s.target.push(n1 as u32);
                s.cap.push(art_cap);
                s.flow.push(0);
                s.state.push(ArcState::Lower as i8);
            }
            s.cost.push(art_cost);
        }

        // The tree, renumbered; new nodes are hung below.
        // Old arcs before each new one (non-decreasing): old arc a follows
        // the new arcs with at most a old arcs before them.
        let old_before: Vec<u32> = (g.arcs.iter().enumerate())
            .map(|(k, x)| x.index - k as u32)
            .collect();
        let new_of_arc = |a: u32| -> u32 {
            if a == NONE {
                NONE
            } else if (a as usize) < m0 {
                a + old_before.partition_point(|&b| b <= a) as u32
            } else {
                (m1 as u32) + node_map[a as usize - m0]
            }
        };
        let mut next_old = 0usize;
        for v in 0..=n1 {
            if node_map[next_old] as usize == v {
                let u = next_old;
                s.supply.extend(self.supply.get(u).copied());
                s.pi.push(self.pi[u]);
                s.parent.push(node(self.parent[u]));
                s.pred.push(new_of_arc(self.pred[u]));
                s.depth.push(self.depth[u]);
                s.thread.push(node(self.thread[u]));
                s.rev_thread.push(node(self.rev_thread[u]));
                next_old += 1;
            } else {
                s.supply.push(0);
                s.pi.push(0);
                s.parent.push(NONE);
                s.pred.push(NONE);
                s.depth.push(0);
                s.thread.push(NONE);
                s.rev_thread.push(NONE);
            }
        }
        let mut hung = 0usize;
        for &(v, arc) in &g.hang {
            let fits = g
                .arcs
                .binary_search_by_key(&arc, |a| a.index)
                .ok()
                .map(|k| g.arcs[k])
                .filter(|a| {
                    a.source == v
                        && a.capacity > 0
                        && s.parent[v as usize] == NONE
                        && s.pred[v as usize] == NONE
                        && s.thread[a.target as usize] != NONE
                });
            let Some(a) = fits else {
                return Err(invalid(
                    format!("new node {v}"),
                    "hang",
                    format!(
                        "arc {arc} must be a new arc of positive capacity from it to a node \
                         already in the tree"
                    ),
                ));
            };
            let (v, u) = (v as usize, a.target as usize);
            s.parent[v] = u as u32;
            s.pred[v] = arc;
            s.depth[v] = s.depth[u] + 1;
            s.state[arc as usize] = ArcState::Tree as i8;
            let after = s.thread[u];
            s.thread[u] = v as u32;
            s.thread[v] = after;
            s.rev_thread[v] = u as u32;
            s.rev_thread[after as usize] = v as u32;
            hung += 1;
        }
        if hung != g.nodes.len() {
            return Err(invalid(
                "growth".into(),
                "hang",
                format!("hangs {hung} of its {} new nodes", g.nodes.len()),
            ));
        }
        // The artificial costs may have risen: every potential from the tree.
        s.recompute_potentials();
        s.seeds = (g.arcs.iter())
            .filter(|a| s.state[a.index as usize] == ArcState::Lower as i8)
            .map(|a| a.index)
            .collect();
        Ok(s)
    }
}

/// `v` emptied, with room for `n` items: its memory reused.
fn emptied<T>(mut v: Vec<T>, n: usize) -> Vec<T> {
    v.clear();
    v.reserve(n);
    v
}

fn check_increasing(indices: impl Iterator<Item = u32>, below: usize, what: &str) -> Result<()> {
    let mut last: Option<u32> = None;
    for i in indices {
        if i as usize >= below || last.is_some_and(|l| l >= i) {
            return Err(invalid(
                "growth".into(),
                what,
                format!("must be increasing indices below {below}, got {i} after {last:?}"),
            ));
        }
        last = Some(i);
    }
    Ok(())
}
