//! Carrying an optimal basis from one matching network to a grown one: the
//! warm start of a scenario that adds providers.
//!
//! A network grown from another has the same needs (or more, when new
//! offers reach needs that had no edge), the same offers and more, and
//! classes that refine the old ones: new offers can only split a class
//! (members that differ in their new edges), never merge two. So every old
//! node stands for one new node, found by what it is district-wide: a class
//! by its first member need (in input order), an offer by (provider,
//! offer), a group by its provider, an unserved group by its floor, and the
//! sink. The old tree carried over spans the old nodes; each new node (a
//! new offer or group, a split-off part of a class, a need newly reached)
//! hangs from it by its own arc towards the sink (its offer, group,
//! unserved or unserved-group arc), which carries only its own supply. New
//! eligibility edges start at their lower bound. The result is a basis that
//! [`super::network_simplex`] starts from as from any warm basis: flows are
//! recomputed, tree arcs out of bounds leave the tree (the class that lost
//! units to a split-off part may need that), and primal pivots bring in the
//! new edges that pay. A basis that does not fit (the networks are not
//! related that way) is refused by the solver, which starts from the crash
//! basis instead: never wrong, only cold.
//!
//! Complexity: O(nodes + edges): dense maps over the old needs, hash maps
//! over the old offers, groups and floors; a class whose edges start with
//! its old ones in their order (as a grown network's do, see
//! `Aggregation::refinement`) is carried by position, any other reads its old
//! edges once into a row indexed by offer.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::graph::{BipartiteProblem, MatchingNetwork};
use crate::solve::aggregate::Aggregation;
use crate::solve::network_simplex::{ArcState, Basis};
use crate::solve::parts::Part;

/// A matching network as solved: its part (what its needs, offers, groups
/// and floors are district-wide), its classes (when aggregated), the
/// problem solved (the class problem when aggregated) and its layout.
#[derive(Clone, Copy)]
pub(crate) struct SolvedNetwork<'a> {
    pub(crate) part: &'a Part,
    pub(crate) aggregation: Option<&'a Aggregation>,
    pub(crate) layout: &'a MatchingNetwork,
    /// The edges of each class in CSR form (starts, edges), when kept
    /// (a session keeps them; computed otherwise): read for the old
    /// network only.
    pub(crate) class_edges: Option<(&'a [u32], &'a [u32])>,
}

impl SolvedNetwork<'_> {
    fn solved(&self) -> &BipartiteProblem {
        self.aggregation.map_or(&self.part.problem, |a| &a.problem)
    }

    fn class_of(&self, need: usize) -> u32 {
        self.aggregation.map_or(need as u32, |a| a.class_of[need])
    }

    /// The first member (local need) of each class.
    fn first_members(&self) -> Vec<u32> {
        let mut first = vec![u32::MAX; self.solved().need_count()];
        for i in (0..self.part.needs.len()).rev() {
            first[self.class_of(i) as usize] = i as u32;
        }
        first
    }

    /// (classes, offers, groups, unserved groups) of the network.
    fn counts(&self) -> (usize, usize, usize, usize) {
        let p = self.solved();
        (
            p.need_count(),
            p.offer_count(),
            p.group_capacity.len(),
            p.unserved_limit.len(),
        )
    }
}

/// A basis of `new` carried from `old_basis`, an optimal basis of `old`
/// (see the module docs): the same state for every arc that both networks
/// have, each new node hung from the old tree by its own arc towards the
/// sink, every other new arc at its lower bound; and the new eligibility
/// edges (arcs of `new`), to price first: the old arcs price as they did
/// at the old optimum, so only new ones can pay at the start, and block
/// search would read most of the network to find each of them.
pub(crate) fn carry_basis(
    old: SolvedNetwork<'_>,
    old_basis: &Basis,
    new: SolvedNetwork<'_>,
) -> (Basis, Vec<u32>) {
    let (on, oo, og, oh) = old.counts();
    let (nn, no, ng, nh) = new.counts();
    let old_m = old.layout.unserved_group_arcs + oh;
    let new_m = new.layout.unserved_group_arcs + nh;
    let new_nodes = nn + no + ng + nh + 1;
    if old_basis.state.len() != old_m + on + oo + og + oh + 1 {
        // Not a basis of `old`: an empty one, which the solver refuses.
        return (Basis { state: Vec::new() }, Vec::new());
    }

    // Node by node: the old node each new one stands for. Needs by a dense
    // map over district need indices (tens of thousands per network).
    let needs = old.part.needs.iter().chain(&new.part.needs);
    let mut old_need = vec![u32::MAX; needs.max().map_or(0, |&i| i as usize + 1)];
    for (i, &d) in old.part.needs.iter().enumerate() {
        old_need[d as usize] = i as u32;
    }
    let old_first = old.first_members();
    let class_map: Vec<Option<u32>> = new
        .first_members()
        .iter()
        .map(|&i| {
            let oi = old_need[new.part.needs[i as usize] as usize];
            if oi == u32::MAX {
                return None;
            }
            let c = old.class_of(oi as usize);
            (old_first[c as usize] == oi).then_some(c)
        })
        .collect();
    let offer_map = map_by(&old.part.offers, &new.part.offers);
    let group_map = map_by(&old.part.groups, &new.part.groups);
    let floor_map = map_by(&old.part.floors, &new.part.floors);
    let old_node = |v: usize| -> Option<usize> {
        let node = if v < nn {
            class_map[v]? as usize
        } else if v < nn + no {
            on + offer_map[v - nn]? as usize
        } else if v < nn + no + ng {
            on + oo + group_map[v - nn - no]? as usize
        } else if v < nn + no + ng + nh {
            on + oo + og + floor_map[v - nn - no - ng]? as usize
        } else {
            on + oo + og + oh // the sink
        };
        Some(node)
    };

    // Edges class by class: each mapped class's old arcs are written into
    // a scratch row indexed by old offer, read by its new edges, then
    // cleared (O(edges), where a search per edge cost a log factor).
    let old_solved = old.solved();
    let (starts, edges) = if let Some((starts, edges)) = old.class_edges {
        (Cow::Borrowed(starts), Cow::Borrowed(edges))
    } else {
        let (starts, edges) = old_solved.edges_by_need();
        (Cow::Owned(starts), Cow::Owned(edges))
    };
    let new_solved = new.solved();
    // A grown network's classes list their edges in runs (`Aggregation`),
    // each starting with its old class's edges in their order: read in
    // place, not gathered by class.
    let (new_starts, new_edges) = if let Some(starts) = new_solved.grouped_need_starts() {
        (starts, None)
    } else {
        let (starts, edges) = new_solved.edges_by_need();
        (starts, Some(edges))
    };
    let was = |arc: usize| old_basis.state[arc];
    let mut state = vec![ArcState::Lower; new_m + new_nodes];
    let mut scratch = vec![u32::MAX; oo];
    let mut fresh = Vec::new();
    let mut in_order: Vec<u32> = Vec::new();
    for (c_new, c) in class_map.iter().enumerate() {
        let (lo, hi) = (new_starts[c_new], new_starts[c_new + 1]);
        let class_edges = if let Some(edges) = &new_edges {
            &edges[lo as usize..hi as usize]
        } else {
            in_order.clear();
            in_order.extend(lo..hi);
            &in_order[..]
        };
        let Some(c) = *c else {
            fresh.extend_from_slice(class_edges);
            continue;
        };
        let run = &edges[starts[c as usize] as usize..starts[c as usize + 1] as usize];
        // The old edges first, to the same offers in the same order, then
        // only edges to new offers: carried by position.
        let (head, tail) = class_edges.split_at(run.len().min(class_edges.len()));
        let new_offer = |k: u32| new_solved.edge_offer[k as usize] as usize;
        if head.len() == run.len()
            && run
                .iter()
                .zip(head)
                .all(|(&e, &k)| offer_map[new_offer(k)] == Some(old_solved.edge_offer[e as usize]))
            && tail.iter().all(|&k| offer_map[new_offer(k)].is_none())
        {
            for (&e, &k) in run.iter().zip(head) {
                state[k as usize] = was(e as usize);
            }
            fresh.extend_from_slice(tail);
            continue;
        }
        for &e in run {
            scratch[old_solved.edge_offer[e as usize] as usize] = e;
        }
        for &k in class_edges {
            let j = new_solved.edge_offer[k as usize] as usize;
            let a = offer_map[j].map_or(u32::MAX, |oj| scratch[oj as usize]);
            if a == u32::MAX {
                fresh.push(k);
            } else {
                state[k as usize] = was(a as usize);
            }
        }
        for &e in run {
            scratch[old_solved.edge_offer[e as usize] as usize] = u32::MAX;
        }
    }
    // Each node's own arc towards the sink: carried, or the new node's
    // tree arc.
    let own = [
        (new.layout.unserved_arcs, old.layout.unserved_arcs, 0, nn),
        (new.layout.offer_arcs, old.layout.offer_arcs, nn, no),
        (new.layout.group_arcs, old.layout.group_arcs, nn + no, ng),
        (
            new.layout.unserved_group_arcs,
            old.layout.unserved_group_arcs,
            nn + no + ng,
            nh,
        ),
    ];
    let old_first_node = [0, on, on + oo, on + oo + og];
    for ((first_new, first_old, first_node, count), old_first_node) in
        own.into_iter().zip(old_first_node)
    {
        for k in 0..count {
            state[first_new + k] = match old_node(first_node + k) {
                Some(v) => was(first_old + v - old_first_node),
                None => ArcState::Tree,
            };
        }
    }
    // Artificial arcs: carried for old nodes, out of the tree for new ones.
    for v in 0..new_nodes {
        if let Some(ov) = old_node(v) {
            state[new_m + v] = was(old_m + ov);
        }
    }
    fresh.sort_unstable();
    (Basis { state }, fresh)
}

/// For each of `new`, its position in `old`, if there.
fn map_by<T: std::hash::Hash + Eq + Copy>(old: &[T], new: &[T]) -> Vec<Option<u32>> {
    let at: HashMap<T, u32> = old
        .iter()
        .enumerate()
        .map(|(k, &x)| (x, k as u32))
        .collect();
    new.iter().map(|x| at.get(x).copied()).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::solve::matching::{
        Classes, MatchOptions, class_network, solve_matching, solve_matching_from,
    };

    fn part(problem: BipartiteProblem, offers: Vec<(u32, u32)>, groups: Vec<u32>) -> Part {
        Part {
            community: None,
            needs: (0..problem.need_count() as u32).collect(),
            offers,
            groups,
            floors: Vec::new(),
            problem,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// A network grown by new offers (a new provider with shared
        /// capacity and one without), new edges to some members of a class
        /// (which splits it), a need newly reached and a changed capacity,
        /// its old offers renumbered: the basis carried from the old
        /// optimum is taken (the solve starts warm) and reaches the cold
        /// optimum, aggregated or not.
        #[test]
        fn carried_basis_starts_warm_and_reaches_the_cold_optimum(
            seed in any::<u64>(), aggregate in any::<bool>()
        ) {
            let mut x = seed | 1;
            let mut next = move |k: u64| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x % k };
            let (n, o, types) = (30usize, 6u32, 6usize);
            // Needs of one type have the same edges: classes.
            let kinds: Vec<Vec<(u32, i64)>> = (0..types)
                .map(|_| {
                    let mut e: Vec<(u32, i64)> = (0..=next(3))
                        .map(|_| (next(u64::from(o)) as u32, 1 + next(40) as i64))
                        .collect();
                    e.sort_unstable();
                    e.dedup_by_key(|e| e.0);
                    e
                })
                .collect();
            let units: Vec<i64> = (0..n).map(|_| 1 + next(4) as i64).collect();
            let mut old = BipartiteProblem {
                units: units.clone(),
                offer_capacity: (0..o).map(|_| next(12) as i64).collect(),
                offer_group: (0..o).map(|k| (k < 2).then_some(0)).collect(),
                group_capacity: vec![1 + next(10) as i64],
                unserved_penalty: next(5) as i64,
                ..BipartiteProblem::default()
            };
            for i in 0..n {
                for &(j, w) in &kinds[i % types] {
                    old.edge_need.push(i as u32);
                    old.edge_offer.push(j);
                    old.edge_weight.push(w);
                }
            }
            let old_offers: Vec<(u32, u32)> =
                (0..o).map(|k| if k < 2 { (0, k) } else { (k, 0) }).collect();
            let opts = MatchOptions { aggregate, ..MatchOptions::default() };
            let base = solve_matching(&old, &opts, None).unwrap();
            let (old_agg, old_layout, _) = class_network(&old, &opts).unwrap();
            let old_part = part(old.clone(), old_offers.clone(), vec![0]);
            // The class edges a session keeps, or none (computed then).
            let kept = aggregate.then(|| old_agg.as_ref().map_or(&old, |a| &a.problem).edges_by_need());

            // Grown: old offers renumbered (reversed), then three new ones:
            // two of a provider with shared capacity, one without.
            let local = |j: u32| o - 1 - j;
            let mut offers: Vec<(u32, u32)> = (0..o).map(|j| old_offers[local(j) as usize]).collect();
            offers.extend([(100, 0), (100, 1), (101, 0)]);
            let mut grown = BipartiteProblem {
                units,
                offer_capacity: (0..o).map(|j| old.offer_capacity[local(j) as usize]).collect(),
                offer_group: (0..o).map(|j| (local(j) < 2).then_some(0)).collect(),
                group_capacity: vec![old.group_capacity[0], 1 + next(10) as i64],
                unserved_penalty: old.unserved_penalty,
                ..BipartiteProblem::default()
            };
            grown.units.push(1 + next(3) as i64); // a need newly reached
            grown.offer_capacity.extend([1 + next(8) as i64, 1 + next(8) as i64, next(8) as i64]);
            grown.offer_group.extend([Some(1), Some(1), None]);
            let changed = next(u64::from(o)) as usize;
            grown.offer_capacity[changed] = next(12) as i64;
            for i in 0..=n {
                let old_edges = if i < n { kinds[i % types].as_slice() } else { &[] };
                for &(j, w) in old_edges {
                    grown.edge_need.push(i as u32);
                    grown.edge_offer.push(local(j));
                    grown.edge_weight.push(w);
                }
                // New edges to some needs only, whatever their type.
                for j in o..o + 3 {
                    if i == n || next(3) == 0 {
                        grown.edge_need.push(i as u32);
                        grown.edge_offer.push(j);
                        grown.edge_weight.push(1 + next(40) as i64);
                    }
                }
            }
            let new_part = part(grown.clone(), offers, vec![0, 100]);
            let (mut listed, mut lower) = (0, false);
            let warm = solve_matching_from(&grown, &opts, Classes::ByOptions, |aggregation, layout| {
                let old = SolvedNetwork {
                    part: &old_part,
                    aggregation: old_agg.as_ref(),
                    layout: &old_layout,
                    class_edges: kept.as_ref().map(|(s, e)| (s.as_slice(), e.as_slice())),
                };
                let new = SolvedNetwork { part: &new_part, aggregation, layout, class_edges: None };
                let (basis, fresh) = carry_basis(old, &base.basis, new);
                // The edges listed to price first are new: at their lower
                // bound, and there are some (every case adds edges).
                listed = fresh.len();
                lower = fresh.iter().all(|&k| basis.state[k as usize] == ArcState::Lower);
                Some((Cow::Owned(basis), fresh))
            }).unwrap();
            let cold = solve_matching(&grown, &opts, None).unwrap();
            prop_assert_eq!(warm.objective, cold.objective);
            prop_assert!(warm.stats.warm, "the carried basis was refused");
            prop_assert!(listed > 0 && lower, "new edges to price first: {} listed", listed);

            // Carried by position (the need-level problem lists each need's
            // old edges first, in their order) or through rows by offer (the
            // same problem with its edges reversed): the same states.
            if !aggregate {
                let old_net = SolvedNetwork {
                    part: &old_part,
                    aggregation: None,
                    layout: &old_layout,
                    class_edges: None,
                };
                let by_position = carry_basis(
                    old_net,
                    &base.basis,
                    SolvedNetwork {
                        part: &new_part,
                        aggregation: None,
                        layout: &MatchingNetwork::build(&grown),
                        class_edges: None,
                    },
                );
                let e = grown.edge_count();
                let mut reversed = grown.clone();
                reversed.edge_need.reverse();
                reversed.edge_offer.reverse();
                reversed.edge_weight.reverse();
                let reversed_part = part(reversed.clone(), new_part.offers.clone(), vec![0, 100]);
                let (basis, fresh) = carry_basis(
                    old_net,
                    &base.basis,
                    SolvedNetwork {
                        part: &reversed_part,
                        aggregation: None,
                        layout: &MatchingNetwork::build(&reversed),
                        class_edges: None,
                    },
                );
                let unreversed: Vec<ArcState> = (0..basis.state.len())
                    .map(|a| basis.state[if a < e { e - 1 - a } else { a }])
                    .collect();
                prop_assert_eq!(&by_position.0.state, &unreversed);
                let mut fresh: Vec<u32> = fresh.iter().map(|&k| (e - 1) as u32 - k).collect();
                fresh.sort_unstable();
                prop_assert_eq!(&by_position.1, &fresh);
            }
        }
    }
}
