//! Eligibility: which offers may serve which needs, and at what weight.
//!
//! A need is eligible for an offer when the offer is in the need's category;
//! the provider's service area covers the need's community; the policy lets
//! the provider's kind serve the category; the provider has every skill the
//! need requires; their time windows overlap where both are given; and a
//! priced offer costs no more than the need's budget (a need without a budget
//! cannot pay). An eligible pair becomes an edge when serving is worth it:
//! weight + unserved penalty > 0.
//!
//! Candidates are found through a (community, category) bucket index, so the
//! cost is O(Σ candidates) rather than O(needs × offers).

use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use crate::graph::weight::{unit_weight, unserved_penalty};
use crate::validate::{DistrictIndex, NeedIndex, ProviderIndex};

/// A node of the eligibility graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligibilityNode {
    /// Need, by index into the district's needs.
    Need(u32),
    /// Offer `offer` of provider `provider` (indices into the district).
    Offer {
        /// Provider index.
        provider: u32,
        /// Offer index within the provider.
        offer: u32,
    },
}

/// An edge: one unit of the need served by the offer is worth `weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eligible {
    /// Weight of one unit in thousandths of a point.
    pub weight: i64,
    /// Whether the provider's home is another community (pooled mode only).
    pub cross: bool,
}

/// Edges found for a chunk of needs, flat, and per need the end of its run
/// and whether any offer was eligible.
type ChunkEdges = (Vec<(u32, Eligible)>, Vec<(u32, bool)>);

/// Why a need has no edge at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoEdge {
    /// No offer passes the eligibility rules.
    NoEligibleProvider,
    /// Some offers are eligible, but none is worth serving.
    NotWorthServing,
}

/// The eligibility graph of a district: needs and offers as nodes, an edge
/// need → offer for every eligible pair worth serving, weighted per unit.
///
/// Nodes `0..needs` are the needs in input order, followed by the offers in
/// provider order; edges are grouped by need, in input order. The engine
/// reads the edges from flat arrays; [`EligibilityGraph::petgraph`] gives the
/// same graph as a plain [`petgraph`] graph for inspection and export (built
/// on first use, so matching never pays for it).
///
/// ```
/// use hubmatch::graph::EligibilityGraph;
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let g = EligibilityGraph::build(&d.validate().unwrap());
/// let pg = g.petgraph();
/// assert_eq!(pg.node_count(), d.needs.len() + d.providers.iter().map(|p| p.offers.len()).sum::<usize>());
/// assert_eq!(pg.edge_count(), g.edge_count());
/// ```
#[derive(Debug, Clone)]
pub struct EligibilityGraph {
    /// Number of needs (the first nodes).
    pub needs: usize,
    /// For each provider, the node of its first offer.
    pub first_offer: Vec<u32>,
    /// (provider, offer) of each offer node, in node order after the needs.
    pub offers: Vec<(u32, u32)>,
    /// Need of each edge.
    pub edge_need: Vec<u32>,
    /// Offer node of each edge.
    pub edge_offer: Vec<u32>,
    /// Weight of each edge.
    pub edge_weight: Vec<Eligible>,
    /// For each need with no edge, why.
    pub no_edge: Vec<Option<NoEdge>>,
    /// For each need, the range of its edges (edge indices).
    pub need_edges: Vec<std::ops::Range<u32>>,
    petgraph: std::sync::OnceLock<DiGraph<EligibilityNode, Eligible, u32>>,
}

fn eligible(need: &NeedIndex, provider: &ProviderIndex, price: Option<i64>) -> bool {
    // Skills: both sorted, need's must be a subset of provider's.
    let mut have = provider.skills.iter();
    if !need.skills.iter().all(|s| have.any(|h| h == s)) {
        return false;
    }
    if let (Some(w), false) = (need.window, provider.availability.is_empty()) {
        if !provider.availability.iter().any(|a| a.overlaps(&w)) {
            return false;
        }
    }
    match price {
        Some(p) if p > 0 => need.budget.is_some_and(|b| b >= p),
        _ => true,
    }
}

impl EligibilityGraph {
    /// Builds the pooled eligibility graph: every provider serves its whole
    /// service area, with the cross-community penalty where it applies.
    pub fn build(ix: &DistrictIndex) -> Self {
        let n = ix.needs.len();
        let cats = ix.categories.len();
        let mut first_offer = Vec::with_capacity(ix.providers.len());
        let mut offers = Vec::new();
        // Bucket index: (community, category) -> offer nodes.
        let mut buckets: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); ix.communities.len() * cats];
        for (pi, p) in ix.providers.iter().enumerate() {
            first_offer.push((n + offers.len()) as u32);
            for (oi, o) in p.offers.iter().enumerate() {
                let node = (n + offers.len()) as u32;
                offers.push((pi as u32, oi as u32));
                if !ix.allowed[o.category][p.kind as usize] {
                    continue;
                }
                for &c in &p.area {
                    buckets[c * cats + o.category].push((node, pi as u32, oi as u32));
                }
            }
        }
        let penalty = unserved_penalty(ix);
        // Candidates are checked and weighed in parallel, in chunks of needs;
        // edges are then added in need order, so the graph is the same at
        // any thread count.
        // Per chunk: its edges, flat, and for each need the end of its run
        // and whether any offer was eligible.
        let chunks: Vec<ChunkEdges> = ix
            .needs
            .par_chunks(2048)
            .map(|chunk| {
                let mut edges = Vec::with_capacity(chunk.len() * 32);
                let mut ends = Vec::with_capacity(chunk.len());
                for need in chunk {
                    let mut any_eligible = false;
                    for &(node, pi, oi) in &buckets[need.community * cats + need.category] {
                        let provider = &ix.providers[pi as usize];
                        let offer = &provider.offers[oi as usize];
                        if !eligible(need, provider, offer.price) {
                            continue;
                        }
                        any_eligible = true;
                        let cross = provider.home.is_some_and(|h| h != need.community);
                        let weight = unit_weight(ix, need, provider, offer, cross);
                        if weight + penalty > 0 {
                            edges.push((node, Eligible { weight, cross }));
                        }
                    }
                    ends.push((edges.len() as u32, any_eligible));
                }
                (edges, ends)
            })
            .collect();
        let total: usize = chunks.iter().map(|(e, _)| e.len()).sum();
        let mut edge_need = Vec::with_capacity(total);
        let mut edge_offer = Vec::with_capacity(total);
        let mut edge_weight = Vec::with_capacity(total);
        let mut no_edge = vec![None; n];
        let mut need_edges = Vec::with_capacity(n);
        let mut i = 0usize;
        for (edges, ends) in chunks {
            let mut from = 0usize;
            for (end, any_eligible) in ends {
                let start = edge_need.len() as u32;
                for &(node, e) in &edges[from..end as usize] {
                    edge_need.push(i as u32);
                    edge_offer.push(node);
                    edge_weight.push(e);
                }
                from = end as usize;
                let stop = edge_need.len() as u32;
                if start == stop {
                    no_edge[i] = Some(if any_eligible {
                        NoEdge::NotWorthServing
                    } else {
                        NoEdge::NoEligibleProvider
                    });
                }
                need_edges.push(start..stop);
                i += 1;
            }
        }
        EligibilityGraph {
            needs: n,
            first_offer,
            offers,
            edge_need,
            edge_offer,
            edge_weight,
            no_edge,
            need_edges,
            petgraph: std::sync::OnceLock::new(),
        }
    }

    /// Number of nodes (needs, then offers).
    pub fn node_count(&self) -> usize {
        self.needs + self.offers.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edge_need.len()
    }

    /// The graph as a [`petgraph`] graph (built once, on first use).
    pub fn petgraph(&self) -> &DiGraph<EligibilityNode, Eligible, u32> {
        self.petgraph.get_or_init(|| {
            let mut g = DiGraph::with_capacity(self.node_count(), self.edge_count());
            for i in 0..self.needs {
                g.add_node(EligibilityNode::Need(i as u32));
            }
            for &(provider, offer) in &self.offers {
                g.add_node(EligibilityNode::Offer { provider, offer });
            }
            for k in 0..self.edge_count() {
                g.add_edge(
                    NodeIndex::new(self.edge_need[k] as usize),
                    NodeIndex::new(self.edge_offer[k] as usize),
                    self.edge_weight[k],
                );
            }
            g
        })
    }

    /// The (provider, offer) of an offer node.
    pub fn offer_of(&self, node: u32) -> (u32, u32) {
        (node as usize)
            .checked_sub(self.needs)
            .and_then(|k| self.offers.get(k))
            .copied()
            .unwrap_or((u32::MAX, u32::MAX))
    }
}
