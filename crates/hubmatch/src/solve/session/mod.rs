//! Sessions: solved networks kept with their optimal trees, re-solved after
//! changes of amounts (need units, capacities, coverage limits) — the warm
//! path of a scenario sweep.
//!
//! A [`MatchingSession`] keeps one matching network in a [`Resolver`]: a new
//! problem of the same shape (same edges and weights) is diffed against the
//! last one and only the changed supplies and capacities are pushed into the
//! kept tree, which dual pivots then make feasible again (see
//! `network_simplex::dual`). A [`DistrictSession`] keeps every network of a
//! district in one mode: a scenario that changes amounts only re-solves the
//! networks whose problems changed, each from a copy of the base session (so
//! every scenario starts from the same tree and the answers do not depend on
//! the order or thread count), and reuses the base solution of the others.
//! A scenario that adds providers changes the networks' shape: the session
//! grows its eligibility graph by the new offers' edges, keeps the networks
//! the newcomers do not reach, and solves the others by growing the base
//! tree in place where they only gain offers and edges, else from the base
//! optimum carried over (see `grown`, `in_place` and `solve::carry`).
//!
//! Complexity: a re-solve costs O(edges) to compare shapes and amounts and to
//! copy the kept tree, the pivots, and O(edges) to read out (and certify)
//! the solution; the district adds O(needs + offers) to write the new
//! amounts into its networks (plus the edges of the changed needs, to move
//! the base split of district-level capacity) and O(edges) to assemble the
//! result.

use std::sync::Arc;

use crate::error::{Error, RecordKind, Result, ValidationError};
use crate::graph::{BipartiteProblem, MatchingNetwork};
use crate::solve::aggregate::{Aggregation, SplitBase};
use crate::solve::matching::{
    MatchOptions, MatchingSolution, check_problem, class_network, solution_from_flow,
};
use crate::solve::network_simplex::{CancelFlag, Resolver};
use crate::solve::parts::PartAmounts;

mod district;
mod grown;
mod in_place;
pub use district::DistrictSession;

/// One matching network kept solved, re-solved after amount changes.
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// use hubmatch::solve::{session::MatchingSession, solve_matching, MatchOptions};
/// let p = BipartiteProblem::simple(vec![2, 2], vec![3], &[(0, 0, 5), (1, 0, 7)]);
/// let opts = MatchOptions::default();
/// let (mut session, first) = MatchingSession::new(&p, &opts).unwrap();
/// assert_eq!(first.objective, 19);
/// let mut q = p.clone();
/// q.offer_capacity[0] = 4; // one more unit of capacity
/// let again = session.resolve(&q).unwrap();
/// assert_eq!(again.objective, solve_matching(&q, &opts, None).unwrap().objective);
/// assert_eq!(again.objective, 24);
/// ```
pub struct MatchingSession {
    /// What never changes between re-solves, shared by clones.
    shape: Arc<Shape>,
    /// The amounts last solved.
    amounts: PartAmounts,
    /// Units of each class (each need when not aggregated).
    class_units: Vec<i64>,
    resolver: Resolver,
    options: MatchOptions,
    /// A change failed half-way: the tree no longer matches `amounts`.
    broken: bool,
}

impl Clone for MatchingSession {
    fn clone(&self) -> Self {
        MatchingSession {
            shape: Arc::clone(&self.shape),
            amounts: self.amounts.clone(),
            class_units: self.class_units.clone(),
            resolver: self.resolver.clone(),
            options: self.options.clone(),
            broken: self.broken,
        }
    }

    /// Copies into the buffers of `self`, which a district session keeps
    /// between scenarios: a fresh copy of a large network costs mostly page
    /// faults.
    fn clone_from(&mut self, from: &Self) {
        self.copy_from(from, false);
    }
}

impl MatchingSession {
    /// A copy of `base` to change and re-solve: `spare` (a copy an earlier
    /// scenario used) restored from it, or a fresh clone.
    fn copy_of(base: &MatchingSession, spare: Option<MatchingSession>) -> MatchingSession {
        match spare {
            Some(mut copy) => {
                copy.restore_from(base);
                copy
            }
            None => base.clone(),
        }
    }

    /// Copies `base` into `self`: cheaply when `self` is a copy of it (the
    /// same shape) that has only been re-solved since, as a district
    /// session's spares are.
    fn restore_from(&mut self, base: &MatchingSession) {
        let same = Arc::ptr_eq(&self.shape, &base.shape);
        self.copy_from(base, same);
    }

    /// Every field copied (the destructuring names them all); the resolver
    /// restored when `restore` (see `Resolver::restore_from`).
    fn copy_from(&mut self, from: &MatchingSession, restore: bool) {
        let MatchingSession {
            shape,
            amounts,
            class_units,
            resolver,
            options,
            broken,
        } = from;
        self.shape.clone_from(shape);
        self.amounts.clone_from(amounts);
        self.class_units.clone_from(class_units);
        if restore {
            self.resolver.restore_from(resolver);
        } else {
            self.resolver.clone_from(resolver);
        }
        self.options.clone_from(options);
        self.broken = *broken;
    }
}

/// The fixed part of a session: the problem's structure (its amounts are
/// the first solve's), the need classes, and the network's layout.
struct Shape {
    problem: BipartiteProblem,
    aggregation: Option<Aggregation>,
    /// Edges of each class, in CSR form.
    class_edge_start: Vec<u32>,
    class_edges: Vec<u32>,
    /// Whether the class problem's edges are grouped by class in class
    /// order (`class_edges` is then the identity), as a network grows in
    /// place from (see `in_place`).
    class_edges_grouped: bool,
    /// Whether the problem's edges are grouped by need in need order, as a
    /// grown network's classes refine its (see `Aggregation::refinement`).
    needs_grouped: bool,
    /// The network's layout (its arcs live in the resolver).
    layout: MatchingNetwork,
}

impl MatchingSession {
    /// Solves `p` (from the crash basis, as [`crate::solve::solve_matching`]
    /// does, so the solution is the same) and keeps the optimal tree.
    pub fn new(
        p: &BipartiteProblem,
        options: &MatchOptions,
    ) -> Result<(MatchingSession, MatchingSolution)> {
        let (aggregation, mut layout, crash) = class_network(p, options)?;
        let solved = aggregation.as_ref().map_or(p, |a| &a.problem);
        let mut resolver = Resolver::new(&layout.net, Some(&crash), &options.simplex)?;
        resolver.prepare_amount_changes();
        resolver.set_restart_basis(crash);
        let mut sol = resolver.resolve_in_place()?;
        sol.stats.warm = false;
        layout.net = crate::graph::FlowNetwork::default();
        layout.crash_tree = Vec::new();
        let (class_edge_start, class_edges) = solved.edges_by_need();
        let class_edges_grouped = solved.edge_need.is_sorted();
        let needs_grouped = p.edge_need.is_sorted();
        let class_units = solved.units.clone();
        let solution = solution_from_flow(
            p,
            aggregation.as_ref(),
            &layout,
            resolver.flows(),
            sol,
            options,
            None,
        )?;
        let session = MatchingSession {
            shape: Arc::new(Shape {
                problem: p.clone(),
                aggregation,
                class_edge_start,
                class_edges,
                class_edges_grouped,
                needs_grouped,
                layout,
            }),
            amounts: PartAmounts::of(p),
            class_units,
            resolver,
            options: options.clone(),
            broken: false,
        };
        Ok((session, solution))
    }

    /// Re-solves for `p`, a problem of the same shape as the last one (same
    /// needs, offers, groups, edges and weights) with other amounts: need
    /// units, capacities, unserved limits, the unserved penalty. A problem
    /// of another shape is refused (solve it afresh instead).
    pub fn resolve(&mut self, p: &BipartiteProblem) -> Result<MatchingSolution> {
        self.check_shape(p)?;
        self.resolve_same_shape(p, None)
    }

    /// Sets the flag that stops the next re-solves, in place of the one the
    /// session's options gave (see [`Resolver::set_cancel`]).
    pub(crate) fn set_cancel(&mut self, cancel: Option<&CancelFlag>) {
        self.options.simplex.cancel = cancel.cloned();
        self.resolver.set_cancel(cancel.cloned());
    }

    /// The network's arc flows after the last solve (class level when
    /// needs are aggregated).
    pub(crate) fn flows(&self) -> &[i64] {
        self.resolver.flows()
    }

    /// [`MatchingSession::resolve`] for a problem known to have the
    /// session's shape (built from the session's problem by changing
    /// amounts): its edges are not compared nor checked again.
    /// `base`, when given, is an earlier solution of this shape that the
    /// split of class flows starts from.
    pub(crate) fn resolve_same_shape(
        &mut self,
        p: &BipartiteProblem,
        mut base: Option<&mut SplitBase<'_>>,
    ) -> Result<MatchingSolution> {
        if self.broken {
            return Err(shape_error(
                "is broken by an earlier change that failed half-way; start a new session".into(),
            ));
        }
        check_problem(p, false)?;
        if let Err(e) = self.push_changes(p) {
            // Some changes may have reached the tree, others not.
            self.broken = true;
            return Err(e);
        }
        let mut sol = self.resolver.resolve_in_place()?;
        sol.stats.warm = true;
        if let Some(b) = base.as_deref_mut() {
            b.spare.prepare(self.resolver.moved_arcs().as_deref());
        }
        // The class problem's amounts are not read from here on: only its
        // structure (the split takes the units from `p`).
        solution_from_flow(
            p,
            self.shape.aggregation.as_ref(),
            &self.shape.layout,
            self.resolver.flows(),
            sol,
            &self.options,
            base,
        )
    }

    /// Pushes the differences between `p`'s amounts and the last ones into
    /// the resolver.
    fn push_changes(&mut self, p: &BipartiteProblem) -> Result<()> {
        let shape = &*self.shape;
        let old = &self.amounts;
        let l = &shape.layout;
        let r = &mut self.resolver;
        // Units, summed per class.
        let mut changed_classes = Vec::new();
        for (i, (&u, &was)) in p.units.iter().zip(&old.units).enumerate() {
            if u != was {
                let c = shape
                    .aggregation
                    .as_ref()
                    .map_or(i, |a| a.class_of[i] as usize);
                self.class_units[c] += u - was;
                changed_classes.push(c);
            }
        }
        changed_classes.sort_unstable();
        changed_classes.dedup();
        if !changed_classes.is_empty() {
            for &c in &changed_classes {
                let u = self.class_units[c];
                r.set_supply(c, u)?;
                r.set_capacity(l.unserved_arcs + c, u + 1)?;
                let edges = &shape.class_edges
                    [shape.class_edge_start[c] as usize..shape.class_edge_start[c + 1] as usize];
                for &e in edges {
                    r.set_capacity(e as usize, u + 1)?;
                }
            }
            r.set_supply(l.sink as usize, -self.class_units.iter().sum::<i64>())?;
        }
        let arcs = [
            (l.offer_arcs, &p.offer_capacity, &old.offer_capacity),
            (l.group_arcs, &p.group_capacity, &old.group_capacity),
            (
                l.unserved_group_arcs,
                &p.unserved_limit,
                &old.unserved_limit,
            ),
        ];
        for (first, now, was) in arcs {
            for (k, (&c, &w)) in now.iter().zip(was).enumerate() {
                if c != w {
                    r.set_capacity(first + k, c)?;
                }
            }
        }
        if p.unserved_penalty != old.unserved_penalty {
            for c in 0..self.class_units.len() {
                r.set_cost(l.unserved_arcs + c, p.unserved_penalty)?;
            }
        }
        self.amounts.assign(p);
        Ok(())
    }

    fn check_shape(&self, p: &BipartiteProblem) -> Result<()> {
        let old = &self.shape.problem;
        let same = p.units.len() == old.units.len()
            && p.offer_capacity.len() == old.offer_capacity.len()
            && p.group_capacity.len() == old.group_capacity.len()
            && p.unserved_limit.len() == old.unserved_limit.len()
            && p.edge_need == old.edge_need
            && p.edge_offer == old.edge_offer
            && p.edge_weight == old.edge_weight
            && p.offer_group == old.offer_group
            && p.unserved_group == old.unserved_group
            && p.unserved_parent == old.unserved_parent;
        if same {
            Ok(())
        } else {
            Err(shape_error(
                "differs from the session's in needs, offers, groups, edges or weights".into(),
            ))
        }
    }
}

fn shape_error(problem: String) -> Error {
    ValidationError::new(RecordKind::Network, "session", "shape", problem).into()
}
