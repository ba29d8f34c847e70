//! A district session's answer for the base district with providers added
//! (a newly incubated social organization, a business that joins): the
//! networks change shape. Only the new offers' eligibility is looked for,
//! and kept beside the base graph (`graph::growth`: the grown graph is
//! written out only when networks are built afresh); the networks the new
//! providers leave as they were keep the base solution; the others are
//! grown from the base networks (`solve::grown_parts`: planned first, each
//! grown by the task that solves it), and solved by
//! growing the base session's optimal tree in place when they only gain
//! offers and edges (`in_place`), else from the base optimum carried over
//! (`solve::carry`). A network grown lists its new offers last, so its
//! basis in the result is of that layout, not a fresh build's.
//!
//! Complexity: O(needs + the new offers' candidates) to find their edges,
//! O(needs + the grown networks' edges) to build the networks; each grown
//! network's aggregation, O(arcs) to grow its tree or to start from the
//! carried basis, the primal pivots that bring in the new edges that pay
//! (and dual work where amounts changed too), and O(edges) to read out and
//! certify it.

use std::borrow::Cow;

use super::DistrictSession;
use super::district::{Structure, sector_error};
use super::in_place::GrownSolved;
use crate::error::Result;
use crate::graph::growth::GraphGrowth;
use crate::solve::aggregate::{Aggregation, Inserted};
use crate::solve::carry::{SolvedNetwork, carry_basis};
use crate::solve::district::{MatchResult, Mode, assemble_rows, floors_unmet};
use crate::solve::grown_parts::{
    CommunityReach, GrowPlan, base_needs, community_plans, pooled_plans,
};
use crate::solve::matching::{Classes, MatchOptions, MatchingSolution, solve_matching_from};
use crate::solve::network_simplex::CancelFlag;
use crate::solve::parts::{Part, amounts_on, community_parts_of, parts_on};
use crate::solve::rows::{Rows, needed_units, rows_near, rows_of};
use crate::solve::schedule::largest_first;
use crate::solve::shares::Shares;
use crate::validate::{DistrictIndex, NeedIndex};

impl DistrictSession {
    /// Solves `ix`, the base district with providers appended after the
    /// base's, whose amounts (need units, capacities, quotas) may differ as
    /// well: the eligibility graph grows by the new offers' edges alone,
    /// networks equal to the base's keep the base solution, and the others
    /// are solved from the base optimum's basis carried over. The result is
    /// an optimum of `ix`, certified like [`crate::solve::match_district`]'s
    /// and of the same objective (where several allocations are optimal, it
    /// may pick another). The base's providers must
    /// be those of `ix` but for amounts (eligibility and weights are not
    /// read again for them; what indexes the networks is checked: needs'
    /// communities and categories, providers' homes, shared capacities and
    /// offers, floors); a district of another structure is refused, and
    /// one with sector bounds.
    ///
    /// ```
    /// use hubmatch::solve::{match_district, session::DistrictSession, MatchOptions, Mode};
    /// let mut d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let opts = MatchOptions::default();
    /// let session = DistrictSession::new(&d.validate().unwrap(), Mode::Pooled, &opts).unwrap();
    /// let mut hall = d.providers[0].clone();
    /// hall.id = "gov2".into(); // a second service hall: n2's unmet unit is served
    /// d.providers.push(hall);
    /// let ix = d.validate().unwrap();
    /// let r = session.solve_grown(&ix).unwrap();
    /// assert_eq!(r.objective, match_district(&ix, Mode::Pooled, &opts, None).unwrap().objective);
    /// assert!(r.objective > session.base().objective);
    /// ```
    pub fn solve_grown(&self, ix: &DistrictIndex) -> Result<MatchResult> {
        self.solve_grown_until(ix, None)
    }

    /// [`DistrictSession::solve_grown`] stopped by `cancel` when given, else
    /// by the flags of the session's options.
    pub(crate) fn solve_grown_until(
        &self,
        ix: &DistrictIndex,
        cancel: Option<&CancelFlag>,
    ) -> Result<MatchResult> {
        if !ix.sector_limits.is_empty() {
            return Err(sector_error());
        }
        let shape_error = || {
            super::shape_error(
                "the district is not the session's with providers appended (needs' \
                 communities or categories, the base providers' homes, shared capacities \
                 or offers, or floors differ)"
                    .into(),
            )
        };
        if !self.structure.grown_shape_fits(ix) {
            return Err(shape_error());
        }
        // The needs are compared, and their units kept, in the pass that
        // looks for the new edges (a pass of its own over the need
        // records, 11 MB on district-13, took half a millisecond).
        let (growth, units) = self
            .graph
            .growth_and(ix, |first, needs| self.structure.chunk_units(first, needs))?;
        let Some(units) = units.into_iter().collect::<Option<Vec<_>>>() else {
            return Err(shape_error());
        };
        let units = units.concat();
        let (networks, shares) = self.grown_networks(ix, &growth, &units)?;
        let unmet = floors_unmet(ix, &self.parts);
        // Networks grown by a plan have no floors (plans are made without).
        let needed = needed_units(
            ix,
            networks.iter().filter_map(|n| match n {
                Network::Kept(b) => Some(&self.parts[*b]),
                Network::Grown(part, ..) => Some(&**part),
                Network::Planned(..) => None,
            }),
        );
        let mut options = self.options.clone();
        if let Some(cancel) = cancel {
            options.simplex.cancel = Some(cancel.clone());
        }
        let solved = largest_first(
            &networks,
            // A kept network costs a copy of its rows: last.
            |_, n| match n {
                Network::Kept(_) => 0,
                Network::Grown(part, ..) => part.size(),
                Network::Planned(b, plan) => plan.size(&growth, &self.parts[*b]),
            },
            |_, network| match network {
                Network::Kept(b) => {
                    let (solution, rows) = self.unchanged_network(ix, *b, &needed);
                    Ok((solution, rows, None))
                }
                Network::Grown(part, base, origin) => {
                    let grown = (part.as_ref(), *base, origin);
                    let (solution, rows) = self.solve_network(ix, grown, &needed, &options)?;
                    Ok((solution, rows, None))
                }
                Network::Planned(b, plan) => {
                    // Grown here, while other networks are solved (copying
                    // its edges is most of its growth), and handed back
                    // for the district result.
                    let base = (&self.parts[*b], &self.need_starts[*b][..]);
                    let grown = plan.grow(ix, &growth, shares.as_ref(), base);
                    let origin = Origin::Grown(Some(grown.need_starts));
                    let part = grown.part;
                    let (solution, rows) =
                        self.solve_network(ix, (&part, Some(*b), &origin), &needed, &options)?;
                    Ok((solution, rows, Some(part)))
                }
            },
        )
        .into_iter()
        .collect::<Result<Vec<_>>>()
        .map_err(unmet)?;
        let (mut solutions, mut rows, mut planned) = (Vec::new(), Vec::new(), Vec::new());
        for (solution, network_rows, part) in solved {
            solutions.push(solution);
            rows.push(network_rows);
            planned.push(part);
        }
        // Each network's part: a planned one's as it grew, the others' kept.
        let parts: Vec<&Part> = (networks.iter().zip(&planned))
            .map(|(network, part)| match (network, part) {
                (_, Some(part)) => part,
                (Network::Kept(b) | Network::Planned(b, _), None) => &self.parts[*b],
                (Network::Grown(part, ..), None) => part,
            })
            .collect();
        Ok(assemble_rows(
            ix,
            &growth.no_edge,
            self.mode,
            &parts,
            solutions,
            rows,
        ))
    }

    /// Solves network `part` of a grown district: built afresh or grown
    /// (`origin`) from base network `base`, if any. Where it is the base
    /// network as it was, the base optimum stands; where it grew from it,
    /// it is solved by growing the base's tree in place when that fits,
    /// else from the base optimum carried over.
    fn solve_network(
        &self,
        ix: &DistrictIndex,
        (part, base, origin): (&Part, Option<usize>, &Origin),
        needed: &[i64],
        options: &MatchOptions,
    ) -> Result<(MatchingSolution, Rows)> {
        if let Some(b) = base.filter(|&b| same_network(part, &self.parts[b])) {
            // Untouched by the new providers: the base optimum stands.
            return Ok(self.unchanged_network(ix, b, needed));
        }
        let (grown_from, starts) = match origin {
            Origin::Grown(starts) => (base, starts.as_deref()),
            Origin::Built => (None, None),
        };
        let (mut classes, inserted) = match grown_from {
            Some(b) => self.refined_classes(b, part, starts),
            None => (Classes::ByOptions, None),
        };
        if let Some(b) = grown_from {
            // Grown in place when it fits (`in_place`).
            let aggregation = match &classes {
                Classes::Given(a) => a.as_deref(),
                Classes::ByOptions => None,
            };
            let view = (aggregation, inserted.as_ref());
            if let Some(solved) = self.solve_in_place(b, (ix, part, needed), view, options) {
                return solved;
            }
            // Solved afresh: the class problem is written out in full.
            let base = self.sessions[b].shape.aggregation.as_ref();
            if let (Classes::Given(Some(a)), Some(base), Some(inserted)) =
                (&mut classes, base, &inserted)
            {
                a.write_inserted(base, inserted);
            }
        }
        let solution =
            solve_matching_from(&part.problem, options, classes, |aggregation, layout| {
                let b = base?;
                let shape = &self.sessions[b].shape;
                let old = SolvedNetwork {
                    part: &self.parts[b],
                    aggregation: shape.aggregation.as_ref(),
                    layout: &shape.layout,
                    class_edges: Some((&shape.class_edge_start, &shape.class_edges)),
                };
                let new = SolvedNetwork {
                    part,
                    aggregation,
                    layout,
                    class_edges: None,
                };
                let (basis, fresh) = carry_basis(old, &self.solutions[b].basis, new);
                Some((Cow::Owned(basis), fresh))
            })?;
        let rows = rows_of(ix, part, &solution, needed);
        Ok((solution, rows))
    }

    /// Network `part`, grown from base network `b` with `classes` (see
    /// [`MatchingSession::solve_grown_in_place`]), solved by growing the
    /// base's tree, with its rows (near the base's where its split is);
    /// `None` when it does not grow in place. The buffers come from, and go
    /// back to, the network's spares.
    fn solve_in_place(
        &self,
        b: usize,
        (ix, part, needed): (&DistrictIndex, &Part, &[i64]),
        classes: (Option<&Aggregation>, Option<&Inserted>),
        options: &MatchOptions,
    ) -> Option<Result<(MatchingSolution, Rows)>> {
        let mut spare = self.grown_spare(b);
        let copy = (|| self.session_copy(b), &self.solutions[b]);
        // The certificate is checked below, beside the rows: the last
        // networks to finish leave a thread idle, which can take it then.
        let unverified = MatchOptions {
            verify: false,
            ..options.clone()
        };
        let (solved, copy) =
            self.sessions[b].solve_grown_in_place(part, classes, &unverified, copy, &mut spare);
        if let Some(copy) = copy {
            self.keep_spare(b, copy);
        }
        let solved = solved.map(|solved| {
            let GrownSolved {
                mut solution,
                moved,
            } = solved?;
            let (rows, verified) = rayon::join(
                || match &moved {
                    // Split near the base's: the other needs keep the base's rows.
                    Some((moved, moved_base)) => {
                        let moved = (&moved[..], |k: usize| moved_base[k]);
                        rows_near(ix, part, &solution, needed, &self.rows[b], moved)
                    }
                    None => rows_of(ix, part, &solution, needed),
                },
                || {
                    if !options.verify {
                        return Ok(());
                    }
                    let certified = solution.verify(&part.problem).map(|_| ());
                    certified.map_err(|e| crate::Error::Certificate(e.to_string()))
                },
            );
            verified?;
            // The edge flows are read (certificate, rows): their buffer is
            // kept for the next growth's split.
            spare.flow = std::mem::take(&mut solution.edge_flow);
            Ok((solution, rows))
        });
        self.keep_grown_spare(b, spare);
        solved
    }

    /// The classes of `part`, grown from base network `b`
    /// (`solve::grown_parts`: the old edges of each need come first, in
    /// order), refined from the base's; found as the options say when
    /// they do not aggregate. With them, when they are the base's classes
    /// grown alike, the class edges inserted into the base's class problem,
    /// whose offers and weights the class problem leaves out until it is
    /// solved afresh (see `Aggregation::refinement_deferred`).
    pub(super) fn refined_classes(
        &self,
        b: usize,
        part: &Part,
        starts: Option<&[u32]>,
    ) -> (Classes, Option<Inserted>) {
        if !self.options.aggregate {
            return (Classes::ByOptions, None);
        }
        let base = &self.parts[b];
        let shape = &self.sessions[b].shape;
        let (classes, inserted) = match &shape.aggregation {
            Some(a) => a
                .refinement_deferred(
                    (&base.problem, shape.needs_grouped),
                    (&part.problem, starts),
                    &base_needs(base, part),
                )
                .map_or((None, None), |(a, inserted)| (Some(a), inserted)),
            None => (Aggregation::build(&part.problem), None),
        };
        (Classes::Given(classes.map(Box::new)), inserted)
    }

    /// The networks of `ix` on its grown graph (the base graph and `growth`),
    /// each with the base network it grew from. Without floors, a network whose
    /// needs gained no edge and whose amounts are the base's keeps its base
    /// network, which is not built again (a single new provider homed in one
    /// community leaves twelve of district-13's thirteen as they were); the
    /// others are grown from their base networks (`solve::grown_parts`), unless
    /// (pooled) new offers join networks. Otherwise every network is built, and
    /// those equal to their base network are found when solved.
    pub(super) fn grown_networks(
        &self,
        ix: &DistrictIndex,
        growth: &GraphGrowth<'_>,
        units: &[i64],
    ) -> Result<(Vec<Network>, Option<Shares>)> {
        let floors = self.structure.floors.iter().any(|&f| f);
        let one_each = self.parts.len() == ix.communities.len();
        // The session keeps a split per community only.
        if let Some(base_shares) = self.shares.as_ref().filter(|_| !floors && one_each) {
            // The base split grown by the new offers' edges and moved to
            // `ix`'s amounts: a split afresh would read every edge.
            // Which networks the new edges reach is found meanwhile (the
            // split runs on one thread for most of its 1 ms on district-13).
            let community = |i: usize| self.structure.needs[i].0;
            let ((shares, amounts), reach) = rayon::join(
                || {
                    let shares = base_shares.grown(ix, growth, community);
                    let shares = shares.update(ix, growth, Some(units));
                    let parts = (&self.parts[..], Some(units));
                    let amounts = amounts_on(ix, &growth.first_offer, Some(&shares), parts);
                    (shares, amounts)
                },
                || CommunityReach::of(ix, growth, (self.parts.len(), &self.network_of)),
            );
            let networks = if let Some(amounts) = amounts? {
                planned_or_kept(community_plans(reach, &self.parts, amounts))
            } else {
                let all = vec![true; self.parts.len()];
                let parts = community_parts_of(ix, &growth.graph(), &shares, &all);
                (parts.into_iter().enumerate())
                    .map(|(k, part)| match part {
                        Some(part) => Network::Grown(Box::new(part), Some(k), Origin::Grown(None)),
                        None => Network::Kept(k),
                    })
                    .collect()
            };
            return Ok((networks, Some(shares)));
        }
        if self.mode == Mode::Pooled && !floors {
            let base = (&self.parts[..], &self.network_of[..]);
            if let Some(plans) = pooled_plans(ix, growth, base, Some(units)) {
                return Ok((planned_or_kept(plans), None));
            }
        }
        let parts = parts_on(ix, &growth.graph(), self.mode)?;
        let base_of = self.base_networks(&parts);
        let networks = (parts.into_iter().zip(base_of))
            .map(|(part, base)| Network::Grown(Box::new(part), base, Origin::Built))
            .collect();
        Ok((networks, None))
    }

    /// The base network each of `parts` grew from: the same community's
    /// (per community), or the one holding its first need (pooled: new
    /// offers can only join components). `None` for a network of needs
    /// that had no edge.
    fn base_networks(&self, parts: &[Part]) -> Vec<Option<usize>> {
        match self.mode {
            Mode::PerCommunity => parts
                .iter()
                .map(|p| self.parts.iter().position(|b| b.community == p.community))
                .collect(),
            Mode::Pooled => parts
                .iter()
                .map(|p| {
                    let k = self.network_of[*p.needs.first()? as usize];
                    (k != u32::MAX).then_some(k as usize)
                })
                .collect(),
        }
    }
}

/// A network of a grown district: a base network kept as it was (by its
/// index), one built for the grown district with the base network it grew
/// from, if any, and how it was built, or a base network with the plan
/// that grows it (carried out where the network is solved).
pub(super) enum Network {
    Kept(usize),
    Grown(Box<Part>, Option<usize>, Origin),
    Planned(usize, Box<GrowPlan>),
}

/// How a network of a grown district was built.
pub(super) enum Origin {
    /// On its own.
    Built,
    /// Grown from its base network (`solve::grown_parts`): its classes
    /// refine the base's. With where its needs' runs of edges start, when
    /// known (else they are read off its edges).
    Grown(Option<Vec<u32>>),
}

/// Each base network `k` with its plan (`Some`) or kept as it was (`None`).
fn planned_or_kept(plans: Vec<Option<GrowPlan>>) -> Vec<Network> {
    (plans.into_iter().enumerate())
        .map(|(k, plan)| match plan {
            Some(plan) => Network::Planned(k, Box::new(plan)),
            None => Network::Kept(k),
        })
        .collect()
}

/// Whether `part` is `base` as it was: the same needs, offers, groups and
/// floors in the same order, and the same problem (edges, weights and
/// amounts); its eligibility-graph edge indices may differ.
fn same_network(part: &Part, base: &Part) -> bool {
    part.community == base.community
        && part.needs == base.needs
        && part.offers == base.offers
        && part.groups == base.groups
        && part.floors == base.floors
        && part.problem == base.problem
}

impl Structure {
    /// Whether `ix` is a district of this structure with providers
    /// appended, but for its needs' communities and categories (see
    /// [`Structure::chunk_units`]): its sizes, the base providers' homes,
    /// shared capacities and offers, and its floors.
    pub(super) fn grown_shape_fits(&self, ix: &DistrictIndex) -> bool {
        ix.communities.len() == self.communities
            && ix.categories.len() == self.categories
            && ix.needs.len() == self.needs.len()
            && ix.providers.len() >= self.providers.len()
            && self
                .providers
                .iter()
                .copied()
                .eq(Structure::providers(ix).take(self.providers.len()))
            && self.floors.iter().copied().eq(Structure::floors(ix))
    }

    /// The units of `needs`, the needs from `first` on of a district, when
    /// they have the communities and categories of this structure's needs
    /// there; `None` otherwise. Every chunk of a district's needs `Some`:
    /// its needs are this structure's, and their units are read.
    pub(super) fn chunk_units(&self, first: usize, needs: &[NeedIndex]) -> Option<Vec<i64>> {
        let keys = self.needs.get(first..first + needs.len())?;
        let mut units = Vec::with_capacity(needs.len());
        let mut same = true;
        for (n, &key) in needs.iter().zip(keys) {
            same &= (n.community, n.category) == key;
            units.push(n.units);
        }
        same.then_some(units)
    }
}
