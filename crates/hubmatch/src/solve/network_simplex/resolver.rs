//! Re-solving from a kept tree after cost, capacity and supply changes.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::dual::{DualLimits, DualScratch, Incidence};
use super::order::{ArcFlows, GrownOrder};
use super::{Basis, CancelFlag, FlowSolution, Simplex, SolveOptions};
use crate::error::{Error, Result};
use crate::graph::FlowNetwork;

/// A solver that keeps its basis between solves, for re-solving after cost,
/// capacity and supply changes (scenario sweeps): the network is built and
/// checked once; each [`Resolver::resolve`] starts from the last optimal
/// tree, so a small change costs a few pivots and one pricing pass instead
/// of a full solve. Capacities raised on arcs at their upper bound, when
/// nothing else but costs changed, leave the tree feasible: those arcs are
/// brought in by primal pivots. After other capacity or supply changes to
/// an optimal tree the change is pushed along tree paths and the tree arcs
/// it puts out of bounds leave by dual pivots, which keep the potentials
/// optimal (see the `dual` module). When costs changed as well, or the dual
/// pivots do not settle it, the tree's flows are recomputed (O(nodes + arcs)) and arcs out of
/// bounds leave the tree, their subtrees hanging from artificial arcs that
/// the primal pivots then empty (see `Simplex::init_from`), priced by
/// candidate lists while violations are dense (`Simplex::price_repaired`).
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::network_simplex::{Resolver, SolveOptions};
/// let mut net = FlowNetwork::new(3);
/// net.supply = vec![2, 0, -2];
/// net.add_arc(0, 2, 2, 5);
/// net.add_arc(0, 1, 1, 1);
/// net.add_arc(1, 2, 1, 1);
/// let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
/// assert_eq!(r.resolve().unwrap().cost, 7);
/// r.set_cost(0, 1).unwrap(); // the direct arc becomes cheap
/// let again = r.resolve().unwrap();
/// assert_eq!((again.cost, again.flow.clone()), (2, vec![2, 0, 0]));
/// r.set_capacity(0, 1).unwrap(); // only one unit fits the direct arc now
/// assert_eq!(r.resolve().unwrap().flow, vec![1, 1, 1]);
/// r.set_supply(0, 1).unwrap();
/// r.set_supply(2, -1).unwrap();
/// assert_eq!(r.resolve().unwrap().cost, 1);
/// ```
pub struct Resolver {
    pub(super) simplex: Simplex,
    /// Costs changed since the last solve: potentials must be recomputed.
    pub(super) stale: bool,
    /// How capacity and supply changes since the last solve are absorbed.
    pub(super) amounts: Amounts,
    /// The last solve ended optimal and no cost changed since.
    pub(super) optimal: bool,
    /// Whether the tree is not strongly feasible, if known: after dual
    /// pivots it is worked out (O(nodes)) only when primal pivots are due,
    /// which a sweep's copies, restored from the base each time, never are.
    pub(super) weak: Option<bool>,
    /// Built once, shared by clones (it depends on the arcs alone).
    pub(super) incidence: Option<Arc<Incidence>>,
    scratch: DualScratch,
    /// Where to start again when changes break the kept tree in many places.
    /// Shared by clones (it never changes).
    restart: Option<Arc<Basis>>,
    /// A grown resolver's order (its arcs and nodes numbered otherwise
    /// than its network's, see `order`).
    pub(super) order: Option<GrownOrder>,
    /// Which state of its tree this is: changed by every call that may
    /// change the tree, so that a growth knows whether the resolver it
    /// grows into grew from this very tree (see `Resolver::grow_into`).
    pub(super) generation: u64,
}

/// A number never handed out before (see `Resolver::generation`).
fn fresh_generation() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Clone for Resolver {
    fn clone(&self) -> Self {
        let mut copy = Resolver::around(Simplex::default());
        copy.clone_from(self);
        copy
    }

    /// Copies into the buffers of `self` (see the `copy` module): a sweep
    /// re-solves each scenario from a copy of the same base.
    fn clone_from(&mut self, from: &Self) {
        self.copy_from(from, false);
    }
}

impl Resolver {
    /// [`Clone::clone_from`] for a copy of `base` (made by `clone` or by
    /// this method) that has only been changed and solved since: what the
    /// changes cannot touch is not copied again (see `Simplex::restore_from`).
    pub(crate) fn restore_from(&mut self, base: &Resolver) {
        self.copy_from(base, true);
    }

    /// Every field copied (the destructuring names them all); the simplex
    /// restored from `from` when `restore` (see `Simplex::restore_from`).
    fn copy_from(&mut self, from: &Resolver, restore: bool) {
        let Resolver {
            simplex,
            stale,
            amounts,
            optimal,
            weak,
            incidence,
            scratch,
            restart,
            order,
            generation: _,
        } = from;
        if restore {
            self.simplex.restore_from(simplex);
        } else {
            self.simplex.clone_from(simplex);
        }
        self.stale = *stale;
        self.amounts = *amounts;
        self.optimal = *optimal;
        self.weak = *weak;
        self.incidence.clone_from(incidence);
        self.scratch.clone_from(scratch);
        self.restart.clone_from(restart);
        self.order.clone_from(order);
        self.generation = fresh_generation();
    }

    /// Checks `net` and prepares to solve it from `basis` (or from scratch).
    pub fn new(
        net: &FlowNetwork,
        basis: Option<&Basis>,
        options: &SolveOptions,
    ) -> Result<Resolver> {
        net.check()?;
        let mut simplex = Simplex::new(net, options);
        match basis {
            Some(b) if simplex.init_from(b) => simplex.stats.warm = true,
            _ => simplex.init_cold(),
        }
        Ok(Resolver::around(simplex))
    }

    /// A resolver around `simplex`, with nothing changed or solved yet.
    pub(super) fn around(simplex: Simplex) -> Resolver {
        Resolver {
            simplex,
            stale: false,
            amounts: Amounts::Unchanged,
            optimal: false,
            weak: Some(false),
            incidence: None,
            scratch: DualScratch::default(),
            restart: None,
            order: None,
            generation: fresh_generation(),
        }
    }

    /// Builds now what dual pivots after capacity and supply changes need
    /// (each node's arcs, O(arcs)), so that clones of this resolver share
    /// the work instead of each building it on its first such change.
    /// Growths of this resolver ([`Resolver::grow`]) use it too: their
    /// pivots price only the arcs at the nodes they move.
    pub fn prepare_amount_changes(&mut self) {
        if self.incidence.is_none() {
            self.incidence = Some(Arc::new(Incidence::build(&self.simplex)));
        }
    }

    /// Sets the basis to start from when changes break the kept tree in more
    /// than `2√nodes` places (a crash basis of a matching network, say):
    /// repairing that many arcs costs more pivots than a good start. Without
    /// it the kept tree is always repaired.
    pub fn set_restart_basis(&mut self, mut basis: Basis) {
        if let Some(order) = &self.order {
            let ext = std::mem::take(&mut basis.state);
            basis.state = (0..ext.len()).map(|a| ext[order.ext_arc(a)]).collect();
        }
        self.restart = Some(Arc::new(basis));
        self.generation = fresh_generation();
    }

    /// Sets the flag that stops the next solves (`None`: none stops them),
    /// in place of the one the options gave: a kept resolver can serve calls
    /// that each bring their own.
    ///
    /// ```
    /// use hubmatch::graph::FlowNetwork;
    /// use hubmatch::solve::network_simplex::{Resolver, SolveOptions};
    /// use hubmatch::solve::CancelFlag;
    /// let mut net = FlowNetwork::new(2);
    /// net.supply = vec![1, -1];
    /// net.add_arc(0, 1, 1, 3);
    /// let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
    /// let flag = CancelFlag::default();
    /// r.set_cancel(Some(flag.clone()));
    /// assert_eq!(r.resolve().unwrap().cost, 3); // not cancelled: solves
    /// ```
    pub fn set_cancel(&mut self, cancel: Option<CancelFlag>) {
        self.simplex.cancel = cancel;
    }

    /// Changes the cost of network arc `arc`. Its basis stays primal
    /// feasible, so the next [`Resolver::resolve`] continues from it.
    pub fn set_cost(&mut self, arc: usize, cost: i64) -> Result<()> {
        self.generation = fresh_generation();
        let s = &mut self.simplex;
        if arc >= s.m {
            return Err(invalid(
                format!("arc {arc}"),
                "cost",
                format!("is not an arc (there are {})", s.m),
            ));
        }
        let magnitude = cost.saturating_abs();
        let bound = (s.n as i128 + 1) * (i128::from(magnitude) + 1);
        if bound > i128::from(i64::MAX / 8) {
            return Err(Error::Overflow(format!(
                "cost {cost} is too large for exact potentials"
            )));
        }
        // Keep artificial arcs dearer than any path.
        let art_cost = (s.n as i64 + 1) * (magnitude + 1);
        if art_cost > s.art_cost {
            s.art_cost = art_cost;
            let m = s.m;
            s.cost[m..].fill(art_cost);
        }
        let arc = self.order.as_ref().map_or(arc, |o| o.int_arc(arc));
        s.cost[arc] = cost;
        s.costs_changed = true;
        s.seeds.push(arc as u32);
        self.stale = true;
        self.optimal = false;
        Ok(())
    }

    /// Changes the capacity of network arc `arc` (at least 0).
    pub fn set_capacity(&mut self, arc: usize, capacity: i64) -> Result<()> {
        self.generation = fresh_generation();
        let s = &mut self.simplex;
        if arc >= s.m || capacity < 0 {
            return Err(invalid(
                format!("arc {arc}"),
                "capacity",
                if arc >= s.m {
                    format!("is not an arc (there are {})", s.m)
                } else {
                    format!("must be >= 0, got {capacity}")
                },
            ));
        }
        let arc = self.order.as_ref().map_or(arc, |o| o.int_arc(arc));
        if self.amounts == Amounts::Rebuild {
            s.set_cap(arc, capacity);
        } else if !s.change_capacity(arc, capacity) {
            self.tree_broken();
        }
        Ok(())
    }

    /// Changes the supply of `node` (positive: it sends, negative: it
    /// receives). Supplies must sum to zero again by the next solve.
    pub fn set_supply(&mut self, node: usize, supply: i64) -> Result<()> {
        self.generation = fresh_generation();
        let s = &mut self.simplex;
        if node >= s.n {
            return Err(invalid(
                format!("node {node}"),
                "supply",
                format!("is not a node (there are {})", s.n),
            ));
        }
        let node = self.order.as_ref().map_or(node, |o| o.int_node(node));
        if self.optimal && self.amounts != Amounts::Rebuild {
            let delta = supply.checked_sub(s.supply[node]).ok_or_else(|| {
                Error::Overflow(format!("supply change at node {node} exceeds 64 bits"))
            })?;
            s.push_supply(node, delta);
            self.amounts = Amounts::Pushed;
        } else {
            s.supply[node] = supply;
            self.amounts = Amounts::Rebuild;
        }
        Ok(())
    }

    /// Solves to optimality from the current basis and returns the solution;
    /// its counters are those of this call.
    pub fn resolve(&mut self) -> Result<FlowSolution> {
        let mut out = self.resolve_in_place()?;
        out.flow = self.arc_flows().to_vec();
        Ok(out)
    }

    /// [`Resolver::resolve`] leaving the flows in place (`flow` is empty;
    /// read them with [`Resolver::flows`]): a sweep reads them once, and a
    /// copy of every arc's flow is a tenth of a small re-solve.
    pub(crate) fn resolve_in_place(&mut self) -> Result<FlowSolution> {
        let before = self.simplex.stats;
        self.optimise()?;
        let mut out = self.simplex.solution_without_flow()?;
        if let Some(order) = &self.order {
            let potential = std::mem::take(&mut out.potential);
            order.nodes_outward(&potential, &mut out.potential);
            let state = std::mem::take(&mut out.basis.state);
            order.arcs_outward(&state, &mut out.basis.state);
        }
        out.stats.pivots -= before.pivots;
        out.stats.degenerate -= before.degenerate;
        out.stats.repaired -= before.repaired;
        out.stats.dual_pivots -= before.dual_pivots;
        Ok(out)
    }

    /// Solves to optimality and returns only the optimal cost, without
    /// copying out flows, potentials and basis (for probes that need the
    /// value alone).
    pub fn resolve_cost(&mut self) -> Result<i64> {
        self.optimise()?;
        self.simplex.value()
    }

    /// The flows on the network arcs after the last solve.
    pub(crate) fn flows(&self) -> &[i64] {
        debug_assert!(
            self.order.is_none(),
            "a grown resolver's flows are read by arc_flows"
        );
        &self.simplex.flow[..self.simplex.m]
    }

    /// The flows on the network arcs after the last solve, read by the
    /// network's arc numbers (a grown resolver keeps them in its own order).
    pub(crate) fn arc_flows(&self) -> ArcFlows<'_> {
        ArcFlows::ordered(&self.simplex.flow[..self.simplex.m], self.order.as_ref())
    }

    /// The arcs whose flows may differ from those of the resolver this one
    /// was last copied from (see [`Resolver::restore_from`]) or grown from
    /// (see [`Resolver::grow`]), or `None` when too many to list or moved
    /// wholesale.
    pub(crate) fn moved_arcs(&self) -> Option<Cow<'_, [u32]>> {
        let moved = &self.simplex.moved;
        (!moved.all).then(|| match &self.order {
            None => Cow::Borrowed(&moved.arcs[..]),
            Some(o) => (moved.arcs.iter())
                .map(|&a| o.ext_arc(a as usize) as u32)
                .collect(),
        })
    }

    /// The flow on network arc `arc` after the last solve.
    pub fn flow(&self, arc: usize) -> i64 {
        let arc = self.order.as_ref().map_or(arc, |o| o.int_arc(arc));
        self.simplex.flow_of(arc)
    }

    fn optimise(&mut self) -> Result<()> {
        self.generation = fresh_generation();
        // Local pricing holds for primal pivots from the grown tree alone.
        if self.stale || self.amounts != Amounts::Unchanged || !self.simplex.raised.is_empty() {
            self.simplex.local = None;
        }
        // Raised capacities are brought in by primal pivots from the feasible
        // tree (see `Simplex::pivot_raised`) when no other amount changed:
        // doubling every 100th provider of district-13 re-solved in 63 ms
        // instead of 117 by dual pivots (pooled; 29 instead of 32 per
        // community). Else, or from a tree that is not strongly feasible,
        // they are pushed around the tree and settled by dual pivots like
        // any other change.
        if !self.simplex.raised.is_empty() {
            let weak = *self
                .weak
                .get_or_insert_with(|| !self.simplex.strongly_feasible());
            if (self.amounts == Amounts::Pushed || (weak && !self.stale))
                && !self.simplex.push_raised()
            {
                self.tree_broken();
            }
        }
        let raised = !self.simplex.raised.is_empty();
        // Primal pivots from a tree that is not strongly feasible could cycle.
        let rebuild_weak = (self.stale || raised)
            && *self
                .weak
                .get_or_insert_with(|| !self.simplex.strongly_feasible());
        // An optimal tree whose changes were absorbed without leaving any
        // bound, or that dual pivots made feasible again (they keep every
        // reduced cost's sign), is optimal: no pricing pass is needed.
        let mut settled =
            self.optimal && !self.stale && !raised && self.amounts == Amounts::Unchanged;
        // The kept tree was repaired (not restarted): see `price_repaired`.
        let mut repaired = false;
        if self.amounts != Amounts::Unchanged || rebuild_weak {
            self.set_artificial_capacity()?;
        }
        if self.amounts == Amounts::Pushed {
            if self.stale {
                // Costs changed too: the potentials no longer price optimally.
                self.amounts = Amounts::Rebuild;
            } else {
                let s = &mut self.simplex;
                let incidence = self
                    .incidence
                    .get_or_insert_with(|| Arc::new(Incidence::build(s)));
                let root_n = (s.n as f64).sqrt() as usize;
                // Dual pivots whose ratio tests scan many large subtrees cost
                // more than a repair. Measured: halving two of the 120 offers
                // of a 3,000-need community took 12.8 ms by dual pivots
                // alone, 2.6 ms with this limit; one pooled network's 353
                // dual pivots scanned 260 × its arcs and then failed (66 ms,
                // 17–24 ms with the limit). The `1pct` changes stay within it.
                // Since ratio tests skip the arcs that cannot enter, more
                // broken arcs and pivots pay off: district-13 with every
                // 100th provider closed re-solves in 24 ms instead of 29 per
                // community, 55 instead of 63 pooled (4 × the broken arcs
                // made pooled demand changes slower, 30 ms instead of 25).
                let limits = DualLimits {
                    broken: 3 * root_n / 4 + 12,
                    pivots: 16 * root_n + 64,
                    work: 4 * s.m + s.n,
                };
                self.amounts = if s.dual_phase(incidence, &mut self.scratch, &limits) {
                    self.weak = None;
                    settled = true;
                    Amounts::Unchanged
                } else {
                    Amounts::Rebuild
                };
            }
        }
        if rebuild_weak {
            self.amounts = Amounts::Rebuild;
        }
        if self.amounts == Amounts::Rebuild {
            let s = &mut self.simplex;
            let basis = s.basis();
            let repaired_before = s.stats.repaired;
            s.stats.repaired = 0;
            let limit = match &self.restart {
                Some(_) => 2 * (s.n as f64).sqrt().ceil() as usize,
                None => usize::MAX,
            };
            let kept = s.init_from_repairing(&basis, limit);
            repaired = kept && s.stats.repaired > 0;
            let started = kept || self.restart.as_ref().is_some_and(|r| s.init_from(r));
            if !started {
                s.init_cold();
            }
            s.stats.repaired += repaired_before;
            self.amounts = Amounts::Unchanged;
            self.stale = false;
            self.weak = Some(false);
        }
        let s = &mut self.simplex;
        if self.stale {
            s.recompute_potentials();
            self.stale = false;
        }
        self.optimal = false;
        s.pivot_raised();
        if repaired {
            s.price_repaired()?;
        } else if !settled {
            s.pivot_loop()?;
        }
        self.optimal = true;
        Ok(())
    }

    /// A change left tree arcs out of bounds (or of strong feasibility):
    /// dual pivots settle it from an optimal tree, else the tree's flows
    /// are rebuilt.
    fn tree_broken(&mut self) {
        if self.amounts != Amounts::Rebuild {
            self.amounts = if self.optimal {
                Amounts::Pushed
            } else {
                Amounts::Rebuild
            };
        }
    }

    /// Checks that supplies balance and sizes the artificial arcs to hold
    /// any of them.
    fn set_artificial_capacity(&mut self) -> Result<()> {
        let s = &mut self.simplex;
        let total: i128 = s.supply.iter().map(|&x| i128::from(x)).sum();
        if total != 0 {
            return Err(invalid(
                "network".into(),
                "supply",
                format!("must sum to 0, got {total}"),
            ));
        }
        let held: i128 = s.supply.iter().map(|&x| i128::from(x).abs()).sum::<i128>() + 1;
        let art_cap = i64::try_from(held)
            .ok()
            .filter(|&c| c <= i64::MAX / 4)
            .ok_or_else(|| Error::Overflow(format!("supplies totalling {held} exceed 64 bits")))?;
        let m = s.m;
        s.cap[m..].fill(art_cap);
        Ok(())
    }
}

/// Capacity and supply changes since the last solve.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Amounts {
    Unchanged,
    /// Pushed along the optimal tree: dual pivots are due.
    Pushed,
    /// The tree's flows must be rebuilt from its basis.
    Rebuild,
}

/// A bad change to the network, named by its record and field.
pub(super) fn invalid(record: String, field: &str, problem: String) -> Error {
    Error::Invalid(crate::error::ValidationError::new(
        crate::error::RecordKind::Network,
        record,
        field,
        problem,
    ))
}
