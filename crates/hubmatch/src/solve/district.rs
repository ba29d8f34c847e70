//! Matching a whole district, in one of two modes.
//!
//! * [`Mode::PerCommunity`] — the baseline without a hub: each community is
//!   solved on its own with its own providers (those whose home it is). A
//!   district-level provider's capacity is split among the communities it
//!   serves: by its quotas when given, otherwise in proportion to each
//!   community's eligible demand, with largest-remainder rounding (ties to
//!   the earlier community). Communities are solved in parallel.
//! * [`Mode::Pooled`] — the hub: one district-wide network in which every
//!   provider serves its whole service area, at the cross-community penalty
//!   when it serves outside its home. Independent connected components are
//!   solved in parallel.
//!
//! Each network is solved by [`solve_matching`]; results are assembled in a
//! fixed order, so they are identical at any thread count.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::graph::eligibility::NoEdge;
use crate::graph::weight::unserved_penalty;
use crate::graph::{BipartiteProblem, EligibilityGraph};
use crate::solve::matching::{MatchOptions, MatchingSolution, solve_matching, verify_matching};
use crate::solve::network_simplex::Basis;
use crate::validate::DistrictIndex;

/// Matching mode.
///
/// ```
/// use hubmatch::solve::Mode;
/// assert_eq!(Mode::parse("per-community"), Some(Mode::PerCommunity));
/// assert_eq!(Mode::Pooled.as_str(), "pooled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Each community alone (no hub).
    PerCommunity,
    /// One pooled district (the hub).
    Pooled,
}

impl Mode {
    /// `"per_community"` or `"pooled"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::PerCommunity => "per_community",
            Mode::Pooled => "pooled",
        }
    }

    /// Parses `pooled`, `per_community` or `per-community`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "pooled" => Some(Mode::Pooled),
            "per_community" | "per-community" => Some(Mode::PerCommunity),
            _ => None,
        }
    }
}

/// Why units of a need were left unserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmetReason {
    /// No offer passes the eligibility rules (in this mode).
    NoEligibleProvider,
    /// Eligible offers exist, but their capacity went to needs of higher value.
    CapacityExhausted,
    /// Eligible offers exist, but serving would cost more than it is worth.
    NotWorthServing,
}

impl UnmetReason {
    /// The reason code used in files.
    ///
    /// ```
    /// assert_eq!(hubmatch::solve::UnmetReason::CapacityExhausted.as_str(), "capacity_exhausted");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            UnmetReason::NoEligibleProvider => "no_eligible_provider",
            UnmetReason::CapacityExhausted => "capacity_exhausted",
            UnmetReason::NotWorthServing => "not_worth_serving",
        }
    }
}

/// Units of a need served by one offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Need index.
    pub need: u32,
    /// Provider index.
    pub provider: u32,
    /// Offer index within the provider.
    pub offer: u32,
    /// Units served.
    pub units: i64,
    /// Weight per unit (thousandths of a point).
    pub weight: i64,
    /// Whether the provider serves outside its home community.
    pub cross: bool,
}

/// Unserved units of a need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmet {
    /// Need index.
    pub need: u32,
    /// Units left unserved.
    pub units: i64,
    /// Why.
    pub reason: UnmetReason,
}

/// Use of one offer's capacity (in per-community mode, of one community's share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferUse {
    /// Provider index.
    pub provider: u32,
    /// Offer index within the provider.
    pub offer: u32,
    /// The community whose share this is (per-community mode), or `None`.
    pub community: Option<u32>,
    /// Capacity available.
    pub capacity: i64,
    /// Units used.
    pub used: i64,
    /// Dual value of one more unit of this capacity (thousandths of a point).
    pub potential: i64,
}

/// Use of one provider's shared capacity (only providers that have one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderUse {
    /// Provider index.
    pub provider: u32,
    /// The community whose share this is (per-community mode), or `None`.
    pub community: Option<u32>,
    /// Shared capacity available.
    pub capacity: i64,
    /// Units used.
    pub used: i64,
    /// Dual value of one more unit of this capacity (thousandths of a point).
    pub potential: i64,
}

/// A coverage floor and how the allocation meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorUse {
    /// Community index.
    pub community: u32,
    /// Category index, or `None` for the whole community.
    pub category: Option<u32>,
    /// Units needed.
    pub needed: i64,
    /// Units that must be served: ⌈floor × needed⌉.
    pub required: i64,
    /// Units served.
    pub served: i64,
    /// Dual of the floor (thousandths of a point): what lowering the
    /// requirement by one unit would add to the objective; positive when the
    /// floor binds.
    pub potential: i64,
}

/// Solver counters summed over the networks of a district.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchStats {
    /// Networks solved (communities or components).
    pub networks: usize,
    /// Needs in all networks.
    pub needs: usize,
    /// Need classes after aggregation.
    pub classes: usize,
    /// Eligibility edges in all networks.
    pub edges: usize,
    /// Simplex pivots.
    pub pivots: u64,
    /// Networks that started from a given basis.
    pub warm: usize,
}

/// The optimal allocation of a district in one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The mode solved.
    pub mode: Mode,
    /// Total weight served minus unserved penalties (thousandths of a point).
    pub objective: i64,
    /// Units served, by need then provider.
    pub assignments: Vec<Assignment>,
    /// Units unserved, by need.
    pub unmet: Vec<Unmet>,
    /// Offer utilisation and duals.
    pub offers: Vec<OfferUse>,
    /// Shared-capacity utilisation and duals.
    pub providers: Vec<ProviderUse>,
    /// Dual value of each need (thousandths of a point): what one more unit
    /// of it would add to the objective at the margin.
    pub need_potential: Vec<i64>,
    /// The coverage floors of the policy and how they are met.
    pub floors: Vec<FloorUse>,
    /// Counters.
    pub stats: MatchStats,
    /// Optimal bases of the networks solved, to warm-start a scenario.
    pub bases: Vec<Basis>,
}

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
    let mut parts = match mode {
        Mode::Pooled => pooled_parts(ix, &graph),
        Mode::PerCommunity => community_parts(ix, &graph),
    };
    apply_floors(ix, &mut parts)?;
    Ok((graph, parts))
}

fn has_floor(ix: &DistrictIndex, c: usize) -> bool {
    let nk = ix.categories.len();
    ix.community_floor[c].is_some()
        || ix.category_floor[c * nk..(c + 1) * nk]
            .iter()
            .any(Option::is_some)
}

fn floor_name(ix: &DistrictIndex, c: u32, k: Option<u32>) -> String {
    let community = &ix.communities[c as usize];
    match k {
        Some(k) => format!("{community}/{}", ix.categories[k as usize]),
        None => community.clone(),
    }
}

/// Units required by a floor (in millionths) of `needed` units, rounded up.
fn required(floor: i64, needed: i64) -> i64 {
    ((i128::from(floor) * i128::from(needed) + 999_999) / 1_000_000) as i64
}

/// Turns the policy's coverage floors into unserved groups: a floor of
/// community (or community × category) X lets X leave at most
/// (its units in the network − ⌈floor × units needed⌉) unserved, which is a
/// capacity on X's unserved arcs — exact within the flow model. Needs with no
/// eligible offer count as unserved. Category floors nest in community ones.
fn apply_floors(ix: &DistrictIndex, parts: &mut [Part]) -> Result<()> {
    let nk = ix.categories.len();
    if ix
        .community_floor
        .iter()
        .chain(&ix.category_floor)
        .all(Option::is_none)
    {
        return Ok(());
    }
    let mut needed = vec![0i64; ix.communities.len() * nk];
    for n in &ix.needs {
        needed[n.community * nk + n.category] += n.units;
    }
    let needed_c = |c: usize| needed[c * nk..(c + 1) * nk].iter().sum::<i64>();
    let mut reachable = vec![0i64; ix.communities.len() * nk];
    for part in parts.iter() {
        for &i in &part.needs {
            let n = &ix.needs[i as usize];
            reachable[n.community * nk + n.category] += n.units;
        }
    }
    let impossible = |name: String, floor: i64, need: i64, can: i64| {
        crate::Error::Infeasible(format!(
            "coverage floor of {name:?} ({}% of {need} units = {} units) cannot be met: only {can} of its units \
             have an eligible offer",
            floor as f64 / 10_000.0,
            required(floor, need)
        ))
    };
    for c in 0..ix.communities.len() {
        for k in 0..nk {
            if let Some(f) = ix.category_floor[c * nk + k] {
                if required(f, needed[c * nk + k]) > reachable[c * nk + k] {
                    return Err(impossible(
                        floor_name(ix, c as u32, Some(k as u32)),
                        f,
                        needed[c * nk + k],
                        reachable[c * nk + k],
                    ));
                }
            }
        }
        if let Some(f) = ix.community_floor[c] {
            let can: i64 = reachable[c * nk..(c + 1) * nk].iter().sum();
            if required(f, needed_c(c)) > can {
                return Err(impossible(
                    floor_name(ix, c as u32, None),
                    f,
                    needed_c(c),
                    can,
                ));
            }
        }
    }
    for part in parts.iter_mut() {
        let mut units: std::collections::BTreeMap<(u32, u32), i64> =
            std::collections::BTreeMap::new();
        for &i in &part.needs {
            let n = &ix.needs[i as usize];
            *units
                .entry((n.community as u32, n.category as u32))
                .or_default() += n.units;
        }
        let communities: std::collections::BTreeSet<u32> = units.keys().map(|k| k.0).collect();
        let mut limits = Vec::new();
        let mut floors = Vec::new();
        let mut group_ck = std::collections::HashMap::new();
        for (&(c, k), &u) in &units {
            if let Some(f) = ix.category_floor[c as usize * nk + k as usize] {
                group_ck.insert((c, k), limits.len() as u32);
                limits.push(u - required(f, needed[c as usize * nk + k as usize]));
                floors.push((c, Some(k)));
            }
        }
        let mut group_c = std::collections::HashMap::new();
        for &c in &communities {
            if let Some(f) = ix.community_floor[c as usize] {
                let u: i64 = units.range((c, 0)..(c + 1, 0)).map(|(_, u)| u).sum();
                group_c.insert(c, limits.len() as u32);
                limits.push(u - required(f, needed_c(c as usize)));
                floors.push((c, None));
            }
        }
        if limits.is_empty() {
            continue;
        }
        let parents: Vec<Option<u32>> = floors
            .iter()
            .map(|&(c, k)| k.and_then(|_| group_c.get(&c).copied()))
            .collect();
        let groups: Vec<Option<u32>> = part
            .needs
            .iter()
            .map(|&i| {
                let n = &ix.needs[i as usize];
                let (c, k) = (n.community as u32, n.category as u32);
                group_ck.get(&(c, k)).or_else(|| group_c.get(&c)).copied()
            })
            .collect();
        part.problem.unserved_group = groups;
        part.problem.unserved_limit = limits;
        part.problem.unserved_parent = parents;
        part.floors = floors;
    }
    Ok(())
}

/// Matches a validated district in `mode`, optionally warm-starting each
/// network from the bases of an earlier result of the same district shape.
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let pooled = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// let alone = match_district(&ix, Mode::PerCommunity, &MatchOptions::default(), None).unwrap();
/// assert!(pooled.objective >= alone.objective);
/// ```
pub fn match_district(
    ix: &DistrictIndex,
    mode: Mode,
    options: &MatchOptions,
    warm: Option<&[Basis]>,
) -> Result<MatchResult> {
    let (graph, parts) = mode_parts(ix, mode)?;
    let solutions: Vec<MatchingSolution> = parts
        .par_iter()
        .enumerate()
        .map(|(k, part)| {
            solve_matching(&part.problem, options, warm.and_then(|w| w.get(k))).map_err(|e| match e
            {
                // Only the floors can make a matching network infeasible.
                crate::Error::Infeasible(_) => crate::Error::Infeasible(format!(
                    "the coverage floors of {} cannot all be met with the eligible capacity",
                    part.floors
                        .iter()
                        .map(|&(c, k)| format!("{:?}", floor_name(ix, c, k)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                other => other,
            })
        })
        .collect::<Result<_>>()?;
    Ok(assemble(ix, &graph, mode, &parts, solutions))
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
        let mut local: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        let mut groups: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
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
                let lo = *local.entry(node).or_insert_with(|| {
                    let group = group_cap.map(|cap| {
                        *groups.entry(p).or_insert_with(|| {
                            part.groups.push(p);
                            part.problem.group_capacity.push(cap);
                            (part.groups.len() - 1) as u32
                        })
                    });
                    part.offers.push((p, o));
                    part.problem.offer_capacity.push(offer_cap);
                    part.problem.offer_group.push(group);
                    (part.offers.len() - 1) as u32
                });
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

fn assemble(
    ix: &DistrictIndex,
    graph: &EligibilityGraph,
    mode: Mode,
    parts: &[Part],
    solutions: Vec<MatchingSolution>,
) -> MatchResult {
    let n = ix.needs.len();
    let mut served_in = vec![false; n];
    let mut unserved = vec![0i64; n];
    for (i, need) in ix.needs.iter().enumerate() {
        unserved[i] = need.units;
    }
    // A need outside every network would stay unserved: one more unit costs the penalty.
    let mut need_potential = vec![-unserved_penalty(ix); n];
    let mut assignments = Vec::new();
    let mut offers = Vec::new();
    let mut providers = Vec::new();
    let mut stats = MatchStats {
        networks: parts.len(),
        ..MatchStats::default()
    };
    let mut objective: i64 = 0;
    let mut bases = Vec::with_capacity(parts.len());
    let mut floors: Vec<FloorUse> = Vec::new();
    for (part, sol) in parts.iter().zip(solutions) {
        objective += sol.objective;
        stats.needs += part.needs.len();
        stats.classes += sol.classes;
        stats.edges += part.edges.len();
        stats.pivots += sol.stats.pivots;
        stats.warm += usize::from(sol.stats.warm);
        let mut offer_used = vec![0i64; part.offers.len()];
        for (k, &x) in sol.edge_flow.iter().enumerate() {
            if x == 0 {
                continue;
            }
            let global = part.edges[k];
            let i = part.needs[part.problem.edge_need[k] as usize];
            let lo = part.problem.edge_offer[k];
            offer_used[lo as usize] += x;
            let (p, o) = part.offers[lo as usize];
            let w = graph.edge_weight[global as usize];
            assignments.push(Assignment {
                need: i,
                provider: p,
                offer: o,
                units: x,
                weight: w.weight,
                cross: w.cross,
            });
        }
        for (li, &i) in part.needs.iter().enumerate() {
            served_in[i as usize] = true;
            unserved[i as usize] = sol.unserved[li];
            need_potential[i as usize] = sol.need_potential[li];
        }
        let mut group_used = vec![0i64; part.groups.len()];
        for (lo, &(p, o)) in part.offers.iter().enumerate() {
            if let Some(g) = part.problem.offer_group[lo] {
                group_used[g as usize] += offer_used[lo];
            }
            offers.push(OfferUse {
                provider: p,
                offer: o,
                community: part.community,
                capacity: part.problem.offer_capacity[lo],
                used: offer_used[lo],
                potential: sol.offer_potential[lo],
            });
        }
        for (g, &p) in part.groups.iter().enumerate() {
            providers.push(ProviderUse {
                provider: p,
                community: part.community,
                capacity: part.problem.group_capacity[g],
                used: group_used[g],
                potential: sol.group_potential[g],
            });
        }
        for (g, &(c, k)) in part.floors.iter().enumerate() {
            let mut needed = 0;
            let mut unserved = 0;
            for (li, &i) in part.needs.iter().enumerate() {
                let n = &ix.needs[i as usize];
                if n.community as u32 == c && k.is_none_or(|k| n.category as u32 == k) {
                    needed += n.units;
                    unserved += sol.unserved[li];
                }
            }
            let nk = ix.categories.len();
            let all: i64 = ix
                .needs
                .iter()
                .filter(|n| n.community as u32 == c && k.is_none_or(|k| n.category as u32 == k))
                .map(|n| n.units)
                .sum();
            let floor = match k {
                Some(k) => ix.category_floor[c as usize * nk + k as usize],
                None => ix.community_floor[c as usize],
            }
            .unwrap_or(0);
            floors.push(FloorUse {
                community: c,
                category: k,
                needed: all,
                required: required(floor, all),
                served: needed - unserved,
                potential: sol.unserved_group_potential[g],
            });
        }
        bases.push(sol.basis);
    }
    // Unserved units count against the objective only when penalised; needs
    // outside every network are charged here.
    let penalty = unserved_penalty(ix);
    let mut unmet = Vec::new();
    for i in 0..n {
        if unserved[i] == 0 {
            continue;
        }
        if !served_in[i] {
            objective -= penalty * unserved[i];
        }
        let reason = match (graph.no_edge[i], served_in[i]) {
            (Some(NoEdge::NotWorthServing), _) => UnmetReason::NotWorthServing,
            (Some(NoEdge::NoEligibleProvider), _) | (None, false) => {
                UnmetReason::NoEligibleProvider
            }
            (None, true) => UnmetReason::CapacityExhausted,
        };
        unmet.push(Unmet {
            need: i as u32,
            units: unserved[i],
            reason,
        });
    }
    assignments.sort_by_key(|a| (a.need, a.provider, a.offer));
    offers.sort_by_key(|o| (o.provider, o.offer, o.community));
    providers.sort_by_key(|p| (p.provider, p.community));
    MatchResult {
        mode,
        objective,
        assignments,
        unmet,
        offers,
        providers,
        need_potential,
        floors: {
            floors.sort_by_key(|f| (f.community, f.category));
            floors
        },
        stats,
        bases,
    }
}

impl MatchResult {
    /// Checks this result's optimality certificate against the district it
    /// was computed for: rebuilds each network of its mode and checks the
    /// reported assignments, unmet units and duals on it (capacities,
    /// conservation, complementary slackness), and that the objectives add up.
    /// O(edges).
    ///
    /// ```
    /// use hubmatch::solve::{match_district, MatchOptions, Mode};
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let ix = d.validate().unwrap();
    /// let mut r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    /// r.verify(&ix).unwrap();
    /// r.assignments[0].units -= 1; // tampered: no longer a feasible flow
    /// assert!(r.verify(&ix).is_err());
    /// ```
    pub fn verify(&self, ix: &DistrictIndex) -> Result<()> {
        let fail = |m: String| crate::Error::Certificate(m);
        if self.need_potential.len() != ix.needs.len() {
            return Err(fail(format!(
                "{} need duals for {} needs",
                self.need_potential.len(),
                ix.needs.len()
            )));
        }
        let (_, parts) = mode_parts(ix, self.mode)?;
        let mut served: HashMap<(u32, u32, u32), i64> = HashMap::new();
        for a in &self.assignments {
            *served.entry((a.need, a.provider, a.offer)).or_default() += a.units;
        }
        let mut unmet = vec![0i64; ix.needs.len()];
        for u in &self.unmet {
            if let Some(slot) = unmet.get_mut(u.need as usize) {
                *slot += u.units;
            }
        }
        let offer_pot: HashMap<(u32, u32, Option<u32>), i64> = self
            .offers
            .iter()
            .map(|o| ((o.provider, o.offer, o.community), o.potential))
            .collect();
        let group_pot: HashMap<(u32, Option<u32>), i64> = self
            .providers
            .iter()
            .map(|p| ((p.provider, p.community), p.potential))
            .collect();
        let mut objective: i64 = 0;
        let mut in_part = vec![false; ix.needs.len()];
        for (k, part) in parts.iter().enumerate() {
            let p = &part.problem;
            let mut edge_flow = Vec::with_capacity(p.edge_count());
            for e in 0..p.edge_count() {
                let need = part.needs[p.edge_need[e] as usize];
                let (pr, of) = part.offers[p.edge_offer[e] as usize];
                edge_flow.push(served.remove(&(need, pr, of)).unwrap_or(0));
            }
            let unserved: Vec<i64> = part.needs.iter().map(|&i| unmet[i as usize]).collect();
            let need_potential: Vec<i64> = part
                .needs
                .iter()
                .map(|&i| self.need_potential[i as usize])
                .collect();
            let offer_potential: Vec<i64> = part
                .offers
                .iter()
                .map(|&(pr, of)| {
                    offer_pot
                        .get(&(pr, of, part.community))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let group_potential: Vec<i64> = part
                .groups
                .iter()
                .map(|&pr| group_pot.get(&(pr, part.community)).copied().unwrap_or(0))
                .collect();
            let floor_potential: Vec<i64> = part
                .floors
                .iter()
                .map(|&(c, k)| {
                    self.floors
                        .iter()
                        .find(|f| f.community == c && f.category == k)
                        .map_or(0, |f| f.potential)
                })
                .collect();
            let cert = verify_matching(
                p,
                &edge_flow,
                &unserved,
                &need_potential,
                &offer_potential,
                &group_potential,
                &floor_potential,
            )
            .map_err(|e| fail(format!("network {k}: {e}")))?;
            objective -=
                i64::try_from(cert.cost).map_err(|_| fail("objective exceeds 64 bits".into()))?;
            for &i in &part.needs {
                in_part[i as usize] = true;
            }
        }
        if let Some((need, _, _)) = served.keys().min() {
            return Err(fail(format!(
                "need {need} is served on a pair that is not eligible in this mode"
            )));
        }
        let penalty = unserved_penalty(ix);
        for (i, need) in ix.needs.iter().enumerate() {
            if !in_part[i] {
                if unmet[i] != need.units {
                    return Err(fail(format!(
                        "need {i} has no eligible offer but {} of {} units unmet",
                        unmet[i], need.units
                    )));
                }
                objective -= penalty * need.units;
            }
        }
        if objective != self.objective {
            return Err(fail(format!(
                "objective {} differs from the certified {objective}",
                self.objective
            )));
        }
        Ok(())
    }
}
