//! The rows a network adds to a district result: its assignments, the use
//! of its offers and providers, and its floors' reports, read off its
//! solution; after a scenario's re-solve, from the base's rows and the
//! edges the re-solve moved.

use crate::solve::district::{Assignment, FloorUse, OfferUse, ProviderUse};
use crate::solve::floors::required;
use crate::solve::matching::MatchingSolution;
use crate::solve::parts::Part;
use crate::solve::schedule::largest_first;
use crate::validate::DistrictIndex;

/// The rows one network adds to a district result.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rows {
    pub(crate) assignments: Vec<Assignment>,
    pub(crate) offers: Vec<OfferUse>,
    pub(crate) providers: Vec<ProviderUse>,
    pub(crate) floors: Vec<FloorUse>,
}

/// The rows of network `part` solved by `sol`; `needed_units` are the units
/// needed per community × category (for the floors' reports). O(edges).
pub(crate) fn rows_of(
    ix: &DistrictIndex,
    part: &Part,
    sol: &MatchingSolution,
    needed_units: &[i64],
) -> Rows {
    let mut found = Vec::new();
    let mut used = vec![0i64; part.offers.len()];
    let edges = 0..sol.edge_flow.len() as u32;
    assign(ix, part, &sol.edge_flow, edges, &mut found, &mut used);
    rows_with(ix, part, sol, needed_units, found, &used)
}

/// [`rows_of`] for a solution whose edge flows are those of a base
/// solution (whose rows are `base_rows`) but on the edges `moved`, which
/// hold every edge of the needs they touch; `base_flow(k)` is the base's
/// flow on `moved[k]`. The base's rows of the other needs are kept, so the
/// edges are not read again. The base network may have had fewer offers
/// (new ones come last, see `solve::grown_parts`). O(base rows + moved ×
/// log(moved) + offers): 1% more providers on district-13 moves about
/// 3,200 of a community network's 120,000 edges.
pub(crate) fn rows_near(
    ix: &DistrictIndex,
    part: &Part,
    sol: &MatchingSolution,
    needed_units: &[i64],
    base_rows: &Rows,
    (moved, base_flow): (&[u32], impl Fn(usize) -> i64),
) -> Rows {
    // The moved edges come need by need: each need once, then sorted.
    let mut moved_needs: Vec<u32> = Vec::new();
    for &e in moved {
        let i = part.needs[part.problem.edge_need[e as usize] as usize];
        if moved_needs.last() != Some(&i) {
            moved_needs.push(i);
        }
    }
    moved_needs.sort_unstable();
    moved_needs.dedup();
    // The base's assignments (in need order) and offers' use, less the
    // moved needs': the needs are walked alongside.
    debug_assert!(base_rows.assignments.is_sorted_by_key(|a| a.need));
    let mut found = Vec::with_capacity(base_rows.assignments.len() + moved.len());
    let mut next = 0;
    for a in &base_rows.assignments {
        while moved_needs.get(next).is_some_and(|&i| i < a.need) {
            next += 1;
        }
        if moved_needs.get(next) != Some(&a.need) {
            found.push(a.clone());
        }
    }
    let mut used: Vec<i64> = base_rows.offers.iter().map(|o| o.used).collect();
    used.resize(part.offers.len(), 0);
    for (k, &e) in moved.iter().enumerate() {
        used[part.problem.edge_offer[e as usize] as usize] -= base_flow(k);
    }
    assign(
        ix,
        part,
        &sol.edge_flow,
        moved.iter().copied(),
        &mut found,
        &mut used,
    );
    // In need order, as `rows_of` lists them: the district's rows are then
    // often in order already (see `solve::district`). Two sorted runs: a
    // merge.
    found.sort_by_key(|a| (a.need, a.provider, a.offer));
    rows_with(ix, part, sol, needed_units, found, &used)
}

/// Appends the assignments of the edges `edges` that carry flow, and adds
/// their flows to their offers' use.
fn assign(
    ix: &DistrictIndex,
    part: &Part,
    flow: &[i64],
    edges: impl Iterator<Item = u32>,
    assignments: &mut Vec<Assignment>,
    offer_used: &mut [i64],
) {
    for k in edges {
        let k = k as usize;
        let x = flow[k];
        if x == 0 {
            continue;
        }
        let i = part.needs[part.problem.edge_need[k] as usize];
        let lo = part.problem.edge_offer[k];
        offer_used[lo as usize] += x;
        let (p, o) = part.offers[lo as usize];
        // The network's copy of the edge's weight, and its cross flag worked
        // out again (reading both from the district-wide graph missed the
        // cache on every assignment). A community's network holds no
        // provider homed elsewhere.
        let cross = part.community.is_none()
            && ix.providers[p as usize]
                .home
                .is_some_and(|h| h != ix.needs[i as usize].community);
        assignments.push(Assignment {
            need: i,
            provider: p,
            offer: o,
            units: x,
            weight: part.problem.edge_weight[k],
            cross,
        });
    }
}

/// The rows of `part` given its assignments and its offers' use.
fn rows_with(
    ix: &DistrictIndex,
    part: &Part,
    sol: &MatchingSolution,
    needed_units: &[i64],
    assignments: Vec<Assignment>,
    offer_used: &[i64],
) -> Rows {
    let nk = ix.categories.len();
    let mut group_used = vec![0i64; part.groups.len()];
    let mut offers = Vec::with_capacity(part.offers.len());
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
    let providers = part
        .groups
        .iter()
        .enumerate()
        .map(|(g, &p)| ProviderUse {
            provider: p,
            community: part.community,
            capacity: part.problem.group_capacity[g],
            used: group_used[g],
            potential: sol.group_potential[g],
        })
        .collect();
    let mut floors = Vec::with_capacity(part.floors.len());
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
        let all: i64 = match k {
            Some(k) => needed_units[c as usize * nk + k as usize],
            None => needed_units[c as usize * nk..(c as usize + 1) * nk]
                .iter()
                .sum(),
        };
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
    Rows {
        assignments,
        offers,
        providers,
        floors,
    }
}

/// [`rows_of`] every network, in parallel.
pub(crate) fn rows_of_all(
    ix: &DistrictIndex,
    parts: &[&Part],
    solutions: &[MatchingSolution],
) -> Vec<Rows> {
    let needed = needed_units(ix, parts.iter().copied());
    largest_first(
        parts,
        |_, p| p.size(),
        |k, part| rows_of(ix, part, &solutions[k], &needed),
    )
}

/// Units needed per community × category, for the floors' reports (all 0
/// unless one of `parts` has floors).
pub(crate) fn needed_units<'a>(
    ix: &DistrictIndex,
    mut parts: impl Iterator<Item = &'a Part>,
) -> Vec<i64> {
    let nk = ix.categories.len();
    let mut needed_units = vec![0i64; ix.communities.len() * nk];
    if parts.any(|p| !p.floors.is_empty()) {
        for n in &ix.needs {
            needed_units[n.community * nk + n.category] += n.units;
        }
    }
    needed_units
}
