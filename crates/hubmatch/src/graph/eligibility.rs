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

use crate::error::Result;
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
pub(super) type ChunkEdges = (Vec<(u32, Eligible)>, Vec<(u32, bool)>);

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
        let mut first_offer = Vec::with_capacity(ix.providers.len());
        let mut offers = Vec::new();
        for (pi, p) in ix.providers.iter().enumerate() {
            first_offer.push((n + offers.len()) as u32);
            offers.extend((0..p.offers.len() as u32).map(|oi| (pi as u32, oi)));
        }
        let buckets = Buckets::of(ix, &offers, n);
        let chunks = find_edges(ix, &buckets);
        collect_edges(n, first_offer, offers, chunks)
    }

    /// The graph of `ix`, a district that is this graph's with providers
    /// appended (and amounts changed, which eligibility does not read): the
    /// new offers' edges alone are looked for, through a bucket index of
    /// the new offers, and each need's run gets its new edges after its old
    /// ones, as [`EligibilityGraph::build`] would place them. Equal to
    /// `build(ix)` when the providers this graph was built from are those
    /// of `ix` but for amounts (the caller's word: only the counts are
    /// checked). O(needs + edges + the new offers' candidates), against
    /// O(all candidates) for a build: a sweep that adds a provider to
    /// district-13 skips nine tenths of a build's time.
    ///
    /// ```
    /// use hubmatch::graph::EligibilityGraph;
    /// let mut d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let g = EligibilityGraph::build(&d.validate().unwrap());
    /// let mut copy = d.providers[2].clone();
    /// copy.id = "ngo2".into();
    /// d.providers.push(copy);
    /// let ix = d.validate().unwrap();
    /// let grown = g.with_providers_appended(&ix).unwrap();
    /// let fresh = EligibilityGraph::build(&ix);
    /// assert!(grown.edge_count() > g.edge_count());
    /// assert_eq!((grown.edge_offer, grown.need_edges), (fresh.edge_offer, fresh.need_edges));
    /// ```
    pub fn with_providers_appended(&self, ix: &DistrictIndex) -> Result<EligibilityGraph> {
        Ok(self.growth(ix)?.graph())
    }

    /// A graph of `needs` needs and the offer nodes `offers`, without
    /// edges yet.
    pub(super) fn with_nodes(needs: usize, first_offer: Vec<u32>, offers: Vec<(u32, u32)>) -> Self {
        EligibilityGraph {
            needs,
            first_offer,
            offers,
            edge_need: Vec::new(),
            edge_offer: Vec::new(),
            edge_weight: Vec::new(),
            no_edge: vec![None; needs],
            need_edges: Vec::new(),
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

/// Offer nodes by (community, category) of the needs they may serve: the
/// candidates of each need. Offers whose kind the policy bars from their
/// category are left out.
pub(super) struct Buckets {
    categories: usize,
    offers: Vec<Vec<(u32, u32, u32)>>,
    /// The most offers in one bucket: at most that many edges per need.
    widest: usize,
}

impl Buckets {
    /// The buckets of `offers` ((provider, offer) pairs), whose nodes are
    /// numbered from `first_node` on.
    pub(super) fn of(ix: &DistrictIndex, offers: &[(u32, u32)], first_node: usize) -> Buckets {
        let categories = ix.categories.len();
        let mut buckets = vec![Vec::new(); ix.communities.len() * categories];
        for (k, &(pi, oi)) in offers.iter().enumerate() {
            let p = &ix.providers[pi as usize];
            let o = &p.offers[oi as usize];
            if !ix.allowed[o.category][p.kind as usize] {
                continue;
            }
            for &c in &p.area {
                let node = (first_node + k) as u32;
                buckets[c * categories + o.category].push((node, pi, oi));
            }
        }
        let widest = buckets.iter().map(Vec::len).max().unwrap_or(0);
        Buckets {
            categories,
            offers: buckets,
            widest,
        }
    }
}

/// The edges of every need to the offers of `buckets`: candidates are
/// checked and weighed in parallel, in chunks of needs. Per chunk: its
/// edges, flat, and for each need the end of its run and whether any offer
/// was eligible.
pub(super) fn find_edges(ix: &DistrictIndex, buckets: &Buckets) -> Vec<ChunkEdges> {
    let chunks = find_edges_and(ix, buckets, |_, _| ());
    chunks.into_iter().map(|(edges, ())| edges).collect()
}

/// [`find_edges`], with what `also(first, needs)` makes of each chunk of
/// needs (`needs`, from need `first` on) right after its edges are found,
/// while its records are in the cache.
pub(super) fn find_edges_and<T: Send>(
    ix: &DistrictIndex,
    buckets: &Buckets,
    also: impl Fn(usize, &[NeedIndex]) -> T + Sync,
) -> Vec<(ChunkEdges, T)> {
    const CHUNK: usize = 2048;
    let penalty = unserved_penalty(ix);
    let cats = buckets.categories;
    ix.needs
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| {
            // Room for 32 edges a need, fewer when the buckets are narrow
            // (a few new offers: their search finds few edges).
            let mut edges = Vec::with_capacity(chunk.len() * buckets.widest.min(32));
            let mut ends = Vec::with_capacity(chunk.len());
            for need in chunk {
                let mut any_eligible = false;
                for &(node, pi, oi) in &buckets.offers[need.community * cats + need.category] {
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
            ((edges, ends), also(k * CHUNK, chunk))
        })
        .collect()
}

impl EligibilityGraph {
    /// Appends `old`'s runs of `needs`, as they were: they are contiguous
    /// in both graphs, so the stretch is copied at once (a few new offers
    /// leave most of a district's needs untouched, and copying need by
    /// need took most of a grown graph's time).
    pub(super) fn copy_runs(&mut self, old: &EligibilityGraph, needs: std::ops::Range<usize>) {
        if needs.is_empty() {
            return;
        }
        let lo = old.need_edges[needs.start].start as usize;
        let hi = old.need_edges[needs.end - 1].end as usize;
        let at = self.edge_need.len();
        self.edge_need.extend_from_slice(&old.edge_need[lo..hi]);
        self.edge_offer.extend_from_slice(&old.edge_offer[lo..hi]);
        self.edge_weight.extend_from_slice(&old.edge_weight[lo..hi]);
        let moved = |k: u32| (k as usize + at - lo) as u32;
        self.need_edges.extend(
            old.need_edges[needs.clone()]
                .iter()
                .map(|r| moved(r.start)..moved(r.end)),
        );
        self.no_edge[needs.clone()].copy_from_slice(&old.no_edge[needs]);
    }
}

/// The graph whose need `i` has the edges `chunks` found for it, added in
/// need order, so the graph is the same at any thread count.
fn collect_edges(
    n: usize,
    first_offer: Vec<u32>,
    offers: Vec<(u32, u32)>,
    chunks: Vec<ChunkEdges>,
) -> EligibilityGraph {
    let total = chunks.iter().map(|(e, _)| e.len()).sum::<usize>();
    let mut g = EligibilityGraph::with_nodes(n, first_offer, offers);
    g.edge_need.reserve(total);
    g.edge_offer.reserve(total);
    g.edge_weight.reserve(total);
    g.need_edges.reserve(n);
    let mut i = 0usize;
    for (edges, ends) in chunks {
        let mut from = 0usize;
        for (end, any_eligible) in ends {
            let start = g.edge_need.len() as u32;
            for &(node, e) in &edges[from..end as usize] {
                g.edge_need.push(i as u32);
                g.edge_offer.push(node);
                g.edge_weight.push(e);
            }
            from = end as usize;
            let end = g.edge_need.len() as u32;
            g.need_edges.push(start..end);
            g.no_edge[i] = (start == end).then_some(if any_eligible {
                NoEdge::NotWorthServing
            } else {
                NoEdge::NoEligibleProvider
            });
            i += 1;
        }
    }
    g
}
