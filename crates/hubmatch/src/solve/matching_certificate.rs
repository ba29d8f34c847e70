//! The certificate of a matching, checked on the bipartite problem itself.
//!
//! A [`BipartiteProblem`] stands for the flow network that
//! [`MatchingNetwork::build`] makes of it, and an allocation with its duals
//! stands for a flow with node potentials on that network (the sink's
//! potential 0). The proof is the one of [`crate::solve::certificate`]:
//! capacities, conservation, complementary slackness and equal primal and
//! dual values, with the same arc and node numbers in its errors. It is
//! checked here in one pass over the edges without building the network,
//! whose arc arrays would cost more than the check: the edges' arcs are read
//! from the problem, and the arcs of offers, groups and unserved groups carry
//! the flows that the edges and unserved units imply (so only the needs'
//! conservation can fail).
//!
//! Complexity: O(needs + offers + groups + edges), one pass over the edges.
//!
//! [`MatchingNetwork::build`]: crate::graph::MatchingNetwork::build

use crate::graph::BipartiteProblem;
use crate::solve::certificate::{Certificate, CertificateError};

/// Checks that edge flows, unserved units and duals are an optimal solution of
/// `p` with its proof (see [`crate::solve::certificate`]); returns the
/// certificate, whose cost is minus the objective. `p` is a valid problem
/// (as [`crate::solve::solve_matching`] checks). O(nodes + edges).
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// use hubmatch::solve::verify_matching;
/// let p = BipartiteProblem::simple(vec![1], vec![1], &[(0, 0, 7)]);
/// // Serve the need (objective 7); α = 7 proves it optimal, with β = 0.
/// assert_eq!(verify_matching(&p, &[1], &[0], &[7], &[0], &[], &[]).unwrap().cost, -7);
/// // Leaving it unserved is feasible, but not optimal.
/// assert!(verify_matching(&p, &[0], &[1], &[7], &[0], &[], &[]).is_err());
/// ```
pub fn verify_matching(
    p: &BipartiteProblem,
    edge_flow: &[i64],
    unserved: &[i64],
    need_potential: &[i64],
    offer_potential: &[i64],
    group_potential: &[i64],
    unserved_group_potential: &[i64],
) -> Result<Certificate, CertificateError> {
    let scan = scan(
        p,
        edge_flow,
        unserved,
        &Duals {
            need: need_potential,
            offer: offer_potential,
            group: group_potential,
            unserved_group: unserved_group_potential,
        },
    )?;
    if let Some(violation) = scan.violation {
        return Err(violation);
    }
    if scan.cost != scan.dual {
        return Err(CertificateError::Gap {
            primal: scan.cost,
            dual: scan.dual,
        });
    }
    Ok(Certificate { cost: scan.cost })
}

/// Checks that edge flows and unserved units are a feasible allocation of
/// `p` and returns `(cost, bound)`: its cost (minus its objective) and the
/// dual value of the given duals, a lower bound on the cost of every
/// allocation (so minus it bounds the objective from above), whether or not
/// the allocation is optimal. O(nodes + edges).
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// use hubmatch::solve::matching::check_bound;
/// let p = BipartiteProblem::simple(vec![1], vec![1], &[(0, 0, 7)]);
/// // Serving nothing is feasible (objective 0); duals α = 7, β = 0 bound it by 7.
/// let (cost, bound) = check_bound(&p, &[0], &[1], &[7], &[0], &[], &[]).unwrap();
/// assert_eq!((cost, bound), (0, -7));
/// ```
pub fn check_bound(
    p: &BipartiteProblem,
    edge_flow: &[i64],
    unserved: &[i64],
    need_potential: &[i64],
    offer_potential: &[i64],
    group_potential: &[i64],
    unserved_group_potential: &[i64],
) -> Result<(i128, i128), CertificateError> {
    let duals = Duals {
        need: need_potential,
        offer: offer_potential,
        group: group_potential,
        unserved_group: unserved_group_potential,
    };
    scan(p, edge_flow, unserved, &duals).map(|s| (s.cost, s.dual))
}

/// The duals of a matching: needs (α), offers (β), groups and unserved
/// groups, each the value of one more unit at the margin.
struct Duals<'a> {
    need: &'a [i64],
    offer: &'a [i64],
    group: &'a [i64],
    unserved_group: &'a [i64],
}

/// A problem's edges, field by field, all of one length.
struct Edges<'a> {
    need: &'a [u32],
    offer: &'a [u32],
    weight: &'a [i64],
    flow: &'a [i64],
}

impl Edges<'_> {
    /// The first edge from `k` on that is not idle at a nonnegative
    /// reduced cost (`alpha` of its need − its weight − `offer_pi` of its
    /// offer, in 64 bits), or the edge count: those edges add nothing to
    /// the certificate (given arcs with a capacity). Most edges of an
    /// optimum are idle; an index out of range stops the skip.
    #[inline(never)]
    fn next_busy(&self, mut k: usize, alpha: &[i64], offer_pi: &[i64]) -> usize {
        let e = self.need.len();
        let (offer, weight, flow) = (&self.offer[..e], &self.weight[..e], &self.flow[..e]);
        while k < e {
            let (Some(&a), Some(&b)) = (
                alpha.get(self.need[k] as usize),
                offer_pi.get(offer[k] as usize),
            ) else {
                return k;
            };
            let rc = a.checked_sub(weight[k]).and_then(|r| r.checked_sub(b));
            if flow[k] != 0 || rc.is_none_or(|rc| rc < 0) {
                return k;
            }
            k += 1;
        }
        e
    }
}

/// What one pass finds of a feasible allocation, summed arc by arc in the
/// network's order: its cost, the duals' value (a lower bound on every
/// allocation's cost), and the first arc that breaks complementary
/// slackness.
struct Scan {
    cost: i128,
    dual: i128,
    violation: Option<CertificateError>,
}

impl Scan {
    /// Adds arc `arc` with `flow` of `capacity`, cost `cost` and reduced
    /// cost `rc`; the flow is already known to be within its bounds.
    #[inline]
    fn add(&mut self, arc: usize, flow: i64, capacity: i64, cost: i64, rc: i128) {
        self.cost += i128::from(cost) * i128::from(flow);
        if rc < 0 {
            self.dual += rc * i128::from(capacity);
        }
        if self.violation.is_none() && ((rc > 0 && flow != 0) || (rc < 0 && flow != capacity)) {
            self.violation = Some(CertificateError::Slackness {
                arc,
                reduced_cost: rc,
                flow,
                capacity,
            });
        }
    }
}

fn length_error(what: &'static str, expected: usize, got: usize) -> CertificateError {
    CertificateError::Length {
        what,
        expected,
        got,
    }
}

/// A derived flow (a sum of flows) that exceeds its arc's capacity, or is
/// negative; reported as the i64 nearest to it.
fn capacity_error(arc: usize, flow: i128, capacity: i64) -> CertificateError {
    CertificateError::Capacity {
        arc,
        flow: i64::try_from(flow).unwrap_or(if flow < 0 { i64::MIN } else { i64::MAX }),
        capacity,
    }
}

/// Checks lengths, capacities and conservation, in the order of
/// [`crate::solve::certificate::verify`] (lengths, then capacities by arc,
/// then conservation by node), and sums the certificate's terms.
fn scan(
    p: &BipartiteProblem,
    edge_flow: &[i64],
    unserved: &[i64],
    duals: &Duals<'_>,
) -> Result<Scan, CertificateError> {
    let (n, o, g, e) = (
        p.need_count(),
        p.offer_count(),
        p.group_capacity.len(),
        p.edge_count(),
    );
    let h = p.unserved_limit.len();
    if edge_flow.len() != e {
        return Err(length_error("edge flows", e, edge_flow.len()));
    }
    if p.offer_group.len() != o || p.edge_offer.len() != e {
        return Err(length_error("offer groups", o, p.offer_group.len()));
    }
    if unserved.len() != n || duals.need.len() != n {
        return Err(length_error(
            "need values",
            n,
            unserved.len().min(duals.need.len()),
        ));
    }
    if duals.offer.len() != o || duals.group.len() != g {
        return Err(length_error("offer values", o, duals.offer.len()));
    }
    if duals.unserved_group.len() != h {
        return Err(length_error(
            "unserved group values",
            h,
            duals.unserved_group.len(),
        ));
    }
    // Node potentials with the sink at 0: a group's is −γ, an offer's its
    // parent's − β, an unserved group's its parent's − δ (parents have larger
    // indices, so one pass downwards suffices), a need's α.
    let parent_of_group = |k: usize| p.unserved_parent.get(k).copied().flatten();
    let mut unserved_group_pi = vec![0i64; h];
    for k in (0..h).rev() {
        let parent = parent_of_group(k).map_or(0, |q| unserved_group_pi[q as usize]);
        unserved_group_pi[k] = parent - duals.unserved_group[k];
    }
    let offer_pi: Vec<i64> = (0..o)
        .map(|k| p.offer_group[k].map_or(0, |grp| -duals.group[grp as usize]) - duals.offer[k])
        .collect();
    let head_of_need = |i: usize| {
        p.unserved_group_of(i)
            .map_or(0, |grp| unserved_group_pi[grp as usize])
    };

    let mut terms = Scan {
        cost: 0,
        dual: 0,
        violation: None,
    };
    // Edges (arcs 0..e): need → offer, capacity units + 1, cost −w.
    let mut need_out = vec![0i128; n];
    let mut offer_in = vec![0i128; o];
    let edges = Edges {
        need: &p.edge_need[..e],
        offer: &p.edge_offer[..e],
        weight: &p.edge_weight[..e],
        flow: &edge_flow[..e],
    };
    // Idle edges are skipped in a loop of their own, which keeps its few
    // values in registers (the rare path's sums spilled them): only where
    // every need's arcs have a capacity (units + 1 ≥ 0), else each edge
    // takes the full path.
    let skips = p.units.iter().all(|&u| u >= -1);
    let mut k = 0;
    while k < e {
        if skips {
            k = edges.next_busy(k, duals.need, &offer_pi);
            if k == e {
                break;
            }
        }
        let (i, lo) = (edges.need[k] as usize, edges.offer[k] as usize);
        let (cap, alpha) = (p.units[i] + 1, duals.need[i]);
        let (w, x) = (edges.weight[k], edges.flow[k]);
        let rc = i128::from(alpha) - i128::from(w) - i128::from(offer_pi[lo]);
        k += 1;
        if x == 0 && cap >= 0 {
            if rc < 0 {
                terms.add(k - 1, 0, cap, -w, rc);
            }
            continue;
        }
        if x < 0 || x > cap {
            return Err(CertificateError::Capacity {
                arc: k - 1,
                flow: x,
                capacity: cap,
            });
        }
        need_out[i] += i128::from(x);
        offer_in[lo] += i128::from(x);
        terms.add(k - 1, x, cap, -w, rc);
    }
    // Unserved arcs (e..e + n): need → its unserved group or the sink.
    for (i, &x) in unserved.iter().enumerate() {
        let cap = p.units[i] + 1;
        if x < 0 || x > cap {
            return Err(CertificateError::Capacity {
                arc: e + i,
                flow: x,
                capacity: cap,
            });
        }
        need_out[i] += i128::from(x);
        let rc = i128::from(p.unserved_penalty) + i128::from(duals.need[i])
            - i128::from(head_of_need(i));
        terms.add(e + i, x, cap, p.unserved_penalty, rc);
    }
    // Offer arcs: offer → its group or the sink, carrying the offer's edges.
    let mut group_in = vec![0i128; g];
    for (k, &flow) in offer_in.iter().enumerate() {
        let arc = e + n + k;
        let cap = p.offer_capacity[k];
        if flow < 0 || flow > i128::from(cap) {
            return Err(capacity_error(arc, flow, cap));
        }
        if let Some(grp) = p.offer_group[k] {
            group_in[grp as usize] += flow;
        }
        terms.add(arc, flow as i64, cap, 0, -i128::from(duals.offer[k]));
    }
    // Group arcs: group → sink, carrying the group's offers.
    for (k, &flow) in group_in.iter().enumerate() {
        let arc = e + n + o + k;
        let cap = p.group_capacity[k];
        if flow < 0 || flow > i128::from(cap) {
            return Err(capacity_error(arc, flow, cap));
        }
        terms.add(arc, flow as i64, cap, 0, -i128::from(duals.group[k]));
    }
    // Unserved-group arcs: their needs' unserved units, then their
    // subgroups' (a parent has a larger index).
    let mut group_unserved = vec![0i128; h];
    for (i, &x) in unserved.iter().enumerate() {
        if let Some(grp) = p.unserved_group_of(i) {
            group_unserved[grp as usize] += i128::from(x);
        }
    }
    for k in 0..h {
        let flow = group_unserved[k];
        if let Some(q) = parent_of_group(k) {
            group_unserved[q as usize] += flow;
        }
        let arc = e + n + o + g + k;
        let cap = p.unserved_limit[k];
        if flow < 0 || flow > i128::from(cap) {
            return Err(capacity_error(arc, flow, cap));
        }
        terms.add(
            arc,
            flow as i64,
            cap,
            0,
            -i128::from(duals.unserved_group[k]),
        );
    }
    // Conservation: every other node carries what flows in by construction.
    for (i, &out) in need_out.iter().enumerate() {
        if out != i128::from(p.units[i]) {
            return Err(CertificateError::Conservation {
                node: i,
                net: out,
                supply: p.units[i],
            });
        }
    }
    // The nodes' part of the dual value, −Σ π·supply: needs only, as the
    // sink's potential is 0.
    let supply_term: i128 = duals
        .need
        .iter()
        .zip(&p.units)
        .map(|(&a, &u)| -i128::from(a) * i128::from(u))
        .sum();
    terms.dual += supply_term;
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::check_bound;
    use crate::graph::BipartiteProblem;

    /// A reduced cost beyond 64 bits (α − w overflows) is summed exactly,
    /// as the 128-bit formula gives it: the edge's and the unserved arc's
    /// negative reduced costs times their capacities, minus α · units.
    #[test]
    fn reduced_costs_beyond_64_bits_are_summed_exactly() {
        let p = BipartiteProblem::simple(vec![1], vec![1], &[(0, 0, 7)]);
        let alpha = i64::MIN + 1;
        let (cost, bound) = check_bound(&p, &[0], &[1], &[alpha], &[0], &[], &[]).unwrap();
        let penalty = i128::from(p.unserved_penalty);
        let edge = i128::from(alpha) - 7;
        let unserved = penalty + i128::from(alpha);
        assert_eq!(cost, penalty);
        assert_eq!(bound, 2 * edge + 2 * unserved - i128::from(alpha));
    }
}
