//! An eligibility graph grown by appended providers, kept as its base graph
//! and the new offers' edges beside it.
//!
//! A scenario that adds a provider to a district adds edges to some needs
//! and changes nothing else in the graph. A grown graph written out in
//! full copies every old edge (50 MB on district-13, most of a grown
//! re-solve's serial time), yet what grows the networks reads only the new
//! edges, where each need's new edges sit in the grown graph, and why the
//! needs without edges have none. A [`GraphGrowth`] holds just that; the
//! full graph is written out ([`GraphGrowth::graph`]) only when the
//! networks must be built afresh.
//!
//! Complexity: O(needs + the new offers' candidates) to find the growth
//! (the candidate search as in a build, over the new offers alone);
//! O(needs + edges) to write out the graph.

use std::ops::Range;

use rayon::prelude::*;

use super::eligibility::{Buckets, ChunkEdges, EligibilityGraph, Eligible, NoEdge, find_edges_and};
use crate::error::{RecordKind, Result, ValidationError};
use crate::validate::{DistrictIndex, NeedIndex};

/// The edges that providers appended to a district add to its graph
/// `base`: in the grown graph each need's new edges follow its old ones,
/// and the new offers' nodes follow the old nodes.
pub(crate) struct GraphGrowth<'a> {
    /// The graph grown.
    pub(crate) base: &'a EligibilityGraph,
    /// For each provider (old and new), the node of its first offer.
    pub(crate) first_offer: Vec<u32>,
    /// (provider, offer) of each offer node (old and new).
    pub(crate) offers: Vec<(u32, u32)>,
    /// Where each need's new edges start, then where the last ones end.
    new_start: Vec<u32>,
    /// The need of each new edge.
    edge_need: Vec<u32>,
    /// Offer node of each new edge.
    pub(crate) edge_offer: Vec<u32>,
    /// Weight of each new edge.
    pub(crate) edge_weight: Vec<Eligible>,
    /// For each need with no edge in the grown graph, why.
    pub(crate) no_edge: Vec<Option<NoEdge>>,
}

/// Where the offer nodes of each need's edges are read: a graph, or a
/// graph grown by appended providers.
pub(crate) trait NeedOffers {
    /// Number of nodes (needs, then offers).
    fn node_count(&self) -> usize;
    /// The (provider, offer) of an offer node.
    fn offer_of(&self, node: u32) -> (u32, u32);
    /// The offer nodes of need `i`'s edges: its base edges', then its new
    /// edges' (none for a graph).
    fn need_offers(&self, i: usize) -> [&[u32]; 2];
}

impl NeedOffers for EligibilityGraph {
    fn node_count(&self) -> usize {
        EligibilityGraph::node_count(self)
    }

    fn offer_of(&self, node: u32) -> (u32, u32) {
        EligibilityGraph::offer_of(self, node)
    }

    fn need_offers(&self, i: usize) -> [&[u32]; 2] {
        let run = &self.need_edges[i];
        [&self.edge_offer[run.start as usize..run.end as usize], &[]]
    }
}

impl NeedOffers for GraphGrowth<'_> {
    fn node_count(&self) -> usize {
        self.base.needs + self.offers.len()
    }

    fn offer_of(&self, node: u32) -> (u32, u32) {
        (node as usize)
            .checked_sub(self.base.needs)
            .and_then(|k| self.offers.get(k))
            .copied()
            .unwrap_or((u32::MAX, u32::MAX))
    }

    fn need_offers(&self, i: usize) -> [&[u32]; 2] {
        [
            self.base.need_offers(i)[0],
            &self.edge_offer[self.new_edges(i)],
        ]
    }
}

impl EligibilityGraph {
    /// The growth of this graph for `ix`, a district that is this graph's
    /// with providers appended (and amounts changed, which eligibility does
    /// not read): the new offers' edges alone are looked for, through a
    /// bucket index of the new offers. The caller vouches that the
    /// providers this graph was built from are those of `ix` but for
    /// amounts; only the counts are checked.
    pub(crate) fn growth(&self, ix: &DistrictIndex) -> Result<GraphGrowth<'_>> {
        Ok(self.growth_and(ix, |_, _| ())?.0)
    }

    /// [`EligibilityGraph::growth`], with what `also(first, needs)` makes
    /// of each chunk of `ix`'s needs (`needs`, from need `first` on), in
    /// order, read while the new edges are looked for (a caller's checks of
    /// the need records then cost no pass of their own over them).
    pub(crate) fn growth_and<T: Send>(
        &self,
        ix: &DistrictIndex,
        also: impl Fn(usize, &[NeedIndex]) -> T + Sync,
    ) -> Result<(GraphGrowth<'_>, Vec<T>)> {
        let old = self.first_offer.len();
        let fits = self.needs == ix.needs.len()
            && old <= ix.providers.len()
            && self.first_offer.iter().enumerate().all(|(p, &first)| {
                let end = self.first_offer.get(p + 1).copied();
                let end = end.unwrap_or((self.needs + self.offers.len()) as u32);
                (end - first) as usize == ix.providers[p].offers.len()
            });
        if !fits {
            return Err(ValidationError::new(
                RecordKind::Network,
                "eligibility graph",
                "shape",
                "the district is not the graph's with providers appended",
            )
            .into());
        }
        let n = self.needs;
        let mut first_offer = self.first_offer.clone();
        let mut offers = self.offers.clone();
        for (pi, p) in ix.providers.iter().enumerate().skip(old) {
            first_offer.push((n + offers.len()) as u32);
            offers.extend((0..p.offers.len() as u32).map(|oi| (pi as u32, oi)));
        }
        let buckets = Buckets::of(ix, &offers[self.offers.len()..], n + self.offers.len());
        let (chunks, found): (Vec<_>, Vec<_>) =
            find_edges_and(ix, &buckets, also).into_iter().unzip();
        Ok((GraphGrowth::of(self, first_offer, offers, &chunks), found))
    }
}

impl<'a> GraphGrowth<'a> {
    /// The growth of `base` by the edges `chunks` found for each need, in
    /// need order (so it is the same at any thread count).
    fn of(
        base: &'a EligibilityGraph,
        first_offer: Vec<u32>,
        offers: Vec<(u32, u32)>,
        chunks: &[ChunkEdges],
    ) -> GraphGrowth<'a> {
        let n = base.needs;
        let total = chunks.iter().map(|(e, _)| e.len()).sum::<usize>();
        let mut new_start = vec![0; n + 1];
        let (mut edge_need, mut edge_offer) = (vec![0; total], vec![0; total]);
        let empty = Eligible {
            weight: 0,
            cross: false,
        };
        let mut edge_weight = vec![empty; total];
        let mut no_edge = base.no_edge.clone();
        // Each chunk writes its own stretch of every array, in parallel (one
        // thread took 0.4 ms of a re-solve's serial start on district-13).
        let mut stretches = Vec::with_capacity(chunks.len());
        let (mut starts, mut reasons) = (&mut new_start[..n], &mut no_edge[..]);
        let (mut nodes, mut weights) = (&mut edge_offer[..], &mut edge_weight[..]);
        let mut need_of = &mut edge_need[..];
        let (mut at, mut first) = (0u32, 0u32);
        for chunk @ (edges, ends) in chunks {
            let (k, e) = (ends.len(), edges.len());
            let (s, r, o, w, i);
            (s, starts) = std::mem::take(&mut starts).split_at_mut(k);
            (r, reasons) = std::mem::take(&mut reasons).split_at_mut(k);
            (o, nodes) = std::mem::take(&mut nodes).split_at_mut(e);
            (w, weights) = std::mem::take(&mut weights).split_at_mut(e);
            (i, need_of) = std::mem::take(&mut need_of).split_at_mut(e);
            stretches.push((chunk, (at, first), (s, r), (o, w, i)));
            (at, first) = (at + e as u32, first + k as u32);
        }
        stretches.into_par_iter().for_each(
            |((edges, ends), (at, first), (starts, reasons), (nodes, weights, need_of))| {
                for ((node, weight), &(found, e)) in nodes.iter_mut().zip(weights).zip(edges) {
                    (*node, *weight) = (found, e);
                }
                let mut from = 0u32;
                for (j, ((start, reason), &(end, any_eligible))) in
                    starts.iter_mut().zip(reasons).zip(ends).enumerate()
                {
                    *start = at + from;
                    need_of[from as usize..end as usize].fill(first + j as u32);
                    // A need without edges before keeps its reason unless an
                    // offer is eligible now: worth serving (an edge) or not.
                    if end != from {
                        *reason = None;
                    } else if any_eligible && reason.is_some() {
                        *reason = Some(NoEdge::NotWorthServing);
                    }
                    from = end;
                }
            },
        );
        new_start[n] = total as u32;
        GraphGrowth {
            base,
            first_offer,
            offers,
            new_start,
            edge_need,
            edge_offer,
            edge_weight,
            no_edge,
        }
    }

    /// The needs with new edges, in order: O(new edges), read off each
    /// new edge's need (a pass over every need's start, O(needs), took a
    /// third of a millisecond on district-13: the growth had just written
    /// them on both threads).
    pub(crate) fn needs_with_new_edges(&self) -> impl Iterator<Item = usize> + '_ {
        let mut last = u32::MAX;
        self.edge_need.iter().filter_map(move |&i| {
            let first = i != last;
            last = i;
            first.then_some(i as usize)
        })
    }

    /// Need `i`'s new edges (indices into this growth's edge arrays).
    pub(crate) fn new_edges(&self, i: usize) -> Range<usize> {
        self.new_start[i] as usize..self.new_start[i + 1] as usize
    }

    /// How far need `i`'s old edges move in the grown graph: the new edges
    /// of the needs before it.
    #[cfg(test)]
    pub(crate) fn shift(&self, i: usize) -> u32 {
        self.new_start[i]
    }

    /// The grown graph's index of new edge `e` of need `i`: after the
    /// need's old edges, moved.
    #[cfg(test)]
    pub(crate) fn graph_edge(&self, i: usize, e: usize) -> u32 {
        self.base.need_edges[i].end + e as u32
    }

    /// The grown graph written out: equal to a build of the grown
    /// district's graph.
    pub(crate) fn graph(&self) -> EligibilityGraph {
        let base = self.base;
        let n = base.needs;
        let mut g = EligibilityGraph::with_nodes(n, self.first_offer.clone(), self.offers.clone());
        let total = base.edge_count() + self.edge_offer.len();
        g.edge_need.reserve(total);
        g.edge_offer.reserve(total);
        g.edge_weight.reserve(total);
        g.need_edges.reserve(n);
        // Needs `pending..i` gain nothing: their old runs are copied in one
        // stretch with the next need that does gain, or at the end.
        let mut pending = 0usize;
        for i in 0..n {
            let new = self.new_edges(i);
            if new.is_empty() {
                continue;
            }
            g.copy_runs(base, pending..i + 1);
            pending = i + 1;
            for e in new {
                g.edge_need.push(i as u32);
                g.edge_offer.push(self.edge_offer[e]);
                g.edge_weight.push(self.edge_weight[e]);
            }
            let run = g.need_edges.last_mut().expect("need i's run");
            run.end = g.edge_need.len() as u32;
        }
        g.copy_runs(base, pending..n);
        g.no_edge.clone_from(&self.no_edge);
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceArea;
    use crate::synthetic::{Knobs, generate};

    /// The growth written out equals a fresh build, and what the growth
    /// says of each need (its new edges, where its runs sit, its offers)
    /// is what the written-out graph holds. The new providers include one
    /// whose skills reach needs that had no edge.
    #[test]
    fn growth_agrees_with_a_fresh_build() {
        for seed in 0..4 {
            let d = generate(&Knobs::preset("small").unwrap(), seed);
            let base = EligibilityGraph::build(&d.validate().unwrap());
            let mut grown = d.clone();
            for (k, p) in d.providers.iter().step_by(7).enumerate() {
                let mut copy = p.clone();
                copy.id = format!("copy{k}");
                if k == 1 {
                    // Every skill, every hour, the whole district, free.
                    copy.skills = d.needs.iter().flat_map(|n| n.skills.clone()).collect();
                    copy.availability.clear();
                    copy.service_area = Some(ServiceArea::District);
                    for o in &mut copy.offers {
                        o.price = None;
                    }
                }
                grown.providers.push(copy);
            }
            let ix = grown.validate().unwrap();
            let growth = base.growth(&ix).unwrap();
            let g = growth.graph();
            let fresh = EligibilityGraph::build(&ix);
            assert!(g.edge_count() > base.edge_count(), "seed {seed}");
            assert_eq!(
                (&g.edge_need, &g.edge_offer, &g.edge_weight),
                (&fresh.edge_need, &fresh.edge_offer, &fresh.edge_weight),
                "seed {seed}"
            );
            assert_eq!(
                (&g.need_edges, &g.no_edge, &g.first_offer, &g.offers),
                (
                    &fresh.need_edges,
                    &fresh.no_edge,
                    &fresh.first_offer,
                    &fresh.offers
                ),
                "seed {seed}"
            );
            let mut reached = 0;
            for i in 0..base.needs {
                let (old, run) = (&base.need_edges[i], &g.need_edges[i]);
                assert_eq!(run.start, old.start + growth.shift(i), "seed {seed}");
                for e in growth.new_edges(i) {
                    let k = growth.graph_edge(i, e) as usize;
                    assert!(run.contains(&(k as u32)) && k as u32 >= run.start + old.len() as u32);
                    assert_eq!(g.edge_offer[k], growth.edge_offer[e], "seed {seed}");
                    assert_eq!(g.edge_weight[k], growth.edge_weight[e], "seed {seed}");
                }
                let [a, b] = growth.need_offers(i);
                assert_eq!([a, b].concat(), g.need_offers(i)[0], "seed {seed}");
                reached += usize::from(old.is_empty() && !run.is_empty());
            }
            assert!(reached > 0, "seed {seed}: no need newly reached");
            let with_new: Vec<usize> = (0..base.needs)
                .filter(|&i| !growth.new_edges(i).is_empty())
                .collect();
            assert!(!with_new.is_empty());
            assert!(growth.needs_with_new_edges().eq(with_new), "seed {seed}");
            for node in 0..g.node_count() as u32 {
                assert_eq!(growth.offer_of(node), g.offer_of(node));
            }
        }
    }
}
