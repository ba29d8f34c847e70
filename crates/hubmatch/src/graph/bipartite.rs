//! Max-weight b-matching problems and the flow networks that solve them.
//!
//! A [`BipartiteProblem`] has needs (units to serve), offers (capacities),
//! optional groups of offers sharing a capacity (a provider's total), and
//! weighted need–offer edges. Its [`MatchingNetwork`] is
//!
//! ```text
//! need ──(cap units + 1, cost −w)──▶ offer ──(cap offer)──▶ group ──(cap group)──▶ sink
//!   └──────────────(cap units + 1, cost unserved penalty)──────────────────────────▲
//! ```
//!
//! so the maximum total weight is minus the minimum cost. A need's arcs can
//! never carry more than its units (its supply), so their capacity is one
//! more than that: they never bind, and the need's dual is its marginal value
//! (with a binding edge capacity, part of that value would move to the
//! edge's own dual). The network comes
//! with a crash basis in which every need is unserved, which is strongly
//! feasible and needs no artificial flow.

use crate::graph::FlowNetwork;

/// A max-weight b-matching problem with optional shared capacities.
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// // Two needs of 2 units, one provider of capacity 3; need 1 weighs more.
/// let p = BipartiteProblem::simple(vec![2, 2], vec![3], &[(0, 0, 5), (1, 0, 7)]);
/// assert_eq!(p.edge_count(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BipartiteProblem {
    /// Units of each need (at least 1).
    pub units: Vec<i64>,
    /// Capacity of each offer.
    pub offer_capacity: Vec<i64>,
    /// Group (shared capacity) of each offer, if any.
    pub offer_group: Vec<Option<u32>>,
    /// Capacity of each group.
    pub group_capacity: Vec<i64>,
    /// Need end of each edge.
    pub edge_need: Vec<u32>,
    /// Offer end of each edge.
    pub edge_offer: Vec<u32>,
    /// Weight of one unit on each edge.
    pub edge_weight: Vec<i64>,
    /// Cost of leaving one unit unserved (0 or more).
    pub unserved_penalty: i64,
    /// Unserved group of each need, for coverage floors (empty: no groups).
    /// A need's unserved units count against its group's limit.
    pub unserved_group: Vec<Option<u32>>,
    /// Most units each unserved group may leave unserved.
    pub unserved_limit: Vec<i64>,
    /// Enclosing group of each unserved group (of a larger index), if any.
    pub unserved_parent: Vec<Option<u32>>,
}

impl BipartiteProblem {
    /// A problem without groups: needs with units, providers with capacities,
    /// and `(need, provider, weight)` edges.
    pub fn simple(units: Vec<i64>, capacity: Vec<i64>, edges: &[(u32, u32, i64)]) -> Self {
        let offers = capacity.len();
        BipartiteProblem {
            units,
            offer_capacity: capacity,
            offer_group: vec![None; offers],
            group_capacity: Vec::new(),
            edge_need: edges.iter().map(|e| e.0).collect(),
            edge_offer: edges.iter().map(|e| e.1).collect(),
            edge_weight: edges.iter().map(|e| e.2).collect(),
            unserved_penalty: 0,
            unserved_group: Vec::new(),
            unserved_limit: Vec::new(),
            unserved_parent: Vec::new(),
        }
    }

    /// The unserved group of need `i`, if any.
    pub fn unserved_group_of(&self, i: usize) -> Option<u32> {
        self.unserved_group.get(i).copied().flatten()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edge_need.len()
    }

    /// The edges of each need, in CSR form: need `i`'s edge indices are
    /// `edges[start[i]..start[i + 1]]`, in edge order. O(needs + edges).
    ///
    /// ```
    /// use hubmatch::graph::BipartiteProblem;
    /// let p = BipartiteProblem::simple(vec![1, 1], vec![1], &[(1, 0, 5), (0, 0, 2), (1, 0, 3)]);
    /// let (start, edges) = p.edges_by_need();
    /// assert_eq!((start, edges), (vec![0, 1, 3], vec![1, 0, 2]));
    /// ```
    pub fn edges_by_need(&self) -> (Vec<u32>, Vec<u32>) {
        let start = self.need_starts();
        let mut fill = start.clone();
        let mut edges = vec![0u32; self.edge_count()];
        for (k, &i) in self.edge_need.iter().enumerate() {
            edges[fill[i as usize] as usize] = k as u32;
            fill[i as usize] += 1;
        }
        (start, edges)
    }

    /// Where each need's run starts in a list of edges by need (length
    /// needs + 1, the last the edge count): the first half of
    /// [`BipartiteProblem::edges_by_need`], and the runs themselves when
    /// the edges are grouped by need in need order.
    pub(crate) fn need_starts(&self) -> Vec<u32> {
        let n = self.need_count();
        let mut start = vec![0u32; n + 1];
        for &i in &self.edge_need {
            start[i as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        start
    }

    /// Where each need's run of edges starts (needs + 1 of them, the last
    /// the edge count) when the edges are grouped by need in need order
    /// (`None` otherwise): read off the runs' ends, in one pass.
    pub(crate) fn grouped_need_starts(&self) -> Option<Vec<u32>> {
        let n = self.need_count();
        let needs = &self.edge_need[..];
        let mut starts = Vec::with_capacity(n + 1);
        let mut k = 0;
        while k < needs.len() {
            let i = needs[k];
            // Need i's run (after any needs without edges) starts at k; an
            // earlier need again, or one beyond the last, is not grouped.
            if (i as usize) < starts.len() || i as usize >= n {
                return None;
            }
            starts.resize(i as usize + 1, k as u32);
            k += 1;
            // Runs are dozens of edges long: compared eight at a time.
            while needs
                .get(k..k + 8)
                .is_some_and(|eight| eight.iter().all(|&x| x == i))
            {
                k += 8;
            }
            while needs.get(k) == Some(&i) {
                k += 1;
            }
        }
        starts.resize(n + 1, needs.len() as u32);
        Some(starts)
    }

    /// Number of needs.
    pub fn need_count(&self) -> usize {
        self.units.len()
    }

    /// Number of offers.
    pub fn offer_count(&self) -> usize {
        self.offer_capacity.len()
    }
}

/// The flow network of a [`BipartiteProblem`] and where each part of it lies.
///
/// Nodes: needs `0..N`, offers `N..N+O`, groups `N+O..N+O+G`, unserved
/// groups `N+O+G..N+O+G+H`, then the sink. Arcs: edges `0..E` (in the
/// problem's order), unserved arcs `E..E+N`, offer arcs `E+N..E+N+O`, group
/// arcs, then unserved-group arcs (capacity: the group's limit).
///
/// ```
/// use hubmatch::graph::{BipartiteProblem, MatchingNetwork};
/// let p = BipartiteProblem::simple(vec![2, 2], vec![3], &[(0, 0, 5), (1, 0, 7)]);
/// let m = MatchingNetwork::build(&p);
/// assert_eq!(m.net.node_count(), 4); // 2 needs, 1 offer, the sink
/// assert_eq!(m.net.arc_count(), 5);  // 2 edges, 2 unserved, 1 offer arc
/// ```
#[derive(Debug, Clone)]
pub struct MatchingNetwork {
    /// The network.
    pub net: FlowNetwork,
    /// The sink node.
    pub sink: u32,
    /// Index of the first unserved arc.
    pub unserved_arcs: usize,
    /// Index of the first offer arc.
    pub offer_arcs: usize,
    /// Index of the first group arc.
    pub group_arcs: usize,
    /// Index of the first unserved-group arc.
    pub unserved_group_arcs: usize,
    /// For each node, the arc joining it to its parent in the crash basis
    /// (`None` = artificial).
    pub crash_tree: Vec<Option<u32>>,
}

impl MatchingNetwork {
    /// Builds the network. The caller guarantees indices are in range and
    /// numbers non-negative (see `solve::matching`, which checks).
    pub fn build(p: &BipartiteProblem) -> Self {
        let (n, o, g, e) = (
            p.need_count(),
            p.offer_count(),
            p.group_capacity.len(),
            p.edge_count(),
        );
        let h = p.unserved_limit.len();
        // Where each kind of arc goes, and the sink: one place (`layout`).
        let layout = Self::layout(p);
        let sink = layout.sink;
        let first_unserved_group = (n + o + g) as u32;
        let mut net = FlowNetwork::new(n + o + g + h + 1);
        let arcs = e + n + o + g + h;
        net.source.reserve(arcs);
        net.target.reserve(arcs);
        net.capacity.reserve(arcs);
        net.cost.reserve(arcs);
        for k in 0..e {
            let need = p.edge_need[k];
            net.add_arc(
                need,
                n as u32 + p.edge_offer[k],
                p.units[need as usize] + 1,
                -p.edge_weight[k],
            );
        }
        debug_assert_eq!(net.arc_count(), layout.unserved_arcs);
        let mut total = 0;
        for (i, &u) in p.units.iter().enumerate() {
            net.supply[i] = u;
            total += u;
            let head = p
                .unserved_group_of(i)
                .map_or(sink, |grp| first_unserved_group + grp);
            net.add_arc(i as u32, head, u + 1, p.unserved_penalty);
        }
        net.supply[sink as usize] = -total;
        debug_assert_eq!(net.arc_count(), layout.offer_arcs);
        for k in 0..o {
            let head = p.offer_group[k].map_or(sink, |grp| (n + o) as u32 + grp);
            net.add_arc((n + k) as u32, head, p.offer_capacity[k], 0);
        }
        debug_assert_eq!(net.arc_count(), layout.group_arcs);
        for k in 0..g {
            net.add_arc((n + o + k) as u32, sink, p.group_capacity[k], 0);
        }
        debug_assert_eq!(net.arc_count(), layout.unserved_group_arcs);
        for k in 0..h {
            let head = p
                .unserved_parent
                .get(k)
                .copied()
                .flatten()
                .map_or(sink, |grp| first_unserved_group + grp);
            net.add_arc(
                first_unserved_group + k as u32,
                head,
                p.unserved_limit[k],
                0,
            );
        }
        // Crash basis: every need unserved. With coverage floors it may break a
        // group's limit; the solver then checks it and starts cold instead.
        let mut crash_tree = vec![None; n + o + g + h + 1];
        for (i, slot) in crash_tree.iter_mut().enumerate().take(n) {
            *slot = Some((layout.unserved_arcs + i) as u32);
        }
        for k in 0..o {
            if p.offer_capacity[k] > 0 {
                crash_tree[n + k] = Some((layout.offer_arcs + k) as u32);
            }
        }
        for k in 0..g {
            if p.group_capacity[k] > 0 {
                crash_tree[n + o + k] = Some((layout.group_arcs + k) as u32);
            }
        }
        for k in 0..h {
            crash_tree[n + o + g + k] = Some((layout.unserved_group_arcs + k) as u32);
        }
        MatchingNetwork {
            net,
            crash_tree,
            ..layout
        }
    }

    /// Where [`MatchingNetwork::build`] puts the sink and each kind of arc
    /// for `p`, without building the network (its `net` and `crash_tree`
    /// are empty): nodes are needs, offers, groups, unserved groups, the
    /// sink; arcs are edges, unserved, offer, group and unserved-group arcs.
    ///
    /// ```
    /// use hubmatch::graph::{BipartiteProblem, MatchingNetwork};
    /// let p = BipartiteProblem::simple(vec![2, 2], vec![3], &[(0, 0, 5), (1, 0, 7)]);
    /// let layout = MatchingNetwork::layout(&p);
    /// let built = MatchingNetwork::build(&p);
    /// assert_eq!((layout.sink, layout.offer_arcs), (built.sink, built.offer_arcs));
    /// assert_eq!(layout.offer_arcs, 4); // two edges, two unserved arcs
    /// ```
    pub fn layout(p: &BipartiteProblem) -> Self {
        // Each kind of arc follows the one before: one per edge, need,
        // offer, group and unserved group.
        let unserved_arcs = p.edge_count();
        let offer_arcs = unserved_arcs + p.need_count();
        let group_arcs = offer_arcs + p.offer_count();
        let unserved_group_arcs = group_arcs + p.group_capacity.len();
        // Nodes: needs, offers, groups, unserved groups, then the sink.
        let sink = unserved_group_arcs - unserved_arcs + p.unserved_limit.len();
        MatchingNetwork {
            net: FlowNetwork::default(),
            sink: sink as u32,
            unserved_arcs,
            offer_arcs,
            group_arcs,
            unserved_group_arcs,
            crash_tree: Vec::new(),
        }
    }
}

impl BipartiteProblem {
    /// Independent problems side by side as one (indices shifted; the
    /// unserved penalty is the first problem's). Used to export all networks
    /// of a mode as one graph.
    ///
    /// ```
    /// use hubmatch::graph::BipartiteProblem;
    /// let a = BipartiteProblem::simple(vec![1], vec![1], &[(0, 0, 5)]);
    /// let b = BipartiteProblem::simple(vec![2], vec![3], &[(0, 0, 7)]);
    /// let both = BipartiteProblem::concat([&a, &b]);
    /// assert_eq!((both.edge_need.clone(), both.edge_offer.clone()), (vec![0, 1], vec![0, 1]));
    /// ```
    pub fn concat<'a>(parts: impl IntoIterator<Item = &'a BipartiteProblem>) -> BipartiteProblem {
        let mut out = BipartiteProblem::default();
        let mut first = true;
        for p in parts {
            if first {
                out.unserved_penalty = p.unserved_penalty;
                first = false;
            }
            let (n, o, g) = (
                out.units.len() as u32,
                out.offer_capacity.len() as u32,
                out.group_capacity.len() as u32,
            );
            out.units.extend_from_slice(&p.units);
            out.offer_capacity.extend_from_slice(&p.offer_capacity);
            out.offer_group
                .extend(p.offer_group.iter().map(|x| x.map(|x| x + g)));
            out.group_capacity.extend_from_slice(&p.group_capacity);
            out.edge_need.extend(p.edge_need.iter().map(|x| x + n));
            out.edge_offer.extend(p.edge_offer.iter().map(|x| x + o));
            out.edge_weight.extend_from_slice(&p.edge_weight);
            let h = out.unserved_limit.len() as u32;
            if !p.unserved_limit.is_empty() || !out.unserved_group.is_empty() {
                out.unserved_group.resize(n as usize, None);
                out.unserved_group
                    .extend((0..p.need_count()).map(|i| p.unserved_group_of(i).map(|x| x + h)));
            }
            out.unserved_limit.extend_from_slice(&p.unserved_limit);
            out.unserved_parent.extend(
                (0..p.unserved_limit.len())
                    .map(|k| p.unserved_parent.get(k).copied().flatten().map(|x| x + h)),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::BipartiteProblem;

    /// The runs read off grouped edges are those counted edge by edge, for
    /// runs of every length (none, shorter and longer than the skip of
    /// eight); edges out of need order, or of a need beyond the last, give
    /// none.
    #[test]
    fn grouped_need_starts_equal_the_counted_ones() {
        for seed in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let needs = rng.random_range(1..12usize);
            let mut edges = Vec::new();
            for i in 0..needs {
                for _ in 0..rng.random_range(0..30) {
                    edges.push((i as u32, 0, 1));
                }
            }
            let p = BipartiteProblem::simple(vec![1; needs], vec![1], &edges);
            assert_eq!(
                p.grouped_need_starts(),
                Some(p.need_starts()),
                "seed {seed}"
            );
            if edges.len() > 1 && edges.first() != edges.last() {
                let mut q = p.clone();
                q.edge_need.swap(0, edges.len() - 1);
                assert_eq!(q.grouped_need_starts(), None, "seed {seed}");
            }
            let mut beyond = p.clone();
            beyond.edge_need.push(needs as u32);
            beyond.edge_offer.push(0);
            beyond.edge_weight.push(1);
            assert_eq!(beyond.grouped_need_starts(), None, "seed {seed}");
        }
    }
}
