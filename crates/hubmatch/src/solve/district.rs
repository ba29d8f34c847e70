//! Matching a whole district, in one of two modes.
//!
//! * [`Mode::PerCommunity`] — the baseline without a hub: each community is
//!   solved on its own with its own providers (those whose home it is). A
//!   district-level provider's capacity is split among the communities it
//!   serves: by its quotas when given, otherwise in proportion to each
//!   community's eligible demand, with largest-remainder rounding (ties to
//!   the earlier community). Communities are solved in parallel.
//! * [`Mode::Pooled`] — the hub: one district-wide network in which every
//!   provider serves its whole service area, at the cross-community penalty
//!   when it serves outside its home. Independent connected components are
//!   solved in parallel.
//!
//! Each network is solved by [`solve_matching`]; results are assembled in a
//! fixed order, so they are identical at any thread count.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::graph::eligibility::NoEdge;
use crate::graph::weight::unserved_penalty;
use crate::graph::{BipartiteProblem, EligibilityGraph};
use crate::solve::exchange::objective_of;
use crate::solve::floors::floor_name;
use crate::solve::lagrangian::solve_constrained;
use crate::solve::matching::{MatchOptions, MatchingSolution, solve_matching};
use crate::solve::network_simplex::Basis;
use crate::solve::parts::parts_on;
pub use crate::solve::parts::{Part, mode_parts};
use crate::solve::rows::{Rows, rows_of_all};
use crate::solve::schedule::largest_first;
use crate::solve::sectors::{SectorUse, limit_name, sector_terms, sector_uses};
use crate::validate::DistrictIndex;

/// Matching mode.
///
/// ```
/// use hubmatch::solve::Mode;
/// assert_eq!(Mode::parse("per-community"), Some(Mode::PerCommunity));
/// assert_eq!(Mode::Pooled.as_str(), "pooled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Each community alone (no hub).
    PerCommunity,
    /// One pooled district (the hub).
    Pooled,
}

impl Mode {
    /// `"per_community"` or `"pooled"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::PerCommunity => "per_community",
            Mode::Pooled => "pooled",
        }
    }

    /// Parses `pooled`, `per_community` or `per-community`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "pooled" => Some(Mode::Pooled),
            "per_community" | "per-community" => Some(Mode::PerCommunity),
            _ => None,
        }
    }
}

/// Why units of a need were left unserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmetReason {
    /// No offer passes the eligibility rules (in this mode).
    NoEligibleProvider,
    /// Eligible offers exist, but their capacity went to needs of higher value.
    CapacityExhausted,
    /// Eligible offers exist, but serving would cost more than it is worth.
    NotWorthServing,
}

impl UnmetReason {
    /// The reason code used in files.
    ///
    /// ```
    /// assert_eq!(hubmatch::solve::UnmetReason::CapacityExhausted.as_str(), "capacity_exhausted");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            UnmetReason::NoEligibleProvider => "no_eligible_provider",
            UnmetReason::CapacityExhausted => "capacity_exhausted",
            UnmetReason::NotWorthServing => "not_worth_serving",
        }
    }
}

/// Units of a need served by one offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Need index.
    pub need: u32,
    /// Provider index.
    pub provider: u32,
    /// Offer index within the provider.
    pub offer: u32,
    /// Units served.
    pub units: i64,
    /// Weight per unit (thousandths of a point).
    pub weight: i64,
    /// Whether the provider serves outside its home community.
    pub cross: bool,
}

/// Unserved units of a need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmet {
    /// Need index.
    pub need: u32,
    /// Units left unserved.
    pub units: i64,
    /// Why.
    pub reason: UnmetReason,
}

/// Use of one offer's capacity (in per-community mode, of one community's share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferUse {
    /// Provider index.
    pub provider: u32,
    /// Offer index within the provider.
    pub offer: u32,
    /// The community whose share this is (per-community mode), or `None`.
    pub community: Option<u32>,
    /// Capacity available.
    pub capacity: i64,
    /// Units used.
    pub used: i64,
    /// Dual value of one more unit of this capacity (thousandths of a point).
    pub potential: i64,
}

/// Use of one provider's shared capacity (only providers that have one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderUse {
    /// Provider index.
    pub provider: u32,
    /// The community whose share this is (per-community mode), or `None`.
    pub community: Option<u32>,
    /// Shared capacity available.
    pub capacity: i64,
    /// Units used.
    pub used: i64,
    /// Dual value of one more unit of this capacity (thousandths of a point).
    pub potential: i64,
}

/// A coverage floor and how the allocation meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorUse {
    /// Community index.
    pub community: u32,
    /// Category index, or `None` for the whole community.
    pub category: Option<u32>,
    /// Units needed.
    pub needed: i64,
    /// Units that must be served: ⌈floor × needed⌉.
    pub required: i64,
    /// Units served.
    pub served: i64,
    /// Dual of the floor (thousandths of a point): what lowering the
    /// requirement by one unit would add to the objective; positive when the
    /// floor binds.
    pub potential: i64,
}

/// Solver counters summed over the networks of a district.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchStats {
    /// Networks solved (communities or components).
    pub networks: usize,
    /// Needs in all networks.
    pub needs: usize,
    /// Need classes after aggregation.
    pub classes: usize,
    /// Eligibility edges in all networks.
    pub edges: usize,
    /// Simplex pivots.
    pub pivots: u64,
    /// Networks that started from a given basis.
    pub warm: usize,
}

/// The optimal allocation of a district in one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The mode solved.
    pub mode: Mode,
    /// Total weight served minus unserved penalties (thousandths of a point).
    pub objective: i64,
    /// Units served, by need then provider.
    pub assignments: Vec<Assignment>,
    /// Units unserved, by need.
    pub unmet: Vec<Unmet>,
    /// Offer utilisation and duals.
    pub offers: Vec<OfferUse>,
    /// Shared-capacity utilisation and duals.
    pub providers: Vec<ProviderUse>,
    /// Dual value of each need (thousandths of a point): what one more unit
    /// of it would add to the objective at the margin.
    pub need_potential: Vec<i64>,
    /// The coverage floors of the policy and how they are met.
    pub floors: Vec<FloorUse>,
    /// The sector bounds of the policy and how they are met.
    #[serde(default)]
    pub sectors: Vec<SectorUse>,
    /// With sector bounds: a proven upper bound on the optimum; the
    /// allocation is optimal when it equals `objective` (see
    /// [`crate::solve::lagrangian`]). `None` without sector bounds, where the
    /// certificate proves `objective` optimal.
    #[serde(default)]
    pub upper_bound: Option<i64>,
    /// Counters.
    pub stats: MatchStats,
    /// Optimal bases of the networks solved, to warm-start a scenario.
    pub bases: Vec<Basis>,
}

/// Matches a validated district in `mode`, optionally warm-starting each
/// network from the bases of an earlier result of the same district shape.
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let pooled = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// let alone = match_district(&ix, Mode::PerCommunity, &MatchOptions::default(), None).unwrap();
/// assert!(pooled.objective >= alone.objective);
/// ```
pub fn match_district(
    ix: &DistrictIndex,
    mode: Mode,
    options: &MatchOptions,
    warm: Option<&[Basis]>,
) -> Result<MatchResult> {
    match_district_on(ix, &EligibilityGraph::build(ix), mode, options, warm)
}

/// [`match_district`] on a prebuilt eligibility graph: the graph of `ix`,
/// or of a district that differs from it only in amounts (need units,
/// capacities, quotas), which neither eligibility nor weights depend on —
/// so a scenario sweep builds the graph once. A graph of another shape is
/// refused.
///
/// ```
/// use hubmatch::graph::EligibilityGraph;
/// use hubmatch::solve::{district::match_district_on, MatchOptions, Mode};
/// let mut d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let graph = EligibilityGraph::build(&d.validate().unwrap());
/// d.providers[0].offers[0].capacity += 1; // gov1: one more administrative slot
/// let r = match_district_on(&d.validate().unwrap(), &graph, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// assert_eq!(r.objective, 290_600 + 14_000); // n2's second unit
/// ```
pub fn match_district_on(
    ix: &DistrictIndex,
    graph: &EligibilityGraph,
    mode: Mode,
    options: &MatchOptions,
    warm: Option<&[Basis]>,
) -> Result<MatchResult> {
    check_graph_fits(ix, graph)?;
    let mut parts = parts_on(ix, graph, mode)?;
    let floors_unmet = floors_unmet(ix, &parts);
    if ix.sector_limits.is_empty() {
        let solutions: Vec<MatchingSolution> = largest_first(
            &parts,
            |_, p| p.size(),
            |k, part| {
                solve_matching(&part.problem, options, warm.and_then(|w| w.get(k)))
                    .map_err(&floors_unmet)
            },
        )
        .into_iter()
        .collect::<Result<_>>()?;
        let parts: Vec<&Part> = parts.iter().collect();
        return Ok(assemble(ix, graph, mode, &parts, solutions));
    }
    let terms = sector_terms(ix, &parts);
    // The problems leave their parts for the search and come back after.
    let problems: Vec<BipartiteProblem> = parts
        .iter_mut()
        .map(|p| std::mem::take(&mut p.problem))
        .collect();
    let relaxed = MatchOptions {
        verify: false,
        ..options.clone()
    };
    let solved = solve_constrained(&problems, &terms, &relaxed, warm);
    for (part, problem) in parts.iter_mut().zip(problems) {
        part.problem = problem;
    }
    let c = solved.map_err(&floors_unmet)?;
    if !c.feasible() {
        let unmet: Vec<String> = ix
            .sector_limits
            .iter()
            .zip(&c.allocation.values)
            .filter(|&(_, &g)| g < 0)
            .map(|(l, _)| limit_name(ix, l))
            .collect();
        return Err(crate::Error::Infeasible(format!(
            "{} cannot be met together with the coverage floors and the other bounds",
            unmet.join("; ")
        )));
    }
    let gap = c.gap();
    // The allocation with the duals (and bases) of the best bound's relaxed
    // optima: the duals are what proves the bound.
    let mut allocation = c.allocation;
    let solutions: Vec<MatchingSolution> = c
        .bound
        .into_iter()
        .enumerate()
        .map(|(k, mut s)| {
            s.edge_flow = std::mem::take(&mut allocation.edge_flow[k]);
            s.unserved = std::mem::take(&mut allocation.unserved[k]);
            s.objective = objective_of(&parts[k].problem, &s.edge_flow, &s.unserved);
            s
        })
        .collect();
    let refs: Vec<&Part> = parts.iter().collect();
    let mut result = assemble(ix, graph, mode, &refs, solutions);
    result.upper_bound = Some(result.objective + gap);
    result.sectors = sector_uses(ix, &result.assignments, &c.multipliers);
    // The relaxed solves skipped their certificates; this one covers the
    // answer: a feasible allocation meeting the bounds, and the duals' bound.
    if options.verify {
        result.verify(ix)?;
    }
    Ok(result)
}

/// Refuses an eligibility graph that is not of `ix`'s shape.
pub(crate) fn check_graph_fits(ix: &DistrictIndex, graph: &EligibilityGraph) -> Result<()> {
    let offers: usize = ix.providers.iter().map(|p| p.offers.len()).sum();
    let fits = graph.offers.iter().all(|&(p, o)| {
        ix.providers
            .get(p as usize)
            .is_some_and(|pr| (o as usize) < pr.offers.len())
    });
    if graph.needs != ix.needs.len() || graph.offers.len() != offers || !fits {
        return Err(crate::Error::Invalid(crate::error::ValidationError::new(
            crate::error::RecordKind::Network,
            "eligibility graph",
            "shape",
            format!(
                "has {} needs and {} offers, the district {} and {offers}",
                graph.needs,
                graph.offers.len(),
                ix.needs.len()
            ),
        )));
    }
    Ok(())
}

/// Names the coverage floors of `parts` in an infeasibility: only the floors
/// can make a matching network infeasible.
pub(crate) fn floors_unmet(
    ix: &DistrictIndex,
    parts: &[Part],
) -> impl Fn(crate::Error) -> crate::Error + use<> {
    let floors: Vec<String> = parts
        .iter()
        .flat_map(|p| p.floors.iter())
        .map(|&(c, k)| format!("{:?}", floor_name(ix, c, k)))
        .collect();
    move |e| match e {
        crate::Error::Infeasible(_) => crate::Error::Infeasible(format!(
            "the coverage floors of {} cannot all be met with the eligible capacity",
            floors.join(", ")
        )),
        other => other,
    }
}

/// The district result from the solutions of its networks. Each network's
/// rows are built in parallel, then merged in network order and sorted
/// stably, so the order is the same at any thread count.
pub(crate) fn assemble(
    ix: &DistrictIndex,
    graph: &EligibilityGraph,
    mode: Mode,
    parts: &[&Part],
    solutions: Vec<MatchingSolution>,
) -> MatchResult {
    let rows = rows_of_all(ix, parts, &solutions);
    assemble_rows(ix, &graph.no_edge, mode, parts, solutions, rows)
}

/// [`assemble`] from each network's rows, built already by [`rows_of`],
/// and why each need without an edge in the district's graph has none.
pub(crate) fn assemble_rows(
    ix: &DistrictIndex,
    no_edge: &[Option<NoEdge>],
    mode: Mode,
    parts: &[&Part],
    solutions: Vec<MatchingSolution>,
    rows: Vec<Rows>,
) -> MatchResult {
    let count = |f: fn(&Rows) -> usize| rows.iter().map(f).sum::<usize>();
    let mut assignments = Vec::with_capacity(count(|r| r.assignments.len()));
    let mut offers = Vec::with_capacity(count(|r| r.offers.len()));
    let mut providers = Vec::with_capacity(count(|r| r.providers.len()));
    let mut floors: Vec<FloorUse> = Vec::with_capacity(count(|r| r.floors.len()));
    let mut assignment_lists = Vec::with_capacity(rows.len());
    for r in rows {
        assignment_lists.push(r.assignments);
        offers.extend(r.offers);
        providers.extend(r.providers);
        floors.extend(r.floors);
    }
    // Three independent jobs (1.5 ms in a row on district-13 per
    // community, a tenth of a scenario's re-solve): the assignments, the
    // needs' values, and the offers' and providers' use.
    let (assignments, ((objective, stats, need_potential, unmet, bases), (offers, providers))) =
        rayon::join(
            || {
                for list in assignment_lists {
                    assignments.extend(list);
                }
                sort_by_key(&mut assignments, |a| (a.need, a.provider, a.offer));
                assignments
            },
            || {
                rayon::join(
                    || need_values(ix, no_edge, parts, solutions),
                    || {
                        sort_by_key(&mut offers, |o| (o.provider, o.offer, o.community));
                        sort_by_key(&mut providers, |p| (p.provider, p.community));
                        (offers, providers)
                    },
                )
            },
        );
    floors.sort_by_key(|f| (f.community, f.category));
    MatchResult {
        mode,
        objective,
        assignments,
        unmet,
        offers,
        providers,
        need_potential,
        floors,
        sectors: Vec::new(),
        upper_bound: None,
        stats,
        bases,
    }
}

/// Sorts `rows` by `key` (stable), unless they are in order already: each
/// network lists its rows in order, and networks often follow one another
/// in district order (communities' needs in a row), where a parallel sort
/// still moved every row (a millisecond of a re-solve on district-13).
fn sort_by_key<T: Send, K: Ord>(rows: &mut [T], key: impl Fn(&T) -> K + Sync) {
    if !rows.is_sorted_by_key(&key) {
        rows.par_sort_by_key(key);
    }
}

/// Needs per chunk of the unmet list (see `need_values`).
const CHUNK: usize = 8192;

/// The objective, counters, needs' potentials, unmet units and bases of a
/// district result from its networks' solutions.
fn need_values(
    ix: &DistrictIndex,
    no_edge: &[Option<NoEdge>],
    parts: &[&Part],
    solutions: Vec<MatchingSolution>,
) -> (i64, MatchStats, Vec<i64>, Vec<Unmet>, Vec<Basis>) {
    let n = ix.needs.len();
    let mut served_in = vec![false; n];
    // A need in a network takes its unserved units from there; the need
    // records (176 bytes each) are read only for the others.
    let mut unserved: Vec<i64> = vec![0; n];
    // A need outside every network would stay unserved: one more unit costs the penalty.
    let mut need_potential = vec![-unserved_penalty(ix); n];
    let mut stats = MatchStats {
        networks: parts.len(),
        ..MatchStats::default()
    };
    let mut objective: i64 = 0;
    let mut bases = Vec::with_capacity(parts.len());
    for (part, sol) in parts.iter().zip(solutions) {
        objective += sol.objective;
        stats.needs += part.needs.len();
        stats.classes += sol.classes;
        stats.edges += part.problem.edge_count();
        stats.pivots += sol.stats.pivots;
        stats.warm += usize::from(sol.stats.warm);
        for (li, &i) in part.needs.iter().enumerate() {
            served_in[i as usize] = true;
            unserved[i as usize] = sol.unserved[li];
            need_potential[i as usize] = sol.need_potential[li];
        }
        bases.push(sol.basis);
    }
    // Unserved units count against the objective only when penalised; needs
    // outside every network are charged here. In chunks of needs, in
    // parallel, joined in need order (the assembly's other jobs took a
    // third of its time on district-13).
    let penalty = unserved_penalty(ix);
    let chunks: Vec<(i64, Vec<Unmet>)> = (unserved.par_chunks(CHUNK).enumerate())
        .map(|(k, unserved)| {
            let (mut charged, mut unmet) = (0i64, Vec::new());
            for (j, &left) in unserved.iter().enumerate() {
                let i = k * CHUNK + j;
                let units = if served_in[i] {
                    left
                } else {
                    charged += penalty * ix.needs[i].units;
                    ix.needs[i].units
                };
                if units == 0 {
                    continue;
                }
                let reason = match (no_edge[i], served_in[i]) {
                    (Some(NoEdge::NotWorthServing), _) => UnmetReason::NotWorthServing,
                    (Some(NoEdge::NoEligibleProvider), _) | (None, false) => {
                        UnmetReason::NoEligibleProvider
                    }
                    (None, true) => UnmetReason::CapacityExhausted,
                };
                unmet.push(Unmet {
                    need: i as u32,
                    units,
                    reason,
                });
            }
            (charged, unmet)
        })
        .collect();
    let mut unmet = Vec::with_capacity(chunks.iter().map(|c| c.1.len()).sum());
    for (charged, chunk) in chunks {
        objective -= charged;
        unmet.extend(chunk);
    }
    (objective, stats, need_potential, unmet, bases)
}
