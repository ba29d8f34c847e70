//! The least extra capacity that would serve one more unit of an unmet need.
//!
//! For each offer the need has an edge to (eligible and worth serving), the
//! extra capacity is found by doubling, then bisection. A probe adds the
//! extra to the offer and to its provider's shared capacity (if any) and
//! re-solves only the need's network, through a
//! [`Resolver`] that keeps its tree from probe to probe, so a probe costs a
//! few hundred pivots instead of a district solve. One case needs the whole
//! district: in per-community mode a district-level provider's capacity is
//! split among the communities by their demand, so its probes re-solve the
//! district.
//!
//! "Serves one more unit" means: some optimal allocation with the increase
//! serves the need at least one unit more than `result` does. On a network
//! this is exact and free of ties: its costs are scaled so that, among the
//! optimal allocations, the one found leaves the fewest of the need's units
//! unserved. The district-level probes compare the allocations found, as
//! their re-solves follow the same tie-breaking as `result`.
//!
//! Complexity: O(offers × log units) probes.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::MatchingNetwork;
use crate::model::District;
use crate::solve::district::mode_parts;
use crate::solve::network_simplex::{Resolver, SolveOptions};
use crate::solve::{Basis, MatchOptions, MatchResult, Mode, match_district};

/// Probing lanes (each with its own resolver) and offers per lane per batch.
const LANES: usize = 2;
const PER_LANE: usize = 4;

/// Units of `need` served in `result`.
fn served(result: &MatchResult, need: u32) -> i64 {
    result
        .assignments
        .iter()
        .filter(|a| a.need == need)
        .map(|a| a.units)
        .sum()
}

/// The smallest `extra` in `1..=cap` for which `serves(extra)` holds, by
/// doubling then bisection (assuming it is monotone), or `None`; with
/// `cap_first`, the cap is probed first.
fn least(
    cap: i64,
    cap_first: bool,
    mut serves: impl FnMut(i64) -> Result<bool>,
) -> Result<Option<i64>> {
    // When a small cap is known, one probe at the cap rules most offers out.
    if cap_first && !serves(cap)? {
        return Ok(None);
    }
    let (mut lo, mut hi) = (0i64, 1i64);
    while hi <= cap && !serves(hi)? {
        lo = hi;
        hi *= 2;
    }
    if hi > cap {
        if cap > lo && serves(cap)? {
            hi = cap;
        } else {
            return Ok(None);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if serves(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

/// The least extra capacity at one of the need's eligible offers (added to
/// the offer and to its provider's shared capacity, if any) that would serve
/// at least one more unit of it: (provider, offer, extra units), or `None`
/// when no offer could (nothing eligible, or not worth it). Ties go to the
/// first provider and offer in input order.
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// // n2 (need 1) gets one more unit with one more administrative slot at gov1.
/// let inc = hubmatch::analyze::smallest_increase(&d, Mode::Pooled, &r, 1).unwrap();
/// assert_eq!(inc, Some((0, 0, 1)));
/// ```
pub fn smallest_increase(
    district: &District,
    mode: Mode,
    result: &MatchResult,
    need: u32,
) -> Result<Option<(u32, u32, i64)>> {
    let ix = district.validate()?;
    let unmet: i64 = result
        .unmet
        .iter()
        .filter(|u| u.need == need)
        .map(|u| u.units)
        .sum();
    let Some(n) = ix.needs.get(need as usize) else {
        return Ok(None);
    };
    if unmet == 0 {
        return Ok(None);
    }
    // No more than every unit of the category could ever need.
    let limit: i64 = ix
        .needs
        .iter()
        .filter(|m| m.category == n.category)
        .map(|m| m.units)
        .sum::<i64>()
        + 1;
    let (_, parts) = mode_parts(&ix, mode)?;
    let Some((part, li)) = parts.iter().find_map(|part| {
        part.needs
            .iter()
            .position(|&i| i == need)
            .map(|li| (part, li as u32))
    }) else {
        return Ok(None); // in no network: no eligible offer
    };
    let p = &part.problem;
    let edges: Vec<usize> = (0..p.edge_count())
        .filter(|&e| p.edge_need[e] == li)
        .collect();
    // Candidates in input order: (provider, offer, local offer).
    let mut candidates: Vec<(u32, u32, usize)> = edges
        .iter()
        .map(|&e| {
            let lo = p.edge_offer[e] as usize;
            (part.offers[lo].0, part.offers[lo].1, lo)
        })
        .collect();
    candidates.sort_unstable();
    candidates.dedup();

    let base_district = served(result, need);
    // "Serves one more unit" without ties: costs scaled by K = units + 1 and
    // one more on the need's unserved arc, so the optimum is an optimum of
    // the original network that leaves the fewest of the need's units
    // unserved (its perturbation, at most `units`, is worth less than one
    // unit of any scaled cost difference).
    let mut mn = MatchingNetwork::build(p);
    let k = p.units[li as usize] + 1;
    let unserved_arc = mn.unserved_arcs + li as usize;
    for c in &mut mn.net.cost {
        *c = c
            .checked_mul(k)
            .ok_or_else(|| Error::Overflow(format!("weights times {k} exceed 64 bits")))?;
    }
    mn.net.cost[unserved_arc] += 1;
    let crash = Basis::from_tree_arcs(&mn.net, &mn.crash_tree);
    let mut resolver = Resolver::new(&mn.net, Some(&crash), &SolveOptions::default())?;
    let base = resolver.resolve()?;
    let served_here = |r: &Resolver| edges.iter().map(|&e| r.flow(e)).sum::<i64>();
    // Most promising first: the smallest reduced cost of the need's edge to
    // the offer (how far the need is from displacing the offer's users).
    let reduced = |lo: usize| {
        edges
            .iter()
            .filter(|&&e| p.edge_offer[e] as usize == lo)
            .map(|&e| {
                let (a, b) = (mn.net.source[e] as usize, mn.net.target[e] as usize);
                mn.net.cost[e] + base.potential[a] - base.potential[b]
            })
            .min()
            .unwrap_or(i64::MAX)
    };
    candidates.sort_by_cached_key(|&(pi, oi, lo)| (reduced(lo), pi, oi));
    // One probe of one offer, on a lane's own resolver.
    let probe =
        |resolver: &mut Resolver, (pi, oi, lo): (u32, u32, usize), cap: i64, cap_first: bool| {
            if mode == Mode::PerCommunity && ix.providers[pi as usize].home.is_none() {
                return least(cap, cap_first, |extra| {
                    let mut d = district.clone();
                    let pr = &mut d.providers[pi as usize];
                    pr.offers[oi as usize].capacity += extra;
                    if let Some(c) = pr.capacity.as_mut() {
                        *c += extra;
                    }
                    let r = match_district(&d.validate()?, mode, &MatchOptions::default(), None)?;
                    Ok(served(&r, need) > base_district)
                });
            }
            let offer_arc = mn.offer_arcs + lo;
            let group = p.offer_group[lo].map(|g| g as usize);
            let found = least(cap, cap_first, |extra| {
                resolver.set_capacity(offer_arc, p.offer_capacity[lo] + extra)?;
                if let Some(g) = group {
                    resolver.set_capacity(mn.group_arcs + g, p.group_capacity[g] + extra)?;
                }
                resolver.resolve_cost()?;
                Ok(served_here(resolver) > base_district)
            })?;
            resolver.set_capacity(offer_arc, p.offer_capacity[lo])?;
            if let Some(g) = group {
                resolver.set_capacity(mn.group_arcs + g, p.group_capacity[g])?;
            }
            Ok(found)
        };
    // Offers are probed in batches over a fixed number of lanes, each with
    // its own resolver; the least extra of an offer does not depend on the
    // lane or the cap it was searched under, so the answer is the same at
    // any thread count.
    let mut lanes = vec![resolver.clone(), resolver];
    let mut best: Option<(u32, u32, i64)> = None;
    for batch in candidates.chunks(LANES * PER_LANE) {
        // To replace the best, an offer must need less, or as much when it
        // comes first in input order.
        let cap = |&(pi, oi, _): &(u32, u32, usize)| {
            best.map_or(limit, |b| if (pi, oi) < (b.0, b.1) { b.2 } else { b.2 - 1 })
        };
        let found: Vec<Vec<(usize, Option<i64>)>> = lanes
            .par_iter_mut()
            .enumerate()
            .map(|(lane, resolver)| {
                batch
                    .iter()
                    .enumerate()
                    .skip(lane)
                    .step_by(LANES)
                    .filter(|(_, c)| cap(c) >= 1)
                    .map(|(k, &c)| Ok((k, probe(resolver, c, cap(&c), best.is_some())?)))
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?;
        let mut found: Vec<(usize, Option<i64>)> = found.into_iter().flatten().collect();
        found.sort_unstable_by_key(|f| f.0);
        for (k, extra) in found {
            let (pi, oi, _) = batch[k];
            if let Some(extra) = extra
                && best.is_none_or(|b| extra < b.2 || (extra == b.2 && (pi, oi) < (b.0, b.1)))
            {
                best = Some((pi, oi, extra));
            }
        }
    }
    Ok(best)
}
