//! Matching under linear side constraints, by Lagrangian relaxation.
//!
//! A side constraint `g(x) = Σ c_e·x_e ≥ 0` over edges of one or more
//! matching problems (a sector bound: "kind K gives at least 60% of the
//! served units of category C" is `2·x_K − 3·x_other ≥ 0`) is not a network
//! constraint: no capacity can hold a ratio of flows once providers share
//! capacity across categories. It is moved into the objective instead: with
//! multipliers `μ ≥ 0`, every edge's weight becomes `w_e + Σ_j μ_j·c_je` and
//! the relaxed problem is again a matching problem, solved exactly (with its
//! certificate) by the network simplex.
//!
//! Two facts make the result trustworthy:
//! * for every `μ ≥ 0` the relaxed optimum `φ(μ)` is an upper bound on the
//!   constrained optimum (a feasible `x` has `Σ μ_j g_j(x) ≥ 0`), so the
//!   smallest `φ` seen is a proven bound;
//! * a relaxed optimum that meets every constraint is a feasible allocation;
//!   when also `μ_j·g_j(x) = 0` for every `j` (complementary slackness), its
//!   objective equals `φ(μ)` and it is optimal.
//!
//! The answer is the best feasible allocation found, improved by exchange
//! cycles toward the better allocations that break a constraint (see
//! [`crate::solve::exchange`]), together with the smallest bound and the
//! relaxed optima that gave it: their duals prove the bound by weak duality
//! (see [`crate::solve::certificate::dual_value`]), so the allocation
//! (feasible) and the bound (dual) are each checkable without the other.
//! Their difference, the gap, is reported, zero when optimality is proven.
//! A nonzero gap is possible: with integer flows a side constraint makes the
//! problem NP-hard in general (Lagrangian duality solves its LP relaxation),
//! so no polynomial method closes every gap. On 2,000 tiny random problems
//! checked by brute force (see `tests/integration/sectors.rs`), the answer
//! was optimal in 87% of those where the constraint binds, and proven so
//! in 46%.
//!
//! Search: integer multipliers (thousandths of a point per unit of `g`),
//! coordinate-wise. For a violated constraint `j`, the smallest `μ_j` whose
//! relaxed optimum meets it is found by doubling and bisection (`g_j` at the
//! relaxed optimum grows with `μ_j`); rounds repeat while some constraint is
//! violated; then each multiplier whose constraint has slack is lowered as
//! far as every constraint stays met (shrinking the gap). When `μ_j` exceeds
//! the whole range of the objective and `g_j` is still negative, the
//! constraint cannot be met: the relaxed optimum then maximises `g_j` first.
//!
//! Complexity: `O(rounds · constraints · log μ_max)` relaxed solves, each
//! warm-started from the previous optimal basis (only weights change, so the
//! basis stays primal feasible and a solve costs a fraction of a cold one).

use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::BipartiteProblem;
use crate::solve::exchange::{Allocation, improve};
use crate::solve::matching::{MatchOptions, MatchingSolution, solve_matching};
use crate::solve::network_simplex::Basis;

/// One term of a side constraint: coefficient `coef` on edge `edge` of
/// problem `problem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Problem index.
    pub problem: u32,
    /// Edge index within the problem.
    pub edge: u32,
    /// Coefficient of the edge's flow.
    pub coef: i64,
}

/// The best allocation found under side constraints, with its bound.
#[derive(Debug, Clone)]
pub struct Constrained {
    /// The allocation (edge flows and unserved units of each problem), its
    /// constraint values (all ≥ 0 unless none was met) and true objective.
    pub allocation: Allocation,
    /// Relaxed optima of the problems at `multipliers`: their duals prove
    /// `upper_bound` (any potentials bound the optimum by weak duality).
    pub bound: Vec<MatchingSolution>,
    /// Multipliers of the best bound (thousandths of a point per unit of `g`).
    pub multipliers: Vec<i64>,
    /// Proven upper bound on the constrained optimum: `φ(multipliers)`.
    pub upper_bound: i64,
    /// Relaxed solves made.
    pub solves: usize,
}

impl Constrained {
    /// Whether every constraint holds.
    pub fn feasible(&self) -> bool {
        self.allocation.values.iter().all(|&g| g >= 0)
    }

    /// Objective the bound leaves open: 0 when the allocation is optimal.
    pub fn gap(&self) -> i64 {
        self.upper_bound - self.allocation.objective
    }
}

/// Rewrites the weights of `problems` as `base + Σ μ_j·c_je`, checking for
/// overflow. `base[p]` holds problem `p`'s own weights.
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// use hubmatch::solve::lagrangian::{relax_weights, Term};
/// let mut p = vec![BipartiteProblem::simple(vec![1], vec![1, 1], &[(0, 0, 10), (0, 1, 12)])];
/// let base = vec![p[0].edge_weight.clone()];
/// // g = 2·x0 − 3·x1 ≥ 0, at μ = 1:
/// let g = vec![vec![Term { problem: 0, edge: 0, coef: 2 }, Term { problem: 0, edge: 1, coef: -3 }]];
/// relax_weights(&mut p, &base, &g, &[1]).unwrap();
/// assert_eq!(p[0].edge_weight, [12, 9]);
/// ```
pub fn relax_weights(
    problems: &mut [BipartiteProblem],
    base: &[Vec<i64>],
    constraints: &[Vec<Term>],
    multipliers: &[i64],
) -> Result<()> {
    for (p, w) in problems.iter_mut().zip(base) {
        p.edge_weight.clone_from(w);
    }
    if multipliers.len() != constraints.len() {
        return Err(bad_term(
            "multipliers",
            format!(
                "are {}, for {} constraints",
                multipliers.len(),
                constraints.len()
            ),
        ));
    }
    for (terms, &mu) in constraints.iter().zip(multipliers) {
        if mu == 0 {
            continue;
        }
        for t in terms {
            let w = problems
                .get_mut(t.problem as usize)
                .and_then(|p| p.edge_weight.get_mut(t.edge as usize))
                .ok_or_else(|| {
                    bad_term(
                        "term",
                        format!("on problem {}, edge {} is out of range", t.problem, t.edge),
                    )
                })?;
            *w = mu
                .checked_mul(t.coef)
                .and_then(|d| w.checked_add(d))
                .ok_or_else(|| {
                    Error::Overflow(format!(
                        "side-constraint multiplier {mu} makes a weight exceed 64 bits"
                    ))
                })?;
        }
    }
    Ok(())
}

fn bad_term(field: &str, problem: String) -> Error {
    Error::Invalid(crate::error::ValidationError::new(
        crate::error::RecordKind::Network,
        "side constraints",
        field,
        problem,
    ))
}

/// Values `g_j` of the constraints at the solutions' edge flows.
pub fn constraint_values(
    constraints: &[Vec<Term>],
    edge_flow: impl Fn(u32, u32) -> i64,
) -> Vec<i64> {
    constraints
        .iter()
        .map(|terms| {
            terms
                .iter()
                .map(|t| t.coef * edge_flow(t.problem, t.edge))
                .sum()
        })
        .collect()
}

/// One relaxed solve. Cheap to clone: the solutions are shared.
#[derive(Clone)]
struct State {
    multipliers: Vec<i64>,
    solutions: Arc<Vec<MatchingSolution>>,
    values: Vec<i64>,
    relaxed: i64,
    objective: i64,
}

impl State {
    fn feasible(&self) -> bool {
        self.values.iter().all(|&g| g >= 0)
    }

    fn allocation(&self) -> Allocation {
        Allocation {
            edge_flow: self.solutions.iter().map(|s| s.edge_flow.clone()).collect(),
            unserved: self.solutions.iter().map(|s| s.unserved.clone()).collect(),
            values: self.values.clone(),
            objective: self.objective,
        }
    }

    /// Its optimal bases, to warm-start the next solve.
    fn bases(&self) -> Vec<&Basis> {
        self.solutions.iter().map(|s| &s.basis).collect()
    }
}

/// How many breaking allocations are kept as targets for the exchange step.
const KEEP_BREAKING: usize = 4;

struct Search<'a> {
    work: Vec<BipartiteProblem>,
    base: Vec<Vec<i64>>,
    constraints: &'a [Vec<Term>],
    options: &'a MatchOptions,
    solves: usize,
    /// The relaxed optimum with the smallest value: the best bound.
    bound: Option<State>,
    /// The best allocation that meets every constraint.
    best: Option<Allocation>,
    /// The latest allocations that break a constraint (near the breakpoints).
    breaking: Vec<Allocation>,
}

impl Search<'_> {
    fn evaluate(&mut self, multipliers: &[i64], warm: &[&Basis]) -> Result<State> {
        relax_weights(&mut self.work, &self.base, self.constraints, multipliers)?;
        let solutions: Vec<MatchingSolution> = self
            .work
            .par_iter()
            .enumerate()
            .map(|(k, p)| solve_matching(p, self.options, warm.get(k).copied()))
            .collect::<Result<_>>()?;
        self.solves += 1;
        let values = constraint_values(self.constraints, |p, e| {
            solutions[p as usize].edge_flow[e as usize]
        });
        let relaxed: i64 = solutions.iter().map(|s| s.objective).sum();
        let penalty: i64 = multipliers.iter().zip(&values).map(|(m, g)| m * g).sum();
        let state = State {
            multipliers: multipliers.to_vec(),
            solutions: Arc::new(solutions),
            values,
            relaxed,
            objective: relaxed - penalty,
        };
        if self.bound.as_ref().is_none_or(|b| relaxed < b.relaxed) {
            self.bound = Some(state.clone());
        }
        if state.feasible() {
            if self
                .best
                .as_ref()
                .is_none_or(|b| state.objective > b.objective)
            {
                self.best = Some(state.allocation());
            }
        } else {
            if self.breaking.len() == KEEP_BREAKING {
                self.breaking.remove(0);
            }
            self.breaking.push(state.allocation());
        }
        Ok(state)
    }

    /// Beyond this multiplier one unit of `g` outweighs every change of the
    /// objective, so a constraint still violated there cannot be met.
    fn cap(&self) -> i64 {
        let mut range: i128 = 1;
        for p in &self.work {
            let w = p.edge_weight.iter().map(|w| i128::from(w.abs())).max();
            let units: i128 = p.units.iter().map(|&u| i128::from(u)).sum();
            range += units * (w.unwrap_or(0) + i128::from(p.unserved_penalty)) * 2;
        }
        i64::try_from(range.min(i128::from(i64::MAX / 4))).unwrap_or(i64::MAX / 4)
    }

    /// The smallest multiplier of constraint `j` in `(low, high]` whose
    /// relaxed optimum meets it, given `high` does (bisection).
    fn bisect(&mut self, mut cur: State, j: usize, mut low: i64) -> Result<State> {
        let mut mu = cur.multipliers.clone();
        while cur.multipliers[j] - low > 1 {
            mu[j] = low + (cur.multipliers[j] - low) / 2;
            let s = self.evaluate(&mu, &cur.bases())?;
            if s.values[j] >= 0 {
                cur = s;
            } else {
                low = mu[j];
            }
        }
        Ok(cur)
    }
}

/// The first step of a multiplier's search.
fn first_step(problems: &[BipartiteProblem], terms: &[Term]) -> i64 {
    let (mut weight, mut coef) = (0i128, 0i128);
    for t in terms {
        weight += i128::from(problems[t.problem as usize].edge_weight[t.edge as usize].abs());
        coef += i128::from(t.coef.abs());
    }
    if coef == 0 {
        return 1;
    }
    i64::try_from(weight / coef / 16).unwrap_or(1).max(1)
}

/// Maximises the total objective of `problems` subject to `g_j ≥ 0` for
/// every constraint, by Lagrangian relaxation (see the module docs).
/// Returns the best feasible allocation found and a proven upper bound;
/// if no allocation meets the constraints, the last relaxed optimum with
/// `values` showing which fail.
///
/// ```
/// use hubmatch::graph::BipartiteProblem;
/// use hubmatch::solve::lagrangian::{solve_constrained, Term};
/// use hubmatch::solve::MatchOptions;
/// // One need of 2 units; offer 0 (kind K, weight 10), offer 1 (weight 12).
/// let p = vec![BipartiteProblem::simple(vec![2], vec![2, 2], &[(0, 0, 10), (0, 1, 12)])];
/// // K gives at least half of the served units: x0 − x1 ≥ 0.
/// let g = vec![vec![Term { problem: 0, edge: 0, coef: 1 }, Term { problem: 0, edge: 1, coef: -1 }]];
/// let r = solve_constrained(&p, &g, &MatchOptions::default(), None).unwrap();
/// // The relaxed optima serve both units by one offer (at μ = 1 all tie);
/// // an exchange cycle splits them, which the bound proves optimal.
/// assert_eq!((r.allocation.objective, r.gap()), (22, 0));
/// assert_eq!((r.allocation.edge_flow[0].clone(), r.allocation.values.clone()), (vec![1, 1], vec![0]));
/// ```
pub fn solve_constrained(
    problems: &[BipartiteProblem],
    constraints: &[Vec<Term>],
    options: &MatchOptions,
    warm: Option<&[Basis]>,
) -> Result<Constrained> {
    let nc = constraints.len();
    for t in constraints.iter().flatten() {
        if problems
            .get(t.problem as usize)
            .is_none_or(|p| t.edge as usize >= p.edge_count())
        {
            return Err(bad_term(
                "term",
                format!("on problem {}, edge {} is out of range", t.problem, t.edge),
            ));
        }
    }
    let mut search = Search {
        work: problems.to_vec(),
        base: problems.iter().map(|p| p.edge_weight.clone()).collect(),
        constraints,
        options,
        solves: 0,
        bound: None,
        best: None,
        breaking: Vec::new(),
    };
    let warm: Vec<&Basis> = warm.map(|w| w.iter().collect()).unwrap_or_default();
    let mut cur = search.evaluate(&vec![0; nc], &warm)?;
    // Raise: each round fixes the first violated constraint.
    let max_rounds = 4 * nc + 4;
    let mut rounds = 0;
    while let Some(j) = (0..nc).find(|&j| cur.values[j] < 0) {
        rounds += 1;
        if rounds > max_rounds {
            break;
        }
        let cap = search.cap();
        let mut mu = cur.multipliers.clone();
        let mut low = mu[j];
        // First step: a sixteenth of the mean weight per unit of
        // coefficient on the constraint's edges — the scale at which the
        // multiplier starts to reorder choices — then doubling.
        let mut step = mu[j].max(first_step(problems, &constraints[j]));
        loop {
            mu[j] = low.saturating_add(step);
            let s = search.evaluate(&mu, &cur.bases())?;
            if s.values[j] >= 0 {
                cur = search.bisect(s, j, low)?;
                break;
            }
            if mu[j] >= cap {
                // Constraint j cannot be met (with the others' multipliers).
                cur = s;
                rounds = max_rounds;
                break;
            }
            low = mu[j];
            step = step.saturating_mul(2).min(cap - low).max(1);
        }
    }
    // Lower: a multiplier on a slack constraint only widens the gap.
    if cur.feasible() {
        for j in 0..nc {
            if cur.multipliers[j] == 0 || cur.values[j] == 0 {
                continue;
            }
            let (mut low, mut high) = (0i64, cur.multipliers[j]);
            let mut mu = cur.multipliers.clone();
            while high > low {
                mu[j] = low + (high - low) / 2;
                let s = search.evaluate(&mu, &cur.bases())?;
                if s.feasible() {
                    high = mu[j];
                    cur = s;
                } else {
                    low = mu[j] + 1;
                }
            }
        }
    }
    // Exchange: move the best allocation toward the better breaking ones.
    let allocation = match search.best.take() {
        Some(mut best) => {
            let mut targets = std::mem::take(&mut search.breaking);
            targets.sort_by_key(|t| std::cmp::Reverse(t.objective));
            for t in &targets {
                if t.objective <= best.objective {
                    continue;
                }
                let better = improve(problems, constraints, &best, t);
                if better.objective > best.objective {
                    best = better;
                }
            }
            best
        }
        None => cur.allocation(),
    };
    let solves = search.solves;
    let bound = search.bound.take().unwrap_or(cur);
    Ok(Constrained {
        allocation,
        upper_bound: bound.relaxed,
        multipliers: bound.multipliers,
        // `cur` went into `unwrap_or`, so this is the last holder.
        bound: Arc::try_unwrap(bound.solutions).unwrap_or_else(|shared| (*shared).clone()),
        solves,
    })
}
