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
use crate::solve::floors::{apply_floors, floor_groups, has_floor};
use crate::solve::shares::Shares;
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
    /// (community, category) of each unserved group: the coverage floors
    /// this network enforces (category `None`: the whole community).
    pub floors: Vec<(u32, Option<u32>)>,
}

impl Part {
    /// Needs plus eligibility edges: how long the network takes to solve,
    /// roughly, for running the largest first.
    pub(crate) fn size(&self) -> usize {
        self.needs.len() + self.problem.edge_count()
    }
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
    let shares = (mode == Mode::PerCommunity).then(|| Shares::of(ix, graph));
    parts_split_by(ix, graph, shares.as_ref())
}

/// [`parts_on`] per community when `shares` (the split of `ix`'s
/// district-level capacity) is given, pooled otherwise: for a caller that
/// keeps the split.
pub(crate) fn parts_split_by(
    ix: &DistrictIndex,
    graph: &EligibilityGraph,
    shares: Option<&Shares>,
) -> Result<Vec<Part>> {
    let mut parts = match shares {
        None => pooled_parts(ix, graph),
        Some(shares) => community_parts(ix, graph, shares),
    };
    apply_floors(ix, &mut parts)?;
    Ok(parts)
}

/// The amounts of one network's problem: what a scenario that changes
/// amounts only can change (see [`amounts_on`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartAmounts {
    pub units: Vec<i64>,
    pub offer_capacity: Vec<i64>,
    pub group_capacity: Vec<i64>,
    pub unserved_limit: Vec<i64>,
    pub unserved_penalty: i64,
}

impl PartAmounts {
    /// The amounts of `p`.
    pub(crate) fn of(p: &BipartiteProblem) -> PartAmounts {
        PartAmounts {
            units: p.units.clone(),
            offer_capacity: p.offer_capacity.clone(),
            group_capacity: p.group_capacity.clone(),
            unserved_limit: p.unserved_limit.clone(),
            unserved_penalty: p.unserved_penalty,
        }
    }

    /// How many amounts differ from those of `p` (a problem of the same
    /// shape; 0: these are its amounts): a warm re-solve's work grows with
    /// them.
    pub(crate) fn changes_from(&self, p: &BipartiteProblem) -> usize {
        fn differ(a: &[i64], b: &[i64]) -> usize {
            a.iter().zip(b).filter(|(x, y)| x != y).count()
        }
        differ(&self.units, &p.units)
            + differ(&self.offer_capacity, &p.offer_capacity)
            + differ(&self.group_capacity, &p.group_capacity)
            + differ(&self.unserved_limit, &p.unserved_limit)
            + usize::from(self.unserved_penalty != p.unserved_penalty)
    }

    /// Makes these the amounts of `p`, in the buffers they have.
    pub(crate) fn assign(&mut self, p: &BipartiteProblem) {
        self.units.clone_from(&p.units);
        self.offer_capacity.clone_from(&p.offer_capacity);
        self.group_capacity.clone_from(&p.group_capacity);
        self.unserved_limit.clone_from(&p.unserved_limit);
        self.unserved_penalty = p.unserved_penalty;
    }

    /// Writes these amounts into `p` (into its buffers).
    pub(crate) fn apply(&self, p: &mut BipartiteProblem) {
        p.units.clone_from(&self.units);
        p.offer_capacity.clone_from(&self.offer_capacity);
        p.group_capacity.clone_from(&self.group_capacity);
        p.unserved_limit.clone_from(&self.unserved_limit);
        p.unserved_penalty = self.unserved_penalty;
    }
}

/// The amounts that each of `parts` takes in `ix`, without rebuilding the
/// networks: `parts` were built by [`parts_on`] on a graph (whose offers
/// start at nodes `first_offer`, provider by provider) for a district of
/// the same structure as `ix` (the caller checks it: needs' communities,
/// providers' homes and shared capacities, floors), in per-community mode
/// when `shares` (the split of `ix`'s district-level capacity) is given and
/// pooled otherwise; the answer equals the amounts of `parts_on(ix, graph,
/// mode)` (on that graph, or on it grown by providers appended to `ix`).
/// O(needs + offers). `None` for a provider that no longer fits its
/// network (another home, or no shared capacity any more). `units`, when
/// given, are `ix`'s needs' units, read off a compact copy instead of the
/// need records (176 bytes each).
pub(crate) fn amounts_on(
    ix: &DistrictIndex,
    first_offer: &[u32],
    shares: Option<&Shares>,
    (parts, units): (&[Part], Option<&[i64]>),
) -> Result<Option<Vec<PartAmounts>>> {
    let penalty = unserved_penalty(ix);
    let floors = floor_groups(ix, parts)?;
    let amounts = parts
        .par_iter()
        .zip(floors)
        .map(|(part, floors)| {
            let units = match units {
                Some(units) => part.needs.iter().map(|&i| units[i as usize]).collect(),
                None => (part.needs.iter())
                    .map(|&i| ix.needs[i as usize].units)
                    .collect(),
            };
            let mut offer_capacity = Vec::with_capacity(part.offers.len());
            for &(p, o) in &part.offers {
                let cap = match (shares, part.community) {
                    (Some(sh), Some(c)) => {
                        let node = first_offer[p as usize] + o;
                        sh.capacities(ix, node, (p, o), c as usize)?.0
                    }
                    _ => ix.providers[p as usize].offers[o as usize].capacity,
                };
                offer_capacity.push(cap);
            }
            let mut group_capacity = Vec::with_capacity(part.groups.len());
            for &p in &part.groups {
                let cap = match (shares, part.community) {
                    (Some(sh), Some(c)) => sh.group_capacity(ix, p, c as usize)?,
                    _ => ix.providers[p as usize].capacity?,
                };
                group_capacity.push(cap);
            }
            Some(PartAmounts {
                units,
                offer_capacity,
                group_capacity,
                unserved_limit: floors.map(|g| g.limits).unwrap_or_default(),
                unserved_penalty: penalty,
            })
        })
        .collect();
    Ok(amounts)
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
                );
            }
        }
        part.needs = needs;
        part.problem.unserved_penalty = penalty;
    }
    parts
}

fn community_parts(ix: &DistrictIndex, graph: &EligibilityGraph, shares: &Shares) -> Vec<Part> {
    community_parts_of(ix, graph, shares, &vec![true; ix.communities.len()])
        .into_iter()
        .flatten()
        .collect()
}

/// The per-community network of each community that `which` selects
/// (`None` for the others), without coverage floors (see
/// [`parts_split_by`]): for a caller that keeps the others' networks.
pub(crate) fn community_parts_of(
    ix: &DistrictIndex,
    graph: &EligibilityGraph,
    shares: &Shares,
    which: &[bool],
) -> Vec<Option<Part>> {
    let mut slot = vec![usize::MAX; ix.communities.len()];
    let mut parts: Vec<Part> = Vec::new();
    for c in (0..ix.communities.len()).filter(|&c| which[c]) {
        slot[c] = parts.len();
        parts.push(Part::new(Some(c as u32)));
    }
    for (i, need) in ix.needs.iter().enumerate() {
        if let Some(part) = parts.get_mut(slot[need.community]) {
            part.needs.push(i as u32);
        }
    }
    let nodes = graph.node_count();
    let penalty = unserved_penalty(ix);
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
                let Some((offer_cap, group_cap)) = shares.capacities(ix, node, (p, o), c) else {
                    continue;
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
                part.push_edge(li, lo, graph.edge_weight[e as usize].weight);
            }
        }
        part.problem.unserved_penalty = penalty;
    });
    let mut parts = parts.into_iter();
    which
        .iter()
        .map(|&w| w.then(|| parts.next()).flatten())
        .collect()
}

impl Part {
    fn new(community: Option<u32>) -> Part {
        Part {
            community,
            problem: BipartiteProblem::default(),
            needs: Vec::new(),
            offers: Vec::new(),
            groups: Vec::new(),
            floors: Vec::new(),
        }
    }

    fn push_edge(&mut self, need: u32, offer: u32, weight: i64) {
        self.problem.edge_need.push(need);
        self.problem.edge_offer.push(offer);
        self.problem.edge_weight.push(weight);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Knobs, generate};

    /// New amounts written into the base networks equal the networks built
    /// afresh, in both modes, with floors, quotas and shared capacities, and
    /// with quotas changed.
    #[test]
    fn amounts_on_equals_rebuilding_the_networks() {
        let knobs = Knobs::preset("small").unwrap();
        for seed in 0..4u64 {
            let mut d = generate(&knobs, seed);
            d.policy.coverage_floor = Some(0.2);
            let first = d.communities[0].id.clone();
            d.policy.community_floors.insert(first, 0.3);
            if let Some(p) = d.providers.iter_mut().find(|p| p.home.is_none()) {
                p.quotas = d.communities.iter().map(|c| (c.id.clone(), 2)).collect();
            }
            let ix = d.validate().unwrap();
            let graph = EligibilityGraph::build(&ix);
            for (k, n) in d.needs.iter_mut().enumerate() {
                if (k as u64 + seed) % 7 == 0 {
                    n.units += 1;
                }
            }
            for (k, p) in d.providers.iter_mut().enumerate() {
                if k % 5 == 0 {
                    for o in &mut p.offers {
                        o.capacity /= 2;
                    }
                    p.capacity = p.capacity.map(|c| c * 2 / 3);
                }
                if p.home.is_none() && k % 3 == 0 {
                    p.quotas = d
                        .communities
                        .iter()
                        .map(|c| (c.id.clone(), 1 + k as i64 % 4))
                        .collect();
                }
            }
            let changed = d.validate().unwrap();
            // The base split moved to the changed amounts equals a fresh split.
            let shares = Shares::of(&ix, &graph).updated(&changed, &graph);
            assert_eq!(shares, Shares::of(&changed, &graph), "seed {seed}");
            // So it does when quotas alone change.
            let mut quotas_only = d.clone();
            for p in quotas_only
                .providers
                .iter_mut()
                .filter(|p| !p.quotas.is_empty())
            {
                if let Some(q) = p.quotas.values_mut().next() {
                    *q += 3;
                }
            }
            let quotas_only = quotas_only.validate().unwrap();
            let moved = shares.updated(&quotas_only, &graph);
            assert_ne!(moved, shares, "seed {seed}: the quotas must show");
            assert_eq!(moved, Shares::of(&quotas_only, &graph), "seed {seed}");
            for mode in [Mode::Pooled, Mode::PerCommunity] {
                let base = parts_on(&ix, &graph, mode).unwrap();
                let fresh = parts_on(&changed, &graph, mode).unwrap();
                let split = (mode == Mode::PerCommunity).then_some(&shares);
                let amounts = amounts_on(&changed, &graph.first_offer, split, (&base, None))
                    .unwrap()
                    .unwrap();
                assert_eq!(amounts.len(), fresh.len());
                assert!(
                    base.iter()
                        .zip(&fresh)
                        .any(|(b, f)| b.problem.offer_capacity != f.problem.offer_capacity)
                        && base.iter().any(|b| !b.problem.unserved_limit.is_empty()),
                    "{mode:?} seed {seed}: the change must show"
                );
                for (a, f) in amounts.into_iter().zip(&fresh) {
                    assert_eq!(a, PartAmounts::of(&f.problem), "{mode:?} seed {seed}");
                }
            }
        }
    }
}
