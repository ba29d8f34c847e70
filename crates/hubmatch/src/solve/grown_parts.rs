//! Pooled networks of a district with providers appended, grown from the
//! base district's networks instead of found again from the whole graph.
//!
//! A pooled network is a connected component of the eligibility graph. New
//! offers only add edges, so a component either stays as it was or gains
//! the new offers that reach it; it merges with another only when one new
//! offer (or one new provider's shared capacity) reaches both, or takes in
//! needs that had no edge. Without those, and without coverage floors
//! (which couple a community's needs across components), each base network
//! grows on its own: its needs keep their local order, each need's edges
//! are its old ones (copied from the base network, their graph indices
//! moved by the edges inserted before them) followed by its new ones, and
//! the new offers and groups come after the old ones. The result is the
//! network a fresh build gives but for the order of its offers and groups
//! (a fresh build numbers them as its needs first reach them), which no
//! answer depends on: the solve is certified either way.
//!
//! Complexity: O(needs + new edges + the grown networks' edges), copied
//! in stretches; a fresh build unions every edge of the district and then
//! reads each one through dense maps.

use crate::graph::{BipartiteProblem, EligibilityGraph};
use crate::solve::parts::{Part, PartAmounts, amounts_on};
use crate::validate::DistrictIndex;

/// Each pooled base network of `base` (built on `old`, for a district that
/// `ix` extends with providers appended, `grown` being its graph) as
/// `ix` makes it: `None` when it gains no offer and keeps its amounts,
/// else the network grown and with `ix`'s amounts. `None` in all (the
/// caller builds afresh) when the networks do not grow on their own: a new
/// offer or shared capacity reaches two base networks, a need that had no
/// edge gains one, or floors are set.
pub(crate) fn pooled_grown(
    ix: &DistrictIndex,
    old: &EligibilityGraph,
    grown: &EligibilityGraph,
    base: &[Part],
) -> Option<Vec<Option<Part>>> {
    if base
        .iter()
        .any(|p| !p.floors.is_empty() || p.community.is_some())
    {
        return None;
    }
    let old_nodes = old.node_count();
    let mut network_of = vec![u32::MAX; ix.needs.len()];
    for (k, part) in base.iter().enumerate() {
        for &i in &part.needs {
            network_of[i as usize] = k as u32;
        }
    }
    // The base network each new offer and each new provider reaches.
    let mut offer_network = vec![u32::MAX; grown.node_count() - old_nodes];
    let mut provider_network = vec![u32::MAX; ix.providers.len()];
    let mut new_offers = vec![0usize; base.len()];
    for i in 0..ix.needs.len() {
        for e in new_edges(old, grown, i) {
            let k = network_of[i];
            if k == u32::MAX {
                return None; // a need newly reached
            }
            let node = grown.edge_offer[e];
            let (p, _) = grown.offer_of(node);
            let slot = &mut offer_network[node as usize - old_nodes];
            new_offers[k as usize] += usize::from(*slot == u32::MAX);
            let shared = ix.providers[p as usize].capacity.is_some();
            if !joins(slot, k) || (shared && !joins(&mut provider_network[p as usize], k)) {
                return None;
            }
        }
    }
    let amounts = amounts_on(ix, grown, None, base).ok()??;
    Some(
        base.iter()
            .zip(amounts)
            .zip(new_offers)
            .map(|((part, amounts), new_offers)| {
                if new_offers == 0 && amounts.changes_from(&part.problem) == 0 {
                    return None;
                }
                Some(grow(ix, old, grown, part, amounts))
            })
            .collect(),
    )
}

/// Puts base network `k` in `slot` (a new offer's or provider's); false
/// when another one is there already.
fn joins(slot: &mut u32, k: u32) -> bool {
    let fits = *slot == u32::MAX || *slot == k;
    *slot = k;
    fits
}

/// The new edges of need `i` (grown-graph indices): they follow its old ones.
fn new_edges(old: &EligibilityGraph, grown: &EligibilityGraph, i: usize) -> std::ops::Range<usize> {
    let run = &grown.need_edges[i];
    run.start as usize + old.need_edges[i].len()..run.end as usize
}

/// `part` with the new edges of its needs and the new offers and groups
/// they reach, and `ix`'s amounts (`amounts` for the old ones).
fn grow(
    ix: &DistrictIndex,
    old: &EligibilityGraph,
    grown: &EligibilityGraph,
    part: &Part,
    amounts: PartAmounts,
) -> Part {
    let added: usize = part
        .needs
        .iter()
        .map(|&i| new_edges(old, grown, i as usize).len())
        .sum();
    let total = part.edges.len() + added;
    let mut out = Part {
        community: None,
        problem: BipartiteProblem {
            units: amounts.units,
            offer_capacity: amounts.offer_capacity,
            offer_group: part.problem.offer_group.clone(),
            group_capacity: amounts.group_capacity,
            unserved_penalty: amounts.unserved_penalty,
            unserved_group: part.problem.unserved_group.clone(),
            unserved_limit: amounts.unserved_limit,
            unserved_parent: part.problem.unserved_parent.clone(),
            ..BipartiteProblem::default()
        },
        needs: part.needs.clone(),
        offers: part.offers.clone(),
        groups: part.groups.clone(),
        edges: Vec::with_capacity(total),
        floors: Vec::new(),
    };
    let p = &mut out.problem;
    p.edge_need.reserve(total);
    p.edge_offer.reserve(total);
    p.edge_weight.reserve(total);
    let old_nodes = old.node_count();
    let mut local = vec![u32::MAX; grown.node_count() - old_nodes];
    let mut group_of: Vec<(u32, u32)> = Vec::new();
    // Base edges `from..at` (of needs that gain no edge, their graph
    // edges all moved by `shift`) are copied in one stretch when the
    // stretch ends.
    let (mut from, mut at, mut shift) = (0usize, 0usize, 0u32);
    let flush = |out: &mut Part, lo: usize, hi: usize, shift: u32| {
        let b = &part.problem;
        out.problem
            .edge_need
            .extend_from_slice(&b.edge_need[lo..hi]);
        out.problem
            .edge_offer
            .extend_from_slice(&b.edge_offer[lo..hi]);
        out.problem
            .edge_weight
            .extend_from_slice(&b.edge_weight[lo..hi]);
        out.edges
            .extend(part.edges[lo..hi].iter().map(|&e| e + shift));
    };
    for (li, &i) in part.needs.iter().enumerate() {
        let i = i as usize;
        let degree = old.need_edges[i].len();
        let moved = grown.need_edges[i].start - old.need_edges[i].start;
        let fresh = new_edges(old, grown, i);
        if moved != shift {
            flush(&mut out, from, at, shift);
            (from, shift) = (at, moved);
        }
        at += degree;
        if fresh.is_empty() {
            continue;
        }
        flush(&mut out, from, at, shift);
        for e in fresh {
            let node = grown.edge_offer[e];
            let slot = &mut local[node as usize - old_nodes];
            if *slot == u32::MAX {
                let (pv, o) = grown.offer_of(node);
                let provider = &ix.providers[pv as usize];
                let group = provider.capacity.map(|cap| {
                    if let Some(&(_, g)) = group_of.iter().find(|(q, _)| *q == pv) {
                        return g;
                    }
                    let g = out.groups.len() as u32;
                    out.groups.push(pv);
                    out.problem.group_capacity.push(cap);
                    group_of.push((pv, g));
                    g
                });
                *slot = out.offers.len() as u32;
                out.offers.push((pv, o));
                out.problem
                    .offer_capacity
                    .push(provider.offers[o as usize].capacity);
                out.problem.offer_group.push(group);
            }
            out.problem.edge_need.push(li as u32);
            out.problem.edge_offer.push(*slot);
            out.problem.edge_weight.push(grown.edge_weight[e].weight);
            out.edges.push(e as u32);
        }
        from = at;
    }
    flush(&mut out, from, at, shift);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::district::Mode;
    use crate::solve::parts::parts_on;
    use crate::synthetic::{Knobs, generate};

    /// Each need's edges as (district need, provider, offer, weight, graph
    /// edge), and the amounts by identity: a network up to the order of
    /// its offers and groups.
    #[allow(clippy::type_complexity)]
    fn by_identity(
        part: &Part,
    ) -> (
        Vec<(u32, (u32, u32), i64, u32)>,
        Vec<i64>,
        Vec<((u32, u32), i64, Option<u32>)>,
        Vec<(u32, i64)>,
    ) {
        let p = &part.problem;
        let edges = (0..p.edge_count())
            .map(|k| {
                let offer = part.offers[p.edge_offer[k] as usize];
                (
                    part.needs[p.edge_need[k] as usize],
                    offer,
                    p.edge_weight[k],
                    part.edges[k],
                )
            })
            .collect();
        let mut offers: Vec<_> = (0..p.offer_count())
            .map(|j| {
                let group = p.offer_group[j].map(|g| part.groups[g as usize]);
                (part.offers[j], p.offer_capacity[j], group)
            })
            .collect();
        offers.sort_unstable();
        let mut groups: Vec<_> = part
            .groups
            .iter()
            .copied()
            .zip(p.group_capacity.clone())
            .collect();
        groups.sort_unstable();
        (edges, p.units.clone(), offers, groups)
    }

    /// Networks grown from the base's equal fresh builds up to the order of
    /// offers and groups; those that gain nothing are reported unchanged.
    /// New providers are copies (each reaches its original's networks),
    /// some needs' units and an offer's capacity change.
    #[test]
    fn grown_pooled_networks_equal_fresh_builds() {
        let mut grew = 0;
        for seed in 0..6u64 {
            let mut d = generate(&Knobs::preset("small").unwrap(), seed);
            let ix = d.validate().unwrap();
            let old = EligibilityGraph::build(&ix);
            let base = parts_on(&ix, &old, Mode::Pooled).unwrap();
            let copies: Vec<_> = d
                .providers
                .iter()
                .step_by(4)
                .map(|p| {
                    let mut copy = p.clone();
                    copy.id = format!("copy-{}", p.id);
                    copy
                })
                .collect();
            d.providers.extend(copies);
            for n in d.needs.iter_mut().step_by(9) {
                n.units += 1;
            }
            d.providers[1].offers[0].capacity += 2;
            let changed = d.validate().unwrap();
            let grown = old.with_providers_appended(&changed).unwrap();
            let fresh = parts_on(&changed, &grown, Mode::Pooled).unwrap();
            let Some(parts) = pooled_grown(&changed, &old, &grown, &base) else {
                panic!("seed {seed}: copies grow each network on its own");
            };
            assert_eq!(parts.len(), fresh.len(), "seed {seed}");
            for (k, (part, fresh)) in parts.iter().zip(&fresh).enumerate() {
                let Some(part) = part else {
                    // Kept: the base network, whose graph edges are the old
                    // graph's (the session reads them no more).
                    let mut moved = base[k].clone();
                    for (e, &li) in moved.edges.iter_mut().zip(&moved.problem.edge_need) {
                        let i = moved.needs[li as usize] as usize;
                        *e = *e - old.need_edges[i].start + grown.need_edges[i].start;
                    }
                    assert_eq!(
                        by_identity(&moved),
                        by_identity(fresh),
                        "seed {seed} network {k}"
                    );
                    continue;
                };
                assert_eq!(part.needs, fresh.needs, "seed {seed} network {k}");
                assert_eq!(
                    by_identity(part),
                    by_identity(fresh),
                    "seed {seed} network {k}"
                );
                grew += usize::from(part.offers.len() > base[k].offers.len());
            }
        }
        assert!(grew > 0, "some network must gain offers");
    }

    /// A need that had no edge and is reached by a new offer: the networks
    /// do not grow on their own (the caller builds afresh).
    #[test]
    fn a_need_newly_reached_is_refused() {
        let d = generate(&Knobs::preset("small").unwrap(), 0);
        let ix = d.validate().unwrap();
        let old = EligibilityGraph::build(&ix);
        let base = parts_on(&ix, &old, Mode::Pooled).unwrap();
        for (i, _) in old.no_edge.iter().enumerate().filter(|(_, r)| r.is_some()) {
            let need = &d.needs[i];
            // A district-level provider made for it, of a kind that offers
            // its category already.
            let Some(model) = d
                .providers
                .iter()
                .find(|p| p.offers.iter().any(|o| o.category == need.category))
            else {
                continue;
            };
            let mut p = model.clone();
            p.id = "made-for-it".into();
            (p.home, p.service_area, p.capacity) = (None, None, None);
            p.quotas.clear();
            p.availability.clear();
            p.skills.clone_from(&need.skills);
            p.offers.retain(|o| o.category == need.category);
            p.offers[0].price = None;
            let mut grown_d = d.clone();
            grown_d.providers.push(p);
            let changed = grown_d.validate().unwrap();
            let grown = old.with_providers_appended(&changed).unwrap();
            if grown.no_edge[i].is_some() {
                continue; // not worth serving, or barred by the policy
            }
            assert!(pooled_grown(&changed, &old, &grown, &base).is_none());
            return;
        }
        panic!("no need without edges could be reached");
    }
}
