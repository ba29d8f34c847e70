//! The optimality certificate of a min-cost flow: a proof, checkable in
//! O(nodes + arcs), that a flow is optimal.
//!
//! A flow `x` with potentials `π` is optimal when
//! 1. `0 ≤ x(a) ≤ cap(a)` on every arc (capacities);
//! 2. outflow − inflow = supply at every node (conservation);
//! 3. with reduced cost `rc(a) = c(a) + π(tail) − π(head)`: `rc > 0 ⇒ x = 0`
//!    and `rc < 0 ⇒ x = cap` (complementary slackness).
//!
//! Then `π` is a feasible dual solution with the same value as `x`, so neither
//! can be improved (LP duality). [`verify`] checks all three and also computes
//! the dual value, which must equal the primal cost.

use crate::graph::FlowNetwork;

/// Why a flow and potentials are not a proof of optimality.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// Flow or potential vectors have the wrong length.
    #[error("expected {expected} {what}, got {got}")]
    Length {
        /// Which vector.
        what: &'static str,
        /// Its expected length.
        expected: usize,
        /// Its length.
        got: usize,
    },
    /// A flow is outside its arc's bounds.
    #[error("arc {arc}: flow {flow} outside 0..={capacity}")]
    Capacity {
        /// Arc index.
        arc: usize,
        /// Its flow.
        flow: i64,
        /// Its capacity.
        capacity: i64,
    },
    /// Flow is not conserved at a node.
    #[error("node {node}: outflow - inflow = {net}, supply is {supply}")]
    Conservation {
        /// Node index.
        node: usize,
        /// Outflow minus inflow.
        net: i128,
        /// Its supply.
        supply: i64,
    },
    /// An arc breaks complementary slackness, so the flow can be improved.
    #[error("arc {arc}: reduced cost {reduced_cost} with flow {flow} of {capacity}")]
    Slackness {
        /// Arc index.
        arc: usize,
        /// Its reduced cost.
        reduced_cost: i128,
        /// Its flow.
        flow: i64,
        /// Its capacity.
        capacity: i64,
    },
    /// Primal and dual values differ (cannot happen when the checks above pass).
    #[error("primal cost {primal} differs from dual value {dual}")]
    Gap {
        /// Primal cost.
        primal: i128,
        /// Dual value.
        dual: i128,
    },
}

/// What a successful check proves: the cost, equal to the dual value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certificate {
    /// The (optimal) cost `Σ c·x`.
    pub cost: i128,
}

/// Checks that `flow` is an optimal flow of `net` with `potential` as its
/// dual proof. O(nodes + arcs).
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::certificate::verify;
/// use hubmatch::solve::network_simplex::{solve, SolveOptions};
/// let mut net = FlowNetwork::new(2);
/// net.supply = vec![1, -1];
/// net.add_arc(0, 1, 1, 4);
/// let sol = solve(&net, &SolveOptions::default()).unwrap();
/// assert_eq!(verify(&net, &sol.flow, &sol.potential).unwrap().cost, 4);
/// assert!(verify(&net, &[0], &sol.potential).is_err()); // not feasible
/// ```
pub fn verify(
    net: &FlowNetwork,
    flow: &[i64],
    potential: &[i64],
) -> Result<Certificate, CertificateError> {
    let primal = check_feasible(net, flow)?;
    check_potentials(net, potential)?;
    // One pass for slackness and the dual value (as in `dual_value`).
    let mut dual = supply_term(net, potential);
    for a in 0..net.arc_count() {
        let (x, cap) = (flow[a], net.capacity[a]);
        let rc = reduced_cost(net, potential, a);
        if (rc > 0 && x != 0) || (rc < 0 && x != cap) {
            return Err(CertificateError::Slackness {
                arc: a,
                reduced_cost: rc,
                flow: x,
                capacity: cap,
            });
        }
        if rc < 0 {
            dual += rc * i128::from(cap);
        }
    }
    if primal != dual {
        return Err(CertificateError::Gap { primal, dual });
    }
    Ok(Certificate { cost: primal })
}

/// Checks capacities and conservation only, and returns the flow's cost
/// `Σ c·x`: the proof that an allocation is feasible, without claiming it is
/// optimal. O(nodes + arcs).
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::certificate::check_feasible;
/// let mut net = FlowNetwork::new(2);
/// net.supply = vec![1, -1];
/// net.add_arc(0, 1, 1, 4);
/// assert_eq!(check_feasible(&net, &[1]).unwrap(), 4);
/// assert!(check_feasible(&net, &[0]).is_err()); // supply stranded
/// ```
pub fn check_feasible(net: &FlowNetwork, flow: &[i64]) -> Result<i128, CertificateError> {
    let (n, m) = (net.node_count(), net.arc_count());
    if flow.len() != m {
        return Err(CertificateError::Length {
            what: "arc flows",
            expected: m,
            got: flow.len(),
        });
    }
    let mut balance = vec![0i128; n];
    let mut cost: i128 = 0;
    for a in 0..m {
        let (x, cap) = (flow[a], net.capacity[a]);
        if x < 0 || x > cap {
            return Err(CertificateError::Capacity {
                arc: a,
                flow: x,
                capacity: cap,
            });
        }
        balance[net.source[a] as usize] += i128::from(x);
        balance[net.target[a] as usize] -= i128::from(x);
        cost += i128::from(net.cost[a]) * i128::from(x);
    }
    for v in 0..n {
        if balance[v] != i128::from(net.supply[v]) {
            return Err(CertificateError::Conservation {
                node: v,
                net: balance[v],
                supply: net.supply[v],
            });
        }
    }
    Ok(cost)
}

/// The dual value of any potentials, `−Σ π·supply + Σ min(0, rc)·cap`: by
/// weak duality a lower bound on the cost of every feasible flow, whatever
/// the potentials (the bound is tight at optimal ones). O(nodes + arcs).
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// use hubmatch::solve::certificate::dual_value;
/// let mut net = FlowNetwork::new(2);
/// net.supply = vec![1, -1];
/// net.add_arc(0, 1, 1, 4);
/// assert_eq!(dual_value(&net, &[0, 4]).unwrap(), 4); // optimal potentials
/// assert_eq!(dual_value(&net, &[0, 9]).unwrap(), 4); // also tight here
/// assert_eq!(dual_value(&net, &[0, 0]).unwrap(), 0); // any potentials bound
/// ```
pub fn dual_value(net: &FlowNetwork, potential: &[i64]) -> Result<i128, CertificateError> {
    check_potentials(net, potential)?;
    let mut dual = supply_term(net, potential);
    for a in 0..net.arc_count() {
        let rc = reduced_cost(net, potential, a);
        if rc < 0 {
            dual += rc * i128::from(net.capacity[a]);
        }
    }
    Ok(dual)
}

/// One potential per node.
fn check_potentials(net: &FlowNetwork, potential: &[i64]) -> Result<(), CertificateError> {
    let n = net.node_count();
    if potential.len() == n {
        Ok(())
    } else {
        Err(CertificateError::Length {
            what: "node potentials",
            expected: n,
            got: potential.len(),
        })
    }
}

/// `c(a) + π(tail) − π(head)`; the caller checked the potentials' length.
fn reduced_cost(net: &FlowNetwork, potential: &[i64], a: usize) -> i128 {
    let (s, t) = (net.source[a] as usize, net.target[a] as usize);
    i128::from(net.cost[a]) + i128::from(potential[s]) - i128::from(potential[t])
}

/// `−Σ π·supply`, the nodes' part of the dual value.
fn supply_term(net: &FlowNetwork, potential: &[i64]) -> i128 {
    potential
        .iter()
        .zip(&net.supply)
        .map(|(&p, &b)| -i128::from(p) * i128::from(b))
        .sum()
}
