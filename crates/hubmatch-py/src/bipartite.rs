//! `solve_bipartite`: a bare max-weight b-matching on integer numpy arrays.

use hubmatch::graph::BipartiteProblem;
use hubmatch::solve::{MatchOptions, MatchingSolution, solve_matching};
use numpy::{PyArray1, PyReadonlyArray1, ToPyArray};
use pyo3::prelude::*;

use crate::errors::run;

/// The optimum of a bipartite problem: objective, edge flows and duals.
#[pyclass(module = "hubmatch", name = "BipartiteResult", frozen)]
pub struct PyBipartiteResult {
    problem: BipartiteProblem,
    solution: MatchingSolution,
    seconds: f64,
}

fn indices(name: &str, values: &[i64]) -> PyResult<Vec<u32>> {
    values
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            u32::try_from(v).map_err(|_| {
                crate::errors::InvalidInputError::new_err(format!(
                    "{name}[{k}] must be a non-negative index, got {v}"
                ))
            })
        })
        .collect()
}

#[pymethods]
impl PyBipartiteResult {
    /// Total weight served minus unserved penalties.
    #[getter]
    fn objective(&self) -> i64 {
        self.solution.objective
    }

    /// Units on each edge, in input order.
    #[getter]
    fn flow<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.solution.edge_flow.to_pyarray(py)
    }

    /// Units left unserved of each need.
    #[getter]
    fn unserved<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.solution.unserved.to_pyarray(py)
    }

    /// Dual of each need: the marginal value of one more unit of it.
    #[getter]
    fn need_potential<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.solution.need_potential.to_pyarray(py)
    }

    /// Dual of each provider: the marginal value of one more unit of its capacity.
    #[getter]
    fn provider_potential<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        self.solution.offer_potential.to_pyarray(py)
    }

    /// Wall time of the solve in Rust, in seconds (aggregation, simplex, and
    /// the certificate check when on), without the conversion of arrays.
    #[getter]
    fn solve_seconds(&self) -> f64 {
        self.seconds
    }

    /// Number of need classes solved (fewer than needs when aggregated).
    #[getter]
    fn classes(&self) -> usize {
        self.solution.classes
    }

    /// Simplex pivots.
    #[getter]
    fn pivots(&self) -> u64 {
        self.solution.stats.pivots
    }

    /// Checks the optimality certificate; raises `CertificateError` if it does not hold.
    fn verify(&self) -> PyResult<()> {
        self.solution
            .verify(&self.problem)
            .map(|_| ())
            .map_err(|e| crate::errors::CertificateError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "BipartiteResult(objective={}, edges={})",
            self.solution.objective,
            self.solution.edge_flow.len()
        )
    }
}

/// Solves a max-weight b-matching exactly: `units[i]` of need `i`,
/// `capacity[j]` of provider `j`, and edges `edge_need[k]`–`edge_provider[k]`
/// with integer weight `edge_weight[k]` per unit. Providers with
/// `provider_group[j] >= 0` also share `group_capacity[provider_group[j]]`.
/// Arrays are int64 (the `hubmatch.solve_bipartite` wrapper converts other
/// integer dtypes).
#[pyfunction]
#[pyo3(signature = (units, capacity, edge_need, edge_provider, edge_weight, unserved_penalty = 0,
    provider_group = None, group_capacity = None, aggregate = true, verify = true))]
#[allow(clippy::needless_pass_by_value, clippy::too_many_arguments)] // pyo3 extracts arguments by value
pub fn solve_bipartite(
    py: Python<'_>,
    units: PyReadonlyArray1<'_, i64>,
    capacity: PyReadonlyArray1<'_, i64>,
    edge_need: PyReadonlyArray1<'_, i64>,
    edge_provider: PyReadonlyArray1<'_, i64>,
    edge_weight: PyReadonlyArray1<'_, i64>,
    unserved_penalty: i64,
    provider_group: Option<PyReadonlyArray1<'_, i64>>,
    group_capacity: Option<PyReadonlyArray1<'_, i64>>,
    aggregate: bool,
    verify: bool,
) -> PyResult<PyBipartiteResult> {
    let units = units.as_array().to_vec();
    let capacity = capacity.as_array().to_vec();
    let need = indices("edge_need", &edge_need.as_array().to_vec())?;
    let provider = indices("edge_provider", &edge_provider.as_array().to_vec())?;
    let weight = edge_weight.as_array().to_vec();
    let offers = capacity.len();
    let offer_group = match &provider_group {
        None => vec![None; offers],
        Some(groups) => {
            let groups = groups.as_array().to_vec();
            if groups.len() != offers {
                return Err(crate::errors::InvalidInputError::new_err(format!(
                    "provider_group has {} entries for {offers} providers",
                    groups.len()
                )));
            }
            groups.iter().map(|&g| u32::try_from(g).ok()).collect()
        }
    };
    let problem = BipartiteProblem {
        units,
        offer_capacity: capacity,
        offer_group,
        group_capacity: group_capacity
            .map(|g| g.as_array().to_vec())
            .unwrap_or_default(),
        edge_need: need,
        edge_offer: provider,
        edge_weight: weight,
        unserved_penalty,
        ..BipartiteProblem::default()
    };
    run(py, move |cancel| {
        let mut options = MatchOptions {
            aggregate,
            verify,
            ..MatchOptions::default()
        };
        options.simplex.cancel = Some(cancel.clone());
        let start = std::time::Instant::now();
        let solution = solve_matching(&problem, &options, None)?;
        let seconds = start.elapsed().as_secs_f64();
        Ok(PyBipartiteResult {
            problem,
            solution,
            seconds,
        })
    })
}
