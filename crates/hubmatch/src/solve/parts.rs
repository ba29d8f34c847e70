//! The networks a mode solves: one per community (per-community mode, with
//! district-level capacity split by quotas or by eligible demand) or one per
//! connected component of the pooled eligibility graph.
//!
//! Complexity: O(needs + edges) with dense index maps; per-community parts
//! are built in parallel.

use rayon::prelude::*;

use crate::error::Result;
use crate::graph::weight::unserved_penalty;
use crate::graph::{BipartiteProblem, EligibilityGraph};
use crate::solve::district::Mode;
use crate::solve::floors::{apply_floors, has_floor};
use crate::validate::DistrictIndex;

/// One network of a mode: the matching problem of a community (per-community
/// mode) or of a connected component (pooled), and what its local indices mean.
#[derive(Debug, Clone)]
pub struct Part {
    /// The community (per-community mode), or `None`.
    pub community: Option<u32>,
    /// The matching problem.
    pub problem: BipartiteProblem,
    /// District need index of each local need.
    pub needs: Vec<u32>,
    /// (provider, offer) of each local offer.
    pub offers: Vec<(u32, u32)>,
    /// Provider of each local group (shared capacity).
    pub groups: Vec<u32>,
    /// Eligibility-graph edge index of each local edge.
    pub edges: Vec<u32>,
    /// (community, category) of each unserved group: the coverage floors
    /// this network enforces (category `None`: the whole community).
    pub floors: Vec<(u32, Option<u32>)>,
}

/// The eligibility graph of a district and the networks `mode` solves.
///
/// ```
/// use hubmatch::solve::{district::mode_parts, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let (_, parts) = mode_parts(&d.validate().unwrap(), Mode::PerCommunity).unwrap();
/// assert_eq!(parts.len(), 2); // one per community
/// ```
pub fn mode_parts(ix: &DistrictIndex, mode: Mode) -> Result<(EligibilityGraph, Vec<Part>)> {
    let graph = EligibilityGraph::build(ix);
    let parts = parts_on(ix, &graph, mode)?;
    Ok((graph, parts))
}

/// The networks `mode` solves, on a prebuilt eligibility graph of `ix` (see
/// [`crate::solve::district::match_district_on`]).
pub(crate) fn parts_on(
    ix: &DistrictIndex,
    graph: &EligibilityGraph,
    mode: Mode,
) -> Result<Vec<Part>> {
    let mut parts = match mode {
        Mode::Pooled => pooled_parts(ix, graph),
        Mode::PerCommunity => community_parts(ix, graph),
    };
    apply_floors(ix, &mut parts)?;
    Ok(parts)
}

fn edge_ends(graph: &EligibilityGraph, e: u32) -> (u32, u32) {
    (graph.edge_need[e as usize], graph.edge_offer[e as usize])
}

fn find(parent: &mut [u32], mut v: u32) -> u32 {
    while parent[v as usize] != v {
        parent[v as usize] = parent[parent[v as usize] as usize];
        v = parent[v as usize];
    }
    v
}

fn pooled_parts(ix: &DistrictIndex, graph: &EligibilityGraph) -> Vec<Part> {
    let nodes = graph.node_count();
    let mut parent: Vec<u32> = (0..nodes as u32).collect();
    let union = |parent: &mut Vec<u32>, a: u32, b: u32| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi as usize] = lo;
        }
    };
    for e in 0..graph.edge_count() as u32 {
        let (a, b) = edge_ends(graph, e);
        union(&mut parent, a, b);
    }
    for (p, pr) in ix.providers.iter().enumerate() {
        if pr.capacity.is_some() {
            let first = graph.first_offer[p];
            for k in 1..pr.offers.len() as u32 {
                union(&mut parent, first, first + k);
            }
        }
    }
    // A coverage floor couples its community's needs: keep them in one network.
    let mut first_need: Vec<Option<u32>> = vec![None; ix.communities.len()];
    for (i, need) in ix.needs.iter().enumerate() {
        if graph.need_edges[i].is_empty() || !has_floor(ix, need.community) {
            continue;
        }
        match first_need[need.community] {
            Some(f) => union(&mut parent, f, i as u32),
            None => first_need[need.community] = Some(i as u32),
        }
    }
    // Components with at least one edge, in order of their smallest need.
    let mut part_of = vec![u32::MAX; nodes];
    let mut parts: Vec<Part> = Vec::new();
    for i in 0..graph.needs as u32 {
        if graph.need_edges[i as usize].is_empty() {
            continue;
        }
        let r = find(&mut parent, i) as usize;
        if part_of[r] == u32::MAX {
            part_of[r] = parts.len() as u32;
            parts.push(Part::new(None));
        }
        parts[part_of[r] as usize].needs.push(i);
    }
    let penalty = unserved_penalty(ix);
    // Every offer and provider belongs to one component: dense maps suffice.
    let mut local = vec![u32::MAX; nodes];
    let mut group_of = vec![u32::MAX; ix.providers.len()];
    for part in &mut parts {
        let needs = std::mem::take(&mut part.needs);
        for (li, &i) in needs.iter().enumerate() {
            part.problem.units.push(ix.needs[i as usize].units);
            for e in graph.need_edges[i as usize].clone() {
                let (_, node) = edge_ends(graph, e);
                if local[node as usize] == u32::MAX {
                    let (p, o) = graph.offer_of(node);
                    let provider = &ix.providers[p as usize];
                    let group = provider.capacity.map(|cap| {
                        if group_of[p as usize] == u32::MAX {
                            group_of[p as usize] = part.groups.len() as u32;
                            part.groups.push(p);
                            part.problem.group_capacity.push(cap);
                        }
                        group_of[p as usize]
                    });
                    local[node as usize] = part.offers.len() as u32;
                    part.offers.push((p, o));
                    part.problem
                        .offer_capacity
                        .push(provider.offers[o as usize].capacity);
                    part.problem.offer_group.push(group);
                }
                part.push_edge(
                    li as u32,
                    local[node as usize],
                    graph.edge_weight[e as usize].weight,
                    e,
                );
            }
        }
        part.needs = needs;
        part.problem.unserved_penalty = penalty;
    }
    parts
}

/// Splits `total` over `weights` in proportion, largest remainder first
/// (ties to the earlier entry). All zero weights: nothing is given out.
fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut share: Vec<i64> = Vec::with_capacity(weights.len());
    let mut rem: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (k, &w) in weights.iter().enumerate() {
        let exact = i128::from(total) * i128::from(w);
        share.push((exact / sum) as i64);
        rem.push((exact % sum, k));
    }
    let mut left = total - share.iter().sum::<i64>();
    rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, k) in &rem {
        if left == 0 {
            break;
        }
        share[k] += 1;
        left -= 1;
    }
    share
}

fn community_parts(ix: &DistrictIndex, graph: &EligibilityGraph) -> Vec<Part> {
    let nc = ix.communities.len();
    let nodes = graph.node_count();
    // Eligible demand of each community for each district-level offer and
    // provider: rows of `nc` counts, found through dense row maps.
    let mut offer_row = vec![u32::MAX; nodes];
    let mut offer_demand: Vec<i64> = Vec::new();
    let mut provider_row = vec![u32::MAX; ix.providers.len()];
    let mut provider_demand: Vec<i64> = Vec::new();
    let mut last_need_of_provider = vec![u32::MAX; ix.providers.len()];
    for (i, need) in ix.needs.iter().enumerate() {
        for e in graph.need_edges[i].clone() {
            let (_, node) = edge_ends(graph, e);
            let (p, _) = graph.offer_of(node);
            if ix.providers[p as usize].home.is_some() {
                continue;
            }
            if offer_row[node as usize] == u32::MAX {
                offer_row[node as usize] = (offer_demand.len() / nc) as u32;
                offer_demand.resize(offer_demand.len() + nc, 0);
            }
            offer_demand[offer_row[node as usize] as usize * nc + need.community] += need.units;
            // A need counts once per provider, however many of its offers fit.
            if last_need_of_provider[p as usize] != i as u32 {
                last_need_of_provider[p as usize] = i as u32;
                if provider_row[p as usize] == u32::MAX {
                    provider_row[p as usize] = (provider_demand.len() / nc) as u32;
                    provider_demand.resize(provider_demand.len() + nc, 0);
                }
                provider_demand[provider_row[p as usize] as usize * nc + need.community] +=
                    need.units;
            }
        }
    }
    let weights = |p: usize, demand: &[i64]| -> Vec<i64> {
        let q = &ix.providers[p].quotas;
        if q.is_empty() {
            return demand.to_vec();
        }
        let mut w = vec![0; nc];
        for &(c, units) in q {
            w[c] = units;
        }
        w
    };
    // Each district-level capacity split into community shares.
    let mut offer_share = vec![0i64; offer_demand.len()];
    for node in 0..nodes {
        let row = offer_row[node];
        if row == u32::MAX {
            continue;
        }
        let (p, o) = graph.offer_of(node as u32);
        let range = row as usize * nc..(row as usize + 1) * nc;
        let cap = ix.providers[p as usize].offers[o as usize].capacity;
        offer_share[range.clone()].copy_from_slice(&largest_remainder(
            cap,
            &weights(p as usize, &offer_demand[range]),
        ));
    }
    let mut group_share = vec![0i64; provider_demand.len()];
    for (p, &row) in provider_row.iter().enumerate() {
        if row == u32::MAX {
            continue;
        }
        if let Some(cap) = ix.providers[p].capacity {
            let range = row as usize * nc..(row as usize + 1) * nc;
            group_share[range.clone()].copy_from_slice(&largest_remainder(
                cap,
                &weights(p, &provider_demand[range]),
            ));
        }
    }

    let penalty = unserved_penalty(ix);
    let mut parts: Vec<Part> = (0..nc as u32).map(|c| Part::new(Some(c))).collect();
    for (i, need) in ix.needs.iter().enumerate() {
        parts[need.community].needs.push(i as u32);
    }
    parts.par_iter_mut().for_each(|part| {
        let c = part.community.unwrap_or(0) as usize;
        // Dense maps (offer node -> local offer, provider -> local group):
        // a few hundred kB per community, against hashing every edge.
        let mut local = vec![u32::MAX; nodes];
        let mut groups = vec![u32::MAX; ix.providers.len()];
        let needs = std::mem::take(&mut part.needs);
        for &i in &needs {
            let li = part.problem.units.len() as u32;
            let mut kept = false;
            for e in graph.need_edges[i as usize].clone() {
                let (_, node) = edge_ends(graph, e);
                let (p, o) = graph.offer_of(node);
                let provider = &ix.providers[p as usize];
                let (offer_cap, group_cap) = match provider.home {
                    Some(h) if h == c => (provider.offers[o as usize].capacity, provider.capacity),
                    Some(_) => continue,
                    None => (
                        offer_share[offer_row[node as usize] as usize * nc + c],
                        provider
                            .capacity
                            .map(|_| group_share[provider_row[p as usize] as usize * nc + c]),
                    ),
                };
                if !kept {
                    part.needs.push(i);
                    part.problem.units.push(ix.needs[i as usize].units);
                    kept = true;
                }
                if local[node as usize] == u32::MAX {
                    let group = group_cap.map(|cap| {
                        if groups[p as usize] == u32::MAX {
                            part.groups.push(p);
                            part.problem.group_capacity.push(cap);
                            groups[p as usize] = (part.groups.len() - 1) as u32;
                        }
                        groups[p as usize]
                    });
                    part.offers.push((p, o));
                    part.problem.offer_capacity.push(offer_cap);
                    part.problem.offer_group.push(group);
                    local[node as usize] = (part.offers.len() - 1) as u32;
                }
                let lo = local[node as usize];
                part.push_edge(li, lo, graph.edge_weight[e as usize].weight, e);
            }
        }
        part.problem.unserved_penalty = penalty;
    });
    parts
}

impl Part {
    fn new(community: Option<u32>) -> Part {
        Part {
            community,
            problem: BipartiteProblem::default(),
            needs: Vec::new(),
            offers: Vec::new(),
            groups: Vec::new(),
            edges: Vec::new(),
            floors: Vec::new(),
        }
    }

    fn push_edge(&mut self, need: u32, offer: u32, weight: i64, global: u32) {
        self.problem.edge_need.push(need);
        self.problem.edge_offer.push(offer);
        self.problem.edge_weight.push(weight);
        self.edges.push(global);
    }
}
