//! Optimal max-weight b-matching: a [`BipartiteProblem`] solved exactly by the
//! network simplex, with exact aggregation of interchangeable needs.
//!
//! Complexity: O(E log d) to aggregate, then one network simplex run on the
//! class network (see [`super::network_simplex`]), then O(E) to split back.

use crate::error::{RecordKind, Result, ValidationError};
use crate::graph::network::MAX_CAPACITY;
use crate::graph::{BipartiteProblem, MatchingNetwork};
use crate::solve::aggregate::{Aggregation, SplitBase};
use crate::solve::certificate::{Certificate, CertificateError};
pub use crate::solve::matching_certificate::{check_bound, verify_matching};
use crate::solve::network_simplex::{self, Basis, SolveOptions, SolveStats};

/// Largest absolute edge weight or penalty accepted.
pub const MAX_WEIGHT: i64 = 1 << 50;

/// Options of a matching solve.
///
/// ```
/// let opts = hubmatch::solve::MatchOptions::default();
/// assert!(opts.aggregate);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOptions {
    /// Merge interchangeable needs before solving (exact; on by default).
    pub aggregate: bool,
    /// Options of the network simplex.
    pub simplex: SolveOptions,
    /// Check every solution's optimality certificate before returning it
    /// (O(edges); on by default).
    pub verify: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            aggregate: true,
            simplex: SolveOptions::default(),
            verify: true,
        }
    }
}

/// An optimal matching with its dual proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchingSolution {
    /// Units on each edge, in the problem's edge order.
    pub edge_flow: Vec<i64>,
    /// Units left unserved of each need.
    pub unserved: Vec<i64>,
    /// Total weight served minus the unserved penalty: `Σ w·x − P·unserved`.
    pub objective: i64,
    /// Dual value of each need: what one more unit of it is worth (α).
    pub need_potential: Vec<i64>,
    /// Dual value of each offer's capacity: what one more unit of it is worth.
    pub offer_potential: Vec<i64>,
    /// Dual value of each group's shared capacity.
    pub group_potential: Vec<i64>,
    /// Dual value of each unserved group's limit: what allowing one more
    /// unserved unit would add (the marginal price of a coverage floor).
    pub unserved_group_potential: Vec<i64>,
    /// The optimal basis of the network solved (the class network when
    /// aggregated), to warm-start a related solve.
    pub basis: Basis,
    /// Simplex counters.
    pub stats: SolveStats,
    /// Number of need classes solved (equal to the needs when not aggregated).
    pub classes: usize,
}

pub(crate) fn check(p: &BipartiteProblem) -> Result<()> {
    check_problem(p, true)
}

/// Checks `p`, its edges one by one only with `edges` (a session skips
/// them: they equal those of a problem it checked).
pub(crate) fn check_problem(p: &BipartiteProblem, edges: bool) -> Result<()> {
    let bad = |kind, record: String, field: &str, problem: String| -> crate::Error {
        ValidationError::new(kind, record, field, problem).into()
    };
    let (n, o, g) = (p.need_count(), p.offer_count(), p.group_capacity.len());
    if p.offer_group.len() != o {
        return Err(bad(
            RecordKind::GraphProvider,
            "offers".into(),
            "group",
            "must be given for every offer".into(),
        ));
    }
    for (i, &u) in p.units.iter().enumerate() {
        if !(1..=MAX_CAPACITY).contains(&u) {
            return Err(bad(
                RecordKind::GraphNeed,
                format!("#{i}"),
                "units",
                format!("must be between 1 and {MAX_CAPACITY}, got {u}"),
            ));
        }
    }
    for (k, &c) in p.offer_capacity.iter().enumerate() {
        if !(0..=MAX_CAPACITY).contains(&c) {
            return Err(bad(
                RecordKind::GraphProvider,
                format!("#{k}"),
                "capacity",
                format!("must be between 0 and {MAX_CAPACITY}, got {c}"),
            ));
        }
        if let Some(grp) = p.offer_group[k] {
            if grp as usize >= g {
                return Err(bad(
                    RecordKind::GraphProvider,
                    format!("#{k}"),
                    "group",
                    format!("{grp} is not a group (there are {g})"),
                ));
            }
        }
    }
    for (k, &c) in p.group_capacity.iter().enumerate() {
        if !(0..=MAX_CAPACITY).contains(&c) {
            return Err(bad(
                RecordKind::GraphProvider,
                format!("group #{k}"),
                "capacity",
                format!("must be between 0 and {MAX_CAPACITY}, got {c}"),
            ));
        }
    }
    if p.edge_offer.len() != p.edge_need.len() || p.edge_weight.len() != p.edge_need.len() {
        return Err(bad(
            RecordKind::GraphEdge,
            "edges".into(),
            "length",
            "need, provider and weight arrays must have equal lengths".into(),
        ));
    }
    for k in 0..if edges { p.edge_count() } else { 0 } {
        let (i, j, w) = (p.edge_need[k], p.edge_offer[k], p.edge_weight[k]);
        if i as usize >= n {
            return Err(bad(
                RecordKind::GraphEdge,
                format!("#{k}"),
                "need",
                format!("{i} is out of range (there are {n} needs)"),
            ));
        }
        if j as usize >= o {
            return Err(bad(
                RecordKind::GraphEdge,
                format!("#{k}"),
                "provider",
                format!("{j} is out of range (there are {o} providers)"),
            ));
        }
        if w.saturating_abs() > MAX_WEIGHT {
            return Err(bad(
                RecordKind::GraphEdge,
                format!("#{k}"),
                "weight",
                format!("must be within ±{MAX_WEIGHT}, got {w}"),
            ));
        }
    }
    if !(0..=MAX_WEIGHT).contains(&p.unserved_penalty) {
        return Err(bad(
            RecordKind::GraphNeed,
            "all".into(),
            "unserved_penalty",
            format!(
                "must be between 0 and {MAX_WEIGHT}, got {}",
                p.unserved_penalty
            ),
        ));
    }
    let h = p.unserved_limit.len();
    if !(p.unserved_group.is_empty() || p.unserved_group.len() == n) || p.unserved_parent.len() > h
    {
        return Err(bad(
            RecordKind::GraphNeed,
            "unserved groups".into(),
            "length",
            "must match the needs and groups".into(),
        ));
    }
    for (i, g) in p.unserved_group.iter().enumerate() {
        if g.is_some_and(|g| g as usize >= h) {
            return Err(bad(
                RecordKind::GraphNeed,
                format!("#{i}"),
                "unserved_group",
                format!("must be below {h}"),
            ));
        }
    }
    for k in 0..h {
        if !(0..=MAX_CAPACITY).contains(&p.unserved_limit[k]) {
            return Err(bad(
                RecordKind::GraphNeed,
                format!("unserved group #{k}"),
                "limit",
                format!(
                    "must be between 0 and {MAX_CAPACITY}, got {}",
                    p.unserved_limit[k]
                ),
            ));
        }
        if p.unserved_parent
            .get(k)
            .copied()
            .flatten()
            .is_some_and(|q| q as usize <= k || q as usize >= h)
        {
            return Err(bad(
                RecordKind::GraphNeed,
                format!("unserved group #{k}"),
                "parent",
                "must be a later group".into(),
            ));
        }
    }
    Ok(())
}

/// Solves a matching problem to optimality.
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// use hubmatch::solve::{solve_matching, MatchOptions};
/// // Capacity 3 for 4 units: need 1 (weight 7) is served fully, need 0 gets 1 unit.
/// let p = BipartiteProblem::simple(vec![2, 2], vec![3], &[(0, 0, 5), (1, 0, 7)]);
/// let s = solve_matching(&p, &MatchOptions::default(), None).unwrap();
/// assert_eq!(s.edge_flow, vec![1, 2]);
/// assert_eq!(s.objective, 19);
/// assert_eq!(s.offer_potential, vec![5]); // one more unit of capacity is worth 5
/// s.verify(&p).unwrap();
/// ```
pub fn solve_matching(
    p: &BipartiteProblem,
    options: &MatchOptions,
    warm: Option<&Basis>,
) -> Result<MatchingSolution> {
    solve_matching_from(p, options, Classes::ByOptions, |_, _| {
        warm.map(|b| (std::borrow::Cow::Borrowed(b), Vec::new()))
    })
}

/// [`solve_matching`] warm-started from the basis `warm` gives for the
/// network to solve, once built: its need classes and its layout (see
/// `solve::carry`, which carries a basis to a grown network), with the
/// arcs to price first (those that may pay from that basis; any may be
/// listed). A basis that does not fit is refused, and the solve starts from
/// the crash basis. `classes` says whether the caller found `p`'s classes
/// (`Aggregation::refinement`).
pub(crate) fn solve_matching_from<'b>(
    p: &BipartiteProblem,
    options: &MatchOptions,
    classes: Classes,
    warm: impl FnOnce(
        Option<&Aggregation>,
        &MatchingNetwork,
    ) -> Option<(std::borrow::Cow<'b, Basis>, Vec<u32>)>,
) -> Result<MatchingSolution> {
    let (aggregation, mn, crash) = class_network_of(p, options, classes)?;
    let warm = warm(aggregation.as_ref(), &mn);
    let mut sol = match &warm {
        Some((b, first)) if b.state.len() == mn.net.arc_count() + mn.net.node_count() => {
            network_simplex::solve_warm_or(&mn.net, b, first, &crash, &options.simplex)?
        }
        _ => network_simplex::solve_from(&mn.net, &crash, &options.simplex)?,
    };
    sol.stats.warm = sol.stats.warm && warm.is_some();
    let flow = std::mem::take(&mut sol.flow);
    solution_from_flow(p, aggregation.as_ref(), &mn, &flow, sol, options, None)
}

/// Checks `p`, merges its interchangeable needs if `options` ask, and
/// builds the network to solve (of the class problem when merged) with its
/// crash basis (every need unserved).
pub(crate) fn class_network(
    p: &BipartiteProblem,
    options: &MatchOptions,
) -> Result<(Option<Aggregation>, MatchingNetwork, Basis)> {
    class_network_of(p, options, Classes::ByOptions)
}

/// Where a matching solve gets its problem's classes.
pub(crate) enum Classes {
    /// Found (or not) as the options say.
    ByOptions,
    /// Found by the caller; `None` when no two needs share a class.
    Given(Option<Box<Aggregation>>),
}

/// [`class_network`] with `p`'s classes from `classes`.
fn class_network_of(
    p: &BipartiteProblem,
    options: &MatchOptions,
    classes: Classes,
) -> Result<(Option<Aggregation>, MatchingNetwork, Basis)> {
    check(p)?;
    let aggregation = match classes {
        Classes::Given(classes) => classes.map(|c| *c),
        Classes::ByOptions if options.aggregate => Aggregation::build(p),
        Classes::ByOptions => None,
    };
    let solved = aggregation.as_ref().map_or(p, |a| &a.problem);
    let mn = MatchingNetwork::build(solved);
    let crash = Basis::from_tree_arcs(&mn.net, &mn.crash_tree);
    Ok((aggregation, mn, crash))
}

/// The matching solution of `p` from an optimal `flow` of network `mn` (the
/// network of `p` or, under `aggregation`, of its class problem) and the rest
/// of its solution `sol`, whose own `flow` is not read; checks the
/// certificate when `options` ask. The class flows are split near `base`
/// when given (see [`Aggregation::split_near`]).
pub(crate) fn solution_from_flow(
    p: &BipartiteProblem,
    aggregation: Option<&Aggregation>,
    mn: &MatchingNetwork,
    flow: &[i64],
    sol: network_simplex::FlowSolution,
    options: &MatchOptions,
    base: Option<&mut SplitBase<'_>>,
) -> Result<MatchingSolution> {
    let e = aggregation.map_or(p, |a| &a.problem).edge_count();
    let split = match (aggregation, base) {
        (None, _) => {
            let unserved = &flow[mn.unserved_arcs..mn.unserved_arcs + p.need_count()];
            (flow[..e].to_vec(), unserved.to_vec())
        }
        (Some(a), Some(base)) => a.split_near(p, &flow[..e], base),
        (Some(a), None) => a.split(p, &flow[..e]),
    };
    solution_from_split(p, aggregation, mn, split, sol, options)
}

/// [`solution_from_flow`] with the network's flow already split over the
/// edges of `p`: (edge flows, unserved units of each need).
pub(crate) fn solution_from_split(
    p: &BipartiteProblem,
    aggregation: Option<&Aggregation>,
    mn: &MatchingNetwork,
    (edge_flow, unserved): (Vec<i64>, Vec<i64>),
    sol: network_simplex::FlowSolution,
    options: &MatchOptions,
) -> Result<MatchingSolution> {
    let solved = aggregation.map_or(p, |a| &a.problem);
    let (n, o) = (solved.need_count(), solved.offer_count());
    let pi = &sol.potential;
    let sink = pi[mn.sink as usize];
    let parent_pi = |k: usize| solved.offer_group[k].map_or(sink, |g| pi[n + o + g as usize]);
    let offer_potential: Vec<i64> = (0..o).map(|k| parent_pi(k) - pi[n + k]).collect();
    let group_potential: Vec<i64> = (0..solved.group_capacity.len())
        .map(|g| sink - pi[n + o + g])
        .collect();
    let first_unserved_group = n + o + solved.group_capacity.len();
    let unserved_group_potential: Vec<i64> = (0..solved.unserved_limit.len())
        .map(|k| {
            let parent = solved
                .unserved_parent
                .get(k)
                .copied()
                .flatten()
                .map_or(sink, |q| pi[first_unserved_group + q as usize]);
            parent - pi[first_unserved_group + k]
        })
        .collect();
    let class_potential: Vec<i64> = (0..n).map(|i| pi[i] - sink).collect();
    let need_potential = match aggregation {
        None => class_potential,
        Some(a) => a
            .class_of
            .iter()
            .map(|&c| class_potential[c as usize])
            .collect(),
    };
    let solution = MatchingSolution {
        edge_flow,
        unserved,
        objective: -sol.cost,
        need_potential,
        offer_potential,
        group_potential,
        unserved_group_potential,
        basis: sol.basis,
        stats: sol.stats,
        classes: n,
    };
    if options.verify {
        solution
            .verify(p)
            .map_err(|e| crate::Error::Certificate(e.to_string()))?;
    }
    Ok(solution)
}

impl MatchingSolution {
    /// Checks this solution's optimality certificate against the original
    /// (unaggregated) problem, from the reported flows and duals alone.
    /// O(nodes + edges).
    pub fn verify(&self, p: &BipartiteProblem) -> Result<Certificate, CertificateError> {
        let cert = verify_matching(
            p,
            &self.edge_flow,
            &self.unserved,
            &self.need_potential,
            &self.offer_potential,
            &self.group_potential,
            &self.unserved_group_potential,
        )?;
        if cert.cost != -i128::from(self.objective) {
            return Err(CertificateError::Gap {
                primal: cert.cost,
                dual: -i128::from(self.objective),
            });
        }
        Ok(cert)
    }
}

/// Arc flows of the matching network of `p` for an allocation: edges,
/// unserved units, then offer, group and unserved-group totals (the arc
/// order of [`MatchingNetwork::build`]).
pub(crate) fn arc_flows(p: &BipartiteProblem, edge_flow: &[i64], unserved: &[i64]) -> Vec<i64> {
    let o = p.offer_count();
    let h = p.unserved_limit.len();
    let mut flow =
        Vec::with_capacity(edge_flow.len() + unserved.len() + o + p.group_capacity.len() + h);
    // Arc flows: edges, unserved, then offer and group totals.
    flow.extend_from_slice(edge_flow);
    flow.extend_from_slice(unserved);
    let mut offer_flow = vec![0i64; o];
    let mut group_flow = vec![0i64; p.group_capacity.len()];
    for (k, &x) in edge_flow.iter().enumerate() {
        offer_flow[p.edge_offer[k] as usize] += x;
    }
    for (k, &x) in offer_flow.iter().enumerate() {
        if let Some(g) = p.offer_group[k] {
            group_flow[g as usize] += x;
        }
    }
    flow.extend_from_slice(&offer_flow);
    flow.extend_from_slice(&group_flow);
    // Unserved groups: their needs' unserved units, then their subgroups'
    // (a parent always has a larger index, so one pass upwards suffices).
    let mut unserved_flow = vec![0i64; h];
    for (i, &x) in unserved.iter().enumerate() {
        if let Some(g) = p.unserved_group_of(i) {
            unserved_flow[g as usize] += x;
        }
    }
    for k in 0..h {
        if let Some(q) = p.unserved_parent.get(k).copied().flatten() {
            unserved_flow[q as usize] += unserved_flow[k];
        }
    }
    flow.extend_from_slice(&unserved_flow);
    flow
}
