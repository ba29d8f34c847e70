//! The networks of a district with providers appended, grown from the
//! base district's networks instead of found again from the whole graph.
//!
//! New offers only add edges, so a base network keeps its needs (in their
//! local order), each need's edges are its old ones (copied from the base
//! network, their graph indices moved by the edges inserted before them)
//! followed by its new ones, and the new offers and groups come after the
//! old ones. Per community, a community's new offers are those the split
//! of district-level capacity gives it a share of (or homed there), and a
//! need of the community that had no edge there joins in its place when
//! one reaches it. Pooled, a network is a connected component: it merges
//! with another when one new offer (or one new provider's shared capacity)
//! reaches both, or takes in needs that had no edge; then, and with
//! coverage floors (which couple a community's needs across components),
//! the caller builds afresh. The result is the network a fresh build gives
//! but for the order of its offers and groups (a fresh build numbers them
//! as its needs first reach them), which no answer depends on: the solve
//! is certified either way.
//!
//! Which networks grow, and with which amounts and newly reached needs, is
//! found for all of them at once ([`community_plans`], [`pooled_plans`]);
//! each is grown ([`GrowPlan::grow`]) where it is solved, so that copying
//! one network's edges overlaps other networks' solves instead of holding
//! them all back. Pooled, one component holds most edges: grown up front,
//! its copy alone took 8–12 ms (one thread) before any network was solved.
//!
//! Complexity: O(needs + new edges) to plan; O(its needs + new edges +
//! edges) to grow a network, the old edges copied in stretches between
//! needs that gain one; a fresh build reads every edge through dense maps
//! (and, pooled, unions them first).

use crate::graph::BipartiteProblem;
use crate::graph::growth::{GraphGrowth, NeedOffers};
use crate::solve::parts::{Part, PartAmounts, amounts_on};
use crate::solve::shares::Shares;
use crate::validate::DistrictIndex;

/// Each pooled base network of `base` (built on `grown.base`, for a district
/// that `ix` extends with providers appended, `grown` being the new offers'
/// edges) as `ix` makes it: `None` when it gains no offer and keeps its
/// amounts, else the network grown and with `ix`'s amounts. `None` in all (the
/// caller builds afresh) when the networks do not grow on their own: a new
/// offer or shared capacity reaches two base networks, a need that had no edge
/// gains one, or floors are set.
#[cfg(test)]
pub(crate) fn pooled_grown(
    ix: &DistrictIndex,
    grown: &GraphGrowth<'_>,
    base: &[Part],
) -> Option<Vec<Option<GrownPart>>> {
    let network_of = network_of_needs(ix.needs.len(), base);
    let plans = pooled_plans(ix, grown, (base, &network_of), None)?;
    Some(grow_all(ix, grown, None, base, plans))
}

/// How each network of [`pooled_grown`] grows, without growing it: `None`
/// in all when they do not grow on their own, `None` for a network that
/// stays as it was. `network_of` is each need's base network
/// ([`network_of_needs`]); `units`, when given, are `ix`'s needs' units
/// (see [`amounts_on`]).
pub(crate) fn pooled_plans(
    ix: &DistrictIndex,
    grown: &GraphGrowth<'_>,
    (base, network_of): (&[Part], &[u32]),
    units: Option<&[i64]>,
) -> Option<Vec<Option<GrowPlan>>> {
    if base
        .iter()
        .any(|p| !p.floors.is_empty() || p.community.is_some())
    {
        return None;
    }
    let old_nodes = grown.base.node_count();
    // The base network each new offer and each new provider reaches.
    let mut offer_network = vec![u32::MAX; grown.node_count() - old_nodes];
    let mut provider_network = vec![u32::MAX; ix.providers.len()];
    let mut new_offers = vec![0usize; base.len()];
    for i in grown.needs_with_new_edges() {
        for e in grown.new_edges(i) {
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
    let amounts = amounts_on(ix, &grown.first_offer, None, (base, units)).ok()??;
    Some(
        (base.iter().zip(amounts).zip(new_offers))
            .map(|((part, amounts), new_offers)| {
                (new_offers > 0 || amounts.changes_from(&part.problem) > 0).then(|| GrowPlan {
                    amounts,
                    reached: Vec::new(),
                    community: None,
                })
            })
            .collect(),
    )
}

/// Each per-community base network of `base` (one per community, in community
/// order, built on `grown.base` with the split of district-level capacity; no
/// floors) as `ix` makes it (with providers appended; `grown` the new offers'
/// edges, `shares` its split, `amounts` each base network's amounts in `ix`):
/// `None` when its needs gain no edge and it keeps its amounts, else the
/// network grown. A community's new offers are those the split gives it
/// capacity of, and its needs that had no edge there join it when one reaches
/// them.
#[cfg(test)]
pub(crate) fn community_grown(
    ix: &DistrictIndex,
    grown: &GraphGrowth<'_>,
    shares: &Shares,
    base: &[Part],
    amounts: Vec<PartAmounts>,
) -> Vec<Option<GrownPart>> {
    let network_of = network_of_needs(ix.needs.len(), base);
    let reach = CommunityReach::of(ix, grown, (base.len(), &network_of));
    let plans = community_plans(reach, base, amounts);
    grow_all(ix, grown, Some(shares), base, plans)
}

/// How each network of [`community_grown`] grows, without growing it
/// (`None`: it stays as it was): the new edges' [`CommunityReach`] and
/// the networks' amounts in the grown district.
pub(crate) fn community_plans(
    reach: CommunityReach,
    base: &[Part],
    amounts: Vec<PartAmounts>,
) -> Vec<Option<GrowPlan>> {
    let CommunityReach {
        mut touched,
        reached,
    } = reach;
    for ((touched, a), part) in touched.iter_mut().zip(&amounts).zip(base) {
        *touched |= a.changes_from(&part.problem) != 0;
    }
    (amounts.into_iter().zip(reached).enumerate())
        .map(|(c, (amounts, reached))| {
            touched[c].then_some(GrowPlan {
                amounts,
                reached,
                community: Some(c),
            })
        })
        .collect()
}

/// Which per-community networks the new edges of a growth reach: the
/// amounts aside, what [`community_plans`] needs, found apart so that it
/// can be found while the capacity is split.
pub(crate) struct CommunityReach {
    /// Whether new edges reach each network.
    touched: Vec<bool>,
    /// The needs outside each network that new edges bring in, in order.
    reached: Vec<Vec<u32>>,
}

impl CommunityReach {
    /// The reach of `grown`'s new edges into the `networks` base networks,
    /// one per community, each need's among them being `network_of`'s
    /// ([`network_of_needs`]). O(new edges).
    pub(crate) fn of(
        ix: &DistrictIndex,
        grown: &GraphGrowth<'_>,
        (networks, network_of): (usize, &[u32]),
    ) -> CommunityReach {
        let mut touched = vec![false; networks];
        let mut reached: Vec<Vec<u32>> = vec![Vec::new(); networks];
        for i in grown.needs_with_new_edges() {
            match network_of[i] {
                u32::MAX => {
                    let c = ix.needs[i].community;
                    touched[c] = true;
                    reached[c].push(i as u32);
                }
                c => touched[c as usize] = true,
            }
        }
        CommunityReach { touched, reached }
    }
}

/// The network of each of `needs` needs among `parts` (`u32::MAX`: none):
/// read off the networks, as the need records (176 bytes each) missed the
/// cache.
pub(crate) fn network_of_needs(needs: usize, parts: &[Part]) -> Vec<u32> {
    let mut network_of = vec![u32::MAX; needs];
    for (k, part) in parts.iter().enumerate() {
        for &i in &part.needs {
            network_of[i as usize] = k as u32;
        }
    }
    network_of
}

/// Each base network grown by its plan, in parallel, in network order.
/// For tests.
#[cfg(test)]
fn grow_all(
    ix: &DistrictIndex,
    grown: &GraphGrowth<'_>,
    shares: Option<&Shares>,
    base: &[Part],
    plans: Vec<Option<GrowPlan>>,
) -> Vec<Option<GrownPart>> {
    use rayon::prelude::*;
    (base.par_iter().zip(plans))
        .enumerate()
        .map(|(k, (part, plan))| {
            // Every other network with its runs' starts given (as a session
            // gives them), the others' looked for.
            let starts = (k % 2 == 1)
                .then(|| part.problem.grouped_need_starts())
                .flatten()
                .unwrap_or_default();
            Some(plan?.grow(ix, grown, shares, (part, &starts)))
        })
        .collect()
}

/// How a base network grows into a network of a district with providers
/// appended (see [`community_plans`] and [`pooled_plans`]): found for all
/// networks at once, cheaply, and carried out ([`GrowPlan::grow`]) where
/// each network is solved, so that one network is copied while another is
/// solved.
pub(crate) struct GrowPlan {
    /// The network's amounts in the grown district.
    amounts: PartAmounts,
    /// District needs outside the network that new edges reach (per
    /// community), in order.
    reached: Vec<u32>,
    /// The community whose share of district-level capacity the network
    /// takes (per community), or `None` (pooled: whole capacities).
    community: Option<usize>,
}

impl GrowPlan {
    /// Base network `part` grown by this plan: its needs' new edges that
    /// reach it, the new offers and groups they reach, and the needs
    /// newly reached that keep a new edge. `shares` is the split of
    /// district-level capacity per community (per community); `starts`,
    /// where `part`'s needs' runs of edges start, when known (empty: each
    /// run's end is looked for).
    pub(crate) fn grow(
        &self,
        ix: &DistrictIndex,
        grown: &GraphGrowth<'_>,
        shares: Option<&Shares>,
        (part, starts): (&Part, &[u32]),
    ) -> GrownPart {
        let starts = (starts.len() == part.needs.len() + 1).then_some(starts);
        let (base, amounts) = (Base { part, starts }, &self.amounts);
        if let (Some(c), Some(shares)) = (self.community, shares) {
            let reach = |node, offer| shares.capacities(ix, node, offer, c);
            return grow(ix, grown, base, amounts, reach, &self.reached);
        }
        let reach = |_, (p, o): (u32, u32)| {
            let provider = &ix.providers[p as usize];
            Some((provider.offers[o as usize].capacity, provider.capacity))
        };
        grow(ix, grown, base, amounts, reach, &self.reached)
    }

    /// The work of solving base network `part` grown by this plan, roughly,
    /// for running the largest first: its size (needs plus edges, each
    /// copied and read a few times) and the pivots its new edges bring (the
    /// new edges of its needs, counted whether or not they reach it). On
    /// district-13 per community, where the networks differ in size by a
    /// tenth, re-solves took 2 to 6 ms, most as their new edges: a new edge
    /// weighs as much as thirty old ones, so the networks with most new
    /// edges run first and those left for last are short.
    pub(crate) fn size(&self, grown: &GraphGrowth<'_>, part: &Part) -> usize {
        let new: usize = (part.needs.iter().chain(&self.reached))
            .map(|&i| grown.new_edges(i as usize).len())
            .sum();
        part.size() + self.reached.len() + 30 * new
    }
}

/// For each need of `grown` (a network grown from `base`), its local
/// index in `base`, or `u32::MAX` for a need newly reached: both list
/// their needs in district order.
pub(crate) fn base_needs(base: &Part, grown: &Part) -> Vec<u32> {
    let mut at = 0usize;
    grown
        .needs
        .iter()
        .map(|&i| {
            while at < base.needs.len() && base.needs[at] < i {
                at += 1;
            }
            if base.needs.get(at) == Some(&i) {
                at as u32
            } else {
                u32::MAX
            }
        })
        .collect()
}

/// Puts base network `k` in `slot` (a new offer's or provider's); false
/// when another one is there already.
fn joins(slot: &mut u32, k: u32) -> bool {
    let fits = *slot == u32::MAX || *slot == k;
    *slot = k;
    fits
}

/// What a network takes of an offer (graph node, (provider, offer)): its
/// capacity there and its provider's shared capacity there, if any; `None`
/// when the offer does not serve the network.
trait Reach: Fn(u32, (u32, u32)) -> Option<(i64, Option<i64>)> {}
impl<F: Fn(u32, (u32, u32)) -> Option<(i64, Option<i64>)>> Reach for F {}

/// `part` with the new edges of its needs that `reach` keeps, the new
/// offers and groups they reach, and the needs of `reached` (district
/// needs outside `part`, in order) that keep a new edge, in their place in
/// need order; with `ix`'s amounts (`amounts` for the old needs, offers
/// and groups).
fn grow(
    ix: &DistrictIndex,
    grown: &GraphGrowth<'_>,
    Base { part, starts }: Base<'_>,
    amounts: &PartAmounts,
    reach: impl Reach,
    reached: &[u32],
) -> GrownPart {
    let b = &part.problem;
    let mut out = Part {
        community: part.community,
        problem: BipartiteProblem {
            units: Vec::with_capacity(b.units.len() + reached.len()),
            offer_capacity: amounts.offer_capacity.clone(),
            offer_group: b.offer_group.clone(),
            group_capacity: amounts.group_capacity.clone(),
            unserved_penalty: amounts.unserved_penalty,
            unserved_group: b.unserved_group.clone(),
            unserved_limit: amounts.unserved_limit.clone(),
            unserved_parent: b.unserved_parent.clone(),
            ..BipartiteProblem::default()
        },
        needs: Vec::with_capacity(part.needs.len() + reached.len()),
        offers: part.offers.clone(),
        groups: part.groups.clone(),
        floors: Vec::new(),
    };
    let total = b.edge_count()
        + (part.needs.iter().chain(reached))
            .map(|&i| grown.new_edges(i as usize).len())
            .sum::<usize>();
    out.problem.edge_need.reserve(total);
    out.problem.edge_offer.reserve(total);
    out.problem.edge_weight.reserve(total);
    let old_nodes = grown.base.node_count();
    let mut local = vec![u32::MAX; grown.node_count() - old_nodes];
    let mut group_of: Vec<(u32, u32)> = Vec::new();
    let mut need_starts = Vec::with_capacity(part.needs.len() + reached.len() + 1);
    // Base edges `from..at` (of needs that keep no new edge, their local
    // needs moved by `later`, the needs newly reached before them) are
    // copied in one stretch when the stretch ends.
    let (mut from, mut at, mut later) = (0usize, 0usize, 0u32);
    let flush = |out: &mut Part, lo: usize, hi: usize, later: u32| {
        let o = &mut out.problem;
        // Moved only past needs newly reached (a plain copy is faster).
        if later == 0 {
            o.edge_need.extend_from_slice(&b.edge_need[lo..hi]);
        } else {
            o.edge_need
                .extend(b.edge_need[lo..hi].iter().map(|&li| li + later));
        }
        o.edge_offer.extend_from_slice(&b.edge_offer[lo..hi]);
        o.edge_weight.extend_from_slice(&b.edge_weight[lo..hi]);
    };
    // The needs in order: the base's (with their local index) merged with
    // those newly reached.
    let (mut next_old, mut next_new) = (0usize, 0usize);
    loop {
        let take_old = match (part.needs.get(next_old), reached.get(next_new)) {
            (Some(&a), Some(&r)) => a < r,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let li = out.needs.len() as u32;
        let i = if take_old {
            let old_li = next_old as u32;
            next_old += 1;
            let i = part.needs[old_li as usize];
            if li - old_li != later {
                flush(&mut out, from, at, later);
                (from, later) = (at, li - old_li);
            }
            // The stretch up to `at` is copied before anything else.
            need_starts.push((out.problem.edge_need.len() + at - from) as u32);
            // Read off the base's starts when known: a search per need
            // took 3% of a re-solve.
            at = match starts {
                Some(s) => s[old_li as usize + 1] as usize,
                None => run_end(&b.edge_need, at, old_li),
            };
            out.needs.push(i);
            out.problem.units.push(amounts.units[old_li as usize]);
            i as usize
        } else {
            next_new += 1;
            reached[next_new - 1] as usize
        };
        let mut kept = take_old;
        for e in grown.new_edges(i) {
            let node = grown.edge_offer[e];
            let (pv, o) = grown.offer_of(node);
            let Some((offer_cap, group_cap)) = reach(node, (pv, o)) else {
                continue;
            };
            if !kept {
                out.needs.push(i as u32);
                out.problem.units.push(ix.needs[i].units);
                need_starts.push((out.problem.edge_need.len() + at - from) as u32);
                kept = true;
            }
            if from < at {
                flush(&mut out, from, at, later);
                from = at;
            }
            let slot = &mut local[node as usize - old_nodes];
            if *slot == u32::MAX {
                let group = group_cap.map(|cap| {
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
                out.problem.offer_capacity.push(offer_cap);
                out.problem.offer_group.push(group);
            }
            out.problem.edge_need.push(li);
            out.problem.edge_offer.push(*slot);
            out.problem.edge_weight.push(grown.edge_weight[e].weight);
        }
    }
    flush(&mut out, from, at, later);
    need_starts.push(out.problem.edge_need.len() as u32);
    debug_assert_eq!(
        out.problem.grouped_need_starts().as_ref(),
        Some(&need_starts)
    );
    GrownPart {
        part: out,
        need_starts,
    }
}

/// A base network, and where its needs' runs of edges start, when known.
struct Base<'a> {
    part: &'a Part,
    starts: Option<&'a [u32]>,
}

/// The end of the run of `value` that starts at `at` in `values`, whose
/// runs do not recur (a network's edges grouped by need): found by steps
/// that double, then halve, in O(log run) reads instead of one per edge.
fn run_end(values: &[u32], at: usize, value: u32) -> usize {
    let len = values.len();
    // values[lo] is the value (or lo == at), values[hi] is not (or hi == len).
    let (mut lo, mut step) = (at, 1);
    let mut hi = loop {
        let probe = lo + step;
        if probe > len || values[probe - 1] != value {
            break probe.min(len + 1) - 1;
        }
        lo = probe;
        step *= 2;
    };
    // Now values[at..lo] are the value and values[hi] is not (or hi == len).
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if values[mid] == value {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A network grown from its base network, and where each of its needs'
/// runs of edges starts (needs + 1 of them): its edges are grouped by
/// need, in need order, so the classes refine the base's without reading
/// the runs off the edges again (see `Aggregation::refinement`).
pub(crate) struct GrownPart {
    pub(crate) part: Part,
    pub(crate) need_starts: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EligibilityGraph;
    use crate::solve::aggregate::Aggregation;
    use crate::solve::district::Mode;
    use crate::solve::parts::{community_parts_of, parts_on};
    use crate::synthetic::{Knobs, generate};

    /// `run_end` finds where every run ends, as reading the run value by
    /// value does: runs of 0 to 40 (empty ones too), at the end as well.
    #[test]
    fn run_ends_equal_a_linear_scan() {
        let mut x = 7u64;
        let mut next = |k: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % k
        };
        for _ in 0..200 {
            let runs: Vec<u32> = (0..next(12)).map(|_| next(41) as u32).collect();
            let values: Vec<u32> = (runs.iter().enumerate())
                .flat_map(|(v, &len)| std::iter::repeat_n(v as u32, len as usize))
                .collect();
            let mut at = 0;
            for (v, &len) in runs.iter().enumerate() {
                let end = run_end(&values, at, v as u32);
                assert_eq!(end, at + len as usize, "{runs:?}, run {v}");
                at = end;
            }
            assert_eq!(at, values.len());
        }
    }

    /// Each need's edges as (district need, provider, offer, weight), and
    /// the amounts by identity: a network up to the order of its offers and
    /// groups.
    #[allow(clippy::type_complexity)]
    fn by_identity(
        part: &Part,
    ) -> (
        Vec<(u32, (u32, u32), i64)>,
        Vec<i64>,
        Vec<((u32, u32), i64, Option<u32>)>,
        Vec<(u32, i64)>,
    ) {
        let p = &part.problem;
        let edges = (0..p.edge_count())
            .map(|k| {
                let offer = part.offers[p.edge_offer[k] as usize];
                (part.needs[p.edge_need[k] as usize], offer, p.edge_weight[k])
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

    /// `part`, grown from `base`, is `fresh` (built afresh) up to the order
    /// of offers and groups, and its classes refined from the base's are
    /// those found afresh (from the runs' starts it reports).
    fn assert_grown(base: &Part, grown: &GrownPart, fresh: &Part, what: &str) {
        let part = &grown.part;
        let starts = part.problem.grouped_need_starts();
        assert_eq!(starts.as_ref(), Some(&grown.need_starts), "{what}");
        assert_eq!(part.needs, fresh.needs, "{what}");
        assert_eq!(by_identity(part), by_identity(fresh), "{what}");
        let Some(classes) = Aggregation::build(&base.problem) else {
            return;
        };
        let refined = classes
            .refinement(
                (&base.problem, base.problem.edge_need.is_sorted()),
                (&part.problem, Some(&grown.need_starts)),
                &base_needs(base, part),
            )
            .map(|(a, _)| a);
        assert_eq!(refined, Aggregation::build(&part.problem), "{what}");
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
            // One that serves fewer needs than its original (none that
            // require a skill, one offer): it splits classes.
            let mut fewer = d.providers[0].clone();
            fewer.id = "fewer".into();
            fewer.skills.clear();
            fewer.capacity = None;
            fewer.offers.truncate(1);
            d.providers.push(fewer);
            for n in d.needs.iter_mut().step_by(9) {
                n.units += 1;
            }
            d.providers[1].offers[0].capacity += 2;
            let changed = d.validate().unwrap();
            let growth = old.growth(&changed).unwrap();
            let grown = growth.graph();
            let fresh = parts_on(&changed, &grown, Mode::Pooled).unwrap();
            let Some(parts) = pooled_grown(&changed, &growth, &base) else {
                panic!("seed {seed}: copies grow each network on its own");
            };
            assert_eq!(parts.len(), fresh.len(), "seed {seed}");
            for (k, (part, fresh)) in parts.iter().zip(&fresh).enumerate() {
                let Some(part) = part else {
                    // Kept: the base network as it was.
                    let kept = &base[k];
                    assert_eq!(
                        by_identity(kept),
                        by_identity(fresh),
                        "seed {seed} network {k}"
                    );
                    continue;
                };
                assert_grown(&base[k], part, fresh, &format!("seed {seed} network {k}"));
                grew += usize::from(part.part.offers.len() > base[k].offers.len());
            }
        }
        assert!(grew > 0, "some network must gain offers");
    }

    /// A district-level provider made for need `i` (its category and
    /// skills, no price), of a kind that offers its category already.
    fn made_for(d: &crate::model::District, i: usize) -> Option<crate::model::Provider> {
        let need = &d.needs[i];
        let model = d
            .providers
            .iter()
            .find(|p| p.offers.iter().any(|o| o.category == need.category))?;
        let mut p = model.clone();
        p.id = format!("made-for-{i}");
        (p.home, p.service_area, p.capacity) = (None, None, None);
        p.quotas.clear();
        p.availability.clear();
        p.skills.clone_from(&need.skills);
        p.offers.retain(|o| o.category == need.category);
        p.offers[0].price = None;
        Some(p)
    }

    /// A district with a need that had no edge and a provider made for it
    /// that reaches it: (the district grown, the need).
    fn newly_reached(
        d: &crate::model::District,
        old: &EligibilityGraph,
    ) -> (crate::model::District, usize) {
        for (i, _) in old.no_edge.iter().enumerate().filter(|(_, r)| r.is_some()) {
            let Some(p) = made_for(d, i) else { continue };
            let mut grown = d.clone();
            grown.providers.push(p);
            let g = old
                .with_providers_appended(&grown.validate().unwrap())
                .unwrap();
            if g.no_edge[i].is_none() {
                return (grown, i);
            }
        }
        panic!("no need without edges could be reached");
    }

    /// A need that had no edge and is reached by a new offer: pooled
    /// networks do not grow on their own (the caller builds afresh).
    #[test]
    fn a_need_newly_reached_is_refused_pooled() {
        let d = generate(&Knobs::preset("small").unwrap(), 0);
        let ix = d.validate().unwrap();
        let old = EligibilityGraph::build(&ix);
        let base = parts_on(&ix, &old, Mode::Pooled).unwrap();
        let (d, _) = newly_reached(&d, &old);
        let changed = d.validate().unwrap();
        let growth = old.growth(&changed).unwrap();
        assert!(pooled_grown(&changed, &growth, &base).is_none());
    }

    /// Per-community networks grown from the base's equal fresh builds up
    /// to the order of offers and groups: copies of providers, a provider
    /// that reaches a need which had no edge (it joins its community's
    /// network in its place), and amounts changed.
    #[test]
    fn grown_community_networks_equal_fresh_builds() {
        let (mut gained_needs, mut gained_offers) = (0, 0);
        for seed in 0..4u64 {
            let d = generate(&Knobs::preset("small").unwrap(), seed);
            let ix = d.validate().unwrap();
            let old = EligibilityGraph::build(&ix);
            let all = vec![true; ix.communities.len()];
            let base_shares = Shares::of(&ix, &old);
            let base: Vec<Part> = community_parts_of(&ix, &old, &base_shares, &all)
                .into_iter()
                .flatten()
                .collect();
            let (mut d, _) = newly_reached(&d, &old);
            let copies: Vec<_> = d.providers.iter().step_by(5).cloned().collect();
            for (k, mut p) in copies.into_iter().enumerate() {
                p.id = format!("copy-{k}");
                if k == 0 {
                    // Reaches only the needs that require no skill: it
                    // splits classes.
                    p.skills.clear();
                }
                d.providers.push(p);
            }
            for n in d.needs.iter_mut().step_by(7) {
                n.units += 1;
            }
            let changed = d.validate().unwrap();
            let growth = old.growth(&changed).unwrap();
            let grown = growth.graph();
            let shares = Shares::of(&changed, &grown);
            let fresh = community_parts_of(&changed, &grown, &shares, &all);
            let amounts = amounts_on(&changed, &growth.first_offer, Some(&shares), (&base, None))
                .unwrap()
                .unwrap();
            let parts = community_grown(&changed, &growth, &shares, &base, amounts);
            for (c, (part, fresh)) in parts.iter().zip(&fresh).enumerate() {
                let (grown, fresh) = (part.as_ref().unwrap(), fresh.as_ref().unwrap());
                let part = &grown.part;
                assert_eq!(part.community, fresh.community);
                assert_grown(
                    &base[c],
                    grown,
                    fresh,
                    &format!("seed {seed} community {c}"),
                );
                gained_needs += usize::from(part.needs.len() > base[c].needs.len());
                gained_offers += usize::from(part.offers.len() > base[c].offers.len());
            }
        }
        assert!(
            gained_needs > 0 && gained_offers > 0,
            "needs and offers must join"
        );
    }
}
