//! A district's networks kept solved in one mode, and each scenario that
//! changes amounts only re-solved from copies of them (see the parent
//! module).

use std::sync::Mutex;

use rayon::prelude::*;

use super::in_place::GrownSpare;
use super::{MatchingSession, shape_error};
use crate::error::{Error, RecordKind, Result, ValidationError};
use crate::graph::EligibilityGraph;
use crate::solve::aggregate::{SplitBase, SplitSpare};
use crate::solve::district::{MatchResult, Mode, assemble_rows, check_graph_fits, floors_unmet};
use crate::solve::grown_parts::network_of_needs;
use crate::solve::matching::{MatchOptions, MatchingSolution};
use crate::solve::network_simplex::CancelFlag;
use crate::solve::parts::{Part, amounts_on, parts_split_by};
use crate::solve::rows::{Rows, needed_units, rows_near, rows_of, rows_of_all};
use crate::solve::schedule::largest_first;
use crate::solve::shares::Shares;
use crate::validate::DistrictIndex;

/// Every network of a district in one mode, kept solved: scenarios that
/// change amounts only (capacities, need units, quotas) re-solve just the
/// networks they change, from the base optimum.
///
/// ```
/// use hubmatch::solve::{match_district, session::DistrictSession, MatchOptions, Mode};
/// let mut d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let opts = MatchOptions::default();
/// let session = DistrictSession::new(&d.validate().unwrap(), Mode::Pooled, &opts).unwrap();
/// assert_eq!(session.base().objective, 290_600);
/// d.providers[0].offers[0].capacity += 1; // gov1: one more administrative slot
/// let ix = d.validate().unwrap();
/// let r = session.solve(&ix).unwrap();
/// assert_eq!(r.objective, match_district(&ix, Mode::Pooled, &opts, None).unwrap().objective);
/// assert_eq!(r.objective, 290_600 + 14_000);
/// ```
pub struct DistrictSession {
    pub(super) graph: EligibilityGraph,
    pub(super) mode: Mode,
    pub(super) options: MatchOptions,
    pub(super) structure: Structure,
    /// The base district's split of district-level capacity (per-community
    /// mode), moved to each scenario's amounts.
    pub(super) shares: Option<Shares>,
    pub(super) parts: Vec<Part>,
    /// Where each need's run of edges starts in each network (see
    /// `BipartiteProblem::grouped_need_starts`; empty when its edges are
    /// not grouped by need): a network grown by a scenario copies its old
    /// runs from there instead of looking for their ends.
    pub(super) need_starts: Vec<Vec<u32>>,
    /// Each need's network (`u32::MAX`: none), for the networks a
    /// scenario's new edges reach.
    pub(super) network_of: Vec<u32>,
    pub(super) sessions: Vec<MatchingSession>,
    /// Copies of each network's part and session that earlier scenarios
    /// used, whose buffers the next ones reuse.
    spares: Vec<Mutex<Spares>>,
    pub(super) solutions: Vec<MatchingSolution>,
    /// Each network's rows of the base result: an unchanged network's stand.
    pub(super) rows: Vec<Rows>,
    base: MatchResult,
}

/// What the networks of a mode are built from besides amounts: the graph
/// aside, needs' communities and categories, providers' homes, shared
/// capacities and offers, and which floors the policy sets.
pub(super) struct Structure {
    pub(super) communities: usize,
    pub(super) categories: usize,
    pub(super) needs: Vec<(usize, usize)>,
    pub(super) providers: Vec<(Option<usize>, bool, usize)>,
    pub(super) floors: Vec<bool>,
}

impl Structure {
    fn of(ix: &DistrictIndex) -> Structure {
        Structure {
            communities: ix.communities.len(),
            categories: ix.categories.len(),
            needs: Structure::needs(ix).collect(),
            providers: Structure::providers(ix).collect(),
            floors: Structure::floors(ix).collect(),
        }
    }

    /// Whether `ix` has as many communities, categories, needs and
    /// providers (what indexes the amounts), in O(1).
    fn sizes_fit(&self, ix: &DistrictIndex) -> bool {
        ix.communities.len() == self.communities
            && ix.categories.len() == self.categories
            && ix.needs.len() == self.needs.len()
            && ix.providers.len() == self.providers.len()
    }

    /// Whether `ix`, whose sizes fit, has this structure (compared in
    /// place, as every scenario is).
    fn fits(&self, ix: &DistrictIndex) -> bool {
        self.same_needs(ix)
            && self.providers.iter().copied().eq(Structure::providers(ix))
            && self.floors.iter().copied().eq(Structure::floors(ix))
    }

    /// Whether `ix`'s needs have these communities and categories:
    /// compared in parallel, as a pass over every need record (11 MB on
    /// district-13) took one thread over half a millisecond.
    pub(super) fn same_needs(&self, ix: &DistrictIndex) -> bool {
        ix.needs.len() == self.needs.len()
            && (ix.needs.par_iter().zip(&self.needs[..]))
                .with_min_len(4096)
                .all(|(n, &need)| (n.community, n.category) == need)
    }

    pub(super) fn needs(ix: &DistrictIndex) -> impl Iterator<Item = (usize, usize)> + '_ {
        ix.needs.iter().map(|n| (n.community, n.category))
    }

    pub(super) fn providers(
        ix: &DistrictIndex,
    ) -> impl Iterator<Item = (Option<usize>, bool, usize)> + '_ {
        ix.providers
            .iter()
            .map(|p| (p.home, p.capacity.is_some(), p.offers.len()))
    }

    pub(super) fn floors(ix: &DistrictIndex) -> impl Iterator<Item = bool> + '_ {
        ix.community_floor
            .iter()
            .chain(&ix.category_floor)
            .map(Option::is_some)
    }
}

impl DistrictSession {
    /// Solves the validated district `ix` in `mode` and keeps its networks.
    /// The base result equals [`crate::solve::match_district`]'s. Sector
    /// bounds are refused here: their networks are solved many times over
    /// by a Lagrangian search (use `match_district` with warm bases).
    pub fn new(ix: &DistrictIndex, mode: Mode, options: &MatchOptions) -> Result<DistrictSession> {
        if !ix.sector_limits.is_empty() {
            return Err(sector_error());
        }
        let graph = EligibilityGraph::build(ix);
        let shares = (mode == Mode::PerCommunity).then(|| Shares::of(ix, &graph));
        let parts = parts_split_by(ix, &graph, shares.as_ref())?;
        let unmet = floors_unmet(ix, &parts);
        let (sessions, solutions): (Vec<_>, Vec<_>) = largest_first(
            &parts,
            |_, p| p.size(),
            |_, part| MatchingSession::new(&part.problem, options).map_err(&unmet),
        )
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
        let refs: Vec<&Part> = parts.iter().collect();
        let rows = rows_of_all(ix, &refs, &solutions);
        let base = assemble_rows(
            ix,
            &graph.no_edge,
            mode,
            &refs,
            solutions.clone(),
            rows.clone(),
        );
        let need_starts = (parts.par_iter())
            .map(|p| p.problem.grouped_need_starts().unwrap_or_default())
            .collect();
        let network_of = network_of_needs(ix.needs.len(), &parts);
        Ok(DistrictSession {
            graph,
            mode,
            options: options.clone(),
            structure: Structure::of(ix),
            shares,
            parts,
            need_starts,
            network_of,
            spares: sessions.iter().map(|_| Mutex::default()).collect(),
            sessions,
            solutions,
            rows,
            base,
        })
    }

    /// The base district's optimal allocation.
    pub fn base(&self) -> &MatchResult {
        &self.base
    }

    /// The eligibility graph of the base district.
    pub fn graph(&self) -> &EligibilityGraph {
        &self.graph
    }

    /// Solves `ix`, a district that differs from the base in amounts only
    /// (need units, capacities, quotas, coverage floors' levels): the
    /// networks are not rebuilt but given the new amounts; those whose
    /// amounts are unchanged keep the base solution, the others are
    /// re-solved from a copy of their base session. A district of another
    /// structure is refused, and one with sector bounds.
    pub fn solve(&self, ix: &DistrictIndex) -> Result<MatchResult> {
        self.solve_until(ix, None)
    }

    /// [`DistrictSession::solve`] stopped by `cancel` (with
    /// [`crate::Error::Cancelled`]) instead of the flag the session's
    /// options gave: a kept session serves calls that each bring their own.
    ///
    /// ```
    /// use hubmatch::solve::{session::DistrictSession, CancelFlag, MatchOptions, Mode};
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let ix = d.validate().unwrap();
    /// let session = DistrictSession::new(&ix, Mode::Pooled, &MatchOptions::default()).unwrap();
    /// let r = session.solve_cancellable(&ix, &CancelFlag::default()).unwrap();
    /// assert_eq!(r.objective, session.base().objective);
    /// ```
    pub fn solve_cancellable(
        &self,
        ix: &DistrictIndex,
        cancel: &CancelFlag,
    ) -> Result<MatchResult> {
        self.solve_until(ix, Some(cancel))
    }

    /// [`DistrictSession::solve`] stopped by `cancel` when given, else by
    /// the flags of the session's options.
    pub(crate) fn solve_until(
        &self,
        ix: &DistrictIndex,
        cancel: Option<&CancelFlag>,
    ) -> Result<MatchResult> {
        if !ix.sector_limits.is_empty() {
            return Err(sector_error());
        }
        check_graph_fits(ix, &self.graph)?;
        // The structure is compared while the amounts are written (both
        // stream over every need; 0.5 and 1.2 ms on district-13 per
        // community). Once the sizes fit, every index the amounts use is in
        // range; the amounts are dropped if the structure differs.
        let (fits, amounts) = if self.structure.sizes_fit(ix) {
            rayon::join(
                || self.structure.fits(ix),
                || {
                    let shares = self.shares.as_ref().map(|s| s.updated(ix, &self.graph));
                    amounts_on(
                        ix,
                        &self.graph.first_offer,
                        shares.as_ref(),
                        (&self.parts, None),
                    )
                },
            )
        } else {
            (false, Ok(None))
        };
        let amounts = if fits { amounts? } else { None };
        let Some(amounts) = amounts else {
            return Err(shape_error(
                "the district differs from the session's in more than amounts (needs' \
                 communities or categories, providers' homes, shared capacities or offers, \
                 floors)"
                    .into(),
            ));
        };
        let unmet = floors_unmet(ix, &self.parts);
        let needed = needed_units(ix, self.parts.iter());
        let changes: Vec<usize> = amounts
            .iter()
            .zip(&self.parts)
            .map(|(a, base)| a.changes_from(&base.problem))
            .collect();
        // The longest re-solves first: a network's grows with its size and
        // with its changes, so they are ordered by size × (1 + changes).
        // Ordering by changes alone ran a small network with many changes
        // before a large one with few: district-13 pooled with every 100th
        // provider closed left two 21 ms re-solves to one thread (57 ms;
        // 50 ms by this product, the most changed community still first per
        // community). Each network's rows are built in its own task, as soon
        // as it is solved.
        let work = |k: usize, base: &Part| base.size().saturating_mul(1 + changes[k]);
        let solved = largest_first(&self.parts, work, |k, base| {
            let amounts = &amounts[k];
            if changes[k] == 0 {
                let (same, rows) = self.unchanged_network(ix, k, &needed);
                return Ok((None, same, rows));
            }
            // A spare part has the base's structure (only amounts
            // change), so only the amounts are written; a spare session
            // gets the base tree copied into its buffers.
            let (part, session, split) = self
                .with_spares(k, |s| (s.parts.pop(), s.sessions.pop(), s.splits.pop()))
                .unwrap_or_default();
            let mut part = part.unwrap_or_else(|| base.clone());
            amounts.apply(&mut part.problem);
            let mut session = MatchingSession::copy_of(&self.sessions[k], session);
            if cancel.is_some() {
                session.set_cancel(cancel);
            }
            // Built from the base part: the session's shape. Classes whose
            // flows and units stay split as in the base solution.
            let base_solution = &self.solutions[k];
            let mut split_base = SplitBase {
                class_flow: self.sessions[k].flows(),
                units: &base.problem.units,
                edge_flow: &base_solution.edge_flow,
                unserved: &base_solution.unserved,
                spare: split.unwrap_or_default(),
            };
            let solution = session.resolve_same_shape(&part.problem, Some(&mut split_base));
            let mut solution = solution.map_err(&unmet)?;
            // Only the edges the split moved are read again, when known.
            let rows = match split_base.spare.moved() {
                Some(moved) => {
                    let base_flow = |j: usize| base_solution.edge_flow[moved[j] as usize];
                    let moved = (moved, base_flow);
                    rows_near(ix, &part, &solution, &needed, &self.rows[k], moved)
                }
                None => rows_of(ix, &part, &solution, &needed),
            };
            // The edge flows are read (rows, certificate): their buffer is
            // kept for the next split, with the session's.
            let mut spare = split_base.spare;
            spare.flow = std::mem::take(&mut solution.edge_flow);
            self.with_spares(k, |s| {
                s.sessions.push(session);
                s.splits.push(spare);
            });
            Ok((Some(part), solution, rows))
        })
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
        let mut changed = Vec::with_capacity(solved.len());
        let mut solutions = Vec::with_capacity(solved.len());
        let mut rows = Vec::with_capacity(solved.len());
        for (part, solution, r) in solved {
            changed.push(part);
            solutions.push(solution);
            rows.push(r);
        }
        let parts: Vec<&Part> = changed
            .iter()
            .zip(&self.parts)
            .map(|(c, base)| c.as_ref().unwrap_or(base))
            .collect();
        let result = assemble_rows(ix, &self.graph.no_edge, self.mode, &parts, solutions, rows);
        for (spares, part) in self.spares.iter().zip(changed) {
            if let (Some(part), Ok(mut spares)) = (part, spares.lock()) {
                spares.parts.push(part);
            }
        }
        Ok(result)
    }
}

impl DistrictSession {
    /// A copy of network `k`'s session to change and re-solve (see
    /// [`MatchingSession::copy_of`]), in the buffers of a spare when one
    /// is kept.
    pub(super) fn session_copy(&self, k: usize) -> MatchingSession {
        let spare = self.with_spares(k, |s| s.sessions.pop()).flatten();
        MatchingSession::copy_of(&self.sessions[k], spare)
    }

    /// Keeps `copy` (of network `k`'s session) for the next scenario's
    /// buffers.
    pub(super) fn keep_spare(&self, k: usize, copy: MatchingSession) {
        self.with_spares(k, |s| s.sessions.push(copy));
    }

    /// What an earlier growth of network `k` left for its buffers (see
    /// `in_place`), or nothing.
    pub(super) fn grown_spare(&self, k: usize) -> GrownSpare {
        let spare = self.with_spares(k, |s| s.grown.pop()).flatten();
        spare.unwrap_or_default()
    }

    /// Keeps `spare` (left by a growth of network `k`) for the next
    /// growth's buffers.
    pub(super) fn keep_grown_spare(&self, k: usize, spare: GrownSpare) {
        self.with_spares(k, |s| s.grown.push(spare));
    }

    /// `f` on network `k`'s spares (`None` if their lock is poisoned: the
    /// buffers are then not reused).
    fn with_spares<R>(&self, k: usize, f: impl FnOnce(&mut Spares) -> R) -> Option<R> {
        self.spares[k].lock().ok().map(|mut spares| f(&mut spares))
    }

    /// Network `k` as the base solved it, for a district that leaves it
    /// unchanged: the base optimum stands, with no pivot, and its rows
    /// too, unless its floors report district-wide units (`needed`).
    pub(super) fn unchanged_network(
        &self,
        ix: &DistrictIndex,
        k: usize,
        needed: &[i64],
    ) -> (MatchingSolution, Rows) {
        let rows = if self.parts[k].floors.is_empty() {
            self.rows[k].clone()
        } else {
            rows_of(ix, &self.parts[k], &self.solutions[k], needed)
        };
        let mut same = without_edge_flows(&self.solutions[k]);
        same.stats.pivots = 0;
        same.stats.degenerate = 0;
        same.stats.dual_pivots = 0;
        same.stats.warm = true;
        (same, rows)
    }
}

/// A copy of `s` without its edge flows, which a district result does not
/// read once the rows are built (each network's would copy megabytes).
fn without_edge_flows(s: &MatchingSolution) -> MatchingSolution {
    let MatchingSolution {
        edge_flow: _,
        unserved,
        objective,
        need_potential,
        offer_potential,
        group_potential,
        unserved_group_potential,
        basis,
        stats,
        classes,
    } = s;
    MatchingSolution {
        edge_flow: Vec::new(),
        unserved: unserved.clone(),
        objective: *objective,
        need_potential: need_potential.clone(),
        offer_potential: offer_potential.clone(),
        group_potential: group_potential.clone(),
        unserved_group_potential: unserved_group_potential.clone(),
        basis: basis.clone(),
        stats: *stats,
        classes: *classes,
    }
}

/// Copies of one network's part and session, and what growths of it
/// left, kept for their buffers.
#[derive(Default)]
struct Spares {
    parts: Vec<Part>,
    sessions: Vec<MatchingSession>,
    splits: Vec<SplitSpare>,
    /// What growths of the network left (see `in_place`).
    grown: Vec<GrownSpare>,
}

pub(super) fn sector_error() -> Error {
    ValidationError::new(
        RecordKind::Policy,
        "policy",
        "sector_bounds",
        "are not supported by a district session; use match_district with warm bases",
    )
    .into()
}
