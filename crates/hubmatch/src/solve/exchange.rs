//! Improving an allocation that meets side constraints toward a better one
//! that breaks them, by whole exchange cycles.
//!
//! Given allocations `F` (meets every side constraint) and `I` (higher
//! objective, breaks some) of the same matching problems, the difference
//! `I − F` is a circulation in each matching network, and it splits into
//! cycles that conform to it: every cycle moves each arc in the direction of
//! the difference, and the cycles' amounts add up to it. Adding to `F` any
//! of these cycles, each by any whole amount up to its own, is again a
//! feasible integer allocation. So the best allocation "between" `F` and `I`
//! is a choice of cycles: a knapsack whose budget is the slack of the
//! constraints. Cycles that gain value and use no budget are taken whole;
//! the others by value per unit of budget, each as far as every constraint
//! stays met. The choice is greedy; the Lagrangian bound reports how far
//! from optimal the result can be.
//!
//! Typical case: at a multiplier where serving by kind A or by kind B is
//! worth the same, the relaxed optimum serves a whole need by A or a whole
//! need by B; exchange cycles split it between them.
//!
//! Complexity: O(arcs + total cycle length) per problem for the
//! decomposition (problems in parallel), O(c log c) to choose among `c`
//! cycles.

use std::cmp::Ordering;

use rayon::prelude::*;

use crate::graph::{BipartiteProblem, MatchingNetwork};
use crate::solve::lagrangian::Term;
use crate::solve::matching::arc_flows;

/// An allocation of several matching problems and its standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Units on each edge, per problem.
    pub edge_flow: Vec<Vec<i64>>,
    /// Units left unserved of each need, per problem.
    pub unserved: Vec<Vec<i64>>,
    /// Value `g_j` of each side constraint.
    pub values: Vec<i64>,
    /// Objective under the problems' own weights.
    pub objective: i64,
}

/// Objective of one problem's allocation: `Σ w·x − P·unserved`.
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// let mut p = BipartiteProblem::simple(vec![2], vec![1], &[(0, 0, 7)]);
/// p.unserved_penalty = 3;
/// assert_eq!(hubmatch::solve::exchange::objective_of(&p, &[1], &[1]), 4);
/// ```
pub fn objective_of(p: &BipartiteProblem, edge_flow: &[i64], unserved: &[i64]) -> i64 {
    let served: i64 = edge_flow
        .iter()
        .zip(&p.edge_weight)
        .map(|(x, w)| x * w)
        .sum();
    served - p.unserved_penalty * unserved.iter().sum::<i64>()
}

/// Side-constraint coefficients of each edge of one problem (CSR).
struct EdgeTerms {
    start: Vec<u32>,
    terms: Vec<(u32, i64)>,
}

impl EdgeTerms {
    fn build(problem: u32, edges: usize, constraints: &[Vec<Term>]) -> EdgeTerms {
        let mut count = vec![0u32; edges + 1];
        for terms in constraints {
            for t in terms.iter().filter(|t| t.problem == problem) {
                count[t.edge as usize + 1] += 1;
            }
        }
        for e in 0..edges {
            count[e + 1] += count[e];
        }
        let mut fill = count.clone();
        let mut terms = vec![(0, 0); count[edges] as usize];
        for (j, cs) in constraints.iter().enumerate() {
            for t in cs.iter().filter(|t| t.problem == problem) {
                let slot = &mut fill[t.edge as usize];
                terms[*slot as usize] = (j as u32, t.coef);
                *slot += 1;
            }
        }
        EdgeTerms {
            start: count,
            terms,
        }
    }

    fn of(&self, e: usize) -> &[(u32, i64)] {
        &self.terms[self.start[e] as usize..self.start[e + 1] as usize]
    }
}

/// One cycle of the difference: its arcs (with +1 where it moves flow along
/// the arc, −1 against), how far it may go, and what one unit of it changes.
struct Cycle {
    problem: u32,
    arcs: Vec<(u32, i8)>,
    amount: i64,
    gain: i64,
    delta: Vec<i64>,
}

/// Splits `toward − from` of problem `k` into conforming cycles.
fn cycles(
    k: u32,
    p: &BipartiteProblem,
    from: (&[i64], &[i64]),
    toward: (&[i64], &[i64]),
    constraints: &[Vec<Term>],
) -> Vec<Cycle> {
    let mn = MatchingNetwork::build(p);
    let net = &mn.net;
    let a = arc_flows(p, from.0, from.1);
    let b = arc_flows(p, toward.0, toward.1);
    let nodes = net.node_count();
    // Outgoing arcs of each node along the difference (CSR).
    let mut rest: Vec<i64> = a.iter().zip(&b).map(|(x, y)| (y - x).abs()).collect();
    let tail = |arc: usize| {
        if b[arc] > a[arc] {
            net.source[arc]
        } else {
            net.target[arc]
        }
    };
    let head = |arc: usize| {
        if b[arc] > a[arc] {
            net.target[arc]
        } else {
            net.source[arc]
        }
    };
    let mut start = vec![0u32; nodes + 1];
    for arc in (0..rest.len()).filter(|&arc| rest[arc] > 0) {
        start[tail(arc) as usize + 1] += 1;
    }
    for v in 0..nodes {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut out = vec![0u32; start[nodes] as usize];
    for arc in (0..rest.len()).filter(|&arc| rest[arc] > 0) {
        let slot = &mut fill[tail(arc) as usize];
        out[*slot as usize] = arc as u32;
        *slot += 1;
    }
    let terms = EdgeTerms::build(k, p.edge_count(), constraints);
    let (edges, needs) = (p.edge_count(), p.need_count());
    let mut next = start.clone();
    let mut on_path = vec![u32::MAX; nodes];
    let mut path_nodes: Vec<u32> = Vec::new();
    let mut path_arcs: Vec<u32> = Vec::new();
    let mut found = Vec::new();
    for v in 0..nodes as u32 {
        loop {
            // Next arc with flow left out of the path's last node.
            let u = *path_nodes.last().unwrap_or(&v);
            let ui = u as usize;
            while next[ui] < start[ui + 1] && rest[out[next[ui] as usize] as usize] == 0 {
                next[ui] += 1;
            }
            if next[ui] == start[ui + 1] {
                // A circulation leaves no dead end but the start; drop any path.
                debug_assert!(path_nodes.is_empty());
                for &x in &path_nodes {
                    on_path[x as usize] = u32::MAX;
                }
                path_nodes.clear();
                path_arcs.clear();
                break;
            }
            if path_nodes.is_empty() {
                path_nodes.push(v);
                on_path[v as usize] = 0;
            }
            let arc = out[next[ui] as usize];
            let w = head(arc as usize);
            path_arcs.push(arc);
            if on_path[w as usize] == u32::MAX {
                on_path[w as usize] = path_nodes.len() as u32;
                path_nodes.push(w);
                continue;
            }
            // Closed a cycle at w: the arcs after w's position.
            let at = on_path[w as usize] as usize;
            let cyc: Vec<u32> = path_arcs[at..].to_vec();
            let amount = cyc.iter().map(|&c| rest[c as usize]).min().unwrap_or(0);
            let mut gain = 0;
            let mut delta = vec![0i64; constraints.len()];
            let mut arcs = Vec::with_capacity(cyc.len());
            for &c in &cyc {
                let c = c as usize;
                rest[c] -= amount;
                let sign: i8 = if b[c] > a[c] { 1 } else { -1 };
                arcs.push((c as u32, sign));
                let s = i64::from(sign);
                if c < edges {
                    gain += s * p.edge_weight[c];
                    for &(j, coef) in terms.of(c) {
                        delta[j as usize] += s * coef;
                    }
                } else if c < edges + needs {
                    gain -= s * p.unserved_penalty;
                }
            }
            found.push(Cycle {
                problem: k,
                arcs,
                amount,
                gain,
                delta,
            });
            for &x in &path_nodes[at + 1..] {
                on_path[x as usize] = u32::MAX;
            }
            path_nodes.truncate(at + 1);
            path_arcs.truncate(at);
            if at == 0 {
                // Back at v: start afresh (v may have more flow out).
                on_path[v as usize] = u32::MAX;
                path_nodes.clear();
            }
        }
    }
    found
}

/// The best allocation found by adding exchange cycles of `toward − from`
/// to `from` while every side constraint stays met (see the module docs).
/// `problems` carry their true weights; `from` must meet the constraints.
pub(crate) fn improve(
    problems: &[BipartiteProblem],
    constraints: &[Vec<Term>],
    from: &Allocation,
    toward: &Allocation,
) -> Allocation {
    let mut all: Vec<Cycle> = problems
        .par_iter()
        .enumerate()
        .map(|(k, p)| {
            cycles(
                k as u32,
                p,
                (&from.edge_flow[k], &from.unserved[k]),
                (&toward.edge_flow[k], &toward.unserved[k]),
                constraints,
            )
        })
        .flatten()
        .collect();
    all.retain(|c| c.gain > 0 && c.amount > 0);
    // Budget used per unit: the sum of the constraint values it lowers.
    let used = |c: &Cycle| -> i128 { c.delta.iter().map(|&d| i128::from((-d).max(0))).sum() };
    all.sort_by(|x, y| {
        let (ux, uy) = (used(x), used(y));
        // Free gains first, then value per unit of budget, larger first.
        match (ux == 0, uy == 0) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => (i128::from(y.gain) * ux).cmp(&(i128::from(x.gain) * uy)),
        }
        .then(y.gain.cmp(&x.gain))
    });
    let mut out = from.clone();
    for c in &all {
        let mut t = c.amount;
        for (j, &d) in c.delta.iter().enumerate() {
            if d < 0 {
                t = t.min(out.values[j] / -d);
            }
        }
        if t <= 0 {
            continue;
        }
        let k = c.problem as usize;
        let (edges, needs) = (problems[k].edge_count(), problems[k].need_count());
        for &(arc, sign) in &c.arcs {
            let arc = arc as usize;
            if arc < edges {
                out.edge_flow[k][arc] += i64::from(sign) * t;
            } else if arc < edges + needs {
                out.unserved[k][arc - edges] += i64::from(sign) * t;
            }
        }
        for (j, &d) in c.delta.iter().enumerate() {
            out.values[j] += d * t;
        }
        out.objective += c.gain * t;
    }
    out
}
