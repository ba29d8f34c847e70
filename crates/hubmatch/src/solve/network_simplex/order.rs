//! The order a grown resolver keeps its arcs and nodes in: the network it
//! grew from first, in that network's order, then the new ones (see
//! `grow`). The grown network numbers them otherwise (the new ones among
//! the old), so [`GrownOrder`] maps between the two numberings, and
//! [`ArcFlows`] reads flows by the grown network's arc numbers.
//!
//! Keeping the old arcs first is what lets a growth leave them where they
//! are: the next growth of the same network restores them from the arcs
//! its pivots logged instead of copying every arc again.
//!
//! Complexity: a number maps in O(log new), a whole vector in O(items)
//! copied in stretches between the new items.

use std::ops::Range;

use super::copy::ArcLog;
use super::simplex::{NONE, Simplex};

/// Where a grown simplex keeps each arc and node of its network: the
/// network grown from (`old_arcs` network arcs, `old_nodes` nodes) keeps
/// its numbers, the new arcs and nodes follow in their order, then the
/// root, then the artificial arcs in node order.
#[derive(Debug, Clone, Default)]
pub(super) struct GrownOrder {
    /// Which resolver the old arcs and nodes came from (its generation).
    pub(super) from: u64,
    pub(super) old_arcs: usize,
    pub(super) old_nodes: usize,
    /// The new network arcs' numbers in the grown network, increasing.
    pub(super) new_arcs: Vec<u32>,
    /// Old arcs before each new one (non-decreasing).
    arcs_before: Vec<u32>,
    /// The new nodes' numbers in the grown network, increasing.
    pub(super) new_nodes: Vec<u32>,
    nodes_before: Vec<u32>,
}

impl GrownOrder {
    pub(super) fn new(
        from: u64,
        (old_arcs, old_nodes): (usize, usize),
        new_arcs: Vec<u32>,
        new_nodes: Vec<u32>,
    ) -> GrownOrder {
        let before = |new: &[u32]| {
            (new.iter().enumerate())
                .map(|(k, &x)| x - k as u32)
                .collect()
        };
        GrownOrder {
            from,
            old_arcs,
            old_nodes,
            arcs_before: before(&new_arcs),
            nodes_before: before(&new_nodes),
            new_arcs,
            new_nodes,
        }
    }

    fn arcs(&self) -> usize {
        self.old_arcs + self.new_arcs.len()
    }

    fn nodes(&self) -> usize {
        self.old_nodes + self.new_nodes.len()
    }

    /// The simplex's number of grown node `v` (the root, `nodes`, keeps
    /// its number).
    pub(super) fn int_node(&self, v: usize) -> usize {
        inward(&self.new_nodes, self.old_nodes, self.nodes(), v)
    }

    /// The grown network's number of the simplex's node `v`.
    pub(super) fn ext_node(&self, v: usize) -> usize {
        outward(
            &self.new_nodes,
            &self.nodes_before,
            self.old_nodes,
            self.nodes(),
            v,
        )
    }

    /// The simplex's number of grown arc `a` (network or artificial).
    pub(super) fn int_arc(&self, a: usize) -> usize {
        let m = self.arcs();
        if a < m {
            inward(&self.new_arcs, self.old_arcs, m, a)
        } else {
            m + self.int_node(a - m)
        }
    }

    /// The grown network's number of the simplex's arc `a`.
    pub(super) fn ext_arc(&self, a: usize) -> usize {
        let m = self.arcs();
        if a < m {
            outward(&self.new_arcs, &self.arcs_before, self.old_arcs, m, a)
        } else {
            m + self.ext_node(a - m)
        }
    }

    /// Per-arc values `int` (network arcs, then artificial ones, in the
    /// simplex's order) in the grown network's order, into `out`.
    pub(super) fn arcs_outward<T: Copy>(&self, int: &[T], out: &mut Vec<T>) {
        let m = self.arcs();
        out.clear();
        out.reserve(int.len());
        merge(&self.new_arcs, self.old_arcs, &int[..m], out);
        self.nodes_outward(&int[m..], out);
    }

    /// Per-node values `int` (the root's, if there, last) in the grown
    /// network's order, appended to `out`.
    pub(super) fn nodes_outward<T: Copy>(&self, int: &[T], out: &mut Vec<T>) {
        let n = self.nodes();
        merge(&self.new_nodes, self.old_nodes, &int[..n], out);
        out.extend_from_slice(&int[n..]);
    }
}

/// The inner number of outer item `x` of `total`, the items `new` (outer
/// numbers, increasing) numbered from `old` on.
fn inward(new: &[u32], old: usize, total: usize, x: usize) -> usize {
    if x >= total {
        return x;
    }
    match new.binary_search(&(x as u32)) {
        Ok(k) => old + k,
        Err(k) => x - k,
    }
}

/// The outer number of inner item `x` (see [`inward`]); `before[k]` is the
/// number of old items before `new[k]`.
fn outward(new: &[u32], before: &[u32], old: usize, total: usize, x: usize) -> usize {
    if x >= total {
        x
    } else if x < old {
        x + before.partition_point(|&b| b as usize <= x)
    } else {
        new[x - old] as usize
    }
}

/// `int` (the old items, then the new ones) appended to `out` in outer
/// order: the old in stretches between the new.
fn merge<T: Copy>(new: &[u32], old: usize, int: &[T], out: &mut Vec<T>) {
    let start = out.len();
    let mut from = 0usize;
    for (k, &x) in new.iter().enumerate() {
        let stretch = x as usize - (out.len() - start);
        out.extend_from_slice(&int[from..from + stretch]);
        from += stretch;
        out.push(int[old + k]);
    }
    out.extend_from_slice(&int[from..old]);
}

/// The flows of a resolver's network arcs, read by the network's arc
/// numbers (a grown resolver keeps them in another order, see
/// [`GrownOrder`]).
#[derive(Clone, Copy)]
pub(crate) struct ArcFlows<'a> {
    flow: &'a [i64],
    order: Option<&'a GrownOrder>,
    len: usize,
}

impl<'a> From<&'a [i64]> for ArcFlows<'a> {
    fn from(flow: &'a [i64]) -> Self {
        ArcFlows {
            flow,
            order: None,
            len: flow.len(),
        }
    }
}

impl<'a> ArcFlows<'a> {
    pub(super) fn ordered(flow: &'a [i64], order: Option<&'a GrownOrder>) -> Self {
        let len = flow.len();
        ArcFlows { flow, order, len }
    }

    /// The flows of the first `len` arcs alone.
    pub(crate) fn prefix(self, len: usize) -> Self {
        assert!(len <= self.len, "{len} arcs of {}", self.len);
        ArcFlows { len, ..self }
    }

    /// The number of network arcs.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The flows on `arcs`, in order: O(log new) to start, then O(1) each.
    pub(crate) fn range(&self, arcs: Range<usize>) -> RangeFlows<'a> {
        assert!(arcs.end <= self.len, "arcs {arcs:?} of {}", self.len);
        let new_before = self.order.map_or(0, |o| {
            o.new_arcs.partition_point(|&a| (a as usize) < arcs.start)
        });
        RangeFlows {
            flows: *self,
            at: arcs.start,
            end: arcs.end,
            new_before,
        }
    }

    /// Whether the flows on `arcs` are `other`'s.
    pub(crate) fn range_eq(&self, arcs: Range<usize>, other: &[i64]) -> bool {
        match self.order {
            None => self.flow[..self.len][arcs] == *other,
            Some(_) => arcs.len() == other.len() && self.range(arcs).eq(other.iter().copied()),
        }
    }

    /// Whether no flow is on `arcs`.
    pub(crate) fn range_empty(&self, arcs: Range<usize>) -> bool {
        match self.order {
            None => self.flow[..self.len][arcs].iter().all(|&x| x == 0),
            Some(_) => self.range(arcs).all(|x| x == 0),
        }
    }

    /// Every network arc's flow, by network arc number.
    pub(crate) fn to_vec(self) -> Vec<i64> {
        match self.order {
            None => self.flow[..self.len].to_vec(),
            Some(o) => {
                let mut out = Vec::with_capacity(self.flow.len());
                merge(&o.new_arcs, o.old_arcs, self.flow, &mut out);
                out.truncate(self.len);
                out
            }
        }
    }
}

impl Simplex {
    /// This simplex, kept in `order`, in its network's order: the arcs,
    /// the nodes and the tree renumbered, for a grown resolver that grows
    /// again. O(nodes + arcs · log new).
    pub(super) fn outward(&self, order: &GrownOrder) -> Simplex {
        let node = |v: &mut u32| {
            if *v != NONE {
                *v = order.ext_node(*v as usize) as u32;
            }
        };
        let arc = |a: &mut u32| {
            if *a != NONE {
                *a = order.ext_arc(*a as usize) as u32;
            }
        };
        let mut s = self.clone();
        order.arcs_outward(&self.source, &mut s.source);
        order.arcs_outward(&self.target, &mut s.target);
        order.arcs_outward(&self.cost, &mut s.cost);
        order.arcs_outward(&self.cap, &mut s.cap);
        order.arcs_outward(&self.flow, &mut s.flow);
        order.arcs_outward(&self.state, &mut s.state);
        for (to, from) in [
            (&mut s.parent, &self.parent),
            (&mut s.pred, &self.pred),
            (&mut s.thread, &self.thread),
            (&mut s.rev_thread, &self.rev_thread),
            (&mut s.depth, &self.depth),
        ] {
            to.clear();
            order.nodes_outward(from, to);
        }
        for (to, from) in [(&mut s.pi, &self.pi), (&mut s.supply, &self.supply)] {
            to.clear();
            order.nodes_outward(from, to);
        }
        let nodes = [&mut s.source, &mut s.target, &mut s.parent];
        for v in nodes.into_iter().chain([&mut s.thread, &mut s.rev_thread]) {
            v.iter_mut().for_each(node);
        }
        let arcs = [&mut s.pred, &mut s.seeds, &mut s.candidates, &mut s.raised];
        for v in arcs {
            v.iter_mut().for_each(arc);
        }
        s.next_arc = 0;
        s.caps_changed = ArcLog::everything();
        s.moved = ArcLog::everything();
        s
    }
}

/// The flows on a range of network arcs (see [`ArcFlows::range`]).
pub(crate) struct RangeFlows<'a> {
    flows: ArcFlows<'a>,
    at: usize,
    end: usize,
    /// New arcs numbered below `at`.
    new_before: usize,
}

impl Iterator for RangeFlows<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        if self.at == self.end {
            return None;
        }
        let a = self.at;
        self.at += 1;
        let flow = self.flows.flow;
        Some(match self.flows.order {
            None => flow[a],
            Some(o) if o.new_arcs.get(self.new_before) == Some(&(a as u32)) => {
                self.new_before += 1;
                flow[o.old_arcs + self.new_before - 1]
            }
            Some(_) => flow[a - self.new_before],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grown network: nodes 0..6 with new nodes 1 and 4; arcs 0..7 with
    /// new arcs 0, 3 and 4. Every number maps there and back, and vectors
    /// come out in the grown order.
    #[test]
    fn numbers_map_both_ways() {
        let o = GrownOrder::new(7, (4, 4), vec![0, 3, 4], vec![1, 4]);
        // Simplex order of the grown arcs: old 1, 2, 5, 6, then new 0, 3, 4.
        let ext_of: Vec<usize> = (0..7).map(|a| o.ext_arc(a)).collect();
        assert_eq!(ext_of, vec![1, 2, 5, 6, 0, 3, 4]);
        for a in 0..7 + 7 {
            assert_eq!(o.ext_arc(o.int_arc(a)), a);
        }
        let nodes: Vec<usize> = (0..6).map(|v| o.ext_node(v)).collect();
        assert_eq!(nodes, vec![0, 2, 3, 5, 1, 4]);
        assert_eq!((o.int_node(6), o.ext_node(6)), (6, 6));
        // Artificial arc of simplex node 4 (grown node 1).
        assert_eq!(o.ext_arc(7 + 4), 7 + 1);
        let int: Vec<u32> = (0..7 + 6).map(|a| o.ext_arc(a) as u32).collect();
        let mut out = Vec::new();
        o.arcs_outward(&int, &mut out);
        assert_eq!(out, (0..13).collect::<Vec<u32>>());
        let flow = [10, 20, 50, 60, 0, 30, 40];
        let flows = ArcFlows::ordered(&flow, Some(&o));
        assert_eq!(flows.to_vec(), vec![0, 10, 20, 30, 40, 50, 60]);
        assert!(flows.range_eq(2..5, &[20, 30, 40]));
        assert!(!flows.range_eq(2..5, &[20, 30, 41]));
        assert!(flows.range_empty(0..1) && !flows.range_empty(0..2));
        let ranged: Vec<i64> = flows.range(1..7).collect();
        assert_eq!(ranged, vec![10, 20, 30, 40, 50, 60]);
    }
}
