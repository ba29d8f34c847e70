//! Growing a solved network in place: new nodes and arcs added to the
//! old ones, which keep their flows and the optimal tree. Each new node
//! hangs from that tree by one new arc leaving it (an offer's arc towards
//! its provider and the sink, say), which carries no flow; every other new
//! arc starts at its lower bound and is priced first. The grown tree is
//! strongly feasible when the old one was, so primal pivots go on from it
//! as from any optimal tree whose costs changed. A scenario that adds
//! providers grows its matching networks so (see
//! `solve::session::in_place`), instead of building them again and
//! carrying the old basis over by identity (`solve::carry`), which reads
//! and writes every arc several times over.
//!
//! The grown network numbers its new arcs and nodes among the old ones; the
//! grown simplex keeps them after the old ones instead (`order`), so the
//! old arcs stay where they were. Growing into a resolver that grew from
//! the same tree before then restores only the old arcs its pivots and
//! capacity changes logged. On district-13 per community that took the
//! tree's growth from a fifth of a re-solve's time to a sixteenth: copying
//! 1.2 million arcs of 33 bytes into the new numbering cost more than the
//! 300 pivots after it. When the base resolver lists its arcs at each
//! node ([`Resolver::prepare_amount_changes`], which sessions call), the
//! pivots that follow price only the arcs at the nodes they move
//! (`local`).
//!
//! Complexity: O(new arcs + nodes + logged arcs) into a resolver grown from
//! the same tree, else O(nodes + arcs) to copy the old arcs; O(new nodes)
//! to hang them and O(nodes) to recompute the potentials.

use std::sync::Arc;

use super::dual::Incidence;
use super::local::LocalPricing;
use super::order::GrownOrder;
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
    /// about as much as copying them. When `spare` grew from this very
    /// tree (this resolver unchanged since), its old arcs are restored from
    /// what its solves and changes logged instead of copied: O(new arcs +
    /// nodes + logged arcs).
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
        if let Some(order) = &self.order {
            // Grown before: its tree in its network's order first.
            let mut plain = Resolver::around(self.simplex.outward(order));
            (plain.optimal, plain.weak) = (true, self.weak);
            return plain.grow_into(growth, spare);
        }
        // The spare grew from this very tree: its old arcs are restored
        // from its logs, not copied.
        let restore = spare
            .order
            .as_ref()
            .is_some_and(|o| o.from == self.generation);
        // Local pricing reads the old arcs' costs as the incidence has them.
        let old_arcs =
            (self.incidence.clone()).filter(|old| old.built_costs && !self.simplex.costs_changed);
        let (simplex, mut order) = self
            .simplex
            .grown(growth, spare.simplex, restore, old_arcs)?;
        order.from = self.generation;
        let mut grown = Resolver::around(simplex);
        grown.order = Some(order);
        // Nothing changed but the shape: the new arcs are priced (`optimal`
        // is false), and the tree stays as strongly feasible as it was.
        grown.weak = self.weak;
        Ok(grown)
    }
}

impl Simplex {
    /// This simplex's network grown by `g` (see [`Resolver::grow`]), kept
    /// in the order of [`GrownOrder`]: this simplex's network arcs and
    /// nodes first, where they are, then the new ones. `buffers` lends its
    /// memory; when `restore`, its old network arcs are already this
    /// simplex's but for what its capacity changes and pivots logged (it
    /// grew from this simplex, which has not changed since), and only those
    /// are copied back. With `old_arcs`, this simplex's network arcs at
    /// each node, the pivots that follow price locally (see `local`).
    fn grown(
        &self,
        g: &Growth,
        buffers: Simplex,
        restore: bool,
        old_arcs: Option<Arc<Incidence>>,
    ) -> Result<(Simplex, GrownOrder)> {
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
        let order = GrownOrder::new(
            0,
            (m0, n0),
            g.arcs.iter().map(|a| a.index).collect(),
            g.nodes.clone(),
        );
        let node = |v: u32| order.int_node(v as usize) as u32;
        let total = m1 + n1;

        let mut s = self.old_arcs_into(buffers, restore, total);
        s.n = n1;
        s.m = m1;
        s.root = n1 as u32;
        s.art_cost = art_cost;
        s.cancel.clone_from(&self.cancel);
        s.pricing = self.pricing;
        s.block_size = self.block_size;
        if self.block_size == default_block_size(m0 + n0) {
            s.block_size = default_block_size(total);
        }
        s.stats.warm = true;
        // Pricing goes on from the new arcs: where the growth changed most.
        s.next_arc = m0;

        // The new network arcs after the old ones.
        for a in &g.arcs {
            s.source.push(node(a.source));
            s.target.push(node(a.target));
            s.cost.push(a.cost);
            s.cap.push(a.capacity);
            s.flow.push(0);
            s.state.push(ArcState::Lower as i8);
        }
        // Artificial arcs, one per node, the old ones' as they were (the
        // root renumbered); a new node's leaves it (no supply).
        let root = |v: u32| if v as usize == n0 { n1 as u32 } else { v };
        let art_cap = self.cap.get(m0).copied().unwrap_or(1);
        for a in m0..m0 + n0 {
            s.source.push(root(self.source[a]));
            s.target.push(root(self.target[a]));
            s.cap.push(self.cap[a]);
            s.flow.push(self.flow[a]);
            s.state.push(self.state[a]);
        }
        for v in n0..n1 {
            s.source.push(v as u32);
            s.target.push(n1 as u32);
            s.cap.push(art_cap);
            s.flow.push(0);
            s.state.push(ArcState::Lower as i8);
        }
        s.cost.resize(total, art_cost);

        // The tree: the old nodes' as it was (the root and the artificial
        // arcs renumbered), the new nodes hung below.
        let arc = |a: u32| {
            if a != NONE && a as usize >= m0 {
                a - m0 as u32 + m1 as u32
            } else {
                a
            }
        };
        let sizes = (n0, n1);
        node_values(&mut s.parent, &self.parent, sizes, NONE, root);
        node_values(&mut s.pred, &self.pred, sizes, NONE, arc);
        node_values(&mut s.thread, &self.thread, sizes, NONE, root);
        node_values(&mut s.rev_thread, &self.rev_thread, sizes, NONE, root);
        node_values(&mut s.depth, &self.depth, sizes, 0, |x| x);
        node_values(&mut s.pi, &self.pi, sizes, 0, |x| x);
        node_values(&mut s.supply, &self.supply, sizes, 0, |x| x);

        let mut hung = 0usize;
        for &(v, arc) in &g.hang {
            let fits = g
                .arcs
                .binary_search_by_key(&arc, |a| a.index)
                .ok()
                .filter(|&k| {
                    let a = g.arcs[k];
                    a.source == v
                        && a.capacity > 0
                        && s.pred[node(v) as usize] == NONE
                        && s.thread[node(a.target) as usize] != NONE
                });
            let Some(k) = fits else {
                return Err(invalid(
                    format!("new node {v}"),
                    "hang",
                    format!(
                        "arc {arc} must be a new arc of positive capacity from it to a node \
                         already in the tree"
                    ),
                ));
            };
            let (v, u, arc) = (node(v) as usize, node(g.arcs[k].target) as usize, m0 + k);
            s.parent[v] = u as u32;
            s.pred[v] = arc as u32;
            s.depth[v] = s.depth[u] + 1;
            s.state[arc] = ArcState::Tree as i8;
            let after = s.thread[u];
            s.thread[u] = v as u32;
            s.thread[v] = after;
            s.rev_thread[v] = u as u32;
            s.rev_thread[after as usize] = v as u32;
            // The arc leaves v towards its parent: zero reduced cost.
            s.pi[v] = s.pi[u] - s.cost[arc];
            hung += 1;
        }
        if hung != g.nodes.len() {
            return Err(invalid(
                "growth".into(),
                "hang",
                format!("hangs {hung} of its {} new nodes", g.nodes.len()),
            ));
        }
        // If the artificial costs rose, every potential from the tree;
        // else the old nodes' stand and the new ones' were set as they hung.
        // The reduced costs that may violate now are the new arcs' and
        // those at the nodes moved: the new nodes, and the old ones whose
        // potentials the new artificial cost shifted otherwise than the
        // first node's or whose artificial arc it priced otherwise.
        let mut moved: Vec<u32> = (n0 as u32..n1 as u32).collect();
        if art_cost != self.art_cost {
            s.recompute_potentials();
            let shift = |v: usize| s.pi[v] - self.pi[v];
            moved.extend(
                (0..n0)
                    .filter(|&v| {
                        shift(v) != shift(0) || s.violation(m1 + v) != self.violation(m0 + v)
                    })
                    .map(|v| v as u32),
            );
        }
        debug_assert!({
            let mut again = s.clone();
            again.recompute_potentials();
            again.pi == s.pi
        });
        s.seeds = (m0..m1)
            .filter(|&a| s.state[a] == ArcState::Lower as i8)
            .map(|a| a as u32)
            .collect();
        if let Some(old_arcs) = old_arcs {
            s.local = Some(Box::new(LocalPricing::new(&s, old_arcs, &moved)));
        }
        Ok((s, order))
    }

    /// `buffers` holding this simplex's network arcs (and nothing else of
    /// note: every other field is reset), restored from what its logs name
    /// when `restore`, else copied.
    fn old_arcs_into(&self, buffers: Simplex, restore: bool, total: usize) -> Simplex {
        let m = self.m;
        // The node arrays are written over by `grown`.
        let Simplex {
            supply,
            mut source,
            mut target,
            mut cost,
            mut cap,
            mut flow,
            mut state,
            pi,
            parent,
            pred,
            depth,
            thread,
            rev_thread,
            mut candidates,
            mut seeds,
            mut path,
            mut runs,
            costs_changed,
            caps_changed,
            mut moved,
            mut raised,
            ..
        } = buffers;
        let restore = restore && source.len() >= m && cost.len() >= m;
        if restore {
            // The old arcs are where they were: what was logged is copied
            // back, the last growth's arcs after them dropped.
            debug_assert!(source[..m] == self.source[..m] && target[..m] == self.target[..m]);
            if costs_changed {
                cost[..m].copy_from_slice(&self.cost[..m]);
            }
            caps_changed.copy_back(&self.cap, &mut cap, m);
            moved.copy_back(&self.flow, &mut flow, m);
            moved.copy_back(&self.state, &mut state, m);
            kept(&mut source, m, total);
            kept(&mut target, m, total);
            kept(&mut cost, m, total);
            kept(&mut cap, m, total);
            kept(&mut flow, m, total);
            kept(&mut state, m, total);
            debug_assert!(cost[..] == self.cost[..m] && cap[..] == self.cap[..m]);
            debug_assert!(flow[..] == self.flow[..m] && state[..] == self.state[..m]);
        } else {
            refilled(&mut source, &self.source[..m], total);
            refilled(&mut target, &self.target[..m], total);
            refilled(&mut cost, &self.cost[..m], total);
            refilled(&mut cap, &self.cap[..m], total);
            refilled(&mut flow, &self.flow[..m], total);
            refilled(&mut state, &self.state[..m], total);
        }
        for v in [
            &mut candidates,
            &mut seeds,
            &mut path,
            &mut runs,
            &mut raised,
        ] {
            v.clear();
        }
        moved.clear();
        Simplex {
            supply,
            source,
            target,
            cost,
            cap,
            flow,
            state,
            pi,
            parent,
            pred,
            depth,
            thread,
            rev_thread,
            candidates,
            seeds,
            path,
            runs,
            // The arcs moved from here on are logged (see `moved`).
            moved,
            raised,
            ..Simplex::default()
        }
    }
}

/// `v` holding the values in `from` of the `n0` old nodes (through
/// `map`), `fill` for each new node up to `n1`, then the root's, if `from`
/// has it (mapped too).
fn node_values<T: Copy>(
    v: &mut Vec<T>,
    from: &[T],
    (n0, n1): (usize, usize),
    fill: T,
    map: impl Fn(T) -> T,
) {
    v.clear();
    v.extend(from[..n0].iter().map(|&x| map(x)));
    v.resize(n1, fill);
    v.extend(from[n0..].iter().map(|&x| map(x)));
}

/// `v` cut to its first `m` items, with room for `total`.
fn kept<T>(v: &mut Vec<T>, m: usize, total: usize) {
    v.truncate(m);
    v.reserve(total - m);
}

/// `v` holding `from`, with room for `total` items: its memory reused.
fn refilled<T: Copy>(v: &mut Vec<T>, from: &[T], total: usize) {
    v.clear();
    v.reserve(total);
    v.extend_from_slice(from);
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

#[cfg(test)]
mod tests {
    use super::super::simplex::tests::{assert_same, random_network, xorshift};
    use super::super::{Resolver, SolveOptions};
    use super::{Growth, NewArc};

    /// A growth into the resolver grown from the same tree before (solved
    /// since, its capacities changed, solved again) equals a growth afresh
    /// in every arc and node: whatever was changed since was logged, and
    /// restored.
    #[test]
    fn regrown_resolvers_equal_a_growth_afresh() {
        let (mut restored, mut listed) = (0, 0);
        for seed in 0..300u64 {
            let mut next = xorshift(seed, 11);
            let n = 6 + next(30) as usize;
            let net = random_network(&mut next, n, 5);
            let mut base = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
            if base.resolve().is_err() {
                continue;
            }
            // One new node (hung by an arc to an old one) and a few new arcs.
            let (n1, m1) = (n + 1, net.arc_count() + 3);
            let v = next(n1 as u64) as u32;
            let old = |x: u64| (x as u32) + u32::from(x as u32 >= v);
            let mut slots: Vec<u32> = Vec::new();
            while slots.len() < 3 {
                let a = next(m1 as u64) as u32;
                if !slots.contains(&a) {
                    slots.push(a);
                }
            }
            slots.sort_unstable();
            let ends = [
                (v, old(next(n as u64))),
                (old(next(n as u64)), v),
                (old(next(n as u64)), old(next(n as u64))),
            ];
            let hang_at = next(3) as usize;
            let mut arcs = Vec::new();
            for (k, &index) in slots.iter().enumerate() {
                let (source, target) = ends[(hang_at + k) % 3];
                let cost = next(21) as i64 - 8;
                arcs.push(NewArc {
                    index,
                    source,
                    target,
                    capacity: 1 + next(4) as i64,
                    cost,
                });
            }
            arcs.retain(|a| a.source != a.target);
            let hang = arcs.iter().find(|a| a.source == v).map(|a| (v, a.index));
            let g = Growth {
                nodes: vec![v],
                arcs,
                hang: hang.into_iter().collect(),
            };
            let Ok(mut used) = base.grow(&g) else {
                continue;
            };
            for _ in 0..=next(2) {
                let _ = used.resolve();
                let a = next(m1 as u64) as usize;
                used.set_capacity(a, next(6) as i64).unwrap();
            }
            let _ = used.resolve();
            listed += usize::from(!used.simplex.moved.all && !used.simplex.moved.is_empty());
            let fresh = base.grow(&g).unwrap();
            let again = base.grow_into(&g, used).unwrap();
            restored += 1;
            let (a, b) = (&again.simplex, &fresh.simplex);
            assert_same(a, b, &format!("seed {seed}"));
            assert_eq!(a.seeds, b.seeds, "{seed}");
            assert_eq!(
                (a.next_arc, a.block_size),
                (b.next_arc, b.block_size),
                "{seed}"
            );
            assert!(a.moved.is_empty() && a.caps_changed.is_empty() && !a.costs_changed);
        }
        assert!(
            restored > 150 && listed > 50,
            "{restored} regrown, {listed} from listed arcs"
        );
    }
}
