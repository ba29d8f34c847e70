//! A kept network grown in place by new offers: the warm path of a
//! scenario that adds providers, where they only add offers and edges.
//!
//! A network grown from a base network (`solve::grown_parts`) lists each
//! need's old edges first, in their order, then its new ones, and its new
//! offers and groups after the old ones. When no need joins it and no
//! class splits (the members of each class gain the same new edges: copies
//! of a provider do, one incubated social organization does), its class
//! network is the base one with new offer and group nodes and new arcs
//! inserted. The session's optimal tree is then grown in place
//! ([`Resolver::grow`]): each new group hangs from the sink and each new
//! offer from its group (or the sink) by its own arc, empty; the new class
//! edges are priced first. The tree grows into the resolver the last
//! growth of the same network left ([`Resolver::grow_into`]), whose old
//! arcs are restored from what it logged, not copied. With the base's
//! amounts, the class flows are split near the base's split:
//! only the classes whose arcs the pivots moved split again, and the other
//! needs keep the base's flows and rows. When the old needs', offers' or
//! groups' amounts changed too (more demand, a closure), they are settled
//! first on a copy of the session, by the dual pivots of an amount change,
//! so that the tree to grow is optimal. Otherwise the caller builds the
//! network and carries the basis over (`solve::carry`), which also handles
//! splits and needs newly reached, at the cost of rebuilding the network
//! and its tree.
//!
//! Complexity: O(new class edges) to find the new arcs when the classes
//! are the base's grown alike (else O(class edges) to compare the class
//! problems' edges), O(new arcs + nodes + arcs logged) to grow the tree
//! into the last growth's resolver (O(arcs) the first time, or with
//! changed amounts, after an amount change's re-solve of a spare copy),
//! then the pivots, and O(edges) to move the base's split and check the
//! certificate.

use super::MatchingSession;
use crate::error::Result;
use crate::graph::{BipartiteProblem, MatchingNetwork};
use crate::solve::aggregate::{Aggregation, Inserted};
use crate::solve::aggregate::{GrownSplit, SplitBase, SplitSpare};
use crate::solve::matching::{
    MatchOptions, MatchingSolution, solution_from_flow, solution_from_split,
};
use crate::solve::network_simplex::{ArcFlows, Growth, NewArc, Resolver};
use crate::solve::parts::Part;

impl MatchingSession {
    /// Solves `part`, grown from this session's network (see the module
    /// docs) with `classes` (its classes refined from the session's, or
    /// `None` when not aggregated, and the class edges inserted when they
    /// are the session's grown alike), by growing the session's optimal tree;
    /// `None` when the growth does not fit in place (the caller solves
    /// from a carried basis instead). When the old needs', offers' or
    /// groups' amounts differ from the session's, they are settled first on
    /// a copy from `copy` (dual pivots keep its tree optimal), which is
    /// handed back for its buffers. The tree grows into the buffers of the
    /// resolver in `spare`, if any, which then holds the grown one (for the
    /// next growth's buffers), and the split is written into its edge flow
    /// buffer. `base` is this session's solution: where the amounts are its
    /// own and the classes its own grown alike, the class flows are split
    /// near its split.
    pub(crate) fn solve_grown_in_place(
        &self,
        part: &Part,
        classes: (Option<&Aggregation>, Option<&Inserted>),
        options: &MatchOptions,
        (copy, base): (impl FnOnce() -> MatchingSession, &MatchingSolution),
        spare: &mut GrownSpare,
    ) -> (Option<Result<GrownSolved>>, Option<MatchingSession>) {
        let amounts = match self.old_amounts_in(part) {
            OldAmounts::Other => return (None, None),
            OldAmounts::Same => {
                let solved = self.grow_and_solve(part, classes, options, Some(base), spare);
                return (solved, None);
            }
            OldAmounts::Changed(amounts) => amounts,
        };
        let mut settled = copy();
        settled.set_cancel(options.simplex.cancel.as_ref());
        let fits =
            settled.push_changes(&amounts).is_ok() && settled.resolver.resolve_in_place().is_ok();
        let solved = fits
            .then(|| settled.grow_and_solve(part, classes, options, None, spare))
            .flatten();
        (solved, Some(settled))
    }

    /// [`MatchingSession::solve_grown_in_place`] from this session's tree,
    /// whose amounts are `part`'s for its old needs, offers and groups;
    /// `base` is the solution of that tree, if it is the session's own.
    fn grow_and_solve(
        &self,
        part: &Part,
        (classes, inserted): (Option<&Aggregation>, Option<&Inserted>),
        options: &MatchOptions,
        base: Option<&MatchingSolution>,
        spare: &mut GrownSpare,
    ) -> Option<Result<GrownSolved>> {
        let growth = self.growth_to(part, classes, inserted)?;
        let grow = match spare.resolver.take() {
            Some(buffers) => self.resolver.grow_into(&growth.growth, buffers),
            None => self.resolver.grow(&growth.growth),
        };
        let resolver = spare.resolver.insert(grow.ok()?);
        resolver.set_cancel(options.simplex.cancel.clone());
        let mut sol = match resolver.resolve_in_place() {
            Ok(sol) => sol,
            Err(e) => return Some(Err(e)),
        };
        sol.stats.warm = true;
        let (p, flows) = (&part.problem, resolver.arc_flows());
        let near = match (classes, inserted, base) {
            (Some(grown), Some(_), Some(base)) => {
                let touched = resolver.moved_arcs();
                let buffer = std::mem::take(&mut spare.flow);
                self.split_near(p, grown, flows, (base, touched.as_deref()), buffer)
            }
            _ => None,
        };
        let layout = &growth.layout;
        let Some(split) = near else {
            // Not split near the base: every arc's flow, by the network's
            // numbers (split class by class when the runs are left unwritten).
            let flows = flows.to_vec();
            let solved = match (classes, self.shape.aggregation.as_ref()) {
                (Some(grown), Some(was)) if grown.runs_deferred() => {
                    let e = grown.problem.edge_count();
                    let split = grown.split_deferred(was, p, &flows[..e]);
                    solution_from_split(p, classes, layout, split, sol, options)
                }
                _ => solution_from_flow(p, classes, layout, &flows, sol, options, None),
            };
            return Some(solved.map(|solution| GrownSolved {
                solution,
                moved: None,
            }));
        };
        let flows = (split.flow, split.unserved);
        let solved = solution_from_split(p, classes, layout, flows, sol, options);
        Some(solved.map(|solution| GrownSolved {
            solution,
            moved: Some((split.moved, split.moved_base)),
        }))
    }

    /// The class flows `flows` of `p` (whose classes `grown` are this
    /// session's grown alike) split near `base`, this session's solution
    /// (see `Aggregation::split_grown_near`), into `buffer`; `touched` are
    /// the arcs the re-solve moved, when known.
    fn split_near(
        &self,
        p: &BipartiteProblem,
        grown: &Aggregation,
        flows: ArcFlows<'_>,
        (base, touched): (&MatchingSolution, Option<&[u32]>),
        buffer: Vec<i64>,
    ) -> Option<GrownSplit> {
        let was = self.shape.aggregation.as_ref()?;
        let split_base = SplitBase {
            class_flow: &self.resolver.flows()[..was.problem.edge_count()],
            units: &self.amounts.units,
            edge_flow: &base.edge_flow,
            unserved: &base.unserved,
            spare: SplitSpare::default(),
        };
        let class_flows = flows.prefix(grown.problem.edge_count());
        grown.split_grown_near(p, class_flows, was, (&split_base, touched), buffer)
    }

    /// Whether `part` keeps this session's needs, offers and groups, in
    /// their order and with their groups and floors, before its new offers
    /// and groups, and with which amounts.
    fn old_amounts_in(&self, part: &Part) -> OldAmounts {
        let old = &self.shape.problem;
        let was = &self.amounts;
        let p = &part.problem;
        let (o0, g0) = (old.offer_count(), old.group_capacity.len());
        let fits = !self.broken
            && p.need_count() == old.need_count()
            && p.offer_count() >= o0
            && p.group_capacity.len() >= g0
            && p.offer_group[..o0] == old.offer_group
            && p.unserved_group == old.unserved_group
            && p.unserved_limit.len() == old.unserved_limit.len()
            && p.unserved_parent == old.unserved_parent;
        if !fits {
            return OldAmounts::Other;
        }
        let same = p.units == was.units
            && p.offer_capacity[..o0] == was.offer_capacity
            && p.group_capacity[..g0] == was.group_capacity
            && p.unserved_penalty == was.unserved_penalty
            && p.unserved_limit == was.unserved_limit;
        if same {
            return OldAmounts::Same;
        }
        OldAmounts::Changed(Box::new(BipartiteProblem {
            units: p.units.clone(),
            offer_capacity: p.offer_capacity[..o0].to_vec(),
            offer_group: old.offer_group.clone(),
            group_capacity: p.group_capacity[..g0].to_vec(),
            unserved_penalty: p.unserved_penalty,
            unserved_group: old.unserved_group.clone(),
            unserved_limit: p.unserved_limit.clone(),
            unserved_parent: old.unserved_parent.clone(),
            ..BipartiteProblem::default()
        }))
    }

    /// How this session's network grows into `part`'s (with `classes`;
    /// its old needs', offers' and groups' amounts are the session's), or
    /// `None` when it does not grow in place. `inserted`, when given, lists
    /// the class edges inserted into the session's class problem (the
    /// classes are the session's grown alike): they are not looked for.
    fn growth_to(
        &self,
        part: &Part,
        classes: Option<&Aggregation>,
        inserted: Option<&Inserted>,
    ) -> Option<GrownNetwork> {
        let old = &self.shape.problem;
        let p = &part.problem;
        let (o0, g0) = (old.offer_count(), old.group_capacity.len());
        // The classes must be the old ones, numbered alike.
        let (from, to) = match (self.shape.aggregation.as_ref(), classes) {
            (Some(a), Some(b)) if a.class_of == b.class_of => (&a.problem, &b.problem),
            (None, None) => (old, p),
            _ => return None,
        };
        if self.class_units != to.units {
            return None;
        }
        let layout = MatchingNetwork::layout(to);
        let (n, o1, g1) = (to.need_count(), to.offer_count(), to.group_capacity.len());
        let offer_node = |k: u32| (n as u32) + k;
        let group_node = |k: u32| (n + o1) as u32 + k;
        let from_starts = &self.shape.class_edge_start;
        if !self.shape.class_edges_grouped || from_starts.len() != n + 1 {
            return None;
        }
        let e1 = to.edge_count();
        let new_edges = e1 - from.edge_count().min(e1);
        let mut arcs = Vec::with_capacity(new_edges + (o1 - o0) + (g1 - g0));
        let new_arc = |c: usize, j: usize, (offer, weight): (u32, i64)| NewArc {
            index: j as u32,
            source: c as u32,
            target: offer_node(offer),
            capacity: to.units[c] + 1,
            cost: -weight,
        };
        if let Some(inserted) = inserted.filter(|_| classes.is_some()) {
            // Grown alike: the class problem is the session's with these
            // edges inserted after their classes' runs, their offers and
            // weights kept apart (`refinement_deferred`).
            for (&j, &ends) in inserted.at.iter().zip(&inserted.ends) {
                let j = j as usize;
                if (ends.0 as usize) < o0 {
                    return None;
                }
                arcs.push(new_arc(to.edge_need[j] as usize, j, ends));
            }
        } else {
            let new_arc = |c: usize, j: usize| new_arc(c, j, (to.edge_offer[j], to.edge_weight[j]));
            self.new_class_edges(from, to, &mut arcs, new_arc)?;
        }
        if arcs.len() != new_edges {
            return None;
        }

        // The new offers' and groups' arcs, which hang them: groups first,
        // then their offers. An arc without capacity cannot hang a node (the
        // tree would not be strongly feasible).
        let offer_arc = |k: usize| (layout.offer_arcs + k) as u32;
        let group_arc = |k: usize| (layout.group_arcs + k) as u32;
        for k in o0..o1 {
            arcs.push(NewArc {
                index: offer_arc(k),
                source: offer_node(k as u32),
                target: to.offer_group[k].map_or(layout.sink, group_node),
                capacity: to.offer_capacity[k],
                cost: 0,
            });
        }
        for k in g0..g1 {
            arcs.push(NewArc {
                index: group_arc(k),
                source: group_node(k as u32),
                target: layout.sink,
                capacity: to.group_capacity[k],
                cost: 0,
            });
        }
        if arcs[new_edges..].iter().any(|a| a.capacity == 0) {
            return None;
        }
        let hang: Vec<(u32, u32)> = (g0..g1)
            .map(|k| (group_node(k as u32), group_arc(k)))
            .chain((o0..o1).map(|k| (offer_node(k as u32), offer_arc(k))))
            .collect();
        let nodes = (o0..o1)
            .map(|k| offer_node(k as u32))
            .chain((g0..g1).map(|k| group_node(k as u32)))
            .collect();
        Some(GrownNetwork {
            growth: Growth { nodes, arcs, hang },
            layout,
        })
    }
}

impl MatchingSession {
    /// The new class edges of `to`, grown from this session's class
    /// problem `from`, appended to `arcs` by `new_arc(class, edge)`: each
    /// class's run in `to` is its run in `from` followed by edges to new
    /// offers (both grouped by class; the runs compared as slices). `None`
    /// when `to` is not grown so.
    fn new_class_edges(
        &self,
        from: &BipartiteProblem,
        to: &BipartiteProblem,
        arcs: &mut Vec<NewArc>,
        new_arc: impl Fn(usize, usize) -> NewArc,
    ) -> Option<()> {
        let from_starts = &self.shape.class_edge_start;
        let to_starts = to.grouped_need_starts()?;
        let old_offers = from.offer_count();
        for c in 0..to.need_count() {
            let (f0, f1) = (from_starts[c] as usize, from_starts[c + 1] as usize);
            let (t0, t1) = (to_starts[c] as usize, to_starts[c + 1] as usize);
            let kept = t0 + (f1 - f0);
            if kept > t1
                || from.edge_offer[f0..f1] != to.edge_offer[t0..kept]
                || from.edge_weight[f0..f1] != to.edge_weight[t0..kept]
            {
                return None;
            }
            for j in kept..t1 {
                if (to.edge_offer[j] as usize) < old_offers {
                    return None;
                }
                arcs.push(new_arc(c, j));
            }
        }
        Some(())
    }
}

/// What a grown network's solve leaves for the next growth of the same
/// base network: the grown resolver, and the buffer of a split's edge
/// flows (given back once read).
#[derive(Default)]
pub(crate) struct GrownSpare {
    pub(crate) resolver: Option<Resolver>,
    pub(crate) flow: Vec<i64>,
}

/// A network grown in place and solved.
pub(crate) struct GrownSolved {
    pub(crate) solution: MatchingSolution,
    /// When the class flows were split near the base's: the edges of the
    /// needs split again, with their flows in the base's split (moved to
    /// the grown runs), for the rows (see `rows_near`).
    pub(crate) moved: Option<(Vec<u32>, Vec<i64>)>,
}

/// What a grown network keeps of a session's needs, offers and groups.
enum OldAmounts {
    /// Not them (others, or in another order or grouping).
    Other,
    /// Them, with the amounts last solved.
    Same,
    /// Them with other amounts: a problem of the session's shape with
    /// those (its edges left out: only the amounts are pushed).
    Changed(Box<BipartiteProblem>),
}

/// A session's network grown: how, and the grown layout (its arcs live in
/// the grown resolver).
struct GrownNetwork {
    growth: Growth,
    layout: MatchingNetwork,
}

#[cfg(test)]
mod tests {
    use super::super::DistrictSession;
    use super::super::grown::Network;
    use super::{GrownSolved, GrownSpare};
    use crate::solve::district::Mode;
    use crate::solve::matching::{Classes, MatchOptions, solve_matching};
    use crate::solve::rows::{needed_units, rows_near, rows_of};
    use crate::synthetic::{Knobs, generate};

    /// Copies of providers (their edges alike for every member of a class)
    /// grow every network they reach in place, to the optimum of a cold
    /// solve, certified, with more demand as well (settled on a copy of the
    /// tree first); a copy without capacity cannot hang its offers, and
    /// the networks it reaches take the carried basis. With the base's
    /// amounts, aggregated networks split near the base's split, and their
    /// rows near the base's equal rows read afresh.
    #[test]
    fn copies_of_providers_grow_networks_in_place() {
        let d = generate(&Knobs::preset("small").unwrap(), 3);
        let ix = d.validate().unwrap();
        let mut copies = d.clone();
        for p in d.providers.iter().step_by(5) {
            let mut copy = p.clone();
            copy.id = format!("new-{}", p.id);
            copies.providers.push(copy);
        }
        let mut busier = copies.clone();
        for need in &mut busier.needs {
            need.units += 1;
        }
        let mut empty = copies.clone();
        let last = empty.providers.last_mut().unwrap();
        for offer in &mut last.offers {
            offer.capacity = 0;
        }
        let opts = MatchOptions::default();
        for mode in [Mode::PerCommunity, Mode::Pooled] {
            let session = DistrictSession::new(&ix, mode, &opts).unwrap();
            for (grown, fits, same_amounts) in [
                (&copies, true, true),
                (&busier, true, false),
                (&empty, false, false),
            ] {
                let gx = grown.validate().unwrap();
                let growth = session.graph.growth(&gx).unwrap();
                let units: Vec<i64> = gx.needs.iter().map(|n| n.units).collect();
                let (networks, shares) = session.grown_networks(&gx, &growth, &units).unwrap();
                let (mut in_place, mut split_near, mut aggregated) = (0, 0, 0);
                // Each network grows into the buffers of the one before.
                let mut grown_spare = GrownSpare::default();
                for network in &networks {
                    let Network::Planned(b, plan) = network else {
                        continue;
                    };
                    let base = (&session.parts[*b], &session.need_starts[*b][..]);
                    let grown = plan.grow(&gx, &growth, shares.as_ref(), base);
                    let (part, starts) = (&grown.part, Some(&grown.need_starts[..]));
                    let (classes, inserted) = session.refined_classes(*b, part, starts);
                    let aggregation = match &classes {
                        Classes::Given(a) => a.as_deref(),
                        Classes::ByOptions => None,
                    };
                    let (solved, _) = session.sessions[*b].solve_grown_in_place(
                        part,
                        (aggregation, inserted.as_ref()),
                        &opts,
                        (|| session.session_copy(*b), &session.solutions[*b]),
                        &mut grown_spare,
                    );
                    let Some(solved) = solved else {
                        continue;
                    };
                    let GrownSolved {
                        solution: solved,
                        moved,
                    } = solved.unwrap();
                    aggregated += usize::from(aggregation.is_some());
                    // Rows near the base's equal rows read afresh, but for
                    // their order (a district result sorts them).
                    let needed = needed_units(&gx, std::iter::once(part));
                    if let Some((moved, moved_base)) = &moved {
                        let near = rows_near(
                            &gx,
                            part,
                            &solved,
                            &needed,
                            &session.rows[*b],
                            (moved, |k: usize| moved_base[k]),
                        );
                        let mut fresh = rows_of(&gx, part, &solved, &needed);
                        let mut near_rows = near.assignments.clone();
                        let key = |a: &crate::solve::Assignment| (a.need, a.offer, a.provider);
                        near_rows.sort_by_key(key);
                        fresh.assignments.sort_by_key(key);
                        assert_eq!(near_rows, fresh.assignments, "{mode:?}");
                        assert_eq!(
                            (&near.offers, &near.providers),
                            (&fresh.offers, &fresh.providers)
                        );
                        split_near += 1;
                    }
                    let cold = solve_matching(&part.problem, &opts, None).unwrap();
                    assert_eq!(solved.objective, cold.objective, "{mode:?}");
                    solved.verify(&part.problem).unwrap();
                    assert!(solved.stats.warm && solved.stats.pivots < cold.stats.pivots);
                    in_place += 1;
                }
                let grown_networks = networks
                    .iter()
                    .filter(|n| matches!(n, Network::Planned(..)))
                    .count();
                if fits {
                    assert!(grown_networks > 0, "{mode:?}");
                    assert_eq!(in_place, grown_networks, "{mode:?}");
                    // Split near the base's where the amounts are its own
                    // and the needs aggregated.
                    assert!(aggregated > 0, "{mode:?}");
                    assert_eq!(split_near, if same_amounts { aggregated } else { 0 });
                } else {
                    assert!(in_place < grown_networks, "{mode:?}");
                }
            }
        }
    }
}
